/* Unit tests for the channel subsystem's instructions and interruptions
 * (src/bus/ccw/css.c, css_irq.c; PoP ch. 14, 16): control-block layouts
 * byte for byte, operand checks and condition codes of every instruction,
 * TPI and TSCH, ISC priority, adapter and unsolicited interruptions, halt
 * and clear, subchannels coming and going, tracing. Channel programs are
 * in test_ccw_prog.c.
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

/* ---- Layouts ---- */

START_TEST(test_schib_layout)
{
	uint64_t gpa = guest_ram_alloc(&b.ram, 52, 8);
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

	ck_assert_int_eq(css_stsch(b.css, b.cu.schid, gpa), 0);
	ck_assert_mem_eq(s, want, sizeof(want));
	for (int i = 28; i < 52; i++) /* SCSW, MBA, MDA: all zero */
		ck_assert_uint_eq(s[i], 0);
	ck_assert_uint_eq(b.cu.enabled, 1);
}
END_TEST

START_TEST(test_sense_id)
{
	uint8_t id[16];
	static const uint8_t want[8] = {0xff, 0x12, 0x34, 0x42,
					0x33, 0x90, 0x0c, 0x00};

	memset(id, 0xee, sizeof(id));
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_SENSE_ID, 0, id, 7), 0);
	ck_assert_mem_eq(id, want, 7);
	ck_assert_uint_eq(id[7], 0xee);
	/* Up to 256 bytes are there (zeros); more is a length error. */
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_SENSE_ID, 0, id, 16), 0);
	ck_assert_mem_eq(id, want, 8);
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_SENSE_ID, 0, NULL, 0), 0);
	{
		uint8_t big[300];

		ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_SENSE_ID, 0, big,
					    sizeof(big)),
				 -EIO);
		ck_assert_uint_eq(b.dev->irb.cstat, SCH_STAT_INCORR_LEN);
		ck_assert_uint_eq(b.dev->irb.count, 300); /* not executed */
		ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_SENSE_ID,
					    CCW_FLAG_SLI, big, sizeof(big)),
				 0);
	}
	ck_assert_uint_eq(b.cu.n, 0); /* the CSS answered, not the CU */
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
	uint64_t base = c->not_ram ? CCW_FAKE_NOT_RAM
				   : guest_ram_alloc(&b.ram, 128, 8) + c->off;

	ck_assert_int_eq(css_stsch(b.css, c->schid, base), c->want);
	ck_assert_int_eq(css_msch(b.css, c->schid, base), c->want);
	ck_assert_int_eq(css_tsch(b.css, c->schid, base), c->want);
	ck_assert_int_eq(css_ssch(b.css, c->schid, base), c->want);
	/* CSCH and HSCH have no memory operand. */
	if (c->want == -CSS_PGM_OPERAND) {
		ck_assert_int_eq(css_csch(b.css, c->schid), c->want);
		ck_assert_int_eq(css_hsch(b.css, c->schid), c->want);
	}
}
END_TEST

