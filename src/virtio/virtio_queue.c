/* virtio_queue: queue setup and driver notifications, for transports.
 *
 * virtio 1.3 §2.6 Virtqueues (size, the three areas, enable), §2.6.1
 * Virtqueue Reset (VIRTIO_F_RING_RESET), §2.9 Driver Notifications (with
 * VIRTIO_F_NOTIFICATION_DATA). Every transport's queue registers end here;
 * the rings themselves are translated once, in vq_activate().
 */
#include <errno.h>

#include "log.h"
#include "virtio.h"
#include "vq_internal.h"

struct virtq *virtio_queue(struct virtio_dev *vd, uint16_t idx)
{
	return idx < vd->num_queues ? &vd->vqs[idx] : NULL;
}

static const struct virtq *cqueue(const struct virtio_dev *vd, uint16_t idx)
{
	return idx < vd->num_queues ? &vd->vqs[idx] : NULL;
}

uint16_t virtio_queue_max_size(const struct virtio_dev *vd, uint16_t idx)
{
	const struct virtq *vq = cqueue(vd, idx);

	return vq ? vq->max_size : 0;
}

uint16_t virtio_queue_size(const struct virtio_dev *vd, uint16_t idx)
{
	const struct virtq *vq = cqueue(vd, idx);

	return vq ? vq->size : 0;
}

/* The configuration of a queue is the driver's until it enables it. */
static struct virtq *queue_for_setup(struct virtio_dev *vd, uint16_t idx,
				     int *err)
{
	struct virtq *vq = virtio_queue(vd, idx);

	*err = 0;
	if (!vq)
		*err = -EINVAL;
	else if (vq->enabled)
		*err = -EBUSY;
	if (*err)
		log_guest("virtio %s: setup of queue %u refused (%s)", vd->name,
			  idx, vq ? "enabled" : "no such queue");
	return *err ? NULL : vq;
}

int virtio_queue_set_size(struct virtio_dev *vd, uint16_t idx, uint16_t size)
{
	int err;
	struct virtq *vq = queue_for_setup(vd, idx, &err);

	if (!vq)
		return err;
	if (size == 0 || size > vq->max_size) {
		log_guest("virtio %s: queue %u: size %u refused (max %u)",
			  vd->name, idx, size, vq->max_size);
		return -EINVAL;
	}
	vq->size = size;
	return 0;
}

uint64_t virtio_queue_addr(const struct virtio_dev *vd, uint16_t idx,
			   enum virtio_queue_area area)
{
	const struct virtq *vq = cqueue(vd, idx);

	if (!vq)
		return 0;
	switch (area) {
	case VIRTIO_QUEUE_DESC:
		return vq->desc_gpa;
	case VIRTIO_QUEUE_DRIVER:
		return vq->driver_gpa;
	case VIRTIO_QUEUE_DEVICE:
		return vq->device_gpa;
	}
	return 0;
}

int virtio_queue_set_addr(struct virtio_dev *vd, uint16_t idx,
			  enum virtio_queue_area area, uint64_t gpa)
{
	int err;
	struct virtq *vq = queue_for_setup(vd, idx, &err);

	if (!vq)
		return err;
	/* Checked against RAM and alignment when the queue goes live. */
	switch (area) {
	case VIRTIO_QUEUE_DESC:
		vq->desc_gpa = gpa;
		return 0;
	case VIRTIO_QUEUE_DRIVER:
		vq->driver_gpa = gpa;
		return 0;
	case VIRTIO_QUEUE_DEVICE:
		vq->device_gpa = gpa;
		return 0;
	}
	return -EINVAL;
}

int virtio_queue_enable(struct virtio_dev *vd, uint16_t idx)
{
	struct virtq *vq = virtio_queue(vd, idx);

	if (!vq)
		return -EINVAL;
	if (vq->enabled)
		return 0;
	vq->enabled = true;
	/* Before DRIVER_OK the queue waits for activate() in virtio.c. */
	if (!(virtio_get_status(vd) & VIRTIO_CONFIG_S_DRIVER_OK))
		return 0;
	if (vq_activate(vq) < 0) {
		virtio_dev_needs_reset(vd);
		return -EFAULT;
	}
	/* The queue is the device's again (say, back from a queue reset):
	 * tell it as a kick would, since a kick on the device's own kick fd
	 * never reaches queue_notify. */
	if (vd->ops->queue_notify)
		vd->ops->queue_notify(vd, vq);
	return 0;
}

bool virtio_queue_enabled(const struct virtio_dev *vd, uint16_t idx)
{
	const struct virtq *vq = cqueue(vd, idx);

	return vq && vq->enabled;
}

int virtio_queue_reset(struct virtio_dev *vd, uint16_t idx)
{
	struct virtq *vq = virtio_queue(vd, idx);

	if (!vq)
		return -EINVAL;
	if (!virtio_has_feature(vd, VIRTIO_F_RING_RESET)) {
		log_guest("virtio %s: queue %u reset without RING_RESET",
			  vd->name, idx);
		return -EPERM;
	}
	/* The device lets go of the queue before it forgets its state. */
	if (vd->ops->queue_reset)
		vd->ops->queue_reset(vd, vq);
	vq_reset(vq);
	return 0;
}

int virtio_queue_kick(struct virtio_dev *vd, uint16_t idx)
{
	struct virtq *vq = virtio_queue(vd, idx);

	if (!vq) {
		log_guest("virtio %s: notification for queue %u, which does "
			  "not exist",
			  vd->name, idx);
		return -EINVAL;
	}
	vq->nr_kicks++;
	/* §2.1.2: nothing is consumed before DRIVER_OK (vq_live says so). */
	if (vq_live(vq) && vd->ops->queue_notify)
		vd->ops->queue_notify(vd, vq);
	return 0;
}

int virtio_queue_kick_fd(struct virtio_dev *vd, uint16_t idx)
{
	if (idx >= vd->num_queues || !vd->ops->queue_kick_fd)
		return -1;
	return vd->ops->queue_kick_fd(vd, idx);
}

int virtio_queue_kick_data(struct virtio_dev *vd, uint32_t data)
{
	uint16_t idx = data & 0xffff;
	struct virtq *vq = virtio_queue(vd, idx);

	/* Only a hint: the ring in memory stays the authority, so all we do
	 * is record it for devices and tests that want to look. */
	if (vq && virtio_has_feature(vd, VIRTIO_F_NOTIFICATION_DATA)) {
		vq->kick_has_data = true;
		vq->kick_next = data >> 16;
	}
	return virtio_queue_kick(vd, idx);
}
