/* Bad input and misuse that once crashed, hung or read out of bounds (issue 15): each case is the reproducer, and it
 * must now end with a clean status and a message naming the problem. Every case runs under an alarm so that a hang
 * (a FIFO opened for reading blocks until a writer comes) fails the suite instead of stalling it. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "model/model_config.h"
#include "pprt/nusc.h"
#include "core/runtime_internal.h"
#include "testutil.h"

static void guard(unsigned seconds) { pprt_test_guard("test_robust", "a call", seconds); }

static int contains(const char* s, const char* needle) {
  if (strstr(s, needle) != NULL) return 1;
  fprintf(stderr, "  message '%s' lacks '%s'\n", s, needle);
  return 0;
}

static const char* make_fifo(const char* name) {
  const char* p = pprt_test_work(name);
  unlink(p);
  CU_ASSERT_EQUAL_FATAL(mkfifo(p, 0600), 0);
  return p;
}

static void write_text(const char* path, const char* text) {
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, text, strlen(text)), 0);
}

/* ---- 4. FIFOs as point files, .info files, .info data paths, nuScenes tables, box / result / prototxt files */

static void test_fifo_inputs(void) {
  guard(60);
  const char* fifo = make_fifo("robust_fifo.pcd.bin");
  pprt_cloud_t* c = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(1000, &c), PPRT_STATUS_OK);
  struct pprt_sweep sw;
  CU_ASSERT_EQUAL(pprt_cloud_load(c, fifo, PPRT_FORMAT_AUTO, 0, &sw), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(contains(pprt_last_error(), "not a regular file"));

  /* the .info file itself */
  struct pprt_sweep sweeps[2];
  uint32_t ns = 7;
  CU_ASSERT_EQUAL(pprt_info_load(fifo, &c, 1, sweeps, &ns), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(contains(pprt_last_error(), "not a regular file"));
  CU_ASSERT_EQUAL(ns, 0);

  /* a .info whose key sweep is the FIFO */
  char info[8192];
  snprintf(info, sizeof info, "lidar_path:%s\ntimestamp:1\nsweeps:0\n", fifo);
  const char* ip = pprt_test_work("robust_fifo.info");
  write_text(ip, info);
  CU_ASSERT_EQUAL(pprt_info_load(ip, &c, 1, sweeps, &ns), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(contains(pprt_last_error(), "not a regular file"));

  /* lidar-frame box files and detection results */
  struct pprt_box b[4];
  uint32_t nb = 9;
  CU_ASSERT_EQUAL(pprt_boxes_load(fifo, b, 4, &nb), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_EQUAL(nb, 0);
  pprt_detset_t* set = NULL;
  CU_ASSERT_EQUAL(pprt_detset_load(fifo, &set), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NULL(set);

  /* a prototxt */
  struct pprt_model_config cfg;
  struct pprt_err err;
  CU_ASSERT_EQUAL(pprt_prototxt_load(fifo, &cfg, &err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(contains(err.msg, "not a regular file"));

  /* a nuScenes table: sample.json is a FIFO */
  char dir[1024], cmd[8192];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("robust_nusc_fifo"));
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -r '%s/v1.0-mini' '%s/' && rm '%s/v1.0-mini/sample.json'",
           dir, dir, pprt_test_data("nuscenes-mini"), dir, dir);
  CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  char table[1100];
  snprintf(table, sizeof table, "%s/v1.0-mini/sample.json", dir);
  CU_ASSERT_EQUAL_FATAL(mkfifo(table, 0600), 0);
  pprt_nusc_t* ds = NULL;
  CU_ASSERT_EQUAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NULL(ds);
  CU_ASSERT(contains(pprt_last_error(), "sample.json: not a regular file"));
  pprt_cloud_destroy(c);
  alarm(0);
}

/* ---- 2. a NaN detection score: refused when read (as the devkit does) and by the evaluation itself */

static void test_nan_score(void) {
  guard(60);
  /* scores are doubles, as the devkit reads them: 1e300 is a valid (if odd) score there and here */
  static const char* const scores[] = {"NaN", "Infinity", "-Infinity"};
  const char* p = pprt_test_work("robust_nan_score.json");
  for (int i = 0; i < 3; ++i) {
    char text[1024];
    snprintf(text, sizeof text,
             "{\"meta\": {}, \"results\": {\"s0\": [{\"sample_token\": \"s0\", \"translation\": [1, 2, 0.5], "
             "\"size\": [2, 4, 1.5], \"rotation\": [1, 0, 0, 0], \"velocity\": [0, 0], \"ego_translation\": [1, 2, "
             "0.5], \"detection_name\": \"car\", \"detection_score\": %s, \"attribute_name\": \"\"}]}}",
             scores[i]);
    write_text(p, text);
    pprt_detset_t* set = (pprt_detset_t*)0x1;
    CU_ASSERT_EQUAL(pprt_detset_load(p, &set), PPRT_STATUS_PARSE_ERROR);
    CU_ASSERT_PTR_NULL(set);
    CU_ASSERT(contains(pprt_last_error(), "detection_score"));
  }
  /* through the API: a prediction set holding a NaN score is BAD_INPUT, nothing is read out of bounds */
  pprt_detset_t *gt = NULL, *pred = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&gt), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&pred), PPRT_STATUS_OK);
  struct pprt_det_box b;
  memset(&b, 0, sizeof b);
  b.translation[0] = 10;
  b.size[0] = 2;
  b.size[1] = 4;
  b.size[2] = 1.5;
  b.rotation[0] = 1;
  b.velocity[0] = b.velocity[1] = 0;
  b.ego_dist = 10;
  b.num_pts = 5;
  b.cls = 0;
  b.score = -1.0f;
  CU_ASSERT_EQUAL(pprt_detset_add(gt, "s0", &b, 1), PPRT_STATUS_OK);
  b.score = NAN;
  CU_ASSERT_EQUAL(pprt_detset_add(pred, "s0", &b, 1), PPRT_STATUS_OK);
  b.score = 0.5f;
  b.translation[0] = 11;
  CU_ASSERT_EQUAL(pprt_detset_add(pred, "s0", &b, 1), PPRT_STATUS_OK);
  struct pprt_eval_result r;
  CU_ASSERT_EQUAL(pprt_eval_detection(gt, pred, 1, &r), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT(contains(pprt_last_error(), "not finite"));
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pred);
  alarm(0);
}

/* ---- 5. a label_id beyond int32 in a box file; text after the JSON value past the first 64 KiB */

static void test_box_json(void) {
  guard(60);
  const char* p = pprt_test_work("robust_boxes.json");
  struct pprt_box b[4];
  uint32_t n = 0;
  write_text(p, "{\"boxes\": [{\"label_id\": 1e20, \"score\": 0.5, \"box\": [0, 0, 0, 1, 1, 1, 0, 0, 0]}]}");
  CU_ASSERT_EQUAL(pprt_boxes_load(p, b, 4, &n), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(contains(pprt_last_error(), "label_id"));
  write_text(p, "{\"boxes\": [{\"label_id\": -1, \"score\": 0.5, \"box\": [0, 0, 0, 1, 1, 1, 0, 0, 0]}]}");
  CU_ASSERT_EQUAL(pprt_boxes_load(p, b, 4, &n), PPRT_STATUS_PARSE_ERROR);
  write_text(p, "{\"boxes\": [{\"label_id\": 3, \"score\": 0.5, \"box\": [0, 0, 0, 1, 1, 1, 0, 0, 0]}]}");
  CU_ASSERT_EQUAL(pprt_boxes_load(p, b, 4, &n), PPRT_STATUS_OK);
  CU_ASSERT(n == 1 && b[0].label == 3);

  /* a valid value, 100 KiB of white space, then junk: the junk sits in a later read chunk */
  const char* head = "{\"boxes\": []}";
  size_t pad = 100 * 1024, len = strlen(head) + pad + 4;
  char* text = malloc(len + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  memcpy(text, head, strlen(head));
  memset(text + strlen(head), ' ', pad);
  memcpy(text + strlen(head) + pad, "junk", 5);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(p, text, len), 0);
  CU_ASSERT_EQUAL(pprt_boxes_load(p, b, 4, &n), PPRT_STATUS_PARSE_ERROR);
  char want[64];
  snprintf(want, sizeof want, "text after the JSON value at byte %zu", strlen(head) + pad);
  CU_ASSERT(contains(pprt_last_error(), want));
  /* the same white space without the junk is fine */
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(p, text, len - 4), 0);
  CU_ASSERT_EQUAL(pprt_boxes_load(p, b, 4, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 0);
  free(text);
  alarm(0);
}

/* ---- 5. max_num has an upper bound and says so */

static void test_max_num_bound(void) {
  guard(60);
  size_t len = 0;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  char* at = strstr(text, "max_num: 500");
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  static const char* const values[] = {"max_num: 100000", "max_num: 100001", "max_num: 4000000000"};
  for (int i = 0; i < 3; ++i) {
    char* t = malloc(len + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    size_t pre = (size_t)(at - text);
    memcpy(t, text, pre);
    size_t m = (size_t)sprintf(t + pre, "%s", values[i]);
    memcpy(t + pre + m, at + strlen("max_num: 500"), len - pre - strlen("max_num: 500"));
    size_t tl = len - strlen("max_num: 500") + m;
    struct pprt_model_config cfg;
    struct pprt_err err;
    enum pprt_status st = pprt_prototxt_parse(t, tl, "mx.prototxt", &cfg, &err);
    if (st == PPRT_STATUS_OK) st = pprt_model_config_validate(&cfg, "mx.prototxt", &err);
    if (i == 0) {
      CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
    } else {
      CU_ASSERT_NOT_EQUAL(st, PPRT_STATUS_OK);
      CU_ASSERT(contains(err.msg, "max_num"));
      if (i == 1) CU_ASSERT(contains(err.msg, "1..100000")); /* 4e9 is already refused as a count by the parser */
    }
    free(t);
  }
  free(text);
  alarm(0);
}

/* ---- 5. a sample_data whose prev points to itself (or loops) */

static void test_prev_cycle(void) {
  guard(60);
  char dir[1024], cmd[16384];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("robust_nusc_cycle"));
  const char* src = pprt_test_data("nuscenes-mini");
  snprintf(cmd, sizeof cmd,
           "rm -rf '%s' && mkdir -p '%s' && cp -r '%s/v1.0-mini' '%s/' && ln -s '%s/samples' '%s/samples' && "
           "ln -s '%s/sweeps' '%s/sweeps' && "
           "sed -i 's/\"prev\": \"a801e8581bda2bf23cccd8681471f8cd\"/\"prev\": \"0e7fc991683127dbeee927ede9c351c9\"/' "
           "'%s/v1.0-mini/sample_data.json'",
           dir, dir, src, dir, src, dir, src, dir, dir);
  CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  pprt_nusc_t* ds = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_OK);
  pprt_cloud_t* clouds[10] = {0};
  for (int i = 0; i < 10; ++i) CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(60000, &clouds[i]), PPRT_STATUS_OK);
  struct pprt_sweep sw[10];
  uint32_t n = 99, idx = 0;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_find_sample(ds, "ca9a282c9e77460f8360f564131a8af5", &idx), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_nusc_load_sweeps(ds, idx, clouds, 10, sw, &n), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(contains(pprt_last_error(), "points to the record itself"));
  /* one cloud only: the key sweep alone never follows prev */
  CU_ASSERT_EQUAL(pprt_nusc_load_sweeps(ds, idx, clouds, 1, sw, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 1);
  for (int i = 0; i < 10; ++i) pprt_cloud_destroy(clouds[i]);
  pprt_nusc_close(ds);
  alarm(0);
}

/* ---- runtimes: simulate_dpu with a stream, two threads on one runtime, VART's DPU runner named on a host without one */

static pprt_runtime_t* dummy_runtime(void) {
  return pprt_test_runtime(pprt_test_work("small"), PPRT_RUNNER_DUMMY, 20000);
}

static pprt_cloud_t* key_sweep(struct pprt_sweep* s) {
  pprt_cloud_t* c = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &c), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(c, pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"),
                                        PPRT_FORMAT_AUTO, 0, s),
                        PPRT_STATUS_OK);
  if (s->num_points > 4000) s->num_points = 4000;
  return c;
}

