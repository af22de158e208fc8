/* fuzz_boot_linux: the bzImage and initrd loader on hostile files
 * (Linux Documentation/arch/x86/boot.rst; src/vmm/boot_linux.c).
 *
 * The input is a kernel file, an initrd length, a command line and a RAM
 * size; the loader runs as machine_run() calls it: boot_linux_open() on
 * the file by path (a memfd), then boot_linux_load() into guest RAM that
 * is a sparse mapping of the machine's real layout. What open accepted,
 * load must place without overlap and inside RAM. Format in fz_formats.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot_linux.h"
#include "fake_vm.h"
#include "fz.h"
#include "fz_formats.h"
#include "layout.h"
#include "machine.h"
#include "options.h"
#include "vcpu.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

/* From the smallest --memory to some above the 3 GiB PCI hole. */
static const uint64_t memory_sizes[] = {
	16 * MIB,  17 * MIB,	   32 * MIB,	      64 * MIB,
	256 * MIB, 2 * GIB,	   3 * GIB - 4096,    3 * GIB,
	4 * GIB,   4 * GIB + 4096, 5 * GIB + 8 * MIB, 6 * GIB,
};
#define MAX_LOW	 LAYOUT_PCI_HOLE_START
#define MAX_HIGH (3 * GIB + 8 * MIB)

/* Process-wide: a sparse mapping of the largest RAM, a VM shell around it
 * and the two files. Only the pages a loader touches become real. */
static struct fake_vm vm;
static uint8_t *low, *high;
static int kernel_fd = -1, initrd_fd = -1;
static char kernel_path[64], initrd_path[64];

static void __attribute__((noreturn)) fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_boot_linux: %s%s%s\n", what, err ? ": " : "",
		err ? err : "");
	abort();
}

static void once(void)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	fake_vm_init(&vm, 0);
	low = mmap(NULL, MAX_LOW, PROT_READ | PROT_WRITE, flags, -1, 0);
	high = mmap(NULL, MAX_HIGH, PROT_READ | PROT_WRITE, flags, -1, 0);
	kernel_fd = memfd_create("fuzz-bzimage", MFD_CLOEXEC);
	initrd_fd = memfd_create("fuzz-initrd", MFD_CLOEXEC);
	if (low == MAP_FAILED || high == MAP_FAILED || kernel_fd < 0 ||
	    initrd_fd < 0)
		fail("cannot set up", NULL);
	snprintf(kernel_path, sizeof(kernel_path), "/proc/self/fd/%d",
		 kernel_fd);
	snprintf(initrd_path, sizeof(initrd_path), "/proc/self/fd/%d",
		 initrd_fd);
}

/* Guest RAM exactly as kvm_vm_add_ram lays it out for m. */
static void map_ram(const struct machine *m)
{
	memset(&vm.vm.mem, 0, sizeof(vm.vm.mem));
	if (gmem_add_region(&vm.vm.mem, 0, low, m->low_ram_end) < 0 ||
	    (m->high_ram_size &&
	     gmem_add_region(&vm.vm.mem, LAYOUT_HIGH_RAM_GPA, high,
			     m->high_ram_size) < 0))
		fail("cannot map guest RAM", NULL);
}

static void write_file(int fd, const void *buf, size_t len, uint64_t size)
{
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    (len && pwrite(fd, buf, len, 0) != (ssize_t)len))
		fail("cannot write a file", NULL);
}

static uint64_t initrd_size(uint32_t v)
{
	if (v & FZ_BOOT_HUGE_INITRD) /* never fits: only its size is read */
		return 4 * GIB + (v & (FZ_BOOT_HUGE_INITRD - 1));
	return v & ((1u << 22) - 1);
}

/* What open promised: the decompressed kernel and the initrd both fit,
 * apart, below the end of low RAM and the kernel's initrd_addr_max. */
static void check_placement(const struct boot_linux_image *img,
			    const struct machine *m, uint64_t initrd_len)
{
	const struct bzimage_info *info = &img->info;
	uint64_t base = info->pref_address > LAYOUT_KERNEL_GPA
				? info->pref_address
				: LAYOUT_KERNEL_GPA;
	uint64_t size = info->init_size > info->kernel_len ? info->init_size
							   : info->kernel_len;
	uint64_t gpa;

	if (base > m->low_ram_end || size > m->low_ram_end - base)
		fail("open accepted a kernel that does not fit in RAM", NULL);
	if (!initrd_len)
		return;
	if (boot_linux_place_initrd(info, m, initrd_len, &gpa) < 0)
		fail("open accepted an initrd it cannot place", NULL);
	if (gpa % 4096 || gpa < base + size || gpa > m->low_ram_end ||
	    initrd_len > m->low_ram_end - gpa)
		fail("initrd placed over the kernel or outside RAM", NULL);
	if (info->initrd_addr_max &&
	    gpa + initrd_len - 1 > info->initrd_addr_max)
		fail("initrd placed above initrd_addr_max", NULL);
}

static void run(const struct machine *m, const char *initrd,
		uint64_t initrd_len, const char *cmdline)
{
	struct boot_linux_image img;
	struct vcpu_long_mode entry;
	char err[256];

	if (boot_linux_open(&img, m, kernel_path, initrd, err, sizeof(err)) < 0)
		return;
	check_placement(&img, m, initrd ? initrd_len : 0);
	/* Open checked everything load needs but the command line's
	 * length, which main() cannot know before it has the kernel. */
	if (boot_linux_load(&vm.vm, m, &img, initrd, cmdline, LAYOUT_ACPI_GPA,
			    &entry, err, sizeof(err)) < 0 &&
	    !strstr(err, "command line too long"))
		fail("load failed after open succeeded", err);
	boot_linux_close(&img);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	once();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmm_options o = {.cpus = 1};
	struct machine m;
	struct fz in;
	uint32_t initrd;
	uint16_t cmdline_len;
	char *cmdline;

	fz_init(&in, data, size);
	o.memory = memory_sizes[fz_u8(&in) %
				(sizeof(memory_sizes) / sizeof(uint64_t))];
	initrd = fz_u32(&in);
	cmdline_len = fz_u16(&in) % 4096;
	cmdline = calloc(1, cmdline_len + 1u);
	if (!cmdline)
		fail("out of memory", NULL);
	fz_bytes(&in, cmdline, cmdline_len);
	machine_describe(&m, &o);
	map_ram(&m);
	write_file(kernel_fd, in.p, in.left, in.left);
	if (!(initrd & FZ_BOOT_NO_INITRD))
		write_file(initrd_fd, NULL, 0, initrd_size(initrd));
	run(&m, initrd & FZ_BOOT_NO_INITRD ? NULL : initrd_path,
	    initrd_size(initrd), cmdline);
	free(cmdline);
	return 0;
}
