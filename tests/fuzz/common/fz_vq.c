/* fz_vq: the virtqueue fuzz program (see fz_vq.h, format in fz_formats.h).
 *
 * The driver model (drvq) keeps well-formed traffic well-formed and checks
 * every used buffer the device returns; raw ops write the rings behind its
 * back, after which that queue's used buffers are no longer checked by
 * drvq (its bookkeeping is stale) but the core's own invariants still are.
 * Everything runs on this thread: the echo device serves a kick inside
 * virtio_queue_kick, so a crash input replays exactly.
 */
#include "fz_vq.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "fz.h"
#include "fz_formats.h"
#include "guest_ram.h"
#include "virtio.h"

#define LOW_LEN	 (2 << 20)
#define HIGH_GPA 0x100000000ULL
#define HIGH_LEN 0x1000
#define NQ	 ECHO_NUM_QUEUES
#define BIT(n)	 (1ULL << (n))
#define P_AVAIL	 (1 << VRING_PACKED_DESC_F_AVAIL)
#define P_USED	 (1 << VRING_PACKED_DESC_F_USED)

struct vqf {
	struct fz in;
	struct guest_ram *ram;
	struct echo_dev *echo;
	struct virtio_dev *vd;
	struct fake_transport ft;
	bool packed;
	uint64_t want; /* the features the driver accepts */
	uint64_t data; /* gpa of the data area */
	bool raw[NQ];  /* raw writes reached this ring: drvq's view is stale */
	bool raw_mem;  /* FZ_VQ_RAW_MEM wrote somewhere in low RAM */
	uintptr_t tokens;
};

static void fail(uint16_t q, const char *what)
{
	fprintf(stderr, "fuzz_vq: queue %u: %s\n", q, what);
	abort();
}

/* ---- checked after every op ---- */

/* A ring only the driver model wrote must never be found malformed. */
static void check_queue(struct vqf *f, uint16_t i)
{
	struct virtq *vq = virtio_queue(f->vd, i);

	if (vq->broken && !f->raw[i])
		fail(i, "a well-formed ring was declared broken");
	fz_check_queue(vq);
}

/* Forgets parked requests that were completed or belong to a queue that
 * has been reset since: the echo device counts every parked request
 * towards its limit, a real device would free them. */
static void compact_held(struct echo_dev *e)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < e->nr_held; i++) {
		struct vq_req *r = &e->held[i];

		if (!r->vq || r->epoch != r->vq->epoch)
			continue;
		if (k != i)
			e->held[k] = *r;
		k++;
	}
	e->nr_held = k;
}

/* ---- ops through the driver model ---- */

/* Where a buffer of FZ_VQ_ADD points; *len is clamped to the data area. */
static uint64_t buf_gpa(struct vqf *f, uint8_t mode, uint32_t *len)
{
	uint16_t off;

	switch (mode & FZ_VQ_BUF_WHERE) {
	case FZ_VQ_BUF_DATA:
		off = fz_u16(&f->in) % FZ_VQ_DATA_LEN;
		if (*len > FZ_VQ_DATA_LEN - off)
			*len = FZ_VQ_DATA_LEN - off;
		return f->data + off;
	case FZ_VQ_BUF_RAW:
		/* May overlap either queue's rings, or any RAM. */
		f->raw[0] = f->raw[1] = f->raw_mem = true;
		return fz_u64(&f->in);
	case FZ_VQ_BUF_HIGH:
		return HIGH_GPA + fz_u16(&f->in);
	default:
		f->raw[0] = f->raw[1] = f->raw_mem = true;
		return LOW_LEN - fz_u16(&f->in);
	}
}

static void op_add(struct vqf *f)
{
	struct drvq_buf bufs[DRVQ_MAX_INDIRECT];
	uint8_t flags = fz_u8(&f->in);
	unsigned int n = 1 + fz_u8(&f->in) % DRVQ_MAX_INDIRECT;
	uint16_t q = flags & FZ_VQ_ADD_QUEUE;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t mode = fz_u8(&f->in);
		uint32_t len = fz_u16(&f->in);

		bufs[i].gpa = buf_gpa(f, mode, &len);
		bufs[i].len = len;
		bufs[i].writable = mode & FZ_VQ_BUF_WRITABLE;
	}
	if (drvq_add(&f->ft.q[q], bufs, n, flags & FZ_VQ_ADD_INDIRECT,
		     (void *)++f->tokens) == 0 &&
	    !(flags & FZ_VQ_ADD_NO_KICK))
		fake_transport_kick(&f->ft, q);
}

