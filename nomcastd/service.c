/*
 * service.c - checks -> verdicts -> peers and VIPs; see service.h.
 */
#include "nomcastd/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mono.h"
#include "nomcastd/daemon.h"
#include "bgpd/session.h"
#include "nomcastd/vip.h"
#include "nomad/watch.h"

/* a peer that does not drain its output keeps the VIP at most this long */
#define VIP_WAIT_MAX	1.0
/*
 * After the withdraw is written, the VIP stays this long: the router has
 * yet to read it and change its FIB, and a packet it forwarded here
 * meanwhile (a SYN, the rest of a request) must still find the address,
 * or the client gets a reset although the proxy is serving.
 */
#define VIP_LINGER	1.0

static void
svc_vip(struct svc *s, bool on)
{
	struct nomcast *nc = s->nc;
	size_t i;

	if (s->cf->vip_interface[0] == '\0' || nc->vip == NULL ||
	    s->vip_on == on)
		return;
	for (i = 0; i < s->cf->nprefixes; i++) {
		if (on)
			(void)vip_add(nc->vip, s->cf->vip_interface,
			    &s->cf->prefixes[i]);
		else
			(void)vip_del(nc->vip, s->cf->vip_interface,
			    &s->cf->prefixes[i]);
	}
	s->vip_on = on;
	svc_log(s, LOG_LVL_INFO, "vip=%s dev=%s", on ? "added" : "removed",
	    LV(s->cf->vip_interface));
}

static bool
output_pending(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->sp.npeers; i++)
		if (peer_pending_output(nc->sp.peers[i]) > 0)
			return true;
	return false;
}

/* the withdraw is in the kernel (or waited long enough): the linger */
static void
vip_release_withdrawn(struct svc *s)
{
	ev_timer_stop(s->nc->loop, &s->vip_wait);
	if (s->mode != SVC_MODE_NONE)
		return;
	s->vip_linger = true;
	ev_timer_set(&s->vip_wait, VIP_LINGER, 0.);
	ev_timer_start(s->nc->loop, &s->vip_wait);
}

/* the linger is over, or a peer never drained its output: VIP off */
static void
vip_wait_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct svc *s = t->data;

	(void)loop;
	(void)revents;
	if (!s->vip_linger) {
		vip_release_withdrawn(s);
		return;
	}
	s->vip_linger = false;
	if (s->mode == SVC_MODE_NONE)
		svc_vip(s, false);
}

/* the VIP stays: no wait, no linger */
static void
vip_keep(struct svc *s)
{
	ev_timer_stop(s->nc->loop, &s->vip_wait);
	s->vip_linger = false;
}

void
services_output_drained(struct nomcast *nc)
{
	size_t i;

	/* every peer's, not just this one's: the withdraw went to all */
	for (i = 0; i < nc->nsvcs; i++) {
		if (!ev_is_active(&nc->svcs[i].vip_wait) ||
		    nc->svcs[i].vip_linger)
			continue;
		if (output_pending(nc))
			return;
		vip_release_withdrawn(&nc->svcs[i]);
	}
}

static enum svc_mode
mode_of(const struct svc *s)
{
	bool degrade = s->cf->on_down == ON_DOWN_DEGRADE;

	if (!verdict_announces(s->v.state, degrade))
		return SVC_MODE_NONE;
	if (s->v.state == VERDICT_DOWN)
		return SVC_MODE_DEGRADED;
	if (s->v.state == VERDICT_DRAINING)
		return s->drained_out ? SVC_MODE_NONE : SVC_MODE_DRAINING;
	return SVC_MODE_NORMAL;
}

/* the verdict changed: VIP first, then every peer, then (maybe) VIP off */
static void
svc_apply(struct svc *s)
{
	struct nomcast *nc = s->nc;
	enum svc_mode m = mode_of(s);

	if (m == s->mode)
		return;
	if (m != SVC_MODE_NONE) {
		vip_keep(s);
		svc_vip(s, true);
	}
	s->mode = m;
	if (nc->svc_changed != NULL)
		nc->svc_changed(nc, s);
	if (m == SVC_MODE_NONE && s->vip_on && !ev_is_active(&s->vip_wait)) {
		/* the session says when the withdraw is written */
		if (!output_pending(nc))
			vip_release_withdrawn(s);
		else {
			ev_timer_set(&s->vip_wait, VIP_WAIT_MAX, 0.);
			ev_timer_start(nc->loop, &s->vip_wait);
		}
	}
}

