/* i8042: placeholder until the device model lands (see i8042.h). */
#include "i8042.h"

#include <errno.h>
#include <stddef.h>

int i8042_create(struct kvm_vm *vm, uint16_t data_port, uint16_t cmd_port)
{
	return -ENOSYS;
}
