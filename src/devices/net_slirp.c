/* net_slirp: user-mode networking (libslirp 4.7) as a net_backend.
 *
 * libslirp is a TCP/IP stack in a library: it takes the guest's Ethernet
 * frames (slirp_input) and turns them into host sockets, and emits frames
 * for the guest through our send_packet callback. It is not thread-safe,
 * so every call into it holds s->lock. Its sockets and timers run on our
 * own thread; frames for the guest wait in a bounded queue that rx_fd
 * announces. Depends on libslirp (and the glib it loads, for one log
 * handler) and src/kvm/log.h.
 */
#include "net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libslirp.h>

#include "log.h"
#include "net_slirp_internal.h"

#define SLIRP_MTU_DEFAULT 1500
#define NSEC_PER_MSEC	  1000000LL

/* A libslirp timer; expire_ms < 0 when it is not armed. */
struct slirp_timer {
	struct slirp_timer *next;
	SlirpTimerId id; /* timer_new_opaque timers */
	SlirpTimerCb cb; /* timer_new timers (NULL otherwise) */
	void *cb_opaque;
	int64_t expire_ms;
};

static struct net_slirp *to_slirp(struct net_backend *be)
{
	return (struct net_slirp *)be;
}

static void slirp_wake(struct net_slirp *s)
{
	uint64_t one = 1;

	/* Only EAGAIN (counter full, so already readable) can fail. */
	if (write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("net user: wake: %s", strerror(errno));
}

/* ---- libslirp callbacks (all run with s->lock held) ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *s = opaque;

	if (len > NET_BACKEND_MAX_FRAME)
		return -1;
	pthread_mutex_lock(&s->rxq_lock);
	net_slirp_rxq_push(s, buf, len);
	pthread_mutex_unlock(&s->rxq_lock);
	/* A dropped frame is still "sent": the network is lossy and TCP
	 * retransmits; an error here would only make libslirp log. */
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	log_guest("net user: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return net_slirp_now_ns();
}

static struct slirp_timer *timer_alloc(struct net_slirp *s)
{
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL; /* libslirp treats NULL as "no timer" */
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct slirp_timer *t = timer_alloc(opaque);

	if (t) {
		t->id = id;
		t->cb_opaque = cb_opaque;
	}
	return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_timer *t = timer_alloc(opaque);

	if (t) {
		t->cb = cb;
		t->cb_opaque = cb_opaque;
	}
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer **pp;

	for (pp = &s->timers; *pp; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = ((struct slirp_timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	((struct slirp_timer *)timer)->expire_ms = expire_ms;
	/* The thread may be asleep with a longer timeout. */
	slirp_wake(opaque);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	/* slirp_pollfds_fill hands us every fd each round. */
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
	slirp_wake(opaque);
}

static const SlirpCb slirp_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the backend thread: libslirp's sockets and timers ---- */

static int slirp_poll_events(int events)
{
	return ((events & SLIRP_POLL_IN) ? POLLIN : 0) |
	       ((events & SLIRP_POLL_OUT) ? POLLOUT : 0) |
	       ((events & SLIRP_POLL_PRI) ? POLLPRI : 0);
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;

	if (s->nr_pfd == s->cap_pfd) {
		unsigned int cap = s->cap_pfd * 2;
		struct pollfd *p = realloc(s->pfd, cap * sizeof(*p));

		if (!p)
			return -1; /* libslirp skips the fd this round */
		s->pfd = p;
		s->cap_pfd = cap;
	}
	s->pfd[s->nr_pfd].fd = fd;
	s->pfd[s->nr_pfd].events = (short)slirp_poll_events(events);
	s->pfd[s->nr_pfd].revents = 0;
	return (int)s->nr_pfd++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;
	short r;

	/* idx 0 is our wake_fd, never handed to libslirp. */
	if (idx <= 0 || (unsigned int)idx >= s->nr_pfd)
		return 0;
	r = s->pfd[idx].revents;
	return ((r & POLLIN) ? SLIRP_POLL_IN : 0) |
	       ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) |
	       ((r & (POLLERR | POLLNVAL)) ? SLIRP_POLL_ERR : 0) |
	       ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

/* Milliseconds to the earliest armed timer, capped by cap_ms. */
static uint32_t timers_timeout(struct net_slirp *s, uint32_t cap_ms)
{
	int64_t now_ms = net_slirp_now_ns() / NSEC_PER_MSEC;
	struct slirp_timer *t;

	for (t = s->timers; t; t = t->next) {
		if (t->expire_ms < 0)
			continue;
		if (t->expire_ms <= now_ms)
			return 0;
		if (t->expire_ms - now_ms < cap_ms)
			cap_ms = (uint32_t)(t->expire_ms - now_ms);
	}
	return cap_ms;
}

/* Fires every expired timer. A callback may arm, disarm or free timers,
 * so the walk restarts after each one. */
static void timers_run(struct net_slirp *s)
{
	int64_t now_ms = net_slirp_now_ns() / NSEC_PER_MSEC;
	struct slirp_timer *t;

again:
	for (t = s->timers; t; t = t->next) {
		if (t->expire_ms < 0 || t->expire_ms > now_ms)
			continue;
		t->expire_ms = -1;
		if (t->cb)
			t->cb(t->cb_opaque);
		else
			slirp_handle_timer(s->slirp, t->id, t->cb_opaque);
		goto again;
	}
}

static void slirp_drain_wake(struct net_slirp *s)
{
	uint64_t cnt;

	if (s->pfd[0].revents & POLLIN)
		(void)!read(s->wake_fd, &cnt, sizeof(cnt));
}

static void *slirp_thread(void *arg)
{
	struct net_slirp *s = arg;
	uint32_t timeout;
	int n;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		s->nr_pfd = 1; /* slot 0: wake_fd, set up in create */
		timeout = UINT32_MAX;
		slirp_pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
		timeout = timers_timeout(s, timeout);
		pthread_mutex_unlock(&s->lock);

		n = poll(s->pfd, s->nr_pfd,
			 timeout == UINT32_MAX ? -1 : (int)timeout);
		if (n < 0 && errno != EINTR)
			log_warn("net user: poll: %s", strerror(errno));
		slirp_drain_wake(s);

		pthread_mutex_lock(&s->lock);
		if (s->stop)
			break;
		slirp_pollfds_poll(s->slirp, n < 0, cb_get_revents, s);
		timers_run(s);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* libslirp reads its clock only in slirp_pollfds_poll, and stamps a new
 * UDP socket's expiry from the last reading: a frame arriving before the
 * thread's first round would make a socket that expired at time 0, closed
 * at once. One empty round (no fd has events: cb_add_poll zeroed them)
 * before anyone can send sets the clock. */
static void slirp_prime_clock(struct net_slirp *s)
{
	uint32_t timeout = UINT32_MAX;

	s->nr_pfd = 1;
	slirp_pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
	slirp_pollfds_poll(s->slirp, 0, cb_get_revents, s);
}

/* ---- the net_backend operations ---- */

static int slirp_send(struct net_backend *be, unsigned int queue,
		      const struct iovec *iov, unsigned int n)
{
	struct net_slirp *s = to_slirp(be);
	const uint8_t *pkt;
	size_t len = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (iov[i].iov_len > NET_BACKEND_MAX_FRAME - len)
			return -EMSGSIZE;
		len += iov[i].iov_len;
	}
	if (n == 1) {
		pkt = iov[0].iov_base;
	} else {
		/* Calls for one queue pair come from one thread: tx_buf is
		 * ours until we return. */
		len = 0;
		for (unsigned int i = 0; i < n; i++) {
			memcpy(s->tx_buf + len, iov[i].iov_base,
			       iov[i].iov_len);
			len += iov[i].iov_len;
		}
		pkt = s->tx_buf;
	}
	pthread_mutex_lock(&s->lock);
	slirp_input(s->slirp, pkt, (int)len);
	pthread_mutex_unlock(&s->lock);
	/* The frame may have opened a socket, or left data for one, that
	 * the thread must now poll: slirp_send_done wakes it, once for the
	 * whole batch (a wake per frame costs the thread a round each). */
	s->sent = true;
	return 0;
}

static void slirp_send_done(struct net_backend *be, unsigned int queue)
{
	struct net_slirp *s = to_slirp(be);

	if (s->sent) {
		s->sent = false;
		slirp_wake(s);
	}
}

static ssize_t slirp_recv(struct net_backend *be, unsigned int queue,
			  const struct iovec *iov, unsigned int n)
{
	struct net_slirp *s = to_slirp(be);
	struct slirp_frame *f;
	size_t room = 0, off = 0;

	pthread_mutex_lock(&s->rxq_lock);
	f = net_slirp_rxq_pop(s);
	pthread_mutex_unlock(&s->rxq_lock);
	if (!f)
		return 0;
	for (unsigned int i = 0; i < n && room < f->len; i++)
		room += iov[i].iov_len;
	if (room < f->len) {
		free(f);
		return -EMSGSIZE;
	}
	for (unsigned int i = 0; off < f->len; i++) {
		size_t chunk = iov[i].iov_len < f->len - off ? iov[i].iov_len
							     : f->len - off;

		memcpy(iov[i].iov_base, f->data + off, chunk);
		off += chunk;
	}
	free(f);
	return (ssize_t)off;
}

static int slirp_rx_fd(struct net_backend *be, unsigned int queue)
{
	return to_slirp(be)->rx_fd;
}

static int slirp_tx_fd(struct net_backend *be, unsigned int queue)
{
	return -1; /* send never returns -EAGAIN */
}

static void slirp_destroy(struct net_backend *be)
{
	struct net_slirp *s = to_slirp(be);

	if (s->thread_started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		slirp_wake(s);
		pthread_join(s->thread, NULL);
	}
	/* slirp_cleanup frees its timers through cb_timer_free. */
	if (s->slirp)
		slirp_cleanup(s->slirp);
	while (s->timers)
		cb_timer_free(s->timers, s);
	net_slirp_rxq_free_all(s);
	close(s->rx_fd);
	close(s->wake_fd);
	pthread_mutex_destroy(&s->rxq_lock);
	pthread_mutex_destroy(&s->lock);
	free(s->pfd);
	free(s);
}

static const struct net_backend_ops slirp_ops = {
	.send = slirp_send,
	.send_done = slirp_send_done,
	.recv = slirp_recv,
	.rx_fd = slirp_rx_fd,
	.tx_fd = slirp_tx_fd,
	.set_rx_offloads = NULL, /* no vnet header: no receive offloads */
	.destroy = slirp_destroy,
};

/* ---- creation ---- */

static void slirp_config(const struct net_slirp_options *o, SlirpConfig *c)
{
	memset(c, 0, sizeof(*c));
	c->version = 4;
	c->restricted = 0;
	c->in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &c->vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &c->vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &c->vhost);
	inet_pton(AF_INET, "10.0.2.15", &c->vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &c->vnameserver);
	c->in6_enabled = true;
	inet_pton(AF_INET6, "fec0::", &c->vprefix_addr6);
	c->vprefix_len = 64;
	inet_pton(AF_INET6, "fec0::2", &c->vhost6);
	inet_pton(AF_INET6, "fec0::3", &c->vnameserver6);
	c->if_mtu = o->mtu ? o->mtu : SLIRP_MTU_DEFAULT;
	c->if_mru = c->if_mtu;
}

static int slirp_alloc(const struct net_slirp_options *o,
		       struct net_slirp **out)
{
	struct net_slirp *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->rxq_lock, NULL);
	s->rx_fd = -1;
	*out = s;
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->wake_fd < 0)
		return -errno;
	s->rx_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->rx_fd < 0)
		return -errno;
	s->cap_pfd = 16;
	s->pfd = calloc(s->cap_pfd, sizeof(*s->pfd));
	if (!s->pfd)
		return -ENOMEM;
	s->pfd[0].fd = s->wake_fd;
	s->pfd[0].events = POLLIN;
	s->be.ops = &slirp_ops;
	s->be.kind = "user";
	s->be.queues = 1;
	s->be.vnet_hdr = false;
	s->be.offloads = 0;
	s->be.mtu = o->mtu ? o->mtu : SLIRP_MTU_DEFAULT;
	return 0;
}

