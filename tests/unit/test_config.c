/* test_config.c - the INI configuration: values, defaults, every diagnostic */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

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

/* a Nomad service without a local check, under on-outage = hold */
#define NOCHECK_WARN(line) \
	"t.ini:" line ": warning: nomad-service: no local check: while " \
	"Nomad gives no answers (on-outage = hold) a dead proxy stays " \
	"announced; add a watch or http check"

/* lines 12-14: an eBGP peer to add keys to, from line 15 */
#define PEER_Z \
	"[peer z]\n"				/* 12 */ \
	"address = 192.0.2.7\n"			/* 13 */ \
	"asn = 64999\n"				/* 14 */

/* load text, expect failure with exactly the lines of want (NULL-ended) */
static void
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

static void
test_config_full_file_sets_every_field(void **state)
{
	static const char text[] =
	    "# nomcast\n"
	    "[global]\n"
	    "asn = 4200000001\n"
	    "router-id = 192.0.2.1\n"
	    "listen = off\n"
	    "listen-address = 192.0.2.1\n"
	    "listen-port = 1179\n"
	    "control-socket = /tmp/n.sock\n"
	    "shutdown-message = maintenance, back at 10:00 UTC\n"
	    "\n"
	    "[peer r1]\n"			/* line 11 */
	    "  address = 2001:db8::2   ; indented, inline comment\n"
	    "asn = 1.10\n"
	    "port = 1790\n"
	    "passive = true\n"
	    "hold-time = 0\n"
	    "connect-retry = 3600\n"
	    "local-address = 2001:db8::3\n"
	    "next-hop = 192.0.2.9\n"
	    "next-hop6 = 2001:db8::9\n"
	    "next-hop6-link-local = fe80::9\n"
	    "password = p;ss#word\n"
	    "ttl-security = 1\n"
	    "[peer r2]\n"			/* line 24 */
	    "address = 192.0.2.2\n"
	    "asn = 4200000001\n"
	    "multihop = 2\n"
	    "[service s]\n"			/* line 28 */
	    "prefix = 192.0.2.100, 192.0.2.103/32 192.0.2.101/32\n"
	    "prefix = 192.0.2.102/32\n"
	    "communities = 65535:65281 65000:100,no-advertise\n"
	    "communities = 1:2 graceful-shutdown blackhole no-peer\n"
	    "communities = no-export-subconfed\n"
	    "large-communities = 4200000001:1:2 1:2:3\n"
	    "med = 4294967295\n"
	    "local-pref = 200\n"
	    "origin = incomplete\n"
	    "peers = r2\n"
	    "[service t]\n"			/* line 39 */
	    "prefix = 192.0.2.200 2001:db8:1::1\n"
	    "origin = egp\n";
	static const uint32_t want_comm[] = {
		0x00010002, 0xfde80064, 0xffff0000, 0xffff029a,
		0xffffff01, 0xffffff02, 0xffffff03, 0xffffff04,
	};
	struct conf c;
	struct conf_diag d;
	struct conf_peer *p;
	struct conf_service *s;
	struct addr a;
	char buf[PREFIX_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(conf_load_string("full.ini", text, &c, &d), 0);
	assert_int_equal(d.n, 1);	/* the multihop on iBGP warning */
	assert_string_equal(d.lines[0], "full.ini:27: warning: multihop only "
	    "applies to eBGP; ignored for iBGP peer 'r2'");
	assert_false(d.is_err[0]);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(d.nwarn, 1);

	assert_string_equal(c.path, "full.ini");
	assert_int_equal(c.bgp.asn, 4200000001u);
	assert_int_equal(c.bgp.router_id, 0xc0000201u);
	assert_false(c.bgp.listen);
	assert_string_equal(addr_str(&c.bgp.listen_addr, buf, sizeof(buf)),
	    "192.0.2.1");
	assert_int_equal(c.bgp.listen_port, 1179);
	assert_string_equal(c.g.control_socket, "/tmp/n.sock");
	assert_string_equal(c.bgp.shutdown_message,
	    "maintenance, back at 10:00 UTC");
	assert_int_equal(c.g.line, 2);

	assert_int_equal(c.npeers, 2);
	p = &c.peers[0];
	assert_string_equal(p->name, "r1");
	assert_int_equal(p->line, 11);
	assert_string_equal(addr_str(&p->addr, buf, sizeof(buf)),
	    "2001:db8::2");
	assert_int_equal(p->asn, 65546);	/* asdot 1.10 */
	assert_int_equal(p->port, 1790);
	assert_true(p->passive);
	assert_int_equal(p->hold_time, 0);
	assert_int_equal(p->connect_retry, 3600);
	assert_string_equal(addr_str(&p->local_addr, buf, sizeof(buf)),
	    "2001:db8::3");
	assert_string_equal(addr_str(&p->next_hop, buf, sizeof(buf)),
	    "192.0.2.9");
	assert_string_equal(addr_str(&p->next_hop6, buf, sizeof(buf)),
	    "2001:db8::9");
	assert_string_equal(addr_str(&p->next_hop6_ll, buf, sizeof(buf)),
	    "fe80::9");
	/* ';' not after a blank, and '#', are part of the value */
	assert_string_equal(p->password, "p;ss#word");
	assert_true(p->ttl_security);
	assert_int_equal(p->multihop, 0);
	assert_false(conf_peer_is_ibgp(&c.bgp, p));
	p = &c.peers[1];
	assert_string_equal(p->name, "r2");
	assert_int_equal(p->line, 24);
	assert_int_equal(p->multihop, 2);
	assert_true(conf_peer_is_ibgp(&c.bgp, p));

	assert_int_equal(c.nservices, 2);
	s = &c.services[0];
	assert_string_equal(s->name, "s");
	assert_int_equal(s->line, 28);
	assert_int_equal(s->nprefixes, 4);
	assert_string_equal(prefix_str(&s->prefixes[0], buf, sizeof(buf)),
	    "192.0.2.100/32");
	assert_string_equal(prefix_str(&s->prefixes[1], buf, sizeof(buf)),
	    "192.0.2.103/32");
	assert_string_equal(prefix_str(&s->prefixes[2], buf, sizeof(buf)),
	    "192.0.2.101/32");
	assert_string_equal(prefix_str(&s->prefixes[3], buf, sizeof(buf)),
	    "192.0.2.102/32");
	/* sorted, as bgp_attrs wants them */
	assert_int_equal(s->ncomm, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(s->comm[i], want_comm[i]);
	assert_int_equal(s->nlcomm, 2);
	assert_int_equal(s->lcomm[0].global, 1);
	assert_int_equal(s->lcomm[0].local1, 2);
	assert_int_equal(s->lcomm[0].local2, 3);
	assert_int_equal(s->lcomm[1].global, 4200000001u);
	assert_int_equal(s->lcomm[1].local1, 1);
	assert_int_equal(s->lcomm[1].local2, 2);
	assert_true(s->has_med);
	assert_int_equal(s->med, 4294967295u);
	assert_true(s->has_local_pref);
	assert_int_equal(s->local_pref, 200);
	assert_int_equal(s->origin, ORIGIN_INCOMPLETE);
	assert_false(s->all_peers);
	assert_non_null(s->use_peer);
	assert_false(s->use_peer[0]);
	assert_true(s->use_peer[1]);
	s = &c.services[1];
	assert_string_equal(s->name, "t");
	assert_int_equal(s->line, 39);
	assert_int_equal(s->origin, ORIGIN_EGP);
	assert_int_equal(s->nprefixes, 2);
	assert_string_equal(prefix_str(&s->prefixes[1], buf, sizeof(buf)),
	    "2001:db8:1::1/128");
	assert_int_equal(s->ncomm, 0);
	assert_false(s->has_med);
	assert_false(s->has_local_pref);
	assert_true(s->all_peers);
	assert_true(s->use_peer[0]);
	assert_true(s->use_peer[1]);

	assert_int_equal(addr_parse("192.0.2.2", &a), 0);
	assert_int_equal(conf_peer_find(&c, &a), 1);
	assert_int_equal(addr_parse("2001:db8::2", &a), 0);
	assert_int_equal(conf_peer_find(&c, &a), 0);
	assert_int_equal(addr_parse("192.0.2.3", &a), 0);
	assert_int_equal(conf_peer_find(&c, &a), -1);

	conf_free(&c);
	assert_int_equal(c.npeers, 0);
	assert_null(c.peers);
	assert_null(c.services);
	conf_diag_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.lines);
}

static void
test_config_defaults_applied(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(c.bgp.listen);
	assert_false(addr_is_set(&c.bgp.listen_addr));	/* "::" */
	assert_int_equal(c.bgp.listen_port, 179);
	assert_string_equal(c.g.control_socket, "/run/nomcast/nomcast.sock");
	assert_string_equal(c.bgp.shutdown_message, "nomcast shutting down");
	assert_int_equal(c.npeers, 2);
	assert_int_equal(c.peers[0].port, 179);
	assert_false(c.peers[0].passive);
	assert_int_equal(c.peers[0].hold_time, 90);
	assert_int_equal(c.peers[0].connect_retry, 5);
	assert_false(addr_is_set(&c.peers[0].local_addr));
	assert_false(addr_is_set(&c.peers[0].next_hop));
	assert_false(addr_is_set(&c.peers[0].next_hop6));
	assert_false(addr_is_set(&c.peers[0].next_hop6_ll));
	assert_string_equal(c.peers[0].password, "");
	assert_false(c.peers[0].ttl_security);
	assert_int_equal(c.peers[0].multihop, 0);
	assert_int_equal(c.nservices, 1);
	assert_int_equal(c.services[0].origin, ORIGIN_IGP);
	assert_int_equal(c.services[0].ncomm, 0);
	assert_int_equal(c.services[0].nlcomm, 0);
	assert_false(c.services[0].has_med);
	assert_false(c.services[0].has_local_pref);
	assert_true(c.services[0].all_peers);
	assert_true(c.services[0].use_peer[0]);
	assert_true(c.services[0].use_peer[1]);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_free_of_zeroed_structs_is_harmless(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	conf_free(&c);
	conf_diag_free(&d);
	conf_free(NULL);
	conf_diag_free(NULL);
	assert_int_equal(c.npeers, 0);
}

static void
test_config_unknown_section(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[neighbor x]\naddress = 192.0.2.1\n",
	    "t.ini:12: unknown section [neighbor x]");
}

static void
test_config_unknown_key_names_it_and_its_section(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "prefixes = 203.0.113.11\n",
	    "t.ini:12: unknown key 'prefixes' in [service web]");
	EXPECT_ERR("[global]\nasn = 1\nrouter-id = 192.0.2.1\nASN = 2\n",
	    "t.ini:4: unknown key 'ASN' in [global]");
}

