/* Unit tests for the virtio-net data path (src/devices/virtio_net*.c,
 * virtio 1.3 §5.1.6.2-4): frames both ways through the fake backend, with
 * and without vnet headers, mergeable and single receive buffers, frames
 * that wait for buffers or for a blocked backend, malformed transmit
 * headers, resets while traffic flows. Every test runs on every bus and
 * both ring formats (FT_LOOPS).
 */
#include <check.h>
#include <endian.h>
#include <string.h>
#include <unistd.h>

#include "net_harness.h"
#include "test_runner.h"
#include "virtio_net_internal.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define OFFL                                                            \
	(NH_F(VIRTIO_NET_F_CSUM) | NH_F(VIRTIO_NET_F_GUEST_CSUM) |      \
	 NH_F(VIRTIO_NET_F_HOST_TSO4) | NH_F(VIRTIO_NET_F_GUEST_TSO4) | \
	 NH_F(VIRTIO_NET_F_HOST_TSO6) | NH_F(VIRTIO_NET_F_GUEST_TSO6) | \
	 NH_F(VIRTIO_NET_F_HOST_ECN) | NH_F(VIRTIO_NET_F_GUEST_ECN) |   \
	 NH_F(VIRTIO_NET_F_HOST_UFO) | NH_F(VIRTIO_NET_F_GUEST_UFO))

static struct net_harness h;

static void teardown(void)
{
	nh_destroy(&h);
}

static void up(int i, bool vnet_hdr, unsigned int queues, uint64_t dev)
{
	struct fake_net_options bo = {.queues = queues,
				      .vnet_hdr = vnet_hdr,
				      .offloads = vnet_hdr ? OFFL : 0};
	struct virtio_net_options o = {0};

	nh_create(&h, &bo, &o);
	ck_assert_int_eq(nh_probe(&h, i, dev), 0);
}

/* ---- transmit ---- */

static const struct tx_case {
	bool vnet_hdr;
	unsigned int nseg;
	bool indirect;
	uint32_t len; /* frame bytes */
	uint8_t flags;
	uint16_t csum_start, csum_offset;
} tx_cases[] = {
	{false, 1, false, 60, 0, 0, 0},
	{false, 3, true, 1514, 0, 0, 0},
	{true, 1, false, 60, 0, 0, 0},
	{true, 2, false, 1514, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 16},
	{true, 4, true, 65000, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 6},
};

START_TEST(test_tx)
{
	const struct tx_case *c = &tx_cases[ft_loop_case(_i)];
	static uint8_t buf[NH_HDR + 65536], got[NH_HDR + 65536];
	struct virtio_net_hdr_v1 *hd = (struct virtio_net_hdr_v1 *)buf;
	uint32_t off = c->vnet_hdr ? 0 : NH_HDR;
	struct virtio_net_stats s;
	ssize_t r;

	up(_i, c->vnet_hdr, 1,
	   NH_LINUX_NET | OFFL | NH_F(VIRTIO_NET_F_MRG_RXBUF));
	memset(buf, 0, NH_HDR);
	nh_frame(buf + NH_HDR, c->len, nh_mac, 3);
	hd->flags = c->flags;
	hd->csum_start = htole16(c->csum_start);
	hd->csum_offset = htole16(c->csum_offset);
	for (int k = 0; k < 2; k++) {
		nh_tx(&h, 0, buf, NH_HDR + c->len, c->nseg, c->indirect);
		r = fake_net_wait_sent(h.fb, 0, got, sizeof(got), NH_WAIT_NS);
		ck_assert_int_eq(r, NH_HDR + c->len - off);
		ck_assert_mem_eq(got, buf + off, (size_t)r);
	}
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.tx_packets, 2);
	ck_assert_uint_eq(s.tx_errors, 0);
}
END_TEST

/* Frames the device must drop (and count) without breaking: then a good
 * frame still goes out. */
