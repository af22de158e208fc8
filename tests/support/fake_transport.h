/* fake_transport: the guest's side of a virtio device, for unit tests.
 *
 * It drives a device exactly as Linux's drivers do (virtio 1.3 §3.1.1):
 * reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue setup with a
 * drvq per queue, DRIVER_OK; then requests and kicks. *How* it reaches the
 * device is a bus (struct ft_bus): "core" calls the core directly and
 * records interrupts; the transport buses (PCI, MMIO, CCW) go through the
 * real transport code's registers or channel programs, so a device suite
 * that loops over ft_buses runs unchanged on every transport.
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

struct fake_transport;

/* How the driver reaches the device. Every call goes through the bus's
 * real wire format; a bus aborts the test (ck_assert) when the transport
 * misbehaves. */
struct ft_bus {
	const char *name; /* "core", "pci", "mmio", "ccw" */
	/* Puts ft->vd on this bus (creating the transport and whatever it
	 * needs, kept in ft->bus_priv); detach undoes it. */
	void (*attach)(struct fake_transport *ft);
	void (*detach)(struct fake_transport *ft);
	uint8_t (*get_status)(struct fake_transport *ft);
	void (*set_status)(struct fake_transport *ft, uint8_t status);
	uint32_t (*device_features)(struct fake_transport *ft, uint32_t word);
	void (*driver_features)(struct fake_transport *ft, uint32_t word,
				uint32_t val);
	uint16_t (*queue_max_size)(struct fake_transport *ft, uint16_t idx);
	/* Size, the three ring addresses of q, then enable. */
	void (*queue_setup)(struct fake_transport *ft, uint16_t idx,
			    const struct drvq *q);
	/* An available buffer notification carrying data (virtio 1.3 §2.9:
	 * the queue index, plus next_off/next_wrap with NOTIFICATION_DATA). */
	void (*notify)(struct fake_transport *ft, uint16_t idx, uint32_t data);
	/* Device config space; <0 where the transport refused the access. */
	int (*config_read)(struct fake_transport *ft, uint32_t off, void *buf,
			   uint32_t len);
	int (*config_write)(struct fake_transport *ft, uint32_t off,
			    const void *buf, uint32_t len);
};

/* Every bus the device suites run on, NULL-terminated; ft_bus_core
 * first. */
extern const struct ft_bus ft_bus_core;
/* virtio-ccw with classic / adapter queue indicators (ft_bus_ccw.c). */
extern const struct ft_bus ft_bus_ccw, ft_bus_ccw_adapter;
extern const struct ft_bus *const ft_buses[];

struct fake_transport {
	const struct ft_bus *bus;
	void *bus_priv;
	struct virtio_dev *vd;
	struct guest_ram *ram;
	uint16_t queue_size; /* 0: each queue's maximum */
	uint16_t nr_queues;
	struct drvq q[FT_MAX_QUEUES];
	/* Interrupts as the core bus sees them (other buses check theirs in
	 * their own transport tests), and kicks sent on every bus. */
	unsigned int used_irqs[FT_MAX_QUEUES];
	unsigned int config_irqs;
	unsigned int kicks[FT_MAX_QUEUES];
};

/* Puts vd on the core bus (fake_transport_init) or on bus. The device must
 * be virtio_dev_init'ed with its config set. */
void fake_transport_init(struct fake_transport *ft, struct virtio_dev *vd,
			 struct guest_ram *ram);
void fake_transport_init_bus(struct fake_transport *ft, struct virtio_dev *vd,
			     struct guest_ram *ram, const struct ft_bus *bus);
/* Frees the driver's rings and detaches from the bus; safe to call twice
 * and on a zeroed ft. */
void fake_transport_destroy(struct fake_transport *ft);

/* Status and config space through the bus. */
uint8_t fake_transport_status(struct fake_transport *ft);
void fake_transport_set_status(struct fake_transport *ft, uint8_t status);
int fake_transport_config_read(struct fake_transport *ft, uint32_t off,
			       void *buf, uint32_t len);
int fake_transport_config_write(struct fake_transport *ft, uint32_t off,
				const void *buf, uint32_t len);

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
