/* The throughput stream (pprt_stream_*) with VART's dummy runner on the generated small model pair and a simulated
 * DPU of a few milliseconds: ordering, results identical to pprt_runtime_run, a failing frame in the middle, shutdown
 * with frames in flight, the queue-full behaviour and the DPU simulation itself. Every case runs under an alarm so a
 * hang fails the suite instead of stalling it. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pprt/pprt.h"
#include "core/runtime_internal.h"
#include "testutil.h"

#define KEY_POINTS 6000u /* a part of the real sweep: fast enough under qemu */
#define MAX_FRAME_SWEEPS 4

static const char* model_dir(void) { return pprt_test_work("small"); }

static void guard(unsigned seconds) { pprt_test_guard("test_stream", "a stream call", seconds); }

static pprt_runtime_t* make_runtime(int runner, uint32_t max_points) {
  return pprt_test_runtime(model_dir(), (enum pprt_runner)runner, max_points);
}

static pprt_cloud_t* load_sweep(struct pprt_sweep* s) {
  pprt_cloud_t* c = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &c), PPRT_STATUS_OK);
  enum pprt_status st = pprt_cloud_load(c, pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"),
                                        PPRT_FORMAT_AUTO, 5000000, s);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_FATAL(s->num_points >= KEY_POINTS);
  s->num_points = KEY_POINTS;
  return c;
}

/* Frame k: 1 + (k * 3) % MAX_FRAME_SWEEPS sweeps, the earlier ones shifted and rotated a little (varied work). */
static uint32_t make_frame(const struct pprt_sweep* key, uint32_t k, struct pprt_sweep* out) {
  uint32_t n = 1 + (k * 3u) % MAX_FRAME_SWEEPS;
  for (uint32_t i = 0; i < n; ++i) {
    out[i] = *key;
    if (i == 0) continue;
    float a = 0.01f * (float)(i + k);
    float c = cosf(a), s = sinf(a);
    const float r[9] = {c, -s, 0, s, c, 0, 0, 0, 1};
    memcpy(out[i].rotation, r, sizeof r);
    out[i].translation[0] = 0.8f * (float)i + 0.1f * (float)k;
    out[i].translation[1] = -0.3f * (float)i;
    out[i].timestamp_us = key->timestamp_us - 50000 * (int64_t)i;
  }
  return n;
}

static int8_t pattern(uint32_t pillar, uint32_t c) { return (int8_t)((int32_t)((pillar * 7u + c * 3u) % 251u) - 125); }

/* The dummy runner writes nothing: plant the same DPU0 features and DPU1 outputs (one strong car anchor) in ctx. */
static void plant(const pprt_runtime_t* rt, struct pprt_frame_ctx* f) {
  int8_t* out0 = pprt_ctx_dpu0_output(f);
  size_t C = rt->sp.feat_stride;
  for (uint32_t i = 0; i < rt->vp.max_pillars; ++i)
    for (size_t c = 0; c < C; ++c) out0[i * C + c] = pattern(i, (uint32_t)c);
  const struct pprt_post_params* pp = &rt->pp;
  const uint32_t A = pp->num_sizes * pp->num_rot, K = pp->num_classes;
  const uint32_t a = ((pp->H / 2 * pp->W + pp->W / 4) * pp->num_sizes) * pp->num_rot + 1;
  int8_t* cls = pprt_ctx_dpu1_output(rt, f, 0);
  memset(cls, -128, (size_t)pp->H * pp->W * A * K);
  memset(pprt_ctx_dpu1_output(rt, f, 1), 0, (size_t)pp->H * pp->W * A * pp->code_size);
  memset(pprt_ctx_dpu1_output(rt, f, 2), 0, (size_t)pp->H * pp->W * A * 2);
  cls[(size_t)a * K] = 100;
  cls[(size_t)(a + 7) * K + 3] = 60; /* a second, weaker box */
}

static void plant_all(pprt_runtime_t* rt, pprt_stream_t* s) {
  plant(rt, &rt->ctx);
  for (uint32_t i = 0; i < pprt_stream_num_contexts(s); ++i) plant(rt, pprt_stream_context(s, i));
}

