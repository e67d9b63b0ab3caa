/*
 * test_verdict.c - the per-service verdict machine (health/verdict.c).
 *
 * Sources are driven by strings: 'P' a passing result, 'F' a failing one;
 * the wanted source states after each step are 'U' (unknown), 'p' (pass)
 * and 'f' (fail).  Service tables set the previous state directly (the
 * struct is plain data) and list what every combination of source states
 * must give, with and without drain.  A seeded random walk then checks
 * the safety rules against a model written separately from verdict.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "health/verdict.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static enum src_state
want_src(char c)
{
	switch (c) {
	case 'p':
		return SRC_PASS;
	case 'f':
		return SRC_FAIL;
	default:
		return SRC_UNKNOWN;
	}
}

/* ---- sources: rise and fall ---- */

struct src_row {
	const char	*what;
	uint16_t	 rise, fall;
	const char	*results;	/* 'P' / 'F' */
	const char	*want;		/* state after each result */
};

static const struct src_row src_table[] = {
	/* rise edges, from unknown */
	{ "rise 2: one pass is not enough", 2, 1, "P", "U" },
	{ "rise 2: two passes pass", 2, 1, "PP", "Up" },
	{ "rise 3: rise-1 passes", 3, 1, "PP", "UU" },
	{ "rise 3: rise passes", 3, 1, "PPP", "UUp" },
	{ "rise 5", 5, 1, "PPPPPP", "UUUUpp" },
	/* fall edges, from unknown: a starting source needs fall failures */
	{ "fall 1: one failure fails", 2, 1, "F", "f" },
	{ "fall 3: two failures are not enough", 2, 3, "FF", "UU" },
	{ "fall 3: three failures fail", 2, 3, "FFF", "UUf" },
	/* fall edges, from pass */
	{ "pass, fall 1", 1, 1, "PF", "pf" },
	{ "pass, fall 3 needs three", 1, 3, "PFFF", "pppf" },
	{ "pass, fall 3 interrupted", 1, 3, "PFFPFFPFFF", "pppppppppf" },
	/* rise edges, from fail */
	{ "fail, rise 2 needs two", 2, 1, "FPP", "ffp" },
	{ "fail, rise 2 interrupted", 2, 1, "FPFPFPP", "ffffffp" },
	{ "fail, rise 3 interrupted", 3, 1, "FPPFPPP", "ffffffp" },
	/* interleaving resets both runs */
	{ "alternating never decides", 2, 2, "PFPFPFPF", "UUUUUUUU" },
	{ "run of passes after alternation", 2, 2, "PFPP", "UUUp" },
	{ "run of failures after alternation", 2, 2, "FPFF", "UUUf" },
	{ "a pass resets the failure run", 3, 3, "FFPFF", "UUUUU" },
	{ "a failure resets the pass run", 3, 3, "PPFPP", "UUUUU" },
	/* rise 1, fall 1: every result decides */
	{ "rise 1 fall 1: pass", 1, 1, "P", "p" },
	{ "rise 1 fall 1: fail", 1, 1, "F", "f" },
	{ "rise 1 fall 1: flip", 1, 1, "PFPFFPP", "pfpffpp" },
	/* 0 is taken as 1 */
	{ "rise 0 is 1", 0, 1, "P", "p" },
	{ "fall 0 is 1", 1, 0, "F", "f" },
};

static void
test_verdict_src_rise_fall_table(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < NELEM(src_table); i++) {
		const struct src_row *r = &src_table[i];
		struct verdict_src s;
		enum src_state prev = SRC_UNKNOWN;

		assert_int_equal(strlen(r->results), strlen(r->want));
		verdict_src_init(&s, "check t", r->rise, r->fall);
		for (k = 0; r->results[k] != '\0'; k++) {
			bool changed = verdict_src_result(&s,
			    r->results[k] == 'P', "x");
			enum src_state want = want_src(r->want[k]);

			if (s.state != want || changed != (want != prev))
				fail_msg("row %zu (%s) step %zu: state %s "
				    "changed %d, want %s changed %d", i,
				    r->what, k, src_state_name(s.state),
				    changed, src_state_name(want),
				    want != prev);
			prev = want;
		}
	}
}

static void
test_verdict_src_init_is_unknown_with_empty_runs(void **state)
{
	struct verdict_src s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	verdict_src_init(&s, "check web-ping", 2, 3);
	assert_int_equal(s.state, SRC_UNKNOWN);
	assert_int_equal(s.rise, 2);
	assert_int_equal(s.fall, 3);
	assert_int_equal(s.oks, 0);
	assert_int_equal(s.fails, 0);
	assert_string_equal(s.name, "check web-ping");
	assert_string_equal(s.reason, "");

	verdict_src_init(&s, "check z", 0, 0);
	assert_int_equal(s.rise, 1);
	assert_int_equal(s.fall, 1);
}

static void
test_verdict_src_runs_count_and_reset(void **state)
{
	struct verdict_src s;

	(void)state;
	verdict_src_init(&s, "check t", 3, 3);
	(void)verdict_src_result(&s, true, NULL);
	(void)verdict_src_result(&s, true, NULL);
	assert_int_equal(s.oks, 2);
	assert_int_equal(s.fails, 0);
	(void)verdict_src_result(&s, false, NULL);
	assert_int_equal(s.oks, 0);
	assert_int_equal(s.fails, 1);
	(void)verdict_src_result(&s, true, NULL);
	assert_int_equal(s.oks, 1);
	assert_int_equal(s.fails, 0);
}

