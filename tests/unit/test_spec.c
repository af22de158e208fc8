/* test_spec: the pieces of a device option: fields split in place, on/off
 * and number values, transport names and their messages. */
#include <check.h>
#include <limits.h>
#include <string.h>

#include "spec.h"
#include "test_runner.h"

START_TEST(test_fields)
{
	char buf[] = "readonly=on,serial=a=b,,bare,x=";
	char *cursor = buf, *key, *v;

	key = spec_next_field(&cursor, &v);
	ck_assert_str_eq(key, "readonly");
	ck_assert_str_eq(v, "on");
	key = spec_next_field(&cursor, &v);
	ck_assert_str_eq(key, "serial");
	ck_assert_str_eq(v, "a=b"); /* only the first '=' splits */
	key = spec_next_field(&cursor, &v);
	ck_assert_str_eq(key, ""); /* an empty field is a key, and bad */
	ck_assert_ptr_null(v);
	key = spec_next_field(&cursor, &v);
	ck_assert_str_eq(key, "bare");
	ck_assert_ptr_null(v);
	key = spec_next_field(&cursor, &v);
	ck_assert_str_eq(key, "x");
	ck_assert_str_eq(v, "");
	ck_assert_ptr_null(spec_next_field(&cursor, &v));
	ck_assert_ptr_null(spec_next_field(&cursor, &v)); /* stays at end */
	cursor = NULL;
	ck_assert_ptr_null(spec_next_field(&cursor, &v));
}
END_TEST

START_TEST(test_on_off)
{
	static const char *const on[] = {"on", "yes", "1"};
	static const char *const off[] = {"off", "no", "0"};
	static const char *const bad[] = {"", "ON", "true", "2", " on"};
	bool b = false;

	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(spec_on_off(on[i], &b), 0);
		ck_assert(b);
		ck_assert_int_eq(spec_on_off(off[i], &b), 0);
		ck_assert(!b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = true;
		ck_assert_int_eq(spec_on_off(bad[i], &b), -1);
		ck_assert(b); /* unchanged */
	}
	ck_assert_int_eq(spec_on_off(NULL, &b), -1);
}
END_TEST

START_TEST(test_uint)
{
	unsigned long n = 7;

	ck_assert_int_eq(spec_uint("0", 5, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(spec_uint("16", 16, &n), 0);
	ck_assert_uint_eq(n, 16);
	n = 7;
	ck_assert_int_eq(spec_uint("17", 16, &n), -1);
	ck_assert_int_eq(spec_uint("-1", ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint("+1", ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint(" 1", ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint("1k", ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint("", ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint(NULL, ULONG_MAX, &n), -1);
	ck_assert_int_eq(spec_uint("99999999999999999999999", ULONG_MAX, &n),
			 -1);
	ck_assert_uint_eq(n, 7); /* unchanged by every failure */
}
END_TEST

START_TEST(test_transport)
{
	enum machine_transport t = MACHINE_TRANSPORT_MMIO;
	char err[256] = "";

	ck_assert_int_eq(spec_transport("--x", "pci", &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t, MACHINE_TRANSPORT_PCI);
	ck_assert_int_eq(spec_transport("--x", "mmio", &t, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(t, MACHINE_TRANSPORT_MMIO);
	ck_assert_str_eq(err, "");

	ck_assert_int_eq(spec_transport("--x", "ccw", &t, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "--x: transport 'ccw' is not "
					  "available on x86 guests"));
	ck_assert_int_eq(spec_transport("--y", "PCI", &t, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err,
			 "--y: unknown transport 'PCI' (known: pci, mmio)");
	ck_assert_int_eq(spec_transport("--z", NULL, &t, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "--z: unknown transport '' (known: pci, mmio)");
	ck_assert_uint_eq(t, MACHINE_TRANSPORT_MMIO); /* unchanged */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("spec");

	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_on_off);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_transport);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
