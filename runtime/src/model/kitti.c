/* The KITTI PointPillars family: configuration, point quantization parameters and post-processing with the
 * arithmetic of Vitis AI 2.5's KITTI deployment code, operation by operation (docs/KITTI.md). Every float
 * expression below is written in the order and precision that code evaluates it (float unless a double constant or
 * function makes it double); the project is compiled without FMA contraction. */
#include "kitti.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KITTI_PI 3.14159265 /* the constant of the reference code (double) */

static void set3(float* d, float a, float b, float c) {
  d[0] = a;
  d[1] = b;
  d[2] = c;
}

void pprt_kitti_config_demo(struct pprt_kitti_config* cfg) {
  memset(cfg, 0, sizeof *cfg);
  const float range[6] = {0.0f, -39.68f, -3.0f, 69.12f, 39.68f, 1.0f};
  memcpy(cfg->point_cloud_range, range, sizeof range);
  set3(cfg->voxel_size, 0.16f, 0.16f, 4.0f);
  cfg->points_dim = 4;
  cfg->max_points_num = 100;
  cfg->max_voxels_num = 12000;
  cfg->num_class = 3;
  cfg->layer_stride = 2;
  cfg->num_generators = 3;
  static const char* const names[3] = {"Car", "Cyclist", "Pedestrian"};
  static const float sizes[3][3] = {{1.6f, 3.9f, 1.56f}, {0.6f, 1.76f, 1.73f}, {0.6f, 0.8f, 1.73f}};
  static const float offz[3] = {-1.78f, -1.465f, -1.465f};
  for (int g = 0; g < 3; ++g) {
    struct pprt_kitti_anchor_gen* a = &cfg->gen[g];
    strcpy(a->class_name, names[g]);
    memcpy(a->sizes, sizes[g], sizeof a->sizes);
    set3(a->strides, 0.32f, 0.32f, 0.0f);
    set3(a->offsets, 0.16f, -39.52f, offz[g]);
    a->num_rotations = 2;
    a->rotations[0] = 0.0f;
    a->rotations[1] = 1.57f;
  }
  cfg->nms_pre_max_size = 1000;
  cfg->nms_post_max_size = 300;
  cfg->nms_score_threshold = 0.5f;
  cfg->nms_iou_threshold = 0.5f;
}

void pprt_kitti_grid(const struct pprt_kitti_config* cfg, int32_t grid[3]) {
  for (int j = 0; j < 3; ++j) {
    float g = (cfg->point_cloud_range[j + 3] - cfg->point_cloud_range[j]) / cfg->voxel_size[j];
    grid[j] = g >= 1.0f && g < 65537.0f ? (int32_t)g : 0;
  }
}

