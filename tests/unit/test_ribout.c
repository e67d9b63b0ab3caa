/*
 * test_ribout.c - the UPDATE encoder (updb.c) and the Adj-RIB-Out.
 *
 * Encoder tests compare golden bytes worked out by hand from RFC 4271 4.3,
 * RFC 4760, RFC 6793, RFC 1997 and RFC 8092.  Every message a flush emits
 * is also walked with struct rd (decode_update) so that each length field
 * is checked against what really follows it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "bgpd/msg.h"
#include "lib/prefix.h"
#include "lib/rd.h"
#include "bgpd/ribout.h"

#define MARKER	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* ---- helpers ---- */

static struct prefix
pfx(const char *s)
{
	struct prefix p;

	assert_int_equal(prefix_parse(s, &p), 0);
	return p;
}

static struct addr
adr(const char *s)
{
	struct addr a;

	assert_int_equal(addr_parse(s, &a), 0);
	return a;
}

/* 10.x.y.z/32 or 2001:db8::x/128 number i */
static struct prefix
host4(uint32_t i)
{
	struct prefix p;

	memset(&p, 0, sizeof(p));
	p.afi = AFI_IPV4;
	p.len = 32;
	p.b[0] = 10;
	p.b[1] = (uint8_t)(i >> 16);
	p.b[2] = (uint8_t)(i >> 8);
	p.b[3] = (uint8_t)i;
	return p;
}

static struct prefix
host6(uint32_t i)
{
	struct prefix p = pfx("2001:db8::/128");

	p.b[12] = (uint8_t)(i >> 24);
	p.b[13] = (uint8_t)(i >> 16);
	p.b[14] = (uint8_t)(i >> 8);
	p.b[15] = (uint8_t)i;
	return p;
}

/* eBGP attributes of the golden ANNOUNCE4 (53 octets of attributes) */
static struct bgp_attrs
attrs_full(void)
{
	struct bgp_attrs a;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	a.aspath_len = 2;
	a.aspath[0] = 64512;
	a.aspath[1] = 4200000001u;
	a.has_med = true;
	a.med = 50;
	a.ncomm = 1;
	a.comm[0] = 0xfde80064u;	/* 65000:100 */
	a.nlcomm = 1;
	a.lcomm[0].global = 4200000001u;
	a.lcomm[0].local1 = 1;
	a.lcomm[0].local2 = 2;
	a.nh4 = adr("192.0.2.1");
	a.nh6 = adr("2001:db8::1");
	return a;
}

/* the golden ANNOUNCE6 attributes */
static struct bgp_attrs
attrs_v6(void)
{
	struct bgp_attrs a;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	a.aspath_len = 1;
	a.aspath[0] = 64512;
	a.nh4 = adr("192.0.2.1");
	a.nh6 = adr("2001:db8::1");
	return a;
}

static const struct upd_opts ebgp4 = { .as4 = true, .ibgp = false,
	.local_as = 64512 };
static const struct upd_opts ebgp2 = { .as4 = false, .ibgp = false,
	.local_as = 65001 };
static const struct upd_opts ibgp4 = { .as4 = true, .ibgp = true,
	.local_as = 64512 };
static const bool both_ok[3] = { false, true, true };

/* what decode_update found in one UPDATE */
struct dec {
	size_t	nw4, na4, nw6, na6;
	bool	has[256];
	uint8_t	flags[256];
	uint8_t	nhlen;
	uint16_t attr_len;
};

static int
walk_prefixes(struct rd *r, uint8_t maxlen, size_t *count)
{
	uint8_t len;

	while (rd_left(r) > 0) {
		if (rd_u8(r, &len) == -1 || len > maxlen ||
		    rd_skip(r, prefix_wire_bytes(len)) == -1)
			return -1;
		(*count)++;
	}
	return 0;
}

/*
 * Walk an UPDATE with struct rd, checking that the header length, the
 * withdrawn and attribute lengths, each attribute length and the MP
 * lengths all add up exactly.  0, or -1 at the first inconsistency.
 */
