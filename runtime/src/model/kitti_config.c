/* Reading a KITTI PointPillars configuration (docs/KITTI.md, "Model files"): the Model Zoo prototxt
 * (`model { model_type: POINTPILLARS pointpillars_kitti_param { base { ... } } }`, Vitis AI 2.5's
 * dpu_model_param.proto, read by the schema reader model/prototxt.c like every model prototxt) and the
 * second.pytorch pipeline configuration (`<name>_officialcfg.prototxt`, a TrainEvalPipelineConfig in protobuf text
 * format). The pipeline file is tokenized by the text-format lexer the schema reader uses (model/textformat.h, the
 * syntax of docs/PROTOTXT.md); what is here is a walk that tracks the path of nested messages and hands every scalar
 * to the field table in store(); fields pprt does not use are checked for syntax and skipped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitti.h"
#include "model/model_config.h"
#include "model/textformat.h"

#define PATH_MAX_DEPTH 16
#define PATH_CAP 512
#define NAME_MAX_LEN 127 /* longest field name */

struct reader {
  struct pprt_tf_lexer lx; /* the shared text-format lexer (model/textformat.h) */
  unsigned line, col;      /* where the value or field being handled starts (for messages) */
  struct pprt_kitti_config* cfg;
  char path[PATH_CAP];
  /* counts of repeated fields seen in this file (the first occurrence replaces the default list) */
  uint32_t n_range, n_voxel, n_strides_layer, gen_open;
  uint32_t given; /* enum pprt_kitti_given */
  uint32_t n_sizes, n_gstrides, n_offsets, n_rot;
};

/* One scalar value: a number or identifier token with its sign, or a (concatenated) string, decoded. */
struct value {
  int quoted, neg, has_nul;
  struct pprt_tf_token tok; /* not quoted: the token after the '-' */
  size_t n;                 /* quoted: the decoded length (str holds its first sizeof str - 1 bytes) */
  char str[PPRT_KITTI_NAME_MAX];
};

static enum pprt_status rerr(struct reader* r, const char* what) {
  return pprt_tf_error(&r->lx, r->line, r->col, "%s", what);
}

static enum pprt_status to_float(struct reader* r, const struct value* v, float* out) {
  const struct pprt_tf_token* t = &v->tok;
  double d;
  if (v->quoted || (t->type != PPRT_TF_INT && t->type != PPRT_TF_FLOAT)) return rerr(r, "expected a finite number");
  if (t->type == PPRT_TF_INT && t->base != PPRT_TF_DEC) {
    int ovf;
    uint64_t u = pprt_tf_int_value(&r->lx, t, &ovf);
    if (ovf) return rerr(r, "expected a finite number");
    d = (double)u;
  } else {
    d = pprt_tf_float_value(&r->lx, t);
  }
  if (!isfinite(d) || fabs(d) > 3.0e38) return rerr(r, "expected a finite number");
  *out = (float)(v->neg ? -d : d);
  return PPRT_STATUS_OK;
}

static enum pprt_status to_uint(struct reader* r, const struct value* v, uint32_t* out) {
  int ovf = 1;
  uint64_t u = 0;
  if (!v->quoted && !v->neg && v->tok.type == PPRT_TF_INT) u = pprt_tf_int_value(&r->lx, &v->tok, &ovf);
  if (ovf || u > 0xffffffffull) return rerr(r, "expected an unsigned 32-bit integer");
  *out = (uint32_t)u;
  return PPRT_STATUS_OK;
}

static enum pprt_status push_f(struct reader* r, const struct value* v, float* arr, uint32_t* n, uint32_t cap) {
  if (*n >= cap) return rerr(r, "too many values for this field");
  return to_float(r, v, &arr[(*n)++]);
}

static int path_is(const struct reader* r, const char* p) { return strcmp(r->path, p) == 0; }

#define SECOND "model.second."
#define GEN SECOND "target_assigner.anchor_generators.anchor_generator_stride."

