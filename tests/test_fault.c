/* Fault injection (docs/RELIABILITY.md): the runner plugin tests/fault_runner_plugin.cpp wraps pprt's int8 CPU runner
 * and fails chosen DPU jobs (an error status from execute_async, an exception, a failed wait, a slow job) or the
 * runner's creation. pprt_runtime_run and the stream must hand every injected failure back as that frame's status,
 * with a message, in submission order, and every other frame must give exactly the boxes and statistics of a clean
 * run; a runtime keeps working after a failed frame; nothing hangs (every case runs under an alarm) or leaks (ASan).
 * Under an emulator (arm64 under qemu) and ThreadSanitizer the plugin wraps VART's dummy runner instead: the CPU
 * runner's 2.5 G-op frames take seconds there; the statuses, their order and the per-frame statistics are checked the
 * same way. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pprt/pprt.h"
#include "testutil.h"

#define NUM_FRAMES 8
#define FRAME_POINTS 3000u
#define MAX_BOXES 512

static void guard(unsigned seconds) { pprt_test_guard("test_fault", "a call", seconds); }

/* Emulated, built with ThreadSanitizer (the CPU runner's frames take seconds there too: CI time), or
 * PPRT_TEST_FAULT_DUMMY=1 (to try that form on the host). */
#if defined(__SANITIZE_THREAD__)
#define PPRT_TEST_SLOW_CPU 1
#else
#define PPRT_TEST_SLOW_CPU 0
#endif
static int emulated(void) {
  return PPRT_TEST_EMULATOR[0] != '\0' || PPRT_TEST_SLOW_CPU || getenv("PPRT_TEST_FAULT_DUMMY") != NULL;
}

/* Select the faults (PPRT_FAULT) and make the plugin read them now (job counts restart from 0). */
static void set_faults(const char* spec) {
  CU_ASSERT_EQUAL_FATAL(setenv("PPRT_FAULT", spec, 1), 0);
  void* h = dlopen(PPRT_FAULT_RUNNER, RTLD_NOW | RTLD_LOCAL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h);
  int (*reset)(void) = (int (*)(void))dlsym(h, "pprt_fault_reset");
  CU_ASSERT_PTR_NOT_NULL_FATAL(reset);
  CU_ASSERT_EQUAL(reset(), 0);
  dlclose(h);
}

static pprt_runtime_t* make_runtime(enum pprt_status want) {
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = pprt_test_work("small");
  o.runner = PPRT_RUNNER_CPU;
  o.runner_lib = PPRT_FAULT_RUNNER;
  o.max_points = 20000;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st != want) fprintf(stderr, "create: %s: %s\n", pprt_status_str(st), pprt_last_error());
  CU_ASSERT_EQUAL_FATAL(st, want);
  return rt;
}

/* The frames: NUM_FRAMES different windows of the real sweep. */
static pprt_cloud_t* g_cloud;
static struct pprt_sweep g_frames[NUM_FRAMES];

static void load_frames(void) {
  if (g_cloud != NULL) return;
  struct pprt_sweep all;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &g_cloud), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(g_cloud, pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"),
                                        PPRT_FORMAT_AUTO, 0, &all),
                        PPRT_STATUS_OK);
  CU_ASSERT_FATAL(all.num_points >= NUM_FRAMES * 3000u + FRAME_POINTS);
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) {
    g_frames[k] = all;
    g_frames[k].points = all.points + (size_t)k * 3000u * all.point_stride;
    g_frames[k].num_points = FRAME_POINTS;
  }
}

struct result {
  enum pprt_status st;
  char msg[256];
  struct pprt_box boxes[MAX_BOXES];
  uint32_t n;
  uint32_t pillars, candidates;
};
static struct result g_clean[NUM_FRAMES];

static void clean_results(void) {
  static int done;
  if (done) return;
  load_frames();
  set_faults("");
  pprt_runtime_t* rt = make_runtime(PPRT_STATUS_OK);
  uint32_t nonempty = 0;
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) {
    struct result* r = &g_clean[k];
    r->st = pprt_runtime_run(rt, &g_frames[k], 1, r->boxes, MAX_BOXES, &r->n);
    CU_ASSERT_EQUAL_FATAL(r->st, PPRT_STATUS_OK);
    struct pprt_frame_stats s;
    CU_ASSERT_EQUAL(pprt_runtime_stats(rt, &s), PPRT_STATUS_OK);
    r->pillars = s.pillars;
    r->candidates = s.candidates;
    nonempty += r->n > 0;
  }
  /* the frames differ (a mix-up of frames would show) */
  for (uint32_t k = 1; k < NUM_FRAMES; ++k) CU_ASSERT(g_clean[k].pillars != g_clean[k - 1].pillars);
  printf("\n  clean run: %u of %u frames with boxes, frame 0: %u pillars, %u boxes\n", nonempty, NUM_FRAMES,
         g_clean[0].pillars, g_clean[0].n);
  pprt_runtime_destroy(rt);
  done = 1;
}

