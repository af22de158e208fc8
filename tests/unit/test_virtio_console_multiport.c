/* Unit tests for virtio-console with VIRTIO_CONSOLE_F_MULTIPORT
 * (src/devices/virtio_console*.c, virtio 1.3 §5.3.6.2): the control
 * handshake Linux's driver does (DEVICE_READY, PORT_ADD, PORT_READY,
 * PORT_NAME, PORT_OPEN), data both ways on a named port once the guest
 * opens it, input held back while it is closed, and malformed or repeated
 * control messages. Split (_i even) and packed (_i odd) rings.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_console.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_console.h"

#define WAIT_NS	  (5LL * 1000000000LL)
#define SETTLE_NS (100LL * 1000000LL)
#define CTRL_RXQ  2
#define CTRL_TXQ  3
#define PORT1_RXQ 4
#define PORT1_TXQ 5
#define NAME1	  "org.vmm.test.1"

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_console *con;
static struct virtio_dev *vd;
static int in_pipe[2], out_pipe[2]; /* port 1: host -> guest, guest -> host */

static void setup(void)
{
	struct virtio_console_options o = {
		.nr_ports = 2,
		.ports = {{-1, -1, NULL}, {-1, -1, NAME1}},
	};

	guest_ram_init(&ram, 16 << 20);
	ck_assert_int_eq(pipe(in_pipe), 0);
	ck_assert_int_eq(pipe(out_pipe), 0);
	o.ports[1].in_fd = in_pipe[0];
	o.ports[1].out_fd = out_pipe[1];
	ck_assert_int_eq(virtio_console_create(&o, &ram.mem, &con), 0);
	vd = virtio_console_vdev(con);
	fake_transport_init(&ft, vd, &ram);
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	virtio_console_destroy(con);
	for (int k = 0; k < 2; k++) {
		close(in_pipe[k]);
		close(out_pipe[k]);
	}
	guest_ram_destroy(&ram);
}

static void bring_up(int i)
{
	uint64_t f = FT_LINUX_FEATURES | (1ULL << VIRTIO_CONSOLE_F_MULTIPORT) |
		     (1ULL << VIRTIO_CONSOLE_F_SIZE) |
		     ((i & 1) ? FT_PACKED : 0);
	struct virtio_console_config c;

	ck_assert_int_eq(fake_transport_probe(&ft, f), 0);
	ck_assert(virtio_has_feature(vd, VIRTIO_CONSOLE_F_MULTIPORT));
	/* No console size on a device without a console port. */
	ck_assert(!virtio_has_feature(vd, VIRTIO_CONSOLE_F_SIZE));
	ck_assert_uint_eq(ft.nr_queues, 6);
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &c, sizeof(c)), 0);
	ck_assert_uint_eq(le32toh(c.max_nr_ports), 2);
}

/* Posts n 256-byte device-writable buffers on q; the token is the gpa. */
static void post_buffers(uint16_t q, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		uint64_t gpa = guest_ram_alloc(&ram, 256, 8);
		struct drvq_buf b = {gpa, 256, true};

		ck_assert_int_eq(fake_transport_send(&ft, q, &b, 1, false,
						     (void *)(uintptr_t)gpa),
				 0);
	}
}

/* Sends a control message of len bytes (8 is a whole header). */
static void ctrl_send(uint32_t id, uint16_t event, uint16_t value, uint32_t len)
{
	struct virtio_console_control c = {htole32(id), htole16(event),
					   htole16(value)};
	struct drvq_buf b = {guest_ram_put(&ram, &c, sizeof(c)), len, false};
	uint32_t used;

	ck_assert_int_eq(fake_transport_send(&ft, CTRL_TXQ, &b, 1, false, &b),
			 0);
	ck_assert_ptr_eq(
		fake_transport_wait_used(&ft, CTRL_TXQ, &used, WAIT_NS), &b);
}

/* The next control message from the device; its name, if any, in name. */
static struct virtio_console_control ctrl_recv(char *name, size_t name_len)
{
	struct virtio_console_control c;
	uint32_t used;
	void *tok = fake_transport_wait_used(&ft, CTRL_RXQ, &used, WAIT_NS);
	uint64_t gpa = (uintptr_t)tok;

	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_ge(used, sizeof(c));
	memcpy(&c, guest_ram_ptr(&ram, gpa, sizeof(c)), sizeof(c));
	ck_assert_uint_lt(used - sizeof(c), name_len);
	memcpy(name, guest_ram_ptr(&ram, gpa + sizeof(c), used - sizeof(c)),
	       used - sizeof(c));
	name[used - sizeof(c)] = '\0';
	return c;
}

static void expect_ctrl(uint32_t id, uint16_t event, uint16_t value,
			const char *name)
{
	char got_name[300];
	struct virtio_console_control c = ctrl_recv(got_name, sizeof(got_name));

	ck_assert_uint_eq(le32toh(c.id), id);
	ck_assert_uint_eq(le16toh(c.event), event);
	ck_assert_uint_eq(le16toh(c.value), value);
	ck_assert_str_eq(got_name, name);
}

/* Linux's probe: DEVICE_READY, then PORT_READY for each PORT_ADD. */
static void handshake(void)
{
	post_buffers(CTRL_RXQ, 8);
	ctrl_send(0, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_ADD, 0, "");
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_ADD, 0, "");
	ctrl_send(0, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_OPEN, 1, "");
	ctrl_send(1, VIRTIO_CONSOLE_PORT_READY, 1, 8);
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_NAME, 0, NAME1);
	expect_ctrl(1, VIRTIO_CONSOLE_PORT_OPEN, 1, "");
}

