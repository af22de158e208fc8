/* drvq: a guest driver's virtqueue in fake guest RAM (see drvq.h).
 *
 * Follows Linux drivers/virtio/virtio_ring.c step by step: the same layout,
 * the same free lists, the same order of stores and the same barriers, so a
 * device that passes here has met the driver it will meet in a real guest.
 */
#include "drvq.h"

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio.h"

#define BIT(n)	     (1ULL << (n))
#define DESC_F_AVAIL (1 << VRING_PACKED_DESC_F_AVAIL)
#define DESC_F_USED  (1 << VRING_PACKED_DESC_F_USED)
#define EVENT_WRAP   (1 << VRING_PACKED_EVENT_F_WRAP_CTR)
#define SPLIT_ALIGN  64 /* SMP_CACHE_BYTES, what virtio_pci_modern uses */
#define PAGE	     4096

static void mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void split_layout(struct drvq *q)
{
	size_t bytes = vring_size(q->size, SPLIT_ALIGN);
	uint64_t base = guest_ram_alloc(q->ram, bytes, PAGE);
	uint8_t *hva = guest_ram_ptr(q->ram, base, bytes);

	vring_init(&q->split, q->size, hva, SPLIT_ALIGN);
	q->desc_gpa = base;
	q->driver_gpa = base + ((uint8_t *)q->split.avail - hva);
	q->device_gpa = base + ((uint8_t *)q->split.used - hva);
}

static void packed_layout(struct drvq *q)
{
	size_t evt = sizeof(struct vring_packed_desc_event);

	/* Three separate allocations, like vring_alloc_queue_packed(). */
	q->desc_gpa = guest_ram_alloc(q->ram, 16 * q->size, PAGE);
	q->driver_gpa = guest_ram_alloc(q->ram, evt, PAGE);
	q->device_gpa = guest_ram_alloc(q->ram, evt, PAGE);
	q->pdesc = guest_ram_ptr(q->ram, q->desc_gpa, 16 * q->size);
	q->driver_evt = guest_ram_ptr(q->ram, q->driver_gpa, evt);
	q->device_evt = guest_ram_ptr(q->ram, q->device_gpa, evt);
	q->avail_wrap = q->used_wrap = true;
}

void drvq_init(struct drvq *q, struct guest_ram *ram, uint16_t index,
	       uint16_t size, uint64_t features)
{
	memset(q, 0, sizeof(*q));
	q->ram = ram;
	q->index = index;
	q->size = size;
	q->packed = features & BIT(VIRTIO_F_RING_PACKED);
	q->event_idx = features & BIT(VIRTIO_RING_F_EVENT_IDX);
	q->indirect_ok = features & BIT(VIRTIO_RING_F_INDIRECT_DESC);
	q->notify_data = features & BIT(VIRTIO_F_NOTIFICATION_DATA);
	if (q->packed)
		packed_layout(q);
	else
		split_layout(q);
	q->indirect_gpa = guest_ram_alloc(
		ram, (uint64_t)size * DRVQ_MAX_INDIRECT * 16, 16);
	q->next = calloc(size, sizeof(*q->next));
	q->state = calloc(size, sizeof(*q->state));
	ck_assert(q->next && q->state);
	for (uint16_t i = 0; i < size; i++)
		q->next[i] = i + 1;
	q->num_free = size;
}

void drvq_destroy(struct drvq *q)
{
	free(q->next);
	free(q->state);
	q->next = NULL;
	q->state = NULL;
}

/* Both formats' tables are 16-byte entries; split and packed differ only in
 * the last four bytes (flags/next vs id/flags). */
static void *indirect_table(struct drvq *q, uint16_t slot, unsigned int n,
			    uint64_t *gpa)
{
	*gpa = q->indirect_gpa + (uint64_t)slot * DRVQ_MAX_INDIRECT * 16;
	return guest_ram_ptr(q->ram, *gpa, n * 16);
}

static uint32_t writable_len(const struct drvq_buf *bufs, unsigned int n)
{
	uint32_t w = 0;

	for (unsigned int i = 0; i < n; i++)
		w += bufs[i].writable ? bufs[i].len : 0;
	return w;
}

/* ---- split (virtqueue_add_split and friends) ---- */

