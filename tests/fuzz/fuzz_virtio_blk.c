/* fuzz_virtio_blk: virtio-blk requests built by a hostile guest (virtio
 * 1.3 §5.2.6 Device Operation).
 *
 * The real device (src/devices/virtio_blk*.c, its I/O threads included) on
 * a 64 KiB raw image, reached through the fake transport's core bus. The
 * rings are well-formed (the driver model builds them, split or packed);
 * what goes in them is the fuzzer's: header fields and length, data
 * segments and their direction, status length, discard tables. Every
 * answer is checked: used length 0 for a request the core must refuse,
 * else all of its writable bytes, ending in a valid status. Format in
 * fz_formats.h.
 */
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "fake_transport.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "virtio_blk.h"

#define LOW_LEN	   (2 << 20)
#define NSLOTS	   512 /* two queues of 256: the most requests in flight */
#define SLOT_LEN   64  /* header (<= 32 bytes) at 0, status at STATUS_OFF */
#define STATUS_OFF 48
#define SERIAL	   "fuzz-serial"
#define WAIT_NS	   (10LL * 1000000000LL)
#define BIT(n)	   (1ULL << (n))

static const uint32_t known_types[] = {
	VIRTIO_BLK_T_IN,     VIRTIO_BLK_T_OUT,	   VIRTIO_BLK_T_FLUSH,
	VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES,
};
static const unsigned int blk_features[] = {FZ_BLK_FEATURES};

/* One request in flight: what its answer must look like. */
struct slot {
	bool busy;
	bool valid;	   /* the core must accept it (no empty buffer) */
	uint32_t wlen;	   /* device-writable bytes */
	uint64_t last_gpa; /* its last writable byte: the status */
	bool own_status;   /* that byte is in a status buffer of its own */
};

struct blkf {
	struct fz in;
	struct fake_transport ft;
	struct virtio_blk *blk;
	struct virtio_dev *vd;
	uint64_t want;
	uint64_t data, slots_gpa;
	struct slot slot[NSLOTS];
	unsigned int outstanding;
};

/* Process-wide: the image (a memfd, reopened by path as a user's image
 * would be) and guest RAM, both restored for every input. */
static struct guest_ram ram;
static char image_path[64];
static int image_fd = -1;
static uint8_t image_init[FZ_BLK_IMAGE_LEN];

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_virtio_blk: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---- answers ---- */

static void check_answer(struct blkf *f, struct slot *s, uint32_t len)
{
	uint32_t expect = s->valid ? s->wlen : 0;
	uint8_t status;

	if (len != expect)
		fail("used length %u, expected %u", len, expect);
	/* A status byte in the data area may have been overwritten since by
	 * another request's data: only a status buffer can be checked. */
	if (len && s->own_status) {
		status = *(uint8_t *)guest_ram_ptr(&ram, s->last_gpa, 1);
		if (status > VIRTIO_BLK_S_UNSUPP)
			fail("status %u, used length %u", status, len);
	}
	s->busy = false;
	f->outstanding--;
}

static bool harvest(struct blkf *f)
{
	bool got = false;
	struct slot *s;
	uint32_t len;

	for (uint16_t q = 0; q < f->ft.nr_queues; q++) {
		while ((s = drvq_get_used(&f->ft.q[q], &len))) {
			check_answer(f, s, len);
			got = true;
		}
	}
	return got;
}

/* Kicks every queue and waits until every request came back. The rings
 * are well-formed, so the device has no excuse to break or to stall. */
static void kick_wait(struct blkf *f)
{
	long long end = now_ns() + WAIT_NS;

	for (uint16_t q = 0; q < f->ft.nr_queues; q++)
		fake_transport_kick_now(&f->ft, q);
	while (f->outstanding) {
		if (harvest(f))
			continue;
		if (virtio_get_status(f->vd) & VIRTIO_CONFIG_S_NEEDS_RESET)
			fail("well-formed rings, yet NEEDS_RESET");
		if (now_ns() > end)
			fail("%u requests never completed", f->outstanding);
		usleep(20);
	}
}

/* ---- building a request ---- */

static struct slot *free_slot(struct blkf *f, uint64_t *gpa)
{
	for (unsigned int i = 0; i < NSLOTS; i++) {
		if (!f->slot[i].busy) {
			*gpa = f->slots_gpa + (uint64_t)i * SLOT_LEN;
			return &f->slot[i];
		}
	}
	fail("no free request slot (%u in flight)", f->outstanding);
}

