/* libFuzzer harness: the KITTI model's two configuration files (runtime/src/model/kitti_config.c, docs/KITTI.md):
 * the Model Zoo prototxt (pointpillars_kitti_param) and the second.pytorch pipeline text (<name>_officialcfg.prototxt)
 * through pprt_kitti_config_load, the input given as each of the two files in turn. Properties: a failure has a
 * message and is a parse error or a model mismatch; a success keeps every count within its array. */
#include "fuzz_common.h"
#include "model/kitti.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_write("kitti.prototxt", data, size);
  for (int k = 0; k < 2; ++k) {
    static struct pprt_kitti_config cfg;
    struct pprt_err err;
    err.msg[0] = '\0';
    enum pprt_status st = pprt_kitti_config_load(k == 0 ? path : NULL, k == 1 ? path : NULL, &cfg, &err);
    if (st != PPRT_STATUS_OK) {
      FUZZ_CHECK(err.msg[0] != '\0', "status %s without a message", pprt_status_str(st));
      FUZZ_CHECK(st == PPRT_STATUS_PARSE_ERROR || st == PPRT_STATUS_MODEL_MISMATCH || st == PPRT_STATUS_IO_ERROR,
                 "status %s: %s", pprt_status_str(st), err.msg);
      continue;
    }
    FUZZ_CHECK(cfg.num_generators <= PPRT_KITTI_MAX_GENERATORS, "%u generators", cfg.num_generators);
    for (uint32_t g = 0; g < cfg.num_generators; ++g) {
      FUZZ_CHECK(cfg.gen[g].num_rotations <= PPRT_KITTI_MAX_ROTATIONS, "generator %u: %u rotations", g,
                 cfg.gen[g].num_rotations);
      FUZZ_CHECK(memchr(cfg.gen[g].class_name, '\0', sizeof cfg.gen[g].class_name) != NULL, "class name unterminated");
    }
    int32_t grid[3];
    pprt_kitti_grid(&cfg, grid);
  }
  return 0;
}
