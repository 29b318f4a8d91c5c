/* nuScenes dataset reader on tests/data/nuscenes-mini (made by its make_fixture.py): samples, key + previous sweeps
 * with transforms worked out by hand, ground truth (classes, velocity from neighbours, attributes), errors that name
 * the file and the token. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pprt/nusc.h"
#include "testutil.h"

#define REAL "ca9a282c9e77460f8360f564131a8af5"
#define T0 1532402927647951LL

static pprt_nusc_t* open_fixture(void) {
  pprt_nusc_t* ds = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_open(pprt_test_data("nuscenes-mini"), NULL, &ds), PPRT_STATUS_OK);
  return ds;
}

static void quat_mat(const double q[4], double R[9]) {
  double w = q[0], x = q[1], y = q[2], z = q[3];
  double m[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
                 2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                 2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
  memcpy(R, m, sizeof m);
}

/* The fixture's sweep k (1, 2) has the ego turned by -0.05 k rad and k m behind along the key ego's x axis, with the
 * key's lidar calibration L. So sweep lidar -> key lidar = L^-1 * [Rz(-0.05 k) | (-k, 0, 0)] * L. */
static void test_sweeps(void) {
  pprt_nusc_t* ds = open_fixture();
  CU_ASSERT_EQUAL(pprt_nusc_num_samples(ds), 2);
  uint32_t i = 99;
  CU_ASSERT_EQUAL(pprt_nusc_find_sample(ds, REAL, &i), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(i, 0);
  struct pprt_nusc_sample info;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_sample_info(ds, 0, &info), PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(info.token, REAL);
  CU_ASSERT_STRING_EQUAL(info.scene_name, "scene-fixture");
  CU_ASSERT_EQUAL(info.timestamp_us, T0);
  pprt_cloud_t* c[10];
  for (int k = 0; k < 10; ++k) CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(40000, &c[k]), PPRT_STATUS_OK);
  struct pprt_sweep sw[10];
  memset(sw, 0xA5, sizeof sw);
  uint32_t n = 0;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_load_sweeps(ds, 0, c, 10, sw, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(n, 3);
  CU_ASSERT_EQUAL(sw[0].num_points, 34688);
  CU_ASSERT_EQUAL(sw[0].timestamp_us, T0);
  CU_ASSERT_EQUAL(sw[1].timestamp_us, T0 - 50000);
  CU_ASSERT_EQUAL(sw[2].timestamp_us, T0 - 100000);
  double L[9];
  quat_mat(info.lidar2ego.rotation, L);
  const double* tl = info.lidar2ego.translation;
  for (int k = 1; k <= 2; ++k) {
    double a = -0.05 * k, Rz[9] = {cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1};
    /* point p in sweep lidar: q = L^T (Rz (L p + tl) + (-k, 0, 0) - tl) */
    const double pts[3][3] = {{0, 0, 0}, {10, 0, 0}, {0, -20, 3}};
    for (int j = 0; j < 3; ++j) {
      double e[3], f[3], q[3], got[3];
      for (int r = 0; r < 3; ++r) e[r] = L[3 * r] * pts[j][0] + L[3 * r + 1] * pts[j][1] + L[3 * r + 2] * pts[j][2] + tl[r];
      for (int r = 0; r < 3; ++r) f[r] = Rz[3 * r] * e[0] + Rz[3 * r + 1] * e[1] + Rz[3 * r + 2] * e[2] - tl[r];
      f[0] -= k;
      for (int r = 0; r < 3; ++r) q[r] = L[r] * f[0] + L[3 + r] * f[1] + L[6 + r] * f[2];
      for (int r = 0; r < 3; ++r)
        got[r] = sw[k].rotation[3 * r] * pts[j][0] + sw[k].rotation[3 * r + 1] * pts[j][1] +
                 sw[k].rotation[3 * r + 2] * pts[j][2] + sw[k].translation[r];
      for (int r = 0; r < 3; ++r) CU_ASSERT(fabs(got[r] - q[r]) < 2e-5);
    }
  }
  /* fewer clouds than sweeps: stops there */
  CU_ASSERT_EQUAL(pprt_nusc_load_sweeps(ds, 0, c, 2, sw, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 2);
  /* sample 1: key + the chain through sample 0's key and its sweeps */
  CU_ASSERT_EQUAL(pprt_nusc_load_sweeps(ds, 1, c, 10, sw, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 4);
  for (int k = 0; k < 10; ++k) pprt_cloud_destroy(c[k]);
  pprt_nusc_close(ds);
}

/* Ground truth: 68 detection-class boxes (the 'ignore' object is debris); sample 0's objects moved by velocity *
 * 0.5 s in sample 1, so box_velocity gives back that velocity in both samples (forward / backward difference). */
static void test_gt(void) {
  pprt_nusc_t* ds = open_fixture();
  pprt_detset_t* gt = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&gt), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_add_gt(ds, 0, gt), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_add_gt(ds, 1, gt), PPRT_STATUS_OK);
  uint32_t n0, n1;
  const struct pprt_det_box* a = pprt_detset_boxes(gt, 0, &n0);
  const struct pprt_det_box* b = pprt_detset_boxes(gt, 1, &n1);
  CU_ASSERT_EQUAL(n0, 68);
  CU_ASSERT(n1 > 0 && n1 <= 68);
  int counts[PPRT_NUSC_NUM_CLASSES] = {0}, nan_vel = 0, moving = 0;
  for (uint32_t i = 0; i < n0; ++i) {
    counts[a[i].cls]++;
    if (isnan(a[i].velocity[0])) ++nan_vel;
    if (hypot(a[i].velocity[0], a[i].velocity[1]) > 0.1) ++moving;
    CU_ASSERT(a[i].num_pts >= 0 && isfinite(a[i].ego_dist));
    CU_ASSERT_STRING_EQUAL(a[i].attribute, a[i].cls == 0 ? "vehicle.parked" : a[i].cls == 7 ? "pedestrian.standing" : "");
  }
  CU_ASSERT_EQUAL(counts[0], 8);
  CU_ASSERT_EQUAL(counts[7], 30);
  CU_ASSERT_EQUAL(counts[9], 22);
  CU_ASSERT_EQUAL(counts[8], 3);
  CU_ASSERT_EQUAL(nan_vel + (int)n1, 68); /* objects without a velocity have no neighbour */
  CU_ASSERT(moving > 0);
  /* sample 1 boxes follow sample 0's with a velocity: same velocity (backward difference) */
  uint32_t j = 0;
  for (uint32_t i = 0; i < n0 && j < n1; ++i) {
    if (isnan(a[i].velocity[0])) continue;
    CU_ASSERT(fabs(b[j].velocity[0] - a[i].velocity[0]) < 1e-6 && fabs(b[j].velocity[1] - a[i].velocity[1]) < 1e-6);
    CU_ASSERT(fabs(b[j].translation[0] - a[i].translation[0] - 0.5 * a[i].velocity[0]) < 1e-6);
    ++j;
  }
  CU_ASSERT_EQUAL(j, n1);
  pprt_detset_destroy(gt);
  pprt_nusc_close(ds);
}

/* Broken copies of the fixture: a missing table names the file; a dangling token names the record and the token. */
static void copy_fixture(const char* dst, const char* drop, const char* from, const char* to) {
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -r '%s/v1.0-mini' '%s/'", dst, dst,
           pprt_test_data("nuscenes-mini"), dst);
  CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  if (drop) {
    snprintf(cmd, sizeof cmd, "rm '%s/v1.0-mini/%s'", dst, drop);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  }
  if (from) {
    snprintf(cmd, sizeof cmd, "sed -i 's/%s/%s/' '%s/v1.0-mini/sample_data.json'", from, to, dst);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  }
}

