/* device_table: the one place that names devices.
 *
 * Creates the platform devices every machine has and the virtio devices
 * the user asked for, each on the transport it asked for (PCI or MMIO),
 * and adds each to the machine description so ACPI, the device tree and
 * --print-layout describe exactly what exists.
 */
#ifndef VMM_DEVICE_TABLE_H
#define VMM_DEVICE_TABLE_H

#include <stdbool.h>
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

/* The virtio devices of one machine and the buses that carry them;
 * opaque outside device_table.c. */
struct virtio_devices;

/* Parses every --disk, --device, --net and --console virtio request with the
 * --transport default, and adds each device to m (machine_layout.c): its
 * transport and, on MMIO, its register window and IOAPIC line. Describes
 * the PCI bus in m->pci when a device is on PCI. Opens nothing and needs
 * no KVM, so every bad spec is reported before the VM exists. Returns 0
 * and *out (NULL when there are no virtio devices; otherwise m->virtio
 * points into it, so it must outlive m's use), or -1 with one line naming
 * the bad option in err. */
int device_table_plan_virtio(struct machine *m, const struct vmm_options *o,
			     struct virtio_devices **out, char *err,
			     size_t err_len);

/* Creates what the plan v holds (NULL: nothing) and puts each device on its
 * transport: the PCI host bridge first if m->pci.present, then the devices
 * in the order they were asked for (--console, --disk, --device, --net). Fills
 * in where the PCI bus put each PCI device (m->virtio[i].pci) and logs one
 * debug line per device. For --console virtio the guest console is port 0
 * of a virtio-console on stdin/stdout. Returns 0, or -1 with "OPTION:
 * reason" in err; device_table_destroy_virtio frees what was made. */
int device_table_create_virtio(struct kvm_vm *vm, struct machine *m,
			       struct virtio_devices *v, char *err,
			       size_t err_len);

/* Frees the plan and what device_table_create_virtio() made. No vCPU may
 * be running. NULL is ignored. */
void device_table_destroy_virtio(struct virtio_devices *v);

/* Plugs or pulls the cable of the --net device named id (its id= field,
 * or "netN" for the Nth --net from 0). Returns 0, -ENOENT for no such
 * device, or -EALREADY if the link already was so. Any thread. */
int device_table_set_link(struct virtio_devices *v, const char *id, bool up);

/* What the planned devices need from the seccomp filter (enum
 * sandbox_needs bits of sandbox.h). NULL: 0. */
unsigned int device_table_sandbox_needs(const struct virtio_devices *v);

#endif
