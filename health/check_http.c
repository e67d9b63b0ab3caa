/*
 * check_http.c - the http/https check: libcurl's multi_socket interface
 * driven by the libev loop.
 *
 * One multi handle (struct chk_http_multi) serves every http check of the
 * daemon.  libcurl says which sockets to watch through the socket callback
 * (one ev_io per socket, made, changed and freed as it asks) and when to
 * call it back through the timer callback (one ev_timer).  The loop then
 * calls curl_multi_socket_action() and collects finished transfers with
 * curl_multi_info_read().  No curl call here waits for the network; the
 * one stall is CPU: parsing the CA bundle for the first verified https
 * connection (tens of ms, then cached in the multi handle; see
 * chk_http_setup()).
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
#include "check.h"

#include <sys/queue.h>

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifndef NOMCAST_VERSION
#define NOMCAST_VERSION "0"
#endif

/* enough of a body to find the configured substring; the rest is read
 * and dropped, so a megabyte answer does not grow memory */
#define CHK_HTTP_BODY_MAX	(64 * 1024)

struct chk_http_sock {
	ev_io				 io;
	struct chk_http_multi		*m;
	LIST_ENTRY(chk_http_sock)	 entry;
};

struct chk_http_multi {
	struct ev_loop			*loop;
	CURLM				*multi;
	ev_timer			 timer;
	LIST_HEAD(, chk_http_sock)	 socks;	/* every watcher made, owned */
};

/* a check's state (c->priv) */
struct chk_http {
	struct check		*c;
	CURL			*easy;		/* owned, reused */
	struct curl_slist	*headers;	/* owned: Host: */
	bool			 attached;	/* in the multi handle */
	char			 where[384];	/* "127.0.0.1:8080/ping" */
	char			 authority[320];	/* "127.0.0.1:8080" */
	char			 errbuf[CURL_ERROR_SIZE];
	size_t			 len;		/* bytes kept in body */
	char			 body[CHK_HTTP_BODY_MAX];
};

/* ---- the multi handle on the loop ---- */

static void	chk_http_info(struct chk_http_multi *);

static void
chk_http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct chk_http_sock *s = w->data;
	struct chk_http_multi *m = s->m;
	curl_socket_t fd = w->fd;
	int action = 0, running;

	(void)loop;
	if (revents & EV_READ)
		action |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	if (revents & EV_ERROR)
		action |= CURL_CSELECT_ERR;
	/* may free s (CURL_POLL_REMOVE): not used below */
	curl_multi_socket_action(m->multi, fd, action, &running);
	chk_http_info(m);
}

static void
chk_http_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct chk_http_multi *m = t->data;
	int running;

	(void)loop;
	(void)revents;
	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	chk_http_info(m);
}

static void
chk_http_sock_free(struct chk_http_multi *m, struct chk_http_sock *s)
{
	ev_io_stop(m->loop, &s->io);
	LIST_REMOVE(s, entry);
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: watch what libcurl asks for on this socket */
static int
chk_http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *clientp,
    void *socketp)
{
	struct chk_http_multi *m = clientp;
	struct chk_http_sock *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/* called before libcurl closes fd: stop watching it first */
		if (s != NULL) {
			curl_multi_assign(m->multi, fd, NULL);
			chk_http_sock_free(m, s);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;	/* libcurl fails the transfers */
		s->m = m;
		s->io.data = s;
		LIST_INSERT_HEAD(&m->socks, s, entry);
		curl_multi_assign(m->multi, fd, s);
		ev_io_init(&s->io, chk_http_io_cb, fd, events);
	} else {
		ev_io_stop(m->loop, &s->io);
		/* ev_io_set() also tells libev the fd may be a new one */
		ev_io_set(&s->io, fd, events);
	}
	ev_io_start(m->loop, &s->io);
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: one timer; -1 stops it.  0 means "act at once",
 * which the zero timer does on the next loop iteration: libcurl must not
 * be called from inside its own callback.
 */
static int
chk_http_timerfn(CURLM *multi, long timeout_ms, void *clientp)
{
	struct chk_http_multi *m = clientp;

	(void)multi;
	ev_timer_stop(m->loop, &m->timer);
	if (timeout_ms < 0)
		return 0;
	ev_timer_set(&m->timer, (double)timeout_ms / 1000.0, 0.);
	ev_timer_start(m->loop, &m->timer);
	return 0;
}

/*
 * curl_global_init() is reference counted by libcurl itself (and thread
 * safe since 7.84): every multi handle takes one reference and
 * chk_http_multi_free() gives it back, so nomad/ may do the same.
 */
struct chk_http_multi *
chk_http_multi_new(struct ev_loop *loop)
{
	struct chk_http_multi *m;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("msg=\"curl_global_init failed\"");
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto fail;
	m->loop = loop;
	LIST_INIT(&m->socks);
	ev_timer_init(&m->timer, chk_http_timer_cb, 0., 0.);
	m->timer.data = m;
	if ((m->multi = curl_multi_init()) == NULL)
		goto fail;
	if (curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION,
	    chk_http_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION,
	    chk_http_timerfn) != CURLM_OK ||
	    curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m) != CURLM_OK)
		goto fail;
	return m;
