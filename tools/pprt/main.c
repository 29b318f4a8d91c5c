/* pprt: the command-line front end of the runtime.
 *   pprt run      --model DIR [SWEEP...] [--info F]... [--runner dpu|cpu|dummy] [--json] ...
 *   pprt voxelize --model DIR SWEEP [--info F] -o OUT
 *   pprt scatter  --model DIR --features F --coords F -o OUT
 *   pprt post     --model DIR --cls F --reg F --dir F [--json]
 * Exit codes: 0 success, 1 a runtime error (message on stderr), 2 a usage error. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "pprt/nusc.h"
#include "pprt/stages.h"
#include "display.h"
#include "core/fileio.h"

#define EXIT_USAGE 2

struct args {
  const char* cmd;
  const char* model;
  const char* names; /* "name0,name1" */
  const char* sweep;
  const char* info;
  const char* runner;
  const char* runner_lib;
  const char* out;
  const char* features;
  const char* coords;
  const char* cls;
  const char* reg;
  const char* dir;
  int json;
  const char* format;   /* table | json | vai | nuscenes | contest */
  const char* out_file; /* --out FILE */
  const char* dataset;  /* nuScenes folder */
  const char* version;
  const char* sample;   /* sample token */
  int vai_compat;
  int repeat;
  float score_thresh;
  uint32_t max_points;
  uint32_t max_sweeps;
  char name0[256], name1[256];
  /* pprt run: the frames in order, each a SWEEP file or an --info file */
  const char* seq[64];
  unsigned char seq_info[64];
  int nseq;
  int stream;             /* --stream: the sequence through pprt_stream */
  uint32_t dpu_cores, in_flight;
  double rate;            /* --rate HZ: frames start no faster (0: as fast as they go) */
  int display;            /* --display */
  struct pprt_display_options disp;
  double display_hold;    /* seconds the last frame stays on screen */
};

static void usage(FILE* f) {
  fprintf(f,
          "usage: pprt <command> [options]\n"
          "\n"
          "commands:\n"
          "  run       run frames through the whole pipeline and print the boxes and stage timings\n"
          "  voxelize  run the voxelization stage alone: write dpu0_input.bin and coords.bin\n"
          "  scatter   run the scatter stage alone: write dpu1_input.bin\n"
          "  post      run the post-processing stage alone on raw DPU1 outputs and print the boxes\n"
          "  help      show this text (pprt help <command> for one command)\n"
          "\n"
          "pprt run --model DIR [SWEEP...] [--info FILE.info]... [--runner dpu|cpu|dummy] [--json]\n"
          "         [--runner-lib PATH] [--vai-compat] [--score-thresh X] [--repeat N]\n"
          "         [--max-points N] [--max-sweeps N] [--model-names NAME0,NAME1]\n"
          "         [--format table|json|vai|nuscenes|contest] [--out FILE] [--dataset DIR --sample TOKEN]\n"
          "         [--stream [--dpu-cores N] [--in-flight N]] [--rate HZ]\n"
          "         [--display [--display-card N] [--display-connector NAME] [--display-range M]\n"
          "          [--display-hold S] [--display-root DIR]]\n"
          "  DIR holds the two VAI-Library model folders <name>/<name>.xmodel + <name>.prototxt (found by their\n"
          "  _0_pt / _1_pt suffix unless --model-names is given); a KITTI pair (model_type POINTPILLARS) also has\n"
          "  <name0>_officialcfg.prototxt in folder 0. DIR may also be a one-file KITTI custom-op graph X.xmodel\n"
          "  (docs/KITTI.md). SWEEP is a point file (.pcd.bin nuScenes,\n"
          "  .bin KITTI, .pcd); --info reads a Vitis AI Library multi-sweep .info file instead (key sweep + earlier\n"
          "  sweeps with their transforms). --runner: dpu (default, the board's DPU through VART), cpu (pprt's\n"
          "  int8 reference runner plugin), dummy (VART's dummy runner: timing only, it writes no outputs).\n"
          "  --vai-compat reproduces the Vitis AI Library where it differs from mmdetection3d.\n"
          "  --repeat N runs the frame N times and prints min / median stage times.\n"
          "  --format: table (default), json (= --json), vai (VAI-L accuracy text: x y z w l h yaw vx vy label score;\n"
          "    a KITTI model: the line VAI-L's KITTI programs print, label x y z w l h yaw score),\n"
          "  nuscenes (detection-results JSON, global frame) or contest ({token: {vehicle, pedestrian: [[x, y, score]]}});\n"
          "  the last two need --dataset DIR --sample TOKEN, which also reads the sample's key + 9 earlier sweeps.\n"
          "  Several SWEEP files (or several --info) run one after the other as a sequence (table / json only);\n"
          "  --stream runs them through a stream (pprt_stream: --dpu-cores N runner pairs, --in-flight N frames),\n"
          "  results in order; --rate HZ starts frames no faster than HZ per second (a lidar's sweep rate).\n"
          "  --display shows each frame's bird's-eye view (pprt view's drawing) on the board's display through\n"
          "  KMS, no X or Wayland (stop a desktop first): the first connected connector of the first display card\n"
          "  (or card N, or NAME such as DP-1 / HDMI-A-1), +-M metres (54), page flips on vblank; the last frame\n"
          "  stays S seconds (5; Ctrl-C ends it) and the screen is put back as it was. --display-root DIR opens\n"
          "  DIR/dev/dri/card* (tests).\n"
          "\n"
          "pprt voxelize --model DIR SWEEP [--info FILE.info] [--vai-compat] -o OUT\n"
          "  writes OUT/dpu0_input.bin (the raw int8 DPU0 input tensor, all rows; rows past the pillar count are 0)\n"
          "  and OUT/coords.bin (int32 y, x per live pillar, in pillar order) and prints the counts.\n"
          "\n"
          "pprt scatter --model DIR --features F --coords F -o OUT\n"
          "  F: the raw int8 DPU0 output (all rows, or only the live rows) and coords.bin; writes OUT/dpu1_input.bin.\n"
          "\n"
          "pprt post --model DIR --cls F --reg F --dir F [--json] [--vai-compat] [--score-thresh X]\n"
          "  F: the raw int8 DPU1 outputs (NHWC, one frame each); prints the boxes as pprt run does.\n");
}

