/* virtio_mmio: the virtio-mmio transport (see virtio_mmio.h).
 *
 * Placeholder so that the machine can build against the API; the register
 * map arrives in the next commit.
 */
#include "virtio_mmio.h"

#include <errno.h>

int virtio_mmio_add(struct kvm_vm *vm, struct virtio_dev *vd,
		    const struct virtio_mmio_config *cfg,
		    struct virtio_mmio **out)
{
	return -ENOSYS;
}

void virtio_mmio_remove(struct virtio_mmio *vmio)
{
}
