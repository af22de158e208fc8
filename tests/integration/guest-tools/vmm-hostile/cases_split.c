/* cases_split: malformed split rings (virtio 1.3 §2.7).
 *
 * Descriptor loops, heads and nexts out of range, available index jumps,
 * buffers outside guest RAM or with absurd lengths, bad indirect tables
 * (§2.7.5.3) and bad ring placement. Each case is one row of split_cases;
 * cases_ring.c runs them and says what "FIRST/NEXT" means.
 */
#include "cases_ring.h"

static void sd(struct ctx *c, uint16_t i, uint64_t addr, uint32_t len,
	       uint16_t flags, uint16_t next)
{
	ring_split_desc(&c->r, i, addr, len, flags, next);
}

static void pub(struct ctx *c, uint16_t head)
{
	ring_split_publish(&c->r, head);
}

/* ---- split: the ring itself is malformed: DEVICE_NEEDS_RESET ---- */

static void s_loop(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, 1);
	sd(c, 1, c->r.wr.gpa, 64, WR | NEXT, 0);
	pub(c, 0);
}

static void s_self_loop(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, 0);
	pub(c, 0);
}

static void s_head_oob(struct ctx *c)
{
	pub(c, c->r.size);
}

static void s_head_max(struct ctx *c)
{
	pub(c, 0xffff);
}

static void s_next_oob(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, c->r.size);
	pub(c, 0);
}

static void s_next_max(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, 0xffff);
	pub(c, 0);
}

static void avail_idx(struct ctx *c, uint16_t idx)
{
	sd(c, 0, c->r.wr.gpa, 64, WR, 0);
	__atomic_store_n(&ring_split_avail(&c->r)->idx, idx, __ATOMIC_RELEASE);
	c->r.next_avail = idx; /* our next request follows the jump */
}

static void s_avail_jump(struct ctx *c)
{
	avail_idx(c, c->r.size + 1);
}

static void s_avail_jump_far(struct ctx *c)
{
	avail_idx(c, 0x8000);
}

/* ---- split: one request is malformed: it is dropped (length 0) ---- */

static void s_buf(struct ctx *c, uint64_t addr, uint32_t len)
{
	sd(c, 0, addr, len, WR, 0);
	pub(c, 0);
}

static void s_buf_host(struct ctx *c)
{
	s_buf(c, HOST_VA, 64);
}

static void s_buf_kernel(struct ctx *c)
{
	s_buf(c, KERN_VA, 64);
}

static void s_buf_hole(struct ctx *c)
{
	s_buf(c, c->low_end, 64);
}

static void s_buf_bar(struct ctx *c)
{
	s_buf(c, c->d->bar_gpa, 64);
}

static void s_buf_cross_end(struct ctx *c)
{
	s_buf(c, c->low_end - 32, 64);
}

static void s_buf_huge(struct ctx *c)
{
	s_buf(c, c->r.wr.gpa, 0xffffffff);
}

static void s_buf_past_ram(struct ctx *c)
{
	s_buf(c, c->r.wr.gpa, (uint32_t)c->low_end);
}

static void s_buf_wrap(struct ctx *c)
{
	s_buf(c, 0xfffffffffffff000ULL, 0x2000);
}

static void s_buf_wrap_max(struct ctx *c)
{
	s_buf(c, UINT64_MAX - 1, 16);
}

static void s_zero_len(struct ctx *c)
{
	s_buf(c, c->r.wr.gpa, 0);
}

static void s_read_after_write(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, 1);
	sd(c, 1, c->r.rd.gpa, 64, 0, 0);
	pub(c, 0);
}

static void s_over_4g(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | NEXT, 1);
	sd(c, 1, c->r.wr.gpa, 0xffffffe0, WR, 0);
	pub(c, 0);
}

static void s_readable_only(struct ctx *c)
{
	sd(c, 0, c->r.rd.gpa, 64, 0, 0);
	pub(c, 0);
}

/* ---- split: well-formed after all: served ---- */

static void s_unknown_flags(struct ctx *c)
{
	sd(c, 0, c->r.wr.gpa, 64, WR | 0x80 | 0x100, 0);
	pub(c, 0);
}

/* The guest may hand the device its own ring memory: random bytes land
 * on our descriptor table, after the device has read the descriptor. */
static void s_over_rings(struct ctx *c)
{
	s_buf(c, c->r.area[0].gpa, PAGE);
}

/* ---- split: indirect tables (§2.7.5.3) ---- */

static void s_ind(struct ctx *c, uint64_t addr, uint32_t len, uint16_t flags)
{
	sd(c, 0, addr, len, IND | flags, 1);
	sd(c, 1, c->r.wr.gpa, 64, WR, 0);
	pub(c, 0);
}

static void s_ind_ok(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 16, 0);
}

/* The spec asks no alignment of an indirect table. */
static void s_ind_misaligned(struct ctx *c)
{
	struct dma_page t = {(char *)c->tbl.va + 8, c->tbl.gpa + 8};

	ring_table(&c->r, t, 0, c->r.wr.gpa, 64, WR, 0);
	s_ind(c, t.gpa, 16, 0);
}

