/*
 * test_metrics.c - the Prometheus exposition rendered from hand-built
 * peers, services and checks, and the libmicrohttpd server on a libev
 * loop (no thread of its own), fetched over loopback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>

#include "nomcastd/metrics.c"
/* the services' read-only views */
#include "nomcastd/service.c"

struct fixture {
	struct nomcast		 nc;
	struct conf_peer	 cpeer[2];
	struct peer		*peers[2];
	struct conf_service	 csvc[2];
	struct svc		 svcs[2];
	struct conf_check	 cchk[1];
	struct check		 chk[1];
	struct check		*checks[1];
	struct metrics_buf	 b;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	f->nc.loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->nc.loop);
	f->nc.started = 1700000000;
	/* a name that needs every escape of a label value */
	snprintf(f->cpeer[0].name, sizeof(f->cpeer[0].name), "ed\"ge\\1\nx");
	snprintf(f->cpeer[1].name, sizeof(f->cpeer[1].name), "edge2");
	for (i = 0; i < 2; i++) {
		f->peers[i] = calloc(1, sizeof(struct peer));
		assert_non_null(f->peers[i]);
		f->peers[i]->cf = &f->cpeer[i];
		f->peers[i]->ro = ribout_new();
		assert_non_null(f->peers[i]->ro);
		f->peers[i]->since = 1700000100;
	}
	snprintf(f->peers[0]->addr_str, sizeof(f->peers[0]->addr_str),
	    "198.51.100.1");
	snprintf(f->peers[1]->addr_str, sizeof(f->peers[1]->addr_str),
	    "2001:db8::1");
	f->peers[0]->c.fsm.state = FSM_ESTABLISHED;
	f->peers[0]->st.msgs_in = 7;
	f->peers[0]->st.msgs_out = 9;
	f->peers[0]->st.updates_in = 2;
	f->peers[0]->st.updates_out = 3;
	f->peers[0]->st.flaps = 1;
	f->peers[0]->st.updates_treat_as_withdraw = 4;
	f->peers[0]->st.updates_attr_discard = 5;
	f->peers[0]->st.send_hold_expired = 6;
	f->peers[0]->st.transitions[FSM_ESTABLISHED] = 2;
	f->peers[0]->st.transitions[FSM_IDLE] = 4;
	f->peers[1]->c.fsm.state = FSM_OPENCONFIRM;
	f->nc.sp.peers = f->peers;
	f->nc.sp.npeers = 2;

	snprintf(f->csvc[0].name, sizeof(f->csvc[0].name), "web");
	snprintf(f->csvc[1].name, sizeof(f->csvc[1].name), "dns");
	for (i = 0; i < 2; i++)
		f->svcs[i].cf = &f->csvc[i];
	f->svcs[0].v.state = VERDICT_UP;
	f->svcs[0].mode = SVC_MODE_NORMAL;
	f->svcs[0].transitions = 3;
	f->svcs[1].v.state = VERDICT_DOWN;
	f->svcs[1].mode = SVC_MODE_DEGRADED;
	f->nc.svcs = f->svcs;
	f->nc.nsvcs = 2;

	snprintf(f->cchk[0].name, sizeof(f->cchk[0].name), "ping");
	f->chk[0].cf = &f->cchk[0];
	f->checks[0] = &f->chk[0];
	f->nc.checks = f->checks;
	f->nc.nchecks_rt = 1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	metrics_stop(&f->nc);
	for (i = 0; i < 2; i++) {
		ribout_free(f->peers[i]->ro);
		free(f->peers[i]);
	}
	metrics_buf_free(&f->b);
	ev_loop_destroy(f->nc.loop);
	free(f);
	return 0;
}

static const char *
render(struct fixture *f)
{
	metrics_buf_free(&f->b);
	assert_int_equal(metrics_render(&f->nc, &f->b), 0);
	assert_non_null(f->b.p);
	assert_int_equal(strlen(f->b.p), f->b.len);
	return f->b.p;
}

/* the exposition holds this exact line */
static void
assert_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p++;
	}
	fail_msg("line not found: %s\n---\n%s", line, text);
}

/* ---- rendering ---- */

static int
emit_nothing(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
	return 0;
}

