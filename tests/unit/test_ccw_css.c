/* Unit tests for the channel subsystem (src/bus/ccw/css*.c; PoP ch. 14-16):
 * control-block layouts byte for byte, instruction operand checks and
 * condition codes, command and data chaining, TIC, IDAWs, SLI, skip,
 * incorrect length, unit check with sense, program checks for every
 * malformed program, interruptions per ISC, halt and clear. A fake control
 * unit behind the subchannel records what reached it.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ccw_drv.h"
#include "css.h"
#include "test_runner.h"

#define RAM_LEN	 (1 << 20)
#define NOT_RAM	 0x00200000u /* 31-bit, past the end of RAM */
#define DEVNO	 0x0100
#define CU_TYPE	 0x1234
#define CU_WRITE 0x01 /* takes up to 256 bytes */
#define CU_READ	 0x02 /* gives up to 64 bytes of pattern */
#define CU_CTL8	 0x0b /* control, exactly 8 bytes */
#define CU_REJ	 0x07 /* always command reject */
#define CU_HALT	 0x0f /* issues HSCH on its own subchannel */
#define CU_CLEAR 0x1f /* issues CSCH on its own subchannel */
#define CU_BAD	 0x17 /* reads outside its count: a handler bug */

struct fake_cu {
	struct css *css;
	uint32_t schid;
	uint8_t log[64];
	unsigned int n;
	uint8_t data[256];
	uint32_t data_len;
	unsigned int enabled;
	int inner_cc;
};

static struct guest_ram ram;
static struct css *css;
static struct fake_cu cu;
static struct ccw_drv drv;
static struct ccw_drv_dev *dev;

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)(i * 3 + 1);
}

static enum css_status cu_read(struct css_cmd *cmd)
{
	uint8_t buf[64];
	uint32_t n = cmd->count < 64 ? cmd->count : 64;
	enum css_status s = css_cmd_want_upto(cmd, 64);

