/* The VART/XIR adapter and the DPU probe: loading the generated small xmodels, rejecting bad files without
 * aborting (proved in child processes), the dummy runner, unavailable runners. Needs the small_model fixture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "backend/dpu_preflight.h"
#include "testutil.h"
#include "backend/backend.h"
#include "backend/vart_backend.h"

#define DUMMY_LIB "libvart-dummy-runner.so"

static int child_load(const void* arg) {
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  enum pprt_status s = pprt_xmodel_load((const char*)arg, &m, &e);
  pprt_xmodel_free(m);
  return (int)s;
}

struct runner_arg {
  const char* model;
  const char* lib;
};

/* The backend a runner library names: NULL the DPU, VART's dummy runner the dummy backend, any other a plugin. */
static enum pprt_status create_for_lib(const pprt_xmodel* m, const char* lib, struct pprt_backend** out,
                                       struct pprt_err* e) {
  enum pprt_runner kind = lib == NULL                     ? PPRT_RUNNER_DPU
                          : strcmp(lib, DUMMY_LIB) == 0 ? PPRT_RUNNER_DUMMY
                                                          : PPRT_RUNNER_CPU;
  return pprt_backend_create(kind, m, lib, out, e);
}

static int child_runner(const void* arg) {
  const struct runner_arg* a = arg;
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  enum pprt_status s = pprt_xmodel_load(a->model, &m, &e);
  if (s != PPRT_STATUS_OK) return 100 + (int)s;
  struct pprt_backend* r = NULL;
  s = create_for_lib(m, a->lib, &r, &e);
  if (s == PPRT_STATUS_OK) s = pprt_backend_run(r, &e);
  pprt_backend_destroy(r);
  pprt_xmodel_free(m);
  return (int)s;
}

/* Load path in a child (proving no abort) and expect status; then load it here and check the message. */
static void expect_load_fails(const char* path, enum pprt_status want, const char* msg_part) {
  int st = pprt_test_in_child(child_load, path);
  if (st != (int)want) fprintf(stderr, "\n%s: child exit %d, expected %d\n", path, st, (int)want);
  CU_ASSERT_EQUAL(st, (int)want);
  if (st != (int)want) return;
  pprt_xmodel* m = (pprt_xmodel*)0x1;
  struct pprt_err e = {{0}};
  CU_ASSERT_EQUAL(pprt_xmodel_load(path, &m, &e), want);
  CU_ASSERT_PTR_NULL(m);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
  if (msg_part != NULL) {
    if (strstr(e.msg, msg_part) == NULL) fprintf(stderr, "\nmessage '%s' lacks '%s'\n", e.msg, msg_part);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, msg_part));
  }
}

