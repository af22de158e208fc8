/* virtio_vsock: a virtio socket device whose host side is Unix sockets
 * (virtio 1.3 §5.10 Socket Device).
 *
 * Stream and SEQPACKET connections with credit-based flow control. The
 * host side follows Firecracker's convention: a guest connection to host
 * port P reaches the Unix socket "UDS_PATH_P"; a host program connects to
 * UDS_PATH, writes "CONNECT P\n" and, once the guest listener on port P
 * accepts, reads "OK <host port>\n" and then talks to it. One thread does
 * all the work. Depends on src/virtio and src/kvm only.
 */
#ifndef VMM_DEVICES_VIRTIO_VSOCK_H
#define VMM_DEVICES_VIRTIO_VSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gmem.h"
#include "virtio.h"

/* Reserved CIDs (§5.10.4): 0 hypervisor, 1 local, 2 host. */
#define VIRTIO_VSOCK_MIN_GUEST_CID 3

struct virtio_vsock_options {
	uint64_t guest_cid;   /* >= VIRTIO_VSOCK_MIN_GUEST_CID, < 2^32 - 1 */
	const char *uds_path; /* the host listener; copied */
	bool packed_off;      /* never offer VIRTIO_F_RING_PACKED */
};

struct virtio_vsock;

/* Binds and listens on uds_path (an existing socket file there is replaced
 * only if nothing listens on it) and starts the thread. Returns 0 and
 * *out, or -errno with one line in err ("vsock uds=PATH: Permission
 * denied", "vsock cid=2: below 3", ...). */
int virtio_vsock_create(const struct virtio_vsock_options *o,
			const struct gmem *mem, struct virtio_vsock **out,
			char *err, size_t err_len);
/* Stops the thread, closes every socket, removes uds_path. NULL is
 * ignored. */
void virtio_vsock_destroy(struct virtio_vsock *vs);
/* The virtio device, for the transport. */
struct virtio_dev *virtio_vsock_vdev(struct virtio_vsock *vs);

#endif
