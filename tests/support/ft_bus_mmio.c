/* ft_bus_mmio: the fake transport's virtio-mmio bus (see fake_transport.h).
 *
 * The driver side of virtio 1.3 §4.2.3 as Linux's virtio_mmio.c does it:
 * every call is a 32-bit register access (config space 1/2/4 bytes) on the
 * window of a real struct virtio_mmio, version 2, on a fake_vm of the bus's
 * own (no RAM: the device already uses the test's guest_ram). The line's
 * levels land in that fake_vm; tests that count interrupts use "core".
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <stdlib.h>

#include "fake_transport.h"
#include "fake_vm.h"
#include "virtio_mmio.h"

#define FT_MMIO_BASE 0xd0000000ULL
#define FT_MMIO_GSI  5
#define QUEUE_RESET  0x0c0 /* virtio 1.2+, not in every uapi header */

struct mmio_bus {
	struct fake_vm fvm;
	struct virtio_mmio *vmio;
};

static struct mmio_bus *bus_of(struct fake_transport *ft)
{
	return ft->bus_priv;
}

static uint32_t rd(struct fake_transport *ft, uint32_t off, uint32_t len)
{
	uint32_t v = 0;

	ck_assert(iobus_read(&bus_of(ft)->fvm.vm.mmio, FT_MMIO_BASE + off, &v,
			     len));
	return v;
}

static void wr(struct fake_transport *ft, uint32_t off, uint32_t val,
	       uint32_t len)
{
	ck_assert(iobus_write(&bus_of(ft)->fvm.vm.mmio, FT_MMIO_BASE + off,
			      &val, len));
}

/* vm_probe(): the window answers as a version 2 device of the right id. */
static void mmio_attach(struct fake_transport *ft)
{
	struct virtio_mmio_config cfg = {.base = FT_MMIO_BASE,
					 .gsi = FT_MMIO_GSI};
	struct mmio_bus *b = calloc(1, sizeof(*b));

	ck_assert_ptr_nonnull(b);
	ft->bus_priv = b;
	fake_vm_init(&b->fvm, 0);
	ck_assert_int_eq(virtio_mmio_add(&b->fvm.vm, ft->vd, &cfg, &b->vmio),
			 0);
	ck_assert_uint_eq(rd(ft, VIRTIO_MMIO_MAGIC_VALUE, 4), 0x74726976);
	ck_assert_uint_eq(rd(ft, VIRTIO_MMIO_VERSION, 4), 2);
	ck_assert_uint_eq(rd(ft, VIRTIO_MMIO_DEVICE_ID, 4),
			  ft->vd->ops->device_id);
}

static uint8_t mmio_get_status(struct fake_transport *ft)
{
	return (uint8_t)rd(ft, VIRTIO_MMIO_STATUS, 4);
}

static void mmio_set_status(struct fake_transport *ft, uint8_t status)
{
	wr(ft, VIRTIO_MMIO_STATUS, status, 4);
}

static void mmio_detach(struct fake_transport *ft)
{
	struct mmio_bus *b = bus_of(ft);

	virtio_mmio_remove(b->vmio);
	fake_vm_destroy(&b->fvm);
	free(b);
	ft->bus_priv = NULL;
}

static uint32_t mmio_device_features(struct fake_transport *ft, uint32_t word)
{
	wr(ft, VIRTIO_MMIO_DEVICE_FEATURES_SEL, word, 4);
	return rd(ft, VIRTIO_MMIO_DEVICE_FEATURES, 4);
}

static void mmio_driver_features(struct fake_transport *ft, uint32_t word,
				 uint32_t val)
{
	wr(ft, VIRTIO_MMIO_DRIVER_FEATURES_SEL, word, 4);
	wr(ft, VIRTIO_MMIO_DRIVER_FEATURES, val, 4);
}