static void
svc_eval(struct svc *s)
{
	uint64_t now = mono_ms(), recheck = 0;
	enum verdict_state was = s->v.state;

	if (verdict_eval(&s->v, s->srcs, s->nsrcs, now, &recheck)) {
		s->transitions++;
		svc_log(s, LOG_LVL_INFO, "verdict=%s prev=%s reason=%s",
		    verdict_state_name(s->v.state), verdict_state_name(was),
		    LQ(s->v.reason));
		svc_apply(s);
		if (s->nc->svc_verdict != NULL)
			s->nc->svc_verdict(s->nc, s);
	}
	ev_timer_stop(s->nc->loop, &s->recheck);
	if (recheck > now) {
		ev_timer_set(&s->recheck, (double)(recheck - now) / 1000.0, 0.);
		ev_timer_start(s->nc->loop, &s->recheck);
	}
}

static void
recheck_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	svc_eval(t->data);
}

/* one check result: to every service it gates */
static void
check_result(void *ctx, struct check *c, bool pass, const char *reason,
    double latency)
{
	struct nomcast *nc = ctx;
	size_t ci = (size_t)(c->cf - nc->conf.checks), i, k;

	check_log(c, LOG_LVL_DEBUG, "pass=%d latency=%.6f reason=%s", pass,
	    latency, LQ(reason));
	for (i = 0; i < nc->nsvcs; i++) {
		struct svc *s = &nc->svcs[i];

		for (k = 0; k < s->cf->nchecks; k++) {
			struct verdict_src *src = &s->srcs[k];

			if (s->cf->checks[k] != ci)
				continue;
			if (!verdict_src_result(src, pass, reason))
				continue;
			svc_log(s, LOG_LVL_INFO, "check=%s state=%s reason=%s",
			    LV(c->cf->name), src_state_name(src->state),
			    LQ(reason));
			svc_eval(s);
		}
	}
}

/* the Nomad source of a service changed (nomad/watch.c decides) */
static void
nomad_result(void *ctx, struct nomad_watch *w, enum src_state st,
    const char *reason)
{
	struct svc *s = ctx;
	struct verdict_src *src = &s->srcs[s->cf->nchecks];

	char was[sizeof(src->reason)];
	bool changed;

	(void)w;
	memcpy(was, src->reason, sizeof(was));
	changed = verdict_src_set(src, st, reason);
	/* a held state says why it holds: worth a line, not a re-eval */
	if (changed || strcmp(was, src->reason) != 0)
		svc_log(s, LOG_LVL_INFO, "source=nomad nomad-service=%s "
		    "state=%s reason=%s", LV(s->cf->nomad.service),
		    src_state_name(src->state), LQ(src->reason));
	if (changed)
		svc_eval(s);
}

/* what a service of a new config takes from its old self's Nomad watch */
struct watch_carry {
	struct nomad_watch	*from;	/* of the same Nomad service, or NULL */
	bool			 same;	/* watching the same checks too */
};

/*
 * Service s's watch on cl.  A kept client moves an old watch that watches
 * the same over to s as it is (rebind); otherwise a new watch takes over
 * what the old one of the same Nomad service knew (adopt), or starts from
 * the state a reload gave s's Nomad source.
 */
static int
svc_watch(struct nomad_client *cl, struct svc *s, const struct watch_carry *c,
    bool rebind)
{
	const struct verdict_src *src = &s->srcs[s->cf->nchecks];

	if (rebind && c != NULL && c->from != NULL && c->same) {
		nomad_watch_rebind(c->from, s->cf->name, &s->cf->nomad,
		    nomad_result, s);
		s->nomad = c->from;
		return 0;
	}
	s->nomad = nomad_watch_add(cl, s->cf->name, &s->cf->nomad,
	    nomad_result, s);
	if (s->nomad == NULL)
		return -1;
	if (c != NULL && c->from != NULL)
		nomad_watch_adopt(s->nomad, c->from);
	else if (src->state != SRC_UNKNOWN)
		nomad_watch_assume(s->nomad, src->state, src->reason);
	return 0;
}

