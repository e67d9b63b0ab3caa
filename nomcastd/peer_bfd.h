/*
 * peer_bfd.h - what BFD does to BGP: one BFD session per peer with
 * bfd = yes, and the gate it holds the peer's BGP session by.
 */
#ifndef NOMCAST_PEER_BFD_H
#define NOMCAST_PEER_BFD_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

struct nomcast;
struct conf;
struct plan_list;
struct bfd_session;

struct peer_bfd {
	struct nomcast	*nc;
	size_t		 idx;		/* the peer's, in nc->sp.peers */
	struct bfd_session *s;		/* NULL: BFD off, or no socket yet */
	ev_timer	 hold;		/* Up this long opens the gate */
	ev_timer	 retry;		/* the session could not be made */
	uint64_t	 downs;		/* BFD failures that closed BGP */
};

/*
 * nc->pbfd[i] is peer i's, or NULL without BFD (allocated one by one, so
 * that a reload moves them and the sessions' callbacks keep their ctx).
 * Before the peers start: the sessions, and strict peers' gates closed.
 */
void	peer_bfd_start(struct nomcast *nc);
/* every session AdminDown, then gone */
void	peer_bfd_stop(struct nomcast *nc);
/*
 * After a reload moved the peers (nc->conf is the new config, old the
 * previous one, pl the peers' plan): a session whose peer kept its
 * addresses and key stays, with new timers by a Poll sequence and no
 * flap; the others are made afresh or go.
 */
void	peer_bfd_reload(struct nomcast *nc, const struct conf *old,
	    const struct plan_list *pl);

#endif
