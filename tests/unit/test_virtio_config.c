/* Unit tests for config space (virtio 1.3 §2.5, generation counter) and
 * queue setup (§2.6: size, areas, enable, activation checks against guest
 * RAM and alignment, late enable, kicks before DRIVER_OK) in src/virtio.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n)	 (1ULL << (n))
#define LOW_LEN	 (4 << 20)
#define HIGH_GPA 0x100000000ULL
#define HIGH_LEN 0x10000ULL
#define ALL_OK                                                  \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

static struct guest_ram ram;
static struct echo_dev *echo;
static struct virtio_dev *vd;
static struct fake_transport ft;

static void setup(void)
{
	guest_ram_init(&ram, LOW_LEN);
	guest_ram_add_high(&ram, HIGH_GPA, HIGH_LEN);
	echo = calloc(1, sizeof(*echo));
	ck_assert_int_eq(echo_dev_init(echo, &ram.mem), 0);
	vd = &echo->vd;
	fake_transport_init(&ft, vd, &ram);
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	echo_dev_destroy(echo);
	free(echo);
	guest_ram_destroy(&ram);
}

/* ---- config space ---- */

static const struct {
	uint32_t off, len;
} bad_ranges[] = {
	{0, 0},
	{ECHO_CONFIG_LEN, 0},
	{ECHO_CONFIG_LEN, 1},
	{ECHO_CONFIG_LEN - 1, 2},
	{0, ECHO_CONFIG_LEN + 1},
	{UINT32_MAX, 1},
	{UINT32_MAX, 2},
	{1, UINT32_MAX},
	{UINT32_MAX, UINT32_MAX},
};

START_TEST(test_config_bad_ranges)
{
	uint8_t buf[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
	uint8_t before[ECHO_CONFIG_LEN];

	memcpy(before, echo->config, sizeof(before));
	ck_assert_int_eq(virtio_config_read(vd, bad_ranges[_i].off, buf,
					    bad_ranges[_i].len),
			 -EINVAL);
	ck_assert_uint_eq(buf[0], 0xee); /* untouched */
	ck_assert_int_eq(virtio_config_write(vd, bad_ranges[_i].off, buf,
					     bad_ranges[_i].len),
			 -EINVAL);
	ck_assert_int_eq(virtio_config_update(vd, bad_ranges[_i].off, buf,
					      bad_ranges[_i].len),
			 -EINVAL);
	ck_assert_mem_eq(before, echo->config, sizeof(before));
}
END_TEST

START_TEST(test_config_read_write)
{
	uint8_t all[ECHO_CONFIG_LEN], b;
	uint32_t v = 0x11223344, r = 0;

	ck_assert_int_eq(virtio_config_read(vd, 0, all, sizeof(all)), 0);
	ck_assert_mem_eq(all, echo->config, sizeof(all));
	ck_assert_int_eq(virtio_config_read(vd, ECHO_CONFIG_LEN - 1, &b, 1), 0);
	ck_assert_uint_eq(b, 0x10 + ECHO_CONFIG_LEN - 1);
	/* Bytes 8-15 are writable, 0-7 are not (the device decides). */
	ck_assert_int_eq(virtio_config_write(vd, 8, &v, 4), 0);
	ck_assert_int_eq(virtio_config_read(vd, 8, &r, 4), 0);
	ck_assert_uint_eq(r, v);
	ck_assert_int_eq(virtio_config_write(vd, 4, &v, 4), -EPERM);
	ck_assert_int_eq(virtio_config_read(vd, 4, &r, 4), 0);
	ck_assert_uint_ne(r, v);
}
END_TEST

START_TEST(test_config_read_only_device)
{
	static const struct virtio_device_ops ro_ops = {.num_queues = 1,
							.queue_max_size = 4};
	struct virtio_dev d;
	uint8_t cfg[4] = {1, 2, 3, 4}, v = 9;

	ck_assert_int_eq(virtio_dev_init(&d, &ro_ops, &ram.mem, "ro"), 0);
	d.config = cfg;
	d.config_len = sizeof(cfg);
	ck_assert_int_eq(virtio_config_write(&d, 0, &v, 1), -EPERM);
	ck_assert_uint_eq(cfg[0], 1);
	virtio_dev_destroy(&d);
}
END_TEST

START_TEST(test_config_generation)
{
	uint8_t v[2] = {0x77, 0x78};
	uint32_t g0 = virtio_config_generation(vd);

	ck_assert_uint_eq(virtio_config_generation(vd), g0);
	/* Before DRIVER_OK: changes count, but no notification. */
	ck_assert_int_eq(virtio_config_update(vd, 2, v, 2), 0);
	ck_assert_uint_eq(ft.config_irqs, 0);
	ck_assert_uint_eq(virtio_config_generation(vd), g0 + 1);
	ck_assert_uint_eq(virtio_config_generation(vd), g0 + 1);
	ck_assert_uint_eq(echo->config[2], 0x77);
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), 0);
	/* Many updates between two reads move it once: an 8-bit view of
	 * it (PCI) can never wrap back to what the driver saw. */
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(virtio_config_update(vd, 3, v, 1), 0);
	ck_assert_uint_eq(ft.config_irqs, 300);
	ck_assert_uint_eq(virtio_config_generation(vd), g0 + 2);
	/* A driver write is not a device change. */
	ck_assert_int_eq(virtio_config_write(vd, 8, v, 2), 0);
	ck_assert_uint_eq(virtio_config_generation(vd), g0 + 2);
}
END_TEST

