/* pointquant, NEON (AArch64, ARMv8.0): 4 points per iteration. Bit-identical to pointquant-scalar.c: separate
 * multiply and add (vmulq_f32 + vaddq_f32, never vfmaq), true IEEE division (vdivq_f32), floor (vrndmq_f32),
 * clamp before the float -> int conversion. When every voxel size is a power of two (production: 0.25, 0.25, 8)
 * the division is a multiplication by the exact reciprocal (not an estimate), which rounds to the same value.
 * The tail (n % 4 points) is copied into a zero-padded local block and run through the same vector body.
 * Never reads beyond pts[i*stride + 3] of a point. */
#include <arm_neon.h>
#include <assert.h>
#include <math.h>
#include <string.h>

#include "pprt/kernels.h"

struct pq_consts {
  float32x4_t r[9], t[3];
  float32x4_t lo[3], hi[3], size[3], inv[3], gridf[3];
  int32x4_t gx;
  float32x4_t mean[4], qs[4];
  int8x16_t dtrow; /* bytes 4..7 and 12..15: the quantized dt features 4..7 */
};

static inline int8_t quant1(float f, float mean, float qscale) {
  float v = (f - mean) * qscale;
  v = floorf(v + 0.5f);
  if (v < -128.0f) v = -128.0f;
  if (v > 127.0f) v = 127.0f;
  return (int8_t)v;
}

static inline int32x4_t quant4(float32x4_t f, float32x4_t mean, float32x4_t qs) {
  float32x4_t v = vmulq_f32(vsubq_f32(f, mean), qs);
  v = vrndmq_f32(vaddq_f32(v, vdupq_n_f32(0.5f)));
  v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-128.0f)), vdupq_n_f32(127.0f));
  return vcvtq_s32_f32(v);
}

static inline uint32x4_t finite4(float32x4_t v) { return vcltq_f32(vabsq_f32(v), vdupq_n_f32(INFINITY)); }

/* (v - lo) / size. pow2: every voxel size is a power of two whose reciprocal is a normal float, so the
 * multiplication by the exact reciprocal is the same correctly rounded value as the division (the A53's vector
 * fdiv costs ~14 cycles a vector; the production sizes 0.25, 0.25, 8 take this path). */
static inline __attribute__((always_inline)) float32x4_t cellf(float32x4_t v, float32x4_t lo, float32x4_t size,
                                                               float32x4_t inv, int pow2) {
  return vrndmq_f32(pow2 ? vmulq_f32(vsubq_f32(v, lo), inv) : vdivq_f32(vsubq_f32(v, lo), size));
}

static inline __attribute__((always_inline)) void pq4(const struct pq_consts* K, int has_transform, int pow2,
                                                      float32x4_t x, float32x4_t y, float32x4_t z, float32x4_t in,
                                                      int32_t* cell, int8_t* q) {
  uint32x4_t fin = vandq_u32(vandq_u32(finite4(x), finite4(y)), vandq_u32(finite4(z), finite4(in)));
  if (has_transform) {
    float32x4_t tx = vaddq_f32(vaddq_f32(vaddq_f32(vmulq_f32(K->r[0], x), vmulq_f32(K->r[1], y)), vmulq_f32(K->r[2], z)),
                               K->t[0]);
    float32x4_t ty = vaddq_f32(vaddq_f32(vaddq_f32(vmulq_f32(K->r[3], x), vmulq_f32(K->r[4], y)), vmulq_f32(K->r[5], z)),
                               K->t[1]);
    float32x4_t tz = vaddq_f32(vaddq_f32(vaddq_f32(vmulq_f32(K->r[6], x), vmulq_f32(K->r[7], y)), vmulq_f32(K->r[8], z)),
                               K->t[2]);
    x = tx;
    y = ty;
    z = tz;
  }
  uint32x4_t keep = vandq_u32(fin, vandq_u32(vcgtq_f32(x, K->lo[0]), vcltq_f32(x, K->hi[0])));
  keep = vandq_u32(keep, vandq_u32(vcgtq_f32(y, K->lo[1]), vcltq_f32(y, K->hi[1])));
  keep = vandq_u32(keep, vandq_u32(vcgtq_f32(z, K->lo[2]), vcltq_f32(z, K->hi[2])));
  float32x4_t fx = cellf(x, K->lo[0], K->size[0], K->inv[0], pow2);
  float32x4_t fy = cellf(y, K->lo[1], K->size[1], K->inv[1], pow2);
  float32x4_t fz = cellf(z, K->lo[2], K->size[2], K->inv[2], pow2);
  const float32x4_t zero = vdupq_n_f32(0.0f);
  keep = vandq_u32(keep, vandq_u32(vcgeq_f32(fx, zero), vcltq_f32(fx, K->gridf[0])));
  keep = vandq_u32(keep, vandq_u32(vcgeq_f32(fy, zero), vcltq_f32(fy, K->gridf[1])));
  keep = vandq_u32(keep, vandq_u32(vcgeq_f32(fz, zero), vcltq_f32(fz, K->gridf[2])));
  /* Lanes that are not kept may hold NaN or huge values: vcvtq saturates (no UB) and the lane is replaced. */
  int32x4_t c = vaddq_s32(vmulq_s32(vcvtq_s32_f32(fy), K->gx), vcvtq_s32_f32(fx));
  int32x4_t rej = vbslq_s32(fin, vdupq_n_s32(PPRT_PQ_DROPPED), vdupq_n_s32(PPRT_PQ_NONFINITE));
  vst1q_s32(cell, vbslq_s32(keep, c, rej));

  int32x4_t qx = quant4(x, K->mean[0], K->qs[0]);
  int32x4_t qy = quant4(y, K->mean[1], K->qs[1]);
  int32x4_t qz = quant4(z, K->mean[2], K->qs[2]);
  int32x4_t qi = quant4(in, K->mean[3], K->qs[3]);
  int16x8_t xy = vcombine_s16(vmovn_s32(qx), vmovn_s32(qy));
  int16x8_t zi = vcombine_s16(vmovn_s32(qz), vmovn_s32(qi));
  int8x16x2_t tab = {{vcombine_s8(vmovn_s16(xy), vmovn_s16(zi)), K->dtrow}};
  static const uint8_t k_idx[32] = {0, 4, 8,  12, 20, 21, 22, 23, 1, 5, 9,  13, 20, 21, 22, 23,
                                    2, 6, 10, 14, 20, 21, 22, 23, 3, 7, 11, 15, 20, 21, 22, 23};
  vst1q_s8(q, vqtbl2q_s8(tab, vld1q_u8(k_idx)));
  vst1q_s8(q + 16, vqtbl2q_s8(tab, vld1q_u8(k_idx + 16)));
}

