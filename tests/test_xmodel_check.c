/* The xmodel validator (runtime/src/model/xmodel_check.c, docs/XMODEL-FORMS.md "Validation") and the forked-child
 * XIR load behind it: every real xmodel accepted, the 7-byte file, crafted damage with its message, truncations,
 * and seeded random byte changes of a generated model loaded and run in child processes (an abort or crash there is
 * a failure). Needs the small_model fixture (pprt-genmodel) and the CPU runner. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/vart_backend.h"
#include "model/xmodel.h"
#include "model/xmodel_check.h"
#include "pprt/pprt.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------------------------- */

static int check(const void* p, size_t n, struct pprt_xmodel_check* r) {
  return pprt_xmodel_check_bytes((const unsigned char*)p, n, r);
}

struct bytes {
  const unsigned char* p;
  size_t n;
};

/* XIR straight in this (child) process: exit 0 = it read them, 1 = a status. */
static int child_xir_direct(const void* arg) {
  const struct bytes* b = (const struct bytes*)arg;
  struct pprt_err e;
  return pprt_xmodel_load_bytes(b->p, b->n, PPRT_XMODEL_XIR_DIRECT, &e) == PPRT_STATUS_OK ? 0 : 1;
}

/* ---- a tiny protobuf writer for crafted graphs -------------------------------------------------------------- */

struct pb {
  unsigned char b[4096];
  size_t n;
};

static void pb_raw(struct pb* w, const void* p, size_t n) {
  CU_ASSERT_FATAL(w->n + n <= sizeof w->b);
  memcpy(w->b + w->n, p, n);
  w->n += n;
}
static void pb_varint(struct pb* w, uint64_t v) {
  do {
    unsigned char c = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v) c |= 0x80;
    pb_raw(w, &c, 1);
  } while (v);
}
static void pb_tag(struct pb* w, unsigned field, unsigned wire) { pb_varint(w, (uint64_t)field << 3 | wire); }
static void pb_uint(struct pb* w, unsigned field, uint64_t v) {
  pb_tag(w, field, 0);
  pb_varint(w, v);
}
static void pb_bytes(struct pb* w, unsigned field, const void* p, size_t n) {
  pb_tag(w, field, 2);
  pb_varint(w, n);
  pb_raw(w, p, n);
}
static void pb_str(struct pb* w, unsigned field, const char* s) { pb_bytes(w, field, s, strlen(s)); }
static void pb_msg(struct pb* w, unsigned field, const struct pb* m) { pb_bytes(w, field, m->b, m->n); }

/* An attribute map entry {key, AttrValue{kind: value message or scalar}}. */
static void attr_str(struct pb* w, unsigned field, const char* key, const char* value) {
  struct pb v = {{0}, 0}, e = {{0}, 0};
  pb_str(&v, 11, value);
  pb_str(&e, 1, key);
  pb_msg(&e, 2, &v);
  pb_msg(w, field, &e);
}
static void attr_i32vec(struct pb* w, unsigned field, const char* key, const int32_t* v, size_t n) {
  struct pb vec = {{0}, 0}, av = {{0}, 0}, e = {{0}, 0};
  for (size_t i = 0; i < n; ++i) pb_uint(&vec, 1, (uint64_t)(int64_t)v[i]);
  pb_msg(&av, 14, &vec);
  pb_str(&e, 1, key);
  pb_msg(&e, 2, &av);
  pb_msg(w, field, &e);
}

/* Knobs for the crafted graph: what to break. */
struct craft {
  int data_type;            /* the op's tensor data type (2 = XINT) */
  const char* child_op;     /* the op the one child subgraph names */
  const char* second_input; /* the op a second op reads */
  const char* second_name;  /* that op's name */
};

/* Graph{"g", op "in" (data: shape [1, 4], INT8) [, op second reading second_input], root{child{child_op}},
 * OpDef data {attrs shape, data_type} [, OpDef relu {input}]}: valid for XIR with the defaults below. */
