/* Post-processing: params, decode, direction, planted boxes, nms_pre / max_num cuts, vai_compat differences, and
 * pprt_post_run against a naive reference written here (full decode, full sorts, O(n^2) greedy NMS on
 * pprt_bev_iou; the IoU itself is checked against shapely by tests/oracle/iou_nms_ref.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stages/stages.h"
#include "testutil.h"

/* ---- allocation counter: the test links with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc ---- */
void* __real_malloc(size_t n);
void* __real_calloc(size_t n, size_t m);
void* __real_realloc(void* p, size_t n);
static int g_count_allocs;
static unsigned g_allocs;
void* __wrap_malloc(size_t n) {
  if (g_count_allocs) ++g_allocs;
  return __real_malloc(n);
}
void* __wrap_calloc(size_t n, size_t m) {
  if (g_count_allocs) ++g_allocs;
  return __real_calloc(n, m);
}
void* __wrap_realloc(void* p, size_t n) {
  if (g_count_allocs) ++g_allocs;
  return __real_realloc(p, n);
}

/* ---- config ---- */

static const float k_sizes[7][3] = {{1.95017717f, 4.60718145f, 1.72270761f}, {2.4560939f, 6.73778078f, 2.73004906f},
                                    {2.87427237f, 12.01320693f, 3.81509561f}, {0.60058911f, 1.68452161f, 1.27192197f},
                                    {0.66344886f, 0.7256437f, 1.75748069f},  {0.39694519f, 0.40359262f, 1.06232151f},
                                    {2.49008838f, 0.48578221f, 0.98297065f}};
static const float k_z[7] = {-1.80032795f, -1.74440365f, -1.68526504f, -1.67339111f,
                             -1.61785072f, -1.80984986f, -1.763965f};

/* nuScenes-like config on an H x W map covering [-R, R]^2. */
static void make_cfg(struct pprt_model_config* cfg, uint32_t H, uint32_t W, float R, uint32_t num_sizes,
                     uint32_t num_rot, uint32_t K) {
  memset(cfg, 0, sizeof *cfg);
  cfg->featmap_size[0] = H;
  cfg->featmap_size[1] = W;
  struct pprt_anchor_config* ac = &cfg->anchor;
  ac->num_sizes = ac->num_ranges = num_sizes;
  for (uint32_t s = 0; s < num_sizes; ++s) {
    const float z = k_z[s % 7];
    const float r[6] = {-R, -R, z, R, R, z};
    memcpy(ac->ranges[s], r, sizeof r);
    memcpy(ac->sizes[s], k_sizes[s % 7], sizeof ac->sizes[s]);
  }
  ac->num_rotations = num_rot;
  ac->rotations[0] = 0.0f;
  if (num_rot > 1) ac->rotations[1] = 1.57f;
  ac->num_custom_values = 2;
  cfg->num_classes = K;
  cfg->nms_pre = 1000;
  cfg->nms_thresh = 0.2f;
  cfg->max_num = 500;
  cfg->score_thresh = 0.05f;
}

struct fixture {
  struct pprt_model_config cfg;
  struct pprt_post_params pp;
  struct pprt_post_state ps;
  uint32_t A, K;
  int8_t *cls, *reg, *dir;
  struct pprt_box* boxes;
  uint32_t max_boxes;
};

static int fx_init(struct fixture* f, int32_t fp_cls, int32_t fp_reg, float score, int vai) {
  struct pprt_err err;
  enum pprt_status st = pprt_post_params_init(&f->pp, &f->cfg, fp_cls, fp_reg, 2, score, vai, &err);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  st = pprt_post_state_init(&f->ps, &f->pp, &err);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  f->K = f->cfg.num_classes;
  f->A = f->pp.H * f->pp.W * f->pp.num_sizes * f->pp.num_rot;
  f->cls = malloc((size_t)f->A * f->K);
  f->reg = calloc((size_t)f->A * f->pp.code_size, 1);
  f->dir = calloc((size_t)f->A * 2, 1);
  f->max_boxes = 1000;
  f->boxes = malloc(sizeof *f->boxes * f->max_boxes);
  CU_ASSERT_FATAL(f->cls && f->reg && f->dir && f->boxes);
  memset(f->cls, -100, (size_t)f->A * f->K);
  return 0;
}

static void fx_free(struct fixture* f) {
  pprt_post_state_free(&f->ps);
  free(f->cls);
  free(f->reg);
  free(f->dir);
  free(f->boxes);
}

static uint32_t fx_run(struct fixture* f, uint32_t max_boxes, uint32_t* ncand) {
  uint32_t nb = 12345, nc = 12345;
  memset(f->boxes, 0xA5, sizeof *f->boxes * f->max_boxes); /* poison */
  g_allocs = 0;
  g_count_allocs = 1;
  pprt_post_run(&f->pp, &f->ps, pprt_kernels(), f->cls, f->reg, f->dir, f->boxes, max_boxes, &nb, &nc);
  g_count_allocs = 0;
  CU_ASSERT_EQUAL(g_allocs, 0);
  CU_ASSERT(nb <= max_boxes);
  if (ncand) *ncand = nc;
  return nb;
}

static uint32_t anchor_index(const struct fixture* f, uint32_t y, uint32_t x, uint32_t s, uint32_t r) {
  return ((y * f->pp.W + x) * f->pp.num_sizes + s) * f->pp.num_rot + r;
}

