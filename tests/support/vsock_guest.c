/* vsock_guest: the guest's side of virtio-vsock for unit tests (virtio 1.3
 * §5.10.6), see vsock_guest.h. Aborts the test (ck_assert) when the device
 * sends something a Linux guest would reject.
 */
#include "vsock_guest.h"

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void post_rx(struct vsock_guest *g, unsigned int i)
{
	struct drvq_buf b = {g->rx_gpa[i], VG_RX_LEN, true};

	memset(guest_ram_ptr(g->ram, g->rx_gpa[i], VG_RX_LEN), 0xee, VG_RX_LEN);
	ck_assert_int_eq(
		fake_transport_send(g->ft, VG_RXQ, &b, 1, false, &g->tok[i]),
		0);
}

void vg_init(struct vsock_guest *g, struct fake_transport *ft,
	     struct guest_ram *ram, uint64_t cid)
{
	g->ft = ft;
	g->ram = ram;
	g->cid = cid;
	g->tx_gpa = guest_ram_alloc(ram, VG_HDR + VG_MAX_DATA, 16);
	for (unsigned int i = 0; i < VG_RX_BUFS; i++) {
		g->rx_gpa[i] = guest_ram_alloc(ram, VG_RX_LEN, 16);
		post_rx(g, i);
	}
}

void vg_send_raw(struct vsock_guest *g, const struct virtio_vsock_hdr *h,
		 const void *data, uint32_t len)
{
	struct drvq_buf b[2] = {{g->tx_gpa, VG_HDR, false},
				{g->tx_gpa + VG_HDR, len, false}};
	uint32_t used;
	int tok;

	ck_assert_uint_le(len, VG_MAX_DATA);
	memcpy(guest_ram_ptr(g->ram, g->tx_gpa, VG_HDR), h, VG_HDR);
	if (len)
		memcpy(guest_ram_ptr(g->ram, g->tx_gpa + VG_HDR, len), data,
		       len);
	ck_assert_int_eq(
		fake_transport_send(g->ft, VG_TXQ, b, len ? 2 : 1, false, &tok),
		0);
	ck_assert_ptr_eq(
		fake_transport_wait_used(g->ft, VG_TXQ, &used, 5000000000LL),
		&tok);
	ck_assert_uint_eq(used, 0);
}

void vg_send(struct vsock_guest *g, struct vg_conn *c, uint16_t op,
	     uint32_t flags, const void *data, uint32_t len)
{
	struct virtio_vsock_hdr h = {
		.src_cid = htole64(g->cid),
		.dst_cid = htole64(2),
		.src_port = htole32(c->port),
		.dst_port = htole32(c->peer),
		.len = htole32(len),
		.type = htole16(c->type),
		.op = htole16(op),
		.flags = htole32(flags),
		.buf_alloc = htole32(c->buf_alloc),
		.fwd_cnt = htole32(c->fwd_cnt),
	};

	vg_send_raw(g, &h, data, len);
	if (op == VIRTIO_VSOCK_OP_RW)
		c->tx_cnt += len;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

bool vg_recv(struct vsock_guest *g, struct vg_pkt *p, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	uint32_t used;
	int *tok;
	unsigned int i;

	while (!(tok = drvq_get_used(&g->ft->q[VG_RXQ], &used))) {
		if (now_ms() >= end)
			return false;
		usleep(100);
	}
	i = (unsigned int)(tok - g->tok);
	ck_assert_uint_lt(i, VG_RX_BUFS);
	ck_assert_uint_ge(used, VG_HDR);
	memcpy(&p->h, guest_ram_ptr(g->ram, g->rx_gpa[i], VG_HDR), VG_HDR);
	p->len = le32toh(p->h.len);
	ck_assert_uint_eq(used, VG_HDR + p->len);
	memcpy(p->data, guest_ram_ptr(g->ram, g->rx_gpa[i] + VG_HDR, p->len),
	       p->len);
	ck_assert_uint_eq(le64toh(p->h.src_cid), 2);
	ck_assert_uint_eq(le64toh(p->h.dst_cid), g->cid);
	post_rx(g, i);
	return true;
}

void vg_note(struct vg_conn *c, const struct vg_pkt *p)
{
	c->peer_buf_alloc = le32toh(p->h.buf_alloc);
	c->peer_fwd_cnt = le32toh(p->h.fwd_cnt);
	if (le16toh(p->h.op) == VIRTIO_VSOCK_OP_RW)
		c->rx_cnt += p->len;
}

uint32_t vg_credit(const struct vg_conn *c)
{
	return c->peer_buf_alloc - (c->tx_cnt - c->peer_fwd_cnt);
}

void vg_expect(struct vsock_guest *g, struct vg_conn *c, uint16_t op,
	       struct vg_pkt *p)
{
	ck_assert_msg(vg_recv(g, p, 5000), "no packet, wanted op %u", op);
	ck_assert_uint_eq(le16toh(p->h.op), op);
	ck_assert_uint_eq(le32toh(p->h.dst_port), c->port);
	ck_assert_uint_eq(le32toh(p->h.src_port), c->peer);
	ck_assert_uint_eq(le16toh(p->h.type), c->type);
	vg_note(c, p);
}

void vg_connect(struct vsock_guest *g, struct vg_conn *c, uint32_t port,
		uint32_t peer, uint16_t type, uint32_t buf_alloc)
{
	struct vg_pkt p;

	*c = (struct vg_conn){.port = port,
			      .peer = peer,
			      .type = type,
			      .buf_alloc = buf_alloc};
	vg_send(g, c, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0);
	vg_expect(g, c, VIRTIO_VSOCK_OP_RESPONSE, &p);
	ck_assert_uint_gt(c->peer_buf_alloc, 0);
}

int vg_listen(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	return fd;
}

int vg_accept(int lfd, int timeout_ms)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

bool vg_read_all(int fd, void *buf, size_t len, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	ssize_t r;

	long long left;

	while (got < len) {
		left = end - now_ms();
		if (poll(&p, 1, left > 0 ? (int)left : 0) != 1)
			return false;
		r = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}
