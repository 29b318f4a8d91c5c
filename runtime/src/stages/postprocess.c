/* Post-processing (docs/DESIGN.md, model contract 6-7): threshold scan, nms_pre, decode, per-class rotated NMS, direction,
 * top max_num. Only the anchors above the score threshold are touched; every buffer is sized at init. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stages/nms.h"
#include "stages/stages.h"

#define POST_MAX_DIM 1024u /* x_centers / y_centers capacity in struct pprt_post_params */

enum pprt_status pprt_post_params_init(struct pprt_post_params* pp, const struct pprt_model_config* cfg,
                                       int32_t fp_cls, int32_t fp_reg, int32_t fp_dir, float score_thresh,
                                       int vai_compat, struct pprt_err* err) {
  if (pp == NULL || cfg == NULL)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "post-processing: NULL params or config");
  memset(pp, 0, sizeof *pp);
  const struct pprt_anchor_config* ac = &cfg->anchor;
  const uint32_t H = cfg->featmap_size[0], W = cfg->featmap_size[1];
  if (H == 0 || W == 0 || H > POST_MAX_DIM || W > POST_MAX_DIM)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: featmap_size %u x %u must be 1..%u each",
                     (unsigned)H, (unsigned)W, POST_MAX_DIM);
  if (ac->num_sizes == 0 || ac->num_sizes > PPRT_CFG_MAX_ANCHOR_SETS || ac->num_ranges != ac->num_sizes)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "post-processing: %u anchor sizes and %u anchor ranges (need the same count, 1..%d)",
                     (unsigned)ac->num_sizes, (unsigned)ac->num_ranges, PPRT_CFG_MAX_ANCHOR_SETS);
  if (ac->num_rotations == 0 || ac->num_rotations > PPRT_CFG_MAX_ROTATIONS)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: %u anchor rotations (need 1..%d)",
                     (unsigned)ac->num_rotations, PPRT_CFG_MAX_ROTATIONS);
  if (ac->num_custom_values > PPRT_CFG_MAX_CUSTOM)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: %u custom anchor values (at most %d)",
                     (unsigned)ac->num_custom_values, PPRT_CFG_MAX_CUSTOM);
  if (cfg->num_classes == 0 || cfg->num_classes > PPRT_CFG_MAX_CLASSES)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: num_classes %u (need 1..%d)",
                     (unsigned)cfg->num_classes, PPRT_CFG_MAX_CLASSES);
  if (cfg->max_num == 0 || cfg->max_num > PPRT_CFG_MAX_NUM_LIMIT)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: max_num %u (need 1..%u)",
                     (unsigned)cfg->max_num, PPRT_CFG_MAX_NUM_LIMIT);
  if (!isfinite(cfg->nms_thresh))
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: nms_thresh is not a finite number");
  if (!(score_thresh >= 0.0f && score_thresh <= 1.0f))
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "post-processing: score threshold %g outside [0, 1]",
                     (double)score_thresh);
  const int32_t fps[3] = {fp_cls, fp_reg, fp_dir};
  for (int i = 0; i < 3; ++i)
    if (fps[i] < -64 || fps[i] > 64)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: output fix_point %d out of range",
                       (int)fps[i]);
  /* One shared x / y range: the centre tables are per column / row. */
  for (uint32_t s = 0; s < ac->num_sizes; ++s) {
    const float* r = ac->ranges[s];
    const float* r0 = ac->ranges[0];
    for (int j = 0; j < 6; ++j)
      if (!isfinite(r[j]))
        return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: anchor range %u is not finite",
                         (unsigned)s);
    if (r[0] != r0[0] || r[1] != r0[1] || r[3] != r0[3] || r[4] != r0[4])
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "post-processing: anchor range %u has x/y bounds [%g, %g, %g, %g] different from range 0 "
                       "[%g, %g, %g, %g]; pprt supports one shared x/y anchor range",
                       (unsigned)s, (double)r[0], (double)r[1], (double)r[3], (double)r[4], (double)r0[0],
                       (double)r0[1], (double)r0[3], (double)r0[4]);
    for (int j = 0; j < 3; ++j)
      if (!(ac->sizes[s][j] >= 0.0f) || !isfinite(ac->sizes[s][j]))
        return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: anchor size %u is not a finite size >= 0",
                         (unsigned)s);
  }
  const uint64_t A_total = (uint64_t)H * W * ac->num_sizes * ac->num_rotations;
  if (A_total * cfg->num_classes > UINT32_MAX)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "post-processing: too many anchors");

  pp->H = H;
  pp->W = W;
  pp->num_sizes = ac->num_sizes;
  pp->num_rot = ac->num_rotations;
  pp->num_classes = cfg->num_classes;
  pp->code_size = 7 + ac->num_custom_values;
  const double x0 = ac->ranges[0][0], y0 = ac->ranges[0][1], x1 = ac->ranges[0][3], y1 = ac->ranges[0][4];
  for (uint32_t i = 0; i < W; ++i)
    pp->x_centers[i] = ac->align_corner ? (float)(W > 1 ? x0 + (x1 - x0) * (double)i / (double)(W - 1) : x0)
                                        : (float)(x0 + (x1 - x0) / (double)W * ((double)i + 0.5));
  for (uint32_t i = 0; i < H; ++i)
    pp->y_centers[i] = ac->align_corner ? (float)(H > 1 ? y0 + (y1 - y0) * (double)i / (double)(H - 1) : y0)
                                        : (float)(y0 + (y1 - y0) / (double)H * ((double)i + 0.5));
  for (uint32_t s = 0; s < ac->num_sizes; ++s) {
    pp->anchor_z[s] = ac->ranges[s][2];
    for (int j = 0; j < 3; ++j) pp->anchor_wlh[s][j] = ac->sizes[s][j];
  }
  for (uint32_t r = 0; r < ac->num_rotations; ++r) pp->rotations[r] = ac->rotations[r];
  for (uint32_t c = 0; c < ac->num_custom_values; ++c) pp->custom_values[c] = ac->custom_values[c];
  pp->fp_cls = fp_cls;
  pp->fp_reg = fp_reg;
  pp->fp_dir = fp_dir;
  pp->score_thresh = score_thresh;
  /* score > p  <=>  q * 2^-fp > logit(p)  <=>  q > floor(logit(p) * 2^fp) */
  double lt = floor(log((double)score_thresh / (1.0 - (double)score_thresh)) * ldexp(1.0, fp_cls));
  if (!(lt > -128.0)) lt = -128.0; /* also p = 0 (-inf) */
  if (lt > 127.0) lt = 127.0;      /* also p = 1 (+inf) */
  pp->logit_thresh = (int8_t)lt;
  pp->nms_pre = cfg->nms_pre;
  pp->max_num = cfg->max_num;
  pp->nms_thresh = cfg->nms_thresh;
  pp->vai_compat = vai_compat != 0;
  return PPRT_STATUS_OK;
}

