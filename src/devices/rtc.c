/* rtc: placeholder until the device model lands (see rtc.h). */
#include "rtc.h"

#include <errno.h>
#include <stddef.h>

int rtc_create(struct kvm_vm *vm, uint16_t port)
{
	return -ENOSYS;
}