struct expected {
  enum pprt_status status;
  struct pprt_frame_stats stats;
  struct pprt_box boxes[8];
  uint32_t nb;
};

static void expect_same(const struct expected* e, enum pprt_status st, const struct pprt_frame_stats* got,
                        const struct pprt_box* boxes, uint32_t nb) {
  CU_ASSERT_EQUAL(st, e->status);
  if (st != PPRT_STATUS_OK || e->status != PPRT_STATUS_OK) return;
  CU_ASSERT_EQUAL(got->points_in, e->stats.points_in);
  CU_ASSERT_EQUAL(got->points_out_of_range, e->stats.points_out_of_range);
  CU_ASSERT_EQUAL(got->points_overflow, e->stats.points_overflow);
  CU_ASSERT_EQUAL(got->pillars, e->stats.pillars);
  CU_ASSERT_EQUAL(got->candidates, e->stats.candidates);
  CU_ASSERT_EQUAL(got->boxes, e->stats.boxes);
  CU_ASSERT_EQUAL_FATAL(nb, e->nb);
  CU_ASSERT_EQUAL(memcmp(boxes, e->boxes, (size_t)nb * sizeof *boxes), 0);
}

/* Submit frames 0..n-1 (tags 1000 + k) keeping the stream full, receive them all; check order and results. */
static void run_and_check(pprt_stream_t* s, const struct pprt_sweep* key, uint32_t n, const struct expected* exp,
                          uint32_t (*frame)(const struct pprt_sweep*, uint32_t, struct pprt_sweep*)) {
  static struct pprt_sweep sweeps[64][16]; /* the points stay valid until received; the array is copied anyway */
  uint32_t next = 0, got = 0;
  struct pprt_stream_options so;
  CU_ASSERT_EQUAL_FATAL(pprt_stream_get_options(s, &so), PPRT_STATUS_OK);
  while (got < n) {
    if (next < n && pprt_stream_in_flight(s) < so.max_in_flight) {
      uint32_t ns = frame(key, next, sweeps[next % 64]);
      CU_ASSERT_EQUAL_FATAL(pprt_stream_submit(s, sweeps[next % 64], ns, 1000u + next), PPRT_STATUS_OK);
      memset(sweeps[next % 64], 0xa5, sizeof sweeps[0]); /* the stream copied the array */
      ++next;
      continue;
    }
    struct pprt_box boxes[8];
    memset(boxes, 0x5a, sizeof boxes);
    uint32_t nb = 99;
    uint64_t tag = 0;
    struct pprt_frame_stats st;
    enum pprt_status rc = pprt_stream_receive(s, boxes, 8, &nb, &tag, &st);
    CU_ASSERT_EQUAL(tag, 1000u + got); /* strictly in submission order */
    expect_same(&exp[got], rc, &st, boxes, nb);
    if (rc != PPRT_STATUS_OK) CU_ASSERT(strlen(pprt_last_error()) > 0);
    ++got;
  }
  CU_ASSERT_EQUAL(pprt_stream_in_flight(s), 0u);
  uint32_t nb = 0;
  struct pprt_box b;
  CU_ASSERT_EQUAL(pprt_stream_receive(s, &b, 1, &nb, NULL, NULL), PPRT_STATUS_INVALID_ARGUMENT); /* nothing left */
}

static void expected_of(pprt_runtime_t* rt, const struct pprt_sweep* key, uint32_t n, struct expected* exp,
                        uint32_t (*frame)(const struct pprt_sweep*, uint32_t, struct pprt_sweep*)) {
  struct pprt_sweep sw[16];
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t ns = frame(key, k, sw);
    exp[k].status = pprt_runtime_run(rt, sw, ns, exp[k].boxes, 8, &exp[k].nb);
    CU_ASSERT_EQUAL(pprt_runtime_stats(rt, &exp[k].stats), PPRT_STATUS_OK);
  }
}