static size_t craft_graph(const struct craft* k, unsigned char* out, size_t cap) {
  struct pb g = {{0}, 0}, op = {{0}, 0}, t = {{0}, 0}, root = {{0}, 0}, child = {{0}, 0}, def = {{0}, 0};
  pb_str(&g, 1, "g");
  static const int32_t shape[] = {1, 4};
  pb_str(&op, 1, "in");
  pb_str(&op, 2, "data");
  attr_i32vec(&op, 3, "shape", shape, 2);
  attr_str(&op, 3, "data_type", "INT8");
  pb_str(&t, 1, "in");
  pb_uint(&t, 2, 1);
  pb_uint(&t, 2, 4);
  if (k->data_type) pb_uint(&t, 5, (uint64_t)(int64_t)k->data_type);
  pb_uint(&t, 6, 8);
  pb_msg(&op, 5, &t);
  pb_msg(&g, 5, &op);
  if (k->second_input) {
    struct pb op2 = {{0}, 0}, arg = {{0}, 0}, t2 = {{0}, 0};
    pb_str(&op2, 1, k->second_name);
    pb_str(&op2, 2, "relu");
    pb_str(&arg, 1, "input");
    pb_str(&arg, 2, k->second_input);
    pb_msg(&op2, 4, &arg);
    pb_str(&t2, 1, k->second_name);
    pb_uint(&t2, 2, 1);
    pb_uint(&t2, 2, 4);
    pb_uint(&t2, 6, 8);
    pb_msg(&op2, 5, &t2);
    pb_msg(&g, 5, &op2);
  }
  pb_str(&root, 1, "root");
  pb_str(&child, 1, "subgraph_in");
  pb_str(&child, 3, k->child_op);
  if (k->second_input) pb_str(&child, 3, k->second_name);
  pb_msg(&root, 10, &child);
  pb_msg(&g, 10, &root);
  {
    struct pb a1 = {{0}, 0}, a2 = {{0}, 0}, dv = {{0}, 0}, vec = {{0}, 0};
    pb_str(&def, 1, "data");
    pb_str(&a1, 1, "shape");
    pb_msg(&dv, 14, &vec);
    pb_msg(&a1, 4, &dv);
    pb_msg(&def, 3, &a1);
    pb_str(&a2, 1, "data_type");
    dv.n = 0;
    pb_str(&dv, 11, "FLOAT32");
    pb_msg(&a2, 4, &dv);
    pb_msg(&def, 3, &a2);
    pb_msg(&g, 101, &def);
  }
  {
    struct pb d2 = {{0}, 0}, arg = {{0}, 0};
    pb_str(&d2, 1, "relu");
    pb_str(&arg, 1, "input");
    pb_msg(&d2, 2, &arg); /* occur_type 0: REQUIRED */
    pb_msg(&g, 101, &d2);
  }
  CU_ASSERT_FATAL(g.n <= cap);
  memcpy(out, g.b, g.n);
  return g.n;
}

static const struct craft k_good = {2, "in", "in", "act"};

/* The validator refuses bytes with a message containing want (and the path containing path if given). */
static void expect_refused(const void* p, size_t n, const char* want, const char* path, long offset) {
  struct pprt_xmodel_check r;
  CU_ASSERT_EQUAL(check(p, n, &r), 0);
  CU_ASSERT_EQUAL(r.ok, 0);
  char line[800];
  pprt_xmodel_check_format(&r, line, sizeof line);
  if (strstr(r.msg, want) == NULL || (path && strstr(r.path, path) == NULL) || (offset >= 0 && r.offset != (size_t)offset))
    fprintf(stderr, "\n  expected '%s' at %s offset %ld, got: %s\n", want, path ? path : "?", offset, line);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, want));
  if (path) CU_ASSERT_PTR_NOT_NULL(strstr(r.path, path));
  if (offset >= 0) CU_ASSERT_EQUAL(r.offset, (size_t)offset);
  CU_ASSERT(r.offset <= n);
}

/* ---- tests ------------------------------------------------------------------------------------------------ */

