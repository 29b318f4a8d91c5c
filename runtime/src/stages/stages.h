/* Internal: the ARM stages around the two DPU subgraphs. Each stage has immutable parameters (model state, shared
 * by all frames) and a state struct (per-frame / per-buffer state) whose buffers are all allocated at init. */
#ifndef PPRT_STAGES_H
#define PPRT_STAGES_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_config.h"
#include "pprt_common/error.h"
#include "pprt/kernels.h"
#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================= voxelization (docs/DESIGN.md, model contract 3-4) ================= */

struct pprt_vox_params {
  float range_min[3], range_max[3]; /* the voxel grid's range (cell origin; the default mode's point filter) */
  float filter_min[3], filter_max[3]; /* the prototxt's point_cloud_range: VAI-L's point filter (vai_compat) */
  float voxel_size[3];
  int32_t grid[3];            /* gx, gy, gz (gz == 1 for pillars) */
  uint32_t num_features;      /* features per point (DPU0 input's last dim): 4 or 5 */
  uint32_t max_slots;         /* point slots per pillar (max_points_num) */
  uint32_t max_pillars;       /* max_voxels_num */
  float mean[PPRT_PQ_MAX_FEATURES];
  float qscale[PPRT_PQ_MAX_FEATURES]; /* scale * 2^fp_in (DPU0 input fix point) */
  int vai_compat;             /* stop reading points when the pillar limit is reached */
  int kitti;                  /* KITTI family: points through pointquant_kitti with kq (docs/KITTI.md) */
  struct pprt_pointquant_kitti_params kq;
};

/* Fill params from the model config and DPU0's input fix point. MODEL_MISMATCH if the config can't be used. */
enum pprt_status pprt_vox_params_init(struct pprt_vox_params* vp, const struct pprt_model_config* cfg,
                                      int32_t dpu0_input_fix_point, int vai_compat, struct pprt_err* err);

struct pprt_vox_counts {
  uint32_t points_in, nonfinite, out_of_range, overflow;
};

struct pprt_vox_state {
  int32_t* cell_pillar;   /* [gy*gx]: pillar id of a cell or -1; only the cells of the last frame are reset */
  uint16_t* fill;         /* [max_pillars]: points in each pillar */
  int32_t* coords;        /* [max_pillars][2]: (y, x) per pillar, in pillar order */
  uint32_t num_pillars;
  int stopped;            /* vai_compat: the pillar limit was hit, ignore the rest of the frame */
  int32_t* blk_cell;      /* kernel scratch: PPRT_VOX_BLOCK cells */
  int8_t* blk_q;          /* kernel scratch: PPRT_VOX_BLOCK * 8 features */
  struct pprt_vox_counts counts;
};
#define PPRT_VOX_BLOCK 1024

enum pprt_status pprt_vox_state_init(struct pprt_vox_state* vs, const struct pprt_vox_params* vp,
                                     struct pprt_err* err);
void pprt_vox_state_free(struct pprt_vox_state* vs);

/* Start a frame: reset the cells of the previous frame, zero counts. */
void pprt_vox_begin(const struct pprt_vox_params* vp, struct pprt_vox_state* vs);

/* Add one sweep's points (key sweep: R == NULL) into the DPU0 input tensor out
 * ([max_pillars][max_slots][num_features] int8). A new pillar's row is zeroed when it is created (its empty slots
 * are exactly 0); rows of ids >= num_pillars are never touched. */
void pprt_vox_add(const struct pprt_vox_params* vp, struct pprt_vox_state* vs, const struct pprt_kernels* k,
                  const float* pts, size_t n, size_t stride, const float* rot9, const float* trans3, float dt,
                  int8_t* out);

/* ================= scatter (section 5) ================= */

struct pprt_scatter_params {
  uint32_t H, W, C;           /* DPU1 input [1][H][W][C] */
  size_t feat_stride;         /* bytes between pillars in DPU0's output (C for [P][1][C]) */
  int shift;                  /* fp(DPU1 in) - fp(DPU0 out) */
  enum pprt_requant_mode mode;
};

/* Per canvas (one per DPU1 input buffer): the cells written last time. */
struct pprt_canvas_state {
  int32_t* prev_coords;       /* [max_pillars][2] */
  uint32_t prev_n;
  int dirty_unknown;          /* 1 until the canvas has been fully cleared once */
  const int8_t* canvas;       /* the canvas prev_coords refer to (another one is cleared whole first) */
};

enum pprt_status pprt_canvas_state_init(struct pprt_canvas_state* cs, uint32_t max_pillars, struct pprt_err* err);
void pprt_canvas_state_free(struct pprt_canvas_state* cs);

/* Clear what the previous scatter wrote (the whole canvas the first time), write the n pillars, remember them. */
void pprt_scatter_run(const struct pprt_scatter_params* sp, struct pprt_canvas_state* cs, const struct pprt_kernels* k,
                      const int8_t* feat, const int32_t* coords, uint32_t n, int8_t* canvas);

/* ================= post-processing (sections 6-7) ================= */

struct pprt_post_params {
  uint32_t H, W;              /* feature map (200 x 200) */
  uint32_t num_sizes, num_rot, num_classes, code_size; /* 7, 2, 10, 9 */
  float x_centers[1024], y_centers[1024]; /* anchor centres per column / row */
  float anchor_z[PPRT_CFG_MAX_ANCHOR_SETS];   /* bottom z per size */
  float anchor_wlh[PPRT_CFG_MAX_ANCHOR_SETS][3];
  float rotations[PPRT_CFG_MAX_ROTATIONS];
  float custom_values[PPRT_CFG_MAX_CUSTOM];
  int32_t fp_cls, fp_reg, fp_dir;
  float score_thresh;
  int8_t logit_thresh;        /* floor(logit(score_thresh) * 2^fp_cls), clamped to int8 */
  uint32_t nms_pre, max_num;
  float nms_thresh;
  int vai_compat;
};

enum pprt_status pprt_post_params_init(struct pprt_post_params* pp, const struct pprt_model_config* cfg,
                                       int32_t fp_cls, int32_t fp_reg, int32_t fp_dir, float score_thresh,
                                       int vai_compat, struct pprt_err* err);

struct pprt_post_state {
  void* impl;                 /* buffers sized at init for the worst case (every anchor a candidate) */
};

enum pprt_status pprt_post_state_init(struct pprt_post_state* ps, const struct pprt_post_params* pp,
                                      struct pprt_err* err);
void pprt_post_state_free(struct pprt_post_state* ps);

/* cls [H*W*A][K], reg [H*W*A][code_size], dir [H*W*A][2] int8 (A = num_sizes*num_rot). Writes at most max_boxes
 * boxes (score descending) and returns their count in *num_boxes, the anchors above threshold in *num_candidates. */
void pprt_post_run(const struct pprt_post_params* pp, struct pprt_post_state* ps, const struct pprt_kernels* k,
                   const int8_t* cls, const int8_t* reg, const int8_t* dir, struct pprt_box* boxes,
                   uint32_t max_boxes, uint32_t* num_boxes, uint32_t* num_candidates);

/* Exposed for tests and the oracle: exact rotated-rectangle IoU in the BEV plane. A box is centre (x, y), size w
 * (along the box's own x axis) and l (along its y axis), rotated clockwise by yaw as in mmdetection3d 0.6.1 and VAI-L
 * 2.5: corner = centre + (dx cos(yaw) + dy sin(yaw), -dx sin(yaw) + dy cos(yaw)). */
double pprt_bev_iou(const float a[5], const float b[5]);

#ifdef __cplusplus
}
#endif
#endif
