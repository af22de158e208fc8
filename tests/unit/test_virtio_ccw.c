/* Unit tests for the virtio-ccw transport's commands (src/bus/ccw/
 * virtio_ccw*.c, virtio 1.3 §4.3): the whole initialisation at revisions
 * 0, 1 and 2 with both ring formats and both indicator styles; revision
 * negotiation and legacy drivers; every command with good and bad counts;
 * features, status and config rules; unknown commands; command-chained
 * and data-chained virtio programs. Queues, indicators and notifications
 * are in test_virtio_ccw_notify.c.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ccw_testbed.h"
#include "fake_transport.h"
#include "test_runner.h"

#define BIT(n)	 (1ULL << (n))
#define S_ACK	 VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV	 VIRTIO_CONFIG_S_DRIVER
#define S_FOK	 VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK	 VIRTIO_CONFIG_S_DRIVER_OK
#define IL	 SCH_STAT_INCORR_LEN
#define ECHO_ALL (BIT(ECHO_F_FANCY) | BIT(ECHO_F_NEEDS_FANCY))
#define N(a)	 (int)(sizeof(a) / sizeof((a)[0]))

static struct ccw_testbed t;

static void setup(void)
{
	ccw_testbed_init(&t);
}

static void teardown(void)
{
	ccw_testbed_destroy(&t);
}

static int io(uint8_t cmd, uint8_t flags, void *buf, uint16_t count)
{
	return ccw_drv_io(t.dev, cmd, flags, buf, count);
}

/* ---- Discovery ---- */

START_TEST(test_discovery)
{
	ck_assert_uint_eq(t.dev->cu_type, VIRTIO_CCW_CU_TYPE);
	/* The control-unit model is the device id (one byte of it). */
	ck_assert_uint_eq(t.dev->cu_model, (uint8_t)ECHO_DEVICE_ID);
	ck_assert_uint_eq(t.dev->schid, virtio_ccw_schid(t.vc));
	ck_assert_int_eq(virtio_ccw_revision(t.vc), -1);
	ck_assert_int_eq(virtio_ccw_set_revisions(t.vc, 2, 1), -EINVAL);
	ck_assert_int_eq(virtio_ccw_set_revisions(t.vc, 0, 3), -EINVAL);
}
END_TEST

/* ---- The whole initialisation ---- */

static const struct init_case {
	int rev;
	bool packed, adapter;
} init_cases[] = {
	{0, false, false}, {0, false, true}, {1, false, false},
	{1, false, true},  {1, true, false}, {1, true, true},
	{2, false, false}, {2, false, true}, {2, true, false},
	{2, true, true},
};

START_TEST(test_init)
{
	const struct init_case *c = &init_cases[_i];
	uint64_t want =
		FT_LINUX_FEATURES | ECHO_ALL | (c->packed ? FT_PACKED : 0);
	uint8_t cfg = 0x42, status;

	ccw_testbed_probe(&t, c->rev, want, c->adapter);
	ck_assert_int_eq(virtio_has_feature(&t.echo.vd, VIRTIO_F_RING_PACKED),
			 c->packed);
	ck_assert(virtio_has_feature(&t.echo.vd, ECHO_F_NEEDS_FANCY));
	for (uint16_t q = 0; q < ECHO_NUM_QUEUES; q++) {
		/* Revision 0's legacy SET_VQ found the same rings. */
		ck_assert_uint_eq(
			virtio_queue_addr(&t.echo.vd, q, VIRTIO_QUEUE_DEVICE),
			t.q[q].device_gpa);
		ck_assert_uint_eq(ccw_testbed_echo(&t, q, 100), 100);
		ck_assert_uint_eq(t.used[q], 1);
	}
	if (c->adapter) {
		ck_assert_uint_eq(t.drv.nr_adapter_irqs, 2);
		ck_assert_uint_eq(t.dev->nr_unsolicited, 0);
	} else {
		ck_assert_uint_eq(t.dev->nr_unsolicited, 2);
	}
	/* Config changes: the classic path, whatever the queues use. */
	ck_assert_int_eq(virtio_config_update(&t.echo.vd, 8, &cfg, 1), 0);
	ck_assert_uint_eq(t.configs, 1);
	ck_assert_int_eq(ccw_virtio_read_conf(&t.v, 8, &cfg, 1), 0);
	ck_assert_uint_eq(cfg, 0x42);
	ck_assert_int_eq(ccw_virtio_read_status(&t.v, &status), 0);
	ck_assert_uint_eq(status, S_ACK | S_DRV | S_FOK | S_DOK);
	/* Reset, and the device is quiet and forgets the indicators. */
	ck_assert_int_eq(ccw_virtio_reset(&t.v), 0);
	ck_assert_uint_eq(virtio_get_status(&t.echo.vd), 0);
	ck_assert_int_eq(virtio_config_update(&t.echo.vd, 8, &cfg, 1), 0);
	ck_assert_uint_eq(t.configs, 1);
}
END_TEST

