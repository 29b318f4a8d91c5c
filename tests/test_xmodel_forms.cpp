// The xmodel forms Xilinx's tools write, on pprt's CPU runner plugin (docs/XMODEL-FORMS.md), with Xilinx's real KITTI
// PointPillars files (PPRT_SHARED_DATA_DIR/xilinx-pointpillars-kitti, ../shared/data beside the repo; the cases
// skip, saying so, when that folder is absent):
//  - the compiled form (vai_c_xir): both DPU subgraphs run through `pprt check`; the weights the plugin reads from
//    reg_id_to_parameter_value at each tensor's ddr_addr are the quantizer's float weights quantized with their
//    fix points (an independent source of the same numbers); a broken blob, ddr_addr, reg_id or upload is refused
//    at runner creation with a message naming the op or tensor and what was expected.
//  - the quantized form (vai_q_pytorch's VoxelNet_int.xmodel, not partitioned): pprt partitions it into the same two
//    DPU subgraphs, and on the same seeded int8 input every DPU op's output is identical to the compiled form's.
//    Ops are mapped by name: a compiled `*-fix` op (conv2d-fix, transposed-conv2d-fix, pool-fix, concat-fix) has the
//    name of the quantizer's op that heads the chain it was fused from (conv2d [-> relu] -> fix, reduction_max ->
//    fix, concat -> fix); the plugin reports each chain under its first op (pprt_cpu_runner_op). upload / download
//    (compiled only) are not DPU arithmetic and are left out.
//  - `pprt inspect` on the real files, on the generated small model pair (a model folder, the two Model Zoo folders,
//    one of them) and on bad input.
#include <dlfcn.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#include <vart/runner.hpp>
#include <vart/runner_ext.hpp>
#include <xir/attrs/attrs.hpp>
#include <xir/graph/graph.hpp>
#include <xir/graph/subgraph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>

#include "model/xmodel.hpp"
extern "C" {
#include "testutil.h"
}

