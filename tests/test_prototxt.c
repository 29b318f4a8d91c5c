/* Tests of the prototxt reader (runtime/src/model/prototxt.c): the production fixture, syntax variants, malformed
 * inputs with exact positions, validation, file loading, and no crash on any truncation or mutation. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_config.h"
#include "testutil.h"

/* Expected floats are written as double literals rounded once to float, which is what the parser does. */
#define F(x) ((float)(x))
#define ALL_PRESENT ((1u << 18) - 1u)

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

/* Every value of the production config (= the MODEL-CONTRACT defaults) except name and present. */
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
  CU_ASSERT_EQUAL(c->in_channels, 5);
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
  CU_ASSERT_EQUAL(c.present, 0);
  check_production_values(&c);
  CU_ASSERT_EQUAL(pprt_model_config_validate(&c, "t", &err), PPRT_STATUS_OK);
  /* Without even a kernel block. */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { name: \"m1\" }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_STRING_EQUAL(c.name, "m1");
  CU_ASSERT_EQUAL(c.present, 0);
  /* A param block with a single field marks the block and that field only. */
  CU_ASSERT_EQUAL_FATAL(parse_str("model { pointpillars_nus_param { num_classes: 7 } }", &c, &err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(c.present, PPRT_CFG_PILLARS_PARAM | PPRT_CFG_NUM_CLASSES);
  CU_ASSERT_EQUAL(c.num_classes, 7);
  CU_ASSERT_EQUAL(c.max_voxels_num, 40000);
}

static void test_empty_and_comments(void) {
  struct pprt_model_config c;
  struct pprt_err err;
  static const char* ok[] = {"", "   \n\t\r\n", "# only a comment", "# comment\n# another\n",
                             "model { } # trailing comment without newline", "model {}\n#", "model {};\nmodel {},"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
    memset(&c, 0xA5, sizeof c);
    enum pprt_status st = parse_str(ok[i], &c, &err);
    if (st != PPRT_STATUS_OK) printf("\n  case %zu: %s\n", i, err.msg);
    CU_ASSERT_EQUAL(st, PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.present, 0);
    check_production_values(&c);
  }
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
      "  model_type: POINTPILLARS_NUS\n"
      "  unknown_msg { a: 1 b: \"x\" 'y' c { d: -inf e: [1, -2.5, 0x1F, \"s\", ENUM] f: [] g: [ {h: 1}, <i: 2> ] }, k: t }\n"
      "  [some.ext.name] { x: 1 }\n"
      "  [type.googleapis.com/pkg.Msg] < y: 'z' >\n"
      "  pointpillars_nus_param: {\n"
      "    point_cloud_range: [-40, -40.5, -3, 40, 40.5, 1]\n"
      "    voxel_size: 0.5, voxel_size: .5; voxel_size: 4.0f\n"
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
      "    max_num: 50\n"
      "    max_num: 60\n"
      "    score_thresh: 3e-1\n"
      "    score_layer_name: \"a\" \"b\"\n"
      "    bbox_layer_name: 'r'\n"
      "    dir_layer_name: \"d\\u00e9\\U0001F600\\uD83D\\uDE00\"\n"
      "  }\n"
      "  pointpillars_nus_param { nms_thresh: 0.25 }\n" /* a singular message again: merged, last value wins */
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
  CU_ASSERT_EQUAL(c.voxel_size[0], 0.5f);
  CU_ASSERT_EQUAL(c.voxel_size[1], 0.5f);
  CU_ASSERT_EQUAL(c.voxel_size[2], 4.0f);
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
  CU_ASSERT_EQUAL(c.nms_thresh, 0.25f);
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
    /* start from the opposite value so a no-op cannot pass */
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { anchor_info { align_corner: %s align_corner: %s } } }",
             bools[i].want ? "false" : "true", bools[i].v);
    CU_ASSERT_EQUAL_FATAL(parse_str(buf, &c, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.anchor.align_corner, bools[i].want);
  }
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
      {"0", 0}, {"7", 7}, {"0x7f", 127}, {"0XFF", 255}, {"017", 15}, {"4294967295", 4294967295u}};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; ++i) {
    snprintf(buf, sizeof buf, "model { pointpillars_nus_param { nms_pre: %s } }", ints[i].v);
    CU_ASSERT_EQUAL_FATAL(parse_str(buf, &c, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(c.nms_pre, ints[i].want);
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
       "'voxel_size' needs 3 values, got 2"},
      {"\xff\xfe", 0, "t:1:1: ", "unexpected byte 0xff"},
      {"model {\0}", 9, "t:1:8: ", "unexpected byte 0x00"},
      {g_deep, 0, "t:1:202: ", "nested deeper than 100"},
      {"model { pointpillars_nus_param { in_channels: -5 } }", 0, "t:1:47: ", "must not be negative"},
      {"model { pointpillars_nus_param { in_channels { } } }", 0, "t:1:46: ", "is a scalar field"},
      {"model { pointpillars_nus_param { in_channels: { } } }", 0, "t:1:47: ", "is a scalar field"},
      {"model { pointpillars_nus_param { nms_thresh: inf } }", 0, "t:1:46: ", "finite"},
      {"model { pointpillars_nus_param {\n\tscore_thresh: -nan } }", 0, "t:2:16: ", "finite"},
      {"model { pointpillars_nus_param { in_channels: 5.0 } }", 0, "t:1:47: ", "expected an unsigned integer"},
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
      {"foo 5", 0, "t:1:5: ", "expected ':' after 'foo'"},
      {"foo { bar: [1, } }", 0, "t:1:16: ", "expected a value for 'bar'"},
      {"5: 3", 0, "t:1:1: ", "expected a field name"},
      {"model { name: 'ab\ncd' }", 0, "t:1:15: ", "unterminated string"},
      {"model { kernel { mean: [1,] } }", 0, "t:1:27: ", "expected a value for 'mean'"},
      {"model { pointpillars_nus_param { featmap_size: \"200\" } }", 0, "t:1:48: ", "got a string"},
      {"model { kernel { mean: [1,2,3,4,5,6,7,8,9] } }", 0, "t:1:41: ", "too many 'mean' values (at most 8)"},
      {"model { pointpillars_nus_param { nms_thresh: high } }", 0, "t:1:46: ", "expected a number"},
      {"foo: -bar", 0, "t:1:7: ", "expected a number after '-'"},
      {"model { name: \"a\\0b\" }", 0, "t:1:15: ", "NUL"},
      {"model { name: \"\\uD800\" }", 0, "t:1:16: ", "surrogate"},
      {"model {\r\n\tname 5\r\n}", 0, "t:2:7: ", "expected ':' after 'name'"},
      {"model { pointpillars_nus_param { score_layer_name: conv_cls } }", 0, "t:1:52: ", "quoted string"},
      {"model { kernel: [ {}, 5 ] }", 0, "t:1:23: ", "is a message"},
      {"model { name: \"x\" \"y", 0, "t:1:19: ", "unterminated string"},
      {"model { name: \"x\\", 0, "t:1:15: ", "unterminated string"},
      {"model { pointpillars_nus_param { anchor_info { sizes [ 5 ] } } }", 0, "t:1:56: ", "is a message"},
      {"model }", 0, "t:1:7: ", "expected '{' after 'model'"},
      {"[a.b { }", 0, "t:1:6: ", "expected '.' or ']'"},
      {"model { name: \"\\x\" }", 0, "t:1:16: ", "needs hex digits"},
      {"foo [ {a: 1} ]", 0, "t:1:5: ", "expected ':' after 'foo'"},
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
  CU_ASSERT_EQUAL(parse_exact(buf, o, &c, &err), PPRT_STATUS_OK);
  o = 0;
  for (int i = 0; i < 101; ++i) buf[o++] = 'a', buf[o++] = '{';
  for (int i = 0; i < 101; ++i) buf[o++] = '}';
  CU_ASSERT_EQUAL(parse_exact(buf, o, &c, &err), PPRT_STATUS_PARSE_ERROR);
  CU_ASSERT(strncmp(err.msg, "t:1:202: ", 9) == 0);
  /* 100 levels through known messages and a list of messages. */
  const char* known = "model { pointpillars_nus_param { anchor_info { ranges: [ { single_range: [1,2,3,4,5,6] } ] } } }";
  CU_ASSERT_EQUAL(parse_str(known, &c, &err), PPRT_STATUS_OK);
}

static void test_validate(void) {
  struct pprt_model_config base;
  pprt_model_config_defaults(&base);
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
  BAD(c.voxel_size[0] = 0.0f, "voxel_size[0]");
  BAD(c.voxel_size[2] = -8.0f, "voxel_size[2]");
  BAD(c.voxel_size[1] = NAN, "voxel_size[1]");
  BAD(c.point_cloud_range[0] = 50.0f, "point_cloud_range x");
  BAD(c.point_cloud_range[5] = -6.0f, "point_cloud_range z");
  BAD(c.point_cloud_range[4] = INFINITY, "point_cloud_range y");
  BAD(c.voxel_size[0] = 0.3f, "not a whole number");
  BAD(c.voxel_size[2] = 4.0f, "cells in z");
  BAD(c.in_channels = 3, "in_channels = 3");
  BAD(c.in_channels = 6, "in_channels = 6");
  BAD((c.present |= PPRT_CFG_MEAN, c.num_mean = 4), "4 mean values");
  BAD((c.present |= PPRT_CFG_SCALE, c.in_channels = 4), "5 scale values");
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
  c.present = PPRT_CFG_MEAN | PPRT_CFG_SCALE;
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
  snprintf(want, sizeof want, "%s:4:1: ", badp);
  CU_ASSERT(strncmp(err.msg, want, strlen(want)) == 0);
  remove(badp);
}

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
      {"source name in messages", test_source_name},
      {"nesting limit", test_nesting_limit},
      {"validate", test_validate},
      {"load errors and size limit", test_load_errors},
      {"every truncation of the fixture", test_truncations},
      {"random mutations of the fixture", test_mutations},
      {NULL, NULL}};
  return pprt_test_main("prototxt", cases);
}
