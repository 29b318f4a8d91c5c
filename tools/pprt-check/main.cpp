// pprt-check: run a DPU subgraph of an xmodel on the pprt CPU runner (libpprt-cpu-runner.so) and
//  - compare every op's int8 output with a dump folder of raw files named after the op (as the quantizer's
//    deploy_check_data_int/<subgraph>/ holds them), naming every op that differs and by how much;
//  - or write such a dump (--dump DIR);
//  - or benchmark (--bench N: per-op time and G-op/s, frame time);
//  - or, on a board, run the same inputs on the DPU (the subgraph's own runner) and report whether every output
//    tensor is identical (--selfcheck).
// Exit status: 0 = identical / done, 1 = a difference, 2 = usage or runtime error.
#include <dlfcn.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>
#include <chrono>
#include <sys/stat.h>
#include <unistd.h>
#include <vart/runner.hpp>
#include <vart/runner_ext.hpp>
#include <vart/tensor_buffer.hpp>
#include <xir/attrs/attrs.hpp>
#include <xir/graph/graph.hpp>
#include <xir/graph/subgraph.hpp>
#include <xir/tensor/tensor.hpp>

#include "pprt/host_tensor_buffer.hpp"
#include "pprt/xmodel.hpp"

// The plugin installed with this program: <prefix>/bin/pprt-check -> <prefix>/<libdir> (PPRT_BIN_TO_LIB; the build
// tree has the same shape), else the bare name (the loader's search path).
static std::string default_cpu_runner() {
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
#ifdef PPRT_BIN_TO_LIB
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    std::string p = dir + "/" + PPRT_BIN_TO_LIB + "/libpprt-cpu-runner.so";
    if (access(p.c_str(), R_OK) == 0) return p;
  }
#else
  (void)n;
#endif
  return "libpprt-cpu-runner.so";
}
#define PPRT_CPU_RUNNER_DEFAULT default_cpu_runner().c_str()

namespace {

using tensor_fn = const int8_t* (*)(vart::Runner*, const char*, size_t*);
using op_fn = int (*)(vart::Runner*, size_t, const char**, const char**, const char**, double*, uint64_t*);
using info_fn = const char* (*)(vart::Runner*, unsigned*);

void usage() {
  std::fprintf(stderr,
               "usage: pprt-check [options] MODEL.xmodel\n"
               "  --runner-lib PATH   the CPU runner plugin (default %s)\n"
               "  --subgraph NAME     the DPU subgraph to run (default: the only DPU subgraph)\n"
               "  --input FILE        raw int8 input, one per subgraph input in order (default: seeded random)\n"
               "  --seed N            seed of the random inputs (default 1)\n"
               "  --compare DIR       compare each op's output with DIR/<op name>.bin (deploy_check_data_int layout)\n"
               "  --dump DIR          write each op's output (and the inputs) to DIR/<op name>.bin\n"
               "  --bench N           run N frames and print per-op time and G-op/s\n"
               "  --selfcheck         also run the subgraph's own runner (the DPU) and compare the outputs\n",
               PPRT_CPU_RUNNER_DEFAULT);
}

// Op name -> file name: '/' and other path characters become '_' (the quantizer's dump names).
std::string file_name(const std::string& op) {
  std::string s = op;
  for (char& c : s)
    if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
  return s + ".bin";
}

bool read_file(const std::string& p, std::vector<int8_t>* out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

bool write_file(const std::string& p, const int8_t* d, size_t n) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(d), static_cast<std::streamsize>(n));
  return static_cast<bool>(f);
}

int8_t* base(vart::TensorBuffer* b, size_t* len) {
  auto d = b->data({0, 0, 0, 0});
  *len = d.second;
  return reinterpret_cast<int8_t*>(d.first);
}

