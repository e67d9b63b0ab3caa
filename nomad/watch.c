/*
 * watch.c - the Nomad client; see watch.h and nomcastd(8), "Nomad".
 *
 * Two kinds of request, each with its own easy handle on the shared multi
 * handle and never more than one in flight:
 *
 * - per watch, the registration: a blocking query on /v1/service/<name>
 *   filtered to our alloc.  The next query goes out as soon as an answer
 *   came (most answers are wake-ups caused by other registrations in the
 *   cluster and change nothing for us), passing back X-Nomad-Index; after
 *   an error, only after a capped exponential backoff with jitter, and
 *   with index 0 so that the first answer after a recovery comes at once.
 * - per client, the check results of the alloc: no blocking query exists
 *   for them (nomad-api notes 3), so they are polled every
 *   check-interval, start to start, never overlapping and never faster.
 *
 * Failure policy: an answer that says "down" (not registered, 404 on the
 * checks, a failing check) fails the source at once; an error (no agent,
 * 401/403, 5xx, timeout, a body that is not what the API documents) keeps
 * the source where it was for grace from the first error, then fails it.
 * Each error is logged once per reason (repeats go through log_rl and
 * debug), the recovery once.
 */
#include "watch.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "log.h"

#ifndef NOMCAST_VERSION
#define NOMCAST_VERSION "0"
#endif

#define NOMAD_BACKOFF_MIN_MS	250
#define NOMAD_BACKOFF_MAX_MS	30000
/* a non-blocking request must be answered within this, or it failed */
#define NOMAD_TIMEOUT_MARGIN_MS	5000
#define NOMAD_CONNECT_TIMEOUT_MS 5000
/* answers in a row, quicker than half the wait, before we space them */
#define NOMAD_QUICK_MAX		4
#define NOMAD_QUICK_SPACING_MS	100
#define NOMAD_LOG_BODY_MAX	200
/* bodies over this are not kept between requests */
#define NOMAD_BODY_KEEP		(64 * 1024)

enum nomad_req_kind {
	NOMAD_REQ_REG,
	NOMAD_REQ_CHECKS,
};

struct nomad_req {
	enum nomad_req_kind	 kind;
	void			*owner;		/* the watch or the client */
	struct nomad_client	*cl;
	struct curl_ev_xfer	 x;		/* x.easy owned */
	ev_timer		 next;		/* when to send again */
	const char		*what;		/* "registration", "checks" */
	char			 label[160];	/* key=value for logs */
	char			 path[96];	/* for logs: "/v1/service/x" */
	char			*body;		/* owned */
	size_t			 len, cap;
	bool			 too_big;
	bool			 has_index;
	uint64_t		 hdr_index;
	ev_tstamp		 started;
	uint32_t		 timeout_ms;
	char			 errbuf[CURL_ERROR_SIZE];
	unsigned		 nerr;		/* errors in a row */
	char			 lasterr[300];	/* the last one logged */
	struct log_rl		 rl;
};

enum nomad_reg {
	NOMAD_REG_UNKNOWN,
	NOMAD_REG_YES,
	NOMAD_REG_NO,
};

struct nomad_watch {
	struct nomad_client	*cl;
	const struct conf_service *svc;
	struct nomad_check_filter f;
	nomad_watch_fn		 fn;
	void			*ctx;
	struct nomad_req	 reg;
	uint64_t		 index;		/* next index to send */
	uint64_t		 sent_index;
	unsigned		 nquick;	/* quick answers in a row */
	unsigned		 nodd;		/* answers that did not block */
	enum nomad_reg		 regst;
	bool			 checks_known;
	bool			 alloc_gone;	/* 404 on the checks */
	struct nomad_checks	 ck, ck_new;
	/* the source */
	enum src_state		 state;
	bool			 decided;	/* left UNKNOWN once */
	char			 reason[224];
	/* the error episode: grace from its first error */
	bool			 in_error;
	bool			 grace_over;
	ev_timer		 grace;
	char			 errwhy[160];
};

