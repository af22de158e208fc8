/* Unit tests for virtio-vsock (src/devices/virtio_vsock*.c, virtio 1.3
 * §5.10): guest and host connections through Unix sockets, data both ways
 * byte-exact under tight credit, shutdown and RST both ways, SEQPACKET
 * boundaries, device reset. Every test runs on every bus of ft_buses and
 * on split and packed rings (FT_LOOPS). Hostile packets and bad options:
 * test_virtio_vsock_hostile.c.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_vsock.h"
#include "vsock_guest.h"

#define CID  42
#define PORT 5000
#define STR  VIRTIO_VSOCK_TYPE_STREAM
#define SEQ  VIRTIO_VSOCK_TYPE_SEQPACKET

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_vsock *vs;
static struct vsock_guest g;
static char dir[40], uds[64];

static void setup(void)
{
	guest_ram_init(&ram, 16 << 20);
	snprintf(dir, sizeof(dir), "/tmp/vsock-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(uds, sizeof(uds), "%s/v.sock", dir);
	vs = NULL;
}

static void teardown(void)
{
	char cmd[128];

	fake_transport_destroy(&ft);
	virtio_vsock_destroy(vs);
	guest_ram_destroy(&ram);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

static uint64_t features(int i)
{
	return FT_LINUX_FEATURES | (1ULL << VIRTIO_VSOCK_F_SEQPACKET) |
	       (ft_loop_packed(i) ? FT_PACKED : 0);
}

static void bring_up(int i)
{
	struct virtio_vsock_options o = {.guest_cid = CID, .uds_path = uds};
	char err[256];

	ck_assert_int_eq(
		virtio_vsock_create(&o, &ram.mem, &vs, err, sizeof(err)), 0);
	fake_transport_init_loop(&ft, virtio_vsock_vdev(vs), &ram, i);
	ck_assert_int_eq(fake_transport_probe(&ft, features(i)), 0);
	vg_init(&g, &ft, &ram, CID);
}

static int port_listener(uint32_t port, int type)
{
	char path[160];

	snprintf(path, sizeof(path), "%s_%u", uds, port);
	return vg_listen(path, type);
}

/* A guest connection to PORT and the host socket it reached. */
static int guest_connect(struct vg_conn *c, int lfd, uint32_t gport,
			 uint16_t type, uint32_t buf_alloc)
{
	int fd;

	vg_connect(&g, c, gport, PORT, type, buf_alloc);
	fd = vg_accept(lfd, 5000);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void pattern(uint8_t *b, size_t len, unsigned int seed)
{
	for (size_t k = 0; k < len; k++)
		b[k] = (uint8_t)(k * 7 + seed + k / 251);
}

/* Handles one packet from the device for c, if any came within ms. */
static bool take(struct vg_conn *c, int ms, uint8_t *sink, size_t *got)
{
	struct vg_pkt p;

	if (!vg_recv(&g, &p, ms))
		return false;
	ck_assert_uint_eq(le32toh(p.h.dst_port), c->port);
	vg_note(c, &p);
	if (le16toh(p.h.op) == VIRTIO_VSOCK_OP_RW) {
		memcpy(sink + *got, p.data, p.len);
		*got += p.len;
	} else {
		ck_assert_uint_eq(le16toh(p.h.op),
				  VIRTIO_VSOCK_OP_CREDIT_UPDATE);
	}
	return true;
}

/* Guest to host: len bytes in packets within the device's credit; the
 * device must say CREDIT_UPDATE for the transfer to finish. */
static void guest_to_host(struct vg_conn *c, int fd, size_t len)
{
	static uint8_t src[512 * 1024], dst[512 * 1024];
	size_t sent = 0, got = 0, dummy = 0;
	uint32_t n, updates = 0;
	ssize_t r;

	pattern(src, len, c->port);
	for (int spins = 0; got < len; spins++) {
		ck_assert_int_lt(spins, 200000);
		n = vg_credit(c);
		n = n < 4000 ? n : 4000;
		n = n < len - sent ? n : (uint32_t)(len - sent);
		if (n) {
			vg_send(&g, c, VIRTIO_VSOCK_OP_RW, 0, src + sent, n);
			sent += n;
		}
		r = recv(fd, dst + got, len - got, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
		if (take(c, n ? 0 : 1, dst, &dummy))
			updates++;
	}
	ck_assert_mem_eq(dst, src, len);
	ck_assert_uint_gt(updates, 0);
}

/* Host to guest with the guest's buffer at c->buf_alloc: the device fills
 * it, must then wait, and goes on after our CREDIT_UPDATE. */
static void host_to_guest(struct vg_conn *c, int fd, size_t len)
{
	static uint8_t src[512 * 1024], dst[512 * 1024];
	size_t sent = 0, got = 0;
	bool waited = false;
	ssize_t r;

	pattern(src, len, c->port + 1);
	for (int spins = 0; got < len; spins++) {
		ck_assert_int_lt(spins, 200000);
		if (sent < len) {
			r = send(fd, src + sent, len - sent, MSG_DONTWAIT);
			sent += r > 0 ? (size_t)r : 0;
		}
		if (take(c, 1, dst, &got)) {
			ck_assert_uint_le(c->rx_cnt - c->fwd_cnt, c->buf_alloc);
			continue;
		}
		if (c->rx_cnt - c->fwd_cnt == c->buf_alloc && !waited) {
			/* Full: nothing more may come until we say so. */
			ck_assert(!take(c, 30, dst, &got));
			waited = true;
		}
		if (c->rx_cnt == c->fwd_cnt)
			continue;
		c->fwd_cnt = c->rx_cnt; /* the application read it all */
		vg_send(&g, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	}
	ck_assert_uint_eq(got, len);
	ck_assert_mem_eq(dst, src, len);
	ck_assert(waited);
}

START_TEST(test_guest_connect_data)
{
	struct vg_conn c;
	int lfd, fd;

	bring_up(_i);
	lfd = port_listener(PORT, SOCK_STREAM);
	fd = guest_connect(&c, lfd, 1234, STR, 8192);
	guest_to_host(&c, fd, 300 * 1024);
	host_to_guest(&c, fd, 300 * 1024);
	close(fd);
	close(lfd);
}
END_TEST

/* A host program: CONNECT P, the guest's REQUEST, OK <port>, data. */
static int host_connect(const char *line)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uds);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(send(fd, line, strlen(line), 0), strlen(line));
	return fd;
}

/* The guest's listener on port sees the REQUEST; answers RESPONSE if
 * accept, else RST. */
static void guest_accept(struct vg_conn *c, uint32_t port, bool accept)
{
	struct vg_pkt p;

	ck_assert(vg_recv(&g, &p, 5000));
	ck_assert_uint_eq(le16toh(p.h.op), VIRTIO_VSOCK_OP_REQUEST);
	ck_assert_uint_eq(le32toh(p.h.dst_port), port);
	ck_assert_uint_ge(le32toh(p.h.src_port), 1u << 30);
	*c = (struct vg_conn){.port = port,
			      .peer = le32toh(p.h.src_port),
			      .type = STR,
			      .buf_alloc = 16384};
	vg_note(c, &p);
	vg_send(&g, c, accept ? VIRTIO_VSOCK_OP_RESPONSE : VIRTIO_VSOCK_OP_RST,
		0, NULL, 0);
}

START_TEST(test_host_connect)
{
	char ok[32], want[32];
	struct vg_conn c;
	struct vg_pkt p;
	int fd;

	bring_up(_i);
	fd = host_connect("CONNECT 777\nearly");
	guest_accept(&c, 777, true);
	snprintf(want, sizeof(want), "OK %u\n", c.peer);
	ck_assert(vg_read_all(fd, ok, strlen(want), 5000));
	ck_assert_mem_eq(ok, want, strlen(want));
	/* What the program wrote after its line comes as data. */
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
	ck_assert_uint_eq(p.len, 5);
	ck_assert_mem_eq(p.data, "early", 5);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "reply", 5);
	ck_assert(vg_read_all(fd, ok, 5, 5000));
	ck_assert_mem_eq(ok, "reply", 5);
	host_to_guest(&c, fd, 100 * 1024);
	/* The guest resets: the program sees the end. */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
	ck_assert(!vg_read_all(fd, ok, 1, 5000));
	close(fd);
	/* The guest refuses: the program is closed without an OK. */
	fd = host_connect("CONNECT 778\n");
	guest_accept(&c, 778, false);
	ck_assert(!vg_read_all(fd, ok, 1, 5000));
	close(fd);
}
END_TEST

