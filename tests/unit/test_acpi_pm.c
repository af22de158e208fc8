/* Unit tests for src/devices/acpi_pm.c: S5 powers off, other sleep types
 * do not (and wake at once), WAK_STS is write-1-to-clear, the reset value
 * reboots and no other value does. */
#include <check.h>
#include <errno.h>

#include "acpi_pm.h"
#include "fake_vm.h"
#include "test_runner.h"

#define CTL	    0x600
#define STS	    0x601
#define RST	    0x602
#define S5	    5
#define RESET_VALUE 0x01

#define SLP_EN	   0x20
#define WAK_STS	   0x80
#define SLP_TYP(t) ((t) << 2)

static struct fake_vm f;
static struct acpi_pm *pm;

static void setup(void)
{
	const struct acpi_pm_config c = {.sleep_ctl_port = CTL,
					 .sleep_sts_port = STS,
					 .reset_port = RST,
					 .reset_value = RESET_VALUE,
					 .s5_type = S5};

	fake_vm_init(&f, 0);
	pm = acpi_pm_new(&f.vm, &c);
	ck_assert_ptr_nonnull(pm);
}

static void teardown(void)
{
	acpi_pm_free(pm);
	fake_vm_destroy(&f);
}

static const struct {
	uint8_t val;
	enum vm_stop_reason stop;
	uint8_t wak_sts; /* sleep status afterwards */
} sleep_cases[] = {
	{SLP_TYP(S5) | SLP_EN, VM_STOP_POWEROFF, 0},
	{SLP_TYP(S5) | SLP_EN | 0xc3, VM_STOP_POWEROFF, 0}, /* reserved bits */
	{SLP_TYP(S5), VM_STOP_NONE, 0},			    /* no SLP_EN */
	{SLP_TYP(0) | SLP_EN, VM_STOP_NONE, WAK_STS},
	{SLP_TYP(1) | SLP_EN, VM_STOP_NONE, WAK_STS},
	{SLP_TYP(3) | SLP_EN, VM_STOP_NONE, WAK_STS},
	{SLP_TYP(4) | SLP_EN, VM_STOP_NONE, WAK_STS},
	{SLP_TYP(7) | SLP_EN, VM_STOP_NONE, WAK_STS},
	{SLP_EN | 0x03, VM_STOP_NONE, WAK_STS},
	{0xff & ~SLP_EN, VM_STOP_NONE, 0},
};

START_TEST(test_sleep_control)
{
	fake_outb(&f, CTL, sleep_cases[_i].val);
	ck_assert_int_eq(f.vm.stop_reason, sleep_cases[_i].stop);
	ck_assert_uint_eq(fake_inb(&f, STS), sleep_cases[_i].wak_sts);
	/* SLP_TYP reads back; SLP_EN is write-only. */
	ck_assert_uint_eq(fake_inb(&f, CTL), sleep_cases[_i].val & 0x1c);
}
END_TEST

/* ACPICA's acpi_hw_extended_sleep() for S3: clear WAK_STS, write SLP_TYP,
 * then SLP_TYP | SLP_EN, then poll WAK_STS. It must not spin forever. */
START_TEST(test_unsupported_sleep_wakes)
{
	int polls;

	fake_outb(&f, STS, WAK_STS);
	fake_outb(&f, CTL, SLP_TYP(3));
	fake_outb(&f, CTL, SLP_TYP(3) | SLP_EN);
	for (polls = 0; polls < 1000; polls++)
		if (fake_inb(&f, STS) & WAK_STS)
			break;
	ck_assert_int_lt(polls, 1000);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
	/* Logged once: a second attempt behaves the same. */
	fake_outb(&f, STS, WAK_STS);
	fake_outb(&f, CTL, SLP_TYP(1) | SLP_EN);
	ck_assert_uint_eq(fake_inb(&f, STS), WAK_STS);
}
END_TEST

START_TEST(test_wak_sts_write_one_to_clear)
{
	fake_outb(&f, CTL, SLP_TYP(1) | SLP_EN);
	ck_assert_uint_eq(fake_inb(&f, STS), WAK_STS);
	fake_outb(&f, STS, 0x00); /* zeros change nothing */
	ck_assert_uint_eq(fake_inb(&f, STS), WAK_STS);
	fake_outb(&f, STS, 0x7f); /* reserved bits neither */
	ck_assert_uint_eq(fake_inb(&f, STS), WAK_STS);
	fake_outb(&f, STS, WAK_STS);
	ck_assert_uint_eq(fake_inb(&f, STS), 0);
	fake_outb(&f, STS, 0xff); /* writing 1s never sets anything */
	ck_assert_uint_eq(fake_inb(&f, STS), 0);
}
END_TEST

static const struct {
	uint8_t val;
	enum vm_stop_reason stop;
} reset_cases[] = {
	{RESET_VALUE, VM_STOP_REBOOT}, {0x00, VM_STOP_NONE},
	{0x02, VM_STOP_NONE},	       {0x06, VM_STOP_NONE},
	{0x0e, VM_STOP_NONE},	       {0xff, VM_STOP_NONE},
};

START_TEST(test_reset_register)
{
	fake_outb(&f, RST, reset_cases[_i].val);
	ck_assert_int_eq(f.vm.stop_reason, reset_cases[_i].stop);
}
END_TEST

/* Only byte accesses reach the registers; a wide one straddles two
 * registers and the bus drops it. */
START_TEST(test_wide_access_dropped)
{
	fake_out(&f, CTL, (RESET_VALUE << 16) | SLP_TYP(S5) | SLP_EN, 4);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
	ck_assert_uint_eq(fake_in(&f, CTL, 2), 0xffff);
}
END_TEST

START_TEST(test_poweroff_then_reset)
{
	fake_outb(&f, CTL, SLP_TYP(S5) | SLP_EN);
	fake_outb(&f, RST, RESET_VALUE);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_POWEROFF);
}
END_TEST

START_TEST(test_create_conflict)
{
	const struct acpi_pm_config c = {.sleep_ctl_port = 0x700,
					 .sleep_sts_port = 0x701,
					 .reset_port = RST,
					 .reset_value = 1,
					 .s5_type = S5};

	ck_assert_ptr_null(acpi_pm_new(&f.vm, &c));
	ck_assert_int_eq(errno, EEXIST);
	/* The first two were released again. */
	ck_assert_uint_eq(fake_inb(&f, 0x700), 0xff);
	ck_assert_uint_eq(fake_inb(&f, 0x701), 0xff);
	/* Freeing releases all three. */
	acpi_pm_free(pm);
	pm = NULL;
	ck_assert_uint_eq(fake_inb(&f, STS), 0xff);
	fake_outb(&f, RST, RESET_VALUE);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi_pm");
	TCase *tc = tcase_create("acpi_pm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_sleep_control, 0,
			    sizeof(sleep_cases) / sizeof(sleep_cases[0]));
	tcase_add_test(tc, test_unsupported_sleep_wakes);
	tcase_add_test(tc, test_wak_sts_write_one_to_clear);
	tcase_add_loop_test(tc, test_reset_register, 0,
			    sizeof(reset_cases) / sizeof(reset_cases[0]));
	tcase_add_test(tc, test_wide_access_dropped);
	tcase_add_test(tc, test_poweroff_then_reset);
	tcase_add_test(tc, test_create_conflict);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