	for (unsigned int i = 0; i < 64; i++)
		buf[i] = pattern(i);
	if (s != CSS_OK)
		return s;
	return css_cmd_write(cmd, 0, buf, n) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status cu_command(void *priv, struct css_cmd *cmd)
{
	struct fake_cu *c = priv;
	enum css_status s;

	if (c->n < sizeof(c->log))
		c->log[c->n++] = cmd->code;
	switch (cmd->code) {
	case CU_WRITE:
		s = css_cmd_want_upto(cmd, sizeof(c->data));
		if (s != CSS_OK)
			return s;
		c->data_len = cmd->count;
		return css_cmd_read(cmd, 0, c->data, cmd->count)
			       ? CSS_PROG_CHECK
			       : CSS_OK;
	case CU_READ:
		return cu_read(cmd);
	case CU_CTL8:
		s = css_cmd_want(cmd, 8);
		if (s != CSS_OK)
			return s;
		return css_cmd_read(cmd, 0, c->data, 8) ? CSS_PROG_CHECK
							: CSS_OK;
	case CU_HALT:
		c->inner_cc = css_hsch(c->css, c->schid);
		return CSS_OK;
	case CU_CLEAR:
		c->inner_cc = css_csch(c->css, c->schid);
		return CSS_OK;
	case CU_BAD:
		ck_assert_int_eq(css_cmd_read(cmd, cmd->count, c->data, 1),
				 -EINVAL);
		return CSS_OK;
	default:
		return CSS_REJECT;
	}
}

static void cu_enabled(void *priv)
{
	((struct fake_cu *)priv)->enabled++;
}

static const struct css_dev_ops cu_ops = {
	.command = cu_command,
	.enabled = cu_enabled,
};

static void setup(void)
{
	struct css_dev_id id = {.devno = DEVNO,
				.cu_type = CU_TYPE,
				.cu_model = 0x42,
				.dev_type = 0x3390,
				.dev_model = 0x0c};

	guest_ram_init(&ram, RAM_LEN);
	ck_assert_int_eq(css_create(&ram.mem, &css), 0);
	memset(&cu, 0, sizeof(cu));
	cu.css = css;
	ck_assert_int_eq(css_add(css, &id, &cu_ops, &cu, &cu.schid), 0);
	ccw_drv_init(&drv, css, &ram);
	ck_assert_int_eq(ccw_drv_scan(&drv), 1);
	dev = drv.devs[0];
	cu.n = 0;
	drv.nr_io_irqs = 0; /* SENSE ID took one */
}

static void teardown(void)
{
	ccw_drv_destroy(&drv);
	css_remove(css, cu.schid);
	css_destroy(css);
	guest_ram_destroy(&ram);
}

/* ---- Helpers that speak the architecture directly ---- */

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint64_t put_orb(uint32_t intparm, uint32_t flags, uint32_t cpa)
{
	uint64_t gpa = guest_ram_alloc(&ram, 12, 4);
	uint8_t *o = guest_ram_ptr(&ram, gpa, 12);

	put_be(o, intparm, 4);
	put_be(o + 4, flags, 4);
	put_be(o + 8, cpa, 4);
	return gpa;
}

/* Runs p and returns dev->irb's cstat, checking the status is final. */
static int run(struct ccw_drv_prog *p)
{
	return ccw_drv_run(p);
}

static uint8_t *data_at(uint64_t gpa, uint64_t len)
{
	return guest_ram_ptr(&ram, gpa, len);
}

/* ---- Layouts ---- */

START_TEST(test_schib_layout)
{
	uint64_t gpa = guest_ram_alloc(&ram, 52, 8);
	uint8_t *s = data_at(gpa, 52);
	/* Enabled by the scan: ISC 3, concurrent sense; the intparm is the
	 * one SSCH placed in the subchannel (SENSE ID's ORB). */
	static const uint8_t want[28] = {
		0x00, 0x00, 0x00, 0x01, /* intparm */
		0x18, 0x81, 0x01, 0x00, /* ISC 3, E, DNV, devno 0x0100 */
		0x80, 0x00, 0x00, 0x80, /* LPM, PNOM, LPUM, PIM */
		0x00, 0x00, 0xff, 0x80, /* MBI, POM, PAM */
		0,    0,    0,	  0,	0, 0, 0, 0, /* CHPIDs */
		0x00, 0x00, 0x00, 0x01,		    /* I/O subchannel, csense */
	};

	ck_assert_int_eq(css_stsch(css, cu.schid, gpa), 0);
	ck_assert_mem_eq(s, want, sizeof(want));
	for (int i = 28; i < 52; i++) /* SCSW, MBA, MDA: all zero */
		ck_assert_uint_eq(s[i], 0);
	ck_assert_uint_eq(cu.enabled, 1);
}
END_TEST

START_TEST(test_sense_id)
{
	uint8_t id[16];
	static const uint8_t want[8] = {0xff, 0x12, 0x34, 0x42,
					0x33, 0x90, 0x0c, 0x00};

	memset(id, 0xee, sizeof(id));
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_SENSE_ID, 0, id, 7), 0);
	ck_assert_mem_eq(id, want, 7);
	ck_assert_uint_eq(id[7], 0xee);
	/* Up to 256 bytes are there (zeros); more is a length error. */
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_SENSE_ID, 0, id, 16), 0);
	ck_assert_mem_eq(id, want, 8);
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_SENSE_ID, 0, NULL, 0), 0);
	{
		uint8_t big[300];

		ck_assert_int_eq(
			ccw_drv_io(dev, CCW_CMD_SENSE_ID, 0, big, sizeof(big)),
			-EIO);
		ck_assert_uint_eq(dev->irb.cstat, SCH_STAT_INCORR_LEN);
		ck_assert_uint_eq(dev->irb.count, 300); /* not executed */
		ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_SENSE_ID, CCW_FLAG_SLI,
					    big, sizeof(big)),
				 0);
	}
	ck_assert_uint_eq(cu.n, 0); /* the CSS answered, not the CU */
}
END_TEST

/* ---- Instruction operands and condition codes ---- */

static const struct operand_case {
	uint32_t schid;
	uint64_t off; /* operand offset from an aligned RAM address */
	bool not_ram;
	int want;
} operand_cases[] = {
	{0x00000000, 0, false, -CSS_PGM_OPERAND}, /* no "one" bit */
	{0x00110000, 0, false, -CSS_PGM_OPERAND}, /* reserved bit */
	{0x00090000, 0, false, -CSS_PGM_OPERAND}, /* M bit */
	{0x01010000, 0, false, -CSS_PGM_OPERAND}, /* CSSID without M */
	{0x00010000, 2, false, -CSS_PGM_SPECIFICATION},
	{0x00010000, 0, true, -CSS_PGM_ADDRESSING},
	{0x00010001, 0, false, 3}, /* no subchannel 1 */
	{0x00030000, 0, false, 3}, /* subchannel set 1 is empty */
	{0x000100ff, 0, false, 3},
};

