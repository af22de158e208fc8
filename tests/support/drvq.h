/* drvq: the driver's side of a virtqueue, as Linux's virtio_ring.c does it.
 *
 * virtio 1.3 §2.7.13 / §2.8.21 (supplying buffers, receiving used buffers)
 * seen from the guest: lays out a split or packed ring in guest_ram, adds
 * direct or indirect chains, decides whether to kick and harvests used
 * buffers, honouring event suppression. It checks what the device wrote
 * (ids, lengths, flags) and fails the test on a device bug.
 */
#ifndef VMM_TEST_DRVQ_H
#define VMM_TEST_DRVQ_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#include "guest_ram.h"

/* Longest chain drvq_add puts in an indirect table. */
#define DRVQ_MAX_INDIRECT 32

/* One buffer of a chain: device-readable ones must come first. */
struct drvq_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* Per head (split) or buffer id (packed): what the driver remembers. */
struct drvq_state {
	void *token;   /* NULL: free */
	uint16_t num;  /* descriptors it holds in the ring / table */
	uint32_t wlen; /* device-writable bytes offered */
};

struct drvq {
	struct guest_ram *ram;
	uint16_t index, size;
	bool packed, event_idx, indirect_ok, notify_data;
	uint64_t desc_gpa, driver_gpa, device_gpa;
	uint64_t indirect_gpa; /* one table of DRVQ_MAX_INDIRECT per head/id */

	struct vring split; /* host pointers: desc, avail, used */
	struct vring_packed_desc *pdesc;
	struct vring_packed_desc_event *driver_evt, *device_evt;

	uint16_t num_free, free_head, num_added;
	uint16_t last_used;
	bool used_wrap;
	uint16_t avail_idx; /* split: shadow of avail->idx */
	uint16_t avail_flags_shadow;
	uint16_t next_avail; /* packed */
	bool avail_wrap;
	uint16_t event_flags_shadow;

	uint16_t *next; /* free list: descriptors (split) or ids (packed) */
	struct drvq_state *state;
};

/* Lays out a ring of size entries for queue index in ram. features are the
 * negotiated ones: RING_PACKED picks the format; EVENT_IDX, INDIRECT_DESC and
 * NOTIFICATION_DATA change behaviour like in Linux. */
void drvq_init(struct drvq *q, struct guest_ram *ram, uint16_t index,
	       uint16_t size, uint64_t features);
void drvq_destroy(struct drvq *q);

/* Makes bufs[0..n) available as one buffer. With indirect (and the feature)
 * it goes through an indirect table. Returns 0, or -ENOSPC when the ring is
 * full. token comes back from drvq_get_used and must not be NULL. */
int drvq_add(struct drvq *q, const struct drvq_buf *bufs, unsigned int n,
	     bool indirect, void *token);

/* virtqueue_kick_prepare(): true if the device asked to be notified of what
 * was added since the last call. */
bool drvq_kick_prepare(struct drvq *q);
/* The value a driver writes to the notify register (§2.9). */
uint32_t drvq_notify_value(const struct drvq *q);

/* Next used buffer: its token, and *len the bytes the device wrote. NULL if
 * none. Fails the test if the device returned a bad id or length. */
void *drvq_get_used(struct drvq *q, uint32_t *len);

/* virtqueue_disable_cb() / virtqueue_enable_cb(): enable returns true if
 * used buffers arrived meanwhile (the caller must harvest them). */
void drvq_disable_cb(struct drvq *q);
bool drvq_enable_cb(struct drvq *q);

/* Raw access for adversarial tests: craft descriptors by hand. */
struct vring_desc *drvq_split_desc(struct drvq *q, uint16_t i);
/* Puts head in the next avail slot and advances avail->idx, no checks. */
void drvq_split_publish(struct drvq *q, uint16_t head);
/* Writes a packed descriptor at pos; flags go last, with a release. */
void drvq_packed_put(struct drvq *q, uint16_t pos, uint64_t addr, uint32_t len,
		     uint16_t id, uint16_t flags);
/* AVAIL/USED bits that make a descriptor available in lap `wrap`. */
uint16_t drvq_packed_avail_bits(bool wrap);

#endif
