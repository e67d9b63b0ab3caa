/*
 * watch.c - the Nomad client; see watch.h and nomcastd(8), "Nomad".
 *
 * The edge around source.c: libcurl requests on the shared multi handle,
 * never more than one in flight per slot, and their outcomes handed to
 * the sources of the watches they serve:
 *
 * - per Nomad service, the registration: a blocking query on
 *   /v1/service/<name>?stale filtered to our alloc, shared by every
 *   watch of that name.  The next query goes out as soon as an answer
 *   came, passing back X-Nomad-Index.  An index that went backwards
 *   (a restored or rebuilt state) is re-read with index 0 at once (100
 *   ms apart when it keeps happening: no agent can make us spin); a run
 *   of answers that do not block is spaced, by at most 500 ms.  After an
 *   error, a capped exponential backoff with jitter and index 0.
 * - per client, the check results of the alloc: no blocking query exists
 *   for them (docs/nomad-api.md 2), so they are polled every
 *   check-interval, start to start, never overlapping and never faster.
 * - per client, when a watch does not use Nomad checks, a non-blocking
 *   read of a registration at the same rhythm: only to know that the
 *   agent answers, since a blocking query says nothing while it is held.
 *
 * - on demand (nomad_client_ask_alloc, at exit), one non-blocking read of
 *   the alloc, /v1/allocation/<alloc>, for its DesiredStatus: a request
 *   of its own on the same multi handle, options and token, that no
 *   watch listens to.  Its errors are the asker's alone: they are not
 *   counted, not told to the sources and no part of the agent's outage.
 *
 * Both polls time out after NOMAD_POLL_TIMEOUT_MS, so a hung agent is
 * noticed within check-interval plus that.  Errors are classed
 * (source.h): no connection or no answer in time is "unreachable", a 5xx
 * "control-plane" (every Task API request needs the leader: WhoAmI), a
 * 401/403 "refused", anything else "error".  The agent's outage (any
 * request failing) is logged once when it begins and once when it ends;
 * its end re-sends every request at once, so that what changed meanwhile
 * is known within a round trip.  Each error is also logged once per
 * reason (repeats go through log_rl and debug).
 */
#include "nomad/watch.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nomad/catalog.h"
#include "lib/log.h"
#include "lib/mono.h"

#ifndef NOMCAST_VERSION
#define NOMCAST_VERSION "0"
#endif

#define NOMAD_BACKOFF_MIN_MS	250
#define NOMAD_BACKOFF_MAX_MS	30000
/* a blocking query must be answered within wait + wait/16 + this */
#define NOMAD_TIMEOUT_MARGIN_MS	5000
/* a poll (checks, probe) must be answered within this, or it failed */
#define NOMAD_POLL_TIMEOUT_MS	1500
/* a failing poll is retried at its interval, but at least this apart */
#define NOMAD_POLL_RETRY_MAX_MS	2000
#define NOMAD_CONNECT_TIMEOUT_MS 5000
/* answers in a row, quicker than half the wait, before we space them */
#define NOMAD_QUICK_MAX		4
#define NOMAD_QUICK_SPACING_MS	100
/* the spacing of answers that do not block grows to at most this */
#define NOMAD_ODD_MAX_MS	500
#define NOMAD_LOG_BODY_MAX	200
/* bodies over this are not kept between requests */
#define NOMAD_BODY_KEEP		(64 * 1024)

enum nomad_req_kind {
	NOMAD_REQ_REG,
	NOMAD_REQ_CHECKS,
	NOMAD_REQ_PROBE,
	NOMAD_REQ_ALLOC,	/* the ask: owner is the client */
};

struct nomad_req {
	enum nomad_req_kind	 kind;
	void			*owner;		/* the query or the client */
	struct nomad_client	*cl;
	struct curl_ev_xfer	 x;		/* x.easy owned */
	ev_timer		 next;		/* when to send again */
	const char		*what;		/* "registration", "checks" */
	char			 label[160];	/* key=value for logs */
	char			 path[96];	/* for logs: "/v1/service/x" */
	char			*body;		/* owned */
	size_t			 len, cap;
	bool			 too_big;
	struct nomad_meta	 meta;		/* of the answer */
	ev_tstamp		 started;
	uint32_t		 timeout_ms;
	char			 errbuf[CURL_ERROR_SIZE];
	unsigned		 nerr;		/* errors in a row */
	enum nomad_outage	 cls;		/* of the last error; NONE: ok */
	char			 lasterr[300];	/* the last one logged */
	struct log_rl		 rl;
};

/* the blocking query of one Nomad service, for all its watches */
struct nomad_regq {
	struct nomad_client	*cl;
	char			 name[CONF_NOMAD_NAME_MAX];	/* Nomad's */
	struct nomad_req	 req;
	uint64_t		 index;		/* next index to send */
	uint64_t		 sent_index;
	unsigned		 nquick;	/* quick answers in a row */
	unsigned		 nodd;		/* answers that did not block */
	enum nsrc_reg		 regst;
};

struct nomad_watch {
	struct nomad_client	*cl;
	const char		*svc;		/* the [service]'s name */
	const struct conf_nomad_watch *cf;
	struct nomad_check_filter f;
	struct nomad_regq	*q;
	struct nsrc		 src;
	ev_timer		 due;		/* a hold or grace runs out */
	nomad_watch_fn		 fn;
	void			*ctx;
};

struct nomad_client {
	struct ev_loop		*loop;
	struct curl_ev		*ce;
	const struct conf_nomad	*cf;
	struct curl_slist	*hdrs;		/* owned: X-Nomad-Token */
	char			 base[600];	/* "http://localhost" */
	char			 where[600];	/* for logs */
	struct nomad_req	 checks;
	struct nomad_req	 probe;
	bool			 poll_checks;	/* a watch uses Nomad checks */
	bool			 poll_probe;	/* a watch does not */
	bool			 started;
	struct nomad_watch	**w;		/* owned */
	size_t			 nw;
	struct nomad_regq	**q;		/* owned */
	size_t			 nq;
	struct nomad_stats	 st;
	ev_tstamp		 outage_start;
	struct nomad_checks	 scratch;	/* one parse at a time */
	/* the ask (nomad_client_ask_alloc); r->next is its deadline */
	struct nomad_req	 ask;
	nomad_alloc_fn		 ask_fn;	/* NULL: none in flight */
	void			*ask_ctx;
	ev_tstamp		 ask_deadline;
	bool			 ask_stale;	/* asked a follower */
};

