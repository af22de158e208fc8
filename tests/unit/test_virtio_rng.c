/* Unit tests for virtio-rng (src/devices/virtio_rng.c, virtio 1.3 §5.4):
 * buffers come back filled, with the right used lengths; the rate limit
 * holds by byte count; resets stop the device thread. Every test runs on
 * every bus of ft_buses (core, PCI, MMIO) and on split and packed rings,
 * the loop index _i encoding all three (FT_LOOPS).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_transport.h"
#include "test_runner.h"
#include "virtio_rng.h"

#define WAIT_NS (5LL * 1000000000LL)

static struct guest_ram ram;
static struct fake_transport ft;
static struct virtio_rng *rng;
static struct virtio_dev *vd;

static void setup(void)
{
	guest_ram_init(&ram, 16 << 20);
	rng = NULL;
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	virtio_rng_destroy(rng);
	guest_ram_destroy(&ram);
}

static uint64_t ring_bits(int i)
{
	return FT_LINUX_FEATURES | (ft_loop_packed(i) ? FT_PACKED : 0);
}

static void bring_up(const struct virtio_rng_options *o, int i)
{
	ck_assert_int_eq(virtio_rng_create(o, &ram.mem, &rng), 0);
	vd = virtio_rng_vdev(rng);
	fake_transport_init_loop(&ft, vd, &ram, i);
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(i)), 0);
	ck_assert_int_eq(virtio_has_feature(vd, VIRTIO_F_RING_PACKED),
			 ft_loop_packed(i));
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *wait_used(uint32_t *len)
{
	void *tok = fake_transport_wait_used(&ft, 0, len, WAIT_NS);

	ck_assert_msg(tok, "no completion");
	return tok;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static const struct fill_case {
	uint32_t len[3]; /* segments of one buffer; 0 ends */
	bool indirect;
	uint32_t want; /* used length */
} fill_cases[] = {
	{{64}, false, 64},
	{{1}, false, 1},
	{{4096}, true, 4096},
	{{100, 28, 900}, false, 1028},
	{{100, 28, 900}, true, 1028},
	{{65536, 4096}, false, VIRTIO_RNG_MAX_REQ}, /* capped per request */
};

START_TEST(test_fill)
{
	const struct fill_case *c = &fill_cases[ft_loop_case(_i)];
	struct virtio_rng_options o = {0};
	struct drvq_buf b[3];
	unsigned int n = 0;
	uint32_t total = 0, used;
	uint8_t *p;
	int tok[2];

	bring_up(&o, _i);
	for (; n < 3 && c->len[n]; n++) {
		b[n] = (struct drvq_buf){guest_ram_alloc(&ram, c->len[n], 8),
					 c->len[n], true};
		total += c->len[n];
	}
	/* Contiguous allocations: one host pointer covers all segments. */
	p = guest_ram_ptr(&ram, b[0].gpa, total);
	for (int k = 0; k < 2; k++) {
		memset(p, 0, total);
		ck_assert_int_eq(
			fake_transport_send(&ft, 0, b, n, c->indirect, &tok[k]),
			0);
		ck_assert_ptr_eq(wait_used(&used), &tok[k]);
		ck_assert_uint_eq(used, c->want);
		/* 16 random bytes are all zero with probability 2^-128. */
		ck_assert(!all_zero(p + used - (used < 16 ? used : 16),
				    used < 16 ? used : 16) ||
			  used < 16);
		if (used < total)
			ck_assert(all_zero(p + used, total - used));
	}
}
END_TEST

/* Two fills of one buffer differ: the bytes are not a constant. */
START_TEST(test_bytes_differ)
{
	struct virtio_rng_options o = {0};
	uint8_t first[256];
	uint64_t gpa = guest_ram_alloc(&ram, 256, 8);
	struct drvq_buf b = {gpa, 256, true};
	uint32_t used;
	int tok;

	bring_up(&o, _i);
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &tok), 0);
	wait_used(&used);
	memcpy(first, guest_ram_ptr(&ram, gpa, 256), 256);
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &tok), 0);
	wait_used(&used);
	ck_assert_uint_eq(used, 256);
	ck_assert(memcmp(first, guest_ram_ptr(&ram, gpa, 256), 256) != 0);
}
END_TEST

/* A driver bug (§5.4.6.1): a device-readable buffer gets 0 bytes. */
START_TEST(test_readable_buffer)
{
	struct virtio_rng_options o = {0};
	uint64_t gpa = guest_ram_alloc(&ram, 64, 8);
	struct drvq_buf b[2] = {{gpa, 32, false}, {gpa + 32, 32, true}};
	uint32_t used;
	int tok[2];

	bring_up(&o, _i);
	ck_assert_int_eq(fake_transport_send(&ft, 0, b, 1, false, &tok[0]), 0);
	ck_assert_ptr_eq(wait_used(&used), &tok[0]);
	ck_assert_uint_eq(used, 0);
	ck_assert(all_zero(guest_ram_ptr(&ram, gpa, 32), 32));
	/* Mixed: only the writable part is filled. */
	ck_assert_int_eq(fake_transport_send(&ft, 0, b, 2, false, &tok[1]), 0);
	ck_assert_ptr_eq(wait_used(&used), &tok[1]);
	ck_assert_uint_eq(used, 32);
	ck_assert(all_zero(guest_ram_ptr(&ram, gpa, 32), 32));
}
END_TEST

