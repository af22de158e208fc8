/* loadfile: read a user-named file (kernel, initrd, raw binary) with a
 * size limit and one clear error line when it cannot be read. */
#ifndef VMM_LOADFILE_H
#define VMM_LOADFILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads the whole regular file into a malloc'd buffer (*buf, *len).
 * Fails with a message naming the file if it is missing, not a regular
 * file, empty, or larger than max. Returns 0 or -1. */
int loadfile_read(const char *what, const char *path, size_t max, uint8_t **buf,
		  size_t *len, char *err, size_t err_len);

/* Size of a regular file, with the same checks. Returns 0 or -1. */
int loadfile_size(const char *what, const char *path, uint64_t *size, char *err,
		  size_t err_len);

/* Reads exactly len bytes of the file into dst. Returns 0 or -1. */
int loadfile_read_into(const char *what, const char *path, void *dst,
		       uint64_t len, char *err, size_t err_len);

#endif
