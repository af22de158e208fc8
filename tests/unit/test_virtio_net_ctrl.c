/* Unit tests for virtio-net's control side (src/devices/virtio_net*.c,
 * virtio 1.3 §5.1.4-5, §5.1.6.5): every control command, well-formed and
 * malformed; the receive filter as the commands set it; link up/down and
 * announcements; queue pairs; feature dependencies; config space and
 * creation options. Device tests run on every bus and ring format.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "net_harness.h"
#include "test_runner.h"
#include "virtio_net_internal.h"

#define N(a)  (int)(sizeof(a) / sizeof((a)[0]))
#define OK    VIRTIO_NET_OK
#define ERR   VIRTIO_NET_ERR
#define NOACK 0xee /* the ack byte untouched */
#define CSUM_ALL                                                        \
	(NH_F(VIRTIO_NET_F_CSUM) | NH_F(VIRTIO_NET_F_GUEST_CSUM) |      \
	 NH_F(VIRTIO_NET_F_HOST_TSO4) | NH_F(VIRTIO_NET_F_GUEST_TSO4) | \
	 NH_F(VIRTIO_NET_F_HOST_ECN) | NH_F(VIRTIO_NET_F_GUEST_ECN))

static struct net_harness h;

static void teardown(void)
{
	nh_destroy(&h);
}

static void up(int i, unsigned int queues, uint64_t dev)
{
	struct fake_net_options bo = {
		.queues = queues, .vnet_hdr = true, .offloads = CSUM_ALL};
	struct virtio_net_options o = {.mtu = 1400, .speed = 2500};

	nh_create(&h, &bo, &o);
	ck_assert_int_eq(nh_probe(&h, i, dev), 0);
}

/* A frame for the guest, behind a vnet header that says nothing. */
static int inject(unsigned int q, const uint8_t *f, size_t len)
{
	uint8_t buf[NH_HDR + 2048] = {0};

	ck_assert_uint_le(len, 2048);
	memcpy(buf + NH_HDR, f, len);
	return fake_net_inject(h.fb, q, buf, NH_HDR + len);
}

/* ---- commands ---- */

static const struct ctrl_case {
	const char *what;
	uint8_t bytes[40];
	uint32_t len, ack_len, used;
	uint8_t ack;
} ctrl_cases[] = {
	{"promisc on", {0, 0, 1}, 3, 1, 1, OK},
	{"promisc, no data", {0, 0}, 2, 1, 1, ERR},
	{"promisc, 2 bytes", {0, 0, 1, 1}, 4, 1, 1, ERR},
	{"allmulti", {0, 1, 0}, 3, 1, 1, OK},
	{"nobcast (extra)", {0, 5, 1}, 3, 1, 1, OK},
	{"rx cmd 6", {0, 6, 1}, 3, 1, 1, ERR},
	{"mac table empty", {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 1, 1, OK},
	{"mac table 1+1",
	 {1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0x5e, 0, 0, 1},
	 22,
	 1,
	 1,
	 OK},
	{"mac table, count past the data",
	 {1, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 1},
	 12,
	 1,
	 1,
	 ERR},
	{"mac table, no multicast count", {1, 0, 0, 0, 0, 0}, 6, 1, 1, ERR},
	{"mac table, trailing byte",
	 {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9},
	 11,
	 1,
	 1,
	 ERR},
	{"mac table, huge count", {1, 0, 0xff, 0xff, 0xff, 0xff}, 6, 1, 1, ERR},
	{"mac addr set", {1, 1, 2, 0, 0, 0, 0, 7}, 8, 1, 1, OK},
	{"mac addr set short", {1, 1, 2, 0, 0, 0, 0}, 7, 1, 1, ERR},
	{"mac cmd 2", {1, 2}, 2, 1, 1, ERR},
	{"vlan add 100", {2, 0, 100, 0}, 4, 1, 1, OK},
	{"vlan del 4095", {2, 1, 0xff, 0x0f}, 4, 1, 1, OK},
	{"vlan add 4096", {2, 0, 0, 0x10}, 4, 1, 1, ERR},
	{"vlan add, 1 byte", {2, 0, 1}, 3, 1, 1, ERR},
	{"vlan cmd 2", {2, 2, 1, 0}, 4, 1, 1, ERR},
	{"announce ack", {3, 0}, 2, 1, 1, OK},
	{"announce ack + data", {3, 0, 0}, 3, 1, 1, ERR},
	{"announce cmd 1", {3, 1}, 2, 1, 1, ERR},
	{"mq 2 pairs", {4, 0, 2, 0}, 4, 1, 1, OK},
	{"mq 1 pair", {4, 0, 1, 0}, 4, 1, 1, OK},
	{"mq 0 pairs", {4, 0, 0, 0}, 4, 1, 1, ERR},
	{"mq 3 pairs", {4, 0, 3, 0}, 4, 1, 1, ERR},
	{"mq rss", {4, 1, 2, 0}, 4, 1, 1, ERR},
	{"guest offloads", {5, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 1, 1, ERR},
	{"class 200", {200, 0}, 2, 1, 1, ERR},
	{"1-byte header", {0}, 1, 1, 1, ERR},
	{"nothing readable", {0}, 0, 1, 1, ERR},
	{"no ack byte", {0, 0, 1}, 3, 0, 0, NOACK},
	{"4-byte ack", {0, 0, 1}, 3, 4, 1, OK},
};

START_TEST(test_ctrl_command)
{
	const struct ctrl_case *c = &ctrl_cases[ft_loop_case(_i)];
	struct virtio_net_stats s;
	uint8_t ack;
	uint32_t used;

	up(_i, 2, NH_LINUX_NET);
	used = nh_ctrl_raw(&h, c->bytes, c->len, c->ack_len, &ack);
	ck_assert_msg(used == c->used && ack == c->ack,
		      "%s: used %u ack %u, want %u %u", c->what, used, ack,
		      c->used, c->ack);
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.ctrl_ok + s.ctrl_err, 1);
	/* The device carries on. */
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX,
				  VIRTIO_NET_CTRL_RX_PROMISC, "\1", 1),
			  OK);
}
END_TEST

