// libpprt-cpu-runner.so: a VART runner plugin that executes a DPU subgraph on the CPU, bit-exact with the DPU's
// fixed-point arithmetic (kernels in kernels/, see pprt/nn.h). Everything is prepared when the runner is created:
// constants read once from const-fix ops, weights packed for the GEMM, buffers and thread scratch allocated, and
// any op or attribute it cannot run is rejected with a std::runtime_error naming the op, its type and the subgraph.
// execute_async runs the ops in topological order synchronously and returns (job id, 0).
// It takes the subgraph forms of docs/XMODEL-FORMS.md: `*-fix` ops with const-fix data (pprt-genmodel), vai_c_xir's
// compiled subgraphs (upload / download, weights in reg_id_to_parameter_value), and a quantizer's float ops with
// `fix` ops, as pprt partitions a `*_int.xmodel` (each conv / deconv [+ activation] + fix chain run as the DPU's
// `*-fix` op would run it).
#include <algorithm>
#include <any>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <vart/runner_ext.hpp>
#include <vart/tensor_buffer.hpp>
#include <xir/attrs/attrs.hpp>
#include <xir/graph/subgraph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>

#include "pprt/host_tensor_buffer.hpp"
#include "pprt/nn.h"

#define PPRT_PLUGIN_API extern "C" __attribute__((visibility("default")))

namespace {

struct aligned_free {
  void operator()(void* p) const { std::free(p); }
};
using aligned_buf = std::unique_ptr<int8_t, aligned_free>;

aligned_buf alloc_bytes(size_t n) {
  size_t sz = (std::max<size_t>(n, 1) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, sz);
  if (!p) throw std::runtime_error("pprt cpu runner: out of memory (" + std::to_string(n) + " bytes)");
  std::memset(p, 0, sz);
  return aligned_buf(static_cast<int8_t*>(p));
}

// A host tensor buffer over one of the runner's tensors (pprt/host_tensor_buffer.hpp).
std::unique_ptr<pprt::host_tensor_buffer> host_buffer_for(const xir::Tensor* t) {
  std::unique_ptr<pprt::host_tensor_buffer> b = pprt::host_tensor_buffer::create(t);
  if (!b) throw std::runtime_error("pprt cpu runner: out of memory (" + std::to_string(t->get_element_num()) + " bytes)");
  return b;
}

// A fixed pool: run(n, fn) calls fn(task, thread) for task in [0, n) across the threads (the caller is thread 0).
class thread_pool {
 public:
  explicit thread_pool(unsigned n) : n_(std::max(1u, n)) {
    for (unsigned t = 1; t < n_; ++t) workers_.emplace_back([this, t] { loop(t); });
  }
  ~thread_pool() {
    {
      std::lock_guard<std::mutex> l(m_);
      stop_ = true;
      ++gen_;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  unsigned size() const { return n_; }
  // fn is called through a plain pointer (no std::function): a job allocates nothing (docs/DESIGN.md, memory contract).
  template <class F>
  void run(int tasks, const F& fn) {
    if (n_ == 1 || tasks <= 1) {
      for (int i = 0; i < tasks; ++i) fn(i, 0);
      return;
    }
    {
      std::lock_guard<std::mutex> l(m_);
      fn_ = &fn;
      call_ = [](const void* f, int i, unsigned t) { (*static_cast<const F*>(f))(i, t); };
      tasks_ = tasks;
      next_.store(0);
      busy_ = n_ - 1;
      ++gen_;
    }
    cv_.notify_all();
    work(0);
    std::unique_lock<std::mutex> l(m_);
    done_cv_.wait(l, [this] { return busy_ == 0; });
    fn_ = nullptr;
  }

 private:
  void work(unsigned t) {
    for (int i; (i = next_.fetch_add(1)) < tasks_;) call_(fn_, i, t);
  }
  void loop(unsigned t) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return gen_ != seen; });
        seen = gen_;
        if (stop_) return;
      }
      work(t);
      {
        std::lock_guard<std::mutex> l(m_);
        if (--busy_ == 0) done_cv_.notify_one();
      }
    }
  }
  unsigned n_;
  std::vector<std::thread> workers_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const void* fn_ = nullptr;                          // the callable of the current run
  void (*call_)(const void*, int, unsigned) = nullptr;  // calls it
  std::atomic<int> next_{0};
  int tasks_ = 0;
  unsigned busy_ = 0;
  uint64_t gen_ = 0;
  bool stop_ = false;
};

enum class kind { conv, pool, eltwise, concat, rescale, upsample, relu, relu6, leaky };

struct node {
  const xir::Op* op = nullptr;      // the op (for a quantizer's float chain, its first op: conv2d, concat, ...)
  const xir::Tensor* out_t = nullptr;  // the tensor it computes (for a chain, the last op's: the fix's output)
  kind k = kind::rescale;
  std::vector<const int8_t*> in;
  std::vector<size_t> in_len;
  std::vector<int32_t> in_fp;
  int8_t* out = nullptr;
  size_t out_len = 0;
  int32_t fp_out = 0;
  // conv
  pprt_nn_conv conv{};
  pprt_nn_requant rq{};
  std::vector<int64_t> bias;
  std::vector<int8_t> weights;  // scalar path (depthwise, general transposed)
  aligned_buf packed;
  const pprt_nn_gemm_impl* gemm = nullptr;
  // pool
  pprt_nn_pool pool{};
  // concat: rows x widths
  size_t rows = 0;
  std::vector<size_t> widths;
  int32_t up_h = 1, up_w = 1, up_in_h = 0, up_in_w = 0, up_c = 0;
  int32_t nonlinear = PPRT_NN_NONE;
  // stats
  double seconds = 0;
  uint64_t ops = 0;
};

// Attributes read with their type checked first: XIR aborts on a missing key, and a wrong type would only say
// "bad any_cast", so every read names the object, the attribute and the type pprt expected.
template <class T>
const char* type_name();
template <> const char* type_name<int>() { return "int32"; }
template <> const char* type_name<bool>() { return "bool"; }
template <> const char* type_name<float>() { return "float"; }
template <> const char* type_name<std::string>() { return "string"; }
template <> const char* type_name<std::vector<int>>() { return "int32 vector"; }
template <> const char* type_name<std::vector<char>>() { return "bytes"; }
template <> const char* type_name<std::map<std::string, std::vector<char>>>() { return "map of string to bytes"; }

