/* Unit tests for src/devices/debug_ports.c: the debug-exit status formula,
 * the POST port, and the boot timer's single line on stderr. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug_ports.h"
#include "fake_vm.h"
#include "test_runner.h"

#define POST  0x80
#define EXIT  0x501
#define TIMER 0x510

static struct fake_vm f;
static struct debug_ports *d;

static void create(const struct timespec *start)
{
	const struct debug_ports_config c = {.post_port = POST,
					     .exit_port = EXIT,
					     .boot_timer_port = TIMER,
					     .start = *start};

	d = debug_ports_new(&f.vm, &c);
	ck_assert_ptr_nonnull(d);
}

static void setup(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fake_vm_init(&f, 0);
	create(&now);
}

static void teardown(void)
{
	debug_ports_free(d);
	fake_vm_destroy(&f);
}

/* v, and the status QEMU's isa-debug-exit gives: (v << 1) | 1. */
static const struct {
	uint8_t v;
	int status;
} exit_cases[] = {
	{0x00, 1}, {0x01, 3}, {0x10, 33}, {0x31, 99}, {0x7f, 255}, {0xff, 511},
};

START_TEST(test_debug_exit_status)
{
	fake_outb(&f, EXIT, exit_cases[_i].v);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_DEBUG_EXIT);
	ck_assert_int_eq(f.vm.stop_status, exit_cases[_i].status);
}
END_TEST

START_TEST(test_debug_exit_first_wins)
{
	fake_outb(&f, EXIT, 1);
	fake_outb(&f, EXIT, 2);
	ck_assert_int_eq(f.vm.stop_status, 3);
	/* Reading the port stops nothing and gives open-bus ones. */
	ck_assert_uint_eq(fake_inb(&f, EXIT), 0xff);
}
END_TEST

/* A wider write does not fit the one-byte port: dropped by the bus. */
START_TEST(test_debug_exit_wide_write)
{
	fake_out(&f, EXIT, 0x0101, 2);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

START_TEST(test_post_port)
{
	ck_assert_uint_eq(fake_inb(&f, POST), 0);
	for (unsigned int v = 0; v < 256; v += 51) {
		fake_outb(&f, POST, v);
		ck_assert_uint_eq(fake_inb(&f, POST), v);
	}
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

/* Runs fn with stderr going into a pipe; returns what it printed. */
static char *capture_stderr(void (*fn)(void))
{
	static char buf[4096];
	int p[2], saved;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void three_timer_writes(void)
{
	fake_outb(&f, TIMER, 1);
	fake_outb(&f, TIMER, 2);
	fake_outb(&f, TIMER, 0);
}

START_TEST(test_boot_timer_prints_once)
{
	const char *prefix = "vmm: boot-timer: guest init reached after ";
	struct timespec start;
	char *out, *num, *end;
	double ms;

	/* Pretend vmm started 1.5 s ago. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	start.tv_sec -= 1;
	start.tv_nsec -= 500000000L;
	if (start.tv_nsec < 0) {
		start.tv_sec--;
		start.tv_nsec += 1000000000L;
	}
	debug_ports_free(d);
	create(&start);
	out = capture_stderr(three_timer_writes);
	ck_assert_msg(!strncmp(out, prefix, strlen(prefix)), "got '%s'", out);
	num = out + strlen(prefix);
	ms = strtod(num, &end);
	ck_assert_str_eq(end, " ms\r\n"); /* one line, nothing after it */
	ck_assert_ptr_nonnull(strchr(num, '.'));
	ck_assert_int_eq(end - strchr(num, '.'), 2); /* one decimal */
	ck_assert_double_ge(ms, 1500.0);
	ck_assert_double_lt(ms, 2500.0);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

START_TEST(test_port_zero_not_claimed)
{
	const struct debug_ports_config c = {
		.post_port = 0, .exit_port = 0x502, .boot_timer_port = 0};
	struct debug_ports *other = debug_ports_new(&f.vm, &c);

	ck_assert_ptr_nonnull(other);
	ck_assert_uint_eq(fake_inb(&f, 0), 0xff); /* nobody there */
	fake_outb(&f, 0x502, 0);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_DEBUG_EXIT);
	debug_ports_free(other);
}
END_TEST

/* If a later port is taken, the earlier ones are released again. */
START_TEST(test_create_conflict)
{
	const struct debug_ports_config c = {.post_port = 0x81,
					     .exit_port = 0x503,
					     .boot_timer_port = TIMER};

	ck_assert_ptr_null(debug_ports_new(&f.vm, &c));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(fake_inb(&f, 0x81), 0xff);
	fake_outb(&f, 0x503, 7);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
	/* Freeing releases every port. */
	debug_ports_free(d);
	d = NULL;
	ck_assert_uint_eq(fake_inb(&f, POST), 0xff);
	fake_outb(&f, EXIT, 7);
	ck_assert_int_eq(f.vm.stop_reason, VM_STOP_NONE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("debug_ports");
	TCase *tc = tcase_create("debug_ports");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_debug_exit_status, 0,
			    sizeof(exit_cases) / sizeof(exit_cases[0]));
	tcase_add_test(tc, test_debug_exit_first_wins);
	tcase_add_test(tc, test_debug_exit_wide_write);
	tcase_add_test(tc, test_post_port);
	tcase_add_test(tc, test_boot_timer_prints_once);
	tcase_add_test(tc, test_port_zero_not_claimed);
	tcase_add_test(tc, test_create_conflict);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
