/*
 * metrics.c - the Prometheus text exposition of the daemon's state, and
 * the libmicrohttpd server that answers GET /metrics on the libev loop;
 * see metrics.h.
 *
 * Names follow the Prometheus conventions: a nomcast_ prefix, base units
 * (seconds), counters end in _total, one # HELP and one # TYPE line per
 * family with every sample of the family right after them.
 */
#include "nomcastd/metrics.h"
#include "nomad/watch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bfd/bfd.h"
#include "health/check.h"
#include "nomcastd/daemon.h"
#include "nomcastd/peer_bfd.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"
#include "health/verdict.h"

#define METRICS_PATH		"/metrics"
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"
/* scrapes in flight (more are refused), and how long a silent one stays */
#define METRICS_CONN_TIMEOUT	10	/* seconds */

struct metrics {
	struct nomcast		*nc;
	struct MHD_Daemon	*d;
	ev_io			 io;	/* MHD's epoll descriptor */
	ev_timer		 tm;	/* MHD_get_timeout() */
	struct log_rl		 rl;
};

/* ---- the buffer ---- */

void
metrics_buf_free(struct metrics_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool
buf_reserve(struct metrics_buf *b, size_t n)
{
	size_t ncap;
	char *np;

	if (b->err)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < b->len + n + 1)
		ncap *= 2;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->err = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

static void
buf_put(struct metrics_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct metrics_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct metrics_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* only numbers and names come through here: they fit */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->err = true;
		return;
	}
	buf_put(b, tmp, (size_t)n);
}

/*
 * A label value, escaped as the text format wants: backslash, double
 * quote and line feed become \\, \" and \n.  With esc_quote false, the
 * same for HELP text, where only backslash and line feed are escaped.
 */
static void
buf_escaped(struct metrics_buf *b, const char *s, bool esc_quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_put(b, "\\\\", 2);
		else if (*s == '\n')
			buf_put(b, "\\n", 2);
		else if (*s == '"' && esc_quote)
			buf_put(b, "\\\"", 2);
		else
			buf_put(b, s, 1);
	}
}

/* ---- samples ---- */

struct lbl {
	const char	*k;
	const char	*v;
};

static void
family(struct metrics_buf *b, const char *name, const char *type,
    const char *help)
{
	buf_str(b, "# HELP ");
	buf_str(b, name);
	buf_str(b, " ");
	buf_escaped(b, help, false);
	buf_str(b, "\n# TYPE ");
	buf_str(b, name);
	buf_str(b, " ");
	buf_str(b, type);
	buf_str(b, "\n");
}

/* name{k="v",...} without the value */
static void
sample_head(struct metrics_buf *b, const char *name, const struct lbl *l,
    size_t nl)
{
	size_t i;

	buf_str(b, name);
	if (nl == 0)
		return;
	buf_str(b, "{");
	for (i = 0; i < nl; i++) {
		if (i > 0)
			buf_str(b, ",");
		buf_str(b, l[i].k);
		buf_str(b, "=\"");
		buf_escaped(b, l[i].v, true);
		buf_str(b, "\"");
	}
	buf_str(b, "}");
}

static void
sample_u64(struct metrics_buf *b, const char *name, const struct lbl *l,
    size_t nl, uint64_t v)
{
	sample_head(b, name, l, nl);
	buf_printf(b, " %" PRIu64 "\n", v);
}

static void
sample_dbl(struct metrics_buf *b, const char *name, const struct lbl *l,
    size_t nl, double v)
{
	sample_head(b, name, l, nl);
	/* %.17g: the double round-trips; the format takes Go float syntax */
	buf_printf(b, " %.17g\n", v);
}

/* ---- the families ---- */

