/* Unit tests for src/devices/rtc.c: date and time against the host's UTC
 * clock in every format, setting the time as Linux's mc146818_set_time()
 * does, CMOS RAM, registers A-D, and the update/alarm/periodic interrupt. */
#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake_vm.h"
#include "rtc.h"
#include "test_runner.h"

#define PORT 0x70
#define GSI  8

#define REG_SEC	       0x00
#define REG_SEC_ALARM  0x01
#define REG_MIN	       0x02
#define REG_MIN_ALARM  0x03
#define REG_HOUR       0x04
#define REG_HOUR_ALARM 0x05
#define REG_WDAY       0x06
#define REG_MDAY       0x07
#define REG_MON	       0x08
#define REG_YEAR       0x09
#define REG_A	       0x0a
#define REG_B	       0x0b
#define REG_C	       0x0c
#define REG_D	       0x0d
#define REG_CENTURY    0x32

#define B_SET	 0x80
#define B_PIE	 0x40
#define B_AIE	 0x20
#define B_UIE	 0x10
#define B_BINARY 0x04
#define B_24H	 0x02

static struct fake_vm f;
static struct rtc *r;

static uint8_t rd(uint8_t reg)
{
	fake_outb(&f, PORT, reg);
	return fake_inb(&f, PORT + 1);
}

static void wr(uint8_t reg, uint8_t val)
{
	fake_outb(&f, PORT, reg);
	fake_outb(&f, PORT + 1, val);
}

static int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

static void setup(void)
{
	fake_vm_init(&f, 0);
	r = rtc_new(&f.vm, PORT, -1);
	ck_assert_ptr_nonnull(r);
}

static void teardown(void)
{
	rtc_free(r);
	fake_vm_destroy(&f);
}

struct rtc_time {
	int sec, min, hour, wday, mday, mon, year, century;
};

/* Reads the clock as Linux does: again if the seconds moved meanwhile. */
static void read_time(struct rtc_time *t, int binary)
{
	uint8_t raw[8], sec;
	const uint8_t regs[8] = {REG_SEC,  REG_MIN, REG_HOUR, REG_WDAY,
				 REG_MDAY, REG_MON, REG_YEAR, REG_CENTURY};
	int v[8];

	do {
		sec = rd(REG_SEC);
		for (int i = 0; i < 8; i++)
			raw[i] = rd(regs[i]);
	} while (sec != raw[0] || sec != rd(REG_SEC));
	for (int i = 0; i < 8; i++)
		v[i] = binary ? raw[i] : bcd(raw[i]);
	*t = (struct rtc_time){.sec = v[0],
			       .min = v[1],
			       .hour = v[2],
			       .wday = v[3],
			       .mday = v[4],
			       .mon = v[5],
			       .year = v[6],
			       .century = v[7]};
}

static time_t to_epoch(const struct rtc_time *t, struct tm *tm)
{
	*tm = (struct tm){.tm_sec = t->sec,
			  .tm_min = t->min,
			  .tm_hour = t->hour,
			  .tm_mday = t->mday,
			  .tm_mon = t->mon - 1,
			  .tm_year = t->century * 100 + t->year - 1900};
	return timegm(tm);
}

/* The RTC's time lies in [before, after] and its fields are consistent. */
static void check_host_time(int binary)
{
	struct rtc_time t;
	struct tm tm, check;
	time_t before, after, got;

	before = time(NULL);
	read_time(&t, binary);
	after = time(NULL);
	got = to_epoch(&t, &tm);
	ck_assert_int_ge(got, before);
	ck_assert_int_le(got, after);
	gmtime_r(&got, &check);
	ck_assert_int_eq(t.wday, check.tm_wday + 1);
	ck_assert_int_eq(t.mday, check.tm_mday); /* not normalised */
	ck_assert_int_eq(t.mon, check.tm_mon + 1);
	ck_assert_int_eq(t.hour, check.tm_hour);
}

