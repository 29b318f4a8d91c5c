/* pointquant_kitti, scalar reference: see include/pprt/kernels.h for the exact arithmetic. */
#include <assert.h>
#include <math.h>

#include "pprt/kernels.h"

static inline int8_t quant(float f, float qscale, float qoffset) {
  float v = roundf(f * qscale - qoffset);
  if (v < -128.0f) v = -128.0f;
  if (v > 127.0f) v = 127.0f;
  return (int8_t)v;
}

void pprt_pointquant_kitti_scalar(const struct pprt_pointquant_kitti_params* p, const float* pts, size_t n,
                                  size_t stride, int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)) && stride >= 4);
  for (size_t i = 0; i < n; ++i) {
    const float* s = pts + i * stride;
    if (!(isfinite(s[0]) && isfinite(s[1]) && isfinite(s[2]) && isfinite(s[3]))) {
      cell[i] = PPRT_PQ_NONFINITE;
      continue;
    }
    float c[3];
    int keep = 1;
    for (int j = 0; j < 3; ++j) {
      c[j] = floorf(s[j] / p->voxel_size[j] - p->cell_offset[j]);
      keep = keep && c[j] >= 0.0f && c[j] < (float)p->grid[j];
    }
    if (!keep) {
      cell[i] = PPRT_PQ_DROPPED;
      continue;
    }
    cell[i] = (int32_t)c[1] * p->grid[0] + (int32_t)c[0];
    for (int k = 0; k < 4; ++k) q[i * 8 + k] = quant(s[k], p->qscale[k], p->qoffset[k]);
  }
}
