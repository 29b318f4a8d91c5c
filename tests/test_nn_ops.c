/* Every int8 NN kernel of the CPU runner (direct conv, the packed GEMM, pool, eltwise, concat/rescale, upsample,
 * activation) of every variant set built and usable here (pprt_nn_kernels_all(): scalar, AVX2, AVX-512 VNNI on
 * x86-64; scalar, NEON with its two GEMM micro-kernels on aarch64) against the naive references of nn_ref.c,
 * bit-exact, on seeded random shapes and attributes. Outputs are poison-filled so unwritten elements are caught. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_ref.h"
#include "pprt/nn.h"
#include "testutil.h"

static struct pprt_rng rng;

static const struct pprt_nn_kernel_set* const* sets(size_t* count) {
  const struct pprt_nn_kernel_set* const* all = pprt_nn_kernels_all(count);
  CU_ASSERT_FATAL(*count >= 1 && all[0] == pprt_nn_kernels_scalar());
  return all;
}

static int rnd(int lo, int hi) { return lo + (int)pprt_rng_u32(&rng, (uint32_t)(hi - lo + 1)); }

static void fill(int8_t* p, size_t n, int lo) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t r = pprt_rng_u32(&rng, 8);
    /* mix of extremes, zeros and uniform values */
    p[i] = r == 0 ? (int8_t)lo : r == 1 ? 127 : r == 2 ? 0 : (int8_t)rnd(lo, 127);
  }
}

struct conv_case {
  struct nn_ref_conv r;
  struct pprt_nn_conv p;
  int has_bias;
};

static void random_conv(struct conv_case* cc, int kind, int gemm_transposed) {
  struct nn_ref_conv* r = &cc->r;
  memset(cc, 0, sizeof *cc);
  r->kind = kind;
  for (;;) {
    r->ih = rnd(1, 13);
    r->iw = rnd(1, 13);
    r->ic = rnd(1, 3) == 1 ? rnd(40, 90) : rnd(1, 20);
    r->oc = kind == 1 ? r->ic : rnd(1, 40);
    r->kh = rnd(1, 4);
    r->kw = rnd(1, 4);
    r->sh = rnd(1, 3);
    r->sw = rnd(1, 3);
    r->dh = rnd(1, 3) == 1 ? 2 : 1;
    r->dw = rnd(1, 3) == 1 ? 2 : 1;
    r->pt = rnd(0, 2);
    r->pl = rnd(0, 2);
    int pb = rnd(0, 2), pr = rnd(0, 2);
    int kdh = (r->kh - 1) * r->dh + 1, kdw = (r->kw - 1) * r->dw + 1;
    if (kind == 2) {
      if (gemm_transposed) {
        r->kh = r->sh = rnd(1, 4);
        r->kw = r->sw = rnd(1, 4);
        r->dh = r->dw = 1;
        r->pt = r->pl = pb = pr = 0;
        kdh = r->kh;
        kdw = r->kw;
      }
      if (r->pt > kdh - 1 || r->pl > kdw - 1 || pb > kdh - 1 || pr > kdw - 1) continue;
      r->oh = (r->ih - 1) * r->sh + kdh - r->pt - pb;
      r->ow = (r->iw - 1) * r->sw + kdw - r->pl - pr;
    } else {
      int nh = r->ih + r->pt + pb - kdh, nw = r->iw + r->pl + pr - kdw;
      if (nh < 0 || nw < 0 || r->pt >= kdh || r->pl >= kdw) continue;
      /* FLOOR or CEIL pad mode: CEIL adds a trailing output row/column over the padding */
      r->oh = nh / r->sh + 1 + (rnd(0, 1) && nh % r->sh ? 1 : 0);
      r->ow = nw / r->sw + 1 + (rnd(0, 1) && nw % r->sw ? 1 : 0);
    }
    if (r->oh >= 1 && r->ow >= 1) break;
  }
  r->fp_in = rnd(-2, 8);
  r->fp_w = rnd(-2, 9);
  r->fp_b = r->fp_in + r->fp_w + rnd(-6, 6); /* negative and positive bias shifts */
  r->fp_out = r->fp_in + r->fp_w - rnd(-2, 14);
  r->nonlinear = rnd(0, 3);
  r->leaky_mult = 26;
  cc->has_bias = rnd(0, 4) != 0;

  struct pprt_nn_conv* p = &cc->p;
  p->kind = kind;
  p->in_h = r->ih; p->in_w = r->iw; p->in_c = r->ic;
  p->out_h = r->oh; p->out_w = r->ow; p->out_c = r->oc;
  p->k_h = r->kh; p->k_w = r->kw; p->stride_h = r->sh; p->stride_w = r->sw;
  p->dil_h = r->dh; p->dil_w = r->dw; p->pad_t = r->pt; p->pad_l = r->pl;
}

/* The runner's requant setup, from the fix points (as cpu_runner.cpp does it). */
static void make_requant(const struct conv_case* cc, const int8_t* bias, int64_t* b64, struct pprt_nn_requant* q) {
  const struct nn_ref_conv* r = &cc->r;
  int sb = r->fp_in + r->fp_w - r->fp_b;
  q->acc_shift = cc->has_bias && sb < 0 ? -sb : 0;
  for (int i = 0; i < r->oc; ++i)
    b64[i] = cc->has_bias ? (int64_t)bias[i] * ((int64_t)1 << (sb + q->acc_shift)) : 0;
  q->shift = r->fp_in + r->fp_w - r->fp_out + q->acc_shift;
  q->nonlinear = r->nonlinear;
  q->leaky_mult = r->leaky_mult;
  q->relu6_max = pprt_nn_relu6_max(r->fp_out);
  q->bias = b64;
}

static int check_bytes(const int8_t* got, const int8_t* want, size_t n, const char* what, int iter) {
  for (size_t i = 0; i < n; ++i)
    if (got[i] != want[i]) {
      fprintf(stderr, "%s (case %d): index %zu got %d want %d\n", what, iter, i, got[i], want[i]);
      return 0;
    }
  return 1;
}

/* GEMM rows of p (pprt_nn_conv_gemm_dims' m). */
static int32_t gemm_rows(const struct pprt_nn_conv* p) {
  int32_t m, n, k;
  pprt_nn_conv_gemm_dims(p, &m, &n, &k);
  return m;
}

/* p through micro-kernel g (weights packed first), as two calls split at GEMM row ms, into a poison-filled got;
 * whether it equals want. */
static int gemm_matches(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p, const int8_t* in,
                        const int8_t* w, const struct pprt_nn_requant* q, int32_t ms, int8_t* got,
                        const int8_t* want, size_t n_out, int iter) {
  void* packed = aligned_alloc(64, (pprt_nn_conv_packed_size(g, p) + 63) / 64 * 64 + 64);
  void* scratch = aligned_alloc(64, (pprt_nn_conv_scratch_size(g, p) + 63) / 64 * 64 + 64);
  CU_ASSERT_FATAL(packed != NULL && scratch != NULL);
  pprt_nn_conv_pack(g, p, w, packed);
  memset(got, 0x5a, n_out);
  pprt_nn_conv_gemm(g, p, in, packed, q, got, 0, ms, scratch);
  pprt_nn_conv_gemm(g, p, in, packed, q, got, ms, gemm_rows(p), scratch);
  char what[64];
  snprintf(what, sizeof what, "conv gemm %s", g->name);
  int ok = check_bytes(got, want, n_out, what, iter);
  free(packed);
  free(scratch);
  return ok;
}