namespace {

using blob_map = std::map<std::string, std::vector<char>>;

const std::string kKitti = std::string(PPRT_SHARED_DATA_DIR) + "/xilinx-pointpillars-kitti";
const std::string kCompiled = kKitti + "/pointpillars_custom_op.xmodel";
const std::string kQuantized = kKitti + "/VoxelNet_int.xmodel";
const char* const kDpu0 =
    "subgraph_VoxelNet__VoxelNet_PillarFeatureNet_voxel_feature_extractor__PFNLayer_pfn_layers__ModuleList_0__Conv2d_"
    "conv__input_2";
const char* const kDpu1 = "subgraph_VoxelNet__VoxelNet_RPN_rpn__Cat_cat__input";

bool have_kitti() {
  struct stat st;
  if (stat(kCompiled.c_str(), &st) == 0 && stat(kQuantized.c_str(), &st) == 0) return true;
  std::printf("\n  SKIPPED: %s is absent (Xilinx's KITTI xmodels; configure with -DPPRT_SHARED_DATA_DIR=...)\n",
              kKitti.c_str());
  return false;
}

xir::Subgraph* dpu_subgraph(xir::Graph* g, const std::string& name) {
  for (xir::Subgraph* c : g->get_root_subgraph()->get_children())
    if (c->get_name() == name) return c;
  throw std::runtime_error("no subgraph " + name);
}

// Create the plugin's runner for sg through VART, as pprt does; "" on success, else the exception's message.
std::string create_error(const xir::Subgraph* sg) {
  try {
    auto attrs = xir::Attrs::create();
    attrs->set_attr<std::map<std::string, std::string>>("lib", {{"DPU", PPRT_CPU_RUNNER_LIB}});
    auto r = vart::Runner::create_runner_with_attrs(sg, attrs.get());
    return r ? "" : "no runner";
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return true;
  std::printf("\n  message \"%s\" lacks \"%s\"\n", s.c_str(), part.c_str());
  return false;
}

// VART's DPU_ROUND (round half toward +infinity) of x * 2^fp, saturated to int8: what the fix op after a
// quantizer's float const computes.
int8_t fix_dpu_round(float x, int fp) {
  float v = x * std::ldexp(1.0f, fp);
  float r = v >= 0 ? std::round(v) : (v - std::floor(v) == 0.5f ? std::ceil(v) : std::round(v));
  return static_cast<int8_t>(std::fmin(127.0f, std::fmax(-128.0f, r)));
}

using tensor_fn = const int8_t* (*)(vart::Runner*, const char*, size_t*);
using op_fn = int (*)(vart::Runner*, size_t, const char**, const char**, const char**, double*, uint64_t*);

std::unique_ptr<vart::Runner> make_runner(const xir::Subgraph* sg) {
  auto attrs = xir::Attrs::create();
  attrs->set_attr<std::map<std::string, std::string>>("lib", {{"DPU", PPRT_CPU_RUNNER_LIB}});
  return vart::Runner::create_runner_with_attrs(sg, attrs.get());
}

// ---- compiled form ----

void test_compiled_runs_through_pprt_check(void) {
  if (!have_kitti()) return;
  auto g = xir::Graph::deserialize(kCompiled);
  for (int k = 0; k < 2; ++k) {
    const char* name = k == 0 ? kDpu0 : kDpu1;
    const std::string dump = pprt_test_work(k == 0 ? "kitti_check0" : "kitti_check1");
    std::string cmd_sg = name;
    // pprt-check itself (what `pprt check` execs): under qemu user emulation an aarch64 pprt cannot exec another
    // aarch64 program (no binfmt_misc), so the test runs the checker the way ctest runs every test program.
    char* argv[] = {const_cast<char*>(PPRT_CHECK_EXE), const_cast<char*>("--subgraph"),
                    &cmd_sg[0], const_cast<char*>("--dump"), const_cast<char*>(dump.c_str()),
                    const_cast<char*>(kCompiled.c_str()), nullptr};
    static char out[1 << 16];
    int rc = pprt_test_run(argv, out, sizeof out);
    if (rc != 0) std::printf("\n  pprt check --subgraph %s: exit %d\n%s\n", name, rc, out);
    CU_ASSERT_EQUAL(rc, 0);
    // Every op of the subgraph has written its whole output tensor.
    size_t ops = 0;
    for (const xir::Op* op : dpu_subgraph(g.get(), name)->topological_sort()) {
      if (op->get_type() == "const-fix") continue;
      std::string f = op->get_name();  // pprt-check's dump name: path characters become '_'
      for (char& c : f)
        if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
      f = dump + "/" + f + ".bin";
      size_t len = 0;
      void* d = pprt_test_read_file(f.c_str(), &len);
      CU_ASSERT_PTR_NOT_NULL(d);
      CU_ASSERT_EQUAL(len, static_cast<size_t>(op->get_output_tensor()->get_element_num()));
      std::free(d);
      ++ops;
    }
    CU_ASSERT_EQUAL(ops, k == 0 ? 4u : 27u);  // upload, conv, pool, download / upload, 23 DPU ops, 3 downloads
  }
}

void test_compiled_weights_are_the_quantizers(void) {
  if (!have_kitti()) return;
  auto gc = xir::Graph::deserialize(kCompiled);
  auto gq = xir::Graph::deserialize(kQuantized);
  size_t consts = 0, bytes = 0;
  for (const char* name : {kDpu0, kDpu1}) {
    const xir::Subgraph* sg = dpu_subgraph(gc.get(), name);
    auto params = sg->get_attr<blob_map>("reg_id_to_parameter_value");
    for (const xir::Op* op : sg->get_ops()) {
      if (op->get_type() != "const-fix") continue;
      const xir::Tensor* t = op->get_output_tensor();
      CU_ASSERT_TRUE(op->get_attr<std::vector<char>>("data").empty());
      const std::vector<char>& blob = params.at("REG_" + std::to_string(t->get_attr<int>("reg_id")));
      const size_t addr = static_cast<size_t>(t->get_attr<int>("ddr_addr")), n = static_cast<size_t>(t->get_element_num());
      CU_ASSERT_FATAL(addr + n <= blob.size());
      // The quantizer's form: const (float32) -> fix named like the compiled tensor.
      const xir::Op* fix = gq->get_op(t->get_name());
      CU_ASSERT_PTR_NOT_NULL_FATAL(fix);
      CU_ASSERT_STRING_EQUAL(fix->get_type().c_str(), "fix");
      const int fp = fix->get_attr<int>("fix_point");
      CU_ASSERT_EQUAL(fp, t->get_attr<int>("fix_point"));
      const xir::Op* c = fix->get_input_op("input");
      auto fdata = c->get_attr<std::vector<char>>("data");
      CU_ASSERT_EQUAL_FATAL(fdata.size(), 4 * n);
      size_t diff = 0;
      for (size_t i = 0; i < n; ++i) {
        float x;
        std::memcpy(&x, fdata.data() + 4 * i, 4);
        diff += fix_dpu_round(x, fp) != static_cast<int8_t>(blob[addr + i]);
      }
      if (diff) std::printf("\n  %s: %zu of %zu weights differ\n", op->get_name().c_str(), diff, n);
      CU_ASSERT_EQUAL(diff, 0u);
      ++consts;
      bytes += n;
    }
  }
  CU_ASSERT_EQUAL(consts, 46u);  // weights + bias of 23 conv / deconv ops
  std::printf("\n  %zu const-fix tensors, %zu bytes: identical\n", consts, bytes);
}

void test_compiled_refusals(void) {
  if (!have_kitti()) return;
  auto g = xir::Graph::deserialize(kCompiled);
  xir::Subgraph* sg = dpu_subgraph(g.get(), kDpu0);
  const std::string wname = "VoxelNet__voxel_feature_extractor_pfn_layers_0_conv_weight_new";
  xir::Tensor* wt = g->get_op(wname)->get_output_tensor();
  CU_ASSERT_EQUAL(create_error(sg), "");

  // ddr_addr past the end of the 320-byte REG_0 (the 256-byte weights at 100)
  wt->set_attr<int>("ddr_addr", 100);
  std::string e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, wname) && contains(e, "ddr_addr 100") && contains(e, "320-byte parameter blob REG_0"));
  wt->set_attr<int>("ddr_addr", -1);
  CU_ASSERT_TRUE(contains(create_error(sg), "ddr_addr -1"));
  wt->set_attr<int>("ddr_addr", 0);