static void
test_config_key_outside_a_section(void **state)
{
	(void)state;
	EXPECT_ERR("; header comment\nasn = 65001\n" BASE,
	    "t.ini:2: key 'asn' outside a section");
}

static void
test_config_line_without_equals_is_a_syntax_error(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "passive\n[oops\n",
	    "t.ini:12: expected 'key = value'",
	    "t.ini:13: missing ']' in section header");
}

static void
test_config_as_zero_is_refused_rfc7607(void **state)
{
	(void)state;
	EXPECT_ERR("[global]\nasn = 0\nrouter-id = 192.0.2.1\n",
	    "t.ini:2: asn: AS 0 is reserved (RFC 7607)");
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 0.0\n",
	    "t.ini:14: asn: AS 0 is reserved (RFC 7607)");
}

static void
test_config_bad_numbers_and_ranges(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 4294967296\n"
	    "port = 0\nhold-time = 2\nconnect-retry = 3601\nmultihop = 256\n"
	    "passive = maybe\n",
	    "t.ini:14: asn: 4294967296 out of range (1..4294967295)",
	    "t.ini:15: port: 0 out of range (1..65535)",
	    "t.ini:16: hold-time: 2 out of range (0 or 3..65535)",
	    "t.ini:17: connect-retry: 3601 out of range (1..3600)",
	    "t.ini:18: multihop: 256 out of range (1..255)",
	    "t.ini:19: passive: 'maybe' is not yes or no");
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
test_config_bad_strings_and_addresses(void **state)
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
test_config_shutdown_message_limits(void **state)
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
test_config_duplicate_peer_name(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer edge4]\naddress = 192.0.2.7\nasn = 1\n",
	    "t.ini:12: duplicate peer 'edge4' (first at line 4)");
}

static void
test_config_duplicate_peer_address(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer again]\nasn = 1\naddress = 198.51.100.1\n",
	    "t.ini:14: address 198.51.100.1 already used by peer 'edge4' "
	    "(line 4)");
}

static void
test_config_duplicate_service_name(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service web]\nprefix = 203.0.113.11\n",
	    "t.ini:12: duplicate service 'web' (first at line 10)");
}

static void
test_config_duplicate_single_value_key(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "med = 1\norigin = igp\nmed = 2\n",
	    "t.ini:14: duplicate key 'med' (first at line 12)");
	/* list keys may repeat */
	EXPECT_WARN(BASE "prefix = 203.0.113.11\ncommunities = 1:1\n"
	    "communities = 1:2\n", NULL);
}

static void
test_config_prefix_with_host_bits_set(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "prefix = 203.0.113.11/24, 2001:db8::1/64, x/32\n",
	    "t.ini:12: prefix: '203.0.113.11/24' has host bits set",
	    "t.ini:12: prefix: '2001:db8::1/64' has host bits set",
	    "t.ini:12: prefix: 'x/32' is not a prefix");
}

static void
test_config_prefix_in_two_services(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service api]\nprefix = 203.0.113.12\n"
	    "prefix = 203.0.113.10/32\n",
	    "t.ini:14: prefix 203.0.113.10/32 already in service 'web' "
	    "(line 11)");
	EXPECT_ERR(BASE "prefix = 203.0.113.10\n",
	    "t.ini:12: prefix: 203.0.113.10/32 listed twice (first at "
	    "line 11)");
}

static void
test_config_missing_required_keys_at_section_header(void **state)
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
test_config_missing_global_section(void **state)
{
	(void)state;
	EXPECT_ERR("[peer a]\naddress = 192.0.2.1\nasn = 1\n",
	    "t.ini: missing [global] section (asn and router-id are "
	    "required)");
	EXPECT_ERR("", "t.ini: missing [global] section (asn and router-id "
	    "are required)");
}

static void
test_config_service_without_prefix(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service empty]\nmed = 5\n[service none]\n",
	    "t.ini:12: [service empty]: no prefix",
	    "t.ini:14: [service none]: no prefix");
}

