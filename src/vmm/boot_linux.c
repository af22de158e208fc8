/* boot_linux: the Linux x86 boot protocol, 64-bit entry
 * (Documentation/arch/x86/boot.rst: "The Real-Mode Kernel Header",
 * "64-bit Boot Protocol"). The real-mode setup code is never run: we fill the
 * zero page ourselves and enter startup_64 at load address + 0x200 in long
 * mode with an identity map of the low 4 GiB.
 */
#include "boot_linux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e820.h"
#include "gmem.h"
#include "kvm.h"
#include "layout.h"
#include "loadfile.h"
#include "vcpu.h"

#define BZIMAGE_MAX_SIZE      (256u << 20)
#define SETUP_HEADER_OFF      0x1f1
#define SETUP_MAGIC_OFF	      0x202
#define SETUP_MAGIC	      0x53726448 /* "HdrS" */
#define ENTRY_64_OFF	      0x200
#define LOADER_TYPE_UNDEFINED 0xff
#define DEFAULT_SETUP_SECTS   4

/* Boot GDT: the protocol wants flat __BOOT_CS at 0x10 and __BOOT_DS at
 * 0x18; KVM also wants a usable task register. */
#define GDT_CODE_SEL 0x10
#define GDT_DATA_SEL 0x18
#define GDT_TSS_SEL  0x20
static const uint64_t boot_gdt[] = {
	0,
	0,
	0x00af9b000000ffffULL, /* 0x10: 64-bit code, DPL 0 */
	0x00cf93000000ffffULL, /* 0x18: flat data */
	0x0000890000000067ULL, /* 0x20: 64-bit TSS at 0 (type 9), */
	0,		       /*       a 16-byte system descriptor */
};

#define PTE_PRESENT 0x1ULL
#define PTE_WRITE   0x2ULL
#define PTE_HUGE    0x80ULL /* 2 MiB page in a PD entry */

int boot_linux_parse(const uint8_t *image, size_t len,
		     struct bzimage_info *info, const char **why)
{
	struct setup_header hdr;
	uint32_t magic;
	size_t sects;

	if (len < SETUP_HEADER_OFF + sizeof(hdr)) {
		*why = "too small to be a bzImage";
		return -1;
	}
	memcpy(&hdr, image + SETUP_HEADER_OFF, sizeof(hdr));
	memcpy(&magic, image + SETUP_MAGIC_OFF, sizeof(magic));
	if (magic != SETUP_MAGIC || hdr.boot_flag != 0xaa55) {
		*why = "not a bzImage (no \"HdrS\" setup header)";
		return -1;
	}
	if (hdr.version < BOOT_LINUX_MIN_VERSION) {
		*why = "boot protocol older than 2.10";
		return -1;
	}
	if (!(hdr.xloadflags & XLF_KERNEL_64)) {
		*why = "kernel has no 64-bit entry point";
		return -1;
	}
	sects = hdr.setup_sects ? hdr.setup_sects : DEFAULT_SETUP_SECTS;
	info->setup_len = (sects + 1) * 512;
	if (info->setup_len >= len) {
		*why = "setup size runs past the end of the file";
		return -1;
	}
	info->version = hdr.version;
	info->kernel_len = len - info->setup_len;
	info->init_size = hdr.init_size;
	info->initrd_addr_max = hdr.initrd_addr_max;
	info->cmdline_size = hdr.cmdline_size;
	info->pref_address = hdr.pref_address;
	return 0;
}

/* End of the memory the kernel decompresses into: startup_64 moves itself
 * to max(load address, LOAD_PHYSICAL_ADDR = pref_address) and needs
 * init_size bytes there. */
static uint64_t kernel_end(const struct bzimage_info *info)
{
	uint64_t base = info->pref_address > LAYOUT_KERNEL_GPA
				? info->pref_address
				: LAYOUT_KERNEL_GPA;
	uint64_t size = info->init_size > info->kernel_len ? info->init_size
							   : info->kernel_len;

	/* pref_address is 64 bits of the file's say-so: a corrupt one must
	 * not wrap the sum round to a small end that "fits" in RAM. */
	if (size > UINT64_MAX - base)
		return UINT64_MAX;
	return base + size;
}

