/* libFuzzer harness: nuScenes detection evaluation (tools/nusc/eval.c) on two detection-results files: the input up
 * to its first NUL byte is the ground truth, the rest the predictions (no NUL: one file as both). Both are read with
 * pprt_detset_load and evaluated with pprt_eval_detection (all classes or the present ones, by the input's length).
 * Properties: every failure has a message; a success gives every evaluated AP, mAP and NDS within [0, 1] and TP
 * errors >= 0 or NaN (the devkit's "left out"). */
#include <math.h>

#include "fuzz_common.h"
#include "pprt/nusc.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

/* within [0, 1] up to rounding: the devkit's AP divides a mean of precisions by (1 - min_precision) */
static int in01(double v) { return v >= 0.0 && v <= 1.0 + 1e-12; }

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t* nul = memchr(data, 0, size);
  size_t gt_len = nul ? (size_t)(nul - data) : size;
  const uint8_t* pred_data = nul ? nul + 1 : data;
  size_t pred_len = nul ? size - gt_len - 1 : size;
  const char* gp = fuzz_write("gt.json", data, gt_len);
  const char* pp = fuzz_write("pred.json", pred_data, pred_len);
  pprt_detset_t *gt = NULL, *pred = NULL;
  enum pprt_status st = pprt_detset_load(gp, &gt);
  FUZZ_CHECK_MESSAGE(st);
  if (st == PPRT_STATUS_OK) {
    st = pprt_detset_load(pp, &pred);
    FUZZ_CHECK_MESSAGE(st);
  }
  if (st == PPRT_STATUS_OK) {
    static struct pprt_eval_result r;
    st = pprt_eval_detection(gt, pred, (int)(size & 1), &r);
    FUZZ_CHECK_MESSAGE(st);
    FUZZ_CHECK(st == PPRT_STATUS_OK || st == PPRT_STATUS_BAD_INPUT, "status %s: %s", pprt_status_str(st),
               pprt_last_error());
    if (st == PPRT_STATUS_OK) {
      int any = 0;
      for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
        if (!r.evaluated[c]) continue;
        any = 1;
        for (int d = 0; d < PPRT_EVAL_NUM_DIST; ++d) FUZZ_CHECK(in01(r.ap[c][d]), "AP[%d][%d] = %g", c, d, r.ap[c][d]);
        FUZZ_CHECK(in01(r.class_ap[c]), "class AP[%d] = %g", c, r.class_ap[c]);
        for (int k = 0; k < PPRT_EVAL_NUM_TP; ++k)
          FUZZ_CHECK(isnan(r.tp_err[c][k]) || r.tp_err[c][k] >= 0.0, "TP error [%d][%d] = %g", c, k, r.tp_err[c][k]);
      }
      if (any) {
        FUZZ_CHECK(in01(r.mAP), "mAP = %g", r.mAP);
        FUZZ_CHECK(in01(r.NDS), "NDS = %g", r.NDS);
      }
    }
  }
  pprt_detset_destroy(gt);
  pprt_detset_destroy(pred);
  return 0;
}