START_TEST(test_bcd_date_matches_host)
{
	ck_assert_uint_eq(rd(REG_B), B_24H);
	check_host_time(0);
	ck_assert_uint_eq(rd(REG_CENTURY), 0x20);
}
END_TEST

START_TEST(test_binary_date_matches_host)
{
	wr(REG_B, B_24H | B_BINARY);
	check_host_time(1);
	ck_assert_uint_eq(rd(REG_CENTURY), 20);
	/* Every field is a valid binary value, never BCD-looking. */
	ck_assert_uint_lt(rd(REG_MIN), 60);
	ck_assert_uint_lt(rd(REG_SEC), 60);
}
END_TEST

/* Hours written in 24-hour binary, read back in each 12-hour format. */
static const struct {
	uint8_t hour24, bcd12, bin12;
} hour_cases[] = {
	{0, 0x12, 12},
	{1, 0x01, 1},
	{9, 0x09, 9},
	{11, 0x11, 11},
	{12, 0x80 | 0x12, 0x80 | 12},
	{13, 0x80 | 0x01, 0x80 | 1},
	{23, 0x80 | 0x11, 0x80 | 11},
};

START_TEST(test_12h_mode)
{
	wr(REG_B, B_SET | B_24H | B_BINARY); /* hold the clock */
	wr(REG_HOUR, hour_cases[_i].hour24);
	wr(REG_B, B_SET);
	ck_assert_uint_eq(rd(REG_HOUR), hour_cases[_i].bcd12);
	wr(REG_B, B_SET | B_BINARY);
	ck_assert_uint_eq(rd(REG_HOUR), hour_cases[_i].bin12);
	/* And a 12-hour write means the same hour. */
	wr(REG_HOUR, hour_cases[_i].bin12);
	wr(REG_B, B_SET | B_24H);
	ck_assert_uint_eq(bcd(rd(REG_HOUR)), hour_cases[_i].hour24);
}
END_TEST

/* Linux's mc146818_set_time(): SET and divider reset, the fields in the
 * order year, month, day, hour, minute, second, century, then B and A
 * restored. The month is written before the day, so a clock that applied
 * each field at once would turn "February 31st" into March. */
static void linux_set_time(uint8_t cent, uint8_t year, uint8_t mon, uint8_t day,
			   uint8_t hour, uint8_t min, uint8_t sec)
{
	uint8_t b = rd(REG_B), a;

	wr(REG_B, b | B_SET);
	a = rd(REG_A);
	wr(REG_A, a | 0x70);
	wr(REG_YEAR, year);
	wr(REG_MON, mon);
	wr(REG_MDAY, day);
	wr(REG_HOUR, hour);
	wr(REG_MIN, min);
	wr(REG_SEC, sec);
	wr(REG_CENTURY, cent);
	wr(REG_B, b);
	wr(REG_A, a);
}

START_TEST(test_set_time_keeps_offset)
{
	struct rtc_time t;
	struct tm tm;
	time_t want, got;

	/* 2031-02-28 13:45:30 UTC, set on whatever day it is now. */
	linux_set_time(0x20, 0x31, 0x02, 0x28, 0x13, 0x45, 0x30);
	want = to_epoch(&(struct rtc_time){.sec = 30,
					   .min = 45,
					   .hour = 13,
					   .mday = 28,
					   .mon = 2,
					   .year = 31,
					   .century = 20},
			&tm);
	read_time(&t, 0);
	got = to_epoch(&t, &tm);
	ck_assert_int_ge(got, want);
	ck_assert_int_le(got, want + 1);
	ck_assert_int_eq(t.wday, 6); /* a Friday */
	/* The clock runs on from the new time. */
	sleep(1);
	read_time(&t, 0);
	got = to_epoch(&t, &tm);
	ck_assert_int_ge(got, want + 1);
	ck_assert_int_le(got, want + 3);
}
END_TEST

