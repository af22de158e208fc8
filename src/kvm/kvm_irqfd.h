/* kvm_irqfd: a level-triggered interrupt line (an IOAPIC input) that a
 * device model drives, delivered through KVM_IRQFD with a resample eventfd.
 *
 * KVM_IRQFD_FLAG_RESAMPLE (Documentation/virt/kvm/api.rst): a write to the
 * trigger eventfd asserts the GSI; when the guest EOIs it, KVM lowers the
 * GSI and signals the resample eventfd, and the device asserts it again if
 * it still has something pending. Raising costs one write(), lowering
 * nothing. Without that (no VM fd in unit tests, or a KVM that refuses it)
 * the line goes through kvm_irq_line() (vm->irq_line). Depends on kvm.h.
 */
#ifndef VMM_KVM_KVM_IRQFD_H
#define VMM_KVM_KVM_IRQFD_H

#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;

struct kvm_irqfd_level {
	struct kvm_vm *vm;
	uint32_t gsi;
	int trigger_efd;  /* -1: no irqfd, the line goes through irq_line */
	int resample_efd; /* signalled when KVM lowered the line on EOI */
	bool level;	  /* irq_line mode: what we last set */
};

/* Binds gsi to a pair of eventfds with KVM_IRQFD (resample mode) if the VM
 * has a fd, else prepares the irq_line fallback (also taken when KVM
 * refuses the irqfd). Returns 0, or -errno for a host failure. */
int kvm_irqfd_level_init(struct kvm_irqfd_level *l, struct kvm_vm *vm,
			 uint32_t gsi);
/* Lowers the line, unbinds the irqfd and closes the eventfds. */
void kvm_irqfd_level_destroy(struct kvm_irqfd_level *l);

/* The device's wish for the line: true while it has an event pending.
 * Through the irqfd, true asserts and false does nothing (KVM lowers the
 * line at the guest's EOI and the resample fd says so). The caller
 * serialises calls with its own pending state (one lock). */
void kvm_irqfd_level_set(struct kvm_irqfd_level *l, bool level);

/* The eventfd to poll for resample notifications, -1 if none. */
int kvm_irqfd_level_resample_fd(const struct kvm_irqfd_level *l);
/* Drains the resample eventfd: true if KVM lowered the line since the last
 * call. The caller then calls kvm_irqfd_level_set(l, still_pending). */
bool kvm_irqfd_level_resampled(struct kvm_irqfd_level *l);

#endif
