/* The public runtime: loads the two VAI-Library model folders, checks them against each other, and runs frames
 * through voxelize -> DPU0 -> scatter -> DPU1 -> post-processing. */
#define _GNU_SOURCE 1 /* dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/runtime_internal.h"

#define PPRT_DEFAULT_MAX_POINTS 400000u
#define PPRT_DEFAULT_MAX_SWEEPS 10u
#define PPRT_MAX_POINTS_LIMIT 20000000u
#define PPRT_MAX_SWEEPS_LIMIT 64u

static const char* const k_nuscenes_classes[10] = {"car",     "truck",      "trailer",    "bus",
                                                   "construction_vehicle",  "bicycle",    "motorcycle",
                                                   "pedestrian", "traffic_cone", "barrier"};

/* ------------------------------------------------------------------ small public helpers */

void pprt_options_init(struct pprt_options* opts) {
  if (opts == NULL) return;
  memset(opts, 0, sizeof *opts);
  opts->runner = PPRT_RUNNER_DPU;
  opts->score_thresh = -1.0f;
}

enum pprt_status pprt_runner_from_string(const char* name, enum pprt_runner* out) {
  if (name == NULL || out == NULL) return PPRT_STATUS_INVALID_ARGUMENT;
  if (strcmp(name, "dpu") == 0) *out = PPRT_RUNNER_DPU;
  else if (strcmp(name, "cpu") == 0) *out = PPRT_RUNNER_CPU;
  else if (strcmp(name, "dummy") == 0) *out = PPRT_RUNNER_DUMMY;
  else return PPRT_STATUS_INVALID_ARGUMENT;
  return PPRT_STATUS_OK;
}

const char* pprt_runner_str(enum pprt_runner runner) {
  switch (runner) {
    case PPRT_RUNNER_DPU: return "dpu";
    case PPRT_RUNNER_CPU: return "cpu";
    case PPRT_RUNNER_DUMMY: return "dummy";
    case PPRT_RUNNER_NONE: return "none";
  }
  return "unknown";
}

const char* pprt_stage_name(enum pprt_stage stage) {
  switch (stage) {
    case PPRT_STAGE_VOXELIZE: return "voxelize";
    case PPRT_STAGE_DPU0: return "dpu0";
    case PPRT_STAGE_SCATTER: return "scatter";
    case PPRT_STAGE_DPU1: return "dpu1";
    case PPRT_STAGE_POSTPROCESS: return "postprocess";
    case PPRT_STAGE_TOTAL: return "total";
    case PPRT_STAGE_COUNT: break;
  }
  return "unknown";
}

double pprt_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* ------------------------------------------------------------------ model folders */

static int is_dir(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int ends_with(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Find the single sub-folder of dir whose name ends in _<idx>_pt (or _<idx>). */
static enum pprt_status find_model_folder(const char* dir, int idx, char* name, size_t cap, struct pprt_err* err) {
  char suf_pt[16], suf[16];
  snprintf(suf_pt, sizeof suf_pt, "_%d_pt", idx);
  snprintf(suf, sizeof suf, "_%d", idx);
  DIR* d = opendir(dir);
  if (d == NULL) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "cannot open model folder %s: %s", dir, strerror(errno));
  int found = 0;
  char first[256] = "", second[256] = "";
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (!ends_with(e->d_name, suf_pt) && !ends_with(e->d_name, suf)) continue;
    char path[4096 + 256];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (!is_dir(path)) continue;
    if (found == 0) snprintf(first, sizeof first, "%s", e->d_name);
    else if (found == 1) snprintf(second, sizeof second, "%s", e->d_name);
    ++found;
  }
  closedir(d);
  if (found == 0)
    return pprt_fail(err, PPRT_STATUS_IO_ERROR,
                     "%s: no model folder for subgraph %d (expected a folder named <name>%s holding <name>.xmodel "
                     "and <name>.prototxt)",
                     dir, idx, suf_pt);
  if (found > 1)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT,
                     "%s: several model folders for subgraph %d (%s, %s%s); name them in model_name0 / model_name1",
                     dir, idx, first, second, found > 2 ? ", ..." : "");
  if (strlen(first) >= cap) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "model folder name too long");
  snprintf(name, cap, "%s", first);
  return PPRT_STATUS_OK;
}

static enum pprt_status model_file(const char* dir, const char* name, const char* ext, char* out, size_t cap,
                                   struct pprt_err* err) {
  int n = snprintf(out, cap, "%s/%s/%s.%s", dir, name, name, ext);
  if (n < 0 || (size_t)n >= cap) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "model path too long");
  struct stat st;
  if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "missing %s file: %s", ext, out);
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------ shape checks */

static void fmt_dims(char* buf, size_t cap, const int32_t* dims, uint32_t ndim) {
  size_t used = 0;
  used += (size_t)snprintf(buf + used, cap - used, "[");
  for (uint32_t i = 0; i < ndim && used < cap; ++i)
    used += (size_t)snprintf(buf + used, cap - used, "%s%d", i ? ", " : "", dims[i]);
  if (used < cap) snprintf(buf + used, cap - used, "]");
}

/* Compare a tensor's dims with the expected per-frame dims, allowing a leading batch dim of 1 on either side and
 * inner dims of 1 (e.g. [P, 1, C] vs [1, P, 1, C]). */
static int dims_match(const struct pprt_tensor_desc* t, const int32_t* want, uint32_t nwant) {
  int32_t a[PPRT_TENSOR_MAX_DIMS], b[PPRT_TENSOR_MAX_DIMS];
  uint32_t na = 0, nb = 0;
  for (uint32_t i = 0; i < t->ndim; ++i)
    if (t->dims[i] != 1) a[na++] = t->dims[i];
  for (uint32_t i = 0; i < nwant; ++i)
    if (want[i] != 1) b[nb++] = want[i];
  if (na != nb) return 0;
  for (uint32_t i = 0; i < na; ++i)
    if (a[i] != b[i]) return 0;
  return 1;
}

static enum pprt_status check_shape(const char* what, const struct pprt_tensor_desc* t, const int32_t* want,
                                    uint32_t nwant, const char* why, struct pprt_err* err) {
  if (dims_match(t, want, nwant)) return PPRT_STATUS_OK;
  char have_s[128], want_s[128];
  fmt_dims(have_s, sizeof have_s, t->dims, t->ndim);
  fmt_dims(want_s, sizeof want_s, want, nwant);
  return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s '%s' has shape %s but %s implies %s", what, t->name, have_s,
                   why, want_s);
}

/* The last dim of a tensor (channels). */
static int32_t last_dim(const struct pprt_tensor_desc* t) { return t->ndim ? t->dims[t->ndim - 1] : 0; }

static enum pprt_status find_output(const pprt_xmodel* xm, const char* layer, const char* role, uint32_t* idx,
                                    struct pprt_err* err) {
  uint32_t n = pprt_xmodel_num_outputs(xm), hits = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (strstr(pprt_xmodel_output(xm, i)->name, layer) != NULL) {
      if (hits == 0) *idx = i;
      ++hits;
    }
  }
  if (hits == 1) return PPRT_STATUS_OK;
  char names[512] = "";
  size_t used = 0;
  for (uint32_t i = 0; i < n && used < sizeof names; ++i)
    used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", i ? ", " : "", pprt_xmodel_output(xm, i)->name);
  return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                   "subgraph 1: %s output layer '%s' (from the prototxt) matches %u of the outputs %s; it must match "
                   "exactly one",
                   role, layer, hits, names);
}

