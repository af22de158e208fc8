/* virtio_net: device setup, features, config space, link state and the
 * queue-pair threads (virtio 1.3 §5.1 Network Device).
 *
 * Each queue pair has a thread that serves its receiveq and transmitq
 * (virtio_net_io.c); pair 0's thread also serves the control queue
 * (virtio_net_ctrl.c). A vCPU only wakes a thread (an eventfd) and a reset
 * fences the queues it takes away. Depends on src/virtio and src/kvm.
 */
#include "virtio_net.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/virtio_ids.h>

#include "log.h"
#include "virtio_net_internal.h"

#define F(bit) VIRTIO_NET_BIT(bit)

/* The offload bits a backend may carry end to end (net_backend.h). */
#define OFFLOAD_BITS                                              \
	(F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |      \
	 F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) |  \
	 F(VIRTIO_NET_F_HOST_ECN) | F(VIRTIO_NET_F_GUEST_TSO4) |  \
	 F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_GUEST_ECN) | \
	 F(VIRTIO_NET_F_HOST_UFO) | F(VIRTIO_NET_F_GUEST_UFO))
#define GUEST_OFFLOAD_BITS                                         \
	(F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) | \
	 F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_GUEST_ECN) |  \
	 F(VIRTIO_NET_F_GUEST_UFO))

static struct virtio_net *to_net(struct virtio_dev *vd)
{
	return (struct virtio_net *)vd; /* vd is the first member */
}

/* ---- threads ---- */

