/* What pprt sees in a model (pprt/inspect.h): each xmodel's form, subgraphs, tensors and op counts
 * (pprt_xmodel_describe, model/xmodel.cpp), and for a two-subgraph model the parameters pprt_runtime_create will use
 * with where each came from. */
#include <stdio.h>
#include <string.h>

#include "backend/vart_backend.h"
#include "pprt_common/error.h"
#include "model/model_config.h"
#include "model/xmodel.h"
#include "pprt/inspect.h"

static void print_floats(FILE* out, const float* v, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) fprintf(out, "%s%g", i ? ", " : "", (double)v[i]);
}

/* The parameters pprt uses for a two-subgraph model, as pprt_runtime_create reads them: subgraph 0's prototxt (Vitis
 * AI 2.5's schema, VAI-L's meanings) and its optional pprt settings file, subgraph 1's prototxt only parsed; the
 * point features per point and the fix points from the xmodels (docs/PROTOTXT.md). */
enum pprt_status pprt_inspect_parameters(const char* const xmodel[2], const char* const prototxt[2], FILE* out) {
  if (xmodel == NULL || prototxt == NULL || out == NULL || xmodel[0] == NULL || xmodel[1] == NULL) {
    pprt_set_last_error("pprt_inspect_parameters: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  struct pprt_model_config c, c1;
  struct pprt_err err = {0};
  for (int k = 0; k < 2; ++k)
    if (prototxt[k] == NULL || prototxt[k][0] == '\0') {
      fprintf(out, "parameters: %s has no prototxt; pprt_runtime_create needs one per subgraph\n", xmodel[k]);
      return PPRT_STATUS_OK;
    }
  enum pprt_status st;
  if ((st = pprt_model_config_load(prototxt[0], &c, &err)) != PPRT_STATUS_OK ||
      (st = pprt_prototxt_load(prototxt[1], &c1, &err)) != PPRT_STATUS_OK) {
    pprt_set_last_error(err.msg);
    return st;
  }
  char settings[4096 + 16];
  snprintf(settings, sizeof settings, "%.*s.pprt", (int)(strlen(prototxt[0]) - strlen(".prototxt")), prototxt[0]);
  fprintf(out, "parameters pprt uses, and where each came from:\n  [prototxt 0] %s\n  [xmodel 0] %s\n  [xmodel 1] %s\n",
         prototxt[0], xmodel[0], xmodel[1]);
  if (c.present & PPRT_CFG_VOXEL_SIZE) fprintf(out, "  [settings] %s\n", settings);
  const char* dflt = "default (not in the prototxt)";
#define FROM(bit) (c.present & (bit) ? "prototxt 0" : dflt)
  fprintf(out, "  %-18s %d  <- %s\n", "model_type", c.model_type, FROM(PPRT_CFG_MODEL_TYPE));
  fprintf(out, "  %-18s ", "mean");
  print_floats(out, c.mean, c.num_mean);
  fprintf(out, "  <- %s\n", FROM(PPRT_CFG_MEAN));
  fprintf(out, "  %-18s ", "scale");
  print_floats(out, c.scale, c.num_scale);
  fprintf(out, "  <- %s\n", FROM(PPRT_CFG_SCALE));
  fprintf(out, "  %-18s ", "point filter range");
  print_floats(out, c.point_cloud_range, 6);
  fprintf(out, "  <- %s point_cloud_range\n", FROM(PPRT_CFG_POINT_CLOUD_RANGE));
  fprintf(out, "  %-18s ", "voxel size");
  print_floats(out, c.voxel_size, 3);
  fprintf(out, " over ");
  print_floats(out, c.voxel_range, 6);
  fprintf(out, "  <- %s\n", c.present & PPRT_CFG_VOXEL_SIZE ? "settings" : "VAI-L's fixed voxel grid (no settings file)");
  fprintf(out, "  %-18s %u  <- %s\n", "in_channels", c.in_channels, FROM(PPRT_CFG_IN_CHANNELS));
  fprintf(out, "  %-18s %u  <- %s\n", "max_points_num", c.max_points_num, FROM(PPRT_CFG_MAX_POINTS_NUM));
  fprintf(out, "  %-18s %u  <- %s\n", "max_voxels_num", c.max_voxels_num, FROM(PPRT_CFG_MAX_VOXELS_NUM));
  fprintf(out, "  %-18s %u x %u  <- %s\n", "featmap_size", c.featmap_size[0], c.featmap_size[1], FROM(PPRT_CFG_FEATMAP_SIZE));
  fprintf(out, "  %-18s %u ranges, %u sizes, %u rotations, scale %g  <- %s\n", "anchor_info", c.anchor.num_ranges,
         c.anchor.num_sizes, c.anchor.num_rotations, (double)c.anchor.scale, FROM(PPRT_CFG_ANCHOR_INFO));
  fprintf(out, "  %-18s %u  <- %s\n", "num_classes", c.num_classes, FROM(PPRT_CFG_NUM_CLASSES));
  fprintf(out, "  %-18s %u  <- %s\n", "nms_pre", c.nms_pre, FROM(PPRT_CFG_NMS_PRE));
  fprintf(out, "  %-18s %g  <- %s\n", "nms_thresh", (double)c.nms_thresh, FROM(PPRT_CFG_NMS_THRESH));
  fprintf(out, "  %-18s %u  <- %s\n", "max_num", c.max_num, FROM(PPRT_CFG_MAX_NUM));
  fprintf(out, "  %-18s %g  <- %s (the score_thresh option overrides)\n", "score_thresh", (double)c.score_thresh,
         FROM(PPRT_CFG_SCORE_THRESH));
  fprintf(out, "  %-18s %s / %s / %s  <- %s\n", "output layers", c.score_layer_name, c.bbox_layer_name, c.dir_layer_name,
         FROM(PPRT_CFG_SCORE_LAYER | PPRT_CFG_BBOX_LAYER | PPRT_CFG_DIR_LAYER));
#undef FROM
  /* Fix points: from the DPU subgraphs' tensors, through the loader pprt run uses. */
  pprt_xmodel* x[2] = {NULL, NULL};
  int rc = 0;
  for (int k = 0; k < 2 && rc == 0; ++k)
    if (pprt_xmodel_load(xmodel[k], &x[k], &err) != PPRT_STATUS_OK) {
      fprintf(out, "  (fix points: %s)\n", err.msg);
      rc = -1;
    }
  if (rc == 0 && pprt_xmodel_num_inputs(x[0]) > 0 && pprt_xmodel_num_outputs(x[0]) > 0 &&
      pprt_xmodel_num_inputs(x[1]) > 0) {
    const struct pprt_tensor_desc* in0 = pprt_xmodel_input(x[0], 0);
    const struct pprt_tensor_desc* out0 = pprt_xmodel_output(x[0], 0);
    const struct pprt_tensor_desc* in1 = pprt_xmodel_input(x[1], 0);
    fprintf(out, "  %-18s %d  <- xmodel 0, last dimension of %s\n", "point features", in0->dims[in0->ndim - 1], in0->name);
    fprintf(out, "  %-18s %d (point features x 2^%d)  <- xmodel 0, tensor %s\n", "DPU0 input fix", in0->fix_point,
           in0->fix_point, in0->name);
    fprintf(out, "  %-18s %d, DPU1 input fix %d: scatter shift %d  <- xmodel 0 %s, xmodel 1 %s\n", "DPU0 output fix",
           out0->fix_point, in1->fix_point, in1->fix_point - out0->fix_point, out0->name, in1->name);
    for (uint32_t i = 0; i < pprt_xmodel_num_outputs(x[1]); ++i)
      fprintf(out, "  %-18s %s fix %d  <- xmodel 1\n", i == 0 ? "DPU1 outputs" : "", pprt_xmodel_output(x[1], i)->name,
             pprt_xmodel_output(x[1], i)->fix_point);
  }
  pprt_xmodel_free(x[0]);
  pprt_xmodel_free(x[1]);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_inspect_xmodel(const char* path, FILE* out) {
  struct pprt_err err = {0};
  if (path == NULL || out == NULL) {
    pprt_set_last_error("pprt_inspect_xmodel: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = pprt_xmodel_describe(path, out, &err);
  if (st) pprt_set_last_error(err.msg);
  return st;
}

