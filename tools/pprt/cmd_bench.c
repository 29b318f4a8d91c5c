/* pprt bench: latency (pprt_runtime_run back to back) and throughput (pprt_stream_*) of N frames, per-stage
 * percentiles, frames per second, peak RSS and allocations per frame counted for real.
 *
 * Allocation counting is an opt-in shim, libpprt-alloccount.so (tools/alloccount/alloccount.h): preloaded, it sees
 * every heap allocation of the process (VART, XIR, libstdc++'s operator new, the runner plugins included) and counts
 * them while a timed window is open. pprt bench finds it with dlsym; when it is not loaded, pprt bench runs itself
 * again once with the shim beside it (<bin>/PPRT_BIN_TO_LIB/pprt/) in LD_PRELOAD, unless --no-alloc-count. Where that
 * cannot work (no shim installed, an emulator that cannot exec the program, a sanitizer build: ASan and TSan bring
 * their own malloc) the count is reported as not counted, with the reason, never as 0. The other pprt commands never
 * load the shim. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "pprt/doctor.h"
#include "pprt/pprt.h"
#include "pprt/stages.h"
#include "../alloccount/alloccount.h"
#include "../bench/synth_frame.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PPRT_BENCH_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PPRT_BENCH_COUNT_ALLOCS 0
#endif
#endif
#ifndef PPRT_BENCH_COUNT_ALLOCS
#define PPRT_BENCH_COUNT_ALLOCS 1
#endif

/* ================================================================== allocation counter */

/* Set across pprt bench's own re-execution with the shim preloaded: the LD_PRELOAD it had before ("" for none). */
#define PRELOAD_GUARD "PPRT_BENCH_PRELOAD_WAS"
#define SHIM_NAME "libpprt-alloccount.so"

static pprt_alloccount_open_fn g_count_open;
static pprt_alloccount_close_fn g_count_close;
static pprt_alloccount_objects_fn g_count_objects;
static char g_not_counted[4608]; /* why allocations are not counted; "" when they are */

static void alloc_window_open(void) {
  if (g_count_open != NULL) g_count_open();
}

static uint64_t alloc_window_close(void) { return g_count_close != NULL ? g_count_close() : 0; }

/* 1 if allocations are really counted: one malloc through a volatile pointer (not optimised away) must count. */
static int alloc_counting_works(void) {
  void* (*volatile m)(size_t) = malloc;
  alloc_window_open();
  void* p = m(24);
  uint64_t n = alloc_window_close();
  free(p);
  return n == 1;
}

static void restore_preload(const char* was) {
  if (was[0]) setenv("LD_PRELOAD", was, 1);
  else unsetenv("LD_PRELOAD");
  unsetenv(PRELOAD_GUARD);
}

/* The shim installed with pprt: <dir of pprt>/PPRT_BIN_TO_LIB/pprt/libpprt-alloccount.so (the build tree has the same
 * shape). 0 and the path tried in shim when it is not there. */
static int find_shim(const char* exe, char* shim, size_t cap) {
  const char* slash = strrchr(exe, '/');
  int dir_len = slash != NULL ? (int)(slash - exe) : 0;
#ifdef PPRT_BIN_TO_LIB
  snprintf(shim, cap, "%.*s/%s/pprt/" SHIM_NAME, dir_len, exe, PPRT_BIN_TO_LIB);
#else
  snprintf(shim, cap, "%.*s/" SHIM_NAME, dir_len, exe);
#endif
  struct stat st;
  return exe[0] != '\0' && stat(shim, &st) == 0 && S_ISREG(st.st_mode);
}

/* Before anything is printed: find the shim's functions; if they are not there, run pprt again with the shim
 * preloaded (returns only if that fails). argv are pprt bench's arguments (argv[0] "bench"). */
