/* test_msg.c - the message codec: golden bytes both ways, every error */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bgpd/msg.h"
#include "bgpd/notif.h"

#define MARKER	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* OPEN: AS 65001, hold 90, id 198.51.100.1, caps mp4, mp6, rr, as4 */
static const uint8_t open_golden[] = {
	MARKER, 0x00, 0x33, 0x01,
	0x04, 0xfd, 0xe9, 0x00, 0x5a, 0xc6, 0x33, 0x64, 0x01,
	0x16,				/* Optional Parameters Length 22 */
	0x02, 0x14,			/* Capabilities, 20 octets */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01,	/* MP IPv6 unicast */
	0x02, 0x00,				/* route refresh */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9,	/* AS4 65001 */
};

/* the same with AS 4200000001 (0xfa56ea01): My AS is AS_TRANS */
static const uint8_t open_as4_golden[] = {
	MARKER, 0x00, 0x33, 0x01,
	0x04, 0x5b, 0xa0, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
	0x16, 0x02, 0x14,
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01,
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01,
	0x02, 0x00,
	0x41, 0x04, 0xfa, 0x56, 0xea, 0x01,
};

static const uint8_t keepalive_golden[] = { MARKER, 0x00, 0x13, 0x04 };

static const uint8_t rr_golden[] = {
	MARKER, 0x00, 0x17, 0x05, 0x00, 0x02, 0x00, 0x01,
};

/* attributes */
#define A_ORIGIN	0x40, 0x01, 0x01, 0x00
#define A_ASPATH2	0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9
#define A_ASPATH4	0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9
#define A_NH		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01
/* 198.51.100.0/24 and 192.0.2.1/32 */
#define NLRI1		0x18, 0xc6, 0x33, 0x64
#define NLRI2		0x20, 0xc0, 0x00, 0x02, 0x01
#define V6NH		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, \
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01
#define V6P48		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01
/* MP_REACH_NLRI IPv6 unicast, next hop 2001:db8::1, 2001:db8:1::/48 */
#define A_MPREACH6	0x90, 0x0e, 0x00, 0x1c, 0x00, 0x02, 0x01, 0x10, \
			V6NH, 0x00, V6P48
#define A_MPUNREACH6	0x90, 0x0f, 0x00, 0x0a, 0x00, 0x02, 0x01, V6P48

/* ---- helpers ---- */

struct mb {
	uint8_t	b[BGP_MAX_MSG + 64];
	size_t	n;
};

static void
mb_put(struct mb *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

#define PUT(m, ...)	do {					\
	const uint8_t x_[] = { __VA_ARGS__ };			\
	mb_put((m), x_, sizeof(x_));				\
} while (0)

static void
mb_u16(struct mb *m, size_t v)
{
	PUT(m, (uint8_t)(v >> 8), (uint8_t)v);
}

/* an UPDATE body from its three parts */
static void
upd(struct mb *m, const uint8_t *wd, size_t wn, const uint8_t *at,
    size_t an, const uint8_t *nl, size_t nn)
{
	m->n = 0;
	mb_u16(m, wn);
	if (wn > 0)
		mb_put(m, wd, wn);
	mb_u16(m, an);
	if (an > 0)
		mb_put(m, at, an);
	if (nn > 0)
		mb_put(m, nl, nn);
}

#define UPD_ATTRS(m, ...)	do {				\
	const uint8_t a_[] = { __VA_ARGS__ };			\
	upd((m), NULL, 0, a_, sizeof(a_), NULL, 0);		\
} while (0)

#define UPD_ATTRS_NLRI(m, ...)	do {				\
	const uint8_t a_[] = { __VA_ARGS__ };			\
	const uint8_t n_[] = { NLRI1 };				\
	upd((m), NULL, 0, a_, sizeof(a_), n_, sizeof(n_));	\
} while (0)

static enum upd_verdict
chk(const struct mb *m, bool as4, bool ibgp, struct upd_result *res,
    struct bgp_err *err)
{
	struct upd_opts o = { .as4 = as4, .ibgp = ibgp, .local_as = 65000 };

	memset(err, 0, sizeof(*err));
	return msg_update_check(m->b, m->n, &o, res, err);
}

static void
assert_err(const struct bgp_err *e, uint8_t code, uint8_t sub)
{
	assert_int_equal(e->code, code);
	assert_int_equal(e->subcode, sub);
}

static void
assert_err_data(const struct bgp_err *e, const void *data, size_t n)
{
	assert_int_equal(e->datalen, n);
	if (n > 0)
		assert_memory_equal(e->data, data, n);
}

static void
open_default(struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->my_as = 65001;
	o->hold_time = 90;
	o->bgp_id = 0xc6336401;
	o->cap_as4 = true;
	o->as4 = 65001;
	o->cap_mp_ipv4 = true;
	o->cap_mp_ipv6 = true;
	o->cap_route_refresh = true;
}

/* decode the body of a whole OPEN message */
static int
open_dec(const uint8_t *msg, size_t len, struct bgp_open *o,
    struct bgp_err *e)
{
	memset(e, 0, sizeof(*e));
	return msg_open_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, o, e);
}

/* an OPEN body with the given optional parameters */
static void
open_body(struct mb *m, const uint8_t *opt, size_t n, uint8_t optlen)
{
	m->n = 0;
	PUT(m, 0x04, 0xfd, 0xe9, 0x00, 0x5a, 0xc6, 0x33, 0x64, 0x01, optlen);
	if (n > 0)
		mb_put(m, opt, n);
}

#define OPEN_OPTS(m, ...)	do {				\
	const uint8_t o_[] = { __VA_ARGS__ };			\
	open_body((m), o_, sizeof(o_), (uint8_t)sizeof(o_));	\
} while (0)

static int
hdr(uint16_t len, uint8_t type, struct bgp_err *e)
{
	uint8_t b[BGP_HDR_LEN] = { MARKER, (uint8_t)(len >> 8), (uint8_t)len,
	    type };
	uint16_t l = 0;
	uint8_t t = 0;

	memset(e, 0, sizeof(*e));
	return msg_hdr_decode(b, sizeof(b), &l, &t, e);
}

static void
assert_hdr_bad_len(uint16_t len, uint8_t type)
{
	struct bgp_err e;
	const uint8_t want[] = { (uint8_t)(len >> 8), (uint8_t)len };

	assert_int_equal(hdr(len, type, &e), -1);
	assert_err(&e, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
	assert_err_data(&e, want, 2);
}

/* ---- header ---- */

static void
test_msg_hdr_keepalive_ok(void **state)
{
	uint16_t len;
	uint8_t type;
	struct bgp_err e;

	(void)state;
	assert_int_equal(msg_hdr_decode(keepalive_golden,
	    sizeof(keepalive_golden), &len, &type, &e), 0);
	assert_int_equal(len, 19);
	assert_int_equal(type, BGP_KEEPALIVE);
}

static void
test_msg_hdr_bad_marker_is_1_1(void **state)
{
	uint8_t b[BGP_HDR_LEN];
	uint16_t len;
	uint8_t type;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++) {
		memcpy(b, keepalive_golden, sizeof(b));
		b[i] = 0xfe;
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_hdr_decode(b, sizeof(b), &len, &type,
		    &e), -1);
		assert_err(&e, NOTIF_HEADER, NOTIF_HEADER_NOT_SYNCHRONIZED);
		assert_int_equal(e.datalen, 0);
	}
}

static void
test_msg_hdr_length_out_of_range_is_1_2_with_length(void **state)
{
	static const uint16_t bad[] = { 0, 1, 18, 4097, 0x7fff, 0xffff };
	size_t i;
	uint8_t t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (t = BGP_OPEN; t <= BGP_ROUTE_REFRESH; t++)
			assert_hdr_bad_len(bad[i], t);
}

static void
test_msg_hdr_unknown_type_is_1_3_with_type(void **state)
{
	static const uint8_t bad[] = { 0, 6, 7, 0x80, 0xff };
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		assert_int_equal(hdr(19, bad[i], &e), -1);
		assert_err(&e, NOTIF_HEADER, NOTIF_HEADER_BAD_TYPE);
		assert_err_data(&e, &bad[i], 1);
	}
}

static void
test_msg_hdr_type_minimum_lengths_are_1_2(void **state)
{
	(void)state;
	assert_hdr_bad_len(28, BGP_OPEN);
	assert_hdr_bad_len(19, BGP_OPEN);
	assert_hdr_bad_len(22, BGP_UPDATE);
	assert_hdr_bad_len(20, BGP_NOTIFICATION);
	assert_hdr_bad_len(22, BGP_ROUTE_REFRESH);
	assert_hdr_bad_len(19, BGP_ROUTE_REFRESH);
}

static void
test_msg_hdr_keepalive_longer_than_19_is_1_2(void **state)
{
	(void)state;
	assert_hdr_bad_len(20, BGP_KEEPALIVE);
	assert_hdr_bad_len(0xff, BGP_KEEPALIVE);
	assert_hdr_bad_len(4096, BGP_KEEPALIVE);
}

static void
test_msg_hdr_every_type_accepts_min_and_max(void **state)
{
	struct bgp_err e;

	(void)state;
	assert_int_equal(hdr(29, BGP_OPEN, &e), 0);
	assert_int_equal(hdr(4096, BGP_OPEN, &e), 0);
	assert_int_equal(hdr(23, BGP_UPDATE, &e), 0);
	assert_int_equal(hdr(4096, BGP_UPDATE, &e), 0);
	assert_int_equal(hdr(21, BGP_NOTIFICATION, &e), 0);
	assert_int_equal(hdr(4096, BGP_NOTIFICATION, &e), 0);
	assert_int_equal(hdr(19, BGP_KEEPALIVE, &e), 0);
	assert_int_equal(hdr(23, BGP_ROUTE_REFRESH, &e), 0);
	/* a bad BoRR length must reach msg_rr_decode for its 7/1 */
	assert_int_equal(hdr(27, BGP_ROUTE_REFRESH, &e), 0);
}

static void
test_msg_hdr_short_buffer_fails(void **state)
{
	uint16_t len;
	uint8_t type;
	struct bgp_err e;
	size_t n;

	(void)state;
	for (n = 0; n < BGP_HDR_LEN; n++)
		assert_int_equal(msg_hdr_decode(keepalive_golden, n, &len,
		    &type, &e), -1);
}

/* ---- OPEN ---- */

static void
test_msg_open_encode_golden(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o;

	(void)state;
	open_default(&o);
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, &o), 0);
	assert_int_equal(wr_mark(&w), sizeof(open_golden));
	assert_memory_equal(buf, open_golden, sizeof(open_golden));
}

static void
test_msg_open_encode_as4_above_65535_uses_as_trans(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o, d;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	o.my_as = 0;		/* the encoder derives it from as4 */
	o.as4 = 4200000001u;
	o.hold_time = 180;
	o.bgp_id = 0xc0000201;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, &o), 0);
	assert_int_equal(wr_mark(&w), sizeof(open_as4_golden));
	assert_memory_equal(buf, open_as4_golden, sizeof(open_as4_golden));
	assert_int_equal(open_dec(buf, wr_mark(&w), &d, &e), 0);
	assert_int_equal(d.my_as, AS_TRANS);
	assert_int_equal(msg_open_peer_as(&d), 4200000001u);
}

