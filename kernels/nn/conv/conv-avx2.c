/* AVX2 packed-GEMM micro-kernel: int8 operands widened to int16 once at packing, then _mm256_madd_epi16 (two
 * int16 products summed into int32: |a * b| <= 2^14, so the pair sum never saturates) -- exact for every int8
 * value including -128, unlike _mm256_maddubs_epi16 whose int16 pair sums saturate. Tile 6 rows x 16 columns. */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "pprt/nn.h"

enum { AV_MR = 6, AV_NR = 16 };

static void av_pack_a(const int8_t* a, size_t lda, int32_t rows, int32_t k0, int32_t kc, int32_t k_end, void* dst) {
  int16_t* d = dst;
  assert(kc % 2 == 0);
  for (int32_t r = 0; r < AV_MR; ++r) {
    const int8_t* ar = a + (size_t)r * lda;
    int16_t* dr = d + 2 * r;
    if (r >= rows) {
      for (int32_t kp = 0; kp < kc / 2; ++kp) dr[(size_t)kp * 2 * AV_MR] = dr[(size_t)kp * 2 * AV_MR + 1] = 0;
      continue;
    }
    for (int32_t kp = 0; kp < kc / 2; ++kp) {
      int32_t k = k0 + 2 * kp;
      dr[(size_t)kp * 2 * AV_MR] = k < k_end ? ar[k] : 0;
      dr[(size_t)kp * 2 * AV_MR + 1] = k + 1 < k_end ? ar[k + 1] : 0;
    }
  }
}

static void av_pack_b(const int8_t* w, size_t ldw, int32_t cols, int32_t k_len, void* dst) {
  int16_t* d = dst;
  int32_t kp_n = (k_len + 1) / 2;
  for (int32_t kp = 0; kp < kp_n; ++kp)
    for (int32_t n = 0; n < AV_NR; ++n) {
      int32_t k = 2 * kp;
      *d++ = (n < cols && k < k_len) ? w[(size_t)n * ldw + k] : 0;
      *d++ = (n < cols && k + 1 < k_len) ? w[(size_t)n * ldw + k + 1] : 0;
    }
}

static void av_kernel(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate) {
  const int16_t* pa = a;
  const int16_t* pb = b;
  __m256i c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
  if (accumulate) {
#define LD(r, h) _mm256_loadu_si256((const __m256i*)(c + (size_t)(r) * ldc + 8 * (h)))
    c00 = LD(0, 0); c01 = LD(0, 1); c10 = LD(1, 0); c11 = LD(1, 1); c20 = LD(2, 0); c21 = LD(2, 1);
    c30 = LD(3, 0); c31 = LD(3, 1); c40 = LD(4, 0); c41 = LD(4, 1); c50 = LD(5, 0); c51 = LD(5, 1);
#undef LD
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_si256();
  }
  for (int32_t kp = 0; kp < kc / 2; ++kp, pa += 2 * AV_MR, pb += 2 * AV_NR) {
    const __m256i b0 = _mm256_load_si256((const __m256i*)pb);
    const __m256i b1 = _mm256_load_si256((const __m256i*)(pb + 16));
    int32_t s;
    __m256i x;
#define ROW(r, lo, hi)                                   \
  memcpy(&s, pa + 2 * (r), 4);                           \
  x = _mm256_set1_epi32(s);                              \
  lo = _mm256_add_epi32(lo, _mm256_madd_epi16(x, b0)); \
  hi = _mm256_add_epi32(hi, _mm256_madd_epi16(x, b1));
    ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31) ROW(4, c40, c41) ROW(5, c50, c51)
#undef ROW
  }
#define ST(r, h, v) _mm256_storeu_si256((__m256i*)(c + (size_t)(r) * ldc + 8 * (h)), v)
  ST(0, 0, c00); ST(0, 1, c01); ST(1, 0, c10); ST(1, 1, c11); ST(2, 0, c20); ST(2, 1, c21);
  ST(3, 0, c30); ST(3, 1, c31); ST(4, 0, c40); ST(4, 1, c41); ST(5, 0, c50); ST(5, 1, c51);
#undef ST
}

const struct pprt_nn_gemm_impl pprt_nn_gemm_avx2 = {"avx2", AV_MR, AV_NR, 2, 2, av_pack_a, av_pack_b, av_kernel};