static int same_as_clean(uint32_t k, enum pprt_status st, const struct pprt_box* boxes, uint32_t n,
                         const struct pprt_frame_stats* s) {
  const struct result* c = &g_clean[k];
  int ok = st == PPRT_STATUS_OK && n == c->n && memcmp(boxes, c->boxes, (size_t)n * sizeof *boxes) == 0;
  if (s != NULL) ok = ok && s->pillars == c->pillars && s->candidates == c->candidates;
  if (!ok) fprintf(stderr, "  frame %u differs from the clean run (%s, %u boxes vs %u)\n", k, pprt_status_str(st), n, c->n);
  return ok;
}

/* Frame k through rt gives the clean run's boxes and statistics, byte for byte. */
static int runs_clean(pprt_runtime_t* rt, uint32_t k) {
  static struct pprt_box b[MAX_BOXES];
  uint32_t n = 0;
  struct pprt_frame_stats s;
  enum pprt_status st = pprt_runtime_run(rt, &g_frames[k], 1, b, MAX_BOXES, &n);
  pprt_runtime_stats(rt, &s);
  return same_as_clean(k, st, b, n, &s);
}

/* The wrapper with no faults is transparent: the CPU runner (emulated: the dummy runner) directly gives the same bytes. */
static void test_transparent(void) {
  guard(300);
  clean_results();
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = pprt_test_work("small");
  o.runner = emulated() ? PPRT_RUNNER_DUMMY : PPRT_RUNNER_CPU;
  o.runner_lib = emulated() ? NULL : PPRT_CPU_RUNNER_LIB;
  o.max_points = 20000;
  pprt_runtime_t* rt = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_OK);
  static struct pprt_box b[MAX_BOXES];
  uint32_t n = 0;
  for (uint32_t k = 0; k < 2; ++k) {
    struct pprt_frame_stats s;
    enum pprt_status st = pprt_runtime_run(rt, &g_frames[k], 1, b, MAX_BOXES, &n);
    pprt_runtime_stats(rt, &s);
    CU_ASSERT(same_as_clean(k, st, b, n, &s));
  }
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* Faults of every kind on pprt_runtime_run, one frame at a time. The subgraph-1 job of a frame whose subgraph-0 job
 * failed never runs, so the job numbers below are chosen frame by frame:
 *   frame 1: sg0 job 2 returns an error status
 *   frame 3: sg1 job 3 (frames 0, 2, 3 ran sg1) throws
 *   frame 4: sg1 job 4 fails its wait
 *   frame 5: sg0 job 6 is slow (60 ms), and succeeds
 *   frame 6: sg0 job 7 throws */
