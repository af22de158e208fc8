/* debug_ports: tiny ports for testing and measuring a guest.
 *
 *  - POST (0x80): BIOS progress codes; written values are kept, reads give
 *    the last one.
 *  - debug exit: a byte v ends the VM with VM_STOP_DEBUG_EXIT and status
 *    (v << 1) | 1, as QEMU's isa-debug-exit.
 *  - boot timer: the first write logs the time since process start (once).
 */
#ifndef VMM_DEVICES_DEBUG_PORTS_H
#define VMM_DEVICES_DEBUG_PORTS_H

#include <stdint.h>
#include <time.h>

struct kvm_vm;

struct debug_ports_config {
	uint16_t post_port, exit_port, boot_timer_port;
	struct timespec start; /* CLOCK_MONOTONIC at process start */
};

int debug_ports_create(struct kvm_vm *vm, const struct debug_ports_config *c);

#endif