static enum pprt_status check_models(pprt_runtime_t* rt, struct pprt_err* err) {
  const struct pprt_model_config* c = &rt->cfg;
  const pprt_xmodel *x0 = rt->xm0, *x1 = rt->xm1;
  if (pprt_xmodel_num_inputs(x0) != 1 || pprt_xmodel_num_outputs(x0) != 1)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "subgraph 0 (%s) must have 1 input and 1 output tensor, it has %u and %u",
                     pprt_xmodel_subgraph_name(x0), pprt_xmodel_num_inputs(x0), pprt_xmodel_num_outputs(x0));
  if (pprt_xmodel_num_inputs(x1) != 1 || pprt_xmodel_num_outputs(x1) != 3)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "subgraph 1 (%s) must have 1 input and 3 output tensors (cls, reg, dir), it has %u and %u",
                     pprt_xmodel_subgraph_name(x1), pprt_xmodel_num_inputs(x1), pprt_xmodel_num_outputs(x1));
  const struct pprt_tensor_desc* in0 = pprt_xmodel_input(x0, 0);
  const struct pprt_tensor_desc* out0 = pprt_xmodel_output(x0, 0);
  const struct pprt_tensor_desc* in1 = pprt_xmodel_input(x1, 0);
  enum pprt_status st;
  int32_t want_in0[3] = {(int32_t)c->max_voxels_num, (int32_t)c->max_points_num, last_dim(in0)};
  st = check_shape("DPU0 input", in0, want_in0, 3, "the prototxt (max_voxels_num, max_points_num)", err);
  if (st) return st;
  if ((uint32_t)last_dim(in0) != c->num_mean)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "DPU0 input '%s' has %d features per point but the prototxt's kernel has %u mean / scale values",
                     in0->name, (int)last_dim(in0), c->num_mean);
  int32_t want_out0[3] = {(int32_t)c->max_voxels_num, 1, (int32_t)c->in_channels};
  st = check_shape("DPU0 output", out0, want_out0, 3,
                   "one feature vector per pillar (max_voxels_num) of in_channels (the prototxt)", err);
  if (st) return st;
  int32_t want_in1[4] = {1, rt->vp.grid[1], rt->vp.grid[0], (int32_t)c->in_channels};
  st = check_shape("DPU1 input", in1, want_in1, 4, "the voxel grid and the prototxt's in_channels", err);
  if (st) return st;
  if ((st = find_output(x1, c->score_layer_name, "score", &rt->out_cls, err))) return st;
  if ((st = find_output(x1, c->bbox_layer_name, "bbox", &rt->out_reg, err))) return st;
  if ((st = find_output(x1, c->dir_layer_name, "direction", &rt->out_dir, err))) return st;
  if (rt->out_cls == rt->out_reg || rt->out_cls == rt->out_dir || rt->out_reg == rt->out_dir)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "subgraph 1: the cls, reg and dir layer names select the same output");
  int32_t A = (int32_t)(c->anchor.num_sizes * c->anchor.num_rotations);
  int32_t H = (int32_t)c->featmap_size[0], W = (int32_t)c->featmap_size[1];
  int32_t want_cls[4] = {1, H, W, A * (int32_t)c->num_classes};
  int32_t want_reg[4] = {1, H, W, A * (int32_t)(7 + c->anchor.num_custom_values)};
  int32_t want_dir[4] = {1, H, W, A * 2};
  if ((st = check_shape("DPU1 output", pprt_xmodel_output(x1, rt->out_cls), want_cls, 4,
                        "the prototxt (featmap_size, anchors x num_classes)", err)))
    return st;
  if ((st = check_shape("DPU1 output", pprt_xmodel_output(x1, rt->out_reg), want_reg, 4,
                        "the prototxt (featmap_size, anchors x (7 + custom values))", err)))
    return st;
  if ((st = check_shape("DPU1 output", pprt_xmodel_output(x1, rt->out_dir), want_dir, 4,
                        "the prototxt (featmap_size, anchors x 2 direction bins)", err)))
    return st;
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------ frame context */

static int is_file(const char* path) {
  struct stat st;
  return path != NULL && path[0] != '\0' && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Where an installed libpprt finds the CPU runner plugin: beside libpprt.so itself, or, when libpprt is linked into
 * an executable, in the lib folder next to its bin folder (PPRT_BIN_TO_LIB, e.g. "../lib"). Relative to the code that
 * runs, never a path of the build machine: an install can be moved (board/deploy.sh, a Yocto image). The build tree
 * has the same shape (the plugin is built into <build>/<libdir>, the programs one folder below <build>). */
static char g_found_cpu_runner[4096];
static pthread_once_t g_find_cpu_runner_once = PTHREAD_ONCE_INIT;

static int try_dir(const char* dir, const char* rel) {
  char p[sizeof g_found_cpu_runner];
  int n = snprintf(p, sizeof p, "%s%s%s/libpprt-cpu-runner.so", dir, rel[0] ? "/" : "", rel);
  if (n < 0 || (size_t)n >= sizeof p || !is_file(p)) return 0;
  snprintf(g_found_cpu_runner, sizeof g_found_cpu_runner, "%s", p);
  return 1;
}

static void dir_of(const char* file, char* out, size_t cap) {
  out[0] = '\0';
  char* real = file != NULL && file[0] ? realpath(file, NULL) : NULL;
  if (real == NULL) return;
  char* slash = strrchr(real, '/');
  if (slash != NULL) {
    *slash = '\0';
    snprintf(out, cap, "%s", real);
  }
  free(real);
}

static void find_cpu_runner(void) {
  char here[4096] = "", exe[4096] = "";
  Dl_info info;
  if (dladdr((void*)&find_cpu_runner, &info) != 0) dir_of(info.dli_fname, here, sizeof here);
  dir_of("/proc/self/exe", exe, sizeof exe);
  if (here[0] && try_dir(here, "")) return;                 /* libpprt.so's folder */
#ifdef PPRT_BIN_TO_LIB
  if (exe[0] && try_dir(exe, PPRT_BIN_TO_LIB)) return;      /* <prefix>/bin/prog -> <prefix>/lib */
  if (here[0] && try_dir(here, PPRT_BIN_TO_LIB)) return;
#endif
}

/* The CPU runner plugin: the option, else $PPRT_CPU_RUNNER_LIB, else the copy found relative to libpprt or the
 * program (above), else the bare name (the dynamic loader's search path). */
static const char* cpu_runner_lib(const pprt_runtime_t* rt) {
  if (rt->runner_lib[0]) return rt->runner_lib;
  const char* env = getenv("PPRT_CPU_RUNNER_LIB");
  if (env != NULL && env[0] != '\0') return env;
  pthread_once(&g_find_cpu_runner_once, find_cpu_runner);
  if (g_found_cpu_runner[0]) return g_found_cpu_runner;
  return "libpprt-cpu-runner.so";
}

void pprt_frame_ctx_free(struct pprt_frame_ctx* f) {
  pprt_backend_destroy(f->dpu[0]);
  pprt_backend_destroy(f->dpu[1]);
  pprt_vox_state_free(&f->vox);
  pprt_canvas_state_free(&f->canvas);
  pprt_post_state_free(&f->post);
  pprt_kitti_post_state_free(&f->kpost);
  free(f->kcoords);
  memset(f, 0, sizeof *f);
}

enum pprt_status pprt_frame_ctx_init(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, enum pprt_runner runner_kind,
                                     struct pprt_err* err) {
  memset(f, 0, sizeof *f);
  enum pprt_status st;
  const char* plugin = runner_kind == PPRT_RUNNER_CPU ? cpu_runner_lib(rt) : NULL;
  const pprt_xmodel* xm[2] = {rt->xm0, rt->xm1};
  for (int sg = 0; sg < 2; ++sg)
    if ((st = pprt_backend_create(runner_kind, xm[sg], plugin, &f->dpu[sg], err))) {
      pprt_err_prefix(err, "subgraph %d runner (%s)", sg, pprt_runner_str(runner_kind));
      return st;
    }
  if ((st = pprt_vox_state_init(&f->vox, &rt->vp, err))) return st;
  if ((st = pprt_canvas_state_init(&f->canvas, rt->vp.max_pillars, err))) return st;
  if (rt->family == PPRT_FAMILY_KITTI) {
    f->kcoords = malloc((size_t)rt->vp.max_pillars * 2 * sizeof *f->kcoords);
    if (f->kcoords == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory for the pillar list");
    return pprt_kitti_post_state_init(&f->kpost, &rt->kpp, err);
  }
  if ((st = pprt_post_state_init(&f->post, &rt->pp, err))) return st;
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------ the KITTI custom-op graph (docs/KITTI.md) */

/* The configuration of a one-file KITTI graph X.xmodel: X.prototxt and X_officialcfg.prototxt beside it, else the
 * copy of Xilinx's demo configuration pprt ships (models/kitti). */
static enum pprt_status kitti_config_paths(const char* xm, char* pt, char* oc, size_t cap, struct pprt_err* err) {
  size_t n = strlen(xm) - strlen(".xmodel");
  if (n + 32 >= cap) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "model path too long");
  snprintf(pt, cap, "%.*s.prototxt", (int)n, xm);
  snprintf(oc, cap, "%.*s_officialcfg.prototxt", (int)n, xm);
  if (is_file(pt) && is_file(oc)) return PPRT_STATUS_OK;
  /* <prefix>/share/pprt/kitti found from the program's or libpprt's folder (the build tree has the same shape) */
  char here[4096] = "", exe[4096] = "", d[2][4352] = {"", ""};
  Dl_info info;
  if (dladdr((void*)&kitti_config_paths, &info) != 0) dir_of(info.dli_fname, here, sizeof here);
  dir_of("/proc/self/exe", exe, sizeof exe);
  const char* dirs[3] = {NULL, NULL, NULL};
  int nd = 0;
#ifdef PPRT_BIN_TO_DATA
  if (exe[0]) snprintf(d[0], sizeof d[0], "%s/%s/kitti", exe, PPRT_BIN_TO_DATA), dirs[nd++] = d[0];
  if (here[0]) snprintf(d[1], sizeof d[1], "%s/%s/kitti", here, PPRT_BIN_TO_DATA), dirs[nd++] = d[1];
#endif
  for (int i = 0; i < nd; ++i) {
    snprintf(pt, cap, "%s/pointpillars_custom_op.prototxt", dirs[i]);
    snprintf(oc, cap, "%s/pointpillars_custom_op_officialcfg.prototxt", dirs[i]);
    if (is_file(pt) && is_file(oc)) return PPRT_STATUS_OK;
  }
  return pprt_fail(err, PPRT_STATUS_IO_ERROR,
                   "%s: no configuration: put %.*s.prototxt and %.*s_officialcfg.prototxt beside it (pprt's copy of "
                   "Xilinx's demo configuration, models/kitti, was not found either)",
                   xm, (int)n, xm, (int)n, xm);
}

/* DPU1 output of the KITTI graph by its layer name: conv_cls (not conv_dir_cls), conv_box, conv_dir_cls. */
static enum pprt_status kitti_outputs(pprt_runtime_t* rt, struct pprt_err* err) {
  int cls = -1, box = -1, dir = -1;
  for (uint32_t i = 0; i < pprt_xmodel_num_outputs(rt->xm1); ++i) {
    const char* nm = pprt_xmodel_output(rt->xm1, i)->name;
    int* slot = strstr(nm, "dir") != NULL ? &dir : strstr(nm, "box") != NULL ? &box : strstr(nm, "cls") != NULL ? &cls
                                                                                                                : NULL;
    if (slot == NULL) continue;
    if (*slot >= 0)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "subgraph 1: two outputs look like the same head (%s)", nm);
    *slot = (int)i;
  }
  if (cls < 0 || box < 0 || dir < 0)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "subgraph 1: expected outputs named after conv_cls, conv_box and conv_dir_cls");
  rt->out_cls = (uint32_t)cls;
  rt->out_reg = (uint32_t)box;
  rt->out_dir = (uint32_t)dir;
  return PPRT_STATUS_OK;
}

