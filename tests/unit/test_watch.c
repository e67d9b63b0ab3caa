/*
 * test_watch.c - the Nomad client's edge (nomad/watch.c, included to
 * reach its statics): the spacing of blocking queries, which watches a
 * request serves, the rhythm of the polls, the agent's outage class, the
 * glue that reports a source's change and arms its timer, the backoff and
 * the one-line error bodies.  The decisions themselves are source.c's
 * (tests/unit/test_source.c); the requests are exercised against the
 * stand-in agent by tests/integ/nomad_bird.sh, and the ask of the alloc
 * (nomad_client_ask_alloc) by tests/unit/test_watch_agent.c.
 *
 * The client and its requests are built by hand (no libcurl handle, no
 * request sent); a libev loop is there for the timers, never run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nomad/watch.c"

struct fx {
	struct ev_loop		*loop;
	struct conf_nomad	 cf;
	struct conf_nomad_watch	 nw;
	struct nomad_client	*cl;
	struct nomad_regq	*q[2];
	struct nomad_watch	*w;
	unsigned		 calls;
	enum src_state		 last;
	char			 reason[256];
};

static void
record(void *ctx, struct nomad_watch *w, enum src_state st, const char *why)
{
	struct fx *f = ctx;

	(void)w;
	f->calls++;
	f->last = st;
	snprintf(f->reason, sizeof(f->reason), "%s", why);
}

static void
count_a(void *ctx, struct nomad_watch *w, enum src_state st, const char *why)
{
	(void)w;
	(void)st;
	(void)why;
	(*(unsigned *)ctx)++;
}

static void
req_fill(struct nomad_req *r, struct nomad_client *cl,
    enum nomad_req_kind kind, void *owner, const char *what)
{
	r->kind = kind;
	r->owner = owner;
	r->cl = cl;
	r->what = what;
	snprintf(r->label, sizeof(r->label), "alloc=5b3d8f2e");
	ev_timer_init(&r->next, nomad_next_cb, 0., 0.);
	r->next.data = r;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	size_t i;

	if (f == NULL || (f->loop = ev_loop_new(EVFLAG_AUTO)) == NULL ||
	    (f->cl = calloc(1, sizeof(*f->cl))) == NULL ||
	    (f->w = calloc(1, sizeof(*f->w))) == NULL)
		return -1;
	snprintf(f->cf.alloc_id, sizeof(f->cf.alloc_id),
	    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73");
	f->cf.grace_ms = 15000;
	f->cf.check_interval_ms = 500;
	f->cf.wait_ms = 60000;
	f->cf.outage_hold = true;
	snprintf(f->nw.service, sizeof(f->nw.service), "traefik");

	f->cl->loop = f->loop;
	f->cl->cf = &f->cf;
	f->cl->st.known_leader = -1;
	req_fill(&f->cl->checks, f->cl, NOMAD_REQ_CHECKS, f->cl, "checks");
	req_fill(&f->cl->probe, f->cl, NOMAD_REQ_PROBE, f->cl, "probe");
	for (i = 0; i < 2; i++) {
		/* calloc: the log_rl bucket of each request starts at 0 */
		if ((f->q[i] = calloc(1, sizeof(*f->q[i]))) == NULL)
			return -1;
		f->q[i]->cl = f->cl;
		snprintf(f->q[i]->name, sizeof(f->q[i]->name), "%s",
		    i == 0 ? "traefik" : "api");
		req_fill(&f->q[i]->req, f->cl, NOMAD_REQ_REG, f->q[i],
		    "registration");
	}
	f->cl->q = f->q;
	f->cl->nq = 0;

	f->w->cl = f->cl;
	f->w->svc = "web";
	f->w->cf = &f->nw;
	f->w->f.mode = NOMAD_CHECKS_ALL;
	f->w->q = f->q[0];
	f->w->fn = record;
	f->w->ctx = f;
	nsrc_init(&f->w->src, "traefik", f->cf.alloc_id, true, true,
	    f->cf.grace_ms);
	ev_timer_init(&f->w->due, nomad_due_cb, 0., 0.);
	f->w->due.data = f->w;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	size_t i;

	ev_timer_stop(f->loop, &f->cl->checks.next);
	ev_timer_stop(f->loop, &f->cl->probe.next);
	ev_timer_stop(f->loop, &f->w->due);
	for (i = 0; i < 2; i++) {
		ev_timer_stop(f->loop, &f->q[i]->req.next);
		free(f->q[i]);
	}
	free(f->w);
	free(f->cl);
	ev_loop_destroy(f->loop);
	free(f);
	return 0;
}

