/* Every kernel variant built into this binary (pprt_kernels_all(): scalar + AVX2 on x86-64, scalar + NEON on
 * aarch64) against the scalar reference on seeded random inputs with sizes around the vector widths, strides 4/5/7,
 * special values (NaN, +-Inf, -0.0, range and cell boundaries, huge values), every shift and requant mode, class
 * counts 1..32 and thresholds -128..127. Outputs are poison-filled first and checked for writes past n. A few
 * hand-computed values per kernel check the scalar reference itself. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/kernel_select.h"
#include "pprt/kernels.h"
#include "testutil.h"

#define POISON 0x5A

static const size_t k_sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 100, 1000};
#define NUM_SIZES (sizeof k_sizes / sizeof k_sizes[0])

static const struct pprt_kernels* const* variants(size_t* count) {
  const struct pprt_kernels* const* all = pprt_kernels_all(count);
  CU_ASSERT_FATAL(*count >= 1);
  CU_ASSERT_STRING_EQUAL(all[0]->isa, "scalar");
  return all;
}

static void test_variants_listed(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  printf("\n  variants:");
  for (size_t v = 0; v < count; ++v) printf(" %s", all[v]->isa);
  printf("\n");
#if defined(PPRT_HAVE_NEON)
  CU_ASSERT(count == 2 && strcmp(all[1]->isa, "neon") == 0);
#endif
  CU_ASSERT(pprt_kernels() != NULL);
  CU_ASSERT(pprt_kernels_scalar() == all[0]);
}

/* pprt_kernel_sets_choose, the choice of every family (this one and the CPU runner's NN kernels): only usable ISAs
 * are kept, in order; the last is chosen unless PPRT_KERNELS names a kept one. */
static void test_variant_choice(void) {
  const char* saved = getenv("PPRT_KERNELS");
  char saved_copy[64] = "";
  if (saved != NULL) snprintf(saved_copy, sizeof saved_copy, "%s", saved);
  CU_ASSERT(pprt_isa_usable("scalar"));
  CU_ASSERT(!pprt_isa_usable("bogus"));
#if defined(__aarch64__)
  CU_ASSERT(pprt_isa_usable("neon"));
  const char* vec = "neon";
#else
  CU_ASSERT(!pprt_isa_usable("neon"));
  const char* vec = pprt_isa_usable("avx2") ? "avx2" : NULL;
#endif
  size_t keep[3], chosen = 99;
  unsetenv("PPRT_KERNELS");
  const char* one[2] = {"scalar", "bogus"};
  CU_ASSERT_EQUAL(pprt_kernel_sets_choose(one, 2, keep, &chosen), 1);
  CU_ASSERT(keep[0] == 0 && chosen == 0);
  if (vec != NULL) {
    const char* two[3] = {"scalar", "bogus", vec};
    CU_ASSERT_EQUAL(pprt_kernel_sets_choose(two, 3, keep, &chosen), 2);
    CU_ASSERT(keep[0] == 0 && keep[1] == 2 && chosen == 1);
    setenv("PPRT_KERNELS", "scalar", 1);
    CU_ASSERT_EQUAL(pprt_kernel_sets_choose(two, 3, keep, &chosen), 2);
    CU_ASSERT_EQUAL(chosen, 0);
    setenv("PPRT_KERNELS", "bogus", 1); /* not usable: the best */
    CU_ASSERT_EQUAL(pprt_kernel_sets_choose(two, 3, keep, &chosen), 2);
    CU_ASSERT_EQUAL(chosen, 1);
    setenv("PPRT_KERNELS", vec, 1);
    CU_ASSERT_EQUAL(pprt_kernel_sets_choose(two, 3, keep, &chosen), 2);
    CU_ASSERT_EQUAL(chosen, 1);
  }
  if (saved != NULL)
    setenv("PPRT_KERNELS", saved_copy, 1);
  else
    unsetenv("PPRT_KERNELS");
}

/* ================= pointquant ================= */

static void prod_params(struct pprt_pointquant_params* p, int fp) {
  static const float mean[5] = {0.0f, 0.0f, -1.0f, 127.5f, 0.275f};
  static const float scale[5] = {0.02f, 0.02f, 0.25f, 0.0078f, 3.6364f};
  memset(p, 0, sizeof *p);
  for (int j = 0; j < 9; ++j) p->rot[j] = (j % 4 == 0) ? 1.0f : 0.0f;
  p->range_min[0] = -50.0f;
  p->range_min[1] = -50.0f;
  p->range_min[2] = -5.0f;
  p->range_max[0] = 50.0f;
  p->range_max[1] = 50.0f;
  p->range_max[2] = 3.0f;
  memcpy(p->filter_min, p->range_min, sizeof p->filter_min); /* vai_compat's filter: the grid's range (inclusive) */
  memcpy(p->filter_max, p->range_max, sizeof p->filter_max);
  p->voxel_size[0] = 0.25f;
  p->voxel_size[1] = 0.25f;
  p->voxel_size[2] = 8.0f;
  p->grid[0] = 400;
  p->grid[1] = 400;
  p->grid[2] = 1;
  p->num_features = 5;
  for (int k = 0; k < PPRT_PQ_MAX_FEATURES; ++k) {
    p->mean[k] = mean[k < 5 ? k : 4];
    p->qscale[k] = ldexpf(scale[k < 5 ? k : 4], fp);
  }
}

