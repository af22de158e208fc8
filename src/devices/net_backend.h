/* net_backend: what virtio-net needs from a host network backend.
 *
 * A backend moves Ethernet frames between the device and the host: libslirp
 * (net_slirp.c, user-mode networking) or a TAP interface (net_tap.c). The
 * device calls it from its queue threads; a backend never touches guest
 * memory and never calls into the device. It only signals, through rx_fd,
 * that a frame is waiting. Depends on nothing of ours.
 */
#ifndef VMM_DEVICES_NET_BACKEND_H
#define VMM_DEVICES_NET_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Largest frame a backend ever passes either way, header not counted:
 * a 64 KiB TSO/GSO segment plus its Ethernet and VLAN headers. */
#define NET_BACKEND_MAX_FRAME (65536 + 14 + 4)

struct net_backend;

/* Each call names a queue pair, 0 .. be->queues - 1. Calls for different
 * queue pairs may run on different threads at once; calls for one pair
 * come from one thread at a time. */
struct net_backend_ops {
	/* Sends one frame to the host network. With be->vnet_hdr the iov
	 * starts with a struct virtio_net_hdr_v1 (12 bytes), which the
	 * backend honours (checksum / GSO offload); otherwise it is the
	 * bare Ethernet frame. Returns 0 when the frame is sent or
	 * deliberately dropped (the network is lossy), -EAGAIN when the
	 * host cannot take it now (the device keeps the frame and retries
	 * when tx_fd polls writable), or -errno for a frame the backend
	 * refuses (malformed header: the device counts and drops it). */
	int (*send)(struct net_backend *be, unsigned int queue,
		    const struct iovec *iov, unsigned int n);
	/* A transmit pass is over: the sends since the last call were one
	 * batch. A backend that defers per-frame work (waking its own
	 * thread) does it now, once. NULL: nothing deferred. */
	void (*send_done)(struct net_backend *be, unsigned int queue);
	/* Receives the next frame waiting for the guest into iov (the same
	 * header rule as send; with vnet_hdr the backend fills all 12
	 * bytes, num_buffers = 1). Never blocks. Returns the bytes written,
	 * 0 when nothing is waiting, -EMSGSIZE when the frame did not fit
	 * (it is dropped), or -errno. */
	ssize_t (*recv)(struct net_backend *be, unsigned int queue,
			const struct iovec *iov, unsigned int n);
	/* The fd that polls readable (POLLIN) while a frame is waiting for
	 * queue pair `queue` (a TAP queue fd, or an eventfd the backend
	 * raises). Level-triggered: readable until recv returned 0. */
	int (*rx_fd)(struct net_backend *be, unsigned int queue);
	/* The fd that polls writable (POLLOUT) when a send that returned
	 * -EAGAIN may be retried; -1 if send never returns -EAGAIN. */
	int (*tx_fd)(struct net_backend *be, unsigned int queue);
	/* The guest negotiated these VIRTIO_NET_F_GUEST_* receive offloads
	 * (a subset of be->offloads): from now on recv may hand it frames
	 * that use them, and only those. Called on every DRIVER_OK and with
	 * 0 on reset. Returns 0 or -errno. NULL: no receive offloads. */
	int (*set_rx_offloads)(struct net_backend *be, uint64_t guest_bits);
	/* Frees the backend; no call for it may be running. */
	void (*destroy)(struct net_backend *be);
};

/* A backend as the device sees it; backends embed it in their own struct.
 * Every field is set by the backend's create function and fixed after. */
struct net_backend {
	const struct net_backend_ops *ops;
	const char *kind;    /* "user", "tap": for log messages */
	unsigned int queues; /* queue pairs it carries, >= 1 */
	bool vnet_hdr;	     /* frames carry a virtio_net_hdr_v1 */
	/* The VIRTIO_NET_F_* offload bits it honours end to end, as bit
	 * masks (1ULL << VIRTIO_NET_F_CSUM, ...): CSUM, GUEST_CSUM,
	 * HOST_TSO4/6, HOST_ECN, GUEST_TSO4/6, GUEST_ECN, HOST_UFO,
	 * GUEST_UFO. 0 without vnet_hdr. */
	uint64_t offloads;
	/* Largest IP MTU the host side takes (the device offers it with
	 * VIRTIO_NET_F_MTU when the user set one); 0: 1500. */
	uint16_t mtu;
};

/* Convenience wrappers, so callers read like the contract. */
static inline int net_backend_send(struct net_backend *be, unsigned int q,
				   const struct iovec *iov, unsigned int n)
{
	return be->ops->send(be, q, iov, n);
}

static inline void net_backend_send_done(struct net_backend *be, unsigned int q)
{
	if (be->ops->send_done)
		be->ops->send_done(be, q);
}

static inline ssize_t net_backend_recv(struct net_backend *be, unsigned int q,
				       const struct iovec *iov, unsigned int n)
{
	return be->ops->recv(be, q, iov, n);
}

static inline void net_backend_destroy(struct net_backend *be)
{
	if (be)
		be->ops->destroy(be);
}

#endif
