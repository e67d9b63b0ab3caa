/*
 * attr.c - the path attribute table; see attr.h.
 *
 * Pure: static const data and lookups.  Each row cites the rule that sets
 * its length and its action; the O/T bits are those of RFC 4271 4.3 and
 * each attribute's own RFC.
 */
#include "bgpd/attr.h"

#include "bgpd/notif.h"

#define ANY_LEN			0xffff	/* no upper bound but the field's */

/*
 * RFC 7606 3.c: wrong O/T bits make an attribute malformed and
 * treat-as-withdraw applies, unless its own rule says otherwise.  Every
 * row names both actions so that no default hides.
 */
static const struct attr_desc attr_tab[256] = {
	/* RFC 7606 7.1 */
	[ATTR_ORIGIN] = { .name = "origin", .flags = ATTR_F_WELL_KNOWN,
	    .min_len = 1, .max_len = 1,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH, .bad_len = "ORIGIN length" },
	/* RFC 7606 7.2, RFC 7607 2: the segments decide, not the length */
	[ATTR_AS_PATH] = { .name = "as_path", .flags = ATTR_F_WELL_KNOWN,
	    .min_len = 0, .max_len = ANY_LEN,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_MALFORMED_AS_PATH,
	    .bad_len = "AS_PATH length" },
	/* RFC 7606 7.3 */
	[ATTR_NEXT_HOP] = { .name = "next_hop", .flags = ATTR_F_WELL_KNOWN,
	    .min_len = 4, .max_len = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH, .bad_len = "NEXT_HOP length" },
	/* RFC 7606 7.4 */
	[ATTR_MED] = { .name = "med", .flags = ATTR_F_OPTIONAL,
	    .min_len = 4, .max_len = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH,
	    .bad_len = "MULTI_EXIT_DISC length" },
	/* RFC 7606 7.5: from an external peer it is simply dropped */
	[ATTR_LOCAL_PREF] = { .name = "local_pref",
	    .flags = ATTR_F_WELL_KNOWN, .min_len = 4, .max_len = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH, .bad_len = "LOCAL_PREF length",
	    .ibgp_only = true },
	/* RFC 7606 7.6: the length rule alone says attribute discard */
	[ATTR_ATOMIC_AGGREGATE] = { .name = "atomic_aggregate",
	    .flags = ATTR_F_WELL_KNOWN, .min_len = 0, .max_len = 0,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_ATTR_DISCARD,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH,
	    .bad_len = "ATOMIC_AGGREGATE length" },
	/* RFC 7606 7.7: an AS (2 octets, or 4 by RFC 6793) and an address */
	[ATTR_AGGREGATOR] = { .name = "aggregator", .flags = ATTR_F_OT,
	    .min_len = 6, .max_len = 6, .as4_grow = 2,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_ATTR_DISCARD,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH, .bad_len = "AGGREGATOR length" },
	/* RFC 7606 7.8: a non-zero multiple of 4 */
	[ATTR_COMMUNITIES] = { .name = "communities", .flags = ATTR_F_OT,
	    .min_len = 4, .max_len = ANY_LEN, .len_mult = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "COMMUNITIES length" },
	/* RFC 7606 7.9 (RFC 4456): dropped from an external peer */
	[ATTR_ORIGINATOR_ID] = { .name = "originator_id",
	    .flags = ATTR_F_OPTIONAL, .min_len = 4, .max_len = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_ATTR_LENGTH,
	    .bad_len = "ORIGINATOR_ID length", .ibgp_only = true },
	/* RFC 7606 7.10: a non-zero multiple of 4, as ORIGINATOR_ID */
	[ATTR_CLUSTER_LIST] = { .name = "cluster_list",
	    .flags = ATTR_F_OPTIONAL, .min_len = 4, .max_len = ANY_LEN,
	    .len_mult = 4,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "CLUSTER_LIST length", .ibgp_only = true },
	/*
	 * RFC 7606 5.3 and 7.11: an MP attribute that cannot be read hides
	 * the NLRI, so even wrong flags reset the session; RFC 4760 7
	 * names the subcode.  At least AFI, SAFI, Length of Next Hop and
	 * Reserved.
	 */
	[ATTR_MP_REACH_NLRI] = { .name = "mp_reach", .flags = ATTR_F_OPTIONAL,
	    .min_len = 5, .max_len = ANY_LEN,
	    .bad_flags = UPD_SESSION_RESET, .malformed = UPD_SESSION_RESET,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "MP_REACH_NLRI truncated" },
	/* as MP_REACH_NLRI; at least AFI and SAFI */
	[ATTR_MP_UNREACH_NLRI] = { .name = "mp_unreach",
	    .flags = ATTR_F_OPTIONAL, .min_len = 3, .max_len = ANY_LEN,
	    .bad_flags = UPD_SESSION_RESET, .malformed = UPD_SESSION_RESET,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "MP_UNREACH_NLRI truncated" },
	/* RFC 7606 7.14: a non-zero multiple of 8 */
	[ATTR_EXT_COMMUNITIES] = { .name = "ext_communities",
	    .flags = ATTR_F_OT, .min_len = 8, .max_len = ANY_LEN,
	    .len_mult = 8,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "EXTENDED COMMUNITIES length" },
	/*
	 * RFC 6793 6: a malformed AS4_PATH, flags included, is discarded;
	 * 4.1: a NEW speaker ignores it from another NEW speaker.  At
	 * least one segment header and one AS.
	 */
	[ATTR_AS4_PATH] = { .name = "as4_path", .flags = ATTR_F_OT,
	    .min_len = 6, .max_len = ANY_LEN,
	    .bad_flags = UPD_ATTR_DISCARD, .malformed = UPD_ATTR_DISCARD,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "AS4_PATH malformed", .as2_only = true },
	/* RFC 6793 6 and 4.1 as AS4_PATH: a 4-octet AS and an address */
	[ATTR_AS4_AGGREGATOR] = { .name = "as4_aggregator",
	    .flags = ATTR_F_OT, .min_len = 8, .max_len = 8,
	    .bad_flags = UPD_ATTR_DISCARD, .malformed = UPD_ATTR_DISCARD,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "AS4_AGGREGATOR malformed", .as2_only = true },
	/* RFC 8092 6: a non-zero multiple of 12 */
	[ATTR_LARGE_COMMUNITY] = { .name = "large_community",
	    .flags = ATTR_F_OT, .min_len = 12, .max_len = ANY_LEN,
	    .len_mult = 12,
	    .bad_flags = UPD_TREAT_AS_WITHDRAW,
	    .malformed = UPD_TREAT_AS_WITHDRAW,
	    .subcode = NOTIF_UPDATE_OPTIONAL_ATTR,
	    .bad_len = "LARGE_COMMUNITY length" },
};

const struct attr_desc *
attr_desc(uint8_t code)
{
	return attr_tab[code].name != NULL ? &attr_tab[code] : NULL;
}

const char *
attr_name(uint8_t code)
{
	return attr_tab[code].name;
}

uint8_t
attr_flags(uint8_t code)
{
	return attr_tab[code].flags;
}

bool
attr_len_ok(const struct attr_desc *d, size_t len, bool as4)
{
	size_t grow = as4 ? d->as4_grow : 0;

	if (len < d->min_len + grow || len > d->max_len + grow)
		return false;
	return d->len_mult == 0 || len % d->len_mult == 0;
}
