/*
 * test_reload_plan.c - a reload's plan (KEEP / RESET / ADD / DELETE per
 * peer, service and check) and the "is it the same?" rules beside it: each
 * rule is tried with every field of its struct changed, one at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nomcastd/config.h"
#include "nomcastd/reload_plan.h"

/* ---- every field, one at a time ---- */

struct field {
	const char	*name;
	size_t		 off, size;
	bool		 matters;	/* a change makes it not the same */
};

#define F(type, f, m) { #f, offsetof(type, f), sizeof(((type *)0)->f), m }

/* change the field's first byte: a string, number, flag or address */
static void
field_flip(void *base, const struct field *f)
{
	unsigned char *p = (unsigned char *)base + f->off;

	p[0] ^= 0x01;
}

typedef bool (*same_fn)(const void *a, const void *b);

static void
each_field(const void *base, size_t size, const struct field *fs, size_t n,
    same_fn same)
{
	unsigned char a[8192], b[8192];
	size_t i;

	assert_true(size <= sizeof(a));
	memcpy(a, base, size);
	assert_true(same(a, a));
	for (i = 0; i < n; i++) {
		memcpy(b, base, size);
		field_flip(b, &fs[i]);
		if (same(a, b) != !fs[i].matters)
			fail_msg("field %s: same() says %d", fs[i].name,
			    same(a, b));
	}
}

static bool
peer_same(const void *a, const void *b)
{
	return conf_peer_session_same(a, b);
}

static void
test_peer_session_same_each_field(void **state)
{
	static const struct field fs[] = {
		F(struct conf_peer, name, false),	/* matched by name */
		F(struct conf_peer, addr, true),
		F(struct conf_peer, asn, true),
		F(struct conf_peer, port, true),
		F(struct conf_peer, passive, true),
		F(struct conf_peer, hold_time, true),
		F(struct conf_peer, connect_retry, false),
		F(struct conf_peer, local_addr, true),
		/* next hops are read again when the routes are re-sent */
		F(struct conf_peer, next_hop, false),
		F(struct conf_peer, next_hop6, false),
		F(struct conf_peer, next_hop6_ll, false),
		F(struct conf_peer, password, true),
		F(struct conf_peer, ttl_security, true),
		F(struct conf_peer, multihop, true),
		/* read whenever the send hold timer is set */
		F(struct conf_peer, send_hold_time, false),
		/* the OPEN offers the capability: a new session */
		F(struct conf_peer, graceful_restart, true),
		F(struct conf_peer, restart_time, true),
		F(struct conf_peer, line, false),
	};
	struct conf_peer p;

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.name, "edge");
	assert_int_equal(addr_parse("198.51.100.1", &p.addr), 0);
	p.asn = 65000;
	p.port = 179;
	p.hold_time = 90;
	strcpy(p.password, "secret");
	each_field(&p, sizeof(p), fs, sizeof(fs) / sizeof(fs[0]), peer_same);
}

static bool
check_same(const void *a, const void *b)
{
	return conf_check_same(a, b);
}

static void
test_check_same_each_field(void **state)
{
	static const struct field fs[] = {
		F(struct conf_check, name, true),
		F(struct conf_check, type, true),
		F(struct conf_check, interval_ms, true),
		F(struct conf_check, timeout_ms, true),
		F(struct conf_check, rise, true),
		F(struct conf_check, fall, true),
		F(struct conf_check, url, true),
		F(struct conf_check, host_header, true),
		F(struct conf_check, unix_socket, true),
		F(struct conf_check, nexpect, true),
		F(struct conf_check, expect_lo, true),
		F(struct conf_check, expect_hi, true),
		F(struct conf_check, body, true),
		F(struct conf_check, tls_verify, true),
		F(struct conf_check, addr, true),
		F(struct conf_check, port, true),
		F(struct conf_check, argc, true),
		F(struct conf_check, line, false),
	};
	static char prog[] = "/bin/true", arg[] = "-x", other[] = "-y";
	struct conf_check c, d;

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "ping");
	c.interval_ms = 1000;
	c.timeout_ms = 500;
	c.rise = 2;
	c.fall = 1;
	strcpy(c.url, "http://127.0.0.1:8080/ping");
	c.nexpect = 1;
	c.expect_lo[0] = 200;
	c.expect_hi[0] = 299;
	c.argc = 2;
	c.argv[0] = prog;
	c.argv[1] = arg;
	each_field(&c, sizeof(c), fs, sizeof(fs) / sizeof(fs[0]), check_same);
	/* the arguments are compared as strings, not as pointers */
	d = c;
	d.argv[1] = other;
	assert_false(conf_check_same(&c, &d));
	d.argv[1] = strcpy((char[4]){ 0 }, "-x");
	assert_true(conf_check_same(&c, &d));
}

