/* pprt_soak: many frames through pprt_runtime_run and a stream, reporting the process's resident memory (VmRSS) as it
 * goes; fails if it grows more than a bound after the warm-up, or if a frame fails other than by an injected fault.
 * Driven by tools/soak.sh (docs/RELIABILITY.md). Public API only.
 *
 *   pprt_soak --model DIR [--runner dummy|cpu] [--runner-lib PATH] [--frames N] [--mode run|stream|both]
 *             [--cores C] [--every K] [--warmup W] [--max-growth-kb KB] [--points N] [--sweep FILE]
 *
 * The frames are 8 different windows of the sweep (default: tests/data's nuScenes sweep), cycled. Warm-up frames
 * (default 2 cycles) fill every buffer a frame can touch before the starting RSS is taken. With the fault plugin
 * (--runner-lib libpprt_fault_runner.so and PPRT_FAULT, tests/fault_runner_plugin.cpp) frames failing with
 * PPRT_STATUS_RUNNER_ERROR are counted as injected; any other failure fails the soak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pprt/pprt.h"

#define NUM_WINDOWS 8
#define MAX_BOXES 1024

static long rss_kb(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (f == NULL) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  fclose(f);
  return kb;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct soak {
  const char* mode;
  unsigned long frames, every, warmup;
  long bound_kb;
  long start, max, end;
  unsigned long ok, injected, bad;
};

static void begin(struct soak* s) {
  s->start = s->max = rss_kb();
  printf("soak %s: after %lu warm-up frames: rss %ld kB\n", s->mode, s->warmup, s->start);
  fflush(stdout);
}

static void sample(struct soak* s, unsigned long done) {
  long r = rss_kb();
  if (r > s->max) s->max = r;
  if (s->every > 0 && done % s->every == 0) {
    printf("soak %s: frame %lu rss %ld kB\n", s->mode, done, r);
    fflush(stdout);
  }
}

static void count(struct soak* s, enum pprt_status st, unsigned long k) {
  if (st == PPRT_STATUS_OK) {
    ++s->ok;
  } else if (st == PPRT_STATUS_RUNNER_ERROR && getenv("PPRT_FAULT") != NULL && getenv("PPRT_FAULT")[0] != '\0') {
    ++s->injected;
  } else {
    if (s->bad++ < 5) fprintf(stderr, "soak %s: frame %lu: %s: %s\n", s->mode, k, pprt_status_str(st), pprt_last_error());
  }
}

static int finish(struct soak* s, double secs) {
  s->end = rss_kb();
  if (s->end > s->max) s->max = s->end;
  long growth = s->max - s->start;
  int pass = growth <= s->bound_kb && s->bad == 0;
  printf("soak %s: %lu frames in %.1f s (%.0f/s): %lu ok, %lu injected failures, %lu other failures; rss start %ld kB, "
         "max %ld kB, end %ld kB: growth %+ld kB (bound %ld kB): %s\n",
         s->mode, s->frames, secs, secs > 0 ? (double)s->frames / secs : 0.0, s->ok, s->injected, s->bad, s->start,
         s->max, s->end, growth, s->bound_kb, pass ? "ok" : "FAILED");
  fflush(stdout);
  return pass;
}

static int soak_run(pprt_runtime_t* rt, const struct pprt_sweep* w, struct soak* s) {
  static struct pprt_box boxes[MAX_BOXES];
  uint32_t n;
  for (unsigned long k = 0; k < s->warmup; ++k) pprt_runtime_run(rt, &w[k % NUM_WINDOWS], 1, boxes, MAX_BOXES, &n);
  begin(s);
  double t0 = now_s();
  for (unsigned long k = 0; k < s->frames; ++k) {
    count(s, pprt_runtime_run(rt, &w[k % NUM_WINDOWS], 1, boxes, MAX_BOXES, &n), k);
    sample(s, k + 1);
  }
  return finish(s, now_s() - t0);
}

static int soak_stream(pprt_runtime_t* rt, const struct pprt_sweep* w, uint32_t cores, struct soak* s) {
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = cores;
  pprt_stream_t* st = NULL;
  enum pprt_status rc = pprt_stream_create(rt, &so, &st);
  if (rc != PPRT_STATUS_OK) {
    fprintf(stderr, "soak: stream: %s: %s\n", pprt_status_str(rc), pprt_last_error());
    return 0;
  }
  pprt_stream_get_options(st, &so);
  static struct pprt_box boxes[MAX_BOXES];
  const unsigned long total = s->warmup + s->frames;
  unsigned long sent = 0, got = 0;
  double t0 = 0.0;
  if (s->warmup == 0) {
    begin(s);
    t0 = now_s();
  }
  while (got < total) {
    if (sent < total && pprt_stream_in_flight(st) < so.max_in_flight) {
      rc = pprt_stream_submit(st, &w[sent % NUM_WINDOWS], 1, sent);
      if (rc != PPRT_STATUS_OK) {
        fprintf(stderr, "soak: submit: %s: %s\n", pprt_status_str(rc), pprt_last_error());
        pprt_stream_destroy(st);
        return 0;
      }
      ++sent;
      continue;
    }
    uint32_t n;
    uint64_t tag;
    rc = pprt_stream_receive(st, boxes, MAX_BOXES, &n, &tag, NULL);
    if (tag != got) {
      fprintf(stderr, "soak stream: frame %lu came back as %llu (out of order)\n", got, (unsigned long long)tag);
      ++s->bad;
    }
    ++got;
    if (got <= s->warmup) {
      if (got == s->warmup) {
        begin(s);
        t0 = now_s();
      }
      continue;
    }
    count(s, rc, got - 1);
    sample(s, got - s->warmup);
  }
  double secs = now_s() - t0;
  int pass = finish(s, secs); /* the end RSS with the stream alive */
  pprt_stream_destroy(st);
  printf("soak %s: rss after pprt_stream_destroy %ld kB\n", s->mode, rss_kb());
  return pass;
}