START_TEST(test_msch)
{
	uint64_t gpa = guest_ram_alloc(&b.ram, 52, 8);
	uint8_t *s = data_at(gpa, 52);
	uint32_t w1, ctrl;

	ck_assert_int_eq(css_stsch(b.css, b.cu.schid, gpa), 0);
	/* Reserved bits in word 1 or word 6: operand exception. */
	s[4] |= 0x04;
	ck_assert_int_eq(css_msch(b.css, b.cu.schid, gpa), -CSS_PGM_OPERAND);
	s[4] &= ~0x04;
	s[24] = 0x01;
	ck_assert_int_eq(css_msch(b.css, b.cu.schid, gpa), -CSS_PGM_OPERAND);
	s[24] = 0;
	s[27] |= 0x02; /* extended measurement */
	ck_assert_int_eq(css_msch(b.css, b.cu.schid, gpa), -CSS_PGM_OPERAND);
	s[27] = 0;
	/* Modifiable: intparm, ISC, E; not: the device number, DNV. */
	ccw_fake_cu_put_be(s, 0xcafe, 4);
	s[4] = 0x38; /* ISC 7 */
	s[5] = 0x00; /* disabled, and an attempt to clear DNV */
	s[6] = 0xbe;
	s[7] = 0xef;
	ck_assert_int_eq(css_msch(b.css, b.cu.schid, gpa), 0);
	ck_assert_int_eq(ccw_drv_stsch(b.dev, &w1, &ctrl), 0);
	ck_assert_uint_eq(w1, 0x38010000u | CCW_FAKE_DEVNO);
	memset(s, 0, 52);
	ck_assert_int_eq(css_stsch(b.css, b.cu.schid, gpa), 0);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(s), 0xcafe);
	/* Disabled: SSCH finds it not operational. */
	ck_assert_int_eq(
		css_ssch(b.css, b.cu.schid,
			 ccw_fake_cu_put_orb(&b, 0, ORB_FMT | 0xff00, 0x1000)),
		3);
	ck_assert_int_eq(css_hsch(b.css, b.cu.schid), 3);
	ck_assert_int_eq(css_csch(b.css, b.cu.schid), 3);
	ck_assert_int_eq(ccw_drv_enable(b.dev, true), 0);
	ck_assert_uint_eq(b.cu.enabled, 2);
}
END_TEST

START_TEST(test_ssch_orb_checks)
{
	uint64_t ccw = guest_ram_alloc(&b.ram, 8, 8);
	static const uint32_t bad_flags[] = {ORB_RSVD1, ORB_RSVD2, 0x02,
					     ORB_ORBX};

	ccw_fake_cu_put_be(data_at(ccw, 8), 0x03200000, 4); /* NOOP, SLI */
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_int_eq(
			css_ssch(b.css, b.cu.schid,
				 ccw_fake_cu_put_orb(
					 &b, 0, ORB_FMT | 0xff00 | bad_flags[i],
					 (uint32_t)ccw)),
			-CSS_PGM_OPERAND);
	ck_assert_int_eq(css_ssch(b.css, b.cu.schid,
				  ccw_fake_cu_put_orb(&b, 0, ORB_FMT | 0xff00,
						      0x80000000u | ccw)),
			 -CSS_PGM_OPERAND);
	/* No path in the logical-path mask: not operational. */
	ck_assert_int_eq(css_ssch(b.css, b.cu.schid,
				  ccw_fake_cu_put_orb(&b, 0, ORB_FMT | 0x7f00,
						      (uint32_t)ccw)),
			 3);
	ck_assert_uint_eq(b.drv.nr_io_irqs, 0);
}
END_TEST