static void
test_metrics_build_info_and_start_time(void **state)
{
	const char *t = render(*state);

	assert_line(t, "# TYPE nomcast_build_info gauge");
	assert_line(t, "nomcast_build_info{version=\"" NOMCAST_VERSION
	    "\"} 1");
	assert_line(t, "nomcast_start_time_seconds 1700000000");
	/* nothing was logged here, so nothing was dropped */
	assert_line(t, "# TYPE nomcast_log_lines_dropped_total counter");
	assert_line(t, "nomcast_log_lines_dropped_total 0");
}

static void
test_metrics_peer_label_values_are_escaped(void **state)
{
	const char *t = render(*state);

	/* quote, backslash and line feed: \" \\ \n */
	assert_line(t, "nomcast_peer_state{peer=\"ed\\\"ge\\\\1\\nx\","
	    "address=\"198.51.100.1\"} 5");
	assert_line(t, "nomcast_peer_state{peer=\"edge2\","
	    "address=\"2001:db8::1\"} 4");
}

static void
test_metrics_peer_up_only_when_established(void **state)
{
	const char *t = render(*state);

	assert_line(t, "nomcast_peer_up{peer=\"edge2\","
	    "address=\"2001:db8::1\"} 0");
	assert_non_null(strstr(t, "address=\"198.51.100.1\"} 1\n"
	    "nomcast_peer_up{peer=\"edge2\""));
}

static void
test_metrics_peer_counters_per_peer(void **state)
{
	const char *t = render(*state);

#define P0 "{peer=\"ed\\\"ge\\\\1\\nx\",address=\"198.51.100.1\"}"
	assert_line(t, "# TYPE nomcast_peer_messages_received_total counter");
	assert_line(t, "nomcast_peer_messages_received_total" P0 " 7");
	assert_line(t, "nomcast_peer_messages_sent_total" P0 " 9");
	assert_line(t, "nomcast_peer_updates_received_total" P0 " 2");
	assert_line(t, "nomcast_peer_updates_sent_total" P0 " 3");
	assert_line(t, "nomcast_peer_flaps_total" P0 " 1");
	assert_line(t, "nomcast_peer_updates_treat_as_withdraw_total" P0 " 4");
	assert_line(t, "nomcast_peer_updates_attribute_discard_total" P0
	    " 5");
	assert_line(t, "nomcast_peer_send_hold_expired_total" P0 " 6");
	assert_line(t, "nomcast_peer_prefixes_announced" P0 " 0");
	assert_line(t, "nomcast_peer_state_change_time_seconds" P0
	    " 1700000100");
#undef P0
}

static void
test_metrics_peer_transitions_every_state_labelled(void **state)
{
	const char *t = render(*state);
	const char *names[] = { "Idle", "Connect", "Active", "OpenSent",
	    "OpenConfirm", "Established" };
	const uint64_t want[] = { 4, 0, 0, 0, 0, 2 };
	char line[256];
	size_t i;

	for (i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "nomcast_peer_transitions_total{"
		    "peer=\"edge2\",address=\"2001:db8::1\",state=\"%s\"} 0",
		    names[i]);
		assert_line(t, line);
		snprintf(line, sizeof(line), "nomcast_peer_transitions_total{"
		    "peer=\"ed\\\"ge\\\\1\\nx\",address=\"198.51.100.1\","
		    "state=\"%s\"} %" PRIu64, names[i], want[i]);
		assert_line(t, line);
	}
}

static void
test_metrics_prefixes_announced_counts_what_was_sent(void **state)
{
	struct fixture *f = *state;
	static const struct upd_opts o = { .as4 = true, .local_as = 65001 };
	static const bool ok[3] = { false, true, true };
	struct bgp_attrs a;
	struct prefix px;
	const char *t;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	a.aspath_len = 1;
	a.aspath[0] = 65001;
	assert_int_equal(addr_parse("198.51.100.2", &a.nh4), 0);
	assert_int_equal(prefix_parse("203.0.113.10/32", &px), 0);
	assert_int_equal(ribout_set(f->peers[1]->ro, &px, &a), 0);
	assert_int_equal(prefix_parse("203.0.113.20/32", &px), 0);
	assert_int_equal(ribout_set(f->peers[1]->ro, &px, &a), 0);
	t = render(f);
	/* desired is not announced: nothing was sent yet */
	assert_line(t, "nomcast_peer_prefixes_announced{peer=\"edge2\","
	    "address=\"2001:db8::1\"} 0");
	assert_true(ribout_flush(f->peers[1]->ro, &o, ok, emit_nothing,
	    NULL) > 0);
	t = render(f);
	assert_line(t, "nomcast_peer_prefixes_announced{peer=\"edge2\","
	    "address=\"2001:db8::1\"} 2");
}

