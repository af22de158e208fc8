/* guest_ram: fake guest physical memory for virtio unit tests.
 *
 * A low RAM region at gpa 0 with a bump allocator, and optionally a second
 * region above a hole, so tests can aim buffers across a region's edge.
 * Translation is the real gmem_ptr() (src/kvm/gmem.h); no /dev/kvm needed.
 */
#ifndef VMM_TEST_GUEST_RAM_H
#define VMM_TEST_GUEST_RAM_H

#include <stdint.h>

#include "gmem.h"

struct guest_ram {
	struct gmem mem;
	uint8_t *low;
	uint64_t low_len;
	uint8_t *high;
	uint64_t high_gpa, high_len;
	uint64_t brk; /* next free byte of the low region */
};

/* Low region [0, low_len); the allocator starts at 4 KiB so that gpa 0 is
 * never handed out. Aborts the test on failure. */
void guest_ram_init(struct guest_ram *g, uint64_t low_len);
/* Adds [gpa, gpa + len) as a second region; gpa must leave a hole. */
void guest_ram_add_high(struct guest_ram *g, uint64_t gpa, uint64_t len);
void guest_ram_destroy(struct guest_ram *g);

/* Allocates len bytes (zeroed) aligned to align from the low region.
 * Aborts the test when RAM runs out. */
uint64_t guest_ram_alloc(struct guest_ram *g, uint64_t len, uint64_t align);
/* Allocates and fills with a copy of src. */
uint64_t guest_ram_put(struct guest_ram *g, const void *src, uint64_t len);
/* Host pointer for [gpa, gpa + len); aborts the test if not RAM. */
void *guest_ram_ptr(struct guest_ram *g, uint64_t gpa, uint64_t len);

#endif