/* Every real xmodel there is: Xilinx's KITTI files, the demo model, pprt-genmodel's three forms. */
static void test_real_files_accepted(void) {
  struct {
    const char* path;
    size_t ops; /* 0: not pinned */
    int required;
  } files[] = {
      {PPRT_TEST_DATA_DIR "/demo-model/pointpillars_demo_0_pt/pointpillars_demo_0_pt.xmodel", 5, 1},
      {PPRT_TEST_DATA_DIR "/demo-model/pointpillars_demo_1_pt/pointpillars_demo_1_pt.xmodel", 29, 1},
      {PPRT_TEST_DATA_DIR "/xilinx-kitti/pointpillars_custom_op.xmodel", 89, 1},
      {PPRT_TEST_DATA_DIR "/xilinx-kitti/VoxelNet_int.xmodel", 166, 1},
      {PPRT_TEST_SOURCE_DIR "/fuzz/corpus/xmodel/demo_0_min.xmodel", 5, 1},
      {PPRT_TEST_SOURCE_DIR "/../../shared/data/xilinx-pointpillars-kitti/pointpillars_custom_op.xmodel", 89, 0},
      {PPRT_TEST_SOURCE_DIR "/../../shared/data/xilinx-pointpillars-kitti/VoxelNet_int.xmodel", 166, 0},
      {pprt_test_small_xmodel("small", 0), 5, 1},
      {pprt_test_small_xmodel("small", 1), 29, 1},
      {pprt_test_small_xmodel("small_compiled", 0), 7, 1},
      {pprt_test_small_xmodel("small_compiled", 1), 33, 1},
  };
  const char* quantized[2] = {pprt_test_small_xmodel("small_quantized", 0), pprt_test_small_xmodel("small_quantized", 1)};
  size_t checked = 0;
  for (size_t i = 0; i < sizeof files / sizeof files[0] + 2; ++i) {
    const char* path = i < sizeof files / sizeof files[0] ? files[i].path : quantized[i - sizeof files / sizeof files[0]];
    size_t n = 0;
    unsigned char* p = pprt_test_read_file(path, &n);
    if (p == NULL && i < sizeof files / sizeof files[0] && !files[i].required) continue;
    if (p == NULL) fprintf(stderr, "\n  cannot read %s\n", path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct pprt_xmodel_check r;
    const int ok = check(p, n, &r);
    char line[800];
    pprt_xmodel_check_format(&r, line, sizeof line);
    if (!ok) fprintf(stderr, "\n  %s: %s\n", path, line);
    CU_ASSERT_EQUAL(ok, 1);
    if (i < sizeof files / sizeof files[0] && files[i].ops) CU_ASSERT_EQUAL(r.ops, files[i].ops);
    CU_ASSERT(r.ops > 0 && r.op_defs > 0);
    /* ... and what the validator accepts, XIR reads (in a child: an abort would fail the test, not kill it) */
    struct bytes b = {p, n};
    CU_ASSERT_EQUAL(pprt_test_in_child(child_xir_direct, &b), 0);
    free(p);
    ++checked;
  }
  CU_ASSERT(checked >= 11);
  /* Through the loaders: the VART backend (validator + XIR in a child + XIR) and pprt inspect's reader. */
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  CU_ASSERT_EQUAL(pprt_xmodel_load(pprt_test_small_xmodel("small", 0), &m, &e), PPRT_STATUS_OK);
  pprt_xmodel_free(m);
  CU_ASSERT_EQUAL(pprt_xmodel_load_index(PPRT_TEST_DATA_DIR "/xilinx-kitti/pointpillars_custom_op.xmodel", 1, &m, &e),
                  PPRT_STATUS_OK);
  pprt_xmodel_free(m);
  FILE* devnull = fopen("/dev/null", "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(devnull);
  CU_ASSERT_EQUAL(pprt_xmodel_describe(pprt_test_small_xmodel("small_quantized", 1), devnull, &e), PPRT_STATUS_OK);
  fclose(devnull);
}

/* The 7-byte file of the report (a graph name and nothing else) passed the old top-level check and aborted XIR. */
static void test_seven_bytes(void) {
  static const unsigned char seven[7] = {0x0a, 0x05, 'h', 'e', 'l', 'l', 'o'};
  expect_refused(seven, 7, "Graph has no op_node", "Graph", 0);
  char path[1024];
  snprintf(path, sizeof path, "%s/xmodel_check_seven.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, seven, 7), 0);
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  CU_ASSERT_EQUAL(pprt_xmodel_load(path, &m, &e), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT_PTR_NULL(m);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a valid xmodel: offset 0, Graph: Graph has no op_node"));
  memset(&e, 0, sizeof e);
  FILE* devnull = fopen("/dev/null", "w");
  CU_ASSERT_EQUAL(pprt_xmodel_describe(path, devnull, &e), PPRT_STATUS_PARSE_ERROR);
  fclose(devnull);
  CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "Graph has no op_node"));
}

static void test_crafted(void) {
  unsigned char g[4096];
  size_t n = craft_graph(&k_good, g, sizeof g);
  struct pprt_xmodel_check r;
  char line[800];
  const int ok = check(g, n, &r);
  pprt_xmodel_check_format(&r, line, sizeof line);
  if (!ok) fprintf(stderr, "\n  crafted base refused: %s\n", line);
  CU_ASSERT_EQUAL_FATAL(ok, 1);
  CU_ASSERT_EQUAL(r.ops, 2);
  /* the crafted base is a graph XIR reads, so each break below is the only thing wrong */
  struct bytes b = {g, n};
  CU_ASSERT_EQUAL(pprt_test_in_child(child_xir_direct, &b), 0);
  struct pprt_err e = {{0}};
  CU_ASSERT_EQUAL(pprt_xmodel_load_bytes(g, n, PPRT_XMODEL_XIR_CHILD, &e), PPRT_STATUS_OK);

  /* wire format */
  static const unsigned char long_varint[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  expect_refused(long_varint, sizeof long_varint, "varint longer than", "Graph.graph_name", 1);
  static const unsigned char overflow[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
  expect_refused(overflow, sizeof overflow, "varint longer than 64 bits", NULL, 1);
  static const unsigned char overlong[] = {0x0a, 0x80, 0x00};
  expect_refused(overlong, sizeof overlong, "over-long varint", NULL, 1);
  static const unsigned char cut_varint[] = {0x0a, 0x80};
  expect_refused(cut_varint, sizeof cut_varint, "varint truncated", NULL, 1);
  static const unsigned char past_end[] = {0x0a, 0x10, 'a', 'b', 'c'};
  expect_refused(past_end, sizeof past_end, "length 16 runs past the end of its file", "Graph.graph_name", 1);
  static const unsigned char wrong_wire[] = {0x08, 0x01};
  expect_refused(wrong_wire, sizeof wrong_wire, "wire type 0 for string field graph_name", "Graph.graph_name", 0);
  static const unsigned char group[] = {0x0b, 0x0c};
  expect_refused(group, sizeof group, "wire type 3 for string field graph_name", NULL, 0);
  static const unsigned char unknown[] = {0x38, 0x01};
  expect_refused(unknown, sizeof unknown, "field number 7 (wire type 0) is not a field of serial_v2.Graph", "Graph", 0);
  static const unsigned char bad_utf8[] = {0x0a, 0x02, 'a', 0xff};
  expect_refused(bad_utf8, sizeof bad_utf8, "not valid UTF-8", "Graph.graph_name", 3);
  static const unsigned char twice[] = {0x0a, 0x01, 'a', 0x0a, 0x01, 'b'};
  expect_refused(twice, sizeof twice, "appears more than once", NULL, 3);
  /* A length past the end of a nested message (not the file): an op_node of 3 bytes whose name claims 5. */
  static const unsigned char nested[] = {0x2a, 0x03, 0x0a, 0x05, 'a', 'b', 'c', 'd', 'e'};
  expect_refused(nested, sizeof nested, "runs past the end of its message", "Graph.op_node[0].op_name", 3);

  /* structure */
  struct craft k = k_good;
  k.data_type = 9;
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "data_type 9 is not one XIR 2.5 knows", "Graph.op_node[0].output_tensor", -1);
  k.data_type = 5; /* UNKNOWN: XIR_INVALID_DATA_TYPE */
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "data_type 5", "output_tensor", -1);
  k = k_good;
  k.child_op = "missing";
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "subgraph names op 'missing', which is not in the graph", "Graph.subg_root.subg_child[0]", -1);
  k = k_good;
  k.second_input = "nope";
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "op 'act' reads 'nope', which is not an op defined before it", "Graph.op_node[1]", -1);
  k = k_good;
  k.second_input = "act"; /* reads itself */
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "reads 'act', which is not an op defined before it", NULL, -1);
  k = k_good;
  k.second_name = "in";
  n = craft_graph(&k, g, sizeof g);
  expect_refused(g, n, "op name 'in' used twice", "Graph.op_node[1]", -1);
}

