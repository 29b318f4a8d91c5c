/* The KITTI family (docs/KITTI.md) against Xilinx's own deployment code (Vitis AI 2.5 Custom_OP_Demo): its
 * preprocess and post-processing were built outside this repository and run on the same bytes; their outputs are
 * pinned here as hashes (voxelization) and as the printed boxes (tests/data/xilinx-kitti/post_synth_*.txt, the
 * post-processing of the synthetic DPU outputs this binary writes with --synth). Plus the configuration reader.
 *
 *   test_kitti --synth SEED RATE HI DIR   writes DIR/cls.bin, box.bin, dir.bin (the synthetic DPU1 outputs of a case) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/kitti.h"
#include "pprt/nusc.h"
#include "core/runtime_internal.h"
#include "kitti_sample.h"
#include "testutil.h"

#define XDIR "xilinx-kitti/"
#define NA (248u * 216u * 6u)

static const char* model_path(void) { return pprt_test_data(XDIR "pointpillars_custom_op.xmodel"); }

static const char* config_path(const char* name) {
  static char buf[2][4096];
  static int slot;
  slot ^= 1;
  snprintf(buf[slot], sizeof buf[slot], "%s/../models/kitti/%s", PPRT_TEST_SOURCE_DIR, name);
  return buf[slot];
}

/* ---------------------------------------------------------------- configuration */

static void test_config_shipped(void) {
  struct pprt_kitti_config demo, got;
  pprt_kitti_config_demo(&demo);
  struct pprt_err err;
  err.msg[0] = '\0';
  enum pprt_status st = pprt_kitti_config_load(config_path("pointpillars_custom_op.prototxt"),
                                               config_path("pointpillars_custom_op_officialcfg.prototxt"), &got, &err);
  if (st) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT(memcmp(&demo, &got, sizeof demo) == 0);
  /* each file alone sets its part: the second.pytorch file alone gives every value too */
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, config_path("pointpillars_custom_op_officialcfg.prototxt"), &got, &err),
                  PPRT_STATUS_OK);
  CU_ASSERT(memcmp(&demo, &got, sizeof demo) == 0);
}