/* What both KITTI layouts share once rt->kcfg, rt->xm0 and rt->xm1 are loaded: shapes against the configuration,
 * voxelization, scatter (requant: how DPU0's output becomes DPU1's input) and post-processing parameters. */
static enum pprt_status kitti_setup(pprt_runtime_t* rt, const struct pprt_options* opts, enum pprt_runner runner_kind,
                                    enum pprt_requant_mode requant, const char* what, struct pprt_err* err) {
  enum pprt_status st;
  const struct pprt_kitti_config* c = &rt->kcfg;
  if (pprt_xmodel_num_inputs(rt->xm0) != 1 || pprt_xmodel_num_outputs(rt->xm0) != 1 ||
      pprt_xmodel_num_inputs(rt->xm1) != 1 || pprt_xmodel_num_outputs(rt->xm1) != 3)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "%s: a KITTI model needs DPU subgraphs of 1 input / 1 output and 1 input / 3 outputs", what);
  if ((st = kitti_outputs(rt, err))) return st;
  const struct pprt_tensor_desc* in0 = pprt_xmodel_input(rt->xm0, 0);
  const struct pprt_tensor_desc* out0 = pprt_xmodel_output(rt->xm0, 0);
  const struct pprt_tensor_desc* in1 = pprt_xmodel_input(rt->xm1, 0);

  memset(&rt->vp, 0, sizeof rt->vp);
  if ((st = pprt_kitti_pointquant_params(c, in0->fix_point, &rt->vp.kq, err))) return st;
  rt->vp.kitti = 1;
  for (int j = 0; j < 3; ++j) {
    rt->vp.grid[j] = rt->vp.kq.grid[j];
    rt->vp.voxel_size[j] = c->voxel_size[j];
    rt->vp.range_min[j] = c->point_cloud_range[j];
    rt->vp.range_max[j] = c->point_cloud_range[j + 3];
  }
  rt->vp.num_features = 4;
  rt->vp.max_slots = c->max_points_num;
  rt->vp.max_pillars = c->max_voxels_num;
  rt->vp.vai_compat = 0; /* the reference skips a new pillar past the limit and keeps reading */

  int32_t want_in0[3] = {(int32_t)c->max_voxels_num, (int32_t)c->max_points_num, 4};
  if ((st = check_shape("DPU0 input", in0, want_in0, 3, "the configuration (max_voxels_num, max_points_num, 4)", err)))
    return st;
  int32_t c0 = last_dim(out0);
  int32_t want_out0[3] = {(int32_t)c->max_voxels_num, 1, c0};
  if ((st = check_shape("DPU0 output", out0, want_out0, 3, "one feature vector per pillar", err))) return st;
  int32_t want_in1[4] = {1, rt->vp.grid[1], rt->vp.grid[0], c0};
  if ((st = check_shape("DPU1 input", in1, want_in1, 4, "the voxel grid and DPU0's output channels", err))) return st;

  rt->sp.H = (uint32_t)rt->vp.grid[1];
  rt->sp.W = (uint32_t)rt->vp.grid[0];
  rt->sp.C = (uint32_t)c0;
  rt->sp.feat_stride = (size_t)c0;
  rt->sp.shift = in1->fix_point - out0->fix_point;
  rt->sp.mode = requant;
  if (rt->sp.shift <= -8 || rt->sp.shift >= 8)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "DPU0 output / DPU1 input fix points differ by more than 7 bits");

  float score = opts->score_thresh >= 0.0f ? opts->score_thresh : c->nms_score_threshold;
  if ((st = pprt_kitti_post_params_init(&rt->kpp, c, pprt_xmodel_output(rt->xm1, rt->out_cls)->fix_point,
                                        pprt_xmodel_output(rt->xm1, rt->out_reg)->fix_point,
                                        pprt_xmodel_output(rt->xm1, rt->out_dir)->fix_point, score, err)))
    return st;
  const int32_t H = (int32_t)rt->kpp.H, W = (int32_t)rt->kpp.W, A = (int32_t)rt->kpp.A;
  int32_t want_cls[4] = {1, H, W, A * (int32_t)c->num_class}, want_box[4] = {1, H, W, A * 7},
          want_dir[4] = {1, H, W, A * 2};
  if ((st = check_shape("DPU1 output", pprt_xmodel_output(rt->xm1, rt->out_cls), want_cls, 4,
                        "the anchors (feature map, anchors x classes)", err)) ||
      (st = check_shape("DPU1 output", pprt_xmodel_output(rt->xm1, rt->out_reg), want_box, 4,
                        "the anchors (feature map, anchors x 7)", err)) ||
      (st = check_shape("DPU1 output", pprt_xmodel_output(rt->xm1, rt->out_dir), want_dir, 4,
                        "the anchors (feature map, anchors x 2)", err)))
    return st;

  /* what the generic code reads from the nuScenes-shaped configuration */
  pprt_model_config_defaults(&rt->cfg);
  rt->cfg.num_classes = c->num_class;
  rt->cfg.max_num = c->nms_post_max_size;
  rt->cfg.in_channels = 4;
  rt->cfg.max_points_num = c->max_points_num;
  rt->cfg.max_voxels_num = c->max_voxels_num;
  rt->max_sweeps = 1; /* KITTI: one sweep a frame */
  rt->k = pprt_kernels();
  rt->runner_kind = runner_kind;
  pprt_xmodel_dpu_info(rt->xm0, rt->dpu_attrs[0], sizeof rt->dpu_attrs[0]);
  pprt_xmodel_dpu_info(rt->xm1, rt->dpu_attrs[1], sizeof rt->dpu_attrs[1]);
  return pprt_frame_ctx_init(rt, &rt->ctx, runner_kind, err);
}

