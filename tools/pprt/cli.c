/* Helpers shared by the pprt commands: usage errors and number parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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