/* A coordinate value for axis j: mostly uniform over a little more than the range, sometimes special. */
static float coord(struct pprt_rng* r, const struct pprt_pointquant_params* p, int j) {
  float lo = p->range_min[j], hi = p->range_max[j], w = hi - lo;
  switch (pprt_rng_u32(r, 27)) {
    case 24: return p->filter_min[j];
    case 25: return p->filter_max[j];
    case 26: return nextafterf(p->filter_max[j], INFINITY);
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -0.0f;
    case 4: return lo;
    case 5: return hi;
    case 6: return lo + p->voxel_size[j] * (float)pprt_rng_u32(r, (uint32_t)p->grid[j] + 2); /* cell edge */
    case 7: return nextafterf(lo + p->voxel_size[j] * (float)pprt_rng_u32(r, (uint32_t)p->grid[j] + 1), -INFINITY);
    case 8: return pprt_rng_u32(r, 2) ? 1e30f : -1e30f;
    case 9: return pprt_rng_u32(r, 2) ? FLT_MAX : -FLT_MAX;
    case 10: return nextafterf(hi, -INFINITY);
    case 11: return nextafterf(lo, INFINITY);
    case 12: return FLT_MIN / 4.0f; /* denormal */
    default: return pprt_rng_uniform(r, lo - 0.1f * w, hi + 0.1f * w);
  }
}

static float intensity(struct pprt_rng* r) {
  switch (pprt_rng_u32(r, 20)) {
    case 0: return NAN;
    case 1: return pprt_rng_u32(r, 2) ? INFINITY : -INFINITY;
    case 2: return -0.0f;
    case 3: return 1e30f;
    case 4: return -1e30f;
    case 5: return (float)pprt_rng_u32(r, 256) + 0.5f; /* ties of the rounding for some scales */
    case 6: return -(float)pprt_rng_u32(r, 256) - 0.5f; /* negative ties: half up vs half away from zero */
    case 7: return ldexpf(pprt_rng_uniform(r, 0.9f, 1.1f), 31 - 8 + (int)pprt_rng_u32(r, 16)) *
                   (pprt_rng_u32(r, 2) ? 1.0f : -1.0f); /* around +-2^31 after most scales: int32 saturation */
    default: return pprt_rng_uniform(r, -20.0f, 280.0f);
  }
}

static void fill_points(struct pprt_rng* r, const struct pprt_pointquant_params* p, float* pts, size_t n,
                        size_t stride) {
  for (size_t i = 0; i < n; ++i) {
    float* s = pts + i * stride;
    for (int j = 0; j < 3; ++j) s[j] = coord(r, p, j);
    s[3] = intensity(r);
    for (size_t e = 4; e < stride; ++e) s[e] = pprt_rng_u32(r, 2) ? NAN : pprt_rng_uniform(r, -1e3f, 1e3f);
  }
}

/* Output buffers of one kernel run and the scalar reference's, poison-filled, n points + a pad. */
struct pq_bufs {
  int32_t *c_ref, *c_got;
  int8_t *q_ref, *q_got;
};
#define PQ_PAD 16

static struct pq_bufs pq_alloc(size_t n) {
  struct pq_bufs b = {malloc((n + PQ_PAD) * sizeof(int32_t)), malloc((n + PQ_PAD) * sizeof(int32_t)),
                      malloc((n + PQ_PAD) * 8), malloc((n + PQ_PAD) * 8)};
  CU_ASSERT_FATAL(b.c_ref && b.c_got && b.q_ref && b.q_got);
  memset(b.c_ref, POISON, (n + PQ_PAD) * sizeof(int32_t));
  memset(b.c_got, POISON, (n + PQ_PAD) * sizeof(int32_t));
  memset(b.q_ref, POISON, (n + PQ_PAD) * 8);
  memset(b.q_got, POISON, (n + PQ_PAD) * 8);
  return b;
}

/* Compares cells, the nf features of kept points and that nothing past n was written; frees the buffers. Returns the
 * number of mismatches. */
static size_t pq_check(struct pq_bufs b, const char* isa, const float* pts, size_t n, size_t stride, uint32_t nf,
                       size_t* kept) {
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    if (b.c_ref[i] != b.c_got[i]) {
      if (bad++ < 5)
        printf("\n  %s: n=%zu stride=%zu point %zu (%a %a %a %a): cell %d, scalar %d", isa, n, stride, i,
               pts[i * stride], pts[i * stride + 1], pts[i * stride + 2], pts[i * stride + 3], b.c_got[i], b.c_ref[i]);
      continue;
    }
    CU_ASSERT(b.c_ref[i] >= 0 || b.c_ref[i] == PPRT_PQ_DROPPED || b.c_ref[i] == PPRT_PQ_NONFINITE);
    if (b.c_ref[i] < 0) continue;
    ++*kept;
    for (uint32_t k = 0; k < nf; ++k) {
      if (b.q_ref[i * 8 + k] != b.q_got[i * 8 + k]) {
        if (bad++ < 5)
          printf("\n  %s: n=%zu point %zu feature %u: %d, scalar %d", isa, n, i, k, b.q_got[i * 8 + k],
                 b.q_ref[i * 8 + k]);
      }
    }
  }
  for (size_t i = n; i < n + PQ_PAD; ++i) bad += b.c_got[i] != b.c_ref[i];
  for (size_t i = n * 8; i < (n + PQ_PAD) * 8; ++i) bad += b.q_got[i] != POISON;
  free(b.c_ref);
  free(b.c_got);
  free(b.q_ref);
  free(b.q_got);
  return bad;
}

/* Runs fn and the scalar reference on the same input and compares them (pq_check). */
static size_t pq_compare(pprt_pointquant_fn fn, const char* isa, const struct pprt_pointquant_params* p,
                         const float* pts, size_t n, size_t stride, size_t* kept) {
  struct pq_bufs b = pq_alloc(n);
  pprt_pointquant_scalar(p, pts, n, stride, b.c_ref, b.q_ref);
  fn(p, pts, n, stride, b.c_got, b.q_got);
  return pq_check(b, isa, pts, n, stride, p->num_features, kept);
}