static uint64_t read_sector(struct blkf *f)
{
	switch (fz_u8(&f->in) % 3) {
	case 0:
		return fz_u8(&f->in);
	case 1:
		return virtio_blk_capacity(f->blk) - fz_u8(&f->in);
	default:
		return fz_u64(&f->in);
	}
}

/* The header: type, ioprio 0, sector, as many of its bytes as hdr_len
 * says (beyond 16: zeroes), in one or two descriptors. */
static unsigned int put_header(struct blkf *f, uint64_t gpa, uint8_t flags,
			       struct drvq_buf *b)
{
	uint8_t t = fz_u8(&f->in) % 8;
	uint32_t type = t < 6 ? known_types[t] : fz_u32(&f->in);
	struct virtio_blk_outhdr h = {.type = htole32(type),
				      .sector = htole64(read_sector(f))};
	uint8_t l = fz_u8(&f->in);
	uint32_t len = l ? 1 + l % 32 : sizeof(h);

	memset(guest_ram_ptr(&ram, gpa, STATUS_OFF), 0, STATUS_OFF);
	memcpy(guest_ram_ptr(&ram, gpa, sizeof(h)), &h, sizeof(h));
	if ((flags & FZ_BLK_R_SPLIT) && len >= 2) {
		b[0] = (struct drvq_buf){gpa, len / 2, false};
		b[1] = (struct drvq_buf){gpa + len / 2, len - len / 2, false};
		return 2;
	}
	b[0] = (struct drvq_buf){gpa, len, false};
	return 1;
}

static void op_req(struct blkf *f)
{
	struct drvq_buf b[2 + 8 + 1];
	uint8_t flags = fz_u8(&f->in);
	uint64_t gpa;
	struct slot *s = free_slot(f, &gpa);
	unsigned int n = put_header(f, gpa, flags, b), nseg;
	uint8_t sl = fz_u8(&f->in);
	uint32_t status_len = sl == 0xff ? 0 : 1 + sl % 8;
	uint32_t type = le32toh(*(uint32_t *)guest_ram_ptr(&ram, gpa, 4));
	bool wdata = (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID) ^
		     !!(flags & FZ_BLK_R_FLIP);
	uint16_t q = (flags & FZ_BLK_R_QUEUE) % f->ft.nr_queues;
	int r;

	nseg = fz_u8(&f->in) % 9;
	*s = (struct slot){
		.busy = true, .valid = true, .own_status = sl != 0xff};
	for (unsigned int i = 0; i < nseg; i++, n++) {
		uint16_t off = fz_u16(&f->in) % FZ_BLK_DATA_LEN;
		uint32_t len = fz_u16(&f->in);

		if (len > FZ_BLK_DATA_LEN - off)
			len = FZ_BLK_DATA_LEN - off;
		b[n] = (struct drvq_buf){f->data + off, len, wdata};
	}
	if (status_len) {
		memset(guest_ram_ptr(&ram, gpa + STATUS_OFF, status_len), 0xee,
		       status_len);
		b[n++] = (struct drvq_buf){gpa + STATUS_OFF, status_len, true};
	}
	for (unsigned int i = 0; i < n; i++) {
		s->valid &= b[i].len > 0;
		if (b[i].writable) {
			s->wlen += b[i].len;
			s->last_gpa = b[i].gpa + b[i].len - 1;
		}
	}
	r = drvq_add(&f->ft.q[q], b, n, flags & FZ_BLK_R_INDIRECT, s);
	if (r < 0) { /* ring full: let the device catch up, try again */
		kick_wait(f);
		r = drvq_add(&f->ft.q[q], b, n, flags & FZ_BLK_R_INDIRECT, s);
	}
	if (r < 0) /* longer than the whole ring */
		s->busy = false;
	else
		f->outstanding++;
}

/* ---- the other ops ---- */

static void op_config(struct blkf *f, bool write)
{
	uint8_t off = fz_u8(&f->in), len = 1 + fz_u8(&f->in) % 8;
	uint64_t val = write ? fz_u64(&f->in) : 0;

	if (write)
		fake_transport_config_write(&f->ft, off, &val, len);
	else
		fake_transport_config_read(&f->ft, off, &val, len);
}

static void op_poke(struct blkf *f)
{
	uint16_t off = fz_u16(&f->in) % FZ_BLK_DATA_LEN;
	uint32_t len = fz_u8(&f->in);

	if (len > FZ_BLK_DATA_LEN - off)
		len = FZ_BLK_DATA_LEN - off;
	fz_bytes(&f->in, guest_ram_ptr(&ram, f->data + off, 1), len);
}

