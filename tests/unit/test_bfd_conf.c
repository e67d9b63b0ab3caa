/*
 * test_bfd_conf.c - the bfd* keys of a [peer] section (bfd/bfd_conf.c):
 * defaults, values, the checks across keys, and what a reload may change
 * without a new BFD session.
 */
#include <stdio.h>

#include "conf_fixture.h"

/* lines 12-15: a peer with BFD on, keys from line 16 */
#define PEER_B \
	"[peer b]\n"				/* 12 */ \
	"address = 192.0.2.7\n"			/* 13 */ \
	"asn = 64999\n"				/* 14 */ \
	"bfd = yes\n"				/* 15 */

static void
load(const char *text, struct conf *c)
{
	struct conf_diag d;
	size_t i;

	if (conf_load_string("t.ini", text, c, &d) != 0 || d.n != 0) {
		for (i = 0; i < d.n; i++)
			print_message("got: %s\n", d.lines[i]);
		fail_msg("%zu diagnostics", d.n);
	}
	conf_diag_free(&d);
}

static void
test_bfd_conf_defaults(void **state)
{
	struct conf c;
	const struct conf_bfd *b;

	(void)state;
	load(BASE PEER_B, &c);
	assert_int_equal(c.npeers, 3);
	assert_false(c.peer_bfd[0].enabled);	/* edge4: no bfd */
	b = &c.peer_bfd[2];
	assert_true(b->enabled);
	assert_int_equal(b->line, 15);
	assert_int_equal(b->timers.desired_min_tx_us, 100000);
	assert_int_equal(b->timers.required_min_rx_us, 100000);
	assert_int_equal(b->timers.detect_mult, 3);
	assert_false(b->keyed);
	assert_false(b->strict);
	assert_int_equal(b->hold_down_ms, 2000);
	assert_int_equal(b->max_hops, 0);
	conf_free(&c);
}

static void
test_bfd_conf_values(void **state)
{
	struct conf c;
	const struct conf_bfd *b;

	(void)state;
	load(BASE PEER_B "bfd-interval = 50ms\nbfd-min-rx = 20ms\n"
	    "bfd-multiplier = 5\nbfd-password = s3cret\nbfd-auth = sha1\n"
	    "bfd-key-id = 7\nbfd-strict = yes\nbfd-hold-down = 10s\n"
	    "multihop = 4\n", &c);
	b = &c.peer_bfd[2];
	assert_int_equal(b->timers.desired_min_tx_us, 50000);
	assert_int_equal(b->timers.required_min_rx_us, 20000);
	assert_int_equal(b->timers.detect_mult, 5);
	assert_true(b->keyed);
	assert_int_equal(b->key.type, BFD_AUTH_SHA1);
	assert_int_equal(b->key.id, 7);
	assert_int_equal(b->key.secret_len, 6);
	assert_memory_equal(b->key.secret, "s3cret", 6);
	assert_true(b->strict);
	assert_int_equal(b->hold_down_ms, 10000);
	assert_int_equal(b->max_hops, 4);
	conf_free(&c);
	/* a password alone: meticulous keyed SHA1, key id 1 */
	load(BASE PEER_B "bfd-password = k\n", &c);
	b = &c.peer_bfd[2];
	assert_int_equal(b->key.type, BFD_AUTH_MET_SHA1);
	assert_int_equal(b->key.id, 1);
	conf_free(&c);
}

static void
test_bfd_conf_bad_values(void **state)
{
	(void)state;
	EXPECT_ERR(BASE PEER_B "bfd-interval = 5ms\nbfd-min-rx = 11s\n"
	    "bfd-multiplier = 0\nbfd-auth = md4\nbfd-key-id = 256\n"
	    "bfd-strict = maybe\nbfd = sometimes\n",
	    "t.ini:16: bfd-interval: 5ms is below 10ms",
	    "t.ini:17: bfd-min-rx: '11s' out of range (at most 10s)",
	    "t.ini:18: bfd-multiplier: 0 out of range (1..255)",
	    "t.ini:19: bfd-auth: 'md4' is not password, md5, "
	    "meticulous-md5, sha1 or meticulous-sha1",
	    "t.ini:19: bfd-auth needs bfd-password",
	    "t.ini:20: bfd-key-id: 256 out of range (0..255)",
	    "t.ini:21: bfd-strict: 'maybe' is not yes or no",
	    "t.ini:22: duplicate key 'bfd' (first at line 15)");
}

