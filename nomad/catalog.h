/*
 * catalog.h - Nomad API answers to health facts, pure (json-c inside; no
 * json-c object ever leaves nomad/).  See ../shared/nomad-api/README.md for
 * the shapes.
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

struct nomad_checks {
	enum nomad_health health;
	unsigned	nsuccess, nfailure, npending;
	/*
	 * One printable line: the first failing (else pending) check,
	 * `nomad check "NAME" failure: OUTPUT'S FIRST LINE (HTTP 503)`;
	 * for PASS and NO_CHECKS a short summary.
	 */
	char		reason[200];
};

/*
 * GET /v1/client/allocation/<alloc>/checks: the checks of <service>
 * (readiness-mode checks are ignored: they do not gate health), selected by
 * the filter.  A JSON null body means no results yet: PENDING ("no check
 * results yet"), NO_CHECKS under NOMAD_CHECKS_NONE, which gives
 * NO_CHECKS for any well-formed body (a malformed one is still -1).
 * A name listed under NOMAD_CHECKS_NAMED that has no result
 * counts as pending.  Every entry needs a string Service; a selected one
 * also string Check and Status (success, failure or pending).  On -1,
 * out->health is FAIL (never PASS by accident), the counts are 0 and
 * out->reason holds err's text.
 */
int	nomad_parse_checks(const char *body, size_t len, const char *service,
	    const struct nomad_check_filter *f, struct nomad_checks *out,
	    char *err, size_t errlen);

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
 * nomad/nomcast-policy.hcl; 404 on checks: the alloc is unknown to this
 * client; 5xx: the agent failed.  Never NULL.
 */
const char *nomad_status_hint(long status, bool checks_endpoint);

/*
 * The next blocking-query index (RFC-less Nomad rule: an index that goes
 * backwards resets to 0, see the nomad-api notes section 5).
 */
uint64_t nomad_next_index(uint64_t prev, uint64_t got);

#endif
