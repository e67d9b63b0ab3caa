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

bool
check_late(ev_tstamp due, ev_tstamp now)
{
	return now - due > CHECK_LATE;
}

static void
watchdog_arm(struct check *c, double after)
{
	ev_timer_stop(c->env->loop, &c->watchdog);
	ev_timer_set(&c->watchdog, after, 0.);
	ev_timer_start(c->env->loop, &c->watchdog);
	c->wd_due = ev_now(c->env->loop) + after;
}

/* a result came: the next is due within interval + timeout */
static void
watchdog_rearm(struct check *c)
{
	c->wd_deferred = false;
	watchdog_arm(c, ms(c->cf->interval_ms) + ms(c->cf->timeout_ms));
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
	watchdog_rearm(c);
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

	(void)revents;
	if (!c->running)
		return;
	/*
	 * Before failing the probe, let the loop look once more.  Its
	 * answer may be known to the kernel already but not yet to us: a
	 * socket became writable or a child exited while the daemon was
	 * stopped or busy, and the signal that says so interrupted the
	 * poll that would have seen it.  The next iteration polls without
	 * waiting and, this timer being of the lowest priority, runs the
	 * probe's own callback first: a probe that finished is counted as
	 * it finished, however late the loop was.  One look only, so a
	 * probe that hangs still fails an iteration (or the time the loop
	 * lost) later.
	 */
	if (!c->last_look) {
		ev_tstamp due = c->started + ms(c->cf->timeout_ms), late;

		c->last_look = true;
		/*
		 * The loop was late (stopped, or a long callback): the probe
		 * lost that time, and one that takes several turns of the
		 * loop (an http request sent once the connect is seen) has
		 * not had its timeout.  It gets the time lost back, at most
		 * one more timeout, measured as the loop's lateness.
		 */
		ev_now_update(loop);
		late = ev_now(loop) - due;
		if (check_late(due, ev_now(loop))) {
			if (late > ms(c->cf->timeout_ms))
				late = ms(c->cf->timeout_ms);
			ev_timer_set(&c->timeout, late, 0.);
		} else
			ev_timer_set(&c->timeout, 0., 0.);
		ev_timer_start(loop, &c->timeout);
		return;
	}
	c->ops->cancel(c);
	check_done(c, false, "%s timeout after %u ms", c->ops->name,
	    c->cf->timeout_ms);
}

/*
 * The time to the next tick: one interval, made up to a tenth shorter at
 * random, never longer.  Checks of one interval started together would
 * otherwise fire in the same loop iteration forever, a burst of sockets
 * or processes every interval (all of them failing together when
 * descriptors are short).  A probe may take up to its timeout, and the
 * next tick must not find it still running, so no more than the gap
 * between the two is taken off.
 */
static double
tick_after(const struct check *c)
{
	uint32_t room = c->cf->interval_ms > c->cf->timeout_ms ?
	    c->cf->interval_ms - c->cf->timeout_ms : 0;
	uint32_t tenth = c->cf->interval_ms / 10;

	if (room > tenth)
		room = tenth;
	return ms(c->cf->interval_ms) - ms(room) * ((double)random() /
	    ((double)RAND_MAX + 1.0));
}

static void
tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct check *c = t->data;

	(void)revents;
	/* the next tick is due about one interval after this one started */
	ev_timer_set(&c->tick, tick_after(c), 0.);
	ev_timer_start(loop, &c->tick);
	/* still in flight (timeout = interval, or its last look): skip */
	if (c->running)
		return;
	c->running = true;
	c->probes++;
	c->last_look = false;
	/* its time runs from now, not from when the tick was due */
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
	 * A probe in flight whose own timeout is still to run will answer
	 * (at the latest when that timer fires, often in this same
	 * iteration): it is judged by its own start and timeout, so wait
	 * for it rather than report twice.  A timer due in this iteration
	 * is pending, no longer active.
	 */
	if (c->running && ev_is_pending(&c->timeout)) {
		watchdog_arm(c, 0.001);
		return;
	}
	if (c->running && ev_is_active(&c->timeout)) {
		watchdog_arm(c, ev_timer_remaining(loop, &c->timeout) + 0.001);
		return;
	}
	/*
	 * No probe in flight, but the next one is scheduled (its tick was
	 * late, or skipped while a stalled probe was still in flight): it
	 * is judged from when it really starts, by its own timeout.
	 */
	if (!c->running && ev_is_active(&c->tick) &&
	    ev_timer_remaining(loop, &c->tick) <= ms(c->cf->interval_ms)) {
		watchdog_arm(c, ev_timer_remaining(loop, &c->tick) +
		    ms(c->cf->timeout_ms) + 0.001);
		return;
	}
	/*
	 * Neither: the scheduler itself is stuck, unless the watchdog ran
	 * late, which means the loop was (the daemon stopped, a long
	 * callback) and what the checker owes may be queued behind it.
	 * Give it one more interval + timeout from now; a second miss in a
	 * row fails.
	 */
	if (check_late(c->wd_due, ev_now(loop)) && !c->wd_deferred) {
		check_log(c, LOG_LVL_DEBUG, "msg=\"loop %.0f ms late: no result "
		    "expected yet\"", (ev_now(loop) - c->wd_due) * 1000.);
		c->wd_deferred = true;
		watchdog_arm(c, ms(c->cf->interval_ms) +
		    ms(c->cf->timeout_ms));
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
	/*
	 * In one iteration of the loop, the probes' answers come first
	 * (their watchers have the default priority), then the tick, then
	 * the timeout and the watchdog: an answer collected by the same
	 * poll ends its probe before the next starts, and counts before
	 * either judge looks.
	 */
	ev_timer_init(&c->tick, tick_cb, 0., 0.);
	ev_set_priority(&c->tick, EV_MINPRI + 1);
	c->tick.data = c;
	ev_timer_init(&c->timeout, timeout_cb, 0., 0.);
	ev_set_priority(&c->timeout, EV_MINPRI);
	c->timeout.data = c;
	ev_timer_init(&c->watchdog, watchdog_cb, 0., 0.);
	ev_set_priority(&c->watchdog, EV_MINPRI);
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
	watchdog_rearm(c);
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
