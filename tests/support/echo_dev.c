/* echo_dev: the loopback test device (see echo_dev.h). */
#include "echo_dev.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct echo_dev *to_echo(struct virtio_dev *vd)
{
	return (struct echo_dev *)vd; /* vd is the first member */
}

static int echo_activate(struct virtio_dev *vd)
{
	struct echo_dev *e = to_echo(vd);

	e->activations++;
	return e->activate_ret;
}

static void echo_reset(struct virtio_dev *vd)
{
	struct echo_dev *e = to_echo(vd);

	e->resets++;
	e->nr_held = 0;
}

static void echo_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	to_echo(vd)->queue_resets++;
}

static void echo_notify(struct virtio_dev *vd, struct virtq *vq)
{
	struct echo_dev *e = to_echo(vd);

	e->notifies++;
	echo_dev_process(e, vq);
}

static int echo_features_ok(struct virtio_dev *vd, uint64_t f)
{
	if ((f & (1ULL << ECHO_F_NEEDS_FANCY)) && !(f & (1ULL << ECHO_F_FANCY)))
		return -EINVAL;
	return 0;
}

static int echo_config_write(struct virtio_dev *vd, uint32_t off,
			     const void *buf, uint32_t len)
{
	struct echo_dev *e = to_echo(vd);

	if (off < 8 || len > ECHO_CONFIG_LEN - off)
		return -EPERM;
	memcpy(e->config + off, buf, len);
	return 0;
}

static const struct virtio_device_ops echo_ops = {
	.device_id = ECHO_DEVICE_ID,
	.num_queues = ECHO_NUM_QUEUES,
	.queue_max_size = ECHO_QUEUE_MAX,
	.features = (1ULL << ECHO_F_FANCY) | (1ULL << ECHO_F_NEEDS_FANCY) |
		    (1ULL << VIRTIO_F_ACCESS_PLATFORM), /* core bits: dropped */
	.activate = echo_activate,
	.reset = echo_reset,
	.queue_notify = echo_notify,
	.queue_reset = echo_queue_reset,
	.features_ok = echo_features_ok,
	.config_write = echo_config_write,
};

int echo_dev_init(struct echo_dev *e, const struct gmem *mem)
{
	int r = virtio_dev_init(&e->vd, &echo_ops, mem, "echo");

	if (r < 0)
		return r;
	for (unsigned int i = 0; i < ECHO_CONFIG_LEN; i++)
		e->config[i] = (uint8_t)(0x10 + i);
	e->vd.config = e->config;
	e->vd.config_len = ECHO_CONFIG_LEN;
	e->held = calloc(ECHO_QUEUE_MAX, sizeof(*e->held));
	return e->held ? 0 : -ENOMEM;
}

void echo_dev_destroy(struct echo_dev *e)
{
	free(e->held);
	e->held = NULL;
	virtio_dev_destroy(&e->vd);
}

static void echo(struct vq_req *req)
{
	uint8_t buf[512];
	size_t n;

	if (!vq_req_readable(req)) {
		memset(buf, ECHO_FILL, sizeof(buf));
		while (vq_req_write(req, buf, sizeof(buf)))
			;
		return;
	}
	while ((n = vq_req_read(req, buf, sizeof(buf))) &&
	       vq_req_write(req, buf, n) == n)
		;
}

void echo_dev_complete(struct echo_dev *e, unsigned int i)
{
	struct vq_req *req = &e->held[i];

	ck_assert_uint_lt(i, e->nr_held);
	if (!req->vq)
		return; /* already completed */
	echo(req);
	vq_push(req->vq, req, req->written);
}

void echo_dev_process(struct echo_dev *e, struct virtq *vq)
{
	struct vq_req *req;

	for (;;) {
		ck_assert_uint_lt(e->nr_held, ECHO_QUEUE_MAX);
		req = &e->held[e->hold ? e->nr_held : 0];
		e->last_pop = vq_pop(vq, req);
		if (e->last_pop <= 0)
			break;
		if (e->hold) {
			e->nr_held++;
			continue;
		}
		echo(req);
		vq_push(vq, req, req->written);
		if (e->flush_each)
			vq_flush(vq);
	}
	vq_flush(vq);
}
