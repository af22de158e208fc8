/* dtb: the whole machine as a flattened device tree (Devicetree
 * Specification v0.4, §5 the blob, §3 the standard nodes), built with
 * libfdt from struct machine, the description the ACPI tables come from.
 *
 * x86 Linux boots from ACPI and never sees this tree: --dump-dtb writes it
 * for people to read (dtc -I dtb -O dts, docs/device-tree.md).
 */
#ifndef VMM_DTB_H
#define VMM_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

/* The IOAPIC's phandle, and its interrupt specifier <pin type>, with type
 * as Linux's arch/x86/kernel/devicetree.c reads it. */
#define DTB_PHANDLE_IOAPIC	  1
#define DTB_IRQ_EDGE_LOW	  0
#define DTB_IRQ_LEVEL_HIGH	  1
#define DTB_IRQ_LEVEL_LOW	  2
#define DTB_IRQ_EDGE_HIGH	  3
#define DTB_PCI_INTERRUPT_MAP_LEN (32 * 4) /* every slot, INTA-INTD */

/* What the boot loader adds under /chosen. */
struct dtb_boot {
	const char *cmdline;		 /* bootargs; NULL: none */
	uint64_t initrd_gpa, initrd_len; /* len 0: no initrd */
};

/* Builds the tree for m: the root, /chosen, /cpus, /memory (the e820 RAM
 * ranges), the local APIC and IOAPIC, one virtio,mmio node per virtio-mmio
 * device and the PCI host bridge when m has one. Returns 0 with a malloc'd
 * blob in *blob and its size in *len (the caller frees it), -ENOMEM, or
 * -EINVAL if libfdt refuses what it is given. */
int dtb_build(const struct machine *m, const struct dtb_boot *boot, void **blob,
	      size_t *len);

/* --dump-dtb FILE, opened before the VM exists so that a bad path is
 * reported first, and written once the machine is built. An existing file
 * is kept as it is until dtb_file_write(). */
struct dtb_file {
	int fd;	      /* -1: not open */
	bool created; /* by us: removed again if never written */
	bool written;
	const char *path;
};

/* Opens (creating if need be) path for writing. 0, or -1 with "--dump-dtb
 * 'PATH': reason" in err. */
int dtb_file_open(struct dtb_file *f, const char *path, char *err,
		  size_t err_len);
/* Replaces the file's contents with the tree of m. 0 or -1 with a message. */
int dtb_file_write(struct dtb_file *f, const struct machine *m,
		   const struct dtb_boot *boot, char *err, size_t err_len);
/* Closes the file; removes it if dtb_file_open created it and nothing was
 * written. A closed or never opened f is ignored. */
void dtb_file_close(struct dtb_file *f);

#endif
