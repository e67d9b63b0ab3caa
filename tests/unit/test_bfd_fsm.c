/*
 * test_bfd_fsm.c - the BFD session machine (RFC 5880 6.8), asynchronous
 * mode.  Packets are built as structs: the machine knows nothing of the
 * codec.  Times are microseconds; "us" below is the local session, whose
 * discriminator is LD, and the remote's is RD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bfd/fsm.h"

#define LD	0x11u
#define RD	0x22u
#define MS	1000u

static const struct bfd_timers T50 = { 50 * MS, 50 * MS, 3 };

static struct bfd_pkt
pkt(uint8_t state)
{
	struct bfd_pkt p;

	memset(&p, 0, sizeof(p));
	p.vers = BFD_VERSION;
	p.state = state;
	p.detect_mult = 3;
	p.length = BFD_HDR_LEN;
	p.my_disc = RD;
	p.your_disc = LD;
	p.desired_min_tx = 50 * MS;
	p.required_min_rx = 50 * MS;
	return p;
}

static struct bfd_rx_result
rx(struct bfd_sess *s, uint8_t state, uint64_t now)
{
	struct bfd_pkt p = pkt(state);

	return bfd_sess_rx(s, &p, now);
}

/* a session brought to state by the machine's own rules */
static void
reach(struct bfd_sess *s, uint8_t state)
{
	bfd_sess_init(s, &T50, LD, NULL, 0);
	switch (state) {
	case BFD_ADMIN_DOWN:
		bfd_sess_admin_down(s, 1);
		break;
	case BFD_INIT:
		rx(s, BFD_DOWN, 1);
		break;
	case BFD_UP:
		rx(s, BFD_INIT, 1);
		break;
	}
	assert_int_equal(s->state, state);
}

/* ---- every state x every received state (6.8.6) ---- */

struct row {
	uint8_t		local, remote, want, diag;
	uint8_t		discard;
};

#define AD	BFD_ADMIN_DOWN
static const struct row rows[] = {
	{ AD, AD, AD, BFD_DIAG_ADMIN_DOWN, BFD_DISC_ADMIN_DOWN },
	{ AD, BFD_DOWN, AD, BFD_DIAG_ADMIN_DOWN, BFD_DISC_ADMIN_DOWN },
	{ AD, BFD_INIT, AD, BFD_DIAG_ADMIN_DOWN, BFD_DISC_ADMIN_DOWN },
	{ AD, BFD_UP, AD, BFD_DIAG_ADMIN_DOWN, BFD_DISC_ADMIN_DOWN },
	{ BFD_DOWN, AD, BFD_DOWN, BFD_DIAG_NONE, 0 },
	{ BFD_DOWN, BFD_DOWN, BFD_INIT, BFD_DIAG_NONE, 0 },
	{ BFD_DOWN, BFD_INIT, BFD_UP, BFD_DIAG_NONE, 0 },
	{ BFD_DOWN, BFD_UP, BFD_DOWN, BFD_DIAG_NONE, 0 },
	{ BFD_INIT, AD, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, 0 },
	{ BFD_INIT, BFD_DOWN, BFD_INIT, BFD_DIAG_NONE, 0 },
	{ BFD_INIT, BFD_INIT, BFD_UP, BFD_DIAG_NONE, 0 },
	{ BFD_INIT, BFD_UP, BFD_UP, BFD_DIAG_NONE, 0 },
	{ BFD_UP, AD, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, 0 },
	{ BFD_UP, BFD_DOWN, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, 0 },
	{ BFD_UP, BFD_INIT, BFD_UP, BFD_DIAG_NONE, 0 },
	{ BFD_UP, BFD_UP, BFD_UP, BFD_DIAG_NONE, 0 },
};

static void
test_state_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct bfd_sess s;
		struct bfd_rx_result res;
		struct bfd_pkt out;
		uint64_t before;

		print_message("row %zu: %d <- %d\n", i, r->local, r->remote);
		reach(&s, r->local);
		bfd_sess_build(&s, &out, 2, 0);
		assert_int_not_equal(bfd_sess_next_tx(&s), 0);
		before = s.cnt.transitions;
		res = rx(&s, r->remote, 1000);
		assert_int_equal(res.discard, r->discard);
		assert_int_equal(s.state, r->want);
		assert_int_equal(s.local_diag, r->diag);
		assert_int_equal(res.changed, r->want != r->local);
		assert_int_equal(s.cnt.transitions - before,
		    r->want != r->local);
		/* a change goes out at once, and nothing else does */
		assert_int_equal(bfd_sess_next_tx(&s) == 0,
		    r->want != r->local);
	}
}

/* ---- the other rules of 6.8.6, one case each ---- */