static bool
nomad_same(const void *a, const void *b)
{
	return conf_nomad_same(a, b);
}

static void
test_nomad_same_each_field(void **state)
{
	static const struct field fs[] = {
		F(struct conf_nomad, used, true),
		F(struct conf_nomad, address, true),
		F(struct conf_nomad, unix_path, true),
		F(struct conf_nomad, token, true),
		F(struct conf_nomad, ns, true),
		F(struct conf_nomad, alloc_id, true),
		F(struct conf_nomad, node_id, true),
		F(struct conf_nomad, node_filter, true),
		F(struct conf_nomad, cacert, true),
		F(struct conf_nomad, client_cert, true),
		F(struct conf_nomad, client_key, true),
		F(struct conf_nomad, check_interval_ms, true),
		F(struct conf_nomad, wait_ms, true),
		F(struct conf_nomad, grace_ms, true),
		F(struct conf_nomad, outage_hold, true),
		F(struct conf_nomad, line, false),
	};
	struct conf_nomad n;

	(void)state;
	memset(&n, 0, sizeof(n));
	n.used = true;
	strcpy(n.address, "unix:///secrets/api.sock");
	strcpy(n.ns, "default");
	each_field(&n, sizeof(n), fs, sizeof(fs) / sizeof(fs[0]), nomad_same);
}

static bool
bgp_same(const void *a, const void *b)
{
	return conf_bgp_same(a, b);
}

static bool
metrics_same(const void *a, const void *b)
{
	return conf_metrics_same(a, b);
}

static void
test_global_same_each_field(void **state)
{
	static const struct field speaker[] = {
		F(struct conf_bgp, asn, true),
		F(struct conf_bgp, router_id, true),
		/* the listener is conf_listen_same's */
		F(struct conf_bgp, listen, false),
		F(struct conf_bgp, listen_addr, false),
		F(struct conf_bgp, listen_port, false),
		/* read when the goodbye is sent */
		F(struct conf_bgp, shutdown_message, false),
	};
	static const struct field metrics[] = {
		F(struct conf_global, metrics, true),
		F(struct conf_global, metrics_addr, true),
		F(struct conf_global, metrics_port, true),
		F(struct conf_global, control_socket, false),
		F(struct conf_global, control_socket_set, false),
		F(struct conf_global, control_socket_mode, false),
		F(struct conf_global, control_socket_group, false),
		F(struct conf_global, shutdown_drain_ms, false),
		F(struct conf_global, line, false),
	};
	struct conf_bgp bgp;
	struct conf_global g;

	(void)state;
	memset(&bgp, 0, sizeof(bgp));
	bgp.asn = 65001;
	bgp.router_id = 0xc6336402;
	bgp.listen_port = 179;
	each_field(&bgp, sizeof(bgp), speaker,
	    sizeof(speaker) / sizeof(speaker[0]), bgp_same);
	memset(&g, 0, sizeof(g));
	g.metrics = true;
	assert_int_equal(addr_parse("127.0.0.1", &g.metrics_addr), 0);
	g.metrics_port = 9179;
	each_field(&g, sizeof(g), metrics, sizeof(metrics) / sizeof(metrics[0]),
	    metrics_same);
}

static bool
svc_watch_same(const void *a, const void *b)
{
	return conf_nomad_watch_same(a, b);
}

