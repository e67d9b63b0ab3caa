/*
 * test_peer_conf.c - the keys bgpd/peer_conf.c parses: [peer] and the
 * speaker's keys of [global], with their values, ranges and diagnostics
 */
#include <stdio.h>

#include "conf_fixture.h"

/* lines 12-14: an eBGP peer to add keys to, from line 15 */
#define PEER_Z \
	"[peer z]\n"				/* 12 */ \
	"address = 192.0.2.7\n"			/* 13 */ \
	"asn = 64999\n"				/* 14 */

static void
test_peer_conf_as_zero_is_refused_rfc7607(void **state)
{
	(void)state;
	EXPECT_ERR("[global]\nasn = 0\nrouter-id = 192.0.2.1\n",
	    "t.ini:2: asn: AS 0 is reserved (RFC 7607)");
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 0.0\n",
	    "t.ini:14: asn: AS 0 is reserved (RFC 7607)");
}

static void
test_peer_conf_bad_numbers_and_ranges(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 4294967296\n"
	    "port = 0\nhold-time = 2\nconnect-retry = 3601\nmultihop = 256\n"
	    "passive = maybe\nsend-hold-time = 9\n",
	    "t.ini:14: asn: 4294967296 out of range (1..4294967295)",
	    "t.ini:15: port: 0 out of range (1..65535)",
	    "t.ini:16: hold-time: 2 out of range (0 or 3..65535)",
	    "t.ini:17: connect-retry: 3601 out of range (1..3600)",
	    "t.ini:18: multihop: 256 out of range (1..255)",
	    "t.ini:19: passive: 'maybe' is not yes or no",
	    "t.ini:20: send-hold-time: 9 out of range (10..3600)");
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 65a\n"
	    "hold-time = 1\nport = -1\nmed = 1\n",
	    "t.ini:14: asn: '65a' is not an AS number",
	    "t.ini:15: hold-time: 1 out of range (0 or 3..65535)",
	    "t.ini:16: port: '-1' is not a number",
	    "t.ini:17: unknown key 'med' in [peer z]");
	EXPECT_ERR(BASE "med = 4294967296\nlocal-pref = x\norigin = bgp\n"
	    "[global]\n",
	    "t.ini:12: med: 4294967296 out of range (0..4294967295)",
	    "t.ini:13: local-pref: 'x' is not a number",
	    "t.ini:14: origin: 'bgp' is not igp, egp or incomplete",
	    "t.ini:15: duplicate [global] section (first at line 1)");
	EXPECT_ERR("[global]\nasn = 65536.1\nrouter-id = 0.0.0.0\n"
	    "listen-port = 65536\nlisten = 2\nasn = 1\n",
	    "t.ini:2: asn: 65536.1 out of range (asdot parts are 0..65535)",
	    "t.ini:3: router-id: 0.0.0.0 is not a valid BGP identifier",
	    "t.ini:4: listen-port: 65536 out of range (1..65535)",
	    "t.ini:5: listen: '2' is not yes or no",
	    "t.ini:6: duplicate key 'asn' (first at line 2)");
}

static void
test_peer_conf_bad_strings_and_addresses(void **state)
{
	char text[1024];
	char pw[CONF_PASSWORD_MAX + 2];

	(void)state;
	memset(pw, 'x', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	snprintf(text, sizeof(text), BASE "[peer z]\naddress = 192.0.2.7\n"
	    "asn = 1\npassword = %s\nlocal-address = host\n"
	    "address = 0.0.0.0\n", pw);
	EXPECT_ERR(text,
	    "t.ini:15: password: longer than 80 octets (TCP-MD5 key limit)",
	    "t.ini:16: local-address: 'host' is not an IP address",
	    "t.ini:17: duplicate key 'address' (first at line 13)");
	pw[CONF_PASSWORD_MAX] = '\0';		/* 80 octets: fine */
	snprintf(text, sizeof(text), BASE "[peer z]\naddress = 192.0.2.7\n"
	    "asn = 1\npassword = %s\n", pw);
	EXPECT_WARN(text, NULL);
	EXPECT_ERR("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "control-socket = run/x.sock\nshutdown-message = \xc3\x28\n"
	    "listen-address = ::g\n",
	    "t.ini:4: control-socket: 'run/x.sock' is not an absolute path",
	    "t.ini:5: shutdown-message: not valid UTF-8 (RFC 9003)",
	    "t.ini:6: listen-address: '::g' is not an IP address");
	EXPECT_ERR(BASE "[peer z]\naddress = ::\nasn = 1\nrouter-id = 1\n",
	    "t.ini:13: address: '::' is the unspecified address",
	    "t.ini:15: unknown key 'router-id' in [peer z]");
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 1\n"
	    "local-address = 2001:db8::7\n",
	    "t.ini:15: local-address: 2001:db8::7 is not of the family of "
	    "address 192.0.2.7");
}