struct nomad_client {
	struct ev_loop		*loop;
	struct curl_ev		*ce;
	const struct conf_nomad	*cf;
	struct curl_slist	*hdrs;		/* owned: X-Nomad-Token */
	char			 base[600];	/* "http://localhost" */
	char			 where[600];	/* for logs */
	struct nomad_req	 checks;
	bool			 poll_checks;	/* a watch uses Nomad checks */
	bool			 started;
	struct nomad_watch	**w;		/* owned */
	size_t			 nw;
	struct nomad_stats	 st;
};

/* upper bounds in seconds of the checks request latency histogram */
const double nomad_lat_bounds[NOMAD_LAT_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
};

static void	nomad_reg_send(struct nomad_watch *);
static void	nomad_checks_send(struct nomad_client *);
static void	nomad_watch_sync(struct nomad_watch *);

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
	uint64_t idx;

	if (nomad_header_index(data, n, &idx)) {
		r->has_index = true;
		r->hdr_index = idx;
	}
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
		log_debug("nomad=%s %s errors=%u msg=\"%s\"", r->what,
		    r->label, r->nerr, why);
		return;
	}
	snprintf(r->lasterr, sizeof(r->lasterr), "%s", key);
	if (status == 0) {
		log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s errors=%u "
		    "msg=\"%s\"", r->what, r->label, r->nerr, why);
		return;
	}
	/* nomad-api notes 6: error bodies are plain text, say them as is */
	nomad_oneline(body, sizeof(body), r->body != NULL ? r->body : "",
	    r->len);
	log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s errors=%u status=%ld "
	    "body=\"%s\" hint=\"%s\" msg=\"%s\"", r->what, r->label, r->nerr,
	    status, body, nomad_status_hint(status, r->kind ==
	    NOMAD_REQ_CHECKS), why);
}

/* one more error in a row; why is what the logs and the source say */
static void
nomad_req_error(struct nomad_req *r, long status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
nomad_req_error(struct nomad_req *r, long status, const char *fmt, ...)
{
	char why[192];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->nerr++;
	r->cl->st.err[r->kind == NOMAD_REQ_REG ? NOMAD_EP_SERVICE :
	    NOMAD_EP_CHECKS]++;
	nomad_req_log(r, status, why);
	if (r->kind == NOMAD_REQ_REG) {
		struct nomad_watch *w = r->owner;

		snprintf(w->errwhy, sizeof(w->errwhy), "%s: %.140s", r->what,
		    why);
	} else {
		struct nomad_client *cl = r->owner;

		for (i = 0; i < cl->nw; i++)
			if (cl->w[i]->f.mode != NOMAD_CHECKS_NONE)
				snprintf(cl->w[i]->errwhy,
				    sizeof(cl->w[i]->errwhy), "%s: %.140s",
				    r->what, why);
	}
}

static void
nomad_req_ok(struct nomad_req *r)
{
	r->cl->st.ok[r->kind == NOMAD_REQ_REG ? NOMAD_EP_SERVICE :
	    NOMAD_EP_CHECKS]++;
	if (r->nerr > 0)
		log_info("nomad=%s %s msg=\"recovered after %u error%s\"",
		    r->what, r->label, r->nerr, r->nerr == 1 ? "" : "s");
	r->nerr = 0;
	r->lasterr[0] = '\0';
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
		nomad_req_error(r, 0, "no answer from %s within %u ms",
		    cl->where, r->timeout_ms);
		break;
	case CURLE_COULDNT_CONNECT:
		/* libcurl's text names "localhost port 80" for a socket */
		curl_easy_getinfo(r->x.easy, CURLINFO_OS_ERRNO, &oserr);
		nomad_req_error(r, 0, "cannot connect to the agent at %s: %s",
		    cl->where, oserr != 0 ? strerror((int)oserr) : eb);
		break;
	case CURLE_WRITE_ERROR:
		if (r->too_big) {
			nomad_req_error(r, 0, "answer larger than %d octets",
			    NOMAD_BODY_MAX);
			break;
		}
		nomad_req_error(r, 0, "out of memory for the answer");
		break;
	case CURLE_GOT_NOTHING:
		nomad_req_error(r, 0, "empty reply from %s", cl->where);
		break;
	default:
		nomad_req_error(r, 0, "request to %s failed: %s", cl->where,
		    eb);
		break;
	}
}