static void
test_nomad_watch_same_each_field(void **state)
{
	static const struct field fs[] = {
		F(struct conf_nomad_watch, service, true),
		F(struct conf_nomad_watch, checks, true),
		F(struct conf_nomad_watch, nchecks, true),
		F(struct conf_nomad_watch, check_names, true),
	};
	struct conf_nomad_watch w;

	(void)state;
	memset(&w, 0, sizeof(w));
	strcpy(w.service, "traefik");
	w.checks = CONF_NOMAD_CHECKS_NAMED;
	w.nchecks = 1;
	strcpy(w.check_names[0], "ping");
	each_field(&w, sizeof(w), fs, sizeof(fs) / sizeof(fs[0]),
	    svc_watch_same);
}

/* ---- plans from two files ---- */

#define GLOBAL \
	"[global]\n" \
	"asn = 65001\n" \
	"router-id = 198.51.100.10\n"
#define PEERS \
	"[peer edge4]\n" \
	"address = 198.51.100.1\n" \
	"asn = 65000\n" \
	"password = secret\n" \
	"[peer edge6]\n" \
	"address = 2001:db8::1\n" \
	"asn = 65000\n"
#define CHECKS \
	"[check ping]\n" \
	"type = http\n" \
	"url = http://127.0.0.1:8080/ping\n" \
	"[check proxy]\n" \
	"type = watch\n" \
	"target = 127.0.0.1:8080\n"
#define SERVICES \
	"[service web]\n" \
	"prefix = 203.0.113.10/32\n" \
	"checks = ping, proxy\n" \
	"[service api]\n" \
	"prefix = 203.0.113.11/32\n" \
	"peers = edge4\n" \
	"med = 10\n"
#define BASE GLOBAL PEERS CHECKS SERVICES

struct pl {
	struct conf		a, b;
	struct reload_plan	p;
};

static void
plan(struct pl *x, const char *old, const char *nw)
{
	struct conf_diag d;

	if (conf_load_string("a.ini", old, &x->a, &d) != 0)
		fail_msg("old: %s", d.n ? d.lines[0] : "?");
	conf_diag_free(&d);
	if (conf_load_string("b.ini", nw, &x->b, &d) != 0)
		fail_msg("new: %s", d.n ? d.lines[0] : "?");
	conf_diag_free(&d);
	assert_int_equal(reload_plan_make(&x->p, &x->a, &x->b), 0);
}

static void
plan_free(struct pl *x)
{
	reload_plan_free(&x->p);
	conf_free(&x->a);
	conf_free(&x->b);
}

static void
counts(const struct plan_list *l, unsigned keep, unsigned reset,
    unsigned add, unsigned del)
{
	assert_int_equal(l->n[PLAN_KEEP], keep);
	assert_int_equal(l->n[PLAN_RESET], reset);
	assert_int_equal(l->n[PLAN_ADD], add);
	assert_int_equal(l->n[PLAN_DELETE], del);
}

static void
test_plan_same_file_keeps_everything(void **state)
{
	struct pl x;

	(void)state;
	plan(&x, BASE, BASE);
	counts(&x.p.peers, 2, 0, 0, 0);
	counts(&x.p.services, 2, 0, 0, 0);
	counts(&x.p.checks, 2, 0, 0, 0);
	assert_int_equal(x.p.peers.from[1], 1);
	assert_false(x.p.listen_reopen);
	assert_false(x.p.metrics_restart);
	assert_true(x.p.nomad_same);
	assert_int_equal(x.p.nrestart_only, 0);
	plan_free(&x);
}

static void
test_plan_peers_by_name(void **state)
{
	struct pl x;

	(void)state;
	/* edge6 goes, edge4 moves to index 1 with a new hold time, z comes */
	plan(&x, BASE, GLOBAL
	    "[peer z]\n"
	    "address = 198.51.100.7\n"
	    "asn = 64999\n"
	    "[peer edge4]\n"
	    "address = 198.51.100.1\n"
	    "asn = 65000\n"
	    "password = secret\n"
	    "hold-time = 30\n"
	    CHECKS SERVICES);
	counts(&x.p.peers, 0, 1, 1, 1);
	assert_int_equal(x.p.peers.new_op[0], PLAN_ADD);
	assert_int_equal(x.p.peers.from[0], PLAN_NONE);
	assert_int_equal(x.p.peers.new_op[1], PLAN_RESET);
	assert_int_equal(x.p.peers.from[1], 0);
	assert_int_equal(x.p.peers.old_op[0], PLAN_RESET);
	assert_int_equal(x.p.peers.old_op[1], PLAN_DELETE);
	/* one listener key less: edge6 had none, but its address went */
	assert_true(x.p.listen_reopen);
	plan_free(&x);
}

