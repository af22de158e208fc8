/* Unit tests for channel programs (src/bus/ccw/css_prog.c, css_cmd.c; PoP
 * ch. 15): command and data chaining, TIC, skip, the length rules with and
 * without SLI, unit check and sense, IDAWs, PCI, and a table of malformed
 * programs that must each end in a program check, TIC loops included.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ccw_fake_cu.h"
#include "test_runner.h"

static struct ccw_fake_cu_bed b;

static void setup(void)
{
	ccw_fake_cu_bed_init(&b);
}

static void teardown(void)
{
	ccw_fake_cu_bed_destroy(&b);
}

static uint8_t *data_at(uint64_t gpa, uint64_t len)
{
	return guest_ram_ptr(&b.ram, gpa, len);
}

/* Runs p; the status is in b.dev->irb. */
static int run(struct ccw_drv_prog *p)
{
	return ccw_drv_run(p);
}

/* ---- Chaining ---- */

START_TEST(test_command_chaining)
{
	struct ccw_drv_prog p;
	uint64_t buf = guest_ram_alloc(&b.ram, 64, 8);

	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 0, 0);
	ccw_drv_prog_add(&p, CU_CTL8, CCW_FLAG_CC, 8, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CC, 64, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_WRITE, 0, 10, (uint32_t)buf);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(b.cu.n, 3);
	ck_assert_mem_eq(b.cu.log, "\x0b\x02\x01", 3);
	ck_assert_uint_eq(b.cu.data_len, 10);
	ck_assert_uint_eq(b.cu.data[0], ccw_fake_cu_pattern(0));
	ck_assert_uint_eq(b.dev->irb.cpa, p.gpa + 4 * 8);
	/* Without CC the program ends at the first command. */
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_CTL8, 0, 8, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_REJ, 0, 0, 0);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(b.cu.n, 4);
}
END_TEST

/* A write whose data sits in three pieces, with a TIC between two of the
 * data-chained CCWs: the control unit sees one stream. */
START_TEST(test_data_chaining)
{
	struct ccw_drv_prog p;
	uint64_t d1 = guest_ram_alloc(&b.ram, 16, 8);
	uint64_t d2 = guest_ram_alloc(&b.ram, 16, 8);
	uint64_t d3 = guest_ram_alloc(&b.ram, 16, 8);
	uint64_t far = guest_ram_alloc(&b.ram, 16, 8);
	uint8_t *fp = data_at(far, 16);

	memcpy(data_at(d1, 3), "abc", 3);
	memcpy(data_at(d2, 5), "defgh", 5);
	memcpy(data_at(d3, 2), "ij", 2);
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_CD, 3, (uint32_t)d1);
	ccw_drv_prog_add(&p, CCW_CMD_TIC, 0, 0, (uint32_t)far);
	/* At far: a continuation (its code is ignored), then the last. */
	ccw_fake_cu_put_be(fp, 0xff800005ULL << 32 | d2, 8);
	ccw_fake_cu_put_be(fp + 8, 0x00000002ULL << 32 | d3, 8);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(b.cu.data_len, 10);
	ck_assert_mem_eq(b.cu.data, "abcdefghij", 10);
	ck_assert_uint_eq(b.cu.n, 1);
	ck_assert_uint_eq(b.dev->irb.cpa, far + 16);
}
END_TEST

/* A read that stops early in a data chain: the SCSW names the CCW where
 * it stopped and what is left of its count. */
START_TEST(test_residual_in_data_chain)
{
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&b.ram, 128, 8);

	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CD, 40, (uint32_t)a);
	ccw_drv_prog_add(&p, 0, CCW_FLAG_SLI, 40, (uint32_t)a + 40);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(b.dev->irb.cpa, p.gpa + 16);
	ck_assert_uint_eq(b.dev->irb.count, 16);
	ck_assert_uint_eq(data_at(a, 64)[63], ccw_fake_cu_pattern(63));
	ck_assert_uint_eq(data_at(a, 65)[64], 0);
	/* Without SLI the same is an incorrect length. */
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CD, 40, (uint32_t)a);
	ccw_drv_prog_add(&p, 0, 0, 40, (uint32_t)a + 40);
	ck_assert_int_eq(run(&p), -EIO);
	ck_assert_uint_eq(b.dev->irb.cstat, SCH_STAT_INCORR_LEN);
}
END_TEST

START_TEST(test_skip)
{
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&b.ram, 64, 8);

	memset(data_at(a, 64), 0x5a, 64);
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_SKIP | CCW_FLAG_CD, 32,
			 (uint32_t)a);
	ccw_drv_prog_add(&p, 0, 0, 32, (uint32_t)a + 32);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(data_at(a, 1)[0], 0x5a);
	ck_assert_uint_eq(data_at(a, 32)[31], 0x5a);
	ck_assert_uint_eq(data_at(a, 33)[32], ccw_fake_cu_pattern(32));
	/* Skip on a write is ignored: the data still goes out. */
	memcpy(data_at(a, 4), "wxyz", 4);
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_SKIP, 4, (uint32_t)a);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_mem_eq(b.cu.data, "wxyz", 4);
}
END_TEST

