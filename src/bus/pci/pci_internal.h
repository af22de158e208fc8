/* pci_internal: what pci.c, pci_dev.c and pci_msix.c share, not for
 * devices or the machine. */
#ifndef VMM_BUS_PCI_PCI_INTERNAL_H
#define VMM_BUS_PCI_PCI_INTERNAL_H

#include "pci.h"

/* Handlers registered on the MMIO bus for every BAR: they check that the
 * BAR decodes, then call the device's ops. */
extern const struct iobus_ops pci_bar_ops;

/* Puts BAR idx at gpa: register value and sizing masks. */
void pci_dev_program_bar(struct pci_dev *d, unsigned int idx, uint64_t gpa);

/* Drives the INTx line; caller holds host->intx_lock. */
void pci_dev_intx_update(struct pci_dev *d, bool level);

#endif