/* an answer's X-Nomad-Index, or none */
static void
meta_index(struct nomad_regq *q, bool has, uint64_t index)
{
	memset(&q->req.meta, 0, sizeof(q->req.meta));
	q->req.meta.has_index = has;
	q->req.meta.index = index;
}

/* ---- nomad_reg_spacing ---- */

static void
test_watch_reg_spacing_index_backwards_rereads_at_once(void **state)
{
	struct fx *f = *state;
	struct nomad_regq *q = f->q[0];

	q->sent_index = 100;
	q->nodd = 3;
	meta_index(q, true, 50);
	assert_true(nomad_reg_spacing(q, 10.) == 0.);
	assert_int_equal(q->nodd, 0);
	/* and the next query goes with index 0 */
	assert_int_equal(nomad_next_index(q->sent_index, 50), 0);
	/* after a full wait too */
	q->nodd = 2;
	assert_true(nomad_reg_spacing(q, 60000.) == 0.);
	assert_int_equal(q->nodd, 0);
}

static void
test_watch_reg_spacing_odd_answers_grow_to_the_cap(void **state)
{
	struct fx *f = *state;
	struct nomad_regq *q = f->q[0];
	double d, prev_lo = 0;
	unsigned i;
	uint32_t ms;

	/* no X-Nomad-Index at all: spaced, 250 ms doubling, capped */
	q->sent_index = 100;
	for (i = 1; i <= 20; i++) {
		meta_index(q, false, 0);
		d = nomad_reg_spacing(q, 5.);
		assert_int_equal(q->nodd, i);
		ms = nomad_backoff_ms(i);
		if (ms > NOMAD_ODD_MAX_MS)
			ms = NOMAD_ODD_MAX_MS;
		/* +-25% jitter around the spacing, then the cap */
		assert_true(d >= 0.75 * ms / 1000.0 && d <= 1.25 * ms / 1000.0);
		assert_true(d <= NOMAD_ODD_MAX_MS / 1000.0);
		/* it grows: each step's floor is at least the last one's */
		assert_true(0.75 * ms / 1000.0 >= prev_lo);
		prev_lo = 0.75 * ms / 1000.0;
	}
	assert_true(prev_lo == 0.75 * NOMAD_ODD_MAX_MS / 1000.0);

	/* a normal answer ends the run: the next odd one starts over */
	meta_index(q, true, 101);
	assert_true(nomad_reg_spacing(q, 60000.) == 0.);
	assert_int_equal(q->nodd, 0);
	q->sent_index = 101;

	/* an early answer with the same index: odd */
	meta_index(q, true, 101);
	d = nomad_reg_spacing(q, 10.);
	assert_int_equal(q->nodd, 1);
	assert_true(d >= 0.1875 && d <= 0.3125);
	meta_index(q, true, 101);
	d = nomad_reg_spacing(q, 10.);
	assert_int_equal(q->nodd, 2);
	assert_true(d >= 0.375 && d <= 0.625);

	/* the same index after the wait ran out: normal */
	meta_index(q, true, 101);
	assert_true(nomad_reg_spacing(q, 60000.) == 0.);
	assert_int_equal(q->nodd, 0);
	/* an index answer to a first query (index 0) never blocks: normal */
	q->sent_index = 0;
	meta_index(q, true, 101);
	assert_true(nomad_reg_spacing(q, 3.) == 0.);
	assert_int_equal(q->nodd, 0);
}

