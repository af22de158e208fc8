/* transport: puts a virtio device on the transport the machine
 * description chose for it: a function on the PCI host bridge (virtio-pci,
 * virtio 1.3 §4.1, docs/pci.md), or its virtio-mmio window and IOAPIC
 * line (§4.2, machine_layout.c). Knows no device, only struct virtio_dev.
 * Depends on src/bus/pci, src/bus/mmio, machine.h.
 */
#ifndef VMM_TRANSPORT_H
#define VMM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "kvm_msi.h"
#include "machine.h"
#include "pci.h"

struct kvm_vm;
struct virtio_dev;
struct virtio_pci;
struct virtio_mmio;

/* The buses of one machine and what is plugged into them, by the device's
 * index in m->virtio. */
struct transport_buses {
	struct kvm_vm *vm;
	struct kvm_msi_table msi;
	struct pci_host host;
	bool host_running;
	struct virtio_pci *pci[MACHINE_MAX_VIRTIO];
	struct virtio_mmio *mmio[MACHINE_MAX_VIRTIO];
};

/* Zeroes b and, if m->pci.present, creates the PCI host bridge with MSI-X
 * (m->pci's windows and INTx lines). 0, or -1 with a message in err. */
int transport_buses_init(struct transport_buses *b, struct kvm_vm *vm,
			 const struct machine *m, char *err, size_t err_len);

/* Plugs vd in as device idx of m: at the MMIO window and line m gives it,
 * or on the PCI bus, which places it; then m->virtio[idx].pci says where.
 * Returns 0 or -errno. */
int transport_plug(struct transport_buses *b, struct machine *m,
		   unsigned int idx, struct virtio_dev *vd);

/* Teardown, with no vCPU running, in this order: transport_buses_stop()
 * (the PCI host: no config or BAR access reaches a function any more),
 * then for each device transport_unplug() before the device is freed,
 * then transport_buses_destroy() (the MSI routes). Each ignores what was
 * never made, so they also undo a half-built machine. */
void transport_buses_stop(struct transport_buses *b);
void transport_unplug(struct transport_buses *b, unsigned int idx);
void transport_buses_destroy(struct transport_buses *b);

#endif
