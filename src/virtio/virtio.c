/* virtio: device status, feature negotiation and config space.
 *
 * virtio 1.3 §2.1 Device Status Field, §2.2 Feature Bits, §6 Reserved
 * Feature Bits, §2.5 Device Configuration Space (and its generation
 * counter), §3.1 Device Initialization. One state machine for every
 * transport; queue setup is in virtio_queue.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtio.h"
#include "vq_internal.h"

#define BIT(n) (1ULL << (n))

/* Bits 24-41 and 43-49 belong to the core (§2.2, §6): the device's table
 * may not claim them. Of those, we offer exactly the ones implemented here;
 * ACCESS_PLATFORM, ORDER_PLATFORM, SR_IOV, NOTIF_CONFIG_DATA and the legacy
 * bits are not offered. */
#define CORE_BITS_MASK \
	(((BIT(42) - 1) & ~(BIT(24) - 1)) | ((BIT(50) - 1) & ~(BIT(43) - 1)))
#define CORE_FEATURES                                                 \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC) | \
	 BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_F_RING_PACKED) |   \
	 BIT(VIRTIO_F_IN_ORDER) | BIT(VIRTIO_F_NOTIFICATION_DATA) |   \
	 BIT(VIRTIO_F_RING_RESET))

#define S_ACK	      VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER      VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK   VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET VIRTIO_CONFIG_S_NEEDS_RESET
#define S_FAILED      VIRTIO_CONFIG_S_FAILED
#define S_KNOWN                                                           \
	(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK | S_NEEDS_RESET | \
	 S_FAILED)

static bool ops_valid(const struct virtio_device_ops *ops)
{
	uint16_t max = ops->queue_max_size;

	/* Split rings need a power of 2; 32768 is the spec's limit. */
	return ops->num_queues && max && max <= 32768 && !(max & (max - 1));
}

int virtio_dev_init(struct virtio_dev *vd, const struct virtio_device_ops *ops,
		    const struct gmem *mem, const char *name)
{
	memset(vd, 0, sizeof(*vd));
	if (!ops_valid(ops))
		return -EINVAL;
	vd->ops = ops;
	vd->mem = mem;
	vd->name = name;
	vd->num_queues = ops->num_queues;
	pthread_mutex_init(&vd->config_lock, NULL);
	vd->vqs = calloc(vd->num_queues, sizeof(*vd->vqs));
	if (!vd->vqs) {
		pthread_mutex_destroy(&vd->config_lock);
		return -ENOMEM;
	}
	for (uint16_t i = 0; i < vd->num_queues; i++) {
		struct virtq *vq = &vd->vqs[i];

		vq->vd = vd;
		vq->index = i;
		vq->max_size = ops->queue_max_size;
		vq->done = calloc(vq->max_size, sizeof(*vq->done));
		if (!vq->done) {
			virtio_dev_destroy(vd);
			return -ENOMEM;
		}
		vq_reset(vq);
	}
	return 0;
}

void virtio_dev_destroy(struct virtio_dev *vd)
{
	if (!vd->vqs)
		return;
	/* With -v -v: how often each queue was kicked and how often it
	 * interrupted the driver (suppression at work, or not). */
	for (uint16_t i = 0; i < vd->num_queues; i++)
		if (vd->vqs[i].nr_kicks || vd->vqs[i].nr_notified)
			log_debug("virtio %s: queue %u: %" PRIu64
				  " kicks, %" PRIu64 " interrupts",
				  vd->name, i, vd->vqs[i].nr_kicks,
				  vd->vqs[i].nr_notified);
	for (uint16_t i = 0; i < vd->num_queues; i++)
		free(vd->vqs[i].done);
	free(vd->vqs);
	vd->vqs = NULL;
	pthread_mutex_destroy(&vd->config_lock);
}

void virtio_dev_set_transport(struct virtio_dev *vd,
			      const struct virtio_transport *t, void *priv)
{
	vd->transport = t;
	vd->transport_priv = priv;
}

static void notify_config(struct virtio_dev *vd)
{
	if (vd->transport && vd->transport->notify_config)
		vd->transport->notify_config(vd);
}

/* ---- Device status (§2.1, §3.1) ---- */

uint8_t virtio_get_status(const struct virtio_dev *vd)
{
	return __atomic_load_n(&vd->status, __ATOMIC_ACQUIRE);
}

