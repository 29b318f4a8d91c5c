/* This thread's last error and the status names: libpprt only (libpprt-nusc sets the message through
 * pprt_set_last_error, so there is one error channel). */
#include "pprt_common/error.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char g_last_error[PPRT_ERR_MAX];

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
