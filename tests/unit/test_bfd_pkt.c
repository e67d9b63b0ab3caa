/* test_bfd_pkt.c - the BFD control packet codec and its authentication */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bfd/pkt.h"

/* a packet with every field set to a value of its own */
static struct bfd_pkt
full_pkt(void)
{
	struct bfd_pkt p;

	memset(&p, 0, sizeof(p));
	p.vers = BFD_VERSION;
	p.diag = BFD_DIAG_RCONCAT_DOWN;
	p.state = BFD_UP;
	p.poll = true;
	p.final = true;
	p.cpi = true;
	p.demand = true;
	p.detect_mult = 5;
	p.my_disc = 0x01020304;
	p.your_disc = 0xa0b0c0d0;
	p.desired_min_tx = 50000;
	p.required_min_rx = 300000;
	p.required_min_echo_rx = 0xfffffffe;
	p.length = BFD_HDR_LEN;
	return p;
}

static void
assert_pkt_equal(const struct bfd_pkt *a, const struct bfd_pkt *b)
{
	assert_int_equal(a->vers, b->vers);
	assert_int_equal(a->diag, b->diag);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->poll, b->poll);
	assert_int_equal(a->final, b->final);
	assert_int_equal(a->cpi, b->cpi);
	assert_int_equal(a->auth_present, b->auth_present);
	assert_int_equal(a->demand, b->demand);
	assert_int_equal(a->multipoint, b->multipoint);
	assert_int_equal(a->detect_mult, b->detect_mult);
	assert_int_equal(a->length, b->length);
	assert_int_equal(a->my_disc, b->my_disc);
	assert_int_equal(a->your_disc, b->your_disc);
	assert_int_equal(a->desired_min_tx, b->desired_min_tx);
	assert_int_equal(a->required_min_rx, b->required_min_rx);
	assert_int_equal(a->required_min_echo_rx, b->required_min_echo_rx);
	assert_int_equal(a->auth.type, b->auth.type);
	assert_int_equal(a->auth.len, b->auth.len);
	assert_int_equal(a->auth.key_id, b->auth.key_id);
	assert_int_equal(a->auth.seq, b->auth.seq);
	assert_int_equal(a->auth.digest_len, b->auth.digest_len);
	assert_memory_equal(a->auth.digest, b->auth.digest,
	    a->auth.digest_len);
}

static void
test_encode_lays_out_every_field(void **state)
{
	static const uint8_t want[] = {
		0x28,			/* version 1, diag 8 */
		0xfa,			/* Up, P F C, D */
		5, 24,
		0x01, 0x02, 0x03, 0x04,
		0xa0, 0xb0, 0xc0, 0xd0,
		0x00, 0x00, 0xc3, 0x50,	/* 50000 */
		0x00, 0x04, 0x93, 0xe0,	/* 300000 */
		0xff, 0xff, 0xff, 0xfe,
	};
	struct bfd_pkt p = full_pkt(), q;
	uint8_t buf[BFD_PKT_MAX];
	const char *why = NULL;

	(void)state;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(bfd_pkt_decode(buf, sizeof(want), &q, &why), 0);
	assert_pkt_equal(&p, &q);
}

/* each flag alone lands on its own bit and comes back alone */
static void
test_each_flag_round_trips_alone(void **state)
{
	static const uint8_t bit[] = { 0x20, 0x10, 0x08, 0x02 };
	struct bfd_pkt p, q;
	uint8_t buf[BFD_PKT_MAX];
	const char *why;
	size_t i;
	uint8_t st;

	(void)state;
	for (i = 0; i < sizeof(bit); i++) {
		p = full_pkt();
		p.poll = i == 0;
		p.final = i == 1;
		p.cpi = i == 2;
		p.demand = i == 3;
		assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 24);
		assert_int_equal(buf[1], 0xc0 | bit[i]);
		assert_int_equal(bfd_pkt_decode(buf, 24, &q, &why), 0);
		assert_pkt_equal(&p, &q);
	}
	for (st = 0; st < 4; st++) {
		p = full_pkt();
		p.state = st;
		p.diag = st;
		assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 24);
		assert_int_equal(buf[0], 0x20 | st);
		assert_int_equal(buf[1] >> 6, st);
		assert_int_equal(bfd_pkt_decode(buf, 24, &q, &why), 0);
		assert_pkt_equal(&p, &q);
	}
}

static void
set_key(struct bfd_key *k, uint8_t type, uint8_t id, const char *secret)
{
	const char *why = NULL;

	assert_int_equal(bfd_key_set(k, type, id, secret, &why), 0);
}

/* p with an auth section for k, its sequence number and key id */
static struct bfd_pkt
auth_pkt(const struct bfd_key *k, uint32_t seq)
{
	struct bfd_pkt p = full_pkt();

	p.auth_present = true;
	p.auth.type = k->type;
	p.auth.key_id = k->id;
	p.auth.seq = seq;
	if (k->type == BFD_AUTH_PASSWORD) {
		memcpy(p.auth.digest, k->secret, k->secret_len);
		p.auth.digest_len = (uint8_t)k->secret_len;
		p.auth.len = (uint8_t)(3 + k->secret_len);
		p.auth.seq = 0;
	} else if (k->type == BFD_AUTH_MD5 || k->type == BFD_AUTH_MET_MD5) {
		p.auth.digest_len = 16;
		p.auth.len = 24;
	} else {
		p.auth.digest_len = 20;
		p.auth.len = 28;
	}
	p.length = (uint8_t)(BFD_HDR_LEN + p.auth.len);
	return p;
}

/* encode and sign p with k; returns the length */
static size_t
signed_pkt(struct bfd_pkt *p, const struct bfd_key *k, uint8_t *buf,
    size_t cap)
{
	size_t n = bfd_pkt_encode(p, buf, cap);

	assert_int_equal(n, p->length);
	bfd_auth_sign(buf, n, k);
	return n;
}

static const struct {
	uint8_t		 type;
	const char	*secret;
} kinds[] = {
	{ BFD_AUTH_PASSWORD, "x" },
	{ BFD_AUTH_PASSWORD, "0123456789abcdef" },
	{ BFD_AUTH_MD5, "k" },
	{ BFD_AUTH_MD5, "0123456789abcdef" },
	{ BFD_AUTH_MET_MD5, "md5key" },
	{ BFD_AUTH_SHA1, "s" },
	{ BFD_AUTH_SHA1, "0123456789abcdef0123" },
	{ BFD_AUTH_MET_SHA1, "nomcast-secret" },
};

static void
test_every_auth_type_round_trips_and_verifies(void **state)
{
	struct bfd_key k;
	struct bfd_pkt p, q;
	uint8_t buf[BFD_PKT_MAX];
	const char *why;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		set_key(&k, kinds[i].type, (uint8_t)(40 + i), kinds[i].secret);
		p = auth_pkt(&k, 0xfedcba98);
		n = signed_pkt(&p, &k, buf, sizeof(buf));
		why = NULL;
		assert_int_equal(bfd_pkt_decode(buf, n, &q, &why), 0);
		assert_null(why);
		/* the digest is the signer's; everything else is p's */
		if (k.type != BFD_AUTH_PASSWORD) {
			assert_memory_not_equal(q.auth.digest, p.auth.digest,
			    p.auth.digest_len);
			memcpy(p.auth.digest, q.auth.digest, q.auth.digest_len);
		}
		assert_pkt_equal(&p, &q);
		assert_int_equal(bfd_auth_verify(buf, n, &q, &k, &why), 0);
	}
}

/* the packet of the known answers: Up, A set, detect mult 3, My
 * Discriminator 0x11223344, Your Discriminator 0x55667788, 50 ms both
 * ways, then the auth section with a zero digest */
