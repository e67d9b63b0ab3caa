/*
 * test_fsm.c - the RFC 4271 8.2.2 state machine.
 *
 * The table below was written from the RFC text (and RFC 6608 for the FSM
 * error subcodes), one row per (state, event) pair: 6 x 28 = 168 rows.
 * NOTIFICATION codes are the wire numbers, not the notif.h names, so a
 * wrong enum value would show here too.
 *
 * Every row starts from connect_retry_counter = 5, passive = false and
 * hold_zero = false; separate tables cover passive and hold_zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgpd/fsm.h"

/* what the row does to the ConnectRetryCounter */
enum crc {
	CRC_KEEP,	/* stays 5 */
	CRC_ZERO,	/* becomes 0 */
	CRC_INCR,	/* becomes 6 */
};

#define CRC_START	5u

struct fsm_row {
	enum fsm_state	st;
	enum fsm_event	ev;
	enum fsm_state	want;
	enum crc	crc;
	unsigned	n;
	struct fsm_action acts[FSM_MAX_ACTIONS];
};

#define A(x)		{ .type = FSM_ACT_##x }
#define NOTIF(c, s)	\
	{ .type = FSM_ACT_SEND_NOTIF, .code = (c), .subcode = (s) }
/*
 * Into Idle: ConnectRetryTimer to zero (and the other timers, so none can
 * fire in Idle), release resources, drop the connection.
 */
#define TO_IDLE		A(STOP_CONNECT_RETRY), A(STOP_HOLD), \
			A(STOP_KEEPALIVE), A(RELEASE), A(CLOSE)
/* Connect/Active, TCP up, DelayOpen FALSE */
#define TO_OPENSENT	A(STOP_CONNECT_RETRY), A(SEND_OPEN), A(START_HOLD_LARGE)

#define NACTS(...)	\
	((unsigned)(sizeof((struct fsm_action[]){ __VA_ARGS__ }) / \
	    sizeof(struct fsm_action)))
#define ROW(st, ev, want, crc, ...) \
	{ FSM_##st, FSM_EV_##ev, FSM_##want, CRC_##crc, NACTS(__VA_ARGS__), \
	    { __VA_ARGS__ } }
#define ROW0(st, ev, want, crc) \
	{ FSM_##st, FSM_EV_##ev, FSM_##want, CRC_##crc, 0, \
	    { { .type = FSM_ACT_CONNECT } } }

/* RFC 6608 FSM error subcodes */
#define FSM_ERR_OPENSENT	NOTIF(5, 1)
#define FSM_ERR_OPENCONFIRM	NOTIF(5, 2)
#define FSM_ERR_ESTABLISHED	NOTIF(5, 3)
#define HOLD_EXPIRED		NOTIF(4, 0)
#define CEASE_ADMIN_SHUTDOWN	NOTIF(6, 2)
#define CEASE_COLLISION		NOTIF(6, 7)

