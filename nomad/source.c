/*
 * source.c - the Nomad source of one service; see source.h and
 * nomcastd(8), "Nomad".
 *
 * Decisions taken here:
 *
 * - The pending hold is bounded by grace, measured from the moment the
 *   pending stub was first seen.  The checks endpoint does not report a
 *   check's interval, and a re-stubbed check first runs after interval/2
 *   (docs/nomad-api.md 2): grace must exceed half the longest interval plus
 *   the check's timeout (the default 15 s covers intervals up to 20 s with
 *   a 5 s timeout).  A check still pending after grace counts as pending:
 *   a check that never runs is not healthy.
 * - A held check counts as its last result: a re-stubbed failing check
 *   keeps the service down, a passing one keeps it up.
 * - Errors never decide on their own: under hold the state stays as it
 *   was (an undecided source stays undecided), under withdraw the source
 *   fails once grace has passed since the outage began.
 * - A source whose facts are incomplete after a reload (its checks
 *   setting changed) keeps its decided state until the answer comes.
 */
#include "nomad/source.h"

#include <stdio.h>
#include <string.h>

static const char *const outage_names[NOMAD_OUT_N] = {
	[NOMAD_OUT_NONE] = "none",
	[NOMAD_OUT_UNREACHABLE] = "unreachable",
	[NOMAD_OUT_CONTROL_PLANE] = "control-plane",
	[NOMAD_OUT_REFUSED] = "refused",
	[NOMAD_OUT_ERROR] = "error",
};

const char *
nomad_outage_name(enum nomad_outage o)
{
	return (unsigned)o < NOMAD_OUT_N ? outage_names[o] : "none";
}

enum nomad_outage
nomad_outage_of_status(long status)
{
	if (status >= 500 && status <= 599)
		return NOMAD_OUT_CONTROL_PLANE;
	if (status == 401 || status == 403)
		return NOMAD_OUT_REFUSED;
	return NOMAD_OUT_ERROR;
}

void
nsrc_init(struct nsrc *s, const char *service, const char *alloc_id,
    bool use_checks, bool hold, uint32_t grace_ms)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->what, sizeof(s->what), "%.60s for alloc %.8s", service,
	    alloc_id);
	s->use_checks = use_checks;
	s->hold = hold;
	s->grace_ms = grace_ms;
	s->state = SRC_UNKNOWN;
	snprintf(s->reason, sizeof(s->reason), "nomad: waiting for the agent");
}

/* does request rq count for this source? */
static bool
nsrc_listens(const struct nsrc *s, enum nsrc_req rq)
{
	switch (rq) {
	case NSRC_REQ_REG:
		return true;
	case NSRC_REQ_CHECKS:
		return s->use_checks;
	case NSRC_REQ_PROBE:
		return !s->use_checks;
	case NSRC_REQ_N:
		break;
	}
	return false;
}