/* ---- Revisions (§4.3.2.1) ---- */

static const struct rev_case {
	unsigned int dev_min, dev_max;
	int drv_max;
	int want;    /* revision the driver ends up with */
	bool usable; /* READ_FEAT works afterwards */
} rev_cases[] = {
	{0, 2, 2, 2, true},
	{0, 1, 2, 1, true},
	{0, 0, 2, 0, true},
	{0, 2, 0, 0, true},
	{1, 2, 2, 2, true},
	/* Non-transitional device, legacy-only driver: the driver takes the
	 * reject of revision 0 for a legacy device, the device refuses. */
	{1, 2, 0, 0, false},
	{2, 2, 1, 0, false},
};

START_TEST(test_revision_negotiation)
{
	const struct rev_case *c = &rev_cases[_i];
	uint32_t bits;

	ck_assert_int_eq(virtio_ccw_set_revisions(t.vc, c->dev_min, c->dev_max),
			 0);
	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, c->drv_max), 0);
	ck_assert_int_eq(t.v.revision, c->want);
	ck_assert_int_eq(ccw_virtio_read_feat(&t.v, 1, &bits),
			 c->usable ? 0 : -EOPNOTSUPP);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), c->usable ? c->want : -1);
	if (c->usable)
		ck_assert(bits & 1); /* VIRTIO_F_VERSION_1 */
}
END_TEST

START_TEST(test_revision_rules)
{
	uint8_t rev2[4] = {0, 2, 0, 0}, rev1[4] = {0, 1, 0, 0};
	uint8_t rev3[4] = {0, 3, 0, 0}, data[8] = {0, 1, 0, 4, 1, 2, 3, 4};

	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev3, 4), -EOPNOTSUPP);
	/* Data where none is defined; a short count; a short count + SLI. */
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, CCW_FLAG_SLI, data, 8),
			 -EOPNOTSUPP);
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, data, 8), -EIO);
	ck_assert_uint_eq(t.dev->irb.cstat, IL);
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev2, 3), -EIO);
	ck_assert_uint_eq(t.dev->irb.cstat, IL);
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, CCW_FLAG_SLI, rev2, 3),
			 -EOPNOTSUPP);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), -1);
	/* Once set, never again... */
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev2, 4), 0);
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev1, 4), -EOPNOTSUPP);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), 2);
	/* ... until the subchannel is enabled anew. */
	ck_assert_int_eq(ccw_drv_enable(t.dev, false), 0);
	ck_assert_int_eq(ccw_drv_enable(t.dev, true), 0);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), -1);
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev1, 4), 0);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), 1);
}
END_TEST

/* A legacy driver never sends SET_VIRTIO_REV (§4.3.2.1.1). */
START_TEST(test_legacy_driver)
{
	uint8_t feat[5] = {0}, rev0[4] = {0};
	bool transitional = _i == 0;

	if (!transitional)
		ck_assert_int_eq(virtio_ccw_set_revisions(t.vc, 1, 2), 0);
	ck_assert_int_eq(io(CCW_CMD_READ_FEAT, 0, feat, 5),
			 transitional ? 0 : -EOPNOTSUPP);
	ck_assert_int_eq(virtio_ccw_revision(t.vc), transitional ? 0 : -1);
	/* Transitional: revision 0 is set, no other may follow. Non-
	 * transitional: revision 0 itself is refused. */
	ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev0, 4), -EOPNOTSUPP);
	if (!transitional) {
		rev0[1] = 1;
		ck_assert_int_eq(io(CCW_CMD_SET_VIRTIO_REV, 0, rev0, 4), 0);
		ck_assert_int_eq(io(CCW_CMD_READ_FEAT, 0, feat, 5), 0);
	}
}
END_TEST

