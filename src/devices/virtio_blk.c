/* virtio_blk: device setup, config space and I/O threads (virtio 1.3 §5.2).
 *
 * The vCPU that kicks a request queue only wakes one of that queue's I/O
 * threads; a thread pops, serves (virtio_blk_req.c) and completes requests,
 * waking another thread whenever it takes one, so disk I/O overlaps with
 * the guest running and with other requests of the same queue. Depends on
 * src/virtio and src/kvm only.
 */
#include "virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_ids.h>

#include "log.h"
#include "virtio_blk_internal.h"

#define QUEUE_MAX_SIZE 256
#define SIZE_MAX_BYTES (1u << 20) /* largest segment we advertise */

static struct virtio_blk *to_blk(struct virtio_dev *vd)
{
	return (struct virtio_blk *)vd; /* vd is the first member */
}

/* ---- I/O threads ---- */

/* Another thread should look at the ring: the one that just popped a
 * request will be busy with it for a while, and the driver was asked not
 * to kick meanwhile (vq_pop). Wakes one waiting thread; with none waiting, the
 * next thread to finish or start sees kicked and looks, so a request
 * added now never waits behind the one being served. */
static void queue_wake_one(struct virtio_blk_queue *q)
{
	pthread_mutex_lock(&q->lock);
	if (!q->stop) {
		q->kicked = true;
		pthread_cond_signal(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
}

/* Pops until the ring is empty (vq_pop then re-enables kicks) or reset
 * asks us to stop. Completions are batched: the driver is notified (if
 * event suppression allows) once this thread runs out of work, or after
 * VIRTIO_BLK_FLUSH_BATCH completions on the queue when it never does, so
 * a busy queue costs a fraction of an interrupt per request while a lone
 * request is answered at once. The core's IN_ORDER window reorders
 * completions if that was negotiated. */
static void worker_drain(struct virtio_blk_worker *w)
{
	struct virtio_blk_queue *q = w->q;
	struct vq_req *req = &w->req;
	uint32_t len;

	pthread_mutex_lock(&q->ring_lock);
	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE) &&
	       vq_pop(q->vq, req) > 0) { /* else empty, or broken */
		pthread_mutex_unlock(&q->ring_lock);
		queue_wake_one(q);
		len = virtio_blk_serve(q->blk, w, req);
		pthread_mutex_lock(&q->ring_lock);
		vq_push(q->vq, req, len);
		if (++q->unflushed >= VIRTIO_BLK_FLUSH_BATCH) {
			vq_flush(q->vq);
			q->unflushed = 0;
		}
	}
	if (q->unflushed) {
		vq_flush(q->vq);
		q->unflushed = 0;
	}
	pthread_mutex_unlock(&q->ring_lock);
}