static void
test_bfd_conf_keys_need_bfd(void **state)
{
	(void)state;
	/* every bfd* key without bfd = yes is an error at its line */
	EXPECT_ERR(BASE "[peer z]\naddress = 192.0.2.7\nasn = 64999\n"
	    "bfd-interval = 50ms\nbfd-strict = yes\nbfd = no\n"
	    "bfd-password = x\n",
	    "t.ini:15: bfd-interval needs bfd = yes",
	    "t.ini:16: bfd-strict needs bfd = yes",
	    "t.ini:18: bfd-password needs bfd = yes");
}

static void
test_bfd_conf_key_checks(void **state)
{
	(void)state;
	EXPECT_ERR(BASE PEER_B "bfd-auth = sha1\n",
	    "t.ini:16: bfd-auth needs bfd-password");
	EXPECT_ERR(BASE PEER_B "bfd-key-id = 3\n",
	    "t.ini:16: bfd-key-id needs bfd-password");
	/* 17 octets: too long for MD5 (16), fine for SHA1 (20) */
	EXPECT_ERR(BASE PEER_B "bfd-auth = md5\n"
	    "bfd-password = 0123456789abcdefg\n",
	    "t.ini:17: bfd-password: secret longer than 16 bytes for "
	    "bfd-auth md5");
	EXPECT_WARN(BASE PEER_B "bfd-auth = sha1\n"
	    "bfd-password = 0123456789abcdefg\n", NULL);
	EXPECT_ERR(BASE PEER_B "bfd-password = 0123456789abcdefghijk\n",
	    "t.ini:16: bfd-password: secret longer than 20 bytes for "
	    "bfd-auth meticulous-sha1");
}

static void
test_bfd_conf_detection_against_hold_time(void **state)
{
	(void)state;
	/* 3 x 1 s = 3 s: not shorter than a 3 s hold time */
	EXPECT_WARN(BASE PEER_B "hold-time = 3\nbfd-interval = 1s\n",
	    "t.ini:15: warning: bfd: detection time 3000ms is not shorter "
	    "than hold-time 3s: BFD adds nothing");
	EXPECT_WARN(BASE PEER_B "hold-time = 3\nbfd-interval = 999ms\n",
	    NULL);
}

static void
test_bfd_conf_same(void **state)
{
	struct conf c;
	struct conf_bfd a, b;

	(void)state;
	load(BASE PEER_B "bfd-password = k\n", &c);
	a = c.peer_bfd[2];
	conf_free(&c);
	b = a;
	assert_true(conf_bfd_same(&a, &b));
	/* timers, strict and hold-down: the same session, changed */
	b.timers.desired_min_tx_us = 50000;
	assert_true(conf_bfd_session_same(&a, &b));
	assert_false(conf_bfd_same(&a, &b));
	b = a;
	b.timers.detect_mult = 5;
	assert_true(conf_bfd_session_same(&a, &b));
	assert_false(conf_bfd_same(&a, &b));
	b = a;
	b.strict = true;
	assert_true(conf_bfd_session_same(&a, &b));
	assert_false(conf_bfd_same(&a, &b));
	b = a;
	b.hold_down_ms = 1;
	assert_true(conf_bfd_session_same(&a, &b));
	assert_false(conf_bfd_same(&a, &b));
	/* the key or the hop count: a new session */
	b = a;
	b.key.secret[0] = 'x';
	assert_false(conf_bfd_session_same(&a, &b));
	b = a;
	b.key.id = 9;
	assert_false(conf_bfd_session_same(&a, &b));
	b = a;
	b.max_hops = 2;
	assert_false(conf_bfd_session_same(&a, &b));
	b = a;
	b.enabled = false;
	assert_false(conf_bfd_session_same(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bfd_conf_defaults),
		cmocka_unit_test(test_bfd_conf_values),
		cmocka_unit_test(test_bfd_conf_bad_values),
		cmocka_unit_test(test_bfd_conf_keys_need_bfd),
		cmocka_unit_test(test_bfd_conf_key_checks),
		cmocka_unit_test(test_bfd_conf_detection_against_hold_time),
		cmocka_unit_test(test_bfd_conf_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
