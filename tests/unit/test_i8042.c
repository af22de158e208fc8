/* Unit tests for src/devices/i8042.c: the reset commands stop the VM with
 * VM_STOP_REBOOT, every other command does not, and the status and data
 * ports answer as Linux's reboot code and i8042 driver expect. */
#include <check.h>
#include <errno.h>

#include "fake_vm.h"
#include "i8042.h"
#include "test_runner.h"

#define DATA 0x60
#define CMD  0x64

#define STR_OBF	    0x01
#define STR_IBF	    0x02
#define STR_SYSFLAG 0x04

static struct fake_vm f;
static struct i8042 *k;

static void setup(void)
{
	fake_vm_init(&f, 0);
	k = i8042_new(&f.vm, DATA, CMD);
	ck_assert_ptr_nonnull(k);
}

static void teardown(void)
{
	i8042_free(k);
	fake_vm_destroy(&f);
}

/* A write sequence: a byte with CMD set goes to the command port, the rest
 * to the data port. */
#define C(x) (0x100 | (x))
#define END  0xffff

static const struct {
	const char *what;
	uint16_t seq[4];
	enum vm_stop_reason stop;
} cases[] = {
	{"pulse reset (0xfe)", {C(0xfe), END}, VM_STOP_REBOOT},
	{"pulse all lines (0xf0)", {C(0xf0), END}, VM_STOP_REBOOT},
	{"pulse bits 1-3 only (0xf1)", {C(0xf1), END}, VM_STOP_NONE},
	{"pulse nothing (0xff)", {C(0xff), END}, VM_STOP_NONE},
	{"write output port, reset low", {C(0xd1), 0xfe, END}, VM_STOP_REBOOT},
	{"write output port, reset low (0)",
	 {C(0xd1), 0x00, END},
	 VM_STOP_REBOOT},
	{"write output port, reset high", {C(0xd1), 0x03, END}, VM_STOP_NONE},
	{"0xd1 cancelled by a command",
	 {C(0xd1), C(0x20), 0x00, END},
	 VM_STOP_NONE},
	{"data byte for the keyboard", {0xfe, 0x00, END}, VM_STOP_NONE},
	{"read config", {C(0x20), END}, VM_STOP_NONE},
	{"write config", {C(0x60), 0x00, END}, VM_STOP_NONE},
	{"self test", {C(0xaa), END}, VM_STOP_NONE},
	{"disable/enable keyboard", {C(0xad), C(0xae), END}, VM_STOP_NONE},
	{"unknown commands", {C(0x00), C(0xc0), C(0xe0), END}, VM_STOP_NONE},
};

START_TEST(test_commands)
{
	for (const uint16_t *p = cases[_i].seq; *p != END; p++)
		fake_outb(&f, *p & 0x100 ? CMD : DATA, (uint8_t)*p);
	ck_assert_msg(f.vm.stop_reason == cases[_i].stop, "%s: stop %d",
		      cases[_i].what, f.vm.stop_reason);
	if (cases[_i].stop == VM_STOP_REBOOT)
		ck_assert_int_eq(f.vm.stop_status, 0);
	/* The input buffer is never full, whatever happened. */
	ck_assert_uint_eq(fake_inb(&f, CMD) & STR_IBF, 0);
}
END_TEST

/* native_machine_emergency_restart(), BOOT_KBD: up to ten times, wait for
 * IBF to clear (kb_wait) and pulse the reset line. */
START_TEST(test_linux_reboot_loop)
{
	int i, tries;

	for (i = 0; i < 10 && f.vm.stop_reason == VM_STOP_NONE; i++) {
		for (tries = 0; tries < 0x10000; tries++)
			if (!(fake_inb(&f, CMD) & STR_IBF))
				break;
		ck_assert_int_eq(tries, 0);
		fake_outb(&f, CMD, 0xfe);
	}
	ck_assert_int_eq(i, 1);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_REBOOT);
}
END_TEST

START_TEST(test_status_and_output_buffer)
{
	uint8_t ctr;

	ck_assert_uint_eq(fake_inb(&f, CMD) & (STR_OBF | STR_IBF), 0);
	ck_assert_uint_eq(fake_inb(&f, CMD) & STR_SYSFLAG, STR_SYSFLAG);
	/* Read config: a plausible byte (system flag set, no interrupts
	 * enabled: there is no keyboard to interrupt for). */
	fake_outb(&f, CMD, 0x20);
	ck_assert_uint_eq(fake_inb(&f, CMD) & STR_OBF, STR_OBF);
	ctr = fake_inb(&f, DATA);
	ck_assert_uint_eq(ctr & 0x04, 0x04);
	ck_assert_uint_eq(ctr & 0x03, 0);
	ck_assert_uint_eq(fake_inb(&f, CMD) & STR_OBF, 0);
	/* Write config, read it back. */
	fake_outb(&f, CMD, 0x60);
	fake_outb(&f, DATA, 0x47);
	fake_outb(&f, CMD, 0x20);
	ck_assert_uint_eq(fake_inb(&f, DATA), 0x47);
	/* Disabling the keyboard shows in the config byte. */
	fake_outb(&f, CMD, 0xad);
	fake_outb(&f, CMD, 0x20);
	ck_assert_uint_eq(fake_inb(&f, DATA) & 0x10, 0x10);
	/* Self test and keyboard port test answer like a working chip. */
	fake_outb(&f, CMD, 0xaa);
	ck_assert_uint_eq(fake_inb(&f, DATA), 0x55);
	fake_outb(&f, CMD, 0xab);
	ck_assert_uint_eq(fake_inb(&f, DATA), 0x00);
	/* Output port: reset and A20 high. */
	fake_outb(&f, CMD, 0xd0);
	ck_assert_uint_eq(fake_inb(&f, DATA) & 0x03, 0x03);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

/* A reboot request after another stop does not replace it. */
START_TEST(test_first_stop_wins)
{
	kvm_vm_request_stop(&f.vm, VM_STOP_POWEROFF, 0);
	fake_outb(&f, CMD, 0xfe);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_POWEROFF);
}
END_TEST

START_TEST(test_create_conflict)
{
	struct i8042 *other;

	/* The data port is free but the command port is taken: nothing is
	 * left claimed. */
	ck_assert_ptr_null(i8042_new(&f.vm, 0x61, CMD));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_null(i8042_new(&f.vm, DATA, 0x66));
	ck_assert_int_eq(errno, EEXIST);
	other = i8042_new(&f.vm, 0x61, 0x65);
	ck_assert_ptr_nonnull(other);
	i8042_free(other);
	i8042_free(NULL);
	ck_assert_uint_eq(fake_inb(&f, 0x65), 0xff);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("i8042");
	TCase *tc = tcase_create("i8042");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_commands, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_linux_reboot_loop);
	tcase_add_test(tc, test_status_and_output_buffer);
	tcase_add_test(tc, test_first_stop_wins);
	tcase_add_test(tc, test_create_conflict);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