static void *worker_main(void *arg)
{
	struct virtio_blk_worker *w = arg;
	struct virtio_blk_queue *q = w->q;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->kicked && !q->exit)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->exit)
			break;
		q->kicked = false;
		q->busy++;
		pthread_mutex_unlock(&q->lock);
		worker_drain(w);
		pthread_mutex_lock(&q->lock);
		q->busy--;
		pthread_cond_broadcast(&q->cond); /* for queue_quiesce */
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void queue_kick(struct virtio_blk_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->kicked = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

/* Returns once no thread touches the queue: each finishes the request it
 * is serving (so a write in progress either lands whole or is reported),
 * then idles until the next kick. Kicks and resets come from the same
 * transport lock, so no kick can slip in meanwhile. */
static void queue_quiesce(struct virtio_blk_queue *q)
{
	pthread_mutex_lock(&q->lock);
	__atomic_store_n(&q->stop, true, __ATOMIC_RELEASE);
	q->kicked = false;
	while (q->busy)
		pthread_cond_wait(&q->cond, &q->lock);
	__atomic_store_n(&q->stop, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&q->lock);
}

static void queue_stop(struct virtio_blk_queue *q)
{
	if (!q->blk)
		return; /* never started */
	pthread_mutex_lock(&q->lock);
	q->exit = true;
	__atomic_store_n(&q->stop, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	for (unsigned int i = 0; i < VIRTIO_BLK_THREADS; i++)
		if (q->workers[i].started)
			pthread_join(q->workers[i].thread, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_mutex_destroy(&q->ring_lock);
	pthread_cond_destroy(&q->cond);
	q->blk = NULL;
}

static int queue_start(struct virtio_blk *blk, uint16_t i)
{
	struct virtio_blk_queue *q = &blk->queues[i];
	struct virtio_blk_worker *w;
	int r;

	q->blk = blk;
	q->vq = virtio_queue(&blk->vd, i);
	q->vq->priv = q;
	pthread_mutex_init(&q->ring_lock, NULL);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	for (unsigned int t = 0; t < VIRTIO_BLK_THREADS; t++) {
		w = &q->workers[t];
		w->q = q;
		r = pthread_create(&w->thread, NULL, worker_main, w);
		if (r)
			return -r;
		w->started = true;
	}
	return 0;
}

/* ---- virtio_device_ops ---- */

static int blk_activate(struct virtio_dev *vd)
{
	struct virtio_blk *blk = to_blk(vd);

	/* Buffers added before DRIVER_OK got no kick that counted. */
	for (uint16_t i = 0; i < blk->nr_queues; i++)
		queue_kick(&blk->queues[i]);
	return 0;
}

static void blk_reset(struct virtio_dev *vd)
{
	struct virtio_blk *blk = to_blk(vd);

	for (uint16_t i = 0; i < blk->nr_queues; i++)
		queue_quiesce(&blk->queues[i]);
	/* The cache mode the driver chose dies with the reset. */
	pthread_mutex_lock(&vd->config_lock);
	blk->cfg.wce = 1;
	pthread_mutex_unlock(&vd->config_lock);
}

static void blk_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	queue_quiesce(vq->priv);
}

static void blk_queue_notify(struct virtio_dev *vd, struct virtq *vq)
{
	queue_kick(vq->priv);
}

/* Only `writeback` is driver-writable (§5.2.4), and only 0 or 1. */
static int blk_config_write(struct virtio_dev *vd, uint32_t off,
			    const void *buf, uint32_t len)
{
	struct virtio_blk *blk = to_blk(vd);
	uint8_t val;

	if (off != offsetof(struct virtio_blk_config, wce) || len != 1 ||
	    !virtio_has_feature(vd, VIRTIO_BLK_F_CONFIG_WCE))
		return -EPERM;
	memcpy(&val, buf, 1);
	if (val > 1)
		return -EINVAL;
	__atomic_store_n(&blk->cfg.wce, val, __ATOMIC_RELEASE);
	return 0;
}

bool virtio_blk_writethrough(struct virtio_blk *blk)
{
	struct virtio_dev *vd = &blk->vd;

	if (virtio_has_feature(vd, VIRTIO_BLK_F_CONFIG_WCE))
		return !__atomic_load_n(&blk->cfg.wce, __ATOMIC_ACQUIRE);
	return !virtio_has_feature(vd, VIRTIO_BLK_F_FLUSH);
}

#define F(bit) (1ULL << (bit))

static const struct virtio_device_ops virtio_blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1, /* replaced per instance */
	.queue_max_size = QUEUE_MAX_SIZE,
	.features = F(VIRTIO_BLK_F_SIZE_MAX) | F(VIRTIO_BLK_F_SEG_MAX) |
		    F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_TOPOLOGY) |
		    F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_CONFIG_WCE) |
		    F(VIRTIO_BLK_F_RO) | F(VIRTIO_BLK_F_DISCARD) |
		    F(VIRTIO_BLK_F_WRITE_ZEROES) | F(VIRTIO_BLK_F_MQ),
	.activate = blk_activate,
	.reset = blk_reset,
	.queue_notify = blk_queue_notify,
	.queue_reset = blk_queue_reset,
	.config_write = blk_config_write,
};

/* ---- Creation ---- */

/* cache=none wants O_DIRECT; tmpfs and some others refuse it at open. We
 * keep a second, buffered descriptor for requests O_DIRECT cannot do
 * (buffers not aligned to the device's logical block). */
