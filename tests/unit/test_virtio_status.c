/* Unit tests for src/virtio/virtio.c: the device status state machine
 * (virtio 1.3 §2.1, §3.1.1), feature negotiation (§2.2, §6) and reset.
 * Table-driven: every row is a write that must be accepted or refused.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n) (1ULL << (n))
#define ACK    VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV    VIRTIO_CONFIG_S_DRIVER
#define FOK    VIRTIO_CONFIG_S_FEATURES_OK
#define DOK    VIRTIO_CONFIG_S_DRIVER_OK
#define NRS    VIRTIO_CONFIG_S_NEEDS_RESET
#define FAIL   VIRTIO_CONFIG_S_FAILED
#define V1     BIT(VIRTIO_F_VERSION_1)

static struct guest_ram ram;
static struct echo_dev *echo;
static struct virtio_dev *vd;
static struct fake_transport ft;

static void setup(void)
{
	guest_ram_init(&ram, 4 << 20);
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

/* Drives the status register to s through legal steps, with features f. */
static void reach(uint8_t s, uint64_t f)
{
	virtio_set_status(vd, 0);
	if (s & ACK)
		ck_assert_int_eq(virtio_set_status(vd, ACK), 0);
	if (s & DRV)
		ck_assert_int_eq(virtio_set_status(vd, ACK | DRV), 0);
	virtio_set_driver_features(vd, 0, (uint32_t)f);
	virtio_set_driver_features(vd, 1, (uint32_t)(f >> 32));
	if (s & FOK)
		ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK), 0);
	if (s & DOK)
		ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK | DOK),
				 0);
	if (s & FAIL)
		virtio_set_status(vd, virtio_get_status(vd) | FAIL);
	ck_assert_uint_eq(virtio_get_status(vd), s);
}

START_TEST(test_init_rejects_bad_tables)
{
	static const struct virtio_device_ops bad[] = {
		{.num_queues = 0, .queue_max_size = 8},
		{.num_queues = 1, .queue_max_size = 0},
		{.num_queues = 1, .queue_max_size = 100},
		{.num_queues = 1, .queue_max_size = 65535},
	};
	struct virtio_dev d;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(virtio_dev_init(&d, &bad[i], &ram.mem, "bad"),
				 -EINVAL);
}
END_TEST

START_TEST(test_offered_features)
{
	uint64_t f = virtio_offered_features(vd);
	static const unsigned int yes[] = {
		VIRTIO_F_VERSION_1,	 VIRTIO_RING_F_INDIRECT_DESC,
		VIRTIO_RING_F_EVENT_IDX, VIRTIO_F_RING_PACKED,
		VIRTIO_F_IN_ORDER,	 VIRTIO_F_NOTIFICATION_DATA,
		VIRTIO_F_RING_RESET,	 ECHO_F_FANCY,
		ECHO_F_NEEDS_FANCY,
	};
	static const unsigned int no[] = {
		VIRTIO_F_ACCESS_PLATFORM, /* claimed by the device: dropped */
		VIRTIO_F_ORDER_PLATFORM,
		VIRTIO_F_SR_IOV,
		VIRTIO_F_ANY_LAYOUT,
		VIRTIO_F_NOTIFY_ON_EMPTY,
		39 /* NOTIF_CONFIG_DATA */,
		41 /* ADMIN_VQ */,
		0,
	};

	for (unsigned int i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(f & BIT(yes[i]), "bit %u not offered", yes[i]);
	for (unsigned int i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!(f & BIT(no[i])), "bit %u offered", no[i]);
	ck_assert_uint_eq(virtio_device_features(vd, 0), (uint32_t)f);
	ck_assert_uint_eq(virtio_device_features(vd, 1), f >> 32);
	ck_assert_uint_eq(virtio_device_features(vd, 2), 0);
	ck_assert_uint_eq(virtio_device_features(vd, UINT32_MAX), 0);
}
END_TEST

START_TEST(test_packed_off)
{
	vd->features_off |= BIT(VIRTIO_F_RING_PACKED);
	ck_assert(!(virtio_offered_features(vd) & BIT(VIRTIO_F_RING_PACKED)));
	ck_assert(virtio_offered_features(vd) & BIT(VIRTIO_RING_F_EVENT_IDX));
	/* A driver that takes it anyway is refused. */
	ck_assert_int_eq(
		fake_transport_probe(&ft, FT_LINUX_FEATURES | FT_PACKED), 0);
	ck_assert(!virtio_has_feature(vd, VIRTIO_F_RING_PACKED));
	reach(ACK | DRV, V1 | BIT(VIRTIO_F_RING_PACKED));
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK), -ENOTSUP);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV);
}
END_TEST