static void
nomad_req_send(struct nomad_req *r, const char *url, uint32_t timeout_ms)
{
	struct nomad_client *cl = r->cl;
	CURLMcode mc;

	if (r->cap > NOMAD_BODY_KEEP) {
		free(r->body);
		r->body = NULL;
		r->cap = 0;
	}
	r->len = 0;
	if (r->body != NULL)
		r->body[0] = '\0';
	r->too_big = false;
	r->has_index = false;
	r->hdr_index = 0;
	r->errbuf[0] = '\0';
	r->timeout_ms = timeout_ms;
	r->started = ev_time();
	if (curl_easy_setopt(r->x.easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(r->x.easy, CURLOPT_TIMEOUT_MS,
	    (long)timeout_ms) != CURLE_OK) {
		nomad_req_error(r, 0, "libcurl refused the URL");
		goto later;
	}
	if (curl_ev_start(cl->ce, &r->x, &mc) == -1) {
		nomad_req_error(r, 0, "request not started: %s",
		    curl_multi_strerror(mc));
		goto later;
	}
	return;
later:
	/* no callback comes: retry from the timer, never from here */
	if (r->kind == NOMAD_REQ_REG)
		nomad_watch_sync(r->owner);
	else {
		size_t i;

		for (i = 0; i < cl->nw; i++)
			nomad_watch_sync(cl->w[i]);
	}
	nomad_timer_in(cl->loop, &r->next, nomad_jitter(nomad_backoff_ms(
	    r->nerr)));
}

/* ---- the source state of a watch ---- */

static void
nomad_watch_set(struct nomad_watch *w, enum src_state st, const char *why)
{
	if (st == w->state && strcmp(why, w->reason) == 0)
		return;
	w->state = st;
	snprintf(w->reason, sizeof(w->reason), "%s", why);
	if (st != SRC_UNKNOWN)
		w->decided = true;
	w->fn(w->ctx, w, st, w->reason);
}

/*
 * What the watch knows, as a source state.  Facts that say "down" win at
 * once, even in an error episode; during one, nothing else changes the
 * state until grace is over, and then the source fails.
 */
static void
nomad_watch_eval(struct nomad_watch *w)
{
	const struct conf_nomad *cf = w->cl->cf;
	bool use_checks = w->f.mode != NOMAD_CHECKS_NONE;
	char why[224];

	if (w->regst == NOMAD_REG_NO) {
		snprintf(why, sizeof(why), "nomad: %s not registered for alloc "
		    "%.8s", w->svc->nomad_service, cf->alloc_id);
		nomad_watch_set(w, SRC_FAIL, why);
	} else if (use_checks && w->alloc_gone) {
		snprintf(why, sizeof(why), "nomad: alloc %.8s unknown to the "
		    "agent (404)", cf->alloc_id);
		nomad_watch_set(w, SRC_FAIL, why);
	} else if (use_checks && w->checks_known &&
	    w->ck.health == NOMAD_HEALTH_FAIL) {
		snprintf(why, sizeof(why), "%s", w->ck.reason);
		nomad_watch_set(w, SRC_FAIL, why);
	} else if (w->in_error) {
		if (!w->grace_over)
			return;		/* keep the last state for grace */
		snprintf(why, sizeof(why), "nomad: no usable answer for %u ms: "
		    "%s", cf->grace_ms, w->errwhy);
		nomad_watch_set(w, SRC_FAIL, why);
	} else if (w->regst == NOMAD_REG_UNKNOWN ||
	    (use_checks && !w->checks_known)) {
		nomad_watch_set(w, SRC_UNKNOWN, "nomad: waiting for the agent");
	} else if (!use_checks || w->ck.health == NOMAD_HEALTH_PASS ||
	    w->ck.health == NOMAD_HEALTH_NO_CHECKS) {
		snprintf(why, sizeof(why), "nomad: %s registered, %.130s",
		    w->svc->nomad_service, use_checks ? w->ck.reason :
		    "checks not used");
		nomad_watch_set(w, SRC_PASS, why);
	} else {
		/* pending: not healthy; unknown only while starting */
		snprintf(why, sizeof(why), "%s", w->ck.reason);
		nomad_watch_set(w, w->decided ? SRC_FAIL : SRC_UNKNOWN, why);
	}
}

static void
nomad_grace_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct nomad_watch *w = t->data;

	(void)loop;
	(void)revents;
	w->grace_over = true;
	nomad_watch_eval(w);
}

