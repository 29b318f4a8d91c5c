/* The whole frame through the public API with VART's dummy runner on the generated small model pair.
 * The dummy runner never writes its outputs, so the test plants known DPU outputs in the runner's buffers and checks
 * what the stages around the DPU make of them: the scatter of planted pillar features onto the canvas, and the box
 * decoded from a planted anchor. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/pprt.h"
#include "core/runtime_internal.h"
#include "testutil.h"

static const char* model_dir(void) { return pprt_test_work("small"); }
static const char* sweep_path(void) { return pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"); }

static pprt_runtime_t* make_runtime(int runner) { return pprt_test_runtime(model_dir(), (enum pprt_runner)runner, 0); }

static pprt_cloud_t* load_sweep(struct pprt_sweep* s) {
  pprt_cloud_t* c = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &c), PPRT_STATUS_OK);
  enum pprt_status st = pprt_cloud_load(c, sweep_path(), PPRT_FORMAT_AUTO, 1000000, s);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(s->num_points, 34688u);
  return c;
}

static int8_t pattern(uint32_t pillar, uint32_t c) { return (int8_t)((int32_t)((pillar * 7u + c * 3u) % 251u) - 125); }

static int8_t requant_dpu(int8_t v, int shift) {
  int32_t r = shift >= 0 ? (int32_t)v * (1 << shift) : (int32_t)floor((double)v / (double)(1 << -shift) + 0.5);
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

/* Every cell of the canvas: the planted features of its pillar (requantized), 0 where there is no pillar. */
static void check_canvas(pprt_runtime_t* rt) {
  uint32_t n = 0;
  const int32_t* coords = pprt_stage_pillars(rt, &n);
  const struct pprt_scatter_params* sp = &rt->sp;
  int32_t* owner = malloc((size_t)sp->H * sp->W * sizeof *owner);
  CU_ASSERT_PTR_NOT_NULL_FATAL(owner);
  for (size_t i = 0; i < (size_t)sp->H * sp->W; ++i) owner[i] = -1;
  for (uint32_t i = 0; i < n; ++i) {
    size_t cell = (size_t)coords[2 * i] * sp->W + (size_t)coords[2 * i + 1];
    CU_ASSERT_EQUAL(owner[cell], -1); /* each cell holds one pillar */
    owner[cell] = (int32_t)i;
  }
  const int8_t* canvas = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_INPUT);
  size_t bad = 0;
  for (size_t cell = 0; cell < (size_t)sp->H * sp->W; ++cell) {
    for (uint32_t c = 0; c < sp->C; ++c) {
      int8_t want = owner[cell] < 0 ? 0 : requant_dpu(pattern((uint32_t)owner[cell], c), sp->shift);
      if (canvas[cell * sp->C + c] != want) ++bad;
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
  free(owner);
}

static void plant_features(pprt_runtime_t* rt) {
  int8_t* out0 = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_OUTPUT);
  size_t C = rt->sp.feat_stride;
  for (uint32_t i = 0; i < rt->vp.max_pillars; ++i)
    for (size_t c = 0; c < C; ++c) out0[i * C + c] = pattern(i, (uint32_t)c);
}

