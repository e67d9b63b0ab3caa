/*
 * attr.h - what nomcast knows about each path attribute, in one table read
 * by the decoder (msg.c), the encoder (updb.c) and the logger
 * (msg_describe): its name, its flags, its length rules and what RFC 7606
 * does with a malformed one.  Numbers from RFC 4271 4.3 and the IANA
 * registry.
 */
#ifndef NOMCAST_ATTR_H
#define NOMCAST_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpd/msg.h"

#define BGP_MARKER_LEN		16

enum attr_flag {
	ATTR_F_OPTIONAL = 0x80,		/* RFC 4271 4.3 flags */
	ATTR_F_TRANSITIVE = 0x40,
	ATTR_F_PARTIAL = 0x20,
	ATTR_F_EXTLEN = 0x10,
	ATTR_F_OT = ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
	ATTR_F_WELL_KNOWN = ATTR_F_TRANSITIVE,	/* the O and T of a class */
};

enum attr_code {
	ATTR_ORIGIN = 1,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MED = 4,
	ATTR_LOCAL_PREF = 5,
	ATTR_ATOMIC_AGGREGATE = 6,
	ATTR_AGGREGATOR = 7,
	ATTR_COMMUNITIES = 8,		/* RFC 1997 */
	ATTR_ORIGINATOR_ID = 9,		/* RFC 4456 */
	ATTR_CLUSTER_LIST = 10,
	ATTR_MP_REACH_NLRI = 14,	/* RFC 4760 */
	ATTR_MP_UNREACH_NLRI = 15,
	ATTR_EXT_COMMUNITIES = 16,	/* RFC 4360 */
	ATTR_AS4_PATH = 17,		/* RFC 6793 */
	ATTR_AS4_AGGREGATOR = 18,
	ATTR_LARGE_COMMUNITY = 32,	/* RFC 8092 */
};

enum as_seg_type {
	AS_SEG_SET = 1,			/* RFC 4271 4.3 */
	AS_SEG_SEQUENCE = 2,
	AS_SEG_CONFED_SEQUENCE = 3,	/* RFC 5065 3 */
	AS_SEG_CONFED_SET = 4,
};

/*
 * One recognised attribute.  "Malformed" means a length outside the rules
 * here or a value the decoder's own check for that code rejects; both
 * take the same action, except that ORIGIN's undefined value carries its
 * own subcode (RFC 4271 6.3: Invalid ORIGIN Attribute).
 */
struct attr_desc {
	const char	*name;		/* lowercase, for logs and -d output */
	uint8_t		 flags;		/* O and T bits: checked, and sent */
	uint16_t	 min_len;	/* value length, octets */
	uint16_t	 max_len;
	uint8_t		 len_mult;	/* a multiple of it; 0: any */
	uint8_t		 as4_grow;	/* added to both on an AS4 session */
	enum upd_verdict bad_flags;	/* O/T not as above (RFC 7606 3.c) */
	enum upd_verdict malformed;	/* RFC 7606 7 for this code */
	uint8_t		 subcode;	/* RFC 4271 6.3 Update Message Error */
	const char	*bad_len;	/* reason reported for a bad length */
	bool		 ibgp_only;	/* discarded from an external peer */
	bool		 as2_only;	/* discarded on an AS4 session */
};

/* the descriptor of a code, or NULL if nomcast does not recognise it */
const struct attr_desc *attr_desc(uint8_t code);
/* its name, or NULL if not recognised */
const char *attr_name(uint8_t code);
/* the O and T bits to send with a recognised code */
uint8_t attr_flags(uint8_t code);
/* whether a value of len octets obeys d's length rules */
bool attr_len_ok(const struct attr_desc *d, size_t len, bool as4);

#endif
