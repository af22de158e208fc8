/* make_seeds: writes the seed corpus of every fuzz target.
 *
 * Each seed is valid traffic, encoded in the target's input format
 * (common/fz_formats.h): a Linux-like virtqueue session, virtio-pci and
 * virtio-mmio driver bring-ups, virtio-blk requests of every type, bzImages and
 * command lines. The fuzzer starts from these and mutates; without them it
 * would spend its first minutes finding "HdrS" or DRIVER_OK. Usage: make_seeds
 * DIR   writes DIR/<target>/<seed> (tests/fuzz/corpus)
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_vsock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fz_formats.h"

/* ---- a little-endian writer ---- */

struct seed {
	uint8_t b[8192];
	size_t n;
};

static void put(struct seed *s, const void *p, size_t len)
{
	if (s->n + len > sizeof(s->b)) {
		fprintf(stderr, "make_seeds: seed too long\n");
		exit(1);
	}
	if (len) /* p may be NULL for an empty payload */
		memcpy(s->b + s->n, p, len);
	s->n += len;
}

static void u8(struct seed *s, uint8_t v)
{
	put(s, &v, 1);
}

static void u16(struct seed *s, uint16_t v)
{
	u8(s, (uint8_t)v);
	u8(s, (uint8_t)(v >> 8));
}

static void u32(struct seed *s, uint32_t v)
{
	u16(s, (uint16_t)v);
	u16(s, (uint16_t)(v >> 16));
}

static void u64(struct seed *s, uint64_t v)
{
	u32(s, (uint32_t)v);
	u32(s, (uint32_t)(v >> 32));
}

static const char *out_dir;

static void save(const char *target, const char *name, const struct seed *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, target);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		goto out_fail;
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0)
		goto out_fail;
	return;
out_fail:
	fprintf(stderr, "make_seeds: cannot write %s\n", path);
	exit(1);
}

/* ---- fuzz_vq_split, fuzz_vq_packed ---- */

static void vq_header(struct seed *s, uint8_t features, uint8_t size)
{
	s->n = 0;
	u8(s, features);
	u8(s, size);
}

/* One request: `in` readable bytes at data offset 0, `out` writable at
 * 0x1000, direct or through an indirect table. */
static void vq_add(struct seed *s, uint8_t flags, uint16_t in, uint16_t out)
{
	u8(s, FZ_VQ_ADD);
	u8(s, flags);
	u8(s, 1); /* two buffers */
	u8(s, FZ_VQ_BUF_DATA);
	u16(s, in);
	u16(s, 0);
	u8(s, FZ_VQ_BUF_DATA | FZ_VQ_BUF_WRITABLE);
	u16(s, out);
	u16(s, 0x1000);
}

static void vq_op1(struct seed *s, uint8_t op, uint8_t arg)
{
	u8(s, op);
	u8(s, arg);
}

static void vq_poke(struct seed *s, uint16_t off, const char *text)
{
	u8(s, FZ_VQ_POKE);
	u16(s, off);
	u8(s, (uint8_t)strlen(text));
	put(s, text, strlen(text));
}

/* Raw descriptor i: split {addr, len, flags, next}; packed {addr, len,
 * id, flags} (the flags are made available by FZ_VQ_PUBLISH). */
static void vq_raw_desc(struct seed *s, uint16_t i, uint64_t addr, uint32_t len,
			uint16_t a, uint16_t b)
{
	u8(s, FZ_VQ_RAW_DESC);
	u8(s, 0);
	u16(s, i);
	u64(s, addr);
	u32(s, len);
	u16(s, a);
	u16(s, b);
}

static void vq_publish(struct seed *s, uint16_t head, uint16_t flags)
{
	u8(s, FZ_VQ_PUBLISH);
	u8(s, 0);
	u16(s, head);
	u16(s, flags);
}

/* The data area starts at 0x1000 in guest RAM (fz_vq.c allocates it
 * first), so raw descriptors can point into it. */
#define VQ_DATA_GPA 0x1000