/* upper bounds in seconds of the checks request latency histogram */
const double nomad_lat_bounds[NOMAD_LAT_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

static void	nomad_reg_send(struct nomad_regq *);
static void	nomad_checks_send(struct nomad_client *);
static void	nomad_probe_send(struct nomad_client *);
static void	nomad_watch_update(struct nomad_watch *);
static void	nomad_client_outcome(struct nomad_client *);

/* ---- small helpers ---- */

/* ms +-25% */
static double
nomad_jitter(uint32_t ms)
{
	double f = 0.75 + 0.5 * ((double)random() / (double)RAND_MAX);

	return (double)ms * f / 1000.0;
}

/* 250 ms doubling per error in a row, at most 30 s */
static uint32_t
nomad_backoff_ms(unsigned nerr)
{
	uint32_t ms = NOMAD_BACKOFF_MIN_MS;

	while (nerr > 1 && ms < NOMAD_BACKOFF_MAX_MS) {
		ms *= 2;
		nerr--;
	}
	return ms < NOMAD_BACKOFF_MAX_MS ? ms : NOMAD_BACKOFF_MAX_MS;
}

/* one printable line: control bytes as blanks, '"' as '\'', "..." if cut */
static void
nomad_oneline(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, n;

	if (size == 0)
		return;
	n = len < size - 1 ? len : size - 1;
	for (i = 0; i < n && src[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch < 0x20 || ch == 0x7f ? ' ' : ch == '"' ? '\'' :
		    (char)ch;
	}
	n = i;
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
	if (i < len && src[i] != '\0' && size >= 4) {
		if (n > size - 4)
			n = size - 4;
		memcpy(dst + n, "...", 4);
	}
}

static void
nomad_timer_in(struct ev_loop *loop, ev_timer *t, double secs)
{
	ev_timer_stop(loop, t);
	ev_timer_set(t, secs > 0 ? secs : 0., 0.);
	ev_timer_start(loop, t);
}

/* ---- requests ---- */

static size_t
nomad_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct nomad_req *r = userp;
	size_t n = size * nmemb, cap;
	char *nb;

	if (r->len + n > NOMAD_BODY_MAX) {
		r->too_big = true;
		return 0;		/* CURLE_WRITE_ERROR: ends the transfer */
	}
	if (r->len + n + 1 > r->cap) {
		cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		if ((nb = realloc(r->body, cap)) == NULL)
			return 0;
		r->body = nb;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static size_t
nomad_header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct nomad_req *r = userp;
	size_t n = size * nmemb;

	(void)nomad_header_meta(data, n, &r->meta);
	return n;
}

static void	nomad_req_done(struct curl_ev_xfer *, CURLcode);

/* the options every request of the client shares; 0 or -1 */
static int
nomad_req_setup(struct nomad_client *cl, struct nomad_req *r)
{
	const struct conf_nomad *cf = cl->cf;
	CURL *e;
	int bad = 0;

	if ((e = r->x.easy = curl_easy_init()) == NULL)
		return -1;
	r->x.done = nomad_req_done;
	r->x.ctx = r;
	r->cl = cl;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, nomad_write_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)r) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, nomad_header_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)r) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)NOMAD_CONNECT_TIMEOUT_MS) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "nomcast/" NOMCAST_VERSION) != CURLE_OK;
	if (cl->hdrs != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, cl->hdrs) !=
		    CURLE_OK;
	if (cf->unix_path[0] != '\0')
		bad |= curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH,
		    cf->unix_path) != CURLE_OK;
	if (cf->cacert[0] != '\0') {
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, cf->cacert) !=
		    CURLE_OK;
		/* only the CA we were given, not the system's as well */
		bad |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK;
	}
	if (cf->client_cert[0] != '\0') {
		bad |= curl_easy_setopt(e, CURLOPT_SSLCERT, cf->client_cert) !=
		    CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_SSLKEY, cf->client_key) !=
		    CURLE_OK;
	}
	return bad ? -1 : 0;
}

static void
nomad_req_fini(struct nomad_client *cl, struct nomad_req *r)
{
	if (r->x.easy != NULL) {
		curl_ev_cancel(cl->ce, &r->x);
		curl_easy_cleanup(r->x.easy);
		r->x.easy = NULL;
	}
	ev_timer_stop(cl->loop, &r->next);
	free(r->body);
	r->body = NULL;
	r->len = r->cap = 0;
}

/*
 * Log an error of r: once per distinct reason (log_rl bounds even those),
 * the same reason again only at debug.  status 0: not an HTTP answer.
 */
static void
nomad_req_log(struct nomad_req *r, long status, const char *why)
{
	char body[NOMAD_LOG_BODY_MAX + 4], key[300];

	snprintf(key, sizeof(key), "%ld %s", status, why);
	if (strcmp(key, r->lasterr) == 0) {
		log_debug("nomad=%s %s errors=%u msg=%s", r->what,
		    r->label, r->nerr, LQ(why));
		return;
	}
	snprintf(r->lasterr, sizeof(r->lasterr), "%s", key);
	if (status == 0) {
		log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s errors=%u msg=%s",
		    r->what, r->label, r->nerr, LQ(why));
		return;
	}
	/*
	 * Error bodies are plain text (docs/nomad-api.md 4): the
	 * first line, bounded, says them as they are.
	 */
	nomad_oneline(body, sizeof(body), r->body != NULL ? r->body : "",
	    r->len);
	log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s errors=%u status=%ld "
	    "body=%s hint=%s msg=%s", r->what, r->label, r->nerr, status,
	    LQ(body), LQ(nomad_status_hint(status, r->kind ==
	    NOMAD_REQ_CHECKS)), LQ(why));
}

/* the watches a request serves, and the source slot it fills in them */
static bool
nomad_req_serves(const struct nomad_req *r, const struct nomad_watch *w,
    enum nsrc_req *slot)
{
	switch (r->kind) {
	case NOMAD_REQ_REG:
		*slot = NSRC_REQ_REG;
		return w->q == r->owner;
	case NOMAD_REQ_CHECKS:
		*slot = NSRC_REQ_CHECKS;
		return w->f.mode != NOMAD_CHECKS_NONE;
	case NOMAD_REQ_PROBE:
		*slot = NSRC_REQ_PROBE;
		return w->f.mode == NOMAD_CHECKS_NONE;
	case NOMAD_REQ_ALLOC:
		/* the ask is no watch's business */
		break;
	}
	return false;
}

static enum nomad_endpoint
nomad_req_ep(const struct nomad_req *r)
{
	return r->kind == NOMAD_REQ_REG ? NOMAD_EP_SERVICE :
	    r->kind == NOMAD_REQ_CHECKS ? NOMAD_EP_CHECKS : NOMAD_EP_PROBE;
}

/*
 * One more error in a row, of class cls; why is what the logs and the
 * sources say.  The sources are told; the caller updates the watches.
 */
