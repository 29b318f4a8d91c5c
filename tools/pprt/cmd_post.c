/* pprt post: post-processing alone (pprt_stage_post) on raw DPU1 outputs; prints the boxes as pprt run does. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "frame_cli.h"
#include "pprt/stages.h"

static int cmd_post(const struct frame_args* a) {
  if (a->cls == NULL || a->reg == NULL || a->dir == NULL) return frame_usage_error("%s needs --cls F --reg F --dir F", a->cmd);
  if (a->sweep) return frame_usage_error("unexpected argument '%s'", a->sweep);
  pprt_runtime_t* rt = NULL;
  int rc = frame_open_stage_runtime(a, &rt);
  if (rc) return rc;
  int32_t* coords = NULL;
  uint32_t npil = 0;
  struct pprt_runtime_info info;
  pprt_runtime_get_info(rt, &info);
  if (frame_is_kitti(rt)) { /* the anchor mask needs the frame's pillars */
    if (a->coords == NULL) {
      pprt_runtime_destroy(rt);
      return frame_usage_error("%s on a KITTI model needs --coords F (coords.bin of pprt voxelize)", a->cmd);
    }
    const int32_t grid_yx[2] = {info.grid[1], info.grid[0]};
    if ((coords = frame_read_coords(a->coords, info.max_pillars, grid_yx, "grid", &npil)) == NULL) rc = 1;
  }
  const char* files[3] = {a->cls, a->reg, a->dir};
  int8_t* bufs[3] = {NULL, NULL, NULL};
  for (uint32_t i = 0; i < 3 && rc == 0; ++i) {
    struct pprt_tensor_info d;
    pprt_runtime_tensor(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + i), &d);
    size_t want = (size_t)d.bytes, len = 0;
    bufs[i] = frame_read_all(files[i], want, &len);
    if (bufs[i] == NULL) {
      rc = 1;
    } else if (len != want) {
      fprintf(stderr, "pprt: bad input: %s has %zu bytes, the model's %s output '%s' has %zu\n", files[i], len,
              i == 0 ? "cls" : i == 1 ? "reg" : "dir", d.name, want);
      rc = 1;
    }
  }
  if (rc == 0) {
    uint32_t cap = pprt_runtime_max_boxes(rt), n = 0;
    struct pprt_box* boxes = calloc(cap ? cap : 1, sizeof *boxes);
    if (boxes == NULL) {
      rc = frame_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    } else {
      /* KITTI: the pillars of --coords; nuScenes models read none */
      enum pprt_status pst = pprt_stage_post(rt, bufs[0], bufs[1], bufs[2], coords, npil, boxes, cap, &n);
      if (pst) {
        rc = frame_fail(pst, pprt_runtime_last_error(rt));
      } else if (a->json) {
        struct pprt_frame_stats s;
        pprt_runtime_stats(rt, &s);
        printf("{");
        frame_print_boxes_json(stdout, rt, boxes, n);
        printf(",\n\"timings_ms\": {\"postprocess\": %.4f}}\n", s.stage_ms[PPRT_STAGE_POSTPROCESS]);
      } else if (strcmp(a->format, "vai") == 0) {
        const char* path = a->out_file ? a->out_file : "/dev/stdout";
        fflush(stdout);
        enum pprt_status st = frame_is_kitti(rt) ? pprt_boxes_write_kitti(path, boxes, n) : pprt_boxes_write_vai(path, boxes, n);
        if (st) rc = frame_fail(st, pprt_last_error());
      } else {
        frame_print_boxes_table(rt, boxes, n);
      }
      free(boxes);
    }
  }
  for (int i = 0; i < 3; ++i) free(bufs[i]);
  free(coords);
  pprt_runtime_destroy(rt);
  return rc;
}

int pprt_cmd_post(int argc, char** argv) { return frame_command(argc, argv, cmd_post); }
