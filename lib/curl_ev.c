/*
 * curl_ev.c - libcurl's multi_socket interface on the libev loop; see
 * curl_ev.h.
 *
 * libcurl says which sockets to watch through the socket callback (one
 * ev_io per socket, made, changed and freed as it asks) and when to call
 * it back through the timer callback (one ev_timer).  The loop then calls
 * curl_multi_socket_action() and collects finished transfers with
 * curl_multi_info_read().  No curl call here waits for the network.
 */
#include "lib/curl_ev.h"

#include <sys/queue.h>

#include <stdlib.h>

#include "lib/log.h"

struct curl_ev_sock {
	ev_io				 io;
	struct curl_ev			*ce;
	LIST_ENTRY(curl_ev_sock)	 entry;
};

struct curl_ev {
	struct ev_loop			*loop;
	CURLM				*multi;
	ev_timer			 timer;
	LIST_HEAD(, curl_ev_sock)	 socks;	/* every watcher made, owned */
};

static void	curl_ev_info(struct curl_ev *);

static void
curl_ev_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct curl_ev_sock *s = w->data;
	struct curl_ev *ce = s->ce;
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
	curl_multi_socket_action(ce->multi, fd, action, &running);
	curl_ev_info(ce);
}

static void
curl_ev_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct curl_ev *ce = t->data;
	int running;

	(void)loop;
	(void)revents;
	curl_multi_socket_action(ce->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	curl_ev_info(ce);
}

static void
curl_ev_sock_free(struct curl_ev *ce, struct curl_ev_sock *s)
{
	ev_io_stop(ce->loop, &s->io);
	LIST_REMOVE(s, entry);
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: watch what libcurl asks for on this socket */
static int
curl_ev_socket_cb(CURL *easy, curl_socket_t fd, int what, void *clientp,
    void *socketp)
{
	struct curl_ev *ce = clientp;
	struct curl_ev_sock *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/* called before libcurl closes fd: stop watching it first */
		if (s != NULL) {
			curl_multi_assign(ce->multi, fd, NULL);
			curl_ev_sock_free(ce, s);
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
		s->ce = ce;
		s->io.data = s;
		LIST_INSERT_HEAD(&ce->socks, s, entry);
		curl_multi_assign(ce->multi, fd, s);
		ev_io_init(&s->io, curl_ev_io_cb, fd, events);
	} else {
		ev_io_stop(ce->loop, &s->io);
		/* ev_io_set() also tells libev the fd may be a new one */
		ev_io_set(&s->io, fd, events);
	}
	ev_io_start(ce->loop, &s->io);
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: one timer; -1 stops it.  0 means "act at once",
 * which the zero timer does on the next loop iteration: libcurl must not
 * be called from inside its own callback.
 */
static int
curl_ev_timerfn(CURLM *multi, long timeout_ms, void *clientp)
{
	struct curl_ev *ce = clientp;

	(void)multi;
	ev_timer_stop(ce->loop, &ce->timer);
	if (timeout_ms < 0)
		return 0;
	ev_timer_set(&ce->timer, (double)timeout_ms / 1000.0, 0.);
	ev_timer_start(ce->loop, &ce->timer);
	return 0;
}

/*
 * Every finished transfer: detach its handle, then report.  A callback may
 * start or cancel transfers, its own included: remove_handle also drops a
 * cancelled handle's pending message, so the loop never sees it.
 */
static void
curl_ev_info(struct curl_ev *ce)
{
	struct curl_ev_xfer *x;
	CURLMsg *msg;
	CURLcode rc;
	CURL *easy;
	char *p;
	int left;

	while ((msg = curl_multi_info_read(ce->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is not valid after remove_handle: copy first */
		easy = msg->easy_handle;
		rc = msg->data.result;
		p = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
		curl_multi_remove_handle(ce->multi, easy);
		if ((x = (struct curl_ev_xfer *)(void *)p) == NULL)
			continue;
		x->attached = false;
		/* may free x and its owner: last use of x */
		x->done(x, rc);
	}
}

struct curl_ev *
curl_ev_new(struct ev_loop *loop)
{
	struct curl_ev *ce;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("msg=\"curl_global_init failed\"");
		return NULL;
	}
	if ((ce = calloc(1, sizeof(*ce))) == NULL)
		goto fail;
	ce->loop = loop;
	LIST_INIT(&ce->socks);
	ev_timer_init(&ce->timer, curl_ev_timer_cb, 0., 0.);
	ce->timer.data = ce;
	if ((ce->multi = curl_multi_init()) == NULL)
		goto fail;
	if (curl_multi_setopt(ce->multi, CURLMOPT_SOCKETFUNCTION,
	    curl_ev_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(ce->multi, CURLMOPT_SOCKETDATA, ce) !=
	    CURLM_OK ||
	    curl_multi_setopt(ce->multi, CURLMOPT_TIMERFUNCTION,
	    curl_ev_timerfn) != CURLM_OK ||
	    curl_multi_setopt(ce->multi, CURLMOPT_TIMERDATA, ce) != CURLM_OK)
		goto fail;
	return ce;
fail:
	log_err("msg=\"cannot set up the libcurl multi handle\"");
	if (ce != NULL && ce->multi != NULL)
		curl_multi_cleanup(ce->multi);
	free(ce);
	curl_global_cleanup();
	return NULL;
}

void
curl_ev_free(struct curl_ev *ce)
{
	struct curl_ev_sock *s;

	if (ce == NULL)
		return;
	/* closes cached connections; may still call the socket callback */
	curl_multi_cleanup(ce->multi);
	while ((s = LIST_FIRST(&ce->socks)) != NULL)
		curl_ev_sock_free(ce, s);
	ev_timer_stop(ce->loop, &ce->timer);
	free(ce);
	curl_global_cleanup();
}

int
curl_ev_start(struct curl_ev *ce, struct curl_ev_xfer *x, CURLMcode *mc)
{
	CURLMcode rc;

	curl_ev_cancel(ce, x);
	if (curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (void *)x) !=
	    CURLE_OK) {
		*mc = CURLM_BAD_EASY_HANDLE;
		return -1;
	}
	/* the multi's timer callback asks for a zero timer: starts there */
	if ((rc = curl_multi_add_handle(ce->multi, x->easy)) != CURLM_OK) {
		*mc = rc;
		return -1;
	}
	x->attached = true;
	return 0;
}

void
curl_ev_cancel(struct curl_ev *ce, struct curl_ev_xfer *x)
{
	/* an unfinished transfer's connection is closed, not cached */
	if (x->attached) {
		curl_multi_remove_handle(ce->multi, x->easy);
		x->attached = false;
	}
}
