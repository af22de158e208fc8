/* test_fuzz_regressions: what the fuzz targets found, as unit tests.
 *
 * Each test replays the essence of one crash input of tests/fuzz (see
 * docs/fuzzing.md), names the target that found it and the fix, and
 * asserts the outcome the fixed code must give. They run in the normal
 * unit suite (gcc, no libFuzzer), so a fix cannot quietly regress.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot_linux.h"
#include "machine.h"
#include "options.h"
#include "test_runner.h"

/* ---- fuzz_boot_linux ---- */

#define WRAP_IMAGE_LEN (1024 + 512)

/* One setup sector and 512 bytes of "kernel"; the header says init_size
 * 8 MiB and a pref_address near the top of the 64-bit space. */
static uint8_t *wrapping_bzimage(void)
{
	static uint8_t image[WRAP_IMAGE_LEN];
	struct setup_header *h = (struct setup_header *)(image + 0x1f1);

	h->setup_sects = 1;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb;
	h->header = 0x53726448;
	h->version = 0x020f;
	h->xloadflags = XLF_KERNEL_64;
	h->init_size = 0x800001;
	h->pref_address = 0xffffffffffffff00ULL;
	return image;
}

static void write_temp(char *path, const void *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/test_fuzz_regressions.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* fuzz_boot_linux: pref_address + init_size wrapped round in kernel_end(),
 * so boot_linux_open() took the kernel for one ending below 8 MiB that
 * fits any RAM, and boot_linux_place_initrd() could put the initrd over
 * the memory the kernel decompresses into. Fixed: kernel_end() saturates. */
START_TEST(boot_pref_address_wraps)
{
	struct vmm_options o = {.memory = 6ULL << 30, .cpus = 1};
	const uint8_t *image = wrapping_bzimage();
	struct boot_linux_image img;
	struct bzimage_info info;
	struct machine m;
	char path[64], err[256] = "";
	const char *why;
	uint64_t gpa;

	machine_describe(&m, &o);
	write_temp(path, image, WRAP_IMAGE_LEN);
	ck_assert_int_eq(
		boot_linux_open(&img, &m, path, NULL, err, sizeof(err)), -1);
	unlink(path);
	ck_assert_msg(strstr(err, "guest memory"), "%s", err);
	ck_assert_int_eq(boot_linux_parse(image, WRAP_IMAGE_LEN, &info, &why),
			 0);
	ck_assert_int_eq(boot_linux_place_initrd(&info, &m, 1 << 20, &gpa), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_regressions");
	TCase *tc = tcase_create("fuzz_regressions");

	tcase_add_test(tc, boot_pref_address_wraps);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
