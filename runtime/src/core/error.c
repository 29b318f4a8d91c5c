#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char g_last_error[PPRT_ERR_MAX];

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

void pprt_set_last_error(const char* msg) {
  snprintf(g_last_error, sizeof g_last_error, "%s", msg != NULL ? msg : "");
}

const char* pprt_last_error(void) { return g_last_error; }

const char* pprt_status_str(enum pprt_status status) {
  switch (status) {
    case PPRT_STATUS_OK: return "ok";
    case PPRT_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case PPRT_STATUS_IO_ERROR: return "I/O error";
    case PPRT_STATUS_PARSE_ERROR: return "parse error";
    case PPRT_STATUS_MODEL_MISMATCH: return "model mismatch";
    case PPRT_STATUS_BAD_INPUT: return "bad input";
    case PPRT_STATUS_CAPACITY: return "capacity exceeded";
    case PPRT_STATUS_UNAVAILABLE: return "unavailable";
    case PPRT_STATUS_RUNNER_ERROR: return "runner error";
    case PPRT_STATUS_OUT_OF_MEMORY: return "out of memory";
    case PPRT_STATUS_INTERNAL: return "internal error";
    case PPRT_STATUS_BUSY: return "busy";
  }
  return "unknown status";
}
