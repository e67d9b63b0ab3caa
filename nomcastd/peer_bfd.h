/*
 * peer_bfd.h - what BFD does to BGP: one BFD session per peer with
 * bfd = yes, and the gate it holds the peer's BGP session by.
 */
#ifndef NOMCAST_PEER_BFD_H
#define NOMCAST_PEER_BFD_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nomcast;
struct conf;
struct plan_list;
struct bfd_session;
struct restart_rec;

struct peer_bfd {
	struct nomcast	*nc;
	size_t		 idx;		/* the peer's, in nc->sp.peers */
	struct bfd_session *s;		/* NULL: BFD off, or no socket yet */
	ev_timer	 hold;		/* Up this long opens the gate */
	ev_timer	 retry;		/* the session could not be made */
	uint64_t	 downs;		/* BFD failures that closed BGP */
	bool		 resume_tried;	/* the previous process's session */
	bool		 handing;	/* a graceful exit slowed it down */
	bool		 handed;	/* and it is in the record */
};

/*
 * nc->pbfd[i] is peer i's, or NULL without BFD (allocated one by one, so
 * that a reload moves them and the sessions' callbacks keep their ctx).
 * Before the peers start: the sessions, and strict peers' gates closed.
 */
void	peer_bfd_start(struct nomcast *nc);
/* every session AdminDown (a handed-over one silent), then gone */
void	peer_bfd_stop(struct nomcast *nc);
/*
 * A graceful exit (struct bfd_handover in bfd/fsm.h says why not
 * AdminDown): each Up session of a peer with graceful restart negotiated
 * is slowed down by a Poll until the router's Detection Time is the
 * peer's restart time.  Returns how many were.
 */
size_t	peer_bfd_handover_begin(struct nomcast *nc);
/* those whose Poll is over, into r; true when none is still waiting */
bool	peer_bfd_handover_collect(struct nomcast *nc, struct restart_rec *r);
/*
 * After a reload moved the peers (nc->conf is the new config, old the
 * previous one, pl the peers' plan): a session whose peer kept its
 * addresses and key stays, with new timers by a Poll sequence and no
 * flap; the others are made afresh or go.
 */
void	peer_bfd_reload(struct nomcast *nc, const struct conf *old,
	    const struct plan_list *pl);

#endif
