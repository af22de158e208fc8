/* fake_net_backend: an in-memory net_backend for the virtio-net tests
 * (see fake_net_backend.h). Frames are malloc'd copies in fixed FIFOs;
 * eventfds stand in for a TAP queue's readiness.
 */
#include "fake_net_backend.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define FAKE_NET_MAX_QUEUES 8

struct fake_frame {
	size_t len;
	uint8_t data[];
};

struct fake_fifo {
	struct fake_frame *f[FAKE_NET_DEPTH];
	unsigned int head, n;
};

struct fake_net_queue {
	struct fake_fifo to_guest, from_guest;
	int rx_fd, tx_fd;
	bool blocked;
	unsigned int send_calls;
};

struct fake_net_backend {
	struct net_backend be; /* first */
	bool loopback;
	pthread_mutex_t lock;
	uint64_t rx_offloads;
	unsigned int rx_offload_calls;
	struct fake_net_queue q[FAKE_NET_MAX_QUEUES];
};

static struct fake_net_backend *to_fake(struct net_backend *be)
{
	return (struct fake_net_backend *)be;
}

static bool fifo_put(struct fake_fifo *q, struct fake_frame *f)
{
	if (q->n == FAKE_NET_DEPTH)
		return false;
	q->f[(q->head + q->n++) % FAKE_NET_DEPTH] = f;
	return true;
}

static struct fake_frame *fifo_get(struct fake_fifo *q)
{
	struct fake_frame *f;

	if (!q->n)
		return NULL;
	f = q->f[q->head];
	q->head = (q->head + 1) % FAKE_NET_DEPTH;
	q->n--;
	return f;
}

static void fd_set_count(int fd, uint64_t v)
{
	uint64_t old;

	(void)!read(fd, &old, sizeof(old)); /* to 0 */
	if (v)
		(void)!write(fd, &v, sizeof(v));
}

/* With the lock held: a frame for the guest. */
static int put_to_guest(struct fake_net_backend *f, unsigned int q,
			struct fake_frame *fr)
{
	if (!fifo_put(&f->q[q].to_guest, fr)) {
		free(fr);
		return -ENOSPC;
	}
	if (f->q[q].to_guest.n == 1)
		fd_set_count(f->q[q].rx_fd, 1);
	return 0;
}

