/* test_acpi: acpi_build() into fake guest RAM, read back the way an OS does.
 *
 * Walks RSDP -> XSDT -> FADT/MADT, FADT -> DSDT using the byte offsets of
 * ACPI 6.5 §5.2.5, §5.2.8, §5.2.9, §5.2.12 (not acpi.c's structs), checks
 * every checksum and field, has iasl disassemble them and ACPICA's acpiexec
 * run a poweroff on them (both from acpica-tools).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acpi.h"
#include "gmem.h"
#include "layout.h"
#include "machine.h"
#include "machine_layout.h"

#define RAM_SIZE      (2u << 20) /* covers the whole 0xe0000-0xfffff area */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
	ram = NULL;
}

static void machine_init(struct machine *m, unsigned int cpus)
{
	static const struct machine_legacy_dev legacy[] = {
		{"COM1", "PNP0501", 0x3f8, 8, 4},
		{"COM2", "PNP0501", 0x2f8, 8, 3},
		{"RTC", "PNP0B00", 0x70, 2, 8},
		{"PMRG", "PNP0C02", 0x600, 3, -1}, /* ports only, no IRQ */
	};

	memset(m, 0, sizeof(*m));
	m->nr_cpus = cpus;
	m->ram_size = RAM_SIZE;
	m->low_ram_end = RAM_SIZE;
	memcpy(m->legacy, legacy, sizeof(legacy));
	m->nr_legacy = ARRAY_SIZE(legacy);
}

/* --- Reading tables back --- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A table at gpa, checked to lie in the ACPI area, be 8-byte aligned, carry
 * sig, and sum to 0 over its own length. */
static const uint8_t *table_at(uint64_t gpa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	ck_assert_uint_ge(gpa, LAYOUT_ACPI_GPA);
	ck_assert_uint_le(gpa + 36, LAYOUT_ACPI_GPA + LAYOUT_ACPI_SIZE);
	ck_assert_uint_eq(gpa % 8, 0);
	t = gmem_ptr(&mem, gpa, 36);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(!memcmp(t, sig, 4), "want %s, got %.4s", sig, t);
	len = le32(t + 4);
	ck_assert_uint_ge(len, 36);
	ck_assert_uint_le(gpa + len, LAYOUT_ACPI_GPA + LAYOUT_ACPI_SIZE);
	ck_assert_uint_eq(sum8(t, len), 0);
	ck_assert_mem_eq(t + 10, "VMMVMM", 6); /* OEMID */
	return t;
}

struct tables {
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
	uint64_t end; /* one past the last byte of any table */
};

static void note_end(struct tables *t, const uint8_t *table)
{
	uint64_t end = (uint64_t)(table - ram) + le32(table + 4);

	if (end > t->end)
		t->end = end;
}

static void walk(uint64_t rsdp_gpa, struct tables *t)
{
	uint32_t n;

	memset(t, 0, sizeof(*t));
	ck_assert_uint_eq(rsdp_gpa, LAYOUT_ACPI_GPA);
	ck_assert_uint_eq(rsdp_gpa % 16, 0);
	t->rsdp = gmem_ptr(&mem, rsdp_gpa, 36);
	ck_assert_mem_eq(t->rsdp, "RSD PTR ", 8);
	ck_assert_uint_eq(sum8(t->rsdp, 20), 0); /* ACPI 1.0 checksum */
	ck_assert_uint_eq(t->rsdp[15], 2);	 /* revision */
	ck_assert_uint_eq(le32(t->rsdp + 20), 36);
	ck_assert_uint_eq(sum8(t->rsdp, 36), 0); /* extended checksum */
	ck_assert_mem_eq(t->rsdp + 9, "VMMVMM", 6);
	t->end = rsdp_gpa + 36;

	t->xsdt = table_at(le64(t->rsdp + 24), "XSDT");
	note_end(t, t->xsdt);
	ck_assert_uint_eq(t->xsdt[8], 1);
	ck_assert_uint_eq((le32(t->xsdt + 4) - 36) % 8, 0);
	n = (le32(t->xsdt + 4) - 36) / 8;
	ck_assert_uint_ge(n, 2);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t gpa = le64(t->xsdt + 36 + 8 * i);
		const uint8_t *h = gmem_ptr(&mem, gpa, 4);
		char sig[5] = {0};

		ck_assert_ptr_nonnull(h);
		memcpy(sig, h, 4);
		table_at(gpa, sig); /* any table: in the area, sums to 0 */
		if (!strcmp(sig, "FACP")) {
			ck_assert_ptr_null(t->fadt);
			t->fadt = h;
		} else if (!strcmp(sig, "APIC")) {
			ck_assert_ptr_null(t->madt);
			t->madt = h;
		}
		note_end(t, h);
	}
	ck_assert_ptr_nonnull(t->fadt);
	ck_assert_ptr_nonnull(t->madt);
	t->dsdt = table_at(le64(t->fadt + 140), "DSDT");
	note_end(t, t->dsdt);
}

