/* Unit tests for notifications in src/virtio: used buffer notification
 * suppression (virtio 1.3 §2.7.7 split flags and used_event, §2.8.10 packed
 * driver event suppression), available buffer notification suppression
 * (§2.7.10, §2.8.10 device side), NOTIFICATION_DATA (§2.9) and RING_RESET
 * (§2.6.1). Each test runs on both formats (_i & 1: packed).
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n)	   (1ULL << (n))
#define V1	   BIT(VIRTIO_F_VERSION_1)
#define EVENT_IDX  BIT(VIRTIO_RING_F_EVENT_IDX)
#define EVENT_WRAP (1 << VRING_PACKED_EVENT_F_WRAP_CTR)

static struct guest_ram ram;
static struct echo_dev *echo;
static struct virtio_dev *vd;
static struct fake_transport ft;
static struct drvq_buf wbuf;

static void setup(void)
{
	guest_ram_init(&ram, 8 << 20);
	echo = calloc(1, sizeof(*echo));
	ck_assert_int_eq(echo_dev_init(echo, &ram.mem), 0);
	vd = &echo->vd;
	fake_transport_init(&ft, vd, &ram);
	wbuf = (struct drvq_buf){guest_ram_alloc(&ram, 4, 1), 4, true};
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	echo_dev_destroy(echo);
	free(echo);
	guest_ram_destroy(&ram);
}

static void probe(bool packed, uint64_t f, uint16_t size)
{
	ft.queue_size = size;
	ck_assert_int_eq(
		fake_transport_probe(&ft, f | (packed ? FT_PACKED : 0)), 0);
}

static unsigned int harvest(struct drvq *q)
{
	unsigned int n = 0;
	uint32_t len;

	while (drvq_get_used(q, &len))
		n++;
	return n;
}

static void send(void)
{
	ck_assert_int_eq(fake_transport_send(&ft, 0, &wbuf, 1, false, &wbuf),
			 0);
}

/* Without EVENT_IDX: avail->flags / packed ENABLE-DISABLE decide. */
START_TEST(test_notify_flags)
{
	struct drvq *q = &ft.q[0];

	probe(_i, V1, 8);
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 2);
	drvq_disable_cb(q);
	send();
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 2);
	ck_assert(drvq_enable_cb(q)); /* used buffers are waiting */
	ck_assert_uint_eq(harvest(q), 4);
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 3);
	ck_assert_uint_eq(ft.used_irqs[1], 0);
	ck_assert_uint_eq(virtio_queue(vd, 0)->nr_notified, 3);
}
END_TEST

/* Packed driver event flags other than ENABLE/DISABLE: we notify. */
START_TEST(test_packed_odd_event_flags)
{
	struct drvq *q = &ft.q[0];

	probe(true, V1, 8);
	q->driver_evt->flags = htole16(3); /* reserved */
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	/* DESC mode without EVENT_IDX negotiated: treated as ENABLE. */
	q->driver_evt->off_wrap = htole16(5 | EVENT_WRAP);
	q->driver_evt->flags = htole16(VRING_PACKED_EVENT_FLAG_DESC);
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 2);
}
END_TEST

START_TEST(test_flush_without_push)
{
	probe(_i, FT_LINUX_FEATURES, 8);
	vq_flush(virtio_queue(vd, 0));
	ck_assert_uint_eq(ft.used_irqs[0], 0);
	/* A kick with nothing in the ring: no used buffer, no interrupt. */
	fake_transport_kick_now(&ft, 0);
	ck_assert_uint_eq(echo->notifies, 1);
	ck_assert_uint_eq(ft.used_irqs[0], 0);
}
END_TEST

/* "Interrupt me when the used buffer n from now is written." */
static void set_used_event(struct drvq *q, unsigned int n)
{
	uint16_t pos;
	bool wrap;

	if (!q->packed) {
		vring_used_event(&q->split) = htole16(q->last_used + n);
		return;
	}
	pos = q->last_used + n;
	wrap = q->used_wrap;
	if (pos >= q->size) {
		pos -= q->size;
		wrap = !wrap;
	}
	q->driver_evt->off_wrap = htole16(pos | (wrap ? EVENT_WRAP : 0));
	q->driver_evt->flags = htole16(VRING_PACKED_EVENT_FLAG_DESC);
}

START_TEST(test_event_idx_window)
{
	struct drvq *q = &ft.q[0];

	probe(_i, FT_LINUX_FEATURES, 4);
	/* used_event 0 / ENABLE as the driver set them up: notify. */
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	ck_assert_uint_eq(harvest(q), 1);
	/* Rounds around a ring of 4: the event names the (n+1)th buffer. */
	for (unsigned int round = 0; round < 12; round++) {
		unsigned int n = round % 3, base = ft.used_irqs[0];

		set_used_event(q, n);
		for (unsigned int k = 0; k < n + 2; k++) {
			send();
			ck_assert_msg(ft.used_irqs[0] == base + (k >= n),
				      "round %u buffer %u: %u irqs", round, k,
				      ft.used_irqs[0] - base);
		}
		ck_assert_uint_eq(harvest(q), n + 2);
	}
}
END_TEST

