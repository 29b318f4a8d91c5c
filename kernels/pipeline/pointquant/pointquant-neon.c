/* pointquant, NEON (AArch64, ARMv8.0): 4 points per iteration, bit-identical to pointquant-scalar.c (separate
 * multiply and add, never vfmaq; true IEEE division unless every voxel size is a power of two, where the
 * multiplication by the exact reciprocal rounds to the same value). Tuned for the in-order Cortex-A53:
 * - separate loops for the key sweep (no transform) and transformed sweeps, for power-of-two and other voxel
 *   sizes, for stride 4 and any stride: no branch and no constant reload in a loop (the key sweep, with fewer
 *   live registers, runs 8 points per iteration);
 * - multiplier constants (rotation, 1 / voxel size, feature scales, grid[0]) as lanes of 5 registers used by
 *   lane multiplies (vmulq_laneq_f32, vmlaq_laneq_s32), so the loop keeps every constant in a register;
 * - identities that drop work without changing a bit (IEEE, gradual underflow as on AArch64 Linux):
 *   a > b  <=>  a - b > 0 and a >= b  <=>  a - b >= 0 for every float a, b (NaN and infinities included), so the
 *   six range compares (lo <= x < hi) are two compares of minima of x - lo and of hi - x (fmin propagates NaN);
 *   x >= lo makes floorf((x - lo) / size) >= 0 always true; floorf(f) >= 0 <=> f >= 0 and floorf(f) < G <=> f < G
 *   for the integer-valued G (vai_compat's grid-only test); f >= 0 makes (int32_t)floorf(f) the
 *   truncating conversion; sat8(floorf(v)) is the round-toward-minus-infinity saturating conversion (fcvtms)
 *   followed by two saturating narrows (sqxtn);
 * - finiteness: v - v is +0 for a finite v and NaN otherwise; their sum e is 0 exactly when the point is finite,
 *   and e + (x - lo) folds it into the range minimum;
 * - key sweep: the features are quantized on the loaded rows (x, y, z, intensity of one point), so the narrowed
 *   bytes are already point-major; transformed sweeps quantize the transposed vectors and reorder the 16 bytes
 *   with one table lookup. The dt features (bytes 4..7 of each point) are a constant word interleaved by zip.
 * - vai_compat (kernels.h): the inclusive filter as x - flo >= 0 and fhi - x >= 0, folded with the grid test into
 *   one minimum (min(fx + e, fy, fz, x - flo, .., fhi - z) >= 0) and f < G per axis;
 *   features by fcvtas (round half away from zero, saturating to int32: exactly VAI-L's compiled std::round + cast
 *   on the board) and two truncating narrows (xtn) that keep the low byte.
 * The tail (n % 4 points) is copied into a zero-padded local block and run through the same vector body.
 * Never reads beyond pts[i*stride + 3] of a point. */
#include <arm_neon.h>
#include <assert.h>
#include <math.h>
#include <string.h>

#include "pprt/kernels.h"

struct pq_consts {
  float32x4_t ra, rb, rc; /* lanes: R0 R1 R2 R3 | R4 R5 R6 R7 | R8 1/size0 1/size1 1/size2 */
  float32x4_t qsl;        /* lanes: qscale 0..3 */
  int32x4_t gx;           /* lane 0: grid[0] */
  float32x4_t t[3], lo[3], hi[3], flo[3], fhi[3], size[3], gridf[3], mean[4];
  float32x4_t meanrow, half;
  int32x4_t dtword; /* every lane: the dt feature bytes 4..7 of a point */
  uint8x16_t bytes_t; /* [x0..3 y0..3 z0..3 i0..3] -> [x0 y0 z0 i0 x1 ...] */
};

/* mmdet3d mode: floorf(v + 0.5f) as int32, saturated (the later sqxtn saturate it to int8 as the clamp does).
 * vai_compat: roundf(v) (half away from zero) as int32, saturated (fcvtas). */
static inline __attribute__((always_inline)) int32x4_t rnd(int vai, float32x4_t v, float32x4_t half) {
  return vai ? vcvtaq_s32_f32(v) : vcvtmq_s32_f32(vaddq_f32(v, half));
}