static void vq_seeds(const char *target, bool packed)
{
	struct seed s;

	/* A ring driven round more than twice, both queues, with and
	 * without indirect tables, harvesting as Linux does. */
	vq_header(&s, FZ_VQ_F_INDIRECT | FZ_VQ_F_EVENT_IDX, packed ? 16 : 4);
	vq_poke(&s, 0, "hello, device");
	for (int i = 0; i < 40; i++) {
		vq_add(&s, (uint8_t)(i & 3), 13, 64);
		vq_op1(&s, FZ_VQ_HARVEST, (uint8_t)(i & 1));
	}
	save(target, "ring-laps", &s);

	/* Parked requests completed out of order, under IN_ORDER. */
	vq_header(&s, FZ_VQ_F_HOLD | FZ_VQ_F_IN_ORDER | FZ_VQ_F_EVENT_IDX,
		  packed ? 8 : 3);
	for (int i = 0; i < 4; i++)
		vq_add(&s, 0, 8, 8);
	vq_op1(&s, FZ_VQ_COMPLETE, 2);
	u8(&s, 1);
	vq_op1(&s, FZ_VQ_COMPLETE, 0);
	u8(&s, 1);
	vq_op1(&s, FZ_VQ_COMPLETE, 1);
	u8(&s, 0);
	vq_op1(&s, FZ_VQ_COMPLETE, 0);
	u8(&s, 1);
	vq_op1(&s, FZ_VQ_HARVEST, 0);
	save(target, "hold-in-order", &s);

	/* Notifications off while adding, one kick, callbacks back on. */
	vq_header(&s, FZ_VQ_F_EVENT_IDX | FZ_VQ_F_NOTIF_DATA, packed ? 4 : 2);
	vq_op1(&s, FZ_VQ_CB, 0);
	for (int i = 0; i < 3; i++)
		vq_add(&s, FZ_VQ_ADD_NO_KICK, 4, 4);
	vq_op1(&s, FZ_VQ_KICK, 0);
	vq_op1(&s, FZ_VQ_CB, 2);
	vq_op1(&s, FZ_VQ_HARVEST, 0);
	save(target, "suppression", &s);

	/* Hand-written descriptors: a two-element chain, then a queue
	 * reset and a device reset with good traffic after each. */
	vq_header(&s, FZ_VQ_F_INDIRECT | FZ_VQ_F_RING_RESET, packed ? 4 : 2);
	if (packed) {
		vq_raw_desc(&s, 0, VQ_DATA_GPA, 16, 5, 0);
		vq_raw_desc(&s, 1, VQ_DATA_GPA + 0x1000, 16, 5, 0);
		vq_publish(&s, 0, VRING_DESC_F_NEXT);
		vq_publish(&s, 1, VRING_DESC_F_WRITE);
	} else {
		vq_raw_desc(&s, 0, VQ_DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
		vq_raw_desc(&s, 1, VQ_DATA_GPA + 0x1000, 16, VRING_DESC_F_WRITE,
			    0);
		vq_publish(&s, 0, 0);
	}
	vq_op1(&s, FZ_VQ_KICK, 0);
	vq_op1(&s, FZ_VQ_QRESET, 0);
	vq_add(&s, 0, 16, 16);
	vq_op1(&s, FZ_VQ_HARVEST, 0);
	u8(&s, FZ_VQ_RESET);
	vq_add(&s, FZ_VQ_ADD_INDIRECT, 16, 16);
	vq_op1(&s, FZ_VQ_HARVEST, 0);
	save(target, "raw-chain-resets", &s);

	/* Buffers in the high region, across the end of low RAM, and at an
	 * address that overflows. */
	vq_header(&s, 0, packed ? 8 : 3);
	u8(&s, FZ_VQ_ADD);
	u8(&s, 0);
	u8(&s, 2); /* three buffers */
	u8(&s, FZ_VQ_BUF_HIGH);
	u16(&s, 64);
	u16(&s, 0x100);
	u8(&s, FZ_VQ_BUF_LOW_END | FZ_VQ_BUF_WRITABLE);
	u16(&s, 0x200);
	u16(&s, 0x100);
	u8(&s, FZ_VQ_BUF_RAW | FZ_VQ_BUF_WRITABLE);
	u16(&s, 16);
	u64(&s, 0xfffffffffffffff0ULL);
	vq_op1(&s, FZ_VQ_KICK, 0);
	save(target, "wild-buffers", &s);
}

/* ---- fuzz_virtio_pci ---- */

#define PCI_SLOT1  0x8000 /* slot 1 in bus 0's ECAM */
#define MSIX_CAP   0x98	  /* where virtio_pci_add puts MSI-X today */
#define RING_DESC  0x1000
#define RING_AVAIL 0x2000
#define RING_USED  0x3000
#define BUF_IN	   0x8000
#define BUF_OUT	   0x9000

static void pci_access(struct seed *s, uint8_t op, uint16_t off,
		       unsigned int len, uint64_t val)
{
	uint8_t width = len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3;

	u8(s, op);
	if (op == FZ_PCI_PIO_READ || op == FZ_PCI_PIO_WRITE)
		u8(s, (uint8_t)off);
	else
		u16(s, off);
	u8(s, width);
	if (op == FZ_PCI_ECAM_WRITE || op == FZ_PCI_BAR0_WRITE ||
	    op == FZ_PCI_BAR1_WRITE || op == FZ_PCI_PIO_WRITE)
		u64(s, val);
}

static void common_wr(struct seed *s, uint16_t field, unsigned int len,
		      uint64_t val)
{
	pci_access(s, FZ_PCI_BAR0_WRITE, field, len, val);
}

static void pci_mem(struct seed *s, uint16_t gpa, const void *p, uint8_t len)
{
	u8(s, FZ_PCI_MEM);
	u16(s, gpa);
	u8(s, len);
	put(s, p, len);
}

/* The packed ring's first two slots, made available in lap 1. */
static void pci_packed_ring(struct seed *s)
{
	struct vring_packed_desc d[2] = {
		{BUF_IN, 16, 0, VRING_DESC_F_NEXT | 0x80},
		{BUF_OUT, 16, 0, VRING_DESC_F_WRITE | 0x80},
	};

	pci_mem(s, RING_DESC, d, sizeof(d));
	/* Notification data: queue 0, next_off 2, next_wrap 1 (§2.9). */
	pci_access(s, FZ_PCI_BAR0_WRITE, 0x3000, 4, 0x80020000);
}

/* virtio_pci_modern's probe and queue setup, then one request: on a split
 * ring, or on a packed one with indirect, event index, notification data
 * and queue reset negotiated. */
static void pci_bring_up(struct seed *s, bool msix, bool packed)
{
	const uint8_t S_ACK = VIRTIO_CONFIG_S_ACKNOWLEDGE,
		      S_DRV = VIRTIO_CONFIG_S_DRIVER,
		      S_FOK = VIRTIO_CONFIG_S_FEATURES_OK,
		      S_DOK = VIRTIO_CONFIG_S_DRIVER_OK;
	struct vring_desc d[2] = {
		{BUF_IN, 16, VRING_DESC_F_NEXT, 1},
		{BUF_OUT, 16, VRING_DESC_F_WRITE, 0},
	};
	uint16_t avail[3] = {0, 1, 0};

	pci_access(s, FZ_PCI_ECAM_READ, PCI_SLOT1 + PCI_CAPABILITY_LIST, 1, 0);
	pci_access(s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + PCI_COMMAND, 2,
		   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (msix)
		pci_access(s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + MSIX_CAP + 2, 2,
			   PCI_MSIX_FLAGS_ENABLE);
	common_wr(s, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	common_wr(s, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK);
	common_wr(s, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV);
	common_wr(s, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	pci_access(s, FZ_PCI_BAR0_READ, VIRTIO_PCI_COMMON_DF, 4, 0);
	if (packed) {
		common_wr(s, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
		common_wr(s, VIRTIO_PCI_COMMON_GF, 4,
			  1u << VIRTIO_RING_F_INDIRECT_DESC |
				  1u << VIRTIO_RING_F_EVENT_IDX);
	}
	common_wr(s, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	/* VERSION_1, and PACKED, NOTIFICATION_DATA, RING_RESET. */
	common_wr(s, VIRTIO_PCI_COMMON_GF, 4, packed ? 0x145 : 1);
	common_wr(s, VIRTIO_PCI_COMMON_STATUS, 1, S_ACK | S_DRV | S_FOK);
	pci_access(s, FZ_PCI_BAR0_READ, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	if (msix)
		common_wr(s, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	common_wr(s, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	common_wr(s, VIRTIO_PCI_COMMON_Q_SIZE, 2, 2);
	if (msix)
		common_wr(s, VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	common_wr(s, VIRTIO_PCI_COMMON_Q_DESCLO, 4, RING_DESC);
	common_wr(s, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, RING_AVAIL);
	common_wr(s, VIRTIO_PCI_COMMON_Q_USEDLO, 4, RING_USED);
	common_wr(s, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	common_wr(s, VIRTIO_PCI_COMMON_STATUS, 1,
		  S_ACK | S_DRV | S_FOK | S_DOK);
	pci_mem(s, BUF_IN, "sixteen bytes!!!", 16);
	if (packed) {
		pci_packed_ring(s);
	} else {
		pci_mem(s, RING_DESC, d, sizeof(d));
		pci_mem(s, RING_AVAIL, avail, sizeof(avail));
		pci_access(s, FZ_PCI_BAR0_WRITE, 0x3000, 2, 0); /* notify */
	}
	pci_access(s, FZ_PCI_BAR0_READ, 0x1000, 1, 0); /* ISR */
}

static void pci_seeds(void)
{
	struct seed s = {0};

	pci_bring_up(&s, false, false);
	save("fuzz_virtio_pci", "bring-up-intx", &s);

	/* Packed, then a queue reset and the queue set up again. */
	s.n = 0;
	pci_bring_up(&s, false, true);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_RESET, 2, 1);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_SIZE, 2, 4);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_DESCLO, 4, RING_DESC);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, RING_AVAIL);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_USEDLO, 4, RING_USED);
	common_wr(&s, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	pci_packed_ring(&s);
	save("fuzz_virtio_pci", "bring-up-packed-reset", &s);

	s.n = 0;
	pci_bring_up(&s, true, false);
	/* Program and unmask vector 1, read the PBA, read device config. */
	pci_access(&s, FZ_PCI_BAR1_WRITE, 16 + PCI_MSIX_ENTRY_LOWER_ADDR, 4,
		   0xfee01000);
	pci_access(&s, FZ_PCI_BAR1_WRITE, 16 + PCI_MSIX_ENTRY_DATA, 4, 0x41);
	pci_access(&s, FZ_PCI_BAR1_WRITE, 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4,
		   0);
	pci_access(&s, FZ_PCI_BAR1_READ, 0x800, 8, 0);
	pci_access(&s, FZ_PCI_BAR0_READ, 0x2000, 4, 0);
	pci_access(&s, FZ_PCI_BAR0_WRITE, 0x2008, 1, 0x5a);
	save("fuzz_virtio_pci", "bring-up-msix", &s);

	/* The PCI config access capability (at 0x84) and CF8/CFC. */
	s.n = 0;
	pci_access(&s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + 0x84 + 4, 1, 0);
	pci_access(&s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + 0x84 + 8, 4,
		   VIRTIO_PCI_COMMON_NUMQ);
	pci_access(&s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + 0x84 + 12, 4, 2);
	pci_access(&s, FZ_PCI_ECAM_READ, PCI_SLOT1 + 0x84 + 16, 2, 0);
	pci_access(&s, FZ_PCI_PIO_WRITE, 0, 4, 0x80000800); /* 00:01.0 */
	pci_access(&s, FZ_PCI_PIO_READ, 4, 4, 0);
	pci_access(&s, FZ_PCI_ECAM_WRITE, PCI_SLOT1 + PCI_BASE_ADDRESS_0, 4,
		   0xffffffff); /* BAR sizing */
	pci_access(&s, FZ_PCI_ECAM_READ, PCI_SLOT1 + PCI_BASE_ADDRESS_0, 4, 0);
	save("fuzz_virtio_pci", "config-access", &s);
}

/* ---- fuzz_virtio_mmio ---- */

static void mmio_wr(struct seed *s, uint16_t off, uint32_t val)
{
	u8(s, FZ_MMIO_WRITE);
	u16(s, off);
	u8(s, 2); /* 4 bytes */
	u64(s, val);
}

static void mmio_rd(struct seed *s, uint16_t off, unsigned int len)
{
	u8(s, FZ_MMIO_READ);
	u16(s, off);
	u8(s, len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3);
}

static void mmio_mem(struct seed *s, uint16_t gpa, const void *p, uint8_t len)
{
	u8(s, FZ_MMIO_MEM);
	u16(s, gpa);
	u8(s, len);
	put(s, p, len);
}

/* vm_interrupt(): read InterruptStatus, acknowledge what it said. */
static void mmio_interrupt(struct seed *s)
{
	mmio_rd(s, VIRTIO_MMIO_INTERRUPT_STATUS, 4);
	mmio_wr(s, VIRTIO_MMIO_INTERRUPT_ACK,
		VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
}

/* One readable and one writable buffer at descriptors 0 and 1, offered
 * in avail entry `slot` (avail idx becomes slot + 1). */
static void mmio_split_request(struct seed *s, uint16_t desc, uint16_t avail,
			       uint16_t slot)
{
	struct vring_desc d[2] = {
		{BUF_IN, 16, VRING_DESC_F_NEXT, 1},
		{BUF_OUT, 16, VRING_DESC_F_WRITE, 0},
	};
	uint16_t head = 0, idx = (uint16_t)(slot + 1);

	mmio_mem(s, BUF_IN, "sixteen bytes!!!", 16);
	mmio_mem(s, desc, d, sizeof(d));
	mmio_mem(s, (uint16_t)(avail + 4 + 2 * slot), &head, sizeof(head));
	mmio_mem(s, (uint16_t)(avail + 2), &idx, sizeof(idx));
}

/* Linux's virtio_mmio probe (vm_finalize_features, vm_setup_vq) on
 * version 2: status, features (word 1 then 0), queue 0 of size `num`
 * with its three areas, QueueReady, DRIVER_OK. */
static void mmio_bring_up(struct seed *s, uint32_t word0, uint32_t word1,
			  uint16_t num)
{
	const uint8_t S_ACK = VIRTIO_CONFIG_S_ACKNOWLEDGE,
		      S_DRV = VIRTIO_CONFIG_S_DRIVER,
		      S_FOK = VIRTIO_CONFIG_S_FEATURES_OK,
		      S_DOK = VIRTIO_CONFIG_S_DRIVER_OK;

	u8(s, 0); /* version 2 */
	mmio_rd(s, VIRTIO_MMIO_MAGIC_VALUE, 4);
	mmio_rd(s, VIRTIO_MMIO_VERSION, 4);
	mmio_wr(s, VIRTIO_MMIO_STATUS, 0);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	mmio_wr(s, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	mmio_rd(s, VIRTIO_MMIO_DEVICE_FEATURES, 4);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES, word1);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES, word0);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK);
	mmio_rd(s, VIRTIO_MMIO_STATUS, 4);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_SEL, 0);
	mmio_rd(s, VIRTIO_MMIO_QUEUE_READY, 4);
	mmio_rd(s, VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_NUM, num);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_AVAIL_LOW, RING_AVAIL);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_USED_LOW, RING_USED);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_READY, 1);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_FOK | S_DOK);
}

/* Legacy (version 1) probe: GuestPageSize, no FEATURES_OK, QueuePFN 1
 * (descriptors at 0x1000, avail at 0x1000 + 16 * 4, used at 0x2000). */
static void mmio_legacy(struct seed *s)
{
	const uint8_t S_ACK = VIRTIO_CONFIG_S_ACKNOWLEDGE,
		      S_DRV = VIRTIO_CONFIG_S_DRIVER,
		      S_DOK = VIRTIO_CONFIG_S_DRIVER_OK;

	u8(s, FZ_MMIO_F_LEGACY);
	mmio_rd(s, VIRTIO_MMIO_VERSION, 4);
	mmio_wr(s, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	mmio_wr(s, VIRTIO_MMIO_STATUS, 0);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	mmio_wr(s, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	mmio_rd(s, VIRTIO_MMIO_DEVICE_FEATURES, 4);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_wr(s, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_SEL, 0);
	mmio_rd(s, VIRTIO_MMIO_QUEUE_PFN, 4);
	mmio_rd(s, VIRTIO_MMIO_QUEUE_NUM_MAX, 4);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_NUM, 4);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_PFN, RING_DESC / 4096);
	mmio_wr(s, VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	mmio_split_request(s, RING_DESC, RING_DESC + 16 * 4, 0);
	mmio_wr(s, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mmio_interrupt(s);
	/* Offered without a kick: the device thread finds it. */
	mmio_split_request(s, RING_DESC, RING_DESC + 16 * 4, 1);
	u8(s, FZ_MMIO_PROCESS);
	u8(s, 0);
	mmio_interrupt(s);
}

static void mmio_seeds(void)
{
	struct seed s = {0};
	struct vring_packed_desc d[2] = {
		{BUF_IN, 16, 0, VRING_DESC_F_NEXT | 0x80},
		{BUF_OUT, 16, 0, VRING_DESC_F_WRITE | 0x80},
	};

	/* Split ring, one request kicked, one found, config space. */
	mmio_bring_up(&s, 0, 1, 4);
	mmio_split_request(&s, RING_DESC, RING_AVAIL, 0);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mmio_interrupt(&s);
	mmio_split_request(&s, RING_DESC, RING_AVAIL, 1);
	u8(&s, FZ_MMIO_PROCESS);
	u8(&s, 0);
	mmio_interrupt(&s);
	mmio_rd(&s, VIRTIO_MMIO_CONFIG_GENERATION, 4);
	mmio_rd(&s, VIRTIO_MMIO_CONFIG, 8);
	u8(&s, FZ_MMIO_WRITE);
	u16(&s, VIRTIO_MMIO_CONFIG + 8);
	u8(&s, 0); /* 1 byte */
	u64(&s, 0x5a);
	mmio_rd(&s, VIRTIO_MMIO_SHM_LEN_LOW, 4);
	save("fuzz_virtio_mmio", "bring-up-split", &s);

	/* Packed, indirect, event index, notification data, ring reset;
	 * then QueueReset and the queue set up again. */
	s.n = 0;
	mmio_bring_up(&s,
		      1u << VIRTIO_RING_F_INDIRECT_DESC |
			      1u << VIRTIO_RING_F_EVENT_IDX,
		      0x145, 4);
	mmio_mem(&s, BUF_IN, "sixteen bytes!!!", 16);
	mmio_mem(&s, RING_DESC, d, sizeof(d));
	/* Notification data: queue 0, next_off 2, next_wrap 1 (§2.9). */
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_NOTIFY, 0x80020000);
	mmio_interrupt(&s);
	mmio_wr(&s, 0x0c0, 1); /* QueueReset */
	mmio_rd(&s, 0x0c0, 4);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_NUM, 4);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_DESC_LOW, RING_DESC);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_AVAIL_LOW, RING_AVAIL);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_USED_LOW, RING_USED);
	mmio_wr(&s, VIRTIO_MMIO_QUEUE_READY, 1);
	mmio_mem(&s, RING_DESC, d, sizeof(d));
	u8(&s, FZ_MMIO_PROCESS);
	u8(&s, 0);
	save("fuzz_virtio_mmio", "bring-up-packed-reset", &s);

	s.n = 0;
	mmio_legacy(&s);
	save("fuzz_virtio_mmio", "legacy-pfn", &s);
}