START_TEST(test_handshake_names_the_port)
{
	bring_up(_i);
	handshake();
}
END_TEST

START_TEST(test_data_both_ways_once_open)
{
	uint32_t used;
	uint64_t gpa;
	void *tok;
	char buf[16];
	struct drvq_buf out;

	bring_up(_i);
	handshake();
	post_buffers(PORT1_RXQ, 2);
	/* Closed port: the host's bytes wait in the pipe. */
	ck_assert_int_eq(write(in_pipe[1], "to-guest", 8), 8);
	ck_assert_ptr_null(
		fake_transport_wait_used(&ft, PORT1_RXQ, &used, SETTLE_NS));
	ctrl_send(1, VIRTIO_CONSOLE_PORT_OPEN, 1, 8);
	tok = fake_transport_wait_used(&ft, PORT1_RXQ, &used, WAIT_NS);
	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_eq(used, 8);
	gpa = (uintptr_t)tok;
	ck_assert_mem_eq(guest_ram_ptr(&ram, gpa, 8), "to-guest", 8);

	out = (struct drvq_buf){guest_ram_put(&ram, "to-host", 7), 7, false};
	ck_assert_int_eq(
		fake_transport_send(&ft, PORT1_TXQ, &out, 1, false, &out), 0);
	ck_assert_ptr_eq(
		fake_transport_wait_used(&ft, PORT1_TXQ, &used, WAIT_NS), &out);
	ck_assert_int_eq(read(out_pipe[0], buf, sizeof(buf)), 7);
	ck_assert_mem_eq(buf, "to-host", 7);
}
END_TEST

START_TEST(test_bad_control_messages_are_ignored)
{
	uint32_t used;

	bring_up(_i);
	post_buffers(CTRL_RXQ, 8);
	ctrl_send(0, VIRTIO_CONSOLE_DEVICE_READY, 1, 4); /* short */
	ctrl_send(7, VIRTIO_CONSOLE_PORT_READY, 1, 8);	 /* no such port */
	ctrl_send(1, 99, 1, 8);				 /* unknown event */
	ctrl_send(0, VIRTIO_CONSOLE_DEVICE_READY, 0, 8); /* driver failed */
	ck_assert_ptr_null(
		fake_transport_wait_used(&ft, CTRL_RXQ, &used, SETTLE_NS));
	ck_assert(!(fake_transport_status(&ft) & VIRTIO_CONFIG_S_NEEDS_RESET));
	/* And the device still answers a good one. */
	ctrl_send(0, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	expect_ctrl(0, VIRTIO_CONSOLE_PORT_ADD, 0, "");
}
END_TEST

/* A driver that says DEVICE_READY over and over cannot make the device
 * queue messages without bound: at most the backlog is delivered. */
START_TEST(test_control_backlog_is_bounded)
{
	unsigned int n = 0;
	uint32_t used;

	bring_up(_i);
	for (int k = 0; k < 100; k++)
		ctrl_send(0, VIRTIO_CONSOLE_DEVICE_READY, 1, 8);
	post_buffers(CTRL_RXQ, 120);
	while (fake_transport_wait_used(&ft, CTRL_RXQ, &used, SETTLE_NS))
		n++;
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, 3 * VIRTIO_CONSOLE_MAX_PORTS + 4);
}
END_TEST

START_TEST(test_reset_forgets_the_handshake)
{
	uint32_t used;

	bring_up(_i);
	handshake();
	ck_assert_int_eq(write(in_pipe[1], "x", 1), 1);
	ctrl_send(1, VIRTIO_CONSOLE_PORT_OPEN, 1, 8);
	/* Reset and probe again: the port is closed until opened anew. */
	bring_up(_i);
	post_buffers(PORT1_RXQ, 1);
	ck_assert_ptr_null(
		fake_transport_wait_used(&ft, PORT1_RXQ, &used, SETTLE_NS));
	handshake();
	ctrl_send(1, VIRTIO_CONSOLE_PORT_OPEN, 1, 8);
	ck_assert_ptr_nonnull(
		fake_transport_wait_used(&ft, PORT1_RXQ, &used, WAIT_NS));
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(test_bad_options)
{
	struct virtio_console_options o = {
		.nr_ports = VIRTIO_CONSOLE_MAX_PORTS + 1};
	struct virtio_console *c = NULL;
	char long_name[VIRTIO_CONSOLE_NAME_MAX + 2];

	ck_assert_int_eq(virtio_console_create(&o, &ram.mem, &c), -EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	o = (struct virtio_console_options){.nr_ports = 1,
					    .ports = {{-1, -1, long_name}}};
	ck_assert_int_eq(virtio_console_create(&o, &ram.mem, &c), -EINVAL);
	ck_assert_ptr_null(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_console_multiport");
	TCase *tc = tcase_create("multiport");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Completions are awaited with deadlines of their own; Check's 4 s
	 * default is too short on a loaded machine. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_handshake_names_the_port, 0, 2);
	tcase_add_loop_test(tc, test_data_both_ways_once_open, 0, 2);
	tcase_add_loop_test(tc, test_bad_control_messages_are_ignored, 0, 2);
	tcase_add_loop_test(tc, test_control_backlog_is_bounded, 0, 2);
	tcase_add_loop_test(tc, test_reset_forgets_the_handshake, 0, 2);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
