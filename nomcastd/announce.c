/* announce.c - per-peer attributes of a service; see announce.h */
#include "nomcastd/announce.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_LOCAL_PREF	100	/* the common default of routers */

void
announce_degrade(const struct conf *c, const struct conf_service *svc,
    bool ibgp, struct bgp_attrs *a)
{
	uint8_t i, j;

	if (svc->has_degrade_med) {
		a->has_med = true;
		a->med = svc->degrade_med;
	}
	for (i = 0; !ibgp && i < svc->degrade_prepend &&
	    a->aspath_len < ATTR_MAX_ASPATH; i++)
		a->aspath[a->aspath_len++] = c->bgp.asn;
	for (i = 0; i < svc->ndegrade_comm; i++) {
		bool dup = false;

		for (j = 0; j < a->ncomm; j++)
			dup = dup || a->comm[j] == svc->degrade_comm[i];
		if (!dup && a->ncomm < ATTR_MAX_COMMUNITIES)
			a->comm[a->ncomm++] = svc->degrade_comm[i];
	}
	qsort(a->comm, a->ncomm, sizeof(a->comm[0]), comm_cmp);
}

void
announce_drain(struct bgp_attrs *a)
{
	uint8_t j;

	for (j = 0; j < a->ncomm; j++)
		if (a->comm[j] == COMMUNITY_GRACEFUL_SHUTDOWN)
			return;
	if (a->ncomm < ATTR_MAX_COMMUNITIES)
		a->comm[a->ncomm++] = COMMUNITY_GRACEFUL_SHUTDOWN;
	qsort(a->comm, a->ncomm, sizeof(a->comm[0]), comm_cmp);
}

bool
announce_uses_peer(const struct conf_service *svc, size_t i)
{
	return svc->all_peers || (svc->use_peer != NULL && svc->use_peer[i]);
}

int
announce_attrs(const struct conf *c, const struct conf_peer *peer,
    const struct conf_service *svc, const struct addr *local, uint8_t afi,
    struct bgp_attrs *out)
{
	bool ibgp = peer->asn == c->bgp.asn;

	memset(out, 0, sizeof(*out));
	out->origin = svc->origin;
	if (!ibgp) {
		/* RFC 4271 5.1.2: an eBGP speaker prepends its own AS */
		out->aspath_len = 1;
		out->aspath[0] = c->bgp.asn;
	} else {
		/* RFC 4271 5.1.5: LOCAL_PREF goes to internal peers only */
		out->has_local_pref = true;
		out->local_pref = svc->has_local_pref ? svc->local_pref :
		    DEFAULT_LOCAL_PREF;
	}
	out->has_med = svc->has_med;
	out->med = svc->med;
	out->ncomm = svc->ncomm;
	memcpy(out->comm, svc->comm, sizeof(out->comm[0]) * svc->ncomm);
	qsort(out->comm, out->ncomm, sizeof(out->comm[0]), comm_cmp);
	out->nlcomm = svc->nlcomm;
	memcpy(out->lcomm, svc->lcomm, sizeof(out->lcomm[0]) * svc->nlcomm);
	qsort(out->lcomm, out->nlcomm, sizeof(out->lcomm[0]), lcomm_cmp);
	if (afi == AFI_IPV4) {
		if (addr_is_set(&peer->next_hop))
			out->nh4 = peer->next_hop;
		else if (local != NULL && local->afi == AFI_IPV4)
			out->nh4 = *local;
		else
			return -1;
	} else {
		if (addr_is_set(&peer->next_hop6))
			out->nh6 = peer->next_hop6;
		else if (local != NULL && local->afi == AFI_IPV6)
			out->nh6 = *local;
		else
			return -1;
		if (addr_is_set(&peer->next_hop6_ll))
			out->nh6_ll = peer->next_hop6_ll;
	}
	return 0;
}
