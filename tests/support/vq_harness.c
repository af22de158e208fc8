/* vq_harness: the runner for adversarial virtqueue cases (see
 * vq_harness.h). */
#include "vq_harness.h"

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void vq_harness_init(struct vq_harness *h)
{
	memset(h, 0, sizeof(*h));
	guest_ram_init(&h->ram, VQH_LOW_LEN);
	guest_ram_add_high(&h->ram, VQH_HIGH_GPA, VQH_HIGH_LEN);
	h->echo = calloc(1, sizeof(*h->echo));
	ck_assert_int_eq(echo_dev_init(h->echo, &h->ram.mem), 0);
	h->vd = &h->echo->vd;
	fake_transport_init(&h->ft, h->vd, &h->ram);
	h->rd = guest_ram_alloc(&h->ram, 4096, 16);
	memset(guest_ram_ptr(&h->ram, h->rd, 4096), 'p', 4096);
	h->wr = guest_ram_alloc(&h->ram, 4096, 16);
	h->tbl = guest_ram_alloc(&h->ram, 8192, 16);
	h->tbl2 = guest_ram_alloc(&h->ram, 4096, 16);
	memcpy(guest_ram_ptr(&h->ram, VQH_HIGH_GPA, 4), "high", 4);
}

void vq_harness_destroy(struct vq_harness *h)
{
	fake_transport_destroy(&h->ft);
	echo_dev_destroy(h->echo);
	free(h->echo);
	guest_ram_destroy(&h->ram);
}

/* What the driver finds in used entry n (split) or at ring position pos
 * (packed, first lap): id and length. False if nothing is there. */
static bool used_entry(struct vq_harness *h, unsigned int n, uint16_t pos,
		       uint32_t *id, uint32_t *len)
{
	struct drvq *q = h->q;
	uint16_t flags, both = (1 << VRING_PACKED_DESC_F_AVAIL) |
			       (1 << VRING_PACKED_DESC_F_USED);

	if (!q->packed) {
		if (le16toh(q->split.used->idx) <= n)
			return false;
		*id = le32toh(q->split.used->ring[n].id);
		*len = le32toh(q->split.used->ring[n].len);
		return true;
	}
	flags = le16toh(q->pdesc[pos].flags);
	*id = le16toh(q->pdesc[pos].id);
	*len = le32toh(q->pdesc[pos].len);
	return (flags & both) == both &&
	       !!(flags & VRING_DESC_F_WRITE) == (*len != 0);
}

/* A good request after the case: 4 bytes in, 4 bytes echoed. */
static void check_queue_still_works(struct vq_harness *h, unsigned int n)
{
	struct drvq *q = h->q;
	uint16_t av = drvq_packed_avail_bits(true);
	uint32_t id, len;

	if (!q->packed) {
		*drvq_split_desc(q, VQH_QSIZE - 2) = (struct vring_desc){
			htole64(h->rd), htole32(4), htole16(VRING_DESC_F_NEXT),
			htole16(VQH_QSIZE - 1)};
		*drvq_split_desc(q, VQH_QSIZE - 1) =
			(struct vring_desc){htole64(h->wr), htole32(4),
					    htole16(VRING_DESC_F_WRITE), 0};
		drvq_split_publish(q, VQH_QSIZE - 2);
	} else {
		drvq_packed_put(q, h->slots + 1, h->wr, 4, 99,
				av | VRING_DESC_F_WRITE);
		drvq_packed_put(q, h->slots, h->rd, 4, 99,
				av | VRING_DESC_F_NEXT);
	}
	virtio_queue_kick(h->vd, 0);
	ck_assert(used_entry(h, n, h->slots, &id, &len));
	ck_assert_uint_eq(id, q->packed ? 99 : VQH_QSIZE - 2);
	ck_assert_uint_eq(len, 4);
}

static void check_broken(struct vq_harness *h, struct virtq *vq)
{
	uint32_t id, len;

	ck_assert(vq->broken && !vq_live(vq));
	ck_assert_int_eq(vq_pop(vq, &h->echo->held[VQH_QSIZE]), -EIO);
	ck_assert(!used_entry(h, 0, 0, &id, &len));
	/* Kicks on a broken queue reach nobody. */
	h->echo->notifies = 0;
	virtio_queue_kick(h->vd, 0);
	ck_assert_uint_eq(h->echo->notifies, 0);
}

static void check_outcome(struct vq_harness *h, const struct vq_case *c)
{
	struct virtq *vq = virtio_queue(h->vd, 0);
	uint8_t s = virtio_get_status(h->vd);
	bool reset = s & VIRTIO_CONFIG_S_NEEDS_RESET;
	uint32_t id, len;

	ck_assert_msg(reset == (c->out == VQ_BROKEN), "%s: NEEDS_RESET %d",
		      c->what, reset);
	ck_assert_uint_eq(h->ft.config_irqs, c->out == VQ_BROKEN);
	ck_assert_uint_eq(vq->nr_failed, c->out == VQ_FAILED);
	switch (c->out) {
	case VQ_BROKEN:
		check_broken(h, vq);
		return;
	case VQ_EMPTY:
		ck_assert_int_eq(vq_pop(vq, &h->echo->held[0]), 0);
		ck_assert_uint_eq(vq->last_avail | vq->used_idx, 0);
		h->slots = 0;
		check_queue_still_works(h, 0);
		return;
	case VQ_FAILED:
	case VQ_FINE:
		ck_assert_msg(used_entry(h, 0, 0, &id, &len), "%s: not used",
			      c->what);
		ck_assert_uint_eq(id, h->q->packed ? VQH_ID : 0);
		ck_assert_uint_eq(len, c->out == VQ_FAILED ? 0 : h->expect);
		check_queue_still_works(h, 1);
		return;
	}
}

void vq_harness_run(struct vq_harness *h, const struct vq_case *c, bool packed)
{
	uint64_t f = c->features ? c->features : FT_LINUX_FEATURES;

	h->ft.queue_size = VQH_QSIZE;
	ck_assert_int_eq(
		fake_transport_probe(&h->ft, f | (packed ? FT_PACKED : 0)), 0);
	h->q = &h->ft.q[0];
	c->build(h);
	virtio_queue_kick(h->vd, 0);
	check_outcome(h, c);
}