static uint64_t build(const struct machine *m, struct tables *t)
{
	uint64_t rsdp = 0;

	ck_assert_int_eq(acpi_build(m, &mem, &rsdp), 0);
	walk(rsdp, t);
	return rsdp;
}

static const unsigned int cpu_counts[] = {1, 4, 16, 64};

/* --- FADT --- */

static void assert_gas_io8(const uint8_t *gas, uint16_t port)
{
	ck_assert_uint_eq(gas[0], 1); /* System I/O */
	ck_assert_uint_eq(gas[1], 8); /* bit width */
	ck_assert_uint_eq(gas[2], 0); /* bit offset */
	ck_assert_uint_eq(gas[3], 1); /* byte access */
	ck_assert_uint_eq(le64(gas + 4), port);
}

START_TEST(test_fadt)
{
	const uint8_t *f;
	struct machine m;
	struct tables t;
	uint16_t boot_arch;

	machine_init(&m, cpu_counts[_i]);
	build(&m, &t);
	f = t.fadt;
	ck_assert_uint_eq(le32(f + 4), 276); /* the whole revision-6 FADT */
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(f[131], 5); /* minor version */
	/* HW_REDUCED_ACPI, RESET_REG_SUP, no fixed power/sleep buttons */
	ck_assert_uint_eq(le32(f + 112),
			  (1u << 20) | (1u << 10) | (1u << 5) | (1u << 4));
	ck_assert_uint_eq(le32(f + 36), 0);  /* FIRMWARE_CTRL: no FACS */
	ck_assert_uint_eq(le64(f + 132), 0); /* X_FIRMWARE_CTRL */
	ck_assert_uint_eq(le32(f + 40), le64(f + 140)); /* DSDT == X_DSDT */
	/* Linux matches SCI_INT against Interrupt Source Overrides: it must
	 * not be IRQ0, which the MADT overrides to GSI 2. */
	ck_assert_uint_ne(le16(f + 46), 0);
	for (int off = 56; off < 88; off += 4) /* PM1a_EVT_BLK..GPE1_BLK */
		ck_assert_uint_eq(le32(f + off), 0);
	for (int off = 148; off < 244; off += 12) /* X_PM1a_EVT..X_GPE1 */
		ck_assert_uint_eq(le64(f + off + 4), 0);

	boot_arch = le16(f + 109);
	ck_assert_uint_ne(boot_arch & (1u << 2), 0); /* VGA not present */
	ck_assert_uint_eq(boot_arch & (1u << 5), 0); /* CMOS RTC present */
	ck_assert_uint_eq(boot_arch & (1u << 3), 0); /* MSI works */
	ck_assert_uint_eq(boot_arch & (1u << 1), 0); /* no 8042 to probe */

	assert_gas_io8(f + 116, LAYOUT_PORT_ACPI_RESET);
	ck_assert_uint_eq(f[128], LAYOUT_ACPI_RESET_VALUE);
	assert_gas_io8(f + 244, LAYOUT_PORT_ACPI_SLEEP_CTL);
	assert_gas_io8(f + 256, LAYOUT_PORT_ACPI_SLEEP_STS);
	ck_assert_mem_eq(f + 268, "VMMVMM", 6); /* hypervisor vendor */
}
END_TEST

/* --- MADT --- */

