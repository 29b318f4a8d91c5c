/* Convolution as a packed int8 GEMM: im2col rows (NHWC makes each tap's channels contiguous) x packed weights,
 * blocked MC x KC so a B panel slice stays in L1 and the A block in L2; the ISA part is the micro-kernel. */
#include <assert.h>
#include <string.h>

#include "pprt/nn.h"

enum { GEMM_MC = 72, GEMM_KC = 512 };

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

static int is_direct_rows(const struct pprt_nn_conv* p) {
  if (p->kind == PPRT_NN_TRANSPOSED) return 1;
  return p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_t == 0 && p->pad_l == 0 &&
         p->in_h == p->out_h && p->in_w == p->out_w;
}

int pprt_nn_conv_gemm_ok(const struct pprt_nn_conv* p) {
  if (p->kind == PPRT_NN_CONV) return 1;
  if (p->kind == PPRT_NN_TRANSPOSED)
    return p->k_h == p->stride_h && p->k_w == p->stride_w && p->pad_t == 0 && p->pad_l == 0 && p->dil_h == 1 &&
           p->dil_w == 1 && p->out_h == p->in_h * p->stride_h && p->out_w == p->in_w * p->stride_w;
  return 0;
}

void pprt_nn_conv_gemm_dims(const struct pprt_nn_conv* p, int32_t* m, int32_t* n, int32_t* k) {
  if (p->kind == PPRT_NN_TRANSPOSED) {
    *m = p->in_h * p->in_w;
    *n = p->out_c * p->k_h * p->k_w; /* column n = (oc * kh + ky) * kw + kx: weight row n */
    *k = p->in_c;
  } else {
    *m = p->out_h * p->out_w;
    *n = p->out_c;
    *k = p->k_h * p->k_w * p->in_c;
  }
}

size_t pprt_nn_conv_packed_size(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p) {
  int32_t m, n, k;
  pprt_nn_conv_gemm_dims(p, &m, &n, &k);
  size_t panels = ((size_t)n + g->nr - 1) / g->nr;
  return panels * round_up((size_t)k, g->kalign) * g->nr * g->elem;
}

void pprt_nn_conv_pack(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p, const int8_t* w,
                       void* packed) {
  int32_t m, n, k;
  pprt_nn_conv_gemm_dims(p, &m, &n, &k);
  assert(pprt_nn_conv_gemm_ok(p));
  size_t panel_bytes = round_up((size_t)k, g->kalign) * g->nr * g->elem;
  for (int32_t n0 = 0, i = 0; n0 < n; n0 += g->nr, ++i) {
    int32_t cols = n - n0 < g->nr ? n - n0 : g->nr;
    g->pack_b(w + (size_t)n0 * k, (size_t)k, cols, k, (char*)packed + (size_t)i * panel_bytes);
  }
}

struct scratch_layout {
  size_t im2col, ablock, cbuf, total;
};

static struct scratch_layout layout(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p) {
  int32_t m, n, k;
  pprt_nn_conv_gemm_dims(p, &m, &n, &k);
  struct scratch_layout l;
  size_t npad = round_up((size_t)n, g->nr);
  l.im2col = is_direct_rows(p) ? 0 : round_up((size_t)GEMM_MC * k, 64);
  l.ablock = round_up((size_t)GEMM_MC * GEMM_KC * g->elem, 64);
  l.cbuf = round_up((size_t)GEMM_MC * npad * sizeof(int32_t), 64);
  l.total = l.im2col + l.ablock + l.cbuf;
  return l;
}

size_t pprt_nn_conv_scratch_size(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p) {
  return layout(g, p).total;
}

static void im2col_rows(const struct pprt_nn_conv* p, const int8_t* in, int32_t m0, int32_t rows, int8_t* dst) {
  const size_t k = (size_t)p->k_h * p->k_w * p->in_c;
  for (int32_t r = 0; r < rows; ++r) {
    int32_t m = m0 + r, oy = m / p->out_w, ox = m % p->out_w;
    int8_t* d = dst + (size_t)r * k;
    for (int32_t ky = 0; ky < p->k_h; ++ky) {
      int32_t iy = oy * p->stride_h - p->pad_t + ky * p->dil_h;
      for (int32_t kx = 0; kx < p->k_w; ++kx, d += p->in_c) {
        int32_t ix = ox * p->stride_w - p->pad_l + kx * p->dil_w;
        if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
          memset(d, 0, (size_t)p->in_c);
        else
          memcpy(d, in + ((size_t)iy * p->in_w + ix) * p->in_c, (size_t)p->in_c);
      }
    }
  }
}

