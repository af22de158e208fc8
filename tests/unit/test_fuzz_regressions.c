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
#include "drvq.h"
#include "echo_dev.h"
#include "fake_vm.h"
#include "guest_ram.h"
#include "kvm_msi.h"
#include "machine.h"
#include "options.h"
#include "pci.h"
#include "test_runner.h"
#include "virtio_pci.h"

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

/* ---- fuzz_virtio_blk (its teardown) ---- */

/* fuzz_virtio_blk, whose first teardown detached the transport without a
 * reset, as device_table_destroy_virtio() does with virtio_pci_remove():
 * an I/O thread still finishing a request then called vq_flush ->
 * notify_used into the freed transport (UBSan: member access through
 * NULL there; with the PCI transport a use after free). Fixed:
 * virtio_pci_remove() resets the device (its ops->reset stops the queue
 * threads) and detaches it before freeing the transport. Here the echo
 * device's parked request plays the I/O thread that is still busy. */
START_TEST(pci_remove_with_request_in_flight)
{
	static const struct pci_host_config cfg = {
		.ecam_gpa = 0xe0000000,
		.ecam_len = PCI_ECAM_BUS0_LEN,
		.mmio32_gpa = 0xc0000000,
		.mmio32_len = 0x20000000,
		.intx_gsi_base = 16,
		.intx_gsi_count = 8,
	};
	static struct fake_vm f;
	static struct kvm_msi_table msi;
	static struct pci_host h;
	static struct guest_ram ram;
	static struct echo_dev echo;
	uint64_t want = 1ULL << VIRTIO_F_VERSION_1;
	struct virtio_dev *vd = &echo.vd;
	struct virtio_pci *vp;
	struct drvq q;
	uint64_t buf;
	int token;

	fake_vm_init(&f, 0);
	ck_assert_int_eq(kvm_msi_init(&msi, &f.vm), 0);
	ck_assert_int_eq(pci_host_init(&h, &f.vm, &msi, &cfg), 0);
	guest_ram_init(&ram, 1 << 20);
	ck_assert_int_eq(echo_dev_init(&echo, &ram.mem), 0);
	ck_assert_int_eq(virtio_pci_add(&h, vd, &vp), 1);
	/* The driver's bring-up, straight in virtio words. */
	virtio_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_set_status(vd,
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	virtio_set_driver_features(vd, 1, (uint32_t)(want >> 32));
	virtio_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				      VIRTIO_CONFIG_S_DRIVER |
				      VIRTIO_CONFIG_S_FEATURES_OK);
	drvq_init(&q, &ram, 0, 8, want);
	virtio_queue_set_size(vd, 0, 8);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DESC, q.desc_gpa);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DRIVER, q.driver_gpa);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DEVICE, q.device_gpa);
	virtio_queue_enable(vd, 0);
	virtio_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				      VIRTIO_CONFIG_S_DRIVER |
				      VIRTIO_CONFIG_S_FEATURES_OK |
				      VIRTIO_CONFIG_S_DRIVER_OK);
	/* One request, taken by the device and not yet answered. */
	echo.hold = true;
	buf = guest_ram_alloc(&ram, 64, 16);
	ck_assert_int_eq(drvq_add(&q, &(struct drvq_buf){buf, 64, true}, 1,
				  false, &token),
			 0);
	virtio_queue_kick(vd, 0);
	ck_assert_uint_eq(echo.nr_held, 1);
	/* The VMM's teardown order (device_table_destroy_virtio). */
	pci_host_destroy(&h);
	virtio_pci_remove(vp);
	ck_assert_ptr_null(vd->transport);
	ck_assert(!vq_live(virtio_queue(vd, 0)));
	/* The "I/O thread" finishes its request (the reset made it stale):
	 * nothing may reach the old transport. */
	vq_push(virtio_queue(vd, 0), &echo.held[0], 64);
	vq_flush(virtio_queue(vd, 0));
	drvq_destroy(&q);
	echo_dev_destroy(&echo);
	guest_ram_destroy(&ram);
	kvm_msi_destroy(&msi);
	fake_vm_destroy(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz_regressions");
	TCase *tc = tcase_create("fuzz_regressions");

	tcase_add_test(tc, boot_pref_address_wraps);
	tcase_add_test(tc, pci_remove_with_request_in_flight);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
