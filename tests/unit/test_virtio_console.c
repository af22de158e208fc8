/* Unit tests for virtio-console port 0 (src/devices/virtio_console.c,
 * virtio 1.3 §5.3): bytes go both ways through host pipes; SIZE and
 * resize; reset with a receive buffer held; end of input. Every test runs
 * on every bus of ft_buses (core, PCI, MMIO) and on split and packed
 * rings, the loop index _i encoding all three (FT_LOOPS).
 */
#include <check.h>
#include <endian.h>
#include <fcntl.h>
#include <linux/virtio_console.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_console.h"

#define WAIT_NS (5LL * 1000000000LL)
#define RXQ	0
#define TXQ	1

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_console *con;
static struct virtio_dev *vd;
static int in_pipe[2], out_pipe[2]; /* host -> guest, guest -> host */

static void setup(void)
{
	guest_ram_init(&ram, 16 << 20);
	ck_assert_int_eq(pipe(in_pipe), 0);
	ck_assert_int_eq(pipe(out_pipe), 0);
	con = NULL;
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	virtio_console_destroy(con);
	for (int k = 0; k < 2; k++) {
		if (in_pipe[k] >= 0)
			close(in_pipe[k]);
		close(out_pipe[k]);
	}
	guest_ram_destroy(&ram);
}

static uint64_t ring_bits(int i)
{
	return FT_LINUX_FEATURES | (1ULL << VIRTIO_CONSOLE_F_SIZE) |
	       (ft_loop_packed(i) ? FT_PACKED : 0);
}

static void bring_up(int i, uint16_t cols, uint16_t rows)
{
	struct virtio_console_options o = {.in_fd = in_pipe[0],
					   .out_fd = out_pipe[1],
					   .cols = cols,
					   .rows = rows};

	ck_assert_int_eq(virtio_console_create(&o, &ram.mem, &con), 0);
	vd = virtio_console_vdev(con);
	fake_transport_init_loop(&ft, vd, &ram, i);
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(i)), 0);
	ck_assert_int_eq(virtio_has_feature(vd, VIRTIO_F_RING_PACKED),
			 ft_loop_packed(i));
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *wait_used(uint16_t q, uint32_t *len)
{
	void *tok = fake_transport_wait_used(&ft, q, len, WAIT_NS);

	ck_assert_msg(tok, "no completion on queue %u", q);
	return tok;
}

/* Reads exactly len bytes from the guest-output pipe, with a deadline. */
static void host_expect(const char *want, size_t len)
{
	char buf[4096];
	size_t got = 0;
	long long end = now_ns() + WAIT_NS;
	ssize_t r;

	fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
	while (got < len) {
		ck_assert_msg(now_ns() < end, "got %zu of %zu bytes", got, len);
		r = read(out_pipe[0], buf + got, len - got);
		if (r > 0)
			got += (size_t)r;
		else
			usleep(100);
	}
	ck_assert_mem_eq(buf, want, len);
}

static uint64_t post_rx(uint32_t len, void *tok)
{
	uint64_t gpa = guest_ram_alloc(&ram, len, 8);
	struct drvq_buf b = {gpa, len, true};

	ck_assert_int_eq(fake_transport_send(&ft, RXQ, &b, 1, false, tok), 0);
	return gpa;
}

static const struct tx_case {
	const char *text;
	unsigned int split; /* bytes in the first segment; 0: one */
	bool indirect;
} tx_cases[] = {
	{"hello\n", 0, false},
	{"hello, world\n", 5, false},
	{"hello, world\n", 7, true},
	{"x", 0, true},
};

START_TEST(test_guest_to_host)
{
	const struct tx_case *c = &tx_cases[ft_loop_case(_i)];
	size_t len = strlen(c->text);
	uint64_t gpa = guest_ram_put(&ram, c->text, len);
	struct drvq_buf b[2] = {{gpa, c->split ? c->split : (uint32_t)len},
				{gpa + c->split, (uint32_t)(len - c->split)}};
	uint32_t used;
	int tok;

	bring_up(_i, 80, 25);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(fake_transport_send(&ft, TXQ, b,
						     c->split ? 2 : 1,
						     c->indirect, &tok),
				 0);
		ck_assert_ptr_eq(wait_used(TXQ, &used), &tok);
		ck_assert_uint_eq(used, 0); /* nothing written */
		host_expect(c->text, len);
	}
}
END_TEST