START_TEST(test_read_status_needs_rev2)
{
	uint8_t status = 0xee;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 1), 0);
	ck_assert_int_eq(io(CCW_CMD_READ_STATUS, 0, &status, 1), -EOPNOTSUPP);
	ck_assert_uint_eq(t.dev->sense[0], SENSE0_CMD_REJECT);
	ck_assert_uint_eq(status, 0xee);
}
END_TEST

START_TEST(test_unknown_commands)
{
	static const uint8_t codes[] = {0x01, 0x02, 0x14, 0x42, 0x44,
					0x63, 0x82, 0x99, 0xf3, 0xff};

	for (unsigned int i = 0; i < sizeof(codes); i++) {
		ck_assert_int_eq(io(codes[i], CCW_FLAG_SLI, NULL, 0),
				 -EOPNOTSUPP);
		ck_assert_uint_eq(t.dev->irb.dstat,
				  DEV_STAT_CHN_END | DEV_STAT_DEV_END |
					  DEV_STAT_UNIT_CHECK);
		ck_assert_uint_eq(t.dev->sense[0], SENSE0_CMD_REJECT);
	}
	ck_assert_int_eq(virtio_ccw_revision(t.vc), -1);
	/* The same through basic sense, without concurrent sense. */
	t.drv.csense = false;
	ck_assert_int_eq(ccw_drv_enable(t.dev, true), 0);
	ck_assert_int_eq(io(0x99, 0, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(t.dev->irb.erw, 0);
	ck_assert_uint_eq(t.dev->sense[0], SENSE0_CMD_REJECT);
}
END_TEST

/* ---- Every command with a good, short and long count ---- */

struct len_cmd {
	const char *name;
	uint8_t cmd;
	uint16_t len;
	bool upto; /* any count up to len is a full command */
	void (*payload)(uint8_t *buf);
};

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void pl_none(uint8_t *b)
{
	(void)b;
}

static void pl_ack(uint8_t *b)
{
	b[0] = S_ACK;
}

static void pl_config(uint8_t *b)
{
	memcpy(b, t.echo.config, ECHO_CONFIG_LEN);
}

static void put_be(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
}

static void pl_set_vq(uint8_t *b)
{
	uint64_t r = guest_ram_alloc(&t.ram, 4096, 4096);

	put_be(b, r, 8);
	put_be(b + 14, 16, 2);
	put_be(b + 16, r + 256, 8);
	put_be(b + 24, r + 512, 8);
}

static void pl_ind(uint8_t *b)
{
	put_be(b, guest_ram_alloc(&t.ram, 8, 8), 8);
}

static void pl_adapter(uint8_t *b)
{
	put_be(b, guest_ram_alloc(&t.ram, 1, 1), 8);
	put_be(b + 8, guest_ram_alloc(&t.ram, 8, 8), 8);
	b[24] = 3;
}

static const struct len_cmd len_cmds[] = {
	{"READ_FEAT", CCW_CMD_READ_FEAT, 5, false, pl_none},
	{"WRITE_FEAT", CCW_CMD_WRITE_FEAT, 5, false, pl_none},
	{"READ_CONF", CCW_CMD_READ_CONF, ECHO_CONFIG_LEN, true, pl_none},
	{"WRITE_CONF", CCW_CMD_WRITE_CONF, ECHO_CONFIG_LEN, true, pl_config},
	{"WRITE_STATUS", CCW_CMD_WRITE_STATUS, 1, false, pl_ack},
	{"READ_STATUS", CCW_CMD_READ_STATUS, 1, false, pl_none},
	{"VDEV_RESET", CCW_CMD_VDEV_RESET, 0, false, pl_none},
	{"READ_VQ_CONF", CCW_CMD_READ_VQ_CONF, 4, false, pl_none},
	{"SET_VQ", CCW_CMD_SET_VQ, 32, false, pl_set_vq},
	{"SET_IND", CCW_CMD_SET_IND, 8, false, pl_ind},
	{"SET_CONF_IND", CCW_CMD_SET_CONF_IND, 8, false, pl_ind},
	{"SET_IND_ADAPTER", CCW_CMD_SET_IND_ADAPTER, 25, false, pl_adapter},
};

/* Count variants: exact, one short, one short with SLI, one long, one
 * long with SLI (virtio 1.3 §4.3.1.1). */
static const struct {
	int delta;
	uint8_t flags;
} len_variants[] = {
	{0, 0}, {-1, 0}, {-1, CCW_FLAG_SLI}, {1, 0}, {1, CCW_FLAG_SLI}};

START_TEST(test_command_lengths)
{
	const struct len_cmd *c = &len_cmds[_i / 5];
	int delta = len_variants[_i % 5].delta;
	uint8_t flags = len_variants[_i % 5].flags;
	uint8_t buf[64] = {0};
	int want, r;

	if (c->len + delta < 0)
		return; /* VDEV_RESET has no shorter count */
	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	c->payload(buf);
	if (delta == 0 || (delta < 0 && c->upto) || (delta > 0 && flags))
		want = 0;
	else if (delta < 0 && flags)
		want = -EOPNOTSUPP; /* too short with SLI: check condition */
	else
		want = -EIO;
	r = io(c->cmd, flags, buf, (uint16_t)(c->len + delta));
	ck_assert_msg(r == want, "%s count %d flags %#x: %d, want %d", c->name,
		      c->len + delta, flags, r, want);
	if (want == -EIO) {
		ck_assert_uint_eq(t.dev->irb.cstat, IL);
		ck_assert_uint_eq(t.dev->irb.dstat,
				  DEV_STAT_CHN_END | DEV_STAT_DEV_END);
		/* Not executed: nothing moved, residual is the count. */
		ck_assert_uint_eq(t.dev->irb.count, c->len + delta);
	}
	/* A status write that was refused left the status alone. */
	if (c->cmd == CCW_CMD_WRITE_STATUS)
		ck_assert_uint_eq(virtio_get_status(&t.echo.vd),
				  want ? 0 : S_ACK);
}
END_TEST

/* ---- Features (§4.3.2.4) ---- */

START_TEST(test_features)
{
	uint32_t bits;
	uint8_t status;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	ck_assert_int_eq(ccw_virtio_read_feat(&t.v, 0, &bits), 0);
	ck_assert_uint_eq(bits & ECHO_ALL, ECHO_ALL);
	ck_assert_uint_eq(bits, virtio_device_features(&t.echo.vd, 0));
	ck_assert_int_eq(ccw_virtio_read_feat(&t.v, 1, &bits), 0);
	ck_assert_uint_eq(bits, virtio_device_features(&t.echo.vd, 1));
	for (unsigned int idx = 2; idx < 256; idx += 51) {
		ck_assert_int_eq(
			ccw_virtio_read_feat(&t.v, (uint8_t)idx, &bits), 0);
		ck_assert_uint_eq(bits, 0);
	}
	/* Words above 1 take only zeros. */
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 2, 0), 0);
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 2, 1), -EOPNOTSUPP);
	/* Unoffered bits are accepted as written, then FEATURES_OK is
	 * refused and the status stays as it was. */
	ccw_testbed_add_status(&t, S_ACK);
	ccw_testbed_add_status(&t, S_DRV);
	ck_assert_int_eq(
		ccw_virtio_write_feat(&t.v, 0, BIT(ECHO_F_FANCY) | BIT(20)), 0);
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 1, 1), 0);
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, S_ACK | S_DRV | S_FOK),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ccw_virtio_read_status(&t.v, &status), 0);
	ck_assert_uint_eq(status, S_ACK | S_DRV);
	/* A device-specific dependency broken: refused the same way. */
	ck_assert_int_eq(
		ccw_virtio_write_feat(&t.v, 0, BIT(ECHO_F_NEEDS_FANCY)), 0);
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, S_ACK | S_DRV | S_FOK),
			 -EOPNOTSUPP);
	/* A good set is frozen once accepted. */
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 0, ECHO_ALL), 0);
	ccw_testbed_add_status(&t, S_FOK);
	ck_assert_int_eq(ccw_virtio_write_feat(&t.v, 0, 0), -EOPNOTSUPP);
	ck_assert(virtio_has_feature(&t.echo.vd, ECHO_F_NEEDS_FANCY));
}
END_TEST

