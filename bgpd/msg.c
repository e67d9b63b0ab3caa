/*
 * msg.c - the BGP-4 message codec: header, OPEN, KEEPALIVE, NOTIFICATION,
 * ROUTE-REFRESH and the received-UPDATE check; see msg.h.  The UPDATE
 * encoder lives in updb.c.
 *
 * Pure: every received byte is read through struct rd, every sent byte
 * written through struct wr.  Nothing here allocates.
 */
#include "bgpd/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgpd/attr.h"
#include "bgpd/notif.h"

#define BGP_OPEN_MIN_LEN	29	/* RFC 4271 4.2 */
#define BGP_UPDATE_MIN_LEN	23	/* RFC 4271 4.3 */
#define BGP_NOTIF_MIN_LEN	21	/* RFC 4271 4.5 */
#define BGP_RR_LEN		23	/* RFC 2918 3 */
#define AS2_MAX			65535u

enum {
	OPT_PARAM_CAPABILITIES = 2,	/* RFC 5492 4 */
	OPT_PARAM_EXTENDED = 255,	/* RFC 9072 2 */
};

enum {
	CAP_MP = 1,			/* RFC 4760 8 */
	CAP_ROUTE_REFRESH = 2,		/* RFC 2918 2 */
	CAP_GRACEFUL_RESTART = 64,	/* RFC 4724 3 */
	CAP_AS4 = 65,			/* RFC 6793 3 */
	CAP_ENHANCED_RR = 70,		/* RFC 7313 3.1 */
};

/* RFC 4724 3, RFC 8538 2: the capability's first two octets */
#define GR_F_RESTART		0x8000u	/* R */
#define GR_F_NOTIFICATION	0x4000u	/* N */
#define GR_TIME_MASK		0x0fffu
#define GR_AF_F_FORWARDING	0x80u	/* F, in each tuple's flags */

/* ---- small helpers ---- */

static void
err_set(struct bgp_err *err, uint8_t code, uint8_t subcode)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->subcode = subcode;
}

/* copy error data; longer data is cut (struct bgp_err) */
static void
err_data(struct bgp_err *err, const struct rd *view)
{
	err->datalen = (uint16_t)rd_copy_rest(view, err->data,
	    sizeof(err->data));
}

static void
err_u16(struct bgp_err *err, uint16_t v)
{
	err->data[0] = (uint8_t)(v >> 8);
	err->data[1] = (uint8_t)v;
	err->datalen = 2;
}

/* RFC 4271 4.1: 16 octets of ones, length patched later, type */
static size_t
hdr_begin(struct wr *w, uint8_t type)
{
	size_t start = wr_mark(w);

	wr_fill(w, 0xff, BGP_MARKER_LEN);
	wr_u16(w, 0);
	wr_u8(w, type);
	return start;
}

static int
hdr_finish(struct wr *w, size_t start)
{
	size_t len = wr_mark(w) - start;

	if (w->err || len > BGP_MAX_MSG)
		return -1;
	wr_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
	return w->err ? -1 : 0;
}

/*
 * Length of the longest prefix of s, at most max octets, made of whole
 * well-formed UTF-8 characters (RFC 3629 4: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  n is the length of s.
 */
static size_t
utf8_prefix(const uint8_t *s, size_t n, size_t max)
{
	size_t i = 0, k, need;
	uint32_t cp;
	uint8_t c;

	if (n > max)
		n = max;
	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1fu;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0fu;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07u;
		} else
			return i;
		if (n - i - 1 < need)
			return i;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return i;
		i += need + 1;
	}
	return i;
}

/* ---- header ---- */

