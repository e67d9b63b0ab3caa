/*
 * test_source.c - the Nomad source of one service (nomad/source.c), the
 * decision machine under the rules of nomad/source.h: facts act at once,
 * no facts is not a fact (hold, or withdraw after grace), a re-stubbed
 * check keeps its last result for at most grace, a JSON null is "no
 * checks" before results and a purge after.
 *
 * The checks answers are built by hand, as nomad_parse_checks() would
 * give them (counts, health and reason consistent with the entries).
 * Times are plain milliseconds, starting at T0 (0 means "not pending" in
 * the source's memory, so no test uses it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nomad/source.h"

#define SVC	"traefik"
#define ALLOC	"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"
#define WHAT	"traefik for alloc 5b3d8f2e"
#define T0	((uint64_t)1000)
#define GRACE	15000u
#define HOUR	((uint64_t)3600 * 1000)

#define assert_contains(hay, needle) do {				\
	if (strstr((hay), (needle)) == NULL)				\
		fail_msg("\"%s\" does not contain \"%s\"", (hay),	\
		    (needle));						\
} while (0)

/* ---- checks answers, built by hand ---- */

static const char *
cstat_word(enum nomad_cstat st)
{
	switch (st) {
	case NOMAD_CS_SUCCESS:
		return "success";
	case NOMAD_CS_FAILURE:
		return "failure";
	case NOMAD_CS_PENDING:
		return "pending";
	case NOMAD_CS_MISSING:
		break;
	}
	return "has no result";
}

/* health and reason from the counts (as the parser sums them up) */
static void
ck_sum(struct nomad_checks *ck)
{
	const struct nomad_check_entry *fail = NULL, *pend = NULL;
	size_t i;

	for (i = 0; i < ck->nent; i++) {
		const struct nomad_check_entry *e = &ck->ent[i];

		if (e->st == NOMAD_CS_FAILURE && fail == NULL)
			fail = e;
		if ((e->st == NOMAD_CS_PENDING || e->st == NOMAD_CS_MISSING) &&
		    pend == NULL)
			pend = e;
	}
	if (ck->nfailure > 0) {
		ck->health = NOMAD_HEALTH_FAIL;
		snprintf(ck->reason, sizeof(ck->reason), "%s", fail != NULL ?
		    fail->reason : "nomad check \"unlisted\" failure");
	} else if (ck->npending > 0) {
		ck->health = NOMAD_HEALTH_PENDING;
		snprintf(ck->reason, sizeof(ck->reason), "%s", pend != NULL ?
		    pend->reason : "nomad check \"unlisted\" pending");
	} else if (ck->nsuccess > 0) {
		ck->health = NOMAD_HEALTH_PASS;
		snprintf(ck->reason, sizeof(ck->reason),
		    "nomad checks passing: %u", ck->nsuccess);
	} else {
		ck->health = NOMAD_HEALTH_NO_CHECKS;
		snprintf(ck->reason, sizeof(ck->reason),
		    "no nomad checks for service \"%s\"%s", SVC,
		    ck->null_body ? " (null: the alloc has none)" : "");
	}
}

static void
ck_clear(struct nomad_checks *ck)
{
	memset(ck, 0, sizeof(*ck));
	ck_sum(ck);
}

