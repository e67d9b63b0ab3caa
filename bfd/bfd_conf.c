/*
 * bfd_conf.c - the bfd* keys of a [peer] section (see bfd_conf.h).
 *
 * The key is checked only once the section is read (bfd_conf_finish),
 * since bfd-auth and bfd-password may come in either order.
 */
#include "bfd/bfd_conf.h"

#include <stdio.h>
#include <string.h>

enum { BK_BFD, BK_INTERVAL, BK_MIN_RX, BK_MULTIPLIER, BK_PASSWORD, BK_AUTH,
	BK_KEY_ID, BK_STRICT, BK_HOLD_DOWN, BK_N };
_Static_assert(BK_N <= CONF_KEYS_MAX, "too many bfd keys");

static const struct {
	const char	*name;
	uint8_t		 type;
} auth_names[] = {
	{ "password",		BFD_AUTH_PASSWORD },
	{ "md5",		BFD_AUTH_MD5 },
	{ "meticulous-md5",	BFD_AUTH_MET_MD5 },
	{ "sha1",		BFD_AUTH_SHA1 },
	{ "meticulous-sha1",	BFD_AUTH_MET_SHA1 },
};

static struct conf_bfd *
cur(struct conf_ctx *cx)
{
	return cx->obj;
}

static struct bfd_conf_aux *
cur_aux(struct conf_ctx *cx)
{
	return cx->aux;
}

static void
b_bfd(struct conf_ctx *cx, const char *v)
{
	if (conf_bool(cx, v, &cur(cx)->enabled) == 0)
		cur(cx)->line = cx->keyline;
}

/* an interval in ms, kept in microseconds as the wire has it */
static int
b_interval_us(struct conf_ctx *cx, const char *v, uint32_t *us)
{
	uint32_t ms;

	if (conf_duration(cx, v, BFD_MAX_INTERVAL_MS, &ms) == -1)
		return -1;
	if (ms < BFD_MIN_INTERVAL_MS) {
		KEY_ERR(cx, "%s: %s is below %ums", cx->key, v,
		    BFD_MIN_INTERVAL_MS);
		return -1;
	}
	*us = ms * 1000;
	return 0;
}

static void
b_interval(struct conf_ctx *cx, const char *v)
{
	(void)b_interval_us(cx, v, &cur(cx)->timers.desired_min_tx_us);
}

static void
b_min_rx(struct conf_ctx *cx, const char *v)
{
	(void)b_interval_us(cx, v, &cur(cx)->timers.required_min_rx_us);
}

static void
b_multiplier(struct conf_ctx *cx, const char *v)
{
	uint32_t u;

	if (conf_u32(cx, v, 1, 255, &u) == 0)
		cur(cx)->timers.detect_mult = (uint8_t)u;
}

static void
b_password(struct conf_ctx *cx, const char *v)
{
	struct bfd_conf_aux *x = cur_aux(cx);

	if (strlen(v) >= sizeof(x->secret)) {
		KEY_ERR(cx, "%s: longer than 20 octets", cx->key);
		return;
	}
	snprintf(x->secret, sizeof(x->secret), "%s", v);
}

static void
b_auth(struct conf_ctx *cx, const char *v)
{
	struct bfd_conf_aux *x = cur_aux(cx);
	size_t i;

	for (i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (strcmp(v, auth_names[i].name) == 0) {
			snprintf(x->auth, sizeof(x->auth), "%s", v);
			return;
		}
	KEY_ERR(cx, "%s: '%s' is not password, md5, meticulous-md5, sha1 "
	    "or meticulous-sha1", cx->key, v);
}

static void
b_key_id(struct conf_ctx *cx, const char *v)
{
	(void)conf_u32(cx, v, 0, 255, &cur_aux(cx)->key_id);
}

static void
b_strict(struct conf_ctx *cx, const char *v)
{
	(void)conf_bool(cx, v, &cur(cx)->strict);
}

static void
b_hold_down(struct conf_ctx *cx, const char *v)
{
	(void)conf_duration(cx, v, 600000, &cur(cx)->hold_down_ms);
}

static const struct conf_key bfd_keys[BK_N] = {
	[BK_BFD] =		{ "bfd", false, false, b_bfd },
	[BK_INTERVAL] =		{ "bfd-interval", false, false, b_interval },
	[BK_MIN_RX] =		{ "bfd-min-rx", false, false, b_min_rx },
	[BK_MULTIPLIER] =	{ "bfd-multiplier", false, false,
				    b_multiplier },
	[BK_PASSWORD] =		{ "bfd-password", false, false, b_password },
	[BK_AUTH] =		{ "bfd-auth", false, false, b_auth },
	[BK_KEY_ID] =		{ "bfd-key-id", false, false, b_key_id },
	[BK_STRICT] =		{ "bfd-strict", false, false, b_strict },
	[BK_HOLD_DOWN] =	{ "bfd-hold-down", false, false, b_hold_down },
};

void
bfd_conf_init(struct conf_bfd *b, struct bfd_conf_aux *x)
{
	memset(b, 0, sizeof(*b));
	memset(x, 0, sizeof(*x));
	b->timers.desired_min_tx_us = BFD_DEFAULT_INTERVAL_MS * 1000;
	b->timers.detect_mult = BFD_DEFAULT_MULTIPLIER;
	b->hold_down_ms = BFD_DEFAULT_HOLD_DOWN_MS;
	x->key_id = 1;
}

bool
bfd_conf_has_key(const char *name)
{
	return conf_key_known(bfd_keys, BK_N, name);
}

void
bfd_conf_key(struct conf_ctx *cx, struct conf_bfd *b, struct bfd_conf_aux *x,
    const char *name, const char *value)
{
	conf_key_run(cx, bfd_keys, BK_N, x->seen, b, x, name, value);
}

static uint8_t
auth_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (strcmp(name, auth_names[i].name) == 0)
			return auth_names[i].type;
	return BFD_AUTH_MET_SHA1;	/* the strongest BIRD speaks */
}

