/*
 * fuzz_catalog.c - libFuzzer target for the Nomad answer parsers: the
 * input as a service list, as alloc check results under each filter mode,
 * as an allocation's DesiredStatus, and as an X-Nomad-Index header line.  Every reason and err must come
 * back as one NUL-terminated printable line, and a result must agree
 * with its counts.
 * Seeds: tests/fuzz/corpus/catalog/ (the nomad-api fixtures).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nomad/catalog.h"
#include "nomad/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_one_line(const char *s, size_t size)
{
	size_t i, n = strnlen(s, size);

	if (n >= size)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			__builtin_trap();
}

/*
 * The source machine fed what the parse gave: a decided source sees the
 * answer, then time passes; it never crashes, its reason is one line,
 * and it never passes on a failing answer.
 */
static void
fuzz_source(const struct nomad_checks *ck, bool use_checks)
{
	struct nsrc s;
	uint64_t next;

	nsrc_init(&s, "traefik", "5b3d8f2e", use_checks, true, 15000);
	nsrc_registration(&s, true);
	nsrc_assume(&s, SRC_PASS, "fuzz");
	nsrc_checks(&s, ck, 1000);
	(void)nsrc_eval(&s, 1000, &next);
	fuzz_one_line(s.reason, sizeof(s.reason));
	if (use_checks && ck->health == NOMAD_HEALTH_FAIL &&
	    s.state != SRC_FAIL)
		__builtin_trap();
	(void)nsrc_eval(&s, 1000 + 16000, &next);
	/* past grace a pending check holds nothing any more */
	if (use_checks && ck->npending > 0 && s.state == SRC_PASS)
		__builtin_trap();
	nsrc_error(&s, NSRC_REQ_CHECKS, NOMAD_OUT_CONTROL_PLANE, "fuzz", 20000);
	(void)nsrc_eval(&s, 90000, &next);
	fuzz_one_line(s.reason, sizeof(s.reason));
}

static void
fuzz_checks(const char *body, size_t len, const struct nomad_check_filter *f)
{
	struct nomad_checks out;
	char err[128];
	int rc;

	err[0] = '\0';
	rc = nomad_parse_checks(body, len, "traefik", f, &out, err,
	    sizeof(err));
	fuzz_one_line(err, sizeof(err));
	fuzz_one_line(out.reason, sizeof(out.reason));
	if (rc == -1) {
		if (out.health != NOMAD_HEALTH_FAIL)
			__builtin_trap();
		return;
	}
	switch (out.health) {
	case NOMAD_HEALTH_PASS:
		if (out.nfailure || out.npending || !out.nsuccess)
			__builtin_trap();
		break;
	case NOMAD_HEALTH_FAIL:
		if (!out.nfailure)
			__builtin_trap();
		break;
	case NOMAD_HEALTH_PENDING:
		if (out.nfailure)
			__builtin_trap();
		break;
	case NOMAD_HEALTH_NO_CHECKS:
		if (out.nfailure || out.npending || out.nsuccess)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
	if (f->mode == NOMAD_CHECKS_NONE &&
	    out.health != NOMAD_HEALTH_NO_CHECKS)
		__builtin_trap();
	if (out.nent > NOMAD_MAX_ENTRIES || out.nent > out.nsuccess +
	    out.nfailure + out.npending)
		__builtin_trap();
	for (size_t i = 0; i < out.nent; i++) {
		fuzz_one_line(out.ent[i].name, sizeof(out.ent[i].name));
		fuzz_one_line(out.ent[i].reason, sizeof(out.ent[i].reason));
	}
	fuzz_source(&out, f->mode != NOMAD_CHECKS_NONE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct nomad_check_filter filters[] = {
		{ .mode = NOMAD_CHECKS_ALL },
		{ .mode = NOMAD_CHECKS_NONE },
		{ .mode = NOMAD_CHECKS_NAMED, .nnames = 2,
		    .names = { "traefik-ping", "tls" } },
	};
	const char *body = (const char *)data;
	char err[128];
	uint64_t index = 0;
	bool reg;
	size_t i;

	err[0] = '\0';
	if (nomad_parse_service(body, size, "traefik",
	    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73", "", &reg, err,
	    sizeof(err)) == -1 && reg)
		__builtin_trap();
	fuzz_one_line(err, sizeof(err));
	err[0] = '\0';
	(void)nomad_parse_service(body, size, "traefik",
	    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73",
	    "f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", &reg, err, sizeof(err));
	fuzz_one_line(err, sizeof(err));
	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		fuzz_checks(body, size, &filters[i]);
	for (i = 0; i < 2; i++) {
		enum nomad_desired d = NOMAD_DESIRED_RUN;
		int rc;

		err[0] = '\0';
		rc = nomad_parse_alloc_desired(body, size, i == 0 ? NULL :
		    "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73", &d, err,
		    sizeof(err));
		fuzz_one_line(err, sizeof(err));
		/* -1 is always UNKNOWN, 0 never */
		if ((rc == -1) != (d == NOMAD_DESIRED_UNKNOWN) ||
		    (rc == 0 && d != NOMAD_DESIRED_RUN &&
		    d != NOMAD_DESIRED_STOP))
			__builtin_trap();
	}
	if (nomad_header_index(body, size, &index) &&
	    (size < 15 || memchr(body, '\0', size) != NULL))
		__builtin_trap();
	{
		struct nomad_meta m;

		memset(&m, 0, sizeof(m));
		if (nomad_header_meta(body, size, &m) && !m.has_index &&
		    !m.has_known_leader && !m.has_last_contact)
			__builtin_trap();
	}
	if (nomad_body_unknown_alloc(body, size) && size < 20)
		__builtin_trap();
	return 0;
}
