/* libFuzzer harness: the nuScenes dataset tables (tools/nusc/nuscenes.c) through pprt_nusc_open and every per-sample
 * call (sample_info, load_sweeps, add_gt). A scratch dataset holds the ten tables of the seeds
 * (tests/fuzz/corpus/nusc_tables/NN_<table>: the v1.0-mini fixture of tests/data cut to a few instances by
 * make_seeds.py) and small point files under the sample / sweep names they use; the first input byte picks one
 * table, the rest replaces it for this run. Properties: every failure has a message and leaves no object behind; load_sweeps never reports more
 * sweeps than clouds; the ground truth holds finite sizes and detection classes only. */
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "pprt/nusc.h"

#if !defined(PPRT_FUZZ_DATA_DIR) || !defined(PPRT_FUZZ_CORPUS_DIR)
#error "PPRT_FUZZ_DATA_DIR (tests/data) and PPRT_FUZZ_CORPUS_DIR (tests/fuzz/corpus) must be defined"
#endif

#define NUM_TABLES 10
#define NUM_CLOUDS 4
static const char* const k_tables[NUM_TABLES] = {"sample",   "sample_data", "calibrated_sensor", "ego_pose",
                                                 "sample_annotation", "scene", "category", "instance", "attribute",
                                                 "sensor"};
static char* original[NUM_TABLES];
static size_t original_len[NUM_TABLES];
static char root[512];

static void* read_all(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    abort();
  }
  size_t cap = 1 << 16, n = 0;
  char* b = malloc(cap);
  size_t got;
  while (b != NULL && (got = fread(b + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) b = realloc(b, cap *= 2);
  }
  fclose(f);
  if (b == NULL) abort();
  *len = n;
  return b;
}

/* Small point files (3 nuScenes points) under the names the tables use. */
static void mirror_points(const char* sub) {
  char src[1024], dst[1024];
  FUZZ_FMT(src, "%s/nuscenes-mini/%s/LIDAR_TOP", PPRT_FUZZ_DATA_DIR, sub);
  FUZZ_FMT(dst, "%s/%s", root, sub);
  mkdir(dst, 0700);
  FUZZ_FMT(dst, "%s/%s/LIDAR_TOP", root, sub);
  mkdir(dst, 0700);
  DIR* d = opendir(src);
  if (d == NULL) {
    perror(src);
    abort();
  }
  struct dirent* e;
  const float pts[15] = {1, 2, 0, 10, 0, -3, 4, 0.5f, 20, 1, 30, -20, -1, 100, 2};
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char p[1400];
    FUZZ_FMT(p, "%s/%s", dst, e->d_name);
    FILE* f = fopen(p, "wb");
    if (f == NULL || fwrite(pts, sizeof pts, 1, f) != 1 || fclose(f) != 0) abort();
  }
  closedir(d);
}

static const char* table_path(int t) {
  static char p[1024];
  FUZZ_FMT(p, "%s/v1.0-mini/%s.json", root, k_tables[t]);
  return p;
}

static void put_table(int t, const void* data, size_t n) {
  FILE* f = fopen(table_path(t), "wb");
  if (f == NULL || (n > 0 && fwrite(data, 1, n, f) != n) || fclose(f) != 0) abort();
}

static void setup(void) {
  FUZZ_FMT(root, "%s/nusc", fuzz_dir());
  mkdir(root, 0700);
  char p[1024];
  FUZZ_FMT(p, "%s/v1.0-mini", root);
  mkdir(p, 0700);
  for (int t = 0; t < NUM_TABLES; ++t) {
    FUZZ_FMT(p, "%s/nusc_tables/%02d_%s", PPRT_FUZZ_CORPUS_DIR, t, k_tables[t]);
    char* seed = read_all(p, &original_len[t]);
    if (original_len[t] < 1 || seed[0] != t) abort(); /* the seed's selector byte */
    original[t] = seed + 1;
    original_len[t] -= 1;
    put_table(t, original[t], original_len[t]);
  }
  mirror_points("samples");
  mirror_points("sweeps");
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pprt_cloud_t* clouds[NUM_CLOUDS];
  if (clouds[0] == NULL) {
    setup();
    for (int i = 0; i < NUM_CLOUDS; ++i)
      if (pprt_cloud_create(64, &clouds[i]) != PPRT_STATUS_OK) abort();
  }
  if (size < 1) return 0;
  const int t = data[0] % NUM_TABLES;
  put_table(t, data + 1, size - 1);
  pprt_nusc_t* ds = (pprt_nusc_t*)0x1;
  enum pprt_status st = pprt_nusc_open(root, NULL, &ds);
  FUZZ_CHECK_MESSAGE(st);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(ds == NULL, "failed open left an object");
  } else {
    pprt_detset_t* gt = NULL;
    if (pprt_detset_create(&gt) != PPRT_STATUS_OK) abort();
    const uint32_t ns = pprt_nusc_num_samples(ds);
    for (uint32_t i = 0; i < ns; ++i) {
      struct pprt_nusc_sample info;
      st = pprt_nusc_sample_info(ds, i, &info);
      FUZZ_CHECK_MESSAGE(st);
      if (st == PPRT_STATUS_OK) {
        FUZZ_CHECK(info.token != NULL && info.lidar_path != NULL, "sample %u: NULL strings", i);
        uint32_t idx = ~0u;
        FUZZ_CHECK(pprt_nusc_find_sample(ds, info.token, &idx) == PPRT_STATUS_OK && idx <= i,
                   "sample %u (%s) found at %u", i, info.token, idx);
      }
      struct pprt_sweep sw[NUM_CLOUDS];
      uint32_t n = 99;
      st = pprt_nusc_load_sweeps(ds, i, clouds, NUM_CLOUDS, sw, &n);
      FUZZ_CHECK_MESSAGE(st);
      if (st == PPRT_STATUS_OK) {
        FUZZ_CHECK(n >= 1 && n <= NUM_CLOUDS, "sample %u: %u sweeps", i, n);
        for (uint32_t k = 0; k < n; ++k) {
          for (int j = 0; j < 9; ++j) FUZZ_CHECK(isfinite(sw[k].rotation[j]), "sweep %u rotation", k);
          for (int j = 0; j < 3; ++j) FUZZ_CHECK(isfinite(sw[k].translation[j]), "sweep %u translation", k);
        }
      }
      st = pprt_nusc_add_gt(ds, i, gt);
      FUZZ_CHECK_MESSAGE(st);
    }
    for (uint32_t s = 0; s < pprt_detset_num_samples(gt); ++s) {
      uint32_t nb = 0;
      const struct pprt_det_box* b = pprt_detset_boxes(gt, s, &nb);
      for (uint32_t k = 0; k < nb; ++k)
        FUZZ_CHECK(b[k].cls >= 0 && b[k].cls < PPRT_NUSC_NUM_CLASSES, "gt box %u: class %d", k, b[k].cls);
    }
    pprt_detset_destroy(gt);
    pprt_nusc_close(ds);
  }
  put_table(t, original[t], original_len[t]);
  return 0;
}
