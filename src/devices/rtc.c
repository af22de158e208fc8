/* rtc: the MC146818A real-time clock and CMOS RAM (see rtc.h).
 *
 * Follows the Motorola MC146818A datasheet: the address map (time, alarm,
 * registers A-D, RAM), BCD/binary and 12/24-hour formats, the SET bit, UIP,
 * and the periodic/alarm/update-ended flags of register C. The century at
 * CMOS byte 0x32 is the PC convention the ACPI FADT CENTURY field names.
 * Depends on src/kvm only.
 */
#include "rtc.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm.h"
#include "log.h"

/* Register indexes (MC146818A address map). */
#define RTC_SECONDS	  0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES	  0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS	  0x04
#define RTC_HOURS_ALARM	  0x05
#define RTC_DAY_OF_WEEK	  0x06
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH	  0x08
#define RTC_YEAR	  0x09
#define RTC_REG_A	  0x0a
#define RTC_REG_B	  0x0b
#define RTC_REG_C	  0x0c
#define RTC_REG_D	  0x0d
#define RTC_CENTURY	  0x32
#define RTC_CMOS_LEN	  128

#define RTC_A_UIP	0x80 /* update in progress */
#define RTC_A_DV_RESET	0x60 /* DV2-DV1 = 11: divider held in reset */
#define RTC_A_RS	0x0f /* periodic rate select */
#define RTC_A_DEFAULT	0x26 /* 32.768 kHz time base, 1024 Hz periodic */
#define RTC_B_SET	0x80 /* halt updates so the time can be set */
#define RTC_B_PIE	0x40
#define RTC_B_AIE	0x20
#define RTC_B_UIE	0x10
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H	0x02
#define RTC_B_DEFAULT	RTC_B_24H /* BCD, 24-hour */
#define RTC_C_IRQF	0x80
#define RTC_C_PF	0x40
#define RTC_C_AF	0x20
#define RTC_C_UF	0x10
#define RTC_D_VRT	0x80 /* valid RAM and time: the battery is fine */
#define RTC_HOUR_PM	0x80 /* 12-hour mode */
#define RTC_ALARM_ANY	0xc0 /* alarm byte 0xc0-0xff matches any value */

/* UIP rises this long before each update (MC146818A, 32.768 kHz). */
#define RTC_UIP_NS   244000L
#define NSEC_PER_SEC 1000000000L

struct rtc {
	struct kvm_vm *vm;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* tells the timer thread to recompute */
	uint8_t index;
	uint8_t cmos[RTC_CMOS_LEN]; /* RAM, alarms, A, B, C; time is computed */
	int64_t offset;		    /* guest time - host UTC, in seconds */
	bool halted;		    /* SET or divider reset: time stands */
	struct tm held;		    /* the time while halted */
	int64_t last_update;	    /* guest second of the last update seen */
	uint64_t last_tick;	    /* periodic ticks seen, at last_hz */
	unsigned int last_hz;
	bool has_irq;
	uint32_t gsi;
	int irq_level;
	uint16_t port;
	pthread_t thread; /* only with an interrupt line */
	bool stopping;	  /* rtc_free() asks the thread to end */
};

static bool rtc_binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

/* Unsigned, so that even a year a guest made negative encodes to some
 * byte without undefined behaviour. */
static uint8_t rtc_encode(const struct rtc *r, unsigned int val)
{
	return rtc_binary(r) ? val : ((val / 10) << 4) | (val % 10);
}

/* A guest may store any byte; bad BCD gives a bad number, never a crash. */
static int rtc_decode(const struct rtc *r, uint8_t val)
{
	return rtc_binary(r) ? val : (val >> 4) * 10 + (val & 0x0f);
}

static uint8_t rtc_encode_hour(const struct rtc *r, int hour)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, hour);
	return rtc_encode(r, hour % 12 ? hour % 12 : 12) |
	       (hour >= 12 ? RTC_HOUR_PM : 0);
}

static int rtc_decode_hour(const struct rtc *r, uint8_t val)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(r, val);
	return rtc_decode(r, val & ~RTC_HOUR_PM) % 12 +
	       (val & RTC_HOUR_PM ? 12 : 0);
}

static bool rtc_is_time_reg(unsigned int reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS ||
	       (reg >= RTC_DAY_OF_WEEK && reg <= RTC_YEAR) ||
	       reg == RTC_CENTURY;
}

