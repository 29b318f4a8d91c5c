// pprt-genmodel --form quantized: the model as vai_q_pytorch writes it before compiling (the `*_int.xmodel` layout,
// docs/XMODEL-FORMS.md), made from the int8 graph of the pprt form: float32 `const` weights and biases (the int8
// values times 2^-fix_point, exact) each followed by a `fix` op; `data` + `fix` for the input; `conv2d` /
// `transposed-conv2d` (+ `relu`) + `fix` for each conv; `reduction_max` + `fix` for the pillar max; `concat` + `fix`
// (the deconvs feeding it have no fix of their own: the concat's fixes them). One root graph, no subgraphs. The
// op patterns mirror Xilinx's VoxelNet_int.xmodel (../shared/data/xilinx-pointpillars-kitti).
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <xir/graph/graph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>

#include "genmodel.hpp"

namespace pprt_gen {
namespace {

const xir::DataType kFloat{xir::DataType::FLOAT, 32};

std::string base_name(const std::string& n) {  // "x_fix" -> "x"
  return n.size() > 4 && n.compare(n.size() - 4, 4, "_fix") == 0 ? n.substr(0, n.size() - 4) : n + "_float";
}

int fix_point_of(const xir::Op* op) { return op->get_output_tensor()->get_attr<int>("fix_point"); }

class translator {
 public:
  explicit translator(const xir::Graph* src) : src_(src), g_(xir::Graph::create(src->get_name())) {}

  std::unique_ptr<xir::Graph> run() {
    // Deconvs whose only consumer is a concat take the concat's fix.
    for (const xir::Op* op : src_->get_ops())
      if (op->get_type() == "concat-fix")
        for (const xir::Op* in : op->get_input_ops("input")) unfixed_.insert({in, true});
    for (const xir::Op* op : src_->topological_sort()) translate(op);
    return std::move(g_);
  }

 private:
  xir::Op* fix(const std::string& name, xir::Op* in, int fp) {
    auto a = xir::Attrs::create();
    a->set_attr<int>("bit_width", 8);
    a->set_attr<int>("fix_point", fp);
    a->set_attr<bool>("if_signed", true);
    a->set_attr<std::string>("round_mode", "DPU_ROUND");
    return g_->add_op(name, "fix", std::move(a), {{"input", {in}}}, kFloat);
  }

  xir::Op* mapped(const xir::Op* op) {
    auto it = map_.find(op);
    if (it == map_.end()) throw std::logic_error("quantized form: " + op->get_name() + " used before made");
    return it->second;
  }

  void translate(const xir::Op* op) {
    const std::string type = op->get_type(), name = op->get_name(), base = base_name(name);
    if (type == "data-fix") {
      auto a = xir::Attrs::create();
      a->set_attr<std::vector<int>>("shape", op->get_attr<std::vector<int>>("shape"));
      a->set_attr<std::string>("data_type", "FLOAT32");
      xir::Op* d = g_->add_op(base, "data", std::move(a), {}, kFloat);
      map_[op] = fix(name, d, fix_point_of(op));
    } else if (type == "const-fix") {
      const std::vector<char> q = op->get_attr<std::vector<char>>("data");
      const int fp = fix_point_of(op);
      std::vector<char> bytes(q.size() * sizeof(float));
      for (size_t i = 0; i < q.size(); ++i) {
        const float v = std::ldexp(static_cast<float>(static_cast<signed char>(q[i])), -fp);  // exact
        std::memcpy(bytes.data() + i * sizeof v, &v, sizeof v);
      }
      auto a = xir::Attrs::create();
      a->set_attr<std::vector<int>>("shape", op->get_attr<std::vector<int>>("shape"));
      a->set_attr<std::string>("data_type", "float32");
      a->set_attr<std::vector<char>>("data", bytes);
      xir::Op* c = g_->add_op(name, "const", std::move(a), {}, kFloat);
      map_[op] = fix(name + "_fix", c, fp);
    } else if (type == "conv2d-fix" || type == "transposed-conv2d-fix") {
      const xir::Op* w = op->get_input_op("weights");
      const std::vector<int> ws = w->get_output_tensor()->get_shape();  // oc, kh, kw, ic
      auto a = xir::Attrs::create();
      for (const char* k : {"kernel", "stride", "dilation", "pad"})
        a->set_attr<std::vector<int>>(k, op->get_attr<std::vector<int>>(k));
      a->set_attr<std::string>("pad_mode", "FLOOR");
      a->set_attr<int>("group", 1);
      a->set_attr<bool>("bias_term", true);
      a->set_attr<int>("in_dim", ws[3]);
      a->set_attr<int>("out_dim", ws[0]);
      xir::Op* c = g_->add_op(base, type == "conv2d-fix" ? "conv2d" : "transposed-conv2d", std::move(a),
                              {{"input", {mapped(op->get_input_op("input"))}},
                               {"weights", {mapped(w)}},
                               {"bias", {mapped(op->get_input_op("bias"))}}},
                              kFloat);
      const std::string nl = op->get_attr<std::string>("nonlinear");
      if (nl == "RELU") {
        c = g_->add_op(base + "_relu", "relu", xir::Attrs::create(), {{"input", {c}}}, kFloat);
      } else if (nl != "NONE") {
        throw std::logic_error("quantized form: nonlinear " + nl);
      }
      map_[op] = unfixed_.count(op) ? c : fix(name, c, fix_point_of(op));
    } else if (type == "pool-fix") {  // the MAX over a pillar's point slots (kernel [slots, 1])
      auto a = xir::Attrs::create();
      a->set_attr<std::vector<int>>("axis", {2});
      a->set_attr<bool>("keep_dims", true);
      xir::Op* r =
          g_->add_op(base, "reduction_max", std::move(a), {{"input", {mapped(op->get_input_op("input"))}}}, kFloat);
      map_[op] = fix(name, r, fix_point_of(op));
    } else if (type == "concat-fix") {
      std::vector<xir::Op*> ins;
      for (const xir::Op* in : op->get_input_ops("input")) ins.push_back(mapped(in));
      auto a = xir::Attrs::create();
      a->set_attr<int>("axis", op->get_attr<int>("axis"));
      xir::Op* c = g_->add_op(base, "concat", std::move(a), {{"input", ins}}, kFloat);
      map_[op] = fix(name, c, fix_point_of(op));
    } else {
      throw std::logic_error("quantized form: no translation for " + type);
    }
  }

  const xir::Graph* src_;
  std::unique_ptr<xir::Graph> g_;
  std::map<const xir::Op*, xir::Op*> map_;
  std::map<const xir::Op*, bool> unfixed_;
};

}  // namespace

std::unique_ptr<xir::Graph> quantized_graph(const xir::Graph* pprt_form) { return translator(pprt_form).run(); }

}  // namespace pprt_gen
