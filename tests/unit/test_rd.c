/* test_rd.c - the bounds-checked reader and the writer */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/rd.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static void
test_rd_reads_network_order(void **state)
{
	struct rd r;
	uint8_t a;
	uint16_t b;
	uint32_t c;

	(void)state;
	rd_init(&r, bytes, sizeof(bytes));
	assert_int_equal(rd_u8(&r, &a), 0);
	assert_int_equal(a, 0x01);
	assert_int_equal(rd_u16(&r, &b), 0);
	assert_int_equal(b, 0x0203);
	assert_int_equal(rd_u32(&r, &c), 0);
	assert_int_equal(c, 0x04050607u);
	assert_int_equal(rd_left(&r), 0);
}

static void
test_rd_short_read_fails_and_leaves_reader_unchanged(void **state)
{
	struct rd r;
	uint32_t v = 0xdeadbeef;
	uint16_t w;
	uint8_t buf[8];

	(void)state;
	rd_init(&r, bytes, 3);
	assert_int_equal(rd_u32(&r, &v), -1);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(rd_left(&r), 3);
	assert_int_equal(rd_bytes(&r, buf, 4), -1);
	assert_int_equal(rd_skip(&r, 4), -1);
	assert_int_equal(rd_skip(&r, 2), 0);
	assert_int_equal(rd_u16(&r, &w), -1);
	assert_int_equal(rd_left(&r), 1);
}

static void
test_rd_every_short_length_fails(void **state)
{
	size_t n;
	struct rd r;
	uint32_t v;

	(void)state;
	for (n = 0; n < 4; n++) {
		rd_init(&r, bytes, n);
		assert_int_equal(rd_u32(&r, &v), -1);
		assert_int_equal(rd_left(&r), n);
	}
	rd_init(&r, NULL, 5);
	assert_int_equal(rd_left(&r), 0);
}

static void
test_rd_sub_view_cannot_reach_past_its_length(void **state)
{
	struct rd r, c;
	uint8_t v;
	uint16_t w;

	(void)state;
	rd_init(&r, bytes, sizeof(bytes));
	assert_int_equal(rd_skip(&r, 1), 0);
	assert_int_equal(rd_sub(&r, 2, &c), 0);
	assert_int_equal(rd_left(&r), 4);
	assert_int_equal(rd_u8(&c, &v), 0);
	assert_int_equal(v, 0x02);
	assert_int_equal(rd_u16(&c, &w), -1);	/* 0x03 0x04 crosses the end */
	assert_int_equal(rd_u8(&c, &v), 0);
	assert_int_equal(v, 0x03);
	assert_int_equal(rd_u8(&c, &v), -1);
	assert_int_equal(rd_sub(&r, 5, &c), -1);
	assert_int_equal(rd_sub(&r, 0xffff, &c), -1);
	assert_int_equal(rd_left(&r), 4);
}

static void
test_rd_peek_since_and_copy_rest(void **state)
{
	struct rd r, v;
	uint8_t b, out[16];

	(void)state;
	rd_init(&r, bytes, sizeof(bytes));
	assert_int_equal(rd_peek8(&r, &b), 0);
	assert_int_equal(b, 0x01);
	assert_int_equal(rd_skip(&r, 3), 0);
	assert_int_equal(rd_since(&r, 1, &v), 0);
	assert_int_equal(rd_left(&v), 2);
	assert_int_equal(rd_since(&r, 4, &v), -1);
	assert_int_equal(rd_copy_rest(&r, out, 2), 2);
	assert_int_equal(out[0], 0x04);
	assert_int_equal(rd_copy_rest(&r, out, sizeof(out)), 4);
	assert_int_equal(rd_left(&r), 4);
	assert_int_equal(rd_skip(&r, 4), 0);
	assert_int_equal(rd_peek8(&r, &b), -1);
}

static void
test_wr_writes_network_order_and_patches(void **state)
{
	uint8_t buf[16];
	static const uint8_t want[] = { 0xaa, 0x00, 0x07, 0x01, 0x02, 0x03,
	    0x04, 0xff, 0xff };
	struct wr w;
	size_t at;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0xaa);
	at = wr_mark(&w);
	wr_u16(&w, 0);
	wr_u32(&w, 0x01020304);
	wr_fill(&w, 0xff, 2);
	wr_patch_u16(&w, at, 7);
	assert_false(w.err);
	assert_int_equal(wr_mark(&w), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(wr_left(&w), sizeof(buf) - sizeof(want));
}

static void
test_wr_overflow_is_sticky(void **state)
{
	uint8_t buf[3];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	wr_u16(&w, 1);
	wr_u16(&w, 2);		/* does not fit */
	assert_true(w.err);
	wr_u8(&w, 3);		/* would fit, but the error is sticky */
	assert_true(w.err);
	assert_int_equal(wr_mark(&w), 2);
	assert_int_equal(wr_left(&w), 0);
	wr_init(&w, buf, sizeof(buf));
	wr_patch_u16(&w, 0, 1);	/* nothing written yet: out of range */
	assert_true(w.err);
}

static void
test_wr_truncate_rewinds(void **state)
{
	uint8_t buf[8];
	struct wr w;

	(void)state;
	wr_init(&w, buf, sizeof(buf));
	wr_u32(&w, 1);
	wr_truncate(&w, 1);
	assert_int_equal(wr_mark(&w), 1);
	wr_truncate(&w, 5);	/* forward is not a truncation */
	assert_int_equal(wr_mark(&w), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_reads_network_order),
		cmocka_unit_test(test_rd_short_read_fails_and_leaves_reader_unchanged),
		cmocka_unit_test(test_rd_every_short_length_fails),
		cmocka_unit_test(test_rd_sub_view_cannot_reach_past_its_length),
		cmocka_unit_test(test_rd_peek_since_and_copy_rest),
		cmocka_unit_test(test_wr_writes_network_order_and_patches),
		cmocka_unit_test(test_wr_overflow_is_sticky),
		cmocka_unit_test(test_wr_truncate_rewinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
