/* test_dtb: the device tree built from struct machine, parsed back with
 * libfdt and checked node by node against the description (and the e820
 * map, the PCI swizzle, the layout); dtc must read it without a warning;
 * --dump-dtb's file handling. */
#include <check.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asm/e820.h>

#include "dtb.h"
#include "e820.h"
#include "layout.h"
#include "machine.h"
#include "machine_layout.h"
#include "options.h"
#include "pci.h"
#include "test_runner.h"

static struct machine describe(uint64_t mem, unsigned int cpus)
{
	struct vmm_options o = {.memory = mem, .cpus = cpus};
	struct machine m;

	machine_describe(&m, &o);
	return m;
}

static void add_pci_bus(struct machine *m)
{
	m->pci = (struct machine_pci){
		.present = 1,
		.ecam_gpa = LAYOUT_PCI_ECAM_GPA,
		.ecam_len = LAYOUT_PCI_ECAM_LEN,
		.mmio32_gpa = LAYOUT_PCI_MMIO32_GPA,
		.mmio32_len = LAYOUT_PCI_MMIO32_LEN,
		.intx_gsi_base = LAYOUT_PCI_INTX_GSI_BASE,
		.intx_gsi_count = LAYOUT_PCI_INTX_GSI_COUNT,
	};
}

/* A machine with n virtio-mmio devices, and a PCI device if pci. */
static struct machine full_machine(unsigned int cpus, unsigned int n, int pci)
{
	struct machine m = describe(5ULL << 30, cpus);

	for (unsigned int i = 0; i < n; i++)
		ck_assert_int_ge(machine_layout_add_virtio(
					 &m, "virtio-blk", NULL,
					 MACHINE_TRANSPORT_MMIO, 1 + i % 2),
				 0);
	if (pci) {
		machine_layout_add_virtio(&m, "virtio-rng", NULL,
					  MACHINE_TRANSPORT_PCI, 0);
		add_pci_bus(&m);
	}
	return m;
}

static void *build(const struct machine *m, const struct dtb_boot *boot)
{
	void *blob = NULL;
	size_t len = 0;

	ck_assert_int_eq(dtb_build(m, boot, &blob, &len), 0);
	ck_assert_int_eq(fdt_check_header(blob), 0);
	ck_assert_uint_eq(fdt_totalsize(blob), len);
	return blob;
}

/* --- Reading properties back --- */

static const fdt32_t *prop(const void *fdt, int node, const char *name,
			   int want_len)
{
	int len = -1;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	ck_assert_msg(p != NULL, "no property %s", name);
	if (want_len >= 0)
		ck_assert_int_eq(len, want_len);
	return p;
}

static uint32_t cell(const void *fdt, int node, const char *name)
{
	return fdt32_to_cpu(*prop(fdt, node, name, 4));
}