static void
test_msg_open_encode_without_caps_has_no_params(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x1d, 0x01,
	    0x04, 0xfd, 0xe9, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x00 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = 65001;
	o.bgp_id = 0x0a000001;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, &o), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_msg_open_encode_short_buffer_fails(void **state)
{
	uint8_t buf[sizeof(open_golden)];
	struct wr w;
	struct bgp_open o;
	size_t n;

	(void)state;
	open_default(&o);
	for (n = 0; n < sizeof(open_golden); n++) {
		wr_init(&w, buf, n);
		assert_int_equal(msg_open_encode(&w, &o), -1);
	}
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, &o), 0);
}

static void
test_msg_open_decode_golden(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	assert_int_equal(open_dec(open_golden, sizeof(open_golden), &o, &e),
	    0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.my_as, 65001);
	assert_int_equal(o.hold_time, 90);
	assert_int_equal(o.bgp_id, 0xc6336401);
	assert_true(o.cap_as4);
	assert_int_equal(o.as4, 65001);
	assert_true(o.cap_mp_ipv4);
	assert_true(o.cap_mp_ipv6);
	assert_true(o.cap_route_refresh);
	assert_false(o.cap_enhanced_rr);
	assert_false(o.cap_gr);
	assert_true(o.any_caps);
	assert_int_equal(msg_open_peer_as(&o), 65001);
}

static void
test_msg_open_decode_unsupported_version_is_2_1_data_4(void **state)
{
	static const uint8_t want[] = { 0x00, 0x04 };
	static const uint8_t versions[] = { 0, 3, 5, 0xff };
	uint8_t b[sizeof(open_golden)];
	struct bgp_open o;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(versions); i++) {
		memcpy(b, open_golden, sizeof(b));
		b[19] = versions[i];
		assert_int_equal(open_dec(b, sizeof(b), &o, &e), -1);
		assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_VERSION);
		assert_err_data(&e, want, 2);
	}
}

static void
test_msg_open_decode_my_as_zero_is_2_2(void **state)
{
	uint8_t b[sizeof(open_golden)];
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	memcpy(b, open_golden, sizeof(b));
	b[20] = b[21] = 0;
	assert_int_equal(open_dec(b, sizeof(b), &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
}

static void
test_msg_open_decode_as4_cap_zero_is_2_2(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	OPEN_OPTS(&m, 0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0x00, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
}

static void
test_msg_open_decode_as4_cap_bad_length_is_2_0(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	OPEN_OPTS(&m, 0x02, 0x05, 0x41, 0x03, 0x00, 0xfd, 0xe9);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	OPEN_OPTS(&m, 0x02, 0x07, 0x41, 0x05, 0x00, 0x00, 0xfd, 0xe9, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	OPEN_OPTS(&m, 0x02, 0x02, 0x41, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
}

static void
test_msg_open_decode_mp_cap_bad_length_is_2_0(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	OPEN_OPTS(&m, 0x02, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
}

static void
test_msg_open_decode_unsupported_opt_param_is_2_4(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* type 1 (deprecated authentication) */
	OPEN_OPTS(&m, 0x01, 0x01, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_OPT_PARAM);
	/* a known parameter first does not hide an unknown second */
	OPEN_OPTS(&m, 0x02, 0x02, 0x02, 0x00, 0x03, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_OPT_PARAM);
}

static void
test_msg_open_decode_opt_len_mismatch_is_2_0(void **state)
{
	static const uint8_t opt[] = { 0x02, 0x02, 0x02, 0x00 };
	static const uint8_t bad[] = { 0, 1, 3, 5, 0xfe };
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		open_body(&m, opt, sizeof(opt), bad[i]);
		assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
		assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	}
	open_body(&m, opt, sizeof(opt), 4);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_route_refresh);
}

static void
test_msg_open_decode_param_and_cap_overrun_is_2_0(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* parameter length past the parameters: len+1, 0xff */
	OPEN_OPTS(&m, 0x02, 0x03, 0x02, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	OPEN_OPTS(&m, 0x02, 0xff, 0x02, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	/* capability length past the parameter */
	OPEN_OPTS(&m, 0x02, 0x02, 0x02, 0x01);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	/* a lone capability code octet */
	OPEN_OPTS(&m, 0x02, 0x01, 0x02);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	/* a lone parameter type octet */
	OPEN_OPTS(&m, 0x02);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
}

static void
test_msg_open_decode_every_short_body_is_2_0(void **state)
{
	struct bgp_open o;
	struct bgp_err e;
	size_t n;

	(void)state;
	/* version survives from 1 octet on; everything short after it */
	for (n = 0; n < sizeof(open_golden) - BGP_HDR_LEN; n++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_open_decode(open_golden + BGP_HDR_LEN, n,
		    &o, &e), -1);
		assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	}
}

static void
test_msg_open_decode_unknown_capability_ignored(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* cap 73 (FQDN) and 128 (old Cisco RR), then AS4 */
	OPEN_OPTS(&m, 0x02, 0x0c, 0x49, 0x02, 0x01, 0x61, 0x80, 0x00,
	    0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_as4);
	assert_false(o.cap_route_refresh);
	assert_true(o.any_caps);
	/* MP for a family we do not speak is not an error either */
	OPEN_OPTS(&m, 0x02, 0x06, 0x01, 0x04, 0x00, 0x19, 0x00, 0x41);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_false(o.cap_mp_ipv4);
	assert_false(o.cap_mp_ipv6);
}

static void
test_msg_open_decode_enhanced_rr_and_gr_recognised(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* two Capabilities parameters (RFC 5492 allows either way) */
	OPEN_OPTS(&m, 0x02, 0x02, 0x46, 0x00,
	    0x02, 0x04, 0x40, 0x02, 0x00, 0x78);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_enhanced_rr);
	assert_true(o.cap_gr);
	assert_int_equal(o.gr.time, 120);
	assert_false(o.cap_as4);
}

static void
test_msg_open_decode_gr_flags_time_and_families(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/*
	 * R and N set, the two reserved flag bits set (0x30), time 300;
	 * IPv4 unicast with F, IPv6 unicast with every flag bit but F,
	 * then IPv6 SAFI 4 and AFI 25 SAFI 1 with F: both skipped, so
	 * neither touches fwd[].
	 */
	OPEN_OPTS(&m, 0x02, 0x14, 0x40, 0x12, 0xf1, 0x2c,
	    0x00, 0x01, 0x01, 0x80,
	    0x00, 0x02, 0x01, 0x7f,
	    0x00, 0x02, 0x04, 0x80,
	    0x00, 0x19, 0x01, 0x80);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_gr);
	assert_true(o.gr.restarting);
	assert_true(o.gr.notification);
	assert_int_equal(o.gr.time, 300);
	assert_false(o.gr.af[0]);
	assert_true(o.gr.af[AFI_IPV4]);
	assert_true(o.gr.fwd[AFI_IPV4]);
	assert_true(o.gr.af[AFI_IPV6]);
	assert_false(o.gr.fwd[AFI_IPV6]);
	assert_false(o.gr.fwd[0]);
}

static void
test_msg_open_decode_gr_time_is_low_12_bits(void **state)
{
	static const struct {
		uint8_t		hi, lo;
		bool		r, n;
		uint16_t	time;
	} c[] = {
		{ 0xff, 0xff, true, true, 4095 },
		{ 0x3f, 0xff, false, false, 4095 },	/* reserved bits */
		{ 0x80, 0x00, true, false, 0 },
		{ 0x40, 0x01, false, true, 1 },
		{ 0x0a, 0xbc, false, false, 0xabc },
		{ 0x00, 0x00, false, false, 0 },
	};
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		OPEN_OPTS(&m, 0x02, 0x04, 0x40, 0x02, c[i].hi, c[i].lo);
		assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
		assert_true(o.cap_gr);
		assert_int_equal(o.gr.restarting, c[i].r);
		assert_int_equal(o.gr.notification, c[i].n);
		assert_int_equal(o.gr.time, c[i].time);
		/* zero tuples is valid: GR helper only (RFC 4724 3) */
		assert_false(o.gr.af[AFI_IPV4]);
		assert_false(o.gr.af[AFI_IPV6]);
	}
}

static void
test_msg_open_decode_gr_bad_length_ignored(void **state)
{
	static const uint8_t lens[] = { 0, 1, 3, 4, 5, 7, 9, 13 };
	uint8_t opt[2 + 2 + 13 + 6];
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(lens); i++) {
		/* GR of a length that is not 2 + 4n, then AS4 */
		k = 0;
		opt[k++] = 0x02;
		opt[k++] = (uint8_t)(2 + lens[i] + 6);
		opt[k++] = 0x40;
		opt[k++] = lens[i];
		memset(opt + k, 0x80, lens[i]);
		k += lens[i];
		opt[k++] = 0x41;
		opt[k++] = 0x04;
		opt[k++] = 0x00;
		opt[k++] = 0x00;
		opt[k++] = 0xfd;
		opt[k++] = 0xe9;
		open_body(&m, opt, k, (uint8_t)k);
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
		assert_int_equal(e.code, 0);
		assert_false(o.cap_gr);
		assert_false(o.gr.restarting);
		assert_int_equal(o.gr.time, 0);
		assert_false(o.gr.af[AFI_IPV4]);
		/* the rest of the OPEN is still read */
		assert_true(o.cap_as4);
		assert_int_equal(o.as4, 65001);
	}
}

/* RFC 4724 3: all but the last instance are ignored */
static void
test_msg_open_decode_gr_last_instance_counts(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* R, 120 s, IPv4 with F; then 60 s, IPv6 without F */
	OPEN_OPTS(&m, 0x02, 0x10,
	    0x40, 0x06, 0x80, 0x78, 0x00, 0x01, 0x01, 0x80,
	    0x40, 0x06, 0x00, 0x3c, 0x00, 0x02, 0x01, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_gr);
	assert_false(o.gr.restarting);
	assert_int_equal(o.gr.time, 60);
	assert_false(o.gr.af[AFI_IPV4]);
	assert_false(o.gr.fwd[AFI_IPV4]);
	assert_true(o.gr.af[AFI_IPV6]);
	/* in two Capabilities parameters the same */
	OPEN_OPTS(&m, 0x02, 0x08, 0x40, 0x06, 0x80, 0x78, 0x00, 0x01, 0x01,
	    0x80, 0x02, 0x04, 0x40, 0x02, 0x40, 0x3c);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_gr);
	assert_false(o.gr.restarting);
	assert_true(o.gr.notification);
	assert_int_equal(o.gr.time, 60);
	assert_false(o.gr.af[AFI_IPV4]);
	/* a malformed later instance is as if not sent */
	OPEN_OPTS(&m, 0x02, 0x0b,
	    0x40, 0x06, 0x80, 0x78, 0x00, 0x01, 0x01, 0x80,
	    0x40, 0x01, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_gr);
	assert_true(o.gr.restarting);
	assert_int_equal(o.gr.time, 120);
	assert_true(o.gr.af[AFI_IPV4]);
	assert_true(o.gr.fwd[AFI_IPV4]);
}

/*
 * RFC 4724 3 layout: code 64, length 2 + 4n; Restart Flags (4 bits) and
 * Restart Time (12 bits); per family AFI (2), SAFI (1), Flags (1).
 * AS 65001, hold 90, id 198.51.100.1; R, time 120, IPv4 unicast with F,
 * IPv6 unicast without.
 */
