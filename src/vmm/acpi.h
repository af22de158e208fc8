/* acpi: the ACPI tables that describe the machine to the guest
 * (ACPI 6.5: RSDP §5.2.5, XSDT §5.2.8, FADT §5.2.9 hardware-reduced,
 * MADT §5.2.12, DSDT §5.2.11.1 in AML).
 *
 * Built from struct machine into guest memory at LAYOUT_ACPI_GPA.
 */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H

#include <stdint.h>

#include "gmem.h"
#include "machine.h"

/* Writes all tables into guest RAM starting at LAYOUT_ACPI_GPA (RSDP first,
 * 16-byte aligned, so a BIOS-area scan finds it) and sets *rsdp_gpa.
 * Returns 0, or -ENOSPC if they do not fit in LAYOUT_ACPI_SIZE, -EFAULT if
 * that area is not RAM, or -EINVAL if m is malformed (see below). The area
 * must also be reserved in the e820 map; the caller owns that. */
int acpi_build(const struct machine *m, const struct gmem *mem,
	       uint64_t *rsdp_gpa);

/* acpi_build() into [gpa, gpa + size) instead of the LAYOUT_ACPI_* area,
 * so tests can probe the limits. Also -EINVAL if gpa is not 16-byte
 * aligned, size is 0, or m is malformed (no CPUs or more than
 * MACHINE_MAX_CPUS, a legacy device with a bad name, PNP id, port range or
 * IRQ, or two with one name). */
int acpi_build_at(const struct machine *m, const struct gmem *mem, uint64_t gpa,
		  uint64_t size, uint64_t *rsdp_gpa);

#endif