static void
expect_discard(struct bfd_sess *s, const struct bfd_pkt *p, uint8_t why)
{
	uint8_t st = s->state;
	uint32_t rd = s->remote_discr;
	struct bfd_rx_result r = bfd_sess_rx(s, p, 5000);

	assert_int_equal(r.discard, why);
	assert_int_equal(s->cnt.discarded[why], 1);
	assert_false(r.changed);
	/* a discarded packet teaches nothing */
	assert_int_equal(s->state, st);
	assert_int_equal(s->remote_discr, rd);
}

static void
test_discard_invalid(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;

	(void)state;
	reach(&s, BFD_DOWN);
	p = pkt(BFD_DOWN);
	p.detect_mult = 0;
	expect_discard(&s, &p, BFD_DISC_INVALID);
	reach(&s, BFD_DOWN);
	p = pkt(BFD_DOWN);
	p.my_disc = 0;
	expect_discard(&s, &p, BFD_DISC_INVALID);
}

static void
test_discard_your_discr(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;

	(void)state;
	reach(&s, BFD_DOWN);
	p = pkt(BFD_DOWN);
	p.your_disc = LD + 1;
	expect_discard(&s, &p, BFD_DISC_DISCR);

	/* zero only while the remote says Down or AdminDown */
	reach(&s, BFD_DOWN);
	p = pkt(BFD_INIT);
	p.your_disc = 0;
	expect_discard(&s, &p, BFD_DISC_DISCR);
	reach(&s, BFD_DOWN);
	p = pkt(BFD_UP);
	p.your_disc = 0;
	expect_discard(&s, &p, BFD_DISC_DISCR);

	reach(&s, BFD_DOWN);
	p = pkt(BFD_DOWN);
	p.your_disc = 0;
	assert_int_equal(bfd_sess_rx(&s, &p, 5000).discard, BFD_DISC_NONE);
	assert_int_equal(s.state, BFD_INIT);
	reach(&s, BFD_UP);
	p = pkt(BFD_ADMIN_DOWN);
	p.your_disc = 0;
	assert_int_equal(bfd_sess_rx(&s, &p, 5000).discard, BFD_DISC_NONE);
	assert_int_equal(s.state, BFD_DOWN);
}

static const struct bfd_key SHA1 = {
	.type = BFD_AUTH_SHA1, .id = 7, .secret = "secret", .secret_len = 6,
};
static const struct bfd_key MSHA1 = {
	.type = BFD_AUTH_MET_SHA1, .id = 7, .secret = "secret",
	.secret_len = 6,
};

static struct bfd_pkt
apkt(uint8_t state, uint8_t type, uint32_t seq)
{
	struct bfd_pkt p = pkt(state);

	p.auth_present = true;
	p.auth.type = type;
	p.auth.key_id = 7;
	p.auth.seq = seq;
	return p;
}

static void
test_discard_auth(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;

	(void)state;
	/* A bit without a key */
	bfd_sess_init(&s, &T50, LD, NULL, 0);
	p = apkt(BFD_DOWN, BFD_AUTH_SHA1, 1);
	expect_discard(&s, &p, BFD_DISC_AUTH);
	/* a key without the A bit */
	bfd_sess_init(&s, &T50, LD, &SHA1, 0);
	p = pkt(BFD_DOWN);
	expect_discard(&s, &p, BFD_DISC_AUTH);
	/* another type */
	bfd_sess_init(&s, &T50, LD, &SHA1, 0);
	p = apkt(BFD_DOWN, BFD_AUTH_MET_SHA1, 1);
	expect_discard(&s, &p, BFD_DISC_AUTH);
	/* the right one */
	bfd_sess_init(&s, &T50, LD, &SHA1, 0);
	p = apkt(BFD_DOWN, BFD_AUTH_SHA1, 1);
	assert_int_equal(bfd_sess_rx(&s, &p, 5000).discard, BFD_DISC_NONE);
	assert_int_equal(s.state, BFD_INIT);
}

static void
test_remote_vars(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_DOWN);

	(void)state;
	bfd_sess_init(&s, &T50, LD, NULL, 0);
	assert_int_equal(s.remote_discr, 0);
	assert_int_equal(s.remote_min_rx, 1);
	p.your_disc = 0;
	p.required_min_rx = 70 * MS;
	p.desired_min_tx = 30 * MS;
	p.detect_mult = 5;
	p.diag = BFD_DIAG_PATH_DOWN;
	bfd_sess_rx(&s, &p, 5000);
	assert_int_equal(s.remote_discr, RD);
	assert_int_equal(s.remote_state, BFD_DOWN);
	assert_int_equal(s.remote_min_rx, 70 * MS);
	assert_int_equal(s.remote_desired_min_tx, 30 * MS);
	assert_int_equal(s.remote_detect_mult, 5);
	assert_int_equal(s.last_rx_us, 5000);
	assert_int_equal(s.cnt.rx, 1);
}

