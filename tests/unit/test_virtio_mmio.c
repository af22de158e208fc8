/* test_virtio_mmio: the virtio-mmio transport (src/bus/mmio, virtio 1.3
 * §4.2) driven register by register like Linux's virtio_mmio driver, over
 * the echo device: every register with right and wrong widths, reserved
 * offsets, writes in the wrong phase, split and packed rings, the level
 * interrupt line (recorded by fake_vm), ConfigGeneration, QueueReset, the
 * shared memory registers and the legacy version 1 layout. No KVM: kicks
 * are register writes and the line goes through vm->irq_line.
 */
#include <check.h>
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "drvq.h"
#include "echo_dev.h"
#include "fake_transport.h"
#include "fake_vm.h"
#include "guest_ram.h"
#include "test_runner.h"
#include "virtio_mmio.h"

#define BASE	 0xd0000000ULL
#define GSI	 5
#define QSIZE	 16
#define BIT(n)	 (1ULL << (n))
#define S_ACK	 VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV	 VIRTIO_CONFIG_S_DRIVER
#define S_FOK	 VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK	 VIRTIO_CONFIG_S_DRIVER_OK
#define Q_RESET	 0x0c0 /* QueueReset, virtio 1.2+ */
#define NO_SHM	 0xffffffffu
#define INT_BOTH (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG)

static struct fake_vm f;
static struct guest_ram ram;
static struct echo_dev echo;
static struct virtio_mmio *vmio;

/* Accesses of any width, as a vCPU exit would deliver them. */
static uint64_t rdw(uint64_t off, uint32_t len)
{
	uint64_t v = 0;

	iobus_read(&f.vm.mmio, BASE + off, &v, len);
	return v;
}

static void wrw(uint64_t off, uint64_t val, uint32_t len)
{
	iobus_write(&f.vm.mmio, BASE + off, &val, len);
}

static uint32_t rd(uint64_t off)
{
	return (uint32_t)rdw(off, 4);
}

static void wr(uint64_t off, uint32_t val)
{
	wrw(off, val, 4);
}

static void add_version(unsigned int version)
{
	struct virtio_mmio_config cfg = {
		.base = BASE, .gsi = GSI, .version = version};

	ck_assert_int_eq(virtio_mmio_add(&f.vm, &echo.vd, &cfg, &vmio), 0);
}

static void setup_common(void)
{
	fake_vm_init(&f, 0);
	guest_ram_init(&ram, 1 << 20);
	ck_assert_int_eq(echo_dev_init(&echo, &ram.mem), 0);
	vmio = NULL;
}

static void setup(void)
{
	setup_common();
	add_version(2);
}

static void setup_v1(void)
{
	setup_common();
	add_version(1);
}

static void teardown(void)
{
	if (vmio)
		virtio_mmio_remove(vmio);
	echo_dev_destroy(&echo);
	guest_ram_destroy(&ram);
	fake_vm_destroy(&f);
}

/* Linux's virtio_dev_probe up to FEATURES_OK; returns what was accepted. */
static uint64_t negotiate(uint64_t want)
{
	uint64_t offered;

	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered = (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= rd(VIRTIO_MMIO_DEVICE_FEATURES);
	want &= offered;
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	return want;
}

/* vm_setup_vq() for version 2. */
static void setup_queue(struct drvq *q, uint16_t idx, uint64_t features)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, idx);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), ECHO_QUEUE_MAX);
	drvq_init(q, &ram, idx, QSIZE, features);
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc_gpa);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc_gpa >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)q->driver_gpa);
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(q->driver_gpa >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)q->device_gpa);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(q->device_gpa >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, idx, VIRTIO_QUEUE_DRIVER),
			  q->driver_gpa);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | S_FOK | S_DOK);
}

/* One request through q, kicked through QueueNotify if the device wants
 * it; returns the bytes the device wrote. */
static uint32_t request(struct drvq *q, const char *msg)
{
	uint64_t in = guest_ram_put(&ram, msg, strlen(msg));
	uint64_t out = guest_ram_alloc(&ram, 64, 16);
	struct drvq_buf b[2] = {{in, (uint32_t)strlen(msg), false},
				{out, 64, true}};
	uint32_t len = 0;
	int token = 1;

	ck_assert_int_eq(drvq_add(q, b, 2, false, &token), 0);
	if (drvq_kick_prepare(q))
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, drvq_notify_value(q));
	ck_assert_ptr_eq(drvq_get_used(q, &len), &token);
	ck_assert_mem_eq(guest_ram_ptr(&ram, out, strlen(msg)), msg,
			 strlen(msg));
	return len;
}

