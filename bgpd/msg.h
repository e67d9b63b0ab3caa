/*
 * msg.h - the BGP-4 message codec: pure functions over byte buffers.
 *
 * Decoders read through struct rd only, never send anything, and on a
 * protocol error fill struct bgp_err with the NOTIFICATION to send (code,
 * subcode, data as RFC 4271 section 6 and its revisions prescribe).
 * Encoders write whole messages, header included, through struct wr into a
 * caller-owned buffer of BGP_MAX_MSG bytes.
 */
#ifndef NOMCAST_MSG_H
#define NOMCAST_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/prefix.h"
#include "lib/rd.h"

#define BGP_VERSION		4
#define BGP_HDR_LEN		19
#define BGP_MAX_MSG		4096	/* RFC 8654 extended messages not offered */
#define BGP_PORT		179
#define AS_TRANS		23456	/* RFC 6793 */
#define BGP_SHUTDOWN_MSG_MAX	255	/* RFC 9003 */

enum bgp_type {
	BGP_OPEN = 1,
	BGP_UPDATE = 2,
	BGP_NOTIFICATION = 3,
	BGP_KEEPALIVE = 4,
	BGP_ROUTE_REFRESH = 5,
};

/* the NOTIFICATION a decoder asks the session to send */
struct bgp_err {
	uint8_t		code;		/* enum notif_code */
	uint8_t		subcode;
	uint16_t	datalen;
	uint8_t		data[64];	/* longer data is cut: the peer only logs it */
};

/*
 * The Graceful Restart capability (RFC 4724 3, RFC 8538 2).  Only IPv4
 * and IPv6 unicast are kept: af[] and fwd[] are indexed by AFI.
 */
struct bgp_gr {
	bool		restarting;	/* R bit (0x80 of the first octet) */
	bool		notification;	/* N bit (0x40), RFC 8538 */
	uint16_t	time;		/* restart time, seconds, low 12 bits */
	bool		af[3];		/* by AFI (1 IPv4, 2 IPv6), SAFI 1 */
	bool		fwd[3];		/* F bit (0x80 of the tuple flags) */
};

/* what an OPEN says, decoded or to encode */
struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* 2-octet field: AS_TRANS if as > 65535 */
	uint16_t	hold_time;
	uint32_t	bgp_id;		/* host order */
	bool		cap_as4;	/* RFC 6793 capability present */
	uint32_t	as4;		/* its value */
	bool		cap_mp_ipv4;	/* RFC 4760 AFI 1 SAFI 1 */
	bool		cap_mp_ipv6;	/* RFC 4760 AFI 2 SAFI 1 */
	bool		cap_route_refresh;	/* RFC 2918 (code 2) */
	bool		cap_enhanced_rr;	/* RFC 7313 (code 70) */
	bool		cap_gr;		/* RFC 4724 (code 64): gr holds it */
	struct bgp_gr	gr;
	bool		any_caps;	/* any capability parameter at all */
};

/* the real AS of an OPEN: the AS4 capability if present (RFC 6793 4.1) */
uint32_t msg_open_peer_as(const struct bgp_open *o);

/*
 * Header: buf holds at least BGP_HDR_LEN bytes.  Checks the marker, the
 * length (19..4096 and the minimum or exact length of the type) and the
 * type (RFC 4271 6.1).  Sets *len (whole message) and *type.
 * 0, or -1 with err set (Message Header Error).
 */
int	msg_hdr_decode(const uint8_t *buf, size_t buflen, uint16_t *len,
	    uint8_t *type, struct bgp_err *err);

/*
 * OPEN body (after the header), RFC 4271 6.2, RFC 5492, RFC 6793, RFC 7607,
 * RFC 9072 extended optional parameters.  Checks only what needs no
 * configuration; msg_open_check() does the rest.  0, or -1 with err set.
 */
int	msg_open_decode(const uint8_t *body, size_t len, struct bgp_open *o,
	    struct bgp_err *err);