/* ---- independent decode (double, straight from the config) ---- */

static double limit_period(double v, double o, double p) { return v - floor(v / p + o) * p; }

static void ref_decode(const struct fixture* f, uint32_t a, int vai, double out[9]) {
  const struct pprt_model_config* cfg = &f->cfg;
  const uint32_t nr = cfg->anchor.num_rotations, ns = cfg->anchor.num_sizes, W = cfg->featmap_size[1],
                 H = cfg->featmap_size[0];
  const uint32_t r = a % nr, s = (a / nr) % ns, cell = a / nr / ns, x = cell % W, y = cell / W;
  const float* rg = cfg->anchor.ranges[s];
  double xa, ya;
  if (cfg->anchor.align_corner) {
    xa = (float)(rg[0] + ((double)rg[3] - rg[0]) * x / (W - 1));
    ya = (float)(rg[1] + ((double)rg[4] - rg[1]) * y / (H - 1));
  } else {
    xa = (float)(rg[0] + ((double)rg[3] - rg[0]) / W * (x + 0.5));
    ya = (float)(rg[1] + ((double)rg[4] - rg[1]) / H * (y + 0.5));
  }
  const double za = rg[2], wa = cfg->anchor.sizes[s][0], la = cfg->anchor.sizes[s][1], ha = cfg->anchor.sizes[s][2];
  const double ra = cfg->anchor.rotations[r];
  double t[9] = {0};
  for (uint32_t j = 0; j < f->pp.code_size; ++j) t[j] = f->reg[(size_t)a * f->pp.code_size + j] * pow(2.0, -f->pp.fp_reg);
  const double za2 = za + ha / 2, d = sqrt(wa * wa + la * la);
  out[0] = t[0] * d + xa;
  out[1] = t[1] * d + ya;
  out[2] = t[2] * ha + za2;
  out[3] = exp(t[3]) * wa;
  out[4] = exp(t[4]) * la;
  out[5] = exp(t[5]) * ha;
  out[6] = t[6] + ra;
  out[2] = out[2] - out[5] / 2;
  out[7] = t[7] + cfg->anchor.custom_values[0];
  out[8] = t[8] + cfg->anchor.custom_values[1];
  (void)vai;
}

static double ref_dir_yaw(const struct fixture* f, uint32_t a, double yaw, int vai) {
  const int8_t d0 = f->dir[2 * (size_t)a], d1 = f->dir[2 * (size_t)a + 1];
  const int bin = vai ? (d1 >= d0) : (d1 > d0);
  const double pi = vai ? 3.1415926 : 3.14159265358979323846;
  return limit_period(yaw - 0.7854, 0, pi) + 0.7854 + pi * bin;
}

static int close_rel(double got, double want, double tol) { return fabs(got - want) <= tol * fmax(1.0, fabs(want)); }

static void check_box(const struct fixture* f, const struct pprt_box* b, uint32_t a, int label, int q, int vai) {
  double e[9];
  ref_decode(f, a, vai, e);
  e[6] = ref_dir_yaw(f, a, e[6], vai);
  const float got[9] = {b->x, b->y, b->z, b->w, b->l, b->h, b->yaw, b->vx, b->vy};
  for (int i = 0; i < 9; ++i) {
    if (!close_rel(got[i], e[i], 1e-5)) {
      printf("\nanchor %u field %d: got %.9g want %.9g\n", (unsigned)a, i, (double)got[i], e[i]);
      CU_FAIL("decoded field differs");
    }
  }
  CU_ASSERT_EQUAL(b->label, label);
  const double score = 1.0 / (1.0 + exp(-q * pow(2.0, -f->pp.fp_cls)));
  CU_ASSERT(close_rel(b->score, score, 1e-6));
}

/* ================= tests ================= */