static const struct fsm_row fsm_table[] = {
	/*
	 * Idle: starts set the counter to 0 and start the ConnectRetryTimer;
	 * active starts connect (Connect), passive ones listen (Active);
	 * 6/7 behave as 3/5 (no damping).  Everything else changes nothing.
	 */
	ROW(IDLE, MANUAL_START, CONNECT, ZERO, A(START_CONNECT_RETRY),
	    A(CONNECT)),
	ROW0(IDLE, MANUAL_STOP, IDLE, KEEP),
	ROW(IDLE, AUTOMATIC_START, CONNECT, ZERO, A(START_CONNECT_RETRY),
	    A(CONNECT)),
	ROW(IDLE, MANUAL_START_PASSIVE, ACTIVE, ZERO, A(START_CONNECT_RETRY)),
	ROW(IDLE, AUTOMATIC_START_PASSIVE, ACTIVE, ZERO,
	    A(START_CONNECT_RETRY)),
	ROW(IDLE, AUTOMATIC_START_DAMP, CONNECT, ZERO, A(START_CONNECT_RETRY),
	    A(CONNECT)),
	ROW(IDLE, AUTOMATIC_START_DAMP_PASSIVE, ACTIVE, ZERO,
	    A(START_CONNECT_RETRY)),
	ROW0(IDLE, AUTOMATIC_STOP, IDLE, KEEP),
	ROW0(IDLE, CONNECT_RETRY_TIMER_EXPIRES, IDLE, KEEP),
	ROW0(IDLE, HOLD_TIMER_EXPIRES, IDLE, KEEP),
	ROW0(IDLE, KEEPALIVE_TIMER_EXPIRES, IDLE, KEEP),
	ROW0(IDLE, DELAY_OPEN_TIMER_EXPIRES, IDLE, KEEP),
	ROW0(IDLE, IDLE_HOLD_TIMER_EXPIRES, IDLE, KEEP),
	ROW0(IDLE, TCP_CONNECTION_VALID, IDLE, KEEP),
	ROW0(IDLE, TCP_CR_INVALID, IDLE, KEEP),
	ROW0(IDLE, TCP_CR_ACKED, IDLE, KEEP),
	ROW0(IDLE, TCP_CONNECTION_CONFIRMED, IDLE, KEEP),
	ROW0(IDLE, TCP_CONNECTION_FAILS, IDLE, KEEP),
	ROW0(IDLE, BGP_OPEN, IDLE, KEEP),
	ROW0(IDLE, BGP_OPEN_DELAY_OPEN, IDLE, KEEP),
	ROW0(IDLE, BGP_HEADER_ERR, IDLE, KEEP),
	ROW0(IDLE, BGP_OPEN_MSG_ERR, IDLE, KEEP),
	ROW0(IDLE, OPEN_COLLISION_DUMP, IDLE, KEEP),
	ROW0(IDLE, NOTIF_MSG_VER_ERR, IDLE, KEEP),
	ROW0(IDLE, NOTIF_MSG, IDLE, KEEP),
	ROW0(IDLE, KEEPALIVE_MSG, IDLE, KEEP),
	ROW0(IDLE, UPDATE_MSG, IDLE, KEEP),
	ROW0(IDLE, UPDATE_MSG_ERR, IDLE, KEEP),

	/*
	 * Connect: starts ignored; ManualStop zeroes the counter; the
	 * retry timer redials; TCP up -> OpenSent; TCP fails -> Idle with
	 * the counter unchanged; everything else -> Idle, counter + 1, and
	 * no NOTIFICATION (no OPEN sent yet).
	 */
	ROW0(CONNECT, MANUAL_START, CONNECT, KEEP),
	ROW(CONNECT, MANUAL_STOP, IDLE, ZERO, TO_IDLE),
	ROW0(CONNECT, AUTOMATIC_START, CONNECT, KEEP),
	ROW0(CONNECT, MANUAL_START_PASSIVE, CONNECT, KEEP),
	ROW0(CONNECT, AUTOMATIC_START_PASSIVE, CONNECT, KEEP),
	ROW0(CONNECT, AUTOMATIC_START_DAMP, CONNECT, KEEP),
	ROW0(CONNECT, AUTOMATIC_START_DAMP_PASSIVE, CONNECT, KEEP),
	ROW(CONNECT, AUTOMATIC_STOP, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, CONNECT_RETRY_TIMER_EXPIRES, CONNECT, KEEP, A(CLOSE),
	    A(START_CONNECT_RETRY), A(CONNECT)),
	ROW(CONNECT, HOLD_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, KEEPALIVE_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, DELAY_OPEN_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, IDLE_HOLD_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW0(CONNECT, TCP_CONNECTION_VALID, CONNECT, KEEP),
	ROW0(CONNECT, TCP_CR_INVALID, CONNECT, KEEP),
	ROW(CONNECT, TCP_CR_ACKED, OPENSENT, KEEP, TO_OPENSENT),
	ROW(CONNECT, TCP_CONNECTION_CONFIRMED, OPENSENT, KEEP, TO_OPENSENT),
	ROW(CONNECT, TCP_CONNECTION_FAILS, IDLE, KEEP, TO_IDLE),
	ROW(CONNECT, BGP_OPEN, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, BGP_OPEN_DELAY_OPEN, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, BGP_HEADER_ERR, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, BGP_OPEN_MSG_ERR, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, OPEN_COLLISION_DUMP, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, NOTIF_MSG_VER_ERR, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, NOTIF_MSG, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, KEEPALIVE_MSG, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, UPDATE_MSG, IDLE, INCR, TO_IDLE),
	ROW(CONNECT, UPDATE_MSG_ERR, IDLE, INCR, TO_IDLE),

	/*
	 * Active: as Connect, except the retry timer moves to Connect and
	 * dials, and a failed TCP connection increments the counter.
	 */
	ROW0(ACTIVE, MANUAL_START, ACTIVE, KEEP),
	ROW(ACTIVE, MANUAL_STOP, IDLE, ZERO, TO_IDLE),
	ROW0(ACTIVE, AUTOMATIC_START, ACTIVE, KEEP),
	ROW0(ACTIVE, MANUAL_START_PASSIVE, ACTIVE, KEEP),
	ROW0(ACTIVE, AUTOMATIC_START_PASSIVE, ACTIVE, KEEP),
	ROW0(ACTIVE, AUTOMATIC_START_DAMP, ACTIVE, KEEP),
	ROW0(ACTIVE, AUTOMATIC_START_DAMP_PASSIVE, ACTIVE, KEEP),
	ROW(ACTIVE, AUTOMATIC_STOP, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, CONNECT_RETRY_TIMER_EXPIRES, CONNECT, KEEP,
	    A(START_CONNECT_RETRY), A(CONNECT)),
	ROW(ACTIVE, HOLD_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, KEEPALIVE_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, DELAY_OPEN_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, IDLE_HOLD_TIMER_EXPIRES, IDLE, INCR, TO_IDLE),
	ROW0(ACTIVE, TCP_CONNECTION_VALID, ACTIVE, KEEP),
	ROW0(ACTIVE, TCP_CR_INVALID, ACTIVE, KEEP),
	ROW(ACTIVE, TCP_CR_ACKED, OPENSENT, KEEP, TO_OPENSENT),
	ROW(ACTIVE, TCP_CONNECTION_CONFIRMED, OPENSENT, KEEP, TO_OPENSENT),
	ROW(ACTIVE, TCP_CONNECTION_FAILS, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, BGP_OPEN, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, BGP_OPEN_DELAY_OPEN, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, BGP_HEADER_ERR, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, BGP_OPEN_MSG_ERR, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, OPEN_COLLISION_DUMP, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, NOTIF_MSG_VER_ERR, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, NOTIF_MSG, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, KEEPALIVE_MSG, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, UPDATE_MSG, IDLE, INCR, TO_IDLE),
	ROW(ACTIVE, UPDATE_MSG_ERR, IDLE, INCR, TO_IDLE),

	/*
	 * OpenSent: Cease on stops, 4/0 on hold expiry, the decoder's error
	 * on 21/22, Cease/Collision on 23, silence on 24, TCP failure back
	 * to Active, a valid OPEN to OpenConfirm, 5/1 for the rest
	 * (including a received NOTIFICATION, event 25).
	 */
	ROW0(OPENSENT, MANUAL_START, OPENSENT, KEEP),
	ROW(OPENSENT, MANUAL_STOP, IDLE, ZERO, CEASE_ADMIN_SHUTDOWN, TO_IDLE),
	ROW0(OPENSENT, AUTOMATIC_START, OPENSENT, KEEP),
	ROW0(OPENSENT, MANUAL_START_PASSIVE, OPENSENT, KEEP),
	ROW0(OPENSENT, AUTOMATIC_START_PASSIVE, OPENSENT, KEEP),
	ROW0(OPENSENT, AUTOMATIC_START_DAMP, OPENSENT, KEEP),
	ROW0(OPENSENT, AUTOMATIC_START_DAMP_PASSIVE, OPENSENT, KEEP),
	ROW(OPENSENT, AUTOMATIC_STOP, IDLE, INCR, CEASE_ADMIN_SHUTDOWN,
	    TO_IDLE),
	ROW(OPENSENT, CONNECT_RETRY_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_OPENSENT, TO_IDLE),
	ROW(OPENSENT, HOLD_TIMER_EXPIRES, IDLE, INCR, HOLD_EXPIRED, TO_IDLE),
	ROW(OPENSENT, KEEPALIVE_TIMER_EXPIRES, IDLE, INCR, FSM_ERR_OPENSENT,
	    TO_IDLE),
	ROW(OPENSENT, DELAY_OPEN_TIMER_EXPIRES, IDLE, INCR, FSM_ERR_OPENSENT,
	    TO_IDLE),
	ROW(OPENSENT, IDLE_HOLD_TIMER_EXPIRES, IDLE, INCR, FSM_ERR_OPENSENT,
	    TO_IDLE),
	ROW0(OPENSENT, TCP_CONNECTION_VALID, OPENSENT, KEEP),
	ROW0(OPENSENT, TCP_CR_INVALID, OPENSENT, KEEP),
	ROW0(OPENSENT, TCP_CR_ACKED, OPENSENT, KEEP),
	ROW0(OPENSENT, TCP_CONNECTION_CONFIRMED, OPENSENT, KEEP),
	ROW(OPENSENT, TCP_CONNECTION_FAILS, ACTIVE, KEEP, A(CLOSE),
	    A(STOP_HOLD), A(START_CONNECT_RETRY)),
	ROW(OPENSENT, BGP_OPEN, OPENCONFIRM, KEEP, A(STOP_CONNECT_RETRY),
	    A(SEND_KEEPALIVE), A(START_KEEPALIVE), A(START_HOLD)),
	ROW(OPENSENT, BGP_OPEN_DELAY_OPEN, IDLE, INCR, FSM_ERR_OPENSENT,
	    TO_IDLE),
	ROW(OPENSENT, BGP_HEADER_ERR, IDLE, INCR, A(SEND_NOTIF_ERR), TO_IDLE),
	ROW(OPENSENT, BGP_OPEN_MSG_ERR, IDLE, INCR, A(SEND_NOTIF_ERR),
	    TO_IDLE),
	ROW(OPENSENT, OPEN_COLLISION_DUMP, IDLE, INCR, CEASE_COLLISION,
	    TO_IDLE),
	ROW(OPENSENT, NOTIF_MSG_VER_ERR, IDLE, KEEP, TO_IDLE),
	ROW(OPENSENT, NOTIF_MSG, IDLE, INCR, FSM_ERR_OPENSENT, TO_IDLE),
	ROW(OPENSENT, KEEPALIVE_MSG, IDLE, INCR, FSM_ERR_OPENSENT, TO_IDLE),
	ROW(OPENSENT, UPDATE_MSG, IDLE, INCR, FSM_ERR_OPENSENT, TO_IDLE),
	ROW(OPENSENT, UPDATE_MSG_ERR, IDLE, INCR, FSM_ERR_OPENSENT, TO_IDLE),

	/*
	 * OpenConfirm: KEEPALIVE -> Established; the keepalive timer sends
	 * one; TCP failure and NOTIFICATION -> Idle without a reply; an OPEN
	 * on this connection, an UPDATE and stray timers are 5/2.
	 */
	ROW0(OPENCONFIRM, MANUAL_START, OPENCONFIRM, KEEP),
	ROW(OPENCONFIRM, MANUAL_STOP, IDLE, ZERO, CEASE_ADMIN_SHUTDOWN,
	    TO_IDLE),
	ROW0(OPENCONFIRM, AUTOMATIC_START, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, MANUAL_START_PASSIVE, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, AUTOMATIC_START_PASSIVE, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, AUTOMATIC_START_DAMP, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, AUTOMATIC_START_DAMP_PASSIVE, OPENCONFIRM, KEEP),
	ROW(OPENCONFIRM, AUTOMATIC_STOP, IDLE, INCR, CEASE_ADMIN_SHUTDOWN,
	    TO_IDLE),
	ROW(OPENCONFIRM, CONNECT_RETRY_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_OPENCONFIRM, TO_IDLE),
	ROW(OPENCONFIRM, HOLD_TIMER_EXPIRES, IDLE, INCR, HOLD_EXPIRED,
	    TO_IDLE),
	ROW(OPENCONFIRM, KEEPALIVE_TIMER_EXPIRES, OPENCONFIRM, KEEP,
	    A(SEND_KEEPALIVE), A(START_KEEPALIVE)),
	ROW(OPENCONFIRM, DELAY_OPEN_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_OPENCONFIRM, TO_IDLE),
	ROW(OPENCONFIRM, IDLE_HOLD_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_OPENCONFIRM, TO_IDLE),
	ROW0(OPENCONFIRM, TCP_CONNECTION_VALID, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, TCP_CR_INVALID, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, TCP_CR_ACKED, OPENCONFIRM, KEEP),
	ROW0(OPENCONFIRM, TCP_CONNECTION_CONFIRMED, OPENCONFIRM, KEEP),
	ROW(OPENCONFIRM, TCP_CONNECTION_FAILS, IDLE, INCR, TO_IDLE),
	ROW(OPENCONFIRM, BGP_OPEN, IDLE, INCR, FSM_ERR_OPENCONFIRM, TO_IDLE),
	ROW(OPENCONFIRM, BGP_OPEN_DELAY_OPEN, IDLE, INCR, FSM_ERR_OPENCONFIRM,
	    TO_IDLE),
	ROW(OPENCONFIRM, BGP_HEADER_ERR, IDLE, INCR, A(SEND_NOTIF_ERR),
	    TO_IDLE),
	ROW(OPENCONFIRM, BGP_OPEN_MSG_ERR, IDLE, INCR, A(SEND_NOTIF_ERR),
	    TO_IDLE),
	ROW(OPENCONFIRM, OPEN_COLLISION_DUMP, IDLE, INCR, CEASE_COLLISION,
	    TO_IDLE),
	ROW(OPENCONFIRM, NOTIF_MSG_VER_ERR, IDLE, KEEP, TO_IDLE),
	ROW(OPENCONFIRM, NOTIF_MSG, IDLE, INCR, TO_IDLE),
	ROW(OPENCONFIRM, KEEPALIVE_MSG, ESTABLISHED, KEEP, A(START_HOLD),
	    A(ESTABLISHED)),
	ROW(OPENCONFIRM, UPDATE_MSG, IDLE, INCR, FSM_ERR_OPENCONFIRM,
	    TO_IDLE),
	ROW(OPENCONFIRM, UPDATE_MSG_ERR, IDLE, INCR, FSM_ERR_OPENCONFIRM,
	    TO_IDLE),

	/*
	 * Established: KEEPALIVE and UPDATE restart the hold timer; a bad
	 * UPDATE or header sends the decoder's error; NOTIFICATIONs (24
	 * and 25) and TCP failure drop silently; an OPEN and stray timers
	 * are 5/3.
	 */
	ROW0(ESTABLISHED, MANUAL_START, ESTABLISHED, KEEP),
	ROW(ESTABLISHED, MANUAL_STOP, IDLE, ZERO, CEASE_ADMIN_SHUTDOWN,
	    TO_IDLE),
	ROW0(ESTABLISHED, AUTOMATIC_START, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, MANUAL_START_PASSIVE, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, AUTOMATIC_START_PASSIVE, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, AUTOMATIC_START_DAMP, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, AUTOMATIC_START_DAMP_PASSIVE, ESTABLISHED, KEEP),
	ROW(ESTABLISHED, AUTOMATIC_STOP, IDLE, INCR, CEASE_ADMIN_SHUTDOWN,
	    TO_IDLE),
	ROW(ESTABLISHED, CONNECT_RETRY_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_ESTABLISHED, TO_IDLE),
	ROW(ESTABLISHED, HOLD_TIMER_EXPIRES, IDLE, INCR, HOLD_EXPIRED,
	    TO_IDLE),
	ROW(ESTABLISHED, KEEPALIVE_TIMER_EXPIRES, ESTABLISHED, KEEP,
	    A(SEND_KEEPALIVE), A(START_KEEPALIVE)),
	ROW(ESTABLISHED, DELAY_OPEN_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_ESTABLISHED, TO_IDLE),
	ROW(ESTABLISHED, IDLE_HOLD_TIMER_EXPIRES, IDLE, INCR,
	    FSM_ERR_ESTABLISHED, TO_IDLE),
	ROW0(ESTABLISHED, TCP_CONNECTION_VALID, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, TCP_CR_INVALID, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, TCP_CR_ACKED, ESTABLISHED, KEEP),
	ROW0(ESTABLISHED, TCP_CONNECTION_CONFIRMED, ESTABLISHED, KEEP),
	ROW(ESTABLISHED, TCP_CONNECTION_FAILS, IDLE, INCR, TO_IDLE),
	ROW(ESTABLISHED, BGP_OPEN, IDLE, INCR, FSM_ERR_ESTABLISHED, TO_IDLE),
	ROW(ESTABLISHED, BGP_OPEN_DELAY_OPEN, IDLE, INCR, FSM_ERR_ESTABLISHED,
	    TO_IDLE),
	ROW(ESTABLISHED, BGP_HEADER_ERR, IDLE, INCR, A(SEND_NOTIF_ERR),
	    TO_IDLE),
	ROW(ESTABLISHED, BGP_OPEN_MSG_ERR, IDLE, INCR, FSM_ERR_ESTABLISHED,
	    TO_IDLE),
	ROW(ESTABLISHED, OPEN_COLLISION_DUMP, IDLE, INCR, CEASE_COLLISION,
	    TO_IDLE),
	ROW(ESTABLISHED, NOTIF_MSG_VER_ERR, IDLE, INCR, TO_IDLE),
	ROW(ESTABLISHED, NOTIF_MSG, IDLE, INCR, TO_IDLE),
	ROW(ESTABLISHED, KEEPALIVE_MSG, ESTABLISHED, KEEP, A(START_HOLD)),
	ROW(ESTABLISHED, UPDATE_MSG, ESTABLISHED, KEEP, A(PROCESS_UPDATE),
	    A(START_HOLD)),
	ROW(ESTABLISHED, UPDATE_MSG_ERR, IDLE, INCR, A(SEND_NOTIF_ERR),
	    TO_IDLE),
};

/* PassiveTcpEstablishment set in the struct: the rows that differ */
static const struct fsm_row fsm_passive_table[] = {
	ROW(IDLE, MANUAL_START, ACTIVE, ZERO, A(START_CONNECT_RETRY)),
	ROW(IDLE, AUTOMATIC_START, ACTIVE, ZERO, A(START_CONNECT_RETRY)),
	ROW(IDLE, AUTOMATIC_START_DAMP, ACTIVE, ZERO, A(START_CONNECT_RETRY)),
	ROW(IDLE, AUTOMATIC_START_PASSIVE, ACTIVE, ZERO,
	    A(START_CONNECT_RETRY)),
	/* a passive peer never dials: it keeps listening in Active */
	ROW(ACTIVE, CONNECT_RETRY_TIMER_EXPIRES, ACTIVE, KEEP,
	    A(START_CONNECT_RETRY)),
	/* and still takes a connection the peer opens */
	ROW(ACTIVE, TCP_CONNECTION_CONFIRMED, OPENSENT, KEEP, TO_OPENSENT),
};

/* negotiated hold time 0: hold and keepalive timers are stopped, not run */
static const struct fsm_row fsm_hold_zero_table[] = {
	ROW(OPENSENT, BGP_OPEN, OPENCONFIRM, KEEP, A(STOP_CONNECT_RETRY),
	    A(SEND_KEEPALIVE), A(STOP_KEEPALIVE), A(STOP_HOLD)),
	ROW(OPENCONFIRM, KEEPALIVE_TIMER_EXPIRES, OPENCONFIRM, KEEP,
	    A(SEND_KEEPALIVE), A(STOP_KEEPALIVE)),
	ROW(OPENCONFIRM, KEEPALIVE_MSG, ESTABLISHED, KEEP, A(STOP_HOLD),
	    A(ESTABLISHED)),
	ROW(ESTABLISHED, KEEPALIVE_TIMER_EXPIRES, ESTABLISHED, KEEP,
	    A(SEND_KEEPALIVE), A(STOP_KEEPALIVE)),
	ROW(ESTABLISHED, KEEPALIVE_MSG, ESTABLISHED, KEEP, A(STOP_HOLD)),
	ROW(ESTABLISHED, UPDATE_MSG, ESTABLISHED, KEEP, A(PROCESS_UPDATE),
	    A(STOP_HOLD)),
	/* the OpenSent entry still arms the large timer: nothing agreed yet */
	ROW(CONNECT, TCP_CR_ACKED, OPENSENT, KEEP, TO_OPENSENT),
	ROW(ESTABLISHED, HOLD_TIMER_EXPIRES, IDLE, INCR, HOLD_EXPIRED,
	    TO_IDLE),
};

#define NROWS(t)	(sizeof(t) / sizeof((t)[0]))

static void
print_actions(const char *what, const struct fsm_action *a, unsigned n)
{
	unsigned i;

	print_error("    %s:", what);
	for (i = 0; i < n; i++) {
		if (a[i].type == FSM_ACT_SEND_NOTIF)
			print_error(" %s(%u/%u)", fsm_act_name(a[i].type),
			    a[i].code, a[i].subcode);
		else
			print_error(" %s", fsm_act_name(a[i].type));
	}
	print_error("\n");
}

/* run one row; print every difference and return false if any */
static bool
row_ok(const struct fsm_row *r, bool passive, bool hold_zero)
{
	struct fsm f;
	struct fsm_actions out;
	enum fsm_state got;
	uint32_t want_crc;
	bool ok = true;
	unsigned i;

	fsm_init(&f, passive);
	f.state = r->st;
	f.connect_retry_counter = CRC_START;
	f.hold_zero = hold_zero;
	memset(&out, 0xa5, sizeof(out));
	got = fsm_step(&f, r->ev, &out);

	want_crc = r->crc == CRC_ZERO ? 0 : r->crc == CRC_INCR ?
	    CRC_START + 1 : CRC_START;
	if (got != r->want || f.state != r->want ||
	    f.connect_retry_counter != want_crc || out.n != r->n ||
	    f.passive != passive || f.hold_zero != hold_zero)
		ok = false;
	for (i = 0; ok && i < r->n; i++) {
		if (out.a[i].type != r->acts[i].type)
			ok = false;
		else if (r->acts[i].type == FSM_ACT_SEND_NOTIF &&
		    (out.a[i].code != r->acts[i].code ||
		    out.a[i].subcode != r->acts[i].subcode))
			ok = false;
	}
	if (!ok) {
		print_error("%s + %s: want %s counter %u, got %s (returned "
		    "%s) counter %u\n", fsm_state_name(r->st),
		    fsm_event_name(r->ev), fsm_state_name(r->want), want_crc,
		    fsm_state_name(f.state), fsm_state_name(got),
		    f.connect_retry_counter);
		print_actions("want", r->acts, r->n);
		print_actions("got ", out.a, out.n <= FSM_MAX_ACTIONS ?
		    out.n : 0);
	}
	return ok;
}

static unsigned
run_table(const struct fsm_row *t, size_t n, bool passive, bool hold_zero)
{
	unsigned bad = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!row_ok(&t[i], passive, hold_zero))
			bad++;
	return bad;
}

