/*
 * check.c - the scheduler shared by every check type; see check.h.
 */
#include "health/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct check_ops *
ops_for(enum check_type t)
{
	switch (t) {
	case CHECK_HTTP:
		return &chk_http_ops;
	case CHECK_TCP:
		return &chk_tcp_ops;
	case CHECK_WATCH:
		return &chk_watch_ops;
	case CHECK_EXEC:
		return &chk_exec_ops;
	}
	return NULL;
}

static double
ms(uint32_t v)
{
	return (double)v / 1000.0;
}

static void
watchdog_arm(struct check *c)
{
	/* no result within interval + timeout: something is stuck */
	ev_timer_stop(c->env->loop, &c->watchdog);
	ev_timer_set(&c->watchdog, ms(c->cf->interval_ms) +
	    ms(c->cf->timeout_ms), 0.);
	ev_timer_start(c->env->loop, &c->watchdog);
}

const double check_lat_bounds[CHECK_LAT_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

/* a probe ended (not a watchdog or an event between probes): time it */
static void
observe(struct check *c, double latency)
{
	size_t i;

	c->lat_count++;
	c->lat_sum += latency;
	for (i = 0; i < CHECK_LAT_NBUCKETS; i++) {
		if (latency <= check_lat_bounds[i]) {
			c->lat_bucket[i]++;
			break;
		}
	}
}

static void
report(struct check *c, bool pass, const char *reason, double latency,
    bool probe)
{
	if (pass)
		c->npass++;
	else
		c->nfail++;
	if (probe)
		observe(c, latency);
	c->has_result = true;
	c->last_pass = pass;
	c->last_latency = latency;
	snprintf(c->last_reason, sizeof(c->last_reason), "%s",
	    reason ? reason : "");
	watchdog_arm(c);
	c->cb(c->ctx, c, pass, c->last_reason, latency);
}

static void
vreport(struct check *c, bool pass, bool probe, const char *fmt, va_list ap)
{
	char reason[256];
	double latency = ev_now(c->env->loop) - c->started;

	reason[0] = '\0';
	if (fmt != NULL)
		vsnprintf(reason, sizeof(reason), fmt, ap);
	report(c, pass, reason, latency < 0 ? 0 : latency, probe);
}

void
check_done(struct check *c, bool pass, const char *fmt, ...)
{
	va_list ap;

	if (!c->running)
		return;		/* cancelled already: a late answer */
	c->running = false;
	ev_timer_stop(c->env->loop, &c->timeout);
	/*
	 * ev_now() is the loop's time of this iteration; a probe that ends
	 * inside probe() itself is measured from the same clock, so the
	 * latency is never negative.
	 */
	ev_now_update(c->env->loop);
	va_start(ap, fmt);
	vreport(c, pass, true, fmt, ap);
	va_end(ap);
}

void
check_event(struct check *c, bool pass, const char *fmt, ...)
{
	va_list ap;

	ev_now_update(c->env->loop);
	va_start(ap, fmt);
	vreport(c, pass, false, fmt, ap);
	va_end(ap);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct check *c = t->data;

	(void)loop;
	(void)revents;
	if (!c->running)
		return;
	c->ops->cancel(c);
	check_done(c, false, "%s timeout after %u ms", c->ops->name,
	    c->cf->timeout_ms);
}

static void
tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct check *c = t->data;

	(void)revents;
	/* the next tick is due one interval after this one started */
	ev_timer_set(&c->tick, ms(c->cf->interval_ms), 0.);
	ev_timer_start(loop, &c->tick);
	if (c->running)
		return;		/* cannot happen: timeout < interval */
	c->running = true;
	c->probes++;
	ev_now_update(loop);
	c->started = ev_now(loop);
	ev_timer_set(&c->timeout, ms(c->cf->timeout_ms), 0.);
	ev_timer_start(loop, &c->timeout);
	c->ops->probe(c);
}

static void
watchdog_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct check *c = t->data;

	(void)revents;
	/*
	 * A probe in flight whose own timeout is still pending will answer
	 * (at the latest when that timer fires, often in this same
	 * iteration): wait for it rather than report twice.
	 */
	if (c->running && ev_is_active(&c->timeout)) {
		ev_timer_set(&c->watchdog,
		    ev_timer_remaining(loop, &c->timeout) + 0.001, 0.);
		ev_timer_start(loop, &c->watchdog);
		return;
	}
	check_log_rl(c, LOG_LVL_WARN, "msg=\"no result in %u ms: counted as "
	    "failed\"", c->cf->interval_ms + c->cf->timeout_ms);
	report(c, false, "no result within interval + timeout", 0, false);
}

struct check *
check_new(struct check_env *env, const struct conf_check *cf,
    check_result_fn cb, void *ctx)
{
	struct check *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cf = cf;
	c->env = env;
	c->cb = cb;
	c->ctx = ctx;
	c->ops = ops_for(cf->type);
	ev_timer_init(&c->tick, tick_cb, 0., 0.);
	c->tick.data = c;
	ev_timer_init(&c->timeout, timeout_cb, 0., 0.);
	c->timeout.data = c;
	ev_timer_init(&c->watchdog, watchdog_cb, 0., 0.);
	c->watchdog.data = c;
	if (c->ops == NULL || c->ops->init(c) == -1) {
		free(c);
		return NULL;
	}
	return c;
}

void
check_start(struct check *c)
{
	/* the first probe at once: a starting daemon waits for rise only */
	ev_timer_set(&c->tick, 0., 0.);
	ev_timer_start(c->env->loop, &c->tick);
	watchdog_arm(c);
}

void
check_free(struct check *c)
{
	if (c == NULL)
		return;
	if (c->running) {
		c->ops->cancel(c);
		c->running = false;
	}
	ev_timer_stop(c->env->loop, &c->tick);
	ev_timer_stop(c->env->loop, &c->timeout);
	ev_timer_stop(c->env->loop, &c->watchdog);
	c->ops->fini(c);
	free(c);
}

/* ---- the read-only view ---- */

void
check_info(const struct check *c, struct check_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->name = c->cf->name;
	ci->cf = c->cf;
	ci->probes = c->probes;
	ci->has_result = c->has_result;
	ci->last_pass = c->last_pass;
	ci->last_latency = c->last_latency;
	ci->last_reason = c->last_reason;
	ci->npass = c->npass;
	ci->nfail = c->nfail;
	memcpy(ci->lat_bucket, c->lat_bucket, sizeof(ci->lat_bucket));
	ci->lat_count = c->lat_count;
	ci->lat_sum = c->lat_sum;
}
