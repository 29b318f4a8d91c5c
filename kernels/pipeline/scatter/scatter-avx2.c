/* scatter + canvas clear, AVX2 (x86-64): 16 channels per step widened to int16, the C % 16 tail through a
 * zero-padded 16-byte block. Bit-identical to scatter-scalar.c:
 *   DPU mode: shift > 0: q << s in int16 then saturating pack; shift < 0: (q + 2^(s-1)) >> s arithmetic;
 *   TRUNCATE: shift > 0: low byte of q << s; shift < 0: (q + ((q >> 15) & (2^s - 1))) >> s (toward zero). */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "pprt/kernels.h"

static inline __m128i requant16(__m128i v8, int shift, enum pprt_requant_mode mode, __m128i cnt, __m256i add,
                                __m256i bias) {
  __m256i v = _mm256_cvtepi8_epi16(v8);
  if (shift > 0) {
    v = _mm256_sll_epi16(v, cnt);
    if (mode == PPRT_REQUANT_TRUNCATE) v = _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8); /* wrap to int8 */
  } else if (mode == PPRT_REQUANT_TRUNCATE) {
    v = _mm256_sra_epi16(_mm256_add_epi16(v, _mm256_and_si256(_mm256_srai_epi16(v, 15), bias)), cnt);
  } else {
    v = _mm256_sra_epi16(_mm256_add_epi16(v, add), cnt);
  }
  return _mm_packs_epi16(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

void pprt_scatter_avx2(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                       size_t W, size_t C, int shift, enum pprt_requant_mode mode) {
  assert(n == 0 || (feat != NULL && coords != NULL && canvas != NULL));
  assert(shift > -8 && shift < 8);
  if (shift == 0) {
    const size_t cv = C & ~(size_t)31;
    for (size_t i = 0; i < n; ++i) {
      const int8_t* src = feat + i * feat_stride;
      int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
      for (size_t c = 0; c < cv; c += 32)
        _mm256_storeu_si256((__m256i*)(dst + c), _mm256_loadu_si256((const __m256i*)(src + c)));
      if (C > cv) memcpy(dst + cv, src + cv, C - cv);
    }
    return;
  }
  const int s = shift > 0 ? shift : -shift;
  const __m128i cnt = _mm_cvtsi32_si128(s);
  const __m256i add = _mm256_set1_epi16(shift < 0 ? (int16_t)(1 << (s - 1)) : 0);
  const __m256i bias = _mm256_set1_epi16((int16_t)((1 << s) - 1));
  const size_t cv = C & ~(size_t)15, ct = C - cv;
  for (size_t i = 0; i < n; ++i) {
    const int8_t* src = feat + i * feat_stride;
    int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
    for (size_t c = 0; c < cv; c += 16)
      _mm_storeu_si128((__m128i*)(dst + c),
                       requant16(_mm_loadu_si128((const __m128i*)(src + c)), shift, mode, cnt, add, bias));
    if (ct) {
      int8_t tmp[16] = {0};
      memcpy(tmp, src + cv, ct);
      _mm_storeu_si128((__m128i*)tmp, requant16(_mm_loadu_si128((const __m128i*)tmp), shift, mode, cnt, add, bias));
      memcpy(dst + cv, tmp, ct);
    }
  }
}

void pprt_canvas_clear_avx2(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C) {
  assert(n == 0 || (canvas != NULL && coords != NULL));
  const __m256i z = _mm256_setzero_si256();
  const size_t cv = C & ~(size_t)31;
  for (size_t i = 0; i < n; ++i) {
    int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
    for (size_t c = 0; c < cv; c += 32) _mm256_storeu_si256((__m256i*)(dst + c), z);
    if (C > cv) memset(dst + cv, 0, C - cv);
  }
}
