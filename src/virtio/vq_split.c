/* vq_split: the device side of split virtqueues.
 *
 * virtio 1.3 §2.7 Split Virtqueues: descriptor table, available ring, used
 * ring (§2.7.5-§2.7.8), indirect tables (§2.7.5.3), used buffer and
 * available buffer notification suppression with and without EVENT_IDX
 * (§2.7.7, §2.7.10). Barriers name their partner in Linux virtio_ring.c.
 */
#include <errno.h>

#include "log.h"
#include "vq_internal.h"

/* Where the EVENT_IDX fields live: after the last entry of the other ring. */
static uint16_t *used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event(struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

int vq_split_map(struct virtq *vq)
{
	/* Sizes from §2.7 table: the event fields always count. */
	size_t n = vq->size;
	size_t desc_len = sizeof(struct vring_desc) * n;
	size_t avail_len =
		sizeof(struct vring_avail) + sizeof(uint16_t) * (n + 1);
	size_t used_len = sizeof(struct vring_used) +
			  sizeof(struct vring_used_elem) * n + sizeof(uint16_t);

	if (n & (n - 1)) {
		log_guest("virtio %s: queue %u: split ring size %u is not a "
			  "power of 2",
			  vq->vd->name, vq->index, vq->size);
		return -EINVAL;
	}
	vq->desc = vq_map_area(vq, vq->desc_gpa, desc_len,
			       VRING_DESC_ALIGN_SIZE, "descriptor table");
	vq->avail = vq_map_area(vq, vq->driver_gpa, avail_len,
				VRING_AVAIL_ALIGN_SIZE, "available ring");
	vq->used = vq_map_area(vq, vq->device_gpa, used_len,
			       VRING_USED_ALIGN_SIZE, "used ring");
	return vq->desc && vq->avail && vq->used ? 0 : -EFAULT;
}

/* An indirect table (§2.7.5.3): its own next links, bounded by its size. */
static void walk_indirect(struct virtq *vq, struct vq_req *req,
			  const struct vring_desc *ind)
{
	const struct vring_desc *table;
	struct vring_desc d;
	uint32_t n, i = 0;
	uint16_t flags;

	table = vq_req_indirect_table(req, le64toh(ind->addr),
				      le32toh(ind->len), &n);
	for (uint32_t steps = 0; table && !req->err; steps++) {
		if (steps == n) {
			vq_req_fail(req, "loop in indirect table");
			return;
		}
		vq_snapshot(&d, &table[i], sizeof(d));
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			vq_req_fail(req, "nested indirect table");
			return;
		}
		vq_req_add_seg(req, le64toh(d.addr), le32toh(d.len),
			       flags & VRING_DESC_F_WRITE);
		if (!(flags & VRING_DESC_F_NEXT))
			return;
		i = le16toh(d.next);
		if (i >= n)
			vq_req_fail(req, "next out of range in indirect table");
	}
}

/* One descriptor of the main chain. Unknown flag bits are ignored: they are
 * reserved, and a feature that gives them meaning must be negotiated. */
static void take_desc(struct virtq *vq, struct vq_req *req,
		      const struct vring_desc *d, uint16_t flags)
{
	if (!(flags & VRING_DESC_F_INDIRECT)) {
		vq_req_add_seg(req, le64toh(d->addr), le32toh(d->len),
			       flags & VRING_DESC_F_WRITE);
		return;
	}
	/* WRITE on the pointer to a table is ignored (§2.7.5.3.2). */
	if (flags & VRING_DESC_F_NEXT)
		vq_req_fail(req, "indirect descriptor with NEXT");
	else
		walk_indirect(vq, req, d);
}

/* Walks the chain from head. A malformed link breaks the ring (-EIO);
 * anything else only fails the request (req->err). */
static int walk_chain(struct virtq *vq, struct vq_req *req, uint16_t head)
{
	struct vring_desc d;
	uint16_t i = head, flags;

	for (uint32_t n = 1;; n++) {
		if (n > vq->size)
			return vq_ring_error(vq, "chain from %u loops", head);
		vq_snapshot(&d, &vq->desc[i], sizeof(d));
		flags = le16toh(d.flags);
		take_desc(vq, req, &d, flags);
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
		if (i >= vq->size)
			return vq_ring_error(vq, "next %u out of range", i);
	}
}

int vq_split_pop(struct virtq *vq, struct vq_req *req)
{
	uint16_t avail_idx, head;
	int r;

	/* Pairs with virtio_wmb() in virtqueue_add_split(): the ring entry and
	 * descriptors written before avail->idx are visible after this. */
	avail_idx = vq_load16(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->size)
		return vq_ring_error(vq, "available index jumped from %u to %u",
				     vq->last_avail, avail_idx);
	/* Each buffer holds a descriptor until used: never more than size. */
	if ((uint16_t)(avail_idx - vq->used_idx) > vq->size)
		return vq_ring_error(vq, "more in flight than the ring");
	head = vq_load16(&vq->avail->ring[vq->last_avail & (vq->size - 1)],
			 __ATOMIC_RELAXED);
	if (head >= vq->size)
		return vq_ring_error(vq, "head %u out of range", head);
	vq_req_begin(vq, req);
	req->id = head;
	req->ndescs = 1;
	r = walk_chain(vq, req, head);
	if (r < 0)
		return r;
	vq->last_avail++;
	return req->err ? -EINVAL : 1;
}

void vq_split_fill(struct virtq *vq, uint16_t id, uint32_t len)
{
	vring_used_elem_t *e = &vq->used->ring[vq->used_idx & (vq->size - 1)];

	/* Ordered before used->idx by the release in vq_split_publish(). */
	__atomic_store_n(&e->id, htole32(id), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	vq->unflushed++;
}

void vq_split_publish(struct virtq *vq)
{
	/* Pairs with virtio_rmb() in virtqueue_get_buf_ctx_split(): the driver
	 * reads used entries only after it sees the new used->idx. */
	vq_store16(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

bool vq_split_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, new = vq->used_idx;

	/* old starts equal to used_idx at activation, so it is always the
	 * exact index of our previous decision. */
	vq->signalled_used = new;
	/* Pairs with virtio_mb() in virtqueue_poll() (after the driver writes
	 * used_event or avail->flags in virtqueue_enable_cb_prepare_split()):
	 * store used->idx, full fence, load the driver's wish; the driver
	 * stores its wish, fences, loads used->idx. One of us sees the other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(vq_load16(&vq->avail->flags, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	return vring_need_event(vq_load16(used_event(vq), __ATOMIC_RELAXED),
				new, old);
}

void vq_split_set_kicks(struct virtq *vq, bool enable)
{
	/* With EVENT_IDX used->flags stays 0 (§2.7.10) and "disabled" just
	 * means leaving avail_event behind: the driver kicks only when it
	 * crosses the index we name here. The caller fences after enabling. */
	if (vq->event_idx) {
		if (enable)
			vq_store16(avail_event(vq), vq->last_avail,
				   __ATOMIC_RELAXED);
		return;
	}
	vq_store16(&vq->used->flags, enable ? 0 : VRING_USED_F_NO_NOTIFY,
		   __ATOMIC_RELAXED);
}