static void pair_wake(struct virtio_net_pair *p)
{
	uint64_t one = 1;

	if (write(p->wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("virtio-net: eventfd: %s", strerror(errno));
}

void virtio_net_wake_all(struct virtio_net *net)
{
	for (unsigned int i = 0; i < net->nr_pairs; i++)
		pair_wake(&net->pairs[i]);
}

/* Returns once the thread has let go of the queues in bits; it leaves
 * them alone until unfence (their next kick, or DRIVER_OK). Kicks and
 * resets are serialised by the transport, so no kick slips in between. */
static void fence(struct virtio_net_pair *p, unsigned int bits)
{
	pthread_mutex_lock(&p->lock);
	p->fenced |= bits;
	p->fence_req++;
	pair_wake(p);
	while (p->fence_ack != p->fence_req && !p->exit)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

static void unfence(struct virtio_net_pair *p, unsigned int bits)
{
	pthread_mutex_lock(&p->lock);
	p->fenced &= ~bits;
	pthread_mutex_unlock(&p->lock);
	pair_wake(p);
}

/* The thread's side of fence(). Returns false when it should exit. */
static bool pair_sync(struct virtio_net_pair *p, unsigned int *fenced)
{
	bool go;

	pthread_mutex_lock(&p->lock);
	if (p->fence_ack != p->fence_req) {
		virtio_net_io_drop(p, p->fenced);
		p->fence_ack = p->fence_req;
		pthread_cond_broadcast(&p->cond);
	}
	*fenced = p->fenced;
	go = !p->exit;
	pthread_mutex_unlock(&p->lock);
	return go;
}

/* The thread's poll set: the eventfds always, rx_fd (at PFD_RX) and tx_fd
 * only when it wants them. */
enum { PFD_WAKE, PFD_KICK_RX, PFD_KICK_TX, PFD_RX, PFD_MAX = 5 };

static unsigned int pair_pollfds(struct virtio_net_pair *p, struct pollfd *pfd)
{
	struct net_backend *be = p->net->be;
	unsigned int n = PFD_RX;

	pfd[PFD_WAKE] = (struct pollfd){.fd = p->wake, .events = POLLIN};
	pfd[PFD_KICK_RX] = (struct pollfd){.fd = p->kick_rx, .events = POLLIN};
	pfd[PFD_KICK_TX] = (struct pollfd){.fd = p->kick_tx, .events = POLLIN};
	if (p->want_rx)
		pfd[n++] = (struct pollfd){.fd = be->ops->rx_fd(be, p->idx),
					   .events = POLLIN};
	if (p->want_tx)
		pfd[n++] = (struct pollfd){.fd = be->ops->tx_fd(be, p->idx),
					   .events = POLLOUT};
	return n;
}

static void *pair_main(void *arg)
{
	struct virtio_net_pair *p = arg;
	struct pollfd pfd[PFD_MAX];
	unsigned int fenced, n;
	uint64_t v;

	while (pair_sync(p, &fenced)) {
		p->want_rx = p->want_tx = p->more = false;
		if (p->idx == 0 && !(fenced & VIRTIO_NET_FENCE_CTRL))
			virtio_net_ctrl_run(p->net);
		/* Features are stable while a data queue is unfenced. */
		if ((fenced & VIRTIO_NET_FENCE_ALL) != VIRTIO_NET_FENCE_ALL &&
		    p->idx >= virtio_net_data_pairs(p->net))
			fenced = VIRTIO_NET_FENCE_ALL; /* no such queues */
		if (!(fenced & VIRTIO_NET_FENCE_TX))
			virtio_net_tx_run(p);
		if (!(fenced & VIRTIO_NET_FENCE_RX))
			virtio_net_rx_run(p);
		n = pair_pollfds(p, pfd);
		/* Until a poll says otherwise, a frame may be waiting. */
		p->rx_maybe = true;
		if (poll(pfd, n, p->more ? 0 : -1) < 0)
			continue;
		if (p->want_rx)
			p->rx_maybe = pfd[PFD_RX].revents != 0;
		/* A kick on a fenced queue is only consumed: the queue is
		 * used again once queue_notify or activate unfences it. */
		for (unsigned int i = PFD_WAKE; i < PFD_RX; i++)
			if (pfd[i].revents & POLLIN)
				(void)!read(pfd[i].fd, &v, sizeof(v));
	}
	return NULL;
}

/* ---- virtio_device_ops ---- */

uint16_t virtio_net_ctrl_index(struct virtio_net *net)
{
	/* §5.1.2: N = max_virtqueue_pairs with MQ, else 1; controlq is 2N. */
	if (virtio_has_feature(&net->vd, VIRTIO_NET_F_MQ))
		return (uint16_t)(2 * net->nr_pairs);
	return 2;
}

unsigned int virtio_net_data_pairs(struct virtio_net *net)
{
	return virtio_has_feature(&net->vd, VIRTIO_NET_F_MQ) ? net->nr_pairs
							     : 1;
}

/* The pair that serves queue idx and which of its queues idx is; NULL for
 * a queue the negotiated features leave out (without MQ, those after
 * controlq): nobody serves it. */
static struct virtio_net_pair *queue_pair(struct virtio_net *net, uint16_t idx,
					  unsigned int *bit)
{
	if (idx == virtio_net_ctrl_index(net)) {
		*bit = VIRTIO_NET_FENCE_CTRL;
		return &net->pairs[0];
	}
	if (idx >= 2 * virtio_net_data_pairs(net))
		return NULL;
	*bit = idx % 2 ? VIRTIO_NET_FENCE_TX : VIRTIO_NET_FENCE_RX;
	return &net->pairs[idx / 2];
}

static int net_activate(struct virtio_dev *vd)
{
	struct virtio_net *net = to_net(vd);
	struct net_backend *be = net->be;
	int r = 0;

	__atomic_store_n(&net->curr_pairs, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&net->filter_lock);
	net->filter.vlan_filter =
		virtio_has_feature(vd, VIRTIO_NET_F_CTRL_VLAN);
	pthread_mutex_unlock(&net->filter_lock);
	if (be->ops->set_rx_offloads)
		r = be->ops->set_rx_offloads(be,
					     vd->features & GUEST_OFFLOAD_BITS);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < net->nr_pairs; i++)
		unfence(&net->pairs[i], VIRTIO_NET_FENCE_ALL);
	return 0;
}

static void net_reset(struct virtio_dev *vd)
{
	struct virtio_net *net = to_net(vd);
	struct net_backend *be = net->be;
	uint8_t mac[6];

	for (unsigned int i = 0; i < net->nr_pairs; i++)
		fence(&net->pairs[i], VIRTIO_NET_FENCE_ALL);
	if (be->ops->set_rx_offloads)
		be->ops->set_rx_offloads(be, 0);
	__atomic_store_n(&net->curr_pairs, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&vd->config_lock);
	memcpy(mac, net->cfg.mac, 6);
	pthread_mutex_unlock(&vd->config_lock);
	pthread_mutex_lock(&net->filter_lock);
	virtio_net_filter_reset(&net->filter, mac);
	pthread_mutex_unlock(&net->filter_lock);
	/* An announcement the driver never acked dies with it. */
	virtio_net_status_update(net, 0, VIRTIO_NET_S_ANNOUNCE);
}

static void net_queue_reset(struct virtio_dev *vd, struct virtq *vq)
{
	unsigned int bit;
	struct virtio_net_pair *p = queue_pair(to_net(vd), vq->index, &bit);

	if (p)
		fence(p, bit);
}

/* Kicks of pair i's receiveq and transmitq go straight to its thread.
 * Queue 2 is controlq unless MQ is negotiated, which the transport cannot
 * know when it binds kicks: it keeps the ordinary path (queue_notify), as
 * controlq does. */
static int net_queue_kick_fd(struct virtio_dev *vd, uint16_t idx)
{
	struct virtio_net *net = to_net(vd);

	if (idx >= 2 * net->nr_pairs || idx == 2)
		return -1;
	return idx % 2 ? net->pairs[idx / 2].kick_tx
		       : net->pairs[idx / 2].kick_rx;
}

static void net_queue_notify(struct virtio_dev *vd, struct virtq *vq)
{
	unsigned int bit;
	struct virtio_net_pair *p = queue_pair(to_net(vd), vq->index, &bit);

	if (p)
		unfence(p, bit);
}

/* §5.1.3.1 Feature bit requirements: each bit needs all of these. */
static const struct {
	unsigned int bit;
	uint64_t needs_all, needs_one;
} feature_deps[] = {
	{VIRTIO_NET_F_GUEST_TSO4, F(VIRTIO_NET_F_GUEST_CSUM), 0},
	{VIRTIO_NET_F_GUEST_TSO6, F(VIRTIO_NET_F_GUEST_CSUM), 0},
	{VIRTIO_NET_F_GUEST_UFO, F(VIRTIO_NET_F_GUEST_CSUM), 0},
	{VIRTIO_NET_F_GUEST_ECN, 0,
	 F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6)},
	{VIRTIO_NET_F_HOST_TSO4, F(VIRTIO_NET_F_CSUM), 0},
	{VIRTIO_NET_F_HOST_TSO6, F(VIRTIO_NET_F_CSUM), 0},
	{VIRTIO_NET_F_HOST_UFO, F(VIRTIO_NET_F_CSUM), 0},
	{VIRTIO_NET_F_HOST_ECN, 0,
	 F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6)},
	{VIRTIO_NET_F_CTRL_RX, F(VIRTIO_NET_F_CTRL_VQ), 0},
	{VIRTIO_NET_F_CTRL_VLAN, F(VIRTIO_NET_F_CTRL_VQ), 0},
	{VIRTIO_NET_F_GUEST_ANNOUNCE, F(VIRTIO_NET_F_CTRL_VQ), 0},
	{VIRTIO_NET_F_MQ, F(VIRTIO_NET_F_CTRL_VQ), 0},
	{VIRTIO_NET_F_CTRL_MAC_ADDR, F(VIRTIO_NET_F_CTRL_VQ), 0},
	{VIRTIO_NET_F_CTRL_RX_EXTRA, F(VIRTIO_NET_F_CTRL_RX), 0},
};

