/* net_harness: what the virtio-net unit tests share: a device on the fake
 * net backend, driven over one of the fake transport's buses, and the
 * driver's side of its queues (transmit a frame, post receive buffers,
 * send a control command), virtio 1.3 §5.1.6.
 */
#ifndef VMM_TEST_NET_HARNESS_H
#define VMM_TEST_NET_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "fake_net_backend.h"
#include "fake_transport.h"
#include "virtio_net.h"

#define NH_WAIT_NS (5LL * 1000000000LL)
#define NH_HDR	   12
#define NH_F(bit)  (1ULL << (bit))
/* What Linux's virtio_net accepts from us besides the offloads. */
#define NH_LINUX_NET                                                       \
	(NH_F(VIRTIO_NET_F_MAC) | NH_F(VIRTIO_NET_F_STATUS) |              \
	 NH_F(VIRTIO_NET_F_CTRL_VQ) | NH_F(VIRTIO_NET_F_CTRL_RX) |         \
	 NH_F(VIRTIO_NET_F_CTRL_VLAN) | NH_F(VIRTIO_NET_F_CTRL_RX_EXTRA) | \
	 NH_F(VIRTIO_NET_F_GUEST_ANNOUNCE) | NH_F(VIRTIO_NET_F_MQ) |       \
	 NH_F(VIRTIO_NET_F_CTRL_MAC_ADDR) | NH_F(VIRTIO_NET_F_MTU) |       \
	 NH_F(VIRTIO_NET_F_SPEED_DUPLEX))

extern const uint8_t nh_mac[6];

struct net_harness {
	struct guest_ram ram;
	struct fake_transport ft;
	struct fake_net_backend *fb;
	struct virtio_net *net;
	struct virtio_dev *vd;
	uint16_t ctrlq;
	uint64_t want;
};

/* Guest RAM, the backend (bo) and the device (o, be filled in). */
void nh_create(struct net_harness *h, const struct fake_net_options *bo,
	       struct virtio_net_options *o);
/* Puts it on the bus of loop index i and probes with FT_LINUX_FEATURES,
 * dev (device bits) and, for odd i, packed rings. Returns the probe's
 * result. */
int nh_probe(struct net_harness *h, int i, uint64_t dev);
void nh_destroy(struct net_harness *h);

/* A frame (with its header) on pair q's transmitq, cut into nseg
 * descriptors; waits for the used buffer and checks it wrote nothing. */
void nh_tx(struct net_harness *h, unsigned int q, const void *buf, uint32_t len,
	   unsigned int nseg, bool indirect);
/* nbuf receive buffers of len bytes on pair q's receiveq; returns the gpa
 * of the first (they are contiguous). Tokens: gpa of each. */
uint64_t nh_post_rx(struct net_harness *h, unsigned int q, unsigned int nbuf,
		    uint32_t len);
/* The next used receive buffer on pair q: its gpa, *len set; 0 if none
 * came within timeout_ns. */
uint64_t nh_wait_rx(struct net_harness *h, unsigned int q, uint32_t *len,
		    long long timeout_ns);
/* A control command: header, data (dlen bytes) split after hdr_cut bytes
 * of the readable part (0: one descriptor), ack_len writable bytes. Waits
 * for it; returns the used length and *ack the first writable byte. */
uint32_t nh_ctrl_raw(struct net_harness *h, const void *cmd, uint32_t len,
		     uint32_t ack_len, uint8_t *ack);
/* class/cmd plus data; returns the ack (asserting it was written). */
uint8_t nh_ctrl(struct net_harness *h, uint8_t class, uint8_t cmd,
		const void *data, uint32_t dlen);
/* A frame from dst with a recognisable payload (len >= 14). */
void nh_frame(uint8_t *buf, uint32_t len, const uint8_t *dst, uint8_t seed);
struct virtio_net_stats;
void nh_stats(struct net_harness *h, struct virtio_net_stats *s);

#endif
