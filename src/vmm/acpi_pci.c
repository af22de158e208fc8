/* acpi_pci: PCI0 in AML (see acpi_pci.h).
 *
 * _PRT tells the guest which GSI each slot's INTA-INTD pin raises; it uses
 * the same swizzle as the bridge itself (pci_intx_gsi), so the two cannot
 * disagree. The GSIs are level-triggered, active-low: the default for a
 * _PRT entry whose source is a global system interrupt (§6.2.13).
 */
#include "acpi_pci.h"

#include "pci.h"

#define PCI_SLOTS 32
#define PCI_PINS  4

/* _PRT: Package { Package { slot << 16 | 0xffff, pin, 0, gsi } ... } */
static void dsdt_prt(struct aml_buf *b, const struct machine_pci *pci)
{
	aml_name(b, "_PRT");
	aml_package(b, PCI_SLOTS * PCI_PINS);
	for (unsigned int slot = 0; slot < PCI_SLOTS; slot++) {
		for (unsigned int pin = 0; pin < PCI_PINS; pin++) {
			aml_package(b, 4);
			aml_integer(b, ((uint64_t)slot << 16) | 0xffff);
			aml_integer(b, pin);
			aml_integer(b, 0); /* source: a GSI, not a link */
			aml_integer(b, pci_intx_gsi(pci->intx_gsi_base,
						    pci->intx_gsi_count, slot,
						    pin + 1));
			aml_end(b);
		}
	}
	aml_end(b);
}

/* _CRS: bus 0 only, then the windows BARs are placed in. The config ports
 * 0xcf8-0xcff are the bridge's own, so they are consumed, not produced. */
static void dsdt_crs(struct aml_buf *b, const struct machine_pci *pci)
{
	aml_name(b, "_CRS");
	aml_resource_template(b);
	aml_res_word_bus_number(b, 0, 1);
	aml_res_io(b, 0xcf8, 0xcf8, 1, 8);
	aml_res_dword_memory(b, (uint32_t)pci->mmio32_gpa, pci->mmio32_len,
			     false);
	if (pci->mmio64_len)
		aml_res_qword_memory(b, pci->mmio64_gpa, pci->mmio64_len,
				     false);
	aml_end(b);
}

void acpi_pci_dsdt(struct aml_buf *b, const struct machine_pci *pci)
{
	aml_device(b, "PCI0");
	aml_name(b, "_HID");
	aml_eisaid(b, "PNP0A08"); /* PCI Express root bridge (has ECAM) */
	aml_name(b, "_CID");
	aml_eisaid(b, "PNP0A03"); /* PCI root bridge */
	aml_name(b, "_SEG");
	aml_integer(b, 0);
	aml_name(b, "_BBN");
	aml_integer(b, 0);
	aml_name(b, "_UID");
	aml_integer(b, 0);
	dsdt_crs(b, pci);
	dsdt_prt(b, pci);
	aml_end(b);
}
