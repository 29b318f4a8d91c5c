/* Voxelize and scatter stages on hand-made point sets (every kernel variant): parameters from the config, pillar
 * order of first appearance, slot order, the 65th point dropped, empty slots exactly 0 in a poisoned DPU0 buffer,
 * the lazy reset between frames, the pillar limit in both modes, a transformed earlier sweep with dt, non-finite
 * points, and the scatter stage's clearing. The real nuScenes sweep is checked against the numpy oracle by
 * test_voxelize_oracle (oracle/voxelize_ref.py + voxelize_dump.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stages/stages.h"
#include "testutil.h"

#define POISON 0x77
#define FP 6

static const float k_mean[5] = {0.0f, 0.0f, -1.0f, 127.5f, 0.275f};
static const float k_scale[5] = {0.02f, 0.02f, 0.25f, 0.0078f, 3.6364f};

static void make_cfg(struct pprt_model_config* c, uint32_t max_voxels, uint32_t max_points) {
  memset(c, 0, sizeof *c);
  const float range[6] = {-50.0f, -50.0f, -5.0f, 50.0f, 50.0f, 3.0f};
  memcpy(c->point_cloud_range, range, sizeof range);
  memcpy(c->voxel_range, range, sizeof range);
  c->voxel_size[0] = 0.25f;
  c->voxel_size[1] = 0.25f;
  c->voxel_size[2] = 8.0f;
  c->num_features = 5;
  c->in_channels = 64;
  c->num_mean = c->num_scale = 5;
  memcpy(c->mean, k_mean, sizeof k_mean);
  memcpy(c->scale, k_scale, sizeof k_scale);
  c->max_points_num = max_points;
  c->max_voxels_num = max_voxels;
}

static int8_t quant(float f, int k) {
  float v = floorf(((f - k_mean[k]) * ldexpf(k_scale[k], FP)) + 0.5f);
  return (int8_t)(v < -128.0f ? -128.0f : v > 127.0f ? 127.0f : v);
}

/* x of a point inside cell column cx (likewise y) */
static float cell_x(int c) { return -50.0f + 0.25f * (float)c + 0.1f; }

static void put(float* pts, size_t i, float x, float y, float z, float in) {
  float* s = pts + i * 5;
  s[0] = x;
  s[1] = y;
  s[2] = z;
  s[3] = in;
  s[4] = 7.0f; /* ring index: ignored */
}

struct fixture {
  struct pprt_vox_params vp;
  struct pprt_vox_state vs;
  int8_t* out;
  size_t row;
};

static void fx_init(struct fixture* f, uint32_t max_voxels, uint32_t max_points, int vai) {
  struct pprt_model_config cfg;
  struct pprt_err err;
  make_cfg(&cfg, max_voxels, max_points);
  CU_ASSERT_FATAL(pprt_vox_params_init(&f->vp, &cfg, FP, vai, &err) == PPRT_STATUS_OK);
  CU_ASSERT_FATAL(pprt_vox_state_init(&f->vs, &f->vp, &err) == PPRT_STATUS_OK);
  f->row = (size_t)max_points * 5;
  f->out = malloc(max_voxels * f->row);
  CU_ASSERT_FATAL(f->out != NULL);
  memset(f->out, POISON, max_voxels * f->row);
}

static void fx_free(struct fixture* f) {
  pprt_vox_state_free(&f->vs);
  free(f->out);
}

static uint32_t placed(const struct fixture* f) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < f->vs.num_pillars; ++i) s += f->vs.fill[i];
  return s;
}

static void check_invariant(const struct fixture* f) {
  const struct pprt_vox_counts* c = &f->vs.counts;
  CU_ASSERT_EQUAL(c->points_in, c->nonfinite + c->out_of_range + c->overflow + placed(f));
}

