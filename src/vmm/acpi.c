/* acpi: RSDP, XSDT, FADT, MADT and DSDT for an x86 guest (see acpi.h).
 *
 * ACPI 6.5 §5.2.5 RSDP, §5.2.6 table header, §5.2.8 XSDT, §5.2.9 FADT in
 * hardware-reduced mode (§4.1), §5.2.12 MADT, §5.2.11.1 DSDT, §5.2.3.2 GAS.
 * Tables are written in place into one translated guest area; the RSDP is
 * filled last, so a failed build never leaves a findable half-table.
 */
#include "acpi.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "acpi_mmio.h"
#include "acpi_pci.h"
#include "aml.h"
#include "layout.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian; fields are stored as-is");
_Static_assert(MACHINE_MAX_CPUS < 255,
	       "xAPIC ids are 8 bits and 0xff is broadcast: more CPUs need "
	       "x2APIC MADT entries");

#define ACPI_OEM_ID	      "VMMVMM"	 /* 6 bytes */
#define ACPI_OEM_TABLE_PREFIX "VMM"	 /* + signature + ' ' = 8 bytes */
#define ACPI_CREATOR_ID	      "VMM "	 /* 4 bytes */
#define ACPI_HYPERVISOR_ID    "VMMVMM  " /* 8 bytes, FADT (ACPI 6.0+) */
#define ACPI_TABLE_ALIGN      8