static void
test_watch_reg_spacing_quick_wakeups_spaced(void **state)
{
	struct fx *f = *state;
	struct nomad_regq *q = f->q[0];
	uint64_t idx = 100;
	unsigned i;

	/* quick answers with a newer index: the first ones at once */
	q->sent_index = idx;
	for (i = 1; i < NOMAD_QUICK_MAX; i++) {
		meta_index(q, true, ++idx);
		assert_true(nomad_reg_spacing(q, 10.) == 0.);
		assert_int_equal(q->nquick, i);
		q->sent_index = idx;
	}
	/* then spaced, as long as they keep coming quick */
	for (i = 0; i < 3; i++) {
		meta_index(q, true, ++idx);
		assert_true(nomad_reg_spacing(q, 10.) ==
		    NOMAD_QUICK_SPACING_MS / 1000.0);
		q->sent_index = idx;
	}
	assert_int_equal(q->nodd, 0);
	/* an answer that blocked (at least half the wait) ends the run */
	meta_index(q, true, ++idx);
	assert_true(nomad_reg_spacing(q, 30000.) == 0.);
	assert_int_equal(q->nquick, 0);
	q->sent_index = idx;
	meta_index(q, true, ++idx);
	assert_true(nomad_reg_spacing(q, 10.) == 0.);
	assert_int_equal(q->nquick, 1);
	/* first queries (index 0) do not count as wake-ups */
	q->sent_index = 0;
	q->nquick = NOMAD_QUICK_MAX;
	meta_index(q, true, ++idx);
	assert_true(nomad_reg_spacing(q, 10.) == 0.);
	assert_int_equal(q->nquick, 0);
}

/* ---- nomad_req_serves ---- */

static void
test_watch_req_serves_by_kind_and_slot(void **state)
{
	struct fx *f = *state;
	struct nomad_watch all, named, none;
	enum nsrc_req slot;

	memset(&all, 0, sizeof(all));
	memset(&named, 0, sizeof(named));
	memset(&none, 0, sizeof(none));
	all.f.mode = NOMAD_CHECKS_ALL;
	all.q = f->q[0];
	named.f.mode = NOMAD_CHECKS_NAMED;
	named.q = f->q[0];
	none.f.mode = NOMAD_CHECKS_NONE;
	none.q = f->q[1];

	/* a registration query: the watches of its Nomad service */
	slot = NSRC_REQ_N;
	assert_true(nomad_req_serves(&f->q[0]->req, &all, &slot));
	assert_int_equal(slot, NSRC_REQ_REG);
	assert_true(nomad_req_serves(&f->q[0]->req, &named, &slot));
	assert_false(nomad_req_serves(&f->q[0]->req, &none, &slot));
	slot = NSRC_REQ_N;
	assert_true(nomad_req_serves(&f->q[1]->req, &none, &slot));
	assert_int_equal(slot, NSRC_REQ_REG);
	assert_false(nomad_req_serves(&f->q[1]->req, &all, &slot));

	/* the checks poll: every watch that uses Nomad checks */
	slot = NSRC_REQ_N;
	assert_true(nomad_req_serves(&f->cl->checks, &all, &slot));
	assert_int_equal(slot, NSRC_REQ_CHECKS);
	assert_true(nomad_req_serves(&f->cl->checks, &named, &slot));
	assert_false(nomad_req_serves(&f->cl->checks, &none, &slot));

	/* the probe: every watch that does not */
	slot = NSRC_REQ_N;
	assert_true(nomad_req_serves(&f->cl->probe, &none, &slot));
	assert_int_equal(slot, NSRC_REQ_PROBE);
	assert_false(nomad_req_serves(&f->cl->probe, &all, &slot));
	assert_false(nomad_req_serves(&f->cl->probe, &named, &slot));

	/* the ask of the alloc: none (its errors are the asker's) */
	req_fill(&f->cl->ask, f->cl, NOMAD_REQ_ALLOC, f->cl, "alloc");
	assert_false(nomad_req_serves(&f->cl->ask, &all, &slot));
	assert_false(nomad_req_serves(&f->cl->ask, &named, &slot));
	assert_false(nomad_req_serves(&f->cl->ask, &none, &slot));
}

