/*
 * fsm.h - one BFD session's state machine (RFC 5880 section 6.8),
 * asynchronous mode, pure: no I/O, no clock, no randomness of its own.
 *
 * The caller owns the socket and one timer per session.  It passes the
 * time in (microseconds, monotonic) and a random draw for the jitter, so
 * every run of a test is the same.  After any call it re-arms its timer
 * for the earlier of bfd_sess_next_tx() and bfd_sess_deadline():
 *
 *	rx:	decode, bfd_auth_verify (if keyed), bfd_sess_rx
 *	timer:	bfd_sess_timeout; if now >= bfd_sess_next_tx:
 *		bfd_sess_build, encode, sign, send
 *
 * Variable names follow RFC 5880 6.8.1 (bfd.SessionState is state, ...).
 */
#ifndef NOMCAST_BFD_FSM_H
#define NOMCAST_BFD_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/pkt.h"

/* the rate of a session that is not Up (6.8.3) */
#define BFD_SLOW_TX_US		1000000u

/* the configured timers (reload may change them: bfd_sess_set_timers) */
struct bfd_timers {
	uint32_t	desired_min_tx_us;
	uint32_t	required_min_rx_us;
	uint8_t		detect_mult;		/* nonzero */
};

/* why bfd_sess_rx discarded a packet, one counter each */
enum bfd_discard {
	BFD_DISC_NONE = 0,	/* accepted */
	BFD_DISC_INVALID,	/* Detect Mult or My Discriminator zero */
	BFD_DISC_DISCR,		/* Your Discriminator not ours, or zero
				 * while the remote claims Init/Up */
	BFD_DISC_AUTH,		/* A bit or auth type differs from ours */
	BFD_DISC_SEQ,		/* auth sequence number outside the window */
	BFD_DISC_ADMIN_DOWN,	/* we are AdminDown */
};
#define BFD_DISC_MAX	6

struct bfd_rx_result {
	uint8_t		discard;	/* enum bfd_discard */
	bool		changed;	/* state changed: see s->state */
	bool		send_now;	/* a Final is owed: build and send now */
};

struct bfd_counters {
	uint64_t	rx;			/* every packet passed to rx */
	uint64_t	tx;			/* every packet built */
	uint64_t	discarded[BFD_DISC_MAX];
	uint64_t	transitions;		/* state changes */
	/* accepted while Up more than the remote's agreed TX interval
	 * after the previous one (a sender never jitters later) */
	uint64_t	late;
};

struct bfd_sess {
	/* RFC 5880 6.8.1 */
	uint8_t		state;			/* bfd.SessionState */
	uint8_t		remote_state;		/* bfd.RemoteSessionState */
	uint32_t	local_discr;		/* bfd.LocalDiscr */
	uint32_t	remote_discr;		/* bfd.RemoteDiscr */
	uint8_t		local_diag;		/* bfd.LocalDiag */
	uint32_t	desired_min_tx;		/* bfd.DesiredMinTxInterval */
	uint32_t	required_min_rx;	/* bfd.RequiredMinRxInterval */
	uint32_t	remote_min_rx;		/* bfd.RemoteMinRxInterval */
	uint32_t	remote_desired_min_tx;	/* last received Desired Min TX */
	bool		remote_demand;		/* bfd.RemoteDemandMode */
	uint8_t		detect_mult;		/* bfd.DetectMult */
	uint8_t		remote_detect_mult;	/* last received Detect Mult */
	uint8_t		auth_type;		/* bfd.AuthType */
	uint32_t	rcv_auth_seq;		/* bfd.RcvAuthSeq */
	uint32_t	xmit_auth_seq;		/* bfd.XmitAuthSeq */
	bool		auth_seq_known;		/* bfd.AuthSeqKnown */

	/*
	 * The values sent are desired_min_tx and required_min_rx; while Up a
	 * slower TX or a faster RX waits for the Final of the Poll that
	 * announced it (6.8.3), so the ones in effect are kept apart.
	 */
	uint32_t	tx_in_effect;
	uint32_t	rx_in_effect;
	bool		poll;			/* our Poll awaits its Final */
	bool		final_owed;		/* the remote polled us */
	bool		tx_owed;		/* send at once (state changed) */

	struct bfd_timers cfg;
	struct bfd_key	key;			/* when auth_type != NONE */

	bool		rx_live;		/* a packet within Detection Time */
	uint64_t	last_rx_us;
	uint64_t	next_tx_us;		/* the next periodic packet */
	uint64_t	up_since_us;		/* when it last went Up */
	uint64_t	changed_us;		/* when the state last changed */
	struct bfd_counters cnt;
};