START_TEST(test_legal_sequence)
{
	ck_assert_uint_eq(virtio_get_status(vd), 0);
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), 0);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | FOK | DOK);
	ck_assert_uint_eq(echo->activations, 1);
	ck_assert(virtio_has_feature(vd, VIRTIO_F_VERSION_1));
	ck_assert(virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX));
	ck_assert(!virtio_has_feature(vd, VIRTIO_F_RING_PACKED));
	ck_assert(!virtio_has_feature(vd, 200));
	ck_assert(vq_live(virtio_queue(vd, 0)) && vq_live(virtio_queue(vd, 1)));
	/* Rewriting the same value changes nothing, activates nothing. */
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK | DOK), 0);
	ck_assert_uint_eq(echo->activations, 1);
	ck_assert_uint_eq(ft.config_irqs, 0);
}
END_TEST

/* Illegal writes: status must not change. */
static const struct {
	const char *what;
	uint8_t from, write;
} illegal[] = {
	{"DRIVER without ACKNOWLEDGE", 0, DRV},
	{"FEATURES_OK without DRIVER", ACK, ACK | FOK},
	{"DRIVER_OK without FEATURES_OK", ACK | DRV, ACK | DRV | DOK},
	{"DRIVER_OK alone", 0, DOK},
	{"clear DRIVER", ACK | DRV, ACK},
	{"clear FEATURES_OK", ACK | DRV | FOK, ACK | DRV},
	{"clear DRIVER_OK", ACK | DRV | FOK | DOK, ACK | DRV | FOK},
	{"clear everything but FAILED", ACK | DRV, FAIL},
	{"unknown bit 0x20", ACK, ACK | 0x20},
	{"SUSPEND (not offered)", ACK | DRV | FOK | DOK,
	 ACK | DRV | FOK | DOK | 0x10},
	{"continue after FAILED", ACK | DRV | FAIL, ACK | DRV | FAIL | FOK},
};

START_TEST(test_illegal_transitions)
{
	uint8_t from = illegal[_i].from;

	reach(from, V1);
	ck_assert_msg(virtio_set_status(vd, illegal[_i].write) == -EINVAL,
		      "%s: accepted", illegal[_i].what);
	ck_assert_msg(virtio_get_status(vd) == from, "%s: status %#x",
		      illegal[_i].what, virtio_get_status(vd));
	ck_assert_uint_eq(echo->activations, (from & DOK) ? 1 : 0);
}
END_TEST

/* Feature subsets at FEATURES_OK. */
static const struct {
	const char *what;
	uint64_t f;
	bool ok;
} subsets[] = {
	{"VERSION_1 only", V1, true},
	{"all ring bits",
	 V1 | BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_RING_F_EVENT_IDX) |
		 BIT(VIRTIO_F_RING_PACKED) | BIT(VIRTIO_F_IN_ORDER) |
		 BIT(VIRTIO_F_NOTIFICATION_DATA) | BIT(VIRTIO_F_RING_RESET),
	 true},
	{"EVENT_IDX alone", V1 | BIT(VIRTIO_RING_F_EVENT_IDX), true},
	{"INDIRECT alone", V1 | BIT(VIRTIO_RING_F_INDIRECT_DESC), true},
	{"packed ring", V1 | BIT(VIRTIO_F_RING_PACKED), true},
	{"device bit", V1 | BIT(ECHO_F_FANCY), true},
	{"device bits with dependency",
	 V1 | BIT(ECHO_F_FANCY) | BIT(ECHO_F_NEEDS_FANCY), true},
	{"no VERSION_1", BIT(VIRTIO_RING_F_EVENT_IDX), false},
	{"nothing at all", 0, false},
	{"ACCESS_PLATFORM (not offered)", V1 | BIT(VIRTIO_F_ACCESS_PLATFORM),
	 false},
	{"bit 63 (not offered)", V1 | BIT(63), false},
	{"legacy ANY_LAYOUT", V1 | BIT(VIRTIO_F_ANY_LAYOUT), false},
	{"device dependency missing", V1 | BIT(ECHO_F_NEEDS_FANCY), false},
};