static const struct bad_tx {
	bool vnet_hdr;
	uint32_t len; /* bytes in the chain, header included */
	uint8_t flags, gso;
	uint16_t csum_start, csum_offset, gso_size;
} bad_tx[] = {
	{false, 8},			   /* shorter than the header */
	{false, NH_HDR},		   /* header, no frame */
	{false, NH_HDR + 10},		   /* shorter than Ethernet */
	{false, NH_HDR + 60, 0x80},	   /* unknown flag */
	{false, NH_HDR + 60, 1, 0, 10, 6}, /* NEEDS_CSUM, not offered */
	{false, NH_HDR + 60, 0, VIRTIO_NET_HDR_GSO_TCPV4, 0, 0, 1400},
	{true, NH_HDR + 60, 1, 0, 50, 16},	   /* checksum past the end */
	{true, NH_HDR + 60, 1, 0, 0xffff, 0xffff}, /* overflow attempt */
	{true, NH_HDR + 60, 1, 7, 34, 16, 1400},   /* unknown gso_type */
	{true, NH_HDR + 60, 1, VIRTIO_NET_HDR_GSO_TCPV4, 34, 16, 0},
	{true, NH_HDR + 60, 0, VIRTIO_NET_HDR_GSO_TCPV6, 34, 16, 1400},
	{true, NH_HDR + 60, 1, VIRTIO_NET_HDR_GSO_UDP | 0x80, 34, 6, 1400},
	{true, NH_HDR + NET_BACKEND_MAX_FRAME + 1},
};

START_TEST(test_tx_bad)
{
	const struct bad_tx *c = &bad_tx[ft_loop_case(_i)];
	static uint8_t buf[NH_HDR + NET_BACKEND_MAX_FRAME + 1];
	struct virtio_net_hdr_v1 *hd = (struct virtio_net_hdr_v1 *)buf;
	struct virtio_net_stats s;
	uint8_t got[128];

	up(_i, c->vnet_hdr, 1, NH_LINUX_NET | OFFL);
	memset(buf, 0, sizeof(buf));
	nh_frame(buf + NH_HDR, 60, nh_mac, 1);
	hd->flags = c->flags;
	hd->gso_type = c->gso;
	hd->csum_start = htole16(c->csum_start);
	hd->csum_offset = htole16(c->csum_offset);
	hd->gso_size = htole16(c->gso_size);
	nh_tx(&h, 0, buf, c->len, 1, false);
	usleep(5000);
	ck_assert_int_lt(fake_net_take(h.fb, 0, got, sizeof(got)), 0);
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.tx_errors, 1);
	memset(buf, 0, NH_HDR);
	nh_tx(&h, 0, buf, NH_HDR + 60, 1, false);
	ck_assert_int_eq(
		fake_net_wait_sent(h.fb, 0, got, sizeof(got), NH_WAIT_NS),
		60 + (c->vnet_hdr ? NH_HDR : 0));
	ck_assert_uint_eq(virtio_get_status(h.vd) & VIRTIO_CONFIG_S_NEEDS_RESET,
			  0);
}
END_TEST

/* The backend says -EAGAIN: the frame is kept (not completed, not
 * resent in a loop) until tx_fd polls writable. */
