/*
 * pprt/inspect.h: what pprt sees in a model, as `pprt inspect` prints it. Reports go to the caller's stream; errors
 * are a status with the message in pprt_last_error().
 */
#ifndef PPRT_INSPECT_H
#define PPRT_INSPECT_H

#include <stdio.h>

#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One .xmodel: its form (compiled / quantized / pprt-generated, docs/XMODEL-FORMS.md), subgraphs (device, DPU name
 *  and fingerprint), input / output tensors with shapes and fix points, op counts by type and G-op. */
PPRT_API enum pprt_status pprt_inspect_xmodel(const char* path, FILE* out);

/** A two-subgraph model (xmodel[i] + prototxt[i] of subgraph i): the parameters pprt_runtime_create will use and
 *  where each came from (subgraph 0's prototxt and its settings file, defaults, the xmodels' fix points). A missing
 *  prototxt ("" or NULL) is reported on out, not an error. */
PPRT_API enum pprt_status pprt_inspect_parameters(const char* const xmodel[2], const char* const prototxt[2],
                                                  FILE* out);

#ifdef __cplusplus
}
#endif
#endif /* PPRT_INSPECT_H */
