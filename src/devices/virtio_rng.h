/* virtio_rng: a virtio entropy device fed by the host's getrandom()
 * (virtio 1.3 §5.4 Entropy Device).
 *
 * One request queue of device-writable buffers, served on the device's own
 * thread so that a rate-limited guest never holds up a vCPU. Depends on
 * src/virtio and src/kvm only; knows nothing about the transport.
 */
#ifndef VMM_DEVICES_VIRTIO_RNG_H
#define VMM_DEVICES_VIRTIO_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "virtio.h"

/* Most bytes one request gets, limit or not. */
#define VIRTIO_RNG_MAX_REQ 65536

/* Zero-initialised options: no rate limit, both ring formats. */
struct virtio_rng_options {
	/* Token bucket: the guest gets at most burst + bytes_per_sec * t
	 * bytes in any t seconds. 0: unlimited. */
	uint32_t bytes_per_sec;
	uint32_t burst;	 /* bucket size in bytes; 0: bytes_per_sec */
	bool packed_off; /* never offer VIRTIO_F_RING_PACKED */
};

struct virtio_rng;

/* Sets up the device and starts its thread. Returns 0 and *out, or
 * -ENOMEM / what pthread_create said. */
int virtio_rng_create(const struct virtio_rng_options *o,
		      const struct gmem *mem, struct virtio_rng **out);
/* Stops the thread and frees everything. NULL is ignored. */
void virtio_rng_destroy(struct virtio_rng *rng);
/* The virtio device, for the transport. */
struct virtio_dev *virtio_rng_vdev(struct virtio_rng *rng);

#endif