/* vm_interrupt(): read the cause, acknowledge it. */
static uint32_t take_interrupt(void)
{
	uint32_t isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);

	wr(VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

static const uint64_t ring_features[] = {
	BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_EVENT_IDX),
	BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_RING_PACKED) |
		BIT(VIRTIO_RING_F_EVENT_IDX),
};

/* --- Identity and the register map --- */

START_TEST(identity)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), ECHO_DEVICE_ID);
	ck_assert_uint_ne(rd(VIRTIO_MMIO_VENDOR_ID), 0);
	/* The window is exactly 0x200 long. */
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_REGION_SIZE, 4), 0xffffffff);
	/* Features: VERSION_1 in word 1, device bits in word 0, no core
	 * bits the core does not implement. */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES) & BIT(ECHO_F_FANCY),
			  BIT(ECHO_F_FANCY));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES) & 1, 1);
	/* Without KVM there is no ioeventfd: NOTIFICATION_DATA is offered. */
	ck_assert(rd(VIRTIO_MMIO_DEVICE_FEATURES) &
		  BIT(VIRTIO_F_NOTIFICATION_DATA - 32));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES) &
				  BIT(VIRTIO_F_ACCESS_PLATFORM - 32),
			  0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}
END_TEST

struct access {
	uint32_t off, len;
};

/* Control registers take only 32-bit aligned accesses (§4.2.2.2). */
static const struct access bad_width[] = {
	{VIRTIO_MMIO_MAGIC_VALUE, 1},
	{VIRTIO_MMIO_MAGIC_VALUE, 2},
	{VIRTIO_MMIO_MAGIC_VALUE, 8},
	{VIRTIO_MMIO_MAGIC_VALUE + 1, 1},
	{VIRTIO_MMIO_MAGIC_VALUE + 2, 2},
	{VIRTIO_MMIO_STATUS, 1},
	{VIRTIO_MMIO_STATUS, 2},
	{VIRTIO_MMIO_STATUS + 1, 1},
	{VIRTIO_MMIO_QUEUE_SEL, 2},
	{VIRTIO_MMIO_QUEUE_NUM_MAX, 2},
	{VIRTIO_MMIO_QUEUE_NUM_MAX + 2, 2},
	{VIRTIO_MMIO_DEVICE_FEATURES, 8},
	{VIRTIO_MMIO_QUEUE_DESC_LOW, 8},
	{VIRTIO_MMIO_INTERRUPT_STATUS, 1},
	{VIRTIO_MMIO_CONFIG_GENERATION, 2},
	{VIRTIO_MMIO_VERSION + 1, 4},
};

START_TEST(bad_width_access)
{
	const struct access *a = &bad_width[_i];

	/* Reads give 0, not a slice of the register. */
	ck_assert_uint_eq(rdw(a->off, a->len), 0);
	/* Writes do nothing: try to move status and select queue 1. */
	wrw(a->off, 0x0101010101010101ULL, a->len);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(echo.vd.queue_sel, 0);
	ck_assert_uint_eq(echo.vd.device_features_sel, 0);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, 0, VIRTIO_QUEUE_DESC), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
}
END_TEST

/* Everything a stray access could change, to compare before and after. */
struct snapshot {
	uint8_t status;
	uint32_t dsel, gsel, isr, gen;
	uint16_t qsel;
	uint64_t driver_features;
	uint16_t size[ECHO_NUM_QUEUES];
	bool enabled[ECHO_NUM_QUEUES];
	uint64_t addr[ECHO_NUM_QUEUES][3];
	unsigned int notifies, queue_resets, resets;
};

static void snap(struct snapshot *sn)
{
	struct virtio_dev *vd = &echo.vd;

	memset(sn, 0, sizeof(*sn));
	sn->status = virtio_get_status(vd);
	sn->dsel = vd->device_features_sel;
	sn->gsel = vd->driver_features_sel;
	sn->qsel = vd->queue_sel;
	sn->driver_features = vd->driver_features;
	sn->isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);
	sn->gen = vd->config_gen;
	for (uint16_t q = 0; q < ECHO_NUM_QUEUES; q++) {
		sn->size[q] = virtio_queue_size(vd, q);
		sn->enabled[q] = virtio_queue_enabled(vd, q);
		for (int a = 0; a < 3; a++)
			sn->addr[q][a] = virtio_queue_addr(
				vd, q, (enum virtio_queue_area)a);
	}
	sn->notifies = echo.notifies;
	sn->queue_resets = echo.queue_resets;
	sn->resets = echo.resets;
}

