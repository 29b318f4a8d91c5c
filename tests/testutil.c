#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t g_seed = 0x5eed1234abcdULL;

uint64_t pprt_test_seed(void) { return g_seed; }

int pprt_test_main(const char* suite, const struct pprt_test_case* cases) {
  const char* env = getenv("PPRT_TEST_SEED");
  if (env != NULL && *env != '\0') g_seed = strtoull(env, NULL, 0);
  printf("%s: seed %llu (replay with PPRT_TEST_SEED=%llu)\n", suite, (unsigned long long)g_seed,
         (unsigned long long)g_seed);
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  if (s == NULL) {
    CU_cleanup_registry();
    return 2;
  }
  const char* only = getenv("PPRT_TEST_ONLY"); /* comma-separated case names: run just those */
  for (const struct pprt_test_case* c = cases; c->name != NULL; ++c) {
    if (only != NULL && *only != '\0') {
      size_t n = strlen(c->name);
      const char* at = only;
      int hit = 0;
      while (!hit && (at = strstr(at, c->name)) != NULL) {
        hit = (at == only || at[-1] == ',') && (at[n] == '\0' || at[n] == ',');
        at += n;
      }
      if (!hit) continue;
    }
    if (CU_add_test(s, c->name, c->fn) == NULL) {
      CU_cleanup_registry();
      return 2;
    }
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  if (run == 0) return 3;
  return failed == 0 ? 0 : 1;
}

void pprt_rng_seed(struct pprt_rng* r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ULL; }

uint64_t pprt_rng_next(struct pprt_rng* r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

uint32_t pprt_rng_u32(struct pprt_rng* r, uint32_t bound) {
  return bound == 0 ? 0 : (uint32_t)((pprt_rng_next(r) >> 32) % bound);
}

float pprt_rng_uniform(struct pprt_rng* r, float lo, float hi) {
  double u = (double)(pprt_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
  return (float)(lo + (hi - lo) * u);
}

uint64_t pprt_test_fnv1a(const void* data, size_t n) {
  const unsigned char* p = data;
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static const char* slot_path(const char* dir, const char* name) {
  static char bufs[8][4096];
  static unsigned next;
  char* b = bufs[next++ % 8];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

const char* pprt_test_data(const char* name) { return slot_path(PPRT_TEST_DATA_DIR, name); }
const char* pprt_test_work(const char* name) { return slot_path(PPRT_TEST_WORK_DIR, name); }

const char* pprt_test_small_xmodel(const char* form, int k) {
  char name[256];
  snprintf(name, sizeof name, "%s/pointpillars_nuscenes_small_%d_pt/pointpillars_nuscenes_small_%d_pt.xmodel", form, k,
           k);
  return pprt_test_work(name);
}

int pprt_test_write_file(const char* path, const void* data, size_t len) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) return -1;
  size_t w = len ? fwrite(data, 1, len, f) : 0;
  int rc = fclose(f);
  return (w == len && rc == 0) ? 0 : -1;
}

void* pprt_test_read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) {
    fclose(f);
    return NULL;
  }
  long n = ftell(f);
  rewind(f);
  if (n < 0) {
    fclose(f);
    return NULL;
  }
  char* buf = malloc((size_t)n + 1);
  if (buf == NULL) {
    fclose(f);
    return NULL;
  }
  size_t r = fread(buf, 1, (size_t)n, f);
  fclose(f);
  if (r != (size_t)n) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  if (len) *len = (size_t)n;
  return buf;
}

/* Binaries of this build are cross-compiled in an arm64 build: run them through the emulator the build was configured
 * with (PPRT_TEST_EMULATOR, space-separated; empty natively). Host programs (cp, python3, xir) run directly. */
static char* const* with_emulator(char* const argv[], char** buf, size_t cap, char* words, size_t wcap) {
  const char* emu = PPRT_TEST_EMULATOR;
  size_t blen = strlen(PPRT_TEST_BUILD_DIR);
  if (emu[0] == '\0' || strncmp(argv[0], PPRT_TEST_BUILD_DIR, blen) != 0) return argv;
  snprintf(words, wcap, "%s", emu);
  size_t n = 0;
  for (char* tok = strtok(words, " "); tok != NULL && n + 1 < cap; tok = strtok(NULL, " ")) buf[n++] = tok;
  for (size_t i = 0; argv[i] != NULL && n + 1 < cap; ++i) buf[n++] = argv[i];
  buf[n] = NULL;
  return buf;
}

/* The exit status of child pid, 128 + signal if it died, -1 if it cannot be waited for. */
static int wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int pprt_test_run(char* const argv_in[], char* out, size_t cap) {
  char* argv_buf[256];
  char words[4096];
  char* const* argv = with_emulator(argv_in, argv_buf, 256, words, sizeof words);
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    close(pipefd[1]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(pipefd[1]);
  size_t used = 0;
  char tmp[4096];
  for (;;) {
    ssize_t r = read(pipefd[0], tmp, sizeof tmp);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (out != NULL && cap > 1 && used < cap - 1) {
      size_t take = (size_t)r;
      if (take > cap - 1 - used) take = cap - 1 - used;
      memcpy(out + used, tmp, take);
      used += take;
    }
  }
  close(pipefd[0]);
  if (out != NULL && cap > 0) out[used] = '\0';
  return wait_child(pid);
}

int pprt_test_in_child(int (*fn)(const void* arg), const void* arg) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) _exit(fn(arg));
  return wait_child(pid);
}

static char g_guard_msg[160];

static void guard_alarm(int sig) {
  (void)sig;
  ssize_t w = write(2, g_guard_msg, strlen(g_guard_msg)); /* async-signal-safe: write and _exit only */
  (void)w;
  _exit(3);
}

void pprt_test_guard(const char* suite, const char* what, unsigned seconds) {
  snprintf(g_guard_msg, sizeof g_guard_msg, "%s: timed out (%s hung)\n", suite, what);
  signal(SIGALRM, guard_alarm);
  alarm(seconds);
}

pprt_runtime_t* pprt_test_runtime(const char* model_dir, enum pprt_runner runner, uint32_t max_points) {
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = model_dir;
  o.runner = runner;
  o.max_points = max_points;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st != PPRT_STATUS_OK) fprintf(stderr, "create failed: %s: %s\n", pprt_status_str(st), pprt_last_error());
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  return rt;
}

pprt_stream_t* pprt_test_stream(pprt_runtime_t* rt, uint32_t cores, uint32_t depth) {
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = cores;
  so.max_in_flight = depth;
  pprt_stream_t* s = NULL;
  enum pprt_status st = pprt_stream_create(rt, &so, &s);
  if (st != PPRT_STATUS_OK) fprintf(stderr, "stream failed: %s: %s\n", pprt_status_str(st), pprt_last_error());
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  return s;
}
