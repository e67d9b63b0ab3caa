/*
 * check_http.c - the http/https check, on libcurl's multi_socket interface
 * driven by the libev loop (curl_ev.c).
 *
 * One multi handle (struct curl_ev, in check_env) serves every http check
 * of the daemon and the Nomad client.  No curl call here waits for the
 * network; the one stall is CPU: parsing the CA bundle for the first
 * verified https connection (tens of ms, then cached in the multi handle;
 * see chk_http_setup()).
 *
 * Each check owns one easy handle, reused from probe to probe: it is added
 * to the multi handle to start a probe and removed when the probe ends or
 * is cancelled, so an idle keep-alive connection in the multi's cache is
 * used again by the next probe.
 *
 * Names resolve through libcurl's resolver; an IP literal or "localhost"
 * never starts one.  Cancelling a probe while a name is being resolved
 * may make libcurl wait for its resolver thread: use addresses.
 */
#include "health/check.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/curl_ev.h"

#ifndef NOMCAST_VERSION
#define NOMCAST_VERSION "0"
#endif

/* enough of a body to find the configured substring; the rest is read
 * and dropped, so a megabyte answer does not grow memory */
#define CHK_HTTP_BODY_MAX	(64 * 1024)
/* libcurl gives up this long after the check's timeout (a backstop) */
#define HTTP_BACKSTOP_MS	5000

/* a check's state (c->priv) */
struct chk_http {
	struct check		*c;
	CURL			*easy;		/* owned, reused */
	struct curl_ev_xfer	 x;		/* easy in the multi handle */
	struct curl_slist	*headers;	/* owned: Host: */
	char			 where[384];	/* "127.0.0.1:8080/ping" */
	char			 authority[320];	/* "127.0.0.1:8080" */
	char			 errbuf[CURL_ERROR_SIZE];
	size_t			 len;		/* bytes kept in body */
	char			 body[CHK_HTTP_BODY_MAX];
};

/* the multi handle itself lives in curl_ev.c, shared with nomad/ */
struct curl_ev *
chk_http_multi_new(struct ev_loop *loop)
{
	return curl_ev_new(loop);
}

void
chk_http_multi_free(struct curl_ev *m)
{
	curl_ev_free(m);
}

/* ---- results ---- */

static bool
chk_http_status_ok(const struct conf_check *cf, long status)
{
	size_t i;

	if (cf->nexpect == 0)
		return status >= 200 && status <= 299;
	for (i = 0; i < cf->nexpect && i < CONF_MAX_EXPECT; i++)
		if (status >= cf->expect_lo[i] && status <= cf->expect_hi[i])
			return true;
	return false;
}

/* one line, printable: libcurl's messages are ours to quote */
static void
chk_http_oneline(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			*s = *s == '"' ? '\'' : ' ';
}

static const char *
chk_http_errno_word(long err)
{
	switch (err) {
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
		return "connection reset";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	case ENOENT:
		return "no such socket";
	case EACCES:
		return "permission denied";
	case ETIMEDOUT:
		return "connect timeout";
	}
	return NULL;
}

static void
chk_http_finish(struct chk_http *h, CURLcode rc)
{
	struct check *c = h->c;
	const struct conf_check *cf = c->cf;
	const char *word;
	long status = 0, oserr = 0;
	bool reset;

	if (rc == CURLE_OK) {
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
		if (!chk_http_status_ok(cf, status))
			check_done(c, false, "http %ld from %s", status,
			    h->where);
		else if (cf->body[0] != '\0' && memmem(h->body, h->len,
		    cf->body, strlen(cf->body)) == NULL)
			check_done(c, false, "http %ld from %s without \"%s\" "
			    "in body", status, h->where, cf->body);
		else
			check_done(c, true, "http %ld from %s", status,
			    h->where);
		return;
	}
	curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &oserr);
	if (h->errbuf[0] == '\0')
		snprintf(h->errbuf, sizeof(h->errbuf), "%s",
		    curl_easy_strerror(rc));
	chk_http_oneline(h->errbuf);
	word = chk_http_errno_word(oserr);
	/* libcurl keeps its first message; errno is not set on every path */
	reset = oserr == ECONNRESET || strstr(h->errbuf, "reset by peer");
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		check_done(c, false, "http timeout after %u ms from %s",
		    cf->timeout_ms, h->where);
		break;
	case CURLE_COULDNT_CONNECT:
		if (word != NULL)
			check_done(c, false, "%s to %s", word, h->authority);
		else
			check_done(c, false, "cannot connect to %s: %s",
			    h->authority, h->errbuf);
		break;
	case CURLE_GOT_NOTHING:
		check_done(c, false, "empty reply from %s", h->where);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_WEIRD_SERVER_REPLY:
		if (reset)
			goto was_reset;
		/* HTTP/0.9 (no status line) is refused by default */
		check_done(c, false, "not an http answer from %s: %s",
		    h->where, h->errbuf);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
		if (reset)
			goto was_reset;
		check_done(c, false, "tls error from %s: %s", h->where,
		    h->errbuf);
		break;
	default:
		if (reset)
			goto was_reset;
		check_done(c, false, "http error from %s: %s", h->where,
		    h->errbuf);
		break;
	}
	return;
was_reset:
	check_done(c, false, "connection reset by %s", h->where);
}