START_TEST(test_operands)
{
	const struct operand_case *c = &operand_cases[_i];
	uint64_t base =
		c->not_ram ? NOT_RAM : guest_ram_alloc(&ram, 128, 8) + c->off;

	ck_assert_int_eq(css_stsch(css, c->schid, base), c->want);
	ck_assert_int_eq(css_msch(css, c->schid, base), c->want);
	ck_assert_int_eq(css_tsch(css, c->schid, base), c->want);
	ck_assert_int_eq(css_ssch(css, c->schid, base), c->want);
	/* CSCH and HSCH have no memory operand. */
	if (c->want == -CSS_PGM_OPERAND) {
		ck_assert_int_eq(css_csch(css, c->schid), c->want);
		ck_assert_int_eq(css_hsch(css, c->schid), c->want);
	}
}
END_TEST

START_TEST(test_msch)
{
	uint64_t gpa = guest_ram_alloc(&ram, 52, 8);
	uint8_t *s = data_at(gpa, 52);
	uint32_t w1, ctrl;

	ck_assert_int_eq(css_stsch(css, cu.schid, gpa), 0);
	/* Reserved bits in word 1 or word 6: operand exception. */
	s[4] |= 0x04;
	ck_assert_int_eq(css_msch(css, cu.schid, gpa), -CSS_PGM_OPERAND);
	s[4] &= ~0x04;
	s[24] = 0x01;
	ck_assert_int_eq(css_msch(css, cu.schid, gpa), -CSS_PGM_OPERAND);
	s[24] = 0;
	s[27] |= 0x02; /* extended measurement */
	ck_assert_int_eq(css_msch(css, cu.schid, gpa), -CSS_PGM_OPERAND);
	s[27] = 0;
	/* Modifiable: intparm, ISC, E; not: the device number, DNV. */
	put_be(s, 0xcafe, 4);
	s[4] = 0x38; /* ISC 7 */
	s[5] = 0x00; /* disabled, and an attempt to clear DNV */
	s[6] = 0xbe;
	s[7] = 0xef;
	ck_assert_int_eq(css_msch(css, cu.schid, gpa), 0);
	ck_assert_int_eq(ccw_drv_stsch(dev, &w1, &ctrl), 0);
	ck_assert_uint_eq(w1, 0x38010000u | DEVNO);
	memset(s, 0, 52);
	ck_assert_int_eq(css_stsch(css, cu.schid, gpa), 0);
	ck_assert_uint_eq(get_be32(s), 0xcafe);
	/* Disabled: SSCH finds it not operational. */
	ck_assert_int_eq(
		css_ssch(css, cu.schid, put_orb(0, ORB_FMT | 0xff00, 0x1000)),
		3);
	ck_assert_int_eq(css_hsch(css, cu.schid), 3);
	ck_assert_int_eq(css_csch(css, cu.schid), 3);
	ck_assert_int_eq(ccw_drv_enable(dev, true), 0);
	ck_assert_uint_eq(cu.enabled, 2);
}
END_TEST

START_TEST(test_ssch_orb_checks)
{
	uint64_t ccw = guest_ram_alloc(&ram, 8, 8);
	static const uint32_t bad_flags[] = {ORB_RSVD1, ORB_RSVD2, 0x02,
					     ORB_ORBX};

	put_be(data_at(ccw, 8), 0x03200000, 4); /* NOOP, SLI */
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_int_eq(
			css_ssch(css, cu.schid,
				 put_orb(0, ORB_FMT | 0xff00 | bad_flags[i],
					 (uint32_t)ccw)),
			-CSS_PGM_OPERAND);
	ck_assert_int_eq(
		css_ssch(css, cu.schid,
			 put_orb(0, ORB_FMT | 0xff00, 0x80000000u | ccw)),
		-CSS_PGM_OPERAND);
	/* No path in the logical-path mask: not operational. */
	ck_assert_int_eq(css_ssch(css, cu.schid,
				  put_orb(0, ORB_FMT | 0x7f00, (uint32_t)ccw)),
			 3);
	ck_assert_uint_eq(drv.nr_io_irqs, 0);
}
END_TEST

