/*
 * service.h - the services at run time: their checks, verdicts and VIPs.
 *
 * A check result goes to the verdict of every service it gates; a verdict
 * change goes to every peer in the same loop iteration (no queue, no
 * periodic flush), with the VIP added before an announcement and removed
 * only after the withdraw has been written.
 */
#ifndef NOMCAST_SERVICE_H
#define NOMCAST_SERVICE_H

#include <ev.h>
#include <stdbool.h>

#include "check.h"
#include "config.h"
#include "verdict.h"

struct nomcast;

/* how a service's prefixes go to the peers now */
enum svc_mode {
	SVC_MODE_NONE,		/* not announced */
	SVC_MODE_NORMAL,
	SVC_MODE_DEGRADED,	/* on-down = degrade */
};

struct svc {
	struct nomcast		*nc;
	const struct conf_service *cf;	/* points into nc->conf */
	struct verdict		 v;
	struct verdict_src	 srcs[CONF_MAX_CHECKS];	/* one per check */
	size_t			 nsrcs;
	enum svc_mode		 mode;
	bool			 vip_on;	/* addresses on the interface */
	ev_timer		 recheck;	/* hold-down expiry */
	ev_timer		 vip_wait;	/* withdraw not yet written */
	unsigned		 vip_wait_n;
};

/* build the run-time services and checks, start the checks; 0 or -1 */
int	services_start(struct nomcast *nc);
/* stop the checks; remove every VIP (after the withdraw); free */
void	services_stop(struct nomcast *nc);
/* remove the VIPs now (at exit, after the withdraws were written) */
void	services_vip_release(struct nomcast *nc);

#endif
