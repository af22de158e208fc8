/* fake_vm: a struct kvm_vm without /dev/kvm, for device unit tests.
 *
 * Guest RAM is a malloc'd block at guest-physical 0, the buses are real
 * iobus instances, and interrupt lines are recorded instead of injected.
 */
#ifndef VMM_TEST_FAKE_VM_H
#define VMM_TEST_FAKE_VM_H

#include <stdint.h>

#include "kvm.h"

struct fake_vm {
	struct kvm_vm vm;
	void *ram;
	uint64_t ram_size;
	int irq_level[KVM_IOAPIC_NUM_PINS]; /* current level per GSI */
	unsigned int irq_raises[KVM_IOAPIC_NUM_PINS]; /* 0 -> 1 transitions */
};

/* ram_size may be 0 for no RAM. Aborts the test on allocation failure. */
void fake_vm_init(struct fake_vm *f, uint64_t ram_size);
void fake_vm_destroy(struct fake_vm *f);

/* Port I/O as a vCPU would do it; unclaimed reads give all-ones. */
uint8_t fake_inb(struct fake_vm *f, uint16_t port);
void fake_outb(struct fake_vm *f, uint16_t port, uint8_t val);
uint32_t fake_in(struct fake_vm *f, uint16_t port, uint32_t len);
void fake_out(struct fake_vm *f, uint16_t port, uint32_t val, uint32_t len);

#endif