static void test_simulate_with_stream(void) {
  guard(120);
  pprt_runtime_t* rt = dummy_runtime();
  struct pprt_sweep key;
  pprt_cloud_t* c = key_sweep(&key);
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(rt, 5.0, 5.0, 1), PPRT_STATUS_OK);
  pprt_stream_t* s = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_stream_create(rt, NULL, &s), PPRT_STATUS_OK);
  for (uint64_t k = 0; k < 3; ++k) CU_ASSERT_EQUAL(pprt_stream_submit(s, &key, 1, k), PPRT_STATUS_OK);
  /* frames in flight: changing (or freeing) the simulation under the workers is refused */
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_BUSY);
  CU_ASSERT(contains(pprt_last_error(), "stream"));
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 1.0, 1.0, 2), PPRT_STATUS_BUSY);
  struct pprt_box b[64];
  uint32_t nb;
  uint64_t tag;
  for (uint64_t k = 0; k < 3; ++k) {
    CU_ASSERT_EQUAL(pprt_stream_receive(s, b, 64, &nb, &tag, NULL), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(tag, k);
  }
  /* no frame in flight, but the stream (and its workers) still exist: still refused */
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_BUSY);
  pprt_stream_destroy(s);
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_OK);
  CU_ASSERT_PTR_NULL(rt->sim);
  pprt_cloud_destroy(c);
  pprt_runtime_destroy(rt);
  alarm(0);
}

