/* fz: what the fuzz targets share: a reader over libFuzzer's input.
 *
 * A target reads its input as a little-endian stream of fields; once the
 * bytes run out every read gives 0, so any input, even an empty one, is a
 * complete program. The input formats themselves are in fz_formats.h.
 */
#ifndef VMM_FUZZ_FZ_H
#define VMM_FUZZ_FZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points, defined by each fuzz_<name>.c. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t left;
};

static inline void fz_init(struct fz *f, const uint8_t *data, size_t size)
{
	f->p = data;
	f->left = size;
}

static inline bool fz_done(const struct fz *f)
{
	return f->left == 0;
}

uint8_t fz_u8(struct fz *f);
uint16_t fz_u16(struct fz *f);
uint32_t fz_u32(struct fz *f);
uint64_t fz_u64(struct fz *f);
/* Copies up to len bytes, zero-filling what the input lacks; returns the
 * bytes that came from the input. */
size_t fz_bytes(struct fz *f, void *dst, size_t len);

struct virtq;
/* Aborts if a queue's device-side state broke an invariant of the core
 * (virtio 1.3 §2.7, §2.8): no more in flight than the ring holds, packed
 * positions and the IN_ORDER window inside the ring. A queue that is not
 * live is not looked at. */
void fz_check_queue(const struct virtq *vq);

/* Once per process: silence the VMM's log (a hostile input makes the
 * guest-error paths talk a lot, and printing would dominate the time). */
void fz_quiet(void);

#endif
