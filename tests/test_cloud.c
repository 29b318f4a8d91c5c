/* Point input: pprt_cloud_* and pprt_info_load against the real sweeps in tests/data, files written here, and
 * malformed inputs (every error path is leak-checked when the suite runs under ASan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pprt/pprt.h"
#include "testutil.h"

#define NUS_FILE "nuscenes_lidar_top_1532402927647951.pcd.bin"
#define NUS_POINTS 34688u
#define KITTI_FILE "kitti_000008.bin"
#define KITTI_POINTS 17238u

static pprt_cloud_t* mk(uint32_t cap) {
  pprt_cloud_t* c = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(cap, &c), PPRT_STATUS_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  return c;
}

static const char* work_file(const char* name, const void* data, size_t len) {
  const char* p = pprt_test_work(name);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(p, data, len), 0);
  return p;
}

static const char* work_text(const char* name, const char* text) { return work_file(name, text, strlen(text)); }

static int err_has(const char* needle) {
  const char* m = pprt_last_error();
  if (strstr(m, needle) != NULL) return 1;
  printf("\n  last error \"%s\" lacks \"%s\"\n", m, needle);
  return 0;
}

static void poison_sweep(struct pprt_sweep* s) { memset(s, 0xA5, sizeof *s); }

static void check_identity(const struct pprt_sweep* s) {
  static const float id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  CU_ASSERT_EQUAL(memcmp(s->rotation, id, sizeof id), 0);
  CU_ASSERT_EQUAL(s->translation[0], 0.0f);
  CU_ASSERT_EQUAL(s->translation[1], 0.0f);
  CU_ASSERT_EQUAL(s->translation[2], 0.0f);
}

/* ------------------------------------------------------------------ raw files */

