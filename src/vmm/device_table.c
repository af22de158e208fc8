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
		m->legacy[m->nr_legacy++] =
			(struct machine_legacy_dev){.acpi_name = name,
						    .pnp_id = pnp,
						    .port = port,
						    .port_len = len,
						    .irq = irq};
}

/* Creates each device in turn; returns the name of the one that failed,
 * or NULL. */
static const char *create_all(struct kvm_vm *vm, struct platform_devices *p,
			      int out_fd, const struct timespec *start)
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

	p->com1 = serial_create(vm, LAYOUT_PORT_COM1, LAYOUT_IRQ_COM1, out_fd);
	if (!p->com1)
		return "serial port COM1";
	p->rtc = rtc_new(vm, LAYOUT_PORT_RTC, LAYOUT_IRQ_RTC);
	if (!p->rtc)
		return "RTC";
	p->i8042 = i8042_new(vm, LAYOUT_PORT_I8042_DATA, LAYOUT_PORT_I8042_CMD);
	if (!p->i8042)
		return "i8042";
	p->debug_ports = debug_ports_new(vm, &dbg);
	if (!p->debug_ports)
		return "debug ports";
	p->acpi_pm = acpi_pm_new(vm, &pm);
	if (!p->acpi_pm)
		return "ACPI power management";
	return NULL;
}

int device_table_create_platform(struct kvm_vm *vm, struct machine *m,
				 struct platform_devices *p, int out_fd,
				 const struct timespec *start,
				 struct console_sink *sink, char *err,
				 size_t err_len)
{
	const char *failed;

	memset(p, 0, sizeof(*p));
	failed = create_all(vm, p, out_fd, start);
	if (failed) {
		snprintf(err, err_len, "cannot create the %s: %s", failed,
			 strerror(errno));
		device_table_destroy_platform(p);
		return -1;
	}
	add_legacy(m, "COM1", "PNP0501", LAYOUT_PORT_COM1, 8, LAYOUT_IRQ_COM1);
	add_legacy(m, "RTC_", "PNP0B00", LAYOUT_PORT_RTC, 2, LAYOUT_IRQ_RTC);
	*sink = (struct console_sink){.fn = serial_sink, .opaque = p->com1};
	return 0;
}

void device_table_destroy_platform(struct platform_devices *p)
{
	acpi_pm_free(p->acpi_pm);
	debug_ports_free(p->debug_ports);
	i8042_free(p->i8042);
	rtc_free(p->rtc);
	if (p->com1)
		serial_destroy(p->com1);
	memset(p, 0, sizeof(*p));
}