static void test_params(void) {
  struct pprt_model_config cfg;
  struct pprt_post_params pp;
  struct pprt_err err;
  make_cfg(&cfg, 200, 200, 49.6f, 7, 2, 10);
  const struct {
    float p;
    int fp;
    int want;
  } lt[] = {{0.05f, 3, -24}, {0.5f, 4, 0}, {0.3f, 4, -14}, {0.05f, 0, -3}, {0.0f, 3, -128}, {1.0f, 3, 127},
            {0.999f, 6, 127},  {0.001f, 6, -128}, {0.6f, 2, 1}};
  for (size_t i = 0; i < sizeof lt / sizeof lt[0]; ++i) {
    CU_ASSERT_EQUAL_FATAL(pprt_post_params_init(&pp, &cfg, lt[i].fp, 4, 2, lt[i].p, 0, &err), PPRT_STATUS_OK);
    const double exact = floor(log((double)lt[i].p / (1.0 - (double)lt[i].p)) * pow(2.0, lt[i].fp));
    (void)exact;
    if (pp.logit_thresh != lt[i].want) printf("\np %g fp %d: %d want %d\n", (double)lt[i].p, lt[i].fp, pp.logit_thresh, lt[i].want);
    CU_ASSERT_EQUAL(pp.logit_thresh, lt[i].want);
  }
  CU_ASSERT_EQUAL(pp.H, 200);
  CU_ASSERT_EQUAL(pp.num_sizes, 7);
  CU_ASSERT_EQUAL(pp.num_rot, 2);
  CU_ASSERT_EQUAL(pp.code_size, 9);
  CU_ASSERT_EQUAL(pp.nms_pre, 1000);
  CU_ASSERT_EQUAL(pp.max_num, 500);
  /* contract: x_i = -49.6 + 0.248 + 0.496 i */
  for (int i = 0; i < 200; i += 199) {
    CU_ASSERT(fabs(pp.x_centers[i] - (-49.6 + 0.248 + 0.496 * i)) < 1e-5);
    CU_ASSERT_EQUAL(pp.x_centers[i], (float)(-49.6f + (49.6f - (double)-49.6f) / 200 * (i + 0.5)));
  }
  CU_ASSERT(fabs(pp.y_centers[199] - 49.352) < 1e-5);
  CU_ASSERT_EQUAL(pp.anchor_z[2], k_z[2]);
  CU_ASSERT_EQUAL(pp.anchor_wlh[3][1], k_sizes[3][1]);
  CU_ASSERT_EQUAL(pp.rotations[1], 1.57f);
  /* align_corner: both ends included */
  cfg.anchor.align_corner = 1;
  CU_ASSERT_EQUAL_FATAL(pprt_post_params_init(&pp, &cfg, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pp.x_centers[0], -49.6f);
  CU_ASSERT_EQUAL(pp.x_centers[199], 49.6f);
  CU_ASSERT(fabs(pp.x_centers[1] - (-49.6 + 99.2 / 199)) < 1e-5);
  cfg.anchor.align_corner = 0;
  /* errors */
  struct pprt_model_config bad = cfg;
  bad.anchor.num_ranges = 6;
  err.msg[0] = 0;
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &bad, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "anchor ranges") != NULL);
  bad = cfg;
  bad.featmap_size[0] = 0;
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &bad, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  bad = cfg;
  bad.max_num = 0;
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &bad, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  bad = cfg;
  bad.anchor.ranges[3][0] = -40.0f;
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &bad, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "shared x/y") != NULL);
  bad = cfg;
  bad.num_classes = 0;
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &bad, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &cfg, 3, 4, 2, 1.5f, 0, &err), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_post_params_init(&pp, &cfg, 3, 4, 2, NAN, 0, &err), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_post_params_init(NULL, &cfg, 3, 4, 2, 0.05f, 0, &err), PPRT_STATUS_INVALID_ARGUMENT);
}

/* One planted anchor per run: the decoded box against the formulas, at the edge cells, every size and rotation. */
static void decode_cells(int vai, int align_corner) {
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed() ^ 0xdec0de);
  struct fixture f;
  make_cfg(&f.cfg, 8, 6, 4.0f, 7, 2, 10);
  f.cfg.anchor.align_corner = align_corner;
  f.cfg.anchor.custom_values[0] = 0.25f;
  f.cfg.anchor.custom_values[1] = -0.5f;
  fx_init(&f, 3, 5, 0.05f, vai);
  const uint32_t cells[4][2] = {{0, 0}, {7, 5}, {3, 2}, {0, 5}};
  for (int ci = 0; ci < 4; ++ci) {
    for (uint32_t s = 0; s < 7; ++s) {
      for (uint32_t r = 0; r < 2; ++r) {
        const uint32_t a = anchor_index(&f, cells[ci][0], cells[ci][1], s, r);
        const int label = (int)pprt_rng_u32(&rng, 10);
        const int q = (int)pprt_rng_u32(&rng, 100) - 23;
        memset(f.cls, -100, (size_t)f.A * f.K);
        f.cls[(size_t)a * f.K + label] = (int8_t)q;
        for (uint32_t j = 0; j < 9; ++j) f.reg[(size_t)a * 9 + j] = (int8_t)((int)pprt_rng_u32(&rng, 256) - 128);
        f.dir[2 * a] = (int8_t)((int)pprt_rng_u32(&rng, 5) - 2);
        f.dir[2 * a + 1] = (int8_t)((int)pprt_rng_u32(&rng, 5) - 2);
        uint32_t nc;
        uint32_t nb = fx_run(&f, 10, &nc);
        CU_ASSERT_EQUAL(nc, 1);
        CU_ASSERT_EQUAL_FATAL(nb, 1);
        check_box(&f, &f.boxes[0], a, label, q, vai);
        memset(f.reg + (size_t)a * 9, 0, 9);
      }
    }
  }
  fx_free(&f);
}
static void test_decode(void) { decode_cells(0, 0); }
static void test_decode_vai(void) { decode_cells(1, 0); }
static void test_decode_align_corner(void) { decode_cells(0, 1); }

