/* pointquant, AVX2 (x86-64 dev PCs): 8 points per iteration. Bit-identical to pointquant-scalar.c in both modes:
 * separate multiply and add (no FMA), IEEE division (_mm256_div_ps), _mm256_floor_ps; mmdet3d mode clamps before the
 * conversion, vai_compat rounds half away from zero exactly (truncate, then add +-1 where the exact remainder is at
 * least 0.5), converts with AArch64's saturation (cvttps gives 0x80000000 above 2^31: flipped to 0x7fffffff) and
 * keeps the low byte. When
 * every voxel size is a power of two (production: 0.25, 0.25, 8) the division is a multiplication by the exact
 * reciprocal (not an estimate), which rounds to the same value. The tail (n % 8 points) is copied into a
 * zero-padded local block and run through the same vector body. Never reads beyond pts[i*stride + 3] of a point. */
#include <assert.h>
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "pprt/kernels.h"

struct pq_consts {
  __m256 r[9], t[3];
  __m256 lo[3], hi[3], flo[3], fhi[3], size[3], inv[3], gridf[3];
  __m256i gx;
  __m256 mean[4], qs[4];
  __m256i dtword; /* the quantized dt features 4..7 as one little-endian dword */
};

/* One feature of 8 points as int32: mmdet3d mode clamped to [-128, 127]; vai_compat the low byte (0..255) of the
 * AArch64 conversion of roundf(v). */
static inline __attribute__((always_inline)) __m256i quant8(int vai, __m256 f, __m256 mean, __m256 qs) {
  __m256 v = _mm256_mul_ps(_mm256_sub_ps(f, mean), qs);
  if (vai) {
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), _mm256_sub_ps(v, t)); /* |v - t|, exact */
    const __m256 one = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, _mm256_set1_ps(-0.0f))); /* +-1 as v */
    const __m256 r = _mm256_add_ps(t, _mm256_and_ps(_mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ), one));
    __m256i i = _mm256_cvttps_epi32(r);
    i = _mm256_xor_si256(i, _mm256_castps_si256(_mm256_cmp_ps(r, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ)));
    return _mm256_and_si256(i, _mm256_set1_epi32(0xff));
  }
  v = _mm256_floor_ps(_mm256_add_ps(v, _mm256_set1_ps(0.5f)));
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-128.0f)), _mm256_set1_ps(127.0f));
  return _mm256_cvttps_epi32(v);
}

/* The dt feature (one value per sweep) through the same vector arithmetic. */
static int8_t quant1(int vai, float f, float mean, float qscale) {
  int32_t out[8];
  __m256i v = vai ? quant8(1, _mm256_set1_ps(f), _mm256_set1_ps(mean), _mm256_set1_ps(qscale))
                  : quant8(0, _mm256_set1_ps(f), _mm256_set1_ps(mean), _mm256_set1_ps(qscale));
  _mm256_storeu_si256((__m256i*)out, v);
  return (int8_t)(uint8_t)out[0];
}

static inline __m256 finite8(__m256 v) {
  __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
  return _mm256_cmp_ps(a, _mm256_set1_ps(INFINITY), _CMP_LT_OQ);
}

/* lo <= v < hi (default mode), lo <= v <= hi (vai_compat's filter) */
static inline __m256 inside(__m256 v, __m256 lo, __m256 hi, int incl) {
  /* two calls: the predicate must be an immediate also at -O0 */
  const __m256 below = incl ? _mm256_cmp_ps(v, hi, _CMP_LE_OQ) : _mm256_cmp_ps(v, hi, _CMP_LT_OQ);
  return _mm256_and_ps(_mm256_cmp_ps(v, lo, _CMP_GE_OQ), below);
}

/* (v - lo) / size. pow2: every voxel size is a power of two whose reciprocal is a normal float, so the
 * multiplication by the exact reciprocal is the same correctly rounded value as the division. */
static inline __attribute__((always_inline)) __m256 cellf(__m256 v, __m256 lo, __m256 size, __m256 inv, int pow2) {
  return _mm256_floor_ps(pow2 ? _mm256_mul_ps(_mm256_sub_ps(v, lo), inv) : _mm256_div_ps(_mm256_sub_ps(v, lo), size));
}

