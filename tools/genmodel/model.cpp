// Graph construction for pprt-genmodel: int8 ops as the Vitis AI quantizer + vai_c_xir leave them.
//
// Fix points are chosen like a calibrating quantizer would, from an estimate of each tensor's second moment:
// weights are seeded integers spread over the int8 range, the weight fix point gives them a He-like real scale,
// and the output fix point is set so the pre-activation output has a standard deviation of ~40 LSB (RELU layers),
// or the head targets below. The estimate assumes independent zero-mean weights: E[acc^2] = K E[x^2] Var(w).
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <xir/graph/graph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>
#include <xir/util/data_type.hpp>

#include "genmodel.hpp"

namespace pprt_gen {
namespace {

// Assumed occupancy of the inputs (fraction of non-zero values) for the moment estimates.
constexpr double kSlotFill = 0.25;    // occupied point slots of a pillar row
constexpr double kCanvasFill = 0.15;  // occupied cells of the BEV canvas
constexpr double kReluTarget = 40.0;  // pre-activation std (LSB) of RELU layers
constexpr double kPfnInputM2 = kSlotFill * 128.0 * 128.0 / 3.0;  // uniform over [-1, 1) in occupied slots
constexpr double kPfnTarget = 16.0;   // pillar conv pre-activation std: the max over slots lands at ~2.5-3 std

// splitmix64: the same stream on every platform (std:: distributions are implementation-defined).
struct rng {
  uint64_t s;
  explicit rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) {  // [lo, hi]
    return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
};

uint64_t hash_name(uint64_t seed, const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  rng r(h);
  return r.next();
}

const xir::DataType kXint8{xir::DataType::XINT, 8};

// Weight ints: sum of two uniforms in [-63, 63] (a bell-ish shape over [-126, 126]).
constexpr double kWeightVar = 2.0 * (127.0 * 127.0 - 1.0) / 12.0;

struct fix_plan {
  int fp_w, shift, fp_out;
  double acc_std;
};

// Fix points of a layer with K products per output, free to pick its output fix point.
fix_plan plan_free(int fp_in, double m2_in, double K, double target_std) {
  fix_plan p;
  p.acc_std = std::sqrt(K * m2_in * kWeightVar);
  p.fp_w = static_cast<int>(std::lround(std::log2(std::sqrt(kWeightVar) / std::sqrt(2.0 / K))));
  p.shift = std::max(0, static_cast<int>(std::lround(std::log2(p.acc_std / target_std))));
  p.fp_out = fp_in + p.fp_w - p.shift;
  return p;
}

// Fix points of a layer whose output fix point is given.
fix_plan plan_fixed(int fp_in, double m2_in, double K, double target_std, int fp_out) {
  fix_plan p;
  p.acc_std = std::sqrt(K * m2_in * kWeightVar);
  p.shift = std::max(0, static_cast<int>(std::lround(std::log2(p.acc_std / target_std))));
  p.fp_out = fp_out;
  p.fp_w = fp_out + p.shift - fp_in;
  return p;
}

struct act {
  xir::Op* op;
  int fp;
  double m2;  // estimated E[q^2] in LSB^2
};

enum class act_kind { relu, none };

struct layer_target {
  act_kind kind = act_kind::relu;
  bool fixed_fp = false;  // output fix point forced (heads, concat inputs)
  int fp_out = 0;
  double std_lsb = kReluTarget;
  double bias_mean_real = 0.0;  // heads: mean of the bias in real units
  double bias_std_rel = 0.25;   // bias std relative to the output std
};

class builder {
 public:
  builder(const std::string& graph_name, uint64_t seed, subgraph_report* rep)
      : g_(xir::Graph::create(graph_name)), seed_(seed), rep_(rep) {}

