/* virtio_console: console device, port 0 on a host fd pair (virtio 1.3
 * §5.3; queue 0 receiveq, queue 1 transmitq, §5.3.2).
 *
 * One thread does all the work: it writes transmitq buffers to out_fd,
 * keeps one receiveq buffer in hand and fills it when in_fd has bytes. The
 * vCPUs only wake it (an eventfd), so a slow terminal never stalls them.
 * Depends on src/virtio and src/kvm only.
 */
#include "virtio_console.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "log.h"

#define QUEUE_MAX_SIZE 128
#define RXQ	       0
#define TXQ	       1

struct virtio_console {
	struct virtio_dev vd; /* first: the core hands us &vd */
	struct virtio_console_config cfg;
	int in_fd, out_fd;
	int wake; /* eventfd: a kick, a reset or destroy */
	bool in_open;

	pthread_t thread;
	bool started;
	/* lock/cond: pause (reset asks the thread to let go of the queues,
	 * until the next kick), paused (the thread says it has), exit. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pause, paused, exit;

	/* The thread's: the receive buffer in hand, a transmit scratch. */
	bool rx_held;
	struct vq_req rx, tx;
	unsigned int rx_n;
	struct iovec rx_iov[VQ_REQ_MAX_SEGS], iov[VQ_REQ_MAX_SEGS];
};

static struct virtio_console *to_con(struct virtio_dev *vd)
{
	return (struct virtio_console *)vd;
}

