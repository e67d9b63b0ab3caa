/*
 * reload.c - hitless reload (SIGHUP or nomcastctl reload).
 *
 * The new file is parsed and validated whole before anything changes; an
 * invalid file leaves the running config untouched.  A valid one is applied
 * as a difference: new peers start, removed peers get Cease/Peer
 * De-configured, peers whose session parameters changed are reset with
 * Cease/Other Configuration Change, and every other session stays up and
 * only receives the routes that changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nomcastd/daemon.h"
#include "bgpd/notif.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"

/* would this change of the peer's config need a new session? */
static bool
peer_session_same(const struct conf_peer *a, const struct conf_peer *b)
{
	return addr_equal(&a->addr, &b->addr) && a->asn == b->asn &&
	    a->port == b->port && a->passive == b->passive &&
	    a->hold_time == b->hold_time &&
	    addr_equal(&a->local_addr, &b->local_addr) &&
	    strcmp(a->password, b->password) == 0 &&
	    a->ttl_security == b->ttl_security && a->multihop == b->multihop;
}

/* the global settings every session depends on */
static bool
global_session_same(const struct conf_bgp *a, const struct conf_bgp *b)
{
	return a->asn == b->asn && a->router_id == b->router_id;
}

static bool
listen_same(const struct conf *a, const struct conf *b)
{
	size_t i;

	if (a->bgp.listen != b->bgp.listen || a->bgp.listen_port != b->bgp.listen_port ||
	    !addr_equal(&a->bgp.listen_addr, &b->bgp.listen_addr) ||
	    a->npeers != b->npeers)
		return false;
	/* TCP-MD5 keys live on the listener */
	for (i = 0; i < a->npeers; i++)
		if (!addr_equal(&a->peers[i].addr, &b->peers[i].addr) ||
		    strcmp(a->peers[i].password, b->peers[i].password) != 0)
			return false;
	return true;
}

static struct peer *
take_peer(struct peer **old, size_t nold, const char *name)
{
	size_t i;
	struct peer *p;

	for (i = 0; i < nold; i++) {
		if (old[i] != NULL && strcmp(old[i]->cf->name, name) == 0) {
			p = old[i];
			old[i] = NULL;
			return p;
		}
	}
	return NULL;
}

static void
diag_to_err(const struct conf_diag *d, char *err, size_t errlen)
{
	size_t i, off = 0;

	err[0] = '\0';
	for (i = 0; i < d->n && off + 1 < errlen; i++) {
		if (!d->is_err[i])
			continue;
		log_err("msg=\"reload rejected\" error=\"%s\"", d->lines[i]);
		off += (size_t)snprintf(err + off, errlen - off, "%s%s",
		    off ? "; " : "", d->lines[i]);
	}
}

int
daemon_reload(struct nomcast *nc, char *err, size_t errlen)
{
	struct conf nconf, old;
	struct conf_diag d;
	struct peer **np, **op = nc->sp.peers;
	size_t i, nold = nc->sp.npeers, nnew;
	bool gsame, lsame;
	unsigned started = 0, reset = 0, removed = 0;

	if (conf_load(nc->conf.path, &nconf, &d) == -1) {
		diag_to_err(&d, err, errlen);
		conf_diag_free(&d);
		return -1;
	}
	for (i = 0; i < d.n; i++)
		log_warn("msg=\"reload\" warning=\"%s\"", d.lines[i]);
	conf_diag_free(&d);
	nnew = nconf.npeers;
	if ((np = calloc(nnew ? nnew : 1, sizeof(*np))) == NULL) {
		conf_free(&nconf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	gsame = global_session_same(&nc->conf.bgp, &nconf.bgp);
	lsame = listen_same(&nc->conf, &nconf);

	/* removed peers say goodbye with Peer De-configured and go */
	for (i = 0; i < nold; i++) {
		bool kept = false;
		size_t k;

		for (k = 0; k < nnew; k++)
			kept = kept || strcmp(op[i]->cf->name,
			    nconf.peers[k].name) == 0;
		if (kept)
			continue;
		log_info("peer=%s msg=\"removed by reload\"", op[i]->addr_str);
		peer_stop_reason(op[i], NOTIF_CEASE_PEER_DECONFIGURED);
		peer_free(op[i]);
		op[i] = NULL;
		removed++;
	}
	/* the new array: kept peers move over, changed ones are reset */
	for (i = 0; i < nnew; i++) {
		struct peer *p = take_peer(op, nold, nconf.peers[i].name);

		if (p == NULL) {
			if ((p = peer_new(&nc->sp, &nconf.peers[i], i)) == NULL)
				fatal("msg=\"out of memory\"");
			np[i] = p;
			started++;
			continue;
		}
		if (!gsame || !peer_session_same(p->cf, &nconf.peers[i])) {
			log_info("peer=%s msg=\"session parameters changed: "
			    "reset\"", p->addr_str);
			peer_stop_reason(p, NOTIF_CEASE_OTHER_CONFIG_CHANGE);
			p->cf = &nconf.peers[i];
			p->idx = i;
			peer_rename(p);
			peer_start(p);
			reset++;
		} else {
			p->cf = &nconf.peers[i];
			p->idx = i;
		}
		np[i] = p;
	}
	/* the services and checks move to the new config, verdicts kept */
	old = nc->conf;
	nc->conf = nconf;
	/* peers point into nc->conf now that it holds the new file */
	for (i = 0; i < nnew; i++)
		np[i]->cf = &nc->conf.peers[i];
	nc->sp.peers = np;
	nc->sp.npeers = nnew;
	free(op);
	if (services_reload(nc, &old) == -1)
		log_err("msg=\"reload: cannot start every check or service\"");
	conf_free(&old);
	if (!lsame) {
		session_listen_close(&nc->sp);
		if (session_listen(&nc->sp) == -1)
			log_err("msg=\"reload: cannot reopen the listener\"");
	}
	for (i = 0; i < nnew; i++) {
		if (np[i]->c.fsm.state == FSM_IDLE && !ev_is_active(&np[i]->restart))
			peer_start(np[i]);
		/*
		 * Desire afresh what the new config says: prefixes of removed
		 * services go; an unchanged route is desired as it was sent,
		 * so the Adj-RIB-Out sends only the difference.
		 */
		ribout_unset_all(np[i]->ro);
		daemon_sync_peer(nc, np[i]);
	}
	nc->conf_loaded = time(NULL);
	log_info("msg=\"reloaded\" file=%s peers-started=%u peers-reset=%u "
	    "peers-removed=%u", nc->conf.path, started, reset, removed);
	return 0;
}