static void test_config_values_and_errors(void) {
  struct pprt_kitti_config c;
  struct pprt_err err;
  const char* p = pprt_test_work("kitti_cfg.prototxt");
  const char* ok = "model: { second: {\n  voxel_generator { voxel_size: [0.2, 0.2, 4] point_cloud_range: [0, -40, -3, "
                   "70.4, 40, 1] }\n  nms_iou_threshold: 0.3\n  target_assigner: { anchor_generators: { "
                   "anchor_generator_stride: { class_name: 'Car' sizes: [1, 2, 3] strides: [0.4, 0.4, 0] offsets: "
                   "[0.2, -39.8, -1] rotations: [0, 1.57, 3.14] } } }\n} }\n";
  CU_ASSERT_FATAL(pprt_test_write_file(p, ok, strlen(ok)) == 0);
  CU_ASSERT_EQUAL_FATAL(pprt_kitti_config_load(NULL, p, &c, &err), PPRT_STATUS_OK);
  CU_ASSERT(c.voxel_size[0] == 0.2f && c.point_cloud_range[3] == 70.4f && c.nms_iou_threshold == 0.3f);
  CU_ASSERT(c.num_generators == 1 && c.gen[0].num_rotations == 3 && c.gen[0].sizes[2] == 3.0f);
  CU_ASSERT_STRING_EQUAL(c.gen[0].class_name, "Car");
  int32_t grid[3];
  pprt_kitti_grid(&c, grid);
  CU_ASSERT(grid[0] == 352 && grid[1] == 400 && grid[2] == 1);

  static const struct {
    const char* text;
    enum pprt_status st;
    const char* where;
  } bad[] = {
      {"model { second { num_class: 3 }\n", PPRT_STATUS_PARSE_ERROR, ":2:1: missing '}'"},
      {"model { second { num_class: -3 } }\n", PPRT_STATUS_PARSE_ERROR, ":1:29: expected an unsigned"},
      {"model {\n second { voxel_generator { voxel_size: [0.2, x] } } }", PPRT_STATUS_PARSE_ERROR, ":2:"},
      {"model { second { voxel_generator { point_cloud_range: [0, 1, 2] } } }", PPRT_STATUS_PARSE_ERROR,
       "needs 6 values"},
      {"model { second { target_assigner { anchor_generators { anchor_generator_stride { sizes: [1, 2] } } } } }",
       PPRT_STATUS_PARSE_ERROR, "needs 3 sizes"},
      {"\"unterminated\n", PPRT_STATUS_PARSE_ERROR, ":1:1: unterminated string"},
      /* what protobuf's text format refuses and the officialcfg reader accepted before it shared the schema reader's
       * lexer (model/textformat.c) */
      {"model { second { num_class: +3 } }\n", PPRT_STATUS_PARSE_ERROR, ":1:29: unexpected character '+'"},
      {"model { second { unused: 1.2.3 } }\n", PPRT_STATUS_PARSE_ERROR, ":1:26: malformed number"},
      {"model { second { unused: a-b } }\n", PPRT_STATUS_PARSE_ERROR, ":1:27: expected a field name"},
      {"model { second { num_class: 3x } }\n", PPRT_STATUS_PARSE_ERROR, ":1:29: malformed number"},
      {"model { second { layer_strides [1, 2] } }\n", PPRT_STATUS_PARSE_ERROR, ":1:18: expected ':' or '{'"},
      {"model { second { } > }\n", PPRT_STATUS_PARSE_ERROR, ":1:20: unexpected '>'"},
      {"model < second { } }\n", PPRT_STATUS_PARSE_ERROR, ":1:20: unexpected '}'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    CU_ASSERT_FATAL(pprt_test_write_file(p, bad[i].text, strlen(bad[i].text)) == 0);
    err.msg[0] = '\0';
    enum pprt_status st = pprt_kitti_config_load(NULL, p, &c, &err);
    CU_ASSERT_EQUAL(st, bad[i].st);
    if (strstr(err.msg, bad[i].where) == NULL) {
      printf("\n  case %zu: '%s' lacks '%s'", i, err.msg, bad[i].where);
      CU_FAIL("message");
    }
  }
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, pprt_test_work("no_such_kitti.prototxt"), &c, &err),
                  PPRT_STATUS_IO_ERROR);
  /* parses, but cannot be used: the voxel size does not divide the range into pillars */
  const char* z = "model { second { voxel_generator { voxel_size: [0.16, 0.16, 1] } } }";
  CU_ASSERT_FATAL(pprt_test_write_file(p, z, strlen(z)) == 0);
  CU_ASSERT_EQUAL_FATAL(pprt_kitti_config_load(NULL, p, &c, &err), PPRT_STATUS_OK);
  struct pprt_kitti_post_params pp;
  CU_ASSERT_EQUAL(pprt_kitti_post_params_init(&pp, &c, 3, 6, 4, 0.5f, &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "z grid") != NULL);
}

/* What protobuf's text format allows and the officialcfg reader read wrongly or refused before it shared the schema
 * reader's lexer (model/textformat.c): string escapes and adjacent strings, hex and octal integers (0144 is 100, not
 * 144), an 'f' suffix, '<' '>' delimiters, a list of messages, a comment at the end of the file without a newline. */