  std::unique_ptr<xir::Graph> take() { return std::move(g_); }
  // vai_c_xir's compiled layout: upload / download at the DPU subgraph's edges, const-fix data in one blob.
  void set_compiled(bool c) { compiled_ = c; }
  bool compiled() const { return compiled_; }
  const std::vector<xir::Op*>& edge_ops() const { return edges_; }
  const std::vector<char>& blob() const { return blob_; }
  void set_trained(const trained_weights* tw) { tw_ = tw; }
  const trained_weights* trained() const { return tw_; }
  xir::Graph* graph() { return g_.get(); }
  const std::vector<xir::Op*>& compute_ops() const { return compute_; }
  const std::map<xir::Op*, std::vector<xir::Op*>>& consts() const { return consts_; }
  xir::Op* input_op() const { return input_; }
  uint64_t macs(size_t lo, size_t hi) const {  // MACs of compute ops [lo, hi)
    uint64_t n = 0;
    for (size_t i = lo; i < hi; ++i) {
      auto it = macs_.find(compute_[i]);
      if (it != macs_.end()) n += it->second;
    }
    return n;
  }

  act data(const std::string& name, const std::vector<int>& shape, int fp, double m2) {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::vector<int>>("shape", shape);
    attrs->set_attr<std::string>("data_type", "xint8");
    xir::Op* op = g_->add_op(name, "data-fix", std::move(attrs), {}, kXint8);
    set_fix(op, fp);
    input_ = op;
    if (compiled_) op = edge(name + "_upload_0", "upload", op, 2);
    return act{op, fp, m2};
  }

  // A subgraph output: in the compiled layout a download op copies it out of the DPU's memory.
  void output(const act& a) {
    if (compiled_) edge(a.op->get_name() + "_download_0", "download", a.op, 3);
  }

  // conv2d-fix (transposed = false) or transposed-conv2d-fix with kernel k x k, stride s.
  act conv(const std::string& name, const act& in, int oc, int k, int s, bool transposed, const layer_target& t) {
    const std::vector<int> ishape = in.op->get_output_tensor()->get_shape();
    const int ic = ishape[3];
    // Effective number of products per output: a stride == kernel deconv feeds each output from one tap.
    const double taps = transposed ? static_cast<double>(k * k) / static_cast<double>(s * s) : k * k;
    const double K = taps * ic;
    const fix_plan pl = t.fixed_fp ? plan_fixed(in.fp, in.m2, K, t.std_lsb, t.fp_out)
                                   : plan_free(in.fp, in.m2, K, t.std_lsb);
    int fp_w = pl.fp_w, shift = pl.shift, fp_out = pl.fp_out;
    const double acc_std = pl.acc_std;
    const trained_layer* tl = nullptr;
    if (tw_ != nullptr) {
      auto it = tw_->layers.find(name);
      if (it == tw_->layers.end()) throw std::runtime_error("weights file has no layer " + name);
      tl = &it->second;
      if (tl->shape != std::vector<int>{oc, k, k, ic})
        throw std::runtime_error("weights file: layer " + name + " has another shape than the graph's");
      fp_w = tl->fp_w;
      fp_out = tl->fp_out;
      shift = in.fp + fp_w - fp_out;
    }
    const double out_std = acc_std / std::ldexp(1.0, shift);
    // Bias: finer than the output by 2 bits where the shifter allows, coarser if the mean needs range.
    int fp_b = std::min(fp_out + 2, in.fp + fp_w);
    double b_mean = t.bias_mean_real * std::ldexp(1.0, fp_b);
    double b_std = t.bias_std_rel * out_std * std::ldexp(1.0, fp_b - fp_out);
    while (std::fabs(b_mean) + std::sqrt(3.0) * b_std > 127.0 && fp_b > fp_out - 4) {
      --fp_b;
      b_mean /= 2.0;
      b_std /= 2.0;
    }

    std::vector<int> wshape = {oc, k, k, ic};
    rng r(hash_name(seed_, name));
    std::vector<char> w(static_cast<size_t>(oc) * k * k * ic);
    for (auto& v : w) v = static_cast<char>(r.uniform(-63, 63) + r.uniform(-63, 63));
    const int bhalf = static_cast<int>(std::lround(std::sqrt(3.0) * b_std));
    const int bmid = static_cast<int>(std::lround(b_mean));
    std::vector<char> b(static_cast<size_t>(oc));
    for (auto& v : b) v = static_cast<char>(std::max(-128, std::min(127, bmid + r.uniform(-bhalf, bhalf))));
    if (tl != nullptr) {  // trained weights replace the seeded ones
      w = tl->w;
      b = tl->b;
      fp_b = tl->fp_b;
    }

    xir::Op* wop = const_op(name + "_weights", wshape, w, fp_w);
    xir::Op* bop = const_op(name + "_bias", {oc}, b, fp_b);

    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::vector<int>>("kernel", {k, k});
    attrs->set_attr<std::vector<int>>("stride", {s, s});
    attrs->set_attr<std::vector<int>>("dilation", {1, 1});
    // Deconvs: mmdet3d's have padding 0; libxir 2.5's shape inference treats `pad` of transposed-conv2d-fix as
    // Caffe's (out = (in - 1) * stride + kernel - pad_l - pad_r), so 0 gives in * stride for kernel == stride.
    const int pad = transposed ? 0 : (k - 1) / 2;
    attrs->set_attr<std::vector<int>>("pad", {pad, pad, pad, pad});
    attrs->set_attr<std::string>("nonlinear", t.kind == act_kind::relu ? "RELU" : "NONE");
    xir::Op* op = g_->add_op(name, transposed ? "transposed-conv2d-fix" : "conv2d-fix", std::move(attrs),
                             {{"input", {in.op}}, {"weights", {wop}}, {"bias", {bop}}}, kXint8);
    set_fix(op, fp_out);
    compute_.push_back(op);
    consts_[op] = {wop, bop};

    const std::vector<int> oshape = op->get_output_tensor()->get_shape();
    const uint64_t macs = transposed ? static_cast<uint64_t>(ishape[1]) * ishape[2] * ic * oc * k * k
                                     : static_cast<uint64_t>(oshape[1]) * oshape[2] * oc * k * k * ic;
    rep_->macs += macs;
    macs_[op] = macs;
    rep_->compute_ops++;
    rep_->const_ops += 2;
    rep_->weight_bytes += w.size() + b.size();
    std::ostringstream line;
    line << op->get_type() << " " << name << " " << shape_str(oshape) << " k" << k << " s" << s << " pad" << pad
         << " " << (t.kind == act_kind::relu ? "RELU" : "NONE") << " fp_in " << in.fp << " fp_w " << fp_w
         << " fp_bias " << fp_b << " fp_out " << fp_out << " (shift " << shift << ", est. out std "
         << static_cast<int>(std::lround(out_std)) << " LSB)";
    rep_->lines.push_back(line.str());

    double m2 = out_std * out_std + b_std * b_std * std::ldexp(1.0, 2 * (fp_out - fp_b)) +
                b_mean * b_mean * std::ldexp(1.0, 2 * (fp_out - fp_b));
    if (t.kind == act_kind::relu) m2 *= 0.5;
    return act{op, fp_out, std::min(m2, 127.0 * 127.0)};
  }

