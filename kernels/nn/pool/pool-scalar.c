/* pool-fix MAX / AVG with the DPU's AVG factor. See pprt/nn.h. */
#include <assert.h>
#include <math.h>

#include "pprt/nn.h"

void pprt_nn_avgpool_factor(int32_t k_h, int32_t k_w, int32_t* mult, int32_t* shift) {
  /* Fixed entries of the DPU (Vitis AI CPU reference get_avgpool_dpu_factors), else the closest m / 2^s. */
  if (k_h == 3 && k_w == 3) { *mult = 7; *shift = 6; return; }
  if (k_h == 5 && k_w == 5) { *mult = 10; *shift = 8; return; }
  if (k_h == 6 && k_w == 6) { *mult = 7; *shift = 8; return; }
  if (k_h == 7 && k_w == 7) { *mult = 21; *shift = 10; return; }
  if (k_h == 14 && k_w == 14) { *mult = 21; *shift = 12; return; }
  const double rec = (double)k_h * k_w;
  const int max_s = (int)ceil(log2(rec * 128.0));
  double diff = 1.0;
  *mult = 0;
  *shift = 0;
  for (int s = 0; s < max_s; ++s) {
    double f = round(ldexp(1.0, s) / rec);
    double d = fabs(f / ldexp(1.0, s) - 1.0 / rec);
    if (d < diff) {
      diff = d;
      *mult = (int32_t)f;
      *shift = s;
    }
  }
}

void pprt_nn_pool_scalar(const struct pprt_nn_pool* p, const int8_t* in, int8_t* out, int32_t y0, int32_t y1) {
  assert(p && in && out && 0 <= y0 && y0 <= y1 && y1 <= p->out_h && p->stride_h > 0 && p->stride_w > 0);
  const int32_t d = p->fp_out - p->fp_in;
  const int32_t s = p->avg_shift - d; /* AVG: sum * mult / 2^s */
  for (int32_t oy = y0; oy < y1; ++oy) {
    int32_t ya = oy * p->stride_h - p->pad_t, yb = ya + p->k_h;
    if (ya < 0) ya = 0;
    if (yb > p->in_h) yb = p->in_h;
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
      int32_t xa = ox * p->stride_w - p->pad_l, xb = xa + p->k_w;
      if (xa < 0) xa = 0;
      if (xb > p->in_w) xb = p->in_w;
      int8_t* o = out + ((size_t)oy * p->out_w + ox) * p->c;
      if (!p->is_avg) { /* window-outer, channel-inner: contiguous (vectorizable) max */
        for (int32_t c0 = 0; c0 < p->c; c0 += 256) {
          const int32_t cn = p->c - c0 < 256 ? p->c - c0 : 256;
          int8_t m[256];
          for (int32_t c = 0; c < cn; ++c) m[c] = -128;
          for (int32_t y = ya; y < yb; ++y)
            for (int32_t x = xa; x < xb; ++x) {
              const int8_t* a = in + ((size_t)y * p->in_w + x) * p->c + c0;
              for (int32_t c = 0; c < cn; ++c) m[c] = a[c] > m[c] ? a[c] : m[c];
            }
          for (int32_t c = 0; c < cn; ++c) o[c0 + c] = d == 0 ? m[c] : pprt_nn_rescale_one(m[c], d);
        }
        continue;
      }
      for (int32_t c = 0; c < p->c; ++c) {
        if (!p->is_avg) {
          int32_t m = -128;
          for (int32_t y = ya; y < yb; ++y)
            for (int32_t x = xa; x < xb; ++x) {
              int32_t v = in[((size_t)y * p->in_w + x) * p->c + c];
              m = v > m ? v : m;
            }
          o[c] = pprt_nn_rescale_one(m, d);
        } else {
          int64_t sum = 0;
          for (int32_t y = ya; y < yb; ++y)
            for (int32_t x = xa; x < xb; ++x) sum += in[((size_t)y * p->in_w + x) * p->c + c];
          int64_t v = sum * p->avg_mult;
          int64_t r = s > 0 ? (v + ((int64_t)1 << (s - 1))) >> s : v * ((int64_t)1 << (-s > 24 ? 24 : -s));
          o[c] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
        }
      }
    }
  }
}
