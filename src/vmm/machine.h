/* machine: the one description of the guest machine.
 *
 * Built once from the options in machine.c; the ACPI tables, the e820 map
 * and (later) the device tree are all generated from it, so they cannot
 * disagree about what exists where.
 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#define MACHINE_MAX_CPUS	64
#define MACHINE_MAX_LEGACY_DEVS 16

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

struct machine {
	unsigned int nr_cpus;
	uint64_t ram_size;	/* total guest RAM */
	uint64_t low_ram_end;	/* RAM is [0, low_ram_end) ... */
	uint64_t high_ram_size; /* ... and [4 GiB, 4 GiB + high_ram_size) */
	struct machine_legacy_dev legacy[MACHINE_MAX_LEGACY_DEVS];
	unsigned int nr_legacy;
	struct machine_pci pci;
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
