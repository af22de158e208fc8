/* vq_packed: the device side of packed virtqueues.
 *
 * virtio 1.3 §2.8 Packed Virtqueues: one descriptor ring shared by driver
 * and device, AVAIL/USED flags against wrap counters (§2.8.1), chains and
 * buffer ids (§2.8.6), indirect tables (§2.8.7), event suppression
 * (§2.8.10, §2.8.14). Barriers name their partner in Linux virtio_ring.c.
 */
#include <errno.h>

#include "log.h"
#include "vq_internal.h"

#define DESC_F_AVAIL (1 << VRING_PACKED_DESC_F_AVAIL)
#define DESC_F_USED  (1 << VRING_PACKED_DESC_F_USED)
#define EVENT_WRAP   (1 << VRING_PACKED_EVENT_F_WRAP_CTR)

/* Available: AVAIL matches the wrap counter and USED does not (§2.8.1). */
static bool desc_is_avail(uint16_t flags, bool wrap)
{
	return !!(flags & DESC_F_AVAIL) == wrap &&
	       !!(flags & DESC_F_USED) != wrap;
}

int vq_packed_map(struct virtq *vq)
{
	/* §2.8.10.1: ring 16-aligned, each event structure 4-aligned (its own
	 * size). Any size up to 2^15 is fine, not only powers of 2. */
	size_t evt = sizeof(struct vring_packed_desc_event);

	vq->pdesc = vq_map_area(vq, vq->desc_gpa,
				sizeof(struct vring_packed_desc) * vq->size,
				VRING_DESC_ALIGN_SIZE, "descriptor ring");
	vq->driver_evt = vq_map_area(vq, vq->driver_gpa, evt, evt,
				     "driver event suppression");
	vq->device_evt = vq_map_area(vq, vq->device_gpa, evt, evt,
				     "device event suppression");
	return vq->pdesc && vq->driver_evt && vq->device_evt ? 0 : -EFAULT;
}

/* An indirect table (§2.8.7): consecutive entries, no links. Only WRITE
 * means anything inside it; the other flags and the id are ignored. */
static void walk_indirect(struct virtq *vq, struct vq_req *req,
			  const struct vring_packed_desc *ind)
{
	const struct vring_packed_desc *table;
	struct vring_packed_desc d;
	uint32_t n;

	table = vq_req_indirect_table(req, le64toh(ind->addr),
				      le32toh(ind->len), &n);
	for (uint32_t i = 0; table && i < n && !req->err; i++) {
		vq_snapshot(&d, &table[i], sizeof(d));
		vq_req_add_seg(req, le64toh(d.addr), le32toh(d.len),
			       le16toh(d.flags) & VRING_DESC_F_WRITE);
	}
}

/* The nth descriptor (from 1) of a chain; flags were read with its
 * availability check and are not read again. */
static void take_desc(struct virtq *vq, struct vq_req *req,
		      const struct vring_packed_desc *d, uint16_t flags,
		      uint32_t n)
{
	req->id = le16toh(d->id); /* the last descriptor's id wins */
	if (!(flags & VRING_DESC_F_INDIRECT)) {
		vq_req_add_seg(req, le64toh(d->addr), le32toh(d->len),
			       flags & VRING_DESC_F_WRITE);
		return;
	}
	/* An indirect descriptor stands alone (§2.8.19); its WRITE bit is
	 * ignored. The chain is still delimited, so only the request fails. */
	if (n > 1 || (flags & VRING_DESC_F_NEXT))
		vq_req_fail(req, "indirect descriptor inside a chain");
	else
		walk_indirect(vq, req, d);
}

/* Walks the chain at last_avail. Every element must itself be available in
 * the lap it sits in (§2.8.6: flags are valid on each one); one that is not
 * means the driver published a partial chain, which breaks the ring. */
static int walk_chain(struct virtq *vq, struct vq_req *req, uint16_t flags)
{
	uint16_t pos = vq->last_avail;
	bool wrap = vq->avail_wrap;
	struct vring_packed_desc d;

	for (uint32_t n = 1;; n++) {
		vq_snapshot(&d, &vq->pdesc[pos], sizeof(d));
		take_desc(vq, req, &d, flags, n);
		if (!(flags & VRING_DESC_F_NEXT)) {
			req->ndescs = n;
			return 0;
		}
		if (n == vq->size)
			return vq_ring_error(vq, "chain longer than the ring");
		if (++pos == vq->size) {
			pos = 0;
			wrap = !wrap;
		}
		/* Ordered by the acquire on the head's flags in vq_packed_pop:
		 * the driver wrote the whole chain before the head. */
		flags = vq_load16(&vq->pdesc[pos].flags, __ATOMIC_RELAXED);
		if (!desc_is_avail(flags, wrap))
			return vq_ring_error(
				vq, "chain hits unavailable slot %u", pos);
	}
}

