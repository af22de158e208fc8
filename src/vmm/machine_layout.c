/* machine_layout: virtio device placement and the layout as text (see
 * machine_layout.h and docs/machine-layout.md).
 *
 * The k-th virtio-mmio device gets slot k of the window and the k-th line
 * of LAYOUT_VIRTIO_MMIO_GSIS: a pure function of the order of the options,
 * so the same command line always gives the same machine.
 */
#include "machine_layout.h"

#include <asm/e820.h>
#include <errno.h>
#include <string.h>

#include "e820.h"
#include "layout.h"

static const unsigned int mmio_gsis[] = LAYOUT_VIRTIO_MMIO_GSIS;
#define NR_MMIO_GSIS (sizeof(mmio_gsis) / sizeof(mmio_gsis[0]))

_Static_assert(NR_MMIO_GSIS == LAYOUT_VIRTIO_MMIO_NR_GSIS,
	       "layout.h: the GSI list and its count disagree");
_Static_assert(NR_MMIO_GSIS *LAYOUT_VIRTIO_MMIO_SLOT <= LAYOUT_VIRTIO_MMIO_LEN,
	       "every IOAPIC line needs a slot in the window");
_Static_assert(MACHINE_LAYOUT_MMIO_REGION_LEN <= LAYOUT_VIRTIO_MMIO_SLOT,
	       "a register window fits in its slot");

static unsigned int nr_mmio(const struct machine *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->nr_virtio; i++)
		n += m->virtio[i].transport == MACHINE_TRANSPORT_MMIO;
	return n;
}

int machine_layout_add_virtio(struct machine *m, const char *kind,
			      const char *option,
			      enum machine_transport transport,
			      unsigned int mmio_version)
{
	struct machine_virtio *d;
	unsigned int k = nr_mmio(m);

	if (m->nr_virtio == MACHINE_MAX_VIRTIO)
		return -E2BIG;
	if (transport == MACHINE_TRANSPORT_MMIO) {
		if (mmio_version != 1 && mmio_version != 2)
			return -EINVAL;
		if (k == NR_MMIO_GSIS)
			return -ENOSPC;
	}
	d = &m->virtio[m->nr_virtio];
	*d = (struct machine_virtio){
		.kind = kind, .option = option, .transport = transport};
	if (transport == MACHINE_TRANSPORT_MMIO)
		d->mmio = (struct machine_mmio_dev){
			.gpa = LAYOUT_VIRTIO_MMIO_GPA +
			       k * LAYOUT_VIRTIO_MMIO_SLOT,
			.len = MACHINE_LAYOUT_MMIO_REGION_LEN,
			.gsi = mmio_gsis[k],
			.version = mmio_version,
		};
	return (int)m->nr_virtio++;
}

unsigned int machine_layout_mmio_capacity(void)
{
	return NR_MMIO_GSIS;
}

/* Runs of consecutive lines as "a-b", the rest one by one. */
void machine_layout_mmio_gsis(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < NR_MMIO_GSIS && used < len; i++) {
		unsigned int j = i;
		int n;

		while (j + 1 < NR_MMIO_GSIS &&
		       mmio_gsis[j + 1] == mmio_gsis[j] + 1)
			j++;
		if (j > i)
			n = snprintf(buf + used, len - used, "%s%u-%u",
				     i ? ", " : "", mmio_gsis[i], mmio_gsis[j]);
		else
			n = snprintf(buf + used, len - used, "%s%u",
				     i ? ", " : "", mmio_gsis[i]);
		used += n > 0 ? (size_t)n : 0;
		i = j;
	}
}

int machine_layout_mmio_cmdline(const struct machine *m, char *buf, size_t len)
{
	size_t start = strnlen(buf, len), used = start;

	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		const struct machine_virtio *d = &m->virtio[i];
		int n;

		if (d->transport != MACHINE_TRANSPORT_MMIO)
			continue;
		n = snprintf(buf + used, len - used,
			     " virtio_mmio.device=%#llx@%#llx:%u",
			     (unsigned long long)d->mmio.len,
			     (unsigned long long)d->mmio.gpa, d->mmio.gsi);
		if (n < 0 || (size_t)n >= len - used) {
			buf[start] = '\0';
			return -ENOSPC;
		}
		used += (size_t)n;
	}
	return 0;
}

