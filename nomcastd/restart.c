/*
 * restart.c - graceful restart, the daemon's side; see restart.h.
 */
#include "nomcastd/restart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/mono.h"
#include "nomad/watch.h"
#include "nomcastd/announce.h"
#include "nomcastd/daemon.h"
#include "nomcastd/peer_bfd.h"
#include "nomcastd/restart_rec.h"
#include "nomcastd/service.h"
#include "bgpd/session.h"

#define RESTART_REC_NAME	"nomcast.restart"
#define RESTART_DEFAULT_DIR	"/run/nomcast"

int
restart_path(const struct conf *c, char *buf, size_t len)
{
	const char *dir = getenv("NOMAD_ALLOC_DIR");
	int n;

	/* the alloc dir outlives a task restart, and the alloc ends it */
	if (c->g.restart_state[0] != '\0')
		n = snprintf(buf, len, "%s", c->g.restart_state);
	else if (dir != NULL && dir[0] != '\0')
		n = snprintf(buf, len, "%s/%s", dir, RESTART_REC_NAME);
	else
		n = snprintf(buf, len, "%s/%s", RESTART_DEFAULT_DIR,
		    RESTART_REC_NAME);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- coming back ---- */

static bool
all_decided(const struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->nsvcs; i++)
		if (nc->svcs[i].v.state == VERDICT_UNKNOWN)
			return false;
	return true;
}

/* the restart is over: End-of-RIB to every peer, later sessions at once */
static void
restart_end(struct nomcast *nc, bool by_timer)
{
	struct restart_state *rs = &nc->restart;
	size_t i, undecided = 0;

	if (!nc->sp.gr_eor_held)
		return;
	nc->sp.gr_eor_held = false;
	ev_timer_stop(nc->loop, &rs->defer);
	rs->eor_ms = mono_ms() - rs->start_ms;
	if (rs->eor_ms == 0)
		rs->eor_ms = 1;
	rs->eor_by_timer = by_timer;
	for (i = 0; i < nc->nsvcs; i++)
		if (nc->svcs[i].v.state == VERDICT_UNKNOWN)
			undecided++;
	if (by_timer)
		log_warn("msg=\"graceful restart: restart-defer-time over, "
		    "End-of-RIB sent with services still undecided\" "
		    "undecided=%zu after_ms=%llu", undecided,
		    (unsigned long long)rs->eor_ms);
	else
		log_info("msg=\"graceful restart: first verdicts in, "
		    "End-of-RIB sent\" after_ms=%llu",
		    (unsigned long long)rs->eor_ms);
	for (i = 0; i < nc->sp.npeers; i++)
		peer_send_eor(nc->sp.peers[i]);
}

static void
defer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	restart_end(t->data, true);
}

/* the restart time is over: the peers have dropped what they kept */
static void
rbit_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct nomcast *nc = t->data;

	(void)loop;
	(void)revents;
	nc->sp.gr_restarting = false;
}

void
restart_begin(struct nomcast *nc)
{
	struct restart_state *rs = &nc->restart;
	struct restart_rec *r = &rs->rec;
	char path[CONF_PATH_MAX + 32];
	int got;

	rs->start_ms = mono_ms();
	ev_timer_init(&rs->defer, defer_cb,
	    (double)nc->conf.g.restart_defer_ms / 1000.0, 0.);
	rs->defer.data = nc;
	ev_timer_init(&rs->rbit, rbit_cb, 0., 0.);
	rs->rbit.data = nc;
	if (!conf_gr_configured(&nc->conf))
		return;
	if (restart_path(&nc->conf, path, sizeof(path)) == -1) {
		log_err("msg=\"graceful restart: record path too long\"");
		return;
	}
	got = restart_rec_take(path, r, rs->record_why,
	    sizeof(rs->record_why));
	if (got == 1 && r->restart_time > conf_gr_restart_time_max(&nc->conf)) {
		/* the promise made then is longer than any peer keeps now */
		r->restart_time = conf_gr_restart_time_max(&nc->conf);
	}
	if (got != 1) {
		if (rs->record_why[0] != '\0')
			log_info("msg=\"graceful restart: record not used\" "
			    "file=%s why=%s", LE(path), LQ(rs->record_why));
		return;
	}
	rs->came_back = true;
	/* R and F in every OPEN for as long as the peers keep our routes */
	nc->sp.gr_restarting = true;
	nc->sp.gr_eor_held = true;
	ev_timer_set(&rs->rbit, (double)r->restart_time, 0.);
	ev_timer_start(nc->loop, &rs->rbit);
	log_info("msg=\"graceful restart: coming back, routes held by the "
	    "peers until the first verdicts\" file=%s age_s=%lld "
	    "exit_reason=%s bfd_taken_over=%zu", LE(path),
	    (long long)(time(NULL) - r->wall), LQ(r->reason), r->nbfd);
	if (all_decided(nc))
		restart_end(nc, false);	/* all decided already: no wait */
	else
		ev_timer_start(nc->loop, &rs->defer);
}

/* withdraw a service's prefixes from one peer that may hold them stale */
static void
withdraw_stale(struct peer *p, const struct svc *s)
{
	size_t k;

	if (!p->gr_ok || !announce_uses_peer(s->cf, p->idx))
		return;
	for (k = 0; k < s->cf->nprefixes; k++)
		peer_withdraw_stale(p, &s->cf->prefixes[k]);
}

void
restart_peer_up(struct nomcast *nc, struct peer *p)
{
	size_t i;

	if (!nc->sp.gr_eor_held)
		return;
	for (i = 0; i < nc->nsvcs; i++)
		if (nc->svcs[i].mode == SVC_MODE_NONE &&
		    nc->svcs[i].v.state != VERDICT_UNKNOWN)
			withdraw_stale(p, &nc->svcs[i]);
}