/* Direction: ties, and limit_period on both sides of its boundaries (yaw = rotation, reg = 0). */
static void test_direction(void) {
  const float rots[4] = {0.75f, 0.8125f, 3.875f, 3.9375f};
  for (int vai = 0; vai < 2; ++vai) {
    const double pi = vai ? 3.1415926 : 3.14159265358979323846;
    /* expected yaw for dir bin 0: yaw - 0.7854 in [0, pi) -> unchanged; below -> + pi; at/above pi -> - pi */
    const double want0[4] = {0.75 + pi, 0.8125, 3.875, 3.9375 - pi};
    for (int tie = 0; tie < 2; ++tie) {
      struct fixture f;
      make_cfg(&f.cfg, 2, 2, 1.0f, 1, 4, 1);
      memcpy(f.cfg.anchor.rotations, rots, sizeof rots);
      f.cfg.nms_thresh = 1.0f; /* keep everything */
      fx_init(&f, 3, 5, 0.05f, vai);
      for (uint32_t r = 0; r < 4; ++r) {
        const uint32_t a = anchor_index(&f, 1, 1, 0, r);
        f.cls[a] = (int8_t)(40 - r); /* output order = r */
        f.dir[2 * a] = tie ? 7 : 9;
        f.dir[2 * a + 1] = 7; /* tie, or bin 0 wins */
      }
      uint32_t nb = fx_run(&f, 10, NULL);
      CU_ASSERT_EQUAL_FATAL(nb, 4);
      for (uint32_t r = 0; r < 4; ++r) {
        const uint32_t a = anchor_index(&f, 1, 1, 0, r);
        const double want = want0[r] + ((tie && vai) ? pi : 0.0);
        if (fabs(f.boxes[r].yaw - want) > 1e-5)
          printf("\nvai %d tie %d rot %g: yaw %.9g want %.9g\n", vai, tie, (double)rots[r], (double)f.boxes[r].yaw,
                 want);
        CU_ASSERT(fabs(f.boxes[r].yaw - want) <= 1e-5);
        check_box(&f, &f.boxes[r], a, 0, 40 - (int)r, vai);
      }
      fx_free(&f);
    }
  }
}

/* Hand-planted scene on an 8 x 8 map (1 m cells, [-4, 4]^2): expected kept set, labels, scores and order. */
static void test_planted(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 8, 8, 4.0f, 7, 2, 10);
    fx_init(&f, 3, 5, 0.05f, vai);
    CU_ASSERT_EQUAL(f.pp.logit_thresh, -24);
    const uint32_t A = anchor_index(&f, 2, 2, 0, 0); /* car at (-1.5, -1.5) */
    const uint32_t B = anchor_index(&f, 2, 3, 0, 0); /* car 1 m to the right: IoU 0.32 with A */
    const uint32_t C = anchor_index(&f, 2, 5, 0, 0); /* car 3 m to the right: disjoint from A */
    const uint32_t D = anchor_index(&f, 6, 6, 4, 1); /* pedestrian */
    const uint32_t E = anchor_index(&f, 2, 2, 4, 0); /* pedestrian inside A: IoU 0.054 */
    const uint32_t G = anchor_index(&f, 5, 1, 3, 0); /* bicycle, two classes with the same logit */
    f.cls[A * 10 + 0] = 60;
    f.cls[B * 10 + 0] = 50;
    f.cls[B * 10 + 1] = 40;
    f.cls[C * 10 + 0] = 50;
    f.cls[D * 10 + 7] = 30;
    f.cls[D * 10 + 8] = -24; /* == threshold: not a box */
    f.cls[D * 10 + 9] = -23; /* just above */
    f.cls[E * 10 + 0] = 55;
    f.cls[G * 10 + 5] = 30;
    f.cls[G * 10 + 6] = 30;
    uint32_t nc;
    uint32_t nb = fx_run(&f, 100, &nc);
    CU_ASSERT_EQUAL(nc, 6);
    const struct {
      uint32_t a;
      int label, q;
    } want[] = {{A, 0, 60}, {E, 0, 55}, {C, 0, 50}, {B, 1, 40}, {G, 5, 30}, {G, 6, 30}, {D, 7, 30}, {D, 9, -23}};
    CU_ASSERT_EQUAL_FATAL(nb, 8);
    for (uint32_t i = 0; i < nb; ++i) check_box(&f, &f.boxes[i], want[i].a, want[i].label, want[i].q, vai);
    /* max_boxes cuts the tail */
    nb = fx_run(&f, 3, NULL);
    CU_ASSERT_EQUAL_FATAL(nb, 3);
    for (uint32_t i = 0; i < nb; ++i) check_box(&f, &f.boxes[i], want[i].a, want[i].label, want[i].q, vai);
    /* no output room at all */
    CU_ASSERT_EQUAL(fx_run(&f, 0, &nc), 0);
    CU_ASSERT_EQUAL(nc, 6);
    fx_free(&f);
  }
}

/* Two nested boxes with IoU exactly 0.5 (2x2 and 2x1, same centre) and nms_thresh 0.5: mmdet3d keeps both,
 * VAI-L suppresses the second. */
static void test_iou_equal_threshold(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 4, 4, 4.0f, 2, 1, 1);
    const float s0[3] = {2, 2, 1}, s1[3] = {2, 1, 1};
    memcpy(f.cfg.anchor.sizes[0], s0, sizeof s0);
    memcpy(f.cfg.anchor.sizes[1], s1, sizeof s1);
    f.cfg.nms_thresh = 0.5f;
    fx_init(&f, 3, 5, 0.05f, vai);
    const float a[5] = {0, 0, 2, 2, 0}, b[5] = {0, 0, 2, 1, 0};
    CU_ASSERT_EQUAL(pprt_bev_iou(a, b), 0.5);
    f.cls[anchor_index(&f, 1, 2, 0, 0)] = 20;
    f.cls[anchor_index(&f, 1, 2, 1, 0)] = 10;
    uint32_t nb = fx_run(&f, 10, NULL);
    CU_ASSERT_EQUAL(nb, vai ? 1 : 2);
    CU_ASSERT_EQUAL(f.boxes[0].w, 2.0f);
    CU_ASSERT_EQUAL(f.boxes[0].l, 2.0f);
    fx_free(&f);
  }
}