/* Lines the device must refuse by closing the program's socket. */
static const char *const bad_lines[] = {
	"CONNECT\n",
	"CONNECT x\n",
	"CONNECT 4294967296\n",
	"connect 5\n",
	"CONNECT 5 \n",
	"CONNECT -1\n",
	"CONNECT 12345678901234567890123456789\n",
};

START_TEST(test_host_bad_line)
{
	struct vg_pkt p;
	char c;
	int fd;

	bring_up(_i);
	for (unsigned int k = 0; k < sizeof(bad_lines) / sizeof(*bad_lines);
	     k++) {
		fd = host_connect(bad_lines[k]);
		ck_assert_msg(!vg_read_all(fd, &c, 1, 5000), "%s",
			      bad_lines[k]);
		close(fd);
	}
	ck_assert(!vg_recv(&g, &p, 20)); /* the guest heard nothing */
}
END_TEST

START_TEST(test_many_connections)
{
	struct vg_conn c[8];
	int fd[8], lfd;
	char buf[64], want[64];

	bring_up(_i);
	lfd = port_listener(PORT, SOCK_STREAM);
	for (int k = 0; k < 8; k++)
		fd[k] = guest_connect(&c[k], lfd, 2000 + k, STR, 65536);
	for (int k = 0; k < 8; k++) {
		snprintf(want, sizeof(want), "to host %d", k);
		vg_send(&g, &c[k], VIRTIO_VSOCK_OP_RW, 0, want, strlen(want));
	}
	for (int k = 7; k >= 0; k--) {
		snprintf(want, sizeof(want), "to host %d", k);
		ck_assert(vg_read_all(fd[k], buf, strlen(want), 5000));
		ck_assert_mem_eq(buf, want, strlen(want));
		snprintf(want, sizeof(want), "to guest %d", k);
		ck_assert_int_eq(send(fd[k], want, strlen(want), 0),
				 strlen(want));
	}
	for (int k = 0; k < 8; k++) {
		struct vg_pkt p;
		int from;

		ck_assert(vg_recv(&g, &p, 5000));
		ck_assert_uint_eq(le16toh(p.h.op), VIRTIO_VSOCK_OP_RW);
		from = (int)le32toh(p.h.dst_port) - 2000;
		ck_assert(from >= 0 && from < 8);
		snprintf(want, sizeof(want), "to guest %d", from);
		ck_assert_uint_eq(p.len, strlen(want));
		ck_assert_mem_eq(p.data, want, p.len);
	}
	for (int k = 0; k < 8; k++)
		close(fd[k]);
	close(lfd);
}
END_TEST

