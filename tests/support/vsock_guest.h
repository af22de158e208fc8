/* vsock_guest: the guest's side of virtio-vsock for unit tests (virtio 1.3
 * §5.10.6): receive buffers kept posted, packets sent on the transmitq one
 * at a time, and per-connection credit the way Linux keeps it. On top of
 * fake_transport; the ring formats and buses are its business.
 */
#ifndef VMM_TEST_VSOCK_GUEST_H
#define VMM_TEST_VSOCK_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_vsock.h>

#include "fake_transport.h"

#define VG_RXQ	    0
#define VG_TXQ	    1
#define VG_EVTQ	    2
#define VG_RX_BUFS  32
#define VG_RX_LEN   4096 /* writable bytes per receive buffer, header too */
#define VG_HDR	    ((uint32_t)sizeof(struct virtio_vsock_hdr))
#define VG_MAX_DATA (128 * 1024)

struct vsock_guest {
	struct fake_transport *ft;
	struct guest_ram *ram;
	uint64_t cid;
	uint64_t rx_gpa[VG_RX_BUFS];
	uint64_t tx_gpa; /* header, then up to VG_MAX_DATA of payload */
	int tok[VG_RX_BUFS];
};

/* One guest socket: ports and the credit both ways. */
struct vg_conn {
	uint32_t port, peer; /* guest port, host port */
	uint16_t type;
	uint32_t buf_alloc, fwd_cnt, rx_cnt;	       /* the guest's */
	uint32_t peer_buf_alloc, peer_fwd_cnt, tx_cnt; /* the device's */
};

/* One received packet. */
struct vg_pkt {
	struct virtio_vsock_hdr h;
	uint32_t len; /* payload bytes */
	uint8_t data[VG_RX_LEN];
};

/* Posts the receive buffers (after the probe). */
void vg_init(struct vsock_guest *g, struct fake_transport *ft,
	     struct guest_ram *ram, uint64_t cid);

/* Sends one packet: hdr, then len payload bytes (a second descriptor),
 * and waits until the device has taken it. */
void vg_send_raw(struct vsock_guest *g, const struct virtio_vsock_hdr *h,
		 const void *data, uint32_t len);
/* Sends op on c with the right addresses and c's credit. */
void vg_send(struct vsock_guest *g, struct vg_conn *c, uint16_t op,
	     uint32_t flags, const void *data, uint32_t len);

/* The next packet within timeout_ms; false if none. Checks its
 * addresses (host to guest cid). */
bool vg_recv(struct vsock_guest *g, struct vg_pkt *p, int timeout_ms);
/* The next packet must come and be op for c; updates c's credit and
 * counts RW payload. */
void vg_expect(struct vsock_guest *g, struct vg_conn *c, uint16_t op,
	       struct vg_pkt *p);
/* Updates c from a packet's header (credit, rx_cnt for RW). */
void vg_note(struct vg_conn *c, const struct vg_pkt *p);
/* Credit the device gives c, as §5.10.6.3 computes it. */
uint32_t vg_credit(const struct vg_conn *c);

/* A connection from the guest to host port `peer`: REQUEST, then the
 * RESPONSE must come. */
void vg_connect(struct vsock_guest *g, struct vg_conn *c, uint32_t port,
		uint32_t peer, uint16_t type, uint32_t buf_alloc);

/* Host helpers: a listening Unix socket at path, accept with a timeout
 * (-1 if none came), read exactly len bytes within timeout_ms. */
int vg_listen(const char *path, int type);
int vg_accept(int lfd, int timeout_ms);
bool vg_read_all(int fd, void *buf, size_t len, int timeout_ms);

#endif
