/* The KITTI Model Zoo pair layout (docs/KITTI.md): DIR/<name0>/ (xmodel, PointPillarsKittiParam prototxt,
 * <name0>_officialcfg.prototxt) + DIR/<name1>/, run the way the Vitis AI Library's `pointpillars` runs it.
 * Fixtures (tests/CMakeLists.txt, FIXTURES_SETUP kitti_pair), all written by pprt-genmodel --family kitti:
 *   kitti_pair            --size small --seed 3 --cls-bias -1 (the pprt form)
 *   kitti_pair_compiled   the same weights in vai_c_xir's layout;  kitti_pair_quantized  in the quantizer's
 *   kitti_pair_s1 / _sm1  the same with DPU1's input fix point 1 above / below DPU0's output (the middle step)
 *   kitti_xilinx_pair     --from-graph tests/data/xilinx-kitti/VoxelNet_int.xmodel: Xilinx's trained weights
 * Independent checks: a scalar re-implementation of VAI-L's voxelization rule, the middle step as VAI-L writes it
 * (copy, or in_scale * out_scale * q converted to int8 by truncation), every box re-decoded from the DPU outputs,
 * the NMS property, the forms against each other, the board's output, and the command line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/runtime_internal.h"
#include "model/kitti.h"
#include "kitti_sample.h"
#include "pprt/nusc.h"
#include "testutil.h"

static const char* pair_dir(const char* name) { return pprt_test_work(name); }

static pprt_runtime_t* open_pair(const char* dir, enum pprt_runner runner) {
  pprt_runtime_t* rt = pprt_test_runtime(dir, runner, 0);
  CU_ASSERT_EQUAL_FATAL(rt->family, PPRT_FAMILY_KITTI);
  return rt;
}

/* Runs the sample through the pair (CPU runner); boxes as pprt run --format vai prints them (malloc'd). */
static char* run_pair(pprt_runtime_t* rt, int swap, struct pprt_box* boxes, uint32_t* nb) {
  return kitti_sample_run(rt, swap, boxes, 300, nb, "kitti_pair_run.txt");
}

/* ---------------------------------------------------------------- the generated pair's configuration */

#define GRID 256
#define SLOTS 32
#define PILLARS 6000
static const float k_min[3] = {0.0f, -20.48f, -3.0f}, k_max[3] = {40.96f, 20.48f, 1.0f},
                   k_vox[3] = {0.16f, 0.16f, 4.0f};