static void
test_poll_owes_final(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_UP), out;
	struct bfd_rx_result r;

	(void)state;
	reach(&s, BFD_UP);
	bfd_sess_build(&s, &out, 2000, 0);
	s.poll = true;	/* our own Poll in progress too */
	p.poll = true;
	r = bfd_sess_rx(&s, &p, 3000);
	assert_true(r.send_now);
	assert_false(r.changed);
	assert_int_equal(bfd_sess_next_tx(&s), 0);
	bfd_sess_build(&s, &out, 3000, 0);
	assert_true(out.final);
	assert_false(out.poll);		/* never both */
	assert_int_not_equal(bfd_sess_next_tx(&s), 0);
	bfd_sess_build(&s, &out, 4000, 0);
	assert_false(out.final);
	assert_true(out.poll);
}

static void
test_final_without_poll(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_UP);

	(void)state;
	reach(&s, BFD_UP);
	p.final = true;
	assert_int_equal(bfd_sess_rx(&s, &p, 3000).discard, BFD_DISC_NONE);
	assert_false(s.poll);
	assert_int_equal(s.state, BFD_UP);
}

static void
test_build_fields(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt out;

	(void)state;
	bfd_sess_init(&s, &T50, LD, NULL, 0);
	bfd_sess_build(&s, &out, 0, 0);
	assert_int_equal(out.vers, 1);
	assert_int_equal(out.state, BFD_DOWN);
	assert_int_equal(out.my_disc, LD);
	assert_int_equal(out.your_disc, 0);
	assert_int_equal(out.detect_mult, 3);
	assert_int_equal(out.length, BFD_HDR_LEN);
	assert_int_equal(out.required_min_rx, 50 * MS);
	assert_int_equal(out.required_min_echo_rx, 0);
	assert_false(out.auth_present || out.cpi || out.demand ||
	    out.multipoint || out.poll || out.final);
	rx(&s, BFD_DOWN, 10);
	bfd_sess_build(&s, &out, 20, 0);
	assert_int_equal(out.your_disc, RD);
	assert_int_equal(out.state, BFD_INIT);
	assert_int_equal(s.cnt.tx, 2);
}

/* ---- two machines back to back ---- */

/* a builds, b receives; returns b's result */
static struct bfd_rx_result
send(struct bfd_sess *a, struct bfd_sess *b, uint64_t now)
{
	struct bfd_pkt p;

	bfd_sess_build(a, &p, now, 0);
	return bfd_sess_rx(b, &p, now);
}

static void
pair(struct bfd_sess *a, struct bfd_sess *b, const struct bfd_timers *ta,
    const struct bfd_timers *tb)
{
	bfd_sess_init(a, ta, 1, NULL, 0);
	bfd_sess_init(b, tb, 2, NULL, 0);
}

static void
test_handshake(void **state)
{
	struct bfd_sess a, b;
	struct bfd_pkt p;

	(void)state;
	pair(&a, &b, &T50, &T50);
	assert_true(send(&a, &b, 100).changed);		/* Down -> */
	assert_int_equal(b.state, BFD_INIT);
	assert_int_equal(a.state, BFD_DOWN);
	assert_true(send(&b, &a, 200).changed);		/* <- Init */
	assert_int_equal(a.state, BFD_UP);
	assert_int_equal(a.up_since_us, 200);
	assert_true(send(&a, &b, 300).changed);		/* Up -> */
	assert_int_equal(b.state, BFD_UP);
	assert_int_equal(b.up_since_us, 300);

	/* Up: each announces 50 ms in a Poll; the slow rate ends at once,
	 * since a faster TX is safe without the Final */
	assert_true(a.poll);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	assert_true(b.poll);
	assert_true(b.final_owed);
	bfd_sess_build(&b, &p, 400, 0);	/* b answers a's Poll first */
	assert_true(p.final);
	assert_false(p.poll);
	assert_int_equal(p.desired_min_tx, 50 * MS);
	bfd_sess_rx(&a, &p, 400);
	assert_false(a.poll);
	bfd_sess_build(&b, &p, 450, 0);	/* then polls */
	assert_true(p.poll);
	assert_true(bfd_sess_rx(&a, &p, 450).send_now);
	send(&a, &b, 500);			/* a's Final */
	assert_false(b.poll);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	assert_int_equal(bfd_sess_tx_interval(&b), 50 * MS);
	assert_int_equal(a.cnt.transitions, 1);	/* Down, Up */
	assert_int_equal(b.cnt.transitions, 2);	/* Down, Init, Up */
}

/* both Up at 50 ms (or ta/tb), no Poll outstanding, at time 1000 */
static void
up_pair(struct bfd_sess *a, struct bfd_sess *b, const struct bfd_timers *ta,
    const struct bfd_timers *tb)
{
	pair(a, b, ta, tb);
	send(a, b, 100);
	send(b, a, 200);
	send(a, b, 300);	/* a: Up, Poll; b: Up, Poll, Final owed */
	send(b, a, 400);	/* b's Final ends a's Poll */
	send(b, a, 450);	/* b's Poll */
	send(a, b, 500);	/* a's Final ends b's Poll */
	assert_int_equal(a->state, BFD_UP);
	assert_int_equal(b->state, BFD_UP);
	assert_false(a->poll || b->poll || a->final_owed || b->final_owed);
	send(a, b, 1000);
	send(b, a, 1000);
}

