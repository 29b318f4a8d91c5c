/* Internal: the KITTI PointPillars family (Vitis AI 2.5 `pointpillars` / Custom_OP_Demo, a second.pytorch model):
 * its configuration, its point quantization parameters and its post-processing (anchor mask, decode, axis-aligned
 * NMS over all classes). The arithmetic, step by step, is docs/KITTI.md. Voxelization bookkeeping and the scatter
 * are the shared stages (stages.h). */
#ifndef PPRT_MODEL_KITTI_H
#define PPRT_MODEL_KITTI_H

#include <stddef.h>
#include <stdint.h>

#include "pprt_common/error.h"
#include "pprt/kernels.h"
#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_KITTI_MAX_GENERATORS 8
#define PPRT_KITTI_MAX_ROTATIONS 4
#define PPRT_KITTI_NAME_MAX 64

/* One second.pytorch `anchor_generator_stride` (one class). */
struct pprt_kitti_anchor_gen {
  char class_name[PPRT_KITTI_NAME_MAX];
  float sizes[3];    /* w, l, h */
  float strides[3];  /* x, y, z */
  float offsets[3];  /* x, y, z of the first anchor centre (z: the anchor's z as stored, see docs/KITTI.md) */
  uint32_t num_rotations;
  float rotations[PPRT_KITTI_MAX_ROTATIONS];
};

/* The parameters of the model: the Model Zoo prototxt (`pointpillars_kitti_param { base { ... } }`) plus the
 * second.pytorch pipeline configuration (`<name>_officialcfg.prototxt`). */
struct pprt_kitti_config {
  float point_cloud_range[6];      /* x_min, y_min, z_min, x_max, y_max, z_max */
  float voxel_size[3];
  uint32_t points_dim;             /* floats per point in a sweep file (4) */
  uint32_t max_points_num;         /* point slots per pillar (100) */
  uint32_t max_voxels_num;         /* pillar limit (12000) */
  uint32_t num_class;
  uint32_t layer_stride;           /* rpn.layer_strides[0]: input grid / feature map */
  uint32_t num_generators;
  struct pprt_kitti_anchor_gen gen[PPRT_KITTI_MAX_GENERATORS];
  uint32_t nms_pre_max_size, nms_post_max_size;
  float nms_score_threshold, nms_iou_threshold;
};

/** Xilinx's Custom_OP_Demo configuration (KITTI PointPillars, 12000 x 100, 3 classes); what
 *  the two files in models/kitti hold. */
void pprt_kitti_config_demo(struct pprt_kitti_config* cfg);

/** Read the two files of a KITTI model: prototxt (Model Zoo schema, pointpillars_kitti_param) and officialcfg
 *  (second.pytorch TrainEvalPipelineConfig text). Fields not present keep pprt_kitti_config_demo()'s values.
 *  PARSE_ERROR with file:line:col on bad syntax, MODEL_MISMATCH on unusable values. */
enum pprt_status pprt_kitti_config_load(const char* prototxt, const char* officialcfg, struct pprt_kitti_config* cfg,
                                        struct pprt_err* err);

/* Bits of what a second.pytorch configuration file gave (pprt_kitti_config_load_given). */
enum pprt_kitti_given {
  PPRT_KITTI_GIVEN_RANGE = 1u << 0,       /* model.second.voxel_generator.point_cloud_range */
  PPRT_KITTI_GIVEN_VOXEL = 1u << 1,       /* model.second.voxel_generator.voxel_size */
  PPRT_KITTI_GIVEN_MAX_POINTS = 1u << 2,  /* model.second.voxel_generator.max_number_of_points_per_voxel */
  PPRT_KITTI_GIVEN_MAX_VOXELS = 1u << 3,  /* eval_input_reader.max_number_of_voxels */
  PPRT_KITTI_GIVEN_NUM_CLASS = 1u << 4,   /* model.second.num_class */
  PPRT_KITTI_GIVEN_STRIDES = 1u << 5,     /* model.second.rpn.layer_strides */
  PPRT_KITTI_GIVEN_NMS_PRE = 1u << 6,     /* model.second.nms_pre_max_size */
  PPRT_KITTI_GIVEN_NMS_POST = 1u << 7,    /* model.second.nms_post_max_size */
  PPRT_KITTI_GIVEN_NMS_SCORE = 1u << 8,   /* model.second.nms_score_threshold */
  PPRT_KITTI_GIVEN_NMS_IOU = 1u << 9,     /* model.second.nms_iou_threshold */
  PPRT_KITTI_GIVEN_GENERATORS = 1u << 10, /* model.second.target_assigner.anchor_generators */
  PPRT_KITTI_GIVEN_ALL = (1u << 11) - 1u
};

