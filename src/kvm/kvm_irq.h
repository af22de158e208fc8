/* kvm_irq: the GSI routing table that wires interrupt lines to the
 * in-kernel PIC and IOAPIC (KVM_SET_GSI_ROUTING). */
#ifndef VMM_KVM_KVM_IRQ_H
#define VMM_KVM_KVM_IRQ_H

struct kvm_vm;

/* Installs the PC routing: GSI n -> IOAPIC pin n, except GSI 0 (the PIT)
 * -> pin 2, and ISA IRQs 0-15 (but the cascade, 2) -> the PIC too. The MADT
 * says the same with an Interrupt Source Override IRQ0 -> GSI 2. */
int kvm_irq_routing_init(struct kvm_vm *vm);

/* The same PC routes as table entries, for whoever rebuilds the whole table
 * (kvm_msi.c adds MSI routes to them). entries must hold KVM_IRQ_PC_ROUTES;
 * returns how many were written. */
struct kvm_irq_routing_entry;
#define KVM_IRQ_PC_ROUTES (24 + 16)
unsigned int kvm_irq_pc_routes(struct kvm_irq_routing_entry *entries);

#endif
