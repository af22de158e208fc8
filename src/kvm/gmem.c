/* gmem: guest physical memory translation (see gmem.h).
 *
 * The translator is the single choke point between guest-controlled
 * addresses and host pointers, so it is written to be obviously overflow-safe:
 * every comparison is done on offsets inside a region, never on gpa + len.
 */
#include "gmem.h"

#include <errno.h>
#include <string.h>

static int ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	/* Both ranges are known not to wrap. */
	return a < b + blen && b < a + alen;
}

int gmem_add_region(struct gmem *mem, uint64_t gpa, void *hva, uint64_t len)
{
	if (len == 0 || hva == NULL || gpa + len < gpa)
		return -EINVAL;
	if (mem->nr_regions == GMEM_MAX_REGIONS)
		return -ENOSPC;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct gmem_region *r = &mem->regions[i];
		if (ranges_overlap(gpa, len, r->gpa, r->len))
			return -EINVAL;
	}
	mem->regions[mem->nr_regions++] =
		(struct gmem_region){.gpa = gpa, .len = len, .hva = hva};
	return 0;
}

void *gmem_ptr(const struct gmem *mem, uint64_t gpa, size_t len)
{
	if (len == 0)
		len = 1;
	for (unsigned int i = 0; i < mem->nr_regions; i++) {
		const struct gmem_region *r = &mem->regions[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->len)
			continue;
		/* gpa is inside r: the rest of r must hold len bytes. */
		if (len > r->len - (gpa - r->gpa))
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int gmem_read(const struct gmem *mem, uint64_t gpa, void *dst, size_t len)
{
	const void *src = gmem_ptr(mem, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int gmem_write(const struct gmem *mem, uint64_t gpa, const void *src,
	       size_t len)
{
	void *dst = gmem_ptr(mem, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

uint64_t gmem_total(const struct gmem *mem)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < mem->nr_regions; i++)
		total += mem->regions[i].len;
	return total;
}
