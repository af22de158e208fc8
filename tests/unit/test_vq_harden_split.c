/* Adversarial tests for split virtqueues (src/virtio/vq_split.c, vq_req.c):
 * hand-made rings that break the virtio 1.3 §2.7.5 driver rules one at a
 * time (loops, indexes out of range, index jumps, zero-length or misordered
 * buffers, bad indirect tables, addresses outside guest RAM). Each row says
 * whether the ring is broken (DEVICE_NEEDS_RESET) or just the request fails.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_runner.h"
#include "vq_harness.h"

#define BIT(n)	    (1ULL << (n))
#define NO_INDIRECT (FT_LINUX_FEATURES & ~BIT(VIRTIO_RING_F_INDIRECT_DESC))
#define NEXT	    VRING_DESC_F_NEXT
#define WRITE	    VRING_DESC_F_WRITE
#define IND	    VRING_DESC_F_INDIRECT

static struct vq_harness h;

static void setup(void)
{
	vq_harness_init(&h);
}

static void teardown(void)
{
	vq_harness_destroy(&h);
}

static void sd(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	       uint16_t next)
{
	*drvq_split_desc(h.q, i) = (struct vring_desc){
		htole64(addr), htole32(len), htole16(flags), htole16(next)};
}

static void td(uint64_t tbl, uint32_t i, uint64_t addr, uint32_t len,
	       uint16_t flags, uint16_t next)
{
	struct vring_desc *t = guest_ram_ptr(&h.ram, tbl + 16 * i, 16);

	*t = (struct vring_desc){htole64(addr), htole32(len), htole16(flags),
				 htole16(next)};
}

/* A good two-descriptor chain at head 0: 4 readable, 4 writable. */
static void s_good(uint64_t rd)
{
	sd(0, rd, 4, NEXT, 1);
	sd(1, h.wr, 4, WRITE, 0);
	drvq_split_publish(h.q, 0);
	h.expect = 4;
}

static void s_loop(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT, 1);
	sd(1, c->wr, 4, NEXT | WRITE, 0);
	drvq_split_publish(c->q, 0);
}

static void s_self_loop(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT, 0);
	drvq_split_publish(c->q, 0);
}

static void s_head_oob(struct vq_harness *c)
{
	drvq_split_publish(c->q, VQH_QSIZE);
}

static void s_head_max(struct vq_harness *c)
{
	drvq_split_publish(c->q, 0xffff);
}

static void s_next_oob(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT, VQH_QSIZE);
	drvq_split_publish(c->q, 0);
}

static void s_avail_jump(struct vq_harness *c)
{
	sd(0, c->wr, 4, WRITE, 0);
	c->q->split.avail->idx = htole16(VQH_QSIZE + 1);
}

static void s_in_flight(struct vq_harness *c)
{
	h.echo->hold = true;
	for (uint16_t i = 0; i < VQH_QSIZE; i++) {
		sd(i, c->wr, 4, WRITE, 0);
		drvq_split_publish(c->q, i);
	}
	virtio_queue_kick(h.vd, 0);
	ck_assert_uint_eq(h.echo->nr_held, VQH_QSIZE);
	drvq_split_publish(c->q, 0); /* head 0 again, still in flight */
}

static void s_full_chain(struct vq_harness *c)
{
	for (uint16_t i = 0; i + 1 < VQH_QSIZE; i++)
		sd(i, c->rd + i, 1, NEXT, i + 1);
	sd(VQH_QSIZE - 1, c->wr, VQH_QSIZE, WRITE, 0);
	drvq_split_publish(c->q, 0);
	c->expect = VQH_QSIZE - 1;
}

static void s_zero_len(struct vq_harness *c)
{
	sd(0, c->rd, 0, NEXT, 1);
	sd(1, c->wr, 4, WRITE, 0);
	drvq_split_publish(c->q, 0);
}

static void s_zero_len_writable(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT, 1);
	sd(1, c->wr, 0, WRITE, 0);
	drvq_split_publish(c->q, 0);
}

static void s_read_after_write(struct vq_harness *c)
{
	sd(0, c->wr, 4, WRITE | NEXT, 1);
	sd(1, c->rd, 4, 0, 0);
	drvq_split_publish(c->q, 0);
}