static void rtc_guest_tm(const struct rtc *r, const struct timespec *now,
			 struct tm *tm)
{
	time_t t = now->tv_sec + r->offset;

	if (r->halted)
		*tm = r->held;
	else
		gmtime_r(&t, tm);
}

static uint8_t rtc_time_reg(const struct rtc *r, const struct tm *tm,
			    unsigned int reg)
{
	int year = tm->tm_year + 1900;

	switch (reg) {
	case RTC_SECONDS:
		return rtc_encode(r, tm->tm_sec);
	case RTC_MINUTES:
		return rtc_encode(r, tm->tm_min);
	case RTC_HOURS:
		return rtc_encode_hour(r, tm->tm_hour);
	case RTC_DAY_OF_WEEK:
		return rtc_encode(r, tm->tm_wday + 1); /* Sunday is 1 */
	case RTC_DAY_OF_MONTH:
		return rtc_encode(r, tm->tm_mday);
	case RTC_MONTH:
		return rtc_encode(r, tm->tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(r, year % 100);
	default:
		return rtc_encode(r, year / 100 % 100);
	}
}

/* The day of the week follows from the date, so writes to it are dropped. */
static void rtc_set_field(const struct rtc *r, struct tm *tm, unsigned int reg,
			  uint8_t val)
{
	int year = tm->tm_year + 1900;

	switch (reg) {
	case RTC_SECONDS:
		tm->tm_sec = rtc_decode(r, val);
		break;
	case RTC_MINUTES:
		tm->tm_min = rtc_decode(r, val);
		break;
	case RTC_HOURS:
		tm->tm_hour = rtc_decode_hour(r, val);
		break;
	case RTC_DAY_OF_MONTH:
		tm->tm_mday = rtc_decode(r, val);
		break;
	case RTC_MONTH:
		tm->tm_mon = rtc_decode(r, val) - 1;
		break;
	case RTC_YEAR:
		tm->tm_year = year / 100 * 100 + rtc_decode(r, val) - 1900;
		break;
	case RTC_CENTURY:
		tm->tm_year = rtc_decode(r, val) * 100 + year % 100 - 1900;
		break;
	}
}

/* From now on the guest's clock runs from *tm. timegm() normalises
 * out-of-range fields (a 31st of February becomes March). */
static void rtc_set_offset(struct rtc *r, struct tm *tm,
			   const struct timespec *now)
{
	r->offset = (int64_t)timegm(tm) - now->tv_sec;
	r->last_update = now->tv_sec + r->offset;
}

/* The clock stands while SET is on or the divider is in reset; Linux sets
 * both while it writes the time, then releases B before A. */
static void rtc_update_halted(struct rtc *r, const struct timespec *now)
{
	bool halt = (r->cmos[RTC_REG_B] & RTC_B_SET) ||
		    (r->cmos[RTC_REG_A] & RTC_A_DV_RESET) == RTC_A_DV_RESET;

	if (halt && !r->halted)
		rtc_guest_tm(r, now, &r->held);
	else if (!halt && r->halted)
		rtc_set_offset(r, &r->held, now);
	r->halted = halt;
}

static bool rtc_alarm_field(uint8_t alarm, uint8_t now)
{
	return (alarm & RTC_ALARM_ANY) == RTC_ALARM_ANY || alarm == now;
}

static bool rtc_alarm_matches(const struct rtc *r, int64_t sec)
{
	time_t t = sec;
	struct tm tm;

	gmtime_r(&t, &tm);
	return rtc_alarm_field(r->cmos[RTC_SECONDS_ALARM],
			       rtc_encode(r, tm.tm_sec)) &&
	       rtc_alarm_field(r->cmos[RTC_MINUTES_ALARM],
			       rtc_encode(r, tm.tm_min)) &&
	       rtc_alarm_field(r->cmos[RTC_HOURS_ALARM],
			       rtc_encode_hour(r, tm.tm_hour));
}

/* Periodic interrupt rate for the 32.768 kHz time base: RS 3-15 give
 * 8192 Hz down to 2 Hz; RS 1 and 2 repeat RS 8 and 9; RS 0 is off. */
static unsigned int rtc_periodic_hz(const struct rtc *r)
{
	unsigned int rs = r->cmos[RTC_REG_A] & RTC_A_RS;

	if ((r->cmos[RTC_REG_A] & RTC_A_DV_RESET) == RTC_A_DV_RESET || !rs)
		return 0;
	return 65536 >> (rs <= 2 ? rs + 7 : rs);
}

/* Sets UF for every update (each second) since the last call and AF if one
 * of those seconds matched the alarm; a day covers every alarm, so older
 * seconds need no look. */
static void rtc_advance_updates(struct rtc *r, const struct timespec *now)
{
	int64_t sec = now->tv_sec + r->offset, t;

	if (r->halted)
		return;
	if (sec > r->last_update) {
		r->cmos[RTC_REG_C] |= RTC_C_UF;
		t = sec - r->last_update > 86400 ? sec - 86400 : r->last_update;
		while (++t <= sec && !rtc_alarm_matches(r, t))
			;
		if (t <= sec)
			r->cmos[RTC_REG_C] |= RTC_C_AF;
	}
	r->last_update = sec;
}

/* Sets PF if a periodic tick passed since the last call. Ticks are phase
 * locked to the second, as the divider chain makes them. */
static void rtc_advance_periodic(struct rtc *r, const struct timespec *now)
{
	unsigned int hz = rtc_periodic_hz(r);
	uint64_t tick;

	tick = (uint64_t)now->tv_sec * hz +
	       (uint64_t)now->tv_nsec * hz / NSEC_PER_SEC;
	if (hz && hz == r->last_hz && tick != r->last_tick)
		r->cmos[RTC_REG_C] |= RTC_C_PF;
	r->last_tick = tick;
	r->last_hz = hz;
}

/* IRQF is set while a flag and its enable are both set; the IRQ pin follows
 * it until register C is read. */
static void rtc_update_irq(struct rtc *r)
{
	uint8_t *c = &r->cmos[RTC_REG_C];
	int level;

	if (*c & r->cmos[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF))
		*c |= RTC_C_IRQF;
	level = !!(*c & RTC_C_IRQF);
	if (r->has_irq && level != r->irq_level) {
		r->irq_level = level;
		kvm_irq_line(r->vm, r->gsi, level);
	}
}

static void rtc_advance(struct rtc *r, const struct timespec *now)
{
	rtc_advance_updates(r, now);
	rtc_advance_periodic(r, now);
	rtc_update_irq(r);
}

static uint8_t rtc_read_c(struct rtc *r, const struct timespec *now)
{
	uint8_t val;

	rtc_advance(r, now);
	val = r->cmos[RTC_REG_C];
	r->cmos[RTC_REG_C] = 0;
	rtc_update_irq(r);
	pthread_cond_signal(&r->wake);
	return val;
}

static uint8_t rtc_read_reg(struct rtc *r, unsigned int reg)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	if (rtc_is_time_reg(reg)) {
		rtc_guest_tm(r, &now, &tm);
		return rtc_time_reg(r, &tm, reg);
	}
	switch (reg) {
	case RTC_REG_A:
		if (!r->halted && now.tv_nsec >= NSEC_PER_SEC - RTC_UIP_NS)
			return r->cmos[reg] | RTC_A_UIP;
		return r->cmos[reg];
	case RTC_REG_C:
		return rtc_read_c(r, &now);
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void rtc_write_time(struct rtc *r, unsigned int reg, uint8_t val,
			   const struct timespec *now)
{
	struct tm tm;

	if (r->halted) {
		rtc_set_field(r, &r->held, reg, val);
		return;
	}
	rtc_guest_tm(r, now, &tm);
	rtc_set_field(r, &tm, reg, val);
	rtc_set_offset(r, &tm, now);
}

static void rtc_write_reg(struct rtc *r, unsigned int reg, uint8_t val)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	rtc_advance(r, &now); /* flags due before the change */
	if (rtc_is_time_reg(reg)) {
		rtc_write_time(r, reg, val, &now);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->cmos[reg] = val & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		/* Setting SET clears UIE (MC146818A, register B). */
		r->cmos[reg] = val & RTC_B_SET ? val & ~RTC_B_UIE : val;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		r->cmos[reg] = val;
		return;
	}
	rtc_update_halted(r, &now);
	rtc_update_irq(r);
	pthread_cond_signal(&r->wake);
}

/* Port 0: the index (bit 7 masks NMIs on a PC; ignored); port 1: data. */
static void rtc_pio_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct rtc *r = opaque;
	uint8_t *bytes = data;
	uint32_t i;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < len; i++)
		bytes[i] = off + i == 1 ? rtc_read_reg(r, r->index) : 0xff;
	pthread_mutex_unlock(&r->lock);
}