// Run the subgraph's own runner (the DPU on a board) on the CPU runner's inputs, compare every output tensor.
int self_check(const xir::Subgraph* sg, const std::vector<vart::TensorBuffer*>& cpu_in,
               const std::vector<vart::TensorBuffer*>& cpu_out) {
  std::unique_ptr<vart::Runner> dpu = vart::Runner::create_runner(sg, "run");
  auto* ext = dynamic_cast<vart::RunnerExt*>(dpu.get());
  std::vector<std::unique_ptr<pprt::host_tensor_buffer>> own;
  std::vector<vart::TensorBuffer*> in, out;
  if (ext) {
    in = ext->get_inputs();
    out = ext->get_outputs();
  } else {
    // A plain vart::Runner: pprt's host tensor buffers (pprt/host_tensor_buffer.hpp).
    for (auto* t : dpu->get_input_tensors()) own.push_back(pprt::host_tensor_buffer::create(t));
    const size_t nin = own.size();
    for (auto* t : dpu->get_output_tensors()) own.push_back(pprt::host_tensor_buffer::create(t));
    for (size_t k = 0; k < own.size(); ++k) {
      if (!own[k]) throw std::bad_alloc();
      (k < nin ? in : out).push_back(own[k].get());
    }
  }
  for (size_t i = 0; i < in.size() && i < cpu_in.size(); ++i) {
    size_t a, b;
    int8_t* src = base(cpu_in[i], &a);
    int8_t* dst = base(in[i], &b);
    std::memcpy(dst, src, std::min(a, b));
    auto d = in[i]->data({0, 0, 0, 0});
    in[i]->sync_for_write(0, d.second);
  }
  auto job = dpu->execute_async(in, out);
  if (job.second != 0 || dpu->wait(static_cast<int>(job.first), -1) != 0) throw std::runtime_error("DPU run failed");
  int status = 0;
  for (auto* o : out) {
    auto d = o->data({0, 0, 0, 0});
    o->sync_for_read(0, d.second);
    const std::string name = o->get_tensor()->get_name();
    vart::TensorBuffer* c = nullptr;
    for (auto* x : cpu_out)
      if (x->get_tensor()->get_name() == name) c = x;
    if (!c) { std::printf("SELFCHECK: output %s has no CPU counterpart\n", name.c_str()); status = 1; continue; }
    size_t lc;
    int8_t* pc = base(c, &lc);
    const int8_t* pd = reinterpret_cast<const int8_t*>(d.first);
    size_t n = std::min(lc, d.second), ndiff = 0;
    for (size_t j = 0; j < n; ++j) ndiff += pc[j] != pd[j];
    if (ndiff || lc != d.second) {
      std::printf("SELFCHECK DIFFERS: output %s: %zu of %zu values differ\n", name.c_str(), ndiff, n);
      status = 1;
      break;
    }
    std::printf("SELFCHECK: output %s identical (%zu bytes)\n", name.c_str(), n);
  }
  return status;
}