struct run_arg {
  pprt_runtime_t* rt;
  const struct pprt_sweep* key;
  enum pprt_status st;
  uint32_t n;
};

static void* run_thread(void* p) {
  struct run_arg* a = p;
  struct pprt_box b[64];
  a->st = pprt_runtime_run(a->rt, a->key, 1, b, 64, &a->n);
  return NULL;
}

static void test_concurrent_run_busy(void) {
  guard(120);
  pprt_runtime_t* rt = dummy_runtime();
  struct pprt_sweep key;
  pprt_cloud_t* c = key_sweep(&key);
  struct pprt_box b[64];
  uint32_t n_ref = 0, n = 0;
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_run(rt, &key, 1, b, 64, &n_ref), PPRT_STATUS_OK);
  struct pprt_frame_stats ref;
  pprt_runtime_stats(rt, &ref);
  /* a long simulated DPU job keeps the first run inside the runtime while the second one arrives */
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(rt, 400.0, 0.0, 0), PPRT_STATUS_OK);
  struct run_arg a = {rt, &key, PPRT_STATUS_INTERNAL, 0};
  pthread_t th;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, run_thread, &a), 0);
  while (atomic_load(&rt->busy) == 0) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  n = 77;
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &key, 1, b, 64, &n), PPRT_STATUS_BUSY);
  CU_ASSERT_EQUAL(n, 0);
  CU_ASSERT(contains(pprt_last_error(), "in use by another thread"));
  CU_ASSERT_STRING_EQUAL(pprt_status_str(PPRT_STATUS_BUSY), "busy");
  CU_ASSERT_EQUAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_BUSY);
  pthread_join(th, NULL);
  CU_ASSERT_EQUAL(a.st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(a.n, n_ref);
  CU_ASSERT_STRING_EQUAL(pprt_runtime_last_error(rt), ""); /* the refused call did not touch the runtime's state */
  /* the runtime is intact: the same frame gives the same pillars and boxes */
  CU_ASSERT_EQUAL_FATAL(pprt_runtime_simulate_dpu(rt, 0.0, 0.0, 0), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_runtime_run(rt, &key, 1, b, 64, &n), PPRT_STATUS_OK);
  struct pprt_frame_stats st;
  pprt_runtime_stats(rt, &st);
  CU_ASSERT_EQUAL(n, n_ref);
  CU_ASSERT_EQUAL(st.pillars, ref.pillars);
  CU_ASSERT_EQUAL(st.candidates, ref.candidates);

  /* many overlapping calls from two threads: every call is OK or BUSY, never anything else, never a hang */
  struct run_arg a2[2];
  int busy = 0, ok = 0;
  for (int round = 0; round < 20; ++round) {
    pthread_t t2[2];
    for (int i = 0; i < 2; ++i) {
      a2[i] = (struct run_arg){rt, &key, PPRT_STATUS_INTERNAL, 0};
      CU_ASSERT_EQUAL_FATAL(pthread_create(&t2[i], NULL, run_thread, &a2[i]), 0);
    }
    for (int i = 0; i < 2; ++i) {
      pthread_join(t2[i], NULL);
      CU_ASSERT(a2[i].st == PPRT_STATUS_OK || a2[i].st == PPRT_STATUS_BUSY);
      if (a2[i].st == PPRT_STATUS_OK) {
        ++ok;
        CU_ASSERT_EQUAL(a2[i].n, n_ref);
      } else {
        ++busy;
      }
    }
  }
  CU_ASSERT(ok >= 20);
  printf("\n  concurrent runs: %d ok, %d busy\n", ok, busy);
  pprt_cloud_destroy(c);
  pprt_runtime_destroy(rt);
  alarm(0);
}