/* ---- nomad_poll_next ---- */

static double
poll_in(struct fx *f, struct nomad_req *r)
{
	nomad_poll_next(f->cl, r);
	assert_true(ev_is_active(&r->next));
	return ev_timer_remaining(f->loop, &r->next);
}

static void
test_watch_poll_next_start_to_start_then_slower_after_errors(void **state)
{
	struct fx *f = *state;
	struct nomad_req *r = &f->cl->checks;
	double d;
	unsigned n, i;

	/* no errors: start to start at check-interval */
	r->nerr = 0;
	r->started = ev_time() - 0.2;
	d = poll_in(f, r);
	assert_true(d > 0.29 && d <= 0.3);
	r->started = ev_time();
	d = poll_in(f, r);
	assert_true(d > 0.49 && d <= 0.5);
	/* an answer slower than the interval: the next one at once */
	r->started = ev_time() - 10;
	d = poll_in(f, r);
	assert_true(d == 0.);

	/* errors: between check-interval and NOMAD_POLL_RETRY_MAX_MS */
	r->started = ev_time() - 10;
	for (n = 1; n <= 12; n++) {
		r->nerr = n;
		for (i = 0; i < 50; i++) {
			d = poll_in(f, r);
			assert_true(d >= 0.5 &&
			    d <= NOMAD_POLL_RETRY_MAX_MS / 1000.0);
		}
	}
	r->nerr = 1;		/* 250 ms +-25%: never below the rhythm */
	assert_true(poll_in(f, r) == 0.5);
	r->nerr = 3;		/* 1 s +-25% */
	d = poll_in(f, r);
	assert_true(d >= 0.75 && d <= 1.25);
	r->nerr = 30;		/* 30 s: capped */
	assert_true(poll_in(f, r) == NOMAD_POLL_RETRY_MAX_MS / 1000.0);

	/* an interval over the cap: the interval wins */
	f->cf.check_interval_ms = 5000;
	r = &f->cl->probe;
	r->nerr = 30;
	assert_true(poll_in(f, r) == 5.0);
	r->nerr = 0;
	r->started = ev_time();
	d = poll_in(f, r);
	assert_true(d > 4.99 && d <= 5.0);
}

/* ---- nomad_client_class ---- */

static void
test_watch_client_class_polls_win_over_queries(void **state)
{
	struct fx *f = *state;
	struct nomad_client *cl = f->cl;

	cl->nq = 2;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_NONE);
	/* a query alone */
	f->q[1]->req.cls = NOMAD_OUT_REFUSED;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_REFUSED);
	f->q[0]->req.cls = NOMAD_OUT_ERROR;	/* the first query first */
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_ERROR);
	/* a poll not in use does not count */
	cl->checks.cls = NOMAD_OUT_UNREACHABLE;
	cl->probe.cls = NOMAD_OUT_CONTROL_PLANE;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_ERROR);
	/* the checks poll wins */
	cl->poll_checks = true;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_UNREACHABLE);
	/* over the probe too */
	cl->poll_probe = true;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_UNREACHABLE);
	cl->checks.cls = NOMAD_OUT_NONE;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_CONTROL_PLANE);
	cl->probe.cls = NOMAD_OUT_NONE;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_ERROR);
	f->q[0]->req.cls = NOMAD_OUT_NONE;
	f->q[1]->req.cls = NOMAD_OUT_NONE;
	assert_int_equal(nomad_client_class(cl), NOMAD_OUT_NONE);
}

/* ---- nomad_watch_update: report a change, arm the timer ---- */