/* The one-file custom-op graph X.xmodel: its first and second DPU subgraph, the CPU ops between them done by pprt
 * (fix2float -> PPScatterV2 -> float2fix: the DPU's rounding, saturating). */
static enum pprt_status create_kitti_graph(pprt_runtime_t* rt, const struct pprt_options* opts,
                                           enum pprt_runner runner_kind, struct pprt_err* err) {
  enum pprt_status st;
  const char* xm = rt->model_dir;
  rt->family = PPRT_FAMILY_KITTI;
  char pt[4096 + 64], oc[4096 + 64];
  if ((st = kitti_config_paths(xm, pt, oc, sizeof pt, err))) return st;
  if ((st = pprt_kitti_config_load(pt, oc, &rt->kcfg, err))) return st;
  if ((st = pprt_xmodel_load_index(xm, 0, &rt->xm0, err))) return st;
  if ((st = pprt_xmodel_load_index(xm, 1, &rt->xm1, err))) return st;
  snprintf(rt->name0, sizeof rt->name0, "%s", pprt_xmodel_subgraph_name(rt->xm0));
  snprintf(rt->name1, sizeof rt->name1, "%s", pprt_xmodel_subgraph_name(rt->xm1));
  return kitti_setup(rt, opts, runner_kind, PPRT_REQUANT_DPU, xm, err);
}

/* The Model Zoo pair (DIR/<name0>/, DIR/<name1>/), as VAI-L 2.5's `pointpillars` runs it (docs/KITTI.md): every
 * parameter from <name0>_officialcfg.prototxt beside subgraph 0's xmodel (its PointPillarsKittiParam prototxt
 * parsed first, its base values overridden); between the DPU subgraphs VAI-L copies the features when the two
 * scales are equal and otherwise converts in_scale * out_scale * q to int8 by truncation (PPRT_REQUANT_TRUNCATE). */
static enum pprt_status create_kitti_pair(pprt_runtime_t* rt, const struct pprt_options* opts,
                                          enum pprt_runner runner_kind,
                                          const char (*pt)[4096 + 600], const char (*xm)[4096 + 600],
                                          struct pprt_err* err) {
  enum pprt_status st;
  rt->family = PPRT_FAMILY_KITTI;
  char oc[4096 + 640];
  size_t n = strlen(pt[0]) - strlen(".prototxt");
  snprintf(oc, sizeof oc, "%.*s_officialcfg.prototxt", (int)n, pt[0]);
  if (!is_file(oc))
    return pprt_fail(err, PPRT_STATUS_IO_ERROR,
                     "%s: missing: a KITTI PointPillars pair (model_type POINTPILLARS) takes every parameter from the "
                     "second.pytorch configuration beside subgraph 0's xmodel, as the Vitis AI Library does",
                     oc);
  struct pprt_model_config* c1 = malloc(sizeof *c1);
  if (c1 == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  st = pprt_prototxt_load(pt[1], c1, err); /* VAI-L parses both prototxts: exactly one model each */
  if (st == PPRT_STATUS_OK && !(c1->present & PPRT_CFG_MODEL))
    st = pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: no 'model' block (VAI-L: CHECK_EQ(model_size, 1))", pt[1]);
  free(c1);
  if (st) return st;
  uint32_t given = 0;
  if ((st = pprt_kitti_config_load_given(pt[0], oc, &rt->kcfg, &given, err))) return st;
  for (uint32_t bit = 1; bit & PPRT_KITTI_GIVEN_ALL; bit <<= 1)
    if (!(given & bit))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "%s: no %s: the Vitis AI Library's pointpillars would read 0 or nothing for it; pprt requires "
                       "it",
                       oc, pprt_kitti_given_name(bit));
  if ((st = pprt_xmodel_load(xm[0], &rt->xm0, err))) return st;
  if ((st = pprt_xmodel_load(xm[1], &rt->xm1, err))) return st;
  const struct pprt_tensor_desc* in1 = pprt_xmodel_num_inputs(rt->xm1) ? pprt_xmodel_input(rt->xm1, 0) : NULL;
  if (in1 != NULL && in1->fix_point < 0)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "%s: DPU1 input fix point %d: VAI-L's integer input scale would be 0 (an all-zero canvas)", xm[1],
                     in1->fix_point);
  return kitti_setup(rt, opts, runner_kind, PPRT_REQUANT_TRUNCATE, rt->model_dir, err);
}

/* ------------------------------------------------------------------ create / destroy */