static const uint8_t open_gr_golden[] = {
	MARKER, 0x00, 0x2b, 0x01,
	0x04, 0xfd, 0xe9, 0x00, 0x5a, 0xc6, 0x33, 0x64, 0x01,
	0x0e,				/* Optional Parameters Length 14 */
	0x02, 0x0c,			/* Capabilities, 12 octets */
	0x40, 0x0a,			/* Graceful Restart, 10 octets */
	0x80, 0x78,			/* R, Restart Time 120 */
	0x00, 0x01, 0x01, 0x80,		/* IPv4 unicast, F */
	0x00, 0x02, 0x01, 0x00,		/* IPv6 unicast */
};

static void
test_msg_open_encode_gr_golden(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o, d;
	struct bgp_err e;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = 65001;
	o.hold_time = 90;
	o.bgp_id = 0xc6336401;
	/* GR alone must still open the Optional Parameters */
	o.cap_gr = true;
	o.gr.restarting = true;
	o.gr.time = 120;
	o.gr.af[AFI_IPV4] = true;
	o.gr.fwd[AFI_IPV4] = true;
	o.gr.af[AFI_IPV6] = true;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_open_encode(&w, &o), 0);
	assert_int_equal(wr_mark(&w), sizeof(open_gr_golden));
	assert_memory_equal(buf, open_gr_golden, sizeof(open_gr_golden));
	assert_int_equal(open_dec(open_gr_golden, sizeof(open_gr_golden), &d,
	    &e), 0);
	assert_true(d.cap_gr);
	assert_memory_equal(&d.gr, &o.gr, sizeof(o.gr));
}

static void
test_msg_open_encode_gr_round_trip(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o, d;
	struct bgp_err e;
	unsigned mask;
	size_t fams;

	(void)state;
	/* every combination of R, N and the per-family bits */
	for (mask = 0; mask < 64; mask++) {
		open_default(&o);
		o.cap_gr = true;
		o.gr.restarting = (mask & 1) != 0;
		o.gr.notification = (mask & 2) != 0;
		o.gr.time = (uint16_t)(mask * 60);
		o.gr.af[AFI_IPV4] = (mask & 4) != 0;
		o.gr.fwd[AFI_IPV4] = (mask & 12) == 12;
		o.gr.af[AFI_IPV6] = (mask & 16) != 0;
		o.gr.fwd[AFI_IPV6] = (mask & 48) == 48;
		wr_init(&w, buf, sizeof(buf));
		assert_int_equal(msg_open_encode(&w, &o), 0);
		fams = (size_t)o.gr.af[AFI_IPV4] + (size_t)o.gr.af[AFI_IPV6];
		assert_int_equal(wr_mark(&w),
		    sizeof(open_golden) + 4 + 4 * fams);
		assert_int_equal(open_dec(buf, wr_mark(&w), &d, &e), 0);
		assert_true(d.cap_gr);
		assert_memory_equal(&d.gr, &o.gr, sizeof(o.gr));
		/* the other capabilities are still there */
		assert_true(d.cap_as4);
		assert_true(d.cap_mp_ipv4);
		assert_true(d.cap_mp_ipv6);
		assert_true(d.cap_route_refresh);
	}
}

static void
test_msg_open_encode_gr_time_clamped_to_4095(void **state)
{
	static const uint16_t times[] = { 4096, 5000, 0xf000, 0xffff };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_open o, d;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		open_default(&o);
		o.cap_as4 = false;
		o.cap_mp_ipv4 = false;
		o.cap_mp_ipv6 = false;
		o.cap_route_refresh = false;
		o.cap_gr = true;
		o.gr.time = times[i];
		wr_init(&w, buf, sizeof(buf));
		assert_int_equal(msg_open_encode(&w, &o), 0);
		/* no R or N leaks out of a large time */
		assert_int_equal(wr_mark(&w), BGP_HDR_LEN + 10 + 2 + 4);
		assert_int_equal(buf[BGP_HDR_LEN + 12], 0x40);
		assert_int_equal(buf[BGP_HDR_LEN + 13], 0x02);
		assert_int_equal(buf[BGP_HDR_LEN + 14], 0x0f);
		assert_int_equal(buf[BGP_HDR_LEN + 15], 0xff);
		assert_int_equal(open_dec(buf, wr_mark(&w), &d, &e), 0);
		assert_int_equal(d.gr.time, 4095);
		assert_false(d.gr.restarting);
		assert_false(d.gr.notification);
	}
}

static void
test_msg_open_decode_no_params(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_body(&m, NULL, 0, 0);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_false(o.any_caps);
	assert_false(o.cap_as4);
	assert_int_equal(msg_open_peer_as(&o), 65001);
}

static void
test_msg_open_decode_as_trans_without_as4_is_23456(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_body(&m, NULL, 0, 0);
	m.b[1] = 0x5b;
	m.b[2] = 0xa0;
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_int_equal(msg_open_peer_as(&o), AS_TRANS);
	assert_int_equal(msg_open_check(&o, 4200000001u, 65000, 1, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
}

static void
test_msg_open_decode_rfc9072_extended(void **state)
{
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	/* Non-Ext OP Len and Type 255, ext len 9, 2-octet param length */
	m.n = 0;
	PUT(&m, 0x04, 0x5b, 0xa0, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
	    0xff, 0xff, 0x00, 0x09,
	    0x02, 0x00, 0x06, 0x41, 0x04, 0xfa, 0x56, 0xea, 0x01);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_true(o.cap_as4);
	assert_int_equal(o.as4, 4200000001u);
	assert_int_equal(o.hold_time, 180);
	/* RFC 9072 2: any non-zero Non-Ext OP Len is ignored */
	m.b[9] = 0x01;
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), 0);
	assert_int_equal(o.as4, 4200000001u);
}

static void
test_msg_open_decode_rfc9072_bad_lengths_are_2_0(void **state)
{
	static const uint16_t extlen[] = { 0, 8, 10, 0xff, 0xffff };
	struct mb m;
	struct bgp_open o;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(extlen) / sizeof(extlen[0]); i++) {
		m.n = 0;
		PUT(&m, 0x04, 0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
		    0xff, 0xff);
		mb_u16(&m, extlen[i]);
		PUT(&m, 0x02, 0x00, 0x06, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9);
		memset(&e, 0xaa, sizeof(e));
		assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
		assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	}
	/* inner 2-octet parameter length one too long */
	m.n = 0;
	PUT(&m, 0x04, 0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
	    0xff, 0xff, 0x00, 0x09,
	    0x02, 0x00, 0x07, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	/* truncated before the extended length */
	m.n = 0;
	PUT(&m, 0x04, 0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
	    0xff, 0xff, 0x00);
	assert_int_equal(msg_open_decode(m.b, m.n, &o, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
}

static void
test_msg_open_check_ok(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	assert_int_equal(msg_open_check(&o, 65001, 65000, 0x0a000001, &e), 0);
	/* hold time 0 and 3 are fine */
	o.hold_time = 0;
	assert_int_equal(msg_open_check(&o, 65001, 65000, 0x0a000001, &e), 0);
	o.hold_time = 3;
	assert_int_equal(msg_open_check(&o, 65001, 65000, 0x0a000001, &e), 0);
}

static void
test_msg_open_check_peer_as_mismatch_is_2_2(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	memset(&e, 0, sizeof(e));
	assert_int_equal(msg_open_check(&o, 65002, 65000, 1, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
}

static void
test_msg_open_check_uses_as4_capability(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	o.my_as = AS_TRANS;
	o.as4 = 4200000001u;
	assert_int_equal(msg_open_check(&o, 4200000001u, 65000, 1, &e), 0);
	assert_int_equal(msg_open_check(&o, AS_TRANS, 65000, 1, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
}

static void
test_msg_open_check_hold_1_or_2_is_2_6(void **state)
{
	struct bgp_open o;
	struct bgp_err e;
	uint16_t h;

	(void)state;
	open_default(&o);
	for (h = 1; h <= 2; h++) {
		o.hold_time = h;
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_open_check(&o, 65001, 65000, 1, &e), -1);
		assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME);
	}
}

static void
test_msg_open_check_bgp_id_zero_is_2_3(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	o.bgp_id = 0;
	assert_int_equal(msg_open_check(&o, 65001, 65000, 1, &e), -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_BGP_ID);
}

static void
test_msg_open_check_ibgp_same_id_is_2_3(void **state)
{
	struct bgp_open o;
	struct bgp_err e;

	(void)state;
	open_default(&o);
	/* iBGP: local AS equals the peer's */
	assert_int_equal(msg_open_check(&o, 65001, 65001, 0xc6336401, &e),
	    -1);
	assert_err(&e, NOTIF_OPEN, NOTIF_OPEN_BAD_BGP_ID);
	/* eBGP: RFC 6286 2.2 allows the same identifier */
	assert_int_equal(msg_open_check(&o, 65001, 65000, 0xc6336401, &e), 0);
}

/* ---- KEEPALIVE ---- */

static void
test_msg_keepalive_golden(void **state)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_keepalive_encode(&w), 0);
	assert_int_equal(wr_mark(&w), sizeof(keepalive_golden));
	assert_memory_equal(buf, keepalive_golden, sizeof(keepalive_golden));
	wr_init(&w, buf, sizeof(buf) - 1);
	assert_int_equal(msg_keepalive_encode(&w), -1);
}

/* ---- NOTIFICATION ---- */

static void
test_msg_notif_encode_golden(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x17, 0x03,
	    0x02, 0x01, 0x00, 0x04 };
	static const uint8_t data[] = { 0x00, 0x04 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode(&w, NOTIF_OPEN,
	    NOTIF_OPEN_UNSUPPORTED_VERSION, data, sizeof(data)), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want) - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_OPEN);
	assert_int_equal(n.subcode, NOTIF_OPEN_UNSUPPORTED_VERSION);
	assert_int_equal(n.datalen, 2);
	assert_memory_equal(n.data, data, 2);
	assert_false(n.has_shutdown_msg);
}

static void
test_msg_notif_encode_without_data(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x15, 0x03,
	    0x04, 0x00 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode(&w, NOTIF_HOLD_TIMER, 0, NULL, 0),
	    0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_msg_notif_encode_huge_data_is_cut_to_one_message(void **state)
{
	static uint8_t data[8192];
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	(void)state;
	memset(data, 0x5a, sizeof(data));
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode(&w, NOTIF_UPDATE,
	    NOTIF_UPDATE_MALFORMED_ATTR_LIST, data, sizeof(data)), 0);
	assert_int_equal(wr_mark(&w), BGP_MAX_MSG);
	assert_int_equal(buf[16], 0x10);
	assert_int_equal(buf[17], 0x00);
}

static void
test_msg_notif_decode_short_fails(void **state)
{
	static const uint8_t b[] = { 0x06, 0x02 };
	struct bgp_notif n;

	(void)state;
	assert_int_equal(msg_notif_decode(b, 0, &n), -1);
	assert_int_equal(msg_notif_decode(b, 1, &n), -1);
	assert_int_equal(msg_notif_decode(b, 2, &n), 0);
	assert_int_equal(n.datalen, 0);
	assert_false(n.has_shutdown_msg);
}