int run(int argc, char** argv) {
  std::string lib = PPRT_CPU_RUNNER_DEFAULT, model, sg_name, compare, dump;
  std::vector<std::string> inputs;
  uint64_t seed = 1;
  int bench = 0;
  bool selfcheck = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--runner-lib") lib = next();
    else if (a == "--subgraph") sg_name = next();
    else if (a == "--input") inputs.push_back(next());
    else if (a == "--seed") seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--compare") compare = next();
    else if (a == "--dump") dump = next();
    else if (a == "--bench") bench = std::atoi(next().c_str());
    else if (a == "--selfcheck") selfcheck = true;
    else if (a == "-h" || a == "--help") { usage(); return 0; }
    else if (!a.empty() && a[0] == '-') throw std::invalid_argument("unknown option " + a);
    else if (model.empty()) model = a;
    else throw std::invalid_argument("more than one model given");
  }
  if (model.empty()) { usage(); return 2; }
  struct stat st;
  if (stat(model.c_str(), &st) != 0 || st.st_size == 0) throw std::runtime_error("cannot read model " + model);
  void* h = dlopen(lib.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!h) throw std::runtime_error("cannot load the runner plugin " + lib + ": " + dlerror());
  auto get_tensor = reinterpret_cast<tensor_fn>(dlsym(h, "pprt_cpu_runner_tensor"));
  auto get_op = reinterpret_cast<op_fn>(dlsym(h, "pprt_cpu_runner_op"));
  auto get_info = reinterpret_cast<info_fn>(dlsym(h, "pprt_cpu_runner_info"));
  if (!get_tensor || !get_op || !get_info) throw std::runtime_error(lib + " is not the pprt CPU runner");

  // Validated, and tried by XIR in a child process first (pprt/xmodel.hpp): bad bytes end as a message.
  std::string read_err;
  std::unique_ptr<xir::Graph> graph = pprt::xmodel::read(model, &read_err);
  if (!graph) throw std::runtime_error(read_err);
  // A quantizer's unpartitioned graph is partitioned first (docs/XMODEL-FORMS.md).
  std::vector<const xir::Subgraph*> dpus;
  std::string err;
  if (!pprt::xmodel::prepare(graph.get(), &dpus, &err)) throw std::runtime_error(model + ": " + err);
  const xir::Subgraph* sg = nullptr;
  std::string names;
  for (const xir::Subgraph* c : dpus) {
    names += (names.empty() ? "" : ", ") + c->get_name();
    if (sg_name.empty() ? dpus.size() == 1 : c->get_name() == sg_name) sg = c;
  }
  if (!sg)
    throw std::runtime_error(model + ": " +
                             (sg_name.empty() ? "the model has " + std::to_string(dpus.size()) + " DPU subgraphs"
                                              : "no DPU subgraph named " + sg_name) +
                             (dpus.empty() ? std::string() : " (use --subgraph NAME: " + names + ")"));
  auto attrs = xir::Attrs::create();
  attrs->set_attr<std::map<std::string, std::string>>("lib", {{"DPU", lib}});
  std::unique_ptr<vart::Runner> runner = vart::Runner::create_runner_with_attrs(sg, attrs.get());
  auto* ext = dynamic_cast<vart::RunnerExt*>(runner.get());
  if (!ext) throw std::runtime_error("the runner is not a RunnerExt");
  auto in = ext->get_inputs();
  auto out = ext->get_outputs();
  if (!inputs.empty() && inputs.size() != in.size())
    throw std::runtime_error("the subgraph has " + std::to_string(in.size()) + " inputs, " +
                             std::to_string(inputs.size()) + " --input given");
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < in.size(); ++i) {
    size_t len;
    int8_t* p = base(in[i], &len);
    if (!inputs.empty()) {
      std::vector<int8_t> d;
      if (!read_file(inputs[i], &d)) throw std::runtime_error("cannot read " + inputs[i]);
      if (d.size() != len)
        throw std::runtime_error(inputs[i] + ": " + std::to_string(d.size()) + " bytes, the input " +
                                 in[i]->get_tensor()->get_name() + " needs " + std::to_string(len));
      std::memcpy(p, d.data(), len);
    } else {
      for (size_t j = 0; j < len; ++j) {  // xorshift64*, ~1/2 zeros like a sparse input
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
        uint64_t r = (s * 0x2545F4914F6CDD1Dull) >> 32;
        p[j] = (r & 1) ? static_cast<int8_t>(static_cast<int>((r >> 8) % 256) - 128) : 0;
      }
    }
  }
  const int frames = bench > 0 ? bench : 1;
  auto t0 = std::chrono::steady_clock::now();
  for (int f = 0; f < frames; ++f) {
    auto job = runner->execute_async(in, out);
    if (job.second != 0 || runner->wait(static_cast<int>(job.first), -1) != 0) throw std::runtime_error("run failed");
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  int status = 0;
  if (!dump.empty()) {
    mkdir(dump.c_str(), 0755);
    for (size_t i = 0; i < in.size(); ++i) {
      size_t len;
      int8_t* p = base(in[i], &len);
      // The graph's tensor (a quantizer's float input has an int8 twin in the runner, without producer).
      const xir::Tensor* gt = graph->get_tensor(in[i]->get_tensor()->get_name());
      const xir::Op* prod = gt ? gt->get_producer() : nullptr;
      std::string op = prod ? prod->get_name() : in[i]->get_tensor()->get_name();
      if (!write_file(dump + "/" + file_name(op), p, len)) throw std::runtime_error("cannot write into " + dump);
    }
  }
  size_t compared = 0, missing = 0, differing = 0;
  const char *name, *type, *tensor;
  double secs;
  uint64_t ops;
  uint64_t total_ops = 0;
  for (size_t i = 0; get_op(runner.get(), i, &name, &type, &tensor, &secs, &ops); ++i) {
    size_t len = 0;
    const int8_t* d = get_tensor(runner.get(), tensor, &len);
    if (!d) continue;
    total_ops += ops;
    if (!dump.empty() && !write_file(dump + "/" + file_name(name), d, len)) throw std::runtime_error("cannot write into " + dump);
    if (!compare.empty()) { // every op, also after a difference: an early difference may or may not propagate
      std::vector<int8_t> ref;
      if (!read_file(compare + "/" + file_name(name), &ref)) {
        ++missing;
        continue;
      }
      ++compared;
      if (ref.size() != len) {
        std::printf("DIFFERS: op %s (%s): dump has %zu bytes, the op outputs %zu\n", name, type, ref.size(), len);
        status = 1;
        ++differing;
        continue;
      }
      size_t ndiff = 0, first = 0;
      int maxd = 0;
      for (size_t j = 0; j < len; ++j)
        if (ref[j] != d[j]) {
          if (!ndiff) first = j;
          ++ndiff;
          maxd = std::max(maxd, std::abs(static_cast<int>(ref[j]) - d[j]));
        }
      if (ndiff) {
        std::printf("DIFFERS: op %s (%s): %zu of %zu values differ, max |diff| %d LSB, first at index %zu "
                    "(dump %d, cpu %d)\n", name, type, ndiff, len, maxd, first, ref[first], d[first]);
        status = 1;
        ++differing;
      }
    }
    if (bench > 0)
      std::printf("%-24s %-48s %9.2f ms %8.2f G-op/s\n", type, name, 1e3 * secs / frames,
                  secs > 0 ? ops / (secs / frames) / 1e9 : 0.0);
  }
  if (!compare.empty() && differing > 0) {
    std::printf("DIFFERS: %zu of %zu compared ops differ from %s (%zu without a file)\n", differing, compared,
                compare.c_str(), missing);
  } else if (!compare.empty() && status == 0) {
    if (compared == 0) {
      std::printf("NO DATA: no op of %s has a file in %s\n", sg->get_name().c_str(), compare.c_str());
      status = 1;
    } else {
      std::printf("OK: %zu ops identical to %s (%zu without a file)\n", compared, compare.c_str(), missing);
    }
  }
  if (bench > 0) {
    unsigned threads = 0;
    const char* gemm = get_info(runner.get(), &threads);
    std::printf("frame: %.1f ms, %.2f G-op/frame, %.2f G-op/s (gemm %s, %u threads)\n", 1e3 * total_s / frames,
                total_ops / 1e9, total_ops / (total_s / frames) / 1e9, gemm, threads);
  }
  if (selfcheck) status = std::max(status, self_check(sg, in, out));
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pprt-check: %s\n", e.what());
    return 2;
  }
}