/* Handedness (issue 12): mmdetection3d 0.6.1 and VAI-L rotate box corners clockwise by the yaw. The pair
 * has IoU 0.19116 that way and 0.20465 counter-clockwise (shapely, tests/oracle/iou_nms_ref.py). */
static void test_iou_handedness(void) {
  const float a[5] = {0, 0, 4, 1, 0.5f}, b[5] = {1, 0.5f, 4, 1, -0.3f};
  const double iou = pprt_bev_iou(a, b);
  if (fabs(iou - 0.191155275) > 1e-6) printf("\nIoU %.9f, want 0.191155275 (clockwise)\n", iou);
  CU_ASSERT(fabs(iou - 0.191155275) <= 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(pprt_bev_iou(b, a), iou, 1e-7);
  /* a box's long side (l, local y) turns towards +x for a positive yaw: (0, 1) -> (sin, cos) */
  const float c[5] = {0, 0, 1, 4, 0.6f}, d[5] = {(float)(2.0 * sin(0.6)), (float)(2.0 * cos(0.6)), 1, 4, 0.6f};
  CU_ASSERT(fabs(pprt_bev_iou(c, d) - 1.0 / 3.0) <= 1e-6); /* shifted half a length along its own axis */
}

/* Two car candidates one cell apart diagonally, both turned by 0.75 rad: clockwise (mmdet3d 0.6.1, VAI-L) they lie
 * along each other, IoU 0.510 > 0.2, one box; counter-clockwise they would cross with IoU 0.158 and both stay. */
static void test_nms_handedness(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 8, 8, 4.0f, 7, 2, 10);
    fx_init(&f, 3, 5, 0.05f, vai);
    const uint32_t A = anchor_index(&f, 2, 2, 0, 0), B = anchor_index(&f, 3, 3, 0, 0);
    f.cls[A * 10] = 60;
    f.cls[B * 10] = 50;
    f.reg[A * 9 + 6] = 24; /* yaw 24 / 32 = 0.75 */
    f.reg[B * 9 + 6] = 24;
    const float ba[5] = {-1.5f, -1.5f, k_sizes[0][0], k_sizes[0][1], 0.75f};
    const float bb[5] = {-0.5f, -0.5f, k_sizes[0][0], k_sizes[0][1], 0.75f};
    CU_ASSERT(fabs(pprt_bev_iou(ba, bb) - 0.5099) < 1e-4);
    uint32_t nb = fx_run(&f, 10, NULL);
    CU_ASSERT_EQUAL_FATAL(nb, 1);
    check_box(&f, &f.boxes[0], A, 0, 60, vai);
    fx_free(&f);
  }
}

static void test_empty(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 8, 8, 4.0f, 7, 2, 10);
    fx_init(&f, 3, 5, 0.05f, vai);
    memset(f.cls, -128, (size_t)f.A * f.K);
    uint32_t nc;
    CU_ASSERT_EQUAL(fx_run(&f, 100, &nc), 0);
    CU_ASSERT_EQUAL(nc, 0);
    memset(f.cls, -24, (size_t)f.A * f.K); /* exactly at the threshold: nothing */
    CU_ASSERT_EQUAL(fx_run(&f, 100, &nc), 0);
    CU_ASSERT_EQUAL(nc, 0);
    fx_free(&f);
  }
}

/* ---- naive reference of the whole post-processing ---- */

struct rk {
  int q, label;
  uint32_t a;
};
/* Equal q and label: anchor ascending (mmdet3d mode, a stable sort of anchor-ordered lists) or descending (VAI-L:
 * libstdc++'s std::stable_sort with the comparator l.score >= r.score reverses runs of equal scores). */
static int g_ties_desc;
static int cmp_rk(const void* x, const void* y) {
  const struct rk *a = x, *b = y;
  if (a->q != b->q) return a->q > b->q ? -1 : 1;
  if (a->label != b->label) return a->label < b->label ? -1 : 1;
  if (g_ties_desc) return a->a > b->a ? -1 : (a->a < b->a);
  return a->a < b->a ? -1 : (a->a > b->a);
}