static void test_loads_as_kitti(void) {
  pprt_runtime_t* rt = open_pair(pair_dir("kitti_pair"), PPRT_RUNNER_NONE);
  CU_ASSERT_EQUAL(pprt_runtime_num_classes(rt), 3);
  CU_ASSERT_STRING_EQUAL(pprt_runtime_class_name(rt, 0), "Car");
  CU_ASSERT_STRING_EQUAL(pprt_runtime_class_name(rt, 2), "Pedestrian");
  CU_ASSERT_EQUAL(pprt_runtime_max_boxes(rt), 300);
  CU_ASSERT_STRING_EQUAL(rt->name0, "pointpillars_kitti_small_0_pt");
  CU_ASSERT_STRING_EQUAL(rt->name1, "pointpillars_kitti_small_1_pt");
  const struct pprt_kitti_config* c = &rt->kcfg;
  CU_ASSERT(c->max_voxels_num == PILLARS && c->max_points_num == SLOTS && c->num_generators == 3);
  CU_ASSERT(c->point_cloud_range[3] == k_max[0] && c->voxel_size[0] == k_vox[0] && c->layer_stride == 2);
  CU_ASSERT(c->gen[0].offsets[1] == -20.32f && c->gen[1].sizes[1] == 1.76f);
  CU_ASSERT_EQUAL(rt->sp.mode, PPRT_REQUANT_TRUNCATE); /* VAI-L's middle step, not the custom op's float2fix */
  CU_ASSERT_EQUAL(rt->sp.shift, 0);
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- voxelization: VAI-L's rule, written again */

struct vox_oracle {
  uint32_t pillars, out_of_range, overflow;
  int32_t coords[PILLARS][2];
};

static void voxel_oracle(const float* p, uint32_t n, struct vox_oracle* o) {
  static int32_t id[GRID * GRID];
  static uint32_t cnt[PILLARS];
  memset(o, 0, sizeof *o);
  for (int i = 0; i < GRID * GRID; ++i) id[i] = -1;
  memset(cnt, 0, sizeof cnt);
  int32_t grid[3];
  float off[3];
  for (int j = 0; j < 3; ++j) {
    grid[j] = (int32_t)((k_max[j] - k_min[j]) / k_vox[j]);
    off[j] = k_min[j] / k_vox[j];
  }
  CU_ASSERT_FATAL(grid[0] == GRID && grid[1] == GRID && grid[2] == 1);
  for (uint32_t i = 0; i < n; ++i) {
    int32_t c[3];
    int in = 1;
    for (int j = 0; j < 3 && in; ++j) {
      c[j] = (int32_t)floorf(p[i * 4 + j] / k_vox[j] - off[j]);
      in = c[j] >= 0 && c[j] < grid[j];
    }
    if (!in) {
      ++o->out_of_range;
      continue;
    }
    int32_t* v = &id[c[1] * GRID + c[0]];
    if (*v < 0) {
      if (o->pillars == PILLARS) { /* a new pillar past the limit: skipped, reading goes on */
        ++o->overflow;
        continue;
      }
      *v = (int32_t)o->pillars;
      o->coords[o->pillars][0] = c[1];
      o->coords[o->pillars][1] = c[0];
      ++o->pillars;
    }
    if (cnt[*v] == SLOTS) ++o->overflow;
    else ++cnt[*v];
  }
}

static void test_voxelize_oracle(void) {
  pprt_runtime_t* rt = open_pair(pair_dir("kitti_pair"), PPRT_RUNNER_NONE);
  static struct vox_oracle o;
  for (int swap = 0; swap < 2; ++swap) {
    uint32_t n = 0;
    float* pts = kitti_sample_load(swap, &n);
    voxel_oracle(pts, n, &o);
    const struct pprt_sweep sw = kitti_sweep(pts, n);
    CU_ASSERT_EQUAL_FATAL(pprt_stage_voxelize(rt, &sw, 1, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), NULL), PPRT_STATUS_OK);
    struct pprt_frame_stats s;
    pprt_runtime_stats(rt, &s);
    CU_ASSERT_EQUAL(s.pillars, o.pillars);
    CU_ASSERT_EQUAL(s.points_out_of_range, o.out_of_range);
    CU_ASSERT_EQUAL(s.points_overflow, o.overflow);
    uint32_t np = 0;
    const int32_t* coords = pprt_stage_pillars(rt, &np);
    CU_ASSERT_EQUAL_FATAL(np, o.pillars);
    CU_ASSERT(memcmp(coords, o.coords, (size_t)np * 8) == 0);
    if (swap == 0) { /* the sample in this 41 x 41 m grid fills the 6000 pillars: the limit path is exercised */
      CU_ASSERT_EQUAL(o.pillars, PILLARS);
      CU_ASSERT(o.overflow > 0 && o.out_of_range == 62996);
    }
    free(pts);
  }
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- the middle step between the two models */

/* VAI-L 2.5 pointpillars (docs/KITTI.md): equal scales copy the features; otherwise each is in_scale2 * out_scale1
 * * q as float, stored into the int8 canvas by C++'s float -> int8_t conversion (truncation toward zero; values
 * past int8 wrap on the boards' and this host's compilers). */
static int8_t vai_middle(int8_t q, int shift) {
  if (shift == 0) return q;
  const float v = (float)q * ldexpf(1.0f, shift);
  return (int8_t)(uint8_t)((uint32_t)(int32_t)truncf(v) & 0xffu);
}

static void check_middle(const char* dir, int want_shift) {
  pprt_runtime_t* rt = open_pair(pair_dir(dir), PPRT_RUNNER_CPU);
  CU_ASSERT_EQUAL_FATAL(rt->sp.shift, want_shift);
  struct pprt_box boxes[300];
  uint32_t nb = 0;
  free(run_pair(rt, 0, boxes, &nb));
  uint32_t np = 0;
  const int32_t* coords = pprt_stage_pillars(rt, &np);
  const int8_t* feat = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_OUTPUT);
  const int8_t* canvas = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_INPUT);
  const uint32_t C = rt->sp.C, W = rt->sp.W, H = rt->sp.H;
  CU_ASSERT_FATAL(np == PILLARS && C == 32 && W == GRID && H == GRID);
  uint8_t* hit = calloc((size_t)H * W, 1);
  CU_ASSERT_FATAL(hit != NULL);
  uint32_t bad = 0, differs_from_dpu = 0;
  for (uint32_t i = 0; i < np; ++i) {
    const uint32_t cell = (uint32_t)coords[2 * i] * W + (uint32_t)coords[2 * i + 1];
    hit[cell] = 1;
    for (uint32_t c = 0; c < C; ++c) {
      const int8_t q = feat[(size_t)i * C + c];
      const int8_t want = vai_middle(q, want_shift);
      bad += canvas[(size_t)cell * C + c] != want;
      /* what the custom op's float2fix (round half up, saturating) would give instead */
      const double r = floor((double)q * ldexp(1.0, want_shift) + 0.5);
      differs_from_dpu += (double)want != (r > 127 ? 127 : r < -128 ? -128 : r);
    }
  }
  for (size_t cell = 0; cell < (size_t)H * W; ++cell)
    for (uint32_t c = 0; c < C && !hit[cell]; ++c) bad += canvas[cell * C + c] != 0;
  free(hit);
  CU_ASSERT_EQUAL(bad, 0);
  if (want_shift != 0) CU_ASSERT(differs_from_dpu > 0); /* the test tells the two rules apart */
  pprt_runtime_destroy(rt);
}