  act pool_max(const std::string& name, const act& in, int kw, int kh, double m2_out) {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::vector<int>>("kernel", {kw, kh});
    attrs->set_attr<std::vector<int>>("stride", {kw, kh});
    attrs->set_attr<std::vector<int>>("pad", {0, 0, 0, 0});
    attrs->set_attr<std::string>("type", "MAX");
    xir::Op* op = g_->add_op(name, "pool-fix", std::move(attrs), {{"input", {in.op}}}, kXint8);
    set_fix(op, in.fp);
    compute_.push_back(op);
    consts_[op] = {};
    rep_->compute_ops++;
    std::ostringstream line;
    line << "pool-fix " << name << " " << shape_str(op->get_output_tensor()->get_shape()) << " MAX kernel [" << kw
         << ", " << kh << "] fp_in " << in.fp << " fp_out " << in.fp;
    rep_->lines.push_back(line.str());
    return act{op, in.fp, m2_out};
  }

  act concat(const std::string& name, const std::vector<act>& ins, int fp) {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<int>("axis", 3);
    std::vector<xir::Op*> ops;
    double m2 = 0;
    for (const auto& a : ins) {
      ops.push_back(a.op);
      m2 += a.m2 * std::ldexp(1.0, 2 * (fp - a.fp)) / static_cast<double>(ins.size());
    }
    xir::Op* op = g_->add_op(name, "concat-fix", std::move(attrs), {{"input", ops}}, kXint8);
    set_fix(op, fp);
    compute_.push_back(op);
    consts_[op] = {};
    rep_->compute_ops++;
    std::ostringstream line;
    line << "concat-fix " << name << " " << shape_str(op->get_output_tensor()->get_shape()) << " axis 3 fp_out "
         << fp;
    rep_->lines.push_back(line.str());
    return act{op, fp, m2};
  }

