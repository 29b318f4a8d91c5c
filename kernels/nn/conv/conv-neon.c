/* NEON (ARMv8.0, no dot product) packed-GEMM micro-kernels, tile 4 x 4, K in groups of 16 int8:
 * vmull_s8 (8 exact int16 products) then vpadalq_s16 (pairwise add into int32x4). The "neon-mlal" variant folds
 * the second half in with vmlal_s8 (two products per int16 lane): exact only when no weight is -128 (then
 * |a*b + c*d| <= 2 * 128 * 127 = 32512); the runner picks it per convolution after checking the weights. */
#include <arm_neon.h>
#include <assert.h>

#include "pprt/nn.h"

enum { NE_MR = 4, NE_NR = 4, NE_KG = 16 };

static void ne_pack_a(const int8_t* a, size_t lda, int32_t rows, int32_t k0, int32_t kc, int32_t k_end, void* dst) {
  int8_t* d = dst;
  assert(kc % NE_KG == 0);
  for (int32_t g = 0; g < kc; g += NE_KG)
    for (int32_t r = 0; r < NE_MR; ++r)
      for (int32_t i = 0; i < NE_KG; ++i) {
        int32_t k = k0 + g + i;
        *d++ = (r < rows && k < k_end) ? a[(size_t)r * lda + k] : 0;
      }
}

static void ne_pack_b(const int8_t* w, size_t ldw, int32_t cols, int32_t k_len, void* dst) {
  int8_t* d = dst;
  for (int32_t g = 0; g < k_len; g += NE_KG)
    for (int32_t n = 0; n < NE_NR; ++n)
      for (int32_t i = 0; i < NE_KG; ++i) *d++ = (n < cols && g + i < k_len) ? w[(size_t)n * ldw + g + i] : 0;
}

static inline void ne_store(int32x4_t acc[NE_MR][NE_NR], int32_t* c, size_t ldc, int accumulate) {
  for (int r = 0; r < NE_MR; ++r) {
    int32x4_t s = vpaddq_s32(vpaddq_s32(acc[r][0], acc[r][1]), vpaddq_s32(acc[r][2], acc[r][3]));
    if (accumulate) s = vaddq_s32(s, vld1q_s32(c + (size_t)r * ldc));
    vst1q_s32(c + (size_t)r * ldc, s);
  }
}

/* The micro-kernel of both variants; mlal (a constant in each caller, so each gets its own loop): fold the high
 * half into the low half's int16 products with vmlal_s8 (exact only without -128 weights) instead of a second
 * vmull + vpadal. */
static inline __attribute__((always_inline)) void ne_kernel_body(const void* a, const void* b, int32_t kc, int32_t* c,
                                                                 size_t ldc, int accumulate, const int mlal) {
  const int8_t* pa = a;
  const int8_t* pb = b;
  int32x4_t acc[NE_MR][NE_NR];
  for (int r = 0; r < NE_MR; ++r)
    for (int n = 0; n < NE_NR; ++n) acc[r][n] = vdupq_n_s32(0);
  for (int32_t g = 0; g < kc; g += NE_KG, pa += NE_MR * NE_KG, pb += NE_NR * NE_KG) {
    int8x16_t va[NE_MR], vb[NE_NR];
    for (int r = 0; r < NE_MR; ++r) va[r] = vld1q_s8(pa + r * NE_KG);
    for (int n = 0; n < NE_NR; ++n) vb[n] = vld1q_s8(pb + n * NE_KG);
    for (int r = 0; r < NE_MR; ++r)
      for (int n = 0; n < NE_NR; ++n) {
        if (mlal) {
          int16x8_t p = vmull_s8(vget_low_s8(va[r]), vget_low_s8(vb[n]));
          p = vmlal_s8(p, vget_high_s8(va[r]), vget_high_s8(vb[n]));
          acc[r][n] = vpadalq_s16(acc[r][n], p);
        } else {
          acc[r][n] = vpadalq_s16(acc[r][n], vmull_s8(vget_low_s8(va[r]), vget_low_s8(vb[n])));
          acc[r][n] = vpadalq_s16(acc[r][n], vmull_high_s8(va[r], vb[n]));
        }
      }
  }
  ne_store(acc, c, ldc, accumulate);
}

static void ne_kernel(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate) {
  ne_kernel_body(a, b, kc, c, ldc, accumulate, 0);
}

static void ne_kernel_mlal(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate) {
  ne_kernel_body(a, b, kc, c, ldc, accumulate, 1);
}

const struct pprt_nn_gemm_impl pprt_nn_gemm_neon = {"neon", NE_MR, NE_NR, NE_KG, 1, ne_pack_a, ne_pack_b, ne_kernel};
const struct pprt_nn_gemm_impl pprt_nn_gemm_neon_mlal = {"neon-mlal", NE_MR, NE_NR, NE_KG, 1, ne_pack_a, ne_pack_b,
                                                         ne_kernel_mlal};
