/*
 * fsm.c - the RFC 4271 section 8.2.2 finite state machine, pure.
 *
 * One nested switch (state) { switch (event) }, as in OpenBGPD's bgp_fsm(),
 * with a default arm per state.  The FSM never does anything itself: it
 * appends FSM_ACT_* entries to struct fsm_actions, in the order the RFC
 * lists the steps, and session.c carries them out.
 *
 * Session attributes (RFC 4271 8.1.1) as nomcast sets them:
 *
 *  - DelayOpen FALSE.  DelayOpenTimer_Expires (12) and "BGPOpen with
 *    DelayOpenTimer running" (20) cannot occur; if they are raised anyway
 *    they take the state's "any other event" arm.
 *  - DampPeerOscillations FALSE.  The damped starts (6, 7) act like the
 *    plain AutomaticStart (3) and its passive form (5); IdleHoldTimer_Expires
 *    (13) is ignored in Idle and is "any other event" elsewhere.  Backoff
 *    between restarts is the session's (it sends AutomaticStart after a
 *    delay that grows with consecutive failures).
 *  - SendNOTIFICATIONwithoutOPEN FALSE: no NOTIFICATION from Connect or
 *    Active, where no OPEN has been sent yet.
 *  - CollisionDetectEstablishedState FALSE: the session refuses a second
 *    connection in Established itself (Cease/Connection Rejected).
 *  - PassiveTcpEstablishment: events 4, 5 and 7, or f->passive (see the
 *    Idle and Active arms).
 *
 * Every way into Idle goes through fsm_drop(): stop all three timers,
 * RELEASE (the session forgets what Adj-RIB-Out it had sent, RFC 4271
 * "releases all BGP resources" / "deletes all routes associated with this
 * connection"), CLOSE (a no-op when no connection exists).  The timers are
 * stopped even where the RFC only names the ConnectRetryTimer, so that no
 * timer can fire into Idle.
 */
#include <stddef.h>

#include "bgpd/fsm.h"
#include "bgpd/notif.h"

/* what a transition does to the ConnectRetryCounter */
enum fsm_crc {
	FSM_CRC_KEEP,
	FSM_CRC_ZERO,
	FSM_CRC_INCR,
};

static void
fsm_act(struct fsm_actions *out, enum fsm_act_type t)
{
	/* no transition emits more than 6; the bound only guards the array */
	if (out->n >= FSM_MAX_ACTIONS)
		return;
	out->a[out->n].type = t;
	out->a[out->n].code = 0;
	out->a[out->n].subcode = 0;
	out->n++;
}

static void
fsm_act_notif(struct fsm_actions *out, uint8_t code, uint8_t subcode)
{
	if (out->n >= FSM_MAX_ACTIONS)
		return;
	out->a[out->n].type = FSM_ACT_SEND_NOTIF;
	out->a[out->n].code = code;
	out->a[out->n].subcode = subcode;
	out->n++;
}

/*
 * RFC 4271 4.4 and 8.2.2: with a negotiated hold time of 0 "the HoldTimer
 * and KeepaliveTimer are not started".  The FSM decides this itself rather
 * than relying on the session to read 0 as "stop": where it would start or
 * restart one of these timers it emits the matching STOP instead, which
 * also cancels the large HoldTimer set on entering OpenSent.
 */
static void
fsm_hold_restart(const struct fsm *f, struct fsm_actions *out)
{
	fsm_act(out, f->hold_zero ? FSM_ACT_STOP_HOLD : FSM_ACT_START_HOLD);
}

static void
fsm_keepalive_restart(const struct fsm *f, struct fsm_actions *out)
{
	fsm_act(out, f->hold_zero ? FSM_ACT_STOP_KEEPALIVE :
	    FSM_ACT_START_KEEPALIVE);
}

/*
 * The common tail of every transition to Idle (RFC 4271 8.2.2): "sets the
 * ConnectRetryTimer to zero, releases all BGP resources, drops the TCP
 * connection", then the counter as the RFC says for that event.  Any
 * NOTIFICATION is emitted by the caller first, so it is queued before the
 * connection is closed.
 */
