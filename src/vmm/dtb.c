/* dtb: the machine's device tree (see dtb.h and docs/device-tree.md).
 *
 * libfdt's sequential-write calls emit nodes in the order written; a
 * context with a sticky error (like aml.c's) lets each node be written
 * straight through and checked once. Bindings: virtio 1.3 §4.2.1
 * (virtio,mmio), Linux's intel,ce4100-ioapic/-lapic and
 * pci-host-ecam-generic, the PCI bus binding (IEEE 1275 PCI, 3-cell
 * addresses). Depends on libfdt, e820.c and layout.h.
 */
#include "dtb.h"

#include <asm/e820.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e820.h"
#include "layout.h"

#define DTB_INITIAL_SIZE 16384
#define DTB_MAX_SIZE	 (1 << 20)
#define APIC_WINDOW_LEN	 0x1000
/* PCI bus binding: phys.hi "ss" bits, and where the device number sits. */
#define PCI_SPACE_MEM32 0x02000000u
#define PCI_SPACE_MEM64 0x03000000u
#define PCI_DEVFN_SHIFT 11

struct dtb_ctx {
	void *fdt;
	int err; /* the first libfdt error, sticky */
};

static void check(struct dtb_ctx *c, int ret)
{
	if (!c->err && ret < 0)
		c->err = ret;
}

static void begin(struct dtb_ctx *c, const char *name)
{
	if (!c->err)
		check(c, fdt_begin_node(c->fdt, name));
}

static void end(struct dtb_ctx *c)
{
	if (!c->err)
		check(c, fdt_end_node(c->fdt));
}

static void prop_u32(struct dtb_ctx *c, const char *name, uint32_t v)
{
	if (!c->err)
		check(c, fdt_property_u32(c->fdt, name, v));
}

static void prop_u64(struct dtb_ctx *c, const char *name, uint64_t v)
{
	if (!c->err)
		check(c, fdt_property_u64(c->fdt, name, v));
}

static void prop_str(struct dtb_ctx *c, const char *name, const char *v)
{
	if (!c->err)
		check(c, fdt_property_string(c->fdt, name, v));
}

static void prop_empty(struct dtb_ctx *c, const char *name)
{
	if (!c->err)
		check(c, fdt_property(c->fdt, name, NULL, 0));
}

/* A list of n 32-bit cells, big-endian in the blob. */
static void prop_cells(struct dtb_ctx *c, const char *name,
		       const uint32_t *cells, size_t n)
{
	fdt32_t *be;

	if (c->err)
		return;
	check(c, fdt_property_placeholder(c->fdt, name, (int)(n * sizeof(*be)),
					  (void **)&be));
	for (size_t i = 0; !c->err && i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
}

/* Root addresses and sizes are two cells: a 64-bit value, high half first. */
static void put64(uint32_t *cells, uint64_t v)
{
	cells[0] = (uint32_t)(v >> 32);
	cells[1] = (uint32_t)v;
}

static void prop_reg(struct dtb_ctx *c, uint64_t gpa, uint64_t len)
{
	uint32_t cells[4];

	put64(cells, gpa);
	put64(cells + 2, len);
	prop_cells(c, "reg", cells, 4);
}

/* --- The nodes --- */

static void node_chosen(struct dtb_ctx *c, const struct dtb_boot *boot)
{
	begin(c, "chosen");
	if (boot && boot->cmdline)
		prop_str(c, "bootargs", boot->cmdline);
	if (boot && boot->initrd_len) {
		prop_u64(c, "linux,initrd-start", boot->initrd_gpa);
		prop_u64(c, "linux,initrd-end",
			 boot->initrd_gpa + boot->initrd_len);
	}
	end(c);
}

/* vCPU i has APIC id i (docs/machine-layout.md "CPUs"). */
static void node_cpus(struct dtb_ctx *c, const struct machine *m)
{
	char name[16];

	begin(c, "cpus");
	prop_u32(c, "#address-cells", 1);
	prop_u32(c, "#size-cells", 0);
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		begin(c, name);
		prop_str(c, "device_type", "cpu");
		prop_u32(c, "reg", i);
		end(c);
	}
	end(c);
}