static uint32_t ref_post(const struct fixture* f, int vai, uint32_t max_boxes, struct rk* out, uint32_t* ncand) {
  const uint32_t A = f->A, K = f->K;
  const int thr = f->pp.logit_thresh;
  struct rk* cand = malloc(sizeof *cand * (A ? A : 1));
  uint32_t n = 0;
  for (uint32_t a = 0; a < A; ++a) {
    int m = -129;
    for (uint32_t c = 0; c < K; ++c) m = f->cls[(size_t)a * K + c] > m ? f->cls[(size_t)a * K + c] : m;
    if (m > thr) cand[n++] = (struct rk){m, 0, a};
  }
  *ncand = n;
  g_ties_desc = vai;
  if (!vai && f->pp.nms_pre > 0 && n > f->pp.nms_pre) {
    qsort(cand, n, sizeof *cand, cmp_rk); /* max logit desc, anchor asc */
    n = f->pp.nms_pre;
  }
  struct rk* list = malloc(sizeof *list * (n ? n : 1));
  float(*bev)[5] = malloc(sizeof *bev * (n ? n : 1));
  struct rk* all = malloc(sizeof *all * ((size_t)n * K + 1));
  uint32_t nall = 0;
  for (uint32_t c = 0; c < K; ++c) {
    uint32_t m = 0;
    for (uint32_t j = 0; j < n; ++j) {
      int q = f->cls[(size_t)cand[j].a * K + c];
      if (q > thr) list[m++] = (struct rk){q, (int)c, cand[j].a};
    }
    qsort(list, m, sizeof *list, cmp_rk);
    for (uint32_t i = 0; i < m; ++i) {
      double d[9];
      ref_decode(f, list[i].a, vai, d);
      const float b[5] = {(float)d[0], (float)d[1], (float)d[3], (float)d[4], (float)d[6]};
      memcpy(bev[i], b, sizeof b);
    }
    /* greedy NMS (kept boxes tracked by their list position) */
    uint32_t* keptpos = malloc(sizeof *keptpos * (m ? m : 1));
    uint32_t nk = 0;
    for (uint32_t i = 0; i < m; ++i) {
      int sup = 0;
      for (uint32_t k = 0; k < nk && !sup; ++k) {
        const float* o = bev[keptpos[k]];
        /* far apart (centre distance beyond the two half diagonals): disjoint, IoU 0 (keeps the reference fast) */
        const double dx = (double)bev[i][0] - o[0], dy = (double)bev[i][1] - o[1];
        const double rr = 0.5 * (hypot(bev[i][2], bev[i][3]) + hypot(o[2], o[3])) * 1.001;
        if (dx * dx + dy * dy > rr * rr && (vai ? f->pp.nms_thresh > 0.0f : f->pp.nms_thresh >= 0.0f)) continue;
        double iou = pprt_bev_iou(bev[i], o);
        sup = vai ? iou >= f->pp.nms_thresh : iou > f->pp.nms_thresh;
      }
      if (!sup) keptpos[nk++] = i;
    }
    for (uint32_t k = 0; k < nk; ++k) all[nall++] = list[keptpos[k]];
    free(keptpos);
  }
  qsort(all, nall, sizeof *all, cmp_rk);
  uint32_t M = f->pp.max_num < max_boxes ? f->pp.max_num : max_boxes;
  uint32_t nout = nall < M ? nall : M;
  memcpy(out, all, sizeof *out * nout);
  free(cand);
  free(list);
  free(bev);
  free(all);
  return nout;
}

/* Random int8 tensors with many ties; pprt_post_run against the naive reference. */
static void random_vs_ref(int vai) {
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed() ^ (vai ? 0x7a1 : 0x3d3));
  for (int iter = 0; iter < 40; ++iter) {
    struct fixture f;
    const uint32_t H = 4 + pprt_rng_u32(&rng, 6), W = 4 + pprt_rng_u32(&rng, 6);
    make_cfg(&f.cfg, H, W, (float)(W > H ? W : H) * 0.5f, 1 + pprt_rng_u32(&rng, 7), 1 + pprt_rng_u32(&rng, 2),
             1 + pprt_rng_u32(&rng, 10));
    f.cfg.nms_pre = iter % 4 == 0 ? 0 : 5 + pprt_rng_u32(&rng, 80);
    f.cfg.max_num = 1 + pprt_rng_u32(&rng, 60);
    const float thr[5] = {0.2f, 0.1f, 0.5f, 0.0f, 0.8f};
    f.cfg.nms_thresh = thr[iter % 5];
    fx_init(&f, 3, 5, 0.05f, vai);
    const uint32_t density = 1 + pprt_rng_u32(&rng, 30); /* percent of logits above the threshold */
    for (size_t i = 0; i < (size_t)f.A * f.K; ++i)
      f.cls[i] = pprt_rng_u32(&rng, 100) < density ? (int8_t)(-23 + (int)pprt_rng_u32(&rng, 12) * 5)
                                                    : (int8_t)(-128 + (int)pprt_rng_u32(&rng, 105));
    for (size_t i = 0; i < (size_t)f.A * f.pp.code_size; ++i) f.reg[i] = (int8_t)((int)pprt_rng_u32(&rng, 41) - 20);
    for (size_t i = 0; i < (size_t)f.A * 2; ++i) f.dir[i] = (int8_t)((int)pprt_rng_u32(&rng, 3) - 1);
    const uint32_t max_boxes = iter % 3 == 0 ? 1 + pprt_rng_u32(&rng, 30) : 1000;
    struct rk* want = malloc(sizeof *want * 1000);
    uint32_t wc, gc;
    uint32_t wn = ref_post(&f, vai, max_boxes, want, &wc);
    uint32_t gn = fx_run(&f, max_boxes, &gc);
    CU_ASSERT_EQUAL(gc, wc);
    if (gn != wn) printf("\niter %d: %u boxes, reference %u (candidates %u)\n", iter, gn, wn, wc);
    CU_ASSERT_EQUAL(gn, wn);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < gn && i < wn; ++i) {
      const struct pprt_box* b = &f.boxes[i];
      double e[9];
      ref_decode(&f, want[i].a, vai, e);
      if (b->label != want[i].label || !close_rel(b->x, e[0], 1e-5) || !close_rel(b->y, e[1], 1e-5) ||
          !close_rel(b->w, e[3], 1e-5)) {
        if (bad++ < 3)
          printf("\niter %d box %u: label %d x %g, reference label %d anchor %u x %g\n", iter, i, b->label,
                 (double)b->x, want[i].label, want[i].a, e[0]);
      } else {
        check_box(&f, b, want[i].a, want[i].label, want[i].q, vai);
      }
    }
    CU_ASSERT_EQUAL(bad, 0);
    free(want);
    fx_free(&f);
  }
}
static void test_random_default(void) { random_vs_ref(0); }
static void test_random_vai(void) { random_vs_ref(1); }