static void
test_fsm_table_covers_every_state_event_pair_once(void **state)
{
	unsigned seen[FSM_NSTATES][FSM_EV_MAX + 1];
	unsigned s, e;
	size_t i;

	(void)state;
	memset(seen, 0, sizeof(seen));
	assert_int_equal(NROWS(fsm_table), FSM_NSTATES * FSM_EV_MAX);
	assert_int_equal(NROWS(fsm_table), 168);
	for (i = 0; i < NROWS(fsm_table); i++) {
		assert_in_range(fsm_table[i].st, FSM_IDLE, FSM_ESTABLISHED);
		assert_in_range(fsm_table[i].ev, FSM_EV_MIN, FSM_EV_MAX);
		assert_true(fsm_table[i].n <= FSM_MAX_ACTIONS);
		seen[fsm_table[i].st][fsm_table[i].ev]++;
	}
	for (s = 0; s < FSM_NSTATES; s++)
		for (e = FSM_EV_MIN; e <= FSM_EV_MAX; e++) {
			if (seen[s][e] != 1)
				print_error("%s + %s: %u rows\n",
				    fsm_state_name((enum fsm_state)s),
				    fsm_event_name((enum fsm_event)e),
				    seen[s][e]);
			assert_int_equal(seen[s][e], 1);
		}
}

