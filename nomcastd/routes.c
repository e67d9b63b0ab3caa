/*
 * routes.c - what each peer should hold: a service's prefixes, with the
 * attributes its mode (announced, degraded, draining) gives them, into
 * the peer's Adj-RIB-Out; the speaker sends the difference.
 */
#include "nomcastd/routes.h"

#include "nomcastd/announce.h"
#include "nomcastd/daemon.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"

/* the service's prefixes of one family as the peer should hold them */
static void
sync_family(const struct conf *c, struct peer *p, const struct svc *s,
    uint8_t afi)
{
	struct bgp_attrs attrs;
	char buf[PREFIX_STRLEN];
	bool have = false;
	size_t k;

	if (s->mode != SVC_MODE_NONE) {
		have = announce_attrs(c, p->cf, s->cf, &p->c.local, afi,
		    &attrs) == 0;
		if (have && s->mode == SVC_MODE_DEGRADED)
			announce_degrade(c, s->cf,
			    conf_peer_is_ibgp(&c->bgp, p->cf), &attrs);
		if (have && s->mode == SVC_MODE_DRAINING)
			announce_drain(&attrs);
	}
	for (k = 0; k < s->cf->nprefixes; k++) {
		const struct prefix *px = &s->cf->prefixes[k];

		if (px->afi != afi)
			continue;
		if (s->mode == SVC_MODE_NONE) {
			ribout_unset(p->ro, px);
			continue;
		}
		if (!have) {
			peer_log_rl(p, LOG_LVL_WARN, "svc=%s prefix=%s "
			    "msg=\"no next hop of this family for the peer: "
			    "not announced\"", LV(s->cf->name),
			    prefix_str(px, buf, sizeof(buf)));
			continue;
		}
		if (ribout_set(p->ro, px, &attrs) == -1)
			peer_log_rl(p, LOG_LVL_ERR, "msg=\"out of memory\"");
	}
}

void
routes_sync_peer(struct nomcast *nc, struct peer *p)
{
	size_t i;
	uint8_t afi;

	/* a session coming up syncs everything (the next hop needs it) */
	if (!peer_is_established(p))
		return;
	for (i = 0; i < nc->nsvcs; i++) {
		if (!announce_uses_peer(nc->svcs[i].cf, p->idx))
			continue;
		for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++)
			sync_family(&nc->conf, p, &nc->svcs[i], afi);
	}
	peer_flush(p);
}

void
routes_sync_service(struct nomcast *nc, const struct svc *s)
{
	size_t i;
	uint8_t afi;

	/* only this service's prefixes: the rest of each table is as it was */
	for (i = 0; i < nc->sp.npeers; i++) {
		struct peer *p = nc->sp.peers[i];

		if (!peer_is_established(p) || !announce_uses_peer(s->cf, p->idx))
			continue;
		for (afi = AFI_IPV4; afi <= AFI_IPV6; afi++)
			sync_family(&nc->conf, p, s, afi);
		peer_flush(p);
	}
}