static void test_pointquant_random(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed() ^ 0x11);
  static const size_t strides[] = {4, 5, 7};
  size_t kept = 0, total = 0, bad = 0;
  for (int round = 0; round < 10; ++round) { /* rounds 8, 9: key sweeps (no transform) with rounds 3 / 6 sizes */
    struct pprt_pointquant_params p;
    prod_params(&p, (int)pprt_rng_u32(&r, 12) - 3);
    p.num_features = 4 + pprt_rng_u32(&r, 5);
    p.dt = round == 0 ? 0.0f : pprt_rng_uniform(&r, -0.1f, 0.7f);
    if (round >= 2 && round < 8) { /* a sweep transform: rotation about z by a random angle, random translation */
      p.has_transform = 1;
      float a = pprt_rng_uniform(&r, -3.2f, 3.2f);
      p.rot[0] = cosf(a);
      p.rot[1] = -sinf(a);
      p.rot[3] = sinf(a);
      p.rot[4] = cosf(a);
      if (round >= 4) /* a general matrix, not a rotation */
        for (int j = 0; j < 9; ++j) p.rot[j] = pprt_rng_uniform(&r, -1.5f, 1.5f);
      for (int j = 0; j < 3; ++j) p.trans[j] = pprt_rng_uniform(&r, -5.0f, 5.0f);
    }
    if (round == 3 || round == 8) { /* odd voxel sizes and a grid smaller than the range (the grid check must drop points) */
      p.voxel_size[0] = 0.3f;
      p.voxel_size[1] = 0.17f;
      p.voxel_size[2] = 2.5f;
      p.grid[0] = 300;
      p.grid[1] = 500;
      p.grid[2] = 3;
    }
    if (round == 6 || round == 7 || round == 9) { /* other power-of-two sizes (the kernels' multiply-by-reciprocal path), one tiny one */
      p.voxel_size[0] = round != 7 ? 0.125f : ldexpf(1.0f, -20);
      p.voxel_size[1] = 0.5f;
      p.voxel_size[2] = 2.0f;
      p.grid[0] = round != 7 ? 800 : 1 << 22; /* gx * gy must fit int32 */
      p.grid[1] = 200;
      p.grid[2] = 4;
    }
    if (round % 3 == 1) { /* vai_compat's filter narrower than the grid on some axes (the Model Zoo's z -3..3) */
      p.filter_min[2] = -3.0f;
      p.filter_max[1] = 20.125f;
      p.filter_min[0] = p.range_min[0] + 3.0f * p.voxel_size[0];
    }
    if (round == 5) { /* saturating scales */
      for (int k = 0; k < PPRT_PQ_MAX_FEATURES; ++k) p.qscale[k] = ldexpf(1.0f, 3);
    }
    for (size_t si = 0; si < 3; ++si) {
      size_t stride = strides[si];
      for (size_t ni = 0; ni < NUM_SIZES; ++ni) {
        size_t n = k_sizes[ni];
        float* pts = malloc((n * stride + 1) * sizeof(float));
        CU_ASSERT_FATAL(pts != NULL);
        fill_points(&r, &p, pts, n, stride);
        for (p.vai_compat = 0; p.vai_compat < 2; ++p.vai_compat) {
          for (size_t v = 0; v < count; ++v) {
            size_t b = pq_compare(all[v]->pointquant, all[v]->isa, &p, pts, n, stride, &kept);
            bad += b;
            total += n;
            CU_ASSERT_EQUAL(b, 0);
          }
        }
        free(pts);
      }
    }
  }
  CU_ASSERT(kept > total / 25); /* the random points do exercise the kept path */
  if (bad) printf("\n  %zu mismatches\n", bad);
}

/* Points on a fine lattice around cell edges and rounding ties: the exact boundaries of every comparison. */
static void test_pointquant_boundaries(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_pointquant_params p;
  prod_params(&p, 6);
  const size_t n = 1200, stride = 5;
  float* pts = calloc(n * stride, sizeof(float));
  CU_ASSERT_FATAL(pts != NULL);
  for (size_t i = 0; i < n; ++i) {
    float base = -50.0f + 0.25f * (float)(i / 3) - 0.25f; /* from just outside to well inside */
    float x = (i % 3 == 0) ? base : (i % 3 == 1) ? nextafterf(base, -INFINITY) : nextafterf(base, INFINITY);
    pts[i * stride + 0] = x;
    pts[i * stride + 1] = -x;
    pts[i * stride + 2] = -5.0f + 8.0f * (float)(i % 7) / 6.0f;
    pts[i * stride + 3] = (float)(i % 256) + ((i & 1) ? 0.5f : -0.5f);
  }
  for (p.vai_compat = 0; p.vai_compat < 2; ++p.vai_compat) {
    for (size_t v = 0; v < count; ++v) {
      size_t kept = 0;
      CU_ASSERT_EQUAL(pq_compare(all[v]->pointquant, all[v]->isa, &p, pts, n, stride, &kept), 0);
      CU_ASSERT(kept > 0);
    }
  }
  free(pts);
}

/* Hand-computed values (every variant, both modes of kernels.h): cell boundaries, the range bounds (mmdet3d 0.6.1:
 * min <= p < max; VAI-L: the grid alone), round half up + saturation (mmdet3d mode) vs round half away from zero +
 * wrap of the AArch64 int32 conversion (VAI-L). */
