/* Opening input files without blocking (fileio.h). */
#include "pprt_common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum pprt_status pprt_fopen_regular(const char* path, FILE** f_out, uint64_t* size_out, struct pprt_err* err) {
  *f_out = NULL;
  /* O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot stat: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: not a regular file (%s)", path,
                     S_ISFIFO(st.st_mode)  ? "a FIFO"
                     : S_ISDIR(st.st_mode) ? "a directory"
                     : S_ISCHR(st.st_mode) ? "a character device"
                                           : "a special file");
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  FILE* f = fdopen(fd, "rb");
  if (f == NULL) {
    int e = errno;
    close(fd);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open: %s", path, strerror(e));
  }
  *f_out = f;
  if (size_out != NULL) *size_out = (uint64_t)st.st_size;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_file_open(const char* path, FILE** out, uint64_t* size) {
  struct pprt_err err;
  if (path == NULL || out == NULL) {
    pprt_set_last_error("pprt_file_open: NULL argument");
    if (out != NULL) *out = NULL;
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = pprt_fopen_regular(path, out, size, &err);
  if (st) pprt_set_last_error(err.msg);
  return st;
}
