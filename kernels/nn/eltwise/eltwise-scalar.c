/* eltwise-fix ADD. See pprt/nn.h. */
#include <assert.h>

#include "pprt/nn.h"

void pprt_nn_eltwise_add_scalar(const int8_t* const* in, const int32_t* fp_in, int32_t n, size_t len,
                                int32_t fp_out, int32_t nonlinear, int8_t* out) {
  assert(in && fp_in && n > 0 && n <= 16 && out);
  int32_t fp_max = fp_in[0];
  for (int32_t j = 1; j < n; ++j) fp_max = fp_in[j] > fp_max ? fp_in[j] : fp_max;
  const int32_t s = fp_max - fp_out;
  for (size_t i = 0; i < len; ++i) {
    int64_t v = 0;
    for (int32_t j = 0; j < n; ++j) v += (int64_t)in[j][i] * ((int64_t)1 << (fp_max - fp_in[j] > 40 ? 40 : fp_max - fp_in[j]));
    if (nonlinear == PPRT_NN_RELU && v < 0) v = 0;
    int64_t r = s > 0 ? (v + ((int64_t)1 << (s - 1))) >> s : v * ((int64_t)1 << (-s > 16 ? 16 : -s));
    out[i] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
  }
}
