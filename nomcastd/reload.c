/*
 * reload.c - hitless reload (SIGHUP or nomcastctl reload).
 *
 * The new file is parsed and validated whole before anything changes; an
 * invalid file leaves the running config untouched.  A valid one is first
 * compared with the running config into a plan (reload_plan.h), then the
 * plan is carried out: added peers start, deleted ones get Cease/Peer
 * De-configured, reset ones Cease/Other Configuration Change, and every
 * kept session stays up and only receives the routes that changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nomcastd/daemon.h"
#include "bgpd/notif.h"
#include "nomcastd/metrics.h"
#include "nomcastd/peer_bfd.h"
#include "nomcastd/reload_plan.h"
#include "nomcastd/routes.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"

static void
diag_to_err(const struct conf_diag *d, char *err, size_t errlen)
{
	size_t i, off = 0;

	err[0] = '\0';
	for (i = 0; i < d->n && off + 1 < errlen; i++) {
		if (!d->is_err[i])
			continue;
		log_err("msg=\"reload rejected\" error=%s", LQ(d->lines[i]));
		off += (size_t)snprintf(err + off, errlen - off, "%s%s",
		    off ? "; " : "", d->lines[i]);
	}
}

/*
 * The peers of the new file, as the plan says: the new array (np, owned
 * by the caller) holds kept and reset peers moved over and added ones;
 * deleted ones are stopped and freed.
 */
static void
peers_apply(struct nomcast *nc, const struct plan_list *pl,
    struct conf *nconf, struct peer **np)
{
	struct peer **op = nc->sp.peers;
	size_t i, k;

	for (k = 0; k < pl->nold; k++) {
		if (pl->old_op[k] != PLAN_DELETE)
			continue;
		peer_log(op[k], LOG_LVL_INFO, "msg=\"removed by reload\"");
		peer_stop_reason(op[k], NOTIF_CEASE_PEER_DECONFIGURED);
		peer_free(op[k]);
	}
	for (i = 0; i < pl->nnew; i++) {
		struct peer *p;

		if (pl->new_op[i] == PLAN_ADD) {
			if ((np[i] = peer_new(&nc->sp, &nconf->peers[i], i)) ==
			    NULL)
				fatal("msg=\"out of memory\"");
			continue;
		}
		p = np[i] = op[pl->from[i]];
		p->cf = &nconf->peers[i];
		p->idx = i;
		if (pl->new_op[i] == PLAN_KEEP)
			continue;
		peer_log(p, LOG_LVL_INFO, "msg=\"session parameters changed: "
		    "reset\"");
		peer_stop_reason(p, NOTIF_CEASE_OTHER_CONFIG_CHANGE);
		peer_rename(p);
		peer_start(p);
	}
}

/*
 * Every peer desires afresh what the new config says: prefixes of removed
 * services go; an unchanged route is desired as it was sent, so the
 * Adj-RIB-Out sends only the difference.
 */
static void
peers_resync(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->sp.npeers; i++) {
		struct peer *p = nc->sp.peers[i];

		if (p->c.fsm.state == FSM_IDLE && !ev_is_active(&p->restart))
			peer_start(p);
		ribout_unset_all(p->ro);
		routes_sync_peer(nc, p);
	}
}

/* metrics-listen moved (or came or went): serve where the file says */
static void
metrics_apply(struct nomcast *nc, const struct reload_plan *plan)
{
	if (!plan->metrics_restart)
		return;
	metrics_stop(nc);
	if (metrics_start(nc) == -1)
		log_err("msg=\"reload: cannot serve the metrics endpoint\"");
}

static void
log_restart_only(const struct reload_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nrestart_only; i++)
		log_warn("msg=\"reload: changed key takes effect at the next "
		    "restart\" key=%s", plan->restart_only[i]);
}

static void
result_fill(struct reload_result *res, const struct reload_plan *plan)
{
	memset(res, 0, sizeof(*res));
	memcpy(res->peers, plan->peers.n, sizeof(res->peers));
	memcpy(res->services, plan->services.n, sizeof(res->services));
	memcpy(res->checks, plan->checks.n, sizeof(res->checks));
	memcpy(res->restart_only, plan->restart_only,
	    sizeof(res->restart_only));
	res->nrestart_only = plan->nrestart_only;
}

int
daemon_reload(struct nomcast *nc, struct reload_result *res, char *err,
    size_t errlen)
{
	struct conf nconf, old;
	struct conf_diag d;
	struct reload_plan plan;
	struct peer **np;
	size_t i;

	if (conf_load(nc->conf.path, &nconf, &d) == -1) {
		diag_to_err(&d, err, errlen);
		conf_diag_free(&d);
		return -1;
	}
	for (i = 0; i < d.n; i++)
		log_warn("msg=\"reload\" warning=%s", LQ(d.lines[i]));
	conf_diag_free(&d);
	np = calloc(nconf.npeers ? nconf.npeers : 1, sizeof(*np));
	if (np == NULL || reload_plan_make(&plan, &nc->conf, &nconf) == -1) {
		free(np);
		conf_free(&nconf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	peers_apply(nc, &plan.peers, &nconf, np);
	free(nc->sp.peers);
	nc->sp.peers = np;
	nc->sp.npeers = nconf.npeers;
	/* the peers point into nconf's peer array, which nc->conf now holds */
	old = nc->conf;
	nc->conf = nconf;
	peer_bfd_reload(nc, &old, &plan.peers);
	if (services_reload(nc, &plan) == -1)
		log_err("msg=\"reload: cannot start every check or service\"");
	conf_free(&old);
	if (plan.listen_reopen) {
		session_listen_close(&nc->sp);
		if (session_listen(&nc->sp) == -1)
			log_err("msg=\"reload: cannot reopen the listener\"");
	}
	metrics_apply(nc, &plan);
	peers_resync(nc);
	log_restart_only(&plan);
	nc->conf_loaded = time(NULL);
	log_info("msg=\"reloaded\" file=%s peers-started=%u peers-reset=%u "
	    "peers-removed=%u services-kept=%u services-changed=%u "
	    "services-added=%u services-removed=%u checks-kept=%u "
	    "checks-restarted=%u checks-added=%u checks-removed=%u",
	    LV(nc->conf.path), plan.peers.n[PLAN_ADD], plan.peers.n[PLAN_RESET],
	    plan.peers.n[PLAN_DELETE], plan.services.n[PLAN_KEEP],
	    plan.services.n[PLAN_RESET], plan.services.n[PLAN_ADD],
	    plan.services.n[PLAN_DELETE], plan.checks.n[PLAN_KEEP],
	    plan.checks.n[PLAN_RESET], plan.checks.n[PLAN_ADD],
	    plan.checks.n[PLAN_DELETE]);
	if (res != NULL)
		result_fill(res, &plan);
	reload_plan_free(&plan);
	return 0;
}