/* ---- fuzz_virtio_blk ---- */

struct blk_req {
	uint8_t flags, type;
	uint64_t sector;
	uint8_t status_len; /* as encoded: 0 means 1 byte */
	unsigned int nseg;
	uint16_t off[4], len[4];
};

static void blk_req(struct seed *s, const struct blk_req *r)
{
	u8(s, FZ_BLK_REQ);
	u8(s, r->flags);
	u8(s, r->type);
	u8(s, 2); /* raw u64 sector */
	u64(s, r->sector);
	u8(s, 0); /* 16-byte header */
	u8(s, r->status_len);
	u8(s, (uint8_t)r->nseg);
	for (unsigned int i = 0; i < r->nseg; i++) {
		u16(s, r->off[i]);
		u16(s, r->len[i]);
	}
}

/* Type indexes into fuzz_virtio_blk.c's known_types. */
enum { T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD, T_WRITE_ZEROES };

static void blk_table(struct seed *s, uint16_t off, uint64_t sector, uint32_t n,
		      uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes seg = {sector, n, flags};

	u8(s, FZ_BLK_POKE);
	u16(s, off);
	u8(s, sizeof(seg));
	put(s, &seg, sizeof(seg));
}

static void blk_session(struct seed *s, uint8_t q)
{
	const struct blk_req reqs[] = {
		{q, T_OUT, 8, 0, 2, {0, 512}, {512, 512}},
		{q | FZ_BLK_R_SPLIT, T_IN, 8, 0, 1, {0x2000}, {1024}},
		{q, T_FLUSH, 0, 0, 0, {0}, {0}},
		{q, T_GET_ID, 0, 0, 1, {0x3000}, {20}},
		{q | FZ_BLK_R_INDIRECT,
		 T_IN,
		 120,
		 0,
		 3,
		 {0, 0x1000, 0x2000},
		 {512, 2048, 1536}},
		{q, T_DISCARD, 0, 0, 1, {0x8000}, {16}},
		{q, T_WRITE_ZEROES, 0, 3, 1, {0x8010}, {16}},
		{q, T_IN, 127, 0, 1, {0x4000}, {1024}}, /* past the end */
	};

	blk_table(s, 0x8000, 16, 8, 0);
	blk_table(s, 0x8010, 32, 4, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	for (unsigned int i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		blk_req(s, &reqs[i]);
	u8(s, FZ_BLK_KICK);
}

static void blk_seeds(void)
{
	struct seed s = {0};
	uint8_t wce = offsetof(struct virtio_blk_config, wce);

	/* Split ring, every feature. */
	u8(&s, FZ_BLK_F_INDIRECT | FZ_BLK_F_EVENT);
	u16(&s, 0x3ff);
	u8(&s, 2); /* 16 entries */
	blk_session(&s, 0);
	u8(&s, FZ_BLK_CFG_WRITE);
	u8(&s, wce);
	u8(&s, 0); /* 1 byte */
	u64(&s, 0);
	u8(&s, FZ_BLK_CFG_READ);
	u8(&s, 0);
	u8(&s, 7);
	blk_session(&s, 0);
	u8(&s, FZ_BLK_RESET);
	blk_session(&s, 0);
	save("fuzz_virtio_blk", "split-all-types", &s);

	/* Packed ring, two queues, IN_ORDER, indirect. */
	s.n = 0;
	u8(&s, FZ_BLK_F_PACKED | FZ_BLK_F_TWO_Q | FZ_BLK_F_INDIRECT |
		       FZ_BLK_F_IN_ORDER);
	u16(&s, 0x3ff);
	u8(&s, 1); /* 8 entries */
	blk_session(&s, 0);
	blk_session(&s, FZ_BLK_R_QUEUE);
	save("fuzz_virtio_blk", "packed-two-queues", &s);

	/* Read-only, cache=none, no optional feature: writes fail. */
	s.n = 0;
	u8(&s, FZ_BLK_F_READONLY | FZ_BLK_F_NOCACHE);
	u16(&s, 0);
	u8(&s, 0); /* 4 entries */
	blk_session(&s, 0);
	save("fuzz_virtio_blk", "readonly-nocache", &s);
}

/* ---- fuzz_vsock ---- */

struct vs_pkt {
	uint8_t mode, src, dst, host, type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
	const char *data;
	uint32_t len_field; /* with FZ_VS_P_LEN */
};

static void vs_pkt(struct seed *s, const struct vs_pkt *p)
{
	uint16_t len = p->data ? (uint16_t)strlen(p->data) : 0;

	u8(s, FZ_VS_PKT);
	u8(s, p->mode);
	u8(s, p->src);
	u8(s, p->dst);
	if (p->dst == 3)
		u8(s, p->host);
	u8(s, p->type);
	u8(s, p->op);
	u32(s, p->flags);
	u32(s, p->buf_alloc);
	u32(s, p->fwd_cnt);
	u16(s, len);
	if (p->mode & FZ_VS_P_LEN)
		u32(s, p->len_field);
	if (len)
		put(s, p->data, len);
}

static void vs_host_write(struct seed *s, uint8_t which, const char *text)
{
	u8(s, FZ_VS_HOST_WRITE);
	u8(s, which);
	u8(s, (uint8_t)strlen(text));
	put(s, text, strlen(text));
}

/* A guest connection to port 1024 + dst of the given type: data both
 * ways, a credit request, shutdown. */
static void vs_session(struct seed *s, uint8_t dst, uint8_t type, uint32_t eom)
{
	const struct vs_pkt pk[] = {
		{0, 0, dst, 0, type, VIRTIO_VSOCK_OP_REQUEST, 0, 65536, 0},
		{FZ_VS_P_ONE, 0, dst, 0, type, VIRTIO_VSOCK_OP_RW, eom, 65536,
		 0, "hello"},
		{FZ_VS_P_SPLIT, 0, dst, 0, type, VIRTIO_VSOCK_OP_RW, eom, 65536,
		 0, "again"},
		{0, 0, dst, 0, type, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, 65536,
		 0},
		{0, 0, dst, 0, type, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, 65536,
		 5},
		{0, 0, dst, 0, type, VIRTIO_VSOCK_OP_SHUTDOWN,
		 VIRTIO_VSOCK_SHUTDOWN_SEND | VIRTIO_VSOCK_SHUTDOWN_RCV, 65536,
		 5},
	};

	vs_pkt(s, &pk[0]);
	u8(s, FZ_VS_HOST_ACCEPT);
	vs_pkt(s, &pk[1]);
	vs_pkt(s, &pk[2]);
	vs_host_write(s, 0, "world");
	u8(s, FZ_VS_HARVEST);
	vs_pkt(s, &pk[3]);
	vs_pkt(s, &pk[4]);
	u8(s, FZ_VS_HARVEST);
	vs_pkt(s, &pk[5]);
	u8(s, FZ_VS_HARVEST);
}

static void vs_seeds(void)
{
	const struct vs_pkt accept = {0,
				      0,
				      3,
				      0,
				      VIRTIO_VSOCK_TYPE_STREAM,
				      VIRTIO_VSOCK_OP_RESPONSE,
				      0,
				      4096,
				      0};
	const struct vs_pkt bad[] = {
		{FZ_VS_P_LEN, 1, 2, 0, 1, VIRTIO_VSOCK_OP_REQUEST, 0, 0, 0, "x",
		 100},
		{0, 2, 1, 0, 3, VIRTIO_VSOCK_OP_REQUEST, 0, 0, 0},
		{0, 3, 0, 0, 1, VIRTIO_VSOCK_OP_RW, 0, 0, 0, "nobody"},
		{0, 3, 2, 0, 1, VIRTIO_VSOCK_OP_REQUEST, 0, 0, 0},
	};
	struct seed s = {0};

	u8(&s, FZ_VS_F_SEQPACKET | FZ_VS_F_INDIRECT);
	u8(&s, 2);
	vs_session(&s, 0, VIRTIO_VSOCK_TYPE_STREAM, 0);
	u8(&s, FZ_VS_EVENT);
	u8(&s, FZ_VS_RESET);
	vs_session(&s, 0, VIRTIO_VSOCK_TYPE_STREAM, 0);
	save("fuzz_vsock", "split-stream", &s);

	s.n = 0;
	u8(&s, FZ_VS_F_PACKED | FZ_VS_F_SEQPACKET | FZ_VS_F_EVENT);
	u8(&s, 1);
	vs_session(&s, 1, VIRTIO_VSOCK_TYPE_SEQPACKET,
		   VIRTIO_VSOCK_SEQ_EOM | VIRTIO_VSOCK_SEQ_EOR);
	save("fuzz_vsock", "packed-seqpacket", &s);

	/* A host program: CONNECT 1000, the guest accepts, data, RST. */
	s.n = 0;
	u8(&s, 0);
	u8(&s, 2);
	u8(&s, FZ_VS_HOST_CONNECT);
	u8(&s, 0);
	u16(&s, 1000);
	u8(&s, FZ_VS_HARVEST);
	vs_pkt(&s, &accept);
	vs_host_write(&s, 0, "from host");
	u8(&s, FZ_VS_HARVEST);
	u8(&s, FZ_VS_HOST_CLOSE);
	u8(&s, 0);
	u8(&s, 1); /* SHUT_WR */
	u8(&s, FZ_VS_HARVEST);
	u8(&s, FZ_VS_HOST_CONNECT);
	u8(&s, 1);
	u8(&s, 9);
	put(&s, "CONNECT x", 9);
	save("fuzz_vsock", "host-connect", &s);

	/* Malformed packets. */
	s.n = 0;
	u8(&s, FZ_VS_F_SEQPACKET);
	u8(&s, 3);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		vs_pkt(&s, &bad[i]);
	u8(&s, FZ_VS_HARVEST);
	save("fuzz_vsock", "malformed", &s);
}

/* ---- fuzz_virtio_net ---- */

/* Bits of the fuzz_virtio_net feature mask (FZ_NET_FEATURES order). */
static uint32_t net_mask(const unsigned int *bits, unsigned int n)
{
	static const unsigned int order[] = {FZ_NET_FEATURES};
	uint32_t m = 0;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int k = 0; k < sizeof(order) / sizeof(*order);
		     k++)
			if (order[k] == bits[i])
				m |= 1u << k;
	return m;
}

static void net_tx(struct seed *s, uint8_t flags, const void *hdr, uint16_t len,
		   uint8_t nseg)
{
	u8(s, FZ_NET_TX);
	u8(s, flags);
	u8(s, 0); /* 12-byte header */
	put(s, hdr, 12);
	u16(s, len);
	u8(s, nseg);
}

static void net_ctrl(struct seed *s, uint8_t class, uint8_t cmd,
		     const void *data, uint8_t dlen)
{
	u8(s, FZ_NET_CTRL);
	u8(s, class);
	u8(s, cmd);
	u8(s, dlen);
	put(s, data, dlen);
	u8(s, 1); /* one ack byte */
	u8(s, 0);
}

static void net_session(struct seed *s, bool vnet, uint8_t pair)
{
	struct virtio_net_hdr_v1 plain = {0},
				 csum = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					 .csum_start = 34,
					 .csum_offset = 16};
	struct virtio_net_hdr_v1 tso = csum;
	uint8_t table[] = {1, 0, 0, 0, 2, 0, 0,	   0, 0, 7,
			   1, 0, 0, 0, 1, 0, 0x5e, 0, 0, 1};
	uint16_t vid = 5, two = 2;

	tso.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	tso.gso_size = 1448;
	tso.hdr_len = 54;
	net_ctrl(s, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, "\0", 1);
	net_ctrl(s, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, table,
		 sizeof(table));
	net_ctrl(s, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, &vid, 2);
	net_ctrl(s, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two,
		 2);
	u8(s, FZ_NET_RX_POST);
	u8(s, pair);
	u8(s, 7);
	u16(s, 1535);
	net_tx(s, pair, &plain, 60, 1);
	net_tx(s, pair | FZ_NET_T_INDIRECT, vnet ? &csum : &plain, 1514, 3);
	if (vnet)
		net_tx(s, pair, &tso, 2000, 4);
	for (uint8_t d = 0; d < 5; d++) {
		u8(s, FZ_NET_INJECT);
		u8(s, pair);
		u8(s, d);
		u16(s, d == 2 ? 0x8000 : 100 + d * 300);
		if (vnet)
			put(s, &plain, 12);
	}
	u8(s, FZ_NET_KICK);
}

