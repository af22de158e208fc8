/* acpi: placeholder until the ACPI tables land (see acpi.h). */
#include "acpi.h"

#include <errno.h>

int acpi_build(const struct machine *m, const struct gmem *mem,
	       uint64_t *rsdp_gpa)
{
	return -ENOSYS;
}
