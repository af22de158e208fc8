/* options: the vmm command line.
 *
 * Parsing is pure (no I/O, no exit) so that it is unit-tested: every
 * problem comes back as one line of text for main() to print.
 */
#ifndef VMM_OPTIONS_H
#define VMM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox.h"

#define OPTIONS_DEFAULT_MEMORY (512ULL << 20)
#define OPTIONS_MIN_MEMORY     (16ULL << 20)
#define OPTIONS_MAX_MEMORY     (1ULL << 40) /* 1 TiB */
#define OPTIONS_MAX_CPUS       64
#define OPTIONS_APPEND_MAX     4096
#define OPTIONS_MAX_DISKS      8
#define OPTIONS_MAX_DEVICES    8
#define OPTIONS_MAX_NETS       4

enum options_console { CONSOLE_SERIAL, CONSOLE_VIRTIO, CONSOLE_NONE };
enum options_reboot { REBOOT_EXIT, REBOOT_RESTART };

struct vmm_options {
	const char *kernel;
	const char *initrd;
	char append[OPTIONS_APPEND_MAX]; /* every --append, space-joined */
	const char *raw; /* flat real-mode binary instead of a kernel */
	uint64_t memory; /* bytes */
	unsigned int cpus;
	enum options_console console;
	/* --console virtio,FIELDS: the console device's fields (e.g.
	 * "transport=mmio"), parsed by device_table.c; NULL: none. */
	const char *console_fields;
	enum options_reboot reboot;
	enum sandbox_mode seccomp;
	/* Device specs as typed ("PATH,key=val" / "NAME,key=val"); parsed by
	 * device_table.c, which knows each device's keys. */
	const char *disks[OPTIONS_MAX_DISKS];
	unsigned int nr_disks;
	const char *devices[OPTIONS_MAX_DEVICES];
	unsigned int nr_devices;
	const char *nets[OPTIONS_MAX_NETS]; /* --net specs, as typed */
	unsigned int nr_nets;
	const char *control; /* --control: Unix socket for commands */
	/* --transport: every virtio device's transport unless its own
	 * transport= field says otherwise; parsed by device_table.c. NULL:
	 * PCI. */
	const char *transport;
	bool mmio_cmdline;    /* virtio_mmio.device= words, not the DSDT */
	const char *dump_dtb; /* write the device tree here */
	bool print_layout;    /* the layout on stdout before the guest runs */
	int verbosity;	      /* 0 warnings, 1 info, 2 debug */
	bool help, version;
};

/* Parses argv into *o (defaults first). Returns 0, or -1 with a one-line
 * description of the problem in err. A guest (--kernel or --raw) is needed
 * unless --print-layout or --dump-dtb asks only to describe the machine. */
int options_parse(int argc, char **argv, struct vmm_options *o, char *err,
		  size_t err_len);

/* "512M", "2G", "1024K", "4096" (MiB when no suffix). Returns 0 or -1 for
 * anything else, including overflow. */
int options_parse_size(const char *s, uint64_t *bytes);

/* The --help text. */
extern const char options_usage[];

#endif
