// pprt/xmodel.hpp: reading an .xmodel the way pprt does, for programs that work on XIR graphs themselves
// (pprt-check, pprt-genmodel). C++ on the XIR API: the caller includes and links XIR (xir/graph/graph.hpp, libxir)
// and must be built with the same C++ standard library as libpprt (std::string and std::unique_ptr cross the call).
//
// XIR aborts (glog FATAL) on bytes it cannot parse, so a program must not hand an untrusted file to
// xir::Graph::deserialize: read() runs pprt's structural validator first, then XIR's deserializer in a forked child
// (unless the environment has PPRT_XMODEL_NO_CHILD=1; PPRT_XMODEL_CHILD_TIMEOUT, seconds, default 120, bounds it),
// then XIR here (docs/XMODEL-FORMS.md, "Validation"). prepare() partitions a quantizer's unpartitioned
// `*_int.xmodel` as XIR's partitioner does for a DPU target and lists the DPU subgraphs (docs/XMODEL-FORMS.md).
// Neither throws; a refusal is false / nullptr with a message in *err.
#ifndef PPRT_XMODEL_HPP
#define PPRT_XMODEL_HPP

#include <memory>
#include <string>
#include <vector>

#include "pprt/pprt.h"

namespace xir {
class Graph;
class Subgraph;
}  // namespace xir

namespace pprt {
namespace xmodel {

// Read the .xmodel at path through the validator and XIR (above). nullptr + *err ("<path>: not a valid xmodel:
// offset N, ...: why", "<path>: XIR aborted reading it (caught in a child process): <XIR's message>") on failure.
PPRT_API std::unique_ptr<xir::Graph> read(const std::string& path, std::string* err);

// Partition g if it is a quantizer's unpartitioned graph, then its DPU subgraphs (children of the root with
// device == "DPU") in topological order into *dpus. false + *err (naming the file's op) when the partition is refused
// (it would join two DPU subgraphs through a CPU op: XIR aborts on such a cycle).
PPRT_API bool prepare(xir::Graph* g, std::vector<const xir::Subgraph*>* dpus, std::string* err);

}  // namespace xmodel
}  // namespace pprt

#endif
