/* ring: the driver's side of one virtqueue, written by hand.
 *
 * virtio 1.3 §3.1.1 (driver initialization), §4.1.5.1.3 (queue setup over
 * PCI), §2.7 split rings (descriptor table, available and used rings) and
 * §2.8 packed rings (one descriptor ring, AVAIL/USED bits against wrap
 * counters). No interrupts: we ask for none and poll the used side.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/virtio_pci.h>

#include "hostile.h"

#define P_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
#define P_USED	(1u << VRING_PACKED_DESC_F_USED)

const char *outcome_name(enum outcome o)
{
	static const char *const names[] = {"none", "needs_reset", "dropped",
					    "served"};

	return names[o];
}

static void set_addr(struct dev *d, uint32_t lo, uint64_t gpa)
{
	cc_write(d, lo, 4, (uint32_t)gpa);
	cc_write(d, lo + 4, 4, gpa >> 32);
}

/* Zeroed rings, indexes at 0, both wrap counters 1 (§2.8.1), interrupts
 * off: VRING_AVAIL_F_NO_INTERRUPT (split), event flags DISABLE (packed). */
static void clear_rings(struct ring *r)
{
	for (int i = 0; i < 3; i++)
		memset(r->area[i].va, 0, PAGE);
	r->next_avail = r->next_used = 0;
	r->avail_wrap = r->used_wrap = true;
	memset(r->chain_len, 0, sizeof(r->chain_len));
	if (r->packed)
		((struct vring_packed_desc_event *)r->area[1].va)->flags =
			VRING_PACKED_EVENT_FLAG_DISABLE;
	else
		ring_split_avail(r)->flags = VRING_AVAIL_F_NO_INTERRUPT;
}

static uint64_t default_features(const struct ring_setup *s)
{
	if (s->features)
		return s->features;
	return RING_FEATURES | (s->packed ? BIT(VIRTIO_F_RING_PACKED) : 0);
}

