/* Rotated BEV IoU (exact convex clipping in double) and grid-accelerated greedy NMS.
 * Handedness (docs/DESIGN.md, model contract 7, README "Modes"): mmdetection3d 0.6.1 (whose IoU kernel the model was
 * trained and evaluated with) and VAI-L 2.5 rotate a box's corners clockwise by its yaw,
 * corner = centre + (dx cos + dy sin, -dx sin + dy cos). That is the counter-clockwise rotation by -yaw, so a
 * prepared box stores s = sin(-yaw) and the clipping below works with counter-clockwise rotations by (c, s). */
#include "stages/nms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stages/stages.h"

void pprt_bev_prepare(const float box[5], struct pprt_bev_prep* p) {
  memset(p, 0, sizeof *p);
  for (int i = 0; i < 5; ++i)
    if (!isfinite(box[i])) return;
  const double hw = fabs((double)box[2]) * 0.5, hl = fabs((double)box[3]) * 0.5;
  p->cx = box[0];
  p->cy = box[1];
  p->hw = (float)hw; /* exact: halving a float */
  p->hl = (float)hl;
  p->c = (float)cos((double)box[4]);
  p->s = (float)sin(-(double)box[4]); /* clockwise by yaw = counter-clockwise by -yaw (see the top of the file) */
  /* enlarged so that a circle test never rejects a pair the clipping would find overlapping (covers the rounding
   * of r, c and s to float) */
  const double r = sqrt(hw * hw + hl * hl) * (1.0 + 1e-5);
  p->r = (float)r;
  p->valid = hw > 0.0 && hl > 0.0 && isfinite(4.0 * hw * hl) && isfinite(p->r);
}

/* Keep the part of poly (n vertices, convex, counter-clockwise) with sign * v[axis] <= bound. */
static int clip_half(const double (*in)[2], int n, int axis, double sign, double bound, double (*out)[2]) {
  int m = 0;
  if (n == 0) return 0;
  const double* s = in[n - 1];
  int s_in = sign * s[axis] <= bound;
  for (int i = 0; i < n; ++i) {
    const double* e = in[i];
    int e_in = sign * e[axis] <= bound;
    if (e_in != s_in) {
      /* one strictly outside, one inside: the denominator is non-zero */
      double t = (bound - sign * s[axis]) / (sign * e[axis] - sign * s[axis]);
      int o = 1 - axis;
      out[m][axis] = sign * bound;
      out[m][o] = s[o] + t * (e[o] - s[o]);
      ++m;
    }
    if (e_in) {
      out[m][0] = e[0];
      out[m][1] = e[1];
      ++m;
    }
    s = e;
    s_in = e_in;
  }
  return m;
}

double pprt_bev_iou_prep(const struct pprt_bev_prep* a, const struct pprt_bev_prep* b) {
  if (!a->valid || !b->valid) return 0.0;
  const double dx = (double)b->cx - (double)a->cx, dy = (double)b->cy - (double)a->cy;
  const double rs = (double)a->r + (double)b->r;
  if (dx * dx + dy * dy > rs * rs) return 0.0;
  const double ac = a->c, as = a->s, bc = b->c, bs = b->s;
  const double ahw = a->hw, ahl = a->hl, bhw = b->hw, bhl = b->hl;
  const double area_a = 4.0 * ahw * ahl, area_b = 4.0 * bhw * bhl;
  /* b in a's frame, where a is the axis-aligned rectangle [-hw, hw] x [-hl, hl] */
  const double u = ac * dx + as * dy;
  const double v = -as * dx + ac * dy;
  double cr = bc * ac + bs * as; /* cos(t_b - t_a), t = -yaw the counter-clockwise angle */
  double sr = bs * ac - bc * as; /* sin(t_b - t_a) */
  const double nr = sqrt(cr * cr + sr * sr); /* undo the float rounding of c, s (identical boxes: cr = 1 exactly) */
  if (!(nr > 0.0)) return 0.0;
  cr /= nr;
  sr /= nr;
  static const double k[4][2] = {{1, -1}, {1, 1}, {-1, 1}, {-1, -1}}; /* counter-clockwise */
  double p0[16][2], p1[16][2];
  for (int i = 0; i < 4; ++i) {
    double px = k[i][0] * bhw, py = k[i][1] * bhl;
    p0[i][0] = u + (cr * px - sr * py);
    p0[i][1] = v + (sr * px + cr * py);
  }
  int n = 4;
  n = clip_half((const double(*)[2])p0, n, 0, 1.0, ahw, p1);
  n = clip_half((const double(*)[2])p1, n, 0, -1.0, ahw, p0);
  n = clip_half((const double(*)[2])p0, n, 1, 1.0, ahl, p1);
  n = clip_half((const double(*)[2])p1, n, 1, -1.0, ahl, p0);
  if (n < 3) return 0.0;
  double twice = 0.0;
  for (int i = 0; i < n; ++i) {
    int j = i + 1 == n ? 0 : i + 1;
    twice += p0[i][0] * p0[j][1] - p0[j][0] * p0[i][1];
  }
  double inter = fabs(twice) * 0.5;
  double amin = area_a < area_b ? area_a : area_b;
  if (!(inter > 0.0)) return 0.0;
  if (inter > amin) inter = amin;
  double uni = area_a + area_b - inter;
  if (!(uni > 0.0)) return 0.0;
  double iou = inter / uni;
  return iou > 1.0 ? 1.0 : iou;
}