START_TEST(test_feature_subsets)
{
	int r;

	reach(ACK | DRV, subsets[_i].f);
	r = virtio_set_status(vd, ACK | DRV | FOK);
	if (subsets[_i].ok) {
		ck_assert_msg(r == 0, "%s: refused", subsets[_i].what);
		ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | FOK);
		ck_assert_uint_eq(vd->features, subsets[_i].f);
		return;
	}
	ck_assert_msg(r == -ENOTSUP, "%s: accepted", subsets[_i].what);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV);
	ck_assert_uint_eq(vd->features, 0);
	/* DRIVER_OK can then not follow. */
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK | DOK),
			 -ENOTSUP);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV);
	ck_assert_uint_eq(echo->activations, 0);
}
END_TEST

START_TEST(test_features_frozen_after_features_ok)
{
	reach(ACK | DRV | FOK, V1);
	ck_assert_int_eq(virtio_set_driver_features(vd, 0, 0xffffffff), -EBUSY);
	ck_assert_uint_eq(virtio_driver_features(vd, 0), 0);
	ck_assert_uint_eq(virtio_driver_features(vd, 1), V1 >> 32);
	ck_assert_int_eq(virtio_set_driver_features(vd, 2, 1), -EINVAL);
	ck_assert_uint_eq(vd->features, V1);
}
END_TEST

START_TEST(test_refused_then_retried)
{
	reach(ACK | DRV, BIT(VIRTIO_RING_F_EVENT_IDX));
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK), -ENOTSUP);
	virtio_set_driver_features(vd, 1, V1 >> 32);
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK), 0);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | FOK);
}
END_TEST

/* Reset from every state the driver can reach. */
static const uint8_t reset_from[] = {
	0,
	ACK,
	ACK | DRV,
	ACK | DRV | FOK,
	ACK | DRV | FOK | DOK,
	ACK | FAIL,
	ACK | DRV | FOK | DOK | FAIL,
};

static void check_pristine(void)
{
	ck_assert_uint_eq(virtio_get_status(vd), 0);
	ck_assert_uint_eq(vd->features, 0);
	ck_assert_uint_eq(vd->driver_features, 0);
	ck_assert_uint_eq(vd->queue_sel, 0);
	ck_assert_uint_eq(vd->device_features_sel, 0);
	for (uint16_t i = 0; i < vd->num_queues; i++) {
		struct virtq *vq = virtio_queue(vd, i);

		ck_assert(!vq->enabled && !vq->ready && !vq->broken);
		ck_assert_uint_eq(vq->size, ECHO_QUEUE_MAX);
		ck_assert_uint_eq(
			vq->desc_gpa | vq->driver_gpa | vq->device_gpa, 0);
		ck_assert_uint_eq(vq->last_avail | vq->used_idx, 0);
	}
}

START_TEST(test_reset_from_every_state)
{
	uint8_t s = reset_from[_i];

	if (s & DOK) {
		ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES),
				 0);
		if (s & FAIL)
			virtio_set_status(vd, virtio_get_status(vd) | FAIL);
	} else {
		reach(s, V1);
	}
	vd->queue_sel = 1;
	vd->device_features_sel = 1;
	virtio_queue_set_size(vd, 1, 8);
	echo->resets = 0;
	ck_assert_int_eq(virtio_set_status(vd, 0), 0);
	ck_assert_uint_eq(echo->resets, 1);
	check_pristine();
	/* And the device can be brought up again. */
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), 0);
}
END_TEST

START_TEST(test_reset_clears_needs_reset)
{
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), 0);
	virtio_dev_needs_reset(vd);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | FOK | DOK | NRS);
	ck_assert_uint_eq(ft.config_irqs, 1);
	virtio_dev_needs_reset(vd); /* only one notification */
	ck_assert_uint_eq(ft.config_irqs, 1);
	/* The driver cannot clear it, and rewriting status keeps it. */
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK | DOK), 0);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | FOK | DOK | NRS);
	virtio_set_status(vd, 0);
	check_pristine();
}
END_TEST

