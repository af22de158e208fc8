/* acpi_pm: the registers a hardware-reduced ACPI platform needs to power
 * off and reset (ACPI 6.5 §4.8.3.7 sleep control/status, §4.8.3.6 reset).
 *
 * Writing SLP_EN with SLP_TYP == s5_type to the sleep control register stops
 * the VM with VM_STOP_POWEROFF; other sleep types are not supported: they
 * are logged once and the guest "wakes" at once (WAK_STS is set in the
 * sleep status register, which is write-1-to-clear). Writing reset_value to
 * the reset register stops the VM with VM_STOP_REBOOT; other values are
 * ignored.
 */
#ifndef VMM_DEVICES_ACPI_PM_H
#define VMM_DEVICES_ACPI_PM_H

#include <stdint.h>

struct kvm_vm;
struct acpi_pm;

/* Each register is one byte at its port. */
struct acpi_pm_config {
	uint16_t sleep_ctl_port, sleep_sts_port, reset_port;
	uint8_t reset_value;
	uint8_t s5_type;
};

/* Claims the three ports. Returns NULL on failure with errno set; nothing
 * is left claimed. */
struct acpi_pm *acpi_pm_new(struct kvm_vm *vm, const struct acpi_pm_config *c);

/* Releases the ports and frees the device. No vCPU may be running. NULL is
 * a no-op. */
void acpi_pm_free(struct acpi_pm *pm);

#endif