double pprt_bev_iou(const float a[5], const float b[5]) {
  struct pprt_bev_prep pa, pb;
  pprt_bev_prepare(a, &pa);
  pprt_bev_prepare(b, &pb);
  return pprt_bev_iou_prep(&pa, &pb);
}

/* ---------------- NMS ---------------- */

#define LEVEL_BIAS 24 /* level = frexp exponent of the area + LEVEL_BIAS, clamped to [0, LEVELS) */
#define CELLS (PPRT_NMS_GRID * PPRT_NMS_GRID)

static int area_level(double area) {
  if (!(area > 0.0)) return 0;
  if (isinf(area)) return PPRT_NMS_LEVELS - 1;
  int e;
  (void)frexp(area, &e); /* area in [2^(e-1), 2^e) */
  int l = e + LEVEL_BIAS;
  return l < 0 ? 0 : (l >= PPRT_NMS_LEVELS ? PPRT_NMS_LEVELS - 1 : l);
}

static int cell_coord(double v, double origin, double size) {
  double t = (v - origin) / size;
  if (!(t >= 0.0)) return 0; /* also NaN */
  if (!(t < (double)PPRT_NMS_GRID)) return PPRT_NMS_GRID - 1;
  return (int)t;
}

enum pprt_status pprt_nms_init(struct pprt_nms* nms, uint32_t capacity, const double extent[4],
                               struct pprt_err* err) {
  memset(nms, 0, sizeof *nms);
  nms->capacity = capacity;
  size_t cap = capacity ? capacity : 1;
  nms->head = malloc(sizeof(int32_t) * (size_t)PPRT_NMS_LEVELS * CELLS);
  nms->next = malloc(sizeof(int32_t) * cap);
  nms->lnext = malloc(sizeof(int32_t) * cap);
  nms->cellid = malloc(sizeof(uint32_t) * cap);
  if (nms->head == NULL || nms->next == NULL || nms->lnext == NULL || nms->cellid == NULL) {
    pprt_nms_free(nms);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "post-processing: out of memory for NMS of %u boxes",
                     (unsigned)capacity);
  }
  for (size_t i = 0; i < (size_t)PPRT_NMS_LEVELS * CELLS; ++i) nms->head[i] = -1;
  double x0 = extent[0], y0 = extent[1], x1 = extent[2], y1 = extent[3];
  if (!(x1 >= x0) || !isfinite(x0) || !isfinite(x1)) x0 = -100.0, x1 = 100.0;
  if (!(y1 >= y0) || !isfinite(y0) || !isfinite(y1)) y0 = -100.0, y1 = 100.0;
  double span = (x1 - x0) > (y1 - y0) ? (x1 - x0) : (y1 - y0);
  double margin = span * 0.05 + 1.0;
  nms->x0 = x0 - margin;
  nms->y0 = y0 - margin;
  double min_cell = (span + 2.0 * margin) / PPRT_NMS_GRID;
  for (int l = 0; l < PPRT_NMS_LEVELS; ++l) {
    /* about twice the side of a square of the level's largest area */
    double c = 2.0 * sqrt(ldexp(1.0, l - LEVEL_BIAS));
    nms->cell[l] = c > min_cell ? c : min_cell;
    nms->lhead[l] = -1;
  }
  return PPRT_STATUS_OK;
}

void pprt_nms_free(struct pprt_nms* nms) {
  free(nms->head);
  free(nms->next);
  free(nms->lnext);
  free(nms->cellid);
  memset(nms, 0, sizeof *nms);
}