static int open_image(struct virtio_blk *blk,
		      const struct virtio_blk_options *o)
{
	int flags = (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;

	blk->fd_buffered = open(o->path, flags);
	if (blk->fd_buffered < 0)
		return -errno;
	blk->fd = blk->fd_buffered;
	if (o->cache != VIRTIO_BLK_CACHE_NONE)
		return 0;
	blk->fd = open(o->path, flags | O_DIRECT);
	if (blk->fd >= 0) {
		blk->direct = true;
		return 0;
	}
	log_warn("virtio-blk %s: cache=none: O_DIRECT refused (%s), using "
		 "the page cache",
		 o->path, strerror(errno));
	blk->fd = blk->fd_buffered;
	return 0;
}

static int image_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

static void fill_config(struct virtio_blk *blk, uint16_t nq)
{
	struct virtio_blk_config *c = &blk->cfg;

	memset(c, 0, sizeof(*c));
	c->capacity = htole64(blk->capacity);
	c->size_max = htole32(SIZE_MAX_BYTES);
	/* header and status take two descriptors of the ring (§5.2 note in
	 * the reference: Linux builds chains up to seg_max + 2). */
	c->seg_max = htole32(QUEUE_MAX_SIZE - 2);
	c->blk_size = htole32(VIRTIO_BLK_SECTOR);
	c->physical_block_exp = 0;
	c->min_io_size = htole16(1);
	c->wce = 1;
	c->num_queues = htole16(nq);
	c->max_discard_sectors = htole32(VIRTIO_BLK_MAX_DZ_SECTORS);
	c->max_discard_seg = htole32(VIRTIO_BLK_MAX_DZ_SEG);
	c->discard_sector_alignment = htole32(1);
	c->max_write_zeroes_sectors = htole32(VIRTIO_BLK_MAX_DZ_SECTORS);
	c->max_write_zeroes_seg = htole32(VIRTIO_BLK_MAX_DZ_SEG);
	c->write_zeroes_may_unmap = 1;
}

static int check_options(const struct virtio_blk_options *o)
{
	if (!o->path || o->num_queues > VIRTIO_BLK_MAX_QUEUES)
		return -EINVAL;
	if (o->serial && strlen(o->serial) > VIRTIO_BLK_ID_BYTES)
		return -EINVAL;
	return 0;
}

static int setup_device(struct virtio_blk *blk,
			const struct virtio_blk_options *o,
			const struct gmem *mem, uint16_t nq)
{
	uint64_t off = F(VIRTIO_BLK_F_RO);
	int r;

	blk->ops = virtio_blk_ops;
	blk->ops.num_queues = nq;
	r = virtio_dev_init(&blk->vd, &blk->ops, mem, "blk");
	if (r < 0)
		return r;
	if (o->readonly)
		off = F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES);
	if (nq == 1)
		off |= F(VIRTIO_BLK_F_MQ);
	if (o->packed_off)
		off |= F(VIRTIO_F_RING_PACKED);
	blk->vd.features_off = off;
	fill_config(blk, nq);
	blk->vd.config = &blk->cfg;
	blk->vd.config_len = sizeof(blk->cfg);
	return 0;
}

int virtio_blk_create(const struct virtio_blk_options *o,
		      const struct gmem *mem, struct virtio_blk **out)
{
	uint16_t nq = o->num_queues ? o->num_queues : 1;
	struct virtio_blk *blk;
	uint64_t size;
	int r = check_options(o);

	if (r < 0)
		return r;
	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->fd = blk->fd_buffered = -1;
	blk->readonly = o->readonly;
	if (o->serial)
		memcpy(blk->id, o->serial, strlen(o->serial));
	r = open_image(blk, o);
	if (r < 0)
		goto out_free;
	r = image_size(blk->fd_buffered, &size);
	if (r == 0 && size < VIRTIO_BLK_SECTOR)
		r = -EINVAL;
	if (r < 0)
		goto out_free;
	if (size % VIRTIO_BLK_SECTOR)
		log_warn("virtio-blk %s: size is not a multiple of 512; the "
			 "last %llu bytes are not visible",
			 o->path,
			 (unsigned long long)(size % VIRTIO_BLK_SECTOR));
	blk->capacity = size / VIRTIO_BLK_SECTOR;
	r = setup_device(blk, o, mem, nq);
	if (r < 0)
		goto out_free;
	blk->queues = calloc(nq, sizeof(*blk->queues));
	if (!blk->queues) {
		r = -ENOMEM;
		goto out_free;
	}
	blk->nr_queues = nq;
	for (uint16_t i = 0; i < nq; i++) {
		r = queue_start(blk, i);
		if (r < 0)
			goto out_free;
	}
	*out = blk;
	return 0;
out_free:
	virtio_blk_destroy(blk);
	return r;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (!blk)
		return;
	for (uint16_t i = 0; i < blk->nr_queues; i++)
		queue_stop(&blk->queues[i]);
	free(blk->queues);
	if (blk->fd >= 0 && blk->fd != blk->fd_buffered)
		close(blk->fd);
	if (blk->fd_buffered >= 0)
		close(blk->fd_buffered);
	virtio_dev_destroy(&blk->vd);
	free(blk);
}

struct virtio_dev *virtio_blk_vdev(struct virtio_blk *blk)
{
	return &blk->vd;
}

uint64_t virtio_blk_capacity(const struct virtio_blk *blk)
{
	return blk->capacity;
}