static int usage_error(const char* fmt, const char* arg) { return pprt_cli_usage(NULL, fmt, arg); }

static int parse_u32(const char* s, uint32_t* out) { return pprt_cli_parse_u32(s, 0, UINT32_MAX, out); }

static int parse_args(int argc, char** argv, struct args* a) {
  memset(a, 0, sizeof *a);
  pprt_display_options_init(&a->disp);
  a->display_hold = 5.0;
  a->score_thresh = -1.0f;
  a->repeat = 1;
  a->cmd = argv[1];
  for (int i = 2; i < argc; ++i) {
    const char* o = argv[i];
#define NEED_VALUE()                                                     \
  do {                                                                   \
    if (i + 1 >= argc) return usage_error("option %s needs a value", o); \
  } while (0)
    if (strcmp(o, "--model") == 0) { NEED_VALUE(); a->model = argv[++i]; }
    else if (strcmp(o, "--model-names") == 0) { NEED_VALUE(); a->names = argv[++i]; }
    else if (strcmp(o, "--info") == 0) {
      NEED_VALUE();
      if (a->info != NULL && strcmp(a->cmd, "run") != 0) return usage_error("%s takes one --info", a->cmd);
      if (a->nseq >= 64) return usage_error("at most 64 frames, got more at '%s'", argv[i + 1]);
      if (a->info == NULL) a->info = argv[i + 1];
      a->seq_info[a->nseq] = 1;
      a->seq[a->nseq++] = argv[++i];
    }
    else if (strcmp(o, "--display") == 0) a->display = 1;
    else if (strcmp(o, "--stream") == 0) a->stream = 1;
    else if (strcmp(o, "--dpu-cores") == 0 || strcmp(o, "--in-flight") == 0) {
      NEED_VALUE();
      int cores = strcmp(o, "--dpu-cores") == 0;
      uint32_t v;
      if (pprt_cli_parse_u32(argv[++i], 1, cores ? 8 : 64, &v) != 0)
        return usage_error(cores ? "--dpu-cores must be 1..8, got '%s'" : "--in-flight must be 1..64, got '%s'", argv[i]);
      if (cores) a->dpu_cores = v;
      else a->in_flight = v;
    } else if (strcmp(o, "--rate") == 0) {
      NEED_VALUE();
      char* end = NULL;
      double v = strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(v > 0 && v <= 1000)) return usage_error("--rate must be in (0, 1000] Hz, got '%s'", argv[i]);
      a->rate = v;
    }
    else if (strcmp(o, "--display-connector") == 0) { NEED_VALUE(); a->disp.connector = argv[++i]; }
    else if (strcmp(o, "--display-root") == 0) { NEED_VALUE(); a->disp.root = argv[++i]; }
    else if (strcmp(o, "--display-card") == 0) {
      NEED_VALUE();
      uint32_t v;
      if (pprt_cli_parse_u32(argv[++i], 0, 63, &v) != 0) return usage_error("--display-card must be 0..63, got '%s'", argv[i]);
      a->disp.card = (int)v;
    } else if (strcmp(o, "--display-range") == 0 || strcmp(o, "--display-hold") == 0) {
      NEED_VALUE();
      char* end = NULL;
      double v = strtod(argv[++i], &end);
      int range = strcmp(o, "--display-range") == 0;
      if (end == argv[i] || *end != '\0' || !(range ? v >= 5 && v <= 200 : v >= 0 && v <= 86400))
        return usage_error(range ? "--display-range must be 5..200 m, got '%s'" : "--display-hold must be 0..86400 s, got '%s'",
                           argv[i]);
      if (range) a->disp.range = v;
      else a->display_hold = v;
    }
    else if (strcmp(o, "--runner") == 0) { NEED_VALUE(); a->runner = argv[++i]; }
    else if (strcmp(o, "--runner-lib") == 0) { NEED_VALUE(); a->runner_lib = argv[++i]; }
    else if (strcmp(o, "-o") == 0) { NEED_VALUE(); a->out = argv[++i]; }
    else if (strcmp(o, "--features") == 0) { NEED_VALUE(); a->features = argv[++i]; }
    else if (strcmp(o, "--coords") == 0) { NEED_VALUE(); a->coords = argv[++i]; }
    else if (strcmp(o, "--cls") == 0) { NEED_VALUE(); a->cls = argv[++i]; }
    else if (strcmp(o, "--reg") == 0) { NEED_VALUE(); a->reg = argv[++i]; }
    else if (strcmp(o, "--dir") == 0) { NEED_VALUE(); a->dir = argv[++i]; }
    else if (strcmp(o, "--json") == 0) a->json = 1;
    else if (strcmp(o, "--format") == 0) { NEED_VALUE(); a->format = argv[++i]; }
    else if (strcmp(o, "--out") == 0) { NEED_VALUE(); a->out_file = argv[++i]; }
    else if (strcmp(o, "--dataset") == 0) { NEED_VALUE(); a->dataset = argv[++i]; }
    else if (strcmp(o, "--version") == 0) { NEED_VALUE(); a->version = argv[++i]; }
    else if (strcmp(o, "--sample") == 0) { NEED_VALUE(); a->sample = argv[++i]; }
    else if (strcmp(o, "--vai-compat") == 0) a->vai_compat = 1;
    else if (strcmp(o, "--score-thresh") == 0) {
      NEED_VALUE();
      char* end = NULL;
      double v = strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(v > 0.0 && v < 1.0))
        return usage_error("--score-thresh must be a number in (0, 1), got '%s'", argv[i]);
      a->score_thresh = (float)v;
    } else if (strcmp(o, "--repeat") == 0) {
      NEED_VALUE();
      uint32_t v;
      if (parse_u32(argv[++i], &v) != 0 || v == 0 || v > 100000)
        return usage_error("--repeat must be 1..100000, got '%s'", argv[i]);
      a->repeat = (int)v;
    } else if (strcmp(o, "--max-points") == 0) {
      NEED_VALUE();
      if (parse_u32(argv[++i], &a->max_points) != 0 || a->max_points == 0)
        return usage_error("--max-points must be a positive integer, got '%s'", argv[i]);
    } else if (strcmp(o, "--max-sweeps") == 0) {
      NEED_VALUE();
      if (parse_u32(argv[++i], &a->max_sweeps) != 0 || a->max_sweeps == 0)
        return usage_error("--max-sweeps must be a positive integer, got '%s'", argv[i]);
    } else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
      usage(stdout);
      exit(0);
    } else if (o[0] == '-' && o[1] != '\0') {
      return usage_error("unknown option %s", o);
    } else if (a->sweep == NULL || (strcmp(a->cmd, "run") == 0 && a->nseq < 64)) {
      if (a->sweep == NULL) a->sweep = o;
      a->seq_info[a->nseq] = 0;
      a->seq[a->nseq++] = o;
    } else {
      return usage_error("unexpected argument '%s'", o);
    }