static void s_ind_empty(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 0, 0);
}

static void s_ind_len_17(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 17, 0);
}

static void s_ind_len_24(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 24, 0);
}

static void s_ind_huge(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 0xfffffff0, 0);
}

static void s_ind_nested(struct ctx *c)
{
	ring_table(&c->r, c->tbl2, 0, c->r.wr.gpa, 64, WR, 0);
	ring_table(&c->r, c->tbl, 0, c->tbl2.gpa, 16, IND, 0);
	s_ind(c, c->tbl.gpa, 16, 0);
}

static void s_ind_with_next(struct ctx *c)
{
	ind_table_ok(c);
	s_ind(c, c->tbl.gpa, 16, NEXT);
}

static void s_ind_host(struct ctx *c)
{
	s_ind(c, HOST_VA, 32, 0);
}

static void s_ind_cross_end(struct ctx *c)
{
	s_ind(c, c->low_end - 16, 32, 0);
}

static void s_ind_loop(struct ctx *c)
{
	ring_table(&c->r, c->tbl, 0, c->r.wr.gpa, 64, WR | NEXT, 1);
	ring_table(&c->r, c->tbl, 1, c->r.wr.gpa, 64, WR | NEXT, 0);
	s_ind(c, c->tbl.gpa, 32, 0);
}

static void s_ind_next_oob(struct ctx *c)
{
	ring_table(&c->r, c->tbl, 0, c->r.wr.gpa, 64, WR | NEXT, 5);
	ring_table(&c->r, c->tbl, 1, c->r.wr.gpa, 64, WR, 0);
	s_ind(c, c->tbl.gpa, 32, 0);
}

static void s_ind_too_many(struct ctx *c)
{
	if (!c->have_pair)
		return;
	too_many_table(c);
	s_ind(c, c->lo.gpa, TOO_MANY * 16, 0);
}

/* ---- split: bad ring configuration, found at DRIVER_OK ---- */

static void set_size_12(struct ctx *c, struct ring_setup *s)
{
	s->size = 12; /* split rings need a power of 2 (§2.7) */
}

static void set_used_misaligned(struct ctx *c, struct ring_setup *s)
{
	s->device = c->r.area[2].gpa + 2;
}

static void set_used_cross_end(struct ctx *c, struct ring_setup *s)
{
	s->device = c->low_end - 64;
}

static void set_desc_bar(struct ctx *c, struct ring_setup *s)
{
	s->desc = c->d->bar_gpa;
}

static const struct ring_case split_cases[] = {
	{"loop", s_loop},
	{"self_loop", s_self_loop},
	{"head_oob", s_head_oob},
	{"head_max", s_head_max},
	{"next_oob", s_next_oob},
	{"next_max", s_next_max},
	{"avail_jump", s_avail_jump},
	{"avail_jump_far", s_avail_jump_far},
	{"buf_host_addr", s_buf_host},
	{"buf_kernel_addr", s_buf_kernel},
	{"buf_hole", s_buf_hole},
	{"buf_bar", s_buf_bar},
	{"buf_cross_ram_end", s_buf_cross_end},
	{"buf_len_4g", s_buf_huge},
	{"buf_len_past_ram", s_buf_past_ram},
	{"buf_gpa_len_wraps", s_buf_wrap},
	{"buf_gpa_max", s_buf_wrap_max},
	{"zero_len", s_zero_len},
	{"readable_after_writable", s_read_after_write},
	{"chain_over_4g", s_over_4g},
	{"readable_only", s_readable_only},
	{"unknown_flags", s_unknown_flags},
	{"buf_over_own_rings", s_over_rings},
	{"ind_ok", s_ind_ok},
	{"ind_misaligned", s_ind_misaligned},
	{"ind_empty", s_ind_empty},
	{"ind_len_17", s_ind_len_17},
	{"ind_len_24", s_ind_len_24},
	{"ind_len_huge", s_ind_huge},
	{"ind_nested", s_ind_nested},
	{"ind_with_next", s_ind_with_next},
	{"ind_host_addr", s_ind_host},
	{"ind_cross_ram_end", s_ind_cross_end},
	{"ind_loop", s_ind_loop},
	{"ind_next_oob", s_ind_next_oob},
	{"ind_too_many", s_ind_too_many},
	{"ind_not_negotiated", s_ind_ok, set_no_indirect},
	{"size_not_pow2", NULL, set_size_12},
	{"ring_host_addr", NULL, set_desc_host},
	{"ring_misaligned", NULL, set_desc_misaligned},
	{"used_misaligned", NULL, set_used_misaligned},
	{"used_cross_ram_end", NULL, set_used_cross_end},
	{"ring_on_bar", NULL, set_desc_bar},
	{"late_enable_host_addr", NULL, set_late_host},
};

void cases_split(struct ctx *c)
{
	ring_laps(c, false);
	ring_cases_run(c, split_cases,
		       sizeof(split_cases) / sizeof(split_cases[0]), false);
}