  // a reg_id without a blob
  wt->set_attr<int>("reg_id", 5);
  e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, wname) && contains(e, "REG_5"));
  wt->set_attr<int>("reg_id", 0);

  // a wrongly typed attribute
  wt->set_attr<std::string>("ddr_addr", "0");
  e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, "ddr_addr") && contains(e, "int32"));
  wt->set_attr<int>("ddr_addr", 0);

  // a truncated blob, then none at all
  auto params = sg->get_attr<blob_map>("reg_id_to_parameter_value");
  auto cut = params;
  cut["REG_0"].resize(300);
  sg->set_attr<blob_map>("reg_id_to_parameter_value", cut);
  e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, "bias") && contains(e, "300-byte parameter blob REG_0"));
  auto attrs = sg->get_attrs();
  attrs->del_attr("reg_id_to_parameter_value");
  sg->set_attrs(std::move(attrs));
  e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, "no attribute reg_id_to_parameter_value"));
  sg->set_attr<blob_map>("reg_id_to_parameter_value", params);

  // an upload that would change the fix point
  xir::Tensor* up = g->get_op("VoxelNet__input_0_upload_0")->get_output_tensor();
  up->set_attr<int>("fix_point", 4);
  e = create_error(sg);
  CU_ASSERT_TRUE(contains(e, "VoxelNet__input_0_upload_0") && contains(e, "fix_point 6") && contains(e, "copy"));
  up->set_attr<int>("fix_point", 6);
  CU_ASSERT_EQUAL(create_error(sg), "");
}

}  // namespace

