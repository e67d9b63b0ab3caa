/*
 * community.c - the well-known communities; see community.h.
 *
 * Only the registry's entries that an RFC defines: a draft's value may
 * still be given back or reassigned.
 */
#include "bgpd/community.h"

#include <string.h>

static const struct {
	const char	*name;
	uint32_t	 value;
} community_wk[] = {
	{ "graceful-shutdown",		0xffff0000u },	/* RFC 8326 */
	{ "accept-own",			0xffff0001u },	/* RFC 7611 */
	{ "llgr-stale",			0xffff0006u },	/* RFC 9494 */
	{ "no-llgr",			0xffff0007u },	/* RFC 9494 */
	{ "standby-pe",			0xffff0009u },	/* RFC 9026 */
	{ "blackhole",			0xffff029au },	/* RFC 7999 */
	{ "no-export",			0xffffff01u },	/* RFC 1997 */
	{ "no-advertise",		0xffffff02u },	/* RFC 1997 */
	{ "no-export-subconfed",	0xffffff03u },	/* RFC 1997 */
	{ "no-peer",			0xffffff04u },	/* RFC 3765 */
};

#define COMMUNITY_NWK	(sizeof(community_wk) / sizeof(community_wk[0]))

const char *
community_wk_name(uint32_t value)
{
	size_t i;

	for (i = 0; i < COMMUNITY_NWK; i++)
		if (community_wk[i].value == value)
			return community_wk[i].name;
	return NULL;
}

int
community_wk_value(const char *name, uint32_t *out)
{
	size_t i;

	for (i = 0; i < COMMUNITY_NWK; i++) {
		if (strcmp(community_wk[i].name, name) == 0) {
			*out = community_wk[i].value;
			return 0;
		}
	}
	return -1;
}
