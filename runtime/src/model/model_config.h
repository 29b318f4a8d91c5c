/* Internal: the model configuration read from a VAI-Library prototxt (model { kernel { mean scale }
 * pointpillars_nus_param { ... } }) and the optional pprt settings file, and the parsers for them. */
#ifndef PPRT_CONFIG_H
#define PPRT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_CFG_NAME_MAX 256
#define PPRT_CFG_MAX_FEATURES 8
#define PPRT_CFG_MAX_ANCHOR_SETS 16
#define PPRT_CFG_MAX_ROTATIONS 4
#define PPRT_CFG_MAX_CUSTOM 4
#define PPRT_CFG_MAX_CLASSES 32
#define PPRT_CFG_MAX_NUM_LIMIT 100000u /* boxes per frame (max_num); buffers of that many are made at create */

/* Bits of pprt_model_config.present: which fields the prototxt (or the pprt settings file) set. */
enum pprt_cfg_field {
  PPRT_CFG_MEAN = 1u << 0,
  PPRT_CFG_SCALE = 1u << 1,
  PPRT_CFG_POINT_CLOUD_RANGE = 1u << 2,
  PPRT_CFG_VOXEL_SIZE = 1u << 3, /* the pprt settings file set voxel_size and voxel_range */
  PPRT_CFG_IN_CHANNELS = 1u << 4,
  PPRT_CFG_MAX_POINTS_NUM = 1u << 5,
  PPRT_CFG_MAX_VOXELS_NUM = 1u << 6,
  PPRT_CFG_FEATMAP_SIZE = 1u << 7,
  PPRT_CFG_ANCHOR_INFO = 1u << 8,
  PPRT_CFG_NUM_CLASSES = 1u << 9,
  PPRT_CFG_NMS_PRE = 1u << 10,
  PPRT_CFG_NMS_THRESH = 1u << 11,
  PPRT_CFG_MAX_NUM = 1u << 12,
  PPRT_CFG_SCORE_THRESH = 1u << 13,
  PPRT_CFG_SCORE_LAYER = 1u << 14,
  PPRT_CFG_BBOX_LAYER = 1u << 15,
  PPRT_CFG_DIR_LAYER = 1u << 16,
  PPRT_CFG_PILLARS_PARAM = 1u << 17, /* a pointpillars_nus_param block was present */
  PPRT_CFG_MODEL_TYPE = 1u << 18,
  PPRT_CFG_MODEL = 1u << 19,
  PPRT_CFG_KERNEL = 1u << 20, /* kernel(0) */
  PPRT_CFG_ANCHOR_RANGES = 1u << 21,
  PPRT_CFG_ANCHOR_SIZES = 1u << 22,
  PPRT_CFG_ANCHOR_ROTATIONS = 1u << 23,
  PPRT_CFG_ANCHOR_SCALE = 1u << 24,
  PPRT_CFG_KITTI_PARAM = 1u << 25 /* a pointpillars_kitti_param block was present (a KITTI model, docs/KITTI.md) */
};

/* Bits of pprt_kitti_base_param.present. */
enum pprt_cfg_kitti_field {
  PPRT_CFG_KB_RANGE = 1u << 0,
  PPRT_CFG_KB_VOXEL_SIZE = 1u << 1,
  PPRT_CFG_KB_POINTS_DIM = 1u << 2,
  PPRT_CFG_KB_MAX_POINTS = 1u << 3,
  PPRT_CFG_KB_MAX_VOXELS = 1u << 4,
  PPRT_CFG_KB_IN_CHANNELS = 1u << 5
};

/* DpuModelParam.ModelType of Vitis AI 2.5 that pprt reads (docs/PROTOTXT.md). */
#define PPRT_MODEL_TYPE_POINTPILLARS_NUS 34
#define PPRT_MODEL_TYPE_POINTPILLARS 39 /* the KITTI PointPillars of VAI-L's `pointpillars` */

/* PointPillarsKittiParam.base (PointPillarsBaseParam) of Vitis AI 2.5's schema: what a KITTI model's prototxt
 * may say about its voxelization. VAI-L's `pointpillars` reads these values from the second.pytorch configuration
 * instead (docs/KITTI.md); pprt takes them as defaults that configuration overrides. */
struct pprt_kitti_base_param {
  uint32_t num_range, num_voxel_size;
  float point_cloud_range[6];
  float voxel_size[3];
  uint32_t points_dim, max_points_num, max_voxels_num, in_channels;
  uint32_t present; /* enum pprt_cfg_kitti_field bits */
};

struct pprt_anchor_config {
  uint32_t num_ranges;
  float ranges[PPRT_CFG_MAX_ANCHOR_SETS][6]; /* x_min, y_min, z, x_max, y_max, z (one per size) */
  uint32_t num_sizes;
  float sizes[PPRT_CFG_MAX_ANCHOR_SETS][3];  /* w, l, h */
  uint32_t num_rotations;
  float rotations[PPRT_CFG_MAX_ROTATIONS];
  uint32_t num_custom_values;
  float custom_values[PPRT_CFG_MAX_CUSTOM];
  int align_corner;
  float scale;
};