static size_t
kat_pkt(uint8_t *buf, uint8_t type, uint8_t alen, uint8_t id, uint32_t seq)
{
	static const uint8_t hdr[] = {
		0x20, 0xc4, 3, 0,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x00, 0x00, 0xc3, 0x50, 0x00, 0x00, 0xc3, 0x50,
		0, 0, 0, 0,
	};

	memset(buf, 0, BFD_PKT_MAX);
	memcpy(buf, hdr, sizeof(hdr));
	buf[3] = (uint8_t)(24 + alen);
	buf[24] = type;
	buf[25] = alen;
	buf[26] = id;
	buf[28] = (uint8_t)(seq >> 24);
	buf[29] = (uint8_t)(seq >> 16);
	buf[30] = (uint8_t)(seq >> 8);
	buf[31] = (uint8_t)seq;
	return (size_t)24 + alen;
}

/*
 * The digests were computed outside nomcast, by Python's hashlib over the
 * same bytes with the key padded with zeros in the digest field:
 *   hashlib.sha1(pkt[:32] + b"nomcast-secret".ljust(20, b"\0")).digest()
 */
static void
test_known_answer_digests(void **state)
{
	static const struct {
		uint8_t		 type, alen, id;
		uint32_t	 seq;
		const char	*secret;
		uint8_t		 digest[20];
	} kat[] = {
		{ BFD_AUTH_SHA1, 28, 7, 0x01020304, "nomcast-secret",
		  { 0xad, 0x00, 0xbc, 0x9f, 0x31, 0x34, 0x3a, 0x13, 0x83,
		    0x42, 0x58, 0x59, 0x31, 0x71, 0x19, 0x17, 0x16, 0xb1,
		    0x96, 0x7b } },
		{ BFD_AUTH_MET_SHA1, 28, 7, 0x01020304, "nomcast-secret",
		  { 0xb3, 0xa7, 0x46, 0x1c, 0xa1, 0x75, 0x70, 0x5b, 0x24,
		    0x24, 0xe2, 0x0d, 0xfd, 0xd3, 0x2e, 0xdc, 0xaf, 0x93,
		    0x9e, 0xb8 } },
		{ BFD_AUTH_MD5, 24, 2, 0x0a0b0c0d, "md5key",
		  { 0x69, 0x70, 0x66, 0x5a, 0xb7, 0xb3, 0xf2, 0x83, 0x57,
		    0xd3, 0x10, 0x8e, 0xa7, 0x6b, 0xfa, 0x85 } },
		{ BFD_AUTH_MET_MD5, 24, 2, 0x0a0b0c0d, "md5key",
		  { 0xae, 0xa6, 0xc7, 0x74, 0x09, 0x7e, 0x62, 0x28, 0x03,
		    0x82, 0xca, 0xe0, 0x00, 0x27, 0x56, 0xcd } },
	};
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_key k;
	struct bfd_pkt p;
	const char *why = NULL;
	size_t i, n, dlen;

	(void)state;
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		dlen = kat[i].alen == 28 ? 20 : 16;
		set_key(&k, kat[i].type, kat[i].id, kat[i].secret);
		/* the signer fills exactly the answer */
		n = kat_pkt(buf, kat[i].type, kat[i].alen, kat[i].id,
		    kat[i].seq);
		bfd_auth_sign(buf, n, &k);
		assert_memory_equal(buf + 32, kat[i].digest, dlen);
		/* and the verifier accepts the answer pasted in by hand */
		n = kat_pkt(buf, kat[i].type, kat[i].alen, kat[i].id,
		    kat[i].seq);
		memcpy(buf + 32, kat[i].digest, dlen);
		assert_int_equal(bfd_pkt_decode(buf, n, &p, &why), 0);
		assert_int_equal(p.auth.seq, kat[i].seq);
		assert_int_equal(bfd_auth_verify(buf, n, &p, &k, &why), 0);
	}
}