static void s_ind(uint64_t addr, uint32_t len, uint16_t flags)
{
	sd(0, addr, len, IND | flags, 1);
	sd(1, h.wr, 4, WRITE, 0);
	drvq_split_publish(h.q, 0);
}

static void s_ind_good_table(void)
{
	td(h.tbl, 0, h.rd, 4, NEXT, 1);
	td(h.tbl, 1, h.wr, 4, WRITE, 0);
}

static void s_ind_empty(struct vq_harness *c)
{
	s_ind(c->tbl, 0, 0);
}

static void s_ind_len_17(struct vq_harness *c)
{
	s_ind_good_table();
	s_ind(c->tbl, 17, 0);
}

static void s_ind_len_24(struct vq_harness *c)
{
	s_ind_good_table();
	s_ind(c->tbl, 24, 0);
}

static void s_ind_nested(struct vq_harness *c)
{
	td(c->tbl2, 0, c->wr, 4, WRITE, 0);
	td(c->tbl, 0, c->tbl2, 16, IND, 0);
	s_ind(c->tbl, 16, 0);
}

static void s_ind_with_next(struct vq_harness *c)
{
	s_ind_good_table();
	s_ind(c->tbl, 32, NEXT);
}

static void s_ind_outside(struct vq_harness *c)
{
	s_ind(VQH_HOLE, 32, 0);
}

static void s_ind_crossing(struct vq_harness *c)
{
	s_ind(VQH_LOW_LEN - 16, 32, 0);
}

static void s_ind_loop(struct vq_harness *c)
{
	td(c->tbl, 0, c->rd, 4, NEXT, 1);
	td(c->tbl, 1, c->rd, 4, NEXT, 0);
	s_ind(c->tbl, 32, 0);
}

static void s_ind_next_oob(struct vq_harness *c)
{
	td(c->tbl, 0, c->rd, 4, NEXT, 2);
	td(c->tbl, 1, c->wr, 4, WRITE, 0);
	s_ind(c->tbl, 32, 0);
}

/* 300 linked entries: legal for the spec, more than VQ_REQ_MAX_SEGS. */
static void s_ind_too_many(struct vq_harness *c)
{
	for (uint32_t i = 0; i + 1 < 300; i++)
		td(c->tbl, i, c->rd + i, 1, NEXT, (uint16_t)(i + 1));
	td(c->tbl, 299, c->wr, 300, WRITE, 0);
	s_ind(c->tbl, 300 * 16, 0);
}

static void s_ind_good(struct vq_harness *c)
{
	s_ind_good_table();
	sd(0, c->tbl, 32, IND | WRITE, 0); /* WRITE on the pointer: ignored */
	drvq_split_publish(c->q, 0);
	c->expect = 4;
}

static void s_buf(uint64_t addr, uint32_t len)
{
	sd(0, h.rd, 4, NEXT, 1);
	sd(1, addr, len, WRITE, 0);
	drvq_split_publish(h.q, 0);
}

static void s_buf_hole(struct vq_harness *c)
{
	s_buf(VQH_HOLE, 4);
}

static void s_buf_past_low(struct vq_harness *c)
{
	s_buf(VQH_LOW_LEN - 2, 4);
}

static void s_buf_into_high(struct vq_harness *c)
{
	s_buf(VQH_HIGH_GPA - 2, 4);
}

static void s_buf_past_high(struct vq_harness *c)
{
	s_buf(VQH_HIGH_GPA + VQH_HIGH_LEN - 2, 4);
}

static void s_buf_overflow(struct vq_harness *c)
{
	s_buf(UINT64_MAX - 1, 16);
}

static void s_buf_huge(struct vq_harness *c)
{
	s_buf(c->wr, UINT32_MAX);
}

static void s_over_4g(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT, 1);
	sd(1, c->wr, 4, WRITE | NEXT, 2);
	sd(2, c->wr, UINT32_MAX - 5, WRITE, 0);
	drvq_split_publish(c->q, 0);
}

static void s_buf_high_ok(struct vq_harness *c)
{
	s_good(VQH_HIGH_GPA);
}

static void s_unknown_flags(struct vq_harness *c)
{
	sd(0, c->rd, 4, NEXT | 0x80, 1);
	sd(1, c->wr, 4, WRITE | 0x100, 0);
	drvq_split_publish(c->q, 0);
	c->expect = 4;
}