static void
nomad_req_error(struct nomad_req *r, long status, enum nomad_outage cls,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
nomad_req_error(struct nomad_req *r, long status, enum nomad_outage cls,
    const char *fmt, ...)
{
	struct nomad_client *cl = r->cl;
	char why[192], line[160];
	va_list ap;
	enum nsrc_req slot;
	uint64_t now = mono_ms();
	size_t i;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->nerr++;
	r->cls = cls;
	cl->st.err[nomad_req_ep(r)]++;
	nomad_req_log(r, status, why);
	snprintf(line, sizeof(line), "%s: %.140s", r->what, why);
	for (i = 0; i < cl->nw; i++)
		if (nomad_req_serves(r, cl->w[i], &slot))
			nsrc_error(&cl->w[i]->src, slot, cls, line, now);
	nomad_client_outcome(cl);
}

static void
nomad_req_ok(struct nomad_req *r)
{
	r->cl->st.ok[nomad_req_ep(r)]++;
	if (r->nerr > 0)
		log_info("nomad=%s %s msg=\"recovered after %u error%s\"",
		    r->what, r->label, r->nerr, r->nerr == 1 ? "" : "s");
	r->nerr = 0;
	r->cls = NOMAD_OUT_NONE;
	r->lasterr[0] = '\0';
	if (r->meta.has_known_leader) {
		r->cl->st.known_leader = r->meta.known_leader ? 1 : 0;
		r->cl->st.last_contact_ms = r->meta.has_last_contact ?
		    r->meta.last_contact_ms : 0;
	}
}

/* what libcurl says, in our words */
static void
nomad_req_curl_error(struct nomad_req *r, CURLcode rc)
{
	struct nomad_client *cl = r->cl;
	char eb[CURL_ERROR_SIZE];
	long oserr = 0;

	nomad_oneline(eb, sizeof(eb), r->errbuf[0] != '\0' ? r->errbuf :
	    curl_easy_strerror(rc), CURL_ERROR_SIZE);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		nomad_req_error(r, 0, NOMAD_OUT_UNREACHABLE, "no answer from "
		    "%s within %u ms", cl->where, r->timeout_ms);
		break;
	case CURLE_COULDNT_CONNECT:
		/* libcurl's text names "localhost port 80" for a socket */
		curl_easy_getinfo(r->x.easy, CURLINFO_OS_ERRNO, &oserr);
		nomad_req_error(r, 0, NOMAD_OUT_UNREACHABLE, "cannot connect "
		    "to the agent at %s: %s", cl->where, oserr != 0 ?
		    strerror((int)oserr) : eb);
		break;
	case CURLE_WRITE_ERROR:
		if (r->too_big) {
			nomad_req_error(r, 0, NOMAD_OUT_ERROR, "answer larger "
			    "than %d octets", NOMAD_BODY_MAX);
			break;
		}
		nomad_req_error(r, 0, NOMAD_OUT_ERROR, "out of memory for the "
		    "answer");
		break;
	case CURLE_GOT_NOTHING:
		nomad_req_error(r, 0, NOMAD_OUT_UNREACHABLE, "empty reply from "
		    "%s", cl->where);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		/* TLS set up wrongly: a refusal, not an agent that is gone */
		nomad_req_error(r, 0, NOMAD_OUT_REFUSED, "TLS with %s failed: "
		    "%s", cl->where, eb);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		/*
		 * Under TLS 1.3 the server's verdict on our certificate (an
		 * alert) arrives after the handshake, as a failed read or
		 * write: a refusal, like a failed handshake.
		 */
		if (strstr(eb, "alert") != NULL || strstr(eb, "SSL_write") !=
		    NULL) {
			nomad_req_error(r, 0, NOMAD_OUT_REFUSED, "TLS with %s "
			    "refused: %s", cl->where, eb);
			break;
		}
		/* FALLTHROUGH */
	default:
		/*
		 * Cut answers, resets, receive errors: the agent went away,
		 * unless it just refused our TLS: a server that sent its
		 * alert then shows up as a closed or reset connection.
		 */
		nomad_req_error(r, 0, r->cls == NOMAD_OUT_REFUSED ?
		    NOMAD_OUT_REFUSED : NOMAD_OUT_UNREACHABLE, "request to %s "
		    "failed: %s", cl->where, eb);
		break;
	}
}

/* a request slot made ready for its next transfer */
static void
nomad_req_prep(struct nomad_req *r, uint32_t timeout_ms)
{
	if (r->cap > NOMAD_BODY_KEEP) {
		free(r->body);
		r->body = NULL;
		r->cap = 0;
	}
	r->len = 0;
	if (r->body != NULL)
		r->body[0] = '\0';
	r->too_big = false;
	memset(&r->meta, 0, sizeof(r->meta));
	r->errbuf[0] = '\0';
	r->timeout_ms = timeout_ms;
	r->started = ev_time();
	ev_timer_stop(r->cl->loop, &r->next);
}

static void
nomad_req_send(struct nomad_req *r, const char *url, uint32_t timeout_ms)
{
	struct nomad_client *cl = r->cl;
	CURLMcode mc;

	nomad_req_prep(r, timeout_ms);
	if (curl_easy_setopt(r->x.easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(r->x.easy, CURLOPT_TIMEOUT_MS,
	    (long)timeout_ms) != CURLE_OK) {
		nomad_req_error(r, 0, NOMAD_OUT_ERROR, "libcurl refused the "
		    "URL");
		goto later;
	}
	if (curl_ev_start(cl->ce, &r->x, &mc) == -1) {
		nomad_req_error(r, 0, NOMAD_OUT_ERROR, "request not started: "
		    "%s", curl_multi_strerror(mc));
		goto later;
	}
	return;
later:
	/* no callback comes: retry from the timer, never from here */
	nomad_timer_in(cl->loop, &r->next, nomad_jitter(nomad_backoff_ms(
	    r->nerr)));
}

/* ---- the sources of the watches ---- */

static void
nomad_due_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	nomad_watch_update(t->data);
}

/* conclude, report a change, and arm the timer for what runs out */
static void
nomad_watch_update(struct nomad_watch *w)
{
	uint64_t now = mono_ms(), next = 0;

	if (nsrc_eval(&w->src, now, &next))
		w->fn(w->ctx, w, w->src.state, w->src.reason);
	ev_timer_stop(w->cl->loop, &w->due);
	if (next > now) {
		ev_timer_set(&w->due, (double)(next - now) / 1000.0, 0.);
		ev_timer_start(w->cl->loop, &w->due);
	}
}

static void
nomad_update_all(struct nomad_client *cl)
{
	size_t i;

	for (i = 0; i < cl->nw; i++)
		nomad_watch_update(cl->w[i]);
}

/* ---- the agent as a whole: outages and their end ---- */

static bool
nomad_req_busy(const struct nomad_req *r)
{
	return r->x.attached;
}

/*
 * The agent answered again after an outage: what changed meanwhile must
 * be known within a round trip, not after a backoff or a held query that
 * a dead agent will never answer.  Every request waiting on a timer goes
 * now; every blocking query in flight is sent anew with index 0.
 */
static void
nomad_client_kick(struct nomad_client *cl)
{
	size_t i;

	for (i = 0; i < cl->nq; i++) {
		struct nomad_regq *q = cl->q[i];

		if (nomad_req_busy(&q->req) || ev_is_active(&q->req.next)) {
			q->index = 0;
			q->nquick = q->nodd = 0;
			nomad_reg_send(q);
		}
	}
	if (cl->poll_checks && ev_is_active(&cl->checks.next))
		nomad_checks_send(cl);
	if (cl->poll_probe && ev_is_active(&cl->probe.next))
		nomad_probe_send(cl);
}

/* the outage class of the agent now: the most telling failing request */
static enum nomad_outage
nomad_client_class(const struct nomad_client *cl)
{
	enum nomad_outage o = NOMAD_OUT_NONE;
	size_t i;

	if (cl->poll_checks && cl->checks.cls != NOMAD_OUT_NONE)
		return cl->checks.cls;
	if (cl->poll_probe && cl->probe.cls != NOMAD_OUT_NONE)
		return cl->probe.cls;
	for (i = 0; i < cl->nq && o == NOMAD_OUT_NONE; i++)
		o = cl->q[i]->req.cls;
	return o;
}

