/* cases_ring: malformed rings, split (§2.7) and packed (§2.8).
 *
 * Each case brings the device up (maybe with a bad ring configuration),
 * makes one malformed buffer available, kicks, and reports what happened,
 * then what happens to one well-formed request on the same ring without a
 * reset: "FIRST/NEXT" (none, needs_reset, dropped, served). The expected
 * outcome of each is in docs/hostile-guest.md and scenarios/hostile-rng.sh.
 */
#include <stdio.h>

#include "hostile.h"

#define NEXT	 VRING_DESC_F_NEXT
#define WR	 VRING_DESC_F_WRITE
#define IND	 VRING_DESC_F_INDIRECT
#define HOST_VA	 0x7fffdeadb000ULL     /* looks like a host mmap */
#define KERN_VA	 0xffff888000000000ULL /* looks like a direct map */
#define WAIT_MS	 3000		       /* for an answer that should come */
#define SHORT_MS 300 /* for one that should not (broken queue) */
#define TOO_MANY 300 /* indirect entries: above vmm's 256 segments */

struct ring_case {
	const char *name;
	void (*submit)(struct ctx *c);
	void (*setup)(struct ctx *c, struct ring_setup *s);
};

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

static void s_good(struct ctx *c)
{
	ring_good(&c->r);
}

/* ---- split: indirect tables (§2.7.5.3) ---- */

static void ind_table_ok(struct ctx *c)
{
	ring_table(&c->r, c->tbl, 0, c->r.wr.gpa, 64, WR, 0);
}

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

/* TOO_MANY linked one-byte entries over two physically adjacent pages:
 * legal for the spec, more segments than vmm takes in one request. */
static void too_many_table(struct ctx *c)
{
	const uint32_t per_page = PAGE / 16;

	for (uint32_t i = 0; i < TOO_MANY; i++) {
		struct dma_page p = i < per_page ? c->lo : c->hi;
		uint16_t last = i + 1 == TOO_MANY;

		ring_table(&c->r, p, i % per_page, c->r.wr.gpa + i % 64, 1,
			   WR | (last ? 0 : NEXT), (uint16_t)(i + 1));
	}
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

static void set_desc_host(struct ctx *c, struct ring_setup *s)
{
	s->desc = HOST_VA;
}

static void set_desc_misaligned(struct ctx *c, struct ring_setup *s)
{
	s->desc = c->r.area[0].gpa + 8;
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

static void set_late_host(struct ctx *c, struct ring_setup *s)
{
	s->late_enable = true;
	s->desc = HOST_VA;
}

static void set_no_indirect(struct ctx *c, struct ring_setup *s)
{
	s->features = BIT(VIRTIO_F_VERSION_1) |
		      (s->packed ? BIT(VIRTIO_F_RING_PACKED) : 0);
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

/* ---- packed ---- */

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
	{"size_13", s_good, set_size_13},
	{"ring_host_addr", NULL, set_desc_host},
	{"ring_misaligned", NULL, set_desc_misaligned},
	{"event_misaligned", NULL, set_event_misaligned},
	{"late_enable_host_addr", NULL, set_late_host},
};

/* ---- the runner ---- */

static void run(struct ctx *c, const struct ring_case *rc, bool packed)
{
	const char *kind = packed ? "packed" : "split";
	struct ring_setup s = {.packed = packed};
	enum outcome first, next;
	char key[64];

	snprintf(key, sizeof(key), "%s.%s", kind, rc->name);
	if (rc->setup)
		rc->setup(c, &s);
	if (ring_start(&c->r, c->d, &s) < 0) {
		report(key, "features_refused");
	} else {
		if (rc->submit) {
			rc->submit(c);
			dev_notify(c->d, 0);
		}
		first = ring_wait(&c->r, WAIT_MS, false);
		/* The same ring, no reset: is the device still serving? */
		ring_good(&c->r);
		dev_notify(c->d, 0);
		next = ring_wait(&c->r,
				 first == OUT_NEEDS_RESET ? SHORT_MS : WAIT_MS,
				 true);
		report(key, "%s/%s", outcome_name(first), outcome_name(next));
	}
	after_case(c, key, packed);
}

/* 2.5 laps of the ring, one request at a time: indexes and wrap counters
 * move as they should on both sides. */
static void laps(struct ctx *c, bool packed)
{
	struct ring_setup s = {.packed = packed};
	unsigned int served = 0;
	char key[32];

	snprintf(key, sizeof(key), "%s.laps", packed ? "packed" : "split");
	if (ring_start(&c->r, c->d, &s) == 0) {
		for (int i = 0; i < RING_SIZE * 5 / 2; i++) {
			ring_good(&c->r);
			dev_notify(c->d, 0);
			served +=
				ring_wait(&c->r, WAIT_MS, false) == OUT_SERVED;
		}
	}
	report(key, "%u/%u", served, RING_SIZE * 5 / 2);
}

void cases_split(struct ctx *c)
{
	laps(c, false);
	for (size_t i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]);
	     i++)
		run(c, &split_cases[i], false);
}

void cases_packed(struct ctx *c)
{
	if (!(dev_features(c->d) & BIT(VIRTIO_F_RING_PACKED))) {
		report("packed", "not_offered");
		return;
	}
	laps(c, true);
	for (size_t i = 0; i < sizeof(packed_cases) / sizeof(packed_cases[0]);
	     i++)
		run(c, &packed_cases[i], true);
}
