/* The pprt command as a user runs it: the main job, bad input (one clear message, a non-zero exit, no crash), and the
 * stage commands giving the same bytes as the in-process pipeline. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/nusc.h"
#include "core/runtime_internal.h"
#include "testutil.h"

#define OUT_CAP (1 << 20)
static char g_out[OUT_CAP];

static const char* sweep_path(void) { return pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"); }

/* Run the pprt binary with a NULL-terminated argument list; output in g_out. */
static int run_argv(const char* const* args) {
  char* argv[32] = {(char*)PPRT_EXE};
  int n = 1;
  for (int i = 0; args[i] != NULL && n < 31; ++i) argv[n++] = (char*)args[i];
  argv[n] = NULL;
  return pprt_test_run(argv, g_out, OUT_CAP);
}
#define RUN(...) run_argv((const char* const[]){__VA_ARGS__, NULL})

static int count_lines(const char* s) {
  int n = 0;
  for (; *s; ++s) n += *s == '\n';
  return n;
}

/* Copy the small model pair to work/<name> and return that folder. */
static const char* copy_model(const char* name) {
  const char* dst = pprt_test_work(name);
  char* rm[] = {"rm", "-rf", (char*)dst, NULL};
  pprt_test_run(rm, NULL, 0);
  char* cp[] = {"cp", "-r", (char*)pprt_test_work("small"), (char*)dst, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(cp, NULL, 0), 0);
  return dst;
}

static char* file_in(const char* dir, int idx, const char* ext) {
  static char path[2][4096];
  snprintf(path[idx], sizeof path[idx], "%s/pointpillars_nuscenes_small_%d_pt/pointpillars_nuscenes_small_%d_pt.%s",
           dir, idx, idx, ext);
  return path[idx];
}

static void test_run_ok(void) {
  int rc = RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dummy");
  if (rc != 0) fprintf(stderr, "%s\n", g_out);
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "34688 points in 1 sweep"));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "timings (ms): voxelize"));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "dpu1"));
  rc = RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dummy", "--json");
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_EQUAL(g_out[0], '{');
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"boxes\": ["));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"timings_ms\": {\"voxelize\": "));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"points\": 34688"));
  rc = RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dummy", "--repeat", "3");
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "timings over 3 runs"));
  CU_ASSERT_EQUAL(RUN("help"), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "pprt voxelize --model DIR"));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "pprt check"));
  /* pprt help <command> and pprt <command> --help: that command's text alone, exit 0, for every command */
  static const char* const cmds[] = {"eval", "view", "bench"};
  for (int i = 0; i < 3; ++i) {
    char want[32];
    snprintf(want, sizeof want, "pprt %s ", cmds[i]);
    CU_ASSERT_EQUAL(RUN("help", cmds[i]), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_out, want));
    CU_ASSERT_PTR_NULL(strstr(g_out, "pprt voxelize --model DIR"));
    CU_ASSERT_EQUAL(RUN(cmds[i], "--help"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_out, want));
  }
  CU_ASSERT_EQUAL(RUN("help", "nosuchcommand"), 2);
}

/* pprt check execs pprt-check next to pprt (natively only: qemu-user cannot exec a foreign binary by itself). */
static void test_check(void) {
  if (PPRT_TEST_EMULATOR[0] != '\0') return;
  char xm[4096];
  snprintf(xm, sizeof xm, "%s/pointpillars_nuscenes_small_0_pt/pointpillars_nuscenes_small_0_pt.xmodel",
           pprt_test_work("small"));
  const char* dump = pprt_test_work("cli_check_dump");
  int rc = RUN("check", "--dump", dump, xm);
  if (rc != 0) fprintf(stderr, "%s\n", g_out);
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_EQUAL(RUN("check", "--compare", dump, xm), 0);
  CU_ASSERT_EQUAL(RUN("check", "/nonexistent.xmodel"), 2);
}

/* One line on the output, exit 1, and the line contains what. */
static void expect_error(int rc, const char* what) {
  CU_ASSERT_EQUAL(rc, 1);
  CU_ASSERT_EQUAL(count_lines(g_out), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, what));
  if (rc != 1 || count_lines(g_out) != 1 || strstr(g_out, what) == NULL)
    fprintf(stderr, "expected one error line with '%s', got rc %d:\n%s\n", what, rc, g_out);
}

