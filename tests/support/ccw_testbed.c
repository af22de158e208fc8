/* ccw_testbed: the echo device on virtio-ccw, driven by the CCW driver
 * model (see ccw_testbed.h).
 */
#include "ccw_testbed.h"

#include <check.h>
#include <string.h>

static void on_used(void *opaque, uint16_t q)
{
	struct ccw_testbed *t = opaque;

	if (q < ECHO_NUM_QUEUES)
		__atomic_fetch_add(&t->used[q], 1, __ATOMIC_RELAXED);
}

static void on_config(void *opaque)
{
	struct ccw_testbed *t = opaque;

	__atomic_fetch_add(&t->configs, 1, __ATOMIC_RELAXED);
}

void ccw_testbed_init(struct ccw_testbed *t)
{
	memset(t, 0, sizeof(*t));
	guest_ram_init(&t->ram, CCW_TB_RAM_LEN);
	ck_assert_int_eq(echo_dev_init(&t->echo, &t->ram.mem), 0);
	ck_assert_int_eq(css_create(&t->ram.mem, &t->css), 0);
	ck_assert_int_eq(
		virtio_ccw_add(t->css, &t->echo.vd, CCW_TB_DEVNO, &t->vc), 0);
	ccw_drv_init(&t->drv, t->css, &t->ram);
	ck_assert_int_eq(ccw_drv_scan(&t->drv), 1);
	t->dev = ccw_drv_find(&t->drv, CCW_TB_DEVNO);
	ck_assert_ptr_nonnull(t->dev);
	ck_assert_int_eq(ccw_virtio_init(&t->v, t->dev), 0);
	t->v.on_used = on_used;
	t->v.on_config = on_config;
	t->v.opaque = t;
}

void ccw_testbed_destroy(struct ccw_testbed *t)
{
	virtio_dev_reset(&t->echo.vd);
	for (unsigned int i = 0; t->have_q && i < ECHO_NUM_QUEUES; i++)
		drvq_destroy(&t->q[i]);
	virtio_ccw_remove(t->vc);
	ccw_drv_destroy(&t->drv);
	css_destroy(t->css);
	echo_dev_destroy(&t->echo);
	guest_ram_destroy(&t->ram);
}

void ccw_testbed_add_status(struct ccw_testbed *t, uint8_t bits)
{
	uint8_t status;

	ck_assert_int_eq(ccw_virtio_write_status(&t->v, t->v.status | bits), 0);
	ck_assert_int_eq(ccw_virtio_read_status(&t->v, &status), 0);
	ck_assert_uint_eq(virtio_get_status(&t->echo.vd), t->v.status);
}

static uint64_t negotiate(struct ccw_testbed *t, uint64_t want)
{
	uint32_t lo, hi;
	uint64_t f;

	ck_assert_int_eq(ccw_virtio_read_feat(&t->v, 0, &lo), 0);
	ck_assert_int_eq(ccw_virtio_read_feat(&t->v, 1, &hi), 0);
	f = ((uint64_t)hi << 32 | lo) & want;
	ck_assert_int_eq(ccw_virtio_write_feat(&t->v, 0, (uint32_t)f), 0);
	ck_assert_int_eq(ccw_virtio_write_feat(&t->v, 1, (uint32_t)(f >> 32)),
			 0);
	return f;
}

void ccw_testbed_probe(struct ccw_testbed *t, int rev, uint64_t want,
		       bool adapter)
{
	uint16_t max;
	uint64_t f;

	ck_assert_int_eq(ccw_virtio_set_revision(&t->v, rev), 0);
	ck_assert_int_eq(t->v.revision, rev);
	ck_assert_int_eq(virtio_ccw_revision(t->vc), rev);
	ck_assert_int_eq(ccw_virtio_reset(&t->v), 0);
	ccw_testbed_add_status(t, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	ccw_testbed_add_status(t, VIRTIO_CONFIG_S_DRIVER);
	f = negotiate(t, want);
	ccw_testbed_add_status(t, VIRTIO_CONFIG_S_FEATURES_OK);
	for (uint16_t i = 0; i < ECHO_NUM_QUEUES; i++) {
		ck_assert_int_eq(ccw_virtio_read_vq_conf(&t->v, i, &max), 0);
		ck_assert_uint_eq(max, ECHO_QUEUE_MAX);
		drvq_init(&t->q[i], &t->ram, i, CCW_TB_QSIZE, f);
		ck_assert_int_eq(ccw_virtio_set_vq(&t->v, i, CCW_TB_QSIZE,
						   t->q[i].desc_gpa,
						   t->q[i].driver_gpa,
						   t->q[i].device_gpa),
				 0);
	}
	t->have_q = true;
	ck_assert_int_eq(
		ccw_virtio_setup_indicators(&t->v, adapter, ECHO_NUM_QUEUES),
		0);
	ck_assert_int_eq(t->v.adapter, adapter);
	ccw_testbed_add_status(t, VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert(!(virtio_get_status(&t->echo.vd) &
		    VIRTIO_CONFIG_S_NEEDS_RESET));
}

uint32_t ccw_testbed_echo(struct ccw_testbed *t, uint16_t q, uint32_t len)
{
	uint64_t out = guest_ram_alloc(&t->ram, len, 8);
	uint64_t in = guest_ram_alloc(&t->ram, len, 8);
	struct drvq_buf b[2] = {{out, len, false}, {in, len, true}};
	uint8_t *src = guest_ram_ptr(&t->ram, out, len);
	uint32_t used;
	int tok;

	for (uint32_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i ^ q);
	ck_assert_int_eq(drvq_add(&t->q[q], b, 2, false, &tok), 0);
	if (drvq_kick_prepare(&t->q[q]))
		ck_assert_int_ge(ccw_virtio_notify(&t->v, q,
						   drvq_notify_value(&t->q[q])),
				 0);
	/* The echo device answers inside the notification. */
	ck_assert_ptr_eq(drvq_get_used(&t->q[q], &used), &tok);
	ck_assert_mem_eq(guest_ram_ptr(&t->ram, in, len), src, len);
	return used;
}
