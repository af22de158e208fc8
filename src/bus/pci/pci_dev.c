/* pci_dev: one function's configuration space (see pci.h).
 *
 * PCI Local Bus 3.0 §6.1 (header type 0), §6.2.5 (BARs and how software
 * sizes them), §6.7 (capability list). Every byte has a write mask, so
 * sizing needs no special case: the guest writes all-ones, only the address
 * bits above the BAR's size stick, and it reads back the size mask.
 */
#include "pci.h"
#include "pci_internal.h"

#include <errno.h>
#include <string.h>

#include "kvm.h"
#include "log.h"

#define CAP_FIRST 0x40 /* capabilities live after the standard header */

static void set_mask(uint8_t *mask, uint32_t off, uint32_t val, uint32_t len)
{
	pci_put(&mask[off], val, len);
}

void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor,
		  uint16_t device, uint32_t class_code, uint8_t revision)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->intx_gsi = -1;
	d->cap_free = CAP_FIRST;
	pci_put(&d->cfg[PCI_VENDOR_ID], vendor, 2);
	pci_put(&d->cfg[PCI_DEVICE_ID], device, 2);
	d->cfg[PCI_REVISION_ID] = revision;
	pci_put(&d->cfg[PCI_CLASS_PROG], class_code, 3);
	d->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;

	set_mask(d->wmask, PCI_COMMAND,
		 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			 PCI_COMMAND_INTX_DISABLE,
		 2);
	/* The error bits of the status register are write-one-to-clear. */
	set_mask(d->w1cmask, PCI_STATUS,
		 PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
			 PCI_STATUS_REC_TARGET_ABORT |
			 PCI_STATUS_REC_MASTER_ABORT |
			 PCI_STATUS_SIG_SYSTEM_ERROR |
			 PCI_STATUS_DETECTED_PARITY,
		 2);
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff; /* a scratch byte for the OS */
}

void pci_dev_set_subsystem(struct pci_dev *d, uint16_t vendor, uint16_t id)
{
	pci_put(&d->cfg[PCI_SUBSYSTEM_VENDOR_ID], vendor, 2);
	pci_put(&d->cfg[PCI_SUBSYSTEM_ID], id, 2);
}

int pci_dev_add_bar(struct pci_dev *d, unsigned int idx, uint64_t size,
		    bool is64, const struct iobus_ops *ops, void *opaque)
{
	struct pci_bar *bar;

	if (idx >= PCI_STD_NUM_BARS || (is64 && idx + 1 >= PCI_STD_NUM_BARS) ||
	    size < 16 || (size & (size - 1)) || (!is64 && size > (1ULL << 31)))
		return -EINVAL;
	/* Taken, or the upper half of a 64-bit BAR, or its own upper half
	 * is taken. */
	if (d->bar[idx].size || (idx && d->bar[idx - 1].is64) ||
	    (is64 && d->bar[idx + 1].size))
		return -EINVAL;
	if (size < 4096)
		size = 4096;
	bar = &d->bar[idx];
	bar->size = size;
	bar->is64 = is64;
	bar->ops = ops;
	bar->opaque = opaque;
	bar->dev = d;
	bar->idx = (uint8_t)idx;
	return 0;
}

/* Writes the BAR's address and type bits and the masks that make sizing
 * work: only address bits at or above the size are writable. */
void pci_dev_program_bar(struct pci_dev *d, unsigned int idx, uint64_t gpa)
{
	struct pci_bar *bar = &d->bar[idx];
	uint32_t off = PCI_BASE_ADDRESS_0 + 4 * idx;
	uint64_t mask = ~(bar->size - 1);
	uint32_t type = bar->is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64
				  : PCI_BASE_ADDRESS_MEM_TYPE_32;

	bar->gpa = gpa;
	pci_put(&d->cfg[off], (uint32_t)gpa | type, 4);
	set_mask(d->wmask, off, (uint32_t)mask & PCI_BASE_ADDRESS_MEM_MASK, 4);
	if (bar->is64) {
		pci_put(&d->cfg[off + 4], (uint32_t)(gpa >> 32), 4);
		set_mask(d->wmask, off + 4, (uint32_t)(mask >> 32), 4);
	}
}