void virtio_dev_needs_reset(struct virtio_dev *vd)
{
	/* Atomic: a queue thread may get here while a vCPU writes status. */
	uint8_t old =
		__atomic_fetch_or(&vd->status, S_NEEDS_RESET, __ATOMIC_ACQ_REL);

	if (!(old & S_NEEDS_RESET) && (old & S_DRIVER_OK))
		notify_config(vd);
}

void virtio_dev_reset(struct virtio_dev *vd)
{
	/* The device stops touching its queues first; then they forget. */
	if (vd->ops->reset)
		vd->ops->reset(vd);
	for (uint16_t i = 0; i < vd->num_queues; i++)
		vq_reset(&vd->vqs[i]);
	vd->driver_features = vd->features = 0;
	vd->device_features_sel = vd->driver_features_sel = 0;
	vd->queue_sel = 0;
	__atomic_store_n(&vd->status, 0, __ATOMIC_RELEASE);
}

/* A legacy driver (§3.1.2), possible only where the transport has a legacy
 * interface: it does not accept VERSION_1 and never sets FEATURES_OK; the
 * features it wrote take effect at DRIVER_OK. */
static bool legacy_driver(const struct virtio_dev *vd)
{
	return vd->legacy_ok &&
	       !(vd->driver_features & BIT(VIRTIO_F_VERSION_1));
}

/* Each step needs the one before it (§3.1.1). FAILED may come any time. */
static bool status_order_ok(const struct virtio_dev *vd, uint8_t s)
{
	if ((s & S_DRIVER) && !(s & S_ACK))
		return false;
	if ((s & S_FEATURES_OK) && !(s & S_DRIVER))
		return false;
	return !(s & S_DRIVER_OK) || (s & S_FEATURES_OK) ||
	       (legacy_driver(vd) && (s & S_DRIVER));
}

static bool features_acceptable(struct virtio_dev *vd, uint64_t f)
{
	const char *why = NULL;

	if (f & ~virtio_offered_features(vd))
		why = "accepts features that were not offered";
	else if (!(f & BIT(VIRTIO_F_VERSION_1)) && !vd->legacy_ok)
		why = "does not accept VIRTIO_F_VERSION_1";
	else if (vd->ops->features_ok && vd->ops->features_ok(vd, f) < 0)
		why = "accepts an unsupported combination";
	if (why)
		log_guest("virtio %s: driver %s (%#llx): FEATURES_OK refused",
			  vd->name, why, (unsigned long long)f);
	return !why;
}

/* Brings every enabled queue live, then the device. */
static void activate(struct virtio_dev *vd)
{
	for (uint16_t i = 0; i < vd->num_queues; i++) {
		struct virtq *vq = &vd->vqs[i];

		if (vq->enabled && vq_activate(vq) < 0) {
			virtio_dev_needs_reset(vd);
			return;
		}
	}
	if (vd->ops->activate && vd->ops->activate(vd) < 0) {
		log_guest("virtio %s: device failed to activate", vd->name);
		virtio_dev_needs_reset(vd);
	}
}

static bool status_write_ok(struct virtio_dev *vd, uint8_t old, uint8_t new)
{
	const char *why = NULL;

	if (new & ~S_KNOWN)
		why = "sets unknown bits";
	else if (old & ~new)
		why = "clears bits";
	else if ((old & S_FAILED) && new != old)
		why = "sets bits after FAILED";
	else if (!status_order_ok(vd, new))
		why = "skips a step";
	if (why)
		log_guest("virtio %s: status %#x -> %#x %s: ignored", vd->name,
			  old, new, why);
	return !why;
}

int virtio_set_status(struct virtio_dev *vd, uint8_t val)
{
	uint8_t old = virtio_get_status(vd), new, added;
	int r = 0;

	if (val == 0) {
		virtio_dev_reset(vd);
		return 0;
	}
	/* NEEDS_RESET is the device's bit: keep ours, ignore the driver's. */
	new = (val & ~S_NEEDS_RESET) | (old & S_NEEDS_RESET);
	if (!status_write_ok(vd, old, new))
		return -EINVAL;
	added = new & ~old;
	if ((added & S_FEATURES_OK) &&
	    !features_acceptable(vd, vd->driver_features)) {
		new &= ~(S_FEATURES_OK | S_DRIVER_OK);
		r = -ENOTSUP;
	} else if (added & S_FEATURES_OK) {
		vd->features = vd->driver_features;
	} else if ((added & S_DRIVER_OK) && !(val & S_FEATURES_OK)) {
		/* A legacy driver: its features take effect now. */
		if (features_acceptable(vd, vd->driver_features)) {
			vd->features = vd->driver_features;
		} else {
			new &= ~S_DRIVER_OK;
			r = -ENOTSUP;
		}
	}
	/* Keep a NEEDS_RESET raised meanwhile by a queue thread. */
	__atomic_fetch_or(&vd->status, new, __ATOMIC_ACQ_REL);
	if ((new &added &S_DRIVER_OK) && !(new &S_FAILED))
		activate(vd);
	return r;
}

