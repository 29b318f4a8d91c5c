/* Voxelization (docs/DESIGN.md, model contract 3-4): points -> pillars of int8 features, the DPU0 input tensor.
 * The per-point arithmetic (transform, range filter, cell, quantization) is the pointquant kernel; this file owns
 * the pillar bookkeeping: ids in order of first appearance, slots in arrival order, the pillar limit in both
 * modes (mmdet3d: skip new pillars, keep filling old ones; vai_compat: stop the frame), and the lazy reset of only
 * the cells the previous frame used. No allocation after pprt_vox_state_init. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stages/stages.h"

enum pprt_status pprt_vox_params_init(struct pprt_vox_params* vp, const struct pprt_model_config* cfg,
                                      int32_t dpu0_input_fix_point, int vai_compat, struct pprt_err* err) {
  if (vp == NULL || cfg == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "voxelize: NULL argument");
  memset(vp, 0, sizeof *vp);
  const uint32_t nf = cfg->num_features;
  if (nf < 4 || nf > PPRT_PQ_MAX_FEATURES)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "voxelize: DPU0's input has %u features per point, pprt supports 4 (x, y, z, intensity) to %d", nf,
                     PPRT_PQ_MAX_FEATURES);
  if (cfg->num_mean < nf || cfg->num_scale < nf)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "voxelize: DPU0's input has %u features per point but the prototxt gives %u mean and %u scale "
                     "values", nf, cfg->num_mean, cfg->num_scale);
  if (cfg->max_points_num == 0 || cfg->max_points_num > UINT16_MAX)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: max_points_num %u is not in [1, %u]",
                     cfg->max_points_num, (unsigned)UINT16_MAX);
  if (cfg->max_voxels_num == 0 || cfg->max_voxels_num > (uint32_t)INT32_MAX)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: max_voxels_num %u is out of range",
                     cfg->max_voxels_num);
  if (dpu0_input_fix_point < -32 || dpu0_input_fix_point > 32)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: DPU0 input fix_point %d is out of range [-32, 32]",
                     (int)dpu0_input_fix_point);
  static const char axis[3] = {'x', 'y', 'z'};
  for (int j = 0; j < 3; ++j) {
    float lo = cfg->voxel_range[j], hi = cfg->voxel_range[j + 3], size = cfg->voxel_size[j];
    if (!(isfinite(lo) && isfinite(hi) && lo < hi) || !(isfinite(size) && size > 0.0f))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "voxelize: voxel grid %c [%g, %g] or voxel_size %g is not usable", axis[j], (double)lo,
                       (double)hi, (double)size);
    float g = roundf((hi - lo) / size);
    if (!(g >= 1.0f && g <= 65536.0f))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: the %c grid has %g cells", axis[j], (double)g);
    vp->range_min[j] = lo;
    vp->range_max[j] = hi;
    vp->voxel_size[j] = size;
    vp->grid[j] = (int32_t)g;
  }
  /* The point filter. mmdet3d (default): the grid's range, what the network was trained with (PointsRangeFilter with
   * the config's point_cloud_range, z -5..3), min <= p < max. vai_compat: VAI-L's run(PointsInfo) filters with the
   * prototxt's point_cloud_range (z -3..3 in the Model Zoo's), min <= p <= max, then its voxelizer tests the grid
   * alone; the kernel does both (kernels.h: filter_min / filter_max). */
  for (int j = 0; j < 3; ++j) {
    vp->filter_min[j] = cfg->point_cloud_range[j];
    vp->filter_max[j] = cfg->point_cloud_range[j + 3];
    if (vai_compat && !(isfinite(vp->filter_min[j]) && isfinite(vp->filter_max[j]) &&
                        vp->filter_min[j] <= vp->filter_max[j]))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize (vai_compat): point_cloud_range %c [%g, %g] is not usable",
                       axis[j], (double)vp->filter_min[j], (double)vp->filter_max[j]);
  }
  if (vp->grid[2] != 1)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "voxelize: the z grid has %d cells; pillars need one (voxel_size z == z range)", (int)vp->grid[2]);
  if ((int64_t)vp->grid[0] * vp->grid[1] > INT32_MAX)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: grid %d x %d is too large", (int)vp->grid[0],
                     (int)vp->grid[1]);
  vp->num_features = nf;
  vp->max_slots = cfg->max_points_num;
  vp->max_pillars = cfg->max_voxels_num;
  for (uint32_t k = 0; k < nf; ++k) {
    vp->mean[k] = cfg->mean[k];
    vp->qscale[k] = ldexpf(cfg->scale[k], dpu0_input_fix_point); /* exact: a power-of-two scaling */
    if (!isfinite(vp->mean[k]) || !isfinite(vp->qscale[k]))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "voxelize: mean/scale of feature %u is not finite", k);
  }
  vp->vai_compat = vai_compat ? 1 : 0;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_vox_state_init(struct pprt_vox_state* vs, const struct pprt_vox_params* vp,
                                     struct pprt_err* err) {
  if (vs == NULL || vp == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "voxelize: NULL argument");
  memset(vs, 0, sizeof *vs);
  size_t cells = (size_t)vp->grid[0] * (size_t)vp->grid[1];
  vs->cell_pillar = malloc(cells * sizeof *vs->cell_pillar);
  vs->fill = malloc((size_t)vp->max_pillars * sizeof *vs->fill);
  vs->coords = malloc((size_t)vp->max_pillars * 2 * sizeof *vs->coords);
  vs->blk_cell = malloc(PPRT_VOX_BLOCK * sizeof *vs->blk_cell);
  vs->blk_q = malloc(PPRT_VOX_BLOCK * 8);
  if (!vs->cell_pillar || !vs->fill || !vs->coords || !vs->blk_cell || !vs->blk_q) {
    pprt_vox_state_free(vs);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "voxelize: cannot allocate the pillar tables (%zu cells, %u pillars)",
                     cells, vp->max_pillars);
  }
  memset(vs->cell_pillar, 0xff, cells * sizeof *vs->cell_pillar); /* -1: no pillar */
  return PPRT_STATUS_OK;
}