/* a's Poll to b and b's Final back; checks hook between */
static void
poll_round(struct bfd_sess *a, struct bfd_sess *b, uint64_t now)
{
	struct bfd_pkt p;

	bfd_sess_build(a, &p, now, 0);
	assert_true(p.poll);
	bfd_sess_rx(b, &p, now);
	bfd_sess_build(b, &p, now, 0);
	assert_true(p.final);
	bfd_sess_rx(a, &p, now);
	assert_false(a->poll);
}

static void
test_raise_tx(void **state)
{
	struct bfd_sess a, b;
	struct bfd_timers t = T50;
	struct bfd_pkt p;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	t.desired_min_tx_us = 100 * MS;
	bfd_sess_set_timers(&a, &t);
	assert_true(a.poll);
	assert_int_equal(bfd_sess_next_tx(&a), 0);
	/* announced now, in effect only after the Final */
	bfd_sess_build(&a, &p, 2000, 0);
	assert_int_equal(p.desired_min_tx, 100 * MS);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	bfd_sess_rx(&b, &p, 2000);
	/* b's detection follows what a announced */
	assert_int_equal(bfd_sess_detect_time(&b), 300 * MS);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	send(&b, &a, 2100);
	assert_false(a.poll);
	assert_int_equal(bfd_sess_tx_interval(&a), 100 * MS);
}

static void
test_lower_tx(void **state)
{
	struct bfd_sess a, b;
	struct bfd_timers t100 = { 100 * MS, 50 * MS, 3 };

	(void)state;
	up_pair(&a, &b, &t100, &T50);
	assert_int_equal(bfd_sess_tx_interval(&a), 100 * MS);
	bfd_sess_set_timers(&a, &T50);
	assert_true(a.poll);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	poll_round(&a, &b, 2000);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
}

static void
test_lower_rx(void **state)
{
	struct bfd_sess a, b;
	struct bfd_timers fast = { 10 * MS, 10 * MS, 3 }, t = T50;

	(void)state;
	up_pair(&a, &b, &T50, &fast);
	/* b sends every max(10, 50) ms: a waits 3 x 50 */
	assert_int_equal(bfd_sess_detect_time(&a), 150 * MS);
	t.required_min_rx_us = 20 * MS;
	bfd_sess_set_timers(&a, &t);
	assert_true(a.poll);
	/* b may not have heard yet: a keeps the old Detection Time */
	assert_int_equal(bfd_sess_detect_time(&a), 150 * MS);
	assert_int_equal(bfd_sess_deadline(&a), 1000 + 150 * MS);
	poll_round(&a, &b, 2000);
	assert_int_equal(bfd_sess_detect_time(&a), 60 * MS);
	assert_int_equal(bfd_sess_tx_interval(&b), 20 * MS);
}

static void
test_raise_rx(void **state)
{
	struct bfd_sess a, b;
	struct bfd_timers t = T50;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	t.required_min_rx_us = 100 * MS;
	bfd_sess_set_timers(&a, &t);
	assert_true(a.poll);
	/* a slower remote is expected at once */
	assert_int_equal(bfd_sess_detect_time(&a), 300 * MS);
	poll_round(&a, &b, 2000);
	assert_int_equal(bfd_sess_detect_time(&a), 300 * MS);
	assert_int_equal(bfd_sess_tx_interval(&b), 100 * MS);
}

static void
test_same_timers_no_poll(void **state)
{
	struct bfd_sess a, b;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	bfd_sess_set_timers(&a, &T50);
	assert_false(a.poll);
	assert_int_not_equal(bfd_sess_next_tx(&a), 0);
}

static void
test_slow_until_up(void **state)
{
	struct bfd_sess a, b;
	struct bfd_timers slow = { 2000 * MS, 50 * MS, 3 };
	struct bfd_pkt p;

	(void)state;
	pair(&a, &b, &T50, &T50);
	bfd_sess_build(&a, &p, 0, 0);
	assert_int_equal(p.desired_min_tx, BFD_SLOW_TX_US);
	assert_int_equal(bfd_sess_tx_interval(&a), BFD_SLOW_TX_US);
	bfd_sess_rx(&b, &p, 0);
	assert_int_equal(b.state, BFD_INIT);
	assert_int_equal(bfd_sess_tx_interval(&b), BFD_SLOW_TX_US);
	send(&b, &a, 100);
	assert_int_equal(a.state, BFD_UP);
	assert_int_equal(bfd_sess_tx_interval(&a), 50 * MS);
	/* Down again: slow at once */
	bfd_sess_timeout(&a, 100 + bfd_sess_detect_time(&a));
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(bfd_sess_tx_interval(&a), BFD_SLOW_TX_US);
	assert_int_equal(a.desired_min_tx, BFD_SLOW_TX_US);
	/* a slower configuration is not made faster */
	bfd_sess_init(&a, &slow, 1, NULL, 0);
	assert_int_equal(bfd_sess_tx_interval(&a), 2000 * MS);
}

