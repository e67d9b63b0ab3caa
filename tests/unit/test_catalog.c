/*
 * test_catalog.c - Nomad API answers to health facts (nomad/catalog.c).
 *
 * Every fixture of ../shared/nomad-api (copied to tests/fixtures/nomad/,
 * so the suite does not depend on ../shared) maps to one result; then
 * malformed bodies (each a -1 with a one-line printable reason), the
 * X-Nomad-Index header, the status hints and the index rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nomad/catalog.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define OUR_ALLOC	"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"
#define OUR_NODE	"f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
#define ALLOC2		"9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04"
#define NODE2		"6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f"
#define FOREIGN_ALLOC	"0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"

/* ---- helpers ---- */

static char *
load(const char *name, size_t *len)
{
	char path[512];
	FILE *fp;
	char *buf;
	long n;

	(void)snprintf(path, sizeof(path), "%s/tests/fixtures/nomad/%s",
	    SRCDIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* one line, printable, NUL-terminated inside its buffer */
static void
assert_one_line(const char *s, size_t size)
{
	size_t i, n = strnlen(s, size);

	assert_true(n < size);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_false(c < 0x20 || c == 0x7f);
	}
}

/* no UTF-8 sequence is cut at the end of s */
static void
assert_utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = strlen(s), k, want = 1;

	while (i < n) {
		if (p[i] < 0x80)
			want = 1;
		else if ((p[i] & 0xe0) == 0xc0)
			want = 2;
		else if ((p[i] & 0xf0) == 0xe0)
			want = 3;
		else if ((p[i] & 0xf8) == 0xf0)
			want = 4;
		else
			fail_msg("stray continuation byte at %zu", i);
		assert_true(i + want <= n);
		for (k = 1; k < want; k++)
			assert_int_equal(p[i + k] & 0xc0, 0x80);
		i += want;
	}
}

static int
service(const char *body, size_t len, const char *svc, const char *alloc,
    const char *node, bool *reg, char *err, size_t errlen)
{
	int rc;

	*reg = true;	/* must be overwritten, on success and on error */
	err[0] = '\0';
	rc = nomad_parse_service(body, len, svc, alloc, node, reg, err,
	    errlen);
	assert_one_line(err, errlen);
	return rc;
}

static bool
fixture_registered(const char *name, const char *svc, const char *alloc,
    const char *node)
{
	char err[256] = "";
	size_t len;
	char *body = load(name, &len);
	bool reg;

	assert_int_equal(service(body, len, svc, alloc, node, &reg, err,
	    sizeof(err)), 0);
	free(body);
	return reg;
}

/* a malformed service body: -1, not registered, err names the problem */
static void
service_rejects(const char *body, size_t len, const char *want_err)
{
	char err[256] = "";
	bool reg;

	assert_int_equal(service(body, len, "traefik", OUR_ALLOC, "", &reg,
	    err, sizeof(err)), -1);
	assert_false(reg);
	if (strstr(err, want_err) == NULL)
		fail_msg("err \"%s\" lacks \"%s\"", err, want_err);
}

static const struct nomad_check_filter f_all = { .mode = NOMAD_CHECKS_ALL };
static const struct nomad_check_filter f_none = { .mode = NOMAD_CHECKS_NONE };
static const struct nomad_check_filter f_ping = {
	.mode = NOMAD_CHECKS_NAMED, .nnames = 1, .names = { "traefik-ping" },
};
static const struct nomad_check_filter f_other = {
	.mode = NOMAD_CHECKS_NAMED, .nnames = 2,
	.names = { "traefik-ping", "tls-expiry" },
};

static int
checks(const char *body, size_t len, const char *svc,
    const struct nomad_check_filter *f, struct nomad_checks *out, char *err,
    size_t errlen)
{
	int rc;

	memset(out, 0x5a, sizeof(*out));
	err[0] = '\0';
	rc = nomad_parse_checks(body, len, svc, f, out, err, errlen);
	assert_one_line(out->reason, sizeof(out->reason));
	assert_one_line(err, errlen);
	if (rc == 0)
		assert_utf8_whole(out->reason);
	else
		/* never PASS by accident when a caller ignores -1 */
		assert_int_equal(out->health, NOMAD_HEALTH_FAIL);
	return rc;
}

struct want_checks {
	enum nomad_health health;
	unsigned	nsuccess, nfailure, npending;
	const char	*reason;	/* exact */
};

