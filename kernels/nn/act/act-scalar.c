/* Activation ops (relu, relu6, leaky-relu) of the CPU runner, scalar reference (nn.h: pprt_nn_act). */
#include "pprt/nn.h"

void pprt_nn_act_scalar(const struct pprt_nn_act* a, const int8_t* in, size_t n, int8_t* out) {
  const int32_t d = a->d;
  for (size_t i = 0; i < n; ++i) {
    int32_t x = in[i];
    if (a->nonlinear == PPRT_NN_LEAKYRELU) {
      /* x * alpha in units of 2^-(fp_in + 8), rescaled to fp_out, round half up, saturated */
      int64_t v = x < 0 ? (int64_t)x * a->leaky_mult : (int64_t)x * 256;
      int32_t s = 8 - d;
      int64_t r = s > 0 ? (v + ((int64_t)1 << (s - 1))) >> s : v * ((int64_t)1 << (-s < 16 ? -s : 16));
      out[i] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
    } else {
      int8_t r = pprt_nn_rescale_one(x > 0 ? x : 0, d);
      if (a->nonlinear == PPRT_NN_RELU6 && r > a->relu6_max) r = (int8_t)a->relu6_max;
      out[i] = r;
    }
  }
}
