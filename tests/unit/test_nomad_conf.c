/*
 * test_nomad_conf.c - [nomad] (nomad/nomad_conf.c): its keys, and what a
 * service's nomad-service takes from them or from the task environment
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "conf_fixture.h"

/* a Nomad service without a local check, under on-outage = hold */
#define NOCHECK_WARN(line) \
	"t.ini:" line ": warning: nomad-service: no local check: while " \
	"Nomad gives no answers (on-outage = hold) a dead proxy stays " \
	"announced; add a watch or http check"

static void
test_nomad_conf_every_key_overrides_environment(void **state)
{
	struct conf c;
	struct conf_diag d;
	const struct conf_nomad *n = &c.nomad;

	(void)state;
	setenv("NOMAD_ADDR", "http://192.0.2.50:4646", 1);
	setenv("NOMAD_UNIX_ADDR", "unix:///secrets/api.sock", 1);
	setenv("NOMAD_TOKEN", "from-env", 1);
	setenv("NOMAD_NAMESPACE", "envns", 1);
	setenv("NOMAD_ALLOC_ID", "00000000-0000-0000-0000-000000000000", 1);
	setenv("NOMAD_CACERT", "/env/ca.pem", 1);
	assert_int_equal(conf_load_string("t.ini", BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "nomad-checks = ping, alive\n"
	    "[service other]\n"
	    "prefix = 203.0.113.11/32\n"
	    "nomad-service = api-2\n"
	    "nomad-checks = none\n"
	    "[nomad]\n"					/* 18 */
	    "address = https://nomad.example:4646/\n"
	    "token = s3cr3t.jwt-token_x\n"
	    "namespace = prod-1\n"
	    "alloc-id = " ALLOC "\n"
	    "node-id = " NODE "\n"
	    "node-filter = yes\n"
	    "cacert = /etc/nomad/ca.pem\n"
	    "client-cert = /etc/nomad/cli.pem\n"
	    "client-key = /etc/nomad/cli-key.pem\n"
	    "check-interval = 250ms\n"
	    "wait = 5m\n"
	    "grace = 2s\n"
	    "on-outage = withdraw\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(n->used);
	assert_false(n->outage_hold);
	assert_int_equal(n->line, 18);
	assert_string_equal(n->address, "https://nomad.example:4646");
	assert_string_equal(n->unix_path, "");
	assert_string_equal(n->token, "s3cr3t.jwt-token_x");
	assert_string_equal(n->ns, "prod-1");
	assert_string_equal(n->alloc_id, ALLOC);
	assert_string_equal(n->node_id, NODE);
	assert_true(n->node_filter);
	assert_string_equal(n->cacert, "/etc/nomad/ca.pem");
	assert_string_equal(n->client_cert, "/etc/nomad/cli.pem");
	assert_string_equal(n->client_key, "/etc/nomad/cli-key.pem");
	assert_int_equal(n->check_interval_ms, 250);
	assert_int_equal(n->wait_ms, 300000);
	assert_int_equal(n->grace_ms, 2000);
	assert_string_equal(c.services[0].nomad.service, "traefik");
	assert_int_equal(c.services[0].nomad.checks, CONF_NOMAD_CHECKS_NAMED);
	assert_int_equal(c.services[0].nomad.nchecks, 2);
	assert_string_equal(c.services[0].nomad.check_names[0], "ping");
	assert_string_equal(c.services[0].nomad.check_names[1], "alive");
	assert_string_equal(c.services[1].nomad.service, "api-2");
	assert_int_equal(c.services[1].nomad.checks, CONF_NOMAD_CHECKS_NONE);
	assert_int_equal(c.services[1].nomad.nchecks, 0);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_nomad_conf_defaults_come_from_the_task_environment(void **state)
{
	struct conf c;
	struct conf_diag d;
	const struct conf_nomad *n = &c.nomad;

	(void)state;
	/* the Task API socket wins over NOMAD_ADDR */
	setenv("NOMAD_UNIX_ADDR", "unix:///secrets/api.sock", 1);
	setenv("NOMAD_ADDR", "http://127.0.0.1:4646", 1);
	setenv("NOMAD_TOKEN", "eyJhbGciOi.eyJub21hZCI6.c2ln", 1);
	setenv("NOMAD_NAMESPACE", "team-a", 1);
	setenv("NOMAD_ALLOC_ID", ALLOC, 1);
	setenv("NOMAD_CACERT", "/env/ca.pem", 1);
	assert_int_equal(conf_load_string("t.ini", BASE
	    "nomad-service = traefik\n", &c, &d), 0);
	/* on-outage = hold by default: a service without a local check */
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nwarn, 1);
	assert_string_equal(d.lines[0], NOCHECK_WARN("12"));
	assert_true(n->outage_hold);
	assert_true(n->used);
	assert_string_equal(n->address, "unix:///secrets/api.sock");
	assert_string_equal(n->unix_path, "/secrets/api.sock");
	assert_string_equal(n->token, "eyJhbGciOi.eyJub21hZCI6.c2ln");
	assert_string_equal(n->ns, "team-a");
	assert_string_equal(n->alloc_id, ALLOC);
	assert_false(n->node_filter);
	assert_string_equal(n->cacert, "");	/* not https: not used */
	assert_int_equal(n->check_interval_ms, 500);
	assert_int_equal(n->wait_ms, 60000);
	assert_int_equal(n->grace_ms, 15000);
	assert_int_equal(c.services[0].nomad.checks, CONF_NOMAD_CHECKS_ALL);
	conf_free(&c);
	conf_diag_free(&d);

	/* then NOMAD_ADDR (https takes the TLS files); namespace "default" */
	unsetenv("NOMAD_UNIX_ADDR");
	unsetenv("NOMAD_NAMESPACE");
	setenv("NOMAD_ADDR", "https://127.0.0.1:4646", 1);
	setenv("NOMAD_CLIENT_CERT", "/env/c.pem", 1);
	setenv("NOMAD_CLIENT_KEY", "/env/k.pem", 1);
	assert_int_equal(conf_load_string("t.ini", BASE
	    "nomad-service = traefik\n", &c, &d), 0);
	assert_int_equal(d.n, 1);	/* NOCHECK_WARN */
	assert_string_equal(n->address, "https://127.0.0.1:4646");
	assert_string_equal(n->unix_path, "");
	assert_string_equal(n->ns, "default");
	assert_string_equal(n->cacert, "/env/ca.pem");
	assert_string_equal(n->client_cert, "/env/c.pem");
	assert_string_equal(n->client_key, "/env/k.pem");
	conf_free(&c);
	conf_diag_free(&d);

	/* nothing of it is read without a nomad-service */
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_false(n->used);
	assert_string_equal(n->address, "");
	assert_string_equal(n->alloc_id, "");
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_nomad_conf_secrets_dir_gives_socket_and_token_file(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct sockaddr_un sun;
	char dir[] = "/tmp/nomcast-secrets.XXXXXX", path[256], want[300];
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nomad_token", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("tok.from.file\n", fp);
	fclose(fp);
	setenv("NOMAD_SECRETS_DIR", dir, 1);
	setenv("NOMAD_ALLOC_ID", ALLOC, 1);

	/* no socket yet: no address at all */
	EXPECT_ERR(BASE "nomad-service = traefik\n",
	    "t.ini:12: nomad-service: no Nomad agent address: set address in "
	    "[nomad], or run inside Nomad with identity { env = true } "
	    "(NOMAD_UNIX_ADDR), or set NOMAD_ADDR");

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/api.sock", dir);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(conf_load_string("t.ini", BASE
	    "nomad-service = traefik\n", &c, &d), 0);
	assert_int_equal(d.n, 1);	/* NOCHECK_WARN */
	snprintf(want, sizeof(want), "unix://%s/api.sock", dir);
	assert_string_equal(c.nomad.address, want);
	assert_string_equal(c.nomad.unix_path, sun.sun_path);
	assert_string_equal(c.nomad.token, "tok.from.file");
	conf_free(&c);
	conf_diag_free(&d);
	close(fd);
	unlink(sun.sun_path);
	unlink(path);
	rmdir(dir);
}

static void
test_nomad_conf_service_without_alloc_or_address_is_an_error(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "nomad-service = traefik\n",
	    "t.ini:12: nomad-service: no Nomad agent address: set address in "
	    "[nomad], or run inside Nomad with identity { env = true } "
	    "(NOMAD_UNIX_ADDR), or set NOMAD_ADDR",
	    "t.ini:12: nomad-service: no allocation ID: set alloc-id in "
	    "[nomad], or run inside Nomad (NOMAD_ALLOC_ID)");
	/* the environment's bad values, at the nomad-service line */
	setenv("NOMAD_ADDR", "ftp://192.0.2.1", 1);
	setenv("NOMAD_NAMESPACE", "a b", 1);
	setenv("NOMAD_ALLOC_ID", "5b3d8f2e", 1);
	setenv("NOMAD_TOKEN", "two words", 1);
	EXPECT_ERR(BASE "nomad-service = traefik\n",
	    "t.ini:12: nomad-service: NOMAD_ADDR: 'ftp://192.0.2.1' is not "
	    "unix:///path, http://host:port or https://host:port",
	    "t.ini:12: nomad-service: NOMAD_TOKEN: not a token (blanks, "
	    "control characters or longer than 4095)",
	    "t.ini:12: nomad-service: NOMAD_NAMESPACE: 'a b' is not a Nomad "
	    "namespace",
	    "t.ini:12: nomad-service: NOMAD_ALLOC_ID: '5b3d8f2e' is not a "
	    "full allocation ID");
}