static int
decode_update(const uint8_t *msg, size_t len, struct dec *d)
{
	struct rd r, w, a, v;
	uint8_t b, type, flags, safi, res;
	uint16_t mlen, wlen, alen, afi, vlen;
	size_t i;

	memset(d, 0, sizeof(*d));
	rd_init(&r, msg, len);
	for (i = 0; i < 16; i++)
		if (rd_u8(&r, &b) == -1 || b != 0xff)
			return -1;
	if (rd_u16(&r, &mlen) == -1 || mlen != len || len > BGP_MAX_MSG ||
	    rd_u8(&r, &type) == -1 || type != BGP_UPDATE)
		return -1;
	if (rd_u16(&r, &wlen) == -1 || rd_sub(&r, wlen, &w) == -1 ||
	    walk_prefixes(&w, 32, &d->nw4) == -1)
		return -1;
	if (rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &a) == -1)
		return -1;
	d->attr_len = alen;
	while (rd_left(&a) > 0) {
		if (rd_u8(&a, &flags) == -1 || rd_u8(&a, &type) == -1)
			return -1;
		if (flags & 0x10) {
			if (rd_u16(&a, &vlen) == -1)
				return -1;
		} else {
			if (rd_u8(&a, &b) == -1)
				return -1;
			vlen = b;
		}
		if (rd_sub(&a, vlen, &v) == -1 || d->has[type])
			return -1;
		d->has[type] = true;
		d->flags[type] = flags;
		if (type == 14 || type == 15) {
			if (rd_u16(&v, &afi) == -1 || afi != AFI_IPV6 ||
			    rd_u8(&v, &safi) == -1 || safi != SAFI_UNICAST)
				return -1;
		}
		if (type == 14) {
			if (rd_u8(&v, &d->nhlen) == -1 ||
			    rd_skip(&v, d->nhlen) == -1 ||
			    rd_u8(&v, &res) == -1 ||
			    walk_prefixes(&v, 128, &d->na6) == -1)
				return -1;
		} else if (type == 15) {
			if (walk_prefixes(&v, 128, &d->nw6) == -1)
				return -1;
		}
	}
	/* the rest is NLRI */
	return walk_prefixes(&r, 32, &d->na4);
}

#define SINK_MAX	512

/* the emit callback's record of a flush */
struct sink {
	int	calls;
	int	fail_at;		/* 1-based call that fails; 0: none */
	size_t	nmsg;
	struct dec d[SINK_MAX];
	size_t	len[SINK_MAX];
	uint8_t	last[BGP_MAX_MSG];
	size_t	lastlen;
	size_t	nw4, na4, nw6, na6;
};

static int
sink_emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct sink *s = ctx;
	struct dec d;

	s->calls++;
	if (s->fail_at != 0 && s->calls == s->fail_at)
		return -1;
	assert_true(len <= BGP_MAX_MSG);
	assert_int_equal(decode_update(msg, len, &d), 0);
	s->nw4 += d.nw4;
	s->na4 += d.na4;
	s->nw6 += d.nw6;
	s->na6 += d.na6;
	if (s->nmsg < SINK_MAX) {
		s->d[s->nmsg] = d;
		s->len[s->nmsg] = len;
	}
	s->nmsg++;
	memcpy(s->last, msg, len);
	s->lastlen = len;
	return 0;
}

static struct sink *
sink_new(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

/* build one message of the given kind with the given prefixes */
static size_t
build(struct updb *b, enum updb_kind kind, const struct bgp_attrs *a,
    const struct upd_opts *o, const char *const *pfxs, size_t n)
{
	struct prefix p;
	size_t i;

	assert_int_equal(updb_begin(b, kind, a, o), 0);
	for (i = 0; i < n; i++) {
		p = pfx(pfxs[i]);
		assert_true(updb_add(b, &p));
	}
	return updb_finish(b);
}

static void
assert_golden(const struct updb *b, size_t len, const uint8_t *want,
    size_t wantlen)
{
	struct dec d;

	assert_int_equal(len, wantlen);
	assert_memory_equal(b->buf, want, wantlen);
	assert_int_equal(decode_update(b->buf, len, &d), 0);
}

/* ---- attrs_equal ---- */

static void
test_ribout_attrs_equal_ignores_unused_slots(void **state)
{
	struct bgp_attrs a = attrs_full(), b = attrs_full();

	(void)state;
	assert_true(attrs_equal(&a, &b));
	b.aspath[5] = 7;		/* past aspath_len */
	b.comm[3] = 7;
	b.lcomm[2].local1 = 7;
	a.has_med = b.has_med = false;
	b.med = 99;			/* has_med false: med means nothing */
	b.local_pref = 42;		/* has_local_pref false */
	b.nh6_ll.b[3] = 1;		/* unset address */
	assert_true(attrs_equal(&a, &b));
}

static void
test_ribout_attrs_equal_sees_every_field(void **state)
{
	struct bgp_attrs a = attrs_full(), b;

	(void)state;
	a.has_local_pref = true;
	a.local_pref = 100;
	a.nh6_ll = adr("fe80::1");
#define DIFFERS(stmt) do {			\
	b = a;					\
	stmt;					\
	assert_false(attrs_equal(&a, &b));	\
	assert_false(attrs_equal(&b, &a));	\
} while (0)
	DIFFERS(b.origin = ORIGIN_INCOMPLETE);
	DIFFERS(b.aspath_len = 1);
	DIFFERS(b.aspath[1] = 65001);
	DIFFERS(b.has_med = false);
	DIFFERS(b.med = 51);
	DIFFERS(b.has_local_pref = false);
	DIFFERS(b.local_pref = 200);
	DIFFERS(b.ncomm = 0);
	DIFFERS(b.comm[0] = 1);
	DIFFERS(b.nlcomm = 0);
	DIFFERS(b.lcomm[0].global = 1);
	DIFFERS(b.lcomm[0].local1 = 9);
	DIFFERS(b.lcomm[0].local2 = 9);
	DIFFERS(b.nh4 = adr("192.0.2.2"));
	DIFFERS(b.nh6 = adr("2001:db8::2"));
	DIFFERS(b.nh6_ll = adr("fe80::2"));
	DIFFERS(memset(&b.nh6_ll, 0, sizeof(b.nh6_ll)));
#undef DIFFERS
}