static void
expect_verify_fails(const uint8_t *buf, size_t n, const struct bfd_key *k,
    const char *reason)
{
	struct bfd_pkt p;
	const char *why = NULL;

	assert_int_equal(bfd_pkt_decode(buf, n, &p, &why), 0);
	assert_int_equal(bfd_auth_verify(buf, n, &p, k, &why), -1);
	assert_string_equal(why, reason);
}

static void
test_wrong_key_id_type_or_secret_fails(void **state)
{
	struct bfd_key k, other;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		set_key(&k, kinds[i].type, 9, kinds[i].secret);
		p = auth_pkt(&k, 77);
		n = signed_pkt(&p, &k, buf, sizeof(buf));

		set_key(&other, kinds[i].type, 10, kinds[i].secret);
		expect_verify_fails(buf, n, &other, "key id mismatch");

		set_key(&other, kinds[i].type, 9, "wrong");
		expect_verify_fails(buf, n, &other,
		    kinds[i].type == BFD_AUTH_PASSWORD ? "bad password" :
		    "bad digest");

		/* the same secret with one more byte is another key */
		other = k;
		other.secret[other.secret_len] = 'z';
		other.secret_len++;
		if (other.secret_len <= (k.type >= BFD_AUTH_SHA1 ? 20u : 16u))
			expect_verify_fails(buf, n, &other,
			    kinds[i].type == BFD_AUTH_PASSWORD ?
			    "bad password" : "bad digest");

		/* and so is the same secret with one byte less */
		other = k;
		other.secret_len--;
		if (other.secret_len > 0)
			expect_verify_fails(buf, n, &other,
			    kinds[i].type == BFD_AUTH_PASSWORD ?
			    "bad password" : "bad digest");

		other = k;
		other.type = k.type == BFD_AUTH_MET_SHA1 ? BFD_AUTH_SHA1 :
		    BFD_AUTH_MET_SHA1;
		expect_verify_fails(buf, n, &other, "auth type mismatch");
	}
}

/* any one byte changed, anywhere in a signed packet, fails */
static void
test_tampered_byte_fails(void **state)
{
	static const uint8_t types[] = { BFD_AUTH_MD5, BFD_AUTH_MET_MD5,
	    BFD_AUTH_SHA1, BFD_AUTH_MET_SHA1 };
	struct bfd_key k;
	struct bfd_pkt p, q;
	uint8_t buf[BFD_PKT_MAX];
	const char *why;
	size_t i, t, n;
	uint8_t bit;

	(void)state;
	for (t = 0; t < sizeof(types); t++) {
		set_key(&k, types[t], 3, "tamper");
		p = auth_pkt(&k, 1000);
		n = signed_pkt(&p, &k, buf, sizeof(buf));
		for (i = 0; i < n; i++) {
			for (bit = 1; bit != 0; bit = (uint8_t)(bit << 1)) {
				buf[i] ^= bit;
				if (bfd_pkt_decode(buf, n, &q, &why) == 0)
					assert_int_equal(bfd_auth_verify(buf,
					    n, &q, &k, &why), -1);
				buf[i] ^= bit;
			}
		}
		assert_int_equal(bfd_pkt_decode(buf, n, &q, &why), 0);
		assert_int_equal(bfd_auth_verify(buf, n, &q, &k, &why), 0);
	}
}

/* bytes inside Length past the auth section are hashed too */
static void
test_digest_covers_bytes_past_the_auth_section(void **state)
{
	struct bfd_key k;
	struct bfd_pkt p, q;
	uint8_t buf[BFD_PKT_MAX + 4];
	const char *why;
	size_t n;

	(void)state;
	set_key(&k, BFD_AUTH_SHA1, 4, "tail");
	p = auth_pkt(&k, 8);
	n = bfd_pkt_encode(&p, buf, sizeof(buf));
	memcpy(buf + n, "\x01\x02\x03\x04", 4);
	n += 4;
	buf[3] = (uint8_t)n;
	bfd_auth_sign(buf, n, &k);
	assert_int_equal(bfd_pkt_decode(buf, n, &q, &why), 0);
	assert_int_equal(q.length, n);
	assert_int_equal(bfd_auth_verify(buf, n, &q, &k, &why), 0);
	buf[n - 1] ^= 0x80;
	expect_verify_fails(buf, n, &k, "bad digest");
}