static void test_frame_dummy(void) {
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY);
  struct pprt_sweep sweep;
  pprt_cloud_t* cloud = load_sweep(&sweep);

  /* Plant: DPU0 features, and one strong car logit at one anchor with zero box deltas. */
  plant_features(rt);
  const struct pprt_post_params* pp = &rt->pp;
  const uint32_t A = pp->num_sizes * pp->num_rot, K = pp->num_classes;
  const uint32_t y = pp->H / 2, x = pp->W / 4, s = 0, r = 1;
  const uint32_t a = ((y * pp->W + x) * pp->num_sizes + s) * pp->num_rot + r;
  int8_t* cls = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_CLS);
  int8_t* reg = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_REG);
  int8_t* dir = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_DIR);
  memset(cls, -128, (size_t)pp->H * pp->W * A * K);
  memset(reg, 0, (size_t)pp->H * pp->W * A * pp->code_size);
  memset(dir, 0, (size_t)pp->H * pp->W * A * 2);
  cls[(size_t)a * K + 0] = 100;
  dir[(size_t)a * 2 + 0] = -20;
  dir[(size_t)a * 2 + 1] = 20; /* direction bin 1 */

  struct pprt_box boxes[8];
  memset(boxes, 0x5a, sizeof boxes);
  uint32_t nb = 99;
  enum pprt_status st = pprt_runtime_run(rt, &sweep, 1, boxes, 8, &nb);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  struct pprt_frame_stats stats;
  CU_ASSERT_EQUAL(pprt_runtime_stats(rt, &stats), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(stats.points_in, 34688u);
  CU_ASSERT(stats.pillars > 1000 && stats.pillars <= rt->vp.max_pillars);
  CU_ASSERT_EQUAL(stats.candidates, 1u);
  CU_ASSERT(stats.stage_ms[PPRT_STAGE_DPU0] >= 1.0); /* the dummy sleeps 2 ms per job */
  CU_ASSERT(stats.stage_ms[PPRT_STAGE_DPU1] >= 1.0);
  CU_ASSERT(stats.stage_ms[PPRT_STAGE_TOTAL] >= stats.stage_ms[PPRT_STAGE_DPU0] + stats.stage_ms[PPRT_STAGE_DPU1]);
  check_canvas(rt);

  /* The planted anchor decodes to the anchor itself (zero deltas). */
  CU_ASSERT_EQUAL_FATAL(nb, 1u);
  const struct pprt_model_config* c = &rt->cfg;
  double x0 = c->anchor.ranges[s][0], x1 = c->anchor.ranges[s][3];
  double y0 = c->anchor.ranges[s][1], y1 = c->anchor.ranges[s][4];
  double xa = x0 + (x1 - x0) / pp->W * (x + 0.5), ya = y0 + (y1 - y0) / pp->H * (y + 0.5);
  CU_ASSERT_EQUAL(boxes[0].label, 0);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].x, xa, 1e-4);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].y, ya, 1e-4);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].z, c->anchor.ranges[s][2], 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].w, c->anchor.sizes[s][0], 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].l, c->anchor.sizes[s][1], 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].h, c->anchor.sizes[s][2], 1e-5);
  double ra = c->anchor.rotations[r];
  double v = ra - 0.7854;
  double yaw = v - floor(v / M_PI) * M_PI + 0.7854 + M_PI * 1;
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].yaw, yaw, 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].vx, 0.0, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(boxes[0].score, 1.0 / (1.0 + exp(-ldexp(100.0, -pp->fp_cls))), 1e-6);

  /* A second frame (key + a shifted earlier sweep): only the new pillars are on the canvas. */
  struct pprt_sweep two[2] = {sweep, sweep};
  two[1].translation[0] = 0.6f;
  two[1].translation[1] = -0.3f;
  two[1].timestamp_us = sweep.timestamp_us - 50000;
  st = pprt_runtime_run(rt, two, 2, boxes, 8, &nb);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  pprt_runtime_stats(rt, &stats);
  CU_ASSERT_EQUAL(stats.points_in, 2u * 34688u);
  CU_ASSERT(stats.pillars > 1000);
  check_canvas(rt);

  /* An empty key sweep is valid: zero boxes, and the canvas is clean again. */
  struct pprt_sweep empty;
  pprt_sweep_init(&empty, NULL, 0, 5, 0);
  nb = 77;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &empty, 1, boxes, 8, &nb), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(nb, 0u);
  pprt_runtime_stats(rt, &stats);
  CU_ASSERT_EQUAL(stats.pillars, 0u);
  check_canvas(rt);

  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
}

/* The DPU0 input the pipeline hands to the runner is the one the stage gives alone (host buffers). */
static void test_voxelize_same_bytes(void) {
  pprt_runtime_t* a = make_runtime(PPRT_RUNNER_DUMMY);
  pprt_runtime_t* b = make_runtime(PPRT_RUNNER_NONE);
  struct pprt_sweep sweep;
  pprt_cloud_t* cloud = load_sweep(&sweep);
  struct pprt_box boxes[4];
  uint32_t nb = 0;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_run(a, &sweep, 1, boxes, 4, &nb), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_stage_voxelize(b, &sweep, 1, pprt_runtime_tensor_buf(b, PPRT_TENSOR_DPU0_INPUT), NULL), PPRT_STATUS_OK);
  uint32_t na = 0, nbp = 0;
  const int32_t* ca = pprt_stage_pillars(a, &na);
  const int32_t* cb = pprt_stage_pillars(b, &nbp);
  CU_ASSERT_EQUAL_FATAL(na, nbp);
  CU_ASSERT_EQUAL(memcmp(ca, cb, (size_t)na * 2 * sizeof(int32_t)), 0);
  size_t row = (size_t)a->vp.max_slots * a->vp.num_features;
  CU_ASSERT_EQUAL(memcmp(pprt_runtime_tensor_buf(a, PPRT_TENSOR_DPU0_INPUT), pprt_runtime_tensor_buf(b, PPRT_TENSOR_DPU0_INPUT), (size_t)na * row), 0);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(a);
  pprt_runtime_destroy(b);
}