static void test_pointquant_hand(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_pointquant_params p;
  prod_params(&p, 6);
  p.num_features = 5;
  p.dt = 0.0f;
  for (int k = 0; k < 4; ++k) { /* identity quantization: q = round(f) */
    p.mean[k] = 0.0f;
    p.qscale[k] = 1.0f;
  }
  /* x, y, z, intensity | expected cell | expected q[0..3]: mmdet3d mode, vai_compat */
  static const struct {
    float pt[4];
    int32_t cell;
    int8_t q[4], qv[4];
  } cases[] = {
      {{-49.25f, -50.0f + 0.25f * 7, 0.0f, 0.5f}, 7 * 400 + 3, {-49, -48, 0, 1}, {-49, -48, 0, 1}}, /* on a cell edge */
      {{nextafterf(-49.25f, -INFINITY), -49.0f, 0.0f, -0.5f}, 4 * 400 + 2, {-49, -49, 0, 0}, {-49, -49, 0, -1}},
      {{-50.0f, 0.0f, 0.0f, 0.0f}, 200 * 400 + 0, {-50, 0, 0, 0}, {-50, 0, 0, 0}},       /* min is included */
      {{0.0f, -50.0f, -5.0f, 0.0f}, 0 * 400 + 200, {0, -50, -5, 0}, {0, -50, -5, 0}},      /* y, z min too */
      {{nextafterf(-50.0f, -INFINITY), 0.0f, 0.0f, 0.0f}, PPRT_PQ_DROPPED, {0}, {0}},      /* below min */
      {{50.0f, 0.0f, 0.0f, 0.0f}, PPRT_PQ_DROPPED, {0}, {0}},                              /* max is excluded */
      {{0.0f, 0.0f, 3.0f, 0.0f}, PPRT_PQ_DROPPED, {0}, {0}},                               /* z max excluded */
      {{49.9f, 0.0f, 0.0f, 1.5f}, 200 * 400 + 399, {50, 0, 0, 2}, {50, 0, 0, 2}},          /* last cell, 1.5 -> 2 */
      {{0.0f, 0.0f, 2.99f, -1.5f}, 200 * 400 + 200, {0, 0, 3, -1}, {0, 0, 3, -2}},         /* -1.5 -> -1 / -2 */
      {{0.0f, 0.0f, 0.0f, -35.5f}, 200 * 400 + 200, {0, 0, 0, -35}, {0, 0, 0, -36}},       /* the tie */
      {{-0.0f, -0.0f, -0.0f, 200.0f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, -56}},    /* saturate / wrap */
      {{0.1f, 0.1f, 0.0f, -200.0f}, 200 * 400 + 200, {0, 0, 0, -128}, {0, 0, 0, 56}},
      {{0.0f, 0.0f, 0.0f, 127.5f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, -128}},      /* 127.5 -> 128 */
      {{0.0f, 0.0f, 0.0f, 127.49f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, 127}},
      {{0.0f, 0.0f, 0.0f, -128.5f}, 200 * 400 + 200, {0, 0, 0, -128}, {0, 0, 0, 127}},    /* -> -128 / -129 */
      {{0.0f, 0.0f, 0.0f, 0.49999997f}, 200 * 400 + 200, {0, 0, 0, 1}, {0, 0, 0, 0}},      /* floorf(v + 0.5f) */
      {{0.0f, 0.0f, 0.0f, 2147483520.0f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, -128}}, /* 0x7fffff80 */
      {{0.0f, 0.0f, 0.0f, 2147483648.0f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, -1}},   /* -> INT32_MAX */
      {{0.0f, 0.0f, 0.0f, -3e9f}, 200 * 400 + 200, {0, 0, 0, -128}, {0, 0, 0, 0}},           /* -> INT32_MIN */
      {{0.0f, 0.0f, 0.0f, 1e30f}, 200 * 400 + 200, {0, 0, 0, 127}, {0, 0, 0, -1}},
      {{NAN, 0.0f, 0.0f, 0.0f}, PPRT_PQ_NONFINITE, {0}, {0}},
      {{0.0f, 0.0f, 0.0f, INFINITY}, PPRT_PQ_NONFINITE, {0}, {0}},
      {{1e30f, 0.0f, 0.0f, 0.0f}, PPRT_PQ_DROPPED, {0}, {0}},
  };
  const size_t n = sizeof cases / sizeof cases[0];
  float pts[sizeof cases / sizeof cases[0] * 4];
  for (size_t i = 0; i < n; ++i) memcpy(pts + 4 * i, cases[i].pt, sizeof cases[i].pt);
  /* dt = 0: (0 - 0.275) * 3.6364 * 2^6 = -63.99...: -64 in both modes */
  const int8_t dtq = -64;
  for (p.vai_compat = 0; p.vai_compat < 2; ++p.vai_compat) {
    for (size_t v = 0; v < count; ++v) {
      int32_t cell[sizeof cases / sizeof cases[0]];
      int8_t q[sizeof cases / sizeof cases[0] * 8];
      memset(cell, POISON, sizeof cell);
      memset(q, POISON, sizeof q);
      all[v]->pointquant(&p, pts, n, 4, cell, q);
      for (size_t i = 0; i < n; ++i) {
        if (cell[i] != cases[i].cell)
          printf("\n  %s vai %d case %zu: cell %d, expected %d", all[v]->isa, p.vai_compat, i, cell[i], cases[i].cell);
        CU_ASSERT_EQUAL(cell[i], cases[i].cell);
        if (cases[i].cell < 0) continue;
        const int8_t* want = p.vai_compat ? cases[i].qv : cases[i].q;
        for (int k = 0; k < 4; ++k) {
          if (q[i * 8 + k] != want[k])
            printf("\n  %s vai %d case %zu feature %d: %d, expected %d", all[v]->isa, p.vai_compat, i, k,
                   q[i * 8 + k], want[k]);
          CU_ASSERT_EQUAL(q[i * 8 + k], want[k]);
        }
        CU_ASSERT_EQUAL(q[i * 8 + 4], dtq);
      }
    }
  }
  p.vai_compat = 0;
  /* A transform: rotation by 90 degrees about z plus a translation moves (1, 2, 0) to (-2 + 10, 1 - 3, 0 + 0.5). */
  p.has_transform = 1;
  memset(p.rot, 0, sizeof p.rot);
  p.rot[1] = -1.0f;
  p.rot[3] = 1.0f;
  p.rot[8] = 1.0f;
  p.trans[0] = 10.0f;
  p.trans[1] = -3.0f;
  p.trans[2] = 0.5f;
  const float pt[5] = {1.0f, 2.0f, 0.0f, 3.0f, 9.0f};
  for (size_t v = 0; v < count; ++v) {
    int32_t cell = 0;
    int8_t q[8];
    all[v]->pointquant(&p, pt, 1, 5, &cell, q);
    CU_ASSERT_EQUAL(cell, (int32_t)((-2.0f + 50.0f) / 0.25f) * 400 + (int32_t)((8.0f + 50.0f) / 0.25f));
    CU_ASSERT_EQUAL(q[0], 8);
    CU_ASSERT_EQUAL(q[1], -2);
    CU_ASSERT_EQUAL(q[2], 1); /* 0.5 -> 1 */
    CU_ASSERT_EQUAL(q[3], 3);
  }
}