START_TEST(test_tx_eagain)
{
	uint8_t buf[NH_HDR + 100] = {0}, got[200];
	uint64_t gpa;
	struct drvq_buf b;
	unsigned int calls;
	uint32_t used;
	int tok;

	up(_i, false, 1, NH_LINUX_NET);
	nh_frame(buf + NH_HDR, 100, nh_mac, 9);
	fake_net_set_blocked(h.fb, 0, true);
	gpa = guest_ram_put(&h.ram, buf, sizeof(buf));
	b = (struct drvq_buf){gpa, sizeof(buf), false};
	ck_assert_int_eq(fake_transport_send(&h.ft, 1, &b, 1, false, &tok), 0);
	usleep(50000);
	calls = fake_net_send_calls(h.fb, 0);
	ck_assert_uint_ge(calls, 1);
	ck_assert_uint_le(calls, 3); /* no spinning */
	ck_assert_ptr_null(drvq_get_used(&h.ft.q[1], &used));
	fake_net_set_blocked(h.fb, 0, false);
	ck_assert_ptr_eq(fake_transport_wait_used(&h.ft, 1, &used, NH_WAIT_NS),
			 &tok);
	ck_assert_int_eq(
		fake_net_wait_sent(h.fb, 0, got, sizeof(got), NH_WAIT_NS), 100);
	ck_assert_mem_eq(got, buf + NH_HDR, 100);
}
END_TEST

/* A transmitq reset while the backend holds a frame back: the device
 * lets go of it (it belonged to the old ring) and never sends it; after a
 * new probe transmit works again. */
START_TEST(test_tx_reset_while_held)
{
	uint8_t buf[NH_HDR + 100] = {0}, got[200];
	struct drvq_buf b;
	int tok;

	up(_i, false, 1, NH_LINUX_NET);
	nh_frame(buf + NH_HDR, 100, nh_mac, 9);
	fake_net_set_blocked(h.fb, 0, true);
	b = (struct drvq_buf){guest_ram_put(&h.ram, buf, sizeof(buf)),
			      sizeof(buf), false};
	ck_assert_int_eq(fake_transport_send(&h.ft, 1, &b, 1, false, &tok), 0);
	usleep(20000);
	ck_assert_uint_ge(fake_net_send_calls(h.fb, 0), 1);
	ck_assert_int_eq(fake_transport_queue_reset(&h.ft, 1), 0);
	fake_net_set_blocked(h.fb, 0, false);
	usleep(20000);
	ck_assert_int_lt(fake_net_take(h.fb, 0, got, sizeof(got)), 0);
	ck_assert_int_eq(nh_probe(&h, _i, NH_LINUX_NET), 0);
	nh_tx(&h, 0, buf, sizeof(buf), 1, false);
	ck_assert_int_eq(
		fake_net_wait_sent(h.fb, 0, got, sizeof(got), NH_WAIT_NS), 100);
}
END_TEST

/* A queue back from a queue reset (§2.6.1.2) is the device's again at
 * once, on every bus: on PCI and MMIO its kicks reach the device only
 * through its kick fd, which does not hand a queue back by itself. */
START_TEST(test_queue_restart)
{
	uint8_t buf[NH_HDR + 100] = {0}, got[200];
	uint64_t rx;
	uint32_t len;

	up(_i, false, 1, NH_LINUX_NET);
	nh_frame(buf + NH_HDR, 100, nh_mac, 5);
	for (uint16_t q = 0; q < 2; q++) {
		ck_assert_int_eq(fake_transport_queue_reset(&h.ft, q), 0);
		fake_transport_queue_restart(&h.ft, q);
	}
	nh_tx(&h, 0, buf, sizeof(buf), 1, false);
	ck_assert_int_eq(
		fake_net_wait_sent(h.fb, 0, got, sizeof(got), NH_WAIT_NS), 100);
	rx = nh_post_rx(&h, 0, 1, 1526);
	fake_net_inject(h.fb, 0, buf + NH_HDR, 100);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), rx);
	ck_assert_uint_eq(len, NH_HDR + 100);
}
END_TEST

/* The data queues' kicks go to their pair's thread (queue_kick_fd); queue
 * 2 (controlq without MQ) and controlq keep the ordinary path. */