static void test_errors(void) {
  pprt_nusc_t* ds = (pprt_nusc_t*)0x1;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", pprt_test_work("nusc_missing"));
  copy_fixture(dir, "ego_pose.json", NULL, NULL);
  CU_ASSERT_EQUAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NULL(ds);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "v1.0-mini/ego_pose.json"));
  /* a calibrated_sensor token that does not exist */
  copy_fixture(dir, NULL, "\"calibrated_sensor_token\": \"", "\"calibrated_sensor_token\": \"x");
  CU_ASSERT_EQUAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "sample_data.json"));
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "not in calibrated_sensor.json"));
  /* malformed JSON */
  copy_fixture(dir, NULL, "\"is_key_frame\": true,", "\"is_key_frame\": tru,");
  CU_ASSERT_EQUAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "sample_data.json"));
  /* a key sweep timestamp outside int64 is an error naming the record, not an undefined conversion */
  copy_fixture(dir, NULL, "\"timestamp\": 1532402927647951", "\"timestamp\": 1e300");
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_open(dir, NULL, &ds), PPRT_STATUS_OK);
  struct pprt_nusc_sample info;
  int failed = 0;
  for (uint32_t k = 0; k < pprt_nusc_num_samples(ds); ++k) {
    enum pprt_status st = pprt_nusc_sample_info(ds, k, &info);
    if (st != PPRT_STATUS_OK) {
      CU_ASSERT_EQUAL(st, PPRT_STATUS_PARSE_ERROR);
      CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "timestamp"));
      ++failed;
    }
  }
  CU_ASSERT_EQUAL(failed, 1);
  pprt_nusc_close(ds);
  ds = NULL;
  CU_ASSERT_EQUAL(pprt_nusc_open("/nonexistent-dataset", NULL, &ds), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_EQUAL(pprt_nusc_open(pprt_test_data("nuscenes-mini"), "v1.0-trainval", &ds), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "v1.0-trainval/sample.json"));
  ds = open_fixture();
  uint32_t i;
  CU_ASSERT_EQUAL(pprt_nusc_find_sample(ds, "nope", &i), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "nope"));
  pprt_nusc_close(ds);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"sweeps", test_sweeps}, {"gt", test_gt}, {"errors", test_errors}, {NULL, NULL}};
  return pprt_test_main("nuscenes", cases);
}
