/* vq: the ring-format-neutral half of a virtqueue.
 *
 * virtio 1.3 §2.6 Virtqueues: vq_pop with available buffer notification
 * suppression, vq_push with the IN_ORDER completion window (§2.7.9, §2.8.8:
 * "buffers are used in the order they were made available"), vq_flush with
 * the used buffer notification decision, and a queue's life cycle (§2.6.1).
 * The formats themselves are in vq_split.c and vq_packed.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "vq_internal.h"

void *vq_map_area(struct virtq *vq, uint64_t gpa, size_t len, size_t align,
		  const char *what)
{
	void *hva = NULL;

	if (gpa % align == 0)
		hva = gmem_ptr(vq->vd->mem, gpa, len);
	if (!hva)
		log_guest("virtio %s: queue %u: %s at %#llx (%zu bytes) is "
			  "misaligned or not in RAM",
			  vq->vd->name, vq->index, what,
			  (unsigned long long)gpa, len);
	return hva;
}

int vq_ring_error(struct virtq *vq, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_guest("virtio %s: queue %u: %s; device needs reset", vq->vd->name,
		  vq->index, why);
	vq->broken = true;
	virtio_dev_needs_reset(vq->vd);
	return -EIO;
}

static void set_kicks(struct virtq *vq, bool enable)
{
	if (vq->packed)
		vq_packed_set_kicks(vq, enable);
	else
		vq_split_set_kicks(vq, enable);
	vq->kicks_on = enable;
}

/* Pops one chain and gives it its place in the IN_ORDER window. */
static int take(struct virtq *vq, struct vq_req *req)
{
	int r = vq->packed ? vq_packed_pop(vq, req) : vq_split_pop(vq, req);

	if (r == 1 || r == -EINVAL) {
		req->wseg = req->nr_readable;
		req->slot = vq->pop_slot;
		if (++vq->pop_slot == vq->size)
			vq->pop_slot = 0;
	}
	return r;
}

static void fail_request(struct virtq *vq, struct vq_req *req)
{
	log_guest("virtio %s: queue %u: dropping request %u: %s", vq->vd->name,
		  vq->index, req->id, req->err);
	vq->nr_failed++;
	vq_push(vq, req, 0);
}

int vq_pop(struct virtq *vq, struct vq_req *req)
{
	unsigned int failed = 0;
	int r;

	while (vq_live(vq)) {
		r = take(vq, req);
		if (r == -EINVAL) {
			fail_request(vq, req);
			/* Bound the work one call does for a hostile guest. */
			if (++failed == vq->size)
				break;
			continue;
		}
		if (r < 0)
			return r;
		if (r == 1) {
			if (vq->kicks_on)
				set_kicks(vq, false);
			return 1;
		}
		if (vq->kicks_on)
			break;
		set_kicks(vq, true);
		/* Pairs with virtio_mb() in virtqueue_kick_prepare_split() and
		 * _packed(): we store "kick me" then look at the ring again;
		 * the driver stores a new buffer then looks at our wish. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	if (failed)
		vq_flush(vq);
	return vq->broken ? -EIO : 0;
}

static void fill(struct virtq *vq, uint16_t id, uint16_t ndescs, uint32_t len)
{
	if (vq->packed)
		vq_packed_fill(vq, id, ndescs, len);
	else
		vq_split_fill(vq, id, len);
}

/* Park the completion in its slot, then write out every completion from
 * the oldest outstanding one on, in pop order. */
static void push_in_order(struct virtq *vq, struct vq_req *req, uint32_t len)
{
	struct vq_done *d = &vq->done[req->slot];

	*d = (struct vq_done){req->id, req->ndescs, len, true};
	for (d = &vq->done[vq->done_head]; d->pending;
	     d = &vq->done[vq->done_head]) {
		d->pending = false;
		fill(vq, d->id, d->ndescs, d->len);
		if (++vq->done_head == vq->size)
			vq->done_head = 0;
	}
}

void vq_push(struct virtq *vq, struct vq_req *req, uint32_t written)
{
	if (!vq || req->vq != vq || req->epoch != vq->epoch || !vq_live(vq))
		return;
	req->vq = NULL;
	if (written > req->writable_len)
		written = req->writable_len;
	if (vq->in_order)
		push_in_order(vq, req, written);
	else
		fill(vq, req->id, req->ndescs, written);
}

void vq_flush(struct virtq *vq)
{
	const struct virtio_transport *t = vq->vd->transport;
	bool notify;

	if (!vq_live(vq) || !vq->unflushed)
		return;
	if (vq->packed) {
		notify = vq_packed_should_notify(vq);
	} else {
		vq_split_publish(vq);
		notify = vq_split_should_notify(vq);
	}
	vq->unflushed = 0;
	if (!notify)
		return;
	vq->nr_notified++;
	if (t && t->notify_used)
		t->notify_used(vq->vd, vq);
}

void vq_complete(struct virtq *vq, struct vq_req *req)
{
	vq_push(vq, req, req->written);
	vq_flush(vq);
}

/* Both formats start with every index 0 and both wrap counters 1 (§2.8.1). */
static void clear_ring_state(struct virtq *vq)
{
	vq->last_avail = vq->used_idx = 0;
	vq->avail_wrap = vq->used_wrap = true;
	vq->inflight = 0;
	vq->kicks_on = false;
	vq->signalled_used = 0;
	vq->unflushed = 0;
	vq->pop_slot = vq->done_head = 0;
	for (uint16_t i = 0; i < vq->max_size; i++)
		vq->done[i].pending = false;
}

int vq_activate(struct virtq *vq)
{
	struct virtio_dev *vd = vq->vd;
	int r;

	vq->packed = virtio_has_feature(vd, VIRTIO_F_RING_PACKED);
	vq->event_idx = virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = virtio_has_feature(vd, VIRTIO_RING_F_INDIRECT_DESC);
	vq->in_order = virtio_has_feature(vd, VIRTIO_F_IN_ORDER);
	r = vq->packed ? vq_packed_map(vq) : vq_split_map(vq);
	if (r < 0)
		return r;
	clear_ring_state(vq);
	set_kicks(vq, true);
	vq->ready = true;
	return 0;
}

void vq_reset(struct virtq *vq)
{
	vq->epoch++;
	vq->ready = vq->broken = vq->enabled = false;
	vq->size = vq->max_size;
	vq->desc_gpa = vq->driver_gpa = vq->device_gpa = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->pdesc = NULL;
	vq->driver_evt = vq->device_evt = NULL;
	vq->kick_has_data = false;
	vq->kick_next = 0;
	clear_ring_state(vq);
}