/*
 * The checks that need the configuration: the peer AS (2/2), the BGP
 * identifier (2/3: zero, or equal to ours on an iBGP session), the hold
 * time (2/6: 1 or 2 s).  0, or -1 with err set.
 */
int	msg_open_check(const struct bgp_open *o, uint32_t want_as,
	    uint32_t local_as, uint32_t local_id, struct bgp_err *err);
/* encode our OPEN (header included); 0 or -1 if the buffer is too small */
int	msg_open_encode(struct wr *w, const struct bgp_open *o);

int	msg_keepalive_encode(struct wr *w);

/*
 * NOTIFICATION.  For Cease/Administrative Shutdown and Administrative
 * Reset, msg_notif_encode_shutdown() writes the RFC 9003 communication
 * (length octet + UTF-8, at most 255 octets, cut at a character boundary);
 * with hard set it wraps that NOTIFICATION in a Cease/Hard Reset.
 * msg_notif_encode_hard() writes a Cease/Hard Reset (RFC 8538 3) whose
 * data is the inner NOTIFICATION's code, subcode and data.
 */
int	msg_notif_encode(struct wr *w, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen);
int	msg_notif_encode_hard(struct wr *w, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen);
int	msg_notif_encode_shutdown(struct wr *w, uint8_t subcode,
	    const char *reason, bool hard);

struct bgp_notif {
	uint8_t		code;
	uint8_t		subcode;
	uint16_t	datalen;
	uint8_t		data[BGP_MAX_MSG];
	/*
	 * A Cease/Hard Reset with at least the inner code and subcode
	 * (RFC 8538 3); a shorter 6/9 leaves it false.
	 */
	bool		hard_reset;
	uint8_t		inner_code;
	uint8_t		inner_subcode;
	/*
	 * RFC 9003 shutdown communication, if present and valid UTF-8, of
	 * a 6/2 or 6/4, or of one inside a Hard Reset
	 */
	bool		has_shutdown_msg;
	char		shutdown_msg[BGP_SHUTDOWN_MSG_MAX + 1];
};
/* NOTIFICATION body; -1 only if shorter than 2 octets */
int	msg_notif_decode(const uint8_t *body, size_t len, struct bgp_notif *n);

/* ROUTE-REFRESH (RFC 2918, RFC 7313) */
struct bgp_rr {
	uint16_t	afi;
	uint8_t		subtype;	/* 0 normal, 1 BoRR, 2 EoRR */
	uint8_t		safi;
};
int	msg_rr_encode(struct wr *w, uint16_t afi, uint8_t safi);
/* RFC 7313 5: a bad length is 7/1 with the message as data; -1 with err */
int	msg_rr_decode(const uint8_t *msg, size_t len, struct bgp_rr *rr,
	    struct bgp_err *err);

/* ---- UPDATE ---- */

#define ATTR_MAX_ASPATH		32
#define ATTR_MAX_COMMUNITIES	32
#define ATTR_MAX_LCOMMUNITIES	16

enum bgp_origin {
	ORIGIN_IGP = 0,
	ORIGIN_EGP = 1,
	ORIGIN_INCOMPLETE = 2,
};

struct lcommunity {			/* RFC 8092 */
	uint32_t	global;
	uint32_t	local1;
	uint32_t	local2;
};

/*
 * The attributes we send with a group of prefixes.  Compared with
 * attrs_equal(): zero the struct before filling it.
 */