static int net_features_ok(struct virtio_dev *vd, uint64_t f)
{
	for (size_t i = 0; i < sizeof(feature_deps) / sizeof(*feature_deps);
	     i++) {
		if (!(f & F(feature_deps[i].bit)))
			continue;
		if ((f & feature_deps[i].needs_all) !=
		    feature_deps[i].needs_all)
			return -EINVAL;
		if (feature_deps[i].needs_one &&
		    !(f & feature_deps[i].needs_one))
			return -EINVAL;
	}
	return 0;
}

static const struct virtio_device_ops virtio_net_ops = {
	.device_id = VIRTIO_ID_NET,
	.num_queues = 3, /* replaced per instance */
	.queue_max_size = VIRTIO_NET_QUEUE_MAX_SIZE,
	.features = F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |
		    F(VIRTIO_NET_F_MTU) | F(VIRTIO_NET_F_MRG_RXBUF) |
		    F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_RX) |
		    F(VIRTIO_NET_F_CTRL_VLAN) | F(VIRTIO_NET_F_CTRL_RX_EXTRA) |
		    F(VIRTIO_NET_F_GUEST_ANNOUNCE) |
		    F(VIRTIO_NET_F_CTRL_MAC_ADDR) | F(VIRTIO_NET_F_MQ) |
		    F(VIRTIO_NET_F_SPEED_DUPLEX),
	.activate = net_activate,
	.reset = net_reset,
	.queue_notify = net_queue_notify,
	.queue_reset = net_queue_reset,
	.features_ok = net_features_ok,
	.queue_kick_fd = net_queue_kick_fd,
};

/* ---- status and link ---- */

/* With status_lock held. */
static void status_update_locked(struct virtio_net *net, uint16_t set,
				 uint16_t clear)
{
	uint16_t s = (uint16_t)((le16toh(net->cfg.status) | set) & ~clear);

	s = htole16(s);
	virtio_config_update(&net->vd,
			     offsetof(struct virtio_net_config, status), &s,
			     sizeof(s));
}

void virtio_net_status_update(struct virtio_net *net, uint16_t set,
			      uint16_t clear)
{
	pthread_mutex_lock(&net->status_lock);
	status_update_locked(net, set, clear);
	pthread_mutex_unlock(&net->status_lock);
}

int virtio_net_set_link(struct virtio_net *net, bool up)
{
	uint16_t set = 0, clear = VIRTIO_NET_S_LINK_UP;

	pthread_mutex_lock(&net->status_lock);
	if (net->link_up == up) {
		pthread_mutex_unlock(&net->status_lock);
		return -EALREADY;
	}
	__atomic_store_n(&net->link_up, up, __ATOMIC_RELEASE);
	if (up) {
		set = VIRTIO_NET_S_LINK_UP;
		clear = 0;
		/* §5.1.6.5.4: a link that comes back may be somewhere new;
		 * ask the driver to announce itself (gratuitous ARP). */
		if (virtio_has_feature(&net->vd, VIRTIO_NET_F_GUEST_ANNOUNCE) &&
		    (virtio_get_status(&net->vd) & VIRTIO_CONFIG_S_DRIVER_OK))
			set |= VIRTIO_NET_S_ANNOUNCE;
	}
	status_update_locked(net, set, clear);
	pthread_mutex_unlock(&net->status_lock);
	virtio_net_wake_all(net);
	return 0;
}