static void split_put(struct vring_desc *d, const struct drvq_buf *b,
		      uint16_t flags, uint16_t next)
{
	d->addr = htole64(b->gpa);
	d->len = htole32(b->len);
	d->flags = htole16(flags | (b->writable ? VRING_DESC_F_WRITE : 0));
	d->next = htole16(next);
}

static uint16_t split_fill(struct drvq *q, const struct drvq_buf *bufs,
			   unsigned int n, bool ind)
{
	uint16_t head = q->free_head, i = head;
	struct vring_desc *t;
	uint64_t tgpa;

	if (ind) {
		t = indirect_table(q, head, n, &tgpa);
		for (unsigned int k = 0; k < n; k++)
			split_put(&t[k], &bufs[k],
				  k + 1 < n ? VRING_DESC_F_NEXT : 0, k + 1);
		split_put(&q->split.desc[head],
			  &(struct drvq_buf){tgpa, n * 16, false},
			  VRING_DESC_F_INDIRECT, q->next[head]);
		q->free_head = q->next[head];
		return 1;
	}
	for (unsigned int k = 0; k < n; k++) {
		split_put(&q->split.desc[i], &bufs[k],
			  k + 1 < n ? VRING_DESC_F_NEXT : 0, q->next[i]);
		i = q->next[i];
	}
	q->free_head = i;
	return n;
}

static void split_add(struct drvq *q, const struct drvq_buf *bufs,
		      unsigned int n, bool ind, void *token)
{
	uint16_t head = q->free_head;
	uint16_t used = split_fill(q, bufs, n, ind);

	q->state[head] =
		(struct drvq_state){token, used, writable_len(bufs, n)};
	q->num_free -= used;
	q->split.avail->ring[q->avail_idx & (q->size - 1)] = htole16(head);
	/* virtio_wmb(): descriptors and ring entry before the index. */
	__atomic_store_n(&q->split.avail->idx, htole16(++q->avail_idx),
			 __ATOMIC_RELEASE);
	q->num_added++;
}

static bool split_kick_prepare(struct drvq *q)
{
	uint16_t new = q->avail_idx, old = new - q->num_added;

	q->num_added = 0;
	mb(); /* expose avail->idx before reading the device's wish */
	if (q->event_idx)
		return vring_need_event(le16toh(vring_avail_event(&q->split)),
					new, old);
	return !(le16toh(q->split.used->flags) & VRING_USED_F_NO_NOTIFY);
}

static void split_detach(struct drvq *q, uint16_t head)
{
	uint16_t i = head;

	/* Walk our own shadow of the chain, never the guest-visible one. */
	for (uint16_t k = 1; k < q->state[head].num; k++)
		i = q->next[i];
	q->next[i] = q->free_head;
	q->free_head = head;
	q->num_free += q->state[head].num;
	q->state[head].token = NULL;
}

static void *split_get_used(struct drvq *q, uint32_t *len)
{
	uint16_t idx =
		le16toh(__atomic_load_n(&q->split.used->idx, __ATOMIC_ACQUIRE));
	vring_used_elem_t *e;
	uint32_t id;
	void *token;

	if (idx == q->last_used)
		return NULL;
	ck_assert_msg((uint16_t)(idx - q->last_used) <= q->size,
		      "device moved used->idx by more than the ring size");
	e = &q->split.used->ring[q->last_used & (q->size - 1)];
	id = le32toh(e->id);
	*len = le32toh(e->len);
	ck_assert_msg(id < q->size, "device used id %u out of range", id);
	ck_assert_msg(q->state[id].token, "device used id %u, not a head", id);
	ck_assert_msg(*len <= q->state[id].wlen,
		      "device claims %u bytes written of %u", *len,
		      q->state[id].wlen);
	token = q->state[id].token;
	split_detach(q, id);
	q->last_used++;
	if (q->event_idx &&
	    !(q->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)) {
		vring_used_event(&q->split) = htole16(q->last_used);
		mb(); /* virtio_store_mb() */
	}
	return token;
}

/* ---- packed (virtqueue_add_packed and friends) ---- */

uint16_t drvq_packed_avail_bits(bool wrap)
{
	return wrap ? DESC_F_AVAIL : DESC_F_USED;
}

static void packed_advance(uint16_t *pos, bool *wrap, uint16_t size)
{
	if (++*pos == size) {
		*pos = 0;
		*wrap = !*wrap;
	}
}