int
msg_hdr_decode(const uint8_t *buf, size_t buflen, uint16_t *len,
    uint8_t *type, struct bgp_err *err)
{
	struct rd r;
	uint8_t marker[BGP_MARKER_LEN];
	uint16_t l, min = BGP_HDR_LEN, max = BGP_MAX_MSG;
	uint8_t t;
	size_t i;

	rd_init(&r, buf, buflen);
	if (rd_bytes(&r, marker, sizeof(marker)) == -1 ||
	    rd_u16(&r, &l) == -1 || rd_u8(&r, &t) == -1) {
		/* the caller broke its contract; a truncated header is 1/2 */
		err_set(err, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
		return -1;
	}
	/* RFC 4271 6.1: the marker is all ones (no authentication) */
	for (i = 0; i < sizeof(marker); i++) {
		if (marker[i] != 0xff) {
			err_set(err, NOTIF_HEADER,
			    NOTIF_HEADER_NOT_SYNCHRONIZED);
			return -1;
		}
	}
	/* RFC 4271 6.1: Bad Message Length carries the erroneous Length */
	if (l < BGP_HDR_LEN || l > BGP_MAX_MSG)
		goto bad_len;
	switch (t) {
	case BGP_OPEN:
		min = BGP_OPEN_MIN_LEN;
		break;
	case BGP_UPDATE:
		min = BGP_UPDATE_MIN_LEN;
		break;
	case BGP_NOTIFICATION:
		min = BGP_NOTIF_MIN_LEN;
		break;
	case BGP_KEEPALIVE:
		max = BGP_HDR_LEN;	/* RFC 4271 4.4: header only */
		break;
	case BGP_ROUTE_REFRESH:
		/*
		 * RFC 2918 3 fixes 23 octets, but RFC 7313 5 makes a bad
		 * BoRR/EoRR length a 7/1 that carries the whole message,
		 * so only the minimum is checked here and msg_rr_decode()
		 * checks the rest once it has the subtype.
		 */
		min = BGP_RR_LEN;
		break;
	default:
		/* RFC 4271 6.1: Bad Message Type carries the type octet */
		err_set(err, NOTIF_HEADER, NOTIF_HEADER_BAD_TYPE);
		err->data[0] = t;
		err->datalen = 1;
		return -1;
	}
	if (l < min || l > max)
		goto bad_len;
	*len = l;
	*type = t;
	return 0;

bad_len:
	err_set(err, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
	err_u16(err, l);
	return -1;
}

/* ---- OPEN ---- */

uint32_t
msg_open_peer_as(const struct bgp_open *o)
{
	/* RFC 6793 4.1: the capability carries the real AS */
	return o->cap_as4 ? o->as4 : o->my_as;
}

/*
 * The Graceful Restart capability (RFC 4724 3): Restart Flags and Time in
 * two octets, then <AFI, SAFI, Flags> tuples.  RFC 4724 names no error
 * for a length that is not 2 + 4n, and GR is only an optimisation, so
 * such an instance is ignored as if not sent rather than failing the
 * OPEN.  RFC 4724 3: of several instances the receiver MUST ignore all
 * but the last, so a well-formed one replaces what an earlier one said.
 */
static void
open_gr(struct rd *v, struct bgp_open *o)
{
	struct bgp_gr gr;
	uint16_t ft, afi;
	uint8_t safi, flags;

	if (rd_left(v) < 2 || (rd_left(v) - 2) % 4 != 0)
		return;
	memset(&gr, 0, sizeof(gr));
	if (rd_u16(v, &ft) == -1)
		return;
	gr.restarting = (ft & GR_F_RESTART) != 0;
	gr.notification = (ft & GR_F_NOTIFICATION) != 0;
	gr.time = ft & GR_TIME_MASK;
	while (rd_left(v) > 0) {
		if (rd_u16(v, &afi) == -1 || rd_u8(v, &safi) == -1 ||
		    rd_u8(v, &flags) == -1)
			return;
		/* other families are not ours to restart: skipped */
		if (safi != SAFI_UNICAST ||
		    (afi != AFI_IPV4 && afi != AFI_IPV6))
			continue;
		gr.af[afi] = true;
		gr.fwd[afi] = (flags & GR_AF_F_FORWARDING) != 0;
	}
	o->cap_gr = true;
	o->gr = gr;
}

/* one capability from a Capabilities parameter (RFC 5492 4) */
static int
open_cap(uint8_t code, struct rd *v, struct bgp_open *o, struct bgp_err *err)
{
	uint16_t afi;
	uint8_t res, safi;
	uint32_t as4;

	switch (code) {
	case CAP_MP:
		/* RFC 4760 8: AFI, Reserved, SAFI */
		if (rd_left(v) != 4 || rd_u16(v, &afi) == -1 ||
		    rd_u8(v, &res) == -1 || rd_u8(v, &safi) == -1)
			goto malformed;
		if (safi == SAFI_UNICAST && afi == AFI_IPV4)
			o->cap_mp_ipv4 = true;
		else if (safi == SAFI_UNICAST && afi == AFI_IPV6)
			o->cap_mp_ipv6 = true;
		break;
	case CAP_AS4:
		/*
		 * RFC 6793 3 fixes the value at 4 octets.  Another length is
		 * a malformed Capabilities parameter: RFC 4271 6.2 says a
		 * recognised but malformed parameter is 2/0 (Unspecific).
		 */
		if (rd_left(v) != 4 || rd_u32(v, &as4) == -1)
			goto malformed;
		/* RFC 7607 2: AS 0 in the capability is Bad Peer AS */
		if (as4 == 0) {
			err_set(err, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
			return -1;
		}
		if (!o->cap_as4) {	/* RFC 5492 4: first one counts */
			o->cap_as4 = true;
			o->as4 = as4;
		}
		break;
	case CAP_ROUTE_REFRESH:
		o->cap_route_refresh = true;
		break;
	case CAP_ENHANCED_RR:
		o->cap_enhanced_rr = true;
		break;
	case CAP_GRACEFUL_RESTART:
		open_gr(v, o);
		break;
	default:
		/* RFC 5492 5: an unknown capability is ignored */
		break;
	}
	return 0;

malformed:
	err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	return -1;
}

/* the capabilities in one Capabilities optional parameter */
static int
open_caps(struct rd *p, struct bgp_open *o, struct bgp_err *err)
{
	struct rd v;
	uint8_t code, len;

	o->any_caps = true;
	while (rd_left(p) > 0) {
		if (rd_u8(p, &code) == -1 || rd_u8(p, &len) == -1 ||
		    rd_sub(p, len, &v) == -1) {
			/* RFC 4271 6.2: malformed parameter, Unspecific */
			err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
			return -1;
		}
		if (open_cap(code, &v, o, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The Optional Parameters, classic (1-octet lengths) or RFC 9072 extended
 * (2-octet lengths).  p holds exactly the parameter octets.
 */
static int
open_params(struct rd *p, bool ext, struct bgp_open *o, struct bgp_err *err)
{
	struct rd v;
	uint8_t type, l8;
	uint16_t len;

	while (rd_left(p) > 0) {
		if (rd_u8(p, &type) == -1)
			goto malformed;
		if (ext) {
			if (rd_u16(p, &len) == -1)
				goto malformed;
		} else {
			if (rd_u8(p, &l8) == -1)
				goto malformed;
			len = l8;
		}
		if (rd_sub(p, len, &v) == -1)
			goto malformed;
		/* RFC 4271 6.2, RFC 5492 4: only Capabilities is known */
		if (type != OPT_PARAM_CAPABILITIES) {
			err_set(err, NOTIF_OPEN,
			    NOTIF_OPEN_UNSUPPORTED_OPT_PARAM);
			return -1;
		}
		if (open_caps(&v, o, err) == -1)
			return -1;
	}
	return 0;

malformed:
	/*
	 * RFC 4271 6.2 has no subcode for parameter lengths that disagree
	 * with each other or with the message; a malformed parameter is
	 * "Unspecific" there, and so is this.
	 */
	err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	return -1;
}

int
msg_open_decode(const uint8_t *body, size_t len, struct bgp_open *o,
    struct bgp_err *err)
{
	struct rd r, p;
	uint8_t optlen, first;
	uint16_t extlen;

	memset(o, 0, sizeof(*o));
	rd_init(&r, body, len);
	if (rd_u8(&r, &o->version) == -1)
		goto malformed;
	/*
	 * RFC 4271 6.2: checked first, as the rest of another version's
	 * OPEN may look different.  Data: the largest version we support
	 * below the one bid, else our smallest; we have only 4.
	 */
	if (o->version != BGP_VERSION) {
		err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNSUPPORTED_VERSION);
		err_u16(err, BGP_VERSION);
		return -1;
	}
	if (rd_u16(&r, &o->my_as) == -1 || rd_u16(&r, &o->hold_time) == -1 ||
	    rd_u32(&r, &o->bgp_id) == -1 || rd_u8(&r, &optlen) == -1)
		goto malformed;
	/* RFC 7607 2: AS 0 in My Autonomous System is Bad Peer AS */
	if (o->my_as == 0) {
		err_set(err, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
		return -1;
	}
	/*
	 * RFC 9072 2: a non-zero Non-Ext OP Len followed by a Non-Ext OP
	 * Type of 255 means the extended form; the Non-Ext OP Len value is
	 * then not a length and is ignored.
	 */
	if (optlen != 0 && rd_peek8(&r, &first) == 0 &&
	    first == OPT_PARAM_EXTENDED) {
		if (rd_skip(&r, 1) == -1 || rd_u16(&r, &extlen) == -1 ||
		    rd_left(&r) != extlen || rd_sub(&r, extlen, &p) == -1)
			goto malformed;
		return open_params(&p, true, o, err);
	}
	/* RFC 4271 4.2: the parameters fill the rest of the message */
	if (rd_left(&r) != optlen || rd_sub(&r, optlen, &p) == -1)
		goto malformed;
	return open_params(&p, false, o, err);

malformed:
	err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNSPECIFIC);
	return -1;
}

int
msg_open_check(const struct bgp_open *o, uint32_t want_as,
    uint32_t local_as, uint32_t local_id, struct bgp_err *err)
{
	/* RFC 4271 6.2, in its order: peer AS, hold time, identifier */
	if (msg_open_peer_as(o) != want_as) {
		err_set(err, NOTIF_OPEN, NOTIF_OPEN_BAD_PEER_AS);
		return -1;
	}
	/* RFC 4271 6.2: hold time 1 or 2 s MUST be rejected (0 is fine) */
	if (o->hold_time == 1 || o->hold_time == 2) {
		err_set(err, NOTIF_OPEN, NOTIF_OPEN_UNACCEPTABLE_HOLD_TIME);
		return -1;
	}
	/*
	 * RFC 6286 2.2: the identifier is any non-zero value; on an
	 * internal session it must also differ from ours.
	 */
	if (o->bgp_id == 0 || (local_as == want_as && o->bgp_id == local_id)) {
		err_set(err, NOTIF_OPEN, NOTIF_OPEN_BAD_BGP_ID);
		return -1;
	}
	return 0;
}

static void
cap_put(struct wr *w, uint8_t code, uint8_t len)
{
	wr_u8(w, code);
	wr_u8(w, len);
}

/* RFC 4724 3, RFC 8538 2; reserved bits are sent as zero */
static void
gr_put(struct wr *w, const struct bgp_gr *gr)
{
	uint16_t ft, afi;
	uint8_t n = 0;

	for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++)
		if (gr->af[afi])
			n++;
	/* the field has 12 bits; a longer time is the longest it can say */
	ft = gr->time > GR_TIME_MASK ? GR_TIME_MASK : gr->time;
	if (gr->restarting)
		ft |= GR_F_RESTART;
	if (gr->notification)
		ft |= GR_F_NOTIFICATION;
	cap_put(w, CAP_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
	wr_u16(w, ft);
	for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++) {
		if (!gr->af[afi])
			continue;
		wr_u16(w, afi);
		wr_u8(w, SAFI_UNICAST);
		wr_u8(w, gr->fwd[afi] ? GR_AF_F_FORWARDING : 0);
	}
}

int
msg_open_encode(struct wr *w, const struct bgp_open *o)
{
	size_t start, at_optlen, at_caplen, caps;
	uint16_t my_as = o->my_as;

	/* RFC 6793 4.2.1: My AS carries AS_TRANS when the AS needs 4 octets */
	if (o->cap_as4)
		my_as = o->as4 > AS2_MAX ? AS_TRANS : (uint16_t)o->as4;
	start = hdr_begin(w, BGP_OPEN);
	wr_u8(w, o->version != 0 ? o->version : BGP_VERSION);
	wr_u16(w, my_as);
	wr_u16(w, o->hold_time);
	wr_u32(w, o->bgp_id);
	at_optlen = wr_mark(w);
	wr_u8(w, 0);
	if (o->cap_mp_ipv4 || o->cap_mp_ipv6 || o->cap_route_refresh ||
	    o->cap_gr || o->cap_as4) {
		/* RFC 5492 4: one Capabilities parameter holding them all */
		wr_u8(w, OPT_PARAM_CAPABILITIES);
		at_caplen = wr_mark(w);
		wr_u8(w, 0);
		caps = wr_mark(w);
		if (o->cap_mp_ipv4) {
			cap_put(w, CAP_MP, 4);
			wr_u16(w, AFI_IPV4);
			wr_u8(w, 0);
			wr_u8(w, SAFI_UNICAST);
		}
		if (o->cap_mp_ipv6) {
			cap_put(w, CAP_MP, 4);
			wr_u16(w, AFI_IPV6);
			wr_u8(w, 0);
			wr_u8(w, SAFI_UNICAST);
		}
		if (o->cap_route_refresh)
			cap_put(w, CAP_ROUTE_REFRESH, 0);
		if (o->cap_gr)
			gr_put(w, &o->gr);
		if (o->cap_as4) {
			cap_put(w, CAP_AS4, 4);
			wr_u32(w, o->as4);
		}
		/*
		 * at most 4 + 2 + 6 + 6 + 2 octets and GR's 2 + 2 + 4 * 2:
		 * no extended form needed
		 */
		wr_patch_u8(w, at_caplen, (uint8_t)(wr_mark(w) - caps));
		wr_patch_u8(w, at_optlen,
		    (uint8_t)(wr_mark(w) - at_optlen - 1));
	}
	return hdr_finish(w, start);
}

/* ---- KEEPALIVE ---- */

int
msg_keepalive_encode(struct wr *w)
{
	return hdr_finish(w, hdr_begin(w, BGP_KEEPALIVE));
}

/* ---- NOTIFICATION ---- */

int
msg_notif_encode(struct wr *w, uint8_t code, uint8_t subcode,
    const void *data, size_t datalen)
{
	size_t start;

	/* the data is for the peer's log: cut it to fit one message */
	if (datalen > BGP_MAX_MSG - BGP_NOTIF_MIN_LEN)
		datalen = BGP_MAX_MSG - BGP_NOTIF_MIN_LEN;
	start = hdr_begin(w, BGP_NOTIFICATION);
	wr_u8(w, code);
	wr_u8(w, subcode);
	if (data != NULL && datalen > 0)
		wr_bytes(w, data, datalen);
	return hdr_finish(w, start);
}

int
msg_notif_encode_hard(struct wr *w, uint8_t code, uint8_t subcode,
    const void *data, size_t datalen)
{
	uint8_t inner[BGP_MAX_MSG - BGP_NOTIF_MIN_LEN];

	/* RFC 8538 3: the data is the NOTIFICATION the reset is for */
	if (datalen > sizeof(inner) - 2)
		datalen = sizeof(inner) - 2;
	inner[0] = code;
	inner[1] = subcode;
	if (data != NULL && datalen > 0)
		memcpy(inner + 2, data, datalen);
	else
		datalen = 0;
	return msg_notif_encode(w, NOTIF_CEASE, NOTIF_CEASE_HARD_RESET, inner,
	    datalen + 2);
}

int
msg_notif_encode_shutdown(struct wr *w, uint8_t subcode, const char *reason,
    bool hard)
{
	uint8_t data[1 + BGP_SHUTDOWN_MSG_MAX];
	size_t n = 0;

	if (reason != NULL && reason[0] != '\0') {
		/*
		 * RFC 9003 2: a length octet, then at most 255 octets of
		 * UTF-8.  Cut at a character boundary so the peer gets
		 * valid UTF-8.
		 */
		n = utf8_prefix((const uint8_t *)reason, strlen(reason),
		    BGP_SHUTDOWN_MSG_MAX);
		data[0] = (uint8_t)n;
		memcpy(data + 1, reason, n);
		n++;
	}
	if (hard)
		return msg_notif_encode_hard(w, NOTIF_CEASE, subcode,
		    n > 0 ? data : NULL, n);
	return msg_notif_encode(w, NOTIF_CEASE, subcode, n > 0 ? data : NULL,
	    n);
}

/*
 * The RFC 9003 communication in the data of a 6/2 or 6/4, r at its length
 * octet.  A length past the data or text that is not UTF-8 is only not
 * shown (RFC 9003 3: it must not be treated as an error).
 */
static void
notif_shutdown_msg(struct rd *r, struct bgp_notif *n)
{
	struct rd msg;
	uint8_t mlen;

	if (rd_u8(r, &mlen) == -1 || mlen == 0 || rd_sub(r, mlen, &msg) == -1)
		return;
	if (rd_bytes(&msg, n->shutdown_msg, mlen) == -1 ||
	    utf8_prefix((const uint8_t *)n->shutdown_msg, mlen, mlen) != mlen) {
		memset(n->shutdown_msg, 0, sizeof(n->shutdown_msg));
		return;
	}
	/* kept as sent: whoever shows it quotes it (log.h's rule, JSON) */
	n->shutdown_msg[mlen] = '\0';
	n->has_shutdown_msg = true;
}

int
msg_notif_decode(const uint8_t *body, size_t len, struct bgp_notif *n)
{
	struct rd r;
	uint8_t code, subcode;

	memset(n, 0, sizeof(*n));
	rd_init(&r, body, len);
	if (rd_u8(&r, &n->code) == -1 || rd_u8(&r, &n->subcode) == -1)
		return -1;
	n->datalen = (uint16_t)rd_copy_rest(&r, n->data, sizeof(n->data));
	code = n->code;
	subcode = n->subcode;
	/*
	 * RFC 8538 3: a Hard Reset carries the NOTIFICATION it stands for;
	 * the shutdown communication in it is read as that one's would be.
	 */
	if (code == NOTIF_CEASE && subcode == NOTIF_CEASE_HARD_RESET) {
		if (rd_u8(&r, &code) == -1 || rd_u8(&r, &subcode) == -1)
			return 0;
		n->hard_reset = true;
		n->inner_code = code;
		n->inner_subcode = subcode;
	}
	if (code == NOTIF_CEASE && (subcode == NOTIF_CEASE_ADMIN_SHUTDOWN ||
	    subcode == NOTIF_CEASE_ADMIN_RESET))
		notif_shutdown_msg(&r, n);
	return 0;
}

/* ---- ROUTE-REFRESH ---- */

int
msg_rr_encode(struct wr *w, uint16_t afi, uint8_t safi)
{
	size_t start = hdr_begin(w, BGP_ROUTE_REFRESH);

	/* RFC 2918 3; subtype 0 is a plain refresh (RFC 7313 3.2) */
	wr_u16(w, afi);
	wr_u8(w, 0);
	wr_u8(w, safi);
	return hdr_finish(w, start);
}

int
msg_rr_decode(const uint8_t *msg, size_t len, struct bgp_rr *rr,
    struct bgp_err *err)
{
	struct rd r, all;
	uint16_t mlen;
	uint8_t type;

	memset(rr, 0, sizeof(*rr));
	rd_init(&r, msg, len);
	rd_init(&all, msg, len);
	if (rd_skip(&r, BGP_MARKER_LEN) == -1 || rd_u16(&r, &mlen) == -1 ||
	    rd_u8(&r, &type) == -1 || rd_u16(&r, &rr->afi) == -1 ||
	    rd_u8(&r, &rr->subtype) == -1 || rd_u8(&r, &rr->safi) == -1) {
		/* shorter than RFC 2918's 23 octets: a bad length */
		err_set(err, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
		err_u16(err, (uint16_t)(len > BGP_MAX_MSG ? BGP_MAX_MSG : len));
		return -1;
	}
	switch (rr->subtype) {
	case 0:
		/*
		 * RFC 2918 3: a plain ROUTE-REFRESH is exactly 23 octets;
		 * RFC 7313 5 only covers BoRR/EoRR, so any other length
		 * stays the RFC 4271 6.1 Bad Message Length.
		 */
		if (len != BGP_RR_LEN) {
			err_set(err, NOTIF_HEADER, NOTIF_HEADER_BAD_LENGTH);
			err_u16(err, mlen);
			return -1;
		}
		break;
	case 1:
	case 2:
		/* RFC 7313 5: 7/1 with the complete message as data */
		if (len != BGP_RR_LEN) {
			err_set(err, NOTIF_ROUTE_REFRESH,
			    NOTIF_RR_INVALID_LENGTH);
			err_data(err, &all);
			return -1;
		}
		break;
	default:
		/* RFC 7313 5: an unknown subtype is ignored (by the caller) */
		break;
	}
	return 0;
}

/* ---- UPDATE check ---- */

/* state of one msg_update_check() run */
struct uchk {
	const struct upd_opts	*o;
	enum upd_verdict	 v;
	uint8_t			 bad_attr;
	const char		*reason;
	struct bgp_err		*err;	/* set on a reset verdict */
	/*
	 * The RFC 4271 NOTIFICATION of the first treat-as-withdraw error,
	 * kept for RFC 7606 5.2, which turns it into a session reset.
	 */
	bool			 have_pending;
	struct bgp_err		 pending;
	bool			 seen[256];
	bool			 mp_reach;
	bool			 mp_unreach_eor;
	uint8_t			 eor_afi;
	unsigned		 nattrs;
	uint32_t		 withdrawn;
	uint32_t		 announced;
};

/* the worst verdict so far wins (RFC 7606 3.h) */
static void
uchk_verdict(struct uchk *u, enum upd_verdict v, uint8_t attr,
    const char *reason)
{
	if (v > u->v) {
		u->v = v;
		u->bad_attr = attr;
		u->reason = reason;
	}
}

static void
uchk_discard(struct uchk *u, uint8_t attr, const char *reason)
{
	uchk_verdict(u, UPD_ATTR_DISCARD, attr, reason);
}

/* treat-as-withdraw, remembering what RFC 4271 would have sent */
static void
uchk_withdraw(struct uchk *u, uint8_t attr, const char *reason,
    uint8_t subcode, const struct rd *data)
{
	if (!u->have_pending) {
		u->have_pending = true;
		err_set(&u->pending, NOTIF_UPDATE, subcode);
		if (data != NULL)
			err_data(&u->pending, data);
	}
	uchk_verdict(u, UPD_TREAT_AS_WITHDRAW, attr, reason);
}

static void
uchk_reset(struct uchk *u, uint8_t attr, const char *reason,
    uint8_t subcode, const struct rd *data)
{
	if (u->v == UPD_SESSION_RESET)
		return;		/* the first reason is the one sent */
	err_set(u->err, NOTIF_UPDATE, subcode);
	if (data != NULL)
		err_data(u->err, data);
	uchk_verdict(u, UPD_SESSION_RESET, attr, reason);
}

/*
 * Walk a run of <length, prefix> NLRI (RFC 4271 4.3, RFC 4760 5) and
 * count it.  -1 on a length above maxbits or a prefix past the end.
 */
static int
nlri_walk(struct rd *r, unsigned maxbits, uint32_t *count)
{
	uint8_t plen;

	while (rd_left(r) > 0) {
		if (rd_u8(r, &plen) == -1 || plen > maxbits ||
		    rd_skip(r, (plen + 7u) / 8u) == -1)
			return -1;
		(*count)++;
	}
	return 0;
}

static unsigned
mp_maxbits(uint16_t afi, uint8_t safi)
{
	if (safi != SAFI_UNICAST)
		return 0;
	if (afi == AFI_IPV4)
		return 32;
	if (afi == AFI_IPV6)
		return 128;
	return 0;
}

/*
 * AS_PATH or AS4_PATH (RFC 4271 4.3, RFC 7606 7.2): a malformed segment
 * (overrun, a lone trailing octet, zero length, unknown type) or AS 0
 * (RFC 7607 2).  Returns a reason, or NULL if fine.
 */
static const char *
aspath_check(struct rd *v, bool as4)
{
	uint8_t type, n, i;
	uint16_t a2;
	uint32_t a4;

	while (rd_left(v) > 0) {
		if (rd_u8(v, &type) == -1 || rd_u8(v, &n) == -1)
			return "AS_PATH segment header truncated";
		if (type < AS_SEG_SET || type > AS_SEG_CONFED_SET)
			return "AS_PATH segment type unknown";
		if (n == 0)
			return "AS_PATH segment of length 0";
		for (i = 0; i < n; i++) {
			if (as4) {
				if (rd_u32(v, &a4) == -1)
					return "AS_PATH segment overrun";
			} else {
				if (rd_u16(v, &a2) == -1)
					return "AS_PATH segment overrun";
				a4 = a2;
			}
			if (a4 == 0)
				return "AS_PATH contains AS 0";
		}
	}
	return NULL;
}

static void
check_mp_reach(struct uchk *u, struct rd *v, const struct rd *whole)
{
	uint16_t afi;
	uint8_t safi, nhlen, res;
	unsigned maxbits;

	/*
	 * RFC 7606 7.11 and 5.3: when the next hop cannot be read the NLRI
	 * cannot be found, so this is a session reset; RFC 4760 7 names
	 * the subcode: Optional Attribute Error.  The table's minimum
	 * length has been checked; the next hop may still overrun.
	 */
	if (rd_u16(v, &afi) == -1 ||
	    rd_u8(v, &safi) == -1 || rd_u8(v, &nhlen) == -1 ||
	    rd_skip(v, nhlen) == -1 || rd_u8(v, &res) == -1) {
		uchk_reset(u, ATTR_MP_REACH_NLRI, "MP_REACH_NLRI truncated",
		    NOTIF_UPDATE_OPTIONAL_ATTR, whole);
		return;
	}
	u->mp_reach = true;
	maxbits = mp_maxbits(afi, safi);
	if (maxbits == 0)
		return;		/* a family we do not speak */
	/* RFC 4760 3 (4 octets), RFC 2545 3 (16, or 32 with link-local) */
	if ((afi == AFI_IPV4 && nhlen != 4) ||
	    (afi == AFI_IPV6 && nhlen != 16 && nhlen != 32)) {
		uchk_reset(u, ATTR_MP_REACH_NLRI,
		    "MP_REACH_NLRI next hop length", NOTIF_UPDATE_OPTIONAL_ATTR,
		    whole);
		return;
	}
	if (nlri_walk(v, maxbits, &u->announced) == -1)
		uchk_reset(u, ATTR_MP_REACH_NLRI, "MP_REACH_NLRI bad prefix",
		    NOTIF_UPDATE_OPTIONAL_ATTR, whole);
}

static void
check_mp_unreach(struct uchk *u, struct rd *v, const struct rd *whole)
{
	uint16_t afi;
	uint8_t safi;
	unsigned maxbits;

	/* RFC 7606 5.3, RFC 4760 7: as for MP_REACH_NLRI */
	if (rd_u16(v, &afi) == -1 || rd_u8(v, &safi) == -1) {
		uchk_reset(u, ATTR_MP_UNREACH_NLRI,
		    "MP_UNREACH_NLRI truncated", NOTIF_UPDATE_OPTIONAL_ATTR,
		    whole);
		return;
	}
	maxbits = mp_maxbits(afi, safi);
	if (maxbits == 0)
		return;
	/* RFC 4724 2: AFI/SAFI alone is the End-of-RIB marker */
	if (rd_left(v) == 0) {
		u->mp_unreach_eor = true;
		u->eor_afi = (uint8_t)afi;
		return;
	}
	if (nlri_walk(v, maxbits, &u->withdrawn) == -1)
		uchk_reset(u, ATTR_MP_UNREACH_NLRI,
		    "MP_UNREACH_NLRI bad prefix", NOTIF_UPDATE_OPTIONAL_ATTR,
		    whole);
}

/* take the action the attribute table names (UPD_OK: none) */
static void
uchk_act(struct uchk *u, enum upd_verdict v, uint8_t attr,
    const char *reason, uint8_t subcode, const struct rd *whole)
{
	switch (v) {
	case UPD_OK:
		break;
	case UPD_ATTR_DISCARD:
		uchk_discard(u, attr, reason);
		break;
	case UPD_TREAT_AS_WITHDRAW:
		uchk_withdraw(u, attr, reason, subcode, whole);
		break;
	case UPD_SESSION_RESET:
		uchk_reset(u, attr, reason, subcode, whole);
		break;
	}
}

/*
 * What the length rules of the table cannot tell: a reason if the value
 * is malformed, or NULL.  *subcode is changed where RFC 4271 6.3 names
 * one of its own.
 */
static const char *
value_check(uint8_t code, struct rd *v, bool as4, uint8_t *subcode)
{
	uint8_t origin;
	uint16_t as2;
	uint32_t as;

	switch (code) {
	case ATTR_ORIGIN:
		if (rd_u8(v, &origin) == 0 && origin > ORIGIN_INCOMPLETE) {
			*subcode = NOTIF_UPDATE_INVALID_ORIGIN;
			return "ORIGIN value undefined";
		}
		return NULL;
	case ATTR_AS_PATH:
		return aspath_check(v, as4);
	case ATTR_NEXT_HOP:
		/*
		 * RFC 4271 6.3: a semantically incorrect NEXT_HOP is logged
		 * and the route ignored, which is treat-as-withdraw (RFC
		 * 7606 2); 0.0.0.0 can name no router.
		 */
		if (rd_u32(v, &as) == 0 && as == 0) {
			*subcode = NOTIF_UPDATE_INVALID_NEXT_HOP;
			return "NEXT_HOP 0.0.0.0";
		}
		return NULL;
	case ATTR_AGGREGATOR:
		/* RFC 7607 2: AS 0 is malformed */
		if (as4 ? rd_u32(v, &as) == 0 && as == 0 :
		    rd_u16(v, &as2) == 0 && as2 == 0)
			return "AGGREGATOR AS 0";
		return NULL;
	case ATTR_AS4_PATH:
		if (aspath_check(v, true) != NULL)
			return "AS4_PATH malformed";
		return NULL;
	case ATTR_AS4_AGGREGATOR:
		if (rd_u32(v, &as) == -1 || as == 0)
			return "AS4_AGGREGATOR malformed";
		return NULL;
	default:
		return NULL;
	}
}

/*
 * One attribute, by the table in attr.c.  v is its value, whole the
 * attribute from its flags octet on (the NOTIFICATION data RFC 4271 6.3
 * asks for).
 */
static void
check_attr(struct uchk *u, uint8_t flags, uint8_t code, struct rd *v,
    const struct rd *whole)
{
	const struct attr_desc *d = attr_desc(code);
	const char *why;
	uint8_t subcode;

	if (d == NULL) {
		/*
		 * RFC 4271 6.3 (not revised by RFC 7606): an unrecognised
		 * well-known attribute is 3/2 with the attribute as data.
		 * Unrecognised optional ones are passed on or dropped,
		 * which for a speaker that keeps no routes is nothing.
		 */
		if (!(flags & ATTR_F_OPTIONAL))
			uchk_reset(u, code, "unrecognised well-known attribute",
			    NOTIF_UPDATE_UNRECOGNIZED_WELLKNOWN, whole);
		return;
	}
	/* RFC 7606 7.5, 7.9, 7.10: from an external peer, just dropped */
	if (d->ibgp_only && !u->o->ibgp) {
		uchk_discard(u, code, "iBGP-only attribute from eBGP peer");
		return;
	}
	/*
	 * RFC 6793 4.1: a NEW speaker discards AS4_PATH and AS4_AGGREGATOR
	 * from another NEW speaker.
	 */
	if (d->as2_only && u->o->as4) {
		uchk_discard(u, code, "AS4 attribute on an AS4 session");
		return;
	}
	if ((flags & ATTR_F_OT) != d->flags) {
		uchk_act(u, d->bad_flags, code, "attribute flags",
		    NOTIF_UPDATE_ATTR_FLAGS, whole);
		return;
	}
	if (!attr_len_ok(d, rd_left(v), u->o->as4)) {
		uchk_act(u, d->malformed, code, d->bad_len, d->subcode, whole);
		return;
	}
	if (code == ATTR_MP_REACH_NLRI) {
		check_mp_reach(u, v, whole);
		return;
	}
	if (code == ATTR_MP_UNREACH_NLRI) {
		check_mp_unreach(u, v, whole);
		return;
	}
	subcode = d->subcode;
	if ((why = value_check(code, v, u->o->as4, &subcode)) != NULL)
		uchk_act(u, d->malformed, code, why, subcode, whole);
}

/* the Path Attributes field, a holds exactly Total Path Attribute Length */
static void
check_attrs(struct uchk *u, struct rd *a)
{
	struct rd v, whole;
	size_t start;
	uint8_t flags, code = 0, l8;
	uint16_t len;

	while (rd_left(a) > 0 && u->v != UPD_SESSION_RESET) {
		start = a->off;
		/*
		 * RFC 7606 4: an attribute header or value running past
		 * the Total Path Attribute Length is treat-as-withdraw; that
		 * length still tells where the NLRI starts.
		 */
		if (rd_u8(a, &flags) == -1 || rd_u8(a, &code) == -1) {
			uchk_withdraw(u, 0, "attribute header truncated",
			    NOTIF_UPDATE_MALFORMED_ATTR_LIST, NULL);
			return;
		}
		if (flags & ATTR_F_EXTLEN) {
			if (rd_u16(a, &len) == -1)
				goto overrun;
		} else {
			if (rd_u8(a, &l8) == -1)
				goto overrun;
			len = l8;
		}
		if (rd_sub(a, len, &v) == -1)
			goto overrun;
		rd_since(a, start, &whole);
		u->nattrs++;
		if (u->seen[code]) {
			/* RFC 7606 3.g */
			if (code == ATTR_MP_REACH_NLRI ||
			    code == ATTR_MP_UNREACH_NLRI)
				uchk_reset(u, code, "MP attribute repeated",
				    NOTIF_UPDATE_MALFORMED_ATTR_LIST, NULL);
			else
				uchk_discard(u, code, "attribute repeated");
			continue;
		}
		u->seen[code] = true;
		check_attr(u, flags, code, &v, &whole);
	}
	return;

overrun:
	uchk_withdraw(u, code, "attribute length overruns the attributes",
	    NOTIF_UPDATE_MALFORMED_ATTR_LIST, NULL);
}

enum upd_verdict
msg_update_check(const uint8_t *body, size_t len, const struct upd_opts *o,
    struct upd_result *res, struct bgp_err *err)
{
	struct uchk u;
	struct rd r, wd, attrs;
	uint16_t wlen, alen;
	bool nlri, reach;

	memset(res, 0, sizeof(*res));
	memset(&u, 0, sizeof(u));
	u.o = o;
	u.err = err;
	rd_init(&r, body, len);
	/*
	 * RFC 4271 6.3, kept by RFC 7606 3.b: lengths that overrun the
	 * message leave nothing to locate, so 3/1 and a reset.
	 */
	if (rd_u16(&r, &wlen) == -1 || rd_sub(&r, wlen, &wd) == -1) {
		uchk_reset(&u, 0, "withdrawn routes length overruns",
		    NOTIF_UPDATE_MALFORMED_ATTR_LIST, NULL);
		goto done;
	}
	if (rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &attrs) == -1) {
		uchk_reset(&u, 0, "total path attribute length overruns",
		    NOTIF_UPDATE_MALFORMED_ATTR_LIST, NULL);
		goto done;
	}
	/*
	 * RFC 7606 5.3, 3.j: NLRI that cannot be parsed rules out
	 * treat-as-withdraw; RFC 4271 6.3 calls it Invalid Network Field.
	 */
	if (nlri_walk(&wd, 32, &u.withdrawn) == -1) {
		uchk_reset(&u, 0, "withdrawn routes malformed",
		    NOTIF_UPDATE_INVALID_NETWORK, NULL);
		goto done;
	}
	check_attrs(&u, &attrs);
	if (u.v == UPD_SESSION_RESET)
		goto done;
	nlri = rd_left(&r) > 0;
	if (nlri_walk(&r, 32, &u.announced) == -1) {
		uchk_reset(&u, 0, "NLRI malformed",
		    NOTIF_UPDATE_INVALID_NETWORK, NULL);
		goto done;
	}
	reach = nlri || u.mp_reach;
	/*
	 * RFC 7606 3.d: a missing well-known mandatory attribute is
	 * treat-as-withdraw.  ORIGIN and AS_PATH go with any reachable
	 * NLRI (RFC 4760 3), NEXT_HOP only with the IPv4 NLRI field
	 * (RFC 4760 reclassifies it).  RFC 4271 6.3 data: the type code.
	 */
	if (reach) {
		static const uint8_t mand[] = { ATTR_ORIGIN, ATTR_AS_PATH,
		    ATTR_NEXT_HOP };
		size_t i;
		struct rd code;

		for (i = 0; i < sizeof(mand); i++) {
			if (u.seen[mand[i]] || (mand[i] == ATTR_NEXT_HOP &&
			    !nlri))
				continue;
			rd_init(&code, &mand[i], 1);
			uchk_withdraw(&u, mand[i],
			    "missing well-known attribute",
			    NOTIF_UPDATE_MISSING_WELLKNOWN, &code);
		}
	}
	/*
	 * RFC 7606 5.2: attributes with no reachable NLRI and an error
	 * worse than attribute discard cannot be treated as withdraw
	 * (the NLRI may sit in the part that failed), so the session is
	 * reset with what RFC 4271 would have sent.
	 */
	if (u.v == UPD_TREAT_AS_WITHDRAW && !reach) {
		*err = u.pending;
		u.v = UPD_SESSION_RESET;
		goto done;
	}
	/* RFC 4724 2: the End-of-RIB markers */
	if (u.v == UPD_OK && wlen == 0 && !nlri) {
		if (alen == 0) {
			res->eor = true;
			res->eor_afi = AFI_IPV4;
		} else if (u.nattrs == 1 && u.mp_unreach_eor) {
			res->eor = true;
			res->eor_afi = u.eor_afi;
		}
	}

done:
	res->reason = u.reason;
	res->bad_attr = u.bad_attr;
	switch (u.v) {
	case UPD_SESSION_RESET:
		break;		/* nothing in it is applied */
	case UPD_TREAT_AS_WITHDRAW:
		/* RFC 7606 2: every route in it counts as withdrawn */
		res->withdrawn = u.withdrawn + u.announced;
		break;
	case UPD_OK:
	case UPD_ATTR_DISCARD:
		res->withdrawn = u.withdrawn;
		res->announced = u.announced;
		break;
	}
	return u.v;
}

/* ---- msg_describe ---- */

struct sbuf {
	char	*p;
	size_t	 cap;
	size_t	 len;
};

static void
sb_add(struct sbuf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->cap == 0 || s->len >= s->cap - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s->len += (size_t)n;
	if (s->len >= s->cap)
		s->len = s->cap - 1;
}

static void
describe_open(struct sbuf *s, const uint8_t *body, size_t len)
{
	struct bgp_open o;
	struct bgp_err e;
	const char *sep = "";

	if (msg_open_decode(body, len, &o, &e) == -1) {
		sb_add(s, "OPEN malformed notif=%u/%u", e.code, e.subcode);
		return;
	}
	sb_add(s, "OPEN v%u as=%u hold=%u id=%u.%u.%u.%u caps=", o.version,
	    msg_open_peer_as(&o), o.hold_time, o.bgp_id >> 24,
	    (o.bgp_id >> 16) & 0xffu, (o.bgp_id >> 8) & 0xffu,
	    o.bgp_id & 0xffu);
	if (o.cap_mp_ipv4) {
		sb_add(s, "%smp4", sep);
		sep = ",";
	}
	if (o.cap_mp_ipv6) {
		sb_add(s, "%smp6", sep);
		sep = ",";
	}
	if (o.cap_as4) {
		sb_add(s, "%sas4", sep);
		sep = ",";
	}
	if (o.cap_route_refresh) {
		sb_add(s, "%srr", sep);
		sep = ",";
	}
	if (o.cap_enhanced_rr) {
		sb_add(s, "%serr", sep);
		sep = ",";
	}
	if (o.cap_gr) {
		sb_add(s, "%sgr", sep);
		sep = ",";
	}
	if (*sep == '\0')
		sb_add(s, "-");
}

static void
describe_update(struct sbuf *s, const uint8_t *body, size_t len)
{
	struct rd r, wd, attrs, v;
	uint16_t wlen, alen, l16;
	uint8_t flags, code, l8;
	uint32_t nw = 0, nn = 0;
	const char *sep = "", *name;

	rd_init(&r, body, len);
	if (rd_u16(&r, &wlen) == -1 || rd_sub(&r, wlen, &wd) == -1 ||
	    rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &attrs) == -1) {
		sb_add(s, "UPDATE malformed");
		return;
	}
	if (nlri_walk(&wd, 32, &nw) == -1)
		sb_add(s, "UPDATE withdrawn=? attrs=");
	else
		sb_add(s, "UPDATE withdrawn=%u attrs=", nw);
	while (rd_left(&attrs) > 0) {
		if (rd_u8(&attrs, &flags) == -1 || rd_u8(&attrs, &code) == -1)
			break;
		if (flags & ATTR_F_EXTLEN) {
			if (rd_u16(&attrs, &l16) == -1)
				break;
		} else {
			if (rd_u8(&attrs, &l8) == -1)
				break;
			l16 = l8;
		}
		if (rd_sub(&attrs, l16, &v) == -1)
			break;
		if ((name = attr_name(code)) != NULL)
			sb_add(s, "%s%s", sep, name);
		else
			sb_add(s, "%s%u", sep, code);
		sep = ",";
	}
	if (rd_left(&attrs) > 0)
		sb_add(s, "%s?", sep);
	else if (*sep == '\0')
		sb_add(s, "-");
	if (nlri_walk(&r, 32, &nn) == -1)
		sb_add(s, " nlri=?");
	else
		sb_add(s, " nlri=%u", nn);
}

static void
describe_notif(struct sbuf *s, const uint8_t *body, size_t len)
{
	struct bgp_notif n;
	struct rd d;
	size_t i;
	uint8_t c;

	if (msg_notif_decode(body, len, &n) == -1) {
		sb_add(s, "NOTIFICATION malformed");
		return;
	}
	sb_add(s, "NOTIFICATION %u/%u %s/%s", n.code, n.subcode,
	    notif_code_name(n.code), notif_subcode_name(n.code, n.subcode));
	rd_init(&d, n.data, n.datalen);
	/* RFC 8538 3: what matters is the NOTIFICATION inside */
	if (n.hard_reset) {
		sb_add(s, " inner=%u/%u %s/%s", n.inner_code, n.inner_subcode,
		    notif_code_name(n.inner_code),
		    notif_subcode_name(n.inner_code, n.inner_subcode));
		(void)rd_skip(&d, 2);
	}
	if (n.has_shutdown_msg) {
		sb_add(s, " \"%s\"", n.shutdown_msg);
		return;
	}
	if (rd_left(&d) > 0) {
		sb_add(s, " data=");
		for (i = 0; i < 16 && rd_u8(&d, &c) == 0; i++)
			sb_add(s, "%02x", c);
		if (rd_left(&d) > 0)
			sb_add(s, "...");
	}
}

void
msg_describe(const uint8_t *msg, size_t len, char *buf, size_t cap)
{
	struct sbuf s = { buf, cap, 0 };
	struct bgp_err e;
	struct bgp_rr rr;
	struct rd r;
	uint8_t body[BGP_MAX_MSG];
	size_t blen;
	uint16_t mlen;
	uint8_t type;

	if (cap == 0)
		return;
	buf[0] = '\0';
	rd_init(&r, msg, len);
	if (rd_skip(&r, BGP_MARKER_LEN) == -1 || rd_u16(&r, &mlen) == -1 ||
	    rd_u8(&r, &type) == -1) {
		sb_add(&s, "short message len=%zu", len);
		return;
	}
	if (msg_hdr_decode(msg, len, &mlen, &type, &e) == -1) {
		sb_add(&s, "bad header notif=%u/%u type=%u", e.code,
		    e.subcode, type);
		return;
	}
	/* describe what the header says is the message, no further */
	if (mlen > len) {
		sb_add(&s, "truncated type=%u len=%u have=%zu", type, mlen,
		    len);
		return;
	}
	/* a copy of the body, as only rd.c does arithmetic on wire bytes */
	blen = (size_t)mlen - BGP_HDR_LEN;
	rd_init(&r, msg, mlen);
	if (rd_skip(&r, BGP_HDR_LEN) == -1 || rd_bytes(&r, body, blen) == -1)
		return;
	switch (type) {
	case BGP_OPEN:
		describe_open(&s, body, blen);
		break;
	case BGP_UPDATE:
		describe_update(&s, body, blen);
		break;
	case BGP_NOTIFICATION:
		describe_notif(&s, body, blen);
		break;
	case BGP_KEEPALIVE:
		sb_add(&s, "KEEPALIVE");
		break;
	case BGP_ROUTE_REFRESH:
		if (msg_rr_decode(msg, mlen, &rr, &e) == -1)
			sb_add(&s, "ROUTE-REFRESH malformed notif=%u/%u",
			    e.code, e.subcode);
		else
			sb_add(&s, "ROUTE-REFRESH afi=%u safi=%u subtype=%u",
			    rr.afi, rr.safi, rr.subtype);
		break;
	}
}
