/* virtio_net_internal: what the files of the virtio-net device share:
 * virtio_net.c (device, config, threads), virtio_net_io.c (receiveq and
 * transmitq, virtio 1.3 §5.1.6.3-4), virtio_net_ctrl.c (control queue,
 * §5.1.6.5) and virtio_net_hdr.c (header checks and the receive filter).
 * Not for use outside src/devices/virtio_net*.c and their unit tests.
 */
#ifndef VMM_DEVICES_VIRTIO_NET_INTERNAL_H
#define VMM_DEVICES_VIRTIO_NET_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_net.h>

#include "net_backend.h"
#include "virtio.h"
#include "virtio_net.h"

#define VIRTIO_NET_QUEUE_MAX_SIZE 256
#define VIRTIO_NET_HDR_LEN	  sizeof(struct virtio_net_hdr_v1) /* 12 */
/* §5.1.6.5.2: entries the MAC table keeps per kind; a longer table turns
 * on "accept all of that kind", as QEMU does. */
#define VIRTIO_NET_MAC_TABLE 64
#define VIRTIO_NET_VLANS     4096
/* Frames one pass of a queue handles before the thread looks round. */
#define VIRTIO_NET_BUDGET 64

#define VIRTIO_NET_BIT(n) (1ULL << (n))

/* Which of a pair's queues a reset has taken away from its thread. */
#define VIRTIO_NET_FENCE_RX   0x1u
#define VIRTIO_NET_FENCE_TX   0x2u
#define VIRTIO_NET_FENCE_CTRL 0x4u
#define VIRTIO_NET_FENCE_ALL  0x7u

/* Counters, for tests and debugging; updated with atomic adds. */
struct virtio_net_stats {
	uint64_t rx_packets, rx_filtered, rx_dropped, rx_errors;
	uint64_t tx_packets, tx_dropped, tx_errors;
	uint64_t ctrl_ok, ctrl_err;
};

/* The receive filter (§5.1.6.5.1-4), set by the control queue, read by
 * every receive path; under virtio_net.filter_lock. */
struct virtio_net_filter {
	bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
	bool uni_overflow, multi_overflow;
	bool vlan_filter; /* CTRL_VLAN negotiated: untagged frames pass */
	unsigned int nr_uni, nr_multi;
	uint8_t uni[VIRTIO_NET_MAC_TABLE][6];
	uint8_t multi[VIRTIO_NET_MAC_TABLE][6];
	uint8_t mac[6];
	uint32_t vlans[VIRTIO_NET_VLANS / 32];
};

struct virtio_net;

/* One queue pair: receiveq 2i, transmitq 2i + 1, and the thread serving
 * both (pair 0's also serves the control queue). */
struct virtio_net_pair {
	struct virtio_net *net;
	unsigned int idx;
	struct virtq *rxq, *txq;
	int wake; /* eventfd: a kick, a reset, a link or pair change */
	/* eventfds KVM signals on a kick of rxq / txq (queue_kick_fd): the
	 * thread polls them itself, so no other vmm thread is in between. */
	int kick_rx, kick_tx;
	pthread_t thread;
	bool started;

	/* lock/cond: fenced (queues the thread must leave alone until
	 * queue_notify or activate hands them back), fence_req/fence_ack (a
	 * reset waits for the thread to acknowledge), exit. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int fenced;
	unsigned int fence_req, fence_ack;
	bool exit;

	/* The thread's own. Receive: buffers in hand (in pop order) and a
	 * frame that waits for more of them, header first. */
	struct vq_req *held; /* VIRTIO_NET_QUEUE_MAX_SIZE of them */
	unsigned int nr_held;
	uint8_t *bounce;       /* VIRTIO_NET_HDR_LEN + NET_BACKEND_MAX_FRAME */
	uint32_t pending;      /* bytes of the waiting frame, 0: none */
	bool want_rx, want_tx; /* poll rx_fd / tx_fd next */
	/* rx_fd may have a frame: false only while the last poll of rx_fd
	 * said it had none, so recv is not tried just to hear -EAGAIN. */
	bool rx_maybe;
	bool more; /* budget ran out: look again at once */

