/*
 * pprt/stages.h: pprt's CPU stages one at a time, on caller buffers.
 *
 * pprt_runtime_run is voxelize -> DPU subgraph 0 -> scatter -> DPU subgraph 1 -> post-process (docs/DESIGN.md, "The
 * data path of a sweep"). The calls here run the three CPU stages alone with the runtime's parameters and the same
 * functions pprt_runtime_run runs, so a stage run alone gives exactly the bytes the full pipeline gives: for checking
 * a stage against a quantizer's dumps, feeding tensors from elsewhere, or timing a stage and a kernel set.
 *
 * A runtime for the stages alone is created with runner PPRT_RUNNER_NONE (no VART runner, nothing allocated for DPU
 * tensors: the caller owns them); any runtime works. The stage calls use the runtime's own per-frame state, so they
 * follow the runtime's thread rule (pprt/pprt.h, "Threads"): one call at a time per runtime (else BUSY).
 */
#ifndef PPRT_STAGES_H_PUBLIC
#define PPRT_STAGES_H_PUBLIC

#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The tensors around the two DPU subgraphs (int8, NHWC; docs/DESIGN.md, model contract 2). */
enum pprt_tensor {
  PPRT_TENSOR_DPU0_INPUT = 0,  /* [pillars][points][features]: what voxelize writes */
  PPRT_TENSOR_DPU0_OUTPUT = 1, /* [pillars][1][C]: what scatter reads */
  PPRT_TENSOR_DPU1_INPUT = 2,  /* [1][H][W][C]: the BEV canvas scatter writes */
  PPRT_TENSOR_DPU1_CLS = 3,    /* the three DPU1 outputs post-processing reads */
  PPRT_TENSOR_DPU1_REG = 4,
  PPRT_TENSOR_DPU1_DIR = 5,
  PPRT_TENSOR_COUNT = 6
};

#define PPRT_TENSOR_INFO_MAX_DIMS 8

struct pprt_tensor_info {
  const char* name;       /* the xmodel's tensor name (valid as long as the runtime) */
  uint32_t ndim;
  int32_t dims[PPRT_TENSOR_INFO_MAX_DIMS]; /* batch dimension included */
  int32_t fix_point;      /* real value = q * 2^-fix_point */
  uint64_t bytes;         /* one frame's tensor (dims without the batch dimension) */
};

/** Describe tensor t of rt's model. */
PPRT_API enum pprt_status pprt_runtime_tensor(const pprt_runtime_t* rt, enum pprt_tensor t,
                                              struct pprt_tensor_info* out);

/** The runtime's own buffer of tensor t (its runner's, or the host buffer of PPRT_RUNNER_NONE): after
 *  pprt_runtime_run, what the last frame put there (e.g. the DPU outputs to compare with a quantizer's dumps).
 *  Valid until the next call on rt; NULL for a bad argument. */
PPRT_API const int8_t* pprt_runtime_tensor_data(pprt_runtime_t* rt, enum pprt_tensor t);

/** What a runtime was built from and with. Strings are valid as long as the runtime. */
struct pprt_runtime_info {
  const char* family;        /* "nuscenes" or "kitti" */
  const char* model_name0;   /* the two subgraphs' model names (folder names, or the one-file graph's name) */
  const char* model_name1;
  const char* kernels;       /* the kernel set the stages run: "scalar", "neon", "avx2" */
  uint32_t max_pillars;      /* DPU0 input's pillar rows */
  int32_t grid[3];           /* voxel grid: cells in x, y, z; pillar coordinates are (y, x) in [0, grid[1]) x [0, grid[0]) */
  uint32_t canvas[3];        /* DPU1 input H, W, C: scatter's coordinates must be inside H x W */
  int32_t scatter_shift;     /* fix point of DPU1's input minus DPU0's output (requantization by 2^shift) */
  uint32_t num_classes;      /* class logits per anchor in DPU1's cls output */
  float score_thresh;        /* the score threshold in force */
  const char* dpu_attrs[2];  /* what each DPU subgraph says about its target (dpu_name, fingerprint; "" if nothing) */
};
PPRT_API enum pprt_status pprt_runtime_get_info(const pprt_runtime_t* rt, struct pprt_runtime_info* out);

/** Kernel sets (the NEON / AVX2 / scalar variants of the pipeline kernels) usable on this CPU: count, and the name of
 *  set i (i = 0 is "scalar", always there). */
PPRT_API uint32_t pprt_kernel_set_count(void);
PPRT_API const char* pprt_kernel_set_name(uint32_t i);

/** Run rt's stages (and pprt_runtime_run) with the kernel set `name` (one of pprt_kernel_set_name, or "best": what the
 *  runtime chose at create). INVALID_ARGUMENT naming the sets there are for anything else. Not while a stream exists
 *  on rt (BUSY). */
PPRT_API enum pprt_status pprt_runtime_use_kernels(pprt_runtime_t* rt, const char* name);

/** Stage 1: filter, fuse and voxelize the sweeps (as pprt_runtime_run takes them) into dpu0_input
 *  (PPRT_TENSOR_DPU0_INPUT bytes). Only the rows of live pillars are written (each one whole: empty point slots 0);
 *  the other rows are left as they are. *num_pillars: live pillars. Fills the counts and the voxelize time of
 *  pprt_runtime_stats. */
PPRT_API enum pprt_status pprt_stage_voxelize(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                              int8_t* dpu0_input, uint32_t* num_pillars);

/** The pillar coordinates (y, x) of the last pprt_stage_voxelize (or frame) on rt, num_pillars pairs; valid until the
 *  next one. */
PPRT_API const int32_t* pprt_stage_pillars(const pprt_runtime_t* rt, uint32_t* num_pillars);

/** Stage 3: write n pillars' features (features: DPU0 output layout) at coords (n pairs (y, x)) onto the canvas
 *  dpu1_input (PPRT_TENSOR_DPU1_INPUT bytes), requantized to its fix point, and clear what the previous scatter onto
 *  the same canvas wrote (a canvas rt has not seen before is cleared whole). Coordinates outside the canvas:
 *  BAD_INPUT, nothing written. */
PPRT_API enum pprt_status pprt_stage_scatter(pprt_runtime_t* rt, const int8_t* features, const int32_t* coords,
                                             uint32_t n, int8_t* dpu1_input);

/** Stage 5: decode and NMS the three DPU1 outputs into at most max_boxes boxes (highest score first), as
 *  pprt_runtime_run returns them. coords / num_pillars: the frame's pillars (KITTI models mask anchors with them;
 *  NULL: the last pprt_stage_voxelize's); other models ignore them. */
PPRT_API enum pprt_status pprt_stage_post(pprt_runtime_t* rt, const int8_t* cls, const int8_t* reg, const int8_t* dir,
                                          const int32_t* coords, uint32_t num_pillars, struct pprt_box* boxes,
                                          uint32_t max_boxes, uint32_t* num_boxes);

#ifdef __cplusplus
}
#endif

#endif /* PPRT_STAGES_H_PUBLIC */