/* One scalar at r->path (the path includes the field name). */
static enum pprt_status store(struct reader* r, const struct value* v) {
  struct pprt_kitti_config* c = r->cfg;
  if (path_is(r, SECOND "voxel_generator.point_cloud_range")) {
    r->given |= PPRT_KITTI_GIVEN_RANGE;
    if (r->n_range == 6) r->n_range = 0; /* a second list (the other file) replaces the first */
    return push_f(r, v, c->point_cloud_range, &r->n_range, 6);
  }
  if (path_is(r, SECOND "voxel_generator.voxel_size")) {
    r->given |= PPRT_KITTI_GIVEN_VOXEL;
    if (r->n_voxel == 3) r->n_voxel = 0;
    return push_f(r, v, c->voxel_size, &r->n_voxel, 3);
  }
  if (path_is(r, SECOND "voxel_generator.max_number_of_points_per_voxel"))
    return r->given |= PPRT_KITTI_GIVEN_MAX_POINTS, to_uint(r, v, &c->max_points_num);
  if (path_is(r, "eval_input_reader.max_number_of_voxels"))
    return r->given |= PPRT_KITTI_GIVEN_MAX_VOXELS, to_uint(r, v, &c->max_voxels_num);
  if (path_is(r, SECOND "num_class")) return r->given |= PPRT_KITTI_GIVEN_NUM_CLASS, to_uint(r, v, &c->num_class);
  if (path_is(r, SECOND "num_point_features")) return to_uint(r, v, &c->points_dim);
  if (path_is(r, SECOND "rpn.layer_strides")) {
    uint32_t s = 0;
    enum pprt_status st = to_uint(r, v, &s);
    if (st) return st;
    r->given |= PPRT_KITTI_GIVEN_STRIDES;
    if (r->n_strides_layer++ == 0) c->layer_stride = s; /* the first block's stride: input grid / feature map */
    return PPRT_STATUS_OK;
  }
  if (path_is(r, SECOND "nms_pre_max_size"))
    return r->given |= PPRT_KITTI_GIVEN_NMS_PRE, to_uint(r, v, &c->nms_pre_max_size);
  if (path_is(r, SECOND "nms_post_max_size"))
    return r->given |= PPRT_KITTI_GIVEN_NMS_POST, to_uint(r, v, &c->nms_post_max_size);
  if (path_is(r, SECOND "nms_score_threshold"))
    return r->given |= PPRT_KITTI_GIVEN_NMS_SCORE, to_float(r, v, &c->nms_score_threshold);
  if (path_is(r, SECOND "nms_iou_threshold"))
    return r->given |= PPRT_KITTI_GIVEN_NMS_IOU, to_float(r, v, &c->nms_iou_threshold);
  if (strncmp(r->path, GEN, strlen(GEN)) == 0) {
    if (r->gen_open == 0) return rerr(r, "anchor generator field outside an anchor_generators block");
    struct pprt_kitti_anchor_gen* g = &c->gen[r->gen_open - 1];
    const char* f = r->path + strlen(GEN);
    if (strcmp(f, "class_name") == 0) {
      if (!v->quoted || v->n >= sizeof g->class_name || v->has_nul)
        return rerr(r, "class_name must be a string of < 64 bytes (no NUL byte)");
      memcpy(g->class_name, v->str, v->n + 1);
      return PPRT_STATUS_OK;
    }
    if (strcmp(f, "sizes") == 0) return push_f(r, v, g->sizes, &r->n_sizes, 3);
    if (strcmp(f, "strides") == 0) return push_f(r, v, g->strides, &r->n_gstrides, 3);
    if (strcmp(f, "offsets") == 0) return push_f(r, v, g->offsets, &r->n_offsets, 3);
    if (strcmp(f, "rotations") == 0) return push_f(r, v, g->rotations, &r->n_rot, PPRT_KITTI_MAX_ROTATIONS);
    return PPRT_STATUS_OK; /* matched / unmatched thresholds: training only */
  }
  return PPRT_STATUS_OK;
}