/* Commands for features the driver did not accept are refused. */
START_TEST(test_ctrl_not_negotiated)
{
	uint16_t two = htole16(2), vid = htole16(1);

	up(_i, 2, NH_F(VIRTIO_NET_F_CTRL_VQ));
	ck_assert_uint_eq(h.ctrlq, 2); /* §5.1.2: no MQ, so after pair 0 */
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 0, "\1", 1), ERR);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MQ, 0, &two, 2), ERR);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_VLAN, 0, &vid, 2), ERR);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_ANNOUNCE, 0, NULL, 0),
			  ERR);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MAC, 1, nh_mac, 6), ERR);
}
END_TEST

/* ---- the receive filter, as Linux sets it ---- */

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0xb};
static const uint8_t mc_m[6] = {0x01, 0, 0x5e, 0, 0, 1};
static const uint8_t mc_n[6] = {0x01, 0, 0x5e, 0, 0, 2};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Where expect() sends its marker: an address the filter accepts. */
static const uint8_t *marker = nh_mac;

/* Injects a frame to dst (tagged with vid if >= 0), then a marker, and
 * checks that the frame arrived first iff accept. */
static void expect(const uint8_t *dst, int vid, bool accept)
{
	uint8_t f[64], mark[64];
	uint64_t gpa;
	uint32_t len;

	nh_frame(f, sizeof(f), dst, 0x11);
	if (vid >= 0) {
		f[12] = 0x81;
		f[13] = 0;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
	}
	nh_frame(mark, sizeof(mark), marker, 0x22);
	nh_post_rx(&h, 0, 2, 2048);
	ck_assert_int_eq(inject(0, f, sizeof(f)), 0);
	ck_assert_int_eq(inject(0, mark, sizeof(mark)), 0);
	gpa = nh_wait_rx(&h, 0, &len, NH_WAIT_NS);
	ck_assert_uint_ne(gpa, 0);
	ck_assert_msg(!memcmp(guest_ram_ptr(&h.ram, gpa + NH_HDR, 64),
			      accept ? f : mark, 64),
		      "frame to %02x..%02x vid %d: accept should be %d", dst[0],
		      dst[5], vid, accept);
	if (accept)
		ck_assert_uint_ne(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), 0);
}

