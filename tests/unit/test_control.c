/*
 * test_control.c - the control socket's transport (nomcastd/control.c) on a
 * real libev loop and real unix sockets, with a handler of the test's
 * own: framing, the limits (line length, clients and eviction, unread
 * output, idle time, request deadline), the socket file (mode, parent
 * directory, stale and live sockets) and the path rules.  Every test checks that no descriptor
 * leaked.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "nomcastd/control.c"
#include "lib/ctl_path.c"

struct fx {
	struct ev_loop		*loop;
	struct ctl_server	*srv;
	char			 dir[32];
	char			 path[100];
	size_t			 calls;
	size_t			 reply_size;	/* 0: echo */
	int			 fds_before;
};

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the DIR's own */
}

/* {"echo":"LINE"} or a reply of reply_size bytes */
static char *
handler(void *ctx, const char *line)
{
	struct fx *f = ctx;
	char *r;

	f->calls++;
	if (f->reply_size > 0) {
		r = malloc(f->reply_size + 1);
		assert_non_null(r);
		memset(r, 'x', f->reply_size);
		r[f->reply_size] = '\0';
		return r;
	}
	r = malloc(strlen(line) + 16);
	assert_non_null(r);
	sprintf(r, "{\"echo\":\"%s\"}", line);
	return r;
}

static int
fx_open(struct fx *f, const struct ctl_limits *lim)
{
	char err[256];

	f->srv = ctl_open(f->loop, f->path, 0660, (gid_t)-1, lim, handler, f,
	    err, sizeof(err));
	if (f->srv == NULL)
		fprintf(stderr, "ctl_open: %s\n", err);
	return f->srv != NULL ? 0 : -1;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fds_before = count_fds();
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_control.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/dir/ctl.sock", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	ctl_close(f->srv);
	ev_loop_destroy(f->loop);
	/* every client and listener closed: nothing left open */
	assert_int_equal(count_fds(), f->fds_before);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void
spin(struct fx *f, int n)
{
	while (n-- > 0)
		ev_run(f->loop, EVRUN_NOWAIT);
}

static int
client(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
say(int fd, const char *s, size_t len)
{
	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Run the loop until the client has n lines or EOF (or 2 s pass); the
 * lines go to buf.  Returns the bytes read; *eof set on EOF.
 */
static size_t
collect(struct fx *f, int fd, char *buf, size_t cap, int nlines, bool *eof)
{
	size_t len = 0;
	double end = ev_time() + 2.0;
	ssize_t n;
	int seen = 0;

	*eof = false;
	while (ev_time() < end && (nlines < 0 || seen < nlines)) {
		ev_run(f->loop, EVRUN_NOWAIT);
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			*eof = true;
			break;
		}
		if (n < 0) {
			usleep(1000);
			continue;
		}
		for (ssize_t i = 0; i < n; i++)
			seen += buf[len + (size_t)i] == '\n';
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/* wait (spinning the loop) until recv sees EOF */
static bool
wait_eof(struct fx *f, int fd, double secs)
{
	double end = ev_time() + secs;
	char b[4096];
	ssize_t n;

	while (ev_time() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		n = recv(fd, b, sizeof(b), 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0)
			usleep(1000);
	}
	return false;
}

/* ---- framing ---- */

static void
test_ctl_answers_pipelined_lines_in_order(void **state)
{
	struct fx *f = *state;
	char buf[1024];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "a\nbb\r\nccc\n", 10);
	collect(f, fd, buf, sizeof(buf), 3, &eof);
	assert_false(eof);
	/* the CR of a CRLF line is not part of the request */
	assert_string_equal(buf, "{\"echo\":\"a\"}\n{\"echo\":\"bb\"}\n"
	    "{\"echo\":\"ccc\"}\n");
	assert_int_equal(ctl_nclients(f->srv), 1);
	close(fd);
}

static void
test_ctl_line_split_across_writes_is_one_request(void **state)
{
	struct fx *f = *state;
	char buf[256];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "show ", 5);
	spin(f, 5);
	assert_int_equal(f->calls, 0);
	say(fd, "peers\n", 6);
	collect(f, fd, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"show peers\"}\n");
	assert_int_equal(f->calls, 1);
	close(fd);
}

static void
test_ctl_last_line_without_newline_is_answered_at_eof(void **state)
{
	struct fx *f = *state;
	char buf[256];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "show status", 11);
	shutdown(fd, SHUT_WR);
	collect(f, fd, buf, sizeof(buf), -1, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"echo\":\"show status\"}\n");
	spin(f, 3);
	assert_int_equal(ctl_nclients(f->srv), 0);
	close(fd);
}

static void
test_ctl_nul_byte_in_line_is_an_error_reply(void **state)
{
	struct fx *f = *state;
	char buf[256];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "sh\0w\n", 5);
	collect(f, fd, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"NUL byte in "
	    "request\"}\n");
	assert_int_equal(f->calls, 0);
	close(fd);
}