START_TEST(test_driver_cannot_set_needs_reset)
{
	reach(ACK, V1);
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | NRS), 0);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV);
}
END_TEST

START_TEST(test_needs_reset_before_driver_ok_is_silent)
{
	reach(ACK | DRV, V1);
	virtio_dev_needs_reset(vd);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | NRS);
	ck_assert_uint_eq(ft.config_irqs, 0);
}
END_TEST

START_TEST(test_activate_failure_needs_reset)
{
	echo->activate_ret = -EIO;
	ck_assert_int_eq(fake_transport_probe(&ft, FT_LINUX_FEATURES), -EIO);
	ck_assert(virtio_get_status(vd) & NRS);
	ck_assert_uint_eq(ft.config_irqs, 1);
}
END_TEST

START_TEST(test_failed_write_does_not_activate)
{
	reach(ACK | DRV | FOK, V1);
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | FOK | DOK | FAIL),
			 0);
	ck_assert_uint_eq(echo->activations, 0);
	ck_assert(!vq_live(virtio_queue(vd, 0)));
}
END_TEST

/* A legacy driver (§3.1.2) where the transport allows one (legacy_ok):
 * no VERSION_1, no FEATURES_OK; features take effect at DRIVER_OK and are
 * frozen from then on. Without legacy_ok the same sequence is refused. */
START_TEST(test_legacy_driver)
{
	uint64_t f = BIT(ECHO_F_FANCY) | BIT(VIRTIO_RING_F_EVENT_IDX);

	reach(ACK | DRV, f);
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | DOK), -EINVAL);
	vd->legacy_ok = true;
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | DOK), 0);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV | DOK);
	ck_assert_uint_eq(vd->features, f);
	ck_assert(virtio_has_feature(vd, ECHO_F_FANCY));
	ck_assert_uint_eq(echo->activations, 1);
	ck_assert_int_eq(virtio_set_driver_features(vd, 0, 0), -EBUSY);
	/* Features never offered: DRIVER_OK refused, nothing activated. */
	reach(ACK | DRV, BIT(ECHO_F_FANCY) | BIT(20));
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | DOK), -ENOTSUP);
	ck_assert_uint_eq(virtio_get_status(vd), ACK | DRV);
	/* The device's own rule still holds. */
	reach(ACK | DRV, BIT(ECHO_F_NEEDS_FANCY));
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | DOK), -ENOTSUP);
	ck_assert_uint_eq(echo->activations, 1);
	/* A legacy driver may still use FEATURES_OK, without VERSION_1. */
	reach(ACK | DRV | FOK | DOK, f);
	/* A modern driver (VERSION_1) on the same device needs FEATURES_OK. */
	reach(ACK | DRV, V1);
	ck_assert_int_eq(virtio_set_status(vd, ACK | DRV | DOK), -EINVAL);
	/* The setting survives a reset. */
	virtio_set_status(vd, 0);
	ck_assert(vd->legacy_ok);
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("virtio_status");
	TCase *tc = tcase_create("status");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_rejects_bad_tables);
	tcase_add_test(tc, test_offered_features);
	tcase_add_test(tc, test_packed_off);
	tcase_add_test(tc, test_legal_sequence);
	tcase_add_loop_test(tc, test_illegal_transitions, 0,
			    sizeof(illegal) / sizeof(illegal[0]));
	tcase_add_loop_test(tc, test_feature_subsets, 0,
			    sizeof(subsets) / sizeof(subsets[0]));
	tcase_add_test(tc, test_features_frozen_after_features_ok);
	tcase_add_test(tc, test_refused_then_retried);
	tcase_add_loop_test(tc, test_reset_from_every_state, 0,
			    sizeof(reset_from));
	tcase_add_test(tc, test_reset_clears_needs_reset);
	tcase_add_test(tc, test_driver_cannot_set_needs_reset);
	tcase_add_test(tc, test_needs_reset_before_driver_ok_is_silent);
	tcase_add_test(tc, test_activate_failure_needs_reset);
	tcase_add_test(tc, test_failed_write_does_not_activate);
	tcase_add_test(tc, test_legacy_driver);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(status_suite());
}