static void net_seeds(void)
{
	static const unsigned int all[] = {FZ_NET_FEATURES};
	static const unsigned int plain[] = {
		VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_CTRL_VQ,
		VIRTIO_NET_F_CTRL_RX};
	struct seed s = {0};

	/* Split ring, vnet headers, every feature, two pairs. */
	u8(&s, FZ_NET_F_VNET_HDR | FZ_NET_F_TWO_Q | FZ_NET_F_INDIRECT |
		       FZ_NET_F_EVENT);
	u32(&s, net_mask(all, sizeof(all) / sizeof(*all)));
	u8(&s, 3); /* 32 entries */
	net_session(&s, true, 0);
	net_session(&s, true, 1);
	u8(&s, FZ_NET_LINK);
	u8(&s, 0);
	u8(&s, FZ_NET_LINK);
	u8(&s, 1);
	net_ctrl(&s, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK,
		 NULL, 0);
	u8(&s, FZ_NET_CFG_READ);
	u8(&s, 6);
	u8(&s, 1);
	u8(&s, FZ_NET_RESET);
	net_session(&s, true, 0);
	save("fuzz_virtio_net", "split-vnet-mq", &s);

	/* Packed ring, no vnet header, few features, a blocked backend.
	 */
	s.n = 0;
	u8(&s, FZ_NET_F_PACKED | FZ_NET_F_INDIRECT | FZ_NET_F_IN_ORDER);
	u32(&s, net_mask(plain, sizeof(plain) / sizeof(*plain)));
	u8(&s, 2); /* 16 entries */
	u8(&s, FZ_NET_BLOCK);
	u8(&s, 0);
	u8(&s, 1);
	net_session(&s, false, 0);
	save("fuzz_virtio_net", "packed-plain-blocked", &s);

	/* Mergeable buffers, small ones. */
	s.n = 0;
	u8(&s, FZ_NET_F_EVENT);
	u32(&s, net_mask(all, sizeof(all) / sizeof(*all)));
	u8(&s, 4); /* 64 entries */
	u8(&s, FZ_NET_RX_POST);
	u8(&s, 0);
	u8(&s, 7);
	u16(&s, 255);
	net_session(&s, false, 0);
	save("fuzz_virtio_net", "mergeable-small", &s);

	/* Kicks through the kick eventfds, with a queue reset between two
	 * sessions. */
	s.n = 0;
	u8(&s, FZ_NET_F_KICK_FDS | FZ_NET_F_EVENT | FZ_NET_F_TWO_Q);
	u32(&s, net_mask(all, sizeof(all) / sizeof(*all)));
	u8(&s, 3); /* 32 entries */
	net_session(&s, false, 0);
	net_session(&s, false, 1);
	u8(&s, FZ_NET_QRESET);
	u8(&s, 1); /* pair 0's transmitq */
	net_session(&s, false, 0);
	save("fuzz_virtio_net", "kick-fds", &s);
}

