/* Internal: pprt's hot loops. Each kernel family has a readable scalar reference (<op>-scalar.c) and vector
 * variants (<op>-neon.c on aarch64, <op>-avx2.c on x86-64). Kernels are void, never log, never allocate and assert
 * their preconditions. pprt_kernels() picks one variant set (a struct of function pointers per ISA) once per process;
 * tests call every set of pprt_kernels_all() and compare it with the scalar reference.
 *
 * Floating-point: every kernel computes in float32 with separate multiply and add (the project is compiled with
 * -ffp-contract=off) so that scalar, NEON, AVX2 and the numpy oracle agree bit for bit. */
#ifndef PPRT_KERNELS_H
#define PPRT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------- pointquant: transform + range filter + pillar cell + int8 features of a block of points ------- */

#define PPRT_PQ_MAX_FEATURES 8
#define PPRT_PQ_DROPPED (-1)   /* outside the point-cloud range or the grid */
#define PPRT_PQ_NONFINITE (-2) /* x, y, z or intensity is NaN or Inf */

struct pprt_pointquant_params {
  int has_transform;             /* 0: the points are already in the key frame (key sweep) */
  float rot[9];                  /* row-major R: x' = ((R0*x + R1*y) + R2*z) + t0, likewise y', z' */
  float trans[3];
  float dt;                      /* time lag of this sweep, seconds (feature 4) */
  float range_min[3], range_max[3]; /* the voxel grid's range: cell origin, and the default mode's point filter */
  float filter_min[3], filter_max[3]; /* vai_compat only: VAI-L's point filter (the prototxt's point_cloud_range) */
  float voxel_size[3];
  int32_t grid[3];               /* cells: c_j = (int)floorf((p'_j - range_min_j) / voxel_size_j) */
  uint32_t num_features;         /* features per point written: 4 (x, y, z, intensity) or 5 (+ dt) */
  float mean[PPRT_PQ_MAX_FEATURES];
  float qscale[PPRT_PQ_MAX_FEATURES]; /* scale_k * 2^fix_point; v_k = (f_k - mean_k) * qscale_k */
  int vai_compat;                /* the two modes of README "Modes":
                                  * 0 (mmdetection3d 0.6.1): kept iff range_min_j <= p'_j < range_max_j (PointsRangeFilter)
                                  *   and c_j in [0, grid_j); q_k = sat8(floorf(v_k + 0.5f)) (round half up, saturate);
                                  * 1 (VAI-L 2.5): kept iff filter_min_j <= p'_j <= filter_max_j (its
                                  *   points_filter, inclusive) and c_j in [0, grid_j) (its voxelizer's only test);
                                  *   q_k = the low byte of roundf(v_k) (half away from zero, std::round) converted to
                                  *   int32 with saturation (AArch64 fcvtas, the board's conversion): the plain cast of
                                  *   VAI-L, so v_k >= 127.5 wraps to -128 */
};

/* For i in [0, n): point i is pts[i*stride + 0..3] (x, y, z, intensity).
 * cell[i] = cy * grid[0] + cx for a kept point, PPRT_PQ_DROPPED or PPRT_PQ_NONFINITE otherwise;
 * q[i*8 + k] for k < num_features = the int8 feature k of a kept point (unspecified for dropped points). */
typedef void (*pprt_pointquant_fn)(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                                   int32_t* cell, int8_t* q);

void pprt_pointquant_scalar(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                            int32_t* cell, int8_t* q);
void pprt_pointquant_neon(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                          int32_t* cell, int8_t* q);
void pprt_pointquant_avx2(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                          int32_t* cell, int8_t* q);

/* ---------------- pointquant_kitti: cell + int8 features of KITTI points (docs/KITTI.md, "Points") ---------------
 * The arithmetic of the Vitis AI KITTI PointPillars preprocess (second.pytorch normalisation by the range span), on
 * points already in the lidar frame (one sweep, no transform), 4 features:
 *   c_j = floorf(p_j / voxel_size_j - cell_offset_j)   (cell_offset_j = range_min_j / voxel_size_j), kept iff
 *         0 <= c_j < grid_j for j = x, y, z (there is no other range filter);
 *   q_k = sat8(roundf(p_k * qscale_k - qoffset_k)), k = 0..3 (roundf: half away from zero; saturation is pprt's,
 *         the reference converts without it and only differs on points whose features leave [-128, 127]). */