static void
test_msg_notif_shutdown_golden(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x1b, 0x03,
	    0x06, 0x02, 0x05, 'm', 'a', 'i', 'n', 't' };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "maint", false), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want) - BGP_HDR_LEN, &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "maint");
}

static void
test_msg_notif_shutdown_admin_reset_round_trip(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_RESET, "caf\xc3\xa9", false), 0);
	assert_int_equal(buf[20], NOTIF_CEASE_ADMIN_RESET);
	assert_int_equal(buf[21], 5);
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    wr_mark(&w) - BGP_HDR_LEN, &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "caf\xc3\xa9");
}

static void
test_msg_notif_shutdown_truncates_at_utf8_boundary(void **state)
{
	char reason[400];
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;
	size_t i;

	(void)state;
	/* 254 ASCII octets then a 2-octet character: 256 octets */
	memset(reason, 'a', 254);
	reason[254] = (char)0xc3;
	reason[255] = (char)0xa9;
	reason[256] = '\0';
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, reason, false), 0);
	assert_int_equal(buf[21], 254);
	assert_int_equal(wr_mark(&w), BGP_HDR_LEN + 3 + 254);
	/* a 3-octet character straddling 255: cut before it */
	memset(reason, 'b', 253);
	memcpy(reason + 253, "\xe2\x82\xac", 4);
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, reason, false), 0);
	assert_int_equal(buf[21], 253);
	/* exactly 255 fits whole */
	memset(reason, 'c', 252);
	memcpy(reason + 252, "\xe2\x82\xac", 4);
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, reason, false), 0);
	assert_int_equal(buf[21], 255);
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    wr_mark(&w) - BGP_HDR_LEN, &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_int_equal(strlen(n.shutdown_msg), 255);
	/* long ASCII is cut at 255 */
	memset(reason, 'd', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, reason, false), 0);
	assert_int_equal(buf[21], 255);
	for (i = 0; i < 255; i++)
		assert_int_equal(buf[22 + i], 'd');
}

static void
test_msg_notif_shutdown_invalid_utf8_reason_cut_before_it(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "ok\xff" "bad", false), 0);
	assert_int_equal(buf[21], 2);
	assert_int_equal(wr_mark(&w), BGP_HDR_LEN + 5);
}

static void
test_msg_notif_shutdown_empty_reason_has_no_data(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x15, 0x03, 0x06, 0x02 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "", false), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, NULL, false), 0);
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_msg_notif_decode_shutdown_bad_length_not_shown(void **state)
{
	/* length octet: len+1, 0xff, and len-1 (a shorter text is fine) */
	uint8_t b[] = { 0x06, 0x02, 0x04, 'a', 'b', 'c' };
	struct bgp_notif n;

	(void)state;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_false(n.has_shutdown_msg);
	assert_int_equal(n.datalen, 4);
	b[2] = 0xff;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_false(n.has_shutdown_msg);
	b[2] = 0x02;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "ab");
	b[2] = 0x00;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_false(n.has_shutdown_msg);
	/* no length octet at all */
	assert_int_equal(msg_notif_decode(b, 2, &n), 0);
	assert_false(n.has_shutdown_msg);
}

static void
test_msg_notif_decode_shutdown_invalid_utf8_not_shown(void **state)
{
	static const uint8_t bad[][5] = {
		{ 0x06, 0x02, 0x02, 0xc3, 0x28 },	/* bad continuation */
		{ 0x06, 0x02, 0x02, 0xc0, 0xaf },	/* overlong */
		{ 0x06, 0x02, 0x02, 0xed, 0xa0 },	/* cut surrogate */
		{ 0x06, 0x02, 0x02, 0x41, 0xff },	/* 0xff never valid */
		{ 0x06, 0x04, 0x02, 0x41, 0x80 },	/* stray 10xxxxxx */
	};
	struct bgp_notif n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(msg_notif_decode(bad[i], sizeof(bad[i]), &n),
		    0);
		assert_false(n.has_shutdown_msg);
		assert_int_equal(n.shutdown_msg[0], '\0');
	}
}

/* kept as sent: the logger and the JSON writer quote it, not the codec */
static void
test_msg_notif_decode_shutdown_control_chars_kept(void **state)
{
	static const uint8_t b[] = { 0x06, 0x02, 0x06, 'a', '\n', '"', '\\',
	    0x7f, 'z' };
	struct bgp_notif n;

	(void)state;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "a\n\"\\\x7fz");
}

static void
test_msg_notif_decode_other_cease_has_no_shutdown_msg(void **state)
{
	static const uint8_t b[] = { 0x06, 0x03, 0x02, 'h', 'i' };
	struct bgp_notif n;

	(void)state;
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_false(n.has_shutdown_msg);
	assert_int_equal(n.datalen, 3);
}

/* RFC 8538 3: Cease/Hard Reset, data the inner code, subcode and data */
static void
test_msg_notif_hard_golden(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x19, 0x03,
	    0x06, 0x09, 0x02, 0x01, 0x00, 0x04 };
	static const uint8_t data[] = { 0x00, 0x04 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_hard(&w, NOTIF_OPEN,
	    NOTIF_OPEN_UNSUPPORTED_VERSION, data, sizeof(data)), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want) - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_HARD_RESET);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_code, NOTIF_OPEN);
	assert_int_equal(n.inner_subcode, NOTIF_OPEN_UNSUPPORTED_VERSION);
	/* data stays the whole data field, inner code and subcode too */
	assert_int_equal(n.datalen, 4);
	assert_memory_equal(n.data, want + BGP_HDR_LEN + 2, 4);
	assert_false(n.has_shutdown_msg);
}

static void
test_msg_notif_hard_without_data_and_huge_data(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x17, 0x03,
	    0x06, 0x09, 0x04, 0x00 };
	static uint8_t data[8192];
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_hard(&w, NOTIF_HOLD_TIMER, 0, NULL,
	    0), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* cut to one message, the inner code and subcode kept */
	memset(data, 0x5a, sizeof(data));
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_hard(&w, NOTIF_UPDATE,
	    NOTIF_UPDATE_MALFORMED_ATTR_LIST, data, sizeof(data)), 0);
	assert_int_equal(wr_mark(&w), BGP_MAX_MSG);
	assert_int_equal(buf[16], 0x10);
	assert_int_equal(buf[17], 0x00);
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    BGP_MAX_MSG - BGP_HDR_LEN, &n), 0);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_code, NOTIF_UPDATE);
	assert_int_equal(n.inner_subcode, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	assert_int_equal(n.data[2], 0x5a);
	/* too small a buffer fails */
	wr_init(&w, buf, sizeof(want) - 1);
	assert_int_equal(msg_notif_encode_hard(&w, NOTIF_HOLD_TIMER, 0, NULL,
	    0), -1);
}

static void
test_msg_notif_shutdown_hard_golden(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x1d, 0x03,
	    0x06, 0x09, 0x06, 0x02, 0x05, 'm', 'a', 'i', 'n', 't' };
	static const uint8_t want_empty[] = { MARKER, 0x00, 0x17, 0x03,
	    0x06, 0x09, 0x06, 0x04 };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "maint", true), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want) - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_HARD_RESET);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_code, NOTIF_CEASE);
	assert_int_equal(n.inner_subcode, NOTIF_CEASE_ADMIN_SHUTDOWN);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "maint");
	/* Administrative Reset, UTF-8 cut as for the plain one */
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_RESET, "caf\xc3\xa9\xc3", true), 0);
	assert_int_equal(buf[21], NOTIF_CEASE);
	assert_int_equal(buf[22], NOTIF_CEASE_ADMIN_RESET);
	assert_int_equal(buf[23], 5);
	assert_int_equal(wr_mark(&w), BGP_HDR_LEN + 4 + 1 + 5);
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    wr_mark(&w) - BGP_HDR_LEN, &n), 0);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_subcode, NOTIF_CEASE_ADMIN_RESET);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "caf\xc3\xa9");
	/* no reason: the inner NOTIFICATION alone */
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_RESET, NULL, true), 0);
	assert_int_equal(wr_mark(&w), sizeof(want_empty));
	assert_memory_equal(buf, want_empty, sizeof(want_empty));
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_RESET, "", true), 0);
	assert_memory_equal(buf, want_empty, sizeof(want_empty));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want_empty) - BGP_HDR_LEN, &n), 0);
	assert_true(n.hard_reset);
	assert_false(n.has_shutdown_msg);
}

/* hard false is the plain 6/2 or 6/4, and decodes as no Hard Reset */
static void
test_msg_notif_shutdown_not_hard_unchanged(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x1b, 0x03,
	    0x06, 0x04, 0x05, 'm', 'a', 'i', 'n', 't' };
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_notif n;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_RESET, "maint", false), 0);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(msg_notif_decode(buf + BGP_HDR_LEN,
	    sizeof(want) - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, NOTIF_CEASE);
	assert_int_equal(n.subcode, NOTIF_CEASE_ADMIN_RESET);
	assert_false(n.hard_reset);
	assert_int_equal(n.inner_code, 0);
	assert_int_equal(n.inner_subcode, 0);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "maint");
}

static void
test_msg_notif_decode_hard_reset_short_and_other_inner(void **state)
{
	static const uint8_t b[] = { 0x06, 0x09, 0x06, 0x02, 0x02, 'h', 'i' };
	static const uint8_t other[] = { 0x06, 0x09, 0x06, 0x03, 0x02, 'h',
	    'i' };
	static const uint8_t bad_utf8[] = { 0x06, 0x09, 0x06, 0x02, 0x02,
	    0xc3, 0x28 };
	static const uint8_t overrun[] = { 0x06, 0x09, 0x06, 0x04, 0x03, 'h',
	    'i' };
	struct bgp_notif n;

	(void)state;
	/* shorter than the inner code and subcode: no Hard Reset data */
	assert_int_equal(msg_notif_decode(b, 2, &n), 0);
	assert_int_equal(n.subcode, NOTIF_CEASE_HARD_RESET);
	assert_false(n.hard_reset);
	assert_int_equal(msg_notif_decode(b, 3, &n), 0);
	assert_false(n.hard_reset);
	assert_int_equal(n.inner_code, 0);
	assert_int_equal(n.datalen, 1);
	assert_int_equal(msg_notif_decode(b, 4, &n), 0);
	assert_true(n.hard_reset);
	assert_false(n.has_shutdown_msg);
	assert_int_equal(msg_notif_decode(b, sizeof(b), &n), 0);
	assert_true(n.hard_reset);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, "hi");
	/* only 6/2 and 6/4 inside carry a communication */
	assert_int_equal(msg_notif_decode(other, sizeof(other), &n), 0);
	assert_true(n.hard_reset);
	assert_int_equal(n.inner_subcode, NOTIF_CEASE_PEER_DECONFIGURED);
	assert_false(n.has_shutdown_msg);
	/* and the RFC 9003 3 rules hold inside as outside */
	assert_int_equal(msg_notif_decode(bad_utf8, sizeof(bad_utf8), &n), 0);
	assert_true(n.hard_reset);
	assert_false(n.has_shutdown_msg);
	assert_int_equal(n.shutdown_msg[0], '\0');
	assert_int_equal(msg_notif_decode(overrun, sizeof(overrun), &n), 0);
	assert_true(n.hard_reset);
	assert_false(n.has_shutdown_msg);
	/* a plain Cease of another subcode with 2 data octets is not one */
	assert_int_equal(msg_notif_decode(other + 2, 5, &n), 0);
	assert_false(n.hard_reset);
}

/* ---- ROUTE-REFRESH ---- */

static void
test_msg_rr_encode_golden_and_decode(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct bgp_rr rr;
	struct bgp_err e;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_rr_encode(&w, AFI_IPV6, SAFI_UNICAST), 0);
	assert_int_equal(wr_mark(&w), sizeof(rr_golden));
	assert_memory_equal(buf, rr_golden, sizeof(rr_golden));
	assert_int_equal(msg_rr_decode(buf, wr_mark(&w), &rr, &e), 0);
	assert_int_equal(rr.afi, AFI_IPV6);
	assert_int_equal(rr.safi, SAFI_UNICAST);
	assert_int_equal(rr.subtype, 0);
	wr_init(&w, buf, sizeof(rr_golden) - 1);
	assert_int_equal(msg_rr_encode(&w, AFI_IPV6, SAFI_UNICAST), -1);
}

static void
test_msg_rr_decode_borr_eorr_bad_length_is_7_1_with_message(void **state)
{
	uint8_t b[27];
	struct bgp_rr rr;
	struct bgp_err e;
	uint8_t st;

	(void)state;
	for (st = 1; st <= 2; st++) {
		memcpy(b, rr_golden, sizeof(rr_golden));
		b[17] = sizeof(b);
		b[21] = st;
		memset(b + 23, 0xee, 4);
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_rr_decode(b, sizeof(b), &rr, &e), -1);
		assert_err(&e, NOTIF_ROUTE_REFRESH, NOTIF_RR_INVALID_LENGTH);
		assert_err_data(&e, b, sizeof(b));
	}
}

static void
test_msg_rr_decode_long_borr_data_is_cut_to_64(void **state)
{
	uint8_t b[100];
	struct bgp_rr rr;
	struct bgp_err e;

	(void)state;
	memset(b, 0x11, sizeof(b));
	memcpy(b, rr_golden, sizeof(rr_golden));
	b[17] = sizeof(b);
	b[21] = 1;
	assert_int_equal(msg_rr_decode(b, sizeof(b), &rr, &e), -1);
	assert_err(&e, NOTIF_ROUTE_REFRESH, NOTIF_RR_INVALID_LENGTH);
	assert_err_data(&e, b, 64);
}

static void
test_msg_rr_decode_borr_eorr_ok(void **state)
{
	uint8_t b[sizeof(rr_golden)];
	struct bgp_rr rr;
	struct bgp_err e;

	(void)state;
	memcpy(b, rr_golden, sizeof(b));
	b[21] = 2;
	assert_int_equal(msg_rr_decode(b, sizeof(b), &rr, &e), 0);
	assert_int_equal(rr.subtype, 2);
}

static void
test_msg_rr_decode_normal_bad_length_is_1_2(void **state)
{
	static const uint8_t want[] = { 0x00, 0x18 };
	uint8_t b[24];
	struct bgp_rr rr;
	struct bgp_err e;

	(void)state;
	memcpy(b, rr_golden, sizeof(rr_golden));
	b[17] = sizeof(b);
	b[23] = 0;
	assert_int_equal(msg_rr_decode(b, sizeof(b), &rr, &e), -1);
	assert_err(&e, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
	assert_err_data(&e, want, 2);
}

static void
test_msg_rr_decode_short_is_1_2(void **state)
{
	struct bgp_rr rr;
	struct bgp_err e;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(rr_golden); n++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_rr_decode(rr_golden, n, &rr, &e), -1);
		assert_err(&e, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
	}
}

static void
test_msg_rr_decode_unknown_subtype_left_to_caller(void **state)
{
	uint8_t b[30];
	struct bgp_rr rr;
	struct bgp_err e;

	(void)state;
	memset(b, 0, sizeof(b));
	memcpy(b, rr_golden, sizeof(rr_golden));
	b[17] = sizeof(b);
	b[21] = 3;
	assert_int_equal(msg_rr_decode(b, sizeof(b), &rr, &e), 0);
	assert_int_equal(rr.subtype, 3);
	b[21] = 0xff;
	assert_int_equal(msg_rr_decode(b, 23, &rr, &e), 0);
	assert_int_equal(rr.subtype, 0xff);
}

/* ---- UPDATE ---- */

static void
test_msg_update_ipv4_announce_ok(void **state)
{
	static const uint8_t a[] = { A_ORIGIN, A_ASPATH2, A_NH };
	static const uint8_t nl[] = { NLRI1, NLRI2 };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	upd(&m, NULL, 0, a, sizeof(a), nl, sizeof(nl));
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 2);
	assert_int_equal(res.withdrawn, 0);
	assert_false(res.eor);
	assert_null(res.reason);
}

static void
test_msg_update_as4_path_width_follows_session(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH4, A_NH);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	/* read with 2-octet ASes: 00 00 is AS 0 -> treat-as-withdraw */
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH);
	/* read with 4-octet ASes: overrun */
	assert_int_equal(chk(&m, true, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 2);
}

static void
test_msg_update_withdraw_only_ok(void **state)
{
	static const uint8_t wd[] = { NLRI1, NLRI2, 0x00 };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	upd(&m, wd, sizeof(wd), NULL, 0, NULL, 0);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_int_equal(res.withdrawn, 3);
	assert_int_equal(res.announced, 0);
	assert_false(res.eor);
}

static void
test_msg_update_ipv4_eor(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct upd_opts o = { .as4 = true };
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, AFI_IPV4), 0);
	assert_int_equal(wr_mark(&w), 23);
	assert_int_equal(msg_update_check(buf + BGP_HDR_LEN, 4, &o, &res, &e),
	    UPD_OK);
	assert_true(res.eor);
	assert_int_equal(res.eor_afi, AFI_IPV4);
}

static void
test_msg_update_ipv6_eor(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS(&m, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_true(res.eor);
	assert_int_equal(res.eor_afi, AFI_IPV6);
	assert_int_equal(res.withdrawn, 0);
	/* with another attribute it is no End-of-RIB */
	UPD_ATTRS(&m, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01, A_ORIGIN);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_false(res.eor);
}

static void
test_msg_update_ipv6_eor_from_encoder(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wr w;
	struct upd_opts o = { .as4 = true };
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(msg_eor_encode(&w, AFI_IPV6), 0);
	assert_int_equal(msg_update_check(buf + BGP_HDR_LEN,
	    wr_mark(&w) - BGP_HDR_LEN, &o, &res, &e), UPD_OK);
	assert_true(res.eor);
	assert_int_equal(res.eor_afi, AFI_IPV6);
}

static void
test_msg_update_ipv6_announce_and_withdraw_ok(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS(&m, A_MPREACH6, A_ORIGIN, A_ASPATH4);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 1);
	UPD_ATTRS(&m, A_MPUNREACH6);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_int_equal(res.withdrawn, 1);
	assert_false(res.eor);
}

static void
test_msg_update_from_builder_passes_check(void **state)
{
	struct updb b;
	struct bgp_attrs a;
	struct upd_opts o = { .as4 = false, .ibgp = false, .local_as = 65001 };
	struct prefix p;
	struct upd_result res;
	struct bgp_err e;
	size_t n;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.aspath_len = 2;
	a.aspath[0] = 65001;
	a.aspath[1] = 4200000001u;	/* AS_TRANS plus AS4_PATH */
	a.has_med = true;
	a.med = 10;
	a.ncomm = 1;
	a.comm[0] = 0xfde90001;
	a.nlcomm = 1;
	a.lcomm[0].global = 65001;
	assert_int_equal(addr_parse("192.0.2.1", &a.nh4), 0);
	assert_int_equal(addr_parse("2001:db8::1", &a.nh6), 0);
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE4, &a, &o), 0);
	assert_int_equal(prefix_parse("198.51.100.0/24", &p), 0);
	assert_true(updb_add(&b, &p));
	assert_int_equal(prefix_parse("203.0.113.7/32", &p), 0);
	assert_true(updb_add(&b, &p));
	n = updb_finish(&b);
	assert_true(n > BGP_HDR_LEN);
	assert_int_equal(msg_update_check(b.buf + BGP_HDR_LEN,
	    n - BGP_HDR_LEN, &o, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 2);
	assert_int_equal(updb_begin(&b, UPDB_ANNOUNCE6, &a, &o), 0);
	assert_int_equal(prefix_parse("2001:db8:1::/48", &p), 0);
	assert_true(updb_add(&b, &p));
	n = updb_finish(&b);
	assert_int_equal(msg_update_check(b.buf + BGP_HDR_LEN,
	    n - BGP_HDR_LEN, &o, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 1);
}

static void
test_msg_update_body_short_is_3_1(void **state)
{
	static const uint8_t b[] = { 0x00, 0x00, 0x00, 0x00 };
	struct upd_opts o = { 0 };
	struct upd_result res;
	struct bgp_err e;
	size_t n;

	(void)state;
	for (n = 0; n < 4; n++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(msg_update_check(b, n, &o, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	}
	assert_int_equal(msg_update_check(b, 4, &o, &res, &e), UPD_OK);
}

static void
test_msg_update_withdrawn_length_overrun_is_3_1(void **state)
{
	static const uint16_t bad[] = { 5, 6, 0xff, 0xffff };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.n = 0;
		mb_u16(&m, bad[i]);
		PUT(&m, NLRI1);	/* 4 octets, no attribute length */
		assert_int_equal(chk(&m, true, false, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	}
}

static void
test_msg_update_total_attr_length_overrun_is_3_1(void **state)
{
	static const uint8_t a[] = { A_ORIGIN, A_ASPATH2, A_NH };
	static const uint16_t bad[] = { sizeof(a) + 1, 0xff, 0xffff };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.n = 0;
		mb_u16(&m, 0);
		mb_u16(&m, bad[i]);
		mb_put(&m, a, sizeof(a));
		assert_int_equal(chk(&m, true, false, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
		assert_non_null(res.reason);
	}
}

static void
test_msg_update_bad_prefix_is_3_10(void **state)
{
	static const uint8_t a[] = { A_ORIGIN, A_ASPATH2, A_NH };
	static const uint8_t bad[][2] = {
		{ 0x21, 0x0a },		/* /33 */
		{ 0xff, 0x0a },		/* /255 */
		{ 0x10, 0x0a },		/* /16 with one octet */
	};
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		upd(&m, bad[i], 2, NULL, 0, NULL, 0);
		assert_int_equal(chk(&m, true, false, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_INVALID_NETWORK);
		upd(&m, NULL, 0, a, sizeof(a), bad[i], 2);
		assert_int_equal(chk(&m, false, false, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_INVALID_NETWORK);
		assert_int_equal(res.announced, 0);
	}
}

static void
test_msg_update_attr_overrun_is_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* NEXT_HOP says 5 octets, 4 are left in the attributes */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x40, 0x03, 0x05, 0xc0, 0x00,
	    0x02, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 3);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.announced, 0);
	/* extended length 0xffff */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x50, 0x03, 0xff, 0xff);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
}

/* RFC 4271 6.3: NEXT_HOP 0.0.0.0 is semantically incorrect */
static void
test_msg_update_next_hop_zero_is_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x40, 0x03, 0x04, 0, 0, 0, 0);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 3);
	assert_string_equal(res.reason, "NEXT_HOP 0.0.0.0");
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.announced, 0);
	/* any other address is fine, 0.0.0.1 included */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x40, 0x03, 0x04, 0, 0, 0, 1);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 1);
}

