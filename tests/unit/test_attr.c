/*
 * test_attr.c - the path attribute table, and the decoder, encoder and
 * logger that read it.  For every recognised code the UPDATE check must do
 * what the table's row says with wrong flags and with each wrong length;
 * test_msg pins the rows themselves to the RFCs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bgpd/attr.h"
#include "bgpd/msg.h"
#include "bgpd/notif.h"

#define NLRI_PREFIXES	1		/* 198.51.100.0/24 */

/* one attribute, as it appears on the wire */
struct one {
	uint8_t	b[8 + 0x10000];
	size_t	n;
};

struct body {
	uint8_t	b[2 * BGP_MAX_MSG];
	size_t	n;
};

static void
one_attr(struct one *a, uint8_t flags, uint8_t code, const uint8_t *v,
    size_t len)
{
	struct wr w;

	wr_init(&w, a->b, sizeof(a->b));
	if (len > 255) {
		wr_u8(&w, (uint8_t)(flags | ATTR_F_EXTLEN));
		wr_u8(&w, code);
		wr_u16(&w, (uint16_t)len);
	} else {
		wr_u8(&w, flags);
		wr_u8(&w, code);
		wr_u8(&w, (uint8_t)len);
	}
	wr_bytes(&w, v, len);
	assert_false(w.err);
	a->n = wr_mark(&w);
}

/*
 * An UPDATE body holding the attribute a.  With nlri, also the mandatory
 * ORIGIN, AS_PATH and NEXT_HOP (those a does not replace) and one prefix,
 * so that treat-as-withdraw stays treat-as-withdraw; without, a alone, so
 * that RFC 7606 5.2 turns it into a reset that shows the subcode.
 */
static void
body_with(struct body *m, const struct one *a, uint8_t code, bool nlri)
{
	static const uint8_t origin[] = { 0x40, ATTR_ORIGIN, 1, 0 };
	static const uint8_t aspath[] = { 0x40, ATTR_AS_PATH, 0 };
	static const uint8_t nh[] = { 0x40, ATTR_NEXT_HOP, 4, 192, 0, 2, 1 };
	static const uint8_t prefix[] = { 24, 198, 51, 100 };
	struct wr w;
	size_t at;

	wr_init(&w, m->b, sizeof(m->b));
	wr_u16(&w, 0);
	at = wr_mark(&w);
	wr_u16(&w, 0);
	wr_bytes(&w, a->b, a->n);
	if (nlri) {
		if (code != ATTR_ORIGIN)
			wr_bytes(&w, origin, sizeof(origin));
		if (code != ATTR_AS_PATH)
			wr_bytes(&w, aspath, sizeof(aspath));
		if (code != ATTR_NEXT_HOP)
			wr_bytes(&w, nh, sizeof(nh));
	}
	wr_patch_u16(&w, at, (uint16_t)(wr_mark(&w) - at - 2));
	if (nlri)
		wr_bytes(&w, prefix, sizeof(prefix));
	assert_false(w.err);
	m->n = wr_mark(&w);
}

/*
 * A value the per-code value checks accept: 0x01 makes ORIGIN EGP, an
 * AS_SET of non-zero ASes and non-zero AGGREGATOR ASes; all zeros make
 * MP attributes of AFI 0, a family the check skips.
 */
static void
good_value(uint8_t code, uint8_t *v, size_t len)
{
	bool mp = code == ATTR_MP_REACH_NLRI || code == ATTR_MP_UNREACH_NLRI;

	memset(v, mp ? 0 : 1, len);
}

static size_t
good_len(const struct attr_desc *d, bool as4)
{
	size_t len = d->min_len + (as4 ? d->as4_grow : 0u);

	if (d->len_mult > 1 && len % d->len_mult != 0)
		len += d->len_mult - len % d->len_mult;
	return len;
}

static enum upd_verdict
check(const struct body *m, bool as4, bool ibgp, struct upd_result *res,
    struct bgp_err *err)
{
	struct upd_opts o = { .as4 = as4, .ibgp = ibgp, .local_as = 65000 };

	memset(err, 0, sizeof(*err));
	return msg_update_check(m->b, m->n, &o, res, err);
}

/*
 * The attribute a (code) is malformed and the table says v, with the
 * RFC 4271 subcode sub: check the verdict with NLRI, then what the
 * NOTIFICATION would carry.
 */