START_TEST(test_shutdown_both_ways)
{
	struct vg_conn c;
	struct vg_pkt p;
	char buf[8];
	int lfd, fd;

	bring_up(_i);
	lfd = port_listener(PORT, SOCK_STREAM);
	fd = guest_connect(&c, lfd, 1234, STR, 65536);
	/* Guest SEND: the program reads the data, then EOF. */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "last", 4);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_SEND,
		NULL, 0);
	ck_assert(vg_read_all(fd, buf, 4, 5000));
	ck_assert_mem_eq(buf, "last", 4);
	ck_assert_int_eq(recv(fd, buf, 1, 0), 0);
	/* The program may still talk; then it shuts its side. */
	ck_assert_int_eq(send(fd, "back", 4, 0), 4);
	shutdown(fd, SHUT_WR);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
	ck_assert_mem_eq(p.data, "back", 4);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_SHUTDOWN, &p);
	ck_assert_uint_eq(le32toh(p.h.flags), VIRTIO_VSOCK_SHUTDOWN_SEND);
	/* Both ways shut: the device ends it with RST (§5.10.6.6). */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_SHUTDOWN,
		VIRTIO_VSOCK_SHUTDOWN_SEND | VIRTIO_VSOCK_SHUTDOWN_RCV, NULL,
		0);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RST, &p);
	close(fd);
	/* The program vanishes; the guest's next write gets RST. */
	fd = guest_connect(&c, lfd, 1235, STR, 65536);
	close(fd);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_SHUTDOWN, &p);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "void", 4);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RST, &p);
	/* Guest RCV: the program's writes fail. */
	fd = guest_connect(&c, lfd, 1236, STR, 65536);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_RCV,
		NULL, 0);
	usleep(20000);
	ck_assert_int_lt(send(fd, "x", 1, MSG_NOSIGNAL), 0);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(test_no_listener)
{
	struct vg_conn c = {.port = 99, .peer = 4321, .type = STR};
	struct vg_pkt p;

	bring_up(_i);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RST, &p);
}
END_TEST

