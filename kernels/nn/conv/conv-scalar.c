/* Direct int8 convolutions (normal, depthwise, transposed) and the scalar packed-GEMM variant. See pprt/nn.h. */
#include <assert.h>
#include <string.h>

#include "pprt/nn.h"

/* One kernel tap of one output channel: sum over c of in[iy][ix][c] * wo[ky][kx][c] (wo: that channel's weights). */
static int32_t tap(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* wo, int32_t iy, int32_t ix,
                   int32_t ky, int32_t kx) {
  const int8_t* a = in + ((size_t)iy * p->in_w + ix) * p->in_c;
  const int8_t* b = wo + ((size_t)ky * p->k_w + kx) * p->in_c;
  int32_t s = 0;
  for (int32_t c = 0; c < p->in_c; ++c) s += (int32_t)a[c] * b[c];
  return s;
}

/* Normal and depthwise: input position o * stride - pad + k * dil; a depthwise channel sees only its own input
 * channel (weights [kh][kw][c]). */
static void conv_pixel_direct(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* w,
                              const struct pprt_nn_requant* q, int8_t* o, int32_t oy, int32_t ox) {
  const int depthwise = p->kind == PPRT_NN_DEPTHWISE;
  for (int32_t oc = 0; oc < p->out_c; ++oc) {
    int64_t acc = 0;
    const int8_t* wo = depthwise ? w : w + (size_t)oc * p->k_h * p->k_w * p->in_c; /* depthwise: indexed by oc */
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
      int32_t iy = oy * p->stride_h - p->pad_t + ky * p->dil_h;
      if (iy < 0 || iy >= p->in_h) continue;
      for (int32_t kx = 0; kx < p->k_w; ++kx) {
        int32_t ix = ox * p->stride_w - p->pad_l + kx * p->dil_w;
        if (ix < 0 || ix >= p->in_w) continue;
        if (depthwise)
          acc += (int32_t)in[((size_t)iy * p->in_w + ix) * p->in_c + oc] * w[((size_t)ky * p->k_w + kx) * p->in_c + oc];
        else
          acc += tap(p, in, wo, iy, ix, ky, kx);
      }
    }
    o[oc] = pprt_nn_requant_one(q, acc, oc);
  }
}

/* Transposed: position y + ky*dil - (Kd - 1 - pad_t) of the stride-dilated input; a real input where divisible. */
static void conv_pixel_transposed(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* w,
                                  const struct pprt_nn_requant* q, int8_t* o, int32_t oy, int32_t ox) {
  const int32_t off_h = (p->k_h - 1) * p->dil_h - p->pad_t;
  const int32_t off_w = (p->k_w - 1) * p->dil_w - p->pad_l;
  for (int32_t oc = 0; oc < p->out_c; ++oc) {
    int64_t acc = 0;
    const int8_t* wo = w + (size_t)oc * p->k_h * p->k_w * p->in_c;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
      int32_t dy = oy + ky * p->dil_h - off_h;
      if (dy < 0 || dy % p->stride_h) continue;
      int32_t iy = dy / p->stride_h;
      if (iy >= p->in_h) continue;
      for (int32_t kx = 0; kx < p->k_w; ++kx) {
        int32_t dx = ox + kx * p->dil_w - off_w;
        if (dx < 0 || dx % p->stride_w) continue;
        int32_t ix = dx / p->stride_w;
        if (ix >= p->in_w) continue;
        acc += tap(p, in, wo, iy, ix, ky, kx);
      }
    }
    o[oc] = pprt_nn_requant_one(q, acc, oc);
  }
}

void pprt_nn_conv_scalar(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* w,
                         const struct pprt_nn_requant* q, int8_t* out, int32_t y0, int32_t y1) {
  assert(p && in && w && q && out && 0 <= y0 && y0 <= y1 && y1 <= p->out_h);
  assert(p->stride_h > 0 && p->stride_w > 0 && p->dil_h > 0 && p->dil_w > 0);
  assert(p->kind != PPRT_NN_DEPTHWISE || p->in_c == p->out_c);
  for (int32_t oy = y0; oy < y1; ++oy)
    for (int32_t ox = 0; ox < p->out_w; ++ox) {
      int8_t* o = out + ((size_t)oy * p->out_w + ox) * p->out_c;
      if (p->kind == PPRT_NN_TRANSPOSED)
        conv_pixel_transposed(p, in, w, q, o, oy, ox);
      else
        conv_pixel_direct(p, in, w, q, o, oy, ox);
    }
}

/* ---------------- scalar GEMM variant: int8, kalign 1, mr = nr = 4 ---------------- */

enum { SC_MR = 4, SC_NR = 4 };

static void sc_pack_a(const int8_t* a, size_t lda, int32_t rows, int32_t k0, int32_t kc, int32_t k_end, void* dst) {
  int8_t* d = dst;
  for (int32_t k = 0; k < kc; ++k)
    for (int32_t r = 0; r < SC_MR; ++r)
      *d++ = (r < rows && k0 + k < k_end) ? a[(size_t)r * lda + k0 + k] : 0;
}

static void sc_pack_b(const int8_t* w, size_t ldw, int32_t cols, int32_t k_len, void* dst) {
  int8_t* d = dst;
  for (int32_t k = 0; k < k_len; ++k)
    for (int32_t n = 0; n < SC_NR; ++n) *d++ = n < cols ? w[(size_t)n * ldw + k] : 0;
}

static void sc_kernel(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate) {
  const int8_t* pa = a;
  const int8_t* pb = b;
  int32_t acc[SC_MR][SC_NR];
  for (int r = 0; r < SC_MR; ++r)
    for (int n = 0; n < SC_NR; ++n) acc[r][n] = accumulate ? c[(size_t)r * ldc + n] : 0;
  for (int32_t k = 0; k < kc; ++k, pa += SC_MR, pb += SC_NR)
    for (int r = 0; r < SC_MR; ++r)
      for (int n = 0; n < SC_NR; ++n) acc[r][n] += (int32_t)pa[r] * pb[n];
  for (int r = 0; r < SC_MR; ++r)
    for (int n = 0; n < SC_NR; ++n) c[(size_t)r * ldc + n] = acc[r][n];
}

const struct pprt_nn_gemm_impl pprt_nn_gemm_scalar = {"scalar", SC_MR, SC_NR, 1, 1, sc_pack_a, sc_pack_b, sc_kernel};