static void usage(void) {
  fprintf(stderr, "usage: pprt_soak --model DIR [--runner dummy|cpu] [--runner-lib PATH] [--frames N] "
                  "[--mode run|stream|both] [--cores C] [--every K] [--warmup W] [--max-growth-kb KB] [--points N] "
                  "[--sweep FILE]\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char *model = NULL, *runner = "dummy", *lib = NULL, *mode = "both", *sweep = NULL;
  unsigned long frames = 10000, every = 1000, warmup = 2 * NUM_WINDOWS, points = 6000;
  uint32_t cores = 2;
  long bound = 1024;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL) usage();
    if (strcmp(a, "--model") == 0) model = v;
    else if (strcmp(a, "--runner") == 0) runner = v;
    else if (strcmp(a, "--runner-lib") == 0) lib = v;
    else if (strcmp(a, "--mode") == 0) mode = v;
    else if (strcmp(a, "--sweep") == 0) sweep = v;
    else if (strcmp(a, "--frames") == 0) frames = strtoul(v, NULL, 10);
    else if (strcmp(a, "--every") == 0) every = strtoul(v, NULL, 10);
    else if (strcmp(a, "--warmup") == 0) warmup = strtoul(v, NULL, 10);
    else if (strcmp(a, "--points") == 0) points = strtoul(v, NULL, 10);
    else if (strcmp(a, "--cores") == 0) cores = (uint32_t)strtoul(v, NULL, 10);
    else if (strcmp(a, "--max-growth-kb") == 0) bound = strtol(v, NULL, 10);
    else usage();
    ++i;
  }
  if (model == NULL || sweep == NULL || frames == 0) usage();
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = model;
  if (pprt_runner_from_string(runner, &o.runner) != PPRT_STATUS_OK) usage();
  o.runner_lib = lib;
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep all;
  if (pprt_cloud_create(400000, &cloud) != PPRT_STATUS_OK ||
      pprt_cloud_load(cloud, sweep, PPRT_FORMAT_AUTO, 0, &all) != PPRT_STATUS_OK) {
    fprintf(stderr, "soak: %s: %s\n", sweep, pprt_last_error());
    return 1;
  }
  /* 8 windows of `points` points, evenly spread over the sweep */
  struct pprt_sweep w[NUM_WINDOWS];
  if (points > all.num_points) points = all.num_points;
  for (int k = 0; k < NUM_WINDOWS; ++k) {
    w[k] = all;
    size_t first = (size_t)(all.num_points - points) * (size_t)k / (NUM_WINDOWS - 1);
    w[k].points = all.points + first * all.point_stride;
    w[k].num_points = (uint32_t)points;
  }
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st != PPRT_STATUS_OK) {
    fprintf(stderr, "soak: %s: %s\n", pprt_status_str(st), pprt_last_error());
    return 1;
  }
  printf("soak: model %s, runner %s%s%s, %lu frames per mode of %lu points, PPRT_FAULT=%s\n", model, runner,
         lib ? " " : "", lib ? lib : "", frames, points, getenv("PPRT_FAULT") ? getenv("PPRT_FAULT") : "");
  int pass = 1;
  if (strcmp(mode, "run") == 0 || strcmp(mode, "both") == 0) {
    struct soak s = {"run", frames, every, warmup, bound, 0, 0, 0, 0, 0, 0};
    pass = soak_run(rt, w, &s) && pass;
  }
  if (strcmp(mode, "stream") == 0 || strcmp(mode, "both") == 0) {
    struct soak s = {"stream", frames, every, warmup, bound, 0, 0, 0, 0, 0, 0};
    pass = soak_stream(rt, w, cores, &s) && pass;
  }
  pprt_runtime_destroy(rt);
  pprt_cloud_destroy(cloud);
  return pass ? 0 : 1;
}
