/* pprt-simlidar: deterministic output, a plausible HDL-32E sweep, ground truth consistent with the points,
 * and the multi-sweep .info that the runtime's reader accepts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#ifndef PPRT_SIMLIDAR_EXE
#error "PPRT_SIMLIDAR_EXE must be defined"
#endif

#define OUT_CAP 8192
static char g_out[OUT_CAP];

static int sim(const char* dir, const char* seed, const char* count, const char* sweeps) {
  char* argv[] = {(char*)PPRT_SIMLIDAR_EXE, "--out", (char*)dir, "--seed", (char*)seed, "--count", (char*)count,
                  "--sweeps", (char*)sweeps, "--quiet", NULL};
  return pprt_test_run(argv, g_out, OUT_CAP);
}

static void mkdir_p(const char* dir) {
  char* argv[] = {"mkdir", "-p", (char*)dir, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv, NULL, 0), 0);
}

static void* read_in(const char* dir, const char* name, size_t* len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return pprt_test_read_file(path, len);
}

static void test_deterministic(void) {
  const char* a = pprt_test_work("simlidar_a");
  char da[512], db[512];
  snprintf(da, sizeof da, "%s", a);
  snprintf(db, sizeof db, "%s", pprt_test_work("simlidar_b"));
  mkdir_p(da);
  mkdir_p(db);
  char seed[32];
  snprintf(seed, sizeof seed, "%u", (unsigned)(pprt_test_seed() % 100000u));
  CU_ASSERT_EQUAL_FATAL(sim(da, seed, "1", "2"), 0);
  CU_ASSERT_EQUAL_FATAL(sim(db, seed, "1", "2"), 0);
  const char* ext[] = {".pcd.bin", ".gt.json", "_sweep1.pcd.bin", ".info"};
  for (int i = 0; i < 4; ++i) {
    char name[128];
    snprintf(name, sizeof name, "sim_%s%s", seed, ext[i]);
    size_t la = 0, lb = 0;
    void* pa = read_in(da, name, &la);
    void* pb = read_in(db, name, &lb);
    CU_ASSERT_PTR_NOT_NULL(pa);
    CU_ASSERT_PTR_NOT_NULL(pb);
    CU_ASSERT_EQUAL(la, lb);
    if (pa && pb && la == lb) CU_ASSERT_EQUAL(memcmp(pa, pb, la), 0);
    free(pa);
    free(pb);
  }
  /* another seed gives another scene */
  char other[32];
  snprintf(other, sizeof other, "%u", (unsigned)(pprt_test_seed() % 100000u) + 1u);
  CU_ASSERT_EQUAL_FATAL(sim(db, other, "1", "1"), 0);
  char n1[128], n2[128];
  snprintf(n1, sizeof n1, "sim_%s.pcd.bin", seed);
  snprintf(n2, sizeof n2, "sim_%s.pcd.bin", other);
  size_t l1, l2;
  void* p1 = read_in(da, n1, &l1);
  void* p2 = read_in(db, n2, &l2);
  CU_ASSERT_FATAL(p1 && p2);
  CU_ASSERT(l1 != l2 || memcmp(p1, p2, l1) != 0);
  free(p1);
  free(p2);
}

struct gt_box {
  char label[32];
  double b[7];
  int pts;
};

static int parse_gt(const char* text, struct gt_box* out, int cap) {
  int n = 0;
  const char* p = text;
  while (n < cap && (p = strstr(p, "\"label\": \"")) != NULL) {
    struct gt_box* g = &out[n];
    if (sscanf(p, "\"label\": \"%31[^\"]\", \"box\": [%lf, %lf, %lf, %lf, %lf, %lf, %lf]", g->label, &g->b[0], &g->b[1],
               &g->b[2], &g->b[3], &g->b[4], &g->b[5], &g->b[6]) != 8)
      return -1;
    const char* q = strstr(p, "\"num_lidar_pts\": ");
    if (!q || sscanf(q, "\"num_lidar_pts\": %d", &g->pts) != 1) return -1;
    ++n;
    p = q;
  }
  return n;
}

/* points of the key sweep inside each box (enlarged by `margin`) vs num_lidar_pts */

/* The same seed gives the same bytes on every architecture (x86-64 and aarch64 under qemu): the hashes were recorded
 * from `pprt-simlidar --seed 100 --count 1 --sweeps 2` on x86-64, the scene the demo model's data came from. */
static void test_same_everywhere(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("simlidar_golden"));
  mkdir_p(dir);
  CU_ASSERT_EQUAL_FATAL(sim(dir, "100", "1", "2"), 0);
  static const struct {
    const char* name;
    uint64_t hash;
  } kFiles[] = {{"sim_100.pcd.bin", 0x65f1a9d4333b28d6ULL},
                {"sim_100.gt.json", 0xe18165faea024faeULL},
                {"sim_100_sweep1.pcd.bin", 0x8f19634a006a60b7ULL}};
  for (size_t i = 0; i < sizeof kFiles / sizeof kFiles[0]; ++i) {
    size_t len = 0;
    void* data = read_in(dir, kFiles[i].name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_EQUAL(pprt_test_fnv1a(data, len), kFiles[i].hash);
    free(data);
  }
}