/* ---- golden UPDATEs ---- */

static void
test_ribout_announce4_ebgp_as4_golden(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x55, 0x02,
		0x00, 0x00,				/* withdrawn */
		0x00, 0x35,				/* attributes: 53 */
		0x40, 0x01, 0x01, 0x00,			/* ORIGIN IGP */
		0x40, 0x02, 0x0a, 0x02, 0x02,		/* AS_PATH seq 2 */
		0x00, 0x00, 0xfc, 0x00,			/* 64512 */
		0xfa, 0x56, 0xea, 0x01,			/* 4200000001 */
		0x40, 0x03, 0x04, 192, 0, 2, 1,		/* NEXT_HOP */
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x32,	/* MED 50 */
		0xc0, 0x08, 0x04, 0xfd, 0xe8, 0x00, 0x64,	/* 65000:100 */
		0xc0, 0x20, 0x0c,			/* LARGE_COMMUNITY */
		0xfa, 0x56, 0xea, 0x01, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x18, 198, 51, 100,			/* 198.51.100.0/24 */
		0x20, 203, 0, 113, 7,			/* 203.0.113.7/32 */
	};
	static const char *const p[] = { "198.51.100.0/24", "203.0.113.7" };
	struct updb b;
	struct bgp_attrs a = attrs_full();

	(void)state;
	/* LOCAL_PREF set by the caller must not reach an external peer */
	a.has_local_pref = true;
	a.local_pref = 100;
	assert_golden(&b, build(&b, UPDB_ANNOUNCE4, &a, &ebgp4, p, 2),
	    want, sizeof(want));
	assert_int_equal(b.n, 2);
}

static void
test_ribout_announce4_as2_session_sends_as_trans_and_as4_path(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x3c, 0x02,
		0x00, 0x00,
		0x00, 0x21,				/* attributes: 33 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x02,		/* 2-octet ASes */
		0xfd, 0xe9, 0x5b, 0xa0,			/* 65001 AS_TRANS */
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0xc0, 0x11, 0x0a, 0x02, 0x02,		/* AS4_PATH */
		0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
		0x18, 198, 51, 100,
	};
	static const char *const p[] = { "198.51.100.0/24" };
	struct updb b;
	struct bgp_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.aspath_len = 2;
	a.aspath[0] = 65001;
	a.aspath[1] = 4200000001u;
	a.nh4 = adr("192.0.2.1");
	assert_golden(&b, build(&b, UPDB_ANNOUNCE4, &a, &ebgp2, p, 1),
	    want, sizeof(want));
}

static void
test_ribout_announce4_as2_session_small_ases_has_no_as4_path(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x2f, 0x02,
		0x00, 0x00,
		0x00, 0x14,				/* attributes: 20 */
		0x40, 0x01, 0x01, 0x02,			/* INCOMPLETE */
		0x40, 0x02, 0x06, 0x02, 0x02,
		0xfd, 0xe9, 0xff, 0xff,			/* 65001 65535 */
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0x18, 198, 51, 100,
	};
	static const char *const p[] = { "198.51.100.0/24" };
	struct updb b;
	struct bgp_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_INCOMPLETE;
	a.aspath_len = 2;
	a.aspath[0] = 65001;
	a.aspath[1] = 65535;
	a.nh4 = adr("192.0.2.1");
	assert_golden(&b, build(&b, UPDB_ANNOUNCE4, &a, &ebgp2, p, 1),
	    want, sizeof(want));
}

static void
test_ribout_announce4_ibgp_empty_aspath_and_local_pref(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x31, 0x02,
		0x00, 0x00,
		0x00, 0x15,				/* attributes: 21 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x00,			/* empty AS_PATH */
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64,	/* LOCAL_PREF */
		0x20, 198, 51, 100, 10,
	};
	static const char *const p[] = { "198.51.100.10/32" };
	struct updb b;
	struct bgp_attrs a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.has_local_pref = true;
	a.local_pref = 100;
	a.nh4 = adr("192.0.2.1");
	assert_golden(&b, build(&b, UPDB_ANNOUNCE4, &a, &ibgp4, p, 1),
	    want, sizeof(want));
}

