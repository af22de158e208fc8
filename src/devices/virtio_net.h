/* virtio_net: a virtio network device on a host backend (virtio 1.3 §5.1
 * Network Device).
 *
 * Queue pairs (receiveq N, transmitq N) plus the control queue; each pair
 * is served on its own thread, never on a vCPU. Frames go to and come from
 * a struct net_backend (net_backend.h): libslirp or TAP. Offload features
 * are offered only where the backend honours them. Depends on src/virtio
 * and src/kvm only.
 */
#ifndef VMM_DEVICES_VIRTIO_NET_H
#define VMM_DEVICES_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "net_backend.h"
#include "virtio.h"

/* Most queue pairs one device has (VIRTIO_NET_F_MQ). */
#define VIRTIO_NET_MAX_QUEUE_PAIRS 8

struct virtio_net_options {
	/* The host side; the caller creates it, keeps ownership and frees
	 * it after virtio_net_destroy. Its queue count (at most
	 * VIRTIO_NET_MAX_QUEUE_PAIRS) is the number of queue pairs. */
	struct net_backend *be;
	uint8_t mac[6];	 /* VIRTIO_NET_F_MAC */
	uint16_t mtu;	 /* VIRTIO_NET_F_MTU when non-zero (68..65535) */
	uint32_t speed;	 /* Mbit/s for SPEED_DUPLEX; 0: 10000 */
	bool packed_off; /* never offer VIRTIO_F_RING_PACKED */
};

struct virtio_net;

/* Sets up the device (link up) and starts its threads. Returns 0 and
 * *out, -EINVAL for a bad option (no backend, too many queues, mtu out of
 * range), or -errno. */
int virtio_net_create(const struct virtio_net_options *o,
		      const struct gmem *mem, struct virtio_net **out);
/* Stops the threads and frees the device (not the backend). NULL is
 * ignored. */
void virtio_net_destroy(struct virtio_net *net);
/* The virtio device, for the transport. */
struct virtio_dev *virtio_net_vdev(struct virtio_net *net);

/* Link up or down, as a cable plugged or pulled: updates the STATUS
 * config field and sends a configuration change notification (§5.1.4).
 * While the link is down, guest transmits are completed and dropped and
 * host frames are not delivered. Returns 0, or -EALREADY if it already
 * was so. Callable from any thread. */
int virtio_net_set_link(struct virtio_net *net, bool up);

#endif
