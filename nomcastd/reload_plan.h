/*
 * reload_plan.h - what a reload will do, decided before anything is done.
 *
 * reload_plan_make() compares the running config with the new one and
 * marks every peer, service and check KEEP (unchanged: runs on, untouched),
 * RESET (the same name with a changed definition: a peer's session is
 * reset, a check restarts with its new settings, a service is re-evaluated
 * under its new definition with its verdict kept), ADD or DELETE.  Objects
 * are matched by name.  The plan also says whether the listener must be
 * reopened, the metrics endpoint restarted, whether [nomad] changed, and
 * which changed keys only take effect at the next start.  Pure: no I/O;
 * reload.c carries the plan out.
 */
#ifndef NOMCAST_RELOAD_PLAN_H
#define NOMCAST_RELOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "nomcastd/config.h"

enum plan_op {
	PLAN_KEEP,
	PLAN_RESET,
	PLAN_ADD,
	PLAN_DELETE,
	PLAN_NOPS
};

#define PLAN_NONE	((size_t)-1)

/* one kind of object (peers, services or checks) */
struct plan_list {
	size_t		 nold, nnew;
	enum plan_op	*old_op;	/* [nold]: KEEP, RESET or DELETE */
	enum plan_op	*new_op;	/* [nnew]: KEEP, RESET or ADD */
	size_t		*from;		/* [nnew]: old index, or PLAN_NONE */
	unsigned	 n[PLAN_NOPS];	/* how many of each */
};

#define PLAN_RESTART_MAX	8

struct reload_plan {
	struct plan_list peers, services, checks;
	bool		 listen_reopen;		/* address, port or MD5 keys */
	bool		 metrics_restart;	/* metrics-listen changed */
	bool		 nomad_same;		/* [nomad] unchanged */
	/* keys that changed but are read only at start-up */
	const char	*restart_only[PLAN_RESTART_MAX];
	size_t		 nrestart_only;
};

/* 0, or -1 when out of memory (p is empty then) */
int	reload_plan_make(struct reload_plan *p, const struct conf *oldc,
	    const struct conf *newc);
void	reload_plan_free(struct reload_plan *p);
/* "keep", "reset", "add", "delete" */
const char *plan_op_name(enum plan_op op);

#endif
