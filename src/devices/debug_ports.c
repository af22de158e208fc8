/* debug_ports: placeholder until the device model lands (see debug_ports.h). */
#include "debug_ports.h"

#include <errno.h>
#include <stddef.h>

int debug_ports_create(struct kvm_vm *vm, const struct debug_ports_config *c)
{
	return -ENOSYS;
}