START_TEST(test_madt)
{
	unsigned int cpus = cpu_counts[_i], counts[256] = {0};
	uint8_t seen_apic_ids[256] = {0};
	const uint8_t *madt, *e, *end;
	struct machine m;
	struct tables t;
	int ioapic_id = -1;

	machine_init(&m, cpus);
	build(&m, &t);
	madt = t.madt;
	ck_assert_uint_eq(madt[8], 6);
	ck_assert_uint_eq(le32(madt + 36), LAYOUT_LAPIC_GPA);
	ck_assert_uint_eq(le32(madt + 40), 1); /* PCAT_COMPAT */
	ck_assert_uint_eq(le32(madt + 4), 44 + 8 * cpus + 12 + 10 + 6);
	end = madt + le32(madt + 4);
	for (e = madt + 44; e < end; e += e[1]) {
		ck_assert_uint_ge(e[1], 2);
		ck_assert(e + e[1] <= end);
		counts[e[0]]++;
		switch (e[0]) {
		case 0: /* Processor Local APIC */
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], counts[0] - 1); /* UID */
			ck_assert_uint_eq(e[3], counts[0] - 1); /* APIC id */
			ck_assert_uint_eq(le32(e + 4), 1);	/* enabled */
			ck_assert_uint_eq(seen_apic_ids[e[3]]++, 0);
			break;
		case 1: /* I/O APIC */
			ck_assert_uint_eq(e[1], 12);
			ioapic_id = e[2];
			ck_assert_uint_eq(le32(e + 4), LAYOUT_IOAPIC_GPA);
			ck_assert_uint_eq(le32(e + 8), 0); /* GSI base */
			break;
		case 2: /* Interrupt Source Override: ISA IRQ0 -> GSI 2 */
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0);
			ck_assert_uint_eq(e[3], 0);
			ck_assert_uint_eq(le32(e + 4), 2);
			ck_assert_uint_eq(le16(e + 8), 0);
			break;
		case 4: /* Local APIC NMI: all processors, LINT1 */
			ck_assert_uint_eq(e[1], 6);
			ck_assert_uint_eq(e[2], 0xff);
			ck_assert_uint_eq(e[5], 1);
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_ptr_eq(e, end);
	ck_assert_uint_eq(counts[0], cpus);
	ck_assert_uint_eq(counts[1], 1);
	ck_assert_uint_eq(counts[2], 1);
	ck_assert_uint_eq(counts[4], 1);
	ck_assert_int_ge(ioapic_id, 0);
	ck_assert_uint_eq(seen_apic_ids[ioapic_id], 0); /* no CPU has it */
}
END_TEST

/* --- DSDT --- */

static const uint8_t *memfind(const uint8_t *hay, size_t n, const void *needle,
			      size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++) {
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	}
	return NULL;
}

static uint32_t pkglen(const uint8_t *p, int *n)
{
	uint32_t v;

	*n = 1 + (p[0] >> 6);
	if (*n == 1)
		return p[0] & 0x3f;
	v = p[0] & 0x0f;
	for (int i = 1; i < *n; i++)
		v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

/* The bytes of Device(name), from its DeviceOp to its end. */
static const uint8_t *find_device(const uint8_t *dsdt, const char *name,
				  size_t *len)
{
	size_t n = le32(dsdt + 4) - 36;
	const uint8_t *aml = dsdt + 36;

	for (const uint8_t *p = aml; p + 7 <= aml + n; p++) {
		int plen_bytes;
		uint32_t plen;

		if (p[0] != 0x5b || p[1] != 0x82)
			continue;
		plen = pkglen(p + 2, &plen_bytes);
		if (memcmp(p + 2 + plen_bytes, name, 4))
			continue;
		*len = 2 + plen;
		ck_assert(p + *len <= aml + n);
		return p;
	}
	return NULL;
}

/* Device(NAME) { Name(_HID, EISAID("PNPxxxx")) Name(_UID, uid)
 *   Name(_CRS, ResourceTemplate() { IO(...) [IRQNoFlags(){irq}] }) } */
static void assert_legacy_dev(const uint8_t *dsdt,
			      const struct machine_legacy_dev *d,
			      unsigned int uid)
{
	uint8_t hid[10] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0};
	uint8_t io[8] = {0x47,
			 0x01,
			 (uint8_t)d->port,
			 (uint8_t)(d->port >> 8),
			 (uint8_t)d->port,
			 (uint8_t)(d->port >> 8),
			 0x01,
			 (uint8_t)d->port_len};
	uint8_t uid_obj[7] = {0x08, '_', 'U', 'I', 'D'}, name[4] = "____";
	const uint8_t *dev, *crs;
	size_t len, res_len;
	int n;

	memcpy(name, d->acpi_name, strlen(d->acpi_name));
	dev = find_device(dsdt, (const char *)name, &len);
	ck_assert_msg(dev != NULL, "no Device(%s)", d->acpi_name);
	/* EISAID("PNPxxxx"): "PNP" packs to 41 d0, then the digits as BCD */
	hid[8] = (uint8_t)strtoul((char[]){d->pnp_id[3], d->pnp_id[4], 0}, NULL,
				  16);
	hid[9] = (uint8_t)strtoul((char[]){d->pnp_id[5], d->pnp_id[6], 0}, NULL,
				  16);
	ck_assert_ptr_nonnull(memfind(dev, len, hid, sizeof(hid)));
	/* _UID: Zero, One, or a BytePrefix number */
	if (uid <= 1) {
		uid_obj[5] = (uint8_t)uid;
		ck_assert_ptr_nonnull(memfind(dev, len, uid_obj, 6));
	} else {
		uid_obj[5] = 0x0a;
		uid_obj[6] = (uint8_t)uid;
		ck_assert_ptr_nonnull(memfind(dev, len, uid_obj, 7));
	}
	/* _CRS: Buffer(size) { IO, IRQNoFlags if any, End Tag } */
	crs = memfind(dev, len, "\x08_CRS\x11", 6);
	ck_assert_ptr_nonnull(crs);
	pkglen(crs + 6, &n);
	crs += 6 + n;
	ck_assert_uint_eq(crs[0], 0x0a);
	res_len = crs[1];
	crs += 2;
	ck_assert_uint_eq(res_len, 8 + (d->irq >= 0 ? 3 : 0) + 2);
	ck_assert_mem_eq(crs, io, sizeof(io));
	if (d->irq >= 0) {
		ck_assert_uint_eq(crs[8], 0x22);
		ck_assert_uint_eq(le16(crs + 9), 1u << d->irq);
	}
	ck_assert_uint_eq(crs[res_len - 2], 0x79);
	ck_assert_uint_eq(sum8(crs, res_len), 0);
}