/* ---------------- state ---------------- */

struct top_entry {
  int16_t q;      /* class logit */
  uint16_t label;
  uint32_t j;     /* index into the candidate arrays */
};

struct post_impl {
  uint32_t A_total, D_cap, M_cap;
  uint32_t* cand_idx;          /* [A_total] anchors above threshold (threshold-scan output, then the nms_pre set) */
  int8_t* cand_max;            /* [A_total] their largest class logit */
  struct pprt_bev_prep* prep;  /* [D_cap] BEV boxes of the kept candidates, decoded on first use */
  uint8_t* prepared;           /* [D_cap] */
  uint32_t* list;              /* [D_cap] one class's candidates, anchor order */
  int8_t* listq;               /* [D_cap] their class logits */
  uint32_t* sorted;            /* [D_cap] the same, class logit descending (stable) */
  uint32_t* kept;              /* [D_cap] NMS survivors */
  struct top_entry* top[2];    /* [M_cap] best boxes so far, (q desc, label asc, anchor asc / desc in vai_compat) */
  struct pprt_nms nms;
};

void pprt_post_state_free(struct pprt_post_state* ps) {
  if (ps == NULL || ps->impl == NULL) return;
  struct post_impl* im = ps->impl;
  free(im->cand_idx);
  free(im->cand_max);
  free(im->prep);
  free(im->prepared);
  free(im->list);
  free(im->listq);
  free(im->sorted);
  free(im->kept);
  free(im->top[0]);
  free(im->top[1]);
  pprt_nms_free(&im->nms);
  free(im);
  ps->impl = NULL;
}