/* Every 32-bit slot of the register area, defined or not, with every
 * access that is not 32-bit aligned: 1 and 2 bytes at each offset that
 * fits, and 8 bytes. Reads give 0; writes change nothing. The device is
 * mid-setup (ACK | DRIVER, queue 0 sized) so that a leak would show. */
START_TEST(every_register_bad_access)
{
	static const struct access acc[] = {{0, 1}, {1, 1}, {2, 1}, {3, 1},
					    {0, 2}, {2, 2}, {0, 8}, {1, 2},
					    {1, 4}, {2, 4}, {3, 4}};
	uint32_t base = (uint32_t)_i * 4;
	struct snapshot before, after;

	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	snap(&before);
	for (unsigned int i = 0; i < sizeof(acc) / sizeof(acc[0]); i++) {
		uint32_t off = base + acc[i].off, len = acc[i].len;

		if (off % len == 0 && len == 4)
			continue; /* the one right access */
		ck_assert_msg(rdw(off, len) == 0, "read %#x len %u", off, len);
		wrw(off, 0x0101010101010101ULL, len);
		wrw(off, 0, len);
	}
	snap(&after);
	ck_assert_mem_eq(&before, &after, sizeof(before));
}
END_TEST

/* Holes of the version 2 map, including version 1's registers. */
static const uint32_t reserved_v2[] = {
	0x018,
	0x01c,
	VIRTIO_MMIO_GUEST_PAGE_SIZE,
	0x02c,
	VIRTIO_MMIO_QUEUE_ALIGN,
	VIRTIO_MMIO_QUEUE_PFN,
	0x048,
	0x04c,
	0x054,
	0x05c,
	0x068,
	0x074,
	0x07c,
	0x088,
	0x098,
	0x0a8,
	0x0c4,
	0x0d0,
	0x0f8,
};

START_TEST(reserved_offsets)
{
	uint32_t off = reserved_v2[_i];

	ck_assert_uint_eq(rd(off), 0);
	wr(off, 0xffffffff);
	ck_assert_uint_eq(rd(off), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(echo.vd.queue_sel, 0);
}
END_TEST

START_TEST(register_directions)
{
	/* Read-only registers ignore writes. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(VIRTIO_MMIO_VERSION, 1);
	wr(VIRTIO_MMIO_DEVICE_ID, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
	wr(VIRTIO_MMIO_CONFIG_GENERATION, 9);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), ECHO_DEVICE_ID);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), ECHO_QUEUE_MAX);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* A device event cannot be faked by writing InterruptStatus. */
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* Write-only registers read 0, whatever was written. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_SEL), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES_SEL), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_ACK), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_SEL), 0);
	/* ... but they took effect. */
	ck_assert_uint_eq(echo.vd.queue_sel, 1);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 1), 8);
	ck_assert_uint_eq(echo.vd.device_features_sel, 1);
}
END_TEST

/* --- A Linux driver, end to end --- */

START_TEST(linux_init)
{
	uint64_t feat = negotiate(ring_features[_i] | BIT(ECHO_F_FANCY));
	struct drvq q0, q1;

	ck_assert_int_eq(virtio_has_feature(&echo.vd, VIRTIO_F_RING_PACKED),
			 _i);
	setup_queue(&q0, 0, feat);
	setup_queue(&q1, 1, feat);
	driver_ok();
	ck_assert_uint_eq(echo.activations, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(request(&q0, "hello"), 5);
		ck_assert_int_eq(f.irq_level[GSI], 1);
		ck_assert_uint_eq(take_interrupt(), VIRTIO_MMIO_INT_VRING);
		ck_assert_int_eq(f.irq_level[GSI], 0);
		ck_assert_uint_eq(request(&q1, "packed or split"), 15);
		ck_assert_uint_eq(take_interrupt(), VIRTIO_MMIO_INT_VRING);
	}
	ck_assert_uint_eq(f.irq_raises[GSI], 6);
	ck_assert_uint_eq(echo.notifies, 6);
	/* Reset: status, queues and the interrupt all go back to 0. */
	ck_assert_uint_eq(request(&q0, "x"), 1);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(echo.resets, 2); /* negotiate's and this one */
	drvq_destroy(&q0);
	drvq_destroy(&q1);
}
END_TEST

