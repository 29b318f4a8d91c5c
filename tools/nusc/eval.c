/* nuScenes detection metrics as the devkit computes them (nuscenes-devkit eval/detection: algo.py accumulate,
 * calc_ap, calc_tp; config detection_cvpr_2019): centre-distance matching in BEV at 0.5, 1, 2, 4 m, greedy by score,
 * precision / confidence sampled at 101 recall points with numpy.interp semantics, AP over recall > 0.1 of
 * max(precision - 0.1, 0) / 0.9, TP errors at 2 m as cumulative means read at the sampled confidences, NDS. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nusc_internal.h"

#define NPTS 101
#define MIN_RECALL 0.1
#define MIN_PRECISION 0.1
#define FIRST_IND 11 /* round(100 * min_recall) + 1 */
#define TP_DIST_IND 2 /* dist_th_tp = 2 m */

static const double k_dist[PPRT_EVAL_NUM_DIST] = {0.5, 1.0, 2.0, 4.0};
static const double k_range[PPRT_NUSC_NUM_CLASSES] = {50, 50, 50, 50, 50, 40, 40, 40, 30, 30};
enum { TP_TRANS, TP_SCALE, TP_ORIENT, TP_VEL, TP_ATTR };
static const char* const k_tp_names[PPRT_EVAL_NUM_TP] = {"trans_err", "scale_err", "orient_err", "vel_err",
                                                         "attr_err"};
static const char* const k_tp_short[PPRT_EVAL_NUM_TP] = {"mATE", "mASE", "mAOE", "mAVE", "mAAE"};
#define CLS_TRAFFIC_CONE 8
#define CLS_BARRIER 9

const char* pprt_eval_tp_name(int k) { return k >= 0 && k < PPRT_EVAL_NUM_TP ? k_tp_names[k] : NULL; }
const char* pprt_eval_tp_short(int k) { return k >= 0 && k < PPRT_EVAL_NUM_TP ? k_tp_short[k] : NULL; }

/* numpy.interp(x, xp, fp, left=fp[0], right) for non-decreasing xp (n >= 1). */
static double np_interp(double x, const double* xp, const double* fp, size_t n, double right) {
  if (isnan(x)) return x; /* numpy: nan; the search below needs x comparable */
  if (x > xp[n - 1]) return right;
  if (x < xp[0]) return fp[0];
  if (x == xp[n - 1]) return fp[n - 1];
  /* j: the last index with xp[j] <= x (x < xp[n-1] here, so j < n - 1) */
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (x >= xp[mid]) lo = mid + 1;
    else hi = mid;
  }
  size_t j = lo - 1;
  if (xp[j] == x) return fp[j];
  double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  double r = slope * (x - xp[j]) + fp[j];
  if (isnan(r)) {
    r = slope * (x - xp[j + 1]) + fp[j + 1];
    if (isnan(r) && fp[j] == fp[j + 1]) r = fp[j];
  }
  return r;
}

/* Devkit angle_diff(x, y, period) with Python's floored modulo, absolute value. */
static double yaw_diff(double a, double b, double period) {
  double d = a - b + period / 2.0;
  d = d - floor(d / period) * period - period / 2.0;
  if (d > M_PI) d -= 2.0 * M_PI;
  return fabs(d);
}

static double scale_iou(const double* s1, const double* s2) {
  double inter = 1.0;
  for (int i = 0; i < 3; ++i) inter *= fmin(s1[i], s2[i]);
  double v1 = s1[0] * s1[1] * s1[2], v2 = s2[0] * s2[1] * s2[2];
  return inter / (v1 + v2 - inter);
}

/* One class at one distance threshold: the devkit's DetectionMetricData (101-point curves). */
struct metric_data {
  double precision[NPTS], confidence[NPTS];
  double err[PPRT_EVAL_NUM_TP][NPTS];
};

static void no_predictions(struct metric_data* md) {
  for (int i = 0; i < NPTS; ++i) {
    md->precision[i] = 0.0;
    md->confidence[i] = 0.0;
    for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) md->err[k][i] = 1.0;
  }
}

static double calc_ap(const struct metric_data* md) {
  double s = 0.0;
  for (int i = FIRST_IND; i < NPTS; ++i) s += fmax(md->precision[i] - MIN_PRECISION, 0.0);
  return s / (double)(NPTS - FIRST_IND) / (1.0 - MIN_PRECISION);
}

static double calc_tp(const struct metric_data* md, int k) {
  int last = 0;
  for (int i = 0; i < NPTS; ++i)
    if (md->confidence[i] != 0.0) last = i;
  if (last < FIRST_IND) return 1.0;
  double s = 0.0;
  for (int i = FIRST_IND; i <= last; ++i) s += md->err[k][i];
  return s / (double)(last - FIRST_IND + 1);
}