static void
test_config_ipv6_prefix_needs_ipv6_capable_peer(void **state)
{
	(void)state;
	/* no peer can carry it */
	EXPECT_ERR("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "[peer a]\naddress = 192.0.2.2\nasn = 2\n"
	    "[service s]\nprefix = 192.0.2.100, 2001:db8::100\n",
	    "t.ini:8: prefix 2001:db8::100/128: no peer of service 's' can "
	    "carry IPv6 (it needs an IPv6 address or next-hop6)");
	/* only peers the service uses count */
	EXPECT_ERR(BASE "[service v6]\npeers = edge4\n"
	    "prefix = 2001:db8::10\n",
	    "t.ini:14: prefix 2001:db8::10/128: no peer of service 'v6' can "
	    "carry IPv6 (it needs an IPv6 address or next-hop6)");
	/* next-hop6 makes an IPv4 session IPv6-capable */
	EXPECT_WARN("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "[peer a]\naddress = 192.0.2.2\nasn = 2\n"
	    "next-hop6 = 2001:db8::2\n"
	    "[service s]\nprefix = 2001:db8::100\n", NULL);
}

static void
test_config_ipv4_prefix_needs_ipv4_capable_peer(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service v4]\npeers = edge6\n"
	    "prefix = 203.0.113.20\n",
	    "t.ini:14: prefix 203.0.113.20/32: no peer of service 'v4' can "
	    "carry IPv4 (it needs an IPv4 address or next-hop)");
	/* next-hop makes an IPv6 session IPv4-capable */
	EXPECT_WARN("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "[peer a]\naddress = 2001:db8::2\nasn = 2\n"
	    "next-hop = 192.0.2.1\n"
	    "[service s]\nprefix = 192.0.2.100\n", NULL);
	/* no peers at all */
	EXPECT_ERR("[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
	    "[service s]\nprefix = 192.0.2.100\n",
	    "t.ini:5: prefix 192.0.2.100/32: no peer of service 's' can "
	    "carry IPv4 (it needs an IPv4 address or next-hop)");
}

static void
test_config_unknown_peer_in_peers_list(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "peers = edge4, edge5\n",
	    "t.ini:12: peers: unknown peer 'edge5'");
}

static void
test_config_next_hop_of_wrong_family(void **state)
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
test_config_too_many_prefixes(void **state)
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
test_config_too_many_communities(void **state)
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
test_config_bad_communities(void **state)
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
test_config_bad_section_names(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer]\n[service a/b]\nprefix = 203.0.113.99\n"
	    "[global x] ; comment\n[peer p] junk\naddress = 192.0.2.9\n"
	    "asn = 9\n",
	    "t.ini:12: [peer] needs a name",
	    "t.ini:12: [peer]: missing required key 'address'",
	    "t.ini:12: [peer]: missing required key 'asn'",
	    "t.ini:13: invalid service name 'a/b' (letters, digits, '-', '_' "
	    "and '.' only)",
	    "t.ini:15: [global] takes no name",
	    "t.ini:15: duplicate [global] section (first at line 1)",
	    "t.ini:16: unexpected 'junk' after section header");
}

static void
test_config_several_errors_all_reported_in_line_order(void **state)
{
	(void)state;
	EXPECT_ERR("[global]\n"			/* 1 */
	    "asn = 0\n"				/* 2 */
	    "router-id = 192.0.2.1\n"		/* 3 */
	    "colour = blue\n"			/* 4 */
	    "[peer a]\n"			/* 5 */
	    "address = 192.0.2.2\n"		/* 6 */
	    "hold-time = 1\n"			/* 7 */
	    "[peer a]\n"			/* 8 */
	    "address = 192.0.2.3\n"		/* 9 */
	    "asn = 3\n"				/* 10 */
	    "[service s]\n"			/* 11 */
	    "prefix = 192.0.2.100/24\n"		/* 12 */
	    "prefix = 192.0.2.101\n"		/* 13 */
	    "[bogus]\n"				/* 14 */
	    "anything = goes\n"			/* 15 */
	    "[service t]\n"			/* 16 */
	    "prefix = 192.0.2.101\n"		/* 17 */
	    "peers = a b\n",			/* 18 */
	    "t.ini:2: asn: AS 0 is reserved (RFC 7607)",
	    "t.ini:4: unknown key 'colour' in [global]",
	    "t.ini:5: [peer a]: missing required key 'asn'",
	    "t.ini:7: hold-time: 1 out of range (0 or 3..65535)",
	    "t.ini:8: duplicate peer 'a' (first at line 5)",
	    "t.ini:12: prefix: '192.0.2.100/24' has host bits set",
	    "t.ini:14: unknown section [bogus]",
	    "t.ini:17: prefix 192.0.2.101/32 already in service 's' (line 13)",
	    "t.ini:18: peers: unknown peer 'b'");
}

static void
test_config_warnings_do_not_fail_the_load(void **state)
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

static void
test_config_multihop_with_ttl_security_is_an_error(void **state)
{
	(void)state;
	EXPECT_ERR(BASE PEER_Z "multihop = 2\nttl-security = yes\n",
	    "t.ini:15: multihop and ttl-security cannot be used together");
	EXPECT_WARN(BASE PEER_Z "multihop = 2\nttl-security = no\n", NULL);
}

