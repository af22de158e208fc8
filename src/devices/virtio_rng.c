/* virtio_rng: entropy device (virtio 1.3 §5.4), with an optional token
 * bucket rate limit.
 *
 * A kick only wakes the device thread. The thread takes a buffer only when
 * it has tokens to fill it with, so a throttled request stays in the ring
 * (the driver simply waits) and the thread sleeps until the bucket refills.
 * Depends on src/virtio and src/kvm only.
 */
#include "virtio_rng.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <linux/virtio_ids.h>

#include "log.h"

#define QUEUE_MAX_SIZE 256
#define NSEC	       1000000000ULL

struct virtio_rng {
	struct virtio_dev vd; /* first: the core hands us &vd */
	struct virtq *vq;

	uint64_t rate, burst; /* bytes/s, bytes; rate 0: unlimited */
	uint64_t tokens;      /* bytes we may hand out now */
	uint64_t last_ns;     /* when tokens was last topped up */

	pthread_t thread;
	bool started;
	/* lock/cond guard the flags: kicked (vCPU), stop (reset waits for
	 * !busy), exit (destroy). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool kicked, stop, busy, exit;

	struct vq_req req; /* the thread's */
	struct iovec iov[VQ_REQ_MAX_SEGS];
};

static struct virtio_rng *to_rng(struct virtio_dev *vd)
{
	return (struct virtio_rng *)vd;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NSEC + (uint64_t)t.tv_nsec;
}

/* Adds what accrued since last_ns, up to the bucket size. */
static void refill(struct virtio_rng *rng)
{
	uint64_t now = now_ns(), dt = now - rng->last_ns, add;

	if (rng->tokens >= rng->burst) { /* a full bucket saves nothing up */
		rng->last_ns = now;
		return;
	}
	if (dt > NSEC) /* a full second refills any bucket we allow */
		dt = NSEC;
	add = dt * rng->rate / NSEC;
	if (!add)
		return; /* keep last_ns, so slow rates still accrue */
	rng->tokens =
		rng->tokens + add > rng->burst ? rng->burst : rng->tokens + add;
	rng->last_ns = now;
}

/* Fills the writable part of req with up to max bytes, straight into
 * guest memory. Returns the bytes written. */
static uint32_t fill(struct virtio_rng *rng, struct vq_req *req, size_t max)
{
	size_t got, done = 0;
	unsigned int n =
		vq_req_write_iov(req, rng->iov, VQ_REQ_MAX_SEGS, max, &got);
	ssize_t r;

	for (unsigned int i = 0; i < n; i++) {
		r = getrandom(rng->iov[i].iov_base, rng->iov[i].iov_len, 0);
		if (r < 0) /* EINTR or no entropy yet: give what we have */
			break;
		done += (size_t)r;
		if ((size_t)r < rng->iov[i].iov_len)
			break;
	}
	return (uint32_t)done;
}

/* Serves requests while there are requests and tokens. Returns 0 when the
 * ring is empty (or we were told to stop), else the nanoseconds to sleep
 * before there are tokens again. */
static uint64_t drain(struct virtio_rng *rng)
{
	uint64_t want = rng->rate / 20 ? rng->rate / 20 : 1; /* 50 ms worth */
	size_t max;

	while (!__atomic_load_n(&rng->stop, __ATOMIC_ACQUIRE)) {
		max = VIRTIO_RNG_MAX_REQ;
		if (rng->rate) {
			refill(rng);
			if (!rng->tokens) {
				want = want < rng->burst ? want : rng->burst;
				return want * NSEC / rng->rate + 1;
			}
			max = rng->tokens < max ? rng->tokens : max;
		}
		if (vq_pop(rng->vq, &rng->req) <= 0)
			return 0;
		if (!vq_req_writable(&rng->req))
			log_guest("virtio-rng: buffer with nothing writable");
		max = fill(rng, &rng->req, max);
		if (rng->rate)
			rng->tokens -= max;
		/* §5.4.6.2: fewer bytes than the buffer holds are fine. */
		vq_push(rng->vq, &rng->req, (uint32_t)max);
		vq_flush(rng->vq);
	}
	return 0;
}