static void
render_build(const struct nomcast *nc, struct metrics_buf *b)
{
	const struct lbl l[] = { { "version", NOMCAST_VERSION } };

	family(b, "nomcast_build_info", "gauge",
	    "Always 1; the version of nomcastd as a label.");
	sample_u64(b, "nomcast_build_info", l, 1, 1);
	family(b, "nomcast_start_time_seconds", "gauge",
	    "When nomcastd started, in seconds since the Unix epoch.");
	sample_dbl(b, "nomcast_start_time_seconds", NULL, 0,
	    (double)nc->started);
	family(b, "nomcast_graceful_restart_last_start", "gauge",
	    "1 if this start came back from a graceful exit (the peers "
	    "held the routes), else 0.");
	sample_u64(b, "nomcast_graceful_restart_last_start", NULL, 0,
	    nc->restart.came_back);
	family(b, "nomcast_graceful_restart_eor_delay_seconds", "gauge",
	    "After a graceful restart: how long after the start End-of-RIB "
	    "went out (the first verdicts, or restart-defer-time); 0 before "
	    "or without one.");
	sample_dbl(b, "nomcast_graceful_restart_eor_delay_seconds", NULL, 0,
	    (double)nc->restart.eor_ms / 1000.0);
}

#define PEER_LBL(pi)	{ "peer", (pi).name }, \
			{ "address", (pi).address }

/* one loop per family: a family's samples must stay together */
#define EACH_PEER(nc, i, pi)						\
	for ((i) = 0; (i) < (nc)->sp.npeers &&				\
	    (peer_info((nc)->sp.peers[(i)], &(pi)), true); (i)++)

static void
render_peers(const struct nomcast *nc, struct metrics_buf *b)
{
	struct peer_info pi;
	size_t i;
	int s;

	family(b, "nomcast_peer_state", "gauge", "BGP FSM state of the "
	    "session (RFC 4271 8.2.2): 0 Idle, 1 Connect, 2 Active, "
	    "3 OpenSent, 4 OpenConfirm, 5 Established.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_u64(b, "nomcast_peer_state", l, 2, (uint64_t)pi.state);
	}
	family(b, "nomcast_peer_up", "gauge",
	    "1 if the session is Established, else 0.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_u64(b, "nomcast_peer_up", l, 2,
		    pi.state == FSM_ESTABLISHED);
	}
	family(b, "nomcast_peer_state_change_time_seconds", "gauge",
	    "When the session last changed state, in seconds since the "
	    "Unix epoch.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_dbl(b, "nomcast_peer_state_change_time_seconds", l, 2,
		    (double)pi.since);
	}
	family(b, "nomcast_peer_transitions_total", "counter",
	    "Times the session entered each FSM state.");
	EACH_PEER(nc, i, pi) {
		for (s = 0; s < FSM_NSTATES; s++) {
			const struct lbl l[] = { PEER_LBL(pi),
			    { "state", fsm_state_name((enum fsm_state)s) } };

			sample_u64(b, "nomcast_peer_transitions_total", l, 3,
			    pi.st.transitions[s]);
		}
	}
	family(b, "nomcast_peer_flaps_total", "counter",
	    "Times the session left Established.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_u64(b, "nomcast_peer_flaps_total", l, 2, pi.st.flaps);
	}

#define PEER_COUNTER(name, field, help) do {				\
	family(b, name, "counter", help);				\
	EACH_PEER(nc, i, pi) {						\
		const struct lbl l[] = { PEER_LBL(pi) };		\
									\
		sample_u64(b, name, l, 2, pi.st.field);			\
	}								\
} while (0)
	PEER_COUNTER("nomcast_peer_messages_received_total", msgs_in,
	    "BGP messages received from the peer.");
	PEER_COUNTER("nomcast_peer_messages_sent_total", msgs_out,
	    "BGP messages queued to the peer.");
	PEER_COUNTER("nomcast_peer_updates_received_total", updates_in,
	    "BGP UPDATE messages received from the peer.");
	PEER_COUNTER("nomcast_peer_updates_sent_total", updates_out,
	    "BGP UPDATE messages queued to the peer.");
	PEER_COUNTER("nomcast_peer_updates_treat_as_withdraw_total",
	    updates_treat_as_withdraw,
	    "Malformed UPDATEs treated as withdraw (RFC 7606).");
	PEER_COUNTER("nomcast_peer_updates_attribute_discard_total",
	    updates_attr_discard,
	    "UPDATEs whose malformed attribute was discarded (RFC 7606).");
	PEER_COUNTER("nomcast_peer_send_hold_expired_total", send_hold_expired,
	    "Sessions torn down because the peer stopped reading "
	    "(RFC 9687).");
	PEER_COUNTER("nomcast_peer_eor_sent_total", eor_sent,
	    "End-of-RIB markers sent to the peer, all families (RFC 4724).");
	PEER_COUNTER("nomcast_peer_eor_received_total", eor_rcvd,
	    "End-of-RIB markers received from the peer (RFC 4724).");