static void test_middle_copy(void) { check_middle("kitti_pair", 0); }
static void test_middle_shift_up(void) { check_middle("kitti_pair_s1", 1); }
static void test_middle_shift_down(void) { check_middle("kitti_pair_sm1", -1); }

/* ---------------------------------------------------------------- boxes: every one re-decoded, the NMS property */

static void hull(const float* b, float h[4]) { /* x, y, w, l, yaw -> x1 y1 x2 y2 of the rotated BEV rectangle */
  const float s = sinf(b[4]), c = cosf(b[4]);
  h[0] = h[1] = 1e30f;
  h[2] = h[3] = -1e30f;
  for (int k = 0; k < 4; ++k) {
    const float dx = (k & 1 ? 0.5f : -0.5f) * b[2], dy = (k & 2 ? 0.5f : -0.5f) * b[3];
    const float x = b[0] + dx * c - dy * s, y = b[1] + dx * s + dy * c;
    h[0] = fminf(h[0], x);
    h[1] = fminf(h[1], y);
    h[2] = fmaxf(h[2], x);
    h[3] = fmaxf(h[3], y);
  }
}

static void test_boxes(void) {
  pprt_runtime_t* rt = open_pair(pair_dir("kitti_pair"), PPRT_RUNNER_CPU);
  struct pprt_box boxes[300];
  uint32_t nb = 0;
  free(run_pair(rt, 0, boxes, &nb));
  struct pprt_frame_stats s;
  pprt_runtime_stats(rt, &s);
  CU_ASSERT_EQUAL(nb, 75); /* pprt-genmodel --seed 3 --cls-bias -1 on the sample */
  CU_ASSERT(s.candidates >= nb);
  const uint32_t H = 128, W = 128, A = 6, K = 3;
  const int8_t* cls = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_CLS);
  const int8_t* reg = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_REG);
  const int8_t* dir = pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU1_DIR);
  const float sc = ldexpf(1.0f, -pprt_runtime_tensor_desc(rt, PPRT_TENSOR_DPU1_CLS)->fix_point);
  const float sb = ldexpf(1.0f, -pprt_runtime_tensor_desc(rt, PPRT_TENSOR_DPU1_REG)->fix_point);
  static const float sizes[3][3] = {{1.6f, 3.9f, 1.56f}, {0.6f, 1.76f, 1.73f}, {0.6f, 0.8f, 1.73f}};
  static const float zs[3] = {-1.78f, -1.465f, -1.465f}, rots[2] = {0.0f, 1.57f};
  uint32_t matched = 0;
  for (uint32_t b = 0; b < nb; ++b) {
    const struct pprt_box* o = &boxes[b];
    CU_ASSERT(o->score >= 0.5f && o->label >= 0 && o->label < 3);
    if (b > 0) CU_ASSERT(o->score <= boxes[b - 1].score);
    int found = 0;
    for (uint32_t a = 0; a < H * W * A && !found; ++a) {
      const int8_t* q = &cls[(size_t)a * K];
      uint32_t best = 0;
      for (uint32_t k = 1; k < K; ++k) best = q[k] > q[best] ? k : best;
      if ((int32_t)best != o->label || (float)(1.0 / (1.0 + exp(-(double)(q[best] * sc)))) != o->score) continue;
      const uint32_t slot = a % A, x = (a / A) % W, y = a / A / W, g = slot / 2;
      const float xa = (float)x * 0.32f + 0.16f, ya = (float)y * 0.32f - 20.32f;
      const float wa = sizes[g][0], la = sizes[g][1], ha = sizes[g][2], za = zs[g] + ha / 2;
      const float d = (float)sqrt((double)la * la + (double)wa * wa);
      float v[7];
      int8_t tq[7];
      for (int k = 0; k < 7; ++k) tq[k] = reg[(size_t)a * 7 + k];
      v[0] = tq[0] * sb * d + xa;
      v[1] = tq[1] * sb * d + ya;
      v[5] = expf(tq[5] * sb) * ha;
      v[2] = tq[2] * sb * ha + za - v[5] / 2;
      v[3] = expf(tq[3] * sb) * wa;
      v[4] = expf(tq[4] * sb) * la;
      v[6] = tq[6] * sb + rots[slot % 2];
      const int bin = dir[(size_t)a * 2] >= dir[(size_t)a * 2 + 1] ? 0 : 1;
      if ((v[6] > 0) != (bin == 1)) v[6] += 3.14159265f;
      const float got[7] = {o->x, o->y, o->z, o->w, o->l, o->h, o->yaw};
      int same = 1;
      for (int k = 0; k < 7; ++k) same = same && fabsf(got[k] - v[k]) <= 1e-4f * (1.0f + fabsf(v[k]));
      found = same;
    }
    matched += (uint32_t)found;
  }
  CU_ASSERT_EQUAL(matched, nb);
  /* NMS (axis-aligned hulls, +1 on every extent, suppress at IoU >= 0.5): no two kept boxes overlap that much */
  uint32_t overlapping = 0;
  for (uint32_t i = 0; i < nb; ++i)
    for (uint32_t j = i + 1; j < nb; ++j) {
      const float bi[5] = {boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].l, boxes[i].yaw};
      const float bj[5] = {boxes[j].x, boxes[j].y, boxes[j].w, boxes[j].l, boxes[j].yaw};
      float hi[4], hj[4];
      hull(bi, hi);
      hull(bj, hj);
      const float iw = fminf(hi[2], hj[2]) - fmaxf(hi[0], hj[0]) + 1, ih = fminf(hi[3], hj[3]) - fmaxf(hi[1], hj[1]) + 1;
      if (iw <= 0 || ih <= 0) continue;
      const float ai = (hi[2] - hi[0] + 1) * (hi[3] - hi[1] + 1), aj = (hj[2] - hj[0] + 1) * (hj[3] - hj[1] + 1);
      overlapping += iw * ih / (ai + aj - iw * ih) >= 0.5f + 1e-4f;
    }
  CU_ASSERT_EQUAL(overlapping, 0);
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- the same weights in other forms */