START_TEST(test_dsdt)
{
	/* Name(_S5_, Package(4) { 5, 0, 0, 0 }) */
	static const uint8_t s5[] = {
		0x08, '_',  'S',  '5',	'_',
		0x12, 0x07, 0x04, 0x0a, LAYOUT_ACPI_S5_TYPE,
		0x00, 0x00, 0x00};
	unsigned int uids[] = {0, 1, 0, 0}; /* per _HID: COM1, COM2, RTC, PM */
	struct machine m;
	struct tables t;

	machine_init(&m, cpu_counts[_i]);
	build(&m, &t);
	ck_assert_uint_eq(t.dsdt[8], 2); /* 64-bit integers */
	ck_assert_ptr_nonnull(
		memfind(t.dsdt + 36, le32(t.dsdt + 4) - 36, s5, sizeof(s5)));
	ck_assert_ptr_nonnull(memfind(t.dsdt + 36, le32(t.dsdt + 4) - 36,
				      "\x10", 1)); /* a Scope */
	for (unsigned int i = 0; i < m.nr_legacy; i++)
		assert_legacy_dev(t.dsdt, &m.legacy[i], uids[i]);
}
END_TEST

/* What Linux's acpi_hw_extended_sleep() writes for poweroff: SLP_TYP from
 * \_S5_'s first element, shifted to bits 4:2, plus SLP_EN (bit 5), to the
 * FADT's SLEEP_CONTROL_REG. The VMM's acpi_pm device expects exactly this. */
START_TEST(test_poweroff_write)
{
	const uint8_t *pkg;
	struct machine m;
	struct tables t;
	uint8_t slp_typ, value;

	machine_init(&m, 1);
	build(&m, &t);
	pkg = memfind(t.dsdt + 36, le32(t.dsdt + 4) - 36, "\x08_S5_\x12", 6);
	ck_assert_ptr_nonnull(pkg);
	ck_assert_uint_eq(pkg[8], 0x0a); /* first element: BytePrefix */
	slp_typ = pkg[9];
	value = (uint8_t)(((slp_typ << 2) & 0x1c) | 0x20);
	ck_assert_uint_eq(value, (LAYOUT_ACPI_S5_TYPE << 2) | 0x20);
	ck_assert_uint_eq(le64(t.fadt + 244 + 4), LAYOUT_PORT_ACPI_SLEEP_CTL);
}
END_TEST

/* Tables never overlap, and everything after the RSDP is in order. */
START_TEST(test_layout)
{
	const uint8_t *list[4];
	struct machine m;
	struct tables t;

	machine_init(&m, cpu_counts[_i]);
	build(&m, &t);
	list[0] = t.xsdt;
	list[1] = t.fadt;
	list[2] = t.madt;
	list[3] = t.dsdt;
	for (int i = 0; i < 4; i++) {
		uint64_t a = (uint64_t)(list[i] - ram),
			 alen = le32(list[i] + 4);

		ck_assert_uint_ge(a, LAYOUT_ACPI_GPA + 36); /* after RSDP */
		for (int j = 0; j < i; j++) {
			uint64_t b = (uint64_t)(list[j] - ram);

			ck_assert(a + alen <= b || b + le32(list[j] + 4) <= a);
		}
	}
}
END_TEST

/* The tables do not depend on what the area held before (padding too). */
START_TEST(test_rebuild_over_garbage)
{
	struct machine m;
	struct tables t;
	uint8_t *first;
	size_t used;

	machine_init(&m, 4);
	build(&m, &t);
	used = (size_t)(t.end - LAYOUT_ACPI_GPA);
	first = malloc(used);
	ck_assert_ptr_nonnull(first);
	memcpy(first, ram + LAYOUT_ACPI_GPA, used);
	memset(ram + LAYOUT_ACPI_GPA, 0xa5, LAYOUT_ACPI_SIZE);
	build(&m, &t);
	ck_assert_uint_eq(t.end - LAYOUT_ACPI_GPA, used);
	ck_assert_mem_eq(ram + LAYOUT_ACPI_GPA, first, used);
	free(first);
}
END_TEST