struct bgp_attrs {
	uint8_t		origin;			/* enum bgp_origin */
	uint8_t		aspath_len;		/* 0 = empty AS_PATH (iBGP) */
	uint32_t	aspath[ATTR_MAX_ASPATH];	/* one AS_SEQUENCE */
	bool		has_med;
	uint32_t	med;
	bool		has_local_pref;		/* iBGP only */
	uint32_t	local_pref;
	uint8_t		ncomm;
	uint32_t	comm[ATTR_MAX_COMMUNITIES];	/* RFC 1997, sorted */
	uint8_t		nlcomm;
	struct lcommunity lcomm[ATTR_MAX_LCOMMUNITIES];	/* sorted */
	struct addr	nh4;			/* NEXT_HOP for IPv4 NLRI */
	struct addr	nh6;			/* MP_REACH global next hop */
	struct addr	nh6_ll;			/* optional link-local one */
};

bool	attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b);
/* qsort comparators for the sorted community lists of struct bgp_attrs */
int	comm_cmp(const void *a, const void *b);		/* uint32_t */
int	lcomm_cmp(const void *a, const void *b);	/* struct lcommunity */

/* what the session negotiated; decides how attributes are encoded */
struct upd_opts {
	bool		as4;		/* both sides sent the AS4 capability */
	bool		ibgp;
	uint32_t	local_as;
};

/*
 * The UPDATE builder: one message of one kind, prefixes added until it is
 * full.  ANNOUNCE4 puts NLRI at the end, ANNOUNCE6 inside MP_REACH_NLRI,
 * WITHDRAW4 in Withdrawn Routes, WITHDRAW6 in MP_UNREACH_NLRI.
 */
enum updb_kind {
	UPDB_ANNOUNCE4,
	UPDB_ANNOUNCE6,
	UPDB_WITHDRAW4,
	UPDB_WITHDRAW6,
};

struct updb {
	struct wr	w;
	uint8_t		buf[BGP_MAX_MSG];
	enum updb_kind	kind;
	size_t		n;		/* prefixes added */
	size_t		at_wlen;	/* offsets of lengths to patch */
	size_t		at_alen;
	size_t		at_mplen;
	size_t		attr_start;
};

/* start a message; attrs is ignored for withdrawals. -1 if attrs do not fit */
int	updb_begin(struct updb *b, enum updb_kind kind,
	    const struct bgp_attrs *attrs, const struct upd_opts *o);
/* add one prefix; false if it does not fit (finish, then begin another) */
bool	updb_add(struct updb *b, const struct prefix *p);
/* patch lengths; returns the message length, the bytes are b->buf */
size_t	updb_finish(struct updb *b);

/* End-of-RIB marker (RFC 4724 2): empty UPDATE for IPv4, MP_UNREACH for others */
int	msg_eor_encode(struct wr *w, uint8_t afi);

/*
 * What a received UPDATE amounts to, after RFC 7606 error handling.
 * nomcast keeps no received routes: it only validates and counts.
 */
enum upd_verdict {
	UPD_OK,
	UPD_ATTR_DISCARD,	/* one or more attributes ignored, rest fine */
	UPD_TREAT_AS_WITHDRAW,	/* RFC 7606 2: all NLRI in it withdrawn */
	UPD_SESSION_RESET,	/* send err as NOTIFICATION, close */
};

struct upd_result {
	uint32_t	withdrawn;	/* prefixes withdrawn (any family) */
	uint32_t	announced;	/* prefixes announced (any family) */
	bool		eor;		/* an End-of-RIB marker */
	uint8_t		eor_afi;
	/* why the UPDATE was not UPD_OK: attribute type code and reason */
	uint8_t		bad_attr;
	const char	*reason;	/* static string, or NULL */
};

/*
 * Validate an UPDATE body (after the header) from a peer of the given
 * negotiated options (as4 decides AS_PATH width; ibgp decides
 * LOCAL_PREF handling).  On UPD_SESSION_RESET err holds the NOTIFICATION.
 */
enum upd_verdict msg_update_check(const uint8_t *body, size_t len,
	    const struct upd_opts *o, struct upd_result *res,
	    struct bgp_err *err);

/* one-line human decoding of a whole message, for -d logging */
void	msg_describe(const uint8_t *msg, size_t len, char *buf, size_t cap);

#endif
