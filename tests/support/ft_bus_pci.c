/* ft_bus_pci: the fake transport's virtio-pci bus (see fake_transport.h).
 *
 * The driver side of virtio 1.3 §4.1 as Linux's virtio_pci_modern does it:
 * find the vendor capabilities in config space (ECAM), then drive the
 * common configuration, the notification area and the device config
 * window in BAR 0 of a real struct virtio_pci, on a PCI host on a fake_vm
 * of the bus's own (no RAM: the device uses the test's guest_ram). MSI-X
 * stays off, so interrupts are INTx levels in that fake_vm; tests that
 * count interrupts use "core".
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_pci.h>
#include <stdlib.h>

#include "fake_transport.h"
#include "fake_vm.h"
#include "kvm_msi.h"
#include "pci.h"
#include "virtio_pci.h"

#define ECAM 0xe0000000ULL

struct pci_bus {
	struct fake_vm fvm;
	struct kvm_msi_table msi;
	struct pci_host host;
	struct virtio_pci *vp;
	int slot;
	uint64_t bar0;
	/* What vp_modern_probe found in the capabilities. */
	uint32_t common, notify, notify_mult, dev_cfg;
	uint16_t queue_notify_off[FT_MAX_QUEUES];
};

static const struct pci_host_config host_cfg = {
	.ecam_gpa = ECAM,
	.ecam_len = PCI_ECAM_BUS0_LEN,
	.mmio32_gpa = 0xc0000000,
	.mmio32_len = 0x20000000,
	.intx_gsi_base = 16,
	.intx_gsi_count = 8,
};

static struct pci_bus *bus_of(struct fake_transport *ft)
{
	return ft->bus_priv;
}

static uint32_t mem_rd(struct pci_bus *b, uint64_t gpa, uint32_t len)
{
	uint32_t v = 0;

	ck_assert(iobus_read(&b->fvm.vm.mmio, gpa, &v, len));
	return v;
}

static void mem_wr(struct pci_bus *b, uint64_t gpa, uint32_t val, uint32_t len)
{
	ck_assert(iobus_write(&b->fvm.vm.mmio, gpa, &val, len));
}

static uint32_t cfg_rd(struct pci_bus *b, uint32_t reg, uint32_t len)
{
	return mem_rd(b, ECAM + ((uint64_t)b->slot << 15) + reg, len);
}

static void cfg_wr(struct pci_bus *b, uint32_t reg, uint32_t val, uint32_t len)
{
	mem_wr(b, ECAM + ((uint64_t)b->slot << 15) + reg, val, len);
}

/* Common configuration field at off (VIRTIO_PCI_COMMON_*). */
static uint32_t common_rd(struct fake_transport *ft, uint32_t off, uint32_t len)
{
	struct pci_bus *b = bus_of(ft);

	return mem_rd(b, b->bar0 + b->common + off, len);
}

static void common_wr(struct fake_transport *ft, uint32_t off, uint32_t val,
		      uint32_t len)
{
	struct pci_bus *b = bus_of(ft);

	mem_wr(b, b->bar0 + b->common + off, val, len);
}

/* virtio_pci_find_capability() for each structure we need. */
static void find_caps(struct pci_bus *b)
{
	unsigned int n = 0;

	for (uint32_t p = cfg_rd(b, PCI_CAPABILITY_LIST, 1); p;
	     p = cfg_rd(b, p + 1, 1)) {
		uint32_t type = cfg_rd(b, p + 3, 1), off = cfg_rd(b, p + 8, 4);

		ck_assert_uint_lt(++n, 48);
		if (cfg_rd(b, p, 1) != PCI_CAP_ID_VNDR ||
		    type == VIRTIO_PCI_CAP_PCI_CFG)
			continue;
		ck_assert_uint_eq(cfg_rd(b, p + 4, 1), 0); /* all in BAR 0 */
		if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
			b->common = off;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			b->notify = off;
			b->notify_mult = cfg_rd(b, p + 16, 4);
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG) {
			b->dev_cfg = off;
		}
	}
	ck_assert_uint_ne(b->notify, 0);
	b->bar0 = cfg_rd(b, PCI_BASE_ADDRESS_0, 4) & ~0xfu;
	ck_assert_uint_ne(b->bar0, 0);
}

