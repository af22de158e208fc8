/* test_acpi_mmio: the LNRO0005 devices' AML, decoded here byte by byte as
 * an AML interpreter reads it (ACPI 6.5 §20.2.5.2 DeviceOp, §20.2.4
 * PkgLength, §6.4.3.4 Memory32Fixed, §6.4.3.6 Extended Interrupt), the
 * MADT's level/active-high overrides for the same lines, the validation of
 * a malformed description, and the device tree agreeing with the DSDT. */
#include <check.h>
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "acpi_mmio.h"
#include "dtb.h"
#include "gmem.h"
#include "layout.h"
#include "machine.h"
#include "machine_layout.h"
#include "options.h"
#include "test_runner.h"

static struct machine with_mmio(unsigned int n)
{
	struct vmm_options o = {.memory = 2ULL << 20, .cpus = 1};
	struct machine m;

	machine_describe(&m, &o);
	for (unsigned int i = 0; i < n; i++) {
		/* A PCI device between MMIO ones takes no _UID or line. */
		if (i == 1)
			machine_layout_add_virtio(&m, "virtio-rng", NULL,
						  MACHINE_TRANSPORT_PCI, 0);
		ck_assert_int_ge(
			machine_layout_add_virtio(&m, "virtio-blk", NULL,
						  MACHINE_TRANSPORT_MMIO, 2),
			0);
	}
	return m;
}

/* The i-th MMIO device of m. */
static const struct machine_mmio_dev *mmio_dev(const struct machine *m,
					       unsigned int i)
{
	for (unsigned int j = 0; j < m->nr_virtio; j++)
		if (m->virtio[j].transport == MACHINE_TRANSPORT_MMIO && !i--)
			return &m->virtio[j].mmio;
	ck_abort_msg("no MMIO device %u", i);
	return NULL;
}

/* --- An AML reader for exactly what a device of ours holds --- */

struct reader {
	const uint8_t *p, *end;
};

static uint8_t byte(struct reader *r)
{
	ck_assert(r->p < r->end);
	return *r->p++;
}

static uint32_t le(struct reader *r, int n)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint32_t)byte(r) << (8 * i);
	return v;
}

/* §20.2.4: returns where the object that starts before it ends. */
static const uint8_t *pkglen(struct reader *r)
{
	const uint8_t *start = r->p;
	uint8_t lead = byte(r);
	int extra = lead >> 6;
	uint32_t v = extra ? lead & 0x0f : lead & 0x3f;

	for (int i = 0; i < extra; i++)
		v |= (uint32_t)byte(r) << (4 + 8 * i);
	ck_assert(start + v <= r->end);
	return start + v;
}

static void expect_name(struct reader *r, const char *seg)
{
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(byte(r), (uint8_t)seg[i]);
}

static uint64_t integer(struct reader *r)
{
	uint8_t op = byte(r);

	switch (op) {
	case 0x00:
		return 0;
	case 0x01:
		return 1;
	case 0x0a:
		return le(r, 1);
	case 0x0b:
		return le(r, 2);
	case 0x0c:
		return le(r, 4);
	}
	ck_abort_msg("not an integer: opcode %#x", op);
	return 0;
}

