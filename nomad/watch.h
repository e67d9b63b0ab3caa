/*
 * watch.h - the Nomad client (edge): learns from the local Nomad agent
 * whether a service instance of our own allocation is registered and
 * passing its Nomad checks, on the daemon's libcurl multi handle
 * (curl_ev.h) and libev loop.
 *
 * One struct nomad_client per daemon (one agent, one token, one alloc);
 * one struct nomad_watch per [service] with nomad-service.  Each Nomad
 * service has one blocking query on /v1/service/<name> (a deregistration
 * is seen within one round trip), shared by the watches of that name; the
 * client polls the alloc's check results (/v1/client/allocation/<alloc>/
 * checks) every check-interval, once for all watches, and, when a watch
 * does not use Nomad checks, a non-blocking read of a registration as
 * well: either poll is the heartbeat that tells a hung agent within
 * check-interval + 1.5 s.  What a watch concludes (source.h decides) is a
 * verdict source state: Nomad is authoritative, so the caller forces it
 * (verdict_src_set) without rise or fall counting.  See nomcastd(8),
 * "Nomad", for the failure policy.
 */
#ifndef NOMCAST_WATCH_H
#define NOMCAST_WATCH_H

#include <ev.h>
#include <stdint.h>

#include "lib/curl_ev.h"
#include "nomad/nomad_conf.h"
#include "nomad/source.h"
#include "health/verdict.h"

struct nomad_client;
struct nomad_watch;

/*
 * The watch's source state or its reason changed (called from the loop;
 * reason is one printable line, valid during the call).
 */
typedef void (*nomad_watch_fn)(void *ctx, struct nomad_watch *w,
	    enum src_state st, const char *reason);

/*
 * A client of the agent cf names; cf and ce must outlive it.  Nothing is
 * sent before nomad_client_start().  NULL on failure (logged).
 */
struct nomad_client *nomad_client_new(struct ev_loop *loop,
	    struct curl_ev *ce, const struct conf_nomad *cf);
/* cancels every request and frees the watches; NULL is a no-op */
void	nomad_client_free(struct nomad_client *cl);

/*
 * Watch cf->service with cf's nomad-checks, for the [service] named svc
 * (in logs); svc and cf must outlive the client.  Watches of the same
 * Nomad service share one blocking query.  The watch starts UNKNOWN and
 * reports through fn.  Owned by the client.  NULL on failure (logged).
 */
struct nomad_watch *nomad_watch_add(struct nomad_client *cl,
	    const char *svc, const struct conf_nomad_watch *cf,
	    nomad_watch_fn fn, void *ctx);

/*
 * A reload: take over what old (a watch of the previous client, of the
 * same Nomad service) knew, its state included, so that the new client's
 * first answers change only what they say differently.  Before start.
 */
void	nomad_watch_adopt(struct nomad_watch *w, const struct nomad_watch *old);
/*
 * A reload gave a service that is announced a Nomad source it did not
 * have: start from st (no report) until Nomad says otherwise.
 */
void	nomad_watch_assume(struct nomad_watch *w, enum src_state st,
	    const char *why);

/*
 * A reload that left [nomad] as it was keeps the client: its requests in
 * flight, their indexes, its outage state and what each watch knows.
 * nomad_client_rebind() points it at the new (equal) config; then each
 * old watch is either moved to its service of the new config
 * (nomad_watch_rebind, for an unchanged nomad-service and nomad-checks)
 * or removed (nomad_watch_remove; a blocking query no watch uses any more
 * is cancelled), new ones are added (nomad_watch_add, adopting what an
 * old watch of the same Nomad service knew before it is removed), and
 * nomad_client_resync() sends what the new watches need, at once.
 */
void	nomad_client_rebind(struct nomad_client *cl,
	    const struct conf_nomad *cf);
void	nomad_watch_rebind(struct nomad_watch *w, const char *svc,
	    const struct conf_nomad_watch *cf, nomad_watch_fn fn, void *ctx);
void	nomad_watch_remove(struct nomad_watch *w);
void	nomad_client_resync(struct nomad_client *cl);

/* send the first queries (at once, non-blocking) */
void	nomad_client_start(struct nomad_client *cl);

