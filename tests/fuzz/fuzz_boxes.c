/* libFuzzer harness: lidar-frame box files (tools/nusc/formats.c) through pprt_boxes_load: pprt's JSON
 * ({"boxes": [...]}, what `pprt run --json` writes) or VAI-L's accuracy text, chosen by the first non-blank byte.
 * Properties: a failure has a message and reports 0 boxes; a success reports at most max boxes with labels in
 * 0..1000000; boxes read from VAI text are written back with pprt_boxes_write_vai and read back bit for bit. */
#include <math.h>

#include "fuzz_common.h"
#include "pprt/nusc.h"

#define MAX_BOXES 64

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_write("boxes.txt", data, size);
  static struct pprt_box b[MAX_BOXES], c[MAX_BOXES];
  uint32_t n = 77;
  enum pprt_status st = pprt_boxes_load(path, b, MAX_BOXES, &n);
  FUZZ_CHECK_MESSAGE(st);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(n == 0, "failed with %u boxes", n);
    FUZZ_CHECK(st == PPRT_STATUS_PARSE_ERROR || st == PPRT_STATUS_CAPACITY, "status %s: %s", pprt_status_str(st),
               pprt_last_error());
    return 0;
  }
  FUZZ_CHECK(n <= MAX_BOXES, "%u boxes", n);
  for (uint32_t i = 0; i < n; ++i) FUZZ_CHECK(b[i].label >= 0 && b[i].label <= 1000000, "label %d", b[i].label);
  const char* again = fuzz_path("again.txt");
  FUZZ_CHECK(pprt_boxes_write_vai(again, b, n) == PPRT_STATUS_OK, "write: %s", pprt_last_error());
  uint32_t m = 0;
  st = pprt_boxes_load(again, c, MAX_BOXES, &m);
  FUZZ_CHECK(st == PPRT_STATUS_OK && m == n, "read back: %s, %u of %u boxes", pprt_status_str(st), m, n);
  for (uint32_t i = 0; i < n; ++i) {
    const float* x = &b[i].x;
    const float* y = &c[i].x;
    for (int k = 0; k < 9; ++k)
      FUZZ_CHECK((isnan(x[k]) && isnan(y[k])) || x[k] == y[k], "box %u value %d: %.9g read back as %.9g", i, k,
                 (double)x[k], (double)y[k]);
    FUZZ_CHECK(b[i].label == c[i].label, "box %u label", i);
    FUZZ_CHECK((isnan(b[i].score) && isnan(c[i].score)) || b[i].score == c[i].score, "box %u score", i);
  }
  return 0;
}
