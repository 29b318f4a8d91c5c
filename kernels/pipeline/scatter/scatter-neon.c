/* scatter + canvas clear, NEON (AArch64): 16 channels per step, the C % 16 tail through a zero-padded 16-byte
 * block. Bit-identical to scatter-scalar.c:
 *   DPU mode, shift > 0: vqshlq_s8 (saturating shift left = sat8(q * 2^s));
 *   DPU mode, shift < 0: vrshlq_s8 by -s (rounding shift right = (q + 2^(s-1)) >> s, computed without overflow);
 *   TRUNCATE, shift > 0: vshlq_s8 (wrapping shift = low byte of q * 2^s);
 *   TRUNCATE, shift < 0: (q + ((q >> 7) & (2^s - 1))) >> s (division by 2^s rounding toward zero). */
#include <arm_neon.h>
#include <assert.h>
#include <string.h>

#include "pprt/kernels.h"

static inline int8x16_t requant16(int8x16_t v, int shift, enum pprt_requant_mode mode, int8x16_t vs, int8x16_t bias) {
  if (mode == PPRT_REQUANT_TRUNCATE) {
    if (shift > 0) return vshlq_s8(v, vs);
    return vshlq_s8(vaddq_s8(v, vandq_s8(vshrq_n_s8(v, 7), bias)), vs);
  }
  if (shift > 0) return vqshlq_s8(v, vs);
  return vrshlq_s8(v, vs);
}

void pprt_scatter_neon(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                       size_t W, size_t C, int shift, enum pprt_requant_mode mode) {
  assert(n == 0 || (feat != NULL && coords != NULL && canvas != NULL));
  assert(shift > -8 && shift < 8);
  const size_t cv = C & ~(size_t)15, ct = C - cv;
  if (shift == 0) {
    for (size_t i = 0; i < n; ++i) {
      const int8_t* src = feat + i * feat_stride;
      int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
      size_t c = 0;
      for (; c + 64 <= C; c += 64) {
        int8x16x4_t v = vld1q_s8_x4(src + c);
        vst1q_s8_x4(dst + c, v);
      }
      for (; c < cv; c += 16) vst1q_s8(dst + c, vld1q_s8(src + c));
      if (ct) memcpy(dst + cv, src + cv, ct);
    }
    return;
  }
  const int8x16_t vs = vdupq_n_s8((int8_t)shift);
  const int8x16_t bias = vdupq_n_s8(shift < 0 ? (int8_t)((1 << -shift) - 1) : 0);
  for (size_t i = 0; i < n; ++i) {
    const int8_t* src = feat + i * feat_stride;
    int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
    for (size_t c = 0; c < cv; c += 16) vst1q_s8(dst + c, requant16(vld1q_s8(src + c), shift, mode, vs, bias));
    if (ct) {
      int8_t tmp[16] = {0};
      memcpy(tmp, src + cv, ct);
      vst1q_s8(tmp, requant16(vld1q_s8(tmp), shift, mode, vs, bias));
      memcpy(dst + cv, tmp, ct);
    }
  }
}

void pprt_canvas_clear_neon(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C) {
  assert(n == 0 || (canvas != NULL && coords != NULL));
  const int8x16_t z = vdupq_n_s8(0);
  const size_t cv = C & ~(size_t)15;
  for (size_t i = 0; i < n; ++i) {
    int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
    for (size_t c = 0; c < cv; c += 16) vst1q_s8(dst + c, z);
    if (C > cv) memset(dst + cv, 0, C - cv);
  }
}