static void test_config_text_format(void) {
  struct pprt_kitti_config c;
  struct pprt_err err;
  err.msg[0] = '\0';
  const char* p = pprt_test_work("kitti_cfg_tf.prototxt");
  const char* text =
      "model: { second: <\n"
      "  num_class: 0x2  # hex\n"
      "  voxel_generator { max_number_of_points_per_voxel: 0144 voxel_size: [2e-1, 0.2f, 4] }\n"
      "  nms_score_threshold: 1e-3; nms_iou_threshold: -.5e0\n"
      "  target_assigner { anchor_generators: [\n"
      "    { anchor_generator_stride { class_name: \"C\\x61\" 'r' sizes: [1, 2, 3] strides: [0x1, 0, 0]\n"
      "      offsets: [0, 0, 0] rotations: [0] } },\n"
      "    < anchor_generator_stride < class_name: \"Ped\\145strian\\u00e9\" sizes: [0.6, 0.8, 1.7] strides: [1, 1, 0]\n"
      "      offsets: [010, 0, -1.5] rotations: [0, 1.57] > > ] }\n"
      "> }  # no newline after this comment";
  CU_ASSERT_FATAL(pprt_test_write_file(p, text, strlen(text)) == 0);
  enum pprt_status st = pprt_kitti_config_load(NULL, p, &c, &err);
  if (st) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.num_class, 2);
  CU_ASSERT_EQUAL(c.max_points_num, 100);
  CU_ASSERT(c.voxel_size[0] == 0.2f && c.voxel_size[1] == 0.2f && c.voxel_size[2] == 4.0f);
  CU_ASSERT(c.nms_score_threshold == 0.001f);
  CU_ASSERT(c.nms_iou_threshold == -0.5f);
  CU_ASSERT_EQUAL_FATAL(c.num_generators, 2);
  CU_ASSERT_STRING_EQUAL(c.gen[0].class_name, "Car");
  CU_ASSERT(c.gen[0].strides[0] == 1.0f && c.gen[0].num_rotations == 1);
  CU_ASSERT_STRING_EQUAL(c.gen[1].class_name, "Pedestrian\xc3\xa9");
  CU_ASSERT(c.gen[1].offsets[0] == 8.0f && c.gen[1].offsets[2] == -1.5f);
  CU_ASSERT(c.gen[1].sizes[2] == 1.7f && c.gen[1].num_rotations == 2 && c.gen[1].rotations[1] == 1.57f);
  /* a NUL byte decoded into class_name is refused (it would cut the name) */
  const char* nul = "model { second { target_assigner { anchor_generators { anchor_generator_stride { class_name: "
                    "'a\\0b' } } } } }";
  CU_ASSERT_FATAL(pprt_test_write_file(p, nul, strlen(nul)) == 0);
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, p, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, ":1:94: class_name must be a string") != NULL);
}

/* The officialcfg file is read like the prototxt (pprt_tf_read_file): a FIFO is refused without blocking (it used to
 * block in fopen until a writer came), a file over 1 MiB is refused (it used to be read up to 64 MB). */
static void test_config_file_kinds(void) {
  struct pprt_kitti_config c;
  struct pprt_err err;
  const char* fifo = pprt_test_work("kitti_cfg_fifo.prototxt");
  unlink(fifo);
  CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
  err.msg[0] = '\0';
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, fifo, &c, &err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(strstr(err.msg, "not a regular file") != NULL);
  unlink(fifo);
  const size_t big = 1024u * 1024u + 1u;
  char* text = malloc(big);
  CU_ASSERT_FATAL(text != NULL);
  memset(text, ' ', big);
  memcpy(text, "# padding", 9);
  const char* p = pprt_test_work("kitti_cfg_big.prototxt");
  CU_ASSERT_FATAL(pprt_test_write_file(p, text, big) == 0);
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, p, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, "kitti_cfg_big.prototxt: file is larger than 1048576 bytes") != NULL);
  CU_ASSERT_FATAL(pprt_test_write_file(p, text, big - 1) == 0); /* 1 MiB of comment and spaces: an empty config */
  CU_ASSERT_EQUAL(pprt_kitti_config_load(NULL, p, &c, &err), PPRT_STATUS_OK);
  free(text);
}

/* ---------------------------------------------------------------- voxelization against Xilinx's preprocess */

static pprt_runtime_t* open_stage_runtime(void) {
  pprt_runtime_t* rt = pprt_test_runtime(model_path(), PPRT_RUNNER_NONE, 0);
  CU_ASSERT_EQUAL_FATAL(rt->family, PPRT_FAMILY_KITTI);
  return rt;
}

static void voxelize_sample(pprt_runtime_t* rt, const float* pts, uint32_t n) {
  const struct pprt_sweep sw = kitti_sweep(pts, n);
  CU_ASSERT_EQUAL_FATAL(pprt_stage_voxelize(rt, &sw, 1, pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), NULL), PPRT_STATUS_OK);
}

