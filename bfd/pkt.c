/*
 * pkt.c - the BFD control packet codec and its authentication section;
 * see pkt.h.  Received bytes are read through struct rd only; packets
 * are built with struct wr.
 */
#include "bfd/pkt.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/rd.h"

/* byte 1: State (2 bits), then P F C A D M */
#define BFD_F_POLL	0x20
#define BFD_F_FINAL	0x10
#define BFD_F_CPI	0x08
#define BFD_F_AUTH	0x04
#define BFD_F_DEMAND	0x02
#define BFD_F_MULTI	0x01

/* the Auth Len of each kind (RFC 5880 4.2-4.4): type, len, key id, then
 * the password; or reserved, sequence number and the digest */
#define BFD_AUTH_PW_HDR		3
#define BFD_AUTH_MD5_DIGEST	16
#define BFD_AUTH_SHA1_DIGEST	20
#define BFD_AUTH_MD5_LEN	24
#define BFD_AUTH_SHA1_LEN	28
/* where the digest starts inside the auth section */
#define BFD_AUTH_DIGEST_OFF	8

/* the Length field is one byte, so no packet is longer */
#define BFD_LEN_MAX		255

static bool
auth_is_md5(uint8_t type)
{
	return type == BFD_AUTH_MD5 || type == BFD_AUTH_MET_MD5;
}

static bool
auth_is_sha1(uint8_t type)
{
	return type == BFD_AUTH_SHA1 || type == BFD_AUTH_MET_SHA1;
}

/* digest size of a keyed kind, 0 for the others */
static size_t
auth_digest_len(uint8_t type)
{
	if (auth_is_md5(type))
		return BFD_AUTH_MD5_DIGEST;
	if (auth_is_sha1(type))
		return BFD_AUTH_SHA1_DIGEST;
	return 0;
}

/* the longest secret a kind can carry: the digest field is the padded key
 * for MD5 and SHA1 (RFC 5880 6.7.3, 6.7.4), the password field for the
 * simple password (4.2) */
static size_t
auth_secret_max(uint8_t type)
{
	if (type == BFD_AUTH_PASSWORD)
		return BFD_AUTH_PASSWORD_MAX;
	return auth_digest_len(type);
}

static int
fail(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return -1;
}

/* the auth section, from a view of exactly Auth Len - 2 bytes */
static int
decode_auth(struct rd *r, uint8_t type, uint8_t alen, struct bfd_auth *a,
    const char **why)
{
	size_t n;

	a->type = type;
	a->len = alen;
	switch (type) {
	case BFD_AUTH_PASSWORD:
		if (alen < BFD_AUTH_PW_HDR + 1 ||
		    alen > BFD_AUTH_PW_HDR + BFD_AUTH_PASSWORD_MAX)
			return fail(why, "bad password auth length");
		n = (size_t)alen - BFD_AUTH_PW_HDR;
		if (rd_u8(r, &a->key_id) == -1 ||
		    rd_bytes(r, a->digest, n) == -1)
			return fail(why, "short auth section");
		a->digest_len = (uint8_t)n;
		return 0;
	case BFD_AUTH_MD5:
	case BFD_AUTH_MET_MD5:
		if (alen != BFD_AUTH_MD5_LEN)
			return fail(why, "bad MD5 auth length");
		break;
	case BFD_AUTH_SHA1:
	case BFD_AUTH_MET_SHA1:
		if (alen != BFD_AUTH_SHA1_LEN)
			return fail(why, "bad SHA1 auth length");
		break;
	default:
		return fail(why, "unknown auth type");
	}
	n = auth_digest_len(type);
	/* the reserved byte is ignored on receipt (RFC 5880 4.3, 4.4) */
	if (rd_u8(r, &a->key_id) == -1 || rd_skip(r, 1) == -1 ||
	    rd_u32(r, &a->seq) == -1 || rd_bytes(r, a->digest, n) == -1)
		return fail(why, "short auth section");
	a->digest_len = (uint8_t)n;
	return 0;
}