static void
test_ribout_announce6_global_next_hop_golden(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x44, 0x02,
		0x00, 0x00,
		0x00, 0x2d,				/* attributes: 45 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfc, 0x00,
		0x90, 0x0e, 0x00, 0x1c,			/* MP_REACH: 28 */
		0x00, 0x02, 0x01, 0x10,			/* AFI 2 SAFI 1 nh 16 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00,					/* reserved */
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,	/* /48 */
	};
	static const char *const p[] = { "2001:db8:1::/48" };
	struct updb b;
	struct bgp_attrs a = attrs_v6();

	(void)state;
	assert_golden(&b, build(&b, UPDB_ANNOUNCE6, &a, &ebgp4, p, 1),
	    want, sizeof(want));
}

static void
test_ribout_announce6_link_local_next_hop_is_32_octets(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x54, 0x02,
		0x00, 0x00,
		0x00, 0x3d,				/* attributes: 61 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfc, 0x00,
		0x90, 0x0e, 0x00, 0x2c,			/* MP_REACH: 44 */
		0x00, 0x02, 0x01, 0x20,			/* nh 32 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00,
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	};
	static const char *const p[] = { "2001:db8:1::/48" };
	struct updb b;
	struct bgp_attrs a = attrs_v6();
	struct dec d;

	(void)state;
	a.nh6_ll = adr("fe80::1");
	assert_golden(&b, build(&b, UPDB_ANNOUNCE6, &a, &ebgp4, p, 1),
	    want, sizeof(want));
	assert_int_equal(decode_update(b.buf, sizeof(want), &d), 0);
	assert_int_equal(d.nhlen, 32);
	assert_int_equal(d.na6, 1);
	assert_false(d.has[3]);			/* no NEXT_HOP for IPv6 */
}

static void
test_ribout_withdraw4_golden(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x1d, 0x02,
		0x00, 0x06,				/* withdrawn: 6 */
		0x18, 198, 51, 100,
		0x08, 10,				/* 10.0.0.0/8 */
		0x00, 0x00,				/* no attributes */
	};
	static const char *const p[] = { "198.51.100.0/24", "10.0.0.0/8" };
	struct updb b;

	(void)state;
	assert_golden(&b, build(&b, UPDB_WITHDRAW4, NULL, &ebgp4, p, 2),
	    want, sizeof(want));
}

static void
test_ribout_withdraw6_golden(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x26, 0x02,
		0x00, 0x00,
		0x00, 0x0f,				/* attributes: 15 */
		0x90, 0x0f, 0x00, 0x0b,			/* MP_UNREACH: 11 */
		0x00, 0x02, 0x01,
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
		0x00,					/* ::/0 */
	};
	static const char *const p[] = { "2001:db8:1::/48", "::/0" };
	struct updb b;

	(void)state;
	assert_golden(&b, build(&b, UPDB_WITHDRAW6, NULL, NULL, p, 2),
	    want, sizeof(want));
}

static void
test_ribout_eor_ipv4_is_23_octet_empty_update(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00,
	};
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, AFI_IPV4), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_ribout_eor_ipv6_is_empty_mp_unreach(void **state)
{
	static const uint8_t want[] = {
		MARKER, 0x00, 0x1e, 0x02, 0x00, 0x00, 0x00, 0x07,
		0x90, 0x0f, 0x00, 0x03, 0x00, 0x02, 0x01,
	};
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct dec d;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, AFI_IPV6), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(decode_update(buf, sizeof(want), &d), 0);
	assert_true(d.has[15]);
	assert_int_equal(d.nw6, 0);
}

static void
test_ribout_eor_fails_on_unknown_afi_or_short_buffer(void **state)
{
	uint8_t buf[29];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, 3), -1);
	wr_init(&w, buf, 22);
	assert_int_equal(msg_eor_encode(&w, AFI_IPV4), -1);
	wr_init(&w, buf, 29);
	assert_int_equal(msg_eor_encode(&w, AFI_IPV6), -1);
}

static void
test_ribout_updb_refuses_missing_next_hop_and_wrong_family(void **state)
{
	struct updb b;
	struct bgp_attrs a = attrs_v6();
	struct prefix p6 = pfx("2001:db8::/32"), p4 = pfx("10.0.0.0/8");

	(void)state;
	memset(&a.nh4, 0, sizeof(a.nh4));
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE4, &a, &ebgp4), -1);
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE6, &a, &ebgp4), 0);
	assert_false(updb_add(&b, &p4));
	assert_true(updb_add(&b, &p6));
	memset(&a.nh6, 0, sizeof(a.nh6));
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE6, &a, &ebgp4), -1);
	a = attrs_v6();
	a.aspath_len = ATTR_MAX_ASPATH + 1;
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE6, &a, &ebgp4), -1);
	assert_int_equal(updb_begin(&b, UPDB_WITHDRAW4, NULL, NULL), 0);
	assert_false(updb_add(&b, &p6));
}