// ---- quantized form ----

void test_quantized_equals_compiled(void) {
  if (!have_kitti()) return;
  void* h = dlopen(PPRT_CPU_RUNNER_LIB, RTLD_NOW | RTLD_GLOBAL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h);
  auto get_tensor = reinterpret_cast<tensor_fn>(dlsym(h, "pprt_cpu_runner_tensor"));
  auto get_op = reinterpret_cast<op_fn>(dlsym(h, "pprt_cpu_runner_op"));
  CU_ASSERT_FATAL(get_tensor && get_op);

  auto gc = xir::Graph::deserialize(kCompiled);
  auto gq = xir::Graph::deserialize(kQuantized);
  CU_ASSERT_EQUAL(pprt::xmodel::detect(gc.get()), pprt::xmodel::form::compiled);
  CU_ASSERT_EQUAL(pprt::xmodel::detect(gq.get()), pprt::xmodel::form::quantized);
  std::vector<const xir::Subgraph*> dc, dq;
  std::string err;
  CU_ASSERT_FATAL(pprt::xmodel::prepare(gc.get(), &dc, &err));
  CU_ASSERT_FATAL(pprt::xmodel::prepare(gq.get(), &dq, &err));
  CU_ASSERT_EQUAL_FATAL(dc.size(), 2u);
  CU_ASSERT_EQUAL_FATAL(dq.size(), 2u);
  size_t total = 0;
  pprt_rng r;
  pprt_rng_seed(&r, pprt_test_seed());
  for (int k = 0; k < 2; ++k) {
    CU_ASSERT_STRING_EQUAL(dq[k]->get_name().c_str(), dc[k]->get_name().c_str());
    auto rc = make_runner(dc[k]), rq = make_runner(dq[k]);
    auto* ec = dynamic_cast<vart::RunnerExt*>(rc.get());
    auto* eq = dynamic_cast<vart::RunnerExt*>(rq.get());
    CU_ASSERT_FATAL(ec && eq);
    auto ic = ec->get_inputs(), iq = eq->get_inputs();
    CU_ASSERT_EQUAL_FATAL(ic.size(), 1u);
    CU_ASSERT_EQUAL_FATAL(iq.size(), 1u);
    const xir::Tensor* tc = ic[0]->get_tensor();
    const xir::Tensor* tq = iq[0]->get_tensor();
    CU_ASSERT(tc->get_shape() == tq->get_shape());
    CU_ASSERT_EQUAL(tc->get_attr<int>("fix_point"), tq->get_attr<int>("fix_point"));
    auto bc = ic[0]->data({0, 0, 0, 0}), bq = iq[0]->data({0, 0, 0, 0});
    CU_ASSERT_EQUAL_FATAL(bc.second, bq.second);
    auto* pc = reinterpret_cast<int8_t*>(bc.first);
    for (size_t i = 0; i < bc.second; ++i)  // int8 with ~1/2 zeros, like pprt check's default input
      pc[i] = (pprt_rng_next(&r) & 1) ? static_cast<int8_t>(pprt_rng_u32(&r, 256) - 128) : 0;
    std::memcpy(reinterpret_cast<void*>(bq.first), pc, bc.second);
    for (vart::Runner* x : {rc.get(), rq.get()}) {
      auto* e = dynamic_cast<vart::RunnerExt*>(x);
      auto job = x->execute_async(e->get_inputs(), e->get_outputs());
      CU_ASSERT_EQUAL_FATAL(job.second, 0);
      CU_ASSERT_EQUAL(x->wait(static_cast<int>(job.first), -1), 0);
    }
    // Every DPU op of the compiled subgraph against the quantized chain of the same name.
    std::map<std::string, std::pair<std::string, std::string>> qops;  // op name -> (type, tensor)
    const char *name, *type, *tensor;
    double secs;
    uint64_t ops;
    for (size_t i = 0; get_op(rq.get(), i, &name, &type, &tensor, &secs, &ops); ++i) qops[name] = {type, tensor};
    size_t compared = 0;
    for (size_t i = 0; get_op(rc.get(), i, &name, &type, &tensor, &secs, &ops); ++i) {
      if (!std::strcmp(type, "upload") || !std::strcmp(type, "download")) continue;
      auto it = qops.find(name);
      if (it == qops.end()) std::printf("\n  %s (%s): no quantized op of that name\n", name, type);
      CU_ASSERT_FATAL(it != qops.end());
      size_t lc = 0, lq = 0;
      const int8_t* vc = get_tensor(rc.get(), tensor, &lc);
      const int8_t* vq = get_tensor(rq.get(), it->second.second.c_str(), &lq);
      CU_ASSERT_FATAL(vc && vq);
      CU_ASSERT_EQUAL(lc, lq);
      size_t diff = 0;
      for (size_t j = 0; j < std::min(lc, lq); ++j) diff += vc[j] != vq[j];
      std::printf("\n  %-22s %-14s %9zu bytes  %s", type, it->second.first.c_str(), lc,
                  diff ? "DIFFERS" : "identical");
      if (diff) std::printf(" (%zu values): %s", diff, name);
      CU_ASSERT_EQUAL(diff, 0u);
      ++compared;
    }
    CU_ASSERT_EQUAL(compared, k == 0 ? 2u : 23u);
    total += compared;
    // And the runners' outputs, by tensor name.
    auto oc = ec->get_outputs(), oq = eq->get_outputs();
    CU_ASSERT_EQUAL_FATAL(oc.size(), oq.size());
    for (auto* o : oc) {
      vart::TensorBuffer* m = nullptr;
      for (auto* x : oq)
        if (x->get_tensor()->get_name() == o->get_tensor()->get_name()) m = x;
      CU_ASSERT_PTR_NOT_NULL_FATAL(m);
      auto a = o->data({0, 0, 0, 0}), b = m->data({0, 0, 0, 0});
      CU_ASSERT_EQUAL_FATAL(a.second, b.second);
      CU_ASSERT_EQUAL(std::memcmp(reinterpret_cast<void*>(a.first), reinterpret_cast<void*>(b.first), a.second), 0);
      CU_ASSERT_EQUAL(o->get_tensor()->get_attr<int>("fix_point"), m->get_tensor()->get_attr<int>("fix_point"));
    }
  }
  std::printf("\n  %zu DPU ops identical between the compiled and the quantized form\n", total);
  CU_ASSERT_EQUAL(total, 25u);
}

