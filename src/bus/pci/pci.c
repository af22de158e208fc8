/* pci: the host bridge, its two config-space doors, and the slot table.
 *
 * PCI Local Bus 3.0 §3.2.2.3.2 configuration mechanism #1 (CONFIG_ADDRESS
 * at 0xCF8, CONFIG_DATA at 0xCFC-0xCFF) and PCIe 6.0 §7.2.2 ECAM (bus 0
 * only: device in bits 19:15, function 14:12, register 11:0). Both doors
 * end in pci_cfg_read/pci_cfg_write on the function they name, found by
 * indexing the slot table: config exits are the hot path of a boot.
 */
#include "pci.h"

#include <errno.h>
#include <string.h>

#include "kvm.h"
#include "log.h"
#include "pci_internal.h"

#define MIB (1ULL << 20)

/* The bridge's ids: Red Hat's "QEMU PCIe host bridge" (0x1b36:0x0008), which
 * Linux knows needs no quirks. */
#define BRIDGE_VENDOR 0x1b36
#define BRIDGE_DEVICE 0x0008
#define BRIDGE_CLASS  0x060000 /* host bridge */

/* Function fn of slot dev on bus; NULL if nothing answers there. */
static struct pci_dev *lookup(struct pci_host *h, uint32_t bus, uint32_t dev,
			      uint32_t fn)
{
	if (bus != 0 || fn != 0 || dev >= PCI_HOST_SLOTS)
		return NULL;
	return h->slots[dev];
}

static void cfg_read(struct pci_host *h, struct pci_dev *d, uint32_t reg,
		     void *data, uint32_t len)
{
	uint32_t v;

	if (!d) {
		memset(data, 0xff, len); /* master abort: all-ones */
		return;
	}
	pthread_mutex_lock(&h->lock);
	v = pci_cfg_read(d, reg, len);
	pthread_mutex_unlock(&h->lock);
	pci_put(data, v, len);
}

static void cfg_write(struct pci_host *h, struct pci_dev *d, uint32_t reg,
		      const void *data, uint32_t len)
{
	if (!d)
		return;
	pthread_mutex_lock(&h->lock);
	pci_cfg_write(d, reg, pci_get(data, len), len);
	pthread_mutex_unlock(&h->lock);
}

/* --- Mechanism #1: ports 0xCF8-0xCFF --- */

/* The function and register CONFIG_ADDRESS names for data port off (4-7);
 * NULL device when decoding is disabled or nothing is there. */
static struct pci_dev *cf8_target(struct pci_host *h, uint64_t off,
				  uint32_t *reg)
{
	uint32_t ca = __atomic_load_n(&h->config_address, __ATOMIC_RELAXED);

	*reg = (ca & 0xfc) + (uint32_t)(off - 4);
	if (!(ca & PCI_CONFIG_ENABLE))
		return NULL;
	return lookup(h, (ca >> 16) & 0xff, (ca >> 11) & 0x1f, (ca >> 8) & 7);
}

static void cf8_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct pci_host *h = opaque;
	struct pci_dev *d;
	uint32_t reg = 0;

	if (off < 4) {
		/* Only a dword access reaches CONFIG_ADDRESS (Linux's
		 * pci_check_type1 relies on it). */
		if (off == 0 && len == 4)
			pci_put(data,
				__atomic_load_n(&h->config_address,
						__ATOMIC_RELAXED),
				4);
		else
			memset(data, 0xff, len);
		return;
	}
	d = cf8_target(h, off, &reg);
	cfg_read(h, d, reg, data, len);
}

static void cf8_write(void *opaque, uint64_t off, const void *data,
		      uint32_t len)
{
	struct pci_host *h = opaque;
	struct pci_dev *d;
	uint32_t reg = 0;

	if (off < 4) {
		/* Bits 1:0 and 30:24 are reserved (read 0). */
		if (off == 0 && len == 4)
			__atomic_store_n(&h->config_address,
					 pci_get(data, 4) & 0x80fffffcu,
					 __ATOMIC_RELAXED);
		return;
	}
	d = cf8_target(h, off, &reg);
	cfg_write(h, d, reg, data, len);
}

static const struct iobus_ops cf8_ops = {.read = cf8_read, .write = cf8_write};

/* --- ECAM --- */

static struct pci_dev *ecam_target(struct pci_host *h, uint64_t off)
{
	return lookup(h, (uint32_t)(off >> 20), (off >> 15) & 0x1f,
		      (off >> 12) & 7);
}

static void ecam_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct pci_host *h = opaque;

	/* A qword is two dwords: config registers are at most 32 bits. */
	if (len == 8) {
		ecam_read(opaque, off, data, 4);
		ecam_read(opaque, off + 4, (uint8_t *)data + 4, 4);
		return;
	}
	cfg_read(h, ecam_target(h, off), off & 0xfff, data, len);
}

static void ecam_write(void *opaque, uint64_t off, const void *data,
		       uint32_t len)
{
	struct pci_host *h = opaque;

	if (len == 8) {
		ecam_write(opaque, off, data, 4);
		ecam_write(opaque, off + 4, (const uint8_t *)data + 4, 4);
		return;
	}
	cfg_write(h, ecam_target(h, off), off & 0xfff, data, len);
}

static const struct iobus_ops ecam_ops = {.read = ecam_read,
					  .write = ecam_write};