/* one more listed check, counted */
static void
ck_add(struct nomad_checks *ck, const char *name, enum nomad_cstat st)
{
	struct nomad_check_entry *e;

	assert_true(ck->nent < NOMAD_MAX_ENTRIES);
	e = &ck->ent[ck->nent++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->st = st;
	snprintf(e->reason, sizeof(e->reason), "nomad check \"%s\" %s", name,
	    cstat_word(st));
	switch (st) {
	case NOMAD_CS_SUCCESS:
		ck->nsuccess++;
		break;
	case NOMAD_CS_FAILURE:
		ck->nfailure++;
		break;
	case NOMAD_CS_PENDING:
	case NOMAD_CS_MISSING:
		ck->npending++;
		break;
	}
	ck_sum(ck);
}

/* the JSON null body */
static void
ck_null(struct nomad_checks *ck)
{
	memset(ck, 0, sizeof(*ck));
	ck->null_body = true;
	ck_sum(ck);
}

/* feed an answer of (name, status) pairs ended by NULL at time now */
static void
answer(struct nsrc *s, uint64_t now, ...)
{
	struct nomad_checks ck;
	const char *name;
	va_list ap;

	ck_clear(&ck);
	va_start(ap, now);
	while ((name = va_arg(ap, const char *)) != NULL)
		ck_add(&ck, name, (enum nomad_cstat)va_arg(ap, int));
	va_end(ap);
	nsrc_checks(s, &ck, now);
}

#define S	NOMAD_CS_SUCCESS
#define F	NOMAD_CS_FAILURE
#define P	NOMAD_CS_PENDING
#define M	NOMAD_CS_MISSING

/* ---- evaluation ---- */

static uint64_t nx;		/* *next_ms of the last eval */
static bool chg;		/* what the last eval returned */

static enum src_state
eval(struct nsrc *s, uint64_t now)
{
	nx = 0xdeadbeef;	/* eval must always write it */
	chg = nsrc_eval(s, now, &nx);
	return s->state;
}

/* a source that decided PASS at T0 on check "ping" */
static void
decided_pass(struct nsrc *s, bool hold, uint32_t grace)
{
	nsrc_init(s, SVC, ALLOC, true, hold, grace);
	nsrc_registration(s, true);
	answer(s, T0, "ping", S, NULL);
	assert_int_equal(eval(s, T0), SRC_PASS);
	assert_true(s->decided);
	assert_int_equal(nx, 0);
}

/* ---- 1. undecided ---- */

static void
test_source_unknown_until_registration_and_checks_known(void **state)
{
	struct nsrc s, t;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	assert_string_equal(s.what, WHAT);
	assert_int_equal(eval(&s, T0), SRC_UNKNOWN);
	assert_false(chg);		/* nothing new to say */
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason, "nomad: waiting for the agent");
	assert_false(s.decided);

	/* registration known, checks not yet */
	nsrc_registration(&s, true);
	assert_int_equal(eval(&s, T0 + 10), SRC_UNKNOWN);
	assert_false(chg);
	assert_false(s.decided);

	/* checks known, registration not yet */
	nsrc_init(&t, SVC, ALLOC, true, true, GRACE);
	answer(&t, T0, "ping", S, NULL);
	assert_int_equal(eval(&t, T0), SRC_UNKNOWN);
	assert_false(t.decided);
	nsrc_registration(&t, true);
	assert_int_equal(eval(&t, T0 + 10), SRC_PASS);

	/* both known */
	answer(&s, T0 + 20, "ping", S, NULL);
	assert_int_equal(eval(&s, T0 + 20), SRC_PASS);
	assert_true(chg);
	assert_true(s.decided);
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 1");

	/* registration only (nomad-checks = none): the registration decides */
	nsrc_init(&t, SVC, ALLOC, false, true, GRACE);
	assert_int_equal(eval(&t, T0), SRC_UNKNOWN);
	nsrc_registration(&t, true);
	assert_int_equal(eval(&t, T0 + 10), SRC_PASS);
	assert_true(chg);
	assert_string_equal(t.reason,
	    "nomad: " WHAT " registered, checks not used");
}

/* ---- 2. not registered ---- */

static void
test_source_not_registered_fails_at_once_even_in_outage(void **state)
{
	struct nsrc s;

	(void)state;
	/* not registered from the start: failing, not unknown */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, false);
	assert_int_equal(eval(&s, T0), SRC_FAIL);
	assert_string_equal(s.reason, "nomad: " WHAT " not registered");

	decided_pass(&s, true, GRACE);
	nsrc_registration(&s, false);
	assert_int_equal(eval(&s, T0 + 100), SRC_FAIL);
	assert_true(chg);
	assert_string_equal(s.reason, "nomad: " WHAT " not registered");
	nsrc_registration(&s, true);
	assert_int_equal(eval(&s, T0 + 200), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 1");

	/* in the middle of an outage (hold): the fact wins */
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_UNREACHABLE,
	    "checks: cannot connect", T0 + 300);
	assert_int_equal(eval(&s, T0 + 300), SRC_PASS);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	nsrc_registration(&s, false);
	assert_int_equal(eval(&s, T0 + 400), SRC_FAIL);
	assert_string_equal(s.reason, "nomad: " WHAT " not registered");
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	/* the agent answers again: registered, checks passing */
	answer(&s, T0 + 500, "ping", S, NULL);
	nsrc_registration(&s, true);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(eval(&s, T0 + 500), SRC_PASS);
}

/* ---- 3. check results ---- */

