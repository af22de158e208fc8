/* fuzz_vq_packed: packed virtqueues from the device side (virtio 1.3 §2.8
 * Packed Virtqueues).
 *
 * Ring memory, indices and flags from the input, popped and answered by
 * the echo device through the real core; the program is fz_vq.c, the
 * input format fz_formats.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "fz.h"
#include "fz_vq.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_vq_run(data, size, true);
	return 0;
}
