/* upsample-fix NEAREST. See pprt/nn.h. */
#include <assert.h>

#include "pprt/nn.h"

void pprt_nn_upsample_nearest_scalar(const int8_t* in, int32_t in_h, int32_t in_w, int32_t c, int32_t scale_h,
                                     int32_t scale_w, int32_t d, int8_t* out) {
  assert(in && out && scale_h > 0 && scale_w > 0);
  const int32_t out_h = in_h * scale_h, out_w = in_w * scale_w;
  for (int32_t y = 0; y < out_h; ++y)
    for (int32_t x = 0; x < out_w; ++x) {
      const int8_t* a = in + ((size_t)(y / scale_h) * in_w + x / scale_w) * c;
      int8_t* o = out + ((size_t)y * out_w + x) * c;
      for (int32_t i = 0; i < c; ++i) o[i] = pprt_nn_rescale_one(a[i], d);
    }
}