/* ---- Length rules ---- */

static const struct len_case {
	uint8_t cmd, flags;
	uint16_t count;
	int want;
	uint8_t cstat;
	bool executed;
} len_cases[] = {
	{CU_CTL8, 0, 8, 0, 0, true},
	{CU_CTL8, 0, 4, -EIO, SCH_STAT_INCORR_LEN, false},
	{CU_CTL8, CCW_FLAG_SLI, 4, -EOPNOTSUPP, 0, false}, /* check cond. */
	{CU_CTL8, 0, 12, -EIO, SCH_STAT_INCORR_LEN, false},
	{CU_CTL8, CCW_FLAG_SLI, 12, 0, 0, true},
	{CU_READ, 0, 64, 0, 0, true},
	{CU_READ, 0, 10, 0, 0, true},			    /* a prefix */
	{CU_READ, 0, 65, -EIO, SCH_STAT_INCORR_LEN, false}, /* too long */
	{CU_READ, CCW_FLAG_SLI, 65, 0, 0, true},
	{CCW_CMD_NOOP, 0, 0, 0, 0, false},
	{CCW_CMD_NOOP, 0, 4, -EIO, SCH_STAT_INCORR_LEN, false},
	{CCW_CMD_NOOP, CCW_FLAG_SLI, 4, 0, 0, false},
};

START_TEST(test_length_rules)
{
	const struct len_case *c = &len_cases[_i];
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&b.ram, 128, 8);

	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, c->cmd, c->flags | CCW_FLAG_CC, c->count,
			 (uint32_t)a);
	ccw_drv_prog_add(&p, CU_WRITE, 0, 1, (uint32_t)a);
	ck_assert_int_eq(run(&p), c->want);
	ck_assert_uint_eq(b.dev->irb.cstat, c->cstat);
	/* Any error ends the chain before the second command. */
	ck_assert_uint_eq(b.cu.n, (c->cmd == CCW_CMD_NOOP ? 0 : 1) +
					  (c->want == 0 ? 1 : 0));
	if (c->cmd == CU_READ)
		ck_assert_uint_eq(data_at(a, 1)[0] == ccw_fake_cu_pattern(0),
				  c->executed);
	if (c->want == -EIO)
		ck_assert_uint_eq(b.dev->irb.cpa, p.gpa + 8);
}
END_TEST

START_TEST(test_handler_stays_in_count)
{
	ck_assert_int_eq(ccw_drv_io(b.dev, CU_BAD, 0, NULL, 0), 0);
}
END_TEST

/* ---- Unit check and sense ---- */

START_TEST(test_unit_check_sense)
{
	uint8_t sense[32];

	/* Concurrent sense: the IRB carries it. */
	ck_assert_int_eq(ccw_drv_io(b.dev, CU_REJ, 0, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(b.dev->irb.dstat, DEV_STAT_CHN_END |
						    DEV_STAT_DEV_END |
						    DEV_STAT_UNIT_CHECK);
	ck_assert(b.dev->irb.ctrl & SCSW_ESWF);
	ck_assert(b.dev->irb.ctrl & SCSW_STCTL_ALERT);
	ck_assert_uint_eq(b.dev->irb.erw, ERW_CONS | 32 << ERW_SCNT_SHIFT);
	ck_assert_uint_eq(b.dev->irb.ecw[0], SENSE0_CMD_REJECT);
	/* ... and it was consumed. */
	memset(sense, 0xee, sizeof(sense));
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_BASIC_SENSE, 0, sense, 32),
			 0);
	ck_assert_uint_eq(sense[0], 0);
	/* Without concurrent sense the driver asks with BASIC SENSE. */
	b.drv.csense = false;
	ck_assert_int_eq(ccw_drv_enable(b.dev, false), 0);
	ck_assert_int_eq(ccw_drv_enable(b.dev, true), 0);
	ck_assert_int_eq(ccw_drv_io(b.dev, 0x77, 0, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(b.dev->irb.erw, 0);
	ck_assert_uint_eq(b.dev->sense[0], SENSE0_CMD_REJECT);
	ck_assert_int_eq(
		ccw_drv_io(b.dev, CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, sense, 32),
		0);
	ck_assert_uint_eq(sense[0], 0); /* reading reset it */
}
END_TEST

/* ---- Program checks: every malformed program ends in one ---- */

struct pc_case {
	const char *what;
	void (*build)(struct ccw_drv_prog *p, uint64_t scratch);
	bool fmt0;	      /* the ORB asks for format-0 CCWs */
	unsigned int fetches; /* CCWs the channel may fetch; 0: any */
};

static unsigned int nr_fetches;

static void count_fetches(void *opaque, const struct css_event *ev)
{
	(void)opaque;
	if (ev->kind == CSS_EV_CCW)
		nr_fetches++;
}

static void pc_cpa_odd(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
	p->gpa += 4;
}

static void pc_cpa_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	p->gpa = CCW_FAKE_NOT_RAM;
}

static void pc_cmd_zero(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, 0x00, 0, 0, 0);
}

