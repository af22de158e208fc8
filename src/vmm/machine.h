/* machine: the one description of the guest machine.
 *
 * Built once from the options in machine.c (the virtio devices placed by
 * machine_layout.c); the ACPI tables, the e820 map, the device tree, the
 * kernel command line's virtio_mmio.device= words and --print-layout are
 * all generated from it, so they cannot disagree about what exists where.
 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MACHINE_MAX_CPUS	64
#define MACHINE_MAX_LEGACY_DEVS 16
#define MACHINE_MAX_VIRTIO	32

/* A legacy ISA device the DSDT should describe (PNP id, ports, IRQ). */
struct machine_legacy_dev {
	const char *acpi_name; /* 4 chars, e.g. "COM1" */
	const char *pnp_id;    /* e.g. "PNP0501" */
	uint16_t port, port_len;
	int irq; /* ISA IRQ, or -1 for none */
};

/* The PCI host bridge, when present: what the ACPI MCFG table and the PCI0
 * device of the DSDT describe, and what pci_host_init() is given. */
struct machine_pci {
	int present;
	uint64_t ecam_gpa, ecam_len; /* bus 0 only */
	uint64_t mmio32_gpa, mmio32_len;
	uint64_t mmio64_gpa, mmio64_len; /* len 0: no 64-bit window */
	uint32_t intx_gsi_base, intx_gsi_count;
};

/* How a virtio device reaches the guest. */
enum machine_transport {
	MACHINE_TRANSPORT_PCI,
	MACHINE_TRANSPORT_MMIO,
};

/* A virtio-mmio device: its register window and IOAPIC line, fixed when
 * the machine is described (machine_layout_add_virtio), before any device
 * exists. What the DSDT's LNRO0005 devices, the MADT's overrides, the
 * device tree and --mmio-cmdline all say. */
struct machine_mmio_dev {
	uint64_t gpa, len;
	uint32_t gsi;	      /* level-triggered, active-high */
	unsigned int version; /* 2, or 1 for the legacy register layout */
};

/* A virtio-pci device: where the bus put it (filled in when it is plugged;
 * the guest finds it by probing the bus, so no table describes it). */
struct machine_pci_dev {
	unsigned int slot;	   /* bus 0, function 0 */
	uint64_t bar_gpa, bar_len; /* the virtio structures (BAR 0) */
	unsigned int msix_vectors; /* 0: INTx only */
	uint32_t intx_gsi;
};

/* One virtio device of the machine. */
struct machine_virtio {
	const char *kind;   /* "virtio-blk", ...: device_table.c's names */
	const char *option; /* what the user typed, for messages */
	enum machine_transport transport;
	union {
		struct machine_mmio_dev mmio;
		struct machine_pci_dev pci;
	};
};

struct machine {
	unsigned int nr_cpus;
	uint64_t ram_size;	/* total guest RAM */
	uint64_t low_ram_end;	/* RAM is [0, low_ram_end) ... */
	uint64_t high_ram_size; /* ... and [4 GiB, 4 GiB + high_ram_size) */
	struct machine_legacy_dev legacy[MACHINE_MAX_LEGACY_DEVS];
	unsigned int nr_legacy;
	struct machine_pci pci;
	struct machine_virtio virtio[MACHINE_MAX_VIRTIO];
	unsigned int nr_virtio;
	/* virtio-mmio devices are announced on the kernel command line
	 * (virtio_mmio.device=...) instead of in the DSDT. */
	bool mmio_cmdline;
};

struct vmm_options;

/* Fills *m from the options: CPU count, the RAM split around the PCI hole,
 * and the legacy devices every machine has (COM1, RTC). */
void machine_describe(struct machine *m, const struct vmm_options *o);

/* Runs the whole VM: builds it, boots it, waits for it to stop, tears it
 * down. Returns the exit status for vmm (>= 0), or -1 with a one-line
 * message in err when the host side could not be set up. */
struct timespec;
int machine_run(const struct vmm_options *o, const struct timespec *start,
		char *err, size_t err_len);

/* Ends the thread that takes SIGINT/SIGTERM/SIGHUP, so that from now on
 * such a signal stays pending (and survives an exec), and returns the
 * signal that already stopped the VM, or 0. */
int machine_stop_signals(void);

#endif