/* a key of another id or kind leaves the packet as it is */
static void
test_sign_with_another_key_changes_nothing(void **state)
{
	struct bfd_key k, other;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX], before[BFD_PKT_MAX];
	size_t n;

	(void)state;
	set_key(&k, BFD_AUTH_MET_SHA1, 4, "key");
	p = auth_pkt(&k, 8);
	n = bfd_pkt_encode(&p, buf, sizeof(buf));
	memcpy(before, buf, n);
	set_key(&other, BFD_AUTH_MET_SHA1, 5, "key");
	bfd_auth_sign(buf, n, &other);
	assert_memory_equal(buf, before, n);
	set_key(&other, BFD_AUTH_SHA1, 4, "key");
	bfd_auth_sign(buf, n, &other);
	assert_memory_equal(buf, before, n);
	bfd_auth_sign(buf, n, &k);
	assert_memory_not_equal(buf, before, n);
}

static void
test_verify_without_auth_section_fails(void **state)
{
	struct bfd_key k;
	struct bfd_pkt p = full_pkt();
	uint8_t buf[BFD_PKT_MAX];
	size_t n;

	(void)state;
	set_key(&k, BFD_AUTH_SHA1, 1, "s");
	n = bfd_pkt_encode(&p, buf, sizeof(buf));
	expect_verify_fails(buf, n, &k, "no auth section");
}

/* a valid unauthenticated packet to break one field of */
static size_t
good(uint8_t *buf)
{
	struct bfd_pkt p = full_pkt();

	return bfd_pkt_encode(&p, buf, BFD_PKT_MAX);
}

