/* test_machine_layout: virtio-mmio placement (windows and IOAPIC lines),
 * the virtio_mmio.device= words and the --print-layout text, checked
 * against layout.h's fixed windows and the PCI and platform interrupts. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "machine.h"
#include "machine_layout.h"
#include "options.h"
#include "test_runner.h"

static struct machine describe(uint64_t mem)
{
	struct vmm_options o = {.memory = mem, .cpus = 2};
	struct machine m;

	machine_describe(&m, &o);
	return m;
}

static int add_mmio(struct machine *m)
{
	return machine_layout_add_virtio(m, "virtio-blk", "--disk x",
					 MACHINE_TRANSPORT_MMIO, 2);
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Every line the layout can hand out, each device on its own page, and
 * none of it where anything else of the machine is. */
START_TEST(test_fill_every_line)
{
	struct machine m = describe(512ULL << 20);
	unsigned int cap = machine_layout_mmio_capacity();

	ck_assert_uint_ge(cap, 8);
	for (unsigned int i = 0; i < cap; i++) {
		const struct machine_mmio_dev *d;

		ck_assert_int_eq(add_mmio(&m), (int)i);
		d = &m.virtio[i].mmio;
		ck_assert_uint_eq(m.virtio[i].transport,
				  MACHINE_TRANSPORT_MMIO);
		ck_assert_uint_eq(d->gpa % 4096, 0);
		ck_assert_uint_eq(d->len, 0x200);
		ck_assert_uint_eq(d->version, 2);
		ck_assert_uint_ge(d->gpa, LAYOUT_VIRTIO_MMIO_GPA);
		ck_assert_uint_le(d->gpa + d->len,
				  LAYOUT_VIRTIO_MMIO_GPA +
					  LAYOUT_VIRTIO_MMIO_LEN);
		ck_assert(!overlaps(d->gpa, d->len, LAYOUT_PCI_MMIO32_GPA,
				    LAYOUT_PCI_MMIO32_LEN));
		ck_assert(!overlaps(d->gpa, d->len, LAYOUT_PCI_ECAM_GPA,
				    LAYOUT_PCI_ECAM_LEN));
		ck_assert(!overlaps(d->gpa, d->len, LAYOUT_IOAPIC_GPA, 0x1000));
		ck_assert(!overlaps(d->gpa, d->len, LAYOUT_LAPIC_GPA, 0x1000));
		ck_assert_uint_ge(d->gpa, LAYOUT_PCI_HOLE_START);
		ck_assert_uint_lt(d->gpa + d->len, 1ULL << 32);
		/* Not PCI INTx, the PIT (0, 2), COM1, RTC or the SCI. */
		ck_assert_uint_lt(d->gsi, LAYOUT_PCI_INTX_GSI_BASE);
		ck_assert_uint_ne(d->gsi, 0);
		ck_assert_uint_ne(d->gsi, 2);
		ck_assert_uint_ne(d->gsi, LAYOUT_IRQ_COM1);
		ck_assert_uint_ne(d->gsi, LAYOUT_IRQ_RTC);
		ck_assert_uint_ne(d->gsi, 9);
		for (unsigned int j = 0; j < i; j++) {
			ck_assert_uint_ne(d->gsi, m.virtio[j].mmio.gsi);
			ck_assert(!overlaps(d->gpa, 4096, m.virtio[j].mmio.gpa,
					    4096));
		}
	}
	/* One more has no line left; the description is unchanged. */
	ck_assert_int_eq(add_mmio(&m), -ENOSPC);
	ck_assert_uint_eq(m.nr_virtio, cap);
}
END_TEST

/* PCI devices take no MMIO line, wherever they sit in the order. */
START_TEST(test_pci_takes_no_line)
{
	struct machine m = describe(512ULL << 20);

	ck_assert_int_eq(machine_layout_add_virtio(&m, "virtio-rng", NULL,
						   MACHINE_TRANSPORT_PCI, 0),
			 0);
	ck_assert_int_eq(add_mmio(&m), 1);
	ck_assert_int_eq(machine_layout_add_virtio(&m, "virtio-rng", NULL,
						   MACHINE_TRANSPORT_PCI, 0),
			 2);
	ck_assert_int_eq(machine_layout_add_virtio(&m, "virtio-rng", NULL,
						   MACHINE_TRANSPORT_MMIO, 1),
			 3);
	ck_assert_uint_eq(m.virtio[1].mmio.gpa, LAYOUT_VIRTIO_MMIO_GPA);
	ck_assert_uint_eq(m.virtio[3].mmio.gpa,
			  LAYOUT_VIRTIO_MMIO_GPA + LAYOUT_VIRTIO_MMIO_SLOT);
	ck_assert_uint_eq(m.virtio[3].mmio.version, 1);
	ck_assert_uint_ne(m.virtio[1].mmio.gsi, m.virtio[3].mmio.gsi);
}
END_TEST

START_TEST(test_bad_requests)
{
	struct machine m = describe(512ULL << 20);

	ck_assert_int_eq(machine_layout_add_virtio(&m, "x", NULL,
						   MACHINE_TRANSPORT_MMIO, 0),
			 -EINVAL);
	ck_assert_int_eq(machine_layout_add_virtio(&m, "x", NULL,
						   MACHINE_TRANSPORT_MMIO, 3),
			 -EINVAL);
	ck_assert_uint_eq(m.nr_virtio, 0);
	m.nr_virtio = MACHINE_MAX_VIRTIO;
	ck_assert_int_eq(machine_layout_add_virtio(&m, "x", NULL,
						   MACHINE_TRANSPORT_PCI, 0),
			 -E2BIG);
}
END_TEST