/* What the prototxt (Vitis AI 2.5's DpuModelParam with PointPillarsNusParam, read with VAI-L's meanings) and the
 * optional pprt settings file give. docs/PROTOTXT.md describes every field. */
struct pprt_model_config {
  char name[PPRT_CFG_NAME_MAX];          /* model { name: ... } */
  int32_t model_type;                    /* model { model_type } (0 = not given) */
  uint32_t num_mean, num_scale;
  float mean[PPRT_CFG_MAX_FEATURES];     /* kernel(0) { mean: ... } per point feature */
  float scale[PPRT_CFG_MAX_FEATURES];
  float point_cloud_range[6];            /* the points' filter range (VAI-L: -50 -50 -3 50 50 3) */
  float voxel_size[3];                   /* the voxel grid: VAI-L's fixed 0.25 x 0.25 x 8 ... */
  float voxel_range[6];                  /* ... over -50 -50 -5 50 50 3, unless the pprt settings file says */
  uint32_t num_features;                 /* features per point fed to DPU0: set from DPU0's input tensor (5) */
  uint32_t in_channels;                  /* DPU0 output channels per pillar, what the scatter copies (64) */
  uint32_t max_points_num;               /* point slots per pillar (64) */
  uint32_t max_voxels_num;               /* pillar limit (40000) */
  uint32_t featmap_size[2];              /* as written in the prototxt: height (y), width (x) */
  struct pprt_anchor_config anchor;
  uint32_t num_classes;
  uint32_t nms_pre;                      /* a float in the proto; a whole number here */
  float nms_thresh;
  uint32_t max_num;                      /* a float in the proto; a whole number here */
  float score_thresh;
  char score_layer_name[PPRT_CFG_NAME_MAX];
  char bbox_layer_name[PPRT_CFG_NAME_MAX];
  char dir_layer_name[PPRT_CFG_NAME_MAX];
  struct pprt_kitti_base_param kitti;    /* pointpillars_kitti_param { base { ... } } (KITTI models) */
  uint32_t present;                      /* enum pprt_cfg_field bits */
};

/** Whether the prototxt describes a KITTI PointPillars model (VAI-L's `pointpillars`): model_type POINTPILLARS or
 *  a pointpillars_kitti_param block (docs/KITTI.md). */
int pprt_model_config_is_kitti(const struct pprt_model_config* cfg);

/** The Model Zoo's values (docs/PROTOTXT.md; tests and tools start from them), present = 0. The default-mode
 *  point_cloud_range equals the voxel grid (-50 -50 -5 50 50 3). */
void pprt_model_config_defaults(struct pprt_model_config* cfg);

/** Parse prototxt text against Vitis AI 2.5's schema (DpuModelParamList { model { ... } }), as protobuf's
 *  TextFormat::ParseFromString does: an unknown field, a non-repeated field given twice or a bad value is
 *  PPRT_STATUS_PARSE_ERROR with "<source>:<line>:<col>: message" naming the field; so is a second model (VAI-L's
 *  CHECK) and a wrong value count (6 range values, ...). Starts from pprt_model_config_defaults() with present = 0;
 *  each field given sets its present bit, and pprt_model_config_validate refuses a config missing a field VAI-L
 *  reads (where VAI-L would silently read 0). */
enum pprt_status pprt_prototxt_parse(const char* text, size_t len, const char* source,
                                     struct pprt_model_config* cfg, struct pprt_err* err);

/** Read and parse a prototxt file (IO_ERROR if it cannot be read). */
enum pprt_status pprt_prototxt_load(const char* path, struct pprt_model_config* cfg, struct pprt_err* err);

/** The optional pprt settings file next to a prototxt (<name>.pprt, same text format; message pprt.ModelSettings:
 *  voxel_size x3, voxel_range x6): the voxel grid of a model that does not use VAI-L's fixed one. Sets
 *  cfg->voxel_size / voxel_range and PPRT_CFG_VOXEL_SIZE; the rest of cfg is left alone. */
enum pprt_status pprt_settings_parse(const char* text, size_t len, const char* source,
                                     struct pprt_model_config* cfg, struct pprt_err* err);

/** pprt_prototxt_load(path), then, if "<path without .prototxt>.pprt" exists, pprt_settings_parse of it. */
enum pprt_status pprt_model_config_load(const char* prototxt_path, struct pprt_model_config* cfg,
                                        struct pprt_err* err);

/** Check every field VAI-L reads was given (present bits) and the values are usable (positive sizes, ranges
 *  min < max, a whole voxel grid with one z cell, counts within limits, anchors consistent, mean count == scale
 *  count, model_type POINTPILLARS_NUS if given, ...).
 *  MODEL_MISMATCH, never PARSE_ERROR. */
enum pprt_status pprt_model_config_validate(const struct pprt_model_config* cfg, const char* source,
                                            struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif
