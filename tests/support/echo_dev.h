/* echo_dev: a loopback virtio device that exists only in tests.
 *
 * Not a real device type: it takes each request on either of its queues and
 * copies the device-readable bytes into the device-writable part (or fills
 * it with a pattern when there is nothing to read). It uses only the queue
 * API of STYLE.md, so it exercises the core the way every device will.
 */
#ifndef VMM_TEST_ECHO_DEV_H
#define VMM_TEST_ECHO_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio.h"

#define ECHO_DEVICE_ID	   0x7e57 /* not a VIRTIO_ID_*: tests only */
#define ECHO_NUM_QUEUES	   2
#define ECHO_QUEUE_MAX	   256
#define ECHO_F_FANCY	   3  /* a device feature bit */
#define ECHO_F_NEEDS_FANCY 4  /* only valid together with ECHO_F_FANCY */
#define ECHO_CONFIG_LEN	   16 /* bytes 0-7 read-only, 8-15 writable */
#define ECHO_FILL	   0xa5

struct echo_dev {
	struct virtio_dev vd;
	uint8_t config[ECHO_CONFIG_LEN];
	bool hold;	     /* park popped requests instead of echoing */
	bool flush_each;     /* vq_flush after every request, not per batch */
	struct vq_req *held; /* ECHO_QUEUE_MAX of them */
	unsigned int nr_held;
	int last_pop;	  /* the last vq_pop result */
	int activate_ret; /* what activate returns */
	unsigned int activations, resets, queue_resets, notifies;
};

int echo_dev_init(struct echo_dev *e, const struct gmem *mem);
void echo_dev_destroy(struct echo_dev *e);

/* Pops until the queue is empty, echoing (or parking) each request. */
void echo_dev_process(struct echo_dev *e, struct virtq *vq);
/* Echoes parked request i and pushes it, without flushing. */
void echo_dev_complete(struct echo_dev *e, unsigned int i);

#endif