static struct fake_frame *frame_from_iov(const struct iovec *iov,
					 unsigned int n)
{
	size_t len = 0, off = 0;
	struct fake_frame *fr;

	for (unsigned int i = 0; i < n; i++)
		len += iov[i].iov_len;
	fr = malloc(sizeof(*fr) + len);
	ck_assert_ptr_nonnull(fr);
	fr->len = len;
	for (unsigned int i = 0; i < n; i++) {
		memcpy(fr->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	return fr;
}

static int fake_send(struct net_backend *be, unsigned int q,
		     const struct iovec *iov, unsigned int n)
{
	struct fake_net_backend *f = to_fake(be);
	struct fake_frame *fr;
	int r = 0;

	ck_assert_uint_lt(q, be->queues);
	pthread_mutex_lock(&f->lock);
	f->q[q].send_calls++;
	if (f->q[q].blocked) {
		r = -EAGAIN;
		goto out;
	}
	fr = frame_from_iov(iov, n);
	if (f->loopback)
		put_to_guest(f, q, fr);
	else if (!fifo_put(&f->q[q].from_guest, fr))
		free(fr); /* the network is lossy */
out:
	pthread_mutex_unlock(&f->lock);
	return r;
}

static ssize_t fake_recv(struct net_backend *be, unsigned int q,
			 const struct iovec *iov, unsigned int n)
{
	struct fake_net_backend *f = to_fake(be);
	struct fake_frame *fr;
	size_t room = 0, off = 0, c;
	ssize_t r;

	ck_assert_uint_lt(q, be->queues);
	pthread_mutex_lock(&f->lock);
	fr = fifo_get(&f->q[q].to_guest);
	if (!f->q[q].to_guest.n)
		fd_set_count(f->q[q].rx_fd, 0);
	pthread_mutex_unlock(&f->lock);
	if (!fr)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		room += iov[i].iov_len;
	r = fr->len > room ? -EMSGSIZE : (ssize_t)fr->len;
	for (unsigned int i = 0; r > 0 && off < fr->len; i++) {
		c = iov[i].iov_len < fr->len - off ? iov[i].iov_len
						   : fr->len - off;
		memcpy(iov[i].iov_base, fr->data + off, c);
		off += c;
	}
	free(fr);
	return r;
}

static int fake_rx_fd(struct net_backend *be, unsigned int q)
{
	return to_fake(be)->q[q].rx_fd;
}

static int fake_tx_fd(struct net_backend *be, unsigned int q)
{
	return to_fake(be)->q[q].tx_fd;
}

static int fake_set_rx_offloads(struct net_backend *be, uint64_t bits)
{
	struct fake_net_backend *f = to_fake(be);

	pthread_mutex_lock(&f->lock);
	f->rx_offloads = bits;
	f->rx_offload_calls++;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static void fifo_free(struct fake_fifo *q)
{
	struct fake_frame *fr;

	while ((fr = fifo_get(q)))
		free(fr);
}

static void fake_destroy(struct net_backend *be)
{
	struct fake_net_backend *f = to_fake(be);

	for (unsigned int i = 0; i < be->queues; i++) {
		fifo_free(&f->q[i].to_guest);
		fifo_free(&f->q[i].from_guest);
		close(f->q[i].rx_fd);
		close(f->q[i].tx_fd);
	}
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct net_backend_ops fake_ops = {
	.send = fake_send,
	.recv = fake_recv,
	.rx_fd = fake_rx_fd,
	.tx_fd = fake_tx_fd,
	.set_rx_offloads = fake_set_rx_offloads,
	.destroy = fake_destroy,
};

struct fake_net_backend *fake_net_create(const struct fake_net_options *o)
{
	struct fake_net_backend *f = calloc(1, sizeof(*f));

	ck_assert_ptr_nonnull(f);
	f->be.ops = &fake_ops;
	f->be.kind = "fake";
	f->be.queues = o->queues ? o->queues : 1;
	ck_assert_uint_le(f->be.queues, FAKE_NET_MAX_QUEUES);
	f->be.vnet_hdr = o->vnet_hdr;
	f->be.offloads = o->offloads;
	f->be.mtu = o->mtu;
	f->loopback = o->loopback;
	pthread_mutex_init(&f->lock, NULL);
	for (unsigned int i = 0; i < f->be.queues; i++) {
		f->q[i].rx_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		f->q[i].tx_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ck_assert_int_ge(f->q[i].rx_fd, 0);
		ck_assert_int_ge(f->q[i].tx_fd, 0);
	}
	return f;
}

struct net_backend *fake_net_be(struct fake_net_backend *f)
{
	return &f->be;
}

int fake_net_inject(struct fake_net_backend *f, unsigned int q,
		    const void *frame, size_t len)
{
	struct iovec iov = {(void *)frame, len};
	int r;

	pthread_mutex_lock(&f->lock);
	r = put_to_guest(f, q, frame_from_iov(&iov, 1));
	pthread_mutex_unlock(&f->lock);
	return r;
}

ssize_t fake_net_take(struct fake_net_backend *f, unsigned int q, void *buf,
		      size_t cap)
{
	struct fake_frame *fr;
	ssize_t len;

	pthread_mutex_lock(&f->lock);
	fr = fifo_get(&f->q[q].from_guest);
	pthread_mutex_unlock(&f->lock);
	if (!fr)
		return -1;
	memcpy(buf, fr->data, fr->len < cap ? fr->len : cap);
	len = (ssize_t)fr->len;
	free(fr);
	return len;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

ssize_t fake_net_wait_sent(struct fake_net_backend *f, unsigned int q,
			   void *buf, size_t cap, long long timeout_ns)
{
	long long end = now_ns() + timeout_ns;
	ssize_t r;

	while ((r = fake_net_take(f, q, buf, cap)) < 0 && now_ns() < end)
		usleep(100);
	return r;
}

unsigned int fake_net_rx_waiting(struct fake_net_backend *f, unsigned int q)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	n = f->q[q].to_guest.n;
	pthread_mutex_unlock(&f->lock);
	return n;
}

void fake_net_set_blocked(struct fake_net_backend *f, unsigned int q,
			  bool blocked)
{
	pthread_mutex_lock(&f->lock);
	f->q[q].blocked = blocked;
	/* An eventfd at its largest count does not poll writable. */
	fd_set_count(f->q[q].tx_fd, blocked ? 0xfffffffffffffffeULL : 0);
	pthread_mutex_unlock(&f->lock);
}

unsigned int fake_net_send_calls(struct fake_net_backend *f, unsigned int q)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	n = f->q[q].send_calls;
	pthread_mutex_unlock(&f->lock);
	return n;
}

uint64_t fake_net_rx_offloads(struct fake_net_backend *f, unsigned int *calls)
{
	uint64_t v;

	pthread_mutex_lock(&f->lock);
	v = f->rx_offloads;
	if (calls)
		*calls = f->rx_offload_calls;
	pthread_mutex_unlock(&f->lock);
	return v;
}
