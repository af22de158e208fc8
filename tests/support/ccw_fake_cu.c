/* ccw_fake_cu: a made-up control unit and its bed (see ccw_fake_cu.h). */
#include "ccw_fake_cu.h"

#include <check.h>
#include <errno.h>
#include <string.h>

uint8_t ccw_fake_cu_pattern(unsigned int i)
{
	return (uint8_t)(i * 3 + 1);
}

static enum css_status cu_read(struct css_cmd *cmd)
{
	uint8_t buf[64];
	uint32_t n = cmd->count < 64 ? cmd->count : 64;
	enum css_status s = css_cmd_want_upto(cmd, 64);

	for (unsigned int i = 0; i < 64; i++)
		buf[i] = ccw_fake_cu_pattern(i);
	if (s != CSS_OK)
		return s;
	return css_cmd_write(cmd, 0, buf, n) ? CSS_PROG_CHECK : CSS_OK;
}

static enum css_status cu_command(void *priv, struct css_cmd *cmd)
{
	struct ccw_fake_cu *c = priv;
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
	((struct ccw_fake_cu *)priv)->enabled++;
}

const struct css_dev_ops ccw_fake_cu_ops = {
	.command = cu_command,
	.enabled = cu_enabled,
};

void ccw_fake_cu_bed_init(struct ccw_fake_cu_bed *b)
{
	struct css_dev_id id = {.devno = CCW_FAKE_DEVNO,
				.cu_type = CCW_FAKE_CU_TYPE,
				.cu_model = 0x42,
				.dev_type = 0x3390,
				.dev_model = 0x0c};

	memset(b, 0, sizeof(*b));
	guest_ram_init(&b->ram, CCW_FAKE_RAM_LEN);
	ck_assert_int_eq(css_create(&b->ram.mem, &b->css), 0);
	b->cu.css = b->css;
	ck_assert_int_eq(
		css_add(b->css, &id, &ccw_fake_cu_ops, &b->cu, &b->cu.schid),
		0);
	ccw_drv_init(&b->drv, b->css, &b->ram);
	ck_assert_int_eq(ccw_drv_scan(&b->drv), 1);
	b->dev = b->drv.devs[0];
	b->cu.n = 0;
	b->drv.nr_io_irqs = 0; /* SENSE ID took one */
}

void ccw_fake_cu_bed_destroy(struct ccw_fake_cu_bed *b)
{
	ccw_drv_destroy(&b->drv);
	css_remove(b->css, b->cu.schid);
	css_destroy(b->css);
	guest_ram_destroy(&b->ram);
}

void ccw_fake_cu_put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

uint32_t ccw_fake_cu_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

uint64_t ccw_fake_cu_put_orb(struct ccw_fake_cu_bed *b, uint32_t intparm,
			     uint32_t flags, uint32_t cpa)
{
	uint64_t gpa = guest_ram_alloc(&b->ram, 12, 4);
	uint8_t *o = guest_ram_ptr(&b->ram, gpa, 12);

	ccw_fake_cu_put_be(o, intparm, 4);
	ccw_fake_cu_put_be(o + 4, flags, 4);
	ccw_fake_cu_put_be(o + 8, cpa, 4);
	return gpa;
}