/* ================= scatter / canvas clear ================= */

static void test_scatter_random(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed() ^ 0x22);
  static const size_t chans[] = {1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100};
  const size_t H = 12, W = 11, cells = H * W;
  int32_t coords[2 * 12 * 11];
  size_t bad = 0;
  for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ++ci) {
    const size_t C = chans[ci];
    for (int shift = -7; shift <= 7; ++shift) {
      for (int mode = 0; mode < 2; ++mode) {
        size_t n = k_sizes[pprt_rng_u32(&r, NUM_SIZES)];
        if (n > cells) n = cells;
        size_t feat_stride = C + pprt_rng_u32(&r, 2) * 5;
        /* distinct random cells (a shuffled list) */
        uint32_t perm[12 * 11];
        for (uint32_t j = 0; j < cells; ++j) perm[j] = j;
        for (uint32_t j = (uint32_t)cells - 1; j > 0; --j) {
          uint32_t k = pprt_rng_u32(&r, j + 1), t = perm[j];
          perm[j] = perm[k];
          perm[k] = t;
        }
        for (size_t i = 0; i < n; ++i) {
          coords[2 * i] = (int32_t)(perm[i] / W);
          coords[2 * i + 1] = (int32_t)(perm[i] % W);
        }
        int8_t* feat = malloc(n * feat_stride + 1);
        int8_t* ref = malloc(cells * C);
        int8_t* got = malloc(cells * C);
        CU_ASSERT_FATAL(feat && ref && got);
        static const int8_t special[] = {-128, -127, -65, -64, -63, -1, 0, 1, 63, 64, 65, 126, 127};
        for (size_t j = 0; j < n * feat_stride; ++j)
          feat[j] = pprt_rng_u32(&r, 4) == 0 ? special[pprt_rng_u32(&r, sizeof special)]
                                             : (int8_t)(uint8_t)pprt_rng_u32(&r, 256);
        memset(ref, POISON, cells * C);
        pprt_scatter_scalar(feat, feat_stride, coords, n, ref, W, C, shift, (enum pprt_requant_mode)mode);
        for (size_t v = 0; v < count; ++v) {
          memset(got, POISON, cells * C);
          all[v]->scatter(feat, feat_stride, coords, n, got, W, C, shift, (enum pprt_requant_mode)mode);
          size_t b = memcmp(ref, got, cells * C) != 0;
          if (b && bad < 5)
            printf("\n  %s scatter C=%zu n=%zu shift=%d mode=%d differs", all[v]->isa, C, n, shift, mode);
          bad += b;
          CU_ASSERT_EQUAL(b, 0);
          /* clear: every written cell back to 0, every other byte untouched */
          all[v]->canvas_clear(got, coords, n, W, C);
          memset(ref, POISON, cells * C);
          for (size_t i = 0; i < n; ++i) memset(ref + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C, 0, C);
          CU_ASSERT_EQUAL(memcmp(ref, got, cells * C), 0);
          memset(ref, POISON, cells * C);
          pprt_scatter_scalar(feat, feat_stride, coords, n, ref, W, C, shift, (enum pprt_requant_mode)mode);
        }
        free(feat);
        free(ref);
        free(got);
      }
    }
  }
}

/* Exhaustive: every int8 value, every shift and mode, against a direct formula (checks the reference too). */
static void test_scatter_exhaustive_values(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  int8_t feat[256], got[256];
  int32_t coords[2] = {0, 0};
  for (int j = 0; j < 256; ++j) feat[j] = (int8_t)(j - 128);
  for (int shift = -7; shift <= 7; ++shift) {
    for (int mode = 0; mode < 2; ++mode) {
      for (size_t v = 0; v < count; ++v) {
        memset(got, POISON, sizeof got);
        all[v]->scatter(feat, 256, coords, 1, got, 1, 256, shift, (enum pprt_requant_mode)mode);
        for (int j = 0; j < 256; ++j) {
          double x = ldexp((double)(j - 128), shift), e;
          if (mode == PPRT_REQUANT_DPU) {
            e = floor(x + 0.5);
            e = e < -128 ? -128 : e > 127 ? 127 : e;
          } else {
            e = trunc(x);
            e = (double)(int8_t)(uint8_t)((int32_t)e & 0xff);
          }
          if (got[j] != (int8_t)e && v == 0)
            printf("\n  %s shift %d mode %d q %d: %d expected %d", all[v]->isa, shift, mode, j - 128, got[j], (int)e);
          CU_ASSERT_EQUAL(got[j], (int8_t)e);
        }
      }
    }
  }
}

