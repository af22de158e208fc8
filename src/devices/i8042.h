/* i8042: just enough of the PC keyboard controller for a guest to reset the
 * machine (command 0xFE on the command port), which stops the VM with
 * VM_STOP_REBOOT. No keyboard or mouse. */
#ifndef VMM_DEVICES_I8042_H
#define VMM_DEVICES_I8042_H

#include <stdint.h>

struct kvm_vm;

/* Claims the data and command/status ports. Returns 0 or -errno. */
int i8042_create(struct kvm_vm *vm, uint16_t data_port, uint16_t cmd_port);

#endif