static void test_malformed_prototxt(void) {
  const char* m = copy_model("cli_bad_prototxt");
  const char* text = "model {\n  name: \"x\"\n  kernel { mean: 1.0 mean: \"oops\" }\n}\n";
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(file_in(m, 0, "prototxt"), text, strlen(text)), 0);
  expect_error(RUN("run", "--model", m, sweep_path(), "--runner", "dummy"), "prototxt:3:");
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "parse error"));
}

static void test_missing_xmodel(void) {
  const char* m = copy_model("cli_missing_xmodel");
  CU_ASSERT_EQUAL_FATAL(remove(file_in(m, 1, "xmodel")), 0);
  expect_error(RUN("run", "--model", m, sweep_path(), "--runner", "dummy"), "missing xmodel file");
  expect_error(RUN("run", "--model", "/nonexistent/models", sweep_path(), "--runner", "dummy"), "does not exist");
}

/* Replace the number after key in the prototxt of subgraph idx. */
static void edit_prototxt(const char* m, int idx, const char* key, const char* value) {
  size_t len = 0;
  char* s = pprt_test_read_file(file_in(m, idx, "prototxt"), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  char* at = strstr(s, key);
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  char* colon = strchr(at, ':');
  char* end = colon + 1;
  while (*end == ' ') ++end;
  while (*end && *end != '\n' && *end != ' ') ++end;
  char* out = malloc(len + strlen(value) + 4);
  size_t head = (size_t)(colon - s) + 1;
  memcpy(out, s, head);
  size_t n = head + (size_t)sprintf(out + head, " %s", value);
  strcpy(out + n, end);
  CU_ASSERT_EQUAL(pprt_test_write_file(file_in(m, idx, "prototxt"), out, strlen(out)), 0);
  free(out);
  free(s);
}

static void test_shape_mismatch(void) {
  const char* m = copy_model("cli_shape");
  edit_prototxt(m, 0, "max_voxels_num", "12345");
  expect_error(RUN("run", "--model", m, sweep_path(), "--runner", "dummy"), "DPU0 input");
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "12345"));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "model mismatch"));
  m = copy_model("cli_shape2");
  edit_prototxt(m, 0, "featmap_size", "100");
  expect_error(RUN("run", "--model", m, sweep_path(), "--runner", "dummy"), "DPU1 output");
}

static void test_bad_sweeps(void) {
  size_t len = 0;
  char* data = pprt_test_read_file(sweep_path(), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(data);
  const char* trunc = pprt_test_work("truncated.pcd.bin");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(trunc, data, 20 * 100 + 7), 0);
  expect_error(RUN("run", "--model", pprt_test_work("small"), trunc, "--runner", "dummy"), "2007");
  /* NaN everywhere: loads, every point is dropped and counted, no boxes. */
  float* f = (float*)data;
  for (size_t i = 0; i < 500 * 5; ++i) f[i] = NAN;
  const char* nan = pprt_test_work("nan.pcd.bin");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(nan, data, 500 * 20), 0);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), nan, "--runner", "dummy", "--json"), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"points_nonfinite\": 500"));
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"pillars\": 0"));
  free(data);
  expect_error(RUN("run", "--model", pprt_test_work("small"), "/nonexistent/sweep.pcd.bin", "--runner", "dummy"),
               "/nonexistent/sweep.pcd.bin");
}

static void test_usage_and_runners(void) {
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--bogus"), 2);
  CU_ASSERT_EQUAL(RUN("frobnicate"), 2);
  CU_ASSERT_EQUAL(RUN("run", sweep_path()), 2);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "gpu"), 2);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--score-thresh", "2"), 2);
  expect_error(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "cpu", "--runner-lib",
                   "libpprt-no-such-runner.so"),
               "unavailable");
  expect_error(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dpu"), "no DPU");
}