/* ---- Status (§4.3.2.3) ---- */

START_TEST(test_status_rules)
{
	uint8_t status;
	unsigned int resets;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	ccw_testbed_add_status(&t, S_ACK);
	ccw_testbed_add_status(&t, S_DRV);
	/* Skipping FEATURES_OK, clearing a bit, an unknown bit. */
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, S_ACK | S_DRV | S_DOK),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, S_DRV), -EOPNOTSUPP);
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, S_ACK | S_DRV | 0x10),
			 -EOPNOTSUPP);
	ck_assert_int_eq(ccw_virtio_read_status(&t.v, &status), 0);
	ck_assert_uint_eq(status, S_ACK | S_DRV);
	/* Writing 0 resets, like VDEV_RESET. */
	resets = t.echo.resets;
	ck_assert_int_eq(ccw_virtio_write_status(&t.v, 0), 0);
	ck_assert_uint_eq(t.echo.resets, resets + 1);
	ck_assert_uint_eq(virtio_get_status(&t.echo.vd), 0);
	ck_assert_int_eq(ccw_virtio_reset(&t.v), 0);
	ck_assert_uint_eq(t.echo.resets, resets + 2);
}
END_TEST

/* ---- Config space (§4.3.2.5) ---- */

START_TEST(test_config)
{
	uint8_t buf[ECHO_CONFIG_LEN + 1], v;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, _i), 0);
	ck_assert_int_eq(ccw_virtio_read_conf(&t.v, 0, buf, ECHO_CONFIG_LEN),
			 0);
	for (unsigned int i = 0; i < ECHO_CONFIG_LEN; i++)
		ck_assert_uint_eq(buf[i], 0x10 + i);
	ck_assert_int_eq(ccw_virtio_read_conf(&t.v, 5, buf, 3), 0);
	ck_assert_mem_eq(buf, "\x15\x16\x17", 3);
	ck_assert_int_eq(ccw_virtio_read_conf(&t.v, 8, buf, 9), -EIO);
	ck_assert_uint_eq(t.dev->irb.cstat, IL);
	/* Writable bytes change; the read-only ones sent along unchanged
	 * are fine; changing one of them is refused. */
	v = 0x99;
	ck_assert_int_eq(ccw_virtio_write_conf(&t.v, 10, &v, 1), 0);
	ck_assert_uint_eq(t.echo.config[10], 0x99);
	ck_assert_uint_eq(t.echo.config[9], 0x19);
	ck_assert_int_eq(ccw_virtio_write_conf(&t.v, 2, &v, 1), -EOPNOTSUPP);
	ck_assert_uint_eq(t.echo.config[2], 0x12);
	ck_assert_int_eq(ccw_virtio_write_conf(&t.v, 15, buf, 2), -EIO);
	/* READ_CONF with the skip flag stores nothing. */
	memset(guest_ram_ptr(&t.ram, ccw_drv_data(t.dev), 4), 0xee, 4);
	{
		struct ccw_drv_prog p;

		ccw_drv_prog_init(&p, t.dev);
		ccw_drv_prog_add(&p, CCW_CMD_READ_CONF, CCW_FLAG_SKIP, 4,
				 (uint32_t)ccw_drv_data(t.dev));
		ck_assert_int_eq(ccw_drv_run(&p), 0);
		ck_assert_uint_eq(*(uint8_t *)guest_ram_ptr(
					  &t.ram, ccw_drv_data(t.dev), 1),
				  0xee);
	}
}
END_TEST