START_TEST(test_set_time_binary_mode)
{
	struct rtc_time t;
	struct tm tm;
	time_t want;

	wr(REG_B, B_24H | B_BINARY);
	linux_set_time(19, 99, 12, 31, 23, 59, 50);
	want = to_epoch(&(struct rtc_time){.sec = 50,
					   .min = 59,
					   .hour = 23,
					   .mday = 31,
					   .mon = 12,
					   .year = 99,
					   .century = 19},
			&tm);
	read_time(&t, 1);
	ck_assert_int_ge(to_epoch(&t, &tm), want);
	ck_assert_int_le(to_epoch(&t, &tm), want + 1);
}
END_TEST

/* While SET is on the clock stands and shows what was written. */
START_TEST(test_set_bit_holds_time)
{
	wr(REG_B, B_SET | B_24H);
	wr(REG_SEC, 0x07);
	wr(REG_MIN, 0x08);
	ck_assert_uint_eq(rd(REG_SEC), 0x07);
	ck_assert_uint_eq(rd(REG_MIN), 0x08);
	ck_assert_uint_eq(rd(REG_A) & 0x80, 0); /* no update in progress */
	/* Writing SET clears UIE. */
	wr(REG_B, B_SET | B_UIE | B_24H);
	ck_assert_uint_eq(rd(REG_B), B_SET | B_24H);
}
END_TEST

/* Without SET, a single field changes and the others keep running. */
START_TEST(test_single_field_write)
{
	struct rtc_time before, after;

	read_time(&before, 0);
	wr(REG_YEAR, 0x42);
	read_time(&after, 0);
	ck_assert_int_eq(after.year, 42);
	ck_assert_int_eq(after.century, before.century);
	ck_assert_int_eq(after.mon, before.mon);
}
END_TEST

/* Bad BCD and out-of-range values are the guest's business: the clock
 * still gives some valid time and nothing breaks. */
START_TEST(test_garbage_time_writes)
{
	const uint8_t regs[] = {REG_SEC, REG_MIN,  REG_HOUR,   REG_MDAY,
				REG_MON, REG_YEAR, REG_CENTURY};

	wr(REG_B, B_SET | B_24H);
	for (size_t i = 0; i < sizeof(regs); i++)
		wr(regs[i], 0xff);
	wr(REG_B, B_24H);
	ck_assert_uint_lt(bcd(rd(REG_SEC)), 60);
	ck_assert_uint_lt(bcd(rd(REG_MON)), 13);
	wr(REG_B, B_24H | B_BINARY);
	for (size_t i = 0; i < sizeof(regs); i++)
		wr(regs[i], 0);
	ck_assert_uint_le(rd(REG_MDAY), 31);
}
END_TEST

START_TEST(test_registers_a_and_d)
{
	ck_assert_uint_eq(rd(REG_A) & 0x7f, 0x26);
	wr(REG_A, 0xa6); /* UIP is read-only */
	ck_assert_uint_eq(rd(REG_A) & 0x7f, 0x26);
	ck_assert_uint_eq(rd(REG_D), 0x80);
	wr(REG_D, 0x00);
	ck_assert_uint_eq(rd(REG_D), 0x80);
}
END_TEST

/* UIP is set only in the 244 us before an update. Sleep until 300 us
 * before a second boundary, then sample until just after it: UIP must be
 * seen, and only close to the boundary. A loaded machine may wake us too
 * late or stall us between a read and the clock read that dates it, so a
 * few seconds are tried and "close" is generous (50 ms): what fails is a
 * UIP in the middle of a second, not a slow machine. */