static void
test_msg_update_attr_header_truncated_is_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x05);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	/* extended length bit with one length octet */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x50, 0x05, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
}

static void
test_msg_update_attr_overrun_without_nlri_is_reset_3_1(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* RFC 7606 5.2: the NLRI may be in what could not be parsed */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH2, 0x90, 0x0e, 0x00, 0x40, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
}

static void
test_msg_update_no_reachable_nlri_escalates_with_rfc4271_subcode(
    void **state)
{
	static const uint8_t wd[] = { NLRI1 };
	static const struct {
		uint8_t	attr[8];
		size_t	n;
		uint8_t	subcode;
	} t[] = {
		{ { 0x40, 0x01, 0x01, 0x03 }, 4, NOTIF_UPDATE_INVALID_ORIGIN },
		{ { 0x40, 0x01, 0x02, 0x00, 0x00 }, 5,
		    NOTIF_UPDATE_ATTR_LENGTH },
		{ { 0x40, 0x02, 0x02, 0x02, 0x00 }, 5,
		    NOTIF_UPDATE_MALFORMED_AS_PATH },
		{ { 0xc0, 0x01, 0x01, 0x00 }, 4, NOTIF_UPDATE_ATTR_FLAGS },
		{ { 0xc0, 0x08, 0x03, 0x00, 0x00, 0x01 }, 6,
		    NOTIF_UPDATE_OPTIONAL_ATTR },
	};
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		upd(&m, wd, sizeof(wd), t[i].attr, t[i].n, NULL, 0);
		assert_int_equal(chk(&m, true, false, &res, &e),
		    UPD_SESSION_RESET);
		assert_err(&e, NOTIF_UPDATE, t[i].subcode);
		/* RFC 4271 6.3: the data is the attribute */
		assert_err_data(&e, t[i].attr, t[i].n);
		/* with NLRI it is only treat-as-withdraw */
		upd(&m, NULL, 0, t[i].attr, t[i].n, wd, sizeof(wd));
		assert_int_equal(chk(&m, true, false, &res, &e),
		    UPD_TREAT_AS_WITHDRAW);
	}
}

static void
test_msg_update_mp_attr_twice_is_3_1(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, A_MPREACH6, A_MPREACH6);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	assert_int_equal(res.bad_attr, 14);
	UPD_ATTRS(&m, A_MPUNREACH6, A_MPUNREACH6);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_MALFORMED_ATTR_LIST);
	assert_int_equal(res.bad_attr, 15);
}

static void
test_msg_update_duplicate_attr_discarded(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* the second ORIGIN is bad but ignored: only the first counts */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x01, 0x01, 0x07);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 1);
	assert_int_equal(res.announced, 1);
}

static void
test_msg_update_missing_wellknown_is_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 1);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 2);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 3);
	assert_int_equal(res.withdrawn, 1);
	/* MP_REACH_NLRI needs ORIGIN and AS_PATH, not NEXT_HOP */
	UPD_ATTRS(&m, A_MPREACH6, A_ORIGIN);
	assert_int_equal(chk(&m, true, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 2);
	/* NLRI with no attributes at all */
	{
		static const uint8_t nl[] = { NLRI1 };

		upd(&m, NULL, 0, NULL, 0, nl, sizeof(nl));
		assert_int_equal(chk(&m, false, false, &res, &e),
		    UPD_TREAT_AS_WITHDRAW);
	}
}

static void
test_msg_update_unrecognised_wellknown_is_3_2_with_attr(void **state)
{
	static const uint8_t attr[] = { 0x40, 0x63, 0x02, 0xab, 0xcd };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x63, 0x02, 0xab,
	    0xcd);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_UNRECOGNIZED_WELLKNOWN);
	assert_err_data(&e, attr, sizeof(attr));
	assert_int_equal(res.bad_attr, 0x63);
}

static void
test_msg_update_unknown_optional_accepted(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* optional transitive, optional non-transitive, partial, empty */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x63, 0x01, 0x00,
	    0x80, 0x64, 0x00, 0xe0, 0x65, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 1);
}

static void
test_msg_update_origin_errors_are_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, 0x40, 0x01, 0x01, 0x03, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_string_equal(res.reason, "ORIGIN value undefined");
	UPD_ATTRS_NLRI(&m, 0x40, 0x01, 0x00, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, 0x40, 0x01, 0x02, 0x00, 0x00, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, 0x40, 0x01, 0x01, 0x02, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
}

static void
test_msg_update_aspath_malformed_is_treat_as_withdraw(void **state)
{
	static const struct {
		uint8_t	v[10];
		size_t	n;
	} bad[] = {
		{ { 0x02, 0x00 }, 2 },			/* seg len 0 */
		{ { 0x02, 0x02, 0xfd, 0xe9 }, 4 },		/* overrun */
		{ { 0x02, 0x01, 0xfd, 0xe9, 0x02 }, 5 },	/* lone octet */
		{ { 0x05, 0x01, 0xfd, 0xe9 }, 4 },		/* type 5 */
		{ { 0x00, 0x01, 0xfd, 0xe9 }, 4 },		/* type 0 */
		{ { 0x02, 0x02, 0xfd, 0xe9, 0x00, 0x00 }, 6 },	/* AS 0 */
		{ { 0x02, 0xff, 0xfd, 0xe9 }, 4 },		/* 0xff */
	};
	static const uint8_t nl[] = { NLRI1 };
	uint8_t a[64];
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 0;
		memcpy(a, (uint8_t[]){ A_ORIGIN, A_NH, 0x40, 0x02 }, 13);
		n = 13;
		a[n++] = (uint8_t)bad[i].n;
		memcpy(a + n, bad[i].v, bad[i].n);
		n += bad[i].n;
		upd(&m, NULL, 0, a, n, nl, sizeof(nl));
		assert_int_equal(chk(&m, false, false, &res, &e),
		    UPD_TREAT_AS_WITHDRAW);
		assert_int_equal(res.bad_attr, 2);
	}
	/* an empty AS_PATH (iBGP) and AS_SET/confed segments are fine */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, 0x40, 0x02, 0x00, A_NH);
	assert_int_equal(chk(&m, false, true, &res, &e), UPD_OK);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, 0x40, 0x02, 0x08, 0x01, 0x01, 0xfd, 0xe9,
	    0x03, 0x01, 0xfd, 0xea, A_NH);
	assert_int_equal(chk(&m, false, true, &res, &e), UPD_OK);
}

static void
test_msg_update_next_hop_and_med_length_are_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x40, 0x03, 0x03, 0xc0, 0x00,
	    0x02);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 3);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x40, 0x03, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x04, 0x02, 0x00,
	    0x01);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 4);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x04, 0x04, 0x00,
	    0x00, 0x00, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
}

static void
test_msg_update_local_pref_by_session_kind(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x05, 0x04, 0x00,
	    0x00, 0x00, 0x64);
	assert_int_equal(chk(&m, false, true, &res, &e), UPD_OK);
	/* RFC 7606 7.5: from an external peer, discarded */
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 5);
	assert_int_equal(res.announced, 1);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x05, 0x02, 0x00,
	    0x64);
	assert_int_equal(chk(&m, false, true, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
}

static void
test_msg_update_atomic_aggregate_and_aggregator_discarded(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x06, 0x01, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 6);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x06, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	/* AGGREGATOR: 6 octets on a 2-octet session, 8 on an AS4 one */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x07, 0x06, 0xfd,
	    0xe9, 0xc0, 0x00, 0x02, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH4, A_NH, 0xc0, 0x07, 0x06, 0xfd,
	    0xe9, 0xc0, 0x00, 0x02, 0x01);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 7);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH4, A_NH, 0xc0, 0x07, 0x08, 0x00,
	    0x00, 0xfd, 0xe9, 0xc0, 0x00, 0x02, 0x01);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	/* RFC 7607: AS 0 in AGGREGATOR */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH4, A_NH, 0xc0, 0x07, 0x08, 0x00,
	    0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_ATTR_DISCARD);
	assert_string_equal(res.reason, "AGGREGATOR AS 0");
}

static void
test_msg_update_community_lengths_are_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x08, 0x05, 0, 0,
	    0, 1, 2);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 8);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x08, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x08, 0x08, 0, 0,
	    0, 1, 0, 0, 0, 2);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	/* RFC 8092 6: LARGE_COMMUNITY, a non-zero multiple of 12 */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x20, 0x08, 0, 0,
	    0, 1, 0, 0, 0, 2);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 32);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x20, 0x0c, 0, 0,
	    0, 1, 0, 0, 0, 2, 0, 0, 0, 3);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	/* RFC 7606 7.14: EXTENDED COMMUNITIES, multiple of 8 */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x10, 0x04, 0, 0,
	    0, 1);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 16);
}

static void
test_msg_update_reflector_attrs_by_session_kind(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x09, 0x03, 1, 2,
	    3);
	assert_int_equal(chk(&m, false, true, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 9);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x0a, 0x06, 1, 2,
	    3, 4, 5, 6);
	assert_int_equal(chk(&m, false, true, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 10);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x09, 0x04, 1, 2,
	    3, 4, 0x80, 0x0a, 0x04, 1, 2, 3, 4);
	assert_int_equal(chk(&m, false, true, &res, &e), UPD_OK);
}

static void
test_msg_update_as4_attrs_discarded(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* a good AS4_PATH from an old speaker */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, 0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
	    A_NH, 0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
	/* RFC 6793: from a NEW speaker, discarded */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH4, A_NH, 0xc0, 0x11, 0x06, 0x02,
	    0x01, 0xfa, 0x56, 0xea, 0x01);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 17);
	/* malformed or AS 0 (RFC 7607): discarded, not withdrawn */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x11, 0x06, 0x02,
	    0x01, 0x00, 0x00, 0x00, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x11, 0x04, 0x02,
	    0x02, 0x00, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	/* wrong flags on AS4_PATH: discarded too (RFC 6793 6) */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x11, 0x06, 0x02,
	    0x01, 0xfa, 0x56, 0xea, 0x01);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	/* AS4_AGGREGATOR: 8 octets, AS not 0 */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x12, 0x06, 0, 0,
	    0, 1, 0, 0);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	assert_int_equal(res.bad_attr, 18);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x12, 0x08, 0, 0,
	    0, 0, 0xc0, 0, 2, 1);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_ATTR_DISCARD);
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x12, 0x08, 0xfa,
	    0x56, 0xea, 0x01, 0xc0, 0, 2, 1);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
}

static void
test_msg_update_wrong_flags_are_treat_as_withdraw(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* ORIGIN marked optional */
	UPD_ATTRS_NLRI(&m, 0xc0, 0x01, 0x01, 0x00, A_ASPATH2, A_NH);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 1);
	/* NEXT_HOP not transitive */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, 0x00, 0x03, 0x04, 0xc0, 0, 2,
	    1);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	/* MED marked transitive */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0xc0, 0x04, 0x04, 0, 0,
	    0, 1);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	/* the Partial and Extended Length bits do not matter */
	UPD_ATTRS_NLRI(&m, 0x50, 0x01, 0x00, 0x01, 0x00, A_ASPATH2, 0x60,
	    0x03, 0x04, 0xc0, 0, 2, 1);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_OK);
}

