/*
 * test_community.c - the well-known communities (bgpd/community.c): the
 * names and values of the registry, both ways, and what is not one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "bgpd/community.h"

static void
test_community_names_and_values_match_the_registry(void **state)
{
	static const struct {
		const char	*name;
		uint32_t	 value;
	} want[] = {
		{ "graceful-shutdown", 0xffff0000u },
		{ "accept-own", 0xffff0001u },
		{ "llgr-stale", 0xffff0006u },
		{ "no-llgr", 0xffff0007u },
		{ "standby-pe", 0xffff0009u },
		{ "blackhole", 0xffff029au },
		{ "no-export", 0xffffff01u },
		{ "no-advertise", 0xffffff02u },
		{ "no-export-subconfed", 0xffffff03u },
		{ "no-peer", 0xffffff04u },
	};
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(community_wk_name(want[i].value),
		    want[i].name);
		assert_int_equal(community_wk_value(want[i].name, &v), 0);
		assert_int_equal(v, want[i].value);
	}
}

static void
test_community_others_have_no_name(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_null(community_wk_name(65001u << 16 | 100));
	assert_null(community_wk_name(0xffff0002u));	/* a draft's */
	assert_null(community_wk_name(0xffffff05u));
	assert_int_equal(community_wk_value("No-Export", &v), -1);
	assert_int_equal(community_wk_value("65535:65281", &v), -1);
	assert_int_equal(community_wk_value("", &v), -1);
	assert_int_equal(v, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_community_names_and_values_match_the_registry),
		cmocka_unit_test(test_community_others_have_no_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
