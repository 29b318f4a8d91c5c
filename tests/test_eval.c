/* pprt_eval_detection against hand-computed cases (each value below was worked out by hand from the devkit's
 * algorithm: greedy matching by score, precision / confidence sampled at recall i * 0.01 with numpy.interp semantics,
 * AP = mean over i = 11..100 of max(p - 0.1, 0) / 0.9), the real sample's ground truth against itself, and the
 * pprt eval command. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pprt/nusc.h"
#include "testutil.h"

#define CAR 0
#define PED 7
#define BARRIER 9
#define TOK "sample0"

static struct pprt_det_box mk(int cls, double x, double y, double yaw, float score) {
  struct pprt_det_box b;
  memset(&b, 0, sizeof b);
  b.translation[0] = x;
  b.translation[1] = y;
  b.size[0] = 2.0;
  b.size[1] = 4.0;
  b.size[2] = 1.5;
  b.rotation[0] = cos(yaw / 2);
  b.rotation[3] = sin(yaw / 2);
  b.ego_dist = NAN;
  b.num_pts = -1;
  b.cls = cls;
  b.score = score;
  return b;
}

static pprt_detset_t* set_of(const struct pprt_det_box* b, uint32_t n) {
  pprt_detset_t* s = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&s), PPRT_STATUS_OK);
  struct pprt_pose origin = {{1, 0, 0, 0}, {0, 0, 0}};
  CU_ASSERT_EQUAL_FATAL(pprt_detset_set_ego_pose(s, TOK, &origin), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_detset_add(s, TOK, b, n), PPRT_STATUS_OK);
  return s;
}

static struct pprt_eval_result eval(const pprt_detset_t* gt, const pprt_detset_t* pred, int present) {
  struct pprt_eval_result r;
  memset(&r, 0xA5, sizeof r); /* poison */
  CU_ASSERT_EQUAL(pprt_eval_detection(gt, pred, present, &r), PPRT_STATUS_OK);
  return r;
}

#define NEAR(a, b, tol)                                                                      \
  do {                                                                                       \
    double a_ = (a), b_ = (b);                                                               \
    if (!(fabs(a_ - b_) <= (tol))) printf("\n  %s = %.12g, expected %.12g\n", #a, a_, b_);   \
    CU_ASSERT(fabs(a_ - b_) <= (tol));                                                       \
  } while (0)

/* 4 cars 20 m apart; predictions shifted by 0.3, 0.7, 1.5, 3.0 m with scores 0.9..0.6. At 0.5 m only the first
 * matches: precision 1, 1/2, 1/3, 1/4 at recall 1/4 -> sampled p = 1 for i < 25, p[25] = 1/4 (x == last recall gives
 * the last precision), 0 after: AP = (14 * 0.9 + 0.15) / 81 = 12.75 / 81. At 1 m: p = 1 up to i = 49, p[50] = 0.5:
 * (39 * 0.9 + 0.4) / 81. At 2 m: (64 * 0.9 + 0.65) / 81. At 4 m: 1. ATE at 2 m: cumulative means 0.3, 0.5, 0.8333
 * read at the sampled confidences over i = 11..75 (last non-zero confidence) = (4.5 + 7.2 + 2.4 + 0.5 + 12 + 4 + 5/6)
 * / 65. */
static void test_shifted(void) {
  struct pprt_det_box g[4], p[4];
  const double shift[4] = {0.3, 0.7, 1.5, 3.0};
  for (int i = 0; i < 4; ++i) {
    g[i] = mk(CAR, -30 + 20 * i, 5, 0.1, -1);
    p[i] = mk(CAR, -30 + 20 * i + shift[i] * 0.6, 5 + shift[i] * 0.8, 0.1, 0.9f - 0.1f * (float)i);
    p[i].score = (float)(0.9 - 0.1 * i);
  }
  pprt_detset_t *gt = set_of(g, 4), *pr = set_of(p, 4);
  struct pprt_eval_result r = eval(gt, pr, 1);
  NEAR(r.ap[CAR][0], 12.75 / 81, 1e-12);
  NEAR(r.ap[CAR][1], 35.5 / 81, 1e-12);
  NEAR(r.ap[CAR][2], 58.25 / 81, 1e-12);
  NEAR(r.ap[CAR][3], 1.0, 1e-12);
  NEAR(r.class_ap[CAR], 187.5 / 324, 1e-12);
  NEAR(r.tp_err[CAR][0], (4.5 + 7.2 + 2.4 + 0.5 + 12 + 4 + 5.0 / 6) / 65, 1e-6); /* scores are floats */
  NEAR(r.tp_err[CAR][1], 0.0, 1e-12);
  NEAR(r.tp_err[CAR][2], 0.0, 1e-9);
  CU_ASSERT_EQUAL(r.num_gt[CAR], 4);
  CU_ASSERT_EQUAL(r.num_pred[CAR], 4);
  CU_ASSERT_EQUAL(r.evaluated[CAR], 1);
  CU_ASSERT_EQUAL(r.evaluated[PED], 0);
  NEAR(r.mAP, 187.5 / 324, 1e-12);
  /* the devkit's mAP averages all 10 classes; a class without ground truth has AP 0 and errors 1 */
  r = eval(gt, pr, 0);
  NEAR(r.mAP, 187.5 / 3240, 1e-12);
  NEAR(r.tp_err[PED][0], 1.0, 0);
  NEAR(r.ap[PED][3], 0.0, 0);
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pr);
}

