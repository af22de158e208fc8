/* Unit tests for the virtqueue data path (src/virtio/vq*.c): requests make
 * the round trip driver -> device -> driver through split (virtio 1.3 §2.7)
 * and packed (§2.8) rings, direct and indirect, many times around the ring;
 * request cursors; IN_ORDER completion (§2.7.9, §2.8.8); stale pushes.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n)	 (1ULL << (n))
#define V1	 BIT(VIRTIO_F_VERSION_1)
#define IND	 BIT(VIRTIO_RING_F_INDIRECT_DESC)
#define IN_ORDER BIT(VIRTIO_F_IN_ORDER)

static struct guest_ram ram;
static struct echo_dev *echo;
static struct virtio_dev *vd;
static struct fake_transport ft;

static void setup(void)
{
	guest_ram_init(&ram, 8 << 20);
	echo = calloc(1, sizeof(*echo));
	ck_assert_int_eq(echo_dev_init(echo, &ram.mem), 0);
	vd = &echo->vd;
	fake_transport_init(&ft, vd, &ram);
}

static void teardown(void)
{
	fake_transport_destroy(&ft);
	echo_dev_destroy(echo);
	free(echo);
	guest_ram_destroy(&ram);
}

static const struct mode {
	const char *name;
	uint64_t features;
	bool indirect;
	uint16_t size;
} modes[] = {
	{"split", FT_LINUX_FEATURES, false, 8},
	{"split indirect", FT_LINUX_FEATURES, true, 8},
	{"split without event idx", V1 | IND, false, 8},
	{"split in order", FT_LINUX_FEATURES | IN_ORDER, false, 8},
	{"split size 1", FT_LINUX_FEATURES, true, 1},
	{"packed", FT_LINUX_FEATURES | FT_PACKED, false, 8},
	{"packed indirect", FT_LINUX_FEATURES | FT_PACKED, true, 8},
	{"packed without event idx", V1 | IND | FT_PACKED, false, 8},
	{"packed in order", FT_LINUX_FEATURES | FT_PACKED | IN_ORDER, true, 8},
	{"packed size 7", FT_LINUX_FEATURES | FT_PACKED, false, 7},
	{"packed size 5 indirect", FT_LINUX_FEATURES | FT_PACKED, true, 5},
	{"packed size 1", FT_LINUX_FEATURES | FT_PACKED, false, 1},
};

static void probe(const struct mode *m)
{
	ft.queue_size = m->size;
	ck_assert_int_eq(fake_transport_probe(&ft, m->features), 0);
	ck_assert_uint_eq(virtio_has_feature(vd, VIRTIO_F_RING_PACKED),
			  !!(m->features & FT_PACKED));
}

/* ---- many requests around the ring ---- */

#define SLOTS 8
#define SEG   64

struct slot {
	uint64_t rd[3], wr[2];
	uint32_t rlen, wlen, wl[2];
	unsigned int nw, seq;
	bool busy;
};

static struct slot slots[SLOTS];

static void slots_init(void)
{
	for (int i = 0; i < SLOTS; i++) {
		for (int k = 0; k < 3; k++)
			slots[i].rd[k] = guest_ram_alloc(&ram, SEG, 8);
		for (int k = 0; k < 2; k++)
			slots[i].wr[k] = guest_ram_alloc(&ram, SEG, 8);
		slots[i].busy = false;
	}
}

static uint8_t pattern(unsigned int seq, unsigned int byte)
{
	return (uint8_t)(seq * 31 + byte * 7 + 1);
}

static void add_readable(struct slot *s, unsigned int k, uint32_t len,
			 struct drvq_buf *b)
{
	uint8_t *p = guest_ram_ptr(&ram, s->rd[k], len);

	for (uint32_t j = 0; j < len; j++)
		p[j] = pattern(s->seq, s->rlen + j);
	*b = (struct drvq_buf){s->rd[k], len, false};
	s->rlen += len;
}

static void add_writable(struct slot *s, unsigned int k, uint32_t len,
			 struct drvq_buf *b)
{
	*b = (struct drvq_buf){s->wr[k], len, true};
	s->wl[k] = len;
	s->wlen += len;
	s->nw = k + 1;
}

/* Request seq: 1-3 readable and 1-2 writable segments of varied lengths.
 * A direct chain that does not fit the ring becomes one writable buffer. */