static void
test_metrics_service_verdict_up_announced_transitions(void **state)
{
	const char *t = render(*state);

	assert_line(t, "nomcast_service_verdict{service=\"web\"} 1");
	assert_line(t, "nomcast_service_verdict{service=\"dns\"} 2");
	assert_line(t, "nomcast_service_up{service=\"web\"} 1");
	assert_line(t, "nomcast_service_up{service=\"dns\"} 0");
	/* degraded is still announced */
	assert_line(t, "nomcast_service_announced{service=\"dns\"} 1");
	assert_line(t, "nomcast_service_transitions_total{service=\"web\"} 3");
	assert_line(t, "nomcast_service_transitions_total{service=\"dns\"} 0");
}

static void
test_metrics_check_results_by_outcome(void **state)
{
	struct fixture *f = *state;
	const char *t;

	f->chk[0].npass = 12;
	f->chk[0].nfail = 3;
	f->chk[0].has_result = true;
	f->chk[0].last_pass = false;
	t = render(f);
	assert_line(t, "nomcast_check_results_total{check=\"ping\","
	    "result=\"pass\"} 12");
	assert_line(t, "nomcast_check_results_total{check=\"ping\","
	    "result=\"fail\"} 3");
	assert_line(t, "nomcast_check_passing{check=\"ping\"} 0");
}

static void
test_metrics_check_latency_buckets_are_cumulative(void **state)
{
	struct fixture *f = *state;
	const char *t;

	/* 2 at <= 1 ms, 1 at <= 5 ms, 1 at <= 0.5 s, 1 above 10 s */
	f->chk[0].lat_bucket[0] = 2;
	f->chk[0].lat_bucket[2] = 1;
	f->chk[0].lat_bucket[8] = 1;
	f->chk[0].lat_count = 5;
	f->chk[0].lat_sum = 12.5;
	t = render(f);
	assert_line(t, "# TYPE nomcast_check_latency_seconds histogram");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"0.001\"} 2");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"0.0025\"} 2");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"0.005\"} 3");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"0.25\"} 3");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"0.5\"} 4");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"10\"} 4");
	assert_line(t, "nomcast_check_latency_seconds_bucket{check=\"ping\","
	    "le=\"+Inf\"} 5");
	assert_line(t, "nomcast_check_latency_seconds_sum{check=\"ping\"} "
	    "12.5");
	assert_line(t, "nomcast_check_latency_seconds_count{check=\"ping\"} "
	    "5");
}

/*
 * Every line is a comment or a sample; every sample's family was
 * announced by exactly one TYPE line before it, and a family's samples
 * are contiguous.
 */
static void
test_metrics_families_typed_once_and_contiguous(void **state)
{
	char *t = strdup(render(*state)), *line, *save;
	char cur[128] = "", seen[64][128];
	size_t nseen = 0, i, n;

	assert_non_null(t);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			n = strcspn(line + 7, " ");
			assert_true(n < sizeof(cur));
			memcpy(cur, line + 7, n);
			cur[n] = '\0';
			for (i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], cur);
			assert_true(nseen < 64);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", cur);
			if (strcmp(line + 7 + n + 1, "counter") == 0)
				assert_non_null(strstr(cur, "_total"));
			continue;
		}
		assert_true(line[0] != '#');
		n = strlen(cur);
		assert_true(n > 0);
		assert_memory_equal(line, cur, n);
		assert_true(line[n] == '{' || line[n] == ' ' ||
		    line[n] == '_');
	}
	assert_int_equal(nseen, 38);	/* every family, once (BFD and graceful restart even with no session) */
	free(t);
}

