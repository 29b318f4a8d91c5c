/* pprt check ...: runs pprt-check (installed next to pprt) with the same arguments. pprt-check compares every op of a
 * DPU subgraph run on pprt's CPU runner with a quantizer dump folder, writes such dumps, benchmarks per op, and on a
 * board checks the DPU against the CPU runner (--selfcheck). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

int pprt_cmd_check(int argc, char** argv) {
  char self[PATH_MAX];
  if (pprt_cli_self_path(self, sizeof self - 32) != 0) { /* room to put pprt-check in place of pprt */
    fprintf(stderr, "pprt: cannot find my own path to locate pprt-check: %s\n", strerror(errno));
    return 1;
  }
  char* slash = strrchr(self, '/');
  if (slash == NULL) return 1;
  strcpy(slash + 1, "pprt-check");
  char* args[256];
  int k = 0;
  args[k++] = self;
  for (int i = 1; i < argc && k < 255; ++i) args[k++] = argv[i];
  args[k] = NULL;
  execv(self, args);
  fprintf(stderr, "pprt: cannot run %s: %s (pprt check needs the CPU runner build: PPRT_BUILD_CPU_RUNNER=ON)\n", self,
          strerror(errno));
  return 1;
}