/* Every prefix of a small xmodel is refused (PARSE_ERROR through the loader), and a sample of prefixes of the
 * generated models: refused, or (a cut between two trailing op definitions XIR does not need) read by XIR. */
static void test_truncations(void) {
  size_t n = 0;
  unsigned char* p = pprt_test_read_file(PPRT_TEST_SOURCE_DIR "/fuzz/corpus/xmodel/demo_0_min.xmodel", &n);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  size_t refused = 0;
  for (size_t len = 0; len < n; ++len) {
    struct pprt_xmodel_check r;
    refused += check(p, len, &r) == 0 && r.msg[0] != '\0' && r.offset <= len;
  }
  printf("\n  demo_0_min.xmodel: %zu of %zu truncations refused\n", refused, n);
  CU_ASSERT_EQUAL(refused, n);
  /* through the loader: a few cuts give PARSE_ERROR with the offset */
  char path[1024];
  snprintf(path, sizeof path, "%s/xmodel_check_cut.xmodel", PPRT_TEST_WORK_DIR);
  const size_t cuts[] = {1, 2, 100, n / 2, n - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; ++i) {
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, p, cuts[i]), 0);
    pprt_xmodel* m = NULL;
    struct pprt_err e = {{0}};
    CU_ASSERT_EQUAL(pprt_xmodel_load(path, &m, &e), PPRT_STATUS_PARSE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a valid xmodel: offset "));
  }
  free(p);

  for (int k = 0; k < 2; ++k) {
    p = pprt_test_read_file(pprt_test_small_xmodel("small", k), &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t tried = 0, accepted = 0, xir_ok = 0;
    for (size_t len = 0; len < n; len += 1 + (len % 97)) {
      struct pprt_xmodel_check r;
      ++tried;
      if (!check(p, len, &r)) continue;
      ++accepted;
      struct bytes b = {p, len};
      const int st = pprt_test_in_child(child_xir_direct, &b);
      if (st != 0) fprintf(stderr, "\n  cut at %zu of %zu accepted, XIR child exit %d\n", len, n, st);
      xir_ok += st == 0;
    }
    printf("  small_%d.xmodel: %zu cuts, %zu refused, %zu accepted (all read by XIR: %s)\n", k, tried,
           tried - accepted, accepted, xir_ok == accepted ? "yes" : "NO");
    CU_ASSERT_EQUAL(xir_ok, accepted);
    CU_ASSERT(tried - accepted >= tried * 9 / 10);
    free(p);
  }
}