/** pprt_kitti_config_load, and *given (may be NULL) = the enum pprt_kitti_given bits of the fields the officialcfg
 *  file set (the Model Zoo pair requires them all: VAI-L would read 0 for a missing one). */
enum pprt_status pprt_kitti_config_load_given(const char* prototxt, const char* officialcfg,
                                              struct pprt_kitti_config* cfg, uint32_t* given, struct pprt_err* err);

/** The officialcfg path of a given bit ("model.second.nms_iou_threshold"), for messages. */
const char* pprt_kitti_given_name(uint32_t bit);

/** Grid of the voxelizer: int((max - min) / size) per axis (float arithmetic, as Vitis AI). */
void pprt_kitti_grid(const struct pprt_kitti_config* cfg, int32_t grid[3]);

/** Quantization parameters of the KITTI points for a DPU0 input fix point. */
enum pprt_status pprt_kitti_pointquant_params(const struct pprt_kitti_config* cfg, int32_t dpu0_input_fix_point,
                                              struct pprt_pointquant_kitti_params* out, struct pprt_err* err);

/* ---- post-processing ---- */

struct pprt_kitti_post_params {
  uint32_t H, W, A, K;             /* feature map rows / columns, anchors per cell, classes */
  int32_t gx, gy;                  /* voxel grid (anchor mask) */
  float anchor[PPRT_KITTI_MAX_GENERATORS * PPRT_KITTI_MAX_ROTATIONS][4]; /* per anchor slot: z, w, l, h */
  float rot[PPRT_KITTI_MAX_GENERATORS * PPRT_KITTI_MAX_ROTATIONS];
  float* xc;                       /* [A][W] anchor x centres */
  float* yc;                       /* [A][H] anchor y centres */
  int32_t* bx;                     /* [A][W][2] anchor-mask box columns x1, x2 */
  int32_t* by;                     /* [A][H][2] anchor-mask box rows y1, y2 */
  int32_t fp_cls, fp_box, fp_dir;
  float score_logit;               /* -log(1 / score_threshold - 1) as float */
  int32_t cls_min_q;               /* smallest int8 logit whose value >= score_logit (may be < -128 or > 127) */
  uint32_t nms_pre, nms_post;
  float nms_iou;
};

enum pprt_status pprt_kitti_post_params_init(struct pprt_kitti_post_params* pp, const struct pprt_kitti_config* cfg,
                                             int32_t fp_cls, int32_t fp_box, int32_t fp_dir, float score_thresh,
                                             struct pprt_err* err);
void pprt_kitti_post_params_free(struct pprt_kitti_post_params* pp);

struct pprt_kitti_post_state {
  void* impl;                      /* every buffer sized at init for the worst case (every anchor a candidate) */
};

enum pprt_status pprt_kitti_post_state_init(struct pprt_kitti_post_state* ps, const struct pprt_kitti_post_params* pp,
                                            struct pprt_err* err);
void pprt_kitti_post_state_free(struct pprt_kitti_post_state* ps);

/* cls [H][W][A][K], box [H][W][A][7], dir [H][W][A][2] int8; coords: the n pillars (y, x) of the frame (the anchor
 * mask). Boxes in the order Vitis AI prints them (score descending, its heap's order among equal scores), at most
 * max_boxes; *num_candidates: anchors in the mask at or above the score threshold. */
void pprt_kitti_post_run(const struct pprt_kitti_post_params* pp, struct pprt_kitti_post_state* ps,
                         const struct pprt_kernels* k, const int8_t* cls, const int8_t* box, const int8_t* dir,
                         const int32_t* coords, uint32_t n, struct pprt_box* boxes, uint32_t max_boxes,
                         uint32_t* num_boxes, uint32_t* num_candidates);

#ifdef __cplusplus
}
#endif
#endif
