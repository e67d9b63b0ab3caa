/*
 * session.h - the session adapter: libev watchers and sockets around the
 * pure FSM (fsm.c) and codec (msg.c).  One struct peer per configured
 * router; each peer has a main connection and, during a connection
 * collision (RFC 4271 6.8), a second one until the collision is resolved.
 */
#ifndef NOMCAST_SESSION_H
#define NOMCAST_SESSION_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bgpd/fsm.h"
#include "lib/log.h"
#include "bgpd/msg.h"
#include "bgpd/peer_conf.h"
#include "bgpd/ribout.h"

struct nomcast;
struct peer;

/* one TCP connection and the FSM instance that runs it */
struct conn {
	struct peer	*peer;
	struct fsm	 fsm;
	int		 fd;
	bool		 inbound;
	ev_io		 rio, wio;
	ev_timer	 connect_retry, hold, keepalive;
	ev_timer	 send_hold;	/* RFC 9687: runs while output waits */
	uint8_t		 rbuf[2 * BGP_MAX_MSG];
	size_t		 rlen;
	uint8_t		*wbuf;		/* owned; pending output */
	size_t		 wlen, wcap;
	/*
	 * The queue reached WQ_HIGH and the Adj-RIB-Out was left pending:
	 * the flush resumes when the socket has taken the queue down.
	 */
	bool		 wfull;
	struct bgp_open	 peer_open;	/* the peer's OPEN, once received */
	bool		 open_rcvd;
	struct bgp_err	 err;		/* for FSM_ACT_SEND_NOTIF_ERR */
	struct addr	 local;		/* our address on this connection */
	unsigned	 depth;		/* re-entrancy guard for events */
	enum fsm_event	 queue[8];
	unsigned	 qlen;
};

struct peer_stats {
	uint64_t	msgs_in, msgs_out;
	uint64_t	updates_in, updates_out;
	/* UPDATEs the session survived (RFC 7606): by the action taken */
	uint64_t	updates_treat_as_withdraw, updates_attr_discard;
	uint64_t	flaps;		/* times Established was left */
	uint64_t	send_hold_expired;	/* RFC 9687 teardowns */
	uint64_t	eor_sent, eor_rcvd;	/* End-of-RIB markers, all
						 * families (RFC 4724 2) */
	uint64_t	transitions[FSM_NSTATES];	/* entries into each state */
};

struct peer;

/*
 * What the speaker tells its owner, always from the loop: a session
 * reached Established (send it the routes), went back to Idle (the peer
 * forgot them), or its output queue emptied (what was queued, a withdraw
 * say, is in the kernel now); and what it asks when it sends an OPEN:
 * whether the peer will carry IPv6 routes (the speaker knows no
 * services).  Any hook may be NULL (no IPv6 offered unless the session
 * runs over IPv6).
 */
struct bgp_hooks {
	void	(*established)(void *ctx, struct peer *p);
	void	(*idle)(void *ctx, struct peer *p);
	void	(*drained)(void *ctx, struct peer *p);
	bool	(*offer_ipv6)(void *ctx, const struct peer *p);
	void	*ctx;
};

/* the BGP speaker: its peers and its listener, on one loop */
struct bgp_speaker {
	struct ev_loop	*loop;
	const struct conf_bgp *conf;	/* the owner's; a reload replaces
					 * it in place */
	struct peer	**peers;	/* [npeers], one per configured peer,
					 * peers[i]->cf the i-th */
	size_t		 npeers;
	int		 listen_fd;	/* -1 if not listening */
	ev_io		 listen_io;
	/*
	 * Out of descriptors (EMFILE/ENFILE): the listener rests for a
	 * while instead of spinning on a connection it cannot take.
	 */
	ev_timer	 listen_pause;
	bool		 listen_paused;	/* this shortage is logged */
	bool		 stopping;	/* shutting down: accept no one */
	/*
	 * Coming back from a graceful restart (RFC 4724 4.1): OPENs carry
	 * the Restart State and Forwarding State bits while gr_restarting
	 * (the owner clears it once the restart time is over), and while
	 * gr_eor_held a peer that negotiated graceful restart gets no
	 * End-of-RIB until the owner has its first verdicts (it clears
	 * gr_eor_held and calls peer_send_eor).  Verdicts may be in before
	 * any session is up: the OPENs still say R, and End-of-RIB then
	 * follows Established at once.
	 */
	bool		 gr_restarting;
	bool		 gr_eor_held;
	struct log_rl	 rl_unknown;	/* connections from strangers */
	struct bgp_hooks hooks;
};

/* a line about peer p: peer=<address> first, then fmt (log.h's rule) */
#define peer_log(p, lvl, ...) \
	do { if (log_enabled(lvl)) log_obj((lvl), "peer", (p)->addr_str, \
	    NULL, __VA_ARGS__); } while (0)
/* the same, rate-limited by the peer's bucket */
#define peer_log_rl(p, lvl, ...) \
	log_obj((lvl), "peer", (p)->addr_str, &(p)->rl, __VA_ARGS__)
/*
 * The UPDATE errors a session survives (RFC 7606) have a bucket of their
 * own: a burst of refused connections must not silence them.
 */
#define peer_log_upd(p, lvl, ...) \
	log_obj((lvl), "peer", (p)->addr_str, &(p)->rl_upd, __VA_ARGS__)

