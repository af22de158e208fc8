/* dma: guest-physical memory for rings and buffers, owned by this program.
 *
 * The device reads and writes guest-physical addresses (no IOMMU, no
 * ACCESS_PLATFORM), so we need pages whose physical address is known and
 * stays put: anonymous pages, no huge pages, locked, never compacted away,
 * looked up in /proc/self/pagemap (PFNs need CAP_SYS_ADMIN: we are root).
 * /dev/mem is no use: CONFIG_STRICT_DEVMEM hides RAM from it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostile.h"

#define PM_PRESENT  BIT(63)
#define PM_PFN_MASK (BIT(55) - 1)

static struct dma_page *pool;
static unsigned int pool_len;

/* mlock'd pages may still be migrated by compaction unless told not to. */
static void pin_unevictable(void)
{
	int fd = open("/proc/sys/vm/compact_unevictable_allowed", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "0", 1) != 1)
		perror("vmm-hostile: compact_unevictable_allowed");
	close(fd);
}

static int lookup(int pm, struct dma_page *p)
{
	uint64_t e;
	off_t off = (off_t)((uintptr_t)p->va / PAGE) * 8;

	if (pread(pm, &e, 8, off) != 8 || !(e & PM_PRESENT) ||
	    !(e & PM_PFN_MASK))
		return -1;
	p->gpa = (e & PM_PFN_MASK) * PAGE;
	return 0;
}

int dma_init(unsigned int npages)
{
	size_t len = (size_t)npages * PAGE;
	uint8_t *mem;
	int pm, r = 0;

	pin_unevictable();
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	/* Before the first touch, or the fault may bring a huge page. */
	madvise(mem, len, MADV_NOHUGEPAGE);
	if (mlock(mem, len) < 0)
		return -1;
	memset(mem, 0, len);
	pool = calloc(npages, sizeof(*pool));
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (!pool || pm < 0)
		return -1;
	for (unsigned int i = 0; i < npages && r == 0; i++) {
		pool[i].va = mem + (size_t)i * PAGE;
		r = lookup(pm, &pool[i]);
	}
	close(pm);
	pool_len = npages;
	if (r < 0)
		printf("vmm-hostile: no physical address in pagemap (root?)\n");
	return r;
}

struct dma_page dma_page(unsigned int i)
{
	return i < pool_len ? pool[i] : (struct dma_page){0};
}

int dma_pair(struct dma_page *lo, struct dma_page *hi)
{
	for (unsigned int i = 0; i < pool_len; i++)
		for (unsigned int j = 0; j < pool_len; j++)
			if (pool[j].gpa == pool[i].gpa + PAGE) {
				*lo = pool[i];
				*hi = pool[j];
				return 0;
			}
	return -1;
}

/* Top-level "System RAM" lines of /proc/iomem: the range holding 1 MiB. */
uint64_t dma_low_ram_end(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	unsigned long long start, end;
	char line[160];
	uint64_t low = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == ' ' || !strstr(line, ": System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 &&
		    start <= 0x100000 && end >= 0x100000)
			low = end + 1;
	}
	fclose(f);
	return low;
}