/* Without a handler: status pending, TPI, TSCH, cc 1 while pending. */
START_TEST(test_interruption_flow)
{
	uint64_t ccw = guest_ram_alloc(&ram, 8, 8);
	uint64_t buf = guest_ram_alloc(&ram, 64, 8);
	uint64_t irb = guest_ram_alloc(&ram, 64, 8);
	uint64_t orb;
	struct css_irq irq;
	uint8_t *b;

	css_set_irq_handler(css, NULL, NULL);
	put_be(data_at(ccw, 8), (uint64_t)CU_READ << 56 | 64ULL << 32 | buf, 8);
	orb = put_orb(0x11223344, ORB_FMT | 0xff00, (uint32_t)ccw);
	ck_assert_int_eq(css_ssch(css, cu.schid, orb), 0);
	ck_assert_int_eq(css_ssch(css, cu.schid, orb), 1); /* pending */
	ck_assert_int_eq(css_msch(css, cu.schid, irb), 1);
	ck_assert_int_eq(css_hsch(css, cu.schid), 1);
	/* ISC 3 is masked off: nothing; then it is there, once. */
	ck_assert_int_eq(css_tpi(css, 0xff & ~0x10, &irq), 0);
	ck_assert_int_eq(css_tpi(css, 0x10, &irq), 1);
	ck_assert_uint_eq(irq.schid, cu.schid);
	ck_assert_uint_eq(irq.intparm, 0x11223344);
	ck_assert_uint_eq(irq.isc, 3);
	ck_assert(!irq.adapter);
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 0);
	/* TPI left the status pending for TSCH. */
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 0);
	b = data_at(irb, 64);
	ck_assert_uint_eq(get_be32(b),
			  SCSW_FCTL_START | SCSW_FMT | SCSW_STCTL_PRIMARY |
				  SCSW_STCTL_SECONDARY | SCSW_STCTL_PENDING);
	ck_assert_uint_eq(get_be32(b + 4), ccw + 8);
	ck_assert_uint_eq(b[8], DEV_STAT_CHN_END | DEV_STAT_DEV_END);
	ck_assert_uint_eq(b[9], 0);
	ck_assert_uint_eq(b[10] << 8 | b[11], 0);
	for (unsigned int i = 0; i < 64; i++)
		ck_assert_uint_eq(data_at(buf, 64)[i], pattern(i));
	/* Nothing pending any more. */
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 1);
	ck_assert_uint_eq(get_be32(data_at(irb, 4)), 0);
	ck_assert_int_eq(css_ssch(css, cu.schid, orb), 0);
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 0);
	/* TSCH withdrew the request TPI had not taken. */
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 0);
}
END_TEST

START_TEST(test_isc_priority_and_adapter)
{
	struct css_irq irq;

	css_set_irq_handler(css, NULL, NULL);
	css_adapter_interrupt(css, 5);
	css_adapter_interrupt(css, 5);		     /* coalesced */
	css_adapter_interrupt(css, 9);		     /* no such ISC: ignored */
	ck_assert(css_io_interrupt(css, cu.schid));  /* ISC 3 */
	ck_assert(!css_io_interrupt(css, cu.schid)); /* already pending */
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 1);
	ck_assert(!irq.adapter);
	ck_assert_uint_eq(irq.isc, 3);
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 1);
	ck_assert(irq.adapter);
	ck_assert_uint_eq(irq.isc, 5);
	ck_assert_uint_eq(irq.schid, 0);
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 0);
}
END_TEST

START_TEST(test_unsolicited)
{
	uint64_t irb = guest_ram_alloc(&ram, 64, 8);

	css_set_irq_handler(css, NULL, NULL);
	ck_assert(css_io_interrupt(css, cu.schid));
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 0);
	ck_assert_uint_eq(get_be32(data_at(irb, 4)),
			  SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
	ck_assert(!css_io_interrupt(css, 0x00010007)); /* no subchannel */
	ck_assert_int_eq(ccw_drv_enable(dev, false), 0);
	ck_assert(!css_io_interrupt(css, cu.schid)); /* disabled */
}
END_TEST

/* With the driver's handler: it sees unsolicited status and counts it. */
START_TEST(test_unsolicited_handled)
{
	ck_assert(css_io_interrupt(css, cu.schid));
	ck_assert_uint_eq(dev->nr_unsolicited, 1);
	ck_assert_uint_eq(drv.nr_io_irqs, 1);
	/* Handled at once, so the next one gets through too. */
	ck_assert(css_io_interrupt(css, cu.schid));
	ck_assert_uint_eq(dev->nr_unsolicited, 2);
}
END_TEST

/* ---- Chaining ---- */