static void
expect_checks(const char *body, size_t len, const char *svc,
    const struct nomad_check_filter *f, const struct want_checks *w)
{
	struct nomad_checks out;
	char err[256] = "";

	if (checks(body, len, svc, f, &out, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
	assert_int_equal(out.health, w->health);
	assert_int_equal(out.nsuccess, w->nsuccess);
	assert_int_equal(out.nfailure, w->nfailure);
	assert_int_equal(out.npending, w->npending);
	assert_string_equal(out.reason, w->reason);
}

static void
expect_fixture(const char *name, const char *svc,
    const struct nomad_check_filter *f, const struct want_checks *w)
{
	size_t len;
	char *body = load(name, &len);

	expect_checks(body, len, svc, f, w);
	free(body);
}

static void
checks_rejects(const char *body, size_t len, const char *want_err)
{
	struct nomad_checks out;
	char err[256] = "";

	assert_int_equal(checks(body, len, "traefik", &f_all, &out, err,
	    sizeof(err)), -1);
	if (strstr(err, want_err) == NULL)
		fail_msg("err \"%s\" lacks \"%s\"", err, want_err);
}

#define S(lit)	(lit), (sizeof(lit) - 1)

/* one check result for the traefik service, with the given tail fields */
#define ENTRY(fields)							\
	"{\"60d7\":{\"Check\":\"traefik-ping\","			\
	"\"Group\":\"proxy.traefik[0]\",\"ID\":\"60d7\","		\
	"\"Mode\":\"healthiness\",\"Service\":\"traefik\","		\
	"\"Timestamp\":1764050412," fields "}}"

/* ---- registrations: fixtures ---- */

static void
test_catalog_service_1node_ours_is_registered(void **state)
{
	(void)state;
	assert_true(fixture_registered("service-traefik-1node.json",
	    "traefik", OUR_ALLOC, ""));
	assert_true(fixture_registered("service-traefik-1node.json",
	    "traefik", OUR_ALLOC, NULL));
	assert_true(fixture_registered("alloc-services.json", "traefik",
	    OUR_ALLOC, OUR_NODE));
}

static void
test_catalog_service_1node_foreign_alloc_is_not_registered(void **state)
{
	(void)state;
	assert_false(fixture_registered("service-traefik-1node.json",
	    "traefik", FOREIGN_ALLOC, ""));
	/* a prefix of our id is not our id */
	assert_false(fixture_registered("service-traefik-1node.json",
	    "traefik", "5b3d8f2e", ""));
	/* the right alloc under another service name */
	assert_false(fixture_registered("service-traefik-1node.json",
	    "traefik-https", OUR_ALLOC, ""));
}

static void
test_catalog_service_node_filter(void **state)
{
	(void)state;
	assert_true(fixture_registered("service-traefik-1node.json",
	    "traefik", OUR_ALLOC, OUR_NODE));
	assert_false(fixture_registered("service-traefik-1node.json",
	    "traefik", OUR_ALLOC, NODE2));
	assert_true(fixture_registered("service-traefik-3nodes.json",
	    "traefik", ALLOC2, NODE2));
	/* our alloc, another node's id: the pair must match in one entry */
	assert_false(fixture_registered("service-traefik-3nodes.json",
	    "traefik", OUR_ALLOC, NODE2));
}

static void
test_catalog_service_3nodes_finds_ours_among_others(void **state)
{
	(void)state;
	assert_true(fixture_registered("service-traefik-3nodes.json",
	    "traefik", OUR_ALLOC, ""));
	assert_true(fixture_registered("service-traefik-3nodes.json",
	    "traefik", "c41f7b22-8d6e-4a03-9f15-e2b7a8c9d061", ""));
	assert_false(fixture_registered("service-traefik-3nodes.json",
	    "traefik", FOREIGN_ALLOC, ""));
}

static void
test_catalog_service_empty_is_not_registered(void **state)
{
	(void)state;
	assert_false(fixture_registered("service-empty.json", "traefik",
	    OUR_ALLOC, ""));
}

static void
test_catalog_service_ignores_unknown_fields(void **state)
{
	static const char body[] = "[{\"AllocID\":\"" OUR_ALLOC "\","
	    "\"ServiceName\":\"traefik\",\"NodeID\":\"n\",\"Weights\":"
	    "{\"Passing\":1},\"Tags\":null,\"Port\":80.5}]";
	char err[256] = "";
	bool reg;

	(void)state;
	assert_int_equal(service(S(body), "traefik", OUR_ALLOC, "", &reg,
	    err, sizeof(err)), 0);
	assert_true(reg);
}

/* ---- registrations: malformed ---- */

static void
test_catalog_service_rejects_wrong_types(void **state)
{
	(void)state;
	service_rejects(S("{}"), "object, not an array");
	service_rejects(S("null"), "null, not an array");
	service_rejects(S("\"traefik\""), "string, not an array");
	service_rejects(S("42"), "int, not an array");
	service_rejects(S("[42]"), "registration 0: int, not an object");
	service_rejects(S("[{\"AllocID\":1,\"ServiceName\":\"traefik\","
	    "\"NodeID\":\"n\"}]"), "\"AllocID\" is int, not a string");
	service_rejects(S("[{\"AllocID\":\"" OUR_ALLOC "\","
	    "\"ServiceName\":[\"traefik\"],\"NodeID\":\"n\"}]"),
	    "\"ServiceName\" is array, not a string");
	service_rejects(S("[{\"AllocID\":\"" OUR_ALLOC "\","
	    "\"ServiceName\":\"traefik\"}]"), "no \"NodeID\" field");
	service_rejects(S("[{\"AllocID\":null,\"ServiceName\":\"traefik\","
	    "\"NodeID\":\"n\"}]"), "\"AllocID\" is null");
}

static void
test_catalog_service_match_then_malformed_is_error(void **state)
{
	(void)state;
	service_rejects(S("[{\"AllocID\":\"" OUR_ALLOC "\","
	    "\"ServiceName\":\"traefik\",\"NodeID\":\"n\"},7]"),
	    "registration 1: int, not an object");
}

static void
test_catalog_service_every_truncation_is_error(void **state)
{
	size_t len, cut, end;
	char *body = load("service-traefik-3nodes.json", &len);
	char err[256];
	bool reg;

	(void)state;
	/* the value ends at the last ']'; only white space may follow */
	end = (size_t)(strrchr(body, ']') - body) + 1;
	for (cut = 0; cut < end; cut++) {
		err[0] = '\0';
		assert_int_equal(service(body, cut, "traefik", OUR_ALLOC, "",
		    &reg, err, sizeof(err)), -1);
		assert_false(reg);
		assert_true(err[0] != '\0');
	}
	for (cut = end; cut <= len; cut++)
		assert_int_equal(service(body, cut, "traefik", OUR_ALLOC, "",
		    &reg, err, sizeof(err)), 0);
	free(body);
}

static void
test_catalog_service_rejects_garbage(void **state)
{
	(void)state;
	service_rejects(S("<html>502 Bad Gateway</html>"), "invalid JSON");
	service_rejects(S("Permission denied"), "invalid JSON");
	service_rejects(S("[1,]"), "invalid JSON");	/* strict: no , ] */
	service_rejects(S("['a']"), "invalid JSON");
	service_rejects(S("[/* c */]"), "invalid JSON");
	service_rejects(S("[\"\xff\"]"), "invalid JSON");	/* not UTF-8 */
	service_rejects(S("nul"), "invalid JSON");
	service_rejects(S("[1"), "invalid JSON");
}

static void
test_catalog_service_rejects_trailing_garbage(void **state)
{
	char err[256];
	bool reg;

	(void)state;
	service_rejects(S("[] x"), "offset");
	service_rejects(S("[][]"), "offset");
	service_rejects(S("[]]"), "offset");
	service_rejects(S("[]\x01"), "offset");
	/* JSON white space after the value is fine */
	assert_int_equal(service(S("  []\r\n\t "), "traefik", OUR_ALLOC, "",
	    &reg, err, sizeof(err)), 0);
	assert_false(reg);
}

static void
test_catalog_service_rejects_empty_body(void **state)
{
	(void)state;
	service_rejects("", 0, "empty body");
	service_rejects(NULL, 0, "empty body");
	service_rejects(NULL, 5, "empty body");
	service_rejects(S("   "), "invalid JSON");
}

static void
test_catalog_service_rejects_embedded_nul(void **state)
{
	(void)state;
	/* json-c alone would stop at the NUL and accept the "[]" */
	service_rejects(S("[]\0garbage"), "NUL octet in body at offset 2");
	service_rejects(S("[\"a\0b\"]"), "NUL octet");
	service_rejects(S("[]\0"), "NUL octet");
}

static void
test_catalog_service_rejects_over_body_max(void **state)
{
	size_t n = 2 * 1024 * 1024;
	char *body = malloc(n);
	char err[256];
	bool reg;

	(void)state;
	assert_non_null(body);
	/* valid JSON of 2 MiB: refused by size, not by syntax */
	memset(body, ' ', n);
	body[0] = '[';
	body[n - 1] = ']';
	service_rejects(body, n, "over the 1048576-octet limit");
	/* exactly the limit is allowed, one more octet is not */
	body[NOMAD_BODY_MAX - 1] = ']';
	assert_int_equal(service(body, NOMAD_BODY_MAX, "traefik", OUR_ALLOC,
	    "", &reg, err, sizeof(err)), 0);
	assert_false(reg);
	body[NOMAD_BODY_MAX - 1] = ' ';
	body[NOMAD_BODY_MAX] = ']';
	service_rejects(body, NOMAD_BODY_MAX + 1, "limit");
	free(body);
}

/* an array nested depth deep inside an ignored field of our entry */
static char *
nested(size_t depth, size_t *len)
{
	static const char head[] = "[{\"AllocID\":\"" OUR_ALLOC "\","
	    "\"ServiceName\":\"traefik\",\"NodeID\":\"n\",\"X\":";
	size_t n = sizeof(head) - 1 + 2 * depth + 2, i;
	char *b = malloc(n), *p;

	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1);
	p = b + sizeof(head) - 1;
	for (i = 0; i < depth; i++)
		*p++ = '[';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	*p++ = '}';
	*p++ = ']';
	*len = n;
	return b;
}

static void
test_catalog_service_rejects_nesting_depth_100(void **state)
{
	char err[256];
	size_t len;
	char *b;
	bool reg;

	(void)state;
	b = nested(100, &len);
	service_rejects(b, len, "nesting too deep");
	free(b);
	/* the outer array and object take two levels of the 32 */
	b = nested(NOMAD_JSON_DEPTH - 2, &len);
	assert_int_equal(service(b, len, "traefik", OUR_ALLOC, "", &reg, err,
	    sizeof(err)), 0);
	assert_true(reg);
	free(b);
	b = nested(NOMAD_JSON_DEPTH - 1, &len);
	service_rejects(b, len, "nesting too deep");
	free(b);
}

static void
test_catalog_service_rejects_missing_arguments(void **state)
{
	char err[256];
	bool reg;

	(void)state;
	assert_int_equal(service(S("[]"), "traefik", "", "", &reg, err,
	    sizeof(err)), -1);
	assert_int_equal(service(S("[]"), "", OUR_ALLOC, "", &reg, err,
	    sizeof(err)), -1);
	assert_int_equal(service(S("[]"), "traefik", NULL, "", &reg, err,
	    sizeof(err)), -1);
	/* err may be absent */
	assert_int_equal(nomad_parse_service(S("{}"), "traefik", OUR_ALLOC,
	    "", &reg, NULL, 0), -1);
}

static void
test_catalog_err_is_truncated_to_errlen(void **state)
{
	char err[8];
	bool reg;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(service(S("{}"), "traefik", OUR_ALLOC, "", &reg,
	    err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(err, "serv...");
}

/* ---- checks: fixtures ---- */

static void
test_catalog_checks_success_passes(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_PASS, 1, 0, 0, "nomad checks passing: 1",
	};

	(void)state;
	expect_fixture("checks-success.json", "traefik", &f_all, &w);
	expect_fixture("checks-success.json", "traefik", &f_ping, &w);
}

static void
test_catalog_checks_failure_fails_with_output(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_FAIL, 0, 1, 0,
		"nomad check \"traefik-ping\" failure: nomad: Get "
		"\"http://198.51.100.11:8080/ping\": dial tcp "
		"198.51.100.11:8080: connect: connection refused",
	};

	(void)state;
	expect_fixture("checks-failure.json", "traefik", &f_all, &w);
	expect_fixture("checks-failure.json", "traefik", &f_ping, &w);
}

static void
test_catalog_checks_failure_http503_names_status(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_FAIL, 0, 1, 0,
		"nomad check \"traefik-ping\" failure: Service Unavailable "
		"(HTTP 503)",
	};

	(void)state;
	expect_fixture("checks-failure-http503.json", "traefik", &f_all, &w);
}

