/* device_table: creates the machine's devices (see device_table.h).
 * The only file that includes device headers (../shared/STYLE.md). */
#include "device_table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acpi_pm.h"
#include "debug_ports.h"
#include "i8042.h"
#include "layout.h"
#include "rtc.h"
#include "serial.h"

static size_t serial_sink(void *opaque, const void *buf, size_t len)
{
	return serial_receive(opaque, buf, len);
}

static void add_legacy(struct machine *m, const char *name, const char *pnp,
		       uint16_t port, uint16_t len, int irq)
{
	if (m->nr_legacy < MACHINE_MAX_LEGACY_DEVS)
		m->legacy[m->nr_legacy++] = (struct machine_legacy_dev){
			.acpi_name = name, .pnp_id = pnp, .port = port,
			.port_len = len, .irq = irq};
}

int device_table_create_platform(struct kvm_vm *vm, struct machine *m,
				 int out_fd, const struct timespec *start,
				 struct console_sink *sink, char *err,
				 size_t err_len)
{
	const struct debug_ports_config dbg = {
		.post_port = LAYOUT_PORT_POST,
		.exit_port = LAYOUT_PORT_DEBUG_EXIT,
		.boot_timer_port = LAYOUT_PORT_BOOT_TIMER,
		.start = *start,
	};
	const struct acpi_pm_config pm = {
		.sleep_ctl_port = LAYOUT_PORT_ACPI_SLEEP_CTL,
		.sleep_sts_port = LAYOUT_PORT_ACPI_SLEEP_STS,
		.reset_port = LAYOUT_PORT_ACPI_RESET,
		.reset_value = LAYOUT_ACPI_RESET_VALUE,
		.s5_type = LAYOUT_ACPI_S5_TYPE,
	};
	struct serial *com1;
	const char *what = NULL;
	int ret;

	com1 = serial_create(vm, LAYOUT_PORT_COM1, LAYOUT_IRQ_COM1, out_fd);
	if (!com1) {
		ret = -errno;
		what = "serial port COM1";
	} else if ((ret = rtc_create(vm, LAYOUT_PORT_RTC)) < 0) {
		what = "RTC";
	} else if ((ret = i8042_create(vm, LAYOUT_PORT_I8042_DATA,
				       LAYOUT_PORT_I8042_CMD)) < 0) {
		what = "i8042";
	} else if ((ret = debug_ports_create(vm, &dbg)) < 0) {
		what = "debug ports";
	} else if ((ret = acpi_pm_create(vm, &pm)) < 0) {
		what = "ACPI power management";
	}
	if (what) {
		snprintf(err, err_len, "cannot create the %s: %s", what,
			 strerror(-ret));
		return -1;
	}
	add_legacy(m, "COM1", "PNP0501", LAYOUT_PORT_COM1, 8, LAYOUT_IRQ_COM1);
	add_legacy(m, "RTC_", "PNP0B00", LAYOUT_PORT_RTC, 2, LAYOUT_IRQ_RTC);
	*sink = (struct console_sink){.fn = serial_sink, .opaque = com1};
	return 0;
}