static void test_bad_frames(void) {
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_DUMMY);
  struct pprt_sweep sweep;
  pprt_cloud_t* cloud = load_sweep(&sweep);
  struct pprt_box boxes[4];
  uint32_t nb = 0;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &sweep, 0, boxes, 4, &nb), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT(strlen(pprt_runtime_last_error(rt)) > 0);
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, NULL, 1, boxes, 4, &nb), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &sweep, 1, boxes, 4, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  struct pprt_sweep many[11];
  for (int i = 0; i < 11; ++i) many[i] = sweep;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, many, 11, boxes, 4, &nb), PPRT_STATUS_CAPACITY);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_runtime_last_error(rt), "11 sweeps"));
  struct pprt_sweep bad[2] = {sweep, sweep};
  bad[1].rotation[4] = NAN;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, bad, 2, boxes, 4, &nb), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "rotation"));
  struct pprt_sweep stride = sweep;
  stride.point_stride = 3;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &stride, 1, boxes, 4, &nb), PPRT_STATUS_INVALID_ARGUMENT);
  struct pprt_sweep nopts = sweep;
  nopts.points = NULL;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &nopts, 1, boxes, 4, &nb), PPRT_STATUS_INVALID_ARGUMENT);
  /* After errors the runtime still works. */
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &sweep, 1, boxes, 4, &nb), PPRT_STATUS_OK);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);

  /* A runtime sized for fewer points refuses a bigger frame. */
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = model_dir();
  o.runner = PPRT_RUNNER_DUMMY;
  o.max_points = 1000;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_OK);
  cloud = load_sweep(&sweep);
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &sweep, 1, boxes, 4, &nb), PPRT_STATUS_CAPACITY);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_runtime_last_error(rt), "34688 points"));
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
}

/* Timestamps whose difference does not fit in int64: the time lag is still computed (huge, so the dt feature
 * saturates at +127), without signed overflow (which wrapped to a lag of -1 us). */
static void test_extreme_timestamps(void) {
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_NONE);
  CU_ASSERT_EQUAL_FATAL(rt->vp.num_features, 5u);
  struct pprt_sweep sweep;
  pprt_cloud_t* cloud = load_sweep(&sweep);
  struct pprt_sweep sw[2];
  pprt_sweep_init(&sw[0], NULL, 0, 5, INT64_MAX); /* empty key sweep: every pillar comes from sweep 1 */
  sw[1] = sweep;
  sw[1].timestamp_us = INT64_MIN;
  CU_ASSERT_EQUAL_FATAL(pprt_stage_voxelize(rt, sw, 2, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), NULL), PPRT_STATUS_OK);
  uint32_t n = 0;
  pprt_stage_pillars(rt, &n);
  CU_ASSERT_FATAL(n > 0);
  const int8_t* in0 = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT);
  const size_t slots = rt->vp.max_slots;
  size_t bad = 0, filled = 0;
  for (uint32_t p = 0; p < n; ++p) {
    const int8_t* first = in0 + (size_t)p * slots * 5; /* slot 0 of every live pillar holds a point */
    ++filled;
    if (first[4] != 127) ++bad;
  }
  CU_ASSERT_EQUAL(filled, n);
  CU_ASSERT_EQUAL(bad, 0);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
}

static void test_create_errors(void) {
  struct pprt_options o;
  pprt_options_init(&o);
  pprt_runtime_t* rt = (pprt_runtime_t*)&o; /* must be reset to NULL on failure */
  CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(rt);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "no model folder"));
  o.model_dir = "/nonexistent/models";
  CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "/nonexistent/models"));
  o.model_dir = model_dir();
  o.runner = PPRT_RUNNER_CPU;
  o.runner_lib = "libpprt-no-such-runner.so";
  CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NULL(rt);
  o.runner = PPRT_RUNNER_DPU;
  o.runner_lib = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_UNAVAILABLE); /* no DPU on this host: a status, not VART's abort */
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "DPU"));
  o.runner = PPRT_RUNNER_DUMMY;
  o.score_thresh = 1.5f;
  CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_runtime_create(NULL, &rt), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_runtime_destroy(NULL);
}

static void test_names(void) {
  enum pprt_runner r;
  CU_ASSERT_EQUAL(pprt_runner_from_string("cpu", &r), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(r, PPRT_RUNNER_CPU);
  CU_ASSERT_EQUAL(pprt_runner_from_string("gpu", &r), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_STRING_EQUAL(pprt_stage_name(PPRT_STAGE_SCATTER), "scatter");
  CU_ASSERT_STRING_EQUAL(pprt_status_str(PPRT_STATUS_PARSE_ERROR), "parse error");
  pprt_runtime_t* rt = make_runtime(PPRT_RUNNER_NONE);
  CU_ASSERT_EQUAL(pprt_runtime_num_classes(rt), 10u);
  CU_ASSERT_STRING_EQUAL(pprt_runtime_class_name(rt, 7), "pedestrian");
  CU_ASSERT_STRING_EQUAL(pprt_runtime_class_name(rt, 10), "unknown");
  CU_ASSERT_EQUAL(pprt_runtime_max_boxes(rt), 500u);
  pprt_runtime_destroy(rt);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"frame through the dummy runner", test_frame_dummy},
      {"pipeline voxelize == stage voxelize", test_voxelize_same_bytes},
      {"bad frames", test_bad_frames},
      {"timestamps whose difference overflows int64", test_extreme_timestamps},
      {"create errors", test_create_errors},
      {"names", test_names},
      {NULL, NULL}};
  return pprt_test_main("pipeline", cases);
}