static void
test_source_failing_check_fails_passing_and_empty_pass(void **state)
{
	struct nsrc s;
	struct nomad_checks ck;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	/* a failing check is a fact: it fails before the registration is
	 * even known */
	answer(&s, T0, "ping", F, NULL);
	assert_int_equal(eval(&s, T0), SRC_FAIL);
	assert_string_equal(s.reason, "nomad check \"ping\" failure");

	nsrc_registration(&s, true);
	answer(&s, T0 + 500, "ping", S, "http", S, NULL);
	assert_int_equal(eval(&s, T0 + 500), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 2");
	assert_int_equal(nx, 0);

	/* one failing among passing ones */
	answer(&s, T0 + 1000, "ping", S, "http", F, NULL);
	assert_int_equal(eval(&s, T0 + 1000), SRC_FAIL);
	assert_string_equal(s.reason, "nomad check \"http\" failure");

	/* {}: no entries, not null: no checks, the registration passes */
	ck_clear(&ck);
	assert_false(ck.null_body);
	nsrc_checks(&s, &ck, T0 + 1500);
	assert_int_equal(eval(&s, T0 + 1500), SRC_PASS);
	assert_string_equal(s.reason, "nomad: " WHAT " registered, "
	    "no nomad checks for service \"" SVC "\"");
}

/* ---- 4. pending ---- */

static void
test_source_pending_unknown_when_undecided_fails_after_grace(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 10000;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer(&s, T0, "ping", P, NULL);
	assert_int_equal(eval(&s, T0), SRC_UNKNOWN);
	assert_true(chg);		/* the reason changed */
	assert_string_equal(s.reason, "nomad check \"ping\" pending");
	assert_int_equal(nx, 0);	/* nothing held: nothing due */
	/* a source that never decided is not held: it stays unknown */
	answer(&s, T0 + HOUR, "ping", P, NULL);
	assert_int_equal(eval(&s, T0 + HOUR), SRC_UNKNOWN);
	assert_false(s.decided);

	/* decided, then pending: held (rule 5) until grace, then failing */
	answer(&s, T0 + HOUR + 1, "ping", S, NULL);
	assert_int_equal(eval(&s, T0 + HOUR + 1), SRC_PASS);
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	assert_int_equal(eval(&s, t1 + GRACE - 1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	assert_int_equal(eval(&s, t1 + GRACE), SRC_FAIL);
	assert_true(chg);
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason,
	    "nomad check \"ping\" still pending after 15000 ms");
	/* the answers that keep saying pending keep it failed */
	answer(&s, t1 + GRACE + 500, "ping", P, NULL);
	assert_int_equal(eval(&s, t1 + GRACE + 500), SRC_FAIL);
	assert_false(chg);
}

/* ---- 5. in-place update: re-stubbed and added checks ---- */

static void
test_source_restub_holds_last_success_until_first_result(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	decided_pass(&s, true, GRACE);
	/* the same name, a new ID, pending: a re-registration */
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_contains(s.reason, "re-registered");
	assert_contains(s.reason, "\"ping\"");
	assert_contains(s.reason, "success");
	assert_int_equal(nx, t1 + GRACE);
	/* still pending later: the hold runs from when it was first seen */
	answer(&s, t1 + 500, "ping", P, NULL);
	assert_int_equal(eval(&s, t1 + 500), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	/* its first real result ends the hold */
	answer(&s, t1 + 1000, "ping", S, NULL);
	assert_int_equal(eval(&s, t1 + 1000), SRC_PASS);
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 1");

	/* two checks re-stubbed at different times: the first to run out */
	answer(&s, t1 + 2000, "ping", P, "http", S, NULL);
	answer(&s, t1 + 3000, "ping", P, "http", P, NULL);
	assert_int_equal(eval(&s, t1 + 3000), SRC_PASS);
	assert_int_equal(nx, t1 + 2000 + GRACE);
	assert_int_equal(eval(&s, t1 + 2000 + GRACE), SRC_FAIL);
	assert_contains(s.reason, "\"ping\" still pending");
}

static void
test_source_restub_still_pending_after_grace_fails(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	/* no news: the timer it asked for fires */
	assert_int_equal(eval(&s, nx), SRC_FAIL);
	assert_string_equal(s.reason,
	    "nomad check \"ping\" still pending after 15000 ms");
	assert_int_equal(nx, 0);
	/* its first result decides */
	answer(&s, t1 + GRACE + 100, "ping", S, NULL);
	assert_int_equal(eval(&s, t1 + GRACE + 100), SRC_PASS);
}

static void
test_source_restub_of_failing_check_stays_failed(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", F, "http", S, NULL);
	assert_int_equal(eval(&s, t1), SRC_FAIL);
	/* ping re-stubbed: its last result, failure, holds */
	answer(&s, t1 + 500, "ping", P, "http", S, NULL);
	assert_int_equal(eval(&s, t1 + 500), SRC_FAIL);
	assert_contains(s.reason, "re-registered");
	assert_contains(s.reason, "failure");
	assert_int_equal(nx, t1 + 500 + GRACE);
	/* a held failure beats a held success */
	answer(&s, t1 + 600, "ping", P, "http", P, NULL);
	assert_int_equal(eval(&s, t1 + 600), SRC_FAIL);
	assert_contains(s.reason, "\"ping\" re-registered");
	/* after grace: pending, still failing */
	assert_int_equal(eval(&s, t1 + 500 + GRACE), SRC_FAIL);
	assert_contains(s.reason, "still pending");
	answer(&s, t1 + 700 + GRACE, "ping", S, "http", S, NULL);
	assert_int_equal(eval(&s, t1 + 700 + GRACE), SRC_PASS);
}

static void
test_source_added_check_pending_keeps_decided_state(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	/* added next to a passing one: passing until grace */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", S, "new", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	assert_int_equal(eval(&s, t1 + GRACE), SRC_FAIL);
	assert_contains(s.reason, "\"new\" still pending");

	/* the only check replaced by a new name: the state holds (KEEP) */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping2", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_contains(s.reason, "\"ping2\" added (pending)");
	assert_int_equal(nx, t1 + GRACE);
	answer(&s, t1 + 500, "ping2", S, NULL);
	assert_int_equal(eval(&s, t1 + 500), SRC_PASS);
	assert_int_equal(nx, 0);

	/* KEEP keeps a failed state failed too */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", F, NULL);
	assert_int_equal(eval(&s, t1), SRC_FAIL);
	answer(&s, t1 + 500, "ping2", P, NULL);
	assert_int_equal(eval(&s, t1 + 500), SRC_FAIL);
	assert_contains(s.reason, "added (pending)");

	/* in a source that never decided: unknown */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer(&s, t1, "new", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_UNKNOWN);
	assert_int_equal(nx, 0);
}

static void
test_source_grace_zero_disables_pending_hold(void **state)
{
	struct nsrc s;

	(void)state;
	decided_pass(&s, true, 0);
	answer(&s, T0 + 500, "ping", P, NULL);
	assert_int_equal(eval(&s, T0 + 500), SRC_FAIL);
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason, "nomad check \"ping\" pending");
	/* an added check likewise */
	decided_pass(&s, true, 0);
	answer(&s, T0 + 500, "ping", S, "new", P, NULL);
	assert_int_equal(eval(&s, T0 + 500), SRC_FAIL);
}

/* ---- 6. MISSING (named, no result) ---- */

static void
test_source_missing_named_check_is_pending(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer(&s, T0, "ping", M, NULL);
	assert_int_equal(eval(&s, T0), SRC_UNKNOWN);
	assert_string_equal(s.reason, "nomad check \"ping\" has no result");

	/* decided, then missing: held from its last result until grace */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", M, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_contains(s.reason, "re-registered");
	assert_int_equal(nx, t1 + GRACE);
	assert_int_equal(eval(&s, t1 + GRACE), SRC_FAIL);
	assert_contains(s.reason, "still pending");

	/* a missing name never seen: the decided state holds */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "other", M, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);

	/* without the hold, missing fails a decided source at once */
	decided_pass(&s, true, 0);
	answer(&s, t1, "ping", M, NULL);
	assert_int_equal(eval(&s, t1), SRC_FAIL);
}

