/* Internal to pprt's libraries (runtime/common, like error.h): opening input files without blocking. fopen() on a
 * FIFO (or a character device) blocks until a writer shows up, before any "is it a regular file?" check can run; these
 * helpers open with O_NONBLOCK, check with fstat and only then hand back a blocking stdio stream. */
#ifndef PPRT_FILEIO_H
#define PPRT_FILEIO_H

#include <stdint.h>
#include <stdio.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Open path for reading if it is a regular file: *f_out a "rb" stream, *size_out (may be NULL) its size.
 *  IO_ERROR naming the file when it is missing, unreadable, or not a regular file (FIFO, device, directory); never
 *  blocks on a FIFO. */
enum pprt_status pprt_fopen_regular(const char* path, FILE** f_out, uint64_t* size_out, struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif
