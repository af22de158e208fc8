/* debug_ports: tiny ports for testing and measuring a guest.
 *
 *  - POST (0x80): BIOS progress codes; written values are kept, reads give
 *    the last one.
 *  - debug exit: a byte v ends the VM with VM_STOP_DEBUG_EXIT and status
 *    (v << 1) | 1, as QEMU's isa-debug-exit.
 *  - boot timer: the first write prints, whatever the log level, one line
 *    "vmm: boot-timer: guest init reached after <ms> ms" (ms since start,
 *    one decimal; ended by "\r\n" like every vmm message). Later writes are
 *    ignored.
 */
#ifndef VMM_DEVICES_DEBUG_PORTS_H
#define VMM_DEVICES_DEBUG_PORTS_H

#include <stdint.h>
#include <time.h>

struct kvm_vm;
struct debug_ports;

/* Each port is one byte; a port of 0 is not claimed. */
struct debug_ports_config {
	uint16_t post_port, exit_port, boot_timer_port;
	struct timespec start; /* CLOCK_MONOTONIC at process start */
};

/* Claims the ports. Returns NULL on failure with errno set; nothing is left
 * claimed. */
struct debug_ports *debug_ports_new(struct kvm_vm *vm,
				    const struct debug_ports_config *c);

/* Releases the ports and frees the device. No vCPU may be running. NULL is
 * a no-op. */
void debug_ports_free(struct debug_ports *d);

#endif
