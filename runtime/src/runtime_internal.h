/* Internal: the runtime object and the stage entry points the pprt command uses to run one stage alone
 * (pprt voxelize / scatter / post). pprt_runtime_run is built from exactly these functions, so a stage run alone
 * gives the bytes the full pipeline gives. */
#ifndef PPRT_RUNTIME_INTERNAL_H
#define PPRT_RUNTIME_INTERNAL_H

#include "config.h"
#include "error.h"
#include "pprt/pprt.h"
#include "stages.h"
#include "vart_adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runner kind used internally by the stage tools: no VART runner, host buffers only. */
#define PPRT_RUNNER_NONE_INTERNAL 99

/* Per-frame state: everything a frame in flight owns. A later throughput mode keeps several of these. */
struct pprt_frame_ctx {
  pprt_vrunner* r0;          /* DPU0 runner (NULL with host buffers only) */
  pprt_vrunner* r1;
  int8_t* host0_in;          /* host buffers when there is no runner */
  int8_t* host0_out;
  int8_t* host1_in;
  int8_t* host1_out[3];
  struct pprt_vox_state vox;
  struct pprt_canvas_state canvas;
  struct pprt_post_state post;
  struct pprt_frame_stats stats;
};

/* Model state: immutable after create, shared by all frames. */
struct pprt_runtime {
  struct pprt_options opts;
  char model_dir[4096];
  char name0[256], name1[256];
  char runner_lib[4096];
  struct pprt_model_config cfg;   /* the parameters in force (prototxt of subgraph 0, else 1) */
  pprt_xmodel* xm0;
  pprt_xmodel* xm1;
  uint32_t out_cls, out_reg, out_dir; /* DPU1 output indices */
  struct pprt_vox_params vp;
  struct pprt_scatter_params sp;
  struct pprt_post_params pp;
  const struct pprt_kernels* k;
  uint32_t max_points, max_sweeps;
  struct pprt_frame_ctx ctx;
  struct pprt_err err;
  char last_error[PPRT_ERR_MAX];
};

/* Create with runner = PPRT_RUNNER_NONE_INTERNAL allowed (no VART runner; host tensors). */
enum pprt_status pprt_runtime_create_internal(const struct pprt_options* opts, int runner_kind,
                                              pprt_runtime_t** out);

/* Tensor buffers of the frame context (runner-owned or host). */
int8_t* pprt_rt_dpu0_input(pprt_runtime_t* rt);
int8_t* pprt_rt_dpu0_output(pprt_runtime_t* rt);
int8_t* pprt_rt_dpu1_input(pprt_runtime_t* rt);
int8_t* pprt_rt_dpu1_output(pprt_runtime_t* rt, uint32_t which); /* 0 cls, 1 reg, 2 dir */
const struct pprt_tensor_desc* pprt_rt_dpu0_input_desc(const pprt_runtime_t* rt);
const struct pprt_tensor_desc* pprt_rt_dpu0_output_desc(const pprt_runtime_t* rt);
const struct pprt_tensor_desc* pprt_rt_dpu1_input_desc(const pprt_runtime_t* rt);
const struct pprt_tensor_desc* pprt_rt_dpu1_output_desc(const pprt_runtime_t* rt, uint32_t which);

/* Stage 1: voxelize the sweeps into the DPU0 input. Fills stats counts and the voxelize time. */
enum pprt_status pprt_rt_voxelize(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps);
/* Pillar coordinates (y, x) of the last voxelize, and their count. */
const int32_t* pprt_rt_coords(const pprt_runtime_t* rt, uint32_t* num_pillars);
/* Stage 3: scatter n pillars of features (DPU0 output layout) at coords into the DPU1 input. */
void pprt_rt_scatter(pprt_runtime_t* rt, const int8_t* features, const int32_t* coords, uint32_t n);
/* Stage 5: post-process the three DPU1 outputs. */
void pprt_rt_post(pprt_runtime_t* rt, const int8_t* cls, const int8_t* reg, const int8_t* dir, struct pprt_box* boxes,
                  uint32_t max_boxes, uint32_t* num_boxes);

#ifdef __cplusplus
}
#endif
#endif