static void test_scatter_hand(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  const int8_t feat[8] = {64, -64, -65, 100, 3, -3, 1, -1};
  int32_t coords[2] = {1, 2};
  for (size_t v = 0; v < count; ++v) {
    int8_t canvas[3 * 4 * 8];
    memset(canvas, POISON, sizeof canvas);
    all[v]->scatter(feat, 8, coords, 1, canvas, 4, 8, 1, PPRT_REQUANT_DPU);
    const int8_t e1[8] = {127, -128, -128, 127, 6, -6, 2, -2};
    CU_ASSERT_EQUAL(memcmp(canvas + (1 * 4 + 2) * 8, e1, 8), 0);
    CU_ASSERT_EQUAL(canvas[(1 * 4 + 2) * 8 - 1], POISON);
    CU_ASSERT_EQUAL(canvas[(1 * 4 + 3) * 8], POISON);
    all[v]->scatter(feat, 8, coords, 1, canvas, 4, 8, -1, PPRT_REQUANT_DPU);
    const int8_t e2[8] = {32, -32, -32, 50, 2, -1, 1, 0}; /* round half up: 1.5 -> 2, -1.5 -> -1, -0.5 -> 0 */
    CU_ASSERT_EQUAL(memcmp(canvas + (1 * 4 + 2) * 8, e2, 8), 0);
    all[v]->scatter(feat, 8, coords, 1, canvas, 4, 8, -1, PPRT_REQUANT_TRUNCATE);
    const int8_t e3[8] = {32, -32, -32, 50, 1, -1, 0, 0}; /* toward zero */
    CU_ASSERT_EQUAL(memcmp(canvas + (1 * 4 + 2) * 8, e3, 8), 0);
    all[v]->scatter(feat, 8, coords, 1, canvas, 4, 8, 1, PPRT_REQUANT_TRUNCATE);
    const int8_t e4[8] = {-128, -128, 126, -56, 6, -6, 2, -2}; /* wraps: 128 -> -128, -130 -> 126, 200 -> -56 */
    CU_ASSERT_EQUAL(memcmp(canvas + (1 * 4 + 2) * 8, e4, 8), 0);
    all[v]->canvas_clear(canvas, coords, 1, 4, 8);
    for (int c = 0; c < 8; ++c) CU_ASSERT_EQUAL(canvas[(1 * 4 + 2) * 8 + c], 0);
    CU_ASSERT_EQUAL(canvas[0], POISON);
  }
}

/* ================= threshold scan ================= */

static size_t thr_compare(pprt_threshold_scan_fn fn, const char* isa, const int8_t* cls, size_t A, size_t K,
                          int8_t thr) {
  uint32_t* i_ref = malloc((A + 4) * sizeof(uint32_t));
  uint32_t* i_got = malloc((A + 4) * sizeof(uint32_t));
  int8_t* m_ref = malloc(A + 4);
  int8_t* m_got = malloc(A + 4);
  CU_ASSERT_FATAL(i_ref && i_got && m_ref && m_got);
  memset(i_ref, POISON, (A + 4) * sizeof(uint32_t));
  memset(i_got, POISON, (A + 4) * sizeof(uint32_t));
  memset(m_ref, POISON, A + 4);
  memset(m_got, POISON, A + 4);
  size_t n_ref = pprt_threshold_scan_scalar(cls, A, K, thr, i_ref, m_ref);
  size_t n_got = fn(cls, A, K, thr, i_got, m_got);
  size_t bad = n_ref != n_got || memcmp(i_ref, i_got, (A + 4) * sizeof(uint32_t)) != 0 || memcmp(m_ref, m_got, A + 4) != 0;
  if (bad) printf("\n  %s: A=%zu K=%zu thr=%d: count %zu, scalar %zu", isa, A, K, thr, n_got, n_ref);
  free(i_ref);
  free(i_got);
  free(m_ref);
  free(m_got);
  return bad;
}

static void test_threshold_random(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed() ^ 0x33);
  static const size_t anchors[] = {0, 1, 2, 3, 5, 7, 13, 16, 17, 33, 64, 100, 257, 1000};
  for (size_t K = 1; K <= 32; ++K) {
    for (size_t ai = 0; ai < sizeof anchors / sizeof anchors[0]; ++ai) {
      const size_t A = anchors[ai];
      int8_t* cls = malloc(A * K + 1);
      CU_ASSERT_FATAL(cls != NULL);
      for (int pattern = 0; pattern < 3; ++pattern) {
        int8_t thr = pattern == 0 ? (int8_t)(pprt_rng_u32(&r, 256) - 128) : (int8_t)(pprt_rng_u32(&r, 40) - 20);
        if (ai == 0) thr = K % 2 ? -128 : 127;
        for (size_t j = 0; j < A * K; ++j) {
          if (pattern == 0) { /* dense: anything */
            cls[j] = (int8_t)(uint8_t)pprt_rng_u32(&r, 256);
          } else { /* sparse: mostly <= thr, rare hits (pattern 2: hits exactly at thr + 1 and at row ends) */
            uint32_t u = pprt_rng_u32(&r, pattern == 1 ? 300 : 60);
            int8_t lo = (int8_t)((int)thr - (int)pprt_rng_u32(&r, (uint32_t)(thr + 129)));
            cls[j] = u == 0 ? (int8_t)(thr + 1 + (int)pprt_rng_u32(&r, (uint32_t)(127 - thr))) : (u == 1 ? thr : lo);
          }
        }
        if (pattern == 2 && A * K > 0) cls[A * K - 1] = (int8_t)(thr < 127 ? thr + 1 : thr); /* last byte */
        for (size_t v = 0; v < count; ++v) CU_ASSERT_EQUAL(thr_compare(all[v]->threshold_scan, all[v]->isa, cls, A, K, thr), 0);
      }
      free(cls);
    }
  }
  /* every threshold on one dense and one sparse map, K = 10 (rows straddle every block boundary) */
  const size_t A = 333, K = 10;
  int8_t* cls = malloc(A * K);
  CU_ASSERT_FATAL(cls != NULL);
  for (int thr = -128; thr <= 127; ++thr) {
    for (size_t j = 0; j < A * K; ++j)
      cls[j] = (thr & 1) ? (int8_t)(uint8_t)pprt_rng_u32(&r, 256)
                         : (pprt_rng_u32(&r, 200) == 0 ? 127 : (int8_t)(-128 + (int)pprt_rng_u32(&r, (uint32_t)(thr + 129))));
    for (size_t v = 0; v < count; ++v)
      CU_ASSERT_EQUAL(thr_compare(all[v]->threshold_scan, all[v]->isa, cls, A, K, (int8_t)thr), 0);
  }
  free(cls);
}