/* Name(_CRS, ResourceTemplate(){Memory32Fixed, Interrupt}) */
static void expect_crs(struct reader *r, const struct machine_mmio_dev *d)
{
	const uint8_t *buf_end, *desc;
	uint64_t n;
	uint8_t sum = 0;

	ck_assert_uint_eq(byte(r), 0x08); /* NameOp */
	expect_name(r, "_CRS");
	ck_assert_uint_eq(byte(r), 0x11); /* BufferOp */
	buf_end = pkglen(r);
	n = integer(r);
	ck_assert_uint_eq(n, (uint64_t)(buf_end - r->p));
	ck_assert_uint_eq(n, 12 + 9 + 2);
	desc = r->p;
	/* Memory32Fixed: tag 0x86, length 9, read-write, base, length. */
	ck_assert_uint_eq(byte(r), 0x86);
	ck_assert_uint_eq(le(r, 2), 9);
	ck_assert_uint_eq(byte(r), 1);
	ck_assert_uint_eq(le(r, 4), d->gpa);
	ck_assert_uint_eq(le(r, 4), 0x200);
	/* Extended Interrupt: consumer, level, active-high, exclusive. */
	ck_assert_uint_eq(byte(r), 0x89);
	ck_assert_uint_eq(le(r, 2), 6);
	ck_assert_uint_eq(byte(r), 0x01);
	ck_assert_uint_eq(byte(r), 1); /* one interrupt */
	ck_assert_uint_eq(le(r, 4), d->gsi);
	/* End tag, and every byte of the template sums to zero. */
	ck_assert_uint_eq(byte(r), 0x79);
	byte(r);
	while (desc < r->p)
		sum += *desc++;
	ck_assert_uint_eq(sum, 0);
	ck_assert_ptr_eq(r->p, buf_end);
}

/* Device(VRnn) { Name(_HID, "LNRO0005") Name(_UID, uid) Name(_CRS, ...) } */
static void expect_device(struct reader *r, unsigned int uid,
			  const struct machine_mmio_dev *d)
{
	const uint8_t *dev_end;
	char seg[8];

	ck_assert_uint_eq(byte(r), 0x5b); /* ExtOpPrefix */
	ck_assert_uint_eq(byte(r), 0x82); /* DeviceOp */
	dev_end = pkglen(r);
	snprintf(seg, sizeof(seg), "VR%02u", uid);
	expect_name(r, seg);
	ck_assert_uint_eq(byte(r), 0x08);
	expect_name(r, "_HID");
	ck_assert_uint_eq(byte(r), 0x0d); /* StringPrefix */
	for (const char *c = "LNRO0005"; *c; c++)
		ck_assert_uint_eq(byte(r), (uint8_t)*c);
	ck_assert_uint_eq(byte(r), 0);
	ck_assert_uint_eq(byte(r), 0x08);
	expect_name(r, "_UID");
	ck_assert_uint_eq(integer(r), uid);
	expect_crs(r, d);
	ck_assert_ptr_eq(r->p, dev_end);
}

static const unsigned int counts[] = {1, 2, 5, LAYOUT_VIRTIO_MMIO_NR_GSIS};

START_TEST(test_devices_decode)
{
	unsigned int n = counts[_i];
	struct machine m = with_mmio(n);
	struct aml_buf b;
	struct reader r;

	aml_init(&b, 1 << 20);
	acpi_mmio_dsdt(&b, &m);
	ck_assert_int_eq(aml_finish(&b), 0);
	r = (struct reader){b.data, b.data + b.len};
	for (unsigned int i = 0; i < n; i++)
		expect_device(&r, i, mmio_dev(&m, i));
	ck_assert_ptr_eq(r.p, r.end);
	aml_free(&b);
}
END_TEST

/* With --mmio-cmdline the command line announces them instead: a kernel
 * that read both would find each device twice. */
START_TEST(test_cmdline_mode_omits)
{
	struct machine m = with_mmio(3);
	struct aml_buf b;

	m.mmio_cmdline = true;
	aml_init(&b, 1 << 20);
	acpi_mmio_dsdt(&b, &m);
	ck_assert_int_eq(aml_finish(&b), 0);
	ck_assert_uint_eq(b.len, 0);
	aml_free(&b);
}
END_TEST

/* --- Through acpi_build: the DSDT holds them, the MADT overrides the
 * lines to level/active-high --- */

#define RAM_SIZE (2u << 20)

static uint8_t *ram;
static struct gmem mem;

static void ram_setup(void)
{
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(gmem_add_region(&mem, 0, ram, RAM_SIZE), 0);
}

static void ram_teardown(void)
{
	free(ram);
}

