/* virtio_mmio_internal: the transport's state, shared by the register map
 * (virtio_mmio.c) and the plumbing (virtio_mmio_setup.c: interrupts,
 * ioeventfd kicks, add/remove). virtio 1.3 §4.2. Not for other modules.
 */
#ifndef VMM_BUS_MMIO_VIRTIO_MMIO_INTERNAL_H
#define VMM_BUS_MMIO_VIRTIO_MMIO_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "iobus.h"
#include "kvm_irqfd.h"
#include "kvm_poller.h"
#include "virtio_mmio.h"

#define VIRTIO_MMIO_MAGIC	 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR	 0x1af4 /* as virtio-pci's subsystem vendor */
#define VIRTIO_MMIO_LEGACY_PAGE	 4096	/* GuestPageSize until written */
#define VIRTIO_MMIO_LEGACY_ALIGN 4096	/* QueueAlign until written */
#ifndef VIRTIO_MMIO_QUEUE_RESET
#define VIRTIO_MMIO_QUEUE_RESET 0x0c0 /* virtio 1.2+, not in older uapi */
#endif

struct virtio_mmio {
	struct kvm_vm *vm;
	struct virtio_dev *vd;
	uint64_t base;
	uint32_t gsi;
	unsigned int version;
	struct virtio_mmio_shm *shm;
	unsigned int nr_shm;

	/* Serialises the control calls into the core (virtio.h asks each
	 * transport to): register accesses, config writes and kicks. */
	pthread_mutex_t lock;
	uint32_t shm_sel;
	/* Legacy (version 1) only, §4.2.4. The page size survives a device
	 * reset: Linux writes it once, before the reset of its probe. */
	uint32_t guest_page_size;
	uint32_t *queue_align; /* one per queue */

	/* InterruptStatus (§4.2.2) and the line that follows it: high while
	 * isr != 0. irq_lock is taken after lock, never before. */
	pthread_mutex_t irq_lock;
	uint32_t isr;
	struct kvm_irqfd_level irq;

	/* Kicks through KVM_IOEVENTFD (one eventfd per queue, matching the
	 * queue index written to QueueNotify) and irqfd resamples, on one
	 * poller thread; a device's own kick fd its thread polls itself. */
	bool ioeventfd;
	int *kick_efd;
	bool *kick_own; /* false: the device's own fd (queue_kick_fd) */
	bool polling;
	struct kvm_poller poller;
};

extern const struct iobus_ops virtio_mmio_ops;

/* virtio_mmio_setup.c */
void virtio_mmio_kick(struct virtio_mmio *vmio, uint32_t data);
uint32_t virtio_mmio_isr(struct virtio_mmio *vmio);
void virtio_mmio_ack(struct virtio_mmio *vmio, uint32_t bits);
/* After a device reset (Status 0): no events pending, line low, legacy
 * queue alignments back to their default. Called with lock held. */
void virtio_mmio_reset(struct virtio_mmio *vmio);

#endif