#undef NEED_VALUE
  }
  if (a->model == NULL) return usage_error("%s needs --model DIR", a->cmd);
  if (a->names != NULL) {
    const char* comma = strchr(a->names, ',');
    if (comma == NULL || comma == a->names || comma[1] == '\0' || (size_t)(comma - a->names) >= sizeof a->name0 ||
        strlen(comma + 1) >= sizeof a->name1)
      return usage_error("--model-names needs NAME0,NAME1, got '%s'", a->names);
    memcpy(a->name0, a->names, (size_t)(comma - a->names));
    snprintf(a->name1, sizeof a->name1, "%s", comma + 1);
  }
  if (a->format == NULL) a->format = a->json ? "json" : "table";
  if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0 && strcmp(a->format, "vai") != 0 &&
      strcmp(a->format, "nuscenes") != 0 && strcmp(a->format, "contest") != 0)
    return usage_error("--format must be table, json, vai, nuscenes or contest, got '%s'", a->format);
  if (a->json && strcmp(a->format, "json") != 0) return usage_error("%s", "--json and --format disagree");
  a->json = strcmp(a->format, "json") == 0;
  if ((strcmp(a->format, "nuscenes") == 0 || strcmp(a->format, "contest") == 0) && a->dataset == NULL)
    return usage_error("--format %s needs --dataset DIR --sample TOKEN (the sample's poses)", a->format);
  if ((a->dataset != NULL) != (a->sample != NULL)) return usage_error("%s", "--dataset and --sample go together");
  if (a->nseq > 1 && strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
    return usage_error("--format %s writes one frame; several frames print as table or json", a->format);
  if (a->nseq > 1 && a->dataset != NULL) return usage_error("%s", "--dataset reads one sample: no SWEEP / --info with it");
  if (a->display && strcmp(a->cmd, "run") != 0) return usage_error("%s", "--display is an option of pprt run");
  if ((a->stream || a->dpu_cores || a->in_flight || a->rate > 0) && strcmp(a->cmd, "run") != 0)
    return usage_error("%s", "--stream, --dpu-cores, --in-flight and --rate are options of pprt run");
  if ((a->dpu_cores || a->in_flight) && !a->stream) return usage_error("%s", "--dpu-cores / --in-flight go with --stream");
  if (a->stream && a->repeat > 1) return usage_error("%s", "--stream runs each frame once: no --repeat");
  if (a->out_file != NULL && strcmp(a->format, "table") == 0)
    return usage_error("%s", "--out FILE writes a file format: add --format json|vai|nuscenes|contest");
  return 0;
}

static int fail(enum pprt_status st, const char* msg) {
  fprintf(stderr, "pprt: %s: %s\n", pprt_status_str(st), msg && *msg ? msg : "(no message)");
  return 1;
}

static void fill_options(const struct args* a, struct pprt_options* o) {
  pprt_options_init(o);
  o->model_dir = a->model;
  if (a->names) {
    o->model_name0 = a->name0;
    o->model_name1 = a->name1;
  }
  o->runner_lib = a->runner_lib;
  o->vai_compat = a->vai_compat;
  o->score_thresh = a->score_thresh;
  o->max_points = a->max_points;
  o->max_sweeps = a->max_sweeps;
}

/* ------------------------------------------------------------------ input frames */

struct frame_input {
  pprt_cloud_t* clouds[64];
  uint32_t num_clouds;
  struct pprt_sweep sweeps[64];
  uint32_t num_sweeps;
  pprt_nusc_t* ds; /* --dataset */
  struct pprt_nusc_sample sample;
};

static void frame_input_free(struct frame_input* in) {
  for (uint32_t i = 0; i < in->num_clouds; ++i) pprt_cloud_destroy(in->clouds[i]);
  pprt_nusc_close(in->ds);
  memset(in, 0, sizeof *in);
}

/* Frame k of a->seq (k = 0: the only frame of voxelize, or the --dataset sample) into in's clouds. create: make the
 * clouds first (in is cleared); else a frame loaded earlier into in gives its clouds to this one. */
static int load_frame_at(const struct args* a, struct frame_input* in, int k, int create) {
  if (create) {
    memset(in, 0, sizeof *in);
    int sources = (a->nseq > 0) + (a->dataset != NULL);
    if (sources == 0) return usage_error("%s needs a SWEEP file, --info FILE or --dataset DIR --sample TOKEN", a->cmd);
    if (sources > 1 || (strcmp(a->cmd, "run") != 0 && a->nseq > 1))
      return usage_error("%s takes one of SWEEP, --info and --dataset (the .info / sample names its key sweep)", a->cmd);
    int any_info = a->dataset != NULL;
    for (int i = 0; i < a->nseq; ++i) any_info |= a->seq_info[i];
    uint32_t cap = a->max_points ? a->max_points : 400000u;
    uint32_t want = any_info ? (a->max_sweeps ? a->max_sweeps : 10u) : 1u;
    if (want > 64) want = 64;
    for (uint32_t i = 0; i < want; ++i) {
      enum pprt_status st = pprt_cloud_create(cap, &in->clouds[i]);
      if (st) {
        frame_input_free(in);
        return fail(st, pprt_last_error());
      }
      in->num_clouds = i + 1;
    }
  }
  enum pprt_status st;
  in->num_sweeps = 0;
  if (a->dataset) {
    uint32_t idx = 0;
    st = pprt_nusc_open(a->dataset, a->version, &in->ds);
    if (st == PPRT_STATUS_OK) st = pprt_nusc_find_sample(in->ds, a->sample, &idx);
    if (st == PPRT_STATUS_OK) st = pprt_nusc_sample_info(in->ds, idx, &in->sample);
    if (st == PPRT_STATUS_OK)
      st = pprt_nusc_load_sweeps(in->ds, idx, in->clouds, in->num_clouds, in->sweeps, &in->num_sweeps);
  } else if (a->seq_info[k]) {
    st = pprt_info_load(a->seq[k], in->clouds, in->num_clouds, in->sweeps, &in->num_sweeps);
  } else {
    st = pprt_cloud_load(in->clouds[0], a->seq[k], PPRT_FORMAT_AUTO, 0, &in->sweeps[0]);
    in->num_sweeps = 1;
  }
  if (st) {
    int rc = fail(st, pprt_last_error());
    frame_input_free(in);
    return rc;
  }
  return 0;
}