enum pprt_status pprt_post_state_init(struct pprt_post_state* ps, const struct pprt_post_params* pp,
                                      struct pprt_err* err) {
  if (ps == NULL || pp == NULL)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "post-processing: NULL state or params");
  ps->impl = NULL;
  struct post_impl* im = calloc(1, sizeof *im);
  if (im == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "post-processing: out of memory");
  ps->impl = im;
  im->A_total = pp->H * pp->W * pp->num_sizes * pp->num_rot;
  /* decoded candidates: nms_pre of them in mmdet3d mode, every anchor in vai_compat (no nms_pre) */
  im->D_cap = (!pp->vai_compat && pp->nms_pre > 0 && pp->nms_pre < im->A_total) ? pp->nms_pre : im->A_total;
  im->M_cap = pp->max_num;
  const size_t A = im->A_total ? im->A_total : 1, D = im->D_cap ? im->D_cap : 1, M = im->M_cap;
  im->cand_idx = malloc(A * sizeof *im->cand_idx);
  im->cand_max = malloc(A);
  im->prep = malloc(D * sizeof *im->prep);
  im->prepared = malloc(D);
  im->list = malloc(D * sizeof *im->list);
  im->listq = malloc(D);
  im->sorted = malloc(D * sizeof *im->sorted);
  im->kept = malloc(D * sizeof *im->kept);
  im->top[0] = malloc(M * sizeof *im->top[0]);
  im->top[1] = malloc(M * sizeof *im->top[1]);
  if (im->cand_idx == NULL || im->cand_max == NULL || im->prep == NULL || im->prepared == NULL || im->list == NULL ||
      im->listq == NULL || im->sorted == NULL || im->kept == NULL || im->top[0] == NULL || im->top[1] == NULL) {
    pprt_post_state_free(ps);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY,
                     "post-processing: out of memory for the buffers of %u anchors, %u decoded candidates and "
                     "max_num %u boxes",
                     (unsigned)A, (unsigned)D, (unsigned)M);
  }
  float xs0 = pp->x_centers[0], xs1 = pp->x_centers[pp->W - 1];
  float ys0 = pp->y_centers[0], ys1 = pp->y_centers[pp->H - 1];
  const double extent[4] = {xs0 < xs1 ? xs0 : xs1, ys0 < ys1 ? ys0 : ys1, xs0 < xs1 ? xs1 : xs0,
                            ys0 < ys1 ? ys1 : ys0};
  enum pprt_status st = pprt_nms_init(&im->nms, im->D_cap, extent, err);
  if (st != PPRT_STATUS_OK) {
    pprt_post_state_free(ps);
    return st;
  }
  return PPRT_STATUS_OK;
}

/* ---------------- decode ---------------- */

struct anchor {
  double x, y, z, w, l, h, r;
};

static void anchor_of(const struct pprt_post_params* pp, uint32_t a, struct anchor* an) {
  const uint32_t r = a % pp->num_rot;
  const uint32_t t = a / pp->num_rot;
  const uint32_t s = t % pp->num_sizes;
  const uint32_t cell = t / pp->num_sizes;
  an->x = pp->x_centers[cell % pp->W];
  an->y = pp->y_centers[cell / pp->W];
  an->z = pp->anchor_z[s];
  an->w = pp->anchor_wlh[s][0];
  an->l = pp->anchor_wlh[s][1];
  an->h = pp->anchor_wlh[s][2];
  an->r = pp->rotations[r];
}

