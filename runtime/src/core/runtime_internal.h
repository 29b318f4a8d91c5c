/* Internal: the runtime object and its frame contexts. pprt_runtime_run, the stream and the public stage calls
 * (pprt/stages.h) are all built from the pprt_ctx_* functions below, so a stage run alone gives the bytes the full
 * pipeline gives. */
#ifndef PPRT_RUNTIME_INTERNAL_H
#define PPRT_RUNTIME_INTERNAL_H

#include <semaphore.h>
#include <stdatomic.h>

#include "model/model_config.h"
#include "model/kitti.h"
#include "pprt_common/error.h"
#include "pprt/pprt.h"
#include "pprt/stages.h"
#include "stages/stages.h"
#include "backend/backend.h"
#include "backend/vart_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-frame state: everything a frame in flight owns. A later throughput mode keeps several of these. */
struct pprt_frame_ctx {
  struct pprt_backend* dpu[2]; /* subgraph 0 and 1: their runners and tensors, or host buffers (backend/backend.h) */
  struct pprt_vox_state vox;
  struct pprt_canvas_state canvas;
  struct pprt_post_state post;
  struct pprt_kitti_post_state kpost; /* KITTI family */
  int32_t* kcoords;          /* KITTI: the pillars (y, x) of the frame on this context's DPU1 input (anchor mask) */
  uint32_t kn;
  struct pprt_frame_stats stats;
};

/* Simulated DPU timing (pprt_runtime_simulate_dpu): a job of subgraph i lasts at least ms[i]; at most `cores` jobs
 * run at once across every context of the runtime (a counting semaphore; cores == 0: no limit). */
struct pprt_dpu_sim {
  double ms[2];
  uint32_t cores;
  sem_t free_cores;
};

/* The model families pprt runs (docs/KITTI.md for KITTI). */
enum pprt_family { PPRT_FAMILY_NUSCENES = 0, PPRT_FAMILY_KITTI = 1 };

/* Model state: immutable after create, shared by all frames. */
struct pprt_runtime {
  enum pprt_family family;
  struct pprt_kitti_config kcfg;  /* KITTI: the configuration in force */
  struct pprt_kitti_post_params kpp;
  struct pprt_options opts;
  char model_dir[4096];
  char name0[256], name1[256];
  char runner_lib[4096];
  char dpu_attrs[2][512];         /* pprt_xmodel_dpu_info of each subgraph (pprt_runtime_get_info) */
  struct pprt_model_config cfg;   /* the parameters in force (subgraph 0 prototxt + settings file) */
  pprt_xmodel* xm0;
  pprt_xmodel* xm1;
  uint32_t out_cls, out_reg, out_dir; /* DPU1 output indices */
  struct pprt_vox_params vp;
  struct pprt_scatter_params sp;
  struct pprt_post_params pp;
  const struct pprt_kernels* k;
  uint32_t max_points, max_sweeps;
  enum pprt_runner runner_kind;   /* what streams create (PPRT_RUNNER_NONE: host buffers, no streams) */
  struct pprt_dpu_sim* sim;       /* pprt_runtime_simulate_dpu (NULL: none); shared by every context of rt */
  struct pprt_frame_ctx ctx;
  struct pprt_err err;
  char last_error[PPRT_ERR_MAX];
  atomic_int busy;                /* 1 while pprt_runtime_run / simulate_dpu runs: a second caller gets BUSY */
  atomic_uint streams;            /* live streams on rt (pprt_runtime_simulate_dpu refuses to change rt->sim) */
};

/* Tensor t of the runtime's own frame context: its buffer (runner-owned or host; writable, the public
 * pprt_runtime_tensor_data gives it read-only) and the xmodel's description of it. t must be valid. */
int8_t* pprt_runtime_tensor_buf(pprt_runtime_t* rt, enum pprt_tensor t);
const struct pprt_tensor_desc* pprt_runtime_tensor_desc(const pprt_runtime_t* rt, enum pprt_tensor t);

/* ---- frame contexts on their own (the stream owns several and runs their stages from worker threads) ----
 * rt is only read by these functions, so several threads may run them at once on different contexts. */
enum pprt_status pprt_frame_ctx_init(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, enum pprt_runner runner_kind,
                                     struct pprt_err* err);
void pprt_frame_ctx_free(struct pprt_frame_ctx* f);
int8_t* pprt_ctx_dpu0_input(struct pprt_frame_ctx* f);
int8_t* pprt_ctx_dpu0_output(struct pprt_frame_ctx* f);
int8_t* pprt_ctx_dpu1_input(struct pprt_frame_ctx* f);
int8_t* pprt_ctx_dpu1_output(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, uint32_t which); /* 0 cls 1 reg 2 dir */
/* Stage 1 into f's DPU0 input (or out) and f->vox; fills the counts and the voxelize time of *stats. */
enum pprt_status pprt_ctx_voxelize(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, const struct pprt_sweep* sweeps,
                                   uint32_t num_sweeps, struct pprt_frame_stats* stats, struct pprt_err* err);
enum pprt_status pprt_ctx_voxelize_into(const pprt_runtime_t* rt, struct pprt_frame_ctx* f,
                                        const struct pprt_sweep* sweeps, uint32_t num_sweeps, int8_t* out,
                                        struct pprt_frame_stats* stats, struct pprt_err* err);
/* Stage 2 / 4: run subgraph sg (0 or 1) on f's runner, with the runtime's DPU simulation if any; fills the stage time
 * (the job itself, not the wait for a simulated core). */
enum pprt_status pprt_ctx_dpu(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, int sg, struct pprt_frame_stats* stats,
                              struct pprt_err* err);
/* Stage 3: src's DPU0 output at src's pillar coordinates onto dst's DPU1 input (dst's canvas state). */
void pprt_ctx_scatter(const pprt_runtime_t* rt, const struct pprt_frame_ctx* src, struct pprt_frame_ctx* dst,
                      struct pprt_frame_stats* stats);
/* Stage 5: post-process f's DPU1 outputs. */
void pprt_ctx_post(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, struct pprt_box* boxes, uint32_t max_boxes,
                   uint32_t* num_boxes, struct pprt_frame_stats* stats);

/* Stage 5 on explicit DPU1 outputs (e.g. copies) with post state ps (kps and the frame's pillars for the KITTI
 * family); adds its time to the post-processing time. */
void pprt_ctx_post_from(const pprt_runtime_t* rt, struct pprt_post_state* ps, struct pprt_kitti_post_state* kps,
                        const int8_t* cls, const int8_t* reg, const int8_t* dir, const int32_t* coords,
                        uint32_t num_pillars, struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes,
                        struct pprt_frame_stats* stats);

/* Stream internals for tests: the stream's frame contexts (one per DPU core; context i's runners are driven by the
 * i-th DPU0 / DPU1 worker). */
uint32_t pprt_stream_num_contexts(const struct pprt_stream* s);
struct pprt_frame_ctx* pprt_stream_context(struct pprt_stream* s, uint32_t i);

#ifdef __cplusplus
}
#endif
#endif
