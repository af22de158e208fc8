/* virtio_blk_req: one virtio-blk request, from header to status byte
 * (virtio 1.3 §5.2.6 Device Operation).
 *
 * A request is a 16-byte device-readable header {type, reserved, sector},
 * then data (device-readable for OUT, DISCARD, WRITE_ZEROES; device-writable
 * for IN, GET_ID), then one device-writable status byte: the last byte of
 * the writable part. Data moves between the image and guest RAM with
 * preadv/pwritev straight on the guest's buffers, no bounce copy. Runs on
 * an I/O thread (virtio_blk.c). Depends on src/virtio and src/kvm only.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "virtio_blk_internal.h"

/* Guest-caused problems: rate-limited, and the request fails, nothing
 * else. */
#define guest_err(...) log_guest("virtio-blk: " __VA_ARGS__)

/* [sector, sector + n) inside the disk, overflow-safe. */
static bool range_ok(const struct virtio_blk *blk, uint64_t sector, uint64_t n)
{
	return sector <= blk->capacity && n <= blk->capacity - sector;
}

/* Drops the first `done` bytes of iov[0..*n). */
static struct iovec *iov_advance(struct iovec *iov, unsigned int *n,
				 size_t done)
{
	while (*n && done >= iov->iov_len) {
		done -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n) {
		iov->iov_base = (char *)iov->iov_base + done;
		iov->iov_len -= done;
	}
	return iov;
}

/* preadv/pwritev until all len bytes moved. A short read means the image
 * shrank under us: -EIO, like a media error. */
