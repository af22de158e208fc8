/* rtc: the MC146818 CMOS real-time clock at ports 0x70/0x71, giving the
 * host's current UTC date and time in BCD or binary, 12- or 24-hour, plus
 * the CMOS RAM bytes (century at 0x32). A guest that sets the time keeps
 * its offset from the host's clock from then on.
 *
 * Register C's update, alarm and periodic flags are kept. Without an
 * interrupt line the guest may poll them; with one, a timer thread raises
 * the line when an enabled flag rises, as Linux's rtc-cmos expects when the
 * firmware gives it IRQ 8 (hwclock waits for that interrupt).
 */
#ifndef VMM_DEVICES_RTC_H
#define VMM_DEVICES_RTC_H

#include <stdint.h>

struct kvm_vm;
struct rtc;

/* Claims [port, port + 2). gsi is the interrupt line, or -1 for none; with
 * a line, starts the timer thread. Returns NULL on failure with errno set. */
struct rtc *rtc_new(struct kvm_vm *vm, uint16_t port, int gsi);

/* Releases the ports, stops the thread and frees the device. No vCPU may
 * be running. NULL is a no-op. */
void rtc_free(struct rtc *r);

#endif
