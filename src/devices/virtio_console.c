/* virtio_console: console device and its ports on host fd pairs (virtio
 * 1.3 §5.3; queues §5.3.2: a receiveq and a transmitq per port, plus the
 * control pair with MULTIPORT, handled in virtio_console_ctrl.c).
 *
 * One thread does all the work: it writes each port's transmitq buffers
 * to its out_fd, keeps one receiveq buffer per port in hand and fills it
 * when the port's in_fd has bytes. The vCPUs only wake it (an eventfd), so
 * a slow terminal never stalls them. Depends on src/virtio and src/kvm.
 */
#include "virtio_console.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "log.h"
#include "virtio_console_internal.h"

#define QUEUE_MAX_SIZE 128

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

/* A port's transmitq (§5.3.6.2): guest output, device-readable. */
static void do_tx(struct virtio_console *con, struct virtio_console_port *p)
{
	struct virtq *vq = virtio_queue(&con->vd, p->txq);
	unsigned int n;
	size_t got;

	while (vq_pop(vq, &con->tx) > 0) {
		n = vq_req_read_iov(&con->tx, con->iov, VQ_REQ_MAX_SEGS,
				    vq_req_readable(&con->tx), &got);
		write_all(p->out_fd, con->iov, n);
		vq_push(vq, &con->tx, 0);
	}
	vq_flush(vq);
}

/* Whether host input should go to the port now. A multiport driver drops
 * data for a port the guest has not opened (Linux does), so until then it
 * waits in the host fd. */
static bool port_wants_input(struct virtio_console *con,
			     struct virtio_console_port *p)
{
	return p->in_open &&
	       (!con->multiport ||
		__atomic_load_n(&p->guest_open, __ATOMIC_ACQUIRE));
}

/* Takes a receiveq buffer to hold until input comes. */
static void rx_take(struct virtio_console *con, struct virtio_console_port *p)
{
	size_t got;

	if (vq_pop(virtio_queue(&con->vd, p->rxq), &p->rx) <= 0)
		return;
	p->rx_n = vq_req_write_iov(&p->rx, p->rx_iov, VQ_REQ_MAX_SEGS,
				   vq_req_writable(&p->rx), &got);
	p->rx_held = true;
}

/* A port's receiveq (§5.3.6.1): what in_fd has, into the buffer in hand. */
static void do_rx(struct virtio_console *con, struct virtio_console_port *p)
{
	struct virtq *vq = virtio_queue(&con->vd, p->rxq);
	ssize_t r = readv(p->in_fd, p->rx_iov, (int)p->rx_n);

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return; /* keep the buffer for the next bytes */
	if (r <= 0) {	/* EOF or error: no more input, ever */
		p->in_open = false;
		return;
	}
	vq_push(vq, &p->rx, (uint32_t)r);
	vq_flush(vq);
	p->rx_held = false;
}

/* Lets go of what a reset takes away: the receive buffers on the queues
 * being reset (the core drops them with the ring) and, for a device
 * reset, what the control protocol set up. */
static void drop_for_reset(struct virtio_console *con, int queue)
{
	for (unsigned int i = 0; i < con->nr_ports; i++)
		if (queue < 0 || queue == con->ports[i].rxq)
			con->ports[i].rx_held = false;
	if (queue < 0 && con->multiport)
		virtio_console_ctrl_reset(con);
}

/* Waits while a reset holds the queues. Returns false on exit. */
static bool check_pause(struct virtio_console *con)
{
	bool go;

	pthread_mutex_lock(&con->lock);
	if (con->pause) {
		drop_for_reset(con, con->pause_queue);
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

/* One pass over every queue; then the fds to wait on: the eventfd first,
 * then one per port (-1 when that port takes no input now). */
static void serve_queues(struct virtio_console *con, struct pollfd *p)
{
	struct virtio_console_port *port;

	if (con->multiport)
		virtio_console_ctrl_run(con);
	p[0] = (struct pollfd){.fd = con->wake, .events = POLLIN};
	for (unsigned int i = 0; i < con->nr_ports; i++) {
		port = &con->ports[i];
		do_tx(con, port);
		if (!port->rx_held && port_wants_input(con, port))
			rx_take(con, port);
		p[i + 1] = (struct pollfd){.fd = -1, .events = POLLIN};
		if (port->rx_held && port_wants_input(con, port))
			p[i + 1].fd = port->in_fd;
	}
}

static void *console_main(void *arg)
{
	struct virtio_console *con = arg;
	struct pollfd p[VIRTIO_CONSOLE_MAX_PORTS + 1];
	uint64_t v;

	while (check_pause(con)) {
		serve_queues(con, p);
		if (poll(p, con->nr_ports + 1, -1) < 0)
			continue;
		if (p[0].revents & POLLIN)
			(void)!read(con->wake, &v, sizeof(v));
		for (unsigned int i = 0; i < con->nr_ports; i++)
			if (p[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
				do_rx(con, &con->ports[i]);
	}
	return NULL;
}

/* Returns once the thread has let go of the queues (queue, or all if -1);
 * it stays away until the next kick or DRIVER_OK (serialised with resets
 * by the transport). */
static void console_pause(struct virtio_console *con, int queue)
{
	pthread_mutex_lock(&con->lock);
	con->pause = true;
	con->pause_queue = queue;
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

static void console_reset(struct virtio_dev *vd)
{
	console_pause(to_con(vd), -1);
}

static void console_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	console_pause(to_con(vd), vq->index);
}

static void console_notify(struct virtio_dev *vd, struct virtq *vq)
{
	console_resume(vd);
}

static const struct virtio_device_ops virtio_console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2, /* replaced per instance */
	.queue_max_size = QUEUE_MAX_SIZE,
	.features = (1ULL << VIRTIO_CONSOLE_F_SIZE) |
		    (1ULL << VIRTIO_CONSOLE_F_MULTIPORT),
	.activate = console_activate,
	.reset = console_reset,
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

/* Port i's queues (§5.3.2): 0/1 for port 0, 2N+2/2N+3 for port N. */
static void port_init(struct virtio_console_port *p, unsigned int i,
		      const struct virtio_console_port_options *o)
{
	p->in_fd = o->in_fd;
	p->out_fd = o->out_fd;
	if (o->name) /* length checked by check_options */
		snprintf(p->name, sizeof(p->name), "%s", o->name);
	p->in_open = o->in_fd >= 0;
	p->rxq = (uint16_t)(i ? 2 * i + 2 : 0);
	p->txq = (uint16_t)(p->rxq + 1);
}

static int check_options(const struct virtio_console_options *o)
{
	if (o->nr_ports > VIRTIO_CONSOLE_MAX_PORTS)
		return -EINVAL;
	for (unsigned int i = 0; i < o->nr_ports; i++)
		if (o->ports[i].name &&
		    strlen(o->ports[i].name) > VIRTIO_CONSOLE_NAME_MAX)
			return -EINVAL;
	return 0;
}

/* The ports, the queue count and config space: a console (port 0, SIZE if
 * asked) or a multiport device (max_nr_ports, no SIZE). */
static void setup_ports(struct virtio_console *con,
			const struct virtio_console_options *o)
{
	const struct virtio_console_port_options console = {o->in_fd, o->out_fd,
							    NULL};

	con->ops = virtio_console_ops;
	con->multiport = o->nr_ports > 0;
	con->nr_ports = con->multiport ? o->nr_ports : 1;
	for (unsigned int i = 0; i < con->nr_ports; i++)
		port_init(&con->ports[i], i,
			  con->multiport ? &o->ports[i] : &console);
	if (con->multiport) {
		con->ops.num_queues = (uint16_t)(2 * con->nr_ports + 2);
		con->cfg.max_nr_ports = htole32(con->nr_ports);
	} else {
		con->ops.num_queues = 2;
		con->cfg.cols = htole16(o->cols);
		con->cfg.rows = htole16(o->rows);
	}
}

int virtio_console_create(const struct virtio_console_options *o,
			  const struct gmem *mem, struct virtio_console **out)
{
	struct virtio_console *con;
	uint64_t off = 0;
	int r = check_options(o);

	if (r < 0)
		return r;
	con = calloc(1, sizeof(*con));
	if (!con)
		return -ENOMEM;
	con->wake = -1;
	setup_ports(con, o);
	r = virtio_dev_init(&con->vd, &con->ops, mem, "console");
	if (r < 0)
		goto out_free;
	if (con->multiport || (!o->cols && !o->rows))
		off |= 1ULL << VIRTIO_CONSOLE_F_SIZE;
	if (!con->multiport)
		off |= 1ULL << VIRTIO_CONSOLE_F_MULTIPORT;
	if (o->packed_off)
		off |= 1ULL << VIRTIO_F_RING_PACKED;
	con->vd.features_off = off;
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
