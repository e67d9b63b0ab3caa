/*
 * test_service_conf.c - the keys of [service] (nomcastd/service_conf.c):
 * prefixes, communities, path attributes, and the health keys (hold-down,
 * on-down, degrade-*, vip-interface), and a service's nomad-service and
 * nomad-checks
 */
#include <stdio.h>

#include "conf_fixture.h"

static void
test_service_conf_duplicate_single_value_key(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "med = 1\norigin = igp\nmed = 2\n",
	    "t.ini:14: duplicate key 'med' (first at line 12)");
	/* list keys may repeat */
	EXPECT_WARN(BASE "prefix = 203.0.113.11\ncommunities = 1:1\n"
	    "communities = 1:2\n", NULL);
}

static void
test_service_conf_prefix_with_host_bits_set(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "prefix = 203.0.113.11/24, 2001:db8::1/64, x/32\n",
	    "t.ini:12: prefix: '203.0.113.11/24' has host bits set",
	    "t.ini:12: prefix: '2001:db8::1/64' has host bits set",
	    "t.ini:12: prefix: 'x/32' is not a prefix");
}

static void
test_service_conf_without_prefix(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service empty]\nmed = 5\n[service none]\n",
	    "t.ini:12: [service empty]: no prefix",
	    "t.ini:14: [service none]: no prefix");
}

static void
test_service_conf_too_many_prefixes(void **state)
{
	char text[8192];
	size_t off, i;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	for (i = 0; i < CONF_MAX_PREFIXES; i++)	/* 63 more: 64 in all */
		if (i > 0)
			off += (size_t)snprintf(text + off, sizeof(text) - off,
			    "prefix = 10.0.0.%zu\n", i);
	EXPECT_WARN(text, NULL);
	snprintf(text + off, sizeof(text) - off, "prefix = 10.0.1.0\n"
	    "prefix = 10.0.1.1\n");
	EXPECT_ERR(text, "t.ini:75: prefix: too many prefixes (at most 64 per "
	    "service)");
}

static void
test_service_conf_too_many_communities(void **state)
{
	char text[8192];
	size_t off, i;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	for (i = 0; i <= ATTR_MAX_COMMUNITIES; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "communities = 65000:%zu\n", i);
	for (i = 0; i <= ATTR_MAX_LCOMMUNITIES; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "large-communities = 65000:0:%zu\n", i);
	EXPECT_ERR(text,
	    "t.ini:44: communities: too many communities (at most 32)",
	    "t.ini:61: large-communities: too many large communities "
	    "(at most 16)");
}

static void
test_service_conf_bad_communities(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "communities = 65536:1 1:65536 no-such 1:2:3 :1\n"
	    "large-communities = 1:2 1:2:3:4 4294967296:0:0 a:b:c\n",
	    "t.ini:12: communities: '65536:1' is not a community (ASN:VALUE, "
	    "16 bits each, or a well-known name)",
	    "t.ini:12: communities: '1:65536' is not a community (ASN:VALUE, "
	    "16 bits each, or a well-known name)",
	    "t.ini:12: communities: 'no-such' is not a community (ASN:VALUE, "
	    "16 bits each, or a well-known name)",
	    "t.ini:12: communities: '1:2:3' is not a community (ASN:VALUE, "
	    "16 bits each, or a well-known name)",
	    "t.ini:12: communities: ':1' is not a community (ASN:VALUE, "
	    "16 bits each, or a well-known name)",
	    "t.ini:13: large-communities: '1:2' is not a large community "
	    "(GLOBAL:LOCAL1:LOCAL2, 32 bits each)",
	    "t.ini:13: large-communities: '1:2:3:4' is not a large community "
	    "(GLOBAL:LOCAL1:LOCAL2, 32 bits each)",
	    "t.ini:13: large-communities: '4294967296:0:0' is not a large "
	    "community (GLOBAL:LOCAL1:LOCAL2, 32 bits each)",
	    "t.ini:13: large-communities: 'a:b:c' is not a large community "
	    "(GLOBAL:LOCAL1:LOCAL2, 32 bits each)");
	EXPECT_ERR(BASE "peers = ,\n", "t.ini:12: peers: empty list");
}