static void
test_verdict_src_run_saturates_without_wrapping(void **state)
{
	struct verdict_src s;
	uint32_t i;

	(void)state;
	verdict_src_init(&s, "check t", 1, 1);
	for (i = 0; i < 70000; i++)
		assert_int_equal(verdict_src_result(&s, true, "ok"), i == 0);
	assert_int_equal(s.oks, UINT16_MAX);
	assert_int_equal(s.state, SRC_PASS);
	/* a source with the largest rise still passes at the saturation */
	verdict_src_init(&s, "check t", UINT16_MAX, 1);
	for (i = 0; i + 1 < UINT16_MAX; i++)
		(void)verdict_src_result(&s, true, "ok");
	assert_int_equal(s.state, SRC_UNKNOWN);
	assert_true(verdict_src_result(&s, true, "ok"));
	assert_int_equal(s.state, SRC_PASS);
	assert_false(verdict_src_result(&s, true, "ok"));
	assert_int_equal(s.oks, UINT16_MAX);
}

static void
test_verdict_src_result_returns_true_only_on_change(void **state)
{
	struct verdict_src s;

	(void)state;
	verdict_src_init(&s, "check t", 2, 2);
	assert_false(verdict_src_result(&s, true, "a"));	/* U */
	assert_true(verdict_src_result(&s, true, "b"));		/* p */
	assert_false(verdict_src_result(&s, true, "c"));	/* p */
	assert_false(verdict_src_result(&s, false, "d"));	/* p */
	assert_true(verdict_src_result(&s, false, "e"));	/* f */
	assert_false(verdict_src_result(&s, false, "f"));	/* f */
	assert_false(verdict_src_result(&s, true, "g"));	/* f */
	assert_true(verdict_src_result(&s, true, "h"));		/* p */
}

static void
test_verdict_src_set_forces_state_and_runs(void **state)
{
	struct verdict_src s;

	(void)state;
	verdict_src_init(&s, "nomad traefik", 2, 3);
	assert_true(verdict_src_set(&s, SRC_FAIL, "deregistered"));
	assert_int_equal(s.state, SRC_FAIL);
	assert_string_equal(s.reason, "deregistered");
	assert_false(verdict_src_set(&s, SRC_FAIL, "still gone"));
	assert_string_equal(s.reason, "still gone");
	/* a forced fail passes after rise passes, as a counted one */
	assert_false(verdict_src_result(&s, true, "ok"));
	assert_true(verdict_src_result(&s, true, "ok"));
	assert_int_equal(s.state, SRC_PASS);

	/* a forced pass fails after fall failures */
	verdict_src_init(&s, "nomad traefik", 2, 3);
	assert_true(verdict_src_set(&s, SRC_PASS, "registered"));
	assert_int_equal(s.oks, 2);
	assert_false(verdict_src_result(&s, false, "x"));
	assert_false(verdict_src_result(&s, false, "x"));
	assert_true(verdict_src_result(&s, false, "x"));
	assert_int_equal(s.state, SRC_FAIL);

	/* a forced unknown starts afresh: rise passes or fall failures */
	assert_true(verdict_src_set(&s, SRC_UNKNOWN, NULL));
	assert_string_equal(s.reason, "unknown");
	assert_int_equal(s.oks, 0);
	assert_int_equal(s.fails, 0);
	assert_false(verdict_src_result(&s, false, "x"));
	assert_false(verdict_src_result(&s, false, "x"));
	assert_true(verdict_src_result(&s, false, "x"));
	assert_int_equal(s.state, SRC_FAIL);

	/* an out-of-range state is unknown, never a pass */
	assert_true(verdict_src_set(&s, (enum src_state)77, NULL));
	assert_int_equal(s.state, SRC_UNKNOWN);
}

/* ---- reasons kept by sources ---- */

static void
test_verdict_src_reason_kept_and_null_says_which_way(void **state)
{
	struct verdict_src s;

	(void)state;
	verdict_src_init(&s, "check t", 2, 1);
	(void)verdict_src_result(&s, false,
	    "http 503 from 127.0.0.1:8080/ping");
	assert_string_equal(s.reason, "http 503 from 127.0.0.1:8080/ping");
	(void)verdict_src_result(&s, true, NULL);
	assert_string_equal(s.reason, "passed");
	(void)verdict_src_result(&s, false, NULL);
	assert_string_equal(s.reason, "failed");
	(void)verdict_src_result(&s, false, "");
	assert_string_equal(s.reason, "");
}

static void
test_verdict_src_reason_and_name_truncate(void **state)
{
	struct verdict_src s;
	char longs[600];

	(void)state;
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	verdict_src_init(&s, longs, 1, 1);
	assert_int_equal(strlen(s.name), sizeof(s.name) - 1);
	(void)verdict_src_result(&s, false, longs);
	assert_int_equal(strlen(s.reason), sizeof(s.reason) - 1);
	assert_memory_equal(s.reason, longs, sizeof(s.reason) - 1);
}

