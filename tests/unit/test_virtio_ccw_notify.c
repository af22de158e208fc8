/* Unit tests for virtio-ccw queues and notifications (src/bus/ccw/
 * virtio_ccw*.c, virtio 1.3 §4.3.2.2, §4.3.2.6, §4.3.3): SET_VQ with bad
 * sizes and addresses in both layouts, the legacy layout's arithmetic,
 * indicators at bad addresses and in the wrong order, the bits and
 * interruptions of both indicator styles, diagnose 0x500, and a ring the
 * core refuses at DRIVER_OK.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ccw_testbed.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n) (1ULL << (n))
#define S_ACK  VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV  VIRTIO_CONFIG_S_DRIVER
#define S_FOK  VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK  VIRTIO_CONFIG_S_DRIVER_OK
#define N(a)   (int)(sizeof(a) / sizeof((a)[0]))
#define GOOD   UINT64_MAX /* "the good address" in the tables */
#define REJECT (-EOPNOTSUPP)

static struct ccw_testbed t;

static void setup(void)
{
	ccw_testbed_init(&t);
}

static void teardown(void)
{
	ccw_testbed_destroy(&t);
}

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static int io(uint8_t cmd, void *buf, uint16_t count)
{
	return ccw_drv_io(t.dev, cmd, 0, buf, count);
}

/* Revision rev, then ACKNOWLEDGE | DRIVER | FEATURES_OK with VERSION_1
 * (and packed rings if asked). */
static void up_to_features_ok(int rev, bool packed)
{
	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, rev), 0);
	ccw_testbed_add_status(&t, S_ACK);
	ccw_testbed_add_status(&t, S_DRV);
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 1, 1 | (packed ? 4 : 0)),
			 0);
	ccw_testbed_add_status(&t, S_FOK);
}

/* ---- SET_VQ ---- */

/* Both blocks by hand: the revision-1 block, or the legacy one. */
static int set_vq_raw(int rev, uint16_t idx, uint16_t num, uint64_t desc,
		      uint64_t driver, uint64_t device, uint32_t align)
{
	uint8_t b[32] = {0};

	put_be(b, desc, 8);
	put_be(b + 12, idx, 2);
	put_be(b + 14, num, 2);
	if (!rev) {
		put_be(b + 8, align, 4);
		return io(CCW_CMD_SET_VQ, b, 16);
	}
	put_be(b + 16, driver, 8);
	put_be(b + 24, device, 8);
	return io(CCW_CMD_SET_VQ, b, 32);
}

static const struct vq_case {
	const char *what;
	int rev;
	bool packed;
	uint16_t idx, num;
	uint64_t desc, driver, device;
	uint32_t align;
	bool enable_first;
	int want;
} vq_cases[] = {
	{"good split", 2, false, 0, 16, GOOD, GOOD, GOOD, 0, false, 0},
	{"good packed, size 24", 2, true, 1, 24, GOOD, GOOD, GOOD, 0, false, 0},
	{"good legacy", 0, false, 1, 16, GOOD, 0, 0, 4096, false, 0},
	{"no such queue", 2, false, 2, 16, GOOD, GOOD, GOOD, 0, false, REJECT},
	{"queue 0xffff", 2, false, 0xffff, 16, GOOD, GOOD, GOOD, 0, false,
	 REJECT},
	{"size 0", 2, false, 0, 0, GOOD, GOOD, GOOD, 0, false, REJECT},
	{"size above max", 2, false, 0, 512, GOOD, GOOD, GOOD, 0, false,
	 REJECT},
	{"split size 24", 2, false, 0, 24, GOOD, GOOD, GOOD, 0, false, REJECT},
	{"descriptors not RAM", 2, false, 0, 16, CCW_TB_NOT_RAM, GOOD, GOOD, 0,
	 false, REJECT},
	{"avail ring not RAM", 2, false, 0, 16, GOOD, CCW_TB_NOT_RAM, GOOD, 0,
	 false, REJECT},
	{"used ring not RAM", 2, false, 0, 16, GOOD, GOOD, CCW_TB_NOT_RAM, 0,
	 false, REJECT},
	{"used ring runs off RAM", 2, false, 0, 16, GOOD, GOOD,
	 CCW_TB_RAM_LEN - 64, 0, false, REJECT},
	{"packed driver area off RAM", 2, true, 0, 16, GOOD, CCW_TB_RAM_LEN - 2,
	 GOOD, 0, false, REJECT},
	{"descriptors wrap around", 2, false, 0, 16, UINT64_MAX - 64, GOOD,
	 GOOD, 0, false, REJECT},
	{"queue enabled already", 2, false, 0, 16, GOOD, GOOD, GOOD, 0, true,
	 REJECT},
	{"legacy align 3", 0, false, 0, 16, GOOD, 0, 0, 3, false, REJECT},
	{"legacy align 2", 0, false, 0, 16, GOOD, 0, 0, 2, false, REJECT},
	{"legacy align 0", 0, false, 0, 16, GOOD, 0, 0, 0, false, REJECT},
	{"legacy wraps around", 0, false, 0, 16, UINT64_MAX - 4096, 0, 0, 4096,
	 false, REJECT},
	{"legacy not RAM", 0, false, 0, 16, CCW_TB_NOT_RAM, 0, 0, 4096, false,
	 REJECT},
	{"legacy runs off RAM", 0, false, 0, 256, CCW_TB_RAM_LEN - 4096, 0, 0,
	 4096, false, REJECT},
	{"legacy split size 24", 0, false, 0, 24, GOOD, 0, 0, 4096, false,
	 REJECT},
	{"legacy with packed rings", 0, true, 0, 16, GOOD, 0, 0, 4096, false,
	 REJECT},
};