static void alloc_counter_setup(int argc, char** argv, int disabled) {
  char was[4096] = "";
  const char* guard = getenv(PRELOAD_GUARD);
  const int reexecuted = guard != NULL;
  if (reexecuted) { /* this is the re-executed pprt: its children get the LD_PRELOAD the user had */
    snprintf(was, sizeof was, "%s", guard);
    restore_preload(was);
  }
  g_not_counted[0] = '\0';
  if (!PPRT_BENCH_COUNT_ALLOCS) {
    snprintf(g_not_counted, sizeof g_not_counted, "sanitizer build: ASan / TSan replace malloc");
    return;
  }
  if (disabled) {
    snprintf(g_not_counted, sizeof g_not_counted, "--no-alloc-count");
    return;
  }
  g_count_open = (pprt_alloccount_open_fn)dlsym(RTLD_DEFAULT, PPRT_ALLOCCOUNT_OPEN);
  g_count_close = (pprt_alloccount_close_fn)dlsym(RTLD_DEFAULT, PPRT_ALLOCCOUNT_CLOSE);
  g_count_objects = (pprt_alloccount_objects_fn)dlsym(RTLD_DEFAULT, PPRT_ALLOCCOUNT_OBJECTS);
  if (g_count_open != NULL && g_count_close != NULL && g_count_objects != NULL) {
    if (alloc_counting_works()) return;
    snprintf(g_not_counted, sizeof g_not_counted, SHIM_NAME " is loaded but did not see a test allocation");
  } else if (reexecuted) {
    snprintf(g_not_counted, sizeof g_not_counted, "LD_PRELOAD of " SHIM_NAME " did not take effect");
  } else {
    char exe[4096], shim[4200];
    pprt_cli_self_path(exe, sizeof exe); /* "" if unknown: find_shim then fails */
    if (!find_shim(exe, shim, sizeof shim)) {
      snprintf(g_not_counted, sizeof g_not_counted, "%s not found; LD_PRELOAD it to count", shim);
    } else {
      const char* old = getenv("LD_PRELOAD");
      snprintf(was, sizeof was, "%s", old != NULL ? old : "");
      char preload[8400];
      snprintf(preload, sizeof preload, "%s%s%s", shim, was[0] ? ":" : "", was);
      char** xargv = calloc((size_t)argc + 2, sizeof *xargv);
      if (xargv != NULL) {
        xargv[0] = exe;
        for (int i = 0; i < argc; ++i) xargv[i + 1] = argv[i];
        setenv(PRELOAD_GUARD, was, 1);
        setenv("LD_PRELOAD", preload, 1);
        fflush(NULL);
        execv(exe, xargv);
      }
      int e = xargv != NULL ? errno : ENOMEM;
      free(xargv);
      restore_preload(was);
      snprintf(g_not_counted, sizeof g_not_counted, "cannot run pprt again with %s preloaded: %s; LD_PRELOAD it to count",
               shim, strerror(e));
    }
  }
  g_count_open = NULL;
  g_count_close = NULL;
  g_count_objects = NULL;
}

/* ================================================================== options */

#define EXIT_USAGE 2

enum bench_mode { MODE_LATENCY = 1, MODE_THROUGHPUT = 2, MODE_BOTH = 3 };

struct bench_args {
  const char* model;
  const char* sweep;
  const char* info;
  const char* runner_lib;
  enum pprt_runner runner;
  int sweeps10;
  uint32_t frames, warmup;
  enum bench_mode mode;
  int sim;
  double dpu_ms[2];
  uint32_t dpu_cores; /* 0: not given */
  uint32_t in_flight;
  uint32_t max_points;
  int json;
  int progress; /* -1 auto */
  int no_alloc_count;
};

static int usage_error(const char* fmt, const char* arg) { return pprt_cli_usage("bench", fmt, arg); }


static int parse_ms_pair(const char* s, double out[2]) {
  char* end = NULL;
  double a = strtod(s, &end);
  if (end == s || *end != ',') return -1;
  const char* t = end + 1;
  double b = strtod(t, &end);
  if (end == t || *end != '\0') return -1;
  if (!(a >= 0.0 && a <= 60000.0) || !(b >= 0.0 && b <= 60000.0)) return -1;
  out[0] = a;
  out[1] = b;
  return 0;
}

