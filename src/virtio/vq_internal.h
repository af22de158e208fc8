/* vq_internal: what the queue files of src/virtio share; not for devices.
 *
 * virtio 1.3 §2.7 (split) and §2.8 (packed) behind one set of hooks, plus
 * the request builder both ring walkers feed (§2.7.4 Message Framing).
 * Nothing outside src/virtio includes this file.
 */
#ifndef VMM_VIRTIO_VQ_INTERNAL_H
#define VMM_VIRTIO_VQ_INTERNAL_H

#include <endian.h>
#include <string.h>

#include "virtio.h"

/* Copies a guest structure (a descriptor) into host memory exactly once.
 * The compiler barrier stops the compiler from re-reading guest memory
 * later instead of using the copy: the guest may change it at any time,
 * and everything we validate must be the thing we use. */
static inline void vq_snapshot(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* 16-bit ring fields: single aligned loads and stores (alignment checked at
 * activation), little-endian as every modern virtio field. */
static inline uint16_t vq_load16(const uint16_t *p, int order)
{
	return le16toh(__atomic_load_n(p, order));
}

static inline void vq_store16(uint16_t *p, uint16_t v, int order)
{
	__atomic_store_n(p, htole16(v), order);
}

/* Marks the queue broken, logs why (rate-limited) and sets the device's
 * DEVICE_NEEDS_RESET. Returns -EIO for the caller to pass up. */
int vq_ring_error(struct virtq *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Translates one ring area at activation: NULL (and a log line) unless
 * gpa is aligned and [gpa, gpa + len) is guest RAM. */
void *vq_map_area(struct virtq *vq, uint64_t gpa, size_t len, size_t align,
		  const char *what);

/* Request building (vq_req.c). vq_req_begin clears the request;
 * vq_req_add_seg checks one buffer and appends it; vq_req_fail records the
 * first reason a request is invalid (later segments are then ignored). */
void vq_req_begin(struct virtq *vq, struct vq_req *req);
void vq_req_fail(struct vq_req *req, const char *why);
void vq_req_add_seg(struct vq_req *req, uint64_t gpa, uint32_t len,
		    bool writable);
/* Checks an indirect table's shape and translates it; NULL (and the request
 * failed) if it is unusable. *n gets the number of entries. */
const void *vq_req_indirect_table(struct vq_req *req, uint64_t gpa,
				  uint32_t len, uint32_t *n);

/* Ring formats (vq_split.c, vq_packed.c). pop returns 1, 0 (empty), -EIO
 * (ring broken) or -EINVAL: the request is malformed but delimited, and
 * req->id / req->ndescs say what to complete with length 0. */
int vq_split_map(struct virtq *vq);
int vq_split_pop(struct virtq *vq, struct vq_req *req);
void vq_split_fill(struct virtq *vq, uint16_t id, uint32_t len);
void vq_split_publish(struct virtq *vq);
bool vq_split_should_notify(struct virtq *vq);
void vq_split_set_kicks(struct virtq *vq, bool enable);

int vq_packed_map(struct virtq *vq);
int vq_packed_pop(struct virtq *vq, struct vq_req *req);
void vq_packed_fill(struct virtq *vq, uint16_t id, uint16_t ndescs,
		    uint32_t len);
bool vq_packed_should_notify(struct virtq *vq);
void vq_packed_set_kicks(struct virtq *vq, bool enable);

/* Queue life cycle (vq.c): go live at DRIVER_OK / enable, and back to the
 * default state on a device or queue reset. */
int vq_activate(struct virtq *vq);
void vq_reset(struct virtq *vq);

#endif