struct peer {
	struct bgp_speaker *sp;
	const struct conf_peer *cf;	/* points into the owner's config */
	size_t		 idx;		/* its index in sp->peers */
	char		 addr_str[PREFIX_STRLEN];
	struct conn	 c;		/* the main connection */
	struct conn	*coll;		/* collision candidate, owned */
	struct ribout	*ro;		/* owned */
	struct upd_opts	 opts;		/* negotiated */
	bool		 afi_ok[3];	/* negotiated families */
	uint16_t	 hold_time;	/* negotiated */
	ev_timer	 restart;	/* Idle -> AutomaticStart backoff */
	uint32_t	 fails;		/* failures since the session was last
					 * stable, for the backoff */
	uint64_t	 est_at;	/* mono_ms() Established was reached */
	bool		 stopping;	/* ManualStop given: stay Idle */
	bool		 gated;		/* closed by peer_gate (BFD): Idle
					 * until it opens */
	bool		 flushing;	/* inside ribout_flush() */
	bool		 admin_cease_rcvd;	/* the peer's operator ended
						 * the session: no flap */
	bool		 gr_ok;		/* both OPENs had Graceful Restart */
	bool		 gr_notif;	/* and both the N bit (RFC 8538): a
					 * Cease that must end the routes is
					 * sent as a Hard Reset */
	bool		 gr_closing;	/* peer_stop_graceful(): the routes
					 * stay, no Hard Reset */
	bool		 eor_sent;	/* in this session */
	uint8_t		 stop_subcode;	/* Cease subcode of that stop, 0 = 2 */
	time_t		 since;		/* last state change */
	struct bgp_err	 last_err;	/* last NOTIFICATION sent or received */
	bool		 last_err_rcvd;
	struct peer_stats st;
	struct log_rl	 rl;
	struct log_rl	 rl_upd;	/* RFC 7606 warnings */
};

/* owned by the speaker's owner; NULL on no memory */
struct peer *peer_new(struct bgp_speaker *sp, const struct conf_peer *cf,
	    size_t idx);
void	peer_free(struct peer *p);
/* p->cf changed (reload): refresh what was derived from it */
void	peer_rename(struct peer *p);
/* start the session (AutomaticStart, passive if configured) */
void	peer_start(struct peer *p);
/*
 * Withdraw everything, then Cease/Administrative Shutdown with the
 * configured message, and close.  The peer stays Idle.
 */
void	peer_stop(struct peer *p);
/*
 * The same, closing with another Cease subcode: Peer De-configured or
 * Other Configuration Change on a reload (RFC 4486).
 */
void	peer_stop_reason(struct peer *p, uint8_t cease_subcode);
/*
 * Something beside BGP (BFD) says whether the session may run.  Closing
 * the gate ends a session that is up or on its way with Cease and
 * cease_subcode (RFC 9384: BFD Down), without withdrawing first (the path
 * is gone), and keeps the peer Idle, refusing its connections; opening it
 * starts the session at once unless it is stopped.
 */
void	peer_gate(struct peer *p, bool open, uint8_t cease_subcode);
/*
 * Leave for a graceful restart: no withdraw, and the session closed the
 * way the peer keeps our routes as stale for the restart time: a
 * Cease/Administrative Reset when both sides sent the N bit (RFC 8538),
 * else no NOTIFICATION at all (RFC 4724 4).  A peer that did not
 * negotiate graceful restart gets peer_stop() instead.
 */
void	peer_stop_graceful(struct peer *p);
/*
 * End the initial update (RFC 4724 2): send what the Adj-RIB-Out holds,
 * then an End-of-RIB for each family, once per session.  No-op unless
 * Established.
 */
void	peer_send_eor(struct peer *p);
/*
 * Withdraw prefix px now even though this session never announced it:
 * after a graceful restart the peer still holds it as stale.
 */
void	peer_withdraw_stale(struct peer *p, const struct prefix *px);
bool	peer_is_established(const struct peer *p);
/* send what the Adj-RIB-Out holds pending; no-op unless Established */
void	peer_flush(struct peer *p);
/*
 * bytes still queued for the peer's socket (0 once written); at least 1
 * while UPDATEs wait for the queue to go down before they are built
 */
size_t	peer_pending_output(const struct peer *p);

/* the listening socket: accept, match a peer, or close and log */
int	session_listen(struct bgp_speaker *sp);
void	session_listen_close(struct bgp_speaker *sp);

/*
 * What an observer (the control commands, the metrics) may know of a
 * peer: values copied out, strings and the Adj-RIB-Out borrowed until
 * the peer changes.  Observers read this, never struct peer.
 */
struct peer_info {
	const char		*name;		/* as configured */
	const char		*address;	/* the peer's, as text */
	const struct conf_peer	*cf;		/* port, AS, hold time... */
	enum fsm_state		 state;
	bool			 admin_down;	/* stopped: stays Idle */
	bool			 gated;		/* held Idle by peer_gate */
	time_t			 since;		/* last state change */
	struct addr		 local;		/* ours; unset unless
						 * Established */
	bool			 has_remote_id;	/* its OPEN, in OpenConfirm+ */
	uint32_t		 remote_id;	/* host order */
	/* in OpenConfirm and Established: what the OPENs agreed */
	bool			 negotiated;
	uint16_t		 hold_time;
	bool			 as4, ipv4, ipv6;
	bool			 route_refresh, enhanced_route_refresh;
	bool			 graceful_restart;	/* the peer sent it */
	bool			 gr_negotiated;		/* both sent it */
	bool			 gr_notification;	/* both sent N */
	uint16_t		 gr_peer_time;		/* its restart time */
	bool			 eor_sent;		/* this session */
	struct peer_stats	 st;
	size_t			 prefixes_out;	/* sent and not withdrawn */
	size_t			 prefixes_desired;
	bool			 has_last_err;
	struct bgp_err		 last_err;	/* last NOTIFICATION */
	bool			 last_err_rcvd;	/* received, not sent */
	const struct ribout	*ro;		/* for ribout_walk_sent() */
};

/* fill *pi from p (the main connection's session) */
void	peer_info(const struct peer *p, struct peer_info *pi);

#endif
