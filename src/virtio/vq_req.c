/* vq_req: building a request from descriptors, and the device's cursors.
 *
 * virtio 1.3 §2.7.4 Message Framing, §2.7.5 The Virtqueue Descriptor Table
 * (device-readable before device-writable, chains under 4 GiB) and §2.7.5.3
 * / §2.8.7 indirect tables. Each buffer is translated with gmem_ptr() under
 * its own length; the ring walkers (vq_split.c, vq_packed.c) feed us.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "vq_internal.h"

void vq_req_begin(struct virtq *vq, struct vq_req *req)
{
	/* Clear only the header: the segment array is filled as we go. */
	memset(req, 0, offsetof(struct vq_req, seg));
	req->vq = vq;
	req->epoch = vq->epoch;
}

void vq_req_fail(struct vq_req *req, const char *why)
{
	if (!req->err)
		req->err = why;
}

static bool seg_fits(struct vq_req *req, uint32_t len, bool writable)
{
	if (len == 0) {
		vq_req_fail(req, "zero-length buffer");
		return false;
	}
	if (!writable && req->nr_segs > req->nr_readable) {
		vq_req_fail(req, "device-readable buffer after a writable one");
		return false;
	}
	if (req->nr_segs == VQ_REQ_MAX_SEGS) {
		vq_req_fail(req, "too many buffers in one request");
		return false;
	}
	/* §2.7.5: a chain is at most 2^32 bytes; our lengths are 32-bit. */
	if ((uint64_t)req->readable_len + req->writable_len + len >
	    UINT32_MAX) {
		vq_req_fail(req, "request longer than 4 GiB");
		return false;
	}
	return true;
}

void vq_req_add_seg(struct vq_req *req, uint64_t gpa, uint32_t len,
		    bool writable)
{
	void *hva;

	if (req->err || !seg_fits(req, len, writable))
		return;
	hva = gmem_ptr(req->vq->vd->mem, gpa, len);
	if (!hva) {
		vq_req_fail(req, "buffer outside guest RAM");
		return;
	}
	req->seg[req->nr_segs].iov_base = hva;
	req->seg[req->nr_segs].iov_len = len;
	req->nr_segs++;
	if (writable) {
		req->writable_len += len;
	} else {
		req->readable_len += len;
		req->nr_readable++;
	}
}

const void *vq_req_indirect_table(struct vq_req *req, uint64_t gpa,
				  uint32_t len, uint32_t *n)
{
	const void *table;

	if (req->err)
		return NULL;
	if (!req->vq->indirect) {
		vq_req_fail(req, "indirect descriptor without INDIRECT_DESC");
		return NULL;
	}
	/* Both formats use 16-byte descriptors in their tables. */
	if (len == 0 || len % sizeof(struct vring_desc)) {
		vq_req_fail(req,
			    "indirect table empty or not a multiple of 16");
		return NULL;
	}
	table = gmem_ptr(req->vq->vd->mem, gpa, len);
	if (!table) {
		vq_req_fail(req, "indirect table outside guest RAM");
		return NULL;
	}
	*n = len / sizeof(struct vring_desc);
	return table;
}

/* Walks segments [first, end) from (*seg, *off), handing out up to len
 * bytes as iovecs; advances the cursor. The copy and iov helpers share it. */
struct vq_cursor {
	uint16_t *seg;
	uint32_t *off;
	uint16_t end;
};

static size_t cursor_take(struct vq_req *req, struct vq_cursor c, size_t len,
			  struct iovec *iov, unsigned int max, unsigned int *n)
{
	size_t done = 0;

	*n = 0;
	while (done < len && *c.seg < c.end && *n < max) {
		const struct iovec *s = &req->seg[*c.seg];
		size_t chunk = s->iov_len - *c.off;

		if (chunk > len - done)
			chunk = len - done;
		iov[*n].iov_base = (uint8_t *)s->iov_base + *c.off;
		iov[*n].iov_len = chunk;
		(*n)++;
		done += chunk;
		*c.off += chunk;
		if (*c.off == s->iov_len) {
			(*c.seg)++;
			*c.off = 0;
		}
	}
	return done;
}

static struct vq_cursor read_cursor(struct vq_req *req)
{
	return (struct vq_cursor){&req->rseg, &req->roff, req->nr_readable};
}

static struct vq_cursor write_cursor(struct vq_req *req)
{
	/* vq_pop starts wseg at the first writable segment. */
	return (struct vq_cursor){&req->wseg, &req->woff, req->nr_segs};
}

size_t vq_req_read(struct vq_req *req, void *dst, size_t len)
{
	struct iovec iov[8];
	size_t total = 0, got;
	unsigned int n;

	do {
		got = cursor_take(req, read_cursor(req), len - total, iov, 8,
				  &n);
		for (unsigned int i = 0; i < n; i++) {
			memcpy((uint8_t *)dst + total, iov[i].iov_base,
			       iov[i].iov_len);
			total += iov[i].iov_len;
		}
	} while (got && total < len);
	return total;
}

size_t vq_req_write(struct vq_req *req, const void *src, size_t len)
{
	struct iovec iov[8];
	size_t total = 0, got;
	unsigned int n;

	do {
		got = cursor_take(req, write_cursor(req), len - total, iov, 8,
				  &n);
		for (unsigned int i = 0; i < n; i++) {
			memcpy(iov[i].iov_base, (const uint8_t *)src + total,
			       iov[i].iov_len);
			total += iov[i].iov_len;
		}
	} while (got && total < len);
	req->written += total;
	return total;
}

unsigned int vq_req_read_iov(struct vq_req *req, struct iovec *iov,
			     unsigned int max, size_t len, size_t *got)
{
	unsigned int n;

	*got = cursor_take(req, read_cursor(req), len, iov, max, &n);
	return n;
}

unsigned int vq_req_write_iov(struct vq_req *req, struct iovec *iov,
			      unsigned int max, size_t len, size_t *got)
{
	unsigned int n;

	*got = cursor_take(req, write_cursor(req), len, iov, max, &n);
	req->written += *got;
	return n;
}

static uint32_t left_from(const struct vq_req *req, uint16_t seg, uint32_t off,
			  uint16_t end)
{
	uint32_t left = 0;

	for (uint16_t i = seg; i < end; i++)
		left += req->seg[i].iov_len;
	return left - off;
}

uint32_t vq_req_read_left(const struct vq_req *req)
{
	if (req->rseg >= req->nr_readable)
		return 0;
	return left_from(req, req->rseg, req->roff, req->nr_readable);
}

uint32_t vq_req_write_left(const struct vq_req *req)
{
	if (req->wseg >= req->nr_segs)
		return 0;
	return left_from(req, req->wseg, req->woff, req->nr_segs);
}
