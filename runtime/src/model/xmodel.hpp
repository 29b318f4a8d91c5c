// The xmodel forms (docs/XMODEL-FORMS.md): which form a graph is, and the partition of a quantizer's unpartitioned
// `*_int.xmodel` into USER / DPU / CPU subgraphs the way XIR's partitioner does for a DPU target. C++ (XIR); used by
// the VART backend and `pprt inspect`. read() and prepare() are public (pprt/xmodel.hpp, exported for pprt-check and
// pprt-genmodel); the rest is internal. Nothing here calls an XIR function that can abort on the graphs
// it accepts: what XIR would abort on (a cycle between subgraphs, a missing attribute) is checked first.
#ifndef PPRT_MODEL_XMODEL_HPP
#define PPRT_MODEL_XMODEL_HPP

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "pprt/xmodel.hpp"

namespace xir {
class Graph;
class Subgraph;
class Op;
}  // namespace xir

namespace pprt {
namespace xmodel {

enum class form {
  compiled,   // vai_c_xir: DPU subgraphs with machine code (mc_code)
  generated,  // partitioned, DPU subgraphs of `*-fix` ops without machine code (pprt-genmodel)
  quantized,  // vai_q_pytorch's `*_int.xmodel`: float ops + fix ops, not partitioned
  unknown,    // partitioned without a DPU subgraph, or unpartitioned without fix ops
};

const char* form_name(form f);

// The form of g (before any partition by pprt).
form detect(const xir::Graph* g);

// Partition a quantized graph (root without children) as XIR does for a DPU target: each conv / deconv / depthwise
// conv with its activation and fix, reduction_max over H/W, and concat of DPU results go to the DPU with the const
// -> fix weights they read; connected DPU ops form one DPU subgraph; `data` (+ its fix) is a USER subgraph; every
// other op is a CPU subgraph of its own. Subgraph attributes: device; on DPU subgraphs pprt_form = "quantized" and
// runner = libpprt-cpu-runner.so for VART's modes "run" and "ref" (there is no machine code for a DPU).
// Returns false with *err (naming the file's op) when the partition would join two DPU subgraphs through a CPU op
// (XIR aborts on such a cycle) or when g is already partitioned.
bool partition(xir::Graph* g, std::string* err);

// DPU subgraphs of a partitioned graph in topological order (children of the root with device == "DPU").
std::vector<const xir::Subgraph*> dpu_subgraphs(const xir::Graph* g);

// prepare(g, dpus, err) (pprt/xmodel.hpp): partition g if it is quantized; then its DPU subgraphs.

// Integer operations (2 per multiply-accumulate) of one op, from its shapes and kernel (0 for copies / consts).
double op_gops(const xir::Op* op);

// XIR aborts (glog FATAL) on bytes it cannot parse or convert, so every reader of an .xmodel goes through this
// (docs/XMODEL-FORMS.md, "Validation"): the structural validator (model/xmodel_check.h), then, unless the
// environment has PPRT_XMODEL_NO_CHILD=1, XIR's deserializer (and pprt's partition) in a forked child process so
// that what the validator cannot foresee (XIR's per-op shape inference and constraints) ends as a message here,
// then the graph. nullptr + *err ("not a valid xmodel: offset N, Graph.op_node[3]...: why", "XIR aborted reading
// it (caught in a child process): <XIR's message>") when refused: the caller's PARSE_ERROR.
std::unique_ptr<xir::Graph> deserialize_checked(const std::string& bytes, std::string* err);

// XIR's deserializer (and pprt's partition) on bytes in a forked child: true if it exits cleanly, else false +
// *err naming the signal and XIR's last line of output. PPRT_XMODEL_CHILD_TIMEOUT (seconds, default 120) bounds it.
bool xir_in_child(const std::string& bytes, std::string* err);

// read(path, err) (pprt/xmodel.hpp): an .xmodel file through deserialize_checked.

// pprt inspect's report of one graph (read from path): its form, op counts by type, G-op, and its subgraphs in
// execution order (device; for DPU subgraphs the DPU name, fingerprint, G-op and the input / output tensors with
// shapes and fix points). A quantized graph is partitioned first and shown as pprt runs it. false + *err if the
// partition is refused.
bool describe(xir::Graph* g, const std::string& path, FILE* out, std::string* err);

}  // namespace xmodel
}  // namespace pprt

#endif