static int parse_bench_args(int argc, char** argv, struct bench_args* a) {
  memset(a, 0, sizeof *a);
  a->runner = PPRT_RUNNER_DPU;
  a->frames = 50;
  a->warmup = 3;
  a->mode = MODE_BOTH;
  a->progress = -1;
  for (int i = 1; i < argc; ++i) {
    const char* o = argv[i];
#define NEED_VALUE() do { if (pprt_cli_missing_value("bench", argc, argv, i)) return 2; } while (0)
#define U32_VALUE(lo, hi, out) do { if (pprt_cli_value_u32("bench", argc, argv, &i, lo, hi, out)) return 2; } while (0)
    if (strcmp(o, "--model") == 0) { NEED_VALUE(); a->model = argv[++i]; }
    else if (strcmp(o, "--info") == 0) { NEED_VALUE(); a->info = argv[++i]; }
    else if (strcmp(o, "--runner-lib") == 0) { NEED_VALUE(); a->runner_lib = argv[++i]; }
    else if (strcmp(o, "--sweeps10") == 0) a->sweeps10 = 1;
    else if (strcmp(o, "--json") == 0) a->json = 1;
    else if (strcmp(o, "--no-alloc-count") == 0) a->no_alloc_count = 1;
    else if (strcmp(o, "--progress") == 0) a->progress = 1;
    else if (strcmp(o, "--no-progress") == 0) a->progress = 0;
    else if (strcmp(o, "--runner") == 0) {
      NEED_VALUE();
      if (pprt_runner_from_string(argv[++i], &a->runner) != PPRT_STATUS_OK)
        return usage_error("--runner must be dpu, cpu or dummy, got '%s'", argv[i]);
    } else if (strcmp(o, "--frames") == 0) {
      U32_VALUE(1, 1000000, &a->frames);
    } else if (strcmp(o, "--warmup") == 0) {
      U32_VALUE(0, 1000, &a->warmup);
    } else if (strcmp(o, "--mode") == 0) {
      NEED_VALUE();
      const char* m = argv[++i];
      if (strcmp(m, "latency") == 0) a->mode = MODE_LATENCY;
      else if (strcmp(m, "throughput") == 0) a->mode = MODE_THROUGHPUT;
      else if (strcmp(m, "both") == 0) a->mode = MODE_BOTH;
      else return usage_error("--mode must be latency, throughput or both, got '%s'", m);
    } else if (strcmp(o, "--dpu-ms") == 0) {
      NEED_VALUE();
      if (parse_ms_pair(argv[++i], a->dpu_ms)) return usage_error("--dpu-ms needs A,B in ms (0..60000), got '%s'", argv[i]);
      a->sim = 1;
    } else if (strcmp(o, "--dpu-cores") == 0) {
      U32_VALUE(1, 8, &a->dpu_cores);
    } else if (strcmp(o, "--in-flight") == 0) {
      U32_VALUE(1, 64, &a->in_flight);
    } else if (strcmp(o, "--max-points") == 0) {
      U32_VALUE(1, 20000000, &a->max_points);
    } else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
      return -1;
    } else if (o[0] == '-' && o[1] != '\0') {
      return usage_error("unknown option %s", o);
    } else if (a->sweep == NULL) {
      a->sweep = o;
    } else {
      return usage_error("unexpected argument '%s'", o);
    }
#undef NEED_VALUE
#undef U32_VALUE
  }
  if (a->model == NULL) return usage_error("%s", "bench needs --model DIR");
  if (a->sweep == NULL && a->info == NULL) return usage_error("%s", "bench needs a SWEEP file or --info FILE");
  if (a->sweep != NULL && a->info != NULL) return usage_error("%s", "bench takes a SWEEP or --info, not both");
  if (a->sweeps10 && a->info != NULL)
    return usage_error("%s", "--sweeps10 builds a 10-sweep frame from one SWEEP; --info already gives the sweeps");
  if (a->sim && a->runner != PPRT_RUNNER_DUMMY)
    return usage_error("%s", "--dpu-ms simulates the DPU for --runner dummy");
  return 0;
}

/* ================================================================== small helpers */

static int cmp_double(const void* x, const void* y) {
  double a = *(const double*)x, b = *(const double*)y;
  return a < b ? -1 : a > b;
}

struct summary {
  double min, median, p90, p99, max;
};

/* Nearest-rank percentiles of v[0..n-1] (sorted in place). */
static struct summary summarize(double* v, uint32_t n) {
  struct summary s = {0, 0, 0, 0, 0};
  if (n == 0) return s;
  qsort(v, n, sizeof *v, cmp_double);
  uint32_t i90 = (uint32_t)ceil(0.90 * n), i99 = (uint32_t)ceil(0.99 * n);
  s.min = v[0];
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  s.p90 = v[(i90 ? i90 : 1) - 1];
  s.p99 = v[(i99 ? i99 : 1) - 1];
  s.max = v[n - 1];
  return s;
}

/* Peak resident set in kB: VmHWM of /proc/self/status, else getrusage's ru_maxrss. */
static long peak_rss_kb(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
      buf[n] = '\0';
      const char* p = strstr(buf, "VmHWM:");
      if (p != NULL) return strtol(p + 6, NULL, 10);
    }
  }
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) return ru.ru_maxrss;
  return -1;
}

/* A progress bar on stderr, only for a tty and only once a run takes longer than a second. */
struct progress {
  int enabled;
  double t_start, t_last;
  const char* label;
  int drawn;
};

static void progress_start(struct progress* p, int enabled, const char* label) {
  p->enabled = enabled;
  p->t_start = p->t_last = pprt_now_ms();
  p->label = label;
  p->drawn = 0;
}