static void
test_catalog_checks_pending_is_pending(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_PENDING, 0, 0, 1,
		"nomad check \"traefik-ping\" pending: nomad: waiting to run",
	};

	(void)state;
	expect_fixture("checks-pending.json", "traefik", &f_all, &w);
	expect_fixture("checks-pending.json", "traefik", &f_ping, &w);
}

static void
test_catalog_checks_mixed_selects_by_service(void **state)
{
	static const struct want_checks pass = {
		NOMAD_HEALTH_PASS, 1, 0, 0, "nomad checks passing: 1",
	};
	/* traefik-https has only a failing readiness check: it is ignored */
	static const struct want_checks https = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0,
		"no nomad checks for service \"traefik-https\"",
	};

	(void)state;
	expect_fixture("checks-mixed-task-level.json", "traefik", &f_all,
	    &pass);
	expect_fixture("checks-mixed-task-level.json", "traefik-https",
	    &f_all, &https);
}

static void
test_catalog_checks_readiness_never_gates(void **state)
{
	static const struct nomad_check_filter f = {
		.mode = NOMAD_CHECKS_NAMED, .nnames = 1,
		.names = { "traefik-https-tcp" },
	};
	/* named but readiness: found, so not missing, and still ignored */
	static const struct want_checks w = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0,
		"no nomad checks for service \"traefik-https\"",
	};

	(void)state;
	expect_fixture("checks-mixed-task-level.json", "traefik-https", &f,
	    &w);
}

static void
test_catalog_checks_none_null_body(void **state)
{
	/* null is "no checks" (or a purge), never "not run yet" */
	static const struct want_checks nochecks = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0,
		"no nomad checks for service \"traefik\" (null: the alloc has "
		"none)",
	};
	static const struct want_checks named = {
		NOMAD_HEALTH_PENDING, 0, 0, 1,
		"nomad check \"traefik-ping\" has no result",
	};
	static const struct want_checks none = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0, "nomad checks not used",
	};
	struct nomad_checks out;
	char err[256] = "";

	(void)state;
	expect_fixture("checks-none.json", "traefik", &f_all, &nochecks);
	expect_fixture("checks-none.json", "traefik", &f_ping, &named);
	expect_fixture("checks-none.json", "traefik", &f_none, &none);
	/* the caller learns it was null, and the named check is MISSING */
	assert_int_equal(checks(S("null"), "traefik", &f_ping, &out, err,
	    sizeof(err)), 0);
	assert_true(out.null_body);
	assert_int_equal(out.nent, 1);
	assert_int_equal(out.ent[0].st, NOMAD_CS_MISSING);
	assert_string_equal(out.ent[0].name, "traefik-ping");
	assert_int_equal(checks(S("{}"), "traefik", &f_all, &out, err,
	    sizeof(err)), 0);
	assert_false(out.null_body);
	assert_int_equal(out.health, NOMAD_HEALTH_NO_CHECKS);
}