/* ---- queue setup ---- */

START_TEST(test_queue_setup_checks)
{
	ck_assert_uint_eq(virtio_queue_max_size(vd, 0), ECHO_QUEUE_MAX);
	ck_assert_uint_eq(virtio_queue_max_size(vd, ECHO_NUM_QUEUES), 0);
	ck_assert_uint_eq(virtio_queue_max_size(vd, UINT16_MAX), 0);
	ck_assert_ptr_null(virtio_queue(vd, ECHO_NUM_QUEUES));
	ck_assert_uint_eq(virtio_queue_size(vd, 0), ECHO_QUEUE_MAX);
	ck_assert_int_eq(virtio_queue_set_size(vd, 0, 0), -EINVAL);
	ck_assert_int_eq(virtio_queue_set_size(vd, 0, ECHO_QUEUE_MAX + 1),
			 -EINVAL);
	ck_assert_int_eq(virtio_queue_set_size(vd, 5, 8), -EINVAL);
	ck_assert_int_eq(virtio_queue_set_size(vd, 0, 8), 0);
	ck_assert_uint_eq(virtio_queue_size(vd, 0), 8);
	ck_assert_int_eq(
		virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DRIVER, 0x1234), 0);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DRIVER),
			  0x1234);
	ck_assert_int_eq(virtio_queue_set_addr(vd, 9, VIRTIO_QUEUE_DRIVER, 0),
			 -EINVAL);
	ck_assert_uint_eq(virtio_queue_addr(vd, 9, VIRTIO_QUEUE_DESC), 0);
	ck_assert_int_eq(virtio_queue_enable(vd, 9), -EINVAL);
	ck_assert(!virtio_queue_enabled(vd, 9));
	/* Once enabled, the configuration is frozen. */
	ck_assert_int_eq(virtio_queue_enable(vd, 0), 0);
	ck_assert(virtio_queue_enabled(vd, 0));
	ck_assert_int_eq(virtio_queue_set_size(vd, 0, 4), -EBUSY);
	ck_assert_int_eq(virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DESC, 0),
			 -EBUSY);
	ck_assert_uint_eq(virtio_queue_size(vd, 0), 8);
}
END_TEST