static void progress_update(struct progress* p, uint32_t done, uint32_t total) {
  if (!p->enabled) return;
  double t = pprt_now_ms();
  if (t - p->t_start < 1000.0 || (t - p->t_last < 100.0 && done < total)) return;
  p->t_last = t;
  char bar[41], line[160];
  uint32_t fill = total ? (uint32_t)((uint64_t)done * 40 / total) : 40;
  for (uint32_t i = 0; i < 40; ++i) bar[i] = i < fill ? '#' : '.';
  bar[40] = '\0';
  int n = snprintf(line, sizeof line, "\r%-10s [%s] %u/%u frames %.1f s", p->label, bar, done, total,
                   (t - p->t_start) * 1e-3);
  if (n > 0 && write(2, line, (size_t)n) < 0) p->enabled = 0;
  p->drawn = 1;
}

static void progress_end(struct progress* p) {
  if (p->enabled && p->drawn) {
    static const char clear[] = "\r\033[K";
    if (write(2, clear, sizeof clear - 1) < 0) p->enabled = 0;
  }
}

/* ================================================================== the frame */

#define BENCH_MAX_SWEEPS 64

struct bench_frame {
  pprt_cloud_t* clouds[BENCH_MAX_SWEEPS];
  uint32_t num_clouds;
  struct pprt_sweep sweeps[BENCH_MAX_SWEEPS];
  uint32_t num_sweeps;
  uint64_t points;
};

static void frame_free(struct bench_frame* f) {
  for (uint32_t i = 0; i < f->num_clouds; ++i) pprt_cloud_destroy(f->clouds[i]);
  memset(f, 0, sizeof *f);
}

static int frame_load(const struct bench_args* a, struct bench_frame* f) {
  memset(f, 0, sizeof *f);
  uint32_t cap = a->max_points ? a->max_points : 400000u;
  uint32_t want = a->info ? 10u : 1u;
  enum pprt_status st = PPRT_STATUS_OK;
  for (uint32_t i = 0; i < want && st == PPRT_STATUS_OK; ++i)
    if ((st = pprt_cloud_create(cap, &f->clouds[i])) == PPRT_STATUS_OK) f->num_clouds = i + 1;
  if (st == PPRT_STATUS_OK) {
    if (a->info) {
      st = pprt_info_load(a->info, f->clouds, f->num_clouds, f->sweeps, &f->num_sweeps);
    } else {
      st = pprt_cloud_load(f->clouds[0], a->sweep, PPRT_FORMAT_AUTO, 1600000000000000LL, &f->sweeps[0]);
      f->num_sweeps = 1;
    }
  }
  if (st != PPRT_STATUS_OK) {
    fprintf(stderr, "pprt bench: %s: %s\n", pprt_status_str(st), pprt_last_error());
    frame_free(f);
    return 1;
  }
  if (a->sweeps10) { /* the benchmarks' one synthetic 10-sweep frame (tools/bench/synth_frame.h), points shared */
    const struct pprt_sweep key = f->sweeps[0];
    pprt_synth_sweeps10(&key, NULL, f->sweeps);
    f->num_sweeps = PPRT_SYNTH_SWEEPS;
  }
  for (uint32_t i = 0; i < f->num_sweeps; ++i) f->points += f->sweeps[i].num_points;
  return 0;
}

/* ================================================================== one mode */

struct mode_result {
  const char* mode;
  uint32_t frames, failed;
  double wall_ms, fps;
  struct summary stage[PPRT_STAGE_COUNT];
  double allocs_per_frame; /* < 0: not counted */
  uint64_t allocs;
  struct pprt_alloccount_object objects[PPRT_ALLOCCOUNT_MAX_OBJECTS];
  uint32_t num_objects;
  long peak_rss_kb;
  uint32_t cores, in_flight;
  struct pprt_frame_stats last;
};

static void collect(struct mode_result* r, double* samples, uint32_t n) {
  for (int s = 0; s < PPRT_STAGE_COUNT; ++s) r->stage[s] = summarize(samples + (size_t)s * n, n);
}

static void finish_allocs(struct mode_result* r, uint64_t allocs) {
  r->allocs = allocs;
  r->allocs_per_frame = g_count_objects != NULL ? (double)allocs / (double)r->frames : -1.0;
  r->num_objects = g_count_objects != NULL ? g_count_objects(r->objects, PPRT_ALLOCCOUNT_MAX_OBJECTS) : 0;
  r->peak_rss_kb = peak_rss_kb();
}

