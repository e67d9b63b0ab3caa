/*
 * community.h - the well-known communities by name (RFC 1997 and the
 * IANA "BGP Well-known Communities" registry): the config reads the
 * names, nomcastctl prints them.  One table, so that both sides agree.
 */
#ifndef NOMCAST_COMMUNITY_H
#define NOMCAST_COMMUNITY_H

#include <stddef.h>
#include <stdint.h>

/* the name of a well-known community, or NULL */
const char	*community_wk_name(uint32_t value);
/* the value of a well-known name; 0 or -1 (not one) */
int		 community_wk_value(const char *name, uint32_t *out);

#endif
