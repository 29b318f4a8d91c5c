/* Rescale-copy of rows: concat-fix (each input into its channel slice), reshape-fix, fix. See pprt/nn.h. */
#include <assert.h>
#include <string.h>

#include "pprt/nn.h"

void pprt_nn_rescale_rows_scalar(const int8_t* in, size_t in_stride, size_t rows, size_t width, int32_t d,
                                 int8_t* out, size_t out_stride, size_t out_off) {
  assert(in && out);
  for (size_t r = 0; r < rows; ++r) {
    const int8_t* a = in + r * in_stride;
    int8_t* o = out + r * out_stride + out_off;
    if (d == 0) {
      memcpy(o, a, width);
      continue;
    }
    for (size_t i = 0; i < width; ++i) o[i] = pprt_nn_rescale_one(a[i], d);
  }
}