static void op_harvest(struct vqf *f, uint16_t q)
{
	uint32_t len;

	if (f->raw[q])
		return;
	while (drvq_get_used(&f->ft.q[q], &len))
		;
}

static void op_cb(struct vqf *f, uint8_t v)
{
	struct drvq *q = &f->ft.q[v & 1];

	if (f->raw[v & 1])
		return;
	if (v & 2)
		drvq_enable_cb(q);
	else
		drvq_disable_cb(q);
}

static void op_complete(struct vqf *f)
{
	struct echo_dev *e = f->echo;
	uint8_t i = fz_u8(&f->in), flush = fz_u8(&f->in) & 1;

	if (!e->nr_held)
		return;
	echo_dev_complete(e, i % e->nr_held);
	for (uint16_t q = 0; flush && q < NQ; q++)
		vq_flush(virtio_queue(f->vd, q));
}

/* ---- raw ops: the rings written behind the driver model's back ---- */

static void op_raw_desc(struct vqf *f, uint16_t q)
{
	struct drvq *d = &f->ft.q[q];
	uint16_t i = fz_u16(&f->in) % d->size;
	uint8_t b[16];
	uint64_t addr;
	uint32_t len;
	uint16_t id, flags;

	fz_bytes(&f->in, b, sizeof(b));
	f->raw[q] = true;
	if (!d->packed) {
		memcpy(drvq_split_desc(d, i), b, sizeof(b));
		return;
	}
	memcpy(&addr, b, 8);
	memcpy(&len, b + 8, 4);
	memcpy(&id, b + 12, 2);
	memcpy(&flags, b + 14, 2);
	drvq_packed_put(d, i, le64toh(addr), le32toh(len), le16toh(id),
			le16toh(flags));
}

static void op_raw_driver(struct vqf *f, uint16_t q)
{
	struct drvq *d = &f->ft.q[q];
	/* Split: flags, idx, ring[size], used_event; packed: off_wrap,
	 * flags. Both in 16-bit fields. */
	uint32_t fields = d->packed ? 2 : 3 + d->size;
	uint32_t off = fz_u16(&f->in) % fields * 2;
	uint16_t val = htole16(fz_u16(&f->in));

	f->raw[q] = true;
	memcpy(guest_ram_ptr(f->ram, d->driver_gpa + off, 2), &val, 2);
}

static void op_publish(struct vqf *f, uint16_t q)
{
	struct drvq *d = &f->ft.q[q];
	uint16_t head = fz_u16(&f->in), flags = fz_u16(&f->in);
	bool wrap = d->avail_wrap ^ !!(flags & 0x8000);

	f->raw[q] = true;
	if (!d->packed) {
		drvq_split_publish(d, head);
		return;
	}
	/* The descriptor itself came from FZ_VQ_RAW_DESC (or an old add). */
	flags = (flags & ~(P_AVAIL | P_USED | 0x8000)) |
		drvq_packed_avail_bits(wrap);
	__atomic_store_n(&d->pdesc[d->next_avail].flags, htole16(flags),
			 __ATOMIC_RELEASE);
	if (++d->next_avail == d->size) {
		d->next_avail = 0;
		d->avail_wrap = !d->avail_wrap;
	}
}

static void op_poke(struct vqf *f, uint64_t base, uint64_t area)
{
	uint64_t off =
		(area == FZ_VQ_DATA_LEN ? fz_u16(&f->in) : fz_u32(&f->in)) %
		area;
	uint64_t len = fz_u8(&f->in);

	if (len > area - off)
		len = area - off;
	fz_bytes(&f->in, guest_ram_ptr(f->ram, base + off, len ? len : 1), len);
}

/* ---- resets ---- */

/* Guest RAM a new driver-side queue takes: ring and indirect tables. */
static bool room_for(struct vqf *f, unsigned int queues)
{
	uint64_t per = 16384 +
		       (uint64_t)f->ft.q[0].size * 16 * (DRVQ_MAX_INDIRECT + 2);

	return f->ram->low_len - f->ram->brk > queues * per;
}

static void op_qreset(struct vqf *f, uint16_t q)
{
	struct drvq *d = &f->ft.q[q];
	uint16_t size = d->size;

	if (!room_for(f, 1) || virtio_queue_reset(f->vd, q) < 0)
		return;
	drvq_destroy(d);
	drvq_init(d, f->ram, q, size, f->vd->features);
	f->ft.bus->queue_setup(&f->ft, q, d);
	f->raw[q] = false;
}

static int probe(struct vqf *f)
{
	int r = fake_transport_probe(&f->ft, f->want);

	memset(f->raw, 0, sizeof(f->raw));
	return r;
}