static void
test_metrics_buffer_grows_past_first_allocation(void **state)
{
	struct fixture *f = *state;
	struct peer **many;
	const char *t;
	size_t i;

	/* 200 peers: well past the first 4 KiB */
	many = calloc(200, sizeof(*many));
	assert_non_null(many);
	for (i = 0; i < 200; i++)
		many[i] = f->peers[1];
	f->nc.sp.peers = many;
	f->nc.sp.npeers = 200;
	t = render(f);
	assert_true(f->b.len > 16 * 4096);
	assert_line(t, "nomcast_check_latency_seconds_count{check=\"ping\"} 0");
	f->nc.sp.peers = f->peers;
	f->nc.sp.npeers = 2;
	free(many);
}

/* ---- HTTP on the loop ---- */

static int
threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct client {
	int		 fd;
	const char	*req;
	size_t		 sent;
	char		 resp[1 << 16];
	size_t		 rlen;
	bool		 timed_out;
	int		 threads_seen;	/* the most while serving */
	ev_io		 w;
	ev_timer	 guard;
};

static void
client_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *cl = w->data;
	ssize_t n;
	int t;

	(void)revents;
	if ((t = threads()) > cl->threads_seen)
		cl->threads_seen = t;
	if (cl->sent < strlen(cl->req)) {
		n = send(cl->fd, cl->req + cl->sent, strlen(cl->req) - cl->sent,
		    MSG_NOSIGNAL);
		if (n > 0)
			cl->sent += (size_t)n;
		if (cl->sent == strlen(cl->req)) {
			ev_io_stop(loop, w);
			ev_io_set(w, cl->fd, EV_READ);
			ev_io_start(loop, w);
		}
		return;
	}
	n = recv(cl->fd, cl->resp + cl->rlen, sizeof(cl->resp) - 1 - cl->rlen,
	    0);
	if (n > 0) {
		cl->rlen += (size_t)n;
		cl->resp[cl->rlen] = '\0';
		return;
	}
	if (n == -1 && errno == EAGAIN)
		return;
	ev_break(loop, EVBREAK_ALL);
}

static void
client_guard(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct client *cl = t->data;

	(void)revents;
	cl->timed_out = true;
	ev_break(loop, EVBREAK_ALL);
}

/* send req to the metrics server and run the loop until it closes */
static void
fetch(struct fixture *f, int family, const char *req, struct client *cl)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	socklen_t sl;

	assert_non_null(f->nc.metrics);
	info = MHD_get_daemon_info(f->nc.metrics->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	assert_true(info->port > 0);
	memset(cl, 0, sizeof(*cl));
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(info->port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(info->port);
		sin6->sin6_addr = in6addr_loopback;
		sl = sizeof(*sin6);
	}
	cl->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(cl->fd >= 0);
	assert_true(connect(cl->fd, (struct sockaddr *)&ss, sl) == 0 ||
	    errno == EINPROGRESS);
	cl->req = req;
	ev_io_init(&cl->w, client_io, cl->fd, EV_WRITE);
	cl->w.data = cl;
	ev_io_start(f->nc.loop, &cl->w);
	ev_timer_init(&cl->guard, client_guard, 5., 0.);
	cl->guard.data = cl;
	ev_timer_start(f->nc.loop, &cl->guard);
	ev_run(f->nc.loop, 0);
	ev_io_stop(f->nc.loop, &cl->w);
	ev_timer_stop(f->nc.loop, &cl->guard);
	close(cl->fd);
	assert_false(cl->timed_out);
}

static void
listen_on(struct fixture *f, const char *addr)
{
	f->nc.conf.g.metrics = true;
	assert_int_equal(addr_parse(addr, &f->nc.conf.g.metrics_addr), 0);
	f->nc.conf.g.metrics_port = 0;		/* any free port */
	assert_int_equal(metrics_start(&f->nc), 0);
	assert_non_null(f->nc.metrics);
}

static void
test_metrics_off_when_not_configured(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(metrics_start(&f->nc), 0);
	assert_null(f->nc.metrics);
	metrics_stop(&f->nc);	/* a no-op */
}