static uint32_t le32_at(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static const uint8_t *table(uint64_t rsdp, const char *sig)
{
	const uint8_t *r = ram + rsdp, *xsdt, *t;
	uint64_t xsdt_gpa = le32_at(r + 24) | (uint64_t)le32_at(r + 28) << 32;

	xsdt = ram + xsdt_gpa;
	for (uint32_t off = 36; off < le32_at(xsdt + 4); off += 8) {
		t = ram + le32_at(xsdt + off);
		if (!memcmp(t, sig, 4))
			return t;
		if (!strcmp(sig, "DSDT") && !memcmp(t, "FACP", 4))
			return ram + le32_at(t + 140);
	}
	ck_abort_msg("no %s", sig);
	return NULL;
}

/* Interrupt Source Overrides (type 2) of the MADT, as (source, gsi,
 * flags) triples; returns how many. */
static unsigned int isos(const uint8_t *madt, uint32_t out[][3])
{
	unsigned int n = 0;

	for (uint32_t off = 44; off < le32_at(madt + 4); off += madt[off + 1]) {
		ck_assert_uint_ge(madt[off + 1], 2);
		if (madt[off] != 2)
			continue;
		out[n][0] = madt[off + 3];
		out[n][1] = le32_at(madt + off + 4);
		out[n][2] = madt[off + 8] | madt[off + 9] << 8;
		n++;
	}
	return n;
}

START_TEST(test_madt_overrides)
{
	struct machine m = with_mmio(4);
	uint32_t iso[32][3];
	uint64_t rsdp;
	unsigned int n;

	ck_assert_int_eq(acpi_build(&m, &mem, &rsdp), 0);
	n = isos(table(rsdp, "APIC"), iso);
	ck_assert_uint_eq(n, 1 + 4);
	/* The PIT's IRQ0 -> GSI 2 first, conforming flags. */
	ck_assert_uint_eq(iso[0][0], 0);
	ck_assert_uint_eq(iso[0][1], 2);
	for (unsigned int i = 0; i < 4; i++) {
		ck_assert_uint_eq(iso[1 + i][0], mmio_dev(&m, i)->gsi);
		ck_assert_uint_eq(iso[1 + i][1], mmio_dev(&m, i)->gsi);
		/* Polarity 01 (active-high), trigger mode 11 (level). */
		ck_assert_uint_eq(iso[1 + i][2], 0x000d);
	}
}
END_TEST

static const uint8_t *memfind(const uint8_t *hay, size_t n, const void *needle,
			      size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (!memcmp(hay + i, needle, len))
			return hay + i;
	return NULL;
}

/* The DSDT carries the devices, inside \_SB_, in either mode the
 * overrides stay. */
START_TEST(test_dsdt_holds_devices)
{
	struct machine m = with_mmio(2);
	const uint8_t *dsdt, *dev;
	uint32_t iso[32][3];
	struct reader r;
	uint64_t rsdp;

	ck_assert_int_eq(acpi_build(&m, &mem, &rsdp), 0);
	dsdt = table(rsdp, "DSDT");
	ck_assert_ptr_nonnull(memfind(dsdt, le32_at(dsdt + 4), "\\_SB_", 5));
	/* DeviceOp, a one-byte PkgLength (the device is short), "VR00". */
	dev = memfind(dsdt, le32_at(dsdt + 4), "VR00", 4);
	ck_assert_ptr_nonnull(dev);
	dev -= 3;
	r = (struct reader){dev, dsdt + le32_at(dsdt + 4)};
	expect_device(&r, 0, mmio_dev(&m, 0));
	expect_device(&r, 1, mmio_dev(&m, 1));

	m.mmio_cmdline = true;
	ck_assert_int_eq(acpi_build(&m, &mem, &rsdp), 0);
	dsdt = table(rsdp, "DSDT");
	ck_assert_ptr_null(memfind(dsdt, le32_at(dsdt + 4), "LNRO0005", 8));
	ck_assert_uint_eq(isos(table(rsdp, "APIC"), iso), 3);
}
END_TEST

/* --- A malformed description is refused --- */

static void bad_gsi_24(struct machine *m)
{
	m->virtio[0].mmio.gsi = 24;
}
static void bad_gsi_shared(struct machine *m)
{
	m->virtio[2].mmio.gsi = m->virtio[0].mmio.gsi;
}
static void bad_gsi_pci_intx(struct machine *m)
{
	m->pci.present = 1;
	m->pci.intx_gsi_base = 16;
	m->pci.intx_gsi_count = 8;
	m->virtio[0].mmio.gsi = 20;
}
static void bad_above_4g(struct machine *m)
{
	m->virtio[0].mmio.gpa = 0x100000000ULL;
}
static void bad_crosses_4g(struct machine *m)
{
	m->virtio[0].mmio.gpa = 0xffffff00ULL;
}
static void bad_empty(struct machine *m)
{
	m->virtio[0].mmio.len = 0;
}
static void bad_overlap(struct machine *m)
{
	m->virtio[2].mmio.gpa = m->virtio[0].mmio.gpa + 0x100;
}
static void bad_version(struct machine *m)
{
	m->virtio[0].mmio.version = 3;
}
static void bad_too_many(struct machine *m)
{
	m->nr_virtio = MACHINE_MAX_VIRTIO + 1;
}

static void (*const bad_machines[])(struct machine *m) = {
	bad_gsi_24,   bad_gsi_shared, bad_gsi_pci_intx,
	bad_above_4g, bad_crosses_4g, bad_empty,
	bad_overlap,  bad_version,    bad_too_many,
};

START_TEST(test_bad_machine)
{
	struct machine m = with_mmio(2); /* mmio, pci, mmio */
	uint64_t rsdp;

	ck_assert_int_eq(acpi_mmio_valid(&m), 0);
	bad_machines[_i](&m);
	ck_assert_int_eq(acpi_mmio_valid(&m), -EINVAL);
	ck_assert_int_eq(acpi_build(&m, &mem, &rsdp), -EINVAL);
}
END_TEST

/* --- ACPI and the device tree say the same --- */

START_TEST(test_agrees_with_device_tree)
{
	struct machine m = with_mmio(LAYOUT_VIRTIO_MMIO_NR_GSIS);
	struct aml_buf b;
	struct reader r;
	unsigned int i = 0;
	void *fdt;
	size_t len;
	int node;

	aml_init(&b, 1 << 20);
	acpi_mmio_dsdt(&b, &m);
	ck_assert_int_eq(aml_finish(&b), 0);
	ck_assert_int_eq(dtb_build(&m, NULL, &fdt, &len), 0);
	r = (struct reader){b.data, b.data + b.len};
	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);
		const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", NULL);
		struct machine_mmio_dev from_dt = {
			.gpa = (uint64_t)fdt32_to_cpu(reg[0]) << 32 |
			       fdt32_to_cpu(reg[1]),
			.len = fdt32_to_cpu(reg[3]),
			.gsi = fdt32_to_cpu(irq[0]),
		};

		/* The AML the DSDT has for device i describes the DT's. */
		expect_device(&r, i++, &from_dt);
		ck_assert_uint_eq(fdt32_to_cpu(irq[1]), DTB_IRQ_LEVEL_HIGH);
	}
	ck_assert_uint_eq(i, LAYOUT_VIRTIO_MMIO_NR_GSIS);
	ck_assert_ptr_eq(r.p, r.end);
	free(fdt);
	aml_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi_mmio");
	TCase *aml = tcase_create("aml");
	TCase *tables = tcase_create("tables");

	tcase_add_loop_test(aml, test_devices_decode, 0,
			    sizeof(counts) / sizeof(counts[0]));
	tcase_add_test(aml, test_cmdline_mode_omits);
	tcase_add_test(aml, test_agrees_with_device_tree);
	suite_add_tcase(s, aml);

	tcase_add_checked_fixture(tables, ram_setup, ram_teardown);
	tcase_add_test(tables, test_madt_overrides);
	tcase_add_test(tables, test_dsdt_holds_devices);
	tcase_add_loop_test(tables, test_bad_machine, 0,
			    sizeof(bad_machines) / sizeof(bad_machines[0]));
	suite_add_tcase(s, tables);
	return test_run_suite(s);
}
