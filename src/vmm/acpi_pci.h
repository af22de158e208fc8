/* acpi_pci: the PCI host bridge as ACPI describes it: the PCI0 device in
 * the DSDT (PCI Firmware Spec 3.3 §4.1, ACPI 6.5 §6.1.1 _HID/_CID, §6.2.2
 * _CRS, §6.2.13 _PRT) and the MCFG entry for its ECAM window (PCI Firmware
 * Spec 3.3 §4.1.2).
 */
#ifndef VMM_ACPI_PCI_H
#define VMM_ACPI_PCI_H

#include "aml.h"
#include "machine.h"

/* Device(PCI0) with bus range, memory windows and INTx routing, written
 * inside the caller's \_SB_ scope. */
void acpi_pci_dsdt(struct aml_buf *b, const struct machine_pci *pci);

#endif
