/* virtio: the transport-neutral virtio device core.
 *
 * virtio 1.3 §2.1 Device Status, §2.2 Feature Bits, §2.5 Device
 * Configuration Space, §2.6 Virtqueues (setup, §2.6.1 reset), §2.9 Driver
 * Notifications, §3.1 Device Initialization. Transports decode their wire
 * format and call in here in virtio words; devices supply virtio_device_ops.
 * Depends on src/kvm (gmem, log) only.
 */
#ifndef VMM_VIRTIO_VIRTIO_H
#define VMM_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>

#include "gmem.h"
#include "virtq.h"

/* Older uapi headers lack the newest transport bits (virtio 1.3 §6). */
#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA 38
#endif

struct virtio_dev;

/* What a device gives the core: one const table, never written by the core.
 * The three hooks after queue_notify are optional (NULL = not needed). */
struct virtio_device_ops {
	uint32_t device_id;		     /* VIRTIO_ID_* */
	uint16_t num_queues, queue_max_size; /* max size: a power of 2 */
	uint64_t features; /* device bits; the core adds ring/transport bits */
	int (*activate)(struct virtio_dev *vd); /* on DRIVER_OK; <0: failed */
	void (*reset)(struct virtio_dev *vd);	/* stop using every queue */
	void (*queue_notify)(struct virtio_dev *vd, struct virtq *vq);
	/* A queue is being reset (RING_RESET): stop using it. */
	void (*queue_reset)(struct virtio_dev *vd, struct virtq *vq);
	/* Device-specific feature dependencies; 0 accepts, <0 refuses. */
	int (*features_ok)(struct virtio_dev *vd, uint64_t features);
	/* The driver wrote [off, off + len) of config space, already bounds
	 * checked; called with the config lock held, may update vd->config.
	 * NULL: config space is read-only and writes are dropped. */
	int (*config_write)(struct virtio_dev *vd, uint32_t off,
			    const void *buf, uint32_t len);
	/* Optional: an eventfd the device's own thread polls for queue
	 * idx's available-buffer notifications, or -1. A transport with
	 * ioeventfds binds it to the queue's notification address, so a
	 * kick wakes that thread with no vmm thread in between. Such kicks
	 * never reach queue_notify: the device must take them as wake-ups
	 * only, and start using a queue on activate() or queue_notify()
	 * (which a queue back from a reset also gets). The device owns the
	 * fd; it stays open until the device is destroyed. */
	int (*queue_kick_fd)(struct virtio_dev *vd, uint16_t idx);
};

/* What a transport gives the core: the means to interrupt the driver. Both
 * may be called from any thread that runs a device's queues. */
struct virtio_transport {
	void (*notify_used)(struct virtio_dev *vd, struct virtq *vq);
	void (*notify_config)(struct virtio_dev *vd);
};

enum virtio_queue_area {
	VIRTIO_QUEUE_DESC,   /* descriptor table / ring */
	VIRTIO_QUEUE_DRIVER, /* avail ring / driver event suppression */
	VIRTIO_QUEUE_DEVICE, /* used ring / device event suppression */
};

/* One virtio device as the core sees it; devices embed it first in their
 * own struct. Threads: the control calls below (status, features, queue
 * setup, config writes, kicks) must not race for one device, so each
 * transport serialises them (a lock per device). A queue's data path (vq_*)
 * runs on one thread at a time, and ops->reset / ops->queue_reset must stop
 * that thread before returning. What a queue thread may do to shared state
 * (raise NEEDS_RESET, update config) is atomic or under config_lock. */
struct virtio_dev {
	const struct virtio_device_ops *ops;
	const struct gmem *mem;
	const char *name; /* for log messages */

	/* Set by the creator after virtio_dev_init, before the guest runs. */
	uint64_t features_off; /* never offer these (packed=off, ...) */
	/* Set by a transport with a legacy interface (virtio-mmio version
	 * 1): a driver that does not accept VIRTIO_F_VERSION_1 is then a
	 * legacy driver (§3.1.2), which skips FEATURES_OK. */
	bool legacy_ok;
	void *config; /* device config space, little-endian */
	uint32_t config_len;

	const struct virtio_transport *transport;
	void *transport_priv;

	/* Driver-visible state; cleared by a reset. Transports keep their
	 * select registers here so that a reset clears them too. */
	uint8_t status;
	uint64_t driver_features; /* as written by the driver */
	uint64_t features;	  /* negotiated: valid from FEATURES_OK */
	uint32_t device_features_sel, driver_features_sel;
	uint16_t queue_sel;

	uint16_t num_queues;
	struct virtq *vqs;

	pthread_mutex_t config_lock; /* config bytes and generation */
	uint32_t config_gen;
	bool config_dirty; /* changed since the driver last read config_gen */
};

/* Zeroes *vd and sets up ops->num_queues queues. Rejects (-EINVAL) a table
 * with no queues or a queue_max_size that is 0, above 32768 or not a power
 * of 2; -ENOMEM. The caller keeps ownership of ops and mem. */
int virtio_dev_init(struct virtio_dev *vd, const struct virtio_device_ops *ops,
		    const struct gmem *mem, const char *name);
void virtio_dev_destroy(struct virtio_dev *vd);

