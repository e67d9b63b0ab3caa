/*
 * fsm.c - the RFC 4271 section 8.2.2 finite state machine, pure.
 *
 * One function per state, fsm_idle() .. fsm_established(), each a switch
 * over the events with a default arm, as in OpenBGPD's bgp_fsm(); fsm_step()
 * picks the state's function from a table.  What states do alike is written
 * once: fsm_dialing_other() for Connect and Active, fsm_open_other() for
 * OpenSent, OpenConfirm and Established (stops, HoldTimer, a second
 * connection, header errors, OpenCollisionDump, and the FSM error for any
 * other event), each reached from the state's default arm.  The FSM never
 * does anything itself: it appends FSM_ACT_* entries to struct fsm_actions,
 * in the order the RFC lists the steps, and session.c carries them out.
 *
 * Session attributes (RFC 4271 8.1.1) as nomcast sets them:
 *
 *  - DelayOpen FALSE.  DelayOpenTimer_Expires (12) and "BGPOpen with
 *    DelayOpenTimer running" (20) cannot occur; if they are raised anyway
 *    they take the state's "any other event" arm.
 *  - DampPeerOscillations FALSE.  The damped starts (6, 7) act like the
 *    plain AutomaticStart (3) and its passive form (5); IdleHoldTimer_Expires
 *    (13) is ignored in Idle and is "any other event" elsewhere.  The
 *    damping itself is the session's: it sends AutomaticStart after a
 *    delay that doubles with each failure (flaps from Established and
 *    failures after the TCP connect included) until a session stays
 *    Established for some minutes.
 *  - SendNOTIFICATIONwithoutOPEN FALSE: no NOTIFICATION from Connect or
 *    Active, where no OPEN has been sent yet.
 *  - CollisionDetectEstablishedState FALSE: the session refuses a second
 *    connection in Established itself (Cease/Connection Rejected), and a
 *    second connection that sends its OPEN once the first is Established
 *    loses the collision (OpenCollisionDump on the second).
 *  - PassiveTcpEstablishment: events 4, 5 and 7, or f->passive (see
 *    fsm_idle() and fsm_active()).
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

/* a NOTIFICATION with this code/subcode, then Idle */
static void
fsm_notif_drop(struct fsm *f, struct fsm_actions *out, uint8_t code,
    uint8_t subcode, enum fsm_crc crc)
{
	fsm_act_notif(out, code, subcode);
	fsm_drop(f, out, crc);
}

/* "the appropriate error code": the decoder's struct bgp_err, then Idle */
static void
fsm_err_drop(struct fsm *f, struct fsm_actions *out)
{
	fsm_act(out, FSM_ACT_SEND_NOTIF_ERR);
	fsm_drop(f, out, FSM_CRC_INCR);
}

/*
 * KeepaliveTimer_Expires in OpenConfirm and Established: "sends a KEEPALIVE
 * message, and restarts its KeepaliveTimer, unless the negotiated HoldTime
 * value is zero".
 */
static void
fsm_keepalive_send(const struct fsm *f, struct fsm_actions *out)
{
	fsm_act(out, FSM_ACT_SEND_KEEPALIVE);
	fsm_keepalive_restart(f, out);
}

/* the start events (1, 3-7), which every state but Idle ignores */
static bool
fsm_is_start(enum fsm_event ev)
{
	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTOMATIC_START:
	case FSM_EV_MANUAL_START_PASSIVE:
	case FSM_EV_AUTOMATIC_START_PASSIVE:
	case FSM_EV_AUTOMATIC_START_DAMP:
	case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
		return true;
	default:
		return false;
	}
}