/* Without a handler: status pending, TPI, TSCH, cc 1 while pending. */
START_TEST(test_interruption_flow)
{
	uint64_t ccw = guest_ram_alloc(&b.ram, 8, 8);
	uint64_t buf = guest_ram_alloc(&b.ram, 64, 8);
	uint64_t irb = guest_ram_alloc(&b.ram, 64, 8);
	uint64_t orb;
	struct css_irq irq;
	uint8_t *st;

	css_set_irq_handler(b.css, NULL, NULL);
	ccw_fake_cu_put_be(data_at(ccw, 8),
			   (uint64_t)CU_READ << 56 | 64ULL << 32 | buf, 8);
	orb = ccw_fake_cu_put_orb(&b, 0x11223344, ORB_FMT | 0xff00,
				  (uint32_t)ccw);
	ck_assert_int_eq(css_ssch(b.css, b.cu.schid, orb), 0);
	ck_assert_int_eq(css_ssch(b.css, b.cu.schid, orb), 1); /* pending */
	ck_assert_int_eq(css_msch(b.css, b.cu.schid, irb), 1);
	ck_assert_int_eq(css_hsch(b.css, b.cu.schid), 1);
	/* ISC 3 is masked off: nothing; then it is there, once. */
	ck_assert_int_eq(css_tpi(b.css, 0xff & ~0x10, &irq), 0);
	ck_assert_int_eq(css_tpi(b.css, 0x10, &irq), 1);
	ck_assert_uint_eq(irq.schid, b.cu.schid);
	ck_assert_uint_eq(irq.intparm, 0x11223344);
	ck_assert_uint_eq(irq.isc, 3);
	ck_assert(!irq.adapter);
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 0);
	/* TPI left the status pending for TSCH. */
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 0);
	st = data_at(irb, 64);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(st),
			  SCSW_FCTL_START | SCSW_FMT | SCSW_STCTL_PRIMARY |
				  SCSW_STCTL_SECONDARY | SCSW_STCTL_PENDING);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(st + 4), ccw + 8);
	ck_assert_uint_eq(st[8], DEV_STAT_CHN_END | DEV_STAT_DEV_END);
	ck_assert_uint_eq(st[9], 0);
	ck_assert_uint_eq(st[10] << 8 | st[11], 0);
	for (unsigned int i = 0; i < 64; i++)
		ck_assert_uint_eq(data_at(buf, 64)[i], ccw_fake_cu_pattern(i));
	/* Nothing pending any more. */
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 1);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(data_at(irb, 4)), 0);
	ck_assert_int_eq(css_ssch(b.css, b.cu.schid, orb), 0);
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 0);
	/* TSCH withdrew the request TPI had not taken. */
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 0);
}
END_TEST

START_TEST(test_isc_priority_and_adapter)
{
	struct css_irq irq;

	css_set_irq_handler(b.css, NULL, NULL);
	css_adapter_interrupt(b.css, 5);
	css_adapter_interrupt(b.css, 5); /* coalesced */
	css_adapter_interrupt(b.css, 9); /* no such ISC: ignored */
	ck_assert(css_io_interrupt(b.css, b.cu.schid));	 /* ISC 3 */
	ck_assert(!css_io_interrupt(b.css, b.cu.schid)); /* already pending */
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 1);
	ck_assert(!irq.adapter);
	ck_assert_uint_eq(irq.isc, 3);
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 1);
	ck_assert(irq.adapter);
	ck_assert_uint_eq(irq.isc, 5);
	ck_assert_uint_eq(irq.schid, 0);
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 0);
}
END_TEST

START_TEST(test_unsolicited)
{
	uint64_t irb = guest_ram_alloc(&b.ram, 64, 8);

	css_set_irq_handler(b.css, NULL, NULL);
	ck_assert(css_io_interrupt(b.css, b.cu.schid));
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 0);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(data_at(irb, 4)),
			  SCSW_STCTL_ALERT | SCSW_STCTL_PENDING);
	ck_assert(!css_io_interrupt(b.css, 0x00010007)); /* no subchannel */
	ck_assert_int_eq(ccw_drv_enable(b.dev, false), 0);
	ck_assert(!css_io_interrupt(b.css, b.cu.schid)); /* disabled */
}
END_TEST

/* With the driver's handler: it sees unsolicited status and counts it. */
START_TEST(test_unsolicited_handled)
{
	ck_assert(css_io_interrupt(b.css, b.cu.schid));
	ck_assert_uint_eq(b.dev->nr_unsolicited, 1);
	ck_assert_uint_eq(b.drv.nr_io_irqs, 1);
	/* Handled at once, so the next one gets through too. */
	ck_assert(css_io_interrupt(b.css, b.cu.schid));
	ck_assert_uint_eq(b.dev->nr_unsolicited, 2);
}
END_TEST

/* ---- Halt and clear ---- */