static void
test_plan_new_asn_resets_every_peer(void **state)
{
	struct pl x;

	(void)state;
	plan(&x, BASE, "[global]\nasn = 65002\nrouter-id = 198.51.100.10\n"
	    PEERS CHECKS SERVICES);
	counts(&x.p.peers, 0, 2, 0, 0);
	counts(&x.p.services, 2, 0, 0, 0);
	plan_free(&x);
}

static void
test_plan_next_hop_keeps_the_session(void **state)
{
	struct pl x;

	(void)state;
	plan(&x, BASE, GLOBAL
	    "[peer edge4]\n"
	    "address = 198.51.100.1\n"
	    "asn = 65000\n"
	    "password = secret\n"
	    "next-hop = 198.51.100.10\n"
	    "[peer edge6]\n"
	    "address = 2001:db8::1\n"
	    "asn = 65000\n"
	    CHECKS SERVICES);
	counts(&x.p.peers, 2, 0, 0, 0);
	plan_free(&x);
}

static void
test_plan_password_reopens_the_listener(void **state)
{
	struct pl x;

	(void)state;
	plan(&x, BASE, GLOBAL
	    "[peer edge4]\n"
	    "address = 198.51.100.1\n"
	    "asn = 65000\n"
	    "password = other\n"
	    "[peer edge6]\n"
	    "address = 2001:db8::1\n"
	    "asn = 65000\n"
	    CHECKS SERVICES);
	counts(&x.p.peers, 1, 1, 0, 0);
	assert_true(x.p.listen_reopen);
	plan_free(&x);
}

static void
test_plan_services(void **state)
{
	struct pl x;

	(void)state;
	/* api's med changes, web goes, dns comes */
	plan(&x, BASE, GLOBAL PEERS CHECKS
	    "[service api]\n"
	    "prefix = 203.0.113.11/32\n"
	    "peers = edge4\n"
	    "med = 20\n"
	    "[service dns]\n"
	    "prefix = 203.0.113.53/32\n");
	counts(&x.p.services, 0, 1, 1, 1);
	assert_int_equal(x.p.services.from[0], 1);
	assert_int_equal(x.p.services.old_op[0], PLAN_DELETE);
	plan_free(&x);
}

static void
test_plan_service_peers_compared_by_name(void **state)
{
	struct pl x;

	(void)state;
	/* the peers swap places: api still goes to edge4 alone */
	plan(&x, BASE, GLOBAL
	    "[peer edge6]\n"
	    "address = 2001:db8::1\n"
	    "asn = 65000\n"
	    "[peer edge4]\n"
	    "address = 198.51.100.1\n"
	    "asn = 65000\n"
	    "password = secret\n"
	    CHECKS SERVICES);
	counts(&x.p.peers, 2, 0, 0, 0);
	counts(&x.p.services, 2, 0, 0, 0);
	plan_free(&x);
	/* and now to edge6 as well */
	plan(&x, BASE, GLOBAL PEERS CHECKS
	    "[service web]\n"
	    "prefix = 203.0.113.10/32\n"
	    "checks = ping, proxy\n"
	    "[service api]\n"
	    "prefix = 203.0.113.11/32\n"
	    "peers = edge4, edge6\n"
	    "med = 10\n");
	counts(&x.p.services, 1, 1, 0, 0);
	assert_int_equal(x.p.services.new_op[1], PLAN_RESET);
	plan_free(&x);
}