/* ---- 7. null ---- */

static void
test_source_null_body_passes_before_results_fails_after(void **state)
{
	struct nsrc s;
	struct nomad_checks ck;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	ck_null(&ck);
	nsrc_checks(&s, &ck, T0);
	/* the alloc has no checks: the registration alone passes */
	assert_int_equal(eval(&s, T0), SRC_PASS);
	assert_contains(s.reason, "registered");
	assert_false(s.purged);
	nsrc_checks(&s, &ck, T0 + 500);
	assert_int_equal(eval(&s, T0 + 500), SRC_PASS);

	/* results came: a null afterwards is the purge of a stopping alloc */
	answer(&s, T0 + 1000, "ping", S, NULL);
	assert_int_equal(eval(&s, T0 + 1000), SRC_PASS);
	nsrc_checks(&s, &ck, T0 + 1500);
	assert_int_equal(eval(&s, T0 + 1500), SRC_FAIL);
	assert_string_equal(s.reason, "nomad: " WHAT ": check results "
	    "purged: the alloc is stopping");
	/* still purged on the next null */
	nsrc_checks(&s, &ck, T0 + 2000);
	assert_int_equal(eval(&s, T0 + 2000), SRC_FAIL);
	assert_false(chg);
	/* a non-null answer clears it */
	answer(&s, T0 + 2500, "ping", S, NULL);
	assert_false(s.purged);
	assert_int_equal(eval(&s, T0 + 2500), SRC_PASS);
}

/* ---- 8. alloc gone ---- */

