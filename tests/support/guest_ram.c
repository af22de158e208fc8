/* guest_ram: fake guest RAM with a bump allocator (see guest_ram.h). */
#include "guest_ram.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Page-aligned like real guest RAM, so that an alignment computed on a host
 * pointer (vring_init() in drvq.c) is the same alignment in guest-physical
 * terms, as the legacy virtio-mmio layout needs. */
static uint8_t *alloc_ram(uint64_t len)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 4096, len), 0);
	memset(p, 0, len);
	return p;
}

void guest_ram_init(struct guest_ram *g, uint64_t low_len)
{
	memset(g, 0, sizeof(*g));
	g->low = alloc_ram(low_len);
	g->low_len = low_len;
	ck_assert_int_eq(gmem_add_region(&g->mem, 0, g->low, low_len), 0);
	g->brk = 0x1000;
}

void guest_ram_add_high(struct guest_ram *g, uint64_t gpa, uint64_t len)
{
	ck_assert_uint_gt(gpa, g->low_len);
	g->high = alloc_ram(len);
	g->high_gpa = gpa;
	g->high_len = len;
	ck_assert_int_eq(gmem_add_region(&g->mem, gpa, g->high, len), 0);
}

void guest_ram_destroy(struct guest_ram *g)
{
	free(g->low);
	free(g->high);
	memset(g, 0, sizeof(*g));
}

uint64_t guest_ram_alloc(struct guest_ram *g, uint64_t len, uint64_t align)
{
	uint64_t gpa = (g->brk + align - 1) & ~(align - 1);

	ck_assert_msg(gpa + len <= g->low_len, "guest RAM exhausted");
	g->brk = gpa + len;
	memset(g->low + gpa, 0, len);
	return gpa;
}

uint64_t guest_ram_put(struct guest_ram *g, const void *src, uint64_t len)
{
	uint64_t gpa = guest_ram_alloc(g, len, 8);

	memcpy(g->low + gpa, src, len);
	return gpa;
}

void *guest_ram_ptr(struct guest_ram *g, uint64_t gpa, uint64_t len)
{
	void *p = gmem_ptr(&g->mem, gpa, len);

	ck_assert_msg(p != NULL, "gpa %#llx+%llu is not guest RAM",
		      (unsigned long long)gpa, (unsigned long long)len);
	return p;
}
