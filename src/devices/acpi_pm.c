/* acpi_pm: placeholder until the device model lands (see acpi_pm.h). */
#include "acpi_pm.h"

#include <errno.h>
#include <stddef.h>

int acpi_pm_create(struct kvm_vm *vm, const struct acpi_pm_config *c)
{
	return -ENOSYS;
}