static void pci_attach(struct fake_transport *ft)
{
	struct pci_bus *b = calloc(1, sizeof(*b));

	ck_assert_ptr_nonnull(b);
	ft->bus_priv = b;
	fake_vm_init(&b->fvm, 0);
	ck_assert_int_eq(kvm_msi_init(&b->msi, &b->fvm.vm), 0);
	ck_assert_int_eq(
		pci_host_init(&b->host, &b->fvm.vm, &b->msi, &host_cfg), 0);
	b->slot = virtio_pci_add(&b->host, ft->vd, &b->vp);
	ck_assert_int_gt(b->slot, 0);
	ck_assert_uint_eq(cfg_rd(b, PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_rd(b, PCI_DEVICE_ID, 2),
			  0x1040 + ft->vd->ops->device_id);
	find_caps(b);
	cfg_wr(b, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static uint8_t pci_get_status(struct fake_transport *ft)
{
	return (uint8_t)common_rd(ft, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void pci_set_status(struct fake_transport *ft, uint8_t status)
{
	common_wr(ft, VIRTIO_PCI_COMMON_STATUS, status, 1);
}

static void pci_detach(struct fake_transport *ft)
{
	struct pci_bus *b = bus_of(ft);

	pci_host_destroy(&b->host); /* it still points at vp's function */
	virtio_pci_remove(b->vp);
	kvm_msi_destroy(&b->msi);
	fake_vm_destroy(&b->fvm);
	free(b);
	ft->bus_priv = NULL;
}

static uint32_t pci_device_features(struct fake_transport *ft, uint32_t word)
{
	common_wr(ft, VIRTIO_PCI_COMMON_DFSELECT, word, 4);
	return common_rd(ft, VIRTIO_PCI_COMMON_DF, 4);
}

static void pci_driver_features(struct fake_transport *ft, uint32_t word,
				uint32_t val)
{
	common_wr(ft, VIRTIO_PCI_COMMON_GFSELECT, word, 4);
	common_wr(ft, VIRTIO_PCI_COMMON_GF, val, 4);
}

static uint16_t pci_queue_max_size(struct fake_transport *ft, uint16_t idx)
{
	common_wr(ft, VIRTIO_PCI_COMMON_Q_SELECT, idx, 2);
	return (uint16_t)common_rd(ft, VIRTIO_PCI_COMMON_Q_SIZE, 2);
}

static void common_wr64(struct fake_transport *ft, uint32_t off, uint64_t val)
{
	common_wr(ft, off, (uint32_t)val, 4);
	common_wr(ft, off + 4, (uint32_t)(val >> 32), 4);
}

/* vp_modern_setup_vq() without MSI-X. */
static void pci_queue_setup(struct fake_transport *ft, uint16_t idx,
			    const struct drvq *q)
{
	ck_assert_uint_lt(idx, FT_MAX_QUEUES);
	common_wr(ft, VIRTIO_PCI_COMMON_Q_SELECT, idx, 2);
	ck_assert_uint_eq(common_rd(ft, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	common_wr(ft, VIRTIO_PCI_COMMON_Q_SIZE, q->size, 2);
	common_wr64(ft, VIRTIO_PCI_COMMON_Q_DESCLO, q->desc_gpa);
	common_wr64(ft, VIRTIO_PCI_COMMON_Q_AVAILLO, q->driver_gpa);
	common_wr64(ft, VIRTIO_PCI_COMMON_Q_USEDLO, q->device_gpa);
	bus_of(ft)->queue_notify_off[idx] =
		(uint16_t)common_rd(ft, VIRTIO_PCI_COMMON_Q_NOFF, 2);
	common_wr(ft, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	ck_assert_uint_eq(common_rd(ft, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
}

/* vp_notify() writes the 16-bit index; vp_notify_with_data() 32 bits. */
static void pci_notify(struct fake_transport *ft, uint16_t idx, uint32_t data)
{
	struct pci_bus *b = bus_of(ft);
	uint64_t gpa = b->bar0 + b->notify +
		       (uint64_t)b->queue_notify_off[idx] * b->notify_mult;

	if (ft->features & (1ULL << VIRTIO_F_NOTIFICATION_DATA))
		mem_wr(b, gpa, data, 4);
	else
		mem_wr(b, gpa, idx, 2);
}

static void config_piece(struct fake_transport *ft, uint32_t off, uint8_t *buf,
			 uint32_t len, bool write)
{
	struct pci_bus *b = bus_of(ft);
	uint64_t gpa = b->bar0 + b->dev_cfg + off;
	uint32_t v = 0;

	if (write) {
		for (uint32_t i = 0; i < len; i++)
			v |= (uint32_t)buf[i] << (8 * i);
		mem_wr(b, gpa, v, len);
		return;
	}
	v = mem_rd(b, gpa, len);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
}

/* vp_get() in virtio_cread's generation loop (§2.5.1, §4.1.4.3). */
static int pci_config_read(struct fake_transport *ft, uint32_t off, void *buf,
			   uint32_t len)
{
	uint32_t gen;

	for (int tries = 0;; tries++) {
		ck_assert_int_lt(tries, 100);
		gen = common_rd(ft, VIRTIO_PCI_COMMON_CFGGENERATION, 1);
		ft_config_pieces(ft, off, buf, len, false, config_piece);
		if (common_rd(ft, VIRTIO_PCI_COMMON_CFGGENERATION, 1) == gen)
			return 0;
	}
}

static int pci_config_write(struct fake_transport *ft, uint32_t off,
			    const void *buf, uint32_t len)
{
	ft_config_pieces(ft, off, (uint8_t *)buf, len, true, config_piece);
	return 0;
}

/* vp_modern_set_queue_reset(): write 1, wait for 0, queue disabled. */
static int pci_queue_reset(struct fake_transport *ft, uint16_t idx)
{
	common_wr(ft, VIRTIO_PCI_COMMON_Q_SELECT, idx, 2);
	common_wr(ft, VIRTIO_PCI_COMMON_Q_RESET, 1, 2);
	for (int tries = 0; common_rd(ft, VIRTIO_PCI_COMMON_Q_RESET, 2);
	     tries++)
		ck_assert_int_lt(tries, 1000);
	return common_rd(ft, VIRTIO_PCI_COMMON_Q_ENABLE, 2) ? -EIO : 0;
}

const struct ft_bus ft_bus_pci = {
	.name = "pci",
	.attach = pci_attach,
	.detach = pci_detach,
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.device_features = pci_device_features,
	.driver_features = pci_driver_features,
	.queue_max_size = pci_queue_max_size,
	.queue_setup = pci_queue_setup,
	.notify = pci_notify,
	.config_read = pci_config_read,
	.config_write = pci_config_write,
	.queue_reset = pci_queue_reset,
};
