/* virtio_mmio: the virtio-mmio transport (virtio 1.3 §4.2).
 *
 * Puts a struct virtio_dev on the guest-physical MMIO bus as one register
 * window of VIRTIO_MMIO_REGION_SIZE bytes (version 2, §4.2.2, or the legacy
 * version 1 layout of §4.2.4) with one level-triggered IOAPIC line.
 * Depends on src/virtio and src/kvm.
 */
#ifndef VMM_BUS_MMIO_VIRTIO_MMIO_H
#define VMM_BUS_MMIO_VIRTIO_MMIO_H

#include <stdint.h>

#include "kvm.h"
#include "virtio.h"

#define VIRTIO_MMIO_REGION_SIZE 0x200

struct virtio_mmio;

/* A shared memory region (virtio 1.3 §2.10) the device exposes: the
 * machine places it in guest-physical space and maps it; the transport
 * only reports it through SHMSel/SHMLen/SHMBase. */
struct virtio_mmio_shm {
	uint8_t id; /* the device type's region id */
	uint64_t gpa, len;
};

struct virtio_mmio_config {
	uint64_t base; /* of the window; VIRTIO_MMIO_REGION_SIZE aligned */
	uint32_t gsi;  /* IOAPIC input (< KVM_IOAPIC_NUM_PINS) */
	unsigned int version; /* 2 (default, also for 0) or 1 (legacy) */
	/* Optional: shared memory regions, copied at add. None: every
	 * SHMSel reads as "no such region". */
	const struct virtio_mmio_shm *shm;
	unsigned int nr_shm;
};

/* Registers the device's register window on vm->mmio at cfg->base and
 * wires its interrupt to IOAPIC input cfg->gsi; queue notifications go
 * through KVM ioeventfd when KVM offers it (then NOTIFICATION_DATA is not
 * offered), else through the register write. vd is virtio_dev_init'ed with
 * its config set; the caller keeps it and must call virtio_mmio_remove
 * before destroying it. Version 1 makes it a legacy device: feature bits
 * 32-63 (VERSION_1 among them) are withdrawn and legacy drivers accepted
 * (vd->legacy_ok). Returns 0 and *out, or -errno:
 * -EINVAL for a bad version, base, gsi or shared memory region, -EEXIST if
 * the window overlaps another range of vm->mmio, -ENOMEM. */
int virtio_mmio_add(struct kvm_vm *vm, struct virtio_dev *vd,
		    const struct virtio_mmio_config *cfg,
		    struct virtio_mmio **out);
/* Stops notifications, unregisters the window, resets the device (so its
 * queue threads stop: nothing interrupts through a freed transport), then
 * frees the transport. Call it after the vCPUs stopped and before the
 * device is destroyed. */
void virtio_mmio_remove(struct virtio_mmio *vmio);

#endif
