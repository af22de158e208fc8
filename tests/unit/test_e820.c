/* Unit tests for src/vmm/e820.c and the RAM split in machine.c. */
#include <check.h>

#include <asm/e820.h>

#include "e820.h"
#include "layout.h"
#include "machine.h"
#include "options.h"
#include "test_runner.h"

static struct machine describe(uint64_t mem)
{
	struct vmm_options o = {.memory = mem, .cpus = 1};
	struct machine m;

	machine_describe(&m, &o);
	return m;
}

static uint64_t ram_in(const struct boot_e820_entry *t, int n)
{
	uint64_t sum = 0;

	for (int i = 0; i < n; i++)
		if (t[i].type == E820_RAM)
			sum += t[i].size;
	return sum;
}

static const uint64_t memories[] = {
	16ULL << 20,	     256ULL << 20, 512ULL << 20, 3ULL << 30,
	(3ULL << 30) + 4096, 4ULL << 30,   64ULL << 30,
};

START_TEST(test_map_table)
{
	struct machine m = describe(memories[_i]);
	struct boot_e820_entry t[8];
	int n = e820_build(&m, t, 8);

	ck_assert_int_ge(n, 3);
	/* RAM adds up to what the guest has, minus the reserved BIOS area */
	ck_assert_uint_eq(ram_in(t, n) + (LAYOUT_KERNEL_GPA - LAYOUT_EBDA_GPA),
			  memories[_i]);
	/* sorted, non-overlapping, nothing inside the PCI hole */
	for (int i = 1; i < n; i++)
		ck_assert_uint_ge(t[i].addr, t[i - 1].addr + t[i - 1].size);
	for (int i = 0; i < n; i++)
		ck_assert(t[i].type != E820_RAM ||
			  t[i].addr + t[i].size <= LAYOUT_PCI_HOLE_START ||
			  t[i].addr >= LAYOUT_HIGH_RAM_GPA);
	/* the ACPI tables' area is reserved, not RAM */
	ck_assert_uint_eq(t[1].type, E820_RESERVED);
	ck_assert_uint_le(t[1].addr, LAYOUT_ACPI_GPA);
	ck_assert_uint_ge(t[1].addr + t[1].size,
			  LAYOUT_ACPI_GPA + LAYOUT_ACPI_SIZE);
	ck_assert_int_eq(n, memories[_i] > LAYOUT_PCI_HOLE_START ? 4 : 3);
}
END_TEST

START_TEST(test_split_around_hole)
{
	struct machine m = describe(4ULL << 30);

	ck_assert_uint_eq(m.low_ram_end, LAYOUT_PCI_HOLE_START);
	ck_assert_uint_eq(m.high_ram_size, 1ULL << 30);
	m = describe(256ULL << 20);
	ck_assert_uint_eq(m.low_ram_end, 256ULL << 20);
	ck_assert_uint_eq(m.high_ram_size, 0);
}
END_TEST

START_TEST(test_ecam_reserved_with_pci)
{
	struct machine m = describe(8ULL << 30);
	struct boot_e820_entry t[8];
	int n;

	m.pci.present = 1;
	m.pci.ecam_gpa = LAYOUT_PCI_ECAM_GPA;
	m.pci.ecam_len = LAYOUT_PCI_ECAM_LEN;
	n = e820_build(&m, t, 8);
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(t[3].addr, LAYOUT_PCI_ECAM_GPA);
	ck_assert_uint_eq(t[3].size, LAYOUT_PCI_ECAM_LEN);
	ck_assert_uint_eq(t[3].type, E820_RESERVED);
	for (int i = 1; i < n; i++)
		ck_assert_uint_ge(t[i].addr, t[i - 1].addr + t[i - 1].size);
}
END_TEST

START_TEST(test_table_too_small)
{
	struct machine m = describe(8ULL << 30);
	struct boot_e820_entry t[3];

	ck_assert_int_eq(e820_build(&m, t, 3), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("e820");
	TCase *tc = tcase_create("e820");

	tcase_add_loop_test(tc, test_map_table, 0,
			    sizeof(memories) / sizeof(memories[0]));
	tcase_add_test(tc, test_split_around_hole);
	tcase_add_test(tc, test_table_too_small);
	tcase_add_test(tc, test_ecam_reserved_with_pci);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