START_TEST(notification_data)
{
	uint64_t feat =
		negotiate(ring_features[_i] | BIT(VIRTIO_F_NOTIFICATION_DATA));
	struct drvq q0;
	struct virtq *vq = virtio_queue(&echo.vd, 0);

	ck_assert(virtio_has_feature(&echo.vd, VIRTIO_F_NOTIFICATION_DATA));
	setup_queue(&q0, 0, feat);
	driver_ok();
	ck_assert_uint_eq(request(&q0, "data"), 4);
	/* The whole 32-bit value reached the core: split, the avail index
	 * 1; packed, position 2 (after a two-descriptor chain) in the first
	 * lap, wrap counter 1. */
	ck_assert(vq->kick_has_data);
	ck_assert_uint_eq(vq->kick_next, _i ? 0x8002 : 1);
	drvq_destroy(&q0);
}
END_TEST

/* --- Writes in the wrong phase (§4.2.2.2, §3.1.1) --- */

START_TEST(wrong_phase)
{
	uint64_t feat = negotiate(ring_features[0]);
	struct drvq q0;

	/* DriverFeatures after FEATURES_OK: frozen. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, BIT(ECHO_F_FANCY));
	ck_assert_uint_eq(echo.vd.driver_features, feat);
	setup_queue(&q0, 0, feat);
	/* QueueNum and the ring addresses after QueueReady: refused. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 1);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 0), QSIZE);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, 0, VIRTIO_QUEUE_DESC),
			  q0.desc_gpa);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, 0, VIRTIO_QUEUE_DEVICE),
			  q0.device_gpa);
	/* QueueReady = 0 on a live queue needs RING_RESET: still ready. */
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	driver_ok();
	/* Status: no clearing bits, no bits above 7, no skipping. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	wr(VIRTIO_MMIO_STATUS, 0x100 | S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | S_FOK | S_DOK);
	ck_assert_uint_eq(request(&q0, "still fine"), 10);
	drvq_destroy(&q0);
}
END_TEST

START_TEST(status_order)
{
	/* DRIVER_OK before FEATURES_OK, DRIVER before ACKNOWLEDGE. */
	wr(VIRTIO_MMIO_STATUS, S_DRV);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK);
	/* FEATURES_OK without VERSION_1 is refused by the core. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, BIT(ECHO_F_FANCY));
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	ck_assert_uint_eq(echo.activations, 0);
}
END_TEST

START_TEST(queue_sel_out_of_range)
{
	static const uint32_t sel[] = {ECHO_NUM_QUEUES, 0xffff, 0x10000,
				       0x10001, 0xffffffff};

	negotiate(ring_features[0]);
	for (unsigned int i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, sel[i]);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
		wr(VIRTIO_MMIO_QUEUE_NUM, 8);
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x4000);
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
		/* 0x10000 and up must not wrap onto queue 0 or 1. */
		for (uint16_t q = 0; q < ECHO_NUM_QUEUES; q++) {
			ck_assert(!virtio_queue_enabled(&echo.vd, q));
			ck_assert_uint_eq(virtio_queue_size(&echo.vd, q),
					  ECHO_QUEUE_MAX);
			ck_assert_uint_eq(virtio_queue_addr(&echo.vd, q,
							    VIRTIO_QUEUE_DESC),
					  0);
		}
	}
	/* Kicks for missing queues are dropped. */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, ECHO_NUM_QUEUES);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0x7fffffff);
	ck_assert_uint_eq(echo.notifies, 0);
}
END_TEST

START_TEST(queue_num_limits)
{
	negotiate(ring_features[0]);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 0);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 0), ECHO_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, ECHO_QUEUE_MAX + 1);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 0), ECHO_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 0x10000 | 8); /* would truncate to 8 */
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 0), ECHO_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 0), 8);
	/* A 64-bit ring address in two halves. */
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 0x12);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, 0x3456000);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, 0, VIRTIO_QUEUE_DEVICE),
			  0x1203456000ULL);
}
END_TEST

/* --- Interrupts: InterruptStatus, InterruptACK and the line --- */

START_TEST(interrupt_levels)
{
	uint64_t feat = negotiate(ring_features[_i]);
	struct drvq q0;

	setup_queue(&q0, 0, feat);
	driver_ok();
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* A used buffer: bit 0, line high. */
	request(&q0, "a");
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	/* A config change on top: bit 1, still one rising edge. */
	ck_assert_int_eq(virtio_config_update(&echo.vd, 0, "z", 1), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), INT_BOTH);
	ck_assert_uint_eq(f.irq_raises[GSI], 1);
	/* Reading does not clear (unlike PCI's ISR). */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), INT_BOTH);
	/* ACK one bit: the line stays up until none remain. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	/* Undefined bits in an ACK are ignored, defined ones acted on. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xfffffffc);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* ACK with nothing pending: nothing happens. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, INT_BOTH);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	/* A new event raises it again; a reset drops it. */
	request(&q0, "b");
	ck_assert_int_eq(f.irq_level[GSI], 1);
	ck_assert_uint_eq(f.irq_raises[GSI], 2);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	drvq_destroy(&q0);
}
END_TEST

