/* cases_ring: the runner of the malformed-ring cases, and what the split
 * (cases_split.c) and packed (cases_packed.c) tables share.
 *
 * Each case brings the device up (maybe with a bad ring configuration,
 * found at DRIVER_OK: virtio 1.3 §2.6, §4.1.5.1.3), makes one malformed
 * buffer available, kicks, and reports what happened, then what happens to
 * one well-formed request on the same ring without a reset: "FIRST/NEXT",
 * each none, needs_reset, dropped or served. docs/hostile-guest.md and
 * scenarios/hostile-rng.sh hold the outcome each case must have.
 */
#include <stdio.h>

#include "cases_ring.h"

#define WAIT_MS	 3000 /* for an answer that should come */
#define SHORT_MS 300  /* for one that should not (broken queue) */

void case_good(struct ctx *c)
{
	ring_good(&c->r);
}

void ind_table_ok(struct ctx *c)
{
	ring_table(&c->r, c->tbl, 0, c->r.wr.gpa, 64, WR, 0);
}

/* TOO_MANY linked one-byte entries over two physically adjacent pages:
 * legal for the spec, more segments than vmm takes in one request. */
void too_many_table(struct ctx *c)
{
	const uint32_t per_page = PAGE / 16;

	for (uint32_t i = 0; i < TOO_MANY; i++) {
		struct dma_page p = i < per_page ? c->lo : c->hi;
		uint16_t last = i + 1 == TOO_MANY;

		ring_table(&c->r, p, i % per_page, c->r.wr.gpa + i % 64, 1,
			   WR | (last ? 0 : NEXT), (uint16_t)(i + 1));
	}
}

void set_desc_host(struct ctx *c, struct ring_setup *s)
{
	s->desc = HOST_VA;
}

void set_desc_misaligned(struct ctx *c, struct ring_setup *s)
{
	s->desc = c->r.area[0].gpa + 8;
}

void set_late_host(struct ctx *c, struct ring_setup *s)
{
	s->late_enable = true;
	s->desc = HOST_VA;
}

void set_no_indirect(struct ctx *c, struct ring_setup *s)
{
	s->features = BIT(VIRTIO_F_VERSION_1) |
		      (s->packed ? BIT(VIRTIO_F_RING_PACKED) : 0);
}

static void run(struct ctx *c, const struct ring_case *rc, bool packed)
{
	const char *kind = packed ? "packed" : "split";
	struct ring_setup s = {.packed = packed};
	enum outcome first, next;
	char key[64];

	snprintf(key, sizeof(key), "%s.%s", kind, rc->name);
	if (rc->setup)
		rc->setup(c, &s);
	if (ring_start(&c->r, c->d, &s) < 0) {
		report(key, "features_refused");
	} else {
		if (rc->submit) {
			rc->submit(c);
			dev_notify(c->d, 0);
		}
		first = ring_wait(&c->r, WAIT_MS, false);
		/* The same ring, no reset: is the device still serving? */
		ring_good(&c->r);
		dev_notify(c->d, 0);
		next = ring_wait(&c->r,
				 first == OUT_NEEDS_RESET ? SHORT_MS : WAIT_MS,
				 true);
		report(key, "%s/%s", outcome_name(first), outcome_name(next));
	}
	after_case(c, key, packed);
}

/* 2.5 laps of the ring, one request at a time: indexes and wrap counters
 * move as they should on both sides. */
void ring_laps(struct ctx *c, bool packed)
{
	struct ring_setup s = {.packed = packed};
	unsigned int served = 0;
	char key[32];

	snprintf(key, sizeof(key), "%s.laps", packed ? "packed" : "split");
	if (ring_start(&c->r, c->d, &s) == 0) {
		for (int i = 0; i < RING_SIZE * 5 / 2; i++) {
			ring_good(&c->r);
			dev_notify(c->d, 0);
			served +=
				ring_wait(&c->r, WAIT_MS, false) == OUT_SERVED;
		}
	}
	report(key, "%u/%u", served, RING_SIZE * 5 / 2);
}

void ring_cases_run(struct ctx *c, const struct ring_case *cases, size_t n,
		    bool packed)
{
	for (size_t i = 0; i < n; i++)
		run(c, &cases[i], packed);
}