static void
test_nomad_conf_section_bad_values(void **state)
{
	(void)state;
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = tcp://127.0.0.1:4646\n"
	    "token = two words\n"
	    "namespace = a_b\n"
	    "alloc-id = 5b3d8f2e\n"
	    "check-interval = 50ms\n"
	    "wait = 10m\n"
	    "grace = soon\n"				/* 20 */
	    "cacert = ca.pem\n"
	    "node-filter = maybe\n"
	    "colour = blue\n"
	    "[nomad x]\n"
	    "client-key = key.pem\n",			/* 25 */
	    "t.ini:14: address: 'tcp://127.0.0.1:4646' is not unix:///path, "
	    "http://host:port or https://host:port",
	    "t.ini:15: token: blanks or control characters in the token",
	    "t.ini:16: namespace: 'a_b' is not a Nomad namespace (1 to 128 "
	    "letters, digits and '-')",
	    "t.ini:17: alloc-id: '5b3d8f2e' is not a full allocation ID (a "
	    "UUID, as in NOMAD_ALLOC_ID)",
	    "t.ini:18: check-interval: '50ms' is below 100ms",
	    "t.ini:19: wait: '10m' out of range (at most 300s)",
	    "t.ini:20: grace: 'soon' is not a duration (such as 250ms, 1s, "
	    "1.5s or 2m)",
	    "t.ini:21: cacert: 'ca.pem' is not an absolute path",
	    "t.ini:22: node-filter: 'maybe' is not yes or no",
	    "t.ini:23: unknown key 'colour' in [nomad]",
	    "t.ini:24: [nomad] takes no name",
	    "t.ini:24: duplicate [nomad] section (first at line 13)",
	    "t.ini:25: client-key: 'key.pem' is not an absolute path");
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = http://127.0.0.1:4646\n"
	    "alloc-id = " ALLOC "\n"
	    "wait = 500ms\n",
	    "t.ini:16: wait: '500ms' is below 1s");
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = http://127.0.0.1:4646/v1\n"
	    "alloc-id = " ALLOC "\n",
	    "t.ini:14: address: 'http://127.0.0.1:4646/v1': only a host and "
	    "port may follow the scheme");
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = unix://run/api.sock\n"
	    "alloc-id = " ALLOC "\n",
	    "t.ini:14: address: 'unix://run/api.sock' is not "
	    "unix:///absolute/path");
}