/* nms_pre ties: 12 candidates with the same max logit, nms_pre 5 keeps the 5 lowest anchors. vai: all 12. */
static void test_nms_pre_ties(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 8, 8, 40.0f, 1, 1, 2); /* 10 m cells: no overlaps */
    f.cfg.nms_pre = 5;
    fx_init(&f, 3, 5, 0.05f, vai);
    uint32_t as[12];
    for (int i = 0; i < 12; ++i) {
      as[i] = (uint32_t)(i * 5 + 1);
      f.cls[as[i] * 2 + (i & 1)] = 17;
    }
    f.cls[as[11] * 2 + 1] = 18; /* the highest, last anchor: always kept */
    uint32_t nc, nb = fx_run(&f, 100, &nc);
    CU_ASSERT_EQUAL(nc, 12);
    CU_ASSERT_EQUAL_FATAL(nb, vai ? 12 : 5);
    CU_ASSERT_EQUAL(f.boxes[0].label, 1);
    check_box(&f, &f.boxes[0], as[11], 1, 18, vai);
    if (!vai) {
      /* then 4 ties at q 17 from anchors 0..3: class 0 (anchors 0, 2) before class 1 (anchors 1, 3) */
      const uint32_t order[4] = {0, 2, 1, 3};
      for (int i = 0; i < 4; ++i) check_box(&f, &f.boxes[1 + i], as[order[i]], (int)(order[i] & 1), 17, vai);
    }
    fx_free(&f);
  }
}

/* max_num cut with ties across classes. */
static void test_max_num(void) {
  struct fixture f;
  make_cfg(&f.cfg, 8, 8, 40.0f, 1, 1, 3);
  f.cfg.max_num = 4;
  fx_init(&f, 3, 5, 0.05f, 0);
  for (uint32_t a = 0; a < 6; ++a) f.cls[(a * 9) * 3 + (a % 3)] = 10; /* same logit, classes 0,1,2,0,1,2 */
  uint32_t nb = fx_run(&f, 100, NULL);
  CU_ASSERT_EQUAL_FATAL(nb, 4);
  const uint32_t want_a[4] = {0, 27, 9, 36}, want_l[4] = {0, 0, 1, 1};
  for (int i = 0; i < 4; ++i) check_box(&f, &f.boxes[i], want_a[i], (int)want_l[i], 10, 0);
  fx_free(&f);
}

/* Equal logits in vai_compat (issue 12): VAI-L sorts each class with std::stable_sort(..., l.score >= r.score), which
 * under libstdc++ puts the HIGHER anchor first among equal scores (checked against libstdc++ 12 on x86-64 and
 * aarch64, 6047 arrays); mmdet3d mode keeps the lower. Two car anchors (rotation 0) in cells x = 100 and 101 of the
 * production map, both logit 20, overlap (IoU 0.81): VAI-L keeps the one at x = 0.744, mmdet3d the one at 0.248. */
static void test_tie_pair(void) {
  for (int vai = 0; vai < 2; ++vai) {
    struct fixture f;
    make_cfg(&f.cfg, 200, 200, 49.6f, 7, 2, 10);
    fx_init(&f, 3, 5, 0.05f, vai);
    const uint32_t a0 = anchor_index(&f, 100, 100, 0, 0), a1 = anchor_index(&f, 100, 101, 0, 0);
    f.cls[(size_t)a0 * 10] = 20;
    f.cls[(size_t)a1 * 10] = 20;
    uint32_t nb = fx_run(&f, 500, NULL);
    CU_ASSERT_EQUAL_FATAL(nb, 1);
    const uint32_t want = vai ? a1 : a0;
    check_box(&f, &f.boxes[0], want, 0, 20, vai);
    CU_ASSERT(fabs(f.boxes[0].x - (vai ? 0.744 : 0.248)) < 1e-5);
    fx_free(&f);
  }
}

/* A cluster of equal logits over max_num (no overlaps: 10 m cells): vai_compat keeps the highest anchors, in
 * descending anchor order; classes still go in label order at equal logits (VAI-L's final sort is a stable sort with
 * a strict comparator). mmdet3d mode: lowest anchors, ascending. */
static void test_tie_cluster_max_num(void) {
  for (int vai = 0; vai < 2; ++vai) {
    for (int mn = 0; mn < 2; ++mn) {
      struct fixture f;
      make_cfg(&f.cfg, 8, 8, 40.0f, 1, 1, 2);
      f.cfg.max_num = mn ? 8 : 4;
      fx_init(&f, 3, 5, 0.05f, vai);
      for (uint32_t a = 0; a < 6; ++a) f.cls[(a * 9) * 2] = 10; /* class 0: anchors 0, 9, ..., 45 */
      f.cls[5 * 2 + 1] = 10;                                     /* class 1: anchors 5 and 50 */
      f.cls[50 * 2 + 1] = 10;
      uint32_t nb = fx_run(&f, 100, NULL);
      CU_ASSERT_EQUAL_FATAL(nb, f.cfg.max_num);
      const uint32_t def[8] = {0, 9, 18, 27, 36, 45, 5, 50}, compat[8] = {45, 36, 27, 18, 9, 0, 50, 5};
      for (uint32_t i = 0; i < nb; ++i) check_box(&f, &f.boxes[i], vai ? compat[i] : def[i], i < 6 ? 0 : 1, 10, vai);
      fx_free(&f);
    }
  }
}

