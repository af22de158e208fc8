/* Unit tests for the TAP backend (src/devices/net_tap.c): each test runs
 * in a network namespace of its own (Check forks one process per test),
 * makes its TAP there, and plays the host's side with a packet socket
 * bound to the interface. Frames cross both ways with their virtio-net
 * header, receive offloads reach the interface, a TSO frame goes through
 * whole, malformed headers are refused, and the errors say what is wrong.
 * Needs /dev/net/tun and CAP_NET_ADMIN (root): otherwise exit 77 (skip).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net_tap.h"
#include "test_runner.h"

#define IFNAME	  "vmmtap0"
#define HDR_LEN	  12
#define ETH_HLEN  14
#define TEST_TYPE 0x88b5 /* IEEE local experimental EtherType */
#define WAIT_MS	  5000

#define BIT(f) (1ULL << (f))

static struct net_backend *be;
static char err[256];
static int pkt_fd = -1; /* the host's side: AF_PACKET on IFNAME */

/* ---- the namespace and its interface ---- */

/* Creates IFNAME (persistent, owned by uid when uid >= 0) with flags. */
static int make_tun(const char *name, short flags, int uid)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	int ret = -1;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr) == 0 && ioctl(fd, TUNSETPERSIST, 1) == 0)
		ret = 0;
	if (!ret && uid >= 0 && ioctl(fd, TUNSETOWNER, uid) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static int link_set(const char *name, bool up)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = -1;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
	return ret;
}

/* A packet socket that sees and sends every frame on IFNAME. */
static int open_host_side(void)
{
	struct sockaddr_ll a = {.sll_family = AF_PACKET,
				.sll_protocol = htons(ETH_P_ALL),
				.sll_ifindex = (int)if_nametoindex(IFNAME)};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void setup_ns(void)
{
	be = NULL;
	err[0] = '\0';
	pkt_fd = -1;
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
}

static void setup_tap(short extra_flags)
{
	ck_assert_int_eq(
		make_tun(IFNAME, IFF_TAP | IFF_NO_PI | extra_flags, -1), 0);
	ck_assert_int_eq(link_set(IFNAME, true), 0);
	pkt_fd = open_host_side();
}

static void teardown(void)
{
	net_backend_destroy(be);
	if (pkt_fd >= 0)
		close(pkt_fd);
}

static bool is_test_frame(const uint8_t *f, size_t len, uint8_t tag);
static size_t build_frame(uint8_t *f, size_t len, uint8_t tag);

/* The kernel turns the interface's queueing on asynchronously (linkwatch)
 * once the first queue gives it a carrier; until then frames the host
 * sends vanish. Knock until one comes through, and drain everything. */
static void wait_link_ready(unsigned int queues)
{
	uint8_t f[64], buf[2048];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct pollfd p[8];
	bool through = false;
	ssize_t n;

	for (unsigned int q = 0; q < queues; q++)
		p[q] = (struct pollfd){be->ops->rx_fd(be, q), POLLIN, 0};
	build_frame(f, sizeof(f), 0xaa);
	for (int i = 0; i < 100 && !through; i++) {
		ck_assert_int_eq(send(pkt_fd, f, sizeof(f), 0), sizeof(f));
		poll(p, queues, 50);
		for (unsigned int q = 0; q < queues; q++)
			while ((n = net_backend_recv(be, q, &iov, 1)) > 0)
				through |= is_test_frame(buf + HDR_LEN,
							 (size_t)n - HDR_LEN,
							 0xaa);
	}
	ck_assert_msg(through, "the TAP never passed a frame to us");
}

static void attach(unsigned int queues)
{
	int ret = net_tap_create(IFNAME, queues, &be, err, sizeof(err));

	ck_assert_msg(ret == 0, "net_tap_create: %d %s", ret, err);
	if (pkt_fd >= 0)
		wait_link_ready(queues);
}

/* ---- frames ---- */

/* A test frame: broadcast, our EtherType, then a byte pattern from tag. */
static size_t build_frame(uint8_t *f, size_t len, uint8_t tag)
{
	static const uint8_t src[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	f[12] = TEST_TYPE >> 8;
	f[13] = TEST_TYPE & 0xff;
	for (size_t i = ETH_HLEN; i < len; i++)
		f[i] = (uint8_t)(tag + i);
	return len;
}

static bool is_test_frame(const uint8_t *f, size_t len, uint8_t tag)
{
	if (len < ETH_HLEN + 1 || f[12] != TEST_TYPE >> 8 ||
	    f[13] != (TEST_TYPE & 0xff))
		return false;
	return f[ETH_HLEN] == (uint8_t)(tag + ETH_HLEN);
}

/* The host side's next frame with tag (other traffic, e.g. IPv6
 * neighbour discovery, is skipped). Returns its length. */
static size_t host_recv(uint8_t *f, size_t cap, uint8_t tag)
{
	struct pollfd p = {.fd = pkt_fd, .events = POLLIN};
	ssize_t n;

	for (;;) {
		ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "host saw no frame");
		n = recv(pkt_fd, f, cap, MSG_TRUNC);
		ck_assert_int_gt(n, 0);
		if (is_test_frame(f, (size_t)n, tag))
			return (size_t)n;
	}
}

/* The backend's next frame with tag on queue q (header included). */
static ssize_t guest_recv(unsigned int q, uint8_t *buf, size_t cap, uint8_t tag)
{
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct pollfd p = {.fd = be->ops->rx_fd(be, q), .events = POLLIN};
	ssize_t n;

	for (;;) {
		ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "guest saw no frame");
		n = net_backend_recv(be, q, &iov, 1);
		if (n < 0)
			return n;
		if (n > HDR_LEN &&
		    is_test_frame(buf + HDR_LEN, (size_t)n - HDR_LEN, tag))
			return n;
	}
}