static pprt_xmodel* load_ok(const char* path) {
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  enum pprt_status s = pprt_xmodel_load(path, &m, &e);
  if (s != PPRT_STATUS_OK) fprintf(stderr, "\nload %s: %s\n", path, e.msg);
  CU_ASSERT_EQUAL_FATAL(s, PPRT_STATUS_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  return m;
}

static uint64_t frame_elems(const struct pprt_tensor_desc* d) {
  uint64_t n = 1;
  for (uint32_t k = 1; k < d->ndim; ++k) n *= (uint64_t)d->dims[k];
  return n;
}

static void check_desc(const struct pprt_tensor_desc* d) {
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(d->name[0] != '\0');
  CU_ASSERT(memchr(d->name, '\0', sizeof d->name) != NULL);
  CU_ASSERT(d->ndim >= 2 && d->ndim <= PPRT_TENSOR_MAX_DIMS);
  for (uint32_t k = 0; k < d->ndim; ++k) CU_ASSERT(d->dims[k] > 0);
  CU_ASSERT_EQUAL(d->elements, frame_elems(d));
  CU_ASSERT(d->fix_point >= -16 && d->fix_point <= 16);
}

/* The text dump of small model k by the xir tool (host program), read once. */
static char* g_dump[2];

static const char* dump_of(int k) {
  if (g_dump[k] != NULL) return g_dump[k];
  char out_path[1024], log[4096];
  snprintf(out_path, sizeof out_path, "%s/vart_dump_%d.txt", PPRT_TEST_WORK_DIR, k);
  char* argv[] = {(char*)"xir", (char*)"dump_txt", (char*)pprt_test_small_xmodel("small", k), out_path, NULL};
  int st = pprt_test_run(argv, log, sizeof log);
  if (st != 0) fprintf(stderr, "\nxir dump_txt: exit %d\n%s\n", st, log);
  CU_ASSERT_EQUAL_FATAL(st, 0);
  size_t len = 0;
  char* text = pprt_test_read_file(out_path, &len); /* NUL-terminated */
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  g_dump[k] = text;
  return text;
}

/* The tensor block of `name` in the dump: dims from the tensor_dim lines, fix_point from its tensor_attr. */
static void check_against_dump(int k, const struct pprt_tensor_desc* d) {
  const char* text = dump_of(k);
  char key[PPRT_TENSOR_NAME_MAX + 32];
  snprintf(key, sizeof key, "tensor_name: \"%s\"\n", d->name);
  const char* p = strstr(text, key);
  if (p == NULL) fprintf(stderr, "\n%s not in the dump\n", d->name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  p += strlen(key);
  const char* next = strstr(p, "tensor_name:");
  uint32_t nd = 0;
  int32_t dims[PPRT_TENSOR_MAX_DIMS] = {0};
  for (;;) {
    while (*p == ' ') ++p;
    if (strncmp(p, "tensor_dim: ", 12) != 0) break;
    long v = strtol(p + 12, (char**)&p, 10);
    if (nd < PPRT_TENSOR_MAX_DIMS) dims[nd] = (int32_t)v;
    ++nd;
    while (*p == '\n') ++p;
  }
  CU_ASSERT_EQUAL(nd, d->ndim);
  CU_ASSERT_EQUAL(memcmp(dims, d->dims, sizeof dims), 0);
  const char* fp = strstr(p, "key: \"fix_point\"");
  CU_ASSERT_FATAL(fp != NULL && (next == NULL || fp < next));
  const char* iv = strstr(fp, "int32_value: ");
  CU_ASSERT_FATAL(iv != NULL && (next == NULL || iv < next));
  CU_ASSERT_EQUAL(strtol(iv + 13, NULL, 10), d->fix_point);
}

/* ---- loading ---- */

static void test_load_small_models(void) {
  pprt_xmodel* m0 = load_ok(pprt_test_small_xmodel("small", 0));
  pprt_xmodel* m1 = load_ok(pprt_test_small_xmodel("small", 1));
  const pprt_xmodel* ms[2] = {m0, m1};
  for (int k = 0; k < 2; ++k) {
    CU_ASSERT_PTR_NOT_NULL(pprt_xmodel_subgraph_name(ms[k]));
    CU_ASSERT(pprt_xmodel_num_inputs(ms[k]) >= 1);
    CU_ASSERT(pprt_xmodel_num_outputs(ms[k]) >= 1);
    for (uint32_t i = 0; i < pprt_xmodel_num_inputs(ms[k]); ++i) check_desc(pprt_xmodel_input(ms[k], i));
    for (uint32_t i = 0; i < pprt_xmodel_num_outputs(ms[k]); ++i) check_desc(pprt_xmodel_output(ms[k], i));
    CU_ASSERT_PTR_NULL(pprt_xmodel_input(ms[k], pprt_xmodel_num_inputs(ms[k])));
    CU_ASSERT_PTR_NULL(pprt_xmodel_output(ms[k], pprt_xmodel_num_outputs(ms[k])));
  }
  /* The contract's shapes (docs/DESIGN.md, model contract 2) with the small spec of pprt-genmodel (spec_for("small"):
   * 12000 pillars x 32 slots x 5 features -> 32 channels; canvas 256 x 256; head 128 x 128). */
  CU_ASSERT_EQUAL_FATAL(pprt_xmodel_num_inputs(m0), 1);
  CU_ASSERT_EQUAL_FATAL(pprt_xmodel_num_outputs(m0), 1);
  const struct pprt_tensor_desc* in0 = pprt_xmodel_input(m0, 0);
  const struct pprt_tensor_desc* out0 = pprt_xmodel_output(m0, 0);
  static const int32_t in0_dims[4] = {1, 12000, 32, 5}, out0_dims[4] = {1, 12000, 1, 32};
  static const int32_t in1_dims[4] = {1, 256, 256, 32};
  CU_ASSERT_EQUAL_FATAL(in0->ndim, 4);
  CU_ASSERT_EQUAL_FATAL(out0->ndim, 4);
  CU_ASSERT_EQUAL(memcmp(in0->dims, in0_dims, sizeof in0_dims), 0);
  CU_ASSERT_EQUAL(memcmp(out0->dims, out0_dims, sizeof out0_dims), 0);
  CU_ASSERT_EQUAL(in0->elements, 12000u * 32u * 5u);
  CU_ASSERT_EQUAL(out0->elements, 12000u * 32u);
  /* DPU1: [1, H, W, C] -> cls [1, h, w, 140], reg [.., 126], dir [.., 28] (in some order). */
  CU_ASSERT_EQUAL_FATAL(pprt_xmodel_num_inputs(m1), 1);
  CU_ASSERT_EQUAL_FATAL(pprt_xmodel_num_outputs(m1), 3);
  const struct pprt_tensor_desc* in1 = pprt_xmodel_input(m1, 0);
  CU_ASSERT_EQUAL_FATAL(in1->ndim, 4);
  CU_ASSERT_EQUAL(memcmp(in1->dims, in1_dims, sizeof in1_dims), 0);
  CU_ASSERT_EQUAL(in1->dims[3], out0->dims[3]); /* scatter: PFN channels become canvas channels */
  int seen[3] = {0, 0, 0};
  for (uint32_t i = 0; i < 3; ++i) {
    const struct pprt_tensor_desc* o = pprt_xmodel_output(m1, i);
    CU_ASSERT_EQUAL_FATAL(o->ndim, 4);
    CU_ASSERT_EQUAL(o->dims[0], 1);
    CU_ASSERT_EQUAL(o->dims[1], 128);
    CU_ASSERT_EQUAL(o->dims[2], 128);
    if (o->dims[3] == 140) seen[0]++;
    if (o->dims[3] == 126) seen[1]++;
    if (o->dims[3] == 28) seen[2]++;
  }
  CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
  /* Names, dims and fix points agree with an independent reader (`xir dump_txt`). */
  for (int k = 0; k < 2; ++k) {
    for (uint32_t i = 0; i < pprt_xmodel_num_inputs(ms[k]); ++i) check_against_dump(k, pprt_xmodel_input(ms[k], i));
    for (uint32_t i = 0; i < pprt_xmodel_num_outputs(ms[k]); ++i) check_against_dump(k, pprt_xmodel_output(ms[k], i));
  }
  /* Loading twice gives the same descriptions (deterministic order). */
  pprt_xmodel* again = load_ok(pprt_test_small_xmodel("small", 1));
  for (uint32_t i = 0; i < 3; ++i)
    CU_ASSERT_EQUAL(memcmp(pprt_xmodel_output(again, i), pprt_xmodel_output(m1, i), sizeof(struct pprt_tensor_desc)),
                    0);
  pprt_xmodel_free(again);
  pprt_xmodel_free(m0);
  pprt_xmodel_free(m1);
}

static void test_load_bad_files(void) {
  char path[1024];
  /* missing */
  snprintf(path, sizeof path, "%s/vart_no_such_dir/none.xmodel", PPRT_TEST_WORK_DIR);
  expect_load_fails(path, PPRT_STATUS_IO_ERROR, NULL);
  /* a directory */
  snprintf(path, sizeof path, "%s/vart_dir.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT(mkdir(path, 0755) == 0 || errno == EEXIST);
  expect_load_fails(path, PPRT_STATUS_IO_ERROR, "regular");
  /* empty */
  snprintf(path, sizeof path, "%s/vart_empty.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, "", 0), 0);
  expect_load_fails(path, PPRT_STATUS_PARSE_ERROR, "empty");
  /* text, also one that starts with the byte XIR starts with */
  static const char text[] = "name: \"pointpillars\"\nlayer { type: \"conv\" }\n";
  snprintf(path, sizeof path, "%s/vart_text.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, text, sizeof text - 1), 0);
  expect_load_fails(path, PPRT_STATUS_PARSE_ERROR, "not a valid xmodel");
  snprintf(path, sizeof path, "%s/vart_text2.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, "\nhello\n", 7), 0);
  expect_load_fails(path, PPRT_STATUS_PARSE_ERROR, NULL);
  /* truncated real xmodels: the first half, and seeded random prefixes */
  size_t len = 0;
  unsigned char* bytes = pprt_test_read_file(pprt_test_small_xmodel("small", 1), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
  CU_ASSERT_FATAL(len > 64);
  snprintf(path, sizeof path, "%s/vart_half.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, bytes, len / 2), 0);
  expect_load_fails(path, PPRT_STATUS_PARSE_ERROR, "truncated");
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed());
  for (int t = 0; t < 6; ++t) {
    size_t cut = 1 + pprt_rng_u32(&rng, (uint32_t)(len - 1));
    snprintf(path, sizeof path, "%s/vart_cut_%d.xmodel", PPRT_TEST_WORK_DIR, t);
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, bytes, cut), 0);
    /* A cut inside the trailing op definitions may leave a valid graph; it must load or fail cleanly. */
    int st = pprt_test_in_child(child_load, path);
    if (st != PPRT_STATUS_OK && st != PPRT_STATUS_PARSE_ERROR)
      fprintf(stderr, "\ncut at %zu of %zu: child exit %d\n", cut, len, st);
    CU_ASSERT(st == PPRT_STATUS_OK || st == PPRT_STATUS_PARSE_ERROR);
  }
  free(bytes);
}

static void test_null_safety(void) {
  struct pprt_err e = {{0}};
  CU_ASSERT_EQUAL(pprt_xmodel_load(pprt_test_small_xmodel("small", 0), NULL, &e), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_xmodel* m = NULL;
  CU_ASSERT_EQUAL(pprt_xmodel_load(NULL, &m, &e), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_xmodel_load("", &m, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  struct pprt_backend* r = NULL;
  CU_ASSERT_EQUAL(pprt_backend_create(PPRT_RUNNER_DUMMY, NULL, NULL, &r, &e), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(r);
  CU_ASSERT_EQUAL(pprt_backend_run(NULL, &e), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_xmodel_free(NULL);
  pprt_backend_destroy(NULL);
  CU_ASSERT_PTR_NULL(pprt_xmodel_subgraph_name(NULL));
  CU_ASSERT_EQUAL(pprt_xmodel_num_inputs(NULL), 0);
  CU_ASSERT_EQUAL(pprt_xmodel_num_outputs(NULL), 0);
  CU_ASSERT_PTR_NULL(pprt_xmodel_input(NULL, 0));
  CU_ASSERT_PTR_NULL(pprt_xmodel_output(NULL, 0));
  CU_ASSERT_PTR_NULL(pprt_backend_input(NULL, 0));
  CU_ASSERT_PTR_NULL(pprt_backend_output(NULL, 0));
  CU_ASSERT_EQUAL(pprt_backend_is_zero_copy(NULL), 0);
}

/* ---- runners ---- */

static void fill_check(int8_t* p, uint64_t n, int8_t v) {
  memset(p, v, (size_t)n);
  uint64_t bad = 0;
  for (uint64_t j = 0; j < n; ++j) bad += p[j] != v;
  CU_ASSERT_EQUAL(bad, 0);
}

static void test_dummy_runner(void) {
  for (int k = 0; k < 2; ++k) {
    pprt_xmodel* m = load_ok(pprt_test_small_xmodel("small", k));
    struct pprt_err e = {{0}};
    struct pprt_backend* r = NULL;
    enum pprt_status s = pprt_backend_create(PPRT_RUNNER_DUMMY, m, NULL, &r, &e);
    if (s != PPRT_STATUS_OK) fprintf(stderr, "\ndummy runner: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(s, PPRT_STATUS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    printf("\n  dummy runner on %s: %s\n", pprt_xmodel_subgraph_name(m),
           pprt_backend_is_zero_copy(r) ? "RunnerExt (zero-copy buffers)" : "plain Runner (host buffers)");
    for (uint32_t i = 0; i < pprt_xmodel_num_inputs(m); ++i) {
      int8_t* p = pprt_backend_input(r, i);
      CU_ASSERT_PTR_NOT_NULL_FATAL(p);
      if (!pprt_backend_is_zero_copy(r)) CU_ASSERT_EQUAL(((uintptr_t)p) % 64, 0);
      fill_check(p, pprt_xmodel_input(m, i)->elements, (int8_t)(0x11 + i));
    }
    for (uint32_t i = 0; i < pprt_xmodel_num_outputs(m); ++i) {
      int8_t* p = pprt_backend_output(r, i);
      CU_ASSERT_PTR_NOT_NULL_FATAL(p);
      fill_check(p, pprt_xmodel_output(m, i)->elements, (int8_t)(0x5a + i));
    }
    /* distinct buffers */
    if (pprt_xmodel_num_outputs(m) > 1) CU_ASSERT(pprt_backend_output(r, 0) != pprt_backend_output(r, 1));
    CU_ASSERT(pprt_backend_input(r, 0) != pprt_backend_output(r, 0));
    CU_ASSERT_PTR_NULL(pprt_backend_input(r, pprt_xmodel_num_inputs(m)));
    for (int run = 0; run < 2; ++run) {
      s = pprt_backend_run(r, &e);
      if (s != PPRT_STATUS_OK) fprintf(stderr, "\nrun %d: %s\n", run, e.msg);
      CU_ASSERT_EQUAL(s, PPRT_STATUS_OK);
    }
    /* The dummy neither reads nor writes: the input is as we left it. */
    CU_ASSERT_EQUAL(pprt_backend_input(r, 0)[0], 0x11);
    pprt_backend_destroy(r);
    pprt_xmodel_free(m);
  }
}

/* The host-buffer backend (PPRT_RUNNER_NONE): one zeroed, 64-byte aligned, distinct buffer of one frame per tensor
 * of the subgraph, in the xmodel's order; no runner to run. */
static void test_host_backend(void) {
  CU_ASSERT_PTR_EQUAL(pprt_backend_ops_for(PPRT_RUNNER_NONE), &pprt_backend_host);
  CU_ASSERT_PTR_EQUAL(pprt_backend_ops_for(PPRT_RUNNER_DPU), &pprt_backend_vart_dpu);
  CU_ASSERT_PTR_EQUAL(pprt_backend_ops_for(PPRT_RUNNER_CPU), &pprt_backend_vart_plugin);
  CU_ASSERT_PTR_EQUAL(pprt_backend_ops_for(PPRT_RUNNER_DUMMY), &pprt_backend_vart_dummy);
  CU_ASSERT_PTR_NULL(pprt_backend_ops_for((enum pprt_runner)7));
  for (int r = PPRT_RUNNER_DPU; r <= PPRT_RUNNER_NONE; ++r)
    CU_ASSERT_STRING_EQUAL(pprt_backend_ops_for((enum pprt_runner)r)->name, pprt_runner_str((enum pprt_runner)r));
  for (int k = 0; k < 2; ++k) {
    pprt_xmodel* m = load_ok(pprt_test_small_xmodel("small", k));
    struct pprt_err e = {{0}};
    struct pprt_backend* b = NULL;
    CU_ASSERT_EQUAL_FATAL(pprt_backend_create(PPRT_RUNNER_NONE, m, NULL, &b, &e), PPRT_STATUS_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_EQUAL(b->ops, &pprt_backend_host);
    CU_ASSERT_EQUAL(pprt_backend_is_zero_copy(b), 0);
    const uint32_t nin = pprt_xmodel_num_inputs(m), nout = pprt_xmodel_num_outputs(m);
    int8_t* bufs[2 * PPRT_XMODEL_MAX_TENSORS];
    uint64_t sizes[2 * PPRT_XMODEL_MAX_TENSORS];
    uint32_t n = 0;
    for (uint32_t i = 0; i < nin; ++i, ++n) {
      bufs[n] = pprt_backend_input(b, i);
      sizes[n] = pprt_xmodel_input(m, i)->elements;
    }
    for (uint32_t i = 0; i < nout; ++i, ++n) {
      bufs[n] = pprt_backend_output(b, i);
      sizes[n] = pprt_xmodel_output(m, i)->elements;
    }
    for (uint32_t j = 0; j < n; ++j) {
      CU_ASSERT_PTR_NOT_NULL_FATAL(bufs[j]);
      CU_ASSERT_EQUAL(((uintptr_t)bufs[j]) % 64, 0);
      uint64_t nonzero = 0;
      for (uint64_t q = 0; q < sizes[j]; ++q) nonzero += bufs[j][q] != 0;
      CU_ASSERT_EQUAL(nonzero, 0);
      /* each buffer holds its tensor's frame and no two overlap (AddressSanitizer checks the bounds) */
      for (uint32_t o = 0; o < n; ++o)
        if (o != j) CU_ASSERT(bufs[o] + sizes[o] <= bufs[j] || bufs[j] + sizes[j] <= bufs[o]);
      fill_check(bufs[j], sizes[j], (int8_t)(0x21 + j));
    }
    CU_ASSERT_PTR_NULL(pprt_backend_input(b, nin));
    CU_ASSERT_PTR_NULL(pprt_backend_output(b, nout));
    CU_ASSERT_EQUAL(pprt_backend_run(b, &e), PPRT_STATUS_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "without runners"));
    CU_ASSERT_EQUAL(bufs[0][0], 0x21); /* run touched nothing */
    pprt_backend_destroy(b);
    /* a runner outside the enum, a plugin backend without its library */
    b = (struct pprt_backend*)0x1;
    CU_ASSERT_EQUAL(pprt_backend_create((enum pprt_runner)7, m, NULL, &b, &e), PPRT_STATUS_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown runner 7"));
    CU_ASSERT_EQUAL(pprt_backend_create(PPRT_RUNNER_CPU, m, NULL, &b, &e), PPRT_STATUS_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no runner plugin library"));
    CU_ASSERT_EQUAL(pprt_backend_create(PPRT_RUNNER_CPU, m, "", &b, &e), PPRT_STATUS_INVALID_ARGUMENT);
    CU_ASSERT_PTR_NULL(b);
    pprt_xmodel_free(m);
  }
}

#ifdef PPRT_CPU_RUNNER_LIB
/* The plugin backend on pprt's CPU runner: its own buffers (RunnerExt, pprt::host_tensor_buffer: 64-byte aligned),
 * real outputs, and the same bytes on every run of the same input. */
static void test_plugin_backend(void) {
  pprt_xmodel* m = load_ok(pprt_test_small_xmodel("small", 0));
  struct pprt_err e = {{0}};
  struct pprt_backend* b = NULL;
  enum pprt_status s = pprt_backend_create(PPRT_RUNNER_CPU, m, PPRT_CPU_RUNNER_LIB, &b, &e);
  if (s != PPRT_STATUS_OK) fprintf(stderr, "\ncpu runner: %s\n", e.msg);
  CU_ASSERT_EQUAL_FATAL(s, PPRT_STATUS_OK);
  CU_ASSERT_PTR_EQUAL(b->ops, &pprt_backend_vart_plugin);
  CU_ASSERT_EQUAL(pprt_backend_is_zero_copy(b), 1);
  int8_t* in = pprt_backend_input(b, 0);
  int8_t* out = pprt_backend_output(b, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(in);
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_EQUAL(((uintptr_t)in) % 64, 0);
  CU_ASSERT_EQUAL(((uintptr_t)out) % 64, 0);
  const uint64_t nin = pprt_xmodel_input(m, 0)->elements, nout = pprt_xmodel_output(m, 0)->elements;
  for (uint64_t j = 0; j < nin; ++j) in[j] = (int8_t)((j * 37u + 11u) % 61u) - 30;
  CU_ASSERT_EQUAL_FATAL(pprt_backend_run(b, &e), PPRT_STATUS_OK);
  int8_t* first = malloc((size_t)nout);
  CU_ASSERT_PTR_NOT_NULL_FATAL(first);
  memcpy(first, out, (size_t)nout);
  uint64_t nonzero = 0;
  for (uint64_t j = 0; j < nout; ++j) nonzero += first[j] != 0;
  CU_ASSERT(nonzero > 0);
  memset(out, 0x7f, (size_t)nout);
  CU_ASSERT_EQUAL(pprt_backend_run(b, &e), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(memcmp(first, out, (size_t)nout), 0);
  free(first);
  pprt_backend_destroy(b);
  pprt_xmodel_free(m);
}
#endif

static void expect_runner_fails(const char* lib, enum pprt_status want, const char* msg_part) {
  struct runner_arg a = {pprt_test_small_xmodel("small", 0), lib};
  int st = pprt_test_in_child(child_runner, &a);
  if (st != (int)want) fprintf(stderr, "\nrunner %s: child exit %d, expected %d\n", lib ? lib : "(DPU)", st, (int)want);
  CU_ASSERT_EQUAL(st, (int)want);
  if (st != (int)want) return;
  pprt_xmodel* m = load_ok(pprt_test_small_xmodel("small", 0));
  struct pprt_err e = {{0}};
  struct pprt_backend* r = (struct pprt_backend*)0x1;
  CU_ASSERT_EQUAL(create_for_lib(m, lib, &r, &e), want);
  CU_ASSERT_PTR_NULL(r);
  if (strstr(e.msg, msg_part) == NULL) fprintf(stderr, "\nmessage '%s' lacks '%s'\n", e.msg, msg_part);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, msg_part));
  pprt_xmodel_free(m);
}

static void test_unavailable_runners(void) {
  expect_runner_fails("libdoesnotexist.so", PPRT_STATUS_UNAVAILABLE, "libdoesnotexist.so");
  /* loads, but is no runner plugin */
  expect_runner_fails("libm.so.6", PPRT_STATUS_UNAVAILABLE, "create_runner_with_attrs");
  /* the board's DPU runner: VART would abort here, the probe says no */
  if (getenv("PPRT_TEST_HAVE_DPU") == NULL) expect_runner_fails(NULL, PPRT_STATUS_UNAVAILABLE, "no DPU found");
}

/* ---- attributes VART or pprt needs, removed by same-length byte edits of a real xmodel ---- */

/* Find the nth (0-based) occurrence of anchor (if any), then the first pat after it, and overwrite it with repl
 * (same length, so every protobuf length stays valid). Returns 0 if done. */
static unsigned char* find_bytes(unsigned char* hay, size_t n, const void* needle, size_t m) {
  if (m == 0 || m > n) return NULL;
  for (size_t i = 0; i + m <= n; ++i)
    if (memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

static int patch(unsigned char* buf, size_t len, const char* anchor, int nth, const char* pat, size_t plen,
                 const char* repl) {
  unsigned char* from = buf;
  if (anchor != NULL) {
    for (int i = 0; i <= nth; ++i) {
      unsigned char* a = find_bytes(i == 0 ? buf : from + 1, len - (size_t)((i == 0 ? buf : from + 1) - buf), anchor,
                                strlen(anchor));
      if (a == NULL) return -1;
      from = a;
    }
  }
  unsigned char* p = find_bytes(from, len - (size_t)(from - buf), pat, plen);
  if (p == NULL) return -1;
  memcpy(p, repl, plen);
  return 0;
}

static void write_patched(const char* name, const char* anchor, int nth, const char* pat, size_t plen, const char* repl,
                          char* path, size_t cap) {
  size_t len = 0;
  unsigned char* bytes = pprt_test_read_file(pprt_test_small_xmodel("small", 0), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
  int rc = patch(bytes, len, anchor, nth, pat, plen, repl);
  if (rc != 0) fprintf(stderr, "\npattern for %s not found in the xmodel\n", name);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  snprintf(path, cap, "%s/%s", PPRT_TEST_WORK_DIR, name);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, bytes, len), 0);
  free(bytes);
}

static void test_missing_attributes(void) {
  char path[1024];
  /* The DPU child's `runner` map renamed: loads, but no runner can be made (VART would abort). */
  static const char runner_key[] = "\n\x06runner\x12";
  write_patched("vart_norunner.xmodel", NULL, 0, runner_key, sizeof runner_key - 1, "\n\x06runnex\x12", path,
                sizeof path);
  CU_ASSERT_EQUAL(pprt_test_in_child(child_load, path), PPRT_STATUS_OK);
  static const char* libs[2] = {DUMMY_LIB, NULL};
  for (int l = 0; l < 2; ++l) {
    struct runner_arg a = {path, libs[l]};
    CU_ASSERT_EQUAL(pprt_test_in_child(child_runner, &a), PPRT_STATUS_MODEL_MISMATCH);
  }
  pprt_xmodel* m = load_ok(path);
  struct pprt_err e = {{0}};
  struct pprt_backend* r = NULL;
  CU_ASSERT_EQUAL(pprt_backend_create(PPRT_RUNNER_DUMMY, m, NULL, &r, &e), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "runner"));
  CU_ASSERT_PTR_NULL(r);
  pprt_xmodel_free(m);
  /* The map without its "run" entry. */
  static const char run_key[] = "\n\x03run\x12";
  write_patched("vart_norun.xmodel", NULL, 0, run_key, sizeof run_key - 1, "\n\x03ruN\x12", path, sizeof path);
  CU_ASSERT_EQUAL(pprt_test_in_child(child_load, path), PPRT_STATUS_OK);
  struct runner_arg a = {path, DUMMY_LIB};
  CU_ASSERT_EQUAL(pprt_test_in_child(child_runner, &a), PPRT_STATUS_MODEL_MISMATCH);
  /* The DPU input tensor's fix_point attribute renamed (its name appears as op name first, then as tensor name). */
  static const char fp_key[] = "\n\tfix_point";
  write_patched("vart_nofix.xmodel", "voxels_input_fix", 1, fp_key, sizeof fp_key - 1, "\n\tfix_poinX", path,
                sizeof path);
  int st = pprt_test_in_child(child_load, path);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_MODEL_MISMATCH);
  if (st == PPRT_STATUS_MODEL_MISMATCH) {
    m = NULL;
    CU_ASSERT_EQUAL(pprt_xmodel_load(path, &m, &e), PPRT_STATUS_MODEL_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "voxels_input_fix"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "fix_point"));
  }
  /* device "DPU" -> "DPX": no DPU subgraph left. */
  static const char dev_val[] = "Z\x03" "DPU";
  write_patched("vart_nodpu.xmodel", NULL, 0, dev_val, sizeof dev_val - 1, "Z\x03" "DPX", path, sizeof path);
  expect_load_fails(path, PPRT_STATUS_MODEL_MISMATCH, "expected one DPU subgraph, found 0");
}

/* ---- the probe ---- */

/* base/node/device/driver -> driver, in a fake /sys/class/drm at base. */
static void fake_drm_node(const char* base, const char* node, const char* driver) {
  char dir[600], link[700];
  snprintf(dir, sizeof dir, "%s/%s", base, node);
  CU_ASSERT(mkdir(dir, 0755) == 0 || errno == EEXIST);
  snprintf(dir, sizeof dir, "%s/%s/device", base, node);
  CU_ASSERT(mkdir(dir, 0755) == 0 || errno == EEXIST);
  snprintf(link, sizeof link, "%s/driver", dir);
  unlink(link);
  CU_ASSERT_EQUAL(symlink(driver, link), 0);
}

static void test_dpu_probe(void) {
  char desc[512] = "";
  int want = getenv("PPRT_TEST_HAVE_DPU") != NULL ? 1 : 0;
  CU_ASSERT_EQUAL(pprt_dpu_probe(desc, sizeof desc), want);
  CU_ASSERT(desc[0] != '\0');
  CU_ASSERT_EQUAL(pprt_dpu_probe(NULL, 0), want);
  /* A fake /sys/class/drm: an i915 node alone is no DPU, a zocl node is. */
  char base[512], link[700];
  snprintf(base, sizeof base, "%s/vart_fake_drm", PPRT_TEST_WORK_DIR);
  const char* nodes[2] = {"renderD128", "renderD129"};
  const char* drivers[2] = {"../../../bus/pci/drivers/i915", "../../../bus/platform/drivers/zocl"};
  CU_ASSERT(mkdir(base, 0755) == 0 || errno == EEXIST);
  snprintf(link, sizeof link, "%s/%s/device/driver", base, nodes[1]); /* from an earlier run */
  unlink(link);
  fake_drm_node(base, nodes[0], drivers[0]);
  CU_ASSERT_EQUAL(pprt_dpu_probe_at(base, NULL, desc, sizeof desc), 0);
  CU_ASSERT_EQUAL(pprt_dpu_probe_at(base, "/nonexistent/dri", desc, sizeof desc), 0);
  fake_drm_node(base, nodes[1], drivers[1]);
  CU_ASSERT_EQUAL(pprt_dpu_probe_at(base, NULL, desc, sizeof desc), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(desc, "renderD129"));
  CU_ASSERT_EQUAL(pprt_dpu_probe_at(NULL, NULL, desc, sizeof desc), 0);
}

/* ---- models with 0 / 2 DPU subgraphs (pprt-genmodel --dpu-count) ---- */

#if defined(PPRT_GENMODEL_EXE)
static void test_dpu_count(void) {
  static const int counts[2] = {0, 2};
  for (int c = 0; c < 2; ++c) {
    char dir[1024], count[16], out[4096];
    snprintf(dir, sizeof dir, "%s/vart_dpu%d", PPRT_TEST_WORK_DIR, counts[c]);
    snprintf(count, sizeof count, "%d", counts[c]);
    char* argv[16];
    int n = 0;
    /* pprt_test_run prefixes the cross emulator itself. */
    argv[n++] = (char*)PPRT_GENMODEL_EXE;
    argv[n++] = (char*)"--size";
    argv[n++] = (char*)"small";
    argv[n++] = (char*)"--dpu-count";
    argv[n++] = count;
    argv[n++] = (char*)"--out";
    argv[n++] = dir;
    argv[n] = NULL;
    int st = pprt_test_run(argv, out, sizeof out);
    if (st != 0) fprintf(stderr, "\npprt-genmodel --dpu-count %d: exit %d\n%s\n", counts[c], st, out);
    CU_ASSERT_EQUAL_FATAL(st, 0);
    for (int k = 0; k < 2; ++k) {
      char path[1200];
      snprintf(path, sizeof path, "%s/pointpillars_nuscenes_small_%d_pt/pointpillars_nuscenes_small_%d_pt.xmodel", dir,
               k, k);
      char want[64];
      snprintf(want, sizeof want, "expected one DPU subgraph, found %d", counts[c]);
      expect_load_fails(path, PPRT_STATUS_MODEL_MISMATCH, want);
    }
  }
}
#endif

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"load_small_models", test_load_small_models},
      {"load_bad_files", test_load_bad_files},
      {"null_safety", test_null_safety},
      {"dummy_runner", test_dummy_runner},
      {"host_backend", test_host_backend},
#ifdef PPRT_CPU_RUNNER_LIB
      {"plugin_backend", test_plugin_backend},
#endif
      {"unavailable_runners", test_unavailable_runners},
      {"missing_attributes", test_missing_attributes},
      {"dpu_probe", test_dpu_probe},
#if defined(PPRT_GENMODEL_EXE)
      {"dpu_count", test_dpu_count},
#endif
      {NULL, NULL},
  };
  int rc = pprt_test_main("vart", cases);
  free(g_dump[0]);
  free(g_dump[1]);
  return rc;
}