START_TEST(test_command_chaining)
{
	struct ccw_drv_prog p;
	uint64_t buf = guest_ram_alloc(&ram, 64, 8);

	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CCW_CMD_NOOP, CCW_FLAG_CC | CCW_FLAG_SLI, 0, 0);
	ccw_drv_prog_add(&p, CU_CTL8, CCW_FLAG_CC, 8, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CC, 64, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_WRITE, 0, 10, (uint32_t)buf);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(cu.n, 3);
	ck_assert_mem_eq(cu.log, "\x0b\x02\x01", 3);
	ck_assert_uint_eq(cu.data_len, 10);
	ck_assert_uint_eq(cu.data[0], pattern(0));
	ck_assert_uint_eq(dev->irb.cpa, p.gpa + 4 * 8);
	/* Without CC the program ends at the first command. */
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_CTL8, 0, 8, (uint32_t)buf);
	ccw_drv_prog_add(&p, CU_REJ, 0, 0, 0);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(cu.n, 4);
}
END_TEST

/* A write whose data sits in three pieces, with a TIC between two of the
 * data-chained CCWs: the control unit sees one stream. */
START_TEST(test_data_chaining)
{
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&ram, 16, 8);
	uint64_t b = guest_ram_alloc(&ram, 16, 8);
	uint64_t c = guest_ram_alloc(&ram, 16, 8);
	uint64_t far = guest_ram_alloc(&ram, 16, 8);
	uint8_t *fp = data_at(far, 16);

	memcpy(data_at(a, 3), "abc", 3);
	memcpy(data_at(b, 5), "defgh", 5);
	memcpy(data_at(c, 2), "ij", 2);
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_CD, 3, (uint32_t)a);
	ccw_drv_prog_add(&p, CCW_CMD_TIC, 0, 0, (uint32_t)far);
	/* At far: a continuation (its code is ignored), then the last. */
	put_be(fp, 0xff800005ULL << 32 | b, 8);
	put_be(fp + 8, 0x00000002ULL << 32 | c, 8);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(cu.data_len, 10);
	ck_assert_mem_eq(cu.data, "abcdefghij", 10);
	ck_assert_uint_eq(cu.n, 1);
	ck_assert_uint_eq(dev->irb.cpa, far + 16);
}
END_TEST

/* A read that stops early in a data chain: the SCSW names the CCW where
 * it stopped and what is left of its count. */
START_TEST(test_residual_in_data_chain)
{
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&ram, 128, 8);

	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CD, 40, (uint32_t)a);
	ccw_drv_prog_add(&p, 0, CCW_FLAG_SLI, 40, (uint32_t)a + 40);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(dev->irb.cpa, p.gpa + 16);
	ck_assert_uint_eq(dev->irb.count, 16);
	ck_assert_uint_eq(data_at(a, 64)[63], pattern(63));
	ck_assert_uint_eq(data_at(a, 65)[64], 0);
	/* Without SLI the same is an incorrect length. */
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_CD, 40, (uint32_t)a);
	ccw_drv_prog_add(&p, 0, 0, 40, (uint32_t)a + 40);
	ck_assert_int_eq(run(&p), -EIO);
	ck_assert_uint_eq(dev->irb.cstat, SCH_STAT_INCORR_LEN);
}
END_TEST

START_TEST(test_skip)
{
	struct ccw_drv_prog p;
	uint64_t a = guest_ram_alloc(&ram, 64, 8);

	memset(data_at(a, 64), 0x5a, 64);
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_READ, CCW_FLAG_SKIP | CCW_FLAG_CD, 32,
			 (uint32_t)a);
	ccw_drv_prog_add(&p, 0, 0, 32, (uint32_t)a + 32);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_uint_eq(data_at(a, 1)[0], 0x5a);
	ck_assert_uint_eq(data_at(a, 32)[31], 0x5a);
	ck_assert_uint_eq(data_at(a, 33)[32], pattern(32));
	/* Skip on a write is ignored: the data still goes out. */
	memcpy(data_at(a, 4), "wxyz", 4);
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_SKIP, 4, (uint32_t)a);
	ck_assert_int_eq(run(&p), 0);
	ck_assert_mem_eq(cu.data, "wxyz", 4);
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
	uint64_t a = guest_ram_alloc(&ram, 128, 8);

	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, c->cmd, c->flags | CCW_FLAG_CC, c->count,
			 (uint32_t)a);
	ccw_drv_prog_add(&p, CU_WRITE, 0, 1, (uint32_t)a);
	ck_assert_int_eq(run(&p), c->want);
	ck_assert_uint_eq(dev->irb.cstat, c->cstat);
	/* Any error ends the chain before the second command. */
	ck_assert_uint_eq(cu.n, (c->cmd == CCW_CMD_NOOP ? 0 : 1) +
					(c->want == 0 ? 1 : 0));
	if (c->cmd == CU_READ)
		ck_assert_uint_eq(data_at(a, 1)[0] == pattern(0), c->executed);
	if (c->want == -EIO)
		ck_assert_uint_eq(dev->irb.cpa, p.gpa + 8);
}
END_TEST

