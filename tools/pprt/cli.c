/* Helpers shared by the pprt commands: usage errors, number parsing and option values. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"

int pprt_cli_usage(const char* cmd, const char* fmt, const char* arg) {
  fprintf(stderr, cmd != NULL ? "pprt %s: " : "pprt: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n(run 'pprt help' for usage)\n");
  return 2;
}

int pprt_cli_parse_u32(const char* s, uint32_t lo, uint32_t hi, uint32_t* out) {
  char* end = NULL;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end != '\0' || s[0] == '-' || v > 0xffffffffUL || v < lo || v > hi) return -1;
  *out = (uint32_t)v;
  return 0;
}

int pprt_cli_missing_value(const char* cmd, int argc, char** argv, int i) {
  return i + 1 < argc ? 0 : pprt_cli_usage(cmd, "option %s needs a value", argv[i]);
}

int pprt_cli_value_u32(const char* cmd, int argc, char** argv, int* i, uint32_t lo, uint32_t hi, uint32_t* out) {
  if (pprt_cli_missing_value(cmd, argc, argv, *i)) return 2;
  const char* opt = argv[*i];
  const char* v = argv[++*i];
  if (pprt_cli_parse_u32(v, lo, hi, out) == 0) return 0;
  char fmt[160];
  if (lo == 1 && hi == UINT32_MAX)
    snprintf(fmt, sizeof fmt, "%s must be a positive integer, got '%%s'", opt);
  else
    snprintf(fmt, sizeof fmt, "%s must be %u..%u, got '%%s'", opt, (unsigned)lo, (unsigned)hi);
  return pprt_cli_usage(cmd, fmt, v);
}

int pprt_cli_self_path(char* buf, size_t cap) {
  ssize_t n = cap > 1 ? readlink("/proc/self/exe", buf, cap - 1) : -1;
  if (n <= 0) {
    if (cap > 0) buf[0] = '\0';
    if (n == 0 || cap <= 1) errno = ENAMETOOLONG;
    return -1;
  }
  buf[n] = '\0';
  return 0;
}