static enum pprt_status check_config(const struct pprt_kitti_config* c, struct pprt_err* err) {
  static const char axis[3] = {'x', 'y', 'z'};
  int32_t grid[3];
  pprt_kitti_grid(c, grid);
  for (int j = 0; j < 3; ++j) {
    float lo = c->point_cloud_range[j], hi = c->point_cloud_range[j + 3], s = c->voxel_size[j];
    if (!(isfinite(lo) && isfinite(hi) && lo < hi && isfinite(s) && s > 0.0f) || grid[j] == 0)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "KITTI model: point_cloud_range %c [%g, %g] / voxel_size %g give no usable grid", axis[j],
                       (double)lo, (double)hi, (double)s);
  }
  if (grid[2] != 1)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: the z grid has %d cells, pillars need 1",
                     (int)grid[2]);
  if (c->points_dim != 4)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: points_dim %u (pprt reads KITTI points of 4 floats)",
                     c->points_dim);
  if (c->max_points_num == 0 || c->max_points_num > UINT16_MAX || c->max_voxels_num == 0 ||
      c->max_voxels_num > 10000000u)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: max_points_num %u / max_voxels_num %u out of range",
                     c->max_points_num, c->max_voxels_num);
  if (c->layer_stride == 0 || grid[0] % (int32_t)c->layer_stride || grid[1] % (int32_t)c->layer_stride)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: layer stride %u does not divide the grid %d x %d",
                     c->layer_stride, (int)grid[0], (int)grid[1]);
  if (c->num_class == 0 || c->num_class > 64)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: num_class %u", c->num_class);
  if (c->num_generators == 0 || c->num_generators > PPRT_KITTI_MAX_GENERATORS)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: %u anchor generators (1..%d)", c->num_generators,
                     PPRT_KITTI_MAX_GENERATORS);
  for (uint32_t g = 0; g < c->num_generators; ++g) {
    const struct pprt_kitti_anchor_gen* a = &c->gen[g];
    if (a->num_rotations == 0 || a->num_rotations != c->gen[0].num_rotations)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "KITTI model: anchor generator %u has %u rotations (every generator needs the same count, >= 1)",
                       g, a->num_rotations);
    for (int j = 0; j < 3; ++j)
      if (!(isfinite(a->sizes[j]) && a->sizes[j] > 0.0f && isfinite(a->strides[j]) && isfinite(a->offsets[j])))
        return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: anchor generator %u has unusable sizes, "
                         "strides or offsets", g);
  }
  if (!(c->nms_score_threshold > 0.0f && c->nms_score_threshold < 1.0f) ||
      !(c->nms_iou_threshold >= 0.0f && c->nms_iou_threshold <= 1.0f) || c->nms_pre_max_size == 0 ||
      c->nms_post_max_size == 0)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: NMS settings out of range");
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_kitti_pointquant_params(const struct pprt_kitti_config* cfg, int32_t fp,
                                              struct pprt_pointquant_kitti_params* out, struct pprt_err* err) {
  enum pprt_status st = check_config(cfg, err);
  if (st) return st;
  if (fp < 0 || fp > 24)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: DPU0 input fix_point %d out of [0, 24]", (int)fp);
  memset(out, 0, sizeof *out);
  pprt_kitti_grid(cfg, out->grid);
  const int scale = 1 << fp; /* the reference keeps 2^fp as an int */
  for (int j = 0; j < 3; ++j) {
    const float lo = cfg->point_cloud_range[j], len = cfg->point_cloud_range[j + 3] - lo;
    out->voxel_size[j] = cfg->voxel_size[j];
    out->cell_offset[j] = lo / cfg->voxel_size[j];
    out->qscale[j] = (float)scale / len;
    out->qoffset[j] = (float)scale * lo / len;
  }
  out->qscale[3] = (float)scale; /* reflectance in [0, 1) */
  out->qoffset[3] = 0.0f;
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Post-processing                                                                                              */

static float limit_period_pi(float v) { return (float)((double)v - floor((double)v / KITTI_PI + 0.5) * KITTI_PI); }

static int32_t clampi(float v, int32_t lo, int32_t hi) {
  if (!(v >= (float)lo)) return lo; /* NaN too */
  if (v > (float)hi) return hi;
  return (int32_t)v;
}

void pprt_kitti_post_params_free(struct pprt_kitti_post_params* pp) {
  if (pp == NULL) return;
  free(pp->xc);
  free(pp->yc);
  free(pp->bx);
  free(pp->by);
  pp->xc = pp->yc = NULL;
  pp->bx = pp->by = NULL;
}

enum pprt_status pprt_kitti_post_params_init(struct pprt_kitti_post_params* pp, const struct pprt_kitti_config* c,
                                             int32_t fp_cls, int32_t fp_box, int32_t fp_dir, float score_thresh,
                                             struct pprt_err* err) {
  memset(pp, 0, sizeof *pp);
  enum pprt_status st = check_config(c, err);
  if (st) return st;
  if (!(score_thresh > 0.0f && score_thresh < 1.0f))
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "KITTI model: score threshold %g not in (0, 1)",
                     (double)score_thresh);
  if (fp_cls < -16 || fp_cls > 16 || fp_box < -16 || fp_box > 16 || fp_dir < -16 || fp_dir > 16)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "KITTI model: output fix points %d %d %d out of [-16, 16]",
                     (int)fp_cls, (int)fp_box, (int)fp_dir);
  int32_t grid[3];
  pprt_kitti_grid(c, grid);
  const uint32_t R = c->gen[0].num_rotations;
  pp->gx = grid[0];
  pp->gy = grid[1];
  pp->W = (uint32_t)grid[0] / c->layer_stride;
  pp->H = (uint32_t)grid[1] / c->layer_stride;
  pp->A = c->num_generators * R;
  pp->K = c->num_class;
  pp->fp_cls = fp_cls;
  pp->fp_box = fp_box;
  pp->fp_dir = fp_dir;
  pp->nms_pre = c->nms_pre_max_size;
  pp->nms_post = c->nms_post_max_size;
  pp->nms_iou = c->nms_iou_threshold;
  pp->score_logit = (float)(-log(1.0 / (double)score_thresh - 1.0));
  pp->cls_min_q = (int32_t)ceil((double)pp->score_logit * ldexp(1.0, fp_cls));
  const uint32_t A = pp->A, W = pp->W, H = pp->H;
  pp->xc = malloc((size_t)A * W * sizeof *pp->xc);
  pp->yc = malloc((size_t)A * H * sizeof *pp->yc);
  pp->bx = malloc((size_t)A * W * 2 * sizeof *pp->bx);
  pp->by = malloc((size_t)A * H * 2 * sizeof *pp->by);
  if (!pp->xc || !pp->yc || !pp->bx || !pp->by) {
    pprt_kitti_post_params_free(pp);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "KITTI post-processing: out of memory for the anchors");
  }
  const float vs0 = c->voxel_size[0], vs1 = c->voxel_size[1];
  const float off0 = c->point_cloud_range[0] / vs0, off1 = c->point_cloud_range[1] / vs1;
  for (uint32_t g = 0; g < c->num_generators; ++g) {
    const struct pprt_kitti_anchor_gen* gen = &c->gen[g];
    for (uint32_t r = 0; r < R; ++r) {
      const uint32_t a = g * R + r;
      pp->anchor[a][0] = 0.0f * gen->strides[2] + gen->offsets[2]; /* one z centre */
      pp->anchor[a][1] = gen->sizes[0];
      pp->anchor[a][2] = gen->sizes[1];
      pp->anchor[a][3] = gen->sizes[2];
      pp->rot[a] = gen->rotations[r];
      /* anchor-mask box: the anchor's axis-aligned "near" box, w and l swapped when the rotation is nearer 90 deg */
      const int swap = fabs((double)limit_period_pi(gen->rotations[r])) > KITTI_PI / 4.0;
      const float hx = (swap ? gen->sizes[1] : gen->sizes[0]) / 2;
      const float hy = (swap ? gen->sizes[0] : gen->sizes[1]) / 2;
      for (uint32_t x = 0; x < W; ++x) {
        float xc = (float)(int)x * gen->strides[0] + gen->offsets[0];
        pp->xc[a * W + x] = xc;
        pp->bx[(a * W + x) * 2 + 0] = clampi(floorf((xc - hx) / vs0 - off0), 0, grid[0] - 1);
        pp->bx[(a * W + x) * 2 + 1] = clampi(floorf((xc + hx) / vs0 - off0), 0, grid[0] - 1);
      }
      for (uint32_t y = 0; y < H; ++y) {
        float yc = (float)(int)y * gen->strides[1] + gen->offsets[1];
        pp->yc[a * H + y] = yc;
        pp->by[(a * H + y) * 2 + 0] = clampi(floorf((yc - hy) / vs1 - off1), 0, grid[1] - 1);
        pp->by[(a * H + y) * 2 + 1] = clampi(floorf((yc + hy) / vs1 - off1), 0, grid[1] - 1);
      }
    }
  }
  return PPRT_STATUS_OK;
}