/* each selected check is listed with its own status and reason */
static void
test_catalog_checks_entries_listed(void **state)
{
	struct nomad_checks out;
	char err[256] = "";
	size_t len;
	char *body = load("checks-mixed-task-level.json", &len);

	(void)state;
	assert_int_equal(checks(body, len, "traefik", &f_all, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.nent, out.nsuccess + out.nfailure +
	    out.npending);
	assert_true(out.nent >= 1);
	assert_non_null(strstr(out.ent[0].reason, out.ent[0].name));
	free(body);
	body = load("checks-pending.json", &len);
	assert_int_equal(checks(body, len, "traefik", &f_all, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.nent, 1);
	assert_int_equal(out.ent[0].st, NOMAD_CS_PENDING);
	assert_string_equal(out.ent[0].name, "traefik-ping");
	free(body);
}

/* a 404 is a fact about the alloc only when Nomad says so */
static void
test_catalog_unknown_alloc_body(void **state)
{
	size_t len;
	char *body = load("error-404-checks-unknown-alloc.txt", &len);

	(void)state;
	assert_true(nomad_body_unknown_alloc(body, len));
	assert_true(nomad_body_unknown_alloc(S("rpc error: Unknown "
	    "allocation \"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73\"")));
	assert_false(nomad_body_unknown_alloc(S("No path to node")));
	assert_false(nomad_body_unknown_alloc(S("resource not found")));
	assert_false(nomad_body_unknown_alloc(S("Unknown allocation")));
	assert_false(nomad_body_unknown_alloc(NULL, 10));
	/* bounded by len, not by a NUL */
	assert_false(nomad_body_unknown_alloc(body, 10));
	free(body);
}

/* X-Nomad-KnownLeader and X-Nomad-LastContact, in Go's spelling too */
static void
test_catalog_header_meta(void **state)
{
	struct nomad_meta m;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_true(nomad_header_meta(S("X-Nomad-Knownleader: false\r\n"),
	    &m));
	assert_true(m.has_known_leader);
	assert_false(m.known_leader);
	assert_true(nomad_header_meta(S("x-nomad-knownleader: true\r\n"),
	    &m));
	assert_true(m.known_leader);
	assert_false(nomad_header_meta(S("X-Nomad-KnownLeader: yes\r\n"),
	    &m));
	assert_true(m.known_leader);
	assert_true(nomad_header_meta(S("X-Nomad-Lastcontact: 1234\r\n"),
	    &m));
	assert_true(m.has_last_contact);
	assert_int_equal(m.last_contact_ms, 1234);
	assert_false(nomad_header_meta(S("X-Nomad-LastContact: -1\r\n"),
	    &m));
	assert_int_equal(m.last_contact_ms, 1234);
	assert_true(nomad_header_meta(S("X-Nomad-Index: 77\r\n"), &m));
	assert_true(m.has_index);
	assert_int_equal(m.index, 77);
	assert_false(nomad_header_meta(S("Content-Type: text/plain\r\n"),
	    &m));
	assert_false(nomad_header_meta(S("X-Nomad-KnownLeaders: true"), &m));
}

static void
test_catalog_checks_filter_none_is_always_no_checks(void **state)
{
	static const struct want_checks none = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0, "nomad checks not used",
	};
	static const char *const fx[] = {
		"checks-success.json", "checks-failure.json",
		"checks-failure-http503.json", "checks-pending.json",
		"checks-mixed-task-level.json", "checks-none.json",
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(fx); i++)
		expect_fixture(fx[i], "traefik", &f_none, &none);
}

static void
test_catalog_checks_other_service_has_no_checks(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_NO_CHECKS, 0, 0, 0,
		"no nomad checks for service \"whoami\"",
	};

	(void)state;
	expect_fixture("checks-failure.json", "whoami", &f_all, &w);
	expect_checks(S("{}"), "traefik", &f_all, &(struct want_checks){
	    NOMAD_HEALTH_NO_CHECKS, 0, 0, 0,
	    "no nomad checks for service \"traefik\"" });
}

static void
test_catalog_checks_named_filter_skips_unlisted(void **state)
{
	static const struct nomad_check_filter f = {
		.mode = NOMAD_CHECKS_NAMED, .nnames = 1, .names = { "ping2" },
	};
	static const char body[] = "{"
	    "\"a\":{\"Check\":\"ping\",\"Service\":\"traefik\","
	    "\"Mode\":\"healthiness\",\"Status\":\"failure\"},"
	    "\"b\":{\"Check\":\"ping2\",\"Service\":\"traefik\","
	    "\"Mode\":\"healthiness\",\"Status\":\"success\"}}";
	static const struct want_checks named = {
		NOMAD_HEALTH_PASS, 1, 0, 0, "nomad checks passing: 1",
	};
	static const struct want_checks all = {
		NOMAD_HEALTH_FAIL, 1, 1, 0, "nomad check \"ping\" failure",
	};

	(void)state;
	expect_checks(S(body), "traefik", &f, &named);
	expect_checks(S(body), "traefik", &f_all, &all);
}

static void
test_catalog_checks_named_missing_is_pending(void **state)
{
	static const struct want_checks w = {
		NOMAD_HEALTH_PENDING, 1, 0, 1,
		"nomad check \"tls-expiry\" has no result",
	};
	static const struct want_checks fail = {
		NOMAD_HEALTH_FAIL, 0, 1, 1,
		"nomad check \"traefik-ping\" failure: Service Unavailable "
		"(HTTP 503)",
	};

	(void)state;
	expect_fixture("checks-success.json", "traefik", &f_other, &w);
	/* a failure still outranks the missing name */
	expect_fixture("checks-failure-http503.json", "traefik", &f_other,
	    &fail);
}

static void
test_catalog_checks_failure_outranks_pending(void **state)
{
	static const char body[] = "{"
	    "\"a\":{\"Check\":\"p\",\"Service\":\"traefik\","
	    "\"Status\":\"pending\",\"Output\":\"nomad: waiting to run\"},"
	    "\"b\":{\"Check\":\"s\",\"Service\":\"traefik\","
	    "\"Status\":\"success\",\"StatusCode\":200},"
	    "\"c\":{\"Check\":\"f1\",\"Service\":\"traefik\","
	    "\"Status\":\"failure\",\"Output\":\"first\"},"
	    "\"d\":{\"Check\":\"f2\",\"Service\":\"traefik\","
	    "\"Status\":\"failure\",\"Output\":\"second\"}}";
	static const struct want_checks w = {
		NOMAD_HEALTH_FAIL, 1, 2, 1,
		"nomad check \"f1\" failure: first",
	};

	(void)state;
	/* no Mode: counted as healthiness (it gates) */
	expect_checks(S(body), "traefik", &f_all, &w);
}