static void
test_nomad_conf_warnings_and_pairs(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	EXPECT_WARN(BASE
	    "[nomad]\n"					/* 12 */
	    "address = http://127.0.0.1:4646\n",
	    "t.ini:12: warning: [nomad] is not used by any service (no "
	    "nomad-service)");
	EXPECT_WARN(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = unix:///run/nomad/api.sock\n"
	    "alloc-id = " ALLOC "\n"
	    "node-id = " NODE "\n"
	    "cacert = /ca.pem\n",			/* 17 */
	    NOCHECK_WARN("12"),
	    "t.ini:14: warning: nomad: the Task API socket needs a token "
	    "(token in [nomad], or identity { env = true } for NOMAD_TOKEN): "
	    "the agent will answer 401",
	    "t.ini:16: warning: node-id: ignored without node-filter = yes",
	    "t.ini:17: warning: cacert: ignored without an https:// address");
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = https://[2001:db8::1]:4646\n"
	    "alloc-id = " ALLOC "\n"
	    "node-filter = on\n"
	    "client-cert = /c.pem\n",			/* 17 */
	    "t.ini:16: node-filter: needs node-id (or NOMAD_NODE_ID)",
	    "t.ini:17: nomad: client-cert and client-key go together (or "
	    "NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY)");
	/* node-filter takes NOMAD_NODE_ID when node-id is not given */
	setenv("NOMAD_NODE_ID", NODE, 1);
	expect(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = http://127.0.0.1:4646\n"
	    "alloc-id = " ALLOC "\n"
	    "node-filter = yes\n"
	    "on-outage = withdraw\n", 0, none);
	/* on-outage takes hold or withdraw */
	EXPECT_ERR(BASE
	    "nomad-service = traefik\n"			/* 12 */
	    "[nomad]\n"
	    "address = http://127.0.0.1:4646\n"
	    "alloc-id = " ALLOC "\n"
	    "on-outage = ignore\n",			/* 16 */
	    "t.ini:16: on-outage: 'ignore' is not hold or withdraw");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_every_key_overrides_environment,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_defaults_come_from_the_task_environment,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_secrets_dir_gives_socket_and_token_file,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_service_without_alloc_or_address_is_an_error,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_section_bad_values,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_nomad_conf_warnings_and_pairs,
		    nomad_env_clear, nomad_env_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
