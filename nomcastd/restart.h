/*
 * restart.h - graceful restart (RFC 4724) as nomcastd lives it, the
 * daemon's side: the speaker (bgpd/session.c) has the capability, the
 * Restart State bit and End-of-RIB; here is when they are used.
 *
 * Coming back: a record left by a graceful exit (restart_rec.h), of this
 * boot and younger than the restart time, makes this start a graceful
 * restart.  The routes the peers kept stay until the first verdicts: a
 * service whose first verdict is down is withdrawn at once, and the
 * End-of-RIB goes out when every service has a verdict, or when
 * restart-defer-time runs out.
 *
 * Leaving: at SIGTERM/SIGINT (or nomcastctl shutdown) gr_decide.h says
 * whether this exit is graceful, from what Nomad says now; a graceful
 * exit withdraws nothing, keeps the VIPs, closes each session the way
 * its peer keeps our routes and writes the record.
 */
#ifndef NOMCAST_RESTART_H
#define NOMCAST_RESTART_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nomcastd/gr_decide.h"
#include "nomcastd/restart_rec.h"

struct nomcast;
struct svc;
struct peer;
struct conf;

typedef void restart_left_fn(struct nomcast *nc);

#define RESTART_BFD_WAIT_MS	1000

struct restart_state {
	/* this start */
	bool		 came_back;	/* from a graceful exit's record */
	struct restart_rec rec;		/* that record (its BFD sessions) */
	char		 record_why[200];	/* why a record was not used */
	uint64_t	 start_ms;	/* mono_ms() of the start */
	uint64_t	 eor_ms;	/* End-of-RIB this long after start,
					 * 0 = not yet (or no restart) */
	bool		 eor_by_timer;	/* restart-defer-time ran out */
	ev_timer	 defer;
	ev_timer	 rbit;		/* the restart time: R off after it */
	/* the exit */
	enum gr_force	 mode;		/* nomcastctl exit-mode */
	bool		 deciding;	/* waiting for Nomad's answer */
	bool		 graceful;	/* the exit keeps routes and VIPs */
	struct restart_rec out;		/* the record being made */
	ev_timer	 leave_tm;	/* waiting for the BFD handovers */
	uint64_t	 leave_deadline;	/* mono_ms() */
	restart_left_fn	*left;
};

/* the record's path: restart-state, or beside the alloc, or /run */
int	restart_path(const struct conf *c, char *buf, size_t len);
/* before the peers start: read the record, set the Restart State */
void	restart_begin(struct nomcast *nc);
/* a service's verdict changed (first verdicts end the restart) */
void	restart_verdict(struct nomcast *nc, const struct svc *s);
/* a peer is Established during the restart: withdraw what is known down */
void	restart_peer_up(struct nomcast *nc, struct peer *p);
/* the decision's inputs from the running daemon; svc holds nc->nsvcs */
void	restart_inputs(const struct nomcast *nc, enum gr_force force,
	    enum gr_alloc alloc, struct gr_svc *svc, struct gr_in *in);
/*
 * The graceful exit: BFD sessions slowed down and handed over (or
 * AdminDown), BGP sessions closed keeping the routes, the record
 * written; then left(nc), which ends the loop.  Waits for the routers'
 * BFD Finals, at most RESTART_BFD_WAIT_MS.
 */
void	restart_leave(struct nomcast *nc, const char *why,
	    restart_left_fn *left);
void	restart_stop(struct nomcast *nc);

#endif
