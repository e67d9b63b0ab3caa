/*
 * peer_bfd.c - what BFD does to BGP (RFC 5882), per peer with bfd = yes.
 *
 * A BFD failure (Up -> Down: the router stopped sending for the detection
 * time, or said Down) closes the peer's gate at once: Cease / BFD Down
 * (RFC 9384), and the BGP session stays Idle.  The gate opens again only
 * when BFD has been Up for bfd-hold-down without a break, so that a
 * flapping link never has BGP up in a moment BFD is not watching it.  With
 * bfd-strict the gate starts closed and opens the same way.  AdminDown,
 * either way, is not a failure (RFC 5882 3.2) and leaves BGP alone.
 */
#include "nomcastd/peer_bfd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/bfd.h"
#include "bgpd/notif.h"
#include "bgpd/session.h"
#include "nomcastd/daemon.h"
#include "nomcastd/reload_plan.h"
#include "nomcastd/restart_rec.h"

#define RETRY_SECS	1.0	/* a session that could not be made */

static const struct conf_bfd *
pb_conf(const struct peer_bfd *pb)
{
	return &pb->nc->conf.peer_bfd[pb->idx];
}

static struct peer *
pb_peer(const struct peer_bfd *pb)
{
	return pb->nc->sp.peers[pb->idx];
}

static bool
pb_up(const struct peer_bfd *pb)
{
	struct bfd_session_info si;

	if (pb->s == NULL)
		return false;
	bfd_session_info(pb->s, &si);
	return si.state == BFD_UP;
}

static void
hold_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct peer_bfd *pb = t->data;

	(void)loop;
	(void)revents;
	if (!pb_up(pb) || !pb_peer(pb)->gated)
		return;
	peer_log(pb_peer(pb), LOG_LVL_INFO, "msg=\"BFD up for the hold-down: "
	    "session may start\" hold-down-ms=%u", pb_conf(pb)->hold_down_ms);
	peer_gate(pb_peer(pb), true, 0);
}

static void
state_cb(void *ctx, struct bfd_session *s, uint8_t old, uint8_t state,
    bool failed)
{
	struct peer_bfd *pb = ctx;
	struct peer *p = pb_peer(pb);

	(void)s;
	(void)old;
	if (state == BFD_UP) {
		if (!p->gated)
			return;
		ev_timer_stop(pb->nc->loop, &pb->hold);
		ev_timer_set(&pb->hold, pb_conf(pb)->hold_down_ms / 1000.0, 0.);
		ev_timer_start(pb->nc->loop, &pb->hold);
		return;
	}
	ev_timer_stop(pb->nc->loop, &pb->hold);
	if (!failed)
		return;
	pb->downs++;
	peer_log(p, LOG_LVL_WARN, "msg=\"BFD down: session closed until BFD "
	    "is up again\" state=%s", fsm_state_name(p->c.fsm.state));
	peer_gate(p, false, NOTIF_CEASE_BFD_DOWN);
}

/* the session the previous process handed over for this peer, once */
static const struct bfd_handover *
handed_over(struct peer_bfd *pb)
{
	const struct restart_rec *r = &pb->nc->restart.rec;
	const char *name = pb->nc->conf.peers[pb->idx].name;
	size_t i;

	if (pb->resume_tried || !pb->nc->restart.came_back)
		return NULL;
	pb->resume_tried = true;
	for (i = 0; i < r->nbfd; i++)
		if (strcmp(r->bfd[i].peer, name) == 0)
			return &r->bfd[i].h;
	return NULL;
}

static int
pb_open(struct peer_bfd *pb)
{
	const struct conf_peer *cf = &pb->nc->conf.peers[pb->idx];
	const char *err = NULL;

	pb->s = bfd_session_resume(pb->nc->bfd, cf->name, &cf->addr,
	    &cf->local_addr, pb_conf(pb), state_cb, pb, handed_over(pb),
	    &err);
	if (pb->s != NULL)
		return 0;
	peer_log_rl(pb_peer(pb), LOG_LVL_WARN, "msg=\"cannot start BFD: %s; "
	    "trying again\"", err != NULL ? err : "?");
	ev_timer_set(&pb->retry, RETRY_SECS, 0.);
	ev_timer_start(pb->nc->loop, &pb->retry);
	return -1;
}

static void
retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	(void)pb_open(t->data);
}


static struct peer_bfd *
pb_new(struct nomcast *nc, size_t idx)
{
	struct peer_bfd *pb;

	if ((pb = calloc(1, sizeof(*pb))) == NULL)
		fatal("msg=\"out of memory\"");
	pb->nc = nc;
	pb->idx = idx;
	ev_timer_init(&pb->hold, hold_cb, 0., 0.);
	pb->hold.data = pb;
	ev_timer_init(&pb->retry, retry_cb, 0., 0.);
	pb->retry.data = pb;
	return pb;
}

/* the session goes (AdminDown to the router), with its timers */
static void
pb_free(struct peer_bfd *pb)
{
	if (pb == NULL)
		return;
	ev_timer_stop(pb->nc->loop, &pb->hold);
	ev_timer_stop(pb->nc->loop, &pb->retry);
	if (pb->s != NULL)
		bfd_session_del(pb->s);
	free(pb);
}