START_TEST(needs_reset_interrupts)
{
	uint64_t feat = negotiate(ring_features[0]);
	struct drvq q0;

	setup_queue(&q0, 0, feat);
	driver_ok();
	/* The device gives up: NEEDS_RESET and a config interrupt. */
	virtio_dev_needs_reset(&echo.vd);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_CONFIG);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	drvq_destroy(&q0);
}
END_TEST

/* A queue thread raising while a vCPU acknowledges: whatever the
 * interleaving, the line ends up high exactly when InterruptStatus is not
 * 0, and no event is lost (the last raise is still pending or was seen). */
static void *raiser(void *arg)
{
	struct virtq *vq = virtio_queue(&echo.vd, 0);

	for (int i = 0; i < 20000; i++)
		echo.vd.transport->notify_used(&echo.vd, vq);
	return arg;
}

START_TEST(interrupt_race)
{
	pthread_t t;
	unsigned int seen = 0;

	ck_assert_int_eq(pthread_create(&t, NULL, raiser, NULL), 0);
	for (int i = 0; i < 20000; i++) {
		uint32_t isr = rd(VIRTIO_MMIO_INTERRUPT_STATUS);

		seen += isr != 0;
		wr(VIRTIO_MMIO_INTERRUPT_ACK, isr);
	}
	pthread_join(t, NULL);
	/* On a loaded machine the raiser may only start once the loop is
	 * over: then its last raise is still pending here. */
	seen += rd(VIRTIO_MMIO_INTERRUPT_STATUS) != 0;
	ck_assert_uint_gt(seen, 0);
	ck_assert_int_eq(f.irq_level[GSI],
			 rd(VIRTIO_MMIO_INTERRUPT_STATUS) != 0);
	if (!f.irq_level[GSI]) {
		/* The last raise was acknowledged: one more is delivered. */
		echo.vd.transport->notify_used(&echo.vd,
					       virtio_queue(&echo.vd, 0));
		ck_assert_int_eq(f.irq_level[GSI], 1);
	}
}
END_TEST

/* --- Device configuration space and ConfigGeneration --- */

START_TEST(config_space)
{
	uint32_t gen = rd(VIRTIO_MMIO_CONFIG_GENERATION);

	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG, 1), 0x10);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 2, 2), 0x1312);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 4, 4), 0x17161514);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 8, 8),
			  0x1f1e1d1c1b1a1918ULL);
	/* Misaligned, odd widths and past the end: 0, and logged. */
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 1, 2), 0);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 2, 4), 0);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 4, 8), 0);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + ECHO_CONFIG_LEN, 1), 0);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + ECHO_CONFIG_LEN - 2, 4), 0);
	ck_assert_uint_eq(rdw(0x1fc, 4), 0);
	/* Writes: the device decides (echo: bytes 8-15 writable). */
	wrw(VIRTIO_MMIO_CONFIG + 8, 0xaabb, 2);
	wrw(VIRTIO_MMIO_CONFIG + 0, 0xcc, 1);
	wrw(VIRTIO_MMIO_CONFIG + 9, 0xdd, 2);	     /* misaligned */
	wrw(VIRTIO_MMIO_CONFIG + 14, 0xeeeeeeee, 4); /* past the end */
	ck_assert_uint_eq(echo.config[8], 0xbb);
	ck_assert_uint_eq(echo.config[9], 0xaa);
	ck_assert_uint_eq(echo.config[10], 0x1a);
	ck_assert_uint_eq(echo.config[0], 0x10);
	ck_assert_uint_eq(echo.config[15], 0x1f);
	/* A driver write does not move the generation; a device update does,
	 * by exactly one however many updates came between two reads. */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen);
	ck_assert_int_eq(virtio_config_update(&echo.vd, 0, "ab", 2), 0);
	ck_assert_int_eq(virtio_config_update(&echo.vd, 4, "cd", 2), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG, 2), 0x6261);
	/* Before DRIVER_OK a change sends no interrupt. */
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

/* The 32-bit generation is shown whole, not just its low byte as PCI. */
START_TEST(config_generation_32bit)
{
	echo.vd.config_gen = 0x1ff;
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0x1ff);
	ck_assert_int_eq(virtio_config_update(&echo.vd, 0, "q", 1), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0x200);
}
END_TEST