/* The RAM the e820 map gives the guest, range for range. */
static void node_memory(struct dtb_ctx *c, const struct machine *m)
{
	struct boot_e820_entry e820[8];
	int n = e820_build(m, e820, 8);
	uint32_t cells[8 * 4];
	size_t nr = 0;

	for (int i = 0; i < n; i++) {
		if (e820[i].type != E820_RAM)
			continue;
		put64(cells + 4 * nr, e820[i].addr);
		put64(cells + 4 * nr + 2, e820[i].size);
		nr++;
	}
	begin(c, "memory@0");
	prop_str(c, "device_type", "memory");
	prop_cells(c, "reg", cells, 4 * nr);
	end(c);
}

static void node_apics(struct dtb_ctx *c)
{
	char name[48];

	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)LAYOUT_LAPIC_GPA);
	begin(c, name);
	prop_str(c, "compatible", "intel,ce4100-lapic");
	prop_reg(c, LAYOUT_LAPIC_GPA, APIC_WINDOW_LEN);
	prop_empty(c, "interrupt-controller");
	prop_u32(c, "#interrupt-cells", 2);
	/* No parent unit address in an interrupt-map entry pointing here. */
	prop_u32(c, "#address-cells", 0);
	end(c);

	snprintf(name, sizeof(name), "interrupt-controller@%llx",
		 (unsigned long long)LAYOUT_IOAPIC_GPA);
	begin(c, name);
	prop_str(c, "compatible", "intel,ce4100-ioapic");
	prop_reg(c, LAYOUT_IOAPIC_GPA, APIC_WINDOW_LEN);
	prop_empty(c, "interrupt-controller");
	prop_u32(c, "#interrupt-cells", 2);
	/* No parent unit address in an interrupt-map entry pointing here. */
	prop_u32(c, "#address-cells", 0);
	prop_u32(c, "phandle", DTB_PHANDLE_IOAPIC);
	end(c);
}

/* virtio 1.3 §4.2.1: compatible "virtio,mmio", reg, interrupts. The line
 * is level-triggered and active-high, as the DSDT's _CRS says. */
static void node_virtio_mmio(struct dtb_ctx *c,
			     const struct machine_mmio_dev *d)
{
	uint32_t irq[2] = {d->gsi, DTB_IRQ_LEVEL_HIGH};
	char name[32];

	snprintf(name, sizeof(name), "virtio@%llx", (unsigned long long)d->gpa);
	begin(c, name);
	prop_str(c, "compatible", "virtio,mmio");
	prop_reg(c, d->gpa, d->len);
	prop_cells(c, "interrupts", irq, 2);
	end(c);
}

/* <0x02000000 0 gpa  gpa  len> for each BAR window: PCI memory addresses
 * are the CPU's, untranslated. */
static void pci_ranges(struct dtb_ctx *c, const struct machine_pci *pci)
{
	uint32_t cells[2 * 7];
	size_t n = 0;

	cells[n++] = PCI_SPACE_MEM32;
	put64(cells + n, pci->mmio32_gpa);
	put64(cells + n + 2, pci->mmio32_gpa);
	put64(cells + n + 4, pci->mmio32_len);
	n += 6;
	if (pci->mmio64_len) {
		cells[n++] = PCI_SPACE_MEM64;
		put64(cells + n, pci->mmio64_gpa);
		put64(cells + n + 2, pci->mmio64_gpa);
		put64(cells + n + 4, pci->mmio64_len);
		n += 6;
	}
	prop_cells(c, "ranges", cells, n);
}

/* Slot s, pin p (1 = INTA) -> <gsi level-low> on the IOAPIC: the same
 * swizzle as the bridge and the DSDT's _PRT (pci_intx_gsi in pci.h). */
static void pci_interrupt_map(struct dtb_ctx *c, const struct machine_pci *pci)
{
	static const uint32_t mask[4] = {0x1f << PCI_DEVFN_SHIFT, 0, 0, 7};
	uint32_t cells[DTB_PCI_INTERRUPT_MAP_LEN * 7];
	size_t n = 0;

	for (uint32_t slot = 0; slot < 32; slot++) {
		for (uint32_t pin = 1; pin <= 4; pin++) {
			uint32_t entry[7] = {
				slot << PCI_DEVFN_SHIFT,
				0,
				0,
				pin,
				DTB_PHANDLE_IOAPIC,
				pci->intx_gsi_base +
					(slot + pin - 1) % pci->intx_gsi_count,
				DTB_IRQ_LEVEL_LOW};

			memcpy(cells + n, entry, sizeof(entry));
			n += 7;
		}
	}
	prop_cells(c, "interrupt-map-mask", mask, 4);
	prop_cells(c, "interrupt-map", cells, n);
}