static void
test_config_indented_line_is_not_a_continuation(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	/* inih would glue an indented line to the previous value */
	assert_int_equal(conf_load_string("t.ini", "\xef\xbb\xbf[global]\n"
	    "asn = 65001\n"
	    "    router-id = 198.51.100.10\r\n"
	    "\t; comment\n"
	    "[peer edge4]\n"
	    "\taddress = 198.51.100.1\n"
	    "\tasn : 65000\n"
	    "[service web]\n"
	    "\tprefix = 203.0.113.10/32\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.bgp.asn, 65001);
	assert_int_equal(c.bgp.router_id, 0xc633640au);
	assert_int_equal(c.peers[0].asn, 65000);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_load_missing_file(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	assert_int_equal(conf_load("/nonexistent/nomcast.ini", &c, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerr, 1);
	assert_true(d.is_err[0]);
	assert_string_equal(d.lines[0], "/nonexistent/nomcast.ini: cannot "
	    "open: No such file or directory");
	assert_int_equal(c.npeers, 0);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_load_file_counts_lines(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	static const char text[] = BASE "\n\nmed = x\n";
	struct conf c;
	struct conf_diag d;
	char want[128];
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
	    (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(conf_load(path, &c, &d), -1);
	unlink(path);
	assert_int_equal(d.n, 1);
	snprintf(want, sizeof(want), "%s:14: med: 'x' is not a number", path);
	assert_string_equal(d.lines[0], want);
	conf_free(&c);
	conf_diag_free(&d);
}

/*
 * Health.  SVC_C gives service web one check, c, whose keys go
 * from line 14 on, so that c is used and no warning says otherwise.
 */
#define SVC_C \
	BASE					\
	"checks = c\n"				/* 12 */ \
	"[check c]\n"				/* 13 */

static void
test_config_check_http_sets_every_key(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	struct conf_service *s;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE
	    "checks = ping, tcp80\n"			/* 12 */
	    "hold-down = 5s\n"
	    "on-down = degrade\n"
	    "degrade-med = 1000\n"
	    "degrade-prepend = 3\n"
	    "degrade-communities = 65001:666 no-export\n"
	    "degrade-communities = 1:2\n"
	    "vip-interface = dummy0.a_b-c\n"
	    "[check ping]\n"				/* 20 */
	    "type = http\n"
	    "interval = 2s\n"
	    "timeout = 1.5s\n"
	    "rise = 3\n"
	    "fall = 100\n"
	    "url = https://user@[2001:db8::1]:8443/ping?x=1#f\n"
	    "expect = 200 204,300-399\n"
	    "expect = 500-599\n"
	    "body = \"ok\" it said\n"
	    "host = www.example.com:8443\n"
	    "unix-socket = /run/proxy/admin.sock\n"
	    "tls-verify = no\n"
	    "[check tcp80]\n"				/* 33 */
	    "type = tcp\n"
	    "target = 127.0.0.1:80\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nchecks, 2);
	k = &c.checks[0];
	assert_string_equal(k->name, "ping");
	assert_int_equal(k->line, 20);
	assert_int_equal(k->type, CHECK_HTTP);
	assert_int_equal(k->interval_ms, 2000);
	assert_int_equal(k->timeout_ms, 1500);
	assert_int_equal(k->rise, 3);
	assert_int_equal(k->fall, 100);
	assert_string_equal(k->url,
	    "https://user@[2001:db8::1]:8443/ping?x=1#f");
	assert_int_equal(k->nexpect, 4);
	assert_int_equal(k->expect_lo[0], 200);
	assert_int_equal(k->expect_hi[0], 200);
	assert_int_equal(k->expect_lo[1], 204);
	assert_int_equal(k->expect_hi[1], 204);
	assert_int_equal(k->expect_lo[2], 300);
	assert_int_equal(k->expect_hi[2], 399);
	assert_int_equal(k->expect_lo[3], 500);
	assert_int_equal(k->expect_hi[3], 599);
	assert_string_equal(k->body, "\"ok\" it said");
	assert_string_equal(k->host_header, "www.example.com:8443");
	assert_string_equal(k->unix_socket, "/run/proxy/admin.sock");
	assert_false(k->tls_verify);
	assert_int_equal(k->argc, 0);
	assert_null(k->argv[0]);
	k = &c.checks[1];
	assert_string_equal(k->name, "tcp80");
	assert_int_equal(k->line, 33);
	assert_int_equal(k->type, CHECK_TCP);
	assert_int_equal(k->addr.afi, AFI_IPV4);
	assert_memory_equal(k->addr.b, "\x7f\x00\x00\x01", 4);
	assert_int_equal(k->port, 80);

	s = &c.services[0];
	assert_int_equal(s->nchecks, 2);
	assert_int_equal(s->checks[0], 0);
	assert_int_equal(s->checks[1], 1);
	assert_int_equal(s->hold_down_ms, 5000);
	assert_int_equal(s->on_down, ON_DOWN_DEGRADE);
	assert_true(s->has_degrade_med);
	assert_int_equal(s->degrade_med, 1000);
	assert_int_equal(s->degrade_prepend, 3);
	/* sorted, as the communities are */
	assert_int_equal(s->ndegrade_comm, 3);
	assert_int_equal(s->degrade_comm[0], 0x00010002u);
	assert_int_equal(s->degrade_comm[1], 0xfde9029au);
	assert_int_equal(s->degrade_comm[2], 0xffffff01u);
	assert_string_equal(s->vip_interface, "dummy0.a_b-c");
	conf_free(&c);
	assert_int_equal(c.nchecks, 0);
	assert_null(c.checks);
	conf_diag_free(&d);
}

static void
test_config_check_watch_and_exec_keys(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE
	    "checks = w e\n"
	    "[check w]\n"
	    "type = watch\n"
	    "target = [2001:db8::5]:65535\n"
	    "[check e]\n"
	    "type = exec\n"
	    "command = /usr/lib/nomcast/probe --flag \"two words\" x\n",
	    &c, &d), 0);
	assert_int_equal(d.n, 0);
	k = &c.checks[0];
	assert_int_equal(k->type, CHECK_WATCH);
	assert_string_equal(addr_str(&k->addr, buf, sizeof(buf)),
	    "2001:db8::5");
	assert_int_equal(k->port, 65535);
	k = &c.checks[1];
	assert_int_equal(k->type, CHECK_EXEC);
	assert_int_equal(k->argc, 4);
	assert_string_equal(k->argv[0], "/usr/lib/nomcast/probe");
	assert_string_equal(k->argv[1], "--flag");
	assert_string_equal(k->argv[2], "two words");
	assert_string_equal(k->argv[3], "x");
	assert_null(k->argv[4]);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_check_defaults_applied(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct conf_check *k;
	struct conf_service *s;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", SVC_C "type = http\n"
	    "url = http://127.0.0.1:8080/ping\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	k = &c.checks[0];
	assert_int_equal(k->interval_ms, 1000);
	assert_int_equal(k->timeout_ms, 500);
	assert_int_equal(k->rise, 2);
	assert_int_equal(k->fall, 1);
	assert_int_equal(k->nexpect, 1);
	assert_int_equal(k->expect_lo[0], 200);
	assert_int_equal(k->expect_hi[0], 299);
	assert_true(k->tls_verify);
	assert_string_equal(k->body, "");
	assert_string_equal(k->host_header, "");
	assert_string_equal(k->unix_socket, "");
	s = &c.services[0];
	assert_int_equal(s->nchecks, 1);
	assert_int_equal(s->hold_down_ms, 0);
	assert_int_equal(s->on_down, ON_DOWN_WITHDRAW);
	assert_false(s->has_degrade_med);
	assert_int_equal(s->degrade_prepend, 0);
	assert_int_equal(s->ndegrade_comm, 0);
	assert_string_equal(s->vip_interface, "");
	conf_free(&c);
	conf_diag_free(&d);

	/* a service without checks has none, and no check is needed */
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_int_equal(c.nchecks, 0);
	assert_null(c.checks);
	assert_int_equal(c.services[0].nchecks, 0);
	conf_free(&c);
	conf_diag_free(&d);
}

/* load SVC_C with a tcp check and this interval; return its timeout */
static uint32_t
timeout_for(const char *interval)
{
	char text[1024];
	struct conf c;
	struct conf_diag d;
	uint32_t t;

	snprintf(text, sizeof(text), SVC_C "type = tcp\n"
	    "target = 127.0.0.1:80\ninterval = %s\n", interval);
	assert_int_equal(conf_load_string("t.ini", text, &c, &d), 0);
	assert_int_equal(d.n, 0);
	t = c.checks[0].timeout_ms;
	conf_free(&c);
	conf_diag_free(&d);
	return t;
}

static void
test_config_check_fast_interval_halves_default_timeout(void **state)
{
	(void)state;
	assert_int_equal(timeout_for("250ms"), 125);
	assert_int_equal(timeout_for("499ms"), 250);	/* rounded up */
	assert_int_equal(timeout_for("3ms"), 2);
	assert_int_equal(timeout_for("1ms"), 1);	/* never 0 */
	assert_int_equal(timeout_for("500ms"), 500);
	assert_int_equal(timeout_for("10s"), 500);
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
test_config_duration_forms(void **state)
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
test_config_duration_garbage_and_overflow(void **state)
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
test_config_check_unknown_type(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = icmp\n",
	    "t.ini:14: type: unknown check type 'icmp' (http, tcp, watch or "
	    "exec)");
	EXPECT_ERR(SVC_C "type = HTTP\nurl = http://x/\n",
	    "t.ini:14: type: unknown check type 'HTTP' (http, tcp, watch or "
	    "exec)");
}

static void
test_config_check_missing_required_key_at_section_line(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "checks = h t w e n\n"	/* 12 */
	    "[check h]\ntype = http\n"		/* 13 */
	    "[check t]\ntype = tcp\n"		/* 15 */
	    "[check w]\ntype = watch\n"		/* 17 */
	    "[check e]\ntype = exec\n"		/* 19 */
	    "[check n]\ninterval = 1s\n",	/* 21 */
	    "t.ini:13: [check h]: missing required key 'url' (http check)",
	    "t.ini:15: [check t]: missing required key 'target' (tcp check)",
	    "t.ini:17: [check w]: missing required key 'target' (watch "
	    "check)",
	    "t.ini:19: [check e]: missing required key 'command' (exec "
	    "check)",
	    "t.ini:21: [check n]: missing required key 'type'");
	/* a unix socket still needs the URL: it gives the path and Host */
	EXPECT_ERR(SVC_C "type = http\nunix-socket = /run/p.sock\n",
	    "t.ini:13: [check c]: missing required key 'url' (http check)");
	/* a key with a bad value was there: no "missing" on top */
	EXPECT_ERR(SVC_C "type = http\nurl = ftp://x/\n",
	    "t.ini:15: url: 'ftp://x/' does not start with http:// or "
	    "https://");
}

static void
test_config_check_key_of_another_type_is_an_error(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "url = http://127.0.0.1/\n"	/* before the type */
	    "type = tcp\ntarget = 127.0.0.1:80\nexpect = 200\n"
	    "command = /bin/true\n",
	    "t.ini:14: url: does not apply to a tcp check",
	    "t.ini:17: expect: does not apply to a tcp check",
	    "t.ini:18: command: does not apply to a tcp check");
	EXPECT_ERR(SVC_C "type = http\nurl = http://127.0.0.1/\n"
	    "target = 127.0.0.1:80\n",
	    "t.ini:16: target: does not apply to a http check");
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/true\n"
	    "body = x\nhost = h\nunix-socket = /s\ntls-verify = no\n",
	    "t.ini:16: body: does not apply to a exec check",
	    "t.ini:17: host: does not apply to a exec check",
	    "t.ini:18: unix-socket: does not apply to a exec check",
	    "t.ini:19: tls-verify: does not apply to a exec check");
	/* the shared keys apply to every type */
	EXPECT_WARN(SVC_C "type = watch\ntarget = 127.0.0.1:80\n"
	    "interval = 2s\ntimeout = 1s\nrise = 5\nfall = 2\n", NULL);
}

static void
test_config_check_bad_url(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = ftp://127.0.0.1/\n",
	    "t.ini:15: url: 'ftp://127.0.0.1/' does not start with http:// "
	    "or https://");
	EXPECT_ERR(SVC_C "type = http\nurl = 127.0.0.1:8080/ping\n",
	    "t.ini:15: url: '127.0.0.1:8080/ping' does not start with "
	    "http:// or https://");
	EXPECT_ERR(SVC_C "type = http\nurl = http:///ping\n",
	    "t.ini:15: url: 'http:///ping' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = https://\n",
	    "t.ini:15: url: 'https://' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://:80/\n",
	    "t.ini:15: url: 'http://:80/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://u:p@/x\n",
	    "t.ini:15: url: 'http://u:p@/x' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[]:80/\n",
	    "t.ini:15: url: 'http://[]:80/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[::1/\n",
	    "t.ini:15: url: 'http://[::1/' has no host");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:0/\n",
	    "t.ini:15: url: 'http://h:0/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:65536/\n",
	    "t.ini:15: url: 'http://h:65536/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:/\n",
	    "t.ini:15: url: 'http://h:/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h:8o/\n",
	    "t.ini:15: url: 'http://h:8o/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://[::1]x/\n",
	    "t.ini:15: url: 'http://[::1]x/' has a bad port (1..65535)");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/a b\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\x01\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	EXPECT_ERR(SVC_C "type = http\nurl = http://h\xc3\xa4/\n",
	    "t.ini:15: url: blank, control or non-ASCII character in URL");
	/* fine: scheme in any case, a bare host, IPv6, a query only */
	EXPECT_WARN(SVC_C "type = http\nurl = HTTP://localhost\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = https://[::1]:1/\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = http://h?q=a@b\n", NULL);
	EXPECT_WARN(SVC_C "type = http\nurl = http://h:65535#x\n", NULL);
}

