/* pprt-bench-stages: per-stage time of pprt's CPU stages (voxelize, scatter, post-processing) on the host, for the
 * real nuScenes sweep (1 sweep) and a 10-sweep frame built from it, for each kernel variant set. A benchmark, not a
 * test: it prints numbers and checks nothing but that the stages ran.
 *
 *   pprt-bench-stages --model DIR [--sweep FILE] [--frames N] [--kernels all|scalar|best]
 *                     [--dpu-outputs cpu|synthetic] [--json]
 *
 * The stages run alone on this program's buffers (pprt/stages.h, a runtime with PPRT_RUNNER_NONE), exactly the
 * functions pprt_runtime_run is built from. The frames of one (frame, kernel set) pair run back to back, voxelize -> scatter ->
 * post, so the lazy resets of the previous frame (pillar table, canvas cells) are real work in every timed frame.
 *
 * Inputs of scatter and post-processing ("DPU outputs"): with --dpu-outputs cpu (the default) each frame is run once
 * through pprt's int8 CPU runner on the given model, and its real DPU0 / DPU1 output tensors are used; with synthetic
 * (or when the CPU runner is unavailable) the pillar features are seeded random bytes and the class logits are below
 * the score threshold except for one class of ~1% of the anchors, with random box and direction outputs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <time.h>

#include "pprt/pprt.h"
#include "pprt/stages.h"
#include "synth_frame.h"

#define BENCH_NUM_SWEEPS PPRT_SYNTH_SWEEPS

/* The default sweep: the sample an install carries (<prefix>/share/pprt, found from this program's folder), else the
 * repository's copy relative to the working directory (running from a checkout). */
#define PPRT_BENCH_SAMPLE "nuscenes_lidar_top_1532402927647951.pcd.bin"
#define PPRT_BENCH_DEFAULT_SWEEP default_sweep()

static const char* default_sweep(void) {
  static char path[4352];
  if (path[0]) return path;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char* slash = strrchr(exe, '/');
    if (slash != NULL) *slash = '\0';
#ifdef PPRT_BIN_TO_DATA
    snprintf(path, sizeof path, "%s/%s/%s", exe, PPRT_BIN_TO_DATA, PPRT_BENCH_SAMPLE);
    if (access(path, R_OK) == 0) return path;
#endif
  }
  snprintf(path, sizeof path, "tests/data/%s", PPRT_BENCH_SAMPLE);
  return path;
}

struct args {
  const char* model;
  const char* sweep;
  int frames;
  const char* kernels; /* all | scalar | best */
  int synthetic;
  int json;
};

static void usage(FILE* f) {
  fprintf(f,
          "usage: pprt-bench-stages --model DIR [--sweep FILE] [--frames N] [--kernels all|scalar|best]\n"
          "                         [--dpu-outputs cpu|synthetic] [--json]\n"
          "\n"
          "Times pprt's CPU stages (voxelize incl. sweep fusion and quantization, scatter incl. the clear of the\n"
          "previous frame's canvas cells, post-processing) over N back-to-back frames (median and min), for the\n"
          "1-sweep frame (the real sweep) and the benchmarks' 10-sweep frame (10 copies, each earlier one 0.5 m\n"
          "back, turned 0.004 rad, 50 ms older: as pprt bench --sweeps10), for each kernel variant set.\n"
          "\n"
          "  --model DIR        the two model folders (e.g. pprt-genmodel --size full --seed 1 --out DIR)\n"
          "  --sweep FILE       nuScenes .pcd.bin / KITTI .bin / .pcd (default %s)\n"
          "  --frames N         timed frames per case (default 50; 2 more untimed first)\n"
          "  --kernels SET      all (default): every variant set usable on this CPU; scalar; best (PPRT_KERNELS)\n"
          "  --dpu-outputs SRC  cpu (default): real DPU0/DPU1 outputs from one run of the int8 CPU runner per frame;\n"
          "                     synthetic: random features, ~1%% of anchors above the score threshold\n"
          "  --json             one JSON object on stdout instead of the table\n",
          PPRT_BENCH_DEFAULT_SWEEP);
}