/* after every outcome: log an outage's start and end, once each */
static void
nomad_client_outcome(struct nomad_client *cl)
{
	enum nomad_outage was = cl->st.outage, now = nomad_client_class(cl);

	if (now == was)
		return;
	cl->st.outage = now;
	if (was == NOMAD_OUT_NONE) {
		cl->outage_start = ev_time();
		cl->st.outages++;
		log_warn("nomad=agent agent=%s outage=%s policy=%s msg=\"the "
		    "agent gives no answers: %s\"", LV(cl->where),
		    nomad_outage_name(now), cl->cf->outage_hold ? "hold" :
		    "withdraw", cl->cf->outage_hold ? "every service keeps "
		    "its last Nomad state; local checks still decide" :
		    "the Nomad sources fail after grace");
	} else if (now == NOMAD_OUT_NONE) {
		log_info("nomad=agent agent=%s outage=over duration=%.3fs "
		    "msg=\"the agent answers again: re-reading everything\"",
		    LV(cl->where), ev_time() - cl->outage_start);
		nomad_client_kick(cl);
	} else
		log_info("nomad=agent agent=%s outage=%s prev=%s", LV(cl->where),
		    nomad_outage_name(now), nomad_outage_name(was));
}

/* ---- registration: the blocking query ---- */

/*
 * url = /v1/service/<name>?stale, filtered to our alloc (and node, with
 * node-filter), blocking on index if it is not 0.  stale: any server
 * answers (docs/nomad-api.md 3), so a lost leader does not fail the
 * query; without a leader nothing can change anyway.  0, or -1 (out of memory).
 */
static int
nomad_service_url(struct nomad_client *cl, CURL *e, const char *name,
    uint64_t index, char *url, size_t size)
{
	const struct conf_nomad *cf = cl->cf;
	char filter[160], wait[24], *ename, *ens, *efilter;
	int rc = -1;

	if (cf->node_filter)
		snprintf(filter, sizeof(filter), "AllocID == \"%s\" and "
		    "NodeID == \"%s\"", cf->alloc_id, cf->node_id);
	else
		snprintf(filter, sizeof(filter), "AllocID == \"%s\"",
		    cf->alloc_id);
	/* Go duration syntax (docs/nomad-api.md 3) */
	if (cf->wait_ms % 1000 == 0)
		snprintf(wait, sizeof(wait), "%us", cf->wait_ms / 1000);
	else
		snprintf(wait, sizeof(wait), "%ums", cf->wait_ms);
	ename = curl_easy_escape(e, name, 0);
	ens = curl_easy_escape(e, cf->ns, 0);
	efilter = curl_easy_escape(e, filter, 0);
	if (ename != NULL && ens != NULL && efilter != NULL) {
		if (index == 0)
			snprintf(url, size, "%s/v1/service/%s?namespace=%s&"
			    "stale=true&filter=%s", cl->base, ename, ens,
			    efilter);
		else
			snprintf(url, size, "%s/v1/service/%s?namespace=%s&"
			    "stale=true&filter=%s&index=%" PRIu64 "&wait=%s",
			    cl->base, ename, ens, efilter, index, wait);
		rc = 0;
	}
	curl_free(ename);
	curl_free(ens);
	curl_free(efilter);
	return rc;
}

static void
nomad_reg_send(struct nomad_regq *q)
{
	struct nomad_client *cl = q->cl;
	const struct conf_nomad *cf = cl->cf;
	char url[1024];

	if (nomad_service_url(cl, q->req.x.easy, q->name, q->index, url,
	    sizeof(url)) == -1) {
		nomad_req_error(&q->req, 0, NOMAD_OUT_ERROR, "out of memory");
		nomad_update_all(cl);
		nomad_timer_in(cl->loop, &q->req.next, nomad_jitter(
		    nomad_backoff_ms(q->req.nerr)));
		return;
	}
	q->sent_index = q->index;
	/* no index: Nomad answers at once; else within wait + wait/16 */
	nomad_req_send(&q->req, url, q->index == 0 ? NOMAD_TIMEOUT_MARGIN_MS :
	    cf->wait_ms + cf->wait_ms / 16 + NOMAD_TIMEOUT_MARGIN_MS);
}

/*
 * A /v1/service answer (query or probe): 0 and *registered if it is an
 * answer of the documented shape, else -1 with the error counted, logged
 * and told to the sources.
 */
static int
nomad_service_answer(struct nomad_req *r, CURLcode rc, const char *name,
    const char *node, bool *registered)
{
	char err[192];
	long status = 0;

	if (rc != CURLE_OK) {
		nomad_req_curl_error(r, rc);
		return -1;
	}
	curl_easy_getinfo(r->x.easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		nomad_req_error(r, status, nomad_outage_of_status(status),
		    "http %ld from %s", status, r->path);
		return -1;
	}
	if (nomad_parse_service(r->body != NULL ? r->body : "", r->len, name,
	    r->cl->cf->alloc_id, node, registered, err, sizeof(err)) == -1) {
		nomad_req_error(r, 0, NOMAD_OUT_ERROR, "bad answer from %s: %s",
		    r->path, err);
		return -1;
	}
	return 0;
}

/* the answer was good: tell every watch of q, log a change */
static void
nomad_reg_fact(struct nomad_regq *q, bool registered)
{
	struct nomad_client *cl = q->cl;
	enum nsrc_reg st = registered ? NSRC_REG_YES : NSRC_REG_NO;
	size_t i;

	if (q->regst != st)
		log_info("nomad-service=%s alloc=%.8s registered=%s", LV(q->name),
		    cl->cf->alloc_id, registered ? "yes" : "no");
	q->regst = st;
	for (i = 0; i < cl->nw; i++)
		if (cl->w[i]->q == q)
			nsrc_registration(&cl->w[i]->src, registered);
}

/* how long to wait before the next blocking query after an answer */
static double
nomad_reg_spacing(struct nomad_regq *q, double elapsed_ms)
{
	struct nomad_req *r = &q->req;
	const struct conf_nomad *cf = q->cl->cf;
	uint64_t got = r->meta.has_index ? r->meta.index : 0;
	bool quick = elapsed_ms < (double)cf->wait_ms / 2;
	double ms;

	if (r->meta.has_index && got < q->sent_index) {
		/* restored or rebuilt state: re-read from 0 (nomad-api.md 3) */
		log_info("nomad=%s %s index=%" PRIu64 " sent=%" PRIu64 " msg=\""
		    "the index went backwards: re-reading\"", r->what,
		    r->label, got, q->sent_index);
		q->nodd = 0;
	} else if (!r->meta.has_index || (q->sent_index != 0 && quick &&
	    got <= q->sent_index)) {
		/* an agent that does not block: never spin on it */
		ms = nomad_jitter(nomad_backoff_ms(++q->nodd)) * 1000.0;
		if (ms > NOMAD_ODD_MAX_MS)
			ms = NOMAD_ODD_MAX_MS;
		log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s index=%" PRIu64
		    " sent=%" PRIu64 " msg=\"%s\"", r->what, r->label, got,
		    q->sent_index, r->meta.has_index ? "the agent answered a "
		    "blocking query early without a newer index" : "no "
		    "X-Nomad-Index in the answer");
		return ms / 1000.0;
	} else
		q->nodd = 0;
	/* wake-ups are normal, but a long run of quick ones is spaced */
	if (quick && q->sent_index != 0) {
		if (++q->nquick >= NOMAD_QUICK_MAX)
			return NOMAD_QUICK_SPACING_MS / 1000.0;
	} else
		q->nquick = 0;
	return 0;
}