void pprt_vox_state_free(struct pprt_vox_state* vs) {
  if (vs == NULL) return;
  free(vs->cell_pillar);
  free(vs->fill);
  free(vs->coords);
  free(vs->blk_cell);
  free(vs->blk_q);
  memset(vs, 0, sizeof *vs);
}

void pprt_vox_begin(const struct pprt_vox_params* vp, struct pprt_vox_state* vs) {
  const size_t gx = (size_t)vp->grid[0];
  for (uint32_t i = 0; i < vs->num_pillars; ++i)
    vs->cell_pillar[(size_t)vs->coords[2 * i] * gx + (size_t)vs->coords[2 * i + 1]] = -1;
  vs->num_pillars = 0;
  vs->stopped = 0;
  memset(&vs->counts, 0, sizeof vs->counts);
}

/* Assign the points of one sweep to pillars, block by block: the kernel computes cells and int8 features, this loop
 * does the bookkeeping. Everything it touches per point is held in locals: the output tensor is int8_t, which may
 * alias anything, so fields read through vs would otherwise be reloaded after every store. */
static inline __attribute__((always_inline)) void vox_assign(const struct pprt_vox_params* vp,
                                                             struct pprt_vox_state* vs, const struct pprt_kernels* k,
                                                             const struct pprt_pointquant_params* p, const float* pts,
                                                             size_t n, size_t stride, int8_t* out, const uint32_t nf,
                                                             const uint32_t slots, const uint32_t gx) {
  const size_t row_bytes = (size_t)slots * nf;
  int32_t* const cell_pillar = vs->cell_pillar;
  uint16_t* const fill = vs->fill;
  int32_t* const coords = vs->coords;
  int32_t* const blk_cell = vs->blk_cell;
  int8_t* const blk_q = vs->blk_q;
  const uint32_t max_pillars = vp->max_pillars;
  const int vai = vp->vai_compat;
  uint32_t num_pillars = vs->num_pillars;
  uint32_t nonfinite = 0, out_of_range = 0, overflow = 0;
  for (size_t b = 0; b < n; b += PPRT_VOX_BLOCK) {
    const size_t m = n - b < PPRT_VOX_BLOCK ? n - b : PPRT_VOX_BLOCK;
    if (vp->kitti)
      k->pointquant_kitti(&vp->kq, pts + b * stride, m, stride, blk_cell, blk_q);
    else
      k->pointquant(p, pts + b * stride, m, stride, blk_cell, blk_q);
    for (size_t j = 0; j < m; ++j) {
      const int32_t c = blk_cell[j];
      if (c < 0) {
        if (c == PPRT_PQ_NONFINITE)
          ++nonfinite;
        else
          ++out_of_range;
        continue;
      }
      int32_t id = cell_pillar[c];
      if (id < 0) {
        if (num_pillars == max_pillars) {
          if (vai) { /* VAI-L: stop reading points, here and in every later sweep of the frame */
            vs->stopped = 1;
            overflow += (uint32_t)(n - (b + j));
            goto done;
          }
          ++overflow; /* mmdet3d: no new pillar, keep filling the existing ones */
          continue;
        }
        id = (int32_t)num_pillars++;
        cell_pillar[c] = id;
        coords[2 * id] = (int32_t)((uint32_t)c / gx);
        coords[2 * id + 1] = (int32_t)((uint32_t)c % gx);
        fill[id] = 0;
        memset(out + (size_t)id * row_bytes, 0, row_bytes);
      }
      const uint32_t f = fill[id];
      if (f >= slots) {
        ++overflow;
        continue;
      }
      fill[id] = (uint16_t)(f + 1);
      memcpy(out + ((size_t)id * slots + f) * nf, blk_q + j * 8, nf);
    }
  }
done:
  vs->num_pillars = num_pillars;
  vs->counts.nonfinite += nonfinite;
  vs->counts.out_of_range += out_of_range;
  vs->counts.overflow += overflow;
}

