/* net_slirp_rxq: the slirp backend's bounded queue of frames for the
 * guest (see net_slirp_internal.h), and the clock the backend shares.
 * libslirp emits frames whenever its thread runs; the virtio-net device
 * takes them when the guest has posted buffers. Depends on src/kvm/log.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "net_slirp_internal.h"

int64_t net_slirp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void rxq_log_drop(struct net_slirp *s)
{
	int64_t now = net_slirp_now_ns();

	if (now - s->last_drop_log_ns < 1000000000LL)
		return;
	s->last_drop_log_ns = now;
	log_warn("net user: guest is not receiving: %llu frames dropped so far",
		 (unsigned long long)s->drops);
}

/* Queues a copy of one frame; drops it (counted) when the queue is full.
 * Called with rxq_lock held. */
void net_slirp_rxq_push(struct net_slirp *s, const void *buf, size_t len)
{
	struct slirp_frame *f = NULL;
	uint64_t one = 1;

	if (s->nr_frames < NET_SLIRP_RXQ_MAX_FRAMES &&
	    s->queued_bytes + len <= NET_SLIRP_RXQ_MAX_BYTES)
		f = malloc(sizeof(*f) + len);
	if (!f) {
		s->drops++;
		rxq_log_drop(s);
		return;
	}
	f->next = NULL;
	f->len = len;
	memcpy(f->data, buf, len);
	if (s->tail)
		s->tail->next = f;
	else
		s->head = f;
	s->tail = f;
	s->nr_frames++;
	s->queued_bytes += len;
	if (s->nr_frames == 1 && write(s->rx_fd, &one, sizeof(one)) < 0)
		log_warn("net user: rx eventfd: %s", strerror(errno));
}

/* Takes the oldest frame, or NULL. Called with rxq_lock held. */
struct slirp_frame *net_slirp_rxq_pop(struct net_slirp *s)
{
	struct slirp_frame *f = s->head;
	uint64_t cnt;

	if (!f)
		return NULL;
	s->head = f->next;
	if (!s->head)
		s->tail = NULL;
	s->nr_frames--;
	s->queued_bytes -= f->len;
	/* Empty now: let rx_fd stop polling readable (level semantics). */
	if (!s->head && read(s->rx_fd, &cnt, sizeof(cnt)) < 0)
		log_warn("net user: rx eventfd: %s", strerror(errno));
	return f;
}

void net_slirp_rxq_free_all(struct net_slirp *s)
{
	struct slirp_frame *f;

	while ((f = s->head)) {
		s->head = f->next;
		free(f);
	}
	s->tail = NULL;
	s->nr_frames = 0;
	s->queued_bytes = 0;
}

uint64_t net_slirp_drops(struct net_backend *be)
{
	struct net_slirp *s = (struct net_slirp *)be;
	uint64_t d;

	pthread_mutex_lock(&s->rxq_lock);
	d = s->drops;
	pthread_mutex_unlock(&s->rxq_lock);
	return d;
}

void net_slirp_queue_stats(struct net_backend *be, unsigned int *frames,
			   size_t *bytes)
{
	struct net_slirp *s = (struct net_slirp *)be;

	pthread_mutex_lock(&s->rxq_lock);
	*frames = s->nr_frames;
	*bytes = s->queued_bytes;
	pthread_mutex_unlock(&s->rxq_lock);
}