/* --- Errors --- */

START_TEST(test_area_not_ram)
{
	struct gmem partial = {0}, none = {0};
	struct machine m;
	uint64_t rsdp = 0x1234;

	machine_init(&m, 1);
	/* RAM ends inside the ACPI area. */
	ck_assert_int_eq(gmem_add_region(&partial, 0, ram, 0xe8000), 0);
	ck_assert_int_eq(acpi_build(&m, &partial, &rsdp), -EFAULT);
	ck_assert_int_eq(acpi_build(&m, &none, &rsdp), -EFAULT);
	ck_assert_uint_eq(rsdp, 0x1234); /* untouched on failure */
}
END_TEST

/* The exact size needed fits; one byte less is -ENOSPC, and then there is
 * no RSDP an OS could find. */
START_TEST(test_area_too_small)
{
	const uint64_t gpa = LAYOUT_ACPI_GPA;
	struct machine m;
	struct tables t;
	uint64_t need, rsdp;

	machine_init(&m, cpu_counts[_i]);
	build(&m, &t);
	need = t.end - gpa;

	memset(ram + gpa, 0, LAYOUT_ACPI_SIZE);
	ck_assert_int_eq(acpi_build_at(&m, &mem, gpa, need, &rsdp), 0);
	ck_assert_uint_eq(rsdp, gpa);
	walk(rsdp, &t);
	ck_assert_uint_eq(t.end - gpa, need);

	for (uint64_t size = 1; size < need; size += size < 64 ? 1 : 97) {
		memset(ram + gpa, 0, LAYOUT_ACPI_SIZE);
		ck_assert_int_eq(acpi_build_at(&m, &mem, gpa, size, &rsdp),
				 -ENOSPC);
		ck_assert(memcmp(ram + gpa, "RSD PTR ", 8) != 0);
	}
	memset(ram + gpa, 0, LAYOUT_ACPI_SIZE);
	ck_assert_int_eq(acpi_build_at(&m, &mem, gpa, need - 1, &rsdp),
			 -ENOSPC);
	ck_assert(memcmp(ram + gpa, "RSD PTR ", 8) != 0);
}
END_TEST

START_TEST(test_bad_area_args)
{
	struct machine m;
	uint64_t rsdp;

	machine_init(&m, 1);
	ck_assert_int_eq(
		acpi_build_at(&m, &mem, LAYOUT_ACPI_GPA + 8, 0x1000, &rsdp),
		-EINVAL); /* RSDP must be 16-byte aligned */
	ck_assert_int_eq(acpi_build_at(&m, &mem, LAYOUT_ACPI_GPA, 0, &rsdp),
			 -EINVAL);
	/* Wraps around the address space: not RAM. */
	ck_assert_int_eq(
		acpi_build_at(&m, &mem, 0xfffffffffffffff0ull, 0x100, &rsdp),
		-EFAULT);
}
END_TEST

static void bad_no_cpus(struct machine *m)
{
	m->nr_cpus = 0;
}
static void bad_too_many_cpus(struct machine *m)
{
	m->nr_cpus = MACHINE_MAX_CPUS + 1;
}
static void bad_too_many_legacy(struct machine *m)
{
	m->nr_legacy = MACHINE_MAX_LEGACY_DEVS + 1;
}
static void bad_lowercase_name(struct machine *m)
{
	m->legacy[0].acpi_name = "com1";
}
static void bad_long_name(struct machine *m)
{
	m->legacy[0].acpi_name = "SERIAL";
}
static void bad_null_name(struct machine *m)
{
	m->legacy[0].acpi_name = NULL;
}
static void bad_duplicate_name(struct machine *m)
{
	m->legacy[1].acpi_name = "COM1";
}
static void bad_short_pnp_id(struct machine *m)
{
	m->legacy[0].pnp_id = "PNP05";
}
static void bad_pnp_id_chars(struct machine *m)
{
	m->legacy[0].pnp_id = "pnp0501";
}
static void bad_null_pnp_id(struct machine *m)
{
	m->legacy[0].pnp_id = NULL;
}
static void bad_irq_16(struct machine *m)
{
	m->legacy[0].irq = 16;
}
static void bad_irq_negative(struct machine *m)
{
	m->legacy[0].irq = -2;
}
static void bad_port_len(struct machine *m)
{
	m->legacy[0].port_len = 256; /* IO descriptor length is a byte */
}
static void bad_port_wraps(struct machine *m)
{
	m->legacy[0].port = 0xfffc;
}

static void (*const bad_machines[])(struct machine *m) = {
	bad_no_cpus,	    bad_too_many_cpus, bad_too_many_legacy,
	bad_lowercase_name, bad_long_name,     bad_null_name,
	bad_duplicate_name, bad_short_pnp_id,  bad_pnp_id_chars,
	bad_null_pnp_id,    bad_irq_16,	       bad_irq_negative,
	bad_port_len,	    bad_port_wraps,
};

START_TEST(test_bad_machine)
{
	struct machine m;
	uint64_t rsdp = 0;

	machine_init(&m, 2);
	bad_machines[_i](&m);
	ck_assert_int_eq(acpi_build(&m, &mem, &rsdp), -EINVAL);
	ck_assert(memcmp(ram + LAYOUT_ACPI_GPA, "RSD PTR ", 8) != 0);
}
END_TEST

/* --- acpica-tools: iasl (disassembler) and acpiexec (ACPICA itself) --- */

#define ACPICA_MISSING \
	"not found: install it with 'apt-get install acpica-tools'"

static char tool_dir[64];

/* One temp dir for the tool tests, made and removed by the parent process
 * (an unchecked fixture), so it goes away even when a test fails. */
static void tools_setup(void)
{
	strcpy(tool_dir, "/tmp/test_acpi.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tool_dir));
}

static void tools_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tool_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tool_dir);
}

static void write_table(const char *name, const uint8_t *table)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", tool_dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(table, 1, le32(table + 4), f),
			  le32(table + 4));
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *name)
{
	char path[128], *buf = calloc(1, 1 << 20);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", tool_dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "no %s", path);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Runs "cd tool_dir && cmd > log 2>&1"; a non-zero exit fails the test
 * with the log. */
static void run_tool(const char *tool, const char *args, const char *log)
{
	char cmd[512];
	int status;

	snprintf(cmd, sizeof(cmd), "command -v %s > /dev/null 2>&1", tool);
	ck_assert_msg(system(cmd) == 0, "%s " ACPICA_MISSING, tool);
	snprintf(cmd, sizeof(cmd), "cd '%s' && %s %s > %s 2>&1", tool_dir, tool,
		 args, log);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		ck_abort_msg("%s %s failed:\n%s", tool, args, read_file(log));
}

/* Disassembles one table with iasl; returns the .dsl text (caller frees). */
static char *iasl_disassemble(const char *name, const uint8_t *table)
{
	char args[64], log[64], dsl[64];

	write_table(name, table);
	snprintf(args, sizeof(args), "-d %s.dat", name);
	snprintf(log, sizeof(log), "%s.log", name);
	run_tool("iasl", args, log);
	snprintf(dsl, sizeof(dsl), "%s.dsl", name);
	return read_file(dsl);
}

static void assert_contains(const char *text, const char *what)
{
	ck_assert_msg(strstr(text, what) != NULL, "tool output lacks \"%s\"",
		      what);
}

static void assert_clean(const char *text)
{
	ck_assert_msg(!strstr(text, "Error") && !strstr(text, "Warning") &&
			      !strstr(text, "Invalid"),
		      "tool complains:\n%s", text);
}

START_TEST(test_iasl_disassembles)
{
	char *dsdt, *facp, *apic;
	struct machine m;
	struct tables t;

	machine_init(&m, 4);
	build(&m, &t);

	dsdt = iasl_disassemble("dsdt", t.dsdt);
	assert_contains(dsdt, "Name (_S5, Package (0x04)");
	assert_contains(dsdt, "Scope (\\_SB)");
	assert_contains(dsdt, "Device (COM1)");
	assert_contains(dsdt, "Device (COM2)");
	assert_contains(dsdt, "Device (RTC)");
	assert_contains(dsdt, "Device (PMRG)");
	assert_contains(dsdt, "EisaId (\"PNP0501\")");
	assert_contains(dsdt, "EisaId (\"PNP0B00\")");
	assert_contains(dsdt, "EisaId (\"PNP0C02\")");
	assert_contains(dsdt, "IO (Decode16,");
	assert_contains(dsdt, "IRQNoFlags ()");
	assert_clean(dsdt);

	facp = iasl_disassemble("facp", t.fadt);
	assert_contains(facp, "Hardware Reduced (V5) : 1");
	assert_contains(facp, "Reset Register Supported (V2) : 1");
	assert_contains(facp, "Address : 0000000000000600");
	assert_contains(facp, "Address : 0000000000000601");
	assert_contains(facp, "Address : 0000000000000602");
	assert_clean(facp);

	apic = iasl_disassemble("apic", t.madt);
	assert_contains(apic, "[Local APIC NMI]");
	assert_contains(apic, "[Interrupt Source Override]");
	assert_contains(apic, "[I/O APIC]");
	assert_clean(apic);

	free(dsdt);
	free(facp);
	free(apic);
}
END_TEST

static void machine_with_pci(struct machine *m)
{
	machine_init(m, 2);
	m->pci = (struct machine_pci){
		.present = 1,
		.ecam_gpa = LAYOUT_PCI_ECAM_GPA,
		.ecam_len = LAYOUT_PCI_ECAM_LEN,
		.mmio32_gpa = LAYOUT_PCI_MMIO32_GPA,
		.mmio32_len = LAYOUT_PCI_MMIO32_LEN,
		.mmio64_gpa = 0x1000000000ULL,
		.mmio64_len = LAYOUT_PCI_MMIO64_LEN,
		.intx_gsi_base = LAYOUT_PCI_INTX_GSI_BASE,
		.intx_gsi_count = LAYOUT_PCI_INTX_GSI_COUNT,
	};
}

/* The MCFG is in the XSDT only when there is a PCI bus; it names ECAM for
 * segment 0, bus 0 only. */
static const uint8_t *find_mcfg(const struct tables *t)
{
	uint32_t n = (le32(t->xsdt + 4) - 36) / 8;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *h =
			gmem_ptr(&mem, le64(t->xsdt + 36 + 8 * i), 4);
		if (!memcmp(h, "MCFG", 4))
			return table_at(le64(t->xsdt + 36 + 8 * i), "MCFG");
	}
	return NULL;
}