/* Section 6, in double. out = x, y, z (bottom), w, l, h, yaw (before the direction fix), vx, vy. */
static void decode(const struct pprt_post_params* pp, const int8_t* reg, uint32_t a, int full, double out[9]) {
  struct anchor an;
  anchor_of(pp, a, &an);
  const int8_t* q = reg + (size_t)a * pp->code_size;
  const double sc = ldexp(1.0, -pp->fp_reg);
  const double d = sqrt(an.w * an.w + an.l * an.l);
  out[0] = (double)q[0] * sc * d + an.x;
  out[1] = (double)q[1] * sc * d + an.y;
  out[3] = exp((double)q[3] * sc) * an.w;
  out[4] = exp((double)q[4] * sc) * an.l;
  out[6] = (double)q[6] * sc + an.r;
  if (!full) return;
  const double za = an.z + an.h / 2.0;
  out[5] = exp((double)q[5] * sc) * an.h;
  out[2] = (double)q[2] * sc * an.h + za - out[5] / 2.0;
  out[7] = pp->code_size > 7 ? (double)q[7] * sc + pp->custom_values[0] : 0.0;
  out[8] = pp->code_size > 8 ? (double)q[8] * sc + pp->custom_values[1] : 0.0;
}

static void prepare_candidate(const struct pprt_post_params* pp, struct post_impl* im, const int8_t* reg, uint32_t j) {
  if (im->prepared[j]) return;
  double b[9];
  decode(pp, reg, im->cand_idx[j], 0, b);
  const float bev[5] = {(float)b[0], (float)b[1], (float)b[3], (float)b[4], (float)b[6]};
  pprt_bev_prepare(bev, &im->prep[j]);
  im->prepared[j] = 1;
}

/* ---------------- run ---------------- */