void test_quantized_refusals(void) {
  if (!have_kitti()) return;
  auto g = xir::Graph::deserialize(kQuantized);
  std::vector<const xir::Subgraph*> dpus;
  std::string err;
  CU_ASSERT_FATAL(pprt::xmodel::prepare(g.get(), &dpus, &err) && dpus.size() == 2);
  CU_ASSERT_FALSE(pprt::xmodel::partition(g.get(), &err));  // already partitioned
  CU_ASSERT_TRUE(contains(err, "already partitioned"));
  CU_ASSERT_EQUAL(create_error(dpus[0]), "");
  // float weights of the wrong size
  xir::Op* w = g->get_op("VoxelNet__voxel_feature_extractor_pfn_layers_0_conv_weight");
  auto data = w->get_attr<std::vector<char>>("data");
  w->set_attr<std::vector<char>>("data", std::vector<char>(data.begin(), data.end() - 4));
  std::string e = create_error(dpus[0]);
  CU_ASSERT_TRUE(contains(e, "VoxelNet__voxel_feature_extractor_pfn_layers_0_conv_weight") &&
                 contains(e, "1020 bytes of data for 256 float32 elements"));
  w->set_attr<std::vector<char>>("data", data);
  // an unknown rounding mode on the weights' fix
  xir::Op* wf = g->get_op("VoxelNet__voxel_feature_extractor_pfn_layers_0_conv_weight_fix");
  wf->set_attr<std::string>("round_mode", "BANKERS");
  CU_ASSERT_TRUE(contains(create_error(dpus[0]), "round_mode BANKERS"));
  wf->set_attr<std::string>("round_mode", "DPU_ROUND");
  // a chain's fix point of the wrong type
  xir::Op* f = g->get_op(
      "VoxelNet__VoxelNet_PillarFeatureNet_voxel_feature_extractor__PFNLayer_pfn_layers__ModuleList_0__ReLU_relu__145_fix");
  f->set_attr<std::string>("fix_point", "5");
  e = create_error(dpus[0]);
  CU_ASSERT_TRUE(contains(e, "ReLU_relu__145_fix") && contains(e, "'fix_point' is not of type int32"));
  f->set_attr<int>("fix_point", 5);
  CU_ASSERT_EQUAL(create_error(dpus[0]), "");
}