static void
test_fsm_table_every_state_event_pair(void **state)
{
	(void)state;
	assert_int_equal(run_table(fsm_table, NROWS(fsm_table), false, false),
	    0);
}

static void
test_fsm_passive_peer_listens_and_never_dials(void **state)
{
	(void)state;
	assert_int_equal(run_table(fsm_passive_table, NROWS(fsm_passive_table),
	    true, false), 0);
}

static void
test_fsm_hold_zero_stops_hold_and_keepalive_timers(void **state)
{
	(void)state;
	assert_int_equal(run_table(fsm_hold_zero_table,
	    NROWS(fsm_hold_zero_table), false, true), 0);
}

/* fsm_step + checks the new state and returns the actions */
static void
step(struct fsm *f, enum fsm_event ev, enum fsm_state want,
    struct fsm_actions *out)
{
	assert_int_equal(fsm_step(f, ev, out), want);
	assert_int_equal(f->state, want);
}

static bool
has_action(const struct fsm_actions *out, enum fsm_act_type t)
{
	unsigned i;

	for (i = 0; i < out->n; i++)
		if (out->a[i].type == t)
			return true;
	return false;
}

static void
test_fsm_init_is_idle_with_zero_counter(void **state)
{
	struct fsm f;

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	fsm_init(&f, true);
	assert_int_equal(f.state, FSM_IDLE);
	assert_int_equal(f.connect_retry_counter, 0);
	assert_true(f.passive);
	assert_false(f.hold_zero);
	fsm_init(&f, false);
	assert_false(f.passive);
}

