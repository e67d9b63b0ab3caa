/*
 * test_check.c - the check scheduler (health/check.c) on a real loop: a
 * loop made late by long callbacks never fails a probe that finished in
 * time, and the lateness rule itself.
 *
 * The probe is a tcp check against a listener of this process: the kernel
 * completes each handshake at once, whatever the loop is doing, so every
 * probe has finished long before its timeout.  A "hog" timer blocks the
 * loop for tens of milliseconds at a time, as a large show services or a
 * slow disk would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "health/check.h"

struct fx {
	struct ev_loop	*loop;
	ev_timer	 hog;
	bool		 no_hog;
	unsigned	npass, nfail, nwatchdog;
	char		reason[256];
	unsigned	hogs;
	int		lfd;
	ev_io		accept_w;
};

static void
on_result(void *ctx, struct check *c, bool pass, const char *reason,
    double latency)
{
	struct fx *f = ctx;

	(void)latency;
	if (pass)
		f->npass++;
	else {
		f->nfail++;
		snprintf(f->reason, sizeof(f->reason), "%s", reason);
		if (strstr(reason, "no result") != NULL)
			f->nwatchdog++;
	}
	if (f->no_hog)
		return;
	/*
	 * Every other result, block the loop just after the next probe
	 * starts (its tick is due a little before): that probe's answer
	 * and its timeout then reach the loop together.
	 */
	if ((f->npass + f->nfail) % 2 == 0 && !ev_is_active(&f->hog)) {
		ev_timer_set(&f->hog, (double)c->cf->interval_ms / 1000. +
		    0.0002, 0.);
		ev_timer_start(f->loop, &f->hog);
	}
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int fd;

	(void)loop;
	(void)revents;
	while ((fd = accept(w->fd, NULL, NULL)) != -1)
		close(fd);
}

/* block the loop: 20, 35 or 50 ms, turn about */
static void
hog_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct fx *f = t->data;
	struct timespec ts = { 0, (long)(20 + 15 * (f->hogs % 3)) * 1000000L };

	(void)loop;
	(void)revents;
	f->hogs++;
	while (nanosleep(&ts, &ts) == -1)
		;
}

static void
stop_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* a listening socket on 127.0.0.1, any port: its fd, the port in *port */
static int
listen_lo(int flags, uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1024), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
late_loop_fails_nothing(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct check_env env = { .loop = loop };
	struct conf_check cf;
	struct check *c;
	ev_timer stop;
	struct fx f;
	uint16_t port;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.lfd = listen_lo(SOCK_NONBLOCK, &port);
	ev_io_init(&f.accept_w, accept_cb, f.lfd, EV_READ);
	ev_io_start(loop, &f.accept_w);

	memset(&cf, 0, sizeof(cf));
	snprintf(cf.name, sizeof(cf.name), "port");
	cf.type = CHECK_TCP;
	cf.interval_ms = 10;
	cf.timeout_ms = 5;
	assert_int_equal(addr_parse("127.0.0.1", &cf.addr), 0);
	cf.port = port;
	assert_non_null(c = check_new(&env, &cf, on_result, &f));

	f.loop = loop;
	ev_timer_init(&f.hog, hog_cb, 0., 0.);
	f.hog.data = &f;
	ev_timer_init(&stop, stop_cb, 1.5, 0.);
	ev_timer_start(loop, &stop);
	check_start(c);
	ev_run(loop, 0);

	ev_timer_stop(loop, &f.hog);
	check_free(c);
	ev_io_stop(loop, &f.accept_w);
	close(f.lfd);
	/* 1.5 s, every other probe blocked 20-50 ms: dozens late */
	assert_true(f.hogs >= 15);
	assert_true(f.npass >= 30);
	print_message("%u probes, %u hogs\n", f.npass + f.nfail, f.hogs);
	if (f.nfail != 0)
		fail_msg("%u of %u probes failed, e.g. \"%s\"", f.nfail,
		    f.nfail + f.npass, f.reason);
}

/*
 * A probe that always times out, with the timeout equal to the interval:
 * the watchdog falls due in the iteration where the timeout runs, and
 * must leave the verdict to it.
 */
static void
timeouts_are_not_watchdog_failures(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct check_env env = { .loop = loop };
	static char *argv[] = { "/bin/sleep", "1", NULL };
	struct conf_check cf;
	struct check *c;
	ev_timer stop;
	struct fx f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.loop = loop;
	ev_timer_init(&f.hog, hog_cb, 0., 0.);
	f.hog.data = &f;
	f.no_hog = true;
	memset(&cf, 0, sizeof(cf));
	snprintf(cf.name, sizeof(cf.name), "hang");
	cf.type = CHECK_EXEC;
	cf.interval_ms = 10;
	cf.timeout_ms = 10;
	cf.argc = 2;
	memcpy(cf.argv, argv, sizeof(argv));
	assert_non_null(c = check_new(&env, &cf, on_result, &f));
	ev_timer_init(&stop, stop_cb, 1.0, 0.);
	ev_timer_start(loop, &stop);
	check_start(c);
	ev_run(loop, 0);
	check_free(c);
	print_message("%u results, %u from the watchdog\n", f.nfail,
	    f.nwatchdog);
	assert_true(f.nfail >= 10);
	assert_int_equal(f.npass, 0);
	assert_int_equal(f.nwatchdog, 0);
}

