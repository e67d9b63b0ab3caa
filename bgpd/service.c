/*
 * service.c - checks -> verdicts -> peers and VIPs; see service.h.
 */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "session.h"
#include "vip.h"

#define VIP_WAIT_STEP	0.005	/* re-check pending output every 5 ms */
#define VIP_WAIT_MAX	200	/* ... at most 1 s */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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
	log_info("svc=%s vip=%s dev=%s", s->cf->name, on ? "added" : "removed",
	    s->cf->vip_interface);
}

static bool
output_pending(struct nomcast *nc)
{
	size_t i;

	for (i = 0; i < nc->npeers; i++)
		if (peer_pending_output(nc->peers[i]) > 0)
			return true;
	return false;
}

/* the withdraw is queued but not yet in the kernel: wait, then remove */
static void
vip_wait_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct svc *s = t->data;

	(void)revents;
	if (s->mode == SVC_MODE_NONE && output_pending(s->nc) &&
	    ++s->vip_wait_n < VIP_WAIT_MAX)
		return;		/* the repeating timer comes back */
	ev_timer_stop(loop, t);
	if (s->mode == SVC_MODE_NONE)
		svc_vip(s, false);
}

static enum svc_mode
mode_of(const struct svc *s)
{
	bool degrade = s->cf->on_down == ON_DOWN_DEGRADE;

	if (!verdict_announces(s->v.state, degrade))
		return SVC_MODE_NONE;
	if (s->v.state == VERDICT_DOWN)
		return SVC_MODE_DEGRADED;
	return SVC_MODE_NORMAL;
}

/* the verdict changed: VIP first, then every peer, then (maybe) VIP off */
static void
svc_apply(struct svc *s)
{
	struct nomcast *nc = s->nc;
	enum svc_mode m = mode_of(s);
	size_t i;

	if (m == s->mode)
		return;
	if (m != SVC_MODE_NONE)
		svc_vip(s, true);
	s->mode = m;
	for (i = 0; i < nc->npeers; i++)
		daemon_sync_peer(nc, nc->peers[i]);
	if (m == SVC_MODE_NONE && s->vip_on) {
		if (!output_pending(nc)) {
			svc_vip(s, false);
		} else {
			s->vip_wait_n = 0;
			ev_timer_again(nc->loop, &s->vip_wait);
		}
	}
}

static void
svc_eval(struct svc *s)
{
	uint64_t now = mono_ms(), recheck = 0;
	enum verdict_state was = s->v.state;

	if (verdict_eval(&s->v, s->srcs, s->nsrcs, now, &recheck)) {
		log_info("svc=%s verdict=%s prev=%s reason=\"%s\"",
		    s->cf->name, verdict_state_name(s->v.state),
		    verdict_state_name(was), s->v.reason);
		svc_apply(s);
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

	log_debug("check=%s pass=%d latency=%.6f reason=\"%s\"", c->cf->name,
	    pass, latency, reason);
	for (i = 0; i < nc->nsvcs; i++) {
		struct svc *s = &nc->svcs[i];

		for (k = 0; k < s->cf->nchecks; k++) {
			struct verdict_src *src = &s->srcs[k];

			if (s->cf->checks[k] != ci)
				continue;
			if (!verdict_src_result(src, pass, reason))
				continue;
			log_info("svc=%s check=%s state=%s reason=\"%s\"",
			    s->cf->name, c->cf->name,
			    src_state_name(src->state), reason);
			svc_eval(s);
		}
	}
}

int
services_start(struct nomcast *nc)
{
	const struct conf *cf = &nc->conf;
	size_t i, k;
	bool any_vip = false;

	nc->svcs = calloc(cf->nservices ? cf->nservices : 1, sizeof(*nc->svcs));
	nc->checks = calloc(cf->nchecks ? cf->nchecks : 1, sizeof(*nc->checks));
	if (nc->svcs == NULL || nc->checks == NULL)
		return -1;
	nc->check_env.loop = nc->loop;
	if (cf->nchecks > 0 &&
	    (nc->check_env.http = chk_http_multi_new(nc->loop)) == NULL)
		return -1;
	for (i = 0; i < cf->nservices; i++)
		any_vip = any_vip || cf->services[i].vip_interface[0] != '\0';
	if (any_vip && (nc->vip = vip_new()) == NULL)
		return -1;
	for (i = 0; i < cf->nservices; i++) {
		struct svc *s = &nc->svcs[i];

		s->nc = nc;
		s->cf = &cf->services[i];
		verdict_init(&s->v, s->cf->hold_down_ms, mono_ms());
		ev_timer_init(&s->recheck, recheck_cb, 0., 0.);
		s->recheck.data = s;
		ev_timer_init(&s->vip_wait, vip_wait_cb, VIP_WAIT_STEP,
		    VIP_WAIT_STEP);
		s->vip_wait.data = s;
		for (k = 0; k < s->cf->nchecks; k++) {
			const struct conf_check *ck =
			    &cf->checks[s->cf->checks[k]];
			char name[sizeof(s->srcs[k].name) + 8];

			snprintf(name, sizeof(name), "check %s", ck->name);
			verdict_src_init(&s->srcs[k], name, ck->rise, ck->fall);
		}
		s->nsrcs = s->cf->nchecks;
		if (s->cf->vip_interface[0] != '\0' &&
		    vip_ensure_interface(nc->vip, s->cf->vip_interface) == -1)
			return -1;
		nc->nsvcs++;
	}
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
	return 0;
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
	free(nc->checks);
	nc->checks = NULL;
	services_vip_release(nc);
	for (i = 0; i < nc->nsvcs; i++)
		ev_timer_stop(nc->loop, &nc->svcs[i].recheck);
	free(nc->svcs);
	nc->svcs = NULL;
	nc->nsvcs = 0;
	if (nc->vip != NULL) {
		vip_cleanup(nc->vip);
		vip_free(nc->vip);
		nc->vip = NULL;
	}
	chk_http_multi_free(nc->check_env.http);
	nc->check_env.http = NULL;
}
