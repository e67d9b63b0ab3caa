/*
 * test_watch.c - the Nomad client's decisions (nomad/watch.c, included to
 * reach its statics): the source state from what the agent said, the
 * failure policy (grace, facts that fail at once), the backoff and the
 * one-line error bodies.  The requests themselves are exercised against
 * the stand-in agent by tests/integ/nomad_bird.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../nomad/watch.c"

struct fx {
	struct ev_loop		*loop;
	struct conf_nomad	 cf;
	struct conf_service	 svc;
	struct nomad_client	 cl;
	struct nomad_watch	 w;
	struct nomad_watch	*wp;
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

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->loop = ev_loop_new(EVFLAG_AUTO)) == NULL)
		return -1;
	snprintf(f->cf.alloc_id, sizeof(f->cf.alloc_id),
	    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73");
	f->cf.grace_ms = 2000;
	f->cf.check_interval_ms = 500;
	f->cf.wait_ms = 60000;
	snprintf(f->svc.name, sizeof(f->svc.name), "web");
	snprintf(f->svc.nomad_service, sizeof(f->svc.nomad_service),
	    "traefik");
	f->cl.loop = f->loop;
	f->cl.cf = &f->cf;
	f->wp = &f->w;
	f->cl.w = &f->wp;
	f->cl.nw = 1;
	f->w.cl = &f->cl;
	f->w.svc = &f->svc;
	f->w.f.mode = NOMAD_CHECKS_ALL;
	f->w.fn = record;
	f->w.ctx = f;
	f->w.state = SRC_UNKNOWN;
	snprintf(f->w.reason, sizeof(f->w.reason),
	    "nomad: waiting for the agent");
	ev_timer_init(&f->w.grace, nomad_grace_cb, 0., 0.);
	f->w.grace.data = &f->w;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ev_timer_stop(f->loop, &f->w.grace);
	ev_loop_destroy(f->loop);
	free(f);
	return 0;
}

static void
checks(struct fx *f, enum nomad_health h, const char *why)
{
	f->w.checks_known = true;
	f->w.ck.health = h;
	snprintf(f->w.ck.reason, sizeof(f->w.ck.reason), "%s", why);
	nomad_watch_sync(&f->w);
}

static void
reg(struct fx *f, enum nomad_reg r)
{
	f->w.regst = r;
	nomad_watch_sync(&f->w);
}

/* the grace timer runs out (as the loop would call it) */
static void
grace_ends(struct fx *f)
{
	assert_true(ev_is_active(&f->w.grace));
	ev_timer_stop(f->loop, &f->w.grace);
	nomad_grace_cb(f->loop, &f->w.grace, EV_TIMER);
}

static void
test_watch_unknown_until_registration_and_checks_known(void **state)
{
	struct fx *f = *state;

	nomad_watch_sync(&f->w);
	assert_int_equal(f->calls, 0);		/* nothing new to say */
	reg(f, NOMAD_REG_YES);
	assert_int_equal(f->calls, 0);		/* checks still unknown */
	assert_int_equal(f->w.state, SRC_UNKNOWN);
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->last, SRC_PASS);
	assert_string_equal(f->reason,
	    "nomad: traefik registered, nomad checks passing: 1");
	/* the same answer again says nothing */
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	assert_int_equal(f->calls, 1);
}

static void
test_watch_deregistration_fails_at_once(void **state)
{
	struct fx *f = *state;

	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	reg(f, NOMAD_REG_NO);
	assert_int_equal(f->last, SRC_FAIL);
	assert_string_equal(f->reason,
	    "nomad: traefik not registered for alloc 5b3d8f2e");
	/* not registered from the start: failing, not unknown */
	f->w.decided = false;
	f->w.state = SRC_UNKNOWN;
	f->w.checks_known = false;
	f->calls = 0;
	reg(f, NOMAD_REG_NO);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->last, SRC_FAIL);
}

static void
test_watch_failing_check_fails_and_no_checks_pass(void **state)
{
	struct fx *f = *state;

	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_FAIL, "nomad check \"ping\" failure: refused");
	assert_int_equal(f->last, SRC_FAIL);
	assert_string_equal(f->reason,
	    "nomad check \"ping\" failure: refused");
	checks(f, NOMAD_HEALTH_NO_CHECKS, "no nomad checks for service");
	assert_int_equal(f->last, SRC_PASS);
	/* nomad-checks = none: a failing check does not count */
	f->w.f.mode = NOMAD_CHECKS_NONE;
	checks(f, NOMAD_HEALTH_FAIL, "nomad check \"ping\" failure: refused");
	assert_int_equal(f->last, SRC_PASS);
	assert_string_equal(f->reason,
	    "nomad: traefik registered, checks not used");
}

