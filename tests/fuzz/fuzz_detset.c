/* libFuzzer harness: nuScenes detection-results JSON (tools/nusc/formats.c) through pprt_detset_load, then written
 * back with pprt_detset_write and read again. Properties: a failure has a message and leaves no set; what pprt reads
 * it writes in a form it reads back to the same samples, boxes and values (doubles exactly, NaN as NaN). */
#include <math.h>

#include "fuzz_common.h"
#include "pprt/nusc.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void check_same_set(const pprt_detset_t* a, const pprt_detset_t* b) {
  FUZZ_CHECK(pprt_detset_num_samples(a) == pprt_detset_num_samples(b), "%u samples written, %u read back",
             pprt_detset_num_samples(a), pprt_detset_num_samples(b));
  for (uint32_t s = 0; s < pprt_detset_num_samples(a); ++s) {
    FUZZ_CHECK(strcmp(pprt_detset_token(a, s), pprt_detset_token(b, s)) == 0, "sample %u: token '%s' read back as '%s'",
               s, pprt_detset_token(a, s), pprt_detset_token(b, s));
    uint32_t na = 0, nb = 0;
    const struct pprt_det_box* ba = pprt_detset_boxes(a, s, &na);
    const struct pprt_det_box* bb = pprt_detset_boxes(b, s, &nb);
    FUZZ_CHECK(na == nb, "sample %u: %u boxes written, %u read back", s, na, nb);
    for (uint32_t k = 0; k < na; ++k) {
      const struct pprt_det_box *x = &ba[k], *y = &bb[k];
      int ok = x->cls == y->cls && same(x->score, y->score) && strcmp(x->attribute, y->attribute) == 0;
      for (int i = 0; i < 3; ++i) ok = ok && same(x->translation[i], y->translation[i]) && same(x->size[i], y->size[i]);
      for (int i = 0; i < 4; ++i) ok = ok && same(x->rotation[i], y->rotation[i]);
      for (int i = 0; i < 2; ++i) ok = ok && same(x->velocity[i], y->velocity[i]);
      ok = ok && x->num_pts == y->num_pts && same(x->ego_dist, y->ego_dist);
      FUZZ_CHECK(ok, "sample %u box %u changed in the round trip", s, k);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* path = fuzz_write("results.json", data, size);
  pprt_detset_t* set = (pprt_detset_t*)0x1;
  enum pprt_status st = pprt_detset_load(path, &set);
  FUZZ_CHECK_MESSAGE(st);
  if (st != PPRT_STATUS_OK) {
    FUZZ_CHECK(set == NULL, "a failed load left a set");
    return 0;
  }
  const char* again = fuzz_path("again.json");
  st = pprt_detset_write(set, again, NULL, 1);
  FUZZ_CHECK(st == PPRT_STATUS_OK, "write: %s", pprt_last_error());
  pprt_detset_t* back = NULL;
  st = pprt_detset_load(again, &back);
  FUZZ_CHECK(st == PPRT_STATUS_OK, "pprt cannot read what it wrote: %s", pprt_last_error());
  check_same_set(set, back);
  pprt_detset_destroy(back);
  /* the edge-contest form is written without error too */
  FUZZ_CHECK(pprt_detset_write_contest(set, fuzz_path("contest.json")) == PPRT_STATUS_OK, "contest: %s",
             pprt_last_error());
  pprt_detset_destroy(set);
  return 0;
}