/* The pprt form, vai_c_xir's compiled layout and the quantizer's *_int.xmodel layout of one seed hold the same
 * int8 weights: the pair gives the same boxes, every printed digit, and the same counts. */
static void test_forms_agree(void) {
  const char* dirs[3] = {"kitti_pair", "kitti_pair_compiled", "kitti_pair_quantized"};
  char* txt[3];
  struct pprt_frame_stats s[3];
  for (int i = 0; i < 3; ++i) {
    pprt_runtime_t* rt = open_pair(pair_dir(dirs[i]), PPRT_RUNNER_CPU);
    struct pprt_box boxes[300];
    uint32_t nb = 0;
    txt[i] = run_pair(rt, 0, boxes, &nb);
    pprt_runtime_stats(rt, &s[i]);
    CU_ASSERT_EQUAL(nb, 75);
    pprt_runtime_destroy(rt);
  }
  for (int i = 1; i < 3; ++i) {
    if (strcmp(txt[0], txt[i]) != 0) printf("\n  %s differs from %s\n", dirs[i], dirs[0]);
    CU_ASSERT_STRING_EQUAL(txt[0], txt[i]);
    CU_ASSERT(s[i].pillars == s[0].pillars && s[i].candidates == s[0].candidates);
  }
  for (int i = 0; i < 3; ++i) free(txt[i]);
}