static int parse_args(int argc, char** argv, struct args* a) {
  memset(a, 0, sizeof *a);
  a->sweep = PPRT_BENCH_DEFAULT_SWEEP;
  a->frames = 50;
  a->kernels = "all";
  for (int i = 1; i < argc; ++i) {
    const char* s = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
      usage(stdout);
      exit(0);
    } else if (strcmp(s, "--json") == 0) {
      a->json = 1;
    } else if (v != NULL && strcmp(s, "--model") == 0) {
      a->model = v, ++i;
    } else if (v != NULL && strcmp(s, "--sweep") == 0) {
      a->sweep = v, ++i;
    } else if (v != NULL && strcmp(s, "--frames") == 0) {
      char* end = NULL;
      long n = strtol(v, &end, 10);
      if (end == v || *end != '\0' || n < 1 || n > 100000) {
        fprintf(stderr, "pprt-bench-stages: --frames %s: need 1..100000\n", v);
        return 2;
      }
      a->frames = (int)n, ++i;
    } else if (v != NULL && strcmp(s, "--kernels") == 0) {
      if (strcmp(v, "all") != 0 && strcmp(v, "scalar") != 0 && strcmp(v, "best") != 0) {
        fprintf(stderr, "pprt-bench-stages: --kernels %s: need all, scalar or best\n", v);
        return 2;
      }
      a->kernels = v, ++i;
    } else if (v != NULL && strcmp(s, "--dpu-outputs") == 0) {
      if (strcmp(v, "cpu") == 0) a->synthetic = 0;
      else if (strcmp(v, "synthetic") == 0) a->synthetic = 1;
      else {
        fprintf(stderr, "pprt-bench-stages: --dpu-outputs %s: need cpu or synthetic\n", v);
        return 2;
      }
      ++i;
    } else {
      fprintf(stderr, "pprt-bench-stages: unknown or incomplete argument '%s'\n", s);
      usage(stderr);
      return 2;
    }
  }
  if (a->model == NULL) {
    fprintf(stderr, "pprt-bench-stages: --model DIR is required\n");
    usage(stderr);
    return 2;
  }
  return 0;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

struct summary {
  double median, min;
};

static struct summary summarize(double* v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  struct summary s;
  s.min = v[0];
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  return s;
}

