/*
 * verdict.c - the per-service health verdict machine; see verdict.h.
 *
 * Pure: no I/O and no clock.  The caller passes the time in (monotonic
 * milliseconds) and arms a timer for *recheck_ms itself.
 *
 * Decisions taken here, each where an operator would want it:
 *
 * - A source starts unknown and needs rise consecutive passes to pass or
 *   fall consecutive failures to fail; a pass ends a run of failures and a
 *   failure ends a run of passes.  rise or fall 0 is taken as 1.
 * - A service with no sources is up at once: nothing can say otherwise.
 * - Any failing source pulls the service down; it is up only while every
 *   source passes.
 * - Some unknown, none failing: a starting service stays unknown (never
 *   announced), a service that was down stays down, and a service that was
 *   up or draining goes down.  A source falls back to unknown only when it
 *   lost its evidence (a Nomad catalog reset, a check that was replaced),
 *   and announcing on no evidence is what "unknown is never announced"
 *   forbids; withdraw is the safe default.
 * - Every entry into DOWN (the first failure at start too) starts the
 *   hold-down: the service may not come back before down_since +
 *   hold_down_ms.  Failures inside the hold-down do not restart it: it is a
 *   minimum time down, not a quiet period.  Only DOWN -> UP (or DRAINING)
 *   waits; unknown -> up at start and draining <-> up do not.
 * - drain turns a would-be UP into DRAINING (still announced, less
 *   preferred); it never announces a service that is down or unknown.
 * - The service never returns to UNKNOWN once it has decided.
 *
 * Reasons are kept as one printable line: control bytes become spaces and
 * '"' becomes '\'', so a log line's reason="..." stays one field, and a
 * cut never splits a UTF-8 sequence.
 */
#include "health/verdict.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- bounded, sanitised string building ---- */

/* bytes of s that fit in room, backed off to a UTF-8 sequence boundary */
static size_t
verdict_fit(const char *s, size_t n, size_t room)
{
	if (n <= room)
		return n;
	n = room;
	/* s[n] is the first byte cut: never leave a sequence half copied */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* append s to dst (size bytes, always NUL-terminated), sanitised */
static void
verdict_cat(char *dst, size_t size, const char *s)
{
	size_t len = strnlen(dst, size), n, i;

	if (size == 0 || len >= size - 1 || s == NULL)
		return;
	n = verdict_fit(s, strlen(s), size - 1 - len);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == '"')
			c = '\'';
		dst[len + i] = (char)c;
	}
	dst[len + n] = '\0';
}

static void
verdict_cpy(char *dst, size_t size, const char *s)
{
	if (size == 0)
		return;
	dst[0] = '\0';
	verdict_cat(dst, size, s);
}

static void
verdict_cat_u64(char *dst, size_t size, uint64_t v)
{
	char num[24];

	(void)snprintf(num, sizeof(num), "%" PRIu64, v);
	verdict_cat(dst, size, num);
}

/* ---- sources ---- */

void
verdict_src_init(struct verdict_src *s, const char *name, uint16_t rise,
    uint16_t fall)
{
	memset(s, 0, sizeof(*s));
	s->state = SRC_UNKNOWN;
	s->rise = rise > 0 ? rise : 1;
	s->fall = fall > 0 ? fall : 1;
	verdict_cpy(s->name, sizeof(s->name), name);
}

static uint16_t
verdict_inc(uint16_t n)
{
	return n < UINT16_MAX ? (uint16_t)(n + 1) : n;
}

bool
verdict_src_result(struct verdict_src *s, bool pass, const char *reason)
{
	enum src_state was = s->state;

	/* a missing reason still says which way the result went */
	verdict_cpy(s->reason, sizeof(s->reason),
	    reason != NULL ? reason : pass ? "passed" : "failed");
	if (pass) {
		s->fails = 0;
		s->oks = verdict_inc(s->oks);
		if (s->oks >= s->rise)
			s->state = SRC_PASS;
	} else {
		s->oks = 0;
		s->fails = verdict_inc(s->fails);
		if (s->fails >= s->fall)
			s->state = SRC_FAIL;
	}
	return s->state != was;
}

bool
verdict_src_set(struct verdict_src *s, enum src_state st, const char *reason)
{
	enum src_state was = s->state;

	verdict_cpy(s->reason, sizeof(s->reason),
	    reason != NULL ? reason : src_state_name(st));
	/*
	 * The runs are set as if the results had been seen, so what follows
	 * counts from here: a forced pass fails after fall failures, a forced
	 * fail passes after rise passes, and a forced unknown starts afresh.
	 */
	switch (st) {
	case SRC_PASS:
		s->oks = s->rise;
		s->fails = 0;
		break;
	case SRC_FAIL:
		s->oks = 0;
		s->fails = s->fall;
		break;
	case SRC_UNKNOWN:
	default:
		st = SRC_UNKNOWN;
		s->oks = 0;
		s->fails = 0;
		break;
	}
	s->state = st;
	return s->state != was;
}

void
verdict_src_assume(struct verdict_src *s, enum src_state st,
    const char *reason)
{
	s->state = st == SRC_PASS || st == SRC_FAIL ? st : SRC_UNKNOWN;
	s->oks = 0;
	s->fails = 0;
	verdict_cpy(s->reason, sizeof(s->reason),
	    reason != NULL ? reason : src_state_name(s->state));
}

/* ---- the service ---- */

void
verdict_init(struct verdict *v, uint32_t hold_down_ms, uint64_t now_ms)
{
	memset(v, 0, sizeof(*v));
	v->state = VERDICT_UNKNOWN;
	v->since_ms = now_ms;
	v->hold_down_ms = hold_down_ms;
	verdict_cpy(v->reason, sizeof(v->reason), "starting");
}

