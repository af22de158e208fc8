/* virtio_blk_internal: what virtio_blk.c (device, config, I/O threads) and
 * virtio_blk_req.c (one request, virtio 1.3 §5.2.6) share. Not for use
 * outside src/devices/virtio_blk*.c.
 */
#ifndef VMM_DEVICES_VIRTIO_BLK_INTERNAL_H
#define VMM_DEVICES_VIRTIO_BLK_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_blk.h>

#include "virtio.h"
#include "virtio_blk.h"

#define VIRTIO_BLK_SECTOR 512u
/* Limits we advertise for DISCARD and WRITE_ZEROES (per segment / per
 * request): 2 GiB per segment, 32 segments. */
#define VIRTIO_BLK_MAX_DZ_SECTORS (1u << 22)
#define VIRTIO_BLK_MAX_DZ_SEG	  32u

/* Threads per request queue: requests on one queue are served this many at
 * a time, so a guest queue depth above 1 really overlaps in the host. */
#define VIRTIO_BLK_THREADS 4
/* Completions between two notification decisions on a busy queue. */
#define VIRTIO_BLK_FLUSH_BATCH 8

struct virtio_blk_queue;

/* One I/O thread and its private scratch: one request and its iovecs. */
struct virtio_blk_worker {
	struct virtio_blk_queue *q;
	pthread_t thread;
	bool started;
	struct vq_req req;
	struct iovec iov[VQ_REQ_MAX_SEGS];
};

/* One request queue and the threads that serve it. */
struct virtio_blk_queue {
	struct virtio_blk *blk;
	struct virtq *vq;

	/* The core runs a queue's data path on one thread at a time
	 * (virtio.h): vq_pop, vq_push and vq_flush happen under ring_lock;
	 * the I/O between them does not. */
	pthread_mutex_t ring_lock;
	unsigned int unflushed; /* pushed since the last vq_flush */

	/* lock/cond guard the rest. The vCPU sets kicked, reset sets stop
	 * and waits for busy == 0, destroy sets exit. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool kicked, stop, exit;
	unsigned int busy; /* threads draining the ring */

	struct virtio_blk_worker workers[VIRTIO_BLK_THREADS];
};

struct virtio_blk {
	struct virtio_dev vd; /* first: the core hands us &vd */
	/* A copy of the const template with num_queues filled in: the one
	 * value that varies per instance (MQ). The core never writes it. */
	struct virtio_device_ops ops;
	struct virtio_blk_config cfg; /* little-endian, vd.config */

	int fd;		 /* the image; O_DIRECT if direct */
	int fd_buffered; /* same file without O_DIRECT, or -1 */
	bool direct, readonly;
	uint64_t capacity; /* sectors */
	char id[VIRTIO_BLK_ID_BYTES];

	uint16_t nr_queues;
	struct virtio_blk_queue *queues;
};

/* Serves one popped request completely: decodes it, does the I/O, writes
 * the status byte. Returns the used length to push (0 only when the
 * request has no device-writable byte to carry a status). */
uint32_t virtio_blk_serve(struct virtio_blk *blk, struct virtio_blk_worker *w,
			  struct vq_req *req);

/* True if writes must be durable before they complete: the driver turned
 * the write cache off (CONFIG_WCE) or negotiated neither FLUSH nor
 * CONFIG_WCE (§5.2.6.3). */
bool virtio_blk_writethrough(struct virtio_blk *blk);

#endif