/*
 * One client for the daemon (made here unless a reload kept it), one
 * watch per service with nomad-service; carry[] (NULL at start) says what
 * each service takes from before a reload.
 */
static int
services_nomad(struct nomcast *nc, const struct watch_carry *carry,
    bool rebind)
{
	size_t i;

	if (!nc->conf.nomad.used)
		return 0;
	if (nc->check_env.nomad == NULL)
		nc->check_env.nomad = nomad_client_new(nc->loop,
		    nc->check_env.http, &nc->conf.nomad);
	if (nc->check_env.nomad == NULL)
		return -1;
	for (i = 0; i < nc->nsvcs; i++) {
		struct svc *s = &nc->svcs[i];

		if (s->cf->nomad.service[0] == '\0')
			continue;
		if (svc_watch(nc->check_env.nomad, s, carry != NULL ?
		    &carry[i] : NULL, rebind) == -1)
			return -1;
	}
	return 0;
}

static void	drain_cb(struct ev_loop *loop, ev_timer *t, int revents);

/*
 * One constructor for a run-time service, at start and on reload: its
 * verdict, timers and room for its sources (its checks, then Nomad's).
 * The sources are filled by the caller (svc_src_*).
 */
static int
svc_init(struct nomcast *nc, struct svc *s, const struct conf_service *cf)
{
	size_t n = cf->nchecks + (cf->nomad.service[0] != '\0');

	memset(s, 0, sizeof(*s));
	s->nc = nc;
	s->cf = cf;
	verdict_init(&s->v, cf->hold_down_ms, mono_ms());
	ev_timer_init(&s->recheck, recheck_cb, 0., 0.);
	s->recheck.data = s;
	ev_timer_init(&s->vip_wait, vip_wait_cb, VIP_WAIT_MAX, 0.);
	s->vip_wait.data = s;
	ev_timer_init(&s->drain_timer, drain_cb, 0., 0.);
	s->drain_timer.data = s;
	s->nsrcs = n;
	s->srcs = calloc(n ? n : 1, sizeof(*s->srcs));
	return s->srcs == NULL ? -1 : 0;
}

/* source k, fresh: the check's rise and fall, state unknown */
static void
svc_src_check(struct svc *s, size_t k)
{
	const struct conf_check *ck = &s->nc->conf.checks[s->cf->checks[k]];
	char name[sizeof(s->srcs[k].name) + 8];

	snprintf(name, sizeof(name), "check %s", ck->name);
	verdict_src_init(&s->srcs[k], name, ck->rise, ck->fall);
}

/* the Nomad source, fresh: Nomad decides at once, no rise or fall */
static struct verdict_src *
svc_src_nomad(struct svc *s)
{
	struct verdict_src *src = &s->srcs[s->cf->nchecks];
	char name[sizeof(src->name) + 8];

	snprintf(name, sizeof(name), "nomad %s", s->cf->nomad.service);
	verdict_src_init(src, name, 1, 1);
	return src;
}

static int
vip_interfaces(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->nsvcs; i++) {
		const char *dev = nc->svcs[i].cf->vip_interface;

		if (dev[0] == '\0')
			continue;
		if (nc->vip == NULL && (nc->vip = vip_new()) == NULL)
			return -1;
		if (vip_ensure_interface(nc->vip, dev) == -1)
			return -1;
	}
	return 0;
}

