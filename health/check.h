/*
 * check.h - a local health check on the libev loop.
 *
 * check.c is the scheduler every check type shares: it starts one probe
 * per interval, bounds it by the timeout (a probe that has not answered by
 * then is cancelled and counts as failed), and reports each result through
 * the callback.  A watchdog fails the check if no result at all arrived
 * within interval + timeout, whatever the reason: a hung checker must never
 * leave a route announced.  A loop that was late (the daemon stopped, a
 * long callback) is not the checker's fault: answers are dispatched before
 * the tick, the tick before the timeout and the watchdog; the timeout
 * looks once more before failing; the watchdog waits for a probe still to
 * start and forgives one late firing.  The types (check_http.c, check_tcp.c,
 * check_watch.c, check_exec.c) only start and cancel probes.
 */
#ifndef NOMCAST_CHECK_H
#define NOMCAST_CHECK_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "health/check_conf.h"
#include "lib/log.h"

struct check;

/*
 * The upper bounds, in seconds, of the probe latency histogram's buckets
 * (check_lat_bounds[], ascending); a slower probe is counted in +Inf only.
 */
#define CHECK_LAT_NBUCKETS	13
extern const double check_lat_bounds[CHECK_LAT_NBUCKETS];

struct curl_ev;

/* what the checks of one daemon share */
struct check_env {
	struct ev_loop		*loop;
	/* one libcurl multi handle on the loop, owned; the Nomad client
	 * (nomad/watch.c) uses it too */
	struct curl_ev		*http;
	/* the Nomad client (nomad/watch.c), owned; NULL without
	 * nomad-service */
	struct nomad_client	*nomad;
};

/*
 * A result: pass or fail, a one-line reason ("http 503 from
 * 127.0.0.1:8080/ping"), and the probe's latency in seconds.
 */
typedef void (*check_result_fn)(void *ctx, struct check *c, bool pass,
	    const char *reason, double latency);

struct check_ops {
	const char *name;			/* "http" */
	/* allocate c->priv; 0 or -1 (logged) */
	int	(*init)(struct check *c);
	/* start one probe; it ends with check_done() (possibly at once) */
	void	(*probe)(struct check *c);
	/* abandon the probe in flight (timeout or stop); no check_done() */
	void	(*cancel)(struct check *c);
	/* free c->priv */
	void	(*fini)(struct check *c);
	/* the type reports events itself, between probes (watch) */
	bool	event_driven;
};

struct check {
	const struct conf_check	*cf;		/* points into the config */
	struct check_env	*env;
	const struct check_ops	*ops;
	void			*priv;		/* the type's state, owned */
	ev_timer		 tick;		/* next probe */
	ev_timer		 timeout;	/* the probe in flight */
	ev_timer		 watchdog;	/* no result in interval + timeout */
	bool			 running;	/* a probe is in flight */
	bool			 last_look;	/* its timeout fired once */
	ev_tstamp		 started;	/* when it began */
	ev_tstamp		 wd_due;	/* when the watchdog is due */
	bool			 wd_deferred;	/* it fired late, once */
	check_result_fn		 cb;
	void			*ctx;
	/* the last result, for logs and (later) show services */
	bool			 has_result;
	bool			 last_pass;
	double			 last_latency;
	char			 last_reason[256];
	uint64_t		 probes;	/* probes started */
	/* counters for the metrics (nomcastd/metrics.c) */
	uint64_t		 npass, nfail;	/* results reported */
	/* probes per latency bucket, each counted once (not cumulative) */
	uint64_t		 lat_bucket[CHECK_LAT_NBUCKETS];
	uint64_t		 lat_count;	/* probes that ended */
	double			 lat_sum;	/* their latencies, seconds */
	struct log_rl		 rl;
};

/* a line about check c: check=<name> first, then fmt (log.h's rule) */
#define check_log(c, lvl, ...) \
	do { if (log_enabled(lvl)) log_obj((lvl), "check", (c)->cf->name, \
	    NULL, __VA_ARGS__); } while (0)
/* the same, rate-limited by the check's bucket */
#define check_log_rl(c, lvl, ...) \
	log_obj((lvl), "check", (c)->cf->name, &(c)->rl, __VA_ARGS__)

/*
 * The loop's lateness: a timer that runs more than CHECK_LATE seconds
 * after it was due ran late because the loop did (the daemon was stopped,
 * or busy in a long callback), not because a checker hung.
 */
#define CHECK_LATE	0.001
bool	check_late(ev_tstamp due, ev_tstamp now);

/* NULL on no memory or if the type cannot start (logged) */
struct check *check_new(struct check_env *env, const struct conf_check *cf,
	    check_result_fn cb, void *ctx);
void	check_start(struct check *c);
/* stops and frees; check_free(NULL) is a no-op */
void	check_free(struct check *c);

/*
 * Called by a type when its probe ends.  The reason is formatted; a pass
 * needs none (NULL).  Safe to call from inside probe().
 */
void	check_done(struct check *c, bool pass, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Called by an event-driven type (watch) when it learns something between
 * probes: a reset or close fails the check at once.
 */
void	check_event(struct check *c, bool pass, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* the types */
extern const struct check_ops chk_http_ops;
extern const struct check_ops chk_tcp_ops;
extern const struct check_ops chk_watch_ops;
extern const struct check_ops chk_exec_ops;

/* the libcurl multi handle on the loop: curl_ev_new() and curl_ev_free()
 * (curl_ev.h), under the names chkrun and service.c first knew */
struct curl_ev *chk_http_multi_new(struct ev_loop *loop);
void	chk_http_multi_free(struct curl_ev *m);

/*
 * What an observer (the control commands, the metrics) may know of a
 * check: values copied out, strings borrowed until the check's next
 * result.  Observers read this, never struct check.
 */
struct check_info {
	const char		*name;		/* as configured */
	const struct conf_check	*cf;		/* type, interval, timeout */
	uint64_t		 probes;	/* probes started */
	bool			 has_result;
	bool			 last_pass;
	double			 last_latency;	/* seconds */
	const char		*last_reason;	/* "" before a result */
	uint64_t		 npass, nfail;	/* results reported */
	/* per latency bucket, each probe counted once (not cumulative) */
	uint64_t		 lat_bucket[CHECK_LAT_NBUCKETS];
	uint64_t		 lat_count;
	double			 lat_sum;
};

/* fill *ci from c */
void	check_info(const struct check *c, struct check_info *ci);

#endif