/* §5.2.6 System Description Table Header */
struct acpi_header {
	char sig[4];
	uint32_t len; /* whole table, header included */
	uint8_t rev;
	uint8_t checksum; /* whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_rev;
	char creator_id[4];
	uint32_t creator_rev;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");

/* §5.2.5.3 Root System Description Pointer, revision 2 */
struct acpi_rsdp {
	char sig[8];	  /* "RSD PTR " */
	uint8_t checksum; /* first 20 bytes (the ACPI 1.0 part) sum to 0 */
	char oem_id[6];
	uint8_t rev;
	uint32_t rsdt_gpa; /* no RSDT: the XSDT supersedes it */
	uint32_t len;
	uint64_t xsdt_gpa;
	uint8_t ext_checksum; /* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");

/* §5.2.3.2 Generic Address Structure */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_SYSTEM_IO */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* ACPI_GAS_ACCESS_BYTE */
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");

#define ACPI_GAS_SYSTEM_IO   1
#define ACPI_GAS_ACCESS_BYTE 1

/* §5.2.9 Fixed ACPI Description Table, revision 6 (276 bytes). The legacy
 * PM1/PM2/PM timer/GPE blocks stay zero: a hardware-reduced platform has
 * none of them. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl; /* FACS: none in hardware-reduced mode */
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	/* Fixed hardware of a full (not hardware-reduced) ACPI PC: */
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm;
	uint8_t century; /* CMOS index of the century, 0: none */
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_rev;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_legacy_blocks[8]; /* X_PM1a_EVT_BLK ... X_GPE1_BLK */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_id[8];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT");

#define FADT_REVISION	    6
#define FADT_MINOR_REVISION 5 /* ACPI 6.5 */
/* §5.2.9.3 IA-PC Boot Architecture Flags */
#define FADT_BOOT_LEGACY_DEVICES     (1 << 0)
#define FADT_BOOT_VGA_NOT_PRESENT    (1 << 2)
#define FADT_BOOT_PCIE_ASPM_CONTROLS (1 << 4)
/* §5.2.9 Fixed ACPI Description Table Fixed Feature Flags */
#define FADT_PWR_BUTTON	     (1 << 4) /* no fixed-feature power button */
#define FADT_SLP_BUTTON	     (1 << 5) /* no fixed-feature sleep button */
#define FADT_RESET_REG_SUP   (1 << 10)
#define FADT_HW_REDUCED_ACPI (1 << 20)
/* SCI_INT is unused without GPEs, but x86 Linux treats the Interrupt Source
 * Override whose source equals SCI_INT as the SCI's: 0 would turn our IRQ0
 * override into a level/low "SCI". 9 is the PC convention and is free. */
#define FADT_SCI_INT 9

/* §5.2.12 Multiple APIC Description Table and its entries */
struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");

#define MADT_REVISION	 6	  /* ACPI 6.5 */
#define MADT_PCAT_COMPAT (1 << 0) /* KVM's in-kernel irqchip has 8259s */

struct madt_lapic { /* §5.2.12.2, type 0 */
	uint8_t type, len;
	uint8_t acpi_uid, apic_id;
	uint32_t flags; /* MADT_LAPIC_ENABLED */
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT Local APIC");

struct madt_ioapic { /* §5.2.12.3, type 1 */
	uint8_t type, len;
	uint8_t id, reserved;
	uint32_t addr;
	uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT I/O APIC");

struct madt_iso { /* §5.2.12.5 Interrupt Source Override, type 2 */
	uint8_t type, len;
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* 0: conforms to the bus (ISA: edge, high) */
} __attribute__((packed));
_Static_assert(sizeof(struct madt_iso) == 10, "MADT ISO");

struct madt_lapic_nmi { /* §5.2.12.7, type 4 */
	uint8_t type, len;
	uint8_t acpi_uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "MADT Local APIC NMI");

/* §5.2.12.5 MPS INTI flags: polarity in bits 1:0, trigger mode in 3:2. */
#define MADT_INTI_ACTIVE_HIGH (1 << 0)
#define MADT_INTI_LEVEL	      (3 << 2)

#define MADT_TYPE_LAPIC	    0
#define MADT_TYPE_IOAPIC    1
#define MADT_TYPE_ISO	    2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_ENABLED  (1 << 0)
#define MADT_ALL_PROCESSORS 0xff

/* One build: the guest area translated once, and a bump allocator in it. */
struct acpi_ctx {
	const struct machine *m;
	uint8_t *hva;
	uint64_t gpa, size, used;
	uint64_t dsdt_gpa;
};

/* The tables the XSDT lists, in order. Adding one is one row here; a
 * table this machine does not need leaves *gpa at 0 and is not listed. */
static int build_fadt(struct acpi_ctx *c, uint64_t *gpa);
static int build_madt(struct acpi_ctx *c, uint64_t *gpa);
static int build_mcfg(struct acpi_ctx *c, uint64_t *gpa);

static int (*const xsdt_tables[])(struct acpi_ctx *c, uint64_t *gpa) = {
	build_fadt,
	build_madt,
	build_mcfg,
};
#define NR_XSDT_TABLES (sizeof(xsdt_tables) / sizeof(xsdt_tables[0]))

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* Hands out len zeroed bytes at the next ACPI_TABLE_ALIGN boundary (the
 * area itself is 16-byte aligned); NULL when the area is full. */
static void *acpi_alloc(struct acpi_ctx *c, uint64_t len, uint64_t *gpa)
{
	uint64_t off = (c->used + ACPI_TABLE_ALIGN - 1) &
		       ~(uint64_t)(ACPI_TABLE_ALIGN - 1);

	if (off > c->size || len > c->size - off)
		return NULL;
	memset(c->hva + c->used, 0, off + len - c->used);
	c->used = off + len;
	*gpa = c->gpa + off;
	return c->hva + off;
}

static void header_init(struct acpi_header *h, const char *sig, uint32_t len,
			uint8_t rev)
{
	memcpy(h->sig, sig, 4);
	h->len = len;
	h->rev = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_PREFIX, 3);
	memcpy(h->oem_table_id + 3, sig, 4);
	h->oem_table_id[7] = ' ';
	h->oem_rev = 1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_rev = 1;
}

/* Call last, once every byte of the table is final. */
static void header_finish(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = checksum(h, h->len);
}

static struct acpi_gas gas_io8(uint16_t port)
{
	return (struct acpi_gas){.space_id = ACPI_GAS_SYSTEM_IO,
				 .bit_width = 8,
				 .access_size = ACPI_GAS_ACCESS_BYTE,
				 .address = port};
}

/* --- DSDT --- */

/* _UID must tell apart devices with the same _HID: number them per _HID. */
static unsigned int legacy_uid(const struct machine *m, unsigned int idx)
{
	unsigned int uid = 0;

	for (unsigned int i = 0; i < idx; i++)
		uid += !strcmp(m->legacy[i].pnp_id, m->legacy[idx].pnp_id);
	return uid;
}

/* Device(NAME) { _HID, _UID, _CRS }. No _STA: a device without one is
 * present, enabled and functioning (§6.3.7), which these always are. */
static void dsdt_legacy_dev(struct aml_buf *b, const struct machine *m,
			    unsigned int idx)
{
	const struct machine_legacy_dev *d = &m->legacy[idx];

	aml_device(b, d->acpi_name);
	aml_name(b, "_HID");
	if (strlen(d->pnp_id) == 7)
		aml_eisaid(b, d->pnp_id); /* PNP id, e.g. PNP0501 */
	else
		aml_string(b, d->pnp_id); /* ACPI id, e.g. LNRO0005 */
	aml_name(b, "_UID");
	aml_integer(b, legacy_uid(m, idx));
	aml_name(b, "_CRS");
	aml_resource_template(b);
	if (d->port_len)
		aml_res_io(b, d->port, d->port, 1, (uint8_t)d->port_len);
	if (d->irq >= 0)
		aml_res_irq_noflags(b, (unsigned int)d->irq);
	aml_end(b);
	aml_end(b);
}

static void dsdt_aml(struct aml_buf *b, const struct machine *m)
{
	/* \_S5_: {SLP_TYP, reserved...}. Hardware-reduced OSPM writes
	 * SLP_TYP << 2 | SLP_EN to the FADT sleep control register. */
	aml_name(b, "_S5_");
	aml_package(b, 4);
	aml_integer(b, LAYOUT_ACPI_S5_TYPE);
	aml_integer(b, 0);
	aml_integer(b, 0);
	aml_integer(b, 0);
	aml_end(b);

	aml_scope(b, "\\_SB_");
	for (unsigned int i = 0; i < m->nr_legacy; i++)
		dsdt_legacy_dev(b, m, i);
	acpi_mmio_dsdt(b, m);
	if (m->pci.present)
		acpi_pci_dsdt(b, &m->pci);
	aml_end(b);
}

static int build_dsdt(struct acpi_ctx *c)
{
	struct acpi_header *h;
	struct aml_buf aml;
	int ret;

	aml_init(&aml, c->size);
	dsdt_aml(&aml, c->m);
	ret = aml_finish(&aml);
	if (ret)
		goto out_free;
	h = acpi_alloc(c, sizeof(*h) + aml.len, &c->dsdt_gpa);
	if (!h) {
		ret = -ENOSPC;
		goto out_free;
	}
	/* Revision 2: AML integers are 64 bits wide (§5.2.11.1). */
	header_init(h, "DSDT", (uint32_t)(sizeof(*h) + aml.len), 2);
	memcpy(h + 1, aml.data, aml.len);
	header_finish(h);
out_free:
	aml_free(&aml);
	return ret;
}

/* --- FADT --- */

static int build_fadt(struct acpi_ctx *c, uint64_t *gpa)
{
	struct acpi_fadt *f = acpi_alloc(c, sizeof(*f), gpa);

	if (!f)
		return -ENOSPC;
	header_init(&f->h, "FACP", sizeof(*f), FADT_REVISION);
	f->minor_rev = FADT_MINOR_REVISION;
	f->dsdt = (uint32_t)c->dsdt_gpa; /* below 1 MiB; equal to X_DSDT */
	f->x_dsdt = c->dsdt_gpa;
	f->sci_int = FADT_SCI_INT;
	f->flags = FADT_HW_REDUCED_ACPI | FADT_RESET_REG_SUP | FADT_PWR_BUTTON |
		   FADT_SLP_BUTTON;
	/* We have ISA COM1 and a CMOS RTC (so no CMOS_RTC_NOT_PRESENT), no
	 * VGA, and MSI works. No 8042 flag: there is no keyboard to probe,
	 * and Linux's reboot fallback writes 0xfe to port 0x64 regardless. */
	f->iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES |
			    FADT_BOOT_VGA_NOT_PRESENT |
			    FADT_BOOT_PCIE_ASPM_CONTROLS;
	f->reset_reg = gas_io8(LAYOUT_PORT_ACPI_RESET);
	f->reset_value = LAYOUT_ACPI_RESET_VALUE;
	f->sleep_control_reg = gas_io8(LAYOUT_PORT_ACPI_SLEEP_CTL);
	f->sleep_status_reg = gas_io8(LAYOUT_PORT_ACPI_SLEEP_STS);
	memcpy(f->hypervisor_id, ACPI_HYPERVISOR_ID, 8);
	header_finish(&f->h);
	return 0;
}

/* --- MADT --- */

static uint8_t *madt_put(uint8_t *p, const void *entry, size_t len)
{
	memcpy(p, entry, len);
	return p + len;
}

static unsigned int nr_mmio_devs(const struct machine *m)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->nr_virtio; i++)
		n += m->virtio[i].transport == MACHINE_TRANSPORT_MMIO;
	return n;
}

/* A virtio-mmio line is an ISA IRQ number, but level-triggered and
 * active-high rather than ISA's edge: say so here too, so that the MADT
 * and the DSDT's _CRS agree about the pin, also for an OS that sets up ISA
 * pins from the MADT alone. */
static uint8_t *madt_mmio_isos(uint8_t *p, const struct machine *m)
{
	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		const struct machine_virtio *d = &m->virtio[i];
		struct madt_iso e = {MADT_TYPE_ISO,
				     sizeof(e),
				     0,
				     0,
				     0,
				     MADT_INTI_LEVEL | MADT_INTI_ACTIVE_HIGH};

		if (d->transport != MACHINE_TRANSPORT_MMIO)
			continue;
		e.source = (uint8_t)d->mmio.gsi;
		e.gsi = d->mmio.gsi;
		p = madt_put(p, &e, sizeof(e));
	}
	return p;
}