/* 2 cars. Predictions TP 0.9, FP 0.8 (far away), TP 0.7: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 ->
 * p = 1 for i < 50, p[50] = 1/2 (last index with that recall), then linear 1/2 -> 2/3, p[100] = 2/3 (no envelope):
 * AP = (39 * 0.9 + 0.4 + 49 * 0.4 + 1225 / 300 + (2/3 - 0.1)) / 81 = 59.75 / 81. With the FP scored below both TPs:
 * p = 1 up to i = 99, p[100] = 2/3: (89 * 0.9 + 2/3 - 0.1) / 81. */
static void test_false_positive(void) {
  struct pprt_det_box g[2] = {mk(CAR, 10, 0, 0, -1), mk(CAR, -10, 0, 0, -1)};
  struct pprt_det_box p[3] = {mk(CAR, 10, 0, 0, 0.9f), mk(CAR, 0, 20, 0, 0.8f), mk(CAR, -10, 0, 0, 0.7f)};
  pprt_detset_t *gt = set_of(g, 2), *pr = set_of(p, 3);
  struct pprt_eval_result r = eval(gt, pr, 1);
  for (int d = 0; d < 4; ++d) NEAR(r.ap[CAR][d], 59.75 / 81, 1e-12);
  pprt_detset_destroy(pr);
  p[1].score = 0.6f;
  pr = set_of(p, 3);
  r = eval(gt, pr, 1);
  for (int d = 0; d < 4; ++d) NEAR(r.ap[CAR][d], (89 * 0.9 + 2.0 / 3 - 0.1) / 81, 1e-12);
  /* perfect predictions: AP 1 */
  pprt_detset_destroy(pr);
  p[1] = p[2];
  pr = set_of(p, 2);
  r = eval(gt, pr, 1);
  for (int d = 0; d < 4; ++d) NEAR(r.ap[CAR][d], 1.0, 1e-12);
  NEAR(r.mAP, 1.0, 1e-12);
  pprt_detset_destroy(pr);
  pprt_detset_destroy(gt);
}

/* One true positive with known errors: ATE 0.4, ASE 1 - 12/24 = 0.5, AOE 0.3, AVE |(0, 2)| = 2, AAE 1.
 * NDS = (5 * 1 + 0.6 + 0.5 + 0.7 + 0 + 0) / 10. A barrier turned by pi + 0.2: AOE 0.2 (period pi), AVE / AAE NaN. */
/* detection_score is a double (issue 12): a TP scored 0.50000001 before a far FP scored 0.5 gives p = 1 up to
 * i = 99 and p[100] = 1/2: AP = (89 * 0.9 + 0.4) / 81 = 0.9938; as floats the scores tie, the devkit's order puts the
 * later box (the FP) first and precision rises linearly 0 -> 1/2: AP 0.2. A results file is also read as double. */
static void test_score_double(void) {
  struct pprt_det_box g = mk(CAR, 10, 0, 0, -1);
  struct pprt_det_box p[2] = {mk(CAR, 10, 0, 0, 0.5f), mk(CAR, -20, 20, 0, 0.5f)};
  p[0].score = 0.50000001;
  pprt_detset_t *gt = set_of(&g, 1), *pr = set_of(p, 2);
  struct pprt_eval_result r = eval(gt, pr, 1);
  for (int d = 0; d < 4; ++d) NEAR(r.ap[CAR][d], (89 * 0.9 + 0.4) / 81, 1e-12);
  const char* path = pprt_test_work("score_double.json");
  CU_ASSERT_EQUAL_FATAL(pprt_detset_write(pr, path, NULL, 0), PPRT_STATUS_OK);
  pprt_detset_t* back = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_load(path, &back), PPRT_STATUS_OK);
  uint32_t n = 0;
  const struct pprt_det_box* b = pprt_detset_boxes(back, 0, &n);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_EQUAL(b[0].score, 0.50000001);
  CU_ASSERT_EQUAL(b[1].score, 0.5);
  pprt_detset_destroy(back);
  pprt_detset_destroy(pr);
  pprt_detset_destroy(gt);
}

