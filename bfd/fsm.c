/*
 * fsm.c - one BFD session's state machine (RFC 5880 6.8), pure.
 */
#include <stdint.h>
#include <string.h>

#include "bfd/fsm.h"

static bool
seq_kind(uint8_t type)
{
	return type >= BFD_AUTH_MD5 && type <= BFD_AUTH_MET_SHA1;
}

static bool
meticulous(uint8_t type)
{
	return type == BFD_AUTH_MET_MD5 || type == BFD_AUTH_MET_SHA1;
}

void
bfd_sess_init(struct bfd_sess *s, const struct bfd_timers *t,
    uint32_t local_discr, const struct bfd_key *key, uint32_t seq0)
{
	memset(s, 0, sizeof(*s));
	s->state = BFD_DOWN;
	s->remote_state = BFD_DOWN;
	s->local_discr = local_discr;
	s->local_diag = BFD_DIAG_NONE;
	s->cfg = *t;
	s->detect_mult = t->detect_mult;
	s->desired_min_tx = t->desired_min_tx_us < BFD_SLOW_TX_US ?
	    BFD_SLOW_TX_US : t->desired_min_tx_us;
	s->required_min_rx = t->required_min_rx_us;
	s->tx_in_effect = s->desired_min_tx;
	s->rx_in_effect = s->required_min_rx;
	/* 6.8.1: 1, so that we send at our own rate until told otherwise */
	s->remote_min_rx = 1;
	s->auth_type = BFD_AUTH_NONE;
	if (key != NULL) {
		s->key = *key;
		s->auth_type = key->type;
	}
	s->xmit_auth_seq = seq0;
	s->next_tx_us = 0;	/* the first packet goes out at once */
}

/*
 * The values to announce for the configured timers and the state; a
 * change starts a Poll (6.8.3).  While Up, a slower TX or a faster RX
 * would let the remote declare us dead under the old agreement, so it
 * waits for the Final; anything else, and anything while not Up, is
 * safe at once.
 */
static void
apply_timers(struct bfd_sess *s)
{
	uint32_t tx = s->cfg.desired_min_tx_us;
	uint32_t rx = s->cfg.required_min_rx_us;

	if (s->state != BFD_UP && tx < BFD_SLOW_TX_US)
		tx = BFD_SLOW_TX_US;
	s->detect_mult = s->cfg.detect_mult;
	if (tx != s->desired_min_tx || rx != s->required_min_rx) {
		s->desired_min_tx = tx;
		s->required_min_rx = rx;
		s->poll = true;
		s->tx_owed = true;
	}
	if (s->state == BFD_UP) {
		if (tx < s->tx_in_effect)
			s->tx_in_effect = tx;
		if (rx > s->rx_in_effect)
			s->rx_in_effect = rx;
	} else {
		s->tx_in_effect = tx;
		s->rx_in_effect = rx;
	}
}

static void
set_state(struct bfd_sess *s, uint8_t state, uint8_t diag, uint64_t now_us)
{
	if (s->state == state)
		return;
	s->state = state;
	s->local_diag = diag;
	s->cnt.transitions++;
	s->changed_us = now_us;
	if (state == BFD_UP)
		s->up_since_us = now_us;
	/* the remote learns of the change now, not an interval later */
	s->tx_owed = true;
	apply_timers(s);
}

bool
bfd_sess_auth_seq_ok(const struct bfd_sess *s, const struct bfd_pkt *p)
{
	uint32_t d, window;

	if (!seq_kind(s->auth_type) || !s->auth_seq_known)
		return true;
	/* circular: the distance forward from the last one accepted */
	d = p->auth.seq - s->rcv_auth_seq;
	window = 3u * p->detect_mult;
	if (meticulous(s->auth_type))
		return d >= 1 && d <= window;
	return d <= window;
}

