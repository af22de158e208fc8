/* Unit tests for src/vmm/boot_linux.c: bzImage header checks, initrd
 * placement and the zero page, on synthetic images built here. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "boot_linux.h"
#include "layout.h"
#include "options.h"
#include "test_runner.h"

#define IMAGE_LEN (64 * 1024)

static uint8_t image[IMAGE_LEN];

/* A minimal valid bzImage: protocol 2.15, 64-bit entry, 4 setup sectors. */
static struct setup_header *make_image(void)
{
	struct setup_header *h = (struct setup_header *)(image + 0x1f1);

	memset(image, 0, sizeof(image));
	h->setup_sects = 4;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb; /* jmp +0x6a: header ends at 0x202 + 0x6a */
	h->header = 0x53726448;
	h->version = 0x020f;
	h->xloadflags = XLF_KERNEL_64;
	h->init_size = 32 << 20;
	h->initrd_addr_max = 0x7fffffff;
	h->cmdline_size = 2047;
	h->pref_address = 16 << 20;
	h->kernel_alignment = 2 << 20;
	return h;
}

static struct machine machine_with(uint64_t mem)
{
	struct vmm_options o = {.memory = mem, .cpus = 1};
	struct machine m;

	machine_describe(&m, &o);
	return m;
}

START_TEST(test_valid_image)
{
	struct bzimage_info info;
	const char *why = NULL;

	make_image();
	ck_assert_int_eq(boot_linux_parse(image, IMAGE_LEN, &info, &why), 0);
	ck_assert_uint_eq(info.setup_len, 5 * 512);
	ck_assert_uint_eq(info.kernel_len, IMAGE_LEN - 5 * 512);
	ck_assert_uint_eq(info.version, 0x020f);
	make_image()->setup_sects = 0; /* means 4, by the protocol */
	ck_assert_int_eq(boot_linux_parse(image, IMAGE_LEN, &info, &why), 0);
	ck_assert_uint_eq(info.setup_len, 5 * 512);
}
END_TEST

enum corruption { SHORT, MAGIC, BOOT_FLAG, OLD, NO_64, SETUP_PAST_END };
static const struct {
	enum corruption how;
	const char *why_contains;
} bad_images[] = {
	{SHORT, "too small"},
	{MAGIC, "not a bzImage"},
	{BOOT_FLAG, "not a bzImage"},
	{OLD, "older than 2.10"},
	{NO_64, "64-bit"},
	{SETUP_PAST_END, "past the end"},
};

START_TEST(test_bad_images)
{
	struct setup_header *h = make_image();
	struct bzimage_info info;
	size_t len = IMAGE_LEN;
	const char *why = "";

	switch (bad_images[_i].how) {
	case SHORT:
		len = 0x200;
		break;
	case MAGIC:
		h->header = 0x12345678;
		break;
	case BOOT_FLAG:
		h->boot_flag = 0;
		break;
	case OLD:
		h->version = 0x0209;
		break;
	case NO_64:
		h->xloadflags = 0;
		break;
	case SETUP_PAST_END:
		h->setup_sects = 255;
		len = 100 * 512;
		break;
	}
	ck_assert_int_eq(boot_linux_parse(image, len, &info, &why), -1);
	ck_assert_msg(strstr(why, bad_images[_i].why_contains), "%s", why);
}
END_TEST

START_TEST(test_initrd_placement)
{
	struct machine m = machine_with(512ULL << 20);
	struct bzimage_info info;
	const char *why;
	uint64_t gpa;

	make_image();
	ck_assert_int_eq(boot_linux_parse(image, IMAGE_LEN, &info, &why), 0);
	/* high in RAM, page aligned, above the kernel's 16M + 32M */
	ck_assert_int_eq(boot_linux_place_initrd(&info, &m, 10000, &gpa), 0);
	ck_assert_uint_eq(gpa % 4096, 0);
	ck_assert_uint_le(gpa + 10000, m.low_ram_end);
	ck_assert_uint_ge(gpa, (512ULL << 20) - 16384);
	/* too big: would overlap the decompressed kernel */
	ck_assert_int_eq(boot_linux_place_initrd(&info, &m, 500ULL << 20, &gpa),
			 -1);
	ck_assert_int_eq(boot_linux_place_initrd(&info, &m, UINT64_MAX, &gpa),
			 -1);
	/* initrd_addr_max below the end of RAM caps the address */
	m = machine_with(4ULL << 30);
	ck_assert_int_eq(boot_linux_place_initrd(&info, &m, 1 << 20, &gpa), 0);
	ck_assert_uint_le(gpa + (1 << 20), 0x80000000ULL);
}
END_TEST

START_TEST(test_zero_page)
{
	struct machine m = machine_with(4ULL << 30);
	struct boot_params *bp = malloc(sizeof(*bp));
	struct bzimage_info info;
	const char *why;

	make_image();
	image[0x201] = 0x10; /* a short header: only up to 0x212 is copied */
	((struct setup_header *)(image + 0x1f1))->pref_address = 0x1234;
	ck_assert_int_eq(boot_linux_parse(image, IMAGE_LEN, &info, &why), 0);
	ck_assert_int_eq(boot_linux_fill_params(bp, image, &info, &m, 0x7000000,
						12345, 0xe0000),
			 0);
	ck_assert_uint_eq(bp->hdr.version, 0x020f);
	ck_assert_uint_eq(bp->hdr.pref_address, 0); /* beyond the header */
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE_GPA);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, 0x7000000);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, 12345);
	ck_assert_uint_eq(bp->acpi_rsdp_addr, 0xe0000);
	ck_assert_uint_eq(bp->e820_entries, 4);
	ck_assert_uint_eq(bp->e820_table[3].addr, LAYOUT_HIGH_RAM_GPA);
	ck_assert_uint_eq(bp->e820_table[3].size, 1ULL << 30);
	free(bp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("boot_linux");
	TCase *tc = tcase_create("boot_linux");

	tcase_add_test(tc, test_valid_image);
	tcase_add_loop_test(tc, test_bad_images, 0,
			    sizeof(bad_images) / sizeof(bad_images[0]));
	tcase_add_test(tc, test_initrd_placement);
	tcase_add_test(tc, test_zero_page);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