enum nomad_outage
nsrc_outage(const struct nsrc *s)
{
	/* the heartbeat says most about the agent now, then the query */
	static const enum nsrc_req order[] = {
		NSRC_REQ_CHECKS, NSRC_REQ_PROBE, NSRC_REQ_REG,
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (nsrc_listens(s, order[i]) && s->err[order[i]] !=
		    NOMAD_OUT_NONE)
			return s->err[order[i]];
	return NOMAD_OUT_NONE;
}

/* the outage is over once no request the source listens to fails */
static void
nsrc_settle(struct nsrc *s)
{
	if (nsrc_outage(s) == NOMAD_OUT_NONE)
		s->outage_since = 0;
}

void
nsrc_reconfigure(struct nsrc *s, bool use_checks, bool hold,
    uint32_t grace_ms)
{
	if (use_checks != s->use_checks) {
		s->checks_known = false;
		s->alloc_gone = false;
		s->purged = false;
		s->nmem = 0;
		s->err[NSRC_REQ_CHECKS] = NOMAD_OUT_NONE;
		s->err[NSRC_REQ_PROBE] = NOMAD_OUT_NONE;
	}
	s->use_checks = use_checks;
	s->hold = hold;
	s->grace_ms = grace_ms;
	nsrc_settle(s);
}

void
nsrc_assume(struct nsrc *s, enum src_state st, const char *why)
{
	s->state = st;
	s->decided = st != SRC_UNKNOWN;
	snprintf(s->reason, sizeof(s->reason), "%s", why);
}

void
nsrc_registration(struct nsrc *s, bool registered)
{
	s->reg = registered ? NSRC_REG_YES : NSRC_REG_NO;
	s->err[NSRC_REQ_REG] = NOMAD_OUT_NONE;
	nsrc_settle(s);
}

void
nsrc_alloc_gone(struct nsrc *s)
{
	s->alloc_gone = true;
	s->err[NSRC_REQ_CHECKS] = NOMAD_OUT_NONE;
	nsrc_settle(s);
}

void
nsrc_alive(struct nsrc *s)
{
	s->err[NSRC_REQ_PROBE] = NOMAD_OUT_NONE;
	nsrc_settle(s);
}

void
nsrc_error(struct nsrc *s, enum nsrc_req rq, enum nomad_outage cls,
    const char *why, uint64_t now)
{
	if ((unsigned)rq >= NSRC_REQ_N || cls == NOMAD_OUT_NONE)
		return;
	if (nsrc_listens(s, rq) && nsrc_outage(s) == NOMAD_OUT_NONE)
		s->outage_since = now;
	s->err[rq] = cls;
	snprintf(s->errwhy[rq], sizeof(s->errwhy[rq]), "%s", why);
}

static struct nsrc_mem *
nsrc_mem_find(struct nsrc *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nmem; i++)
		if (strcmp(s->mem[i].name, name) == 0)
			return &s->mem[i];
	return NULL;
}

/*
 * What the answer says of each check, into the memory by name.  Checks
 * gone from the answer are forgotten first, so that a check renamed in
 * place finds room even when the memory is full.
 */
static void
nsrc_remember(struct nsrc *s, const struct nomad_checks *ck, uint64_t now)
{
	struct nsrc_mem *m;
	size_t i, k;

	for (i = 0; i < s->nmem; i++)
		s->mem[i].seen = false;
	for (i = 0; i < ck->nent; i++)
		if ((m = nsrc_mem_find(s, ck->ent[i].name)) != NULL)
			m->seen = true;
	for (i = k = 0; i < s->nmem; i++)
		if (s->mem[i].seen)
			s->mem[k++] = s->mem[i];
	s->nmem = k;
	for (i = 0; i < ck->nent; i++) {
		const struct nomad_check_entry *e = &ck->ent[i];

		if ((m = nsrc_mem_find(s, e->name)) == NULL) {
			if (s->nmem == NSRC_MAX_MEM)
				continue;
			m = &s->mem[s->nmem++];
			memset(m, 0, sizeof(*m));
			snprintf(m->name, sizeof(m->name), "%s", e->name);
			m->seen = true;
		}
		if (e->st == NOMAD_CS_SUCCESS || e->st == NOMAD_CS_FAILURE) {
			m->last = e->st;
			m->has_last = true;
			m->pending_since = 0;
		} else if (m->pending_since == 0) {
			/* 0 means "not pending": never store a 0 start */
			m->pending_since = now > 0 ? now : 1;
		}
	}
}

void
nsrc_checks(struct nsrc *s, const struct nomad_checks *ck, uint64_t now)
{
	s->err[NSRC_REQ_CHECKS] = NOMAD_OUT_NONE;
	s->checks_known = true;
	s->alloc_gone = false;
	/* null after results: a stopping alloc's purge (nomad-api.md 2) */
	if (ck->null_body)
		s->purged = s->results_seen;
	else {
		s->results_seen = true;
		s->purged = false;
	}
	s->ck = *ck;
	nsrc_remember(s, ck, now);
	nsrc_settle(s);
}

/* the checks' sum once held pending stubs count as their last result */
enum eff {
	EFF_PASS,
	EFF_FAIL,
	EFF_PENDING,
	EFF_KEEP,	/* only held checks with no result of their own */
};

