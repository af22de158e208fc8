/* pci: a PCI host bridge on bus 0, its config space and BARs.
 *
 * PCI Local Bus 3.0 §6 (configuration space, header type 0, BARs,
 * capability list), PCI-to-PCI bridge-free "type 1" access through ports
 * 0xCF8/0xCFC (§3.2.2.3.2), and PCIe 6.0 §7.2.2 ECAM. One bus, 32 slots,
 * function 0 only. BARs are placed once by the VMM and stay there: the
 * guest may size them, but a BAR decodes only while it holds the address we
 * gave it (see docs/pci.md). Depends on src/kvm.
 */
#ifndef VMM_BUS_PCI_PCI_H
#define VMM_BUS_PCI_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/pci_regs.h>

#include "iobus.h"

struct kvm_vm;
struct kvm_msi_table;

#define PCI_HOST_SLOTS	    32
#define PCI_CFG_LEN	    256	 /* what we model; ECAM's 4 KiB rest reads 0 */
#define PCI_ECAM_FN_LEN	    4096 /* ECAM bytes per function */
#define PCI_ECAM_BUS0_LEN   (PCI_HOST_SLOTS * 8 * PCI_ECAM_FN_LEN) /* 1 MiB */
#define PCI_PORT_CONFIG	    0xcf8 /* CONFIG_ADDRESS, CONFIG_DATA at 0xcfc */
#define PCI_PORT_CONFIG_LEN 8
#define PCI_CONFIG_ENABLE   0x80000000u

struct pci_dev;

/* Per-device hooks; all optional. Called with the host's config lock held. */
struct pci_dev_ops {
	/* Before a config read of [off, off + len): refresh dynamic bytes. */
	void (*cfg_read)(struct pci_dev *d, uint32_t off, uint32_t len);
	/* After a config write to [off, off + len) was applied. */
	void (*cfg_write)(struct pci_dev *d, uint32_t off, uint32_t len);
};

struct pci_bar {
	uint64_t gpa, size; /* size 0: not implemented */
	bool is64;
	const struct iobus_ops *ops; /* the device's handlers */
	void *opaque;
	struct pci_dev *dev;
	uint8_t idx;
};

/* One function's config space. cfg holds the bytes the guest reads; a write
 * changes only the bits set in wmask and clears the bits set in w1cmask
 * (write-one-to-clear status bits); everything else is read-only. */
struct pci_dev {
	struct pci_host *host;
	const struct pci_dev_ops *ops;
	void *priv;
	const char *name;
	uint8_t slot;
	uint8_t cap_last; /* config offset of the last capability, 0: none */
	uint8_t cap_free; /* first free config byte for the next one */
	int intx_gsi;	  /* -1: no INTx */
	bool intx_asserted;
	uint8_t cfg[PCI_CFG_LEN];
	uint8_t wmask[PCI_CFG_LEN];
	uint8_t w1cmask[PCI_CFG_LEN];
	struct pci_bar bar[PCI_STD_NUM_BARS];
};

/* The machine's choice of windows and interrupts; see src/vmm/layout.h. */
struct pci_host_config {
	uint64_t ecam_gpa, ecam_len;	 /* ecam_len: PCI_ECAM_BUS0_LEN, or 0 */
	uint64_t mmio32_gpa, mmio32_len; /* BARs go here ... */
	uint64_t mmio64_gpa, mmio64_len; /* ... and 64-bit ones here if len */
	uint32_t intx_gsi_base, intx_gsi_count; /* e.g. 16, 8 */
};

struct pci_host {
	struct kvm_vm *vm;
	struct kvm_msi_table *msi;
	struct pci_host_config cfg;
	uint64_t mmio32_next, mmio64_next; /* bump allocators for BARs */
	pthread_mutex_t lock;		   /* config accesses, CF8 latch */
	pthread_mutex_t intx_lock;	   /* INTx levels; taken last */
	uint32_t config_address;	   /* the CF8 register */
	struct pci_dev bridge;		   /* 00:00.0 */
	struct pci_dev *slots[PCI_HOST_SLOTS];
};

/* Which GSI INTx pin (1 = INTA .. 4 = INTD) of slot raises: the usual
 * swizzle over intx_gsi_count lines. The ACPI _PRT uses the same formula. */
static inline uint32_t pci_intx_gsi(uint32_t base, uint32_t count,
				    unsigned int slot, unsigned int pin)
{
	return base + (slot + pin - 1) % count;
}

/* Creates the host bridge at 00:00.0 and claims ports 0xCF8-0xCFF and the
 * ECAM range. msi may be NULL (no MSI-X). Returns 0 or -errno (-EINVAL for
 * windows that are empty or not aligned to 1 MiB, or an ECAM range that is
 * not 1 MiB). */
int pci_host_init(struct pci_host *h, struct kvm_vm *vm,
		  struct kvm_msi_table *msi, const struct pci_host_config *cfg);
void pci_host_destroy(struct pci_host *h);

/* Sets up d as a header type 0 function: ids, class (24 bits: class,
 * subclass, prog-if), revision, and the write masks of the standard header.
 * Does not plug it in. */
void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor,
		  uint16_t device, uint32_t class_code, uint8_t revision);
void pci_dev_set_subsystem(struct pci_dev *d, uint16_t vendor, uint16_t id);

/* Plugs d into the first free slot (1..31), wires INTA if intx, and maps
 * its BARs. Returns the slot, -ENOSPC, or -errno from the bus. */
int pci_host_add(struct pci_host *h, struct pci_dev *d, bool intx);

/* Declares BAR idx (before pci_host_add): a memory BAR of size bytes (a
 * power of 2, >= 16; rounded up to 4 KiB so BARs never share a page), 64-bit
 * if is64 (takes idx + 1 too). ops/opaque handle accesses at offsets into
 * the BAR. -EINVAL for a bad index or size. */
int pci_dev_add_bar(struct pci_dev *d, unsigned int idx, uint64_t size,
		    bool is64, const struct iobus_ops *ops, void *opaque);

/* Appends a capability of len bytes (>= 2) with id to the capability list,
 * copying body (bytes 2..len-1, may be NULL). Returns its config offset, or
 * -ENOSPC. The caller then sets write masks for any writable bytes. */
int pci_dev_add_cap(struct pci_dev *d, uint8_t id, const void *body,
		    uint8_t len);

/* Config space access as the guest sees it, with read-only and W1C bits
 * applied; off + len beyond 256 reads 0 and ignores writes. */
uint32_t pci_cfg_read(struct pci_dev *d, uint32_t off, uint32_t len);
void pci_cfg_write(struct pci_dev *d, uint32_t off, uint32_t val, uint32_t len);

/* INTx level for the device's pin (ignored while INTX_DISABLE is set). */
void pci_dev_set_intx(struct pci_dev *d, bool level);

/* Little-endian helpers for config bytes and register blocks. */
static inline uint32_t pci_get(const uint8_t *p, uint32_t len)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < len; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void pci_put(uint8_t *p, uint32_t val, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(val >> (8 * i));
}

#endif