/* A 16-bit write sets the index and writes the data in one go, as the ISA
 * bus splits it into two byte cycles. */
static void rtc_pio_write(void *opaque, uint64_t off, const void *data,
			  uint32_t len)
{
	struct rtc *r = opaque;
	const uint8_t *bytes = data;
	uint32_t i;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < len && off + i < 2; i++) {
		if (off + i == 0)
			r->index = bytes[i] & (RTC_CMOS_LEN - 1);
		else
			rtc_write_reg(r, r->index, bytes[i]);
	}
	pthread_mutex_unlock(&r->lock);
}

static const struct iobus_ops rtc_ops = {
	.read = rtc_pio_read,
	.write = rtc_pio_write,
};

static void rtc_add_ns(struct timespec *t, uint64_t ns)
{
	ns += t->tv_nsec;
	t->tv_sec += ns / NSEC_PER_SEC;
	t->tv_nsec = ns % NSEC_PER_SEC;
}

/* When the next enabled flag can rise; false if none can, or if IRQF holds
 * the line up anyway until the guest reads register C. Periodic ticks are
 * at most a second apart and in phase with the updates, so with PIE on the
 * next tick always comes first (or together with the update). */
static bool rtc_next_event(const struct rtc *r, const struct timespec *now,
			   struct timespec *when)
{
	uint8_t b = r->cmos[RTC_REG_B];
	unsigned int hz = b & RTC_B_PIE ? rtc_periodic_hz(r) : 0;
	bool updates = !r->halted && (b & (RTC_B_AIE | RTC_B_UIE));
	uint64_t ns = NSEC_PER_SEC - now->tv_nsec, k;