int boot_linux_place_initrd(const struct bzimage_info *info,
			    const struct machine *m, uint64_t initrd_len,
			    uint64_t *gpa)
{
	uint64_t top = m->low_ram_end;
	uint64_t addr;

	if (info->initrd_addr_max && (uint64_t)info->initrd_addr_max + 1 < top)
		top = (uint64_t)info->initrd_addr_max + 1;
	if (initrd_len > top)
		return -1;
	addr = (top - initrd_len) & ~0xfffULL;
	if (addr < kernel_end(info))
		return -1;
	*gpa = addr;
	return 0;
}

int boot_linux_fill_params(struct boot_params *bp, const uint8_t *image,
			   const struct bzimage_info *info,
			   const struct machine *m, uint64_t initrd_gpa,
			   uint64_t initrd_len, uint64_t rsdp_gpa)
{
	/* The header runs to 0x202 + the byte at 0x201 (boot.rst). */
	size_t hdr_len = SETUP_MAGIC_OFF + image[0x201] - SETUP_HEADER_OFF;
	int n;

	if (hdr_len > sizeof(bp->hdr))
		hdr_len = sizeof(bp->hdr);
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, image + SETUP_HEADER_OFF, hdr_len);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.cmd_line_ptr = (uint32_t)LAYOUT_CMDLINE_GPA;
	bp->hdr.ramdisk_image = (uint32_t)initrd_gpa;
	bp->hdr.ramdisk_size = (uint32_t)initrd_len;
	bp->ext_ramdisk_image = (uint32_t)(initrd_gpa >> 32);
	bp->ext_ramdisk_size = (uint32_t)(initrd_len >> 32);
	bp->acpi_rsdp_addr = rsdp_gpa;
	n = e820_build(m, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return -1;
	bp->e820_entries = (uint8_t)n;
	return 0;
}

/* GDT and an identity map of the low 4 GiB with 2 MiB pages:
 * PML4[0] -> PDPT, PDPT[0..3] -> four PDs of 512 entries each. */
static int write_boot_tables(const struct gmem *mem)
{
	uint64_t *pml4 = gmem_ptr(mem, LAYOUT_PML4_GPA, 4096);
	uint64_t *pdpt = gmem_ptr(mem, LAYOUT_PDPT_GPA, 4096);
	uint64_t *pd = gmem_ptr(mem, LAYOUT_PD_GPA, 4 * 4096);

	if (!pml4 || !pdpt || !pd ||
	    gmem_write(mem, LAYOUT_GDT_GPA, boot_gdt, sizeof(boot_gdt)) < 0)
		return -1;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = LAYOUT_PDPT_GPA | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_PD_GPA + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
	return 0;
}

static int load_initrd(struct kvm_vm *vm, const struct machine *m,
		       const struct bzimage_info *info, const char *path,
		       uint64_t *gpa, uint64_t *len, char *err, size_t err_len)
{
	void *dst;

	*gpa = *len = 0;
	if (!path)
		return 0;
	if (loadfile_size("initrd", path, len, err, err_len) < 0 ||
	    boot_linux_place_initrd(info, m, *len, gpa) < 0)
		return -1; /* checked in boot_linux_open(); changed since */
	dst = gmem_ptr(&vm->mem, *gpa, *len);
	if (!dst) {
		snprintf(err, err_len, "initrd '%s': no RAM at %#llx", path,
			 (unsigned long long)*gpa);
		return -1;
	}
	return loadfile_read_into("initrd", path, dst, *len, err, err_len);
}