static void conv_cases(int kind, int gemm_transposed, int iters) {
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  for (int it = 0; it < iters; ++it) {
    struct conv_case cc;
    random_conv(&cc, kind, gemm_transposed);
    const struct nn_ref_conv* r = &cc.r;
    size_t n_in = (size_t)r->ih * r->iw * r->ic, n_out = (size_t)r->oh * r->ow * r->oc;
    size_t n_w = kind == 1 ? (size_t)r->kh * r->kw * r->ic : (size_t)r->oc * r->kh * r->kw * r->ic;
    int8_t* in = malloc(n_in);
    int8_t* w = malloc(n_w);
    int8_t bias[128];
    int64_t b64[128];
    int8_t* want = malloc(n_out);
    int8_t* got = malloc(n_out);
    fill(in, n_in, -128);
    int no_min = rnd(0, 1); /* weights without -128 half the time: exercises NEON's vmlal path */
    fill(w, n_w, no_min ? -127 : -128);
    fill(bias, (size_t)r->oc, -128);
    nn_ref_conv(r, in, w, cc.has_bias ? bias : NULL, want);
    struct pprt_nn_requant q;
    make_requant(&cc, bias, b64, &q);

    for (size_t s = 0; s < ns; ++s) {
      memset(got, 0x5a, n_out);
      int32_t split = rnd(0, r->oh);
      all[s]->conv(&cc.p, in, w, &q, got, 0, split);
      all[s]->conv(&cc.p, in, w, &q, got, split, r->oh);
      CU_ASSERT_FATAL(check_bytes(got, want, n_out, all[s]->isa, it));
    }

    /* each set's GEMM micro-kernel, and the one it picks for these weights where that is another (neon-mlal) */
    for (size_t v = 0; pprt_nn_conv_gemm_ok(&cc.p) && v < 2 * ns; ++v) {
      const struct pprt_nn_gemm_impl* g = v % 2 ? pprt_nn_gemm_for(all[v / 2], w, n_w) : all[v / 2]->gemm;
      if (v % 2 && g == all[v / 2]->gemm) continue;
      CU_ASSERT_FATAL(gemm_matches(g, &cc.p, in, w, &q, rnd(0, gemm_rows(&cc.p)), got, want, n_out, it));
    }
    free(in);
    free(w);
    free(want);
    free(got);
  }
}

static void test_conv(void) {
  pprt_rng_seed(&rng, pprt_test_seed());
  conv_cases(PPRT_NN_CONV, 0, 300);
}

static void test_depthwise(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 1);
  conv_cases(PPRT_NN_DEPTHWISE, 0, 200);
}

static void test_transposed(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 2);
  conv_cases(PPRT_NN_TRANSPOSED, 0, 150);
  conv_cases(PPRT_NN_TRANSPOSED, 1, 150);
}

/* A big K (several KC blocks) and M (several MC blocks) with all variants. */
static void test_conv_large(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 3);
  for (int it = 0; it < 3; ++it) {
    struct conv_case cc;
    do random_conv(&cc, PPRT_NN_CONV, 0); while (0);
    struct nn_ref_conv* r = &cc.r;
    r->ih = 20; r->iw = 17; r->ic = 150; r->oc = 37; r->kh = r->kw = 3; r->sh = r->sw = 1; r->dh = r->dw = 1;
    r->pt = r->pl = 1; r->oh = 20; r->ow = 17;
    struct pprt_nn_conv* p = &cc.p;
    p->in_h = 20; p->in_w = 17; p->in_c = 150; p->out_h = 20; p->out_w = 17; p->out_c = 37;
    p->k_h = p->k_w = 3; p->stride_h = p->stride_w = 1; p->dil_h = p->dil_w = 1; p->pad_t = p->pad_l = 1;
    size_t n_in = (size_t)20 * 17 * 150, n_w = (size_t)37 * 9 * 150, n_out = (size_t)20 * 17 * 37;
    int8_t *in = malloc(n_in), *w = malloc(n_w), *want = malloc(n_out), *got = malloc(n_out), bias[37];
    int64_t b64[37];
    fill(in, n_in, -128);
    fill(w, n_w, -128);
    fill(bias, 37, -128);
    nn_ref_conv(r, in, w, cc.has_bias ? bias : NULL, want);
    struct pprt_nn_requant q;
    make_requant(&cc, bias, b64, &q);
    size_t ns;
    const struct pprt_nn_kernel_set* const* all = sets(&ns);
    for (size_t v = 0; v < ns; ++v)
      CU_ASSERT_FATAL(gemm_matches(all[v]->gemm, p, in, w, &q, 20 * 17, got, want, n_out, it));
    free(in); free(w); free(want); free(got);
  }
}

/* The largest PointPillars K (3 x 3 x 384) with extreme operands: whole pixels / output channels of -128 or 127,
 * so the int32 accumulators reach +-3456 * 128 * 128 (the bound the VNNI +128 offset trick relies on), and output
 * shifts that saturate them, with every variant. */
