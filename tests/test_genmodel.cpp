// pprt-genmodel: the generated pair has the compiled VAI-L layout, the contract's shapes and op types, seeded
// weights, and the --dpu-count test hooks make the broken layouts they promise. C++ because it reads XIR.
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <xir/graph/graph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>

#include "model/model_config.h"
extern "C" {
#include "testutil.h"
}

namespace {

const char* const kSmall0 = "pointpillars_nuscenes_small_0_pt";
const char* const kSmall1 = "pointpillars_nuscenes_small_1_pt";

std::string xmodel_path(const std::string& dir, const std::string& name) {
  return dir + "/" + name + "/" + name + ".xmodel";
}

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

// Run pprt-genmodel with the given arguments; returns the exit status, output in *out.
int genmodel(std::vector<std::string> args, std::string* out = nullptr) {
  args.insert(args.begin(), PPRT_GENMODEL_EXE);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  static char buf[1 << 16];
  int rc = pprt_test_run(argv.data(), buf, sizeof buf);
  if (out) *out = buf;
  if (rc != 0 && rc != 1 && rc != 2) std::fprintf(stderr, "pprt-genmodel exited %d:\n%s\n", rc, buf);
  return rc;
}

// Generate into a fresh work subfolder (small), returns its path; empty on failure.
std::string gen_small(const std::string& sub, const std::vector<std::string>& extra) {
  const std::string dir = pprt_test_work(sub.c_str());
  std::vector<std::string> args = {"--size", "small", "--out", dir, "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return genmodel(args) == 0 ? dir : std::string();
}

std::map<std::string, std::vector<char>> const_data(const xir::Graph* g) {
  std::map<std::string, std::vector<char>> m;
  for (const xir::Op* op : g->get_ops())
    if (op->get_type() == "const-fix") m[op->get_name()] = op->get_attr<std::vector<char>>("data");
  return m;
}

std::vector<const xir::Subgraph*> children(const xir::Graph* g) {
  return g->get_root_subgraph()->children_topological_sort();
}

std::vector<const xir::Subgraph*> with_device(const xir::Graph* g, const std::string& dev) {
  std::vector<const xir::Subgraph*> v;
  for (const xir::Subgraph* s : children(g))
    if (s->has_attr("device") && s->get_attr<std::string>("device") == dev) v.push_back(s);
  return v;
}

bool tensor_fix_ok(const xir::Tensor* t) {
  return t->get_data_type() == xir::DataType{xir::DataType::XINT, 8} && t->has_attr("fix_point") &&
         t->has_attr("bit_width") && t->get_attr<int>("bit_width") == 8 && t->has_attr("if_signed") &&
         t->get_attr<bool>("if_signed") && t->has_attr("round_mode") &&
         t->get_attr<std::string>("round_mode") == "DPU_ROUND";
}

const xir::Tensor* find_output(const xir::Subgraph* s, const std::string& key) {
  for (const xir::Tensor* t : s->get_output_tensors())
    if (t->get_name().find(key) != std::string::npos) return t;
  return nullptr;
}

// The common layout checks of a valid model: one USER child holding the data-fix, one DPU child with the
// runner map holding every other op; every tensor int8 with fix attributes. Returns the DPU child.
const xir::Subgraph* check_layout(const xir::Graph* g) {
  const auto kids = children(g);
  CU_ASSERT_EQUAL_FATAL(kids.size(), 2u);
  const auto dpu = with_device(g, "DPU");
  const auto user = with_device(g, "USER");
  CU_ASSERT_EQUAL_FATAL(dpu.size(), 1u);
  CU_ASSERT_EQUAL_FATAL(user.size(), 1u);
  CU_ASSERT_TRUE_FATAL(dpu[0]->has_attr("runner"));
  const auto runner = dpu[0]->get_attr<std::map<std::string, std::string>>("runner");
  CU_ASSERT_EQUAL(runner.count("run"), 1u);
  CU_ASSERT_EQUAL(runner.count("ref"), 1u);
  if (runner.count("run")) CU_ASSERT_STRING_EQUAL(runner.at("run").c_str(), "libvart-dpu-runner.so");
  if (runner.count("ref")) CU_ASSERT_STRING_EQUAL(runner.at("ref").c_str(), "libvart-cpu-runner.so");
  CU_ASSERT_EQUAL(user[0]->get_op_num(), 1);
  for (const xir::Op* op : user[0]->get_ops()) CU_ASSERT_STRING_EQUAL(op->get_type().c_str(), "data-fix");
  CU_ASSERT_EQUAL(dpu[0]->get_op_num() + 1, g->get_op_num());
  for (const xir::Tensor* t : g->get_tensors()) CU_ASSERT_TRUE(tensor_fix_ok(t));
  CU_ASSERT_EQUAL(dpu[0]->get_input_tensors().size(), 1u);
  return dpu[0];
}

std::multiset<std::string> op_types(const xir::Subgraph* s) {
  std::multiset<std::string> t;
  for (const xir::Op* op : s->get_ops()) t.insert(op->get_type());
  return t;
}

void test_fixture_files(void) {
  const std::string dir = pprt_test_work("small");
  for (const char* n : {kSmall0, kSmall1}) {
    CU_ASSERT_TRUE(exists(xmodel_path(dir, n)));
    CU_ASSERT_TRUE(exists(dir + "/" + n + "/" + n + ".prototxt"));
  }
}

void test_subgraph0(void) {
  auto g = xir::Graph::deserialize(xmodel_path(pprt_test_work("small"), kSmall0));
  const xir::Subgraph* dpu = check_layout(g.get());
  const xir::Tensor* in = *dpu->get_input_tensors().begin();
  CU_ASSERT_TRUE(in->get_shape() == (std::vector<int>{1, 12000, 32, 5}));
  CU_ASSERT_EQUAL(in->get_attr<int>("fix_point"), 7);
  const auto outs = dpu->get_output_tensors();
  CU_ASSERT_EQUAL_FATAL(outs.size(), 1u);
  CU_ASSERT_TRUE((*outs.begin())->get_shape() == (std::vector<int>{1, 12000, 1, 32}));
  const auto types = op_types(dpu);
  CU_ASSERT_EQUAL(types.count("conv2d-fix"), 1u);
  CU_ASSERT_EQUAL(types.count("pool-fix"), 1u);
  CU_ASSERT_EQUAL(types.count("const-fix"), 2u);
  CU_ASSERT_EQUAL(types.size(), 4u);
  for (const xir::Op* op : dpu->get_ops()) {
    if (op->get_type() == "pool-fix") {
      CU_ASSERT_STRING_EQUAL(op->get_attr<std::string>("type").c_str(), "MAX");
      CU_ASSERT_TRUE(op->get_attr<std::vector<int>>("kernel") == (std::vector<int>{32, 1}));
      CU_ASSERT_TRUE(op->get_attr<std::vector<int>>("stride") == (std::vector<int>{32, 1}));
      // the max keeps the conv's fix point
      CU_ASSERT_EQUAL(op->get_output_tensor()->get_attr<int>("fix_point"),
                      op->get_input_tensor("input")->get_attr<int>("fix_point"));
    } else if (op->get_type() == "conv2d-fix") {
      CU_ASSERT_STRING_EQUAL(op->get_attr<std::string>("nonlinear").c_str(), "RELU");
      CU_ASSERT_TRUE(op->get_attr<std::vector<int>>("kernel") == (std::vector<int>{1, 1}));
      CU_ASSERT_TRUE(op->get_input_tensor("weights")->get_shape() == (std::vector<int>{32, 1, 1, 5}));
      CU_ASSERT_TRUE(op->get_input_tensor("bias")->get_shape() == (std::vector<int>{32}));
    }
  }
}

void test_subgraph1(void) {
  const std::string dir = pprt_test_work("small");
  auto g0 = xir::Graph::deserialize(xmodel_path(dir, kSmall0));
  auto g = xir::Graph::deserialize(xmodel_path(dir, kSmall1));
  const xir::Subgraph* dpu = check_layout(g.get());
  const xir::Tensor* in = *dpu->get_input_tensors().begin();
  CU_ASSERT_TRUE(in->get_shape() == (std::vector<int>{1, 256, 256, 32}));
  // the canvas is a copy of DPU0's output
  const xir::Tensor* out0 = *with_device(g0.get(), "DPU")[0]->get_output_tensors().begin();
  CU_ASSERT_EQUAL(in->get_attr<int>("fix_point"), out0->get_attr<int>("fix_point"));

  CU_ASSERT_EQUAL(dpu->get_output_tensors().size(), 3u);
  const xir::Tensor* cls = find_output(dpu, "conv_cls");
  const xir::Tensor* reg = find_output(dpu, "conv_reg");
  const xir::Tensor* dir_t = find_output(dpu, "conv_dir_cls");
  CU_ASSERT_PTR_NOT_NULL_FATAL(cls);
  CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dir_t);
  CU_ASSERT_TRUE(cls != dir_t);
  CU_ASSERT_TRUE(cls->get_shape() == (std::vector<int>{1, 128, 128, 140}));
  CU_ASSERT_TRUE(reg->get_shape() == (std::vector<int>{1, 128, 128, 126}));
  CU_ASSERT_TRUE(dir_t->get_shape() == (std::vector<int>{1, 128, 128, 28}));

  const auto types = op_types(dpu);
  CU_ASSERT_EQUAL(types.count("conv2d-fix"), 4u + 3u);
  CU_ASSERT_EQUAL(types.count("transposed-conv2d-fix"), 2u);
  CU_ASSERT_EQUAL(types.count("concat-fix"), 1u);
  CU_ASSERT_EQUAL(types.count("const-fix"), 2u * 9u);
  CU_ASSERT_EQUAL(types.size(), 7u + 2u + 1u + 18u);
  for (const xir::Op* op : dpu->get_ops()) {
    const std::string t = op->get_type();
    if (t == "conv2d-fix" || t == "transposed-conv2d-fix") {
      const bool head = op->get_fanout_num() == 0;
      CU_ASSERT_STRING_EQUAL(op->get_attr<std::string>("nonlinear").c_str(), head ? "NONE" : "RELU");
      const auto w = op->get_input_tensor("weights")->get_shape();
      const auto k = op->get_attr<std::vector<int>>("kernel");
      CU_ASSERT_EQUAL(w.size(), 4u);
      CU_ASSERT_TRUE(w.size() == 4 && w[1] == k[1] && w[2] == k[0] &&
                     w[3] == op->get_input_tensor("input")->get_shape()[3] &&
                     w[0] == op->get_output_tensor()->get_shape()[3]);
      CU_ASSERT_TRUE(op->get_input_tensor("bias")->get_shape() == (std::vector<int>{w[0]}));
    } else if (t == "concat-fix") {
      CU_ASSERT_EQUAL(op->get_attr<int>("axis"), 3);
      CU_ASSERT_TRUE(op->get_output_tensor()->get_shape() == (std::vector<int>{1, 128, 128, 128}));
    }
  }
}

void test_weights_seeded(void) {
  const std::string dir = pprt_test_work("small");
  const std::string again = gen_small("genmodel_seed1", {"--seed", "1"});
  const std::string other = gen_small("genmodel_seed2", {"--seed", "2"});
  CU_ASSERT_FALSE_FATAL(again.empty());
  CU_ASSERT_FALSE_FATAL(other.empty());
  for (const char* n : {kSmall0, kSmall1}) {
    auto a = const_data(xir::Graph::deserialize(xmodel_path(dir, n)).get());
    auto b = const_data(xir::Graph::deserialize(xmodel_path(again, n)).get());
    auto c = const_data(xir::Graph::deserialize(xmodel_path(other, n)).get());
    CU_ASSERT_TRUE(a.size() >= 2);
    CU_ASSERT_TRUE(a == b);
    CU_ASSERT_EQUAL(a.size(), c.size());
    for (const auto& kv : a) {
      CU_ASSERT_EQUAL(c.count(kv.first), 1u);
      if (c.count(kv.first)) CU_ASSERT_TRUE(kv.second != c.at(kv.first));
    }
  }
}

// Weights use the int8 range, are not constant, and are seeded per op (no two weight tensors alike).
void test_weights_spread(void) {
  auto g = xir::Graph::deserialize(xmodel_path(pprt_test_work("small"), kSmall1));
  for (const auto& kv : const_data(g.get())) {
    if (kv.first.find("_weights") == std::string::npos) continue;
    int lo = 127, hi = -128;
    double s2 = 0;
    for (char v : kv.second) {
      lo = std::min(lo, static_cast<int>(static_cast<signed char>(v)));
      hi = std::max(hi, static_cast<int>(static_cast<signed char>(v)));
      s2 += static_cast<double>(static_cast<signed char>(v)) * static_cast<signed char>(v);
    }
    const double rms = std::sqrt(s2 / static_cast<double>(kv.second.size()));
    CU_ASSERT_TRUE(lo < -60 && hi > 60);
    CU_ASSERT_TRUE(rms > 30 && rms < 80);
  }
}

void test_dpu_count_0(void) {
  const std::string dir = gen_small("genmodel_dpu0", {"--dpu-count", "0"});
  CU_ASSERT_FALSE_FATAL(dir.empty());
  for (const char* n : {kSmall0, kSmall1}) {
    auto g = xir::Graph::deserialize(xmodel_path(dir, n));
    CU_ASSERT_EQUAL(with_device(g.get(), "DPU").size(), 0u);
    CU_ASSERT_EQUAL(with_device(g.get(), "USER").size(), 1u);
    CU_ASSERT_EQUAL(with_device(g.get(), "CPU").size(), 1u);
    CU_ASSERT_EQUAL(children(g.get()).size(), 2u);
  }
}

void test_dpu_count_2(void) {
  const std::string dir = gen_small("genmodel_dpu2", {"--dpu-count", "2"});
  CU_ASSERT_FALSE_FATAL(dir.empty());
  for (const char* n : {kSmall0, kSmall1}) {
    auto g = xir::Graph::deserialize(xmodel_path(dir, n));
    const auto dpu = with_device(g.get(), "DPU");
    CU_ASSERT_EQUAL_FATAL(dpu.size(), 2u);
    CU_ASSERT_EQUAL(with_device(g.get(), "USER").size(), 1u);
    CU_ASSERT_EQUAL(dpu[0]->get_op_num() + dpu[1]->get_op_num() + 1, g->get_op_num());
    for (const auto* s : dpu) {
      CU_ASSERT_TRUE(s->has_attr("runner"));
      CU_ASSERT_TRUE(op_types(s).size() > op_types(s).count("const-fix"));
    }
  }
}

void test_names_and_sizes(void) {
  const std::string dir = gen_small("genmodel_names", {"--name0", "a0", "--name1", "b1"});
  CU_ASSERT_FALSE_FATAL(dir.empty());
  CU_ASSERT_TRUE(exists(xmodel_path(dir, "a0")));
  CU_ASSERT_TRUE(exists(xmodel_path(dir, "b1")));
  size_t len = 0;
  char* text = static_cast<char*>(pprt_test_read_file((dir + "/b1/b1.prototxt").c_str(), &len));
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  const std::string p(text, len);
  free(text);
  CU_ASSERT_TRUE(p.find("name: \"b1\"") != std::string::npos);
  CU_ASSERT_TRUE(p.find("model_type : POINTPILLARS_NUS") != std::string::npos);
  CU_ASSERT_TRUE(p.find("featmap_size: 128\n    featmap_size: 128\n") != std::string::npos);
  CU_ASSERT_TRUE(p.find("max_voxels_num: 12000") != std::string::npos);
  CU_ASSERT_TRUE(p.find("max_points_num: 32") != std::string::npos);
  CU_ASSERT_TRUE(p.find("voxel_size") == std::string::npos);  // not a field of VAI-L's schema
  CU_ASSERT_TRUE(p.find("in_channels: 32\n") != std::string::npos);  // DPU0's output channels
  // the small grid (0.4 m over +-51.2) is not VAI-L's: it goes in pprt's settings file next to the prototxt
  text = static_cast<char*>(pprt_test_read_file((dir + "/a0/a0.pprt").c_str(), &len));
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  const std::string st(text, len);
  free(text);
  CU_ASSERT_TRUE(st.find("voxel_size: 0.4\nvoxel_size: 0.4\nvoxel_size: 8.0\n") != std::string::npos);
  CU_ASSERT_TRUE(st.find("voxel_range: -51.2\n") != std::string::npos);
  CU_ASSERT_TRUE(p.find("single_range: -50.8\n") != std::string::npos);
  CU_ASSERT_TRUE(p.find("single_size: 12.0132069") != std::string::npos);
  CU_ASSERT_TRUE(p.find("score_layer_name: \"conv_cls\"") != std::string::npos);
  CU_ASSERT_TRUE(p.find("dir_layer_name: \"conv_dir_cls\"") != std::string::npos);
  size_t ranges = 0, sizes = 0;
  for (size_t at = 0; (at = p.find("ranges {", at)) != std::string::npos; ++at) ++ranges;
  for (size_t at = 0; (at = p.find("sizes {", at)) != std::string::npos; ++at) ++sizes;
  CU_ASSERT_EQUAL(ranges, 7u);
  CU_ASSERT_EQUAL(sizes, 7u);
}

// The runtime's prototxt reader accepts both folders' files and reads the generated values back.
void test_prototxt_parses(void) {
  const std::string dir = pprt_test_work("small");
  for (const char* n : {kSmall0, kSmall1}) {
    const std::string path = dir + "/" + n + "/" + n + ".prototxt";
    struct pprt_model_config cfg;
    struct pprt_err err;
    std::memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL_FATAL(pprt_model_config_load(path.c_str(), &cfg, &err), PPRT_STATUS_OK);
    CU_ASSERT_EQUAL(pprt_model_config_validate(&cfg, path.c_str(), &err), PPRT_STATUS_OK);
    CU_ASSERT_STRING_EQUAL(cfg.name, n);
    CU_ASSERT_EQUAL(cfg.max_voxels_num, 12000u);
    CU_ASSERT_EQUAL(cfg.max_points_num, 32u);
    CU_ASSERT_EQUAL(cfg.in_channels, 32u);
    CU_ASSERT_EQUAL(cfg.featmap_size[0], 128u);
    CU_ASSERT_EQUAL(cfg.featmap_size[1], 128u);
    CU_ASSERT_EQUAL(cfg.anchor.num_ranges, 7u);
    CU_ASSERT_EQUAL(cfg.anchor.num_sizes, 7u);
    CU_ASSERT_EQUAL(cfg.anchor.num_rotations, 2u);
    CU_ASSERT_EQUAL(cfg.num_classes, 10u);
    CU_ASSERT_EQUAL(cfg.voxel_size[0], 0.4f);
    CU_ASSERT_EQUAL(cfg.voxel_range[3], 51.2f);
    CU_ASSERT_EQUAL(cfg.point_cloud_range[3], 51.2f);
    CU_ASSERT_EQUAL(cfg.anchor.ranges[2][2], -1.68526504f);
    CU_ASSERT_STRING_EQUAL(cfg.bbox_layer_name, "conv_reg");
  }
}

// --form compiled: vai_c_xir's layout. Every const-fix op has empty data and its bytes sit in the DPU subgraph's
// REG_0 blob at its tensor's ddr_addr, equal to the pprt form's data for the same seed; upload after the input,
// download before each output, the subgraph attributes vai_c_xir sets. (test_golden runs it through the pipeline.)
void test_form_compiled(void) {
  const std::string dir = gen_small("genmodel_compiled", {"--form", "compiled"});
  CU_ASSERT_FALSE_FATAL(dir.empty());
  for (int k = 0; k < 2; ++k) {
    const char* n = k == 0 ? kSmall0 : kSmall1;
    auto gc = xir::Graph::deserialize(xmodel_path(dir, n));
    auto gp = xir::Graph::deserialize(xmodel_path(pprt_test_work("small"), n));
    const auto dpu = with_device(gc.get(), "DPU");
    CU_ASSERT_EQUAL_FATAL(dpu.size(), 1u);
    const xir::Subgraph* s = dpu[0];
    CU_ASSERT_TRUE(s->get_attr<std::string>("dpu_name") == "DPUCZDX8G_ISA1_B4096");
    CU_ASSERT_EQUAL(s->get_attr<std::uint64_t>("dpu_fingerprint"), 72339069383803911ull);
    CU_ASSERT_FALSE(s->has_attr("mc_code"));  // no DPU instructions: not runnable on a DPU
    const auto params = s->get_attr<std::map<std::string, std::vector<char>>>("reg_id_to_parameter_value");
    CU_ASSERT_EQUAL_FATAL(params.count("REG_0"), 1u);
    const std::vector<char>& blob = params.at("REG_0");
    using int_map = std::map<std::string, int>;
    using str_map = std::map<std::string, std::string>;
    CU_ASSERT_EQUAL(s->get_attr<int_map>("reg_id_to_size").at("REG_0"), static_cast<int>(blob.size()));
    CU_ASSERT_TRUE(s->get_attr<str_map>("reg_id_to_context_type").at("REG_0") == "CONST");
    const auto want = const_data(gp.get());
    size_t consts = 0, bytes = 0;
    for (const xir::Op* op : gc->get_ops()) {
      if (op->get_type() != "const-fix") continue;
      ++consts;
      CU_ASSERT_TRUE(op->get_attr<std::vector<char>>("data").empty());
      const xir::Tensor* t = op->get_output_tensor();
      CU_ASSERT_EQUAL(t->get_attr<int>("reg_id"), 0);
      const int addr = t->get_attr<int>("ddr_addr");
      const size_t len = static_cast<size_t>(t->get_element_num());
      CU_ASSERT_FATAL(addr >= 0 && static_cast<size_t>(addr) + len <= blob.size());
      CU_ASSERT_TRUE(std::vector<char>(blob.begin() + addr, blob.begin() + addr + static_cast<long>(len)) ==
                     want.at(op->get_name()));
      bytes += len;
    }
    CU_ASSERT_EQUAL(consts, want.size());
    CU_ASSERT_EQUAL(bytes, blob.size());
    size_t up = 0, down = 0;
    for (const xir::Op* op : gc->get_ops()) {
      if (op->get_type() == "upload") {
        ++up;
        CU_ASSERT_TRUE(op->get_input_ops("input").at(0)->get_type() == "data-fix");
      }
      if (op->get_type() == "download") ++down;
    }
    CU_ASSERT_EQUAL(up, 1u);
    CU_ASSERT_EQUAL(down, k == 0 ? 1u : 3u);
    for (const xir::Tensor* t : s->get_output_tensors())
      CU_ASSERT_TRUE(t->get_producer()->get_type() == "download");
  }
}

// --form quantized: the quantizer's *_int.xmodel layout (no subgraphs; float const + fix; conv2d (+ relu) + fix;
// reduction_max + fix; the deconvs feed the concat unfixed and the concat's fix fixes them). Every float constant,
// times 2^fix_point of the fix after it, is the pprt form's int8 value for the same seed, and every fix point of the
// pprt form's ops reappears on the fix op of the same name.
void test_form_quantized(void) {
  const std::string dir = gen_small("genmodel_quantized", {"--form", "quantized"});
  CU_ASSERT_FALSE_FATAL(dir.empty());
  for (int k = 0; k < 2; ++k) {
    const char* n = k == 0 ? kSmall0 : kSmall1;
    auto gq = xir::Graph::deserialize(xmodel_path(dir, n));
    auto gp = xir::Graph::deserialize(xmodel_path(pprt_test_work("small"), n));
    CU_ASSERT_TRUE(gq->get_root_subgraph()->is_leaf());  // unpartitioned
    const auto want = const_data(gp.get());
    size_t consts = 0;
    std::map<std::string, int> types;
    for (const xir::Op* op : gq->get_ops()) {
      ++types[op->get_type()];
      CU_ASSERT_FALSE(op->get_type().find("-fix") != std::string::npos);  // no DPU (*-fix) op yet
      if (op->get_type() != "const") continue;
      ++consts;
      const auto fanout = op->get_fanout_ops();
      CU_ASSERT_EQUAL_FATAL(fanout.size(), 1u);
      const xir::Op* fx = *fanout.begin();
      CU_ASSERT_TRUE(fx->get_type() == "fix");
      const int fp = fx->get_attr<int>("fix_point");
      const std::vector<char> bytes = op->get_attr<std::vector<char>>("data");
      const std::vector<char>& q = want.at(op->get_name());
      CU_ASSERT_EQUAL_FATAL(bytes.size(), q.size() * sizeof(float));
      size_t bad = 0;
      for (size_t i = 0; i < q.size(); ++i) {
        float v;
        std::memcpy(&v, bytes.data() + i * sizeof v, sizeof v);
        if (std::ldexp(v, fp) != static_cast<float>(static_cast<signed char>(q[i]))) ++bad;
      }
      CU_ASSERT_EQUAL(bad, 0u);
    }
    CU_ASSERT_EQUAL(consts, want.size());
    CU_ASSERT_EQUAL(types["data"], 1);
    for (const xir::Op* op : gp->get_ops()) {  // each int8 op's fix point is on the fix of the same name
      if (op->get_type() == "const-fix") continue;
      const xir::Op* fx = gq->get_op(op->get_name());
      if (op->get_type() == "transposed-conv2d-fix" && fx == nullptr) continue;  // fixed by the concat's fix
      CU_ASSERT_PTR_NOT_NULL_FATAL(fx);
      CU_ASSERT_TRUE(fx->get_type() == "fix");
      CU_ASSERT_EQUAL(fx->get_attr<int>("fix_point"), op->get_output_tensor()->get_attr<int>("fix_point"));
    }
    if (k == 0) {
      CU_ASSERT_EQUAL(types["reduction_max"], 1);
    } else {
      CU_ASSERT_EQUAL(types["concat"], 1);
      CU_ASSERT_EQUAL(types["transposed-conv2d"], 2);
      for (const xir::Op* op : gq->get_ops())
        if (op->get_type() == "concat")
          for (const xir::Op* in : op->get_input_ops("input")) CU_ASSERT_TRUE(in->get_type() == "relu");
    }
  }
}

void test_bad_arguments(void) {
  const std::string dir = pprt_test_work("genmodel_bad");
  std::string out;
  CU_ASSERT_EQUAL(genmodel({"--out", dir}, &out), 2);
  CU_ASSERT_TRUE(out.find("--size") != std::string::npos);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--form", "quantised", "--out", dir}, &out), 2);
  CU_ASSERT_TRUE(out.find("quantised") != std::string::npos);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--form", "compiled", "--dpu-count", "2", "--out", dir}, &out), 1);
  CU_ASSERT_TRUE(out.find("--dpu-count 1") != std::string::npos);
  CU_ASSERT_EQUAL(genmodel({"--size", "medium", "--out", dir}, &out), 2);
  CU_ASSERT_TRUE(out.find("medium") != std::string::npos);
  CU_ASSERT_EQUAL(genmodel({"--size", "small"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--dpu-count", "3"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--seed", "-1"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--seed"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--name0", "a/b"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--name0", "x", "--name1", "x"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", dir, "--bogus"}, &out), 2);
  CU_ASSERT_EQUAL(genmodel({"--help"}, &out), 0);
  CU_ASSERT_TRUE(out.find("usage:") != std::string::npos);
  // --out below a regular file: a clear error, exit 1, no XIR abort
  const std::string file = pprt_test_work("genmodel_plain_file");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(file.c_str(), "x", 1), 0);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", file + "/sub"}, &out), 1);
  CU_ASSERT_TRUE(out.find("not a directory") != std::string::npos);
  CU_ASSERT_EQUAL(genmodel({"--size", "small", "--out", file}, &out), 1);
}

}  // namespace

int main(void) {
  static const struct pprt_test_case cases[] = {
      {"fixture files", test_fixture_files},
      {"subgraph 0 layout, shapes, ops", test_subgraph0},
      {"subgraph 1 layout, shapes, ops", test_subgraph1},
      {"same seed same weights, other seed other weights", test_weights_seeded},
      {"weights spread over int8", test_weights_spread},
      {"--dpu-count 0: no DPU child", test_dpu_count_0},
      {"--dpu-count 2: two DPU children", test_dpu_count_2},
      {"names and prototxt", test_names_and_sizes},
      {"prototxt parses with the runtime reader", test_prototxt_parses},
      {"--form compiled: vai_c_xir's layout", test_form_compiled},
      {"--form quantized: the quantizer's layout", test_form_quantized},
      {"bad arguments", test_bad_arguments},
      {nullptr, nullptr},
  };
  return pprt_test_main("genmodel", cases);
}