/* ---- 1-3 random bytes changed in a generated model, loaded and run in a child --------------------------------- */

struct mut_arg {
  const char* dir;
};

/* exit 0: created and ran a frame; 10 + status: pprt_runtime_create refused; 40 + status: the frame failed. */
static int child_create_run(const void* arg) {
  const struct mut_arg* a = (const struct mut_arg*)arg;
  /* the child's own stderr (XIR's warnings) is not the test's output */
  if (freopen("/dev/null", "w", stderr) == NULL) return 99;
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = a->dir;
  o.runner = PPRT_RUNNER_CPU;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  if (st != PPRT_STATUS_OK) return 10 + (int)st;
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep key;
  if (pprt_cloud_create(100000, &cloud) != PPRT_STATUS_OK ||
      pprt_cloud_load(cloud, pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"), PPRT_FORMAT_AUTO,
                      1532402927647951LL, &key) != PPRT_STATUS_OK)
    return 98;
  struct pprt_box boxes[64];
  uint32_t nb = 0;
  st = pprt_runtime_run(rt, &key, 1, boxes, 64, &nb);
  pprt_cloud_destroy(cloud);
  pprt_runtime_destroy(rt);
  return st == PPRT_STATUS_OK ? 0 : 40 + (int)st;
}

/* Which stage refused a mutated model, from the message the child would print: one more child that only loads. */
static int child_load_msg(const void* arg) {
  const char* path = (const char*)arg;
  pprt_xmodel* m = NULL;
  struct pprt_err e = {{0}};
  enum pprt_status st = pprt_xmodel_load_index(path, 0, &m, &e);
  pprt_xmodel_free(m);
  if (st == PPRT_STATUS_OK) return 0;
  if (strstr(e.msg, "not a valid xmodel")) return 1;
  if (strstr(e.msg, "caught in a child process")) return 2;
  return 3;
}