static void pc_cmd_x0(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, 0x10, 0, 0, 0);
}

static void pc_cmd_x8(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, 0x18, 0, 0, 0);
}

static void pc_tic_self(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa);
}

static void pc_tic_tic(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa + 8);
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa + 16);
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
}

static void pc_tic_odd(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa + 12);
}

static void pc_tic_high_bit(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, 0x80000000u | (uint32_t)s);
}

/* NOOP, command-chained, TIC back to it: legal CCWs, endless program. */
static void pc_loop(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 0, 0);
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa);
}

/* The same, data-chained: one command that never ends. */
static void pc_data_loop(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_CD, 1, (uint32_t)s);
	ccw_drv_prog_add(p, CCW_CMD_TIC, 0, 0, (uint32_t)p->gpa);
}

static void pc_cd_zero(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_CD, 0, (uint32_t)s);
	ccw_drv_prog_add(p, 0, 0, 4, (uint32_t)s);
}

static void pc_mida(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_MIDA, 4, (uint32_t)s);
}

static void pc_suspend(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_S, 4, (uint32_t)s);
}

static void pc_cda_high_bit(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, 0, 4, 0x80000000u | (uint32_t)s);
}

static void pc_data_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, 0, 4, CCW_FAKE_NOT_RAM);
}

static void pc_data_crosses_end(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_READ, 0, 64, CCW_FAKE_RAM_LEN - 32);
}

/* Command chaining off the end of RAM: the last CCW in RAM chains on. */
static void pc_off_the_end(struct ccw_drv_prog *p, uint64_t s)
{
	p->gpa = CCW_FAKE_RAM_LEN - 16;
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI | CCW_FLAG_CC, 0, 0);
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI | CCW_FLAG_CC, 0, 0);
}

static void pc_ida_list_odd(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, (uint32_t)s + 2);
}

static void pc_idaw_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_fake_cu_put_be(data_at(s, 4), CCW_FAKE_NOT_RAM, 4);
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, (uint32_t)s);
}

static void pc_idaw_list_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, CCW_FAKE_NOT_RAM);
}

static void pc_idaw_misaligned(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_fake_cu_put_be(data_at(s, 8), s + 2048 - 4, 4);
	ccw_fake_cu_put_be(data_at(s + 4, 4), s + 4096 + 8,
			   4); /* not a block start */
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 16, (uint32_t)s);
}

static void pc_idaw_31bit(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_fake_cu_put_be(data_at(s, 4), 0x80000000u | (s + 64), 4);
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, (uint32_t)s);
}

static void pc_fmt0(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI, 0, 0);
}

static const struct pc_case pc_cases[] = {
	{"CPA not a doubleword", pc_cpa_odd},
	{"CPA not RAM", pc_cpa_not_ram},
	{"command code 0x00", pc_cmd_zero},
	{"command code 0x10", pc_cmd_x0},
	{"command code 0x18", pc_cmd_x8},
	{"TIC to itself", pc_tic_self, false, 2},
	{"TIC to a TIC", pc_tic_tic, false, 2},
	{"TIC to an odd address", pc_tic_odd},
	{"TIC above 2 GiB", pc_tic_high_bit},
	{"NOOP/TIC loop", pc_loop, false, CSS_MAX_CCWS},
	{"data-chain loop", pc_data_loop, false, 2 * CSS_MAX_SEGS + 1},
	{"data chaining with count 0", pc_cd_zero},
	{"MIDA flag", pc_mida},
	{"suspend flag", pc_suspend},
	{"data address above 2 GiB", pc_cda_high_bit},
	{"data not RAM", pc_data_not_ram},
	{"data running off RAM", pc_data_crosses_end},
	{"program running off RAM", pc_off_the_end},
	{"IDAW list misaligned", pc_ida_list_odd},
	{"IDAW not RAM", pc_idaw_not_ram},
	{"IDAW list not RAM", pc_idaw_list_not_ram},
	{"second IDAW off a block start", pc_idaw_misaligned},
	{"format-1 IDAW above 2 GiB", pc_idaw_31bit},
	{"format-0 CCWs", pc_fmt0, true},
};