START_TEST(test_kick_fds)
{
	int fd[6];

	up(_i, false, 2, NH_LINUX_NET);
	for (uint16_t q = 0; q < 6; q++)
		fd[q] = virtio_queue_kick_fd(h.vd, q);
	ck_assert_int_ge(fd[0], 0);
	ck_assert_int_ge(fd[1], 0);
	ck_assert_int_eq(fd[2], -1);
	ck_assert_int_ge(fd[3], 0);
	ck_assert_int_eq(fd[4], -1); /* controlq with MQ */
	ck_assert_int_eq(fd[5], -1); /* no such queue */
	ck_assert_int_ne(fd[0], fd[1]);
	ck_assert_int_ne(fd[1], fd[3]);
}
END_TEST

/* ---- receive ---- */

static const struct rx_case {
	bool vnet_hdr, mrg;
	uint32_t buf_len;
	unsigned int nbuf;
	uint32_t frame;
} rx_cases[] = {
	{false, false, 1526, 1, 100},
	{false, false, 1526, 1, 1514},
	{false, true, 256, 8, 1000},
	{true, true, 256, 8, 1000},
	{true, false, 2048, 1, 1514},
	{true, true, 4096, 20, 65000}, /* a GSO-sized frame, 16 buffers */
	{false, true, 1526, 2, 1514},  /* exactly one buffer */
};

START_TEST(test_rx)
{
	const struct rx_case *c = &rx_cases[ft_loop_case(_i)];
	static uint8_t frame[NH_HDR + 65536], seen[NH_HDR + 65536];
	struct virtio_net_hdr_v1 *fh = (struct virtio_net_hdr_v1 *)frame;
	const struct virtio_net_hdr_v1 *gh;
	uint32_t off = 0, len, total = NH_HDR + c->frame;
	uint64_t first, gpa;
	unsigned int k = 0, want_bufs;

	up(_i, c->vnet_hdr, 1,
	   NH_LINUX_NET | OFFL | (c->mrg ? NH_F(VIRTIO_NET_F_MRG_RXBUF) : 0));
	memset(frame, 0, NH_HDR);
	nh_frame(frame + NH_HDR, c->frame, nh_mac, 5);
	if (c->vnet_hdr) {
		fh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		fh->num_buffers = htole16(1);
	}
	first = nh_post_rx(&h, 0, c->nbuf, c->buf_len);
	ck_assert_int_eq(fake_net_inject(h.fb, 0,
					 frame + (c->vnet_hdr ? 0 : NH_HDR),
					 c->frame + (c->vnet_hdr ? NH_HDR : 0)),
			 0);
	want_bufs = c->mrg ? (total + c->buf_len - 1) / c->buf_len : 1;
	while (off < total) {
		gpa = nh_wait_rx(&h, 0, &len, NH_WAIT_NS);
		ck_assert_uint_eq(gpa, first + (uint64_t)k * c->buf_len);
		ck_assert_uint_eq(len, total - off < c->buf_len ? total - off
								: c->buf_len);
		memcpy(seen + off, guest_ram_ptr(&h.ram, gpa, len), len);
		off += len;
		k++;
	}
	ck_assert_uint_eq(k, want_bufs);
	gh = (const struct virtio_net_hdr_v1 *)seen;
	ck_assert_uint_eq(le16toh(gh->num_buffers), want_bufs);
	ck_assert_uint_eq(gh->flags,
			  c->vnet_hdr ? VIRTIO_NET_HDR_F_DATA_VALID : 0);
	ck_assert_mem_eq(seen + NH_HDR, frame + NH_HDR, c->frame);
}
END_TEST

/* Without MRG_RXBUF a buffer too small for the frame: the frame is
 * dropped and counted, the buffer kept for the next one. */
START_TEST(test_rx_too_small)
{
	uint8_t f1[200], f2[40];
	struct virtio_net_stats s;
	uint64_t gpa;
	uint32_t len;

	up(_i, false, 1, NH_LINUX_NET);
	nh_frame(f1, sizeof(f1), nh_mac, 1);
	nh_frame(f2, sizeof(f2), nh_mac, 2);
	gpa = nh_post_rx(&h, 0, 1, 100);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, f1, sizeof(f1)), 0);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, f2, sizeof(f2)), 0);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), gpa);
	ck_assert_uint_eq(len, NH_HDR + sizeof(f2));
	ck_assert_mem_eq(guest_ram_ptr(&h.ram, gpa + NH_HDR, sizeof(f2)), f2,
			 sizeof(f2));
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.rx_dropped, 1);
	ck_assert_uint_eq(s.rx_packets, 1);
}
END_TEST