static int load_frame(const struct args* a, struct frame_input* in) { return load_frame_at(a, in, 0, 1); }

/* ------------------------------------------------------------------ output */

static void print_boxes_table(const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n) {
  printf("%4s  %-20s %6s %8s %8s %7s %6s %6s %6s %7s %6s %6s\n", "#", "label", "score", "x", "y", "z", "w", "l", "h",
         "yaw", "vx", "vy");
  for (uint32_t i = 0; i < n; ++i)
    printf("%4u  %-20s %6.3f %8.2f %8.2f %7.2f %6.2f %6.2f %6.2f %7.3f %6.2f %6.2f\n", i,
           pprt_runtime_class_name(rt, (uint32_t)b[i].label), (double)b[i].score, (double)b[i].x, (double)b[i].y,
           (double)b[i].z, (double)b[i].w, (double)b[i].l, (double)b[i].h, (double)b[i].yaw, (double)b[i].vx,
           (double)b[i].vy);
}

/* A float field: 9 significant digits read back as the same float. */
static void print_json_number(FILE* f, float v) {
  if (isfinite(v)) fprintf(f, "%.9g", (double)v);
  else fprintf(f, "null");
}

static void print_boxes_json(FILE* f, const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n) {
  fprintf(f, "\"boxes\": [");
  for (uint32_t i = 0; i < n; ++i) {
    fprintf(f, "%s\n  {\"label\": \"%s\", \"label_id\": %d, \"score\": ", i ? "," : "",
           pprt_runtime_class_name(rt, (uint32_t)b[i].label), b[i].label);
    print_json_number(f, b[i].score);
    fprintf(f, ", \"box\": [");
    const float v[9] = {b[i].x, b[i].y, b[i].z, b[i].w, b[i].l, b[i].h, b[i].yaw, b[i].vx, b[i].vy};
    for (int k = 0; k < 9; ++k) {
      if (k) fprintf(f, ", ");
      print_json_number(f, v[k]);
    }
    fprintf(f, "]}");
  }
  fprintf(f, "%s]", n ? "\n" : "");
}

static int cmp_double(const void* x, const void* y) {
  double a = *(const double*)x, b = *(const double*)y;
  return a < b ? -1 : a > b;
}

static int is_kitti(const pprt_runtime_t* rt) {
  struct pprt_runtime_info info;
  return pprt_runtime_get_info(rt, &info) == PPRT_STATUS_OK && strcmp(info.family, "kitti") == 0;
}

static const char* kernels_of(const pprt_runtime_t* rt) {
  struct pprt_runtime_info info;
  return pprt_runtime_get_info(rt, &info) == PPRT_STATUS_OK ? info.kernels : "?";
}

/* Write the boxes in one of the file formats (vai, nuscenes, contest) to a->out_file or stdout. */
static int write_boxes_format(const struct args* a, const pprt_runtime_t* rt, const struct frame_input* in,
                              const struct pprt_box* boxes, uint32_t n) {
  const char* path = a->out_file ? a->out_file : "/dev/stdout";
  enum pprt_status st = PPRT_STATUS_OK;
  if (strcmp(a->format, "vai") == 0) {
    st = is_kitti(rt) ? pprt_boxes_write_kitti(path, boxes, n) : pprt_boxes_write_vai(path, boxes, n);
  } else if (is_kitti(rt)) {
    fprintf(stderr, "pprt: --format %s is for nuScenes models; a KITTI model writes table, json or vai\n", a->format);
    return EXIT_USAGE;
  } else {
    pprt_detset_t* set = NULL;
    struct pprt_det_box* det = calloc(n ? n : 1, sizeof *det);
    if (det == NULL) return fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    uint32_t nd = 0;
    for (uint32_t i = 0; i < n; ++i) {
      int c = pprt_nusc_class_index(pprt_runtime_class_name(rt, (uint32_t)boxes[i].label));
      if (c < 0) continue; /* a model class that is not a nuScenes detection class */
      pprt_box_to_global(&boxes[i], c, &in->sample.lidar2ego, &in->sample.ego2global, &det[nd++]);
    }
    st = pprt_detset_create(&set);
    if (st == PPRT_STATUS_OK) st = pprt_detset_sample(set, in->sample.token, &(uint32_t){0});
    if (st == PPRT_STATUS_OK && nd > 0) st = pprt_detset_add(set, in->sample.token, det, nd);
    if (st == PPRT_STATUS_OK) st = pprt_detset_set_ego_pose(set, in->sample.token, &in->sample.ego2global);
    if (st == PPRT_STATUS_OK)
      st = strcmp(a->format, "nuscenes") == 0 ? pprt_detset_write(set, path, NULL, 0)
                                              : pprt_detset_write_contest(set, path);
    pprt_detset_destroy(set);
    free(det);
  }
  return st ? fail(st, pprt_last_error()) : 0;
}

/* ------------------------------------------------------------------ commands */

/* pprt run --display: SIGINT / SIGTERM end the run after the frame in progress, so the screen is put back. */
static volatile sig_atomic_t g_stop;
static void on_stop(int sig) {
  (void)sig;
  g_stop = 1;
}

/* One frame on the display: the model's boxes into the buffer sized at start, then draw and flip. */
static int display_frame(struct pprt_display* d, struct bev_box* dbox, const pprt_runtime_t* rt,
                         const struct frame_input* in, const struct pprt_box* boxes, uint32_t n, const char* path,
                         double total_ms) {
  for (uint32_t i = 0; i < n; ++i)
    dbox[i] = bev_box_from_model(&boxes[i], bev_class_of_name(pprt_runtime_class_name(rt, (uint32_t)boxes[i].label)));
  char title[160], err[1024];
  const char* slash = strrchr(path, '/');
  snprintf(title, sizeof title, "%s: %u detections, %.1f ms", slash ? slash + 1 : path, n, total_ms);
  enum pprt_status st = pprt_display_show(d, in->sweeps, in->num_sweeps, dbox, n, title, err, sizeof err);
  return st ? fail(st, err) : 0;
}