/* Filtered boxes of one class. */
struct class_boxes {
  const struct pprt_det_box** gt;     /* grouped by sample: gt[gt_start[s] .. gt_start[s+1]) */
  uint32_t* gt_start;                 /* num_samples + 1 */
  uint32_t num_gt;
  const struct pprt_det_box** pred;   /* devkit order: descending score, ties: later box first */
  uint32_t num_pred;
  uint32_t* pred_gt_sample;           /* the GT set's sample index of each prediction */
};

struct work {
  double *tp, *fp, *conf, *rec, *prec, *m[PPRT_EVAL_NUM_TP + 1];
  unsigned char* taken;
};

static void accumulate(const struct class_boxes* cb, int cls, double dist_th, struct work* w,
                       struct metric_data* md) {
  if (cb->num_gt == 0) {
    no_predictions(md);
    return;
  }
  memset(w->taken, 0, cb->num_gt);
  uint32_t nm = 0, n = cb->num_pred;
  double tp = 0, fp = 0;
  double period = cls == CLS_BARRIER ? M_PI : 2.0 * M_PI;
  for (uint32_t i = 0; i < n; ++i) {
    const struct pprt_det_box* p = cb->pred[i];
    uint32_t s = cb->pred_gt_sample[i];
    double min_dist = INFINITY;
    uint32_t match = UINT32_MAX;
    for (uint32_t g = cb->gt_start[s]; g < cb->gt_start[s + 1]; ++g) {
      if (w->taken[g]) continue;
      double d = hypot(cb->gt[g]->translation[0] - p->translation[0], cb->gt[g]->translation[1] - p->translation[1]);
      if (d < min_dist) {
        min_dist = d;
        match = g;
      }
    }
    if (min_dist < dist_th) {
      const struct pprt_det_box* g = cb->gt[match];
      w->taken[match] = 1;
      tp += 1;
      w->m[TP_TRANS][nm] = min_dist;
      w->m[TP_VEL][nm] = hypot(p->velocity[0] - g->velocity[0], p->velocity[1] - g->velocity[1]);
      w->m[TP_SCALE][nm] = 1.0 - scale_iou(g->size, p->size);
      w->m[TP_ORIENT][nm] = yaw_diff(pprt_quat_yaw(g->rotation), pprt_quat_yaw(p->rotation), period);
      w->m[TP_ATTR][nm] = g->attribute[0] == '\0' ? NAN : (strcmp(g->attribute, p->attribute) == 0 ? 0.0 : 1.0);
      w->m[PPRT_EVAL_NUM_TP][nm] = p->score;
      ++nm;
    } else {
      fp += 1;
    }
    w->tp[i] = tp;
    w->fp[i] = fp;
    w->conf[i] = p->score;
  }
  if (nm == 0) {
    no_predictions(md);
    return;
  }
  for (uint32_t i = 0; i < n; ++i) {
    w->prec[i] = w->tp[i] / (w->tp[i] + w->fp[i]);
    w->rec[i] = w->tp[i] / (double)cb->num_gt;
  }
  for (int r = 0; r < NPTS; ++r) {
    double x = r == NPTS - 1 ? 1.0 : (double)r * 0.01; /* numpy.linspace(0, 1, 101): i * step, last = stop */
    md->precision[r] = np_interp(x, w->rec, w->prec, n, 0.0);
    md->confidence[r] = np_interp(x, w->rec, w->conf, n, 0.0);
  }
  /* TP errors: cumulative mean (NaNs skipped; all NaN -> 1), read at the sampled confidences. */
  double* mconf = w->m[PPRT_EVAL_NUM_TP];
  double* xp = w->rec; /* reuse as scratch: reversed matched confidences (ascending) */
  double* fpv = w->prec;
  for (uint32_t i = 0; i < nm; ++i) xp[i] = mconf[nm - 1 - i];
  for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) {
    double* e = w->m[k];
    uint32_t nan_count = 0;
    for (uint32_t i = 0; i < nm; ++i) nan_count += isnan(e[i]) ? 1u : 0u;
    double sum = 0.0, cnt = 0.0;
    for (uint32_t i = 0; i < nm; ++i) {
      double cm;
      if (nan_count == nm) {
        cm = 1.0;
      } else {
        if (!isnan(e[i])) {
          sum += e[i];
          cnt += 1.0;
        }
        cm = cnt != 0.0 ? sum / cnt : 0.0;
      }
      fpv[nm - 1 - i] = cm;
    }
    /* md.err[k] = interp(conf[::-1], xp, fp)[::-1]: element r reads confidence[r] */
    for (int r = 0; r < NPTS; ++r) md->err[k][r] = np_interp(md->confidence[r], xp, fpv, nm, fpv[nm - 1]);
  }
}