void virtio_net_get_stats(struct virtio_net *net, struct virtio_net_stats *s)
{
	uint64_t *dst = (uint64_t *)s, *src = (uint64_t *)&net->stats;

	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* ---- creation ---- */

static int check_options(const struct virtio_net_options *o)
{
	const struct net_backend *be = o->be;
	uint16_t host_mtu;

	if (!be || !be->ops || be->queues < 1 ||
	    be->queues > VIRTIO_NET_MAX_QUEUE_PAIRS)
		return -EINVAL;
	if (be->offloads & ~(uint64_t)OFFLOAD_BITS ||
	    (!be->vnet_hdr && be->offloads))
		return -EINVAL;
	host_mtu = be->mtu ? be->mtu : 1500;
	if (o->mtu && (o->mtu < 68 || o->mtu > host_mtu))
		return -EINVAL;
	return 0;
}

static void fill_config(struct virtio_net *net,
			const struct virtio_net_options *o)
{
	struct virtio_net_config *c = &net->cfg;

	memcpy(c->mac, o->mac, 6);
	c->status = htole16(VIRTIO_NET_S_LINK_UP);
	c->max_virtqueue_pairs = htole16((uint16_t)net->nr_pairs);
	c->mtu = htole16(o->mtu);
	c->speed = htole32(o->speed ? o->speed : 10000);
	c->duplex = 1; /* full */
	net->link_up = true;
	virtio_net_filter_reset(&net->filter, o->mac);
}

static int setup_device(struct virtio_net *net,
			const struct virtio_net_options *o,
			const struct gmem *mem)
{
	uint64_t off = 0;
	int r;

	net->ops = virtio_net_ops;
	net->ops.num_queues = (uint16_t)(2 * net->nr_pairs + 1);
	net->ops.features |= net->be->offloads;
	r = virtio_dev_init(&net->vd, &net->ops, mem, "net");
	if (r < 0)
		return r;
	if (!o->mtu)
		off |= F(VIRTIO_NET_F_MTU);
	if (net->nr_pairs == 1)
		off |= F(VIRTIO_NET_F_MQ);
	if (o->packed_off)
		off |= F(VIRTIO_F_RING_PACKED);
	net->vd.features_off = off;
	fill_config(net, o);
	net->vd.config = &net->cfg;
	net->vd.config_len = sizeof(net->cfg);
	return 0;
}

static int pair_start(struct virtio_net *net, unsigned int i)
{
	struct virtio_net_pair *p = &net->pairs[i];
	int r;

	p->net = net;
	p->idx = i;
	p->rxq = virtio_queue(&net->vd, (uint16_t)(2 * i));
	p->txq = virtio_queue(&net->vd, (uint16_t)(2 * i + 1));
	p->fenced = VIRTIO_NET_FENCE_ALL; /* nothing before DRIVER_OK */
	p->rx_maybe = true;
	p->held = calloc(VIRTIO_NET_QUEUE_MAX_SIZE, sizeof(*p->held));
	p->bounce = malloc(VIRTIO_NET_HDR_LEN + NET_BACKEND_MAX_FRAME);
	if (!p->held || !p->bounce)
		return -ENOMEM;
	p->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->kick_rx = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->kick_tx = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->wake < 0 || p->kick_rx < 0 || p->kick_tx < 0)
		return -errno;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	r = pthread_create(&p->thread, NULL, pair_main, p);
	if (r)
		return -r;
	p->started = true;
	return 0;
}

static void pair_stop(struct virtio_net_pair *p)
{
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->exit = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		pair_wake(p);
		pthread_join(p->thread, NULL);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	if (p->wake >= 0)
		close(p->wake);
	if (p->kick_rx >= 0)
		close(p->kick_rx);
	if (p->kick_tx >= 0)
		close(p->kick_tx);
	free(p->held);
	free(p->bounce);
}

int virtio_net_create(const struct virtio_net_options *o,
		      const struct gmem *mem, struct virtio_net **out)
{
	struct virtio_net *net;
	int r = check_options(o);

	if (r < 0)
		return r;
	net = calloc(1, sizeof(*net));
	if (!net)
		return -ENOMEM;
	net->be = o->be;
	net->nr_pairs = o->be->queues;
	net->curr_pairs = 1;
	pthread_mutex_init(&net->status_lock, NULL);
	pthread_mutex_init(&net->filter_lock, NULL);
	for (unsigned int i = 0; i < VIRTIO_NET_MAX_QUEUE_PAIRS; i++)
		net->pairs[i].wake = net->pairs[i].kick_rx =
			net->pairs[i].kick_tx = -1;
	r = setup_device(net, o, mem);
	if (r < 0)
		goto out_free;
	for (unsigned int i = 0; i < net->nr_pairs; i++) {
		r = pair_start(net, i);
		if (r < 0)
			goto out_free;
	}
	*out = net;
	return 0;
out_free:
	virtio_net_destroy(net);
	return r;
}

void virtio_net_destroy(struct virtio_net *net)
{
	if (!net)
		return;
	for (unsigned int i = 0; i < net->nr_pairs; i++)
		pair_stop(&net->pairs[i]);
	virtio_dev_destroy(&net->vd);
	pthread_mutex_destroy(&net->status_lock);
	pthread_mutex_destroy(&net->filter_lock);
	free(net);
}

struct virtio_dev *virtio_net_vdev(struct virtio_net *net)
{
	return &net->vd;
}