static void
fsm_drop(struct fsm *f, struct fsm_actions *out, enum fsm_crc crc)
{
	fsm_act(out, FSM_ACT_STOP_CONNECT_RETRY);
	fsm_act(out, FSM_ACT_STOP_HOLD);
	fsm_act(out, FSM_ACT_STOP_KEEPALIVE);
	fsm_act(out, FSM_ACT_RELEASE);
	fsm_act(out, FSM_ACT_CLOSE);
	switch (crc) {
	case FSM_CRC_KEEP:
		break;
	case FSM_CRC_ZERO:
		f->connect_retry_counter = 0;
		break;
	case FSM_CRC_INCR:
		f->connect_retry_counter++;
		break;
	}
	f->state = FSM_IDLE;
}

/*
 * Connect or Active, the TCP connection is up (events 16, 17) and DelayOpen
 * is FALSE: "stops the ConnectRetryTimer ..., sends an OPEN message, sets
 * the HoldTimer to a large value [4 minutes], and changes its state to
 * OpenSent".
 */
static void
fsm_open_sent(struct fsm *f, struct fsm_actions *out)
{
	fsm_act(out, FSM_ACT_STOP_CONNECT_RETRY);
	fsm_act(out, FSM_ACT_SEND_OPEN);
	fsm_act(out, FSM_ACT_START_HOLD_LARGE);
	f->state = FSM_OPENSENT;
}

void
fsm_init(struct fsm *f, bool passive)
{
	f->state = FSM_IDLE;
	f->connect_retry_counter = 0;
	f->passive = passive;
	f->hold_zero = false;
}