static void mac_table(unsigned int nuni, const uint8_t *uni,
		      unsigned int nmulti, const uint8_t *multi)
{
	static uint8_t buf[8 + 6 * 130];
	uint32_t n;
	size_t off = 0;

	n = htole32(nuni);
	memcpy(buf, &n, 4);
	off = 4;
	for (unsigned int i = 0; i < nuni; i++, off += 6)
		memcpy(buf + off, uni, 6);
	n = htole32(nmulti);
	memcpy(buf + off, &n, 4);
	off += 4;
	for (unsigned int i = 0; i < nmulti; i++, off += 6)
		memcpy(buf + off, multi, 6);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MAC,
				  VIRTIO_NET_CTRL_MAC_TABLE_SET, buf,
				  (uint32_t)off),
			  OK);
}

START_TEST(test_filter)
{
	struct virtio_net_stats s;
	uint16_t vid = htole16(5);

	up(_i, 1, NH_LINUX_NET);
	/* After reset: promiscuous. */
	expect(mac_b, -1, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 0, "\0", 1), OK);
	mac_table(1, mac_a, 1, mc_m);
	expect(nh_mac, -1, true);
	expect(mac_a, -1, true);
	expect(mac_b, -1, false);
	expect(mc_m, -1, true);
	expect(mc_n, -1, false);
	expect(bcast, -1, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 1, "\1", 1), OK);
	expect(mc_n, -1, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 5, "\1", 1), OK);
	expect(bcast, -1, false);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 5, "\0", 1), OK);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 3, "\1", 1), OK);
	expect(mc_m, -1, false);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 2, "\1", 1), OK);
	expect(mac_b, -1, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 4, "\1", 1), OK);
	marker = bcast;
	expect(nh_mac, -1, false);
	marker = nh_mac;
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 4, "\0", 1), OK);
	/* VLAN filtering (§5.1.6.5.3): tagged frames need their id. */
	expect(nh_mac, 5, false);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_VLAN, 0, &vid, 2), OK);
	expect(nh_mac, 5, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_VLAN, 1, &vid, 2), OK);
	expect(nh_mac, 5, false);
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.rx_filtered, 7);
}
END_TEST

/* More entries than we keep: that kind is accepted as a whole. ADDR_SET
 * moves the device's own address (and config space with it). */
START_TEST(test_mac_overflow_and_addr)
{
	uint8_t mac[6];

	up(_i, 1, NH_LINUX_NET);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_RX, 0, "\0", 1), OK);
	mac_table(VIRTIO_NET_MAC_TABLE + 1, mac_a, 0, NULL);
	expect(mac_b, -1, true);
	expect(mc_m, -1, false);
	mac_table(0, NULL, VIRTIO_NET_MAC_TABLE + 1, mc_m);
	expect(mac_b, -1, false);
	expect(mc_n, -1, true);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MAC,
				  VIRTIO_NET_CTRL_MAC_ADDR_SET, mac_b, 6),
			  OK);
	ck_assert_int_eq(fake_transport_config_read(&h.ft, 0, mac, 6), 0);
	ck_assert_mem_eq(mac, mac_b, 6);
	marker = mac_b;
	expect(mac_b, -1, true);
	expect(nh_mac, -1, false);
}
END_TEST

/* ---- link, announce, queue pairs ---- */

static uint16_t status(void)
{
	uint16_t s;

	ck_assert_int_eq(fake_transport_config_read(
				 &h.ft,
				 offsetof(struct virtio_net_config, status), &s,
				 2),
			 0);
	return le16toh(s);
}