static enum pprt_status open_msg(struct reader* r) {
  if (path_is(r, SECOND "target_assigner.anchor_generators")) {
    r->given |= PPRT_KITTI_GIVEN_GENERATORS;
    if (r->gen_open == 0) r->cfg->num_generators = 0; /* this file lists the generators */
    if (r->cfg->num_generators >= PPRT_KITTI_MAX_GENERATORS) return rerr(r, "too many anchor generators");
    struct pprt_kitti_anchor_gen* g = &r->cfg->gen[r->cfg->num_generators++];
    memset(g, 0, sizeof *g);
    r->gen_open = r->cfg->num_generators;
    r->n_sizes = r->n_gstrides = r->n_offsets = r->n_rot = 0;
  }
  return PPRT_STATUS_OK;
}

static enum pprt_status close_msg(struct reader* r) {
  if (path_is(r, SECOND "target_assigner.anchor_generators") && r->gen_open > 0) {
    struct pprt_kitti_anchor_gen* g = &r->cfg->gen[r->gen_open - 1];
    if (r->n_sizes != 3 || r->n_gstrides != 3 || r->n_offsets != 3 || r->n_rot == 0)
      return rerr(r, "an anchor_generator_stride needs 3 sizes, 3 strides, 3 offsets and at least one rotation");
    g->num_rotations = r->n_rot;
  }
  return PPRT_STATUS_OK;
}

/* One scalar value of the field at r->path: a (possibly concatenated) string, or an optional '-' and a number or
 * identifier. */
static enum pprt_status parse_scalar(struct reader* r) {
  struct pprt_tf_lexer* lx = &r->lx;
  const struct pprt_tf_token* t;
  struct value v;
  enum pprt_status st = pprt_tf_peek(lx, &t);
  if (st) return st;
  memset(&v, 0, sizeof v);
  r->line = t->line;
  r->col = t->col;
  if (t->type == PPRT_TF_STRING) {
    v.quoted = 1;
    while (t->type == PPRT_TF_STRING) {
      struct pprt_tf_token tok = *t;
      pprt_tf_consume(lx);
      if ((st = pprt_tf_decode_string(lx, &tok, v.str, sizeof v.str - 1, &v.n, &v.has_nul))) return st;
      if ((st = pprt_tf_peek(lx, &t))) return st;
    }
    v.str[v.n < sizeof v.str - 1 ? v.n : sizeof v.str - 1] = '\0';
    return store(r, &v);
  }
  if (pprt_tf_is_sym(lx, t, '-')) {
    v.neg = 1;
    pprt_tf_consume(lx);
    if ((st = pprt_tf_peek(lx, &t))) return st;
    if (t->type != PPRT_TF_INT && t->type != PPRT_TF_FLOAT && !pprt_tf_is_nonfinite(lx, t))
      return pprt_tf_error(lx, t->line, t->col, "expected a number after '-'");
  }
  if (t->type != PPRT_TF_INT && t->type != PPRT_TF_FLOAT && t->type != PPRT_TF_IDENT)
    return pprt_tf_error(lx, t->line, t->col, "expected a value");
  if (t->type != PPRT_TF_IDENT && t->len >= PPRT_TF_NUM_TEXT_MAX)
    return pprt_tf_error(lx, t->line, t->col, "value too long");
  v.tok = *t;
  pprt_tf_consume(lx);
  return store(r, &v);
}

static enum pprt_status parse_fields(struct reader* r, int depth, char close);

/* The '{' or '<' of the message at r->path is next; name is its field name (where its errors point). */
static enum pprt_status parse_message(struct reader* r, const struct pprt_tf_token* name, int depth) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(&r->lx, &t);
  if (st) return st;
  char close = pprt_tf_is_sym(&r->lx, t, '<') ? '>' : '}';
  if (depth >= PATH_MAX_DEPTH) return pprt_tf_error(&r->lx, t->line, t->col, "messages nested too deeply");
  pprt_tf_consume(&r->lx);
  r->line = name->line;
  r->col = name->col;
  if ((st = open_msg(r))) return st;
  if ((st = parse_fields(r, depth + 1, close))) return st;
  r->line = name->line;
  r->col = name->col;
  return close_msg(r);
}