static void
test_msg_update_mp_reach_malformed_is_3_9(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* next hop length 4 for IPv6 */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x0f, 0x00, 0x02,
	    0x01, 0x04, 0x20, 0x01, 0x0d, 0xb8, 0x00, V6P48);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	assert_int_equal(res.bad_attr, 14);
	assert_int_equal(e.datalen, 19);
	/* next hop length past the attribute */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x05, 0x00, 0x02,
	    0x01, 0x10, 0x00);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	/* shorter than 5 */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x04, 0x00, 0x02,
	    0x01, 0x00);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	/* prefix /129 and a truncated prefix */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x16, 0x00, 0x02,
	    0x01, 0x10, V6NH, 0x00, 0x81);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x17, 0x00, 0x02,
	    0x01, 0x10, V6NH, 0x00, 0x30, 0x20);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	/* IPv4 unicast in MP_REACH_NLRI: next hop 4 octets */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x0d, 0x00, 0x01,
	    0x01, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00, NLRI1);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 1);
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x0d, 0x00, 0x01,
	    0x01, 0x04, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x21, 0x0a, 0x0b, 0x0c);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	/* an unknown family is not ours to judge */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x90, 0x0e, 0x00, 0x07, 0x00, 0x19,
	    0x41, 0x01, 0xaa, 0x00, 0xff);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_OK);
	assert_int_equal(res.announced, 0);
}

static void
test_msg_update_mp_unreach_malformed_is_3_9(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	UPD_ATTRS(&m, 0x90, 0x0f, 0x00, 0x02, 0x00, 0x02);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
	assert_int_equal(res.bad_attr, 15);
	UPD_ATTRS(&m, 0x90, 0x0f, 0x00, 0x05, 0x00, 0x02, 0x01, 0x81, 0x00);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_OPTIONAL_ATTR);
}

static void
test_msg_update_mp_wrong_flags_is_3_4(void **state)
{
	static const uint8_t attr[] = { 0xd0, 0x0f, 0x00, 0x03, 0x00, 0x02,
	    0x01 };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* MP_UNREACH_NLRI marked transitive */
	upd(&m, NULL, 0, attr, sizeof(attr), NULL, 0);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_ATTR_FLAGS);
	assert_err_data(&e, attr, sizeof(attr));
	/* MP_REACH_NLRI marked well-known */
	UPD_ATTRS(&m, A_ORIGIN, A_ASPATH4, 0x10, 0x0e, 0x00, 0x1c, 0x00, 0x02,
	    0x01, 0x10, V6NH, 0x00, V6P48);
	assert_int_equal(chk(&m, true, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_ATTR_FLAGS);
}

static void
test_msg_update_most_severe_verdict_wins(void **state)
{
	struct mb m;
	struct upd_result res;
	struct bgp_err e;

	(void)state;
	/* discard (ATOMIC_AGGREGATE) then treat-as-withdraw (MED) */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x40, 0x06, 0x01, 0x00,
	    0x80, 0x04, 0x01, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 4);
	/* treat-as-withdraw then discard: still treat-as-withdraw */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x04, 0x01, 0x00,
	    0x40, 0x06, 0x01, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e),
	    UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(res.bad_attr, 4);
	/* treat-as-withdraw then a reset */
	UPD_ATTRS_NLRI(&m, A_ORIGIN, A_ASPATH2, A_NH, 0x80, 0x04, 0x01, 0x00,
	    0x40, 0x63, 0x00);
	assert_int_equal(chk(&m, false, false, &res, &e), UPD_SESSION_RESET);
	assert_err(&e, NOTIF_UPDATE, NOTIF_UPDATE_UNRECOGNIZED_WELLKNOWN);
	assert_int_equal(res.announced, 0);
	assert_int_equal(res.withdrawn, 0);
}

static void
test_msg_update_attr_length_fields_hostile_values(void **state)
{
	static const uint16_t lens[] = { 0, 1, 3, 5, 0xff, 0xffff };
	struct mb m;
	struct upd_result res;
	struct bgp_err e;
	enum upd_verdict v;
	size_t i;

	(void)state;
	/* NEXT_HOP with every hostile length; never OK, never a crash */
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		m.n = 0;
		mb_u16(&m, 0);
		mb_u16(&m, 4 + 7 + 4 + 4);
		PUT(&m, A_ORIGIN, A_ASPATH2, 0x50, 0x03);
		mb_u16(&m, lens[i]);
		PUT(&m, 0xc0, 0x00, 0x02, 0x01, NLRI1);
		v = chk(&m, false, false, &res, &e);
		assert_int_equal(v, UPD_TREAT_AS_WITHDRAW);
	}
}

/* ---- msg_describe ---- */

static void
test_msg_describe_open(void **state)
{
	char buf[256];

	(void)state;
	msg_describe(open_golden, sizeof(open_golden), buf, sizeof(buf));
	assert_string_equal(buf,
	    "OPEN v4 as=65001 hold=90 id=198.51.100.1 caps=mp4,mp6,as4,rr");
	msg_describe(open_gr_golden, sizeof(open_gr_golden), buf,
	    sizeof(buf));
	assert_string_equal(buf,
	    "OPEN v4 as=65001 hold=90 id=198.51.100.1 caps=gr");
}

static void
test_msg_describe_update_keepalive_rr(void **state)
{
	static const uint8_t upd_msg[] = { MARKER, 0x00, 0x36, 0x02,
	    0x00, 0x04, NLRI1, 0x00, 0x12, A_ORIGIN, A_ASPATH2, A_NH,
	    NLRI1, NLRI2 };
	char buf[256];

	(void)state;
	msg_describe(upd_msg, sizeof(upd_msg), buf, sizeof(buf));
	assert_string_equal(buf,
	    "UPDATE withdrawn=1 attrs=origin,as_path,next_hop nlri=2");
	msg_describe(keepalive_golden, sizeof(keepalive_golden), buf,
	    sizeof(buf));
	assert_string_equal(buf, "KEEPALIVE");
	msg_describe(rr_golden, sizeof(rr_golden), buf, sizeof(buf));
	assert_string_equal(buf, "ROUTE-REFRESH afi=2 safi=1 subtype=0");
}

static void
test_msg_describe_notification(void **state)
{
	uint8_t m[BGP_MAX_MSG];
	struct wr w;
	char buf[256];

	(void)state;
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "msg", false), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf,
	    "NOTIFICATION 6/2 Cease/Administrative Shutdown \"msg\"");
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode(&w, 2, 1, "\x00\x04", 2), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf, "NOTIFICATION 2/1 OPEN Message Error/"
	    "Unsupported Version Number data=0004");
	/* RFC 8538: a Hard Reset shows the NOTIFICATION inside it */
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode_shutdown(&w,
	    NOTIF_CEASE_ADMIN_SHUTDOWN, "msg", true), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf, "NOTIFICATION 6/9 Cease/Hard Reset "
	    "inner=6/2 Cease/Administrative Shutdown \"msg\"");
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode_hard(&w, 2, 1, "\x00\x04", 2), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf, "NOTIFICATION 6/9 Cease/Hard Reset "
	    "inner=2/1 OPEN Message Error/Unsupported Version Number "
	    "data=0004");
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode_hard(&w, 4, 0, NULL, 0), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf, "NOTIFICATION 6/9 Cease/Hard Reset "
	    "inner=4/0 Hold Timer Expired/Unspecific");
	/* too short to name an inner NOTIFICATION: shown as data */
	wr_init(&w, m, sizeof(m));
	assert_int_equal(msg_notif_encode(&w, 6, 9, "\x04", 1), 0);
	msg_describe(m, wr_mark(&w), buf, sizeof(buf));
	assert_string_equal(buf, "NOTIFICATION 6/9 Cease/Hard Reset data=04");
}

static void
test_msg_describe_is_safe_on_bad_input(void **state)
{
	static const uint8_t *const msgs[] = { open_golden, keepalive_golden,
	    rr_golden };
	static const size_t lens[] = { sizeof(open_golden),
	    sizeof(keepalive_golden), sizeof(rr_golden) };
	uint8_t b[64];
	char buf[256], tiny[8];
	size_t i, n, k;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (n = 0; n <= lens[i]; n++) {
			msg_describe(msgs[i], n, buf, sizeof(buf));
			assert_true(strlen(buf) < sizeof(buf));
			msg_describe(msgs[i], n, tiny, sizeof(tiny));
			assert_true(strlen(tiny) < sizeof(tiny));
		}
		/* flip every byte */
		for (k = 0; k < lens[i]; k++) {
			memcpy(b, msgs[i], lens[i]);
			b[k] ^= 0xff;
			msg_describe(b, lens[i], buf, sizeof(buf));
			assert_true(strlen(buf) < sizeof(buf));
		}
	}
	msg_describe(open_golden, sizeof(open_golden), buf, 0);
	msg_describe(open_golden, sizeof(open_golden), tiny, 1);
	assert_string_equal(tiny, "");
	msg_describe(NULL, 0, buf, sizeof(buf));
	assert_true(strncmp(buf, "short", 5) == 0);
}

/* ---- the fuzz seeds are valid messages ---- */

static void
test_msg_fuzz_seeds_are_valid_messages(void **state)
{
	static const char *const seeds[] = { "open_caps", "open_as4_err_gr",
	    "open_rfc9072", "open_nocaps", "update_v4", "update_v4_as2",
	    "update_v6", "update_withdraw_v4", "update_withdraw_v6",
	    "update_eor_v4", "update_eor_v6", "notification_shutdown",
	    "notification_version", "keepalive", "route_refresh",
	    "route_refresh_borr", "open_gr", "notification_hard_reset" };
	struct upd_opts o4 = { .as4 = true }, o2 = { .as4 = false };
	uint8_t b[BGP_MAX_MSG];
	char path[512];
	struct bgp_open o;
	struct bgp_notif n;
	struct bgp_rr rr;
	struct upd_result res;
	struct bgp_err e;
	uint16_t len;
	uint8_t type;
	size_t i, got;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/msg/%s",
		    SRCDIR, seeds[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		got = fread(b, 1, sizeof(b), f);
		fclose(f);
		assert_int_equal(msg_hdr_decode(b, got, &len, &type, &e), 0);
		assert_int_equal(len, got);
		switch (type) {
		case BGP_OPEN:
			assert_int_equal(msg_open_decode(b + BGP_HDR_LEN,
			    got - BGP_HDR_LEN, &o, &e), 0);
			if (strcmp(seeds[i], "open_gr") == 0) {
				assert_true(o.cap_gr);
				assert_true(o.gr.af[AFI_IPV4]);
				assert_true(o.gr.af[AFI_IPV6]);
			}
			break;
		case BGP_UPDATE:
			assert_int_equal(msg_update_check(b + BGP_HDR_LEN,
			    got - BGP_HDR_LEN,
			    strcmp(seeds[i], "update_v4_as2") == 0 ? &o2 : &o4,
			    &res, &e), UPD_OK);
			break;
		case BGP_NOTIFICATION:
			assert_int_equal(msg_notif_decode(b + BGP_HDR_LEN,
			    got - BGP_HDR_LEN, &n), 0);
			if (strcmp(seeds[i], "notification_hard_reset") == 0) {
				assert_true(n.hard_reset);
				assert_true(n.has_shutdown_msg);
			}
			break;
		case BGP_ROUTE_REFRESH:
			assert_int_equal(msg_rr_decode(b, got, &rr, &e), 0);
			break;
		}
	}
}

