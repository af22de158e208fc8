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
struct serial;
struct rtc;
struct i8042;
struct debug_ports;
struct acpi_pm;
struct vmm_options;

/* The platform devices of one machine; opaque outside device_table.c. */
struct platform_devices {
	struct serial *com1;
	struct rtc *rtc;
	struct i8042 *i8042;
	struct debug_ports *debug_ports;
	struct acpi_pm *acpi_pm;
};

/* Creates COM1 (output to out_fd, or discarded if out_fd is -1), the RTC,
 * the i8042 reset port, the debug/boot-timer ports and the ACPI
 * power-management registers. Records the legacy devices in m and returns
 * the console input sink in *sink. Returns 0 or -1 with a message in err;
 * on failure the devices already made are freed. */
int device_table_create_platform(struct kvm_vm *vm, struct machine *m,
				 struct platform_devices *p, int out_fd,
				 const struct timespec *start,
				 struct console_sink *sink, char *err,
				 size_t err_len);

/* Frees what device_table_create_platform() made. No vCPU and no console
 * input may be running. */
void device_table_destroy_platform(struct platform_devices *p);

/* The virtio devices of one machine and the PCI bus that carries them;
 * opaque outside device_table.c. */
struct virtio_devices;

/* Parses the user's --disk, --device and --console virtio requests and
 * creates each device on a PCI host bridge (made only if there is at least
 * one); fills m->pci so ACPI and e820 describe the bus. For --console
 * virtio the guest console is port 0 of a virtio-console on stdin/stdout.
 * Returns 0 (and *out, possibly NULL when there are no virtio devices) or
 * -1 with a one-line message naming the bad option in err. */
int device_table_create_virtio(struct kvm_vm *vm, struct machine *m,
			       const struct vmm_options *o,
			       struct virtio_devices **out, char *err,
			       size_t err_len);

/* Frees what device_table_create_virtio() made. No vCPU may be running. */
void device_table_destroy_virtio(struct virtio_devices *v);

/* Parses one spec of `opt` ("--disk" or "--device") with the same field
 * parsers device_table_create_virtio() uses, and nothing more: no file is
 * opened, no device made. Returns 0, or -1 with the same one-line message
 * in err. The seam for tests/fuzz/fuzz_options.c. */
int device_table_parse_spec(const char *opt, const char *spec, char *err,
			    size_t err_len);

#endif