/* Each row moves one area of queue 0 somewhere bad before DRIVER_OK. */
static const struct {
	const char *what;
	bool packed;
	enum virtio_queue_area area;
	uint64_t gpa;
	uint16_t size; /* 0: leave */
} bad_rings[] = {
	{"split desc misaligned", false, VIRTIO_QUEUE_DESC, 0x10008, 0},
	{"split avail odd", false, VIRTIO_QUEUE_DRIVER, 0x10001, 0},
	{"split used misaligned", false, VIRTIO_QUEUE_DEVICE, 0x10002, 0},
	{"split desc past RAM", false, VIRTIO_QUEUE_DESC, LOW_LEN - 16, 0},
	{"split used into the hole", false, VIRTIO_QUEUE_DEVICE, LOW_LEN - 64,
	 0},
	{"split avail in the hole", false, VIRTIO_QUEUE_DRIVER, 0x80000000, 0},
	{"split used across high end", false, VIRTIO_QUEUE_DEVICE,
	 HIGH_GPA + HIGH_LEN - 64, 0},
	{"split desc at top of space", false, VIRTIO_QUEUE_DESC,
	 0xfffffffffffffff0ULL, 0},
	{"split size not a power of 2", false, VIRTIO_QUEUE_DESC, 0, 100},
	{"packed desc misaligned", true, VIRTIO_QUEUE_DESC, 0x10004, 0},
	{"packed driver event misaligned", true, VIRTIO_QUEUE_DRIVER, 0x10002,
	 0},
	{"packed device event in the hole", true, VIRTIO_QUEUE_DEVICE,
	 0x80000000, 0},
	{"packed ring past RAM", true, VIRTIO_QUEUE_DESC, LOW_LEN - 256, 0},
	{"packed ring across high end", true, VIRTIO_QUEUE_DESC,
	 HIGH_GPA + HIGH_LEN - 256, 0},
};

START_TEST(test_activation_checks_rings)
{
	uint64_t f = FT_LINUX_FEATURES | (bad_rings[_i].packed ? FT_PACKED : 0);
	uint8_t s;

	ck_assert_int_eq(fake_transport_probe(&ft, f), 0);
	/* Walk the driver back to before DRIVER_OK, then break queue 0. */
	virtio_set_status(vd, 0);
	virtio_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_set_status(vd,
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	virtio_set_driver_features(vd, 0, (uint32_t)f);
	virtio_set_driver_features(vd, 1, (uint32_t)(f >> 32));
	virtio_set_status(vd, ALL_OK & ~VIRTIO_CONFIG_S_DRIVER_OK);
	for (uint16_t i = 0; i < ECHO_NUM_QUEUES; i++) {
		struct drvq *q = &ft.q[i];

		virtio_queue_set_size(vd, i, q->size);
		virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DESC, q->desc_gpa);
		virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DRIVER,
				      q->driver_gpa);
		virtio_queue_set_addr(vd, i, VIRTIO_QUEUE_DEVICE,
				      q->device_gpa);
	}
	if (bad_rings[_i].size)
		virtio_queue_set_size(vd, 0, bad_rings[_i].size);
	else
		virtio_queue_set_addr(vd, 0, bad_rings[_i].area,
				      bad_rings[_i].gpa);
	virtio_queue_enable(vd, 0);
	virtio_queue_enable(vd, 1);
	virtio_set_status(vd, ALL_OK);
	s = virtio_get_status(vd);
	ck_assert_msg(s & VIRTIO_CONFIG_S_NEEDS_RESET, "%s: accepted",
		      bad_rings[_i].what);
	ck_assert_uint_eq(ft.config_irqs, 1);
	ck_assert(!vq_live(virtio_queue(vd, 0)));
	ck_assert_uint_eq(echo->activations, 1); /* from the first probe */
}
END_TEST

START_TEST(test_packed_any_size)
{
	ft.queue_size = 100; /* not a power of 2: fine for packed */
	ck_assert_int_eq(
		fake_transport_probe(&ft, FT_LINUX_FEATURES | FT_PACKED), 0);
	ck_assert_uint_eq(virtio_queue_size(vd, 0), 100);
	ck_assert(vq_live(virtio_queue(vd, 0)));
}
END_TEST