static unsigned int build(struct slot *s, unsigned int seq, uint16_t size,
			  bool ind, struct drvq_buf *b)
{
	unsigned int nr = 1 + seq % 3, nw = 1 + seq % 2, n = 0;

	s->seq = seq;
	s->rlen = s->wlen = 0;
	if (!ind && nr + nw > size) {
		add_writable(s, 0, SEG, &b[0]);
		return 1;
	}
	for (unsigned int k = 0; k < nr; k++)
		add_readable(s, k, 1 + (seq * 13 + k * 5) % SEG, &b[n++]);
	for (unsigned int k = 0; k < nw; k++)
		add_writable(s, k, 1 + (seq * 11 + k * 3) % SEG, &b[n++]);
	return n;
}

/* What echo must have written: the readable bytes, as many as fit, or
 * the fill byte everywhere when there was nothing to read. */
static void check_echo(struct slot *s, uint32_t len)
{
	uint32_t expect = s->rlen < s->wlen ? s->rlen : s->wlen;
	uint32_t done = 0;

	if (!s->rlen)
		expect = s->wlen;
	ck_assert_uint_eq(len, expect);
	for (unsigned int k = 0; k < s->nw && done < len; k++) {
		uint8_t *p = guest_ram_ptr(&ram, s->wr[k], s->wl[k]);

		for (uint32_t j = 0; j < s->wl[k] && done < len; j++, done++)
			ck_assert_uint_eq(p[j], s->rlen ? pattern(s->seq, done)
							: ECHO_FILL);
	}
}

static unsigned int harvest(void)
{
	struct slot *s;
	unsigned int n = 0;
	uint32_t len;

	while ((s = drvq_get_used(&ft.q[0], &len))) {
		check_echo(s, len);
		s->busy = false;
		n++;
	}
	return n;
}

START_TEST(test_roundtrip_many)
{
	const struct mode *m = &modes[_i];
	struct drvq_buf b[5];
	unsigned int seq = 0, got = 0, total = 40 * SLOTS;

	probe(m);
	slots_init();
	while (seq < total) {
		struct slot *s = &slots[seq % SLOTS];
		unsigned int n;

		if (s->busy) {
			got += harvest();
			ck_assert(!s->busy);
		}
		n = build(s, seq, m->size, m->indirect, b);
		if (fake_transport_send(&ft, 0, b, n, m->indirect, s) ==
		    -ENOSPC) {
			got += harvest();
			continue;
		}
		s->busy = true;
		seq++;
	}
	got += harvest();
	ck_assert_uint_eq(got, total);
	ck_assert_uint_eq(virtio_queue(vd, 0)->nr_failed, 0);
	ck_assert(!(virtio_get_status(vd) & VIRTIO_CONFIG_S_NEEDS_RESET));
	ck_assert_uint_gt(ft.used_irqs[0], 0);
	ck_assert_uint_eq(ft.config_irqs, 0);
}
END_TEST

/* ---- one request, by hand, on each format (_i: 0 split, 1 packed) ---- */

static void probe_ring(bool packed, uint64_t extra, uint16_t size)
{
	ft.queue_size = size;
	ck_assert_int_eq(
		fake_transport_probe(&ft, FT_LINUX_FEATURES | extra |
						  (packed ? FT_PACKED : 0)),
		0);
}

static struct vq_req *hold_one(const struct drvq_buf *b, unsigned int n)
{
	echo->hold = true;
	ck_assert_int_eq(fake_transport_send(&ft, 0, b, n, false, &ft), 0);
	ck_assert_uint_eq(echo->nr_held, 1);
	return &echo->held[0];
}