/* Four int32 vectors -> 16 bytes a0..a3 b0..b3 c0..c3 d0..d3: saturated (mmdet3d mode) or low bytes (vai_compat). */
static inline __attribute__((always_inline)) int8x16_t narrow4(int vai, int32x4_t a, int32x4_t b, int32x4_t c,
                                                               int32x4_t d) {
  if (vai) {
    int16x8_t ab = vmovn_high_s32(vmovn_s32(a), b), cd = vmovn_high_s32(vmovn_s32(c), d);
    return vmovn_high_s16(vmovn_s16(ab), cd);
  }
  int16x8_t ab = vqmovn_high_s32(vqmovn_s32(a), b), cd = vqmovn_high_s32(vqmovn_s32(c), d);
  return vqmovn_high_s16(vqmovn_s16(ab), cd);
}

/* The dt feature (one value per sweep) through the same vector arithmetic. */
static int8_t quant1(int vai, float f, float mean, float qscale) {
  const float32x4_t v = vmulq_f32(vsubq_f32(vdupq_n_f32(f), vdupq_n_f32(mean)), vdupq_n_f32(qscale));
  const int32x4_t i = vai ? rnd(1, v, vdupq_n_f32(0.5f)) : rnd(0, v, vdupq_n_f32(0.5f));
  return vgetq_lane_s8(vai ? narrow4(1, i, i, i, i) : narrow4(0, i, i, i, i), 0);
}

/* Point-major feature bytes (4 per point) interleaved with the dt word: 8 bytes per point. */
static inline void store_q(const struct pq_consts* K, int8x16_t b, int8_t* q) {
  int32x4_t w = vreinterpretq_s32_s8(b);
  vst1q_s8(q, vreinterpretq_s8_s32(vzip1q_s32(w, K->dtword)));
  vst1q_s8(q + 16, vreinterpretq_s8_s32(vzip2q_s32(w, K->dtword)));
}

/* Cell indices of 4 points at (x, y, z) with e = 0 (finite point) or NaN. */
static inline __attribute__((always_inline)) void cells(const struct pq_consts* K, int pow2, int vai, float32x4_t x,
                                                        float32x4_t y, float32x4_t z, float32x4_t e, int32_t* cell) {
  float32x4_t dx = vsubq_f32(x, K->lo[0]), dy = vsubq_f32(y, K->lo[1]), dz = vsubq_f32(z, K->lo[2]);
  float32x4_t fx, fy, fz;
  if (pow2) {
    fx = vmulq_laneq_f32(dx, K->rc, 1);
    fy = vmulq_laneq_f32(dy, K->rc, 2);
    fz = vmulq_laneq_f32(dz, K->rc, 3);
  } else {
    fx = vdivq_f32(dx, K->size[0]);
    fy = vdivq_f32(dy, K->size[1]);
    fz = vdivq_f32(dz, K->size[2]);
  }
  uint32x4_t keep;
  if (vai) { /* VAI-L's filter flo <= x <= fhi, then the grid test: floorf(f) >= 0 <=> f >= 0 */
    float32x4_t m = vminq_f32(vminq_f32(vsubq_f32(x, K->flo[0]), vsubq_f32(y, K->flo[1])), vsubq_f32(z, K->flo[2]));
    m = vminq_f32(m, vminq_f32(vminq_f32(vsubq_f32(K->fhi[0], x), vsubq_f32(K->fhi[1], y)), vsubq_f32(K->fhi[2], z)));
    keep = vcgezq_f32(vminq_f32(vminq_f32(vaddq_f32(fx, e), fy), vminq_f32(fz, m)));
  } else { /* lo <= x <=> x - lo >= 0 (and then floorf((x - lo) / size) >= 0); x < hi <=> hi - x > 0 */
    float32x4_t ux = vsubq_f32(K->hi[0], x), uy = vsubq_f32(K->hi[1], y), uz = vsubq_f32(K->hi[2], z);
    keep = vandq_u32(vcgezq_f32(vminq_f32(vminq_f32(vaddq_f32(dx, e), dy), dz)),
                     vcgtzq_f32(vminq_f32(vminq_f32(ux, uy), uz)));
  }
  keep = vandq_u32(keep, vcltq_f32(fz, K->gridf[2]));
  keep = vandq_u32(keep, vandq_u32(vcltq_f32(fx, K->gridf[0]), vcltq_f32(fy, K->gridf[1])));
  /* Lanes that are not kept may hold NaN or huge values: vcvtq saturates (no UB) and the lane is replaced. */
  int32x4_t c = vmlaq_laneq_s32(vcvtq_s32_f32(fx), vcvtq_s32_f32(fy), K->gx, 0);
  /* (-1 finite / 0 not) | -2 = PPRT_PQ_DROPPED / PPRT_PQ_NONFINITE */
  int32x4_t rej = vorrq_s32(vreinterpretq_s32_u32(vceqzq_f32(e)), vdupq_n_s32(PPRT_PQ_NONFINITE));
  vst1q_s32(cell, vbslq_s32(keep, c, rej));
}