static void wake(struct virtio_console *con)
{
	uint64_t one = 1;

	if (write(con->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("virtio-console: eventfd: %s", strerror(errno));
}

/* writev until everything is out; output to a closed fd is dropped. */
static void write_all(int fd, struct iovec *iov, unsigned int n)
{
	ssize_t r;

	while (n && fd >= 0) {
		r = writev(fd, iov, (int)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		while (n && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
}

/* Transmitq (§5.3.6.2): guest output, device-readable. */
static void do_tx(struct virtio_console *con)
{
	struct virtq *vq = virtio_queue(&con->vd, TXQ);
	unsigned int n;
	size_t got;

	while (vq_pop(vq, &con->tx) > 0) {
		n = vq_req_read_iov(&con->tx, con->iov, VQ_REQ_MAX_SEGS,
				    vq_req_readable(&con->tx), &got);
		write_all(con->out_fd, con->iov, n);
		vq_push(vq, &con->tx, 0);
	}
	vq_flush(vq);
}

/* Takes a receiveq buffer to hold until input comes. */
static void rx_take(struct virtio_console *con)
{
	size_t got;

	if (vq_pop(virtio_queue(&con->vd, RXQ), &con->rx) <= 0)
		return;
	con->rx_n = vq_req_write_iov(&con->rx, con->rx_iov, VQ_REQ_MAX_SEGS,
				     vq_req_writable(&con->rx), &got);
	con->rx_held = true;
}

/* Receiveq (§5.3.6.1): reads what in_fd has into the buffer in hand. */
static void do_rx(struct virtio_console *con)
{
	struct virtq *vq = virtio_queue(&con->vd, RXQ);
	ssize_t r = readv(con->in_fd, con->rx_iov, (int)con->rx_n);

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return; /* keep the buffer for the next bytes */
	if (r <= 0) {	/* EOF or error: no more input, ever */
		con->in_open = false;
		return;
	}
	vq_push(vq, &con->rx, (uint32_t)r);
	vq_flush(vq);
	con->rx_held = false;
}

/* Waits while a reset holds the queues. Returns false on exit. */
static bool check_pause(struct virtio_console *con)
{
	bool go;

	pthread_mutex_lock(&con->lock);
	if (con->pause) {
		con->rx_held = false; /* the core drops it with the ring */
		con->paused = true;
		pthread_cond_broadcast(&con->cond);
		while (con->pause && !con->exit)
			pthread_cond_wait(&con->cond, &con->lock);
		con->paused = false;
	}
	go = !con->exit;
	pthread_mutex_unlock(&con->lock);
	return go;
}

static void *console_main(void *arg)
{
	struct virtio_console *con = arg;
	struct pollfd p[2];
	uint64_t v;

	while (check_pause(con)) {
		do_tx(con);
		if (!con->rx_held && con->in_open)
			rx_take(con);
		p[0] = (struct pollfd){.fd = con->wake, .events = POLLIN};
		p[1] = (struct pollfd){.fd = con->in_fd, .events = POLLIN};
		if (!con->rx_held || !con->in_open)
			p[1].fd = -1; /* no buffer: leave input in the fd */
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents & POLLIN)
			(void)!read(con->wake, &v, sizeof(v));
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			do_rx(con);
	}
	return NULL;
}

/* Returns once the thread has let go of the queues; it stays away until
 * the next kick or DRIVER_OK (serialised with resets by the transport). */
static void console_quiesce(struct virtio_dev *vd)
{
	struct virtio_console *con = to_con(vd);

	pthread_mutex_lock(&con->lock);
	con->pause = true;
	wake(con);
	while (!con->paused)
		pthread_cond_wait(&con->cond, &con->lock);
	pthread_mutex_unlock(&con->lock);
}

static void console_resume(struct virtio_dev *vd)
{
	struct virtio_console *con = to_con(vd);

	pthread_mutex_lock(&con->lock);
	con->pause = false;
	pthread_cond_broadcast(&con->cond);
	pthread_mutex_unlock(&con->lock);
	wake(con);
}

static int console_activate(struct virtio_dev *vd)
{
	console_resume(vd);
	return 0;
}

static void console_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	console_quiesce(vd);
}

static void console_notify(struct virtio_dev *vd, struct virtq *vq)
{
	console_resume(vd);
}

static const struct virtio_device_ops virtio_console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2, /* port 0's receiveq and transmitq */
	.queue_max_size = QUEUE_MAX_SIZE,
	.features = 1ULL << VIRTIO_CONSOLE_F_SIZE,
	.activate = console_activate,
	.reset = console_quiesce,
	.queue_notify = console_notify,
	.queue_reset = console_queue_reset,
};

static int start_thread(struct virtio_console *con)
{
	int r;

	con->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (con->wake < 0)
		return -errno;
	pthread_mutex_init(&con->lock, NULL);
	pthread_cond_init(&con->cond, NULL);
	con->pause = true; /* nothing to do before DRIVER_OK */
	r = pthread_create(&con->thread, NULL, console_main, con);
	if (r)
		return -r;
	con->started = true;
	return 0;
}

int virtio_console_create(const struct virtio_console_options *o,
			  const struct gmem *mem, struct virtio_console **out)
{
	struct virtio_console *con = calloc(1, sizeof(*con));
	int r;

	if (!con)
		return -ENOMEM;
	con->wake = -1;
	con->in_fd = o->in_fd;
	con->out_fd = o->out_fd;
	con->in_open = o->in_fd >= 0;
	r = virtio_dev_init(&con->vd, &virtio_console_ops, mem, "console");
	if (r < 0)
		goto out_free;
	if (!o->cols && !o->rows)
		con->vd.features_off |= 1ULL << VIRTIO_CONSOLE_F_SIZE;
	if (o->packed_off)
		con->vd.features_off |= 1ULL << VIRTIO_F_RING_PACKED;
	con->cfg.cols = htole16(o->cols);
	con->cfg.rows = htole16(o->rows);
	con->vd.config = &con->cfg;
	con->vd.config_len = sizeof(con->cfg);
	r = start_thread(con);
	if (r < 0)
		goto out_free;
	*out = con;
	return 0;
out_free:
	virtio_console_destroy(con);
	return r;
}

void virtio_console_destroy(struct virtio_console *con)
{
	if (!con)
		return;
	if (con->started) {
		pthread_mutex_lock(&con->lock);
		con->exit = true;
		pthread_cond_broadcast(&con->cond);
		pthread_mutex_unlock(&con->lock);
		wake(con);
		pthread_join(con->thread, NULL);
		pthread_mutex_destroy(&con->lock);
		pthread_cond_destroy(&con->cond);
	}
	if (con->wake >= 0)
		close(con->wake);
	virtio_dev_destroy(&con->vd);
	free(con);
}

struct virtio_dev *virtio_console_vdev(struct virtio_console *con)
{
	return &con->vd;
}

int virtio_console_resize(struct virtio_console *con, uint16_t cols,
			  uint16_t rows)
{
	struct {
		uint16_t cols, rows;
	} sz = {htole16(cols), htole16(rows)};

	if (con->vd.features_off & (1ULL << VIRTIO_CONSOLE_F_SIZE))
		return -EINVAL;
	return virtio_config_update(&con->vd, 0, &sz, sizeof(sz));
}
