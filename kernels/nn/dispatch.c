/* The NN kernels' variant sets and the one chosen for this process: the same mechanism as the pipeline kernels
 * (kernels/select: PPRT_KERNEL_SETS). */
#include "pprt/kernel_select.h"
#include "pprt/nn.h"

/* The families with a scalar variant only. */
#define SCALAR_OPS pprt_nn_pool_scalar, pprt_nn_eltwise_add_scalar, pprt_nn_rescale_rows_scalar, \
                   pprt_nn_upsample_nearest_scalar

/* Built in: scalar, then in increasing preference (AVX-512 VNNI ~1.6x AVX2 on the full model: docs/BENCHMARKS.md).
 * Fields: isa, gemm, gemm_no_min128, conv, act, pool, eltwise_add, rescale_rows, upsample_nearest. */
static const struct pprt_nn_kernel_set k_sets[] = {
    {"scalar", &pprt_nn_gemm_scalar, NULL, pprt_nn_conv_scalar, pprt_nn_act_scalar, SCALAR_OPS},
#if defined(PPRT_HAVE_NEON)
    {"neon", &pprt_nn_gemm_neon, &pprt_nn_gemm_neon_mlal, pprt_nn_conv_scalar, pprt_nn_act_neon, SCALAR_OPS},
#endif
#if defined(PPRT_HAVE_AVX2)
    {"avx2", &pprt_nn_gemm_avx2, NULL, pprt_nn_conv_scalar, pprt_nn_act_scalar, SCALAR_OPS},
#endif
#if defined(PPRT_HAVE_AVX512VNNI)
    {"avx512vnni", &pprt_nn_gemm_avx512vnni, NULL, pprt_nn_conv_scalar, pprt_nn_act_scalar, SCALAR_OPS},
#endif
};

PPRT_KERNEL_SETS(struct pprt_nn_kernel_set, pprt_nn_kernels, k_sets)

const struct pprt_nn_kernel_set* pprt_nn_kernels_scalar(void) { return &k_sets[0]; }

const struct pprt_nn_gemm_impl* pprt_nn_gemm_for(const struct pprt_nn_kernel_set* k, const int8_t* w, size_t len) {
  if (k->gemm_no_min128 == NULL) return k->gemm;
  for (size_t i = 0; i < len; ++i)
    if (w[i] == -128) return k->gemm;
  return k->gemm_no_min128;
}