static void test_params(void) {
  struct pprt_model_config cfg;
  struct pprt_vox_params vp;
  struct pprt_err err;
  make_cfg(&cfg, 40000, 64);
  CU_ASSERT_EQUAL_FATAL(pprt_vox_params_init(&vp, &cfg, FP, 0, &err), PPRT_STATUS_OK);
  CU_ASSERT(vp.grid[0] == 400 && vp.grid[1] == 400 && vp.grid[2] == 1);
  CU_ASSERT(vp.num_features == 5 && vp.max_slots == 64 && vp.max_pillars == 40000 && vp.vai_compat == 0);
  for (int k = 0; k < 5; ++k) {
    CU_ASSERT(vp.qscale[k] == k_scale[k] * 64.0f); /* exact power-of-two scaling */
    CU_ASSERT(vp.mean[k] == k_mean[k]);
  }
  CU_ASSERT_EQUAL(pprt_vox_params_init(&vp, &cfg, -3, 1, &err), PPRT_STATUS_OK);
  CU_ASSERT(vp.qscale[2] == 0.25f / 8.0f && vp.vai_compat == 1);
  /* a non-pillar grid, too many features, missing scales, a bad voxel size */
  struct pprt_model_config bad = cfg;
  bad.voxel_size[2] = 4.0f;
  err.msg[0] = '\0';
  CU_ASSERT_EQUAL(pprt_vox_params_init(&vp, &bad, FP, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "z grid") != NULL);
  bad = cfg;
  bad.num_features = 9;
  CU_ASSERT_EQUAL(pprt_vox_params_init(&vp, &bad, FP, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  bad = cfg;
  bad.num_scale = 4;
  CU_ASSERT_EQUAL(pprt_vox_params_init(&vp, &bad, FP, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  bad = cfg;
  bad.voxel_size[0] = 0.0f;
  CU_ASSERT_EQUAL(pprt_vox_params_init(&vp, &bad, FP, 0, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strlen(err.msg) > 0);
}

/* Pillar ids in order of first appearance, slots in arrival order, empty slots 0, rows past the count untouched. */
static void test_order_and_slots(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (size_t v = 0; v < nk; ++v) {
    struct fixture f;
    fx_init(&f, 16, 64, 0);
    float pts[6 * 5];
    put(pts, 0, cell_x(10), cell_x(20), 0.0f, 10.0f);  /* A */
    put(pts, 1, cell_x(5), cell_x(5), -1.0f, 20.0f);   /* B */
    put(pts, 2, cell_x(10) + 0.1f, cell_x(20), 1.0f, 30.0f); /* A */
    put(pts, 3, cell_x(0), cell_x(399), 2.0f, 40.0f);  /* C */
    put(pts, 4, cell_x(5), cell_x(5) + 0.05f, 0.5f, 50.0f); /* B */
    put(pts, 5, 60.0f, 0.0f, 0.0f, 0.0f);              /* out of range */
    pprt_vox_begin(&f.vp, &f.vs);
    pprt_vox_add(&f.vp, &f.vs, all[v], pts, 6, 5, NULL, NULL, 0.0f, f.out);
    CU_ASSERT_EQUAL_FATAL(f.vs.num_pillars, 3);
    const int32_t want[6] = {20, 10, 5, 5, 399, 0};
    CU_ASSERT_EQUAL(memcmp(f.vs.coords, want, sizeof want), 0);
    CU_ASSERT(f.vs.fill[0] == 2 && f.vs.fill[1] == 2 && f.vs.fill[2] == 1);
    const int slot_of[5][2] = {{0, 0}, {1, 0}, {0, 1}, {2, 0}, {1, 1}}; /* point -> (pillar, slot) */
    for (int i = 0; i < 5; ++i) {
      const int8_t* o = f.out + (size_t)slot_of[i][0] * f.row + (size_t)slot_of[i][1] * 5;
      for (int k = 0; k < 4; ++k) CU_ASSERT_EQUAL(o[k], quant(pts[i * 5 + k], k));
      CU_ASSERT_EQUAL(o[4], quant(0.0f, 4));
    }
    for (int p = 0; p < 3; ++p)
      for (size_t b = (size_t)f.vs.fill[p] * 5; b < f.row; ++b) CU_ASSERT_EQUAL(f.out[p * f.row + b], 0);
    for (size_t b = 3 * f.row; b < 16 * f.row; ++b) CU_ASSERT_EQUAL(f.out[b], POISON);
    CU_ASSERT(f.vs.counts.points_in == 6 && f.vs.counts.out_of_range == 1 && f.vs.counts.overflow == 0);
    check_invariant(&f);
    fx_free(&f);
  }
}

static void test_slot_overflow(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (size_t v = 0; v < nk; ++v) {
    struct fixture f;
    fx_init(&f, 4, 64, 0);
    float pts[70 * 5];
    for (int i = 0; i < 70; ++i) put(pts, (size_t)i, cell_x(7), cell_x(8), 0.0f, (float)(2 * i));
    pprt_vox_begin(&f.vp, &f.vs);
    pprt_vox_add(&f.vp, &f.vs, all[v], pts, 70, 5, NULL, NULL, 0.0f, f.out);
    CU_ASSERT_EQUAL(f.vs.num_pillars, 1);
    CU_ASSERT_EQUAL(f.vs.fill[0], 64);
    CU_ASSERT_EQUAL(f.vs.counts.overflow, 6);
    for (int s = 0; s < 64; ++s) CU_ASSERT_EQUAL(f.out[s * 5 + 3], quant((float)(2 * s), 3)); /* arrival order */
    check_invariant(&f);
    fx_free(&f);
  }
}

/* A second frame resets only the previous frame's cells; rows past the new pillar count keep their bytes. */
static void test_second_frame(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (size_t v = 0; v < nk; ++v) {
    struct fixture f;
    fx_init(&f, 8, 4, 0);
    float a[5 * 5], b[3 * 5];
    for (int i = 0; i < 5; ++i) put(a, (size_t)i, cell_x(100 + i), cell_x(200), 0.0f, 1.0f);
    pprt_vox_begin(&f.vp, &f.vs);
    pprt_vox_add(&f.vp, &f.vs, all[v], a, 5, 5, NULL, NULL, 0.0f, f.out);
    CU_ASSERT_EQUAL_FATAL(f.vs.num_pillars, 5);
    int8_t saved[8 * 4 * 5];
    memcpy(saved, f.out, sizeof saved);
    put(b, 0, cell_x(300), cell_x(1), 0.0f, 2.0f);
    put(b, 1, cell_x(102), cell_x(200), 0.0f, 3.0f); /* a cell of the previous frame: a new pillar now */
    put(b, 2, cell_x(300), cell_x(1), 0.0f, 4.0f);
    pprt_vox_begin(&f.vp, &f.vs);
    CU_ASSERT(f.vs.num_pillars == 0 && f.vs.counts.points_in == 0);
    for (int i = 0; i < 5; ++i) CU_ASSERT_EQUAL(f.vs.cell_pillar[200 * 400 + 100 + i], -1);
    pprt_vox_add(&f.vp, &f.vs, all[v], b, 3, 5, NULL, NULL, 0.0f, f.out);
    CU_ASSERT_EQUAL_FATAL(f.vs.num_pillars, 2);
    CU_ASSERT(f.vs.coords[0] == 1 && f.vs.coords[1] == 300 && f.vs.coords[2] == 200 && f.vs.coords[3] == 102);
    CU_ASSERT(f.vs.fill[0] == 2 && f.vs.fill[1] == 1);
    CU_ASSERT_EQUAL(f.out[0 * 20 + 3], quant(2.0f, 3));
    CU_ASSERT_EQUAL(f.out[0 * 20 + 5 + 3], quant(4.0f, 3));
    CU_ASSERT_EQUAL(f.out[1 * 20 + 3], quant(3.0f, 3));
    for (int s = 1; s < 4; ++s) CU_ASSERT_EQUAL(f.out[1 * 20 + s * 5], 0); /* re-zeroed row */
    CU_ASSERT_EQUAL(memcmp(f.out + 2 * 20, saved + 2 * 20, 3 * 20), 0);     /* untouched */
    CU_ASSERT_EQUAL(memcmp(f.out + 5 * 20, saved + 5 * 20, 3 * 20), 0);
    CU_ASSERT_EQUAL(f.vs.cell_pillar[200 * 400 + 101], -1);
    check_invariant(&f);
    fx_free(&f);
  }
}

/* max_pillars 3: mmdet3d skips new pillars and keeps filling old ones; vai_compat stops the frame. */
static void test_pillar_limit(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (size_t v = 0; v < nk; ++v) {
    for (int vai = 0; vai < 2; ++vai) {
      struct fixture f;
      fx_init(&f, 3, 8, vai);
      float p[7 * 5], q[2 * 5];
      const int cells[7] = {0, 1, 2, 3, 0, 4, 1};
      for (int i = 0; i < 7; ++i) put(p, (size_t)i, cell_x(10 * cells[i]), cell_x(50), 0.0f, (float)i);
      put(q, 0, cell_x(0), cell_x(50), 0.0f, 9.0f); /* an existing pillar, in a later sweep */
      put(q, 1, cell_x(300), cell_x(50), 0.0f, 9.0f);
      const float rot[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, tr[3] = {0, 0, 0};
      pprt_vox_begin(&f.vp, &f.vs);
      pprt_vox_add(&f.vp, &f.vs, all[v], p, 7, 5, NULL, NULL, 0.0f, f.out);
      pprt_vox_add(&f.vp, &f.vs, all[v], q, 2, 5, rot, tr, 0.1f, f.out);
      CU_ASSERT_EQUAL(f.vs.num_pillars, 3);
      CU_ASSERT_EQUAL(f.vs.counts.points_in, 9);
      if (!vai) {
        CU_ASSERT_EQUAL(f.vs.stopped, 0);
        CU_ASSERT_EQUAL(f.vs.counts.overflow, 3); /* cells 3, 4 and 300 */
        CU_ASSERT(f.vs.fill[0] == 3 && f.vs.fill[1] == 2 && f.vs.fill[2] == 1);
        CU_ASSERT_EQUAL(f.out[0 * 40 + 5 + 3], quant(4.0f, 3));
        CU_ASSERT_EQUAL(f.out[0 * 40 + 10 + 4], quant(0.1f, 4)); /* the later sweep's dt */
      } else {
        CU_ASSERT_EQUAL(f.vs.stopped, 1);
        CU_ASSERT_EQUAL(f.vs.counts.overflow, 6); /* from the 4th point on, and the whole later sweep */
        CU_ASSERT(f.vs.fill[0] == 1 && f.vs.fill[1] == 1 && f.vs.fill[2] == 1);
        CU_ASSERT_EQUAL(f.out[0 * 40 + 5], 0);
      }
      check_invariant(&f);
      /* the next frame starts fresh */
      pprt_vox_begin(&f.vp, &f.vs);
      CU_ASSERT(f.vs.stopped == 0 && f.vs.counts.overflow == 0);
      pprt_vox_add(&f.vp, &f.vs, all[v], q, 2, 5, NULL, NULL, 0.0f, f.out);
      CU_ASSERT_EQUAL(f.vs.num_pillars, 2);
      fx_free(&f);
    }
  }
}

/* An earlier sweep: p' = R p + t with R = 90 degrees about z, dt as feature 4; blocks of more than PPRT_VOX_BLOCK. */
static void test_transformed_sweep(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  const size_t n = PPRT_VOX_BLOCK + 37;
  float* pts = malloc(n * 5 * sizeof(float));
  CU_ASSERT_FATAL(pts != NULL);
  for (size_t i = 0; i < n; ++i) put(pts, i, 1.0f + 0.01f * (float)(i % 100), 2.0f, -1.0f, (float)(i % 256));
  const float rot[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1}, tr[3] = {10.0f, -3.0f, 0.5f};
  const float dt = 0.05f;
  for (size_t v = 0; v < nk; ++v) {
    struct fixture f;
    fx_init(&f, 200, 64, 0);
    pprt_vox_begin(&f.vp, &f.vs);
    pprt_vox_add(&f.vp, &f.vs, all[v], pts, n, 5, rot, tr, dt, f.out);
    /* x' = -y + 10 = 8 for every point, y' = x - 3 in [-2, -1.01], z' = -0.5 */
    CU_ASSERT(f.vs.num_pillars >= 4 && f.vs.num_pillars <= 5);
    for (uint32_t p = 0; p < f.vs.num_pillars; ++p) CU_ASSERT_EQUAL(f.vs.coords[2 * p + 1], 232); /* (8+50)/0.25 */
    CU_ASSERT_EQUAL(f.vs.coords[0], 192);                                                          /* (-2+50)/0.25 */
    const int8_t* o = f.out; /* pillar 0 slot 0 = point 0 */
    CU_ASSERT_EQUAL(o[0], quant(8.0f, 0));
    CU_ASSERT_EQUAL(o[1], quant(-2.0f, 1));
    CU_ASSERT_EQUAL(o[2], quant(-0.5f, 2));
    CU_ASSERT_EQUAL(o[3], quant(0.0f, 3));
    CU_ASSERT_EQUAL(o[4], quant(dt, 4));
    CU_ASSERT(o[4] != quant(0.0f, 4));
    CU_ASSERT_EQUAL(f.vs.counts.points_in, n);
    check_invariant(&f);
    fx_free(&f);
  }
  free(pts);
}

static void test_nonfinite(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (size_t v = 0; v < nk; ++v) {
    struct fixture f;
    fx_init(&f, 4, 4, 0);
    float pts[5 * 5];
    put(pts, 0, NAN, 0.0f, 0.0f, 0.0f);
    put(pts, 1, 0.0f, 0.0f, 0.0f, INFINITY);
    put(pts, 2, 0.0f, 0.0f, 3.0f, 0.0f); /* z max excluded */
    put(pts, 3, 0.0f, 0.0f, 0.0f, 0.0f);
    put(pts, 4, 0.0f, -INFINITY, 0.0f, 0.0f);
    pprt_vox_begin(&f.vp, &f.vs);
    pprt_vox_add(&f.vp, &f.vs, all[v], pts, 5, 5, NULL, NULL, 0.0f, f.out);
    CU_ASSERT_EQUAL(f.vs.counts.nonfinite, 3);
    CU_ASSERT_EQUAL(f.vs.counts.out_of_range, 1);
    CU_ASSERT_EQUAL(f.vs.num_pillars, 1);
    check_invariant(&f);
    pprt_vox_add(&f.vp, &f.vs, all[v], pts, 0, 5, NULL, NULL, 0.0f, f.out); /* an empty sweep */
    CU_ASSERT_EQUAL(f.vs.counts.points_in, 5);
    fx_free(&f);
  }
}

/* The two modes at the range boundaries and in the int8 conversion (issue 12), through the stage, every kernel
 * variant, production range and grid, DPU0 input fix point 7 (x, y: q = x * 2.56, z: q = (z + 1) * 32), intensity
 * scaled to q = intensity exactly. mmdet3d 0.6.1 keeps min <= p < max and rounds half up with saturation; VAI-L
 * keeps every point in the grid (so the lower bound too) and converts with std::round (half away from zero) and a
 * plain int8 cast, which wraps at 127.5 (x or y in [49.805, 50), z in [2.984, 3)). */
static void test_modes_boundaries(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  static const struct {
    float p[4];
    int kept;           /* both modes agree on which points are kept */
    int8_t q_def[4], q_vai[4];
  } cases[] = {
      {{-50.0f, -50.0f, -5.0f, 0.0f}, 1, {-128, -128, -128, 0}, {-128, -128, -128, 0}}, /* lower bounds: kept */
      {{50.0f, 0.0f, 0.0f, 0.0f}, 0, {0}, {0}},                                            /* x max: dropped */
      {{0.0f, 50.0f, 0.0f, 0.0f}, 0, {0}, {0}},                                            /* y max */
      {{0.0f, 0.0f, 3.0f, 0.0f}, 0, {0}, {0}},                                             /* z max */
      {{-50.000004f, 0.0f, 0.0f, 0.0f}, 0, {0}, {0}},                                      /* just below x min */
      {{49.9f, -49.9f, 2.99f, 127.5f}, 1, {127, -128, 127, 127}, {-128, -128, -128, -128}}, /* 127.744, 127.68 */
      {{49.8f, 0.0f, 2.98f, -35.5f}, 1, {127, 0, 127, -35}, {127, 0, 127, -36}},        /* 127.488, 127.36; tie */
      {{0.0f, 0.0f, 0.0f, -128.5f}, 1, {0, 0, 32, -128}, {0, 0, 32, 127}},              /* -128.5: -128 / wraps */
      {{0.0f, 0.0f, 0.0f, -0.5f}, 1, {0, 0, 32, 0}, {0, 0, 32, -1}},                    /* -0.5: 0 / -1 */
      {{0.0f, 0.0f, 0.0f, 2.5f}, 1, {0, 0, 32, 3}, {0, 0, 32, 3}},                      /* 2.5: 3 in both */
  };
  const size_t n = sizeof cases / sizeof cases[0];
  float pts[sizeof cases / sizeof cases[0] * 5];
  for (size_t i = 0; i < n; ++i) put(pts, i, cases[i].p[0], cases[i].p[1], cases[i].p[2], cases[i].p[3]);
  for (size_t v = 0; v < nk; ++v) {
    for (int vai = 0; vai < 2; ++vai) {
      struct pprt_model_config cfg;
      struct pprt_err err;
      make_cfg(&cfg, 16, 1);
      cfg.mean[3] = 0.0f;
      cfg.scale[3] = 0.0078125f; /* 2^-7: q = intensity */
      struct fixture f;
      CU_ASSERT_FATAL(pprt_vox_params_init(&f.vp, &cfg, 7, vai, &err) == PPRT_STATUS_OK);
      CU_ASSERT_FATAL(pprt_vox_state_init(&f.vs, &f.vp, &err) == PPRT_STATUS_OK);
      f.row = 5;
      f.out = malloc(16 * f.row);
      CU_ASSERT_FATAL(f.out != NULL);
      /* one point per frame, so every kept point has pillar 0 */
      for (size_t i = 0; i < n; ++i) {
        pprt_vox_begin(&f.vp, &f.vs);
        pprt_vox_add(&f.vp, &f.vs, all[v], pts + 5 * i, 1, 5, NULL, NULL, 0.0f, f.out);
        CU_ASSERT_EQUAL(f.vs.num_pillars, (uint32_t)cases[i].kept);
        if (f.vs.num_pillars != (uint32_t)cases[i].kept)
          printf("\n  %s vai %d case %zu: %u pillars, want %d", all[v]->isa, vai, i, f.vs.num_pillars, cases[i].kept);
        if (!cases[i].kept || f.vs.num_pillars != 1) continue;
        const int8_t* want = vai ? cases[i].q_vai : cases[i].q_def;
        for (int k = 0; k < 4; ++k) {
          if (f.out[k] != want[k])
            printf("\n  %s vai %d case %zu feature %d: %d, want %d", all[v]->isa, vai, i, k, f.out[k], want[k]);
          CU_ASSERT_EQUAL(f.out[k], want[k]);
        }
      }
      fx_free(&f);
    }
  }
}

/* The point filter (docs/PROTOTXT.md): with the Model Zoo prototxt's point_cloud_range (z -3..3) and VAI-L's grid
 * (z -5..3), the default mode filters with the grid's range, what the network was trained with, and --vai-compat with
 * the prototxt's as VAI-L does (min <= p <= max, inclusive), then the grid: a point at z = -4 is kept in the first and
 * dropped in the second (the wrong choice gives a different pillar count). The filter is not the grid's origin: a
 * prototxt x range narrower than the grid drops x = -45 in --vai-compat only, and with z max 2 a point at z = 2 is
 * kept (inclusive) and one just above dropped in --vai-compat, both kept by default. */
static void test_filter_range_modes(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  struct pprt_model_config cfg;
  struct pprt_err err;
  make_cfg(&cfg, 16, 8);
  cfg.point_cloud_range[2] = -3.0f;
  for (size_t v = 0; v < nk; ++v) {
    for (int vai = 0; vai < 2; ++vai) {
      for (int narrow = 0; narrow < 2; ++narrow) {
        struct pprt_model_config c = cfg;
        if (narrow) {
          c.point_cloud_range[0] = -40.0f;
          c.point_cloud_range[5] = 2.0f;
        }
        struct pprt_vox_params vp;
        struct pprt_vox_state vs;
        CU_ASSERT_FATAL(pprt_vox_params_init(&vp, &c, FP, vai, &err) == PPRT_STATUS_OK);
        CU_ASSERT_FATAL(pprt_vox_state_init(&vs, &vp, &err) == PPRT_STATUS_OK);
        CU_ASSERT_EQUAL(vp.range_min[2], -5.0f); /* the grid (cell origin) is the same in both modes */
        CU_ASSERT_EQUAL(vp.range_max[2], 3.0f);
        int8_t out[16 * 8 * 5];
        float pts[6 * 5];
        const float x0 = cell_x(100); /* -24.9: inside the narrow x range too */
        put(pts, 0, x0, cell_x(1), -4.0f, 1.0f);                   /* below the prototxt's z, inside the grid */
        put(pts, 1, x0, cell_x(2), -2.0f, 1.0f);                   /* inside both */
        put(pts, 2, x0, cell_x(3), -5.5f, 1.0f);                   /* below both */
        put(pts, 3, -45.0f, cell_x(4), -2.0f, 1.0f);               /* x below a narrow prototxt x range */
        put(pts, 4, x0, cell_x(5), 2.0f, 1.0f);                    /* on a narrow z max: inclusive */
        put(pts, 5, x0, cell_x(6), nextafterf(2.0f, 3.0f), 1.0f);  /* just above it */
        pprt_vox_begin(&vp, &vs);
        pprt_vox_add(&vp, &vs, all[v], pts, 6, 5, NULL, NULL, 0.0f, out);
        const uint32_t want = !vai ? 5u : narrow ? 2u : 4u; /* default: all but z = -5.5 */
        if (vs.num_pillars != want) printf("\n  %s vai %d narrow %d: %u pillars, want %u", all[v]->isa, vai, narrow, vs.num_pillars, want);
        CU_ASSERT_EQUAL(vs.num_pillars, want);
        CU_ASSERT_EQUAL(vs.counts.out_of_range, 6u - want);
        if (!vai) CU_ASSERT_EQUAL(out[2], quant(-4.0f, 2)); /* the z feature of the kept z = -4 point */
        pprt_vox_state_free(&vs);
      }
    }
  }
}

/* Scatter stage: full clear the first time, then only the previous cells. */
static void test_scatter_stage(void) {
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  const uint32_t H = 4, W = 5, C = 17;
  for (size_t v = 0; v < nk; ++v) {
    struct pprt_scatter_params sp = {H, W, C, 20, 0, PPRT_REQUANT_DPU};
    struct pprt_canvas_state cs;
    struct pprt_err err;
    CU_ASSERT_FATAL(pprt_canvas_state_init(&cs, 8, &err) == PPRT_STATUS_OK);
    int8_t canvas[4 * 5 * 17], feat[3 * 20];
    for (int i = 0; i < 60; ++i) feat[i] = (int8_t)(i + 1);
    memset(canvas, POISON, sizeof canvas);
    const int32_t c1[4] = {1, 2, 3, 4};
    pprt_scatter_run(&sp, &cs, all[v], feat, c1, 2, canvas);
    for (uint32_t cell = 0; cell < H * W; ++cell)
      for (uint32_t c = 0; c < C; ++c) {
        int8_t want = cell == 1 * W + 2 ? feat[c] : cell == 3 * W + 4 ? feat[20 + c] : 0;
        CU_ASSERT_EQUAL(canvas[cell * C + c], want);
      }
    canvas[0] = 99; /* a marker outside the written cells: the next run must not do a full clear */
    const int32_t c2[2] = {0, 4};
    sp.shift = -1;
    pprt_scatter_run(&sp, &cs, all[v], feat + 40, c2, 1, canvas);
    CU_ASSERT_EQUAL(canvas[0], 99);
    for (uint32_t c = 0; c < C; ++c) {
      CU_ASSERT_EQUAL(canvas[(1 * W + 2) * C + c], 0);
      CU_ASSERT_EQUAL(canvas[(3 * W + 4) * C + c], 0);
      CU_ASSERT_EQUAL(canvas[(0 * W + 4) * C + c], (int8_t)((feat[40 + c] + 1) >> 1));
    }
    CU_ASSERT_EQUAL(cs.prev_n, 1);
    pprt_scatter_run(&sp, &cs, all[v], feat, c2, 0, canvas); /* an empty frame clears the last one */
    for (uint32_t c = 0; c < C; ++c) CU_ASSERT_EQUAL(canvas[(0 * W + 4) * C + c], 0);
    pprt_canvas_state_free(&cs);
  }
}

int main(void) {
  static const struct pprt_test_case cases[] = {{"params from the config", test_params},
                                                {"pillar order, slot order, empty slots", test_order_and_slots},
                                                {"65th point dropped", test_slot_overflow},
                                                {"second frame resets only the old cells", test_second_frame},
                                                {"pillar limit, both modes", test_pillar_limit},
                                                {"transformed earlier sweep with dt", test_transformed_sweep},
                                                {"non-finite and out-of-range points", test_nonfinite},
                                                {"filter range: grid (default) vs prototxt (vai)", test_filter_range_modes},
                                                {"range bounds and int8 conversion, both modes", test_modes_boundaries},
                                                {"scatter stage clearing", test_scatter_stage},
                                                {NULL, NULL}};
  return pprt_test_main("voxelize", cases);
}