/* Linux's own event handling (used_event / off_wrap after each harvest):
 * one interrupt per batch the driver has not seen yet. */
START_TEST(test_event_idx_like_linux)
{
	struct drvq *q = &ft.q[0];

	probe(_i, FT_LINUX_FEATURES, 8);
	drvq_disable_cb(q);
	ck_assert(!drvq_enable_cb(q)); /* DESC mode for packed */
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	send(); /* driver has not harvested: event already passed */
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	ck_assert_uint_eq(harvest(q), 3);
	send();
	ck_assert_uint_eq(ft.used_irqs[0], 2);
}
END_TEST

/* Packed positions only say which lap by one bit: a whole lap between two
 * decisions is still exact, more than a lap notifies to be safe. */
START_TEST(test_packed_event_lap)
{
	struct drvq *q = &ft.q[0];

	probe(true, FT_LINUX_FEATURES, 4);
	echo->hold = true;
	for (int i = 0; i < 4; i++)
		send();
	for (unsigned int i = 0; i < 4; i++)
		echo_dev_complete(echo, i);
	set_used_event(q, 5); /* the 6th buffer: not reached */
	vq_flush(virtio_queue(vd, 0));
	ck_assert_uint_eq(ft.used_irqs[0], 0);
	ck_assert_uint_eq(harvest(q), 4);
	set_used_event(q, 3); /* the 4th buffer from here: reached */
	echo->nr_held = 0;
	for (int i = 0; i < 4; i++)
		send();
	for (unsigned int i = 0; i < 4; i++)
		echo_dev_complete(echo, i);
	vq_flush(virtio_queue(vd, 0));
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	/* Five slots before the next decision (the driver reused slots
	 * it saw used before any flush): notify whatever the event says. */
	ck_assert_uint_eq(harvest(q), 4);
	for (unsigned int i = 0; i < 5; i++) {
		if (i == 4)
			ck_assert_uint_eq(harvest(q), 4);
		ck_assert_int_eq(drvq_add(q, &wbuf, 1, false, &wbuf), 0);
		ck_assert_int_eq(vq_pop(virtio_queue(vd, 0), &echo->held[i]),
				 1);
		echo->nr_held = i + 1;
		if (i == 4)
			for (unsigned int k = 0; k < 5; k++)
				echo_dev_complete(echo, k);
		else if (i == 3)
			for (unsigned int k = 0; k < 4; k++)
				echo_dev_complete(echo, k);
	}
	set_used_event(q, 2);
	vq_flush(virtio_queue(vd, 0));
	ck_assert_uint_eq(virtio_queue(vd, 0)->unflushed, 0);
	ck_assert_uint_eq(ft.used_irqs[0], 2);
}
END_TEST

/* Batched completions: one flush, one interrupt. */
START_TEST(test_one_flush_one_irq)
{
	probe(_i, V1, 8);
	echo->hold = true;
	for (int i = 0; i < 3; i++)
		send();
	ck_assert_uint_eq(echo->nr_held, 3);
	for (unsigned int i = 0; i < 3; i++)
		echo_dev_complete(echo, i);
	ck_assert_uint_eq(ft.used_irqs[0], 0); /* not before vq_flush */
	vq_flush(virtio_queue(vd, 0));
	ck_assert_uint_eq(ft.used_irqs[0], 1);
	ck_assert_uint_eq(harvest(&ft.q[0]), 3);
}
END_TEST

/* What the device asks of the driver's kicks, as the driver reads it. */
static void add_quietly(struct drvq *q)
{
	ck_assert_int_eq(drvq_add(q, &wbuf, 1, false, &wbuf), 0);
}

START_TEST(test_kick_suppression)
{
	bool packed = _i & 1, event = _i & 2;
	struct drvq *q = &ft.q[0];
	struct virtq *vq;
	struct vq_req *req = calloc(1, sizeof(*req));

	probe(packed, V1 | (event ? EVENT_IDX : 0), 8);
	vq = virtio_queue(vd, 0);
	add_quietly(q);
	add_quietly(q);
	ck_assert(drvq_kick_prepare(q)); /* device starts out asking */
	ck_assert_int_eq(vq_pop(vq, req), 1);
	vq_push(vq, req, 0);
	/* Busy: kicks are not wanted. */
	add_quietly(q);
	ck_assert(!drvq_kick_prepare(q));
	if (!packed && !event)
		ck_assert_uint_eq(le16toh(q->split.used->flags),
				  VRING_USED_F_NO_NOTIFY);
	if (packed)
		ck_assert_uint_eq(le16toh(q->device_evt->flags),
				  VRING_PACKED_EVENT_FLAG_DISABLE);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(vq_pop(vq, req), 1);
		vq_push(vq, req, 0);
	}
	ck_assert_int_eq(vq_pop(vq, req), 0);
	/* Idle: the next buffer must be kicked, and says where. */
	ck_assert_uint_eq(le16toh(q->split.used ? q->split.used->flags : 0), 0);
	if (!packed && event)
		ck_assert_uint_eq(le16toh(vring_avail_event(&q->split)), 3);
	if (packed && event)
		ck_assert_uint_eq(le16toh(q->device_evt->off_wrap),
				  3 | EVENT_WRAP);
	add_quietly(q);
	ck_assert(drvq_kick_prepare(q));
	vq_flush(vq);
	free(req);
}
END_TEST