/* --- QueueReset (§4.2.2, §2.6.1) --- */

START_TEST(queue_reset)
{
	uint64_t feat = negotiate(ring_features[_i] | BIT(VIRTIO_F_RING_RESET));
	struct drvq q0, q1;

	ck_assert(virtio_has_feature(&echo.vd, VIRTIO_F_RING_RESET));
	setup_queue(&q0, 0, feat);
	setup_queue(&q1, 1, feat);
	driver_ok();
	ck_assert_uint_eq(request(&q1, "before"), 6);
	take_interrupt();
	/* Reset queue 1: done at once, QueueReset and QueueReady read 0. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(Q_RESET, 1);
	ck_assert_uint_eq(rd(Q_RESET), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(echo.queue_resets, 1);
	ck_assert_uint_eq(virtio_queue_size(&echo.vd, 1), ECHO_QUEUE_MAX);
	/* Queue 0 is untouched. */
	ck_assert_uint_eq(request(&q0, "other"), 5);
	take_interrupt();
	/* Set it up again (new rings, new size) while DRIVER_OK stays. */
	drvq_destroy(&q1);
	setup_queue(&q1, 1, feat);
	ck_assert_uint_eq(request(&q1, "after"), 5);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRV | S_FOK | S_DOK);
	/* QueueReady = 0 is a queue reset too, with RING_RESET. */
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(echo.queue_resets, 2);
	/* Values other than 1 do nothing. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(Q_RESET, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	drvq_destroy(&q0);
	drvq_destroy(&q1);
}
END_TEST

START_TEST(queue_reset_not_negotiated)
{
	uint64_t feat = negotiate(ring_features[0]);
	struct drvq q0;

	setup_queue(&q0, 0, feat);
	driver_ok();
	wr(Q_RESET, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(echo.queue_resets, 0);
	ck_assert_uint_eq(request(&q0, "alive"), 5);
	drvq_destroy(&q0);
}
END_TEST

/* --- Shared memory regions (§4.2.2 SHMSel/SHMLen/SHMBase) --- */

START_TEST(shm_none)
{
	static const uint32_t sel[] = {0, 1, 255, 256, 0xffffffff};

	for (unsigned int i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		wr(VIRTIO_MMIO_SHM_SEL, sel[i]);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), NO_SHM);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_HIGH), NO_SHM);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_LOW), NO_SHM);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), NO_SHM);
	}
	/* Read-only. */
	wr(VIRTIO_MMIO_SHM_LEN_LOW, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), NO_SHM);
}
END_TEST

START_TEST(shm_regions)
{
	static const struct virtio_mmio_shm shm[] = {
		{.id = 0, .gpa = 0x8000000000ULL, .len = 0x40000000},
		{.id = 3, .gpa = 0x123456789000ULL, .len = 0x100000000ULL},
	};
	struct virtio_mmio_config cfg = {
		.base = BASE, .gsi = GSI, .shm = shm, .nr_shm = 2};

	ck_assert_int_eq(virtio_mmio_add(&f.vm, &echo.vd, &cfg, &vmio), 0);
	wr(VIRTIO_MMIO_SHM_SEL, 3);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_LOW), 0x56789000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), 0x1234);
	wr(VIRTIO_MMIO_SHM_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0x40000000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), 0x80);
	wr(VIRTIO_MMIO_SHM_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), NO_SHM);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), NO_SHM);
	/* A reset selects region 0 again. */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0x40000000);
}
END_TEST

/* --- virtio_mmio_add's own checks --- */

START_TEST(add_refuses)
{
	static const struct virtio_mmio_shm dup[] = {{.id = 1, .len = 4096},
						     {.id = 1, .len = 4096}};
	static const struct virtio_mmio_shm empty[] = {{.id = 1, .len = 0}};
	static const struct virtio_mmio_shm wrap[] = {
		{.id = 1, .gpa = ~0ULL - 10, .len = 4096}};
	const struct virtio_mmio_config bad[] = {
		{.base = BASE, .gsi = GSI, .version = 3},
		{.base = BASE + 0x100, .gsi = GSI},
		{.base = ~0ULL - 0x1ff, .gsi = GSI},
		{.base = BASE, .gsi = KVM_IOAPIC_NUM_PINS},
		{.base = BASE, .gsi = GSI, .shm = dup, .nr_shm = 2},
		{.base = BASE, .gsi = GSI, .shm = empty, .nr_shm = 1},
		{.base = BASE, .gsi = GSI, .shm = wrap, .nr_shm = 1},
	};
	struct virtio_mmio_config ok = {.base = BASE, .gsi = GSI};
	struct virtio_mmio *other = NULL;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(
			virtio_mmio_add(&f.vm, &echo.vd, &bad[i], &other),
			-EINVAL);
	ck_assert_ptr_null(other);
	ck_assert_int_eq(virtio_mmio_add(&f.vm, &echo.vd, &ok, &vmio), 0);
	/* The same window twice. */
	ck_assert_int_eq(virtio_mmio_add(&f.vm, &echo.vd, &ok, &other),
			 -EEXIST);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	/* Removal frees the window. */
	virtio_mmio_remove(vmio);
	vmio = NULL;
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0xffffffff);
	ck_assert_ptr_null(echo.vd.transport);
}
END_TEST