static inline __attribute__((always_inline)) void pq_run(const struct pq_consts* K, int tr, int pow2, const float* pts,
                                                         size_t n, size_t stride, int32_t* cell, int8_t* q) {

  size_t i = 0;
  if (stride == 4) {
    for (; i + 4 <= n; i += 4) {
      float32x4x4_t v = vld4q_f32(pts + i * 4);
      pq4(K, tr, pow2, v.val[0], v.val[1], v.val[2], v.val[3], cell + i, q + i * 8);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const float* s = pts + i * stride;
      float32x4_t r0 = vld1q_f32(s), r1 = vld1q_f32(s + stride);
      float32x4_t r2 = vld1q_f32(s + 2 * stride), r3 = vld1q_f32(s + 3 * stride);
      float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(r0, r1)); /* x0 x1 z0 z1 */
      float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(r0, r1)); /* y0 y1 i0 i1 */
      float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(r2, r3)); /* x2 x3 z2 z3 */
      float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(r2, r3)); /* y2 y3 i2 i3 */
      pq4(K, tr, pow2, vreinterpretq_f32_f64(vtrn1q_f64(t0, t2)), vreinterpretq_f32_f64(vtrn1q_f64(t1, t3)),
          vreinterpretq_f32_f64(vtrn2q_f64(t0, t2)), vreinterpretq_f32_f64(vtrn2q_f64(t1, t3)), cell + i, q + i * 8);
    }
  }
  if (i < n) {
    size_t rem = n - i;
    float tmp[16] = {0};
    for (size_t j = 0; j < rem; ++j) memcpy(tmp + 4 * j, pts + (i + j) * stride, 4 * sizeof(float));
    int32_t tc[4];
    int8_t tq[32];
    float32x4x4_t v = vld4q_f32(tmp);
    pq4(K, tr, pow2, v.val[0], v.val[1], v.val[2], v.val[3], tc, tq);
    memcpy(cell + i, tc, rem * sizeof(int32_t));
    memcpy(q + i * 8, tq, rem * 8);
  }
}

void pprt_pointquant_neon(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                          int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)));
  assert(stride >= 4 && p->num_features >= 4 && p->num_features <= PPRT_PQ_MAX_FEATURES);
  struct pq_consts K;
  for (int j = 0; j < 9; ++j) K.r[j] = vdupq_n_f32(p->rot[j]);
  for (int j = 0; j < 3; ++j) {
    K.t[j] = vdupq_n_f32(p->trans[j]);
    K.lo[j] = vdupq_n_f32(p->range_min[j]);
    K.hi[j] = vdupq_n_f32(p->range_max[j]);
    K.size[j] = vdupq_n_f32(p->voxel_size[j]);
    K.inv[j] = vdupq_n_f32(1.0f / p->voxel_size[j]);
    K.gridf[j] = vdupq_n_f32((float)p->grid[j]);
  }
  K.gx = vdupq_n_s32(p->grid[0]);
  for (int j = 0; j < 4; ++j) {
    K.mean[j] = vdupq_n_f32(p->mean[j]);
    K.qs[j] = vdupq_n_f32(p->qscale[j]);
  }
  int8_t row[16] = {0};
  for (uint32_t k = 4; k < PPRT_PQ_MAX_FEATURES; ++k) {
    int8_t d = k < p->num_features ? quant1(p->dt, p->mean[k], p->qscale[k]) : 0;
    row[k] = d;
    row[k + 8] = d;
  }
  K.dtrow = vld1q_s8(row);
  int pow2 = 1;
  for (int j = 0; j < 3; ++j) {
    int e;
    float v = p->voxel_size[j];
    pow2 &= isnormal(v) && isnormal(1.0f / v) && frexpf(v, &e) == 0.5f;
  }
  if (pow2)
    pq_run(&K, p->has_transform, 1, pts, n, stride, cell, q);
  else
    pq_run(&K, p->has_transform, 0, pts, n, stride, cell, q);
}
