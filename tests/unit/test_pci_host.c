/* test_pci_host: the host bridge's config doors (CF8/CFC, ECAM), the slot
 * table, BAR sizing and decoding, read-only fields and the capability list.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fake_vm.h"
#include "pci.h"
#include "test_runner.h"

#define ECAM  0xe0000000ULL
#define WIN32 0xc0000000ULL
#define WIN64 0x8000000000ULL

static struct fake_vm f;
static struct pci_host h;
static struct pci_dev dev;
static uint8_t bar_mem[3][4096];
static int bar_hits;

static void mem_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	bar_hits++;
	memcpy(data, (uint8_t *)opaque + off, len);
}

static void mem_write(void *opaque, uint64_t off, const void *data,
		      uint32_t len)
{
	bar_hits++;
	memcpy((uint8_t *)opaque + off, data, len);
}

static const struct iobus_ops mem_ops = {.read = mem_read, .write = mem_write};

static const struct pci_host_config host_cfg = {
	.ecam_gpa = ECAM,
	.ecam_len = PCI_ECAM_BUS0_LEN,
	.mmio32_gpa = WIN32,
	.mmio32_len = 0x20000000,
	.mmio64_gpa = WIN64,
	.mmio64_len = 1ULL << 30,
	.intx_gsi_base = 16,
	.intx_gsi_count = 8,
};

/* A test device in slot 1: a 32-bit BAR 0 (4 KiB), a 64-bit BAR 2
 * (64 KiB), a 64-bit BAR 4 in... the 32-bit window is not asked for. */
static void setup(void)
{
	fake_vm_init(&f, 0);
	ck_assert_int_eq(pci_host_init(&h, &f.vm, NULL, &host_cfg), 0);
	pci_dev_init(&dev, "testdev", 0x1234, 0x5678, 0x018000, 7);
	pci_dev_set_subsystem(&dev, 0xaaaa, 0xbbbb);
	ck_assert_int_eq(
		pci_dev_add_bar(&dev, 0, 4096, false, &mem_ops, bar_mem[0]), 0);
	ck_assert_int_eq(
		pci_dev_add_bar(&dev, 2, 65536, true, &mem_ops, bar_mem[1]), 0);
	ck_assert_int_eq(pci_host_add(&h, &dev, true), 1);
	bar_hits = 0;
}

static void teardown(void)
{
	pci_host_destroy(&h);
	fake_vm_destroy(&f);
}

static uint32_t cf8_read(unsigned int slot, uint32_t reg, uint32_t len)
{
	fake_out(&f, 0xcf8, PCI_CONFIG_ENABLE | slot << 11 | (reg & 0xfc), 4);
	return fake_in(&f, 0xcfc + (reg & 3), len);
}

static void cf8_write(unsigned int slot, uint32_t reg, uint32_t val,
		      uint32_t len)
{
	fake_out(&f, 0xcf8, PCI_CONFIG_ENABLE | slot << 11 | (reg & 0xfc), 4);
	fake_out(&f, 0xcfc + (reg & 3), val, len);
}

static uint64_t ecam_read(unsigned int slot, uint32_t reg, uint32_t len)
{
	uint64_t v = 0;

	iobus_read(&f.vm.mmio, ECAM + (slot << 15) + reg, &v, len);
	return v;
}

static void ecam_write(unsigned int slot, uint32_t reg, uint64_t val,
		       uint32_t len)
{
	iobus_write(&f.vm.mmio, ECAM + (slot << 15) + reg, &val, len);
}

