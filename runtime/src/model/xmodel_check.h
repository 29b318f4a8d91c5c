/* Internal, C: the structural validator of xmodel bytes (docs/XMODEL-FORMS.md, "Validation"). It walks the whole
 * protobuf wire format of an XIR 2.5 graph (serial_v2.Graph and every message nested in it) against XIR's schema,
 * then the structure XIR's deserializer relies on (unique op names, inputs naming earlier ops, valid data types and
 * shapes, op arguments and required attributes per the file's op definitions, subgraphs naming existing ops and
 * partitioning them), so that what it accepts parses in protobuf and converts in XIR without an abort. No XIR, no
 * allocation beyond the op tables, no output. */
#ifndef PPRT_MODEL_XMODEL_CHECK_H
#define PPRT_MODEL_XMODEL_CHECK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the validator found: ok = 1 when the bytes are a well-formed xmodel; otherwise offset (the byte offset in
 *  the file where the problem is), path (the field path, e.g. "Graph.op_node[3].output_tensor.data_type") and msg
 *  (why) describe the first problem. ops / subgraphs / bytes count what was seen. */
struct pprt_xmodel_check {
  int ok;
  size_t offset;
  char path[256];
  char msg[384];
  size_t ops, subgraphs, op_defs;
};

/** Validate n bytes at p as a serialized XIR graph. Returns r->ok. Never reads outside [p, p + n), never aborts;
 *  allocates (and frees) tables proportional to the number of ops; returns 0 with "out of memory" if that fails. */
int pprt_xmodel_check_bytes(const unsigned char* p, size_t n, struct pprt_xmodel_check* r);

/** One line "offset N, PATH: MSG" (or "valid") for r into buf. */
void pprt_xmodel_check_format(const struct pprt_xmodel_check* r, char* buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