/* ---- Programs with more than one virtio command ---- */

/* Linux sends one command per program; the architecture lets a driver
 * chain them, and split a payload over data-chained CCWs. */
START_TEST(test_chained_program)
{
	uint64_t d = guest_ram_alloc(&t.ram, 64, 8), far;
	uint8_t *p8 = guest_ram_ptr(&t.ram, d, 64);
	struct ccw_drv_prog p;
	uint8_t *fp;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	p8[0] = S_ACK;
	p8[1] = S_ACK | S_DRV;
	p8[2] = S_ACK | S_DRV | S_DOK; /* skips FEATURES_OK: refused */
	p8[3] = S_ACK;
	ccw_drv_prog_init(&p, t.dev);
	ccw_drv_prog_add(&p, CCW_CMD_WRITE_STATUS, CCW_FLAG_CC, 1, (uint32_t)d);
	ccw_drv_prog_add(&p, CCW_CMD_WRITE_STATUS, CCW_FLAG_CC, 1,
			 (uint32_t)d + 1);
	ccw_drv_prog_add(&p, CCW_CMD_WRITE_STATUS, CCW_FLAG_CC, 1,
			 (uint32_t)d + 2);
	ccw_drv_prog_add(&p, CCW_CMD_VDEV_RESET, 0, 0, 0);
	ck_assert_int_eq(ccw_drv_run(&p), -EOPNOTSUPP);
	/* The reject ended the chain: no reset came after it. */
	ck_assert_uint_eq(virtio_get_status(&t.echo.vd), S_ACK | S_DRV);
	ck_assert_uint_eq(t.dev->irb.cpa, p.gpa + 3 * 8);
	/* A vq_info_block in three pieces, a TIC between the pieces. */
	far = guest_ram_alloc(&t.ram, 16, 8);
	fp = guest_ram_ptr(&t.ram, far, 16);
	pl_set_vq(p8);
	ccw_drv_prog_init(&p, t.dev);
	ccw_drv_prog_add(&p, CCW_CMD_SET_VQ, CCW_FLAG_CD, 10, (uint32_t)d);
	ccw_drv_prog_add(&p, CCW_CMD_TIC, 0, 0, (uint32_t)far);
	put_be(fp, 0x00800006ULL << 32 | (d + 10), 8);
	put_be(fp + 8, 0x00000010ULL << 32 | (d + 16), 8);
	ck_assert_int_eq(ccw_drv_run(&p), 0);
	ck_assert(virtio_queue_enabled(&t.echo.vd, 0));
	ck_assert_uint_eq(virtio_queue_size(&t.echo.vd, 0), 16);
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DESC),
			  get_be64(p8));
	ck_assert_uint_eq(virtio_queue_addr(&t.echo.vd, 0, VIRTIO_QUEUE_DEVICE),
			  get_be64(p8 + 24));
}
END_TEST

