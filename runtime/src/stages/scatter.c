/* Scatter (docs/DESIGN.md, model contract 5): pillar features onto the BEV canvas, clearing only what the previous frame
 * wrote (the whole canvas once, the first time). */
#include <stdlib.h>
#include <string.h>

#include "stages/stages.h"

enum pprt_status pprt_canvas_state_init(struct pprt_canvas_state* cs, uint32_t max_pillars, struct pprt_err* err) {
  if (cs == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "scatter: NULL canvas state");
  memset(cs, 0, sizeof *cs);
  cs->prev_coords = malloc(((size_t)max_pillars > 0 ? (size_t)max_pillars : 1) * 2 * sizeof *cs->prev_coords);
  if (cs->prev_coords == NULL)
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "scatter: cannot allocate the coordinates of %u pillars",
                     max_pillars);
  cs->dirty_unknown = 1;
  return PPRT_STATUS_OK;
}

void pprt_canvas_state_free(struct pprt_canvas_state* cs) {
  if (cs == NULL) return;
  free(cs->prev_coords);
  memset(cs, 0, sizeof *cs);
}

void pprt_scatter_run(const struct pprt_scatter_params* sp, struct pprt_canvas_state* cs, const struct pprt_kernels* k,
                      const int8_t* feat, const int32_t* coords, uint32_t n, int8_t* canvas) {
  if (canvas != cs->canvas) { /* a canvas this state has not written: what it holds is unknown */
    cs->canvas = canvas;
    cs->dirty_unknown = 1;
  }
  if (cs->dirty_unknown) {
    memset(canvas, 0, (size_t)sp->H * sp->W * sp->C);
    cs->dirty_unknown = 0;
  } else {
    k->canvas_clear(canvas, cs->prev_coords, cs->prev_n, sp->W, sp->C);
  }
  k->scatter(feat, sp->feat_stride, coords, n, canvas, sp->W, sp->C, sp->shift, sp->mode);
  if (n > 0) memcpy(cs->prev_coords, coords, (size_t)n * 2 * sizeof *coords);
  cs->prev_n = n;
}