START_TEST(test_seqpacket)
{
	static uint8_t big[6000], got[6000];
	struct vg_conn c;
	struct vg_pkt p;
	size_t n = 0;
	int lfd, fd;

	bring_up(_i);
	lfd = port_listener(PORT, SOCK_SEQPACKET);
	fd = guest_connect(&c, lfd, 1234, SEQ, 65536);
	/* Guest to host: one message in three packets, then a short one. */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "one ", 4);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "two ", 4);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW,
		VIRTIO_VSOCK_SEQ_EOM | VIRTIO_VSOCK_SEQ_EOR, "three", 5);
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, VIRTIO_VSOCK_SEQ_EOM, "4", 1);
	ck_assert_int_eq(recv(fd, got, sizeof(got), 0), 13);
	ck_assert_mem_eq(got, "one two three", 13);
	ck_assert_int_eq(recv(fd, got, sizeof(got), 0), 1);
	/* Host to guest: a message bigger than a receive buffer. */
	pattern(big, sizeof(big), 3);
	ck_assert_int_eq(send(fd, big, sizeof(big), 0), sizeof(big));
	ck_assert_int_eq(send(fd, "x", 1, 0), 1);
	do {
		vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
		memcpy(got + n, p.data, p.len);
		n += p.len;
	} while (!(le32toh(p.h.flags) & VIRTIO_VSOCK_SEQ_EOM));
	ck_assert_uint_eq(n, sizeof(big));
	ck_assert_mem_eq(got, big, sizeof(big));
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
	ck_assert_uint_eq(p.len, 1);
	ck_assert(le32toh(p.h.flags) & VIRTIO_VSOCK_SEQ_EOM);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(test_reset_with_connections)
{
	struct vg_conn c[2];
	int lfd, fd[2];
	char b;

	bring_up(_i);
	lfd = port_listener(PORT, SOCK_STREAM);
	fd[0] = guest_connect(&c[0], lfd, 1, STR, 65536);
	fd[1] = guest_connect(&c[1], lfd, 2, STR, 65536);
	ck_assert_int_eq(send(fd[1], "pending", 7, 0), 7);
	fake_transport_set_status(&ft, 0);
	for (int k = 0; k < 2; k++) {
		ck_assert(!vg_read_all(fd[k], &b, 1, 5000));
		close(fd[k]);
	}
	/* A fresh driver: connections work again. */
	ck_assert_int_eq(fake_transport_probe(&ft, features(_i)), 0);
	vg_init(&g, &ft, &ram, CID);
	fd[0] = guest_connect(&c[0], lfd, 1, STR, 65536);
	vg_send(&g, &c[0], VIRTIO_VSOCK_OP_RW, 0, "again", 5);
	ck_assert(vg_read_all(fd[0], &b, 1, 5000));
	close(fd[0]);
	close(lfd);
}
END_TEST

/* Event buffers stay with the device; the config shows the CID. */
START_TEST(test_event_queue_and_config)
{
	struct drvq_buf b;
	struct vg_conn c;
	uint64_t cid;
	uint32_t used;
	int tok[4], lfd, fd;

	bring_up(_i);
	ck_assert_int_eq(fake_transport_config_read(&ft, 0, &cid, 8), 0);
	ck_assert_uint_eq(le64toh(cid), CID);
	for (int k = 0; k < 4; k++) {
		b = (struct drvq_buf){guest_ram_alloc(&ram, 4, 4), 4, true};
		ck_assert_int_eq(fake_transport_send(&ft, VG_EVTQ, &b, 1, false,
						     &tok[k]),
				 0);
	}
	lfd = port_listener(PORT, SOCK_STREAM);
	fd = guest_connect(&c, lfd, 1, STR, 65536);
	ck_assert_ptr_null(drvq_get_used(&ft.q[VG_EVTQ], &used));
	close(fd);
	close(lfd);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *vsock_suite(void)
{
	Suite *s = suite_create("virtio_vsock");
	TCase *tc = tcase_create("vsock");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_guest_connect_data, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_host_connect, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_host_bad_line, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_many_connections, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_shutdown_both_ways, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_no_listener, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_seqpacket, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_reset_with_connections, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_event_queue_and_config, 0, FT_LOOPS(1));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(vsock_suite());
}
