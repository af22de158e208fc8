/* device_table: the one place that names devices.
 *
 * Creates the platform devices every machine has and (with the virtio
 * issues) the devices the user asked for, and adds each to the machine
 * description so ACPI describes exactly what exists.
 */
#ifndef VMM_DEVICE_TABLE_H
#define VMM_DEVICE_TABLE_H

#include <time.h>

#include "console.h"
#include "machine.h"

struct kvm_vm;
struct vmm_options;

/* Creates COM1 (output to out_fd), the RTC, the i8042 reset port, the
 * debug/boot-timer ports and the ACPI power-management registers. Records
 * the legacy devices in m and returns the console input sink in *sink.
 * Returns 0 or -1 with a message in err. */
int device_table_create_platform(struct kvm_vm *vm, struct machine *m,
				 int out_fd, const struct timespec *start,
				 struct console_sink *sink, char *err,
				 size_t err_len);

#endif