/* True while the BAR decodes: memory decoding on and the register still
 * holds the address we mapped (not a sizing pattern, not a move). */
static bool bar_live(const struct pci_bar *bar)
{
	const struct pci_dev *d = bar->dev;
	uint32_t off = PCI_BASE_ADDRESS_0 + 4 * bar->idx;
	uint64_t reg = pci_get(&d->cfg[off], 4) & PCI_BASE_ADDRESS_MEM_MASK;

	if (bar->is64)
		reg |= (uint64_t)pci_get(&d->cfg[off + 4], 4) << 32;
	return (d->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY) && reg == bar->gpa;
}

static void bar_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct pci_bar *bar = opaque;

	if (!bar_live(bar)) {
		memset(data, 0xff, len);
		return;
	}
	bar->ops->read(bar->opaque, off, data, len);
}

static void bar_write(void *opaque, uint64_t off, const void *data,
		      uint32_t len)
{
	struct pci_bar *bar = opaque;

	if (bar_live(bar))
		bar->ops->write(bar->opaque, off, data, len);
}

const struct iobus_ops pci_bar_ops = {.read = bar_read, .write = bar_write};

int pci_dev_add_cap(struct pci_dev *d, uint8_t id, const void *body,
		    uint8_t len)
{
	uint32_t off = d->cap_free;

	if (len < 2 || off + len > PCI_CFG_LEN)
		return -ENOSPC;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0; /* end of list */
	if (body)
		memcpy(&d->cfg[off + 2], body, len - 2u);
	if (d->cap_last)
		d->cfg[d->cap_last + 1] = (uint8_t)off;
	else
		d->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->cap_last = (uint8_t)off;
	d->cap_free = (uint8_t)((off + len + 3) & ~3u);
	if (off + len + 3 > PCI_CFG_LEN - 1)
		d->cap_free = PCI_CFG_LEN - 1; /* full: next add fails */
	return (int)off;
}

uint32_t pci_cfg_read(struct pci_dev *d, uint32_t off, uint32_t len)
{
	if (off >= PCI_CFG_LEN || len > PCI_CFG_LEN - off)
		return 0; /* extended space: "no extended capabilities" */
	if (d->ops && d->ops->cfg_read)
		d->ops->cfg_read(d, off, len);
	return pci_get(&d->cfg[off], len);
}

void pci_cfg_write(struct pci_dev *d, uint32_t off, uint32_t val, uint32_t len)
{
	if (off >= PCI_CFG_LEN || len > PCI_CFG_LEN - off)
		return;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		uint8_t *p = &d->cfg[off + i];

		*p = (uint8_t)((*p & ~d->wmask[off + i]) |
			       (b & d->wmask[off + i]));
		*p &= (uint8_t) ~(b & d->w1cmask[off + i]);
	}
	/* Masking INTx drops a pending level; unmasking brings it back. */
	if (off <= PCI_COMMAND + 1 && off + len > PCI_COMMAND)
		pci_dev_set_intx(d, d->intx_asserted);
	if (d->ops && d->ops->cfg_write)
		d->ops->cfg_write(d, off, len);
}

void pci_dev_set_intx(struct pci_dev *d, bool level)
{
	if (!d->host)
		return;
	pthread_mutex_lock(&d->host->intx_lock);
	pci_dev_intx_update(d, level);
	pthread_mutex_unlock(&d->host->intx_lock);
}

void pci_dev_intx_update(struct pci_dev *d, bool level)
{
	bool masked =
		pci_get(&d->cfg[PCI_COMMAND], 2) & PCI_COMMAND_INTX_DISABLE;

	d->intx_asserted = level;
	/* Status bit 3 shows the pending INTx even while it is masked. */
	if (level)
		d->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		d->cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	if (d->intx_gsi >= 0)
		kvm_irq_line(d->host->vm, (uint32_t)d->intx_gsi,
			     level && !masked);
}