/* Print one frame's result as a->format says: f is its index in the sequence (the table's header comes once, --out
 * FILE is appended to after the first frame), med / mn its stage times. */
static int report_frame(const struct args* a, const struct pprt_options* o, const pprt_runtime_t* rt,
                        const struct frame_input* in, const struct pprt_box* boxes, uint32_t n,
                        const struct pprt_frame_stats* stats, const double* med, const double* mn, int f, int nframes,
                        const char* path) {
  int rc = 0;
  if (strcmp(a->format, "vai") == 0 || strcmp(a->format, "nuscenes") == 0 || strcmp(a->format, "contest") == 0) {
    rc = write_boxes_format(a, rt, in, boxes, n);
  } else if (a->json) {
    FILE* fo = a->out_file != NULL ? fopen(a->out_file, f == 0 ? "w" : "a") : stdout;
    if (fo == NULL) {
      fprintf(stderr, "pprt: I/O error: cannot write %s: %s\n", a->out_file, strerror(errno));
      return 1;
    }
    fprintf(fo, "{");
    print_boxes_json(fo, rt, boxes, n);
    fprintf(fo, ",\n\"timings_ms\": {");
    for (int s = 0; s < PPRT_STAGE_COUNT; ++s)
      fprintf(fo, "%s\"%s\": %.4f", s ? ", " : "", pprt_stage_name((enum pprt_stage)s), med[s]);
    fprintf(fo, "},\n\"stats\": {\"points\": %u, \"points_nonfinite\": %u, \"points_out_of_range\": %u, "
                "\"points_overflow\": %u, \"pillars\": %u, \"candidates\": %u, \"boxes\": %u, \"sweeps\": %u, "
                "\"runner\": \"%s\", \"kernels\": \"%s\"}}\n",
            stats->points_in, stats->points_nonfinite, stats->points_out_of_range, stats->points_overflow,
            stats->pillars, stats->candidates, stats->boxes, in->num_sweeps, pprt_runner_str(o->runner), kernels_of(rt));
    if (fo != stdout && fclose(fo) != 0) {
      fprintf(stderr, "pprt: I/O error: cannot write %s\n", a->out_file);
      rc = 1;
    }
  } else {
    if (f == 0) {
      struct pprt_runtime_info info;
      pprt_runtime_get_info(rt, &info);
      printf("pprt run: model %s (%s + %s), runner %s, kernels %s\n", a->model, info.model_name0, info.model_name1,
             pprt_runner_str(o->runner), info.kernels);
    }
    if (nframes > 1) printf("frame %d: %s\n", f, path);
    printf("frame: %u points in %u sweep%s -> %u pillars (dropped: %u non-finite, %u out of range, %u overflow); "
           "%u anchors above threshold; %u boxes\n",
           stats->points_in, in->num_sweeps, in->num_sweeps == 1 ? "" : "s", stats->pillars, stats->points_nonfinite,
           stats->points_out_of_range, stats->points_overflow, stats->candidates, n);
    if (o->runner == PPRT_RUNNER_DUMMY && f == 0)
      printf("note: the dummy runner writes no outputs; boxes come from whatever the output buffers hold\n");
    print_boxes_table(rt, boxes, n);
    if (a->repeat > 1) {
      printf("timings over %d runs, min / median (ms):", a->repeat);
      for (int s = 0; s < PPRT_STAGE_COUNT; ++s)
        printf("%s %s %.3f / %.3f", s ? " |" : "", pprt_stage_name((enum pprt_stage)s), mn[s], med[s]);
    } else {
      printf("timings (ms)%s:", a->stream ? ", total from submit" : "");
      for (int s = 0; s < PPRT_STAGE_COUNT; ++s)
        printf("%s %s %.3f", s ? " |" : "", pprt_stage_name((enum pprt_stage)s), med[s]);
    }
    printf("\n");
  }
  fflush(stdout);
  return rc;
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --rate HZ: wait until frame f's start time (t0 + f / HZ); a signal ends the wait. */
static void pace(const struct args* a, double t0, int f) {
  if (a->rate <= 0) return;
  for (double left = t0 + f / a->rate - mono_s(); left > 0 && !g_stop; left = t0 + f / a->rate - mono_s()) {
    double step = left < 0.05 ? left : 0.05;
    struct timespec ts = {0, (long)(step * 1e9)};
    nanosleep(&ts, NULL);
  }
}

/* The sequence through a stream: up to in_flight frames loaded (each its own clouds, made here), submitted, and
 * received in order; each result printed and shown as it comes. */
static int run_stream(const struct args* a, const struct pprt_options* o, pprt_runtime_t* rt,
                      struct frame_input* first, struct pprt_box* boxes, uint32_t cap, struct pprt_display* disp,
                      struct bev_box* dbox) {
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = a->dpu_cores;
  so.max_in_flight = a->in_flight;
  pprt_stream_t* s = NULL;
  enum pprt_status st = pprt_stream_create(rt, &so, &s);
  if (st) return fail(st, pprt_last_error());
  pprt_stream_get_options(s, &so);
  int nframes = a->nseq;
  int k = (int)so.max_in_flight < nframes ? (int)so.max_in_flight : nframes;
  struct frame_input* slot = calloc((size_t)k, sizeof *slot);
  if (slot == NULL) {
    pprt_stream_destroy(s);
    return fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  slot[0] = *first; /* frame 0, loaded by the caller: its clouds move here */
  memset(first, 0, sizeof *first);
  int rc = 0;
  for (int i = 1; i < k && rc == 0; ++i) rc = load_frame_at(a, &slot[i], i, 1);
  int next = 0, done = 0;
  double t0 = mono_s();
  while (rc == 0 && done < nframes && !g_stop) {
    while (rc == 0 && next < nframes && next - done < k && !g_stop) {
      struct frame_input* in = &slot[next % k];
      if (next >= k && (rc = load_frame_at(a, in, next, 0)) != 0) break;
      pace(a, t0, next);
      pprt_stream_submit(s, in->sweeps, in->num_sweeps, (uint64_t)next);
      ++next;
    }
    if (rc != 0 || next == done) break;
    uint32_t n = 0;
    uint64_t tag = 0;
    struct pprt_frame_stats stats;
    memset(&stats, 0, sizeof stats);
    st = pprt_stream_receive(s, boxes, cap, &n, &tag, &stats);
    if (st) {
      rc = fail(st, pprt_last_error());
      break;
    }
    const struct frame_input* in = &slot[tag % (uint64_t)k];
    const char* path = a->seq[tag];
    if (disp != NULL && (rc = display_frame(disp, dbox, rt, in, boxes, n, path, stats.stage_ms[PPRT_STAGE_TOTAL])))
      break;
    rc = report_frame(a, o, rt, in, boxes, n, &stats, stats.stage_ms, stats.stage_ms, (int)tag, nframes, path);
    ++done;
  }
  pprt_stream_destroy(s); /* frames still in flight are dropped before their points go */
  for (int i = 0; i < k; ++i) frame_input_free(&slot[i]);
  free(slot);
  return rc;
}

static int cmd_run(const struct args* a) {
  struct pprt_options o;
  fill_options(a, &o);
  if (a->runner && pprt_runner_from_string(a->runner, &o.runner) != PPRT_STATUS_OK)
    return usage_error("--runner must be dpu, cpu or dummy, got '%s'", a->runner);
  if (a->stream && a->dataset != NULL) return usage_error("%s", "--stream runs SWEEP / --info frames, not --dataset");
  int nframes = a->dataset != NULL ? 1 : a->nseq;
  struct frame_input in;
  int rc = load_frame_at(a, &in, 0, 1);
  if (rc) return rc;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st) {
    frame_input_free(&in);
    return fail(st, pprt_last_error());
  }
  uint32_t cap = pprt_runtime_max_boxes(rt);
  struct pprt_box* boxes = calloc(cap ? cap : 1, sizeof *boxes);
  double* samples = calloc((size_t)a->repeat * PPRT_STAGE_COUNT, sizeof *samples);
  struct bev_box* dbox = a->display ? calloc(cap ? cap : 1, sizeof *dbox) : NULL;
  if (boxes == NULL || samples == NULL || (a->display && dbox == NULL)) {
    free(boxes);
    free(samples);
    free(dbox);
    pprt_runtime_destroy(rt);
    frame_input_free(&in);
    return fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  /* the display: opened once, two buffers of the screen's size, the CRTC put back at the end */
  struct pprt_display disp;
  int disp_open = 0;
  struct sigaction old_int, old_term;
  g_stop = 0;
  if (a->display) {
    char err[1024];
    if ((st = pprt_display_open(&disp, &a->disp, err, sizeof err)) != PPRT_STATUS_OK) {
      rc = fail(st, err);
      free(samples);
      free(boxes);
      free(dbox);
      pprt_runtime_destroy(rt);
      frame_input_free(&in);
      return rc;
    }
    disp_open = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pprt_display_describe(&disp, err, sizeof err);
    fprintf(stderr, "pprt run: display %s\n", err);
  }
  if (a->stream) {
    rc = run_stream(a, &o, rt, &in, boxes, cap, disp_open ? &disp : NULL, dbox);
  } else {
    double t0 = mono_s();
    for (int f = 0; f < nframes && rc == 0 && !g_stop; ++f) {
      if (f > 0 && (rc = load_frame_at(a, &in, f, 0)) != 0) break;
      const char* path = a->dataset != NULL ? a->sample : a->seq[f];
      uint32_t n = 0;
      struct pprt_frame_stats stats;
      memset(&stats, 0, sizeof stats);
      pace(a, t0, f);
      for (int r = 0; r < a->repeat && !g_stop; ++r) {
        st = pprt_runtime_run(rt, in.sweeps, in.num_sweeps, boxes, cap, &n);
        if (st) break;
        pprt_runtime_stats(rt, &stats);
        for (int s = 0; s < PPRT_STAGE_COUNT; ++s) samples[(size_t)s * (size_t)a->repeat + (size_t)r] = stats.stage_ms[s];
        if (disp_open && (rc = display_frame(&disp, dbox, rt, &in, boxes, n, path, stats.stage_ms[PPRT_STAGE_TOTAL])))
          break;
      }
      if (rc) break;
      if (st) {
        rc = fail(st, pprt_runtime_last_error(rt));
        break;
      }
      double med[PPRT_STAGE_COUNT], mn[PPRT_STAGE_COUNT];
      for (int s = 0; s < PPRT_STAGE_COUNT; ++s) {
        double* v = samples + (size_t)s * (size_t)a->repeat;
        qsort(v, (size_t)a->repeat, sizeof *v, cmp_double);
        mn[s] = v[0];
        med[s] = v[a->repeat / 2];
      }
      rc = report_frame(a, &o, rt, &in, boxes, n, &stats, med, mn, f, nframes, path);
    }
  }
  if (disp_open) {
    /* the last frame stays on screen for --display-hold seconds (Ctrl-C ends it), then the screen is put back */
    for (double left = rc == 0 ? a->display_hold : 0; left > 0 && !g_stop; left -= 0.05) {
      struct timespec ts = {0, 50 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    double nf = disp.frames ? (double)disp.frames : 1.0;
    fprintf(stderr, "pprt run: %llu frame%s shown (drawing %.1f ms mean, %.1f ms max; flip to vblank %.1f ms mean), "
            "display put back\n", (unsigned long long)disp.frames, disp.frames == 1 ? "" : "s", disp.draw_ms_sum / nf,
            disp.draw_ms_max, disp.flip_ms_sum / nf);
    pprt_display_close(&disp);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
  }
  free(dbox);
  free(samples);
  free(boxes);
  pprt_runtime_destroy(rt);
  frame_input_free(&in);
  return rc;
}

static int make_dir(const char* path) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  }
  return -1;
}

static int write_out(const char* dir, const char* name, const void* data, size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "pprt: I/O error: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  size_t w = len ? fwrite(data, 1, len, f) : 0;
  if (fclose(f) != 0 || w != len) {
    fprintf(stderr, "pprt: I/O error: short write to %s\n", path);
    return 1;
  }
  return 0;
}

/* Read a whole file of at most max bytes into a malloc'd buffer. */
static void* read_all(const char* path, size_t max, size_t* len) {
  FILE* f = NULL;
  uint64_t size = 0;
  struct pprt_err err;
  enum pprt_status ost = pprt_fopen_regular(path, &f, &size, &err); /* a FIFO must not block */
  if (ost) {
    fprintf(stderr, "pprt: %s: %s\n", pprt_status_str(ost), err.msg);
    return NULL;
  }
  if (size > max) {
    fprintf(stderr, "pprt: bad input: %s is larger than %zu bytes\n", path, max);
    fclose(f);
    return NULL;
  }
  size_t n = (size_t)size;
  void* buf = malloc(n ? n : 1);
  if (buf == NULL || (n && fread(buf, 1, n, f) != n)) {
    fprintf(stderr, "pprt: I/O error: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  *len = n;
  return buf;
}

static int open_stage_runtime(const struct args* a, pprt_runtime_t** rt) {
  struct pprt_options o;
  fill_options(a, &o);
  o.runner = PPRT_RUNNER_NONE; /* the stages alone, on this command's buffers (pprt/stages.h) */
  enum pprt_status st = pprt_runtime_create(&o, rt);
  return st ? fail(st, pprt_last_error()) : 0;
}

static int cmd_voxelize(const struct args* a) {
  if (a->out == NULL) return usage_error("%s needs -o OUT", a->cmd);
  struct frame_input in;
  int rc = load_frame(a, &in);
  if (rc) return rc;
  pprt_runtime_t* rt = NULL;
  if ((rc = open_stage_runtime(a, &rt)) != 0) {
    frame_input_free(&in);
    return rc;
  }
  struct pprt_tensor_info d;
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU0_INPUT, &d);
  /* Rows past the pillar count are never read by the pipeline; the buffer starts zeroed and the stage writes only
   * live rows, so the file's dead rows are 0. */
  int8_t* dpu0_in = calloc(d.bytes ? (size_t)d.bytes : 1, 1);
  uint32_t n = 0;
  enum pprt_status st = dpu0_in ? pprt_stage_voxelize(rt, in.sweeps, in.num_sweeps, dpu0_in, &n) : PPRT_STATUS_OUT_OF_MEMORY;
  if (st) {
    rc = fail(st, dpu0_in ? pprt_runtime_last_error(rt) : "out of memory");
  } else if (make_dir(a->out) != 0) {
    fprintf(stderr, "pprt: I/O error: cannot create folder %s\n", a->out);
    rc = 1;
  } else {
    const int32_t* coords = pprt_stage_pillars(rt, &n);
    rc = write_out(a->out, "dpu0_input.bin", dpu0_in, (size_t)d.bytes);
    if (rc == 0) rc = write_out(a->out, "coords.bin", coords, (size_t)n * 2 * sizeof(int32_t));
    if (rc == 0) {
      struct pprt_frame_stats s;
      pprt_runtime_stats(rt, &s);
      printf("pillars %u points %u sweeps %u (dropped: %u non-finite, %u out of range, %u overflow)\n", s.pillars,
             s.points_in, in.num_sweeps, s.points_nonfinite, s.points_out_of_range, s.points_overflow);
    }
  }
  free(dpu0_in);
  pprt_runtime_destroy(rt);
  frame_input_free(&in);
  return rc;
}

static int cmd_scatter(const struct args* a) {
  if (a->out == NULL || a->features == NULL || a->coords == NULL)
    return usage_error("%s needs --features F --coords F -o OUT", a->cmd);
  if (a->sweep) return usage_error("unexpected argument '%s'", a->sweep);
  pprt_runtime_t* rt = NULL;
  int rc = open_stage_runtime(a, &rt);
  if (rc) return rc;
  size_t flen = 0, clen = 0;
  struct pprt_tensor_info d0, d1;
  struct pprt_runtime_info info;
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU0_OUTPUT, &d0);
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU1_INPUT, &d1);
  pprt_runtime_get_info(rt, &info);
  int8_t* feat = read_all(a->features, (size_t)d0.bytes, &flen);
  int32_t* coords = feat ? read_all(a->coords, (size_t)info.max_pillars * 8, &clen) : NULL;
  if (feat == NULL || coords == NULL) {
    rc = 1;
  } else if (clen % 8 != 0) {
    fprintf(stderr, "pprt: bad input: %s has %zu bytes, not a whole number of (int32 y, int32 x) pairs\n", a->coords,
            clen);
    rc = 1;
  } else {
    uint32_t n = (uint32_t)(clen / 8);
    size_t row = (size_t)d0.dims[d0.ndim - 1]; /* one pillar's features */
    if (flen != (size_t)d0.bytes && flen != (size_t)n * row) {
      fprintf(stderr,
              "pprt: bad input: %s has %zu bytes; expected the whole DPU0 output (%llu) or %u live rows x %zu = %zu\n",
              a->features, flen, (unsigned long long)d0.bytes, n, row, (size_t)n * row);
      rc = 1;
    }
    for (uint32_t i = 0; rc == 0 && i < n; ++i) {
      if (coords[2 * i] < 0 || (uint32_t)coords[2 * i] >= info.canvas[0] || coords[2 * i + 1] < 0 ||
          (uint32_t)coords[2 * i + 1] >= info.canvas[1]) {
        fprintf(stderr, "pprt: bad input: %s: pillar %u has cell (%d, %d) outside the %ux%u canvas\n", a->coords, i,
                coords[2 * i], coords[2 * i + 1], info.canvas[0], info.canvas[1]);
        rc = 1;
      }
    }
    if (rc == 0 && make_dir(a->out) != 0) {
      fprintf(stderr, "pprt: I/O error: cannot create folder %s\n", a->out);
      rc = 1;
    }
    int8_t* canvas = rc == 0 ? malloc(d1.bytes ? (size_t)d1.bytes : 1) : NULL;
    if (rc == 0 && canvas == NULL) rc = fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    if (rc == 0) {
      enum pprt_status st = pprt_stage_scatter(rt, feat, coords, n, canvas);
      rc = st ? fail(st, pprt_runtime_last_error(rt)) : write_out(a->out, "dpu1_input.bin", canvas, (size_t)d1.bytes);
      if (rc == 0)
        printf("scattered %u pillars onto a %ux%ux%u canvas (shift %d)\n", n, info.canvas[0], info.canvas[1],
               info.canvas[2], info.scatter_shift);
    }
    free(canvas);
  }
  free(feat);
  free(coords);
  pprt_runtime_destroy(rt);
  return rc;
}

static int cmd_post(const struct args* a) {
  if (a->cls == NULL || a->reg == NULL || a->dir == NULL) return usage_error("%s needs --cls F --reg F --dir F", a->cmd);
  if (a->sweep) return usage_error("unexpected argument '%s'", a->sweep);
  pprt_runtime_t* rt = NULL;
  int rc = open_stage_runtime(a, &rt);
  if (rc) return rc;
  int32_t* coords = NULL;
  uint32_t npil = 0;
  struct pprt_runtime_info info;
  pprt_runtime_get_info(rt, &info);
  if (is_kitti(rt)) { /* the anchor mask needs the frame's pillars */
    size_t clen = 0;
    if (a->coords == NULL) {
      pprt_runtime_destroy(rt);
      return usage_error("%s on a KITTI model needs --coords F (coords.bin of pprt voxelize)", a->cmd);
    }
    coords = read_all(a->coords, (size_t)info.max_pillars * 8, &clen);
    if (coords == NULL) {
      rc = 1;
    } else if (clen % 8 != 0) {
      fprintf(stderr, "pprt: bad input: %s has %zu bytes, not a whole number of (int32 y, int32 x) pairs\n", a->coords,
              clen);
      rc = 1;
    } else {
      npil = (uint32_t)(clen / 8);
      for (uint32_t i = 0; rc == 0 && i < npil; ++i)
        if (coords[2 * i] < 0 || coords[2 * i] >= info.grid[1] || coords[2 * i + 1] < 0 ||
            coords[2 * i + 1] >= info.grid[0]) {
          fprintf(stderr, "pprt: bad input: %s: pillar %u has cell (%d, %d) outside the %dx%d grid\n", a->coords, i,
                  coords[2 * i], coords[2 * i + 1], info.grid[1], info.grid[0]);
          rc = 1;
        }
    }
  }
  const char* files[3] = {a->cls, a->reg, a->dir};
  int8_t* bufs[3] = {NULL, NULL, NULL};
  for (uint32_t i = 0; i < 3 && rc == 0; ++i) {
    struct pprt_tensor_info d;
    pprt_runtime_tensor(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + i), &d);
    size_t want = (size_t)d.bytes, len = 0;
    bufs[i] = read_all(files[i], want, &len);
    if (bufs[i] == NULL) {
      rc = 1;
    } else if (len != want) {
      fprintf(stderr, "pprt: bad input: %s has %zu bytes, the model's %s output '%s' has %zu\n", files[i], len,
              i == 0 ? "cls" : i == 1 ? "reg" : "dir", d.name, want);
      rc = 1;
    }
  }
  if (rc == 0) {
    uint32_t cap = pprt_runtime_max_boxes(rt), n = 0;
    struct pprt_box* boxes = calloc(cap ? cap : 1, sizeof *boxes);
    if (boxes == NULL) {
      rc = fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    } else {
      /* KITTI: the pillars of --coords; nuScenes models read none */
      enum pprt_status pst = pprt_stage_post(rt, bufs[0], bufs[1], bufs[2], coords, npil, boxes, cap, &n);
      if (pst) {
        rc = fail(pst, pprt_runtime_last_error(rt));
      } else if (a->json) {
        struct pprt_frame_stats s;
        pprt_runtime_stats(rt, &s);
        printf("{");
        print_boxes_json(stdout, rt, boxes, n);
        printf(",\n\"timings_ms\": {\"postprocess\": %.4f}}\n", s.stage_ms[PPRT_STAGE_POSTPROCESS]);
      } else if (strcmp(a->format, "vai") == 0) {
        const char* path = a->out_file ? a->out_file : "/dev/stdout";
        fflush(stdout);
        enum pprt_status st = is_kitti(rt) ? pprt_boxes_write_kitti(path, boxes, n) : pprt_boxes_write_vai(path, boxes, n);
        if (st) rc = fail(st, pprt_last_error());
      } else {
        print_boxes_table(rt, boxes, n);
      }
      free(boxes);
    }
  }
  for (int i = 0; i < 3; ++i) free(bufs[i]);
  free(coords);
  pprt_runtime_destroy(rt);
  return rc;
}

