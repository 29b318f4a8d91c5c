/* pprt scatter: the scatter stage alone (pprt_stage_scatter) on a DPU0 output and coords.bin: OUT/dpu1_input.bin. */
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

static int cmd_scatter(const struct frame_args* a) {
  if (a->out == NULL || a->features == NULL || a->coords == NULL)
    return frame_usage_error("%s needs --features F --coords F -o OUT", a->cmd);
  if (a->sweep) return frame_usage_error("unexpected argument '%s'", a->sweep);
  pprt_runtime_t* rt = NULL;
  int rc = frame_open_stage_runtime(a, &rt);
  if (rc) return rc;
  size_t flen = 0;
  struct pprt_tensor_info d0, d1;
  struct pprt_runtime_info info;
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU0_OUTPUT, &d0);
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU1_INPUT, &d1);
  pprt_runtime_get_info(rt, &info);
  int8_t* feat = frame_read_all(a->features, (size_t)d0.bytes, &flen);
  const int32_t canvas_hw[2] = {(int32_t)info.canvas[0], (int32_t)info.canvas[1]};
  uint32_t n = 0;
  int32_t* coords = feat ? frame_read_coords(a->coords, info.max_pillars, canvas_hw, "canvas", &n) : NULL;
  if (feat == NULL || coords == NULL) {
    rc = 1;
  } else {
    size_t row = (size_t)d0.dims[d0.ndim - 1]; /* one pillar's features */
    if (flen != (size_t)d0.bytes && flen != (size_t)n * row) {
      fprintf(stderr,
              "pprt: bad input: %s has %zu bytes; expected the whole DPU0 output (%llu) or %u live rows x %zu = %zu\n",
              a->features, flen, (unsigned long long)d0.bytes, n, row, (size_t)n * row);
      rc = 1;
    }
    if (rc == 0 && frame_make_dir(a->out) != 0) {
      fprintf(stderr, "pprt: I/O error: cannot create folder %s\n", a->out);
      rc = 1;
    }
    int8_t* canvas = rc == 0 ? malloc(d1.bytes ? (size_t)d1.bytes : 1) : NULL;
    if (rc == 0 && canvas == NULL) rc = frame_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    if (rc == 0) {
      enum pprt_status st = pprt_stage_scatter(rt, feat, coords, n, canvas);
      rc = st ? frame_fail(st, pprt_runtime_last_error(rt)) : frame_write_out(a->out, "dpu1_input.bin", canvas, (size_t)d1.bytes);
      if (rc == 0)
        printf("scattered %u pillars onto a %ux%ux%u canvas (shift %d)\n", n, info.canvas[0], info.canvas[1],
               info.canvas[2], info.scatter_shift);
    }
    free(canvas);
  }
  free(feat);
  free(coords);
  pprt_runtime_destroy(rt);
  return rc;
}

int pprt_cmd_scatter(int argc, char** argv) { return frame_command(argc, argv, cmd_scatter); }
