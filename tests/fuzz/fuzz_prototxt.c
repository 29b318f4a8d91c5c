/* libFuzzer harness: the Vitis AI 2.5 prototxt reader (runtime/src/model/prototxt.c; docs/PROTOTXT.md) on the text
 * in memory, exactly `size` bytes (no terminating NUL, so a read past the end is caught), as a model prototxt
 * (PointPillarsNusParam) and as a pprt settings file. A config that parses and validates then goes through the
 * parameter setup of voxelization and post-processing, as pprt_runtime_create does.
 * Properties: every failure has a message; a failed parse hands back the defaults, not half a config; a parsed
 * config either validates or gets MODEL_MISMATCH; a validated one gives voxel and post parameters or a
 * MODEL_MISMATCH with a message. */
#include "fuzz_common.h"
#include "model/model_config.h"
#include "stages/stages.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = (const char*)data;
  static struct pprt_model_config cfg, defaults;
  struct pprt_err err;
  err.msg[0] = '\0';
  pprt_model_config_defaults(&defaults);
  enum pprt_status st = pprt_prototxt_parse(text, size, "fuzz.prototxt", &cfg, &err);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(err.msg[0] != '\0', "prototxt: status %s without a message", pprt_status_str(st));
    FUZZ_CHECK(st == PPRT_STATUS_PARSE_ERROR, "prototxt: status %s: %s", pprt_status_str(st), err.msg);
    FUZZ_CHECK(memcmp(&cfg, &defaults, sizeof cfg) == 0, "a failed parse left a changed config: %s", err.msg);
  } else {
    err.msg[0] = '\0';
    st = pprt_model_config_validate(&cfg, "fuzz.prototxt", &err);
    FUZZ_CHECK(st == PPRT_STATUS_OK || (st == PPRT_STATUS_MODEL_MISMATCH && err.msg[0] != '\0'),
               "validate: status %s: '%s'", pprt_status_str(st), err.msg);
    if (st == PPRT_STATUS_OK) {
      cfg.num_features = 5;
      struct pprt_vox_params vp;
      err.msg[0] = '\0';
      st = pprt_vox_params_init(&vp, &cfg, 7, (int)(size & 1), &err);
      FUZZ_CHECK(st == PPRT_STATUS_OK || err.msg[0] != '\0', "vox params: status %s without a message",
                 pprt_status_str(st));
      static struct pprt_post_params pp;
      err.msg[0] = '\0';
      st = pprt_post_params_init(&pp, &cfg, 4, 5, 6, cfg.score_thresh, (int)(size & 1), &err);
      FUZZ_CHECK(st == PPRT_STATUS_OK || err.msg[0] != '\0', "post params: status %s without a message",
                 pprt_status_str(st));
    }
  }
  /* the same text as a pprt settings file (voxel_size / voxel_range) over the defaults */
  struct pprt_model_config s = defaults;
  err.msg[0] = '\0';
  st = pprt_settings_parse(text, size, "fuzz.pprt", &s, &err);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(err.msg[0] != '\0' && st == PPRT_STATUS_PARSE_ERROR, "settings: status %s: '%s'", pprt_status_str(st),
               err.msg);
    FUZZ_CHECK(memcmp(&s, &defaults, sizeof s) == 0, "a failed settings parse changed the config: %s", err.msg);
  }
  return 0;
}
