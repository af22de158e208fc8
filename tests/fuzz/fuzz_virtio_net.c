/* fuzz_virtio_net: virtio-net driven by a hostile guest and a hostile
 * host network (virtio 1.3 §5.1.6 Device Operation).
 *
 * The real device (src/devices/virtio_net*.c, its pair threads included)
 * on the fake in-memory backend, reached through the fake transport's core
 * bus. The rings are well-formed (the driver model builds them, split or
 * packed); what goes in them is the fuzzer's: transmit headers and chain
 * shapes, receive buffer sizes, control commands; so are the frames and
 * headers the host sends. Every answer is checked: transmit buffers come
 * back with nothing written, control commands with an ack byte of 0 or 1
 * (or nothing without a writable byte), receive buffers with a header and
 * a num_buffers that matches the buffers that follow. Format in
 * fz_formats.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_net.h>

#include "fake_net_backend.h"
#include "fake_transport.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "virtio_net.h"

#define LOW_LEN (4 << 20)
#define TX_AREA (2 * 64 * (12 + 16 + FZ_NET_FRAME_MAX))
#define RX_AREA (1 << 20)
#define HDR	12
#define WAIT_NS (10LL * 1000000000LL)
#define BIT(n)	(1ULL << (n))
#define OFFLOADS                                                       \
	(BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |       \
	 BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |   \
	 BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_HOST_UFO) |     \
	 BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) | \
	 BIT(VIRTIO_NET_F_GUEST_ECN) | BIT(VIRTIO_NET_F_GUEST_UFO))

static const unsigned int net_features[] = {FZ_NET_FEATURES};
static const uint8_t our_mac[6] = {0x52, 0x54, 0, 0xfa, 0xce, 1};

/* Receive tokens point here: the buffer's gpa is the token's offset. */
static char rx_tokens[RX_AREA];
static char tx_token;

struct netf {
	struct fz in;
	struct fake_transport ft;
	struct fake_net_backend *fb;
	struct virtio_net *net;
	struct virtio_dev *vd;
	uint64_t want;
	unsigned int pairs;
	uint64_t tx_area, tx_next, rx_area, rx_next;
	unsigned int tx_out[2];
	unsigned int rx_more[2]; /* buffers still due to the last frame */
};

static struct guest_ram ram;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_virtio_net: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---- answers ---- */

static void check_rx(struct netf *f, unsigned int p, char *tok, uint32_t len)
{
	uint64_t gpa = f->rx_area + (uint64_t)(tok - rx_tokens);
	struct virtio_net_hdr_v1 h;
	uint16_t nb;

	if (f->rx_more[p]) { /* a continuation of a merged frame */
		f->rx_more[p]--;
		return;
	}
	if (len == 0)
		return; /* a buffer too short for a header, returned unused */
	if (len < HDR)
		fail("receive buffer with %u bytes, no header", len);
	memcpy(&h, guest_ram_ptr(&ram, gpa, HDR), HDR); /* any alignment */
	nb = le16toh(h.num_buffers);
	if (nb < 1 ||
	    (nb > 1 && !virtio_has_feature(f->vd, VIRTIO_NET_F_MRG_RXBUF)))
		fail("num_buffers %u", nb);
	f->rx_more[p] = nb - 1u;
}

static bool harvest(struct netf *f)
{
	bool got = false;
	uint32_t len;
	char *tok;

	for (unsigned int p = 0; p < f->pairs; p++) {
		while ((tok = drvq_get_used(&f->ft.q[2 * p], &len))) {
			check_rx(f, p, tok, len);
			got = true;
		}
		while ((tok = drvq_get_used(&f->ft.q[2 * p + 1], &len))) {
			if (tok != &tx_token || len)
				fail("transmit answer %u bytes", len);
			f->tx_out[p]--;
			got = true;
		}
	}
	return got;
}

/* Kicks every queue and waits until every transmit buffer came back (the
 * backend unblocked first: a blocked one rightly keeps them). */
