/* virtio_vsock: the socket device and its thread (virtio 1.3 §5.10;
 * queues §5.10.2, config §5.10.4, reset §5.10.6).
 *
 * One thread does all the work: it polls the listener, every connection's
 * Unix socket and an eventfd the vCPUs kick, handles the transmitq and
 * fills the receiveq. The eventq is never used: the guest CID never
 * changes, so there is no TRANSPORT_RESET to send (docs/virtio-vsock.md).
 * Depends on src/virtio and src/kvm.
 */
#include "virtio_vsock.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_ids.h>

#include "log.h"
#include "virtio_vsock_internal.h"

#define QUEUE_MAX_SIZE 256

static struct virtio_vsock *to_vs(struct virtio_dev *vd)
{
	return (struct virtio_vsock *)vd;
}

static void wake(struct virtio_vsock *vs)
{
	uint64_t one = 1;

	if (write(vs->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("virtio-vsock: eventfd: %s", strerror(errno));
}

/* Waits while a reset holds the queues; a device reset ends every
 * connection (§5.10.6: the guest's sockets are gone with its driver).
 * Returns false on exit. */
static bool check_pause(struct virtio_vsock *vs)
{
	bool go;

	pthread_mutex_lock(&vs->lock);
	if (vs->pause) {
		if (vs->pause_queue < 0)
			vsock_conn_drop_all(vs);
		else if (vs->pause_queue == VSOCK_RXQ)
			vs->rx_held = false; /* the queue reset took it */
		vs->paused = true;
		pthread_cond_broadcast(&vs->cond);
		while (vs->pause && !vs->exit)
			pthread_cond_wait(&vs->cond, &vs->lock);
		vs->paused = false;
	}
	go = !vs->exit;
	pthread_mutex_unlock(&vs->lock);
	return go;
}

/* What to wait for on c's socket; -1 for nothing. */
static short conn_events(struct virtio_vsock *vs, struct vsock_conn *c)
{
	uint32_t need = c->need_credit ? c->need_credit : 1;
	short ev = 0;

	if (c->hup || c->state == VSOCK_DEAD)
		return -1;
	if (c->state == VSOCK_HANDSHAKE)
		return POLLIN;
	if (c->state != VSOCK_ESTABLISHED)
		return 0; /* HUP only: the program gave up waiting */
	if ((vs->rx_held || !vs->rx_starved) && !c->host_eof &&
	    !(c->guest_shut & VIRTIO_VSOCK_SHUTDOWN_RCV) &&
	    vsock_conn_credit(c) >= need)
		ev |= POLLIN;
	if (c->len)
		ev |= POLLOUT;
	return ev;
}

static unsigned int build_poll(struct virtio_vsock *vs)
{
	unsigned int n = 2;
	short ev;

	vs->pfd[0] = (struct pollfd){.fd = vs->wake, .events = POLLIN};
	vs->pfd[1] = (struct pollfd){.fd = vs->listen_fd, .events = POLLIN};
	for (unsigned int i = 0; i < vs->nr_conns; i++) {
		ev = conn_events(vs, vs->conns[i]);
		if (ev < 0)
			continue;
		vs->pconn[n] = vs->conns[i];
		vs->pfd[n++] =
			(struct pollfd){.fd = vs->conns[i]->fd, .events = ev};
	}
	return n;
}

/* What poll said about one connection's socket. */
static void conn_ready(struct virtio_vsock *vs, struct vsock_conn *c, short rev)
{
	if (c->state == VSOCK_DEAD)
		return;
	if (rev & (POLLHUP | POLLERR))
		c->hup = true;
	if (c->state == VSOCK_HANDSHAKE) {
		if (rev)
			vsock_host_handshake(vs, c);
		return;
	}
	if (c->state == VSOCK_REQUESTED) {
		if (c->hup) /* the program left before the guest answered */
			vsock_conn_close(vs, c, true);
		return;
	}
	if (rev & (POLLIN | POLLHUP | POLLERR))
		c->in_ready = true;
	if (rev & (POLLOUT | POLLHUP | POLLERR))
		vsock_conn_flush(vs, c);
}

static void serve(struct virtio_vsock *vs)
{
	vsock_tx_run(vs);
	vsock_rx_run(vs);
	vsock_conn_sweep(vs);
}

static void *vsock_main(void *arg)
{
	struct virtio_vsock *vs = arg;
	unsigned int n;
	uint64_t v;

	while (check_pause(vs)) {
		serve(vs);
		n = build_poll(vs);
		if (poll(vs->pfd, n, -1) <= 0)
			continue;
		if (vs->pfd[0].revents & POLLIN)
			(void)!read(vs->wake, &v, sizeof(v));
		for (unsigned int i = 2; i < n; i++)
			if (vs->pfd[i].revents)
				conn_ready(vs, vs->pconn[i],
					   vs->pfd[i].revents);
		if (vs->pfd[1].revents & POLLIN)
			vsock_host_accept(vs);
	}
	return NULL;
}

/* Returns once the thread has let go of the queues (queue, or all if -1);
 * it stays away until the next kick or DRIVER_OK. */
static void vsock_pause(struct virtio_vsock *vs, int queue)
{
	pthread_mutex_lock(&vs->lock);
	vs->pause = true;
	vs->pause_queue = queue;
	wake(vs);
	while (!vs->paused)
		pthread_cond_wait(&vs->cond, &vs->lock);
	pthread_mutex_unlock(&vs->lock);
}

static void vsock_resume(struct virtio_dev *vd)
{
	struct virtio_vsock *vs = to_vs(vd);

	pthread_mutex_lock(&vs->lock);
	vs->pause = false;
	pthread_cond_broadcast(&vs->cond);
	pthread_mutex_unlock(&vs->lock);
	wake(vs);
}

static int vsock_activate(struct virtio_dev *vd)
{
	vsock_resume(vd);
	return 0;
}

static void vsock_reset(struct virtio_dev *vd)
{
	vsock_pause(to_vs(vd), -1);
}

static void vsock_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	vsock_pause(to_vs(vd), vq->index);
}

static void vsock_notify(struct virtio_dev *vd, struct virtq *vq)
{
	vsock_resume(vd);
}

static const struct virtio_device_ops virtio_vsock_ops = {
	.device_id = VIRTIO_ID_VSOCK,
	.num_queues = 3,
	.queue_max_size = QUEUE_MAX_SIZE,
	.features = 1ULL << VIRTIO_VSOCK_F_SEQPACKET,
	.activate = vsock_activate,
	.reset = vsock_reset,
	.queue_notify = vsock_notify,
	.queue_reset = vsock_queue_reset,
};

static int start_thread(struct virtio_vsock *vs)
{
	int r;

	vs->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vs->wake < 0)
		return -errno;
	pthread_mutex_init(&vs->lock, NULL);
	pthread_cond_init(&vs->cond, NULL);
	vs->pause = true; /* nothing to do before DRIVER_OK */
	vs->pause_queue = -1;
	r = pthread_create(&vs->thread, NULL, vsock_main, vs);
	if (r)
		return -r;
	vs->started = true;
	return 0;
}

