/*
 * updb.c - the UPDATE encoder: attribute comparison, the UPDATE builder and
 * the End-of-RIB marker; see msg.h.
 *
 * Pure: writes through struct wr into the builder's own fixed buffer.
 */
#include "bgpd/attr.h"
#include "bgpd/msg.h"

#include <string.h>

#define AS2_MAX			65535u

static bool
addr_same(const struct addr *a, const struct addr *b)
{
	/* an unset address carries no meaning in its bytes */
	if (a->afi != b->afi)
		return false;
	if (!addr_is_set(a))
		return true;
	return memcmp(a->b, b->b, afi_addr_len(a->afi)) == 0;
}

static size_t
clamp(size_t n, size_t max)
{
	return n > max ? max : n;
}

int
comm_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
lcomm_cmp(const void *a, const void *b)
{
	const struct lcommunity *x = a, *y = b;

	if (x->global != y->global)
		return x->global < y->global ? -1 : 1;
	if (x->local1 != y->local1)
		return x->local1 < y->local1 ? -1 : 1;
	if (x->local2 != y->local2)
		return x->local2 < y->local2 ? -1 : 1;
	return 0;
}

bool
attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	size_t i, n;

	if (a->origin != b->origin || a->aspath_len != b->aspath_len ||
	    a->has_med != b->has_med ||
	    a->has_local_pref != b->has_local_pref ||
	    a->ncomm != b->ncomm || a->nlcomm != b->nlcomm)
		return false;
	if (a->has_med && a->med != b->med)
		return false;
	if (a->has_local_pref && a->local_pref != b->local_pref)
		return false;
	n = clamp(a->aspath_len, ATTR_MAX_ASPATH);
	for (i = 0; i < n; i++)
		if (a->aspath[i] != b->aspath[i])
			return false;
	n = clamp(a->ncomm, ATTR_MAX_COMMUNITIES);
	for (i = 0; i < n; i++)
		if (a->comm[i] != b->comm[i])
			return false;
	n = clamp(a->nlcomm, ATTR_MAX_LCOMMUNITIES);
	for (i = 0; i < n; i++)
		if (a->lcomm[i].global != b->lcomm[i].global ||
		    a->lcomm[i].local1 != b->lcomm[i].local1 ||
		    a->lcomm[i].local2 != b->lcomm[i].local2)
			return false;
	return addr_same(&a->nh4, &b->nh4) && addr_same(&a->nh6, &b->nh6) &&
	    addr_same(&a->nh6_ll, &b->nh6_ll);
}

/* RFC 4271 4.1: marker of all ones, length patched later, type */
static size_t
hdr_begin(struct wr *w)
{
	size_t start = wr_mark(w);

	wr_fill(w, 0xff, BGP_MARKER_LEN);
	wr_u16(w, 0);
	wr_u8(w, BGP_UPDATE);
	return start;
}

static void
hdr_finish(struct wr *w, size_t start)
{
	wr_patch_u16(w, start + BGP_MARKER_LEN,
	    (uint16_t)(wr_mark(w) - start));
}

/*
 * RFC 4271 4.3: the O and T bits come from the attribute table, the one
 * the decoder checks them against.  The Extended Length bit gives a
 * 2-octet length; it is only set when the length needs it, so the common
 * attributes stay short.
 */
static void
attr_hdr(struct wr *w, uint8_t type, size_t len)
{
	uint8_t flags = attr_flags(type);

	if (len > 255) {
		wr_u8(w, (uint8_t)(flags | ATTR_F_EXTLEN));
		wr_u8(w, type);
		wr_u16(w, (uint16_t)len);
	} else {
		wr_u8(w, flags);
		wr_u8(w, type);
		wr_u8(w, (uint8_t)len);
	}
}

/* RFC 4271 4.3 AS_PATH (as4: RFC 6793 4-octet ASes) as one AS_SEQUENCE */
static void
put_aspath(struct wr *w, uint8_t type, const struct bgp_attrs *a, bool as4)
{
	size_t i, n = a->aspath_len;

	if (n == 0) {
		/* RFC 4271 5.1.2: empty towards internal peers */
		attr_hdr(w, type, 0);
		return;
	}
	attr_hdr(w, type, 2 + n * (as4 ? 4 : 2));
	wr_u8(w, AS_SEG_SEQUENCE);
	wr_u8(w, (uint8_t)n);
	for (i = 0; i < n; i++) {
		if (as4)
			wr_u32(w, a->aspath[i]);
		else if (a->aspath[i] > AS2_MAX)
			wr_u16(w, AS_TRANS);	/* RFC 6793 4.2.2 */
		else
			wr_u16(w, (uint16_t)a->aspath[i]);
	}
}

