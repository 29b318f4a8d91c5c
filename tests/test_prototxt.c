/* Tests of the prototxt reader (runtime/src/model/prototxt.c): the production fixture, syntax variants, malformed
 * inputs with exact positions, validation, file loading, and no crash on any truncation or mutation. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "model/model_config.h"
#include "testutil.h"

static int mkdir_p_test(const char* d) { return mkdir(d, 0777); }

/* Expected floats are written as double literals rounded once to float, which is what the parser does. */
#define F(x) ((float)(x))
#define ALL_PRESENT (((1u << 25) - 1u) & ~(uint32_t)PPRT_CFG_VOXEL_SIZE)

/* Parse from a heap buffer of exactly len bytes (no terminating NUL) so ASan catches any over-read. */
static enum pprt_status parse_exact(const char* text, size_t len, struct pprt_model_config* cfg, struct pprt_err* err) {
  char* buf = malloc(len ? len : 1);
  CU_ASSERT_FATAL(buf != NULL);
  if (len) memcpy(buf, text, len);
  memset(err->msg, 0, sizeof err->msg);
  enum pprt_status st = pprt_prototxt_parse(len ? buf : NULL, len, "t", cfg, err);
  free(buf);
  return st;
}

static enum pprt_status parse_str(const char* text, struct pprt_model_config* cfg, struct pprt_err* err) {
  return parse_exact(text, strlen(text), cfg, err);
}

static const float k_z[7] = {F(-1.80032795), F(-1.74440365), F(-1.68526504), F(-1.67339111),
                             F(-1.61785072), F(-1.80984986), F(-1.763965)};
static const float k_wlh[7][3] = {{F(1.95017717), F(4.60718145), F(1.72270761)},
                                  {F(2.4560939), F(6.73778078), F(2.73004906)},
                                  {F(2.87427237), F(12.01320693), F(3.81509561)},
                                  {F(0.60058911), F(1.68452161), F(1.27192197)},
                                  {F(0.66344886), F(0.7256437), F(1.75748069)},
                                  {F(0.39694519), F(0.40359262), F(1.06232151)},
                                  {F(2.49008838), F(0.48578221), F(0.98297065)}};

/* Every value of the production config (= the defaults of docs/DESIGN.md, model contract) except name and present. */
static void check_production_values(const struct pprt_model_config* c) {
  static const float mean[5] = {F(0.0), F(0.0), F(-1.0), F(127.5), F(0.275)};
  static const float scale[5] = {F(0.02), F(0.02), F(0.25), F(0.0078), F(3.6364)};
  static const float range[6] = {-50.0f, -50.0f, -5.0f, 50.0f, 50.0f, 3.0f};
  CU_ASSERT_EQUAL(c->num_mean, 5);
  CU_ASSERT_EQUAL(c->num_scale, 5);
  for (int i = 0; i < 5; ++i) {
    CU_ASSERT_EQUAL(c->mean[i], mean[i]);
    CU_ASSERT_EQUAL(c->scale[i], scale[i]);
  }
  for (int i = 0; i < 6; ++i) CU_ASSERT_EQUAL(c->point_cloud_range[i], range[i]);
  CU_ASSERT_EQUAL(c->voxel_size[0], 0.25f);
  CU_ASSERT_EQUAL(c->voxel_size[1], 0.25f);
  CU_ASSERT_EQUAL(c->voxel_size[2], 8.0f);
  for (int i = 0; i < 6; ++i) CU_ASSERT_EQUAL(c->voxel_range[i], range[i]); /* VAI-L's fixed grid */
  CU_ASSERT_EQUAL(c->in_channels, 64);
  CU_ASSERT_EQUAL(c->max_points_num, 64);
  CU_ASSERT_EQUAL(c->max_voxels_num, 40000);
  CU_ASSERT_EQUAL(c->featmap_size[0], 200);
  CU_ASSERT_EQUAL(c->featmap_size[1], 200);
  const struct pprt_anchor_config* a = &c->anchor;
  CU_ASSERT_EQUAL_FATAL(a->num_ranges, 7);
  CU_ASSERT_EQUAL_FATAL(a->num_sizes, 7);
  for (int i = 0; i < 7; ++i) {
    CU_ASSERT_EQUAL(a->ranges[i][0], F(-49.6));
    CU_ASSERT_EQUAL(a->ranges[i][1], F(-49.6));
    CU_ASSERT_EQUAL(a->ranges[i][2], k_z[i]);
    CU_ASSERT_EQUAL(a->ranges[i][3], F(49.6));
    CU_ASSERT_EQUAL(a->ranges[i][4], F(49.6));
    CU_ASSERT_EQUAL(a->ranges[i][5], k_z[i]);
    for (int k = 0; k < 3; ++k) CU_ASSERT_EQUAL(a->sizes[i][k], k_wlh[i][k]);
  }
  CU_ASSERT_EQUAL(a->num_rotations, 2);
  CU_ASSERT_EQUAL(a->rotations[0], 0.0f);
  CU_ASSERT_EQUAL(a->rotations[1], F(1.57));
  CU_ASSERT_EQUAL(a->num_custom_values, 2);
  CU_ASSERT_EQUAL(a->custom_values[0], 0.0f);
  CU_ASSERT_EQUAL(a->custom_values[1], 0.0f);
  CU_ASSERT_EQUAL(a->align_corner, 0);
  CU_ASSERT_EQUAL(a->scale, 1.0f);
  CU_ASSERT_EQUAL(c->num_classes, 10);
  CU_ASSERT_EQUAL(c->nms_pre, 1000);
  CU_ASSERT_EQUAL(c->nms_thresh, F(0.2));
  CU_ASSERT_EQUAL(c->max_num, 500);
  CU_ASSERT_EQUAL(c->score_thresh, F(0.05));
  CU_ASSERT_STRING_EQUAL(c->score_layer_name, "conv_cls");
  CU_ASSERT_STRING_EQUAL(c->bbox_layer_name, "conv_reg");
  CU_ASSERT_STRING_EQUAL(c->dir_layer_name, "conv_dir_cls");
}

static void test_defaults(void) {
  struct pprt_model_config c;
  memset(&c, 0xA5, sizeof c); /* poison: every field must be written */
  pprt_model_config_defaults(&c);
  check_production_values(&c);
  CU_ASSERT_EQUAL(c.present, 0);
  CU_ASSERT_STRING_EQUAL(c.name, "");
  struct pprt_err err;
  /* nothing was given: VAI-L would read zeros, pprt refuses */
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "d", &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "d: no 'model' block") != NULL);
  c.present = ALL_PRESENT;
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "d", &err), PPRT_STATUS_OK);
}

static void test_fixture(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  memset(&c, 0xA5, sizeof c);
  enum pprt_status st = pprt_prototxt_load(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &c, &err);
  if (st != PPRT_STATUS_OK) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "pointpillars_nuscenes_40000_64_0_pt");
  check_production_values(&c);
  CU_ASSERT_EQUAL(c.present, ALL_PRESENT);
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "fixture", &err), PPRT_STATUS_OK);
}

/* The fixture's values equal the defaults, so also prove that every field is really read: change each value in
 * the text and check it arrives. */
