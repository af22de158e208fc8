/* e820: the guest memory map (see e820.h).
 *
 * RAM below the EBDA, the EBDA-to-1 MiB area reserved (where the ACPI tables
 * live; Linux also scans it for the RSDP), RAM from 1 MiB to the PCI hole,
 * the PCI ECAM window (reserved) when there is a PCI bus, and RAM above
 * 4 GiB when the guest has more than fits below the hole.
 */
#include "e820.h"

#include <asm/e820.h>

#include "layout.h"

int e820_build(const struct machine *m, struct boot_e820_entry *table,
	       unsigned int max)
{
	struct boot_e820_entry entries[5];
	unsigned int n = 0;

	entries[n++] = (struct boot_e820_entry){
		.addr = 0, .size = LAYOUT_EBDA_GPA, .type = E820_RAM};
	entries[n++] = (struct boot_e820_entry){.addr = LAYOUT_EBDA_GPA,
						.size = LAYOUT_KERNEL_GPA -
							LAYOUT_EBDA_GPA,
						.type = E820_RESERVED};
	entries[n++] = (struct boot_e820_entry){.addr = LAYOUT_KERNEL_GPA,
						.size = m->low_ram_end -
							LAYOUT_KERNEL_GPA,
						.type = E820_RAM};
	/* Linux uses ECAM only if firmware reserved it (pci_mmcfg_reserved). */
	if (m->pci.present)
		entries[n++] = (struct boot_e820_entry){.addr = m->pci.ecam_gpa,
							.size = m->pci.ecam_len,
							.type = E820_RESERVED};
	if (m->high_ram_size)
		entries[n++] =
			(struct boot_e820_entry){.addr = LAYOUT_HIGH_RAM_GPA,
						 .size = m->high_ram_size,
						 .type = E820_RAM};
	if (n > max)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		table[i] = entries[i];
	return (int)n;
}