START_TEST(test_cursors)
{
	static const uint8_t in[9] = "abcdefghi";
	uint8_t buf[16];
	struct iovec iov[4];
	size_t got;
	struct drvq_buf b[5] = {
		{guest_ram_put(&ram, in, 3), 3, false},
		{guest_ram_put(&ram, in + 3, 5), 5, false},
		{guest_ram_put(&ram, in + 8, 1), 1, false},
		{guest_ram_alloc(&ram, 2, 1), 2, true},
		{guest_ram_alloc(&ram, 6, 1), 6, true},
	};
	struct vq_req *req;
	uint32_t len;

	probe_ring(_i, 0, 8);
	req = hold_one(b, 5);
	ck_assert_uint_eq(vq_req_readable(req), 9);
	ck_assert_uint_eq(vq_req_writable(req), 8);
	ck_assert_uint_eq(vq_req_read(req, buf, 4), 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	ck_assert_uint_eq(vq_req_read_left(req), 5);
	ck_assert_uint_eq(vq_req_read_iov(req, iov, 1, 100, &got), 1);
	ck_assert_uint_eq(got, 4); /* one iovec: the rest of segment 1 */
	ck_assert_mem_eq(iov[0].iov_base, "efgh", 4);
	ck_assert_uint_eq(vq_req_read(req, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(buf[0], 'i');
	ck_assert_uint_eq(vq_req_read(req, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(vq_req_read_left(req), 0);
	ck_assert_uint_eq(vq_req_write_left(req), 8);
	ck_assert_uint_eq(vq_req_write(req, "XYZ", 3), 3);
	ck_assert_uint_eq(vq_req_write_iov(req, iov, 4, 100, &got), 1);
	ck_assert_uint_eq(got, 5);
	memcpy(iov[0].iov_base, "12345", 5);
	ck_assert_uint_eq(vq_req_write(req, "!", 1), 0);
	ck_assert_uint_eq(req->written, 8);
	ck_assert_mem_eq(guest_ram_ptr(&ram, b[3].gpa, 2), "XY", 2);
	ck_assert_mem_eq(guest_ram_ptr(&ram, b[4].gpa, 6), "Z12345", 6);
	vq_complete(virtio_queue(vd, 0), req);
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &ft);
	ck_assert_uint_eq(len, 8);
}
END_TEST

START_TEST(test_written_is_clamped)
{
	struct drvq_buf b = {guest_ram_alloc(&ram, 4, 1), 4, true};
	struct vq_req *req;
	uint32_t len;

	probe_ring(_i, 0, 8);
	req = hold_one(&b, 1);
	/* A device that over-reports: the driver must see at most 4. */
	vq_push(virtio_queue(vd, 0), req, 1000);
	vq_flush(virtio_queue(vd, 0));
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &ft);
	ck_assert_uint_eq(len, 4);
}
END_TEST

START_TEST(test_double_push_ignored)
{
	struct drvq_buf b = {guest_ram_alloc(&ram, 4, 1), 4, true};
	struct virtq *vq;
	struct vq_req *req;
	uint32_t len;

	probe_ring(_i, 0, 8);
	vq = virtio_queue(vd, 0);
	req = hold_one(&b, 1);
	vq_push(vq, req, 0);
	vq_push(vq, req, 0);
	vq_flush(vq);
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &ft);
	ck_assert_ptr_null(drvq_get_used(&ft.q[0], &len));
	ck_assert_uint_eq(vq->unflushed, 0);
	if (!_i)
		ck_assert_uint_eq(vq->used_idx, 1);
}
END_TEST

/* A request popped before a reset must not land in the new rings. */
START_TEST(test_stale_push_dropped)
{
	struct drvq_buf b = {guest_ram_alloc(&ram, 4, 1), 4, true};
	struct vq_req stale;
	uint32_t len;
	bool queue_reset = _i & 2;

	probe_ring(_i & 1, 0, 8);
	stale = *hold_one(&b, 1);
	echo->hold = false;
	if (queue_reset) {
		struct drvq *q = &ft.q[0];

		ck_assert_int_eq(virtio_queue_reset(vd, 0), 0);
		drvq_destroy(q);
		drvq_init(q, &ram, 0, 8, vd->features);
		virtio_queue_set_size(vd, 0, 8);
		virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DESC, q->desc_gpa);
		virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DRIVER,
				      q->driver_gpa);
		virtio_queue_set_addr(vd, 0, VIRTIO_QUEUE_DEVICE,
				      q->device_gpa);
		virtio_queue_enable(vd, 0);
	} else {
		probe_ring(_i & 1, 0, 8);
	}
	ck_assert(vq_live(virtio_queue(vd, 0)));
	vq_push(virtio_queue(vd, 0), &stale, 4);
	vq_flush(virtio_queue(vd, 0));
	ck_assert_ptr_null(drvq_get_used(&ft.q[0], &len));
	/* The new ring works normally. */
	ck_assert_int_eq(fake_transport_send(&ft, 0, &b, 1, false, &ft), 0);
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &ft);
	ck_assert_uint_eq(len, 4);
}
END_TEST

START_TEST(test_readable_only_and_writable_only)
{
	uint8_t in[5] = {1, 2, 3, 4, 5};
	struct drvq_buf r = {guest_ram_put(&ram, in, 5), 5, false};
	struct drvq_buf w = {guest_ram_alloc(&ram, 7, 1), 7, true};
	uint8_t *out = guest_ram_ptr(&ram, w.gpa, 7);
	uint32_t len;

	probe_ring(_i, 0, 8);
	ck_assert_int_eq(fake_transport_send(&ft, 0, &r, 1, false, &r), 0);
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &r);
	ck_assert_uint_eq(len, 0); /* and for packed: no WRITE flag */
	ck_assert_int_eq(fake_transport_send(&ft, 0, &w, 1, false, &w), 0);
	ck_assert_ptr_eq(drvq_get_used(&ft.q[0], &len), &w);
	ck_assert_uint_eq(len, 7);
	for (int i = 0; i < 7; i++)
		ck_assert_uint_eq(out[i], ECHO_FILL);
}
END_TEST

