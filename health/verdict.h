/*
 * verdict.h - the per-service health verdict machine, pure (no I/O, no
 * clock: the caller passes the time in).
 *
 * A service has sources (its local checks, later Nomad's catalog).  Each
 * source turns raw pass/fail results into a passing/failing state with its
 * own rise and fall counts.  The service is up only while every source
 * passes; unknown (a source that has not yet decided) is never announced.
 * hold-down keeps a service down for a minimum time after it went down,
 * so a flapping proxy cannot flap the route faster.  drain is an operator
 * input that overrides up.
 */
#ifndef NOMCAST_VERDICT_H
#define NOMCAST_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum src_state {
	SRC_UNKNOWN,		/* not yet rise passes or fall failures */
	SRC_PASS,
	SRC_FAIL,
};

struct verdict_src {
	enum src_state	state;
	uint16_t	rise;		/* consecutive passes to pass (>= 1) */
	uint16_t	fall;		/* consecutive failures to fail (>= 1) */
	uint16_t	oks;		/* current run of passes */
	uint16_t	fails;		/* current run of failures */
	char		name[64];	/* "check web-ping", "nomad traefik" */
	char		reason[224];	/* what the last result saw */
};

/* an unknown source; rise or fall 0 is taken as 1, name is truncated */
void	verdict_src_init(struct verdict_src *s, const char *name,
	    uint16_t rise, uint16_t fall);
/*
 * One raw result.  reason (may be NULL: "passed"/"failed") says what was
 * seen and is kept, truncated on a UTF-8 boundary, control bytes as spaces
 * and '"' as '\''.  A pass ends the run of failures and a failure the run
 * of passes; rise passes in a row pass, fall failures in a row fail (from
 * unknown too).  Returns true if the source's state changed.
 */
bool	verdict_src_result(struct verdict_src *s, bool pass,
	    const char *reason);
/*
 * Force a state (a source that knows at once, e.g. a Nomad
 * deregistration); the runs are set as if rise passes (PASS), fall
 * failures (FAIL) or nothing (UNKNOWN) had been seen.  reason NULL: the
 * state's name.  Returns true if the state changed.
 */
bool	verdict_src_set(struct verdict_src *s, enum src_state st,
	    const char *reason);

/*
 * Take state st with both runs empty (reason NULL: the state's name): the
 * results that follow decide from there.  From PASS, fall failures in a
 * row fail and passes keep it; from FAIL, rise passes in a row pass.  For
 * a reload: a check whose definition changed keeps the state its old
 * definition had reached, and a check added to a service that is up
 * starts from PASS, so that neither takes the route away before it has
 * actually failed fall times.
 */
void	verdict_src_assume(struct verdict_src *s, enum src_state st,
	    const char *reason);

enum verdict_state {
	VERDICT_UNKNOWN,	/* starting: not announced */
	VERDICT_UP,		/* announced normally */
	VERDICT_DOWN,		/* withdrawn, or degraded if on-down = degrade */
	VERDICT_DRAINING,	/* operator drain: announced, less preferred */
};

struct verdict {
	enum verdict_state state;
	uint64_t	since_ms;	/* when state was entered */
	uint64_t	down_since_ms;	/* last entry into DOWN */
	bool		was_down;	/* DOWN entered at least once */
	uint32_t	hold_down_ms;	/* minimum time in DOWN */
	bool		drain;		/* operator input */
	char		reason[224];	/* why the current state */
};

/* UNKNOWN since now_ms, reason "starting" */
void	verdict_init(struct verdict *v, uint32_t hold_down_ms, uint64_t now_ms);

/*
 * Recompute the service state from its sources, the drain input, the
 * hold-down and the time.  Returns true if the state changed; v->reason
 * always says why the current state (also when nothing changed).
 * *recheck_ms is set to the time at which the verdict must be evaluated
 * again even without a new result (hold-down expiry), or 0 if none is
 * needed (then cancel any pending recheck).  recheck_ms may be NULL.
 * No sources: UP at once.  Some unknown, none failing: UNKNOWN stays
 * UNKNOWN, anything else goes DOWN (no evidence is not announced).  Every
 * entry into DOWN starts the hold-down; see verdict.c for the rest.
 */
bool	verdict_eval(struct verdict *v, const struct verdict_src *srcs,
	    size_t nsrcs, uint64_t now_ms, uint64_t *recheck_ms);

/* operator drain on/off; call verdict_eval() after it */
void	verdict_set_drain(struct verdict *v, bool drain);

/* should the service's prefixes be announced in this state at all? */
bool	verdict_announces(enum verdict_state st, bool degrade_on_down);

/* v->reason: why the current state, one printable line */
const char *verdict_reason(const struct verdict *v);

const char *verdict_state_name(enum verdict_state st);	/* "up" */
const char *src_state_name(enum src_state st);

#endif
