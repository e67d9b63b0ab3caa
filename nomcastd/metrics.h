/*
 * metrics.h - the Prometheus text exposition (format 0.0.4) of the
 * daemon's state, served over HTTP on GET /metrics when metrics-listen is
 * set.
 *
 * libmicrohttpd runs on the daemon's libev loop, not in threads of its
 * own: it is started in its "external" mode with epoll, its one epoll
 * descriptor is watched by an ev_io and its timeout by an ev_timer, and
 * every request is answered from inside MHD_run() on the loop thread.  The
 * page is rendered from struct nomcast as it is at that moment; nothing is
 * kept between scrapes.
 */
#ifndef NOMCAST_METRICS_H
#define NOMCAST_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct nomcast;
struct metrics;

#define METRICS_MAX_CONNS	512	/* scrapes at once; one descriptor each */

/* a growing text buffer; err is sticky (out of memory) */
struct metrics_buf {
	char	*p;		/* owned, NUL-terminated when len > 0 */
	size_t	 len, cap;
	bool	 err;
};

/* frees b->p and empties b; safe on an empty buffer */
void	metrics_buf_free(struct metrics_buf *b);

/*
 * Append the whole exposition of nc's peers, services and checks to b.
 * Reads nc only.  0, or -1 if out of memory (b->err set).
 */
int	metrics_render(const struct nomcast *nc, struct metrics_buf *b);

/*
 * Listen on conf.g.metrics_addr:metrics_port and serve on nc->loop; sets
 * nc->metrics.  0 (also when metrics-listen is not set), or -1 (logged).
 */
int	metrics_start(struct nomcast *nc);
/* close the listener and every scrape in flight; no-op when not started */
void	metrics_stop(struct nomcast *nc);

#endif
