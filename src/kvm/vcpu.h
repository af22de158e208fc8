/* vcpu: virtual CPUs, one host thread each, and the exit dispatch loop.
 *
 * Each thread loops on KVM_RUN and hands port I/O and MMIO exits to the
 * VM's buses; shutdown and internal errors stop the machine with a register
 * dump. The bootstrap processor's start state (real or 64-bit long mode)
 * is set by the boot code before the threads start; the other vCPUs wait
 * for the guest's INIT/SIPI in the in-kernel LAPIC.
 */
#ifndef VMM_KVM_VCPU_H
#define VMM_KVM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;
struct kvm_run;

struct vcpu {
	struct kvm_vm *vm;
	unsigned int index; /* also the APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

/* 64-bit entry state: flat segments from a GDT the caller placed in guest
 * memory, paging on with cr3, and two argument registers. */
struct vcpu_long_mode {
	uint64_t rip, rsi, rsp, cr3;
	uint64_t gdt_gpa;
	uint16_t gdt_limit;
	uint16_t code_sel, data_sel, tss_sel;
};

/* Creates nr vCPUs with CPUID (topology for nr CPUs), boot MSRs, FPU and
 * LAPIC LINT0/LINT1 set up. On failure returns -errno and names the step
 * in *what. */
int vcpu_create_all(struct kvm_vm *vm, unsigned int nr, const char **what);

int vcpu_set_long_mode(struct vcpu *v, const struct vcpu_long_mode *lm);

/* Real mode at cs:ip (segment base cs << 4), as after a reset but at the
 * caller's address. */
int vcpu_set_real_mode(struct vcpu *v, uint16_t cs, uint16_t ip);

/* Starts one thread per vCPU. */
int vcpu_start_all(struct kvm_vm *vm);

/* Kicks every vCPU out of KVM_RUN and joins the threads. Call after a stop
 * was requested. */
void vcpu_stop_all(struct kvm_vm *vm);

void vcpu_destroy_all(struct kvm_vm *vm);

#endif
