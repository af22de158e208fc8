/* virtio_blk: a virtio block device backed by a raw image file or a host
 * block device (virtio 1.3 §5.2 Block Device).
 *
 * Requests run on one I/O thread per request queue, never on the vCPU that
 * kicked. Uses only the virtio core (src/virtio) and src/kvm; it knows
 * nothing about the transport that carries it.
 */
#ifndef VMM_DEVICES_VIRTIO_BLK_H
#define VMM_DEVICES_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "gmem.h"
#include "virtio.h"

/* Most request queues one device offers (VIRTIO_BLK_F_MQ). */
#define VIRTIO_BLK_MAX_QUEUES 16

enum virtio_blk_cache {
	VIRTIO_BLK_CACHE_WRITEBACK, /* host page cache (the default) */
	VIRTIO_BLK_CACHE_NONE,	    /* O_DIRECT where the filesystem allows */
};

/* What the caller (vmm/device_table.c) decided; nothing here is parsed.
 * Zero-initialised options are a writable, write-back, single-queue disk. */
struct virtio_blk_options {
	const char *path;   /* raw image or block device; never probed */
	bool readonly;	    /* opened O_RDONLY, offers VIRTIO_BLK_F_RO */
	const char *serial; /* GET_ID answer, at most VIRTIO_BLK_ID_BYTES
			     * bytes (longer: -EINVAL); NULL: empty */
	enum virtio_blk_cache cache;
	uint16_t num_queues; /* 0 means 1; at most VIRTIO_BLK_MAX_QUEUES */
	bool packed_off;     /* never offer VIRTIO_F_RING_PACKED */
};

struct virtio_blk;

/* Opens o->path itself (O_RDWR, or O_RDONLY if readonly; O_DIRECT for
 * cache=none, falling back to the page cache with a log line if the
 * filesystem refuses it), sizes it (a regular file's size or a block
 * device's BLKGETSIZE64, rounded down to 512-byte sectors), starts the I/O
 * threads and sets up the virtio device. Returns 0 and *out, or -errno:
 * -EINVAL for bad options or an image smaller than one sector, or what
 * open/pthread_create said. The caller attaches a transport to
 * virtio_blk_vdev(*out) and later calls virtio_blk_destroy. */
int virtio_blk_create(const struct virtio_blk_options *o,
		      const struct gmem *mem, struct virtio_blk **out);

/* Stops the I/O threads (waiting for requests they are serving), closes
 * the image and frees everything. NULL is ignored. */
void virtio_blk_destroy(struct virtio_blk *blk);

/* The virtio device, for the transport. */
struct virtio_dev *virtio_blk_vdev(struct virtio_blk *blk);

/* Capacity in 512-byte sectors, as the config space shows it. */
uint64_t virtio_blk_capacity(const struct virtio_blk *blk);

#endif