/* Xilinx's trained model as a Model Zoo pair (pprt-genmodel --from-graph VoxelNet_int.xmodel): the board's five
 * detections on the halves-swapped sample (docs/KITTI.md "Threads and the board's output"), every printed digit,
 * as the one-file graph gives them (kitti_board_output; test_kitti): DPU0's output and DPU1's input share fix point 5, so
 * VAI-L's middle step is a copy there. Host only (a frame takes ~1 min under qemu). */
static void test_xilinx_pair_board_output(void) {
  if (PPRT_TEST_EMULATOR[0] != '\0') {
    printf("(host only) ");
    return;
  }
  pprt_runtime_t* rt = open_pair(pair_dir("kitti_xilinx_pair"), PPRT_RUNNER_CPU);
  CU_ASSERT_EQUAL(rt->sp.shift, 0);
  struct pprt_box boxes[300];
  uint32_t nb = 0;
  char* got = run_pair(rt, 1, boxes, &nb);
  CU_ASSERT_EQUAL(nb, 5);
  if (strcmp(got, kitti_board_output) != 0) printf("\n%s  expected:\n%s", got, kitti_board_output);
  CU_ASSERT_STRING_EQUAL(got, kitti_board_output);
  struct pprt_frame_stats s;
  pprt_runtime_stats(rt, &s);
  CU_ASSERT_EQUAL(s.pillars, 8309);
  free(got);
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- pprt run on the pair */

static void test_cli(void) {
  static char out[1 << 16];
  static struct vox_oracle o;
  uint32_t n = 0;
  float* pts = kitti_sample_load(0, &n);
  voxel_oracle(pts, n, &o);
  free(pts);
  char* argv[] = {PPRT_TEST_PPRT_EXE, "run", "--model", (char*)pair_dir("kitti_pair"),
                  (char*)pprt_test_data("xilinx-kitti/sample_pointpillars.bin"), "--runner", "cpu", NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv, out, sizeof out), 0);
  char want[256];
  snprintf(want, sizeof want, "frame: 125103 points in 1 sweep -> %u pillars (dropped: 0 non-finite, %u out of range, %u "
           "overflow)", o.pillars, o.out_of_range, o.overflow);
  if (strstr(out, want) == NULL) printf("\n%s\n  expected a line with: %s\n", out, want);
  CU_ASSERT(strstr(out, want) != NULL);
  CU_ASSERT(strstr(out, "(pointpillars_kitti_small_0_pt + pointpillars_kitti_small_1_pt)") != NULL);
  CU_ASSERT(strstr(out, "; 75 boxes") != NULL);
  /* --format vai prints what the library returns, line for line */
  char* argv2[] = {PPRT_TEST_PPRT_EXE, "run", "--model", (char*)pair_dir("kitti_pair"),
                   (char*)pprt_test_data("xilinx-kitti/sample_pointpillars.bin"), "--runner", "cpu", "--format", "vai",
                   NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv2, out, sizeof out), 0);
  pprt_runtime_t* rt = open_pair(pair_dir("kitti_pair"), PPRT_RUNNER_CPU);
  struct pprt_box boxes[300];
  uint32_t nb = 0;
  char* lib = run_pair(rt, 0, boxes, &nb);
  CU_ASSERT_STRING_EQUAL(out, lib);
  free(lib);
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- bad pairs: a status and a message */

static char* slurp(const char* path) {
  size_t len = 0;
  char* t = pprt_test_read_file(path, &len); /* NUL-terminated */
  CU_ASSERT_FATAL(t != NULL);
  return t;
}

static void put(const char* path, const char* text) {
  CU_ASSERT_FATAL(pprt_test_write_file(path, text, strlen(text)) == 0);
}

static void expect_fail(const char* dir, enum pprt_status want, const char* msg) {
  struct pprt_options o;
  pprt_options_init(&o);
  o.model_dir = dir;
  o.runner = PPRT_RUNNER_NONE;
  pprt_runtime_t* rt = (pprt_runtime_t*)1;
  enum pprt_status st = pprt_runtime_create(&o, &rt);
  CU_ASSERT_PTR_NULL(rt);
  if (st != want || strstr(pprt_last_error(), msg) == NULL)
    printf("\n  got %s \"%s\", expected %s \"...%s...\"\n", pprt_status_str(st), pprt_last_error(),
           pprt_status_str(want), msg);
  CU_ASSERT_EQUAL(st, want);
  CU_ASSERT(strstr(pprt_last_error(), msg) != NULL);
}

