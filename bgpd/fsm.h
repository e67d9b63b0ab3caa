/*
 * fsm.h - the RFC 4271 section 8 finite state machine, pure.
 *
 * fsm_step() is one function of (state, event) -> (new state, actions).  It
 * does no I/O: it fills struct fsm_actions with what the session adapter
 * must do, in order.  State and event names are the RFC's.
 */
#ifndef NOMCAST_FSM_H
#define NOMCAST_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum fsm_state {
	FSM_IDLE,
	FSM_CONNECT,
	FSM_ACTIVE,
	FSM_OPENSENT,
	FSM_OPENCONFIRM,
	FSM_ESTABLISHED,
};
#define FSM_NSTATES	6

/*
 * RFC 4271 8.1 event numbers, all 28, so the FSM can be checked against
 * the RFC's whole table.  session.c raises 2-5, 9-11, 16-19 and 21-28.
 * It never raises 1 or 8 (a peer starts with AutomaticStart, 3 or 5, a
 * collision candidate with 4; every stop is ManualStop), 6, 7 or 13 (no
 * damping), 12 or 20 (no DelayOpen), 14 or 15 (an inbound connection is
 * matched to its peer before any FSM sees it).  RFC 9687's
 * SendHoldTimer_Expires is the session's: it sends Send Hold Timer Expired
 * and raises TcpConnectionFails, whose transitions are the ones RFC 9687
 * asks for.
 */
enum fsm_event {
	FSM_EV_MANUAL_START = 1,
	FSM_EV_MANUAL_STOP = 2,
	FSM_EV_AUTOMATIC_START = 3,
	FSM_EV_MANUAL_START_PASSIVE = 4,
	FSM_EV_AUTOMATIC_START_PASSIVE = 5,
	FSM_EV_AUTOMATIC_START_DAMP = 6,
	FSM_EV_AUTOMATIC_START_DAMP_PASSIVE = 7,
	FSM_EV_AUTOMATIC_STOP = 8,
	FSM_EV_CONNECT_RETRY_TIMER_EXPIRES = 9,
	FSM_EV_HOLD_TIMER_EXPIRES = 10,
	FSM_EV_KEEPALIVE_TIMER_EXPIRES = 11,
	FSM_EV_DELAY_OPEN_TIMER_EXPIRES = 12,
	FSM_EV_IDLE_HOLD_TIMER_EXPIRES = 13,
	FSM_EV_TCP_CONNECTION_VALID = 14,
	FSM_EV_TCP_CR_INVALID = 15,
	FSM_EV_TCP_CR_ACKED = 16,
	FSM_EV_TCP_CONNECTION_CONFIRMED = 17,
	FSM_EV_TCP_CONNECTION_FAILS = 18,
	FSM_EV_BGP_OPEN = 19,
	FSM_EV_BGP_OPEN_DELAY_OPEN = 20,
	FSM_EV_BGP_HEADER_ERR = 21,
	FSM_EV_BGP_OPEN_MSG_ERR = 22,
	FSM_EV_OPEN_COLLISION_DUMP = 23,
	FSM_EV_NOTIF_MSG_VER_ERR = 24,
	FSM_EV_NOTIF_MSG = 25,
	FSM_EV_KEEPALIVE_MSG = 26,
	FSM_EV_UPDATE_MSG = 27,
	FSM_EV_UPDATE_MSG_ERR = 28,
};
#define FSM_EV_MIN	1
#define FSM_EV_MAX	28

enum fsm_act_type {
	FSM_ACT_CONNECT,		/* initiate the TCP connection */
	FSM_ACT_CLOSE,			/* drop the TCP connection */
	FSM_ACT_SEND_OPEN,
	FSM_ACT_SEND_KEEPALIVE,
	FSM_ACT_SEND_NOTIF,		/* code/subcode in the action */
	FSM_ACT_SEND_NOTIF_ERR,		/* send the decoder's struct bgp_err */
	FSM_ACT_START_CONNECT_RETRY,	/* (re)start ConnectRetryTimer */
	FSM_ACT_STOP_CONNECT_RETRY,
	FSM_ACT_START_HOLD_LARGE,	/* HoldTimer := 4 minutes (8.2.2) */
	FSM_ACT_START_HOLD,		/* HoldTimer := negotiated (never 0) */
	FSM_ACT_STOP_HOLD,
	FSM_ACT_START_KEEPALIVE,	/* KeepaliveTimer := hold/3 (never 0) */
	FSM_ACT_STOP_KEEPALIVE,
	FSM_ACT_RELEASE,		/* release resources; peer holds nothing */
	FSM_ACT_ESTABLISHED,		/* session up: send Adj-RIB-Out, EoR */
	FSM_ACT_PROCESS_UPDATE,		/* count the validated UPDATE */
};

struct fsm_action {
	enum fsm_act_type type;
	uint8_t		code;		/* FSM_ACT_SEND_NOTIF */
	uint8_t		subcode;
};

#define FSM_MAX_ACTIONS	12

struct fsm_actions {
	unsigned	n;
	struct fsm_action a[FSM_MAX_ACTIONS];
};

struct fsm {
	enum fsm_state	state;
	uint32_t	connect_retry_counter;
	bool		passive;	/* PassiveTcpEstablishment (8.1.1) */
	/*
	 * The negotiated hold time is 0: no hold or keepalive timer
	 * (RFC 4271 4.4).  Set by the session once the OPEN is accepted;
	 * while it is true fsm_step() emits STOP_HOLD / STOP_KEEPALIVE
	 * where it would otherwise emit START_HOLD / START_KEEPALIVE.
	 */
	bool		hold_zero;
};

/* Idle, counter 0, hold_zero false */
void	fsm_init(struct fsm *f, bool passive);
/*
 * Run one event; fills out (out->n = 0 when nothing is to be done) and
 * returns the new state (also in f->state).  An event outside 1..28 is a
 * no-op.
 */
enum fsm_state fsm_step(struct fsm *f, enum fsm_event ev,
	    struct fsm_actions *out);

const char *fsm_state_name(enum fsm_state s);	/* "OpenConfirm" */
const char *fsm_event_name(enum fsm_event ev);	/* "HoldTimer_Expires" */
const char *fsm_act_name(enum fsm_act_type t);	/* "SEND_NOTIF" */

#endif