/* the checks of 6.8.6 that need the session, in the RFC's order */
static enum bfd_discard
check(const struct bfd_sess *s, const struct bfd_pkt *p)
{
	/* the decoder rejects these too; the timers divide by neither, but
	 * a zero would make the Detection Time or RemoteDiscr meaningless */
	if (p->detect_mult == 0 || p->my_disc == 0)
		return BFD_DISC_INVALID;
	if (p->your_disc == 0) {
		if (p->state != BFD_DOWN && p->state != BFD_ADMIN_DOWN)
			return BFD_DISC_DISCR;
	} else if (p->your_disc != s->local_discr)
		return BFD_DISC_DISCR;
	if (p->auth_present != (s->auth_type != BFD_AUTH_NONE))
		return BFD_DISC_AUTH;
	if (p->auth_present && p->auth.type != s->auth_type)
		return BFD_DISC_AUTH;
	if (!bfd_sess_auth_seq_ok(s, p))
		return BFD_DISC_SEQ;
	return BFD_DISC_NONE;
}

/* the remote's agreed TX interval: what the Detection Time multiplies */
static uint32_t
remote_tx_interval(const struct bfd_sess *s)
{
	return s->rx_in_effect > s->remote_desired_min_tx ?
	    s->rx_in_effect : s->remote_desired_min_tx;
}

static void
note_late(struct bfd_sess *s, uint64_t now_us)
{
	if (s->state == BFD_UP && s->rx_live &&
	    now_us - s->last_rx_us > remote_tx_interval(s))
		s->cnt.late++;
}

static void
record_remote(struct bfd_sess *s, const struct bfd_pkt *p, uint64_t now_us)
{
	if (seq_kind(s->auth_type)) {
		s->rcv_auth_seq = p->auth.seq;
		s->auth_seq_known = true;
	}
	s->remote_discr = p->my_disc;
	s->remote_state = p->state;
	s->remote_demand = p->demand;
	s->remote_min_rx = p->required_min_rx;
	s->remote_desired_min_tx = p->desired_min_tx;
	s->remote_detect_mult = p->detect_mult;
	s->last_rx_us = now_us;
	s->rx_live = true;
}

/* the state transitions of 6.8.6 (this side is not AdminDown) */
static void
step(struct bfd_sess *s, uint8_t remote, uint64_t now_us)
{
	if (remote == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now_us);
		return;
	}
	switch (s->state) {
	case BFD_DOWN:
		if (remote == BFD_DOWN)
			set_state(s, BFD_INIT, s->local_diag, now_us);
		else if (remote == BFD_INIT)
			set_state(s, BFD_UP, s->local_diag, now_us);
		break;
	case BFD_INIT:
		if (remote == BFD_INIT || remote == BFD_UP)
			set_state(s, BFD_UP, s->local_diag, now_us);
		break;
	case BFD_UP:
		if (remote == BFD_DOWN)
			set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now_us);
		break;
	}
}

struct bfd_rx_result
bfd_sess_rx(struct bfd_sess *s, const struct bfd_pkt *p, uint64_t now_us)
{
	struct bfd_rx_result r = { .discard = BFD_DISC_NONE };
	uint8_t old = s->state;

	s->cnt.rx++;
	r.discard = (uint8_t)check(s, p);
	if (r.discard == BFD_DISC_NONE) {
		note_late(s, now_us);
		record_remote(s, p, now_us);
		if (p->final && s->poll) {
			/* the remote runs on what we announced: apply it */
			s->poll = false;
			s->tx_in_effect = s->desired_min_tx;
			s->rx_in_effect = s->required_min_rx;
		}
		if (s->state == BFD_ADMIN_DOWN)
			r.discard = BFD_DISC_ADMIN_DOWN;
	}
	if (r.discard != BFD_DISC_NONE) {
		s->cnt.discarded[r.discard]++;
		return r;
	}
	step(s, p->state, now_us);
	if (p->poll)
		s->final_owed = true;
	r.changed = s->state != old;
	r.send_now = s->final_owed || s->tx_owed;
	return r;
}

