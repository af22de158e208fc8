/* loadfile: reading the files the user names (see loadfile.h). */
#include "loadfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_regular(const char *what, const char *path, uint64_t *size,
			char *err, size_t err_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, err_len, "%s '%s': %s", what, path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s '%s': not a regular file", what,
			 path);
		close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		snprintf(err, err_len, "%s '%s': file is empty", what, path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int read_all(int fd, uint8_t *dst, uint64_t len)
{
	while (len) {
		ssize_t n = read(fd, dst, len > (1u << 30) ? (1u << 30) : len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		dst += n;
		len -= (uint64_t)n;
	}
	return 0;
}

int loadfile_size(const char *what, const char *path, uint64_t *size, char *err,
		  size_t err_len)
{
	int fd = open_regular(what, path, size, err, err_len);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int loadfile_read_into(const char *what, const char *path, void *dst,
		       uint64_t len, char *err, size_t err_len)
{
	uint64_t size;
	int fd = open_regular(what, path, &size, err, err_len);
	int ret = 0;

	if (fd < 0)
		return -1;
	if (size != len || read_all(fd, dst, len) < 0) {
		snprintf(err, err_len, "%s '%s': read failed", what, path);
		ret = -1;
	}
	close(fd);
	return ret;
}

int loadfile_read(const char *what, const char *path, size_t max, uint8_t **buf,
		  size_t *len, char *err, size_t err_len)
{
	uint64_t size;
	int fd = open_regular(what, path, &size, err, err_len);

	if (fd < 0)
		return -1;
	if (size > max) {
		snprintf(err, err_len,
			 "%s '%s': too large (%llu bytes, at "
			 "most %zu)",
			 what, path, (unsigned long long)size, max);
		goto out_close;
	}
	*buf = malloc(size);
	if (!*buf) {
		snprintf(err, err_len, "%s '%s': out of memory", what, path);
		goto out_close;
	}
	if (read_all(fd, *buf, size) < 0) {
		snprintf(err, err_len, "%s '%s': read failed", what, path);
		free(*buf);
		*buf = NULL;
		goto out_close;
	}
	*len = size;
	close(fd);
	return 0;
out_close:
	close(fd);
	return -1;
}
