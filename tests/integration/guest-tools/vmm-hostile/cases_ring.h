/* cases_ring: what the malformed-ring cases share (cases_ring.c runs them,
 * cases_split.c and cases_packed.c hold one table each).
 *
 * virtio 1.3 §2.7 (split) and §2.8 (packed) virtqueues. Internal to
 * vmm-hostile.
 */
#ifndef VMM_HOSTILE_CASES_RING_H
#define VMM_HOSTILE_CASES_RING_H

#include "hostile.h"

#define NEXT	 VRING_DESC_F_NEXT
#define WR	 VRING_DESC_F_WRITE
#define IND	 VRING_DESC_F_INDIRECT
#define HOST_VA	 0x7fffdeadb000ULL     /* looks like a host mmap */
#define KERN_VA	 0xffff888000000000ULL /* looks like a direct map */
#define TOO_MANY 300 /* indirect entries: more than vmm's 256 segments */

/* One case: submit makes the malformed buffer available (NULL: the setup
 * alone is the case); setup, if any, changes how the queue is set up. */
struct ring_case {
	const char *name;
	void (*submit)(struct ctx *c);
	void (*setup)(struct ctx *c, struct ring_setup *s);
};

/* Runs each case and reports "KIND.NAME=FIRST/NEXT", then after_case(). */
void ring_cases_run(struct ctx *c, const struct ring_case *cases, size_t n,
		    bool packed);
/* 2.5 laps of well-formed requests: reports "KIND.laps=SERVED/40". */
void ring_laps(struct ctx *c, bool packed);

/* Shared submissions and setups. */
void case_good(struct ctx *c);
void ind_table_ok(struct ctx *c);   /* c->tbl: one 64-byte buffer */
void too_many_table(struct ctx *c); /* c->lo, c->hi: TOO_MANY entries */
void set_desc_host(struct ctx *c, struct ring_setup *s);
void set_desc_misaligned(struct ctx *c, struct ring_setup *s);
void set_late_host(struct ctx *c, struct ring_setup *s);
void set_no_indirect(struct ctx *c, struct ring_setup *s);

#endif