/* Every anchor above the threshold: runs, allocates nothing, bounded time. */
static void test_worst_case(void) {
  for (int vai = 0; vai < 2; ++vai) {
    for (int pattern = 0; pattern < 2; ++pattern) {
      struct fixture f;
      make_cfg(&f.cfg, 10, 10, 5.0f, 7, 2, 10);
      fx_init(&f, 3, 5, 0.05f, vai);
      struct pprt_rng rng;
      pprt_rng_seed(&rng, pprt_test_seed() + 99);
      for (size_t i = 0; i < (size_t)f.A * f.K; ++i) f.cls[i] = pattern ? (int8_t)(pprt_rng_u32(&rng, 100)) : 100;
      for (size_t i = 0; i < (size_t)f.A * f.pp.code_size; ++i)
        f.reg[i] = pattern ? (int8_t)((int)pprt_rng_u32(&rng, 41) - 20) : 0;
      uint32_t nc;
      double t0 = pprt_now_ms();
      uint32_t nb = fx_run(&f, 1000, &nc);
      double t1 = pprt_now_ms();
      CU_ASSERT_EQUAL(nc, f.A);
      CU_ASSERT(nb > 0 && nb <= f.pp.max_num);
      CU_ASSERT(t1 - t0 < 20000.0);
      /* check against the reference too */
      struct rk* want = malloc(sizeof *want * 1000);
      uint32_t wc, wn = ref_post(&f, vai, 1000, want, &wc);
      CU_ASSERT_EQUAL(nb, wn);
      for (uint32_t i = 0; i < nb && i < wn; ++i) {
        CU_ASSERT_EQUAL(f.boxes[i].label, want[i].label);
        double e[9];
        ref_decode(&f, want[i].a, vai, e);
        CU_ASSERT(close_rel(f.boxes[i].x, e[0], 1e-5) && close_rel(f.boxes[i].y, e[1], 1e-5));
      }
      free(want);
      fx_free(&f);
    }
  }
}

/* Host timing on the production map (200 x 200 x 14 anchors, 10 classes): only with PPRT_POST_BENCH=1. */
static void test_timing(void) {
  if (getenv("PPRT_POST_BENCH") == NULL) return;
  for (int vai = 0; vai < 2; ++vai) {
    for (int worst = 0; worst < 3; ++worst) {
      struct fixture f;
      make_cfg(&f.cfg, 200, 200, 49.6f, 7, 2, 10);
      fx_init(&f, 3, 5, 0.05f, vai);
      struct pprt_rng rng;
      pprt_rng_seed(&rng, 7);
      for (size_t a = 0; a < f.A; ++a) {
        int8_t* row = f.cls + a * f.K;
        for (uint32_t c = 0; c < f.K; ++c) row[c] = (int8_t)(-128 + (int)pprt_rng_u32(&rng, 100));
        if (worst == 2 || (worst == 1) || pprt_rng_u32(&rng, 1000) < 10)
          row[pprt_rng_u32(&rng, f.K)] = (int8_t)(worst == 1 ? 100 : -20 + (int)pprt_rng_u32(&rng, 100));
      }
      for (size_t i = 0; i < (size_t)f.A * 9; ++i) f.reg[i] = (int8_t)((int)pprt_rng_u32(&rng, 21) - 10);
      uint32_t nc = 0, nb = 0;
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        double t0 = pprt_now_ms();
        nb = fx_run(&f, 1000, &nc);
        double t = pprt_now_ms() - t0;
        best = t < best ? t : best;
      }
      printf("\n  post_run 200x200x14 %s %s: %u candidates, %u boxes, %.2f ms (%s kernels)", vai ? "vai" : "mmdet3d",
             worst == 0 ? "typical" : worst == 1 ? "worst (all equal)" : "worst (random)", nc, nb, best,
             pprt_kernels()->isa);
      fx_free(&f);
    }
  }
  printf("\n");
}

int main(void) {
  static const struct pprt_test_case cases[] = {{"params", test_params},
                                                {"decode", test_decode},
                                                {"decode_vai", test_decode_vai},
                                                {"decode_align_corner", test_decode_align_corner},
                                                {"direction", test_direction},
                                                {"planted", test_planted},
                                                {"iou_equal_threshold", test_iou_equal_threshold},
                                                {"iou_handedness", test_iou_handedness},
                                                {"nms_handedness", test_nms_handedness},
                                                {"empty", test_empty},
                                                {"nms_pre_ties", test_nms_pre_ties},
                                                {"max_num", test_max_num},
                                                {"tie_pair", test_tie_pair},
                                                {"tie_cluster_max_num", test_tie_cluster_max_num},
                                                {"random_default", test_random_default},
                                                {"random_vai", test_random_vai},
                                                {"worst_case", test_worst_case},
                                                {"timing", test_timing},
                                                {NULL, NULL}};
  return pprt_test_main("postprocess", cases);
}