/* start or end the error episode, then re-evaluate */
static void
nomad_watch_sync(struct nomad_watch *w)
{
	struct nomad_client *cl = w->cl;
	bool err = w->reg.nerr > 0 ||
	    (w->f.mode != NOMAD_CHECKS_NONE && cl->checks.nerr > 0);

	if (err && !w->in_error) {
		w->in_error = true;
		w->grace_over = cl->cf->grace_ms == 0;
		if (!w->grace_over)
			nomad_timer_in(cl->loop, &w->grace,
			    (double)cl->cf->grace_ms / 1000.0);
	} else if (!err && w->in_error) {
		w->in_error = false;
		w->grace_over = false;
		ev_timer_stop(cl->loop, &w->grace);
	}
	nomad_watch_eval(w);
}

/* ---- registration: the blocking query ---- */

static void
nomad_reg_send(struct nomad_watch *w)
{
	struct nomad_client *cl = w->cl;
	const struct conf_nomad *cf = cl->cf;
	char filter[160], url[1024], wait[24];
	char *ename = NULL, *ens = NULL, *efilter = NULL;
	uint32_t timeout;
	CURL *e = w->reg.x.easy;

	if (cf->node_filter)
		snprintf(filter, sizeof(filter), "AllocID == \"%s\" and "
		    "NodeID == \"%s\"", cf->alloc_id, cf->node_id);
	else
		snprintf(filter, sizeof(filter), "AllocID == \"%s\"",
		    cf->alloc_id);
	ename = curl_easy_escape(e, w->svc->nomad_service, 0);
	ens = curl_easy_escape(e, cf->ns, 0);
	efilter = curl_easy_escape(e, filter, 0);
	if (ename == NULL || ens == NULL || efilter == NULL) {
		curl_free(ename);
		curl_free(ens);
		curl_free(efilter);
		nomad_req_error(&w->reg, 0, "out of memory");
		nomad_watch_sync(w);
		nomad_timer_in(cl->loop, &w->reg.next, nomad_jitter(
		    nomad_backoff_ms(w->reg.nerr)));
		return;
	}
	/* Go duration syntax (nomad-api notes 5) */
	if (cf->wait_ms % 1000 == 0)
		snprintf(wait, sizeof(wait), "%us", cf->wait_ms / 1000);
	else
		snprintf(wait, sizeof(wait), "%ums", cf->wait_ms);
	w->sent_index = w->index;
	if (w->index == 0) {
		/* no index: Nomad answers at once */
		snprintf(url, sizeof(url), "%s/v1/service/%s?namespace=%s&"
		    "filter=%s", cl->base, ename, ens, efilter);
		timeout = NOMAD_TIMEOUT_MARGIN_MS;
	} else {
		snprintf(url, sizeof(url), "%s/v1/service/%s?namespace=%s&"
		    "filter=%s&index=%" PRIu64 "&wait=%s", cl->base, ename,
		    ens, efilter, w->index, wait);
		/* notes 5: the server adds up to wait/16 of jitter */
		timeout = cf->wait_ms + cf->wait_ms / 16 +
		    NOMAD_TIMEOUT_MARGIN_MS;
	}
	curl_free(ename);
	curl_free(ens);
	curl_free(efilter);
	nomad_req_send(&w->reg, url, timeout);
}