int net_slirp_create(const struct net_slirp_options *o,
		     struct net_backend **out, char *err, size_t err_len)
{
	struct net_slirp *s = NULL;
	SlirpConfig cfg;
	int ret;

	if (o->nr_fwd > NET_SLIRP_MAX_FWD) {
		snprintf(err, err_len, "net user: more than %d hostfwd rules",
			 NET_SLIRP_MAX_FWD);
		return -EINVAL;
	}
	/* libslirp's own bounds (IF_MTU_MIN, IF_MTU_MAX). */
	if (o->mtu && (o->mtu < 68 || o->mtu > 65521)) {
		snprintf(err, err_len, "net user: mtu %u not in 68..65521",
			 o->mtu);
		return -EINVAL;
	}
	ret = slirp_alloc(o, &s);
	if (ret < 0) {
		snprintf(err, err_len, "net user: %s", strerror(-ret));
		goto out_free;
	}
	net_slirp_route_glib_log();
	slirp_config(o, &cfg);
	s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
	if (!s->slirp) {
		snprintf(err, err_len, "net user: libslirp refused to start");
		ret = -EINVAL;
		goto out_free;
	}
	ret = net_slirp_add_fwds(s->slirp, o, err, err_len);
	if (ret < 0)
		goto out_free;
	slirp_prime_clock(s);
	ret = -pthread_create(&s->thread, NULL, slirp_thread, s);
	if (ret < 0) {
		snprintf(err, err_len, "net user: thread: %s", strerror(-ret));
		goto out_free;
	}
	s->thread_started = true;
	*out = &s->be;
	return 0;

out_free:
	if (s)
		slirp_destroy(&s->be);
	return ret;
}