static uint16_t mmio_queue_max_size(struct fake_transport *ft, uint16_t idx)
{
	wr(ft, VIRTIO_MMIO_QUEUE_SEL, idx, 4);
	return (uint16_t)rd(ft, VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
}

static void wr64(struct fake_transport *ft, uint32_t off, uint64_t val)
{
	wr(ft, off, (uint32_t)val, 4);
	wr(ft, off + 4, (uint32_t)(val >> 32), 4);
}

/* vm_setup_vq(), version 2. */
static void mmio_queue_setup(struct fake_transport *ft, uint16_t idx,
			     const struct drvq *q)
{
	wr(ft, VIRTIO_MMIO_QUEUE_SEL, idx, 4);
	ck_assert_uint_eq(rd(ft, VIRTIO_MMIO_QUEUE_READY, 4), 0);
	ck_assert_uint_ge(rd(ft, VIRTIO_MMIO_QUEUE_NUM_MAX, 4), q->size);
	wr(ft, VIRTIO_MMIO_QUEUE_NUM, q->size, 4);
	wr64(ft, VIRTIO_MMIO_QUEUE_DESC_LOW, q->desc_gpa);
	wr64(ft, VIRTIO_MMIO_QUEUE_AVAIL_LOW, q->driver_gpa);
	wr64(ft, VIRTIO_MMIO_QUEUE_USED_LOW, q->device_gpa);
	wr(ft, VIRTIO_MMIO_QUEUE_READY, 1, 4);
	ck_assert_uint_eq(rd(ft, VIRTIO_MMIO_QUEUE_READY, 4), 1);
}

/* vm_notify() / vm_notify_with_data(): one 32-bit write either way. */
static void mmio_notify(struct fake_transport *ft, uint16_t idx, uint32_t data)
{
	wr(ft, VIRTIO_MMIO_QUEUE_NOTIFY, data, 4);
}

static void config_piece(struct fake_transport *ft, uint32_t off, uint8_t *buf,
			 uint32_t len, bool write)
{
	uint32_t v = 0;

	if (write) {
		for (uint32_t i = 0; i < len; i++)
			v |= (uint32_t)buf[i] << (8 * i);
		wr(ft, VIRTIO_MMIO_CONFIG + off, v, len);
		return;
	}
	v = rd(ft, VIRTIO_MMIO_CONFIG + off, len);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
}

/* vm_get() wrapped in virtio_cread's generation loop (§2.5.1). */
static int mmio_config_read(struct fake_transport *ft, uint32_t off, void *buf,
			    uint32_t len)
{
	uint32_t gen;

	for (int tries = 0;; tries++) {
		ck_assert_int_lt(tries, 100);
		gen = rd(ft, VIRTIO_MMIO_CONFIG_GENERATION, 4);
		ft_config_pieces(ft, off, buf, len, false, config_piece);
		if (rd(ft, VIRTIO_MMIO_CONFIG_GENERATION, 4) == gen)
			return 0;
	}
}

static int mmio_config_write(struct fake_transport *ft, uint32_t off,
			     const void *buf, uint32_t len)
{
	ft_config_pieces(ft, off, (uint8_t *)buf, len, true, config_piece);
	return 0;
}

/* vm_reset_vq(): QueueReset = 1, then wait for it to read 0. */
static int mmio_queue_reset(struct fake_transport *ft, uint16_t idx)
{
	wr(ft, VIRTIO_MMIO_QUEUE_SEL, idx, 4);
	wr(ft, QUEUE_RESET, 1, 4);
	for (int tries = 0; rd(ft, QUEUE_RESET, 4); tries++)
		ck_assert_int_lt(tries, 1000);
	return rd(ft, VIRTIO_MMIO_QUEUE_READY, 4) ? -EIO : 0;
}

const struct ft_bus ft_bus_mmio = {
	.name = "mmio",
	.attach = mmio_attach,
	.detach = mmio_detach,
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.device_features = mmio_device_features,
	.driver_features = mmio_driver_features,
	.queue_max_size = mmio_queue_max_size,
	.queue_setup = mmio_queue_setup,
	.notify = mmio_notify,
	.config_read = mmio_config_read,
	.config_write = mmio_config_write,
	.queue_reset = mmio_queue_reset,
};
