/*
 * catalog.h - Nomad API answers to health facts, pure (json-c inside; no
 * json-c object ever leaves nomad/).  See docs/nomad-api.md for the
 * shapes.
 *
 * Every parse is bounded: a body over NOMAD_BODY_MAX octets or nested
 * deeper than NOMAD_JSON_DEPTH is an error, as is JSON of the wrong shape.
 * On error the functions return -1 and write a one-line reason to err.
 */
#ifndef NOMCAST_CATALOG_H
#define NOMCAST_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOMAD_BODY_MAX		(1024 * 1024)
#define NOMAD_JSON_DEPTH	32
#define NOMAD_MAX_CHECK_NAMES	16
#define NOMAD_REASON_MAX	200	/* struct nomad_checks.reason */

/* which of the service's Nomad checks count (nomad-checks =) */
enum nomad_checks_mode {
	NOMAD_CHECKS_ALL,	/* every healthiness check of the service */
	NOMAD_CHECKS_NONE,	/* registration only */
	NOMAD_CHECKS_NAMED,	/* only these check names */
};

struct nomad_check_filter {
	enum nomad_checks_mode mode;
	size_t		nnames;
	char		names[NOMAD_MAX_CHECK_NAMES][64];
};

/*
 * GET /v1/service/<service>: is there a registration of <service> whose
 * AllocID is alloc_id (and, if node_id is non-empty, whose NodeID is
 * node_id)?  An empty array means not registered.  The body must be an
 * array of objects each with string AllocID, ServiceName and NodeID
 * (other fields are ignored); on -1 *registered is false.
 */
int	nomad_parse_service(const char *body, size_t len, const char *service,
	    const char *alloc_id, const char *node_id, bool *registered,
	    char *err, size_t errlen);

/* what the alloc's checks say about one service */
enum nomad_health {
	NOMAD_HEALTH_PASS,	/* every selected check is success */
	NOMAD_HEALTH_FAIL,	/* a selected check is failure */
	NOMAD_HEALTH_PENDING,	/* none failing, some pending: not healthy */
	NOMAD_HEALTH_NO_CHECKS,	/* the service has no (selected) checks */
};

/* one selected check's result, as the answer gave it */
enum nomad_cstat {
	NOMAD_CS_SUCCESS,
	NOMAD_CS_FAILURE,
	NOMAD_CS_PENDING,	/* a stub: not run yet under this ID */
	NOMAD_CS_MISSING,	/* named in nomad-checks, no result at all */
};

/* the first NOMAD_MAX_ENTRIES selected checks are listed one by one */
#define NOMAD_MAX_ENTRIES	32

struct nomad_check_entry {
	char		name[64];	/* Check, cleaned */
	enum nomad_cstat st;
	char		reason[160];	/* as nomad_checks.reason, one check */
};

struct nomad_checks {
	enum nomad_health health;
	unsigned	nsuccess, nfailure, npending;
	/*
	 * One printable line: the first failing (else pending) check,
	 * `nomad check "NAME" failure: OUTPUT'S FIRST LINE (HTTP 503)`;
	 * for PASS and NO_CHECKS a short summary.
	 */
	char		reason[NOMAD_REASON_MAX];
	/* the body was JSON null: the alloc has no check results at all */
	bool		null_body;
	size_t		nent;		/* entries listed (<= counts' sum) */
	struct nomad_check_entry ent[NOMAD_MAX_ENTRIES];
};

/*
 * GET /v1/client/allocation/<alloc>/checks: the checks of <service>
 * (readiness-mode checks are ignored: they do not gate health), selected by
 * the filter, summed up in health and listed in ent[].  A JSON null body
 * (null_body) means the alloc has no Nomad check results at all: NO_CHECKS
 * (NOMAD_CHECKS_ALL: the service has no checks; whether it is rather the
 * purge of a stopping alloc is the caller's to judge, nomad-api.md 2),
 * and under NOMAD_CHECKS_NAMED every name is MISSING (PENDING).
 * NOMAD_CHECKS_NONE gives NO_CHECKS for any well-formed body (a malformed
 * one is still -1).  A name listed under NOMAD_CHECKS_NAMED that has no
 * result counts as pending (MISSING).  Every entry needs a string Service;
 * a selected one also string Check and Status (success, failure or
 * pending).  On -1, out->health is FAIL (never PASS by accident), the
 * counts are 0 and out->reason holds err's text.
 */
int	nomad_parse_checks(const char *body, size_t len, const char *service,
	    const struct nomad_check_filter *f, struct nomad_checks *out,
	    char *err, size_t errlen);

/* what Nomad wants of an alloc: GET /v1/allocation/<id>'s DesiredStatus */
enum nomad_desired {
	NOMAD_DESIRED_UNKNOWN,
	NOMAD_DESIRED_RUN,	/* "run": also while a task restarts or updates */
	NOMAD_DESIRED_STOP,	/* "stop" or "evict": the alloc is stopping */
};

/*
 * GET /v1/allocation/<id> (docs/nomad-api.md 4): its DesiredStatus.  The
 * body must be an object with a string DesiredStatus of run, stop or
 * evict (other fields are ignored); if alloc_id is neither NULL nor
 * empty, it must also have a string ID equal to it (an answer about
 * another alloc is the wrong shape).  0 with *out RUN or STOP; -1 with
 * *out UNKNOWN and err set (a body of another shape, an unknown value).
 */
int	nomad_parse_alloc_desired(const char *body, size_t len,
	    const char *alloc_id, enum nomad_desired *out, char *err,
	    size_t errlen);

/* "run", "stop", "unknown" */
const char *nomad_desired_name(enum nomad_desired d);

/*
 * A 404 body from the checks endpoint: does it say the alloc is unknown
 * to the client (`Unknown allocation "<id>"`, perhaps after an RPC
 * prefix)?  Other 404s ("No path to node", "resource not found") are
 * routing or request errors, not facts about the alloc.
 */
bool	nomad_body_unknown_alloc(const char *body, size_t len);

/* the query meta of an answer (docs/nomad-api.md 3) */
struct nomad_meta {
	bool		has_index, has_known_leader, has_last_contact;
	uint64_t	index;		/* X-Nomad-Index */
	bool		known_leader;	/* X-Nomad-KnownLeader */
	uint64_t	last_contact_ms; /* X-Nomad-LastContact */
};

/*
 * One response header line (as nomad_header_index): X-Nomad-Index,
 * X-Nomad-KnownLeader (true/false) or X-Nomad-LastContact (decimal ms),
 * names in any case; a valid one is stored in m, anything else ignored.
 * Returns true if the line was one of them and valid.
 */
bool	nomad_header_meta(const char *line, size_t len, struct nomad_meta *m);

/*
 * One HTTP response header line of len octets (not NUL-terminated; a
 * trailing CRLF or LF is allowed): if it is X-Nomad-Index (any case) with
 * a strict decimal uint64 value, set *index and return true.  Otherwise,
 * overflow included, return false and leave *index alone.
 */
bool	nomad_header_index(const char *line, size_t len, uint64_t *index);

/*
 * What an error status from the agent means for the operator, one line:
 * 401/403 name the token or capability (namespace:read-job) and point at
 * examples/nomad/nomcast-policy.hcl; 404 on checks: the alloc is unknown to this
 * client; 5xx: the agent failed.  Never NULL.
 */
const char *nomad_status_hint(long status, bool checks_endpoint);

/*
 * The next blocking-query index (RFC-less Nomad rule: an index that goes
 * backwards resets to 0, see docs/nomad-api.md 3).
 */
uint64_t nomad_next_index(uint64_t prev, uint64_t got);

#endif
