#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/kernel_select.h"

int pprt_isa_usable(const char* isa) {
  if (strcmp(isa, "scalar") == 0) return 1;
#if defined(__aarch64__)
  if (strcmp(isa, "neon") == 0) return 1; /* Advanced SIMD is mandatory in ARMv8-A */
#endif
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2");
  if (strcmp(isa, "avx512vnni") == 0)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
  return 0;
}

size_t pprt_kernel_sets_choose(const char* const* isa, size_t n, size_t* keep, size_t* chosen) {
  assert(n > 0 && strcmp(isa[0], "scalar") == 0);
  size_t count = 0;
  for (size_t i = 0; i < n; ++i)
    if (pprt_isa_usable(isa[i])) keep[count++] = i;
  *chosen = count - 1;
  const char* env = getenv("PPRT_KERNELS");
  for (size_t j = 0; env != NULL && j < count; ++j)
    if (strcmp(isa[keep[j]], env) == 0) *chosen = j;
  return count;
}