static int write_cmdline(struct kvm_vm *vm, const struct bzimage_info *info,
			 const char *cmdline, char *err, size_t err_len)
{
	size_t len = strlen(cmdline) + 1;
	size_t max = info->cmdline_size ? info->cmdline_size + 1 : 256;

	if (max > LAYOUT_CMDLINE_MAX)
		max = LAYOUT_CMDLINE_MAX;
	if (len > max) {
		snprintf(err, err_len,
			 "kernel command line too long (%zu "
			 "bytes, this kernel takes %zu)",
			 len - 1, max - 1);
		return -1;
	}
	return gmem_write(&vm->mem, LAYOUT_CMDLINE_GPA, cmdline, len);
}

int boot_linux_open(struct boot_linux_image *img, const struct machine *m,
		    const char *kernel_path, const char *initrd_path, char *err,
		    size_t err_len)
{
	const char *why;
	uint64_t initrd_len, initrd_gpa;

	memset(img, 0, sizeof(*img));
	if (loadfile_read("kernel", kernel_path, BZIMAGE_MAX_SIZE, &img->data,
			  &img->len, err, err_len) < 0)
		return -1;
	if (boot_linux_parse(img->data, img->len, &img->info, &why) < 0) {
		snprintf(err, err_len, "kernel '%s': %s", kernel_path, why);
		goto out_close;
	}
	if (kernel_end(&img->info) > m->low_ram_end) {
		snprintf(err, err_len,
			 "kernel '%s' needs more than %llu MiB of "
			 "guest memory; give more --memory",
			 kernel_path,
			 (unsigned long long)(kernel_end(&img->info) >> 20));
		goto out_close;
	}
	if (!initrd_path)
		return 0;
	if (loadfile_size("initrd", initrd_path, &initrd_len, err, err_len) < 0)
		goto out_close;
	if (boot_linux_place_initrd(&img->info, m, initrd_len, &initrd_gpa) <
	    0) {
		snprintf(err, err_len,
			 "initrd '%s' (%llu MiB) does not fit in "
			 "guest memory with the kernel; give "
			 "more --memory",
			 initrd_path, (unsigned long long)(initrd_len >> 20));
		goto out_close;
	}
	return 0;
out_close:
	boot_linux_close(img);
	return -1;
}

void boot_linux_close(struct boot_linux_image *img)
{
	free(img->data);
	img->data = NULL;
}

int boot_linux_load(struct kvm_vm *vm, const struct machine *m,
		    const struct boot_linux_image *img, const char *initrd_path,
		    const char *cmdline, uint64_t rsdp_gpa,
		    struct vcpu_long_mode *entry, char *err, size_t err_len)
{
	const struct bzimage_info *info = &img->info;
	struct boot_params *bp;
	uint64_t initrd_gpa, initrd_len;

	if (gmem_write(&vm->mem, LAYOUT_KERNEL_GPA, img->data + info->setup_len,
		       info->kernel_len) < 0) {
		snprintf(err, err_len, "cannot copy the kernel to guest RAM");
		return -1;
	}
	if (load_initrd(vm, m, info, initrd_path, &initrd_gpa, &initrd_len, err,
			err_len) < 0 ||
	    write_cmdline(vm, info, cmdline, err, err_len) < 0)
		return -1;
	bp = gmem_ptr(&vm->mem, LAYOUT_BOOT_PARAMS_GPA, sizeof(*bp));
	if (!bp || write_boot_tables(&vm->mem) < 0 ||
	    boot_linux_fill_params(bp, img->data, info, m, initrd_gpa,
				   initrd_len, rsdp_gpa) < 0) {
		snprintf(err, err_len, "cannot write boot structures");
		return -1;
	}
	*entry = (struct vcpu_long_mode){
		.rip = LAYOUT_KERNEL_GPA + ENTRY_64_OFF,
		.rsi = LAYOUT_BOOT_PARAMS_GPA,
		.rsp = LAYOUT_BOOT_STACK_GPA,
		.cr3 = LAYOUT_PML4_GPA,
		.gdt_gpa = LAYOUT_GDT_GPA,
		.gdt_limit = sizeof(boot_gdt) - 1,
		.code_sel = GDT_CODE_SEL,
		.data_sel = GDT_DATA_SEL,
		.tss_sel = GDT_TSS_SEL,
	};
	return 0;
}
