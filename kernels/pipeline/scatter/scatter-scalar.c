/* scatter + canvas clear, scalar reference: see include/pprt/kernels.h. */
#include <assert.h>
#include <string.h>

#include "pprt/kernels.h"

static inline int8_t requant(int8_t v, int shift, enum pprt_requant_mode mode) {
  int32_t q = v;
  if (mode == PPRT_REQUANT_TRUNCATE) {
    /* VAI-L: float multiply then truncation toward zero, stored without saturation (wraps). */
    int32_t r = shift >= 0 ? q * (1 << shift) : q / (1 << -shift);
    return (int8_t)(uint8_t)(r & 0xff);
  }
  int32_t r;
  if (shift >= 0) {
    r = q * (1 << shift);
  } else {
    int s = -shift;
    r = (q + (1 << (s - 1))) >> s; /* arithmetic shift: floor((q + 2^(s-1)) / 2^s), round half up */
  }
  if (r < -128) r = -128;
  if (r > 127) r = 127;
  return (int8_t)r;
}

void pprt_scatter_scalar(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                         size_t W, size_t C, int shift, enum pprt_requant_mode mode) {
  assert(n == 0 || (feat != NULL && coords != NULL && canvas != NULL));
  assert(shift > -8 && shift < 8);
  for (size_t i = 0; i < n; ++i) {
    const int8_t* src = feat + i * feat_stride;
    int8_t* dst = canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C;
    if (shift == 0) {
      memcpy(dst, src, C);
    } else {
      for (size_t c = 0; c < C; ++c) dst[c] = requant(src[c], shift, mode);
    }
  }
}

void pprt_canvas_clear_scalar(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C) {
  assert(n == 0 || (canvas != NULL && coords != NULL));
  for (size_t i = 0; i < n; ++i) memset(canvas + ((size_t)coords[2 * i] * W + (size_t)coords[2 * i + 1]) * C, 0, C);
}