/* Payloads that are not guest RAM: a program check, nothing done. */
START_TEST(test_payload_not_ram)
{
	static const struct {
		uint8_t cmd;
		uint16_t count;
	} cmds[] = {{CCW_CMD_SET_IND, 8},      {CCW_CMD_READ_FEAT, 5},
		    {CCW_CMD_WRITE_STATUS, 1}, {CCW_CMD_SET_VQ, 32},
		    {CCW_CMD_READ_CONF, 4},    {CCW_CMD_SET_IND_ADAPTER, 25}};
	struct ccw_drv_prog p;

	ck_assert_int_eq(ccw_virtio_set_revision(&t.v, 2), 0);
	for (unsigned int i = 0; i < N(cmds); i++) {
		ccw_drv_prog_init(&p, t.dev);
		ccw_drv_prog_add(&p, cmds[i].cmd, 0, cmds[i].count,
				 CCW_TB_NOT_RAM);
		ck_assert_int_eq(ccw_drv_run(&p), -EIO);
		ck_assert_uint_eq(t.dev->irb.cstat, SCH_STAT_PROG_CHECK);
	}
	ck_assert_uint_eq(virtio_get_status(&t.echo.vd), 0);
}
END_TEST

static Suite *virtio_ccw_suite(void)
{
	Suite *s = suite_create("virtio_ccw");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_discovery);
	tcase_add_loop_test(tc, test_init, 0, N(init_cases));
	tcase_add_loop_test(tc, test_revision_negotiation, 0, N(rev_cases));
	tcase_add_test(tc, test_revision_rules);
	tcase_add_loop_test(tc, test_legacy_driver, 0, 2);
	tcase_add_test(tc, test_read_status_needs_rev2);
	tcase_add_test(tc, test_unknown_commands);
	tcase_add_loop_test(tc, test_command_lengths, 0, 5 * N(len_cmds));
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_status_rules);
	tcase_add_loop_test(tc, test_config, 0, 3);
	tcase_add_test(tc, test_chained_program);
	tcase_add_test(tc, test_payload_not_ram);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(virtio_ccw_suite());
}
