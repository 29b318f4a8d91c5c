/* libFuzzer harness: raw float point files (nuScenes .pcd.bin, 5 floats a point; KITTI .bin, 4 floats) through
 * pprt_cloud_load. The first input byte picks the format (nuScenes, KITTI, or AUTO by size and name); the rest is
 * the file. Properties: a failure has a message; a success holds exactly size / (4 * floats) points, the file's
 * floats in order, no more than the cloud's capacity. */
#include "fuzz_common.h"

#define CAPACITY 4096

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pprt_cloud_t* cloud;
  if (cloud == NULL && pprt_cloud_create(CAPACITY, &cloud) != PPRT_STATUS_OK) abort();
  if (size < 1) return 0;
  static const enum pprt_point_format formats[3] = {PPRT_FORMAT_NUSCENES_BIN, PPRT_FORMAT_KITTI_BIN, PPRT_FORMAT_AUTO};
  static const char* const names[3] = {"points.pcd.bin", "points.bin", "points.bin"};
  const unsigned k = data[0] % 3;
  const uint8_t* body = data + 1;
  const size_t n = size - 1;
  const char* path = fuzz_write(names[k], body, n);
  struct pprt_sweep sw;
  memset(&sw, 0xa5, sizeof sw);
  enum pprt_status st = pprt_cloud_load(cloud, path, formats[k], 42, &sw);
  FUZZ_CHECK_MESSAGE(st);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(st == PPRT_STATUS_PARSE_ERROR || st == PPRT_STATUS_CAPACITY, "unexpected status %s: %s",
               pprt_status_str(st), pprt_last_error());
    return 0;
  }
  unsigned per = formats[k] == PPRT_FORMAT_NUSCENES_BIN ? 5 : formats[k] == PPRT_FORMAT_KITTI_BIN ? 4 : 0;
  if (per == 0) per = n % 20 == 0 && (n % 16 != 0) ? 5 : 4; /* AUTO without "nuscenes" in the name: KITTI on ties */
  FUZZ_CHECK(n % (4 * per) == 0, "%zu bytes accepted as %u-float points", n, per);
  FUZZ_CHECK(sw.num_points == n / (4 * per) && sw.num_points <= CAPACITY, "%u points from %zu bytes", sw.num_points, n);
  FUZZ_CHECK(sw.point_stride == 5 && sw.timestamp_us == 42, "stride %u", sw.point_stride);
  for (uint32_t i = 0; i < sw.num_points; ++i) {
    FUZZ_CHECK(memcmp(&sw.points[(size_t)i * 5], body + (size_t)i * 4 * per, 4 * 4) == 0, "point %u differs", i);
    if (per == 5)
      FUZZ_CHECK(memcmp(&sw.points[(size_t)i * 5 + 4], body + (size_t)i * 20 + 16, 4) == 0, "ring %u", i);
    else
      FUZZ_CHECK(sw.points[(size_t)i * 5 + 4] == 0.0f, "KITTI point %u: extra feature not 0", i);
  }
  return 0;
}