/* ---- names ---- */

static void
test_msg_notif_names(void **state)
{
	(void)state;
	assert_string_equal(notif_code_name(NOTIF_CEASE), "Cease");
	assert_string_equal(notif_code_name(NOTIF_HOLD_TIMER),
	    "Hold Timer Expired");
	assert_string_equal(notif_code_name(0), "Unknown");
	assert_string_equal(notif_code_name(NOTIF_SEND_HOLD_TIMER),
	    "Send Hold Timer Expired");
	assert_string_equal(notif_subcode_name(NOTIF_SEND_HOLD_TIMER, 0),
	    "Unspecific");
	assert_string_equal(notif_code_name(9), "Unknown");
	assert_string_equal(notif_subcode_name(NOTIF_CEASE,
	    NOTIF_CEASE_ADMIN_SHUTDOWN), "Administrative Shutdown");
	assert_string_equal(notif_subcode_name(NOTIF_OPEN,
	    NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME), "Unacceptable Hold Time");
	assert_string_equal(notif_subcode_name(NOTIF_FSM,
	    NOTIF_FSM_UNEXPECTED_IN_OPENCONFIRM),
	    "Receive Unexpected Message in OpenConfirm State");
	assert_string_equal(notif_subcode_name(NOTIF_ROUTE_REFRESH,
	    NOTIF_RR_INVALID_LENGTH), "Invalid Message Length");
	assert_string_equal(notif_subcode_name(NOTIF_HOLD_TIMER, 0),
	    "Unspecific");
	assert_string_equal(notif_subcode_name(NOTIF_FSM, 0),
	    "Unspecified Error");
	assert_string_equal(notif_subcode_name(NOTIF_OPEN, 5), "Unknown");
	assert_string_equal(notif_subcode_name(NOTIF_CEASE, 99), "Unknown");
	assert_string_equal(notif_subcode_name(99, 0), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_hdr_keepalive_ok),
		cmocka_unit_test(test_msg_hdr_bad_marker_is_1_1),
		cmocka_unit_test(
		    test_msg_hdr_length_out_of_range_is_1_2_with_length),
		cmocka_unit_test(test_msg_hdr_unknown_type_is_1_3_with_type),
		cmocka_unit_test(test_msg_hdr_type_minimum_lengths_are_1_2),
		cmocka_unit_test(test_msg_hdr_keepalive_longer_than_19_is_1_2),
		cmocka_unit_test(test_msg_hdr_every_type_accepts_min_and_max),
		cmocka_unit_test(test_msg_hdr_short_buffer_fails),
		cmocka_unit_test(test_msg_open_encode_golden),
		cmocka_unit_test(
		    test_msg_open_encode_as4_above_65535_uses_as_trans),
		cmocka_unit_test(test_msg_open_encode_without_caps_has_no_params),
		cmocka_unit_test(test_msg_open_encode_short_buffer_fails),
		cmocka_unit_test(test_msg_open_decode_golden),
		cmocka_unit_test(
		    test_msg_open_decode_unsupported_version_is_2_1_data_4),
		cmocka_unit_test(test_msg_open_decode_my_as_zero_is_2_2),
		cmocka_unit_test(test_msg_open_decode_as4_cap_zero_is_2_2),
		cmocka_unit_test(test_msg_open_decode_as4_cap_bad_length_is_2_0),
		cmocka_unit_test(test_msg_open_decode_mp_cap_bad_length_is_2_0),
		cmocka_unit_test(
		    test_msg_open_decode_unsupported_opt_param_is_2_4),
		cmocka_unit_test(test_msg_open_decode_opt_len_mismatch_is_2_0),
		cmocka_unit_test(
		    test_msg_open_decode_param_and_cap_overrun_is_2_0),
		cmocka_unit_test(test_msg_open_decode_every_short_body_is_2_0),
		cmocka_unit_test(test_msg_open_decode_unknown_capability_ignored),
		cmocka_unit_test(
		    test_msg_open_decode_enhanced_rr_and_gr_recognised),
		cmocka_unit_test(
		    test_msg_open_decode_gr_flags_time_and_families),
		cmocka_unit_test(test_msg_open_decode_gr_time_is_low_12_bits),
		cmocka_unit_test(test_msg_open_decode_gr_bad_length_ignored),
		cmocka_unit_test(test_msg_open_decode_gr_last_instance_counts),
		cmocka_unit_test(test_msg_open_encode_gr_golden),
		cmocka_unit_test(test_msg_open_encode_gr_round_trip),
		cmocka_unit_test(test_msg_open_encode_gr_time_clamped_to_4095),
		cmocka_unit_test(test_msg_open_decode_no_params),
		cmocka_unit_test(
		    test_msg_open_decode_as_trans_without_as4_is_23456),
		cmocka_unit_test(test_msg_open_decode_rfc9072_extended),
		cmocka_unit_test(
		    test_msg_open_decode_rfc9072_bad_lengths_are_2_0),
		cmocka_unit_test(test_msg_open_check_ok),
		cmocka_unit_test(test_msg_open_check_peer_as_mismatch_is_2_2),
		cmocka_unit_test(test_msg_open_check_uses_as4_capability),
		cmocka_unit_test(test_msg_open_check_hold_1_or_2_is_2_6),
		cmocka_unit_test(test_msg_open_check_bgp_id_zero_is_2_3),
		cmocka_unit_test(test_msg_open_check_ibgp_same_id_is_2_3),
		cmocka_unit_test(test_msg_keepalive_golden),
		cmocka_unit_test(test_msg_notif_encode_golden),
		cmocka_unit_test(test_msg_notif_encode_without_data),
		cmocka_unit_test(
		    test_msg_notif_encode_huge_data_is_cut_to_one_message),
		cmocka_unit_test(test_msg_notif_decode_short_fails),
		cmocka_unit_test(test_msg_notif_shutdown_golden),
		cmocka_unit_test(test_msg_notif_shutdown_admin_reset_round_trip),
		cmocka_unit_test(
		    test_msg_notif_shutdown_truncates_at_utf8_boundary),
		cmocka_unit_test(
		    test_msg_notif_shutdown_invalid_utf8_reason_cut_before_it),
		cmocka_unit_test(
		    test_msg_notif_shutdown_empty_reason_has_no_data),
		cmocka_unit_test(
		    test_msg_notif_decode_shutdown_bad_length_not_shown),
		cmocka_unit_test(
		    test_msg_notif_decode_shutdown_invalid_utf8_not_shown),
		cmocka_unit_test(
		    test_msg_notif_decode_shutdown_control_chars_kept),
		cmocka_unit_test(
		    test_msg_notif_decode_other_cease_has_no_shutdown_msg),
		cmocka_unit_test(test_msg_notif_hard_golden),
		cmocka_unit_test(
		    test_msg_notif_hard_without_data_and_huge_data),
		cmocka_unit_test(test_msg_notif_shutdown_hard_golden),
		cmocka_unit_test(test_msg_notif_shutdown_not_hard_unchanged),
		cmocka_unit_test(
		    test_msg_notif_decode_hard_reset_short_and_other_inner),
		cmocka_unit_test(test_msg_rr_encode_golden_and_decode),
		cmocka_unit_test(
		    test_msg_rr_decode_borr_eorr_bad_length_is_7_1_with_message),
		cmocka_unit_test(test_msg_rr_decode_long_borr_data_is_cut_to_64),
		cmocka_unit_test(test_msg_rr_decode_borr_eorr_ok),
		cmocka_unit_test(test_msg_rr_decode_normal_bad_length_is_1_2),
		cmocka_unit_test(test_msg_rr_decode_short_is_1_2),
		cmocka_unit_test(
		    test_msg_rr_decode_unknown_subtype_left_to_caller),
		cmocka_unit_test(test_msg_update_ipv4_announce_ok),
		cmocka_unit_test(test_msg_update_as4_path_width_follows_session),
		cmocka_unit_test(test_msg_update_withdraw_only_ok),
		cmocka_unit_test(test_msg_update_ipv4_eor),
		cmocka_unit_test(test_msg_update_ipv6_eor),
		cmocka_unit_test(test_msg_update_ipv6_eor_from_encoder),
		cmocka_unit_test(test_msg_update_ipv6_announce_and_withdraw_ok),
		cmocka_unit_test(test_msg_update_from_builder_passes_check),
		cmocka_unit_test(test_msg_update_body_short_is_3_1),
		cmocka_unit_test(test_msg_update_withdrawn_length_overrun_is_3_1),
		cmocka_unit_test(
		    test_msg_update_total_attr_length_overrun_is_3_1),
		cmocka_unit_test(test_msg_update_bad_prefix_is_3_10),
		cmocka_unit_test(
		    test_msg_update_attr_overrun_is_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_next_hop_zero_is_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_attr_header_truncated_is_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_attr_overrun_without_nlri_is_reset_3_1),
		cmocka_unit_test(
		    test_msg_update_no_reachable_nlri_escalates_with_rfc4271_subcode),
		cmocka_unit_test(test_msg_update_mp_attr_twice_is_3_1),
		cmocka_unit_test(test_msg_update_duplicate_attr_discarded),
		cmocka_unit_test(
		    test_msg_update_missing_wellknown_is_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_unrecognised_wellknown_is_3_2_with_attr),
		cmocka_unit_test(test_msg_update_unknown_optional_accepted),
		cmocka_unit_test(
		    test_msg_update_origin_errors_are_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_aspath_malformed_is_treat_as_withdraw),
		cmocka_unit_test(
		    test_msg_update_next_hop_and_med_length_are_treat_as_withdraw),
		cmocka_unit_test(test_msg_update_local_pref_by_session_kind),
		cmocka_unit_test(
		    test_msg_update_atomic_aggregate_and_aggregator_discarded),
		cmocka_unit_test(
		    test_msg_update_community_lengths_are_treat_as_withdraw),
		cmocka_unit_test(test_msg_update_reflector_attrs_by_session_kind),
		cmocka_unit_test(test_msg_update_as4_attrs_discarded),
		cmocka_unit_test(
		    test_msg_update_wrong_flags_are_treat_as_withdraw),
		cmocka_unit_test(test_msg_update_mp_reach_malformed_is_3_9),
		cmocka_unit_test(test_msg_update_mp_unreach_malformed_is_3_9),
		cmocka_unit_test(test_msg_update_mp_wrong_flags_is_3_4),
		cmocka_unit_test(test_msg_update_most_severe_verdict_wins),
		cmocka_unit_test(
		    test_msg_update_attr_length_fields_hostile_values),
		cmocka_unit_test(test_msg_describe_open),
		cmocka_unit_test(test_msg_describe_update_keepalive_rr),
		cmocka_unit_test(test_msg_describe_notification),
		cmocka_unit_test(test_msg_describe_is_safe_on_bad_input),
		cmocka_unit_test(test_msg_fuzz_seeds_are_valid_messages),
		cmocka_unit_test(test_msg_notif_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