static int guest_send(unsigned int q, const struct virtio_net_hdr_v1 *h,
		      const uint8_t *f, size_t len)
{
	struct iovec iov[2] = {{(void *)h, HDR_LEN}, {(void *)f, len}};

	return net_backend_send(be, q, iov, 2);
}

/* ---- tests ---- */

START_TEST(test_no_such_interface)
{
	ck_assert_int_eq(net_tap_create("nosuch0", 1, &be, err, sizeof(err)),
			 -ENODEV);
	ck_assert_str_eq(err, "tap nosuch0: no such interface");
	be = NULL;
	/* It did not create one either. */
	ck_assert_uint_eq(if_nametoindex("nosuch0"), 0);
	ck_assert_int_eq(net_tap_create("", 1, &be, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(net_tap_create("a-name-far-too-long-for-linux", 1, &be,
					err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(net_tap_create("lo", 9, &be, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(net_tap_create("lo", 0, &be, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(test_not_a_tap)
{
	ck_assert_int_eq(net_tap_create("lo", 1, &be, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "tap lo: not a TAP interface");
	ck_assert_int_eq(make_tun("vmmtun0", IFF_TUN | IFF_NO_PI, -1), 0);
	ck_assert_int_eq(net_tap_create("vmmtun0", 1, &be, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "tap vmmtun0: a TUN, not a TAP interface");
	be = NULL;
}
END_TEST

START_TEST(test_fields_and_offloads)
{
	const uint64_t tx =
		BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |
		BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_ECN);
	const uint64_t rx =
		BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_GUEST_TSO4) |
		BIT(VIRTIO_NET_F_GUEST_TSO6) | BIT(VIRTIO_NET_F_GUEST_ECN);

	setup_tap(0);
	attach(1);
	ck_assert_str_eq(be->kind, "tap");
	ck_assert_uint_eq(be->queues, 1);
	ck_assert(be->vnet_hdr);
	ck_assert_uint_eq(be->mtu, 0);
	ck_assert_int_eq(be->ops->rx_fd(be, 0), be->ops->tx_fd(be, 0));
	/* Every kernel with TUNSETVNETHDRSZ takes all of these. */
	ck_assert_uint_eq(be->offloads & tx, tx);
	ck_assert_uint_eq(be->offloads & rx, rx);
	ck_assert_uint_eq(be->offloads & ~(tx | rx), 0); /* no UFO */
}
END_TEST

static int ethtool_get(uint32_t cmd)
{
	struct ethtool_value v = {.cmd = cmd};
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", IFNAME);
	ifr.ifr_data = (void *)&v;
	ret = ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
	ck_assert_int_eq(ret, 0);
	return (int)v.data;
}

/* set_rx_offloads decides what the kernel may hand us: the interface's
 * own checksum and TSO features follow it. */
START_TEST(test_set_rx_offloads)
{
	setup_tap(0);
	attach(1);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTXCSUM), 0);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTSO), 0);
	ck_assert_int_eq(be->ops->set_rx_offloads(
				 be, BIT(VIRTIO_NET_F_GUEST_CSUM) |
					     BIT(VIRTIO_NET_F_GUEST_TSO4) |
					     BIT(VIRTIO_NET_F_GUEST_ECN)),
			 0);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTXCSUM), 1);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTSO), 1);
	/* TSO without CSUM is no offload at all (tun would refuse it). */
	ck_assert_int_eq(
		be->ops->set_rx_offloads(be, BIT(VIRTIO_NET_F_GUEST_TSO4)), 0);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTSO), 0);
	ck_assert_int_eq(ethtool_get(ETHTOOL_GTXCSUM), 0);
	ck_assert_int_eq(be->ops->set_rx_offloads(be, 0), 0);
}
END_TEST

START_TEST(test_send_reaches_host)
{
	struct virtio_net_hdr_v1 h = {.gso_type = VIRTIO_NET_HDR_GSO_NONE};
	uint8_t f[256], got[2048];
	size_t len = build_frame(f, 100, 7);

	setup_tap(0);
	attach(1);
	ck_assert_int_eq(guest_send(0, &h, f, len), 0);
	ck_assert_uint_eq(host_recv(got, sizeof(got), 7), len);
	ck_assert_mem_eq(got, f, len);
}
END_TEST

START_TEST(test_host_reaches_recv)
{
	uint8_t f[256], buf[2048];
	struct virtio_net_hdr_v1 *h = (void *)buf;
	size_t len = build_frame(f, 200, 9);
	ssize_t n;

	setup_tap(0);
	attach(1);
	memset(buf, 0xee, sizeof(buf)); /* stale bytes must not leak */
	ck_assert_int_eq(send(pkt_fd, f, len, 0), (ssize_t)len);
	n = guest_recv(0, buf, sizeof(buf), 9);
	ck_assert_int_eq(n, HDR_LEN + (ssize_t)len);
	ck_assert_mem_eq(buf + HDR_LEN, f, len);
	ck_assert_uint_eq(h->flags, 0);
	ck_assert_uint_eq(h->gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_uint_eq(le16toh(h->num_buffers), 1);
	/* Nothing else waiting: recv says 0, never blocks. */
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	while ((n = net_backend_recv(be, 0, &iov, 1)) > 0)
		;
	ck_assert_int_eq(n, 0);
}
END_TEST

/* A frame bigger than the buffers is dropped with -EMSGSIZE, not handed
 * over cut short; the next one is whole. */
START_TEST(test_recv_too_small)
{
	uint8_t f[1200], buf[2048];
	struct iovec small = {.iov_base = buf, .iov_len = HDR_LEN + 100};
	struct pollfd p;

	setup_tap(0);
	attach(1);
	build_frame(f, 1000, 3);
	ck_assert_int_eq(send(pkt_fd, f, 1000, 0), 1000);
	p = (struct pollfd){.fd = be->ops->rx_fd(be, 0), .events = POLLIN};
	for (;;) {
		ssize_t n;

		ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
		n = net_backend_recv(be, 0, &small, 1);
		if (n == -EMSGSIZE)
			break;
		/* a small unrelated frame (IPv6 ND) fits: skip it */
		ck_assert_int_gt(n, 0);
		ck_assert(
			!is_test_frame(buf + HDR_LEN, (size_t)n - HDR_LEN, 3));
	}
	build_frame(f, 60, 4);
	ck_assert_int_eq(send(pkt_fd, f, 60, 0), 60);
	ck_assert_int_eq(guest_recv(0, buf, sizeof(buf), 4), HDR_LEN + 60);
	/* Buffers smaller than the header itself. */
	small.iov_len = HDR_LEN - 1;
	ck_assert_int_eq(net_backend_recv(be, 0, &small, 1), -EMSGSIZE);
}
END_TEST

/* A 4 KiB TCP segment with a GSO header (HOST_TSO4) and a partial
 * checksum (CSUM) is taken whole; a header with a bogus GSO type is
 * refused with -EINVAL. */
START_TEST(test_send_tso_and_malformed)
{
	static uint8_t f[ETH_HLEN + 20 + 20 + 4000], got[8192];
	const size_t len = sizeof(f);
	struct virtio_net_hdr_v1 h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = htole16(ETH_HLEN + 40),
		.gso_size = htole16(1448),
		.csum_start = htole16(ETH_HLEN + 20),
		.csum_offset = htole16(16),
	};
	uint8_t *ip = f + ETH_HLEN, *tcp = ip + 20;
	struct pollfd p = {.fd = -1, .events = POLLIN};
	size_t n;

	setup_tap(0);
	attach(1);
	memset(f, 0, len);
	memset(f, 0xff, 6);
	f[6] = 0x52;
	f[12] = 0x08; /* IPv4 */
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - ETH_HLEN) >> 8);
	ip[3] = (uint8_t)(len - ETH_HLEN);
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	tcp[1] = 99; /* source port 99, the tag the host looks for */
	tcp[3] = 80;
	tcp[12] = 0x50;
	tcp[13] = 0x18; /* PSH ACK */
	ck_assert_int_eq(guest_send(0, &h, f, len), 0);
	p.fd = pkt_fd;
	for (;;) {
		ssize_t r;

		ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
		r = recv(pkt_fd, got, sizeof(got), MSG_TRUNC);
		ck_assert_int_gt(r, 0);
		n = (size_t)r;
		if (n > ETH_HLEN + 40 && got[12] == 0x08 &&
		    got[ETH_HLEN + 20 + 1] == 99)
			break;
	}
	ck_assert_uint_eq(n, len); /* one frame, not cut into segments */

	h.gso_type = 0x55;
	ck_assert_int_eq(guest_send(0, &h, f, len), -EINVAL);
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h.flags = 0;
	h.hdr_len = htole16(60000); /* past the end of the frame */
	ck_assert_int_eq(guest_send(0, &h, f, 100), -EINVAL);
}
END_TEST

