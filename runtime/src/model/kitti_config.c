/* Reading a KITTI PointPillars configuration (docs/KITTI.md, "Model files"): the Model Zoo prototxt
 * (`model { model_type: POINTPILLARS pointpillars_kitti_param { base { ... } } }`, Vitis AI 2.5's
 * dpu_model_param.proto, read by the schema reader model/prototxt.c like every model prototxt) and the
 * second.pytorch pipeline configuration (`<name>_officialcfg.prototxt`, a TrainEvalPipelineConfig in protobuf text
 * format), walked by the small text-format reader below that tracks the path of nested messages and hands every
 * scalar to the field table in store(); fields pprt does not use are checked for syntax and skipped. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitti.h"
#include "model/model_config.h"

#define PATH_MAX_DEPTH 16
#define PATH_CAP 512

struct reader {
  const char* text;
  size_t len, pos;
  unsigned line, col;
  const char* source;
  struct pprt_err* err;
  struct pprt_kitti_config* cfg;
  char path[PATH_CAP];
  size_t depth_len[PATH_MAX_DEPTH + 1];
  int depth;
  /* counts of repeated fields seen in this file (the first occurrence replaces the default list) */
  uint32_t n_range, n_voxel, n_strides_layer, gen_open;
  uint32_t given; /* enum pprt_kitti_given */
  uint32_t n_sizes, n_gstrides, n_offsets, n_rot;
};

static enum pprt_status rerr(struct reader* r, const char* what) {
  return pprt_fail(r->err, PPRT_STATUS_PARSE_ERROR, "%s:%u:%u: %s", r->source, r->line, r->col, what);
}

static int cur(const struct reader* r) { return r->pos < r->len ? (unsigned char)r->text[r->pos] : -1; }

static void adv(struct reader* r) {
  if (r->pos >= r->len) return;
  if (r->text[r->pos] == '\n') {
    ++r->line;
    r->col = 1;
  } else {
    ++r->col;
  }
  ++r->pos;
}

static void skip_space(struct reader* r) {
  for (;;) {
    int c = cur(r);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      adv(r);
    } else if (c == '#') {
      while (cur(r) != -1 && cur(r) != '\n') adv(r);
    } else {
      return;
    }
  }
}