static void
fsm_idle(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	bool passive;

	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTOMATIC_START:
	case FSM_EV_AUTOMATIC_START_DAMP:
	case FSM_EV_MANUAL_START_PASSIVE:
	case FSM_EV_AUTOMATIC_START_PASSIVE:
	case FSM_EV_AUTOMATIC_START_DAMP_PASSIVE:
		/*
		 * The configured PassiveTcpEstablishment (f->passive) makes
		 * every start passive: a passive peer must never connect
		 * out, whatever start event it gets.
		 */
		passive = f->passive || ev == FSM_EV_MANUAL_START_PASSIVE ||
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
		 * ManualStop and AutomaticStop are ignored; "any other event
		 * (Events 9-12, 15-28) ... does not cause change in the
		 * state"; 13 needs damping, 14 a connection Idle refuses.
		 */
		break;
	}
}

/*
 * What Connect and Active do alike: every event their own switch does not
 * take.  No NOTIFICATION anywhere (SendNOTIFICATIONwithoutOPEN is FALSE:
 * no OPEN has been sent yet).
 */
static void
fsm_dialing_other(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	if (fsm_is_start(ev))
		return;	/* "start events (Events 1, 3-7) are ignored" */
	switch (ev) {
	case FSM_EV_MANUAL_STOP:
		fsm_drop(f, out, FSM_CRC_ZERO);
		break;
	case FSM_EV_TCP_CONNECTION_VALID:
	case FSM_EV_TCP_CR_INVALID:
		/*
		 * The session never raises these: listen_cb refuses an
		 * address that is not a configured peer before any FSM
		 * sees it.  The RFC's answer to either is to stay.
		 */
		break;
	case FSM_EV_TCP_CR_ACKED:
	case FSM_EV_TCP_CONNECTION_CONFIRMED:
		fsm_open_sent(f, out);
		break;
	default:
		/*
		 * Events 8, 10-13, 18-28 (Connect takes 18 itself): Idle,
		 * counter + 1.  The errors 21, 22 and 24 are no different,
		 * as no NOTIFICATION is sent.
		 */
		fsm_drop(f, out, FSM_CRC_INCR);
		break;
	}
}

static void
fsm_connect(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	switch (ev) {
	case FSM_EV_CONNECT_RETRY_TIMER_EXPIRES:
		/* drop the attempt, restart the timer, try again */
		fsm_act(out, FSM_ACT_CLOSE);
		fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
		fsm_act(out, FSM_ACT_CONNECT);
		break;
	case FSM_EV_TCP_CONNECTION_FAILS:
		/* no DelayOpenTimer running: Idle, same counter */
		fsm_drop(f, out, FSM_CRC_KEEP);
		break;
	default:
		fsm_dialing_other(f, ev, out);
		break;
	}
}

static void
fsm_active(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	switch (ev) {
	case FSM_EV_CONNECT_RETRY_TIMER_EXPIRES:
		fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
		/*
		 * RFC 4271 moves to Connect and dials out.  A peer configured
		 * passive (8.1.1 PassiveTcpEstablishment: "passively wait for
		 * the remote BGP peer to establish the BGP TCP connection")
		 * keeps waiting in Active.
		 */
		if (!f->passive) {
			fsm_act(out, FSM_ACT_CONNECT);
			f->state = FSM_CONNECT;
		}
		break;
	default:
		/*
		 * TcpConnectionFails (18) included: RFC 4271 "restarts the
		 * ConnectRetryTimer", counter + 1, Idle.  A ConnectRetryTimer
		 * left running in Idle can only deliver an event Idle
		 * ignores, and the session's restart backoff is what brings
		 * the peer back, so nomcast stops it like every other way
		 * into Idle.
		 */
		fsm_dialing_other(f, ev, out);
		break;
	}
}

/*
 * What OpenSent, OpenConfirm and Established do alike: every event their
 * own switch does not take.  An event none of them takes is an FSM error
 * with the state's RFC 6608 subcode (fsm_err).
 */