int
bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p,
    const char **why)
{
	struct rd r, pkt, as;
	uint8_t b0, b1, atype, alen;

	memset(p, 0, sizeof(*p));
	rd_init(&r, buf, len);
	if (rd_u8(&r, &b0) == -1 || rd_u8(&r, &b1) == -1 ||
	    rd_u8(&r, &p->detect_mult) == -1 || rd_u8(&r, &p->length) == -1)
		return fail(why, "short packet");
	p->vers = (uint8_t)(b0 >> 5);
	p->diag = (uint8_t)(b0 & 0x1f);
	p->state = (uint8_t)(b1 >> 6);
	p->poll = (b1 & BFD_F_POLL) != 0;
	p->final = (b1 & BFD_F_FINAL) != 0;
	p->cpi = (b1 & BFD_F_CPI) != 0;
	p->auth_present = (b1 & BFD_F_AUTH) != 0;
	p->demand = (b1 & BFD_F_DEMAND) != 0;
	p->multipoint = (b1 & BFD_F_MULTI) != 0;

	/* RFC 5880 6.8.6, in its order */
	if (p->vers != BFD_VERSION)
		return fail(why, "bad version");
	if (p->length < BFD_HDR_LEN)
		return fail(why, "length too small");
	if (p->auth_present && p->length < BFD_HDR_LEN + 2)
		return fail(why, "length too small for auth");
	/* bytes past Length (UDP padding) are not the packet's */
	rd_init(&r, buf, len);
	if (rd_sub(&r, p->length, &pkt) == -1)
		return fail(why, "length exceeds packet");
	if (rd_skip(&pkt, 4) == -1 ||
	    rd_u32(&pkt, &p->my_disc) == -1 ||
	    rd_u32(&pkt, &p->your_disc) == -1 ||
	    rd_u32(&pkt, &p->desired_min_tx) == -1 ||
	    rd_u32(&pkt, &p->required_min_rx) == -1 ||
	    rd_u32(&pkt, &p->required_min_echo_rx) == -1)
		return fail(why, "short packet");
	if (p->detect_mult == 0)
		return fail(why, "detect mult zero");
	if (p->multipoint)
		return fail(why, "multipoint set");
	if (p->my_disc == 0)
		return fail(why, "my discriminator zero");
	if (p->your_disc == 0 && p->state != BFD_DOWN &&
	    p->state != BFD_ADMIN_DOWN)
		return fail(why, "your discriminator zero");
	if (!p->auth_present)
		return 0;

	if (rd_u8(&pkt, &atype) == -1 || rd_u8(&pkt, &alen) == -1)
		return fail(why, "short auth section");
	if (alen < 2 || rd_sub(&pkt, (size_t)alen - 2, &as) == -1)
		return fail(why, "auth length exceeds packet");
	return decode_auth(&as, atype, alen, &p->auth, why);
}

/* Auth Len for an encoder's auth section, 0 if it cannot be sent */
static uint8_t
auth_wire_len(const struct bfd_auth *a)
{
	if (a->type == BFD_AUTH_PASSWORD) {
		if (a->digest_len < 1 || a->digest_len > BFD_AUTH_PASSWORD_MAX)
			return 0;
		return (uint8_t)(BFD_AUTH_PW_HDR + a->digest_len);
	}
	if (auth_is_md5(a->type))
		return BFD_AUTH_MD5_LEN;
	if (auth_is_sha1(a->type))
		return BFD_AUTH_SHA1_LEN;
	return 0;
}