/* ---- fuzz_boot_linux ---- */

struct boot_seed {
	const char *name;
	uint8_t memory; /* index into fuzz_boot_linux.c's sizes */
	uint32_t initrd;
	const char *cmdline;
	uint32_t init_size, initrd_addr_max;
	uint64_t pref_address;
};

/* A bzImage the loader accepts: one setup sector, 64-bit entry, a few
 * bytes of "kernel". */
static void bzimage(struct seed *s, const struct boot_seed *b)
{
	uint8_t image[1024 + 256] = {0};
	struct setup_header h = {0};

	h.setup_sects = 1;
	h.boot_flag = 0xaa55;
	h.jump = 0x6aeb; /* the header ends at 0x202 + 0x6a */
	h.header = 0x53726448;
	h.version = 0x020f;
	h.xloadflags = XLF_KERNEL_64;
	h.init_size = b->init_size;
	h.initrd_addr_max = b->initrd_addr_max;
	h.cmdline_size = 2047;
	h.pref_address = b->pref_address;
	h.kernel_alignment = 2 << 20;
	memcpy(image + 0x1f1, &h, sizeof(h));
	memset(image + 1024, 0x90, 256);
	put(s, image, sizeof(image));
}

static void boot_seeds(void)
{
	static const struct boot_seed seeds[] = {
		{"64m-initrd", 3, 0x10000, "console=ttyS0 quiet", 4 << 20,
		 0x7fffffff, 16 << 20},
		{"16m-no-initrd", 0, FZ_BOOT_NO_INITRD, "", 2 << 20, 0,
		 1 << 20},
		{"4g-huge-initrd", 8, FZ_BOOT_HUGE_INITRD | 1, "root=/dev/vda",
		 32 << 20, 0x37ffffff, 16 << 20},
		{"6g-initrd-no-max", 11, 0x100000, "init=/bin/sh", 8 << 20, 0,
		 0},
	};
	struct seed s;

	for (unsigned int i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		s.n = 0;
		u8(&s, seeds[i].memory);
		u32(&s, seeds[i].initrd);
		u16(&s, (uint16_t)strlen(seeds[i].cmdline));
		put(&s, seeds[i].cmdline, strlen(seeds[i].cmdline));
		bzimage(&s, &seeds[i]);
		save("fuzz_boot_linux", seeds[i].name, &s);
	}
}