template <class T, class X>
T attr(const X* x, const std::string& what, const std::string& key) {
  if (!x->has_attr(key)) throw std::runtime_error(what + " has no attribute '" + key + "' (expected " + type_name<T>() + ")");
  auto a = x->get_attr(key);
  if (a.type() != typeid(T))
    throw std::runtime_error(what + ": attribute '" + key + "' is not of type " + type_name<T>());
  return std::any_cast<T>(a);
}

template <class T, class X>
T attr_or(const X* x, const std::string& what, const std::string& key, T dflt) {
  return x->has_attr(key) ? attr<T>(x, what, key) : dflt;
}

std::string op_what(const xir::Op* op) { return op->get_type() + " " + op->get_name(); }

std::vector<int> int_vec(const xir::Op* op, const std::string& name, std::vector<int> dflt) {
  return attr_or<std::vector<int>>(op, op_what(op), name, dflt);
}

std::string str_attr(const xir::Op* op, const std::string& name, const std::string& dflt) {
  return attr_or<std::string>(op, op_what(op), name, dflt);
}

// NHWC dims of one frame: [h, w, c] from a rank-4 (or lower) shape.
void hwc(const xir::Tensor* t, int32_t* h, int32_t* w, int32_t* c) {
  auto s = t->get_shape();
  while (s.size() < 4) s.insert(s.begin() + (s.empty() ? 0 : 1), 1);
  *h = s[s.size() - 3];
  *w = s[s.size() - 2];
  *c = s[s.size() - 1];
}

class cpu_runner : public vart::RunnerExt {
 public:
  cpu_runner(const xir::Subgraph* sg, xir::Attrs* attrs) : sg_(sg) {
    try {
      build();
    } catch (const std::exception& e) {
      std::string m = e.what();
      throw std::runtime_error("pprt cpu runner, subgraph " + sg->get_name() + ": " + m);
    }
  }

  std::pair<uint32_t, int> execute_async(const std::vector<vart::TensorBuffer*>& input,
                                         const std::vector<vart::TensorBuffer*>& output) override {
    // Foreign buffers: copy in, run, copy out. Our own buffers (zero-copy): nothing to copy.
    for (size_t i = 0; i < input.size() && i < inputs_.size(); ++i) {
      if (input[i] == inputs_[i].get()) continue;
      auto d = input[i]->data({0, 0, 0, 0});
      std::memcpy(inputs_[i]->ptr(), reinterpret_cast<void*>(d.first), std::min(d.second, inputs_[i]->size()));
    }
    run_all();
    for (size_t i = 0; i < output.size() && i < outputs_.size(); ++i) {
      if (output[i] == outputs_[i].get()) continue;
      auto d = output[i]->data({0, 0, 0, 0});
      std::memcpy(reinterpret_cast<void*>(d.first), outputs_[i]->ptr(), std::min(d.second, outputs_[i]->size()));
    }
    return {++job_, 0};
  }
  int wait(int, int) override { return 0; }
  std::vector<const xir::Tensor*> get_input_tensors() override { return in_tensors_; }
  std::vector<const xir::Tensor*> get_output_tensors() override { return out_tensors_; }
  std::vector<vart::TensorBuffer*> get_inputs() override {
    std::vector<vart::TensorBuffer*> v;
    for (auto& b : inputs_) v.push_back(b.get());
    return v;
  }
  std::vector<vart::TensorBuffer*> get_outputs() override {
    std::vector<vart::TensorBuffer*> v;
    for (auto& b : outputs_) v.push_back(b.get());
    return v;
  }

  // Introspection for pprt-check and the benchmark.
  size_t num_nodes() const { return nodes_.size(); }
  const node& at(size_t i) const { return nodes_[i]; }
  const int8_t* tensor_data(const std::string& name, size_t* len) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return nullptr;
    *len = it->second.second;
    return it->second.first;
  }
  const char* gemm_name() const { return k_->gemm->name; }
  unsigned threads() const { return pool_->size(); }

 private:
  void build() {
    k_ = pprt_nn_kernels();  // the variant set of this process (PPRT_KERNELS=scalar|avx2|... names one)
    unsigned nt = std::thread::hardware_concurrency();
    if (const char* v = std::getenv("PPRT_CPU_RUNNER_THREADS")) nt = static_cast<unsigned>(std::atoi(v));
    nt = std::max(1u, std::min(nt, 64u));

    for (const xir::Tensor* t : sg_->get_sorted_input_tensors()) add_input(t);
    for (const xir::Tensor* t : sg_->get_sorted_output_tensors()) {
      const xir::Tensor* io = io_tensor(t);
      out_tensors_.push_back(io);
      outputs_.push_back(host_buffer_for(io));
      bind(t, outputs_.back()->ptr(), outputs_.back()->size());
    }
    for (const xir::Op* op : sg_->topological_sort()) {
      if (folded_.count(op)) continue;  // part of a float chain prepared at its first op
      const std::string type = op->get_type();
      if (type == "const-fix") {
        consts_[op->get_output_tensor()] = const_bytes(op);
        continue;
      }
      if (type == "const") continue;  // quantized by the fix op that reads it
      if (type == "fix" && op->get_input_op("input") && op->get_input_op("input")->get_type() == "const") {
        consts_[op->get_output_tensor()] = quantize_const(op, op->get_input_op("input"));
        fp_[op->get_output_tensor()] = attr<int>(op, op_what(op), "fix_point");
        continue;
      }
      if (type == "data-fix" || type == "data") {
        if (!buf_.count(op->get_output_tensor())) add_input(op->get_output_tensor());
        continue;
      }
      if (type == "conv2d" || type == "depthwise-conv2d" || type == "transposed-conv2d" || type == "reduction_max" ||
          type == "concat") {
        prepare_chain(op, type);
        continue;
      }
      prepare(op, type);
    }
    pool_.reset(new thread_pool(nt));
    size_t scratch = 0;
    for (auto& n : nodes_)
      if (n.k == kind::conv && n.gemm) scratch = std::max(scratch, pprt_nn_conv_scratch_size(n.gemm, &n.conv));
    for (unsigned t = 0; t < pool_->size(); ++t) scratch_.push_back(alloc_bytes(scratch));
  }

  // The int8 values of a const-fix op. pprt's generated models (and the quantizer's const-fix) hold them in the
  // op's `data`; vai_c_xir's compiled subgraphs leave `data` empty and keep every weight tensor in the subgraph
  // attribute reg_id_to_parameter_value: the bytes of the blob "REG_<reg_id>" from the tensor's `ddr_addr` on
  // (docs/XMODEL-FORMS.md).
  std::vector<int8_t> const_bytes(const xir::Op* op) {
    const xir::Tensor* t = op->get_output_tensor();
    const std::string what = op_what(op);
    if (t->get_data_type().bit_width != 8) unsupported(op, "output is not 8-bit");
    const size_t n = static_cast<size_t>(t->get_element_num());
    std::vector<char> data = attr_or<std::vector<char>>(op, what, "data", {});
    if (!data.empty()) {
      if (data.size() != n)
        throw std::runtime_error(what + ": " + std::to_string(data.size()) + " bytes of data for " + std::to_string(n) +
                                 " elements");
      return std::vector<int8_t>(data.begin(), data.end());
    }
    const std::string tw = what + ": tensor " + t->get_name();
    if (!t->has_attr("reg_id") || !t->has_attr("ddr_addr"))
      throw std::runtime_error(what + " has empty data and its tensor " + t->get_name() +
                               " has no reg_id/ddr_addr (expected the weights in `data`, or in the subgraph attribute "
                               "reg_id_to_parameter_value at the tensor's reg_id and ddr_addr)");
    const int reg = attr<int>(t, tw, "reg_id");
    const int addr = attr<int>(t, tw, "ddr_addr");
    const std::string key = "REG_" + std::to_string(reg);
    const std::vector<char>& blob = param_blob(op, key);
    if (addr < 0 || static_cast<size_t>(addr) > blob.size() || blob.size() - static_cast<size_t>(addr) < n)
      throw std::runtime_error(tw + ": " + std::to_string(n) + " bytes at ddr_addr " + std::to_string(addr) +
                               " do not fit in the " + std::to_string(blob.size()) + "-byte parameter blob " + key +
                               " of subgraph " + sg_->get_name());
    return std::vector<int8_t>(blob.begin() + addr, blob.begin() + addr + static_cast<std::ptrdiff_t>(n));
  }

  // The parameter blob `key` of reg_id_to_parameter_value, on this subgraph or the nearest parent that has it.
  const std::vector<char>& param_blob(const xir::Op* op, const std::string& key) {
    if (!params_loaded_) {
      for (const xir::Subgraph* s = sg_; s; s = s->is_root() ? nullptr : s->get_parent()) {
        if (!s->has_attr("reg_id_to_parameter_value")) continue;
        params_ = attr<std::map<std::string, std::vector<char>>>(s, "subgraph " + s->get_name(),
                                                                  "reg_id_to_parameter_value");
        break;
      }
      params_loaded_ = true;
    }
    auto it = params_.find(key);
    if (it == params_.end())
      throw std::runtime_error(op_what(op) + ": its weights are in parameter blob " + key + ", but subgraph " +
                               sg_->get_name() + (params_.empty() ? " has no attribute reg_id_to_parameter_value"
                                                                 : "'s reg_id_to_parameter_value has no " + key));
    return it->second;
  }

  // A quantizer's weight: float32 `data` of a const op, quantized by the fix op after it (x * 2^fix_point, rounded
  // with the fix's round_mode, saturated to int8), as the compiler folds const + fix into a const-fix.
  std::vector<int8_t> quantize_const(const xir::Op* fix, const xir::Op* c) {
    const std::string what = op_what(c);
    const xir::Tensor* t = c->get_output_tensor();
    const auto dt = t->get_data_type();
    if (dt.type != xir::DataType::FLOAT || dt.bit_width != 32) unsupported(c, "data is not float32 (expected a quantizer's const)");
    const size_t n = static_cast<size_t>(t->get_element_num());
    std::vector<char> data = attr<std::vector<char>>(c, what, "data");
    if (data.size() != 4 * n)
      throw std::runtime_error(what + ": " + std::to_string(data.size()) + " bytes of data for " + std::to_string(n) +
                               " float32 elements");
    const int fp = attr<int>(fix, op_what(fix), "fix_point");
    if (attr_or<int>(fix, op_what(fix), "bit_width", 8) != 8) unsupported(fix, "bit_width is not 8");
    if (!attr_or<bool>(fix, op_what(fix), "if_signed", true)) unsupported(fix, "unsigned (expected if_signed)");
    if (fp < -32 || fp > 32) unsupported(fix, "fix_point " + std::to_string(fp) + " out of range");
    // VART's rounding modes; without the attribute a const's fix rounds STD_ROUND.
    const std::string rm = attr_or<std::string>(fix, op_what(fix), "round_mode", "STD_ROUND");
    if (rm != "DPU_ROUND" && rm != "STD_ROUND" && rm != "PY3_ROUND") unsupported(fix, "round_mode " + rm);
    std::vector<int8_t> q(n);
    for (size_t i = 0; i < n; ++i) {
      float x;
      std::memcpy(&x, data.data() + 4 * i, 4);
      if (!std::isfinite(x)) unsupported(c, "non-finite value at index " + std::to_string(i));
      const double v = std::ldexp(static_cast<double>(x), fp);
      double r;
      if (rm == "DPU_ROUND")  // half toward +infinity
        r = std::floor(v + 0.5);
      else if (rm == "STD_ROUND")  // half away from zero
        r = std::round(v);
      else  // PY3_ROUND: half to even
        r = std::nearbyint(v);
      q[i] = static_cast<int8_t>(std::min(127.0, std::max(-128.0, r)));
    }
    return q;
  }

  // The fix point of a tensor: set by a chain or a quantized const, the tensor's fix_point attribute (the `*-fix`
  // forms), or the fix op producing it (the quantizer's form).
  int32_t fp_of(const xir::Tensor* t, const std::string& what) {
    auto it = fp_.find(t);
    if (it != fp_.end()) return it->second;
    if (t->has_attr("fix_point")) return attr<int>(t, what + ": tensor " + t->get_name(), "fix_point");
    const xir::Op* p = t->get_producer();
    if (p && (p->get_type() == "fix" || p->get_type() == "float2fix") && p->has_attr("fix_point"))
      return attr<int>(p, op_what(p), "fix_point");
    throw std::runtime_error(what + ": tensor " + t->get_name() +
                             " has no fix_point (expected the attribute, or a fix op producing it)");
  }

  // The int8 tensor a runner input or output is seen as. Quantized (`*-fix`) tensors are themselves; a quantizer's
  // float tensor at the edge of a DPU subgraph pprt partitioned carries the fix_point of the fix before it
  // (runtime/src/model/xmodel.cpp) and gets an XINT8 twin of the same name and shape with that fix point.
  const xir::Tensor* io_tensor(const xir::Tensor* t) {
    const auto dt = t->get_data_type();
    if (dt.bit_width == 8 && dt.type != xir::DataType::FLOAT) return t;
    if (!t->has_attr("fix_point"))
      throw std::runtime_error("tensor " + t->get_name() + " of subgraph " + sg_->get_name() + " is " + dt.to_string() +
                               " without fix_point (expected int8, or a quantizer's graph as pprt partitions it: "
                               "docs/XMODEL-FORMS.md)");
    const int fp = attr<int>(t, "tensor " + t->get_name(), "fix_point");
    std::unique_ptr<xir::Tensor> q = xir::Tensor::create(t->get_name(), t->get_shape(), xir::DataType{xir::DataType::XINT, 8});
    q->set_attr<int>("fix_point", fp);
    fp_[t] = fp;
    owned_.push_back(std::move(q));
    return owned_.back().get();
  }

  // A quantizer's float op followed, as the compiler fuses them into one `*-fix` op, by an activation (conv,
  // deconv) and a fix giving the output's fix point. An op whose output only feeds concats without a fix of its
  // own (the KITTI deconvs) takes the fix point of the fix after the concat, as the compiler's inserted fix does.
  void prepare_chain(const xir::Op* op, const std::string& type) {
    const xir::Op* last = op;
    act a;
    if (type == "conv2d" || type == "depthwise-conv2d" || type == "transposed-conv2d") {
      const xir::Op* next = sole_consumer(last);
      if (next && (next->get_type() == "relu" || next->get_type() == "relu6" || next->get_type() == "leaky-relu")) {
        a.nl = next->get_type() == "relu" ? "RELU" : next->get_type() == "relu6" ? "RELU6" : "LEAKYRELU";
        if (next->get_type() == "leaky-relu") a.alpha = attr_or<float>(next, op_what(next), "alpha", a.alpha);
        folded_.insert(next);
        last = next;
      }
    }
    const xir::Op* fix = sole_consumer(last);
    int32_t fp_out;
    const xir::Tensor* out_t;
    if (fix && fix->get_type() == "fix") {
      fp_out = attr<int>(fix, op_what(fix), "fix_point");
      out_t = fix->get_output_tensor();
      folded_.insert(fix);
    } else {
      out_t = last->get_output_tensor();
      fp_out = inherited_fp(op, out_t);
    }
    fp_[out_t] = fp_out;
    const std::string fixed = type == "reduction_max" ? "pool-fix" : type + "-fix";
    prepare(op, fixed, out_t, a);
  }

  // The one consumer of op's output inside the subgraph, or nullptr.
  const xir::Op* sole_consumer(const xir::Op* op) const {
    auto users = op->get_fanout_ops();
    if (users.size() != 1 || !sg_->has_op(users[0])) return nullptr;
    return users[0];
  }

  int32_t inherited_fp(const xir::Op* op, const xir::Tensor* t) {
    int32_t fp = 0;
    bool any = false;
    for (const xir::Op* u : t->get_producer()->get_fanout_ops()) {
      const xir::Op* f = u->get_type() == "concat" && sg_->has_op(u) ? sole_consumer(u) : nullptr;
      if (!f || f->get_type() != "fix")
        unsupported(op, "output " + t->get_name() + " has no fix op after it (expected " + op->get_type() +
                            " [-> relu] -> fix, or a concat -> fix)");
      const int32_t v = attr<int>(f, op_what(f), "fix_point");
      if (any && v != fp) unsupported(op, "output feeds concats with different fix points");
      fp = v;
      any = true;
    }
    if (!any) unsupported(op, "output " + t->get_name() + " is not used and has no fix op");
    return fp;
  }

  void add_input(const xir::Tensor* t) {
    const xir::Tensor* io = io_tensor(t);
    in_tensors_.push_back(io);
    inputs_.push_back(host_buffer_for(io));
    bind(t, inputs_.back()->ptr(), inputs_.back()->size());
  }

  void bind(const xir::Tensor* t, int8_t* p, size_t len) {
    buf_[t] = {p, len};
    by_name_[t->get_name()] = {p, len};
  }

  std::pair<int8_t*, size_t> buffer_of(const xir::Tensor* t) {
    auto it = buf_.find(t);
    if (it != buf_.end()) return it->second;
    size_t len = static_cast<size_t>(t->get_element_num());
    arena_.push_back(alloc_bytes(len));
    bind(t, arena_.back().get(), len);
    return buf_[t];
  }

  const int8_t* input_data(const xir::Op* op, const xir::Tensor* t, size_t* len) {
    auto it = buf_.find(t);
    if (it == buf_.end()) throw std::runtime_error(op->get_type() + " " + op->get_name() + ": input " +
                                                   t->get_name() + " is neither a subgraph input nor computed");
    *len = it->second.second;
    return it->second.first;
  }

  const std::vector<int8_t>& const_data(const xir::Op* op, const std::string& arg) {
    auto ins = op->get_input_tensors(arg);
    if (ins.size() != 1) throw std::runtime_error(op->get_type() + " " + op->get_name() + ": expects one '" + arg + "'");
    auto it = consts_.find(ins[0]);
    if (it == consts_.end())
      throw std::runtime_error(op->get_type() + " " + op->get_name() + ": '" + arg +
                               "' is not a const-fix (or const -> fix) of the subgraph");
    return it->second;
  }

  [[noreturn]] static void unsupported(const xir::Op* op, const std::string& why) {
    throw std::runtime_error("op " + op->get_name() + " of type " + op->get_type() + ": " + why);
  }

  // An activation fused into a conv: the `nonlinear` attribute of a `*-fix` op, or the relu after a float conv.
  struct act {
    std::string nl = "NONE";
    float alpha = 26.0f / 256.0f;
  };

  void prepare(const xir::Op* op, const std::string& type) {
    const xir::Tensor* ot = op->get_output_tensor();
    if (ot->get_data_type().bit_width != 8) unsupported(op, "output is not 8-bit");
    act a;
    a.nl = str_attr(op, "nonlinear", "NONE");
    a.alpha = attr_or<float>(op, op_what(op), "LEAKYRELU_alpha", a.alpha);
    prepare(op, type, ot, a);
  }

  // op computed as a `type` op (a `*-fix` type) whose result is the tensor ot.
  void prepare(const xir::Op* op, const std::string& type, const xir::Tensor* ot, const act& a) {
    node n;
    n.op = op;
    n.out_t = ot;
    n.fp_out = fp_of(ot, type + " " + op->get_name());
    if (type == "conv2d-fix" || type == "depthwise-conv2d-fix" || type == "transposed-conv2d-fix") {
      prepare_conv(n, op, type, ot, a);
    } else {
      for (const xir::Tensor* t : op->get_input_tensors("input")) {
        size_t len;
        n.in.push_back(input_data(op, t, &len));
        n.in_len.push_back(len);
        n.in_fp.push_back(fp_of(t, type + " " + op->get_name()));
      }
      if (n.in.empty()) unsupported(op, "no input");
      if (type == "pool-fix" && op->get_type() == "reduction_max")
        prepare_reduce_max(n, op, ot);
      else if (type == "pool-fix")
        prepare_pool(n, op);
      else if (type == "eltwise-fix") {
        std::string et = str_attr(op, "type", "ADD");
        if (et != "ADD") unsupported(op, "eltwise type " + et + " (only ADD)");
        std::string nl = str_attr(op, "nonlinear", "NONE");
        if (nl == "RELU")
          n.nonlinear = PPRT_NN_RELU;
        else if (nl != "NONE" && !nl.empty())
          unsupported(op, "nonlinear " + nl);
        if (n.in.size() > 16) unsupported(op, "more than 16 inputs");
        for (size_t i = 0; i < n.in.size(); ++i)
          if (n.in_len[i] != static_cast<size_t>(ot->get_element_num())) unsupported(op, "inputs of different sizes (broadcast)");
        n.k = kind::eltwise;
        n.ops = static_cast<uint64_t>(ot->get_element_num()) * n.in.size();
      } else if (type == "concat-fix") {
        auto shape = ot->get_shape();
        int axis = attr_or<int>(op, op_what(op), "axis", 3);
        if (axis < 0) axis += static_cast<int>(shape.size());
        if (axis < 0 || axis >= static_cast<int>(shape.size())) unsupported(op, "axis out of range");
        n.rows = 1;
        for (int i = 0; i < axis; ++i) n.rows *= static_cast<size_t>(shape[i]);
        size_t total = 0;
        for (const xir::Tensor* t : op->get_input_tensors("input")) {
          size_t w = static_cast<size_t>(t->get_element_num()) / n.rows;
          n.widths.push_back(w);
          total += w;
        }
        if (total * n.rows != static_cast<size_t>(ot->get_element_num())) unsupported(op, "input sizes do not add up");
        n.k = kind::concat;
      } else if (type == "reshape-fix" || type == "fix" || type == "flatten-fix") {
        if (n.in.size() != 1 || n.in_len[0] != static_cast<size_t>(ot->get_element_num()))
          unsupported(op, "input and output sizes differ");
        n.k = kind::rescale;
      } else if (type == "upload" || type == "download") {
        // vai_c_xir's copies between the CPU's and the DPU's memory: a plain copy here.
        if (n.in.size() != 1 || n.in_len[0] != static_cast<size_t>(ot->get_element_num()))
          unsupported(op, "input and output sizes differ (expected a copy)");
        if (n.in_fp[0] != n.fp_out)
          unsupported(op, "input fix_point " + std::to_string(n.in_fp[0]) + " differs from output fix_point " +
                              std::to_string(n.fp_out) + " (expected a copy)");
        n.k = kind::rescale;
      } else if (type == "upsample-fix") {
        std::string mode = str_attr(op, "mode", "NEAREST");
        if (mode != "NEAREST") unsupported(op, "mode " + mode + " (only NEAREST)");
        int32_t oh, ow, oc;
        hwc(op->get_input_tensors("input")[0], &n.up_in_h, &n.up_in_w, &n.up_c);
        hwc(ot, &oh, &ow, &oc);
        if (oc != n.up_c || n.up_in_h == 0 || n.up_in_w == 0 || oh % n.up_in_h || ow % n.up_in_w)
          unsupported(op, "output is not an integer scale of the input");
        n.up_h = oh / n.up_in_h;
        n.up_w = ow / n.up_in_w;
        n.k = kind::upsample;
      } else if (type == "relu" || type == "relu6" || type == "leaky-relu") {
        if (n.in.size() != 1 || n.in_len[0] != static_cast<size_t>(ot->get_element_num()))
          unsupported(op, "input and output sizes differ");
        if (type == "leaky-relu") {
          float alpha = attr_or<float>(op, op_what(op), "alpha", 26.0f / 256.0f);
          if (alpha * 256.0f != std::floor(alpha * 256.0f)) unsupported(op, "alpha is not a multiple of 1/256");
          n.rq.leaky_mult = static_cast<int32_t>(alpha * 256.0f);
        }
        n.k = type == "relu" ? kind::relu : type == "relu6" ? kind::relu6 : kind::leaky;
      } else {
        unsupported(op, "not supported by the pprt CPU runner");
      }
    }
    auto ob = buffer_of(ot);
    n.out = ob.first;
    n.out_len = ob.second;
    nodes_.push_back(std::move(n));
  }

  void prepare_conv(node& n, const xir::Op* op, const std::string& type, const xir::Tensor* ot, const act& a) {
    const std::string what = op_what(op);
    auto ins = op->get_input_tensors("input");
    if (ins.size() != 1) unsupported(op, "expects one input");
    size_t len;
    n.in.push_back(input_data(op, ins[0], &len));
    n.in_len.push_back(len);
    const int32_t fp_in = fp_of(ins[0], what);
    if (op->get_input_tensors("weights").size() != 1) unsupported(op, "expects one 'weights'");
    const xir::Tensor* wt = op->get_input_tensors("weights").at(0);
    const int32_t fp_w = fp_of(wt, what);
    const auto& w = const_data(op, "weights");
    pprt_nn_conv& c = n.conv;
    c.kind = type == "conv2d-fix" ? PPRT_NN_CONV : type == "depthwise-conv2d-fix" ? PPRT_NN_DEPTHWISE : PPRT_NN_TRANSPOSED;
    hwc(ins[0], &c.in_h, &c.in_w, &c.in_c);
    hwc(ot, &c.out_h, &c.out_w, &c.out_c);
    auto kernel = int_vec(op, "kernel", {});
    auto stride = int_vec(op, "stride", {1, 1});
    auto dil = int_vec(op, "dilation", {1, 1});
    auto pad = int_vec(op, "pad", {0, 0, 0, 0});
    if (kernel.size() != 2 || stride.size() != 2 || dil.size() != 2 || pad.size() != 4)
      unsupported(op, "kernel/stride/dilation/pad attributes of unexpected length");
    c.k_w = kernel[0];
    c.k_h = kernel[1];
    c.stride_w = stride[0];
    c.stride_h = stride[1];
    c.dil_w = dil[0];
    c.dil_h = dil[1];
    if (c.k_w <= 0 || c.k_h <= 0 || c.stride_w <= 0 || c.stride_h <= 0 || c.dil_w <= 0 || c.dil_h <= 0)
      unsupported(op, "non-positive kernel, stride or dilation");
    const std::string pad_mode = str_attr(op, "pad_mode", "FLOOR");
    const int32_t kdh = (c.k_h - 1) * c.dil_h + 1, kdw = (c.k_w - 1) * c.dil_w + 1;
    if (pad_mode == "FLOOR" || pad_mode == "CEIL" || pad_mode == "PADDING") {
      c.pad_l = pad[0];
      c.pad_t = pad[2];
    } else if (pad_mode == "VALID") {
      c.pad_l = c.pad_t = 0;
    } else if (pad_mode == "SAME") {
      if (c.kind == PPRT_NN_TRANSPOSED) {
        c.pad_t = (kdh - 1) - (kdh + c.stride_h - 2 + 1) / 2;  // the reference pads ceil((k + s - 2) / 2) on top
        c.pad_l = (kdw - 1) - (kdw + c.stride_w - 2 + 1) / 2;
      } else {
        c.pad_t = std::max(0, (c.out_h - 1) * c.stride_h + kdh - c.in_h) / 2;
        c.pad_l = std::max(0, (c.out_w - 1) * c.stride_w + kdw - c.in_w) / 2;
      }
    } else {
      unsupported(op, "pad_mode " + pad_mode);
    }
    size_t wexp;
    if (c.kind == PPRT_NN_DEPTHWISE) {
      if (c.in_c != c.out_c) unsupported(op, "channel multiplier other than 1");
      wexp = static_cast<size_t>(c.k_h) * c.k_w * c.in_c;
    } else {
      wexp = static_cast<size_t>(c.out_c) * c.k_h * c.k_w * c.in_c;
    }
    if (w.size() != wexp) unsupported(op, "weights have " + std::to_string(w.size()) + " elements, expected " + std::to_string(wexp));
    // Output stage.
    const std::string& nl = a.nl;
    pprt_nn_requant& q = n.rq;
    q.nonlinear = PPRT_NN_NONE;
    q.leaky_mult = 26;
    q.relu6_max = pprt_nn_relu6_max(n.fp_out);
    if (nl == "RELU")
      q.nonlinear = PPRT_NN_RELU;
    else if (nl == "RELU6")
      q.nonlinear = PPRT_NN_RELU6;
    else if (nl == "LEAKYRELU") {
      q.nonlinear = PPRT_NN_LEAKYRELU;
      if (a.alpha * 256.0f != std::floor(a.alpha * 256.0f) || a.alpha < 0 || a.alpha > 1)
        unsupported(op, "leaky relu alpha is not k/256");
      q.leaky_mult = static_cast<int32_t>(a.alpha * 256.0f);
    } else if (nl != "NONE" && !nl.empty())
      unsupported(op, "nonlinear " + nl);
    const int32_t shift_cut = fp_in + fp_w - n.fp_out;
    n.bias.assign(static_cast<size_t>(c.out_c), 0);
    q.acc_shift = 0;
    auto bins = op->get_input_tensors("bias");
    if (!bins.empty()) {
      const auto& b = const_data(op, "bias");
      if (b.size() != static_cast<size_t>(c.out_c)) unsupported(op, "bias size differs from output channels");
      const int32_t sb = fp_in + fp_w - fp_of(bins[0], what);
      q.acc_shift = std::max(0, -sb);
      if (sb + q.acc_shift > 40 || q.acc_shift > 24) unsupported(op, "bias shift out of range");
      for (size_t i = 0; i < b.size(); ++i) n.bias[i] = static_cast<int64_t>(b[i]) * (int64_t{1} << (sb + q.acc_shift));
    }
    q.shift = shift_cut + q.acc_shift;
    if (q.shift > 60 || q.shift < -24) unsupported(op, "output shift out of range");
    q.bias = n.bias.data();
    // Kernels: the packed GEMM where it applies, else the direct loop.
    int32_t gm, gn, gk;
    pprt_nn_conv_gemm_dims(&c, &gm, &gn, &gk);
    if (pprt_nn_conv_gemm_ok(&c)) {
      n.gemm = pprt_nn_gemm_for(k_, w.data(), w.size());
      n.packed = alloc_bytes(pprt_nn_conv_packed_size(n.gemm, &c));
      pprt_nn_conv_pack(n.gemm, &c, w.data(), n.packed.get());
    } else {
      n.weights = w;
    }
    if (c.kind == PPRT_NN_TRANSPOSED)
      n.ops = 2ull * c.in_h * c.in_w * c.in_c * c.out_c * c.k_h * c.k_w;
    else if (c.kind == PPRT_NN_DEPTHWISE)
      n.ops = 2ull * c.out_h * c.out_w * c.out_c * c.k_h * c.k_w;
    else
      n.ops = 2ull * c.out_h * c.out_w * c.out_c * c.k_h * c.k_w * c.in_c;
    n.k = kind::conv;
  }

  // A quantizer's reduction_max over H and/or W of an NHWC tensor: the DPU's MAX pool-fix with that kernel.
  void prepare_reduce_max(node& n, const xir::Op* op, const xir::Tensor* ot) {
    pprt_nn_pool& p = n.pool;
    if (n.in.size() != 1) unsupported(op, "expects one input");
    const xir::Tensor* it = op->get_input_tensors("input")[0];
    auto s = it->get_shape();
    if (s.size() != 4) unsupported(op, "input is not rank 4 (NHWC)");
    auto axes = int_vec(op, "axis", {});
    bool h = false, w = false;
    for (int ax : axes) {
      const int a = ax < 0 ? ax + 4 : ax;
      if (a == 1) h = true;
      else if (a == 2) w = true;
      else unsupported(op, "axis " + std::to_string(ax) + " (the DPU reduces over H and W only)");
    }
    if (!h && !w) unsupported(op, "no axis to reduce");
    p.in_h = s[1];
    p.in_w = s[2];
    p.c = s[3];
    p.out_h = h ? 1 : p.in_h;
    p.out_w = w ? 1 : p.in_w;
    if (static_cast<int64_t>(s[0]) * p.out_h * p.out_w * p.c != ot->get_element_num())
      unsupported(op, "output has " + std::to_string(ot->get_element_num()) + " elements, the reduction gives " +
                          std::to_string(static_cast<int64_t>(s[0]) * p.out_h * p.out_w * p.c));
    p.k_h = h ? p.in_h : 1;
    p.k_w = w ? p.in_w : 1;
    p.stride_h = p.stride_w = 1;
    p.pad_l = p.pad_t = 0;
    p.is_avg = 0;
    p.fp_in = n.in_fp[0];
    p.fp_out = n.fp_out;
    n.ops = static_cast<uint64_t>(p.out_h) * p.out_w * p.c * p.k_h * p.k_w;
    n.k = kind::pool;
  }

  void prepare_pool(node& n, const xir::Op* op) {
    pprt_nn_pool& p = n.pool;
    const std::string t = str_attr(op, "type", "MAX");
    if (t != "MAX" && t != "AVG") unsupported(op, "pool type " + t);
    p.is_avg = t == "AVG";
    if (n.in.size() != 1) unsupported(op, "expects one input");
    hwc(op->get_input_tensors("input")[0], &p.in_h, &p.in_w, &p.c);
    int32_t oc;
    hwc(op->get_output_tensor(), &p.out_h, &p.out_w, &oc);
    if (oc != p.c) unsupported(op, "output channels differ from input channels");
    bool global = attr_or<bool>(op, op_what(op), "global", false);
    auto kernel = int_vec(op, "kernel", {p.in_w, p.in_h});
    auto stride = int_vec(op, "stride", kernel);
    auto pad = int_vec(op, "pad", {0, 0, 0, 0});
    if (kernel.size() != 2 || stride.size() != 2 || pad.size() != 4) unsupported(op, "kernel/stride/pad of unexpected length");
    p.k_w = global ? p.in_w : kernel[0];
    p.k_h = global ? p.in_h : kernel[1];
    p.stride_w = stride[0];
    p.stride_h = stride[1];
    const std::string pm = str_attr(op, "pad_mode", "FLOOR");
    if (pm == "VALID" || global) {
      p.pad_l = p.pad_t = 0;
    } else if (pm == "SAME") {
      p.pad_t = std::max(0, (p.out_h - 1) * p.stride_h + p.k_h - p.in_h) / 2;
      p.pad_l = std::max(0, (p.out_w - 1) * p.stride_w + p.k_w - p.in_w) / 2;
    } else if (pm == "FLOOR" || pm == "CEIL" || pm == "PADDING") {
      p.pad_l = pad[0];
      p.pad_t = pad[2];
    } else {
      unsupported(op, "pad_mode " + pm);
    }
    if (p.k_w <= 0 || p.k_h <= 0 || p.stride_w <= 0 || p.stride_h <= 0) unsupported(op, "non-positive kernel or stride");
    p.fp_in = n.in_fp[0];
    p.fp_out = n.fp_out;
    pprt_nn_avgpool_factor(p.k_h, p.k_w, &p.avg_mult, &p.avg_shift);
    n.ops = static_cast<uint64_t>(p.out_h) * p.out_w * p.c * p.k_h * p.k_w;
    n.k = kind::pool;
  }

  // Split [0, total) into chunks of at least `grain` for the pool.
  template <class F>
  void parallel(int32_t total, int32_t grain, F f) {
    const int32_t nt = static_cast<int32_t>(pool_->size());
    int32_t chunk = std::max(grain, (total + nt * 4 - 1) / (nt * 4));
    chunk = (chunk + grain - 1) / grain * grain;
    const int tasks = total <= 0 ? 0 : (total + chunk - 1) / chunk;
    pool_->run(tasks, [&](int i, unsigned t) {
      int32_t a = i * chunk, b = std::min(total, a + chunk);
      f(a, b, t);
    });
  }

  void run_node(node& n) {
    switch (n.k) {
      case kind::conv: {
        if (n.gemm) {
          int32_t m, nn, k;
          pprt_nn_conv_gemm_dims(&n.conv, &m, &nn, &k);
          parallel(m, 72, [&](int32_t a, int32_t b, unsigned t) {
            pprt_nn_conv_gemm(n.gemm, &n.conv, n.in[0], n.packed.get(), &n.rq, n.out, a, b, scratch_[t].get());
          });
        } else {
          parallel(n.conv.out_h, 1, [&](int32_t a, int32_t b, unsigned) {
            k_->conv(&n.conv, n.in[0], n.weights.data(), &n.rq, n.out, a, b);
          });
        }
        break;
      }
      case kind::pool:
        parallel(n.pool.out_h, 1, [&](int32_t a, int32_t b, unsigned) { k_->pool(&n.pool, n.in[0], n.out, a, b); });
        break;
      case kind::eltwise:
        k_->eltwise_add(n.in.data(), n.in_fp.data(), static_cast<int32_t>(n.in.size()), n.out_len, n.fp_out,
                        n.nonlinear, n.out);
        break;
      case kind::concat: {
        size_t off = 0, total = 0;
        for (size_t w : n.widths) total += w;
        for (size_t i = 0; i < n.in.size(); ++i) {
          k_->rescale_rows(n.in[i], n.widths[i], n.rows, n.widths[i], n.fp_out - n.in_fp[i], n.out, total, off);
          off += n.widths[i];
        }
        break;
      }
      case kind::rescale:
        k_->rescale_rows(n.in[0], n.out_len, 1, n.out_len, n.fp_out - n.in_fp[0], n.out, n.out_len, 0);
        break;
      case kind::upsample:
        k_->upsample_nearest(n.in[0], n.up_in_h, n.up_in_w, n.up_c, n.up_h, n.up_w, n.fp_out - n.in_fp[0], n.out);
        break;
      case kind::relu:
      case kind::relu6:
      case kind::leaky: {
        struct pprt_nn_act a;
        a.nonlinear = n.k == kind::leaky ? PPRT_NN_LEAKYRELU : n.k == kind::relu6 ? PPRT_NN_RELU6 : PPRT_NN_RELU;
        a.d = n.fp_out - n.in_fp[0];
        a.leaky_mult = n.rq.leaky_mult;
        a.relu6_max = pprt_nn_relu6_max(n.fp_out); // 6 in output units (nn.h)
        k_->act(&a, n.in[0], n.out_len, n.out);
        break;
      }
    }
  }

  void run_all() {
    for (auto& n : nodes_) {
      auto t0 = std::chrono::steady_clock::now();
      run_node(n);
      n.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  }

  const xir::Subgraph* sg_;
  const pprt_nn_kernel_set* k_ = nullptr;
  std::vector<const xir::Tensor*> in_tensors_, out_tensors_;
  std::vector<std::unique_ptr<pprt::host_tensor_buffer>> inputs_, outputs_;
  std::map<const xir::Tensor*, std::pair<int8_t*, size_t>> buf_;
  std::map<std::string, std::pair<int8_t*, size_t>> by_name_;
  std::map<const xir::Tensor*, std::vector<int8_t>> consts_;
  std::map<std::string, std::vector<char>> params_;  // reg_id_to_parameter_value, read once when a const needs it
  std::map<const xir::Tensor*, int32_t> fp_;          // fix points the quantizer's form keeps on fix ops
  std::set<const xir::Op*> folded_;                   // activations and fixes fused into the op before them
  std::vector<std::unique_ptr<xir::Tensor>> owned_;   // int8 twins of a quantizer's float input/output tensors
  bool params_loaded_ = false;
  std::vector<aligned_buf> arena_, scratch_;
  std::vector<node> nodes_;
  std::unique_ptr<thread_pool> pool_;
  uint32_t job_ = 0;
};

}  // namespace