 private:
  static std::string shape_str(const std::vector<int>& s) {
    std::ostringstream o;
    o << "[";
    for (size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
    o << "]";
    return o.str();
  }

  static void set_fix(xir::Op* op, int fp) {
    xir::Tensor* t = op->get_output_tensor();
    t->set_attr<int>("fix_point", fp);
    t->set_attr<int>("bit_width", 8);
    t->set_attr<bool>("if_signed", true);
    t->set_attr<std::string>("round_mode", "DPU_ROUND");
  }

  xir::Op* const_op(const std::string& name, const std::vector<int>& shape, const std::vector<char>& data, int fp) {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::vector<int>>("shape", shape);
    attrs->set_attr<std::string>("data_type", "xint8");
    // compiled: the op's data is empty; the bytes sit in the subgraph's parameter blob REG_0 at the tensor's ddr_addr
    attrs->set_attr<std::vector<char>>("data", compiled_ ? std::vector<char>() : data);
    if (compiled_) attrs->set_attr<std::string>("device", "DPU");
    xir::Op* op = g_->add_op(name, "const-fix", std::move(attrs), {}, kXint8);
    set_fix(op, fp);
    if (compiled_) {
      xir::Tensor* t = op->get_output_tensor();
      t->set_attr<int>("reg_id", 0);
      t->set_attr<int>("ddr_addr", static_cast<int>(blob_.size()));
      t->set_attr<int>("location", 1);
      blob_.insert(blob_.end(), data.begin(), data.end());
    }
    return op;
  }

  // upload / download: a copy with the same shape and fix point, in the DPU subgraph, its tensor in register reg.
  xir::Op* edge(const std::string& name, const std::string& type, xir::Op* in, int reg) {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::string>("device", "DPU");
    xir::Op* op = g_->add_op(name, type, std::move(attrs), {{"input", {in}}}, kXint8);
    set_fix(op, in->get_output_tensor()->get_attr<int>("fix_point"));
    xir::Tensor* t = op->get_output_tensor();
    t->set_attr<int>("reg_id", reg);
    t->set_attr<int>("ddr_addr", 0);
    t->set_attr<int>("location", 1);
    edges_.push_back(op);
    return op;
  }

  std::unique_ptr<xir::Graph> g_;
  uint64_t seed_;
  subgraph_report* rep_;
  xir::Op* input_ = nullptr;
  std::vector<xir::Op*> compute_;
  std::map<xir::Op*, std::vector<xir::Op*>> consts_;
  std::map<xir::Op*, uint64_t> macs_;
  const trained_weights* tw_ = nullptr;
  bool compiled_ = false;
  std::vector<xir::Op*> edges_;
  std::vector<char> blob_;
};

void build_pfn(builder& b, const model_spec& m) {
  act x = b.data("voxels_input_fix", {1, m.pillars, m.slots, m.features},
                 b.trained() ? b.trained()->input_fp : m.input_fp, kPfnInputM2);
  layer_target t;
  t.std_lsb = kPfnTarget;
  act c = b.conv("pts_voxel_encoder_pfn_layers_0_linear_fix", x, m.pfn_channels, 1, 1, false, t);
  b.output(b.pool_max("pts_voxel_encoder_pfn_layers_0_max_fix", c, m.slots, 1, 0));
}

void build_backbone(builder& b, const model_spec& m, int fp_canvas) {
  const double pooled_m2 = (2.5 * kPfnTarget) * (2.5 * kPfnTarget);  // the max over slots: ~2.5 std
  act x = b.data("canvas_input_fix", {1, m.canvas_h, m.canvas_w, m.pfn_channels}, fp_canvas,
                 kCanvasFill * pooled_m2);
  layer_target relu;
  std::vector<act> stage_out;
  for (size_t i = 0; i < m.stages.size(); ++i) {
    const stage_spec& st = m.stages[i];
    const std::string p = "pts_backbone_blocks_" + std::to_string(i) + "_";
    x = b.conv(p + "0_fix", x, st.channels, 3, st.stride, false, relu);
    for (int j = 0; j < st.extra_convs; ++j) x = b.conv(p + std::to_string(j + 1) + "_fix", x, st.channels, 3, 1, false, relu);
    stage_out.push_back(x);
  }
  // The concat needs one fix point: a quantizer picks the coarsest of its inputs; the deconvs are forced to it.
  // First pass on paper: the natural fix point of each deconv output (same formula as builder::conv).
  int fp_cat = 1000;
  for (size_t i = 0; i < m.stages.size(); ++i) {
    // one tap per output (kernel == stride)
    const fix_plan p = plan_free(stage_out[i].fp, stage_out[i].m2, m.stages[i].channels, kReluTarget);
    fp_cat = std::min(fp_cat, p.fp_out);
  }
  if (b.trained()) {  // the quantizer gave every deconv the concat's fix point
    const auto& L = b.trained()->layers;
    auto it = L.find("pts_neck_deblocks_0_fix");
    if (it == L.end()) throw std::runtime_error("weights file has no layer pts_neck_deblocks_0_fix");
    fp_cat = it->second.fp_out;
    for (size_t i = 0; i < m.stages.size(); ++i) {
      auto jt = L.find("pts_neck_deblocks_" + std::to_string(i) + "_fix");
      if (jt == L.end() || jt->second.fp_out != fp_cat)
        throw std::runtime_error("weights file: the neck deconvs need one output fix point (the concat's)");
    }
  }
  std::vector<act> ups;
  for (size_t i = 0; i < m.stages.size(); ++i) {
    const stage_spec& st = m.stages[i];
    layer_target t;
    t.fixed_fp = true;
    t.fp_out = fp_cat;
    ups.push_back(b.conv("pts_neck_deblocks_" + std::to_string(i) + "_fix", stage_out[i], st.up_channels,
                         st.up_stride, st.up_stride, true, t));
  }
  act cat = b.concat("pts_neck_cat_fix", ups, fp_cat);
  // Heads: logits with a prior (sigmoid(cls_bias), default -4.5: ~1 %) so most anchors stay below the threshold,
  // box deltas of a few tenths, direction logits around 0.
  layer_target cls;
  cls.kind = act_kind::none;
  cls.fixed_fp = true;
  cls.fp_out = 4;
  cls.std_lsb = 12.0;
  cls.bias_mean_real = m.cls_bias;
  cls.bias_std_rel = 0.5;
  layer_target reg = cls;
  reg.fp_out = 5;
  reg.std_lsb = 10.0;
  reg.bias_mean_real = 0.0;
  reg.bias_std_rel = 0.25;
  layer_target dir = cls;
  dir.fp_out = 4;
  dir.std_lsb = 16.0;
  dir.bias_mean_real = 0.0;
  dir.bias_std_rel = 0.25;
  const int A = m.anchors;
  // Head names: what each family's post-processing looks the outputs up by (nuScenes: the prototxt's layer names
  // conv_cls / conv_reg / conv_dir_cls; KITTI: VAI-L's "cls" / "box" / "dir" substrings, so no "bbox" in them).
  const bool kitti = m.family == "kitti";
  b.output(b.conv(kitti ? "rpn_conv_cls_fix" : "pts_bbox_head_conv_cls_fix", cat, A * m.classes, 1, 1, false, cls));
  b.output(b.conv(kitti ? "rpn_conv_box_fix" : "pts_bbox_head_conv_reg_fix", cat, A * m.box_code, 1, 1, false, reg));
  b.output(b.conv(kitti ? "rpn_conv_dir_cls_fix" : "pts_bbox_head_conv_dir_cls_fix", cat, A * 2, 1, 1, false, dir));
}

void partition(builder& b, int dpu_count) {
  xir::Graph* g = b.graph();
  xir::Subgraph* root = g->get_root_subgraph();
  root->create_children();
  auto leaf = [&](xir::Op* op) { return g->get_leaf_subgraph(op); };
  std::set<xir::Subgraph*> user = {leaf(b.input_op())};
  xir::Subgraph* u = root->merge_children(user);
  u->set_name("subgraph_" + b.input_op()->get_name());
  u->set_attr<std::string>("device", "USER");

  const auto& ops = b.compute_ops();
  const int groups = dpu_count == 2 ? 2 : 1;
  const size_t cut = groups == 2 ? (ops.size() + 1) / 2 : ops.size();
  for (int gi = 0; gi < groups; ++gi) {
    std::set<xir::Subgraph*> members;
    const size_t lo = gi == 0 ? 0 : cut, hi = gi == 0 ? cut : ops.size();
    for (size_t i = lo; i < hi; ++i) {
      members.insert(leaf(ops[i]));
      for (xir::Op* c : b.consts().at(ops[i])) members.insert(leaf(c));
    }
    for (xir::Op* e : b.edge_ops()) members.insert(leaf(e)); /* compiled: upload / download (one DPU group) */
    xir::Subgraph* s = root->merge_children(members);
    s->set_name("subgraph_" + ops[lo]->get_name());
    if (dpu_count == 0) {
      s->set_attr<std::string>("device", "CPU");
      s->set_attr<std::map<std::string, std::string>>("runner", {{"ref", "libvart-cpu-runner.so"},
                                                                 {"run", "libvart-cpu-runner.so"}});
    } else {
      s->set_attr<std::string>("device", "DPU");
      // What vai_c_xir names the target (the `xir subgraph` tool prints it) and its op count.
      s->set_attr<std::string>("dpu_name", "DPUCZDX8G_ISA1_B4096");
      // and the fingerprint VART compares with the DPU's (type 1, ISA 1, feature code 0x16010407: docs/DOCTOR.md)
      s->set_attr<std::uint64_t>("dpu_fingerprint", 0x0101000016010407ULL);
      s->set_attr<std::uint64_t>("workload", 2 * b.macs(lo, hi));
      s->set_attr<std::map<std::string, std::string>>("runner", {{"run", "libvart-dpu-runner.so"},
                                                                 {"ref", "libvart-cpu-runner.so"}});
      if (b.compiled()) {
        // What vai_c_xir sets besides (read from Xilinx's compiled KITTI PointPillars for the same DPU): the DPU's
        // fingerprint, the sim runner, and the memory plan of the parameter blob REG_0 (weights and biases of
        // every const-fix op at its tensor's ddr_addr). No mc_code: these are not DPU instructions, so a DPU
        // runner cannot run the file (CPU runners can).
        s->set_attr<std::uint64_t>("dpu_fingerprint", 72339069383803911ull);
        s->set_attr<std::map<std::string, std::string>>(
            "runner",
            {{"run", "libvart-dpu-runner.so"}, {"ref", "libvart-cpu-runner.so"}, {"sim", "libvart-sim-runner.so"}});
        s->set_attr<std::map<std::string, std::vector<char>>>("reg_id_to_parameter_value", {{"REG_0", b.blob()}});
        s->set_attr<std::map<std::string, int>>("reg_id_to_size", {{"REG_0", static_cast<int>(b.blob().size())}});
        s->set_attr<std::map<std::string, std::string>>("reg_id_to_context_type",
                                                        {{"REG_0", "CONST"}, {"REG_2", "DATA"}, {"REG_3", "DATA"}});
        s->set_attr<std::map<std::string, std::string>>(
            "reg_id_to_context_type_v2", {{"REG_0", "CONST"}, {"REG_2", "INTERFACE"}, {"REG_3", "INTERFACE"}});
        s->set_attr<std::map<std::string, std::string>>("reg_id_to_hw_segment",
                                                        {{"REG_0", "W0"}, {"REG_2", "D0"}, {"REG_3", "D0"}});
      }
    }
  }
}

// The fix point of subgraph 0's output, as build_pfn picks it (DPU1's input copies it).
int pool_fix_point(const model_spec& m) {
  return plan_free(m.input_fp, kPfnInputM2, m.features, kPfnTarget).fp_out;
}

}  // namespace

model_spec spec_for(const std::string& size, const std::string& family) {
  model_spec m;
  m.size_name = size;
  m.family = family;
  if (family == "kitti") {
    // second.pytorch KITTI PointPillars (docs/KITTI.md): 4 floats a point, 3 classes x 2 rotations = 6 anchors a
    // cell, 7 box deltas; the DPU0 input fix point of Xilinx's compiled file (6).
    m.anchors = 6;
    m.classes = 3;
    m.box_code = 7;
    m.features = 4;
    m.input_fp = 6;
    if (size == "full") {  // pt_pointpillars_kitti_12000_100_10.8G as Xilinx's VoxelNet_int.xmodel has it: RPN
                           // layer_nums [3, 5, 5], strides [2, 2, 2], filters [32, 32, 64], upsample strides
                           // [1, 2, 4] to 3 x 64 channels (192 into the heads)
      m.pillars = 12000;
      m.slots = 100;
      m.pfn_channels = 64;
      m.canvas_h = 496;
      m.canvas_w = 432;
      m.stages = {{3, 32, 2, 1, 64}, {5, 32, 2, 2, 64}, {5, 64, 2, 4, 64}};
      const double r[6] = {0.0, -39.68, -3.0, 69.12, 39.68, 1.0};
      std::memcpy(m.point_cloud_range, r, sizeof r);
    } else if (size == "small") {  // 256 x 256 cells of 0.16 m (40.96 m ahead, +-20.48 m), 128 x 128 heads
      m.pillars = 6000;
      m.slots = 32;
      m.pfn_channels = 32;
      m.canvas_h = m.canvas_w = 256;
      m.stages = {{1, 32, 2, 1, 64}, {1, 64, 2, 2, 64}};
      const double r[6] = {0.0, -20.48, -3.0, 40.96, 20.48, 1.0};
      std::memcpy(m.point_cloud_range, r, sizeof r);
    } else {
      throw std::invalid_argument("unknown size '" + size + "' (expected small or full)");
    }
    const double v[3] = {0.16, 0.16, 4.0};
    std::memcpy(m.voxel_size, v, sizeof v);
    // anchor centres: the first cell centre of a stride-2 feature map (second.pytorch's anchor_generator_stride)
    const double a[4] = {m.point_cloud_range[0] + v[0], m.point_cloud_range[1] + v[1], 0.0, 0.0};
    std::memcpy(m.anchor_xy, a, sizeof a);
    return m;
  }
  if (family != "nuscenes") throw std::invalid_argument("unknown family '" + family + "' (expected nuscenes or kitti)");
  m.anchors = 14;
  m.classes = 10;
  m.box_code = 9;
  m.features = 5;
  if (size == "full") {
    m.pillars = 40000;
    m.slots = 64;
    m.pfn_channels = 64;
    m.canvas_h = m.canvas_w = 400;
    // The Model Zoo's pt_pointpillars_nuscenes_40000_64_108G: SECOND layer_nums [3, 5, 5], strides [2, 2, 2],
    // out_channels [64, 256, 256]; SECONDFPN in [64, 256, 256], upsample strides [1, 2, 4], out 3 x 128 (108.0 G-op).
    m.stages = {{3, 64, 2, 1, 128}, {5, 256, 2, 2, 128}, {5, 256, 2, 4, 128}};
    const double r[6] = {-50.0, -50.0, -5.0, 50.0, 50.0, 3.0};
    const double v[3] = {0.25, 0.25, 8.0};
    const double a[4] = {-49.6, -49.6, 49.6, 49.6};
    std::memcpy(m.point_cloud_range, r, sizeof r);
    std::memcpy(m.voxel_size, v, sizeof v);
    std::memcpy(m.anchor_xy, a, sizeof a);
  } else if (size == "small") {
    m.pillars = 12000;
    m.slots = 32;
    m.pfn_channels = 32;
    m.canvas_h = m.canvas_w = 256;
    m.stages = {{1, 32, 2, 1, 64}, {1, 64, 2, 2, 64}};
    const double r[6] = {-51.2, -51.2, -5.0, 51.2, 51.2, 3.0};
    const double v[3] = {0.4, 0.4, 8.0};
    const double a[4] = {-50.8, -50.8, 50.8, 50.8};
    std::memcpy(m.point_cloud_range, r, sizeof r);
    std::memcpy(m.voxel_size, v, sizeof v);
    std::memcpy(m.anchor_xy, a, sizeof a);
  } else {
    throw std::invalid_argument("unknown size '" + size + "' (expected small or full)");
  }
  return m;
}

std::unique_ptr<xir::Graph> build_graph(const model_spec& spec, int k, uint64_t seed, int dpu_count,
                                        subgraph_report* report, const trained_weights* tw) {
  builder b(k == 0 ? "pointpillars_pfn" : "pointpillars_backbone_head", seed, report);
  b.set_trained(tw);
  if (spec.form == "compiled") {
    if (dpu_count != 1) throw std::invalid_argument("--form compiled makes one DPU subgraph (--dpu-count 1)");
    b.set_compiled(true);
  } else if (spec.form != "pprt" && spec.form != "quantized") {
    throw std::invalid_argument("unknown form '" + spec.form + "' (expected pprt, compiled or quantized)");
  }
  int fp_canvas = pool_fix_point(spec) + spec.canvas_fp_shift;
  if (tw) {
    auto it = tw->layers.find("pts_voxel_encoder_pfn_layers_0_linear_fix");
    if (it == tw->layers.end()) throw std::runtime_error("weights file has no pillar layer");
    fp_canvas = it->second.fp_out;
  }
  if (k == 0)
    build_pfn(b, spec);
  else
    build_backbone(b, spec, fp_canvas);
  if (spec.form == "quantized") return quantized_graph(b.graph());  // unpartitioned, as the quantizer writes it
  partition(b, dpu_count);
  return b.take();
}

// Weights file (text, whitespace-separated tokens):
//   pprt-weights 1
//   input_fp N
//   widths PFN NSTAGES {EXTRA CH STRIDE UP_STRIDE UP_CH} x NSTAGES
//   layer NAME OC KH KW IC FP_W FP_B FP_OUT  then OC*KH*KW*IC weight ints, then OC bias ints   (repeated)
//   end
void load_weights(const std::string& path, model_spec* spec, trained_weights* tw) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read weights file " + path);
  auto bad = [&](const std::string& what) { return std::runtime_error("weights file " + path + ": " + what); };
  std::string tok;
  int version = 0;
  if (!(f >> tok >> version) || tok != "pprt-weights" || version != 1) throw bad("not a pprt-weights 1 file");
  auto read_int = [&](const std::string& what) {
    long v;
    if (!(f >> v) || v < -100000000 || v > 100000000) throw bad("bad or missing " + what);
    return static_cast<int>(v);
  };
  while (f >> tok) {
    if (tok == "end") return;
    if (tok == "input_fp") {
      tw->input_fp = read_int("input_fp");
    } else if (tok == "widths") {
      spec->pfn_channels = read_int("pfn width");
      const int n = read_int("stage count");
      if (n < 1 || n > 8 || spec->pfn_channels < 1) throw bad("bad widths");
      spec->stages.clear();
      for (int i = 0; i < n; ++i) {
        stage_spec st;
        st.extra_convs = read_int("extra convs");
        st.channels = read_int("channels");
        st.stride = read_int("stride");
        st.up_stride = read_int("up stride");
        st.up_channels = read_int("up channels");
        if (st.extra_convs < 0 || st.channels < 1 || st.stride < 1 || st.up_stride < 1 || st.up_channels < 1)
          throw bad("bad stage widths");
        spec->stages.push_back(st);
      }
    } else if (tok == "layer") {
      std::string name;
      if (!(f >> name)) throw bad("layer without a name");
      trained_layer L;
      for (int i = 0; i < 4; ++i) L.shape.push_back(read_int("shape of " + name));
      L.fp_w = read_int("fp_w of " + name);
      L.fp_b = read_int("fp_b of " + name);
      L.fp_out = read_int("fp_out of " + name);
      size_t nw = 1;
      for (int d : L.shape) {
        if (d < 1 || d > 65536) throw bad("bad shape of " + name);
        nw *= static_cast<size_t>(d);
      }
      L.w.resize(nw);
      L.b.resize(static_cast<size_t>(L.shape[0]));
      for (auto& v : L.w) {
        int x = read_int("weights of " + name);
        if (x < -128 || x > 127) throw bad("weight out of int8 range in " + name);
        v = static_cast<char>(x);
      }
      for (auto& v : L.b) {
        int x = read_int("bias of " + name);
        if (x < -128 || x > 127) throw bad("bias out of int8 range in " + name);
        v = static_cast<char>(x);
      }
      tw->layers[name] = std::move(L);
    } else {
      throw bad("unknown token '" + tok + "'");
    }
  }
  throw bad("missing 'end'");
}

}  // namespace pprt_gen