static void test_sweep_and_gt(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("simlidar_c"));
  mkdir_p(dir);
  CU_ASSERT_EQUAL_FATAL(sim(dir, "100", "3", "1"), 0);
  int classes_seen[8] = {0};
  static const char* kLabels[] = {"car", "truck", "bus", "pedestrian", "bicycle", "traffic_cone", "barrier"};
  for (int s = 100; s < 103; ++s) {
    char name[64];
    size_t len = 0, glen = 0;
    snprintf(name, sizeof name, "sim_%d.pcd.bin", s);
    float* pts = read_in(dir, name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pts);
    CU_ASSERT_EQUAL(len % 20, 0);
    const size_t n = len / 20;
    CU_ASSERT(n > 25000 && n < 45000); /* HDL-32E: ~35k returns a sweep */
    int rings[32] = {0};
    for (size_t i = 0; i < n; ++i) {
      const float* p = pts + 5 * i;
      CU_ASSERT_FATAL(isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]));
      CU_ASSERT_FATAL(p[3] >= 0.0f && p[3] <= 255.0f && p[3] == floorf(p[3]));
      CU_ASSERT_FATAL(p[4] >= 0.0f && p[4] <= 31.0f && p[4] == floorf(p[4]));
      rings[(int)p[4]]++;
      CU_ASSERT_FATAL(sqrtf(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) < 81.0f);
    }
    for (int r = 0; r < 20; ++r) CU_ASSERT(rings[r] > 0); /* every downward beam hits the ground */
    snprintf(name, sizeof name, "sim_%d.gt.json", s);
    char* text = read_in(dir, name, &glen); /* NUL-terminated */
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"box_fields\": [\"x\", \"y\", \"z_center\", \"l\", \"w\", \"h\", \"yaw\"]"));
    struct gt_box gt[128];
    int ng = parse_gt(text, gt, 128);
    CU_ASSERT_FATAL(ng >= 8);
    int with_points = 0;
    for (int k = 0; k < ng; ++k) {
      for (int c = 0; c < 7; ++c)
        if (!strcmp(gt[k].label, kLabels[c])) classes_seen[c] = 1;
      const double* b = gt[k].b;
      CU_ASSERT(b[3] > 0.2 && b[3] < 14 && b[4] > 0.2 && b[4] < 3.5 && b[5] > 0.5 && b[5] < 4.5);
      CU_ASSERT(fabs(b[0]) < 52 && fabs(b[1]) < 52);
      const double c = cos(b[6]), sn = sin(b[6]), m = 0.1;
      int inside = 0;
      for (size_t i = 0; i < n; ++i) {
        const double dx = pts[5 * i] - b[0], dy = pts[5 * i + 1] - b[1], dz = pts[5 * i + 2] - b[2];
        const double lx = dx * c + dy * sn, ly = -dx * sn + dy * c;
        if (fabs(lx) <= b[3] / 2 + m && fabs(ly) <= b[4] / 2 + m && fabs(dz) <= b[5] / 2 + m) ++inside;
      }
      /* the count of returns from the object's own surfaces: every one lies in its (slightly grown) box */
      CU_ASSERT(inside >= gt[k].pts);
      CU_ASSERT(inside <= gt[k].pts + 40 + gt[k].pts / 2); /* plus a few ground returns under the margin */
      if (gt[k].pts > 0) ++with_points;
    }
    CU_ASSERT(with_points * 10 >= ng * 7); /* occlusion hides some, not most */
    free(text);
    free(pts);
  }
  for (int c = 0; c < 7; ++c)
    if (c != 1 && c != 2) CU_ASSERT(classes_seen[c]); /* trucks / buses are rarer */
}

static void test_sweeps_info(void) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("simlidar_d"));
  mkdir_p(dir);
  CU_ASSERT_EQUAL_FATAL(sim(dir, "7", "1", "3"), 0);
  size_t len = 0;
  char* info = read_in(dir, "sim_7.info", &len); /* NUL-terminated */
  CU_ASSERT_PTR_NOT_NULL_FATAL(info);
  CU_ASSERT_PTR_NOT_NULL(strstr(info, "lidar_path:sim_7.pcd.bin\ntimestamp:1600000007000000\nsweeps:2\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(info, " data_path:sim_7_sweep2.pcd.bin\n timestamp:1600000006900000\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(info, "sensor2lidar_rotation:"));
  free(info);
  size_t l0, l2;
  void* p0 = read_in(dir, "sim_7.pcd.bin", &l0);
  void* p2 = read_in(dir, "sim_7_sweep2.pcd.bin", &l2);
  CU_ASSERT_FATAL(p0 && p2);
  CU_ASSERT(l2 > 25000 * 20 && (l0 != l2 || memcmp(p0, p2, l0) != 0));
  free(p0);
  free(p2);
  char* bad[] = {(char*)PPRT_SIMLIDAR_EXE, "--out", dir, "--sweeps", "11", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad, g_out, OUT_CAP), 2);
  char* bad2[] = {(char*)PPRT_SIMLIDAR_EXE, "--seed", "x", "--out", dir, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad2, g_out, OUT_CAP), 2);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"deterministic from the seed", test_deterministic},
      {"same scene on every architecture", test_same_everywhere},
      {"sweep plausible, ground truth matches the points", test_sweep_and_gt},
      {"earlier sweeps and .info", test_sweeps_info},
      {NULL, NULL},
  };
  return pprt_test_main("simlidar", cases);
}