static void
test_watch_update_reports_changes_and_arms_due_timer(void **state)
{
	struct fx *f = *state;
	struct nomad_watch *w = f->w;
	struct nomad_checks ck;
	double d;

	f->cl->w = &f->w;
	f->cl->nw = 1;
	nomad_watch_update(w);
	assert_int_equal(f->calls, 0);		/* nothing new to say */
	assert_false(ev_is_active(&w->due));

	nsrc_registration(&w->src, true);
	memset(&ck, 0, sizeof(ck));
	ck.nent = 1;
	ck.nsuccess = 1;
	ck.health = NOMAD_HEALTH_PASS;
	snprintf(ck.reason, sizeof(ck.reason), "nomad checks passing: 1");
	snprintf(ck.ent[0].name, sizeof(ck.ent[0].name), "ping");
	ck.ent[0].st = NOMAD_CS_SUCCESS;
	nsrc_checks(&w->src, &ck, mono_ms());
	nomad_watch_update(w);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->last, SRC_PASS);
	assert_string_equal(f->reason,
	    "nomad: traefik for alloc 5b3d8f2e registered, "
	    "nomad checks passing: 1");
	assert_false(ev_is_active(&w->due));
	nomad_update_all(f->cl);
	assert_int_equal(f->calls, 1);		/* said once */

	/* re-stubbed: held, and the timer set to when the hold runs out */
	ck.npending = 1;
	ck.nsuccess = 0;
	ck.health = NOMAD_HEALTH_PENDING;
	ck.ent[0].st = NOMAD_CS_PENDING;
	snprintf(ck.reason, sizeof(ck.reason), "nomad check \"ping\" pending");
	snprintf(ck.ent[0].reason, sizeof(ck.ent[0].reason),
	    "nomad check \"ping\" pending");
	nsrc_checks(&w->src, &ck, mono_ms());
	nomad_watch_update(w);
	assert_int_equal(f->calls, 2);		/* the reason changed */
	assert_int_equal(f->last, SRC_PASS);
	assert_non_null(strstr(f->reason, "re-registered"));
	assert_true(ev_is_active(&w->due));
	d = ev_timer_remaining(f->loop, &w->due);
	assert_true(d > 14.5 && d <= 15.0);
	assert_true(w->due.data == w);

	/* its first result: nothing due any more */
	ck.npending = 0;
	ck.nsuccess = 1;
	ck.health = NOMAD_HEALTH_PASS;
	ck.ent[0].st = NOMAD_CS_SUCCESS;
	snprintf(ck.reason, sizeof(ck.reason), "nomad checks passing: 1");
	nsrc_checks(&w->src, &ck, mono_ms());
	nomad_watch_update(w);
	assert_int_equal(f->calls, 3);
	assert_false(ev_is_active(&w->due));

	/* the state a watch shows is its source's */
	{
		const char *why = NULL;

		assert_int_equal(nomad_watch_state(w, &why), SRC_PASS);
		assert_true(why == w->src.reason);
		assert_int_equal(nomad_watch_outage(w, NULL), NOMAD_OUT_NONE);
	}
}

/* ---- small helpers ---- */

static void
test_watch_backoff_doubles_from_250ms_to_30s(void **state)
{
	static const uint32_t want[] = { 250, 250, 500, 1000, 2000, 4000,
	    8000, 16000, 30000, 30000 };
	size_t i;
	double j;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(nomad_backoff_ms((unsigned)i), want[i]);
	assert_int_equal(nomad_backoff_ms(1000000), 30000);
	for (i = 0; i < 2000; i++) {
		j = nomad_jitter(1000);
		assert_true(j >= 0.75 && j <= 1.25);
	}
}