static void probe(struct blkf *f)
{
	int r = fake_transport_probe(&f->ft, f->want);

	if (r < 0)
		fail("probe failed: %d", r);
}

static void op_reset(struct blkf *f)
{
	/* Room for the driver's new rings and indirect tables. */
	uint64_t need = 2 * (16384 + (uint64_t)f->ft.q[0].size * 16 * 34);

	kick_wait(f);
	if (ram.low_len - ram.brk > need)
		probe(f);
}

static void run_op(struct blkf *f, uint8_t op)
{
	switch (op % FZ_BLK_NR_OPS) {
	case FZ_BLK_REQ:
		op_req(f);
		break;
	case FZ_BLK_KICK:
		kick_wait(f);
		break;
	case FZ_BLK_CFG_WRITE:
		op_config(f, true);
		break;
	case FZ_BLK_CFG_READ:
		op_config(f, false);
		break;
	case FZ_BLK_RESET:
		op_reset(f);
		break;
	case FZ_BLK_POKE:
		op_poke(f);
		break;
	}
}

/* ---- setup ---- */

static void once(void)
{
	if (image_fd >= 0)
		return;
	image_fd = memfd_create("fuzz-blk-image", MFD_CLOEXEC);
	if (image_fd < 0)
		fail("memfd_create failed");
	for (unsigned int i = 0; i < FZ_BLK_IMAGE_LEN; i++)
		image_init[i] = (uint8_t)(i * 7 + (i >> 9));
	snprintf(image_path, sizeof(image_path), "/proc/self/fd/%d", image_fd);
	guest_ram_init(&ram, LOW_LEN);
}

static uint64_t wanted(uint8_t flags, uint16_t mask)
{
	uint64_t w = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_NOTIFICATION_DATA) |
		     BIT(VIRTIO_F_RING_RESET);

	if (flags & FZ_BLK_F_PACKED)
		w |= BIT(VIRTIO_F_RING_PACKED);
	if (flags & FZ_BLK_F_INDIRECT)
		w |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (flags & FZ_BLK_F_EVENT)
		w |= BIT(VIRTIO_RING_F_EVENT_IDX);
	if (flags & FZ_BLK_F_IN_ORDER)
		w |= BIT(VIRTIO_F_IN_ORDER);
	for (unsigned int i = 0; i < sizeof(blk_features) / sizeof(int); i++)
		if (mask & (1u << i))
			w |= BIT(blk_features[i]);
	return w;
}

static void setup(struct blkf *f)
{
	uint8_t flags = fz_u8(&f->in);
	uint16_t mask = fz_u16(&f->in);
	uint8_t qsize = fz_u8(&f->in);
	struct virtio_blk_options o = {
		.path = image_path,
		.readonly = flags & FZ_BLK_F_READONLY,
		.serial = SERIAL,
		.cache = flags & FZ_BLK_F_NOCACHE ? VIRTIO_BLK_CACHE_NONE
						  : VIRTIO_BLK_CACHE_WRITEBACK,
		.num_queues = flags & FZ_BLK_F_TWO_Q ? 2 : 1,
	};
	int r;

	once();
	if (ftruncate(image_fd, 0) < 0 ||
	    pwrite(image_fd, image_init, FZ_BLK_IMAGE_LEN, 0) !=
		    FZ_BLK_IMAGE_LEN)
		fail("cannot restore the image");
	memset(ram.low, 0, ram.brk);
	ram.brk = 0x1000;
	f->data = guest_ram_alloc(&ram, FZ_BLK_DATA_LEN, 4096);
	f->slots_gpa = guest_ram_alloc(&ram, NSLOTS * SLOT_LEN, 64);
	r = virtio_blk_create(&o, &ram.mem, &f->blk);
	if (r < 0)
		fail("virtio_blk_create: %d", r);
	f->vd = virtio_blk_vdev(f->blk);
	f->want = wanted(flags, mask);
	fake_transport_init(&f->ft, f->vd, &ram);
	f->ft.queue_size = 4 << (qsize % 7);
	probe(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkf *f = calloc(1, sizeof(*f));

	if (!f)
		fail("out of memory");
	fz_init(&f->in, data, size);
	setup(f);
	while (!fz_done(&f->in))
		run_op(f, fz_u8(&f->in));
	kick_wait(f);
	/* The driver goes away as Linux's does: reset first, so no I/O
	 * thread is still inside vq_flush when the transport is gone. */
	fake_transport_set_status(&f->ft, 0);
	fake_transport_destroy(&f->ft);
	virtio_blk_destroy(f->blk);
	free(f);
	return 0;
}