/* ---- limits ---- */

static void
test_ctl_line_of_exactly_max_line_bytes_is_served(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 64, 4096, 5.0, 0 };
	char line[64], buf[256];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, &lim), 0);
	fd = client(f->path);
	memset(line, 'q', 63);
	line[63] = '\n';
	say(fd, line, 64);
	collect(f, fd, buf, sizeof(buf), 1, &eof);
	assert_false(eof);
	assert_int_equal(strlen(buf), 63 + 11 + 1);
	assert_int_equal(f->calls, 1);
	close(fd);
}

static void
test_ctl_over_long_line_gets_error_then_close(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 64, 4096, 5.0, 0 };
	char line[200], buf[256];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, &lim), 0);
	fd = client(f->path);
	/* one byte over: 64 bytes and still no newline */
	memset(line, 'q', sizeof(line));
	say(fd, line, 64);
	collect(f, fd, buf, sizeof(buf), -1, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"request line "
	    "longer than 63 bytes\"}\n");
	assert_int_equal(f->calls, 0);
	spin(f, 3);
	assert_int_equal(ctl_nclients(f->srv), 0);
	close(fd);
}

static void
test_ctl_long_line_after_good_ones_answers_those_first(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 64, 4096, 5.0, 0 };
	char line[200], buf[512];
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, &lim), 0);
	fd = client(f->path);
	memcpy(line, "ok\n", 3);
	memset(line + 3, 'q', sizeof(line) - 3);
	say(fd, line, sizeof(line));
	collect(f, fd, buf, sizeof(buf), -1, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"echo\":\"ok\"}\n{\"ok\":false,\"error\":"
	    "\"request line longer than 63 bytes\"}\n");
	close(fd);
}

static void
test_ctl_stalled_half_line_closed_after_idle_timeout(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 8192, 4096, 0.3, 0 };
	char buf[256];
	double t0;
	bool eof;
	int stalled, other;

	assert_int_equal(fx_open(f, &lim), 0);
	stalled = client(f->path);
	say(stalled, "show pe", 7);
	t0 = ev_time();
	/* meanwhile another client is served at once */
	other = client(f->path);
	say(other, "x\n", 2);
	collect(f, other, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"x\"}\n");
	assert_true(ev_time() - t0 < 0.25);
	close(other);
	assert_true(wait_eof(f, stalled, 2.0));
	assert_true(ev_time() - t0 >= 0.29);
	assert_int_equal(f->calls, 1);
	spin(f, 3);
	assert_int_equal(ctl_nclients(f->srv), 0);
	close(stalled);
}

