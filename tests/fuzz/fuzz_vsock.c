/* fuzz_vsock: virtio-vsock packets built by a hostile guest (virtio 1.3
 * §5.10.6), with host programs on its Unix sockets.
 *
 * The real device (src/devices/virtio_vsock*.c, its thread included) on
 * the core bus of the fake transport. The rings are well-formed (the
 * driver model builds them, split or packed); the packets on the
 * transmitq are the fuzzer's, raw or field by field, and so is what the
 * host programs do. Every packet must be taken within 10 s, the device
 * must never ask for a reset, and every packet it sends the guest must be
 * well-formed (addresses, length, op). Format in fz_formats.h.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_vsock.h>

#include "fake_transport.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "virtio_vsock.h"

#define LOW_LEN	 (4 << 20)
#define CID	 3
#define HDR	 ((uint32_t)sizeof(struct virtio_vsock_hdr))
#define MAX_PAY	 8192
#define MAX_HOST 16
#define WAIT_NS	 (10LL * 1000000000LL)
#define BIT(n)	 (1ULL << (n))

struct vsf {
	struct fz in;
	struct fake_transport ft;
	struct virtio_vsock *vs;
	struct virtio_dev *vd;
	uint64_t want;
	uint64_t rx_gpa[FZ_VS_RX_BUFS], tx_gpa;
	int rx_tok[FZ_VS_RX_BUFS];
	int host[MAX_HOST];
	unsigned int nr_host;
};

/* Process-wide: guest RAM, the directory and the port listeners. */
static struct guest_ram ram;
static char dir[64], uds[96];
static int listener[2] = {-1, -1};

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_vsock: ");
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