static bool
aspath_has_as4(const struct bgp_attrs *a)
{
	size_t i;

	for (i = 0; i < a->aspath_len; i++)
		if (a->aspath[i] > AS2_MAX)
			return true;
	return false;
}

/* the attributes before MP_REACH_NLRI, in type code order */
static void
put_attrs(struct wr *w, enum updb_kind kind, const struct bgp_attrs *a,
    const struct upd_opts *o)
{
	size_t i;

	attr_hdr(w, ATTR_ORIGIN, 1);
	wr_u8(w, a->origin);
	put_aspath(w, ATTR_AS_PATH, a, o->as4);
	if (kind == UPDB_ANNOUNCE4) {
		/* RFC 4760 3: IPv6 carries its next hop in MP_REACH only */
		attr_hdr(w, ATTR_NEXT_HOP, 4);
		wr_bytes(w, a->nh4.b, 4);
	}
	if (a->has_med) {
		attr_hdr(w, ATTR_MED, 4);
		wr_u32(w, a->med);
	}
	/* RFC 4271 5.1.5: never sent to an external peer */
	if (o->ibgp && a->has_local_pref) {
		attr_hdr(w, ATTR_LOCAL_PREF, 4);
		wr_u32(w, a->local_pref);
	}
	if (a->ncomm > 0) {
		attr_hdr(w, ATTR_COMMUNITIES, (size_t)a->ncomm * 4);
		for (i = 0; i < a->ncomm; i++)
			wr_u32(w, a->comm[i]);
	}
	/*
	 * RFC 6793 4.2.2: a NEW speaker talking to an OLD one sends the real
	 * path in AS4_PATH when AS_PATH had to carry AS_TRANS.
	 */
	if (!o->as4 && aspath_has_as4(a))
		put_aspath(w, ATTR_AS4_PATH, a, true);
	if (a->nlcomm > 0) {
		attr_hdr(w, ATTR_LARGE_COMMUNITY, (size_t)a->nlcomm * 12);
		for (i = 0; i < a->nlcomm; i++) {
			wr_u32(w, a->lcomm[i].global);
			wr_u32(w, a->lcomm[i].local1);
			wr_u32(w, a->lcomm[i].local2);
		}
	}
}

static bool
attrs_usable(enum updb_kind kind, const struct bgp_attrs *a)
{
	if (a->aspath_len > ATTR_MAX_ASPATH ||
	    a->ncomm > ATTR_MAX_COMMUNITIES ||
	    a->nlcomm > ATTR_MAX_LCOMMUNITIES)
		return false;
	/* a route without its mandatory next hop cannot be announced */
	if (kind == UPDB_ANNOUNCE4)
		return a->nh4.afi == AFI_IPV4;
	return a->nh6.afi == AFI_IPV6 &&
	    (!addr_is_set(&a->nh6_ll) || a->nh6_ll.afi == AFI_IPV6);
}

/*
 * MP_REACH_NLRI / MP_UNREACH_NLRI header (RFC 4760 3, 4).  Always written
 * with the extended length: its NLRI grows as prefixes are added and the
 * length is patched by updb_finish().
 */
static void
mp_begin(struct updb *b, uint8_t type)
{
	wr_u8(&b->w, (uint8_t)(attr_flags(type) | ATTR_F_EXTLEN));
	wr_u8(&b->w, type);
	b->at_mplen = wr_mark(&b->w);
	wr_u16(&b->w, 0);
	wr_u16(&b->w, AFI_IPV6);
	wr_u8(&b->w, SAFI_UNICAST);
}