static int is_ident(int c, int first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* A scalar token: identifier, number or quoted string (kept raw, quotes stripped). */
static enum pprt_status read_token(struct reader* r, char* out, size_t cap, int* quoted) {
  size_t n = 0;
  *quoted = 0;
  int c = cur(r);
  if (c == '"' || c == '\'') {
    int q = c;
    *quoted = 1;
    adv(r);
    while (cur(r) != q) {
      if (cur(r) == -1 || cur(r) == '\n') return rerr(r, "unterminated string");
      if (cur(r) == '\\') return rerr(r, "escapes are not supported in KITTI configuration strings");
      if (n + 1 >= cap) return rerr(r, "string too long");
      out[n++] = (char)cur(r);
      adv(r);
    }
    adv(r);
  } else {
    while (c != -1 && (is_ident(c, 0) || c == '-' || c == '+' || c == '.')) {
      if (n + 1 >= cap) return rerr(r, "value too long");
      out[n++] = (char)c;
      adv(r);
      c = cur(r);
    }
    if (n == 0) return rerr(r, "expected a value");
  }
  out[n] = '\0';
  return PPRT_STATUS_OK;
}

static enum pprt_status to_float(struct reader* r, const char* s, float* v) {
  char* end = NULL;
  errno = 0;
  double d = strtod(s, &end);
  if (end == s || *end != '\0' || !isfinite(d) || fabs(d) > 3.0e38) return rerr(r, "expected a finite number");
  *v = (float)d;
  return PPRT_STATUS_OK;
}

static enum pprt_status to_uint(struct reader* r, const char* s, uint32_t* v) {
  char* end = NULL;
  errno = 0;
  unsigned long long u = strtoull(s, &end, 10);
  if (end == s || *end != '\0' || s[0] == '-' || errno == ERANGE || u > 0xffffffffull)
    return rerr(r, "expected an unsigned 32-bit integer");
  *v = (uint32_t)u;
  return PPRT_STATUS_OK;
}

static enum pprt_status push_f(struct reader* r, const char* s, float* arr, uint32_t* n, uint32_t cap) {
  if (*n >= cap) return rerr(r, "too many values for this field");
  return to_float(r, s, &arr[(*n)++]);
}

static int path_is(const struct reader* r, const char* p) { return strcmp(r->path, p) == 0; }

#define SECOND "model.second."
#define GEN SECOND "target_assigner.anchor_generators.anchor_generator_stride."

/* One scalar at r->path (the path includes the field name). */
static enum pprt_status store(struct reader* r, const char* v, int quoted) {
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
      if (!quoted || strlen(v) >= sizeof g->class_name) return rerr(r, "class_name must be a string of < 64 bytes");
      strcpy(g->class_name, v);
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

static enum pprt_status parse_fields(struct reader* r, int depth);

static enum pprt_status parse_value(struct reader* r) {
  char v[256];
  int quoted;
  enum pprt_status st;
  skip_space(r);
  if (cur(r) == '[') {
    adv(r);
    skip_space(r);
    if (cur(r) == ']') {
      adv(r);
      return PPRT_STATUS_OK;
    }
    for (;;) {
      skip_space(r);
      if ((st = read_token(r, v, sizeof v, &quoted))) return st;
      if ((st = store(r, v, quoted))) return st;
      skip_space(r);
      if (cur(r) == ',') {
        adv(r);
        continue;
      }
      if (cur(r) == ']') {
        adv(r);
        return PPRT_STATUS_OK;
      }
      return rerr(r, "expected ',' or ']'");
    }
  }
  if ((st = read_token(r, v, sizeof v, &quoted))) return st;
  return store(r, v, quoted);
}

static enum pprt_status parse_fields(struct reader* r, int depth) {
  enum pprt_status st;
  for (;;) {
    skip_space(r);
    int c = cur(r);
    if (c == -1) {
      if (depth > 0) return rerr(r, "missing '}' at end of file");
      return PPRT_STATUS_OK;
    }
    if (c == '}') {
      if (depth == 0) return rerr(r, "unexpected '}'");
      adv(r);
      return PPRT_STATUS_OK;
    }
    if (!is_ident(c, 1)) return rerr(r, "expected a field name");
    char name[128];
    size_t n = 0;
    while (is_ident(cur(r), 0)) {
      if (n + 1 >= sizeof name) return rerr(r, "field name too long");
      name[n++] = (char)cur(r);
      adv(r);
    }
    name[n] = '\0';
    size_t base = strlen(r->path);
    if (base + n + 2 >= PATH_CAP) return rerr(r, "fields nested too deeply");
    snprintf(r->path + base, PATH_CAP - base, "%s%s", base ? "." : "", name);
    skip_space(r);
    int colon = 0;
    if (cur(r) == ':') {
      colon = 1;
      adv(r);
      skip_space(r);
    }
    if (cur(r) == '{' || cur(r) == '<') {
      if (depth >= PATH_MAX_DEPTH) return rerr(r, "messages nested too deeply");
      int close = cur(r) == '{' ? '}' : '>';
      if (close == '>') return rerr(r, "'<' message delimiters are not supported");
      adv(r);
      if ((st = open_msg(r))) return st;
      if ((st = parse_fields(r, depth + 1))) return st;
      if ((st = close_msg(r))) return st;
    } else {
      if (!colon) return rerr(r, "expected ':' or '{' after a field name");
      if ((st = parse_value(r))) return st;
    }
    r->path[base] = '\0';
    skip_space(r);
    if (cur(r) == ',' || cur(r) == ';') adv(r);
  }
}

static enum pprt_status parse_file(const char* path, struct pprt_kitti_config* cfg, uint32_t* given,
                                   struct pprt_err* err) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "cannot open %s: %s", path, strerror(errno));
  char* buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 > cap) {
      if (cap > (64u << 20)) {
        free(buf);
        fclose(f);
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: larger than 64 MB", path);
      }
      size_t ncap = cap ? cap * 2 : 16384;
      char* nb = realloc(buf, ncap);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error", path);
  }
  struct reader r;
  memset(&r, 0, sizeof r);
  r.text = buf;
  r.len = len;
  r.line = 1;
  r.col = 1;
  r.source = path;
  r.err = err;
  r.cfg = cfg;
  if (memchr(buf, '\0', len) != NULL) {
    free(buf);
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: not a text file (NUL byte)", path);
  }
  enum pprt_status st = parse_fields(&r, 0);
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