START_TEST(test_mcfg)
{
	const uint8_t *mcfg;
	struct machine m;
	struct tables t;

	machine_init(&m, 2);
	build(&m, &t);
	ck_assert_ptr_null(find_mcfg(&t));
	machine_with_pci(&m);
	build(&m, &t);
	mcfg = find_mcfg(&t);
	ck_assert_ptr_nonnull(mcfg);
	ck_assert_uint_eq(le32(mcfg + 4), 36 + 8 + 16);
	ck_assert_uint_eq(le64(mcfg + 44), LAYOUT_PCI_ECAM_GPA);
	ck_assert_uint_eq(le16(mcfg + 52), 0); /* segment */
	ck_assert_uint_eq(mcfg[54], 0);	       /* start bus */
	ck_assert_uint_eq(mcfg[55], 0);	       /* end bus: 1 MiB of ECAM */
}
END_TEST

START_TEST(test_iasl_pci0)
{
	struct machine m;
	struct tables t;
	char *dsdt;

	machine_with_pci(&m);
	build(&m, &t);
	dsdt = iasl_disassemble("dsdtpci", t.dsdt);
	assert_contains(dsdt, "Device (PCI0)");
	assert_contains(dsdt, "EisaId (\"PNP0A08\")");
	assert_contains(dsdt, "EisaId (\"PNP0A03\")");
	assert_contains(dsdt, "WordBusNumber (ResourceProducer");
	assert_contains(dsdt, "0xC0000000");
	assert_contains(dsdt, "QWordMemory (ResourceProducer");
	assert_contains(dsdt, "Name (_PRT, Package (0x80)");
	assert_contains(dsdt, "0x001FFFFF"); /* the last slot is routed too */
	assert_clean(dsdt);
	free(dsdt);
}
END_TEST

/* Two virtio-mmio devices: iasl decodes each LNRO0005 device's resources
 * as we mean them, and the MADT's overrides of their lines. */
START_TEST(test_iasl_mmio)
{
	static const char *const iso_06[] = {
		"Interrupt : 00000006\n", "Flags (decoded below) : 000D\n",
		"Polarity : 1\n", "Trigger Mode : 3\n"};
	struct machine m;
	struct tables t;
	char *dsdt, *apic;
	const char *p;

	machine_init(&m, 2);
	ck_assert_int_eq(machine_layout_add_virtio(&m, "virtio-blk", NULL,
						   MACHINE_TRANSPORT_MMIO, 2),
			 0);
	ck_assert_int_eq(machine_layout_add_virtio(&m, "virtio-rng", NULL,
						   MACHINE_TRANSPORT_MMIO, 1),
			 1);
	build(&m, &t);
	dsdt = iasl_disassemble("dsdtmmio", t.dsdt);
	assert_contains(dsdt, "Device (VR00)");
	assert_contains(dsdt, "Device (VR01)");
	assert_contains(dsdt, "Name (_HID, \"LNRO0005\")");
	assert_contains(dsdt, "Name (_UID, One)");
	assert_contains(dsdt, "Memory32Fixed (ReadWrite,\n"
			      "                    0xFEB01000,");
	assert_contains(dsdt, "Interrupt (ResourceConsumer, Level, "
			      "ActiveHigh, Exclusive, ,, )\n"
			      "                {\n"
			      "                    0x00000006,");
	assert_clean(dsdt);
	apic = iasl_disassemble("apicmmio", t.madt);
	/* The override for the second device's line: level, active-high. */
	p = strstr(apic, "Source : 06\n");
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < ARRAY_SIZE(iso_06); i++) {
		p = strstr(p, iso_06[i]);
		ck_assert_msg(p != NULL, "no \"%s\" after Source : 06",
			      iso_06[i]);
	}
	ck_assert_ptr_null(strstr(apic, "Source : 07\n"));
	assert_clean(apic);
	free(dsdt);
	free(apic);
}
END_TEST