START_TEST(test_handler_stays_in_count)
{
	ck_assert_int_eq(ccw_drv_io(dev, CU_BAD, 0, NULL, 0), 0);
}
END_TEST

/* ---- Unit check and sense ---- */

START_TEST(test_unit_check_sense)
{
	uint8_t sense[32];

	/* Concurrent sense: the IRB carries it. */
	ck_assert_int_eq(ccw_drv_io(dev, CU_REJ, 0, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(dev->irb.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END |
						  DEV_STAT_UNIT_CHECK);
	ck_assert(dev->irb.ctrl & SCSW_ESWF);
	ck_assert(dev->irb.ctrl & SCSW_STCTL_ALERT);
	ck_assert_uint_eq(dev->irb.erw, ERW_CONS | 32 << ERW_SCNT_SHIFT);
	ck_assert_uint_eq(dev->irb.ecw[0], SENSE0_CMD_REJECT);
	/* ... and it was consumed. */
	memset(sense, 0xee, sizeof(sense));
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_BASIC_SENSE, 0, sense, 32), 0);
	ck_assert_uint_eq(sense[0], 0);
	/* Without concurrent sense the driver asks with BASIC SENSE. */
	drv.csense = false;
	ck_assert_int_eq(ccw_drv_enable(dev, false), 0);
	ck_assert_int_eq(ccw_drv_enable(dev, true), 0);
	ck_assert_int_eq(ccw_drv_io(dev, 0x77, 0, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(dev->irb.erw, 0);
	ck_assert_uint_eq(dev->sense[0], SENSE0_CMD_REJECT);
	ck_assert_int_eq(
		ccw_drv_io(dev, CCW_CMD_BASIC_SENSE, CCW_FLAG_SLI, sense, 32),
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
	p->gpa = NOT_RAM;
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
	ccw_drv_prog_add(p, CU_WRITE, 0, 4, NOT_RAM);
}

static void pc_data_crosses_end(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_READ, 0, 64, RAM_LEN - 32);
}

/* Command chaining off the end of RAM: the last CCW in RAM chains on. */
static void pc_off_the_end(struct ccw_drv_prog *p, uint64_t s)
{
	p->gpa = RAM_LEN - 16;
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI | CCW_FLAG_CC, 0, 0);
	ccw_drv_prog_add(p, CCW_CMD_NOOP, CCW_FLAG_SLI | CCW_FLAG_CC, 0, 0);
}

static void pc_ida_list_odd(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, (uint32_t)s + 2);
}

static void pc_idaw_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	put_be(data_at(s, 4), NOT_RAM, 4);
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, (uint32_t)s);
}

static void pc_idaw_list_not_ram(struct ccw_drv_prog *p, uint64_t s)
{
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 4, NOT_RAM);
}

static void pc_idaw_misaligned(struct ccw_drv_prog *p, uint64_t s)
{
	put_be(data_at(s, 8), s + 2048 - 4, 4);
	put_be(data_at(s + 4, 4), s + 4096 + 8, 4); /* not a block start */
	ccw_drv_prog_add(p, CU_WRITE, CCW_FLAG_IDA, 16, (uint32_t)s);
}