int vq_packed_pop(struct virtq *vq, struct vq_req *req)
{
	uint16_t flags;
	int r;

	/* Pairs with virtio_wmb() in virtqueue_add_packed() before it stores
	 * the head's flags: the chain behind the head is visible after this. */
	flags = vq_load16(&vq->pdesc[vq->last_avail].flags, __ATOMIC_ACQUIRE);
	if (!desc_is_avail(flags, vq->avail_wrap))
		return 0;
	vq_req_begin(vq, req);
	r = walk_chain(vq, req, flags);
	if (r < 0)
		return r;
	/* The driver owns size ring slots; it cannot have more out. */
	if (vq->inflight + req->ndescs > vq->size)
		return vq_ring_error(vq, "more in flight than the ring");
	vq->inflight += req->ndescs;
	vq->last_avail += req->ndescs;
	if (vq->last_avail >= vq->size) {
		vq->last_avail -= vq->size;
		vq->avail_wrap = !vq->avail_wrap;
	}
	return req->err ? -EINVAL : 1;
}

void vq_packed_fill(struct virtq *vq, uint16_t id, uint16_t ndescs,
		    uint32_t len)
{
	struct vring_packed_desc *d = &vq->pdesc[vq->used_idx];
	uint16_t flags = vq->used_wrap ? DESC_F_AVAIL | DESC_F_USED : 0;

	/* WRITE in a used descriptor: "the device wrote data" (§2.8.3). */
	if (len)
		flags |= VRING_DESC_F_WRITE;
	__atomic_store_n(&d->id, htole16(id), __ATOMIC_RELAXED);
	__atomic_store_n(&d->len, htole32(len), __ATOMIC_RELAXED);
	/* Pairs with virtio_rmb() in virtqueue_get_buf_ctx_packed(): the
	 * driver reads id and len only after it sees these flags. */
	vq_store16(&d->flags, flags, __ATOMIC_RELEASE);
	/* The next used descriptor goes after the whole chain (§2.8.6). */
	vq->used_idx += ndescs;
	if (vq->used_idx >= vq->size) {
		vq->used_idx -= vq->size;
		vq->used_wrap = !vq->used_wrap;
	}
	vq->inflight -= ndescs;
	vq->unflushed += ndescs;
}

/* RING_EVENT_FLAGS_DESC: was the descriptor at off_wrap used since the last
 * decision? Positions are unwrapped around the current lap: the previous
 * lap counts as negative, so vring_need_event() can compare them. */
static bool desc_event_hit(struct virtq *vq, uint16_t off_wrap, uint16_t new,
			   uint16_t old)
{
	uint16_t off = off_wrap & ~EVENT_WRAP;

	if (!!(off_wrap & EVENT_WRAP) != vq->used_wrap)
		off -= vq->size;
	return vring_need_event(off, new, old);
}

bool vq_packed_should_notify(struct virtq *vq)
{
	uint16_t new = vq->used_idx, old = new - vq->unflushed;
	uint16_t flags;

	/* Pairs with virtio_mb() in virtqueue_poll(): we store used flags then
	 * load the driver's event structure; the driver stores that structure
	 * then loads the used flags. The full fence keeps one of us honest. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Acquire pairs with virtio_wmb() in
	 * virtqueue_enable_cb_prepare_packed() between its off_wrap and flags
	 * stores. */
	flags = vq_load16(&vq->driver_evt->flags, __ATOMIC_ACQUIRE) & 0x3;
	if (flags == VRING_PACKED_EVENT_FLAG_DISABLE)
		return false;
	/* ENABLE, the reserved value 3, or DESC without EVENT_IDX: notify.
	 * So do we if more than a lap went by since the last decision: one
	 * wrap bit cannot tell which lap the event is in. Drivers must cope
	 * with spurious notifications, not with missing ones. */
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx ||
	    vq->unflushed > vq->size)
		return true;
	return desc_event_hit(
		vq, vq_load16(&vq->driver_evt->off_wrap, __ATOMIC_RELAXED), new,
		old);
}

void vq_packed_set_kicks(struct virtq *vq, bool enable)
{
	uint16_t flags = VRING_PACKED_EVENT_FLAG_DISABLE;

	if (enable && vq->event_idx) {
		/* "Kick me when you make the descriptor at last_avail
		 * available." The driver reads off_wrap and flags as one
		 * 32-bit word in virtqueue_kick_prepare_packed(). */
		vq_store16(&vq->device_evt->off_wrap,
			   vq->last_avail | (vq->avail_wrap ? EVENT_WRAP : 0),
			   __ATOMIC_RELAXED);
		flags = VRING_PACKED_EVENT_FLAG_DESC;
	} else if (enable) {
		flags = VRING_PACKED_EVENT_FLAG_ENABLE;
	}
	vq_store16(&vq->device_evt->flags, flags, __ATOMIC_RELEASE);
}
