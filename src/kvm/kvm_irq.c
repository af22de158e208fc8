/* kvm_irq: GSI routing for the in-kernel irqchip (KVM_SET_GSI_ROUTING).
 *
 * A PC wires the PIT to IOAPIC pin 2 (ISA IRQ 0 is overridden to GSI 2 in
 * the MADT, ACPI 6.5 §5.2.12.5). KVM injects the PIT on GSI 0, so GSI 0 is
 * routed to pin 2 here. MSI routes join this table with the PCI issue.
 */
#include "kvm_irq.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "kvm.h"

#define PIC_NUM_PINS	16
#define PIC_CASCADE_PIN 2

static void add_route(struct kvm_irq_routing *table, uint32_t gsi,
		      uint32_t chip, uint32_t pin)
{
	struct kvm_irq_routing_entry *e = &table->entries[table->nr++];

	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

int kvm_irq_routing_init(struct kvm_vm *vm)
{
	const unsigned int max = KVM_IOAPIC_NUM_PINS + PIC_NUM_PINS;
	struct kvm_irq_routing *table;
	int ret = 0;

	table = calloc(1, sizeof(*table) + max * sizeof(table->entries[0]));
	if (!table)
		return -ENOMEM;
	for (uint32_t gsi = 0; gsi < PIC_NUM_PINS; gsi++) {
		if (gsi == PIC_CASCADE_PIN)
			continue;
		add_route(table, gsi,
			  gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
				  : KVM_IRQCHIP_PIC_SLAVE,
			  gsi % 8);
	}
	for (uint32_t gsi = 0; gsi < KVM_IOAPIC_NUM_PINS; gsi++)
		add_route(table, gsi, KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, table) < 0)
		ret = -errno;
	free(table);
	return ret;
}