static void kick_wait(struct netf *f)
{
	long long end = now_ns() + WAIT_NS;

	for (unsigned int p = 0; p < f->pairs; p++) {
		fake_net_set_blocked(f->fb, p, false);
		fake_transport_kick_now(&f->ft, (uint16_t)(2 * p));
		fake_transport_kick_now(&f->ft, (uint16_t)(2 * p + 1));
	}
	while (f->tx_out[0] || f->tx_out[1]) {
		if (harvest(f))
			continue;
		if (virtio_get_status(f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
			fail("well-formed rings, yet NEEDS_RESET");
		if (now_ns() > end)
			fail("%u+%u transmit buffers never completed",
			     f->tx_out[0], f->tx_out[1]);
		usleep(20);
	}
}

/* ---- ops ---- */

static void op_tx(struct netf *f)
{
	uint8_t fl = fz_u8(&f->in), hl = fz_u8(&f->in);
	uint32_t hlen = hl ? hl % 16u : HDR;
	uint8_t hdr[16] = {0};
	uint32_t flen, len, off = 0, piece;
	unsigned int p = (fl & FZ_NET_T_PAIR) % f->pairs, nseg;
	struct drvq_buf b[4];
	uint8_t *dst;
	uint64_t gpa;

	fz_bytes(&f->in, hdr, HDR);
	flen = fz_u16(&f->in) % FZ_NET_FRAME_MAX;
	nseg = 1 + fz_u8(&f->in) % 4;
	len = hlen + flen;
	if (!len)
		len = 1; /* the driver model never adds an empty buffer */
	if (f->tx_next + len > TX_AREA)
		f->tx_next = 0; /* reused only after kick_wait */
	if (f->tx_next == 0)
		kick_wait(f);
	gpa = f->tx_area + f->tx_next;
	f->tx_next += len;
	dst = guest_ram_ptr(&ram, gpa, len);
	memcpy(dst, hdr, hlen < len ? hlen : len);
	for (uint32_t i = hlen; i < len; i++)
		dst[i] = (uint8_t)(i * 13);
	if (nseg > len)
		nseg = len;
	for (unsigned int i = 0; i < nseg; i++, off += piece) {
		piece = i + 1 == nseg ? len - off : len / nseg;
		b[i] = (struct drvq_buf){gpa + off, piece, false};
	}
	if (drvq_add(&f->ft.q[2 * p + 1], b, nseg, fl & FZ_NET_T_INDIRECT,
		     &tx_token) < 0) {
		kick_wait(f);
		if (drvq_add(&f->ft.q[2 * p + 1], b, nseg,
			     fl & FZ_NET_T_INDIRECT, &tx_token) < 0)
			return;
	}
	f->tx_out[p]++;
}

static void op_rx_post(struct netf *f)
{
	uint8_t v = fz_u8(&f->in);
	unsigned int p = v % f->pairs, nseg = 1 + (v >> 1) % 3;
	unsigned int n = 1 + fz_u8(&f->in) % 8;
	uint32_t len = 1 + fz_u16(&f->in) % 4096, off, piece;
	struct drvq_buf b[3];

	if (nseg > len)
		nseg = len;
	for (unsigned int i = 0; i < n; i++) {
		if (f->rx_next + len > RX_AREA)
			f->rx_next = 0;
		off = 0;
		for (unsigned int k = 0; k < nseg; k++, off += piece) {
			piece = k + 1 == nseg ? len - off : len / nseg;
			b[k] = (struct drvq_buf){f->rx_area + f->rx_next + off,
						 piece, true};
		}
		if (drvq_add(&f->ft.q[2 * p], b, nseg, false,
			     rx_tokens + f->rx_next) < 0)
			break;
		f->rx_next += len;
	}
	fake_transport_kick(&f->ft, (uint16_t)(2 * p));
}

static void op_inject(struct netf *f)
{
	static uint8_t buf[HDR + 65000];
	unsigned int p = fz_u8(&f->in) % f->pairs, d = fz_u8(&f->in) % 5;
	uint16_t l = fz_u16(&f->in);
	uint32_t len = l & 0x8000 ? 65000 : l % FZ_NET_FRAME_MAX;
	uint32_t hl = fake_net_be(f->fb)->vnet_hdr ? HDR : 0;
	static const uint8_t dsts[4][6] = {{0x52, 0x54, 0, 0xfa, 0xce, 1},
					   {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
					   {0x01, 0, 0x5e, 0, 0, 1},
					   {0x02, 0, 0, 0, 0, 2}};

	memset(buf, 0, hl);
	if (hl)
		fz_bytes(&f->in, buf, HDR);
	for (uint32_t i = 0; i < len; i++)
		buf[hl + i] = (uint8_t)(i * 7);
	if (len >= 16) {
		memcpy(buf + hl, dsts[d % 4], 6);
		if (d == 4) {
			buf[hl + 12] = 0x81;
			buf[hl + 13] = 0;
		}
	}
	fake_net_inject(f->fb, p, buf, hl + len); /* full: the host drops */
}

static void op_ctrl(struct netf *f)
{
	uint8_t cmd[2 + 64], ack_len, split;
	uint32_t dlen, len, used;
	uint64_t gpa, ack_gpa;
	struct drvq_buf b[3];
	unsigned int n = 0;
	/* §5.1.2: after the last pair with MQ, else queue 2. Without
	 * CTRL_VQ it is still set up, and every command fails. */
	uint16_t q = (uint16_t)(2 * f->pairs);
	uint8_t *ack;
	int tok;

	cmd[0] = fz_u8(&f->in);
	cmd[1] = fz_u8(&f->in);
	dlen = fz_u8(&f->in) % 64;
	fz_bytes(&f->in, cmd + 2, dlen);
	ack_len = fz_u8(&f->in) % 3;
	split = fz_u8(&f->in);
	len = 2 + dlen;
	gpa = guest_ram_put(&ram, cmd, len);
	ack_gpa = guest_ram_alloc(&ram, 4, 1);
	ack = guest_ram_ptr(&ram, ack_gpa, 1);
	*ack = 0xee;
	if ((split & 1) && len >= 2) {
		b[n++] = (struct drvq_buf){gpa, 1, false};
		b[n++] = (struct drvq_buf){gpa + 1, len - 1, false};
	} else {
		b[n++] = (struct drvq_buf){gpa, len, false};
	}
	if (ack_len)
		b[n++] = (struct drvq_buf){ack_gpa, ack_len, true};
	if (fake_transport_send(&f->ft, q, b, n, false, &tok) < 0)
		fail("control queue full");
	if (fake_transport_wait_used(&f->ft, q, &used, WAIT_NS) != &tok)
		fail("control command never answered");
	if (used != (ack_len ? 1u : 0u) || (ack_len && *ack > 1))
		fail("control answer: used %u, ack %u", used, *ack);
}

static void op_cfg_read(struct netf *f)
{
	uint8_t off = fz_u8(&f->in), len = 1 + fz_u8(&f->in) % 8;
	uint64_t val;

	fake_transport_config_read(&f->ft, off, &val, len);
}

static void probe(struct netf *f)
{
	if (fake_transport_probe(&f->ft, f->want) == -ENOTSUP) {
		f->want &= ~(0xffffffULL | BIT(63)); /* device bits */
		if (fake_transport_probe(&f->ft, f->want) < 0)
			fail("probe with VERSION_1 alone failed");
	}
	memset(f->rx_more, 0, sizeof(f->rx_more));
	f->pairs = virtio_has_feature(f->vd, VIRTIO_NET_F_MQ)
			   ? fake_net_be(f->fb)->queues
			   : 1;
}

static void op_reset(struct netf *f)
{
	uint64_t need = 3 * 2 * (16384 + (uint64_t)f->ft.q[0].size * 16 * 34);

	kick_wait(f);
	if (ram.low_len - ram.brk > need)
		probe(f);
}

/* A queue reset (§2.6.1) with traffic in flight, then a fresh probe: the
 * device reset in it drops whatever the other queues still had in flight,
 * so nothing is waited for. */
static void op_qreset(struct netf *f)
{
	uint16_t q = fz_u8(&f->in) % f->ft.nr_queues;
	uint64_t need = 3 * 2 * (16384 + (uint64_t)f->ft.q[0].size * 16 * 34);

	if (ram.low_len - ram.brk <= need)
		return;
	if (fake_transport_queue_reset(&f->ft, q) < 0)
		fail("queue reset %u refused", q);
	memset(f->tx_out, 0, sizeof(f->tx_out));
	probe(f);
}

static void run_op(struct netf *f, uint8_t op)
{
	switch (op % FZ_NET_NR_OPS) {
	case FZ_NET_TX:
		op_tx(f);
		break;
	case FZ_NET_RX_POST:
		op_rx_post(f);
		break;
	case FZ_NET_INJECT:
		op_inject(f);
		break;
	case FZ_NET_CTRL:
		if (ram.low_len - ram.brk > 4096)
			op_ctrl(f);
		break;
	case FZ_NET_KICK:
		kick_wait(f);
		break;
	case FZ_NET_LINK:
		virtio_net_set_link(f->net, fz_u8(&f->in) & 1);
		break;
	case FZ_NET_BLOCK: {
		unsigned int p = fz_u8(&f->in) % f->pairs;

		fake_net_set_blocked(f->fb, p, fz_u8(&f->in) & 1);
		break;
	}
	case FZ_NET_CFG_READ:
		op_cfg_read(f);
		break;
	case FZ_NET_RESET:
		op_reset(f);
		break;
	case FZ_NET_QRESET:
		op_qreset(f);
		break;
	}
}

/* ---- setup ---- */

static uint64_t wanted(uint8_t flags, uint32_t mask)
{
	uint64_t w = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_NOTIFICATION_DATA) |
		     BIT(VIRTIO_F_RING_RESET);

	if (flags & FZ_NET_F_PACKED)
		w |= BIT(VIRTIO_F_RING_PACKED);
	if (flags & FZ_NET_F_INDIRECT)
		w |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (flags & FZ_NET_F_EVENT)
		w |= BIT(VIRTIO_RING_F_EVENT_IDX);
	if (flags & FZ_NET_F_IN_ORDER)
		w |= BIT(VIRTIO_F_IN_ORDER);
	for (unsigned int i = 0; i < sizeof(net_features) / sizeof(int); i++)
		if (mask & (1u << i))
			w |= BIT(net_features[i]);
	return w;
}

static void setup(struct netf *f)
{
	uint8_t flags = fz_u8(&f->in);
	uint32_t mask = fz_u32(&f->in);
	uint8_t qsize = fz_u8(&f->in);
	struct fake_net_options bo = {
		.queues = flags & FZ_NET_F_TWO_Q ? 2 : 1,
		.vnet_hdr = flags & FZ_NET_F_VNET_HDR,
		.offloads = flags & FZ_NET_F_VNET_HDR ? OFFLOADS : 0,
	};
	struct virtio_net_options o = {.mtu = 1500};
	int r;

	if (!ram.low)
		guest_ram_init(&ram, LOW_LEN);
	memset(ram.low, 0, ram.brk);
	ram.brk = 0x1000;
	f->tx_area = guest_ram_alloc(&ram, TX_AREA, 4096);
	f->rx_area = guest_ram_alloc(&ram, RX_AREA, 4096);
	f->fb = fake_net_create(&bo);
	memcpy(o.mac, our_mac, 6);
	o.be = fake_net_be(f->fb);
	r = virtio_net_create(&o, &ram.mem, &f->net);
	if (r < 0)
		fail("virtio_net_create: %d", r);
	f->vd = virtio_net_vdev(f->net);
	f->want = wanted(flags, mask);
	fake_transport_init(&f->ft, f->vd, &ram);
	f->ft.kick_fds = flags & FZ_NET_F_KICK_FDS;
	f->ft.queue_size = (uint16_t)(4 << (qsize % 5));
	probe(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netf *f = calloc(1, sizeof(*f));

	if (!f)
		fail("out of memory");
	fz_init(&f->in, data, size);
	setup(f);
	while (!fz_done(&f->in))
		run_op(f, fz_u8(&f->in));
	kick_wait(f);
	/* Reset first, as Linux does, so no pair thread is still inside
	 * vq_flush when the transport goes. */
	fake_transport_set_status(&f->ft, 0);
	fake_transport_destroy(&f->ft);
	virtio_net_destroy(f->net);
	net_backend_destroy(fake_net_be(f->fb));
	free(f);
	return 0;
}