static void
test_ribout_updb_full_message_stays_within_4096(void **state)
{
	struct updb b;
	struct prefix p;
	uint32_t i;
	size_t len;

	(void)state;
	/* 23 octets of fixed fields, then 5 per /32: 814 fit, 4093 octets */
	assert_int_equal(updb_begin(&b, UPDB_WITHDRAW4, NULL, NULL), 0);
	for (i = 0; ; i++) {
		p = host4(i);
		if (!updb_add(&b, &p))
			break;
	}
	assert_int_equal(i, 814);
	len = updb_finish(&b);
	assert_int_equal(len, 23 + 814 * 5);
	assert_true(len <= BGP_MAX_MSG);
}

/* ---- the Adj-RIB-Out ---- */

static void
set4(struct ribout *ro, uint32_t from, uint32_t n, const struct bgp_attrs *a)
{
	struct prefix p;
	uint32_t i;

	for (i = from; i < from + n; i++) {
		p = host4(i);
		assert_int_equal(ribout_set(ro, &p, a), 0);
	}
}

static void
set6(struct ribout *ro, uint32_t from, uint32_t n, const struct bgp_attrs *a)
{
	struct prefix p;
	uint32_t i;

	for (i = from; i < from + n; i++) {
		p = host6(i);
		assert_int_equal(ribout_set(ro, &p, a), 0);
	}
}

static size_t
div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

static void
test_ribout_1000_host4_pack_into_minimum_updates(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	/* header 19 + withdrawn len 2 + attr len 2 + 53 of attributes */
	const size_t fixed = 19 + 2 + 2 + 53, per = 1 + 4;
	const size_t want = div_up(1000, (BGP_MAX_MSG - fixed) / per);
	size_t i;

	(void)state;
	assert_non_null(ro);
	set4(ro, 0, 1000, &a);
	assert_int_equal(ribout_desired_count(ro), 1000);
	assert_true(ribout_is_pending(ro));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s),
	    (int)want);
	assert_int_equal(s->nmsg, want);
	assert_int_equal(s->na4, 1000);
	for (i = 0; i < s->nmsg; i++) {
		assert_true(s->len[i] <= BGP_MAX_MSG);
		assert_int_equal(s->d[i].attr_len, 53);
		/* every message but the last is full */
		if (i + 1 < s->nmsg)
			assert_true(s->len[i] + per > BGP_MAX_MSG);
	}
	assert_int_equal(ribout_sent_count(ro), 1000);
	assert_false(ribout_is_pending(ro));
	ribout_free(ro);
	free(s);
}