/* splitmix64: seeded bytes for the synthetic tensors */
static uint64_t rng_next(uint64_t* s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* One frame (1 or 10 sweeps) and the DPU outputs that go with it. */
struct frame {
  uint32_t num_sweeps;
  struct pprt_sweep sweeps[BENCH_NUM_SWEEPS];
  uint32_t points;
  int8_t* feat;     /* DPU0 output (scatter input) */
  int8_t* out1[3];  /* DPU1 outputs: cls, reg, dir */
  int8_t* dpu0_in;  /* the stages' own tensors: voxelize's output, scatter's canvas */
  int8_t* canvas;
  const char* dpu_src;
};

struct result {
  const char* isa;
  uint32_t sweeps, points, pillars, candidates, boxes;
  struct summary vox, sca, post, total;
  const char* dpu_src;
};

static uint64_t tensor_bytes(const pprt_runtime_t* rt, enum pprt_tensor t) {
  struct pprt_tensor_info d;
  return pprt_runtime_tensor(rt, t, &d) == PPRT_STATUS_OK ? d.bytes : 0;
}

static void synth_outputs(pprt_runtime_t* rt, struct frame* fr, uint64_t seed) {
  uint64_t s = seed;
  for (size_t i = 0; i < (size_t)tensor_bytes(rt, PPRT_TENSOR_DPU0_OUTPUT); ++i) fr->feat[i] = (int8_t)(rng_next(&s) >> 56);
  struct pprt_runtime_info info;
  struct pprt_tensor_info dc;
  pprt_runtime_get_info(rt, &info);
  pprt_runtime_tensor(rt, PPRT_TENSOR_DPU1_CLS, &dc);
  const size_t K = info.num_classes;
  const size_t A = (size_t)dc.bytes / K;
  /* the int8 logit of the score threshold: floor(logit(score) * 2^fp), in int8 */
  double lt = floor(log((double)info.score_thresh / (1.0 - (double)info.score_thresh)) * ldexp(1.0, dc.fix_point));
  const int thr = lt < -128.0 ? -128 : lt > 127.0 ? 127 : (int)lt;
  int8_t* cls = fr->out1[0];
  for (size_t a = 0; a < A; ++a) {
    uint64_t r = rng_next(&s);
    for (size_t k = 0; k < K; ++k) {
      /* below the threshold: thr - 1 - (0..63), floored at -128 */
      int v = thr - 1 - (int)((r >> (6 * (k % 10))) & 63);
      cls[a * K + k] = (int8_t)(v < -128 ? -128 : v);
    }
    if ((rng_next(&s) % 100) == 0) { /* ~1% of the anchors: one class above the threshold */
      int v = thr + 1 + (int)(rng_next(&s) % 40);
      cls[a * K + rng_next(&s) % K] = (int8_t)(v > 127 ? 127 : v);
    }
  }
  for (uint32_t o = 1; o < 3; ++o) {
    const size_t n = (size_t)tensor_bytes(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + o));
    for (size_t i = 0; i < n; ++i) fr->out1[o][i] = (int8_t)((int)(rng_next(&s) >> 59) - 16); /* small: -16..15 */
  }
  fr->dpu_src = "synthetic (~1% of anchors above threshold)";
}

/* Run the frame once through the CPU runner and keep its real DPU0 / DPU1 outputs. Returns 0 on success. */
static int cpu_outputs(const struct args* a, struct frame* fr, char* why, size_t why_cap) {
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = a->model;
  o.runner = PPRT_RUNNER_CPU;
  pprt_runtime_t* rc = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rc);
  if (st != PPRT_STATUS_OK) {
    snprintf(why, why_cap, "CPU runner unavailable (%s: %s)", pprt_status_str(st), pprt_last_error());
    return -1;
  }
  uint32_t cap = pprt_runtime_max_boxes(rc), nb = 0;
  struct pprt_box* boxes = malloc((size_t)(cap ? cap : 1) * sizeof *boxes);
  if (boxes == NULL) {
    pprt_runtime_destroy(rc);
    snprintf(why, why_cap, "out of memory");
    return -1;
  }
  st = pprt_runtime_run(rc, fr->sweeps, fr->num_sweeps, boxes, cap, &nb);
  free(boxes);
  if (st != PPRT_STATUS_OK) {
    snprintf(why, why_cap, "CPU runner failed (%s: %s)", pprt_status_str(st), pprt_runtime_last_error(rc));
    pprt_runtime_destroy(rc);
    return -1;
  }
  memcpy(fr->feat, pprt_runtime_tensor_data(rc, PPRT_TENSOR_DPU0_OUTPUT),
         (size_t)tensor_bytes(rc, PPRT_TENSOR_DPU0_OUTPUT));
  for (uint32_t i = 0; i < 3; ++i) {
    enum pprt_tensor t = (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + i);
    memcpy(fr->out1[i], pprt_runtime_tensor_data(rc, t), (size_t)tensor_bytes(rc, t));
  }
  pprt_runtime_destroy(rc);
  fr->dpu_src = "cpu-runner";
  return 0;
}

