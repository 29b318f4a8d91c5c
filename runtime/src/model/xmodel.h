/* Internal, C: pprt inspect's view of one .xmodel (model/xmodel.cpp, docs/XMODEL-FORMS.md). */
#ifndef PPRT_MODEL_XMODEL_H
#define PPRT_MODEL_XMODEL_H

#include <stdio.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Print what pprt sees in the xmodel at path to out: its form (compiled / quantized / pprt-generated), op counts
 *  by type, G-op, and its subgraphs (device, DPU name and fingerprint, input / output tensors with shapes and fix
 *  points). A quantizer's graph is shown partitioned as pprt runs it. IO_ERROR / PARSE_ERROR / MODEL_MISMATCH with
 *  a message naming the file otherwise. */
enum pprt_status pprt_xmodel_describe(const char* path, FILE* out, struct pprt_err* err);

/** How pprt_xmodel_load_bytes lets XIR read bytes the validator accepted. */
enum pprt_xmodel_xir {
  PPRT_XMODEL_XIR_NONE,    /* the validator only */
  PPRT_XMODEL_XIR_CHILD,   /* XIR in a forked child first, then here: what every reader of an .xmodel does */
  PPRT_XMODEL_XIR_DIRECT,  /* XIR in this process, no child (the fuzz harness: an abort there is a finding) */
};

/** Bytes of an .xmodel through the validator (model/xmodel_check.h) and XIR as `xir` says, the graph then dropped:
 *  PPRT_STATUS_OK, or PARSE_ERROR with the validator's or XIR's message. For tests and the fuzz harness. */
enum pprt_status pprt_xmodel_load_bytes(const void* bytes, size_t n, enum pprt_xmodel_xir xir, struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif
