/* virtio_console_internal: what virtio_console.c (device, ports, thread)
 * and virtio_console_ctrl.c (the multiport control queues, virtio 1.3
 * §5.3.6.2) share. Not for use outside src/devices/virtio_console*.c.
 */
#ifndef VMM_DEVICES_VIRTIO_CONSOLE_INTERNAL_H
#define VMM_DEVICES_VIRTIO_CONSOLE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_console.h>

#include "virtio.h"
#include "virtio_console.h"

/* Queue numbers (§5.3.2): port 0's pair, the control pair, then port N's
 * pair at 2N + 2 for N >= 1. */
#define CONSOLE_CTRL_RXQ 2
#define CONSOLE_CTRL_TXQ 3
/* Control messages waiting for a control receiveq buffer: a DEVICE_READY
 * makes one PORT_ADD per port, a PORT_READY a PORT_NAME and a PORT_OPEN.
 * More than this means the driver repeats itself; the excess is dropped. */
#define CONSOLE_CTRL_PENDING (3 * VIRTIO_CONSOLE_MAX_PORTS + 4)

struct virtio_console_port {
	int in_fd, out_fd;
	char name[VIRTIO_CONSOLE_NAME_MAX + 1]; /* "": none */
	uint16_t rxq, txq;
	bool in_open;	 /* in_fd has not reached end of input */
	bool guest_open; /* multiport: the driver has it open (PORT_OPEN) */

	/* The thread's: the receive buffer in hand. */
	bool rx_held;
	struct vq_req rx;
	unsigned int rx_n;
	struct iovec rx_iov[VQ_REQ_MAX_SEGS];
};

/* One control message for the driver, payload (a name) by reference. */
struct virtio_console_msg {
	uint32_t id;
	uint16_t event, value;
};

struct virtio_console {
	struct virtio_dev vd; /* first: the core hands us &vd */
	/* A copy of the const template with num_queues filled in. */
	struct virtio_device_ops ops;
	struct virtio_console_config cfg;
	bool multiport;
	unsigned int nr_ports;
	struct virtio_console_port ports[VIRTIO_CONSOLE_MAX_PORTS];
	int wake; /* eventfd: a kick, a reset or destroy */

	pthread_t thread;
	bool started;
	/* lock/cond: pause (a reset asks the thread to let go of the queues,
	 * until the next kick; pause_queue says which, -1 for all), paused
	 * (the thread says it has), exit. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pause, paused, exit;
	int pause_queue;

	/* The thread's: a transmit scratch and the control messages not yet
	 * delivered (a FIFO). */
	struct vq_req tx;
	struct iovec iov[VQ_REQ_MAX_SEGS];
	struct virtio_console_msg pending[CONSOLE_CTRL_PENDING];
	unsigned int pending_head, nr_pending;
};

/* Control queues, on the device thread: handles what the driver sent on
 * the control transmitq and delivers pending messages into control
 * receiveq buffers. */
void virtio_console_ctrl_run(struct virtio_console *con);
/* Forgets everything the control protocol established (device reset). */
void virtio_console_ctrl_reset(struct virtio_console *con);

#endif