/* The start of an ordering case: a dummy-runner runtime (max_points, 0: the default) simulating a DPU of lo..hi ms
 * on 2 cores, a stream of `cores` contexts and depth `depth` with every context planted, the key sweep, and what
 * pprt_runtime_run gives for frames 0..n-1 of `frame` in exp. */
struct stream_case {
  pprt_runtime_t* rt;
  pprt_stream_t* s;
  struct pprt_sweep key;
  pprt_cloud_t* cloud;
};

static void stream_case_open(struct stream_case* c, uint32_t max_points, double lo_ms, double hi_ms, uint32_t cores,
                             uint32_t depth, uint32_t n, struct expected* exp,
                             uint32_t (*frame)(const struct pprt_sweep*, uint32_t, struct pprt_sweep*)) {
  guard(300);
  c->rt = make_runtime(PPRT_RUNNER_DUMMY, max_points);
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(c->rt, lo_ms, hi_ms, 2), PPRT_STATUS_OK);
  c->s = pprt_test_stream(c->rt, cores, depth);
  plant_all(c->rt, c->s);
  c->cloud = load_sweep(&c->key);
  expected_of(c->rt, &c->key, n, exp, frame);
}

static void stream_case_close(struct stream_case* c) {
  pprt_stream_destroy(c->s);
  pprt_cloud_destroy(c->cloud);
  pprt_runtime_destroy(c->rt);
  alarm(0);
}