static void
fsm_open_other(struct fsm *f, enum fsm_event ev, struct fsm_actions *out,
    uint8_t fsm_err)
{
	if (fsm_is_start(ev))
		return;	/* "start events (Events 1, 3-7) are ignored" */
	switch (ev) {
	case FSM_EV_MANUAL_STOP:
		/* session.c adds the RFC 9003 shutdown communication */
		fsm_notif_drop(f, out, NOTIF_CEASE, NOTIF_CEASE_ADMIN_SHUTDOWN,
		    FSM_CRC_ZERO);
		break;
	case FSM_EV_AUTOMATIC_STOP:
		/*
		 * RFC 4271 says only "Cease".  The session never raises
		 * AutomaticStop: every stop it makes, the operator's or a
		 * reload's, is ManualStop with the reason in the subcode
		 * (peer_stop_reason).  Should it come, Administrative
		 * Shutdown is the nearest RFC 4486 subcode.
		 */
		fsm_notif_drop(f, out, NOTIF_CEASE, NOTIF_CEASE_ADMIN_SHUTDOWN,
		    FSM_CRC_INCR);
		break;
	case FSM_EV_HOLD_TIMER_EXPIRES:
		fsm_notif_drop(f, out, NOTIF_HOLD_TIMER, 0, FSM_CRC_INCR);
		break;
	case FSM_EV_TCP_CONNECTION_VALID:
	case FSM_EV_TCP_CR_INVALID:
	case FSM_EV_TCP_CR_ACKED:
	case FSM_EV_TCP_CONNECTION_CONFIRMED:
		/*
		 * A second connection.  The session never raises these on a
		 * connection past Active: it runs a second connection with
		 * an FSM of its own until an OPEN decides the collision
		 * (6.8), or refuses it in Established.
		 */
		break;
	case FSM_EV_BGP_HEADER_ERR:
		/*
		 * In Established too: RFC 4271 8.2.2 lists 21 among its
		 * "other events" (FSM error), but 6.1 says every header
		 * error "MUST be indicated by sending the NOTIFICATION
		 * message with the Error Code Message Header Error".  6.1
		 * wins: send the decoder's header error.
		 */
		fsm_err_drop(f, out);
		break;
	case FSM_EV_OPEN_COLLISION_DUMP:
		/*
		 * The session raises this on the connection that lost a
		 * collision (6.8), in OpenSent or OpenConfirm.  Not in
		 * Established: CollisionDetectEstablishedState is FALSE, so
		 * an Established connection never loses; if it is raised
		 * there anyway, the RFC's text for it is the same.
		 */
		fsm_notif_drop(f, out, NOTIF_CEASE,
		    NOTIF_CEASE_COLLISION_RESOLUTION, FSM_CRC_INCR);
		break;
	default:
		fsm_notif_drop(f, out, NOTIF_FSM, fsm_err, FSM_CRC_INCR);
		break;
	}
}

static void
fsm_opensent(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	switch (ev) {
	case FSM_EV_TCP_CONNECTION_FAILS:
		/*
		 * "closes the BGP connection, restarts the ConnectRetryTimer,
		 * continues to listen ... Active".  The large HoldTimer from
		 * entering OpenSent is stopped too, or it would expire in
		 * Active.
		 */
		fsm_act(out, FSM_ACT_CLOSE);
		fsm_act(out, FSM_ACT_STOP_HOLD);
		fsm_act(out, FSM_ACT_START_CONNECT_RETRY);
		f->state = FSM_ACTIVE;
		break;
	case FSM_EV_BGP_OPEN:
		/*
		 * The session has checked the OPEN (6.2), resolved any
		 * collision and settled the hold time (f->hold_zero) before
		 * raising this.
		 */
		fsm_act(out, FSM_ACT_STOP_CONNECT_RETRY);
		fsm_act(out, FSM_ACT_SEND_KEEPALIVE);
		fsm_keepalive_restart(f, out);
		fsm_hold_restart(f, out);
		f->state = FSM_OPENCONFIRM;
		break;
	case FSM_EV_BGP_OPEN_MSG_ERR:
		fsm_err_drop(f, out);
		break;
	case FSM_EV_NOTIF_MSG_VER_ERR:
		/* no NOTIFICATION back, counter unchanged */
		fsm_drop(f, out, FSM_CRC_KEEP);
		break;
	default:
		/*
		 * The FSM error covers events 9, 11-13, 20, 25-28.  RFC 4271
		 * lists NotifMsg (25) there too, so a NOTIFICATION received
		 * in OpenSent is answered with an FSM error; RFC 6608 3
		 * gives the subcode.
		 */
		fsm_open_other(f, ev, out, NOTIF_FSM_UNEXPECTED_IN_OPENSENT);
		break;
	}
}