int
services_start(struct nomcast *nc)
{
	const struct conf *cf = &nc->conf;
	size_t i, k;

	nc->svcs = calloc(cf->nservices ? cf->nservices : 1, sizeof(*nc->svcs));
	nc->checks = calloc(cf->nchecks ? cf->nchecks : 1, sizeof(*nc->checks));
	if (nc->svcs == NULL || nc->checks == NULL)
		return -1;
	nc->check_env.loop = nc->loop;
	if ((cf->nchecks > 0 || cf->nomad.used) &&
	    (nc->check_env.http = curl_ev_new(nc->loop)) == NULL)
		return -1;
	for (i = 0; i < cf->nservices; i++) {
		struct svc *s = &nc->svcs[i];

		if (svc_init(nc, s, &cf->services[i]) == -1)
			return -1;
		nc->nsvcs++;	/* from here services_stop() frees it */
		for (k = 0; k < s->cf->nchecks; k++)
			svc_src_check(s, k);
		if (s->cf->nomad.service[0] != '\0')
			(void)svc_src_nomad(s);
	}
	if (vip_interfaces(nc) == -1 || services_nomad(nc, NULL, false) == -1)
		return -1;
	/* services without checks are up at once; the rest wait for rise */
	for (i = 0; i < nc->nsvcs; i++)
		svc_eval(&nc->svcs[i]);
	for (i = 0; i < cf->nchecks; i++) {
		nc->checks[i] = check_new(&nc->check_env, &cf->checks[i],
		    check_result, nc);
		if (nc->checks[i] == NULL)
			return -1;
		nc->nchecks_rt++;
	}
	for (i = 0; i < nc->nchecks_rt; i++)
		check_start(nc->checks[i]);
	if (nc->check_env.nomad != NULL)
		nomad_client_start(nc->check_env.nomad);
	return 0;
}

/*
 * After a reload has replaced nc->conf.  When [nomad] did not change, the
 * client is kept with its requests in flight and what it knows: watches
 * that watch the same move to their new services, the others go, new ones
 * are added, and what they need is sent at once.  Otherwise the client
 * points into the old config: a new one is built for the new services,
 * each watch taking over what the old one of its Nomad service knew, and
 * only then does the old client go.  Either way a source keeps its state
 * until Nomad says otherwise, so a reload does not flap a route.  oldw[]
 * are the old services' watches.  0, or -1 (logged).
 */
static int
services_nomad_reload(struct nomcast *nc, const struct reload_plan *plan,
    struct nomad_client *old, const struct watch_carry *carry,
    struct nomad_watch *const *oldw, size_t nold)
{
	bool keep = old != NULL && plan->nomad_same && nc->conf.nomad.used;
	size_t i, k;
	int rc = 0;

	if (keep) {
		nomad_client_rebind(old, &nc->conf.nomad);
		rc = services_nomad(nc, carry, true);
		/* the old watches that did not move over go */
		for (k = 0; k < nold; k++) {
			bool moved = false;

			for (i = 0; i < nc->nsvcs; i++)
				moved = moved || nc->svcs[i].nomad == oldw[k];
			if (oldw[k] != NULL && !moved)
				nomad_watch_remove(oldw[k]);
		}
		nomad_client_resync(old);
		return rc;
	}
	nc->check_env.nomad = NULL;
	if (nc->conf.nomad.used) {
		if (nc->check_env.http == NULL &&
		    (nc->check_env.http = curl_ev_new(nc->loop)) == NULL)
			rc = -1;
		else if (services_nomad(nc, carry, false) == -1)
			rc = -1;
	}
	nomad_client_free(old);
	if (rc == 0 && nc->check_env.nomad != NULL)
		nomad_client_start(nc->check_env.nomad);
	return rc;
}

void
services_vip_release(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->nsvcs; i++) {
		ev_timer_stop(nc->loop, &nc->svcs[i].vip_wait);
		svc_vip(&nc->svcs[i], false);
	}
}

void
services_stop(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->nchecks_rt; i++)
		check_free(nc->checks[i]);
	nc->nchecks_rt = 0;
	/* before the multi handle it uses */
	nomad_client_free(nc->check_env.nomad);
	nc->check_env.nomad = NULL;
	free(nc->checks);
	nc->checks = NULL;
	/* a graceful exit leaves them: the proxy serves on meanwhile */
	if (!nc->restart.graceful)
		services_vip_release(nc);
	for (i = 0; i < nc->nsvcs; i++) {
		ev_timer_stop(nc->loop, &nc->svcs[i].recheck);
		ev_timer_stop(nc->loop, &nc->svcs[i].drain_timer);
		free(nc->svcs[i].srcs);
	}
	free(nc->svcs);
	nc->svcs = NULL;
	nc->nsvcs = 0;
	if (nc->vip != NULL) {
		if (!nc->restart.graceful)
			vip_cleanup(nc->vip);
		vip_free(nc->vip);
		nc->vip = NULL;
	}
	curl_ev_free(nc->check_env.http);
	nc->check_env.http = NULL;
}