static void
test_ribout_1000_host6_pack_into_minimum_updates(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_v6();
	/* fixed 23, ORIGIN 4, AS_PATH 9, MP_REACH header 4 + 4 + 16 + 1 */
	const size_t fixed = 23 + 4 + 9 + 25, per = 1 + 16;
	const size_t want = div_up(1000, (BGP_MAX_MSG - fixed) / per);
	/* withdrawals: fixed 23 + MP_UNREACH header 4 + AFI/SAFI 3 */
	const size_t wwant = div_up(1000, (BGP_MAX_MSG - 30) / per);
	struct prefix p;
	size_t i;

	(void)state;
	assert_int_equal(want, 5);
	set6(ro, 0, 1000, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s),
	    (int)want);
	assert_int_equal(s->na6, 1000);
	for (i = 0; i < s->nmsg; i++) {
		assert_true(s->len[i] <= BGP_MAX_MSG);
		assert_int_equal(s->d[i].nhlen, 16);
		if (i + 1 < s->nmsg)
			assert_true(s->len[i] + per > BGP_MAX_MSG);
	}
	memset(s, 0, sizeof(*s));
	for (i = 0; i < 1000; i++) {
		p = host6((uint32_t)i);
		ribout_unset(ro, &p);
	}
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s),
	    (int)wwant);
	assert_int_equal(s->nw6, 1000);
	for (i = 0; i + 1 < s->nmsg; i++)
		assert_true(s->len[i] + per > BGP_MAX_MSG);
	assert_int_equal(ribout_sent_count(ro), 0);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_attribute_change_of_one_prefix_emits_one_update(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), b = attrs_full();
	struct prefix p = host4(3);

	(void)state;
	set4(ro, 0, 10, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	memset(s, 0, sizeof(*s));
	b.med = 60;
	assert_int_equal(ribout_set(ro, &p, &b), 0);
	assert_true(ribout_is_pending(ro));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	assert_int_equal(s->nmsg, 1);
	/* an implicit withdraw: announced with the new MED, no withdrawal */
	assert_int_equal(s->d[0].na4, 1);
	assert_int_equal(s->d[0].nw4, 0);
	/* MED 60 at offset 23 + ORIGIN 4 + AS_PATH 13 + NEXT_HOP 7 + 3 */
	assert_int_equal(s->last[23 + 4 + 13 + 7 + 3 + 3], 60);
	assert_int_equal(ribout_sent_count(ro), 10);
	assert_int_equal(ribout_desired_count(ro), 10);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_set_with_identical_attributes_emits_nothing(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), same = attrs_full();

	(void)state;
	set4(ro, 0, 10, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	s->calls = 0;
	same.comm[5] = 12345;		/* unused slot: still identical */
	set4(ro, 0, 10, &same);
	assert_false(ribout_is_pending(ro));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 0);
	assert_int_equal(s->calls, 0);
	/* and a flush with nothing at all pending says nothing either */
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 0);
	assert_int_equal(s->calls, 0);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_withdraw_of_never_sent_prefix_emits_nothing(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	struct prefix p = host4(1), q = host4(2);

	(void)state;
	assert_int_equal(ribout_set(ro, &p, &a), 0);
	ribout_unset(ro, &p);
	ribout_unset(ro, &q);		/* never even desired */
	assert_false(ribout_is_pending(ro));
	assert_int_equal(ribout_desired_count(ro), 0);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 0);
	assert_int_equal(s->calls, 0);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_withdrawals_go_before_announcements(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	struct prefix p1 = host4(1), p2 = host4(2), p6 = host6(1);

	(void)state;
	assert_int_equal(ribout_set(ro, &p1, &a), 0);
	assert_int_equal(ribout_set(ro, &p6, &a), 0);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	memset(s, 0, sizeof(*s));
	ribout_unset(ro, &p1);
	ribout_unset(ro, &p6);
	assert_int_equal(ribout_set(ro, &p2, &a), 0);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 3);
	assert_int_equal(s->d[0].nw4, 1);
	assert_int_equal(s->d[1].nw6, 1);
	assert_int_equal(s->d[2].na4, 1);
	assert_int_equal(ribout_sent_count(ro), 1);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_prefixes_grouped_by_attribute_set(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), b = attrs_full();
	struct prefix p;
	uint32_t i;

	(void)state;
	b.ncomm = 0;
	for (i = 0; i < 20; i++) {
		p = host4(i);
		assert_int_equal(ribout_set(ro, &p, i % 2 ? &a : &b), 0);
	}
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	assert_int_equal(s->d[0].na4, 10);
	assert_int_equal(s->d[1].na4, 10);
	assert_true(s->d[0].has[8] != s->d[1].has[8]);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_afi_not_ok_holds_ipv6_back_until_ok(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	const bool v4_only[3] = { false, true, false };

	(void)state;
	set4(ro, 0, 3, &a);
	set6(ro, 0, 3, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, v4_only, sink_emit, s), 1);
	assert_int_equal(s->na4, 3);
	assert_int_equal(s->na6, 0);
	assert_int_equal(ribout_sent_count(ro), 3);
	assert_true(ribout_is_pending(ro));
	/* still held back: nothing new to say on IPv4 */
	assert_int_equal(ribout_flush(ro, &ebgp4, v4_only, sink_emit, s), 0);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	assert_int_equal(s->na6, 3);
	assert_int_equal(s->d[1].nhlen, 16);
	assert_int_equal(ribout_sent_count(ro), 6);
	assert_false(ribout_is_pending(ro));
	ribout_free(ro);
	free(s);
}

