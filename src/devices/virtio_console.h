/* virtio_console: a virtio console device whose ports are tied to host file
 * descriptor pairs (virtio 1.3 §5.3 Console Device).
 *
 * Either a console: port 0 only, no MULTIPORT, what Linux shows as
 * /dev/hvc0; or generic ports with VIRTIO_CONSOLE_F_MULTIPORT and the
 * control queues, each with an optional name (Linux: /dev/vportNpM and
 * /sys/class/virtio-ports/vportNpM/name). Host input is read and guest
 * output written on the device's own thread, never on a vCPU. Depends on
 * src/virtio and src/kvm only.
 */
#ifndef VMM_DEVICES_VIRTIO_CONSOLE_H
#define VMM_DEVICES_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "virtio.h"

#define VIRTIO_CONSOLE_MAX_PORTS 16
#define VIRTIO_CONSOLE_NAME_MAX	 127

/* The host end of one generic port. */
struct virtio_console_port_options {
	int in_fd;	  /* host input for the guest; -1: none */
	int out_fd;	  /* where guest output goes; -1: dropped */
	const char *name; /* NULL: no name; at most NAME_MAX bytes, copied */
};

struct virtio_console_options {
	/* The console's port 0 (used when nr_ports is 0). */
	int in_fd;  /* host input for the guest (terminal, pipe); -1: none */
	int out_fd; /* where guest output goes; -1: dropped */
	/* Console size for VIRTIO_CONSOLE_F_SIZE; 0 x 0: not offered. */
	uint16_t cols, rows;
	bool packed_off; /* never offer VIRTIO_F_RING_PACKED */
	/* 1..MAX_PORTS: a multiport device with these generic ports
	 * instead of a console (in_fd, out_fd, cols and rows unused). */
	unsigned int nr_ports;
	struct virtio_console_port_options ports[VIRTIO_CONSOLE_MAX_PORTS];
};

struct virtio_console;

/* Sets up the device and starts its thread. The fds stay the caller's: the
 * device never closes them, and needs them until virtio_console_destroy.
 * A blocking out_fd that stops draining stalls guest output (not the
 * vCPUs). Returns 0 and *out, -EINVAL for too many ports or too long a
 * name, or -errno. */
int virtio_console_create(const struct virtio_console_options *o,
			  const struct gmem *mem, struct virtio_console **out);
/* Stops the thread and frees everything. NULL is ignored. */
void virtio_console_destroy(struct virtio_console *con);
/* The virtio device, for the transport. */
struct virtio_dev *virtio_console_vdev(struct virtio_console *con);

/* The host terminal changed size: updates config space and sends a
 * configuration change notification (Linux resizes hvc0). -EINVAL if SIZE
 * was not offered (always so for a multiport device). */
int virtio_console_resize(struct virtio_console *con, uint16_t cols,
			  uint16_t rows);

#endif
