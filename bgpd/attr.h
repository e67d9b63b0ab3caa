/*
 * attr.h - path attribute numbers shared by the decoder (msg.c) and the
 * encoder (updb.c): RFC 4271 4.3 and the IANA registry.
 */
#ifndef NOMCAST_ATTR_H
#define NOMCAST_ATTR_H

#define BGP_MARKER_LEN		16

enum attr_flag {
	ATTR_F_OPTIONAL = 0x80,		/* RFC 4271 4.3 flags */
	ATTR_F_TRANSITIVE = 0x40,
	ATTR_F_PARTIAL = 0x20,
	ATTR_F_EXTLEN = 0x10,
	ATTR_F_OT = ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
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

#endif
