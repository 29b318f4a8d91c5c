/* pprt bench's allocation count (libpprt-alloccount.so, tools/alloccount/alloccount.h): 0 per frame in steady state
 * with the shim loaded, exactly the allocations a runner plugin makes when it makes some (tests/fault_runner_plugin.cpp
 * alloc=N), and "not counted" with the reason, never a number, where there is no shim (--no-alloc-count, sanitizer
 * builds). The model runs on VART's dummy runner (through the fault plugin where it must allocate): it allocates
 * nothing per frame, so every count here is pprt's, or the plugin's on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define OUT_CAP (1 << 20)
static char g_out[OUT_CAP];

static const char* sweep_path(void) { return pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"); }

/* pprt bench on the small model, 4 timed frames after 1 warm-up, both modes, --json, the dummy runner unless the
 * extra arguments (NULL-terminated) say otherwise; the shim preloaded when preload (through the emulator too:
 * qemu-user hands its environment to the program). */
static int bench_argv(int preload, const char* const* extra) {
  char* argv[24] = {(char*)PPRT_EXE, "bench", "--model", (char*)pprt_test_work("small"), (char*)sweep_path(),
                    "--runner", "dummy", "--frames", "4", "--warmup", "1", "--no-progress", "--json"};
  int n = 13;
  for (int i = 0; extra[i] != NULL && n < 23; ++i) argv[n++] = (char*)extra[i];
  argv[n] = NULL;
  if (preload) setenv("LD_PRELOAD", PPRT_ALLOCCOUNT_LIB, 1);
  int rc = pprt_test_run(argv, g_out, OUT_CAP);
  unsetenv("LD_PRELOAD");
  if (rc != 0) fprintf(stderr, "pprt bench exited %d:\n%s\n", rc, g_out);
  return rc;
}
#define BENCH(preload, ...) bench_argv(preload, (const char* const[]){__VA_ARGS__, NULL})

/* allocs_per_frame of the JSON line of mode ("latency" / "throughput"): its value, -1 for null, -2 if absent. */
static double allocs_of(const char* mode) {
  char key[64];
  snprintf(key, sizeof key, "{\"mode\": \"%s\"", mode);
  const char* line = strstr(g_out, key);
  if (line == NULL) return -2.0;
  const char* eol = strchr(line, '\n');
  const char* a = strstr(line, "\"allocs_per_frame\": ");
  if (a == NULL || (eol != NULL && a > eol)) return -2.0;
  a += strlen("\"allocs_per_frame\": ");
  if (strncmp(a, "null", 4) == 0) return -1.0;
  return strtod(a, NULL);
}

/* Steady state: 0 allocations per frame in both modes, counted (a number, not null). */
static void test_zero_with_shim(void) {
  if (SANITIZED || PPRT_ALLOCCOUNT_LIB[0] == '\0') return; /* no shim in this build: test_not_counted */
  CU_ASSERT_EQUAL_FATAL(BENCH(1, NULL), 0);
  CU_ASSERT_EQUAL(allocs_of("latency"), 0.0);
  CU_ASSERT_EQUAL(allocs_of("throughput"), 0.0);
  CU_ASSERT_PTR_NULL(strstr(g_out, "allocs_not_counted"));
}

/* pprt's CPU runner plugin allocates nothing per job either (its thread pool calls each op's work through a plain
 * pointer; a std::function cost 11 allocations per frame). Native only: the emulated CPU runner takes seconds. */
static void test_cpu_runner_zero(void) {
  if (SANITIZED || PPRT_ALLOCCOUNT_LIB[0] == '\0' || PPRT_TEST_EMULATOR[0] != '\0') return;
  CU_ASSERT_EQUAL_FATAL(BENCH(1, "--runner", "cpu"), 0);
  CU_ASSERT_EQUAL(allocs_of("latency"), 0.0);
  CU_ASSERT_EQUAL(allocs_of("throughput"), 0.0);
  if (allocs_of("latency") != 0.0 || allocs_of("throughput") != 0.0) fprintf(stderr, "%s\n", g_out);
}

/* A runner plugin allocating alloc=N blocks per job: the count follows and is attributed to the plugin. Latency mode
 * runs the timed frames' jobs and no other inside its window, so there it is exact: alloc=3 - alloc=1 = 2 blocks x 2
 * jobs = 4 per frame (the plugin's own bookkeeping per rule hit is the same in both runs). Throughput mode's window
 * opens with frames already in flight (some of their jobs ran before it): there the count is not 0 and grows with N. */