/* A candidate: decoded box (x, y, z bottom, w, l, h, yaw), the max-class logit, its class, its direction bin, and
 * the axis-aligned BEV box NMS uses. */
struct cand {
  float box[7];
  float logit;
  float standup[4];
  int32_t label, dir;
};

struct heap_item {
  int32_t idx;
  float score;
};

struct kitti_post_impl {
  int32_t* dense;          /* [gy][gx] pillar counts, then their inclusive 2-D prefix sums */
  uint32_t* scan_idx;      /* threshold scan output: H*W*A */
  int8_t* scan_max;
  struct cand* cands;      /* H*W*A */
  float* scores;
  struct heap_item* heap;  /* nms_pre + 1 */
  int32_t* order;          /* nms_pre */
  uint8_t* suppressed;     /* nms_pre */
  float* area;             /* nms_pre */
  int32_t* keep;           /* nms_post */
};

void pprt_kitti_post_state_free(struct pprt_kitti_post_state* ps) {
  if (ps == NULL || ps->impl == NULL) return;
  struct kitti_post_impl* m = ps->impl;
  free(m->dense);
  free(m->scan_idx);
  free(m->scan_max);
  free(m->cands);
  free(m->scores);
  free(m->heap);
  free(m->order);
  free(m->suppressed);
  free(m->area);
  free(m->keep);
  free(m);
  ps->impl = NULL;
}

