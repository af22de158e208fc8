/* cases_packed: malformed packed rings (virtio 1.3 §2.8).
 *
 * Chains longer than the ring or running into slots that are not
 * available (§2.8.1, §2.8.6), heads marked for another lap, buffers outside
 * guest RAM, bad indirect tables (§2.8.7) and bad ring placement. Each case
 * is one row of packed_cases; cases_ring.c runs them.
 */
#include "cases_ring.h"

static void p_one(struct ctx *c, uint64_t addr, uint32_t len, uint16_t flags)
{
	struct pk e = {addr, len, flags, false};

	ring_packed_chain(&c->r, &e, 1);
}

static void p_chain_too_long(struct ctx *c)
{
	struct pk e[RING_SIZE];

	for (uint16_t i = 0; i < c->r.size; i++)
		e[i] = (struct pk){c->r.wr.gpa, 64, WR | NEXT, false};
	ring_packed_chain(&c->r, e, c->r.size);
}

static void p_pair(struct ctx *c, uint16_t second_flags, bool raw)
{
	struct pk e[2] = {{c->r.wr.gpa, 64, WR | NEXT, false},
			  {c->r.wr.gpa, 64, second_flags, raw}};

	ring_packed_chain(&c->r, e, 2);
}

static void p_chain_unavail(struct ctx *c)
{
	p_pair(c, WR, true); /* AVAIL and USED both clear: never made */
}

static void p_chain_used_bits(struct ctx *c)
{
	p_pair(c,
	       WR | (1u << VRING_PACKED_DESC_F_AVAIL) |
		       (1u << VRING_PACKED_DESC_F_USED),
	       true);
}

/* A head marked for the previous lap (USED set, AVAIL clear while the
 * wrap counter is 1) is not available: ignored. We then put our next
 * request in that same slot, where the device still waits. */
static void p_head_prev_lap(struct ctx *c)
{
	struct pk e = {c->r.wr.gpa, 64, WR | (1u << VRING_PACKED_DESC_F_USED),
		       true};

	ring_packed_chain(&c->r, &e, 1);
	c->r.next_avail = 0;
	c->r.avail_wrap = true;
}

static void p_buf_host(struct ctx *c)
{
	p_one(c, HOST_VA, 64, WR);
}

static void p_buf_hole(struct ctx *c)
{
	p_one(c, c->low_end, 64, WR);
}

static void p_buf_cross_end(struct ctx *c)
{
	p_one(c, c->low_end - 32, 64, WR);
}

static void p_buf_huge(struct ctx *c)
{
	p_one(c, c->r.wr.gpa, 0xffffffff, WR);
}

static void p_buf_wrap(struct ctx *c)
{
	p_one(c, 0xfffffffffffff000ULL, 0x2000, WR);
}

static void p_zero_len(struct ctx *c)
{
	p_one(c, c->r.wr.gpa, 0, WR);
}

static void p_read_after_write(struct ctx *c)
{
	struct pk e[2] = {{c->r.wr.gpa, 64, WR | NEXT, false},
			  {c->r.rd.gpa, 64, 0, false}};

	ring_packed_chain(&c->r, e, 2);
}

static void p_unknown_flags(struct ctx *c)
{
	p_one(c, c->r.wr.gpa, 64, WR | 0x100);
}

static void p_ind_ok(struct ctx *c)
{
	ind_table_ok(c);
	p_one(c, c->tbl.gpa, 16, IND);
}

/* Inside a packed table only WRITE means anything (§2.8.7): NEXT and a
 * nested INDIRECT are ignored, not obeyed. */
static void p_ind_inner_flags(struct ctx *c)
{
	ring_table(&c->r, c->tbl, 0, c->r.wr.gpa, 64, WR | NEXT | IND, 0);
	p_one(c, c->tbl.gpa, 16, IND);
}

static void p_ind_empty(struct ctx *c)
{
	ind_table_ok(c);
	p_one(c, c->tbl.gpa, 0, IND);
}

static void p_ind_len_24(struct ctx *c)
{
	ind_table_ok(c);
	p_one(c, c->tbl.gpa, 24, IND);
}

static void p_ind_host(struct ctx *c)
{
	p_one(c, HOST_VA, 32, IND);
}

static void p_ind_with_next(struct ctx *c)
{
	struct pk e[2] = {{c->tbl.gpa, 16, IND | NEXT, false},
			  {c->r.wr.gpa, 64, WR, false}};

	ind_table_ok(c);
	ring_packed_chain(&c->r, e, 2);
}

static void p_ind_in_chain(struct ctx *c)
{
	struct pk e[2] = {{c->r.wr.gpa, 64, WR | NEXT, false},
			  {c->tbl.gpa, 16, IND, false}};

	ind_table_ok(c);
	ring_packed_chain(&c->r, e, 2);
}

static void p_ind_too_many(struct ctx *c)
{
	if (!c->have_pair)
		return;
	too_many_table(c);
	p_one(c, c->lo.gpa, TOO_MANY * 16, IND);
}

static void set_size_13(struct ctx *c, struct ring_setup *s)
{
	s->size = 13; /* any size is fine for packed rings */
}

static void set_event_misaligned(struct ctx *c, struct ring_setup *s)
{
	s->driver = c->r.area[1].gpa + 2;
}

static const struct ring_case packed_cases[] = {
	{"chain_too_long", p_chain_too_long},
	{"chain_unavail", p_chain_unavail},
	{"chain_used_bits", p_chain_used_bits},
	{"head_prev_lap", p_head_prev_lap},
	{"buf_host_addr", p_buf_host},
	{"buf_hole", p_buf_hole},
	{"buf_cross_ram_end", p_buf_cross_end},
	{"buf_len_4g", p_buf_huge},
	{"buf_gpa_len_wraps", p_buf_wrap},
	{"zero_len", p_zero_len},
	{"readable_after_writable", p_read_after_write},
	{"unknown_flags", p_unknown_flags},
	{"ind_ok", p_ind_ok},
	{"ind_inner_flags", p_ind_inner_flags},
	{"ind_empty", p_ind_empty},
	{"ind_len_24", p_ind_len_24},
	{"ind_host_addr", p_ind_host},
	{"ind_with_next", p_ind_with_next},
	{"ind_in_chain", p_ind_in_chain},
	{"ind_too_many", p_ind_too_many},
	{"ind_not_negotiated", p_ind_ok, set_no_indirect},
	{"size_13", case_good, set_size_13},
	{"ring_host_addr", NULL, set_desc_host},
	{"ring_misaligned", NULL, set_desc_misaligned},
	{"event_misaligned", NULL, set_event_misaligned},
	{"late_enable_host_addr", NULL, set_late_host},
};

void cases_packed(struct ctx *c)
{
	if (!(dev_features(c->d) & BIT(VIRTIO_F_RING_PACKED))) {
		report("packed", "not_offered");
		return;
	}
	ring_laps(c, true);
	ring_cases_run(c, packed_cases,
		       sizeof(packed_cases) / sizeof(packed_cases[0]), true);
}