static void
test_metrics_get_served_on_the_loop_without_threads(void **state)
{
	struct fixture *f = *state;
	struct client *cl = malloc(sizeof(*cl));
	int before = threads();

	assert_non_null(cl);
	listen_on(f, "127.0.0.1");
	assert_int_equal(threads(), before);
	fetch(f, AF_INET, "GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 200 ", 13);
	assert_non_null(strcasestr(cl->resp, "\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\n"));
	assert_non_null(strstr(cl->resp, "\r\n\r\n# HELP nomcast_build_info "));
	assert_non_null(strstr(cl->resp, "\nnomcast_service_up{service=\"web\"}"
	    " 1\n"));
	/* MHD started no thread, before or while serving */
	assert_int_equal(cl->threads_seen, before);
	assert_int_equal(threads(), before);
	free(cl);
}

static void
test_metrics_other_path_is_404(void **state)
{
	struct fixture *f = *state;
	struct client *cl = malloc(sizeof(*cl));

	assert_non_null(cl);
	listen_on(f, "127.0.0.1");
	fetch(f, AF_INET, "GET /metricsx HTTP/1.0\r\n\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 404 ", 13);
	assert_null(strstr(cl->resp, "nomcast_"));
	fetch(f, AF_INET, "GET / HTTP/1.0\r\n\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 404 ", 13);
	free(cl);
}

static void
test_metrics_post_is_405_with_allow(void **state)
{
	struct fixture *f = *state;
	struct client *cl = malloc(sizeof(*cl));

	assert_non_null(cl);
	listen_on(f, "127.0.0.1");
	fetch(f, AF_INET, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n"
	    "\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 405 ", 13);
	assert_non_null(strcasestr(cl->resp, "\r\nAllow: GET, HEAD\r\n"));
	free(cl);
}

static void
test_metrics_head_has_headers_and_no_body(void **state)
{
	struct fixture *f = *state;
	struct client *cl = malloc(sizeof(*cl));
	const char *end;

	assert_non_null(cl);
	listen_on(f, "127.0.0.1");
	fetch(f, AF_INET, "HEAD /metrics HTTP/1.0\r\n\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 200 ", 13);
	end = strstr(cl->resp, "\r\n\r\n");
	assert_non_null(end);
	assert_string_equal(end, "\r\n\r\n");
	free(cl);
}

static void
test_metrics_ipv6_listen(void **state)
{
	struct fixture *f = *state;
	struct client *cl = malloc(sizeof(*cl));
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sin6;

	assert_non_null(cl);
	/* no ::1 (IPv6 disabled): nothing to test */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if (s == -1 || bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == -1) {
		if (s != -1)
			close(s);
		free(cl);
		skip();
	}
	close(s);
	listen_on(f, "::1");
	fetch(f, AF_INET6, "GET /metrics HTTP/1.0\r\n\r\n", cl);
	assert_memory_equal(cl->resp, "HTTP/1.1 200 ", 13);
	free(cl);
}

static void
test_metrics_port_in_use_fails_start(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(s >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	f->nc.conf.g.metrics = true;
	assert_int_equal(addr_parse("127.0.0.1", &f->nc.conf.g.metrics_addr),
	    0);
	f->nc.conf.g.metrics_port = ntohs(sin.sin_port);
	assert_int_equal(metrics_start(&f->nc), -1);
	assert_null(f->nc.metrics);
	close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_metrics_build_info_and_start_time),
		T(test_metrics_peer_label_values_are_escaped),
		T(test_metrics_peer_up_only_when_established),
		T(test_metrics_peer_counters_per_peer),
		T(test_metrics_peer_transitions_every_state_labelled),
		T(test_metrics_prefixes_announced_counts_what_was_sent),
		T(test_metrics_service_verdict_up_announced_transitions),
		T(test_metrics_check_results_by_outcome),
		T(test_metrics_check_latency_buckets_are_cumulative),
		T(test_metrics_families_typed_once_and_contiguous),
		T(test_metrics_buffer_grows_past_first_allocation),
		T(test_metrics_off_when_not_configured),
		T(test_metrics_get_served_on_the_loop_without_threads),
		T(test_metrics_other_path_is_404),
		T(test_metrics_post_is_405_with_allow),
		T(test_metrics_head_has_headers_and_no_body),
		T(test_metrics_ipv6_listen),
		T(test_metrics_port_in_use_fails_start),
#undef T
	};

	log_init((enum log_level)(LOG_LVL_ERR + 1));	/* quiet */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