START_TEST(test_uip_window)
{
	struct timespec ts, now;
	int seen = 0;

	for (int tries = 0; tries < 10 && !seen; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec++;
		ts.tv_nsec = 1000000000L - 300000L;
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
		do {
			if (rd(REG_A) & 0x80) {
				clock_gettime(CLOCK_REALTIME, &now);
				ck_assert(now.tv_nsec >= 1000000000L - 244000L -
								 50000000L ||
					  now.tv_nsec < 50000000L);
				seen = 1;
			}
			clock_gettime(CLOCK_REALTIME, &now);
		} while (now.tv_sec == ts.tv_sec);
	}
	ck_assert_int_eq(seen, 1);
	/* And never in the middle of a second. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec++;
	ts.tv_nsec = 500000000L;
	clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	for (int i = 0; i < 100; i++) {
		uint8_t a = rd(REG_A);

		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_nsec > 100000000L && now.tv_nsec < 900000000L)
			ck_assert_uint_eq(a & 0x80, 0);
	}
}
END_TEST

START_TEST(test_cmos_ram)
{
	for (unsigned int reg = 0x0e; reg < 0x80; reg++)
		if (reg != REG_CENTURY)
			wr(reg, (uint8_t)(reg * 3 + 1));
	for (unsigned int reg = 0x0e; reg < 0x80; reg++)
		if (reg != REG_CENTURY)
			ck_assert_uint_eq(rd(reg), (uint8_t)(reg * 3 + 1));
	/* Index bit 7 is the NMI mask, not part of the address. */
	wr(0x80 | 0x40, 0x99);
	ck_assert_uint_eq(rd(0x40), 0x99);
	/* The index port is write-only. */
	ck_assert_uint_eq(fake_inb(&f, PORT), 0xff);
	/* A 16-bit write sets index and data together. */
	fake_out(&f, PORT, 0xab41, 2);
	ck_assert_uint_eq(rd(0x41), 0xab);
	/* Alarm bytes are plain storage. */
	wr(REG_HOUR_ALARM, 0xc3);
	ck_assert_uint_eq(rd(REG_HOUR_ALARM), 0xc3);
}
END_TEST

/* Register C collects the update flag while nothing is enabled; reading
 * clears it; with no interrupt line nothing is raised. The two reads are
 * retried if a second boundary (a new update) fell between them. */
START_TEST(test_reg_c_clears_on_read)
{
	uint8_t sec, first, second, uf = 0;

	wr(REG_A, 0x20); /* no periodic rate, so no PF */
	rd(REG_C);
	usleep(1100000);
	do {
		sec = rd(REG_SEC);
		first = rd(REG_C);
		second = rd(REG_C);
		uf |= first & 0x10;
	} while (sec != rd(REG_SEC));
	ck_assert_uint_eq(uf, 0x10);
	ck_assert_uint_eq(first & 0x60, 0);
	ck_assert_uint_eq(second, 0);
	ck_assert_uint_eq(f.irq_raises[GSI], 0);
	wr(REG_C, 0xff); /* read-only */
	ck_assert_uint_eq(rd(REG_C) & 0x80, 0);
}
END_TEST

/* The timer thread drives the line, so the interrupt tests record it
 * with atomics instead of fake_vm's plain recorder. */
static atomic_int line;
static atomic_uint raises;

static int record_line(struct kvm_vm *vm, uint32_t gsi, int level)
{
	ck_assert_uint_eq(gsi, GSI);
	if (atomic_exchange(&line, level) == 0 && level)
		atomic_fetch_add(&raises, 1);
	return 0;
}

/* Waits up to ms for the interrupt line to rise. */
static int wait_irq(int ms)
{
	for (int i = 0; i < ms; i++) {
		if (atomic_load(&line))
			return 1;
		usleep(1000);
	}
	return 0;
}

/* Table: register B enables (with A's rate) and the flags expected. */
static const struct {
	uint8_t a, b, alarm, flags;
	int within_ms;
} irq_cases[] = {
	/* Deadlines are generous: a loaded machine is slow, not wrong. */
	{0x26, B_24H | B_UIE, 0x00, 0x90, 5000},
	{0x26, B_24H | B_AIE, 0xc0, 0xa0, 5000}, /* alarm every second */
	{0x2f, B_24H | B_PIE, 0x00, 0xc0, 5000}, /* 2 Hz */
	{0x26, B_24H | B_PIE, 0x00, 0xc0, 5000}, /* 1024 Hz */
};

