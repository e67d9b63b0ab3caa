/*
 * bfd.h - the BFD speaker: every BFD session of the daemon, one per BGP
 * peer that enables it.  It ties the pure machine (bfd/fsm.c) and codec
 * (bfd/pkt.c) to the sockets (bfd/link.c) and to one timer per session,
 * on a loop of its own in a thread of its own, so that nothing the
 * daemon's loop does can make a packet late; and it tells its owner, on
 * the owner's loop, when a session's state changes.  What BFD does to
 * BGP is the owner's (nomcastd) business.  Every function here is called
 * from the owner's thread.
 *
 * Received packets are matched to a session by Your Discriminator, or,
 * when that is zero, by the peer's address and the port (single hop or
 * multihop) they came to.
 */
#ifndef NOMCAST_BFD_H
#define NOMCAST_BFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bfd/bfd_conf.h"
#include "bfd/fsm.h"
#include "lib/prefix.h"

struct ev_loop;
struct bfd;
struct bfd_session;

/*
 * A session changed state.  old and s's new state are enum bfd_state;
 * failed is true for a real failure (Up -> Down by detection time or by
 * the remote saying Down), false for AdminDown either way (RFC 5882 3.2:
 * not a path failure) and for every transition that is not out of Up.
 */
typedef void bfd_state_fn(void *ctx, struct bfd_session *s, uint8_t old,
	    uint8_t state, bool failed);
/* It runs on the owner's loop, soon after the change, each change in
 * order (a session that changes faster than the owner's loop turns has
 * its last ones merged, any failure kept); it may delete s
 * (bfd_session_del) but not free the speaker. */

/* loop: the owner's.  NULL when out of memory or threads */
struct bfd	*bfd_new(struct ev_loop *loop);
/* every session goes AdminDown (a few packets, sent now), then all closes;
 * no bfd_state_fn is called */
void		 bfd_free(struct bfd *b);
/*
 * For tests, two speakers in one process: the ports to listen on and the
 * peers' ports to send to (0: the standard ones).  Before any session.
 */
void		 bfd_set_ports(struct bfd *b, uint16_t single, uint16_t multi,
	    uint16_t peer_single, uint16_t peer_multi);

/*
 * For tests: hold the speaker's thread still, as a hung process would be
 * (nothing sent, nothing read), until called again with false.  The
 * owner may still call the functions here meanwhile.
 */
void		 bfd_freeze(struct bfd *b, bool frozen);

/*
 * A session to peer (from local, if set), with cf's timers and key;
 * name is for the log (the BGP peer's).  NULL with *err on failure (no
 * descriptor: the caller retries later).  Starts Down at the slow rate.
 */
struct bfd_session *bfd_session_add(struct bfd *b, const char *name,
	    const struct addr *peer, const struct addr *local,
	    const struct conf_bfd *cf, bfd_state_fn *fn, void *ctx,
	    const char **err);
/*
 * The same, taking up a session the previous process handed over (see
 * struct bfd_handover in fsm.h): Up at once, with its discriminators and
 * source port, then a Poll to cf's timers.  No bfd_state_fn call for the
 * start: it is Up as it was.  A discriminator already in use makes it a
 * new session, Down.
 */
struct bfd_session *bfd_session_resume(struct bfd *b, const char *name,
	    const struct addr *peer, const struct addr *local,
	    const struct conf_bfd *cf, bfd_state_fn *fn, void *ctx,
	    const struct bfd_handover *h, const char **err);
/*
 * A graceful exit, step 1: a Poll announcing a TX interval so slow that
 * the remote's Detection Time is detect_us (the restart time).
 */
void		 bfd_session_handover_begin(struct bfd_session *s,
	    uint64_t detect_us);
/*
 * Step 2, once the remote's Final came: the session's state into h, and
 * the session falls silent (no packet sent or answered, no AdminDown
 * when it is deleted).  -1 while it is not Up or the Poll is not over.
 */
int		 bfd_session_handover_take(struct bfd_session *s,
	    struct bfd_handover *h);
/* AdminDown to the peer (a few packets at once), then gone; no
 * bfd_state_fn is called (a handed-over session goes silently) */
void		 bfd_session_del(struct bfd_session *s);
/* new timers (a Poll sequence, no flap); cf must be session-same */
void		 bfd_session_set_conf(struct bfd_session *s,
	    const struct conf_bfd *cf);
/* AdminDown while the owner wants it (a planned restart; a few packets
 * at once), and back to Down; the change goes to the bfd_state_fn, as
 * every change does */
void		 bfd_session_admin(struct bfd_session *s, bool down);

struct bfd_session_info {
	const char	*name;
	struct addr	 peer, local;
	uint16_t	 src_port;
	bool		 multihop;
	uint8_t		 state, remote_state;	/* enum bfd_state */
	uint8_t		 local_diag, remote_diag;
	uint32_t	 local_discr, remote_discr;
	uint32_t	 tx_interval_us;	/* negotiated, before jitter */
	uint32_t	 rx_interval_us;	/* the remote's, in effect */
	uint64_t	 detect_time_us;
	uint8_t		 detect_mult, remote_detect_mult;
	uint8_t		 auth_type;
	uint64_t	 up_since_ms;		/* mono_ms(); 0 never Up */
	uint64_t	 changed_ms;		/* mono_ms() of the last change */
	struct bfd_counters cnt;		/* the machine's */
	uint64_t	 tx_errors;
	uint64_t	 tx_gap_max_us;		/* widest gap between two sends
						 * while Up (late sends show) */
	uint64_t	 downs;			/* failures (Up -> Down) */
};

void		 bfd_session_info(const struct bfd_session *s,
	    struct bfd_session_info *si);
/* the speaker's sessions (show and metrics walk the peers instead) */
size_t		 bfd_nsessions(const struct bfd *b);
struct bfd_session *bfd_session_at(const struct bfd *b, size_t i);
/* datagrams dropped before any session saw them (single-hop TTL, size,
 * decode, no session, authentication) */
struct bfd_drops {
	uint64_t	ttl, truncated, decode, no_session, auth;
};
void		 bfd_drops(struct bfd *b, struct bfd_drops *d);

#endif
