/* acpi_pm: the registers a hardware-reduced ACPI platform needs to power
 * off and reset (ACPI 6.5 §4.8.3.7 sleep control/status, §4.8.3.6 reset).
 *
 * Writing SLP_EN with SLP_TYP == s5_type to the sleep control register stops
 * the VM with VM_STOP_POWEROFF; writing reset_value to the reset register
 * stops it with VM_STOP_REBOOT.
 */
#ifndef VMM_DEVICES_ACPI_PM_H
#define VMM_DEVICES_ACPI_PM_H

#include <stdint.h>

struct kvm_vm;

struct acpi_pm_config {
	uint16_t sleep_ctl_port, sleep_sts_port, reset_port;
	uint8_t reset_value;
	uint8_t s5_type;
};

int acpi_pm_create(struct kvm_vm *vm, const struct acpi_pm_config *c);

#endif