static void
expect_action(const struct one *a, uint8_t code, bool as4,
    enum upd_verdict v, uint8_t sub, const char *reason)
{
	struct body m;
	struct upd_result res;
	struct bgp_err e;

	body_with(&m, a, code, true);
	assert_int_equal(check(&m, as4, true, &res, &e), v);
	assert_int_equal(res.bad_attr, code);
	assert_string_equal(res.reason, reason);
	switch (v) {
	case UPD_OK:
		fail_msg("code %u: the table names no action", code);
		break;
	case UPD_ATTR_DISCARD:
		assert_int_equal(res.announced, NLRI_PREFIXES);
		body_with(&m, a, code, false);
		assert_int_equal(check(&m, as4, true, &res, &e),
		    UPD_ATTR_DISCARD);
		break;
	case UPD_TREAT_AS_WITHDRAW:
		assert_int_equal(res.withdrawn, NLRI_PREFIXES);
		assert_int_equal(res.announced, 0);
		/* RFC 7606 5.2: no NLRI, so what RFC 4271 would send */
		body_with(&m, a, code, false);
		assert_int_equal(check(&m, as4, true, &res, &e),
		    UPD_SESSION_RESET);
		assert_int_equal(e.code, NOTIF_UPDATE);
		assert_int_equal(e.subcode, sub);
		assert_int_equal(e.datalen, a->n < sizeof(e.data) ? a->n :
		    sizeof(e.data));
		assert_memory_equal(e.data, a->b, e.datalen);
		break;
	case UPD_SESSION_RESET:
		assert_int_equal(e.code, NOTIF_UPDATE);
		assert_int_equal(e.subcode, sub);
		assert_int_equal(e.datalen, a->n < sizeof(e.data) ? a->n :
		    sizeof(e.data));
		assert_memory_equal(e.data, a->b, e.datalen);
		break;
	}
}

static unsigned
walk_codes(void (*fn)(uint8_t, const struct attr_desc *, bool))
{
	unsigned code, n = 0;
	const struct attr_desc *d;

	for (code = 0; code < 256; code++) {
		if ((d = attr_desc((uint8_t)code)) == NULL)
			continue;
		n++;
		/* AS4_PATH and AS4_AGGREGATOR only mean something as2 */
		if (!d->as2_only)
			fn((uint8_t)code, d, true);
		fn((uint8_t)code, d, false);
	}
	return n;
}

static void
row_accepts_good_value(uint8_t code, const struct attr_desc *d, bool as4)
{
	uint8_t v[64];
	size_t len = good_len(d, as4);
	struct one a;
	struct body m;
	struct upd_result res;
	struct bgp_err e;

	assert_true(len <= sizeof(v));
	assert_true(attr_len_ok(d, len, as4));
	good_value(code, v, len);
	one_attr(&a, d->flags, code, v, len);
	body_with(&m, &a, code, true);
	assert_int_equal(check(&m, as4, true, &res, &e), UPD_OK);
	assert_int_equal(res.announced, NLRI_PREFIXES);
	/*
	 * RFC 7606 7.5, 7.9, 7.10 and RFC 6793 4.1: the same value is
	 * dropped from an external peer or between AS4 speakers.
	 */
	assert_int_equal(check(&m, as4, false, &res, &e),
	    d->ibgp_only || (d->as2_only && as4) ? UPD_ATTR_DISCARD : UPD_OK);
	if (d->as2_only)
		assert_int_equal(check(&m, true, true, &res, &e),
		    UPD_ATTR_DISCARD);
}

static void
test_attr_every_row_accepts_a_well_formed_value(void **state)
{
	(void)state;
	assert_int_equal(walk_codes(row_accepts_good_value), 16);
}

static void
row_wrong_flags(uint8_t code, const struct attr_desc *d, bool as4)
{
	static const uint8_t ot[] = { 0x00, ATTR_F_TRANSITIVE,
	    ATTR_F_OPTIONAL, ATTR_F_OT };
	uint8_t v[64];
	size_t i, len = good_len(d, as4);
	struct one a;

	good_value(code, v, len);
	for (i = 0; i < sizeof(ot); i++) {
		if (ot[i] == d->flags)
			continue;
		/* Partial says nothing about O and T (RFC 4271 4.3) */
		one_attr(&a, (uint8_t)(ot[i] | ATTR_F_PARTIAL), code, v, len);
		expect_action(&a, code, as4, d->bad_flags,
		    NOTIF_UPDATE_ATTR_FLAGS, "attribute flags");
	}
}