/* --- The host --- */

static bool window_ok(uint64_t gpa, uint64_t len)
{
	return len && !(gpa % MIB) && !(len % MIB) && gpa + len > gpa;
}

int pci_host_init(struct pci_host *h, struct kvm_vm *vm,
		  struct kvm_msi_table *msi, const struct pci_host_config *cfg)
{
	int ret;

	if (!window_ok(cfg->mmio32_gpa, cfg->mmio32_len) ||
	    cfg->mmio32_gpa + cfg->mmio32_len > (1ULL << 32) ||
	    (cfg->mmio64_len && !window_ok(cfg->mmio64_gpa, cfg->mmio64_len)) ||
	    (cfg->ecam_len && cfg->ecam_len != PCI_ECAM_BUS0_LEN) ||
	    !cfg->intx_gsi_count)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->vm = vm;
	h->msi = msi;
	h->cfg = *cfg;
	h->mmio32_next = cfg->mmio32_gpa;
	h->mmio64_next = cfg->mmio64_gpa;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->intx_lock, NULL);

	pci_dev_init(&h->bridge, "pci-host", BRIDGE_VENDOR, BRIDGE_DEVICE,
		     BRIDGE_CLASS, 0);
	pci_dev_set_subsystem(&h->bridge, BRIDGE_VENDOR, 0x1100);
	h->bridge.host = h;
	h->slots[0] = &h->bridge;

	ret = iobus_register(&vm->pio, PCI_PORT_CONFIG, PCI_PORT_CONFIG_LEN,
			     &cf8_ops, h, "pci-config");
	if (ret < 0)
		goto out_locks;
	if (cfg->ecam_len) {
		ret = iobus_register(&vm->mmio, cfg->ecam_gpa, cfg->ecam_len,
				     &ecam_ops, h, "pci-ecam");
		if (ret < 0)
			goto out_pio;
	}
	return 0;

out_pio:
	iobus_unregister(&vm->pio, PCI_PORT_CONFIG);
out_locks:
	pthread_mutex_destroy(&h->intx_lock);
	pthread_mutex_destroy(&h->lock);
	return ret;
}

void pci_host_destroy(struct pci_host *h)
{
	for (unsigned int s = 1; s < PCI_HOST_SLOTS; s++) {
		struct pci_dev *d = h->slots[s];

		if (!d)
			continue;
		for (unsigned int i = 0; i < PCI_STD_NUM_BARS; i++)
			if (d->bar[i].size && d->bar[i].dev)
				iobus_unregister(&h->vm->mmio, d->bar[i].gpa);
		h->slots[s] = NULL;
	}
	if (h->cfg.ecam_len)
		iobus_unregister(&h->vm->mmio, h->cfg.ecam_gpa);
	iobus_unregister(&h->vm->pio, PCI_PORT_CONFIG);
	pthread_mutex_destroy(&h->intx_lock);
	pthread_mutex_destroy(&h->lock);
}

/* Naturally aligned space for a BAR of size in a window; 0 if full. */
static uint64_t alloc_bar(uint64_t *next, uint64_t base, uint64_t len,
			  uint64_t size)
{
	uint64_t gpa = (*next + size - 1) & ~(size - 1);

	if (gpa < *next || gpa + size > base + len)
		return 0;
	*next = gpa + size;
	return gpa;
}

static int map_bars(struct pci_host *h, struct pci_dev *d)
{
	for (unsigned int i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct pci_bar *bar = &d->bar[i];
		uint64_t gpa = 0;
		int ret;

		if (!bar->size)
			continue;
		if (bar->is64 && h->cfg.mmio64_len)
			gpa = alloc_bar(&h->mmio64_next, h->cfg.mmio64_gpa,
					h->cfg.mmio64_len, bar->size);
		if (!gpa)
			gpa = alloc_bar(&h->mmio32_next, h->cfg.mmio32_gpa,
					h->cfg.mmio32_len, bar->size);
		if (!gpa)
			return -ENOSPC;
		pci_dev_program_bar(d, i, gpa);
		ret = iobus_register(&h->vm->mmio, gpa, bar->size, &pci_bar_ops,
				     bar, d->name);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int pci_host_add(struct pci_host *h, struct pci_dev *d, bool intx)
{
	unsigned int slot;
	int ret;

	for (slot = 1; slot < PCI_HOST_SLOTS && h->slots[slot]; slot++)
		;
	if (slot == PCI_HOST_SLOTS)
		return -ENOSPC;
	d->host = h;
	d->slot = (uint8_t)slot;
	if (intx) {
		d->intx_gsi = (int)pci_intx_gsi(h->cfg.intx_gsi_base,
						h->cfg.intx_gsi_count, slot, 1);
		d->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA */
		d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)d->intx_gsi;
	}
	ret = map_bars(h, d);
	if (ret < 0) {
		log_err("pci: cannot map the BARs of %s: %s", d->name,
			strerror(-ret));
		for (unsigned int i = 0; i < PCI_STD_NUM_BARS; i++)
			if (d->bar[i].size && d->bar[i].gpa)
				iobus_unregister(&h->vm->mmio, d->bar[i].gpa);
		return ret;
	}
	/* Published last: a vCPU may look the slot up at any time. */
	__atomic_store_n(&h->slots[slot], d, __ATOMIC_RELEASE);
	return (int)slot;
}