static void test_conv_extreme(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 8);
  enum { IH = 5, IW = 6, IC = 384, OC = 40 };
  for (int it = 0; it < 4; ++it) {
    struct conv_case cc;
    random_conv(&cc, PPRT_NN_CONV, 0);
    struct nn_ref_conv* r = &cc.r;
    r->ih = r->oh = IH; r->iw = r->ow = IW; r->ic = IC; r->oc = OC; r->kh = r->kw = 3; r->sh = r->sw = 1;
    r->dh = r->dw = 1; r->pt = r->pl = 1;
    r->fp_out = r->fp_in + r->fp_w - rnd(12, 28);
    struct pprt_nn_conv* p = &cc.p;
    p->in_h = p->out_h = IH; p->in_w = p->out_w = IW; p->in_c = IC; p->out_c = OC;
    p->k_h = p->k_w = 3; p->stride_h = p->stride_w = 1; p->dil_h = p->dil_w = 1; p->pad_t = p->pad_l = 1;
    size_t n_in = (size_t)IH * IW * IC, n_w = (size_t)OC * 9 * IC, n_out = (size_t)IH * IW * OC;
    int8_t *in = malloc(n_in), *w = malloc(n_w), *want = malloc(n_out), *got = malloc(n_out), bias[OC];
    int64_t b64[OC];
    for (size_t px = 0; px < (size_t)IH * IW; ++px) {
      int mode = rnd(0, 3);
      if (mode == 3)
        fill(in + px * IC, IC, -128);
      else
        memset(in + px * IC, mode == 0 ? 127 : -128, IC);
    }
    for (size_t o = 0; o < OC; ++o) {
      int mode = rnd(0, 3);
      if (mode == 3)
        fill(w + o * 9 * IC, 9 * IC, -128);
      else
        memset(w + o * 9 * IC, mode == 0 ? 127 : -128, 9 * IC);
    }
    fill(bias, OC, -128);
    nn_ref_conv(r, in, w, cc.has_bias ? bias : NULL, want);
    struct pprt_nn_requant q;
    make_requant(&cc, bias, b64, &q);
    size_t ns;
    const struct pprt_nn_kernel_set* const* all = sets(&ns);
    for (size_t v = 0; v < ns; ++v) {
      const struct pprt_nn_gemm_impl* g = pprt_nn_gemm_for(all[v], w, n_w);
      CU_ASSERT_FATAL(gemm_matches(g, p, in, w, &q, rnd(0, IH * IW), got, want, n_out, it));
    }
    free(in); free(w); free(want); free(got);
  }
}

/* RELU6 clamps the real value at 6, i.e. 6 * 2^fp_out in output units (issue 12: pprt clamped at 96 whenever
 * fp_out <= 4, so 24 was 96 at fp_out 2). */
static void test_relu6_bound(void) {
  static const struct {
    int32_t fp, max;
  } b[] = {{7, 127}, {5, 127}, {4, 96}, {3, 48}, {2, 24}, {0, 6}, {-1, 3}, {-2, 2}, {-3, 1}, {-4, 0}, {-9, 0}};
  for (size_t i = 0; i < sizeof b / sizeof b[0]; ++i) CU_ASSERT_EQUAL(pprt_nn_relu6_max(b[i].fp), b[i].max);
  /* a conv output stage at fp_out 2 (shift 0): 100 -> 24, 23 -> 23, -5 -> 0 */
  const int64_t bias[1] = {0};
  struct pprt_nn_requant q = {0, 0, PPRT_NN_RELU6, 26, pprt_nn_relu6_max(2), bias};
  CU_ASSERT_EQUAL(pprt_nn_requant_one(&q, 100, 0), 24);
  CU_ASSERT_EQUAL(pprt_nn_requant_one(&q, 23, 0), 23);
  CU_ASSERT_EQUAL(pprt_nn_requant_one(&q, -5, 0), 0);
  /* the same against the exact reference: acc 100 at fp_in 2, fp_w 0 is the real 25 -> clamped to 6 -> 24 */
  struct nn_ref_conv r;
  memset(&r, 0, sizeof r);
  r.fp_in = 2;
  r.fp_w = 0;
  r.fp_b = 2;
  r.fp_out = 2;
  r.nonlinear = 2;
  r.ih = r.iw = r.ic = r.oc = r.oh = r.ow = r.kh = r.kw = r.sh = r.sw = r.dh = r.dw = 1;
  const int8_t in[1] = {100}, w[1] = {1}, zb[1] = {0};
  int8_t out[1] = {0};
  nn_ref_conv(&r, in, w, zb, out);
  CU_ASSERT_EQUAL(out[0], 24);
}

