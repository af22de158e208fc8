/* acpi_mmio: the virtio-mmio devices as ACPI describes them: one LNRO0005
 * device each in the DSDT (ACPI 6.5 §6.1.5 _HID, §6.1.12 _UID, §6.2.2
 * _CRS with §6.4.3.4 Memory32Fixed and §6.4.3.6 Extended Interrupt), the
 * id Linux's virtio_mmio driver matches (drivers/virtio/virtio_mmio.c).
 * Depends on aml.h and machine.h.
 */
#ifndef VMM_ACPI_MMIO_H
#define VMM_ACPI_MMIO_H

#include "aml.h"
#include "machine.h"

/* The _HID of a virtio-mmio device (an ACPI id: vendor "LNRO", Linaro). */
#define ACPI_MMIO_HID "LNRO0005"

/* Device(VRnn) for each virtio-mmio device of m, nn counting from 00, with
 * its register window and its IOAPIC line (level-triggered, active-high,
 * exclusive), written inside the caller's \_SB_ scope. Nothing when m
 * announces them on the kernel command line instead (m->mmio_cmdline). */
void acpi_mmio_dsdt(struct aml_buf *b, const struct machine *m);

/* Whether acpi_mmio_dsdt() can describe m's virtio-mmio devices: each
 * window inside 32 bits (Memory32Fixed), non-empty, not overlapping
 * another; each line a distinct IOAPIC pin below 24 and outside the PCI
 * INTx range; the version 1 or 2. 0 or -EINVAL. */
int acpi_mmio_valid(const struct machine *m);

#endif