static void pc_idaw_31bit(struct ccw_drv_prog *p, uint64_t s)
{
	put_be(data_at(s, 4), 0x80000000u | (s + 64), 4);
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
	uint64_t scratch = guest_ram_alloc(&ram, 8192, 4096);
	struct ccw_drv_prog p;
	int r = -EIO;

	ccw_drv_prog_init(&p, dev);
	c->build(&p, scratch);
	nr_fetches = 0;
	css_set_trace(css, count_fetches, NULL);
	if (c->fmt0) /* the driver always asks for format 1: go around it */
		ck_assert_int_eq(css_ssch(css, dev->schid,
					  put_orb(1, 0xff00, (uint32_t)p.gpa)),
				 0);
	else
		r = ccw_drv_start(dev, p.gpa, 0);
	ck_assert_msg(r == -EIO, "%s: %d", c->what, r);
	ck_assert_msg(dev->irb.cstat == SCH_STAT_PROG_CHECK, "%s: cstat %#x",
		      c->what, dev->irb.cstat);
	ck_assert(dev->irb.ctrl & SCSW_STCTL_ALERT);
	ck_assert_uint_eq(dev->irb.dstat, 0);
	css_set_trace(css, NULL, NULL);
	if (c->fetches)
		ck_assert_msg(nr_fetches == c->fetches, "%s: %u fetches",
			      c->what, nr_fetches);
	/* The subchannel works on. */
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_NOOP, CCW_FLAG_SLI, NULL, 0),
			 0);
}
END_TEST

/* ---- Indirect data addressing ---- */

START_TEST(test_idaws)
{
	uint64_t s = guest_ram_alloc(&ram, 16384, 4096);
	uint64_t list = guest_ram_alloc(&ram, 64, 8);
	uint8_t *l = data_at(list, 64);
	struct ccw_drv_prog p;
	bool fmt2 = _i;
	uint32_t block = fmt2 ? 4096 : 2048;

	/* 20 bytes: the last 8 of one block, then 12 of a block far off. */
	memcpy(data_at(s + block - 8, 8), "ABCDEFGH", 8);
	memcpy(data_at(s + 3 * block, 12), "IJKLMNOPQRST", 12);
	put_be(l, s + block - 8, fmt2 ? 8 : 4);
	put_be(l + (fmt2 ? 8 : 4), s + 3 * block, fmt2 ? 8 : 4);
	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, CU_WRITE, CCW_FLAG_IDA, 20, (uint32_t)list);
	ck_assert_int_eq(ccw_drv_start(dev, p.gpa, fmt2 ? ORB_C64 : 0), 0);
	ck_assert_uint_eq(cu.data_len, 20);
	ck_assert_mem_eq(cu.data, "ABCDEFGHIJKLMNOPQRST", 20);
	/* 2 KiB blocks with format-2 IDAWs too, when I2K says so. */
	if (fmt2) {
		put_be(l, s + 2048 - 8, 8);
		put_be(l + 8, s + 3 * 2048, 8);
		memcpy(data_at(s + 2048 - 8, 8), "abcdefgh", 8);
		memcpy(data_at(s + 3 * 2048, 12), "ijklmnopqrst", 12);
		ck_assert_int_eq(ccw_drv_start(dev, p.gpa, ORB_C64 | ORB_I2K),
				 0);
		ck_assert_mem_eq(cu.data, "abcdefghijklmnopqrst", 20);
	}
}
END_TEST

START_TEST(test_pci_flag)
{
	ck_assert_int_eq(
		ccw_drv_io(dev, CU_CTL8, CCW_FLAG_PCI, (uint8_t[8]){0}, 8),
		-EIO);
	ck_assert_uint_eq(dev->irb.cstat, SCH_STAT_PCI);
	ck_assert_uint_eq(dev->irb.dstat, DEV_STAT_CHN_END | DEV_STAT_DEV_END);
}
END_TEST

/* ---- Halt and clear ---- */

START_TEST(test_halt_and_clear_idle)
{
	uint64_t irb = guest_ram_alloc(&ram, 64, 8);
	struct css_irq irq;

	css_set_irq_handler(css, NULL, NULL);
	ck_assert_int_eq(css_hsch(css, cu.schid), 0);
	ck_assert_int_eq(css_hsch(css, cu.schid), 1); /* now pending */
	/* Clear throws the halt status away and makes its own. */
	ck_assert_int_eq(css_csch(css, cu.schid), 0);
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 1);
	ck_assert_int_eq(css_tpi(css, 0xff, &irq), 0);
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 0);
	ck_assert_uint_eq(get_be32(data_at(irb, 4)),
			  SCSW_FCTL_CLEAR | SCSW_STCTL_PENDING);
	ck_assert_int_eq(css_hsch(css, cu.schid), 0);
	ck_assert_int_eq(css_tsch(css, cu.schid, irb), 0);
	ck_assert_uint_eq(get_be32(data_at(irb, 4)),
			  SCSW_FCTL_HALT | SCSW_STCTL_PENDING);
}
END_TEST