static void test_dpu_runner_lib_without_dpu(void) {
  /* Under qemu-user the arm64 case once aborted: merely dlopen'ing aarch64 libvart-dpu-runner runs XRT's device scan
   * in a static constructor, which throws (no /dev/dri/by-path) and aborts. The runtime now asks before dlopen. */
  guard(120);
  char desc[256];
  extern int pprt_dpu_probe(char* desc, size_t cap);
  if (pprt_dpu_probe(desc, sizeof desc)) {
    printf("\n  this host has a DPU (%s): nothing to check\n", desc);
    alarm(0);
    return;
  }
  static const char* const libs[] = {"libvart-dpu-runner.so", "libvart-dpu-runner.so.2"};
  for (int i = 0; i < 2; ++i) {
    struct pprt_options o;
    pprt_options_init(&o);
    o.model_dir = pprt_test_work("small");
    o.runner = PPRT_RUNNER_CPU;
    o.runner_lib = libs[i];
    pprt_runtime_t* rt = (pprt_runtime_t*)0x1;
    CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_UNAVAILABLE);
    CU_ASSERT_PTR_NULL(rt);
    /* either the DPU check refused it, or (a sysroot without VART's DPU runner) it could not be loaded */
    CU_ASSERT(strstr(pprt_last_error(), "no DPU") != NULL || strstr(pprt_last_error(), "cannot be loaded") != NULL);
  }