static void
test_attr_wrong_flags_take_the_rows_action(void **state)
{
	(void)state;
	walk_codes(row_wrong_flags);
}

static void
row_wrong_lengths(uint8_t code, const struct attr_desc *d, bool as4)
{
	uint8_t v[64];
	size_t bad[4], nbad = 0, i;
	size_t grow = as4 ? d->as4_grow : 0u, good = good_len(d, as4);
	struct one a;

	if (d->min_len + grow > 0)
		bad[nbad++] = d->min_len + grow - 1;
	if (d->max_len < UINT16_MAX)
		bad[nbad++] = d->max_len + grow + 1;
	if (d->len_mult > 1)
		bad[nbad++] = good + 1;
	if (d->as4_grow > 0)	/* the length of the other AS width */
		bad[nbad++] = as4 ? d->min_len : d->min_len + d->as4_grow;
	for (i = 0; i < nbad; i++) {
		assert_true(bad[i] <= sizeof(v));
		assert_false(attr_len_ok(d, bad[i], as4));
		good_value(code, v, bad[i]);
		one_attr(&a, d->flags, code, v, bad[i]);
		expect_action(&a, code, as4, d->malformed, d->subcode,
		    d->bad_len);
	}
}

static void
test_attr_wrong_lengths_take_the_rows_action(void **state)
{
	(void)state;
	walk_codes(row_wrong_lengths);
}

static void
test_attr_length_rules(void **state)
{
	const struct attr_desc *d;

	(void)state;
	d = attr_desc(ATTR_AGGREGATOR);
	assert_true(attr_len_ok(d, 6, false));
	assert_false(attr_len_ok(d, 8, false));
	assert_true(attr_len_ok(d, 8, true));
	assert_false(attr_len_ok(d, 6, true));
	d = attr_desc(ATTR_LARGE_COMMUNITY);
	assert_false(attr_len_ok(d, 0, false));
	assert_true(attr_len_ok(d, 12, false));
	assert_false(attr_len_ok(d, 18, false));
	assert_true(attr_len_ok(d, 24, true));
	d = attr_desc(ATTR_AS_PATH);
	assert_true(attr_len_ok(d, 0, false));
	assert_true(attr_len_ok(d, UINT16_MAX, true));
	assert_null(attr_desc(0));
	assert_null(attr_desc(ATTR_LARGE_COMMUNITY + 1));
	assert_null(attr_name(255));
	assert_string_equal(attr_name(ATTR_MED), "med");
}

/*
 * Every attribute updb writes carries the flags of its row: an UPDATE
 * with all of them (AS4_PATH needs an AS above 65535 towards an OLD
 * speaker), walked with the reader.
 */
static void
encoded_flags_match(enum updb_kind kind, unsigned want)
{
	struct bgp_attrs at;
	struct upd_opts o = { .as4 = false, .ibgp = true, .local_as = 65000 };
	struct updb b;
	struct prefix p;
	struct rd r, attrs, v;
	uint16_t wlen, alen, l16;
	uint8_t flags, code, l8;
	unsigned seen = 0;
	size_t len;

	memset(&at, 0, sizeof(at));
	memset(&p, 0, sizeof(p));
	at.aspath_len = 2;
	at.aspath[0] = 65000;
	at.aspath[1] = 4200000001u;
	at.has_med = at.has_local_pref = true;
	at.ncomm = 1;
	at.comm[0] = 0xfde80001u;
	at.nlcomm = 1;
	at.lcomm[0].global = 65000;
	at.nh4.afi = AFI_IPV4;
	at.nh4.b[0] = 192;
	at.nh6.afi = AFI_IPV6;
	at.nh6.b[0] = 0x20;
	p.afi = kind == UPDB_ANNOUNCE4 ? AFI_IPV4 : AFI_IPV6;
	p.len = 24;
	p.b[0] = 10;
	assert_int_equal(updb_begin(&b, kind, &at, &o), 0);
	assert_true(updb_add(&b, &p));
	len = updb_finish(&b);
	assert_true(len > 0);
	rd_init(&r, b.buf, len);
	assert_int_equal(rd_skip(&r, BGP_HDR_LEN), 0);
	assert_int_equal(rd_u16(&r, &wlen), 0);
	assert_int_equal(rd_skip(&r, wlen), 0);
	assert_int_equal(rd_u16(&r, &alen), 0);
	assert_int_equal(rd_sub(&r, alen, &attrs), 0);
	while (rd_left(&attrs) > 0) {
		assert_int_equal(rd_u8(&attrs, &flags), 0);
		assert_int_equal(rd_u8(&attrs, &code), 0);
		if (flags & ATTR_F_EXTLEN) {
			assert_int_equal(rd_u16(&attrs, &l16), 0);
		} else {
			assert_int_equal(rd_u8(&attrs, &l8), 0);
			l16 = l8;
		}
		assert_int_equal(rd_sub(&attrs, l16, &v), 0);
		assert_non_null(attr_desc(code));
		assert_int_equal(flags & ATTR_F_OT, attr_desc(code)->flags);
		assert_int_equal(flags & ATTR_F_PARTIAL, 0);
		seen++;
	}
	assert_int_equal(seen, want);
}

