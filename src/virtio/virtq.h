/* virtq: the virtqueue API devices use, for split and packed rings alike.
 *
 * virtio 1.3 §2.7 Split Virtqueues, §2.8 Packed Virtqueues. A device pops a
 * request, reads its device-readable part, writes its device-writable part,
 * pushes it back and flushes; it never sees a descriptor or a guest address.
 * Depends on src/kvm (gmem, log); the rest of the core is in virtio.h.
 */
#ifndef VMM_VIRTIO_VIRTQ_H
#define VMM_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

struct virtio_dev;

/* Most segments one request may have. A longer chain (legal up to the queue
 * size) fails that request. 256 covers every Linux driver we care about:
 * virtio-blk asks seg_max (devices advertise at most this minus 2), and
 * virtio-net uses at most MAX_SKB_FRAGS + 2. At 16 bytes a segment the array
 * is 4 KiB, so a vq_req can live on a thread's stack. */
#define VQ_REQ_MAX_SEGS 256

/* One request (a descriptor chain) as the device sees it: translated host
 * segments, device-readable ones first, plus two cursors. Filled by vq_pop;
 * owned by the caller, who may keep it as long as it likes before vq_push.
 * The segments point into guest RAM: the guest may change the bytes at any
 * time, so copy a header out (vq_req_read) before checking it. */
struct vq_req {
	struct virtq *vq; /* NULL once pushed */
	uint32_t epoch;	  /* the queue's epoch at pop time (see virtq) */
	uint16_t id;	  /* split: head index; packed: buffer id */
	uint16_t ndescs;  /* ring slots the chain occupies (packed) */
	uint16_t slot;	  /* position in the IN_ORDER completion window */
	uint16_t nr_segs;
	uint16_t nr_readable; /* seg[0, nr_readable) are device-readable */
	uint32_t readable_len;
	uint32_t writable_len;
	const char *err; /* why the request is malformed, NULL if it is not */

	/* Cursors: next unread / unwritten byte. */
	uint16_t rseg, wseg;
	uint32_t roff, woff;
	uint32_t written; /* bytes vq_req_write copied or _iov handed out */

	struct iovec seg[VQ_REQ_MAX_SEGS];
};

/* IN_ORDER completion window entry: a request completed out of order waits
 * here until every request popped before it has completed. */
struct vq_done {
	uint16_t id;
	uint16_t ndescs;
	uint32_t len;
	bool pending;
};

/* One virtqueue. Transports configure it through virtio_queue_*() (in
 * virtio.h); devices only pass it to vq_*() and may read index and priv. */
struct virtq {
	struct virtio_dev *vd;
	uint16_t index;
	uint16_t max_size;
	void *priv; /* the device's, untouched by the core */

	/* Written by the driver through the transport. */
	uint16_t size;
	bool enabled;
	uint64_t desc_gpa, driver_gpa, device_gpa;

	/* Fixed when the queue goes live (enabled and DRIVER_OK). */
	bool ready;  /* rings translated, requests may be processed */
	bool broken; /* the ring was malformed; stopped until reset */
	bool packed, event_idx, indirect, in_order;
	uint32_t epoch; /* bumped by every reset: stale requests are dropped */

	/* Host pointers to the rings, translated once at activation. */
	struct vring_desc *desc; /* split descriptor table */
	struct vring_avail *avail;
	struct vring_used *used;
	struct vring_packed_desc *pdesc; /* packed descriptor ring */
	struct vring_packed_desc_event *driver_evt, *device_evt;

	/* Device-side ring state. Split: free-running 16-bit indexes.
	 * Packed: positions in [0, size) plus wrap counters. */
	uint16_t last_avail;
	bool avail_wrap;
	uint16_t used_idx;
	bool used_wrap;
	uint16_t inflight; /* packed: ring slots popped but not yet used */
	bool kicks_on;	   /* we last asked the driver for kicks */
	uint16_t signalled_used; /* split: used_idx at the last decision */
	uint16_t unflushed;	 /* used entries (split) / slots (packed) since
				  * the last notification decision */

	/* IN_ORDER completion window, max_size entries. */
	struct vq_done *done;
	uint16_t pop_slot, done_head;

	/* NOTIFICATION_DATA: what the last kick said. */
	bool kick_has_data;
	uint16_t kick_next; /* split: avail idx; packed: off | wrap << 15 */

	/* Counters, for tests and debugging. */
	uint64_t nr_kicks, nr_failed, nr_notified;
};

/* Takes the next available request. Returns 1 and fills *req, 0 if the ring
 * is empty (or the queue is not live), -EIO if the ring is malformed: the
 * core has then set DEVICE_NEEDS_RESET and the queue stays stopped until the
 * driver resets it. A well-delimited but invalid request (bad address,
 * zero-length or misordered buffer, bad indirect table, ...) is completed by
 * the core with length 0 and skipped; the device never sees it.
 *
 * Kick suppression: while vq_pop returns 1 the driver is asked not to kick;
 * when it finds the ring empty it asks for kicks again and looks once more.
 * So a device should keep popping until 0 (or resume by itself later). */
int vq_pop(struct virtq *vq, struct vq_req *req);

/* Copies up to len bytes from the device-readable part at the read cursor
 * and advances it. Returns the bytes copied (less than len at the end). */
size_t vq_req_read(struct vq_req *req, void *dst, size_t len);

/* Copies up to len bytes into the device-writable part at the write cursor
 * and advances it. Returns the bytes copied (less than len at the end). */
size_t vq_req_write(struct vq_req *req, const void *src, size_t len);

/* Zero-copy variants: describe the next len bytes (at most) of the readable
 * or writable part as at most max iovecs and advance the cursor over them.
 * Return the number of iovecs; *got gets the bytes covered. */
unsigned int vq_req_read_iov(struct vq_req *req, struct iovec *iov,
			     unsigned int max, size_t len, size_t *got);
unsigned int vq_req_write_iov(struct vq_req *req, struct iovec *iov,
			      unsigned int max, size_t len, size_t *got);

/* Totals and what is left past the cursors. */
static inline uint32_t vq_req_readable(const struct vq_req *req)
{
	return req->readable_len;
}

static inline uint32_t vq_req_writable(const struct vq_req *req)
{
	return req->writable_len;
}

uint32_t vq_req_read_left(const struct vq_req *req);
uint32_t vq_req_write_left(const struct vq_req *req);

/* Returns the request to the driver, saying the device wrote `written`
 * bytes at the start of the device-writable part (clamped to its size: we
 * never over-report). Under IN_ORDER a request completed early is held back
 * until the ones popped before it are done. A request popped before a queue
 * or device reset is silently dropped; so is a second push of one request.
 * A split ring shows nothing to the driver before vq_flush; a packed ring
 * shows the used descriptor at once. Either way only vq_flush interrupts. */
void vq_push(struct virtq *vq, struct vq_req *req, uint32_t written);

/* Publishes everything pushed so far and interrupts the driver (the
 * transport's notify_used) only if its event index or suppression flags ask
 * for it. */
void vq_flush(struct virtq *vq);

/* vq_push(vq, req, req->written), then vq_flush: for devices that write
 * only through vq_req_write. */
void vq_complete(struct virtq *vq, struct vq_req *req);

/* True if the queue is live: processing allowed. */
static inline bool vq_live(const struct virtq *vq)
{
	return vq->ready && !vq->broken;
}

#endif
