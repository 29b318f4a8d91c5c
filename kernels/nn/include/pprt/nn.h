/* Internal: int8 neural-network kernels of the CPU runner (libpprt-cpu-runner.so), bit-exact with the DPU's
 * fixed-point arithmetic (docs/DESIGN.md, model contract 9). Tensors are NHWC int8 of one frame; a fix point fp means
 * real = q * 2^-fp. Every rounding is round half up (floor(x + 0.5), the DPU_ROUND of the Vitis AI CPU reference)
 * followed by saturation to [-128, 127]. Kernels are void, never allocate and assert their preconditions.
 *
 * Convolutions come in two forms with identical results:
 *  - pprt_nn_conv_scalar: a direct loop (every conv kind: normal, depthwise, transposed), the reference;
 *  - pprt_nn_conv_gemm: im2col + a packed int8 GEMM (normal convs, and transposed convs with kernel == stride,
 *    no padding, no dilation), with a per-ISA micro-kernel (struct pprt_nn_gemm_impl: scalar, AVX2,
 *    AVX-512 VNNI, NEON).
 * The runner calls every kernel through one variant set (struct pprt_nn_kernel_set, a table of function pointers per
 * ISA) chosen once per process the way the pipeline kernels are (pprt/kernel_select.h, PPRT_KERNELS); tests compare
 * every set of pprt_nn_kernels_all() with the scalar one. */
#ifndef PPRT_NN_H
#define PPRT_NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pprt_nn_conv_kind {
  PPRT_NN_CONV = 0,       /* weights [oc][kh][kw][ic] */
  PPRT_NN_DEPTHWISE = 1,  /* weights [1][kh][kw][c], oc == ic (channel multiplier 1) */
  PPRT_NN_TRANSPOSED = 2  /* weights [oc][kh][kw][ic]; the Vitis AI CPU reference's form: the input dilated by the
                             stride, padded by (dilated kernel - 1 - pad), then a plain correlation with the weights:
                             out[y] += in[iy] * w[ky] for y + ky*dil - (Kd - 1 - pad_t) == iy * stride */
};

struct pprt_nn_conv {
  int32_t kind; /* enum pprt_nn_conv_kind */
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, dil_h, dil_w;
  int32_t pad_t, pad_l; /* leading padding; trailing padding follows from the output size (zeros) */
};

enum pprt_nn_nonlinear { PPRT_NN_NONE = 0, PPRT_NN_RELU = 1, PPRT_NN_RELU6 = 2, PPRT_NN_LEAKYRELU = 3 };

/* Output stage of a convolution, per output channel oc and integer accumulator acc = sum(in * w):
 *   v = acc * 2^acc_shift + bias[oc]    (exact: bias[oc] = b * 2^(shift_bias + acc_shift), acc_shift =
 *                                         max(0, -shift_bias), shift_bias = fp_in + fp_w - fp_bias)
 *   LEAKYRELU and v < 0: v *= leaky_mult, s = shift + 8 (alpha = leaky_mult / 256); else s = shift
 *   r = s > 0 ? (v + 2^(s-1)) >> s : v * 2^-s    (shift = fp_in + fp_w - fp_out + acc_shift)
 *   out = clamp(r, lo, hi): lo = 0 for RELU / RELU6, -128 otherwise; hi = 127, or min(127, relu6_max) for RELU6.
 * (RELU6 clamps the real value at 6 = 6 * 2^fp_out in output units. Clamping after rounding is the same:
 * rounding is monotonic, so round(min(v, c)) = min(round(v), round(c)), with relu6_max = round(c).) */
struct pprt_nn_requant {
  int32_t acc_shift;
  int32_t shift;
  int32_t nonlinear;  /* enum pprt_nn_nonlinear */
  int32_t leaky_mult; /* 26 for the DPU's 0.1015625 */
  int32_t relu6_max;  /* pprt_nn_relu6_max(fp_out) */
  const int64_t* bias; /* [out_c] */
};

/* The RELU6 bound in output units: 6 * 2^fp_out rounded half up, at most 127 (e.g. 96 for fp 4, 24 for fp 2, 2 for
 * fp -2, 127 from fp 5 on). */
