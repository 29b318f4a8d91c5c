/* The options, frame input and output helpers of pprt run / voxelize / scatter / post (frame_cli.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "frame_cli.h"
#include "pprt/stages.h"

void frame_usage(FILE* f) {
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

int frame_usage_error(const char* fmt, const char* arg) { return pprt_cli_usage(NULL, fmt, arg); }


/* argv[0] is the command name. */
int frame_parse_args(int argc, char** argv, struct frame_args* a) {
  memset(a, 0, sizeof *a);
  pprt_display_options_init(&a->disp);
  a->display_hold = 5.0;
  a->score_thresh = -1.0f;
  a->repeat = 1;
  a->cmd = argv[0];
  for (int i = 1; i < argc; ++i) {
    const char* o = argv[i];
#define NEED_VALUE() do { if (pprt_cli_missing_value(NULL, argc, argv, i)) return 2; } while (0)
#define U32_VALUE(lo, hi, out) do { if (pprt_cli_value_u32(NULL, argc, argv, &i, lo, hi, out)) return 2; } while (0)
    if (strcmp(o, "--model") == 0) { NEED_VALUE(); a->model = argv[++i]; }
    else if (strcmp(o, "--model-names") == 0) { NEED_VALUE(); a->names = argv[++i]; }
    else if (strcmp(o, "--info") == 0) {
      NEED_VALUE();
      if (a->info != NULL && strcmp(a->cmd, "run") != 0) return frame_usage_error("%s takes one --info", a->cmd);
      if (a->nseq >= 64) return frame_usage_error("at most 64 frames, got more at '%s'", argv[i + 1]);
      if (a->info == NULL) a->info = argv[i + 1];
      a->seq_info[a->nseq] = 1;
      a->seq[a->nseq++] = argv[++i];
    }
    else if (strcmp(o, "--display") == 0) a->display = 1;
    else if (strcmp(o, "--stream") == 0) a->stream = 1;
    else if (strcmp(o, "--dpu-cores") == 0) U32_VALUE(1, 8, &a->dpu_cores);
    else if (strcmp(o, "--in-flight") == 0) U32_VALUE(1, 64, &a->in_flight);
    else if (strcmp(o, "--rate") == 0) {
      NEED_VALUE();
      char* end = NULL;
      double v = strtod(argv[++i], &end);
      if (end == argv[i] || *end != '\0' || !(v > 0 && v <= 1000)) return frame_usage_error("--rate must be in (0, 1000] Hz, got '%s'", argv[i]);
      a->rate = v;
    }
    else if (strcmp(o, "--display-connector") == 0) { NEED_VALUE(); a->disp.connector = argv[++i]; }
    else if (strcmp(o, "--display-root") == 0) { NEED_VALUE(); a->disp.root = argv[++i]; }
    else if (strcmp(o, "--display-card") == 0) {
      uint32_t v;
      U32_VALUE(0, 63, &v);
      a->disp.card = (int)v;
    } else if (strcmp(o, "--display-range") == 0 || strcmp(o, "--display-hold") == 0) {
      NEED_VALUE();
      char* end = NULL;
      double v = strtod(argv[++i], &end);
      int range = strcmp(o, "--display-range") == 0;
      if (end == argv[i] || *end != '\0' || !(range ? v >= 5 && v <= 200 : v >= 0 && v <= 86400))
        return frame_usage_error(range ? "--display-range must be 5..200 m, got '%s'" : "--display-hold must be 0..86400 s, got '%s'",
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
        return frame_usage_error("--score-thresh must be a number in (0, 1), got '%s'", argv[i]);
      a->score_thresh = (float)v;
    } else if (strcmp(o, "--repeat") == 0) {
      uint32_t v;
      U32_VALUE(1, 100000, &v);
      a->repeat = (int)v;
    } else if (strcmp(o, "--max-points") == 0) {
      U32_VALUE(1, UINT32_MAX, &a->max_points);
    } else if (strcmp(o, "--max-sweeps") == 0) {
      U32_VALUE(1, UINT32_MAX, &a->max_sweeps);
    } else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
      frame_usage(stdout);
      exit(0);
    } else if (o[0] == '-' && o[1] != '\0') {
      return frame_usage_error("unknown option %s", o);
    } else if (a->sweep == NULL || (strcmp(a->cmd, "run") == 0 && a->nseq < 64)) {
      if (a->sweep == NULL) a->sweep = o;
      a->seq_info[a->nseq] = 0;
      a->seq[a->nseq++] = o;
    } else {
      return frame_usage_error("unexpected argument '%s'", o);
    }
#undef NEED_VALUE
#undef U32_VALUE
  }
  if (a->model == NULL) return frame_usage_error("%s needs --model DIR", a->cmd);
  if (a->names != NULL) {
    const char* comma = strchr(a->names, ',');
    if (comma == NULL || comma == a->names || comma[1] == '\0' || (size_t)(comma - a->names) >= sizeof a->name0 ||
        strlen(comma + 1) >= sizeof a->name1)
      return frame_usage_error("--model-names needs NAME0,NAME1, got '%s'", a->names);
    memcpy(a->name0, a->names, (size_t)(comma - a->names));
    snprintf(a->name1, sizeof a->name1, "%s", comma + 1);
  }
  if (a->format == NULL) a->format = a->json ? "json" : "table";
  if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0 && strcmp(a->format, "vai") != 0 &&
      strcmp(a->format, "nuscenes") != 0 && strcmp(a->format, "contest") != 0)
    return frame_usage_error("--format must be table, json, vai, nuscenes or contest, got '%s'", a->format);
  if (a->json && strcmp(a->format, "json") != 0) return frame_usage_error("%s", "--json and --format disagree");
  a->json = strcmp(a->format, "json") == 0;
  if ((strcmp(a->format, "nuscenes") == 0 || strcmp(a->format, "contest") == 0) && a->dataset == NULL)
    return frame_usage_error("--format %s needs --dataset DIR --sample TOKEN (the sample's poses)", a->format);
  if ((a->dataset != NULL) != (a->sample != NULL)) return frame_usage_error("%s", "--dataset and --sample go together");
  if (a->nseq > 1 && strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
    return frame_usage_error("--format %s writes one frame; several frames print as table or json", a->format);
  if (a->nseq > 1 && a->dataset != NULL) return frame_usage_error("%s", "--dataset reads one sample: no SWEEP / --info with it");
  if (a->display && strcmp(a->cmd, "run") != 0) return frame_usage_error("%s", "--display is an option of pprt run");
  if ((a->stream || a->dpu_cores || a->in_flight || a->rate > 0) && strcmp(a->cmd, "run") != 0)
    return frame_usage_error("%s", "--stream, --dpu-cores, --in-flight and --rate are options of pprt run");
  if ((a->dpu_cores || a->in_flight) && !a->stream) return frame_usage_error("%s", "--dpu-cores / --in-flight go with --stream");
  if (a->stream && a->repeat > 1) return frame_usage_error("%s", "--stream runs each frame once: no --repeat");
  if (a->out_file != NULL && strcmp(a->format, "table") == 0)
    return frame_usage_error("%s", "--out FILE writes a file format: add --format json|vai|nuscenes|contest");
  return 0;
}