/* pprt voxelize / scatter / post give the bytes of the in-process stages. */
static void test_stage_commands(void) {
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = pprt_test_work("small");
  pprt_runtime_t* rt = NULL;
  o.runner = PPRT_RUNNER_NONE;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_OK);
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep sweep;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &cloud), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(cloud, sweep_path(), PPRT_FORMAT_AUTO, 0, &sweep), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_stage_voxelize(rt, &sweep, 1, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), NULL), PPRT_STATUS_OK);
  uint32_t n = 0;
  const int32_t* coords = pprt_stage_pillars(rt, &n);

  const char* vox = pprt_test_work("cli_vox");
  int rc = RUN("voxelize", "--model", pprt_test_work("small"), sweep_path(), "-o", vox);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  char expect[128];
  snprintf(expect, sizeof expect, "pillars %u points 34688", n);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, expect));
  char path[4096];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/coords.bin", vox);
  void* file = pprt_test_read_file(path, &len);
  CU_ASSERT_EQUAL(len, (size_t)n * 8);
  CU_ASSERT(file != NULL && memcmp(file, coords, len) == 0);
  free(file);
  snprintf(path, sizeof path, "%s/dpu0_input.bin", vox);
  file = pprt_test_read_file(path, &len);
  CU_ASSERT_EQUAL(len, (size_t)pprt_runtime_tensor_desc(rt, PPRT_TENSOR_DPU0_INPUT)->elements);
  CU_ASSERT(file != NULL && memcmp(file, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), len) == 0);
  free(file);

  /* scatter: planted features of the live pillars */
  size_t C = rt->sp.feat_stride;
  int8_t* feat = malloc((size_t)n * C);
  for (size_t i = 0; i < (size_t)n * C; ++i) feat[i] = (int8_t)((i * 37u) % 256u);
  const char* fpath = pprt_test_work("cli_features.bin");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(fpath, feat, (size_t)n * C), 0);
  snprintf(path, sizeof path, "%s/coords.bin", vox);
  const char* sc = pprt_test_work("cli_scatter");
  rc = RUN("scatter", "--model", pprt_test_work("small"), "--features", fpath, "--coords", path, "-o", sc);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(pprt_stage_scatter(rt, feat, coords, n, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_INPUT)), PPRT_STATUS_OK);
  snprintf(path, sizeof path, "%s/dpu1_input.bin", sc);
  file = pprt_test_read_file(path, &len);
  CU_ASSERT_EQUAL(len, (size_t)pprt_runtime_tensor_desc(rt, PPRT_TENSOR_DPU1_INPUT)->elements);
  CU_ASSERT(file != NULL && memcmp(file, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_INPUT), len) == 0);
  free(file);
  free(feat);

  /* post: random-ish logits around the threshold */
  const char* names[3] = {"cli_cls.bin", "cli_reg.bin", "cli_dir.bin"};
  int8_t* bufs[3];
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed());
  for (uint32_t t = 0; t < 3; ++t) {
    size_t e = (size_t)pprt_runtime_tensor_desc(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + t))->elements;
    bufs[t] = malloc(e);
    for (size_t i = 0; i < e; ++i)
      bufs[t][i] = t == 0 ? (int8_t)(pprt_rng_u32(&rng, 1000) == 0 ? 60 + (int)pprt_rng_u32(&rng, 60) : -100)
                          : (int8_t)((int)pprt_rng_u32(&rng, 64) - 32);
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(pprt_test_work(names[t]), bufs[t], e), 0);
  }
  rc = RUN("post", "--model", pprt_test_work("small"), "--cls", pprt_test_work(names[0]), "--reg",
           pprt_test_work(names[1]), "--dir", pprt_test_work(names[2]), "--json");
  CU_ASSERT_EQUAL(rc, 0);
  struct pprt_box boxes[500];
  uint32_t nb = 0;
  CU_ASSERT_EQUAL(pprt_stage_post(rt, bufs[0], bufs[1], bufs[2], NULL, 0, boxes, 500, &nb), PPRT_STATUS_OK);
  CU_ASSERT(nb > 0);
  for (uint32_t i = 0; i < nb; ++i) {
    char want[256];
    /* %.9g: every float prints so that it reads back as the same float */
    snprintf(want, sizeof want, "\"label_id\": %d, \"score\": %.9g, \"box\": [%.9g, %.9g, %.9g", boxes[i].label,
             (double)boxes[i].score, (double)boxes[i].x, (double)boxes[i].y, (double)boxes[i].z);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_out, want));
  }
  for (int t = 0; t < 3; ++t) free(bufs[t]);
  /* a wrong-size tensor file is refused */
  expect_error(RUN("post", "--model", pprt_test_work("small"), "--cls", pprt_test_work(names[1]), "--reg",
                   pprt_test_work(names[1]), "--dir", pprt_test_work(names[2])),
               "cls output");
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
}

