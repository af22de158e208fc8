/* i8042: just enough of the PC keyboard controller for a guest to reset the
 * machine, which stops the VM with VM_STOP_REBOOT: command 0xFE (pulse the
 * reset line; any 0xF0-0xFE with bit 0 clear), or command 0xD1 followed by
 * an output-port byte with bit 0 clear. The input buffer always reads empty.
 * The configuration byte, self-test and port test answer as a controller
 * would; there is no keyboard or mouse and no interrupt. */
#ifndef VMM_DEVICES_I8042_H
#define VMM_DEVICES_I8042_H

#include <stdint.h>

struct kvm_vm;
struct i8042;

/* Claims the data and command/status ports (one byte each). Returns NULL
 * on failure with errno set; nothing is left claimed. */
struct i8042 *i8042_new(struct kvm_vm *vm, uint16_t data_port,
			uint16_t cmd_port);

/* Releases the ports and frees the device. No vCPU may be running. NULL is
 * a no-op. */
void i8042_free(struct i8042 *k);

#endif