/* The devkit rejects results with more than 500 boxes in a sample (load_prediction's assertion): 500 are scored,
 * 501 are BAD_INPUT naming the sample. */
static void test_max_boxes_per_sample(void) {
  struct pprt_det_box g = mk(CAR, 10, 0, 0, -1);
  struct pprt_det_box* p = malloc(501 * sizeof *p);
  CU_ASSERT_FATAL(p != NULL);
  for (int i = 0; i < 501; ++i) p[i] = mk(CAR, -40 + 0.1 * i, 30, 0, 0.9f - 0.001f * (float)i);
  pprt_detset_t* gt = set_of(&g, 1);
  pprt_detset_t* pr = set_of(p, 500);
  struct pprt_eval_result r;
  CU_ASSERT_EQUAL(pprt_eval_detection(gt, pr, 1, &r), PPRT_STATUS_OK);
  pprt_detset_destroy(pr);
  pr = set_of(p, 501);
  CU_ASSERT_EQUAL(pprt_eval_detection(gt, pr, 1, &r), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), TOK));
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "501"));
  pprt_detset_destroy(pr);
  pprt_detset_destroy(gt);
  free(p);
}

static void test_tp_errors(void) {
  struct pprt_det_box g = mk(CAR, 10, 10, 0.5, -1), p = mk(CAR, 10.4, 10, 0.8, 0.5f);
  g.velocity[0] = 1;
  g.velocity[1] = 0;
  p.velocity[0] = 1;
  p.velocity[1] = 2;
  p.size[2] = 3.0;
  strcpy(g.attribute, "vehicle.moving");
  strcpy(p.attribute, "vehicle.parked");
  struct pprt_det_box gb[2] = {g, mk(BARRIER, -5, 5, 0.0, -1)}, pb[2] = {p, mk(BARRIER, -5, 5, M_PI + 0.2, 0.3f)};
  pprt_detset_t *gt = set_of(gb, 2), *pr = set_of(pb, 2);
  struct pprt_eval_result r = eval(gt, pr, 1);
  NEAR(r.tp_err[CAR][0], 0.4, 1e-9);
  NEAR(r.tp_err[CAR][1], 0.5, 1e-12);
  NEAR(r.tp_err[CAR][2], 0.3, 1e-9);
  NEAR(r.tp_err[CAR][3], 2.0, 1e-12);
  NEAR(r.tp_err[CAR][4], 1.0, 0);
  NEAR(r.tp_err[BARRIER][2], 0.2, 1e-9);
  CU_ASSERT(isnan(r.tp_err[BARRIER][3]) && isnan(r.tp_err[BARRIER][4]));
  NEAR(r.mean_tp_err[0], 0.2, 1e-9);
  NEAR(r.mean_tp_err[2], 0.25, 1e-9);
  NEAR(r.mean_tp_err[3], 2.0, 1e-12);
  NEAR(r.mAP, 1.0, 1e-12);
  NEAR(r.NDS, (5.0 + 0.8 + 0.75 + 0.75 + 0 + 0) / 10, 1e-9);
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pr);
}

/* Class ranges (strict <, 50 m for cars) and boxes without lidar points: GT at 10 m (5 points) kept, at 20 m
 * (0 points) and 50 m dropped; the prediction at 60 m is dropped, the one at 20 m is a false positive (predictions
 * carry no point count): precision 1, 1/2 at recall 1 -> p[100] = 1/2: AP = (89 * 0.9 + 0.4) / 81. */
static void test_filters(void) {
  struct pprt_det_box g[3] = {mk(CAR, 10, 0, 0, -1), mk(CAR, 20, 0, 0, -1), mk(CAR, 30, 40, 0, -1)};
  g[0].num_pts = 5;
  g[1].num_pts = 0;
  g[2].num_pts = 9;
  struct pprt_det_box p[4] = {mk(CAR, 10, 0, 0, 0.9f), mk(CAR, 20, 0, 0, 0.8f), mk(CAR, 30, 40, 0, 0.7f),
                              mk(CAR, 60, 0, 0, 0.95f)};
  pprt_detset_t *gt = set_of(g, 3), *pr = set_of(p, 4);
  struct pprt_eval_result r = eval(gt, pr, 1);
  CU_ASSERT_EQUAL(r.num_gt[CAR], 1);
  CU_ASSERT_EQUAL(r.num_pred[CAR], 2);
  NEAR(r.ap[CAR][0], (89 * 0.9 + 0.4) / 81, 1e-12);
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pr);
}