static void
test_service_conf_warnings_do_not_fail_the_load(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	EXPECT_WARN(BASE "prefix = 203.0.113.128/25, 2001:db8:200::/48\n"
	    "communities = 1:1 1:1\n"
	    "[peer core]\naddress = 192.0.2.50\nasn = 65001\nmultihop = 3\n",
	    "t.ini:12: warning: prefix: 203.0.113.128/25 is not a host "
	    "route (/32)",
	    "t.ini:12: warning: prefix: 2001:db8:200::/48 is not a host "
	    "route (/128)",
	    "t.ini:13: warning: communities: 1:1 listed twice",
	    "t.ini:17: warning: multihop only applies to eBGP; ignored for "
	    "iBGP peer 'core'");
	assert_int_equal(conf_load_string("t.ini", BASE
	    "prefix = 203.0.113.128/25\n", &c, &d), 0);
	assert_int_equal(c.services[0].nprefixes, 2);
	assert_int_equal(c.services[0].prefixes[1].len, 25);
	conf_free(&c);
	conf_diag_free(&d);
}

/* load SVC_C with hold-down = text; return it in ms */
static uint32_t
hold_down_for(const char *text)
{
	char buf[1024];
	struct conf c;
	struct conf_diag d;
	uint32_t v;

	snprintf(buf, sizeof(buf), BASE "hold-down = %s\n", text);
	assert_int_equal(conf_load_string("t.ini", buf, &c, &d), 0);
	assert_int_equal(d.n, 0);
	v = c.services[0].hold_down_ms;
	conf_free(&c);
	conf_diag_free(&d);
	return v;
}

static void
test_service_conf_duration_forms(void **state)
{
	(void)state;
	assert_int_equal(hold_down_for("250ms"), 250);
	assert_int_equal(hold_down_for("1s"), 1000);
	assert_int_equal(hold_down_for("1.5s"), 1500);
	assert_int_equal(hold_down_for("0.5s"), 500);
	assert_int_equal(hold_down_for("1.001s"), 1001);
	assert_int_equal(hold_down_for("1.0010000000s"), 1001);
	assert_int_equal(hold_down_for("2m"), 120000);
	assert_int_equal(hold_down_for("0.25m"), 15000);
	assert_int_equal(hold_down_for("3"), 3000);	/* bare: seconds */
	assert_int_equal(hold_down_for("2.5"), 2500);
	assert_int_equal(hold_down_for("0"), 0);
	assert_int_equal(hold_down_for("007ms"), 7);
	assert_int_equal(hold_down_for("86400s"), 86400000);
	assert_int_equal(hold_down_for("1440m"), 86400000);
}

static void
test_service_conf_duration_garbage_and_overflow(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "hold-down = 1x\n",
	    "t.ini:12: hold-down: '1x' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = -1s\n",
	    "t.ini:12: hold-down: '-1s' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = .5s\n",
	    "t.ini:12: hold-down: '.5s' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = 1.\n",
	    "t.ini:12: hold-down: '1.' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = 1 s\n",
	    "t.ini:12: hold-down: '1 s' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = 1e3\n",
	    "t.ini:12: hold-down: '1e3' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = 1h\n",
	    "t.ini:12: hold-down: '1h' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	EXPECT_ERR(BASE "hold-down = 1.0005s\n",
	    "t.ini:12: hold-down: '1.0005s' is not a whole number of "
	    "milliseconds");
	EXPECT_ERR(BASE "hold-down = 1.5ms\n",
	    "t.ini:12: hold-down: '1.5ms' is not a whole number of "
	    "milliseconds");
	EXPECT_ERR(BASE "hold-down = 0.0000000001s\n",
	    "t.ini:12: hold-down: '0.0000000001s' is not a whole number of "
	    "milliseconds");
	EXPECT_ERR(BASE "hold-down = 86400001ms\n",
	    "t.ini:12: hold-down: '86400001ms' out of range (at most "
	    "86400s)");
	EXPECT_ERR(BASE "hold-down = 99999999999999999999999m\n",
	    "t.ini:12: hold-down: '99999999999999999999999m' out of range "
	    "(at most 86400s)");
	EXPECT_ERR(BASE "hold-down = 4294967.296s\n",
	    "t.ini:12: hold-down: '4294967.296s' out of range (at most "
	    "86400s)");
}