/* the transfer ended (curl_ev.c detached it first) */
static void
chk_http_done(struct curl_ev_xfer *x, CURLcode rc)
{
	/* check_done() may end up freeing the check: last use of h */
	chk_http_finish(x->ctx, rc);
}

/* ---- the check type ---- */

static size_t
chk_http_write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct chk_http *h = userp;
	size_t n = size * nmemb, room = sizeof(h->body) - h->len;

	memcpy(h->body + h->len, data, n < room ? n : room);
	h->len += n < room ? n : room;
	return n;	/* all of it consumed, kept or not */
}

/* "http://127.0.0.1:8080/ping?x" -> where and authority, for reasons */
static void
chk_http_names(struct chk_http *h)
{
	const struct conf_check *cf = h->c->cf;
	const char *u = cf->url, *p;
	size_t n;

	if ((p = strstr(u, "://")) != NULL)
		u = p + 3;
	n = strcspn(u, "/?#");
	if (cf->unix_socket[0] != '\0') {
		snprintf(h->authority, sizeof(h->authority), "%s",
		    cf->unix_socket);
		snprintf(h->where, sizeof(h->where), "%.*s%.*s via %s",
		    (int)n, u, (int)strcspn(u + n, "?#"), u + n,
		    cf->unix_socket);
		return;
	}
	snprintf(h->authority, sizeof(h->authority), "%.*s", (int)n, u);
	snprintf(h->where, sizeof(h->where), "%.*s", (int)strcspn(u, "?#"),
	    u);
}

static int
chk_http_setup(struct chk_http *h)
{
	const struct conf_check *cf = h->c->cf;
	char host[300];
	CURL *e = h->easy;
	int bad = 0;

	if (cf->host_header[0] != '\0') {
		snprintf(host, sizeof(host), "Host: %s", cf->host_header);
		if ((h->headers = curl_slist_append(NULL, host)) == NULL)
			return -1;
		bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers) !=
		    CURLE_OK;
	}
	bad |= curl_easy_setopt(e, CURLOPT_URL, cf->url) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION,
	    chk_http_write_cb) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)h) != CURLE_OK;
	/*
	 * The scheduler's timer decides (health/check.c): it takes a last
	 * look before failing, so an answer that came while the loop was
	 * late counts.  libcurl checks its own timeout before it reads,
	 * and would fail such a transfer; its timeouts are only a backstop.
	 */
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)cf->timeout_ms + HTTP_BACKSTOP_MS) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)cf->timeout_ms + HTTP_BACKSTOP_MS) != CURLE_OK;
	/* no SIGALRM from libcurl in a daemon with its own signals */
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	/* a redirect is an answer to judge, not a place to go */
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "nomcast/" NOMCAST_VERSION) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
	    cf->tls_verify ? 1L : 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
	    cf->tls_verify ? 2L : 0L) != CURLE_OK;
	/*
	 * Parsing the CA bundle costs tens of milliseconds of CPU inside
	 * libcurl, on the loop.  libcurl keeps the parsed store in the multi
	 * handle (CURLOPT_CA_CACHE_TIMEOUT, 7.87) only when no CA directory
	 * is set, and Debian builds it with one (/etc/ssl/certs) besides the
	 * bundle: without the directory a failing https target (a new
	 * connection each probe) costs the parse once, not at every probe.
	 * The bundle holds the same CAs (update-ca-certificates writes both).
	 */
	if (cf->tls_verify)
		bad |= curl_easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK;
	if (cf->unix_socket[0] != '\0')
		bad |= curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH,
		    cf->unix_socket) != CURLE_OK;
	return bad ? -1 : 0;
}

static void	chk_http_fini(struct check *);

static int
chk_http_init(struct check *c)
{
	struct chk_http *h;

	if (c->env->http == NULL) {
		check_log(c, LOG_LVL_ERR, "msg=\"no libcurl multi handle\"");
		return -1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		check_log(c, LOG_LVL_ERR, "msg=\"out of memory\"");
		return -1;
	}
	h->c = c;
	h->x.done = chk_http_done;
	h->x.ctx = h;
	c->priv = h;
	chk_http_names(h);
	if ((h->easy = h->x.easy = curl_easy_init()) == NULL ||
	    chk_http_setup(h) == -1) {
		check_log(c, LOG_LVL_ERR, "url=%s msg=\"libcurl refused the "
		    "options\"", LQ(c->cf->url));
		chk_http_fini(c);
		return -1;
	}
	return 0;
}

static void
chk_http_probe(struct check *c)
{
	struct chk_http *h = c->priv;
	CURLMcode mc;

	h->len = 0;
	h->errbuf[0] = '\0';
	if (curl_ev_start(c->env->http, &h->x, &mc) == -1)
		check_done(c, false, "http probe not started: %s",
		    curl_multi_strerror(mc));
}

static void
chk_http_cancel(struct check *c)
{
	struct chk_http *h = c->priv;

	curl_ev_cancel(c->env->http, &h->x);
}

static void
chk_http_fini(struct check *c)
{
	struct chk_http *h = c->priv;

	if (h == NULL)
		return;
	chk_http_cancel(c);
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->headers);
	free(h);
	c->priv = NULL;
}

const struct check_ops chk_http_ops = {
	.name = "http",
	.init = chk_http_init,
	.probe = chk_http_probe,
	.cancel = chk_http_cancel,
	.fini = chk_http_fini,
	.event_driven = false,
};
