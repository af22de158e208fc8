/* machine_layout: where the virtio devices go, and the machine told back.
 *
 * Places each virtio-mmio device (virtio 1.3 §4.2) in the next slot of the
 * MMIO window with the next free IOAPIC line (src/vmm/layout.h), and turns
 * struct machine into the --print-layout text and the virtio_mmio.device=
 * words of the kernel command line. Depends on machine.h, e820.c.
 */
#ifndef VMM_MACHINE_LAYOUT_H
#define VMM_MACHINE_LAYOUT_H

#include <stddef.h>
#include <stdio.h>

#include "machine.h"

/* The register window of one virtio-mmio device (virtio_mmio.h's
 * VIRTIO_MMIO_REGION_SIZE; checked against it in device_table.c). */
#define MACHINE_LAYOUT_MMIO_REGION_LEN 0x200

/* Adds a virtio device to m. On MMIO it gets the next free slot of the
 * window and the next IOAPIC line of LAYOUT_VIRTIO_MMIO_GSIS, with register
 * layout mmio_version (2, or 1 for legacy); on PCI the bus places it later.
 * kind and option must live as long as m. Returns the device's index in
 * m->virtio, -ENOSPC when every MMIO line is taken, -E2BIG when m->virtio
 * is full, or -EINVAL for an mmio_version other than 1 or 2. */
int machine_layout_add_virtio(struct machine *m, const char *kind,
			      const char *option,
			      enum machine_transport transport,
			      unsigned int mmio_version);

/* How many virtio-mmio devices the layout has IOAPIC lines for, and those
 * lines as text ("5-7, 10-15") for messages. */
unsigned int machine_layout_mmio_capacity(void);
void machine_layout_mmio_gsis(char *buf, size_t len);

/* Appends " virtio_mmio.device=SIZE@ADDR:IRQ" for each virtio-mmio device
 * to the string in buf (Linux's CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES syntax).
 * Returns 0, or -ENOSPC (buf unchanged) if that does not fit in len. */
int machine_layout_mmio_cmdline(const struct machine *m, char *buf, size_t len);

/* One line (no newline) for device idx: kind, transport, address range,
 * interrupt, and the option that asked for it. */
void machine_layout_describe_dev(const struct machine *m, unsigned int idx,
				 char *buf, size_t len);

/* Writes the whole layout to f: RAM and the fixed windows in address
 * order, then one line per virtio device. */
void machine_layout_print(const struct machine *m, FILE *f);

#endif