static void test_bad_pairs(void) {
  const char* dir = pprt_test_work("kitti_pair_bad");
  char* rm[] = {"rm", "-rf", (char*)dir, NULL};
  pprt_test_run(rm, NULL, 0);
  char* cp[] = {"cp", "-r", (char*)pair_dir("kitti_pair"), (char*)dir, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(cp, NULL, 0), 0);
  char pt0[4200], pt1[4200], oc[4200];
  snprintf(pt0, sizeof pt0, "%s/pointpillars_kitti_small_0_pt/pointpillars_kitti_small_0_pt.prototxt", dir);
  snprintf(pt1, sizeof pt1, "%s/pointpillars_kitti_small_1_pt/pointpillars_kitti_small_1_pt.prototxt", dir);
  snprintf(oc, sizeof oc, "%s/pointpillars_kitti_small_0_pt/pointpillars_kitti_small_0_pt_officialcfg.prototxt", dir);
  char* good_pt0 = slurp(pt0);
  char* good_oc = slurp(oc);

  put(pt0, "model { pointpillars_kitti_param { base { voxel_size: [0.16, 0.16] } } }");
  expect_fail(dir, PPRT_STATUS_PARSE_ERROR,
              "pointpillars_kitti_small_0_pt.prototxt:1:36: 'base' needs 3 'voxel_size' values, got 2");
  put(pt0, "model { model_type: SSD pointpillars_kitti_param { } }");
  expect_fail(dir, PPRT_STATUS_MODEL_MISMATCH, "model_type 2; a KITTI PointPillars model is POINTPILLARS (39)");
  put(pt0, "model { model_type: POINTPILLARS }\nmodel { }\n");
  expect_fail(dir, PPRT_STATUS_PARSE_ERROR, ":2:1: a second 'model' block");
  put(pt0, good_pt0);

  put(pt1, "model { pointpillars_kitti_param { bogus: 1 } }");
  expect_fail(dir, PPRT_STATUS_PARSE_ERROR,
              "pointpillars_kitti_small_1_pt.prototxt:1:36: message type \"vitis.ai.proto.PointPillarsKittiParam\" has "
              "no field named \"bogus\"");
  put(pt1, "# nothing\n");
  expect_fail(dir, PPRT_STATUS_MODEL_MISMATCH, "pointpillars_kitti_small_1_pt.prototxt: no 'model' block");
  put(pt1, good_pt0);

  char* rmoc[] = {"rm", "-f", oc, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(rmoc, NULL, 0), 0);
  expect_fail(dir, PPRT_STATUS_IO_ERROR, "pointpillars_kitti_small_0_pt_officialcfg.prototxt: missing");
  put(oc, "model: { second: { voxel_generator { voxel_size: [0.16, 0.16, 4]\n");
  expect_fail(dir, PPRT_STATUS_PARSE_ERROR, "_officialcfg.prototxt:2:1: missing '}' at end of file");
  const struct {
    const char *from, *to, *msg;
  } edits[] = {
      {"voxel_size : [0.16, 0.16, 4.0]", "voxel_size : [0.2, 0.2, 4.0]", "DPU1 input"}, /* another grid */
      {"num_class: 3", "num_class: 2", "DPU1 output"},                                 /* heads of 3 classes */
      {"max_number_of_voxels: 6000", "max_number_of_voxels: 7000", "DPU0 input"},
      /* a field VAI-L reads, missing: it would read 0 */
      {"    nms_iou_threshold: 0.5\n", "", "_officialcfg.prototxt: no model.second.nms_iou_threshold: "},
      {"eval_input_reader", "eval_input_reader_x", "no eval_input_reader.max_number_of_voxels"},
      {"rpn: {", "rpn_x: {", "no model.second.rpn.layer_strides"},
  };
  for (size_t i = 0; i < sizeof edits / sizeof edits[0]; ++i) {
    char* at = strstr(good_oc, edits[i].from);
    CU_ASSERT_FATAL(at != NULL);
    char* t = malloc(strlen(good_oc) + 64);
    CU_ASSERT_FATAL(t != NULL);
    snprintf(t, strlen(good_oc) + 64, "%.*s%s%s", (int)(at - good_oc), good_oc, edits[i].to, at + strlen(edits[i].from));
    put(oc, t);
    free(t);
    expect_fail(dir, PPRT_STATUS_MODEL_MISMATCH, edits[i].msg);
  }
  put(oc, "\x01\x02\x03");
  expect_fail(dir, PPRT_STATUS_PARSE_ERROR, "_officialcfg.prototxt:1:1: unexpected byte 0x01");
  put(oc, good_oc);
  pprt_runtime_t* rt = open_pair(dir, PPRT_RUNNER_NONE); /* restored: loads again */
  pprt_runtime_destroy(rt);
  free(good_pt0);
  free(good_oc);
}

