/* Unit tests for virtio-vsock against a hostile guest and bad options
 * (src/devices/virtio_vsock*.c, virtio 1.3 §5.10.6): a table of malformed
 * packets, each ending in RST or a silent drop with the device still
 * working after it; credit lies and floods; the connection cap; what
 * virtio_vsock_create refuses. Packet cases run on every bus and ring.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
static int lfd;

static void setup(void)
{
	guest_ram_init(&ram, 16 << 20);
	snprintf(dir, sizeof(dir), "/tmp/vsock-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(uds, sizeof(uds), "%s/v.sock", dir);
	vs = NULL;
	lfd = -1;
}

static void teardown(void)
{
	char cmd[128];

	fake_transport_destroy(&ft);
	virtio_vsock_destroy(vs);
	guest_ram_destroy(&ram);
	if (lfd >= 0)
		close(lfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

static void bring_up(int i, bool seqpacket)
{
	struct virtio_vsock_options o = {.guest_cid = CID, .uds_path = uds};
	uint64_t f = FT_LINUX_FEATURES | (ft_loop_packed(i) ? FT_PACKED : 0);
	char err[256], path[96];

	if (seqpacket)
		f |= 1ULL << VIRTIO_VSOCK_F_SEQPACKET;
	ck_assert_int_eq(
		virtio_vsock_create(&o, &ram.mem, &vs, err, sizeof(err)), 0);
	fake_transport_init_loop(&ft, virtio_vsock_vdev(vs), &ram, i);
	ck_assert_int_eq(fake_transport_probe(&ft, f), 0);
	vg_init(&g, &ft, &ram, CID);
	snprintf(path, sizeof(path), "%s_%u", uds, PORT);
	lfd = vg_listen(path, SOCK_STREAM);
}

static int connect_ok(struct vg_conn *c, uint32_t gport)
{
	int fd;

	vg_connect(&g, c, gport, PORT, STR, 65536);
	fd = vg_accept(lfd, 5000);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* The device still works: a new connection carries bytes both ways. */
static void still_works(uint32_t gport)
{
	struct vg_conn c;
	struct vg_pkt p;
	char buf[4];
	int fd = connect_ok(&c, gport);

	vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, "ping", 4);
	ck_assert(vg_read_all(fd, buf, 4, 5000));
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(send(fd, "pong", 4, 0), 4);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
	ck_assert_mem_eq(p.data, "pong", 4);
	close(fd);
}

enum outcome { DROP, RST };

static const struct bad_case {
	const char *what;
	bool on_conn;	  /* sent on an established connection */
	uint32_t hdr_len; /* bytes of header actually sent; 0: all */
	uint64_t src_cid, dst_cid;
	uint16_t type, op;
	uint32_t len_field, payload;
	enum outcome outcome;
} bad_cases[] = {
	{"short header", false, 20, CID, 2, STR, VIRTIO_VSOCK_OP_REQUEST, 0, 0,
	 DROP},
	{"43-byte header", false, 43, CID, 2, STR, VIRTIO_VSOCK_OP_REQUEST, 0,
	 0, DROP},
	{"wrong src_cid", false, 0, CID + 1, 2, STR, VIRTIO_VSOCK_OP_REQUEST, 0,
	 0, DROP},
	{"src_cid high bits", true, 0, CID | (1ULL << 32), 2, STR,
	 VIRTIO_VSOCK_OP_RW, 0, 0, DROP},
	{"wrong dst_cid", false, 0, CID, 3, STR, VIRTIO_VSOCK_OP_REQUEST, 0, 0,
	 DROP},
	{"len past the buffer", true, 0, CID, 2, STR, VIRTIO_VSOCK_OP_RW, 100,
	 0, RST},
	{"len short of the buffer", true, 0, CID, 2, STR, VIRTIO_VSOCK_OP_RW,
	 10, 20, RST},
	{"len above 64 KiB", true, 0, CID, 2, STR, VIRTIO_VSOCK_OP_RW, 70000,
	 70000, RST},
	{"len on a REQUEST", false, 0, CID, 2, STR, VIRTIO_VSOCK_OP_REQUEST, 4,
	 4, RST},
	{"unknown type", false, 0, CID, 2, 7, VIRTIO_VSOCK_OP_REQUEST, 0, 0,
	 RST},
	{"SEQPACKET not negotiated", false, 0, CID, 2, SEQ,
	 VIRTIO_VSOCK_OP_REQUEST, 0, 0, RST},
	{"type of another connection", true, 0, CID, 2, 7,
	 VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, 0, RST},
	{"op 0", false, 0, CID, 2, STR, VIRTIO_VSOCK_OP_INVALID, 0, 0, RST},
	{"op 99", true, 0, CID, 2, STR, 99, 0, 0, RST},
	{"RW, no connection", false, 0, CID, 2, STR, VIRTIO_VSOCK_OP_RW, 3, 3,
	 RST},
	{"RESPONSE, no connection", false, 0, CID, 2, STR,
	 VIRTIO_VSOCK_OP_RESPONSE, 0, 0, RST},
	{"CREDIT_REQUEST, no connection", false, 0, CID, 2, STR,
	 VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, 0, RST},
	{"SHUTDOWN, no connection", false, 0, CID, 2, STR,
	 VIRTIO_VSOCK_OP_SHUTDOWN, 0, 0, RST},
	{"RST, no connection", false, 0, CID, 2, STR, VIRTIO_VSOCK_OP_RST, 0, 0,
	 DROP},
	{"second REQUEST", true, 0, CID, 2, STR, VIRTIO_VSOCK_OP_REQUEST, 0, 0,
	 RST},
	{"RESPONSE on a live connection", true, 0, CID, 2, STR,
	 VIRTIO_VSOCK_OP_RESPONSE, 0, 0, RST},
};