static int rw_once(int fd, bool write, struct iovec *iov, unsigned int n,
		   off_t off, size_t len, int flags)
{
	ssize_t r;

	while (len) {
		if (write)
			r = pwritev2(fd, iov, (int)n, off, flags);
		else
			r = preadv(fd, iov, (int)n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		len -= (size_t)r;
		off += r;
		iov = iov_advance(iov, &n, (size_t)r);
	}
	return 0;
}

/* O_DIRECT needs aligned buffers; a guest may hand us others. Retry those
 * through the page cache rather than failing them. The iovecs may have
 * been advanced, so the retry works on a fresh copy. */
static int do_rw(struct virtio_blk *blk, bool write, struct iovec *iov,
		 unsigned int n, off_t off, size_t len)
{
	struct iovec copy[VQ_REQ_MAX_SEGS];
	int flags = write && virtio_blk_writethrough(blk) ? RWF_DSYNC : 0;
	int r;

	if (!blk->direct)
		return rw_once(blk->fd, write, iov, n, off, len, flags);
	memcpy(copy, iov, n * sizeof(*iov));
	r = rw_once(blk->fd, write, copy, n, off, len, flags);
	if (r == -EINVAL)
		r = rw_once(blk->fd_buffered, write, iov, n, off, len, flags);
	return r;
}

static uint8_t do_in(struct virtio_blk *blk, struct virtio_blk_worker *w,
		     struct vq_req *req, uint64_t sector)
{
	size_t len = vq_req_writable(req) - 1, got;
	unsigned int n;

	if (len % VIRTIO_BLK_SECTOR ||
	    !range_ok(blk, sector, len / VIRTIO_BLK_SECTOR)) {
		guest_err("read of %zu bytes at sector %llu: bad range", len,
			  (unsigned long long)sector);
		return VIRTIO_BLK_S_IOERR;
	}
	n = vq_req_write_iov(req, w->iov, VQ_REQ_MAX_SEGS, len, &got);
	if (do_rw(blk, false, w->iov, n, (off_t)(sector * VIRTIO_BLK_SECTOR),
		  got) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_out(struct virtio_blk *blk, struct virtio_blk_worker *w,
		      struct vq_req *req, uint64_t sector)
{
	size_t len = vq_req_read_left(req), got;
	unsigned int n;

	if (blk->readonly)
		return VIRTIO_BLK_S_IOERR; /* §5.2.6.2: and write nothing */
	if (len % VIRTIO_BLK_SECTOR ||
	    !range_ok(blk, sector, len / VIRTIO_BLK_SECTOR)) {
		guest_err("write of %zu bytes at sector %llu: bad range", len,
			  (unsigned long long)sector);
		return VIRTIO_BLK_S_IOERR;
	}
	n = vq_req_read_iov(req, w->iov, VQ_REQ_MAX_SEGS, len, &got);
	if (do_rw(blk, true, w->iov, n, (off_t)(sector * VIRTIO_BLK_SECTOR),
		  got) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* FLUSH completes only once every write completed before it is on stable
 * storage: fdatasync covers the file's data and the metadata needed to
 * read it back (its size, allocated blocks). */
static uint8_t do_flush(struct virtio_blk *blk)
{
	if (blk->readonly)
		return VIRTIO_BLK_S_OK; /* nothing can be dirty */
	return fdatasync(blk->fd) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* The serial, NUL-padded, not necessarily NUL-terminated (§5.2.6). */
static uint8_t do_get_id(struct virtio_blk *blk, struct vq_req *req)
{
	size_t len = vq_req_writable(req) - 1;

	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	vq_req_write(req, blk->id, len);
	return VIRTIO_BLK_S_OK;
}

/* Writes real zeroes: for filesystems without ZERO_RANGE / PUNCH_HOLE. */
static int write_zeroes_slow(struct virtio_blk *blk, off_t off, uint64_t len)
{
	static const char zeroes[65536] __attribute__((aligned(4096)));
	size_t chunk;
	ssize_t r;

	while (len) {
		chunk = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		r = pwrite(blk->fd_buffered, zeroes, chunk, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		off += r;
		len -= (uint64_t)r;
	}
	return 0;
}

static int apply_segment(struct virtio_blk *blk, bool discard,
			 const struct virtio_blk_discard_write_zeroes *s)
{
	off_t off = (off_t)(le64toh(s->sector) * VIRTIO_BLK_SECTOR);
	off_t len = (off_t)le32toh(s->num_sectors) * VIRTIO_BLK_SECTOR;
	bool unmap = le32toh(s->flags) & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	if (!len)
		return 0;
	if (discard) /* a hint: a filesystem that cannot punch ignores it */
		return fallocate(blk->fd, punch, off, len) < 0 &&
				       errno != EOPNOTSUPP
			       ? -errno
			       : 0;
	/* Reads of a punched hole give zeroes, so unmap may punch. */
	if (unmap && fallocate(blk->fd, punch, off, len) == 0)
		return 0;
	if (fallocate(blk->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off,
		      len) == 0)
		return 0;
	return write_zeroes_slow(blk, off, (uint64_t)len);
}

/* Reads the whole segment table (sized by our array, not by the guest),
 * checks every segment, and only then touches the disk: a bad segment
 * fails the request without half-applying it. */
static uint8_t do_discard_zeroes(struct virtio_blk *blk, struct vq_req *req,
				 bool discard)
{
	struct virtio_blk_discard_write_zeroes seg[VIRTIO_BLK_MAX_DZ_SEG];
	uint32_t len = vq_req_read_left(req), nr = len / sizeof(seg[0]);
	uint32_t allowed = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

	if (!virtio_has_feature(&blk->vd, discard ? VIRTIO_BLK_F_DISCARD
						  : VIRTIO_BLK_F_WRITE_ZEROES))
		return VIRTIO_BLK_S_UNSUPP;
	if (blk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (!nr || len % sizeof(seg[0]) || nr > VIRTIO_BLK_MAX_DZ_SEG) {
		guest_err("%u-byte segment table", len);
		return VIRTIO_BLK_S_UNSUPP;
	}
	vq_req_read(req, seg, nr * sizeof(seg[0]));
	if (discard)
		allowed = 0; /* §5.2.6.2: unmap on DISCARD is UNSUPP */
	for (uint32_t i = 0; i < nr; i++) {
		if (le32toh(seg[i].flags) & ~allowed)
			return VIRTIO_BLK_S_UNSUPP;
		if (le32toh(seg[i].num_sectors) > VIRTIO_BLK_MAX_DZ_SECTORS ||
		    !range_ok(blk, le64toh(seg[i].sector),
			      le32toh(seg[i].num_sectors)))
			return VIRTIO_BLK_S_IOERR;
	}
	for (uint32_t i = 0; i < nr; i++)
		if (apply_segment(blk, discard, &seg[i]) < 0)
			return VIRTIO_BLK_S_IOERR;
	if (virtio_blk_writethrough(blk) && fdatasync(blk->fd) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t dispatch(struct virtio_blk *blk, struct virtio_blk_worker *w,
			struct vq_req *req, const struct virtio_blk_outhdr *h)
{
	uint64_t sector = le64toh(h->sector);
	uint32_t type = le32toh(h->type);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		return do_in(blk, w, req, sector);
	case VIRTIO_BLK_T_OUT:
		return do_out(blk, w, req, sector);
	case VIRTIO_BLK_T_FLUSH:
		return do_flush(blk);
	case VIRTIO_BLK_T_GET_ID:
		return do_get_id(blk, req);
	case VIRTIO_BLK_T_DISCARD:
		return do_discard_zeroes(blk, req, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return do_discard_zeroes(blk, req, false);
	default:
		guest_err("unsupported request type %#x", type);
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Puts status in the last writable byte, wherever the write cursor is. */
static void put_status(struct vq_req *req, uint8_t status)
{
	struct iovec skip[VQ_REQ_MAX_SEGS];
	uint32_t left = vq_req_write_left(req);
	size_t got;

	if (left > 1)
		vq_req_write_iov(req, skip, VQ_REQ_MAX_SEGS, left - 1, &got);
	vq_req_write(req, &status, 1);
}

uint32_t virtio_blk_serve(struct virtio_blk *blk, struct virtio_blk_worker *w,
			  struct vq_req *req)
{
	struct virtio_blk_outhdr h;

	if (vq_req_writable(req) < 1) {
		guest_err("request without a status byte: dropped");
		return 0;
	}
	if (vq_req_read(req, &h, sizeof(h)) < sizeof(h)) {
		guest_err("request header shorter than %zu bytes", sizeof(h));
		put_status(req, VIRTIO_BLK_S_IOERR);
	} else {
		put_status(req, dispatch(blk, w, req, &h));
	}
	/* Used length: what the device wrote, data and status (§5.2.6). */
	return req->written;
}
