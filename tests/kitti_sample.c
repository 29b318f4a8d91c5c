#include "kitti_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/nusc.h"
#include "testutil.h"

const char kitti_board_output[] =
    "0       18.541065 4.000000 -1.732742 1.703191 4.419279 1.465484 1.679375     0.880797\n"
    "0       34.522400 1.505865 -1.515198 1.503061 3.550991 1.420396 1.710625     0.851953\n"
    "0       10.917599 4.705866 -1.622433 1.650789 4.350764 1.634866 1.632500     0.851953\n"
    "1       21.338512 -2.400002 -1.681677 0.600000 1.963422 1.784916 4.742843     0.777300\n"
    "0       57.891731 -4.188267 -1.536627 1.575194 3.780010 1.512004 2.007500     0.679179\n";

float* kitti_sample_load(int swap, uint32_t* n) {
  size_t len = 0;
  float* raw = pprt_test_read_file(pprt_test_data("xilinx-kitti/sample_pointpillars.bin"), &len);
  CU_ASSERT_FATAL(raw != NULL && len == 125103u * 16u);
  *n = (uint32_t)(len / 16);
  if (!swap) return raw;
  float* s = malloc(len);
  CU_ASSERT_FATAL(s != NULL);
  const size_t h = *n / 2;
  memcpy(s, raw + h * 4, (*n - h) * 16);
  memcpy(s + (*n - h) * 4, raw, h * 16);
  free(raw);
  return s;
}

struct pprt_sweep kitti_sweep(const float* pts, uint32_t n) {
  struct pprt_sweep sw;
  memset(&sw, 0, sizeof sw);
  sw.points = pts;
  sw.num_points = n;
  sw.point_stride = 4;
  return sw;
}

char* kitti_boxes_text(const struct pprt_box* boxes, uint32_t nb, const char* work_name) {
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_write_kitti(pprt_test_work(work_name), boxes, nb), PPRT_STATUS_OK);
  size_t len = 0;
  char* txt = pprt_test_read_file(pprt_test_work(work_name), &len); /* NUL-terminated */
  CU_ASSERT_FATAL(txt != NULL);
  return txt;
}

char* kitti_sample_run(pprt_runtime_t* rt, int swap, struct pprt_box* boxes, uint32_t cap, uint32_t* nb,
                       const char* work_name) {
  uint32_t n = 0;
  float* pts = kitti_sample_load(swap, &n);
  const struct pprt_sweep sw = kitti_sweep(pts, n);
  enum pprt_status st = pprt_runtime_run(rt, &sw, 1, boxes, cap, nb);
  if (st) printf("\n  %s\n", pprt_runtime_last_error(rt));
  free(pts);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  return kitti_boxes_text(boxes, *nb, work_name);
}
