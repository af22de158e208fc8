/* Adversarial tests for packed virtqueues (src/virtio/vq_packed.c,
 * vq_req.c): hand-made rings that break the virtio 1.3 §2.8.6-§2.8.7 driver
 * rules one at a time (wrap/AVAIL/USED combinations, chains longer than the
 * ring, in-flight overflow, bad indirect tables, addresses outside RAM).
 * Each row says whether the ring is broken or just the request fails.
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

static uint16_t av(void)
{
	return drvq_packed_avail_bits(true); /* first lap */
}

static void pd(uint16_t pos, uint64_t addr, uint32_t len, uint16_t flags)
{
	drvq_packed_put(h.q, pos, addr, len, VQH_ID, flags);
}

static void ptd(uint64_t tbl, uint32_t i, uint64_t addr, uint32_t len,
		uint16_t flags)
{
	struct vring_packed_desc *t = guest_ram_ptr(&h.ram, tbl + 16 * i, 16);

	*t = (struct vring_packed_desc){htole64(addr), htole32(len), 0,
					htole16(flags)};
}

/* Two-descriptor chain, tail first and head last as a driver must. */
static void p_pair(uint64_t rd, uint32_t rlen, uint16_t rflags, uint64_t wr,
		   uint32_t wlen, uint16_t wflags)
{
	pd(1, wr, wlen, wflags);
	pd(0, rd, rlen, rflags);
	h.slots = 2;
}

static void p_chain_too_long(struct vq_harness *c)
{
	for (uint16_t i = VQH_QSIZE; i-- > 0;)
		pd(i, c->rd, 4, av() | NEXT);
}

static void p_chain_unavail(struct vq_harness *c)
{
	p_pair(c->rd, 4, av() | NEXT, c->wr, 4, WRITE);
}

static void p_chain_used_bits(struct vq_harness *c)
{
	p_pair(c->rd, 4, av() | NEXT, c->wr, 4,
	       WRITE | (1 << VRING_PACKED_DESC_F_AVAIL) |
		       (1 << VRING_PACKED_DESC_F_USED));
}

static void p_chain_prev_lap(struct vq_harness *c)
{
	p_pair(c->rd, 4, av() | NEXT, c->wr, 4,
	       WRITE | drvq_packed_avail_bits(false));
}

static void p_head_used_bits(struct vq_harness *c)
{
	pd(0, c->wr, 4,
	   WRITE | (1 << VRING_PACKED_DESC_F_AVAIL) |
		   (1 << VRING_PACKED_DESC_F_USED));
}

static void p_head_prev_lap(struct vq_harness *c)
{
	pd(0, c->wr, 4, WRITE | drvq_packed_avail_bits(false));
}

static void p_head_nothing(struct vq_harness *c)
{
}

static void p_in_flight(struct vq_harness *c)
{
	h.echo->hold = true;
	for (uint16_t i = 0; i < VQH_QSIZE; i++)
		drvq_packed_put(c->q, i, c->wr, 4, i, av() | WRITE);
	virtio_queue_kick(h.vd, 0);
	ck_assert_uint_eq(h.echo->nr_held, VQH_QSIZE);
	/* Second lap, before the device used anything. */
	pd(0, c->wr, 4, drvq_packed_avail_bits(false) | WRITE);
}

static void p_zero_len(struct vq_harness *c)
{
	p_pair(c->rd, 0, av() | NEXT, c->wr, 4, av() | WRITE);
}

static void p_read_after_write(struct vq_harness *c)
{
	p_pair(c->wr, 4, av() | NEXT | WRITE, c->rd, 4, av());
}

static void p_ind(uint64_t tbl, uint32_t len, uint16_t flags)
{
	pd(0, tbl, len, av() | IND | flags);
	h.slots = 1;
}

static void p_ind_good_table(void)
{
	ptd(h.tbl, 0, h.rd, 4, 0);
	ptd(h.tbl, 1, h.wr, 4, WRITE);
}

static void p_ind_empty(struct vq_harness *c)
{
	p_ind(c->tbl, 0, 0);
}

static void p_ind_len_24(struct vq_harness *c)
{
	p_ind_good_table();
	p_ind(c->tbl, 24, 0);
}

static void p_ind_with_next(struct vq_harness *c)
{
	p_ind_good_table();
	p_pair(c->tbl, 32, av() | IND | NEXT, c->wr, 4, av() | WRITE);
}

static void p_ind_in_chain(struct vq_harness *c)
{
	p_ind_good_table();
	p_pair(c->rd, 4, av() | NEXT, c->tbl, 32, av() | IND);
}