enum fsm_state
fsm_step(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	bool passive;

	out->n = 0;
	/* not an RFC event: a caller bug, and no reason to drop a session */
	if (ev < FSM_EV_MIN || ev > FSM_EV_MAX)
		return f->state;

	switch (f->state) {
	case FSM_IDLE:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			/*
			 * The configured PassiveTcpEstablishment (f->passive)
			 * makes every start passive: a passive peer must
			 * never connect out, whatever start event it gets.
			 */
			passive = f->passive ||
			    ev == FSM_EV_MANUAL_START_PASSIVE ||
			    ev == FSM_EV_AUTOMATIC_START_PASSIVE ||
			    ev == FSM_EV_AUTOMATIC_START_DAMP_PASSIVE;
			f->connect_retry_counter = 0;
			fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
			if (passive) {
				f->state = FSM_ACTIVE;
			} else {
				fsm_act(out, FSM_ACT_CONNECT);
				f->state = FSM_CONNECT;
			}
			break;
		default:
			/*
			 * ManualStop and AutomaticStop are ignored; "any
			 * other event (Events 9-12, 15-28) ... does not cause
			 * change in the state"; 13 needs damping, 14 a
			 * connection Idle refuses.
			 */
			break;
		}
		break;

	case FSM_CONNECT:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			break;	/* "start events (Events 1, 3-7) are ignored" */
		case FSM_EV_MANUAL_STOP:
			fsm_drop(f, out, FSM_CRC_ZERO);
			break;
		case FSM_EV_CONNECT_RETRY_TIMER_EXPIRES:
			/* drop the attempt, restart the timer, try again */
			fsm_act(out, FSM_ACT_CLOSE);
			fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
			fsm_act(out, FSM_ACT_CONNECT);
			break;
		case FSM_EV_TCP_CONNECTION_VALID:
		case FSM_EV_TCP_CR_INVALID:
			break;	/* processed / rejected by the session; stay */
		case FSM_EV_TCP_CR_ACKED:
		case FSM_EV_TCP_CONNECTION_CONFIRMED:
			fsm_open_sent(f, out);
			break;
		case FSM_EV_TCP_CONNECTION_FAILS:
			/* no DelayOpenTimer running: Idle, same counter */
			fsm_drop(f, out, FSM_CRC_KEEP);
			break;
		case FSM_EV_BGP_HEADER_ERR:
		case FSM_EV_BGP_OPEN_MSG_ERR:
		case FSM_EV_NOTIF_MSG_VER_ERR:
			/*
			 * No NOTIFICATION (SendNOTIFICATIONwithoutOPEN is
			 * FALSE); counter + 1: the same as any other event.
			 */
		default:
			/* Events 8, 10-13, 19-20, 23, 25-28 */
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		}
		break;

	case FSM_ACTIVE:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			break;	/* "start events (Events 1, 3-7) are ignored" */
		case FSM_EV_MANUAL_STOP:
			fsm_drop(f, out, FSM_CRC_ZERO);
			break;
		case FSM_EV_CONNECT_RETRY_TIMER_EXPIRES:
			fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
			/*
			 * RFC 4271 moves to Connect and dials out.  A peer
			 * configured passive (8.1.1 PassiveTcpEstablishment:
			 * "passively wait for the remote BGP peer to establish
			 * the BGP TCP connection") keeps waiting in Active.
			 */
			if (!f->passive) {
				fsm_act(out, FSM_ACT_CONNECT);
				f->state = FSM_CONNECT;
			}
			break;
		case FSM_EV_TCP_CONNECTION_VALID:
		case FSM_EV_TCP_CR_INVALID:
			break;	/* processed / rejected by the session; stay */
		case FSM_EV_TCP_CR_ACKED:
		case FSM_EV_TCP_CONNECTION_CONFIRMED:
			fsm_open_sent(f, out);
			break;
		case FSM_EV_TCP_CONNECTION_FAILS:
			/*
			 * RFC 4271: "restarts the ConnectRetryTimer", counter
			 * + 1, Idle.  A ConnectRetryTimer left running in Idle
			 * can only deliver an event Idle ignores, and the
			 * session's restart backoff is what brings the peer
			 * back, so nomcast stops it like every other way into
			 * Idle.
			 */
		case FSM_EV_BGP_HEADER_ERR:
		case FSM_EV_BGP_OPEN_MSG_ERR:
		case FSM_EV_NOTIF_MSG_VER_ERR:
			/* no NOTIFICATION: SendNOTIFICATIONwithoutOPEN FALSE */
		default:
			/* Events 8, 10-13, 19-20, 23, 25-28 */
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		}
		break;

	case FSM_OPENSENT:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			break;
		case FSM_EV_MANUAL_STOP:
			/* session.c adds the RFC 9003 shutdown communication */
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_ZERO);
			break;
		case FSM_EV_AUTOMATIC_STOP:
			/*
			 * RFC 4271 says only "Cease".  nomcast raises
			 * AutomaticStop when it takes the peer down itself
			 * (config, shutdown), which RFC 4486 calls
			 * Administrative Shutdown.
			 */
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_HOLD_TIMER_EXPIRES:
			fsm_act_notif(out, NOTIF_HOLD_TIMER, 0);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_TCP_CONNECTION_VALID:
		case FSM_EV_TCP_CR_ACKED:
		case FSM_EV_TCP_CONNECTION_CONFIRMED:
			/* a second connection: the session tracks it (6.8) */
		case FSM_EV_TCP_CR_INVALID:
			break;
		case FSM_EV_TCP_CONNECTION_FAILS:
			/*
			 * "closes the BGP connection, restarts the
			 * ConnectRetryTimer, continues to listen ... Active".
			 * The large HoldTimer from entering OpenSent is
			 * stopped too, or it would expire in Active.
			 */
			fsm_act(out, FSM_ACT_CLOSE);
			fsm_act(out, FSM_ACT_STOP_HOLD);
			fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
			f->state = FSM_ACTIVE;
			break;
		case FSM_EV_BGP_OPEN:
			/*
			 * The session has checked the OPEN (6.2) and settled
			 * the hold time (f->hold_zero) before raising this.
			 */
			fsm_act(out, FSM_ACT_STOP_CONNECT_RETRY);
			fsm_act(out, FSM_ACT_SEND_KEEPALIVE);
			fsm_keepalive_restart(f, out);
			fsm_hold_restart(f, out);
			f->state = FSM_OPENCONFIRM;
			break;
		case FSM_EV_BGP_HEADER_ERR:
		case FSM_EV_BGP_OPEN_MSG_ERR:
			/* "the appropriate error code": decoder's bgp_err */
			fsm_act(out, FSM_ACT_SEND_NOTIF_ERR);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_OPEN_COLLISION_DUMP:
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_COLLISION_RESOLUTION);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_NOTIF_MSG_VER_ERR:
			/* no NOTIFICATION back, counter unchanged */
			fsm_drop(f, out, FSM_CRC_KEEP);
			break;
		default:
			/*
			 * Events 9, 11-13, 20, 25-28.  RFC 4271 lists NotifMsg
			 * (25) here too, so a NOTIFICATION received in
			 * OpenSent is answered with an FSM error; RFC 6608 3
			 * gives the subcode.
			 */
			fsm_act_notif(out, NOTIF_FSM,
			    NOTIF_FSM_UNEXPECTED_IN_OPENSENT);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		}
		break;

	case FSM_OPENCONFIRM:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			break;
		case FSM_EV_MANUAL_STOP:
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_ZERO);
			break;
		case FSM_EV_AUTOMATIC_STOP:
			/* Cease; subcode as in OpenSent */
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_HOLD_TIMER_EXPIRES:
			fsm_act_notif(out, NOTIF_HOLD_TIMER, 0);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_KEEPALIVE_TIMER_EXPIRES:
			fsm_act(out, FSM_ACT_SEND_KEEPALIVE);
			fsm_keepalive_restart(f, out);
			break;
		case FSM_EV_TCP_CONNECTION_VALID:
		case FSM_EV_TCP_CR_ACKED:
		case FSM_EV_TCP_CONNECTION_CONFIRMED:
			/* a second connection: the session tracks it (6.8) */
		case FSM_EV_TCP_CR_INVALID:
			break;
		case FSM_EV_TCP_CONNECTION_FAILS:
		case FSM_EV_NOTIF_MSG:
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_NOTIF_MSG_VER_ERR:
			fsm_drop(f, out, FSM_CRC_KEEP);
			break;
		case FSM_EV_BGP_HEADER_ERR:
		case FSM_EV_BGP_OPEN_MSG_ERR:
			fsm_act(out, FSM_ACT_SEND_NOTIF_ERR);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_OPEN_COLLISION_DUMP:
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_COLLISION_RESOLUTION);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_KEEPALIVE_MSG:
			fsm_hold_restart(f, out);
			fsm_act(out, FSM_ACT_ESTABLISHED);
			f->state = FSM_ESTABLISHED;
			break;
		default:
			/*
			 * Events 9, 12-13, 20, 27-28, and BGPOpen (19): the
			 * RFC runs collision detection on it, but the session
			 * does that on the other connection and raises
			 * OpenCollisionDump here if this one loses; a second
			 * OPEN on this very connection is simply unexpected
			 * (RFC 6608 3).
			 */
			fsm_act_notif(out, NOTIF_FSM,
			    NOTIF_FSM_UNEXPECTED_IN_OPENCONFIRM);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		}
		break;

	case FSM_ESTABLISHED:
		switch (ev) {
		case FSM_EV_MANUAL_START:
		case FSM_EV_AUTOMATIC_START:
		case FSM_EV_MANUAL_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_PASSIVE:
		case FSM_EV_AUTOMATIC_START_DAMP:
		case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
			break;
		case FSM_EV_MANUAL_STOP:
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_ZERO);
			break;
		case FSM_EV_AUTOMATIC_STOP:
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_ADMIN_SHUTDOWN);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_HOLD_TIMER_EXPIRES:
			fsm_act_notif(out, NOTIF_HOLD_TIMER, 0);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_KEEPALIVE_TIMER_EXPIRES:
			/* "restarts its KeepaliveTimer, unless ... zero" */
			fsm_act(out, FSM_ACT_SEND_KEEPALIVE);
			fsm_keepalive_restart(f, out);
			break;
		case FSM_EV_TCP_CONNECTION_VALID:
		case FSM_EV_TCP_CR_ACKED:
		case FSM_EV_TCP_CONNECTION_CONFIRMED:
			/* the session refuses a second connection (6.8) */
		case FSM_EV_TCP_CR_INVALID:
			break;
		case FSM_EV_TCP_CONNECTION_FAILS:
		case FSM_EV_NOTIF_MSG_VER_ERR:
		case FSM_EV_NOTIF_MSG:
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_BGP_HEADER_ERR:
			/*
			 * RFC 4271 8.2.2 lists 21 among Established's "other
			 * events" (FSM error), but 6.1 says every header error
			 * "MUST be indicated by sending the NOTIFICATION
			 * message with the Error Code Message Header Error",
			 * as OpenSent and OpenConfirm do.  6.1 wins: send the
			 * decoder's header error.
			 */
			fsm_act(out, FSM_ACT_SEND_NOTIF_ERR);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_OPEN_COLLISION_DUMP:
			/*
			 * CollisionDetectEstablishedState is FALSE, so the
			 * session does not raise this; if it does, the RFC's
			 * text for it applies.
			 */
			fsm_act_notif(out, NOTIF_CEASE,
			    NOTIF_CEASE_COLLISION_RESOLUTION);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		case FSM_EV_KEEPALIVE_MSG:
			fsm_hold_restart(f, out);
			break;
		case FSM_EV_UPDATE_MSG:
			fsm_act(out, FSM_ACT_PROCESS_UPDATE);
			fsm_hold_restart(f, out);
			break;
		case FSM_EV_UPDATE_MSG_ERR:
			/* the decoder's UPDATE error (6.3) or RFC 7313 7/1 */
			fsm_act(out, FSM_ACT_SEND_NOTIF_ERR);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		default:
			/*
			 * Events 9, 12-13, 20, 22, and BGPOpen (19): with
			 * CollisionDetectEstablishedState FALSE an OPEN in
			 * Established is unexpected (RFC 6608 3).
			 */
			fsm_act_notif(out, NOTIF_FSM,
			    NOTIF_FSM_UNEXPECTED_IN_ESTABLISHED);
			fsm_drop(f, out, FSM_CRC_INCR);
			break;
		}
		break;
	}
	return f->state;
}

