/* test_prefix.c - addresses and prefixes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/prefix.h"

static void
test_prefix_parses_v4_and_v6_host_routes(void **state)
{
	struct prefix p;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(prefix_parse("203.0.113.10/32", &p), 0);
	assert_int_equal(p.afi, AFI_IPV4);
	assert_int_equal(p.len, 32);
	assert_true(prefix_is_host(&p));
	assert_string_equal(prefix_str(&p, buf, sizeof(buf)),
	    "203.0.113.10/32");
	assert_int_equal(prefix_parse("2001:db8:100::10", &p), 0);
	assert_int_equal(p.afi, AFI_IPV6);
	assert_int_equal(p.len, 128);
	assert_string_equal(prefix_str(&p, buf, sizeof(buf)),
	    "2001:db8:100::10/128");
}

static void
test_prefix_rejects_host_bits_and_bad_syntax(void **state)
{
	struct prefix p;

	(void)state;
	assert_int_equal(prefix_parse("203.0.113.10/24", &p), -2);
	assert_int_equal(prefix_parse("2001:db8::1/64", &p), -2);
	assert_int_equal(prefix_parse("203.0.113.0/24", &p), 0);
	assert_int_equal(prefix_parse("203.0.113.0/33", &p), -1);
	assert_int_equal(prefix_parse("2001:db8::/129", &p), -1);
	assert_int_equal(prefix_parse("203.0.113.0/", &p), -1);
	assert_int_equal(prefix_parse("203.0.113.0/-1", &p), -1);
	assert_int_equal(prefix_parse("203.0.113.0/2x", &p), -1);
	assert_int_equal(prefix_parse("/32", &p), -1);
	assert_int_equal(prefix_parse("example.com/32", &p), -1);
	assert_int_equal(prefix_parse("", &p), -1);
	assert_int_equal(prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
}

static void
test_prefix_orders_by_family_address_length(void **state)
{
	struct prefix a, b, c, d;

	(void)state;
	prefix_parse("203.0.113.1/32", &a);
	prefix_parse("203.0.113.2/32", &b);
	prefix_parse("203.0.113.0/24", &c);
	prefix_parse("::1/128", &d);
	assert_int_equal(prefix_cmp(&a, &b), -1);
	assert_int_equal(prefix_cmp(&b, &a), 1);
	assert_int_equal(prefix_cmp(&a, &a), 0);
	assert_int_equal(prefix_cmp(&c, &a), -1);
	assert_int_equal(prefix_cmp(&a, &d), -1);
}

static void
test_addr_parse_format_equal(void **state)
{
	struct addr a, b;
	struct prefix p;
	char buf[PREFIX_STRLEN];

	(void)state;
	assert_int_equal(addr_parse("198.51.100.1", &a), 0);
	assert_true(addr_is_set(&a));
	assert_string_equal(addr_str(&a, buf, sizeof(buf)), "198.51.100.1");
	assert_int_equal(addr_parse("198.51.100.1", &b), 0);
	assert_true(addr_equal(&a, &b));
	assert_int_equal(addr_parse("198.51.100.2", &b), 0);
	assert_false(addr_equal(&a, &b));
	assert_int_equal(addr_parse("198.51.100.256", &b), -1);
	assert_false(addr_is_set(&b));
	assert_string_equal(addr_str(&b, buf, sizeof(buf)), "-");
	prefix_host(&a, &p);
	assert_int_equal(p.len, 32);
	assert_int_equal(prefix_wire_bytes(32), 4);
	assert_int_equal(prefix_wire_bytes(25), 4);
	assert_int_equal(prefix_wire_bytes(0), 0);
	assert_int_equal(prefix_wire_bytes(128), 16);
}

static void
test_addr_sockaddr_round_trip_and_v4_mapped(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct addr a, b;

	(void)state;
	addr_parse("198.51.100.7", &a);
	assert_int_equal(addr_to_sockaddr(&a, 179, &ss),
	    sizeof(struct sockaddr_in));
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 179);
	addr_from_sockaddr(&ss, &b);
	assert_true(addr_equal(&a, &b));
	addr_parse("2001:db8::7", &a);
	assert_int_equal(addr_to_sockaddr(&a, 1179, &ss),
	    sizeof(struct sockaddr_in6));
	addr_from_sockaddr(&ss, &b);
	assert_true(addr_equal(&a, &b));
	/* what a dual-stack listener reports for an IPv4 peer */
	addr_parse("::ffff:198.51.100.7", &a);
	addr_to_sockaddr(&a, 0, &ss);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	addr_from_sockaddr(&ss, &b);
	assert_int_equal(b.afi, AFI_IPV4);
	addr_parse("198.51.100.7", &a);
	assert_true(addr_equal(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parses_v4_and_v6_host_routes),
		cmocka_unit_test(test_prefix_rejects_host_bits_and_bad_syntax),
		cmocka_unit_test(test_prefix_orders_by_family_address_length),
		cmocka_unit_test(test_addr_parse_format_equal),
		cmocka_unit_test(test_addr_sockaddr_round_trip_and_v4_mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