/* Attaches the transport; priv is for the transport's callbacks. */
void virtio_dev_set_transport(struct virtio_dev *vd,
			      const struct virtio_transport *t, void *priv);

/* Device status (§2.1). Writing 0 resets the device. Otherwise the write
 * must keep every bit already set and respect ACKNOWLEDGE -> DRIVER ->
 * FEATURES_OK -> DRIVER_OK; an illegal write is ignored (-EINVAL). Setting
 * FEATURES_OK with an invalid feature subset leaves FEATURES_OK clear
 * (-ENOTSUP). With legacy_ok, a driver without VERSION_1 may go from
 * DRIVER to DRIVER_OK; its features are checked then (-ENOTSUP). Setting
 * DRIVER_OK brings the enabled queues live and calls ops->activate; a bad
 * ring address there sets DEVICE_NEEDS_RESET. */
int virtio_set_status(struct virtio_dev *vd, uint8_t status);
uint8_t virtio_get_status(const struct virtio_dev *vd);

/* Device reset: ops->reset, every queue reset, features and selects
 * cleared, status 0. Synchronous: done when it returns. */
void virtio_dev_reset(struct virtio_dev *vd);

/* Sets DEVICE_NEEDS_RESET and, if DRIVER_OK is set, sends a configuration
 * change notification (once). For the core and for devices. */
void virtio_dev_needs_reset(struct virtio_dev *vd);

/* Features (§2.2), by 32-bit word: word 0 is bits 0-31, word 1 bits 32-63,
 * higher words read as 0. Driver writes are ignored (-EBUSY) once
 * FEATURES_OK is set and (-EINVAL) for words above 1. */
uint64_t virtio_offered_features(const struct virtio_dev *vd);
uint32_t virtio_device_features(const struct virtio_dev *vd, uint32_t word);
uint32_t virtio_driver_features(const struct virtio_dev *vd, uint32_t word);
int virtio_set_driver_features(struct virtio_dev *vd, uint32_t word,
			       uint32_t val);
/* True if bit was negotiated (FEATURES_OK accepted it). */
bool virtio_has_feature(const struct virtio_dev *vd, unsigned int bit);

/* Config space (§2.5). [off, off + len) must lie inside config_len and len
 * must be non-zero, else -EINVAL and buf is untouched. Writes go to
 * ops->config_write (-EPERM without one). */
int virtio_config_read(struct virtio_dev *vd, uint32_t off, void *buf,
		       uint32_t len);
int virtio_config_write(struct virtio_dev *vd, uint32_t off, const void *buf,
			uint32_t len);
/* The generation counter (PCI shows its low 8 bits, MMIO all 32). It moves
 * at most once between two reads, however many updates happened. */
uint32_t virtio_config_generation(struct virtio_dev *vd);
/* Device side: change config bytes after init, atomically with respect to
 * driver reads, and send a configuration change notification. */
int virtio_config_update(struct virtio_dev *vd, uint32_t off, const void *src,
			 uint32_t len);

/* Queue setup, by queue index (§2.6, §4.x). idx out of range: -EINVAL, and
 * reads give 0 (PCI: queue_size 0 means "no such queue"). Size and
 * addresses can only change while the queue is disabled (-EBUSY). The size
 * must be 1..max; split rings also need a power of 2, checked when the
 * queue goes live. */
struct virtq *virtio_queue(struct virtio_dev *vd, uint16_t idx);
uint16_t virtio_queue_max_size(const struct virtio_dev *vd, uint16_t idx);
uint16_t virtio_queue_size(const struct virtio_dev *vd, uint16_t idx);
int virtio_queue_set_size(struct virtio_dev *vd, uint16_t idx, uint16_t size);
uint64_t virtio_queue_addr(const struct virtio_dev *vd, uint16_t idx,
			   enum virtio_queue_area area);
int virtio_queue_set_addr(struct virtio_dev *vd, uint16_t idx,
			  enum virtio_queue_area area, uint64_t gpa);
/* Enables a queue. Before DRIVER_OK this only records it; afterwards (MMIO
 * QueueReady late, re-enable after a queue reset) it goes live at once. */
int virtio_queue_enable(struct virtio_dev *vd, uint16_t idx);
bool virtio_queue_enabled(const struct virtio_dev *vd, uint16_t idx);
/* Per-queue reset (§2.6.1); only if VIRTIO_F_RING_RESET was negotiated
 * (-EPERM otherwise). Synchronous: the queue is disabled, back to its
 * default size and zero addresses when it returns. */
int virtio_queue_reset(struct virtio_dev *vd, uint16_t idx);

/* Available buffer notification (§2.9) for queue idx: calls
 * ops->queue_notify if the queue is live, else ignores it. */
int virtio_queue_kick(struct virtio_dev *vd, uint16_t idx);
/* The same from a notification value as PCI, MMIO and CCW carry it: the
 * queue index in bits 0-15 and, with NOTIFICATION_DATA, next_off (15 bits)
 * and next_wrap (1 bit) above, recorded in the queue as kick_next. */
int virtio_queue_kick_data(struct virtio_dev *vd, uint32_t data);
/* ops->queue_kick_fd for a transport binding its kicks: the device's fd
 * for queue idx, or -1 (no such queue, or the device has none). */
int virtio_queue_kick_fd(struct virtio_dev *vd, uint16_t idx);

#endif