struct pprt_pointquant_kitti_params {
  float voxel_size[3];
  float cell_offset[3];
  int32_t grid[3];
  float qscale[4];
  float qoffset[4];
};

/* For i in [0, n): point i is pts[i*stride + 0..3]. cell[i] = c_y * grid[0] + c_x for a kept point,
 * PPRT_PQ_DROPPED or PPRT_PQ_NONFINITE otherwise; q[i*8 + k], k < 4, the features of a kept point (bytes 4..7 and
 * the bytes of dropped points are unspecified). Reads only pts[i*stride + 0..3]. */
typedef void (*pprt_pointquant_kitti_fn)(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                         size_t stride, int32_t* cell, int8_t* q);
void pprt_pointquant_kitti_scalar(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                  size_t stride, int32_t* cell, int8_t* q);
void pprt_pointquant_kitti_neon(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                size_t stride, int32_t* cell, int8_t* q);
void pprt_pointquant_kitti_avx2(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                size_t stride, int32_t* cell, int8_t* q);

/* ---------------- scatter: pillar features onto the BEV canvas [H][W][C] ---------------- */

enum pprt_requant_mode {
  PPRT_REQUANT_DPU = 0,      /* shift > 0: q << shift saturated; shift < 0: (q + 2^(s-1)) >> s (round half up) */
  PPRT_REQUANT_TRUNCATE = 1  /* VAI-L: q * 2^shift truncated toward zero, no saturation (wraps to int8) */
};

/* For each i < n: canvas[(coords[2i] * W + coords[2i+1]) * C + c] = requant(feat[i * feat_stride + c], shift) for
 * c < C. shift = fix_point(DPU1 input) - fix_point(DPU0 output). */
typedef void (*pprt_scatter_fn)(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n,
                                int8_t* canvas, size_t W, size_t C, int shift, enum pprt_requant_mode mode);
void pprt_scatter_scalar(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                         size_t W, size_t C, int shift, enum pprt_requant_mode mode);
void pprt_scatter_neon(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                       size_t W, size_t C, int shift, enum pprt_requant_mode mode);
void pprt_scatter_avx2(const int8_t* feat, size_t feat_stride, const int32_t* coords, size_t n, int8_t* canvas,
                       size_t W, size_t C, int shift, enum pprt_requant_mode mode);

/* Zero the C channels of each of the n cells (y, x) in coords. */
typedef void (*pprt_canvas_clear_fn)(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C);
void pprt_canvas_clear_scalar(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C);
void pprt_canvas_clear_neon(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C);
void pprt_canvas_clear_avx2(int8_t* canvas, const int32_t* coords, size_t n, size_t W, size_t C);

/* ---------------- threshold scan over the int8 class logits [A][K] ---------------- */

/* For each anchor a < num_anchors whose largest logit max_k cls[a*K + k] is > thr, in increasing a:
 * idx[j] = a, maxv[j] = that largest logit. Returns the count j (<= num_anchors). */
typedef size_t (*pprt_threshold_scan_fn)(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr,
                                         uint32_t* idx, int8_t* maxv);
size_t pprt_threshold_scan_scalar(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr,
                                  uint32_t* idx, int8_t* maxv);
size_t pprt_threshold_scan_neon(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr,
                                uint32_t* idx, int8_t* maxv);
size_t pprt_threshold_scan_avx2(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr,
                                uint32_t* idx, int8_t* maxv);

/* ---------------- selection ---------------- */

struct pprt_kernels {
  pprt_pointquant_fn pointquant;
  pprt_scatter_fn scatter;
  pprt_canvas_clear_fn canvas_clear;
  pprt_threshold_scan_fn threshold_scan;
  pprt_pointquant_kitti_fn pointquant_kitti;
  const char* isa; /* "scalar", "neon" or "avx2" */
};

/* The kernels for this process, chosen once (pthread_once, kernels/select/include/pprt/kernel_select.h): the best
 * variant the CPU supports, or the one the environment variable PPRT_KERNELS names at first use (PPRT_KERNELS=scalar;
 * the same choice as the CPU runner's pprt_nn_kernels()). */
const struct pprt_kernels* pprt_kernels(void);

/* The scalar set, always available (for A/B checks). */
const struct pprt_kernels* pprt_kernels_scalar(void);

/* Every variant set built into this binary and usable on this CPU: *count sets; [0] is scalar. */
const struct pprt_kernels* const* pprt_kernels_all(size_t* count);

#ifdef __cplusplus
}
#endif
#endif