/*
 * Down, diag 0, the slow rate.  key NULL for no authentication, else
 * copied.  seq0 is a random draw for bfd.XmitAuthSeq (6.8.1).
 */
void	bfd_sess_init(struct bfd_sess *s, const struct bfd_timers *t,
	    uint32_t local_discr, const struct bfd_key *key, uint32_t seq0);

/*
 * A decoded packet for this session (the caller picked it by Your
 * Discriminator, or by address when that is zero, and has checked the
 * digest).  Applies RFC 5880 6.8.6.
 */
struct bfd_rx_result bfd_sess_rx(struct bfd_sess *s, const struct bfd_pkt *p,
	    uint64_t now_us);

/* Whether the packet's sequence number fits the window of 6.7.3/6.7.4. */
bool	bfd_sess_auth_seq_ok(const struct bfd_sess *s, const struct bfd_pkt *p);

/*
 * The packet to send now (the digest is the signer's).  Sets F if a Final
 * is owed, else P during a Poll, and schedules the next periodic packet
 * at now plus the jittered interval (rnd: a uniform random draw).
 */
void	bfd_sess_build(struct bfd_sess *s, struct bfd_pkt *out,
	    uint64_t now_us, uint32_t rnd);

/* When to call bfd_sess_build next: 0 when something is owed now,
 * UINT64_MAX while the remote wants no periodic packets. */
uint64_t bfd_sess_next_tx(const struct bfd_sess *s);

/* The negotiated TX interval (6.8.2), before jitter. */
uint32_t bfd_sess_tx_interval(const struct bfd_sess *s);

/* The Detection Time (6.8.4); 0 before the first packet. */
uint64_t bfd_sess_detect_time(const struct bfd_sess *s);

/* When bfd_sess_timeout has something to do; UINT64_MAX if never. */
uint64_t bfd_sess_deadline(const struct bfd_sess *s);

/* Detection Time expired: Init/Up -> Down, diag 1.  Returns true if
 * the state changed. */
bool	bfd_sess_timeout(struct bfd_sess *s, uint64_t now_us);

/* New configured timers: a Poll sequence announces them (6.8.3). */
void	bfd_sess_set_timers(struct bfd_sess *s, const struct bfd_timers *t);

/* 6.8.16.  admin_down sends AdminDown, diag 7, until admin_up (Down). */
void	bfd_sess_admin_down(struct bfd_sess *s, uint64_t now_us);
void	bfd_sess_admin_up(struct bfd_sess *s, uint64_t now_us);

/*
 * RFC 5882 3.2: the remote taking the session AdminDown is not a path
 * failure, and must not take the client protocol down.
 */
bool	bfd_sess_remote_admin_down(const struct bfd_sess *s);

/*
 * A session handed from one process to the next across a graceful
 * restart of nomcastd (nomcastd(8), "Graceful restart").  RFC 5882 3.2
 * would have the old process send AdminDown, but routers that take
 * AdminDown as a failure (BIRD before 2.14) then drop the routes they
 * were asked to keep.  Instead the old process slows the session with a
 * Poll sequence, so that the remote's Detection Time covers the restart,
 * and falls silent; the new one takes the session up where it was left,
 * same discriminators, and speeds it up again with another Poll.  To the
 * remote it is one session that was Up all along.
 */
struct bfd_handover {
	uint32_t	local_discr, remote_discr;
	uint32_t	xmit_auth_seq;
	uint32_t	desired_min_tx;		/* as last announced */
	uint32_t	required_min_rx;
	uint32_t	remote_min_rx, remote_desired_min_tx;
	uint8_t		detect_mult, remote_detect_mult;
	uint16_t	src_port;		/* the speaker's, not the machine's */
};

/*
 * The slow rate for a handover: Desired Min TX such that the remote's
 * Detection Time (our Detect Mult times it) is detect_us.
 */
uint32_t bfd_sess_slow_tx(const struct bfd_sess *s, uint64_t detect_us);
/*
 * The session's state for the next process: true when it is Up and no
 * Poll of ours is pending (the remote runs on what we announced last).
 */
bool	bfd_sess_handover(const struct bfd_sess *s, struct bfd_handover *h);
/*
 * Take up a handed-over session: Up, the remote Up as it was, then a Poll
 * announcing t.  The remote's sequence numbers went on meanwhile, so any
 * is accepted once (6.7.3, bfd.AuthSeqKnown 0); ours continue from h.
 */
void	bfd_sess_resume(struct bfd_sess *s, const struct bfd_timers *t,
	    const struct bfd_key *key, const struct bfd_handover *h,
	    uint64_t now_us);

#endif