static void
nomad_reg_next_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	nomad_reg_send(t->data);
}

static void
nomad_reg_done(struct nomad_watch *w, CURLcode rc)
{
	struct nomad_req *r = &w->reg;
	struct nomad_client *cl = w->cl;
	const struct conf_nomad *cf = cl->cf;
	char err[192];
	double elapsed_ms = (ev_time() - r->started) * 1000.0, delay = 0;
	uint64_t got;
	long status = 0;
	bool registered = false, quick;

	if (rc != CURLE_OK) {
		nomad_req_curl_error(r, rc);
		goto retry;
	}
	curl_easy_getinfo(r->x.easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		nomad_req_error(r, status, "http %ld from %s", status,
		    r->path);
		goto retry;
	}
	if (nomad_parse_service(r->body != NULL ? r->body : "", r->len,
	    w->svc->nomad_service, cf->alloc_id, cf->node_filter ?
	    cf->node_id : "", &registered, err, sizeof(err)) == -1) {
		nomad_req_error(r, 0, "bad answer from %s: %s", r->path, err);
		goto retry;
	}
	nomad_req_ok(r);
	if (w->regst != (registered ? NOMAD_REG_YES : NOMAD_REG_NO))
		log_info("svc=%s nomad-service=%s alloc=%.8s registered=%s",
		    w->svc->name, w->svc->nomad_service, cf->alloc_id,
		    registered ? "yes" : "no");
	w->regst = registered ? NOMAD_REG_YES : NOMAD_REG_NO;
	got = r->has_index ? r->hdr_index : 0;
	w->index = nomad_next_index(w->sent_index, got);
	/*
	 * Out again at once, unless the agent does not block: no index at
	 * all, or a blocking query answered early without a newer index.
	 * Wake-ups with newer indexes are normal, but a long run of quick
	 * ones is spaced, so that no agent can make us spin.
	 */
	quick = elapsed_ms < (double)cf->wait_ms / 2;
	if (!r->has_index || (w->sent_index != 0 && quick &&
	    got <= w->sent_index)) {
		w->nodd++;
		delay = nomad_jitter(nomad_backoff_ms(w->nodd));
		log_rl(&r->rl, LOG_LVL_WARN, "nomad=%s %s index=%" PRIu64
		    " sent=%" PRIu64 " msg=\"%s\"", r->what, r->label, got,
		    w->sent_index, r->has_index ? "the agent answered a "
		    "blocking query early without a newer index" : "no "
		    "X-Nomad-Index in the answer");
	} else {
		w->nodd = 0;
		if (quick && w->sent_index != 0) {
			if (++w->nquick >= NOMAD_QUICK_MAX)
				delay = NOMAD_QUICK_SPACING_MS / 1000.0;
		} else
			w->nquick = 0;
	}
	nomad_watch_sync(w);
	if (delay > 0)
		nomad_timer_in(cl->loop, &r->next, delay);
	else
		nomad_reg_send(w);
	return;
retry:
	/* the first query after an error must not block: index 0 */
	w->index = 0;
	w->nquick = 0;
	nomad_watch_sync(w);
	nomad_timer_in(cl->loop, &r->next, nomad_jitter(nomad_backoff_ms(
	    r->nerr)));
}

/* ---- the alloc's check results: polled ---- */

static void
nomad_checks_send(struct nomad_client *cl)
{
	const struct conf_nomad *cf = cl->cf;
	uint32_t timeout = NOMAD_TIMEOUT_MARGIN_MS;
	char url[1024];

	/* a hung agent must not hold the answer past grace */
	if (cf->grace_ms < timeout)
		timeout = cf->grace_ms > 1000 ? cf->grace_ms : 1000;
	snprintf(url, sizeof(url), "%s/v1/client/allocation/%s/checks",
	    cl->base, cf->alloc_id);
	nomad_req_send(&cl->checks, url, timeout);
}