static void
test_catalog_checks_ignores_unknown_fields(void **state)
{
	static const char body[] = ENTRY("\"Status\":\"success\","
	    "\"StatusCode\":200,\"Output\":\"nomad: http ok\","
	    "\"FutureField\":{\"x\":[1,2,{\"y\":null}]},\"Task\":\"t\"");
	static const struct want_checks w = {
		NOMAD_HEALTH_PASS, 1, 0, 0, "nomad checks passing: 1",
	};

	(void)state;
	expect_checks(S(body), "traefik", &f_all, &w);
}

static void
test_catalog_checks_output_first_line_only(void **state)
{
	static const char body[] = ENTRY("\"Status\":\"failure\","
	    "\"StatusCode\":500,"
	    "\"Output\":\"\\u0007bell\\ttab\\u0000nul\\u001f\\u007f.\\r\\n"
	    "second line\"");
	static const struct want_checks w = {
		NOMAD_HEALTH_FAIL, 0, 1, 0,
		"nomad check \"traefik-ping\" failure:  bell tab nul  . "
		"(HTTP 500)",
	};

	(void)state;
	expect_checks(S(body), "traefik", &f_all, &w);
}

static void
test_catalog_checks_long_output_truncated_keeps_status(void **state)
{
	static const char head[] = "{\"a\":{\"Check\":\"ping\","
	    "\"Service\":\"traefik\",\"Status\":\"failure\","
	    "\"StatusCode\":502,\"Output\":\"";
	static const char tail[] = "\"}}";
	/* 3 KiB of two-octet sequences: any cut may fall mid-sequence */
	size_t n = sizeof(head) - 1 + 3072 + sizeof(tail) - 1, i, odd;
	struct nomad_checks out;
	char err[256], *b, *p;
	size_t rlen;

	(void)state;
	for (odd = 0; odd < 2; odd++) {
		b = malloc(n + 1);
		assert_non_null(b);
		p = b;
		memcpy(p, head, sizeof(head) - 1);
		p += sizeof(head) - 1;
		if (odd)
			*p++ = 'x';
		for (i = 0; i + 2 <= 3072 - odd; i += 2) {
			*p++ = (char)0xc3;
			*p++ = (char)0xa9;	/* U+00E9 */
		}
		memcpy(p, tail, sizeof(tail) - 1);
		p += sizeof(tail) - 1;
		assert_int_equal(checks(b, (size_t)(p - b), "traefik",
		    &f_all, &out, err, sizeof(err)), 0);
		assert_int_equal(out.health, NOMAD_HEALTH_FAIL);
		rlen = strlen(out.reason);
		assert_true(rlen < sizeof(out.reason));
		assert_true(rlen > sizeof(out.reason) - 8);
		assert_non_null(strstr(out.reason, "... (HTTP 502)"));
		assert_int_equal(strncmp(out.reason,
		    "nomad check \"ping\" failure: ", 28), 0);
		free(b);
	}
}

static void
test_catalog_checks_every_truncation_is_error(void **state)
{
	size_t len, cut, end;
	char *body = load("checks-mixed-task-level.json", &len);
	struct nomad_checks out;
	char err[256];

	(void)state;
	end = (size_t)(strrchr(body, '}') - body) + 1;
	for (cut = 0; cut < end; cut++)
		assert_int_equal(checks(body, cut, "traefik", &f_all, &out,
		    err, sizeof(err)), -1);
	free(body);
	body = load("checks-none.json", &len);
	for (cut = 0; cut < 4; cut++)
		assert_int_equal(checks(body, cut, "traefik", &f_all, &out,
		    err, sizeof(err)), -1);
	free(body);
}

/* ---- checks: malformed ---- */

static void
test_catalog_checks_rejects_wrong_types(void **state)
{
	(void)state;
	checks_rejects(S("[]"), "check results: array, not an object");
	checks_rejects(S("\"x\""), "string, not an object");
	checks_rejects(S("true"), "boolean, not an object");
	checks_rejects(S("{\"a\":[]}"), "check a: array, not an object");
	checks_rejects(S(ENTRY("\"Status\":1")),
	    "check 60d7: \"Status\" is int, not a string");
	checks_rejects(S(ENTRY("\"Status\":null")), "\"Status\" is null");
	checks_rejects(S(ENTRY("\"Status\":\"success\",\"StatusCode\":"
	    "\"200\"")), "\"StatusCode\" is string, not an integer");
	checks_rejects(S(ENTRY("\"Status\":\"success\",\"StatusCode\":"
	    "200.0")), "\"StatusCode\" is double");
	checks_rejects(S(ENTRY("\"Status\":\"failure\",\"Output\":7")),
	    "\"Output\" is int");
	checks_rejects(S("{\"a\":{\"Check\":\"c\",\"Service\":\"traefik\","
	    "\"Mode\":false,\"Status\":\"success\"}}"), "\"Mode\" is boolean");
	checks_rejects(S("{\"a\":{\"Check\":5,\"Service\":\"traefik\","
	    "\"Status\":\"success\"}}"), "\"Check\" is int");
}

static void
test_catalog_checks_rejects_missing_required(void **state)
{
	(void)state;
	checks_rejects(S(ENTRY("\"Output\":\"x\"")),
	    "check 60d7: no \"Status\" field");
	checks_rejects(S("{\"a\":{\"Check\":\"c\",\"Status\":\"success\"}}"),
	    "check a: no \"Service\" field");
	checks_rejects(S("{\"a\":{\"Service\":\"traefik\","
	    "\"Status\":\"success\"}}"), "no \"Check\" field");
	/* Service is needed to select, so even a foreign entry needs it */
	checks_rejects(S("{\"a\":{\"Check\":\"c\",\"Service\":7}}"),
	    "\"Service\" is int");
}

static void
test_catalog_checks_foreign_entry_needs_only_service(void **state)
{
	static const char body[] = "{\"a\":{\"Service\":\"other\"},"
	    "\"b\":{\"Check\":\"c\",\"Service\":\"traefik\","
	    "\"Status\":\"success\"}}";
	static const struct want_checks w = {
		NOMAD_HEALTH_PASS, 1, 0, 0, "nomad checks passing: 1",
	};

	(void)state;
	expect_checks(S(body), "traefik", &f_all, &w);
}

static void
test_catalog_checks_rejects_unknown_status(void **state)
{
	(void)state;
	checks_rejects(S(ENTRY("\"Status\":\"warning\"")),
	    "unknown \"Status\" \"warning\"");
	checks_rejects(S(ENTRY("\"Status\":\"Success\"")), "unknown");
	checks_rejects(S(ENTRY("\"Status\":\"\"")), "unknown");
}