/* pprt-genmodel --family kitti --size full has Xilinx's architecture: per model, the same G-op count and the same
 * input / output shapes as Xilinx's trained graph cut into a pair (pprt inspect counts both). */
static void test_full_matches_xilinx(void) {
  static char out[2][1 << 16];
  const char* dirs[2] = {pair_dir("kitti_full"), pair_dir("kitti_xilinx_pair")};
  for (int i = 0; i < 2; ++i) {
    char* argv[] = {PPRT_TEST_PPRT_EXE, "inspect", (char*)dirs[i], NULL};
    CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv, out[i], sizeof out[i]), 0);
  }
  /* "G-op per frame: X" per model, and the "in" / "out" tensor shapes (the token after the name) */
  const char* key = "G-op per frame: ";
  const char *a = out[0], *b = out[1];
  int n = 0;
  while ((a = strstr(a, key)) != NULL && (b = strstr(b, key)) != NULL) {
    a += strlen(key);
    b += strlen(key);
    CU_ASSERT(strtod(a, NULL) == strtod(b, NULL));
    ++n;
  }
  CU_ASSERT_EQUAL(n, 2);
  static const char* shapes[] = {"1x12000x100x4", "1x12000x1x64", "1x496x432x64", "1x248x216x18", "1x248x216x42",
                                 "1x248x216x12"};
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; ++k)
    for (int i = 0; i < 2; ++i) CU_ASSERT(strstr(out[i], shapes[k]) != NULL);
  CU_ASSERT(strstr(out[0], "G-op per frame: 10.134") != NULL);
}

/* pprt-genmodel --from-graph on files it cannot cut: a message and exit status 1, no abort. */
static void test_split_errors(void) {
  static char out[1 << 14];
  struct {
    const char* file;
    const char* msg;
  } cases[] = {
      {"xilinx-kitti/sample_pointpillars.bin", "not a valid xmodel: offset 0"},
      {"xilinx-kitti/pointpillars_custom_op.xmodel", "a compiled graph (upload / download ops)"},
      {"demo-model/pointpillars_demo_0_pt/pointpillars_demo_0_pt.xmodel", "no PPScatterV2 op"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char* argv[] = {PPRT_GENMODEL_EXE, "--family", "kitti", "--quiet", "--out", (char*)pprt_test_work("kitti_split_bad"),
                    "--from-graph", (char*)pprt_test_data(cases[i].file), NULL};
    const int rc = pprt_test_run(argv, out, sizeof out);
    if (rc != 1 || strstr(out, cases[i].msg) == NULL) printf("\n  %s: rc %d: %s\n", cases[i].file, rc, out);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT(strstr(out, cases[i].msg) != NULL);
  }
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"pair: loads as a KITTI model, parameters from the officialcfg", test_loads_as_kitti},
      {"pair: voxelization = VAI-L's rule (oracle), with the pillar limit", test_voxelize_oracle},
      {"pair: middle step, equal fix points (copy)", test_middle_copy},
      {"pair: middle step, DPU1 input fix point + 1 (VAI-L's truncation, wraps)", test_middle_shift_up},
      {"pair: middle step, DPU1 input fix point - 1 (VAI-L's truncation)", test_middle_shift_down},
      {"pair: every box re-decoded from the DPU outputs, NMS property", test_boxes},
      {"pair: pprt, compiled and quantized forms of the same weights agree", test_forms_agree},
      {"pair: Xilinx's VoxelNet_int.xmodel as a pair = the board's five boxes", test_xilinx_pair_board_output},
      {"pair: pprt run", test_cli},
      {"pair: bad files give a status and a message", test_bad_pairs},
      {"pprt-genmodel --from-graph: files it cannot cut", test_split_errors},
      {"pprt-genmodel --family kitti --size full = Xilinx's architecture", test_full_matches_xilinx},
      {NULL, NULL}};
  return pprt_test_main("kitti_pair", cases);
}