static int bench_case(pprt_runtime_t* rt, const char* kernels, const struct frame* fr, int frames,
                      struct pprt_box* boxes, uint32_t max_boxes, struct result* res) {
  const int warm = 2, total = warm + frames;
  double* t = malloc((size_t)frames * 4 * sizeof *t);
  if (t == NULL) return -1;
  double *tv = t, *ts = t + frames, *tp = t + 2 * frames, *tt = t + 3 * frames;
  memset(res, 0, sizeof *res);
  if (pprt_runtime_use_kernels(rt, kernels) != PPRT_STATUS_OK) { /* the stages run with this variant set */
    fprintf(stderr, "pprt-bench-stages: %s\n", pprt_last_error());
    free(t);
    return -1;
  }
  for (int f = 0; f < total; ++f) {
    double t0 = pprt_now_ms();
    uint32_t n = 0;
    enum pprt_status st = pprt_stage_voxelize(rt, fr->sweeps, fr->num_sweeps, fr->dpu0_in, &n);
    double t1 = pprt_now_ms();
    const int32_t* coords = pprt_stage_pillars(rt, &n);
    if (st == PPRT_STATUS_OK) st = pprt_stage_scatter(rt, fr->feat, coords, n, fr->canvas);
    double t2 = pprt_now_ms();
    uint32_t nb = 0;
    if (st == PPRT_STATUS_OK) st = pprt_stage_post(rt, fr->out1[0], fr->out1[1], fr->out1[2], NULL, 0, boxes, max_boxes, &nb);
    double t3 = pprt_now_ms();
    if (st != PPRT_STATUS_OK) {
      fprintf(stderr, "pprt-bench-stages: %s: %s\n", pprt_status_str(st), pprt_runtime_last_error(rt));
      free(t);
      return -1;
    }
    struct pprt_frame_stats fs;
    pprt_runtime_stats(rt, &fs);
    if (f >= warm) {
      tv[f - warm] = t1 - t0;
      ts[f - warm] = t2 - t1;
      tp[f - warm] = t3 - t2;
      tt[f - warm] = t3 - t0;
    }
    res->pillars = n;
    res->points = fs.points_in;
    res->candidates = fs.candidates;
    res->boxes = nb;
  }
  struct pprt_runtime_info info;
  pprt_runtime_get_info(rt, &info);
  res->isa = info.kernels;
  res->sweeps = fr->num_sweeps;
  res->vox = summarize(tv, frames);
  res->sca = summarize(ts, frames);
  res->post = summarize(tp, frames);
  res->total = summarize(tt, frames);
  res->dpu_src = fr->dpu_src;
  free(t);
  return 0;
}

static void machine_name(char* out, size_t cap) {
  snprintf(out, cap, "unknown");
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (f != NULL) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      if (strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0) {
        const char* c = strchr(line, ':');
        if (c != NULL) {
          c += 1 + strspn(c + 1, " \t");
          snprintf(out, cap, "%.*s", (int)strcspn(c, "\n"), c);
          break;
        }
      }
    }
    fclose(f);
  }
  struct utsname u;
  if (uname(&u) == 0) {
    size_t l = strlen(out);
    snprintf(out + l, cap - l, " (%s)", u.machine);
  }
}

static void json_str(const char* s) {
  putchar('"');
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", (unsigned)(unsigned char)*s);
    else putchar(*s);
  }
  putchar('"');
}