static void
test_peer_conf_shutdown_message_limits(void **state)
{
	char text[1024], msg[BGP_SHUTDOWN_MSG_MAX + 2];
	struct conf c;
	struct conf_diag d;

	(void)state;
	/* RFC 9003 allows 255 octets, but inih's lines hold 198 characters */
	memset(msg, 'm', sizeof(msg) - 1);
	msg[179] = '\0';	/* "shutdown-message = " is 19: 198 in all */
	snprintf(text, sizeof(text), "[global]\nasn = 1\n"
	    "router-id = 192.0.2.1\nshutdown-message = %s\n", msg);
	assert_int_equal(conf_load_string("t.ini", text, &c, &d), 0);
	assert_string_equal(c.bgp.shutdown_message, msg);
	conf_free(&c);
	conf_diag_free(&d);
	msg[179] = 'm';
	msg[180] = '\0';
	snprintf(text, sizeof(text), "[global]\nasn = 1\n"
	    "router-id = 192.0.2.1\nshutdown-message = %s\n", msg);
	EXPECT_ERR(text, "t.ini:4: line longer than 198 characters");
	/* empty is a valid (empty) RFC 9003 communication */
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 192.0.2.1\nshutdown-message =\n", &c, &d), 0);
	assert_string_equal(c.bgp.shutdown_message, "");
	conf_free(&c);
	conf_diag_free(&d);
	/* other keys need a value */
	EXPECT_ERR(BASE "med =\n", "t.ini:12: med: missing value");
	/* a UTF-8 text passes */
	EXPECT_WARN("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "shutdown-message = Wartung \xc3\xa4\xe2\x82\xac\xf0\x9f\x94\xa7\n",
	    NULL);
}

static void
test_peer_conf_duplicate_peer_address(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer again]\nasn = 1\naddress = 198.51.100.1\n",
	    "t.ini:14: address 198.51.100.1 already used by peer 'edge4' "
	    "(line 4)");
}

static void
test_peer_conf_missing_required_keys_at_section_header(void **state)
{
	(void)state;
	EXPECT_ERR("[global]\n"
	    "listen = yes\n"
	    "[peer a]\n"
	    "port = 1179\n"
	    "[peer b]\n"
	    "address = 192.0.2.2\n"
	    "[service s]\n"
	    "prefix = 192.0.2.100\n",
	    "t.ini:1: [global]: missing required key 'asn'",
	    "t.ini:1: [global]: missing required key 'router-id'",
	    "t.ini:3: [peer a]: missing required key 'address'",
	    "t.ini:3: [peer a]: missing required key 'asn'",
	    "t.ini:5: [peer b]: missing required key 'asn'");
}

static void
test_peer_conf_next_hop_of_wrong_family(void **state)
{
	(void)state;
	EXPECT_ERR(BASE PEER_Z "next-hop = 2001:db8::5\n"
	    "next-hop6 = 192.0.2.5\nnext-hop6-link-local = 2001:db8::6\n",
	    "t.ini:15: next-hop: '2001:db8::5' is not an IPv4 address",
	    "t.ini:16: next-hop6: '192.0.2.5' is not an IPv6 address",
	    "t.ini:17: next-hop6-link-local: '2001:db8::6' is not a "
	    "link-local (fe80::/10) address");
	EXPECT_ERR(BASE PEER_Z "next-hop6 = fe80::1\n",
	    "t.ini:15: next-hop6: 'fe80::1' is link-local; use "
	    "next-hop6-link-local");
	EXPECT_WARN(BASE PEER_Z "next-hop6-link-local = fe80::1\n"
	    "next-hop6 = 2001:db8::7\nnext-hop = 192.0.2.8\n", NULL);
}

static void
test_peer_conf_multihop_with_ttl_security_is_an_error(void **state)
{
	(void)state;
	EXPECT_ERR(BASE PEER_Z "multihop = 2\nttl-security = yes\n",
	    "t.ini:15: multihop and ttl-security cannot be used together");
	EXPECT_WARN(BASE PEER_Z "multihop = 2\nttl-security = no\n", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_conf_as_zero_is_refused_rfc7607),
		cmocka_unit_test(test_peer_conf_bad_numbers_and_ranges),
		cmocka_unit_test(test_peer_conf_bad_strings_and_addresses),
		cmocka_unit_test(test_peer_conf_shutdown_message_limits),
		cmocka_unit_test(test_peer_conf_duplicate_peer_address),
		cmocka_unit_test(
		    test_peer_conf_missing_required_keys_at_section_header),
		cmocka_unit_test(test_peer_conf_next_hop_of_wrong_family),
		cmocka_unit_test(
		    test_peer_conf_multihop_with_ttl_security_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