/* ---- reload: the plan's services and checks, state kept ---- */

static bool
str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* was the old service announced as healthy (or draining)? */
static bool
svc_is_up(const struct svc *o)
{
	return o != NULL && (o->v.state == VERDICT_UP ||
	    o->v.state == VERDICT_DRAINING);
}

/* the old service's source for old check index ci, if it used that check */
static const struct verdict_src *
old_src_of(const struct svc *o, size_t ci)
{
	size_t k;

	for (k = 0; o != NULL && k < o->cf->nchecks; k++)
		if (o->cf->checks[k] == ci)
			return &o->srcs[k];
	return NULL;
}

/*
 * Source k of new service s, from its old self o (NULL: a new service).
 * A kept check keeps its source as it was.  A reset one keeps its state
 * with empty runs under the new rise and fall, so that its first results
 * under the new settings decide.  A check new to a service that is up
 * starts as passing and must fail fall times to take it down.  Anything
 * else starts unknown.
 */
static void
reload_check_src(struct svc *s, const struct svc *o,
    const struct plan_list *checks, size_t k)
{
	size_t ci = s->cf->checks[k], from = checks->from[ci];
	const struct conf_check *ck = &s->nc->conf.checks[ci];
	const struct verdict_src *os = from == PLAN_NONE ? NULL :
	    old_src_of(o, from);
	struct verdict_src *src = &s->srcs[k];
	char why[128];

	if (os != NULL && checks->new_op[ci] == PLAN_KEEP) {
		*src = *os;
		return;
	}
	svc_src_check(s, k);
	if (os != NULL && os->state != SRC_UNKNOWN) {
		snprintf(why, sizeof(why), "changed by reload: %s until its "
		    "results say otherwise", src_state_name(os->state));
		verdict_src_assume(src, os->state, why);
	} else if (os == NULL && svc_is_up(o)) {
		snprintf(why, sizeof(why), "added by reload: passing until it "
		    "fails %u time%s", ck->fall, ck->fall == 1 ? "" : "s");
		verdict_src_assume(src, SRC_PASS, why);
	} else
		return;
	svc_log(s, LOG_LVL_INFO, "check=%s state=%s reason=%s", LV(ck->name),
	    src_state_name(src->state), LQ(src->reason));
}

/* a kept service: same prefixes and VIP interface keep their VIP */
static bool
vip_same(const struct conf_service *a, const struct conf_service *b)
{
	size_t i;

	if (!str_eq(a->vip_interface, b->vip_interface) ||
	    a->nprefixes != b->nprefixes)
		return false;
	for (i = 0; i < a->nprefixes; i++)
		if (prefix_cmp(&a->prefixes[i], &b->prefixes[i]) != 0)
			return false;
	return true;
}

/* kept checks run on in their rhythm; reset and added ones start */
static int
checks_reload(struct nomcast *nc, const struct plan_list *pl)
{
	const struct conf *cf = &nc->conf;
	struct check **old = nc->checks, **nw;
	size_t i, k;

	if ((nw = calloc(cf->nchecks ? cf->nchecks : 1, sizeof(*nw))) == NULL)
		return -1;
	for (i = 0; i < cf->nchecks; i++) {
		if (pl->new_op[i] != PLAN_KEEP)
			continue;
		nw[i] = old[pl->from[i]];
		nw[i]->cf = &cf->checks[i];
		old[pl->from[i]] = NULL;
	}
	for (k = 0; k < nc->nchecks_rt; k++)
		check_free(old[k]);
	free(old);
	nc->checks = nw;
	nc->nchecks_rt = cf->nchecks;
	if (cf->nchecks > 0 && nc->check_env.http == NULL &&
	    (nc->check_env.http = curl_ev_new(nc->loop)) == NULL)
		return -1;
	for (i = 0; i < cf->nchecks; i++) {
		if (nw[i] != NULL)
			continue;
		if ((nw[i] = check_new(&nc->check_env, &cf->checks[i],
		    check_result, nc)) == NULL)
			return -1;
		check_start(nw[i]);
	}
	return 0;
}