/* the reason holds 223 bytes: a cut never splits a UTF-8 sequence */
static void
test_verdict_src_reason_truncates_on_utf8_boundary(void **state)
{
	struct verdict_src s;
	char two[301], three[241], xxthree[243];
	size_t i, n;

	(void)state;
	assert_int_equal(sizeof(s.reason), 224);
	/* U+00E9, 2 bytes: 223 would split the 112th; 222 bytes are kept */
	for (i = 0; i < 300; i += 2) {
		two[i] = (char)0xc3;
		two[i + 1] = (char)0xa9;
	}
	two[300] = '\0';
	verdict_src_init(&s, "check t", 1, 1);
	(void)verdict_src_result(&s, false, two);
	n = strlen(s.reason);
	assert_int_equal(n, 222);
	assert_memory_equal(s.reason, two, n);

	/* U+20AC, 3 bytes: 223 = 74 * 3 + 1, the 75th is dropped */
	for (i = 0; i < 240; i += 3) {
		three[i] = (char)0xe2;
		three[i + 1] = (char)0x82;
		three[i + 2] = (char)0xac;
	}
	three[240] = '\0';
	(void)verdict_src_result(&s, false, three);
	assert_int_equal(strlen(s.reason), 222);
	assert_memory_equal(s.reason, three, 222);

	/* "xx" then U+20AC: 223 = 2 + 73 * 3 + 2, the 74th is dropped */
	xxthree[0] = xxthree[1] = 'x';
	memcpy(xxthree + 2, three, sizeof(three));
	(void)verdict_src_result(&s, false, xxthree);
	assert_memory_equal(s.reason, xxthree, 221);
	assert_int_equal(strlen(s.reason), 221);
}

static void
test_verdict_src_reason_is_one_printable_line(void **state)
{
	struct verdict_src s;

	(void)state;
	verdict_src_init(&s, "check\tx", 1, 1);
	assert_string_equal(s.name, "check x");
	(void)verdict_src_result(&s, false,
	    "exit 1: \"no\"\r\nsecond line\x1b[31m\x7f");
	assert_string_equal(s.reason, "exit 1: 'no'  second line [31m ");
}

/* ---- the service: every source combination, every previous state ---- */

/*
 * hold-down 0.  prev is poked into the struct; a, b are the two sources'
 * states ('U', 'p', 'f').  Any failure: down; all pass: up (draining when
 * drained); otherwise a starting service waits and any other goes down.
 */
struct svc_row {
	enum verdict_state prev;
	char		 a, b;
	enum verdict_state want;	/* drain off */
	enum verdict_state want_drain;	/* drain on */
};

#define UNK	VERDICT_UNKNOWN
#define UP	VERDICT_UP
#define DOWN	VERDICT_DOWN
#define DRAIN	VERDICT_DRAINING

static const struct svc_row svc_table[] = {
	{ UNK, 'U', 'U', UNK, UNK },
	{ UNK, 'U', 'p', UNK, UNK },
	{ UNK, 'p', 'U', UNK, UNK },
	{ UNK, 'p', 'p', UP, DRAIN },
	{ UNK, 'f', 'U', DOWN, DOWN },
	{ UNK, 'U', 'f', DOWN, DOWN },
	{ UNK, 'f', 'p', DOWN, DOWN },
	{ UNK, 'p', 'f', DOWN, DOWN },
	{ UNK, 'f', 'f', DOWN, DOWN },

	{ UP, 'U', 'U', DOWN, DOWN },
	{ UP, 'U', 'p', DOWN, DOWN },
	{ UP, 'p', 'U', DOWN, DOWN },
	{ UP, 'p', 'p', UP, DRAIN },
	{ UP, 'f', 'U', DOWN, DOWN },
	{ UP, 'U', 'f', DOWN, DOWN },
	{ UP, 'f', 'p', DOWN, DOWN },
	{ UP, 'p', 'f', DOWN, DOWN },
	{ UP, 'f', 'f', DOWN, DOWN },

	{ DOWN, 'U', 'U', DOWN, DOWN },
	{ DOWN, 'U', 'p', DOWN, DOWN },
	{ DOWN, 'p', 'U', DOWN, DOWN },
	{ DOWN, 'p', 'p', UP, DRAIN },
	{ DOWN, 'f', 'U', DOWN, DOWN },
	{ DOWN, 'U', 'f', DOWN, DOWN },
	{ DOWN, 'f', 'p', DOWN, DOWN },
	{ DOWN, 'p', 'f', DOWN, DOWN },
	{ DOWN, 'f', 'f', DOWN, DOWN },

	{ DRAIN, 'U', 'U', DOWN, DOWN },
	{ DRAIN, 'U', 'p', DOWN, DOWN },
	{ DRAIN, 'p', 'U', DOWN, DOWN },
	{ DRAIN, 'p', 'p', UP, DRAIN },
	{ DRAIN, 'f', 'U', DOWN, DOWN },
	{ DRAIN, 'U', 'f', DOWN, DOWN },
	{ DRAIN, 'f', 'p', DOWN, DOWN },
	{ DRAIN, 'p', 'f', DOWN, DOWN },
	{ DRAIN, 'f', 'f', DOWN, DOWN },
};

static void
set_src(struct verdict_src *s, const char *name, char st)
{
	verdict_src_init(s, name, 2, 1);
	(void)verdict_src_set(s, want_src(st), "seen");
}

