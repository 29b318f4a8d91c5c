/* Shared by the KITTI suites (test_kitti, test_kitti_pair): Xilinx's sample sweep
 * (tests/data/xilinx-kitti/sample_pointpillars.bin), what its graph runner printed for it on a board, one frame of a
 * runtime on it and boxes as `pprt run --format vai` prints them. Failures are fatal CUnit assertions. */
#ifndef PPRT_TEST_KITTI_SAMPLE_H
#define PPRT_TEST_KITTI_SAMPLE_H

#include <stdint.h>

#include "pprt/pprt.h"

/* The sample as stored (swap = 0) or with its halves swapped (points n/2.., then 0..n/2-1): 125103 points of 4
 * floats (malloc'd, *n points). */
float* kitti_sample_load(int swap, uint32_t* n);

/* One KITTI sweep of n points of 4 floats at pts (no transform, no timestamps). */
struct pprt_sweep kitti_sweep(const float* pts, uint32_t n);

/* The nb boxes as `pprt run --format vai` prints them (pprt_boxes_write_kitti through the work file work_name),
 * NUL-terminated, malloc'd. */
char* kitti_boxes_text(const struct pprt_box* boxes, uint32_t nb, const char* work_name);

/* One frame of rt on the sample (halves swapped or not) into boxes[cap]; returns kitti_boxes_text of them. */
char* kitti_sample_run(pprt_runtime_t* rt, int swap, struct pprt_box* boxes, uint32_t cap, uint32_t* nb,
                       const char* work_name);

/* What Xilinx's graph runner printed for the halves-swapped sample on a board (the example's readme; docs/KITTI.md
 * "Threads and the board's output"), every printed digit. */
extern const char kitti_board_output[];

#endif
