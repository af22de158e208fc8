/* virtio_pci: the virtio-pci modern transport (virtio 1.3 §4.1).
 *
 * Puts a struct virtio_dev on the PCI host as a function with vendor 0x1af4,
 * device 0x1040 + the virtio device id, revision 1, and the five
 * vendor-specific capabilities of §4.1.4 (common, notify, ISR, device
 * config, PCI config access). BAR 0 holds the virtio structures, BAR 1 the
 * MSI-X table and PBA. Depends on pci.h, pci_msix.h, src/virtio, src/kvm.
 */
#ifndef VMM_BUS_PCI_VIRTIO_PCI_H
#define VMM_BUS_PCI_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm_poller.h"
#include "pci.h"
#include "pci_msix.h"
#include "virtio.h"

/* BAR 0 layout: one page per structure. */
#define VIRTIO_PCI_BAR	       0
#define VIRTIO_PCI_COMMON_OFF  0x0000
#define VIRTIO_PCI_COMMON_LEN  0x3c /* up to queue_reset (virtio 1.2+) */
#define VIRTIO_PCI_ISR_OFF     0x1000
#define VIRTIO_PCI_DEVCFG_OFF  0x2000
#define VIRTIO_PCI_NOTIFY_OFF  0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4 /* notify_off_multiplier */
#define VIRTIO_PCI_BAR_SIZE    0x4000
/* BAR 1: the MSI-X table, then the PBA. */
#define VIRTIO_PCI_MSIX_BAR	 1
#define VIRTIO_PCI_MSIX_TABLE	 0x000
#define VIRTIO_PCI_MSIX_PBA	 0x800
#define VIRTIO_PCI_MSIX_BAR_SIZE 0x1000

struct virtio_pci {
	struct pci_dev pci;
	struct virtio_dev *vd;
	struct pci_host *host;
	struct pci_msix msix;
	bool has_msix;
	uint8_t cfg_cap; /* config offset of the PCI config access cap */

	/* Serialises the control calls into the core (virtio.h asks each
	 * transport to): common config writes and kicks. */
	pthread_mutex_t lock;
	uint16_t config_vector;
	uint16_t *queue_vector; /* one per queue */
	uint8_t isr;		/* atomic: bit 0 queue, bit 1 config */

	/* Kicks through KVM_IOEVENTFD: one eventfd per queue, polled by one
	 * thread of ours, or the device's own (queue_kick_fd: kick_own[q]
	 * false), which its thread polls. */
	bool ioeventfd;
	int *kick_efd;
	bool *kick_own;
	struct kvm_poller poller;
};

/* Creates the PCI function for vd (already virtio_dev_init'ed, config set)
 * and plugs it into h: BARs placed, MSI-X with one vector per queue plus
 * one for config changes (if h has a kvm_msi), INTx on INTA, and queue
 * notifications on ioeventfds when KVM has them (then NOTIFICATION_DATA is
 * not offered: the eventfd loses the written value). Returns the slot and
 * sets *out, or -errno. The caller keeps vd; virtio_pci_remove before
 * destroying it. */
int virtio_pci_add(struct pci_host *h, struct virtio_dev *vd,
		   struct virtio_pci **out);
/* Stops the kick thread, resets the device (so its queue threads stop and
 * none can still interrupt through the transport) and detaches it, then
 * frees the transport. The host keeps a pointer to the function: call this
 * after pci_host_destroy (vCPUs stopped). */
void virtio_pci_remove(struct virtio_pci *vp);

#endif
