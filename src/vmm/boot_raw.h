/* boot_raw: run a flat binary in real mode (the --raw option).
 *
 * The file is copied to guest-physical LAYOUT_RAW_GPA (0x1000) and the boot
 * vCPU starts at 0000:1000 in 16-bit real mode with interrupts off. No
 * BIOS, no tables: just the CPU, RAM and our I/O ports. A first lesson in
 * what KVM does (see docs/raw-guest.md).
 */
#ifndef VMM_BOOT_RAW_H
#define VMM_BOOT_RAW_H

#include <stddef.h>

struct kvm_vm;
struct vcpu;

/* Loads the file and sets the vCPU's start state. Returns 0 or -1 with a
 * one-line message in err. */
int boot_raw_load(struct kvm_vm *vm, struct vcpu *boot_cpu, const char *path,
		  char *err, size_t err_len);

#endif