static void test_voxelize_matches_xilinx(void) {
  /* FNV-1a of the DPU0 input [12000][100][4] and of the (y, x) int32 pairs Xilinx's preprocess wrote for the sample
   * (one thread: points in file order), as stored and with its halves swapped. */
  static const uint64_t want_in[2] = {0x0d3b633c1804e889ULL, 0x90507ab7eb25a492ULL};
  static const uint64_t want_coords[2] = {0xacfb5f8fa4edc726ULL, 0xa84f8fccbca18096ULL};
  pprt_runtime_t* rt = open_stage_runtime();
  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  for (int swap = 0; swap < 2; ++swap) {
    uint32_t n = 0;
    float* pts = kitti_sample_load(swap, &n);
    for (size_t v = 0; v < nk; ++v) {
      rt->k = all[v];
      voxelize_sample(rt, pts, n);
      struct pprt_frame_stats s;
      pprt_runtime_stats(rt, &s);
      CU_ASSERT_EQUAL(s.pillars, 8309);
      CU_ASSERT_EQUAL(s.points_out_of_range, 125103 - 62801);
      CU_ASSERT_EQUAL(s.points_overflow, 1042); /* 22 pillars with more than 100 points */
      uint32_t np = 0;
      const int32_t* coords = pprt_stage_pillars(rt, &np);
      const uint64_t h_in = pprt_test_fnv1a(pprt_runtime_tensor_buf(rt, PPRT_TENSOR_DPU0_INPUT), 12000u * 100u * 4u);
      const uint64_t h_c = pprt_test_fnv1a(coords, (size_t)np * 8);
      if (h_in != want_in[swap] || h_c != want_coords[swap])
        printf("\n  %s swap %d: input %#llx coords %#llx", all[v]->isa, swap, (unsigned long long)h_in,
               (unsigned long long)h_c);
      CU_ASSERT_EQUAL(h_in, want_in[swap]);
      CU_ASSERT_EQUAL(h_c, want_coords[swap]);
    }
    free(pts);
  }
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- post-processing against Xilinx's */

/* Synthetic DPU1 outputs of case (seed, rate, hi): a class logit is uniform in [0, hi] (at or above the 0.5 score
 * threshold) with probability 1 / rate, else uniform in [-128, -1]; box deltas uniform in [-40, 40], direction logits
 * in [-60, 60] (int8 at the model's fix points 3 / 6 / 4). Small hi gives many equal scores (tie order); small rate
 * gives more than nms_pre candidates (the heap's replacement path). */
static void synth(uint64_t seed, uint32_t rate, uint32_t hi, int8_t* cls, int8_t* box, int8_t* dir) {
  struct pprt_rng r;
  pprt_rng_seed(&r, seed);
  for (size_t i = 0; i < NA * 3; ++i)
    cls[i] = (int8_t)(pprt_rng_u32(&r, rate) == 0 ? (int)pprt_rng_u32(&r, hi + 1) : -1 - (int)pprt_rng_u32(&r, 128));
  for (size_t i = 0; i < NA * 7; ++i) box[i] = (int8_t)((int)pprt_rng_u32(&r, 81) - 40);
  for (size_t i = 0; i < NA * 2; ++i) dir[i] = (int8_t)((int)pprt_rng_u32(&r, 121) - 60);
}

static const struct {
  uint64_t seed;
  uint32_t rate, hi;
} k_cases[] = {{1, 40, 40}, {2, 2000, 40}, {3, 300, 2}, {4, 20000, 20}};

static void test_post_matches_xilinx(void) {
  pprt_runtime_t* rt = open_stage_runtime();
  uint32_t n = 0;
  float* pts = kitti_sample_load(1, &n);
  voxelize_sample(rt, pts, n);
  free(pts);
  int8_t* cls = malloc(NA * 3);
  int8_t* box = malloc(NA * 7);
  int8_t* dir = malloc(NA * 2);
  struct pprt_box* boxes = malloc(300 * sizeof *boxes);
  CU_ASSERT_FATAL(cls && box && dir && boxes);
  for (size_t c = 0; c < sizeof k_cases / sizeof k_cases[0]; ++c) {
    synth(k_cases[c].seed, k_cases[c].rate, k_cases[c].hi, cls, box, dir);
    uint32_t nb = 0;
    CU_ASSERT_EQUAL(pprt_stage_post(rt, cls, box, dir, NULL, 0, boxes, 300, &nb), PPRT_STATUS_OK);
    char name[64];
    snprintf(name, sizeof name, "kitti_post_%zu.txt", c);
    CU_ASSERT_EQUAL_FATAL(pprt_boxes_write_kitti(pprt_test_work(name), boxes, nb), PPRT_STATUS_OK);
    size_t la = 0, lb = 0;
    char* got = pprt_test_read_file(pprt_test_work(name), &la);
    snprintf(name, sizeof name, XDIR "post_synth_%llu_%u_%u.txt", (unsigned long long)k_cases[c].seed,
             k_cases[c].rate, k_cases[c].hi);
    char* want = pprt_test_read_file(pprt_test_data(name), &lb);
    CU_ASSERT_FATAL(got != NULL && want != NULL);
    int same = la == lb && memcmp(got, want, la) == 0;
    if (!same) printf("\n  case %zu (%s): %u boxes, not the reference's output", c, name, nb);
    CU_ASSERT(same);
    CU_ASSERT(nb > 0);
    free(got);
    free(want);
  }
  free(cls);
  free(box);
  free(dir);
  free(boxes);
  pprt_runtime_destroy(rt);
}

/* ---------------------------------------------------------------- the whole graph, DPU subgraphs on the CPU runner */

/* Runs the sample (halves swapped or as stored) through pprt_runtime_run with the CPU runner plugin and returns the
 * boxes as pprt run --format vai prints them (malloc'd). */
static char* run_sample(const char* model, int swap, uint32_t* nb) {
  pprt_runtime_t* rt = pprt_test_runtime(model, PPRT_RUNNER_CPU, 0);
  struct pprt_box boxes[300];
  char* txt = kitti_sample_run(rt, swap, boxes, 300, nb, "kitti_run.txt");
  struct pprt_frame_stats fs;
  pprt_runtime_stats(rt, &fs);
  CU_ASSERT_EQUAL(fs.pillars, 8309);
  pprt_runtime_destroy(rt);
  return txt;
}

static int same_text(const char* what, const char* got, const char* want) {
  if (strcmp(got, want) == 0) return 1;
  printf("\n  %s:\n%s  expected:\n%s", what, got, want);
  return 0;
}

/* What Xilinx's graph runner printed for sample_pointpillars.bin on a board (the example's readme). Its two
 * preprocess threads put thread 1's points first in every pillar both fed, which is the halves-swapped sweep in file
 * order (docs/KITTI.md). Every printed digit. */
static const char* const k_board = kitti_board_output;

/* The sweep as stored, in file order (pprt's deterministic rule): the crowded pillars keep other points, which moves
 * the first three cars. Measured with pprt; its voxelization equals Xilinx's single-thread preprocess (above) and its
 * post-processing Xilinx's (above), so this is what Xilinx's code gives with one preprocess thread. */
static const char k_as_stored[] =
    "0       18.465866 4.000000 -1.708367 1.703191 4.350764 1.465484 1.679375     0.880797\n"
    "0       10.917599 4.705866 -1.622433 1.650789 4.350764 1.634866 1.632500     0.867036\n"
    "0       34.531731 1.571731 -1.563948 1.503061 3.495937 1.420396 1.726250     0.851953\n"
    "1       21.338512 -2.400002 -1.681677 0.600000 1.963422 1.784916 4.742843     0.777300\n"
    "0       57.891731 -4.188267 -1.536627 1.575194 3.780010 1.512004 2.007500     0.679179\n";

static void test_board_output(void) {
  uint32_t nb = 0;
  char* got = run_sample(model_path(), 1, &nb);
  CU_ASSERT_EQUAL(nb, 5);
  CU_ASSERT(same_text("halves swapped", got, k_board));
  free(got);
}

static void test_as_stored(void) {
  if (PPRT_TEST_EMULATOR[0] != '\0') { /* ~55 s a frame under qemu: the board case above covers arm64 */
    printf("(host only) ");
    return;
  }
  uint32_t nb = 0;
  char* got = run_sample(model_path(), 0, &nb);
  CU_ASSERT(same_text("as stored", got, k_as_stored));
  free(got);
}

/* The quantizer's output of the same trained model (VoxelNet_int.xmodel, before vai_c_xir), which pprt partitions
 * as XIR does for a DPU target: the same five boxes as the compiled file and the board, every printed digit. Host
 * only (a frame ~55 s under qemu; test_xmodel_forms compares the two forms op by op on arm64 too). */
static void test_quantized_board_output(void) {
  if (PPRT_TEST_EMULATOR[0] != '\0') {
    printf("(host only) ");
    return;
  }
  uint32_t nb = 0;
  char* got = run_sample(pprt_test_data(XDIR "VoxelNet_int.xmodel"), 1, &nb);
  CU_ASSERT_EQUAL(nb, 5);
  CU_ASSERT(same_text("quantized, halves swapped", got, k_board));
  free(got);
}

/* The stream (2 DPU contexts, 3 frames in flight) gives each frame the boxes pprt_runtime_run gives: the anchor mask
 * travels with the frame's outputs (frames alternate between the two pillar sets). Host only (a frame ~55 s under qemu). */
static void test_stream(void) {
  if (PPRT_TEST_EMULATOR[0] != '\0') {
    printf("(host only) ");
    return;
  }
  pprt_runtime_t* rt = pprt_test_runtime(model_path(), PPRT_RUNNER_CPU, 0);
  uint32_t n0 = 0, n1 = 0;
  float* pts[2] = {kitti_sample_load(1, &n0), kitti_sample_load(0, &n1)};
  const struct pprt_sweep sw[2] = {kitti_sweep(pts[0], n0), kitti_sweep(pts[1], n1)};
  struct pprt_stream_options so;
  pprt_stream_options_init(&so);
  so.dpu_cores = 2;
  so.max_in_flight = 3;
  pprt_stream_t* st = NULL;
  CU_ASSERT_EQUAL_FATAL(pprt_stream_create(rt, &so, &st), PPRT_STATUS_OK);
  const char* want[2] = {k_board, k_as_stored};
  for (uint64_t f = 0; f < 3; ++f) CU_ASSERT_EQUAL(pprt_stream_submit(st, &sw[f % 2], 1, f), PPRT_STATUS_OK);
  for (uint64_t f = 0; f < 3; ++f) {
    struct pprt_box boxes[300];
    uint32_t nb = 0;
    uint64_t tag = 99;
    CU_ASSERT_EQUAL_FATAL(pprt_stream_receive(st, boxes, 300, &nb, &tag, NULL), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(tag, f);
    char* txt = kitti_boxes_text(boxes, nb, "kitti_stream.txt");
    CU_ASSERT_STRING_EQUAL(txt, want[f % 2]);
    free(txt);
  }
  pprt_stream_destroy(st);
  pprt_runtime_destroy(rt);
  free(pts[0]);
  free(pts[1]);
}

static int write_synth(int argc, char** argv) {
  if (argc != 6) return 2;
  static int8_t cls[NA * 3], box[NA * 7], dir[NA * 2];
  synth(strtoull(argv[2], NULL, 10), (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4]), cls, box, dir);
  char p[4096];
  snprintf(p, sizeof p, "%s/cls.bin", argv[5]);
  int rc = pprt_test_write_file(p, cls, sizeof cls);
  snprintf(p, sizeof p, "%s/box.bin", argv[5]);
  rc |= pprt_test_write_file(p, box, sizeof box);
  snprintf(p, sizeof p, "%s/dir.bin", argv[5]);
  rc |= pprt_test_write_file(p, dir, sizeof dir);
  return rc ? 1 : 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--synth") == 0) return write_synth(argc, argv);
  static const struct pprt_test_case cases[] = {
      {"config: shipped files = Xilinx's demo values", test_config_shipped},
      {"config: values and errors", test_config_values_and_errors},
      {"config: protobuf text format (the shared lexer)", test_config_text_format},
      {"config: a FIFO and an oversized file", test_config_file_kinds},
      {"voxelize: = Xilinx preprocess on the sample", test_voxelize_matches_xilinx},
      {"post: = Xilinx post-processing on synthetic outputs", test_post_matches_xilinx},
      {"run: halves-swapped sample = the board's five boxes", test_board_output},
      {"run: sample as stored (file order)", test_as_stored},
      {"run: quantized VoxelNet_int.xmodel, halves swapped = the board's five boxes", test_quantized_board_output},
      {"stream: same boxes per frame", test_stream},
      {NULL, NULL}};
  return pprt_test_main("kitti", cases);
}