	if ((r->cmos[RTC_REG_C] & RTC_C_IRQF) || (!hz && !updates))
		return false;
	if (hz) {
		k = (uint64_t)now->tv_nsec * hz / NSEC_PER_SEC + 1;
		ns = (k * NSEC_PER_SEC + hz - 1) / hz - now->tv_nsec;
	}
	*when = *now;
	rtc_add_ns(when, ns);
	return true;
}

/* Raises the interrupt line on time for guests that wait for it (Linux's
 * rtc-cmos alarms, which hwclock's RTC_UIE_ON uses). Ends when rtc_free()
 * asks, or once the VM is stopping. */
static void *rtc_thread(void *arg)
{
	struct rtc *r = arg;
	struct timespec now, when;

	pthread_mutex_lock(&r->lock);
	while (!r->stopping && !kvm_vm_stopping(r->vm)) {
		clock_gettime(CLOCK_REALTIME, &now);
		rtc_advance(r, &now);
		if (rtc_next_event(r, &now, &when))
			pthread_cond_timedwait(&r->wake, &r->lock, &when);
		else
			pthread_cond_wait(&r->wake, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static struct rtc *rtc_alloc(struct kvm_vm *vm, uint16_t port, int gsi)
{
	struct rtc *r = calloc(1, sizeof(*r));
	struct timespec now;

	if (!r)
		return NULL;
	r->vm = vm;
	r->port = port;
	r->has_irq = gsi >= 0;
	r->gsi = gsi;
	r->cmos[RTC_REG_A] = RTC_A_DEFAULT;
	r->cmos[RTC_REG_B] = RTC_B_DEFAULT;
	clock_gettime(CLOCK_REALTIME, &now);
	r->last_update = now.tv_sec;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	return r;
}

static void rtc_release(struct rtc *r)
{
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

struct rtc *rtc_new(struct kvm_vm *vm, uint16_t port, int gsi)
{
	struct rtc *r = rtc_alloc(vm, port, gsi);
	int ret;

	if (!r)
		return NULL;
	ret = iobus_register(&vm->pio, port, 2, &rtc_ops, r, "rtc");
	if (ret == 0 && r->has_irq) {
		ret = -pthread_create(&r->thread, NULL, rtc_thread, r);
		if (ret < 0)
			iobus_unregister(&vm->pio, port);
	}
	if (ret < 0) {
		rtc_release(r);
		errno = -ret;
		return NULL;
	}
	return r;
}

void rtc_free(struct rtc *r)
{
	if (!r)
		return;
	iobus_unregister(&r->vm->pio, r->port);
	if (r->has_irq) {
		pthread_mutex_lock(&r->lock);
		r->stopping = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	rtc_release(r);
}
