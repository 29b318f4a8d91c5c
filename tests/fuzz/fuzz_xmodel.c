/* libFuzzer harness of the xmodel validator (runtime/src/model/xmodel_check.c, docs/XMODEL-FORMS.md "Validation").
 *
 * Each input goes through what every reader of an .xmodel in pprt does (model/xmodel.hpp): the structural validator,
 * then for what it accepts XIR's deserializer in a forked child, then XIR here. A finding is then an input that kills
 * this process: a memory error or undefined behaviour in the validator, or an XIR abort the child did not catch.
 * Properties beyond "no crash": a refusal names an offset inside (or at the end of) the input, a field path and a
 * reason; what the validator accepts has ops.
 * PPRT_FUZZ_XMODEL_XIR=direct lets XIR read accepted inputs in this process without the child: its findings are the
 * aborts the validator alone does not foresee (XIR's per-op shape inference; docs/XMODEL-FORMS.md, "Validation").
 * PPRT_FUZZ_XMODEL_XIR=none fuzzes the validator alone (fastest).
 *
 * Seeds: tests/fuzz/corpus/xmodel (the demo model's subgraph 0, 65 KB); regression inputs: tests/fuzz/regress/xmodel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "model/xmodel.h"
#include "model/xmodel_check.h"


static int use_xir = -1; /* 0 none, 1 child (default), 2 direct */

/* XIR's first deserialization builds its op registry (allocated once, kept): do it before the fuzzing starts, so
 * that LeakSanitizer does not take it for a leak of the first input. */
static void warm_up(void) {
  static const char* const seeds[] = {PPRT_FUZZ_DATA_DIR "/demo-model/pointpillars_demo_0_pt/pointpillars_demo_0_pt.xmodel"};
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; ++i) {
    FILE* f = fopen(seeds[i], "rb");
    if (f == NULL) continue;
    static unsigned char buf[1 << 20];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct pprt_err err;
    pprt_xmodel_load_bytes(buf, n, PPRT_XMODEL_XIR_DIRECT, &err);
  }
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc;
  (void)argv;
  const char* mode = getenv("PPRT_FUZZ_XMODEL_XIR");
  use_xir = mode == NULL || strcmp(mode, "child") == 0 ? 1 : strcmp(mode, "direct") == 0 ? 2 : 0;
  if (use_xir) warm_up();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (use_xir < 0) LLVMFuzzerInitialize(NULL, NULL); /* the replay driver does not call it */
  struct pprt_xmodel_check r;
  const int ok = pprt_xmodel_check_bytes(data, size, &r);
  FUZZ_CHECK(ok == r.ok, "return value %d, r.ok %d", ok, r.ok);
  if (!ok) {
    FUZZ_CHECK(r.msg[0] != '\0' && r.path[0] != '\0', "refusal without a message or path");
    FUZZ_CHECK(r.offset <= size, "offset %zu past the end of the %zu-byte input (%s)", r.offset, size, r.msg);
    return 0;
  }
  FUZZ_CHECK(r.ops > 0, "accepted without ops");
  if (use_xir) {
    struct pprt_err err;
    /* Accepted bytes: a status (XIR's abort caught in the child, a C++ exception) or a graph, never a crash here. */
    memset(&err, 0, sizeof err);
    const enum pprt_status st =
        pprt_xmodel_load_bytes(data, size, use_xir == 2 ? PPRT_XMODEL_XIR_DIRECT : PPRT_XMODEL_XIR_CHILD, &err);
    FUZZ_CHECK(st == PPRT_STATUS_OK || err.msg[0] != '\0', "status %d without a message", (int)st);
  }
  return 0;
}