/* After the field name (and its ':', if any): a message, a list `[v, v]` / `[{...}, {...}]`, or a scalar. */
static enum pprt_status parse_field_value(struct reader* r, const struct pprt_tf_token* name, int colon, int depth) {
  struct pprt_tf_lexer* lx = &r->lx;
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(lx, &t);
  if (st) return st;
  if (pprt_tf_is_sym(lx, t, '{') || pprt_tf_is_sym(lx, t, '<')) return parse_message(r, name, depth);
  if (!pprt_tf_is_sym(lx, t, '[')) {
    if (!colon) return pprt_tf_error(lx, t->line, t->col, "expected ':' or '{' after a field name");
    return parse_scalar(r);
  }
  pprt_tf_consume(lx);
  int done;
  if ((st = pprt_tf_try_sym(lx, ']', &done)) || done) return st;
  for (;;) {
    if ((st = pprt_tf_peek(lx, &t))) return st;
    if (pprt_tf_is_sym(lx, t, '{') || pprt_tf_is_sym(lx, t, '<')) {
      st = parse_message(r, name, depth);
    } else if (!colon) { /* like protobuf: only a list of messages may leave out the ':' */
      return pprt_tf_error(lx, name->line, name->col, "expected ':' or '{' after a field name");
    } else {
      st = parse_scalar(r);
    }
    if (st) return st;
    if ((st = pprt_tf_peek(lx, &t))) return st;
    if (pprt_tf_is_sym(lx, t, ']')) {
      pprt_tf_consume(lx);
      return PPRT_STATUS_OK;
    }
    if (!pprt_tf_is_sym(lx, t, ',')) return pprt_tf_error(lx, t->line, t->col, "expected ',' or ']'");
    pprt_tf_consume(lx);
  }
}

/* Fields until `close` ('}' or '>'), or until the end of the file at depth 0 (close == 0). */
static enum pprt_status parse_fields(struct reader* r, int depth, char close) {
  struct pprt_tf_lexer* lx = &r->lx;
  enum pprt_status st;
  for (;;) {
    const struct pprt_tf_token* t;
    if ((st = pprt_tf_peek(lx, &t))) return st;
    if (t->type == PPRT_TF_EOF) {
      if (close != 0) return pprt_tf_error(lx, t->line, t->col, "missing '%c' at end of file", close);
      return PPRT_STATUS_OK;
    }
    if (close != 0 && pprt_tf_is_sym(lx, t, close)) {
      pprt_tf_consume(lx);
      return PPRT_STATUS_OK;
    }
    if (pprt_tf_is_sym(lx, t, '}') || pprt_tf_is_sym(lx, t, '>'))
      return pprt_tf_error(lx, t->line, t->col, "unexpected '%c'", lx->text[t->pos]);
    if (t->type != PPRT_TF_IDENT) return pprt_tf_error(lx, t->line, t->col, "expected a field name");
    if (t->len > NAME_MAX_LEN) return pprt_tf_error(lx, t->line, t->col, "field name too long");
    const struct pprt_tf_token name = *t;
    size_t base = strlen(r->path);
    if (base + name.len + 2 >= PATH_CAP) return pprt_tf_error(lx, t->line, t->col, "fields nested too deeply");
    snprintf(r->path + base, PATH_CAP - base, "%s%.*s", base ? "." : "", (int)name.len, lx->text + name.pos);
    pprt_tf_consume(lx);
    int colon, sep;
    if ((st = pprt_tf_try_sym(lx, ':', &colon))) return st;
    if ((st = parse_field_value(r, &name, colon, depth))) return st;
    r->path[base] = '\0';
    if ((st = pprt_tf_try_sym(lx, ',', &sep))) return st;
    if (!sep && (st = pprt_tf_try_sym(lx, ';', &sep))) return st;
  }
}

