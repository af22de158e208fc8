/* net_slirp_internal: the slirp backend's limits, counters and hostfwd
 * binding, its state and the pieces split out of net_slirp.c (the receive
 * queue, the log routing), shared by the net_slirp*.c files and their unit
 * test only (nothing else includes it).
 */
#ifndef VMM_DEVICES_NET_SLIRP_INTERNAL_H
#define VMM_DEVICES_NET_SLIRP_INTERNAL_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_backend.h"
#include "net_slirp.h"

/* One frame waiting for the guest. */
struct slirp_frame {
	struct slirp_frame *next;
	size_t len;
	uint8_t data[];
};

struct slirp_timer; /* net_slirp.c */
struct Slirp;	    /* libslirp.h */

/* The backend: the device sees only be. */
struct net_slirp {
	struct net_backend be; /* first: the device hands us &be */
	struct Slirp *slirp;
	pthread_mutex_t lock; /* every libslirp call; timers; stop */
	pthread_t thread;
	bool thread_started;
	bool stop;
	int wake_fd; /* eventfd: wakes the thread out of poll() */
	struct slirp_timer *timers;

	/* The thread's poll set, rebuilt by slirp_pollfds_fill each round.
	 * Slot 0 is wake_fd. Only the thread touches it. */
	struct pollfd *pfd;
	unsigned int nr_pfd, cap_pfd;

	/* Frames for the guest. rx_fd (an eventfd) is non-zero exactly
	 * while the queue is not empty; both change under rxq_lock, which
	 * nests inside lock (send_packet runs inside libslirp). */
	pthread_mutex_t rxq_lock;
	int rx_fd;
	struct slirp_frame *head, *tail;
	unsigned int nr_frames;
	size_t queued_bytes;
	uint64_t drops;
	int64_t last_drop_log_ns;

	uint8_t tx_buf[NET_BACKEND_MAX_FRAME]; /* send() gathers here */
	bool sent; /* a send since the last send_done: wake the thread */
};

/* CLOCK_MONOTONIC in nanoseconds: libslirp's clock and the timers'. */
int64_t net_slirp_now_ns(void);

/* The receive queue (net_slirp_rxq.c). push and pop are called with
 * rxq_lock held; push copies the frame or drops it (counted, logged at
 * most once a second) when the queue is full, and keeps rx_fd readable
 * exactly while the queue is not empty. pop returns NULL when empty; the
 * caller frees the frame. */
void net_slirp_rxq_push(struct net_slirp *s, const void *buf, size_t len);
struct slirp_frame *net_slirp_rxq_pop(struct net_slirp *s);
void net_slirp_rxq_free_all(struct net_slirp *s);

/* Sends libslirp's own glib messages to vmm's log (net_slirp_log.c).
 * Idempotent. */
void net_slirp_route_glib_log(void);

/* Frames libslirp emits while the guest does not receive wait in a queue
 * of at most this many frames and bytes; beyond, they are dropped and
 * counted (TCP retransmits, as on a real congested link). */
#define NET_SLIRP_RXQ_MAX_FRAMES 512
#define NET_SLIRP_RXQ_MAX_BYTES	 (4u << 20)

/* Frames dropped because the queue was full, since create. */
uint64_t net_slirp_drops(struct net_backend *be);
/* What the queue holds now. */
void net_slirp_queue_stats(struct net_backend *be, unsigned int *frames,
			   size_t *bytes);

/* Binds every o->fwd[] on slirp (net_slirp_fwd.c). Returns 0, or -errno
 * and one line in err naming the rule and the reason. */
int net_slirp_add_fwds(struct Slirp *slirp, const struct net_slirp_options *o,
		       char *err, size_t err_len);

#endif