/* kind, transport, address range, interrupt: aligned columns. */
static void describe(char *buf, size_t len, const char *kind,
		     const char *transport, uint64_t gpa, uint64_t size,
		     const char *irq)
{
	snprintf(buf, len, "%-14s %-12s 0x%09llx-0x%09llx  %s", kind, transport,
		 (unsigned long long)gpa, (unsigned long long)(gpa + size - 1),
		 irq);
}

void machine_layout_describe_dev(const struct machine *m, unsigned int idx,
				 char *buf, size_t len)
{
	const struct machine_virtio *d = &m->virtio[idx];
	char transport[16], irq[48];
	size_t used;

	if (d->transport == MACHINE_TRANSPORT_MMIO) {
		snprintf(irq, sizeof(irq), "GSI %u, level", d->mmio.gsi);
		describe(buf, len, d->kind,
			 d->mmio.version == 1 ? "mmio v1" : "mmio", d->mmio.gpa,
			 d->mmio.len, irq);
	} else {
		const struct machine_pci_dev *p = &d->pci;

		snprintf(transport, sizeof(transport), "pci 00:%02x.0",
			 p->slot & 0x1f);
		if (p->msix_vectors)
			snprintf(irq, sizeof(irq), "MSI-X, %u vectors",
				 p->msix_vectors);
		else
			snprintf(irq, sizeof(irq), "INTx, GSI %u", p->intx_gsi);
		describe(buf, len, d->kind, transport, p->bar_gpa, p->bar_len,
			 irq);
	}
	used = strnlen(buf, len);
	if (d->option && used + 1 < len)
		snprintf(buf + used, len - used, "  %s", d->option);
}

/* --- --print-layout ------------------------------------------------- */

#define MAX_WINDOWS 16

struct window {
	uint64_t gpa, len;
	const char *what;
};

static void add_window(struct window *w, unsigned int *n, uint64_t gpa,
		       uint64_t len, const char *what)
{
	unsigned int i = *n;

	if (*n == MAX_WINDOWS || !len)
		return;
	/* Insertion sort: a dozen entries at most. */
	while (i > 0 && w[i - 1].gpa > gpa) {
		w[i] = w[i - 1];
		i--;
	}
	w[i] = (struct window){gpa, len, what};
	(*n)++;
}

static unsigned int collect_windows(const struct machine *m, struct window *w)
{
	struct boot_e820_entry e820[8];
	int nr_e820 = e820_build(m, e820, 8);
	unsigned int n = 0;

	for (int i = 0; i < nr_e820; i++)
		if (e820[i].type == E820_RAM)
			add_window(w, &n, e820[i].addr, e820[i].size, "RAM");
	add_window(w, &n, LAYOUT_EBDA_GPA, LAYOUT_KERNEL_GPA - LAYOUT_EBDA_GPA,
		   "reserved: BIOS area, ACPI tables at 0xe0000");
	if (m->pci.present) {
		add_window(w, &n, m->pci.mmio32_gpa, m->pci.mmio32_len,
			   "PCI 32-bit BAR window");
		add_window(w, &n, m->pci.ecam_gpa, m->pci.ecam_len,
			   "PCI ECAM, bus 0 (reserved in e820)");
		add_window(w, &n, m->pci.mmio64_gpa, m->pci.mmio64_len,
			   "PCI 64-bit BAR window");
	}
	if (nr_mmio(m))
		add_window(w, &n, LAYOUT_VIRTIO_MMIO_GPA,
			   LAYOUT_VIRTIO_MMIO_LEN,
			   "virtio-mmio window, 4 KiB slots");
	add_window(w, &n, LAYOUT_IOAPIC_GPA, 0x1000, "IOAPIC, 24 pins");
	add_window(w, &n, LAYOUT_LAPIC_GPA, 0x1000, "local APICs");
	return n;
}

void machine_layout_print(const struct machine *m, FILE *f)
{
	struct window w[MAX_WINDOWS];
	unsigned int n = collect_windows(m, w);
	char line[640];

	fprintf(f, "machine: %u vCPU%s, %llu MiB RAM\n", m->nr_cpus,
		m->nr_cpus == 1 ? "" : "s",
		(unsigned long long)(m->ram_size >> 20));
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "  0x%09llx-0x%09llx  %s\n",
			(unsigned long long)w[i].gpa,
			(unsigned long long)(w[i].gpa + w[i].len - 1),
			w[i].what);
	if (!m->nr_virtio) {
		fprintf(f, "virtio devices: none\n");
		return;
	}
	fprintf(f, "virtio devices:\n");
	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		machine_layout_describe_dev(m, i, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}
}