static void
test_ctl_client_over_the_cap_evicts_the_longest_waiting(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 4, 8192, 4096, 5.0, 0 };
	int fds[4], extra, again, i;
	char buf[256];
	bool eof;

	assert_int_equal(fx_open(f, &lim), 0);
	for (i = 0; i < 4; i++)
		fds[i] = client(f->path);
	spin(f, 5);
	assert_int_equal(ctl_nclients(f->srv), 4);
	/* 1..3 get answers; 0 only ever connected, and was first anyway */
	usleep(2000);
	for (i = 3; i >= 1; i--) {
		say(fds[i], "a\n", 2);
		collect(f, fds[i], buf, sizeof(buf), 1, &eof);
		assert_string_equal(buf, "{\"echo\":\"a\"}\n");
	}
	/* a newcomer takes 0's slot: 0 is told why, and closed */
	extra = client(f->path);
	say(extra, "x\n", 2);
	collect(f, extra, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"x\"}\n");
	collect(f, fds[0], buf, sizeof(buf), -1, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"too many clients "
	    "(4): closed to make room\"}\n");
	assert_int_equal(ctl_nclients(f->srv), 4);
	/* the next one goes to 3, answered longest ago (1 and 2 after it) */
	again = client(f->path);
	say(again, "z\n", 2);
	collect(f, again, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"z\"}\n");
	assert_true(wait_eof(f, fds[3], 1.0));
	/* the others are still served */
	say(fds[2], "y\n", 2);
	collect(f, fds[2], buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"y\"}\n");
	assert_int_equal(ctl_nclients(f->srv), 4);
	close(extra);
	close(again);
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

/*
 * Every slot held by a client that trickles one byte of a request at a
 * time: a newcomer is still answered at once (one trickler makes room),
 * and each trickler is closed request_timeout after its first byte,
 * although its bytes keep the idle timer from ever firing.
 */
static void
test_ctl_trickling_clients_do_not_lock_out_a_newcomer(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 4, 8192, 4096, 5.0, 0.5 };
	int fds[4], extra, i, open_ = 4;
	bool closed[4] = { false }, eof;
	double t0, t, closed_at[4] = { 0 };
	char buf[256];
	ssize_t n;

	assert_int_equal(fx_open(f, &lim), 0);
	for (i = 0; i < 4; i++)
		fds[i] = client(f->path);
	t0 = ev_time();
	for (int round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++)
			say(fds[i], "s", 1);
		spin(f, 3);
		usleep(50000);
	}
	assert_int_equal(ctl_nclients(f->srv), 4);
	extra = client(f->path);
	t = ev_time();
	say(extra, "now\n", 4);
	collect(f, extra, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"now\"}\n");
	assert_true(ev_time() - t < 0.1);
	close(extra);
	/* one of them made room; the rest keep trickling, and are closed */
	while (open_ > 0 && ev_time() - t0 < 3.0) {
		for (i = 0; i < 4; i++) {
			if (closed[i])
				continue;
			n = send(fds[i], "s", 1, MSG_NOSIGNAL);
			while (n == 1 && recv(fds[i], buf, sizeof(buf),
			    MSG_DONTWAIT) > 0)
				;
			if (n != 1 || recv(fds[i], buf, sizeof(buf),
			    MSG_DONTWAIT) == 0) {
				closed[i] = true;
				closed_at[i] = ev_time() - t0;
				open_--;
			}
		}
		spin(f, 3);
		usleep(20000);
	}
	assert_int_equal(open_, 0);
	for (i = 0; i < 4; i++) {
		/* the evicted one went at once, the others at the deadline */
		assert_true(closed_at[i] < 1.0);
		close(fds[i]);
	}
	spin(f, 3);
	assert_int_equal(ctl_nclients(f->srv), 0);
	assert_int_equal(f->calls, 1);
}

/*
 * Every client has a reply being written: nobody is evicted, the
 * newcomer is refused; the deadline frees the slots of those that never
 * take their replies.
 */
static void
test_ctl_clients_with_replies_in_flight_are_not_evicted(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 4, 8192, 1024 * 1024, 5.0, 0.5 };
	int fds[4], extra, i, small = 4096;
	char buf[256];
	bool eof;
	double t0;

	assert_int_equal(fx_open(f, &lim), 0);
	f->reply_size = 512 * 1024;
	for (i = 0; i < 4; i++) {
		fds[i] = client(f->path);
		(void)setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof(small));
		say(fds[i], "big\n", 4);
	}
	for (i = 0; i < 100 && f->calls < 4; i++) {
		spin(f, 1);
		usleep(1000);
	}
	t0 = ev_time();
	assert_int_equal(f->calls, 4);
	extra = client(f->path);
	collect(f, extra, buf, sizeof(buf), -1, &eof);
	assert_true(eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"too many clients "
	    "(4)\"}\n");
	close(extra);
	/* none of them reads (reading would drain the reply): closed */
	while (ctl_nclients(f->srv) > 0 && ev_time() - t0 < 2.0) {
		spin(f, 1);
		usleep(1000);
	}
	assert_int_equal(ctl_nclients(f->srv), 0);
	assert_true(ev_time() - t0 > 0.3);
	assert_true(ev_time() - t0 < 1.5);
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

