/* Output formats round-trip: detection-results JSON (write -> load, exact), the edge-contest JSON (parsed back with
 * json-c), VAI-L text and pprt JSON boxes (write -> pprt_boxes_load, exact), pprt_box_to_global on a hand case. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/nusc.h"
#include "testutil.h"

static struct pprt_det_box rnd_box(struct pprt_rng* r, int cls) {
  struct pprt_det_box b;
  memset(&b, 0, sizeof b);
  for (int i = 0; i < 3; ++i) b.translation[i] = pprt_rng_uniform(r, -500, 1500) / 3.0;
  for (int i = 0; i < 3; ++i) b.size[i] = pprt_rng_uniform(r, 0.2f, 10) / 7.0;
  double yaw = pprt_rng_uniform(r, -3, 3);
  b.rotation[0] = cos(yaw / 2);
  b.rotation[3] = sin(yaw / 2);
  b.velocity[0] = pprt_rng_uniform(r, -10, 10) / 3.0;
  b.velocity[1] = pprt_rng_u32(r, 4) == 0 ? NAN : pprt_rng_uniform(r, -10, 10) / 3.0;
  if (isnan(b.velocity[1])) b.velocity[0] = NAN;
  b.ego_dist = pprt_rng_uniform(r, 0, 60) / 9.0;
  b.num_pts = (int32_t)pprt_rng_u32(r, 100);
  b.cls = cls;
  b.score = pprt_rng_uniform(r, 0, 1);
  snprintf(b.attribute, sizeof b.attribute, "%s", cls == 0 ? "vehicle.parked" : "");
  return b;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void test_results_roundtrip(void) {
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed());
  pprt_detset_t *set = NULL, *back = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&set), PPRT_STATUS_OK);
  const char* toks[3] = {"fd8420396768425eabec9bdddf7e64b6", "aaaa", "empty_sample"};
  for (int s = 0; s < 3; ++s) {
    for (int k = 0; k < (s == 2 ? 0 : 20); ++k) {
      struct pprt_det_box b = rnd_box(&r, (int)pprt_rng_u32(&r, PPRT_NUSC_NUM_CLASSES));
      CU_ASSERT_EQUAL(pprt_detset_add(set, toks[s], &b, 1), PPRT_STATUS_OK);
    }
    uint32_t idx;
    CU_ASSERT_EQUAL(pprt_detset_sample(set, toks[s], &idx), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(idx, (uint32_t)s);
  }
  struct pprt_pose pose = {{0.9, 0.1, 0.2, 0.3}, {411.3, 1180.9, 0.5}};
  CU_ASSERT_EQUAL(pprt_detset_set_ego_pose(set, toks[1], &pose), PPRT_STATUS_OK);
  const char* path = pprt_test_work("formats_results.json");
  CU_ASSERT_EQUAL_FATAL(pprt_detset_write(set, path, NULL, 1), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_detset_load(path, &back), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_detset_num_samples(back), 3);
  for (uint32_t s = 0; s < 3; ++s) {
    CU_ASSERT_STRING_EQUAL(pprt_detset_token(back, s), toks[s]);
    uint32_t n1, n2;
    const struct pprt_det_box* a = pprt_detset_boxes(set, s, &n1);
    const struct pprt_det_box* b = pprt_detset_boxes(back, s, &n2);
    CU_ASSERT_EQUAL_FATAL(n1, n2);
    for (uint32_t i = 0; i < n1; ++i) {
      int ok = a[i].cls == b[i].cls && a[i].num_pts == b[i].num_pts && a[i].score == b[i].score &&
               strcmp(a[i].attribute, b[i].attribute) == 0 && same(a[i].ego_dist, b[i].ego_dist) && b[i].sample == s;
      for (int k = 0; k < 3; ++k) ok = ok && same(a[i].translation[k], b[i].translation[k]) && a[i].size[k] == b[i].size[k];
      for (int k = 0; k < 4; ++k) ok = ok && a[i].rotation[k] == b[i].rotation[k];
      for (int k = 0; k < 2; ++k) ok = ok && same(a[i].velocity[k], b[i].velocity[k]);
      CU_ASSERT(ok);
    }
  }
  /* the pose survives: eval uses it */
  struct pprt_eval_result res;
  CU_ASSERT_EQUAL(pprt_eval_detection(back, back, 1, &res), PPRT_STATUS_OK);
  /* the contest format, parsed back */
  const char* cpath = pprt_test_work("formats_contest.json");
  CU_ASSERT_EQUAL_FATAL(pprt_detset_write_contest(set, cpath), PPRT_STATUS_OK);
  struct json_object* root = json_object_from_file(cpath);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  for (uint32_t s = 0; s < 3; ++s) {
    struct json_object *o = NULL, *veh = NULL, *ped = NULL;
    CU_ASSERT_FATAL(json_object_object_get_ex(root, toks[s], &o));
    CU_ASSERT_FATAL(json_object_object_get_ex(o, "vehicle", &veh) && json_object_object_get_ex(o, "pedestrian", &ped));
    uint32_t n;
    const struct pprt_det_box* a = pprt_detset_boxes(set, s, &n);
    size_t iv = 0, ip = 0;
    for (uint32_t i = 0; i < n; ++i) {
      struct json_object* e = NULL;
      if (a[i].cls <= 4) e = json_object_array_get_idx(veh, iv++);
      else if (a[i].cls == 7) e = json_object_array_get_idx(ped, ip++);
      else continue;
      CU_ASSERT_FATAL(e != NULL && json_object_array_length(e) == 3);
      CU_ASSERT(json_object_get_double(json_object_array_get_idx(e, 0)) == a[i].translation[0]);
      CU_ASSERT(json_object_get_double(json_object_array_get_idx(e, 1)) == a[i].translation[1]);
      CU_ASSERT((float)json_object_get_double(json_object_array_get_idx(e, 2)) == a[i].score);
    }
    CU_ASSERT_EQUAL(json_object_array_length(veh), iv);
    CU_ASSERT_EQUAL(json_object_array_length(ped), ip);
  }
  json_object_put(root);
  pprt_detset_destroy(set);
  pprt_detset_destroy(back);
}