/* HSCH / CSCH while the program runs: it stops after that command. */
START_TEST(test_halt_and_clear_running)
{
	struct ccw_drv_prog p;
	bool clear = _i;

	ccw_drv_prog_init(&p, dev);
	ccw_drv_prog_add(&p, clear ? CU_CLEAR : CU_HALT, CCW_FLAG_CC, 0, 0);
	ccw_drv_prog_add(&p, CU_REJ, 0, 0, 0);
	ccw_drv_run(&p);
	ck_assert_int_eq(cu.inner_cc, 0);
	ck_assert_uint_eq(cu.n, 1); /* the second command never ran */
	if (clear) {
		ck_assert_uint_eq(dev->irb.ctrl,
				  SCSW_FCTL_CLEAR | SCSW_STCTL_PENDING);
	} else {
		ck_assert(dev->irb.ctrl & SCSW_FCTL_HALT);
		ck_assert(dev->irb.ctrl & SCSW_FCTL_START);
		ck_assert(dev->irb.ctrl & SCSW_STCTL_PRIMARY);
	}
	ck_assert_int_eq(ccw_drv_io(dev, CCW_CMD_NOOP, CCW_FLAG_SLI, NULL, 0),
			 0);
}
END_TEST

/* ---- Subchannels come and go ---- */

START_TEST(test_add_remove)
{
	struct css_dev_id id = {.devno = DEVNO};
	uint32_t schid, first = 0;
	uint64_t schib = guest_ram_alloc(&ram, 52, 8);

	ck_assert_int_eq(css_add(css, &id, &cu_ops, &cu, &schid), -EEXIST);
	for (unsigned int i = 1; i < CSS_MAX_SCH; i++) {
		id.devno = (uint16_t)(0x2000 + i);
		ck_assert_int_eq(css_add(css, &id, &cu_ops, &cu, &schid), 0);
		ck_assert_uint_eq(schid, 0x00010000u | i);
		if (!first)
			first = schid;
	}
	id.devno = 0x3000;
	ck_assert_int_eq(css_add(css, &id, &cu_ops, &cu, &schid), -ENOSPC);
	ck_assert_ptr_eq(css_priv(css, first, &cu_ops), &cu);
	ck_assert_ptr_null(css_priv(css, first, NULL));
	css_remove(css, first);
	ck_assert_int_eq(css_stsch(css, first, schib), 3);
	ck_assert_ptr_null(css_priv(css, first, &cu_ops));
	ck_assert_int_eq(css_add(css, &id, &cu_ops, &cu, &schid), 0);
	ck_assert_uint_eq(schid, first); /* the free number again */
	for (unsigned int i = 1; i < CSS_MAX_SCH; i++)
		css_remove(css, 0x00010000u | i);
}
END_TEST

/* The tracer sees the ORB, each CCW and the status, in order. */
static unsigned int nr_events;
static enum css_event_kind kinds[8];

static void tracer(void *opaque, const struct css_event *ev)
{
	(void)opaque;
	if (nr_events < 8)
		kinds[nr_events] = ev->kind;
	nr_events++;
}

START_TEST(test_trace)
{
	uint8_t buf[8] = {0};

	nr_events = 0;
	css_set_trace(css, tracer, NULL);
	ck_assert_int_eq(ccw_drv_io(dev, CU_CTL8, 0, buf, 8), 0);
	css_set_trace(css, NULL, NULL);
	ck_assert_uint_eq(nr_events, 3);
	ck_assert_int_eq(kinds[0], CSS_EV_START);
	ck_assert_int_eq(kinds[1], CSS_EV_CCW);
	ck_assert_int_eq(kinds[2], CSS_EV_STATUS);
}
END_TEST

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static Suite *css_suite(void)
{
	Suite *s = suite_create("ccw_css");
	TCase *tc = tcase_create("css");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_schib_layout);
	tcase_add_test(tc, test_sense_id);
	tcase_add_loop_test(tc, test_operands, 0, N(operand_cases));
	tcase_add_test(tc, test_msch);
	tcase_add_test(tc, test_ssch_orb_checks);
	tcase_add_test(tc, test_interruption_flow);
	tcase_add_test(tc, test_isc_priority_and_adapter);
	tcase_add_test(tc, test_unsolicited);
	tcase_add_test(tc, test_unsolicited_handled);
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
	tcase_add_test(tc, test_halt_and_clear_idle);
	tcase_add_loop_test(tc, test_halt_and_clear_running, 0, 2);
	tcase_add_test(tc, test_add_remove);
	tcase_add_test(tc, test_trace);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(css_suite());
}