static void test_fixture_edited(void) {
  size_t len;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_FATAL(text != NULL);
  char* edited = malloc(len * 2 + 64);
  CU_ASSERT_FATAL(edited != NULL);
  /* Replace every occurrence of a few numbers with distinct ones. */
  static const struct { const char* from; const char* to; } subs[] = {
      {"127.5", "100.25"}, {"3.6364", "2.5"}, {"max_voxels_num: 40000", "max_voxels_num: 30000"},
      {"nms_pre: 1000", "nms_pre: 900"}, {"-1.763965", "-1.5"}, {"12.01320693", "11.5"},
      {"rotations: 1.57", "rotations: 1.5"}, {"align_corner: false", "align_corner: true"},
      {"\"conv_dir_cls\"", "\"dir\""}, {"featmap_size: 200\n    featmap_size: 200", "featmap_size: 100 featmap_size: 150"},
  };
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    int done = 0;
    for (size_t s = 0; s < sizeof subs / sizeof subs[0] && !done; ++s) {
      size_t fl = strlen(subs[s].from);
      if (i + fl <= len && memcmp(text + i, subs[s].from, fl) == 0) {
        size_t tl = strlen(subs[s].to);
        memcpy(edited + o, subs[s].to, tl);
        o += tl;
        i += fl;
        done = 1;
      }
    }
    if (!done) edited[o++] = text[i++];
  }
  struct pprt_model_config c;
  struct pprt_err err;
  enum pprt_status st = parse_exact(edited, o, &c, &err);
  if (st != PPRT_STATUS_OK) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.mean[3], F(100.25));
  CU_ASSERT_EQUAL(c.scale[4], 2.5f);
  CU_ASSERT_EQUAL(c.max_voxels_num, 30000);
  CU_ASSERT_EQUAL(c.nms_pre, 900);
  CU_ASSERT_EQUAL(c.anchor.ranges[6][2], -1.5f);
  CU_ASSERT_EQUAL(c.anchor.ranges[6][5], -1.5f);
  CU_ASSERT_EQUAL(c.anchor.ranges[5][2], k_z[5]);
  CU_ASSERT_EQUAL(c.anchor.sizes[2][1], 11.5f);
  CU_ASSERT_EQUAL(c.anchor.rotations[1], 1.5f);
  CU_ASSERT_EQUAL(c.anchor.align_corner, 1);
  CU_ASSERT_STRING_EQUAL(c.dir_layer_name, "dir");
  CU_ASSERT_EQUAL(c.featmap_size[0], 100);
  CU_ASSERT_EQUAL(c.featmap_size[1], 150);
  free(edited);
  free(text);
}

static void test_minimal_subgraph1(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  const char* t1 =
      "model {\n  name: \"pointpillars_nuscenes_40000_64_1_pt\"\n  kernel {\n"
      "    name: \"pointpillars_nuscenes_40000_64_1_pt\"\n  }\n}\n";
  CU_ASSERT_EQUAL_FATAL(parse_str(t1, &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "pointpillars_nuscenes_40000_64_1_pt");
  CU_ASSERT_EQUAL(c.present, PPRT_CFG_MODEL | PPRT_CFG_KERNEL);
  check_production_values(&c);
  /* it parses (protobuf would), but VAI-L would read zeros for everything pprt needs: refused by name */
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "t", &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "t: no 'mean' in kernel") != NULL);
  /* Without even a kernel block. */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { name: \"m1\" }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "m1");
  CU_ASSERT_EQUAL(c.present, PPRT_CFG_MODEL);
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "t", &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "t: no 'kernel' block") != NULL);
  /* A param block with a single field marks the block and that field only. */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { pointpillars_nus_param { num_classes: 7 } }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.present, PPRT_CFG_MODEL | PPRT_CFG_PILLARS_PARAM | PPRT_CFG_NUM_CLASSES);
  CU_ASSERT_EQUAL(c.num_classes, 7);
  CU_ASSERT_EQUAL(c.max_voxels_num, 40000);
}

static void test_empty_and_comments(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  static const char* ok[] = {"", "   \n\t\r\n", "# only a comment", "# comment\n# another\n",
                             "model { } # trailing comment without newline", "model {};\n#"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
    memset(&c, 0xA5, sizeof c);
    enum pprt_status st = parse_str(ok[i], &c, &err);
    if (st != PPRT_STATUS_OK) printf("\n  case %zu: %s\n", i, err.msg);
    CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.present, i < 4 ? 0u : (uint32_t)PPRT_CFG_MODEL);
    check_production_values(&c);
  }
  /* VAI-L reads exactly one model per file (it CHECKs model_size == 1 after parsing) */
  CU_ASSERT_EQUAL(parse_str("model {};\nmodel {},", &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, "t:2:1: a second 'model' block") != NULL);
  /* NULL text with zero length is the empty input. */
  CU_ASSERT_EQUAL(pprt_prototxt_parse(NULL, 0, "t", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_prototxt_parse(NULL, 3, "t", &c, &err), PPRT_STATUS_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(pprt_prototxt_parse("", 0, "t", NULL, &err), PPRT_STATUS_INVALID_ARGUMENT);
}

static void test_syntax_variants(void) {
  const char* t =
      "# every syntax form, with values that differ from the defaults\n"
      "model: {\n"
      "  name: 'my' \"model\" '\\x41\\101\\n' \"\\t\\\"\\'\\\\\\?\" '\\501'\n"
      "  kernel < name: \"k\"; mean: [1, 2, 3, 4]; scale: [0.5, 0.25e1, 1E-2, 3f] >\n"
      "  model_type: 34\n" /* an enum by number */
      "  is_tf: false order_type: RGB use_graph_runner: 0\n"
      "  pointpillars_nus_param: {\n"
      "    point_cloud_range: [-40, -40.5, -3, 40, 40.5, 1]\n"
      "    in_channels: 4\n"
      "    max_points_num: 0x20\n"
      "    max_voxels_num: 012\n"
      "    featmap_size: [100, 81]\n"
      "    anchor_info {\n"
      "      ranges: [{ single_range: [1,2,3,4,5,6] }, < single_range: [7,8,9,10,11,12] >]\n"
      "      sizes { single_size: [1, 2, 3] }, sizes: { single_size: 4 single_size: 5 single_size: 6e0 }\n"
      "      rotations: [0.5]\n"
      "      custom_value: []\n"
      "      align_corner: True\n"
      "      scale: 2\n"
      "    }\n"
      "    num_classes: 3\n"
      "    nms_pre: 100, nms_thresh: 0.5\n"
      "    max_num: 0\n" /* proto3: a singular field holding its default may be given again */
      "    max_num: 60\n"
      "    score_thresh: 3e-1\n"
      "    score_layer_name: \"a\" \"b\"\n"
      "    bbox_layer_name: 'r'\n"
      "    dir_layer_name: \"d\\u00e9\\U0001F600\\uD83D\\uDE00\"\n"
      "  }\n"
      "}\n";
  struct pprt_model_config c;
  struct pprt_err err;
  memset(&c, 0xA5, sizeof c);
  enum pprt_status st = parse_str(t, &c, &err);
  if (st != PPRT_STATUS_OK) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "mymodelAA\n\t\"'\\?A");
  CU_ASSERT_EQUAL(c.num_mean, 4);
  CU_ASSERT_EQUAL(c.num_scale, 4);
  for (int i = 0; i < 4; ++i) CU_ASSERT_EQUAL(c.mean[i], (float)(i + 1));
  CU_ASSERT_EQUAL(c.scale[0], 0.5f);
  CU_ASSERT_EQUAL(c.scale[1], 2.5f);
  CU_ASSERT_EQUAL(c.scale[2], F(0.01));
  CU_ASSERT_EQUAL(c.scale[3], 3.0f);
  static const float range[6] = {-40.0f, -40.5f, -3.0f, 40.0f, 40.5f, 1.0f};
  for (int i = 0; i < 6; ++i) CU_ASSERT_EQUAL(c.point_cloud_range[i], range[i]);
  CU_ASSERT_EQUAL(c.model_type, PPRT_MODEL_TYPE_POINTPILLARS_NUS);
  CU_ASSERT_EQUAL(c.in_channels, 4);
  CU_ASSERT_EQUAL(c.max_points_num, 32);
  CU_ASSERT_EQUAL(c.max_voxels_num, 10);
  CU_ASSERT_EQUAL(c.featmap_size[0], 100);
  CU_ASSERT_EQUAL(c.featmap_size[1], 81);
  const struct pprt_anchor_config* a = &c.anchor;
  CU_ASSERT_EQUAL_FATAL(a->num_ranges, 2);
  CU_ASSERT_EQUAL_FATAL(a->num_sizes, 2);
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 6; ++k) CU_ASSERT_EQUAL(a->ranges[i][k], (float)(i * 6 + k + 1));
    for (int k = 0; k < 3; ++k) CU_ASSERT_EQUAL(a->sizes[i][k], (float)(i * 3 + k + 1));
  }
  CU_ASSERT_EQUAL(a->num_rotations, 1);
  CU_ASSERT_EQUAL(a->rotations[0], 0.5f);
  CU_ASSERT_EQUAL(a->num_custom_values, 0);
  CU_ASSERT_EQUAL(a->align_corner, 1);
  CU_ASSERT_EQUAL(a->scale, 2.0f);
  CU_ASSERT_EQUAL(c.num_classes, 3);
  CU_ASSERT_EQUAL(c.nms_pre, 100);
  CU_ASSERT_EQUAL(c.nms_thresh, 0.5f);
  CU_ASSERT_EQUAL(c.max_num, 60);
  CU_ASSERT_EQUAL(c.score_thresh, F(0.3));
  CU_ASSERT_STRING_EQUAL(c.score_layer_name, "ab");
  CU_ASSERT_STRING_EQUAL(c.bbox_layer_name, "r");
  CU_ASSERT_STRING_EQUAL(c.dir_layer_name, "d\xc3\xa9\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
  CU_ASSERT_EQUAL(c.present, ALL_PRESENT);
}

