/* The VAI-Library prototxt reader: a protobuf text-format parser for Vitis AI 2.5's model config schema
 * (DpuModelParamList { model { name kernel { name mean scale } model_type pointpillars_nus_param { ... } } }),
 * parsed the way VAI-L parses it (TextFormat::ParseFromString into a proto3 message), plus the optional pprt
 * settings file (<name>.pprt: the voxel grid of a model that does not use VAI-L's fixed one). The schema is the table
 * k_fields below; docs/PROTOTXT.md gives each field's meaning.
 *
 * Syntax accepted (what protobuf's TextFormat parser accepts; the tokens come from the shared lexer
 * model/textformat.c): '#' comments; `field: value`; `field { }`, `field: { }`, `field < >`; optional ',' or ';'
 * after a field; list syntax `field: [v, v]` (and `field [{...}]` for messages); strings in "" or '' with C escapes
 * (\n \t \xHH \NNN \uXXXX ...) and adjacent-string concatenation; decimal / hex / octal integers; floats with '.',
 * exponent and optional 'f' suffix; a leading '-'; bools true/false/True/False/t/f/1/0; enum value names or numbers.
 * Like protobuf: a field the schema does not have (or an extension `[a.b]`) is an error naming the field and its
 * message type; a non-repeated field given twice is an error (proto3: unless its first value was the default);
 * repeated fields append. Beyond protobuf, what VAI-L or pprt need: exactly one model, a kernel block, the
 * pointpillars_nus_param fields pprt reads, and value counts (6 range values, 2 featmap sizes, ...).
 * Positions in messages are 1-based; the column counts bytes. The input need not be NUL-terminated.
 * Nesting is limited to PROTO_MAX_DEPTH messages so hostile input cannot exhaust the stack. */
#include "model/model_config.h"
#include "model/textformat.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_MAX_DEPTH 100
#define PPRT_TF_NUM_TEXT_MAX 128 /* longest number token converted */

/* ------------------------------------------------------------------------------------------------------------ */
/* The Model Zoo values and VAI-L's fixed voxel grid (docs/PROTOTXT.md)                                          */

/* Kept as double and rounded to float like the parser does (decimal -> double -> float), so a prototxt that
 * spells these numbers gives bit-identical values. */
static const double k_anchor_z[7] = {-1.80032795, -1.74440365, -1.68526504, -1.67339111,
                                     -1.61785072, -1.80984986, -1.763965};
static const double k_anchor_size[7][3] = {
    {1.95017717, 4.60718145, 1.72270761}, {2.4560939, 6.73778078, 2.73004906},
    {2.87427237, 12.01320693, 3.81509561}, {0.60058911, 1.68452161, 1.27192197},
    {0.66344886, 0.7256437, 1.75748069},  {0.39694519, 0.40359262, 1.06232151},
    {2.49008838, 0.48578221, 0.98297065}};
/* VAI-L 2.5's voxelizer: voxels_size_{0.25, 0.25, 8}, coors_range_{-50, -50, -5, 50, 50, 3}, not configurable. */
static const float k_vail_voxel_size[3] = {0.25f, 0.25f, 8.0f};
static const float k_vail_voxel_range[6] = {-50.0f, -50.0f, -5.0f, 50.0f, 50.0f, 3.0f};

static void set_vail_grid(struct pprt_model_config* cfg) {
  memcpy(cfg->voxel_size, k_vail_voxel_size, sizeof cfg->voxel_size);
  memcpy(cfg->voxel_range, k_vail_voxel_range, sizeof cfg->voxel_range);
}