/* With the link down the kernel refuses writes: the frame is dropped
 * (the network is lossy), not an error for the device. */
START_TEST(test_send_link_down)
{
	struct virtio_net_hdr_v1 h = {0};
	uint8_t f[128];

	setup_tap(0);
	attach(1);
	ck_assert_int_eq(link_set(IFNAME, false), 0);
	ck_assert_int_eq(guest_send(0, &h, f, build_frame(f, 60, 1)), 0);
}
END_TEST

START_TEST(test_multi_queue)
{
	struct virtio_net_hdr_v1 h = {0};
	uint8_t f[256], got[2048];
	size_t len;

	setup_tap(IFF_MULTI_QUEUE);
	attach(2);
	ck_assert_uint_eq(be->queues, 2);
	ck_assert_int_ne(be->ops->rx_fd(be, 0), be->ops->rx_fd(be, 1));
	for (unsigned int q = 0; q < 2; q++) {
		len = build_frame(f, 80, (uint8_t)(20 + q));
		ck_assert_int_eq(guest_send(q, &h, f, len), 0);
		ck_assert_uint_eq(
			host_recv(got, sizeof(got), (uint8_t)(20 + q)), len);
	}
	/* The host's frames come out of one of the two queues. */
	len = build_frame(f, 90, 30);
	ck_assert_int_eq(send(pkt_fd, f, len, 0), (ssize_t)len);
	struct pollfd p[2] = {{be->ops->rx_fd(be, 0), POLLIN, 0},
			      {be->ops->rx_fd(be, 1), POLLIN, 0}};
	bool found = false;
	for (int round = 0; round < 20 && !found; round++) {
		ck_assert_int_ge(poll(p, 2, WAIT_MS), 1);
		for (unsigned int q = 0; q < 2; q++) {
			struct iovec iov = {got, sizeof(got)};
			ssize_t n = net_backend_recv(be, q, &iov, 1);

			if (n > HDR_LEN &&
			    is_test_frame(got + HDR_LEN, (size_t)n - HDR_LEN,
					  30))
				found = true;
		}
	}
	ck_assert(found);
}
END_TEST