/* Key sweep: 4 rows (x, y, z, intensity) of 4 points. */
static inline __attribute__((always_inline)) void key4(const struct pq_consts* K, int pow2, int vai, float32x4_t r0,
                                                       float32x4_t r1, float32x4_t r2, float32x4_t r3,
                                                       int32_t* cell, int8_t* q) {
  float32x4_t e = vpaddq_f32(vpaddq_f32(vsubq_f32(r0, r0), vsubq_f32(r1, r1)),
                             vpaddq_f32(vsubq_f32(r2, r2), vsubq_f32(r3, r3)));
  float32x4_t a = vtrn1q_f32(r0, r1), b = vtrn1q_f32(r2, r3); /* x0 x1 z0 z1, x2 x3 z2 z3 */
  float32x4_t c = vtrn2q_f32(r0, r1), d = vtrn2q_f32(r2, r3); /* y0 y1 i0 i1, y2 y3 i2 i3 */
  float32x4_t x = vreinterpretq_f32_f64(vzip1q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
  float32x4_t z = vreinterpretq_f32_f64(vzip2q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
  float32x4_t y = vreinterpretq_f32_f64(vzip1q_f64(vreinterpretq_f64_f32(c), vreinterpretq_f64_f32(d)));
  cells(K, pow2, vai, x, y, z, e, cell);
  int32x4_t q0 = rnd(vai, vmulq_f32(vsubq_f32(r0, K->meanrow), K->qsl), K->half);
  int32x4_t q1 = rnd(vai, vmulq_f32(vsubq_f32(r1, K->meanrow), K->qsl), K->half);
  int32x4_t q2 = rnd(vai, vmulq_f32(vsubq_f32(r2, K->meanrow), K->qsl), K->half);
  int32x4_t q3 = rnd(vai, vmulq_f32(vsubq_f32(r3, K->meanrow), K->qsl), K->half);
  store_q(K, narrow4(vai, q0, q1, q2, q3), q);
}

/* Transformed sweep: x, y, z, intensity of 4 points (transposed). */
static inline __attribute__((always_inline)) void tr4(const struct pq_consts* K, int pow2, int vai, float32x4_t x,
                                                      float32x4_t y, float32x4_t z, float32x4_t in, int32_t* cell,
                                                      int8_t* q) {
  float32x4_t e = vaddq_f32(vaddq_f32(vsubq_f32(x, x), vsubq_f32(y, y)), vaddq_f32(vsubq_f32(z, z), vsubq_f32(in, in)));
  float32x4_t tx = vaddq_f32(
      vaddq_f32(vaddq_f32(vmulq_laneq_f32(x, K->ra, 0), vmulq_laneq_f32(y, K->ra, 1)), vmulq_laneq_f32(z, K->ra, 2)),
      K->t[0]);
  float32x4_t ty = vaddq_f32(
      vaddq_f32(vaddq_f32(vmulq_laneq_f32(x, K->ra, 3), vmulq_laneq_f32(y, K->rb, 0)), vmulq_laneq_f32(z, K->rb, 1)),
      K->t[1]);
  float32x4_t tz = vaddq_f32(
      vaddq_f32(vaddq_f32(vmulq_laneq_f32(x, K->rb, 2), vmulq_laneq_f32(y, K->rb, 3)), vmulq_laneq_f32(z, K->rc, 0)),
      K->t[2]);
  cells(K, pow2, vai, tx, ty, tz, e, cell);
  int32x4_t qx = rnd(vai, vmulq_laneq_f32(vsubq_f32(tx, K->mean[0]), K->qsl, 0), K->half);
  int32x4_t qy = rnd(vai, vmulq_laneq_f32(vsubq_f32(ty, K->mean[1]), K->qsl, 1), K->half);
  int32x4_t qz = rnd(vai, vmulq_laneq_f32(vsubq_f32(tz, K->mean[2]), K->qsl, 2), K->half);
  int32x4_t qi = rnd(vai, vmulq_laneq_f32(vsubq_f32(in, K->mean[3]), K->qsl, 3), K->half);
  store_q(K, vqtbl1q_s8(narrow4(vai, qx, qy, qz, qi), K->bytes_t), q);
}

static inline __attribute__((always_inline)) void tr4_rows(const struct pq_consts* K, int pow2, int vai, float32x4_t r0,
                                                           float32x4_t r1, float32x4_t r2, float32x4_t r3,
                                                           int32_t* cell, int8_t* q) {
  float64x2_t a = vreinterpretq_f64_f32(vtrn1q_f32(r0, r1)); /* x0 x1 z0 z1 */
  float64x2_t c = vreinterpretq_f64_f32(vtrn2q_f32(r0, r1)); /* y0 y1 i0 i1 */
  float64x2_t b = vreinterpretq_f64_f32(vtrn1q_f32(r2, r3)); /* x2 x3 z2 z3 */
  float64x2_t d = vreinterpretq_f64_f32(vtrn2q_f32(r2, r3)); /* y2 y3 i2 i3 */
  tr4(K, pow2, vai, vreinterpretq_f32_f64(vzip1q_f64(a, b)), vreinterpretq_f32_f64(vzip1q_f64(c, d)),
      vreinterpretq_f32_f64(vzip2q_f64(a, b)), vreinterpretq_f32_f64(vzip2q_f64(c, d)), cell, q);
}

/* One block of 4 points for one (transform, pow2, stride 4 or not) case. */
static inline __attribute__((always_inline)) void pq_block(const struct pq_consts* K, int tr, int pow2, int vai, int s4,
                                                           const float* s, size_t stride, int32_t* cell, int8_t* q) {
  if (tr && s4) {
    float32x4x4_t v = vld4q_f32(s);
    tr4(K, pow2, vai, v.val[0], v.val[1], v.val[2], v.val[3], cell, q);
  } else {
    float32x4_t r0 = vld1q_f32(s), r1 = vld1q_f32(s + stride);
    float32x4_t r2 = vld1q_f32(s + 2 * stride), r3 = vld1q_f32(s + 3 * stride);
    if (tr)
      tr4_rows(K, pow2, vai, r0, r1, r2, r3, cell, q);
    else
      key4(K, pow2, vai, r0, r1, r2, r3, cell, q);
  }
}

/* The main loop over whole blocks of 4 points; returns the number of points done. The key sweep (few live
 * registers) runs 2 blocks per iteration, which the in-order A53 overlaps; transformed sweeps run one (two would
 * spill). */
static inline __attribute__((always_inline)) size_t pq_loop(const struct pq_consts* K, int tr, int pow2, int vai, int s4,
                                                            const float* pts, size_t n, size_t stride, int32_t* cell,
                                                            int8_t* q) {
  if (s4) stride = 4;
  struct pq_consts k = *K; /* a local copy: the int8_t stores cannot alias it, so it stays in registers */
  size_t i = 0;
  if (!tr)
    for (; i + 8 <= n; i += 8) {
      pq_block(&k, 0, pow2, vai, s4, pts + i * stride, stride, cell + i, q + i * 8);
      pq_block(&k, 0, pow2, vai, s4, pts + (i + 4) * stride, stride, cell + i + 4, q + (i + 4) * 8);
    }
  for (; i + 4 <= n; i += 4) {
    /* GCC would hoist the lane broadcasts of the multiplier packs out of the loop (a register each, spilled): an
     * empty asm makes the packs opaque per iteration so the multiplies stay lane multiplies. */
    if (tr) __asm__("" : "+w"(k.ra), "+w"(k.rb), "+w"(k.rc), "+w"(k.qsl), "+w"(k.gx));
    pq_block(&k, tr, pow2, vai, s4, pts + i * stride, stride, cell + i, q + i * 8);
  }
  return i;
}

/* One noinline loop per (transform, power-of-two sizes, mode): no branch inside, constants kept in registers. */
#define PQ_VARIANT(name, tr, pow2, vai)                                                                             \
  static __attribute__((noinline)) size_t name(const struct pq_consts* K, const float* p, size_t n, size_t st,      \
                                               int32_t* c, int8_t* q) {                                             \
    return st == 4 ? pq_loop(K, tr, pow2, vai, 1, p, n, 4, c, q) : pq_loop(K, tr, pow2, vai, 0, p, n, st, c, q);    \
  }
PQ_VARIANT(pq_key_pow2, 0, 1, 0)
PQ_VARIANT(pq_tr_pow2, 1, 1, 0)
PQ_VARIANT(pq_key_div, 0, 0, 0)
PQ_VARIANT(pq_tr_div, 1, 0, 0)
PQ_VARIANT(pq_key_pow2_vai, 0, 1, 1)
PQ_VARIANT(pq_tr_pow2_vai, 1, 1, 1)
PQ_VARIANT(pq_key_div_vai, 0, 0, 1)
PQ_VARIANT(pq_tr_div_vai, 1, 0, 1)
#undef PQ_VARIANT

typedef size_t (*pq_loop_fn)(const struct pq_consts*, const float*, size_t, size_t, int32_t*, int8_t*);

void pprt_pointquant_neon(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                          int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)));
  assert(stride >= 4 && p->num_features >= 4 && p->num_features <= PPRT_PQ_MAX_FEATURES);
  struct pq_consts K;
  const float* R = p->rot;
  const float rc[4] = {R[8], 1.0f / p->voxel_size[0], 1.0f / p->voxel_size[1], 1.0f / p->voxel_size[2]};
  K.ra = vld1q_f32(R);
  K.rb = vld1q_f32(R + 4);
  K.rc = vld1q_f32(rc);
  K.qsl = vld1q_f32(p->qscale);
  K.gx = vdupq_n_s32(p->grid[0]);
  for (int j = 0; j < 3; ++j) {
    K.t[j] = vdupq_n_f32(p->trans[j]);
    K.lo[j] = vdupq_n_f32(p->range_min[j]);
    K.hi[j] = vdupq_n_f32(p->range_max[j]);
    K.flo[j] = vdupq_n_f32(p->filter_min[j]);
    K.fhi[j] = vdupq_n_f32(p->filter_max[j]);
    K.size[j] = vdupq_n_f32(p->voxel_size[j]);
    K.gridf[j] = vdupq_n_f32((float)p->grid[j]);
  }
  for (int j = 0; j < 4; ++j) K.mean[j] = vdupq_n_f32(p->mean[j]);
  K.meanrow = vld1q_f32(p->mean);
  K.half = vdupq_n_f32(0.5f);
  int8_t dt[4] = {0};
  for (uint32_t k = 4; k < p->num_features; ++k) dt[k - 4] = quant1(p->vai_compat != 0, p->dt, p->mean[k], p->qscale[k]);
  int32_t dtw;
  memcpy(&dtw, dt, sizeof dtw);
  K.dtword = vdupq_n_s32(dtw);
  static const uint8_t k_bytes_t[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
  K.bytes_t = vld1q_u8(k_bytes_t);
  int pow2 = 1;
  for (int j = 0; j < 3; ++j) {
    int e;
    float v = p->voxel_size[j];
    pow2 &= isnormal(v) && isnormal(1.0f / v) && frexpf(v, &e) == 0.5f;
  }
  static const pq_loop_fn loops[2][2][2] = {{{pq_key_div, pq_key_pow2}, {pq_tr_div, pq_tr_pow2}},
                                             {{pq_key_div_vai, pq_key_pow2_vai}, {pq_tr_div_vai, pq_tr_pow2_vai}}};
  const int vai = p->vai_compat != 0;
  size_t i = loops[vai][p->has_transform != 0][pow2](&K, pts, n, stride, cell, q);
  if (i < n) {
    size_t rem = n - i;
    float tmp[16] = {0};
    for (size_t j = 0; j < rem; ++j) memcpy(tmp + 4 * j, pts + (i + j) * stride, 4 * sizeof(float));
    int32_t tc[4];
    int8_t tq[32];
    float32x4_t r0 = vld1q_f32(tmp), r1 = vld1q_f32(tmp + 4), r2 = vld1q_f32(tmp + 8), r3 = vld1q_f32(tmp + 12);
    if (p->has_transform)
      tr4_rows(&K, pow2, vai, r0, r1, r2, r3, tc, tq);
    else
      key4(&K, pow2, vai, r0, r1, r2, r3, tc, tq);
    memcpy(cell + i, tc, rem * sizeof(int32_t));
    memcpy(q + i * 8, tq, rem * 8);
  }
}