START_TEST(test_link)
{
	uint8_t f[60], buf[NH_HDR + 60] = {0}, got[100];
	struct virtio_net_stats s;
	unsigned int irqs = h.ft.config_irqs;
	uint32_t len;

	up(_i, 1, NH_LINUX_NET);
	ck_assert_uint_eq(status(), VIRTIO_NET_S_LINK_UP);
	irqs = h.ft.config_irqs;
	ck_assert_int_eq(virtio_net_set_link(h.net, false), 0);
	ck_assert_int_eq(virtio_net_set_link(h.net, false), -EALREADY);
	if (h.ft.bus == &ft_bus_core)
		ck_assert_uint_eq(h.ft.config_irqs, irqs + 1);
	ck_assert_uint_eq(status(), 0);
	/* Down: frames either way are lost, buffers kept. */
	nh_frame(f, sizeof(f), nh_mac, 1);
	memcpy(buf + NH_HDR, f, sizeof(f));
	nh_post_rx(&h, 0, 1, 2048);
	ck_assert_int_eq(inject(0, f, sizeof(f)), 0);
	nh_tx(&h, 0, buf, sizeof(buf), 1, false);
	usleep(20000);
	ck_assert_uint_eq(fake_net_rx_waiting(h.fb, 0), 0);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, 0), 0);
	ck_assert_int_lt(fake_net_take(h.fb, 0, got, sizeof(got)), 0);
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.rx_dropped, 1);
	ck_assert_uint_eq(s.tx_dropped, 1);
	/* Up again: GUEST_ANNOUNCE asks for gratuitous ARPs until acked. */
	ck_assert_int_eq(virtio_net_set_link(h.net, true), 0);
	ck_assert_uint_eq(status(),
			  VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_ANNOUNCE, 0, NULL, 0),
			  OK);
	ck_assert_uint_eq(status(), VIRTIO_NET_S_LINK_UP);
	ck_assert_int_eq(inject(0, f, sizeof(f)), 0);
	ck_assert_uint_ne(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), 0);
	ck_assert_uint_eq(len, NH_HDR + sizeof(f));
}
END_TEST

/* Without GUEST_ANNOUNCE, a link coming back only sets LINK_UP. */
START_TEST(test_link_no_announce)
{
	up(_i, 1, NH_LINUX_NET & ~NH_F(VIRTIO_NET_F_GUEST_ANNOUNCE));
	ck_assert_int_eq(virtio_net_set_link(h.net, false), 0);
	ck_assert_int_eq(virtio_net_set_link(h.net, true), 0);
	ck_assert_uint_eq(status(), VIRTIO_NET_S_LINK_UP);
}
END_TEST

/* §5.1.6.5.5: after reset only pair 0 receives; VQ_PAIRS_SET opens the
 * others, and closing them again leaves frames waiting. */
START_TEST(test_mq_pairs)
{
	uint16_t two = htole16(2), one = htole16(1);
	uint8_t f[60];
	uint32_t len;

	up(_i, 2, NH_LINUX_NET);
	ck_assert(virtio_has_feature(h.vd, VIRTIO_NET_F_MQ));
	nh_frame(f, sizeof(f), nh_mac, 3);
	nh_post_rx(&h, 1, 2, 2048);
	ck_assert_int_eq(inject(1, f, sizeof(f)), 0);
	usleep(20000);
	ck_assert_uint_eq(fake_net_rx_waiting(h.fb, 1), 1);
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MQ, 0, &two, 2), OK);
	ck_assert_uint_ne(nh_wait_rx(&h, 1, &len, NH_WAIT_NS), 0);
	ck_assert_uint_eq(len, NH_HDR + sizeof(f));
	ck_assert_uint_eq(nh_ctrl(&h, VIRTIO_NET_CTRL_MQ, 0, &one, 2), OK);
	ck_assert_int_eq(inject(1, f, sizeof(f)), 0);
	usleep(20000);
	ck_assert_uint_eq(fake_net_rx_waiting(h.fb, 1), 1);
	ck_assert_uint_eq(nh_wait_rx(&h, 1, &len, 0), 0);
}
END_TEST

/* ---- features and config ---- */

static const uint64_t refused[] = {
	NH_F(VIRTIO_NET_F_GUEST_TSO4),
	NH_F(VIRTIO_NET_F_HOST_TSO4),
	NH_F(VIRTIO_NET_F_CSUM) | NH_F(VIRTIO_NET_F_HOST_ECN),
	NH_F(VIRTIO_NET_F_GUEST_CSUM) | NH_F(VIRTIO_NET_F_GUEST_ECN),
	NH_F(VIRTIO_NET_F_CTRL_RX),
	NH_F(VIRTIO_NET_F_CTRL_VLAN),
	NH_F(VIRTIO_NET_F_GUEST_ANNOUNCE),
	NH_F(VIRTIO_NET_F_MQ),
	NH_F(VIRTIO_NET_F_CTRL_MAC_ADDR),
	NH_F(VIRTIO_NET_F_CTRL_VQ) | NH_F(VIRTIO_NET_F_CTRL_RX_EXTRA),
};