static void
nomad_checks_next_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	nomad_checks_send(t->data);
}

static void
nomad_checks_done(struct nomad_client *cl, CURLcode rc)
{
	struct nomad_req *r = &cl->checks;
	struct nomad_watch *w;
	char err[192];
	double next;
	long status = 0;
	size_t i;
	bool gone = false;

	if (rc != CURLE_OK) {
		nomad_req_curl_error(r, rc);
		goto retry;
	}
	curl_easy_getinfo(r->x.easy, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404) {
		/* notes 6: the alloc is not on this client: down at once */
		gone = true;
		nomad_req_error(r, status, "http 404 from %s", r->path);
		goto retry;
	}
	if (status != 200) {
		nomad_req_error(r, status, "http %ld from %s", status, r->path);
		goto retry;
	}
	for (i = 0; i < cl->nw; i++) {
		w = cl->w[i];
		if (w->f.mode == NOMAD_CHECKS_NONE)
			continue;
		if (nomad_parse_checks(r->body != NULL ? r->body : "", r->len,
		    w->svc->nomad_service, &w->f, &w->ck_new, err,
		    sizeof(err)) == -1) {
			nomad_req_error(r, 0, "bad answer from %s: %s", r->path,
			    err);
			goto retry;
		}
	}
	nomad_req_ok(r);
	for (i = 0; i < cl->nw; i++) {
		w = cl->w[i];
		if (w->f.mode == NOMAD_CHECKS_NONE)
			continue;
		if (!w->checks_known || w->ck.health != w->ck_new.health)
			log_info("svc=%s nomad-service=%s checks=%s "
			    "reason=\"%s\"", w->svc->name,
			    w->svc->nomad_service,
			    w->ck_new.health == NOMAD_HEALTH_PASS ? "passing" :
			    w->ck_new.health == NOMAD_HEALTH_FAIL ? "failing" :
			    w->ck_new.health == NOMAD_HEALTH_PENDING ?
			    "pending" : "none", w->ck_new.reason);
		w->ck = w->ck_new;
		w->checks_known = true;
		w->alloc_gone = false;
		nomad_watch_sync(w);
	}
	/* start to start: never faster than the interval */
	next = r->started + (double)cl->cf->check_interval_ms / 1000.0 -
	    ev_time();
	nomad_timer_in(cl->loop, &r->next, next);
	return;
retry:
	for (i = 0; i < cl->nw; i++) {
		w = cl->w[i];
		if (w->f.mode == NOMAD_CHECKS_NONE)
			continue;
		if (gone)
			w->alloc_gone = true;
		nomad_watch_sync(w);
	}
	next = nomad_jitter(nomad_backoff_ms(r->nerr));
	if (next < (double)cl->cf->check_interval_ms / 1000.0)
		next = (double)cl->cf->check_interval_ms / 1000.0;
	nomad_timer_in(cl->loop, &r->next, next);
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

	if (r->kind == NOMAD_REQ_REG)
		nomad_reg_done(r->owner, rc);
	else
		nomad_checks_done(r->owner, rc);
}

/* ---- API ---- */

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
	if (cf->unix_path[0] != '\0') {
		/* notes 6: the Task API socket, Host: localhost */
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
	cl->checks.kind = NOMAD_REQ_CHECKS;
	cl->checks.owner = cl;
	cl->checks.what = "checks";
	snprintf(cl->checks.label, sizeof(cl->checks.label), "alloc=%.8s",
	    cf->alloc_id);
	snprintf(cl->checks.path, sizeof(cl->checks.path),
	    "/v1/client/allocation/%.8s.../checks", cf->alloc_id);
	ev_timer_init(&cl->checks.next, nomad_checks_next_cb, 0., 0.);
	cl->checks.next.data = cl;
	if (nomad_req_setup(cl, &cl->checks) == -1) {
		log_err("msg=\"nomad: libcurl refused the options\"");
		nomad_client_free(cl);
		return NULL;
	}
	return cl;
}