static void test_runtime_faults(void) {
  guard(300);
  clean_results();
  set_faults("sg0:job=2:status;sg1:job=3:throw;sg1:job=4:waitfail;sg0:job=6:slow=60;sg0:job=7:throw");
  pprt_runtime_t* rt = make_runtime(PPRT_STATUS_OK);
  static const char* const want_msg[NUM_FRAMES] = {NULL, "execute_async returned", NULL, "injected exception",
                                                   "wait returned", NULL, "injected exception", NULL};
  static struct pprt_box b[MAX_BOXES];
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) {
    uint32_t n = 99;
    double t0 = pprt_now_ms();
    enum pprt_status st = pprt_runtime_run(rt, &g_frames[k], 1, b, MAX_BOXES, &n);
    double ms = pprt_now_ms() - t0;
    if (want_msg[k] == NULL) {
      struct pprt_frame_stats s;
      pprt_runtime_stats(rt, &s);
      CU_ASSERT(same_as_clean(k, st, b, n, &s));
      if (k == 5) CU_ASSERT(ms >= 60.0);
    } else {
      CU_ASSERT_EQUAL(st, PPRT_STATUS_RUNNER_ERROR);
      CU_ASSERT_EQUAL(n, 0);
      const char* m = pprt_runtime_last_error(rt);
      if (strstr(m, want_msg[k]) == NULL) fprintf(stderr, "  frame %u: message '%s' lacks '%s'\n", k, m, want_msg[k]);
      CU_ASSERT(strstr(m, want_msg[k]) != NULL);
      CU_ASSERT(strstr(pprt_last_error(), want_msg[k]) != NULL);
    }
  }
  CU_ASSERT(runs_clean(rt, 0)); /* the runtime is intact after the failures */
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* Submit every frame (tags 100 + k) keeping the stream full; receive all; out[k] gets each frame's result. */
static void stream_all(pprt_stream_t* s, struct result* out) {
  static struct pprt_frame_stats stats[NUM_FRAMES];
  uint32_t next = 0, got = 0;
  struct pprt_stream_options so;
  CU_ASSERT_EQUAL_FATAL(pprt_stream_get_options(s, &so), PPRT_STATUS_OK);
  while (got < NUM_FRAMES) {
    if (next < NUM_FRAMES && pprt_stream_in_flight(s) < so.max_in_flight) {
      CU_ASSERT_EQUAL_FATAL(pprt_stream_submit(s, &g_frames[next], 1, 100u + next), PPRT_STATUS_OK);
      ++next;
      continue;
    }
    uint64_t tag = 0;
    struct result* r = &out[got];
    r->st = pprt_stream_receive(s, r->boxes, MAX_BOXES, &r->n, &tag, &stats[got]);
    CU_ASSERT_EQUAL(tag, 100u + got); /* strictly in submission order, failed frames included */
    snprintf(r->msg, sizeof r->msg, "%s", r->st == PPRT_STATUS_OK ? "" : pprt_last_error());
    r->pillars = stats[got].pillars;
    r->candidates = stats[got].candidates;
    ++got;
  }
  CU_ASSERT_EQUAL(pprt_stream_in_flight(s), 0u);
}

/* A runtime (its own runners created clean), the faults `spec` armed for the runners of a stream of `cores`
 * contexts and depth `depth` made next (their job counts start from 0), and every frame streamed once into got. */
static pprt_stream_t* stream_with_faults(const char* spec, uint32_t cores, uint32_t depth, pprt_runtime_t** rt,
                                         struct result* got) {
  guard(300);
  clean_results();
  *rt = make_runtime(PPRT_STATUS_OK);
  set_faults(spec);
  pprt_stream_t* s = pprt_test_stream(*rt, cores, depth);
  stream_all(s, got);
  return s;
}

/* One DPU core: jobs run in frame order, so the failing frames are known exactly. */
static void test_stream_one_core(void) {
  pprt_runtime_t* rt = NULL;
  static struct result got[NUM_FRAMES];
  pprt_stream_t* s =
      stream_with_faults("sg0:job=2:throw;sg1:job=3:status;sg1:job=5:waitfail;sg0:every=3:slow=20", 1, 4, &rt, got);
  /* frame 1: sg0 job 2; sg1 jobs: frames 0, 2, 3, 4, 5, ... are sg1 jobs 1, 2, 3, 4, 5: frame 3 and frame 5 fail */
  static const char* const want_msg[NUM_FRAMES] = {NULL, "injected exception", NULL, "execute_async returned",
                                                   NULL, "wait returned", NULL, NULL};
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) {
    if (want_msg[k] == NULL) {
      CU_ASSERT(same_as_clean(k, got[k].st, got[k].boxes, got[k].n, NULL));
      CU_ASSERT(got[k].pillars == g_clean[k].pillars && got[k].candidates == g_clean[k].candidates);
    } else {
      CU_ASSERT_EQUAL(got[k].st, PPRT_STATUS_RUNNER_ERROR);
      if (strstr(got[k].msg, want_msg[k]) == NULL)
        fprintf(stderr, "  frame %u: '%s' lacks '%s'\n", k, got[k].msg, want_msg[k]);
      CU_ASSERT(strstr(got[k].msg, want_msg[k]) != NULL);
    }
  }
  /* the stream keeps working: the faults are spent, a second pass is clean */
  stream_all(s, got);
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) CU_ASSERT(same_as_clean(k, got[k].st, got[k].boxes, got[k].n, NULL));
  pprt_stream_destroy(s);
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* Two cores, slow jobs reordering the work: exactly the injected number of frames fail, in order, with a message;
 * every other frame equals the clean run. */
static void test_stream_two_cores(void) {
  pprt_runtime_t* rt = NULL;
  static struct result got[NUM_FRAMES];
  pprt_stream_t* s =
      stream_with_faults("sg0:every=2:slow=30;sg1:job=4:throw;sg0:job=7:status;sg1:every=3:slow=15", 2, 6, &rt, got);
  uint32_t failed = 0;
  for (uint32_t k = 0; k < NUM_FRAMES; ++k) {
    if (got[k].st == PPRT_STATUS_OK) {
      CU_ASSERT(same_as_clean(k, got[k].st, got[k].boxes, got[k].n, NULL));
    } else {
      ++failed;
      CU_ASSERT_EQUAL(got[k].st, PPRT_STATUS_RUNNER_ERROR);
      CU_ASSERT(strstr(got[k].msg, "injected exception") != NULL || strstr(got[k].msg, "execute_async returned"));
    }
  }
  CU_ASSERT_EQUAL(failed, 2u);
  pprt_stream_destroy(s);
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* Destroying a stream while slow jobs are in flight: running jobs finish, nothing hangs, nothing leaks. */
static void test_stream_destroy_slow(void) {
  guard(120);
  load_frames();
  pprt_runtime_t* rt = make_runtime(PPRT_STATUS_OK);
  set_faults("any:every=1:slow=200");
  pprt_stream_t* s = pprt_test_stream(rt, 2, 6);
  for (uint32_t k = 0; k < 6; ++k) CU_ASSERT_EQUAL(pprt_stream_submit(s, &g_frames[k], 1, k), PPRT_STATUS_OK);
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL); /* the first subgraph-0 jobs are running (200 ms each) */
  double t0 = pprt_now_ms();
  pprt_stream_destroy(s);
  double ms = pprt_now_ms() - t0;
  /* the running jobs finish (>= 150 ms left), the queued frames are dropped (not 6 x 400 ms of jobs) */
  printf("\n  destroy with 6 slow frames in flight: %.0f ms\n", ms);
  CU_ASSERT(ms >= 100.0);
  CU_ASSERT(ms < 10000.0);
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* A runner that cannot be created: the runtime or stream is refused with a status and a message; the runtime that
 * exists keeps working. */
static void test_create_faults(void) {
  guard(300);
  clean_results();
  set_faults("sg1:create:throw");
  pprt_runtime_t* none = make_runtime(PPRT_STATUS_RUNNER_ERROR);
  CU_ASSERT_PTR_NULL(none);
  CU_ASSERT(strstr(pprt_last_error(), "injected exception creating the runner of sg1") != NULL);
  set_faults("sg0:create:null");
  none = make_runtime(PPRT_STATUS_RUNNER_ERROR);
  CU_ASSERT_PTR_NULL(none);
  CU_ASSERT(strstr(pprt_last_error(), "no runner") != NULL);

  set_faults("");
  pprt_runtime_t* rt = make_runtime(PPRT_STATUS_OK);
  set_faults("sg1:create:throw");
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = 2;
  pprt_stream_t* s = (pprt_stream_t*)0x1;
  CU_ASSERT_EQUAL(pprt_stream_create(rt, &so, &s), PPRT_STATUS_RUNNER_ERROR);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT(strstr(pprt_last_error(), "injected") != NULL);
  /* a bad PPRT_FAULT is an error of the plugin, reported at create */
  CU_ASSERT_EQUAL_FATAL(setenv("PPRT_FAULT", "sg2:job=1:throw", 1), 0);
  CU_ASSERT_EQUAL(pprt_stream_create(rt, &so, &s), PPRT_STATUS_RUNNER_ERROR);
  CU_ASSERT(strstr(pprt_last_error(), "subgraph must be sg0, sg1 or any") != NULL);
  set_faults("");
  CU_ASSERT(runs_clean(rt, 2));
  pprt_runtime_destroy(rt);
  alarm(0);
}

int main(void) {
  /* the runner the plugin wraps (read once, when the plugin creates its first runner) */
  if (setenv("PPRT_FAULT_INNER", emulated() ? "libvart-dummy-runner.so" : PPRT_CPU_RUNNER_LIB, 1) != 0) return 1;
  static const struct pprt_test_case cases[] = {
      {"transparent", test_transparent},
      {"runtime_faults", test_runtime_faults},
      {"stream_one_core", test_stream_one_core},
      {"stream_two_cores", test_stream_two_cores},
      {"stream_destroy_slow", test_stream_destroy_slow},
      {"create_faults", test_create_faults},
      {NULL, NULL},
  };
  int rc = pprt_test_main("fault", cases);
  pprt_cloud_destroy(g_cloud);
  return rc;
}