static void
test_fsm_active_open_walk_idle_to_established(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.a[0].type, FSM_ACT_START_CONNECT_RETRY);
	assert_int_equal(out.a[1].type, FSM_ACT_CONNECT);

	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.a[0].type, FSM_ACT_STOP_CONNECT_RETRY);
	assert_int_equal(out.a[1].type, FSM_ACT_SEND_OPEN);
	assert_int_equal(out.a[2].type, FSM_ACT_START_HOLD_LARGE);

	step(&f, FSM_EV_BGP_OPEN, FSM_OPENCONFIRM, &out);
	assert_int_equal(out.n, 4);
	assert_int_equal(out.a[1].type, FSM_ACT_SEND_KEEPALIVE);
	assert_int_equal(out.a[2].type, FSM_ACT_START_KEEPALIVE);
	assert_int_equal(out.a[3].type, FSM_ACT_START_HOLD);

	step(&f, FSM_EV_KEEPALIVE_MSG, FSM_ESTABLISHED, &out);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.a[0].type, FSM_ACT_START_HOLD);
	assert_int_equal(out.a[1].type, FSM_ACT_ESTABLISHED);

	/* and it stays up on traffic */
	step(&f, FSM_EV_UPDATE_MSG, FSM_ESTABLISHED, &out);
	step(&f, FSM_EV_KEEPALIVE_MSG, FSM_ESTABLISHED, &out);
	step(&f, FSM_EV_KEEPALIVE_TIMER_EXPIRES, FSM_ESTABLISHED, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_KEEPALIVE);
	assert_int_equal(f.connect_retry_counter, 0);
}

static void
test_fsm_passive_walk_idle_to_established(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, true);
	step(&f, FSM_EV_AUTOMATIC_START_PASSIVE, FSM_ACTIVE, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, FSM_ACT_START_CONNECT_RETRY);
	assert_false(has_action(&out, FSM_ACT_CONNECT));

	/* the retry timer fires a few times: still listening */
	step(&f, FSM_EV_CONNECT_RETRY_TIMER_EXPIRES, FSM_ACTIVE, &out);
	assert_false(has_action(&out, FSM_ACT_CONNECT));
	step(&f, FSM_EV_CONNECT_RETRY_TIMER_EXPIRES, FSM_ACTIVE, &out);
	assert_false(has_action(&out, FSM_ACT_CONNECT));

	step(&f, FSM_EV_TCP_CONNECTION_CONFIRMED, FSM_OPENSENT, &out);
	assert_int_equal(out.a[1].type, FSM_ACT_SEND_OPEN);
	step(&f, FSM_EV_BGP_OPEN, FSM_OPENCONFIRM, &out);
	step(&f, FSM_EV_KEEPALIVE_MSG, FSM_ESTABLISHED, &out);
	assert_true(has_action(&out, FSM_ACT_ESTABLISHED));
}