static void test_order_and_results(void) {
  enum { N = 14 };
  struct expected exp[N];
  struct stream_case c;
  stream_case_open(&c, 0, 3.0, 6.0, 2, 5, N, exp, make_frame);
  for (uint32_t k = 0; k < N; ++k) {
    CU_ASSERT_EQUAL(exp[k].status, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(exp[k].nb, 2u);
  }
  CU_ASSERT(exp[0].stats.pillars != exp[1].stats.pillars); /* the frames differ */
  run_and_check(c.s, &c.key, N, exp, make_frame);
  run_and_check(c.s, &c.key, N, exp, make_frame); /* the stream is reusable after draining */
  pprt_stream_destroy(c.s);

  /* One core, the default depth. */
  c.s = pprt_test_stream(c.rt, 1, 0);
  struct pprt_stream_options so;
  pprt_stream_get_options(c.s, &so);
  CU_ASSERT_EQUAL(so.dpu_cores, 1u);
  CU_ASSERT_EQUAL(so.max_in_flight, 4u);
  plant_all(c.rt, c.s);
  run_and_check(c.s, &c.key, N, exp, make_frame);
  stream_case_close(&c);
}

/* With one core the stream has one context: after a frame its DPU0 input, pillars and canvas are byte for byte those
 * pprt_runtime_run leaves for the same frame. */
static void test_same_bytes(void) {
  guard(300);
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY, 0);
  pprt_stream_t* s = pprt_test_stream(rt, 1, 2);
  plant_all(rt, s);
  struct pprt_frame_ctx* f = pprt_stream_context(s, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_PTR_NULL(pprt_stream_context(s, 1));
  struct pprt_sweep key, sw[16];
  pprt_cloud_t* cloud = load_sweep(&key);
  const size_t in1 = (size_t)pprt_runtime_tensor_desc(rt, PPRT_TENSOR_DPU1_INPUT)->elements;
  for (uint32_t k = 0; k < 3; ++k) {
    uint32_t ns = make_frame(&key, k + 1, sw);
    struct pprt_box b[8];
    uint32_t nb = 0;
    CU_ASSERT_EQUAL_FATAL(pprt_runtime_run(rt, sw, ns, b, 8, &nb), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL_FATAL(pprt_stream_submit(s, sw, ns, k), PPRT_STATUS_OK);
    uint64_t tag = 99;
    CU_ASSERT_EQUAL_FATAL(pprt_stream_receive(s, b, 8, &nb, &tag, NULL), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(tag, k);
    uint32_t np = 0;
    const int32_t* coords = pprt_stage_pillars(rt, &np);
    CU_ASSERT_EQUAL_FATAL(f->vox.num_pillars, np);
    CU_ASSERT_EQUAL(memcmp(f->vox.coords, coords, (size_t)np * 2 * sizeof(int32_t)), 0);
    size_t row = (size_t)rt->vp.max_slots * rt->vp.num_features;
    CU_ASSERT_EQUAL(memcmp(pprt_ctx_dpu0_input(f), pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), (size_t)np * row), 0);
    CU_ASSERT_EQUAL(memcmp(pprt_ctx_dpu1_input(f), pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_INPUT), in1), 0);
  }
  pprt_stream_destroy(s);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* Frame 3 has a NaN rotation, frame 6 too many sweeps, frame 8 too many points, frame 10 no sweeps: each returns its
 * own error in its turn and the frames after it succeed. */
static uint32_t bad_frame(const struct pprt_sweep* key, uint32_t k, struct pprt_sweep* out) {
  uint32_t n = make_frame(key, k, out);
  if (k == 3) {
    n = 2;
    out[1] = *key;
    out[1].rotation[4] = NAN;
  } else if (k == 6) {
    n = 11;
    for (uint32_t i = 0; i < n; ++i) out[i] = *key;
  } else if (k == 8) {
    n = 5; /* 5 x 6000 points > max_points 25000 (4 sweeps fit) */
    for (uint32_t i = 0; i < n; ++i) out[i] = *key;
  } else if (k == 10) {
    n = 0;
  }
  return n;
}

static void test_failing_frames(void) {
  enum { N = 13 };
  struct expected exp[N];
  struct stream_case c;
  stream_case_open(&c, 25000, 2.0, 4.0, 2, 6, N, exp, bad_frame);
  CU_ASSERT_EQUAL(exp[3].status, PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_EQUAL(exp[6].status, PPRT_STATUS_CAPACITY);
  CU_ASSERT_EQUAL(exp[8].status, PPRT_STATUS_CAPACITY);
  CU_ASSERT_EQUAL(exp[10].status, PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(exp[12].status, PPRT_STATUS_OK);
  run_and_check(c.s, &c.key, N, exp, bad_frame);

  /* The message of a failed frame names the problem. */
  struct pprt_sweep two[2] = {c.key, c.key};
  two[1].translation[2] = INFINITY;
  CU_ASSERT_EQUAL(pprt_stream_submit(c.s, two, 2, 7), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_stream_submit(c.s, &c.key, 1, 8), PPRT_STATUS_OK);
  struct pprt_box b[8];
  uint32_t nb = 5;
  uint64_t tag = 0;
  CU_ASSERT_EQUAL(pprt_stream_receive(c.s, b, 8, &nb, &tag, NULL), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_EQUAL(tag, 7u);
  CU_ASSERT_EQUAL(nb, 0u);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "translation"));
  CU_ASSERT_EQUAL(pprt_stream_receive(c.s, b, 8, &nb, &tag, NULL), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(tag, 8u);
  CU_ASSERT_EQUAL(nb, 2u);
  CU_ASSERT_STRING_EQUAL(pprt_last_error(), "");

  /* An empty key sweep: OK, no boxes. */
  struct pprt_sweep empty;
  pprt_sweep_init(&empty, NULL, 0, 5, 0);
  CU_ASSERT_EQUAL(pprt_stream_submit(c.s, &empty, 1, 9), PPRT_STATUS_OK);
  nb = 5;
  CU_ASSERT_EQUAL(pprt_stream_receive(c.s, b, 8, &nb, &tag, NULL), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(nb, 0u);
  stream_case_close(&c);
}

/* Destroy right after submitting: no hang, nothing leaks (ASan), DPU jobs already running finish first. */
static void test_shutdown_in_flight(void) {
  guard(120);
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY, 0);
  /* DPU1 jobs of 1 s: a destroy that waited for the queue (8 frames on 2 cores, >= 4 s) is far from one that lets
   * only the running jobs finish (<= 1 s plus their post-processing), even on a loaded machine under ASan. */
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(rt, 30.0, 1000.0, 2), PPRT_STATUS_OK);
  struct pprt_sweep key, sw[16];
  pprt_cloud_t* cloud = load_sweep(&key);
  for (uint32_t round = 0; round < 3; ++round) {
    pprt_stream_t* s = pprt_test_stream(rt, 2, 8);
    for (uint32_t k = 0; k < 8; ++k) {
      uint32_t ns = make_frame(&key, k, sw);
      CU_ASSERT_EQUAL(pprt_stream_submit(s, sw, ns, k), PPRT_STATUS_OK);
    }
    if (round == 1) { /* receive one first: some frames done, some running, some queued */
      struct pprt_box b[8];
      uint32_t nb = 0;
      CU_ASSERT_EQUAL(pprt_stream_receive(s, b, 8, &nb, NULL, NULL), PPRT_STATUS_OK);
    }
    if (round == 2) usleep(40000);
    double t0 = pprt_now_ms();
    pprt_stream_destroy(s);
    /* At most the running DPU jobs (1 s) finish; nothing waits for the queued frames (8 x 1.03 s on 2 cores).
     * Generous for qemu and ASan on a loaded host (the running frame's post-processing, every anchor a candidate
     * with the dummy runner, took ~0.5 s there); ThreadSanitizer makes that post-processing about ten times slower. */
#if defined(__SANITIZE_THREAD__)
    const double bound_ms = 7000.0;
#else
    const double bound_ms = 2500.0;
#endif
    const double ms = pprt_now_ms() - t0;
    if (!(ms < bound_ms)) fprintf(stderr, "  destroy took %.0f ms (bound %.0f)\n", ms, bound_ms);
    CU_ASSERT(ms < bound_ms);
  }
  pprt_stream_destroy(NULL);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
  alarm(0);
}

struct late_receiver {
  pprt_stream_t* s;
  double t_receive;
  enum pprt_status st;
  uint64_t tag;
};

static void* receive_later(void* p) {
  struct late_receiver* r = p;
  usleep(80000);
  struct pprt_box b[8];
  uint32_t nb = 0;
  r->t_receive = pprt_now_ms();
  r->st = pprt_stream_receive(r->s, b, 8, &nb, &r->tag, NULL);
  return NULL;
}

static void test_queue_full(void) {
  guard(120);
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY, 0);
  pprt_stream_t* s = pprt_test_stream(rt, 1, 2);
  struct pprt_sweep key;
  pprt_cloud_t* cloud = load_sweep(&key);
  CU_ASSERT_EQUAL(pprt_stream_try_submit(s, &key, 1, 1), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_stream_try_submit(s, &key, 1, 2), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_stream_in_flight(s), 2u);
  CU_ASSERT_EQUAL(pprt_stream_try_submit(s, &key, 1, 3), PPRT_STATUS_CAPACITY); /* full: nothing queued */
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "full"));
  CU_ASSERT_EQUAL(pprt_stream_in_flight(s), 2u);
  usleep(50000); /* both frames done: still full until received */
  CU_ASSERT_EQUAL(pprt_stream_try_submit(s, &key, 1, 3), PPRT_STATUS_CAPACITY);

  /* A blocking submit waits until another thread receives. */
  struct late_receiver r = {s, 0.0, PPRT_STATUS_INTERNAL, 0};
  pthread_t th;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, receive_later, &r), 0);
  CU_ASSERT_EQUAL(pprt_stream_submit(s, &key, 1, 3), PPRT_STATUS_OK);
  double t_submit = pprt_now_ms();
  pthread_join(th, NULL);
  CU_ASSERT(t_submit >= r.t_receive);
  CU_ASSERT_EQUAL(r.st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(r.tag, 1u);
  uint64_t tags[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    struct pprt_box b[8];
    uint32_t nb = 0;
    CU_ASSERT_EQUAL(pprt_stream_receive(s, b, 8, &nb, &tags[i], NULL), PPRT_STATUS_OK);
  }
  CU_ASSERT_EQUAL(tags[0], 2u);
  CU_ASSERT_EQUAL(tags[1], 3u);
  CU_ASSERT_EQUAL(pprt_stream_try_submit(s, &key, 1, 4), PPRT_STATUS_OK);
  pprt_stream_destroy(s); /* with one frame in flight */
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
  alarm(0);
}

/* The simulated DPU: job times are at least the simulated ones, the core limit serialises jobs. */
static void test_simulated_dpu(void) {
  guard(120);
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY, 0);
  struct pprt_sweep key;
  pprt_cloud_t* cloud = load_sweep(&key);
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, -1.0, 0.0, 0), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, NAN, 0.0, 0), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(NULL, 1.0, 1.0, 1), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(rt, 12.0, 25.0, 1), PPRT_STATUS_OK);
  struct pprt_box b[8];
  uint32_t nb = 0;
  struct pprt_frame_stats st;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_run(rt, &key, 1, b, 8, &nb), PPRT_STATUS_OK);
  pprt_runtime_stats(rt, &st);
  CU_ASSERT(st.stage_ms[PPRT_STAGE_DPU0] >= 12.0);
  CU_ASSERT(st.stage_ms[PPRT_STAGE_DPU1] >= 25.0);
  CU_ASSERT(st.stage_ms[PPRT_STAGE_TOTAL] >= 37.0);

  /* One simulated core shared by a 2-core stream: 6 frames need at least 6 x 37 ms of DPU time. */
  pprt_stream_t* s = pprt_test_stream(rt, 2, 6);
  double t0 = pprt_now_ms();
  for (uint32_t k = 0; k < 6; ++k) CU_ASSERT_EQUAL(pprt_stream_submit(s, &key, 1, k), PPRT_STATUS_OK);
  for (uint32_t k = 0; k < 6; ++k) {
    CU_ASSERT_EQUAL(pprt_stream_receive(s, b, 8, &nb, NULL, &st), PPRT_STATUS_OK);
    CU_ASSERT(st.stage_ms[PPRT_STAGE_DPU1] >= 25.0);
    CU_ASSERT(st.stage_ms[PPRT_STAGE_TOTAL] >= st.stage_ms[PPRT_STAGE_DPU0] + st.stage_ms[PPRT_STAGE_DPU1]);
  }
  CU_ASSERT(pprt_now_ms() - t0 >= 6 * 37.0);
  pprt_stream_destroy(s);

  /* Off again. */
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_OK);
  CU_ASSERT_PTR_NULL(rt->sim);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
  alarm(0);
}

