/* Internal: the model configuration read from a VAI-Library prototxt (model { kernel { mean scale }
 * pointpillars_nus_param { ... } }), and the parser for it. */
#ifndef PPRT_CONFIG_H
#define PPRT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_CFG_NAME_MAX 256
#define PPRT_CFG_MAX_FEATURES 8
#define PPRT_CFG_MAX_ANCHOR_SETS 16
#define PPRT_CFG_MAX_ROTATIONS 4
#define PPRT_CFG_MAX_CUSTOM 4
#define PPRT_CFG_MAX_CLASSES 32

/* Bits of pprt_model_config.present: which fields the prototxt set. */
enum pprt_cfg_field {
  PPRT_CFG_MEAN = 1u << 0,
  PPRT_CFG_SCALE = 1u << 1,
  PPRT_CFG_POINT_CLOUD_RANGE = 1u << 2,
  PPRT_CFG_VOXEL_SIZE = 1u << 3,
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
  PPRT_CFG_PILLARS_PARAM = 1u << 17 /* a pointpillars_nus_param block was present */
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

struct pprt_model_config {
  char name[PPRT_CFG_NAME_MAX];          /* model { name: ... } */
  uint32_t num_mean, num_scale;
  float mean[PPRT_CFG_MAX_FEATURES];     /* kernel { mean: ... } in feature order */
  float scale[PPRT_CFG_MAX_FEATURES];
  float point_cloud_range[6];            /* x_min, y_min, z_min, x_max, y_max, z_max */
  float voxel_size[3];
  uint32_t in_channels;                  /* features per point fed to DPU0 (5) */
  uint32_t max_points_num;               /* point slots per pillar (64) */
  uint32_t max_voxels_num;               /* pillar limit (40000) */
  uint32_t featmap_size[2];              /* as written in the prototxt: height (y), width (x) */
  struct pprt_anchor_config anchor;
  uint32_t num_classes;
  uint32_t nms_pre;
  float nms_thresh;
  uint32_t max_num;
  float score_thresh;
  char score_layer_name[PPRT_CFG_NAME_MAX];
  char bbox_layer_name[PPRT_CFG_NAME_MAX];
  char dir_layer_name[PPRT_CFG_NAME_MAX];
  uint32_t present;                      /* enum pprt_cfg_field bits */
};

/** Defaults of MODEL-CONTRACT.md (what a field not given in the prototxt keeps), present = 0. */
void pprt_model_config_defaults(struct pprt_model_config* cfg);

/** Parse prototxt text (protobuf text format, as the Vitis AI Library ships it). Unknown fields are skipped
 *  (syntax still checked). On error returns PPRT_STATUS_PARSE_ERROR with "<source>:<line>:<col>: message".
 *  source names the file in messages. Starts from pprt_model_config_defaults(). */
enum pprt_status pprt_prototxt_parse(const char* text, size_t len, const char* source,
                                     struct pprt_model_config* cfg, struct pprt_err* err);

/** Read and parse a prototxt file (IO_ERROR if it cannot be read). */
enum pprt_status pprt_prototxt_load(const char* path, struct pprt_model_config* cfg, struct pprt_err* err);

/** Check the values are usable (positive sizes, ranges min < max, counts within limits, anchors consistent with
 *  rotations, mean/scale count == in_channels, ...). PARSE_ERROR is not used here: MODEL_MISMATCH / BAD_INPUT. */
enum pprt_status pprt_model_config_validate(const struct pprt_model_config* cfg, const char* source,
                                            struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif
