// pprt-genmodel --family kitti --from-graph G.xmodel: the Model Zoo pair layout of a one-file KITTI graph in the
// quantizer's form (vai_q_pytorch's *_int.xmodel, e.g. Xilinx's VoxelNet_int.xmodel of the custom-op example):
// the same ops and weights, cut at the CPU scatter (docs/KITTI.md, "Model files").
//
//   graph 0: every op the pillar features depend on (input, PFN, max, its fix) -- the DPU0 output is that fix op;
//   graph 1: a new float `data` input of the canvas shape and a copy of the scatter's output `fix` op, then every op
//            after the scatter chain (RPN and heads) with the weights they read.
//
// The scatter chain itself (layout ops and fix ops from the pillar features to the scatter, the scatter with its
// coordinate input, and fix / layout ops after it up to the first compute op) is what the pair's runtime does on
// the CPU between the two models.
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>
#include <xir/graph/graph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>
#include <xir/util/data_type.hpp>

#include "genmodel.hpp"

namespace pprt_gen {
namespace {

bool is_chain(const std::string& t) {
  return t == "transpose" || t == "reshape" || t == "fix" || t == "fix2float" || t == "float2fix" ||
         t == "download" || t == "upload" || t == "identity";
}

// Copy the ops of `keep` (in the source's topological order) into a new graph; inputs found in `remap` are
// replaced by the mapped op of the new graph.
void copy_ops(xir::Graph* dst, const std::vector<xir::Op*>& order, const std::set<xir::Op*>& keep,
              std::map<const xir::Op*, xir::Op*>* remap) {
  for (xir::Op* op : order) {
    if (!keep.count(op)) continue;
    std::map<std::string, std::vector<xir::Op*>> ins;
    for (const auto& kv : op->get_input_ops()) {
      std::vector<xir::Op*> v;
      for (xir::Op* i : kv.second) {
        auto it = remap->find(i);
        if (it == remap->end())
          throw std::runtime_error("split: op " + op->get_name() + " reads " + i->get_name() +
                                   ", which is not in its half of the graph");
        v.push_back(it->second);
      }
      ins[kv.first] = v;
    }
    xir::Op* n = dst->add_op(op->get_name(), op->get_type(), op->get_attrs(), ins,
                             op->get_output_tensor()->get_data_type());
    n->get_output_tensor()->set_attrs(op->get_output_tensor()->get_attrs());
    (*remap)[op] = n;
  }
}

void ancestors(xir::Op* op, std::set<xir::Op*>* out, const std::set<xir::Op*>& stop) {
  std::vector<xir::Op*> todo = {op};
  while (!todo.empty()) {
    xir::Op* o = todo.back();
    todo.pop_back();
    if (stop.count(o) || !out->insert(o).second) continue;
    for (const auto& kv : o->get_input_ops())
      for (xir::Op* i : kv.second) todo.push_back(i);
  }
}

}  // namespace

void split_kitti_graph(xir::Graph* g, std::unique_ptr<xir::Graph>* g0, std::unique_ptr<xir::Graph>* g1) {
  const std::vector<xir::Op*> order = g->topological_sort();
  xir::Op* scatter = nullptr;
  for (xir::Op* op : order) {
    if (op->get_type() != "PPScatterV2") continue;
    if (scatter != nullptr) throw std::runtime_error("split: two PPScatterV2 ops; expected one");
    scatter = op;
  }
  if (scatter == nullptr) throw std::runtime_error("split: no PPScatterV2 op: not a KITTI custom-op graph");
  const auto sin = scatter->get_input_ops("input");
  if (sin.size() != 2) throw std::runtime_error("split: PPScatterV2 needs 2 inputs (features, coordinates)");
  for (xir::Op* op : order)
    if (op->get_type() == "upload" || op->get_type() == "download")
      throw std::runtime_error("split: a compiled graph (upload / download ops); give the quantizer's *_int.xmodel");

  // Backwards from the scatter's features to the fix op that ends the pillar feature net.
  std::set<xir::Op*> chain = {scatter};
  xir::Op* out0 = sin[0];
  while (out0->get_type() != "fix") {
    if (!is_chain(out0->get_type()) || out0->get_input_ops("input").size() != 1)
      throw std::runtime_error("split: no fix op before the scatter (found " + out0->get_type() + ")");
    chain.insert(out0);
    out0 = out0->get_input_ops("input")[0];
  }
  // Forwards: fix / layout ops up to the first compute op; the last fix gives the canvas its fix point.
  xir::Op* last = scatter;
  xir::Op* canvas_fix = nullptr;
  for (;;) {
    const auto outs = last->get_fanout_ops();
    if (outs.size() != 1 || !is_chain(outs[0]->get_type())) break;
    last = outs[0];
    chain.insert(last);
    if (last->get_type() == "fix") canvas_fix = last;
  }
  if (canvas_fix == nullptr) throw std::runtime_error("split: no fix op after the scatter");

  std::set<xir::Op*> half0;
  ancestors(out0, &half0, {});
  std::set<xir::Op*> half1, desc;
  std::vector<xir::Op*> todo = last->get_fanout_ops();
  while (!todo.empty()) {
    xir::Op* o = todo.back();
    todo.pop_back();
    if (!desc.insert(o).second) continue;
    for (xir::Op* f : o->get_fanout_ops()) todo.push_back(f);
  }
  std::set<xir::Op*> stop = chain;
  stop.insert(last);
  for (xir::Op* o : desc) ancestors(o, &half1, stop);
  for (xir::Op* o : half1)
    if (half0.count(o) && o->get_type() != "const" && o->get_type() != "fix")
      throw std::runtime_error("split: op " + o->get_name() + " feeds both halves");

  *g0 = xir::Graph::create(g->get_name() + "_0");
  std::map<const xir::Op*, xir::Op*> r0;
  copy_ops(g0->get(), order, half0, &r0);

  *g1 = xir::Graph::create(g->get_name() + "_1");
  std::map<const xir::Op*, xir::Op*> r1;
  auto attrs = xir::Attrs::create();
  attrs->set_attr<std::vector<int>>("shape", last->get_output_tensor()->get_shape());
  attrs->set_attr<std::string>("data_type", "float32");
  xir::Op* in = (*g1)->add_op("canvas_input", "data", std::move(attrs), {}, xir::DataType{"float32"});
  xir::Op* fix = (*g1)->add_op(canvas_fix->get_name(), "fix", canvas_fix->get_attrs(), {{"input", {in}}},
                               canvas_fix->get_output_tensor()->get_data_type());
  r1[last] = fix;
  copy_ops(g1->get(), order, half1, &r1);
}

}  // namespace pprt_gen