static int build_madt(struct acpi_ctx *c, uint64_t *gpa)
{
	unsigned int n = c->m->nr_cpus;
	size_t len = sizeof(struct acpi_madt) + n * sizeof(struct madt_lapic) +
		     sizeof(struct madt_ioapic) +
		     (1 + nr_mmio_devs(c->m)) * sizeof(struct madt_iso) +
		     sizeof(struct madt_lapic_nmi);
	struct acpi_madt *madt = acpi_alloc(c, len, gpa);
	uint8_t *p;

	if (!madt)
		return -ENOSPC;
	header_init(&madt->h, "APIC", (uint32_t)len, MADT_REVISION);
	madt->lapic_addr = (uint32_t)LAYOUT_LAPIC_GPA;
	madt->flags = MADT_PCAT_COMPAT;
	p = (uint8_t *)(madt + 1);
	for (unsigned int i = 0; i < n; i++) {
		struct madt_lapic e = {MADT_TYPE_LAPIC, sizeof(e), (uint8_t)i,
				       (uint8_t)i, MADT_LAPIC_ENABLED};
		p = madt_put(p, &e, sizeof(e));
	}
	/* IOAPIC and local APIC ids shared one APIC-bus namespace; keep the
	 * IOAPIC clear of the CPUs (ids 0..n-1). */
	p = madt_put(p,
		     &(struct madt_ioapic){
			     MADT_TYPE_IOAPIC, sizeof(struct madt_ioapic),
			     (uint8_t)n, 0, (uint32_t)LAYOUT_IOAPIC_GPA, 0},
		     sizeof(struct madt_ioapic));
	/* The PIT's IRQ0 is wired to IOAPIC pin 2, as on real PCs. */
	p = madt_put(p,
		     &(struct madt_iso){MADT_TYPE_ISO, sizeof(struct madt_iso),
					0, 0, 2, 0},
		     sizeof(struct madt_iso));
	p = madt_mmio_isos(p, c->m);
	madt_put(p,
		 &(struct madt_lapic_nmi){MADT_TYPE_LAPIC_NMI,
					  sizeof(struct madt_lapic_nmi),
					  MADT_ALL_PROCESSORS, 0, 1},
		 sizeof(struct madt_lapic_nmi));
	header_finish(&madt->h);
	return 0;
}