size_t
bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t cap)
{
	struct wr w;
	uint8_t alen = 0, b1;

	if (p->auth_present && (alen = auth_wire_len(&p->auth)) == 0)
		return 0;
	b1 = (uint8_t)((p->state & 0x3) << 6);
	b1 |= p->poll ? BFD_F_POLL : 0;
	b1 |= p->final ? BFD_F_FINAL : 0;
	b1 |= p->cpi ? BFD_F_CPI : 0;
	b1 |= p->auth_present ? BFD_F_AUTH : 0;
	b1 |= p->demand ? BFD_F_DEMAND : 0;
	b1 |= p->multipoint ? BFD_F_MULTI : 0;

	wr_init(&w, buf, cap);
	wr_u8(&w, (uint8_t)(BFD_VERSION << 5 | (p->diag & 0x1f)));
	wr_u8(&w, b1);
	wr_u8(&w, p->detect_mult);
	wr_u8(&w, (uint8_t)(BFD_HDR_LEN + alen));
	wr_u32(&w, p->my_disc);
	wr_u32(&w, p->your_disc);
	wr_u32(&w, p->desired_min_tx);
	wr_u32(&w, p->required_min_rx);
	wr_u32(&w, p->required_min_echo_rx);
	if (p->auth_present) {
		wr_u8(&w, p->auth.type);
		wr_u8(&w, alen);
		wr_u8(&w, p->auth.key_id);
		if (p->auth.type == BFD_AUTH_PASSWORD) {
			wr_bytes(&w, p->auth.digest, p->auth.digest_len);
		} else {
			wr_u8(&w, 0);
			wr_u32(&w, p->auth.seq);
			wr_bytes(&w, p->auth.digest,
			    auth_digest_len(p->auth.type));
		}
	}
	if (w.err)
		return 0;
	return wr_mark(&w);
}

/*
 * A packet with a keyed auth section, cut around its digest field: the
 * bytes before it, the digest as it stands, and the bytes after it (past
 * the section when Length says so).
 */
struct auth_split {
	uint8_t		head[BFD_HDR_LEN + BFD_AUTH_DIGEST_OFF];
	uint8_t		digest[BFD_AUTH_DIGEST_MAX];
	size_t		dlen;
	uint8_t		tail[BFD_LEN_MAX];
	size_t		ntail;
};

/* 0, or -1 if the packet's first plen bytes have no keyed auth section
 * of the key's kind and id */
static int
auth_split(const uint8_t *buf, size_t plen, const struct bfd_key *k,
    struct auth_split *s)
{
	struct rd r;
	uint8_t atype, alen, id;

	s->dlen = auth_digest_len(k->type);
	if (s->dlen == 0 || plen > BFD_LEN_MAX)
		return -1;
	rd_init(&r, buf, plen);
	if (rd_skip(&r, BFD_HDR_LEN) == -1 || rd_u8(&r, &atype) == -1 ||
	    rd_u8(&r, &alen) == -1 || rd_u8(&r, &id) == -1 ||
	    atype != k->type || id != k->id ||
	    alen != BFD_AUTH_DIGEST_OFF + s->dlen)
		return -1;
	rd_init(&r, buf, plen);
	if (rd_bytes(&r, s->head, sizeof(s->head)) == -1 ||
	    rd_bytes(&r, s->digest, s->dlen) == -1)
		return -1;
	s->ntail = rd_copy_rest(&r, s->tail, sizeof(s->tail));
	return 0;
}

/* RFC 5880 6.7.3 / 6.7.4: the hash of the packet with the key, padded
 * with zeros, in place of the digest */
static int
auth_digest(const struct auth_split *s, const struct bfd_key *k,
    uint8_t out[BFD_AUTH_DIGEST_MAX])
{
	uint8_t in[BFD_LEN_MAX];
	const EVP_MD *md = auth_is_sha1(k->type) ? EVP_sha1() : EVP_md5();
	unsigned int olen = 0;
	struct wr w;

	if (k->secret_len > s->dlen)
		return -1;
	wr_init(&w, in, sizeof(in));
	wr_bytes(&w, s->head, sizeof(s->head));
	wr_bytes(&w, k->secret, k->secret_len);
	wr_fill(&w, 0, s->dlen - k->secret_len);
	wr_bytes(&w, s->tail, s->ntail);
	if (w.err)
		return -1;
	if (EVP_Digest(in, wr_mark(&w), out, &olen, md, NULL) != 1 ||
	    olen != s->dlen)
		return -1;
	return 0;
}

