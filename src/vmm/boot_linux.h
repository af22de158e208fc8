/* boot_linux: load a bzImage and start it through its 64-bit entry point
 * (Linux Documentation/arch/x86/boot.rst, protocol 2.10 and later).
 */
#ifndef VMM_BOOT_LINUX_H
#define VMM_BOOT_LINUX_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

struct kvm_vm;
struct vcpu_long_mode;

#define BOOT_LINUX_MIN_VERSION 0x020a

/* What the loader needs from a bzImage's setup header. */
struct bzimage_info {
	uint16_t version;
	size_t setup_len;  /* real-mode part: (setup_sects + 1) * 512 */
	size_t kernel_len; /* protected-mode part that follows it */
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint64_t pref_address;
};

/* Validates a bzImage held in memory: size, "HdrS" magic, protocol
 * version >= 2.10, a 64-bit entry point (XLF_KERNEL_64), a setup size
 * inside the file. Returns 0, or -1 with a reason in *why. */
int boot_linux_parse(const uint8_t *image, size_t len,
		     struct bzimage_info *info, const char **why);

/* Picks the initrd's guest address: as high as allowed below
 * min(initrd_addr_max, low RAM end), 4 KiB aligned, above the memory the
 * kernel decompresses into. Returns 0 or -1 if it does not fit. */
int boot_linux_place_initrd(const struct bzimage_info *info,
			    const struct machine *m, uint64_t initrd_len,
			    uint64_t *gpa);

/* Fills the zero page: the image's setup header, loader type, command
 * line and initrd pointers, the e820 map and the RSDP address. */
int boot_linux_fill_params(struct boot_params *bp, const uint8_t *image,
			   const struct bzimage_info *info,
			   const struct machine *m, uint64_t initrd_gpa,
			   uint64_t initrd_len, uint64_t rsdp_gpa);

/* A kernel read and checked before the VM exists, so that a bad file is
 * reported before any KVM work is done. */
struct boot_linux_image {
	uint8_t *data;
	size_t len;
	struct bzimage_info info;
};

/* Reads and validates the kernel, and checks that it and the initrd (if
 * any) fit in the machine's RAM. Returns 0 or -1 with a one-line message
 * in err. */
int boot_linux_open(struct boot_linux_image *img, const struct machine *m,
		    const char *kernel_path, const char *initrd_path, char *err,
		    size_t err_len);
void boot_linux_close(struct boot_linux_image *img);

/* Copies kernel and initrd into guest RAM, writes boot params, command
 * line, GDT and page tables, and fills *entry for the boot vCPU. Returns 0
 * or -1 with a one-line message in err. */
int boot_linux_load(struct kvm_vm *vm, const struct machine *m,
		    const struct boot_linux_image *img, const char *initrd_path,
		    const char *cmdline, uint64_t rsdp_gpa,
		    struct vcpu_long_mode *entry, char *err, size_t err_len);

#endif