START_TEST(test_program_checks)
{
	const struct pc_case *c = &pc_cases[_i];
	uint64_t scratch = guest_ram_alloc(&b.ram, 8192, 4096);
	struct ccw_drv_prog p;
	int r = -EIO;

	ccw_drv_prog_init(&p, b.dev);
	c->build(&p, scratch);
	nr_fetches = 0;
	css_set_trace(b.css, count_fetches, NULL);
	if (c->fmt0) /* the driver always asks for format 1: go around it */
		ck_assert_int_eq(css_ssch(b.css, b.dev->schid,
					  ccw_fake_cu_put_orb(&b, 1, 0xff00,
							      (uint32_t)p.gpa)),
				 0);
	else
		r = ccw_drv_start(b.dev, p.gpa, 0);
	ck_assert_msg(r == -EIO, "%s: %d", c->what, r);
	ck_assert_msg(b.dev->irb.cstat == SCH_STAT_PROG_CHECK, "%s: cstat %#x",
		      c->what, b.dev->irb.cstat);
	ck_assert(b.dev->irb.ctrl & SCSW_STCTL_ALERT);
	ck_assert_uint_eq(b.dev->irb.dstat, 0);
	css_set_trace(b.css, NULL, NULL);
	if (c->fetches)
		ck_assert_msg(nr_fetches == c->fetches, "%s: %u fetches",
			      c->what, nr_fetches);
	/* The subchannel works on. */
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_NOOP, CCW_FLAG_SLI, NULL, 0),
			 0);
}
END_TEST

/* ---- Indirect data addressing ---- */

START_TEST(test_idaws)
{
	uint64_t s = guest_ram_alloc(&b.ram, 16384, 4096);
	uint64_t list = guest_ram_alloc(&b.ram, 64, 8);
	uint8_t *l = data_at(list, 64);
	struct ccw_drv_prog p;
	bool fmt2 = _i;
	uint32_t block = fmt2 ? 4096 : 2048;

	/* 20 bytes: the last 8 of one block, then 12 of a block far off. */
	memcpy(data_at(s + block - 8, 8), "ABCDEFGH", 8);
	memcpy(data_at(s + 3 * block, 12), "IJKLMNOPQRST", 12);
	ccw_fake_cu_put_be(l, s + block - 8, fmt2 ? 8 : 4);
	ccw_fake_cu_put_be(l + (fmt2 ? 8 : 4), s + 3 * block, fmt2 ? 8 : 4);
	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_IDA, 20, (uint32_t)list);
	ck_assert_int_eq(ccw_drv_start(b.dev, p.gpa, fmt2 ? ORB_C64 : 0), 0);
	ck_assert_uint_eq(b.cu.data_len, 20);
	ck_assert_mem_eq(b.cu.data, "ABCDEFGHIJKLMNOPQRST", 20);
	/* 2 KiB blocks with format-2 IDAWs too, when I2K says so. */
	if (fmt2) {
		ccw_fake_cu_put_be(l, s + 2048 - 8, 8);
		ccw_fake_cu_put_be(l + 8, s + 3 * 2048, 8);
		memcpy(data_at(s + 2048 - 8, 8), "abcdefgh", 8);
		memcpy(data_at(s + 3 * 2048, 12), "ijklmnopqrst", 12);
		ck_assert_int_eq(ccw_drv_start(b.dev, p.gpa, ORB_C64 | ORB_I2K),
				 0);
		ck_assert_mem_eq(b.cu.data, "abcdefghijklmnopqrst", 20);
	}
}
END_TEST

START_TEST(test_pci_flag)
{
	ck_assert_int_eq(
		ccw_drv_io(b.dev, CU_CTL8, CCW_FLAG_PCI, (uint8_t[8]){0}, 8),
		-EIO);
	ck_assert_uint_eq(b.dev->irb.cstat, SCH_STAT_PCI);
	ck_assert_uint_eq(b.dev->irb.dstat,
			  DEV_STAT_CHN_END | DEV_STAT_DEV_END);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *prog_suite(void)
{
	Suite *s = suite_create("ccw_prog");
	TCase *tc = tcase_create("prog");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_command_chaining);
	tcase_add_test(tc, test_data_chaining);
	tcase_add_test(tc, test_residual_in_data_chain);
	tcase_add_test(tc, test_skip);
	tcase_add_loop_test(tc, test_length_rules, 0, N(len_cases));
	tcase_add_test(tc, test_handler_stays_in_count);
	tcase_add_test(tc, test_unit_check_sense);
	tcase_add_loop_test(tc, test_program_checks, 0, N(pc_cases));
	tcase_add_loop_test(tc, test_idaws, 0, 2);
	tcase_add_test(tc, test_pci_flag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(prog_suite());
}