/*
 * An HTTP server in a child process, so that it answers while the loop
 * is blocked: accept, read the request, answer 200 "pong", close.
 */
static pid_t
http_child(int lfd)
{
	static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
	    "Connection: close\r\n\r\npong";
	char buf[2048];
	pid_t pid;
	int fd;

	if ((pid = fork()) != 0)
		return pid;
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			continue;
		(void)read(fd, buf, sizeof(buf));
		(void)write(fd, ans, sizeof(ans) - 1);
		close(fd);
	}
}

/*
 * The same late loop with an http check: libcurl's own timeout must not
 * fail a transfer whose answer came in time, only the scheduler's (which
 * takes its last look first).
 */
static void
late_loop_fails_no_http(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct check_env env = { .loop = loop };
	struct conf_check cf;
	struct check *c;
	ev_timer stop;
	struct fx f;
	pid_t child;
	uint16_t port;
	int lfd;

	(void)state;
	memset(&f, 0, sizeof(f));
	lfd = listen_lo(0, &port);
	assert_true((child = http_child(lfd)) > 0);
	close(lfd);
	assert_non_null(env.http = chk_http_multi_new(loop));

	memset(&cf, 0, sizeof(cf));
	snprintf(cf.name, sizeof(cf.name), "web");
	cf.type = CHECK_HTTP;
	cf.interval_ms = 20;
	cf.timeout_ms = 10;
	snprintf(cf.url, sizeof(cf.url), "http://127.0.0.1:%u/ping", port);
	cf.nexpect = 1;
	cf.expect_lo[0] = 200;
	cf.expect_hi[0] = 299;
	assert_non_null(c = check_new(&env, &cf, on_result, &f));

	f.loop = loop;
	ev_timer_init(&f.hog, hog_cb, 0., 0.);
	f.hog.data = &f;
	ev_timer_init(&stop, stop_cb, 2.0, 0.);
	ev_timer_start(loop, &stop);
	check_start(c);
	ev_run(loop, 0);

	ev_timer_stop(loop, &f.hog);
	check_free(c);
	chk_http_multi_free(env.http);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	print_message("%u probes, %u hogs\n", f.npass + f.nfail, f.hogs);
	assert_true(f.hogs >= 10);
	assert_true(f.npass >= 20);
	if (f.nfail != 0)
		fail_msg("%u of %u probes failed, e.g. \"%s\"", f.nfail,
		    f.nfail + f.npass, f.reason);
}

/*
 * Eight checks of one interval, started in the same instant: their ticks
 * must drift apart (a burst of eight probes in one loop iteration every
 * interval otherwise, forever), yet no check may go a whole interval
 * without a probe.
 */
static void
ticks_drift_apart(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct check_env env = { .loop = loop };
	struct conf_check cf[8];
	struct check *c[8];
	ev_timer stop;
	struct fx f;
	double lo = 1e300, hi = 0;
	uint16_t port;
	size_t i;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.loop = loop;
	f.no_hog = true;
	f.lfd = listen_lo(SOCK_NONBLOCK, &port);
	ev_io_init(&f.accept_w, accept_cb, f.lfd, EV_READ);
	ev_io_start(loop, &f.accept_w);
	for (i = 0; i < 8; i++) {
		memset(&cf[i], 0, sizeof(cf[i]));
		snprintf(cf[i].name, sizeof(cf[i].name), "port%zu", i);
		cf[i].type = CHECK_TCP;
		cf[i].interval_ms = 100;
		cf[i].timeout_ms = 50;
		assert_int_equal(addr_parse("127.0.0.1", &cf[i].addr), 0);
		cf[i].port = port;
		assert_non_null(c[i] = check_new(&env, &cf[i], on_result, &f));
	}
	ev_timer_init(&stop, stop_cb, 1.5, 0.);
	ev_timer_start(loop, &stop);
	for (i = 0; i < 8; i++)
		check_start(c[i]);
	ev_run(loop, 0);
	for (i = 0; i < 8; i++) {
		/* 1.5 s of 100 ms ticks, at most 10 ms early: 15 to 17 */
		assert_in_range(c[i]->probes, 15, 17);
		if (c[i]->started < lo)
			lo = c[i]->started;
		if (c[i]->started > hi)
			hi = c[i]->started;
		check_free(c[i]);
	}
	ev_io_stop(loop, &f.accept_w);
	close(f.lfd);
	print_message("last probes %.1f ms apart\n", (hi - lo) * 1000);
	/* in step they would be microseconds apart */
	assert_true(hi - lo >= 0.005);
	assert_int_equal(f.nfail, 0);
}

static void
lateness(void **state)
{
	(void)state;
	assert_false(check_late(10.0, 10.0));
	assert_false(check_late(10.0, 9.5));
	assert_false(check_late(10.0, 10.0 + CHECK_LATE / 2));
	assert_true(check_late(10.0, 10.0 + 2 * CHECK_LATE));
	assert_true(check_late(10.0, 10.2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lateness),
		cmocka_unit_test(late_loop_fails_nothing),
		cmocka_unit_test(timeouts_are_not_watchdog_failures),
		cmocka_unit_test(ticks_drift_apart),
		cmocka_unit_test(late_loop_fails_no_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