static void
test_source_alloc_gone_fails_until_checks_answer(void **state)
{
	struct nsrc s;

	(void)state;
	decided_pass(&s, true, GRACE);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_ERROR, "checks: http 404",
	    T0 + 100);
	nsrc_alloc_gone(&s);
	/* the 404 was an answer: it ends the checks error */
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
	assert_int_equal(eval(&s, T0 + 200), SRC_FAIL);
	assert_string_equal(s.reason, "nomad: " WHAT ": the alloc is unknown "
	    "to the agent (404)");
	/* the fact stays until an answer says otherwise */
	assert_int_equal(eval(&s, T0 + HOUR), SRC_FAIL);
	answer(&s, T0 + HOUR + 1, "ping", S, NULL);
	assert_false(s.alloc_gone);
	assert_int_equal(eval(&s, T0 + HOUR + 1), SRC_PASS);
}

/* ---- 9. outage under hold ---- */

static void
test_source_outage_hold_keeps_state_until_answer(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 1000;

	(void)state;
	decided_pass(&s, true, GRACE);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE,
	    "checks: http 500 from /v1/client/allocation", t1);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_CONTROL_PLANE);
	assert_int_equal(s.outage_since, t1);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_true(chg);		/* the reason says why */
	assert_int_equal(nx, 0);	/* hold: nothing runs out */
	assert_contains(s.reason, "outage (control-plane)");
	assert_contains(s.reason, "checks: http 500 from");
	assert_int_equal(eval(&s, t1 + HOUR), SRC_PASS);
	assert_false(chg);
	assert_int_equal(nx, 0);
	/* more errors do not move the start */
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_UNREACHABLE,
	    "checks: no answer", t1 + 500);
	nsrc_error(&s, NSRC_REQ_REG, NOMAD_OUT_UNREACHABLE,
	    "registration: no answer", t1 + 600);
	assert_int_equal(s.outage_since, t1);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	assert_int_equal(eval(&s, t1 + HOUR), SRC_PASS);
	assert_contains(s.reason, "outage (unreachable)");

	/* a fact during the outage still fails */
	nsrc_registration(&s, false);
	assert_int_equal(eval(&s, t1 + HOUR + 1), SRC_FAIL);
	assert_string_equal(s.reason, "nomad: " WHAT " not registered");
	/* registered again, checks still unknown: the last state holds */
	nsrc_registration(&s, true);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	assert_int_equal(eval(&s, t1 + HOUR + 2), SRC_FAIL);
	assert_contains(s.reason, "outage (unreachable)");

	/* the answer that ends it ends the outage */
	answer(&s, t1 + HOUR + 3, "ping", S, NULL);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
	assert_int_equal(eval(&s, t1 + HOUR + 3), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 1");

	/* an undecided source stays undecided */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_REFUSED,
	    "checks: http 403", t1);
	assert_int_equal(eval(&s, t1), SRC_UNKNOWN);
	assert_contains(s.reason, "outage (refused)");
	assert_int_equal(eval(&s, t1 + HOUR), SRC_UNKNOWN);
	assert_false(s.decided);
}

/* ---- 10. outage under withdraw ---- */

static void
test_source_outage_withdraw_fails_after_grace(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 1000;

	(void)state;
	decided_pass(&s, false, 2000);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE,
	    "checks: http 500", t1);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + 2000);
	assert_contains(s.reason, "outage (control-plane)");
	/* more errors do not restart grace */
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE,
	    "checks: http 500", t1 + 1000);
	assert_int_equal(eval(&s, t1 + 1999), SRC_PASS);
	assert_int_equal(nx, t1 + 2000);
	assert_int_equal(eval(&s, t1 + 2000), SRC_FAIL);
	assert_true(chg);
	assert_int_equal(nx, 0);
	assert_string_equal(s.reason, "nomad: no usable answer for 2000 ms "
	    "(control-plane): checks: http 500");
	/* recovery */
	answer(&s, t1 + 2500, "ping", S, NULL);
	assert_int_equal(eval(&s, t1 + 2500), SRC_PASS);
	assert_int_equal(nx, 0);

	/* a new outage gets a new grace */
	nsrc_error(&s, NSRC_REQ_REG, NOMAD_OUT_UNREACHABLE,
	    "registration: cannot connect", t1 + 10000);
	assert_int_equal(eval(&s, t1 + 10000), SRC_PASS);
	assert_int_equal(nx, t1 + 12000);
	assert_int_equal(eval(&s, t1 + 12000), SRC_FAIL);
	assert_contains(s.reason, "(unreachable): registration: cannot");
	nsrc_registration(&s, true);
	assert_int_equal(eval(&s, t1 + 12001), SRC_PASS);
}

/* ---- 11. which requests count ---- */