static inline int32_t pprt_nn_relu6_max(int32_t fp_out) {
  if (fp_out >= 5) return 127;
  if (fp_out >= 0) return 6 << fp_out;
  if (fp_out < -4) return 0; /* 6 * 2^-5 < 0.5 */
  return (6 + (1 << (-fp_out - 1))) >> -fp_out;
}

static inline int8_t pprt_nn_requant_one(const struct pprt_nn_requant* q, int64_t acc, int32_t oc) {
  int64_t v = acc * ((int64_t)1 << q->acc_shift) + q->bias[oc];
  int32_t s = q->shift;
  if (q->nonlinear == PPRT_NN_LEAKYRELU && v < 0) {
    v *= q->leaky_mult;
    s += 8;
  }
  int64_t r = s > 0 ? (v + ((int64_t)1 << (s - 1))) >> s : v * ((int64_t)1 << -s);
  int64_t lo = (q->nonlinear == PPRT_NN_RELU || q->nonlinear == PPRT_NN_RELU6) ? 0 : -128;
  int64_t hi = q->nonlinear == PPRT_NN_RELU6 && q->relu6_max < 127 ? q->relu6_max : 127;
  return (int8_t)(r < lo ? lo : r > hi ? hi : r);
}

/* Round-half-up rescale of one int8 value by 2^d (d = fp_out - fp_in), saturated. */
static inline int8_t pprt_nn_rescale_one(int32_t x, int32_t d) {
  int32_t r;
  if (d >= 8)
    r = x == 0 ? 0 : x > 0 ? 127 : -128;
  else if (d >= 0)
    r = x * (1 << d);
  else if (d > -16)
    r = (x + (1 << (-d - 1))) >> -d;
  else
    r = 0; /* |x| / 2^16 + 1/2 rounds to 0 */
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

/* ---------------- activation ops (relu, relu6, leaky-relu as ops of their own) ---------------- */

/* out = act(in) rescaled from fp_in to fp_out = fp_in + d, round half up, saturated: RELU / RELU6 take max(x, 0)
 * rescaled (RELU6 then at most relu6_max); LEAKYRELU takes x * 256 (x >= 0) or x * leaky_mult (x < 0) in units of
 * 2^-(fp_in + 8). What the DPU computes for these ops (docs/DESIGN.md, model contract 9). */
struct pprt_nn_act {
  int32_t nonlinear;  /* PPRT_NN_RELU, PPRT_NN_RELU6 or PPRT_NN_LEAKYRELU */
  int32_t d;          /* fp_out - fp_in */
  int32_t leaky_mult; /* alpha * 256 */
  int32_t relu6_max;  /* pprt_nn_relu6_max(fp_out) */
};
typedef void (*pprt_nn_act_fn)(const struct pprt_nn_act* a, const int8_t* in, size_t n, int8_t* out);
void pprt_nn_act_scalar(const struct pprt_nn_act* a, const int8_t* in, size_t n, int8_t* out);
void pprt_nn_act_neon(const struct pprt_nn_act* a, const int8_t* in, size_t n, int8_t* out); /* aarch64 builds */

/* Direct convolution of output rows [y0, y1) (all kinds). in [in_h][in_w][in_c], out [out_h][out_w][out_c]. */
typedef void (*pprt_nn_conv_fn)(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* w,
                                const struct pprt_nn_requant* q, int8_t* out, int32_t y0, int32_t y1);
void pprt_nn_conv_scalar(const struct pprt_nn_conv* p, const int8_t* in, const int8_t* w,
                         const struct pprt_nn_requant* q, int8_t* out, int32_t y0, int32_t y1);

/* ---------------- packed GEMM ---------------- */

/* One ISA's micro-kernel and packing. C[mr][nr] (+)= A_tile[mr][kc] * B_panel[nr][kc]^T, int32 exact. */
struct pprt_nn_gemm_impl {
  const char* name;
  int32_t mr, nr, kalign; /* tile rows, panel columns, K granularity (K is zero-padded to a multiple) */
  size_t elem;            /* bytes per packed element (1: int8, 2: int16) */
  /* Pack rows [0, rows) (rows <= mr, missing rows zero) of a[r * lda + k], k in [k0, k0 + kc) (zero beyond
   * k_end), into dst: kc / kalign groups of mr * kalign elements. */
  void (*pack_a)(const int8_t* a, size_t lda, int32_t rows, int32_t k0, int32_t kc, int32_t k_end, void* dst);
  /* Pack one panel of columns [0, cols) (cols <= nr) of w[n * ldw + k], k < k_len, into kpad / kalign groups of
   * nr * kalign elements (kpad = k_len rounded up to kalign). */
  void (*pack_b)(const int8_t* w, size_t ldw, int32_t cols, int32_t k_len, void* dst);
  /* kc a multiple of kalign; a, b at the k-group of the block; c row stride ldc (int32). */
  void (*kernel)(const void* a, const void* b, int32_t kc, int32_t* c, size_t ldc, int accumulate);
};

extern const struct pprt_nn_gemm_impl pprt_nn_gemm_scalar;
extern const struct pprt_nn_gemm_impl pprt_nn_gemm_avx2; /* x86-64 builds */
/* _mm512_dpbusd_epi32 on activations + 128 with a per-column correction (x86-64 builds whose compiler has it). */
extern const struct pprt_nn_gemm_impl pprt_nn_gemm_avx512vnni;
extern const struct pprt_nn_gemm_impl pprt_nn_gemm_neon; /* aarch64 builds */
/* Faster NEON kernel (vmlal_s8), exact only for weights without -128 (the NEON set's gemm_no_min128). */
extern const struct pprt_nn_gemm_impl pprt_nn_gemm_neon_mlal;

/* Whether pprt_nn_conv_gemm handles p: a normal conv, or a transposed conv with kernel == stride, no pad and
 * dilation 1 (then GEMM rows are input pixels and columns (ky, kx, oc)). */
int pprt_nn_conv_gemm_ok(const struct pprt_nn_conv* p);
/* GEMM sizes of p: M rows, N columns, K depth. */
void pprt_nn_conv_gemm_dims(const struct pprt_nn_conv* p, int32_t* m, int32_t* n, int32_t* k);
/* Bytes of the packed weights of p for g, and packing (once, at load). */
size_t pprt_nn_conv_packed_size(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p);
void pprt_nn_conv_pack(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p, const int8_t* w,
                       void* packed);
/* Per-thread scratch bytes of pprt_nn_conv_gemm for p. */
size_t pprt_nn_conv_scratch_size(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p);
/* GEMM rows [m0, m1) of p (split them across threads). scratch: pprt_nn_conv_scratch_size bytes, 64-aligned. */
void pprt_nn_conv_gemm(const struct pprt_nn_gemm_impl* g, const struct pprt_nn_conv* p, const int8_t* in,
                       const void* packed, const struct pprt_nn_requant* q, int8_t* out, int32_t m0, int32_t m1,
                       void* scratch);

/* ---------------- other ops (scalar; rows [y0, y1) of the output where given) ---------------- */

/* pool-fix: MAX over the in-range taps (padding ignored), then rescale by 2^(fp_out - fp_in);
 * AVG: sum of the in-range taps (padding counts as 0) * avg_mult, rounded half up by avg_shift + fp_in - fp_out.
 * in [in_h][in_w][c], out [out_h][out_w][c]. */
struct pprt_nn_pool {
  int32_t is_avg;
  int32_t in_h, in_w, c, out_h, out_w;
  int32_t k_h, k_w, stride_h, stride_w, pad_t, pad_l;
  int32_t fp_in, fp_out;
  int32_t avg_mult, avg_shift; /* pprt_nn_avgpool_factor */
};
void pprt_nn_pool_scalar(const struct pprt_nn_pool* p, const int8_t* in, int8_t* out, int32_t y0, int32_t y1);
/* The DPU's AVG factor for a kh x kw kernel: mult / 2^shift ~ 1 / (kh * kw) (fixed table for 3x3, 5x5, 6x6, 7x7,
 * 14x14, else the best approximation with shift < ceil(log2(kh * kw * 128))), as the Vitis AI CPU reference. */
void pprt_nn_avgpool_factor(int32_t k_h, int32_t k_w, int32_t* mult, int32_t* shift);

/* eltwise-fix ADD of n inputs of len elements: each aligned to fp_max = max(fp_in) (exact), summed,
 * nonlinear (NONE / RELU), then rescaled by 2^(fp_out - fp_max) with round half up, saturated. */
void pprt_nn_eltwise_add_scalar(const int8_t* const* in, const int32_t* fp_in, int32_t n, size_t len,
                                int32_t fp_out, int32_t nonlinear, int8_t* out);

/* Rescale-copy rows: out[r * out_stride + out_off + i] = rescale(in[r * in_stride + i], d), i < width.
 * concat-fix (one call per input), reshape-fix and fix with d = fp_out - fp_in. */
void pprt_nn_rescale_rows_scalar(const int8_t* in, size_t in_stride, size_t rows, size_t width, int32_t d,
                                 int8_t* out, size_t out_stride, size_t out_off);

/* upsample-fix NEAREST: out[y][x][c] = rescale(in[y / scale_h][x / scale_w][c], d). */
void pprt_nn_upsample_nearest_scalar(const int8_t* in, int32_t in_h, int32_t in_w, int32_t c, int32_t scale_h,
                                     int32_t scale_w, int32_t d, int8_t* out);

typedef void (*pprt_nn_pool_fn)(const struct pprt_nn_pool* p, const int8_t* in, int8_t* out, int32_t y0, int32_t y1);
typedef void (*pprt_nn_eltwise_add_fn)(const int8_t* const* in, const int32_t* fp_in, int32_t n, size_t len,
                                       int32_t fp_out, int32_t nonlinear, int8_t* out);
typedef void (*pprt_nn_rescale_rows_fn)(const int8_t* in, size_t in_stride, size_t rows, size_t width, int32_t d,
                                        int8_t* out, size_t out_stride, size_t out_off);
typedef void (*pprt_nn_upsample_nearest_fn)(const int8_t* in, int32_t in_h, int32_t in_w, int32_t c,
                                            int32_t scale_h, int32_t scale_w, int32_t d, int8_t* out);

/* ---------------- selection ---------------- */

/* One ISA's variant set: every op of the CPU runner (a family without a vector variant points at its scalar one). */
struct pprt_nn_kernel_set {
  const char* isa; /* "scalar", "neon", "avx2" or "avx512vnni" */
  const struct pprt_nn_gemm_impl* gemm;
  /* A faster micro-kernel of this ISA exact only when no weight is -128 (NEON: neon-mlal), or NULL; the choice per
   * convolution is pprt_nn_gemm_for. */
  const struct pprt_nn_gemm_impl* gemm_no_min128;
  pprt_nn_conv_fn conv; /* direct, every kind */
  pprt_nn_act_fn act;
  pprt_nn_pool_fn pool;
  pprt_nn_eltwise_add_fn eltwise_add;
  pprt_nn_rescale_rows_fn rescale_rows;
  pprt_nn_upsample_nearest_fn upsample_nearest;
};

/* The set for this process, chosen once (pthread_once) as the pipeline's pprt_kernels(): the best one this CPU
 * runs (x86-64: AVX-512 VNNI, else AVX2; aarch64: NEON), or the one the environment variable PPRT_KERNELS names at
 * first use (e.g. PPRT_KERNELS=scalar, PPRT_KERNELS=avx2). */
const struct pprt_nn_kernel_set* pprt_nn_kernels(void);
/* The scalar set, always available (the reference). */
const struct pprt_nn_kernel_set* pprt_nn_kernels_scalar(void);
/* Every set built into this binary and usable on this CPU: *count sets, [0] is scalar. */
const struct pprt_nn_kernel_set* const* pprt_nn_kernels_all(size_t* count);
/* The GEMM micro-kernel of set k for one convolution's weights w (len bytes): k->gemm_no_min128 when k has one and
 * no weight is -128, else k->gemm. */
const struct pprt_nn_gemm_impl* pprt_nn_gemm_for(const struct pprt_nn_kernel_set* k, const int8_t* w, size_t len);

#ifdef __cplusplus
}
#endif
#endif
