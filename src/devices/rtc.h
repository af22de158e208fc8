/* rtc: the MC146818 CMOS real-time clock at ports 0x70/0x71, giving the
 * host's current UTC date and time in BCD, plus the CMOS RAM bytes. */
#ifndef VMM_DEVICES_RTC_H
#define VMM_DEVICES_RTC_H

#include <stdint.h>

struct kvm_vm;

/* Claims [port, port + 2). Returns 0 or -errno. */
int rtc_create(struct kvm_vm *vm, uint16_t port);

#endif