static void copy_file(const char* from, const char* to) {
  size_t n = 0;
  void* p = pprt_test_read_file(from, &n);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(to, p, n), 0);
  free(p);
}

static void test_mutations(void) {
  const int count = getenv("PPRT_XMODEL_MUTATIONS") ? atoi(getenv("PPRT_XMODEL_MUTATIONS")) : 240;
  char dir[512], sub[2][640], xm[2][1400], src[1024];
  snprintf(dir, sizeof dir, "%s/xmodel_mut", PPRT_TEST_WORK_DIR);
  mkdir(dir, 0755);
  for (int k = 0; k < 2; ++k) {
    snprintf(sub[k], sizeof sub[k], "%s/pointpillars_nuscenes_small_%d_pt", dir, k);
    mkdir(sub[k], 0755);
    snprintf(xm[k], sizeof xm[k], "%s/pointpillars_nuscenes_small_%d_pt.xmodel", sub[k], k);
    copy_file(pprt_test_small_xmodel("small", k), xm[k]);
    char to[1400];
    static const char* const ext[] = {"prototxt", "pprt"};
    for (int x = 0; x < 2; ++x) {
      snprintf(src, sizeof src, "%s/small/pointpillars_nuscenes_small_%d_pt/pointpillars_nuscenes_small_%d_pt.%s",
               PPRT_TEST_WORK_DIR, k, k, ext[x]);
      snprintf(to, sizeof to, "%s/pointpillars_nuscenes_small_%d_pt.%s", sub[k], k, ext[x]);
      copy_file(src, to);
    }
  }
  unsigned char* orig[2];
  size_t len[2];
  for (int k = 0; k < 2; ++k) {
    orig[k] = pprt_test_read_file(xm[k], &len[k]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(orig[k]);
  }
  /* the unmutated pair runs */
  struct mut_arg a = {dir};
  const int base = pprt_test_in_child(child_create_run, &a);
  if (base != 0) fprintf(stderr, "\n  the unmutated pair: child exit %d\n", base);
  CU_ASSERT_EQUAL_FATAL(base, 0);

  int ran = 0, refused_validator = 0, refused_xir_child = 0, refused_other = 0, frame_failed = 0, crashed = 0;
  int refused_by_stage[4] = {0};
  for (int s = 0; s < count; ++s) {
    struct pprt_rng rng;
    pprt_rng_seed(&rng, 0x786d6f64656c0000ull + (uint64_t)s); /* fixed seeds: the counts below are reproducible */
    const int k = (int)pprt_rng_u32(&rng, 2);
    unsigned char* p = (unsigned char*)malloc(len[k]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, orig[k], len[k]);
    const int changes = 1 + (int)pprt_rng_u32(&rng, 3);
    for (int c = 0; c < changes; ++c) {
      const size_t at = pprt_rng_u32(&rng, (uint32_t)len[k]);
      p[at] = (unsigned char)(p[at] ^ (1 + pprt_rng_u32(&rng, 255)));
    }
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(xm[k], p, len[k]), 0);
    const int st = pprt_test_in_child(child_create_run, &a);
    if (st == 0) ++ran;
    else if (st >= 128) {
      ++crashed;
      fprintf(stderr, "\n  mutation seed %d (model %d): child died with signal %d\n", s, k, st - 128);
    } else if (st >= 40 && st < 90) ++frame_failed;
    else if (st >= 10 && st < 40) {
      struct pprt_xmodel_check r;
      if (!check(p, len[k], &r)) ++refused_validator;
      else {
        const int stage = pprt_test_in_child(child_load_msg, xm[k]);
        if (stage == 2) ++refused_xir_child;
        else ++refused_other;
        if (stage >= 0 && stage < 4) ++refused_by_stage[stage];
      }
    } else {
      ++crashed;
      fprintf(stderr, "\n  mutation seed %d: unexpected child exit %d\n", s, st);
    }
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(xm[k], orig[k], len[k]), 0);
    free(p);
  }
  printf("\n  %d mutated models (1-3 bytes changed, fixed seeds): %d refused by the validator, %d refused by XIR in "
         "the child process, %d refused later by pprt's model checks, %d loaded but the frame failed, %d loaded and "
         "ran, %d aborted or crashed\n",
         count, refused_validator, refused_xir_child, refused_other, frame_failed, ran, crashed);
  CU_ASSERT_EQUAL(crashed, 0);
  CU_ASSERT_EQUAL(refused_validator + refused_xir_child + refused_other + frame_failed + ran, count);
  CU_ASSERT(refused_validator > 0 && ran > 0);
  for (int k = 0; k < 2; ++k) free(orig[k]);
}

