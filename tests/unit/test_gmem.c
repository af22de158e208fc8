/* Unit tests for src/kvm/gmem.c: the one guest-memory translator.
 * Table-driven: every row is an access that must be allowed or refused. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "test_runner.h"
#include "gmem.h"

#define LOW_GPA	 0x0ULL
#define LOW_LEN	 0x10000ULL
#define HIGH_GPA 0x100000000ULL
#define HIGH_LEN 0x2000ULL

static struct gmem mem;
static uint8_t *low, *high;

static void setup(void)
{
	mem = (struct gmem){0};
	low = calloc(1, LOW_LEN);
	high = calloc(1, HIGH_LEN);
	ck_assert_int_eq(gmem_add_region(&mem, LOW_GPA, low, LOW_LEN), 0);
	ck_assert_int_eq(gmem_add_region(&mem, HIGH_GPA, high, HIGH_LEN), 0);
}

static void teardown(void)
{
	free(low);
	free(high);
}

static const struct {
	const char *what;
	uint64_t gpa;
	size_t len;
	int ok;
	uint64_t expect_off; /* offset into low (or high when >= HIGH_GPA) */
} cases[] = {
	{"first byte", 0, 1, 1, 0},
	{"whole low region", 0, LOW_LEN, 1, 0},
	{"last byte of low", LOW_LEN - 1, 1, 1, LOW_LEN - 1},
	{"one past low", LOW_LEN, 1, 0, 0},
	{"crosses end of low", LOW_LEN - 4, 8, 0, 0},
	{"hole between regions", 0x80000000ULL, 4, 0, 0},
	{"just below high", HIGH_GPA - 1, 2, 0, 0},
	{"start of high", HIGH_GPA, 16, 1, HIGH_GPA},
	{"whole high", HIGH_GPA, HIGH_LEN, 1, HIGH_GPA},
	{"past high", HIGH_GPA + HIGH_LEN, 1, 0, 0},
	{"gpa + len overflows", UINT64_MAX - 2, 16, 0, 0},
	{"huge len from 0", 0, SIZE_MAX, 0, 0},
	{"huge len inside", 8, SIZE_MAX - 4, 0, 0},
	{"max gpa", UINT64_MAX, 1, 0, 0},
	{"zero len in RAM", 16, 0, 1, 16},
	{"zero len outside", LOW_LEN, 0, 0, 0},
};

START_TEST(test_translate_table)
{
	void *p = gmem_ptr(&mem, cases[_i].gpa, cases[_i].len);

	if (!cases[_i].ok) {
		ck_assert_msg(p == NULL, "%s: expected refusal",
			      cases[_i].what);
		return;
	}
	ck_assert_msg(p != NULL, "%s: expected a pointer", cases[_i].what);
	if (cases[_i].expect_off >= HIGH_GPA)
		ck_assert_ptr_eq(p, high + (cases[_i].gpa - HIGH_GPA));
	else
		ck_assert_ptr_eq(p, low + cases[_i].gpa);
}
END_TEST

START_TEST(test_read_write_roundtrip)
{
	uint32_t v = 0xdeadbeef, r = 0;

	ck_assert_int_eq(gmem_write(&mem, HIGH_GPA + 4, &v, sizeof(v)), 0);
	ck_assert_int_eq(gmem_read(&mem, HIGH_GPA + 4, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r, v);
	ck_assert_int_eq(gmem_write(&mem, LOW_LEN - 2, &v, sizeof(v)), -14);
	ck_assert_int_eq(
		gmem_read(&mem, HIGH_GPA + HIGH_LEN - 2, &r, sizeof(r)), -14);
}
END_TEST

START_TEST(test_add_region_rejects_bad)
{
	uint8_t buf[16];

	/* overlapping an existing region, empty, wrapping */
	ck_assert_int_lt(gmem_add_region(&mem, LOW_LEN - 1, buf, 16), 0);
	ck_assert_int_lt(gmem_add_region(&mem, 0x200000, buf, 0), 0);
	ck_assert_int_lt(gmem_add_region(&mem, UINT64_MAX - 4, buf, 16), 0);
	ck_assert_int_lt(gmem_add_region(&mem, 0x200000, NULL, 16), 0);
	ck_assert_uint_eq(gmem_total(&mem), LOW_LEN + HIGH_LEN);
}
END_TEST

START_TEST(test_region_limit)
{
	struct gmem m = {0};
	uint8_t buf[GMEM_MAX_REGIONS + 1];

	for (int i = 0; i < GMEM_MAX_REGIONS; i++)
		ck_assert_int_eq(gmem_add_region(&m, i * 0x1000, &buf[i], 1),
				 0);
	ck_assert_int_lt(gmem_add_region(&m, 0x100000, buf, 1), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gmem");
	TCase *tc = tcase_create("gmem");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_translate_table, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_read_write_roundtrip);
	tcase_add_test(tc, test_add_region_rejects_bad);
	tcase_add_test(tc, test_region_limit);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