/* a peer's BFD from nothing: strict holds BGP until BFD is up */
static struct peer_bfd *
pb_begin(struct nomcast *nc, size_t idx)
{
	struct peer_bfd *pb;

	if (!nc->conf.peer_bfd[idx].enabled)
		return NULL;
	pb = pb_new(nc, idx);
	(void)pb_open(pb);
	/* a session taken over Up needs no wait: it never went down */
	if (pb_conf(pb)->strict && !peer_is_established(pb_peer(pb)) &&
	    !pb_up(pb))
		peer_gate(pb_peer(pb), false, NOTIF_CEASE_BFD_DOWN);
	return pb;
}

static bool
any_bfd(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (c->peer_bfd[i].enabled)
			return true;
	return false;
}

void
peer_bfd_start(struct nomcast *nc)
{
	size_t i;

	if (!any_bfd(&nc->conf))
		return;
	if ((nc->bfd = bfd_new(nc->loop)) == NULL ||
	    (nc->pbfd = calloc(nc->sp.npeers, sizeof(*nc->pbfd))) == NULL)
		fatal("msg=\"out of memory\"");
	for (i = 0; i < nc->sp.npeers; i++)
		nc->pbfd[i] = pb_begin(nc, i);
}

void
peer_bfd_stop(struct nomcast *nc)
{
	size_t i;

	for (i = 0; nc->pbfd != NULL && i < nc->sp.npeers; i++)
		pb_free(nc->pbfd[i]);
	free(nc->pbfd);
	nc->pbfd = NULL;
	bfd_free(nc->bfd);
	nc->bfd = NULL;
}

/* may new peer i keep the session old peer k had? */
static bool
same_session(const struct conf *old, size_t k, const struct conf *nw,
    size_t i)
{
	return addr_equal(&old->peers[k].addr, &nw->peers[i].addr) &&
	    addr_equal(&old->peers[k].local_addr, &nw->peers[i].local_addr) &&
	    conf_bfd_session_same(&old->peer_bfd[k], &nw->peer_bfd[i]);
}

void
peer_bfd_reload(struct nomcast *nc, const struct conf *old,
    const struct plan_list *pl)
{
	struct peer_bfd **opb = nc->pbfd, **npb;
	size_t i, k;

	if (opb == NULL && !any_bfd(&nc->conf))
		return;
	if (nc->bfd == NULL && (nc->bfd = bfd_new(nc->loop)) == NULL)
		fatal("msg=\"out of memory\"");
	if ((npb = calloc(pl->nnew ? pl->nnew : 1, sizeof(*npb))) == NULL)
		fatal("msg=\"out of memory\"");
	for (i = 0; i < pl->nnew; i++) {
		k = pl->from[i];
		if (k == PLAN_NONE || opb == NULL || opb[k] == NULL ||
		    opb[k]->s == NULL || !same_session(old, k, &nc->conf, i))
			continue;
		/* kept: the router sees new timers, never a Down */
		npb[i] = opb[k];
		opb[k] = NULL;
		npb[i]->idx = i;
		bfd_session_set_conf(npb[i]->s, &nc->conf.peer_bfd[i]);
	}
	for (k = 0; opb != NULL && k < pl->nold; k++)
		pb_free(opb[k]);
	free(opb);
	nc->pbfd = npb;
	for (i = 0; i < pl->nnew; i++) {
		if (npb[i] != NULL)
			continue;
		/* BFD turned off, or a new session: the old gate is moot */
		peer_gate(nc->sp.peers[i], true, 0);
		npb[i] = pb_begin(nc, i);
	}
}

size_t
peer_bfd_handover_begin(struct nomcast *nc)
{
	size_t i, n = 0;

	for (i = 0; nc->pbfd != NULL && i < nc->sp.npeers; i++) {
		struct peer_bfd *pb = nc->pbfd[i];

		if (pb == NULL || !pb_up(pb) || !nc->sp.peers[i]->gr_ok)
			continue;
		ev_timer_stop(nc->loop, &pb->retry);
		bfd_session_handover_begin(pb->s,
		    (uint64_t)nc->conf.peers[i].restart_time * 1000000u);
		pb->handing = true;
		n++;
	}
	return n;
}

bool
peer_bfd_handover_collect(struct nomcast *nc, struct restart_rec *r)
{
	bool done = true;
	size_t i;

	for (i = 0; nc->pbfd != NULL && i < nc->sp.npeers; i++) {
		struct peer_bfd *pb = nc->pbfd[i];
		struct restart_bfd *rb;

		if (pb == NULL || !pb->handing || pb->handed)
			continue;
		if (r->nbfd == RESTART_REC_BFD_MAX)
			continue;	/* the rest go AdminDown */
		rb = &r->bfd[r->nbfd];
		if (bfd_session_handover_take(pb->s, &rb->h) == -1) {
			done = false;
			continue;
		}
		snprintf(rb->peer, sizeof(rb->peer), "%s",
		    nc->conf.peers[i].name);
		r->nbfd++;
		pb->handed = true;
	}
	return done;
}