static void
test_plan_checks(void **state)
{
	struct pl x;

	(void)state;
	/* ping's interval changes, proxy goes, port comes; web is the same */
	plan(&x, BASE, GLOBAL PEERS
	    "[check port]\n"
	    "type = tcp\n"
	    "target = 127.0.0.1:8081\n"
	    "[check ping]\n"
	    "type = http\n"
	    "url = http://127.0.0.1:8080/ping\n"
	    "interval = 2s\n"
	    "[service web]\n"
	    "prefix = 203.0.113.10/32\n"
	    "checks = ping\n"
	    "[service api]\n"
	    "prefix = 203.0.113.11/32\n"
	    "peers = edge4\n"
	    "med = 10\n"
	    "checks = port\n");
	counts(&x.p.checks, 0, 1, 1, 1);
	assert_int_equal(x.p.checks.new_op[0], PLAN_ADD);
	assert_int_equal(x.p.checks.new_op[1], PLAN_RESET);
	assert_int_equal(x.p.checks.from[1], 0);
	assert_int_equal(x.p.checks.old_op[1], PLAN_DELETE);
	/* both services' check lists changed */
	counts(&x.p.services, 0, 2, 0, 0);
	plan_free(&x);
	/* a check's definition alone does not change its services */
	plan(&x, BASE, GLOBAL PEERS
	    "[check ping]\n"
	    "type = http\n"
	    "url = http://127.0.0.1:8080/health\n"
	    "[check proxy]\n"
	    "type = watch\n"
	    "target = 127.0.0.1:8080\n"
	    SERVICES);
	counts(&x.p.checks, 1, 1, 0, 0);
	counts(&x.p.services, 2, 0, 0, 0);
	plan_free(&x);
}

static void
test_plan_metrics_nomad_and_restart_only_keys(void **state)
{
	struct pl x;

	(void)state;
	plan(&x, BASE, "[global]\nasn = 65001\nrouter-id = 198.51.100.10\n"
	    "metrics-listen = 127.0.0.1:9179\n"
	    "control-socket-mode = 0600\n"
	    PEERS CHECKS SERVICES
	    "[service app]\n"
	    "prefix = 203.0.113.12/32\n"
	    "checks = ping\n"
	    "nomad-service = traefik\n"
	    "[nomad]\n"
	    "address = http://127.0.0.1:4646\n"
	    "alloc-id = 5b8a3f9c-0d1e-4c2b-9a7f-1e2d3c4b5a69\n");
	assert_true(x.p.metrics_restart);
	assert_false(x.p.nomad_same);
	assert_false(x.p.listen_reopen);
	assert_int_equal(x.p.nrestart_only, 1);
	assert_string_equal(x.p.restart_only[0], "control-socket-mode");
	counts(&x.p.peers, 2, 0, 0, 0);
	counts(&x.p.services, 2, 0, 1, 0);
	plan_free(&x);
}

static void
test_plan_op_names(void **state)
{
	(void)state;
	assert_string_equal(plan_op_name(PLAN_KEEP), "keep");
	assert_string_equal(plan_op_name(PLAN_RESET), "reset");
	assert_string_equal(plan_op_name(PLAN_ADD), "add");
	assert_string_equal(plan_op_name(PLAN_DELETE), "delete");
	assert_string_equal(plan_op_name(PLAN_NOPS), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_session_same_each_field),
		cmocka_unit_test(test_check_same_each_field),
		cmocka_unit_test(test_nomad_same_each_field),
		cmocka_unit_test(test_global_same_each_field),
		cmocka_unit_test(test_nomad_watch_same_each_field),
		cmocka_unit_test(test_plan_same_file_keeps_everything),
		cmocka_unit_test(test_plan_peers_by_name),
		cmocka_unit_test(test_plan_new_asn_resets_every_peer),
		cmocka_unit_test(test_plan_next_hop_keeps_the_session),
		cmocka_unit_test(test_plan_password_reopens_the_listener),
		cmocka_unit_test(test_plan_services),
		cmocka_unit_test(test_plan_service_peers_compared_by_name),
		cmocka_unit_test(test_plan_checks),
		cmocka_unit_test(test_plan_metrics_nomad_and_restart_only_keys),
		cmocka_unit_test(test_plan_op_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
