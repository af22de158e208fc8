/* fake_transport: interrupt recorder and Linux-like probe (see
 * fake_transport.h). */
#include "fake_transport.h"

#include <check.h>
#include <errno.h>
#include <string.h>

static void record_used(struct virtio_dev *vd, struct virtq *vq)
{
	struct fake_transport *ft = vd->transport_priv;

	ck_assert_uint_lt(vq->index, FT_MAX_QUEUES);
	ck_assert_msg(virtio_get_status(vd) & VIRTIO_CONFIG_S_DRIVER_OK,
		      "used buffer notification before DRIVER_OK");
	ft->used_irqs[vq->index]++;
}

static void record_config(struct virtio_dev *vd)
{
	struct fake_transport *ft = vd->transport_priv;

	ft->config_irqs++;
}

static const struct virtio_transport fake_ops = {
	.notify_used = record_used,
	.notify_config = record_config,
};

void fake_transport_init(struct fake_transport *ft, struct virtio_dev *vd,
			 struct guest_ram *ram)
{
	memset(ft, 0, sizeof(*ft));
	ft->vd = vd;
	ft->ram = ram;
	virtio_dev_set_transport(vd, &fake_ops, ft);
}

void fake_transport_destroy(struct fake_transport *ft)
{
	for (uint16_t i = 0; i < ft->nr_queues; i++)
		drvq_destroy(&ft->q[i]);
	ft->nr_queues = 0;
}

static void add_status(struct virtio_dev *vd, uint8_t bits)
{
	virtio_set_status(vd, virtio_get_status(vd) | bits);
}

static uint64_t negotiate(struct virtio_dev *vd, uint64_t want)
{
	uint64_t offered = virtio_device_features(vd, 0) |
			   (uint64_t)virtio_device_features(vd, 1) << 32;
	uint64_t f = offered & want;

	virtio_set_driver_features(vd, 0, (uint32_t)f);
	virtio_set_driver_features(vd, 1, (uint32_t)(f >> 32));
	return f;
}

static void setup_queue(struct fake_transport *ft, uint16_t i, uint64_t f)
{
	struct virtio_dev *vd = ft->vd;
	uint16_t size = virtio_queue_max_size(vd, i);
	struct drvq *q = &ft->q[i];

	if (ft->queue_size && ft->queue_size < size)
		size = ft->queue_size;
	ck_assert_int_eq(virtio_queue_set_size(vd, i, size), 0);
	drvq_init(q, ft->ram, i, size, f);
	ck_assert_int_eq(
		virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DESC, q->desc_gpa),
		0);
	ck_assert_int_eq(virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DRIVER,
					       q->driver_gpa),
			 0);
	ck_assert_int_eq(virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DEVICE,
					       q->device_gpa),
			 0);
	ck_assert_int_eq(virtio_queue_enable(vd, i), 0);
}

int fake_transport_probe(struct fake_transport *ft, uint64_t want)
{
	struct virtio_dev *vd = ft->vd;
	uint64_t f;

	fake_transport_destroy(ft);
	virtio_set_status(vd, 0);
	ck_assert_uint_eq(virtio_get_status(vd), 0);
	add_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	add_status(vd, VIRTIO_CONFIG_S_DRIVER);
	f = negotiate(vd, want);
	add_status(vd, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(virtio_get_status(vd) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENOTSUP;
	ck_assert_uint_le(vd->num_queues, FT_MAX_QUEUES);
	for (uint16_t i = 0; i < vd->num_queues; i++)
		setup_queue(ft, i, f);
	ft->nr_queues = vd->num_queues;
	add_status(vd, VIRTIO_CONFIG_S_DRIVER_OK);
	if (virtio_get_status(vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
		return -EIO;
	return 0;
}

void fake_transport_kick_now(struct fake_transport *ft, uint16_t idx)
{
	ck_assert_uint_lt(idx, ft->nr_queues);
	ft->kicks[idx]++;
	virtio_queue_kick_data(ft->vd, drvq_notify_value(&ft->q[idx]));
}

bool fake_transport_kick(struct fake_transport *ft, uint16_t idx)
{
	ck_assert_uint_lt(idx, ft->nr_queues);
	if (!drvq_kick_prepare(&ft->q[idx]))
		return false;
	fake_transport_kick_now(ft, idx);
	return true;
}

int fake_transport_send(struct fake_transport *ft, uint16_t idx,
			const struct drvq_buf *bufs, unsigned int n,
			bool indirect, void *token)
{
	int r;

	ck_assert_uint_lt(idx, ft->nr_queues);
	r = drvq_add(&ft->q[idx], bufs, n, indirect, token);
	if (r == 0)
		fake_transport_kick(ft, idx);
	return r;
}