static void test_create_errors(void) {
  guard(120);
  pprt_runtime_t* none = make_runtime(PPRT_RUNNER_NONE, 0);
  pprt_stream_t* s = (pprt_stream_t*)none;
  CU_ASSERT_EQUAL(pprt_stream_create(none, NULL, &s), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "without runners"));
  pprt_runtime_destroy(none);
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY, 0);
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = 9;
  CU_ASSERT_EQUAL(pprt_stream_create(rt, &so, &s), PPRT_STATUS_INVALID_ARGUMENT);
  so.dpu_cores = 2;
  so.max_in_flight = 65;
  CU_ASSERT_EQUAL(pprt_stream_create(rt, &so, &s), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_stream_create(NULL, &so, &s), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_stream_create(rt, &so, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_stream_submit(NULL, NULL, 0, 0), PPRT_STATUS_INVALID_ARGUMENT);
  s = pprt_test_stream(rt, 2, 0);
  pprt_stream_get_options(s, &so);
  CU_ASSERT_EQUAL(so.max_in_flight, 6u);
  uint32_t nb = 0;
  CU_ASSERT_EQUAL(pprt_stream_receive(s, NULL, 0, &nb, NULL, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_stream_receive(s, NULL, 4, &nb, NULL, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_stream_in_flight(NULL), 0u);
  pprt_stream_destroy(s);
  pprt_runtime_destroy(rt);
  alarm(0);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"ordering and results equal to pprt_runtime_run", test_order_and_results},
      {"stream context bytes equal to pprt_runtime_run", test_same_bytes},
      {"failing frames in the middle", test_failing_frames},
      {"destroy with frames in flight", test_shutdown_in_flight},
      {"queue full", test_queue_full},
      {"simulated DPU", test_simulated_dpu},
      {"create errors", test_create_errors},
      {NULL, NULL}};
  return pprt_test_main("stream", cases);
}