/* --- Legacy version 1 (§4.2.4) --- */

/* Holes of the version 1 map: version 2's queue registers among them. */
static const uint32_t reserved_v1[] = {
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH,
	VIRTIO_MMIO_SHM_SEL,
	VIRTIO_MMIO_SHM_LEN_LOW,
	VIRTIO_MMIO_SHM_BASE_HIGH,
	Q_RESET,
	VIRTIO_MMIO_CONFIG_GENERATION,
	0x018,
	0x048,
};

START_TEST(v1_reserved)
{
	uint32_t off = reserved_v1[_i];

	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 1);
	wr(off, 1);
	ck_assert_uint_eq(rd(off), 0);
	ck_assert(!virtio_queue_enabled(&echo.vd, 0));
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, 0, VIRTIO_QUEUE_DESC), 0);
}
END_TEST

/* vm_setup_vq() for version 1: QueueNum, QueueAlign, QueuePFN. */
static void setup_queue_v1(struct drvq *q, uint16_t idx, uint64_t features)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, idx);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), ECHO_QUEUE_MAX);
	drvq_init(q, &ram, idx, QSIZE, features); /* vring_init, align 64 */
	wr(VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 64);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(q->desc_gpa / 4096));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), q->desc_gpa / 4096);
	/* The device found the three parts where vring_init put them. */
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, idx, VIRTIO_QUEUE_DESC),
			  q->desc_gpa);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, idx, VIRTIO_QUEUE_DRIVER),
			  q->driver_gpa);
	ck_assert_uint_eq(virtio_queue_addr(&echo.vd, idx, VIRTIO_QUEUE_DEVICE),
			  q->device_gpa);
}

/* Linux's virtio_dev_probe() on a legacy device: 64 feature bits read,
 * no VERSION_1 among them, so no FEATURES_OK (§3.1.2); returns what the
 * driver accepted. */
static uint32_t legacy_negotiate(uint32_t want)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	want &= rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, want);
	return want;
}

START_TEST(v1_linux_init)
{
	const uint32_t want = BIT(VIRTIO_RING_F_EVENT_IDX) |
			      BIT(VIRTIO_RING_F_INDIRECT_DESC) |
			      BIT(ECHO_F_FANCY);
	uint32_t feat;
	struct drvq q0, q1;

	/* virtio_mmio_probe writes GuestPageSize before the probe's reset;
	 * the reset must not forget it. */
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	feat = legacy_negotiate(want);
	ck_assert_uint_eq(feat, want);
	setup_queue_v1(&q0, 0, feat);
	setup_queue_v1(&q1, 1, feat);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(echo.vd.features, feat);
	ck_assert_uint_eq(echo.activations, 1);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(request(&q0, "legacy"), 6);
		ck_assert_uint_eq(take_interrupt(), VIRTIO_MMIO_INT_VRING);
		ck_assert_uint_eq(request(&q1, "layout"), 6);
		ck_assert_uint_eq(take_interrupt(), VIRTIO_MMIO_INT_VRING);
		ck_assert_int_eq(f.irq_level[GSI], 0);
	}
	/* Features are frozen from DRIVER_OK on. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert_uint_eq(echo.vd.driver_features, feat);
	/* Config space sits at 0x100 as in version 2. */
	ck_assert_uint_eq(rdw(VIRTIO_MMIO_CONFIG + 1, 1), 0x11);
	/* Reset: QueuePFN reads 0 for every queue (§4.2.4 Status). */
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
	drvq_destroy(&q0);
	drvq_destroy(&q1);
}
END_TEST

/* Other legacy drivers: one that sets FEATURES_OK anyway (xv6 does) works;
 * one that accepts a bit never offered (VERSION_1) gets no DRIVER_OK. */