#undef PEER_COUNTER

	family(b, "nomcast_peer_graceful_restart", "gauge",
	    "1 if both OPENs carried the Graceful Restart capability "
	    "(RFC 4724), else 0.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_u64(b, "nomcast_peer_graceful_restart", l, 2,
		    pi.negotiated && pi.gr_negotiated);
	}
	family(b, "nomcast_peer_prefixes_announced", "gauge",
	    "Prefixes announced to the peer and not withdrawn.");
	EACH_PEER(nc, i, pi) {
		const struct lbl l[] = { PEER_LBL(pi) };

		sample_u64(b, "nomcast_peer_prefixes_announced", l, 2,
		    pi.prefixes_out);
	}
}

#define EACH_SVC(nc, i, si)						\
	for ((i) = 0; (i) < (nc)->nsvcs &&				\
	    (svc_info(&(nc)->svcs[(i)], &(si)), true); (i)++)

static void
render_services(const struct nomcast *nc, struct metrics_buf *b)
{
	struct svc_info si;
	size_t i;

	family(b, "nomcast_service_verdict", "gauge", "The service's "
	    "verdict: 0 unknown, 1 up, 2 down, 3 draining.");
	EACH_SVC(nc, i, si) {
		const struct lbl l[] = { { "service", si.name } };

		sample_u64(b, "nomcast_service_verdict", l, 1,
		    (uint64_t)si.verdict);
	}
	family(b, "nomcast_service_up", "gauge",
	    "1 if the service's verdict is up, else 0.");
	EACH_SVC(nc, i, si) {
		const struct lbl l[] = { { "service", si.name } };

		sample_u64(b, "nomcast_service_up", l, 1,
		    si.verdict == VERDICT_UP);
	}
	family(b, "nomcast_service_announced", "gauge", "1 if the service's "
	    "prefixes are announced (normally or degraded), else 0.");
	EACH_SVC(nc, i, si) {
		const struct lbl l[] = { { "service", si.name } };

		sample_u64(b, "nomcast_service_announced", l, 1,
		    si.mode != SVC_MODE_NONE);
	}
	family(b, "nomcast_service_transitions_total", "counter",
	    "Times the service's verdict changed.");
	EACH_SVC(nc, i, si) {
		const struct lbl l[] = { { "service", si.name } };

		sample_u64(b, "nomcast_service_transitions_total", l, 1,
		    si.transitions);
	}
}

#define EACH_CHECK(nc, i, ci)						\
	for ((i) = 0; (i) < (nc)->nchecks_rt &&				\
	    (check_info((nc)->checks[(i)], &(ci)), true); (i)++)

static void
render_checks(const struct nomcast *nc, struct metrics_buf *b)
{
	struct check_info ci;
	char le[32];
	uint64_t cum;
	size_t i, k;

	family(b, "nomcast_check_results_total", "counter",
	    "Results of the check, by outcome.");
	EACH_CHECK(nc, i, ci) {
		const struct lbl lp[] = { { "check", ci.name },
		    { "result", "pass" } };
		const struct lbl lf[] = { { "check", ci.name },
		    { "result", "fail" } };

		sample_u64(b, "nomcast_check_results_total", lp, 2, ci.npass);
		sample_u64(b, "nomcast_check_results_total", lf, 2, ci.nfail);
	}
	family(b, "nomcast_check_passing", "gauge", "1 if the check's last "
	    "result passed, 0 if it failed or there is none yet.");
	EACH_CHECK(nc, i, ci) {
		const struct lbl l[] = { { "check", ci.name } };

		sample_u64(b, "nomcast_check_passing", l, 1,
		    ci.has_result && ci.last_pass);
	}
	family(b, "nomcast_check_latency_seconds", "histogram",
	    "How long the check's probes took, timed out ones included.");
	EACH_CHECK(nc, i, ci) {
		struct lbl l[] = { { "check", ci.name }, { "le", le } };

		/* the buckets are kept apart; the format wants them summed */
		cum = 0;
		for (k = 0; k < CHECK_LAT_NBUCKETS; k++) {
			cum += ci.lat_bucket[k];
			snprintf(le, sizeof(le), "%g", check_lat_bounds[k]);
			sample_u64(b, "nomcast_check_latency_seconds_bucket",
			    l, 2, cum);
		}
		l[1].v = "+Inf";
		sample_u64(b, "nomcast_check_latency_seconds_bucket", l, 2,
		    ci.lat_count);
		sample_dbl(b, "nomcast_check_latency_seconds_sum", l, 1,
		    ci.lat_sum);
		sample_u64(b, "nomcast_check_latency_seconds_count", l, 1,
		    ci.lat_count);
	}
}