static void packed_put(struct vring_packed_desc *d, uint64_t addr, uint32_t len,
		       uint16_t id)
{
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->id = htole16(id);
}

static uint16_t packed_fill(struct drvq *q, const struct drvq_buf *bufs,
			    unsigned int n, bool ind, uint16_t id,
			    uint16_t *head_flags)
{
	uint16_t pos = q->next_avail, head = pos, flags;
	uint64_t tgpa;
	struct vring_packed_desc *t;

	if (ind) {
		/* Consecutive entries, no links; only WRITE means anything. */
		t = indirect_table(q, id, n, &tgpa);
		for (unsigned int k = 0; k < n; k++) {
			packed_put(&t[k], bufs[k].gpa, bufs[k].len, 0);
			t[k].flags = htole16(
				bufs[k].writable ? VRING_DESC_F_WRITE : 0);
		}
		packed_put(&q->pdesc[pos], tgpa, n * 16, id);
		*head_flags = VRING_DESC_F_INDIRECT |
			      drvq_packed_avail_bits(q->avail_wrap);
		packed_advance(&q->next_avail, &q->avail_wrap, q->size);
		return 1;
	}
	for (unsigned int k = 0; k < n; k++) {
		flags = drvq_packed_avail_bits(q->avail_wrap) |
			(k + 1 < n ? VRING_DESC_F_NEXT : 0) |
			(bufs[k].writable ? VRING_DESC_F_WRITE : 0);
		packed_put(&q->pdesc[pos], bufs[k].gpa, bufs[k].len, id);
		if (pos == head)
			*head_flags = flags;
		else
			q->pdesc[pos].flags = htole16(flags);
		packed_advance(&q->next_avail, &q->avail_wrap, q->size);
		pos = q->next_avail;
	}
	return n;
}

static void packed_add(struct drvq *q, const struct drvq_buf *bufs,
		       unsigned int n, bool ind, void *token)
{
	uint16_t id = q->free_head, head = q->next_avail, head_flags = 0;
	uint16_t used = packed_fill(q, bufs, n, ind, id, &head_flags);

	q->free_head = q->next[id];
	q->state[id] = (struct drvq_state){token, used, writable_len(bufs, n)};
	q->num_free -= used;
	q->num_added += used;
	/* virtio_wmb(): the whole chain before the head's flags. */
	__atomic_store_n(&q->pdesc[head].flags, htole16(head_flags),
			 __ATOMIC_RELEASE);
}

static bool packed_kick_prepare(struct drvq *q)
{
	uint16_t new = q->next_avail, old = new - q->num_added;
	uint16_t flags, off_wrap, event;

	q->num_added = 0;
	mb(); /* expose the new flags before reading the device's wish */
	flags = le16toh(q->device_evt->flags);
	if (flags != VRING_PACKED_EVENT_FLAG_DESC)
		return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	off_wrap = le16toh(q->device_evt->off_wrap);
	event = off_wrap & ~EVENT_WRAP;
	if (!!(off_wrap & EVENT_WRAP) != q->avail_wrap)
		event -= q->size;
	return vring_need_event(event, new, old);
}

static bool packed_is_used(struct drvq *q, uint16_t *flags_out)
{
	uint16_t flags = le16toh(__atomic_load_n(&q->pdesc[q->last_used].flags,
						 __ATOMIC_ACQUIRE));
	bool avail = flags & DESC_F_AVAIL, used = flags & DESC_F_USED;

	*flags_out = flags;
	return avail == used && used == q->used_wrap;
}

static void packed_event_update(struct drvq *q)
{
	if (q->event_flags_shadow != VRING_PACKED_EVENT_FLAG_DESC)
		return;
	q->driver_evt->off_wrap =
		htole16(q->last_used | (q->used_wrap ? EVENT_WRAP : 0));
	mb(); /* virtio_store_mb() */
}