static void
test_catalog_checks_rejects_bounds(void **state)
{
	size_t len;
	char *b = nested(100, &len);
	char big[] = "{\"\n\":1}";

	(void)state;
	checks_rejects(b, len, "nesting too deep");
	free(b);
	checks_rejects("", 0, "empty body");
	checks_rejects(S("null\0"), "NUL octet");
	checks_rejects(S("{} {}"), "offset 3");
	checks_rejects(S("null x"), "invalid JSON");
	checks_rejects(S("nullnull"), "invalid JSON");
	checks_rejects(S("<garbage>"), "invalid JSON");
	b = malloc(2 * 1024 * 1024);
	assert_non_null(b);
	memset(b, ' ', 2 * 1024 * 1024);
	memcpy(b, "null", 4);
	checks_rejects(b, 2 * 1024 * 1024, "limit");
	free(b);
	/* an entry key with a control byte still gives a one-line err */
	checks_rejects(S(big), "check  : int, not an object");
}

static void
test_catalog_checks_rejects_bad_filter(void **state)
{
	struct nomad_check_filter f = f_ping;
	struct nomad_checks out;
	char err[256];

	(void)state;
	f.nnames = NOMAD_MAX_CHECK_NAMES + 1;
	assert_int_equal(checks(S("{}"), "traefik", &f, &out, err,
	    sizeof(err)), -1);
	f = f_ping;
	f.mode = (enum nomad_checks_mode)7;
	assert_int_equal(checks(S("{}"), "traefik", &f, &out, err,
	    sizeof(err)), -1);
	assert_int_equal(checks(S("{}"), "", &f_all, &out, err,
	    sizeof(err)), -1);
	assert_int_equal(nomad_parse_checks(S("{}"), "traefik", NULL, &out,
	    err, sizeof(err)), -1);
}

/* ---- X-Nomad-Index ---- */

struct hdr_row {
	const char	*line;
	bool		 ok;
	uint64_t	 want;
};

static const struct hdr_row hdr_table[] = {
	{ "X-Nomad-Index: 1051\r\n", true, 1051 },
	{ "x-nomad-index: 1051\r\n", true, 1051 },
	{ "X-NOMAD-INDEX: 1051\r\n", true, 1051 },
	{ "x-NoMaD-iNdEx: 7\r\n", true, 7 },
	{ "X-Nomad-Index:42\r\n", true, 42 },
	{ "X-Nomad-Index: \t 42 \t\r\n", true, 42 },
	{ "X-Nomad-Index: 42", true, 42 },
	{ "X-Nomad-Index: 42\n", true, 42 },
	{ "X-Nomad-Index: 0\r\n", true, 0 },
	{ "X-Nomad-Index: 007\r\n", true, 7 },
	{ "X-Nomad-Index: 18446744073709551615\r\n", true, UINT64_MAX },
	/* overflow, by one and by a digit */
	{ "X-Nomad-Index: 18446744073709551616\r\n", false, 0 },
	{ "X-Nomad-Index: 18446744073709551620\r\n", false, 0 },
	{ "X-Nomad-Index: 184467440737095516150\r\n", false, 0 },
	{ "X-Nomad-Index: 99999999999999999999\r\n", false, 0 },
	/* not a strict decimal */
	{ "X-Nomad-Index: \r\n", false, 0 },
	{ "X-Nomad-Index:", false, 0 },
	{ "X-Nomad-Index: 12a\r\n", false, 0 },
	{ "X-Nomad-Index: 0x10\r\n", false, 0 },
	{ "X-Nomad-Index: -1\r\n", false, 0 },
	{ "X-Nomad-Index: +1\r\n", false, 0 },
	{ "X-Nomad-Index: 1 2\r\n", false, 0 },
	{ "X-Nomad-Index: 1.5\r\n", false, 0 },
	{ "X-Nomad-Index: 12\r\n\r\n", false, 0 },
	{ "X-Nomad-Index: 12\rx", false, 0 },
	/* not this header */
	{ "X-Nomad-Index : 1\r\n", false, 0 },
	{ "X-Nomad-Index 1\r\n", false, 0 },
	{ "X-Nomad-Index1\r\n", false, 0 },
	{ "X-Nomad-Index=1\r\n", false, 0 },
	{ " X-Nomad-Index: 1\r\n", false, 0 },
	{ "X-Nomad-Indexx: 1\r\n", false, 0 },
	{ "X-Nomad-Inde: 1\r\n", false, 0 },
	{ "X-Nomad-KnownLeader: true\r\n", false, 0 },
	{ "X-Nomad-Lastcontact: 0\r\n", false, 0 },
	{ "HTTP/1.1 200 OK\r\n", false, 0 },
	{ "X-Nomad-Index", false, 0 },
	{ "", false, 0 },
};

static void
test_catalog_header_index_table(void **state)
{
	uint64_t v;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < NELEM(hdr_table); i++) {
		v = 0xdeadbeef;
		ok = nomad_header_index(hdr_table[i].line,
		    strlen(hdr_table[i].line), &v);
		if (ok != hdr_table[i].ok)
			fail_msg("\"%s\": got %d", hdr_table[i].line, ok);
		/* a refused line leaves *index alone */
		assert_true(v == (ok ? hdr_table[i].want : 0xdeadbeef));
	}
}

static void
test_catalog_header_index_bounded_by_len(void **state)
{
	static const char line[] = "X-Nomad-Index: 12345\r\n";
	static const char nul[] = "X-Nomad-Index: 12\0" "3\r\n";
	uint64_t v = 0;

	(void)state;
	/* libcurl's header lines are not NUL-terminated */
	assert_true(nomad_header_index(line, 17, &v));
	assert_int_equal(v, 12);
	assert_false(nomad_header_index(line, 14, &v));
	assert_false(nomad_header_index(line, 13, &v));
	assert_false(nomad_header_index(nul, sizeof(nul) - 1, &v));
	assert_false(nomad_header_index(NULL, 10, &v));
	assert_int_equal(v, 12);
}

static void
test_catalog_header_index_from_fixture(void **state)
{
	size_t len, found = 0;
	char *buf = load("headers-service-blocking.txt", &len);
	char *line, *save = NULL;
	uint64_t v = 0;

	(void)state;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (nomad_header_index(line, strlen(line), &v))
			found++;
	assert_int_equal(found, 1);
	assert_int_equal(v, 1051);
	free(buf);
}

/* ---- status hints and the index rule ---- */