struct tally {
	unsigned	fail, fail_held, pend, pass, pass_held, neutral;
	char		fail_why[200], held_why[200], pend_why[200];
};

static void
tally_pending(struct nsrc *s, const struct nomad_check_entry *e,
    uint64_t now, struct tally *t, uint64_t *next)
{
	const struct nsrc_mem *m = nsrc_mem_find(s, e->name);
	uint64_t until;

	if (!s->decided || m == NULL || m->pending_since == 0 ||
	    s->grace_ms == 0 || now >= m->pending_since + s->grace_ms) {
		if (t->pend++ == 0) {
			if (s->decided && m != NULL && m->pending_since != 0 &&
			    s->grace_ms != 0)
				snprintf(t->pend_why, sizeof(t->pend_why),
				    "nomad check \"%s\" still pending after "
				    "%u ms", e->name, s->grace_ms);
			else
				snprintf(t->pend_why, sizeof(t->pend_why),
				    "%s", e->reason);
		}
		return;
	}
	until = m->pending_since + s->grace_ms;
	if (*next == 0 || until < *next)
		*next = until;
	if (!m->has_last) {
		if (t->neutral++ == 0 && t->held_why[0] == '\0')
			snprintf(t->held_why, sizeof(t->held_why),
			    "nomad check \"%s\" added (pending): the last "
			    "Nomad state holds until it runs (at most %u ms)",
			    e->name, s->grace_ms);
		return;
	}
	if (m->last == NOMAD_CS_FAILURE)
		t->fail_held++;
	else
		t->pass_held++;
	if (t->held_why[0] == '\0' || m->last == NOMAD_CS_FAILURE)
		snprintf(t->held_why, sizeof(t->held_why), "nomad check \"%s\" "
		    "re-registered (pending): its last result, %s, holds "
		    "until it runs (at most %u ms)", e->name,
		    m->last == NOMAD_CS_FAILURE ? "failure" : "success",
		    s->grace_ms);
}

static enum eff
nsrc_effective(struct nsrc *s, uint64_t now, uint64_t *next, char *why,
    size_t whylen)
{
	const struct nomad_checks *ck = &s->ck;
	struct tally t;
	unsigned lf = 0, ls = 0, lp = 0;
	size_t i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < ck->nent; i++) {
		const struct nomad_check_entry *e = &ck->ent[i];

		switch (e->st) {
		case NOMAD_CS_SUCCESS:
			t.pass++;
			ls++;
			break;
		case NOMAD_CS_FAILURE:
			if (t.fail++ == 0)
				snprintf(t.fail_why, sizeof(t.fail_why), "%s",
				    e->reason);
			lf++;
			break;
		case NOMAD_CS_PENDING:
		case NOMAD_CS_MISSING:
			tally_pending(s, e, now, &t, next);
			lp++;
			break;
		}
	}
	/* checks past the listed ones count as the answer gave them */
	if (ck->nfailure > lf) {
		if (t.fail == 0)
			snprintf(t.fail_why, sizeof(t.fail_why), "%s",
			    ck->reason);
		t.fail += ck->nfailure - lf;
	}
	if (ck->npending > lp) {
		if (t.pend == 0)
			snprintf(t.pend_why, sizeof(t.pend_why), "%s",
			    ck->reason);
		t.pend += ck->npending - lp;
	}
	t.pass += ck->nsuccess > ls ? ck->nsuccess - ls : 0;

	if (t.fail > 0) {
		snprintf(why, whylen, "%s", t.fail_why);
		return EFF_FAIL;
	}
	if (t.fail_held > 0) {
		snprintf(why, whylen, "%s", t.held_why);
		return EFF_FAIL;
	}
	if (t.pend > 0) {
		snprintf(why, whylen, "%s", t.pend_why);
		return EFF_PENDING;
	}
	if (t.pass_held > 0 || (t.neutral > 0 && t.pass == 0)) {
		snprintf(why, whylen, "%s", t.held_why);
		return t.pass_held > 0 ? EFF_PASS : EFF_KEEP;
	}
	if (t.pass > 0)
		snprintf(why, whylen, "nomad checks passing: %u", t.pass);
	else
		snprintf(why, whylen, "%s", ck->reason);
	return EFF_PASS;
}