static const char *const fsm_state_names[FSM_NSTATES] = {
	[FSM_IDLE] = "Idle",
	[FSM_CONNECT] = "Connect",
	[FSM_ACTIVE] = "Active",
	[FSM_OPENSENT] = "OpenSent",
	[FSM_OPENCONFIRM] = "OpenConfirm",
	[FSM_ESTABLISHED] = "Established",
};

const char *
fsm_state_name(enum fsm_state s)
{
	if ((unsigned)s >= FSM_NSTATES)
		return "Unknown";
	return fsm_state_names[s];
}

/* RFC 4271 8.1 spelling */
static const char *const fsm_event_names[FSM_EV_MAX + 1] = {
	[FSM_EV_MANUAL_START] = "ManualStart",
	[FSM_EV_MANUAL_STOP] = "ManualStop",
	[FSM_EV_AUTOMATIC_START] = "AutomaticStart",
	[FSM_EV_MANUAL_START_PASSIVE] =
	    "ManualStart_with_PassiveTcpEstablishment",
	[FSM_EV_AUTOMATIC_START_PASSIVE] =
	    "AutomaticStart_with_PassiveTcpEstablishment",
	[FSM_EV_AUTOMATIC_START_DAMP] =
	    "AutomaticStart_with_DampPeerOscillations",
	[FSM_EV_AUTOMATIC_START_DAMP_PASSIVE] =
	    "AutomaticStart_with_DampPeerOscillations_and_"
	    "PassiveTcpEstablishment",
	[FSM_EV_AUTOMATIC_STOP] = "AutomaticStop",
	[FSM_EV_CONNECT_RETRY_TIMER_EXPIRES] = "ConnectRetryTimer_Expires",
	[FSM_EV_HOLD_TIMER_EXPIRES] = "HoldTimer_Expires",
	[FSM_EV_KEEPALIVE_TIMER_EXPIRES] = "KeepaliveTimer_Expires",
	[FSM_EV_DELAY_OPEN_TIMER_EXPIRES] = "DelayOpenTimer_Expires",
	[FSM_EV_IDLE_HOLD_TIMER_EXPIRES] = "IdleHoldTimer_Expires",
	[FSM_EV_TCP_CONNECTION_VALID] = "TcpConnection_Valid",
	[FSM_EV_TCP_CR_INVALID] = "Tcp_CR_Invalid",
	[FSM_EV_TCP_CR_ACKED] = "Tcp_CR_Acked",
	[FSM_EV_TCP_CONNECTION_CONFIRMED] = "TcpConnectionConfirmed",
	[FSM_EV_TCP_CONNECTION_FAILS] = "TcpConnectionFails",
	[FSM_EV_BGP_OPEN] = "BGPOpen",
	[FSM_EV_BGP_OPEN_DELAY_OPEN] = "BGPOpen with DelayOpenTimer running",
	[FSM_EV_BGP_HEADER_ERR] = "BGPHeaderErr",
	[FSM_EV_BGP_OPEN_MSG_ERR] = "BGPOpenMsgErr",
	[FSM_EV_OPEN_COLLISION_DUMP] = "OpenCollisionDump",
	[FSM_EV_NOTIF_MSG_VER_ERR] = "NotifMsgVerErr",
	[FSM_EV_NOTIF_MSG] = "NotifMsg",
	[FSM_EV_KEEPALIVE_MSG] = "KeepAliveMsg",
	[FSM_EV_UPDATE_MSG] = "UpdateMsg",
	[FSM_EV_UPDATE_MSG_ERR] = "UpdateMsgErr",
};