static void
test_source_error_slots_follow_use_checks(void **state)
{
	struct nsrc s;

	(void)state;
	/* registration only: the checks poll is not ours, the probe is */
	nsrc_init(&s, SVC, ALLOC, false, false, 2000);
	nsrc_registration(&s, true);
	assert_int_equal(eval(&s, T0), SRC_PASS);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE,
	    "checks: http 500", T0 + 100);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
	assert_int_equal(eval(&s, T0 + HOUR), SRC_PASS);	/* withdraw */
	assert_false(chg);
	nsrc_error(&s, NSRC_REQ_PROBE, NOMAD_OUT_UNREACHABLE,
	    "probe: no answer", T0 + HOUR);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	assert_int_equal(s.outage_since, T0 + HOUR);
	assert_int_equal(eval(&s, T0 + HOUR), SRC_PASS);
	assert_contains(s.reason, "outage (unreachable)");
	/* the probe answering ends its error */
	nsrc_alive(&s);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
	assert_int_equal(eval(&s, T0 + HOUR + 5000), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, checks not used");
	/* the registration query counts here too */
	nsrc_error(&s, NSRC_REQ_REG, NOMAD_OUT_REFUSED, "registration: 403",
	    T0 + HOUR + 6000);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_REFUSED);
	assert_int_equal(eval(&s, T0 + HOUR + 8000), SRC_FAIL);

	/* with checks: the reverse */
	decided_pass(&s, false, 2000);
	nsrc_error(&s, NSRC_REQ_PROBE, NOMAD_OUT_UNREACHABLE,
	    "probe: no answer", T0 + 100);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
	assert_int_equal(eval(&s, T0 + HOUR), SRC_PASS);
	assert_false(chg);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_ERROR,
	    "checks: bad answer", T0 + HOUR);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_ERROR);
	assert_int_equal(eval(&s, T0 + HOUR + 1999), SRC_PASS);
	assert_int_equal(eval(&s, T0 + HOUR + 2000), SRC_FAIL);
	assert_contains(s.reason, "(error): checks: bad answer");
	/* the probe answering ends nothing of ours */
	nsrc_alive(&s);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_ERROR);
	answer(&s, T0 + HOUR + 2500, "ping", S, NULL);
	assert_int_equal(eval(&s, T0 + HOUR + 2500), SRC_PASS);
	nsrc_error(&s, NSRC_REQ_REG, NOMAD_OUT_UNREACHABLE,
	    "registration: cut", T0 + HOUR + 3000);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	assert_int_equal(s.outage_since, T0 + HOUR + 3000);

	/* no class, or a slot out of range: nothing */
	decided_pass(&s, false, 2000);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_NONE, "x", T0 + 1);
	nsrc_error(&s, NSRC_REQ_N, NOMAD_OUT_ERROR, "x", T0 + 1);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);
}

/* ---- 12. reload ---- */

static void
test_source_reconfigure_keeps_decided_state(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	decided_pass(&s, true, GRACE);
	/* checks on -> off: the registration alone decides at once */
	nsrc_reconfigure(&s, false, true, GRACE);
	assert_false(s.checks_known);
	assert_int_equal(s.nmem, 0);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, checks not used");
	/* off -> on: the check facts come with the next answer; no flap */
	nsrc_reconfigure(&s, true, true, GRACE);
	assert_false(s.checks_known);
	assert_int_equal(eval(&s, t1 + 100), SRC_PASS);
	assert_string_equal(s.reason, "nomad: waiting for the agent");
	assert_true(s.decided);
	answer(&s, t1 + 200, "ping", F, NULL);
	assert_int_equal(eval(&s, t1 + 200), SRC_FAIL);

	/* a toggle forgets the errors of the checks and probe polls */
	decided_pass(&s, true, GRACE);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_UNREACHABLE,
	    "checks: no answer", t1);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_UNREACHABLE);
	nsrc_reconfigure(&s, false, true, GRACE);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_NONE);
	assert_int_equal(s.outage_since, 0);

	/* the same checks setting: facts kept */
	decided_pass(&s, true, GRACE);
	nsrc_reconfigure(&s, true, true, GRACE);
	assert_true(s.checks_known);
	assert_int_equal(s.nmem, 1);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_false(chg);

	/* hold -> withdraw applies to the outage running */
	decided_pass(&s, true, GRACE);
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE,
	    "checks: http 503", t1);
	assert_int_equal(eval(&s, t1 + HOUR), SRC_PASS);
	nsrc_reconfigure(&s, true, false, 2000);
	assert_int_equal(nsrc_outage(&s), NOMAD_OUT_CONTROL_PLANE);
	assert_int_equal(s.outage_since, t1);
	assert_int_equal(eval(&s, t1 + HOUR), SRC_FAIL);
	assert_contains(s.reason, "no usable answer for 2000 ms");

	/* a shorter grace shortens a pending hold */
	decided_pass(&s, true, GRACE);
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	nsrc_reconfigure(&s, true, true, 1000);
	assert_int_equal(eval(&s, t1 + 500), SRC_PASS);
	assert_int_equal(nx, t1 + 1000);
	assert_int_equal(eval(&s, t1 + 1000), SRC_FAIL);
	assert_string_equal(s.reason,
	    "nomad check \"ping\" still pending after 1000 ms");
}