static void test_pool(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 4);
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  for (int it = 0; it < 400; ++it) {
    struct nn_ref_pool r;
    memset(&r, 0, sizeof r);
    r.avg = rnd(0, 1);
    r.ih = rnd(1, 16); r.iw = rnd(1, 16); r.c = rnd(1, 17);
    r.kh = rnd(1, 8); r.kw = rnd(1, 8);
    if (rnd(0, 3) == 0) r.kh = r.kw = (int[]){3, 5, 6, 7, 14}[rnd(0, 4)];
    r.sh = rnd(1, 3); r.sw = rnd(1, 3);
    r.pt = rnd(0, r.kh - 1 < 2 ? r.kh - 1 : 2); r.pl = rnd(0, r.kw - 1 < 2 ? r.kw - 1 : 2);
    int nh = r.ih + 2 * r.pt - r.kh, nw = r.iw + 2 * r.pl - r.kw;
    if (nh < 0 || nw < 0) { --it; continue; }
    r.oh = nh / r.sh + 1; r.ow = nw / r.sw + 1;
    r.fp_in = rnd(-1, 7); r.fp_out = r.fp_in + rnd(-3, 3);
    size_t n_in = (size_t)r.ih * r.iw * r.c, n_out = (size_t)r.oh * r.ow * r.c;
    int8_t *in = malloc(n_in), *want = malloc(n_out), *got = malloc(n_out);
    fill(in, n_in, -128);
    nn_ref_pool(&r, in, want);
    struct pprt_nn_pool p = {r.avg, r.ih, r.iw, r.c, r.oh, r.ow, r.kh, r.kw, r.sh, r.sw, r.pt, r.pl, r.fp_in, r.fp_out, 0, 0};
    pprt_nn_avgpool_factor(r.kh, r.kw, &p.avg_mult, &p.avg_shift);
    for (size_t s = 0; s < ns; ++s) {
      memset(got, 0x5a, n_out);
      int32_t split = rnd(0, r.oh);
      all[s]->pool(&p, in, got, 0, split);
      all[s]->pool(&p, in, got, split, r.oh);
      CU_ASSERT_FATAL(check_bytes(got, want, n_out, r.avg ? "pool avg" : "pool max", it));
    }
    free(in); free(want); free(got);
  }
  int32_t m, s;
  pprt_nn_avgpool_factor(3, 3, &m, &s);
  CU_ASSERT(m == 7 && s == 6);
  pprt_nn_avgpool_factor(2, 2, &m, &s);
  CU_ASSERT(m == 1 && s == 2);
}

static void test_eltwise(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 5);
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  for (int it = 0; it < 200; ++it) {
    int n = rnd(1, 4);
    size_t len = (size_t)rnd(1, 500);
    int8_t* in[4];
    int fp[4];
    int32_t fp32[4];
    for (int j = 0; j < n; ++j) {
      in[j] = malloc(len);
      fill(in[j], len, -128);
      fp[j] = fp32[j] = rnd(-2, 8);
    }
    int fp_out = rnd(-2, 8), relu = rnd(0, 1);
    int8_t *want = malloc(len), *got = malloc(len);
    nn_ref_eltwise((const int8_t* const*)in, fp, n, len, fp_out, relu, want);
    for (size_t s = 0; s < ns; ++s) {
      memset(got, 0x5a, len);
      all[s]->eltwise_add((const int8_t* const*)in, fp32, n, len, fp_out, relu ? PPRT_NN_RELU : PPRT_NN_NONE, got);
      CU_ASSERT_FATAL(check_bytes(got, want, len, "eltwise", it));
    }
    for (int j = 0; j < n; ++j) free(in[j]);
    free(want); free(got);
  }
}