static void test_threshold_hand(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  /* 20 anchors x 10 classes, all -100 except: anchor 1 class 9 = 5 (> thr 4), anchor 6 class 0 = 4 (== thr: no),
   * anchor 12 classes 5 and 6 = 30 and 31, anchor 19 class 9 = 127 (last byte). */
  int8_t cls[200];
  memset(cls, -100, sizeof cls);
  cls[1 * 10 + 9] = 5;
  cls[6 * 10 + 0] = 4;
  cls[12 * 10 + 5] = 30;
  cls[12 * 10 + 6] = 31;
  cls[19 * 10 + 9] = 127;
  for (size_t v = 0; v < count; ++v) {
    uint32_t idx[20];
    int8_t mv[20];
    memset(idx, POISON, sizeof idx);
    size_t c = all[v]->threshold_scan(cls, 20, 10, 4, idx, mv);
    CU_ASSERT_EQUAL_FATAL(c, 3);
    CU_ASSERT(idx[0] == 1 && idx[1] == 12 && idx[2] == 19);
    CU_ASSERT(mv[0] == 5 && mv[1] == 31 && mv[2] == 127);
    CU_ASSERT_EQUAL(all[v]->threshold_scan(cls, 20, 10, 127, idx, mv), 0);
    CU_ASSERT_EQUAL(all[v]->threshold_scan(cls, 20, 10, -128, idx, mv), 20);
    CU_ASSERT_EQUAL(all[v]->threshold_scan(cls, 0, 10, -128, idx, mv), 0);
  }
}


/* ================= pointquant_kitti ================= */

/* The Xilinx demo's parameters for a DPU0 input fix point fp (docs/KITTI.md): range [0, 69.12] x [-39.68, 39.68]
 * x [-3, 1], 0.16 m pillars. */
static void kitti_params(struct pprt_pointquant_kitti_params* p, int fp) {
  static const float lo[3] = {0.0f, -39.68f, -3.0f}, hi[3] = {69.12f, 39.68f, 1.0f}, vs[3] = {0.16f, 0.16f, 4.0f};
  memset(p, 0, sizeof *p);
  const int S = 1 << fp;
  for (int j = 0; j < 3; ++j) {
    float len = hi[j] - lo[j];
    p->voxel_size[j] = vs[j];
    p->cell_offset[j] = lo[j] / vs[j];
    p->grid[j] = (int32_t)(len / vs[j]);
    p->qscale[j] = (float)S / len;
    p->qoffset[j] = (float)S * lo[j] / len;
  }
  p->qscale[3] = (float)S;
}

/* Random points: mostly inside the range, some on cell edges (multiples of the voxel size, +-1 ulp), some on
 * quantization ties (values whose scaled feature is k + 0.5), specials (NaN, +-Inf, -0, huge). */
static void kitti_points(struct pprt_rng* r, const struct pprt_pointquant_kitti_params* p, float* pts, size_t n,
                         size_t stride) {
  static const float lo[3] = {-2.0f, -42.0f, -4.0f}, hi[3] = {71.0f, 42.0f, 2.0f};
  for (size_t i = 0; i < n; ++i) {
    float* s = pts + i * stride;
    for (int j = 0; j < 3; ++j) {
      uint32_t kind = pprt_rng_u32(r, 10);
      float v;
      if (kind == 0) {
        v = ((float)(int)pprt_rng_u32(r, 440) - 4.0f) * p->voxel_size[j] + p->cell_offset[j] * p->voxel_size[j];
        int u = (int)pprt_rng_u32(r, 3) - 1;
        if (u) v = nextafterf(v, u > 0 ? INFINITY : -INFINITY);
      } else if (kind == 1) {
        v = (((float)(int)pprt_rng_u32(r, 130) - 1.0f) + 0.5f + p->qoffset[j]) / p->qscale[j];
      } else if (kind == 2 && pprt_rng_u32(r, 20) == 0) {
        static const float sp[6] = {NAN, INFINITY, -INFINITY, -0.0f, 3e38f, -3e38f};
        v = sp[pprt_rng_u32(r, 6)];
      } else {
        v = pprt_rng_uniform(r, lo[j], hi[j]);
      }
      s[j] = v;
    }
    uint32_t kind = pprt_rng_u32(r, 8);
    s[3] = kind == 0 ? ((float)(int)pprt_rng_u32(r, 64) + 0.5f) / p->qscale[3]
         : kind == 1 ? pprt_rng_uniform(r, -3.0f, 3.0f) : pprt_rng_uniform(r, 0.0f, 0.99f);
    for (size_t e = 4; e < stride; ++e) s[e] = NAN; /* never read */
  }
}

static size_t pqk_compare(pprt_pointquant_kitti_fn fn, const char* isa, const struct pprt_pointquant_kitti_params* p,
                          const float* pts, size_t n, size_t stride, size_t* kept) {
  struct pq_bufs b = pq_alloc(n);
  pprt_pointquant_kitti_scalar(p, pts, n, stride, b.c_ref, b.q_ref);
  fn(p, pts, n, stride, b.c_got, b.q_got);
  return pq_check(b, isa, pts, n, stride, 4, kept);
}