int main(int argc, char** argv) {
  struct args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc;

  /* the real sweep, and 10 copies of it in separate buffers (the 10-sweep frame reads 10x the memory) */
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep key;
  const int64_t t_key = 1532402927647951;
  enum pprt_status st = pprt_cloud_create(400000, &cloud);
  if (st == PPRT_STATUS_OK) st = pprt_cloud_load(cloud, a.sweep, PPRT_FORMAT_AUTO, t_key, &key);
  if (st != PPRT_STATUS_OK) {
    fprintf(stderr, "pprt-bench-stages: %s: %s\n", a.sweep, pprt_last_error());
    pprt_cloud_destroy(cloud);
    return 1;
  }
  const size_t sweep_floats = (size_t)key.num_points * key.point_stride;
  float* copies = malloc((sweep_floats ? sweep_floats : 1) * BENCH_NUM_SWEEPS * sizeof *copies);
  if (copies == NULL) {
    fprintf(stderr, "pprt-bench-stages: out of memory\n");
    return 1;
  }
  for (int i = 0; i < BENCH_NUM_SWEEPS; ++i)
    memcpy(copies + (size_t)i * sweep_floats, key.points, sweep_floats * sizeof *copies);

  struct frame fr[2];
  memset(fr, 0, sizeof fr);
  fr[0].num_sweeps = 1;
  fr[0].sweeps[0] = key;
  fr[0].sweeps[0].points = copies;
  const float* pts[BENCH_NUM_SWEEPS];
  for (int i = 0; i < BENCH_NUM_SWEEPS; ++i) pts[i] = copies + (size_t)i * sweep_floats;
  fr[1].num_sweeps = BENCH_NUM_SWEEPS;
  pprt_synth_sweeps10(&key, pts, fr[1].sweeps); /* the benchmarks' one 10-sweep frame (synth_frame.h) */
  for (int f = 0; f < 2; ++f) fr[f].points = key.num_points * fr[f].num_sweeps;

  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = a.model;
  pprt_runtime_t* rt = NULL;
  o.runner = PPRT_RUNNER_NONE;
  st = pprt_runtime_create(&o, &rt);
  if (st != PPRT_STATUS_OK) {
    fprintf(stderr, "pprt-bench-stages: %s: %s\n", a.model, pprt_last_error());
    free(copies);
    pprt_cloud_destroy(cloud);
    return 1;
  }
  rc = 1;
  uint32_t max_boxes = pprt_runtime_max_boxes(rt);
  struct pprt_box* boxes = malloc((size_t)(max_boxes ? max_boxes : 1) * sizeof *boxes);
  int ok = boxes != NULL;
  for (int f = 0; f < 2 && ok; ++f) {
    fr[f].feat = malloc((size_t)tensor_bytes(rt, PPRT_TENSOR_DPU0_OUTPUT));
    fr[f].dpu0_in = calloc((size_t)tensor_bytes(rt, PPRT_TENSOR_DPU0_INPUT), 1);
    fr[f].canvas = calloc((size_t)tensor_bytes(rt, PPRT_TENSOR_DPU1_INPUT), 1);
    ok = fr[f].feat != NULL && fr[f].dpu0_in != NULL && fr[f].canvas != NULL;
    for (uint32_t i = 0; i < 3; ++i) {
      fr[f].out1[i] = malloc((size_t)tensor_bytes(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + i)));
      ok = ok && fr[f].out1[i] != NULL;
    }
  }
  if (!ok) {
    fprintf(stderr, "pprt-bench-stages: out of memory\n");
    goto done;
  }
  char note[1024] = "";
  for (int f = 0; f < 2; ++f) {
    if (!a.synthetic) {
      if (!a.json) fprintf(stderr, "pprt-bench-stages: %u-sweep frame through the CPU runner once...\n", fr[f].num_sweeps);
      if (cpu_outputs(&a, &fr[f], note, sizeof note) == 0) continue;
      fprintf(stderr, "pprt-bench-stages: %s; using synthetic DPU outputs\n", note);
    }
    synth_outputs(rt, &fr[f], 0x5b3ec4 + (uint64_t)f);
  }

  /* kernel sets */
  const char* sets[8];
  size_t nsets = 0;
  if (strcmp(a.kernels, "scalar") == 0 || strcmp(a.kernels, "best") == 0) {
    sets[nsets++] = a.kernels;
  } else {
    for (uint32_t i = 0; i < pprt_kernel_set_count() && nsets < 8; ++i) sets[nsets++] = pprt_kernel_set_name(i);
  }

  struct result res[16];
  size_t nres = 0;
  for (size_t s = 0; s < nsets; ++s)
    for (int f = 0; f < 2; ++f)
      if (bench_case(rt, sets[s], &fr[f], a.frames, boxes, max_boxes, &res[nres++]) != 0) goto done;

  char machine[256];
  machine_name(machine, sizeof machine);
  if (a.json) {
    printf("{\"machine\": ");
    json_str(machine);
    printf(", \"model\": ");
    json_str(a.model);
    printf(", \"sweep\": ");
    json_str(a.sweep);
    printf(", \"frames\": %d, \"goal_ms\": 5.0, \"results\": [", a.frames);
    for (size_t i = 0; i < nres; ++i) {
      const struct result* r = &res[i];
      printf("%s\n  {\"kernels\": \"%s\", \"sweeps\": %u, \"points\": %u, \"pillars\": %u, \"candidates\": %u, "
             "\"boxes\": %u, \"dpu_outputs\": ",
             i ? "," : "", r->isa, r->sweeps, r->points, r->pillars, r->candidates, r->boxes);
      json_str(r->dpu_src);
      printf(", \"voxelize_ms\": {\"median\": %.4f, \"min\": %.4f}, \"scatter_ms\": {\"median\": %.4f, \"min\": %.4f}, "
             "\"post_ms\": {\"median\": %.4f, \"min\": %.4f}, \"total_ms\": {\"median\": %.4f, \"min\": %.4f}, "
             "\"voxelize_points_per_s\": %.0f}",
             r->vox.median, r->vox.min, r->sca.median, r->sca.min, r->post.median, r->post.min, r->total.median,
             r->total.min, r->vox.median > 0 ? r->points / (r->vox.median * 1e-3) : 0.0);
    }
    printf("\n]}\n");
  } else {
    struct pprt_runtime_info info;
    pprt_runtime_get_info(rt, &info);
    printf("pprt-bench-stages: %s\n  model %s (scatter requant shift %d, %llu anchors x %u classes)\n"
           "  sweep %s (%u points)\n  %d timed frames per case (after 2 untimed), median / min in ms; DPU outputs: %s\n\n",
           machine, a.model, info.scatter_shift,
           (unsigned long long)(tensor_bytes(rt, PPRT_TENSOR_DPU1_CLS) / (info.num_classes ? info.num_classes : 1)),
           info.num_classes, a.sweep, key.num_points, a.frames, res[0].dpu_src);
    printf("%-7s %6s %7s %7s %5s | %-15s | %-15s | %-15s | %-15s | %9s\n", "kernels", "sweeps", "points", "pillars",
           "cand", "voxelize", "scatter", "post", "total", "Mpoints/s");
    for (size_t i = 0; i < nres; ++i) {
      const struct result* r = &res[i];
      printf("%-7s %6u %7u %7u %5u | %6.3f / %6.3f | %6.3f / %6.3f | %6.3f / %6.3f | %6.3f / %6.3f | %9.1f%s\n",
             r->isa, r->sweeps, r->points, r->pillars, r->candidates, r->vox.median, r->vox.min, r->sca.median,
             r->sca.min, r->post.median, r->post.min, r->total.median, r->total.min,
             r->vox.median > 0 ? r->points / (r->vox.median * 1e3) : 0.0,
             r->sweeps == BENCH_NUM_SWEEPS ? (r->total.median < 5.0 ? "  (goal < 5 ms: met)" : "  (goal < 5 ms: missed)")
                                           : "");
    }
  }
  rc = 0;
done:
  for (int f = 0; f < 2; ++f) {
    free(fr[f].feat);
    free(fr[f].dpu0_in);
    free(fr[f].canvas);
    for (int i = 0; i < 3; ++i) free(fr[f].out1[i]);
  }
  free(boxes);
  pprt_runtime_destroy(rt);
  free(copies);
  pprt_cloud_destroy(cloud);
  return rc;
}