static void
test_fsm_connect_retry_counter_counts_and_resets(
    void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	step(&f, FSM_EV_MANUAL_START, FSM_CONNECT, &out);
	/* TcpConnectionFails in Connect: Idle, counter unchanged */
	step(&f, FSM_EV_TCP_CONNECTION_FAILS, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 0);

	/* a session that gets to OpenConfirm and loses its hold timer */
	f.state = FSM_OPENCONFIRM;
	step(&f, FSM_EV_HOLD_TIMER_EXPIRES, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 1);
	f.state = FSM_ESTABLISHED;
	step(&f, FSM_EV_NOTIF_MSG, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 2);
	f.state = FSM_ACTIVE;
	step(&f, FSM_EV_TCP_CONNECTION_FAILS, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 3);
	/* NotifMsgVerErr in OpenSent does not count */
	f.state = FSM_OPENSENT;
	step(&f, FSM_EV_NOTIF_MSG_VER_ERR, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 3);
	/* events ignored in Idle leave it alone */
	step(&f, FSM_EV_HOLD_TIMER_EXPIRES, FSM_IDLE, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.connect_retry_counter, 3);

	/* RFC 4271 8.2.2 Idle: a start "sets ConnectRetryCounter to zero" */
	step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
	assert_int_equal(f.connect_retry_counter, 0);

	/* ManualStop sets it to zero too */
	f.connect_retry_counter = 7;
	f.state = FSM_ESTABLISHED;
	step(&f, FSM_EV_MANUAL_STOP, FSM_IDLE, &out);
	assert_int_equal(f.connect_retry_counter, 0);
}

static void
test_fsm_openconfirm_hold_timer_expires_sends_notif_4_0(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	f.state = FSM_OPENCONFIRM;
	step(&f, FSM_EV_HOLD_TIMER_EXPIRES, FSM_IDLE, &out);
	assert_true(out.n >= 3);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
	assert_int_equal(out.a[0].code, 4);
	assert_int_equal(out.a[0].subcode, 0);
	assert_true(has_action(&out, FSM_ACT_RELEASE));
	assert_int_equal(out.a[out.n - 1].type, FSM_ACT_CLOSE);
}

static void
test_fsm_established_unexpected_open_sends_notif_5_3(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	f.state = FSM_ESTABLISHED;
	step(&f, FSM_EV_BGP_OPEN, FSM_IDLE, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
	assert_int_equal(out.a[0].code, 5);
	assert_int_equal(out.a[0].subcode, 3);
	assert_int_equal(f.connect_retry_counter, 1);
}

static void
test_fsm_opensent_unexpected_keepalive_sends_notif_5_1(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	f.state = FSM_OPENSENT;
	step(&f, FSM_EV_KEEPALIVE_MSG, FSM_IDLE, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
	assert_int_equal(out.a[0].code, 5);
	assert_int_equal(out.a[0].subcode, 1);
}

static void
test_fsm_openconfirm_unexpected_update_sends_notif_5_2(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	f.state = FSM_OPENCONFIRM;
	step(&f, FSM_EV_UPDATE_MSG, FSM_IDLE, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
	assert_int_equal(out.a[0].code, 5);
	assert_int_equal(out.a[0].subcode, 2);
}

static void
test_fsm_manual_stop_sends_cease_admin_shutdown_6_2(void **state)
{
	static const enum fsm_state up[] = {
		FSM_OPENSENT, FSM_OPENCONFIRM, FSM_ESTABLISHED,
	};
	struct fsm f;
	struct fsm_actions out;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(up); i++) {
		fsm_init(&f, false);
		f.state = up[i];
		step(&f, FSM_EV_MANUAL_STOP, FSM_IDLE, &out);
		assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
		assert_int_equal(out.a[0].code, 6);
		assert_int_equal(out.a[0].subcode, 2);
	}
	/* before an OPEN went out there is nobody to tell */
	fsm_init(&f, false);
	f.state = FSM_CONNECT;
	step(&f, FSM_EV_MANUAL_STOP, FSM_IDLE, &out);
	assert_false(has_action(&out, FSM_ACT_SEND_NOTIF));
}

static void
test_fsm_opensent_collision_dump_sends_cease_6_7(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, true);
	step(&f, FSM_EV_MANUAL_START_PASSIVE, FSM_ACTIVE, &out);
	step(&f, FSM_EV_TCP_CONNECTION_CONFIRMED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF);
	assert_int_equal(out.a[0].code, 6);
	assert_int_equal(out.a[0].subcode, 7);
}

/*
 * OpenCollisionDump as session.c raises it: on the connection that lost a
 * collision (RFC 4271 6.8), reached the way the session reaches each state
 * it can be in.  The whole action list is checked, in order.
 */
static void
expect_actions(const struct fsm_actions *out, const struct fsm_action *want,
    unsigned n)
{
	unsigned i;

	if (out->n != n)
		print_actions("got", out->a, out->n);
	assert_int_equal(out->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(out->a[i].type, want[i].type);
		assert_int_equal(out->a[i].code, want[i].code);
		assert_int_equal(out->a[i].subcode, want[i].subcode);
	}
}

/* Cease/Connection Collision Resolution queued, then into Idle */
static const struct fsm_action dump_notif[] = { CEASE_COLLISION, TO_IDLE };
/* no connection left to tell: into Idle only */
static const struct fsm_action dump_quiet[] = { TO_IDLE };
#define NDUMP(a)	((unsigned)(sizeof(a) / sizeof((a)[0])))

static void
test_fsm_collision_dump_candidate_in_opensent(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	/* accept_into(): a second, inbound connection with its own FSM */
	fsm_init(&f, true);
	step(&f, FSM_EV_MANUAL_START_PASSIVE, FSM_ACTIVE, &out);
	step(&f, FSM_EV_TCP_CONNECTION_CONFIRMED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	expect_actions(&out, dump_notif, NDUMP(dump_notif));
	assert_int_equal(f.connect_retry_counter, 1);
}

static void
test_fsm_collision_dump_main_in_opensent_gives_way(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	/* our own connection, no OPEN from the peer on it yet */
	fsm_init(&f, false);
	step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	expect_actions(&out, dump_notif, NDUMP(dump_notif));
	assert_int_equal(f.connect_retry_counter, 1);
}

static void
test_fsm_collision_dump_main_in_openconfirm(void **state)
{
	struct fsm f;
	struct fsm_actions out;
	unsigned hz;

	(void)state;
	/* the lower BGP Identifier's connection, either hold time */
	for (hz = 0; hz < 2; hz++) {
		fsm_init(&f, false);
		step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
		step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
		f.hold_zero = hz == 1;
		step(&f, FSM_EV_BGP_OPEN, FSM_OPENCONFIRM, &out);
		step(&f, FSM_EV_KEEPALIVE_TIMER_EXPIRES, FSM_OPENCONFIRM,
		    &out);
		step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
		expect_actions(&out, dump_notif, NDUMP(dump_notif));
		assert_int_equal(f.connect_retry_counter, 1);
	}
}

static void
test_fsm_collision_dump_without_connection_sends_nothing(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	/* the main connection failed in OpenSent, the candidate goes on */
	fsm_init(&f, false);
	step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_TCP_CONNECTION_FAILS, FSM_ACTIVE, &out);
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	expect_actions(&out, dump_quiet, NDUMP(dump_quiet));
	assert_int_equal(f.connect_retry_counter, 1);

	/* ... and has started dialling again */
	fsm_init(&f, false);
	step(&f, FSM_EV_AUTOMATIC_START, FSM_CONNECT, &out);
	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_TCP_CONNECTION_FAILS, FSM_ACTIVE, &out);
	step(&f, FSM_EV_CONNECT_RETRY_TIMER_EXPIRES, FSM_CONNECT, &out);
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	expect_actions(&out, dump_quiet, NDUMP(dump_quiet));
	assert_int_equal(f.connect_retry_counter, 1);

	/* ... or has gone to Idle already: nothing at all */
	step(&f, FSM_EV_OPEN_COLLISION_DUMP, FSM_IDLE, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.connect_retry_counter, 1);
}