#if defined(__aarch64__)
  static const char dpu_runner[] = "/usr/lib/aarch64-linux-gnu/libvart-dpu-runner.so.2";   /* qemu -L: the sysroot's */
#else
  static const char dpu_runner[] = "/usr/lib/x86_64-linux-gnu/libvart-dpu-runner.so.2";
#endif
  extern int pprt_lib_is_vart_dpu_runner(const char* lib);
  CU_ASSERT_TRUE(pprt_lib_is_vart_dpu_runner("libvart-dpu-runner.so.2"));
  CU_ASSERT_FALSE(pprt_lib_is_vart_dpu_runner("libvart-dummy-runner.so.2"));
  CU_ASSERT_FALSE(pprt_lib_is_vart_dpu_runner(pprt_test_work("no-such-runner.so")));
  CU_ASSERT_FALSE(pprt_lib_is_vart_dpu_runner("/etc/passwd"));
  /* the same library through a path of another name: a symlink (its target's name) and a renamed copy (its ELF
   * DT_SONAME), both recognised without loading it */
  const char* link = pprt_test_work("librobust-renamed-runner.so");
  const char* copy = pprt_test_work("librobust-copied-runner.so");
  unlink(link);
  unlink(copy);
  FILE* in = fopen(dpu_runner, "rb");
  FILE* out = in != NULL ? fopen(copy, "wb") : NULL;
  if (in != NULL && out != NULL) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) CU_ASSERT_EQUAL_FATAL(fwrite(buf, 1, n, out), n);
  }
  if (out != NULL) fclose(out);
  if (in != NULL) fclose(in);
  if (access(dpu_runner, R_OK) == 0 && symlink(dpu_runner, link) == 0) {
    CU_ASSERT_TRUE(pprt_lib_is_vart_dpu_runner(link));
    CU_ASSERT_TRUE(pprt_lib_is_vart_dpu_runner(copy));
    const char* paths[] = {link, copy};
    for (int i = 0; i < 2; ++i) {
      struct pprt_options o;
      pprt_options_init(&o);
      o.model_dir = pprt_test_work("small");
      o.runner = PPRT_RUNNER_CPU;
      o.runner_lib = paths[i];
      pprt_runtime_t* rt = NULL;
      CU_ASSERT_EQUAL(pprt_runtime_create(&o, &rt), PPRT_STATUS_UNAVAILABLE);
      CU_ASSERT(contains(pprt_last_error(), "no DPU"));
    }
  } else {
    printf("\n  %s not readable here: symlink / copy cases not run\n", dpu_runner);
  }
  unlink(copy);
  alarm(0);
}