START_TEST(test_notification_data)
{
	bool packed = _i;
	struct virtq *vq;
	uint16_t expect;

	probe(packed, FT_LINUX_FEATURES, 4);
	vq = virtio_queue(vd, 0);
	for (int i = 0; i < 6; i++) {
		send();
		harvest(&ft.q[0]);
	}
	ck_assert(vq->kick_has_data);
	/* Split: the avail index. Packed: 6 descriptors into a ring of 4,
	 * offset 2 with the wrap counter flipped from 1 to 0. */
	expect = packed ? 2 : 6;
	ck_assert_uint_eq(vq->kick_next, expect);
	ck_assert_uint_eq(vq->kick_next, drvq_notify_value(&ft.q[0]) >> 16);
	ck_assert_uint_eq(vq->nr_kicks, 6);
}
END_TEST

START_TEST(test_kick_data_not_negotiated)
{
	struct virtq *vq;

	probe(_i, V1, 4);
	vq = virtio_queue(vd, 0);
	/* Only the low 16 bits name the queue; the rest is not recorded. */
	ck_assert_int_eq(virtio_queue_kick_data(vd, 0xabcd0000), 0);
	ck_assert_uint_eq(vq->nr_kicks, 1);
	ck_assert(!vq->kick_has_data);
	ck_assert_int_eq(virtio_queue_kick_data(vd, 0xabcd0001), 0);
	ck_assert_uint_eq(virtio_queue(vd, 1)->nr_kicks, 1);
}
END_TEST

static void resetup_queue(uint16_t idx, uint16_t size)
{
	struct drvq *q = &ft.q[idx];

	drvq_destroy(q);
	drvq_init(q, &ram, idx, size, vd->features);
	ck_assert_int_eq(virtio_queue_set_size(vd, idx, size), 0);
	virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DESC, q->desc_gpa);
	virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DRIVER, q->driver_gpa);
	virtio_queue_set_addr(vd, idx, VIRTIO_QUEUE_DEVICE, q->device_gpa);
	ck_assert_int_eq(virtio_queue_enable(vd, idx), 0);
}

START_TEST(test_queue_reset)
{
	struct virtq *vq;

	probe(_i, FT_LINUX_FEATURES, 8);
	vq = virtio_queue(vd, 0);
	for (int i = 0; i < 5; i++)
		send();
	ck_assert_uint_eq(harvest(&ft.q[0]), 5);
	ck_assert_int_eq(virtio_queue_reset(vd, 0), 0);
	ck_assert_uint_eq(echo->queue_resets, 1);
	ck_assert(!virtio_queue_enabled(vd, 0) && !vq_live(vq));
	ck_assert_uint_eq(virtio_queue_size(vd, 0), ECHO_QUEUE_MAX);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DESC), 0);
	/* A reset queue executes nothing and notifies nothing. */
	virtio_queue_kick(vd, 0);
	ck_assert_uint_eq(echo->notifies, 5);
	/* The other queue carries on. */
	ck_assert(vq_live(virtio_queue(vd, 1)));
	/* Re-enabled with a different size: indexes start from zero. */
	resetup_queue(0, 4);
	ck_assert_uint_eq(vq->size, 4);
	ck_assert_uint_eq(vq->last_avail | vq->used_idx, 0);
	for (int i = 0; i < 9; i++) {
		send();
		ck_assert_uint_eq(harvest(&ft.q[0]), 1);
	}
	ck_assert(!(virtio_get_status(vd) & VIRTIO_CONFIG_S_NEEDS_RESET));
}
END_TEST

START_TEST(test_queue_reset_needs_feature)
{
	probe(_i, V1, 8);
	ck_assert_int_eq(virtio_queue_reset(vd, 0), -EPERM);
	ck_assert_int_eq(virtio_queue_reset(vd, 9), -EINVAL);
	ck_assert(vq_live(virtio_queue(vd, 0)));
	ck_assert_uint_eq(echo->queue_resets, 0);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("vq_notify");
	TCase *tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_notify_flags, 0, 2);
	tcase_add_test(tc, test_packed_odd_event_flags);
	tcase_add_loop_test(tc, test_flush_without_push, 0, 2);
	tcase_add_loop_test(tc, test_event_idx_window, 0, 2);
	tcase_add_loop_test(tc, test_event_idx_like_linux, 0, 2);
	tcase_add_test(tc, test_packed_event_lap);
	tcase_add_loop_test(tc, test_one_flush_one_irq, 0, 2);
	tcase_add_loop_test(tc, test_kick_suppression, 0, 4);
	tcase_add_loop_test(tc, test_notification_data, 0, 2);
	tcase_add_loop_test(tc, test_kick_data_not_negotiated, 0, 2);
	tcase_add_loop_test(tc, test_queue_reset, 0, 2);
	tcase_add_loop_test(tc, test_queue_reset_needs_feature, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(notify_suite());
}