static void
expect_discard(const uint8_t *buf, size_t n, const char *reason)
{
	struct bfd_pkt p;
	const char *why = NULL;

	assert_int_equal(bfd_pkt_decode(buf, n, &p, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void
test_discard_rules_of_6_8_6(void **state)
{
	uint8_t buf[BFD_PKT_MAX + 8];
	struct bfd_pkt p;
	const char *why;
	size_t n;

	(void)state;
	n = good(buf);
	buf[0] = (uint8_t)(0 << 5);
	expect_discard(buf, n, "bad version");
	n = good(buf);
	buf[0] = (uint8_t)(2 << 5);
	expect_discard(buf, n, "bad version");

	n = good(buf);
	buf[3] = 23;
	expect_discard(buf, n, "length too small");

	/* with A set, 24 is too short: the auth section needs 2 more */
	n = good(buf);
	buf[1] |= 0x04;
	buf[3] = 25;
	buf[24] = BFD_AUTH_PASSWORD;
	expect_discard(buf, 26, "length too small for auth");

	n = good(buf);
	buf[3] = 25;
	expect_discard(buf, n, "length exceeds packet");

	n = good(buf);
	buf[2] = 0;
	expect_discard(buf, n, "detect mult zero");

	n = good(buf);
	buf[1] |= 0x01;
	expect_discard(buf, n, "multipoint set");

	n = good(buf);
	memset(buf + 4, 0, 4);
	expect_discard(buf, n, "my discriminator zero");

	/* Your Discriminator zero: only Down and AdminDown may send it */
	n = good(buf);
	memset(buf + 8, 0, 4);
	expect_discard(buf, n, "your discriminator zero");
	buf[1] = (uint8_t)(BFD_INIT << 6);
	expect_discard(buf, n, "your discriminator zero");
	buf[1] = (uint8_t)(BFD_DOWN << 6);
	assert_int_equal(bfd_pkt_decode(buf, n, &p, &why), 0);
	assert_int_equal(p.your_disc, 0);
	buf[1] = (uint8_t)(BFD_ADMIN_DOWN << 6);
	assert_int_equal(bfd_pkt_decode(buf, n, &p, &why), 0);
}

/* Auth Len must fit Auth Type and lie within Length */
static void
test_discard_bad_auth_section(void **state)
{
	static const struct {
		uint8_t		 type, alen, length;
		const char	*why;
	} bad[] = {
		{ BFD_AUTH_MD5, 28, 52, "bad MD5 auth length" },
		{ BFD_AUTH_MET_MD5, 20, 44, "bad MD5 auth length" },
		{ BFD_AUTH_SHA1, 24, 48, "bad SHA1 auth length" },
		{ BFD_AUTH_MET_SHA1, 30, 54, "bad SHA1 auth length" },
		{ BFD_AUTH_PASSWORD, 3, 27, "bad password auth length" },
		{ BFD_AUTH_PASSWORD, 20, 44, "bad password auth length" },
		{ BFD_AUTH_NONE, 24, 48, "unknown auth type" },
		{ 6, 24, 48, "unknown auth type" },
		{ 255, 24, 48, "unknown auth type" },
		{ BFD_AUTH_SHA1, 28, 51, "auth length exceeds packet" },
		{ BFD_AUTH_MD5, 24, 30, "auth length exceeds packet" },
		{ BFD_AUTH_PASSWORD, 1, 26, "auth length exceeds packet" },
		{ BFD_AUTH_PASSWORD, 0, 26, "auth length exceeds packet" },
	};
	uint8_t buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0, sizeof(buf));
		(void)good(buf);
		buf[1] |= 0x04;
		buf[3] = bad[i].length;
		buf[24] = bad[i].type;
		buf[25] = bad[i].alen;
		buf[26] = 1;
		expect_discard(buf, bad[i].length, bad[i].why);
	}
}

/* every prefix of a valid packet is discarded; bytes past Length are not
 * the packet's and do not matter */
static void
test_truncated_at_every_length(void **state)
{
	struct bfd_key k;
	struct bfd_pkt p, q;
	uint8_t buf[BFD_PKT_MAX + 16];
	const char *why;
	size_t i, n, cut;

	(void)state;
	for (i = 0; i <= sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (i == 0) {
			p = full_pkt();
			n = bfd_pkt_encode(&p, buf, sizeof(buf));
		} else {
			set_key(&k, kinds[i - 1].type, 1, kinds[i - 1].secret);
			p = auth_pkt(&k, 5);
			n = signed_pkt(&p, &k, buf, sizeof(buf));
		}
		for (cut = 0; cut < n; cut++) {
			why = NULL;
			assert_int_equal(bfd_pkt_decode(buf, cut, &q, &why),
			    -1);
			assert_true(strcmp(why, "short packet") == 0 ||
			    strcmp(why, "length exceeds packet") == 0);
		}
		memset(buf + n, 0xee, 16);
		assert_int_equal(bfd_pkt_decode(buf, n + 16, &q, &why), 0);
		assert_int_equal(q.length, n);
		if (i > 0)
			assert_int_equal(bfd_auth_verify(buf, n + 16, &q, &k,
			    &why), 0);
	}
}

/* too little room writes nothing usable; an unsendable section neither */
static void
test_encode_refuses_small_buffers_and_bad_auth(void **state)
{
	struct bfd_key k;
	struct bfd_pkt p;
	uint8_t buf[BFD_PKT_MAX];
	size_t cap;

	(void)state;
	set_key(&k, BFD_AUTH_SHA1, 1, "s");
	p = auth_pkt(&k, 1);
	for (cap = 0; cap < 52; cap++)
		assert_int_equal(bfd_pkt_encode(&p, buf, cap), 0);
	assert_int_equal(bfd_pkt_encode(&p, buf, 52), 52);

	p.auth.type = 6;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 0);
	set_key(&k, BFD_AUTH_PASSWORD, 1, "pw");
	p = auth_pkt(&k, 1);
	p.auth.digest_len = 0;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 0);
	p.auth.digest_len = 17;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 0);
}