static uint64_t cells64(const fdt32_t *p)
{
	return (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
}

static void assert_str(const void *fdt, int node, const char *name,
		       const char *want)
{
	const char *p =
		(const char *)prop(fdt, node, name, (int)strlen(want) + 1);

	ck_assert_str_eq(p, want);
}

static void assert_reg(const void *fdt, int node, uint64_t gpa, uint64_t len)
{
	const fdt32_t *p = prop(fdt, node, "reg", 16);

	ck_assert_uint_eq(cells64(p), gpa);
	ck_assert_uint_eq(cells64(p + 2), len);
}

static int path(const void *fdt, const char *p)
{
	int node = fdt_path_offset(fdt, p);

	ck_assert_msg(node >= 0, "no node %s", p);
	return node;
}

/* --- The nodes --- */

START_TEST(test_root_and_ioapic)
{
	struct machine m = full_machine(1, 1, 0);
	void *fdt = build(&m, NULL);
	int root = path(fdt, "/"), ioapic, lapic;

	ck_assert_uint_eq(cell(fdt, root, "#address-cells"), 2);
	ck_assert_uint_eq(cell(fdt, root, "#size-cells"), 2);
	ioapic = fdt_node_offset_by_phandle(
		fdt, cell(fdt, root, "interrupt-parent"));
	ck_assert_int_eq(ioapic, path(fdt, "/interrupt-controller@fec00000"));
	ck_assert_int_eq(
		fdt_node_check_compatible(fdt, ioapic, "intel,ce4100-ioapic"),
		0);
	assert_reg(fdt, ioapic, LAYOUT_IOAPIC_GPA, 0x1000);
	prop(fdt, ioapic, "interrupt-controller", 0);
	ck_assert_uint_eq(cell(fdt, ioapic, "#interrupt-cells"), 2);
	lapic = path(fdt, "/interrupt-controller@fee00000");
	ck_assert_int_eq(
		fdt_node_check_compatible(fdt, lapic, "intel,ce4100-lapic"), 0);
	assert_reg(fdt, lapic, LAYOUT_LAPIC_GPA, 0x1000);
	free(fdt);
}
END_TEST

static const unsigned int cpu_counts[] = {1, 2, 16, MACHINE_MAX_CPUS};

/* cpu@i with reg i (its APIC id), and nothing else under /cpus. */
START_TEST(test_cpus)
{
	unsigned int n = cpu_counts[_i], seen = 0;
	struct machine m = full_machine(n, 0, 0);
	void *fdt = build(&m, NULL);
	int cpus = path(fdt, "/cpus"), node;
	char name[16];

	ck_assert_uint_eq(cell(fdt, cpus, "#address-cells"), 1);
	ck_assert_uint_eq(cell(fdt, cpus, "#size-cells"), 0);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		snprintf(name, sizeof(name), "cpu@%u", seen);
		ck_assert_str_eq(fdt_get_name(fdt, node, NULL), name);
		ck_assert_uint_eq(cell(fdt, node, "reg"), seen);
		assert_str(fdt, node, "device_type", "cpu");
		seen++;
	}
	ck_assert_uint_eq(seen, n);
	free(fdt);
}
END_TEST

static const uint64_t memories[] = {16ULL << 20, 512ULL << 20, 3ULL << 30,
				    (3ULL << 30) + 4096, 64ULL << 30};

/* /memory@0's reg is the e820 map's RAM, range for range. */
START_TEST(test_memory)
{
	struct machine m = describe(memories[_i], 1);
	struct boot_e820_entry e820[8];
	int n = e820_build(&m, e820, 8), nr_ram = 0, len;
	void *fdt = build(&m, NULL);
	int mem = path(fdt, "/memory@0");
	const fdt32_t *reg;
	uint64_t total = 0;

	assert_str(fdt, mem, "device_type", "memory");
	reg = fdt_getprop(fdt, mem, "reg", &len);
	ck_assert_ptr_nonnull(reg);
	for (int i = 0; i < n; i++) {
		if (e820[i].type != E820_RAM)
			continue;
		ck_assert_int_ge(len, (nr_ram + 1) * 16);
		ck_assert_uint_eq(cells64(reg + 4 * nr_ram), e820[i].addr);
		ck_assert_uint_eq(cells64(reg + 4 * nr_ram + 2), e820[i].size);
		total += e820[i].size;
		nr_ram++;
	}
	ck_assert_int_eq(len, nr_ram * 16);
	/* All RAM but the reserved BIOS area under 1 MiB. */
	ck_assert_uint_eq(total,
			  memories[_i] - (LAYOUT_KERNEL_GPA - LAYOUT_EBDA_GPA));
	free(fdt);
}
END_TEST

/* One virtio,mmio node per MMIO device, in order, with its window and
 * <gsi level-high> on the IOAPIC; PCI devices have none. */
START_TEST(test_virtio_mmio_nodes)
{
	struct machine m = full_machine(2, machine_layout_mmio_capacity(), 1);
	void *fdt = build(&m, NULL);
	unsigned int i = 0;
	char name[32];
	int node;

	for (node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	     node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		const struct machine_mmio_dev *d = &m.virtio[i].mmio;
		const fdt32_t *irq = prop(fdt, node, "interrupts", 8);

		ck_assert_uint_eq(m.virtio[i].transport,
				  MACHINE_TRANSPORT_MMIO);
		snprintf(name, sizeof(name), "virtio@%llx",
			 (unsigned long long)d->gpa);
		ck_assert_str_eq(fdt_get_name(fdt, node, NULL), name);
		assert_reg(fdt, node, d->gpa, 0x200);
		ck_assert_uint_eq(fdt32_to_cpu(irq[0]), d->gsi);
		ck_assert_uint_eq(fdt32_to_cpu(irq[1]), DTB_IRQ_LEVEL_HIGH);
		i++;
	}
	ck_assert_uint_eq(i, machine_layout_mmio_capacity());
	free(fdt);
}
END_TEST

