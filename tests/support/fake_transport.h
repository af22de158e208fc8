/* fake_transport: a virtio transport for unit tests, plus the guest side.
 *
 * It records interrupts (notify_used per queue, notify_config) instead of
 * raising them, and drives a device through the core exactly as Linux's
 * virtio-pci does (virtio 1.3 §3.1.1): reset, ACKNOWLEDGE, DRIVER, features,
 * FEATURES_OK, queue setup with a drvq per queue, DRIVER_OK.
 */
#ifndef VMM_TEST_FAKE_TRANSPORT_H
#define VMM_TEST_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "drvq.h"
#include "guest_ram.h"
#include "virtio.h"

#define FT_MAX_QUEUES 16

/* The core's ring/transport bits a Linux 6.x guest accepts, without the
 * ring choice. Device tests OR in their own bits and, to run on packed
 * rings, FT_PACKED: that is the one switch between the formats. */
#define FT_LINUX_FEATURES                        \
	((1ULL << VIRTIO_F_VERSION_1) |          \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ULL << VIRTIO_RING_F_EVENT_IDX) |     \
	 (1ULL << VIRTIO_F_NOTIFICATION_DATA) | (1ULL << VIRTIO_F_RING_RESET))
#define FT_PACKED (1ULL << VIRTIO_F_RING_PACKED)

struct fake_transport {
	struct virtio_dev *vd;
	struct guest_ram *ram;
	uint16_t queue_size; /* 0: each queue's maximum */
	uint16_t nr_queues;
	struct drvq q[FT_MAX_QUEUES];
	unsigned int used_irqs[FT_MAX_QUEUES];
	unsigned int config_irqs;
	unsigned int kicks[FT_MAX_QUEUES];
};

/* Attaches ft as vd's transport. The device must be virtio_dev_init'ed. */
void fake_transport_init(struct fake_transport *ft, struct virtio_dev *vd,
			 struct guest_ram *ram);
void fake_transport_destroy(struct fake_transport *ft);

/* The driver's initialisation sequence, accepting offered & want. Returns 0
 * with every queue live, -ENOTSUP if FEATURES_OK was refused, -EIO if the
 * device ended up with DEVICE_NEEDS_RESET. */
int fake_transport_probe(struct fake_transport *ft, uint64_t want);

/* Notifies queue idx if the driver side says the device wants a kick;
 * returns whether it did. fake_transport_kick_now kicks unconditionally. */
bool fake_transport_kick(struct fake_transport *ft, uint16_t idx);
void fake_transport_kick_now(struct fake_transport *ft, uint16_t idx);

/* Adds one buffer to queue idx and kicks as a driver would. */
int fake_transport_send(struct fake_transport *ft, uint16_t idx,
			const struct drvq_buf *bufs, unsigned int n,
			bool indirect, void *token);

#endif
