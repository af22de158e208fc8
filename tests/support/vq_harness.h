/* vq_harness: runs one hand-made malformed ring against the virtio core.
 *
 * For the adversarial tables of tests/unit/test_vq_harden_*.c (virtio 1.3
 * §2.7.5 and §2.8.6-§2.8.7 driver rules, broken one at a time): an echo
 * device behind a fake transport, a 16-entry queue, guest RAM with a hole
 * and a high region, and the check of what the device made of it.
 */
#ifndef VMM_TEST_VQ_HARNESS_H
#define VMM_TEST_VQ_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "echo_dev.h"
#include "fake_transport.h"

#define VQH_LOW_LEN  (4 << 20)
#define VQH_HIGH_GPA 0x100000000ULL
#define VQH_HIGH_LEN 0x10000ULL
#define VQH_HOLE     0x80000000ULL /* neither low nor high RAM */
#define VQH_QSIZE    16
#define VQH_ID	     7 /* packed buffer id every case uses */

/* What must become of the case's buffer. */
enum vq_outcome {
	VQ_BROKEN, /* DEVICE_NEEDS_RESET, queue stopped, nothing used */
	VQ_FAILED, /* returned with length 0, the queue goes on */
	VQ_FINE,   /* processed: something the spec says to ignore */
	VQ_EMPTY,  /* not available at all: nothing taken */
};

struct vq_harness {
	struct guest_ram ram;
	struct echo_dev *echo;
	struct virtio_dev *vd;
	struct fake_transport ft;
	struct drvq *q;		    /* queue 0 */
	uint64_t rd, wr, tbl, tbl2; /* 4 KiB of 'p' / out / 2 x tables */
	uint16_t slots;		    /* packed: ring slots the case took */
	uint32_t expect;	    /* VQ_FINE: bytes the echo reports */
};

struct vq_case {
	const char *what;
	void (*build)(struct vq_harness *h);
	enum vq_outcome out;
	uint64_t features; /* 0: FT_LINUX_FEATURES */
};

void vq_harness_init(struct vq_harness *h);
void vq_harness_destroy(struct vq_harness *h);

/* Probes with the case's features on a split or packed ring, builds the
 * case, kicks queue 0 and checks the outcome (and, unless broken, that a
 * good request still goes through afterwards). */
void vq_harness_run(struct vq_harness *h, const struct vq_case *c, bool packed);

#endif
