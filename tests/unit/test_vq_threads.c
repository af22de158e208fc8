/* Stress test for the notification races of virtio 1.3 §2.7.7/§2.7.10 and
 * §2.8.10: a driver thread and a device thread pass buffers through a small
 * ring, each suppressing the other's notifications, like a guest vCPU and
 * an ioeventfd thread. If either side loses a kick or an interrupt (a
 * missing fence, a wrong event index), the other waits forever: the test
 * fails on a timeout instead. _i: bit 0 packed, bit 1 EVENT_IDX, bit 2
 * ping-pong.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "test_runner.h"

#define ROUNDS	     20000
#define WAIT_SECONDS 5
#define V1_ONLY	     (1ULL << VIRTIO_F_VERSION_1)

static struct guest_ram ram;
static struct echo_dev *echo;
static struct fake_transport ft;
static sem_t kick_sem, irq_sem;
static volatile bool stop;

static void setup(void)
{
	guest_ram_init(&ram, 4 << 20);
	echo = calloc(1, sizeof(*echo));
	ck_assert_int_eq(echo_dev_init(echo, &ram.mem), 0);
	fake_transport_init(&ft, &echo->vd, &ram);
	sem_init(&kick_sem, 0, 0);
	sem_init(&irq_sem, 0, 0);
	stop = false;
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	echo_dev_destroy(echo);
	free(echo);
	guest_ram_destroy(&ram);
	sem_destroy(&kick_sem);
	sem_destroy(&irq_sem);
}

static void irq(struct virtio_dev *vd, struct virtq *vq)
{
	sem_post(&irq_sem);
}

static void config_irq(struct virtio_dev *vd)
{
}

static const struct virtio_transport thread_ops = {
	.notify_used = irq,
	.notify_config = config_irq,
};

/* Kicks and interrupts coalesce like an eventfd: one wake-up however many
 * arrived, so a lost one cannot hide behind an earlier surplus. */
static void drain(sem_t *s)
{
	while (sem_trywait(s) == 0)
		;
}

/* The device thread: wakes on a kick and drains the queue. */
static void *device_thread(void *arg)
{
	struct virtq *vq = virtio_queue(&echo->vd, 0);

	for (;;) {
		sem_wait(&kick_sem);
		drain(&kick_sem);
		if (stop)
			return NULL;
		echo_dev_process(echo, vq);
	}
}

static bool wait_irq(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += WAIT_SECONDS;
	while (sem_timedwait(&irq_sem, &t) < 0)
		if (errno != EINTR)
			return false;
	drain(&irq_sem);
	return true;
}

static unsigned int harvest(struct drvq *q)
{
	unsigned int n = 0;
	uint32_t len;

	while (drvq_get_used(q, &len)) {
		ck_assert_uint_eq(len, 4);
		n++;
	}
	return n;
}

/* The driver side, on the test's thread: keep up to window buffers out,
 * kick if asked, harvest, and sleep on the interrupt with callbacks enabled
 * when there is nothing. With window 1 it first busy-polls for a while, as
 * a polling driver does: its next buffer then lands while the device is on
 * its way from "ring empty" back to "kick me", the window that the device's
 * fence and second look exist for. */
static void drive(struct drvq *q, struct drvq_buf *b, unsigned int window)
{
	unsigned int sent = 0, done = 0, n, spins = 0;

	drvq_disable_cb(q);
	while (done < ROUNDS) {
		while (sent < ROUNDS && sent - done < window &&
		       drvq_add(q, b, 2, false, b) == 0) {
			sent++;
			if (drvq_kick_prepare(q))
				sem_post(&kick_sem);
		}
		n = harvest(q);
		done += n;
		if (n || (window == 1 && ++spins % 4096))
			continue;
		if (drvq_enable_cb(q))
			continue;
		ck_assert_msg(wait_irq(), "stalled at %u/%u: lost kick or irq",
			      done, ROUNDS);
		drvq_disable_cb(q);
	}
}

START_TEST(test_two_threads)
{
	uint64_t f = V1_ONLY | ((_i & 1) ? FT_PACKED : 0) |
		     ((_i & 2) ? (1ULL << VIRTIO_RING_F_EVENT_IDX) : 0);
	static const uint8_t ping[4] = {'p', 'i', 'n', 'g'};
	struct drvq_buf b[2] = {{guest_ram_put(&ram, ping, 4), 4, false},
				{guest_ram_alloc(&ram, 4, 1), 4, true}};
	pthread_t dev;

	ft.queue_size = 8;
	ck_assert_int_eq(fake_transport_probe(&ft, f), 0);
	virtio_dev_set_transport(&echo->vd, &thread_ops, NULL);
	ck_assert_int_eq(pthread_create(&dev, NULL, device_thread, NULL), 0);
	echo->flush_each = _i & 4;
	drive(&ft.q[0], b, (_i & 4) ? 1 : 8);
	stop = true;
	sem_post(&kick_sem);
	pthread_join(dev, NULL);
	ck_assert_uint_eq(virtio_queue(&echo->vd, 0)->nr_failed, 0);
}
END_TEST

static Suite *threads_suite(void)
{
	Suite *s = suite_create("vq_threads");
	TCase *tc = tcase_create("threads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_two_threads, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(threads_suite());
}
