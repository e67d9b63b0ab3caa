/*
 * announce.h - what a service's prefixes look like to one peer, pure.
 */
#ifndef NOMCAST_ANNOUNCE_H
#define NOMCAST_ANNOUNCE_H

#include "nomcastd/config.h"
#include "bgpd/msg.h"

/*
 * Fill the attributes that peer gets for service's prefixes of family afi.
 * eBGP: AS_PATH = our AS; iBGP: empty AS_PATH and LOCAL_PREF (default
 * 100).  The next hop is the configured one, or our address on the session
 * (local) when it is of the right family.  0, or -1 if there is no next
 * hop of that family (the prefixes cannot be sent to this peer).
 */
int	announce_attrs(const struct conf *c, const struct conf_peer *peer,
	    const struct conf_service *svc, const struct addr *local,
	    uint8_t afi, struct bgp_attrs *out);

/*
 * Make attributes worse for a service that is down with on-down = degrade,
 * so this node stays a last resort: the configured MED, the AS prepended
 * degrade-prepend more times (eBGP only: an iBGP AS_PATH stays empty), and
 * the extra communities (kept sorted, duplicates dropped).
 */
void	announce_degrade(const struct conf *c, const struct conf_service *svc,
	    bool ibgp, struct bgp_attrs *a);

#define COMMUNITY_GRACEFUL_SHUTDOWN	0xffff0000u	/* 65535:0, RFC 8326 */

/*
 * A drained service: the GRACEFUL_SHUTDOWN community (RFC 8326) is added so
 * the routers prefer other paths before the route is withdrawn.
 */
void	announce_drain(struct bgp_attrs *a);

/* does this service go to the peer at index i? */
bool	announce_uses_peer(const struct conf_service *svc, size_t i);

#endif
