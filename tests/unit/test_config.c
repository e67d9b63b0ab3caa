/*
 * test_config.c - what nomcastd/config.c owns: the section dispatch, the
 * reader's lines and files, the checks across sections, the daemon's own
 * [global] keys, and the example file of nomcast.ini(5) as a whole.  The
 * keys of each section are tested beside their parser: test_peer_conf.c,
 * test_service_conf.c, test_check_conf.c, test_nomad_conf.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf_fixture.h"

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
test_config_duplicate_peer_name(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[peer edge4]\naddress = 192.0.2.7\nasn = 1\n",
	    "t.ini:12: duplicate peer 'edge4' (first at line 4)");
}

static void
test_config_duplicate_service_name(void **state)
{
	(void)state;
	EXPECT_ERR(BASE "[service web]\nprefix = 203.0.113.11\n",
	    "t.ini:12: duplicate service 'web' (first at line 10)");
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

/* conf_load(path) fails with the one whole-file message want_suffix */
static void
load_refused(const char *path, const char *want_suffix)
{
	struct conf c;
	struct conf_diag d;
	char want[256];
	struct timespec t0, t1;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(conf_load(path, &c, &d), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* at once: nothing waited for a writer or read an endless file */
	assert_true(dt < 0.5);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerr, 1);
	snprintf(want, sizeof(want), "%s: %s", path, want_suffix);
	assert_string_equal(d.lines[0], want);
	assert_int_equal(c.npeers, 0);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_load_refuses_what_is_not_a_regular_file(void **state)
{
	char dir[] = "/tmp/test_config_XXXXXX", path[64], link_[64];
	static const char text[] = BASE;
	struct conf c;
	struct conf_diag d;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* a FIFO with no writer: a plain open() would wait for one */
	snprintf(path, sizeof(path), "%s/fifo.ini", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	load_refused(path, "not a regular file (a FIFO)");
	unlink(path);
	load_refused(dir, "not a regular file (a directory)");
	/* endless: /dev/zero would be read until memory runs out */
	load_refused("/dev/zero", "not a regular file (a character device)");
	/* too big to be a config */
	snprintf(path, sizeof(path), "%s/big.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fseek(fp, CONF_FILE_MAX, SEEK_SET), 0);
	assert_int_equal(fputc('\n', fp), '\n');
	assert_int_equal(fclose(fp), 0);
	load_refused(path, "larger than 1048576 bytes (1048577)");
	/* a symlink to a regular file is read as usual */
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp),
	    sizeof(text) - 1);
	assert_int_equal(fclose(fp), 0);
	snprintf(link_, sizeof(link_), "%s/link.ini", dir);
	assert_int_equal(symlink(path, link_), 0);
	assert_int_equal(conf_load(link_, &c, &d), 0);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(c.npeers, 2);
	conf_free(&c);
	conf_diag_free(&d);
	unlink(link_);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
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

/* graceful restart: the keys, their bounds, and the checks across them */
#define GR_PEER(extra) \
	"[global]\n"					/*  1 */ \
	"asn = 65001\n"					/*  2 */ \
	"router-id = 198.51.100.10\n"			/*  3 */ \
	extra						/*  4 */ \
	"[peer edge4]\n"				/*  5 */ \
	"address = 198.51.100.1\n"			/*  6 */ \
	"asn = 65000\n"					/*  7 */ \
	"graceful-restart = yes\n"			/*  8 */ \
	"restart-time = 8s\n"				/*  9 */ \
	"bfd = yes\n"					/* 10 */ \
	"[service web]\n"				/* 11 */ \
	"prefix = 203.0.113.10/32\n"			/* 12 */

static void
test_config_graceful_restart(void **state)
{
	struct conf c;
	struct conf_diag d;

	(void)state;
	assert_int_equal(conf_load_string("t.ini", GR_PEER("\n"), &c, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(c.peers[0].graceful_restart);
	assert_int_equal(c.peers[0].restart_time, 8);
	/* restart-defer-time unset: half the shortest restart time */
	assert_int_equal(c.g.restart_defer_ms, 4000);
	assert_true(conf_gr_configured(&c));
	assert_int_equal(conf_gr_restart_time_max(&c), 8);
	conf_free(&c);
	conf_diag_free(&d);
	/* set: taken as it is */
	assert_int_equal(conf_load_string("t.ini", GR_PEER(
	    "restart-defer-time = 2500ms\nrestart-state = /var/lib/x/r\n"),
	    &c, &d), 0);
	assert_int_equal(c.g.restart_defer_ms, 2500);
	assert_string_equal(c.g.restart_state, "/var/lib/x/r");
	conf_free(&c);
	conf_diag_free(&d);
	/* off by default: 10 s, 30 s */
	assert_int_equal(conf_load_string("t.ini", BASE, &c, &d), 0);
	assert_false(conf_gr_configured(&c));
	assert_false(c.peers[0].graceful_restart);
	assert_int_equal(c.peers[0].restart_time, 30);
	assert_int_equal(c.g.restart_defer_ms, 10000);
	conf_free(&c);
	conf_diag_free(&d);
}

static void
test_config_graceful_restart_errors(void **state)
{
	(void)state;
	EXPECT_ERR(GR_PEER("restart-defer-time = 8s\n"),
	    "t.ini:4: restart-defer-time (8000 ms) must be shorter than the "
	    "restart-time of peer 'edge4' (8s)");
	EXPECT_ERR(GR_PEER("restart-state = run/x\n"),
	    "t.ini:4: restart-state: 'run/x' is not an absolute "
	    "path");
	EXPECT_ERR(GR_PEER("restart-defer-time = 0s\n"),
	    "t.ini:4: restart-defer-time: must be more than 0");
#define P_ "[peer p]\naddress = 198.51.100.2\nasn = 65000\n"	/* 12-14 */
	EXPECT_ERR(BASE P_ "restart-time = 1500ms\n",
	    "t.ini:15: restart-time: '1500ms' is not a whole number of "
	    "seconds (1s..4095s)");
	EXPECT_ERR(BASE P_ "restart-time = 0s\n",
	    "t.ini:15: restart-time: '0s' is not a whole number of seconds "
	    "(1s..4095s)");
	EXPECT_ERR(BASE P_ "restart-time = 4096s\n",
	    "t.ini:15: restart-time: '4096s' out of range (at most 4095s)");
	EXPECT_ERR(BASE P_ "graceful-restart = maybe\n",
	    "t.ini:15: graceful-restart: 'maybe' is not yes or no");
#undef P_
	/* without BFD a dead node keeps its routes: a warning */
	EXPECT_WARN(BASE "[peer p]\naddress = 198.51.100.2\nasn = 65000\n"
	    "graceful-restart = yes\n",
	    "t.ini:12: warning: [peer p]: graceful-restart without bfd: if "
	    "nomcastd or this node dies, the router may keep its routes for up "
	    "to the hold time (90s) plus the restart time (30s)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_full_file_sets_every_field),
		cmocka_unit_test(test_config_defaults_applied),
		cmocka_unit_test(
		    test_config_free_of_zeroed_structs_is_harmless),
		cmocka_unit_test(test_config_unknown_section),
		cmocka_unit_test(
		    test_config_unknown_key_names_it_and_its_section),
		cmocka_unit_test(test_config_key_outside_a_section),
		cmocka_unit_test(
		    test_config_line_without_equals_is_a_syntax_error),
		cmocka_unit_test(test_config_duplicate_peer_name),
		cmocka_unit_test(test_config_duplicate_service_name),
		cmocka_unit_test(test_config_prefix_in_two_services),
		cmocka_unit_test(test_config_missing_global_section),
		cmocka_unit_test(
		    test_config_ipv6_prefix_needs_ipv6_capable_peer),
		cmocka_unit_test(
		    test_config_ipv4_prefix_needs_ipv4_capable_peer),
		cmocka_unit_test(test_config_unknown_peer_in_peers_list),
		cmocka_unit_test(test_config_bad_section_names),
		cmocka_unit_test(
		    test_config_several_errors_all_reported_in_line_order),
		cmocka_unit_test(
		    test_config_indented_line_is_not_a_continuation),
		cmocka_unit_test(test_config_load_missing_file),
		cmocka_unit_test(test_config_load_file_counts_lines),
		cmocka_unit_test(test_config_load_refuses_what_is_not_a_regular_file),
		cmocka_unit_test(test_config_check_duplicate_name),
		cmocka_unit_test(test_config_unused_check_warns),
		cmocka_unit_test(
		    test_config_service_checks_resolved_to_indexes),
		cmocka_unit_test(test_config_service_checks_errors),
		cmocka_unit_test(test_config_man_page_example_parses),
		cmocka_unit_test(test_config_graceful_restart),
		cmocka_unit_test(test_config_graceful_restart_errors),
		cmocka_unit_test(
		    test_config_metrics_listen_off_by_default_and_addr_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