static void
test_fsm_received_notification_not_answered_after_opensent(void **state)
{
	static const enum fsm_state st[] = {
		FSM_OPENCONFIRM, FSM_ESTABLISHED,
	};
	struct fsm f;
	struct fsm_actions out;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(st); i++) {
		fsm_init(&f, false);
		f.state = st[i];
		step(&f, FSM_EV_NOTIF_MSG, FSM_IDLE, &out);
		assert_false(has_action(&out, FSM_ACT_SEND_NOTIF));
		assert_false(has_action(&out, FSM_ACT_SEND_NOTIF_ERR));
		assert_true(has_action(&out, FSM_ACT_RELEASE));
		assert_true(has_action(&out, FSM_ACT_CLOSE));
	}
	/* version error in OpenSent: no reply either */
	fsm_init(&f, false);
	f.state = FSM_OPENSENT;
	step(&f, FSM_EV_NOTIF_MSG_VER_ERR, FSM_IDLE, &out);
	assert_false(has_action(&out, FSM_ACT_SEND_NOTIF));
}

static void
test_fsm_opensent_tcp_fails_falls_back_to_active(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	step(&f, FSM_EV_MANUAL_START, FSM_CONNECT, &out);
	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	step(&f, FSM_EV_TCP_CONNECTION_FAILS, FSM_ACTIVE, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.a[0].type, FSM_ACT_CLOSE);
	/* the 4-minute OpenSent hold timer must not fire in Active */
	assert_int_equal(out.a[1].type, FSM_ACT_STOP_HOLD);
	assert_int_equal(out.a[2].type, FSM_ACT_START_CONNECT_RETRY);
	assert_int_equal(f.connect_retry_counter, 0);
	/* then the retry timer dials again */
	step(&f, FSM_EV_CONNECT_RETRY_TIMER_EXPIRES, FSM_CONNECT, &out);
	assert_true(has_action(&out, FSM_ACT_CONNECT));
}

static void
test_fsm_established_bad_update_sends_decoder_error(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	f.state = FSM_ESTABLISHED;
	step(&f, FSM_EV_UPDATE_MSG_ERR, FSM_IDLE, &out);
	assert_int_equal(out.a[0].type, FSM_ACT_SEND_NOTIF_ERR);
	assert_false(has_action(&out, FSM_ACT_SEND_NOTIF));
	assert_int_equal(f.connect_retry_counter, 1);
}

static void
test_fsm_hold_zero_walk_never_starts_hold_or_keepalive(void **state)
{
	struct fsm f;
	struct fsm_actions out;

	(void)state;
	fsm_init(&f, false);
	step(&f, FSM_EV_MANUAL_START, FSM_CONNECT, &out);
	step(&f, FSM_EV_TCP_CR_ACKED, FSM_OPENSENT, &out);
	f.hold_zero = true;	/* as the session sets it on accepting OPEN */
	step(&f, FSM_EV_BGP_OPEN, FSM_OPENCONFIRM, &out);
	assert_true(has_action(&out, FSM_ACT_SEND_KEEPALIVE));
	assert_true(has_action(&out, FSM_ACT_STOP_HOLD));
	assert_false(has_action(&out, FSM_ACT_START_HOLD));
	assert_false(has_action(&out, FSM_ACT_START_KEEPALIVE));
	step(&f, FSM_EV_KEEPALIVE_MSG, FSM_ESTABLISHED, &out);
	assert_false(has_action(&out, FSM_ACT_START_HOLD));
	step(&f, FSM_EV_UPDATE_MSG, FSM_ESTABLISHED, &out);
	assert_true(has_action(&out, FSM_ACT_PROCESS_UPDATE));
	assert_false(has_action(&out, FSM_ACT_START_HOLD));
}

/*
 * Property over all 168 cells (and both passive settings): whenever a
 * step ends in Idle from another state, it releases the peer's resources
 * and drops the connection, and it starts no timer and dials nobody.
 */
static void
test_fsm_every_way_into_idle_releases_closes(void **state)
{
	struct fsm f;
	struct fsm_actions out;
	unsigned s, e, i, p, into_idle = 0;

	(void)state;
	for (p = 0; p < 2; p++)
		for (s = FSM_CONNECT; s < FSM_NSTATES; s++)
			for (e = FSM_EV_MIN; e <= FSM_EV_MAX; e++) {
				fsm_init(&f, p == 1);
				f.state = (enum fsm_state)s;
				fsm_step(&f, (enum fsm_event)e, &out);
				if (f.state != FSM_IDLE)
					continue;
				into_idle++;
				assert_true(has_action(&out,
				    FSM_ACT_RELEASE));
				assert_true(has_action(&out, FSM_ACT_CLOSE));
				assert_true(has_action(&out,
				    FSM_ACT_STOP_CONNECT_RETRY));
				assert_true(has_action(&out,
				    FSM_ACT_STOP_HOLD));
				assert_true(has_action(&out,
				    FSM_ACT_STOP_KEEPALIVE));
				for (i = 0; i < out.n; i++) {
					assert_int_not_equal(out.a[i].type,
					    FSM_ACT_CONNECT);
					assert_int_not_equal(out.a[i].type,
					    FSM_ACT_START_CONNECT_RETRY);
					assert_int_not_equal(out.a[i].type,
					    FSM_ACT_START_HOLD);
					assert_int_not_equal(out.a[i].type,
					    FSM_ACT_START_HOLD_LARGE);
					assert_int_not_equal(out.a[i].type,
					    FSM_ACT_START_KEEPALIVE);
				}
				/* a NOTIFICATION goes out before the close */
				if (out.a[0].type == FSM_ACT_SEND_NOTIF ||
				    out.a[0].type == FSM_ACT_SEND_NOTIF_ERR)
					assert_int_equal(out.a[out.n - 1].type,
					    FSM_ACT_CLOSE);
			}
	/* 5 non-Idle states, most of their events drop: sanity on the loop */
	assert_true(into_idle > 100);
}

