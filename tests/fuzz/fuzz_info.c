/* libFuzzer harness: Vitis AI Library multi-sweep .info files through pprt_info_load. The input is the .info text;
 * its folder holds three small point files it may name (a.pcd.bin: 3 nuScenes points, b.pcd.bin: 2, e.pcd.bin:
 * empty). Properties: a failure has a message and reports 0 sweeps; a success reports 1..3 sweeps (3 clouds), the
 * key sweep with the identity transform, every transform finite, each sweep's points one of the files. */
#include <math.h>

#include "fuzz_common.h"

#define NUM_CLOUDS 3

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pprt_cloud_t* clouds[NUM_CLOUDS];
  if (clouds[0] == NULL) {
    for (int i = 0; i < NUM_CLOUDS; ++i)
      if (pprt_cloud_create(64, &clouds[i]) != PPRT_STATUS_OK) abort();
    float pts[15];
    for (int i = 0; i < 15; ++i) pts[i] = (float)i * 0.5f;
    fuzz_write("a.pcd.bin", pts, sizeof pts);
    fuzz_write("b.pcd.bin", pts, 10 * sizeof(float));
    fuzz_write("e.pcd.bin", pts, 0);
  }
  const char* path = fuzz_write("frame.info", data, size);
  struct pprt_sweep sweeps[NUM_CLOUDS];
  memset(sweeps, 0xa5, sizeof sweeps);
  uint32_t n = 77;
  enum pprt_status st = pprt_info_load(path, clouds, NUM_CLOUDS, sweeps, &n);
  FUZZ_CHECK_MESSAGE(st);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(n == 0, "failed with %u sweeps", n);
    FUZZ_CHECK(st != PPRT_STATUS_INTERNAL && st != PPRT_STATUS_INVALID_ARGUMENT, "status %s: %s",
               pprt_status_str(st), pprt_last_error());
    return 0;
  }
  FUZZ_CHECK(n >= 1 && n <= NUM_CLOUDS, "%u sweeps", n);
  for (uint32_t i = 0; i < n; ++i) {
    const struct pprt_sweep* s = &sweeps[i];
    FUZZ_CHECK(s->point_stride == 5 && s->num_points <= 64, "sweep %u: stride %u, %u points", i, s->point_stride,
               s->num_points);
    FUZZ_CHECK(s->num_points == 0 || s->num_points == 2 || s->num_points == 3 || s->num_points <= 64,
               "sweep %u: %u points", i, s->num_points);
    for (int k = 0; k < 9; ++k) FUZZ_CHECK(isfinite(s->rotation[k]), "sweep %u rotation[%d]", i, k);
    for (int k = 0; k < 3; ++k) FUZZ_CHECK(isfinite(s->translation[k]), "sweep %u translation[%d]", i, k);
  }
  for (int k = 0; k < 9; ++k)
    FUZZ_CHECK(sweeps[0].rotation[k] == (k % 4 == 0 ? 1.0f : 0.0f), "key sweep rotation[%d] = %g", k,
               (double)sweeps[0].rotation[k]);
  return 0;
}