static void
test_key_set_checks_lengths(void **state)
{
	static const char s16[] = "0123456789abcdef";
	static const char s20[] = "0123456789abcdef0123";
	static const char s17[] = "0123456789abcdefX";
	static const char s21[] = "0123456789abcdef0123X";
	struct bfd_key k;
	const char *why;

	(void)state;
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_PASSWORD, 1, s16, &why), 0);
	assert_int_equal(k.secret_len, 16);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MD5, 1, s16, &why), 0);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MET_MD5, 1, s16, &why), 0);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_SHA1, 1, s20, &why), 0);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MET_SHA1, 2, s20, &why), 0);
	assert_int_equal(k.type, BFD_AUTH_MET_SHA1);
	assert_int_equal(k.id, 2);
	assert_int_equal(k.secret_len, 20);
	assert_memory_equal(k.secret, s20, 20);

	assert_int_equal(bfd_key_set(&k, BFD_AUTH_PASSWORD, 1, s17, &why), -1);
	assert_string_equal(why, "secret longer than 16 bytes");
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MD5, 1, s17, &why), -1);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MET_MD5, 1, s17, &why), -1);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_SHA1, 1, s21, &why), -1);
	assert_string_equal(why, "secret longer than 20 bytes");
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_MET_SHA1, 1, s21, &why), -1);
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_SHA1, 1, "", &why), -1);
	assert_string_equal(why, "empty secret");
	assert_int_equal(bfd_key_set(&k, BFD_AUTH_NONE, 1, "x", &why), -1);
	assert_string_equal(why, "unknown auth type");
	assert_int_equal(bfd_key_set(&k, 6, 1, "x", &why), -1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(bfd_state_name(BFD_ADMIN_DOWN), "AdminDown");
	assert_string_equal(bfd_state_name(BFD_DOWN), "Down");
	assert_string_equal(bfd_state_name(BFD_INIT), "Init");
	assert_string_equal(bfd_state_name(BFD_UP), "Up");
	assert_string_equal(bfd_state_name(4), "Unknown");
	assert_string_equal(bfd_diag_name(BFD_DIAG_NONE), "No Diagnostic");
	assert_string_equal(bfd_diag_name(BFD_DIAG_DETECT_EXPIRED),
	    "Control Detection Time Expired");
	assert_string_equal(bfd_diag_name(BFD_DIAG_NEIGHBOR_DOWN),
	    "Neighbor Signaled Session Down");
	assert_string_equal(bfd_diag_name(BFD_DIAG_ADMIN_DOWN),
	    "Administratively Down");
	assert_string_equal(bfd_diag_name(BFD_DIAG_RCONCAT_DOWN),
	    "Reverse Concatenated Path Down");
	assert_string_equal(bfd_diag_name(9), "Unknown");
	assert_string_equal(bfd_diag_name(31), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_lays_out_every_field),
		cmocka_unit_test(test_each_flag_round_trips_alone),
		cmocka_unit_test(test_every_auth_type_round_trips_and_verifies),
		cmocka_unit_test(test_known_answer_digests),
		cmocka_unit_test(test_wrong_key_id_type_or_secret_fails),
		cmocka_unit_test(test_tampered_byte_fails),
		cmocka_unit_test(test_digest_covers_bytes_past_the_auth_section),
		cmocka_unit_test(test_sign_with_another_key_changes_nothing),
		cmocka_unit_test(test_verify_without_auth_section_fails),
		cmocka_unit_test(test_discard_rules_of_6_8_6),
		cmocka_unit_test(test_discard_bad_auth_section),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_encode_refuses_small_buffers_and_bad_auth),
		cmocka_unit_test(test_key_set_checks_lengths),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