int frame_fail(enum pprt_status st, const char* msg) {
  fprintf(stderr, "pprt: %s: %s\n", pprt_status_str(st), msg && *msg ? msg : "(no message)");
  return 1;
}

void frame_fill_options(const struct frame_args* a, struct pprt_options* o) {
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

void frame_input_free(struct frame_input* in) {
  for (uint32_t i = 0; i < in->num_clouds; ++i) pprt_cloud_destroy(in->clouds[i]);
  pprt_nusc_close(in->ds);
  memset(in, 0, sizeof *in);
}

/* Frame k of a->seq (k = 0: the only frame of voxelize, or the --dataset sample) into in's clouds. create: make the
 * clouds first (in is cleared); else a frame loaded earlier into in gives its clouds to this one. */
int frame_load_at(const struct frame_args* a, struct frame_input* in, int k, int create) {
  if (create) {
    memset(in, 0, sizeof *in);
    int sources = (a->nseq > 0) + (a->dataset != NULL);
    if (sources == 0) return frame_usage_error("%s needs a SWEEP file, --info FILE or --dataset DIR --sample TOKEN", a->cmd);
    if (sources > 1 || (strcmp(a->cmd, "run") != 0 && a->nseq > 1))
      return frame_usage_error("%s takes one of SWEEP, --info and --dataset (the .info / sample names its key sweep)", a->cmd);
    int any_info = a->dataset != NULL;
    for (int i = 0; i < a->nseq; ++i) any_info |= a->seq_info[i];
    uint32_t cap = a->max_points ? a->max_points : 400000u;
    uint32_t want = any_info ? (a->max_sweeps ? a->max_sweeps : 10u) : 1u;
    if (want > 64) want = 64;
    for (uint32_t i = 0; i < want; ++i) {
      enum pprt_status st = pprt_cloud_create(cap, &in->clouds[i]);
      if (st) {
        frame_input_free(in);
        return frame_fail(st, pprt_last_error());
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
    int rc = frame_fail(st, pprt_last_error());
    frame_input_free(in);
    return rc;
  }
  return 0;
}

int frame_load(const struct frame_args* a, struct frame_input* in) { return frame_load_at(a, in, 0, 1); }


void frame_print_boxes_table(const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n) {
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

void frame_print_boxes_json(FILE* f, const pprt_runtime_t* rt, const struct pprt_box* b, uint32_t n) {
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

int frame_is_kitti(const pprt_runtime_t* rt) {
  struct pprt_runtime_info info;
  return pprt_runtime_get_info(rt, &info) == PPRT_STATUS_OK && strcmp(info.family, "kitti") == 0;
}

const char* frame_kernels_of(const pprt_runtime_t* rt) {
  struct pprt_runtime_info info;
  return pprt_runtime_get_info(rt, &info) == PPRT_STATUS_OK ? info.kernels : "?";
}

int frame_make_dir(const char* path) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  }
  return -1;
}

int frame_write_out(const char* dir, const char* name, const void* data, size_t len) {
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
void* frame_read_all(const char* path, size_t max, size_t* len) {
  FILE* f = NULL;
  uint64_t size = 0;
  enum pprt_status ost = pprt_file_open(path, &f, &size); /* a FIFO must not block */
  if (ost) {
    fprintf(stderr, "pprt: %s: %s\n", pprt_status_str(ost), pprt_last_error());
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

int frame_open_stage_runtime(const struct frame_args* a, pprt_runtime_t** rt) {
  struct pprt_options o;
  frame_fill_options(a, &o);
  o.runner = PPRT_RUNNER_NONE; /* the stages alone, on this command's buffers (pprt/stages.h) */
  enum pprt_status st = pprt_runtime_create(&o, rt);
  return st ? frame_fail(st, pprt_last_error()) : 0;
}

int32_t* frame_read_coords(const char* path, uint32_t max_pillars, const int32_t bound[2], const char* what,
                           uint32_t* n) {
  size_t len = 0;
  int32_t* c = frame_read_all(path, (size_t)max_pillars * 8, &len);
  if (c == NULL) return NULL;
  if (len % 8 != 0) {
    fprintf(stderr, "pprt: bad input: %s has %zu bytes, not a whole number of (int32 y, int32 x) pairs\n", path, len);
    free(c);
    return NULL;
  }
  *n = (uint32_t)(len / 8);
  for (uint32_t i = 0; i < *n; ++i)
    if (c[2 * i] < 0 || c[2 * i] >= bound[0] || c[2 * i + 1] < 0 || c[2 * i + 1] >= bound[1]) {
      fprintf(stderr, "pprt: bad input: %s: pillar %u has cell (%d, %d) outside the %dx%d %s\n", path, i, c[2 * i],
              c[2 * i + 1], bound[0], bound[1], what);
      free(c);
      return NULL;
    }
  return c;
}

int frame_command(int argc, char** argv, int (*fn)(const struct frame_args* a)) {
  struct frame_args a;
  int rc = frame_parse_args(argc, argv, &a);
  return rc ? rc : fn(&a);
}
