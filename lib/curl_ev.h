/*
 * curl_ev.h - libcurl's multi_socket interface driven by a libev loop.
 *
 * One struct curl_ev (one multi handle) per daemon serves every HTTP user:
 * the http checks (check_http.c) and the Nomad client (nomad/watch.c), so
 * that they share one connection cache and one timer.  A user owns its easy
 * handles and a struct curl_ev_xfer for each; curl_ev_start() adds the
 * handle to the multi, and when the transfer ends the done callback is
 * called once, from the loop, after the handle has been removed again (so
 * the callback may start it anew, or free it).  curl_ev_cancel() abandons a
 * transfer without a callback.  No call here waits for the network.
 */
#ifndef NOMCAST_CURL_EV_H
#define NOMCAST_CURL_EV_H

#include <curl/curl.h>
#include <ev.h>
#include <stdbool.h>

struct curl_ev;
struct curl_ev_xfer;

/* the transfer ended with rc; x is detached, ctx is x->ctx */
typedef void (*curl_ev_done_fn)(struct curl_ev_xfer *x, CURLcode rc);

/* one transfer slot; owned by the user, which sets easy, done and ctx */
struct curl_ev_xfer {
	CURL		*easy;		/* the user's; CURLOPT_PRIVATE is ours */
	curl_ev_done_fn	 done;
	void		*ctx;
	bool		 attached;	/* in the multi handle now */
};

/*
 * A multi handle on the loop, with one curl_global_init() reference
 * (libcurl counts them itself).  NULL on failure (logged).
 */
struct curl_ev *curl_ev_new(struct ev_loop *loop);
/* closes cached connections; every transfer must be cancelled first;
 * curl_ev_free(NULL) is a no-op */
void	curl_ev_free(struct curl_ev *ce);

/*
 * Start x (its easy handle set up by the user).  A transfer still
 * attached is cancelled first.  0, or -1 with *mc set (nothing started,
 * no callback).
 */
int	curl_ev_start(struct curl_ev *ce, struct curl_ev_xfer *x,
	    CURLMcode *mc);
/* abandon x if it runs: no callback; its connection is closed, not kept */
void	curl_ev_cancel(struct curl_ev *ce, struct curl_ev_xfer *x);

#endif