void
restart_verdict(struct nomcast *nc, const struct svc *s)
{
	size_t i;

	if (!nc->sp.gr_eor_held)
		return;
	/* came back down: the stale route must not wait for End-of-RIB */
	if (s->mode == SVC_MODE_NONE && s->v.state != VERDICT_UNKNOWN) {
		svc_log(s, LOG_LVL_INFO, "msg=\"graceful restart: first "
		    "verdict %s, stale routes withdrawn\"",
		    verdict_state_name(s->v.state));
		for (i = 0; i < nc->sp.npeers; i++)
			withdraw_stale(nc->sp.peers[i], s);
	}
	if (all_decided(nc))
		restart_end(nc, false);
}

/* ---- leaving ---- */

static enum gr_reg
svc_reg(const struct svc *s)
{
	if (s->nomad == NULL)
		return GR_REG_UNKNOWN;
	switch (nomad_watch_registered(s->nomad)) {
	case NSRC_REG_YES:
		return GR_REG_YES;
	case NSRC_REG_NO:
		return GR_REG_NO;
	default:
		return GR_REG_UNKNOWN;
	}
}

void
restart_inputs(const struct nomcast *nc, enum gr_force force,
    enum gr_alloc alloc, struct gr_svc *svc, struct gr_in *in)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	in->force = force;
	in->alloc = alloc;
	in->nomad = nc->check_env.nomad != NULL;
	for (i = 0; i < nc->sp.npeers; i++)
		if (peer_is_established(nc->sp.peers[i]) &&
		    nc->sp.peers[i]->gr_ok)
			in->peers_gr++;
	for (i = 0; i < nc->nsvcs; i++) {
		const struct svc *s = &nc->svcs[i];
		struct svc_info si;

		svc_info(s, &si);
		memset(&svc[i], 0, sizeof(svc[i]));
		svc[i].name = s->cf->name;
		svc[i].draining = si.drain || s->mode == SVC_MODE_DRAINING;
		svc[i].announced = s->mode != SVC_MODE_NONE &&
		    !svc[i].draining;
		svc[i].nomad = s->nomad != NULL;
		svc[i].reg = svc_reg(s);
	}
	in->svc = svc;
	in->nsvc = nc->nsvcs;
}

static void
write_record(struct nomcast *nc)
{
	struct restart_rec *r = &nc->restart.out;
	char path[CONF_PATH_MAX + 32], err[256];

	r->restart_time = conf_gr_restart_time_max(&nc->conf);
	if (restart_path(&nc->conf, path, sizeof(path)) == -1 ||
	    restart_rec_stamp(r, err, sizeof(err)) == -1 ||
	    restart_rec_write(path, r, err, sizeof(err)) == -1) {
		/* the next start is then a plain one: F clear, routes redone */
		log_err("msg=\"graceful restart: cannot write the record\" "
		    "file=%s error=%s", LE(path), LQ(err));
		return;
	}
	log_info("msg=\"graceful restart: record written\" file=%s "
	    "restart_time=%u bfd_handed_over=%zu", LE(path), r->restart_time,
	    r->nbfd);
}

/* BFD handed over (or given up on): close BGP, write the record, go */
static void
leave_finish(struct nomcast *nc)
{
	struct restart_state *rs = &nc->restart;
	size_t i;

	ev_timer_stop(nc->loop, &rs->leave_tm);
	if (!peer_bfd_handover_collect(nc, &rs->out))
		log_warn("msg=\"graceful restart: a router did not answer "
		    "the BFD Poll in time; its session goes AdminDown\" "
		    "wait_ms=%u", RESTART_BFD_WAIT_MS);
	/* handed-over sessions fall silent, the others go AdminDown */
	peer_bfd_stop(nc);
	for (i = 0; i < nc->sp.npeers; i++)
		peer_stop_graceful(nc->sp.peers[i]);
	write_record(nc);
	rs->left(nc);
}

static void
leave_tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct nomcast *nc = t->data;
	struct restart_state *rs = &nc->restart;

	(void)loop;
	(void)revents;
	if (peer_bfd_handover_collect(nc, &rs->out) ||
	    mono_ms() >= rs->leave_deadline)
		leave_finish(nc);
}

void
restart_leave(struct nomcast *nc, const char *why, restart_left_fn *left)
{
	struct restart_state *rs = &nc->restart;
	size_t n;

	rs->graceful = true;
	rs->left = left;
	memset(&rs->out, 0, sizeof(rs->out));
	snprintf(rs->out.reason, sizeof(rs->out.reason), "%s", why);
	session_listen_close(&nc->sp);
	/*
	 * BFD first: each session is slowed down until the router's
	 * Detection Time covers the restart, then handed to the next
	 * process (not AdminDown: see struct bfd_handover)
	 */
	if ((n = peer_bfd_handover_begin(nc)) == 0) {
		leave_finish(nc);
		return;
	}
	log_info("msg=\"graceful restart: slowing BFD down before leaving\" "
	    "sessions=%zu", n);
	rs->leave_deadline = mono_ms() + RESTART_BFD_WAIT_MS;
	ev_timer_init(&rs->leave_tm, leave_tick_cb, 0.005, 0.005);
	rs->leave_tm.data = nc;
	ev_timer_start(nc->loop, &rs->leave_tm);
}

void
restart_stop(struct nomcast *nc)
{
	ev_timer_stop(nc->loop, &nc->restart.defer);
	ev_timer_stop(nc->loop, &nc->restart.rbit);
	ev_timer_stop(nc->loop, &nc->restart.leave_tm);
}
