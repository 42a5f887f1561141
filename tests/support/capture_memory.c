/*
 * capture_memory.c - captures from memory through capture_open_file().
 *
 * capture.c has no reader of its own for memory: going through a memfd
 * keeps the daemon's one path to libpcap, so the fuzz targets exercise
 * exactly the code a capture file on disk goes through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture_memory.h"

int
capture_open_memory(const void *data, size_t len, struct capture **ret,
    char *err, size_t errlen)
{
	const char *p = data;
	char path[64];
	size_t off = 0;
	int fd, r;

	if ((fd = memfd_create("outflow-capture", MFD_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(err, errlen, "memory: memfd_create: %s", strerror(-r));
		return r;
	}
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "memory: write: %s", strerror(-r));
			close(fd);
			return r;
		}
		off += (size_t)n;
	}
	/* libpcap opens the path itself, a description of its own on the
	 * same file, and the mapping holds the pages: fd may go now. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = capture_open_file(path, ret, err, errlen);
	close(fd);
	return r;
}