static void test_errors(void) {
  struct pprt_det_box g = mk(CAR, 10, 0, 0, -1);
  pprt_detset_t *gt = set_of(&g, 1), *pr = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&pr), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_detset_add(pr, "other", &g, 1), PPRT_STATUS_OK);
  struct pprt_eval_result r;
  CU_ASSERT_EQUAL(pprt_eval_detection(gt, pr, 0, &r), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "other"));
  pprt_detset_destroy(pr);
  /* no ego pose, no ego_dist */
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&pr), PPRT_STATUS_OK);
  pprt_detset_t* gt2 = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&gt2), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_detset_add(gt2, "s", &g, 1), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_eval_detection(gt2, pr, 0, &r), PPRT_STATUS_BAD_INPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(pprt_last_error(), "ego"));
  CU_ASSERT_EQUAL(pprt_eval_detection(NULL, pr, 0, &r), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_detset_destroy(gt2);
  pprt_detset_destroy(pr);
  pprt_detset_destroy(gt);
}

/* The real sample's 69 objects (through the nuscenes-mini table set) against themselves: AP 1 at every distance for
 * every class with ground truth after filtering, mAP 1 over them; the devkit's mAP is their number / 10. */
static void test_real_self(void) {
  pprt_nusc_t* ds = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_open(pprt_test_data("nuscenes-mini"), NULL, &ds), PPRT_STATUS_OK);
  pprt_detset_t *gt = NULL, *pr = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&gt), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_detset_create(&pr), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_nusc_add_gt(ds, 0, gt), PPRT_STATUS_OK);
  uint32_t n = 0;
  const struct pprt_det_box* b = pprt_detset_boxes(gt, 0, &n);
  CU_ASSERT_EQUAL(n, 68); /* 69 objects, one of them 'ignore' (no detection class) */
  struct pprt_det_box* copy = malloc(n * sizeof *copy);
  CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
  uint32_t m = 0, empty = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (b[i].num_pts == 0) { /* ignored ground truth: a prediction there would be a false positive */
      ++empty;
      continue;
    }
    copy[m] = b[i];
    copy[m].num_pts = -1;
    copy[m++].score = 0.5f;
  }
  CU_ASSERT_EQUAL(empty, 3);
  CU_ASSERT_EQUAL(pprt_detset_add(pr, pprt_detset_token(gt, 0), copy, m), PPRT_STATUS_OK);
  struct pprt_eval_result r = eval(gt, pr, 1);
  int present = 0;
  for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
    if (!r.evaluated[c]) continue;
    ++present;
    for (int d = 0; d < 4; ++d) NEAR(r.ap[c][d], 1.0, 1e-12);
    NEAR(r.tp_err[c][0], 0.0, 1e-12);
  }
  CU_ASSERT(present >= 4);
  NEAR(r.mAP, 1.0, 1e-12);
  r = eval(gt, pr, 0);
  NEAR(r.mAP, present / 10.0, 1e-12);
  free(copy);
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pr);
  pprt_nusc_close(ds);
}

/* pprt eval --gt G --pred G --json: mAP 1 over the present classes. */
static void test_cli(void) {
  const char* g = pprt_test_work("eval_cli_gt.json");
  char pprt[4096], out[65536];
  snprintf(pprt, sizeof pprt, "%s/tools/pprt", PPRT_TEST_BUILD_DIR);
  char* a1[] = {pprt, "eval", "--dataset", (char*)pprt_test_data("nuscenes-mini"), "--write-gt", (char*)g, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(a1, out, sizeof out), 0);
  char* a2[] = {pprt, "eval", "--gt", (char*)g, "--pred", (char*)g, "--json", "--present-classes", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a2, out, sizeof out), 0);
  /* metrics print with 17 significant digits (they read back as the same double): 90 samples of 1.0 averaged */
  const char* m = strstr(out, "{\"mAP\": ");
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  CU_ASSERT(fabs(strtod(m + 8, NULL) - 1.0) < 1e-12);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"NDS\": 0.96666666666666679, "));
  char* a3[] = {pprt, "eval", "--gt", (char*)g, "--pred", (char*)g, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a3, out, sizeof out), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "Per-class results:\nObject Class\tAP\tATE\tASE\tAOE\tAVE\tAAE\ncar\t1.000"));
  char* a4[] = {pprt, "eval", "--gt", (char*)g, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a4, out, sizeof out), 2);
  char* a5[] = {pprt, "eval", "--gt", "/nonexistent.json", "--pred", (char*)g, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a5, out, sizeof out), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nonexistent.json"));
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"shifted", test_shifted},   {"false_positive", test_false_positive}, {"tp_errors", test_tp_errors},
      {"filters", test_filters},   {"errors", test_errors},                 {"real_self", test_real_self},
      {"cli", test_cli},           {"score_double", test_score_double},     {"max_boxes_per_sample", test_max_boxes_per_sample},
      {NULL, NULL},
  };
  return pprt_test_main("eval", cases);
}