/*
 * New service s takes over from its old self o: the verdict stays (a
 * reload must not flap a route), and so do the sources the plan keeps.
 * from is set to the old Nomad watch s adopts, if any.
 */
static void
svc_reload_one(struct svc *s, const struct svc *o,
    const struct reload_plan *plan, struct watch_carry *carry)
{
	size_t k;

	if (o != NULL) {
		s->v = o->v;
		s->v.hold_down_ms = s->cf->hold_down_ms;
		s->mode = o->mode;
		s->transitions = o->transitions;
		s->vip_on = o->vip_on && vip_same(o->cf, s->cf);
		s->drained_out = o->drained_out;
	}
	for (k = 0; k < s->cf->nchecks; k++)
		reload_check_src(s, o, &plan->checks, k);
	if (s->cf->nomad.service[0] == '\0')
		return;
	struct verdict_src *src = svc_src_nomad(s);

	/* the same Nomad service keeps its state (one trip) */
	if (o != NULL && str_eq(o->cf->nomad.service, s->cf->nomad.service)) {
		*src = o->srcs[o->cf->nchecks];
		carry->from = o->nomad;
		carry->same = conf_nomad_watch_same(&o->cf->nomad,
		    &s->cf->nomad);
	} else if (svc_is_up(o))
		verdict_src_assume(src, SRC_PASS, "added by reload: counts as "
		    "passing until Nomad says otherwise");
}

/* the old services go; a VIP that does not carry over is removed */
static void
services_retire(struct nomcast *nc, struct svc *old, size_t nold,
    const struct plan_list *pl)
{
	size_t i, k;

	for (k = 0; k < nold; k++) {
		bool kept_vip = false;

		ev_timer_stop(nc->loop, &old[k].recheck);
		ev_timer_stop(nc->loop, &old[k].vip_wait);
		ev_timer_stop(nc->loop, &old[k].drain_timer);
		for (i = 0; i < pl->nnew; i++)
			if (pl->from[i] == k)
				kept_vip = nc->svcs[i].vip_on;
		if (old[k].vip_on && !kept_vip)
			svc_vip(&old[k], false);
		free(old[k].srcs);
	}
	free(old);
}

/* the new config may change the mode (on-down), the VIP or a drain time */
static void
services_settle(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->nsvcs; i++) {
		struct svc *s = &nc->svcs[i];

		svc_eval(s);
		svc_apply(s);
		if (s->mode != SVC_MODE_NONE)
			svc_vip(s, true);
		else if (s->vip_on && !ev_is_active(&s->vip_wait))
			vip_release_withdrawn(s);	/* was lingering */
		/* a drain in progress runs its (new) drain time again */
		if (s->v.drain && !s->drained_out) {
			ev_timer_set(&s->drain_timer,
			    (double)s->cf->drain_time_ms / 1000.0, 0.);
			ev_timer_start(nc->loop, &s->drain_timer);
		}
	}
}

int
services_reload(struct nomcast *nc, const struct reload_plan *plan)
{
	const struct conf *cf = &nc->conf;
	const struct plan_list *pl = &plan->services;
	struct svc *old = nc->svcs, *nw;
	struct nomad_client *oldcl = nc->check_env.nomad;
	struct watch_carry *carry;
	struct nomad_watch **oldw;
	size_t nold = nc->nsvcs, i, k;
	int rc = 0;

	nw = calloc(cf->nservices ? cf->nservices : 1, sizeof(*nw));
	carry = calloc(cf->nservices ? cf->nservices : 1, sizeof(*carry));
	oldw = calloc(nold ? nold : 1, sizeof(*oldw));
	if (nw == NULL || carry == NULL || oldw == NULL) {
		free(nw);
		free(carry);
		free(oldw);
		return -1;
	}
	for (k = 0; k < nold; k++)
		oldw[k] = old[k].nomad;
	for (i = 0; i < cf->nservices; i++) {
		if (svc_init(nc, &nw[i], &cf->services[i]) == -1) {
			for (k = 0; k < i; k++)
				free(nw[k].srcs);
			free(nw);
			free(carry);
			free(oldw);
			return -1;
		}
		svc_reload_one(&nw[i], pl->from[i] == PLAN_NONE ? NULL :
		    &old[pl->from[i]], plan, &carry[i]);
	}
	nc->svcs = nw;
	nc->nsvcs = cf->nservices;
	services_retire(nc, old, nold, pl);
	/* as at start, an interface that cannot be made is logged */
	(void)vip_interfaces(nc);
	if (checks_reload(nc, &plan->checks) == -1)
		rc = -1;
	if (services_nomad_reload(nc, plan, oldcl, carry, oldw, nold) == -1)
		rc = -1;
	free(carry);
	free(oldw);
	if (rc == -1)
		return -1;
	services_settle(nc);
	return 0;
}

