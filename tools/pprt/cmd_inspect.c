/* pprt inspect MODEL...: what pprt sees in a model: for each .xmodel its form (compiled / quantized / pprt-generated),
 * subgraphs (device, DPU name and fingerprint), input / output tensors with shapes and fix points, op counts by type
 * and G-op (model/xmodel.cpp); for a model with prototxt files the parameters pprt will use and where each came from.
 * MODEL: one .xmodel, a Model Zoo folder (<name>/<name>.xmodel + <name>.prototxt), a model folder holding the two
 * (<name>_0_pt/, <name>_1_pt/, as `pprt run --model` takes it), or the two Model Zoo folders. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/vart_backend.h"
#include "commands.h"
#include "model/model_config.h"
#include "model/xmodel.h"

#define PATH_CAP 4096

struct model_files {
  char xmodel[PATH_CAP];
  char prototxt[PATH_CAP]; /* "" if the folder has none */
};

static int is_dir(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A Model Zoo folder: DIR/<basename>.xmodel (+ .prototxt). */
static int zoo_folder(const char* dir, struct model_files* m) {
  char d[PATH_CAP / 2 - 16]; /* d + '/' + its last component + ".prototxt" fits in PATH_CAP */
  if (snprintf(d, sizeof d, "%s", dir) >= (int)sizeof d) return 0;
  size_t n = strlen(d);
  while (n > 1 && d[n - 1] == '/') d[--n] = '\0';
  const char* base = strrchr(d, '/');
  base = base ? base + 1 : d;
  if (snprintf(m->xmodel, sizeof m->xmodel, "%s/%s.xmodel", d, base) >= (int)sizeof m->xmodel) return 0;
  snprintf(m->prototxt, sizeof m->prototxt, "%s/%s.prototxt", d, base);
  if (!is_file(m->xmodel)) return 0;
  if (!is_file(m->prototxt)) m->prototxt[0] = '\0';
  return 1;
}

/* The sub-folder of dir ending in _<k>_pt holding a Model Zoo folder; 1 if exactly one. */
static int model_subfolder(const char* dir, int k, struct model_files* m) {
  char suffix[16];
  snprintf(suffix, sizeof suffix, "_%d_pt", k);
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name), s = strlen(suffix);
    if (e->d_name[0] == '.' || n < s || strcmp(e->d_name + n - s, suffix) != 0) continue;
    char sub[PATH_CAP];
    if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= (int)sizeof sub) continue;
    if (is_dir(sub) && zoo_folder(sub, m)) ++found;
  }
  closedir(d);
  return found == 1;
}

static void print_floats(const float* v, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) printf("%s%g", i ? ", " : "", (double)v[i]);
}

/* The parameters pprt uses for a two-subgraph model, as pprt_runtime_create reads them: subgraph 0's prototxt (Vitis
 * AI 2.5's schema, VAI-L's meanings) and its optional pprt settings file, subgraph 1's prototxt only parsed; the
 * point features per point and the fix points from the xmodels (docs/PROTOTXT.md). */
