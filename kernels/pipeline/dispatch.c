/* The pipeline kernels' variant sets and the one chosen for this process (kernels/select: PPRT_KERNEL_SETS). */
#include "pprt/kernel_select.h"
#include "pprt/kernels.h"

/* Built in: scalar, then in increasing preference. */
static const struct pprt_kernels k_sets[] = {
    {pprt_pointquant_scalar, pprt_scatter_scalar, pprt_canvas_clear_scalar, pprt_threshold_scan_scalar,
     pprt_pointquant_kitti_scalar, "scalar"},
#if defined(PPRT_HAVE_NEON)
    {pprt_pointquant_neon, pprt_scatter_neon, pprt_canvas_clear_neon, pprt_threshold_scan_neon,
     pprt_pointquant_kitti_neon, "neon"},
#endif
#if defined(PPRT_HAVE_AVX2)
    {pprt_pointquant_avx2, pprt_scatter_avx2, pprt_canvas_clear_avx2, pprt_threshold_scan_avx2,
     pprt_pointquant_kitti_avx2, "avx2"},
#endif
};

PPRT_KERNEL_SETS(struct pprt_kernels, pprt_kernels, k_sets)

const struct pprt_kernels* pprt_kernels_scalar(void) { return &k_sets[0]; }