void pprt_post_run(const struct pprt_post_params* pp, struct pprt_post_state* ps, const struct pprt_kernels* k,
                   const int8_t* cls, const int8_t* reg, const int8_t* dir, struct pprt_box* boxes,
                   uint32_t max_boxes, uint32_t* num_boxes, uint32_t* num_candidates) {
  struct post_impl* im = ps->impl;
  const uint32_t K = pp->num_classes;
  const int8_t thr = pp->logit_thresh;

  /* 1) anchors whose best class is above the threshold, in anchor order */
  uint32_t n = (uint32_t)k->threshold_scan(cls, im->A_total, K, thr, im->cand_idx, im->cand_max);
  *num_candidates = n;

  /* 2) mmdet3d nms_pre: the nms_pre best by max logit, ties to the lower anchor; O(n) with a histogram */
  if (!pp->vai_compat && pp->nms_pre > 0 && n > pp->nms_pre) {
    uint32_t hist[256] = {0};
    for (uint32_t j = 0; j < n; ++j) hist[im->cand_max[j] + 128]++;
    uint32_t above = 0;
    int v = 255;
    for (; v > 0; --v) {
      if (above + hist[v] >= pp->nms_pre) break;
      above += hist[v];
    }
    uint32_t take_eq = pp->nms_pre - above, out = 0;
    for (uint32_t j = 0; j < n; ++j) {
      const int b = im->cand_max[j] + 128;
      if (b > v || (b == v && take_eq > 0)) {
        if (b == v) --take_eq;
        im->cand_idx[out] = im->cand_idx[j];
        im->cand_max[out] = im->cand_max[j];
        ++out;
      }
    }
    n = out;
  }
  memset(im->prepared, 0, n);

  /* 3) per class: filter, order by class logit (counting sort), greedy NMS, and merge the survivors into the running
   *    top-M list. Equal logits: mmdet3d mode keeps anchor order (a stable sort); vai_compat puts the higher anchor
   *    first, as VAI-L's std::stable_sort with the comparator l.score >= r.score does under libstdc++ (it reverses
   *    every run of equal keys; README "Modes"). */
  const uint32_t M = max_boxes < pp->max_num ? max_boxes : pp->max_num;
  uint32_t ntop = 0;
  int cur = 0;
  for (uint32_t c = 0; c < K && M > 0; ++c) {
    uint32_t m = 0;
    for (uint32_t j = 0; j < n; ++j) {
      const int8_t q = cls[(size_t)im->cand_idx[j] * K + c];
      if (q > thr) {
        im->list[m] = j;
        im->listq[m] = q;
        ++m;
      }
    }
    if (m == 0) continue;
    uint32_t cnt[256] = {0}, start[256];
    for (uint32_t i = 0; i < m; ++i) cnt[im->listq[i] + 128]++;
    uint32_t acc = 0;
    for (int v = 255; v >= 0; --v) {
      start[v] = acc;
      acc += cnt[v];
    }
    /* Once the top list is full, boxes of this class with q <= its last q can never enter it. */
    uint32_t useful = m;
    if (ntop == M) {
      const int floor_b = im->top[cur][M - 1].q + 128;
      useful = floor_b >= 255 ? 0 : start[floor_b];
      if (useful == 0) continue;
    }
    if (pp->vai_compat)
      for (uint32_t i = m; i-- > 0;) im->sorted[start[im->listq[i] + 128]++] = im->list[i];
    else
      for (uint32_t i = 0; i < m; ++i) im->sorted[start[im->listq[i] + 128]++] = im->list[i];
    for (uint32_t i = 0; i < useful; ++i) prepare_candidate(pp, im, reg, im->sorted[i]);
    const uint32_t nk = pprt_nms_run(&im->nms, im->prep, im->sorted, useful, pp->nms_thresh, pp->vai_compat, M,
                                     im->kept);
    /* merge: earlier classes win ties on q (label ascending, VAI-L's final stable sort too); within a class the NMS
     * order (equal q: anchor ascending, or descending in vai_compat) */
    const struct top_entry* old = im->top[cur];
    struct top_entry* dst = im->top[1 - cur];
    uint32_t i = 0, t = 0, o = 0;
    while (o < M && (i < ntop || t < nk)) {
      int16_t qn = 0;
      if (t < nk) qn = cls[(size_t)im->cand_idx[im->kept[t]] * K + c];
      if (i < ntop && (t >= nk || old[i].q >= qn)) {
        dst[o++] = old[i++];
      } else {
        dst[o].q = qn;
        dst[o].label = (uint16_t)c;
        dst[o].j = im->kept[t++];
        ++o;
      }
    }
    ntop = o;
    cur = 1 - cur;
  }

  /* 4) + 5) full decode, direction, score of the survivors, already in output order */
  const double pi = pp->vai_compat ? 3.1415926 : M_PI;
  const double sc_cls = ldexp(1.0, -pp->fp_cls);
  for (uint32_t o = 0; o < ntop; ++o) {
    const struct top_entry* e = &im->top[cur][o];
    const uint32_t a = im->cand_idx[e->j];
    double b[9];
    decode(pp, reg, a, 1, b);
    const int8_t d0 = dir[(size_t)a * 2], d1 = dir[(size_t)a * 2 + 1];
    const int dbin = pp->vai_compat ? (d1 >= d0) : (d1 > d0);
    const double v = b[6] - 0.7854;
    const double lp = v - floor(v / pi + 0.0) * pi;
    b[6] = lp + 0.7854 + pi * (double)dbin;
    struct pprt_box* bx = &boxes[o];
    bx->x = (float)b[0];
    bx->y = (float)b[1];
    bx->z = (float)b[2];
    bx->w = (float)b[3];
    bx->l = (float)b[4];
    bx->h = (float)b[5];
    bx->yaw = (float)b[6];
    bx->vx = (float)b[7];
    bx->vy = (float)b[8];
    bx->score = (float)(1.0 / (1.0 + exp(-(double)e->q * sc_cls)));
    bx->label = e->label;
  }
  *num_boxes = ntop;
}