// ---- pprt inspect ----

int run_pprt(std::vector<std::string> args, std::string* out) {
  static char buf[1 << 17];
  std::vector<char*> argv{const_cast<char*>(PPRT_EXE)};
  for (auto& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  int rc = pprt_test_run(argv.data(), buf, sizeof buf);
  *out = buf;
  return rc;
}

bool has(const std::string& out, const std::string& part) { return contains(out, part); }

void test_inspect_generated(void) {
  const std::string small = std::string(PPRT_TEST_WORK_DIR) + "/small";
  const std::string z0 = small + "/pointpillars_nuscenes_small_0_pt", z1 = small + "/pointpillars_nuscenes_small_1_pt";
  std::string out;
  for (const auto& args : {std::vector<std::string>{"inspect", small}, std::vector<std::string>{"inspect", z0, z1}}) {
    CU_ASSERT_EQUAL(run_pprt(args, &out), 0);
    CU_ASSERT_TRUE(has(out, "form: pprt-generated") && has(out, "DPU DPUCZDX8G_ISA1_B4096, fingerprint 0x101000016010407, no machine code"));
    CU_ASSERT_TRUE(has(out, "in   canvas_input_fix  1x256x256x32  XINT8  fix_point 5"));
    CU_ASSERT_TRUE(has(out, "ops: const-fix 18, conv2d-fix 7, transposed-conv2d-fix 2, concat-fix 1"));
    CU_ASSERT_TRUE(has(out, "parameters pprt uses, and where each came from"));
    CU_ASSERT_TRUE(has(out, "voxel size         0.4, 0.4, 8 over -51.2, -51.2, -5, 51.2, 51.2, 3  <- settings"));
    CU_ASSERT_TRUE(has(out, "point features     5  <- xmodel 0, last dimension of voxels_input_fix"));
    CU_ASSERT_TRUE(has(out, "max_voxels_num     12000  <- prototxt 0"));
    CU_ASSERT_TRUE(has(out, "DPU0 output fix    5, DPU1 input fix 5: scatter shift 0"));
  }
  // One Model Zoo folder: its xmodel and prototxt, no parameter table (that needs both subgraphs).
  CU_ASSERT_EQUAL(run_pprt({"inspect", z1}, &out), 0);
  CU_ASSERT_TRUE(has(out, "prototxt: " + z1 + "/pointpillars_nuscenes_small_1_pt.prototxt"));
  CU_ASSERT_EQUAL(out.find("parameters pprt uses"), std::string::npos);
  // A prototxt without the field falls back to the default, and says so.
  const std::string dir = pprt_test_work("inspect_default");
  std::string cmd = "rm -rf '" + dir + "' && cp -r '" + small + "' '" + dir + "' && sed -i '/score_thresh/d' '" + dir +
                    "/pointpillars_nuscenes_small_0_pt/pointpillars_nuscenes_small_0_pt.prototxt'";
  CU_ASSERT_EQUAL_FATAL(std::system(cmd.c_str()), 0);
  CU_ASSERT_EQUAL(run_pprt({"inspect", dir}, &out), 0);
  CU_ASSERT_TRUE(has(out, "<- default (not in the prototxt) (the score_thresh option overrides)"));
  // Bad input: the file and what was expected are named; usage errors exit 2.
  const std::string text = pprt_test_work("inspect_text.xmodel");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(text.c_str(), "not a model\n", 12), 0);
  CU_ASSERT_EQUAL(run_pprt({"inspect", text}, &out), 1);
  CU_ASSERT_TRUE(has(out, text + ":"));
  CU_ASSERT_EQUAL(run_pprt({"inspect", "/nonexistent/x"}, &out), 1);
  CU_ASSERT_TRUE(has(out, "/nonexistent/x: expected an .xmodel file"));
  CU_ASSERT_EQUAL(run_pprt({"inspect", small + "/.."}, &out), 1);
  CU_ASSERT_EQUAL(run_pprt({"inspect"}, &out), 2);
  CU_ASSERT_EQUAL(run_pprt({"inspect", "--bogus"}, &out), 2);
  CU_ASSERT_EQUAL(run_pprt({"inspect", z0, z1, z0}, &out), 2);
}