START_TEST(bridge_ids)
{
	ck_assert_uint_eq(cf8_read(0, PCI_VENDOR_ID, 2), 0x1b36);
	ck_assert_uint_eq(cf8_read(0, PCI_DEVICE_ID, 2), 0x0008);
	ck_assert_uint_eq(cf8_read(0, PCI_CLASS_REVISION, 4) >> 8, 0x060000);
	ck_assert_uint_eq(cf8_read(0, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cf8_read(1, PCI_VENDOR_ID, 4), 0x56781234);
	ck_assert_uint_eq(cf8_read(1, PCI_REVISION_ID, 1), 7);
	ck_assert_uint_eq(cf8_read(1, PCI_SUBSYSTEM_ID, 2), 0xbbbb);
}
END_TEST

/* Linux's pci_check_type1(): a dword at 0xCF8 reads back what was written
 * (reserved bits aside); byte/word accesses there do not reach it. */
START_TEST(config_address_register)
{
	fake_out(&f, 0xcf8, 0x80000000, 4);
	ck_assert_uint_eq(fake_in(&f, 0xcf8, 4), 0x80000000);
	fake_out(&f, 0xcf8, 0xffffffff, 4);
	ck_assert_uint_eq(fake_in(&f, 0xcf8, 4), 0x80fffffc);
	fake_outb(&f, 0xcfb, 0x01);
	ck_assert_uint_eq(fake_in(&f, 0xcf8, 4), 0x80fffffc);
	ck_assert_uint_eq(fake_in(&f, 0xcf8, 2), 0xffff);
	ck_assert_uint_eq(fake_inb(&f, 0xcf9), 0xff);
}
END_TEST

struct absent_case {
	uint32_t addr;
	const char *why;
};

static const struct absent_case absent[] = {
	{0x00000000, "enable bit clear"},
	{0x80000000 | 5 << 11, "empty slot"},
	{0x80000000 | 31 << 11, "last slot, empty"},
	{0x80000000 | 1 << 11 | 1 << 8, "function 1"},
	{0x80000000 | 1 << 16 | 1 << 11, "bus 1"},
	{0x80ff0000, "bus 255"},
};

START_TEST(absent_reads_all_ones)
{
	const struct absent_case *c = &absent[_i];

	fake_out(&f, 0xcf8, c->addr, 4);
	ck_assert_msg(fake_in(&f, 0xcfc, 4) == 0xffffffff, "%s", c->why);
	ck_assert_msg(fake_in(&f, 0xcfe, 2) == 0xffff, "%s", c->why);
	ck_assert_msg(fake_inb(&f, 0xcff) == 0xff, "%s", c->why);
	/* Writes go nowhere: device 1's command register is untouched. */
	fake_out(&f, 0xcfc + 0, 0xffffffff, 4);
	ck_assert_uint_eq(cf8_read(1, PCI_VENDOR_ID, 4), 0x56781234);
}
END_TEST

START_TEST(data_port_widths)
{
	/* Each byte and word of the id dword through its own data port. */
	ck_assert_uint_eq(cf8_read(1, 0, 1), 0x34);
	ck_assert_uint_eq(cf8_read(1, 1, 1), 0x12);
	ck_assert_uint_eq(cf8_read(1, 2, 1), 0x78);
	ck_assert_uint_eq(cf8_read(1, 3, 1), 0x56);
	ck_assert_uint_eq(cf8_read(1, 2, 2), 0x5678);
	/* Odd: a word at 0xCFD covers bytes 1-2. */
	ck_assert_uint_eq(cf8_read(1, 1, 2), 0x7812);
	/* A word at 0xCFF would cross the port range: unclaimed, all-ones. */
	fake_out(&f, 0xcf8, PCI_CONFIG_ENABLE | 1 << 11, 4);
	ck_assert_uint_eq(fake_in(&f, 0xcff, 2), 0xffff);
	/* A word write to the command register through 0xCFC. */
	cf8_write(1, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ck_assert_uint_eq(cf8_read(1, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
}
END_TEST

START_TEST(ecam_agrees_with_cf8)
{
	for (uint32_t slot = 0; slot < 4; slot++)
		for (uint32_t reg = 0; reg < PCI_CFG_LEN; reg += 4)
			ck_assert_uint_eq(ecam_read(slot, reg, 4),
					  cf8_read(slot, reg, 4));
	/* A write through one door is seen through the other. */
	ecam_write(1, PCI_INTERRUPT_LINE, 0x5a, 1);
	ck_assert_uint_eq(cf8_read(1, PCI_INTERRUPT_LINE, 1), 0x5a);
	cf8_write(1, PCI_LATENCY_TIMER, 0x40, 1);
	ck_assert_uint_eq(ecam_read(1, PCI_LATENCY_TIMER, 1), 0x40);
	/* Extended space reads 0 (no extended capabilities), absent
	 * functions all-ones, a qword is two dwords. */
	ck_assert_uint_eq(ecam_read(1, 0x100, 4), 0);
	ck_assert_uint_eq(ecam_read(1, 0xffc, 4), 0);
	ck_assert_uint_eq(ecam_read(9, 0, 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(1, 4 << 12, 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(1, 0, 8),
			  (uint64_t)cf8_read(1, 4, 4) << 32 | 0x56781234);
}
END_TEST

struct ro_case {
	uint32_t reg, len;
};

/* Fields the guest must not change. */
static const struct ro_case ro[] = {
	{PCI_VENDOR_ID, 2},
	{PCI_DEVICE_ID, 2},
	{PCI_CLASS_REVISION, 4},
	{PCI_HEADER_TYPE, 1},
	{PCI_SUBSYSTEM_VENDOR_ID, 4},
	{PCI_INTERRUPT_PIN, 1},
	{PCI_CAPABILITY_LIST, 1},
	{PCI_ROM_ADDRESS, 4},
	{PCI_BASE_ADDRESS_1, 4},
	{PCI_BASE_ADDRESS_5, 4},
	{0x40, 4},
	{0xfc, 4},
};

START_TEST(read_only_fields)
{
	const struct ro_case *c = &ro[_i];
	uint32_t before = cf8_read(1, c->reg, c->len);

	cf8_write(1, c->reg, ~before, c->len);
	ck_assert_uint_eq(cf8_read(1, c->reg, c->len), before);
	ecam_write(1, c->reg, ~before, c->len);
	ck_assert_uint_eq(ecam_read(1, c->reg, c->len), before);
}
END_TEST

START_TEST(command_and_status)
{
	cf8_write(1, PCI_COMMAND, 0xffff, 2);
	ck_assert_uint_eq(cf8_read(1, PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				  PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
				  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	/* Status: error bits are W1C, the rest read-only. */
	dev.cfg[PCI_STATUS + 1] |= PCI_STATUS_REC_MASTER_ABORT >> 8;
	uint32_t st = cf8_read(1, PCI_STATUS, 2);
	cf8_write(1, PCI_STATUS, 0, 2);
	ck_assert_uint_eq(cf8_read(1, PCI_STATUS, 2), st);
	cf8_write(1, PCI_STATUS, 0xffff, 2);
	ck_assert_uint_eq(
		cf8_read(1, PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT, 0);
}
END_TEST

/* Linux's __pci_read_base(): save, write all-ones, read the mask, restore. */
START_TEST(bar_sizing)
{
	uint32_t b0 = cf8_read(1, PCI_BASE_ADDRESS_0, 4);
	uint32_t b2 = cf8_read(1, PCI_BASE_ADDRESS_2, 4);
	uint32_t b3 = cf8_read(1, PCI_BASE_ADDRESS_3, 4);

	ck_assert_uint_eq(b0 & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_32);
	ck_assert_uint_ge(b0, WIN32);
	ck_assert_uint_eq(b0 % 4096, 0);
	ck_assert_uint_eq(b2 & 0xf, PCI_BASE_ADDRESS_MEM_TYPE_64);
	ck_assert_uint_eq(((uint64_t)b3 << 32 | (b2 & ~0xfu)), WIN64);

	cf8_write(1, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
	cf8_write(1, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	cf8_write(1, PCI_BASE_ADDRESS_3, 0xffffffff, 4);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_2, 4), 0xffff0004);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_3, 4), 0xffffffff);
	/* Unused BARs size to 0. */
	cf8_write(1, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_4, 4), 0);

	cf8_write(1, PCI_BASE_ADDRESS_0, b0, 4);
	cf8_write(1, PCI_BASE_ADDRESS_2, b2, 4);
	cf8_write(1, PCI_BASE_ADDRESS_3, b3, 4);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_0, 4), b0);
	ck_assert_uint_eq(cf8_read(1, PCI_BASE_ADDRESS_2, 4), b2);
}
END_TEST

/* A BAR decodes only with memory decoding on and its address in place. */
START_TEST(bar_decoding)
{
	uint64_t gpa = cf8_read(1, PCI_BASE_ADDRESS_0, 4) & ~0xfu;
	uint32_t v = 0x11223344, r = 0;

	iobus_write(&f.vm.mmio, gpa + 8, &v, 4);
	ck_assert_int_eq(bar_hits, 0); /* decoding off */
	iobus_read(&f.vm.mmio, gpa + 8, &r, 4);
	ck_assert_uint_eq(r, 0xffffffff);

	cf8_write(1, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	iobus_write(&f.vm.mmio, gpa + 8, &v, 4);
	iobus_read(&f.vm.mmio, gpa + 8, &r, 4);
	ck_assert_uint_eq(r, v);
	ck_assert_int_eq(bar_hits, 2);

	/* While it holds a sizing pattern, it does not decode. */
	cf8_write(1, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	iobus_read(&f.vm.mmio, gpa + 8, &r, 4);
	ck_assert_uint_eq(r, 0xffffffff);
	ck_assert_int_eq(bar_hits, 2);
	cf8_write(1, PCI_BASE_ADDRESS_0, (uint32_t)gpa, 4);
	iobus_read(&f.vm.mmio, gpa + 8, &r, 4);
	ck_assert_uint_eq(r, v);
}
END_TEST

START_TEST(capability_walk)
{
	struct pci_dev *d = &dev;
	uint8_t body[6] = {1, 2, 3, 4, 5, 6};
	unsigned int n = 0;

	/* Fill the list until config space is full. */
	while (pci_dev_add_cap(d, 0x09, body, 8) >= 0)
		n++;
	ck_assert_uint_gt(n, 20);
	ck_assert_int_eq(pci_dev_add_cap(d, 0x09, body, 1), -ENOSPC);
	ck_assert(cf8_read(1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);

	unsigned int seen = 0;
	uint32_t ptr = cf8_read(1, PCI_CAPABILITY_LIST, 1);

	while (ptr) {
		ck_assert_uint_ge(ptr, 0x40);
		ck_assert_uint_le(ptr + 8, PCI_CFG_LEN);
		ck_assert_uint_eq(ptr % 4, 0);
		ck_assert_uint_eq(ecam_read(1, ptr, 1), 0x09);
		ck_assert_uint_eq(ecam_read(1, ptr + 2, 1), 1);
		ptr = cf8_read(1, ptr + 1, 1);
		ck_assert_uint_le(++seen, 48); /* no loop */
	}
	ck_assert_uint_eq(seen, n);
}
END_TEST

START_TEST(intx_line_and_mask)
{
	ck_assert_uint_eq(cf8_read(1, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(cf8_read(1, PCI_INTERRUPT_LINE, 1), 17);
	pci_dev_set_intx(&dev, true);
	ck_assert_int_eq(f.irq_level[17], 1);
	ck_assert(cf8_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cf8_write(1, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	ck_assert_int_eq(f.irq_level[17], 0);
	cf8_write(1, PCI_COMMAND, 0, 2);
	ck_assert_int_eq(f.irq_level[17], 1);
	pci_dev_set_intx(&dev, false);
	ck_assert_int_eq(f.irq_level[17], 0);
	ck_assert_uint_eq(pci_intx_gsi(16, 8, 31, 4), 16 + (31 + 3) % 8);
}
END_TEST

START_TEST(slots_fill_up)
{
	static struct pci_dev many[PCI_HOST_SLOTS];
	int slot = 0;

	for (unsigned int i = 0; i < PCI_HOST_SLOTS; i++) {
		pci_dev_init(&many[i], "many", 0x1234, (uint16_t)i, 0, 0);
		slot = pci_host_add(&h, &many[i], false);
		if (slot < 0)
			break;
		ck_assert_uint_eq(
			cf8_read((unsigned int)slot, PCI_DEVICE_ID, 2), i);
	}
	ck_assert_int_eq(slot, -ENOSPC);
}
END_TEST

START_TEST(bad_host_config)
{
	struct pci_host h2;
	struct pci_host_config c = host_cfg;

	c.mmio32_gpa = 0xc0001000; /* not 1 MiB aligned */
	ck_assert_int_eq(pci_host_init(&h2, &f.vm, NULL, &c), -EINVAL);
	c = host_cfg;
	c.ecam_len = 4096;
	ck_assert_int_eq(pci_host_init(&h2, &f.vm, NULL, &c), -EINVAL);
	c = host_cfg;
	c.mmio32_gpa = 0xfff00000;
	c.mmio32_len = 0x200000; /* crosses 4 GiB */
	ck_assert_int_eq(pci_host_init(&h2, &f.vm, NULL, &c), -EINVAL);
	/* A second host on the same ports is refused. */
	ck_assert_int_eq(pci_host_init(&h2, &f.vm, NULL, &host_cfg), -EEXIST);
}
END_TEST

START_TEST(bad_bars)
{
	struct pci_dev d;

	pci_dev_init(&d, "bad", 1, 2, 0, 0);
	ck_assert_int_eq(pci_dev_add_bar(&d, 6, 4096, false, &mem_ops, NULL),
			 -EINVAL);
	ck_assert_int_eq(pci_dev_add_bar(&d, 5, 4096, true, &mem_ops, NULL),
			 -EINVAL);
	ck_assert_int_eq(pci_dev_add_bar(&d, 0, 3000, false, &mem_ops, NULL),
			 -EINVAL);
	ck_assert_int_eq(pci_dev_add_bar(&d, 0, 8, false, &mem_ops, NULL),
			 -EINVAL);
	ck_assert_int_eq(pci_dev_add_bar(&d, 0, 4096, true, &mem_ops, NULL), 0);
	ck_assert_int_eq(pci_dev_add_bar(&d, 1, 4096, false, &mem_ops, NULL),
			 -EINVAL); /* upper half of BAR 0 */
}
END_TEST

static Suite *pci_host_suite(void)
{
	Suite *s = suite_create("pci_host");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bridge_ids);
	tcase_add_test(tc, config_address_register);
	tcase_add_loop_test(tc, absent_reads_all_ones, 0,
			    sizeof(absent) / sizeof(absent[0]));
	tcase_add_test(tc, data_port_widths);
	tcase_add_test(tc, ecam_agrees_with_cf8);
	tcase_add_loop_test(tc, read_only_fields, 0,
			    sizeof(ro) / sizeof(ro[0]));
	tcase_add_test(tc, command_and_status);
	tcase_add_test(tc, bar_sizing);
	tcase_add_test(tc, bar_decoding);
	tcase_add_test(tc, capability_walk);
	tcase_add_test(tc, intx_line_and_mask);
	tcase_add_test(tc, slots_fill_up);
	tcase_add_test(tc, bad_host_config);
	tcase_add_test(tc, bad_bars);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(pci_host_suite());
}