/* ego distance of a box: its own, else from a pose. */
static int ego_dist_of(const struct pprt_det_box* b, const struct pprt_pose* pose, double* d) {
  if (isfinite(b->ego_dist)) {
    *d = b->ego_dist;
    return 0;
  }
  if (pose == NULL) return -1;
  *d = hypot(b->translation[0] - pose->translation[0], b->translation[1] - pose->translation[1]);
  return 0;
}

struct order_item {
  const struct pprt_det_box* b;
  uint32_t seq;
  uint32_t gt_sample;
};

static int cmp_order(const void* a, const void* b) {
  const struct order_item* x = a;
  const struct order_item* y = b;
  if (x->b->score != y->b->score) return x->b->score > y->b->score ? -1 : 1;
  return x->seq > y->seq ? -1 : x->seq < y->seq; /* devkit: sorted((score, index))[::-1] */
}

enum pprt_status pprt_eval_detection(const pprt_detset_t* gt, const pprt_detset_t* pred, int present_only,
                                     struct pprt_eval_result* out) {
  struct pprt_err err;
  enum pprt_status st = PPRT_STATUS_OK;
  if (gt == NULL || pred == NULL || out == NULL) {
    pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_eval_detection: NULL argument");
    pprt_set_last_error(err.msg);
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  memset(out, 0, sizeof *out);
  uint32_t ns = pprt_detset_num_samples(gt);
  /* map every prediction sample onto the GT's samples */
  uint32_t np_s = pprt_detset_num_samples(pred);
  uint32_t* pmap = calloc(np_s ? np_s : 1, sizeof *pmap);
  size_t total_pred = 0, total_gt = 0;
  for (uint32_t s = 0; s < ns; ++s) {
    uint32_t n;
    pprt_detset_boxes(gt, s, &n);
    total_gt += n;
  }
  for (uint32_t s = 0; pmap && s < np_s; ++s) {
    uint32_t n;
    pprt_detset_boxes(pred, s, &n);
    total_pred += n;
    if (n > PPRT_EVAL_MAX_BOXES_PER_SAMPLE) { /* the devkit's load_prediction asserts this for every sample */
      st = pprt_fail(&err, PPRT_STATUS_BAD_INPUT,
                     "sample %s has %u predicted boxes; nuScenes detection results allow at most %d per sample",
                     pprt_detset_token(pred, s), (unsigned)n, PPRT_EVAL_MAX_BOXES_PER_SAMPLE);
      break;
    }
    if (!pprt_detset_find_internal(gt, pprt_detset_token(pred, s), &pmap[s]) && n > 0) {
      st = pprt_fail(&err, PPRT_STATUS_BAD_INPUT, "predictions for sample %s, which is not in the ground truth",
                     pprt_detset_token(pred, s));
      break;
    }
  }
  struct class_boxes cb;
  memset(&cb, 0, sizeof cb);
  struct order_item* items = calloc(total_pred + 1, sizeof *items);
  cb.gt = calloc(total_gt + 1, sizeof *cb.gt);
  cb.gt_start = calloc((size_t)ns + 1, sizeof *cb.gt_start);
  cb.pred = calloc(total_pred + 1, sizeof *cb.pred);
  cb.pred_gt_sample = calloc(total_pred + 1, sizeof *cb.pred_gt_sample);
  struct work w;
  memset(&w, 0, sizeof w);
  size_t wn = total_pred + 1;
  w.tp = malloc(wn * sizeof(double));
  w.fp = malloc(wn * sizeof(double));
  w.conf = malloc(wn * sizeof(double));
  w.rec = malloc(wn * sizeof(double));
  w.prec = malloc(wn * sizeof(double));
  int ok = pmap && items && cb.gt && cb.gt_start && cb.pred && cb.pred_gt_sample && w.tp && w.fp && w.conf && w.rec &&
           w.prec;
  for (int k = 0; k <= PPRT_EVAL_NUM_TP; ++k) ok = ok && (w.m[k] = malloc(wn * sizeof(double))) != NULL;
  w.taken = malloc(total_gt + 1);
  ok = ok && w.taken;
  if (!ok && st == PPRT_STATUS_OK) st = pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "pprt_eval_detection: out of memory");

  struct metric_data md;
  for (int c = 0; c < PPRT_NUSC_NUM_CLASSES && st == PPRT_STATUS_OK; ++c) {
    /* ground truth of class c: inside the class range, at least one lidar point (unknown counts as kept) */
    cb.num_gt = 0;
    for (uint32_t s = 0; s < ns && st == PPRT_STATUS_OK; ++s) {
      cb.gt_start[s] = cb.num_gt;
      uint32_t n;
      const struct pprt_det_box* b = pprt_detset_boxes(gt, s, &n);
      const struct pprt_pose* pose = pprt_detset_pose_internal(gt, s);
      for (uint32_t i = 0; i < n; ++i) {
        if (b[i].cls != c) continue;
        double d;
        if (ego_dist_of(&b[i], pose, &d) != 0) {
          st = pprt_fail(&err, PPRT_STATUS_BAD_INPUT,
                         "ground truth of sample %s: box %u has no ego_dist / ego_translation and the sample has no "
                         "ego pose",
                         pprt_detset_token(gt, s), i);
          break;
        }
        if (!(d < k_range[c]) || b[i].num_pts == 0) continue;
        cb.gt[cb.num_gt++] = &b[i];
      }
    }
    cb.gt_start[ns] = cb.num_gt;
    /* predictions of class c inside the class range, in the devkit's order */
    uint32_t np_c = 0, seq = 0;
    for (uint32_t s = 0; s < np_s && st == PPRT_STATUS_OK; ++s) {
      uint32_t n;
      const struct pprt_det_box* b = pprt_detset_boxes(pred, s, &n);
      const struct pprt_pose* pose = pprt_detset_pose_internal(pred, s);
      if (pose == NULL && n) pose = pprt_detset_pose_internal(gt, pmap[s]);
      for (uint32_t i = 0; i < n; ++i) {
        if (b[i].cls != c) continue;
        double d;
        if (ego_dist_of(&b[i], pose, &d) != 0) {
          st = pprt_fail(&err, PPRT_STATUS_BAD_INPUT,
                         "predictions of sample %s: box %u has no ego_dist / ego_translation and neither file has the "
                         "sample's ego pose",
                         pprt_detset_token(pred, s), i);
          break;
        }
        if (!isfinite(b[i].score)) { /* the devkit refuses NaN scores; neither can be ranked */
          st = pprt_fail(&err, PPRT_STATUS_BAD_INPUT, "predictions of sample %s: box %u has score %g (not finite)",
                         pprt_detset_token(pred, s), i, (double)b[i].score);
          break;
        }
        uint32_t q = seq++;
        if (!(d < k_range[c]) || b[i].num_pts == 0) continue;
        items[np_c].b = &b[i];
        items[np_c].seq = q;
        items[np_c].gt_sample = pmap[s];
        ++np_c;
      }
    }
    if (st) break;
    qsort(items, np_c, sizeof *items, cmp_order);
    for (uint32_t i = 0; i < np_c; ++i) {
      cb.pred[i] = items[i].b;
      cb.pred_gt_sample[i] = items[i].gt_sample;
    }
    cb.num_pred = np_c;
    out->num_gt[c] = cb.num_gt;
    out->num_pred[c] = np_c;
    for (int d = 0; d < PPRT_EVAL_NUM_DIST; ++d) {
      accumulate(&cb, c, k_dist[d], &w, &md);
      out->ap[c][d] = calc_ap(&md);
      out->class_ap[c] += out->ap[c][d] / PPRT_EVAL_NUM_DIST;
      if (d == TP_DIST_IND) {
        for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) {
          int skip = (c == CLS_TRAFFIC_CONE && (k == TP_ATTR || k == TP_VEL || k == TP_ORIENT)) ||
                     (c == CLS_BARRIER && (k == TP_ATTR || k == TP_VEL));
          out->tp_err[c][k] = skip ? NAN : calc_tp(&md, k);
        }
      }
    }
  }
  if (st == PPRT_STATUS_OK) {
    int nclasses = 0;
    double ap_sum = 0.0;
    for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
      out->evaluated[c] = !present_only || out->num_gt[c] > 0;
      if (!out->evaluated[c]) continue;
      ++nclasses;
      ap_sum += out->class_ap[c];
    }
    out->mAP = nclasses ? ap_sum / nclasses : 0.0;
    double tp_score_sum = 0.0;
    for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k) {
      double s = 0.0;
      int cnt = 0;
      for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
        if (!out->evaluated[c] || isnan(out->tp_err[c][k])) continue;
        s += out->tp_err[c][k];
        ++cnt;
      }
      out->mean_tp_err[k] = cnt ? s / cnt : NAN;
      double score = 1.0 - out->mean_tp_err[k];
      tp_score_sum += score > 0.0 ? score : 0.0; /* Python max(0.0, nan) is 0.0 */
    }
    out->NDS = (5.0 * out->mAP + tp_score_sum) / 10.0;
  }
  free(pmap);
  free(items);
  free(cb.gt);
  free(cb.gt_start);
  free(cb.pred);
  free(cb.pred_gt_sample);
  free(w.tp);
  free(w.fp);
  free(w.conf);
  free(w.rec);
  free(w.prec);
  for (int k = 0; k <= PPRT_EVAL_NUM_TP; ++k) free(w.m[k]);
  free(w.taken);
  if (st) pprt_set_last_error(err.msg);
  return st;
}