static void test_counts_what_allocates(void) {
  if (SANITIZED || PPRT_ALLOCCOUNT_LIB[0] == '\0') return;
  setenv("PPRT_FAULT_INNER", "libvart-dummy-runner.so", 1);
  setenv("PPRT_FAULT", "any:every=1:alloc=1", 1);
  int rc = BENCH(1, "--runner", "cpu", "--runner-lib", PPRT_FAULT_RUNNER);
  double lat1 = allocs_of("latency"), thr1 = allocs_of("throughput");
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"libpprt_fault_runner.so\": "));
  setenv("PPRT_FAULT", "any:every=1:alloc=3", 1);
  rc |= BENCH(1, "--runner", "cpu", "--runner-lib", PPRT_FAULT_RUNNER);
  double lat3 = allocs_of("latency"), thr3 = allocs_of("throughput");
  unsetenv("PPRT_FAULT");
  unsetenv("PPRT_FAULT_INNER");
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT(lat1 >= 2.0); /* at least the plugin's one block per job */
  CU_ASSERT_EQUAL(lat3 - lat1, 4.0);
  CU_ASSERT(thr1 > 0.0);
  CU_ASSERT(thr3 > thr1);
  if (!(lat1 >= 2.0) || lat3 - lat1 != 4.0 || !(thr1 > 0.0) || !(thr3 > thr1))
    fprintf(stderr, "per frame: latency alloc=1 %.4f, alloc=3 %.4f; throughput alloc=1 %.4f, alloc=3 %.4f\n", lat1,
            lat3, thr1, thr3);
}

/* Without the shim the count is not a number: null in JSON with the reason, "not counted (...)" in the table. */
static void test_not_counted(void) {
  CU_ASSERT_EQUAL_FATAL(BENCH(0, "--no-alloc-count"), 0);
  CU_ASSERT_EQUAL(allocs_of("latency"), -1.0);
  CU_ASSERT_EQUAL(allocs_of("throughput"), -1.0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, SANITIZED ? "\"allocs_not_counted\": \"sanitizer build"
                                                 : "\"allocs_not_counted\": \"--no-alloc-count\""));
  char* argv[] = {(char*)PPRT_EXE, "bench", "--model", (char*)pprt_test_work("small"), (char*)sweep_path(),
                  "--runner", "dummy", "--frames", "2", "--warmup", "0", "--no-progress", "--mode", "latency",
                  "--no-alloc-count", NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv, g_out, OUT_CAP), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "allocations per frame: not counted ("));
  CU_ASSERT_PTR_NULL(strstr(g_out, "allocations per frame: 0"));
  if (SANITIZED) { /* a sanitizer build never counts, whatever is asked */
    CU_ASSERT_EQUAL_FATAL(BENCH(0, NULL), 0);
    CU_ASSERT_EQUAL(allocs_of("latency"), -1.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_out, "\"allocs_not_counted\": \"sanitizer build"));
  }
}

/* Natively pprt bench preloads the shim by itself (it runs itself again): counted without LD_PRELOAD. qemu-user cannot
 * execute a foreign program by itself, so under the emulator the shim is preloaded as above. */
static void test_preloads_itself(void) {
  if (SANITIZED || PPRT_ALLOCCOUNT_LIB[0] == '\0' || PPRT_TEST_EMULATOR[0] != '\0') return;
  unsetenv("LD_PRELOAD");
  CU_ASSERT_EQUAL_FATAL(BENCH(0, NULL), 0);
  CU_ASSERT_EQUAL(allocs_of("latency"), 0.0);
  CU_ASSERT_EQUAL(allocs_of("throughput"), 0.0);
  CU_ASSERT_PTR_NULL(strstr(g_out, "allocs_not_counted"));
}

int main(void) {
  pprt_test_guard("bench_allocs", "pprt bench", 600);
  static const struct pprt_test_case cases[] = {{"zero with the shim", test_zero_with_shim},
                                                {"cpu runner allocates nothing", test_cpu_runner_zero},
                                                {"counts what allocates", test_counts_what_allocates},
                                                {"not counted", test_not_counted},
                                                {"preloads itself", test_preloads_itself},
                                                {NULL, NULL}};
  return pprt_test_main("bench_allocs", cases);
}