static void check_device(struct vsf *f)
{
	if (virtio_get_status(f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
		fail("well-formed rings, yet NEEDS_RESET");
	for (uint16_t q = 0; q < f->ft.nr_queues; q++)
		fz_check_queue(&f->vd->vqs[q]);
}

/* ---- the receiveq ---- */

static void post_rx(struct vsf *f, unsigned int i)
{
	struct drvq_buf b = {f->rx_gpa[i], FZ_VS_RX_LEN, true};

	if (drvq_add(&f->ft.q[0], &b, 1, false, &f->rx_tok[i]) < 0)
		fail("receiveq full");
	fake_transport_kick(&f->ft, 0);
}

static void check_rx(struct vsf *f, unsigned int i, uint32_t used)
{
	struct virtio_vsock_hdr h;
	uint16_t op;

	if (used < HDR)
		fail("receive buffer used for %u bytes", used);
	memcpy(&h, guest_ram_ptr(&ram, f->rx_gpa[i], HDR), HDR);
	op = le16toh(h.op);
	if (le32toh(h.len) != used - HDR)
		fail("len %u, used %u", le32toh(h.len), used);
	if (le64toh(h.src_cid) != 2 || le64toh(h.dst_cid) != CID)
		fail("packet from cid %llu to %llu",
		     (unsigned long long)le64toh(h.src_cid),
		     (unsigned long long)le64toh(h.dst_cid));
	if (op < VIRTIO_VSOCK_OP_REQUEST || op > VIRTIO_VSOCK_OP_CREDIT_UPDATE)
		fail("op %u to the guest", op);
	if (h.len && op != VIRTIO_VSOCK_OP_RW)
		fail("op %u with payload", op);
}

static void harvest(struct vsf *f)
{
	uint32_t used;
	int *tok;

	while ((tok = drvq_get_used(&f->ft.q[0], &used))) {
		unsigned int i = (unsigned int)(tok - f->rx_tok);

		if (i >= FZ_VS_RX_BUFS)
			fail("unknown receive token");
		check_rx(f, i, used);
		post_rx(f, i);
	}
}

/* ---- the transmitq ---- */

static void header(struct vsf *f, uint8_t mode, struct virtio_vsock_hdr *h)
{
	uint8_t dst;

	if (mode & FZ_VS_P_RAW) {
		fz_bytes(&f->in, h, HDR);
		return;
	}
	h->src_cid = htole64(CID);
	h->dst_cid = htole64(2);
	h->src_port = htole32(1000 + fz_u8(&f->in) % 4);
	dst = fz_u8(&f->in) % 4;
	h->dst_port = htole32(dst < 3 ? FZ_VS_PORT0 + dst
				      : (1u << 30) + fz_u8(&f->in));
	h->type = htole16(fz_u8(&f->in) % 4);
	h->op = htole16(fz_u8(&f->in) % 9);
	h->flags = htole32(fz_u32(&f->in));
	h->buf_alloc = htole32(fz_u32(&f->in));
	h->fwd_cnt = htole32(fz_u32(&f->in));
}

static void wait_tx(struct vsf *f, int *tok)
{
	long long end = now_ns() + WAIT_NS;
	uint32_t used;
	void *got;

	for (;;) {
		got = drvq_get_used(&f->ft.q[1], &used);
		if (got == tok)
			break;
		if (got)
			fail("foreign transmit token");
		check_device(f);
		if (now_ns() > end)
			fail("packet never taken");
		harvest(f);
		usleep(10);
	}
	if (used)
		fail("transmit buffer used for %u bytes", used);
}

static void op_pkt(struct vsf *f)
{
	uint8_t mode = fz_u8(&f->in);
	struct virtio_vsock_hdr h = {0};
	uint32_t len, n = 0;
	struct drvq_buf b[3];
	uint8_t *p = guest_ram_ptr(&ram, f->tx_gpa, HDR + MAX_PAY);
	int tok;

	header(f, mode, &h);
	len = fz_u16(&f->in) % MAX_PAY;
	if (!(mode & FZ_VS_P_RAW))
		h.len = htole32(mode & FZ_VS_P_LEN ? fz_u32(&f->in) : len);
	memcpy(p, &h, HDR);
	fz_bytes(&f->in, p + HDR, len);
	if (mode & FZ_VS_P_ONE) {
		b[n++] = (struct drvq_buf){f->tx_gpa, HDR + len, false};
	} else {
		if (mode & FZ_VS_P_SPLIT) {
			b[n++] = (struct drvq_buf){f->tx_gpa, 20, false};
			b[n++] = (struct drvq_buf){f->tx_gpa + 20, HDR - 20,
						   false};
		} else {
			b[n++] = (struct drvq_buf){f->tx_gpa, HDR, false};
		}
		if (len)
			b[n++] = (struct drvq_buf){f->tx_gpa + HDR, len, false};
	}
	if (drvq_add(&f->ft.q[1], b, n, mode & FZ_VS_P_INDIR, &tok) < 0)
		fail("transmitq full");
	fake_transport_kick(&f->ft, 1);
	wait_tx(f, &tok);
	harvest(f);
}

/* ---- host programs ---- */

static void add_host(struct vsf *f, int fd)
{
	if (f->nr_host < MAX_HOST)
		f->host[f->nr_host++] = fd;
	else
		close(fd);
}

static void op_accept(struct vsf *f)
{
	struct pollfd p[2] = {{listener[0], POLLIN, 0},
			      {listener[1], POLLIN, 0}};
	int fd;

	if (poll(p, 2, 1) <= 0)
		return;
	for (int k = 0; k < 2; k++)
		while ((p[k].revents & POLLIN) &&
		       (fd = accept4(listener[k], NULL, NULL,
				     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
			add_host(f, fd);
}

static void op_write(struct vsf *f)
{
	uint8_t which = fz_u8(&f->in), len = fz_u8(&f->in), buf[256];

	fz_bytes(&f->in, buf, len);
	if (f->nr_host)
		(void)!send(f->host[which % f->nr_host], buf, len,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void op_close(struct vsf *f)
{
	uint8_t which = fz_u8(&f->in), how = fz_u8(&f->in) % 3;
	unsigned int i;

	if (!f->nr_host)
		return;
	i = which % f->nr_host;
	if (how) {
		shutdown(f->host[i], how == 1 ? SHUT_WR : SHUT_RD);
		return;
	}
	close(f->host[i]);
	f->host[i] = f->host[--f->nr_host];
}

static void op_connect(struct vsf *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint8_t mode = fz_u8(&f->in), len;
	char line[256];
	int fd;

	if (mode == 0) {
		len = (uint8_t)snprintf(line, sizeof(line), "CONNECT %u\n",
					fz_u16(&f->in));
	} else {
		len = fz_u8(&f->in);
		fz_bytes(&f->in, line, len);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", uds);
	if (fd < 0)
		fail("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return;
	}
	(void)!send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	add_host(f, fd);
}

static void op_event(struct vsf *f)
{
	static int tok;
	struct drvq_buf b = {guest_ram_alloc(&ram, 4, 4), 4, true};

	if (drvq_add(&f->ft.q[2], &b, 1, false, &tok) == 0)
		fake_transport_kick(&f->ft, 2);
}

/* ---- setup ---- */

static void post_all(struct vsf *f)
{
	for (unsigned int i = 0; i < FZ_VS_RX_BUFS; i++) {
		f->rx_gpa[i] = guest_ram_alloc(&ram, FZ_VS_RX_LEN, 16);
		post_rx(f, i);
	}
	f->tx_gpa = guest_ram_alloc(&ram, HDR + MAX_PAY, 16);
}

static void op_reset(struct vsf *f)
{
	if (ram.low_len - ram.brk < (1 << 20))
		return; /* no room for new rings */
	if (fake_transport_probe(&f->ft, f->want) < 0)
		fail("probe failed");
	post_all(f);
}

static void run_op(struct vsf *f, uint8_t op)
{
	switch (op % FZ_VS_NR_OPS) {
	case FZ_VS_PKT:
		op_pkt(f);
		break;
	case FZ_VS_HARVEST:
		usleep(50);
		harvest(f);
		break;
	case FZ_VS_HOST_ACCEPT:
		op_accept(f);
		break;
	case FZ_VS_HOST_WRITE:
		op_write(f);
		break;
	case FZ_VS_HOST_CLOSE:
		op_close(f);
		break;
	case FZ_VS_HOST_CONNECT:
		op_connect(f);
		break;
	case FZ_VS_EVENT:
		op_event(f);
		break;
	case FZ_VS_RESET:
		op_reset(f);
		break;
	}
}

static int listen_at(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0)
		fail("listener %s: %s", path, strerror(errno));
	return fd;
}

static void port_path(char *path, size_t len, unsigned int k)
{
	snprintf(path, len, "%s_%u", uds, FZ_VS_PORT0 + k);
}

/* The listeners' files and the directory go with the process. */
static void cleanup(void)
{
	char path[128];

	for (unsigned int k = 0; k < 2; k++) {
		port_path(path, sizeof(path), k);
		unlink(path);
	}
	rmdir(dir);
}

static void once(void)
{
	char path[128];

	if (listener[0] >= 0)
		return;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-vsock-XXXXXX");
	if (!mkdtemp(dir))
		fail("mkdtemp: %s", strerror(errno));
	snprintf(uds, sizeof(uds), "%s/v", dir);
	atexit(cleanup);
	port_path(path, sizeof(path), 0);
	listener[0] = listen_at(path, SOCK_STREAM);
	port_path(path, sizeof(path), 1);
	listener[1] = listen_at(path, SOCK_SEQPACKET);
	guest_ram_init(&ram, LOW_LEN);
}

/* Connections the device made to the listeners and nobody accepted. */
static void drain_listeners(void)
{
	int fd;

	for (int k = 0; k < 2; k++)
		while ((fd = accept4(listener[k], NULL, NULL, SOCK_NONBLOCK)) >=
		       0)
			close(fd);
}

static void setup(struct vsf *f)
{
	uint8_t flags = fz_u8(&f->in), qsize = fz_u8(&f->in);
	struct virtio_vsock_options o = {.guest_cid = CID, .uds_path = uds};
	char err[256];

	once();
	memset(ram.low, 0, ram.brk);
	ram.brk = 0x1000;
	if (virtio_vsock_create(&o, &ram.mem, &f->vs, err, sizeof(err)) < 0)
		fail("%s", err);
	f->vd = virtio_vsock_vdev(f->vs);
	f->want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_NOTIFICATION_DATA) |
		  BIT(VIRTIO_F_RING_RESET);
	if (flags & FZ_VS_F_PACKED)
		f->want |= BIT(VIRTIO_F_RING_PACKED);
	if (flags & FZ_VS_F_SEQPACKET)
		f->want |= BIT(VIRTIO_VSOCK_F_SEQPACKET);
	if (flags & FZ_VS_F_INDIRECT)
		f->want |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (flags & FZ_VS_F_EVENT)
		f->want |= BIT(VIRTIO_RING_F_EVENT_IDX);
	fake_transport_init(&f->ft, f->vd, &ram);
	f->ft.queue_size = (uint16_t)(8 << (qsize % 6));
	if (fake_transport_probe(&f->ft, f->want) < 0)
		fail("probe failed");
	post_all(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsf *f = calloc(1, sizeof(*f));

	if (!f)
		fail("out of memory");
	fz_init(&f->in, data, size);
	setup(f);
	while (!fz_done(&f->in))
		run_op(f, fz_u8(&f->in));
	harvest(f);
	check_device(f);
	fake_transport_set_status(&f->ft, 0);
	fake_transport_destroy(&f->ft);
	virtio_vsock_destroy(f->vs);
	for (unsigned int i = 0; i < f->nr_host; i++)
		close(f->host[i]);
	drain_listeners();
	free(f);
	return 0;
}