fail:
	log_err("msg=\"cannot set up the libcurl multi handle\"");
	if (m != NULL && m->multi != NULL)
		curl_multi_cleanup(m->multi);
	free(m);
	curl_global_cleanup();
	return NULL;
}

void
chk_http_multi_free(struct chk_http_multi *m)
{
	struct chk_http_sock *s;

	if (m == NULL)
		return;
	/* closes cached connections; may still call the socket callback */
	curl_multi_cleanup(m->multi);
	while ((s = LIST_FIRST(&m->socks)) != NULL)
		chk_http_sock_free(m, s);
	ev_timer_stop(m->loop, &m->timer);
	free(m);
	curl_global_cleanup();
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

/* every finished transfer: detach its handle, then report */
static void
chk_http_info(struct chk_http_multi *m)
{
	CURLMsg *msg;
	struct chk_http *h;
	CURLcode rc;
	CURL *easy;
	char *p;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is not valid after remove_handle: copy first */
		easy = msg->easy_handle;
		rc = msg->data.result;
		p = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
		curl_multi_remove_handle(m->multi, easy);
		if ((h = (struct chk_http *)(void *)p) == NULL)
			continue;
		h->attached = false;
		/* check_done() may end up freeing the check: last use of h */
		chk_http_finish(h, rc);
	}
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
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)h) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION,
	    chk_http_write_cb) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)h) != CURLE_OK;
	/* the scheduler has its own timer too; whichever fires first */
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cf->timeout_ms)
	    != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)cf->timeout_ms) != CURLE_OK;
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
		log_err("check=%s msg=\"no libcurl multi handle\"",
		    c->cf->name);
		return -1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		log_err("check=%s msg=\"out of memory\"", c->cf->name);
		return -1;
	}
	h->c = c;
	c->priv = h;
	chk_http_names(h);
	if ((h->easy = curl_easy_init()) == NULL || chk_http_setup(h) == -1) {
		log_err("check=%s url=\"%s\" msg=\"libcurl refused the "
		    "options\"", c->cf->name, c->cf->url);
		chk_http_fini(c);
		return -1;
	}
	return 0;
}

static void
chk_http_probe(struct check *c)
{
	struct chk_http *h = c->priv;
	struct chk_http_multi *m = c->env->http;
	CURLMcode mc;

	if (h->attached) {
		curl_multi_remove_handle(m->multi, h->easy);
		h->attached = false;
	}
	h->len = 0;
	h->errbuf[0] = '\0';
	/* the multi's timer callback asks for a zero timer: starts there */
	if ((mc = curl_multi_add_handle(m->multi, h->easy)) != CURLM_OK) {
		check_done(c, false, "http probe not started: %s",
		    curl_multi_strerror(mc));
		return;
	}
	h->attached = true;
}

static void
chk_http_cancel(struct check *c)
{
	struct chk_http *h = c->priv;

	/* an unfinished transfer's connection is closed, not cached */
	if (h->attached) {
		curl_multi_remove_handle(c->env->http->multi, h->easy);
		h->attached = false;
	}
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