/* --format vai / json / nuscenes / contest, read back with the library's readers. */
static void test_formats(void) {
  const char* vai = pprt_test_work("cli_boxes.txt");
  const char* js = pprt_test_work("cli_boxes.json");
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dummy", "--format", "vai",
                      "--out", vai), 0);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--runner", "dummy", "--json", "--out",
                      js), 0);
  static struct pprt_box a[600], b[600];
  uint32_t na = 0, nb = 0;
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_load(vai, a, 600, &na), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_load(js, b, 600, &nb), PPRT_STATUS_OK);
  CU_ASSERT(na > 0);
  CU_ASSERT_EQUAL(na, nb);
  for (uint32_t i = 0; i < na && i < nb; ++i) {
    CU_ASSERT_EQUAL(a[i].label, b[i].label);
    CU_ASSERT_DOUBLE_EQUAL(a[i].x, b[i].x, 1e-4);
    CU_ASSERT_DOUBLE_EQUAL(a[i].score, b[i].score, 1e-5);
  }
  /* a nuScenes sample: global-frame results JSON and the contest file */
  char mini[4096];
  snprintf(mini, sizeof mini, "%s", pprt_test_data("nuscenes-mini"));
  const char* token = "ca9a282c9e77460f8360f564131a8af5";
  const char* res = pprt_test_work("cli_results.json");
  int rc = RUN("run", "--model", pprt_test_work("small"), "--dataset", mini, "--sample", token, "--runner", "dummy",
               "--format", "nuscenes", "--out", res);
  if (rc != 0) fprintf(stderr, "%s\n", g_out);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  pprt_detset_t* set = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_load(res, &set), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_detset_num_samples(set), 1u);
  CU_ASSERT_STRING_EQUAL(pprt_detset_token(set, 0), token);
  uint32_t n = 0;
  const struct pprt_det_box* d = pprt_detset_boxes(set, 0, &n);
  CU_ASSERT(n > 0 && n <= 500);
  CU_ASSERT(n > 0 && d[0].cls >= 0 && d[0].score > 0.0f);
  pprt_detset_destroy(set);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), "--dataset", mini, "--sample", token, "--runner",
                      "dummy", "--format", "contest"), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"vehicle\": [["));
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--format", "nuscenes"), 2);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--format", "xml"), 2);
  CU_ASSERT_EQUAL(RUN("run", "--model", pprt_test_work("small"), sweep_path(), "--out", vai), 2);
  expect_error(RUN("run", "--model", pprt_test_work("small"), "--dataset", mini, "--sample", "nosuchtoken", "--runner",
                   "dummy"),
               "nosuchtoken");
}

static uint32_t be32(const unsigned char* p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* pprt view: a PNG of the asked size (one frame, and a strip of two), with the ground truth drawn. */
static void test_view(void) {
  const char* png = pprt_test_work("cli_view.png");
  char gt[4096];
  snprintf(gt, sizeof gt, "%s", pprt_test_data("nuscenes_lidar_top_1532402927647951.gt.json"));
  int rc = RUN("view", sweep_path(), "--gt", gt, "--size", "400", "-o", png);
  if (rc != 0) fprintf(stderr, "%s\n", g_out);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  size_t len = 0;
  unsigned char* data = pprt_test_read_file(png, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(data);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CU_ASSERT(len > 33 && memcmp(data, sig, 8) == 0 && memcmp(data + 12, "IHDR", 4) == 0);
  uint32_t w1 = len > 24 ? be32(data + 16) : 0, h1 = len > 24 ? be32(data + 20) : 0;
  CU_ASSERT_EQUAL(w1, 400u);
  CU_ASSERT(h1 >= 400u);
  free(data);
  rc = RUN("view", sweep_path(), sweep_path(), "--size", "300", "-o", png);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  data = pprt_test_read_file(png, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(data);
  CU_ASSERT(len > 24 && be32(data + 16) >= 600u); /* two frames side by side */
  free(data);
  CU_ASSERT_EQUAL(RUN("view", sweep_path()), 2); /* no -o */
  expect_error(RUN("view", "/nonexistent.pcd.bin", "-o", png), "/nonexistent.pcd.bin");
}

int main(void) {
  static const struct pprt_test_case cases[] = {{"pprt run", test_run_ok},
                                                {"malformed prototxt", test_malformed_prototxt},
                                                {"missing xmodel", test_missing_xmodel},
                                                {"shape mismatch", test_shape_mismatch},
                                                {"bad sweeps", test_bad_sweeps},
                                                {"usage and runners", test_usage_and_runners},
                                                {"stage commands", test_stage_commands},
                                                {"pprt check", test_check},
                                                {"output formats", test_formats},
                                                {"pprt view", test_view},
                                                {NULL, NULL}};
  return pprt_test_main("cli", cases);
}