static void
test_ctl_client_that_does_not_read_is_closed_at_the_output_cap(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 8192, 64 * 1024, 30.0, 0 };
	int fd, other, sndbuf = 4096, i;
	char buf[256];
	bool eof, gone = false;

	assert_int_equal(fx_open(f, &lim), 0);
	f->reply_size = 16 * 1024;
	fd = client(f->path);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	/* ask and ask, never read: the kernel buffer, then ours, fill up */
	for (i = 0; i < 400 && !gone; i++) {
		if (send(fd, "q\n", 2, MSG_NOSIGNAL) != 2)
			gone = true;
		spin(f, 2);
		gone = gone || ctl_nclients(f->srv) == 0;
	}
	assert_true(gone);
	/* it cost at most the cap plus one reply, not 400 replies */
	assert_true(f->calls < 400);
	assert_int_equal(ctl_nclients(f->srv), 0);
	close(fd);
	/* and the server is still there for others */
	f->reply_size = 0;
	other = client(f->path);
	say(other, "after\n", 6);
	collect(f, other, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"after\"}\n");
	close(other);
}

static void
test_ctl_big_reply_to_a_reading_client_is_delivered_whole(void **state)
{
	struct fx *f = *state;
	struct ctl_limits lim = { 8, 8192, 4096, 5.0, 0 };
	static char buf[300 * 1024];
	size_t len;
	bool eof;
	int fd;

	assert_int_equal(fx_open(f, &lim), 0);
	/* one reply far over max_out is fine: the cap is on a backlog */
	f->reply_size = 256 * 1024;
	fd = client(f->path);
	say(fd, "routes\n", 7);
	len = collect(f, fd, buf, sizeof(buf), 1, &eof);
	assert_false(eof);
	assert_int_equal(len, 256 * 1024 + 1);
	close(fd);
}

static void
test_ctl_client_gone_before_its_reply_is_dropped(void **state)
{
	struct fx *f = *state;
	int fd;

	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "show peers\n", 11);
	close(fd);
	spin(f, 10);
	assert_int_equal(ctl_nclients(f->srv), 0);
}

/* ---- the socket file ---- */

static void
test_ctl_socket_gets_mode_and_parent_directories(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct stat st;

	f->srv = ctl_open(f->loop, f->path, 0640, (gid_t)-1, NULL, handler, f,
	    err, sizeof(err));
	assert_non_null(f->srv);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_string_equal(ctl_path(f->srv), f->path);
}

static void
test_ctl_stale_socket_is_replaced(void **state)
{
	struct fx *f = *state;
	struct sockaddr_un sun;
	char buf[128];
	bool eof;
	int fd;

	/* a socket file nobody listens on: a daemon that died */
	assert_int_equal(fx_open(f, NULL), 0);
	ctl_close(f->srv);
	f->srv = NULL;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(fx_open(f, NULL), 0);
	fd = client(f->path);
	say(fd, "hi\n", 3);
	collect(f, fd, buf, sizeof(buf), 1, &eof);
	assert_string_equal(buf, "{\"echo\":\"hi\"}\n");
	close(fd);
}

static void
test_ctl_live_socket_is_not_taken_over(void **state)
{
	struct fx *f = *state;
	struct ctl_server *second;
	char err[256];
	struct stat st;

	assert_int_equal(fx_open(f, NULL), 0);
	second = ctl_open(f->loop, f->path, 0660, (gid_t)-1, NULL, handler, f,
	    err, sizeof(err));
	assert_null(second);
	assert_non_null(strstr(err, "in use by another process"));
	/* the first one's socket is still there */
	assert_int_equal(stat(f->path, &st), 0);
}

