/* acpi_pm: the hardware-reduced ACPI sleep and reset registers (see
 * acpi_pm.h).
 *
 * ACPI 6.5 §4.8.3.7 (sleep control and sleep status registers) and §4.8.3.6
 * (reset register); the FADT points the guest at these ports. Depends on
 * src/kvm only.
 */
#include "acpi_pm.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "kvm.h"
#include "log.h"

#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK  0x1c /* bits 2-4 */
#define ACPI_SLP_EN	   0x20 /* bit 5, write-only */
#define ACPI_WAK_STS	   0x80 /* sleep status bit 7, write 1 to clear */

struct acpi_pm {
	struct kvm_vm *vm;
	struct acpi_pm_config cfg;
	atomic_uchar sleep_ctl; /* SLP_TYP as last written */
	atomic_uchar sleep_sts;
	atomic_bool warned; /* unsupported sleep states are logged once */
};

/* Only S5 (soft off) exists here. Any other state wakes at once: WAK_STS
 * is set so that the guest, which polls it after SLP_EN (ACPICA's
 * acpi_hw_extended_sleep), carries on instead of spinning forever. */
static void acpi_pm_sleep(struct acpi_pm *pm, unsigned int type)
{
	if (type == pm->cfg.s5_type) {
		log_info("acpi_pm: guest entered S5, powering off");
		kvm_vm_request_stop(pm->vm, VM_STOP_POWEROFF, 0);
		return;
	}
	if (!atomic_exchange(&pm->warned, true))
		log_warn("acpi_pm: sleep type %u is not supported, ignored",
			 type);
	atomic_fetch_or(&pm->sleep_sts, ACPI_WAK_STS);
}

static void sleep_ctl_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct acpi_pm *pm = opaque;

	*(uint8_t *)data = atomic_load(&pm->sleep_ctl);
}

static void sleep_ctl_write(void *opaque, uint64_t off, const void *data,
			    uint32_t len)
{
	struct acpi_pm *pm = opaque;
	uint8_t val = *(const uint8_t *)data;

	atomic_store(&pm->sleep_ctl, val & ACPI_SLP_TYP_MASK);
	if (val & ACPI_SLP_EN)
		acpi_pm_sleep(pm,
			      (val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT);
}

static const struct iobus_ops sleep_ctl_ops = {
	.read = sleep_ctl_read,
	.write = sleep_ctl_write,
};

static void sleep_sts_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	struct acpi_pm *pm = opaque;

	*(uint8_t *)data = atomic_load(&pm->sleep_sts);
}

static void sleep_sts_write(void *opaque, uint64_t off, const void *data,
			    uint32_t len)
{
	struct acpi_pm *pm = opaque;
	uint8_t val = *(const uint8_t *)data;

	atomic_fetch_and(&pm->sleep_sts, (uint8_t) ~(val & ACPI_WAK_STS));
}

static const struct iobus_ops sleep_sts_ops = {
	.read = sleep_sts_read,
	.write = sleep_sts_write,
};

static void reset_read(void *opaque, uint64_t off, void *data, uint32_t len)
{
	*(uint8_t *)data = 0;
}

static void reset_write(void *opaque, uint64_t off, const void *data,
			uint32_t len)
{
	struct acpi_pm *pm = opaque;
	uint8_t val = *(const uint8_t *)data;

	if (val != pm->cfg.reset_value) {
		log_guest("acpi_pm: reset register written with 0x%02x, "
			  "not 0x%02x; ignored",
			  val, pm->cfg.reset_value);
		return;
	}
	log_info("acpi_pm: reset register written, rebooting");
	kvm_vm_request_stop(pm->vm, VM_STOP_REBOOT, 0);
}

static const struct iobus_ops reset_ops = {
	.read = reset_read,
	.write = reset_write,
};

struct acpi_pm *acpi_pm_new(struct kvm_vm *vm, const struct acpi_pm_config *c)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));
	int ret;

	if (!pm)
		return NULL;
	pm->vm = vm;
	pm->cfg = *c;
	ret = iobus_register(&vm->pio, c->sleep_ctl_port, 1, &sleep_ctl_ops, pm,
			     "acpi sleep control");
	if (ret < 0)
		goto out_free;
	ret = iobus_register(&vm->pio, c->sleep_sts_port, 1, &sleep_sts_ops, pm,
			     "acpi sleep status");
	if (ret < 0)
		goto out_ctl;
	ret = iobus_register(&vm->pio, c->reset_port, 1, &reset_ops, pm,
			     "acpi reset");
	if (ret < 0)
		goto out_sts;
	return pm;

out_sts:
	iobus_unregister(&vm->pio, c->sleep_sts_port);
out_ctl:
	iobus_unregister(&vm->pio, c->sleep_ctl_port);
out_free:
	free(pm);
	errno = -ret;
	return NULL;
}

void acpi_pm_free(struct acpi_pm *pm)
{
	if (!pm)
		return;
	iobus_unregister(&pm->vm->pio, pm->cfg.sleep_ctl_port);
	iobus_unregister(&pm->vm->pio, pm->cfg.sleep_sts_port);
	iobus_unregister(&pm->vm->pio, pm->cfg.reset_port);
	free(pm);
}