START_TEST(test_host_to_guest)
{
	char big[100];
	uint64_t a, b;
	uint32_t used;
	int tok[4];

	bring_up(_i, 80, 25);
	/* Buffer first, then input. */
	a = post_rx(64, &tok[0]);
	usleep(10000);
	ck_assert_int_eq(write(in_pipe[1], "world", 5), 5);
	ck_assert_ptr_eq(wait_used(RXQ, &used), &tok[0]);
	ck_assert_uint_eq(used, 5);
	ck_assert_mem_eq(guest_ram_ptr(&ram, a, 5), "world", 5);
	/* Input first, then buffers: more than one buffer holds. */
	for (unsigned int k = 0; k < sizeof(big); k++)
		big[k] = (char)('a' + k % 26);
	ck_assert_int_eq(write(in_pipe[1], big, sizeof(big)), sizeof(big));
	usleep(10000);
	a = post_rx(64, &tok[1]);
	ck_assert_ptr_eq(wait_used(RXQ, &used), &tok[1]);
	ck_assert_uint_eq(used, 64);
	ck_assert_mem_eq(guest_ram_ptr(&ram, a, 64), big, 64);
	b = post_rx(64, &tok[2]);
	ck_assert_ptr_eq(wait_used(RXQ, &used), &tok[2]);
	ck_assert_uint_eq(used, 36);
	ck_assert_mem_eq(guest_ram_ptr(&ram, b, 36), big + 64, 36);
}
END_TEST

START_TEST(test_size_and_resize)
{
	struct virtio_console_config c;
	unsigned int irqs;

	bring_up(_i, 132, 43);
	ck_assert(virtio_has_feature(vd, VIRTIO_CONSOLE_F_SIZE));
	ck_assert(!virtio_has_feature(vd, VIRTIO_CONSOLE_F_MULTIPORT));
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &c, 4), 0);
	ck_assert_uint_eq(le16toh(c.cols), 132);
	ck_assert_uint_eq(le16toh(c.rows), 43);
	irqs = ft.config_irqs;
	ck_assert_int_eq(virtio_console_resize(con, 100, 30), 0);
	if (ft.bus == &ft_bus_core) /* only the core bus counts them */
		ck_assert_uint_eq(ft.config_irqs, irqs + 1);
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &c, 4), 0);
	ck_assert_uint_eq(le16toh(c.cols), 100);
	ck_assert_uint_eq(le16toh(c.rows), 30);
	/* Config space is read-only for the driver. */
	c.cols = htole16(7);
	if (ft.bus == &ft_bus_core)
		ck_assert_int_lt(fake_transport_config_write(&ft, 0, &c, 2), 0);
	else
		fake_transport_config_write(&ft, 0, &c, 2);
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &c, 2), 0);
	ck_assert_uint_eq(le16toh(c.cols), 100);
}
END_TEST

START_TEST(test_no_size)
{
	bring_up(_i, 0, 0);
	ck_assert(!virtio_has_feature(vd, VIRTIO_CONSOLE_F_SIZE));
	ck_assert_int_lt(virtio_console_resize(con, 80, 25), 0);
}
END_TEST

/* A reset while the device holds a receive buffer: input written after
 * it must not land in the old ring; after a new probe it goes to the new
 * buffer. Case 1: a queue reset of the receiveq instead. */
START_TEST(test_reset_with_rx_held)
{
	uint64_t old, fresh;
	uint32_t used;
	int tok[2];

	bring_up(_i, 80, 25);
	old = post_rx(32, &tok[0]);
	usleep(10000); /* let the thread take it */
	if (ft_loop_case(_i) == 1)
		ck_assert_int_eq(fake_transport_queue_reset(&ft, RXQ), 0);
	else
		fake_transport_set_status(&ft, 0);
	ck_assert_int_eq(write(in_pipe[1], "late", 4), 4);
	usleep(20000);
	ck_assert(!memcmp(guest_ram_ptr(&ram, old, 4), "\0\0\0\0", 4));
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(_i)), 0);
	fresh = post_rx(32, &tok[1]);
	ck_assert_ptr_eq(wait_used(RXQ, &used), &tok[1]);
	ck_assert_uint_eq(used, 4);
	ck_assert_mem_eq(guest_ram_ptr(&ram, fresh, 4), "late", 4);
}
END_TEST

/* The host closes input: the device stops reading, output still works. */
START_TEST(test_input_eof)
{
	uint64_t gpa = guest_ram_put(&ram, "still here", 10);
	struct drvq_buf b = {gpa, 10};
	uint32_t used;
	int tok[2];

	bring_up(_i, 80, 25);
	post_rx(32, &tok[0]);
	close(in_pipe[1]);
	in_pipe[1] = -1;
	usleep(20000);
	ck_assert_ptr_null(drvq_get_used(&ft.q[RXQ], &used));
	ck_assert_int_eq(fake_transport_send(&ft, TXQ, &b, 1, false, &tok[1]),
			 0);
	ck_assert_ptr_eq(wait_used(TXQ, &used), &tok[1]);
	host_expect("still here", 10);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *console_suite(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("console");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_guest_to_host, 0, FT_LOOPS(N(tx_cases)));
	tcase_add_loop_test(tc, test_host_to_guest, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_size_and_resize, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_no_size, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_reset_with_rx_held, 0, FT_LOOPS(2));
	tcase_add_loop_test(tc, test_input_eof, 0, FT_LOOPS(1));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(console_suite());
}