int ring_start(struct ring *r, struct dev *d, const struct ring_setup *s)
{
	const uint8_t feat = VIRTIO_CONFIG_S_ACKNOWLEDGE |
			     VIRTIO_CONFIG_S_DRIVER |
			     VIRTIO_CONFIG_S_FEATURES_OK;

	r->d = d;
	r->packed = s->packed;
	r->size = s->size ? s->size : RING_SIZE;
	clear_rings(r);
	if (dev_reset(d) < 0)
		return -1;
	dev_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	dev_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	dev_set_driver_features(d, default_features(s));
	dev_set_status(d, feat);
	if (!(dev_status(d) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -1;
	cc_write(d, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	cc_write(d, VIRTIO_PCI_COMMON_Q_SIZE, 2, r->size);
	set_addr(d, VIRTIO_PCI_COMMON_Q_DESCLO,
		 s->desc ? s->desc : r->area[0].gpa);
	set_addr(d, VIRTIO_PCI_COMMON_Q_AVAILLO,
		 s->driver ? s->driver : r->area[1].gpa);
	set_addr(d, VIRTIO_PCI_COMMON_Q_USEDLO,
		 s->device ? s->device : r->area[2].gpa);
	cc_write(d, VIRTIO_PCI_COMMON_Q_MSIX, 2, VIRTIO_MSI_NO_VECTOR);
	if (!s->late_enable)
		cc_write(d, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	dev_set_status(d, feat | VIRTIO_CONFIG_S_DRIVER_OK);
	if (s->late_enable)
		cc_write(d, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	return 0;
}

/* ---- split (§2.7) ---- */

struct vring_avail *ring_split_avail(struct ring *r)
{
	return r->area[1].va;
}

static struct vring_used *split_used(struct ring *r)
{
	return r->area[2].va;
}

void ring_split_desc(struct ring *r, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vring_desc *t = r->area[0].va;

	if (i < PAGE / sizeof(*t))
		t[i] = (struct vring_desc){addr, len, flags, next};
}

void ring_split_publish(struct ring *r, uint16_t head)
{
	struct vring_avail *a = ring_split_avail(r);

	a->ring[r->next_avail % r->size] = head;
	r->next_avail++;
	/* The entry before the index (§2.7.13.3.1). */
	__atomic_store_n(&a->idx, r->next_avail, __ATOMIC_RELEASE);
}

static bool split_take(struct ring *r, uint32_t *len)
{
	struct vring_used *u = split_used(r);

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == r->next_used)
		return false;
	*len = u->ring[r->next_used % r->size].len;
	r->next_used++;
	return true;
}

/* ---- packed (§2.8) ---- */

void ring_packed_chain(struct ring *r, const struct pk *chain, uint16_t n)
{
	struct vring_packed_desc *t = r->area[0].va;
	uint16_t head = r->next_avail, pos = head, head_flags = 0;
	bool wrap = r->avail_wrap;

	for (uint16_t i = 0; i < n; i++) {
		const struct pk *e = &chain[i];
		uint16_t f = e->flags & ~(P_AVAIL | P_USED);

		f |= wrap ? P_AVAIL : P_USED;
		if (e->raw_flags)
			f = e->flags;
		t[pos].addr = e->addr;
		t[pos].len = e->len;
		t[pos].id = head;
		if (i == 0)
			head_flags = f;
		else
			t[pos].flags = f;
		if (++pos == r->size) {
			pos = 0;
			wrap = !wrap;
		}
	}
	/* The head's flags last: they make the whole chain available. */
	__atomic_store_n(&t[head].flags, head_flags, __ATOMIC_RELEASE);
	if (head < sizeof(r->chain_len) / sizeof(r->chain_len[0]))
		r->chain_len[head] = n;
	r->next_avail = pos;
	r->avail_wrap = wrap;
}

/* A used descriptor has AVAIL == USED == our used wrap counter; the next
 * one sits after all the slots of the chain it completes (§2.8.6). */
static bool packed_take(struct ring *r, uint32_t *len)
{
	struct vring_packed_desc *d =
		&((struct vring_packed_desc *)r->area[0].va)[r->next_used];
	uint16_t f = __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE), n = 1;

	if (!!(f & P_AVAIL) != r->used_wrap || !!(f & P_USED) != r->used_wrap)
		return false;
	*len = d->len;
	if (d->id < sizeof(r->chain_len) / sizeof(r->chain_len[0]) &&
	    r->chain_len[d->id])
		n = r->chain_len[d->id];
	r->next_used += n;
	if (r->next_used >= r->size) {
		r->next_used -= r->size;
		r->used_wrap = !r->used_wrap;
	}
	return true;
}

/* ---- both ---- */

/* 16 bytes either way, laid out as the ring format says: split tables
 * link entries with next (§2.7.5.3); packed ones are read in order, and
 * only WRITE means anything in them (§2.8.7). */
void ring_table(const struct ring *r, struct dma_page t, uint32_t i,
		uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	if (i >= PAGE / 16)
		return;
	if (r->packed)
		((struct vring_packed_desc *)t.va)[i] =
			(struct vring_packed_desc){addr, len, 0, flags};
	else
		((struct vring_desc *)t.va)[i] =
			(struct vring_desc){addr, len, flags, next};
}

void ring_good(struct ring *r)
{
	struct pk e = {r->wr.gpa, GOOD_LEN, VRING_DESC_F_WRITE, false};

	memset(r->wr.va, 0xa5, GOOD_LEN);
	if (r->packed) {
		ring_packed_chain(r, &e, 1);
		return;
	}
	/* The last descriptor: the malformed cases use the first few. */
	ring_split_desc(r, r->size - 1, e.addr, e.len, e.flags, 0);
	ring_split_publish(r, r->size - 1);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

enum outcome ring_wait(struct ring *r, int timeout_ms, bool used_only)
{
	struct timespec t0, ms = {0, 1000000};
	uint32_t len;
	bool got;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!used_only &&
		    (dev_status(r->d) & VIRTIO_CONFIG_S_NEEDS_RESET))
			return OUT_NEEDS_RESET;
		got = r->packed ? packed_take(r, &len) : split_take(r, &len);
		if (got)
			return len ? OUT_SERVED : OUT_DROPPED;
		if (ms_since(&t0) >= timeout_ms)
			return OUT_NONE;
		nanosleep(&ms, NULL);
	}
}