static void
test_config_check_bad_http_strings(void **state)
{
	char text[1024], body[CONF_NAME_MAX + 1];

	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\nhost = a b\n"
	    "unix-socket = run/p.sock\ntls-verify = maybe\n",
	    "t.ini:16: host: blank, control or non-ASCII character in 'a b'",
	    "t.ini:17: unix-socket: 'run/p.sock' is not an absolute path",
	    "t.ini:18: tls-verify: 'maybe' is not yes or no");
	/* the longest line inih gives us still fits body and host */
	memset(body, 'b', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	snprintf(text, sizeof(text), SVC_C "type = http\nurl = http://h/\n"
	    "body = %s\n", body);
	EXPECT_WARN(text, NULL);
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\nunix-socket = /"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t.ini:16: unix-socket: longer than 107 characters");
}

static void
test_config_check_interval_and_timeout(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 0\ntimeout = 0ms\n",
	    "t.ini:16: interval: must be at least 1ms",
	    "t.ini:17: timeout: must be at least 1ms");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 1s\ntimeout = 1.5s\n",
	    "t.ini:17: timeout: 1500ms is above interval 1000ms");
	/* against the default interval too, whatever the key order */
	EXPECT_ERR(SVC_C "timeout = 2s\ntype = tcp\ntarget = 127.0.0.1:80\n",
	    "t.ini:14: timeout: 2000ms is above interval 1000ms");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "timeout = 300ms\ninterval = 250ms\n",
	    "t.ini:16: timeout: 300ms is above interval 250ms");
	/* a bad interval is not compared */
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = soon\ntimeout = 2s\n",
	    "t.ini:16: interval: 'soon' is not a duration (such as 250ms, "
	    "1s, 1.5s or 2m)");
	/* equal is fine */
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "interval = 100ms\ntimeout = 0.1s\n", NULL);
}

static void
test_config_check_rise_and_fall_range(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 0\nfall = 101\n",
	    "t.ini:16: rise: 0 out of range (1..100)",
	    "t.ini:17: fall: 101 out of range (1..100)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 101\nfall = 0\n",
	    "t.ini:16: rise: 101 out of range (1..100)",
	    "t.ini:17: fall: 0 out of range (1..100)");
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "rise = 100\nfall = 1\n", NULL);
}

