/*
 * conf_fixture.h - what the configuration tests share: a valid base file,
 * and expect(), which compares every diagnostic byte for byte.  Each test
 * file is one binary, so the helpers are static inline.
 */
#ifndef NOMCAST_TESTS_CONF_FIXTURE_H
#define NOMCAST_TESTS_CONF_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nomcastd/config.h"

/*
 * A valid file of 11 lines; tests append to it, so the first appended line
 * is line 12.
 */
#define BASE \
	"[global]\n"				/*  1 */ \
	"asn = 65001\n"				/*  2 */ \
	"router-id = 198.51.100.10\n"		/*  3 */ \
	"[peer edge4]\n"			/*  4 */ \
	"address = 198.51.100.1\n"		/*  5 */ \
	"asn = 65000\n"				/*  6 */ \
	"[peer edge6]\n"			/*  7 */ \
	"address = 2001:db8::1\n"		/*  8 */ \
	"asn = 65000\n"				/*  9 */ \
	"[service web]\n"			/* 10 */ \
	"prefix = 203.0.113.10/32\n"		/* 11 */

/*
 * SVC_C gives service web one check, c, whose keys go from line 14 on,
 * so that c is used and no warning says otherwise.
 */
#define SVC_C \
	BASE					\
	"checks = c\n"				/* 12 */ \
	"[check c]\n"				/* 13 */

/* load text, expect failure with exactly the lines of want (NULL-ended) */
static inline void
expect(const char *text, int want_rc, const char *const *want)
{
	struct conf c;
	struct conf_diag d;
	size_t i, n, nerr = 0;
	int rc;

	rc = conf_load_string("t.ini", text, &c, &d);
	for (n = 0; want[n] != NULL; n++)
		if (strstr(want[n], ": warning: ") == NULL)
			nerr++;
	for (i = 0; i < d.n && d.n != n; i++)
		print_message("got: %s\n", d.lines[i]);
	assert_int_equal(d.n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(d.lines[i], want[i]);
		assert_int_equal(d.is_err[i], strstr(want[i], ": warning: ") ==
		    NULL);
	}
	assert_int_equal(d.nerr, nerr);
	assert_int_equal(d.nwarn, n - nerr);
	assert_int_equal(rc, want_rc);
	if (rc == -1) {
		/* a rejected file leaves nothing behind */
		assert_int_equal(c.npeers, 0);
		assert_null(c.peers);
		assert_int_equal(c.nservices, 0);
		assert_null(c.services);
		assert_int_equal(c.nchecks, 0);
		assert_null(c.checks);
	}
	conf_free(&c);
	conf_diag_free(&d);
}

#define EXPECT_ERR(text, ...) do {					\
	const char *const w_[] = { __VA_ARGS__, NULL };			\
	expect((text), -1, w_);						\
} while (0)

#define EXPECT_WARN(text, ...) do {					\
	const char *const w_[] = { __VA_ARGS__, NULL };			\
	expect((text), 0, w_);						\
} while (0)

/* a full allocation ID and node ID, as Nomad gives them */
#define ALLOC	"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"
#define NODE	"f2a1c3d4-0b1c-4d2e-9f3a-4b5c6d7e8f90"

/*
 * The environment is an input of the Nomad keys' parser: a case that sets
 * it starts and ends without it (a cmocka setup and teardown).
 */
static inline int
nomad_env_clear(void **state)
{
	static const char *const nomad_env[] = {
		"NOMAD_ADDR", "NOMAD_UNIX_ADDR", "NOMAD_SECRETS_DIR",
		"NOMAD_TOKEN", "NOMAD_NAMESPACE", "NOMAD_ALLOC_ID",
		"NOMAD_NODE_ID", "NOMAD_CACERT", "NOMAD_CLIENT_CERT",
		"NOMAD_CLIENT_KEY",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nomad_env) / sizeof(nomad_env[0]); i++)
		unsetenv(nomad_env[i]);
	return 0;
}

#endif