static int run_latency(pprt_runtime_t* rt, const struct bench_args* a, const struct bench_frame* fr,
                       struct pprt_box* boxes, uint32_t cap, double* samples, struct mode_result* r, int progress) {
  memset(r, 0, sizeof *r);
  r->mode = "latency";
  r->frames = a->frames;
  uint32_t nb = 0;
  for (uint32_t w = 0; w < a->warmup; ++w) {
    enum pprt_status st = pprt_runtime_run(rt, fr->sweeps, fr->num_sweeps, boxes, cap, &nb);
    if (st) {
      fprintf(stderr, "pprt bench: %s: %s\n", pprt_status_str(st), pprt_runtime_last_error(rt));
      return 1;
    }
  }
  struct progress p;
  progress_start(&p, progress, "latency");
  alloc_window_open();
  double t0 = pprt_now_ms();
  for (uint32_t k = 0; k < a->frames; ++k) {
    enum pprt_status st = pprt_runtime_run(rt, fr->sweeps, fr->num_sweeps, boxes, cap, &nb);
    if (st) {
      alloc_window_close();
      progress_end(&p);
      fprintf(stderr, "pprt bench: frame %u: %s: %s\n", k, pprt_status_str(st), pprt_runtime_last_error(rt));
      return 1;
    }
    pprt_runtime_stats(rt, &r->last);
    for (int s = 0; s < PPRT_STAGE_COUNT; ++s) samples[(size_t)s * a->frames + k] = r->last.stage_ms[s];
    progress_update(&p, k + 1, a->frames);
  }
  r->wall_ms = pprt_now_ms() - t0;
  finish_allocs(r, alloc_window_close());
  progress_end(&p);
  r->fps = r->frames / (r->wall_ms * 1e-3);
  collect(r, samples, a->frames);
  return 0;
}

/* Throughput: the warm-up frames and the timed frames go through the stream back to back, so the pipeline is full
 * when timing starts; the timed window runs from the receive of the last warm-up frame (or the first submit) to the
 * receive of the last frame, and fps = frames / window. */
static int run_throughput(pprt_runtime_t* rt, const struct bench_args* a, const struct bench_frame* fr,
                          struct pprt_box* boxes, uint32_t cap, double* samples, struct mode_result* r, int progress) {
  memset(r, 0, sizeof *r);
  r->mode = "throughput";
  r->frames = a->frames;
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = a->dpu_cores ? a->dpu_cores : 1;
  so.max_in_flight = a->in_flight;
  pprt_stream_t* s = NULL;
  enum pprt_status st = pprt_stream_create(rt, &so, &s);
  if (st) {
    fprintf(stderr, "pprt bench: %s: %s\n", pprt_status_str(st), pprt_last_error());
    return 1;
  }
  pprt_stream_get_options(s, &so);
  r->cores = so.dpu_cores;
  r->in_flight = so.max_in_flight;
  const uint32_t total = a->warmup + a->frames;
  uint32_t submitted = 0, received = 0;
  struct progress p;
  progress_start(&p, progress, "throughput");
  double t0 = pprt_now_ms();
  if (a->warmup == 0) alloc_window_open();
  int rc = 0;
  while (received < total) {
    if (submitted < total && pprt_stream_in_flight(s) < so.max_in_flight) {
      st = pprt_stream_submit(s, fr->sweeps, fr->num_sweeps, submitted);
      if (st) {
        fprintf(stderr, "pprt bench: submit: %s: %s\n", pprt_status_str(st), pprt_last_error());
        rc = 1;
        break;
      }
      ++submitted;
      continue;
    }
    uint32_t nb = 0;
    uint64_t tag = 0;
    struct pprt_frame_stats fs;
    st = pprt_stream_receive(s, boxes, cap, &nb, &tag, &fs);
    if (st) {
      fprintf(stderr, "pprt bench: frame %llu: %s: %s\n", (unsigned long long)tag, pprt_status_str(st),
                pprt_last_error());
      rc = 1;
      break;
    }
    if (received >= a->warmup) {
      uint32_t k = received - a->warmup;
      for (int q = 0; q < PPRT_STAGE_COUNT; ++q) samples[(size_t)q * a->frames + k] = fs.stage_ms[q];
      r->last = fs;
      progress_update(&p, k + 1, a->frames);
    }
    ++received;
    if (received == a->warmup) {
      t0 = pprt_now_ms();
      alloc_window_open();
    }
  }
  r->wall_ms = pprt_now_ms() - t0;
  uint64_t allocs = alloc_window_close();
  progress_end(&p);
  if (rc == 0) {
    finish_allocs(r, allocs);
    r->fps = r->frames / (r->wall_ms * 1e-3);
    collect(r, samples, a->frames);
  }
  pprt_stream_destroy(s);
  return rc;
}

/* ================================================================== output */