static void
test_attr_encoder_writes_the_rows_flags(void **state)
{
	uint8_t buf[64];
	struct wr w;
	struct rd r;
	uint8_t flags, code;

	(void)state;
	/* ORIGIN AS_PATH NEXT_HOP MED LOCAL_PREF COMMUNITIES AS4_PATH LC */
	encoded_flags_match(UPDB_ANNOUNCE4, 8);
	/* the same without NEXT_HOP, and MP_REACH_NLRI */
	encoded_flags_match(UPDB_ANNOUNCE6, 8);
	/* MP_UNREACH_NLRI alone */
	encoded_flags_match(UPDB_WITHDRAW6, 1);
	/* the IPv6 End-of-RIB marker's MP_UNREACH_NLRI */
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, AFI_IPV6), 0);
	rd_init(&r, buf, wr_mark(&w));
	assert_int_equal(rd_skip(&r, BGP_HDR_LEN + 4), 0);
	assert_int_equal(rd_u8(&r, &flags), 0);
	assert_int_equal(rd_u8(&r, &code), 0);
	assert_int_equal(code, ATTR_MP_UNREACH_NLRI);
	assert_int_equal(flags, attr_flags(code) | ATTR_F_EXTLEN);
}

/* msg_describe names every recognised code by its row, others by number */
static void
test_attr_describe_uses_the_rows_names(void **state)
{
	uint8_t v[64], msg[BGP_MAX_MSG];
	unsigned code;
	char want[64], got[256];
	struct one a;
	struct body m;
	struct wr w;
	const struct attr_desc *d;

	(void)state;
	for (code = 0; code < 256; code++) {
		d = attr_desc((uint8_t)code);
		good_value((uint8_t)code, v, 8);
		one_attr(&a, d != NULL ? d->flags : ATTR_F_OT, (uint8_t)code,
		    v, 8);
		body_with(&m, &a, (uint8_t)code, false);
		wr_init(&w, msg, sizeof(msg));
		wr_fill(&w, 0xff, BGP_MARKER_LEN);
		wr_u16(&w, (uint16_t)(BGP_HDR_LEN + m.n));
		wr_u8(&w, BGP_UPDATE);
		wr_bytes(&w, m.b, m.n);
		msg_describe(msg, wr_mark(&w), got, sizeof(got));
		if (d != NULL)
			snprintf(want, sizeof(want),
			    "UPDATE withdrawn=0 attrs=%s nlri=0", d->name);
		else
			snprintf(want, sizeof(want),
			    "UPDATE withdrawn=0 attrs=%u nlri=0", code);
		assert_string_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_attr_every_row_accepts_a_well_formed_value),
		cmocka_unit_test(test_attr_wrong_flags_take_the_rows_action),
		cmocka_unit_test(test_attr_wrong_lengths_take_the_rows_action),
		cmocka_unit_test(test_attr_length_rules),
		cmocka_unit_test(test_attr_encoder_writes_the_rows_flags),
		cmocka_unit_test(test_attr_describe_uses_the_rows_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
