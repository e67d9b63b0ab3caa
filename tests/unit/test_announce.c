/* test_announce.c - what a service's prefixes look like to each peer */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nomcastd/announce.h"

struct fixture {
	struct conf	c;
	struct conf_peer ebgp, ibgp;
	struct conf_service svc;
	bool		use[2];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.c.bgp.asn = 65001;
	addr_parse("198.51.100.1", &f.ebgp.addr);
	f.ebgp.asn = 65000;
	addr_parse("198.51.100.3", &f.ibgp.addr);
	f.ibgp.asn = 65001;
	strcpy(f.svc.name, "web");
	f.svc.origin = ORIGIN_IGP;
	f.svc.ncomm = 2;
	f.svc.comm[0] = 65001u << 16 | 200;	/* unsorted on purpose */
	f.svc.comm[1] = 65001u << 16 | 100;
	f.svc.nlcomm = 1;
	f.svc.lcomm[0] = (struct lcommunity){ 65001, 1, 2 };
	f.svc.has_med = true;
	f.svc.med = 50;
	f.svc.all_peers = true;
	*state = &f;
	return 0;
}

static void
test_announce_ebgp_prepends_own_as_and_uses_session_address(void **state)
{
	struct fixture *f = *state;
	struct bgp_attrs a;
	struct addr local;

	addr_parse("198.51.100.2", &local);
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	assert_int_equal(a.aspath_len, 1);
	assert_int_equal(a.aspath[0], 65001);
	assert_false(a.has_local_pref);
	assert_true(addr_equal(&a.nh4, &local));
	assert_true(a.has_med);
	assert_int_equal(a.med, 50);
	assert_int_equal(a.ncomm, 2);
	assert_int_equal(a.comm[0], 65001u << 16 | 100);	/* sorted */
	assert_int_equal(a.comm[1], 65001u << 16 | 200);
	assert_int_equal(a.nlcomm, 1);
	assert_int_equal(a.lcomm[0].local2, 2);
}

static void
test_announce_ibgp_sends_empty_aspath_and_local_pref(void **state)
{
	struct fixture *f = *state;
	struct bgp_attrs a;
	struct addr local;

	addr_parse("198.51.100.2", &local);
	assert_int_equal(announce_attrs(&f->c, &f->ibgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	assert_int_equal(a.aspath_len, 0);
	assert_true(a.has_local_pref);
	assert_int_equal(a.local_pref, 100);
	f->svc.has_local_pref = true;
	f->svc.local_pref = 300;
	assert_int_equal(announce_attrs(&f->c, &f->ibgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	assert_int_equal(a.local_pref, 300);
}

static void
test_announce_configured_next_hop_wins(void **state)
{
	struct fixture *f = *state;
	struct bgp_attrs a;
	struct addr local, nh;

	addr_parse("198.51.100.2", &local);
	addr_parse("198.51.100.9", &f->ebgp.next_hop);
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	addr_parse("198.51.100.9", &nh);
	assert_true(addr_equal(&a.nh4, &nh));
}

static void
test_announce_ipv6_needs_a_v6_next_hop(void **state)
{
	struct fixture *f = *state;
	struct bgp_attrs a;
	struct addr local4, local6, ll;

	addr_parse("198.51.100.2", &local4);
	addr_parse("2001:db8:1::2", &local6);
	/* an IPv4 session has no IPv6 next hop of its own */
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local4,
	    AFI_IPV6, &a), -1);
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, NULL,
	    AFI_IPV4, &a), -1);
	/* an IPv6 session uses its local address */
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local6,
	    AFI_IPV6, &a), 0);
	assert_true(addr_equal(&a.nh6, &local6));
	assert_false(addr_is_set(&a.nh6_ll));
	/* configured next-hop6 and link-local */
	addr_parse("2001:db8:1::9", &f->ebgp.next_hop6);
	addr_parse("fe80::9", &f->ebgp.next_hop6_ll);
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local4,
	    AFI_IPV6, &a), 0);
	assert_true(addr_equal(&a.nh6, &f->ebgp.next_hop6));
	addr_parse("fe80::9", &ll);
	assert_true(addr_equal(&a.nh6_ll, &ll));
}

static void
test_announce_uses_peer_by_list(void **state)
{
	struct fixture *f = *state;

	assert_true(announce_uses_peer(&f->svc, 1));
	f->svc.all_peers = false;
	f->svc.use_peer = f->use;
	f->use[0] = false;
	f->use[1] = true;
	assert_false(announce_uses_peer(&f->svc, 0));
	assert_true(announce_uses_peer(&f->svc, 1));
}

static void
test_announce_degrade_worsens_med_path_and_communities(void **state)
{
	struct fixture *f = *state;
	struct bgp_attrs a;
	struct addr local;

	addr_parse("198.51.100.2", &local);
	f->svc.has_degrade_med = true;
	f->svc.degrade_med = 1000;
	f->svc.degrade_prepend = 3;
	f->svc.ndegrade_comm = 2;
	f->svc.degrade_comm[0] = 65001u << 16 | 666;
	f->svc.degrade_comm[1] = 65001u << 16 | 100;	/* already there */
	assert_int_equal(announce_attrs(&f->c, &f->ebgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	announce_degrade(&f->c, &f->svc, false, &a);
	assert_int_equal(a.med, 1000);
	assert_int_equal(a.aspath_len, 4);
	assert_int_equal(a.aspath[3], 65001);
	assert_int_equal(a.ncomm, 3);
	assert_int_equal(a.comm[0], 65001u << 16 | 100);
	assert_int_equal(a.comm[1], 65001u << 16 | 200);
	assert_int_equal(a.comm[2], 65001u << 16 | 666);
	/* iBGP: no prepend, the AS_PATH stays empty */
	assert_int_equal(announce_attrs(&f->c, &f->ibgp, &f->svc, &local,
	    AFI_IPV4, &a), 0);
	announce_degrade(&f->c, &f->svc, true, &a);
	assert_int_equal(a.aspath_len, 0);
	assert_int_equal(a.med, 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_announce_ebgp_prepends_own_as_and_uses_session_address, setup),
		cmocka_unit_test_setup(test_announce_ibgp_sends_empty_aspath_and_local_pref, setup),
		cmocka_unit_test_setup(test_announce_configured_next_hop_wins, setup),
		cmocka_unit_test_setup(test_announce_ipv6_needs_a_v6_next_hop, setup),
		cmocka_unit_test_setup(test_announce_uses_peer_by_list, setup),
		cmocka_unit_test_setup(test_announce_degrade_worsens_med_path_and_communities, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