void
verdict_set_drain(struct verdict *v, bool drain)
{
	v->drain = drain;
}

/* "check web-ping: http 503 from 127.0.0.1:8080/ping" */
static void
verdict_src_why(char *dst, size_t size, const struct verdict_src *s)
{
	verdict_cpy(dst, size, s->name);
	verdict_cat(dst, size, ": ");
	if (s->state == SRC_UNKNOWN) {
		verdict_cat(dst, size, "unknown");
		if (s->reason[0] != '\0') {
			verdict_cat(dst, size, " (");
			verdict_cat(dst, size, s->reason);
			verdict_cat(dst, size, ")");
		}
		return;
	}
	if (s->state == SRC_FAIL && s->oks > 0) {
		/* recovering: the last result passed, the source still fails */
		verdict_cat(dst, size, "failing, ");
		verdict_cat_u64(dst, size, s->oks);
		verdict_cat(dst, size, " of ");
		verdict_cat_u64(dst, size, s->rise);
		verdict_cat(dst, size, " passes (");
		verdict_cat(dst, size, s->reason);
		verdict_cat(dst, size, ")");
		return;
	}
	verdict_cat(dst, size, s->reason);
}

static uint64_t
verdict_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

bool
verdict_eval(struct verdict *v, const struct verdict_src *srcs, size_t nsrcs,
    uint64_t now_ms, uint64_t *recheck_ms)
{
	const struct verdict_src *fail = NULL, *unknown = NULL;
	enum verdict_state want;
	char why[sizeof(v->reason)];
	size_t i, nfail = 0;
	uint64_t until;

	if (recheck_ms != NULL)
		*recheck_ms = 0;
	for (i = 0; i < nsrcs; i++) {
		if (srcs[i].state == SRC_FAIL) {
			if (fail == NULL)
				fail = &srcs[i];
			nfail++;
		} else if (srcs[i].state != SRC_PASS && unknown == NULL)
			unknown = &srcs[i];
	}

	/* what the sources say */
	if (fail != NULL) {
		want = VERDICT_DOWN;
		verdict_src_why(why, sizeof(why), fail);
		if (nfail > 1) {
			verdict_cat(why, sizeof(why), " (+");
			verdict_cat_u64(why, sizeof(why), nfail - 1);
			verdict_cat(why, sizeof(why), " more failing)");
		}
	} else if (unknown != NULL) {
		/* undecided: keep a start unknown, never keep announcing */
		if (v->state == VERDICT_UNKNOWN) {
			want = VERDICT_UNKNOWN;
			verdict_cpy(why, sizeof(why), "waiting for ");
			verdict_cat(why, sizeof(why), unknown->name);
		} else {
			want = VERDICT_DOWN;
			verdict_src_why(why, sizeof(why), unknown);
		}
	} else {
		want = VERDICT_UP;
		verdict_cpy(why, sizeof(why),
		    nsrcs == 0 ? "no sources" : "all sources pass");
	}

	/* hold-down: a minimum time in DOWN, counted from its entry */
	if (want == VERDICT_UP && v->state == VERDICT_DOWN &&
	    v->hold_down_ms > 0) {
		until = verdict_add_sat(v->down_since_ms, v->hold_down_ms);
		if (now_ms < until) {
			want = VERDICT_DOWN;
			verdict_cpy(why, sizeof(why), "hold-down until ");
			verdict_cat_u64(why, sizeof(why), until);
			verdict_cat(why, sizeof(why), " ms (");
			verdict_cat_u64(why, sizeof(why), until - now_ms);
			verdict_cat(why, sizeof(why), " ms left), ");
			verdict_cat(why, sizeof(why),
			    nsrcs == 0 ? "no sources" : "all sources pass");
			if (recheck_ms != NULL)
				*recheck_ms = until;
		}
	}

	/* drain only ever lowers an announcement; it never makes one */
	if (want == VERDICT_UP && v->drain) {
		want = VERDICT_DRAINING;
		verdict_cpy(why, sizeof(why), "drained by operator");
	}

	/* the reason is the current one, also when nothing changed */
	memcpy(v->reason, why, sizeof(v->reason));
	if (want == v->state)
		return false;
	v->state = want;
	v->since_ms = now_ms;
	if (want == VERDICT_DOWN) {
		v->down_since_ms = now_ms;
		v->was_down = true;
	}
	return true;
}

const char *
verdict_reason(const struct verdict *v)
{
	return v->reason;
}

bool
verdict_announces(enum verdict_state st, bool degrade_on_down)
{
	switch (st) {
	case VERDICT_UP:
	case VERDICT_DRAINING:
		return true;
	case VERDICT_DOWN:
		return degrade_on_down;
	case VERDICT_UNKNOWN:
	default:
		/* unknown is never announced: withdraw is the safe default */
		return false;
	}
}

const char *
verdict_state_name(enum verdict_state st)
{
	switch (st) {
	case VERDICT_UNKNOWN:
		return "unknown";
	case VERDICT_UP:
		return "up";
	case VERDICT_DOWN:
		return "down";
	case VERDICT_DRAINING:
		return "draining";
	default:
		return "invalid";
	}
}

const char *
src_state_name(enum src_state st)
{
	switch (st) {
	case SRC_UNKNOWN:
		return "unknown";
	case SRC_PASS:
		return "pass";
	case SRC_FAIL:
		return "fail";
	default:
		return "invalid";
	}
}