#define NBUF 16

/* The bucket starts full (burst), then refills at bytes_per_sec: at no
 * point may the guest hold more than burst + rate * elapsed bytes. */
START_TEST(test_rate_limit)
{
	struct virtio_rng_options o = {.bytes_per_sec = 2048, .burst = 512};
	static int tok[NBUF];
	uint64_t total = 0, limit;
	long long start;
	uint32_t used;
	unsigned int got = 0;

	bring_up(&o, _i);
	start = now_ns();
	for (unsigned int k = 0; k < NBUF; k++) {
		struct drvq_buf b = {guest_ram_alloc(&ram, 256, 8), 256, true};

		ck_assert_int_eq(drvq_add(&ft.q[0], &b, 1, false, &tok[k]), 0);
	}
	fake_transport_kick(&ft, 0);
	while (got < NBUF) {
		ck_assert_msg(now_ns() - start < 2 * WAIT_NS, "stalled");
		if (!drvq_get_used(&ft.q[0], &used)) {
			usleep(1000);
			continue;
		}
		got++;
		ck_assert_uint_ge(used, 1);
		ck_assert_uint_le(used, 256);
		total += used;
		limit = 512 + 2048 * (uint64_t)(now_ns() - start) / 1000000000;
		ck_assert_msg(total <= limit, "%llu bytes, limit %llu",
			      (unsigned long long)total,
			      (unsigned long long)limit);
	}
	/* Throttled buffers may come back partly filled (§5.4.6.2). */
	ck_assert_uint_le(total, NBUF * 256);
	ck_assert_uint_gt(total, 512);
}
END_TEST

/* A reset while the thread sleeps on an empty bucket returns at once and
 * the buffer stays unused; after a new probe the device serves again. */
START_TEST(test_reset_while_throttled)
{
	struct virtio_rng_options o = {.bytes_per_sec = 1, .burst = 4};
	uint64_t gpa = guest_ram_alloc(&ram, 64, 8);
	struct drvq_buf b = {gpa, 64, true};
	uint32_t used;
	long long t0;
	int tok[3];

	bring_up(&o, _i);
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &tok[0]), 0);
	ck_assert_ptr_eq(wait_used(&used), &tok[0]);
	ck_assert_uint_eq(used, 4); /* the burst, no more */
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &tok[1]), 0);
	usleep(20000);
	ck_assert_ptr_null(drvq_get_used(&ft.q[0], &used));
	t0 = now_ns();
	if (ft_loop_case(_i) == 1)
		ck_assert_int_eq(fake_transport_queue_reset(&ft, 0), 0);
	else
		fake_transport_set_status(&ft, 0);
	ck_assert_int_lt(now_ns() - t0, 500000000LL);
	ck_assert_ptr_null(drvq_get_used(&ft.q[0], &used));
	ck_assert_int_eq(fake_transport_probe(&ft, ring_bits(_i)), 0);
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &tok[2]), 0);
	ck_assert_ptr_eq(wait_used(&used), &tok[2]);
	ck_assert_uint_ge(used, 1);
}
END_TEST

START_TEST(test_packed_off)
{
	struct virtio_rng_options o = {.packed_off = true};

	ck_assert_int_eq(virtio_rng_create(&o, &ram.mem, &rng), 0);
	vd = virtio_rng_vdev(rng);
	fake_transport_init_loop(&ft, vd, &ram, _i);
	ck_assert_int_eq(
		fake_transport_probe(&ft, FT_LINUX_FEATURES | FT_PACKED), 0);
	ck_assert(!virtio_has_feature(vd, VIRTIO_F_RING_PACKED));
	ck_assert_uint_eq(ft.features & FT_PACKED, 0);
	/* §5.4.3: no device feature bits (0-23), as the driver reads them. */
	ck_assert_uint_eq(ft.bus->device_features(&ft, 0) & 0xffffff, 0);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *rng_suite(void)
{
	Suite *s = suite_create("virtio_rng");
	TCase *tc = tcase_create("rng");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_fill, 0, FT_LOOPS(N(fill_cases)));
	tcase_add_loop_test(tc, test_bytes_differ, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_readable_buffer, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_rate_limit, 0, FT_LOOPS(1));
	tcase_add_loop_test(tc, test_reset_while_throttled, 0, FT_LOOPS(2));
	tcase_add_loop_test(tc, test_packed_off, 0, FT_LOOPS(1));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(rng_suite());
}