static int print_parameters(const struct model_files m[2]) {
  struct pprt_model_config c, c1;
  struct pprt_err err = {0};
  for (int k = 0; k < 2; ++k)
    if (m[k].prototxt[0] == '\0') {
      printf("parameters: %s has no prototxt; pprt run needs one per subgraph\n", m[k].xmodel);
      return 0;
    }
  if (pprt_model_config_load(m[0].prototxt, &c, &err) != PPRT_STATUS_OK ||
      pprt_prototxt_load(m[1].prototxt, &c1, &err) != PPRT_STATUS_OK) {
    fprintf(stderr, "pprt inspect: %s\n", err.msg);
    return 1;
  }
  char settings[PATH_CAP];
  snprintf(settings, sizeof settings, "%.*s.pprt", (int)(strlen(m[0].prototxt) - strlen(".prototxt")), m[0].prototxt);
  printf("parameters pprt uses, and where each came from:\n  [prototxt 0] %s\n  [xmodel 0] %s\n  [xmodel 1] %s\n",
         m[0].prototxt, m[0].xmodel, m[1].xmodel);
  if (c.present & PPRT_CFG_VOXEL_SIZE) printf("  [settings] %s\n", settings);
  const char* dflt = "default (not in the prototxt)";
#define FROM(bit) (c.present & (bit) ? "prototxt 0" : dflt)
  printf("  %-18s %d  <- %s\n", "model_type", c.model_type, FROM(PPRT_CFG_MODEL_TYPE));
  printf("  %-18s ", "mean");
  print_floats(c.mean, c.num_mean);
  printf("  <- %s\n", FROM(PPRT_CFG_MEAN));
  printf("  %-18s ", "scale");
  print_floats(c.scale, c.num_scale);
  printf("  <- %s\n", FROM(PPRT_CFG_SCALE));
  printf("  %-18s ", "point filter range");
  print_floats(c.point_cloud_range, 6);
  printf("  <- %s point_cloud_range\n", FROM(PPRT_CFG_POINT_CLOUD_RANGE));
  printf("  %-18s ", "voxel size");
  print_floats(c.voxel_size, 3);
  printf(" over ");
  print_floats(c.voxel_range, 6);
  printf("  <- %s\n", c.present & PPRT_CFG_VOXEL_SIZE ? "settings" : "VAI-L's fixed voxel grid (no settings file)");
  printf("  %-18s %u  <- %s\n", "in_channels", c.in_channels, FROM(PPRT_CFG_IN_CHANNELS));
  printf("  %-18s %u  <- %s\n", "max_points_num", c.max_points_num, FROM(PPRT_CFG_MAX_POINTS_NUM));
  printf("  %-18s %u  <- %s\n", "max_voxels_num", c.max_voxels_num, FROM(PPRT_CFG_MAX_VOXELS_NUM));
  printf("  %-18s %u x %u  <- %s\n", "featmap_size", c.featmap_size[0], c.featmap_size[1], FROM(PPRT_CFG_FEATMAP_SIZE));
  printf("  %-18s %u ranges, %u sizes, %u rotations, scale %g  <- %s\n", "anchor_info", c.anchor.num_ranges,
         c.anchor.num_sizes, c.anchor.num_rotations, (double)c.anchor.scale, FROM(PPRT_CFG_ANCHOR_INFO));
  printf("  %-18s %u  <- %s\n", "num_classes", c.num_classes, FROM(PPRT_CFG_NUM_CLASSES));
  printf("  %-18s %u  <- %s\n", "nms_pre", c.nms_pre, FROM(PPRT_CFG_NMS_PRE));
  printf("  %-18s %g  <- %s\n", "nms_thresh", (double)c.nms_thresh, FROM(PPRT_CFG_NMS_THRESH));
  printf("  %-18s %u  <- %s\n", "max_num", c.max_num, FROM(PPRT_CFG_MAX_NUM));
  printf("  %-18s %g  <- %s (pprt run --score-thresh overrides)\n", "score_thresh", (double)c.score_thresh,
         FROM(PPRT_CFG_SCORE_THRESH));
  printf("  %-18s %s / %s / %s  <- %s\n", "output layers", c.score_layer_name, c.bbox_layer_name, c.dir_layer_name,
         FROM(PPRT_CFG_SCORE_LAYER | PPRT_CFG_BBOX_LAYER | PPRT_CFG_DIR_LAYER));
#undef FROM
  /* Fix points: from the DPU subgraphs' tensors, through the loader pprt run uses. */
  pprt_xmodel* x[2] = {NULL, NULL};
  int rc = 0;
  for (int k = 0; k < 2 && rc == 0; ++k)
    if (pprt_xmodel_load(m[k].xmodel, &x[k], &err) != PPRT_STATUS_OK) {
      printf("  (fix points: %s)\n", err.msg);
      rc = -1;
    }
  if (rc == 0 && pprt_xmodel_num_inputs(x[0]) > 0 && pprt_xmodel_num_outputs(x[0]) > 0 &&
      pprt_xmodel_num_inputs(x[1]) > 0) {
    const struct pprt_tensor_desc* in0 = pprt_xmodel_input(x[0], 0);
    const struct pprt_tensor_desc* out0 = pprt_xmodel_output(x[0], 0);
    const struct pprt_tensor_desc* in1 = pprt_xmodel_input(x[1], 0);
    printf("  %-18s %d  <- xmodel 0, last dimension of %s\n", "point features", in0->dims[in0->ndim - 1], in0->name);
    printf("  %-18s %d (point features x 2^%d)  <- xmodel 0, tensor %s\n", "DPU0 input fix", in0->fix_point,
           in0->fix_point, in0->name);
    printf("  %-18s %d, DPU1 input fix %d: scatter shift %d  <- xmodel 0 %s, xmodel 1 %s\n", "DPU0 output fix",
           out0->fix_point, in1->fix_point, in1->fix_point - out0->fix_point, out0->name, in1->name);
    for (uint32_t i = 0; i < pprt_xmodel_num_outputs(x[1]); ++i)
      printf("  %-18s %s fix %d  <- xmodel 1\n", i == 0 ? "DPU1 outputs" : "", pprt_xmodel_output(x[1], i)->name,
             pprt_xmodel_output(x[1], i)->fix_point);
  }
  pprt_xmodel_free(x[0]);
  pprt_xmodel_free(x[1]);
  return 0;
}

int pprt_cmd_inspect(int argc, char** argv) {
  if (argc < 2) return pprt_cli_usage("inspect", "needs MODEL (an .xmodel or a model folder)%s", "");
  if (argc > 3) return pprt_cli_usage("inspect", "takes one MODEL or the two Model Zoo folders, not %s", "more");
  struct model_files m[2];
  int n = 0;
  memset(m, 0, sizeof m);
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (a[0] == '-') return pprt_cli_usage("inspect", "unknown option %s", a);
    if (is_file(a)) {
      snprintf(m[n].xmodel, sizeof m[n].xmodel, "%s", a);
      ++n;
    } else if (is_dir(a) && zoo_folder(a, &m[n])) {
      ++n;
    } else if (is_dir(a) && argc == 2 && model_subfolder(a, 0, &m[0]) && model_subfolder(a, 1, &m[1])) {
      n = 2;
    } else {
      fprintf(stderr,
              "pprt inspect: %s: expected an .xmodel file, a Model Zoo folder (<name>/<name>.xmodel) or a model "
              "folder with one <name>_0_pt and one <name>_1_pt folder\n",
              a);
      return 1;
    }
  }
  int status = 0;
  for (int k = 0; k < n; ++k) {
    struct pprt_err err = {0};
    if (k) printf("\n");
    if (pprt_xmodel_describe(m[k].xmodel, stdout, &err) != PPRT_STATUS_OK) {
      fflush(stdout);
      fprintf(stderr, "pprt inspect: %s\n", err.msg);
      status = 1;
      continue;
    }
    if (m[k].prototxt[0]) printf("  prototxt: %s\n", m[k].prototxt);
  }
  if (status == 0 && n == 2) {
    printf("\n");
    status = print_parameters(m);
  }
  return status;
}
