/*
 * service.h - the services at run time: their checks, verdicts and VIPs.
 *
 * A check result goes to the verdict of every service it gates; a verdict
 * change goes to every peer in the same loop iteration (no queue, no
 * periodic flush), with the VIP added before an announcement and removed
 * only after the withdraw has been written.  A service with nomad-service
 * has one more source, "nomad <name>", set by the Nomad client
 * (nomad/watch.c) without rise or fall: Nomad is authoritative, the local
 * checks add the hysteresis.
 */
#ifndef NOMCAST_SERVICE_H
#define NOMCAST_SERVICE_H

#include <ev.h>
#include <stdbool.h>

#include "health/check.h"
#include "nomcastd/config.h"
#include "health/verdict.h"
#include "nomcastd/reload_plan.h"

struct nomcast;
struct nomad_watch;

/* how a service's prefixes go to the peers now */
enum svc_mode {
	SVC_MODE_NONE,		/* not announced */
	SVC_MODE_NORMAL,
	SVC_MODE_DEGRADED,	/* on-down = degrade */
	SVC_MODE_DRAINING,	/* operator drain: GRACEFUL_SHUTDOWN (RFC 8326) */
};

struct svc {
	struct nomcast		*nc;
	const struct conf_service *cf;	/* points into nc->conf */
	struct verdict		 v;
	/* one per check, then the Nomad source if any; owned, [nsrcs] */
	struct verdict_src	*srcs;
	size_t			 nsrcs;
	struct nomad_watch	*nomad;		/* owned by the client */
	enum svc_mode		 mode;
	bool			 vip_on;	/* addresses on the interface */
	ev_timer		 recheck;	/* hold-down expiry */
	ev_timer		 vip_wait;	/* withdraw not yet written (bound),
						 * then the linger */
	bool			 vip_linger;	/* vip_wait is the linger */
	uint64_t		 transitions;	/* verdict changes (metrics) */
	ev_timer		 drain_timer;	/* drain-time, then withdraw */
	bool			 drained_out;	/* drain-time over: withdrawn */
};

/* a line about service s: svc=<name> first, then fmt (log.h's rule) */
#define svc_log(s, lvl, ...) \
	do { if (log_enabled(lvl)) log_obj((lvl), "svc", (s)->cf->name, \
	    NULL, __VA_ARGS__); } while (0)

/* build the run-time services and checks, start the checks; 0 or -1 */
int	services_start(struct nomcast *nc);
/* stop the checks; remove every VIP (after the withdraw); free */
void	services_stop(struct nomcast *nc);
/*
 * After a reload has replaced nc->conf, carry out the plan's services and
 * checks.  A kept check keeps running; a kept or reset service keeps its
 * verdict; a reset check keeps its state until its results under the new
 * settings decide; a check or Nomad source added to a service that is up
 * counts as passing until it fails.  So a reload never flaps a route.  The
 * services still point into the old config (valid during the call).
 * 0 or -1.
 */
int	services_reload(struct nomcast *nc, const struct reload_plan *plan);
/*
 * Operator drain on or off for one service (name) or all (NULL): the
 * prefixes stay announced with the GRACEFUL_SHUTDOWN community for the
 * service's drain-time, then are withdrawn.  -1 if no such service.
 */
int	services_drain(struct nomcast *nc, const char *name, bool on);
/*
 * Shutdown: drain every announced service for drain_ms (shutdown-drain-
 * time).  Returns how many were announced (0: nothing to wait for).
 */
int	services_drain_all(struct nomcast *nc, uint32_t drain_ms);
/*
 * The speaker's drained hook: a peer's output is written; once every
 * peer's is, the VIPs of withdrawn services go (the withdraw is in the
 * kernel before the address leaves).
 */
void	services_output_drained(struct nomcast *nc);
/* remove the VIPs now (at exit, after the withdraws were written) */
void	services_vip_release(struct nomcast *nc);

/*
 * What an observer (the control commands, the metrics) may know of a
 * service: values copied out, strings borrowed until the service changes.
 * Observers read this and svc_src_info(), never struct svc.
 */
struct svc_info {
	const char		*name;		/* as configured */
	const struct conf_service *cf;	/* prefixes, on-down, hold-down,
					 * vip-interface */
	enum verdict_state	 verdict;
	uint64_t		 since_ms;	/* mono_ms() of the verdict */
	const char		*reason;	/* why the verdict */
	enum svc_mode		 mode;
	bool			 drain;		/* operator drain on */
	bool			 vip_on;	/* addresses on the interface */
	size_t			 nsrcs;		/* for svc_src_info() */
	uint64_t		 transitions;	/* verdict changes */
};

/* a source of a service's verdict: its checks, then Nomad's */
enum svc_src_kind {
	SVC_SRC_CHECK,
	SVC_SRC_NOMAD,
	SVC_SRC_OTHER,		/* neither: a check not running */
};

struct svc_src_info {
	const char		*name;		/* "check ping", "nomad web" */
	enum svc_src_kind	 kind;
	enum src_state		 state;
	const char		*reason;	/* what its last result saw */
	uint16_t		 rise, fall;
	uint16_t		 passes, failures;	/* the current runs */
	const struct check	*check;		/* SVC_SRC_CHECK, for check_info */
	const struct nomad_watch *nomad;	/* SVC_SRC_NOMAD */
};

/* fill *si from s */
void	svc_info(const struct svc *s, struct svc_info *si);
/* fill *si from source k (< svc_info's nsrcs) of s */
void	svc_src_info(const struct svc *s, size_t k, struct svc_src_info *si);

#endif
