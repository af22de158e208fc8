/* fz: the input reader shared by the fuzz targets (see fz.h). */
#include "fz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "virtq.h"

size_t fz_bytes(struct fz *f, void *dst, size_t len)
{
	size_t n = len < f->left ? len : f->left;

	memcpy(dst, f->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	f->p += n;
	f->left -= n;
	return n;
}

uint8_t fz_u8(struct fz *f)
{
	uint8_t v;

	fz_bytes(f, &v, sizeof(v));
	return v;
}

uint16_t fz_u16(struct fz *f)
{
	uint8_t b[2];

	fz_bytes(f, b, sizeof(b));
	return (uint16_t)(b[0] | b[1] << 8);
}

/* Two statements each: the order of the reads must not be left to the
 * compiler. */
uint32_t fz_u32(struct fz *f)
{
	uint32_t lo = fz_u16(f);

	return lo | (uint32_t)fz_u16(f) << 16;
}

uint64_t fz_u64(struct fz *f)
{
	uint64_t lo = fz_u32(f);

	return lo | (uint64_t)fz_u32(f) << 32;
}

void fz_quiet(void)
{
	log_threshold = LOG_ERROR;
}

static void queue_fail(const struct virtq *vq, const char *what)
{
	fprintf(stderr, "fuzz: queue %u: %s\n", vq->index, what);
	abort();
}

void fz_check_queue(const struct virtq *vq)
{
	if (!vq_live(vq))
		return;
	if (vq->packed &&
	    (vq->inflight > vq->size || vq->last_avail >= vq->size ||
	     vq->used_idx >= vq->size))
		queue_fail(vq, "packed ring position out of range");
	if (!vq->packed && (uint16_t)(vq->last_avail - vq->used_idx) > vq->size)
		queue_fail(vq, "more requests in flight than the ring holds");
	if (vq->pop_slot >= vq->size || vq->done_head >= vq->size)
		queue_fail(vq, "IN_ORDER window position out of range");
}
