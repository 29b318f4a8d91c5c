/* pointquant_kitti, AVX2 (x86-64): 8 points per iteration, bit-identical to pointquant_kitti-scalar.c: true IEEE
 * division, separate multiply and subtract, floor by _mm256_floor_ps, roundf (half away from zero) as
 * trunc(v) + copysign(1, v) when |v - trunc(v)| >= 0.5 (v - trunc(v) is exact). A point is finite iff v - v == 0
 * for its four values. The tail (n % 8 points) goes through the scalar reference. Reads only pts[i*stride + 0..3]. */
#include <assert.h>
#include <immintrin.h>

#include "pprt/kernels.h"

static inline __m256 round_away(__m256 v, __m256 sign, __m256 half, __m256 one) {
  __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  __m256 d = _mm256_andnot_ps(sign, _mm256_sub_ps(v, t));
  __m256 step = _mm256_and_ps(_mm256_cmp_ps(d, half, _CMP_GE_OQ), _mm256_or_ps(one, _mm256_and_ps(v, sign)));
  return _mm256_add_ps(t, step);
}

void pprt_pointquant_kitti_avx2(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                size_t stride, int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)) && stride >= 4);
  const __m256 sign = _mm256_set1_ps(-0.0f), half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  const __m256 lo8 = _mm256_set1_ps(-128.0f), hi8 = _mm256_set1_ps(127.0f), zero = _mm256_setzero_ps();
  __m256 size[3], off[3], grid[3], qs[4], qo[4];
  for (int j = 0; j < 3; ++j) {
    size[j] = _mm256_set1_ps(p->voxel_size[j]);
    off[j] = _mm256_set1_ps(p->cell_offset[j]);
    grid[j] = _mm256_set1_ps((float)p->grid[j]);
  }
  for (int k = 0; k < 4; ++k) {
    qs[k] = _mm256_set1_ps(p->qscale[k]);
    qo[k] = _mm256_set1_ps(p->qoffset[k]);
  }
  const __m256i gx = _mm256_set1_epi32(p->grid[0]);
  const __m256i dropped = _mm256_set1_epi32(PPRT_PQ_DROPPED), nonfinite = _mm256_set1_epi32(PPRT_PQ_NONFINITE);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    /* rows r0..r7 (x y z i of one point) -> columns v[0..3] (one feature of 8 points) */
    __m128 r[8];
    for (int m = 0; m < 8; ++m) r[m] = _mm_loadu_ps(pts + (i + (size_t)m) * stride);
    _MM_TRANSPOSE4_PS(r[0], r[1], r[2], r[3]);
    _MM_TRANSPOSE4_PS(r[4], r[5], r[6], r[7]);
    __m256 v[4];
    for (int k = 0; k < 4; ++k) v[k] = _mm256_set_m128(r[4 + k], r[k]);
    __m256 e = _mm256_add_ps(_mm256_add_ps(_mm256_sub_ps(v[0], v[0]), _mm256_sub_ps(v[1], v[1])),
                             _mm256_add_ps(_mm256_sub_ps(v[2], v[2]), _mm256_sub_ps(v[3], v[3])));
    __m256 finite = _mm256_cmp_ps(e, zero, _CMP_EQ_OQ);
    __m256 keep = finite, c[3];
    for (int j = 0; j < 3; ++j) {
      c[j] = _mm256_floor_ps(_mm256_sub_ps(_mm256_div_ps(v[j], size[j]), off[j]));
      keep = _mm256_and_ps(keep, _mm256_and_ps(_mm256_cmp_ps(c[j], zero, _CMP_GE_OQ),
                                               _mm256_cmp_ps(c[j], grid[j], _CMP_LT_OQ)));
    }
    /* out-of-grid lanes may hold anything here; they are replaced below */
    __m256 cx = _mm256_and_ps(c[0], keep), cy = _mm256_and_ps(c[1], keep);
    __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_cvttps_epi32(cy), gx), _mm256_cvttps_epi32(cx));
    __m256i ki = _mm256_castps_si256(keep), fi = _mm256_castps_si256(finite);
    idx = _mm256_blendv_epi8(_mm256_blendv_epi8(nonfinite, dropped, fi), idx, ki);
    _mm256_storeu_si256((__m256i*)(cell + i), idx);
    int32_t qv[4][8];
    for (int k = 0; k < 4; ++k) {
      __m256 f = _mm256_and_ps(v[k], finite); /* no NaN into the conversion */
      __m256 t = round_away(_mm256_sub_ps(_mm256_mul_ps(f, qs[k]), qo[k]), sign, half, one);
      t = _mm256_min_ps(_mm256_max_ps(t, lo8), hi8);
      _mm256_storeu_si256((__m256i*)qv[k], _mm256_cvttps_epi32(t));
    }
    for (int m = 0; m < 8; ++m) {
      int8_t* o = q + (i + (size_t)m) * 8;
      o[0] = (int8_t)qv[0][m];
      o[1] = (int8_t)qv[1][m];
      o[2] = (int8_t)qv[2][m];
      o[3] = (int8_t)qv[3][m];
    }
  }
  if (i < n) pprt_pointquant_kitti_scalar(p, pts + i * stride, n - i, stride, cell + i, q + i * 8);
}