static void test_concat_rescale_upsample(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 6);
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  for (int it = 0; it < 200; ++it) {
    size_t rows = (size_t)rnd(1, 30), w1 = (size_t)rnd(1, 20), w2 = (size_t)rnd(1, 20);
    int fp1 = rnd(-2, 8), fp2 = rnd(-2, 8), fpo = rnd(-2, 8);
    int8_t *a = malloc(rows * w1), *b = malloc(rows * w2), *want = malloc(rows * (w1 + w2)), *got = malloc(rows * (w1 + w2));
    fill(a, rows * w1, -128);
    fill(b, rows * w2, -128);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < w1; ++i) want[r * (w1 + w2) + i] = nn_ref_rescale(a[r * w1 + i], fp1, fpo);
      for (size_t i = 0; i < w2; ++i) want[r * (w1 + w2) + w1 + i] = nn_ref_rescale(b[r * w2 + i], fp2, fpo);
    }
    for (size_t s = 0; s < ns; ++s) {
      memset(got, 0x5a, rows * (w1 + w2));
      all[s]->rescale_rows(a, w1, rows, w1, fpo - fp1, got, w1 + w2, 0);
      all[s]->rescale_rows(b, w2, rows, w2, fpo - fp2, got, w1 + w2, w1);
      CU_ASSERT_FATAL(check_bytes(got, want, rows * (w1 + w2), "concat", it));
    }
    /* upsample a as [rows][w1][1] -> scale sh x sw */
    int sh = rnd(1, 3), sw = rnd(1, 3), c = 1;
    size_t n_out = rows * sh * w1 * sw;
    int8_t *uw = malloc(n_out), *ug = malloc(n_out);
    for (size_t y = 0; y < rows * sh; ++y)
      for (size_t x = 0; x < w1 * sw; ++x) uw[y * w1 * sw + x] = nn_ref_rescale(a[(y / sh) * w1 + x / sw], fp1, fpo);
    for (size_t s = 0; s < ns; ++s) {
      memset(ug, 0x5a, n_out);
      all[s]->upsample_nearest(a, (int32_t)rows, (int32_t)w1, c, sh, sw, fpo - fp1, ug);
      CU_ASSERT_FATAL(check_bytes(ug, uw, n_out, "upsample", it));
    }
    free(a); free(b); free(want); free(got); free(uw); free(ug);
  }
}

/* relu / relu6 / leaky-relu ops: known values, then the scalar reference against a float oracle (exact: every
 * value is k / 2^n) and the build's variant (NEON on aarch64) against the scalar one at sizes around the vector
 * width, outputs poison-filled first. */
static int8_t act_oracle(const struct pprt_nn_act* a, int x) {
  double v = a->nonlinear == PPRT_NN_LEAKYRELU ? (x < 0 ? x * (a->leaky_mult / 256.0) : (double)x) : (x > 0 ? x : 0);
  double r = floor(ldexp(v, a->d) + 0.5);
  if (a->nonlinear == PPRT_NN_RELU6 && r > a->relu6_max) r = a->relu6_max;
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

static void test_activation(void) {
  pprt_rng_seed(&rng, pprt_test_seed() + 9);
  /* known values: leaky 26/256 at d = 0: -100 -> round(-10.15625) = -10, -5 -> round(-0.5078) = -1, -4 -> 0 */
  {
    const struct pprt_nn_act lk = {PPRT_NN_LEAKYRELU, 0, 26, 127};
    const int8_t in[6] = {-100, -5, -4, 0, 7, 127};
    const int8_t want[6] = {-10, -1, 0, 0, 7, 127};
    int8_t got[6];
    pprt_nn_act_scalar(&lk, in, 6, got);
    CU_ASSERT_EQUAL(memcmp(got, want, 6), 0);
    const struct pprt_nn_act r6 = {PPRT_NN_RELU6, 0, 0, pprt_nn_relu6_max(4)}; /* 6 at fp 4 = 96 */
    const int8_t in6[4] = {-3, 50, 96, 120}, want6[4] = {0, 50, 96, 96};
    pprt_nn_act_scalar(&r6, in6, 4, got);
    CU_ASSERT_EQUAL(memcmp(got, want6, 4), 0);
  }
  const int kinds[3] = {PPRT_NN_RELU, PPRT_NN_RELU6, PPRT_NN_LEAKYRELU};
  const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 33, 100, 1000};
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  for (int k = 0; k < 3; ++k)
    for (int d = -3; d <= 2; ++d)
      for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; ++si) {
        const size_t n = sizes[si];
        struct pprt_nn_act a = {kinds[k], d, k == 2 ? rnd(0, 256) : 0, pprt_nn_relu6_max(rnd(-3, 6))};
        int8_t* in = malloc(n + 1);
        int8_t* ref = malloc(n + 1);
        int8_t* got = malloc(n + 1);
        CU_ASSERT_FATAL(in && ref && got);
        for (size_t i = 0; i < n; ++i) in[i] = (int8_t)rnd(-128, 127);
        if (n > 1) in[0] = -128, in[1] = 127;
        memset(ref, 0x5a, n + 1);
        pprt_nn_act_scalar(&a, in, n, ref);
        int bad = 0;
        for (size_t i = 0; i < n && !bad; ++i) bad = ref[i] != act_oracle(&a, in[i]);
        CU_ASSERT_FALSE(bad);
        for (size_t s = 0; s < ns; ++s) {
          memset(got, 0x5a, n + 1);
          all[s]->act(&a, in, n, got);
          int differs = memcmp(ref, got, n + 1) != 0; /* equal, and nothing written past n */
          CU_ASSERT_FALSE(differs);
          if (bad || differs)
            fprintf(stderr, "  act %s kind %d d %d n %zu mult %d seed %llu\n", all[s]->isa, kinds[k], d, n,
                    a.leaky_mult, (unsigned long long)pprt_test_seed());
        }
        free(in); free(ref); free(got);
      }
}