static void node_pci(struct dtb_ctx *c, const struct machine_pci *pci)
{
	uint32_t bus_range[2] = {0, (uint32_t)(pci->ecam_len >> 20) - 1};
	char name[32];

	snprintf(name, sizeof(name), "pci@%llx",
		 (unsigned long long)pci->ecam_gpa);
	begin(c, name);
	prop_str(c, "compatible", "pci-host-ecam-generic");
	prop_str(c, "device_type", "pci");
	prop_reg(c, pci->ecam_gpa, pci->ecam_len);
	prop_cells(c, "bus-range", bus_range, 2);
	prop_u32(c, "linux,pci-domain", 0);
	prop_u32(c, "#address-cells", 3);
	prop_u32(c, "#size-cells", 2);
	prop_u32(c, "#interrupt-cells", 1);
	pci_ranges(c, pci);
	if (pci->intx_gsi_count)
		pci_interrupt_map(c, pci);
	end(c);
}

static void tree(struct dtb_ctx *c, const struct machine *m,
		 const struct dtb_boot *boot)
{
	check(c, fdt_finish_reservemap(c->fdt));
	begin(c, "");
	prop_u32(c, "#address-cells", 2);
	prop_u32(c, "#size-cells", 2);
	prop_str(c, "compatible", "vmm,x86-64");
	prop_str(c, "model", "vmm virtual machine");
	prop_u32(c, "interrupt-parent", DTB_PHANDLE_IOAPIC);
	node_chosen(c, boot);
	node_cpus(c, m);
	node_memory(c, m);
	node_apics(c);
	for (unsigned int i = 0; i < m->nr_virtio; i++)
		if (m->virtio[i].transport == MACHINE_TRANSPORT_MMIO)
			node_virtio_mmio(c, &m->virtio[i].mmio);
	if (m->pci.present)
		node_pci(c, &m->pci);
	end(c);
	if (!c->err)
		check(c, fdt_finish(c->fdt));
}

int dtb_build(const struct machine *m, const struct dtb_boot *boot, void **blob,
	      size_t *len)
{
	struct dtb_ctx c;
	int size = DTB_INITIAL_SIZE;

	if (m->nr_virtio > MACHINE_MAX_VIRTIO || m->nr_cpus > MACHINE_MAX_CPUS)
		return -EINVAL;
	/* Sequential writing cannot grow its buffer mid-way: start over in
	 * a bigger one until the tree fits. */
	for (;;) {
		c = (struct dtb_ctx){.fdt = malloc((size_t)size)};
		if (!c.fdt)
			return -ENOMEM;
		check(&c, fdt_create(c.fdt, size));
		tree(&c, m, boot);
		if (c.err != -FDT_ERR_NOSPACE || size >= DTB_MAX_SIZE)
			break;
		free(c.fdt);
		size *= 2;
	}
	if (c.err) {
		free(c.fdt);
		return c.err == -FDT_ERR_NOSPACE ? -ENOMEM : -EINVAL;
	}
	*blob = c.fdt;
	*len = fdt_totalsize(c.fdt);
	return 0;
}

/* --- --dump-dtb FILE --- */

int dtb_file_open(struct dtb_file *f, const char *path, char *err,
		  size_t err_len)
{
	*f = (struct dtb_file){.fd = -1, .path = path};
	f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	f->created = f->fd >= 0;
	if (f->fd < 0 && errno == EEXIST)
		f->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(err, err_len, "--dump-dtb '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int dtb_file_write(struct dtb_file *f, const struct machine *m,
		   const struct dtb_boot *boot, char *err, size_t err_len)
{
	struct stat st;
	void *blob;
	size_t len;
	int ret = dtb_build(m, boot, &blob, &len);

	if (ret < 0) {
		snprintf(err, err_len, "--dump-dtb: cannot build the tree: %s",
			 strerror(-ret));
		return -1;
	}
	/* A regular file is replaced; a pipe or terminal just gets it. */
	if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(f->fd, 0) < 0)
		ret = -1;
	if (ret == 0)
		ret = write_all(f->fd, blob, len);
	free(blob);
	if (ret < 0) {
		snprintf(err, err_len, "--dump-dtb '%s': %s", f->path,
			 strerror(errno));
		return -1;
	}
	f->written = true;
	return 0;
}

void dtb_file_close(struct dtb_file *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	if (f->created && !f->written)
		unlink(f->path);
	f->fd = -1;
}