static void test_bools_and_numbers(void) {
  static const struct { const char* v; int want; } bools[] = {
      {"true", 1}, {"True", 1}, {"t", 1}, {"1", 1}, {"false", 0}, {"False", 0}, {"f", 0}, {"0", 0}};
  struct pprt_model_config c;
  struct pprt_err err;
  char buf[256];
  for (size_t i = 0; i < sizeof bools / sizeof bools[0]; ++i) {
    /* a true value after the default false (allowed again in proto3); a false one as the only value */
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { anchor_info { %s align_corner: %s } } }",
             bools[i].want ? "align_corner: false" : "", bools[i].v);
    CU_ASSERT_EQUAL_FATAL(parse_str(buf, &c, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.anchor.align_corner, bools[i].want);
  }
  /* true, then false: a non-repeated field given twice, as protobuf's ParseFromString refuses it */
  CU_ASSERT_EQUAL(parse_str("model { pointpillars_nus_param { anchor_info { align_corner: true align_corner: f } } }",
                            &c, &err),
                  PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, "t:1:67: non-repeated field \"align_corner\" is specified multiple times") != NULL);
  static const struct { const char* v; float want; } floats[] = {
      {"0.125", 0.125f}, {"-0.5", -0.5f}, {"- 0.5", -0.5f}, {".75", 0.75f}, {"1.", 1.0f}, {"2f", 2.0f},
      {"2.5F", 2.5f}, {"1e-3", F(1e-3)}, {"-1.5E+2", -150.0f}, {"0x10", 16.0f}, {"-010", -8.0f}, {"0", 0.0f},
      {"1e-50", 0.0f}, {"340282346638528859811704183484516925440", 3.40282346638528859811704183484516925440e38f}};
  for (size_t i = 0; i < sizeof floats / sizeof floats[0]; ++i) {
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { anchor_info { scale: %s } } }", floats[i].v);
    enum pprt_status st = parse_str(buf, &c, &err);
    if (st != PPRT_STATUS_OK) printf("\n  %s: %s\n", floats[i].v, err.msg);
    CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.anchor.scale, floats[i].want);
  }
  static const struct { const char* v; uint32_t want; } ints[] = {
      {"7", 7}, {"0x7f", 127}, {"0XFF", 255}, {"017", 15}, {"2147483647", 2147483647u}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; ++i) { /* an int32 field */
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { max_voxels_num: %s } }", ints[i].v);
    CU_ASSERT_EQUAL_FATAL(parse_str(buf, &c, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.max_voxels_num, ints[i].want);
  }
  static const struct { const char* v; uint32_t want; } counts[] = {{"0", 0}, {"1000", 1000}, {"1e3", 1000}, {"250.0", 250}};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; ++i) { /* nms_pre is a float in VAI-L's schema */
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { nms_pre: %s } }", counts[i].v);
    CU_ASSERT_EQUAL_FATAL(parse_str(buf, &c, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.nms_pre, counts[i].want);
  }
}

/* A decimal comma locale must not change how numbers are read. */
static void test_locale_independent(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  /* Only meaningful where such a locale is installed; otherwise this is the plain C-locale check. */
  const char* old = setlocale(LC_NUMERIC, NULL);
  char saved[64];
  snprintf(saved, sizeof saved, "%s", old != NULL ? old : "C");
  if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL) setlocale(LC_NUMERIC, "C");
  enum pprt_status st = parse_str("model { pointpillars_nus_param { nms_thresh: 0.375 } }", &c, &err);
  setlocale(LC_NUMERIC, saved);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.nms_thresh, 0.375f);
}

struct bad_case {
  const char* text;
  size_t len; /* 0 = strlen */
  const char* where; /* expected "t:<line>:<col>: " */
  const char* what;  /* a substring of the message */
};

static char g_deep[4096];

/* A KITTI prototxt (model_type POINTPILLARS, PointPillarsKittiParam.base): read by the same schema reader, every
 * base value kept with its present bit; the nuScenes validation refuses it by name (the runtime routes it to the
 * KITTI family instead, docs/KITTI.md). */