/* No receive buffers: the frame waits in the backend (the device does not
 * poll rx_fd meanwhile), then arrives once the driver posts and kicks. */
START_TEST(test_rx_waits_for_buffers)
{
	uint8_t f[80];
	uint64_t gpa;
	uint32_t len;

	up(_i, false, 1, NH_LINUX_NET | NH_F(VIRTIO_NET_F_MRG_RXBUF));
	nh_frame(f, sizeof(f), nh_mac, 4);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, f, sizeof(f)), 0);
	usleep(30000);
	ck_assert_uint_eq(fake_net_rx_waiting(h.fb, 0), 1);
	gpa = nh_post_rx(&h, 0, 1, 2048);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), gpa);
	ck_assert_uint_eq(len, NH_HDR + sizeof(f));
	ck_assert_mem_eq(guest_ram_ptr(&h.ram, gpa + NH_HDR, sizeof(f)), f,
			 sizeof(f));
	ck_assert_uint_eq(fake_net_rx_waiting(h.fb, 0), 0);
}
END_TEST

/* A mergeable frame that runs out of buffers half way waits, holding
 * those it has, and completes after the next kick. */
START_TEST(test_rx_mrg_partial)
{
	uint8_t f[1000];
	uint64_t a, b;
	uint32_t len;

	up(_i, false, 1, NH_LINUX_NET | NH_F(VIRTIO_NET_F_MRG_RXBUF));
	nh_frame(f, sizeof(f), nh_mac, 6);
	a = nh_post_rx(&h, 0, 2, 256);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, f, sizeof(f)), 0);
	usleep(30000);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, 0), 0);
	b = nh_post_rx(&h, 0, 2, 512);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), a);
	ck_assert_uint_eq(le16toh(((struct virtio_net_hdr_v1 *)guest_ram_ptr(
					   &h.ram, a, NH_HDR))
					  ->num_buffers),
			  3);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), a + 256);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), b);
	ck_assert_uint_eq(len, NH_HDR + sizeof(f) - 512);
}
END_TEST

/* Mergeable buffers of two descriptors each fill the 64-slot ring with
 * 32 buffers: a frame larger than all of them is dropped rather than
 * waiting for buffers that can never come; the next frame uses them. */
START_TEST(test_rx_mrg_ring_full)
{
	uint8_t big[2000], small[40];
	struct virtio_net_stats s;
	struct drvq_buf b[2];
	uint32_t len;
	uint64_t gpa;

	up(_i, false, 1, NH_LINUX_NET | NH_F(VIRTIO_NET_F_MRG_RXBUF));
	gpa = guest_ram_alloc(&h.ram, 32 * 32, 8);
	for (unsigned int k = 0; k < 32; k++) {
		b[0] = (struct drvq_buf){gpa + k * 32, 16, true};
		b[1] = (struct drvq_buf){gpa + k * 32 + 16, 16, true};
		ck_assert_int_eq(drvq_add(&h.ft.q[0], b, 2, false,
					  (void *)(uintptr_t)(gpa + k * 32)),
				 0);
	}
	fake_transport_kick(&h.ft, 0);
	nh_frame(big, sizeof(big), nh_mac, 1);
	nh_frame(small, sizeof(small), nh_mac, 2);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, big, sizeof(big)), 0);
	ck_assert_int_eq(fake_net_inject(h.fb, 0, small, sizeof(small)), 0);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), gpa);
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(le16toh(((struct virtio_net_hdr_v1 *)guest_ram_ptr(
					   &h.ram, gpa, NH_HDR))
					  ->num_buffers),
			  2);
	ck_assert_uint_eq(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), gpa + 32);
	ck_assert_uint_eq(len, NH_HDR + sizeof(small) - 32);
	ck_assert_mem_eq(guest_ram_ptr(&h.ram, gpa + NH_HDR, 20), small, 20);
	nh_stats(&h, &s);
	ck_assert_uint_eq(s.rx_dropped, 1);
}
END_TEST