/* The commands: pprt inspect, pprt-check (what `pprt check` runs) and pprt run on a damaged xmodel end with their
 * error exit status and the validator's message, and on an xmodel only XIR can refuse (a conv2d-fix whose type
 * became conv3d-fix: XIR's shape inference aborts) with the message from the child process. */
static void test_commands(void) {
  static char out[1 << 15];
  char seven[1024], swapped[1024];
  static const unsigned char bytes[7] = {0x0a, 0x05, 'h', 'e', 'l', 'l', 'o'};
  snprintf(seven, sizeof seven, "%s/xmodel_check_cmd7.xmodel", PPRT_TEST_WORK_DIR);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(seven, bytes, sizeof bytes), 0);
  snprintf(swapped, sizeof swapped, "%s/fuzz/regress/xmodel/conv2d_became_conv3d", PPRT_TEST_SOURCE_DIR);
  {
    char* argv[] = {(char*)PPRT_EXE, (char*)"inspect", seven, NULL};
    const int rc = pprt_test_run(argv, out, sizeof out);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a valid xmodel: offset 0, Graph: Graph has no op_node"));
  }
  {
    char* argv[] = {(char*)PPRT_CHECK_EXE, seven, NULL};
    const int rc = pprt_test_run(argv, out, sizeof out);
    CU_ASSERT_EQUAL(rc, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a valid xmodel: offset 0"));
  }
  {
    char* argv[] = {(char*)PPRT_EXE, (char*)"inspect", swapped, NULL};
    const int rc = pprt_test_run(argv, out, sizeof out);
    if (rc != 1 || strstr(out, "XIR aborted reading it (caught in a child process)") == NULL)
      fprintf(stderr, "\n  pprt inspect %s: exit %d: %s\n", swapped, rc, out);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "XIR aborted reading it (caught in a child process)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "[UNILOG][FATAL]")); /* XIR's own reason, from the child's stderr */
  }
  {
    /* pprt run on a model folder whose subgraph 0 is the 7-byte file */
    char dir[512], sub0[700], path[1400], to[1400], from[1024];
    snprintf(dir, sizeof dir, "%s/xmodel_cmd_model", PPRT_TEST_WORK_DIR);
    mkdir(dir, 0755);
    for (int k = 0; k < 2; ++k) {
      snprintf(sub0, sizeof sub0, "%s/pointpillars_nuscenes_small_%d_pt", dir, k);
      mkdir(sub0, 0755);
      static const char* const ext[] = {"prototxt", "pprt", "xmodel"};
      for (int x = 0; x < 3; ++x) {
        snprintf(from, sizeof from, "%s/small/pointpillars_nuscenes_small_%d_pt/pointpillars_nuscenes_small_%d_pt.%s",
                 PPRT_TEST_WORK_DIR, k, k, ext[x]);
        snprintf(to, sizeof to, "%s/pointpillars_nuscenes_small_%d_pt.%s", sub0, k, ext[x]);
        copy_file(from, to);
      }
      if (k == 0) snprintf(path, sizeof path, "%s/pointpillars_nuscenes_small_0_pt.xmodel", sub0);
    }
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(path, bytes, sizeof bytes), 0);
    char* argv[] = {(char*)PPRT_EXE, (char*)"run", (char*)"--model", dir, (char*)"--runner", (char*)"cpu",
                    (char*)pprt_test_data("nuscenes_lidar_top_1532402927647951.pcd.bin"), NULL};
    const int rc = pprt_test_run(argv, out, sizeof out);
    if (rc != 1) fprintf(stderr, "\n  pprt run: exit %d: %s\n", rc, out);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "parse error"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "not a valid xmodel: offset 0, Graph: Graph has no op_node"));
  }
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"real_files_accepted", test_real_files_accepted},
      {"seven_bytes", test_seven_bytes},
      {"crafted", test_crafted},
      {"truncations", test_truncations},
      {"commands", test_commands},
      {"mutations", test_mutations},
      {NULL, NULL},
  };
  return pprt_test_main("xmodel_check", cases);
}
