/*
 * gr_decide.h - which exit is graceful: the rule, pure (no I/O).
 *
 * A graceful exit (RFC 4724) asks the routers to keep this node's routes
 * while nomcastd is away.  That is right for a restart of the nomcast
 * task alone (an upgrade, a template change, a crash-loop's restart):
 * the proxy keeps serving.  It is wrong whenever the proxy is going too
 * (the alloc is stopping, drained, deregistered) or already unhealthy:
 * then the routes must go now, not after the restart time.  When the
 * inputs cannot tell the two apart the exit is hard: a route withdrawn
 * for a second costs a re-announce, a stale route to a stopped proxy
 * costs failed requests.
 */
#ifndef NOMCAST_GR_DECIDE_H
#define NOMCAST_GR_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

/* nomcastctl exit-mode / shutdown */
enum gr_force {
	GR_FORCE_NONE,		/* auto: decided here */
	GR_FORCE_GRACEFUL,
	GR_FORCE_HARD,
};

/* the alloc's DesiredStatus, as Nomad answered at the exit */
enum gr_alloc {
	GR_ALLOC_UNKNOWN,	/* no answer, an error, or not asked */
	GR_ALLOC_RUN,
	GR_ALLOC_STOP,		/* stop, evict, or the alloc is gone */
};

/* a service's registration for this alloc in Nomad's catalog */
enum gr_reg {
	GR_REG_UNKNOWN,
	GR_REG_YES,
	GR_REG_NO,
};

struct gr_svc {
	const char	*name;
	bool		 announced;	/* routes out now (not draining) */
	bool		 draining;	/* drained by hand or by Nomad */
	bool		 nomad;		/* health from Nomad's catalog */
	enum gr_reg	 reg;		/* meaningful when nomad */
};

struct gr_in {
	enum gr_force	 force;
	size_t		 peers_gr;	/* Established with GR negotiated */
	bool		 nomad;		/* a Nomad client is configured */
	enum gr_alloc	 alloc;
	const struct gr_svc *svc;
	size_t		 nsvc;
};

struct gr_out {
	bool		 graceful;
	char		 why[200];	/* one sentence for the log */
};

void	gr_decide(const struct gr_in *in, struct gr_out *out);
/* the exit mode's name, as nomcastctl says it: "auto", "graceful", "hard" */
const char *gr_force_name(enum gr_force f);
int	gr_force_parse(const char *s, enum gr_force *f);

#endif