static void test_results_malformed(void) {
  static const char* bad[] = {
      "{\"results\": {\"t\": [{\"translation\": [1, 2], \"size\": [1, 1, 1], \"rotation\": [1, 0, 0, 0], "
      "\"detection_name\": \"car\"}]}}",
      "{\"results\": {\"t\": [{\"translation\": [1, 2, 3], \"size\": [1, 1, 1], \"rotation\": [1, 0, 0, 0], "
      "\"detection_name\": \"cat\"}]}}",
      "{\"results\": []}", "{\"results\": {\"t\": [", "[1, 2]", ""};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    const char* p = pprt_test_work("formats_bad.json");
    CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(p, bad[i], strlen(bad[i])), 0);
    pprt_detset_t* s = (pprt_detset_t*)0x1;
    CU_ASSERT_EQUAL(pprt_detset_load(p, &s), PPRT_STATUS_PARSE_ERROR);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "formats_bad.json"));
  }
}

static void test_lidar_boxes(void) {
  struct pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed() + 1);
  struct pprt_box b[50], back[60];
  for (int i = 0; i < 50; ++i) {
    float* f = &b[i].x;
    for (int k = 0; k < 10; ++k) f[k] = pprt_rng_uniform(&r, -60, 60) / 7.0f;
    b[i].label = (int32_t)pprt_rng_u32(&r, 10);
  }
  const char* p = pprt_test_work("formats_vai.txt");
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_write_vai(p, b, 50), PPRT_STATUS_OK);
  uint32_t n = 0;
  memset(back, 0xA5, sizeof back);
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_load(p, back, 60, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(n, 50);
  CU_ASSERT(memcmp(b, back, sizeof b) == 0);
  CU_ASSERT_EQUAL(pprt_boxes_load(p, back, 49, &n), PPRT_STATUS_CAPACITY);
  /* pprt run --json output */
  const char* j = "{\"boxes\": [\n  {\"label\": \"car\", \"label_id\": 0, \"score\": 0.5, \"box\": [1, 2, 3, 4, 5, 6, 0.25, "
                  "null, 0]},\n  {\"label\": \"barrier\", \"score\": 0.75, \"box\": [1, 2, 3, 4, 5, 6, 7, 8, 9]}],\n"
                  "\"timings_ms\": {\"total\": 1}}\n";
  const char* jp = pprt_test_work("formats_boxes.json");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(jp, j, strlen(j)), 0);
  CU_ASSERT_EQUAL_FATAL(pprt_boxes_load(jp, back, 60, &n), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT(back[0].yaw == 0.25f && isnan(back[0].vx) && back[0].label == 0 && back[0].score == 0.5f);
  CU_ASSERT(back[1].label == 9 && back[1].vy == 9.0f);
  const char* bad = "1 2 3 4 5 6 7 8 9 1.5 0.3\n";
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(p, bad, strlen(bad)), 0);
  CU_ASSERT_EQUAL(pprt_boxes_load(p, back, 60, &n), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), ":1:"));
}