static void
fsm_openconfirm(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	switch (ev) {
	case FSM_EV_KEEPALIVE_TIMER_EXPIRES:
		fsm_keepalive_send(f, out);
		break;
	case FSM_EV_TCP_CONNECTION_FAILS:
	case FSM_EV_NOTIF_MSG:
		fsm_drop(f, out, FSM_CRC_INCR);
		break;
	case FSM_EV_NOTIF_MSG_VER_ERR:
		fsm_drop(f, out, FSM_CRC_KEEP);
		break;
	case FSM_EV_BGP_OPEN_MSG_ERR:
		fsm_err_drop(f, out);
		break;
	case FSM_EV_KEEPALIVE_MSG:
		fsm_hold_restart(f, out);
		fsm_act(out, FSM_ACT_ESTABLISHED);
		f->state = FSM_ESTABLISHED;
		break;
	default:
		/*
		 * The FSM error covers events 9, 12-13, 20, 27-28, and
		 * BGPOpen (19): the RFC runs collision detection on it, but
		 * the session does that when the OPEN arrives on the other
		 * connection, and raises OpenCollisionDump here if this one
		 * loses; a second OPEN on this very connection is simply
		 * unexpected (RFC 6608 3).
		 */
		fsm_open_other(f, ev, out, NOTIF_FSM_UNEXPECTED_IN_OPENCONFIRM);
		break;
	}
}

static void
fsm_established(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	switch (ev) {
	case FSM_EV_KEEPALIVE_TIMER_EXPIRES:
		fsm_keepalive_send(f, out);
		break;
	case FSM_EV_TCP_CONNECTION_FAILS:
	case FSM_EV_NOTIF_MSG_VER_ERR:
	case FSM_EV_NOTIF_MSG:
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
		fsm_err_drop(f, out);
		break;
	default:
		/*
		 * The FSM error covers events 9, 12-13, 20, 22, and BGPOpen
		 * (19): with CollisionDetectEstablishedState FALSE an OPEN
		 * in Established is unexpected (RFC 6608 3).
		 */
		fsm_open_other(f, ev, out, NOTIF_FSM_UNEXPECTED_IN_ESTABLISHED);
		break;
	}
}

typedef void fsm_state_fn(struct fsm *, enum fsm_event, struct fsm_actions *);

static fsm_state_fn *const fsm_states[FSM_NSTATES] = {
	[FSM_IDLE] = fsm_idle,
	[FSM_CONNECT] = fsm_connect,
	[FSM_ACTIVE] = fsm_active,
	[FSM_OPENSENT] = fsm_opensent,
	[FSM_OPENCONFIRM] = fsm_openconfirm,
	[FSM_ESTABLISHED] = fsm_established,
};

enum fsm_state
fsm_step(struct fsm *f, enum fsm_event ev, struct fsm_actions *out)
{
	out->n = 0;
	/* not an RFC event: a caller bug, and no reason to drop a session */
	if (ev < FSM_EV_MIN || ev > FSM_EV_MAX)
		return f->state;
	if ((unsigned)f->state < FSM_NSTATES)
		fsm_states[f->state](f, ev, out);
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
