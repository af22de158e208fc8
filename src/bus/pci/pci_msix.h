/* pci_msix: the MSI-X capability, its table and pending bit array.
 *
 * PCI Local Bus 3.0 §6.8.2 (MSI-X). Each vector owns a KVM GSI with an MSI
 * route and an irqfd (src/kvm/kvm_msi.h): the guest's message becomes the
 * route when it unmasks the vector, and raising the vector is one eventfd
 * write. A masked vector sets its pending bit and fires on unmask. Depends
 * on pci.h and src/kvm.
 */
#ifndef VMM_BUS_PCI_PCI_MSIX_H
#define VMM_BUS_PCI_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define PCI_MSIX_MAX_VECTORS 64
#define PCI_MSIX_CAP_LEN     12

/* One table entry as the guest sees it (§6.8.2.8): 16 bytes. */
struct pci_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct pci_msix {
	struct pci_dev *dev;
	struct kvm_msi_table *msi;
	uint16_t nvec;
	uint8_t cap;		     /* config offset of the capability */
	uint32_t table_off, pba_off; /* offsets in the BAR */
	pthread_mutex_t lock;	     /* table, pending bits, enable state */
	bool enabled, func_masked;   /* from Message Control */
	struct pci_msix_entry table[PCI_MSIX_MAX_VECTORS];
	uint64_t pba;
	int gsi[PCI_MSIX_MAX_VECTORS];
};

/* Adds the capability to d (table at table_off, PBA at pba_off, both in BAR
 * bar, 8-byte aligned) and allocates one GSI per vector from msi. Every
 * vector starts masked. -EINVAL for nvec 0 or above PCI_MSIX_MAX_VECTORS,
 * -ENOSPC, or an error from kvm_msi_alloc. */
int pci_msix_init(struct pci_msix *m, struct pci_dev *d,
		  struct kvm_msi_table *msi, uint16_t nvec, unsigned int bar,
		  uint32_t table_off, uint32_t pba_off);
void pci_msix_destroy(struct pci_msix *m);

/* The device's cfg_write hook forwards config writes here; a change of the
 * enable or function-mask bit takes effect (pending vectors may fire). */
void pci_msix_cfg_write(struct pci_msix *m, uint32_t off, uint32_t len);

/* Accesses to the table / PBA, off relative to table_off / pba_off. Dword
 * or qword, naturally aligned (§6.8.2); anything else reads 0 and is
 * dropped. The PBA is read-only. */
void pci_msix_table_read(struct pci_msix *m, uint64_t off, void *data,
			 uint32_t len);
void pci_msix_table_write(struct pci_msix *m, uint64_t off, const void *data,
			  uint32_t len);
void pci_msix_pba_read(struct pci_msix *m, uint64_t off, void *data,
		       uint32_t len);

bool pci_msix_enabled(struct pci_msix *m);
/* Raises vector vec: signalled, or left pending if masked. Returns 0,
 * -EINVAL for a vector out of range, -ENODEV if MSI-X is disabled (the
 * caller falls back to INTx). Safe from any thread. */
int pci_msix_raise(struct pci_msix *m, uint16_t vec);

#endif