/* ---- fuzz_options ---- */

static void options_seed(const char *name, const char *const *argv)
{
	struct seed s = {0};

	for (unsigned int i = 0; argv[i]; i++)
		put(&s, argv[i], strlen(argv[i]) + (argv[i + 1] ? 1 : 0));
	save("fuzz_options", name, &s);
}

static void options_seeds(void)
{
	static const char *const full[] = {
		"--kernel",
		"bzImage",
		"--initrd",
		"initrd.img",
		"-m",
		"2G",
		"-c",
		"4",
		"--append",
		"console=ttyS0",
		"-a",
		"quiet",
		"--disk",
		"disk.img,readonly=on,serial=abc,cache=none,num-queues="
		"2,"
		"packed=off",
		"--device",
		"virtio-rng,rate=1000,packed=on",
		"--device",
		"virtio-console,name=org.test.0,in=/dev/"
		"null,out=out.txt",
		"--console=virtio",
		"--reboot=restart",
		"-vv",
		NULL};
	static const char *const raw[] = {"--raw", "guest.bin",
					  "--memory=512MiB", NULL};
	static const char *const help[] = {"-h", "-V", NULL};
	static const char *const bad[] = {
		"-k",	     "k",     "--cpus", "65",	  "--memory",
		"16E",	     "--net", "user",	"--disk", ",x",
		"--console", "vga",   "extra",	NULL};

	static const char *const net[] = {
		"-k",
		"bz",
		"--net",
		"user,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp::53-10.0.2.15:"
		"53,mac=52:54:00:12:34:57,mtu=9000,id=lan",
		"--net",
		"tap=tap0,queues=2,transport=mmio,packed=off",
		"--device",
		"virtio-vsock,cid=3,uds=/tmp/v",
		"--control",
		"/tmp/c",
		NULL};

	options_seed("full", full);
	options_seed("net", net);
	options_seed("raw", raw);
	options_seed("help", help);
	options_seed("bad", bad);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	out_dir = argv[1];
	vq_seeds("fuzz_vq_split", false);
	vq_seeds("fuzz_vq_packed", true);
	pci_seeds();
	mmio_seeds();
	blk_seeds();
	vs_seeds();
	net_seeds();
	boot_seeds();
	options_seeds();
	return 0;
}