static enum pprt_status parse_file(const char* path, struct pprt_kitti_config* cfg, uint32_t* given,
                                   struct pprt_err* err) {
  char* buf;
  size_t len;
  enum pprt_status rst = pprt_tf_read_file(path, &buf, &len, NULL, err);
  if (rst) return rst;
  struct reader r;
  memset(&r, 0, sizeof r);
  pprt_tf_init(&r.lx, buf, len, path, err);
  r.cfg = cfg;
  if (memchr(buf, '\0', len) != NULL) {
    free(buf);
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: not a text file (NUL byte)", path);
  }
  enum pprt_status st = parse_fields(&r, 0, 0);
  if (given != NULL) *given = r.given;
  if (st == PPRT_STATUS_OK && r.n_range != 0 && r.n_range != 6)
    st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: point_cloud_range needs 6 values, it has %u", path, r.n_range);
  if (st == PPRT_STATUS_OK && r.n_voxel != 0 && r.n_voxel != 3)
    st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: voxel_size needs 3 values, it has %u", path, r.n_voxel);
  free(buf);
  return st;
}

/* The Model Zoo prototxt of a KITTI model, through the schema reader: exactly one model, of type POINTPILLARS if a
 * type is given, no nuScenes parameters; its pointpillars_kitti_param.base values become the defaults. */
static enum pprt_status from_prototxt(const char* path, struct pprt_kitti_config* cfg, struct pprt_err* err) {
  struct pprt_model_config* mc = malloc(sizeof *mc);
  if (mc == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  enum pprt_status st = pprt_prototxt_load(path, mc, err);
  if (st == PPRT_STATUS_OK && (mc->present & PPRT_CFG_PILLARS_PARAM))
    st = pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                   "%s: pointpillars_nus_param in the prototxt of a KITTI model (pointpillars_kitti_param expected)",
                   path);
  if (st == PPRT_STATUS_OK && (mc->present & PPRT_CFG_MODEL_TYPE) && mc->model_type != 0 &&
      mc->model_type != PPRT_MODEL_TYPE_POINTPILLARS)
    st = pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: model_type %d; a KITTI PointPillars model is POINTPILLARS (%d)",
                   path, (int)mc->model_type, PPRT_MODEL_TYPE_POINTPILLARS);
  if (st == PPRT_STATUS_OK) {
    const struct pprt_kitti_base_param* b = &mc->kitti;
    if (b->present & PPRT_CFG_KB_RANGE) memcpy(cfg->point_cloud_range, b->point_cloud_range, sizeof b->point_cloud_range);
    if (b->present & PPRT_CFG_KB_VOXEL_SIZE) memcpy(cfg->voxel_size, b->voxel_size, sizeof b->voxel_size);
    if (b->present & PPRT_CFG_KB_POINTS_DIM) cfg->points_dim = b->points_dim;
    if (b->present & PPRT_CFG_KB_MAX_POINTS) cfg->max_points_num = b->max_points_num;
    if (b->present & PPRT_CFG_KB_MAX_VOXELS) cfg->max_voxels_num = b->max_voxels_num;
  }
  free(mc);
  return st;
}

enum pprt_status pprt_kitti_config_load_given(const char* prototxt, const char* officialcfg,
                                              struct pprt_kitti_config* cfg, uint32_t* given, struct pprt_err* err) {
  pprt_kitti_config_demo(cfg);
  if (given != NULL) *given = 0;
  enum pprt_status st;
  if (prototxt != NULL && (st = from_prototxt(prototxt, cfg, err))) return st;
  if (officialcfg != NULL && (st = parse_file(officialcfg, cfg, given, err))) return st;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_kitti_config_load(const char* prototxt, const char* officialcfg, struct pprt_kitti_config* cfg,
                                        struct pprt_err* err) {
  return pprt_kitti_config_load_given(prototxt, officialcfg, cfg, NULL, err);
}

const char* pprt_kitti_given_name(uint32_t bit) {
  static const char* const names[] = {
      SECOND "voxel_generator.point_cloud_range", SECOND "voxel_generator.voxel_size",
      SECOND "voxel_generator.max_number_of_points_per_voxel", "eval_input_reader.max_number_of_voxels",
      SECOND "num_class", SECOND "rpn.layer_strides", SECOND "nms_pre_max_size", SECOND "nms_post_max_size",
      SECOND "nms_score_threshold", SECOND "nms_iou_threshold", SECOND "target_assigner.anchor_generators"};
  for (uint32_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (bit == (1u << i)) return names[i];
  return "?";
}
