/* gmem: guest physical memory and its one bounds-checked translator.
 *
 * Guest RAM is a handful of host mappings, each covering one range of guest
 * physical addresses. Every access to guest memory goes through gmem_ptr():
 * no other code computes "hva base + gpa". Depends on nothing of ours.
 */
#ifndef VMM_KVM_GMEM_H
#define VMM_KVM_GMEM_H

#include <stddef.h>
#include <stdint.h>

#define GMEM_MAX_REGIONS 8

struct gmem_region {
	uint64_t gpa; /* first guest physical address */
	uint64_t len; /* bytes */
	uint8_t *hva; /* host mapping of the first byte */
};

struct gmem {
	struct gmem_region regions[GMEM_MAX_REGIONS];
	unsigned int nr_regions;
};

/* Adds a RAM region. Rejects (-EINVAL) empty, wrapping or overlapping ranges
 * and (-ENOSPC) more than GMEM_MAX_REGIONS. The caller owns the mapping. */
int gmem_add_region(struct gmem *mem, uint64_t gpa, void *hva, uint64_t len);

/* Returns the host pointer for [gpa, gpa + len) only if the whole range lies
 * inside one RAM region; NULL otherwise (including gpa + len overflow and
 * ranges that cross from one region into a hole or another region).
 * len == 0 is treated as len == 1: the address itself must be RAM. */
void *gmem_ptr(const struct gmem *mem, uint64_t gpa, size_t len);

/* Copy to/from guest RAM through gmem_ptr(). Return 0 or -EFAULT. */
int gmem_read(const struct gmem *mem, uint64_t gpa, void *dst, size_t len);
int gmem_write(const struct gmem *mem, uint64_t gpa, const void *src,
	       size_t len);

/* Total bytes of RAM over all regions. */
uint64_t gmem_total(const struct gmem *mem);

#endif
