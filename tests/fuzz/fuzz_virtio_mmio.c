/* fuzz_virtio_mmio: the virtio-mmio transport from the guest's side
 * (virtio 1.3 §4.2.2 register layout, §4.2.4 legacy version 1).
 *
 * Every input builds a fresh machine as tests/unit/test_virtio_mmio.c does
 * (fake VM, 64 KiB of guest RAM, the echo device behind one register
 * window, version 2 or 1 as the header says), then plays register accesses
 * of any width and offset, guest RAM writes (the rings) and "device thread"
 * steps that make the echo device pop and push; format in fz_formats.h.
 * Kicks are served on this thread (no ioeventfd without KVM).
 */
#include <linux/virtio_mmio.h>
#include <stdio.h>
#include <stdlib.h>

#include "echo_dev.h"
#include "fake_vm.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "virtio_mmio.h"

#define MMIO_BASE 0xd0000000ULL
#define MMIO_GSI  5

struct mmiof {
	struct fz in;
	struct fake_vm vm;
	struct guest_ram ram;
	struct echo_dev echo;
	struct virtio_mmio *vmio;
	unsigned int version;
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_virtio_mmio: %s\n", what);
	abort();
}

static int setup(struct mmiof *f)
{
	uint8_t flags = fz_u8(&f->in);
	struct virtio_mmio_config cfg = {
		.base = MMIO_BASE,
		.gsi = MMIO_GSI,
		.version = flags & FZ_MMIO_F_LEGACY ? 1 : 2,
	};

	f->version = cfg.version;
	fake_vm_init(&f->vm, 0);
	guest_ram_init(&f->ram, FZ_MMIO_RAM_LEN);
	if (echo_dev_init(&f->echo, &f->ram.mem) < 0)
		return -1;
	f->echo.flush_each = flags & FZ_MMIO_F_FLUSH_EACH;
	return virtio_mmio_add(&f->vm.vm, &f->echo.vd, &cfg, &f->vmio);
}

/* The safe order (virtio_mmio.h): the transport goes first, so the reset
 * it does still finds the device, then the device, then its memory. */
static void teardown(struct mmiof *f)
{
	if (f->vmio)
		virtio_mmio_remove(f->vmio);
	echo_dev_destroy(&f->echo);
	guest_ram_destroy(&f->ram);
	fake_vm_destroy(&f->vm);
}

/* One access of 1, 2, 4 or 8 bytes inside the window (an 8-byte one may
 * run past its end), as a vCPU exit would hand it over. */
static void window_access(struct mmiof *f, bool write)
{
	uint64_t addr = MMIO_BASE + fz_u16(&f->in) % VIRTIO_MMIO_REGION_SIZE;
	uint32_t len = 1u << (fz_u8(&f->in) % 4);
	uint64_t val = 0;

	if (write) {
		val = fz_u64(&f->in);
		iobus_write(&f->vm.vm.mmio, addr, &val, len);
	} else {
		iobus_read(&f->vm.vm.mmio, addr, &val, len);
	}
}

static void poke_ram(struct mmiof *f)
{
	uint16_t gpa = fz_u16(&f->in);
	uint32_t len = fz_u8(&f->in);

	if (len > FZ_MMIO_RAM_LEN - gpa)
		len = FZ_MMIO_RAM_LEN - gpa;
	fz_bytes(&f->in, f->ram.low + gpa, len);
}

/* What a device thread does when it looks at a queue without a kick:
 * pop everything available, echo it, push, flush. A queue that is not
 * live gives nothing (vq_pop returns 0). */
static void process(struct mmiof *f)
{
	uint16_t q = fz_u8(&f->in) % ECHO_NUM_QUEUES;

	echo_dev_process(&f->echo, virtio_queue(&f->echo.vd, q));
}

static uint32_t reg(struct mmiof *f, uint64_t off)
{
	uint32_t val = 0;

	iobus_read(&f->vm.vm.mmio, MMIO_BASE + off, &val, 4);
	return val;
}

/* What the transport and the core promise whatever the guest did: only
 * known status bits; a version 2 device never reaches DRIVER_OK without
 * FEATURES_OK, a version 1 one never negotiates VERSION_1 (§4.2.4); the
 * line is high exactly while InterruptStatus is not 0 (§4.2.3.4); live
 * queues keep their positions in range. */
static void check(struct mmiof *f)
{
	struct virtio_dev *vd = &f->echo.vd;
	uint8_t known = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK |
			VIRTIO_CONFIG_S_DRIVER_OK |
			VIRTIO_CONFIG_S_NEEDS_RESET | VIRTIO_CONFIG_S_FAILED;
	uint8_t status = virtio_get_status(vd);

	if (status & ~known)
		fail("unknown status bits");
	if (f->version == 2 && (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(status & VIRTIO_CONFIG_S_FEATURES_OK))
		fail("DRIVER_OK without FEATURES_OK on version 2");
	if (f->version == 1 && virtio_has_feature(vd, VIRTIO_F_VERSION_1))
		fail("VERSION_1 negotiated on a legacy device");
	if (!f->vm.irq_level[MMIO_GSI] != !reg(f, VIRTIO_MMIO_INTERRUPT_STATUS))
		fail("interrupt line does not follow InterruptStatus");
	for (uint16_t q = 0; q < ECHO_NUM_QUEUES; q++)
		fz_check_queue(virtio_queue(vd, q));
}

static void run_op(struct mmiof *f, uint8_t op)
{
	switch (op % FZ_MMIO_NR_OPS) {
	case FZ_MMIO_READ:
		window_access(f, false);
		break;
	case FZ_MMIO_WRITE:
		window_access(f, true);
		break;
	case FZ_MMIO_MEM:
		poke_ram(f);
		break;
	case FZ_MMIO_PROCESS:
		process(f);
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmiof *f = calloc(1, sizeof(*f));

	if (!f)
		fail("out of memory");
	fz_init(&f->in, data, size);
	if (setup(f) < 0)
		fail("cannot build the machine");
	while (!fz_done(&f->in)) {
		run_op(f, fz_u8(&f->in));
		check(f);
	}
	teardown(f);
	free(f);
	return 0;
}
