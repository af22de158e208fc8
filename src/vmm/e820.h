/* e820: the BIOS memory map handed to Linux in boot_params
 * (ACPI 6.5 §15 "System Address Map Interfaces"; Linux boot protocol). */
#ifndef VMM_E820_H
#define VMM_E820_H

#include <asm/bootparam.h>

#include "machine.h"

/* Fills table (room for max entries) with the guest's RAM and the reserved
 * low-memory holes. Returns the number of entries, or -1 if max is too
 * small. */
int e820_build(const struct machine *m, struct boot_e820_entry *table,
	       unsigned int max);

#endif