void pprt_vox_add(const struct pprt_vox_params* vp, struct pprt_vox_state* vs, const struct pprt_kernels* k,
                  const float* pts, size_t n, size_t stride, const float* rot9, const float* trans3, float dt,
                  int8_t* out) {
  vs->counts.points_in += (uint32_t)n;
  if (vs->stopped) {
    vs->counts.overflow += (uint32_t)n;
    return;
  }
  struct pprt_pointquant_params p;
  memset(&p, 0, sizeof p);
  p.has_transform = rot9 != NULL;
  if (rot9 != NULL) memcpy(p.rot, rot9, sizeof p.rot);
  if (trans3 != NULL) memcpy(p.trans, trans3, sizeof p.trans);
  p.dt = dt;
  memcpy(p.range_min, vp->range_min, sizeof p.range_min);
  memcpy(p.range_max, vp->range_max, sizeof p.range_max);
  memcpy(p.filter_min, vp->filter_min, sizeof p.filter_min);
  memcpy(p.filter_max, vp->filter_max, sizeof p.filter_max);
  memcpy(p.voxel_size, vp->voxel_size, sizeof p.voxel_size);
  memcpy(p.grid, vp->grid, sizeof p.grid);
  p.num_features = vp->num_features;
  memcpy(p.mean, vp->mean, sizeof p.mean);
  memcpy(p.qscale, vp->qscale, sizeof p.qscale);
  p.vai_compat = vp->vai_compat; /* range filter and int8 conversion of each mode (kernels.h, README "Modes") */

  const uint32_t nf = vp->num_features, slots = vp->max_slots, gx = (uint32_t)vp->grid[0];
  switch (nf) { /* a constant feature count lets the compiler inline the per-point copy */
    case 4:
      vox_assign(vp, vs, k, &p, pts, n, stride, out, 4, slots, gx);
      break;
    case 5:
      vox_assign(vp, vs, k, &p, pts, n, stride, out, 5, slots, gx);
      break;
    default:
      vox_assign(vp, vs, k, &p, pts, n, stride, out, nf, slots, gx);
      break;
  }
}