static void
test_fsm_event_outside_rfc_range_is_noop(void **state)
{
	static const int bad[] = { 0, -1, FSM_EV_MAX + 1, 255 };
	struct fsm f;
	struct fsm_actions out;
	size_t i;
	unsigned s;

	(void)state;
	for (s = 0; s < FSM_NSTATES; s++)
		for (i = 0; i < NROWS(bad); i++) {
			fsm_init(&f, false);
			f.state = (enum fsm_state)s;
			f.connect_retry_counter = 3;
			out.n = 99;
			assert_int_equal(fsm_step(&f, (enum fsm_event)bad[i],
			    &out), s);
			assert_int_equal(f.state, s);
			assert_int_equal(out.n, 0);
			assert_int_equal(f.connect_retry_counter, 3);
		}
}

static void
test_fsm_state_names(void **state)
{
	(void)state;
	assert_string_equal(fsm_state_name(FSM_IDLE), "Idle");
	assert_string_equal(fsm_state_name(FSM_CONNECT), "Connect");
	assert_string_equal(fsm_state_name(FSM_ACTIVE), "Active");
	assert_string_equal(fsm_state_name(FSM_OPENSENT), "OpenSent");
	assert_string_equal(fsm_state_name(FSM_OPENCONFIRM), "OpenConfirm");
	assert_string_equal(fsm_state_name(FSM_ESTABLISHED), "Established");
	assert_string_equal(fsm_state_name((enum fsm_state)FSM_NSTATES),
	    "Unknown");
	assert_string_equal(fsm_state_name((enum fsm_state)-1), "Unknown");
}

static void
test_fsm_event_names_are_rfc_4271_spelling(void **state)
{
	static const char *const want[FSM_EV_MAX + 1] = {
		NULL,
		"ManualStart",
		"ManualStop",
		"AutomaticStart",
		"ManualStart_with_PassiveTcpEstablishment",
		"AutomaticStart_with_PassiveTcpEstablishment",
		"AutomaticStart_with_DampPeerOscillations",
		"AutomaticStart_with_DampPeerOscillations_and_"
		    "PassiveTcpEstablishment",
		"AutomaticStop",
		"ConnectRetryTimer_Expires",
		"HoldTimer_Expires",
		"KeepaliveTimer_Expires",
		"DelayOpenTimer_Expires",
		"IdleHoldTimer_Expires",
		"TcpConnection_Valid",
		"Tcp_CR_Invalid",
		"Tcp_CR_Acked",
		"TcpConnectionConfirmed",
		"TcpConnectionFails",
		"BGPOpen",
		"BGPOpen with DelayOpenTimer running",
		"BGPHeaderErr",
		"BGPOpenMsgErr",
		"OpenCollisionDump",
		"NotifMsgVerErr",
		"NotifMsg",
		"KeepAliveMsg",
		"UpdateMsg",
		"UpdateMsgErr",
	};
	int e;

	(void)state;
	for (e = FSM_EV_MIN; e <= FSM_EV_MAX; e++)
		assert_string_equal(fsm_event_name((enum fsm_event)e),
		    want[e]);
	/* spot-check that the enum carries the RFC numbers */
	assert_int_equal(FSM_EV_HOLD_TIMER_EXPIRES, 10);
	assert_int_equal(FSM_EV_BGP_OPEN, 19);
	assert_int_equal(FSM_EV_UPDATE_MSG_ERR, 28);
	assert_string_equal(fsm_event_name((enum fsm_event)0), "Unknown");
	assert_string_equal(fsm_event_name((enum fsm_event)29), "Unknown");
	assert_string_equal(fsm_event_name((enum fsm_event)-5), "Unknown");
}

static void
test_fsm_action_names_are_distinct(void **state)
{
	unsigned i, j;

	(void)state;
	assert_string_equal(fsm_act_name(FSM_ACT_SEND_NOTIF), "SEND_NOTIF");
	assert_string_equal(fsm_act_name(FSM_ACT_START_HOLD_LARGE),
	    "START_HOLD_LARGE");
	for (i = FSM_ACT_CONNECT; i <= FSM_ACT_PROCESS_UPDATE; i++) {
		assert_string_not_equal(fsm_act_name((enum fsm_act_type)i),
		    "Unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(
			    fsm_act_name((enum fsm_act_type)i),
			    fsm_act_name((enum fsm_act_type)j));
	}
	assert_string_equal(fsm_act_name(
	    (enum fsm_act_type)(FSM_ACT_PROCESS_UPDATE + 1)), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_fsm_table_covers_every_state_event_pair_once),
		cmocka_unit_test(test_fsm_table_every_state_event_pair),
		cmocka_unit_test(test_fsm_passive_peer_listens_and_never_dials),
		cmocka_unit_test(
		    test_fsm_hold_zero_stops_hold_and_keepalive_timers),
		cmocka_unit_test(test_fsm_init_is_idle_with_zero_counter),
		cmocka_unit_test(test_fsm_active_open_walk_idle_to_established),
		cmocka_unit_test(test_fsm_passive_walk_idle_to_established),
		cmocka_unit_test(
		    test_fsm_connect_retry_counter_counts_and_resets),
		cmocka_unit_test(
		    test_fsm_openconfirm_hold_timer_expires_sends_notif_4_0),
		cmocka_unit_test(
		    test_fsm_established_unexpected_open_sends_notif_5_3),
		cmocka_unit_test(
		    test_fsm_opensent_unexpected_keepalive_sends_notif_5_1),
		cmocka_unit_test(
		    test_fsm_openconfirm_unexpected_update_sends_notif_5_2),
		cmocka_unit_test(
		    test_fsm_manual_stop_sends_cease_admin_shutdown_6_2),
		cmocka_unit_test(
		    test_fsm_opensent_collision_dump_sends_cease_6_7),
		cmocka_unit_test(test_fsm_collision_dump_candidate_in_opensent),
		cmocka_unit_test(
		    test_fsm_collision_dump_main_in_opensent_gives_way),
		cmocka_unit_test(test_fsm_collision_dump_main_in_openconfirm),
		cmocka_unit_test(
		    test_fsm_collision_dump_without_connection_sends_nothing),
		cmocka_unit_test(
		    test_fsm_received_notification_not_answered_after_opensent),
		cmocka_unit_test(
		    test_fsm_opensent_tcp_fails_falls_back_to_active),
		cmocka_unit_test(
		    test_fsm_established_bad_update_sends_decoder_error),
		cmocka_unit_test(
		    test_fsm_hold_zero_walk_never_starts_hold_or_keepalive),
		cmocka_unit_test(test_fsm_every_way_into_idle_releases_closes),
		cmocka_unit_test(test_fsm_event_outside_rfc_range_is_noop),
		cmocka_unit_test(test_fsm_state_names),
		cmocka_unit_test(test_fsm_event_names_are_rfc_4271_spelling),
		cmocka_unit_test(test_fsm_action_names_are_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