/* ---- jitter (6.8.7) ---- */

static uint64_t
gap(const struct bfd_timers *t, uint32_t rnd)
{
	struct bfd_sess s;
	struct bfd_pkt p;

	bfd_sess_init(&s, t, LD, NULL, 0);
	rx(&s, BFD_INIT, 1);	/* Up: the configured rate */
	p = pkt(BFD_UP);
	p.poll = false;
	bfd_sess_build(&s, &p, 1000, rnd);
	assert_int_equal(bfd_sess_tx_interval(&s), 50 * MS);
	return bfd_sess_next_tx(&s) - 1000;
}

static void
test_jitter(void **state)
{
	struct bfd_timers m1 = T50;

	(void)state;
	assert_int_equal(gap(&T50, 0), 37500);
	assert_int_equal(gap(&T50, UINT32_MAX), 50000);
	assert_in_range(gap(&T50, UINT32_MAX / 2), 43749, 43751);
	m1.detect_mult = 1;
	assert_int_equal(gap(&m1, 0), 37500);
	assert_int_equal(gap(&m1, UINT32_MAX), 45000);
}

static void
test_no_tx_when_remote_min_rx_zero(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_UP), out;

	(void)state;
	reach(&s, BFD_UP);
	bfd_sess_build(&s, &out, 2000, 0);
	p.required_min_rx = 0;
	bfd_sess_rx(&s, &p, 3000);
	assert_int_equal(bfd_sess_next_tx(&s), UINT64_MAX);
	/* a Final still goes out */
	p.poll = true;
	bfd_sess_rx(&s, &p, 4000);
	assert_int_equal(bfd_sess_next_tx(&s), 0);
	bfd_sess_build(&s, &out, 4000, 0);
	assert_true(out.final);
	assert_int_equal(bfd_sess_next_tx(&s), UINT64_MAX);
}

static void
test_remote_demand(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_UP), out;

	(void)state;
	reach(&s, BFD_UP);
	bfd_sess_build(&s, &out, 2000, 0);
	p.demand = true;
	bfd_sess_rx(&s, &p, 3000);
	assert_int_equal(bfd_sess_next_tx(&s), UINT64_MAX);
}

/* ---- detection (6.8.4) ---- */

