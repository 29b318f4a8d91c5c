/* AVX-512 VNNI packed-GEMM micro-kernel: _mm512_dpbusd_epi32 (u8 x s8, four products summed into each int32 lane).
 * dpbusd wants one unsigned operand, so pack_a stores the activations as u8 = s8 + 128 (a XOR 0x80) and the kernel
 * subtracts 128 * sum(w) per column: sum((a + 128) * w) - 128 * sum(w) = sum(a * w). The correction is accumulated
 * in the kernel by one more dpbusd per k-group against a broadcast 0x80 (= 128) instead of being stored with the
 * packed weights, so the pprt_nn_gemm_impl contract is unchanged (cost: 1 extra dpbusd per 12 rows).
 *
 * Exactness: dpbusd is non-saturating (int32 wrap-around), so every partial sum is exact modulo 2^32 and the final
 * value is exact whenever the true sum(a * w) fits int32. Here even every intermediate fits: with K <= 3*3*384 =
 * 3456 (the largest PointPillars conv), |sum((a + 128) * w)| <= 3456 * 255 * 128 = 112,803,840 < 2^31, and
 * 128 * |sum(w)| <= 3456 * 128 * 128 = 56,623,104. Padding: missing rows / k beyond k_end are packed as 0x80 (s8 0)
 * and B is zero-padded, so padded products vanish after the correction. Tile 12 rows x 32 columns (two zmm). */
#include <assert.h>
#include <immintrin.h>
#include <string.h>

#include "pprt/nn.h"

enum { VN_MR = 12, VN_NR = 32, VN_KA = 4 };

static void vn_pack_a(const int8_t* a, size_t lda, int32_t rows, int32_t k0, int32_t kc, int32_t k_end, void* dst) {
  uint8_t* d = dst;
  assert(kc % VN_KA == 0);
  for (int32_t r = 0; r < VN_MR; ++r) {
    const int8_t* ar = a + (size_t)r * lda;
    for (int32_t kg = 0; kg < kc / VN_KA; ++kg) {
      uint8_t* dr = d + ((size_t)kg * VN_MR + r) * VN_KA;
      int32_t k = k0 + VN_KA * kg;
      if (r < rows && k + VN_KA <= k_end) {
        uint32_t v;
        memcpy(&v, ar + k, 4);
        v ^= 0x80808080u;
        memcpy(dr, &v, 4);
      } else {
        for (int32_t j = 0; j < VN_KA; ++j)
          dr[j] = (uint8_t)(r < rows && k + j < k_end ? (uint8_t)ar[k + j] ^ 0x80u : 0x80u);
      }
    }
  }
}

static void vn_pack_b(const int8_t* w, size_t ldw, int32_t cols, int32_t k_len, void* dst) {
  int8_t* d = dst;
  int32_t kg_n = (k_len + VN_KA - 1) / VN_KA;
  for (int32_t kg = 0; kg < kg_n; ++kg)
    for (int32_t n = 0; n < VN_NR; ++n)
      for (int32_t j = 0; j < VN_KA; ++j) {
        int32_t k = VN_KA * kg + j;
        *d++ = (n < cols && k < k_len) ? w[(size_t)n * ldw + k] : 0;
      }
}

static void vn_kernel(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate) {
  const int32_t* pa = a; /* one int32 = 4 u8 of one row */
  const int8_t* pb = b;
  __m512i acc[VN_MR][2];
  for (int r = 0; r < VN_MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  __m512i corr0 = _mm512_setzero_si512(), corr1 = _mm512_setzero_si512();
  const __m512i k128 = _mm512_set1_epi32((int32_t)0x80808080u);
  for (int32_t kg = 0; kg < kc / VN_KA; ++kg, pa += VN_MR, pb += VN_NR * VN_KA) {
    const __m512i b0 = _mm512_load_si512((const void*)pb);
    const __m512i b1 = _mm512_load_si512((const void*)(pb + 64));
    corr0 = _mm512_dpbusd_epi32(corr0, k128, b0);
    corr1 = _mm512_dpbusd_epi32(corr1, k128, b1);
    for (int r = 0; r < VN_MR; ++r) {
      const __m512i x = _mm512_set1_epi32(pa[r]);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, b0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, b1);
    }
  }
  for (int r = 0; r < VN_MR; ++r) {
    int32_t* cr = c + (size_t)r * ldc;
    __m512i v0 = _mm512_sub_epi32(acc[r][0], corr0), v1 = _mm512_sub_epi32(acc[r][1], corr1);
    if (accumulate) {
      v0 = _mm512_add_epi32(v0, _mm512_loadu_si512((const void*)cr));
      v1 = _mm512_add_epi32(v1, _mm512_loadu_si512((const void*)(cr + 16)));
    }
    _mm512_storeu_si512((void*)cr, v0);
    _mm512_storeu_si512((void*)(cr + 16), v1);
  }
}

const struct pprt_nn_gemm_impl pprt_nn_gemm_avx512vnni = {"avx512vnni", VN_MR, VN_NR, VN_KA, 1,
                                                          vn_pack_a,    vn_pack_b, vn_kernel};
