/* pprt voxelize: the voxelization stage alone (pprt_stage_voxelize): OUT/dpu0_input.bin and OUT/coords.bin. */
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

static int cmd_voxelize(const struct frame_args* a) {
  if (a->out == NULL) return frame_usage_error("%s needs -o OUT", a->cmd);
  struct frame_input in;
  int rc = frame_load(a, &in);
  if (rc) return rc;
  pprt_runtime_t* rt = NULL;
  if ((rc = frame_open_stage_runtime(a, &rt)) != 0) {
    frame_input_free(&in);
    return rc;
  }
  struct pprt_tensor_info d;
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU0_INPUT, &d);
  /* Rows past the pillar count are never read by the pipeline; the buffer starts zeroed and the stage writes only
   * live rows, so the file's dead rows are 0. */
  int8_t* dpu0_in = calloc(d.bytes ? (size_t)d.bytes : 1, 1);
  uint32_t n = 0;
  enum pprt_status st = dpu0_in ? pprt_stage_voxelize(rt, in.sweeps, in.num_sweeps, dpu0_in, &n) : PPRT_STATUS_OUT_OF_MEMORY;
  if (st) {
    rc = frame_fail(st, dpu0_in ? pprt_runtime_last_error(rt) : "out of memory");
  } else if (frame_make_dir(a->out) != 0) {
    fprintf(stderr, "pprt: I/O error: cannot create folder %s\n", a->out);
    rc = 1;
  } else {
    const int32_t* coords = pprt_stage_pillars(rt, &n);
    rc = frame_write_out(a->out, "dpu0_input.bin", dpu0_in, (size_t)d.bytes);
    if (rc == 0) rc = frame_write_out(a->out, "coords.bin", coords, (size_t)n * 2 * sizeof(int32_t));
    if (rc == 0) {
      struct pprt_frame_stats s;
      pprt_runtime_stats(rt, &s);
      printf("pillars %u points %u sweeps %u (dropped: %u non-finite, %u out of range, %u overflow)\n", s.pillars,
             s.points_in, in.num_sweeps, s.points_nonfinite, s.points_out_of_range, s.points_overflow);
    }
  }
  free(dpu0_in);
  pprt_runtime_destroy(rt);
  frame_input_free(&in);
  return rc;
}

int pprt_cmd_voxelize(int argc, char** argv) { return frame_command(argc, argv, cmd_voxelize); }