static void
test_ctl_path_that_is_not_a_socket_is_left_alone(void **state)
{
	struct fx *f = *state;
	char err[256], p[160];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/file", f->dir);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
	f->srv = ctl_open(f->loop, p, 0660, (gid_t)-1, NULL, handler, f, err,
	    sizeof(err));
	assert_null(f->srv);
	assert_non_null(strstr(err, "exists and is not a socket"));
	assert_int_equal(access(p, F_OK), 0);
}

static void
test_ctl_close_removes_only_its_own_socket(void **state)
{
	struct fx *f = *state;
	struct ctl_server *old;
	struct stat st;

	assert_int_equal(fx_open(f, NULL), 0);
	old = f->srv;
	/* someone replaced the file (a newer daemon): leave theirs */
	assert_int_equal(unlink(f->path), 0);
	f->srv = NULL;
	assert_int_equal(fx_open(f, NULL), 0);
	ctl_close(old);
	assert_int_equal(stat(f->path, &st), 0);
	ctl_close(f->srv);
	f->srv = NULL;
	assert_int_equal(stat(f->path, &st), -1);
}

static void
test_ctl_open_rejects_a_path_too_long_for_sun_path(void **state)
{
	struct fx *f = *state;
	char err[256], p[200];

	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	assert_null(ctl_open(f->loop, p, 0660, (gid_t)-1, NULL, handler, f,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "longer than 107"));
}

/* ---- the path rules ---- */

static void
test_ctl_socket_path_prefers_config_then_nomad_dirs(void **state)
{
	char buf[128], longdir[120];

	(void)state;
	unsetenv("NOMAD_ALLOC_DIR");
	unsetenv("NOMAD_TASK_DIR");
	assert_int_equal(ctl_socket_path(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/nomcast/nomcast.sock");
	setenv("NOMAD_TASK_DIR", "/local/task", 1);
	assert_int_equal(ctl_socket_path("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/local/task/nomcast.sock");
	setenv("NOMAD_ALLOC_DIR", "/alloc", 1);
	assert_int_equal(ctl_socket_path(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/alloc/nomcast.sock");
	/* a configured path wins over both */
	assert_int_equal(ctl_socket_path("/tmp/x.sock", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/x.sock");
	/* an empty variable counts as unset */
	setenv("NOMAD_ALLOC_DIR", "", 1);
	assert_int_equal(ctl_socket_path(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/local/task/nomcast.sock");
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	setenv("NOMAD_ALLOC_DIR", longdir, 1);
	assert_int_equal(ctl_socket_path(NULL, buf, sizeof(buf)), -1);
	assert_non_null(strstr(buf, "longer than 107"));
	unsetenv("NOMAD_ALLOC_DIR");
	unsetenv("NOMAD_TASK_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ctl_answers_pipelined_lines_in_order),
		T(test_ctl_line_split_across_writes_is_one_request),
		T(test_ctl_last_line_without_newline_is_answered_at_eof),
		T(test_ctl_nul_byte_in_line_is_an_error_reply),
		T(test_ctl_line_of_exactly_max_line_bytes_is_served),
		T(test_ctl_over_long_line_gets_error_then_close),
		T(test_ctl_long_line_after_good_ones_answers_those_first),
		T(test_ctl_stalled_half_line_closed_after_idle_timeout),
		T(test_ctl_client_over_the_cap_evicts_the_longest_waiting),
		T(test_ctl_trickling_clients_do_not_lock_out_a_newcomer),
		T(test_ctl_clients_with_replies_in_flight_are_not_evicted),
		T(test_ctl_client_that_does_not_read_is_closed_at_the_output_cap),
		T(test_ctl_big_reply_to_a_reading_client_is_delivered_whole),
		T(test_ctl_client_gone_before_its_reply_is_dropped),
		T(test_ctl_socket_gets_mode_and_parent_directories),
		T(test_ctl_stale_socket_is_replaced),
		T(test_ctl_live_socket_is_not_taken_over),
		T(test_ctl_path_that_is_not_a_socket_is_left_alone),
		T(test_ctl_close_removes_only_its_own_socket),
		T(test_ctl_open_rejects_a_path_too_long_for_sun_path),
		T(test_ctl_socket_path_prefers_config_then_nomad_dirs),
#undef T
	};

	log_init(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