START_TEST(test_gsi_text)
{
	char buf[64];

	machine_layout_mmio_gsis(buf, sizeof(buf));
	ck_assert_str_eq(buf, "5-7, 10-15");
	machine_layout_mmio_gsis(buf, 4); /* truncated, still a string */
	ck_assert_uint_lt(strlen(buf), 4);
}
END_TEST

/* Linux's syntax: SIZE@BASE:IRQ, appended to what is there. */
START_TEST(test_cmdline_words)
{
	struct machine m = describe(512ULL << 20);
	char buf[256] = "console=ttyS0";

	ck_assert_int_eq(machine_layout_mmio_cmdline(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "console=ttyS0");
	add_mmio(&m);
	machine_layout_add_virtio(&m, "virtio-rng", NULL, MACHINE_TRANSPORT_PCI,
				  0);
	add_mmio(&m);
	ck_assert_int_eq(machine_layout_mmio_cmdline(&m, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "console=ttyS0"
			      " virtio_mmio.device=0x200@0xfeb00000:5"
			      " virtio_mmio.device=0x200@0xfeb01000:6");
}
END_TEST

/* Too small a buffer leaves it as it was. */
START_TEST(test_cmdline_too_long)
{
	struct machine m = describe(512ULL << 20);
	char buf[40] = "console=ttyS0";

	add_mmio(&m);
	ck_assert_int_eq(machine_layout_mmio_cmdline(&m, buf, sizeof(buf)),
			 -ENOSPC);
	ck_assert_str_eq(buf, "console=ttyS0");
}
END_TEST

static char *print_to_string(const struct machine *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	machine_layout_print(m, f);
	fclose(f);
	return text;
}

/* One line per window in address order, one per device with its
 * transport, range and interrupt. */
START_TEST(test_print)
{
	struct machine m = describe(5ULL << 30);
	char *text, *p;

	add_mmio(&m);
	machine_layout_add_virtio(&m, "virtio-rng", "--device virtio-rng",
				  MACHINE_TRANSPORT_PCI, 0);
	m.virtio[1].pci = (struct machine_pci_dev){.slot = 2,
						   .bar_gpa = 0xc0004000,
						   .bar_len = 0x4000,
						   .msix_vectors = 2};
	m.pci.present = 1;
	m.pci.ecam_gpa = LAYOUT_PCI_ECAM_GPA;
	m.pci.ecam_len = LAYOUT_PCI_ECAM_LEN;
	m.pci.mmio32_gpa = LAYOUT_PCI_MMIO32_GPA;
	m.pci.mmio32_len = LAYOUT_PCI_MMIO32_LEN;
	text = print_to_string(&m);
	ck_assert_ptr_nonnull(strstr(text, "2 vCPUs, 5120 MiB RAM"));
	p = strstr(text, "0x000100000-0x0bfffffff  RAM");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "0x0c0000000-0x0dfffffff  PCI 32-bit BAR window");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "0x0e0000000-0x0e00fffff  PCI ECAM");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "0x0feb00000-0x0febfffff  virtio-mmio window");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "0x0fec00000-0x0fec00fff  IOAPIC");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "0x100000000-0x17fffffff  RAM");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "virtio-blk     mmio         0x0feb00000-0x0feb001ff  "
		      "GSI 5, level  --disk x\n");
	ck_assert_ptr_nonnull(p);
	p = strstr(p, "virtio-rng     pci 00:02.0  0x0c0004000-0x0c0007fff  "
		      "MSI-X, 2 vectors  --device virtio-rng\n");
	ck_assert_ptr_nonnull(p);
	free(text);
}
END_TEST

START_TEST(test_print_no_devices)
{
	struct machine m = describe(256ULL << 20);
	char *text = print_to_string(&m);

	ck_assert_ptr_nonnull(strstr(text, "virtio devices: none\n"));
	ck_assert_ptr_null(strstr(text, "PCI"));
	ck_assert_ptr_null(strstr(text, "virtio-mmio window"));
	free(text);
}
END_TEST

/* A PCI device without MSI-X shows its INTx line; v1 MMIO says so. */
START_TEST(test_describe_variants)
{
	struct machine m = describe(256ULL << 20);
	char line[160];

	machine_layout_add_virtio(&m, "virtio-rng", NULL, MACHINE_TRANSPORT_PCI,
				  0);
	m.virtio[0].pci = (struct machine_pci_dev){.slot = 31,
						   .bar_gpa = 0xc0000000,
						   .bar_len = 0x4000,
						   .intx_gsi = 19};
	machine_layout_describe_dev(&m, 0, line, sizeof(line));
	ck_assert_str_eq(line, "virtio-rng     pci 00:1f.0  "
			       "0x0c0000000-0x0c0003fff  INTx, GSI 19");
	machine_layout_add_virtio(&m, "virtio-blk", "--disk d,version=1",
				  MACHINE_TRANSPORT_MMIO, 1);
	machine_layout_describe_dev(&m, 1, line, sizeof(line));
	ck_assert_str_eq(line, "virtio-blk     mmio v1      "
			       "0x0feb00000-0x0feb001ff  GSI 5, level  "
			       "--disk d,version=1");
	machine_layout_describe_dev(&m, 1, line, 20); /* truncates safely */
	ck_assert_uint_eq(strlen(line), 19);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("machine_layout");
	TCase *tc = tcase_create("layout");

	tcase_add_test(tc, test_fill_every_line);
	tcase_add_test(tc, test_pci_takes_no_line);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_gsi_text);
	tcase_add_test(tc, test_cmdline_words);
	tcase_add_test(tc, test_cmdline_too_long);
	tcase_add_test(tc, test_print);
	tcase_add_test(tc, test_print_no_devices);
	tcase_add_test(tc, test_describe_variants);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
