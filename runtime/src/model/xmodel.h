/* Internal, C: pprt inspect's view of one .xmodel (model/xmodel.cpp, docs/XMODEL-FORMS.md). */
#ifndef PPRT_MODEL_XMODEL_H
#define PPRT_MODEL_XMODEL_H

#include <stdio.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Print what pprt sees in the xmodel at path to out: its form (compiled / quantized / pprt-generated), op counts
 *  by type, G-op, and its subgraphs (device, DPU name and fingerprint, input / output tensors with shapes and fix
 *  points). A quantizer's graph is shown partitioned as pprt runs it. IO_ERROR / PARSE_ERROR / MODEL_MISMATCH with
 *  a message naming the file otherwise. */
enum pprt_status pprt_xmodel_describe(const char* path, FILE* out, struct pprt_err* err);

#ifdef __cplusplus
}
#endif
#endif