/* ---- 5. pprt view --gt with a "box" that is not a list */

static void test_view_bad_gt(void) {
  guard(120);
  const char* gt = pprt_test_work("robust_bad_gt.json");
  const char* png = pprt_test_work("robust_bad_gt.png");
  static const char* const bad[] = {
      "{\"instances\": [{\"box\": 5, \"label\": \"car\"}]}",
      "{\"instances\": [{\"box\": {\"a\": 1}, \"label\": \"car\"}]}",
      "{\"instances\": [{\"box\": [1, 2, 3, \"x\", 5, 6, 7], \"label\": \"car\"}]}",
      "{\"instances\": [7]}",
      "{\"instances\": [{\"box\": [1, 2, 3, 4, 5, 6, 7], \"label\": 3}]} junk",
  };
  char out[8192];
  for (int i = 0; i < 5; ++i) {
    write_text(gt, bad[i]);
    char* argv[] = {(char*)PPRT_EXE, "view", (char*)pprt_test_data("sim/sim_8.pcd.bin"), "--gt", (char*)gt, "-o",
                    (char*)png, NULL};
    int rc = pprt_test_run(argv, out, sizeof out);
    CU_ASSERT_EQUAL(rc, 1);
    if (rc != 1) fprintf(stderr, "  case %d: exit %d: %s\n", i, rc, out);
    CU_ASSERT(strstr(out, "pprt view:") != NULL);
  }
  /* a label that is not a string is no class, not a crash */
  write_text(gt, "{\"instances\": [{\"box\": [1, 2, 3, 4, 5, 6, 7], \"label\": 3}]}");
  char* argv[] = {(char*)PPRT_EXE, "view", (char*)pprt_test_data("sim/sim_8.pcd.bin"), "--gt", (char*)gt, "-o",
                  (char*)png, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(argv, out, sizeof out), 0);
  alarm(0);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"fifo_inputs", test_fifo_inputs},
      {"nan_score", test_nan_score},
      {"box_json", test_box_json},
      {"max_num_bound", test_max_num_bound},
      {"prev_cycle", test_prev_cycle},
      {"simulate_with_stream", test_simulate_with_stream},
      {"concurrent_run_busy", test_concurrent_run_busy},
      {"dpu_runner_lib_without_dpu", test_dpu_runner_lib_without_dpu},
      {"view_bad_gt", test_view_bad_gt},
      {NULL, NULL},
  };
  return pprt_test_main("robust", cases);
}
