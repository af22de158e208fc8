/* kvm: the virtual machine as KVM sees it.
 *
 * Opens /dev/kvm, checks the API version and the capabilities we rely on,
 * creates the VM with an in-kernel irqchip (LAPIC, IOAPIC, PIC) and PIT,
 * maps guest RAM into memory slots, and owns the two I/O buses and the
 * "stop the machine" request that devices and vCPUs use to end a run.
 * Depends on nothing of ours outside src/kvm.
 */
#ifndef VMM_KVM_KVM_H
#define VMM_KVM_KVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "iobus.h"

/* Where KVM puts its private pages; just below the IOAPIC/LAPIC area, in the
 * PCI hole, so never RAM (KVM_SET_IDENTITY_MAP_ADDR, KVM_SET_TSS_ADDR). */
#define KVM_IDENTITY_MAP_GPA 0xfeffc000ULL
#define KVM_TSS_GPA	     0xfeffd000ULL /* three pages */

/* IOAPIC pins; GSIs 0-15 are the ISA IRQs. */
#define KVM_IOAPIC_NUM_PINS 24

/* Why a machine stopped; src/vmm maps these to exit statuses. */
enum vm_stop_reason {
	VM_STOP_NONE = 0,
	VM_STOP_POWEROFF,   /* ACPI S5 */
	VM_STOP_REBOOT,	    /* keyboard-controller or ACPI reset */
	VM_STOP_DEBUG_EXIT, /* guest wrote the debug-exit port; status set */
	VM_STOP_CRASH,	    /* triple fault, emulation failure, ... */
	VM_STOP_ERROR,	    /* host-side failure while running */
	VM_STOP_USER,	    /* the user quit from the console (Ctrl-A x) */
};

struct vcpu;

struct kvm_vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	struct gmem mem;
	struct iobus pio;  /* I/O ports */
	struct iobus mmio; /* guest-physical MMIO */

	unsigned int nr_vcpus;
	struct vcpu *vcpus;

	/* How device interrupts reach the irqchip: KVM_IRQ_LINE normally; unit
	 * tests install a recorder instead (tests/support/fake_vm.c). */
	int (*irq_line)(struct kvm_vm *vm, uint32_t gsi, int level);

	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	enum vm_stop_reason stop_reason;
	int stop_status; /* for VM_STOP_DEBUG_EXIT */
};

/* Opens /dev/kvm and creates an empty VM with irqchip, PIT and the GSI
 * routing in kvm_irq.c. On failure returns -errno and sets *what to a
 * static string naming the step or missing capability, for the one-line
 * error message main() prints. */
int kvm_vm_create(struct kvm_vm *vm, const char **what);

/* Allocates guest RAM of ram_size bytes: RAM below below_4g_end, the rest
 * above 4 GiB (the 32-bit PCI hole sits between). Registers the memory slots
 * and the gmem regions. */
int kvm_vm_add_ram(struct kvm_vm *vm, uint64_t ram_size, uint64_t below_4g_end);

void kvm_vm_destroy(struct kvm_vm *vm);

/* Drive an interrupt line (GSI) to level 0 or 1 (KVM_IRQ_LINE). Edge-triggered
 * sources pulse it: kvm_irq_line(vm, gsi, 1); kvm_irq_line(vm, gsi, 0). */
int kvm_irq_line(struct kvm_vm *vm, uint32_t gsi, int level);

/* Asks the machine to stop. The first request wins; later ones are ignored.
 * Safe from any thread. */
void kvm_vm_request_stop(struct kvm_vm *vm, enum vm_stop_reason reason,
			 int status);

/* True once a stop was requested. */
bool kvm_vm_stopping(struct kvm_vm *vm);

/* Blocks until a stop is requested; returns the reason (and *status). */
enum vm_stop_reason kvm_vm_wait_stop(struct kvm_vm *vm, int *status);

#endif