/* The ECAM host bridge: its window, bus 0 only, the 32-bit BAR window
 * untranslated, and INTx routed as the bridge routes it. */
START_TEST(test_pci_node)
{
	struct machine m = full_machine(1, 1, 1);
	void *fdt = build(&m, NULL);
	int pci = path(fdt, "/pci@e0000000"), len;
	const fdt32_t *r, *map, *mask;

	ck_assert_int_eq(
		fdt_node_check_compatible(fdt, pci, "pci-host-ecam-generic"),
		0);
	assert_str(fdt, pci, "device_type", "pci");
	assert_reg(fdt, pci, LAYOUT_PCI_ECAM_GPA, LAYOUT_PCI_ECAM_LEN);
	r = prop(fdt, pci, "bus-range", 8);
	ck_assert_uint_eq(fdt32_to_cpu(r[0]), 0);
	ck_assert_uint_eq(fdt32_to_cpu(r[1]), 0);
	ck_assert_uint_eq(cell(fdt, pci, "#address-cells"), 3);
	ck_assert_uint_eq(cell(fdt, pci, "#size-cells"), 2);
	ck_assert_uint_eq(cell(fdt, pci, "#interrupt-cells"), 1);
	r = prop(fdt, pci, "ranges", 7 * 4);
	ck_assert_uint_eq(fdt32_to_cpu(r[0]), 0x02000000); /* 32-bit memory */
	ck_assert_uint_eq(cells64(r + 1), LAYOUT_PCI_MMIO32_GPA);
	ck_assert_uint_eq(cells64(r + 3), LAYOUT_PCI_MMIO32_GPA);
	ck_assert_uint_eq(cells64(r + 5), LAYOUT_PCI_MMIO32_LEN);
	mask = prop(fdt, pci, "interrupt-map-mask", 16);
	ck_assert_uint_eq(fdt32_to_cpu(mask[0]), 0xf800);
	ck_assert_uint_eq(fdt32_to_cpu(mask[3]), 7);
	map = fdt_getprop(fdt, pci, "interrupt-map", &len);
	ck_assert_ptr_nonnull(map);
	ck_assert_int_eq(len, DTB_PCI_INTERRUPT_MAP_LEN * 7 * 4);
	for (unsigned int i = 0; i < DTB_PCI_INTERRUPT_MAP_LEN; i++) {
		const fdt32_t *e = map + 7 * i;
		unsigned int slot = fdt32_to_cpu(e[0]) >> 11;
		unsigned int pin = fdt32_to_cpu(e[3]);

		ck_assert_uint_eq(slot, i / 4);
		ck_assert_uint_eq(pin, i % 4 + 1);
		ck_assert_uint_eq(fdt32_to_cpu(e[4]), DTB_PHANDLE_IOAPIC);
		ck_assert_uint_eq(fdt32_to_cpu(e[5]),
				  pci_intx_gsi(LAYOUT_PCI_INTX_GSI_BASE,
					       LAYOUT_PCI_INTX_GSI_COUNT, slot,
					       pin));
		ck_assert_uint_eq(fdt32_to_cpu(e[6]), DTB_IRQ_LEVEL_LOW);
	}
	free(fdt);
}
END_TEST

START_TEST(test_pci_64bit_window)
{
	struct machine m = full_machine(1, 0, 1);
	const fdt32_t *r;
	void *fdt;

	m.pci.mmio64_gpa = 0x2000000000ULL;
	m.pci.mmio64_len = LAYOUT_PCI_MMIO64_LEN;
	fdt = build(&m, NULL);
	r = prop(fdt, path(fdt, "/pci@e0000000"), "ranges", 14 * 4);
	ck_assert_uint_eq(fdt32_to_cpu(r[7]), 0x03000000); /* 64-bit */
	ck_assert_uint_eq(cells64(r + 8), 0x2000000000ULL);
	ck_assert_uint_eq(cells64(r + 12), LAYOUT_PCI_MMIO64_LEN);
	free(fdt);
}
END_TEST