/* --- MCFG (PCI Firmware Spec 3.3 §4.1.2): where ECAM is --- */

struct acpi_mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus, end_bus;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG allocation");

static int build_mcfg(struct acpi_ctx *c, uint64_t *gpa)
{
	const struct machine_pci *pci = &c->m->pci;
	size_t len =
		sizeof(struct acpi_header) + 8 + sizeof(struct acpi_mcfg_alloc);
	struct acpi_mcfg_alloc a = {
		.base = pci->ecam_gpa,
		.end_bus = (uint8_t)((pci->ecam_len >> 20) - 1)};
	struct acpi_header *h;

	*gpa = 0;
	if (!pci->present)
		return 0;
	h = acpi_alloc(c, len, gpa);
	if (!h)
		return -ENOSPC;
	header_init(h, "MCFG", (uint32_t)len, 1);
	/* 8 reserved bytes, then one allocation: 1 MiB of ECAM per bus. */
	memcpy((uint8_t *)(h + 1) + 8, &a, sizeof(a));
	header_finish(h);
	return 0;
}

/* --- XSDT and RSDP --- */

static int build_xsdt(struct acpi_ctx *c, const uint64_t *tables,
		      unsigned int n, uint64_t *gpa)
{
	size_t len = sizeof(struct acpi_header) + n * sizeof(uint64_t);
	struct acpi_header *h = acpi_alloc(c, len, gpa);

	if (!h)
		return -ENOSPC;
	header_init(h, "XSDT", (uint32_t)len, 1);
	/* Entries sit at offset 36: not 8-byte aligned, so copy bytes. */
	memcpy(h + 1, tables, n * sizeof(uint64_t));
	header_finish(h);
	return 0;
}