PPRT_PLUGIN_API vart::Runner* create_runner_with_attrs(const xir::Subgraph* subgraph, xir::Attrs* attrs) {
  return new cpu_runner(subgraph, attrs);
}

PPRT_PLUGIN_API vart::Runner* create_runner(const xir::Subgraph* subgraph) {
  return new cpu_runner(subgraph, nullptr);
}

// ---- introspection for pprt-check / the benchmark (resolved with dlsym; the runner must be ours) ----

PPRT_PLUGIN_API const int8_t* pprt_cpu_runner_tensor(vart::Runner* r, const char* name, size_t* len) {
  auto* c = dynamic_cast<cpu_runner*>(r);
  return c ? c->tensor_data(name, len) : nullptr;
}

// Op i in execution order: its name, type, output tensor name, accumulated seconds and int8 op count per frame.
PPRT_PLUGIN_API int pprt_cpu_runner_op(vart::Runner* r, size_t i, const char** name, const char** type,
                                       const char** tensor, double* seconds, uint64_t* ops) {
  auto* c = dynamic_cast<cpu_runner*>(r);
  if (!c || i >= c->num_nodes()) return 0;
  const node& n = c->at(i);
  static thread_local std::string sn, st, stt;
  sn = n.op->get_name();
  st = n.op->get_type();
  stt = n.out_t->get_name();
  *name = sn.c_str();
  *type = st.c_str();
  *tensor = stt.c_str();
  *seconds = n.seconds;
  *ops = n.ops;
  return 1;
}

PPRT_PLUGIN_API const char* pprt_cpu_runner_info(vart::Runner* r, unsigned* threads) {
  auto* c = dynamic_cast<cpu_runner*>(r);
  if (!c) return nullptr;
  *threads = c->threads();
  return c->gemm_name();
}
