/* Formatting a module's message into a struct pprt_err (pprt_common/error.h). Stateless: compiled into libpprt and
 * into libpprt-nusc (the static library pprt_common), each keeping its copy hidden. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pprt_common/error.h"

enum pprt_status pprt_fail(struct pprt_err* err, enum pprt_status status, const char* fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return status;
}

void pprt_err_prefix(struct pprt_err* err, const char* fmt, ...) {
  if (err == NULL) return;
  char prefix[PPRT_ERR_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  size_t plen = strlen(prefix);
  if (plen + 2 >= sizeof err->msg) plen = sizeof err->msg - 3;
  size_t olen = strnlen(err->msg, sizeof err->msg - 1);
  if (plen + 2 + olen >= sizeof err->msg) olen = sizeof err->msg - 1 - plen - 2;
  memmove(err->msg + plen + 2, err->msg, olen);
  memcpy(err->msg, prefix, plen);
  err->msg[plen] = ':';
  err->msg[plen + 1] = ' ';
  err->msg[plen + 2 + olen] = '\0';
}