/* ---- 13. assume ---- */

static void
test_source_assume_pass_counts_as_decided(void **state)
{
	struct nsrc s;
	const uint64_t t1 = T0 + 5000;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_assume(&s, SRC_PASS, "up before the reload");
	assert_int_equal(s.state, SRC_PASS);
	assert_true(s.decided);
	assert_string_equal(s.reason, "up before the reload");
	/* no answer yet: it holds */
	assert_int_equal(eval(&s, T0), SRC_PASS);
	assert_string_equal(s.reason, "nomad: waiting for the agent");
	/* a pending check is held as in any decided source */
	nsrc_registration(&s, true);
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_PASS);
	assert_int_equal(nx, t1 + GRACE);
	assert_contains(s.reason, "added (pending)");
	assert_int_equal(eval(&s, t1 + GRACE), SRC_FAIL);

	/* not assumed: the same answer is unknown */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer(&s, t1, "ping", P, NULL);
	assert_int_equal(eval(&s, t1), SRC_UNKNOWN);

	/* assuming UNKNOWN decides nothing */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_assume(&s, SRC_UNKNOWN, "no idea");
	assert_false(s.decided);
}

/* ---- 14. outage classes ---- */

static void
test_source_outage_of_status_and_names(void **state)
{
	(void)state;
	assert_int_equal(nomad_outage_of_status(500), NOMAD_OUT_CONTROL_PLANE);
	assert_int_equal(nomad_outage_of_status(503), NOMAD_OUT_CONTROL_PLANE);
	assert_int_equal(nomad_outage_of_status(599), NOMAD_OUT_CONTROL_PLANE);
	assert_int_equal(nomad_outage_of_status(401), NOMAD_OUT_REFUSED);
	assert_int_equal(nomad_outage_of_status(403), NOMAD_OUT_REFUSED);
	assert_int_equal(nomad_outage_of_status(400), NOMAD_OUT_ERROR);
	assert_int_equal(nomad_outage_of_status(404), NOMAD_OUT_ERROR);
	assert_int_equal(nomad_outage_of_status(409), NOMAD_OUT_ERROR);
	assert_int_equal(nomad_outage_of_status(418), NOMAD_OUT_ERROR);
	assert_int_equal(nomad_outage_of_status(600), NOMAD_OUT_ERROR);

	assert_string_equal(nomad_outage_name(NOMAD_OUT_NONE), "none");
	assert_string_equal(nomad_outage_name(NOMAD_OUT_UNREACHABLE),
	    "unreachable");
	assert_string_equal(nomad_outage_name(NOMAD_OUT_CONTROL_PLANE),
	    "control-plane");
	assert_string_equal(nomad_outage_name(NOMAD_OUT_REFUSED), "refused");
	assert_string_equal(nomad_outage_name(NOMAD_OUT_ERROR), "error");
	assert_string_equal(nomad_outage_name(NOMAD_OUT_N), "none");
	assert_string_equal(nomad_outage_name((enum nomad_outage)77), "none");
}

/* ---- 15. eval says when something changed ---- */

static void
test_source_eval_reports_only_changes(void **state)
{
	struct nsrc s;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer(&s, T0, "ping", S, NULL);
	assert_true(nsrc_eval(&s, T0, NULL));	/* next_ms may be NULL */
	assert_false(nsrc_eval(&s, T0, NULL));
	/* the same answer again: nothing */
	answer(&s, T0 + 500, "ping", S, NULL);
	assert_int_equal(eval(&s, T0 + 500), SRC_PASS);
	assert_false(chg);
	/* the reason alone changed: said */
	answer(&s, T0 + 1000, "ping", S, "http", S, NULL);
	assert_int_equal(eval(&s, T0 + 1000), SRC_PASS);
	assert_true(chg);
	assert_int_equal(eval(&s, T0 + 1000), SRC_PASS);
	assert_false(chg);
	/* the state changed: said once */
	nsrc_registration(&s, false);
	assert_int_equal(eval(&s, T0 + 1500), SRC_FAIL);
	assert_true(chg);
	assert_int_equal(eval(&s, T0 + 1600), SRC_FAIL);
	assert_false(chg);
}

/* ---- 16. more checks than listed ---- */

