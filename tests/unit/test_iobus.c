/* Unit tests for src/kvm/iobus.c: range registration and dispatch. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "test_runner.h"
#include "iobus.h"

struct recorder {
	uint64_t last_off;
	uint32_t last_len;
	uint32_t writes, reads;
	uint8_t value;
};

static void rec_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct recorder *r = opaque;

	r->reads++;
	r->last_off = off;
	r->last_len = len;
	memset(data, r->value, len);
}

static void rec_write(void *opaque, uint64_t off, const void *data,
		      uint32_t len)
{
	struct recorder *r = opaque;

	r->writes++;
	r->last_off = off;
	r->last_len = len;
	r->value = *(const uint8_t *)data;
}

static const struct iobus_ops rec_ops = {.read = rec_read, .write = rec_write};
static struct iobus bus;
static struct recorder a, b;

static void setup(void)
{
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(iobus_init(&bus, "test"), 0);
	ck_assert_int_eq(iobus_register(&bus, 0x100, 8, &rec_ops, &a, "a"), 0);
	ck_assert_int_eq(iobus_register(&bus, 0x3f8, 8, &rec_ops, &b, "b"), 0);
}

static void teardown(void)
{
	iobus_destroy(&bus);
}

static const struct {
	uint64_t base, len;
	int expect;
} register_cases[] = {
	{0x100, 1, -17},		       /* same start */
	{0xfc, 8, -17},			       /* overlaps a's start */
	{0x107, 1, -17},		       /* a's last byte */
	{0xf8, 8, 0},			       /* ends just before a */
	{0x108, 0x2f0, 0},		       /* fills the gap exactly */
	{0x108, 0x2f1, -17},  {0x500, 0, -22}, /* empty */
	{UINT64_MAX, 2, -22},		       /* wraps */
	{UINT64_MAX, 1, 0},		       /* last address is fine */
};

START_TEST(test_register_table)
{
	struct recorder r;

	ck_assert_int_eq(iobus_register(&bus, register_cases[_i].base,
					register_cases[_i].len, &rec_ops, &r,
					"x"),
			 register_cases[_i].expect);
}
END_TEST

START_TEST(test_dispatch_offsets)
{
	uint8_t v = 0x5a;
	uint32_t word = 0;

	ck_assert(iobus_write(&bus, 0x3fb, &v, 1));
	ck_assert_uint_eq(b.writes, 1);
	ck_assert_uint_eq(b.last_off, 3);
	ck_assert_uint_eq(a.writes, 0);
	b.value = 0x11;
	ck_assert(iobus_read(&bus, 0x3fc, &word, 4));
	ck_assert_uint_eq(word, 0x11111111);
	ck_assert_uint_eq(b.last_len, 4);
}
END_TEST

START_TEST(test_unclaimed_and_straddling)
{
	uint32_t word = 0;
	uint8_t v = 1;

	/* nothing there: all-ones, not claimed */
	ck_assert(!iobus_read(&bus, 0x200, &word, 4));
	ck_assert_uint_eq(word, 0xffffffff);
	/* starts inside b but runs past its end */
	word = 0;
	ck_assert(!iobus_read(&bus, 0x3fe, &word, 4));
	ck_assert_uint_eq(word, 0xffffffff);
	ck_assert_uint_eq(b.reads, 0);
	ck_assert(!iobus_write(&bus, 0x0, &v, 1));
	ck_assert(!iobus_write(&bus, UINT64_MAX, &v, 1));
}
END_TEST

START_TEST(test_unregister)
{
	uint8_t v = 0;

	ck_assert_int_eq(iobus_unregister(&bus, 0x101), -2);
	ck_assert_int_eq(iobus_unregister(&bus, 0x100), 0);
	ck_assert(!iobus_read(&bus, 0x100, &v, 1));
	ck_assert(iobus_read(&bus, 0x3f8, &v, 1));
	ck_assert_int_eq(iobus_register(&bus, 0x100, 8, &rec_ops, &a, "a"), 0);
}
END_TEST

START_TEST(test_many_ranges_sorted)
{
	struct recorder r[64];
	uint8_t v;

	for (int i = 63; i >= 0; i--) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].value = (uint8_t)i;
		ck_assert_int_eq(iobus_register(&bus, 0x10000 + i * 16, 16,
						&rec_ops, &r[i], "r"),
				 0);
	}
	for (int i = 0; i < 64; i++) {
		ck_assert(iobus_read(&bus, 0x10000 + i * 16 + 15, &v, 1));
		ck_assert_uint_eq(v, i);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("iobus");
	TCase *tc = tcase_create("iobus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_register_table, 0,
			    sizeof(register_cases) / sizeof(register_cases[0]));
	tcase_add_test(tc, test_dispatch_offsets);
	tcase_add_test(tc, test_unclaimed_and_straddling);
	tcase_add_test(tc, test_unregister);
	tcase_add_test(tc, test_many_ranges_sorted);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