void
bfd_auth_sign(uint8_t *buf, size_t len, const struct bfd_key *k)
{
	struct auth_split s;
	uint8_t dig[BFD_AUTH_DIGEST_MAX];
	struct wr w;

	/* a simple password goes out as encoded; only digests are filled */
	if (auth_split(buf, len, k, &s) == -1 || auth_digest(&s, k, dig) == -1)
		return;
	/* the writer has no seek: rewrite the head, then the digest; the
	 * bytes after it stay */
	wr_init(&w, buf, len);
	wr_bytes(&w, s.head, sizeof(s.head));
	wr_bytes(&w, dig, s.dlen);
}

int
bfd_auth_verify(const uint8_t *buf, size_t len, const struct bfd_pkt *p,
    const struct bfd_key *k, const char **why)
{
	struct auth_split s;
	uint8_t dig[BFD_AUTH_DIGEST_MAX];

	if (!p->auth_present)
		return fail(why, "no auth section");
	if (p->auth.type != k->type)
		return fail(why, "auth type mismatch");
	if (p->auth.key_id != k->id)
		return fail(why, "key id mismatch");
	if (k->secret_len == 0 || k->secret_len > auth_secret_max(k->type))
		return fail(why, "bad key");
	if (k->type == BFD_AUTH_PASSWORD) {
		if (p->auth.digest_len != k->secret_len ||
		    CRYPTO_memcmp(p->auth.digest, k->secret,
		    k->secret_len) != 0)
			return fail(why, "bad password");
		return 0;
	}
	if (p->length > len || auth_split(buf, p->length, k, &s) == -1 ||
	    auth_digest(&s, k, dig) == -1)
		return fail(why, "bad auth section");
	if (CRYPTO_memcmp(dig, s.digest, s.dlen) != 0)
		return fail(why, "bad digest");
	return 0;
}

int
bfd_key_set(struct bfd_key *k, uint8_t type, uint8_t id, const char *secret,
    const char **why)
{
	size_t n = strlen(secret), max = auth_secret_max(type);

	if (max == 0)
		return fail(why, "unknown auth type");
	if (n == 0)
		return fail(why, "empty secret");
	if (n > max)
		return fail(why, max == BFD_AUTH_SHA1_DIGEST ?
		    "secret longer than 20 bytes" :
		    "secret longer than 16 bytes");
	memset(k, 0, sizeof(*k));
	k->type = type;
	k->id = id;
	memcpy(k->secret, secret, n);
	k->secret_len = n;
	return 0;
}

const char *
bfd_state_name(uint8_t state)
{
	switch (state) {
	case BFD_ADMIN_DOWN:	return "AdminDown";
	case BFD_DOWN:		return "Down";
	case BFD_INIT:		return "Init";
	case BFD_UP:		return "Up";
	}
	return "Unknown";
}

/* spelled as in RFC 5880 4.1, to grep a log line against it */
const char *
bfd_diag_name(uint8_t diag)
{
	static const char *const names[] = {
		[BFD_DIAG_NONE] = "No Diagnostic",
		[BFD_DIAG_DETECT_EXPIRED] = "Control Detection Time Expired",
		[BFD_DIAG_ECHO_FAILED] = "Echo Function Failed",
		[BFD_DIAG_NEIGHBOR_DOWN] = "Neighbor Signaled Session Down",
		[BFD_DIAG_FWD_RESET] = "Forwarding Plane Reset",
		[BFD_DIAG_PATH_DOWN] = "Path Down",
		[BFD_DIAG_CONCAT_DOWN] = "Concatenated Path Down",
		[BFD_DIAG_ADMIN_DOWN] = "Administratively Down",
		[BFD_DIAG_RCONCAT_DOWN] = "Reverse Concatenated Path Down",
	};

	if (diag >= sizeof(names) / sizeof(names[0]))
		return "Unknown";
	return names[diag];
}

const char *
bfd_auth_name(uint8_t type)
{
	static const char *const names[] = {
		[BFD_AUTH_NONE] = "none",
		[BFD_AUTH_PASSWORD] = "password",
		[BFD_AUTH_MD5] = "md5",
		[BFD_AUTH_MET_MD5] = "meticulous-md5",
		[BFD_AUTH_SHA1] = "sha1",
		[BFD_AUTH_MET_SHA1] = "meticulous-sha1",
	};

	if (type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}