static void
test_detect_expiry(void **state)
{
	struct bfd_sess a, b;
	uint64_t dl;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	dl = bfd_sess_deadline(&a);
	assert_int_equal(dl, 1000 + 3 * 50 * MS);
	assert_false(bfd_sess_timeout(&a, dl - 1));
	assert_int_equal(a.state, BFD_UP);
	assert_int_equal(a.remote_discr, 2);
	assert_true(bfd_sess_timeout(&a, dl));
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(a.local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(a.remote_discr, 0);
	assert_int_equal(a.remote_min_rx, 1);
	assert_int_equal(bfd_sess_next_tx(&a), 0);
	assert_int_equal(bfd_sess_deadline(&a), UINT64_MAX);
	assert_false(bfd_sess_timeout(&a, dl + 1));
	assert_int_equal(a.cnt.transitions, 2);
}

static void
test_detect_uses_larger(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p = pkt(BFD_DOWN);

	(void)state;
	bfd_sess_init(&s, &T50, LD, NULL, 0);
	assert_int_equal(bfd_sess_detect_time(&s), 0);
	assert_int_equal(bfd_sess_deadline(&s), UINT64_MAX);
	p.desired_min_tx = 80 * MS;
	p.detect_mult = 4;
	bfd_sess_rx(&s, &p, 10);
	assert_int_equal(bfd_sess_detect_time(&s), 4 * 80 * MS);
	p.desired_min_tx = 20 * MS;
	bfd_sess_rx(&s, &p, 20);
	assert_int_equal(bfd_sess_detect_time(&s), 4 * 50 * MS);
	assert_int_equal(bfd_sess_deadline(&s), 20 + 4 * 50 * MS);
}

static void
test_detect_in_init(void **state)
{
	struct bfd_sess s;

	(void)state;
	reach(&s, BFD_INIT);
	assert_true(bfd_sess_timeout(&s, 1 + 150 * MS));
	assert_int_equal(s.state, BFD_DOWN);
	assert_int_equal(s.local_diag, BFD_DIAG_DETECT_EXPIRED);
}

static void
test_late(void **state)
{
	struct bfd_sess s;

	(void)state;
	reach(&s, BFD_UP);		/* last packet at 1 */
	rx(&s, BFD_UP, 1 + 50 * MS);	/* on time: the agreed 50 ms */
	assert_int_equal(s.cnt.late, 0);
	rx(&s, BFD_UP, 1 + 100 * MS + 1);
	assert_int_equal(s.cnt.late, 1);
	/* not while Down: nothing was agreed */
	reach(&s, BFD_DOWN);
	rx(&s, BFD_UP, 10000 * MS);
	rx(&s, BFD_UP, 20000 * MS);
	assert_int_equal(s.cnt.late, 0);
}

/* ---- administrative control (6.8.16, RFC 5882) ---- */

static void
test_admin_down_local(void **state)
{
	struct bfd_sess a, b;
	struct bfd_pkt p;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	bfd_sess_admin_down(&a, 2000);
	assert_int_equal(a.state, BFD_ADMIN_DOWN);
	assert_int_equal(a.local_diag, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(a.changed_us, 2000);
	assert_int_equal(bfd_sess_next_tx(&a), 0);
	bfd_sess_build(&a, &p, 2000, 0);
	assert_int_equal(p.state, BFD_ADMIN_DOWN);
	assert_int_equal(p.diag, BFD_DIAG_ADMIN_DOWN);
	/* the remote: Down, told it is not a failure */
	assert_true(bfd_sess_rx(&b, &p, 2000).changed);
	assert_int_equal(b.state, BFD_DOWN);
	assert_int_equal(b.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_true(bfd_sess_remote_admin_down(&b));
	/* nothing brings a up but admin_up */
	send(&b, &a, 2100);
	assert_int_equal(a.state, BFD_ADMIN_DOWN);
	assert_false(bfd_sess_timeout(&a, 10000 * MS));
	bfd_sess_admin_up(&a, 3000);
	assert_int_equal(a.state, BFD_DOWN);
	/* and the handshake again */
	send(&a, &b, 3100);
	send(&b, &a, 3200);
	send(&a, &b, 3300);
	assert_int_equal(a.state, BFD_UP);
	assert_int_equal(b.state, BFD_UP);
	assert_false(bfd_sess_remote_admin_down(&b));
}

static void
test_remote_down_is_failure(void **state)
{
	struct bfd_sess a, b;

	(void)state;
	up_pair(&a, &b, &T50, &T50);
	bfd_sess_timeout(&b, 1000 + 150 * MS);
	send(&b, &a, 1000 + 150 * MS);
	assert_int_equal(a.state, BFD_DOWN);
	assert_int_equal(a.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_false(bfd_sess_remote_admin_down(&a));
	/* the remote's diag travels; it is theirs, not ours */
	assert_int_equal(b.local_diag, BFD_DIAG_DETECT_EXPIRED);
}

static void
test_admin_up_when_not_admin_down(void **state)
{
	struct bfd_sess s;

	(void)state;
	reach(&s, BFD_UP);
	bfd_sess_admin_up(&s, 5);
	assert_int_equal(s.state, BFD_UP);
}

/* ---- authentication sequence numbers (6.7.3, 6.7.4) ---- */

static bool
seq_ok(const struct bfd_sess *s, uint32_t seq)
{
	struct bfd_pkt p = apkt(BFD_UP, s->auth_type, seq);

	return bfd_sess_auth_seq_ok(s, &p);
}

static void
known_at(struct bfd_sess *s, const struct bfd_key *k, uint32_t seq)
{
	struct bfd_pkt p = apkt(BFD_DOWN, k->type, seq);

	bfd_sess_init(s, &T50, LD, k, 0);
	assert_true(seq_ok(s, seq + 12345));	/* anything before */
	assert_int_equal(bfd_sess_rx(s, &p, 1000).discard, BFD_DISC_NONE);
	assert_true(s->auth_seq_known);
	assert_int_equal(s->rcv_auth_seq, seq);
}

static void
test_seq_keyed(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;

	(void)state;
	known_at(&s, &SHA1, 100);
	assert_true(seq_ok(&s, 100));		/* keyed may repeat */
	assert_true(seq_ok(&s, 109));		/* 3 x Detect Mult 3 */
	assert_false(seq_ok(&s, 110));
	assert_false(seq_ok(&s, 99));
	p = apkt(BFD_INIT, BFD_AUTH_SHA1, 110);
	assert_int_equal(bfd_sess_rx(&s, &p, 2000).discard, BFD_DISC_SEQ);
	assert_int_equal(s.cnt.discarded[BFD_DISC_SEQ], 1);
	assert_int_equal(s.state, BFD_INIT);
	p = apkt(BFD_INIT, BFD_AUTH_SHA1, 105);
	assert_int_equal(bfd_sess_rx(&s, &p, 2000).discard, BFD_DISC_NONE);
	assert_int_equal(s.rcv_auth_seq, 105);
	assert_int_equal(s.state, BFD_UP);
}

static void
test_seq_meticulous(void **state)
{
	struct bfd_sess s;

	(void)state;
	known_at(&s, &MSHA1, 100);
	assert_false(seq_ok(&s, 100));		/* strictly greater */
	assert_true(seq_ok(&s, 101));
	assert_true(seq_ok(&s, 109));
	assert_false(seq_ok(&s, 110));
	assert_false(seq_ok(&s, 99));
}

static void
test_seq_wrap(void **state)
{
	struct bfd_sess s;

	(void)state;
	known_at(&s, &MSHA1, UINT32_MAX - 1);
	assert_true(seq_ok(&s, UINT32_MAX));
	assert_true(seq_ok(&s, 0));
	assert_true(seq_ok(&s, 7));		/* 9 ahead */
	assert_false(seq_ok(&s, 8));
	assert_false(seq_ok(&s, UINT32_MAX - 1));
	assert_false(seq_ok(&s, UINT32_MAX - 2));
	known_at(&s, &SHA1, UINT32_MAX);
	assert_true(seq_ok(&s, UINT32_MAX));
	assert_true(seq_ok(&s, 8));
	assert_false(seq_ok(&s, 9));
}

static void
test_seq_known_reset(void **state)
{
	struct bfd_sess s;

	(void)state;
	known_at(&s, &MSHA1, 100);
	/* Init, Detection Time 150 ms from 1000 */
	assert_true(bfd_sess_timeout(&s, 1000 + 150 * MS));
	assert_true(s.auth_seq_known);
	assert_int_equal(bfd_sess_deadline(&s), 1000 + 300 * MS);
	bfd_sess_timeout(&s, 1000 + 300 * MS - 1);
	assert_true(s.auth_seq_known);
	assert_false(seq_ok(&s, 5));
	bfd_sess_timeout(&s, 1000 + 300 * MS);
	assert_false(s.auth_seq_known);
	assert_true(seq_ok(&s, 5));
	assert_int_equal(bfd_sess_deadline(&s), UINT64_MAX);
}

static void
test_build_auth(void **state)
{
	struct bfd_sess s;
	struct bfd_pkt p;
	struct bfd_key pw = { .type = BFD_AUTH_PASSWORD, .id = 3,
	    .secret = "hunter2", .secret_len = 7 };

	(void)state;
	bfd_sess_init(&s, &T50, LD, &MSHA1, 0xfffffffeu);
	bfd_sess_build(&s, &p, 0, 0);
	assert_true(p.auth_present);
	assert_int_equal(p.auth.type, BFD_AUTH_MET_SHA1);
	assert_int_equal(p.auth.key_id, 7);
	assert_int_equal(p.auth.len, 28);
	assert_int_equal(p.auth.digest_len, 20);
	assert_int_equal(p.length, BFD_HDR_LEN + 28);
	assert_int_equal(p.auth.seq, 0xfffffffeu);
	bfd_sess_build(&s, &p, 1, 0);
	assert_int_equal(p.auth.seq, 0xffffffffu);
	bfd_sess_build(&s, &p, 2, 0);
	assert_int_equal(p.auth.seq, 0);
	/* keyed: every packet too */
	bfd_sess_init(&s, &T50, LD, &SHA1, 5);
	bfd_sess_build(&s, &p, 0, 0);
	bfd_sess_build(&s, &p, 1, 0);
	assert_int_equal(p.auth.seq, 6);

	bfd_sess_init(&s, &T50, LD, &pw, 0);
	bfd_sess_build(&s, &p, 0, 0);
	assert_int_equal(p.auth.type, BFD_AUTH_PASSWORD);
	assert_int_equal(p.auth.len, 3 + 7);
	assert_int_equal(p.length, BFD_HDR_LEN + 10);
	assert_memory_equal(p.auth.digest, "hunter2", 7);
	assert_int_equal(p.auth.seq, 0);
}

/* two keyed machines agree through the windows, across the wrap */
static void
test_handshake_meticulous(void **state)
{
	struct bfd_sess a, b;

	(void)state;
	bfd_sess_init(&a, &T50, 1, &MSHA1, UINT32_MAX - 2);
	bfd_sess_init(&b, &T50, 2, &MSHA1, 77);
	for (uint64_t t = 100; t < 2000; t += 100) {
		assert_int_equal(send(&a, &b, t).discard, BFD_DISC_NONE);
		assert_int_equal(send(&b, &a, t + 50).discard,
		    BFD_DISC_NONE);
	}
	assert_int_equal(a.state, BFD_UP);
	assert_int_equal(b.state, BFD_UP);
	/* a replay of an old packet is refused */
	{
		struct bfd_pkt p = apkt(BFD_UP, BFD_AUTH_MET_SHA1,
		    b.rcv_auth_seq);

		p.my_disc = 1;
		p.your_disc = 2;
		assert_int_equal(bfd_sess_rx(&b, &p, 3000).discard,
		    BFD_DISC_SEQ);
	}
}

/* ---- a session handed to the next process (graceful restart) ---- */

static void
handover_round(const struct bfd_key *key)
{
	struct bfd_sess a, b, a2;
	struct bfd_timers ta = T50;
	struct bfd_handover h;
	uint32_t slow;
	uint64_t t;

	bfd_sess_init(&a, &T50, 1, key, 1000);
	bfd_sess_init(&b, &T50, 2, key, 77);
	for (t = 100; t < 2000; t += 100) {
		assert_int_equal(send(&a, &b, t).discard, BFD_DISC_NONE);
		assert_int_equal(send(&b, &a, t + 50).discard, BFD_DISC_NONE);
	}
	assert_int_equal(a.state, BFD_UP);
	assert_false(a.poll);
	/* slow enough that b's Detection Time covers a 30 s restart */
	slow = bfd_sess_slow_tx(&a, 30000 * MS);
	assert_int_equal(slow, 10000 * MS);
	ta.desired_min_tx_us = slow;
	bfd_sess_set_timers(&a, &ta);
	/* not while the Poll waits for its Final */
	assert_false(bfd_sess_handover(&a, &h));
	assert_int_equal(send(&a, &b, 2000).discard, BFD_DISC_NONE);
	assert_int_equal(bfd_sess_detect_time(&b), 30000 * MS);
	assert_int_equal(send(&b, &a, 2010).discard, BFD_DISC_NONE);
	assert_true(bfd_sess_handover(&a, &h));
	assert_int_equal(h.local_discr, 1);
	assert_int_equal(h.remote_discr, 2);
	assert_int_equal(h.desired_min_tx, slow);

	/* b keeps sending for 5 s; a is silent; b stays Up */
	for (t = 2050 * MS; t < 7000 * MS; t += 50 * MS) {
		struct bfd_pkt p;

		bfd_sess_build(&b, &p, t, 0);
		assert_false(bfd_sess_timeout(&b, t));
	}
	/* the next process: Up at once, same discriminators, then fast */
	bfd_sess_resume(&a2, &T50, key, &h, 7000 * MS);
	assert_int_equal(a2.state, BFD_UP);
	assert_true(a2.poll);
	assert_int_equal(bfd_sess_next_tx(&a2), 0);
	assert_int_equal(bfd_sess_tx_interval(&a2), 50 * MS);
	assert_int_equal(send(&a2, &b, 7000 * MS).discard, BFD_DISC_NONE);
	assert_int_equal(b.state, BFD_UP);
	assert_int_equal(bfd_sess_detect_time(&b), 150 * MS);
	/* b's Final: a2 accepts whatever b's sequence reached meanwhile */
	assert_int_equal(send(&b, &a2, 7001 * MS).discard, BFD_DISC_NONE);
	assert_false(a2.poll);
	assert_int_equal(a2.state, BFD_UP);
	assert_int_equal(a2.cnt.transitions, 0);
	assert_int_equal(b.cnt.transitions, 2);	/* no change at b at all */
	assert_int_equal(bfd_sess_detect_time(&a2), 150 * MS);
}

static void
test_handover(void **state)
{
	struct bfd_sess a;
	struct bfd_handover h;

	(void)state;
	handover_round(NULL);
	handover_round(&MSHA1);
	/* only an Up session is handed over */
	bfd_sess_init(&a, &T50, 1, NULL, 0);
	assert_false(bfd_sess_handover(&a, &h));
	/* never faster than the session runs now */
	assert_int_equal(bfd_sess_slow_tx(&a, 1), BFD_SLOW_TX_US);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_table),
		cmocka_unit_test(test_discard_invalid),
		cmocka_unit_test(test_discard_your_discr),
		cmocka_unit_test(test_discard_auth),
		cmocka_unit_test(test_remote_vars),
		cmocka_unit_test(test_poll_owes_final),
		cmocka_unit_test(test_final_without_poll),
		cmocka_unit_test(test_build_fields),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_raise_tx),
		cmocka_unit_test(test_lower_tx),
		cmocka_unit_test(test_lower_rx),
		cmocka_unit_test(test_raise_rx),
		cmocka_unit_test(test_same_timers_no_poll),
		cmocka_unit_test(test_slow_until_up),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_no_tx_when_remote_min_rx_zero),
		cmocka_unit_test(test_remote_demand),
		cmocka_unit_test(test_detect_expiry),
		cmocka_unit_test(test_detect_uses_larger),
		cmocka_unit_test(test_detect_in_init),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_admin_down_local),
		cmocka_unit_test(test_remote_down_is_failure),
		cmocka_unit_test(test_admin_up_when_not_admin_down),
		cmocka_unit_test(test_seq_keyed),
		cmocka_unit_test(test_seq_meticulous),
		cmocka_unit_test(test_seq_wrap),
		cmocka_unit_test(test_seq_known_reset),
		cmocka_unit_test(test_build_auth),
		cmocka_unit_test(test_handshake_meticulous),
		cmocka_unit_test(test_handover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