	/* Transmit: a frame the backend refused with -EAGAIN, kept. */
	bool tx_held;
	struct vq_req tx;
	struct virtio_net_hdr_v1 tx_hdr;
	unsigned int tx_n;
	struct iovec tx_iov[VQ_REQ_MAX_SEGS + 1];
};

struct virtio_net {
	struct virtio_dev vd;	      /* first: the core hands us &vd */
	struct virtio_device_ops ops; /* per instance: queues, offloads */
	struct virtio_net_config cfg; /* little-endian, vd.config */
	struct net_backend *be;
	unsigned int nr_pairs;
	unsigned int curr_pairs;     /* active pairs (§5.1.6.5.5), atomic */
	bool link_up;		     /* under status_lock */
	pthread_mutex_t status_lock; /* cfg.status read-modify-write */

	pthread_mutex_t filter_lock;
	struct virtio_net_filter filter;

	struct virtio_net_stats stats;
	struct virtio_net_pair pairs[VIRTIO_NET_MAX_QUEUE_PAIRS];

	/* Control queue scratch (pair 0's thread). */
	struct vq_req ctrl;
};

#define virtio_net_count(net, field) \
	__atomic_add_fetch(&(net)->stats.field, 1, __ATOMIC_RELAXED)

/* ---- virtio_net_hdr.c ---- */

/* Checks a transmit header (§5.1.6.2) for a frame of frame_len bytes
 * (header not counted) against the negotiated features; vnet_hdr says
 * whether the backend takes offload headers at all. Returns 0 or -EINVAL
 * with *why saying what is wrong. */
int virtio_net_hdr_check(const struct virtio_net_hdr_v1 *h, uint32_t frame_len,
			 uint64_t features, bool vnet_hdr, const char **why);
/* Whether the receive filter lets the Ethernet frame through (§5.1.6.5.1,
 * .2, .3: the rx mode, the MAC table, the VLAN table). */
bool virtio_net_filter_accept(const struct virtio_net_filter *f,
			      const uint8_t *frame, uint32_t len);
/* The filter after a device reset: promiscuous (until the driver says
 * otherwise, as QEMU), empty tables, the MAC from mac. */
void virtio_net_filter_reset(struct virtio_net_filter *f, const uint8_t *mac);

/* ---- virtio_net_io.c (a pair's thread) ---- */

/* One pass over the transmitq / the receiveq; they set want_tx /
 * want_rx / more for the thread's next wait. */
void virtio_net_tx_run(struct virtio_net_pair *p);
void virtio_net_rx_run(struct virtio_net_pair *p);
/* Lets go of what a reset of the fenced queues takes away. */
void virtio_net_io_drop(struct virtio_net_pair *p, unsigned int fence);

/* ---- virtio_net_ctrl.c (pair 0's thread) ---- */

/* Serves every command on the control queue. */
void virtio_net_ctrl_run(struct virtio_net *net);

/* ---- virtio_net.c ---- */

/* Ors set into and clears clear from the STATUS config field and sends a
 * configuration change notification. */
void virtio_net_status_update(struct virtio_net *net, uint16_t set,
			      uint16_t clear);
/* Wakes every pair's thread (a pair count or filter change). */
void virtio_net_wake_all(struct virtio_net *net);
/* The control queue's index (§5.1.2: 2 without MQ, else after every
 * pair) and the pairs whose queues exist (1 without MQ). Valid once the
 * features are negotiated. */
uint16_t virtio_net_ctrl_index(struct virtio_net *net);
unsigned int virtio_net_data_pairs(struct virtio_net *net);
/* A copy of the counters. */
void virtio_net_get_stats(struct virtio_net *net, struct virtio_net_stats *s);

#endif
