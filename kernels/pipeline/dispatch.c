#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/kernels.h"

static const struct pprt_kernels k_scalar = {
    pprt_pointquant_scalar, pprt_scatter_scalar, pprt_canvas_clear_scalar, pprt_threshold_scan_scalar,
    pprt_pointquant_kitti_scalar, "scalar"};

#if defined(PPRT_HAVE_NEON)
static const struct pprt_kernels k_neon = {
    pprt_pointquant_neon, pprt_scatter_neon, pprt_canvas_clear_neon, pprt_threshold_scan_neon,
    pprt_pointquant_kitti_neon, "neon"};
#endif
#if defined(PPRT_HAVE_AVX2)
static const struct pprt_kernels k_avx2 = {
    pprt_pointquant_avx2, pprt_scatter_avx2, pprt_canvas_clear_avx2, pprt_threshold_scan_avx2,
    pprt_pointquant_kitti_avx2, "avx2"};
#endif

static const struct pprt_kernels* g_all[4];
static size_t g_count;
static const struct pprt_kernels* g_best;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void pick(void) {
  g_count = 0;
  g_all[g_count++] = &k_scalar;
  g_best = &k_scalar;
#if defined(PPRT_HAVE_NEON)
  g_all[g_count++] = &k_neon;
  g_best = &k_neon;
#endif
#if defined(PPRT_HAVE_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    g_all[g_count++] = &k_avx2;
    g_best = &k_avx2;
  }
#endif
  const char* env = getenv("PPRT_KERNELS");
  if (env != NULL && strcmp(env, "scalar") == 0) g_best = &k_scalar;
}

const struct pprt_kernels* pprt_kernels(void) {
  pthread_once(&g_once, pick);
  return g_best;
}

const struct pprt_kernels* pprt_kernels_scalar(void) { return &k_scalar; }

const struct pprt_kernels* const* pprt_kernels_all(size_t* count) {
  pthread_once(&g_once, pick);
  if (count != NULL) *count = g_count;
  return g_all;
}
