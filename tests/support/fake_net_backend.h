/* fake_net_backend: an in-memory struct net_backend for virtio-net tests.
 *
 * Per queue pair two FIFOs of frames: what the host sends the guest
 * (fake_net_inject, handed out by recv; rx_fd is an eventfd readable while
 * one waits) and what the guest sent (send, read back by fake_net_take).
 * Send can be made to answer -EAGAIN with tx_fd not writable, as a full
 * TAP queue would. Thread-safe. Depends on net_backend.h only.
 */
#ifndef VMM_TEST_FAKE_NET_BACKEND_H
#define VMM_TEST_FAKE_NET_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net_backend.h"

#define FAKE_NET_DEPTH 256 /* frames one FIFO holds */

struct fake_net_options {
	unsigned int queues; /* 0: 1 */
	bool vnet_hdr;
	uint64_t offloads;
	uint16_t mtu;
	bool loopback; /* what the guest sends comes back to it */
};

struct fake_net_backend;

/* Aborts the test on failure. Free with net_backend_destroy(). */
struct fake_net_backend *fake_net_create(const struct fake_net_options *o);
struct net_backend *fake_net_be(struct fake_net_backend *f);

/* A frame for the guest on queue pair q (with vnet_hdr: header first).
 * Returns 0, or -ENOSPC when the FIFO is full. */
int fake_net_inject(struct fake_net_backend *f, unsigned int q,
		    const void *frame, size_t len);
/* The oldest frame the guest sent on q, copied into buf (cut at cap):
 * its full length, or -1 if there is none. wait_sent polls for one up to
 * timeout_ns. */
ssize_t fake_net_take(struct fake_net_backend *f, unsigned int q, void *buf,
		      size_t cap);
ssize_t fake_net_wait_sent(struct fake_net_backend *f, unsigned int q,
			   void *buf, size_t cap, long long timeout_ns);
/* Frames still waiting for the guest on q. */
unsigned int fake_net_rx_waiting(struct fake_net_backend *f, unsigned int q);
/* While blocked, send returns -EAGAIN and tx_fd does not poll writable. */
void fake_net_set_blocked(struct fake_net_backend *f, unsigned int q,
			  bool blocked);
/* Calls of send on q, -EAGAIN answers included. */
unsigned int fake_net_send_calls(struct fake_net_backend *f, unsigned int q);
/* What the device last passed to set_rx_offloads, and how often. */
uint64_t fake_net_rx_offloads(struct fake_net_backend *f, unsigned int *calls);

#endif
