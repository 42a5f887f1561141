/*
 * capture_memory.h - a capture held in memory, for the fuzz targets and
 * unit tests (tests only: not in the outflow binary).
 */
#ifndef OUTFLOW_TEST_CAPTURE_MEMORY_H
#define OUTFLOW_TEST_CAPTURE_MEMORY_H

#include <stddef.h>

#include "capture.h"

/**
 * Open the len bytes at data as a capture file.  They are copied into an
 * anonymous memory file that capture_open_file() then opens, so the
 * capture is read exactly as a file on disk is (mapped, or through
 * libpcap for pcapng) and data may be freed at once.  Returns 0, a
 * negative errno from making the memory file, or capture_open_file()'s
 * error with err set.
 */
int capture_open_memory(const void *data, size_t len, struct capture **ret,
    char *err, size_t errlen);

#endif