static void test_kitti_param(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  const char* t = "model {\n  name: \"pointpillars_kitti_12000_0_pt\"\n  model_type: POINTPILLARS\n"
                  "  pointpillars_kitti_param {\n    base {\n      point_cloud_range: [0, -39.68, -3, 69.12, 39.68, 1]\n"
                  "      voxel_size: 0.16 voxel_size: 0.16 voxel_size: 4\n      points_dim: 4\n"
                  "      max_points_num: 100\n      max_voxels_num: 12000\n      in_channels: 64\n    }\n  }\n}\n";
  enum pprt_status st = parse_str(t, &c, &err);
  if (st) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
  CU_ASSERT(pprt_model_config_is_kitti(&c));
  CU_ASSERT_EQUAL(c.model_type, PPRT_MODEL_TYPE_POINTPILLARS);
  CU_ASSERT(c.present & PPRT_CFG_KITTI_PARAM);
  CU_ASSERT_EQUAL(c.kitti.present, PPRT_CFG_KB_RANGE | PPRT_CFG_KB_VOXEL_SIZE | PPRT_CFG_KB_POINTS_DIM |
                                       PPRT_CFG_KB_MAX_POINTS | PPRT_CFG_KB_MAX_VOXELS | PPRT_CFG_KB_IN_CHANNELS);
  CU_ASSERT(c.kitti.num_range == 6 && c.kitti.point_cloud_range[1] == -39.68f && c.kitti.point_cloud_range[3] == 69.12f);
  CU_ASSERT(c.kitti.num_voxel_size == 3 && c.kitti.voxel_size[0] == 0.16f && c.kitti.voxel_size[2] == 4.0f);
  CU_ASSERT(c.kitti.points_dim == 4 && c.kitti.max_points_num == 100 && c.kitti.max_voxels_num == 12000 &&
            c.kitti.in_channels == 64);
  CU_ASSERT_STRING_EQUAL(c.name, "pointpillars_kitti_12000_0_pt");
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "k", &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "k: a KITTI PointPillars prototxt") != NULL);
  /* either sign makes it KITTI: the type alone, or the block alone (no model_type) */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { model_type: POINTPILLARS }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT(pprt_model_config_is_kitti(&c) && c.kitti.present == 0);
  CU_ASSERT_EQUAL_FATAL(parse_str("model { pointpillars_kitti_param { } }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT(pprt_model_config_is_kitti(&c));
  CU_ASSERT_EQUAL_FATAL(parse_str("model { model_type: POINTPILLARS_NUS }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT(!pprt_model_config_is_kitti(&c));
  /* both parameter blocks: protobuf accepts it, a model cannot be both */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { pointpillars_nus_param { } pointpillars_kitti_param { } }", &c, &err),
                        PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "k", &err), PPRT_STATUS_MODEL_MISMATCH);
  CU_ASSERT(strstr(err.msg, "both pointpillars_nus_param and pointpillars_kitti_param") != NULL);
}

static void test_malformed(void) {
  /* 1000 nested unknown messages: "a{a{...": the 101st '{' is at column 202. */
  for (int i = 0; i < 1000; ++i) memcpy(g_deep + 2 * i, "a{", 2);
  for (int i = 0; i < 1000; ++i) g_deep[2000 + i] = '}';
  g_deep[3000] = '\0';
  static char longname[400];
  memcpy(longname, "model { name: \"", 15);
  memset(longname + 15, 'n', 300);
  memcpy(longname + 315, "\" }", 4);
  const struct bad_case cases[] = {
      {"model { name: \"abc\n}", 0, "t:1:15: ", "unterminated string"},
      {"model {\n  name: \"x\"\n", 0, "t:3:1: ", "missing '}' to close the '{' at 1:7"},
      {"model { }\n}", 0, "t:2:1: ", "unexpected '}'"},
      {"model { pointpillars_nus_param { in_channels 5 } }", 0, "t:1:46: ", "expected ':' after 'in_channels'"},
      {"model { pointpillars_nus_param: 5 }", 0, "t:1:33: ", "is a message"},
      {"model{pointpillars_nus_param{nms_thresh:\"0.2\"}}", 0, "t:1:41: ", "got a string"},
      {"model { pointpillars_nus_param { max_voxels_num: 99999999999999999999999 } }", 0, "t:1:50: ", "out of range"},
      {"model { pointpillars_nus_param { max_voxels_num: 4294967296 } }", 0, "t:1:50: ", "out of range"},
      {"model { pointpillars_nus_param { nms_thresh: 1e39 } }", 0, "t:1:46: ", "out of range for a float"},
      {"model { pointpillars_nus_param {\n  point_cloud_range: [1, 2, 3, 4, 5, 6, 7] } }", 0, "t:2:41: ",
       "too many 'point_cloud_range' values"},
      {"model { pointpillars_nus_param {\n  voxel_size: 1\n  voxel_size: 2 } }", 0, "t:2:3: ",
       "message type \"vitis.ai.proto.PointPillarsNusParam\" has no field named \"voxel_size\""},
      {"model { pointpillars_nus_param {\n  point_cloud_range: [1, 2, 3, 4, 5] } }", 0, "t:1:9: ",
       "'pointpillars_nus_param' needs 6 'point_cloud_range' values, got 5"},
      {"model { pointpillars_nus_param { featmap_size: 200 } }", 0, "t:1:9: ", "needs 2 'featmap_size' values, got 1"},
      {"model {\n ssd_param { num_classes: 3 } }", 0, "t:2:2: ",
       "'ssd_param' is a field of vitis.ai.proto.DpuModelParam for another model type"},
      {"model { pointpillars_kitti_param { base {\n  point_cloud_range: [0, -39.68, -3, 69.12, 39.68] } } }", 0,
       "t:1:36: ", "'base' needs 6 'point_cloud_range' values, got 5"},
      {"model { pointpillars_kitti_param { base { voxel_size: [0.16, 0.16] } } }", 0, "t:1:36: ",
       "'base' needs 3 'voxel_size' values, got 2"},
      {"model { pointpillars_kitti_param { base { max_voxels_num: 0 } } }", 0, "t:1:59: ",
       "'max_voxels_num' = 0: must be positive"},
      {"model { pointpillars_kitti_param { base { nms_thresh: 0.5 } } }", 0, "t:1:43: ",
       "message type \"vitis.ai.proto.PointPillarsBaseParam\" has no field named \"nms_thresh\""},
      {"model { pointpillars_kitti_param { voxel_size: 0.16 } }", 0, "t:1:36: ",
       "message type \"vitis.ai.proto.PointPillarsKittiParam\" has no field named \"voxel_size\""},
      {"model { pointpillars_kitti_param { base { points_dim: 4 points_dim: 4 } } }", 0, "t:1:57: ",
       "non-repeated field \"points_dim\" is specified multiple times"},
      {"model { pointpillars_kitti_param { base { in_channels: 6.4 } } }", 0, "t:1:56: ", "in_channels"},
      {"model { kernel { name: \"k\" variance: 1 } }", 0, "t:1:28: ",
       "message type \"vitis.ai.proto.DpuKernelParam\" has no field named \"variance\""},
      {"model { pointpillars_nus_param { in_channels: 64\n in_channels: 64 } }", 0, "t:2:2: ",
       "non-repeated field \"in_channels\" is specified multiple times"},
      {"model { name: \"a\" pointpillars_nus_param { } pointpillars_nus_param { } }", 0, "t:1:46: ",
       "non-repeated field \"pointpillars_nus_param\" is specified multiple times"},
      {"model { model_type: POINTPILLARS }\nmodel { }", 0, "t:2:1: ", "a second 'model' block"},
      {"model { model_type: POINTPILLARS_NUSC }", 0, "t:1:21: ",
       "unknown enumeration value 'POINTPILLARS_NUSC' for field 'model_type'"},
      {"model { pointpillars_nus_param { nms_pre: 1000.5 } }", 0, "t:1:43: ", "whole number"},
      {"model { pointpillars_nus_param { max_num: -1 } }", 0, "t:1:43: ", "whole number"},
      {"model { pointpillars_nus_param { in_channels: 2147483648 } }", 0, "t:1:47: ", "out of range for an int32"},
      {"\xff\xfe", 0, "t:1:1: ", "unexpected byte 0xff"},
      {"model {\0}", 9, "t:1:8: ", "unexpected byte 0x00"},
      {g_deep, 0, "t:1:1: ", "has no field named \"a\""},
      {"model { pointpillars_nus_param { in_channels: -5 } }", 0, "t:1:47: ", "must be positive"},
      {"model { pointpillars_nus_param { in_channels { } } }", 0, "t:1:46: ", "is a scalar field"},
      {"model { pointpillars_nus_param { in_channels: { } } }", 0, "t:1:47: ", "is a scalar field"},
      {"model { pointpillars_nus_param { nms_thresh: inf } }", 0, "t:1:46: ", "finite"},
      {"model { pointpillars_nus_param {\n\tscore_thresh: -nan } }", 0, "t:2:16: ", "finite"},
      {"model { pointpillars_nus_param { in_channels: 5.0 } }", 0, "t:1:47: ", "expected an integer for 'in_channels' (int32)"},
      {"model { pointpillars_nus_param { in_channels: [5] } }", 0, "t:1:47: ", "not a repeated field"},
      {"model { name: \"x\" >", 0, "t:1:19: ", "unexpected '>'"},
      {"model { name: \"a\\qb\" }", 0, "t:1:17: ", "invalid escape sequence '\\q'"},
      {"model { pointpillars_nus_param { nms_thresh: 1.2.3 } }", 0, "t:1:46: ", "malformed number"},
      {"model { pointpillars_nus_param { max_num: 09 } }", 0, "t:1:43: ", "octal"},
      {"model { pointpillars_nus_param { nms_thresh: 1e } }", 0, "t:1:46: ", "exponent"},
      {"model { pointpillars_nus_param { anchor_info {\n align_corner: yes } } }", 0, "t:2:16: ",
       "expected true or false"},
      {"model { pointpillars_nus_param { anchor_info {\n rotations: [1, 2, 3, 4, 5] } } }", 0, "t:2:26: ",
       "too many 'rotations' values (at most 4)"},
      {"model { pointpillars_nus_param { anchor_info {\n  ranges { single_range: [1, 2, 3, 4, 5] } } } }", 0,
       "t:2:3: ", "needs 6 'single_range' values, got 5"},
      {"model { pointpillars_nus_param { anchor_info { sizes { single_size: [1, 2, 3, 4] } } } }", 0, "t:1:79: ",
       "too many 'single_size' values"},
      {longname, 0, "t:1:15: ", "too long"},
      {"model { name:", 0, "t:1:14: ", "got end of input"},
      {"model < name: \"x\"", 0, "t:1:18: ", "missing '>' to close the '<' at 1:7"},
      {"model { kernel { mean: [1 2] } }", 0, "t:1:27: ", "expected ',' or ']'"},
      {"foo 5", 0, "t:1:1: ", "message type \"vitis.ai.proto.DpuModelParamList\" has no field named \"foo\""},
      {"model { kernel { mean: [1, } }", 0, "t:1:28: ", "expected a value for 'mean'"},
      {"5: 3", 0, "t:1:1: ", "expected a field name"},
      {"model { name: 'ab\ncd' }", 0, "t:1:15: ", "unterminated string"},
      {"model { kernel { mean: [1,] } }", 0, "t:1:27: ", "expected a value for 'mean'"},
      {"model { pointpillars_nus_param { featmap_size: \"200\" } }", 0, "t:1:48: ", "got a string"},
      {"model { kernel { mean: [1,2,3,4,5,6,7,8,9] } }", 0, "t:1:41: ", "too many 'mean' values (at most 8)"},
      {"model { pointpillars_nus_param { nms_thresh: high } }", 0, "t:1:46: ", "expected a number"},
      {"model { kernel { mean: -bar } }", 0, "t:1:25: ", "expected a number after '-'"},
      {"model { name: \"a\\0b\" }", 0, "t:1:15: ", "NUL"},
      {"model { name: \"\\uD800\" }", 0, "t:1:16: ", "surrogate"},
      {"model {\r\n\tname 5\r\n}", 0, "t:2:7: ", "expected ':' after 'name'"},
      {"model { pointpillars_nus_param { score_layer_name: conv_cls } }", 0, "t:1:52: ", "quoted string"},
      {"model { kernel: [ {}, 5 ] }", 0, "t:1:23: ", "is a message"},
      {"model { name: \"x\" \"y", 0, "t:1:19: ", "unterminated string"},
      {"model { name: \"x\\", 0, "t:1:15: ", "unterminated string"},
      {"model { pointpillars_nus_param { anchor_info { sizes [ 5 ] } } }", 0, "t:1:56: ", "is a message"},
      {"model }", 0, "t:1:7: ", "expected '{' after 'model'"},
      {"model { [a.b] { } }", 0, "t:1:9: ", "has no extensions"},
      {"model { name: \"\\x\" }", 0, "t:1:16: ", "needs hex digits"},
      {"model { kernel [ {}, <> ] kernel { name 'x' } }", 0, "t:1:41: ", "expected ':' after 'name'"},
      {"model { pointpillars_nus_param { num_classes: 0x } }", 0, "t:1:47: ", "hex"},
      {"model { pointpillars_nus_param { num_classes: 3abc } }", 0, "t:1:47: ", "malformed number"},
      {"model { name: \"x\" } @", 0, "t:1:21: ", "unexpected character '@'"},
      {"model { };;", 0, "t:1:11: ", "expected a field name, got ';'"},
  };
  size_t n = sizeof cases / sizeof cases[0];
  CU_ASSERT(n >= 25);
  for (size_t i = 0; i < n; ++i) {
    struct pprt_model_config c;
    struct pprt_err err;
    size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
    enum pprt_status st = parse_exact(cases[i].text, len, &c, &err);
    int ok = st == PPRT_STATUS_PARSE_ERROR && strncmp(err.msg, cases[i].where, strlen(cases[i].where)) == 0 &&
             strstr(err.msg, cases[i].what) != NULL;
    if (!ok) printf("\n  case %zu: status %d, message \"%s\"; want %s...%s\n", i, (int)st, err.msg, cases[i].where,
                    cases[i].what);
    CU_ASSERT(ok);
    CU_ASSERT_EQUAL(c.present, 0); /* a failed parse leaves the defaults */
  }
}

static void test_source_name(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  CU_ASSERT_EQUAL(pprt_prototxt_parse("}", 1, "dir/m.prototxt", &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strncmp(err.msg, "dir/m.prototxt:1:1: ", 20) == 0);
  CU_ASSERT_EQUAL(pprt_prototxt_parse("}", 1, NULL, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, ":1:1: ") != NULL);
  CU_ASSERT_EQUAL(pprt_prototxt_parse("}", 1, "x", &c, NULL), PPRT_STATUS_PARSE_ERROR); /* err may be NULL */
}

/* Nesting below the cap is fine, and a wide (not deep) input is not limited. */
static void test_nesting_limit(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  char buf[512];
  size_t o = 0;
  for (int i = 0; i < 100; ++i) buf[o++] = 'a', buf[o++] = '<';
  for (int i = 0; i < 100; ++i) buf[o++] = '>';
  CU_ASSERT_EQUAL(parse_exact(buf, o, &c, &err), PPRT_STATUS_PARSE_ERROR);
  o = 0;
  for (int i = 0; i < 101; ++i) buf[o++] = 'a', buf[o++] = '{';
  for (int i = 0; i < 101; ++i) buf[o++] = '}';
  CU_ASSERT_EQUAL(parse_exact(buf, o, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strncmp(err.msg, "t:1:1: ", 7) == 0); /* the schema has no field "a": refused before any depth */
  /* the deepest known path through known messages and a list of messages. */
  const char* known = "model { pointpillars_nus_param { anchor_info { ranges: [ { single_range: [1,2,3,4,5,6] } ] } } }";
  CU_ASSERT_EQUAL(parse_str(known, &c, &err), PPRT_STATUS_OK);
}

static void test_validate(void) {
  struct pprt_model_config base;
  pprt_model_config_defaults(&base);
  base.present = ALL_PRESENT;
  struct pprt_err err;
#define BAD(stmt, substr)                                                                  \
  do {                                                                                     \
    struct pprt_model_config c = base;                                                     \
    stmt;                                                                                  \
    enum pprt_status st = pprt_model_config_validate(&c, "m.prototxt", &err);              \
    int ok = st == PPRT_STATUS_MODEL_MISMATCH && strncmp(err.msg, "m.prototxt: ", 12) == 0 && \
             strstr(err.msg, substr) != NULL;                                              \
    if (!ok) printf("\n  %s: status %d \"%s\"\n", #stmt, (int)st, err.msg);                \
    CU_ASSERT(ok);                                                                         \
  } while (0)
  BAD(c.voxel_size[0] = 0.0f, "voxel_size x");
  BAD(c.voxel_size[2] = -8.0f, "voxel_size z");
  BAD(c.voxel_size[1] = NAN, "voxel_size y");
  BAD(c.voxel_range[0] = 60.0f, "voxel_range x");
  BAD(c.point_cloud_range[0] = 50.0f, "point_cloud_range x");
  BAD(c.point_cloud_range[5] = -6.0f, "point_cloud_range z");
  BAD(c.point_cloud_range[4] = INFINITY, "point_cloud_range y");
  BAD(c.voxel_size[0] = 0.3f, "not a whole number");
  BAD(c.voxel_size[2] = 4.0f, "cells in z");
  BAD(c.in_channels = 0, "in_channels = 0");
  BAD(c.in_channels = 4097, "in_channels = 4097");
  BAD(c.num_mean = 4, "4 mean and 5 scale values");
  BAD(c.model_type = 2, "model_type is SSD (2); pprt reads POINTPILLARS_NUS (34)");
  BAD(c.present &= ~(uint32_t)PPRT_CFG_SCORE_THRESH, "no 'score_thresh' in pointpillars_nus_param");
  BAD(c.present &= ~(uint32_t)PPRT_CFG_KERNEL, "no 'kernel' block");
  BAD(c.present &= ~(uint32_t)PPRT_CFG_ANCHOR_SCALE, "no 'scale' in anchor_info");
  BAD(c.max_points_num = 0, "max_points_num");
  BAD(c.max_points_num = 65536, "max_points_num");
  BAD(c.max_voxels_num = 0, "max_voxels_num");
  BAD(c.max_voxels_num = 1000001, "max_voxels_num");
  BAD(c.featmap_size[0] = 0, "featmap_size[0]");
  BAD(c.featmap_size[1] = 1025, "featmap_size[1]");
  BAD(c.anchor.num_sizes = 6, "7 ranges and 6 sizes");
  BAD((c.anchor.num_sizes = 0, c.anchor.num_ranges = 0), "0 ranges");
  BAD(c.anchor.num_rotations = 0, "rotations");
  BAD(c.anchor.num_rotations = 5, "rotations");
  BAD(c.num_classes = 0, "num_classes");
  BAD(c.num_classes = 33, "num_classes");
  BAD(c.nms_thresh = -0.1f, "nms_thresh");
  BAD(c.nms_thresh = 1.5f, "nms_thresh");
  BAD(c.nms_thresh = NAN, "nms_thresh");
  BAD(c.score_thresh = 0.0f, "score_thresh");
  BAD(c.score_thresh = 1.0f, "score_thresh");
  BAD(c.score_layer_name[0] = '\0', "score_layer_name");
  BAD(c.bbox_layer_name[0] = '\0', "bbox_layer_name");
  BAD(c.dir_layer_name[0] = '\0', "dir_layer_name");
  BAD(c.max_num = 0, "max_num");
#undef BAD
  /* Usable non-default values pass: 4 channels with 4 means, a 0.5 m grid, 1 anchor set, one rotation. */
  struct pprt_model_config c = base;
  c.in_channels = 4;
  c.num_mean = c.num_scale = 4;
  c.voxel_size[0] = c.voxel_size[1] = 0.5f;
  c.anchor.num_ranges = c.anchor.num_sizes = 1;
  c.anchor.num_rotations = 1;
  c.nms_thresh = 1.0f;
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "m", &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(pprt_model_config_validate(NULL, "m", &err), PPRT_STATUS_INVALID_ARGUMENT);
}

static void test_load_errors(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  const char* missing = pprt_test_work("prototxt-does-not-exist.prototxt");
  CU_ASSERT_EQUAL(pprt_prototxt_load(missing, &c, &err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT(strstr(err.msg, missing) != NULL);
  CU_ASSERT_EQUAL(pprt_prototxt_load(PPRT_TEST_WORK_DIR, &c, &err), PPRT_STATUS_IO_ERROR); /* a directory */
  CU_ASSERT(strstr(err.msg, PPRT_TEST_WORK_DIR) != NULL);
  CU_ASSERT_EQUAL(pprt_prototxt_load(NULL, &c, &err), PPRT_STATUS_INVALID_ARGUMENT);

  /* Exactly 1 MiB (comments + a field) loads; one byte more is refused. */
  size_t mib = 1024u * 1024u;
  char* big = malloc(mib + 1);
  CU_ASSERT_FATAL(big != NULL);
  memset(big, ' ', mib + 1);
  big[0] = '#';
  big[mib - 40] = '\n';
  memcpy(big + mib - 39, "model { name: \"big\" }", 21);
  const char* path = pprt_test_work("prototxt-1mib.prototxt");
  CU_ASSERT_FATAL(pprt_test_write_file(path, big, mib) == 0);
  enum pprt_status st = pprt_prototxt_load(path, &c, &err);
  if (st != PPRT_STATUS_OK) printf("\n  %s\n", err.msg);
  CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "big");
  CU_ASSERT_FATAL(pprt_test_write_file(path, big, mib + 1) == 0);
  CU_ASSERT_EQUAL(pprt_prototxt_load(path, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strstr(err.msg, path) != NULL && strstr(err.msg, "larger than") != NULL);
  free(big);
  remove(path);

  /* Errors in a loaded file name the file. */
  const char* badp = pprt_test_work("prototxt-bad.prototxt");
  CU_ASSERT_FATAL(pprt_test_write_file(badp, "model {\n  x: 1\n  }\n}\n", 20) == 0);
  CU_ASSERT_EQUAL(pprt_prototxt_load(badp, &c, &err), PPRT_STATUS_PARSE_ERROR);
  char want[4200];
  snprintf(want, sizeof want, "%s:2:3: message type \"vitis.ai.proto.DpuModelParam\" has no field named \"x\"", badp);
  CU_ASSERT(strncmp(err.msg, want, strlen(want)) == 0);
  remove(badp);
}

/* The Model Zoo's prototxt pair (tests/data/model-zoo): VAI-L 2.5's schema with in_channels 64 (DPU0's output
 * channels), point_cloud_range z -3..3 (VAI-L's point filter) and score_thresh 0.3; no voxel_size (VAI-L's grid is
 * fixed, so the config gets 0.25 x 0.25 x 8 over z -5..3). */
static void test_model_zoo_pair(void) {
  for (int k = 0; k < 2; ++k) {
    char rel[128];
    snprintf(rel, sizeof rel, "model-zoo/pointpillars_nuscenes_40000_64_%d_pt.prototxt", k);
    struct pprt_model_config c;
    struct pprt_err err;
    enum pprt_status st = pprt_model_config_load(pprt_test_data(rel), &c, &err);
    if (st != PPRT_STATUS_OK) printf("\n  %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(pprt_model_config_validate(&c, rel, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.in_channels, 64);
    CU_ASSERT_EQUAL(c.score_thresh, F(0.3));
    CU_ASSERT_EQUAL(c.point_cloud_range[2], -3.0f);
    CU_ASSERT_EQUAL(c.point_cloud_range[5], 3.0f);
    CU_ASSERT_EQUAL(c.voxel_range[2], -5.0f); /* the grid, not the filter */
    CU_ASSERT_EQUAL(c.voxel_size[2], 8.0f);
    CU_ASSERT_EQUAL(c.model_type, PPRT_MODEL_TYPE_POINTPILLARS_NUS);
    CU_ASSERT_EQUAL(c.present, ALL_PRESENT); /* no settings file */
    CU_ASSERT_EQUAL(c.nms_pre, 1000);
    CU_ASSERT_EQUAL(c.max_num, 500);
    CU_ASSERT_EQUAL(c.num_mean, 5);
    CU_ASSERT_EQUAL(c.mean[3], F(127.5));
    CU_ASSERT_EQUAL(c.anchor.num_ranges, 7);
  }
}

/* The optional pprt settings file <name>.pprt next to the prototxt gives a non-VAI-L voxel grid. */
static void test_settings_file(void) {
  const char* dir = pprt_test_work("settings-model");
  (void)mkdir_p_test(dir);
  char pt[4200], st_path[4200];
  snprintf(pt, sizeof pt, "%s/m.prototxt", dir);
  snprintf(st_path, sizeof st_path, "%s/m.pprt", dir);
  size_t len;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_FATAL(text != NULL);
  CU_ASSERT_FATAL(pprt_test_write_file(pt, text, len) == 0);
  free(text);
  struct pprt_model_config c;
  struct pprt_err err;
  remove(st_path);
  CU_ASSERT_EQUAL_FATAL(pprt_model_config_load(pt, &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.voxel_size[0], 0.25f);
  CU_ASSERT(!(c.present & PPRT_CFG_VOXEL_SIZE));
  const char* s = "# grid\nvoxel_size: [0.4, 0.4, 8]\nvoxel_range: [-51.2, -51.2, -5, 51.2, 51.2, 3]\n";
  CU_ASSERT_FATAL(pprt_test_write_file(st_path, s, strlen(s)) == 0);
  CU_ASSERT_EQUAL_FATAL(pprt_model_config_load(pt, &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.voxel_size[0], 0.4f);
  CU_ASSERT_EQUAL(c.voxel_range[3], F(51.2));
  CU_ASSERT_EQUAL(c.point_cloud_range[3], 50.0f); /* the prototxt's filter range is untouched */
  CU_ASSERT(c.present & PPRT_CFG_VOXEL_SIZE);
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "m", &err), PPRT_STATUS_OK);
  /* a settings file is not a prototxt: prototxt fields are unknown there, and both values are needed */
  const struct { const char* text; const char* want; } bad[] = {
      {"voxel_size: [0.4, 0.4, 8]\nscore_thresh: 0.3\n", ":2:1: message type \"pprt.ModelSettings\" has no field named \"score_thresh\""},
      {"voxel_size: [0.4, 0.4]\nvoxel_range: [-51.2, -51.2, -5, 51.2, 51.2, 3]\n", ":1:1: 'the file' needs 3 'voxel_size' values, got 2"},
      {"voxel_size: [0.4, 0.4, 8]\n", ":1:1: 'the file' needs 6 'voxel_range' values, got 0"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    CU_ASSERT_FATAL(pprt_test_write_file(st_path, bad[i].text, strlen(bad[i].text)) == 0);
    CU_ASSERT_EQUAL(pprt_model_config_load(pt, &c, &err), PPRT_STATUS_PARSE_ERROR);
    char want[4300];
    snprintf(want, sizeof want, "%s%s", st_path, bad[i].want);
    if (strncmp(err.msg, want, strlen(want)) != 0) printf("\n  got \"%s\"\n  want \"%s\"\n", err.msg, want);
    CU_ASSERT(strncmp(err.msg, want, strlen(want)) == 0);
  }
  remove(st_path);
  remove(pt);
}

#ifdef PPRT_PROTOC
/* protoc parsing text format against tests/schema (Vitis AI 2.5's messages): 1 if it accepts the text. */
static int protoc_accepts(const char* text, size_t len) {
  const char* path = pprt_test_work("protoc_case.prototxt");
  CU_ASSERT_FATAL(pprt_test_write_file(path, text, len) == 0);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", PPRT_SCHEMA);
  char* slash = strrchr(dir, '/');
  if (slash != NULL) *slash = '\0';
  char cmd[16384];
  snprintf(cmd, sizeof cmd, "'%s' --encode=vitis.ai.proto.DpuModelParamList -I'%s' '%s' < '%s' > /dev/null 2>&1",
           PPRT_PROTOC, dir, PPRT_SCHEMA, path);
  return system(cmd) == 0;
}

/* pprt's reader accepts and refuses what protobuf (protoc, the same TextFormat parser VAI-L uses) accepts and
 * refuses, on edits of the fixture. Left out by design: pprt is stricter where VAI-L's own checks or pprt's needs
 * are (a second model, a non-whole nms_pre, int32 <= 0, too many values, inf / nan) and where the full DpuModelParam
 * has fields of other model types (protoc with the full schema accepts ssd_param; pprt refuses it by name). */
static void test_agrees_with_protoc(void) {
  size_t len;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_FATAL(text != NULL);
  const struct { const char* from; const char* to; } edits[] = {
      {"", ""}, /* the fixture itself */
      {"    in_channels: 64", "    voxel_size: 0.25\n    in_channels: 64"},
      {"    in_channels: 64", "    in_channels: 64 in_channels: 64"},
      {"    max_num: 500", "    max_num: 0 max_num: 500"}, /* proto3: the default, then a value */
      {"    in_channels: 64", "    in_channels: 64.0"},
      {"    in_channels: 64", "    in_channels: 0x40"},
      {"model_type : POINTPILLARS_NUS", "model_type : 34"},
      {"model_type : POINTPILLARS_NUS", "model_type : POINTPILLARS_NUSCENES"},
      {"model_type : POINTPILLARS_NUS", "model_type : \"POINTPILLARS_NUS\""},
      {"score_layer_name: \"conv_cls\"", "score_layer_name: conv_cls"},
      {"score_layer_name: \"conv_cls\"", "score_layer_name: 'conv' \"_cls\""},
      {"anchor_info {", "anchor_info: <"},
      {"      scale: 1.0\n    }", "      scale: 1.0\n    >"},
      {"    featmap_size: 200\n    featmap_size: 200", "    featmap_size: [200, 200]"},
      {"    featmap_size: 200\n    featmap_size: 200", "    featmap_size: [200, \"200\"]"},
      {"    num_classes: 10", "    num_classes: 10\n    anchor_info { }"},
      {"  model_type : POINTPILLARS_NUS", "  [vitis.ai.ext] { }\n  model_type : POINTPILLARS_NUS"},
      {"align_corner: false", "align_corner: t"},
      {"align_corner: false", "align_corner: yes"},
      {"    nms_pre: 1000", "    nms_pre: 1e3"},
      {"    nms_pre: 1000", "    nms_pre: 1000,"},
      {"    nms_pre: 1000", "    nms_pre 1000"},
      {"  kernel {", "  kernel: {"},
      {"  kernel {", "  kernel [{}, {}] kernel {"},
      {"    mean: 0.0\n", "    mean: [0.0, 0.0]\n    mean: []\n"},
      {"    name: \"pointpillars_nuscenes_40000_64_0_pt\"\n    # per", "    name: 5\n    # per"},
      {"  name: \"pointpillars_nuscenes_40000_64_0_pt\"\n  kernel", "  name: \"a\" name: \"b\"\n  kernel"},
      {"  name: \"pointpillars_nuscenes_40000_64_0_pt\"\n  kernel", "  name: \"\" name: \"b\"\n  kernel"},
      {"single_range: -49.6 single_range: -49.6 single_range: -1.80032795",
       "single_range: -49.6 single_range: -49.6 single_range: -1.80032795e"},
      /* PointPillarsKittiParam (KITTI models; parsed here next to the nuScenes block, which both parsers allow) */
      {"  model_type : POINTPILLARS_NUS",
       "  pointpillars_kitti_param { base { voxel_size: [0.16, 0.16, 4] points_dim: 4 } }\n  model_type : 39"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { base: < in_channels: 64 > }"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { base { voxel_size: 0.16 nms: 1 } }"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { base { max_voxels_num: 1.5 } }"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { base { } base { } }"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { base { points_dim: \"4\" } }"},
      {"  model_type : POINTPILLARS_NUS", "  pointpillars_kitti_param { }\n  model_type : POINTPILLARS"},
  };
  char* buf = malloc(len + 256);
  CU_ASSERT_FATAL(buf != NULL);
  for (size_t i = 0; i < sizeof edits / sizeof edits[0]; ++i) {
    size_t n = len;
    memcpy(buf, text, len);
    if (edits[i].from[0] != '\0') {
      char* at = strstr(text, edits[i].from); /* the fixture is NUL-terminated by pprt_test_read_file */
      CU_ASSERT_FATAL(at != NULL);
      size_t off = (size_t)(at - text), fl = strlen(edits[i].from), tl = strlen(edits[i].to);
      memcpy(buf + off, edits[i].to, tl);
      memcpy(buf + off + tl, text + off + fl, len - off - fl);
      n = len - fl + tl;
    }
    struct pprt_model_config c;
    struct pprt_err err;
    const int pprt_ok = parse_exact(buf, n, &c, &err) == PPRT_STATUS_OK;
    const int protoc_ok = protoc_accepts(buf, n);
    if (pprt_ok != protoc_ok)
      printf("\n  edit %zu (%s -> %s): pprt %s, protoc %s (%s)\n", i, edits[i].from, edits[i].to,
             pprt_ok ? "accepts" : "refuses", protoc_ok ? "accepts" : "refuses", err.msg);
    CU_ASSERT_EQUAL(pprt_ok, protoc_ok);
  }
  free(buf);
  free(text);
}
#endif

static int status_sane(enum pprt_status st, const struct pprt_err* err) {
  if (st == PPRT_STATUS_OK) return 1;
  return st == PPRT_STATUS_PARSE_ERROR && strncmp(err->msg, "t:", 2) == 0;
}

static void test_truncations(void) {
  size_t len;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_FATAL(text != NULL);
  size_t n_ok = 0, n_err = 0, bad = 0;
  for (size_t n = 0; n <= len; ++n) {
    struct pprt_model_config c;
    struct pprt_err err;
    enum pprt_status st = parse_exact(text, n, &c, &err);
    if (!status_sane(st, &err)) ++bad;
    if (st == PPRT_STATUS_OK) ++n_ok;
    else ++n_err;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(n_ok > 0 && n_err > 0);
  free(text);
}

static void test_mutations(void) {
  size_t len;
  char* text = pprt_test_read_file(pprt_test_data("prototxt/pointpillars_nuscenes_0.prototxt"), &len);
  CU_ASSERT_FATAL(text != NULL);
  struct pprt_rng rng;
  pprt_rng_seed(&rng, pprt_test_seed());
  static const char alphabet[] = "{}<>[]:;,-.#\"'\\0123456789eExfnt \n\t\r\0\xff";
  char* buf = malloc(len + 64);
  CU_ASSERT_FATAL(buf != NULL);
  size_t bad = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    memcpy(buf, text, len);
    size_t n = len;
    int edits = 1 + (int)pprt_rng_u32(&rng, 4);
    for (int e = 0; e < edits; ++e) {
      uint32_t kind = pprt_rng_u32(&rng, 3);
      size_t at = pprt_rng_u32(&rng, (uint32_t)n);
      char ch = pprt_rng_u32(&rng, 2) ? alphabet[pprt_rng_u32(&rng, sizeof alphabet - 1)]
                                       : (char)pprt_rng_u32(&rng, 256);
      if (kind == 0) {
        buf[at] = ch;
      } else if (kind == 1 && n + 1 < len + 64) {
        memmove(buf + at + 1, buf + at, n - at);
        buf[at] = ch;
        ++n;
      } else if (n > 1) {
        memmove(buf + at, buf + at + 1, n - at - 1);
        --n;
      }
    }
    struct pprt_model_config c;
    struct pprt_err err;
    enum pprt_status st = parse_exact(buf, n, &c, &err);
    if (!status_sane(st, &err)) ++bad;
    if (st == PPRT_STATUS_OK) (void)pprt_model_config_validate(&c, "t", &err);
  }
  CU_ASSERT_EQUAL(bad, 0);
  free(buf);
  free(text);
}

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"defaults", test_defaults},
      {"production fixture", test_fixture},
      {"production fixture, edited values", test_fixture_edited},
      {"minimal subgraph-1 prototxt", test_minimal_subgraph1},
      {"empty input and comments", test_empty_and_comments},
      {"syntax variants", test_syntax_variants},
      {"bools and numbers", test_bools_and_numbers},
      {"locale independent", test_locale_independent},
      {"malformed inputs with positions", test_malformed},
      {"KITTI: PointPillarsKittiParam", test_kitti_param},
      {"source name in messages", test_source_name},
      {"nesting limit", test_nesting_limit},
      {"validate", test_validate},
      {"load errors and size limit", test_load_errors},
      {"the Model Zoo prototxt pair", test_model_zoo_pair},
      {"pprt settings file", test_settings_file},
#ifdef PPRT_PROTOC
      {"accepts and refuses what protoc does", test_agrees_with_protoc},
#endif
      {"every truncation of the fixture", test_truncations},
      {"random mutations of the fixture", test_mutations},
      {NULL, NULL}};
  return pprt_test_main("prototxt", cases);
}
