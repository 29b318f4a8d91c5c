/* pointquant, scalar reference: see include/pprt/kernels.h for the exact arithmetic. */
#include <assert.h>
#include <math.h>

#include "pprt/kernels.h"

static inline int8_t quant_sat(float f, float mean, float qscale) {
  float v = (f - mean) * qscale;
  v = floorf(v + 0.5f);
  if (v < -128.0f) v = -128.0f;
  if (v > 127.0f) v = 127.0f;
  return (int8_t)v;
}

/* VAI-L: int8_t = std::round(v), which GCC compiles to fcvtas (round half away, saturate to int32) + a byte store. */
static inline int8_t quant_wrap(float f, float mean, float qscale) {
  float v = roundf((f - mean) * qscale);
  uint32_t i;
  if (v >= 2147483648.0f)
    i = (uint32_t)INT32_MAX;
  else if (v < -2147483648.0f)
    i = (uint32_t)INT32_MIN;
  else if (v == v)
    i = (uint32_t)(int32_t)v;
  else
    i = 0; /* NaN */
  return (int8_t)(uint8_t)i;
}

static inline int8_t quant(int vai, float f, float mean, float qscale) {
  return vai ? quant_wrap(f, mean, qscale) : quant_sat(f, mean, qscale);
}

static inline int in_range(const struct pprt_pointquant_params* p, float x, float y, float z) {
  return x >= p->range_min[0] && x < p->range_max[0] && y >= p->range_min[1] && y < p->range_max[1] &&
         z >= p->range_min[2] && z < p->range_max[2];
}

static inline int in_filter(const struct pprt_pointquant_params* p, float x, float y, float z) {
  return x >= p->filter_min[0] && x <= p->filter_max[0] && y >= p->filter_min[1] && y <= p->filter_max[1] &&
         z >= p->filter_min[2] && z <= p->filter_max[2];
}

void pprt_pointquant_scalar(const struct pprt_pointquant_params* p, const float* pts, size_t n, size_t stride,
                            int32_t* cell, int8_t* q) {
  assert(p != NULL && (n == 0 || (pts != NULL && cell != NULL && q != NULL)));
  assert(stride >= 4 && p->num_features >= 4 && p->num_features <= PPRT_PQ_MAX_FEATURES);
  const int vai = p->vai_compat != 0;
  for (size_t i = 0; i < n; ++i) {
    const float* s = pts + i * stride;
    float x = s[0], y = s[1], z = s[2], in = s[3];
    if (!(isfinite(x) && isfinite(y) && isfinite(z) && isfinite(in))) {
      cell[i] = PPRT_PQ_NONFINITE;
      continue;
    }
    if (p->has_transform) {
      const float* R = p->rot;
      float tx = ((R[0] * x + R[1] * y) + R[2] * z) + p->trans[0];
      float ty = ((R[3] * x + R[4] * y) + R[5] * z) + p->trans[1];
      float tz = ((R[6] * x + R[7] * y) + R[8] * z) + p->trans[2];
      x = tx;
      y = ty;
      z = tz;
    }
    if (!(vai ? in_filter(p, x, y, z) : in_range(p, x, y, z))) {
      cell[i] = PPRT_PQ_DROPPED;
      continue;
    }
    float fx = floorf((x - p->range_min[0]) / p->voxel_size[0]);
    float fy = floorf((y - p->range_min[1]) / p->voxel_size[1]);
    float fz = floorf((z - p->range_min[2]) / p->voxel_size[2]);
    if (!(fx >= 0.0f && fx < (float)p->grid[0] && fy >= 0.0f && fy < (float)p->grid[1] && fz >= 0.0f &&
          fz < (float)p->grid[2])) {
      cell[i] = PPRT_PQ_DROPPED;
      continue;
    }
    cell[i] = (int32_t)fy * p->grid[0] + (int32_t)fx;
    int8_t* o = q + i * 8;
    o[0] = quant(vai, x, p->mean[0], p->qscale[0]);
    o[1] = quant(vai, y, p->mean[1], p->qscale[1]);
    o[2] = quant(vai, z, p->mean[2], p->qscale[2]);
    o[3] = quant(vai, in, p->mean[3], p->qscale[3]);
    for (uint32_t k = 4; k < p->num_features; ++k) o[k] = quant(vai, p->dt, p->mean[k], p->qscale[k]);
  }
}