START_TEST(test_halt_and_clear_idle)
{
	uint64_t irb = guest_ram_alloc(&b.ram, 64, 8);
	struct css_irq irq;

	css_set_irq_handler(b.css, NULL, NULL);
	ck_assert_int_eq(css_hsch(b.css, b.cu.schid), 0);
	ck_assert_int_eq(css_hsch(b.css, b.cu.schid), 1); /* now pending */
	/* Clear throws the halt status away and makes its own. */
	ck_assert_int_eq(css_csch(b.css, b.cu.schid), 0);
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 1);
	ck_assert_int_eq(css_tpi(b.css, 0xff, &irq), 0);
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 0);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(data_at(irb, 4)),
			  SCSW_FCTL_CLEAR | SCSW_STCTL_PENDING);
	ck_assert_int_eq(css_hsch(b.css, b.cu.schid), 0);
	ck_assert_int_eq(css_tsch(b.css, b.cu.schid, irb), 0);
	ck_assert_uint_eq(ccw_fake_cu_get_be32(data_at(irb, 4)),
			  SCSW_FCTL_HALT | SCSW_STCTL_PENDING);
}
END_TEST

/* HSCH / CSCH while the program runs: it stops after that command. */
START_TEST(test_halt_and_clear_running)
{
	struct ccw_drv_prog p;
	bool clear = _i;

	ccw_drv_prog_init(&p, b.dev);
	ccw_drv_prog_add(&p, clear ? CU_CLEAR : CU_HALT, CCW_FLAG_CC, 0, 0);
	ccw_drv_prog_add(&p, CU_REJ, 0, 0, 0);
	ccw_drv_run(&p);
	ck_assert_int_eq(b.cu.inner_cc, 0);
	ck_assert_uint_eq(b.cu.n, 1); /* the second command never ran */
	if (clear) {
		ck_assert_uint_eq(b.dev->irb.ctrl,
				  SCSW_FCTL_CLEAR | SCSW_STCTL_PENDING);
	} else {
		ck_assert(b.dev->irb.ctrl & SCSW_FCTL_HALT);
		ck_assert(b.dev->irb.ctrl & SCSW_FCTL_START);
		ck_assert(b.dev->irb.ctrl & SCSW_STCTL_PRIMARY);
	}
	ck_assert_int_eq(ccw_drv_io(b.dev, CCW_CMD_NOOP, CCW_FLAG_SLI, NULL, 0),
			 0);
}
END_TEST

/* ---- Subchannels come and go ---- */

START_TEST(test_add_remove)
{
	struct css_dev_id id = {.devno = CCW_FAKE_DEVNO};
	uint32_t schid, first = 0;
	uint64_t schib = guest_ram_alloc(&b.ram, 52, 8);

	ck_assert_int_eq(css_add(b.css, &id, &ccw_fake_cu_ops, &b.cu, &schid),
			 -EEXIST);
	for (unsigned int i = 1; i < CSS_MAX_SCH; i++) {
		id.devno = (uint16_t)(0x2000 + i);
		ck_assert_int_eq(
			css_add(b.css, &id, &ccw_fake_cu_ops, &b.cu, &schid),
			0);
		ck_assert_uint_eq(schid, 0x00010000u | i);
		if (!first)
			first = schid;
	}
	id.devno = 0x3000;
	ck_assert_int_eq(css_add(b.css, &id, &ccw_fake_cu_ops, &b.cu, &schid),
			 -ENOSPC);
	ck_assert_ptr_eq(css_priv(b.css, first, &ccw_fake_cu_ops), &b.cu);
	ck_assert_ptr_null(css_priv(b.css, first, NULL));
	css_remove(b.css, first);
	ck_assert_int_eq(css_stsch(b.css, first, schib), 3);
	ck_assert_ptr_null(css_priv(b.css, first, &ccw_fake_cu_ops));
	ck_assert_int_eq(css_add(b.css, &id, &ccw_fake_cu_ops, &b.cu, &schid),
			 0);
	ck_assert_uint_eq(schid, first); /* the free number again */
	for (unsigned int i = 1; i < CSS_MAX_SCH; i++)
		css_remove(b.css, 0x00010000u | i);
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
	css_set_trace(b.css, tracer, NULL);
	ck_assert_int_eq(ccw_drv_io(b.dev, CU_CTL8, 0, buf, 8), 0);
	css_set_trace(b.css, NULL, NULL);
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