static void
fill_auth(struct bfd_sess *s, struct bfd_auth *a)
{
	size_t n;

	a->type = s->auth_type;
	a->key_id = s->key.id;
	switch (s->auth_type) {
	case BFD_AUTH_PASSWORD:
		n = s->key.secret_len < BFD_AUTH_PASSWORD_MAX ?
		    s->key.secret_len : BFD_AUTH_PASSWORD_MAX;
		memcpy(a->digest, s->key.secret, n);
		a->digest_len = (uint8_t)n;
		a->len = (uint8_t)(3 + n);
		return;
	case BFD_AUTH_MD5:
	case BFD_AUTH_MET_MD5:
		a->digest_len = 16;
		break;
	default:
		a->digest_len = 20;
		break;
	}
	a->len = (uint8_t)(8 + a->digest_len);
	/* every packet, keyed or meticulous: meticulous requires it, and
	 * for keyed it narrows replays at no cost (the remote's window
	 * follows the last number it accepted) */
	a->seq = s->xmit_auth_seq++;
}

uint32_t
bfd_sess_tx_interval(const struct bfd_sess *s)
{
	return s->tx_in_effect > s->remote_min_rx ?
	    s->tx_in_effect : s->remote_min_rx;
}

/*
 * 6.8.7: 75-100% of the interval so that sessions started together drift
 * apart; at most 90% with Detect Mult 1, where one late packet would
 * already be a failure.
 */
static uint64_t
jitter(uint32_t iv, uint8_t detect_mult, uint32_t rnd)
{
	uint64_t lo = (uint64_t)iv - iv / 4;
	uint64_t hi = detect_mult == 1 ? (uint64_t)iv * 9 / 10 : iv;

	return lo + (hi - lo) * rnd / UINT32_MAX;
}

void
bfd_sess_build(struct bfd_sess *s, struct bfd_pkt *out, uint64_t now_us,
    uint32_t rnd)
{
	memset(out, 0, sizeof(*out));
	out->vers = BFD_VERSION;
	out->diag = s->local_diag;
	out->state = s->state;
	out->final = s->final_owed;
	/* never both (6.8.7): the Poll goes on in the next packet */
	out->poll = s->poll && !s->final_owed;
	out->detect_mult = s->detect_mult;
	out->my_disc = s->local_discr;
	out->your_disc = s->remote_discr;
	out->desired_min_tx = s->desired_min_tx;
	out->required_min_rx = s->required_min_rx;
	if (s->auth_type != BFD_AUTH_NONE) {
		out->auth_present = true;
		fill_auth(s, &out->auth);
	}
	out->length = (uint8_t)(BFD_HDR_LEN + out->auth.len);
	s->final_owed = false;
	s->tx_owed = false;
	s->cnt.tx++;
	s->next_tx_us = now_us +
	    jitter(bfd_sess_tx_interval(s), s->detect_mult, rnd);
}

uint64_t
bfd_sess_next_tx(const struct bfd_sess *s)
{
	if (s->final_owed || s->tx_owed)
		return 0;
	/* 6.8.7: the remote asked for no packets, or runs Demand mode */
	if (s->remote_min_rx == 0)
		return UINT64_MAX;
	if (s->remote_demand && s->state == BFD_UP &&
	    s->remote_state == BFD_UP)
		return UINT64_MAX;
	return s->next_tx_us;
}

uint64_t
bfd_sess_detect_time(const struct bfd_sess *s)
{
	return (uint64_t)s->remote_detect_mult * remote_tx_interval(s);
}

uint64_t
bfd_sess_deadline(const struct bfd_sess *s)
{
	if (s->rx_live)
		return s->last_rx_us + bfd_sess_detect_time(s);
	if (s->auth_seq_known)
		return s->last_rx_us + 2 * bfd_sess_detect_time(s);
	return UINT64_MAX;
}