/* Device reset and receiveq reset while frames flow through a loopback
 * backend; afterwards a new probe carries traffic again. */
START_TEST(test_reset_under_traffic)
{
	struct fake_net_options bo = {.loopback = true};
	struct virtio_net_options o = {0};
	uint8_t buf[NH_HDR + 200] = {0};
	struct drvq_buf b;
	uint32_t len;
	uint64_t gpa;
	int tok;

	nh_create(&h, &bo, &o);
	ck_assert_int_eq(nh_probe(&h, _i, NH_LINUX_NET), 0);
	nh_frame(buf + NH_HDR, 200, nh_mac, 8);
	gpa = guest_ram_put(&h.ram, buf, sizeof(buf));
	b = (struct drvq_buf){gpa, sizeof(buf), false};
	nh_post_rx(&h, 0, 16, 2048);
	for (int k = 0; k < 32; k++)
		if (fake_transport_send(&h.ft, 1, &b, 1, false, &tok) < 0)
			break;
	if (ft_loop_case(_i) == 1)
		ck_assert_int_eq(fake_transport_queue_reset(&h.ft, 0), 0);
	else
		fake_transport_set_status(&h.ft, 0);
	usleep(10000);
	ck_assert_int_eq(nh_probe(&h, _i, NH_LINUX_NET), 0);
	while (fake_net_rx_waiting(h.fb, 0)) /* leftovers: drain */
		nh_post_rx(&h, 0, 1, 2048), nh_wait_rx(&h, 0, &len, NH_WAIT_NS);
	gpa = nh_post_rx(&h, 0, 1, 2048);
	nh_tx(&h, 0, buf, sizeof(buf), 1, false);
	ck_assert_uint_ne(nh_wait_rx(&h, 0, &len, NH_WAIT_NS), 0);
	ck_assert_uint_eq(len, sizeof(buf));
}
END_TEST

/* GUEST_* offloads reach the backend at DRIVER_OK, 0 at reset. */
START_TEST(test_rx_offloads)
{
	uint64_t guest =
		NH_F(VIRTIO_NET_F_GUEST_CSUM) | NH_F(VIRTIO_NET_F_GUEST_TSO4);
	unsigned int calls;

	up(_i, true, 1, NH_LINUX_NET | NH_F(VIRTIO_NET_F_CSUM) | guest);
	ck_assert_uint_eq(fake_net_rx_offloads(h.fb, &calls), guest);
	fake_transport_set_status(&h.ft, 0);
	ck_assert_uint_eq(fake_net_rx_offloads(h.fb, &calls), 0);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *tc = tcase_create("data");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_tx, 0, FT_LOOPS(N(tx_cases)));
	tcase_add_loop_test(tc, test_tx_bad, 0, FT_LOOPS(N(bad_tx)));
	tcase_add_loop_test(tc, test_tx_eagain, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_tx_reset_while_held, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_queue_restart, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_kick_fds, 0, 1);
	tcase_add_loop_test(tc, test_rx, 0, FT_LOOPS(N(rx_cases)));
	tcase_add_loop_test(tc, test_rx_too_small, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_rx_waits_for_buffers, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_rx_mrg_partial, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_rx_mrg_ring_full, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_reset_under_traffic, 0, FT_LOOPS(2));
	tcase_add_loop_test(tc, test_rx_offloads, 0, FT_LOOPS(1));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(net_suite());
}