static void
test_verdict_service_every_source_combination(void **state)
{
	size_t i;
	int d;

	(void)state;
	for (i = 0; i < NELEM(svc_table); i++) {
		const struct svc_row *r = &svc_table[i];

		for (d = 0; d < 2; d++) {
			struct verdict_src srcs[2];
			struct verdict v;
			enum verdict_state want = d ? r->want_drain : r->want;
			uint64_t recheck = 12345;
			bool changed;

			set_src(&srcs[0], "check a", r->a);
			set_src(&srcs[1], "check b", r->b);
			verdict_init(&v, 0, 100);
			v.state = r->prev;
			verdict_set_drain(&v, d != 0);
			changed = verdict_eval(&v, srcs, 2, 200, &recheck);
			if (v.state != want || changed != (want != r->prev))
				fail_msg("row %zu drain %d: %s + %c%c -> %s "
				    "changed %d, want %s", i, d,
				    verdict_state_name(r->prev), r->a, r->b,
				    verdict_state_name(v.state), changed,
				    verdict_state_name(want));
			assert_int_equal(recheck, 0);
			assert_int_equal(v.since_ms, changed ? 200 : 100);
			if (changed && want == DOWN)
				assert_int_equal(v.down_since_ms, 200);
		}
	}
}

static void
test_verdict_unknown_start_is_not_announced(void **state)
{
	struct verdict_src srcs[2];
	struct verdict v;
	uint64_t recheck;

	(void)state;
	verdict_src_init(&srcs[0], "check a", 2, 1);
	verdict_src_init(&srcs[1], "check b", 2, 1);
	verdict_init(&v, 5000, 1000);
	assert_int_equal(v.state, VERDICT_UNKNOWN);
	assert_int_equal(v.since_ms, 1000);
	assert_false(v.was_down);
	assert_string_equal(v.reason, "starting");
	assert_false(verdict_announces(v.state, false));
	assert_false(verdict_announces(v.state, true));

	/* one pass on each: still below rise, still unknown */
	(void)verdict_src_result(&srcs[0], true, "ok");
	(void)verdict_src_result(&srcs[1], true, "ok");
	assert_false(verdict_eval(&v, srcs, 2, 1100, &recheck));
	assert_int_equal(v.state, VERDICT_UNKNOWN);
	assert_string_equal(v.reason, "waiting for check a");
	assert_false(verdict_announces(v.state, true));

	/* a decides, b does not: still waiting, for b now */
	(void)verdict_src_result(&srcs[0], true, "ok");
	assert_false(verdict_eval(&v, srcs, 2, 1200, &recheck));
	assert_string_equal(v.reason, "waiting for check b");

	/* both decided: up at once, the start is not held down */
	(void)verdict_src_result(&srcs[1], true, "ok");
	assert_true(verdict_eval(&v, srcs, 2, 1300, &recheck));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(v.since_ms, 1300);
	assert_int_equal(recheck, 0);
	assert_false(v.was_down);
}

static void
test_verdict_no_sources_is_up_at_once(void **state)
{
	struct verdict v;
	uint64_t recheck = 1;

	(void)state;
	verdict_init(&v, 5000, 10);
	assert_true(verdict_eval(&v, NULL, 0, 10, &recheck));
	assert_int_equal(v.state, VERDICT_UP);
	assert_string_equal(v.reason, "no sources");
	assert_int_equal(recheck, 0);
	assert_false(verdict_eval(&v, NULL, 0, 20, &recheck));
	assert_int_equal(v.since_ms, 10);

	/* recheck_ms may be NULL */
	verdict_init(&v, 0, 10);
	assert_true(verdict_eval(&v, NULL, 0, 10, NULL));
	assert_int_equal(v.state, VERDICT_UP);
}