/* Commands with their own argument parsing live in their own files (commands.h). */
static const struct pprt_command k_commands[] = {
    PPRT_EXTRA_COMMANDS
    {NULL, NULL, NULL}};

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char* c = argv[1];
  if (strcmp(c, "help") == 0 || strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
    if (argc > 2) { /* pprt help <command>: that command's text alone */
      for (const struct pprt_command* k = k_commands; k->name != NULL; ++k)
        if (strcmp(argv[2], k->name) == 0) {
          fputs(k->help, stdout);
          return 0;
        }
      if (strcmp(argv[2], "run") != 0 && strcmp(argv[2], "voxelize") != 0 && strcmp(argv[2], "scatter") != 0 &&
          strcmp(argv[2], "post") != 0)
        return usage_error("no command '%s' (run 'pprt help' for the list)", argv[2]);
      usage(stdout); /* the four built-in commands share one text */
      return 0;
    }
    usage(stdout);
    for (const struct pprt_command* k = k_commands; k->name != NULL; ++k) printf("\n%s", k->help);
    return 0;
  }
  if (strcmp(c, "--version") == 0) {
    printf("pprt %d.%d.%d\n", PPRT_VERSION_MAJOR, PPRT_VERSION_MINOR, PPRT_VERSION_PATCH);
    return 0;
  }
  for (const struct pprt_command* k = k_commands; k->name != NULL; ++k) {
    if (strcmp(c, k->name) != 0) continue;
    /* pprt <command> --help: the command's text, the same for every command (pprt check prints pprt-check's own) */
    if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) && k->fn != pprt_cmd_check) {
      fputs(k->help, stdout);
      return 0;
    }
    return k->fn(argc - 1, argv + 1);
  }
  if (strcmp(c, "run") != 0 && strcmp(c, "voxelize") != 0 && strcmp(c, "scatter") != 0 && strcmp(c, "post") != 0)
    return usage_error("unknown command '%s'", c);
  struct args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc;
  if (strcmp(c, "run") == 0) return cmd_run(&a);
  if (strcmp(c, "voxelize") == 0) return cmd_voxelize(&a);
  if (strcmp(c, "scatter") == 0) return cmd_scatter(&a);
  return cmd_post(&a);
}