static void
nomad_reg_done(struct nomad_regq *q, CURLcode rc)
{
	struct nomad_req *r = &q->req;
	struct nomad_client *cl = q->cl;
	const struct conf_nomad *cf = cl->cf;
	double elapsed_ms = (ev_time() - r->started) * 1000.0, delay;
	bool registered = false;

	if (nomad_service_answer(r, rc, q->name, cf->node_filter ?
	    cf->node_id : "", &registered) == -1)
		goto retry;
	nomad_req_ok(r);
	nomad_reg_fact(q, registered);
	q->index = nomad_next_index(q->sent_index, r->meta.has_index ?
	    r->meta.index : 0);
	delay = nomad_reg_spacing(q, elapsed_ms);
	nomad_client_outcome(cl);
	nomad_update_all(cl);
	if (nomad_req_busy(r))
		return;		/* the outage's end sent it already */
	if (delay > 0)
		nomad_timer_in(cl->loop, &r->next, delay);
	else
		nomad_reg_send(q);
	return;
retry:
	/* the first query after an error must not block: index 0 */
	q->index = 0;
	q->nquick = 0;
	nomad_update_all(cl);
	nomad_timer_in(cl->loop, &r->next, nomad_jitter(nomad_backoff_ms(
	    r->nerr)));
}

/* ---- the polls: the alloc's check results, the probe ---- */

/* the next poll: start to start at the interval; after errors later */
static void
nomad_poll_next(struct nomad_client *cl, struct nomad_req *r)
{
	double iv = (double)cl->cf->check_interval_ms / 1000.0, next;

	if (r->nerr == 0)
		next = r->started + iv - ev_time();
	else {
		/* a failing agent is asked less often, never below the rhythm */
		next = nomad_jitter(nomad_backoff_ms(r->nerr));
		if (next > NOMAD_POLL_RETRY_MAX_MS / 1000.0)
			next = NOMAD_POLL_RETRY_MAX_MS / 1000.0;
		if (next < iv)
			next = iv;
	}
	nomad_timer_in(cl->loop, &r->next, next);
}

/* a poll ended: the agent's state, every watch, then the next poll */
static void
nomad_poll_settle(struct nomad_client *cl, struct nomad_req *r)
{
	nomad_client_outcome(cl);
	nomad_update_all(cl);
	if (!nomad_req_busy(r))
		nomad_poll_next(cl, r);
}

static void
nomad_checks_send(struct nomad_client *cl)
{
	char url[1024];

	/*
	 * stale: the handler ignores it, but the Task API's token check
	 * (WhoAmI) then needs no leader; with ACLs on the policy lookup
	 * still does (docs/nomad-api.md 4)
	 */
	snprintf(url, sizeof(url), "%s/v1/client/allocation/%s/checks?"
	    "stale=true", cl->base, cl->cf->alloc_id);
	nomad_req_send(&cl->checks, url, NOMAD_POLL_TIMEOUT_MS);
}

/* a 200 from the checks endpoint: every watch parses its part first */
static bool
nomad_checks_parse(struct nomad_client *cl)
{
	struct nomad_req *r = &cl->checks;
	uint64_t now = mono_ms();
	char err[192];
	size_t i;

	for (i = 0; i < cl->nw; i++) {
		struct nomad_watch *w = cl->w[i];

		if (w->f.mode == NOMAD_CHECKS_NONE)
			continue;
		if (nomad_parse_checks(r->body != NULL ? r->body : "", r->len,
		    w->cf->service, &w->f, &cl->scratch, err,
		    sizeof(err)) == -1) {
			nomad_req_error(r, 0, NOMAD_OUT_ERROR, "bad answer from "
			    "%s: %s", r->path, err);
			return false;
		}
	}
	nomad_req_ok(r);
	for (i = 0; i < cl->nw; i++) {
		struct nomad_watch *w = cl->w[i];
		enum nomad_health was = w->src.ck.health;

		if (w->f.mode == NOMAD_CHECKS_NONE)
			continue;
		(void)nomad_parse_checks(r->body != NULL ? r->body : "",
		    r->len, w->cf->service, &w->f, &cl->scratch, err,
		    sizeof(err));
		if (!w->src.checks_known || was != cl->scratch.health)
			log_info("svc=%s nomad-service=%s checks=%s "
			    "reason=%s", LV(w->svc), LV(w->cf->service),
			    cl->scratch.health == NOMAD_HEALTH_PASS ?
			    "passing" : cl->scratch.health ==
			    NOMAD_HEALTH_FAIL ? "failing" :
			    cl->scratch.health == NOMAD_HEALTH_PENDING ?
			    "pending" : "none", LQ(cl->scratch.reason));
		nsrc_checks(&w->src, &cl->scratch, now);
	}
	return true;
}

static void
nomad_checks_done(struct nomad_client *cl, CURLcode rc)
{
	struct nomad_req *r = &cl->checks;
	long status = 0;
	size_t i;

	if (rc != CURLE_OK) {
		nomad_req_curl_error(r, rc);
		goto next;
	}
	curl_easy_getinfo(r->x.easy, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404 && nomad_body_unknown_alloc(r->body, r->len)) {
		/* the alloc is not on this client (docs/nomad-api.md 4) */
		nomad_req_ok(r);
		log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s status=404 hint=%s",
		    r->what, r->label, LQ(nomad_status_hint(404, true)));
		for (i = 0; i < cl->nw; i++)
			if (cl->w[i]->f.mode != NOMAD_CHECKS_NONE)
				nsrc_alloc_gone(&cl->w[i]->src);
	} else if (status != 200)
		nomad_req_error(r, status, nomad_outage_of_status(status),
		    "http %ld from %s", status, r->path);
	else
		(void)nomad_checks_parse(cl);
next:
	nomad_poll_settle(cl, r);
}

static void
nomad_probe_send(struct nomad_client *cl)
{
	const char *name = NULL;
	char url[1024];
	size_t i;

	for (i = 0; i < cl->nw && name == NULL; i++)
		if (cl->w[i]->f.mode == NOMAD_CHECKS_NONE)
			name = cl->w[i]->cf->service;
	if (name == NULL)
		return;
	if (nomad_service_url(cl, cl->probe.x.easy, name, 0, url,
	    sizeof(url)) == 0)
		nomad_req_send(&cl->probe, url, NOMAD_POLL_TIMEOUT_MS);
	else {
		nomad_req_error(&cl->probe, 0, NOMAD_OUT_ERROR,
		    "out of memory");
		nomad_poll_next(cl, &cl->probe);
	}
}