/* §2.7.5.3.2: "zero or more normal chained descriptors followed by a single
 * indirect descriptor"; WRITE on the pointer to the table is ignored. */
START_TEST(test_split_chain_then_indirect)
{
	uint8_t in[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
	uint64_t rd = guest_ram_put(&ram, in, 6);
	uint64_t wr = guest_ram_alloc(&ram, 6, 1);
	uint64_t tbl = guest_ram_alloc(&ram, 32, 16);
	struct vring_desc *t = guest_ram_ptr(&ram, tbl, 32), *d;
	struct drvq *q;

	probe_ring(false, 0, 8);
	q = &ft.q[0];
	d = drvq_split_desc(q, 0);
	*d = (struct vring_desc){htole64(rd), htole32(4),
				 htole16(VRING_DESC_F_NEXT), htole16(1)};
	d = drvq_split_desc(q, 1);
	*d = (struct vring_desc){
		htole64(tbl), htole32(32),
		htole16(VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE), 0};
	t[0] = (struct vring_desc){htole64(rd + 4), htole32(2),
				   htole16(VRING_DESC_F_NEXT), htole16(1)};
	t[1] = (struct vring_desc){htole64(wr), htole32(6),
				   htole16(VRING_DESC_F_WRITE), 0};
	drvq_split_publish(q, 0);
	virtio_queue_kick(vd, 0);
	ck_assert_uint_eq(le16toh(q->split.used->idx), 1);
	ck_assert_uint_eq(le32toh(q->split.used->ring[0].id), 0);
	ck_assert_uint_eq(le32toh(q->split.used->ring[0].len), 6);
	ck_assert_mem_eq(guest_ram_ptr(&ram, wr, 6), in, 6);
}
END_TEST

/* Five requests parked, completed in the order 4 2 3 0 1. */
static void complete_scrambled(bool in_order, unsigned int *seen)
{
	static const unsigned int order[5] = {4, 2, 3, 0, 1};
	struct drvq_buf b[5];
	struct virtq *vq = virtio_queue(vd, 0);
	unsigned int n = 0;
	uint32_t len;
	void *tok;

	echo->hold = true;
	for (int i = 0; i < 5; i++) {
		b[i] = (struct drvq_buf){guest_ram_alloc(&ram, 4, 1), 4, true};
		ck_assert_int_eq(
			fake_transport_send(&ft, 0, &b[i], 1, false, &b[i]), 0);
	}
	ck_assert_uint_eq(echo->nr_held, 5);
	for (int k = 0; k < 5; k++) {
		echo_dev_complete(echo, order[k]);
		vq_flush(vq);
		while ((tok = drvq_get_used(&ft.q[0], &len)))
			seen[n++] = (unsigned int)((struct drvq_buf *)tok - b);
		if (in_order && k < 3)
			ck_assert_uint_eq(n, 0); /* 0 not done yet */
	}
	ck_assert_uint_eq(n, 5);
	for (unsigned int i = 0; i < 5; i++)
		ck_assert_uint_eq(seen[i], in_order ? i : order[i]);
}

START_TEST(test_in_order_holds_back)
{
	unsigned int seen[5];

	probe_ring(_i, IN_ORDER, 8);
	ck_assert(virtio_has_feature(vd, VIRTIO_F_IN_ORDER));
	complete_scrambled(true, seen);
}
END_TEST

START_TEST(test_out_of_order_without_in_order)
{
	unsigned int seen[5];

	probe_ring(_i, 0, 8);
	ck_assert(!virtio_has_feature(vd, VIRTIO_F_IN_ORDER));
	complete_scrambled(false, seen); /* seen in completion order */
}
END_TEST

static Suite *roundtrip_suite(void)
{
	Suite *s = suite_create("vq_roundtrip");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_roundtrip_many, 0,
			    sizeof(modes) / sizeof(modes[0]));
	tcase_add_loop_test(tc, test_cursors, 0, 2);
	tcase_add_loop_test(tc, test_written_is_clamped, 0, 2);
	tcase_add_loop_test(tc, test_double_push_ignored, 0, 2);
	tcase_add_loop_test(tc, test_stale_push_dropped, 0, 4);
	tcase_add_loop_test(tc, test_readable_only_and_writable_only, 0, 2);
	tcase_add_test(tc, test_split_chain_then_indirect);
	tcase_add_loop_test(tc, test_in_order_holds_back, 0, 2);
	tcase_add_loop_test(tc, test_out_of_order_without_in_order, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(roundtrip_suite());
}