static void run_op(struct vqf *f, uint8_t op)
{
	switch (op % FZ_VQ_NR_OPS) {
	case FZ_VQ_ADD:
		op_add(f);
		break;
	case FZ_VQ_KICK:
		fake_transport_kick_now(&f->ft, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_HARVEST:
		op_harvest(f, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_CB:
		op_cb(f, fz_u8(&f->in));
		break;
	case FZ_VQ_COMPLETE:
		op_complete(f);
		break;
	case FZ_VQ_RAW_DESC:
		op_raw_desc(f, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_RAW_DRIVER:
		op_raw_driver(f, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_PUBLISH:
		op_publish(f, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_POKE:
		op_poke(f, f->data, FZ_VQ_DATA_LEN);
		break;
	case FZ_VQ_RAW_MEM:
		op_poke(f, 0, LOW_LEN);
		f->raw[0] = f->raw[1] = f->raw_mem = true;
		break;
	case FZ_VQ_QRESET:
		op_qreset(f, fz_u8(&f->in) & 1);
		break;
	case FZ_VQ_RESET:
		if (room_for(f, NQ))
			probe(f);
		break;
	}
}

/* ---- setup ---- */

static uint64_t wanted_features(uint8_t v, bool packed)
{
	uint64_t w = BIT(VIRTIO_F_VERSION_1);

	if (v & FZ_VQ_F_INDIRECT)
		w |= BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (v & FZ_VQ_F_EVENT_IDX)
		w |= BIT(VIRTIO_RING_F_EVENT_IDX);
	if (v & FZ_VQ_F_IN_ORDER)
		w |= BIT(VIRTIO_F_IN_ORDER);
	if (v & FZ_VQ_F_NOTIF_DATA)
		w |= BIT(VIRTIO_F_NOTIFICATION_DATA);
	if (v & FZ_VQ_F_RING_RESET)
		w |= BIT(VIRTIO_F_RING_RESET);
	return packed ? w | BIT(VIRTIO_F_RING_PACKED) : w;
}

static uint16_t queue_size(uint8_t v, bool packed, bool hold)
{
	uint16_t size = packed ? (v ? v : 256) : 1 << (v % 9);

	/* echo_dev parks at most ECHO_QUEUE_MAX - 1 requests. */
	if (hold && size == 256)
		size = packed ? 255 : 128;
	return size;
}

/* Guest RAM and the device live as long as the process: making them anew
 * for every input would cost more than running it. Each input starts from
 * zeroed RAM and a reset device all the same. */
static struct guest_ram ram;
static struct echo_dev echo;
static uint64_t ram_dirty; /* bytes of low RAM the last input may have set */

static void once(void)
{
	if (echo.held)
		return;
	guest_ram_init(&ram, LOW_LEN);
	guest_ram_add_high(&ram, HIGH_GPA, HIGH_LEN);
	if (echo_dev_init(&echo, &ram.mem) < 0)
		fail(0, "cannot create the echo device");
	ram_dirty = LOW_LEN;
}

static int setup(struct vqf *f, bool packed)
{
	uint8_t feat = fz_u8(&f->in), size = fz_u8(&f->in);

	once();
	memset(ram.low, 0, ram_dirty);
	memset(ram.high, 0, HIGH_LEN);
	ram.brk = 0x1000;
	f->ram = &ram;
	f->data = guest_ram_alloc(&ram, FZ_VQ_DATA_LEN, 4096);
	f->echo = &echo;
	f->vd = &echo.vd;
	echo.hold = feat & FZ_VQ_F_HOLD;
	echo.flush_each = feat & FZ_VQ_F_FLUSH_EACH;
	f->packed = packed;
	f->want = wanted_features(feat, packed);
	fake_transport_init(&f->ft, f->vd, &ram);
	f->ft.queue_size = queue_size(size, packed, echo.hold);
	return probe(f);
}

void fz_vq_run(const uint8_t *data, size_t size, bool packed)
{
	struct vqf f = {0};

	fz_init(&f.in, data, size);
	if (setup(&f, packed) < 0)
		fail(0, "the driver model could not set the device up");
	while (!fz_done(&f.in)) {
		run_op(&f, fz_u8(&f.in));
		compact_held(f.echo);
		for (uint16_t q = 0; q < NQ; q++)
			check_queue(&f, q);
	}
	/* Reset: the device lets go of every request before the next input
	 * reuses the RAM they point into. */
	fake_transport_set_status(&f.ft, 0);
	fake_transport_destroy(&f.ft);
	ram_dirty = f.raw_mem ? LOW_LEN : ram.brk;
}