int
updb_begin(struct updb *b, enum updb_kind kind,
    const struct bgp_attrs *attrs, const struct upd_opts *o)
{
	bool announce = kind == UPDB_ANNOUNCE4 || kind == UPDB_ANNOUNCE6;

	if (announce && (attrs == NULL || o == NULL ||
	    !attrs_usable(kind, attrs)))
		return -1;
	wr_init(&b->w, b->buf, sizeof(b->buf));
	b->kind = kind;
	b->n = 0;
	b->at_wlen = b->at_alen = b->at_mplen = b->attr_start = 0;
	hdr_begin(&b->w);
	b->at_wlen = wr_mark(&b->w);
	wr_u16(&b->w, 0);
	if (kind == UPDB_WITHDRAW4)
		/* withdrawn routes follow; the attribute length comes after */
		return b->w.err ? -1 : 0;
	b->at_alen = wr_mark(&b->w);
	wr_u16(&b->w, 0);
	b->attr_start = wr_mark(&b->w);
	switch (kind) {
	case UPDB_ANNOUNCE4:
		put_attrs(&b->w, kind, attrs, o);
		/* the attributes are complete; NLRI follows them */
		wr_patch_u16(&b->w, b->at_alen,
		    (uint16_t)(wr_mark(&b->w) - b->attr_start));
		break;
	case UPDB_ANNOUNCE6:
		put_attrs(&b->w, kind, attrs, o);
		mp_begin(b, ATTR_MP_REACH_NLRI);
		/* RFC 2545 3: global, or global and link-local */
		if (addr_is_set(&attrs->nh6_ll)) {
			wr_u8(&b->w, 32);
			wr_bytes(&b->w, attrs->nh6.b, 16);
			wr_bytes(&b->w, attrs->nh6_ll.b, 16);
		} else {
			wr_u8(&b->w, 16);
			wr_bytes(&b->w, attrs->nh6.b, 16);
		}
		wr_u8(&b->w, 0);	/* RFC 4760 3: Reserved */
		break;
	case UPDB_WITHDRAW6:
		mp_begin(b, ATTR_MP_UNREACH_NLRI);
		break;
	case UPDB_WITHDRAW4:
		break;
	}
	return b->w.err ? -1 : 0;
}

bool
updb_add(struct updb *b, const struct prefix *p)
{
	uint8_t bytes[16];
	size_t nb, need;
	bool v6 = b->kind == UPDB_ANNOUNCE6 || b->kind == UPDB_WITHDRAW6;

	/* a prefix of the wrong family never fits this message */
	if (p->afi != (v6 ? AFI_IPV6 : AFI_IPV4) || p->len > (v6 ? 128 : 32))
		return false;
	nb = prefix_wire_bytes(p->len);
	need = 1 + nb;
	if (b->kind == UPDB_WITHDRAW4)
		need += 2;	/* Total Path Attribute Length, still to come */
	if (b->w.err || wr_left(&b->w) < need)
		return false;
	memcpy(bytes, p->b, nb);
	/* RFC 4271 4.3: trailing bits are irrelevant; send them as zero */
	if (p->len % 8 != 0)
		bytes[nb - 1] &= (uint8_t)(0xff00u >> (p->len % 8));
	wr_u8(&b->w, p->len);
	wr_bytes(&b->w, bytes, nb);
	b->n++;
	return true;
}

size_t
updb_finish(struct updb *b)
{
	size_t end;

	switch (b->kind) {
	case UPDB_WITHDRAW4:
		wr_patch_u16(&b->w, b->at_wlen,
		    (uint16_t)(wr_mark(&b->w) - b->at_wlen - 2));
		wr_u16(&b->w, 0);	/* no path attributes */
		break;
	case UPDB_ANNOUNCE4:
		break;
	case UPDB_ANNOUNCE6:
	case UPDB_WITHDRAW6:
		end = wr_mark(&b->w);
		wr_patch_u16(&b->w, b->at_mplen,
		    (uint16_t)(end - b->at_mplen - 2));
		wr_patch_u16(&b->w, b->at_alen,
		    (uint16_t)(end - b->attr_start));
		break;
	}
	hdr_finish(&b->w, 0);
	return b->w.err ? 0 : wr_mark(&b->w);
}

int
msg_eor_encode(struct wr *w, uint8_t afi)
{
	size_t start, at_alen, at_mplen;

	if (afi != AFI_IPV4 && afi != AFI_IPV6)
		return -1;
	start = hdr_begin(w);
	wr_u16(w, 0);			/* no withdrawn routes */
	at_alen = wr_mark(w);
	wr_u16(w, 0);
	if (afi == AFI_IPV6) {
		/* RFC 4724 2: MP_UNREACH_NLRI with only AFI/SAFI */
		wr_u8(w, (uint8_t)(attr_flags(ATTR_MP_UNREACH_NLRI) |
		    ATTR_F_EXTLEN));
		wr_u8(w, ATTR_MP_UNREACH_NLRI);
		at_mplen = wr_mark(w);
		wr_u16(w, 0);
		wr_u16(w, AFI_IPV6);
		wr_u8(w, SAFI_UNICAST);
		wr_patch_u16(w, at_mplen,
		    (uint16_t)(wr_mark(w) - at_mplen - 2));
		wr_patch_u16(w, at_alen, (uint16_t)(wr_mark(w) - at_alen - 2));
	}
	hdr_finish(w, start);
	return w->err ? -1 : 0;
}