enum pprt_status pprt_kitti_post_state_init(struct pprt_kitti_post_state* ps, const struct pprt_kitti_post_params* pp,
                                            struct pprt_err* err) {
  ps->impl = NULL;
  struct kitti_post_impl* m = calloc(1, sizeof *m);
  if (m == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "KITTI post-processing: out of memory");
  ps->impl = m;
  const size_t na = (size_t)pp->H * pp->W * pp->A;
  m->dense = malloc((size_t)pp->gx * (size_t)pp->gy * sizeof *m->dense);
  m->scan_idx = malloc(na * sizeof *m->scan_idx);
  m->scan_max = malloc(na);
  m->cands = malloc(na * sizeof *m->cands);
  m->scores = malloc(na * sizeof *m->scores);
  m->heap = malloc(((size_t)pp->nms_pre + 1) * sizeof *m->heap);
  m->order = malloc((size_t)pp->nms_pre * sizeof *m->order);
  m->suppressed = malloc(pp->nms_pre);
  m->area = malloc((size_t)pp->nms_pre * sizeof *m->area);
  m->keep = malloc((size_t)pp->nms_post * sizeof *m->keep);
  if (!m->dense || !m->scan_idx || !m->scan_max || !m->cands || !m->scores || !m->heap || !m->order ||
      !m->suppressed || !m->area || !m->keep) {
    pprt_kitti_post_state_free(ps);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "KITTI post-processing: out of memory for %zu anchors", na);
  }
  return PPRT_STATUS_OK;
}

/* ---- the reference's std::priority_queue (libstdc++ heap algorithms) with the comparator "a.score > b.score",
 * i.e. a min-heap on score; equal scores end up in the order these exact sift steps give. */