/*
 * The probe only tells that the agent answers: its body is checked for
 * shape, but the registration it shows is the blocking query's to judge
 * (two stale reads may come from servers that lag differently).
 */
static void
nomad_probe_done(struct nomad_client *cl, CURLcode rc)
{
	struct nomad_req *r = &cl->probe;
	bool reg;
	size_t i;

	if (nomad_service_answer(r, rc, "probe", "", &reg) == -1)
		goto next;
	nomad_req_ok(r);
	for (i = 0; i < cl->nw; i++)
		if (cl->w[i]->f.mode == NOMAD_CHECKS_NONE)
			nsrc_alive(&cl->w[i]->src);
next:
	nomad_poll_settle(cl, r);
}

/* ---- the ask: the alloc's DesiredStatus, once ---- */

static int	nomad_ask_send(struct nomad_client *cl, bool stale,
		    double secs);

/*
 * The ask ended (answered, failed or timed out): it is over before fn
 * runs, so that fn may ask again or free the client; nothing here
 * touches cl after fn.
 */
static void
nomad_ask_finish(struct nomad_client *cl, enum nomad_desired d,
    const char *why)
{
	nomad_alloc_fn fn = cl->ask_fn;
	void *ctx = cl->ask_ctx;
	char line[512];

	ev_timer_stop(cl->loop, &cl->ask.next);
	cl->ask_fn = NULL;
	cl->ask_ctx = NULL;
	snprintf(line, sizeof(line), "%s", why);
	if (d == NOMAD_DESIRED_UNKNOWN)
		log_warn("nomad=%s %s desired=unknown ms=%.0f msg=%s",
		    cl->ask.what, cl->ask.label,
		    (ev_time() - cl->ask.started) * 1000.0, LQ(line));
	else
		log_info("nomad=%s %s desired=%s ms=%.0f msg=%s", cl->ask.what,
		    cl->ask.label, nomad_desired_name(d),
		    (ev_time() - cl->ask.started) * 1000.0, LQ(line));
	if (fn != NULL)
		fn(ctx, d, line);
}

static void
nomad_ask_timeout(struct nomad_client *cl)
{
	char why[64];

	curl_ev_cancel(cl->ce, &cl->ask.x);
	snprintf(why, sizeof(why), "no answer within %u ms",
	    cl->ask.timeout_ms);
	nomad_ask_finish(cl, NOMAD_DESIRED_UNKNOWN, why);
}

static void
nomad_ask_done(struct nomad_client *cl, CURLcode rc)
{
	struct nomad_req *r = &cl->ask;
	char why[512], eb[CURL_ERROR_SIZE], body[NOMAD_LOG_BODY_MAX + 4];
	char err[192];
	enum nomad_desired d = NOMAD_DESIRED_UNKNOWN;
	long status = 0;
	double left;

	if (rc == CURLE_OPERATION_TIMEDOUT) {
		/* libcurl's guard ran out first: the same as the deadline */
		snprintf(why, sizeof(why), "no answer within %u ms",
		    r->timeout_ms);
		goto out;
	}
	if (rc != CURLE_OK) {
		nomad_oneline(eb, sizeof(eb), r->errbuf[0] != '\0' ?
		    r->errbuf : curl_easy_strerror(rc), CURL_ERROR_SIZE);
		snprintf(why, sizeof(why), "request to %.200s failed: %.255s",
		    cl->where, r->too_big ? "answer too large" : eb);
		goto out;
	}
	curl_easy_getinfo(r->x.easy, CURLINFO_RESPONSE_CODE, &status);
	nomad_oneline(body, sizeof(body), r->body != NULL ? r->body : "",
	    r->len);
	left = cl->ask_deadline - ev_time();
	if (status >= 500 && !cl->ask_stale && left > 0.01) {
		/* no leader (nomad-api.md 6): any server knows a planned stop */
		log_info("nomad=%s %s msg=\"no answer from the leader (http "
		    "%ld): asking again, stale\"", r->what, r->label, status);
		if (nomad_ask_send(cl, true, left) == 0)
			return;
	}
	if (status == 200) {
		if (nomad_parse_alloc_desired(r->body != NULL ? r->body : "",
		    r->len, cl->cf->alloc_id, &d, err, sizeof(err)) == -1)
			snprintf(why, sizeof(why), "bad answer from %.96s: %.192s",
			    r->path, err);
		else
			snprintf(why, sizeof(why), "%s%s: DesiredStatus %s",
			    r->path, cl->ask_stale ? " (stale)" : "",
			    d == NOMAD_DESIRED_RUN ? "run" : "stop or evict");
	} else if (status == 404) {
		/* "alloc not found" (docs/nomad-api.md 6): it is gone */
		d = NOMAD_DESIRED_STOP;
		snprintf(why, sizeof(why), "http 404 from %.96s: the alloc "
		    "is gone (%.204s)", r->path, body);
	} else
		snprintf(why, sizeof(why), "http %ld from %.96s: %.204s",
		    status, r->path, body);
out:
	nomad_ask_finish(cl, d, why);
}

static void
nomad_req_done(struct curl_ev_xfer *x, CURLcode rc)
{
	struct nomad_req *r = x->ctx;
	struct nomad_stats *st = &r->cl->st;
	double lat = ev_time() - r->started;
	size_t i;

	if (r->kind == NOMAD_REQ_CHECKS && lat >= 0) {
		for (i = 0; i < NOMAD_LAT_NBUCKETS; i++) {
			if (lat <= nomad_lat_bounds[i]) {
				st->lat_bucket[i]++;
				break;
			}
		}
		st->lat_count++;
		st->lat_sum += lat;
	}

	switch (r->kind) {
	case NOMAD_REQ_REG:
		nomad_reg_done(r->owner, rc);
		break;
	case NOMAD_REQ_CHECKS:
		nomad_checks_done(r->owner, rc);
		break;
	case NOMAD_REQ_PROBE:
		nomad_probe_done(r->owner, rc);
		break;
	case NOMAD_REQ_ALLOC:
		nomad_ask_done(r->owner, rc);
		break;
	}
}

/* ---- API ---- */

/* a request's timer: send it again */
static void
nomad_next_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct nomad_req *r = t->data;

	(void)loop;
	(void)revents;
	switch (r->kind) {
	case NOMAD_REQ_REG:
		nomad_reg_send(r->owner);
		break;
	case NOMAD_REQ_CHECKS:
		/* a reload may have removed the last watch that used them */
		if (((struct nomad_client *)r->owner)->poll_checks)
			nomad_checks_send(r->owner);
		break;
	case NOMAD_REQ_PROBE:
		if (((struct nomad_client *)r->owner)->poll_probe)
			nomad_probe_send(r->owner);
		break;
	case NOMAD_REQ_ALLOC:
		/* the ask's deadline */
		nomad_ask_timeout(r->owner);
		break;
	}
}

/* the request slot's fixed parts; 0 or -1 (libcurl refused) */
static int
nomad_req_init(struct nomad_client *cl, struct nomad_req *r,
    enum nomad_req_kind kind, void *owner, const char *what)
{
	r->kind = kind;
	r->owner = owner;
	r->what = what;
	ev_timer_init(&r->next, nomad_next_cb, 0., 0.);
	r->next.data = r;
	return nomad_req_setup(cl, r);
}