static void
test_catalog_status_hints(void **state)
{
	static const long others[] = { 0, -1, 200, 204, 302, 404, 409, 429,
	    499, 600, 1000 };
	static const long agent[] = { 500, 502, 503, 504, 599 };
	const char *h;
	size_t i;

	(void)state;
	h = nomad_status_hint(401, false);
	assert_non_null(strstr(h, "no valid token"));
	assert_non_null(strstr(h, "NOMAD_TOKEN"));
	assert_non_null(strstr(h, "identity { env = true }"));
	assert_string_equal(nomad_status_hint(401, true), h);
	h = nomad_status_hint(403, true);
	assert_non_null(strstr(h, "namespace:read-job"));
	assert_non_null(strstr(h, "examples/nomad/nomcast-policy.hcl"));
	assert_non_null(strstr(h, "nomad acl policy apply"));
	assert_non_null(strstr(h, "-task"));
	h = nomad_status_hint(404, true);
	assert_non_null(strstr(h, "unknown to this Nomad client"));
	assert_non_null(strstr(h, "fails at once"));
	h = nomad_status_hint(400, false);
	assert_non_null(strstr(h, "filter"));
	assert_non_null(strstr(h, "wait"));
	for (i = 0; i < NELEM(agent); i++)
		assert_non_null(strstr(nomad_status_hint(agent[i], false),
		    "leader"));
	for (i = 0; i < NELEM(others); i++) {
		/* 404 is special only on the checks endpoint */
		assert_string_equal(nomad_status_hint(others[i], false),
		    "unexpected status");
		if (others[i] != 404)
			assert_string_equal(nomad_status_hint(others[i],
			    true), "unexpected status");
	}
	for (i = 0; i < 700; i++)
		assert_one_line(nomad_status_hint((long)i, (i & 1) != 0),
		    512);
}

static void
test_catalog_next_index(void **state)
{
	static const struct {
		uint64_t prev, got, want;
	} t[] = {
		{ 0, 0, 0 },
		{ 0, 1042, 1042 },
		{ 1042, 1042, 1042 },	/* a timeout: same index */
		{ 1042, 1051, 1051 },
		{ 1051, 1042, 0 },	/* went backwards: re-read */
		{ 1051, 0, 0 },
		{ UINT64_MAX, 1, 0 },
		{ 1, UINT64_MAX, UINT64_MAX },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(t); i++)
		assert_true(nomad_next_index(t[i].prev, t[i].got) ==
		    t[i].want);
}

/* ---- GET /v1/allocation/<id>: DesiredStatus ---- */

/* body's desired status for OUR_ALLOC; the return of the parse in *rc */
static enum nomad_desired
desired_of(const char *body, size_t len, const char *alloc, int *rc,
    char *err, size_t errlen)
{
	enum nomad_desired d = NOMAD_DESIRED_RUN;

	err[0] = '\0';
	*rc = nomad_parse_alloc_desired(body, len, alloc, &d, err, errlen);
	assert_one_line(err, errlen);
	if (*rc == 0)
		assert_true(d == NOMAD_DESIRED_RUN || d == NOMAD_DESIRED_STOP);
	else {
		assert_int_equal(d, NOMAD_DESIRED_UNKNOWN);
		assert_true(err[0] != '\0');
	}
	return d;
}

static void
expect_desired(const char *body, const char *alloc, int want_rc,
    enum nomad_desired want, const char *errpart)
{
	char err[160];
	int rc;
	enum nomad_desired d = desired_of(body, strlen(body), alloc, &rc,
	    err, sizeof(err));

	if (rc != want_rc || d != want ||
	    (errpart != NULL && strstr(err, errpart) == NULL))
		fail_msg("body %s: rc %d desired %d err \"%s\", want rc %d "
		    "desired %d err with \"%s\"", body, rc, (int)d, err,
		    want_rc, (int)want, errpart != NULL ? errpart : "");
}

static void
test_catalog_alloc_desired_fixtures_run(void **state)
{
	static const char *names[] = {
		"allocation-traefik-running.json",
		"allocation-traefik-task-dead.json",
	};
	char err[160];
	size_t i, len;
	int rc;

	(void)state;
	/* a task that died and restarts: the alloc still wants to run */
	for (i = 0; i < NELEM(names); i++) {
		char *body = load(names[i], &len);

		assert_int_equal(desired_of(body, len, OUR_ALLOC, &rc, err,
		    sizeof(err)), NOMAD_DESIRED_RUN);
		assert_int_equal(rc, 0);
		assert_int_equal(desired_of(body, len, NULL, &rc, err,
		    sizeof(err)), NOMAD_DESIRED_RUN);
		assert_int_equal(rc, 0);
		assert_int_equal(desired_of(body, len, "", &rc, err,
		    sizeof(err)), NOMAD_DESIRED_RUN);
		assert_int_equal(rc, 0);
		/* the same answer about another alloc is not ours */
		assert_int_equal(desired_of(body, len, ALLOC2, &rc, err,
		    sizeof(err)), NOMAD_DESIRED_UNKNOWN);
		assert_int_equal(rc, -1);
		assert_non_null(strstr(err, "not the alloc asked for"));
		free(body);
	}
}

static void
test_catalog_alloc_desired_stop_and_evict(void **state)
{
	(void)state;
	expect_desired("{\"ID\":\"" OUR_ALLOC "\",\"DesiredStatus\":"
	    "\"stop\",\"ClientStatus\":\"running\"}", OUR_ALLOC, 0,
	    NOMAD_DESIRED_STOP, NULL);
	expect_desired("{\"ID\":\"" OUR_ALLOC "\",\"DesiredStatus\":"
	    "\"evict\"}", OUR_ALLOC, 0, NOMAD_DESIRED_STOP, NULL);
	expect_desired("{\"DesiredStatus\":\"run\"}", NULL, 0,
	    NOMAD_DESIRED_RUN, NULL);
	/* white space around the value is JSON's */
	expect_desired(" \n{ \"DesiredStatus\" : \"stop\" }\r\n", NULL, 0,
	    NOMAD_DESIRED_STOP, NULL);
	/* unknown fields are Nomad's to add */
	expect_desired("{\"DesiredStatus\":\"run\",\"Future\":[1,{}]}",
	    NULL, 0, NOMAD_DESIRED_RUN, NULL);
}