START_TEST(test_queue_mismatch)
{
	setup_tap(0);
	ck_assert_int_eq(net_tap_create(IFNAME, 2, &be, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a multi-queue TAP"));
	be = NULL;
}
END_TEST

START_TEST(test_queue_mismatch_mq)
{
	setup_tap(IFF_MULTI_QUEUE);
	ck_assert_int_eq(net_tap_create(IFNAME, 1, &be, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "multi-queue TAP: give queues"));
	be = NULL;
}
END_TEST

/* Drops CAP_NET_ADMIN from this process (it stays uid 0, so it can still
 * open /dev/net/tun, whatever its mode). */
static void drop_net_admin(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	ck_assert_int_eq(syscall(SYS_capset, &h, d), 0);
}

/* A TAP owned by someone else, opened without CAP_NET_ADMIN. */
START_TEST(test_permission_denied)
{
	ck_assert_int_eq(make_tun(IFNAME, IFF_TAP | IFF_NO_PI, 4242), 0);
	drop_net_admin();
	ck_assert_int_eq(net_tap_create(IFNAME, 1, &be, err, sizeof(err)),
			 -EPERM);
	ck_assert_str_eq(err, "tap " IFNAME ": permission denied (needs "
			      "CAP_NET_ADMIN or ownership)");
	be = NULL;
}
END_TEST

/* Can this process make a TAP in a namespace of its own? */
static bool tap_possible(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		_exit(make_tun("probe0", IFF_TAP | IFF_NO_PI, -1) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	Suite *s = suite_create("net_tap");
	TCase *tc = tcase_create("tap");

	if (!tap_possible()) {
		fprintf(stderr, "test_net_tap: cannot create a TAP in a new "
				"network namespace (no /dev/net/tun or no "
				"CAP_NET_ADMIN): skipped\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup_ns, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_no_such_interface);
	tcase_add_test(tc, test_not_a_tap);
	tcase_add_test(tc, test_fields_and_offloads);
	tcase_add_test(tc, test_set_rx_offloads);
	tcase_add_test(tc, test_send_reaches_host);
	tcase_add_test(tc, test_host_reaches_recv);
	tcase_add_test(tc, test_recv_too_small);
	tcase_add_test(tc, test_send_tso_and_malformed);
	tcase_add_test(tc, test_send_link_down);
	tcase_add_test(tc, test_multi_queue);
	tcase_add_test(tc, test_queue_mismatch);
	tcase_add_test(tc, test_queue_mismatch_mq);
	tcase_add_test(tc, test_permission_denied);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