/* Where acpiexec's I/O trace shows a byte-wide write of value to port:
 * "Wrote: <value, 16 hex digits> width  8   to <port, 16 digits> (SystemIO)",
 * matched field by field so spacing changes between versions don't matter.
 * NULL if there is no such line. */
static const char *find_io_write(const char *log, unsigned int value,
				 unsigned int port)
{
	char wrote[32], to[48];

	snprintf(wrote, sizeof(wrote), "Wrote: %016X width", value);
	snprintf(to, sizeof(to), "to %016X (SystemIO)", port);
	for (const char *p = strstr(log, wrote); p; p = strstr(p + 1, wrote)) {
		const char *eol = strchr(p, '\n'), *w = p + strlen(wrote);
		const char *t = strstr(p, to);

		while (*w == ' ')
			w++;
		if (w[0] == '8' && w[1] == ' ' && t && (!eol || t < eol))
			return p;
	}
	return NULL;
}

/* acpiexec loads the tables into ACPICA, the interpreter Linux embeds, and
 * "sleep 5" takes the same path as Linux's poweroff. With I/O debug output
 * (ACPI_LV_IO) it logs each register access: the FADT must be taken as
 * hardware-reduced, and S5 must clear WAK_STS on the status port, then write
 * SLP_TYP << 2 | SLP_EN to the control port, byte-wide. */
START_TEST(test_acpiexec_poweroff)
{
	const char *sts, *ctl;
	char sleep_a[16];
	struct machine m;
	struct tables t;
	char *log;

	machine_init(&m, 2);
	build(&m, &t);
	write_table("facp", t.fadt);
	write_table("dsdt", t.dsdt);
	write_table("apic", t.madt);
	run_tool("acpiexec",
		 "-x 0x04000000 -b 'sleep 5' facp.dat dsdt.dat apic.dat",
		 "acpiexec.log");
	log = read_file("acpiexec.log");

	snprintf(sleep_a, sizeof(sleep_a), "Sleep-A: %02X",
		 LAYOUT_ACPI_S5_TYPE);
	assert_contains(log, sleep_a);
	sts = find_io_write(log, 0x80, LAYOUT_PORT_ACPI_SLEEP_STS);
	ctl = find_io_write(log, (LAYOUT_ACPI_S5_TYPE << 2) | 0x20,
			    LAYOUT_PORT_ACPI_SLEEP_CTL);
	ck_assert_msg(sts && ctl && sts < ctl,
		      "want WAK_STS cleared, then SLP_TYP|SLP_EN written:\n%s",
		      log);
	ck_assert_msg(!strstr(log, "ACPI Error") &&
			      !strstr(log, "ACPI Warning") &&
			      !strstr(log, "ACPI BIOS"),
		      "ACPICA complains:\n%s", log);
	free(log);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tables = tcase_create("tables");
	TCase *errors = tcase_create("errors");
	TCase *tools = tcase_create("acpica-tools");
	size_t ncpus = ARRAY_SIZE(cpu_counts);

	tcase_add_checked_fixture(tables, ram_setup, ram_teardown);
	tcase_add_loop_test(tables, test_fadt, 0, ncpus);
	tcase_add_loop_test(tables, test_madt, 0, ncpus);
	tcase_add_loop_test(tables, test_dsdt, 0, ncpus);
	tcase_add_loop_test(tables, test_layout, 0, ncpus);
	tcase_add_test(tables, test_poweroff_write);
	tcase_add_test(tables, test_rebuild_over_garbage);
	suite_add_tcase(s, tables);

	tcase_add_checked_fixture(errors, ram_setup, ram_teardown);
	tcase_add_test(errors, test_area_not_ram);
	tcase_add_loop_test(errors, test_area_too_small, 0, ncpus);
	tcase_add_test(errors, test_bad_area_args);
	tcase_add_test(errors, test_mcfg);
	tcase_add_loop_test(errors, test_bad_machine, 0,
			    ARRAY_SIZE(bad_machines));
	suite_add_tcase(s, errors);

	tcase_add_unchecked_fixture(tools, tools_setup, tools_teardown);
	tcase_add_checked_fixture(tools, ram_setup, ram_teardown);
	tcase_set_timeout(tools, 30);
	tcase_add_test(tools, test_iasl_disassembles);
	tcase_add_test(tools, test_acpiexec_poweroff);
	tcase_add_test(tools, test_iasl_pci0);
	tcase_add_test(tools, test_iasl_mmio);
	suite_add_tcase(s, tools);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(acpi_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