static uint64_t pick(uint64_t v, uint64_t good)
{
	return v == GOOD ? good : v;
}

START_TEST(test_set_vq)
{
	const struct vq_case *c = &vq_cases[_i];
	uint64_t base = guest_ram_alloc(&t.ram, 16384, 4096);
	uint64_t desc = pick(c->desc, base);
	int r;

	up_to_features_ok(c->rev, c->packed);
	if (c->enable_first)
		ck_assert_int_eq(set_vq_raw(c->rev, c->idx, c->num, base,
					    base + 8192, base + 12288,
					    c->align),
				 0);
	r = set_vq_raw(c->rev, c->idx, c->num, desc,
		       pick(c->driver, base + 8192),
		       pick(c->device, base + 12288), c->align);
	ck_assert_msg(r == c->want, "%s: %d", c->what, r);
	if (c->want == REJECT)
		ck_assert_uint_eq(t.dev->sense[0], SENSE0_CMD_REJECT);
	if (c->idx < ECHO_NUM_QUEUES)
		ck_assert_int_eq(virtio_queue_enabled(&t.echo.vd, c->idx),
				 !c->want || c->enable_first);
	/* Going live checks the rings once more; good ones pass. */
	if (!c->want) {
		ccw_testbed_add_status(&t, S_DOK);
		ck_assert(!(virtio_get_status(&t.echo.vd) &
			    VIRTIO_CONFIG_S_NEEDS_RESET));
		ck_assert(virtio_queue(&t.echo.vd, c->idx)->ready);
	}
}
END_TEST

/* Legacy layout: the available ring right after the descriptors, the used
 * ring at the next multiple of align. */
START_TEST(test_legacy_layout)
{
	static const uint32_t aligns[] = {4096, 64, 4};
	uint64_t q = guest_ram_alloc(&t.ram, 8192, 4096);
	uint32_t align = aligns[_i];
	uint64_t avail_end = q + 16 * 128 + 6 + 2 * 128;

	up_to_features_ok(0, false);
	ck_assert_int_eq(set_vq_raw(0, 0, 128, q, 0, 0, align), 0);
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DESC),
			  q);
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DRIVER),
			  q + 2048);
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DEVICE),
			  (avail_end + align - 1) & ~(uint64_t)(align - 1));
	ck_assert_uint_eq(virtio_queue_size(&t.echo.vd, 0), 128);
}
END_TEST

/* desc 0 lets go of a queue (Linux del_vq), unless it is in use. */
START_TEST(test_release_queue)
{
	uint64_t base = guest_ram_alloc(&t.ram, 16384, 4096);

	up_to_features_ok(_i ? 2 : 0, false);
	ck_assert_int_eq(ccw_virtio_set_vq(&t.v, 0, 0, 0, 0, 0), 0);
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DESC),
			  0);
	ck_assert_int_eq(set_vq_raw(_i ? 2 : 0, 0, 16, base, base + 8192,
				    base + 12288, 4096),
			 0);
	ck_assert_int_eq(ccw_virtio_set_vq(&t.v, 0, 0, 0, 0, 0), REJECT);
	ck_assert(virtio_queue_enabled(&t.echo.vd, 0));
	/* After a reset it may. */
	ck_assert_int_eq(ccw_virtio_reset(&t.v), 0);
	ck_assert_int_eq(ccw_virtio_set_vq(&t.v, 0, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(test_read_vq_conf)
{
	uint16_t max;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	ck_assert_int_eq(ccw_virtio_read_vq_conf(&t.v, 1, &max), 0);
	ck_assert_uint_eq(max, ECHO_QUEUE_MAX);
	for (unsigned int q = 2; q < 0x10000; q += 0x3fff) {
		ck_assert_int_eq(
			ccw_virtio_read_vq_conf(&t.v, (uint16_t)q, &max), 0);
		ck_assert_uint_eq(max, 0); /* no such queue */
	}
}
END_TEST

/* The ring is RAM but misaligned: SET_VQ takes it, the core refuses it at
 * DRIVER_OK with DEVICE_NEEDS_RESET and a configuration change. */
START_TEST(test_needs_reset)
{
	uint64_t base = guest_ram_alloc(&t.ram, 16384, 4096);
	uint8_t status;

	up_to_features_ok(2, false);
	ck_assert_int_eq(
		set_vq_raw(2, 0, 16, base + 8, base + 8192, base + 12288, 0),
		0);
	ck_assert_int_eq(ccw_virtio_setup_indicators(&t.v, _i, 2), 0);
	ck_assert_int_eq(
		ccw_virtio_write_status(&t.v, S_ACK | S_DRV | S_FOK | S_DOK),
		0);
	ck_assert_int_eq(ccw_virtio_read_status(&t.v, &status), 0);
	ck_assert(status & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(t.configs, 1);
}
END_TEST

/* ---- Indicators (§4.3.2.6) ---- */

enum ind_step { CLASSIC, CONF, ADAPTER };

static const struct ind_case {
	const char *what;
	enum ind_step first; /* done (and accepted) first, or -1 */
	bool has_first;
	enum ind_step step;
	uint64_t a, b, bit_nr; /* classic: a; adapter: summary a, area b */
	uint8_t isc;
	int want;
} ind_cases[] = {
	{"classic", 0, false, CLASSIC, GOOD, 0, 0, 0, 0},
	{"classic, none (deregister)", 0, false, CLASSIC, 0, 0, 0, 0, 0},
	{"classic misaligned", 0, false, CLASSIC, 4, 0, 0, 0, REJECT},
	{"classic not RAM", 0, false, CLASSIC, CCW_TB_NOT_RAM, 0, 0, 0, REJECT},
	{"classic at the end of RAM", 0, false, CLASSIC, CCW_TB_RAM_LEN, 0, 0,
	 0, REJECT},
	{"config", 0, false, CONF, GOOD, 0, 0, 0, 0},
	{"config misaligned", 0, false, CONF, 2, 0, 0, 0, REJECT},
	{"config not RAM", 0, false, CONF, CCW_TB_NOT_RAM, 0, 0, 0, REJECT},
	{"adapter", 0, false, ADAPTER, GOOD, GOOD, 13, 3, 0},
	{"adapter, ISC 7", 0, false, ADAPTER, GOOD, GOOD, 0, 7, 0},
	{"adapter, ISC 8", 0, false, ADAPTER, GOOD, GOOD, 0, 8, REJECT},
	{"adapter summary not RAM", 0, false, ADAPTER, CCW_TB_NOT_RAM, GOOD, 0,
	 3, REJECT},
	{"adapter bits not RAM", 0, false, ADAPTER, GOOD, CCW_TB_NOT_RAM, 0, 3,
	 REJECT},
	{"adapter bits run off RAM", 0, false, ADAPTER, GOOD,
	 CCW_TB_RAM_LEN - 1, 7, 3, REJECT},
	{"adapter bit_nr far off", 0, false, ADAPTER, GOOD, GOOD, 1ULL << 40, 3,
	 REJECT},
	{"adapter bit_nr wraps", 0, false, ADAPTER, GOOD, GOOD, UINT64_MAX, 3,
	 REJECT},
	{"adapter bits without summary", 0, false, ADAPTER, 0, GOOD, 0, 3,
	 REJECT},
	{"adapter after classic", CLASSIC, true, ADAPTER, GOOD, GOOD, 0, 3,
	 REJECT},
	{"classic after adapter", ADAPTER, true, CLASSIC, GOOD, 0, 0, 0,
	 REJECT},
	{"config after adapter", ADAPTER, true, CONF, GOOD, 0, 0, 0, 0},
	{"classic twice", CLASSIC, true, CLASSIC, GOOD, 0, 0, 0, 0},
};

static int ind_step(enum ind_step step, uint64_t a, uint64_t b, uint64_t bit_nr,
		    uint8_t isc)
{
	uint64_t good = guest_ram_alloc(&t.ram, 64, 64);
	uint8_t buf[25] = {0};

	put_be(buf, pick(a, good), 8);
	if (step == CLASSIC)
		return io(CCW_CMD_SET_IND, buf, 8);
	if (step == CONF)
		return io(CCW_CMD_SET_CONF_IND, buf, 8);
	put_be(buf + 8, pick(b, good + 8), 8);
	put_be(buf + 16, bit_nr, 8);
	buf[24] = isc;
	return io(CCW_CMD_SET_IND_ADAPTER, buf, 25);
}

START_TEST(test_indicator_setup)
{
	const struct ind_case *c = &ind_cases[_i];
	int r;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	if (c->has_first)
		ck_assert_int_eq(ind_step(c->first, GOOD, GOOD, 0, 3), 0);
	r = ind_step(c->step, c->a, c->b, c->bit_nr, c->isc);
	ck_assert_msg(r == c->want, "%s: %d", c->what, r);
	/* A reset forgets the indicators: the other style is fine then. */
	ck_assert_int_eq(ccw_virtio_reset(&t.v), 0);
	ck_assert_int_eq(ind_step(c->step == ADAPTER ? CLASSIC : ADAPTER, GOOD,
				  GOOD, 0, 3),
			 0);
}
END_TEST

/* Classic: queue i is bit i of a big-endian doubleword; the device knocks
 * with unsolicited status, once while that stays pending. */
START_TEST(test_classic_bits)
{
	uint8_t *ind, *conf, cfg = 1;
	unsigned int io_irqs;
	uint32_t w1, ctrl;

	ccw_testbed_probe(&t, 2, FT_LINUX_FEATURES, false);
	ind = guest_ram_ptr(&t.ram, t.v.ind_gpa, 8);
	conf = guest_ram_ptr(&t.ram, t.v.conf_ind_gpa, 8);
	io_irqs = t.drv.nr_io_irqs;
	ccw_drv_irqs_on(&t.drv, false);
	ccw_testbed_echo(&t, 1, 8);
	ck_assert_mem_eq(ind, "\0\0\0\0\0\0\0\x02", 8);
	ccw_testbed_echo(&t, 0, 8);
	ck_assert_mem_eq(ind, "\0\0\0\0\0\0\0\x03", 8);
	ck_assert_int_eq(virtio_config_update(&t.echo.vd, 8, &cfg, 1), 0);
	ck_assert_mem_eq(conf, "\0\0\0\0\0\0\0\x01", 8);
	ck_assert_int_eq(ccw_drv_stsch(t.dev, &w1, &ctrl), 0);
	ck_assert_uint_eq(ctrl, SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
	ck_assert_uint_eq(t.used[0] + t.used[1] + t.configs, 0);
	/* The handler takes one interruption and every bit with it. */
	ccw_drv_irqs_on(&t.drv, true);
	ccw_drv_handle_irqs(&t.drv);
	ck_assert_uint_eq(t.drv.nr_io_irqs, io_irqs + 1);
	ck_assert_uint_eq(t.used[0], 1);
	ck_assert_uint_eq(t.used[1], 1);
	ck_assert_uint_eq(t.configs, 1);
	ck_assert_mem_eq(ind, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_mem_eq(conf, "\0\0\0\0\0\0\0\0", 8);
}
END_TEST

#define AIRQ_FIRST 13

/* Adapter: bits from the left at bit_nr, a summary byte set to 1, and an
 * adapter interruption only when the summary was clear. */
START_TEST(test_adapter_bits)
{
	uint8_t *area = guest_ram_ptr(&t.ram, t.drv.airq_area, 4);
	uint8_t *summary = guest_ram_ptr(&t.ram, t.drv.airq_summary, 1);
	unsigned int airqs;

	ck_assert_int_eq(ccw_drv_airq_alloc(&t.drv, AIRQ_FIRST), 0);
	ccw_testbed_probe(&t, 2, FT_LINUX_FEATURES, true);
	ck_assert_uint_eq(t.dev->airq_first, AIRQ_FIRST);
	airqs = t.drv.nr_adapter_irqs;
	ccw_drv_irqs_on(&t.drv, false);
	ccw_testbed_echo(&t, 1, 8); /* bit 14: byte 1, 0x80 >> 6 */
	ck_assert_mem_eq(area, "\0\x02\0\0", 4);
	ck_assert_uint_eq(*summary, 1);
	ccw_testbed_echo(&t, 0, 8); /* bit 13 */
	ck_assert_mem_eq(area, "\0\x06\0\0", 4);
	ck_assert_uint_eq(t.used[0] + t.used[1], 0);
	/* One adapter interruption for both: the summary was set. */
	ccw_drv_irqs_on(&t.drv, true);
	ccw_drv_handle_irqs(&t.drv);
	ck_assert_uint_eq(t.drv.nr_adapter_irqs, airqs + 1);
	ck_assert_uint_eq(t.used[0], 1);
	ck_assert_uint_eq(t.used[1], 1);
	ck_assert_uint_eq(*summary, 0);
	ck_assert_mem_eq(area, "\0\0\0\0", 4);
	ck_assert_uint_eq(t.dev->nr_unsolicited, 0);
	ck_assert_int_eq(ccw_drv_airq_alloc(&t.drv, 0), AIRQ_FIRST + 2);
}
END_TEST

/* ---- Diagnose 0x500 (§4.3.3.2) ---- */

static enum css_status other_cmd(void *priv, struct css_cmd *cmd)
{
	return CSS_REJECT;
}

static const struct css_dev_ops other_ops = {.command = other_cmd};

START_TEST(test_notify)
{
	struct css_dev_id id = {.devno = 0x9999};
	uint32_t schid = t.dev->schid, other;
	bool data = _i;
	uint64_t want = FT_LINUX_FEATURES;

	if (!data)
		want &= ~BIT(VIRTIO_F_NOTIFICATION_DATA);
	ck_assert_int_eq(css_add(t.css, &id, &other_ops, NULL, &other), 0);
	/* Before DRIVER_OK a notification is accepted and ignored. */
	ck_assert_int_eq(virtio_ccw_notify(t.css, schid, 0, 0), 0);
	ck_assert_uint_eq(t.echo.notifies, 0);
	ccw_testbed_probe(&t, 2, want, false);
	ck_assert_int_eq(virtio_ccw_notify(t.css, 0x00010077, 0, 0), -EINVAL);
	ck_assert_int_eq(virtio_ccw_notify(t.css, other, 0, 0), -EINVAL);
	ck_assert_int_eq(virtio_ccw_notify(t.css, 0x12345, 0, 0), -EINVAL);
	ck_assert_int_eq(virtio_ccw_notify(t.css, schid, 2, 0), -EINVAL);
	ck_assert_int_eq(virtio_ccw_notify(t.css, schid, 0xffff, 0), -EINVAL);
	/* Bits above the index: notification data, or garbage. */
	ck_assert_int_eq(virtio_ccw_notify(t.css, schid, 0x80050001, 7),
			 data ? 0 : -EINVAL);
	ck_assert_int_eq(virtio_ccw_notify(t.css, schid, 1ULL << 32, 0),
			 -EINVAL);
	/* The leftmost 32 bits of GPR 2 do not matter; the cookie is the
	 * subchannel number. */
	ck_assert_int_eq(
		virtio_ccw_notify(t.css, 0xdeadbeef00000000ULL | schid, 1, -1),
		schid & 0xffff);
	ck_assert_uint_eq(ccw_testbed_echo(&t, 1, 32), 32);
	ck_assert_int_eq(t.v.cookie[1], schid & 0xffff);
	if (data)
		ck_assert_uint_eq(virtio_queue(&t.echo.vd, 1)->kick_next,
				  drvq_notify_value(&t.q[1]) >> 16);
	css_remove(t.css, other);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("virtio_ccw_notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_set_vq, 0, N(vq_cases));
	tcase_add_loop_test(tc, test_legacy_layout, 0, 3);
	tcase_add_loop_test(tc, test_release_queue, 0, 2);
	tcase_add_test(tc, test_read_vq_conf);
	tcase_add_loop_test(tc, test_needs_reset, 0, 2);
	tcase_add_loop_test(tc, test_indicator_setup, 0, N(ind_cases));
	tcase_add_test(tc, test_classic_bits);
	tcase_add_test(tc, test_adapter_bits);
	tcase_add_loop_test(tc, test_notify, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(notify_suite());
}