START_TEST(v1_other_drivers)
{
	struct drvq q0;
	uint32_t feat = legacy_negotiate(BIT(VIRTIO_RING_F_EVENT_IDX));

	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	setup_queue_v1(&q0, 0, feat);
	driver_ok();
	ck_assert_uint_eq(request(&q0, "xv6"), 3);
	drvq_destroy(&q0);

	legacy_negotiate(0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	ck_assert_uint_eq(echo.activations, 1);
}
END_TEST

START_TEST(v1_page_size_and_align)
{
	struct virtio_dev *vd = &echo.vd;

	legacy_negotiate(BIT(VIRTIO_RING_F_EVENT_IDX));
	/* A 16 KiB page: PFN 3 is gpa 0xc000. Used ring at the next 4 KiB
	 * (the default alignment): 16 entries: 256 + 38 bytes -> 0xd000. */
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 0x4000);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(VIRTIO_MMIO_QUEUE_PFN, 3);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DESC), 0xc000);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DRIVER),
			  0xc100);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DEVICE),
			  0xd000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 3);
	/* A second PFN while in use is refused. */
	wr(VIRTIO_MMIO_QUEUE_PFN, 5);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 3);
	/* Bad page sizes and alignments are refused, good ones kept. */
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 0);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 3);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 0);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 48);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_PFN, 1);
	/* 4 entries: avail at 0x4040, ends 0x404e; still 4 KiB aligned. */
	ck_assert_uint_eq(virtio_queue_addr(vd, 1, VIRTIO_QUEUE_DEVICE),
			  0x5000);
	/* A PFN for a missing queue: dropped. */
	wr(VIRTIO_MMIO_QUEUE_SEL, ECHO_NUM_QUEUES);
	wr(VIRTIO_MMIO_QUEUE_PFN, 7);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_PFN), 0);
}
END_TEST

START_TEST(v1_largest_pfn)
{
	struct virtio_dev *vd = &echo.vd;

	/* The top PFN with a 2 GiB page: no overflow, the core refuses the
	 * ring later (not RAM) instead. */
	legacy_negotiate(0);
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 0x80000000);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 0x10000);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0xffffffff);
	ck_assert_uint_eq(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DESC),
			  0xffffffffULL * 0x80000000ULL);
	ck_assert_uint_gt(virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DEVICE),
			  virtio_queue_addr(vd, 0, VIRTIO_QUEUE_DRIVER));
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	ck_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}
END_TEST

static Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("v2");
	TCase *legacy = tcase_create("v1");
	TCase *bare = tcase_create("add");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity);
	tcase_add_loop_test(tc, bad_width_access, 0,
			    sizeof(bad_width) / sizeof(bad_width[0]));
	tcase_add_loop_test(tc, every_register_bad_access, 0,
			    VIRTIO_MMIO_CONFIG / 4);
	tcase_add_loop_test(tc, reserved_offsets, 0,
			    sizeof(reserved_v2) / sizeof(reserved_v2[0]));
	tcase_add_test(tc, register_directions);
	tcase_add_loop_test(tc, linux_init, 0, 2);
	tcase_add_loop_test(tc, notification_data, 0, 2);
	tcase_add_test(tc, wrong_phase);
	tcase_add_test(tc, status_order);
	tcase_add_test(tc, queue_sel_out_of_range);
	tcase_add_test(tc, queue_num_limits);
	tcase_add_loop_test(tc, interrupt_levels, 0, 2);
	tcase_add_test(tc, needs_reset_interrupts);
	tcase_add_test(tc, interrupt_race);
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, config_generation_32bit);
	tcase_add_loop_test(tc, queue_reset, 0, 2);
	tcase_add_test(tc, queue_reset_not_negotiated);
	tcase_add_test(tc, shm_none);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(legacy, setup_v1, teardown);
	tcase_add_loop_test(legacy, v1_reserved, 0,
			    sizeof(reserved_v1) / sizeof(reserved_v1[0]));
	tcase_add_test(legacy, v1_linux_init);
	tcase_add_test(legacy, v1_other_drivers);
	tcase_add_test(legacy, v1_page_size_and_align);
	tcase_add_test(legacy, v1_largest_pfn);
	suite_add_tcase(s, legacy);

	tcase_add_checked_fixture(bare, setup_common, teardown);
	tcase_add_test(bare, shm_regions);
	tcase_add_test(bare, add_refuses);
	suite_add_tcase(s, bare);
	return s;
}

int main(void)
{
	return test_run_suite(virtio_mmio_suite());
}