static void fill_rsdp(struct acpi_rsdp *r, uint64_t xsdt_gpa)
{
	memcpy(r->sig, "RSD PTR ", 8);
	memcpy(r->oem_id, ACPI_OEM_ID, 6);
	r->rev = 2;
	r->len = sizeof(*r);
	r->xsdt_gpa = xsdt_gpa;
	r->checksum = checksum(r, 20);
	r->ext_checksum = checksum(r, sizeof(*r));
}

/* --- Validation of the machine description --- */

static int legacy_dev_valid(const struct machine_legacy_dev *d)
{
	size_t id_len;

	if (!d->acpi_name || !d->pnp_id)
		return -EINVAL;
	id_len = strlen(d->pnp_id);
	if (id_len != 7 && id_len != 8)
		return -EINVAL;
	if (d->port_len > UINT8_MAX || d->port + d->port_len > 0x10000)
		return -EINVAL;
	if (d->irq < -1 || d->irq > 15)
		return -EINVAL;
	return 0;
}

static int machine_valid(const struct machine *m)
{
	if (m->nr_cpus == 0 || m->nr_cpus > MACHINE_MAX_CPUS ||
	    m->nr_legacy > MACHINE_MAX_LEGACY_DEVS)
		return -EINVAL;
	for (unsigned int i = 0; i < m->nr_legacy; i++) {
		if (legacy_dev_valid(&m->legacy[i]))
			return -EINVAL;
		/* Two devices of one name would collide in \_SB_. */
		for (unsigned int j = 0; j < i; j++) {
			if (!strcmp(m->legacy[i].acpi_name,
				    m->legacy[j].acpi_name))
				return -EINVAL;
		}
	}
	return acpi_mmio_valid(m);
}

/* --- Entry points --- */

int acpi_build_at(const struct machine *m, const struct gmem *mem, uint64_t gpa,
		  uint64_t size, uint64_t *rsdp_gpa)
{
	struct acpi_ctx c = {.m = m, .gpa = gpa, .size = size};
	uint64_t tables[NR_XSDT_TABLES] = {0}, xsdt_gpa, gpa_rsdp;
	unsigned int nr_tables = 0;
	struct acpi_rsdp *rsdp;
	int ret;

	if (gpa % 16 || size == 0)
		return -EINVAL;
	ret = machine_valid(m);
	if (ret)
		return ret;
	c.hva = gmem_ptr(mem, gpa, (size_t)size);
	if (!c.hva)
		return -EFAULT;

	rsdp = acpi_alloc(&c, sizeof(*rsdp), &gpa_rsdp); /* at gpa itself */
	if (!rsdp)
		return -ENOSPC;
	ret = build_dsdt(&c);
	for (unsigned int i = 0; !ret && i < NR_XSDT_TABLES; i++) {
		ret = xsdt_tables[i](&c, &tables[nr_tables]);
		if (tables[nr_tables])
			nr_tables++;
	}
	if (!ret)
		ret = build_xsdt(&c, tables, nr_tables, &xsdt_gpa);
	if (ret)
		return ret;
	fill_rsdp(rsdp, xsdt_gpa);
	*rsdp_gpa = gpa_rsdp;
	return 0;
}

int acpi_build(const struct machine *m, const struct gmem *mem,
	       uint64_t *rsdp_gpa)
{
	return acpi_build_at(m, mem, LAYOUT_ACPI_GPA, LAYOUT_ACPI_SIZE,
			     rsdp_gpa);
}
