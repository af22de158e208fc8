/* fz_vq: the virtqueue fuzz program, for split and packed rings alike.
 *
 * virtio 1.3 §2.7 and §2.8 from the device side: the real core (vq_pop,
 * vq_req_read/write, vq_push, vq_flush) under the echo device, driven by
 * the program of fz_formats.h. fuzz_vq_split.c and fuzz_vq_packed.c are
 * its two entry points.
 */
#ifndef VMM_FUZZ_FZ_VQ_H
#define VMM_FUZZ_FZ_VQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs one input; aborts (a libFuzzer crash) if the core breaks one of
 * its invariants or the driver model catches the device misbehaving. */
void fz_vq_run(const uint8_t *data, size_t size, bool packed);

#endif