struct nomad_client *
nomad_client_new(struct ev_loop *loop, struct curl_ev *ce,
    const struct conf_nomad *cf)
{
	struct nomad_client *cl;
	struct curl_slist *h;
	char tok[CONF_NOMAD_TOKEN_MAX + 32];

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		log_err("msg=\"nomad: out of memory\"");
		return NULL;
	}
	cl->loop = loop;
	cl->ce = ce;
	cl->cf = cf;
	cl->st.known_leader = -1;
	if (cf->unix_path[0] != '\0') {
		/* the Task API socket wants Host: localhost (nomad-api.md 4) */
		snprintf(cl->base, sizeof(cl->base), "http://localhost");
		snprintf(cl->where, sizeof(cl->where), "%s", cf->unix_path);
	} else {
		snprintf(cl->base, sizeof(cl->base), "%s", cf->address);
		snprintf(cl->where, sizeof(cl->where), "%s", cf->address);
	}
	if (cf->token[0] != '\0') {
		snprintf(tok, sizeof(tok), "X-Nomad-Token: %s", cf->token);
		if ((h = curl_slist_append(NULL, tok)) == NULL) {
			log_err("msg=\"nomad: out of memory\"");
			free(cl);
			return NULL;
		}
		cl->hdrs = h;
	}
	snprintf(cl->checks.label, sizeof(cl->checks.label), "alloc=%.8s",
	    cf->alloc_id);
	snprintf(cl->checks.path, sizeof(cl->checks.path),
	    "/v1/client/allocation/%.8s.../checks", cf->alloc_id);
	snprintf(cl->probe.label, sizeof(cl->probe.label), "alloc=%.8s",
	    cf->alloc_id);
	snprintf(cl->probe.path, sizeof(cl->probe.path), "/v1/service "
	    "(probe)");
	snprintf(cl->ask.label, sizeof(cl->ask.label), "alloc=%.8s",
	    cf->alloc_id);
	snprintf(cl->ask.path, sizeof(cl->ask.path), "/v1/allocation/%.8s...",
	    cf->alloc_id);
	if (nomad_req_init(cl, &cl->checks, NOMAD_REQ_CHECKS, cl,
	    "checks") == -1 ||
	    nomad_req_init(cl, &cl->probe, NOMAD_REQ_PROBE, cl,
	    "probe") == -1 ||
	    nomad_req_init(cl, &cl->ask, NOMAD_REQ_ALLOC, cl,
	    "alloc") == -1) {
		log_err("msg=\"nomad: libcurl refused the options\"");
		nomad_client_free(cl);
		return NULL;
	}
	return cl;
}

void
nomad_client_free(struct nomad_client *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nw; i++) {
		ev_timer_stop(cl->loop, &cl->w[i]->due);
		free(cl->w[i]);
	}
	free(cl->w);
	for (i = 0; i < cl->nq; i++) {
		nomad_req_fini(cl, &cl->q[i]->req);
		free(cl->q[i]);
	}
	free(cl->q);
	nomad_req_fini(cl, &cl->checks);
	nomad_req_fini(cl, &cl->probe);
	/* an ask in flight is dropped: its fn is not called */
	nomad_req_fini(cl, &cl->ask);
	cl->ask_fn = NULL;
	curl_slist_free_all(cl->hdrs);
	free(cl);
}

/* the blocking query of Nomad service name, made on first use */
static struct nomad_regq *
nomad_regq_get(struct nomad_client *cl, const char *name)
{
	struct nomad_regq *q, **nq;
	size_t i;

	for (i = 0; i < cl->nq; i++)
		if (strcmp(cl->q[i]->name, name) == 0)
			return cl->q[i];
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	if ((nq = realloc(cl->q, (cl->nq + 1) * sizeof(*nq))) == NULL) {
		free(q);
		return NULL;
	}
	cl->q = nq;
	q->cl = cl;
	snprintf(q->name, sizeof(q->name), "%s", name);
	snprintf(q->req.label, sizeof(q->req.label), "nomad-service=%s",
	    LV(name));
	snprintf(q->req.path, sizeof(q->req.path), "/v1/service/%s", name);
	if (nomad_req_init(cl, &q->req, NOMAD_REQ_REG, q,
	    "registration") == -1) {
		nomad_req_fini(cl, &q->req);
		free(q);
		return NULL;
	}
	cl->q[cl->nq++] = q;
	cl->st.queries = cl->nq;
	return q;
}

struct nomad_watch *
nomad_watch_add(struct nomad_client *cl, const char *svc,
    const struct conf_nomad_watch *cf, nomad_watch_fn fn, void *ctx)
{
	struct nomad_watch *w, **nw;
	size_t i;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (nw = realloc(cl->w, (cl->nw + 1) * sizeof(*nw))) == NULL) {
		free(w);
		log_err("svc=%s msg=\"nomad: out of memory\"", LV(svc));
		return NULL;
	}
	cl->w = nw;
	w->cl = cl;
	nomad_watch_rebind(w, svc, cf, fn, ctx);
	switch (cf->checks) {
	case CONF_NOMAD_CHECKS_NONE:
		w->f.mode = NOMAD_CHECKS_NONE;
		break;
	case CONF_NOMAD_CHECKS_NAMED:
		w->f.mode = NOMAD_CHECKS_NAMED;
		for (i = 0; i < cf->nchecks &&
		    i < NOMAD_MAX_CHECK_NAMES; i++)
			snprintf(w->f.names[i], sizeof(w->f.names[i]), "%s",
			    cf->check_names[i]);
		w->f.nnames = i;
		break;
	case CONF_NOMAD_CHECKS_ALL:
	default:
		w->f.mode = NOMAD_CHECKS_ALL;
		break;
	}
	nsrc_init(&w->src, cf->service, cl->cf->alloc_id,
	    w->f.mode != NOMAD_CHECKS_NONE, cl->cf->outage_hold,
	    cl->cf->grace_ms);
	ev_timer_init(&w->due, nomad_due_cb, 0., 0.);
	w->due.data = w;
	if ((w->q = nomad_regq_get(cl, cf->service)) == NULL) {
		log_err("svc=%s msg=\"nomad: cannot make the query\"",
		    LV(svc));
		free(w);
		return NULL;
	}
	cl->w[cl->nw++] = w;
	if (w->f.mode != NOMAD_CHECKS_NONE)
		cl->poll_checks = true;
	else
		cl->poll_probe = true;
	return w;
}

/* does a watch use the alloc's check results, or the probe? */
static void
nomad_client_polls(struct nomad_client *cl)
{
	size_t i;

	cl->poll_checks = cl->poll_probe = false;
	for (i = 0; i < cl->nw; i++) {
		if (cl->w[i]->f.mode != NOMAD_CHECKS_NONE)
			cl->poll_checks = true;
		else
			cl->poll_probe = true;
	}
}

void
nomad_client_rebind(struct nomad_client *cl, const struct conf_nomad *cf)
{
	cl->cf = cf;
}

