/* Naive references of the DPU int8 ops for test_nn_ops and test_cpu_runner (see nn_ref.c). */
#ifndef PPRT_NN_REF_H
#define PPRT_NN_REF_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nn_ref_conv {
  int kind; /* 0 conv, 1 depthwise, 2 transposed (Vitis AI CPU reference form) */
  int ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl;
  int fp_in, fp_w, fp_b, fp_out;
  int nonlinear; /* 0 NONE, 1 RELU, 2 RELU6, 3 LEAKYRELU */
  int leaky_mult;
};
/* bias may be NULL */
void nn_ref_conv(const struct nn_ref_conv* c, const int8_t* in, const int8_t* w, const int8_t* bias, int8_t* out);

struct nn_ref_pool {
  int avg, ih, iw, c, oh, ow, kh, kw, sh, sw, pt, pl, fp_in, fp_out;
};
void nn_ref_pool(const struct nn_ref_pool* p, const int8_t* in, int8_t* out);
void nn_ref_eltwise(const int8_t* const* in, const int* fp, int n, size_t len, int fp_out, int relu, int8_t* out);
int8_t nn_ref_rescale(int x, int fp_in, int fp_out);

#ifdef __cplusplus
}
#endif
#endif