static void
test_service_conf_degrade_warnings(void **state)
{
	(void)state;
	EXPECT_WARN(BASE "on-down = degrade\nhold-down = 1s\n",
	    "t.ini:12: warning: on-down: degrade changes nothing without "
	    "degrade-med, degrade-prepend or degrade-communities");
	EXPECT_WARN(BASE "degrade-med = 5\ndegrade-prepend = 2\n"
	    "degrade-communities = 1:1\n",
	    "t.ini:12: warning: degrade-med: ignored with on-down = withdraw",
	    "t.ini:13: warning: degrade-prepend: ignored with on-down = "
	    "withdraw",
	    "t.ini:14: warning: degrade-communities: ignored with on-down = "
	    "withdraw");
	EXPECT_WARN(BASE "on-down = withdraw\ndegrade-prepend = 0\n",
	    "t.ini:13: warning: degrade-prepend: ignored with on-down = "
	    "withdraw");
	/* any one degrade-* key is enough */
	EXPECT_WARN(BASE "degrade-prepend = 10\non-down = degrade\n", NULL);
	EXPECT_WARN(BASE "on-down = degrade\ndegrade-communities = "
	    "graceful-shutdown\n", NULL);
	/* a bad on-down says so, and nothing about degrade */
	EXPECT_ERR(BASE "on-down = drain\ndegrade-med = 1\n",
	    "t.ini:12: on-down: 'drain' is not withdraw or degrade");
}

static void
test_service_conf_health_bad_values(void **state)
{
	char text[4096];
	size_t off, i;

	(void)state;
	EXPECT_ERR(BASE "on-down = degrade\ndegrade-med = -1\n"
	    "degrade-prepend = 11\ndegrade-communities = 1:2 65536:1\n"
	    "hold-down = 1 minute\n",
	    "t.ini:13: degrade-med: '-1' is not a number",
	    "t.ini:14: degrade-prepend: 11 out of range (0..10)",
	    "t.ini:15: degrade-communities: '65536:1' is not a community "
	    "(ASN:VALUE, 16 bits each, or a well-known name)",
	    "t.ini:16: hold-down: '1 minute' is not a duration (such as "
	    "250ms, 1s, 1.5s or 2m)");
	EXPECT_WARN(BASE "on-down = degrade\n"
	    "degrade-communities = 1:1 no-export 1:1\n",
	    "t.ini:13: warning: degrade-communities: 1:1 listed twice");
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    BASE "on-down = degrade\n");
	for (i = 0; i <= ATTR_MAX_COMMUNITIES; i++)	/* 13..45 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "degrade-communities = 65000:%zu\n", i);
	EXPECT_ERR(text, "t.ini:45: degrade-communities: too many "
	    "communities (at most 32)");
	/* a degraded route carries both lists: together at most 32 */
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    BASE "on-down = degrade\n");
	for (i = 0; i < 20; i++)			/* 13..32 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "communities = 65000:%zu\n", i);
	for (i = 0; i < 12; i++)		/* 33..44; 5 already there */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "degrade-communities = 65000:%zu\n", i + 15);
	EXPECT_WARN(text, NULL);			/* 20 + 7 */
	for (i = 0; i < 6; i++)				/* 45..50 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "degrade-communities = 65001:%zu\n", i);
	EXPECT_ERR(text, "t.ini:33: degrade-communities: 33 communities with "
	    "those of communities (at most 32)");
}

static void
test_service_conf_vip_interface_names(void **state)
{
	(void)state;
	EXPECT_WARN(BASE "vip-interface = lo\n", NULL);
	EXPECT_WARN(BASE "vip-interface = abcdefghijklmno\n", NULL);	/* 15 */
	EXPECT_ERR(BASE "vip-interface = abcdefghijklmnop\n",
	    "t.ini:12: vip-interface: 'abcdefghijklmnop' is not an interface "
	    "name (1 to 15 letters, digits, '-', '_' and '.')");
	EXPECT_ERR(BASE "vip-interface = eth0:1\n",
	    "t.ini:12: vip-interface: 'eth0:1' is not an interface name "
	    "(1 to 15 letters, digits, '-', '_' and '.')");
	EXPECT_ERR(BASE "vip-interface = a b\n",
	    "t.ini:12: vip-interface: 'a b' is not an interface name "
	    "(1 to 15 letters, digits, '-', '_' and '.')");
	EXPECT_ERR(BASE "vip-interface = ..\n",
	    "t.ini:12: vip-interface: '..' is not an interface name "
	    "(1 to 15 letters, digits, '-', '_' and '.')");
	EXPECT_ERR(BASE "vip-interface = .\n",
	    "t.ini:12: vip-interface: '.' is not an interface name "
	    "(1 to 15 letters, digits, '-', '_' and '.')");
	EXPECT_ERR(BASE "vip-interface = a/b\n",
	    "t.ini:12: vip-interface: 'a/b' is not an interface name "
	    "(1 to 15 letters, digits, '-', '_' and '.')");
}