static void
test_ribout_unusable_next_hop_holds_routes_back(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();

	(void)state;
	memset(&a.nh6, 0, sizeof(a.nh6));	/* no IPv6 next hop known */
	set4(ro, 0, 2, &a);
	set6(ro, 0, 2, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	assert_int_equal(s->na4, 2);
	assert_int_equal(s->na6, 0);
	assert_true(ribout_is_pending(ro));
	a.nh6 = adr("2001:db8::1");
	set6(ro, 0, 2, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	assert_int_equal(s->na6, 2);
	assert_false(ribout_is_pending(ro));
	ribout_free(ro);
	free(s);
}

static void
test_ribout_clear_sent_resends_all_desired(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	struct prefix gone = host4(9);

	(void)state;
	set4(ro, 0, 10, &a);
	set6(ro, 0, 5, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	/* a withdrawal still pending when the session drops is moot */
	ribout_unset(ro, &gone);
	ribout_clear_sent(ro);
	assert_int_equal(ribout_sent_count(ro), 0);
	assert_int_equal(ribout_desired_count(ro), 14);
	assert_true(ribout_is_pending(ro));
	memset(s, 0, sizeof(*s));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	assert_int_equal(s->na4, 9);
	assert_int_equal(s->na6, 5);
	assert_int_equal(s->nw4 + s->nw6, 0);
	assert_int_equal(ribout_sent_count(ro), 14);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_emit_failure_leaves_rest_pending(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();
	const size_t first = (BGP_MAX_MSG - 76) / 5;	/* 804 per UPDATE */

	(void)state;
	set4(ro, 0, 1000, &a);
	s->fail_at = 2;
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), -1);
	assert_int_equal(s->nmsg, 1);
	assert_int_equal(ribout_sent_count(ro), first);
	assert_true(ribout_is_pending(ro));
	memset(s, 0, sizeof(*s));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	assert_int_equal(s->na4, 1000 - first);
	assert_int_equal(ribout_sent_count(ro), 1000);
	assert_false(ribout_is_pending(ro));
	ribout_free(ro);
	free(s);
}

static void
test_ribout_unset_all_withdraws_everything(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full();

	(void)state;
	set4(ro, 0, 10, &a);
	set6(ro, 0, 10, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	ribout_unset_all(ro);
	assert_int_equal(ribout_desired_count(ro), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	assert_int_equal(s->nw4, 10);
	assert_int_equal(s->nw6, 10);
	assert_int_equal(ribout_sent_count(ro), 0);
	assert_false(ribout_is_pending(ro));
	ribout_free(ro);
	free(s);
}

struct walk {
	int		n;
	int		stop_at;
	struct prefix	seen[8];
	uint32_t	med[8];
	int64_t		at[8];
};

static int
walk_fn(void *ctx, const struct prefix *p, const struct bgp_attrs *a,
    int64_t sent_at)
{
	struct walk *w = ctx;

	if (w->n < 8) {
		w->seen[w->n] = *p;
		w->med[w->n] = a->med;
		w->at[w->n] = sent_at;
	}
	w->n++;
	return w->n == w->stop_at ? 7 : 0;
}

static void
test_ribout_walk_sent_in_prefix_order_with_sent_attrs(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), b = attrs_full();
	struct walk w;
	struct prefix p = host4(2);

	(void)state;
	set4(ro, 0, 3, &a);
	set6(ro, 0, 1, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	/* desired but not yet sent: the walk shows what the peer holds */
	b.med = 77;
	assert_int_equal(ribout_set(ro, &p, &b), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(ribout_walk_sent(ro, walk_fn, &w), 0);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.seen[0].b[3], 0);
	assert_int_equal(w.seen[1].b[3], 1);
	assert_int_equal(w.seen[2].b[3], 2);
	assert_int_equal(w.med[2], 50);
	assert_int_equal(w.seen[3].afi, AFI_IPV6);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(ribout_walk_sent(ro, walk_fn, &w), 7);
	assert_int_equal(w.n, 2);
	ribout_free(ro);
	free(s);
}

/* each route carries the time of the flush that sent it, not a later one */
static void
test_ribout_walk_sent_reports_the_time_each_route_was_sent(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), b = attrs_full();
	struct prefix p1 = host4(1);
	struct walk w;

	(void)state;
	ribout_set_time(ro, 1000);
	set4(ro, 0, 3, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	/* a change at 2000 re-stamps only the route that was re-sent */
	ribout_set_time(ro, 2000);
	b.med = 77;
	assert_int_equal(ribout_set(ro, &p1, &b), 0);
	/* nothing pending for the others: their stamp stays */
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	/* a desired route not yet flushed has no stamp to show */
	ribout_set_time(ro, 3000);
	memset(&w, 0, sizeof(w));
	assert_int_equal(ribout_walk_sent(ro, walk_fn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.at[0], 1000);
	assert_int_equal(w.at[1], 2000);
	assert_int_equal(w.med[1], 77);
	assert_int_equal(w.at[2], 1000);
	/* after the session went down and came back, all are re-stamped */
	ribout_clear_sent(ro);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 2);
	memset(&w, 0, sizeof(w));
	assert_int_equal(ribout_walk_sent(ro, walk_fn, &w), 0);
	assert_int_equal(w.at[0], 3000);
	assert_int_equal(w.at[1], 3000);
	assert_int_equal(w.at[2], 3000);
	ribout_free(ro);
	free(s);
}

static void
test_ribout_set_rejects_invalid_prefix(void **state)
{
	struct ribout *ro = ribout_new();
	struct bgp_attrs a = attrs_full();
	struct prefix p = host4(1);

	(void)state;
	p.len = 33;
	assert_int_equal(ribout_set(ro, &p, &a), -1);
	p.afi = 0;
	p.len = 0;
	assert_int_equal(ribout_set(ro, &p, &a), -1);
	assert_int_equal(ribout_desired_count(ro), 0);
	ribout_free(ro);
	ribout_free(NULL);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_ribout_100k_prefixes_set_flush_unset_is_fast(void **state)
{
	struct ribout *ro = ribout_new();
	struct sink *s = sink_new();
	struct bgp_attrs a = attrs_full(), b = attrs_full();
	const uint32_t n = 100000;
	const size_t per4 = (BGP_MAX_MSG - 76) / 5;
	const size_t perw = (BGP_MAX_MSG - 23) / 5;
	struct prefix p;
	uint32_t i;
	double t0 = now();

	(void)state;
	b.med = 1;
	for (i = 0; i < n; i++) {
		p = host4(i);
		assert_int_equal(ribout_set(ro, &p, i % 2 ? &a : &b), 0);
	}
	assert_int_equal(ribout_desired_count(ro), n);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s),
	    (int)(2 * div_up(n / 2, per4)));
	assert_int_equal(s->na4, n);
	assert_int_equal(ribout_sent_count(ro), n);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 0);
	for (i = 0; i < n; i++) {
		p = host4(i);
		ribout_unset(ro, &p);
	}
	memset(s, 0, sizeof(*s));
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s),
	    (int)div_up(n, perw));
	assert_int_equal(s->nw4, n);
	assert_int_equal(ribout_sent_count(ro), 0);
	assert_int_equal(ribout_desired_count(ro), 0);
	/* and the table is usable again after the mass withdrawal */
	set4(ro, 0, 10, &a);
	assert_int_equal(ribout_flush(ro, &ebgp4, both_ok, sink_emit, s), 1);
	/* generous: this takes tens of milliseconds without sanitizers */
	assert_true(now() - t0 < 10.0);
	ribout_free(ro);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ribout_attrs_equal_ignores_unused_slots),
		cmocka_unit_test(test_ribout_attrs_equal_sees_every_field),
		cmocka_unit_test(test_ribout_announce4_ebgp_as4_golden),
		cmocka_unit_test(test_ribout_announce4_as2_session_sends_as_trans_and_as4_path),
		cmocka_unit_test(test_ribout_announce4_as2_session_small_ases_has_no_as4_path),
		cmocka_unit_test(test_ribout_announce4_ibgp_empty_aspath_and_local_pref),
		cmocka_unit_test(test_ribout_announce6_global_next_hop_golden),
		cmocka_unit_test(test_ribout_announce6_link_local_next_hop_is_32_octets),
		cmocka_unit_test(test_ribout_withdraw4_golden),
		cmocka_unit_test(test_ribout_withdraw6_golden),
		cmocka_unit_test(test_ribout_eor_ipv4_is_23_octet_empty_update),
		cmocka_unit_test(test_ribout_eor_ipv6_is_empty_mp_unreach),
		cmocka_unit_test(test_ribout_eor_fails_on_unknown_afi_or_short_buffer),
		cmocka_unit_test(test_ribout_updb_refuses_missing_next_hop_and_wrong_family),
		cmocka_unit_test(test_ribout_updb_full_message_stays_within_4096),
		cmocka_unit_test(test_ribout_1000_host4_pack_into_minimum_updates),
		cmocka_unit_test(test_ribout_1000_host6_pack_into_minimum_updates),
		cmocka_unit_test(test_ribout_attribute_change_of_one_prefix_emits_one_update),
		cmocka_unit_test(test_ribout_set_with_identical_attributes_emits_nothing),
		cmocka_unit_test(test_ribout_withdraw_of_never_sent_prefix_emits_nothing),
		cmocka_unit_test(test_ribout_withdrawals_go_before_announcements),
		cmocka_unit_test(test_ribout_prefixes_grouped_by_attribute_set),
		cmocka_unit_test(test_ribout_afi_not_ok_holds_ipv6_back_until_ok),
		cmocka_unit_test(test_ribout_unusable_next_hop_holds_routes_back),
		cmocka_unit_test(test_ribout_clear_sent_resends_all_desired),
		cmocka_unit_test(test_ribout_emit_failure_leaves_rest_pending),
		cmocka_unit_test(test_ribout_unset_all_withdraws_everything),
		cmocka_unit_test(test_ribout_walk_sent_in_prefix_order_with_sent_attrs),
		cmocka_unit_test(test_ribout_walk_sent_reports_the_time_each_route_was_sent),
		cmocka_unit_test(test_ribout_set_rejects_invalid_prefix),
		cmocka_unit_test(test_ribout_100k_prefixes_set_flush_unset_is_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
