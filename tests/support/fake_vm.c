/* fake_vm: a KVM-less machine for unit tests (see fake_vm.h). */
#include "fake_vm.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int record_irq_line(struct kvm_vm *vm, uint32_t gsi, int level)
{
	struct fake_vm *f = (struct fake_vm *)vm;

	ck_assert_uint_lt(gsi, KVM_IOAPIC_NUM_PINS);
	if (level && !f->irq_level[gsi])
		f->irq_raises[gsi]++;
	f->irq_level[gsi] = level;
	return 0;
}

void fake_vm_init(struct fake_vm *f, uint64_t ram_size)
{
	memset(f, 0, sizeof(*f));
	f->vm.kvm_fd = -1;
	f->vm.vm_fd = -1;
	f->vm.irq_line = record_irq_line;
	pthread_mutex_init(&f->vm.stop_lock, NULL);
	pthread_cond_init(&f->vm.stop_cond, NULL);
	ck_assert_int_eq(iobus_init(&f->vm.pio, "pio"), 0);
	ck_assert_int_eq(iobus_init(&f->vm.mmio, "mmio"), 0);
	if (ram_size) {
		f->ram = calloc(1, ram_size);
		ck_assert_ptr_nonnull(f->ram);
		f->ram_size = ram_size;
		ck_assert_int_eq(
			gmem_add_region(&f->vm.mem, 0, f->ram, ram_size), 0);
	}
}

void fake_vm_destroy(struct fake_vm *f)
{
	iobus_destroy(&f->vm.pio);
	iobus_destroy(&f->vm.mmio);
	free(f->ram);
}

uint32_t fake_in(struct fake_vm *f, uint16_t port, uint32_t len)
{
	uint32_t val = 0;

	iobus_read(&f->vm.pio, port, &val, len);
	return val;
}

void fake_out(struct fake_vm *f, uint16_t port, uint32_t val, uint32_t len)
{
	iobus_write(&f->vm.pio, port, &val, len);
}

uint8_t fake_inb(struct fake_vm *f, uint16_t port)
{
	return (uint8_t)fake_in(f, port, 1);
}

void fake_outb(struct fake_vm *f, uint16_t port, uint8_t val)
{
	fake_out(f, port, val, 1);
}