static inline __attribute__((always_inline)) void pq8(const struct pq_consts* K, int has_transform, int pow2, int vai,
                                                      __m256 x, __m256 y, __m256 z, __m256 in, int32_t* cell,
                                                      int8_t* q) {
  __m256 fin = _mm256_and_ps(_mm256_and_ps(finite8(x), finite8(y)), _mm256_and_ps(finite8(z), finite8(in)));
  if (has_transform) {
    __m256 tx = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(K->r[0], x), _mm256_mul_ps(K->r[1], y)), _mm256_mul_ps(K->r[2], z)),
        K->t[0]);
    __m256 ty = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(K->r[3], x), _mm256_mul_ps(K->r[4], y)), _mm256_mul_ps(K->r[5], z)),
        K->t[1]);
    __m256 tz = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(K->r[6], x), _mm256_mul_ps(K->r[7], y)), _mm256_mul_ps(K->r[8], z)),
        K->t[2]);
    x = tx;
    y = ty;
    z = tz;
  }
  const __m256* flo = vai ? K->flo : K->lo; /* the point filter of the mode (kernels.h) */
  const __m256* fhi = vai ? K->fhi : K->hi;
  __m256 keep = _mm256_and_ps(fin, inside(x, flo[0], fhi[0], vai));
  keep = _mm256_and_ps(keep, _mm256_and_ps(inside(y, flo[1], fhi[1], vai), inside(z, flo[2], fhi[2], vai)));
  __m256 fx = cellf(x, K->lo[0], K->size[0], K->inv[0], pow2);
  __m256 fy = cellf(y, K->lo[1], K->size[1], K->inv[1], pow2);
  __m256 fz = cellf(z, K->lo[2], K->size[2], K->inv[2], pow2);
  const __m256 zero = _mm256_setzero_ps();
  keep = _mm256_and_ps(keep, _mm256_and_ps(_mm256_cmp_ps(fx, zero, _CMP_GE_OQ), _mm256_cmp_ps(fx, K->gridf[0], _CMP_LT_OQ)));
  keep = _mm256_and_ps(keep, _mm256_and_ps(_mm256_cmp_ps(fy, zero, _CMP_GE_OQ), _mm256_cmp_ps(fy, K->gridf[1], _CMP_LT_OQ)));
  keep = _mm256_and_ps(keep, _mm256_and_ps(_mm256_cmp_ps(fz, zero, _CMP_GE_OQ), _mm256_cmp_ps(fz, K->gridf[2], _CMP_LT_OQ)));
  /* Lanes not kept may hold NaN or huge values: cvttps gives 0x80000000 (no UB) and the lane is replaced. */
  __m256i c = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_cvttps_epi32(fy), K->gx), _mm256_cvttps_epi32(fx));
  __m256i rej = _mm256_blendv_epi8(_mm256_set1_epi32(PPRT_PQ_NONFINITE), _mm256_set1_epi32(PPRT_PQ_DROPPED),
                                   _mm256_castps_si256(fin));
  _mm256_storeu_si256((__m256i*)cell, _mm256_blendv_epi8(rej, c, _mm256_castps_si256(keep)));

  __m256i qx = quant8(vai, x, K->mean[0], K->qs[0]);
  __m256i qy = quant8(vai, y, K->mean[1], K->qs[1]);
  __m256i qz = quant8(vai, z, K->mean[2], K->qs[2]);
  __m256i qi = quant8(vai, in, K->mean[3], K->qs[3]);
  /* per 128-bit lane (points 0-3 | 4-7): bytes x0..x3 y0..y3 z0..z3 i0..i3, then 4x4 byte transpose. The values are
   * in [-128, 127] (signed packs) or [0, 255] (vai_compat: unsigned packs keep the low bytes). */
  __m256i b = vai ? _mm256_packus_epi16(_mm256_packus_epi32(qx, qy), _mm256_packus_epi32(qz, qi))
                  : _mm256_packs_epi16(_mm256_packs_epi32(qx, qy), _mm256_packs_epi32(qz, qi));
  const __m256i tr = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1, 5, 9, 13, 2,
                                      6, 10, 14, 3, 7, 11, 15);
  b = _mm256_shuffle_epi8(b, tr);
  __m256i lo = _mm256_unpacklo_epi32(b, K->dtword); /* p0 d p1 d | p4 d p5 d */
  __m256i hi = _mm256_unpackhi_epi32(b, K->dtword); /* p2 d p3 d | p6 d p7 d */
  _mm256_storeu_si256((__m256i*)q, _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256((__m256i*)(q + 32), _mm256_permute2x128_si256(lo, hi, 0x31));
}

