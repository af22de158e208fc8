/* ft_bus_ccw: the fake transport's driver reaching its device over
 * virtio-ccw (virtio 1.3 §4.3), through the CCW driver model.
 *
 * Each attach builds a channel subsystem with the device behind one
 * subchannel; the driver finds it, enables it, negotiates revision 2 and
 * then does every bus operation as a channel program (status, features,
 * config, queues) or a diagnose 0x500 (kicks). "ccw" uses classic queue
 * indicators, "ccw-adapter" adapter interruptions. Interruptions are
 * handled as they happen and counted in ft->used_irqs / config_irqs.
 */
#include <check.h>
#include <stdlib.h>

#include "ccw_virtio.h"
#include "fake_transport.h"
#include "virtio_ccw.h"

#define FT_CCW_DEVNO 0x0042

struct ccw_bus {
	struct css *css;
	struct virtio_ccw *vc;
	struct ccw_drv drv;
	struct ccw_virtio v;
	bool adapter;
	bool indicators; /* set up since the last reset */
};

static struct ccw_bus *bus_of(struct fake_transport *ft)
{
	return ft->bus_priv;
}

static void on_used(void *opaque, uint16_t q)
{
	struct fake_transport *ft = opaque;

	if (q < FT_MAX_QUEUES)
		__atomic_fetch_add(&ft->used_irqs[q], 1, __ATOMIC_RELAXED);
}

static void on_config(void *opaque)
{
	struct fake_transport *ft = opaque;

	__atomic_fetch_add(&ft->config_irqs, 1, __ATOMIC_RELAXED);
}

static void attach(struct fake_transport *ft, bool adapter)
{
	struct ccw_bus *b = calloc(1, sizeof(*b));
	struct ccw_drv_dev *dev;

	ck_assert_ptr_nonnull(b);
	b->adapter = adapter;
	ck_assert_int_eq(css_create(&ft->ram->mem, &b->css), 0);
	ck_assert_int_eq(virtio_ccw_add(b->css, ft->vd, FT_CCW_DEVNO, &b->vc),
			 0);
	ccw_drv_init(&b->drv, b->css, ft->ram);
	ck_assert_int_eq(ccw_drv_scan(&b->drv), 1);
	dev = ccw_drv_find(&b->drv, FT_CCW_DEVNO);
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->cu_model, ft->vd->ops->device_id);
	ck_assert_int_eq(ccw_virtio_init(&b->v, dev), 0);
	b->v.on_used = on_used;
	b->v.on_config = on_config;
	b->v.opaque = ft;
	ck_assert_int_eq(ccw_virtio_set_revision(&b->v, VIRTIO_CCW_REV_MAX), 0);
	ck_assert_int_eq(b->v.revision, VIRTIO_CCW_REV_MAX);
	ft->bus_priv = b;
}

static void attach_classic(struct fake_transport *ft)
{
	attach(ft, false);
}

static void attach_adapter(struct fake_transport *ft)
{
	attach(ft, true);
}

static void detach(struct fake_transport *ft)
{
	struct ccw_bus *b = bus_of(ft);

	if (!b)
		return;
	/* The device must be quiet before its transport goes away. */
	virtio_dev_reset(ft->vd);
	virtio_ccw_remove(b->vc);
	ccw_drv_destroy(&b->drv);
	css_destroy(b->css);
	free(b);
	ft->bus_priv = NULL;
}

static uint8_t get_status(struct fake_transport *ft)
{
	uint8_t status;

	ck_assert_int_eq(ccw_virtio_read_status(&bus_of(ft)->v, &status), 0);
	return status;
}

/* Status 0 is Linux's virtio_ccw_reset, VDEV_RESET. DRIVER_OK comes after
 * find_vqs, which ends by registering the indicators. A refused status
 * (FEATURES_OK, say) is the caller's to notice by reading it back. */
static void set_status(struct fake_transport *ft, uint8_t status)
{
	struct ccw_bus *b = bus_of(ft);

	if (!status) {
		ck_assert_int_eq(ccw_virtio_reset(&b->v), 0);
		b->indicators = false;
		return;
	}
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !b->indicators) {
		ck_assert_int_eq(ccw_virtio_setup_indicators(
					 &b->v, b->adapter, ft->vd->num_queues),
				 0);
		ck_assert_int_eq(b->v.adapter, b->adapter);
		b->indicators = true;
	}
	ccw_virtio_write_status(&b->v, status);
}

static uint32_t device_features(struct fake_transport *ft, uint32_t word)
{
	uint32_t bits;

	ck_assert_int_eq(
		ccw_virtio_read_feat(&bus_of(ft)->v, (uint8_t)word, &bits), 0);
	return bits;
}

static void driver_features(struct fake_transport *ft, uint32_t word,
			    uint32_t val)
{
	ccw_virtio_write_feat(&bus_of(ft)->v, (uint8_t)word, val);
}

static uint16_t queue_max_size(struct fake_transport *ft, uint16_t idx)
{
	uint16_t max;

	ck_assert_int_eq(ccw_virtio_read_vq_conf(&bus_of(ft)->v, idx, &max), 0);
	return max;
}

static void queue_setup(struct fake_transport *ft, uint16_t idx,
			const struct drvq *q)
{
	ck_assert_int_eq(ccw_virtio_set_vq(&bus_of(ft)->v, idx, q->size,
					   q->desc_gpa, q->driver_gpa,
					   q->device_gpa),
			 0);
}

static void notify(struct fake_transport *ft, uint16_t idx, uint32_t data)
{
	ck_assert_int_ge(ccw_virtio_notify(&bus_of(ft)->v, idx, data), 0);
}

static int config_read(struct fake_transport *ft, uint32_t off, void *buf,
		       uint32_t len)
{
	return ccw_virtio_read_conf(&bus_of(ft)->v, off, buf, len);
}

static int config_write(struct fake_transport *ft, uint32_t off,
			const void *buf, uint32_t len)
{
	return ccw_virtio_write_conf(&bus_of(ft)->v, off, buf, len);
}

#define CCW_BUS_OPS                                                           \
	.detach = detach, .get_status = get_status, .set_status = set_status, \
	.device_features = device_features,                                   \
	.driver_features = driver_features, .queue_max_size = queue_max_size, \
	.queue_setup = queue_setup, .notify = notify,                         \
	.config_read = config_read, .config_write = config_write

const struct ft_bus ft_bus_ccw = {
	.name = "ccw",
	.attach = attach_classic,
	CCW_BUS_OPS,
};

const struct ft_bus ft_bus_ccw_adapter = {
	.name = "ccw-adapter",
	.attach = attach_adapter,
	CCW_BUS_OPS,
};
