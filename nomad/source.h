/*
 * source.h - the Nomad source of one service, pure (no I/O, no clock: the
 * caller passes the time in milliseconds of a monotonic clock).
 *
 * It turns what the agent said (registration, check results) and what it
 * failed to say (errors, by class) into a verdict source state, under the
 * rule that separates local failures from correlated ones (nomcastd(8),
 * "Nomad"):
 *
 * - Facts about this alloc act at once: not registered, the alloc unknown
 *   to the client, a failing check, check results purged (a stopping
 *   alloc).
 * - No facts is not a fact.  An agent that cannot answer (unreachable,
 *   5xx because the leader is gone, 401/403, an answer of the wrong shape)
 *   fails on every node at once, so the last state holds (on-outage =
 *   hold) or, if the operator asked for it, fails after grace (withdraw).
 * - A pending stub that replaces a decided result is a re-registration (an
 *   in-place job update re-stubs every alloc's checks in one plan, and a
 *   client upgrade may re-hash them), not a failure: the check's last
 *   decided result holds until its first real result, for at most grace.
 *   A pending check of a name never seen, in a source that has decided,
 *   holds the source's state likewise (a check added in place).  A
 *   pending check in a source that never decided stays unknown.
 * - A JSON null from the checks endpoint means "no checks": the
 *   registration alone passes; after results were seen it is the purge of
 *   a stopping alloc and fails.
 */
#ifndef NOMCAST_SOURCE_H
#define NOMCAST_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nomad/catalog.h"
#include "health/verdict.h"

/* why the agent gives no facts; in order of how telling the class is */
enum nomad_outage {
	NOMAD_OUT_NONE,
	NOMAD_OUT_UNREACHABLE,	/* no connection, no answer in time, cut */
	NOMAD_OUT_CONTROL_PLANE, /* 5xx: no leader, WhoAmI failed */
	NOMAD_OUT_REFUSED,	/* 401, 403: the token or its policy */
	NOMAD_OUT_ERROR,	/* another status, an answer of the wrong shape */
	NOMAD_OUT_N,
};

/* the requests whose errors a source listens to */
enum nsrc_req {
	NSRC_REQ_REG,		/* the blocking query on the registration */
	NSRC_REQ_CHECKS,	/* the checks poll (nomad-checks all/named) */
	NSRC_REQ_PROBE,		/* the liveness poll (nomad-checks = none) */
	NSRC_REQ_N,
};

enum nsrc_reg {
	NSRC_REG_UNKNOWN,
	NSRC_REG_YES,
	NSRC_REG_NO,
};

/* what the source remembers of one of its Nomad checks, by name */
struct nsrc_mem {
	char		name[64];
	enum nomad_cstat last;		/* SUCCESS, FAILURE, else none */
	bool		has_last;
	uint64_t	pending_since;	/* 0: not pending now */
	bool		seen;		/* in the latest answer */
};

#define NSRC_MAX_MEM	NOMAD_MAX_ENTRIES

struct nsrc {
	char		what[96];	/* "traefik for alloc 5b3d8f2e" */
	/* settings */
	bool		use_checks;	/* nomad-checks is not none */
	bool		hold;		/* on-outage = hold */
	uint32_t	grace_ms;
	/* facts */
	enum nsrc_reg	reg;
	bool		checks_known;	/* a checks answer was parsed */
	bool		alloc_gone;	/* 404 Unknown allocation */
	bool		results_seen;	/* a non-null checks body came */
	bool		purged;		/* null after results: stopping */
	struct nomad_checks ck;		/* the latest checks answer */
	struct nsrc_mem	mem[NSRC_MAX_MEM];
	size_t		nmem;
	/* errors, per request: the class of the last one, 0 when it works */
	enum nomad_outage err[NSRC_REQ_N];
	char		errwhy[NSRC_REQ_N][160];
	uint64_t	outage_since;	/* 0: no outage */
	/* the conclusion */
	enum src_state	state;
	bool		decided;	/* left UNKNOWN once */
	char		reason[224];
};

/* an undecided source of Nomad service `service` for alloc_id */
void	nsrc_init(struct nsrc *s, const char *service, const char *alloc_id,
	    bool use_checks, bool hold, uint32_t grace_ms);
/*
 * A reload: the same source under new settings, facts and memory kept.
 * If the checks setting changed, the check facts are forgotten (the next
 * answer brings them) but the state holds until then.
 */
void	nsrc_reconfigure(struct nsrc *s, bool use_checks, bool hold,
	    uint32_t grace_ms);
/*
 * Start from a state already decided elsewhere (a service that is up gets
 * a Nomad source by reload): as if it had decided st.
 */
void	nsrc_assume(struct nsrc *s, enum src_state st, const char *why);

/* answers: each also ends its request's error */
void	nsrc_registration(struct nsrc *s, bool registered);
void	nsrc_checks(struct nsrc *s, const struct nomad_checks *ck,
	    uint64_t now);
void	nsrc_alloc_gone(struct nsrc *s);
/* the probe answered: the agent is there (nothing else learnt) */
void	nsrc_alive(struct nsrc *s);
/* a request failed; why is one printable line */
void	nsrc_error(struct nsrc *s, enum nsrc_req rq, enum nomad_outage cls,
	    const char *why, uint64_t now);

/*
 * Conclude: s->state and s->reason.  Returns true if either changed.
 * *next_ms: when to conclude again without news (a pending hold or
 * grace running out), 0 if nothing is due.
 */
bool	nsrc_eval(struct nsrc *s, uint64_t now, uint64_t *next_ms);

/* the outage the source sees (the most telling class), NONE if none */
enum nomad_outage nsrc_outage(const struct nsrc *s);

/* the class of an HTTP status that is not an answer (not 200, not 404) */
enum nomad_outage nomad_outage_of_status(long status);
/* "unreachable", "control-plane", "refused", "error"; "none" */
const char *nomad_outage_name(enum nomad_outage o);

#endif
