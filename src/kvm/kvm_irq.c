/* kvm_irq: GSI routing for the in-kernel irqchip (KVM_SET_GSI_ROUTING).
 *
 * A PC wires the PIT to IOAPIC pin 2 (ISA IRQ 0 is overridden to GSI 2 in
 * the MADT, ACPI 6.5 §5.2.12.5). KVM injects the PIT on GSI 0, so GSI 0 is
 * routed to pin 2 here. MSI routes join this table in kvm_msi.c, which
 * rebuilds it from kvm_irq_pc_routes() plus its own entries.
 */
#include "kvm_irq.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm.h"

#define PIC_NUM_PINS	16
#define PIC_CASCADE_PIN 2

static void add_route(struct kvm_irq_routing_entry *entries, unsigned int *nr,
		      uint32_t gsi, uint32_t chip, uint32_t pin)
{
	struct kvm_irq_routing_entry *e = &entries[(*nr)++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

unsigned int kvm_irq_pc_routes(struct kvm_irq_routing_entry *entries)
{
	unsigned int nr = 0;

	for (uint32_t gsi = 0; gsi < PIC_NUM_PINS; gsi++) {
		if (gsi == PIC_CASCADE_PIN)
			continue;
		add_route(entries, &nr, gsi,
			  gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
				  : KVM_IRQCHIP_PIC_SLAVE,
			  gsi % 8);
	}
	for (uint32_t gsi = 0; gsi < KVM_IOAPIC_NUM_PINS; gsi++)
		add_route(entries, &nr, gsi, KVM_IRQCHIP_IOAPIC,
			  gsi == 0 ? 2 : gsi);
	return nr;
}

int kvm_irq_routing_init(struct kvm_vm *vm)
{
	struct kvm_irq_routing *table;
	int ret = 0;

	_Static_assert(KVM_IRQ_PC_ROUTES >= KVM_IOAPIC_NUM_PINS + PIC_NUM_PINS,
		       "KVM_IRQ_PC_ROUTES too small");
	table = calloc(1, sizeof(*table) + KVM_IRQ_PC_ROUTES *
						   sizeof(table->entries[0]));
	if (!table)
		return -ENOMEM;
	table->nr = kvm_irq_pc_routes(table->entries);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, table) < 0)
		ret = -errno;
	free(table);
	return ret;
}