/* requests to the agent, for the metrics endpoint */
enum nomad_endpoint {
	NOMAD_EP_SERVICE,	/* /v1/service/<name> (blocking) */
	NOMAD_EP_CHECKS,	/* /v1/client/allocation/<alloc>/checks */
	NOMAD_EP_PROBE,		/* /v1/service/<name>?stale, not blocking */
	NOMAD_EP_N,
};

#define NOMAD_LAT_NBUCKETS	10
extern const double nomad_lat_bounds[NOMAD_LAT_NBUCKETS];

struct nomad_stats {
	uint64_t	ok[NOMAD_EP_N];		/* answered and understood */
	uint64_t	err[NOMAD_EP_N];	/* failed, for any reason */
	/* latency of the checks requests (blocking queries wait by design) */
	uint64_t	lat_bucket[NOMAD_LAT_NBUCKETS];	/* not cumulative */
	uint64_t	lat_count;
	double		lat_sum;
	/* the agent as a whole: an outage is a run of failing requests */
	enum nomad_outage outage;	/* now; NOMAD_OUT_NONE if none */
	double		outage_seconds;	/* how long the current one lasts */
	uint64_t	outages;	/* that began, since start */
	int		known_leader;	/* X-Nomad-KnownLeader: 1, 0, -1 unseen */
	uint64_t	last_contact_ms; /* X-Nomad-LastContact */
	size_t		queries;	/* blocking queries (one per service) */
};

/* the client's counters so far; cl may be NULL (all zero) */
void	nomad_client_stats(const struct nomad_client *cl,
	    struct nomad_stats *out);

/*
 * The answer to nomad_client_ask_alloc: RUN or STOP, or UNKNOWN when
 * Nomad did not say; why is one printable line, valid during the call.
 */
typedef void (*nomad_alloc_fn)(void *ctx, enum nomad_desired d,
	    const char *why);

/*
 * Ask the agent, once, whether our alloc is stopping (for BGP graceful
 * restart at exit: a task restart or an in-place update keeps
 * DesiredStatus "run"; a stop or an eviction sets "stop" or "evict").
 * One GET /v1/allocation/<alloc> without an index (not blocking), on the
 * client's multi handle with its address, token and TLS; it never blocks
 * the loop.  fn is called exactly once, from the loop (never from this
 * call), within about timeout_ms:
 *   - 200: RUN or STOP from DesiredStatus (an answer of another shape,
 *     or about another alloc: UNKNOWN);
 *   - 404: STOP (the alloc is gone);
 *   - 5xx (no leader): asked again, ?stale, of any server, within the
 *     same timeout;
 *   - any other status, a transfer error: UNKNOWN;
 *   - no answer within timeout_ms: UNKNOWN, why "no answer within N
 *     ms", and the transfer is cancelled.
 * The ask is over when fn runs: fn may ask again, or free the client.
 * If the client is freed first, the ask is dropped and fn is NOT called.
 * Its outcome is the caller's alone: no watch, counter, backoff, index
 * or outage state of the client is touched, and the watches' requests
 * go on as they were.  Only one ask at a time: while one is in flight a
 * second call returns -1 (the first keeps its fn).  Any time after
 * nomad_client_new, started or not.  0 when the request was started; -1
 * when it cannot be (no alloc id, one in flight, fn NULL, timeout_ms 0,
 * libcurl refused; logged), and then fn is never called.
 */
int	nomad_client_ask_alloc(struct nomad_client *cl, uint32_t timeout_ms,
	    nomad_alloc_fn fn, void *ctx);

/*
 * What this watch's source knows of the service's registration for our
 * alloc: YES or NO from the last answer of its blocking query (an error
 * since leaves it as it was), UNKNOWN before the first.
 */
enum nsrc_reg nomad_watch_registered(const struct nomad_watch *w);

/* the watch's current state and reason (for show commands and tests) */
enum src_state nomad_watch_state(const struct nomad_watch *w,
	    const char **reason);
/* the outage the watch sees now, and for how long (seconds) */
enum nomad_outage nomad_watch_outage(const struct nomad_watch *w,
	    double *seconds);

#endif