static void
render_nomad(const struct nomcast *nc, struct metrics_buf *b)
{
	static const char *const ep[NOMAD_EP_N] = { "service", "checks",
	    "probe" };
	struct nomad_stats st;
	char le[32];
	uint64_t cum = 0;
	size_t i;

	if (nc->check_env.nomad == NULL)
		return;
	nomad_client_stats(nc->check_env.nomad, &st);
	family(b, "nomcast_nomad_requests_total", "counter", "Requests to "
	    "the Nomad agent, by endpoint and outcome (error: unreachable, "
	    "an error status, a timeout or an answer of the wrong shape).");
	for (i = 0; i < NOMAD_EP_N; i++) {
		const struct lbl lo[] = { { "endpoint", ep[i] },
		    { "result", "ok" } };
		const struct lbl le_[] = { { "endpoint", ep[i] },
		    { "result", "error" } };

		sample_u64(b, "nomcast_nomad_requests_total", lo, 2, st.ok[i]);
		sample_u64(b, "nomcast_nomad_requests_total", le_, 2,
		    st.err[i]);
	}
	family(b, "nomcast_nomad_outage", "gauge", "1 while the Nomad agent "
	    "gives no answers, labelled by why: unreachable (no connection "
	    "or no answer in time), control-plane (5xx: no leader), refused "
	    "(401/403), error (other statuses, answers of the wrong shape).");
	for (i = 1; i < NOMAD_OUT_N; i++) {
		const struct lbl lo[] = { { "class",
		    nomad_outage_name((enum nomad_outage)i) } };

		sample_u64(b, "nomcast_nomad_outage", lo, 1,
		    st.outage == (enum nomad_outage)i);
	}
	family(b, "nomcast_nomad_outage_seconds", "gauge", "How long the "
	    "current Nomad agent outage has lasted (0: none).");
	sample_dbl(b, "nomcast_nomad_outage_seconds", NULL, 0,
	    st.outage_seconds);
	family(b, "nomcast_nomad_outages_total", "counter", "Nomad agent "
	    "outages that began since start.");
	sample_u64(b, "nomcast_nomad_outages_total", NULL, 0, st.outages);
	if (st.known_leader >= 0) {
		family(b, "nomcast_nomad_known_leader", "gauge", "1 if the "
		    "last registration answer said the cluster has a leader "
		    "(X-Nomad-KnownLeader).");
		sample_u64(b, "nomcast_nomad_known_leader", NULL, 0,
		    (uint64_t)st.known_leader);
		family(b, "nomcast_nomad_last_contact_seconds", "gauge",
		    "X-Nomad-LastContact of the last registration answer: "
		    "how long the answering server had not heard from the "
		    "leader.");
		sample_dbl(b, "nomcast_nomad_last_contact_seconds", NULL, 0,
		    (double)st.last_contact_ms / 1000.0);
	}
	family(b, "nomcast_nomad_checks_request_duration_seconds",
	    "histogram", "How long the alloc checks requests to the Nomad "
	    "agent took (the service endpoint is a blocking query).");
	{
		struct lbl l[] = { { "le", le } };

		for (i = 0; i < NOMAD_LAT_NBUCKETS; i++) {
			cum += st.lat_bucket[i];
			snprintf(le, sizeof(le), "%g", nomad_lat_bounds[i]);
			sample_u64(b, "nomcast_nomad_checks_request_duration_"
			    "seconds_bucket", l, 1, cum);
		}
		l[0].v = "+Inf";
		sample_u64(b, "nomcast_nomad_checks_request_duration_seconds_"
		    "bucket", l, 1, st.lat_count);
		sample_dbl(b, "nomcast_nomad_checks_request_duration_seconds_"
		    "sum", l, 0, st.lat_sum);
		sample_u64(b, "nomcast_nomad_checks_request_duration_seconds_"
		    "count", l, 0, st.lat_count);
	}
}