static void
answer_many(struct nsrc *s, uint64_t now, unsigned nsucc, unsigned npend)
{
	struct nomad_checks ck;
	char name[16];
	unsigned i;

	ck_clear(&ck);
	for (i = 0; i < NOMAD_MAX_ENTRIES; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		ck_add(&ck, name, NOMAD_CS_SUCCESS);
	}
	/* the answer had more than it lists */
	ck.nsuccess = nsucc;
	ck.npending = npend;
	ck_sum(&ck);
	nsrc_checks(s, &ck, now);
}

static void
test_source_more_checks_than_listed(void **state)
{
	struct nsrc s;

	(void)state;
	assert_int_equal(NSRC_MAX_MEM, 32);
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	/* 40 passing, 32 of them listed */
	answer_many(&s, T0, 40, 0);
	assert_int_equal(s.nmem, NSRC_MAX_MEM);
	assert_int_equal(eval(&s, T0), SRC_PASS);
	assert_string_equal(s.reason,
	    "nomad: " WHAT " registered, nomad checks passing: 40");
	/* 8 unlisted pending: pending (nothing to hold them by) */
	answer_many(&s, T0 + 500, 32, 8);
	assert_int_equal(s.nmem, NSRC_MAX_MEM);
	assert_int_equal(eval(&s, T0 + 500), SRC_FAIL);
	assert_string_equal(s.reason, "nomad check \"unlisted\" pending");
	assert_int_equal(nx, 0);

	/* undecided: unknown */
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	answer_many(&s, T0, 32, 8);
	assert_int_equal(eval(&s, T0), SRC_UNKNOWN);
}

/*
 * With the memory full (32 checks remembered), an answer that drops one
 * check and adds a new pending one (a check renamed or replaced in place)
 * must still hold: the dropped check's slot is freed before new names are
 * added.
 */
static void
test_source_added_check_held_when_memory_full(void **state)
{
	struct nsrc s;
	struct nomad_checks ck;
	char name[16];
	unsigned i;

	(void)state;
	nsrc_init(&s, SVC, ALLOC, true, true, GRACE);
	nsrc_registration(&s, true);
	ck_clear(&ck);
	for (i = 0; i < NOMAD_MAX_ENTRIES; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		ck_add(&ck, name, NOMAD_CS_SUCCESS);
	}
	nsrc_checks(&s, &ck, T0);
	assert_int_equal(eval(&s, T0), SRC_PASS);
	assert_int_equal(s.nmem, NSRC_MAX_MEM);
	/* c31 replaced by "new", pending */
	ck_clear(&ck);
	for (i = 0; i < NOMAD_MAX_ENTRIES - 1; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		ck_add(&ck, name, NOMAD_CS_SUCCESS);
	}
	ck_add(&ck, "new", NOMAD_CS_PENDING);
	nsrc_checks(&s, &ck, T0 + 500);
	assert_int_equal(eval(&s, T0 + 500), SRC_PASS);
	assert_int_equal(nx, T0 + 500 + GRACE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_source_unknown_until_registration_and_checks_known),
		cmocka_unit_test(
		    test_source_not_registered_fails_at_once_even_in_outage),
		cmocka_unit_test(
		    test_source_failing_check_fails_passing_and_empty_pass),
		cmocka_unit_test(
		    test_source_pending_unknown_when_undecided_fails_after_grace),
		cmocka_unit_test(
		    test_source_restub_holds_last_success_until_first_result),
		cmocka_unit_test(
		    test_source_restub_still_pending_after_grace_fails),
		cmocka_unit_test(
		    test_source_restub_of_failing_check_stays_failed),
		cmocka_unit_test(
		    test_source_added_check_pending_keeps_decided_state),
		cmocka_unit_test(test_source_grace_zero_disables_pending_hold),
		cmocka_unit_test(test_source_missing_named_check_is_pending),
		cmocka_unit_test(
		    test_source_null_body_passes_before_results_fails_after),
		cmocka_unit_test(
		    test_source_alloc_gone_fails_until_checks_answer),
		cmocka_unit_test(
		    test_source_outage_hold_keeps_state_until_answer),
		cmocka_unit_test(test_source_outage_withdraw_fails_after_grace),
		cmocka_unit_test(test_source_error_slots_follow_use_checks),
		cmocka_unit_test(test_source_reconfigure_keeps_decided_state),
		cmocka_unit_test(test_source_assume_pass_counts_as_decided),
		cmocka_unit_test(test_source_outage_of_status_and_names),
		cmocka_unit_test(test_source_eval_reports_only_changes),
		cmocka_unit_test(test_source_more_checks_than_listed),
		cmocka_unit_test(
		    test_source_added_check_held_when_memory_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