/* ---- Features (§2.2, §6) ---- */

uint64_t virtio_offered_features(const struct virtio_dev *vd)
{
	uint64_t f = (vd->ops->features & ~CORE_BITS_MASK) | CORE_FEATURES;

	return f & ~vd->features_off;
}

uint32_t virtio_device_features(const struct virtio_dev *vd, uint32_t word)
{
	if (word > 1)
		return 0;
	return (uint32_t)(virtio_offered_features(vd) >> (32 * word));
}

uint32_t virtio_driver_features(const struct virtio_dev *vd, uint32_t word)
{
	if (word > 1)
		return 0;
	return (uint32_t)(vd->driver_features >> (32 * word));
}

int virtio_set_driver_features(struct virtio_dev *vd, uint32_t word,
			       uint32_t val)
{
	uint64_t mask;

	if (word > 1)
		return val ? -EINVAL : 0;
	/* The set is frozen once accepted (§3.1.1 step 5; a legacy driver's
	 * at DRIVER_OK). */
	if (virtio_get_status(vd) & (S_FEATURES_OK | S_DRIVER_OK))
		return -EBUSY;
	mask = 0xffffffffULL << (32 * word);
	vd->driver_features =
		(vd->driver_features & ~mask) | ((uint64_t)val << (32 * word));
	return 0;
}

bool virtio_has_feature(const struct virtio_dev *vd, unsigned int bit)
{
	return bit < 64 && (vd->features & BIT(bit));
}

/* ---- Config space (§2.5) ---- */

static bool config_range_ok(const struct virtio_dev *vd, uint32_t off,
			    uint32_t len)
{
	/* Written so that off + len cannot overflow. */
	return len && off <= vd->config_len && len <= vd->config_len - off;
}

int virtio_config_read(struct virtio_dev *vd, uint32_t off, void *buf,
		       uint32_t len)
{
	if (!config_range_ok(vd, off, len))
		return -EINVAL;
	pthread_mutex_lock(&vd->config_lock);
	memcpy(buf, (const uint8_t *)vd->config + off, len);
	pthread_mutex_unlock(&vd->config_lock);
	return 0;
}

int virtio_config_write(struct virtio_dev *vd, uint32_t off, const void *buf,
			uint32_t len)
{
	int r;

	if (!config_range_ok(vd, off, len))
		return -EINVAL;
	if (!vd->ops->config_write) {
		log_guest("virtio %s: write to read-only config space at %u",
			  vd->name, off);
		return -EPERM;
	}
	pthread_mutex_lock(&vd->config_lock);
	r = vd->ops->config_write(vd, off, buf, len);
	pthread_mutex_unlock(&vd->config_lock);
	return r;
}

uint32_t virtio_config_generation(struct virtio_dev *vd)
{
	uint32_t gen;

	/* Bump lazily, on the first read after a change (the PCI spec's
	 * advice): many changes between two reads move it once, so an 8-bit
	 * view cannot wrap back to the value the driver saw. */
	pthread_mutex_lock(&vd->config_lock);
	if (vd->config_dirty) {
		vd->config_gen++;
		vd->config_dirty = false;
	}
	gen = vd->config_gen;
	pthread_mutex_unlock(&vd->config_lock);
	return gen;
}

int virtio_config_update(struct virtio_dev *vd, uint32_t off, const void *src,
			 uint32_t len)
{
	if (!config_range_ok(vd, off, len))
		return -EINVAL;
	pthread_mutex_lock(&vd->config_lock);
	memcpy((uint8_t *)vd->config + off, src, len);
	vd->config_dirty = true;
	pthread_mutex_unlock(&vd->config_lock);
	if (virtio_get_status(vd) & S_DRIVER_OK)
		notify_config(vd);
	return 0;
}