void pprt_model_config_defaults(struct pprt_model_config* cfg) {
  if (cfg == NULL) return;
  static const double mean[5] = {0.0, 0.0, -1.0, 127.5, 0.275};
  static const double scale[5] = {0.02, 0.02, 0.25, 0.0078, 3.6364};
  memset(cfg, 0, sizeof *cfg);
  cfg->num_mean = 5;
  cfg->num_scale = 5;
  for (int i = 0; i < 5; ++i) {
    cfg->mean[i] = (float)mean[i];
    cfg->scale[i] = (float)scale[i];
  }
  set_vail_grid(cfg);
  memcpy(cfg->point_cloud_range, k_vail_voxel_range, sizeof cfg->point_cloud_range);
  cfg->model_type = PPRT_MODEL_TYPE_POINTPILLARS_NUS;
  cfg->num_features = 5;
  cfg->in_channels = 64;
  cfg->max_points_num = 64;
  cfg->max_voxels_num = 40000;
  cfg->featmap_size[0] = 200;
  cfg->featmap_size[1] = 200;
  struct pprt_anchor_config* a = &cfg->anchor;
  a->num_ranges = 7;
  a->num_sizes = 7;
  for (int i = 0; i < 7; ++i) {
    a->ranges[i][0] = -(float)49.6;
    a->ranges[i][1] = -(float)49.6;
    a->ranges[i][2] = (float)k_anchor_z[i];
    a->ranges[i][3] = (float)49.6;
    a->ranges[i][4] = (float)49.6;
    a->ranges[i][5] = (float)k_anchor_z[i];
    for (int k = 0; k < 3; ++k) a->sizes[i][k] = (float)k_anchor_size[i][k];
  }
  a->num_rotations = 2;
  a->rotations[0] = 0.0f;
  a->rotations[1] = (float)1.57;
  a->num_custom_values = 2;
  a->custom_values[0] = 0.0f;
  a->custom_values[1] = 0.0f;
  a->align_corner = 0;
  a->scale = 1.0f;
  cfg->num_classes = 10;
  cfg->nms_pre = 1000;
  cfg->nms_thresh = (float)0.2;
  cfg->max_num = 500;
  cfg->score_thresh = (float)0.05;
  snprintf(cfg->score_layer_name, sizeof cfg->score_layer_name, "%s", "conv_cls");
  snprintf(cfg->bbox_layer_name, sizeof cfg->bbox_layer_name, "%s", "conv_reg");
  snprintf(cfg->dir_layer_name, sizeof cfg->dir_layer_name, "%s", "conv_dir_cls");
  cfg->present = 0;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Schema: Vitis AI 2.5 dpu_model_param.proto (proto3, package vitis.ai.proto), the messages a PointPillars nuScenes
 * prototxt uses, and pprt's settings file. A second model family adds its message types and fields here.        */

enum msg_type { M_LIST, M_MODEL, M_KERNEL, M_NUS, M_ANCHOR, M_RANGE, M_SIZE, M_SETTINGS, M_KITTI, M_KBASE, M_COUNT };

static const char* const k_msg_names[M_COUNT] = {
    "vitis.ai.proto.DpuModelParamList",
    "vitis.ai.proto.DpuModelParam",
    "vitis.ai.proto.DpuKernelParam",
    "vitis.ai.proto.PointPillarsNusParam",
    "vitis.ai.proto.PointPillarsNusParam.AnchorInfo",
    "vitis.ai.proto.PointPillarsNusParam.AnchorInfo.Ranges",
    "vitis.ai.proto.PointPillarsNusParam.AnchorInfo.Sizes",
    "pprt.ModelSettings",
    "vitis.ai.proto.PointPillarsKittiParam",
    "vitis.ai.proto.PointPillarsBaseParam",
};

/* K_OTHER: a field VAI-L's DpuModelParam has for another model type (a message or scalar pprt does not read);
 * pprt refuses it by name rather than skipping it silently. */
enum field_kind { K_MSG, K_FLOAT, K_INT32, K_BOOL, K_STRING, K_ENUM, K_OTHER };

enum field_id {
  F_MODEL,
  F_MODEL_NAME,
  F_KERNEL,
  F_MODEL_TYPE,
  F_ORDER_TYPE,
  F_IS_TF,
  F_USE_GRAPH_RUNNER,
  F_PILLARS,
  F_OTHER,
  F_KERNEL_NAME,
  F_MEAN,
  F_SCALE,
  F_RANGE,
  F_IN_CHANNELS,
  F_MAX_POINTS,
  F_MAX_VOXELS,
  F_FEATMAP,
  F_ANCHOR_INFO,
  F_NUM_CLASSES,
  F_NMS_PRE,
  F_NMS_THRESH,
  F_MAX_NUM,
  F_SCORE_THRESH,
  F_SCORE_LAYER,
  F_BBOX_LAYER,
  F_DIR_LAYER,
  F_RANGES,
  F_SIZES,
  F_ROTATIONS,
  F_CUSTOM,
  F_ALIGN,
  F_ANCHOR_SCALE,
  F_SINGLE_RANGE,
  F_SINGLE_SIZE,
  F_SET_VOXEL_SIZE,
  F_SET_VOXEL_RANGE,
  F_KITTI,
  F_KB,
  F_KB_RANGE,
  F_KB_VOXEL,
  F_KB_POINTS_DIM,
  F_KB_MAX_POINTS,
  F_KB_MAX_VOXELS,
  F_KB_IN_CHANNELS,
  F_COUNT
};

/* Enum value names (index = value). */
static const char* const k_model_types[] = {
    "UNKNOWN_TYPE", "REFINEDET", "SSD", "YOLOv3", "CLASSIFICATION", "DENSE_BOX", "MULTI_TASK", "OPENPOSE",
    "ROADLINE", "SEGMENTATION", "POSEDETECT", "LANE", "BLINKER", "SEGDET", "ROADLINE_DEEPHI", "FACEQUALITY5PT",
    "REID", "YOLOv2", "TFSSD", "FACELANDMARK", "PLATEDETECT", "PLATENUM", "PLATERECOG", "FACEFEATURE",
    "SEGMENTATION8UC1", "SEGMENTATION8UC3", "MEDICALSEGMENTATION", "MULTITASK8UC1", "MULTITASK8UC3",
    "MEDICALREFINEDET", "FACEDETECTRECOG", "HOURGLASS", "RETINAFACE", "TFREFINEDET", "POINTPILLARS_NUS", "YOLOv5",
    "BTSParam", "FAIRMOT", "X_AUTONOMOUS3D", "POINTPILLARS", "SOLO", "VEHICLECLASSIFICATION", "EFFICIENTDET_D2",
    "MOVENET"};
static const char* const k_order_types[] = {"UNKNOWNORDER", "BGR", "RGB", "GREY"};

struct enum_desc {
  const char* name; /* the enum's proto name */
  const char* const* values;
  uint32_t count;
};
static const struct enum_desc k_enum_model_type = {"vitis.ai.proto.DpuModelParam.ModelType", k_model_types,
                                                   sizeof k_model_types / sizeof k_model_types[0]};
static const struct enum_desc k_enum_order_type = {"vitis.ai.proto.DpuModelParam.OrderType", k_order_types,
                                                   sizeof k_order_types / sizeof k_order_types[0]};

struct field_desc {
  enum msg_type parent;
  const char* name;
  enum field_id id;
  enum field_kind kind;
  int repeated;
  enum msg_type child;   /* K_MSG */
  const struct enum_desc* en; /* K_ENUM */
  uint32_t present;      /* the pprt_model_config.present bit it sets (what pprt_model_config_validate requires) */
};

#define NO_CHILD M_COUNT
static const struct field_desc k_fields[] = {
    {M_LIST, "model", F_MODEL, K_MSG, 1, M_MODEL, NULL, PPRT_CFG_MODEL},
    /* DpuModelParam: what a PointPillars nuScenes model uses ... */
    {M_MODEL, "name", F_MODEL_NAME, K_STRING, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "kernel", F_KERNEL, K_MSG, 1, M_KERNEL, NULL, PPRT_CFG_KERNEL},
    {M_MODEL, "model_type", F_MODEL_TYPE, K_ENUM, 0, NO_CHILD, &k_enum_model_type, PPRT_CFG_MODEL_TYPE},
    {M_MODEL, "is_tf", F_IS_TF, K_BOOL, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "order_type", F_ORDER_TYPE, K_ENUM, 0, NO_CHILD, &k_enum_order_type, 0},
    {M_MODEL, "use_graph_runner", F_USE_GRAPH_RUNNER, K_BOOL, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "pointpillars_nus_param", F_PILLARS, K_MSG, 0, M_NUS, NULL, PPRT_CFG_PILLARS_PARAM},
    {M_MODEL, "pointpillars_kitti_param", F_KITTI, K_MSG, 0, M_KITTI, NULL, PPRT_CFG_KITTI_PARAM},
    /* ... and the fields of the other model types (refused by name) */
    {M_MODEL, "refine_det_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "yolo_v3_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "ssd_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "classification_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "dense_box_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "multi_task_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "roadline_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "segmentation_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "lane_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "blinker_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "segdet_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "roadline_dp_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "face_quality5pt_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "tfssd_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "open_pose_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "reid_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "medical_refine_det_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "platenum_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "retinaface_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "tfrefinedet_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "segmentation_3d_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "yolo_v5_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "bts_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "fair_mot_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "x_autonomous3d_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "solo_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "subgraph", F_OTHER, K_OTHER, 1, NO_CHILD, NULL, 0},
    {M_MODEL, "vehicleclassification_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "efficientdet_d2_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    {M_MODEL, "movenet_param", F_OTHER, K_OTHER, 0, NO_CHILD, NULL, 0},
    /* DpuKernelParam */
    {M_KERNEL, "name", F_KERNEL_NAME, K_STRING, 0, NO_CHILD, NULL, 0},
    {M_KERNEL, "mean", F_MEAN, K_FLOAT, 1, NO_CHILD, NULL, PPRT_CFG_MEAN},
    {M_KERNEL, "scale", F_SCALE, K_FLOAT, 1, NO_CHILD, NULL, PPRT_CFG_SCALE},
    /* PointPillarsNusParam */
    {M_NUS, "point_cloud_range", F_RANGE, K_FLOAT, 1, NO_CHILD, NULL, PPRT_CFG_POINT_CLOUD_RANGE},
    {M_NUS, "in_channels", F_IN_CHANNELS, K_INT32, 0, NO_CHILD, NULL, PPRT_CFG_IN_CHANNELS},
    {M_NUS, "max_points_num", F_MAX_POINTS, K_INT32, 0, NO_CHILD, NULL, PPRT_CFG_MAX_POINTS_NUM},
    {M_NUS, "max_voxels_num", F_MAX_VOXELS, K_INT32, 0, NO_CHILD, NULL, PPRT_CFG_MAX_VOXELS_NUM},
    {M_NUS, "featmap_size", F_FEATMAP, K_INT32, 1, NO_CHILD, NULL, PPRT_CFG_FEATMAP_SIZE},
    {M_NUS, "anchor_info", F_ANCHOR_INFO, K_MSG, 0, M_ANCHOR, NULL, PPRT_CFG_ANCHOR_INFO},
    {M_NUS, "num_classes", F_NUM_CLASSES, K_INT32, 0, NO_CHILD, NULL, PPRT_CFG_NUM_CLASSES},
    {M_NUS, "nms_pre", F_NMS_PRE, K_FLOAT, 0, NO_CHILD, NULL, PPRT_CFG_NMS_PRE},
    {M_NUS, "nms_thresh", F_NMS_THRESH, K_FLOAT, 0, NO_CHILD, NULL, PPRT_CFG_NMS_THRESH},
    {M_NUS, "max_num", F_MAX_NUM, K_FLOAT, 0, NO_CHILD, NULL, PPRT_CFG_MAX_NUM},
    {M_NUS, "score_thresh", F_SCORE_THRESH, K_FLOAT, 0, NO_CHILD, NULL, PPRT_CFG_SCORE_THRESH},
    {M_NUS, "score_layer_name", F_SCORE_LAYER, K_STRING, 0, NO_CHILD, NULL, PPRT_CFG_SCORE_LAYER},
    {M_NUS, "bbox_layer_name", F_BBOX_LAYER, K_STRING, 0, NO_CHILD, NULL, PPRT_CFG_BBOX_LAYER},
    {M_NUS, "dir_layer_name", F_DIR_LAYER, K_STRING, 0, NO_CHILD, NULL, PPRT_CFG_DIR_LAYER},
    /* PointPillarsNusParam.AnchorInfo and its Ranges / Sizes */
    {M_ANCHOR, "ranges", F_RANGES, K_MSG, 1, M_RANGE, NULL, PPRT_CFG_ANCHOR_RANGES},
    {M_ANCHOR, "sizes", F_SIZES, K_MSG, 1, M_SIZE, NULL, PPRT_CFG_ANCHOR_SIZES},
    {M_ANCHOR, "rotations", F_ROTATIONS, K_FLOAT, 1, NO_CHILD, NULL, PPRT_CFG_ANCHOR_ROTATIONS},
    {M_ANCHOR, "custom_value", F_CUSTOM, K_FLOAT, 1, NO_CHILD, NULL, 0},
    {M_ANCHOR, "align_corner", F_ALIGN, K_BOOL, 0, NO_CHILD, NULL, 0},
    {M_ANCHOR, "scale", F_ANCHOR_SCALE, K_FLOAT, 0, NO_CHILD, NULL, PPRT_CFG_ANCHOR_SCALE},
    {M_RANGE, "single_range", F_SINGLE_RANGE, K_FLOAT, 1, NO_CHILD, NULL, 0},
    {M_SIZE, "single_size", F_SINGLE_SIZE, K_FLOAT, 1, NO_CHILD, NULL, 0},
    /* pprt.ModelSettings (the .pprt file; not part of any VAI-L schema) */
    {M_SETTINGS, "voxel_size", F_SET_VOXEL_SIZE, K_FLOAT, 1, NO_CHILD, NULL, 0},
    {M_SETTINGS, "voxel_range", F_SET_VOXEL_RANGE, K_FLOAT, 1, NO_CHILD, NULL, 0},
    /* PointPillarsKittiParam { PointPillarsBaseParam base } (KITTI models; docs/KITTI.md) */
    {M_KITTI, "base", F_KB, K_MSG, 0, M_KBASE, NULL, 0},
    {M_KBASE, "point_cloud_range", F_KB_RANGE, K_FLOAT, 1, NO_CHILD, NULL, 0},
    {M_KBASE, "voxel_size", F_KB_VOXEL, K_FLOAT, 1, NO_CHILD, NULL, 0},
    {M_KBASE, "points_dim", F_KB_POINTS_DIM, K_INT32, 0, NO_CHILD, NULL, 0},
    {M_KBASE, "max_points_num", F_KB_MAX_POINTS, K_INT32, 0, NO_CHILD, NULL, 0},
    {M_KBASE, "max_voxels_num", F_KB_MAX_VOXELS, K_INT32, 0, NO_CHILD, NULL, 0},
    {M_KBASE, "in_channels", F_KB_IN_CHANNELS, K_INT32, 0, NO_CHILD, NULL, 0},
};
#define NUM_FIELDS (sizeof k_fields / sizeof k_fields[0])

static const struct field_desc* find_field(enum msg_type parent, const char* name, size_t len) {
  for (size_t i = 0; i < NUM_FIELDS; ++i) {
    if (k_fields[i].parent == parent && strlen(k_fields[i].name) == len && memcmp(k_fields[i].name, name, len) == 0)
      return &k_fields[i];
  }
  return NULL;
}

/* A field's bit in a message instance's masks (its index in k_fields; the table has fewer than 128 rows). */
static size_t field_index(const struct field_desc* fd) { return (size_t)(fd - k_fields); }

/* ------------------------------------------------------------------------------------------------------------ */
/* Tokens: the shared text-format lexer (model/textformat.h)                                                     */

struct parser {
  struct pprt_tf_lexer lx;
  struct pprt_model_config* cfg;
  uint32_t n_models, n_kernels;     /* model / kernel blocks so far */
  uint64_t seen_rep;                /* repeated fields met so far (bit per enum field_id): the first replaces the
                                       Model Zoo value the config starts from */
};

static enum pprt_status perr(struct parser* p, unsigned line, unsigned col, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static enum pprt_status perr(struct parser* p, unsigned line, unsigned col, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  enum pprt_status st = pprt_tf_verror(&p->lx, line, col, fmt, ap);
  va_end(ap);
  return st;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Values                                                                                                        */

/* Parse a (possibly concatenated) string value. out may be NULL (skipping). */
static enum pprt_status parse_strings(struct parser* p, const struct field_desc* fd, char* out, size_t cap) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(&p->lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  unsigned line = t->line, col = t->col;
  size_t n = 0;
  int has_nul = 0;
  while (t->type == PPRT_TF_STRING) {
    struct pprt_tf_token tok = *t;
    pprt_tf_consume(&p->lx);
    st = pprt_tf_decode_string(&p->lx, &tok, out, cap, &n, &has_nul);
    if (st != PPRT_STATUS_OK) return st;
    st = pprt_tf_peek(&p->lx, &t);
    if (st != PPRT_STATUS_OK) return st;
  }
  if (out != NULL) {
    if (n >= cap) return perr(p, line, col, "'%s' is too long (%zu bytes, at most %zu)", fd->name, n, cap - 1);
    if (has_nul) return perr(p, line, col, "'%s' contains a NUL byte", fd->name);
    out[n] = '\0';
  }
  return PPRT_STATUS_OK;
}


struct scalar {
  int neg;
  struct pprt_tf_token tok; /* the value token (after '-') */
  unsigned line, col; /* where the value starts (the '-' if any) */
};

/* Read a scalar value: optional '-', then a number or identifier. Strings are handled by the caller. */
static enum pprt_status read_scalar(struct parser* p, struct scalar* v, const char* fname) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(&p->lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  v->neg = 0;
  v->line = t->line;
  v->col = t->col;
  if (pprt_tf_is_sym(&p->lx, t, '-')) {
    v->neg = 1;
    pprt_tf_consume(&p->lx);
    st = pprt_tf_peek(&p->lx, &t);
    if (st != PPRT_STATUS_OK) return st;
    if (t->type != PPRT_TF_INT && t->type != PPRT_TF_FLOAT && !pprt_tf_is_nonfinite(&p->lx, t)) {
      char d[64];
      pprt_tf_describe(&p->lx, t, d, sizeof d);
      return perr(p, t->line, t->col, "expected a number after '-', got %s", d);
    }
  } else if (t->type != PPRT_TF_INT && t->type != PPRT_TF_FLOAT && t->type != PPRT_TF_IDENT) {
    char d[64];
    pprt_tf_describe(&p->lx, t, d, sizeof d);
    return perr(p, t->line, t->col, "expected a value for '%s', got %s", fname, d);
  }
  if ((t->type == PPRT_TF_INT || t->type == PPRT_TF_FLOAT) && t->len >= PPRT_TF_NUM_TEXT_MAX)
    return perr(p, t->line, t->col, "number too long (%zu characters)", t->len);
  v->tok = *t;
  pprt_tf_consume(&p->lx);
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_float(struct parser* p, const struct field_desc* fd, const struct scalar* v, float* out) {
  const struct pprt_tf_token* t = &v->tok;
  if (t->type == PPRT_TF_IDENT) {
    if (pprt_tf_is_nonfinite(&p->lx, t))
      return perr(p, v->line, v->col, "'%s' must be a finite number (inf and nan are not allowed)", fd->name);
    char d[64];
    pprt_tf_describe(&p->lx, t, d, sizeof d);
    return perr(p, v->line, v->col, "expected a number for '%s', got %s", fd->name, d);
  }
  double x;
  if (t->type == PPRT_TF_INT && t->base != PPRT_TF_DEC) {
    int ovf;
    uint64_t u = pprt_tf_int_value(&p->lx, t, &ovf);
    if (ovf) return perr(p, v->line, v->col, "'%s' value out of range", fd->name);
    x = (double)u;
  } else {
    x = pprt_tf_float_value(&p->lx, t);
  }
  if (!(fabs(x) <= (double)FLT_MAX)) return perr(p, v->line, v->col, "'%s' value out of range for a float", fd->name);
  *out = (float)(v->neg ? -x : x);
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_int32(struct parser* p, const struct field_desc* fd, const struct scalar* v,
                                     int32_t* out) {
  const struct pprt_tf_token* t = &v->tok;
  if (t->type != PPRT_TF_INT) {
    char d[64];
    pprt_tf_describe(&p->lx, t, d, sizeof d);
    return perr(p, v->line, v->col, "expected an integer for '%s' (int32), got %s", fd->name, d);
  }
  int ovf;
  uint64_t u = pprt_tf_int_value(&p->lx, t, &ovf);
  if (ovf || u > (v->neg ? 2147483648u : 2147483647u))
    return perr(p, v->line, v->col, "'%s' value out of range for an int32", fd->name);
  *out = v->neg ? (int32_t)(-(int64_t)u) : (int32_t)u;
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_bool(struct parser* p, const struct field_desc* fd, const struct scalar* v, int* out) {
  const struct pprt_tf_token* t = &v->tok;
  if (!v->neg) {
    if (pprt_tf_is_word(&p->lx, t, "true") || pprt_tf_is_word(&p->lx, t, "True") || pprt_tf_is_word(&p->lx, t, "t")) {
      *out = 1;
      return PPRT_STATUS_OK;
    }
    if (pprt_tf_is_word(&p->lx, t, "false") || pprt_tf_is_word(&p->lx, t, "False") || pprt_tf_is_word(&p->lx, t, "f")) {
      *out = 0;
      return PPRT_STATUS_OK;
    }
    if (t->type == PPRT_TF_INT) {
      int ovf;
      uint64_t u = pprt_tf_int_value(&p->lx, t, &ovf);
      if (!ovf && u <= 1) {
        *out = (int)u;
        return PPRT_STATUS_OK;
      }
    }
  }
  return perr(p, v->line, v->col, "expected true or false for '%s'", fd->name);
}

/* An enum value: one of the enum's names, or (proto3 enums are open) any int32. */
static enum pprt_status scalar_enum(struct parser* p, const struct field_desc* fd, const struct scalar* v,
                                    int32_t* out) {
  const struct pprt_tf_token* t = &v->tok;
  if (t->type == PPRT_TF_INT) return scalar_int32(p, fd, v, out);
  if (t->type == PPRT_TF_IDENT && !v->neg) {
    for (uint32_t i = 0; i < fd->en->count; ++i) {
      if (pprt_tf_is_word(&p->lx, t, fd->en->values[i])) {
        *out = (int32_t)i;
        return PPRT_STATUS_OK;
      }
    }
  }
  char d[64];
  pprt_tf_describe(&p->lx, t, d, sizeof d);
  return perr(p, v->line, v->col, "unknown enumeration value %s for field '%s' (enum %s)", d, fd->name, fd->en->name);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Storing fields                                                                                                */

struct msg_ctx {
  enum msg_type type;
  uint32_t index;     /* M_RANGE / M_SIZE: which anchor set; M_KERNEL: which kernel block (only kernel 0 is read) */
  uint32_t count;     /* M_RANGE / M_SIZE / repeated scalars: values given */
  uint32_t n_range, n_featmap, n_vsize, n_vrange;
  unsigned line, col; /* where the message's field name is (the list: 1:1) */
  const char* name;   /* its field name ("" for the top level) */
  uint64_t has[2];    /* non-repeated fields holding a non-default value, messages given (bit = k_fields index) */
  uint64_t seen[2];   /* every field given */
};

static int mask_get(const uint64_t* m, size_t i) { return (int)((m[i / 64] >> (i % 64)) & 1u); }

/* First occurrence of a repeated field in this parse: its list starts empty (not with the Model Zoo values). */
static int first_time(struct parser* p, enum field_id id) {
  const uint64_t bit = (uint64_t)1 << id;
  if (p->seen_rep & bit) return 0;
  p->seen_rep |= bit;
  return 1;
}
static void mask_set(uint64_t* m, size_t i) { m[i / 64] |= (uint64_t)1 << (i % 64); }

static enum pprt_status append_float(struct parser* p, const struct field_desc* fd, const struct scalar* v, float x,
                                     float* arr, uint32_t* count, uint32_t max) {
  if (*count >= max) return perr(p, v->line, v->col, "too many '%s' values (at most %u)", fd->name, max);
  arr[(*count)++] = x;
  return PPRT_STATUS_OK;
}

/* A float field that pprt needs as a whole number (nms_pre, max_num are floats in VAI-L's schema). */
static enum pprt_status whole_count(struct parser* p, const struct field_desc* fd, const struct scalar* v, float x,
                                    uint32_t* out) {
  if (!(x >= 0.0f && x <= 16777216.0f) || floorf(x) != x)
    return perr(p, v->line, v->col, "'%s' = %g: pprt needs a whole number of boxes from 0 to 16777216", fd->name,
                (double)x);
  *out = (uint32_t)x;
  return PPRT_STATUS_OK;
}

/* Store one non-string scalar; *nondefault tells whether it differs from the proto3 default (0 / false). */
static enum pprt_status store_scalar(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                     const struct scalar* v, int* nondefault) {
  struct pprt_model_config* c = p->cfg;
  struct pprt_anchor_config* a = &c->anchor;
  enum pprt_status st;
  float x = 0.0f;
  int32_t i = 0;
  int b = 0;
  switch (fd->kind) {
    case K_FLOAT:
      if ((st = scalar_float(p, fd, v, &x))) return st;
      *nondefault = x != 0.0f;
      break;
    case K_INT32:
      if ((st = scalar_int32(p, fd, v, &i))) return st;
      *nondefault = i != 0;
      break;
    case K_BOOL:
      if ((st = scalar_bool(p, fd, v, &b))) return st;
      *nondefault = b != 0;
      break;
    case K_ENUM:
      if ((st = scalar_enum(p, fd, v, &i))) return st;
      *nondefault = i != 0;
      break;
    default:
      return perr(p, v->line, v->col, "internal: '%s' is not a scalar field", fd->name);
  }
  /* int32 fields pprt uses as counts or sizes must be positive (VAI-L would misbehave on 0 or less). */
  if (fd->kind == K_INT32 && i <= 0)
    return perr(p, v->line, v->col, "'%s' = %d: must be positive", fd->name, (int)i);
  float discard[1]; /* mean / scale of kernel blocks after the first: checked, not kept */
  uint32_t discard_n = 0;
  switch (fd->id) {
    case F_MEAN: /* VAI-L reads kernel(0) only */
      if (ctx->index != 0) return append_float(p, fd, v, x, discard, &discard_n, 1);
      if (first_time(p, fd->id)) c->num_mean = 0;
      return append_float(p, fd, v, x, c->mean, &c->num_mean, PPRT_CFG_MAX_FEATURES);
    case F_SCALE:
      if (ctx->index != 0) return append_float(p, fd, v, x, discard, &discard_n, 1);
      if (first_time(p, fd->id)) c->num_scale = 0;
      return append_float(p, fd, v, x, c->scale, &c->num_scale, PPRT_CFG_MAX_FEATURES);
    case F_RANGE:
      return append_float(p, fd, v, x, c->point_cloud_range, &ctx->n_range, 6);
    case F_ROTATIONS:
      if (first_time(p, fd->id)) a->num_rotations = 0;
      return append_float(p, fd, v, x, a->rotations, &a->num_rotations, PPRT_CFG_MAX_ROTATIONS);
    case F_CUSTOM:
      if (first_time(p, fd->id)) a->num_custom_values = 0;
      return append_float(p, fd, v, x, a->custom_values, &a->num_custom_values, PPRT_CFG_MAX_CUSTOM);
    case F_SINGLE_RANGE:
      return append_float(p, fd, v, x, a->ranges[ctx->index], &ctx->count, 6);
    case F_SINGLE_SIZE:
      return append_float(p, fd, v, x, a->sizes[ctx->index], &ctx->count, 3);
    case F_SET_VOXEL_SIZE:
      return append_float(p, fd, v, x, c->voxel_size, &ctx->n_vsize, 3);
    case F_SET_VOXEL_RANGE:
      return append_float(p, fd, v, x, c->voxel_range, &ctx->n_vrange, 6);
    case F_KB_RANGE:
      c->kitti.present |= PPRT_CFG_KB_RANGE;
      st = append_float(p, fd, v, x, c->kitti.point_cloud_range, &ctx->n_range, 6);
      c->kitti.num_range = ctx->n_range;
      return st;
    case F_KB_VOXEL:
      c->kitti.present |= PPRT_CFG_KB_VOXEL_SIZE;
      st = append_float(p, fd, v, x, c->kitti.voxel_size, &ctx->n_vsize, 3);
      c->kitti.num_voxel_size = ctx->n_vsize;
      return st;
    case F_KB_POINTS_DIM: c->kitti.points_dim = (uint32_t)i; c->kitti.present |= PPRT_CFG_KB_POINTS_DIM; return PPRT_STATUS_OK;
    case F_KB_MAX_POINTS: c->kitti.max_points_num = (uint32_t)i; c->kitti.present |= PPRT_CFG_KB_MAX_POINTS; return PPRT_STATUS_OK;
    case F_KB_MAX_VOXELS: c->kitti.max_voxels_num = (uint32_t)i; c->kitti.present |= PPRT_CFG_KB_MAX_VOXELS; return PPRT_STATUS_OK;
    case F_KB_IN_CHANNELS: c->kitti.in_channels = (uint32_t)i; c->kitti.present |= PPRT_CFG_KB_IN_CHANNELS; return PPRT_STATUS_OK;
    case F_NMS_THRESH: c->nms_thresh = x; return PPRT_STATUS_OK;
    case F_SCORE_THRESH: c->score_thresh = x; return PPRT_STATUS_OK;
    case F_ANCHOR_SCALE: a->scale = x; return PPRT_STATUS_OK;
    case F_NMS_PRE: return whole_count(p, fd, v, x, &c->nms_pre);
    case F_MAX_NUM: return whole_count(p, fd, v, x, &c->max_num);
    case F_ALIGN: a->align_corner = b; return PPRT_STATUS_OK;
    case F_IS_TF: case F_USE_GRAPH_RUNNER: case F_ORDER_TYPE: return PPRT_STATUS_OK; /* checked, not used */
    case F_MODEL_TYPE: c->model_type = i; return PPRT_STATUS_OK;
    case F_IN_CHANNELS: c->in_channels = (uint32_t)i; return PPRT_STATUS_OK;
    case F_MAX_POINTS: c->max_points_num = (uint32_t)i; return PPRT_STATUS_OK;
    case F_MAX_VOXELS: c->max_voxels_num = (uint32_t)i; return PPRT_STATUS_OK;
    case F_NUM_CLASSES: c->num_classes = (uint32_t)i; return PPRT_STATUS_OK;
    case F_FEATMAP:
      if (ctx->n_featmap >= 2) return perr(p, v->line, v->col, "too many '%s' values (at most 2)", fd->name);
      c->featmap_size[ctx->n_featmap++] = (uint32_t)i;
      return PPRT_STATUS_OK;
    default:
      return perr(p, v->line, v->col, "internal: no storage for '%s'", fd->name);
  }
}

static enum pprt_status store_string(struct parser* p, const struct field_desc* fd, int* nondefault) {
  struct pprt_model_config* c = p->cfg;
  char scratch[PPRT_CFG_NAME_MAX];
  char* out;
  switch (fd->id) {
    case F_MODEL_NAME: out = c->name; break;
    case F_SCORE_LAYER: out = c->score_layer_name; break;
    case F_BBOX_LAYER: out = c->bbox_layer_name; break;
    case F_DIR_LAYER: out = c->dir_layer_name; break;
    default: out = scratch; break; /* kernel name: checked, not kept */
  }
  /* Decode into scratch first so a failed value does not leave half a name behind. */
  enum pprt_status st = parse_strings(p, fd, scratch, sizeof scratch);
  if (st != PPRT_STATUS_OK) return st;
  *nondefault = scratch[0] != '\0';
  if (out != scratch) memcpy(out, scratch, PPRT_CFG_NAME_MAX);
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Grammar                                                                                                       */

static enum pprt_status parse_fields(struct parser* p, struct msg_ctx* ctx, int depth, char close, unsigned oline,
                                     unsigned ocol);

/* When a message closes: the value counts. (The fields pprt needs are checked by pprt_model_config_validate.) */
static enum pprt_status check_message(struct parser* p, const struct msg_ctx* m) {
  const char* what = m->name[0] != '\0' ? m->name : "the file";
  struct count_rule {
    enum msg_type type;
    const char* field;
    uint32_t got, want;
  } rules[] = {
      {M_NUS, "point_cloud_range", m->n_range, 6}, {M_NUS, "featmap_size", m->n_featmap, 2},
      {M_RANGE, "single_range", m->count, 6},      {M_SIZE, "single_size", m->count, 3},
      {M_SETTINGS, "voxel_size", m->n_vsize, 3},   {M_SETTINGS, "voxel_range", m->n_vrange, 6},
      {M_KBASE, "point_cloud_range", m->n_range, 6}, {M_KBASE, "voxel_size", m->n_vsize, 3},
  };
  for (size_t r = 0; r < sizeof rules / sizeof rules[0]; ++r) {
    if (rules[r].type != m->type) continue;
    const struct field_desc* fd = find_field(m->type, rules[r].field, strlen(rules[r].field));
    /* a field not given is pprt_model_config_validate's business, except in the settings file */
    if (m->type != M_SETTINGS && fd != NULL && !mask_get(m->seen, field_index(fd))) continue;
    if (rules[r].got != rules[r].want)
      return perr(p, m->line, m->col, "'%s' needs %u '%s' values, got %u", what, rules[r].want, rules[r].field,
                  rules[r].got);
  }
  return PPRT_STATUS_OK;
}

/* The '{' or '<' is next. */
static enum pprt_status parse_message(struct parser* p, const struct field_desc* fd, const struct pprt_tf_token* name,
                                      int depth) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(&p->lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  unsigned oline = t->line, ocol = t->col;
  char close = pprt_tf_is_sym(&p->lx, t, '<') ? '>' : '}';
  if (depth + 1 > PROTO_MAX_DEPTH)
    return perr(p, oline, ocol, "messages nested deeper than %d levels", PROTO_MAX_DEPTH);
  pprt_tf_consume(&p->lx);
  struct msg_ctx child;
  memset(&child, 0, sizeof child);
  child.type = fd->child;
  child.line = name->line;
  child.col = name->col;
  child.name = fd->name;
  struct pprt_model_config* c = p->cfg;
  struct pprt_anchor_config* a = &c->anchor;
  switch (fd->id) {
    case F_MODEL:
      if (p->n_models++ > 0)
        return perr(p, name->line, name->col,
                    "a second 'model' block: VAI-L reads exactly one model per prototxt (CHECK_EQ(model_size, 1))");
      break;
    case F_KERNEL: child.index = p->n_kernels++; break;
    case F_RANGES:
    case F_SIZES: {
      uint32_t* num = fd->id == F_RANGES ? &a->num_ranges : &a->num_sizes;
      if (first_time(p, fd->id)) *num = 0;
      if (*num >= PPRT_CFG_MAX_ANCHOR_SETS)
        return perr(p, name->line, name->col, "too many '%s' blocks (at most %d)", fd->name, PPRT_CFG_MAX_ANCHOR_SETS);
      child.index = (*num)++;
      break;
    }
    default: break;
  }
  st = parse_fields(p, &child, depth + 1, close, oline, ocol);
  if (st != PPRT_STATUS_OK) return st;
  return check_message(p, &child);
}

/* One scalar value (string or otherwise) of field fd. */
static enum pprt_status parse_scalar_value(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                           int* nondefault) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(&p->lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  if (fd->kind == K_MSG) {
    char d[64];
    pprt_tf_describe(&p->lx, t, d, sizeof d);
    return perr(p, t->line, t->col, "'%s' is a message: expected '{', got %s", fd->name, d);
  }
  if (t->type == PPRT_TF_STRING) {
    if (fd->kind != K_STRING)
      return perr(p, t->line, t->col, "expected %s for '%s', got a string",
                  fd->kind == K_BOOL ? "true or false" : fd->kind == K_ENUM ? "an enum value" : "a number", fd->name);
    return store_string(p, fd, nondefault);
  }
  struct scalar v;
  st = read_scalar(p, &v, fd->name);
  if (st != PPRT_STATUS_OK) return st;
  if (fd->kind == K_STRING) return perr(p, v.line, v.col, "expected a quoted string for '%s'", fd->name);
  return store_scalar(p, ctx, fd, &v, nondefault);
}

/* The field name has been consumed; parse ':' value / message / list. */
static enum pprt_status parse_field_value(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                          const struct pprt_tf_token* name, int depth, int* nondefault) {
  int colon;
  enum pprt_status st = pprt_tf_try_sym(&p->lx, ':', &colon);
  if (st != PPRT_STATUS_OK) return st;
  const struct pprt_tf_token* t;
  st = pprt_tf_peek(&p->lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  if (pprt_tf_is_sym(&p->lx, t, '{') || pprt_tf_is_sym(&p->lx, t, '<')) {
    if (fd->kind != K_MSG)
      return perr(p, t->line, t->col, "'%s' is a scalar field: expected ':' and a value, not a message", fd->name);
    *nondefault = 1;
    return parse_message(p, fd, name, depth);
  }
  if (pprt_tf_is_sym(&p->lx, t, '[')) {
    if (!fd->repeated)
      return perr(p, t->line, t->col, "'%s' is not a repeated field: list syntax is not allowed", fd->name);
    /* Only a repeated message field may omit the ':' before a list (as in protobuf). */
    if (!colon && fd->kind != K_MSG) return perr(p, t->line, t->col, "expected ':' after '%s'", fd->name);
    pprt_tf_consume(&p->lx);
    int done;
    st = pprt_tf_try_sym(&p->lx, ']', &done);
    if (st != PPRT_STATUS_OK || done) return st; /* an empty list: the field is given, with no values */
    for (;;) {
      st = pprt_tf_peek(&p->lx, &t);
      if (st != PPRT_STATUS_OK) return st;
      int is_msg = pprt_tf_is_sym(&p->lx, t, '{') || pprt_tf_is_sym(&p->lx, t, '<');
      if (is_msg) {
        if (fd->kind != K_MSG)
          return perr(p, t->line, t->col, "'%s' is a scalar field: expected a value, not a message", fd->name);
        st = parse_message(p, fd, name, depth);
      } else {
        st = parse_scalar_value(p, ctx, fd, nondefault);
      }
      if (st != PPRT_STATUS_OK) return st;
      st = pprt_tf_peek(&p->lx, &t);
      if (st != PPRT_STATUS_OK) return st;
      if (pprt_tf_is_sym(&p->lx, t, ']')) {
        pprt_tf_consume(&p->lx);
        return PPRT_STATUS_OK;
      }
      if (!pprt_tf_is_sym(&p->lx, t, ',')) {
        char d[64];
        pprt_tf_describe(&p->lx, t, d, sizeof d);
        return perr(p, t->line, t->col, "expected ',' or ']' in the list of '%s', got %s", fd->name, d);
      }
      pprt_tf_consume(&p->lx);
    }
  }
  if (!colon) {
    char d[64];
    pprt_tf_describe(&p->lx, t, d, sizeof d);
    if (fd->kind == K_MSG) return perr(p, t->line, t->col, "expected '{' after '%s', got %s", fd->name, d);
    return perr(p, t->line, t->col, "expected ':' after '%s', got %s", fd->name, d);
  }
  return parse_scalar_value(p, ctx, fd, nondefault);
}

/* Fields until `close` ('}' or '>'), or until the end of input when close == 0 (top level). */
static enum pprt_status parse_fields(struct parser* p, struct msg_ctx* ctx, int depth, char close, unsigned oline,
                                     unsigned ocol) {
  for (;;) {
    const struct pprt_tf_token* t;
    enum pprt_status st = pprt_tf_peek(&p->lx, &t);
    if (st != PPRT_STATUS_OK) return st;
    if (t->type == PPRT_TF_EOF) {
      if (close == 0) return PPRT_STATUS_OK;
      return perr(p, t->line, t->col, "unexpected end of input: missing '%c' to close the '%c' at %u:%u", close,
                  close == '}' ? '{' : '<', oline, ocol);
    }
    if (close != 0 && pprt_tf_is_sym(&p->lx, t, close)) {
      pprt_tf_consume(&p->lx);
      return PPRT_STATUS_OK;
    }
    struct pprt_tf_token name = *t;
    if (pprt_tf_is_sym(&p->lx, t, '[')) /* an extension or Any type name: the schema has none */
      return perr(p, t->line, t->col, "message type \"%s\" has no extensions ('[...]' field names)",
                  k_msg_names[ctx->type]);
    if (t->type != PPRT_TF_IDENT) {
      char d[64];
      pprt_tf_describe(&p->lx, t, d, sizeof d);
      if (t->type == PPRT_TF_SYM && (p->lx.text[t->pos] == '}' || p->lx.text[t->pos] == '>'))
        return perr(p, t->line, t->col, "unexpected %s%s", d, close == 0 ? " (no message is open)" : "");
      return perr(p, t->line, t->col, "expected a field name, got %s", d);
    }
    pprt_tf_consume(&p->lx);
    const struct field_desc* fd = find_field(ctx->type, p->lx.text + name.pos, name.len);
    int n = name.len > 64 ? 64 : (int)name.len;
    const char* more = name.len > 64 ? "..." : "";
    if (fd == NULL) {
      const int voxel = ctx->type == M_NUS && name.len == 10 && memcmp(p->lx.text + name.pos, "voxel_size", 10) == 0;
      return perr(p, name.line, name.col, "message type \"%s\" has no field named \"%.*s%s\"%s", k_msg_names[ctx->type],
                  n, p->lx.text + name.pos, more,
                  voxel ? " (VAI-L's voxel grid is fixed at 0.25 x 0.25 x 8; a model with another grid gives it in "
                          "the pprt settings file <name>.pprt)"
                        : "");
    }
    if (fd->kind == K_OTHER)
      return perr(p, name.line, name.col,
                  "'%s' is a field of %s for another model type; pprt reads PointPillars models "
                  "(pointpillars_nus_param or pointpillars_kitti_param)",
                  fd->name, k_msg_names[ctx->type]);
    const size_t fi = field_index(fd);
    if (!fd->repeated && mask_get(ctx->has, fi))
      return perr(p, name.line, name.col, "non-repeated field \"%s\" is specified multiple times", fd->name);
    mask_set(ctx->seen, fi);
    if (ctx->type == M_KERNEL && ctx->index != 0) {
      /* kernel blocks after the first: VAI-L reads kernel(0) only */
    } else {
      p->cfg->present |= fd->present;
    }
    if (fd->repeated && fd->kind != K_MSG && fd->id != F_RANGE && fd->id != F_FEATMAP && fd->id != F_KB_RANGE &&
        fd->id != F_KB_VOXEL &&
        fd->id != F_SINGLE_RANGE && fd->id != F_SINGLE_SIZE && fd->id != F_SET_VOXEL_SIZE &&
        fd->id != F_SET_VOXEL_RANGE && !(ctx->type == M_KERNEL && ctx->index != 0) && first_time(p, fd->id)) {
      /* an empty list also replaces the Model Zoo values */
      struct pprt_model_config* c = p->cfg;
      if (fd->id == F_MEAN) c->num_mean = 0;
      if (fd->id == F_SCALE) c->num_scale = 0;
      if (fd->id == F_ROTATIONS) c->anchor.num_rotations = 0;
      if (fd->id == F_CUSTOM) c->anchor.num_custom_values = 0;
    }
    int nondefault = 0;
    st = parse_field_value(p, ctx, fd, &name, depth, &nondefault);
    if (st != PPRT_STATUS_OK) return st;
    if (nondefault) mask_set(ctx->has, fi);
    int sep;
    st = pprt_tf_try_sym(&p->lx, ',', &sep);
    if (st != PPRT_STATUS_OK) return st;
    if (!sep) {
      st = pprt_tf_try_sym(&p->lx, ';', &sep);
      if (st != PPRT_STATUS_OK) return st;
    }
  }
}

static enum pprt_status parse_text(const char* text, size_t len, const char* source, enum msg_type root,
                                   struct pprt_model_config* cfg, struct pprt_err* err) {
  struct parser p;
  memset(&p, 0, sizeof p);
  pprt_tf_init(&p.lx, text, len, source, err);
  p.cfg = cfg;
  struct msg_ctx top;
  memset(&top, 0, sizeof top);
  top.type = root;
  top.line = 1;
  top.col = 1;
  top.name = "";
  enum pprt_status st = parse_fields(&p, &top, 0, 0, 0, 0);
  if (st == PPRT_STATUS_OK) st = check_message(&p, &top);
  return st;
}

enum pprt_status pprt_prototxt_parse(const char* text, size_t len, const char* source, struct pprt_model_config* cfg,
                                     struct pprt_err* err) {
  if (cfg == NULL || (text == NULL && len != 0))
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_prototxt_parse: NULL %s", cfg == NULL ? "cfg" : "text");
  pprt_model_config_defaults(cfg); /* present = 0; pprt_model_config_validate requires what VAI-L reads */
  enum pprt_status st = parse_text(text, len, source != NULL ? source : "<prototxt>", M_LIST, cfg, err);
  if (st != PPRT_STATUS_OK) pprt_model_config_defaults(cfg); /* never hand back half a config */
  return st;
}

enum pprt_status pprt_settings_parse(const char* text, size_t len, const char* source, struct pprt_model_config* cfg,
                                     struct pprt_err* err) {
  if (cfg == NULL || (text == NULL && len != 0))
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_settings_parse: NULL %s", cfg == NULL ? "cfg" : "text");
  struct pprt_model_config tmp = *cfg;
  enum pprt_status st = parse_text(text, len, source != NULL ? source : "<pprt settings>", M_SETTINGS, &tmp, err);
  if (st != PPRT_STATUS_OK) return st;
  memcpy(cfg->voxel_size, tmp.voxel_size, sizeof cfg->voxel_size);
  memcpy(cfg->voxel_range, tmp.voxel_range, sizeof cfg->voxel_range);
  cfg->present |= PPRT_CFG_VOXEL_SIZE;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_prototxt_load(const char* path, struct pprt_model_config* cfg, struct pprt_err* err) {
  if (path == NULL || cfg == NULL)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_prototxt_load: NULL %s", path == NULL ? "path" : "cfg");
  char* buf;
  size_t n;
  enum pprt_status st = pprt_tf_read_file(path, &buf, &n, NULL, err);
  if (st != PPRT_STATUS_OK) return st;
  st = pprt_prototxt_parse(buf, n, path, cfg, err);
  free(buf);
  return st;
}

enum pprt_status pprt_model_config_load(const char* prototxt_path, struct pprt_model_config* cfg,
                                        struct pprt_err* err) {
  enum pprt_status st = pprt_prototxt_load(prototxt_path, cfg, err);
  if (st != PPRT_STATUS_OK) return st;
  char spath[4200];
  size_t len = strlen(prototxt_path);
  const char* ext = ".prototxt";
  const size_t el = strlen(ext);
  if (len >= el && strcmp(prototxt_path + len - el, ext) == 0) len -= el;
  if (len + 6 > sizeof spath)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "%s: path too long", prototxt_path);
  memcpy(spath, prototxt_path, len);
  memcpy(spath + len, ".pprt", 6);
  char* buf;
  size_t n;
  int missing = 0;
  if ((st = pprt_tf_read_file(spath, &buf, &n, &missing, err))) return st;
  if (missing) return PPRT_STATUS_OK;
  st = pprt_settings_parse(buf, n, spath, cfg, err);
  free(buf);
  return st;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Validation                                                                                                    */

int pprt_model_config_is_kitti(const struct pprt_model_config* cfg) {
  return cfg != NULL && ((cfg->present & PPRT_CFG_KITTI_PARAM) ||
                         ((cfg->present & PPRT_CFG_MODEL_TYPE) && cfg->model_type == PPRT_MODEL_TYPE_POINTPILLARS));
}

static int name_ok(const char* s) { return memchr(s, '\0', PPRT_CFG_NAME_MAX) != NULL && s[0] != '\0'; }

enum pprt_status pprt_model_config_validate(const struct pprt_model_config* cfg, const char* source,
                                            struct pprt_err* err) {
  const char* src = source != NULL ? source : "<model config>";
  const enum pprt_status bad = PPRT_STATUS_MODEL_MISMATCH;
  if (cfg == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_model_config_validate: NULL cfg");
  static const struct {
    uint32_t bit;
    const char* where;
  } need[] = {
      {PPRT_CFG_MODEL, "'model' block"},
      {PPRT_CFG_KERNEL, "'kernel' block in the model (VAI-L reads kernel(0))"},
      {PPRT_CFG_MEAN, "'mean' in kernel"},
      {PPRT_CFG_SCALE, "'scale' in kernel"},
      {PPRT_CFG_PILLARS_PARAM, "'pointpillars_nus_param' block"},
      {PPRT_CFG_POINT_CLOUD_RANGE, "'point_cloud_range' in pointpillars_nus_param"},
      {PPRT_CFG_IN_CHANNELS, "'in_channels' in pointpillars_nus_param"},
      {PPRT_CFG_MAX_POINTS_NUM, "'max_points_num' in pointpillars_nus_param"},
      {PPRT_CFG_MAX_VOXELS_NUM, "'max_voxels_num' in pointpillars_nus_param"},
      {PPRT_CFG_FEATMAP_SIZE, "'featmap_size' in pointpillars_nus_param"},
      {PPRT_CFG_ANCHOR_INFO, "'anchor_info' in pointpillars_nus_param"},
      {PPRT_CFG_ANCHOR_RANGES, "'ranges' in anchor_info"},
      {PPRT_CFG_ANCHOR_SIZES, "'sizes' in anchor_info"},
      {PPRT_CFG_ANCHOR_ROTATIONS, "'rotations' in anchor_info"},
      {PPRT_CFG_ANCHOR_SCALE, "'scale' in anchor_info"},
      {PPRT_CFG_NUM_CLASSES, "'num_classes' in pointpillars_nus_param"},
      {PPRT_CFG_NMS_PRE, "'nms_pre' in pointpillars_nus_param"},
      {PPRT_CFG_NMS_THRESH, "'nms_thresh' in pointpillars_nus_param"},
      {PPRT_CFG_MAX_NUM, "'max_num' in pointpillars_nus_param"},
      {PPRT_CFG_SCORE_THRESH, "'score_thresh' in pointpillars_nus_param"},
      {PPRT_CFG_SCORE_LAYER, "'score_layer_name' in pointpillars_nus_param"},
      {PPRT_CFG_BBOX_LAYER, "'bbox_layer_name' in pointpillars_nus_param"},
      {PPRT_CFG_DIR_LAYER, "'dir_layer_name' in pointpillars_nus_param"},
  };
  if ((cfg->present & PPRT_CFG_KITTI_PARAM) && (cfg->present & PPRT_CFG_PILLARS_PARAM))
    return pprt_fail(err, bad, "%s: both pointpillars_nus_param and pointpillars_kitti_param: one model is one or the "
                     "other", src);
  if (pprt_model_config_is_kitti(cfg))
    return pprt_fail(err, bad, "%s: a KITTI PointPillars prototxt (model_type POINTPILLARS / pointpillars_kitti_param) "
                     "where a nuScenes one (pointpillars_nus_param) is needed", src);
  for (size_t i = 0; i < sizeof need / sizeof need[0]; ++i) {
    if (!(cfg->present & need[i].bit))
      return pprt_fail(err, bad, "%s: no %s: VAI-L would read 0 or nothing for it; pprt requires it", src,
                       need[i].where);
  }
  if ((cfg->present & PPRT_CFG_MODEL_TYPE) && cfg->model_type != 0 &&
      cfg->model_type != PPRT_MODEL_TYPE_POINTPILLARS_NUS) {
    const int32_t t = cfg->model_type;
    return pprt_fail(err, bad, "%s: model_type is %s (%d); pprt reads POINTPILLARS_NUS (%d) models", src,
                     t >= 0 && (uint32_t)t < k_enum_model_type.count ? k_model_types[t] : "an unnamed value", (int)t,
                     PPRT_MODEL_TYPE_POINTPILLARS_NUS);
  }
  static const char axis[3] = {'x', 'y', 'z'};
  for (int i = 0; i < 3; ++i) {
    if (!(cfg->voxel_size[i] > 0.0f) || !isfinite(cfg->voxel_size[i]))
      return pprt_fail(err, bad, "%s: voxel_size %c = %g must be a positive number", src, axis[i],
                       (double)cfg->voxel_size[i]);
    float lo = cfg->voxel_range[i], hi = cfg->voxel_range[i + 3];
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
      return pprt_fail(err, bad, "%s: voxel_range %c: min %g must be below max %g", src, axis[i], (double)lo,
                       (double)hi);
    lo = cfg->point_cloud_range[i];
    hi = cfg->point_cloud_range[i + 3];
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
      return pprt_fail(err, bad, "%s: point_cloud_range %c: min %g must be below max %g", src, axis[i], (double)lo,
                       (double)hi);
  }
  uint32_t grid[3];
  for (int i = 0; i < 3; ++i) {
    double g = ((double)cfg->voxel_range[i + 3] - (double)cfg->voxel_range[i]) / (double)cfg->voxel_size[i];
    double r = floor(g + 0.5);
    if (fabs(g - r) > 1e-3 || r < 1.0)
      return pprt_fail(err, bad, "%s: voxel grid %c: range extent / voxel_size = %.6f is not a whole number of cells",
                       src, axis[i], g);
    if (r > 8192.0) return pprt_fail(err, bad, "%s: voxel grid %c has %.0f cells (at most 8192)", src, axis[i], r);
    grid[i] = (uint32_t)r;
  }
  if (grid[2] != 1)
    return pprt_fail(err, bad, "%s: the voxel grid has %u cells in z; pillars need exactly 1 (voxel_size z = z extent)",
                     src, grid[2]);
  if (cfg->in_channels == 0 || cfg->in_channels > 4096)
    return pprt_fail(err, bad, "%s: in_channels = %u (DPU0's output channels per pillar); must be 1..4096", src,
                     cfg->in_channels);
  if (cfg->num_mean == 0 || cfg->num_mean > PPRT_CFG_MAX_FEATURES || cfg->num_scale != cfg->num_mean)
    return pprt_fail(err, bad, "%s: kernel has %u mean and %u scale values; need the same number, 1..%d", src,
                     cfg->num_mean, cfg->num_scale, PPRT_CFG_MAX_FEATURES);
  if (cfg->max_points_num == 0 || cfg->max_points_num > 65535)
    return pprt_fail(err, bad, "%s: max_points_num = %u; must be 1..65535", src, cfg->max_points_num);
  if (cfg->max_voxels_num == 0 || cfg->max_voxels_num > 1000000)
    return pprt_fail(err, bad, "%s: max_voxels_num = %u; must be 1..1000000", src, cfg->max_voxels_num);
  for (int i = 0; i < 2; ++i) {
    if (cfg->featmap_size[i] == 0 || cfg->featmap_size[i] > 1024)
      return pprt_fail(err, bad, "%s: featmap_size[%d] = %u; must be 1..1024", src, i, cfg->featmap_size[i]);
  }
  const struct pprt_anchor_config* a = &cfg->anchor;
  if (a->num_ranges == 0 || a->num_ranges > PPRT_CFG_MAX_ANCHOR_SETS || a->num_sizes > PPRT_CFG_MAX_ANCHOR_SETS ||
      a->num_ranges != a->num_sizes)
    return pprt_fail(err, bad, "%s: anchor_info has %u ranges and %u sizes; need the same number, 1..%d", src,
                     a->num_ranges, a->num_sizes, PPRT_CFG_MAX_ANCHOR_SETS);
  if (a->num_rotations == 0 || a->num_rotations > PPRT_CFG_MAX_ROTATIONS)
    return pprt_fail(err, bad, "%s: anchor_info has %u rotations; need 1..%d", src, a->num_rotations,
                     PPRT_CFG_MAX_ROTATIONS);
  if (a->num_custom_values > PPRT_CFG_MAX_CUSTOM)
    return pprt_fail(err, bad, "%s: anchor_info has %u custom values (at most %d)", src, a->num_custom_values,
                     PPRT_CFG_MAX_CUSTOM);
  if (cfg->num_classes == 0 || cfg->num_classes > PPRT_CFG_MAX_CLASSES)
    return pprt_fail(err, bad, "%s: num_classes = %u; must be 1..%d", src, cfg->num_classes, PPRT_CFG_MAX_CLASSES);
  if (!(cfg->nms_thresh >= 0.0f && cfg->nms_thresh <= 1.0f))
    return pprt_fail(err, bad, "%s: nms_thresh = %g; must be within [0, 1]", src, (double)cfg->nms_thresh);
  if (!(cfg->score_thresh > 0.0f && cfg->score_thresh < 1.0f))
    return pprt_fail(err, bad, "%s: score_thresh = %g; must be within (0, 1)", src, (double)cfg->score_thresh);
  if (cfg->max_num == 0 || cfg->max_num > PPRT_CFG_MAX_NUM_LIMIT)
    return pprt_fail(err, bad, "%s: max_num = %u; must be 1..%u", src, cfg->max_num, PPRT_CFG_MAX_NUM_LIMIT);
  if (!name_ok(cfg->score_layer_name)) return pprt_fail(err, bad, "%s: score_layer_name is empty", src);
  if (!name_ok(cfg->bbox_layer_name)) return pprt_fail(err, bad, "%s: bbox_layer_name is empty", src);
  if (!name_ok(cfg->dir_layer_name)) return pprt_fail(err, bad, "%s: dir_layer_name is empty", src);
  return PPRT_STATUS_OK;
}