/* §5.10.4: 0, 1 and 2 are reserved and 2^32 - 1 means "any". The path
 * must leave room for "_<port>" in sun_path. */
static int check_options(const struct virtio_vsock_options *o, char *err,
			 size_t err_len)
{
	size_t max = sizeof(((struct virtio_vsock *)0)->uds_path) - 1;

	if (o->guest_cid < VIRTIO_VSOCK_MIN_GUEST_CID) {
		snprintf(err, err_len, "vsock cid=%llu: below %d",
			 (unsigned long long)o->guest_cid,
			 VIRTIO_VSOCK_MIN_GUEST_CID);
		return -EINVAL;
	}
	if (o->guest_cid >= UINT32_MAX) {
		snprintf(err, err_len, "vsock cid=%llu: not below %u",
			 (unsigned long long)o->guest_cid, UINT32_MAX);
		return -EINVAL;
	}
	if (!o->uds_path || !o->uds_path[0]) {
		snprintf(err, err_len, "vsock: uds= missing");
		return -EINVAL;
	}
	if (strlen(o->uds_path) > max) {
		snprintf(err, err_len, "vsock uds=%s: longer than %zu bytes",
			 o->uds_path, max);
		return -ENAMETOOLONG;
	}
	return 0;
}

int virtio_vsock_create(const struct virtio_vsock_options *o,
			const struct gmem *mem, struct virtio_vsock **out,
			char *err, size_t err_len)
{
	struct virtio_vsock *vs;
	int r = check_options(o, err, err_len);

	if (r < 0)
		return r;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	vs->wake = vs->listen_fd = -1;
	snprintf(vs->uds_path, sizeof(vs->uds_path), "%s", o->uds_path);
	vs->guest_cid = (uint32_t)o->guest_cid;
	vs->cfg.guest_cid = htole64(o->guest_cid);
	vs->next_host_port = VSOCK_HOST_PORT0;
	r = virtio_dev_init(&vs->vd, &virtio_vsock_ops, mem, "vsock");
	if (r < 0)
		goto out_free;
	if (o->packed_off)
		vs->vd.features_off = 1ULL << VIRTIO_F_RING_PACKED;
	vs->vd.config = &vs->cfg;
	vs->vd.config_len = sizeof(vs->cfg);
	r = vsock_host_listen(vs, err, err_len);
	if (r < 0)
		goto out_free;
	r = start_thread(vs);
	if (r < 0) {
		snprintf(err, err_len, "vsock: thread: %s", strerror(-r));
		goto out_free;
	}
	*out = vs;
	return 0;
out_free:
	virtio_vsock_destroy(vs);
	return r;
}

void virtio_vsock_destroy(struct virtio_vsock *vs)
{
	if (!vs)
		return;
	if (vs->started) {
		pthread_mutex_lock(&vs->lock);
		vs->exit = true;
		pthread_cond_broadcast(&vs->cond);
		pthread_mutex_unlock(&vs->lock);
		wake(vs);
		pthread_join(vs->thread, NULL);
		pthread_mutex_destroy(&vs->lock);
		pthread_cond_destroy(&vs->cond);
	}
	vsock_conn_drop_all(vs);
	if (vs->listen_fd >= 0)
		close(vs->listen_fd);
	if (vs->bound)
		unlink(vs->uds_path);
	if (vs->wake >= 0)
		close(vs->wake);
	virtio_dev_destroy(&vs->vd);
	free(vs);
}

struct virtio_dev *virtio_vsock_vdev(struct virtio_vsock *vs)
{
	return &vs->vd;
}