/* set the conclusion; true if state or reason changed */
static bool
nsrc_set(struct nsrc *s, enum src_state st, const char *why)
{
	if (st == s->state && strcmp(why, s->reason) == 0)
		return false;
	s->state = st;
	if (st != SRC_UNKNOWN)
		s->decided = true;
	snprintf(s->reason, sizeof(s->reason), "%s", why);
	return true;
}

bool
nsrc_eval(struct nsrc *s, uint64_t now, uint64_t *next_ms)
{
	enum nomad_outage out = nsrc_outage(s);
	enum eff eff = EFF_PASS;
	uint64_t next = 0;
	char why[224], ew[200];
	bool changed;

	if (s->use_checks && s->checks_known && !s->alloc_gone && !s->purged)
		eff = nsrc_effective(s, now, &next, ew, sizeof(ew));
	if (next_ms != NULL)
		*next_ms = 0;

	/* facts about this alloc: down at once, outage or not */
	if (s->reg == NSRC_REG_NO) {
		snprintf(why, sizeof(why), "nomad: %s not registered",
		    s->what);
		return nsrc_set(s, SRC_FAIL, why);
	}
	if (s->use_checks && s->alloc_gone) {
		snprintf(why, sizeof(why), "nomad: %s: the alloc is unknown to "
		    "the agent (404)", s->what);
		return nsrc_set(s, SRC_FAIL, why);
	}
	if (s->use_checks && s->checks_known && s->purged) {
		snprintf(why, sizeof(why), "nomad: %s: check results purged: "
		    "the alloc is stopping", s->what);
		return nsrc_set(s, SRC_FAIL, why);
	}
	if (s->use_checks && s->checks_known && eff == EFF_FAIL) {
		if (next_ms != NULL)
			*next_ms = next;
		return nsrc_set(s, SRC_FAIL, ew);
	}

	/* no facts: an outage holds, or fails after grace (withdraw) */
	if (out != NOMAD_OUT_NONE) {
		const char *ewhy = "";
		size_t i;

		for (i = 0; i < NSRC_REQ_N && ewhy[0] == '\0'; i++)
			if (nsrc_listens(s, (enum nsrc_req)i) &&
			    s->err[i] == out)
				ewhy = s->errwhy[i];
		if (!s->hold && now >= s->outage_since + s->grace_ms) {
			snprintf(why, sizeof(why), "nomad: no usable answer "
			    "for %u ms (%s): %.150s", s->grace_ms,
			    nomad_outage_name(out), ewhy);
			return nsrc_set(s, SRC_FAIL, why);
		}
		if (!s->hold && next_ms != NULL)
			*next_ms = s->outage_since + s->grace_ms;
		snprintf(why, sizeof(why), "nomad: agent outage (%s), the last "
		    "Nomad state holds: %.150s", nomad_outage_name(out), ewhy);
		return nsrc_set(s, s->state, why);
	}

	if (s->reg == NSRC_REG_UNKNOWN || (s->use_checks && !s->checks_known))
		return nsrc_set(s, s->decided ? s->state : SRC_UNKNOWN,
		    "nomad: waiting for the agent");
	if (next_ms != NULL)
		*next_ms = next;
	if (!s->use_checks) {
		snprintf(why, sizeof(why), "nomad: %s registered, checks not "
		    "used", s->what);
		return nsrc_set(s, SRC_PASS, why);
	}
	switch (eff) {
	case EFF_PASS:
		snprintf(why, sizeof(why), "nomad: %.60s registered, %.140s",
		    s->what, ew);
		changed = nsrc_set(s, SRC_PASS, why);
		break;
	case EFF_KEEP:
		changed = nsrc_set(s, s->state, ew);
		break;
	case EFF_PENDING:
	default:
		/* pending: not healthy; unknown only while starting */
		changed = nsrc_set(s, s->decided ? SRC_FAIL : SRC_UNKNOWN, ew);
		break;
	}
	return changed;
}