static void
test_watch_pending_is_unknown_when_starting_then_failing(void **state)
{
	struct fx *f = *state;

	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_PENDING, "nomad check \"ping\" pending");
	assert_int_equal(f->w.state, SRC_UNKNOWN);
	assert_int_equal(f->calls, 1);		/* the reason changed */
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	assert_int_equal(f->last, SRC_PASS);
	checks(f, NOMAD_HEALTH_PENDING, "nomad check \"ping\" pending");
	assert_int_equal(f->last, SRC_FAIL);
}

static void
test_watch_error_keeps_state_for_grace_then_fails(void **state)
{
	struct fx *f = *state;
	unsigned n;

	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	n = f->calls;
	f->cl.checks.nerr = 1;
	snprintf(f->w.errwhy, sizeof(f->w.errwhy), "checks: http 500");
	nomad_watch_sync(&f->w);
	assert_int_equal(f->calls, n);		/* kept */
	assert_int_equal(f->w.state, SRC_PASS);
	assert_true(f->w.in_error);
	assert_true(ev_is_active(&f->w.grace));
	assert_true(ev_timer_remaining(f->loop, &f->w.grace) > 1.9);
	assert_true(ev_timer_remaining(f->loop, &f->w.grace) <= 2.0);
	/* more errors do not restart grace; a passing answer of the other
	 * channel changes nothing either */
	f->cl.checks.nerr = 5;
	reg(f, NOMAD_REG_YES);
	assert_int_equal(f->calls, n);
	grace_ends(f);
	assert_int_equal(f->last, SRC_FAIL);
	assert_string_equal(f->reason,
	    "nomad: no usable answer for 2000 ms: checks: http 500");
	/* recovery: the facts decide again, the timer is gone */
	f->cl.checks.nerr = 0;
	nomad_watch_sync(&f->w);
	assert_int_equal(f->last, SRC_PASS);
	assert_false(f->w.in_error);
	assert_false(ev_is_active(&f->w.grace));
}

static void
test_watch_down_facts_win_within_grace(void **state)
{
	struct fx *f = *state;

	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	/* the registration query fails, then the checks say failure */
	f->w.reg.nerr = 1;
	nomad_watch_sync(&f->w);
	assert_int_equal(f->w.state, SRC_PASS);
	checks(f, NOMAD_HEALTH_FAIL, "nomad check \"ping\" failure: 503");
	assert_int_equal(f->last, SRC_FAIL);
	/* and a pass during the error does not announce again */
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	assert_int_equal(f->w.state, SRC_FAIL);
	/* 404 on the checks: the alloc is unknown, failing at once */
	f->w.reg.nerr = 0;
	nomad_watch_sync(&f->w);
	assert_int_equal(f->last, SRC_PASS);
	f->cl.checks.nerr = 1;
	f->w.alloc_gone = true;
	nomad_watch_sync(&f->w);
	assert_int_equal(f->last, SRC_FAIL);
	assert_string_equal(f->reason,
	    "nomad: alloc 5b3d8f2e unknown to the agent (404)");
}

static void
test_watch_grace_zero_fails_at_first_error(void **state)
{
	struct fx *f = *state;

	f->cf.grace_ms = 0;
	reg(f, NOMAD_REG_YES);
	checks(f, NOMAD_HEALTH_PASS, "nomad checks passing: 1");
	f->w.reg.nerr = 1;
	snprintf(f->w.errwhy, sizeof(f->w.errwhy), "registration: refused");
	nomad_watch_sync(&f->w);
	assert_int_equal(f->last, SRC_FAIL);
	assert_false(ev_is_active(&f->w.grace));
}

static void
test_watch_checks_errors_do_not_touch_registration_only_watch(void **state)
{
	struct fx *f = *state;

	f->w.f.mode = NOMAD_CHECKS_NONE;
	reg(f, NOMAD_REG_YES);
	assert_int_equal(f->last, SRC_PASS);
	f->cl.checks.nerr = 3;
	nomad_watch_sync(&f->w);
	assert_false(f->w.in_error);
	assert_false(ev_is_active(&f->w.grace));
}

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_watch_unknown_until_registration_and_checks_known,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_deregistration_fails_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_failing_check_fails_and_no_checks_pass, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_pending_is_unknown_when_starting_then_failing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_error_keeps_state_for_grace_then_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_down_facts_win_within_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_grace_zero_fails_at_first_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_checks_errors_do_not_touch_registration_only_watch,
		    setup, teardown),
		cmocka_unit_test(test_watch_backoff_doubles_from_250ms_to_30s),
		cmocka_unit_test(test_watch_error_body_one_line_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