static void p_ind_outside(struct vq_harness *c)
{
	p_ind(VQH_HOLE, 32, 0);
}

static void p_ind_too_many(struct vq_harness *c)
{
	for (uint32_t i = 0; i < 299; i++)
		ptd(c->tbl, i, c->rd + i, 1, 0);
	ptd(c->tbl, 299, c->wr, 300, WRITE);
	p_ind(c->tbl, 300 * 16, 0);
}

/* §2.8.7: inside a table only WRITE counts; INDIRECT and NEXT are
 * reserved there and ignored, and so is WRITE on the pointer. */
static void p_ind_flags_ignored(struct vq_harness *c)
{
	ptd(c->tbl, 0, c->rd, 4, NEXT | IND);
	ptd(c->tbl, 1, c->wr, 4, WRITE | NEXT | IND);
	p_ind(c->tbl, 32, WRITE);
	c->expect = 4;
}

static void p_ind_plain(struct vq_harness *c)
{
	p_ind_good_table();
	p_ind(c->tbl, 32, 0);
	c->expect = 4;
}

static void p_buf(uint64_t addr, uint32_t len)
{
	p_pair(h.rd, 4, av() | NEXT, addr, len, av() | WRITE);
}

static void p_buf_hole(struct vq_harness *c)
{
	p_buf(VQH_HOLE, 4);
}

static void p_buf_into_high(struct vq_harness *c)
{
	p_buf(VQH_HIGH_GPA - 2, 4);
}

static void p_buf_past_high(struct vq_harness *c)
{
	p_buf(VQH_HIGH_GPA + VQH_HIGH_LEN - 2, 4);
}

static void p_buf_overflow(struct vq_harness *c)
{
	p_buf(UINT64_MAX - 1, 16);
}

static void p_unknown_flags(struct vq_harness *c)
{
	p_pair(c->rd, 4, av() | NEXT | 0x40, c->wr, 4, av() | WRITE | 0x200);
	c->expect = 4;
}

static void p_buf_high_ok(struct vq_harness *c)
{
	p_pair(VQH_HIGH_GPA, 4, av() | NEXT, c->wr, 4, av() | WRITE);
	c->expect = 4;
}

static const struct vq_case packed_cases[] = {
	{"chain as long as the ring, NEXT on all", p_chain_too_long, VQ_BROKEN},
	{"chain runs into a never-available slot", p_chain_unavail, VQ_BROKEN},
	{"chain runs into a used-looking slot", p_chain_used_bits, VQ_BROKEN},
	{"chain runs into a previous-lap slot", p_chain_prev_lap, VQ_BROKEN},
	{"more descriptors in flight than the ring", p_in_flight, VQ_BROKEN},
	{"head AVAIL == USED", p_head_used_bits, VQ_EMPTY},
	{"head with previous-lap bits", p_head_prev_lap, VQ_EMPTY},
	{"zeroed ring", p_head_nothing, VQ_EMPTY},
	{"zero-length readable", p_zero_len, VQ_FAILED},
	{"readable after writable", p_read_after_write, VQ_FAILED},
	{"indirect table empty", p_ind_empty, VQ_FAILED},
	{"indirect length 24", p_ind_len_24, VQ_FAILED},
	{"indirect with NEXT", p_ind_with_next, VQ_FAILED},
	{"indirect inside a chain", p_ind_in_chain, VQ_FAILED},
	{"indirect table in the hole", p_ind_outside, VQ_FAILED},
	{"indirect table of 300", p_ind_too_many, VQ_FAILED},
	{"indirect not negotiated", p_ind_plain, VQ_FAILED, NO_INDIRECT},
	{"indirect", p_ind_plain, VQ_FINE},
	{"flags inside a table ignored", p_ind_flags_ignored, VQ_FINE},
	{"buffer in the hole", p_buf_hole, VQ_FAILED},
	{"buffer from hole into high RAM", p_buf_into_high, VQ_FAILED},
	{"buffer past high RAM", p_buf_past_high, VQ_FAILED},
	{"gpa + len overflows", p_buf_overflow, VQ_FAILED},
	{"unknown descriptor flags ignored", p_unknown_flags, VQ_FINE},
	{"buffer in high RAM", p_buf_high_ok, VQ_FINE},
};

START_TEST(test_packed_adversarial)
{
	vq_harness_run(&h, &packed_cases[_i], true);
}
END_TEST

static Suite *harden_suite(void)
{
	Suite *s = suite_create("vq_harden_packed");
	TCase *tc = tcase_create("packed");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_packed_adversarial, 0,
			    sizeof(packed_cases) / sizeof(packed_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(harden_suite());
}