static void
test_catalog_alloc_desired_wrong_shapes(void **state)
{
	static const struct {
		const char *body, *alloc, *errpart;
	} bad[] = {
		/* missing */
		{ "{\"ID\":\"" OUR_ALLOC "\"}", OUR_ALLOC,
		    "no \"DesiredStatus\" field" },
		{ "{}", NULL, "no \"DesiredStatus\" field" },
		{ "{\"DesiredStatus\":\"run\"}", OUR_ALLOC,
		    "no \"ID\" field" },
		/* wrong types */
		{ "{\"DesiredStatus\":1}", NULL, "not a string" },
		{ "{\"DesiredStatus\":null}", NULL, "null, not a string" },
		{ "{\"DesiredStatus\":true}", NULL, "not a string" },
		{ "{\"DesiredStatus\":[\"stop\"]}", NULL, "not a string" },
		{ "{\"DesiredStatus\":{\"run\":1}}", NULL, "not a string" },
		{ "{\"ID\":7,\"DesiredStatus\":\"run\"}", OUR_ALLOC,
		    "not a string" },
		{ "[{\"DesiredStatus\":\"run\"}]", NULL, "array, not an object" },
		{ "null", NULL, "null, not an object" },
		{ "\"run\"", NULL, "not an object" },
		/* values Nomad never sends: not guessed */
		{ "{\"DesiredStatus\":\"\"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"Run\"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"STOP\"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"pause\"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"stop \"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"run\\u0000\"}", NULL, "unknown" },
		{ "{\"DesiredStatus\":\"st\\nop\"}", NULL, "unknown" },
		/* not JSON, error bodies */
		{ "alloc not found", NULL, "invalid JSON" },
		{ "Permission denied", NULL, "invalid JSON" },
		{ "", NULL, "empty body" },
		{ "{\"DesiredStatus\":\"run\",}", NULL, "invalid JSON" },
		{ "{\"DesiredStatus\":\"run\"} x", NULL, NULL },
		{ "{\"DesiredStatus\":\"run\"}{}", NULL, NULL },
		/* truncated */
		{ "{\"DesiredStatus\":\"run\"", NULL, "invalid JSON" },
		{ "{\"DesiredStatus\":\"ru", NULL, "invalid JSON" },
		{ "{\"DesiredStatus\":", NULL, "invalid JSON" },
		{ "{", NULL, "invalid JSON" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++)
		expect_desired(bad[i].body, bad[i].alloc, -1,
		    NOMAD_DESIRED_UNKNOWN, bad[i].errpart);
}

static void
test_catalog_alloc_desired_every_truncation_is_error(void **state)
{
	char err[160], *body;
	size_t len, n;
	int rc;

	(void)state;
	body = load("allocation-traefik-running.json", &len);
	/* every proper prefix but trailing white space is cut JSON */
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == ' '))
		len--;
	for (n = 0; n < len; n++) {
		assert_int_equal(desired_of(body, n, OUR_ALLOC, &rc, err,
		    sizeof(err)), NOMAD_DESIRED_UNKNOWN);
		assert_int_equal(rc, -1);
	}
	assert_int_equal(desired_of(body, len, OUR_ALLOC, &rc, err,
	    sizeof(err)), NOMAD_DESIRED_RUN);
	/* a NUL octet inside the body is refused, not cut at */
	body[len / 2] = '\0';
	assert_int_equal(desired_of(body, len, OUR_ALLOC, &rc, err,
	    sizeof(err)), NOMAD_DESIRED_UNKNOWN);
	assert_non_null(strstr(err, "NUL octet"));
	free(body);
	/* and a tiny err buffer is still one terminated line */
	assert_int_equal(desired_of("{\"DesiredStatus\":\"pause\"}", 25,
	    NULL, &rc, err, 8), NOMAD_DESIRED_UNKNOWN);
	assert_int_equal(rc, -1);
	assert_true(strlen(err) < 8);
	assert_string_equal(nomad_desired_name(NOMAD_DESIRED_RUN), "run");
	assert_string_equal(nomad_desired_name(NOMAD_DESIRED_STOP), "stop");
	assert_string_equal(nomad_desired_name(NOMAD_DESIRED_UNKNOWN),
	    "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_service_1node_ours_is_registered),
		cmocka_unit_test(
		    test_catalog_service_1node_foreign_alloc_is_not_registered),
		cmocka_unit_test(test_catalog_service_node_filter),
		cmocka_unit_test(
		    test_catalog_service_3nodes_finds_ours_among_others),
		cmocka_unit_test(test_catalog_service_empty_is_not_registered),
		cmocka_unit_test(test_catalog_service_ignores_unknown_fields),
		cmocka_unit_test(test_catalog_service_rejects_wrong_types),
		cmocka_unit_test(
		    test_catalog_service_match_then_malformed_is_error),
		cmocka_unit_test(
		    test_catalog_service_every_truncation_is_error),
		cmocka_unit_test(test_catalog_service_rejects_garbage),
		cmocka_unit_test(
		    test_catalog_service_rejects_trailing_garbage),
		cmocka_unit_test(test_catalog_service_rejects_empty_body),
		cmocka_unit_test(test_catalog_service_rejects_embedded_nul),
		cmocka_unit_test(test_catalog_service_rejects_over_body_max),
		cmocka_unit_test(
		    test_catalog_service_rejects_nesting_depth_100),
		cmocka_unit_test(
		    test_catalog_service_rejects_missing_arguments),
		cmocka_unit_test(test_catalog_err_is_truncated_to_errlen),
		cmocka_unit_test(test_catalog_checks_success_passes),
		cmocka_unit_test(test_catalog_checks_failure_fails_with_output),
		cmocka_unit_test(
		    test_catalog_checks_failure_http503_names_status),
		cmocka_unit_test(test_catalog_checks_pending_is_pending),
		cmocka_unit_test(test_catalog_checks_mixed_selects_by_service),
		cmocka_unit_test(test_catalog_checks_readiness_never_gates),
		cmocka_unit_test(test_catalog_checks_none_null_body),
		cmocka_unit_test(test_catalog_checks_entries_listed),
		cmocka_unit_test(test_catalog_unknown_alloc_body),
		cmocka_unit_test(test_catalog_header_meta),
		cmocka_unit_test(
		    test_catalog_checks_filter_none_is_always_no_checks),
		cmocka_unit_test(
		    test_catalog_checks_other_service_has_no_checks),
		cmocka_unit_test(
		    test_catalog_checks_named_filter_skips_unlisted),
		cmocka_unit_test(test_catalog_checks_named_missing_is_pending),
		cmocka_unit_test(test_catalog_checks_failure_outranks_pending),
		cmocka_unit_test(test_catalog_checks_ignores_unknown_fields),
		cmocka_unit_test(test_catalog_checks_output_first_line_only),
		cmocka_unit_test(
		    test_catalog_checks_long_output_truncated_keeps_status),
		cmocka_unit_test(test_catalog_checks_every_truncation_is_error),
		cmocka_unit_test(test_catalog_checks_rejects_wrong_types),
		cmocka_unit_test(test_catalog_checks_rejects_missing_required),
		cmocka_unit_test(
		    test_catalog_checks_foreign_entry_needs_only_service),
		cmocka_unit_test(test_catalog_checks_rejects_unknown_status),
		cmocka_unit_test(test_catalog_checks_rejects_bounds),
		cmocka_unit_test(test_catalog_checks_rejects_bad_filter),
		cmocka_unit_test(test_catalog_header_index_table),
		cmocka_unit_test(test_catalog_header_index_bounded_by_len),
		cmocka_unit_test(test_catalog_header_index_from_fixture),
		cmocka_unit_test(test_catalog_status_hints),
		cmocka_unit_test(test_catalog_next_index),
		cmocka_unit_test(test_catalog_alloc_desired_fixtures_run),
		cmocka_unit_test(test_catalog_alloc_desired_stop_and_evict),
		cmocka_unit_test(test_catalog_alloc_desired_wrong_shapes),
		cmocka_unit_test(
		    test_catalog_alloc_desired_every_truncation_is_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