/* The sets this binary runs: scalar first, the chosen one among them (PPRT_KERNELS when it names one), and which
 * exist per architecture. */
static void test_sets_listed(void) {
  size_t ns;
  const struct pprt_nn_kernel_set* const* all = sets(&ns);
  const struct pprt_nn_kernel_set* chosen = pprt_nn_kernels();
  int found = 0;
  printf("\n  sets:");
  for (size_t s = 0; s < ns; ++s) {
    printf(" %s (gemm %s%s%s)", all[s]->isa, all[s]->gemm->name, all[s]->gemm_no_min128 ? ", " : "",
           all[s]->gemm_no_min128 ? all[s]->gemm_no_min128->name : "");
    found |= all[s] == chosen;
    CU_ASSERT(all[s]->gemm && all[s]->conv && all[s]->act && all[s]->pool && all[s]->eltwise_add &&
              all[s]->rescale_rows && all[s]->upsample_nearest);
  }
  printf(", chosen %s\n", chosen->isa);
  CU_ASSERT(found);
  CU_ASSERT_STRING_EQUAL(all[0]->isa, "scalar");
  const char* env = getenv("PPRT_KERNELS");
  for (size_t s = 0; env != NULL && s < ns; ++s)
    if (strcmp(all[s]->isa, env) == 0) CU_ASSERT_STRING_EQUAL(chosen->isa, env);
  if (env == NULL) CU_ASSERT(chosen == all[ns - 1]);
#if defined(PPRT_HAVE_NEON)
  CU_ASSERT(ns == 2 && strcmp(all[1]->isa, "neon") == 0 && all[1]->act == pprt_nn_act_neon &&
            all[1]->gemm_no_min128 == &pprt_nn_gemm_neon_mlal);
#endif
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"variant sets listed and chosen", test_sets_listed},
      {"conv2d-fix: direct and every GEMM variant vs reference", test_conv},
      {"depthwise-conv2d-fix vs reference", test_depthwise},
      {"transposed-conv2d-fix (general and kernel == stride GEMM) vs reference", test_transposed},
      {"conv GEMM with several K and M blocks", test_conv_large},
      {"conv GEMM at K = 3*3*384 with -128 / 127 operands and saturation", test_conv_extreme},
      {"RELU6 bound 6 * 2^fp_out", test_relu6_bound},
      {"pool-fix MAX / AVG (DPU factor) vs reference", test_pool},
      {"eltwise-fix ADD vs reference", test_eltwise},
      {"concat-fix / rescale / upsample-fix vs reference", test_concat_rescale_upsample},
      {"relu / relu6 / leaky-relu: known values, float oracle, variant vs scalar", test_activation},
      {NULL, NULL}};
  return pprt_test_main("nn_ops", cases);
}