static enum pprt_status create_impl(pprt_runtime_t* rt, const struct pprt_options* opts, enum pprt_runner runner_kind,
                                    struct pprt_err* err) {
  enum pprt_status st;
  if (opts->model_dir == NULL || opts->model_dir[0] == '\0')
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "no model folder given");
  if (strlen(opts->model_dir) >= sizeof rt->model_dir)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "model folder path too long");
  if (runner_kind != PPRT_RUNNER_DPU && runner_kind != PPRT_RUNNER_CPU && runner_kind != PPRT_RUNNER_DUMMY &&
      runner_kind != PPRT_RUNNER_NONE)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "unknown runner %d", (int)runner_kind);
  if (isnan(opts->score_thresh) || opts->score_thresh >= 1.0f || opts->score_thresh == 0.0f)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "score threshold %g must be in (0, 1) (or negative: prototxt)",
                     (double)opts->score_thresh);
  rt->max_points = opts->max_points ? opts->max_points : PPRT_DEFAULT_MAX_POINTS;
  rt->max_sweeps = opts->max_sweeps ? opts->max_sweeps : PPRT_DEFAULT_MAX_SWEEPS;
  if (rt->max_points > PPRT_MAX_POINTS_LIMIT)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "max_points %u is above the limit %u", rt->max_points,
                     PPRT_MAX_POINTS_LIMIT);
  if (rt->max_sweeps > PPRT_MAX_SWEEPS_LIMIT)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "max_sweeps %u is above the limit %u", rt->max_sweeps,
                     PPRT_MAX_SWEEPS_LIMIT);
  snprintf(rt->model_dir, sizeof rt->model_dir, "%s", opts->model_dir);
  if (opts->runner_lib != NULL) {
    if (strlen(opts->runner_lib) >= sizeof rt->runner_lib)
      return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "runner library path too long");
    snprintf(rt->runner_lib, sizeof rt->runner_lib, "%s", opts->runner_lib);
  }
  if (ends_with(rt->model_dir, ".xmodel") && is_file(rt->model_dir))
    return create_kitti_graph(rt, opts, runner_kind, err);
  if (!is_dir(rt->model_dir))
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "model folder %s does not exist", rt->model_dir);

  const char* given[2] = {opts->model_name0, opts->model_name1};
  char* names[2] = {rt->name0, rt->name1};
  for (int i = 0; i < 2; ++i) {
    if (given[i] != NULL) {
      if (strlen(given[i]) >= sizeof rt->name0 || strchr(given[i], '/') != NULL)
        return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "bad model folder name '%s'", given[i]);
      snprintf(names[i], sizeof rt->name0, "%s", given[i]);
    } else if ((st = find_model_folder(rt->model_dir, i, names[i], sizeof rt->name0, err))) {
      return st;
    }
  }

  char xm_path[2][4096 + 600], pt_path[2][4096 + 600];
  for (int i = 0; i < 2; ++i) {
    if ((st = model_file(rt->model_dir, names[i], "prototxt", pt_path[i], sizeof pt_path[i], err))) return st;
    if ((st = model_file(rt->model_dir, names[i], "xmodel", xm_path[i], sizeof xm_path[i], err))) return st;
  }

  /* Parameters: the prototxt of subgraph 0 (and its pprt settings file), as the Vitis AI Library reads every
   * parameter from model 0's config. Subgraph 1's prototxt must parse too (VAI-L parses both). */
  struct pprt_model_config c1;
  if ((st = pprt_model_config_load(pt_path[0], &rt->cfg, err))) return st;
  if (pprt_model_config_is_kitti(&rt->cfg)) return create_kitti_pair(rt, opts, runner_kind, pt_path, xm_path, err);
  if ((st = pprt_prototxt_load(pt_path[1], &c1, err))) return st;
  if ((st = pprt_model_config_validate(&rt->cfg, pt_path[0], err))) return st;

  if ((st = pprt_xmodel_load(xm_path[0], &rt->xm0, err))) return st;
  if ((st = pprt_xmodel_load(xm_path[1], &rt->xm1, err))) return st;

  int vai = opts->vai_compat != 0;
  if (pprt_xmodel_num_inputs(rt->xm0) < 1)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: the DPU subgraph has no input", xm_path[0]);
  rt->cfg.num_features = (uint32_t)last_dim(pprt_xmodel_input(rt->xm0, 0)); /* VAI-L: points_dim = input channel */
  if ((st = pprt_vox_params_init(&rt->vp, &rt->cfg, pprt_xmodel_input(rt->xm0, 0)->fix_point, vai, err))) return st;
  if ((st = check_models(rt, err))) return st;

  const struct pprt_tensor_desc* out0 = pprt_xmodel_output(rt->xm0, 0);
  const struct pprt_tensor_desc* in1 = pprt_xmodel_input(rt->xm1, 0);
  rt->sp.H = (uint32_t)rt->vp.grid[1];
  rt->sp.W = (uint32_t)rt->vp.grid[0];
  rt->sp.C = (uint32_t)last_dim(in1);
  rt->sp.feat_stride = (size_t)last_dim(out0);
  rt->sp.shift = in1->fix_point - out0->fix_point;
  rt->sp.mode = vai ? PPRT_REQUANT_TRUNCATE : PPRT_REQUANT_DPU;
  if (rt->sp.shift <= -8 || rt->sp.shift >= 8)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "DPU0 output fix_point %d and DPU1 input fix_point %d differ by more than 7 bits",
                     out0->fix_point, in1->fix_point);

  float score = opts->score_thresh >= 0.0f ? opts->score_thresh : rt->cfg.score_thresh;
  if ((st = pprt_post_params_init(&rt->pp, &rt->cfg, pprt_xmodel_output(rt->xm1, rt->out_cls)->fix_point,
                                  pprt_xmodel_output(rt->xm1, rt->out_reg)->fix_point,
                                  pprt_xmodel_output(rt->xm1, rt->out_dir)->fix_point, score, vai, err)))
    return st;

  rt->k = pprt_kernels();
  rt->runner_kind = runner_kind;
  pprt_xmodel_dpu_info(rt->xm0, rt->dpu_attrs[0], sizeof rt->dpu_attrs[0]);
  pprt_xmodel_dpu_info(rt->xm1, rt->dpu_attrs[1], sizeof rt->dpu_attrs[1]);
  return pprt_frame_ctx_init(rt, &rt->ctx, runner_kind, err);
}

enum pprt_status pprt_runtime_create(const struct pprt_options* opts, pprt_runtime_t** out) {
  if (out != NULL) *out = NULL;
  if (opts == NULL || out == NULL) {
    pprt_set_last_error(opts == NULL ? "pprt_runtime_create: NULL options" : "pprt_runtime_create: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  if (opts->runner != PPRT_RUNNER_DPU && opts->runner != PPRT_RUNNER_CPU && opts->runner != PPRT_RUNNER_DUMMY &&
      opts->runner != PPRT_RUNNER_NONE) {
    pprt_set_last_error("pprt_runtime_create: unknown runner");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  pprt_runtime_t* rt = calloc(1, sizeof *rt);
  if (rt == NULL) {
    pprt_set_last_error("out of memory");
    return PPRT_STATUS_OUT_OF_MEMORY;
  }
  rt->opts = *opts;
  rt->opts.model_dir = NULL; /* the strings are copied; never keep the caller's pointers */
  rt->opts.model_name0 = rt->opts.model_name1 = rt->opts.runner_lib = NULL;
  struct pprt_err err;
  err.msg[0] = '\0';
  enum pprt_status st = create_impl(rt, opts, opts->runner, &err);
  if (st != PPRT_STATUS_OK) {
    pprt_set_last_error(err.msg);
    pprt_runtime_destroy(rt);
    return st;
  }
  pprt_set_last_error("");
  *out = rt;
  return PPRT_STATUS_OK;
}

void pprt_runtime_destroy(pprt_runtime_t* rt) {
  if (rt == NULL) return;
  pprt_frame_ctx_free(&rt->ctx);
  if (rt->sim != NULL) {
    sem_destroy(&rt->sim->free_cores);
    free(rt->sim);
  }
  pprt_xmodel_free(rt->xm0);
  pprt_xmodel_free(rt->xm1);
  pprt_kitti_post_params_free(&rt->kpp);
  free(rt);
}

/* ------------------------------------------------------------------ tensors */

int8_t* pprt_ctx_dpu0_input(struct pprt_frame_ctx* f) { return pprt_backend_input(f->dpu[0], 0); }
int8_t* pprt_ctx_dpu0_output(struct pprt_frame_ctx* f) { return pprt_backend_output(f->dpu[0], 0); }
int8_t* pprt_ctx_dpu1_input(struct pprt_frame_ctx* f) { return pprt_backend_input(f->dpu[1], 0); }
static uint32_t out_index(const pprt_runtime_t* rt, uint32_t which) {
  return which == 0 ? rt->out_cls : which == 1 ? rt->out_reg : rt->out_dir;
}
int8_t* pprt_ctx_dpu1_output(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, uint32_t which) {
  return pprt_backend_output(f->dpu[1], out_index(rt, which));
}
int8_t* pprt_runtime_tensor_buf(pprt_runtime_t* rt, enum pprt_tensor t) {
  switch (t) {
    case PPRT_TENSOR_DPU0_INPUT: return pprt_ctx_dpu0_input(&rt->ctx);
    case PPRT_TENSOR_DPU0_OUTPUT: return pprt_ctx_dpu0_output(&rt->ctx);
    case PPRT_TENSOR_DPU1_INPUT: return pprt_ctx_dpu1_input(&rt->ctx);
    default: return pprt_ctx_dpu1_output(rt, &rt->ctx, (uint32_t)t - PPRT_TENSOR_DPU1_CLS);
  }
}
const struct pprt_tensor_desc* pprt_runtime_tensor_desc(const pprt_runtime_t* rt, enum pprt_tensor t) {
  switch (t) {
    case PPRT_TENSOR_DPU0_INPUT: return pprt_xmodel_input(rt->xm0, 0);
    case PPRT_TENSOR_DPU0_OUTPUT: return pprt_xmodel_output(rt->xm0, 0);
    case PPRT_TENSOR_DPU1_INPUT: return pprt_xmodel_input(rt->xm1, 0);
    default: return pprt_xmodel_output(rt->xm1, out_index(rt, (uint32_t)t - PPRT_TENSOR_DPU1_CLS));
  }
}

/* ------------------------------------------------------------------ stages */

static enum pprt_status check_sweeps(const pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                     struct pprt_err* err) {
  if (sweeps == NULL || num_sweeps == 0)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "a frame needs at least the key sweep");
  if (num_sweeps > rt->max_sweeps)
    return pprt_fail(err, PPRT_STATUS_CAPACITY, "%u sweeps given, the runtime was created for at most %u",
                     num_sweeps, rt->max_sweeps);
  uint64_t total = 0;
  for (uint32_t i = 0; i < num_sweeps; ++i) {
    const struct pprt_sweep* s = &sweeps[i];
    if (s->num_points > 0 && s->points == NULL)
      return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "sweep %u: %u points but no point data", i, s->num_points);
    if (s->point_stride < 4 || s->point_stride > 64)
      return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "sweep %u: point stride %u (need 4..64 floats)", i,
                       s->point_stride);
    if (i > 0) {
      for (int j = 0; j < 9; ++j)
        if (!isfinite(s->rotation[j]))
          return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "sweep %u: rotation has a non-finite value", i);
      for (int j = 0; j < 3; ++j)
        if (!isfinite(s->translation[j]))
          return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "sweep %u: translation has a non-finite value", i);
    }
    total += s->num_points;
  }
  if (total > rt->max_points)
    return pprt_fail(err, PPRT_STATUS_CAPACITY, "%llu points in the frame, the runtime was created for at most %u",
                     (unsigned long long)total, rt->max_points);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_ctx_voxelize(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, const struct pprt_sweep* sweeps,
                                   uint32_t num_sweeps, struct pprt_frame_stats* stats, struct pprt_err* err) {
  return pprt_ctx_voxelize_into(rt, f, sweeps, num_sweeps, pprt_ctx_dpu0_input(f), stats, err);
}