static int suppresses(const struct pprt_bev_prep* b, const struct pprt_bev_prep* k, double thresh, int ge) {
  double dx = (double)b->cx - (double)k->cx, dy = (double)b->cy - (double)k->cy, rs = (double)b->r + (double)k->r;
  if (dx * dx + dy * dy > rs * rs) return 0; /* disjoint: IoU 0, and thresh >= 0 (> mode) or > 0 (>= mode) */
  double iou = pprt_bev_iou_prep(b, k);
  return ge ? iou >= thresh : iou > thresh;
}

uint32_t pprt_nms_run(struct pprt_nms* nms, const struct pprt_bev_prep* boxes, const uint32_t* order, uint32_t n,
                      double thresh, int suppress_at_equal, uint32_t max_keep, uint32_t* kept) {
  if (n == 0 || max_keep == 0) return 0;
  const int ge = suppress_at_equal != 0;
  /* Every pair suppresses (IoU >= 0 always holds, IoU > negative always holds): only the first box survives. */
  if (isnan(thresh) || thresh < 0.0 || (ge && thresh <= 0.0)) {
    kept[0] = order[0];
    return 1;
  }
  uint32_t nk = 0;
  for (uint32_t i = 0; i < n && nk < max_keep; ++i) {
    const uint32_t id = order[i];
    const struct pprt_bev_prep* b = &boxes[id];
    if (!b->valid) {
      /* IoU 0 with everything: never suppressed (thresh >= 0 / > 0 here), never suppresses */
      nms->cellid[nk] = UINT32_MAX;
      kept[nk++] = id;
      continue;
    }
    int lo = 0, hi = PPRT_NMS_LEVELS - 1;
    if (thresh > 0.0) {
      /* IoU <= min(area)/max(area): only kept areas in [thresh*A, A/thresh] can reach thresh; one level of slack */
      const double area = 4.0 * (double)b->hw * (double)b->hl;
      lo = area_level(area * thresh) - 1;
      hi = area_level(area / thresh) + 1;
      if (lo < 0) lo = 0;
      if (hi > PPRT_NMS_LEVELS - 1) hi = PPRT_NMS_LEVELS - 1;
    }
    int sup = 0;
    for (int l = lo; l <= hi && !sup; ++l) {
      if (nms->count[l] == 0) continue;
      const double R = ((double)b->r + nms->rmax[l]) * (1.0 + 1e-9), cs = nms->cell[l];
      int cx0 = cell_coord(b->cx - R, nms->x0, cs), cx1 = cell_coord(b->cx + R, nms->x0, cs);
      int cy0 = cell_coord(b->cy - R, nms->y0, cs), cy1 = cell_coord(b->cy + R, nms->y0, cs);
      uint64_t ncells = (uint64_t)(cx1 - cx0 + 1) * (uint64_t)(cy1 - cy0 + 1);
      if (ncells >= nms->count[l]) {
        for (int32_t p = nms->lhead[l]; p >= 0 && !sup; p = nms->lnext[p]) sup = suppresses(b, &boxes[kept[p]], thresh, ge);
        continue;
      }
      const int32_t* head = nms->head + (size_t)l * CELLS;
      for (int cy = cy0; cy <= cy1 && !sup; ++cy) {
        for (int cx = cx0; cx <= cx1 && !sup; ++cx) {
          for (int32_t p = head[cy * PPRT_NMS_GRID + cx]; p >= 0 && !sup; p = nms->next[p])
            sup = suppresses(b, &boxes[kept[p]], thresh, ge);
        }
      }
    }
    if (sup) continue;
    const int l = area_level(4.0 * (double)b->hw * (double)b->hl);
    const int c = cell_coord(b->cy, nms->y0, nms->cell[l]) * PPRT_NMS_GRID + cell_coord(b->cx, nms->x0, nms->cell[l]);
    const uint32_t cid = (uint32_t)l * CELLS + (uint32_t)c;
    nms->cellid[nk] = cid;
    nms->next[nk] = nms->head[cid];
    nms->head[cid] = (int32_t)nk;
    nms->lnext[nk] = nms->lhead[l];
    nms->lhead[l] = (int32_t)nk;
    nms->count[l]++;
    if (b->r > nms->rmax[l]) nms->rmax[l] = b->r;
    kept[nk++] = id;
  }
  /* reset only what this run touched */
  for (uint32_t p = 0; p < nk; ++p)
    if (nms->cellid[p] != UINT32_MAX) nms->head[nms->cellid[p]] = -1;
  for (int l = 0; l < PPRT_NMS_LEVELS; ++l) {
    nms->count[l] = 0;
    nms->rmax[l] = 0.0;
    nms->lhead[l] = -1;
  }
  return nk;
}
