/* libFuzzer harness: PCD v0.7 files (ASCII and binary: header, FIELDS / SIZE / TYPE / COUNT, WIDTH x HEIGHT,
 * POINTS, DATA) through pprt_cloud_load. Properties: a failure has a message and is a parse, capacity or I/O error
 * (or "unavailable": binary_compressed data);
 * a success holds at most the cloud's capacity with stride 5 and the given timestamp. */
#include "fuzz_common.h"

#define CAPACITY 4096

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pprt_cloud_t* cloud;
  if (cloud == NULL && pprt_cloud_create(CAPACITY, &cloud) != PPRT_STATUS_OK) abort();
  const char* path = fuzz_write("points.pcd", data, size);
  for (int k = 0; k < 2; ++k) { /* by extension, and named explicitly */
    struct pprt_sweep sw;
    memset(&sw, 0xa5, sizeof sw);
    enum pprt_status st = pprt_cloud_load(cloud, path, k == 0 ? PPRT_FORMAT_AUTO : PPRT_FORMAT_PCD, -7, &sw);
    FUZZ_CHECK_MESSAGE(st);
    if (st != PPRT_STATUS_OK) {
      FUZZ_CHECK(st == PPRT_STATUS_PARSE_ERROR || st == PPRT_STATUS_CAPACITY || st == PPRT_STATUS_IO_ERROR ||
                     st == PPRT_STATUS_UNAVAILABLE, /* DATA binary_compressed */
                 "unexpected status %s: %s", pprt_status_str(st), pprt_last_error());
      return 0;
    }
    FUZZ_CHECK(sw.num_points <= CAPACITY && sw.point_stride == 5 && sw.timestamp_us == -7, "%u points, stride %u",
               sw.num_points, sw.point_stride);
    /* every value was read (a read of uninitialised memory shows under MSan / valgrind; here: touch them all) */
    volatile float sink = 0.0f;
    for (size_t i = 0; i < (size_t)sw.num_points * 5; ++i) sink += sw.points[i];
    (void)sink;
  }
  return 0;
}