const char *
fsm_event_name(enum fsm_event ev)
{
	if (ev < FSM_EV_MIN || ev > FSM_EV_MAX)
		return "Unknown";
	return fsm_event_names[ev];
}

static const char *const fsm_act_names[] = {
	[FSM_ACT_CONNECT] = "CONNECT",
	[FSM_ACT_CLOSE] = "CLOSE",
	[FSM_ACT_SEND_OPEN] = "SEND_OPEN",
	[FSM_ACT_SEND_KEEPALIVE] = "SEND_KEEPALIVE",
	[FSM_ACT_SEND_NOTIF] = "SEND_NOTIF",
	[FSM_ACT_SEND_NOTIF_ERR] = "SEND_NOTIF_ERR",
	[FSM_ACT_START_CONNECT_RETRY] = "START_CONNECT_RETRY",
	[FSM_ACT_STOP_CONNECT_RETRY] = "STOP_CONNECT_RETRY",
	[FSM_ACT_START_HOLD_LARGE] = "START_HOLD_LARGE",
	[FSM_ACT_START_HOLD] = "START_HOLD",
	[FSM_ACT_STOP_HOLD] = "STOP_HOLD",
	[FSM_ACT_START_KEEPALIVE] = "START_KEEPALIVE",
	[FSM_ACT_STOP_KEEPALIVE] = "STOP_KEEPALIVE",
	[FSM_ACT_RELEASE] = "RELEASE",
	[FSM_ACT_ESTABLISHED] = "ESTABLISHED",
	[FSM_ACT_PROCESS_UPDATE] = "PROCESS_UPDATE",
};

const char *
fsm_act_name(enum fsm_act_type t)
{
	if ((unsigned)t >= sizeof(fsm_act_names) / sizeof(fsm_act_names[0]) ||
	    fsm_act_names[t] == NULL)
		return "Unknown";
	return fsm_act_names[t];
}