START_TEST(test_no_pci_node_without_bus)
{
	struct machine m = full_machine(1, 2, 0);
	void *fdt = build(&m, NULL);

	ck_assert_int_lt(
		fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic"),
		0);
	free(fdt);
}
END_TEST

/* /chosen: bootargs and the initrd as [start, end). */
START_TEST(test_chosen)
{
	struct machine m = full_machine(1, 0, 0);
	struct dtb_boot boot = {.cmdline = "console=ttyS0 quiet",
				.initrd_gpa = 0x1f000000,
				.initrd_len = 0x123456};
	void *fdt = build(&m, &boot);
	int chosen = path(fdt, "/chosen");

	assert_str(fdt, chosen, "bootargs", "console=ttyS0 quiet");
	ck_assert_uint_eq(cells64(prop(fdt, chosen, "linux,initrd-start", 8)),
			  0x1f000000);
	ck_assert_uint_eq(cells64(prop(fdt, chosen, "linux,initrd-end", 8)),
			  0x1f123456);
	free(fdt);

	boot = (struct dtb_boot){0};
	fdt = build(&m, &boot);
	chosen = path(fdt, "/chosen");
	ck_assert_ptr_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
	ck_assert_ptr_null(
		fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
	free(fdt);
}
END_TEST

/* A tree larger than the first buffer: the build starts over bigger. */
START_TEST(test_grows)
{
	struct machine m = full_machine(MACHINE_MAX_CPUS, 9, 1);
	char *cmdline = malloc(LAYOUT_CMDLINE_MAX);
	struct dtb_boot boot = {.cmdline = cmdline};
	void *fdt;

	memset(cmdline, 'x', LAYOUT_CMDLINE_MAX - 1);
	cmdline[LAYOUT_CMDLINE_MAX - 1] = '\0';
	fdt = build(&m, &boot);
	ck_assert_uint_gt(fdt_totalsize(fdt), LAYOUT_CMDLINE_MAX);
	ck_assert_uint_eq(strlen(fdt_getprop(fdt, path(fdt, "/chosen"),
					     "bootargs", NULL)),
			  LAYOUT_CMDLINE_MAX - 1);
	free(fdt);
	free(cmdline);
}
END_TEST

START_TEST(test_bad_machine)
{
	struct machine m = full_machine(1, 0, 0);
	void *blob = NULL;
	size_t len = 0;

	m.nr_cpus = MACHINE_MAX_CPUS + 1;
	ck_assert_int_eq(dtb_build(&m, NULL, &blob, &len), -EINVAL);
	m.nr_cpus = 1;
	m.nr_virtio = MACHINE_MAX_VIRTIO + 1;
	ck_assert_int_eq(dtb_build(&m, NULL, &blob, &len), -EINVAL);
	ck_assert_ptr_null(blob);
}
END_TEST

/* --- dtc reads it back without a warning --- */

static char tmp_dir[64];

static void tmp_setup(void)
{
	strcpy(tmp_dir, "/tmp/test_dtb.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp_dir);
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", file);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

START_TEST(test_dtc_decompiles)
{
	struct machine m = full_machine(4, 3, 1);
	struct dtb_boot boot = {.cmdline = "console=hvc0"};
	struct dtb_file f;
	char file[128], cmd[512], err[256], *dts;
	int status;

	snprintf(file, sizeof(file), "%s/m.dtb", tmp_dir);
	ck_assert_int_eq(dtb_file_open(&f, file, err, sizeof(err)), 0);
	ck_assert_int_eq(dtb_file_write(&f, &m, &boot, err, sizeof(err)), 0);
	dtb_file_close(&f);
	ck_assert_msg(system("command -v dtc > /dev/null 2>&1") == 0,
		      "dtc not found: install it with 'apt-get install "
		      "device-tree-compiler'");
	snprintf(cmd, sizeof(cmd),
		 "dtc -I dtb -O dts -o '%s/m.dts' '%s' "
		 "> '%s/dtc.log' 2>&1",
		 tmp_dir, file, tmp_dir);
	status = system(cmd);
	snprintf(file, sizeof(file), "%s/dtc.log", tmp_dir);
	dts = slurp(file, NULL);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			      !strstr(dts, "Warning") && !strstr(dts, "ERROR"),
		      "dtc complains:\n%s", dts);
	free(dts);
	snprintf(file, sizeof(file), "%s/m.dts", tmp_dir);
	dts = slurp(file, NULL);
	ck_assert_ptr_nonnull(strstr(dts, "compatible = \"virtio,mmio\";"));
	ck_assert_ptr_nonnull(strstr(dts, "virtio@feb02000 {"));
	ck_assert_ptr_nonnull(strstr(dts, "bootargs = \"console=hvc0\";"));
	free(dts);
}
END_TEST

/* --- --dump-dtb's file --- */

/* The file holds exactly dtb_build's blob, replacing what was there. */
START_TEST(test_file_replaces)
{
	struct machine m = full_machine(1, 1, 0);
	struct dtb_file f;
	char file[128], err[256], *got;
	void *want;
	size_t want_len, got_len;
	FILE *old;

	snprintf(file, sizeof(file), "%s/old.dtb", tmp_dir);
	old = fopen(file, "w");
	ck_assert_ptr_nonnull(old);
	for (int i = 0; i < 10000; i++)
		fputs("old contents ", old);
	fclose(old);
	ck_assert_int_eq(dtb_file_open(&f, file, err, sizeof(err)), 0);
	ck_assert_int_eq(dtb_file_write(&f, &m, NULL, err, sizeof(err)), 0);
	dtb_file_close(&f);
	ck_assert_int_eq(dtb_build(&m, NULL, &want, &want_len), 0);
	got = slurp(file, &got_len);
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_mem_eq(got, want, want_len);
	free(got);
	free(want);
}
END_TEST

/* A file we created but never wrote (vmm failed later) is removed; one
 * that was there before is left alone. */
START_TEST(test_file_unwritten)
{
	struct dtb_file f;
	char file[128], err[256];
	struct stat st;
	FILE *old;

	snprintf(file, sizeof(file), "%s/new.dtb", tmp_dir);
	ck_assert_int_eq(dtb_file_open(&f, file, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(file, &st), 0);
	dtb_file_close(&f);
	ck_assert_int_eq(stat(file, &st), -1);

	snprintf(file, sizeof(file), "%s/keep.dtb", tmp_dir);
	old = fopen(file, "w");
	ck_assert_ptr_nonnull(old);
	fputs("keep", old);
	fclose(old);
	ck_assert_int_eq(dtb_file_open(&f, file, err, sizeof(err)), 0);
	dtb_file_close(&f);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_size, 4);
	dtb_file_close(&f); /* twice is harmless */
}
END_TEST

START_TEST(test_file_bad_paths)
{
	struct dtb_file f;
	char file[128], err[256];

	ck_assert_int_eq(dtb_file_open(&f, tmp_dir, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--dump-dtb '"));
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
	snprintf(file, sizeof(file), "%s/no/such/dir.dtb", tmp_dir);
	ck_assert_int_eq(dtb_file_open(&f, file, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	dtb_file_close(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dtb");
	TCase *nodes = tcase_create("nodes");
	TCase *files = tcase_create("files");

	tcase_add_test(nodes, test_root_and_ioapic);
	tcase_add_loop_test(nodes, test_cpus, 0,
			    sizeof(cpu_counts) / sizeof(cpu_counts[0]));
	tcase_add_loop_test(nodes, test_memory, 0,
			    sizeof(memories) / sizeof(memories[0]));
	tcase_add_test(nodes, test_virtio_mmio_nodes);
	tcase_add_test(nodes, test_pci_node);
	tcase_add_test(nodes, test_pci_64bit_window);
	tcase_add_test(nodes, test_no_pci_node_without_bus);
	tcase_add_test(nodes, test_chosen);
	tcase_add_test(nodes, test_grows);
	tcase_add_test(nodes, test_bad_machine);
	suite_add_tcase(s, nodes);

	tcase_add_unchecked_fixture(files, tmp_setup, tmp_teardown);
	tcase_set_timeout(files, 30);
	tcase_add_test(files, test_dtc_decompiles);
	tcase_add_test(files, test_file_replaces);
	tcase_add_test(files, test_file_unwritten);
	tcase_add_test(files, test_file_bad_paths);
	suite_add_tcase(s, files);
	return test_run_suite(s);
}
