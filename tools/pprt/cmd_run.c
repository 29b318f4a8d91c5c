/* pprt run: frames through the whole pipeline (one at a time, or a sequence through a stream with --stream), the
 * boxes as a table, JSON or a file format, the stage times, and with --display each frame on the board's screen. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "display.h"
#include "frame_cli.h"
#include "pprt/stages.h"

static int cmp_double(const void* x, const void* y) {
  double a = *(const double*)x, b = *(const double*)y;
  return a < b ? -1 : a > b;
}

/* Write the boxes in one of the file formats (vai, nuscenes, contest) to a->out_file or stdout. */
static int write_boxes_format(const struct frame_args* a, const pprt_runtime_t* rt, const struct frame_input* in,
                              const struct pprt_box* boxes, uint32_t n) {
  const char* path = a->out_file ? a->out_file : "/dev/stdout";
  enum pprt_status st = PPRT_STATUS_OK;
  if (strcmp(a->format, "vai") == 0) {
    st = frame_is_kitti(rt) ? pprt_boxes_write_kitti(path, boxes, n) : pprt_boxes_write_vai(path, boxes, n);
  } else if (frame_is_kitti(rt)) {
    fprintf(stderr, "pprt: --format %s is for nuScenes models; a KITTI model writes table, json or vai\n", a->format);
    return EXIT_USAGE;
  } else {
    pprt_detset_t* set = NULL;
    struct pprt_det_box* det = calloc(n ? n : 1, sizeof *det);
    if (det == NULL) return frame_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
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
  return st ? frame_fail(st, pprt_last_error()) : 0;
}

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
  return st ? frame_fail(st, err) : 0;
}

/* Print one frame's result as a->format says: f is its index in the sequence (the table's header comes once, --out
 * FILE is appended to after the first frame), med / mn its stage times. */
static int report_frame(const struct frame_args* a, const struct pprt_options* o, const pprt_runtime_t* rt,
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
    frame_print_boxes_json(fo, rt, boxes, n);
    fprintf(fo, ",\n\"timings_ms\": {");
    for (int s = 0; s < PPRT_STAGE_COUNT; ++s)
      fprintf(fo, "%s\"%s\": %.4f", s ? ", " : "", pprt_stage_name((enum pprt_stage)s), med[s]);
    fprintf(fo, "},\n\"stats\": {\"points\": %u, \"points_nonfinite\": %u, \"points_out_of_range\": %u, "
                "\"points_overflow\": %u, \"pillars\": %u, \"candidates\": %u, \"boxes\": %u, \"sweeps\": %u, "
                "\"runner\": \"%s\", \"kernels\": \"%s\"}}\n",
            stats->points_in, stats->points_nonfinite, stats->points_out_of_range, stats->points_overflow,
            stats->pillars, stats->candidates, stats->boxes, in->num_sweeps, pprt_runner_str(o->runner), frame_kernels_of(rt));
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
    frame_print_boxes_table(rt, boxes, n);
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

static double mono_s(void) { return pprt_now_ms() * 1e-3; } /* pprt's one clock, in seconds */

/* --rate HZ: wait until frame f's start time (t0 + f / HZ); a signal ends the wait. */
static void pace(const struct frame_args* a, double t0, int f) {
  if (a->rate <= 0) return;
  for (double left = t0 + f / a->rate - mono_s(); left > 0 && !g_stop; left = t0 + f / a->rate - mono_s()) {
    double step = left < 0.05 ? left : 0.05;
    struct timespec ts = {0, (long)(step * 1e9)};
    nanosleep(&ts, NULL);
  }
}

/* The sequence through a stream: up to in_flight frames loaded (each its own clouds, made here), submitted, and
 * received in order; each result printed and shown as it comes. */
static int run_stream(const struct frame_args* a, const struct pprt_options* o, pprt_runtime_t* rt,
                      struct frame_input* first, struct pprt_box* boxes, uint32_t cap, struct pprt_display* disp,
                      struct bev_box* dbox) {
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = a->dpu_cores;
  so.max_in_flight = a->in_flight;
  pprt_stream_t* s = NULL;
  enum pprt_status st = pprt_stream_create(rt, &so, &s);
  if (st) return frame_fail(st, pprt_last_error());
  pprt_stream_get_options(s, &so);
  int nframes = a->nseq;
  int k = (int)so.max_in_flight < nframes ? (int)so.max_in_flight : nframes;
  struct frame_input* slot = calloc((size_t)k, sizeof *slot);
  if (slot == NULL) {
    pprt_stream_destroy(s);
    return frame_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  slot[0] = *first; /* frame 0, loaded by the caller: its clouds move here */
  memset(first, 0, sizeof *first);
  int rc = 0;
  for (int i = 1; i < k && rc == 0; ++i) rc = frame_load_at(a, &slot[i], i, 1);
  int next = 0, done = 0;
  double t0 = mono_s();
  while (rc == 0 && done < nframes && !g_stop) {
    while (rc == 0 && next < nframes && next - done < k && !g_stop) {
      struct frame_input* in = &slot[next % k];
      if (next >= k && (rc = frame_load_at(a, in, next, 0)) != 0) break;
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
      rc = frame_fail(st, pprt_last_error());
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

static int cmd_run(const struct frame_args* a) {
  struct pprt_options o;
  frame_fill_options(a, &o);
  if (a->runner && pprt_runner_from_string(a->runner, &o.runner) != PPRT_STATUS_OK)
    return frame_usage_error("--runner must be dpu, cpu or dummy, got '%s'", a->runner);
  if (a->stream && a->dataset != NULL) return frame_usage_error("%s", "--stream runs SWEEP / --info frames, not --dataset");
  int nframes = a->dataset != NULL ? 1 : a->nseq;
  struct frame_input in;
  int rc = frame_load_at(a, &in, 0, 1);
  if (rc) return rc;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st) {
    frame_input_free(&in);
    return frame_fail(st, pprt_last_error());
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
    return frame_fail(PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  /* the display: opened once, two buffers of the screen's size, the CRTC put back at the end */
  struct pprt_display disp;
  int disp_open = 0;
  struct sigaction old_int, old_term;
  g_stop = 0;
  if (a->display) {
    char err[1024];
    if ((st = pprt_display_open(&disp, &a->disp, err, sizeof err)) != PPRT_STATUS_OK) {
      rc = frame_fail(st, err);
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
      if (f > 0 && (rc = frame_load_at(a, &in, f, 0)) != 0) break;
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
        rc = frame_fail(st, pprt_runtime_last_error(rt));
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

int pprt_cmd_run(int argc, char** argv) { return frame_command(argc, argv, cmd_run); }