enum pprt_status pprt_ctx_voxelize_into(const pprt_runtime_t* rt, struct pprt_frame_ctx* f,
                                        const struct pprt_sweep* sweeps, uint32_t num_sweeps, int8_t* out,
                                        struct pprt_frame_stats* stats, struct pprt_err* err) {
  enum pprt_status st = check_sweeps(rt, sweeps, num_sweeps, err);
  if (st) return st;
  double t0 = pprt_now_ms();
  pprt_vox_begin(&rt->vp, &f->vox);
  const int64_t t_key = sweeps[0].timestamp_us;
  for (uint32_t i = 0; i < num_sweeps; ++i) {
    const struct pprt_sweep* s = &sweeps[i];
    /* t_key - t_sweep in int64 unless it overflows (then in double): no signed overflow on any timestamps */
    int64_t lag_us = 0;
    double lag = __builtin_sub_overflow(t_key, s->timestamp_us, &lag_us) ? (double)t_key - (double)s->timestamp_us
                                                                          : (double)lag_us;
    float dt = i == 0 ? 0.0f : (float)(lag * 1e-6);
    pprt_vox_add(&rt->vp, &f->vox, rt->k, s->points, s->num_points, s->point_stride, i == 0 ? NULL : s->rotation,
                 i == 0 ? NULL : s->translation, dt, out);
  }
  stats->points_in = f->vox.counts.points_in;
  stats->points_nonfinite = f->vox.counts.nonfinite;
  stats->points_out_of_range = f->vox.counts.out_of_range;
  stats->points_overflow = f->vox.counts.overflow;
  stats->pillars = f->vox.num_pillars;
  stats->stage_ms[PPRT_STAGE_VOXELIZE] = pprt_now_ms() - t0;
  return PPRT_STATUS_OK;
}

static void scatter_into(const pprt_runtime_t* rt, struct pprt_frame_ctx* dst, const int8_t* features,
                         const int32_t* coords, uint32_t n, int8_t* canvas, struct pprt_frame_stats* stats) {
  double t0 = pprt_now_ms();
  pprt_scatter_run(&rt->sp, &dst->canvas, rt->k, features, coords, n, canvas);
  if (rt->family == PPRT_FAMILY_KITTI) { /* the anchor mask of this canvas' frame */
    memcpy(dst->kcoords, coords, (size_t)n * 2 * sizeof *coords);
    dst->kn = n;
  }
  stats->stage_ms[PPRT_STAGE_SCATTER] = pprt_now_ms() - t0;
}

void pprt_ctx_scatter(const pprt_runtime_t* rt, const struct pprt_frame_ctx* src, struct pprt_frame_ctx* dst,
                      struct pprt_frame_stats* stats) {
  /* The DPU0 output is only read; the accessor is non-const because runner buffers are. */
  struct pprt_frame_ctx* s = (struct pprt_frame_ctx*)src;
  scatter_into(rt, dst, pprt_ctx_dpu0_output(s), src->vox.coords, src->vox.num_pillars, pprt_ctx_dpu1_input(dst),
               stats);
}

/* The one post-processing entry: rt's decoder (nuScenes anchors or the KITTI family's) on explicit DPU1 outputs, with
 * post state ps / kps and the frame's pillars (the KITTI anchor mask). Adds its time to the post-processing time. */
void pprt_ctx_post_from(const pprt_runtime_t* rt, struct pprt_post_state* ps, struct pprt_kitti_post_state* kps,
                        const int8_t* cls, const int8_t* reg, const int8_t* dir, const int32_t* coords,
                        uint32_t num_pillars, struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes,
                        struct pprt_frame_stats* stats) {
  double t0 = pprt_now_ms();
  uint32_t cand = 0;
  if (rt->family == PPRT_FAMILY_KITTI)
    pprt_kitti_post_run(&rt->kpp, kps, rt->k, cls, reg, dir, coords, num_pillars, boxes, max_boxes, num_boxes, &cand);
  else
    pprt_post_run(&rt->pp, ps, rt->k, cls, reg, dir, boxes, max_boxes, num_boxes, &cand);
  stats->candidates = cand;
  stats->boxes = *num_boxes;
  stats->stage_ms[PPRT_STAGE_POSTPROCESS] += pprt_now_ms() - t0;
}

void pprt_ctx_post(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, struct pprt_box* boxes, uint32_t max_boxes,
                   uint32_t* num_boxes, struct pprt_frame_stats* stats) {
  stats->stage_ms[PPRT_STAGE_POSTPROCESS] = 0.0;
  pprt_ctx_post_from(rt, &f->post, &f->kpost, pprt_ctx_dpu1_output(rt, f, 0), pprt_ctx_dpu1_output(rt, f, 1),
                     pprt_ctx_dpu1_output(rt, f, 2), f->kcoords, f->kn, boxes, max_boxes, num_boxes, stats);
}

/* Sleep until the CLOCK_MONOTONIC time t_ms (pprt_now_ms's clock). */
static void sleep_until_ms(double t_ms) {
  struct timespec ts;
  double sec = floor(t_ms * 1e-3);
  ts.tv_sec = (time_t)sec;
  ts.tv_nsec = (long)((t_ms - sec * 1e3) * 1e6);
  if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
  if (ts.tv_nsec < 0) ts.tv_nsec = 0;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

enum pprt_status pprt_ctx_dpu(const pprt_runtime_t* rt, struct pprt_frame_ctx* f, int sg, struct pprt_frame_stats* stats,
                              struct pprt_err* err) {
  struct pprt_dpu_sim* sim = rt->sim;
  if (sim != NULL && sim->cores > 0)
    while (sem_wait(&sim->free_cores) != 0) {
    } /* EINTR only */
  double t1 = pprt_now_ms();
  enum pprt_status st = pprt_backend_run(f->dpu[sg], err);
  if (sim != NULL && st == PPRT_STATUS_OK && sim->ms[sg] > 0.0) sleep_until_ms(t1 + sim->ms[sg]);
  double t2 = pprt_now_ms();
  if (sim != NULL && sim->cores > 0) sem_post(&sim->free_cores);
  stats->stage_ms[sg == 0 ? PPRT_STAGE_DPU0 : PPRT_STAGE_DPU1] = t2 - t1;
  if (st) pprt_err_prefix(err, "subgraph %d", sg);
  return st;
}

/* Takes rt for one call (the "one thread at a time" rule of pprt.h): 0 if taken, else BUSY with the message in this
 * thread's last error only (rt->err belongs to the call that holds rt). */
static enum pprt_status rt_enter(pprt_runtime_t* rt, const char* fn) {
  int expected = 0;
  if (atomic_compare_exchange_strong(&rt->busy, &expected, 1)) return PPRT_STATUS_OK;
  char msg[200];
  snprintf(msg, sizeof msg,
           "%s: the runtime is in use by another thread (one thread at a time per runtime; use a stream for "
           "several frames at once)",
           fn);
  pprt_set_last_error(msg);
  return PPRT_STATUS_BUSY;
}

static void rt_leave(pprt_runtime_t* rt) { atomic_store(&rt->busy, 0); }

static enum pprt_status simulate_impl(pprt_runtime_t* rt, double ms0, double ms1, uint32_t cores);

enum pprt_status pprt_runtime_simulate_dpu(pprt_runtime_t* rt, double ms0, double ms1, uint32_t cores) {
  if (rt == NULL) {
    pprt_set_last_error("pprt_runtime_simulate_dpu: NULL runtime");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = rt_enter(rt, "pprt_runtime_simulate_dpu");
  if (st) return st;
  unsigned ns = atomic_load(&rt->streams);
  if (ns > 0) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "pprt_runtime_simulate_dpu: %u stream%s of this runtime still exist%s; destroy them first (their workers "
             "use the simulation)",
             ns, ns == 1 ? "" : "s", ns == 1 ? "s" : "");
    pprt_set_last_error(msg);
    rt_leave(rt);
    return PPRT_STATUS_BUSY;
  }
  st = simulate_impl(rt, ms0, ms1, cores);
  rt_leave(rt);
  return st;
}