static const char* base_name(const char* path) {
  if (path == NULL) return "?";
  const char* s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static void print_table(const struct mode_result* r, const char* exe_name) {
  printf("\nmode %s: %u frames in %.1f ms = %.2f fps", r->mode, r->frames, r->wall_ms, r->fps);
  if (r->cores) printf(" (stream: %u DPU core%s, %u frames in flight)", r->cores, r->cores == 1 ? "" : "s", r->in_flight);
  printf("\n%-22s %9s %9s %9s %9s %9s\n", "stage (ms)", "min", "median", "p90", "p99", "max");
  for (int s = 0; s < PPRT_STAGE_COUNT; ++s) {
    const struct summary* v = &r->stage[s];
    char name[64];
    if (s == PPRT_STAGE_TOTAL)
      snprintf(name, sizeof name, "%s", strcmp(r->mode, "latency") == 0 ? "end-to-end" : "end-to-end (submit->out)");
    else
      snprintf(name, sizeof name, "%s", pprt_stage_name((enum pprt_stage)s));
    printf("%-22s %9.3f %9.3f %9.3f %9.3f %9.3f\n", name, v->min, v->median, v->p90, v->p99, v->max);
  }
  double sum = 0.0;
  for (int s = 0; s < PPRT_STAGE_TOTAL; ++s) sum += r->stage[s].median;
  double cpu = r->stage[PPRT_STAGE_VOXELIZE].median + r->stage[PPRT_STAGE_SCATTER].median +
               r->stage[PPRT_STAGE_POSTPROCESS].median;
  printf("sum of stage medians %.3f ms (DPU %.3f + CPU %.3f); end-to-end median - sum = %+.3f ms\n", sum,
         r->stage[PPRT_STAGE_DPU0].median + r->stage[PPRT_STAGE_DPU1].median, cpu,
         r->stage[PPRT_STAGE_TOTAL].median - sum);
  if (r->allocs_per_frame < 0.0) {
    printf("allocations per frame: not counted (%s)", g_not_counted);
  } else {
    printf("allocations per frame: %.2f (%llu in the timed frames", r->allocs_per_frame,
           (unsigned long long)r->allocs);
    for (uint32_t i = 0; i < r->num_objects; ++i) {
      const char* nm = base_name(r->objects[i].name);
      printf("%s %s: %llu", i ? "," : ";", strcmp(nm, exe_name) == 0 ? "pprt (this executable)" : nm,
             (unsigned long long)r->objects[i].count);
    }
    printf(")");
  }
  printf("\npeak RSS %ld kB\n", r->peak_rss_kb);
}

static void print_json_summary(const struct summary* v) {
  printf("{\"min\": %.4f, \"median\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"max\": %.4f}", v->min, v->median, v->p90,
         v->p99, v->max);
}

static void json_string(const char* s) {
  putchar('"');
  for (; s && *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void print_json(const struct mode_result* r, const struct bench_args* a, const struct bench_frame* fr,
                       const pprt_runtime_t* rt, const struct pprt_doctor_report* doc, const char* dpu_attrs,
                       const char* exe_name) {
  struct pprt_runtime_info info;
  pprt_runtime_get_info(rt, &info);
  printf("{\"mode\": \"%s\", \"frames\": %u, \"fps\": %.4f, \"wall_ms\": %.3f, \"latency_ms\": ", r->mode, r->frames,
         r->fps, r->wall_ms);
  print_json_summary(&r->stage[PPRT_STAGE_TOTAL]);
  printf(", \"stages_ms\": {");
  for (int s = 0; s < PPRT_STAGE_TOTAL; ++s) {
    printf("%s\"%s\": ", s ? ", " : "", pprt_stage_name((enum pprt_stage)s));
    print_json_summary(&r->stage[s]);
  }
  printf("}, \"allocs_per_frame\": ");
  if (r->allocs_per_frame < 0.0) {
    printf("null, \"allocs_not_counted\": ");
    json_string(g_not_counted);
  } else {
    printf("%.4f", r->allocs_per_frame);
  }
  printf(", \"allocs_by_object\": {");
  for (uint32_t i = 0; i < r->num_objects; ++i) {
    const char* nm = base_name(r->objects[i].name);
    if (i) printf(", ");
    json_string(strcmp(nm, exe_name) == 0 ? "pprt" : nm);
    printf(": %llu", (unsigned long long)r->objects[i].count);
  }
  printf("}, \"peak_rss_kb\": %ld, \"runner\": \"%s\", \"kernels\": \"%s\", \"sweeps\": %u, \"points\": %llu, "
         "\"pillars\": %u",
         r->peak_rss_kb, pprt_runner_str(a->runner), info.kernels, fr->num_sweeps, (unsigned long long)fr->points,
         r->last.pillars);
  if (r->cores) printf(", \"dpu_cores\": %u, \"in_flight\": %u", r->cores, r->in_flight);
  if (a->sim)
    printf(", \"simulated_dpu\": {\"ms\": [%.3f, %.3f], \"cores\": %u, \"limit_fps\": %.4f}", a->dpu_ms[0],
           a->dpu_ms[1], a->dpu_cores ? a->dpu_cores : 1,
           (a->dpu_ms[0] + a->dpu_ms[1]) > 0 ? 1000.0 * (a->dpu_cores ? a->dpu_cores : 1) / (a->dpu_ms[0] + a->dpu_ms[1])
                                             : 0.0);
  /* the board as pprt doctor sees it (without its job check): verdicts and what it found */
  printf(", \"dpu\": {\"doctor\": {\"worst\": \"%s\", \"board\": ", pprt_doctor_verdict_str(doc->worst));
  json_string(doc->board);
  printf(", \"xclbin\": ");
  json_string(doc->xclbin);
  printf(", \"cores\": %u, \"arch\": ", doc->dpu_cores);
  json_string(doc->dpu_arch);
  printf(", \"fingerprint\": \"0x%016llx\", \"checks\": {", (unsigned long long)doc->dpu_fingerprint);
  for (uint32_t i = 0; i < doc->count; ++i) {
    char v[1100];
    snprintf(v, sizeof v, "%s: %s", pprt_doctor_verdict_str(doc->checks[i].verdict), doc->checks[i].message);
    printf("%s", i ? ", " : "");
    json_string(doc->checks[i].name);
    printf(": ");
    json_string(v);
  }
  printf("}}, \"xmodel\": ");
  json_string(dpu_attrs);
  printf("}}\n");
}

/* The DPU as pprt doctor sees it, without its job check (docs/DOCTOR.md): zocl, the render node, the KV260 app, the
 * xclbin VART resolves, the DPU cores / arch / fingerprint (xclbin, xdputil query), CMA and the CPU governor. With
 * --runner dpu pprt_runtime_create has already run the cheap ones as its preflight. */
static void run_doctor(const struct bench_args* a, struct pprt_doctor_report* doc) {
  struct pprt_doctor_options o;
  pprt_doctor_options_init(&o);
  o.dpu_cores = a->runner == PPRT_RUNNER_DPU ? a->dpu_cores : 0;
  o.run_jobs = 0;
  o.timeout_ms = 10000;
  if (pprt_doctor_run(&o, doc) != PPRT_STATUS_OK) memset(doc, 0, sizeof *doc);
}

static const struct pprt_doctor_check* doctor_check(const struct pprt_doctor_report* doc, const char* name) {
  for (uint32_t i = 0; i < doc->count; ++i)
    if (strcmp(doc->checks[i].name, name) == 0) return &doc->checks[i];
  return NULL;
}

static void print_doctor(const struct pprt_doctor_report* doc) {
  const struct pprt_doctor_check* zocl = doctor_check(doc, "zocl");
  if (zocl == NULL || zocl->verdict == PPRT_DOCTOR_FAIL) {
    printf("DPU device: none on this host (pprt doctor: zocl: %s)\n", zocl ? zocl->message : "not checked");
  } else {
    printf("DPU device (pprt doctor, without its job check; 'pprt doctor --model DIR' for all of it):\n");
    static const char* const names[] = {"board", "zocl", "render-node", "app", "xclbin", "dpu", "cma", NULL};
    for (int i = 0; names[i] != NULL; ++i) {
      const struct pprt_doctor_check* c = doctor_check(doc, names[i]);
      if (c != NULL) printf("  %s %s: %s\n", pprt_doctor_verdict_str(c->verdict), c->name, c->message);
    }
  }
  const struct pprt_doctor_check* cpu = doctor_check(doc, "cpu");
  if (cpu != NULL) printf("CPU: %s%s%s\n", cpu->message, cpu->fix[0] ? "; " : "", cpu->fix);
}

/* ================================================================== the command */

int pprt_cmd_bench(int argc, char** argv) {
  struct bench_args a;
  int rc = parse_bench_args(argc, argv, &a);
  if (rc < 0) {
    printf("%s", "pprt bench --model DIR [SWEEP | --info F] [--sweeps10] [--frames N] [--mode latency|throughput|both]\n"
                 "           [--runner dpu|cpu|dummy] [--dpu-ms A,B] [--dpu-cores N] [--in-flight N] [--warmup N] [--json]\n"
                 "           [--no-alloc-count]\n");
    return 0;
  }
  if (rc) return rc;
  alloc_counter_setup(argc, argv, a.no_alloc_count);
  struct bench_frame fr;
  if (frame_load(&a, &fr)) return 1;

  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = a.model;
  o.runner = a.runner;
  o.runner_lib = a.runner_lib;
  o.max_points = a.max_points;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st) {
    fprintf(stderr, "pprt bench: %s: %s\n", pprt_status_str(st), pprt_last_error());
    frame_free(&fr);
    return 1;
  }
  if (a.sim && (st = pprt_runtime_simulate_dpu(rt, a.dpu_ms[0], a.dpu_ms[1], a.dpu_cores ? a.dpu_cores : 1))) {
    fprintf(stderr, "pprt bench: %s: %s\n", pprt_status_str(st), pprt_last_error());
    pprt_runtime_destroy(rt);
    frame_free(&fr);
    return 1;
  }

  char attrs[1100];
  static struct pprt_doctor_report doc;
  run_doctor(&a, &doc);
  struct pprt_runtime_info info;
  pprt_runtime_get_info(rt, &info);
  snprintf(attrs, sizeof attrs, "subgraph 0: %s; subgraph 1: %s",
           info.dpu_attrs[0][0] ? info.dpu_attrs[0] : "(no DPU attributes)",
           info.dpu_attrs[1][0] ? info.dpu_attrs[1] : "(no DPU attributes)");
  char exe_path[4096];
  pprt_cli_self_path(exe_path, sizeof exe_path);
  const char* exe_name = base_name(exe_path);

  uint32_t cap = pprt_runtime_max_boxes(rt);
  struct pprt_box* boxes = calloc(cap ? cap : 1, sizeof *boxes);
  double* samples = calloc((size_t)a.frames * PPRT_STAGE_COUNT, sizeof *samples);
  if (boxes == NULL || samples == NULL) {
    fprintf(stderr, "pprt bench: out of memory\n");
    free(boxes);
    free(samples);
    pprt_runtime_destroy(rt);
    frame_free(&fr);
    return 1;
  }
  int progress = a.progress >= 0 ? a.progress : isatty(2);

  if (!a.json) {
    printf("pprt bench: model %s (%s + %s), runner %s, kernels %s\n", a.model, info.model_name0, info.model_name1,
           pprt_runner_str(a.runner), info.kernels);
    printf("frame: %llu points in %u sweep%s%s; %u warm-up + %u timed frames per mode\n",
           (unsigned long long)fr.points, fr.num_sweeps, fr.num_sweeps == 1 ? "" : "s",
           a.sweeps10 ? " (10-sweep frame built from one sweep)" : "", a.warmup, a.frames);
    if (a.sim) {
      uint32_t c = a.dpu_cores ? a.dpu_cores : 1;
      printf("simulated DPU: %.1f + %.1f ms per frame, %u core%s: DPU-bound limit %.2f fps\n", a.dpu_ms[0],
             a.dpu_ms[1], c, c == 1 ? "" : "s", 1000.0 * c / (a.dpu_ms[0] + a.dpu_ms[1]));
    }
    print_doctor(&doc);
    printf("DPU of the xmodels: %s\n", attrs);
    if (a.runner == PPRT_RUNNER_DUMMY) printf("note: the dummy runner computes nothing; DPU stage times are simulated\n");
    if (g_not_counted[0]) printf("note: allocations are not counted (%s)\n", g_not_counted);
  }

  struct mode_result res[2];
  int nres = 0;
  if (a.mode & MODE_LATENCY) {
    rc = run_latency(rt, &a, &fr, boxes, cap, samples, &res[nres], progress);
    if (rc == 0) ++nres;
  }
  if (rc == 0 && (a.mode & MODE_THROUGHPUT)) {
    rc = run_throughput(rt, &a, &fr, boxes, cap, samples, &res[nres], progress);
    if (rc == 0) ++nres;
  }
  for (int i = 0; i < nres; ++i) {
    if (a.json) print_json(&res[i], &a, &fr, rt, &doc, attrs, exe_name);
    else print_table(&res[i], exe_name);
  }
  if (!a.json && nres == 2)
    printf("\nthroughput / latency fps: %.2fx\n", res[0].fps > 0 ? res[1].fps / res[0].fps : 0.0);
  if (!a.json && nres > 0 && a.sim) {
    double limit = 1000.0 * (a.dpu_cores ? a.dpu_cores : 1) / (a.dpu_ms[0] + a.dpu_ms[1]);
    for (int i = 0; i < nres; ++i)
      if (strcmp(res[i].mode, "throughput") == 0)
        printf("throughput reaches %.1f%% of the DPU-bound limit (%.2f of %.2f fps)\n", 100.0 * res[i].fps / limit,
               res[i].fps, limit);
  }
  free(samples);
  free(boxes);
  pprt_runtime_destroy(rt);
  frame_free(&fr);
  return rc;
}