static void
finish_key(struct conf_ctx *cx, struct conf_bfd *b,
    const struct bfd_conf_aux *x)
{
	const char *why = NULL;
	int line = x->seen[BK_PASSWORD];

	if (x->seen[BK_PASSWORD] == 0) {
		if (x->seen[BK_AUTH] != 0 || x->seen[BK_KEY_ID] != 0)
			conf_diag(cx, x->seen[BK_AUTH] ? x->seen[BK_AUTH] :
			    x->seen[BK_KEY_ID], true, "%s needs bfd-password",
			    x->seen[BK_AUTH] ? "bfd-auth" : "bfd-key-id");
		return;
	}
	if (x->secret[0] == '\0')
		return;		/* already said */
	if (bfd_key_set(&b->key, auth_type(x->auth), (uint8_t)x->key_id,
	    x->secret, &why) == -1) {
		conf_diag(cx, line, true, "bfd-password: %s for bfd-auth %s",
		    why, x->auth[0] ? x->auth : "meticulous-sha1");
		return;
	}
	b->keyed = true;
}

void
bfd_conf_finish(struct conf_ctx *cx, struct conf_bfd *b,
    const struct bfd_conf_aux *x, uint8_t max_hops, uint16_t hold_time_s,
    int peer_line)
{
	uint64_t detect_ms;
	size_t i;

	(void)peer_line;
	if (b->timers.required_min_rx_us == 0)
		b->timers.required_min_rx_us = b->timers.desired_min_tx_us;
	b->max_hops = max_hops;
	if (!b->enabled) {
		/* a bfd* key without bfd = yes is a mistake, not a default */
		for (i = BK_INTERVAL; i < BK_N; i++)
			if (x->seen[i] != 0)
				conf_diag(cx, x->seen[i], true, "%s needs "
				    "bfd = yes", bfd_keys[i].name);
		return;
	}
	finish_key(cx, b, x);
	/* the slower of the two sides sets the pace; ours is a floor */
	detect_ms = (uint64_t)b->timers.detect_mult *
	    (b->timers.required_min_rx_us > b->timers.desired_min_tx_us ?
	    b->timers.required_min_rx_us : b->timers.desired_min_tx_us) / 1000;
	if (hold_time_s != 0 && detect_ms >= (uint64_t)hold_time_s * 1000)
		conf_diag(cx, b->line, false, "bfd: detection time %llums is "
		    "not shorter than hold-time %us: BFD adds nothing",
		    (unsigned long long)detect_ms, hold_time_s);
}

bool
conf_bfd_session_same(const struct conf_bfd *a, const struct conf_bfd *b)
{
	return a->enabled == b->enabled && a->keyed == b->keyed &&
	    a->max_hops == b->max_hops &&
	    (!a->keyed || (a->key.type == b->key.type &&
	    a->key.id == b->key.id && a->key.secret_len == b->key.secret_len &&
	    memcmp(a->key.secret, b->key.secret, a->key.secret_len) == 0));
}

bool
conf_bfd_same(const struct conf_bfd *a, const struct conf_bfd *b)
{
	return conf_bfd_session_same(a, b) &&
	    a->timers.desired_min_tx_us == b->timers.desired_min_tx_us &&
	    a->timers.required_min_rx_us == b->timers.required_min_rx_us &&
	    a->timers.detect_mult == b->timers.detect_mult &&
	    a->strict == b->strict && a->hold_down_ms == b->hold_down_ms;
}