START_TEST(test_interrupts)
{
	unsigned int seen;

	f.vm.irq_line = record_line;
	rtc_free(r);
	r = rtc_new(&f.vm, PORT, GSI);
	ck_assert_ptr_nonnull(r);
	wr(REG_SEC_ALARM, irq_cases[_i].alarm);
	wr(REG_MIN_ALARM, irq_cases[_i].alarm);
	wr(REG_HOUR_ALARM, irq_cases[_i].alarm);
	wr(REG_A, irq_cases[_i].a);
	rd(REG_C);
	wr(REG_B, irq_cases[_i].b);
	ck_assert_int_eq(wait_irq(irq_cases[_i].within_ms), 1);
	seen = atomic_load(&raises);
	/* Stays up until register C is read... */
	usleep(20000);
	ck_assert_uint_eq(atomic_load(&raises), seen);
	/* ...which lowers it; the next event raises it again. */
	ck_assert_uint_eq(rd(REG_C) & irq_cases[_i].flags, irq_cases[_i].flags);
	ck_assert_int_eq(wait_irq(irq_cases[_i].within_ms), 1);
	ck_assert_uint_gt(atomic_load(&raises), seen);
	wr(REG_B, B_24H);
	rd(REG_C);
	ck_assert_int_eq(atomic_load(&line), 0);
}
END_TEST

/* An alarm that does not match stays quiet while updates go on. */
START_TEST(test_alarm_no_match)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	wr(REG_B, B_24H | B_BINARY);
	wr(REG_HOUR_ALARM, (tm.tm_hour + 12) % 24);
	wr(REG_MIN_ALARM, 0xc0);
	wr(REG_SEC_ALARM, 0xc0);
	rd(REG_C);
	usleep(1100000);
	ck_assert_uint_eq(rd(REG_C) & 0x30, 0x10); /* UF, no AF */
}
END_TEST

START_TEST(test_create_conflict)
{
	struct rtc *other;

	errno = 0;
	ck_assert_ptr_null(rtc_new(&f.vm, PORT + 1, -1));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_null(rtc_new(&f.vm, PORT, GSI));
	ck_assert_ptr_null(rtc_new(&f.vm, PORT + 1, -1));
	ck_assert_int_eq(errno, EEXIST);
	other = rtc_new(&f.vm, PORT + 2, GSI);
	ck_assert_ptr_nonnull(other);
	rtc_free(other); /* stops its thread */
	rtc_free(NULL);
	ck_assert_uint_eq(fake_inb(&f, PORT + 3), 0xff);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rtc");
	TCase *tc = tcase_create("rtc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_bcd_date_matches_host);
	tcase_add_test(tc, test_binary_date_matches_host);
	tcase_add_loop_test(tc, test_12h_mode, 0,
			    sizeof(hour_cases) / sizeof(hour_cases[0]));
	tcase_add_test(tc, test_set_time_keeps_offset);
	tcase_add_test(tc, test_set_time_binary_mode);
	tcase_add_test(tc, test_set_bit_holds_time);
	tcase_add_test(tc, test_single_field_write);
	tcase_add_test(tc, test_garbage_time_writes);
	tcase_add_test(tc, test_registers_a_and_d);
	tcase_add_test(tc, test_uip_window);
	tcase_add_test(tc, test_cmos_ram);
	tcase_add_test(tc, test_reg_c_clears_on_read);
	tcase_add_loop_test(tc, test_interrupts, 0,
			    sizeof(irq_cases) / sizeof(irq_cases[0]));
	tcase_add_test(tc, test_alarm_no_match);
	tcase_add_test(tc, test_create_conflict);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