static void sleep_for(struct virtio_rng *rng, uint64_t ns)
{
	struct timespec t;
	uint64_t end;

	clock_gettime(CLOCK_REALTIME, &t);
	end = (uint64_t)t.tv_sec * NSEC + (uint64_t)t.tv_nsec + ns;
	t.tv_sec = (time_t)(end / NSEC);
	t.tv_nsec = (long)(end % NSEC);
	while (!rng->stop && !rng->exit)
		if (pthread_cond_timedwait(&rng->cond, &rng->lock, &t) ==
		    ETIMEDOUT)
			break;
	/* Try again when the tokens are there, unless a reset came. */
	if (!rng->stop && !rng->exit)
		rng->kicked = true;
}

static void *rng_main(void *arg)
{
	struct virtio_rng *rng = arg;
	uint64_t delay;

	pthread_mutex_lock(&rng->lock);
	for (;;) {
		while (!rng->kicked && !rng->exit)
			pthread_cond_wait(&rng->cond, &rng->lock);
		if (rng->exit)
			break;
		rng->kicked = false;
		rng->busy = true;
		pthread_mutex_unlock(&rng->lock);
		delay = drain(rng);
		pthread_mutex_lock(&rng->lock);
		if (delay)
			sleep_for(rng, delay);
		rng->busy = false;
		pthread_cond_broadcast(&rng->cond);
	}
	pthread_mutex_unlock(&rng->lock);
	return NULL;
}

static void rng_kick(struct virtio_rng *rng)
{
	pthread_mutex_lock(&rng->lock);
	rng->kicked = true;
	pthread_cond_broadcast(&rng->cond);
	pthread_mutex_unlock(&rng->lock);
}

/* Returns once the thread has let go of the queue; it idles until the
 * next kick (kicks and resets are serialised by the transport). */
static void rng_quiesce(struct virtio_dev *vd)
{
	struct virtio_rng *rng = to_rng(vd);

	pthread_mutex_lock(&rng->lock);
	__atomic_store_n(&rng->stop, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&rng->cond); /* ends a throttle sleep */
	while (rng->busy)
		pthread_cond_wait(&rng->cond, &rng->lock);
	rng->kicked = false;
	__atomic_store_n(&rng->stop, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rng->lock);
}

static int rng_activate(struct virtio_dev *vd)
{
	rng_kick(to_rng(vd));
	return 0;
}

static void rng_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	rng_quiesce(vd);
}

static void rng_queue_notify(struct virtio_dev *vd, struct virtq *vq)
{
	rng_kick(to_rng(vd));
}

static const struct virtio_device_ops virtio_rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.queue_max_size = QUEUE_MAX_SIZE,
	.features = 0, /* §5.4.3: none */
	.activate = rng_activate,
	.reset = rng_quiesce,
	.queue_notify = rng_queue_notify,
	.queue_reset = rng_queue_reset,
};

int virtio_rng_create(const struct virtio_rng_options *o,
		      const struct gmem *mem, struct virtio_rng **out)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	int r;

	if (!rng)
		return -ENOMEM;
	r = virtio_dev_init(&rng->vd, &virtio_rng_ops, mem, "rng");
	if (r < 0)
		goto out_free;
	if (o->packed_off)
		rng->vd.features_off = 1ULL << VIRTIO_F_RING_PACKED;
	rng->vq = virtio_queue(&rng->vd, 0);
	rng->rate = o->bytes_per_sec;
	rng->burst = o->burst ? o->burst : o->bytes_per_sec;
	rng->tokens = rng->burst; /* start full */
	rng->last_ns = now_ns();
	pthread_mutex_init(&rng->lock, NULL);
	pthread_cond_init(&rng->cond, NULL);
	r = -pthread_create(&rng->thread, NULL, rng_main, rng);
	if (r < 0)
		goto out_free;
	rng->started = true;
	*out = rng;
	return 0;
out_free:
	virtio_rng_destroy(rng);
	return r;
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	if (!rng)
		return;
	if (rng->started) {
		pthread_mutex_lock(&rng->lock);
		rng->exit = true;
		__atomic_store_n(&rng->stop, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&rng->cond);
		pthread_mutex_unlock(&rng->lock);
		pthread_join(rng->thread, NULL);
		pthread_mutex_destroy(&rng->lock);
		pthread_cond_destroy(&rng->cond);
	}
	virtio_dev_destroy(&rng->vd);
	free(rng);
}

struct virtio_dev *virtio_rng_vdev(struct virtio_rng *rng)
{
	return &rng->vd;
}