START_TEST(test_features_refused)
{
	struct fake_net_options bo = {
		.queues = 2, .vnet_hdr = true, .offloads = CSUM_ALL};
	struct virtio_net_options o = {0};

	nh_create(&h, &bo, &o);
	ck_assert_int_eq(nh_probe(&h, _i, refused[ft_loop_case(_i)]), -ENOTSUP);
	/* The same bits with what they need are fine. */
	ck_assert_int_eq(
		nh_probe(&h, _i,
			 refused[ft_loop_case(_i)] | CSUM_ALL | NH_LINUX_NET),
		0);
}
END_TEST

START_TEST(test_config)
{
	struct virtio_net_config c;
	uint64_t off;

	up(_i, 2, NH_LINUX_NET | CSUM_ALL);
	ck_assert_int_eq(fake_transport_config_read(&h.ft, 0, &c, 17), 0);
	ck_assert_mem_eq(c.mac, nh_mac, 6);
	ck_assert_uint_eq(le16toh(c.max_virtqueue_pairs), 2);
	ck_assert_uint_eq(le16toh(c.mtu), 1400);
	ck_assert_uint_eq(le32toh(c.speed), 2500);
	ck_assert_uint_eq(c.duplex, 1);
	off = virtio_offered_features(h.vd);
	ck_assert_uint_eq(off & CSUM_ALL, CSUM_ALL);
	ck_assert(!(off & NH_F(VIRTIO_NET_F_HOST_TSO6)));
	ck_assert(!(off & NH_F(VIRTIO_NET_F_GUEST_UFO)));
	ck_assert(!(off & NH_F(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)));
	ck_assert_uint_eq(h.vd->features & (NH_LINUX_NET | CSUM_ALL),
			  NH_LINUX_NET | CSUM_ALL);
}
END_TEST

/* No MTU option, one pair, no vnet header: no MTU, MQ or offloads. */
START_TEST(test_features_plain)
{
	struct fake_net_options bo = {0};
	struct virtio_net_options o = {.packed_off = true};
	uint64_t off;

	nh_create(&h, &bo, &o);
	off = virtio_offered_features(h.vd);
	ck_assert(!(off & NH_F(VIRTIO_NET_F_MTU)));
	ck_assert(!(off & NH_F(VIRTIO_NET_F_MQ)));
	ck_assert(!(off & NH_F(VIRTIO_NET_F_CSUM)));
	ck_assert(!(off & NH_F(VIRTIO_NET_F_GUEST_CSUM)));
	ck_assert(!(off & NH_F(VIRTIO_F_RING_PACKED)));
	ck_assert(off & NH_F(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert(off & NH_F(VIRTIO_NET_F_SPEED_DUPLEX));
}
END_TEST

START_TEST(test_create_bad)
{
	struct fake_net_options bo = {.queues = 8};
	struct fake_net_backend *fb = fake_net_create(&bo);
	struct net_backend *be = fake_net_be(fb);
	struct virtio_net_options o = {0};
	struct virtio_net *net = NULL;
	struct guest_ram ram;

	guest_ram_init(&ram, 1 << 20);
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), -EINVAL);
	o.be = be;
	o.mtu = 60;
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), -EINVAL);
	o.mtu = 1501; /* the fake says 0: 1500 */
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), -EINVAL);
	o.mtu = 1500;
	be->offloads = NH_F(VIRTIO_NET_F_CSUM); /* without vnet_hdr */
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), -EINVAL);
	be->offloads = 0;
	be->queues = 9;
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), -EINVAL);
	be->queues = 8;
	ck_assert_int_eq(virtio_net_create(&o, &ram.mem, &net), 0);
	ck_assert_uint_eq(virtio_net_vdev(net)->num_queues, 17);
	virtio_net_destroy(net);
	virtio_net_destroy(NULL);
	net_backend_destroy(be);
	guest_ram_destroy(&ram);
}
END_TEST

static Suite *net_ctrl_suite(void)
{
	Suite *s = suite_create("virtio_net_ctrl");
	TCase *tc = tcase_create("ctrl");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_ctrl_command, 0, FT_LOOPS(N(ctrl_cases)));
	tcase_add_loop_test(tc, test_ctrl_not_negotiated, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_filter, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_mac_overflow_and_addr, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_link, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_link_no_announce, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_mq_pairs, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_features_refused, 0, FT_LOOPS(N(refused)));
	tcase_add_loop_test(tc, test_config, 0, FT_LOOPS(1));
	tcase_add_test(tc, test_features_plain);
	tcase_add_test(tc, test_create_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(net_ctrl_suite());
}