static void store_rows(const struct pprt_nn_conv* p, const struct pprt_nn_requant* q, const int32_t* c, size_t ldc,
                       int32_t m0, int32_t rows, int32_t n, int8_t* out) {
  if (p->kind != PPRT_NN_TRANSPOSED) {
    /* Fast int32 path (vectorizable): no accumulator pre-shift, no leaky slope, 1 <= shift <= 30, and every
     * |acc| < 2^29 (K < 2^15) and |bias| < 2^29 so acc + bias + 2^(s-1) fits int32. Same values as
     * pprt_nn_requant_one. */
    int32_t m_dummy, n_dummy, k;
    pprt_nn_conv_gemm_dims(p, &m_dummy, &n_dummy, &k);
    int fast = q->acc_shift == 0 && q->nonlinear != PPRT_NN_LEAKYRELU && q->shift >= 1 && q->shift <= 30 &&
               k < (1 << 15) && n <= 4096;
    int32_t b32[4096];
    for (int32_t j = 0; fast && j < n; ++j) {
      if (q->bias[j] >= (1 << 29) || q->bias[j] <= -(1 << 29)) fast = 0;
      b32[j] = fast ? (int32_t)q->bias[j] + (1 << (q->shift - 1)) : 0;
    }
    if (fast) {
      const int32_t s = q->shift;
      const int32_t lo = (q->nonlinear == PPRT_NN_RELU || q->nonlinear == PPRT_NN_RELU6) ? 0 : -128;
      const int32_t hi = q->nonlinear == PPRT_NN_RELU6 && q->relu6_max < 127 ? q->relu6_max : 127;
      for (int32_t r = 0; r < rows; ++r) {
        const int32_t* cr = c + (size_t)r * ldc;
        int8_t* o = out + (size_t)(m0 + r) * p->out_c;
        for (int32_t j = 0; j < n; ++j) {
          int32_t v = (cr[j] + b32[j]) >> s;
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          o[j] = (int8_t)v;
        }
      }
      return;
    }
    for (int32_t r = 0; r < rows; ++r) {
      const int32_t* cr = c + (size_t)r * ldc;
      int8_t* o = out + (size_t)(m0 + r) * p->out_c;
      for (int32_t j = 0; j < n; ++j) o[j] = pprt_nn_requant_one(q, cr[j], j);
    }
    return;
  }
  const int32_t kk = p->k_h * p->k_w;
  for (int32_t r = 0; r < rows; ++r) {
    int32_t m = m0 + r, iy = m / p->in_w, ix = m % p->in_w;
    const int32_t* cr = c + (size_t)r * ldc;
    for (int32_t ky = 0; ky < p->k_h; ++ky)
      for (int32_t kx = 0; kx < p->k_w; ++kx) {
        int32_t y = iy * p->stride_h + p->k_h - 1 - ky, x = ix * p->stride_w + p->k_w - 1 - kx;
        int8_t* o = out + ((size_t)y * p->out_w + x) * p->out_c;
        const int32_t* cc = cr + ky * p->k_w + kx;
        for (int32_t oc = 0; oc < p->out_c; ++oc) o[oc] = pprt_nn_requant_one(q, cc[(size_t)oc * kk], oc);
      }
  }
}

void pprt_nn_conv_gemm(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p, const int8_t* in,
                       const void* packed, const struct pprt_nn_requant* q, int8_t* out, int32_t m0, int32_t m1,
                       void* scratch) {
  int32_t m, n, k;
  pprt_nn_conv_gemm_dims(p, &m, &n, &k);
  assert(pprt_nn_conv_gemm_ok(p) && 0 <= m0 && m0 <= m1 && m1 <= m && GEMM_MC % g->mr == 0);
  assert(GEMM_KC % g->kalign == 0);
  const struct scratch_layout l = layout(g, p);
  int8_t* col = scratch;
  char* ablock = (char*)scratch + l.im2col;
  int32_t* cbuf = (int32_t*)((char*)scratch + l.im2col + l.ablock);
  const size_t kpad = round_up((size_t)k, g->kalign);
  const size_t npad = round_up((size_t)n, g->nr);
  const size_t panel_bytes = kpad * g->nr * g->elem;
  const int direct = is_direct_rows(p);
  for (int32_t mb = m0; mb < m1; mb += GEMM_MC) {
    const int32_t rows = m1 - mb < GEMM_MC ? m1 - mb : GEMM_MC;
    const int8_t* a;
    size_t lda;
    if (direct) {
      a = in + (size_t)mb * p->in_c;
      lda = (size_t)p->in_c;
    } else {
      im2col_rows(p, in, mb, rows, col);
      a = col;
      lda = (size_t)k;
    }
    const int32_t tiles = (rows + g->mr - 1) / g->mr;
    for (size_t k0 = 0; k0 < kpad; k0 += GEMM_KC) {
      const int32_t kc = (int32_t)(kpad - k0 < GEMM_KC ? kpad - k0 : GEMM_KC);
      const size_t tile_bytes = (size_t)kc * g->mr * g->elem;
      for (int32_t t = 0; t < tiles; ++t) {
        int32_t tr = rows - t * g->mr < g->mr ? rows - t * g->mr : g->mr;
        g->pack_a(a + (size_t)t * g->mr * lda, lda, tr, (int32_t)k0, kc, k, ablock + (size_t)t * tile_bytes);
      }
      for (size_t n0 = 0, pi = 0; n0 < npad; n0 += g->nr, ++pi) {
        const char* b = (const char*)packed + pi * panel_bytes + k0 * g->nr * g->elem;
        for (int32_t t = 0; t < tiles; ++t)
          g->kernel(ablock + (size_t)t * tile_bytes, b, kc, cbuf + (size_t)t * g->mr * npad + n0, npad, k0 != 0);
      }
    }
    store_rows(p, q, cbuf, npad, mb, rows, n, out);
  }
}