static void
test_verdict_multi_source_up_only_when_all_pass(void **state)
{
	struct verdict_src s[3];
	struct verdict v;
	uint64_t rc;
	size_t i;

	(void)state;
	verdict_src_init(&s[0], "check a", 2, 1);
	verdict_src_init(&s[1], "check b", 2, 1);
	verdict_src_init(&s[2], "check c", 2, 1);
	verdict_init(&v, 0, 0);

	/* a and b pass, c is one short: not up */
	for (i = 0; i < 2; i++) {
		(void)verdict_src_result(&s[0], true, "ok");
		(void)verdict_src_result(&s[1], true, "ok");
	}
	(void)verdict_src_result(&s[2], true, "ok");
	assert_false(verdict_eval(&v, s, 3, 1, &rc));
	assert_int_equal(v.state, VERDICT_UNKNOWN);
	(void)verdict_src_result(&s[2], true, "ok");
	assert_true(verdict_eval(&v, s, 3, 2, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_string_equal(v.reason, "all sources pass");

	/* one failing pulls the service down */
	(void)verdict_src_result(&s[1], false, "tcp refused");
	assert_true(verdict_eval(&v, s, 3, 3, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_string_equal(v.reason, "check b: tcp refused");

	/* a second failure changes nothing but the reason */
	(void)verdict_src_result(&s[2], false, "exit 1");
	assert_false(verdict_eval(&v, s, 3, 4, &rc));
	assert_int_equal(v.down_since_ms, 3);
	assert_string_equal(v.reason, "check b: tcp refused (+1 more failing)");

	/* recovery needs all: b back, c still failing */
	(void)verdict_src_result(&s[1], true, "ok");
	(void)verdict_src_result(&s[1], true, "ok");
	assert_false(verdict_eval(&v, s, 3, 5, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_string_equal(v.reason, "check c: exit 1");
	/* c one pass short of rise */
	(void)verdict_src_result(&s[2], true, "exit 0");
	assert_false(verdict_eval(&v, s, 3, 6, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_string_equal(v.reason,
	    "check c: failing, 1 of 2 passes (exit 0)");
	(void)verdict_src_result(&s[2], true, "exit 0");
	assert_true(verdict_eval(&v, s, 3, 7, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(v.since_ms, 7);
}

/* ---- hold-down ---- */

static void
test_verdict_hold_down_flap_stays_down_until_expiry(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 5000, 0);
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 10, &rc));
	assert_int_equal(v.state, VERDICT_UP);

	(void)verdict_src_result(&s, false, "http 503");
	assert_true(verdict_eval(&v, &s, 1, 100, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_int_equal(v.down_since_ms, 100);
	assert_true(v.was_down);
	assert_int_equal(rc, 0);	/* failing: nothing to wait for */

	/* passing again inside the hold-down: down, recheck at the end */
	(void)verdict_src_result(&s, true, "ok");
	assert_false(verdict_eval(&v, &s, 1, 200, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_int_equal(rc, 5100);
	assert_string_equal(v.reason,
	    "hold-down until 5100 ms (4900 ms left), all sources pass");

	/* flap inside it: still down, the hold-down is not restarted */
	(void)verdict_src_result(&s, false, "http 503");
	assert_false(verdict_eval(&v, &s, 1, 300, &rc));
	assert_int_equal(rc, 0);
	assert_int_equal(v.down_since_ms, 100);
	assert_string_equal(v.reason, "check a: http 503");
	(void)verdict_src_result(&s, true, "ok");
	assert_false(verdict_eval(&v, &s, 1, 400, &rc));
	assert_int_equal(rc, 5100);

	/* one millisecond before: down; at down_since + hold: up */
	assert_false(verdict_eval(&v, &s, 1, 5099, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_int_equal(rc, 5100);
	assert_true(verdict_eval(&v, &s, 1, 5100, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(v.since_ms, 5100);
	assert_int_equal(rc, 0);
	assert_string_equal(v.reason, "all sources pass");
}

static void
test_verdict_hold_down_late_eval_goes_up(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 1000, 0);
	(void)verdict_src_result(&s, false, "x");
	assert_true(verdict_eval(&v, &s, 1, 50, &rc));
	/* the next result only arrives long after the hold-down */
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 9000, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(rc, 0);
}

static void
test_verdict_hold_down_starts_at_first_failure_after_start(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 2000, 0);
	(void)verdict_src_result(&s, false, "refused");
	assert_true(verdict_eval(&v, &s, 1, 10, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	(void)verdict_src_result(&s, true, "ok");
	assert_false(verdict_eval(&v, &s, 1, 20, &rc));
	assert_int_equal(rc, 2010);
	assert_true(verdict_eval(&v, &s, 1, 2010, &rc));
	assert_int_equal(v.state, VERDICT_UP);
}

static void
test_verdict_hold_down_zero_comes_back_at_once(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 0, 0);
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 1, &rc));
	(void)verdict_src_result(&s, false, "x");
	assert_true(verdict_eval(&v, &s, 1, 2, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 2, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(rc, 0);
}

static void
test_verdict_hold_down_does_not_apply_to_undrain(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 5000, 0);
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 1, &rc));
	verdict_set_drain(&v, true);
	assert_true(verdict_eval(&v, &s, 1, 2, &rc));
	assert_int_equal(v.state, VERDICT_DRAINING);
	verdict_set_drain(&v, false);
	assert_true(verdict_eval(&v, &s, 1, 3, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_int_equal(rc, 0);
	assert_false(v.was_down);
}

static void
test_verdict_hold_down_then_drain_goes_draining(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, 1000, 0);
	(void)verdict_src_result(&s, false, "x");
	assert_true(verdict_eval(&v, &s, 1, 100, &rc));
	verdict_set_drain(&v, true);
	(void)verdict_src_result(&s, true, "ok");
	assert_false(verdict_eval(&v, &s, 1, 200, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_int_equal(rc, 1100);
	assert_true(verdict_eval(&v, &s, 1, 1100, &rc));
	assert_int_equal(v.state, VERDICT_DRAINING);
	assert_string_equal(v.reason, "drained by operator");
}

static void
test_verdict_hold_down_end_saturates(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check a", 1, 1);
	verdict_init(&v, UINT32_MAX, UINT64_MAX - 10);
	(void)verdict_src_result(&s, false, "x");
	assert_true(verdict_eval(&v, &s, 1, UINT64_MAX - 10, &rc));
	(void)verdict_src_result(&s, true, "ok");
	assert_false(verdict_eval(&v, &s, 1, UINT64_MAX - 5, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_true(rc == UINT64_MAX);
}

/* ---- degrade: what is announced ---- */

static void
test_verdict_announces_table(void **state)
{
	static const struct {
		enum verdict_state st;
		bool degrade, want;
	} t[] = {
		{ VERDICT_UNKNOWN, false, false },
		{ VERDICT_UNKNOWN, true, false },
		{ VERDICT_UP, false, true },
		{ VERDICT_UP, true, true },
		{ VERDICT_DOWN, false, false },
		{ VERDICT_DOWN, true, true },
		{ VERDICT_DRAINING, false, true },
		{ VERDICT_DRAINING, true, true },
		{ (enum verdict_state)99, false, false },
		{ (enum verdict_state)99, true, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		if (verdict_announces(t[i].st, t[i].degrade) != t[i].want)
			fail_msg("row %zu: state %d degrade %d", i,
			    (int)t[i].st, t[i].degrade);
}

/* ---- drain ---- */

/* bring v to st with one rise-1/fall-1 source, hold-down 0 */
static void
reach(struct verdict *v, struct verdict_src *s, enum verdict_state st)
{
	uint64_t rc;

	verdict_src_init(s, "check a", 1, 1);
	verdict_init(v, 0, 0);
	switch (st) {
	case VERDICT_UNKNOWN:
		(void)verdict_eval(v, s, 1, 1, &rc);
		break;
	case VERDICT_UP:
		(void)verdict_src_result(s, true, "ok");
		(void)verdict_eval(v, s, 1, 1, &rc);
		break;
	case VERDICT_DOWN:
		(void)verdict_src_result(s, false, "http 503");
		(void)verdict_eval(v, s, 1, 1, &rc);
		break;
	case VERDICT_DRAINING:
		(void)verdict_src_result(s, true, "ok");
		verdict_set_drain(v, true);
		(void)verdict_eval(v, s, 1, 1, &rc);
		break;
	}
	assert_int_equal(v->state, st);
}

static void
test_verdict_drain_and_undrain_in_every_state(void **state)
{
	static const struct {
		enum verdict_state from;
		bool drain;
		enum verdict_state want;
		const char *reason;
	} t[] = {
		{ VERDICT_UNKNOWN, true, VERDICT_UNKNOWN,
		    "waiting for check a" },
		{ VERDICT_UP, true, VERDICT_DRAINING, "drained by operator" },
		{ VERDICT_DOWN, true, VERDICT_DOWN, "check a: http 503" },
		{ VERDICT_DRAINING, true, VERDICT_DRAINING,
		    "drained by operator" },
		{ VERDICT_UNKNOWN, false, VERDICT_UNKNOWN,
		    "waiting for check a" },
		{ VERDICT_UP, false, VERDICT_UP, "all sources pass" },
		{ VERDICT_DOWN, false, VERDICT_DOWN, "check a: http 503" },
		{ VERDICT_DRAINING, false, VERDICT_UP, "all sources pass" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++) {
		struct verdict_src s;
		struct verdict v;
		uint64_t rc = 7;
		uint64_t since;
		bool changed;

		reach(&v, &s, t[i].from);
		since = v.since_ms;
		verdict_set_drain(&v, t[i].drain);
		assert_true(v.drain == t[i].drain);
		changed = verdict_eval(&v, &s, 1, 50, &rc);
		if (v.state != t[i].want || changed != (t[i].want != t[i].from))
			fail_msg("row %zu: %s drain %d -> %s", i,
			    verdict_state_name(t[i].from), t[i].drain,
			    verdict_state_name(v.state));
		assert_string_equal(v.reason, t[i].reason);
		assert_int_equal(rc, 0);
		assert_int_equal(v.since_ms, changed ? 50 : since);
	}
}

static void
test_verdict_drained_service_follows_its_sources(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	reach(&v, &s, VERDICT_DRAINING);
	(void)verdict_src_result(&s, false, "refused");
	assert_true(verdict_eval(&v, &s, 1, 2, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_false(verdict_announces(v.state, false));
	(void)verdict_src_result(&s, true, "ok");
	assert_true(verdict_eval(&v, &s, 1, 3, &rc));
	assert_int_equal(v.state, VERDICT_DRAINING);
	/* undrained while down: back to what the sources say, down */
	(void)verdict_src_result(&s, false, "refused");
	assert_true(verdict_eval(&v, &s, 1, 4, &rc));
	verdict_set_drain(&v, false);
	assert_false(verdict_eval(&v, &s, 1, 5, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
}

static void
test_verdict_drain_no_sources(void **state)
{
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_init(&v, 0, 0);
	verdict_set_drain(&v, true);
	assert_true(verdict_eval(&v, NULL, 0, 1, &rc));
	assert_int_equal(v.state, VERDICT_DRAINING);
	verdict_set_drain(&v, false);
	assert_true(verdict_eval(&v, NULL, 0, 2, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	assert_string_equal(v.reason, "no sources");
}

/* ---- a source that falls back to unknown ---- */

static void
test_verdict_source_back_to_unknown_withdraws(void **state)
{
	struct verdict_src s[2];
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s[0], "check web-ping", 1, 1);
	verdict_src_init(&s[1], "nomad traefik", 1, 1);
	verdict_init(&v, 0, 0);
	(void)verdict_src_result(&s[0], true, "ok");
	(void)verdict_src_set(&s[1], SRC_PASS, "registered");
	assert_true(verdict_eval(&v, s, 2, 1, &rc));
	assert_int_equal(v.state, VERDICT_UP);

	/* the catalog was reset: no evidence, not announced */
	assert_true(verdict_src_set(&s[1], SRC_UNKNOWN, "catalog reset"));
	assert_true(verdict_eval(&v, s, 2, 2, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_int_equal(v.down_since_ms, 2);
	assert_string_equal(v.reason, "nomad traefik: unknown (catalog reset)");

	/* a failure elsewhere takes precedence in the reason */
	(void)verdict_src_result(&s[0], false, "http 503");
	assert_false(verdict_eval(&v, s, 2, 3, &rc));
	assert_string_equal(v.reason, "check web-ping: http 503");

	/* both decided again: up */
	(void)verdict_src_result(&s[0], true, "ok");
	(void)verdict_src_set(&s[1], SRC_PASS, "registered");
	assert_true(verdict_eval(&v, s, 2, 4, &rc));
	assert_int_equal(v.state, VERDICT_UP);
	/* the service never goes back to unknown */
	(void)verdict_src_set(&s[0], SRC_UNKNOWN, NULL);
	(void)verdict_src_set(&s[1], SRC_UNKNOWN, NULL);
	assert_true(verdict_eval(&v, s, 2, 5, &rc));
	assert_int_equal(v.state, VERDICT_DOWN);
	assert_string_equal(v.reason, "check web-ping: unknown (unknown)");
}

/* ---- reasons ---- */

static void
test_verdict_reason_names_failing_source(void **state)
{
	struct verdict_src s;
	struct verdict v;
	uint64_t rc;

	(void)state;
	verdict_src_init(&s, "check web-ping", 2, 1);
	verdict_init(&v, 0, 0);
	(void)verdict_src_result(&s, false,
	    "http 503 from 127.0.0.1:8080/ping");
	assert_true(verdict_eval(&v, &s, 1, 1, &rc));
	assert_string_equal(v.reason,
	    "check web-ping: http 503 from 127.0.0.1:8080/ping");
	assert_ptr_equal(verdict_reason(&v), v.reason);
}

static void
test_verdict_reason_truncates_long_parts(void **state)
{
	struct verdict_src s;
	struct verdict v;
	char longs[400];
	size_t n;

	(void)state;
	memset(longs, 'r', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	verdict_src_init(&s, longs, 1, 1);
	verdict_init(&v, 0, 0);
	(void)verdict_src_result(&s, false, longs);
	assert_true(verdict_eval(&v, &s, 1, 1, NULL));
	n = strlen(v.reason);
	/* name (63) ": " reason (159) = 224: one byte too many, cut */
	assert_int_equal(n, sizeof(v.reason) - 1);
	assert_memory_equal(v.reason + 63, ": ", 2);
	assert_int_equal(v.reason[n - 1], 'r');
}

static void
test_verdict_state_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_state_name(VERDICT_UNKNOWN), "unknown");
	assert_string_equal(verdict_state_name(VERDICT_UP), "up");
	assert_string_equal(verdict_state_name(VERDICT_DOWN), "down");
	assert_string_equal(verdict_state_name(VERDICT_DRAINING), "draining");
	assert_string_equal(verdict_state_name((enum verdict_state)9),
	    "invalid");
	assert_string_equal(src_state_name(SRC_UNKNOWN), "unknown");
	assert_string_equal(src_state_name(SRC_PASS), "pass");
	assert_string_equal(src_state_name(SRC_FAIL), "fail");
	assert_string_equal(src_state_name((enum src_state)9), "invalid");
}

/* ---- property: a seeded random walk against a separate model ---- */

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static unsigned
pick(uint64_t *x, unsigned n)
{
	return (unsigned)(xorshift(x) % n);
}

#define WALK_RUNS	2000
#define WALK_STEPS	300
#define WALK_SRCS	4

static void
test_verdict_random_walk_never_up_unsafely(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned run, step;
	unsigned long ups = 0, holds = 0;

	(void)state;
	for (run = 0; run < WALK_RUNS; run++) {
		struct verdict_src s[WALK_SRCS];
		unsigned oks[WALK_SRCS], fails[WALK_SRCS];
		enum src_state model[WALK_SRCS];
		struct verdict v;
		size_t n = pick(&seed, WALK_SRCS + 1), i;
		uint32_t hold = pick(&seed, 4) == 0 ? 0 : pick(&seed, 60);
		uint64_t now = 1000 + pick(&seed, 1000), downed = 0;
		bool ever_down = false, left_unknown = false;

		verdict_init(&v, hold, now);
		for (i = 0; i < n; i++) {
			verdict_src_init(&s[i], "check r",
			    (uint16_t)(1 + pick(&seed, 4)),
			    (uint16_t)(1 + pick(&seed, 4)));
			oks[i] = fails[i] = 0;
			model[i] = SRC_UNKNOWN;
		}
		for (step = 0; step < WALK_STEPS; step++) {
			enum verdict_state was = v.state;
			bool all_pass = true, any_fail = false, changed;
			uint64_t rc;
			unsigned what = pick(&seed, 20);

			now += pick(&seed, 15);
			if (n > 0 && what < 16) {
				bool pass = pick(&seed, 3) != 0;

				i = pick(&seed, (unsigned)n);
				(void)verdict_src_result(&s[i], pass, "r");
				/* the model: runs, then the edges */
				if (pass) {
					fails[i] = 0;
					if (++oks[i] >= s[i].rise)
						model[i] = SRC_PASS;
				} else {
					oks[i] = 0;
					if (++fails[i] >= s[i].fall)
						model[i] = SRC_FAIL;
				}
			} else if (n > 0 && what == 16) {
				i = pick(&seed, (unsigned)n);
				(void)verdict_src_set(&s[i], SRC_UNKNOWN, NULL);
				oks[i] = fails[i] = 0;
				model[i] = SRC_UNKNOWN;
			} else if (what <= 18) {
				verdict_set_drain(&v, !v.drain);
			}
			for (i = 0; i < n; i++) {
				assert_int_equal(s[i].state, model[i]);
				all_pass = all_pass && model[i] == SRC_PASS;
				any_fail = any_fail || model[i] == SRC_FAIL;
			}
			changed = verdict_eval(&v, s, n, now, &rc);

			assert_true(changed == (v.state != was));
			if (changed)
				assert_int_equal(v.since_ms, now);
			if (changed && v.state == VERDICT_DOWN) {
				ever_down = true;
				downed = now;
			}
			/* never back to unknown once decided */
			if (v.state != VERDICT_UNKNOWN)
				left_unknown = true;
			else
				assert_false(left_unknown);
			/* announced only on full evidence, outside hold-down */
			if (v.state == VERDICT_UP ||
			    v.state == VERDICT_DRAINING) {
				assert_true(all_pass);
				assert_false(any_fail);
				assert_true(!ever_down || now >= downed + hold);
				assert_true(v.drain ==
				    (v.state == VERDICT_DRAINING));
				ups++;
			}
			if (any_fail)
				assert_int_equal(v.state, VERDICT_DOWN);
			/* and it is announced as soon as it may be */
			if (all_pass && (!ever_down || now >= downed + hold))
				assert_int_equal(v.state, v.drain ?
				    VERDICT_DRAINING : VERDICT_UP);
			/* a recheck only to end a hold-down that holds */
			if (rc != 0) {
				assert_int_equal(v.state, VERDICT_DOWN);
				assert_true(all_pass);
				assert_true(ever_down);
				assert_int_equal(rc, downed + hold);
				assert_true(rc > now);
				holds++;
			} else if (all_pass) {
				assert_int_not_equal(v.state, VERDICT_DOWN);
			}
			assert_false(v.state == VERDICT_UNKNOWN &&
			    verdict_announces(v.state, true));
		}
	}
	/* the walk did reach the interesting states */
	assert_true(ups > 1000);
	assert_true(holds > 100);
}

/* a reload: the state stays, the runs start afresh under new rise/fall */
static void
test_verdict_src_assume_keeps_state_runs_empty(void **state)
{
	struct verdict_src s;

	(void)state;
	/* a changed check that was passing, now rise 3 fall 2 */
	verdict_src_init(&s, "check web", 3, 2);
	verdict_src_assume(&s, SRC_PASS, "changed by reload");
	assert_int_equal(s.state, SRC_PASS);
	assert_int_equal(s.oks, 0);
	assert_int_equal(s.fails, 0);
	assert_string_equal(s.reason, "changed by reload");
	/* one pass decides nothing new: still PASS, not rise passes away */
	assert_false(verdict_src_result(&s, true, NULL));
	assert_int_equal(s.state, SRC_PASS);
	/* one failure is not fall failures */
	assert_false(verdict_src_result(&s, false, NULL));
	assert_int_equal(s.state, SRC_PASS);
	assert_true(verdict_src_result(&s, false, NULL));
	assert_int_equal(s.state, SRC_FAIL);
	/* a failing one needs rise passes to pass */
	verdict_src_assume(&s, SRC_FAIL, NULL);
	assert_string_equal(s.reason, "fail");
	assert_false(verdict_src_result(&s, true, NULL));
	assert_false(verdict_src_result(&s, true, NULL));
	assert_true(verdict_src_result(&s, true, NULL));
	assert_int_equal(s.state, SRC_PASS);
	/* anything else is unknown */
	verdict_src_assume(&s, (enum src_state)42, NULL);
	assert_int_equal(s.state, SRC_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_src_rise_fall_table),
		cmocka_unit_test(
		    test_verdict_src_init_is_unknown_with_empty_runs),
		cmocka_unit_test(test_verdict_src_runs_count_and_reset),
		cmocka_unit_test(
		    test_verdict_src_run_saturates_without_wrapping),
		cmocka_unit_test(
		    test_verdict_src_result_returns_true_only_on_change),
		cmocka_unit_test(test_verdict_src_set_forces_state_and_runs),
		cmocka_unit_test(
		    test_verdict_src_reason_kept_and_null_says_which_way),
		cmocka_unit_test(test_verdict_src_reason_and_name_truncate),
		cmocka_unit_test(
		    test_verdict_src_reason_truncates_on_utf8_boundary),
		cmocka_unit_test(test_verdict_src_reason_is_one_printable_line),
		cmocka_unit_test(
		    test_verdict_service_every_source_combination),
		cmocka_unit_test(test_verdict_unknown_start_is_not_announced),
		cmocka_unit_test(test_verdict_no_sources_is_up_at_once),
		cmocka_unit_test(
		    test_verdict_multi_source_up_only_when_all_pass),
		cmocka_unit_test(
		    test_verdict_hold_down_flap_stays_down_until_expiry),
		cmocka_unit_test(test_verdict_hold_down_late_eval_goes_up),
		cmocka_unit_test(
		    test_verdict_hold_down_starts_at_first_failure_after_start),
		cmocka_unit_test(
		    test_verdict_hold_down_zero_comes_back_at_once),
		cmocka_unit_test(
		    test_verdict_hold_down_does_not_apply_to_undrain),
		cmocka_unit_test(
		    test_verdict_hold_down_then_drain_goes_draining),
		cmocka_unit_test(test_verdict_hold_down_end_saturates),
		cmocka_unit_test(test_verdict_announces_table),
		cmocka_unit_test(test_verdict_drain_and_undrain_in_every_state),
		cmocka_unit_test(
		    test_verdict_drained_service_follows_its_sources),
		cmocka_unit_test(test_verdict_drain_no_sources),
		cmocka_unit_test(test_verdict_source_back_to_unknown_withdraws),
		cmocka_unit_test(test_verdict_reason_names_failing_source),
		cmocka_unit_test(test_verdict_reason_truncates_long_parts),
		cmocka_unit_test(test_verdict_state_names),
		cmocka_unit_test(test_verdict_src_assume_keeps_state_runs_empty),
		cmocka_unit_test(test_verdict_random_walk_never_up_unsafely),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