static void s_avail_flags_junk(struct vq_harness *c)
{
	c->q->split.avail->flags = htole16(0xfffe);
	s_good(c->rd);
}

static const struct vq_case split_cases[] = {
	{"loop of two", s_loop, VQ_BROKEN},
	{"descriptor linked to itself", s_self_loop, VQ_BROKEN},
	{"head == queue size", s_head_oob, VQ_BROKEN},
	{"head 0xffff", s_head_max, VQ_BROKEN},
	{"next == queue size", s_next_oob, VQ_BROKEN},
	{"avail idx jumps by size + 1", s_avail_jump, VQ_BROKEN},
	{"more buffers in flight than the ring", s_in_flight, VQ_BROKEN},
	{"chain of exactly queue size", s_full_chain, VQ_FINE},
	{"zero-length readable", s_zero_len, VQ_FAILED},
	{"zero-length writable", s_zero_len_writable, VQ_FAILED},
	{"readable after writable", s_read_after_write, VQ_FAILED},
	{"indirect table empty", s_ind_empty, VQ_FAILED},
	{"indirect length 17", s_ind_len_17, VQ_FAILED},
	{"indirect length 24", s_ind_len_24, VQ_FAILED},
	{"nested indirect", s_ind_nested, VQ_FAILED},
	{"indirect with NEXT", s_ind_with_next, VQ_FAILED},
	{"indirect table in the hole", s_ind_outside, VQ_FAILED},
	{"indirect table crossing RAM end", s_ind_crossing, VQ_FAILED},
	{"loop inside indirect table", s_ind_loop, VQ_FAILED},
	{"next out of indirect table", s_ind_next_oob, VQ_FAILED},
	{"indirect chain of 300", s_ind_too_many, VQ_FAILED},
	{"indirect not negotiated", s_ind_good, VQ_FAILED, NO_INDIRECT},
	{"indirect, WRITE on pointer", s_ind_good, VQ_FINE},
	{"buffer in the hole", s_buf_hole, VQ_FAILED},
	{"buffer past low RAM", s_buf_past_low, VQ_FAILED},
	{"buffer from hole into high RAM", s_buf_into_high, VQ_FAILED},
	{"buffer past high RAM", s_buf_past_high, VQ_FAILED},
	{"gpa + len overflows", s_buf_overflow, VQ_FAILED},
	{"len 0xffffffff", s_buf_huge, VQ_FAILED},
	{"chain over 4 GiB", s_over_4g, VQ_FAILED},
	{"buffer in high RAM", s_buf_high_ok, VQ_FINE},
	{"unknown descriptor flags ignored", s_unknown_flags, VQ_FINE},
	{"unknown avail flags ignored", s_avail_flags_junk, VQ_FINE},
};

START_TEST(test_split_adversarial)
{
	vq_harness_run(&h, &split_cases[_i], false);
}
END_TEST

/* Two broken queues, one configuration change notification. */
START_TEST(test_needs_reset_notifies_once)
{
	h.ft.queue_size = VQH_QSIZE;
	ck_assert_int_eq(fake_transport_probe(&h.ft, FT_LINUX_FEATURES), 0);
	h.q = &h.ft.q[0];
	s_self_loop(&h);
	virtio_queue_kick(h.vd, 0);
	h.q = &h.ft.q[1];
	s_self_loop(&h);
	virtio_queue_kick(h.vd, 1);
	ck_assert(virtio_queue(h.vd, 0)->broken &&
		  virtio_queue(h.vd, 1)->broken);
	ck_assert_uint_eq(h.ft.config_irqs, 1);
	/* Kicks on a broken queue are ignored; reset brings it back. */
	virtio_queue_kick(h.vd, 0);
	ck_assert_uint_eq(h.echo->notifies, 2);
	ck_assert_int_eq(fake_transport_probe(&h.ft, FT_LINUX_FEATURES), 0);
	ck_assert(vq_live(virtio_queue(h.vd, 0)));
}
END_TEST

static Suite *harden_suite(void)
{
	Suite *s = suite_create("vq_harden_split");
	TCase *tc = tcase_create("split");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_split_adversarial, 0,
			    sizeof(split_cases) / sizeof(split_cases[0]));
	tcase_add_test(tc, test_needs_reset_notifies_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(harden_suite());
}
