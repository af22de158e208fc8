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

struct virtio_mmio_config {
	uint64_t base;	      /* guest-physical address of the window */
	uint32_t gsi;	      /* IOAPIC input the device interrupts on */
	unsigned int version; /* 2 (default, also for 0) or 1 (legacy) */
};

/* Registers the device's register window on vm->mmio at cfg->base and
 * wires its interrupt to IOAPIC input cfg->gsi; queue notifications go
 * through KVM ioeventfd when KVM offers it (then NOTIFICATION_DATA is not
 * offered), else through the register write. vd is virtio_dev_init'ed with
 * its config set; the caller keeps it and must call virtio_mmio_remove
 * before destroying it. Returns 0 and *out, or -errno (-EINVAL for a bad
 * version, base or gsi, -EEXIST if the window overlaps another range). */
int virtio_mmio_add(struct kvm_vm *vm, struct virtio_dev *vd,
		    const struct virtio_mmio_config *cfg,
		    struct virtio_mmio **out);
/* Unregisters the window, stops notifications and interrupts, frees the
 * transport. Call it after the vCPUs stopped. */
void virtio_mmio_remove(struct virtio_mmio *vmio);

#endif