static void heap_sift_up(struct heap_item* h, size_t hole, size_t top, struct heap_item v) {
  size_t parent = (hole - 1) / 2;
  while (hole > top && h[parent].score > v.score) {
    h[hole] = h[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  h[hole] = v;
}

static void heap_push(struct heap_item* h, size_t* n, struct heap_item v) {
  h[*n] = v;
  ++*n;
  heap_sift_up(h, *n - 1, 0, h[*n - 1]);
}

static void heap_pop(struct heap_item* h, size_t* n) {
  size_t len = *n;
  if (len > 1) {
    --len; /* the last element moves into the hole left by the top */
    struct heap_item v = h[len];
    h[len] = h[0];
    size_t hole = 0, second = 0;
    while (second < (len - 1) / 2) {
      second = 2 * (second + 1);
      if (h[second].score > h[second - 1].score) --second;
      h[hole] = h[second];
      hole = second;
    }
    if ((len & 1) == 0 && second == (len - 2) / 2) {
      second = 2 * (second + 1);
      h[hole] = h[second - 1];
      hole = second - 1;
    }
    heap_sift_up(h, hole, 0, v);
  }
  --*n;
}

/* Indices of the k highest scores, highest first (order[0..k)). */
static void topk(const float* scores, size_t n, size_t k, struct heap_item* h, int32_t* order) {
  size_t hn = 0;
  for (size_t i = 0; i < n; ++i) {
    struct heap_item v = {(int32_t)i, scores[i]};
    if (i < k) {
      heap_push(h, &hn, v);
      continue;
    }
    if (scores[i] <= h[0].score) continue;
    heap_pop(h, &hn);
    heap_push(h, &hn, v);
  }
  size_t pos = k;
  while (hn > 0) {
    order[--pos] = h[0].idx;
    heap_pop(h, &hn);
  }
}

static void decode(const struct pprt_kitti_post_params* pp, uint32_t a, float xa, float ya, const float t[7],
                   float o[7]) {
  const float za0 = pp->anchor[a][0], wa = pp->anchor[a][1], la = pp->anchor[a][2], ha = pp->anchor[a][3];
  const float za = za0 + ha / 2;
  const float diagonal = (float)sqrt(pow((double)la, 2.0) + pow((double)wa, 2.0));
  o[0] = t[0] * diagonal + xa;
  o[1] = t[1] * diagonal + ya;
  o[2] = t[2] * ha + za;
  o[3] = expf(t[3]) * wa;
  o[4] = expf(t[4]) * la;
  o[5] = expf(t[5]) * ha;
  o[6] = t[6] + pp->rot[a];
  o[2] = o[2] - o[5] / 2;
}

/* Axis-aligned hull of the box's BEV rectangle (corners (+-w/2, +-l/2) rotated by yaw, then moved to x, y). */
static void standup(const float b[7], float s[4]) {
  static const int norm[4][2] = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};
  const float sn = sinf(b[6]), cs = cosf(b[6]);
  for (int j = 0; j < 4; ++j) {
    float p0 = (float)((double)b[3] * (norm[j][0] - 0.5));
    float p1 = (float)((double)b[4] * (norm[j][1] - 0.5));
    float cx = 0.0f, cy = 0.0f;
    cx += p0 * cs;
    cx += p1 * sn;
    cy += p0 * -sn;
    cy += p1 * cs;
    cx += b[0];
    cy += b[1];
    if (j == 0 || cx < s[0]) s[0] = cx;
    if (j == 0 || cy < s[1]) s[1] = cy;
    if (j == 0 || cx > s[2]) s[2] = cx;
    if (j == 0 || cy > s[3]) s[3] = cy;
  }
}

void pprt_kitti_post_run(const struct pprt_kitti_post_params* pp, struct pprt_kitti_post_state* ps,
                         const struct pprt_kernels* k, const int8_t* cls, const int8_t* box, const int8_t* dir,
                         const int32_t* coords, uint32_t n, struct pprt_box* boxes, uint32_t max_boxes,
                         uint32_t* num_boxes, uint32_t* num_candidates) {
  struct kitti_post_impl* m = ps->impl;
  const uint32_t A = pp->A, W = pp->W, H = pp->H, K = pp->K;
  const size_t gx = (size_t)pp->gx, gy = (size_t)pp->gy;
  *num_boxes = 0;
  *num_candidates = 0;

  /* anchor mask: pillars per cell, then inclusive prefix sums over y and x */
  int32_t* D = m->dense;
  memset(D, 0, gx * gy * sizeof *D);
  for (uint32_t i = 0; i < n; ++i) D[(size_t)coords[2 * i] * gx + (size_t)coords[2 * i + 1]] += 1;
  for (size_t y = 1; y < gy; ++y)
    for (size_t x = 0; x < gx; ++x) D[y * gx + x] += D[(y - 1) * gx + x];
  for (size_t y = 0; y < gy; ++y)
    for (size_t x = 1; x < gx; ++x) D[y * gx + x] += D[y * gx + x - 1];

  /* anchors at or above the score threshold, in anchor order */
  const size_t na = (size_t)H * W * A;
  size_t nc;
  if (pp->cls_min_q > 127) {
    nc = 0;
  } else if (pp->cls_min_q > -128) {
    nc = k->threshold_scan(cls, na, K, (int8_t)(pp->cls_min_q - 1), m->scan_idx, m->scan_max);
  } else {
    for (size_t a = 0; a < na; ++a) {
      int8_t mx = cls[a * K];
      for (uint32_t c = 1; c < K; ++c) mx = cls[a * K + c] > mx ? cls[a * K + c] : mx;
      m->scan_idx[a] = (uint32_t)a;
      m->scan_max[a] = mx;
    }
    nc = na;
  }

  const float s_cls = ldexpf(1.0f, -pp->fp_cls), s_box = ldexpf(1.0f, -pp->fp_box);
  size_t nk = 0;
  for (size_t j = 0; j < nc; ++j) {
    const uint32_t ga = m->scan_idx[j];
    const uint32_t a = ga % A, cell = ga / A, y = cell / W, x = cell % W;
    const int32_t* bx = &pp->bx[(a * W + x) * 2];
    const int32_t* by = &pp->by[(a * H + y) * 2];
    const int32_t area = D[(size_t)by[1] * gx + (size_t)bx[1]] - D[(size_t)by[1] * gx + (size_t)bx[0]] -
                         D[(size_t)by[0] * gx + (size_t)bx[1]] + D[(size_t)by[0] * gx + (size_t)bx[0]];
    if (area <= 1) continue;
    struct cand* c = &m->cands[nk];
    const int8_t mx = m->scan_max[j];
    uint32_t label = 0;
    while (cls[(size_t)ga * K + label] != mx) ++label; /* the first class holding the maximum */
    c->label = (int32_t)label;
    c->logit = (float)mx * s_cls;
    float t[7];
    for (int q = 0; q < 7; ++q) t[q] = (float)box[(size_t)ga * 7 + (size_t)q] * s_box;
    decode(pp, a, pp->xc[a * W + x], pp->yc[a * H + y], t, c->box);
    c->dir = dir[(size_t)ga * 2] >= dir[(size_t)ga * 2 + 1] ? 0 : 1;
    standup(c->box, c->standup);
    m->scores[nk] = c->logit;
    ++nk;
  }
  *num_candidates = (uint32_t)nk;
  if (nk == 0) return;

  /* NMS over all classes on the standup boxes, with the reference's +1 in every extent */
  const size_t bsize = nk < pp->nms_pre ? nk : pp->nms_pre;
  topk(m->scores, nk, bsize, m->heap, m->order);
  const float eps = 1.0f;
  for (size_t i = 0; i < bsize; ++i) {
    const float* b = m->cands[m->order[i]].standup;
    m->area[i] = (b[2] - b[0] + eps) * (b[3] - b[1] + eps);
    m->suppressed[i] = 0;
  }
  size_t kept = 0;
  for (size_t i = 0; i < bsize; ++i) {
    if (m->suppressed[i]) continue;
    if (kept >= pp->nms_post) break;
    m->keep[kept++] = m->order[i];
    const float* bi = m->cands[m->order[i]].standup;
    for (size_t j = i + 1; j < bsize; ++j) {
      if (m->suppressed[j]) continue;
      const float* bj = m->cands[m->order[j]].standup;
      float w = fminf(bi[2], bj[2]) - fmaxf(bi[0], bj[0]) + eps;
      if (w > 0.0f) {
        float h = fminf(bi[3], bj[3]) - fmaxf(bi[1], bj[1]) + eps;
        if (h > 0.0f) {
          float inter = w * h;
          float ovr = inter / (m->area[i] + m->area[j] - inter);
          if (ovr >= pp->nms_iou) m->suppressed[j] = 1;
        }
      }
    }
  }

  uint32_t out = 0;
  for (size_t i = 0; i < kept && out < max_boxes; ++i) {
    const struct cand* c = &m->cands[m->keep[i]];
    struct pprt_box* b = &boxes[out++];
    memset(b, 0, sizeof *b);
    b->x = c->box[0];
    b->y = c->box[1];
    b->z = c->box[2];
    b->w = c->box[3];
    b->l = c->box[4];
    b->h = c->box[5];
    float yaw = c->box[6];
    if ((yaw > 0.0f) != (c->dir != 0)) yaw = (float)((double)yaw + KITTI_PI);
    b->yaw = yaw;
    b->score = (float)(1.0 / (1.0 + exp(-1.0 * (double)c->logit)));
    b->label = (uint32_t)c->label;
  }
  *num_boxes = out;
}
