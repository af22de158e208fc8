/* fake_transport: the guest's side of a virtio device, for unit tests.
 *
 * It drives a device exactly as Linux's drivers do (virtio 1.3 §3.1.1):
 * reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queue setup with a
 * drvq per queue, DRIVER_OK; then requests and kicks. *How* it reaches the
 * device is a bus (struct ft_bus): "core" calls the core directly and
 * records interrupts; the transport buses (ft_bus_pci.c, ft_bus_mmio.c,
 * later CCW) go through the real transport code's registers or channel
 * programs on a fake_vm of their own, so a device suite that loops over
 * ft_buses (FT_LOOPS below) runs unchanged on every transport.
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
	/* Device config space; <0 where the transport refused the access as
	 * far as a driver can tell (core only: MMIO and PCI drop a refused
	 * write and read 0 silently). */
	int (*config_read)(struct fake_transport *ft, uint32_t off, void *buf,
			   uint32_t len);
	int (*config_write)(struct fake_transport *ft, uint32_t off,
			    const void *buf, uint32_t len);
	/* Optional: a per-queue reset (§2.6.1); 0 once the device says it is
	 * done and the queue reads disabled. NULL: the core call is used. */
	int (*queue_reset)(struct fake_transport *ft, uint16_t idx);
};

/* Every bus the device suites run on, NULL-terminated; ft_bus_core
 * first. */
extern const struct ft_bus ft_bus_core;
extern const struct ft_bus ft_bus_pci;
extern const struct ft_bus ft_bus_mmio;
/* virtio-ccw with classic / adapter queue indicators (ft_bus_ccw.c). */
extern const struct ft_bus ft_bus_ccw, ft_bus_ccw_adapter;
extern const struct ft_bus *const ft_buses[];

/* Device suites run each test on every bus and both ring formats with one
 * Check loop index: i = (case * ft_nr_buses() + bus) * 2 + packed, where
 * case numbers the rows of a test's own table (0 if it has none). */
#define FT_LOOPS(ncases) ((int)(ncases)*2 * (int)ft_nr_buses())
unsigned int ft_nr_buses(void);
const struct ft_bus *ft_loop_bus(int i);
int ft_loop_case(int i);
static inline bool ft_loop_packed(int i)
{
	return i & 1;
}

/* For the wire buses: a config access cut the way Linux's virtio_cread /
 * virtio_cwrite cut it (1, 2 or 4 bytes naturally aligned in one access,
 * 8 as two 4-byte halves, anything else byte by byte), each piece handed
 * to access(). */
typedef void (*ft_config_access)(struct fake_transport *ft, uint32_t off,
				 uint8_t *buf, uint32_t len, bool write);
void ft_config_pieces(struct fake_transport *ft, uint32_t off, uint8_t *buf,
		      uint32_t len, bool write, ft_config_access access);

struct fake_transport {
	const struct ft_bus *bus;
	void *bus_priv;
	struct virtio_dev *vd;
	struct guest_ram *ram;
	uint16_t queue_size; /* 0: each queue's maximum */
	uint16_t nr_queues;
	uint64_t features; /* what the last probe negotiated */
	struct drvq q[FT_MAX_QUEUES];
	/* Interrupts as the core bus sees them (other buses check theirs in
	 * their own transport tests), and kicks sent on every bus. */
	unsigned int used_irqs[FT_MAX_QUEUES];
	unsigned int config_irqs;
	unsigned int kicks[FT_MAX_QUEUES];
	/* Kick a queue through the device's own kick fd where it has one
	 * (virtio_queue_kick_fd), as KVM's ioeventfd would: set on the PCI
	 * and MMIO buses, where vmm binds ioeventfds. */
	bool kick_fds;
};

/* Puts vd on the core bus (fake_transport_init), on bus, or on the bus of
 * loop index i (see FT_LOOPS). The device must be virtio_dev_init'ed with
 * its config set. */
void fake_transport_init(struct fake_transport *ft, struct virtio_dev *vd,
			 struct guest_ram *ram);
void fake_transport_init_bus(struct fake_transport *ft, struct virtio_dev *vd,
			     struct guest_ram *ram, const struct ft_bus *bus);
void fake_transport_init_loop(struct fake_transport *ft, struct virtio_dev *vd,
			      struct guest_ram *ram, int i);
/* Resets the device through the bus (its threads stop), frees the
 * driver's rings and detaches from the bus; safe to call twice and on a
 * zeroed ft. */
void fake_transport_destroy(struct fake_transport *ft);

/* Status and config space through the bus. */
uint8_t fake_transport_status(struct fake_transport *ft);
void fake_transport_set_status(struct fake_transport *ft, uint8_t status);
int fake_transport_config_read(struct fake_transport *ft, uint32_t off,
			       void *buf, uint32_t len);
int fake_transport_config_write(struct fake_transport *ft, uint32_t off,
				const void *buf, uint32_t len);
/* Resets queue idx through the bus (needs VIRTIO_F_RING_RESET): 0 when
 * done, <0 if the device refused. */
int fake_transport_queue_reset(struct fake_transport *ft, uint16_t idx);
/* Sets queue idx up again after fake_transport_queue_reset, as a driver
 * does after a queue reset (§2.6.1.2): a fresh ring, enabled while the
 * device runs. */
void fake_transport_queue_restart(struct fake_transport *ft, uint16_t idx);

/* The driver's initialisation sequence, accepting offered & want. Returns 0
 * with every queue live, -ENOTSUP if FEATURES_OK was refused, -EIO if the
 * device ended up with DEVICE_NEEDS_RESET. */
int fake_transport_probe(struct fake_transport *ft, uint64_t want);

/* Notifies queue idx if the driver side says the device wants a kick;
 * returns whether it did. fake_transport_kick_now kicks unconditionally. */
bool fake_transport_kick(struct fake_transport *ft, uint16_t idx);
void fake_transport_kick_now(struct fake_transport *ft, uint16_t idx);

/* The next used buffer on queue idx (its token, *len set). The device's
 * threads complete asynchronously, so this polls until one comes or
 * timeout_ns has passed; NULL then. */
void *fake_transport_wait_used(struct fake_transport *ft, uint16_t idx,
			       uint32_t *len, long long timeout_ns);

/* Adds one buffer to queue idx and kicks as a driver would. */
int fake_transport_send(struct fake_transport *ft, uint16_t idx,
			const struct drvq_buf *bufs, unsigned int n,
			bool indirect, void *token);

#endif