/* one loop per family, over the peers that run BFD */
#define EACH_BFD(nc, i, si)						\
	for ((i) = 0; (nc)->pbfd != NULL && (i) < (nc)->sp.npeers; (i)++)	\
		if ((nc)->pbfd[(i)] != NULL && (nc)->pbfd[(i)]->s != NULL &&	\
		    (bfd_session_info((nc)->pbfd[(i)]->s, &(si)), true))

static void
render_bfd(const struct nomcast *nc, struct metrics_buf *b)
{
	struct bfd_session_info si;
	char addr[PREFIX_STRLEN];
	size_t i;

#define BFD_LBL	{ "peer", si.name }, \
		{ "address", addr_str(&si.peer, addr, sizeof(addr)) }
#define BFD_SAMPLES(name, type, help, value) do {			\
	family(b, name, type, help);					\
	EACH_BFD(nc, i, si) {						\
		const struct lbl l[] = { BFD_LBL };			\
									\
		sample_dbl(b, name, l, 2, (double)(value));		\
	}								\
} while (0)
	BFD_SAMPLES("nomcast_bfd_state", "gauge", "BFD session state "
	    "(RFC 5880): 0 AdminDown, 1 Down, 2 Init, 3 Up.", si.state);
	BFD_SAMPLES("nomcast_bfd_up", "gauge", "1 if the BFD session is Up, "
	    "else 0.", si.state == BFD_UP);
	BFD_SAMPLES("nomcast_bfd_detect_time_seconds", "gauge", "How long "
	    "without a packet before the session goes Down.",
	    (double)si.detect_time_us / 1e6);
	BFD_SAMPLES("nomcast_bfd_tx_interval_seconds", "gauge", "The "
	    "negotiated transmit interval, before jitter.",
	    si.tx_interval_us / 1e6);
	BFD_SAMPLES("nomcast_bfd_tx_gap_max_seconds", "gauge", "The widest "
	    "gap between two packets sent while Up.",
	    (double)si.tx_gap_max_us / 1e6);
	BFD_SAMPLES("nomcast_bfd_packets_received_total", "counter",
	    "BFD control packets received for the session.", si.cnt.rx);
	BFD_SAMPLES("nomcast_bfd_packets_sent_total", "counter",
	    "BFD control packets sent.", si.cnt.tx);
	BFD_SAMPLES("nomcast_bfd_packets_late_total", "counter",
	    "Packets received while Up more than an interval after the one "
	    "before.", si.cnt.late);
	BFD_SAMPLES("nomcast_bfd_send_errors_total", "counter",
	    "Sends that failed.", si.tx_errors);
	BFD_SAMPLES("nomcast_bfd_failures_total", "counter", "Times the "
	    "session went from Up to Down other than by AdminDown.", si.downs);
#undef BFD_SAMPLES
#undef BFD_LBL
}

static void
render_log(struct metrics_buf *b)
{
	family(b, "nomcast_log_lines_dropped_total", "counter", "Log lines "
	    "dropped because the reader of standard error did not keep up "
	    "(the log buffer was full) or was gone.");
	sample_u64(b, "nomcast_log_lines_dropped_total", NULL, 0,
	    log_lines_dropped());
}

int
metrics_render(const struct nomcast *nc, struct metrics_buf *b)
{
	render_build(nc, b);
	render_log(b);
	render_peers(nc, b);
	render_bfd(nc, b);
	render_services(nc, b);
	render_checks(nc, b);
	render_nomad(nc, b);
	return b->err ? -1 : 0;
}

/* ---- HTTP on the loop ---- */