static enum pprt_status simulate_impl(pprt_runtime_t* rt, double ms0, double ms1, uint32_t cores) {
  if (!(ms0 >= 0.0 && ms0 <= 60000.0) || !(ms1 >= 0.0 && ms1 <= 60000.0) || cores > 64) {
    pprt_fail(&rt->err, PPRT_STATUS_INVALID_ARGUMENT,
              "simulated DPU times %g, %g ms must be in 0..60000 and cores %u in 0..64", ms0, ms1, cores);
    snprintf(rt->last_error, sizeof rt->last_error, "%s", rt->err.msg);
    pprt_set_last_error(rt->err.msg);
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  if (rt->sim != NULL) {
    sem_destroy(&rt->sim->free_cores);
    free(rt->sim);
    rt->sim = NULL;
  }
  if (ms0 == 0.0 && ms1 == 0.0 && cores == 0) return PPRT_STATUS_OK;
  struct pprt_dpu_sim* sim = calloc(1, sizeof *sim);
  if (sim == NULL || sem_init(&sim->free_cores, 0, cores) != 0) {
    free(sim);
    pprt_set_last_error("out of memory");
    return PPRT_STATUS_OUT_OF_MEMORY;
  }
  sim->ms[0] = ms0;
  sim->ms[1] = ms1;
  sim->cores = cores;
  rt->sim = sim;
  return PPRT_STATUS_OK;
}

static enum pprt_status run_impl(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                 struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes) {
  struct pprt_frame_ctx* f = &rt->ctx;
  if (num_boxes == NULL || (boxes == NULL && max_boxes > 0))
    return pprt_fail(&rt->err, PPRT_STATUS_INVALID_ARGUMENT, "no box array");
  *num_boxes = 0;
  if (rt->runner_kind == PPRT_RUNNER_NONE)
    return pprt_fail(&rt->err, PPRT_STATUS_INVALID_ARGUMENT, "this runtime was created without runners");
  memset(&f->stats, 0, sizeof f->stats);
  double t0 = pprt_now_ms();
  enum pprt_status st = pprt_ctx_voxelize(rt, f, sweeps, num_sweeps, &f->stats, &rt->err);
  if (st) return st;
  if (f->vox.num_pillars == 0) {
    /* No points in range: nothing to detect. Still clear the canvas cells of the last frame so the next frame starts
     * clean. */
    pprt_ctx_scatter(rt, f, f, &f->stats);
    f->stats.stage_ms[PPRT_STAGE_TOTAL] = pprt_now_ms() - t0;
    return PPRT_STATUS_OK;
  }
  if ((st = pprt_ctx_dpu(rt, f, 0, &f->stats, &rt->err))) return st;
  pprt_ctx_scatter(rt, f, f, &f->stats);
  if ((st = pprt_ctx_dpu(rt, f, 1, &f->stats, &rt->err))) return st;
  pprt_ctx_post(rt, f, boxes, max_boxes, num_boxes, &f->stats);
  f->stats.stage_ms[PPRT_STAGE_TOTAL] = pprt_now_ms() - t0;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_runtime_run(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                  struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes) {
  if (rt == NULL) {
    pprt_set_last_error("pprt_runtime_run: NULL runtime");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = rt_enter(rt, "pprt_runtime_run");
  if (st) {
    if (num_boxes != NULL) *num_boxes = 0;
    return st;
  }
  rt->err.msg[0] = '\0';
  st = run_impl(rt, sweeps, num_sweeps, boxes, max_boxes, num_boxes);
  if (st != PPRT_STATUS_OK) {
    snprintf(rt->last_error, sizeof rt->last_error, "%s", rt->err.msg);
    pprt_set_last_error(rt->err.msg);
  }
  rt_leave(rt);
  return st;
}

enum pprt_status pprt_runtime_stats(const pprt_runtime_t* rt, struct pprt_frame_stats* out) {
  if (rt == NULL || out == NULL) return PPRT_STATUS_INVALID_ARGUMENT;
  *out = rt->ctx.stats;
  return PPRT_STATUS_OK;
}

const char* pprt_runtime_last_error(const pprt_runtime_t* rt) { return rt != NULL ? rt->last_error : ""; }

uint32_t pprt_runtime_num_classes(const pprt_runtime_t* rt) { return rt != NULL ? rt->cfg.num_classes : 0; }

const char* pprt_runtime_class_name(const pprt_runtime_t* rt, uint32_t label) {
  static const char* const generic[PPRT_CFG_MAX_CLASSES] = {
      "class0",  "class1",  "class2",  "class3",  "class4",  "class5",  "class6",  "class7",
      "class8",  "class9",  "class10", "class11", "class12", "class13", "class14", "class15",
      "class16", "class17", "class18", "class19", "class20", "class21", "class22", "class23",
      "class24", "class25", "class26", "class27", "class28", "class29", "class30", "class31"};
  if (rt == NULL || label >= rt->cfg.num_classes || label >= PPRT_CFG_MAX_CLASSES) return "unknown";
  if (rt->family == PPRT_FAMILY_KITTI && label < rt->kcfg.num_generators && rt->kcfg.gen[label].class_name[0])
    return rt->kcfg.gen[label].class_name;
  if (rt->cfg.num_classes == 10) return k_nuscenes_classes[label];
  return generic[label];
}

uint32_t pprt_runtime_max_boxes(const pprt_runtime_t* rt) { return rt != NULL ? rt->cfg.max_num : 0; }

/* ------------------------------------------------------------------ the stages alone (pprt/stages.h) */

enum pprt_status pprt_runtime_tensor(const pprt_runtime_t* rt, enum pprt_tensor t, struct pprt_tensor_info* out) {
  if (rt == NULL || out == NULL || (unsigned)t >= PPRT_TENSOR_COUNT) {
    pprt_set_last_error("pprt_runtime_tensor: NULL argument or unknown tensor");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  const struct pprt_tensor_desc* d = pprt_runtime_tensor_desc(rt, t);
  memset(out, 0, sizeof *out);
  out->name = d->name;
  out->ndim = d->ndim < PPRT_TENSOR_INFO_MAX_DIMS ? d->ndim : PPRT_TENSOR_INFO_MAX_DIMS;
  for (uint32_t i = 0; i < out->ndim; ++i) out->dims[i] = d->dims[i];
  out->fix_point = d->fix_point;
  out->bytes = d->elements;
  return PPRT_STATUS_OK;
}

const int8_t* pprt_runtime_tensor_data(pprt_runtime_t* rt, enum pprt_tensor t) {
  if (rt == NULL || (unsigned)t >= PPRT_TENSOR_COUNT) return NULL;
  return pprt_runtime_tensor_buf(rt, t);
}

enum pprt_status pprt_runtime_get_info(const pprt_runtime_t* rt, struct pprt_runtime_info* out) {
  if (rt == NULL || out == NULL) {
    pprt_set_last_error("pprt_runtime_get_info: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  memset(out, 0, sizeof *out);
  out->family = rt->family == PPRT_FAMILY_KITTI ? "kitti" : "nuscenes";
  out->model_name0 = rt->name0;
  out->model_name1 = rt->name1;
  out->kernels = rt->k->isa;
  out->max_pillars = rt->vp.max_pillars;
  for (int i = 0; i < 3; ++i) out->grid[i] = rt->vp.grid[i];
  out->canvas[0] = rt->sp.H;
  out->canvas[1] = rt->sp.W;
  out->canvas[2] = rt->sp.C;
  out->scatter_shift = rt->sp.shift;
  out->num_classes = rt->cfg.num_classes;
  out->score_thresh = rt->family == PPRT_FAMILY_KITTI ? (float)(1.0 / (1.0 + exp(-(double)rt->kpp.score_logit)))
                                                     : rt->pp.score_thresh;
  out->dpu_attrs[0] = rt->dpu_attrs[0];
  out->dpu_attrs[1] = rt->dpu_attrs[1];
  return PPRT_STATUS_OK;
}

uint32_t pprt_kernel_set_count(void) {
  size_t n = 0;
  pprt_kernels_all(&n);
  return (uint32_t)n;
}

const char* pprt_kernel_set_name(uint32_t i) {
  size_t n = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&n);
  return i < n ? all[i]->isa : NULL;
}

enum pprt_status pprt_runtime_use_kernels(pprt_runtime_t* rt, const char* name) {
  if (rt == NULL || name == NULL) {
    pprt_set_last_error("pprt_runtime_use_kernels: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = rt_enter(rt, "pprt_runtime_use_kernels");
  if (st) return st;
  const struct pprt_kernels* k = NULL;
  size_t n = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&n);
  if (strcmp(name, "best") == 0) k = pprt_kernels();
  for (size_t i = 0; k == NULL && i < n; ++i)
    if (strcmp(all[i]->isa, name) == 0) k = all[i];
  if (atomic_load(&rt->streams) > 0) {
    pprt_set_last_error("pprt_runtime_use_kernels: streams of this runtime still exist; destroy them first");
    st = PPRT_STATUS_BUSY;
  } else if (k == NULL) {
    char sets[128] = "";
    for (size_t i = 0; i < n; ++i)
      snprintf(sets + strlen(sets), sizeof sets - strlen(sets), "%s%s", i ? ", " : "", all[i]->isa);
    char msg[256];
    snprintf(msg, sizeof msg, "kernel set '%s' is not usable here (this CPU: %s, or best)", name, sets);
    pprt_set_last_error(msg);
    st = PPRT_STATUS_INVALID_ARGUMENT;
  } else {
    rt->k = k;
  }
  rt_leave(rt);
  return st;
}

/* Enter a stage call: rt must exist (one thread at a time, as pprt_runtime_run), its message cleared. */
static enum pprt_status stage_enter(pprt_runtime_t* rt, const char* fn, int args_ok) {
  if (rt == NULL || !args_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: NULL argument", fn);
    pprt_set_last_error(msg);
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = rt_enter(rt, fn);
  if (st == PPRT_STATUS_OK) rt->err.msg[0] = '\0';
  return st;
}

static enum pprt_status stage_leave(pprt_runtime_t* rt, enum pprt_status st) {
  if (st != PPRT_STATUS_OK) {
    snprintf(rt->last_error, sizeof rt->last_error, "%s", rt->err.msg);
    pprt_set_last_error(rt->err.msg);
  }
  rt_leave(rt);
  return st;
}

enum pprt_status pprt_stage_voxelize(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                     int8_t* dpu0_input, uint32_t* num_pillars) {
  enum pprt_status st = stage_enter(rt, "pprt_stage_voxelize", dpu0_input != NULL);
  if (st) return st;
  st = pprt_ctx_voxelize_into(rt, &rt->ctx, sweeps, num_sweeps, dpu0_input, &rt->ctx.stats, &rt->err);
  if (num_pillars != NULL) *num_pillars = st ? 0 : rt->ctx.vox.num_pillars;
  return stage_leave(rt, st);
}

const int32_t* pprt_stage_pillars(const pprt_runtime_t* rt, uint32_t* num_pillars) {
  if (num_pillars != NULL) *num_pillars = rt != NULL ? rt->ctx.vox.num_pillars : 0;
  return rt != NULL ? rt->ctx.vox.coords : NULL;
}

enum pprt_status pprt_stage_scatter(pprt_runtime_t* rt, const int8_t* features, const int32_t* coords, uint32_t n,
                                    int8_t* dpu1_input) {
  enum pprt_status st = stage_enter(rt, "pprt_stage_scatter",
                                    dpu1_input != NULL && (n == 0 || (features != NULL && coords != NULL)));
  if (st) return st;
  if (n > rt->vp.max_pillars)
    st = pprt_fail(&rt->err, PPRT_STATUS_CAPACITY, "%u pillars, the model has room for %u", n, rt->vp.max_pillars);
  for (uint32_t i = 0; st == PPRT_STATUS_OK && i < n; ++i)
    if (coords[2 * i] < 0 || (uint32_t)coords[2 * i] >= rt->sp.H || coords[2 * i + 1] < 0 ||
        (uint32_t)coords[2 * i + 1] >= rt->sp.W)
      st = pprt_fail(&rt->err, PPRT_STATUS_BAD_INPUT, "pillar %u at (y %d, x %d) is outside the %ux%u canvas", i,
                     coords[2 * i], coords[2 * i + 1], rt->sp.H, rt->sp.W);
  if (st == PPRT_STATUS_OK) scatter_into(rt, &rt->ctx, features, coords, n, dpu1_input, &rt->ctx.stats);
  return stage_leave(rt, st);
}

enum pprt_status pprt_stage_post(pprt_runtime_t* rt, const int8_t* cls, const int8_t* reg, const int8_t* dir,
                                 const int32_t* coords, uint32_t num_pillars, struct pprt_box* boxes,
                                 uint32_t max_boxes, uint32_t* num_boxes) {
  enum pprt_status st = stage_enter(rt, "pprt_stage_post",
                                    cls != NULL && reg != NULL && dir != NULL && num_boxes != NULL &&
                                        (boxes != NULL || max_boxes == 0));
  if (st) return st;
  if (coords == NULL) { /* the pillars of the last voxelize */
    coords = rt->ctx.vox.coords;
    num_pillars = rt->ctx.vox.num_pillars;
  }
  if (num_pillars > rt->vp.max_pillars)
    st = pprt_fail(&rt->err, PPRT_STATUS_CAPACITY, "%u pillars, the model has room for %u", num_pillars,
                   rt->vp.max_pillars);
  for (uint32_t i = 0; st == PPRT_STATUS_OK && rt->family == PPRT_FAMILY_KITTI && i < num_pillars; ++i)
    if (coords[2 * i] < 0 || coords[2 * i] >= rt->vp.grid[1] || coords[2 * i + 1] < 0 ||
        coords[2 * i + 1] >= rt->vp.grid[0])
      st = pprt_fail(&rt->err, PPRT_STATUS_BAD_INPUT, "pillar %u at (y %d, x %d) is outside the %dx%d grid", i,
                     coords[2 * i], coords[2 * i + 1], rt->vp.grid[1], rt->vp.grid[0]);
  if (st == PPRT_STATUS_OK) {
    rt->ctx.stats.stage_ms[PPRT_STAGE_POSTPROCESS] = 0.0;
    pprt_ctx_post_from(rt, &rt->ctx.post, &rt->ctx.kpost, cls, reg, dir, coords, num_pillars, boxes, max_boxes,
                       num_boxes, &rt->ctx.stats);
  } else {
    *num_boxes = 0;
  }
  return stage_leave(rt, st);
}