static void
test_config_check_expect_codes(void **state)
{
	char text[2048];
	size_t off, i;

	(void)state;
	EXPECT_ERR(SVC_C "type = http\nurl = http://h/\n"
	    "expect = 99 600 100-600 300-200 2x -5 200- 1000000-2 "
	    "12345678-2\n",
	    "t.ini:16: expect: '99' out of range (HTTP status codes are "
	    "100..599)",
	    "t.ini:16: expect: '600' out of range (HTTP status codes are "
	    "100..599)",
	    "t.ini:16: expect: '100-600' out of range (HTTP status codes "
	    "are 100..599)",
	    "t.ini:16: expect: '300-200' is an empty range",
	    "t.ini:16: expect: '2x' is not a status code or range (such as "
	    "200 or 200-299)",
	    "t.ini:16: expect: '-5' is not a status code or range (such as "
	    "200 or 200-299)",
	    "t.ini:16: expect: '200-' is not a status code or range (such "
	    "as 200 or 200-299)",
	    "t.ini:16: expect: '1000000-2' out of range (HTTP status codes "
	    "are 100..599)",
	    "t.ini:16: expect: '12345678-2' is not a status code or range "
	    "(such as 200 or 200-299)");
	EXPECT_WARN(SVC_C "type = http\nurl = http://h/\n"
	    "expect = 100 599 100-599 204-204\n", NULL);
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    SVC_C "type = http\nurl = http://h/\n");
	for (i = 0; i <= CONF_MAX_EXPECT; i++)	/* lines 16..32 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "expect = %zu\n", 200 + i);
	EXPECT_ERR(text, "t.ini:32: expect: too many status ranges (at most "
	    "16)");
}

static void
test_config_check_target_forms(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1\n",
	    "t.ini:15: target: '127.0.0.1' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = ::1:80\n",
	    "t.ini:15: target: '::1:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = [127.0.0.1]:80\n",
	    "t.ini:15: target: '[127.0.0.1]:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = [::1]80\n",
	    "t.ini:15: target: '[::1]80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = localhost:80\n",
	    "t.ini:15: target: 'localhost:80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:\n",
	    "t.ini:15: target: '127.0.0.1:' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = :80\n",
	    "t.ini:15: target: ':80' is not ADDRESS:PORT (an IPv6 "
	    "address in brackets, [2001:db8::1]:80)");
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:0\n",
	    "t.ini:15: target: port 0 out of range (1..65535)");
	EXPECT_ERR(SVC_C "type = watch\ntarget = [::1]:65536\n",
	    "t.ini:15: target: port 65536 out of range (1..65535)");
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 192.0.2.1:1\n", NULL);
}

/* the argv of the exec check c, with command = cmd; NULL if rejected */
static void
split(const char *cmd, const char *const *want)
{
	char text[1024];
	struct conf c;
	struct conf_diag d;
	size_t i, n;

	for (n = 0; want[n] != NULL; n++)
		;
	snprintf(text, sizeof(text), SVC_C "type = exec\ncommand = %s\n",
	    cmd);
	if (conf_load_string("t.ini", text, &c, &d) != 0 || d.n != 0)
		fail_msg("%s: %s", cmd, d.n > 0 ? d.lines[0] : "?");
	assert_int_equal(c.checks[0].argc, n);
	for (i = 0; i < n; i++)
		assert_string_equal(c.checks[0].argv[i], want[i]);
	assert_null(c.checks[0].argv[n]);
	conf_free(&c);
	conf_diag_free(&d);
}

#define SPLIT(cmd, ...) do {						\
	const char *const w_[] = { __VA_ARGS__, NULL };			\
	split((cmd), w_);						\
} while (0)

static void
test_config_command_splitting(void **state)
{
	(void)state;
	SPLIT("/bin/true", "/bin/true");
	SPLIT("/bin/echo  a\t\tb   c", "/bin/echo", "a", "b", "c");
	SPLIT("/bin/echo \"two words\" \"\"", "/bin/echo", "two words", "");
	/* quoted and unquoted parts of one word join, as in sh */
	SPLIT("/bin/echo a\"b c\"d \"x\"\"y\"", "/bin/echo", "ab cd", "xy");
	/* within quotes: \" is a quote, \\ a backslash */
	SPLIT("/bin/echo \"say \\\"hi\\\"\" \"a\\\\b\"", "/bin/echo",
	    "say \"hi\"", "a\\b");
	/* any other backslash is itself, inside quotes or out */
	SPLIT("/bin/echo \\n \"\\t\" a\\b", "/bin/echo", "\\n", "\\t",
	    "a\\b");
	/* no shell: no globbing, no variables, no redirection */
	SPLIT("/bin/sh -c \"test -f /run/up && exit 0\" $HOME *>x",
	    "/bin/sh", "-c", "test -f /run/up && exit 0", "$HOME", "*>x");
	SPLIT("\"/opt/my probe/run\" x", "/opt/my probe/run", "x");
}

static void
test_config_command_errors(void **state)
{
	char text[2048];
	size_t off, i;

	(void)state;
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo \"open\n",
	    "t.ini:15: command: unterminated quote");
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo \"a\\\"\n",
	    "t.ini:15: command: unterminated quote");
	/* outside quotes a backslash escapes nothing: this opens one */
	EXPECT_ERR(SVC_C "type = exec\ncommand = /bin/echo a\\\"b\n",
	    "t.ini:15: command: unterminated quote");
	EXPECT_ERR(SVC_C "type = exec\ncommand = true\n",
	    "t.ini:15: command: 'true' is not an absolute path");
	EXPECT_ERR(SVC_C "type = exec\ncommand = ./probe x\n",
	    "t.ini:15: command: './probe' is not an absolute path");
	EXPECT_ERR(SVC_C "type = exec\ncommand = \"\" /bin/true\n",
	    "t.ini:15: command: '' is not an absolute path");
	/* inih takes ";" after a blank as a comment: nothing is left */
	EXPECT_ERR(SVC_C "type = exec\ncommand = ; /bin/true\n",
	    "t.ini:15: command: missing value");
	/* 32 words pass, 33 do not */
	off = (size_t)snprintf(text, sizeof(text), "%s",
	    SVC_C "type = exec\ncommand = /bin/echo");
	for (i = 1; i < CONF_MAX_ARGV; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, " %zu",
		    i % 10);
	snprintf(text + off, sizeof(text) - off, "\n");
	EXPECT_WARN(text, NULL);
	snprintf(text + off, sizeof(text) - off, " x\n");
	EXPECT_ERR(text, "t.ini:15: command: more than 32 words");
}

static void
test_config_check_duplicate_name(void **state)
{
	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "[check c]\ntype = tcp\ntarget = 127.0.0.1:81\n",
	    "t.ini:16: duplicate check 'c' (first at line 13)");
	EXPECT_ERR(BASE "[check]\ntype = tcp\ntarget = 127.0.0.1:80\n"
	    "[check a:b]\n",
	    "t.ini:12: [check] needs a name",
	    "t.ini:15: invalid check name 'a:b' (letters, digits, '-', '_' "
	    "and '.' only)",
	    "t.ini:15: [check a:b]: missing required key 'type'");
}

static void
test_config_unused_check_warns(void **state)
{
	(void)state;
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "[check spare]\ntype = exec\ncommand = /bin/true\n",
	    "t.ini:16: warning: check 'spare' is not used by any service");
}

