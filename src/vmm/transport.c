/* transport: plugging virtio devices into PCI or MMIO (see transport.h).
 *
 * Teardown order matters: the PCI host goes first (no more config or BAR
 * access reaches a function), then each device's transport, which stops
 * its kick thread, right before the device itself; the MSI routes the
 * functions used go last.
 */
#include "transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "machine_layout.h"
#include "virtio_mmio.h"
#include "virtio_pci.h"

_Static_assert(VIRTIO_MMIO_REGION_SIZE == MACHINE_LAYOUT_MMIO_REGION_LEN,
	       "the layout places windows of the transport's size");

int transport_buses_init(struct transport_buses *b, struct kvm_vm *vm,
			 const struct machine *m, char *err, size_t err_len)
{
	const struct pci_host_config pc = {
		.ecam_gpa = m->pci.ecam_gpa,
		.ecam_len = m->pci.ecam_len,
		.mmio32_gpa = m->pci.mmio32_gpa,
		.mmio32_len = m->pci.mmio32_len,
		.mmio64_gpa = m->pci.mmio64_gpa,
		.mmio64_len = m->pci.mmio64_len,
		.intx_gsi_base = m->pci.intx_gsi_base,
		.intx_gsi_count = m->pci.intx_gsi_count,
	};
	int ret;

	memset(b, 0, sizeof(*b));
	b->vm = vm;
	if (!m->pci.present)
		return 0;
	ret = kvm_msi_init(&b->msi, vm);
	if (ret == 0)
		ret = pci_host_init(&b->host, vm, &b->msi, &pc);
	b->host_running = ret == 0;
	if (ret < 0) {
		snprintf(err, err_len, "cannot create the PCI bus: %s",
			 strerror(-ret));
		return -1;
	}
	return 0;
}

/* At the window and IOAPIC line the layout gave it. */
static int plug_mmio(struct transport_buses *b, const struct machine *m,
		     unsigned int idx, struct virtio_dev *vd)
{
	const struct machine_mmio_dev *d = &m->virtio[idx].mmio;
	const struct virtio_mmio_config cfg = {
		.base = d->gpa, .gsi = d->gsi, .version = d->version};

	return virtio_mmio_add(b->vm, vd, &cfg, &b->mmio[idx]);
}

/* Wherever the bus puts it; the description learns where. */
static int plug_pci(struct transport_buses *b, struct machine *m,
		    unsigned int idx, struct virtio_dev *vd)
{
	const struct pci_dev *p;
	struct virtio_pci *vp;
	int ret = virtio_pci_add(&b->host, vd, &b->pci[idx]);

	if (ret < 0)
		return ret;
	vp = b->pci[idx];
	p = &vp->pci;
	m->virtio[idx].pci = (struct machine_pci_dev){
		.slot = p->slot,
		.bar_gpa = p->bar[VIRTIO_PCI_BAR].gpa,
		.bar_len = p->bar[VIRTIO_PCI_BAR].size,
		.msix_vectors = vp->has_msix ? vp->msix.nvec : 0,
		.intx_gsi = p->intx_gsi >= 0 ? (uint32_t)p->intx_gsi : 0,
	};
	return 0;
}

int transport_plug(struct transport_buses *b, struct machine *m,
		   unsigned int idx, struct virtio_dev *vd)
{
	if (idx >= m->nr_virtio)
		return -EINVAL;
	if (m->virtio[idx].transport == MACHINE_TRANSPORT_MMIO)
		return plug_mmio(b, m, idx, vd);
	if (!b->host_running)
		return -ENODEV; /* the description has no PCI bus */
	return plug_pci(b, m, idx, vd);
}

void transport_buses_stop(struct transport_buses *b)
{
	/* The functions keep a pointer to the host (virtio_pci_remove uses
	 * its vm), so it stays as it is, only marked stopped. */
	if (b->host_running)
		pci_host_destroy(&b->host);
	b->host_running = false;
}

void transport_unplug(struct transport_buses *b, unsigned int idx)
{
	if (idx >= MACHINE_MAX_VIRTIO)
		return;
	if (b->pci[idx])
		virtio_pci_remove(b->pci[idx]);
	if (b->mmio[idx])
		virtio_mmio_remove(b->mmio[idx]);
	b->pci[idx] = NULL;
	b->mmio[idx] = NULL;
}

void transport_buses_destroy(struct transport_buses *b)
{
	transport_buses_stop(b);
	for (unsigned int i = 0; i < MACHINE_MAX_VIRTIO; i++)
		transport_unplug(b, i);
	if (b->msi.vm)
		kvm_msi_destroy(&b->msi);
	memset(&b->msi, 0, sizeof(b->msi));
}