static enum MHD_Result
reply_static(struct MHD_Connection *conn, unsigned status, const char *text,
    const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	if (allow != NULL)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* one request: called by MHD_run(), so on the loop thread */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct metrics *m = cls;
	struct metrics_buf b;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n", "GET, HEAD");
	if (strcmp(url, METRICS_PATH) != 0)
		return reply_static(conn, MHD_HTTP_NOT_FOUND, "not found\n",
		    NULL);
	memset(&b, 0, sizeof(b));
	if (metrics_render(m->nc, &b) == -1) {
		metrics_buf_free(&b);
		log_rl(&m->rl, LOG_LVL_ERR,
		    "msg=\"metrics: out of memory\"");
		return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory\n", NULL);
	}
	/* MHD frees b.p with free() once it is sent */
	r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		metrics_buf_free(&b);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    METRICS_CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct metrics *m = cls;
	char msg[256];
	size_t n;
	char *q;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	/* keep the line one key=value pair */
	for (q = msg; *q != '\0'; q++)
		if (*q == '"' || *q == '\n')
			*q = '\'';
	log_rl(&m->rl, LOG_LVL_WARN, "msg=\"metrics: %s\"", LE(msg));
}

/*
 * MHD must run again within the time it names (connection timeouts), or
 * at once if it has data it read but did not process yet (timeout 0).
 */
static void
metrics_arm(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG to;

	ev_timer_stop(m->nc->loop, &m->tm);
	if (MHD_get_timeout(m->d, &to) == MHD_YES) {
		ev_timer_set(&m->tm, (double)to / 1000.0, 0.);
		ev_timer_start(m->nc->loop, &m->tm);
	}
}

static void
metrics_run(struct metrics *m)
{
	/* with MHD_USE_EPOLL and no internal thread this never blocks */
	(void)MHD_run(m->d);
	metrics_arm(m);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	metrics_run(w->data);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	metrics_run(t->data);
}

int
metrics_start(struct nomcast *nc)
{
	const struct conf_global *g = &nc->conf.g;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct metrics *m;
	char abuf[PREFIX_STRLEN];
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	int fd;

	nc->metrics = NULL;
	if (!g->metrics)
		return 0;
	addr_str(&g->metrics_addr, abuf, sizeof(abuf));
	memset(&ss, 0, sizeof(ss));
	if (g->metrics_addr.afi == AFI_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(g->metrics_port);
		memcpy(&sin->sin_addr, g->metrics_addr.b, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(g->metrics_port);
		memcpy(&sin6->sin6_addr, g->metrics_addr.b, 16);
		flags |= MHD_USE_IPv6;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_err("msg=\"metrics: out of memory\"");
		return -1;
	}
	m->nc = nc;
	/*
	 * No MHD_USE_INTERNAL_POLLING_THREAD: MHD starts no thread, and
	 * every callback runs inside MHD_run() called from the loop.
	 */
	errno = 0;
	m->d = MHD_start_daemon(flags, g->metrics_port, NULL, NULL, answer, m,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, m,
	    MHD_OPTION_END);
	if (m->d == NULL) {
		log_err("msg=\"cannot serve metrics on %s port %u: %s\"", abuf,
		    g->metrics_port, errno ? strerror(errno) : "failed");
		free(m);
		return -1;
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || (fd = info->epoll_fd) < 0) {
		log_err("msg=\"metrics: no epoll descriptor from "
		    "libmicrohttpd\"");
		MHD_stop_daemon(m->d);
		free(m);
		return -1;
	}
	ev_io_init(&m->io, io_cb, fd, EV_READ);
	m->io.data = m;
	ev_io_start(nc->loop, &m->io);
	ev_timer_init(&m->tm, timer_cb, 0., 0.);
	m->tm.data = m;
	metrics_arm(m);
	nc->metrics = m;
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	log_info("msg=\"metrics on http://%s%s%s:%u" METRICS_PATH "\"",
	    g->metrics_addr.afi == AFI_IPV6 ? "[" : "", abuf,
	    g->metrics_addr.afi == AFI_IPV6 ? "]" : "",
	    info != NULL ? info->port : g->metrics_port);
	return 0;
}

void
metrics_stop(struct nomcast *nc)
{
	struct metrics *m = nc->metrics;

	if (m == NULL)
		return;
	ev_io_stop(nc->loop, &m->io);
	ev_timer_stop(nc->loop, &m->tm);
	MHD_stop_daemon(m->d);
	free(m);
	nc->metrics = NULL;
}