static void
nomad_watch_free(struct nomad_client *cl, struct nomad_watch *w)
{
	nomad_req_fini(cl, &w->reg);
	ev_timer_stop(cl->loop, &w->grace);
	free(w);
}

void
nomad_client_free(struct nomad_client *cl)
{
	size_t i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nw; i++)
		nomad_watch_free(cl, cl->w[i]);
	free(cl->w);
	nomad_req_fini(cl, &cl->checks);
	curl_slist_free_all(cl->hdrs);
	free(cl);
}

struct nomad_watch *
nomad_watch_add(struct nomad_client *cl, const struct conf_service *svc,
    nomad_watch_fn fn, void *ctx)
{
	struct nomad_watch *w, **nw;
	size_t i;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (nw = realloc(cl->w, (cl->nw + 1) * sizeof(*nw))) == NULL) {
		free(w);
		log_err("svc=%s msg=\"nomad: out of memory\"", svc->name);
		return NULL;
	}
	cl->w = nw;
	w->cl = cl;
	w->svc = svc;
	w->fn = fn;
	w->ctx = ctx;
	w->state = SRC_UNKNOWN;
	snprintf(w->reason, sizeof(w->reason), "nomad: waiting for the agent");
	switch (svc->nomad_checks) {
	case CONF_NOMAD_CHECKS_NONE:
		w->f.mode = NOMAD_CHECKS_NONE;
		break;
	case CONF_NOMAD_CHECKS_NAMED:
		w->f.mode = NOMAD_CHECKS_NAMED;
		for (i = 0; i < svc->nnomad_checks &&
		    i < NOMAD_MAX_CHECK_NAMES; i++)
			snprintf(w->f.names[i], sizeof(w->f.names[i]), "%s",
			    svc->nomad_check_names[i]);
		w->f.nnames = i;
		break;
	case CONF_NOMAD_CHECKS_ALL:
	default:
		w->f.mode = NOMAD_CHECKS_ALL;
		break;
	}
	w->reg.kind = NOMAD_REQ_REG;
	w->reg.owner = w;
	w->reg.what = "registration";
	snprintf(w->reg.label, sizeof(w->reg.label), "svc=%s "
	    "nomad-service=%s", svc->name, svc->nomad_service);
	snprintf(w->reg.path, sizeof(w->reg.path), "/v1/service/%s",
	    svc->nomad_service);
	ev_timer_init(&w->reg.next, nomad_reg_next_cb, 0., 0.);
	w->reg.next.data = w;
	ev_timer_init(&w->grace, nomad_grace_cb, 0., 0.);
	w->grace.data = w;
	if (nomad_req_setup(cl, &w->reg) == -1) {
		log_err("svc=%s msg=\"nomad: libcurl refused the options\"",
		    svc->name);
		nomad_req_fini(cl, &w->reg);
		free(w);
		return NULL;
	}
	cl->w[cl->nw++] = w;
	if (w->f.mode != NOMAD_CHECKS_NONE)
		cl->poll_checks = true;
	return w;
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
	    "watches=%zu check-interval=%ums wait=%ums grace=%ums", cl->where,
	    cf->ns, cf->alloc_id, cf->token[0] != '\0' ? "set" : "none",
	    cl->nw, cf->check_interval_ms, cf->wait_ms, cf->grace_ms);
	for (i = 0; i < cl->nw; i++)
		nomad_reg_send(cl->w[i]);
	if (cl->poll_checks)
		nomad_checks_send(cl);
}

void
nomad_client_stats(const struct nomad_client *cl, struct nomad_stats *out)
{
	if (cl == NULL)
		memset(out, 0, sizeof(*out));
	else
		*out = cl->st;
}

enum src_state
nomad_watch_state(const struct nomad_watch *w, const char **reason)
{
	if (reason != NULL)
		*reason = w->reason;
	return w->state;
}