START_TEST(test_bad_packet)
{
	const struct bad_case *k = &bad_cases[ft_loop_case(_i)];
	static uint8_t payload[70000];
	struct virtio_vsock_hdr h = {
		.src_cid = htole64(k->src_cid),
		.dst_cid = htole64(k->dst_cid),
		.src_port = htole32(1234),
		.dst_port = htole32(PORT),
		.len = htole32(k->len_field),
		.type = htole16(k->type),
		.op = htole16(k->op),
	};
	struct drvq_buf b;
	struct vg_conn c;
	struct vg_pkt p;
	uint32_t used;
	int fd = -1, tok;
	char byte;

	bring_up(_i, false);
	if (k->on_conn)
		fd = connect_ok(&c, 1234);
	if (k->hdr_len) {
		b = (struct drvq_buf){guest_ram_put(&ram, &h, k->hdr_len),
				      k->hdr_len, false};
		ck_assert_int_eq(
			fake_transport_send(&ft, VG_TXQ, &b, 1, false, &tok),
			0);
		ck_assert_ptr_nonnull(fake_transport_wait_used(
			&ft, VG_TXQ, &used, 5000000000LL));
	} else {
		vg_send_raw(&g, &h, payload, k->payload);
	}
	if (k->outcome == DROP) {
		ck_assert_msg(!vg_recv(&g, &p, 50), "%s: answered", k->what);
		if (fd >= 0) /* end it quietly, before the host closes */
			vg_send(&g, &c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
	} else {
		ck_assert_msg(vg_recv(&g, &p, 5000), "%s: no RST", k->what);
		ck_assert_uint_eq(le16toh(p.h.op), VIRTIO_VSOCK_OP_RST);
		ck_assert_uint_eq(le32toh(p.h.dst_port), 1234);
		ck_assert_uint_eq(le32toh(p.h.src_port), PORT);
		/* The connection, if any, is gone on the host side too. */
		if (fd >= 0)
			ck_assert(!vg_read_all(fd, &byte, 1, 5000));
	}
	if (fd >= 0)
		close(fd);
	still_works(4000);
}
END_TEST

/* A guest that ignores our credit is reset; we buffer at most
 * buf_alloc, whatever it sends. */
START_TEST(test_flood_gets_rst)
{
	static uint8_t chunk[60000];
	struct vg_conn c;
	struct vg_pkt p;
	bool rst = false;
	int fd;

	bring_up(_i, false);
	fd = connect_ok(&c, 1234);
	for (int k = 0; k < 40 && !rst; k++) {
		vg_send(&g, &c, VIRTIO_VSOCK_OP_RW, 0, chunk, sizeof(chunk));
		while (!rst && vg_recv(&g, &p, 0))
			rst = le16toh(p.h.op) == VIRTIO_VSOCK_OP_RST;
	}
	if (!rst)
		rst = vg_recv(&g, &p, 5000) &&
		      le16toh(p.h.op) == VIRTIO_VSOCK_OP_RST;
	ck_assert(rst);
	/* Packets sent before the RST came answer with RSTs of their own. */
	while (vg_recv(&g, &p, 50))
		ck_assert_uint_eq(le16toh(p.h.op), VIRTIO_VSOCK_OP_RST);
	close(fd);
	still_works(4000);
}
END_TEST

/* A guest claiming more credit than possible (fwd_cnt ahead of what it
 * received) gets nothing until it makes sense again. */
START_TEST(test_credit_lie)
{
	struct vg_conn c;
	struct vg_pkt p;
	int fd;

	bring_up(_i, false);
	fd = connect_ok(&c, 1234);
	c.fwd_cnt = 0x80000000u;
	vg_send(&g, &c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	ck_assert_int_eq(send(fd, "held", 4, 0), 4);
	ck_assert(!vg_recv(&g, &p, 50));
	c.buf_alloc = 100;
	c.fwd_cnt = 0xffffff00u; /* u32 wrap: 256 in flight, > 100 */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	ck_assert(!vg_recv(&g, &p, 50));
	c.buf_alloc = 4;
	c.fwd_cnt = 0;
	vg_send(&g, &c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_RW, &p);
	ck_assert_uint_eq(p.len, 4);
	ck_assert_mem_eq(p.data, "held", 4);
	/* A CREDIT_REQUEST is answered with our numbers. */
	vg_send(&g, &c, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, NULL, 0);
	vg_expect(&g, &c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, &p);
	ck_assert_uint_gt(le32toh(p.h.buf_alloc), 0);
	close(fd);
}
END_TEST

/* The cap: past it a REQUEST gets RST and a host program is closed. */
START_TEST(test_connection_cap)
{
	struct rlimit rl;
	static int fds[1100];
	struct vg_conn c;
	struct vg_pkt p;
	int n = 0, fd;
	char byte;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2300)
		return; /* not enough descriptors here to reach the cap */
	bring_up(_i, false);
	for (;; n++) {
		c = (struct vg_conn){.port = 10000 + (uint32_t)n,
				     .peer = PORT,
				     .type = STR,
				     .buf_alloc = 4096};
		vg_send(&g, &c, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0);
		ck_assert(vg_recv(&g, &p, 5000));
		if (le16toh(p.h.op) == VIRTIO_VSOCK_OP_RST)
			break;
		ck_assert_uint_eq(le16toh(p.h.op), VIRTIO_VSOCK_OP_RESPONSE);
		fds[n] = vg_accept(lfd, 5000);
		ck_assert_int_ge(fds[n], 0);
		ck_assert_int_lt(n, 1100);
	}
	ck_assert_int_eq(n, 1024);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uds);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert(!vg_read_all(fd, &byte, 1, 5000));
	close(fd);
	/* Room again once one goes. */
	c.port = 10000;
	vg_send(&g, &c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
	ck_assert(!vg_read_all(fds[0], &byte, 1, 5000));
	for (int k = 1; k < n; k++) { /* quietly: no SHUTDOWN flood */
		c.port = 10000 + (uint32_t)k;
		vg_send(&g, &c, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
	}
	for (int k = 0; k < n; k++)
		close(fds[k]);
	still_works(4000);
}
END_TEST

static int create(uint64_t cid, const char *path, char *err, size_t len)
{
	struct virtio_vsock_options o = {.guest_cid = cid, .uds_path = path};

	vs = NULL;
	return virtio_vsock_create(&o, &ram.mem, &vs, err, len);
}

START_TEST(test_bad_options)
{
	char err[256], path[200], want[300];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	ck_assert_int_eq(create(2, uds, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "vsock cid=2: below 3");
	ck_assert_int_eq(create(0, uds, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(create(0xffffffffu, uds, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "vsock cid=4294967295: not below 4294967295");
	ck_assert_int_eq(create(1ULL << 40, uds, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(create(3, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(create(3, "/nonexistent-dir/v.sock", err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "vsock uds=/nonexistent-dir/v.sock: No such "
			      "file or directory");
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(create(3, path, err, sizeof(err)), -ENAMETOOLONG);
	ck_assert_ptr_null(vs);
	/* A regular file is not ours to replace. */
	snprintf(path, sizeof(path), "%s/file", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	ck_assert_int_eq(create(3, path, err, sizeof(err)), -EADDRINUSE);
	snprintf(want, sizeof(want), "vsock uds=%s: %s", path,
		 strerror(EADDRINUSE));
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* A live listener stays; a stale socket file is replaced. */
	fd = vg_listen(uds, SOCK_STREAM);
	ck_assert_int_eq(create(3, uds, err, sizeof(err)), -EADDRINUSE);
	close(fd);
	ck_assert_int_eq(stat(uds, &st), 0); /* left behind: stale now */
	ck_assert_int_eq(create(3, uds, err, sizeof(err)), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uds);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	/* Destroy removes the socket file. */
	virtio_vsock_destroy(vs);
	vs = NULL;
	ck_assert_int_lt(stat(uds, &st), 0);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *vsock_hostile_suite(void)
{
	Suite *s = suite_create("virtio_vsock_hostile");
	TCase *tc = tcase_create("hostile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_packet, 0, FT_LOOPS(N(bad_cases)));
	tcase_add_loop_test(tc, test_flood_gets_rst, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_credit_lie, 0, FT_LOOPS(1));
	/* One bus and ring is enough to count to 1024. */
	tcase_add_loop_test(tc, test_connection_cap, 0, 2);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(vsock_hostile_suite());
}