static void test_nuscenes_real(void) {
  size_t len = 0;
  float* ref = pprt_test_read_file(pprt_test_data(NUS_FILE), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
  CU_ASSERT_EQUAL_FATAL(len, (size_t)NUS_POINTS * 20u);
  pprt_cloud_t* c = mk(40000);
  const enum pprt_point_format fmts[2] = {PPRT_FORMAT_NUSCENES_BIN, PPRT_FORMAT_AUTO};
  for (int k = 0; k < 2; ++k) {
    struct pprt_sweep s;
    poison_sweep(&s);
    CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(c, pprt_test_data(NUS_FILE), fmts[k], 1532402927647951LL, &s),
                          PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(s.num_points, NUS_POINTS);
    CU_ASSERT_EQUAL(s.point_stride, 5u);
    CU_ASSERT_EQUAL(s.timestamp_us, 1532402927647951LL);
    CU_ASSERT_EQUAL((uintptr_t)s.points % 64u, 0u);
    check_identity(&s);
    CU_ASSERT_EQUAL(memcmp(s.points, ref, 20), 0);                                          /* first point */
    CU_ASSERT_EQUAL(memcmp(s.points + 5 * (NUS_POINTS - 1), ref + 5 * (NUS_POINTS - 1), 20), 0); /* last */
    CU_ASSERT_EQUAL(memcmp(s.points, ref, len), 0);                                         /* every float */
  }
  free(ref);
  pprt_cloud_destroy(c);
}

static void test_kitti_real(void) {
  size_t len = 0;
  float* ref = pprt_test_read_file(pprt_test_data(KITTI_FILE), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
  CU_ASSERT_EQUAL_FATAL(len, (size_t)KITTI_POINTS * 16u);
  pprt_cloud_t* c = mk(20000);
  const enum pprt_point_format fmts[2] = {PPRT_FORMAT_KITTI_BIN, PPRT_FORMAT_AUTO};
  for (int k = 0; k < 2; ++k) {
    struct pprt_sweep s;
    poison_sweep(&s);
    CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(c, pprt_test_data(KITTI_FILE), fmts[k], 7, &s), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(s.num_points, KITTI_POINTS);
    CU_ASSERT_EQUAL(s.point_stride, 5u);
    CU_ASSERT_EQUAL(s.timestamp_us, 7);
    check_identity(&s);
    unsigned bad = 0;
    for (uint32_t i = 0; i < KITTI_POINTS; ++i) {
      if (memcmp(s.points + 5 * i, ref + 4 * i, 16) != 0 || s.points[5 * i + 4] != 0.0f) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0u);
  }
  free(ref);
  pprt_cloud_destroy(c);
}

static uint32_t load_count(pprt_cloud_t* c, const char* path, enum pprt_point_format f, enum pprt_status want) {
  struct pprt_sweep s;
  poison_sweep(&s);
  enum pprt_status st = pprt_cloud_load(c, path, f, 0, &s);
  CU_ASSERT_EQUAL(st, want);
  if (st != want) printf("\n  %s: status %d, want %d: %s\n", path, (int)st, (int)want, pprt_last_error());
  return st == PPRT_STATUS_OK ? s.num_points : UINT32_MAX;
}

static void test_auto_detection(void) {
  size_t nlen = 0, klen = 0;
  char* nus = pprt_test_read_file(pprt_test_data(NUS_FILE), &nlen);
  char* kit = pprt_test_read_file(pprt_test_data(KITTI_FILE), &klen);
  CU_ASSERT_PTR_NOT_NULL_FATAL(nus);
  CU_ASSERT_PTR_NOT_NULL_FATAL(kit);
  CU_ASSERT_EQUAL(nlen % 80, 0u); /* the real sweep's size is a multiple of both 20 and 16 */
  pprt_cloud_t* c = mk(50000);
  /* both multiples: the name decides */
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_sweep.bin", nus, nlen), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  (uint32_t)(nlen / 16));
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_nuscenes_sweep.bin", nus, nlen), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  NUS_POINTS);
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_LIDAR_TOP_1.bin", nus, nlen), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  NUS_POINTS);
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_sweep.pcd.bin", nus, nlen), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  NUS_POINTS);
  /* only one multiple */
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_kitti.bin", kit, klen), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  KITTI_POINTS);
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_three.bin", nus, 60), PPRT_FORMAT_AUTO, PPRT_STATUS_OK), 3u);
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_two.bin", nus, 32), PPRT_FORMAT_AUTO, PPRT_STATUS_OK), 2u);
  /* neither */
  load_count(c, work_file("cloud_odd.bin", nus, 61), PPRT_FORMAT_AUTO, PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(err_has("size 61 is not a whole number of points (20 or 16 bytes each)"));
  CU_ASSERT(err_has("cloud_odd.bin"));
  /* .pcd */
  CU_ASSERT_EQUAL(load_count(c,
                             work_text("cloud_auto.pcd", "VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\n"
                                                         "WIDTH 2\nHEIGHT 1\nPOINTS 2\nDATA ascii\n1 2 3\n4 5 6\n"),
                             PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  2u);
  free(nus);
  free(kit);
  pprt_cloud_destroy(c);
}

static void test_truncated(void) {
  size_t nlen = 0;
  char* nus = pprt_test_read_file(pprt_test_data(NUS_FILE), &nlen);
  CU_ASSERT_PTR_NOT_NULL_FATAL(nus);
  char size_str[32];
  snprintf(size_str, sizeof size_str, "%zu", nlen - 7);
  pprt_cloud_t* c = mk(50000);
  const char* p = work_file("cloud_trunc.pcd.bin", nus, nlen - 7);
  load_count(c, p, PPRT_FORMAT_AUTO, PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(err_has(size_str));
  CU_ASSERT(err_has("cloud_trunc.pcd.bin"));
  load_count(c, p, PPRT_FORMAT_NUSCENES_BIN, PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(err_has(size_str));
  CU_ASSERT(err_has("13 bytes left over")); /* 693753 % 20 */
  load_count(c, work_file("cloud_trunc.bin", nus, nlen - 7), PPRT_FORMAT_AUTO, PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(err_has(size_str));
  load_count(c, work_file("cloud_sixty.bin", nus, 60), PPRT_FORMAT_KITTI_BIN, PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(err_has("size 60"));
  CU_ASSERT(err_has("12 bytes left over"));
  free(nus);
  pprt_cloud_destroy(c);
}

static void test_empty(void) {
  pprt_cloud_t* c = mk(10);
  const char* p = work_file("cloud_empty.bin", "", 0);
  const char* q = work_file("cloud_empty.pcd.bin", "", 0);
  float three[15] = {0};
  CU_ASSERT_EQUAL(load_count(c, work_file("cloud_e3.bin", three, sizeof three), PPRT_FORMAT_AUTO, PPRT_STATUS_OK),
                  3u);
  CU_ASSERT_EQUAL(load_count(c, p, PPRT_FORMAT_AUTO, PPRT_STATUS_OK), 0u);
  CU_ASSERT_EQUAL(load_count(c, p, PPRT_FORMAT_NUSCENES_BIN, PPRT_STATUS_OK), 0u);
  CU_ASSERT_EQUAL(load_count(c, p, PPRT_FORMAT_KITTI_BIN, PPRT_STATUS_OK), 0u);
  CU_ASSERT_EQUAL(load_count(c, q, PPRT_FORMAT_AUTO, PPRT_STATUS_OK), 0u);
  /* an empty PCD file has no header: that is malformed, not empty */
  load_count(c, work_file("cloud_empty.pcd", "", 0), PPRT_FORMAT_AUTO, PPRT_STATUS_PARSE_ERROR);
  pprt_cloud_destroy(c);
}

static void test_nonfinite(void) {
  float v[8 * 5];
  for (int i = 0; i < 8 * 5; ++i) v[i] = (float)i * 0.5f;
  uint32_t qnan_payload = 0x7fc01234u, neg_nan = 0xffc00001u;
  memcpy(&v[0], &qnan_payload, 4);
  memcpy(&v[6], &neg_nan, 4);
  v[12] = INFINITY;
  v[18] = -INFINITY;
  v[23] = NAN;
  v[24] = -0.0f;
  v[39] = NAN;
  pprt_cloud_t* c = mk(8);
  struct pprt_sweep s;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(c, work_file("cloud_nan.pcd.bin", v, sizeof v), PPRT_FORMAT_AUTO, 0, &s),
                        PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(s.num_points, 8u);
  CU_ASSERT_EQUAL(memcmp(s.points, v, sizeof v), 0); /* NaN payloads, infinities and -0 kept bit for bit */
  /* the same 40 floats as 10 KITTI points */
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(c, work_file("cloud_nan_k.bin", v, 32 * 4), PPRT_FORMAT_KITTI_BIN, 0, &s),
                        PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(s.num_points, 8u);
  CU_ASSERT_EQUAL(memcmp(&s.points[0], &v[0], 4), 0);         /* NaN with payload */
  CU_ASSERT_EQUAL(memcmp(&s.points[5 * 1 + 2], &v[6], 4), 0); /* negative NaN */
  CU_ASSERT(isinf(s.points[5 * 3 + 0]) && s.points[15] > 0);   /* v[12] */
  CU_ASSERT(isinf(s.points[5 * 4 + 2]) && s.points[22] < 0);   /* v[18] */
  pprt_cloud_destroy(c);
}

static void test_capacity(void) {
  pprt_cloud_t* c = mk(100);
  struct pprt_sweep s;
  poison_sweep(&s);
  CU_ASSERT_EQUAL(pprt_cloud_load(c, pprt_test_data(NUS_FILE), PPRT_FORMAT_AUTO, 0, &s), PPRT_STATUS_CAPACITY);
  CU_ASSERT(err_has("34688"));
  CU_ASSERT(err_has("100"));
  CU_ASSERT(err_has(NUS_FILE));
  CU_ASSERT_EQUAL(s.num_points, 0u);
  load_count(c, pprt_test_data(KITTI_FILE), PPRT_FORMAT_AUTO, PPRT_STATUS_CAPACITY);
  CU_ASSERT(err_has("17238"));
  load_count(c,
             work_text("cloud_cap.pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 101\nHEIGHT 1\nDATA binary\n"),
             PPRT_FORMAT_PCD, PPRT_STATUS_CAPACITY);
  CU_ASSERT(err_has("101"));
  /* exactly full, then reuse after the failures */
  float pts[100 * 5];
  for (int i = 0; i < 500; ++i) pts[i] = (float)i;
  CU_ASSERT_EQUAL(pprt_cloud_load(c, work_file("cloud_full.pcd.bin", pts, sizeof pts), PPRT_FORMAT_AUTO, 0, &s),
                  PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(s.num_points, 100u);
  CU_ASSERT_EQUAL(memcmp(s.points, pts, sizeof pts), 0);
  pprt_cloud_destroy(c);
}

static void test_missing_and_args(void) {
  pprt_cloud_t* c = mk(10);
  struct pprt_sweep s;
  const char* p = pprt_test_work("cloud_does_not_exist.pcd.bin");
  unlink(p);
  CU_ASSERT_EQUAL(pprt_cloud_load(c, p, PPRT_FORMAT_AUTO, 0, &s), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(err_has("cloud_does_not_exist.pcd.bin"));
  CU_ASSERT_EQUAL(pprt_cloud_load(c, PPRT_TEST_WORK_DIR, PPRT_FORMAT_NUSCENES_BIN, 0, &s), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(err_has("not a regular file"));
  CU_ASSERT_EQUAL(pprt_cloud_load(NULL, p, PPRT_FORMAT_AUTO, 0, &s), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_cloud_load(c, NULL, PPRT_FORMAT_AUTO, 0, &s), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_cloud_load(c, p, PPRT_FORMAT_AUTO, 0, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_cloud_load(c, pprt_test_data(NUS_FILE), (enum pprt_point_format)42, 0, &s),
                  PPRT_STATUS_INVALID_ARGUMENT);
  pprt_cloud_t* z = (pprt_cloud_t*)&s;
  CU_ASSERT_EQUAL(pprt_cloud_create(0, &z), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(z);
  CU_ASSERT(err_has("max_points"));
  CU_ASSERT_EQUAL(pprt_cloud_create(5, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_cloud_destroy(NULL);
  /* pprt_sweep_init */
  float pts[10] = {0};
  poison_sweep(&s);
  pprt_sweep_init(&s, pts, 2, 5, -3);
  CU_ASSERT_PTR_EQUAL(s.points, pts);
  CU_ASSERT_EQUAL(s.num_points, 2u);
  CU_ASSERT_EQUAL(s.point_stride, 5u);
  CU_ASSERT_EQUAL(s.timestamp_us, -3);
  check_identity(&s);
  pprt_cloud_destroy(c);
}

/* ------------------------------------------------------------------ PCD */

#define PCD_N 300u

static void ref_points(float* ref) {
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed() ^ 0xC10DULL);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    for (int k = 0; k < 3; ++k) ref[5 * i + k] = (float)((int)pprt_rng_u32(&rng, 6401) - 3200) / 64.0f;
    ref[5 * i + 3] = (float)pprt_rng_u32(&rng, 256);
    ref[5 * i + 4] = (float)pprt_rng_u32(&rng, 513) / 1024.0f;
  }
}

struct buf {
  char* p;
  size_t n, cap;
};

static void put(struct buf* b, const void* d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 256;
    b->p = realloc(b->p, b->cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b->p);
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void puts_(struct buf* b, const char* s) { put(b, s, strlen(s)); }

static void check_pcd(const char* name, const struct buf* b, const float* want, uint32_t n) {
  pprt_cloud_t* c = mk(PCD_N);
  struct pprt_sweep s;
  enum pprt_status st = pprt_cloud_load(c, work_file(name, b->p, b->n), PPRT_FORMAT_AUTO, 5, &s);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
  if (st != PPRT_STATUS_OK) printf("\n  %s: %s\n", name, pprt_last_error());
  if (st == PPRT_STATUS_OK) {
    CU_ASSERT_EQUAL(s.num_points, n);
    CU_ASSERT_EQUAL(s.point_stride, 5u);
    unsigned bad = 0;
    for (uint32_t i = 0; i < n * 5 && s.num_points == n; ++i) bad += memcmp(&s.points[i], &want[i], 4) != 0;
    CU_ASSERT_EQUAL(bad, 0u);
    if (bad) printf("\n  %s: %u values differ\n", name, bad);
  }
  pprt_cloud_destroy(c);
}

static void test_pcd_equivalence(void) {
  static float ref[PCD_N * 5];
  ref_points(ref);
  char line[512];
  struct buf b = {0};

  /* A: ascii, all F4, the canonical order, comments, VIEWPOINT */
  puts_(&b, "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS x y z intensity time\n"
            "SIZE 4 4 4 4 4\nTYPE F F F F F\nCOUNT 1 1 1 1 1\n");
  snprintf(line, sizeof line, "WIDTH %u\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS %u\nDATA ascii\n", PCD_N, PCD_N);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    const float* p = ref + 5 * i;
    snprintf(line, sizeof line, "%.9g %.9g %.9g %.9g %.9g\n", p[0], p[1], p[2], p[3], p[4]);
    puts_(&b, line);
  }
  check_pcd("cloud_a.pcd", &b, ref, PCD_N);

  /* B: binary, other order and types, padding fields, 41-byte unaligned records */
  b.n = 0;
  puts_(&b, "VERSION .7\nFIELDS timestamp rgb intensity z normal y x\nSIZE 8 4 1 4 4 8 4\nTYPE F U U F F F F\n"
            "COUNT 1 1 1 1 3 1 1\n");
  snprintf(line, sizeof line, "WIDTH %u\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS %u\nDATA binary\n", PCD_N, PCD_N);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    const float* p = ref + 5 * i;
    double t = p[4], y = p[1];
    uint32_t rgb = 0xdeadbeefu;
    uint8_t in = (uint8_t)p[3];
    float normal[3] = {NAN, 1.0f, 2.0f};
    put(&b, &t, 8);
    put(&b, &rgb, 4);
    put(&b, &in, 1);
    put(&b, &p[2], 4);
    put(&b, normal, 12);
    put(&b, &y, 8);
    put(&b, &p[0], 4);
  }
  check_pcd("cloud_b.pcd", &b, ref, PCD_N);

  /* C: binary, organized (HEIGHT 2, no POINTS), integer intensity I2, 't' as the time field, a '_' pad */
  b.n = 0;
  snprintf(line, sizeof line,
           "FIELDS x y z _ intensity t\nSIZE 4 4 4 1 2 4\nTYPE F F F U I F\nCOUNT 1 1 1 3 1 1\nWIDTH %u\nHEIGHT 2\n"
           "DATA binary\n",
           PCD_N / 2);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    const float* p = ref + 5 * i;
    uint8_t pad[3] = {1, 2, 3};
    int16_t in = (int16_t)p[3];
    put(&b, p, 12);
    put(&b, pad, 3);
    put(&b, &in, 2);
    put(&b, &p[4], 4);
  }
  check_pcd("cloud_c.pcd", &b, ref, PCD_N);

  /* D: ascii, shuffled with mixed types, CRLF, blank lines, both 'ring' and 'time' (time wins) */
  b.n = 0;
  snprintf(line, sizeof line,
           "VERSION .7\r\nFIELDS intensity y x ring z time\r\nSIZE 1 8 4 2 4 8\r\nTYPE U F F U F F\r\n"
           "COUNT 1 1 1 1 1 1\r\nWIDTH %u\r\nHEIGHT 1\r\nPOINTS %u\r\nDATA ascii\r\n",
           PCD_N, PCD_N);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    const float* p = ref + 5 * i;
    snprintf(line, sizeof line, "%d\t%.17g  %.9g %u %.9g %.17g\r\n%s", (int)p[3], (double)p[1], p[0], i % 32, p[2],
             (double)p[4], i % 7 == 0 ? "\r\n" : "");
    puts_(&b, line);
  }
  check_pcd("cloud_d.pcd", &b, ref, PCD_N);

  /* E: only x y z (intensity and the fifth value become 0), 'ring' alone feeds the fifth value */
  static float ref_e[PCD_N * 5];
  memcpy(ref_e, ref, sizeof ref_e);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    ref_e[5 * i + 3] = 0.0f;
    ref_e[5 * i + 4] = (float)(i % 32);
  }
  b.n = 0;
  snprintf(line, sizeof line, "FIELDS x y z ring\nSIZE 4 4 4 2\nTYPE F F F U\nWIDTH %u\nDATA binary\n", PCD_N);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) {
    uint16_t r = (uint16_t)(i % 32);
    put(&b, ref + 5 * i, 12);
    put(&b, &r, 2);
  }
  check_pcd("cloud_e.pcd", &b, ref_e, PCD_N);
  for (uint32_t i = 0; i < PCD_N; ++i) ref_e[5 * i + 4] = 0.0f;
  b.n = 0;
  snprintf(line, sizeof line, "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH %u\nDATA binary\n", PCD_N);
  puts_(&b, line);
  for (uint32_t i = 0; i < PCD_N; ++i) put(&b, ref + 5 * i, 12);
  check_pcd("cloud_e2.pcd", &b, ref_e, PCD_N);

  /* an empty PCD */
  b.n = 0;
  puts_(&b, "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 0\nHEIGHT 1\nPOINTS 0\nDATA binary\n");
  check_pcd("cloud_empty_hdr.pcd", &b, ref, 0);
  free(b.p);
}

struct bad_case {
  const char* text;
  size_t len; /* 0: strlen */
  enum pprt_status status;
  const char* needle1;
  const char* needle2;
};

static void run_bad_pcd(const struct bad_case* bc, int i) {
  pprt_cloud_t* c = mk(100);
  struct pprt_sweep s;
  char name[64];
  snprintf(name, sizeof name, "cloud_bad_%d.pcd", i);
  const char* p = work_file(name, bc->text, bc->len ? bc->len : strlen(bc->text));
  enum pprt_status st = pprt_cloud_load(c, p, PPRT_FORMAT_AUTO, 0, &s);
  CU_ASSERT_EQUAL(st, bc->status);
  if (st != bc->status) printf("\n  case %d: status %d: %s\n", i, (int)st, pprt_last_error());
  CU_ASSERT(err_has(name));
  if (bc->needle1) CU_ASSERT(err_has(bc->needle1));
  if (bc->needle2) CU_ASSERT(err_has(bc->needle2));
  CU_ASSERT_EQUAL(s.num_points, 0u);
  pprt_cloud_destroy(c);
}

#define HDR3 "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\n"

static void test_pcd_malformed(void) {
  static const char nul_hdr[] = "VERSION .7\nFIE\0LDS x y z\n";
  static const struct bad_case cases[] = {
      {"VERSION .7\nSIZE 4 4 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":2:",
       "missing FIELDS"},
      {"VERSION .7\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":3:", "missing FIELDS"},
      {"FIELDS x y z\nSIZE 4 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":2:",
       "SIZE has 2 values but FIELDS has 3"},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1 1\nWIDTH 1\nDATA ascii\n1 2 3\n", 0,
       PPRT_STATUS_PARSE_ERROR, ":4:", "COUNT"},
      {HDR3 "WIDTH 2\nHEIGHT 2\nPOINTS 5\nDATA ascii\n", 0, PPRT_STATUS_PARSE_ERROR, ":6:", "POINTS 5 != WIDTH 2"},
      {HDR3 "WIDTH 1\nDATA foo\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":5:", "unknown DATA 'foo'"},
      {HDR3 "WIDTH 1\nDATA binary_compressed\n", 0, PPRT_STATUS_UNAVAILABLE, "binary_compressed PCD is not supported",
       NULL},
      {HDR3 "WIDTH 3\nDATA binary\n0123456789abcdef0123", 0, PPRT_STATUS_PARSE_ERROR, "20 bytes available",
       "36 needed"},
      {HDR3 "WIDTH 2\nDATA ascii\n1 2 3\n4 5\n", 0, PPRT_STATUS_PARSE_ERROR, ":7:", "2 values, 3 expected"},
      {HDR3 "WIDTH 2\nDATA ascii\n1 2 3\n4 abc 6\n", 0, PPRT_STATUS_PARSE_ERROR, ":7:", "'abc' is not a number"},
      {HDR3 "WIDTH 2\nDATA ascii\n1 2 3\n4 5 6 7\n", 0, PPRT_STATUS_PARSE_ERROR, ":7:", "more than 3 values"},
      {HDR3 "WIDTH 3\nDATA ascii\n1 2 3\n4 5 6\n", 0, PPRT_STATUS_PARSE_ERROR, "after 2 of 3 points", NULL},
      {HDR3 "WIDTH 1\nDATA ascii\n1 2 3\n4 5 6\n", 0, PPRT_STATUS_PARSE_ERROR, ":7:", "more data lines"},
      {"FIELDS x z w\nSIZE 4 4 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":1:",
       "no 'y'"},
      {"FIELDS x y z\nSIZE 4 2 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":3:",
       "SIZE 2"},
      {"FIELDS x y z\nSIZE 4 3 4\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":2:",
       "SIZE of field 'y'"},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F D F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":3:",
       "TYPE of field 'y'"},
      {"FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 0 1\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR,
       ":4:", "COUNT of field 'y'"},
      {"FIELDS x y z x\nSIZE 4 4 4 4\n", 0, PPRT_STATUS_PARSE_ERROR, ":1:", "'x' appears twice"},
      {HDR3 "WIDTH 1\nFOO 3\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":5:", "unknown PCD header keyword"},
      {HDR3 "WIDTH 1\nWIDTH 1\nDATA ascii\n", 0, PPRT_STATUS_PARSE_ERROR, ":5:", "duplicate WIDTH"},
      {HDR3 "WIDTH -1\nDATA ascii\n", 0, PPRT_STATUS_PARSE_ERROR, ":4:", "WIDTH"},
      {HDR3 "WIDTH 1\nVIEWPOINT 0 0 0 1 0 0\nDATA ascii\n", 0, PPRT_STATUS_PARSE_ERROR, ":5:", "VIEWPOINT"},
      {HDR3 "WIDTH 1\n", 0, PPRT_STATUS_PARSE_ERROR, "end of file before the DATA line", NULL},
      {"FIELDS x y z\nSIZE 4 4 4\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":4:", "missing TYPE"},
      {"FIELDS x y z\nTYPE F F F\nWIDTH 1\nDATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":4:", "missing SIZE"},
      {HDR3 "DATA ascii\n1 2 3\n", 0, PPRT_STATUS_PARSE_ERROR, ":4:", "missing WIDTH"},
      {nul_hdr, sizeof nul_hdr - 1, PPRT_STATUS_PARSE_ERROR, ":2:", "NUL"},
      {"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16, PPRT_STATUS_PARSE_ERROR, ":1:", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) run_bad_pcd(&cases[i], (int)i);
}

/* ------------------------------------------------------------------ .info */

static const float k_rot[9] = {0.99995000041666f, -0.00999983333416666f, 0.0f, 0.00999983333416666f,
                               0.99995000041666f, 0.0f, 0.0f, 0.0f, 1.0f};

static void test_info_fixture(void) {
  size_t len = 0;
  float* ref = pprt_test_read_file(pprt_test_data(NUS_FILE), &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
  pprt_cloud_t* clouds[3] = {mk(40000), mk(40000), mk(40000)};
  struct pprt_sweep sw[3];
  for (int k = 2; k <= 3; ++k) {
    for (int i = 0; i < 3; ++i) poison_sweep(&sw[i]);
    uint32_t n = 99;
    enum pprt_status st = pprt_info_load(pprt_test_data("info/two_sweeps.info"), clouds, (uint32_t)k, sw, &n);
    CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL_FATAL(n, 2u);
    check_identity(&sw[0]);
    CU_ASSERT_EQUAL(sw[0].timestamp_us, 1532402927647951LL);
    CU_ASSERT_EQUAL(sw[1].timestamp_us, 1532402927597833LL);
    CU_ASSERT_EQUAL(memcmp(sw[1].rotation, k_rot, sizeof k_rot), 0);
    CU_ASSERT_EQUAL(sw[1].translation[0], 0.125f);
    CU_ASSERT_EQUAL(sw[1].translation[1], -0.5f);
    CU_ASSERT_EQUAL(sw[1].translation[2], 0.0625f);
    for (int i = 0; i < 2; ++i) {
      CU_ASSERT_EQUAL(sw[i].num_points, NUS_POINTS);
      CU_ASSERT_EQUAL(sw[i].point_stride, 5u);
      CU_ASSERT_EQUAL(memcmp(sw[i].points, ref, len), 0);
    }
    CU_ASSERT(sw[0].points != sw[1].points);
  }
  for (int i = 0; i < 3; ++i) pprt_cloud_destroy(clouds[i]);
  free(ref);
}

/* The same content in the tolerated spellings: spaces around ':', tabs, CRLF, comments, blank lines, absolute paths,
 * a trailing cams section. */
static void test_info_syntax(void) {
  char text[4096];
  const char* d = pprt_test_data(NUS_FILE);
  snprintf(text, sizeof text,
           "# written by test_cloud\r\n\r\nlidar_path : %s\r\ntimestamp:  1000\r\nsweeps: 2\r\n"
           "\tdata_path:%s\r\n\ttimestamp : 900\r\n"
           "\tsensor2lidar_rotation:  0 -1 0   1 0 0\t0 0 1 \r\n\tsensor2lidar_translation: 1.5 -2 3e-1\r\n\r\n"
           "  data_path: %s\n  timestamp: -5\n  sensor2lidar_rotation: 1 0 0 0 1 0 0 0 1\n"
           "  sensor2lidar_translation: 0 0 0\ncams: 6\n  data_path: whatever.jpg\n",
           d, d, d);
  const char* p = work_text("cloud_syntax.info", text);
  pprt_cloud_t* clouds[3] = {mk(40000), mk(40000), mk(40000)};
  struct pprt_sweep sw[3];
  uint32_t n = 0;
  enum pprt_status st = pprt_info_load(p, clouds, 3, sw, &n);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 3u);
  static const float r1[9] = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  CU_ASSERT_EQUAL(memcmp(sw[1].rotation, r1, sizeof r1), 0);
  CU_ASSERT_EQUAL(sw[1].translation[0], 1.5f);
  CU_ASSERT_EQUAL(sw[1].translation[1], -2.0f);
  CU_ASSERT_EQUAL(sw[1].translation[2], 0.3f);
  CU_ASSERT_EQUAL(sw[0].timestamp_us, 1000);
  CU_ASSERT_EQUAL(sw[1].timestamp_us, 900);
  CU_ASSERT_EQUAL(sw[2].timestamp_us, -5);
  check_identity(&sw[2]);
  for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL(sw[i].num_points, NUS_POINTS);

  /* sweeps: 0 -> only the key sweep */
  snprintf(text, sizeof text, "lidar_path:%s\ntimestamp:1\nsweeps:0\n", d);
  p = work_text("cloud_zero.info", text);
  CU_ASSERT_EQUAL(pprt_info_load(p, clouds, 1, sw, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 1u);

  /* relative paths: to the .info folder, else to the working directory */
  char cwd[4096];
  CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
  CU_ASSERT_EQUAL_FATAL(chdir(PPRT_TEST_DATA_DIR), 0);
  p = work_text("cloud_cwd.info", "lidar_path:" NUS_FILE "\ntimestamp:1\nsweeps:1\n data_path:" NUS_FILE
                                  "\n timestamp:0\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n"
                                  " sensor2lidar_translation:0 0 0\n");
  st = pprt_info_load(p, clouds, 2, sw, &n);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
  if (st != PPRT_STATUS_OK) printf("\n  %s\n", pprt_last_error());
  /* a .info given without a folder reads paths relative to the working directory */
  st = pprt_info_load("info/two_sweeps.info", clouds, 2, sw, &n);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(chdir(cwd), 0);
  CU_ASSERT_EQUAL(n, 2u);
  for (int i = 0; i < 3; ++i) pprt_cloud_destroy(clouds[i]);
}

struct info_case {
  const char* body; /* %s is replaced by the data path (absolute) */
  enum pprt_status status;
  const char* needle1;
  const char* needle2;
};

#define IHDR "lidar_path:%1$s\ntimestamp:100\n"
#define IBLK " data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n sensor2lidar_translation:1 2 3\n"

static void test_info_malformed(void) {
  static const struct info_case cases[] = {
      {"lidar_path:%1$s\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":2:", "missing 'timestamp' before 'sweeps'"},
      {"lidar_path:%1$s\nlidar_path:%1$s\ntimestamp:1\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":2:",
       "duplicate key 'lidar_path' (first at line 1)"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_PARSE_ERROR, ":6:", "needs 9 values, got 8"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1 0\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_PARSE_ERROR, ":6:", "got more"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n"
            " sensor2lidar_translation:1 two 3\n",
       PPRT_STATUS_PARSE_ERROR, ":7:", "'two' is not a number"},
      {IHDR "sweeps:2\n" IBLK, PPRT_STATUS_PARSE_ERROR, ":3:", "'sweeps: 2' but the file has 1 sweep block"},
      {IHDR "sweeps:1\n" IBLK IBLK, PPRT_STATUS_PARSE_ERROR, ":8:", "sweep block 2, but 'sweeps: 1'"},
      {IHDR "sweeps:1\n" IBLK "colour:red\n", PPRT_STATUS_PARSE_ERROR, ":8:", "unknown key 'colour'"},
      {IHDR "sweeps:2\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n" IBLK,
       PPRT_STATUS_PARSE_ERROR, ":7:", "missing 'sensor2lidar_translation' in sweep block 1"},
      {"lidar_path:%1$s\ntimestamp:12.5\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":2:", "'12.5' is not an integer"},
      {"lidar_path:%1$s\ntimestamp:99999999999999999999\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":2:", "timestamp"},
      {"lidar_path:%1$s\ntimestamp:1\n", PPRT_STATUS_PARSE_ERROR, ":2:", "missing 'sweeps'"},
      {"lidar_path:%1$s\ntimestamp 1\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":2:", "expected 'key: value'"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n timestamp:51\n", PPRT_STATUS_PARSE_ERROR, ":6:",
       "duplicate key 'timestamp' (first at line 5)"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n",
       PPRT_STATUS_PARSE_ERROR, ":6:", "missing 'sensor2lidar_translation' in sweep block 1 (end of file)"},
      {IHDR "sweeps:-1\n", PPRT_STATUS_PARSE_ERROR, ":3:", "not a non-negative integer"},
      {"", PPRT_STATUS_PARSE_ERROR, ":0:", "missing 'lidar_path'"},
      {"timestamp:1\nlidar_path:%1$s\nsweeps:0\n", PPRT_STATUS_PARSE_ERROR, ":1:",
       "missing 'lidar_path' before 'timestamp'"},
      {IHDR "sweeps:1\n timestamp:50\n", PPRT_STATUS_PARSE_ERROR, ":4:",
       "missing 'data_path' before 'timestamp' in sweep block 1"},
      {IHDR "sweeps:1\n" IBLK "sweeps:1\n", PPRT_STATUS_PARSE_ERROR, ":8:", "duplicate key 'sweeps'"},
      {IHDR "sweeps:1\n data_path:\n", PPRT_STATUS_PARSE_ERROR, ":4:", "empty data_path"},
      /* bad transforms */
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1.01 0 0 0 1 0 0 0 1\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_BAD_INPUT, ":6:", "not orthonormal"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0.1 0 0 1 0 0 0 1\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_BAD_INPUT, ":6:", "sweep 1 is not orthonormal"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 -1\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_BAD_INPUT, ":6:", "reflection"},
      {IHDR "sweeps:1\n data_path:%1$s\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n"
            " sensor2lidar_translation:1 inf 3\n",
       PPRT_STATUS_BAD_INPUT, ":7:", "not finite"},
      /* capacity: 3 clouds given */
      {IHDR "sweeps:3\n" IBLK IBLK IBLK, PPRT_STATUS_CAPACITY, ":3:", "3 sweeps besides the key sweep, but only 2"},
      /* missing files */
      {IHDR "sweeps:1\n data_path:/nonexistent/cloud_x.pcd.bin\n timestamp:50\n"
            " sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_IO_ERROR, ":4:", "/nonexistent/cloud_x.pcd.bin"},
      {"lidar_path:cloud_missing_key.pcd.bin\ntimestamp:100\nsweeps:0\n", PPRT_STATUS_IO_ERROR, ":1:",
       "cloud_missing_key.pcd.bin"},
      /* a sweep file that is not nuScenes-sized */
      {IHDR "sweeps:1\n data_path:%1$s.odd\n timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n"
            " sensor2lidar_translation:1 2 3\n",
       PPRT_STATUS_PARSE_ERROR, ":4:", "not a whole number of nuScenes points"},
  };
  /* small data files so the cases run fast */
  float pts[3 * 5] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const char* d = work_file("cloud_small.pcd.bin", pts, sizeof pts);
  char dpath[4096];
  snprintf(dpath, sizeof dpath, "%s", d);
  char odd[4200];
  snprintf(odd, sizeof odd, "%s.odd", dpath);
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(odd, pts, 13), 0);
  pprt_cloud_t* clouds[3] = {mk(10), mk(10), mk(10)};
  struct pprt_sweep sw[3];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char text[4096], name[64];
    snprintf(text, sizeof text, cases[i].body, dpath);
    snprintf(name, sizeof name, "cloud_bad_%zu.info", i);
    const char* p = work_text(name, text);
    uint32_t n = 77;
    enum pprt_status st = pprt_info_load(p, clouds, 3, sw, &n);
    CU_ASSERT_EQUAL(st, cases[i].status);
    if (st != cases[i].status) printf("\n  info case %zu: status %d: %s\n", i, (int)st, pprt_last_error());
    CU_ASSERT_EQUAL(n, 0u);
    char where[128];
    snprintf(where, sizeof where, "%s%s", name, cases[i].needle1);
    CU_ASSERT(err_has(where));
    if (cases[i].needle2) CU_ASSERT(err_has(cases[i].needle2));
  }
  uint32_t n = 0;
  const char* missing = pprt_test_work("cloud_no_such.info");
  unlink(missing);
  CU_ASSERT_EQUAL(pprt_info_load(missing, clouds, 3, sw, &n), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(err_has("cloud_no_such.info"));
  CU_ASSERT_EQUAL(pprt_info_load(NULL, clouds, 3, sw, &n), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_info_load(missing, clouds, 0, sw, &n), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_cloud_t* with_null[2] = {clouds[0], NULL};
  CU_ASSERT_EQUAL(pprt_info_load(missing, with_null, 2, sw, &n), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_info_load(missing, clouds, 3, NULL, &n), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_info_load(missing, clouds, 3, sw, NULL), PPRT_STATUS_INVALID_ARGUMENT);
  for (int i = 0; i < 3; ++i) pprt_cloud_destroy(clouds[i]);
}

/* ------------------------------------------------------------------ robustness */

/* Random byte edits of valid files must give a status (and a message when it is not OK), never a crash;
 * ASan/UBSan builds check the bounds. Replay with PPRT_TEST_SEED. */
static void mutate_and_load(struct pprt_rng* rng, const char* base, size_t len, const char* name, int info) {
  char* m = malloc(len + 64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  static const char alphabet[] = " \t\n\r:#-.0123456789eEnaixyzFIU_\x00\xff";
  pprt_cloud_t* clouds[3] = {mk(64), mk(64), mk(64)};
  struct pprt_sweep sw[3];
  unsigned ok = 0, failed = 0;
  for (int it = 0; it < 300; ++it) {
    memcpy(m, base, len);
    size_t n = len;
    int edits = 1 + (int)pprt_rng_u32(rng, 4);
    for (int e = 0; e < edits; ++e) {
      uint32_t kind = pprt_rng_u32(rng, 4);
      size_t at = n ? pprt_rng_u32(rng, (uint32_t)n) : 0;
      char ch = alphabet[pprt_rng_u32(rng, sizeof alphabet - 1)];
      if (kind == 0 && n > 0) m[at] = ch;                                   /* replace */
      else if (kind == 1 && n > 0) { memmove(m + at, m + at + 1, n - at - 1); n--; } /* delete */
      else if (kind == 2 && n < len + 60) { memmove(m + at + 1, m + at, n - at); m[at] = ch; n++; } /* insert */
      else n = at;                                                          /* truncate */
    }
    const char* p = work_file(name, m, n);
    enum pprt_status st;
    if (info) {
      uint32_t ns = 0;
      st = pprt_info_load(p, clouds, 3, sw, &ns);
      if (st == PPRT_STATUS_OK) CU_ASSERT(ns >= 1 && ns <= 3);
    } else {
      st = pprt_cloud_load(clouds[0], p, PPRT_FORMAT_PCD, 0, &sw[0]);
      if (st == PPRT_STATUS_OK) CU_ASSERT(sw[0].num_points <= 64);
    }
    CU_ASSERT(st <= PPRT_STATUS_INTERNAL);
    if (st == PPRT_STATUS_OK) ok++;
    else {
      failed++;
      CU_ASSERT(pprt_last_error()[0] != '\0');
    }
  }
  CU_ASSERT(failed > 0);
  printf(" [%s: %u ok, %u rejected]", name, ok, failed);
  for (int i = 0; i < 3; ++i) pprt_cloud_destroy(clouds[i]);
  free(m);
}

static void test_fuzz(void) {
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed() ^ 0xF022ULL);
  const char* ascii = "VERSION .7\nFIELDS x y z intensity time\nSIZE 4 4 4 1 8\nTYPE F F F U F\nCOUNT 1 1 1 1 1\n"
                      "WIDTH 3\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 3\nDATA ascii\n1 2 3 4 5\n-1.5 2e3 nan 7 0.25\n"
                      "0 0 0 0 0\n";
  mutate_and_load(&rng, ascii, strlen(ascii), "cloud_fuzz_a.pcd", 0);
  struct buf b = {0};
  puts_(&b, "FIELDS x y z intensity t\nSIZE 4 4 4 2 4\nTYPE F F F I F\nCOUNT 1 1 1 1 1\nWIDTH 4\nHEIGHT 1\nPOINTS 4\n"
            "DATA binary\n");
  for (int i = 0; i < 4 * 18; ++i) {
    char ch = (char)(i * 7);
    put(&b, &ch, 1);
  }
  mutate_and_load(&rng, b.p, b.n, "cloud_fuzz_b.pcd", 0);
  free(b.p);
  float pts[2 * 5] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  work_file("cloud_fuzz_pts.pcd.bin", pts, sizeof pts);
  const char* info = "lidar_path:cloud_fuzz_pts.pcd.bin\ntimestamp:100\nsweeps:2\n data_path:cloud_fuzz_pts.pcd.bin\n"
                     " timestamp:50\n sensor2lidar_rotation:1 0 0 0 1 0 0 0 1\n sensor2lidar_translation:1 2 3\n"
                     " data_path:cloud_fuzz_pts.pcd.bin\n timestamp:40\n"
                     " sensor2lidar_rotation:0 -1 0 1 0 0 0 0 1\n sensor2lidar_translation:-1 -2 -3\n";
  mutate_and_load(&rng, info, strlen(info), "cloud_fuzz.info", 1);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"nuscenes_real", test_nuscenes_real},
      {"kitti_real", test_kitti_real},
      {"auto_detection", test_auto_detection},
      {"truncated", test_truncated},
      {"empty", test_empty},
      {"nonfinite", test_nonfinite},
      {"capacity", test_capacity},
      {"missing_and_args", test_missing_and_args},
      {"pcd_equivalence", test_pcd_equivalence},
      {"pcd_malformed", test_pcd_malformed},
      {"info_fixture", test_info_fixture},
      {"info_syntax", test_info_syntax},
      {"info_malformed", test_info_malformed},
      {"fuzz", test_fuzz},
      {NULL, NULL},
  };
  return pprt_test_main("cloud", cases);
}