void test_inspect_kitti(void) {
  if (!have_kitti()) return;
  std::string out;
  CU_ASSERT_EQUAL(run_pprt({"inspect", kCompiled}, &out), 0);
  CU_ASSERT_TRUE(has(out, "form: compiled") && has(out, std::string("DPU  ") + kDpu0) && has(out, kDpu1));
  CU_ASSERT_TRUE(has(out, "DPU DPUCZDX8G_ISA1_B4096, fingerprint 0x101000016010407, machine code present"));
  CU_ASSERT_TRUE(has(out, "in   VoxelNet__input_0_fix  1x12000x100x4  XINT8  fix_point 6"));
  CU_ASSERT_TRUE(has(out, "out  VoxelNet__VoxelNet_RPN_rpn__Conv2d_conv_cls__496_fix  1x248x216x18  XINT8  fix_point 3"));
  CU_ASSERT_TRUE(has(out, "89 ops: const-fix 46, conv2d-fix 20, download 4"));
  CU_ASSERT_TRUE(has(out, "G-op per frame: 10.749"));
  CU_ASSERT_TRUE(has(out, "10.134 G-op (xmodel workload 10.159 G-op)"));
  CU_ASSERT_TRUE(has(out, "ops: fix 2, transpose 2, PPScatterV2 1, fix2float 1, float2fix 1"));
  CU_ASSERT_EQUAL(run_pprt({"inspect", kQuantized}, &out), 0);
  CU_ASSERT_TRUE(has(out, "form: quantized") && has(out, std::string("DPU  ") + kDpu1));
  CU_ASSERT_TRUE(has(out, "166 ops: fix 70, const 46, conv2d 20, relu 20"));
  CU_ASSERT_TRUE(has(out, "in   VoxelNet__VoxelNet__VoxelNet_input_4_swim_tranpose_0  1x496x432x64  float32 (int8 for "
                          "the runner)  fix_point 5"));
  CU_ASSERT_TRUE(has(out, "10.134 G-op; ops: fix 64, const 44, conv2d 19, relu 19, transposed-conv2d 3, concat 1"));
}

int main(void) {
  const struct pprt_test_case cases[] = {
      {"compiled KITTI xmodel: both DPU subgraphs through pprt check", test_compiled_runs_through_pprt_check},
      {"compiled KITTI xmodel: REG_0 weights == the quantizer's weights", test_compiled_weights_are_the_quantizers},
      {"compiled KITTI xmodel: broken blob / ddr_addr / reg_id / upload refused", test_compiled_refusals},
      {"quantized KITTI xmodel: partitioned, every DPU op == compiled", test_quantized_equals_compiled},
      {"quantized KITTI xmodel: broken weights / round_mode / fix_point refused", test_quantized_refusals},
      {"pprt inspect: generated pair as model folder / Model Zoo folders, bad input", test_inspect_generated},
      {"pprt inspect: Xilinx's compiled and quantized KITTI xmodels", test_inspect_kitti},
      {nullptr, nullptr}};
  return pprt_test_main("xmodel_forms", cases);
}
