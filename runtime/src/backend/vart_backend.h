/* Internal: the C interface to VART/XIR: the xmodel (its DPU subgraph and tensors) and, behind backend/backend.h, the
 * VART backends. The only C++ of the runtime lives behind it (vart_backend.cpp).
 * Nothing here aborts on bad input: files, graph structure and attributes are checked before XIR/VART sees them,
 * and every C++ exception is caught and turned into a status. */
#ifndef PPRT_VART_ADAPTER_H
#define PPRT_VART_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_TENSOR_NAME_MAX 256
#define PPRT_TENSOR_MAX_DIMS 8
#define PPRT_XMODEL_MAX_TENSORS 8

struct pprt_tensor_desc {
  char name[PPRT_TENSOR_NAME_MAX];
  uint32_t ndim;
  int32_t dims[PPRT_TENSOR_MAX_DIMS];  /* as the subgraph's tensor says, batch dimension included */
  int32_t fix_point;                   /* real = q * 2^-fix_point */
  uint64_t elements;                   /* product of dims without the leading batch dimension (one frame) */
};

/** A deserialized xmodel and its single DPU subgraph. */
typedef struct pprt_xmodel pprt_xmodel;

/** Deserialize path (checked to exist and be non-empty first), find the one child subgraph with device "DPU"
 *  (MODEL_MISMATCH naming the count if there are none or several), read its input and output tensors
 *  (int8 with fix_point; MODEL_MISMATCH otherwise). */
enum pprt_status pprt_xmodel_load(const char* path, pprt_xmodel** out, struct pprt_err* err);
/** The same for a graph with several DPU subgraphs (e.g. two joined by CPU ops, docs/KITTI.md): the index-th DPU
 *  child of the root in topological order (index < 0: exactly one, as pprt_xmodel_load). */
enum pprt_status pprt_xmodel_load_index(const char* path, int index, pprt_xmodel** out, struct pprt_err* err);
void pprt_xmodel_free(pprt_xmodel* model);

const char* pprt_xmodel_subgraph_name(const pprt_xmodel* model);
uint32_t pprt_xmodel_num_inputs(const pprt_xmodel* model);
uint32_t pprt_xmodel_num_outputs(const pprt_xmodel* model);
const struct pprt_tensor_desc* pprt_xmodel_input(const pprt_xmodel* model, uint32_t i);
const struct pprt_tensor_desc* pprt_xmodel_output(const pprt_xmodel* model, uint32_t i);

/** What the DPU subgraph says about the DPU it was compiled for, as "dpu_name=..., dpu_fingerprint=0x..." (only the
 *  attributes present; "" if none). For comparing benchmarks with the model zoo. Never throws or aborts. */
void pprt_xmodel_dpu_info(const pprt_xmodel* model, char* buf, size_t cap);

/** What the DPU subgraph says about its target and the device memory VART's DPU runner allocates for it
 *  (vai_c_xir attributes; zero / "" where absent, e.g. in models pprt-genmodel writes). */
struct pprt_xmodel_dpu_target {
  char dpu_name[64];        /* "DPUCZDX8G_ISA1_B4096" */
  int has_fingerprint;
  uint64_t fingerprint;     /* dpu_fingerprint: VART compares it with the DPU's at the first job */
  uint64_t const_bytes;     /* reg_id_to_size of the CONST registers (weights): once per runner */
  uint64_t data_bytes;      /* the other registers (DATA / WORKSPACE / INTERFACE): once per runner */
  uint64_t code_bytes;      /* mc_code */
};
void pprt_xmodel_read_dpu_target(const pprt_xmodel* model, struct pprt_xmodel_dpu_target* out);

/* The VART runners on a model's subgraph are the VART implementations of the backend seam (backend/backend.h):
 * pprt_backend_vart_dpu, _plugin and _dummy, defined in vart_backend.cpp. */

#ifdef __cplusplus
}
#endif
#endif