/* ---- drain ---- */

static void
drain_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct svc *s = t->data;

	(void)loop;
	(void)revents;
	svc_log(s, LOG_LVL_INFO, "msg=\"drain time over: withdrawing\"");
	s->drained_out = true;
	svc_apply(s);
}

static void
svc_drain(struct svc *s, bool on, uint32_t drain_ms)
{
	struct ev_loop *loop = s->nc->loop;

	ev_timer_stop(loop, &s->drain_timer);
	s->drained_out = on && drain_ms == 0;
	verdict_set_drain(&s->v, on);
	svc_log(s, LOG_LVL_INFO, "drain=%s drain-time=%ums", on ? "on" : "off",
	    drain_ms);
	svc_eval(s);
	svc_apply(s);
	if (on && drain_ms > 0) {
		ev_timer_init(&s->drain_timer, drain_cb,
		    (double)drain_ms / 1000.0, 0.);
		s->drain_timer.data = s;
		ev_timer_start(loop, &s->drain_timer);
	}
}

int
services_drain(struct nomcast *nc, const char *name, bool on)
{
	size_t i;
	bool found = false;

	for (i = 0; i < nc->nsvcs; i++) {
		struct svc *s = &nc->svcs[i];

		if (name != NULL && !str_eq(s->cf->name, name))
			continue;
		found = true;
		svc_drain(s, on, s->cf->drain_time_ms);
	}
	return found ? 0 : -1;
}

int
services_drain_all(struct nomcast *nc, uint32_t drain_ms)
{
	size_t i;
	int n = 0;

	for (i = 0; i < nc->nsvcs; i++) {
		if (nc->svcs[i].mode == SVC_MODE_NONE)
			continue;
		svc_drain(&nc->svcs[i], true, drain_ms);
		n++;
	}
	return n;
}

/* ---- the read-only view ---- */

void
svc_info(const struct svc *s, struct svc_info *si)
{
	memset(si, 0, sizeof(*si));
	si->name = s->cf->name;
	si->cf = s->cf;
	si->verdict = s->v.state;
	si->since_ms = s->v.since_ms;
	si->reason = verdict_reason(&s->v);
	si->mode = s->mode;
	si->drain = s->v.drain;
	si->vip_on = s->vip_on;
	si->nsrcs = s->nsrcs;
	si->transitions = s->transitions;
}

void
svc_src_info(const struct svc *s, size_t k, struct svc_src_info *si)
{
	const struct verdict_src *src = &s->srcs[k];
	const struct nomcast *nc = s->nc;
	const struct check *c = NULL;

	memset(si, 0, sizeof(*si));
	si->name = src->name;
	si->state = src->state;
	si->reason = src->reason;
	si->rise = src->rise;
	si->fall = src->fall;
	si->passes = src->oks;
	si->failures = src->fails;
	/* the first nchecks sources are the service's checks, in order; a
	 * check that is not running (yet) has no struct check */
	if (k < s->cf->nchecks && nc != NULL && nc->checks != NULL &&
	    s->cf->checks[k] < nc->nchecks_rt)
		c = nc->checks[s->cf->checks[k]];
	if (c != NULL) {
		si->kind = SVC_SRC_CHECK;
		si->check = c;
	} else if (k == s->cf->nchecks && s->nomad != NULL) {
		si->kind = SVC_SRC_NOMAD;
		si->nomad = s->nomad;
	} else {
		si->kind = SVC_SRC_OTHER;
	}
}