static inline __attribute__((always_inline)) void load8(const float* s, size_t stride, __m256* x, __m256* y, __m256* z, __m256* in) {
  __m256 a0 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s)), _mm_loadu_ps(s + 4 * stride), 1);
  __m256 a1 = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + stride)), _mm_loadu_ps(s + 5 * stride), 1);
  __m256 a2 =
      _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 2 * stride)), _mm_loadu_ps(s + 6 * stride), 1);
  __m256 a3 =
      _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + 3 * stride)), _mm_loadu_ps(s + 7 * stride), 1);
  __m256 t0 = _mm256_unpacklo_ps(a0, a1); /* x0 x1 y0 y1 */
  __m256 t1 = _mm256_unpackhi_ps(a0, a1); /* z0 z1 i0 i1 */
  __m256 t2 = _mm256_unpacklo_ps(a2, a3); /* x2 x3 y2 y3 */
  __m256 t3 = _mm256_unpackhi_ps(a2, a3); /* z2 z3 i2 i3 */
  *x = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  *y = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  *z = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  *in = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
}

static inline __attribute__((always_inline)) void pq_run(const struct pq_consts* K, int tr, int pow2, int vai,
                                                         const float* pts, size_t n, size_t stride, int32_t* cell,
                                                         int8_t* q) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x, y, z, in;
    load8(pts + i * stride, stride, &x, &y, &z, &in);
    pq8(K, tr, pow2, vai, x, y, z, in, cell + i, q + i * 8);
  }
  if (i < n) {
    size_t rem = n - i;
    float tmp[32] = {0};
    for (size_t j = 0; j < rem; ++j) memcpy(tmp + 4 * j, pts + (i + j) * stride, 4 * sizeof(float));
    int32_t tc[8];
    int8_t tq[64];
    __m256 x, y, z, in;
    load8(tmp, 4, &x, &y, &z, &in);
    pq8(K, tr, pow2, vai, x, y, z, in, tc, tq);
    memcpy(cell + i, tc, rem * sizeof(int32_t));
    memcpy(q + i * 8, tq, rem * 8);
  }
}

void pprt_pointquant_avx2(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                          int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)));
  assert(stride >= 4 && p->num_features >= 4 && p->num_features <= PPRT_PQ_MAX_FEATURES);
  struct pq_consts K;
  for (int j = 0; j < 9; ++j) K.r[j] = _mm256_set1_ps(p->rot[j]);
  for (int j = 0; j < 3; ++j) {
    K.t[j] = _mm256_set1_ps(p->trans[j]);
    K.lo[j] = _mm256_set1_ps(p->range_min[j]);
    K.hi[j] = _mm256_set1_ps(p->range_max[j]);
    K.flo[j] = _mm256_set1_ps(p->filter_min[j]);
    K.fhi[j] = _mm256_set1_ps(p->filter_max[j]);
    K.size[j] = _mm256_set1_ps(p->voxel_size[j]);
    K.inv[j] = _mm256_set1_ps(1.0f / p->voxel_size[j]);
    K.gridf[j] = _mm256_set1_ps((float)p->grid[j]);
  }
  K.gx = _mm256_set1_epi32(p->grid[0]);
  for (int j = 0; j < 4; ++j) {
    K.mean[j] = _mm256_set1_ps(p->mean[j]);
    K.qs[j] = _mm256_set1_ps(p->qscale[j]);
  }
  uint32_t word = 0;
  for (uint32_t k = 4; k < PPRT_PQ_MAX_FEATURES; ++k) {
    int8_t d = k < p->num_features ? quant1(p->vai_compat != 0, p->dt, p->mean[k], p->qscale[k]) : 0;
    word |= (uint32_t)(uint8_t)d << (8 * (k - 4));
  }
  K.dtword = _mm256_set1_epi32((int32_t)word);
  int pow2 = 1;
  for (int j = 0; j < 3; ++j) {
    int e;
    float v = p->voxel_size[j];
    pow2 &= isnormal(v) && isnormal(1.0f / v) && frexpf(v, &e) == 0.5f;
  }
  if (p->vai_compat) {
    if (pow2)
      pq_run(&K, p->has_transform, 1, 1, pts, n, stride, cell, q);
    else
      pq_run(&K, p->has_transform, 0, 1, pts, n, stride, cell, q);
  } else {
    if (pow2)
      pq_run(&K, p->has_transform, 1, 0, pts, n, stride, cell, q);
    else
      pq_run(&K, p->has_transform, 0, 0, pts, n, stride, cell, q);
  }
}