static void
test_watch_error_body_one_line_truncated(void **state)
{
	char buf[16], big[64];

	(void)state;
	nomad_oneline(buf, sizeof(buf), "Permission denied\n", 18);
	assert_string_equal(buf, "Permission d...");	/* cut, marked */
	nomad_oneline(big, sizeof(big), "Server error\r\n\"x\"\x01", 18);
	assert_string_equal(big, "Server error  'x'");
	memset(big, 'a', sizeof(big));
	nomad_oneline(buf, sizeof(buf), big, sizeof(big));
	assert_string_equal(buf, "aaaaaaaaaaaa...");
	/* NUL ends it: a binary body says what came before */
	nomad_oneline(buf, sizeof(buf), "ab\0cd", 5);
	assert_string_equal(buf, "ab");
}

/*
 * A reload that keeps the client: a watch moved over reports to its new
 * owner; a removed watch takes its blocking query with it only when no
 * other watch uses it, and the polls follow what the watches left use.
 */
static void
test_watch_reload_keeps_client_moves_and_removes(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct conf_nomad cf;
	struct conf_nomad_watch all, none, api;
	struct nomad_client *cl;
	struct nomad_watch *wa, *wn, *wapi;
	unsigned a = 0, b = 0;

	(void)state;
	assert_non_null(loop);
	memset(&cf, 0, sizeof(cf));
	snprintf(cf.address, sizeof(cf.address), "http://127.0.0.1:4646");
	snprintf(cf.alloc_id, sizeof(cf.alloc_id),
	    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73");
	cf.check_interval_ms = 500;
	cf.wait_ms = 60000;
	cf.grace_ms = 15000;
	memset(&all, 0, sizeof(all));
	snprintf(all.service, sizeof(all.service), "traefik");
	none = all;
	none.checks = CONF_NOMAD_CHECKS_NONE;
	api = all;
	snprintf(api.service, sizeof(api.service), "api");
	cl = nomad_client_new(loop, NULL, &cf);
	assert_non_null(cl);
	wa = nomad_watch_add(cl, "web", &all, count_a, &a);
	wn = nomad_watch_add(cl, "web2", &none, count_a, &a);
	wapi = nomad_watch_add(cl, "api", &api, count_a, &a);
	assert_non_null(wa);
	assert_non_null(wn);
	assert_non_null(wapi);
	assert_int_equal(cl->nq, 2);
	assert_true(cl->poll_checks && cl->poll_probe);

	/* moved over: the new owner hears of a change */
	nomad_watch_rebind(wa, "web-new", &all, count_a, &b);
	wa->fn(wa->ctx, wa, SRC_FAIL, "test");
	assert_int_equal(b, 1);
	assert_int_equal(a, 0);
	assert_string_equal(wa->svc, "web-new");

	/* api's query goes with its only watch, its slot is reused */
	nomad_watch_remove(wapi);
	assert_int_equal(cl->nw, 2);
	assert_int_equal(cl->nq, 1);
	assert_int_equal(cl->st.queries, 1);
	assert_string_equal(cl->q[0]->name, "traefik");
	/* the probe was only for the watch without Nomad checks */
	nomad_watch_remove(wn);
	assert_int_equal(cl->nq, 1);
	assert_true(cl->poll_checks);
	assert_false(cl->poll_probe);
	/* the last watch on traefik takes the query with it */
	nomad_watch_remove(wa);
	assert_int_equal(cl->nq, 0);
	assert_false(cl->poll_checks);
	/* nothing to send before the client starts */
	nomad_client_resync(cl);
	assert_false(ev_is_active(&cl->checks.next));
	nomad_client_free(cl);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_watch_reg_spacing_index_backwards_rereads_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_reg_spacing_odd_answers_grow_to_the_cap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_reg_spacing_quick_wakeups_spaced, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_req_serves_by_kind_and_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_poll_next_start_to_start_then_slower_after_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_client_class_polls_win_over_queries, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_update_reports_changes_and_arms_due_timer, setup,
		    teardown),
		cmocka_unit_test(test_watch_backoff_doubles_from_250ms_to_30s),
		cmocka_unit_test(test_watch_error_body_one_line_truncated),
		cmocka_unit_test(
		    test_watch_reload_keeps_client_moves_and_removes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
