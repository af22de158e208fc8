/* Unit tests for kvm_poller (src/kvm/kvm_poller.c): the thread calls the
 * handler with the right token for each eventfd that fires, keeps going
 * until destroyed, and destroy joins it (and is safe twice, or after a
 * poller that never started).
 */
#include <check.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "kvm_poller.h"
#include "test_runner.h"

static struct kvm_poller p;
static int efd[2];
static sem_t fired;
static uint32_t tokens[16];
static unsigned int nr_fired;
static uint64_t counted; /* sum of the eventfd counters read */

static void handler(void *opaque, uint32_t token)
{
	uint64_t cnt;

	ck_assert_ptr_eq(opaque, &p);
	ck_assert_uint_lt(token, 2);
	ck_assert_int_eq(read(efd[token], &cnt, sizeof(cnt)), sizeof(cnt));
	__atomic_fetch_add(&counted, cnt, __ATOMIC_RELAXED);
	if (nr_fired < 16)
		tokens[nr_fired] = token;
	nr_fired++;
	sem_post(&fired);
}

static void setup(void)
{
	ck_assert_int_eq(sem_init(&fired, 0, 0), 0);
	for (int i = 0; i < 2; i++) {
		efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ck_assert_int_ge(efd[i], 0);
	}
	nr_fired = 0;
	counted = 0;
	ck_assert_int_eq(kvm_poller_init(&p, handler, &p), 0);
}

static void teardown(void)
{
	kvm_poller_destroy(&p);
	close(efd[0]);
	close(efd[1]);
	sem_destroy(&fired);
}

static void signal_efd(int i)
{
	uint64_t one = 1;

	ck_assert_int_eq(write(efd[i], &one, sizeof(one)), sizeof(one));
}

static void wait_fired(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 5;
	ck_assert_int_eq(sem_timedwait(&fired, &t), 0);
}

START_TEST(tokens_reach_the_handler)
{
	ck_assert_int_eq(kvm_poller_add(&p, efd[0], 0), 0);
	ck_assert_int_eq(kvm_poller_add(&p, efd[1], 1), 0);
	ck_assert_int_eq(kvm_poller_start(&p), 0);
	signal_efd(1);
	wait_fired();
	ck_assert_uint_eq(tokens[0], 1);
	signal_efd(0);
	wait_fired();
	ck_assert_uint_eq(tokens[1], 0);
	/* Many signals: as many calls as the thread woke up for, and every
	 * signal counted once. */
	for (int i = 0; i < 10; i++)
		signal_efd(0);
	wait_fired();
	for (int i = 0;
	     i < 500 && __atomic_load_n(&counted, __ATOMIC_RELAXED) < 12; i++)
		usleep(1000);
	kvm_poller_destroy(&p);
	ck_assert_uint_eq(counted, 12);
	ck_assert_uint_ge(nr_fired, 3);
	ck_assert_uint_le(nr_fired, 12);
}
END_TEST

START_TEST(adding_while_running)
{
	ck_assert_int_eq(kvm_poller_start(&p), 0);
	ck_assert_int_eq(kvm_poller_add(&p, efd[1], 1), 0);
	signal_efd(1);
	wait_fired();
	ck_assert_uint_eq(tokens[0], 1);
}
END_TEST

START_TEST(destroy_stops_the_thread)
{
	ck_assert_int_eq(kvm_poller_add(&p, efd[0], 0), 0);
	ck_assert_int_eq(kvm_poller_start(&p), 0);
	kvm_poller_destroy(&p);
	ck_assert(!p.running);
	ck_assert_int_eq(p.epoll_fd, -1);
	signal_efd(0);
	usleep(20000);
	ck_assert_uint_eq(nr_fired, 0);
	kvm_poller_destroy(&p); /* twice: nothing */
}
END_TEST

START_TEST(never_started)
{
	ck_assert_int_eq(kvm_poller_add(&p, efd[0], 0), 0);
	ck_assert_int_lt(kvm_poller_add(&p, -1, 1), 0);
	kvm_poller_destroy(&p);
	ck_assert(!p.running);
}
END_TEST

static Suite *poller_suite(void)
{
	Suite *s = suite_create("kvm_poller");
	TCase *tc = tcase_create("poller");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tokens_reach_the_handler);
	tcase_add_test(tc, adding_while_running);
	tcase_add_test(tc, destroy_stops_the_thread);
	tcase_add_test(tc, never_started);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(poller_suite());
}