START_TEST(test_kick_before_driver_ok)
{
	uint8_t data[4] = {1, 2, 3, 4};
	struct drvq_buf b = {guest_ram_put(&ram, data, 4), 4, false};
	struct drvq q;

	/* Queue set up and enabled but DRIVER_OK not yet written. */
	virtio_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_set_status(vd,
			  VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	virtio_set_driver_features(vd, 1, 1); /* VERSION_1 */
	virtio_set_status(vd, ALL_OK & ~VIRTIO_CONFIG_S_DRIVER_OK);
	drvq_init(&q, &ram, 0, 8, BIT(VIRTIO_F_VERSION_1));
	virtio_queue_set_size(vd, 0, 8);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DESC, q.desc_gpa);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DRIVER, q.driver_gpa);
	virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DEVICE, q.device_gpa);
	virtio_queue_enable(vd, 0);
	ck_assert_int_eq(drvq_add(&q, &b, 1, false, &q), 0);
	ck_assert_int_eq(virtio_queue_kick(vd, 0), 0);
	ck_assert_uint_eq(echo->notifies, 0);
	ck_assert_uint_eq(le16toh(q.split.used->idx), 0);
	/* Queues that do not exist: refused, nothing happens. */
	ck_assert_int_eq(virtio_queue_kick(vd, ECHO_NUM_QUEUES), -EINVAL);
	ck_assert_int_eq(virtio_queue_kick_data(vd, 0xffff), -EINVAL);
	/* DRIVER_OK: now the kick is served. */
	virtio_set_status(vd, ALL_OK);
	ck_assert_int_eq(virtio_queue_kick(vd, 0), 0);
	ck_assert_uint_eq(echo->notifies, 1);
	ck_assert_uint_eq(le16toh(q.split.used->idx), 1);
	drvq_destroy(&q);
}
END_TEST

START_TEST(test_late_enable)
{
	struct drvq q;
	uint8_t in[3] = {7, 8, 9}, *out;
	struct drvq_buf b[2] = {{guest_ram_put(&ram, in, 3), 3, false},
				{guest_ram_alloc(&ram, 3, 1), 3, true}};
	uint32_t len;
	unsigned int notifies;

	/* Probe, then reset queue 1 and bring it back after DRIVER_OK, the
	 * way MMIO drivers may set QueueReady late. */
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), 0);
	ck_assert_int_eq(virtio_queue_reset(vd, 1), 0);
	ck_assert(!virtio_queue_enabled(vd, 1));
	ck_assert_uint_eq(echo->queue_resets, 1);
	drvq_init(&q, &ram, 1, 16, vd->features);
	virtio_queue_set_size(vd, 1, 16);
	virtio_queue_set_addr(vd, 1, VIRTIO_QUEUE_DESC, q.desc_gpa);
	virtio_queue_set_addr(vd, 1, VIRTIO_QUEUE_DRIVER, q.driver_gpa);
	virtio_queue_set_addr(vd, 1, VIRTIO_QUEUE_DEVICE, q.device_gpa);
	notifies = echo->notifies;
	ck_assert_int_eq(virtio_queue_enable(vd, 1), 0);
	ck_assert(vq_live(virtio_queue(vd, 1)));
	/* The queue is handed back to the device as a kick would. */
	ck_assert_uint_eq(echo->notifies, notifies + 1);
	ck_assert_int_eq(drvq_add(&q, b, 2, false, &q), 0);
	virtio_queue_kick(vd, 1);
	ck_assert_ptr_eq(drvq_get_used(&q, &len), &q);
	ck_assert_uint_eq(len, 3);
	out = guest_ram_ptr(&ram, b[1].gpa, 3);
	ck_assert_mem_eq(out, in, 3);
	/* A late enable with a bad ring: NEEDS_RESET at once. */
	virtio_queue_reset(vd, 1);
	virtio_queue_set_addr(vd, 1, VIRTIO_QUEUE_DESC, 0x80000000);
	ck_assert_int_eq(virtio_queue_enable(vd, 1), -EFAULT);
	ck_assert(virtio_get_status(vd) & VIRTIO_CONFIG_S_NEEDS_RESET);
	drvq_destroy(&q);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("virtio_config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_config_bad_ranges, 0,
			    sizeof(bad_ranges) / sizeof(bad_ranges[0]));
	tcase_add_test(tc, test_config_read_write);
	tcase_add_test(tc, test_config_read_only_device);
	tcase_add_test(tc, test_config_generation);
	tcase_add_test(tc, test_queue_setup_checks);
	tcase_add_loop_test(tc, test_activation_checks_rings, 0,
			    sizeof(bad_rings) / sizeof(bad_rings[0]));
	tcase_add_test(tc, test_packed_any_size);
	tcase_add_test(tc, test_kick_before_driver_ok);
	tcase_add_test(tc, test_late_enable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(config_suite());
}