static void *packed_get_used(struct drvq *q, uint32_t *len)
{
	uint16_t flags, id;
	void *token;

	if (!packed_is_used(q, &flags))
		return NULL;
	id = le16toh(q->pdesc[q->last_used].id);
	*len = le32toh(q->pdesc[q->last_used].len);
	ck_assert_msg(id < q->size, "device used id %u out of range", id);
	ck_assert_msg(q->state[id].token, "device used id %u, not in flight",
		      id);
	ck_assert_msg(*len <= q->state[id].wlen,
		      "device claims %u bytes written of %u", *len,
		      q->state[id].wlen);
	ck_assert_msg(!!(flags & VRING_DESC_F_WRITE) == (*len != 0),
		      "used WRITE flag disagrees with len %u", *len);
	token = q->state[id].token;
	q->last_used += q->state[id].num;
	if (q->last_used >= q->size) {
		q->last_used -= q->size;
		q->used_wrap = !q->used_wrap;
	}
	q->num_free += q->state[id].num;
	q->state[id].token = NULL;
	q->next[id] = q->free_head;
	q->free_head = id;
	packed_event_update(q);
	return token;
}

/* ---- the common API ---- */

int drvq_add(struct drvq *q, const struct drvq_buf *bufs, unsigned int n,
	     bool indirect, void *token)
{
	bool ind = indirect && q->indirect_ok;

	ck_assert(n >= 1 && token);
	ck_assert(!ind || n <= DRVQ_MAX_INDIRECT);
	if (q->num_free < (ind ? 1 : n))
		return -ENOSPC;
	if (q->packed)
		packed_add(q, bufs, n, ind, token);
	else
		split_add(q, bufs, n, ind, token);
	return 0;
}

bool drvq_kick_prepare(struct drvq *q)
{
	return q->packed ? packed_kick_prepare(q) : split_kick_prepare(q);
}

uint32_t drvq_notify_value(const struct drvq *q)
{
	uint32_t next;

	if (!q->notify_data)
		return q->index;
	if (q->packed)
		next = q->next_avail | (q->avail_wrap ? EVENT_WRAP : 0);
	else
		next = q->avail_idx;
	return next << 16 | q->index;
}

void *drvq_get_used(struct drvq *q, uint32_t *len)
{
	*len = 0;
	return q->packed ? packed_get_used(q, len) : split_get_used(q, len);
}

void drvq_disable_cb(struct drvq *q)
{
	if (q->packed) {
		q->event_flags_shadow = VRING_PACKED_EVENT_FLAG_DISABLE;
		q->driver_evt->flags = htole16(q->event_flags_shadow);
		return;
	}
	if (q->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	q->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
	/* Linux writes used_event = 0 here under EVENT_IDX (its "hack"). */
	if (q->event_idx)
		vring_used_event(&q->split) = 0;
	else
		q->split.avail->flags = htole16(q->avail_flags_shadow);
}

static bool packed_enable_cb(struct drvq *q)
{
	uint16_t flags;

	if (q->event_idx) {
		q->driver_evt->off_wrap =
			htole16(q->last_used | (q->used_wrap ? EVENT_WRAP : 0));
		/* virtio_wmb(): offset before the flags that enable it. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	q->event_flags_shadow = q->event_idx ? VRING_PACKED_EVENT_FLAG_DESC
					     : VRING_PACKED_EVENT_FLAG_ENABLE;
	q->driver_evt->flags = htole16(q->event_flags_shadow);
	mb(); /* virtqueue_poll() */
	return packed_is_used(q, &flags);
}

bool drvq_enable_cb(struct drvq *q)
{
	if (q->packed)
		return packed_enable_cb(q);
	q->avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
	if (q->event_idx)
		vring_used_event(&q->split) = htole16(q->last_used);
	else
		q->split.avail->flags = htole16(q->avail_flags_shadow);
	mb(); /* virtqueue_poll() */
	return le16toh(q->split.used->idx) != q->last_used;
}

/* ---- raw access ---- */

struct vring_desc *drvq_split_desc(struct drvq *q, uint16_t i)
{
	ck_assert(!q->packed && i < q->size);
	return &q->split.desc[i];
}

void drvq_split_publish(struct drvq *q, uint16_t head)
{
	q->split.avail->ring[q->avail_idx & (q->size - 1)] = htole16(head);
	__atomic_store_n(&q->split.avail->idx, htole16(++q->avail_idx),
			 __ATOMIC_RELEASE);
}

void drvq_packed_put(struct drvq *q, uint16_t pos, uint64_t addr, uint32_t len,
		     uint16_t id, uint16_t flags)
{
	ck_assert(q->packed && pos < q->size);
	packed_put(&q->pdesc[pos], addr, len, id);
	__atomic_store_n(&q->pdesc[pos].flags, htole16(flags),
			 __ATOMIC_RELEASE);
}
