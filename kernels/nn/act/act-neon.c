/* Activation ops, NEON (nn.h: pprt_nn_act): 16 values a step where input and output fix points agree (d == 0, the
 * usual case); other scales and the tail go to the scalar reference. */
#include <arm_neon.h>

#include "pprt/nn.h"

void pprt_nn_act_neon(const struct pprt_nn_act* a, const int8_t* in, size_t n, int8_t* out) {
  size_t i = 0;
  if (a->d == 0) {
    if (a->nonlinear == PPRT_NN_LEAKYRELU && a->leaky_mult >= 0 && a->leaky_mult <= 256) {
      /* v = x * (x < 0 ? mult : 256) in int16 (|v| <= 32768 - 256), then (v + 128) >> 8 (vrshr: round half up),
       * saturated to int8 */
      const int16x8_t mult = vdupq_n_s16((int16_t)a->leaky_mult), one = vdupq_n_s16(256);
      for (; i + 16 <= n; i += 16) {
        int8x16_t x = vld1q_s8(in + i);
        int16x8_t lo = vmovl_s8(vget_low_s8(x)), hi = vmovl_s8(vget_high_s8(x));
        int16x8_t mlo = vbslq_s16(vcltzq_s16(lo), mult, one), mhi = vbslq_s16(vcltzq_s16(hi), mult, one);
        int16x8_t rlo = vrshrq_n_s16(vmulq_s16(lo, mlo), 8), rhi = vrshrq_n_s16(vmulq_s16(hi, mhi), 8);
        vst1q_s8(out + i, vcombine_s8(vqmovn_s16(rlo), vqmovn_s16(rhi)));
      }
    } else if (a->nonlinear != PPRT_NN_LEAKYRELU) {
      const int8x16_t zero = vdupq_n_s8(0);
      const int8x16_t top = vdupq_n_s8((int8_t)(a->nonlinear == PPRT_NN_RELU6 ? a->relu6_max : 127));
      for (; i + 16 <= n; i += 16) vst1q_s8(out + i, vminq_s8(vmaxq_s8(vld1q_s8(in + i), zero), top));
    }
  }
  pprt_nn_act_scalar(a, in + i, n - i, out + i);
}
