/* Internal to pprt's libraries (runtime/common: compiled into libpprt and libpprt-nusc, hidden in each): how modules
 * report errors. A module writes one message into a struct pprt_err and returns a status; the public layer copies it
 * to the runtime and to the thread's last error. */
#ifndef PPRT_ERROR_H
#define PPRT_ERROR_H

#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_ERR_MAX 1024

struct pprt_err {
  char msg[PPRT_ERR_MAX];
};

/** Format a message into err (if non-NULL) and return status. */
enum pprt_status pprt_fail(struct pprt_err* err, enum pprt_status status, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Prefix err's message with "<prefix>: ". */
void pprt_err_prefix(struct pprt_err* err, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* pprt_set_last_error (this thread's pprt_last_error() message) is public: pprt/pprt.h. */

#ifdef __cplusplus
}
#endif
#endif