static void
test_config_service_checks_resolved_to_indexes(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	/* one check gates two services; names resolve in any order */
	assert_int_equal(conf_load_string("t.ini", BASE
	    "checks = b\nchecks = a\n"
	    "[service api]\nprefix = 203.0.113.11\nchecks = a\n"
	    "[check a]\ntype = tcp\ntarget = 127.0.0.1:80\n"
	    "[check b]\ntype = tcp\ntarget = 127.0.0.1:81\n", &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.services[0].nchecks, 2);
	assert_int_equal(c.services[0].checks[0], 1);
	assert_int_equal(c.services[0].checks[1], 0);
	assert_int_equal(c.services[1].nchecks, 1);
	assert_int_equal(c.services[1].checks[0], 0);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_service_checks_errors(void **state)
{
	char text[8192];
	size_t off, i;

	(void)state;
	EXPECT_ERR(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "[service api]\nprefix = 203.0.113.11\nchecks = c, nope\n",
	    "t.ini:18: checks: unknown check 'nope'");
	/* a check whose section was rejected cannot be named */
	EXPECT_ERR(BASE "checks = a/b\n[check a/b]\n",
	    "t.ini:12: checks: unknown check 'a/b'",
	    "t.ini:13: invalid check name 'a/b' (letters, digits, '-', '_' "
	    "and '.' only)",
	    "t.ini:13: [check a/b]: missing required key 'type'");
	EXPECT_WARN(SVC_C "type = tcp\ntarget = 127.0.0.1:80\n"
	    "[service api]\nprefix = 203.0.113.11\nchecks = c c\n",
	    "t.ini:18: warning: checks: c listed twice");
	/* 16 checks pass, the 17th does not */
	off = (size_t)snprintf(text, sizeof(text), "%s", BASE);
	for (i = 0; i <= CONF_MAX_CHECKS; i++)		/* lines 12..28 */
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "checks = k%zu\n", i);
	for (i = 0; i <= CONF_MAX_CHECKS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "[check k%zu]\ntype = exec\ncommand = /bin/true\n", i);
	EXPECT_ERR(text, "t.ini:28: checks: too many checks (at most 16 per "
	    "service)");
}

static void
test_config_service_degrade_warnings(void **state)
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
test_config_service_health_bad_values(void **state)
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
test_config_vip_interface_names(void **state)
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
test_config_check_errors_all_reported_and_nothing_leaks(void **state)
{
	(void)state;
	/* every line wrong at once; argv of a rejected file is freed */
	EXPECT_ERR(BASE "checks = c e\n"		/* 12 */
	    "on-down = sideways\n"			/* 13 */
	    "[check c]\n"				/* 14 */
	    "type = http\n"				/* 15 */
	    "interval = 0\n"				/* 16 */
	    "url = http://h/ x\n"			/* 17 */
	    "target = 127.0.0.1:80\n"			/* 18 */
	    "[check e]\n"				/* 19 */
	    "type = exec\n"				/* 20 */
	    "command = /bin/echo a b c\n"		/* 21 */
	    "rise = 0\n"				/* 22 */
	    "type = tcp\n",				/* 23 */
	    "t.ini:13: on-down: 'sideways' is not withdraw or degrade",
	    "t.ini:16: interval: must be at least 1ms",
	    "t.ini:17: url: blank, control or non-ASCII character in URL",
	    "t.ini:18: target: does not apply to a http check",
	    "t.ini:22: rise: 0 out of range (1..100)",
	    "t.ini:23: duplicate key 'type' (first at line 20)");
}

/* the EXAMPLES block of nomcast.ini(5), mdoc escapes undone */
static char *
man_example(void)
{
	FILE *fp;
	char line[512], *out, *w;
	const char *r;
	size_t len = 0;
	bool in = false;

	if ((fp = fopen(SRCDIR "/man/nomcast.ini.5", "r")) == NULL)
		return NULL;
	if ((out = calloc(1, 8192)) == NULL) {
		fclose(fp);
		return NULL;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strcmp(line, ".\\\" BEGIN EXAMPLE\n") == 0) {
			in = true;
			continue;
		}
		if (strcmp(line, ".\\\" END EXAMPLE\n") == 0)
			break;
		if (!in || strncmp(line, ".\\\"", 3) == 0)
			continue;
		for (r = line, w = out + len; *r != '\0' && len < 8190; r++) {
			if (r[0] == '\\' && r[1] == 'e') {
				*w++ = '\\';
				r++;
			} else if (r[0] == '\\' && r[1] == '&')
				r++;
			else
				*w++ = *r;
			len = (size_t)(w - out);
		}
	}
	fclose(fp);
	if (!in) {
		free(out);
		return NULL;
	}
	return out;
}

static void
test_config_man_page_example_parses(void **state)
{
	struct conf c;
	struct conf_diag d;
	const struct conf_check *k;
	char *text, buf[PREFIX_STRLEN];
	size_t i;

	(void)state;
	text = man_example();
	assert_non_null(text);
	assert_int_equal(conf_load_string("nomcast.ini.5", text, &c, &d), 0);
	for (i = 0; i < d.n; i++)
		print_message("%s\n", d.lines[i]);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.bgp.asn, 65001);
	assert_int_equal(c.bgp.router_id, 0xc633640au);
	assert_int_equal(c.npeers, 2);
	assert_string_equal(addr_str(&c.peers[0].addr, buf, sizeof(buf)),
	    "198.51.100.1");
	assert_int_equal(c.peers[0].asn, 65000);
	assert_true(c.peers[0].ttl_security);
	assert_true(c.peers[0].password[0] != '\0');
	assert_string_equal(addr_str(&c.peers[1].addr, buf, sizeof(buf)),
	    "2001:db8::1");
	assert_int_equal(c.nservices, 1);
	assert_string_equal(c.services[0].name, "web");
	assert_int_equal(c.services[0].nprefixes, 2);
	assert_string_equal(prefix_str(&c.services[0].prefixes[0], buf,
	    sizeof(buf)), "203.0.113.10/32");
	assert_string_equal(prefix_str(&c.services[0].prefixes[1], buf,
	    sizeof(buf)), "2001:db8:100::10/128");
	assert_true(c.services[0].ncomm > 0);
	assert_true(c.services[0].nlcomm > 0);
	assert_true(c.services[0].has_med);
	assert_int_equal(c.services[0].hold_down_ms, 10000);
	assert_int_equal(c.services[0].nchecks, 2);
	assert_int_equal(c.nchecks, 2);
	k = &c.checks[c.services[0].checks[0]];
	assert_string_equal(k->name, "ping");
	assert_int_equal(k->type, CHECK_HTTP);
	assert_string_equal(k->url, "http://127.0.0.1:8080/ping");
	assert_int_equal(k->nexpect, 2);
	assert_int_equal(k->timeout_ms, 300);
	k = &c.checks[c.services[0].checks[1]];
	assert_string_equal(k->name, "proxy");
	assert_int_equal(k->type, CHECK_WATCH);
	assert_int_equal(k->port, 8080);
	conf_free(&c);
	conf_diag_free(&d);
	free(text);
}

static void
test_config_metrics_listen_off_by_default_and_addr_port(void **state)
{
	struct conf c;
	struct conf_diag d;
	struct addr want;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_false(c.g.metrics);
	conf_free(&c);
	conf_diag_free(&d);
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 192.0.2.1\nmetrics-listen = 127.0.0.1:9179\n", &c,
	    &d), 0);
	assert_true(c.g.metrics);
	assert_int_equal(addr_parse("127.0.0.1", &want), 0);
	assert_memory_equal(&c.g.metrics_addr, &want, sizeof(want));
	assert_int_equal(c.g.metrics_port, 9179);
	conf_free(&c);
	conf_diag_free(&d);
	assert_int_equal(conf_load_string("t.ini", "[global]\nasn = 1\n"
	    "router-id = 192.0.2.1\nmetrics-listen = [::1]:65535\n", &c, &d),
	    0);
	assert_true(c.g.metrics);
	assert_int_equal(addr_parse("::1", &want), 0);
	assert_memory_equal(&c.g.metrics_addr, &want, sizeof(want));
	assert_int_equal(c.g.metrics_port, 65535);
	conf_free(&c);
	conf_diag_free(&d);
#define G "[global]\nasn = 1\nrouter-id = 192.0.2.1\n"
#define NOT_AP "' is not ADDRESS:PORT (an IPv6 address in brackets, " \
	"[2001:db8::1]:80)"
	EXPECT_ERR(G "metrics-listen = 9179\n",
	    "t.ini:4: metrics-listen: '9179" NOT_AP);
	EXPECT_ERR(G "metrics-listen = 127.0.0.1\n",
	    "t.ini:4: metrics-listen: '127.0.0.1" NOT_AP);
	EXPECT_ERR(G "metrics-listen = ::1:9179\n",
	    "t.ini:4: metrics-listen: '::1:9179" NOT_AP);
	EXPECT_ERR(G "metrics-listen = [::1]9179\n",
	    "t.ini:4: metrics-listen: '[::1]9179" NOT_AP);
	EXPECT_ERR(G "metrics-listen = [127.0.0.1]:9179\n",
	    "t.ini:4: metrics-listen: '[127.0.0.1]:9179" NOT_AP);
	EXPECT_ERR(G "metrics-listen = localhost:9179\n",
	    "t.ini:4: metrics-listen: 'localhost:9179" NOT_AP);
	EXPECT_ERR(G "metrics-listen = 127.0.0.1:http\n",
	    "t.ini:4: metrics-listen: '127.0.0.1:http" NOT_AP);
	EXPECT_ERR(G "metrics-listen = 127.0.0.1:0\n",
	    "t.ini:4: metrics-listen: port 0 out of range (1..65535)");
	EXPECT_ERR(G "metrics-listen = 127.0.0.1:65536\n",
	    "t.ini:4: metrics-listen: port 65536 out of range (1..65535)");
	EXPECT_ERR(G "metrics-listen = 127.0.0.1:1\n"
	    "metrics-listen = 127.0.0.1:2\n",
	    "t.ini:5: duplicate key 'metrics-listen' (first at line 4)");
	EXPECT_ERR("[peer p]\naddress = 192.0.2.9\nasn = 2\n"
	    "metrics-listen = 127.0.0.1:9179\n" G,
	    "t.ini:4: unknown key 'metrics-listen' in [peer p]");
#undef NOT_AP
#undef G
}

/* ---- [nomad] and the Nomad keys of a service ---- */

#define ALLOC	"5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"
#define NODE	"f2a1c3d4-0b1c-4d2e-9f3a-4b5c6d7e8f90"

static const char *const nomad_env[] = {
	"NOMAD_ADDR", "NOMAD_UNIX_ADDR", "NOMAD_SECRETS_DIR", "NOMAD_TOKEN",
	"NOMAD_NAMESPACE", "NOMAD_ALLOC_ID", "NOMAD_NODE_ID", "NOMAD_CACERT",
	"NOMAD_CLIENT_CERT", "NOMAD_CLIENT_KEY",
};

/* the environment is an input of the parser: start and end without it */
static int
nomad_env_clear(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nomad_env) / sizeof(nomad_env[0]); i++)
		unsetenv(nomad_env[i]);
	return 0;
}

static void
test_config_nomad_every_key_overrides_environment(void **state)
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
test_config_nomad_defaults_come_from_the_task_environment(void **state)
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
test_config_nomad_secrets_dir_gives_socket_and_token_file(void **state)
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
test_config_nomad_service_without_alloc_or_address_is_an_error(void **state)
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
test_config_nomad_section_bad_values(void **state)
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
test_config_nomad_service_keys_bad_values(void **state)
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

static void
test_config_nomad_warnings_and_pairs(void **state)
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
		cmocka_unit_test(test_config_full_file_sets_every_field),
		cmocka_unit_test(test_config_defaults_applied),
		cmocka_unit_test(test_config_free_of_zeroed_structs_is_harmless),
		cmocka_unit_test(test_config_unknown_section),
		cmocka_unit_test(
		    test_config_unknown_key_names_it_and_its_section),
		cmocka_unit_test(test_config_key_outside_a_section),
		cmocka_unit_test(
		    test_config_line_without_equals_is_a_syntax_error),
		cmocka_unit_test(test_config_as_zero_is_refused_rfc7607),
		cmocka_unit_test(test_config_bad_numbers_and_ranges),
		cmocka_unit_test(test_config_bad_strings_and_addresses),
		cmocka_unit_test(test_config_shutdown_message_limits),
		cmocka_unit_test(test_config_duplicate_peer_name),
		cmocka_unit_test(test_config_duplicate_peer_address),
		cmocka_unit_test(test_config_duplicate_service_name),
		cmocka_unit_test(test_config_duplicate_single_value_key),
		cmocka_unit_test(test_config_prefix_with_host_bits_set),
		cmocka_unit_test(test_config_prefix_in_two_services),
		cmocka_unit_test(
		    test_config_missing_required_keys_at_section_header),
		cmocka_unit_test(test_config_missing_global_section),
		cmocka_unit_test(test_config_service_without_prefix),
		cmocka_unit_test(
		    test_config_ipv6_prefix_needs_ipv6_capable_peer),
		cmocka_unit_test(
		    test_config_ipv4_prefix_needs_ipv4_capable_peer),
		cmocka_unit_test(test_config_unknown_peer_in_peers_list),
		cmocka_unit_test(test_config_next_hop_of_wrong_family),
		cmocka_unit_test(test_config_too_many_prefixes),
		cmocka_unit_test(test_config_too_many_communities),
		cmocka_unit_test(test_config_bad_communities),
		cmocka_unit_test(test_config_bad_section_names),
		cmocka_unit_test(
		    test_config_several_errors_all_reported_in_line_order),
		cmocka_unit_test(test_config_warnings_do_not_fail_the_load),
		cmocka_unit_test(
		    test_config_multihop_with_ttl_security_is_an_error),
		cmocka_unit_test(test_config_indented_line_is_not_a_continuation),
		cmocka_unit_test(test_config_load_missing_file),
		cmocka_unit_test(test_config_load_file_counts_lines),
		cmocka_unit_test(test_config_check_http_sets_every_key),
		cmocka_unit_test(test_config_check_watch_and_exec_keys),
		cmocka_unit_test(test_config_check_defaults_applied),
		cmocka_unit_test(
		    test_config_check_fast_interval_halves_default_timeout),
		cmocka_unit_test(test_config_duration_forms),
		cmocka_unit_test(test_config_duration_garbage_and_overflow),
		cmocka_unit_test(test_config_check_unknown_type),
		cmocka_unit_test(
		    test_config_check_missing_required_key_at_section_line),
		cmocka_unit_test(
		    test_config_check_key_of_another_type_is_an_error),
		cmocka_unit_test(test_config_check_bad_url),
		cmocka_unit_test(test_config_check_bad_http_strings),
		cmocka_unit_test(test_config_check_interval_and_timeout),
		cmocka_unit_test(test_config_check_rise_and_fall_range),
		cmocka_unit_test(test_config_check_expect_codes),
		cmocka_unit_test(test_config_check_target_forms),
		cmocka_unit_test(test_config_command_splitting),
		cmocka_unit_test(test_config_command_errors),
		cmocka_unit_test(test_config_check_duplicate_name),
		cmocka_unit_test(test_config_unused_check_warns),
		cmocka_unit_test(
		    test_config_service_checks_resolved_to_indexes),
		cmocka_unit_test(test_config_service_checks_errors),
		cmocka_unit_test(test_config_service_degrade_warnings),
		cmocka_unit_test(test_config_service_health_bad_values),
		cmocka_unit_test(test_config_vip_interface_names),
		cmocka_unit_test(
		    test_config_check_errors_all_reported_and_nothing_leaks),
		cmocka_unit_test(test_config_man_page_example_parses),
		cmocka_unit_test(
		    test_config_metrics_listen_off_by_default_and_addr_port),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_every_key_overrides_environment,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_defaults_come_from_the_task_environment,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_secrets_dir_gives_socket_and_token_file,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_service_without_alloc_or_address_is_an_error,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_section_bad_values,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_service_keys_bad_values,
		    nomad_env_clear, nomad_env_clear),
		cmocka_unit_test_setup_teardown(
		    test_config_nomad_warnings_and_pairs,
		    nomad_env_clear, nomad_env_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
