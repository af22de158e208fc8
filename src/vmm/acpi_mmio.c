/* acpi_mmio: virtio-mmio devices in AML (see acpi_mmio.h).
 *
 * Linux's ACPI scan turns each LNRO0005 device into a platform device with
 * the _CRS resources; virtio_mmio binds to it when its module loads. The
 * Interrupt descriptor is the extended form on purpose: for it Linux takes
 * the trigger and polarity from _CRS as written, where for the ISA-style
 * IRQ() descriptors it would apply the MADT's overrides instead.
 */
#include "acpi_mmio.h"

#include <errno.h>
#include <stdio.h>

#define IOAPIC_PINS 24

static void dsdt_device(struct aml_buf *b, const struct machine_mmio_dev *d,
			unsigned int uid)
{
	char name[8];

	snprintf(name, sizeof(name), "VR%02u", uid % 100);
	aml_device(b, name);
	aml_name(b, "_HID");
	aml_string(b, ACPI_MMIO_HID);
	aml_name(b, "_UID");
	aml_integer(b, uid);
	aml_name(b, "_CRS");
	aml_resource_template(b);
	aml_res_memory32_fixed(b, (uint32_t)d->gpa, (uint32_t)d->len, true);
	/* Level-triggered, active-high, not shared: the transport holds the
	 * line up while InterruptStatus is non-zero (virtio 1.3 §4.2.2.1). */
	aml_res_interrupt(b, AML_IRQ_CONSUMER, d->gsi);
	aml_end(b);
	aml_end(b);
}

void acpi_mmio_dsdt(struct aml_buf *b, const struct machine *m)
{
	unsigned int uid = 0;

	if (m->mmio_cmdline)
		return;
	for (unsigned int i = 0; i < m->nr_virtio; i++)
		if (m->virtio[i].transport == MACHINE_TRANSPORT_MMIO)
			dsdt_device(b, &m->virtio[i].mmio, uid++);
}

static int dev_valid(const struct machine_mmio_dev *d,
		     const struct machine_pci *pci)
{
	if (!d->len || d->gpa > UINT32_MAX || d->len > UINT32_MAX ||
	    d->gpa + d->len - 1 > UINT32_MAX)
		return -EINVAL;
	if (d->gsi >= IOAPIC_PINS || (d->version != 1 && d->version != 2))
		return -EINVAL;
	if (pci->present && d->gsi >= pci->intx_gsi_base &&
	    d->gsi < pci->intx_gsi_base + pci->intx_gsi_count)
		return -EINVAL;
	return 0;
}

static int pair_valid(const struct machine_mmio_dev *a,
		      const struct machine_mmio_dev *b)
{
	if (a->gsi == b->gsi)
		return -EINVAL;
	if (a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len)
		return -EINVAL;
	return 0;
}

int acpi_mmio_valid(const struct machine *m)
{
	unsigned int nr = 0;

	if (m->nr_virtio > MACHINE_MAX_VIRTIO)
		return -EINVAL;
	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		const struct machine_virtio *d = &m->virtio[i];

		if (d->transport != MACHINE_TRANSPORT_MMIO)
			continue;
		if (dev_valid(&d->mmio, &m->pci) || ++nr > 100)
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (m->virtio[j].transport == MACHINE_TRANSPORT_MMIO &&
			    pair_valid(&d->mmio, &m->virtio[j].mmio))
				return -EINVAL;
	}
	return 0;
}