void
nomad_watch_rebind(struct nomad_watch *w, const char *svc,
    const struct conf_nomad_watch *cf, nomad_watch_fn fn, void *ctx)
{
	w->svc = svc;
	w->cf = cf;
	w->fn = fn;
	w->ctx = ctx;
}

/* q loses a watch; a query no watch uses any more is cancelled */
static void
nomad_regq_release(struct nomad_client *cl, struct nomad_regq *q)
{
	size_t i;

	for (i = 0; i < cl->nw; i++)
		if (cl->w[i]->q == q)
			return;
	for (i = 0; i < cl->nq; i++) {
		if (cl->q[i] != q)
			continue;
		cl->q[i] = cl->q[--cl->nq];
		break;
	}
	cl->st.queries = cl->nq;
	nomad_req_fini(cl, &q->req);
	free(q);
}

void
nomad_watch_remove(struct nomad_watch *w)
{
	struct nomad_client *cl = w->cl;
	size_t i;

	for (i = 0; i < cl->nw; i++) {
		if (cl->w[i] != w)
			continue;
		cl->w[i] = cl->w[--cl->nw];
		break;
	}
	ev_timer_stop(cl->loop, &w->due);
	nomad_regq_release(cl, w->q);
	free(w);
	nomad_client_polls(cl);
}

/* idle: neither in flight nor waiting for its next turn */
static bool
nomad_req_idle(const struct nomad_client *cl, const struct nomad_req *r)
{
	(void)cl;
	return !nomad_req_busy(r) && !ev_is_active(&r->next);
}

void
nomad_client_resync(struct nomad_client *cl)
{
	size_t i;

	if (!cl->started)
		return;
	for (i = 0; i < cl->nq; i++)
		if (nomad_req_idle(cl, &cl->q[i]->req))
			nomad_reg_send(cl->q[i]);
	if (cl->poll_checks && nomad_req_idle(cl, &cl->checks))
		nomad_checks_send(cl);
	if (cl->poll_probe && nomad_req_idle(cl, &cl->probe))
		nomad_probe_send(cl);
}

void
nomad_watch_adopt(struct nomad_watch *w, const struct nomad_watch *old)
{
	w->src = old->src;
	nsrc_reconfigure(&w->src, w->f.mode != NOMAD_CHECKS_NONE,
	    w->cl->cf->outage_hold, w->cl->cf->grace_ms);
	/* the errors were the old client's requests' */
	memset(w->src.err, 0, sizeof(w->src.err));
	w->src.outage_since = 0;
}

void
nomad_watch_assume(struct nomad_watch *w, enum src_state st, const char *why)
{
	nsrc_assume(&w->src, st, why);
}

void
nomad_client_start(struct nomad_client *cl)
{
	const struct conf_nomad *cf = cl->cf;
	size_t i;

	if (cl->started)
		return;
	cl->started = true;
	log_info("nomad=client agent=%s namespace=%s alloc=%s token=%s "
	    "watches=%zu queries=%zu check-interval=%ums wait=%ums grace=%ums "
	    "on-outage=%s", LV(cl->where), LV(cf->ns), LV(cf->alloc_id),
	    cf->token[0] !=
	    '\0' ? "set" : "none", cl->nw, cl->nq, cf->check_interval_ms,
	    cf->wait_ms, cf->grace_ms, cf->outage_hold ? "hold" : "withdraw");
	for (i = 0; i < cl->nq; i++)
		nomad_reg_send(cl->q[i]);
	if (cl->poll_checks)
		nomad_checks_send(cl);
	if (cl->poll_probe)
		nomad_probe_send(cl);
}

void
nomad_client_stats(const struct nomad_client *cl, struct nomad_stats *out)
{
	if (cl == NULL) {
		memset(out, 0, sizeof(*out));
		out->known_leader = -1;
		return;
	}
	*out = cl->st;
	out->outage_seconds = cl->st.outage != NOMAD_OUT_NONE ?
	    ev_time() - cl->outage_start : 0;
}

enum src_state
nomad_watch_state(const struct nomad_watch *w, const char **reason)
{
	if (reason != NULL)
		*reason = w->src.reason;
	return w->src.state;
}

enum nomad_outage
nomad_watch_outage(const struct nomad_watch *w, double *seconds)
{
	enum nomad_outage o = nsrc_outage(&w->src);

	if (seconds != NULL)
		*seconds = o != NOMAD_OUT_NONE && w->src.outage_since != 0 ?
		    (double)(mono_ms() - w->src.outage_since) / 1000.0 :
		    0;
	return o;
}

enum nsrc_reg
nomad_watch_registered(const struct nomad_watch *w)
{
	return w->src.reg;
}

/*
 * One GET of the alloc, answered by the leader, or with stale by any
 * server; its deadline secs from now.  0, or -1 (said) if not started.
 */
static int
nomad_ask_send(struct nomad_client *cl, bool stale, double secs)
{
	struct nomad_req *r = &cl->ask;
	char url[1024], *eid;
	CURLMcode mc;
	uint32_t ms = (uint32_t)(secs * 1000.0);

	if ((eid = curl_easy_escape(r->x.easy, cl->cf->alloc_id, 0)) == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s/v1/allocation/%s%s", cl->base, eid,
	    stale ? "?stale=true" : "");
	curl_free(eid);
	nomad_req_prep(r, ms);
	/* libcurl's own limit is a guard; the deadline timer decides */
	if (curl_easy_setopt(r->x.easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(r->x.easy, CURLOPT_TIMEOUT_MS,
	    (long)ms + 1000L) != CURLE_OK) {
		log_warn("nomad=alloc %s msg=\"libcurl refused the URL\"",
		    r->label);
		return -1;
	}
	if (curl_ev_start(cl->ce, &r->x, &mc) == -1) {
		log_warn("nomad=alloc %s msg=\"request not started: %s\"",
		    r->label, curl_multi_strerror(mc));
		return -1;
	}
	cl->ask_stale = stale;
	nomad_timer_in(cl->loop, &r->next, secs);
	return 0;
}

int
nomad_client_ask_alloc(struct nomad_client *cl, uint32_t timeout_ms,
    nomad_alloc_fn fn, void *ctx)
{
	struct nomad_req *r;

	if (cl == NULL || fn == NULL || timeout_ms == 0)
		return -1;
	r = &cl->ask;
	if (cl->cf->alloc_id[0] == '\0') {
		log_warn("nomad=alloc msg=\"cannot ask for the alloc's desired "
		    "status: no alloc id\"");
		return -1;
	}
	if (cl->ask_fn != NULL || r->x.easy == NULL) {
		log_warn("nomad=alloc %s msg=\"an ask is in flight already\"",
		    r->label);
		return -1;
	}
	/*
	 * No index: not blocking, the answer comes at once.  Not stale
	 * first: a follower that lags may say "run" for an alloc just told
	 * to stop.  Without a leader (a 5xx), once more with stale, so that
	 * a leader election does not make every restarting node withdraw.
	 */
	cl->ask_deadline = ev_time() + (double)timeout_ms / 1000.0;
	if (nomad_ask_send(cl, false, (double)timeout_ms / 1000.0) == -1)
		return -1;
	cl->ask_fn = fn;
	cl->ask_ctx = ctx;
	return 0;
}
