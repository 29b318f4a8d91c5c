/* pointquant_kitti, NEON (AArch64): 4 points per iteration, bit-identical to pointquant_kitti-scalar.c: true IEEE
 * division (vdivq_f32), separate multiply and subtract (never vfmaq), floor by FRINTM (vrndmq_f32), roundf by FRINTA
 * (vrndaq_f32, half away from zero). A point is finite iff v - v == 0 for its four values. The tail (n % 4 points)
 * goes through the scalar reference. Reads only pts[i*stride + 0..3]. */
#include <arm_neon.h>
#include <assert.h>

#include "pprt/kernels.h"

void pprt_pointquant_kitti_neon(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                size_t stride, int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)) && stride >= 4);
  const float32x4_t zero = vdupq_n_f32(0.0f), lo8 = vdupq_n_f32(-128.0f), hi8 = vdupq_n_f32(127.0f);
  float32x4_t size[3], off[3], grid[3], qs[4], qo[4];
  for (int j = 0; j < 3; ++j) {
    size[j] = vdupq_n_f32(p->voxel_size[j]);
    off[j] = vdupq_n_f32(p->cell_offset[j]);
    grid[j] = vdupq_n_f32((float)p->grid[j]);
  }
  for (int k = 0; k < 4; ++k) {
    qs[k] = vdupq_n_f32(p->qscale[k]);
    qo[k] = vdupq_n_f32(p->qoffset[k]);
  }
  const int32x4_t gx = vdupq_n_s32(p->grid[0]);
  const int32x4_t dropped = vdupq_n_s32(PPRT_PQ_DROPPED), nonfinite = vdupq_n_s32(PPRT_PQ_NONFINITE);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    float32x4_t r0 = vld1q_f32(pts + i * stride), r1 = vld1q_f32(pts + (i + 1) * stride);
    float32x4_t r2 = vld1q_f32(pts + (i + 2) * stride), r3 = vld1q_f32(pts + (i + 3) * stride);
    /* 4x4 transpose: rows (one point) -> columns (one feature of 4 points) */
    float32x4_t t0 = vzip1q_f32(r0, r2), t1 = vzip2q_f32(r0, r2), t2 = vzip1q_f32(r1, r3), t3 = vzip2q_f32(r1, r3);
    float32x4_t v[4] = {vzip1q_f32(t0, t2), vzip2q_f32(t0, t2), vzip1q_f32(t1, t3), vzip2q_f32(t1, t3)};
    float32x4_t e = vaddq_f32(vaddq_f32(vsubq_f32(v[0], v[0]), vsubq_f32(v[1], v[1])),
                              vaddq_f32(vsubq_f32(v[2], v[2]), vsubq_f32(v[3], v[3])));
    uint32x4_t finite = vceqq_f32(e, zero), keep = finite;
    float32x4_t c[3];
    for (int j = 0; j < 3; ++j) {
      c[j] = vrndmq_f32(vsubq_f32(vdivq_f32(v[j], size[j]), off[j]));
      keep = vandq_u32(keep, vandq_u32(vcgeq_f32(c[j], zero), vcltq_f32(c[j], grid[j])));
    }
    int32x4_t idx = vmlaq_s32(vcvtq_s32_f32(c[0]), vcvtq_s32_f32(c[1]), gx); /* saturating conversions: no UB */
    idx = vbslq_s32(keep, idx, vbslq_s32(finite, dropped, nonfinite));
    vst1q_s32(cell + i, idx);
    int32x4_t qv[4];
    for (int k = 0; k < 4; ++k) {
      float32x4_t t = vrndaq_f32(vsubq_f32(vmulq_f32(v[k], qs[k]), qo[k]));
      qv[k] = vcvtq_s32_f32(vminq_f32(vmaxq_f32(t, lo8), hi8)); /* NaN lanes convert to 0 */
    }
    /* columns -> point-major bytes x y z i of each point */
    int16x8_t xy = vcombine_s16(vmovn_s32(qv[0]), vmovn_s32(qv[1]));
    int16x8_t zi = vcombine_s16(vmovn_s32(qv[2]), vmovn_s32(qv[3]));
    int8x16_t b = vcombine_s8(vmovn_s16(xy), vmovn_s16(zi)); /* x0..3 y0..3 z0..3 i0..3 */
    static const uint8_t k_order[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};
    int8x16_t pm = vqtbl1q_s8(b, vld1q_u8(k_order));
    int32x4_t w = vreinterpretq_s32_s8(pm);
    vst1q_lane_s32((int32_t*)(void*)(q + (i + 0) * 8), w, 0);
    vst1q_lane_s32((int32_t*)(void*)(q + (i + 1) * 8), w, 1);
    vst1q_lane_s32((int32_t*)(void*)(q + (i + 2) * 8), w, 2);
    vst1q_lane_s32((int32_t*)(void*)(q + (i + 3) * 8), w, 3);
  }
  if (i < n) pprt_pointquant_kitti_scalar(p, pts + i * stride, n - i, stride, cell + i, q + i * 8);
}