/* Hand case: identity lidar -> ego, ego -> global = +90 degrees about z and (100, 200, 1). A model box at (10, 0),
 * bottom z -1, h 2, yaw 0 (mmdet3d 0.x: nuScenes yaw -pi/2), velocity (1, 0): ego centre (10, 0, 0) -> global
 * (100, 210, 1); nuScenes yaw -pi/2 + pi/2 = 0; velocity (0, 1); ego distance 10; moving car. */
static void test_to_global(void) {
  struct pprt_pose l2e = {{1, 0, 0, 0}, {0, 0, 0}};
  struct pprt_pose e2g = {{cos(M_PI / 4), 0, 0, sin(M_PI / 4)}, {100, 200, 1}};
  struct pprt_box b = {10, 0, -1, 2, 4, 2, 0, 1, 0, 0.8f, 0};
  struct pprt_det_box d;
  memset(&d, 0xA5, sizeof d);
  pprt_box_to_global(&b, 0, &l2e, &e2g, &d);
  CU_ASSERT(fabs(d.translation[0] - 100) < 1e-9 && fabs(d.translation[1] - 210) < 1e-9 &&
            fabs(d.translation[2] - 1) < 1e-9);
  CU_ASSERT(fabs(fabs(d.rotation[0]) - 1) < 1e-9); /* yaw 0 */
  CU_ASSERT(fabs(d.velocity[0]) < 1e-9 && fabs(d.velocity[1] - 1) < 1e-9);
  CU_ASSERT(fabs(d.ego_dist - 10) < 1e-9);
  CU_ASSERT(d.size[0] == 2 && d.size[1] == 4 && d.size[2] == 2 && d.score == 0.8f && d.cls == 0);
  CU_ASSERT_STRING_EQUAL(d.attribute, "vehicle.moving");
  b.vx = 0;
  pprt_box_to_global(&b, 7, &l2e, &e2g, &d);
  CU_ASSERT_STRING_EQUAL(d.attribute, "pedestrian.standing");
  pprt_box_to_global(&b, 9, &l2e, &e2g, &d);
  CU_ASSERT_STRING_EQUAL(d.attribute, "");
  CU_ASSERT_EQUAL(pprt_nusc_category_class("vehicle.bus.bendy"), 3);
  CU_ASSERT_EQUAL(pprt_nusc_category_class("animal"), -1);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"results_roundtrip", test_results_roundtrip}, {"results_malformed", test_results_malformed},
      {"lidar_boxes", test_lidar_boxes},             {"to_global", test_to_global},
      {NULL, NULL},
  };
  return pprt_test_main("formats", cases);
}