static void test_pointquant_kitti_random(void) {
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed() ^ 0x4b);
  static const size_t strides[] = {4, 5, 7};
  size_t kept = 0, total = 0, bad = 0;
  for (int fp = 4; fp <= 7; ++fp) {
    struct pprt_pointquant_kitti_params p;
    kitti_params(&p, fp);
    for (size_t si = 0; si < 3; ++si)
      for (size_t ni = 0; ni < NUM_SIZES; ++ni) {
        const size_t n = k_sizes[ni], stride = strides[si];
        float* pts = malloc((n + 1) * stride * sizeof(float));
        CU_ASSERT_FATAL(pts != NULL);
        kitti_points(&r, &p, pts, n, stride);
        for (size_t v = 1; v < count; ++v) bad += pqk_compare(all[v]->pointquant_kitti, all[v]->isa, &p, pts, n, stride, &kept);
        total += n;
        free(pts);
      }
  }
  printf("\n  %zu points, %zu kept comparisons ", total, kept);
  CU_ASSERT_EQUAL(bad, 0);
}

/* Every variant against values worked out by hand, including the two choices that matter: roundf rounds half away
 * from zero (floorf(v + 0.5f) gives -2 for -2.5, the reference -3) and the cell is floorf(p / size - min / size),
 * not floorf((p - min) / size) (a y where the two differ is searched for and checked). */
static void test_pointquant_kitti_hand(void) {
  struct pprt_pointquant_kitti_params p;
  kitti_params(&p, 6);
  CU_ASSERT(p.grid[0] == 432 && p.grid[1] == 496 && p.grid[2] == 1);
  float pts[6][4] = {{10.0f, 0.0f, -1.0f, 0.5f},
                     {0.0f, -39.68f, -3.0f, 0.0f},
                     {69.12f, 0.0f, 0.0f, 0.0f},
                     {-0.01f, 0.0f, 0.0f, 0.0f},
                     {1.0f, 2.0f, 0.5f, NAN},
                     {0.0f, 0.0f, 0.0f, 0.0f}};
  /* a y where the two cell formulas disagree, found by search */
  float ydiff = 0.0f;
  for (float y = -39.0f; y < 39.0f && ydiff == 0.0f; y = nextafterf(y, 100.0f) + 0.0001f) {
    float a = floorf(y / 0.16f - p.cell_offset[1]), b = floorf((y - (-39.68f)) / 0.16f);
    if (a != b) ydiff = y;
  }
  CU_ASSERT(ydiff != 0.0f);
  pts[5][1] = ydiff;
  size_t count = 0;
  const struct pprt_kernels* const* all = variants(&count);
  for (size_t v = 0; v < count; ++v) {
    int32_t cell[6];
    int8_t q[6 * 8];
    all[v]->pointquant_kitti(&p, &pts[0][0], 6, 4, cell, q);
    /* point 0: x 10 -> floorf(62.5) = 62; y 0 -> floorf(0 - (-248)) = 248 */
    CU_ASSERT_EQUAL(cell[0], 248 * 432 + 62);
    CU_ASSERT_EQUAL(q[0], (int8_t)roundf(10.0f * p.qscale[0] - p.qoffset[0]));
    CU_ASSERT_EQUAL(q[0], 9);                                 /* 10 * 64 / 69.12 = 9.26 */
    CU_ASSERT_EQUAL(q[1], 32);                                /* (0 + 39.68) * 64 / 79.36 = 32 */
    CU_ASSERT_EQUAL(q[2], 32);                                /* (-1 + 3) * 64 / 4 = 32 */
    CU_ASSERT_EQUAL(q[3], 32);                                /* 0.5 * 64 */
    CU_ASSERT_EQUAL(cell[1], 0);                              /* the range's lower corner is cell (0, 0) */
    CU_ASSERT_EQUAL(q[8 + 0], 0);
    CU_ASSERT_EQUAL(cell[2], PPRT_PQ_DROPPED);                /* x = max: cell 432 is outside */
    CU_ASSERT_EQUAL(cell[3], PPRT_PQ_DROPPED);                /* x < 0 */
    CU_ASSERT_EQUAL(cell[4], PPRT_PQ_NONFINITE);
    CU_ASSERT_EQUAL(cell[5], (int32_t)floorf(ydiff / 0.16f - p.cell_offset[1]) * 432);
  }
  /* round half away from zero on a negative tie: x = -2.5 / qscale -> -2.5 -> -3 (floorf(v + 0.5) gives -2) */
  struct pprt_pointquant_kitti_params t = p;
  t.qscale[3] = 1.0f;
  float tie[4] = {1.0f, 0.0f, 0.0f, -2.5f};
  for (size_t v = 0; v < count; ++v) {
    int32_t cell;
    int8_t q[8];
    all[v]->pointquant_kitti(&t, tie, 1, 4, &cell, q);
    CU_ASSERT(cell >= 0);
    CU_ASSERT_EQUAL(q[3], -3);
  }
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"variants listed", test_variants_listed},
      {"variant set choice (PPRT_KERNELS)", test_variant_choice},
      {"pointquant: random vs scalar", test_pointquant_random},
      {"pointquant: cell edges and ties", test_pointquant_boundaries},
      {"pointquant: hand values", test_pointquant_hand},
      {"scatter/clear: random vs scalar", test_scatter_random},
      {"scatter: every value, shift, mode", test_scatter_exhaustive_values},
      {"scatter/clear: hand values", test_scatter_hand},
      {"threshold: random vs scalar", test_threshold_random},
      {"threshold: hand values", test_threshold_hand},
      {"pointquant_kitti: random vs scalar", test_pointquant_kitti_random},
      {"pointquant_kitti: hand values", test_pointquant_kitti_hand},
      {NULL, NULL}};
  return pprt_test_main("kernels", cases);
}