static void
test_service_conf_nomad_keys_bad_values(void **state)
{
	(void)state;
	setenv("NOMAD_ADDR", "http://127.0.0.1:4646", 1);
	setenv("NOMAD_ALLOC_ID", ALLOC, 1);
	EXPECT_ERR(BASE
	    "nomad-service = Traefik_1\n"		/* 12 */
	    "nomad-checks = all, ping\n"
	    "[service b]\n"
	    "prefix = 203.0.113.12/32\n"
	    "nomad-checks = ping, ping\n"		/* 16 */
	    "[service c]\n"
	    "prefix = 203.0.113.13/32\n"
	    "nomad-service = -api\n"
	    "nomad-service = api\n",			/* 20 */
	    "t.ini:12: nomad-service: 'Traefik_1' is not a Nomad service name "
	    "(1 to 63 letters, digits and '-', not at either end)",
	    "t.ini:13: nomad-checks: 'all' must stand alone",
	    "t.ini:16: warning: nomad-checks: ping listed twice",
	    "t.ini:16: nomad-checks: needs nomad-service",
	    "t.ini:19: nomad-service: '-api' is not a Nomad service name (1 to "
	    "63 letters, digits and '-', not at either end)",
	    "t.ini:20: duplicate key 'nomad-service' (first at line 19)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_conf_duplicate_single_value_key),
		cmocka_unit_test(test_service_conf_prefix_with_host_bits_set),
		cmocka_unit_test(test_service_conf_without_prefix),
		cmocka_unit_test(test_service_conf_too_many_prefixes),
		cmocka_unit_test(test_service_conf_too_many_communities),
		cmocka_unit_test(test_service_conf_bad_communities),
		cmocka_unit_test(
		    test_service_conf_warnings_do_not_fail_the_load),
		cmocka_unit_test(test_service_conf_duration_forms),
		cmocka_unit_test(
		    test_service_conf_duration_garbage_and_overflow),
		cmocka_unit_test(test_service_conf_degrade_warnings),
		cmocka_unit_test(test_service_conf_health_bad_values),
		cmocka_unit_test(test_service_conf_vip_interface_names),
		cmocka_unit_test_setup_teardown(
		    test_service_conf_nomad_keys_bad_values,
		    nomad_env_clear, nomad_env_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