bool
bfd_sess_timeout(struct bfd_sess *s, uint64_t now_us)
{
	uint8_t old = s->state;
	uint64_t dt = bfd_sess_detect_time(s);

	if (s->rx_live && now_us >= s->last_rx_us + dt) {
		s->rx_live = false;
		/* 6.8.1 and 6.8.18: what we knew of the remote is void */
		s->remote_discr = 0;
		s->remote_state = BFD_DOWN;
		s->remote_min_rx = 1;
		s->remote_demand = false;
		if (s->state == BFD_INIT || s->state == BFD_UP)
			set_state(s, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED,
			    now_us);
	}
	/* 6.7.3: a remote that restarts may begin at any number */
	if (!s->rx_live && s->auth_seq_known &&
	    now_us >= s->last_rx_us + 2 * dt)
		s->auth_seq_known = false;
	return s->state != old;
}

void
bfd_sess_set_timers(struct bfd_sess *s, const struct bfd_timers *t)
{
	s->cfg = *t;
	apply_timers(s);
}

void
bfd_sess_admin_down(struct bfd_sess *s, uint64_t now_us)
{
	set_state(s, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, now_us);
}

void
bfd_sess_admin_up(struct bfd_sess *s, uint64_t now_us)
{
	if (s->state == BFD_ADMIN_DOWN)
		set_state(s, BFD_DOWN, s->local_diag, now_us);
}

bool
bfd_sess_remote_admin_down(const struct bfd_sess *s)
{
	return s->remote_state == BFD_ADMIN_DOWN;
}

uint32_t
bfd_sess_slow_tx(const struct bfd_sess *s, uint64_t detect_us)
{
	uint64_t tx = detect_us / (s->detect_mult ? s->detect_mult : 1);

	if (tx < s->desired_min_tx)
		tx = s->desired_min_tx;		/* never faster than now */
	return tx > UINT32_MAX ? UINT32_MAX : (uint32_t)tx;
}

bool
bfd_sess_handover(const struct bfd_sess *s, struct bfd_handover *h)
{
	if (s->state != BFD_UP || s->remote_state != BFD_UP || s->poll)
		return false;
	memset(h, 0, sizeof(*h));
	h->local_discr = s->local_discr;
	h->remote_discr = s->remote_discr;
	h->xmit_auth_seq = s->xmit_auth_seq;
	h->desired_min_tx = s->desired_min_tx;
	h->required_min_rx = s->required_min_rx;
	h->remote_min_rx = s->remote_min_rx;
	h->remote_desired_min_tx = s->remote_desired_min_tx;
	h->detect_mult = s->detect_mult;
	h->remote_detect_mult = s->remote_detect_mult;
	return true;
}

void
bfd_sess_resume(struct bfd_sess *s, const struct bfd_timers *t,
    const struct bfd_key *key, const struct bfd_handover *h, uint64_t now_us)
{
	struct bfd_timers was = {
		.desired_min_tx_us = h->desired_min_tx,
		.required_min_rx_us = h->required_min_rx,
		.detect_mult = h->detect_mult ? h->detect_mult : t->detect_mult,
	};

	bfd_sess_init(s, &was, h->local_discr, key, h->xmit_auth_seq);
	/* where the old process left it: Up, on the slow rate it announced */
	s->state = BFD_UP;
	s->remote_state = BFD_UP;
	s->remote_discr = h->remote_discr;
	s->desired_min_tx = h->desired_min_tx;
	s->tx_in_effect = h->desired_min_tx;
	s->remote_min_rx = h->remote_min_rx ? h->remote_min_rx : 1;
	s->remote_desired_min_tx = h->remote_desired_min_tx;
	s->remote_detect_mult = h->remote_detect_mult;
	s->up_since_us = now_us;
	s->changed_us = now_us;
	/* the remote kept sending: its next packet is due soon */
	s->rx_live = true;
	s->last_rx_us = now_us;
	s->tx_owed = true;
	/* and back to the configured rate, announced with a Poll */
	bfd_sess_set_timers(s, t);
}
