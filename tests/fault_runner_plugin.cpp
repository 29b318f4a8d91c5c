// A VART runner plugin that fails on demand (docs/RELIABILITY.md, "Fault injection"): it wraps a real runner plugin
// (PPRT_FAULT_INNER: a library path, default pprt's CPU runner; libvart-dummy-runner.so works too) and injects the
// faults PPRT_FAULT lists. Loaded like the CPU runner: pprt_options.runner = PPRT_RUNNER_CPU, runner_lib = this
// library. C++ because VART's runner interface is.
//
// PPRT_FAULT = rule[;rule...], rule = <subgraph>:<when>:<action>
//   subgraph  sg0 (the pillar feature net: one output tensor), sg1 (the head: several outputs), any
//   when      job=N   the N-th job (execute_async) of that subgraph in this process, counted from 1
//             every=N jobs N, 2N, 3N, ...
//             create  when the runner is created
//   action    status  execute_async returns an error status (VART's "job not accepted")
//             throw   execute_async (or create) throws std::runtime_error("pprt fault plugin: injected ...")
//             waitfail  the job runs, wait() returns an error
//             null    (create only) create_runner_with_attrs returns no runner
//             slow=MS the job takes MS milliseconds longer, then runs normally
//             alloc=N the job makes N heap allocations (malloc + free), then runs normally: what pprt bench's
//                     allocation counter (libpprt-alloccount.so) must count
// Job counters start at 0 when a runner is created with a PPRT_FAULT different from the last one read, or when a
// program calls pprt_fault_reset() (found with dlsym on this library).
#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <vart/runner.hpp>
#include <vart/runner_ext.hpp>
#include <xir/attrs/attrs.hpp>
#include <xir/graph/subgraph.hpp>

#define PPRT_FAULT_API extern "C" __attribute__((visibility("default")))

#ifndef PPRT_FAULT_DEFAULT_INNER
#define PPRT_FAULT_DEFAULT_INNER "libpprt-cpu-runner.so"
#endif

namespace {

enum class when_kind { job, every, create };
enum class action_kind { status, thrown, waitfail, null_runner, slow, alloc };

struct rule {
  int sg;  // 0, 1, -1 = any
  when_kind when;
  unsigned long n;
  action_kind action;
  unsigned long ms;  // slow=MS; alloc=N: N
};

std::mutex g_mu;
std::string g_spec;  // the PPRT_FAULT text the rules came from
std::vector<rule> g_rules;
std::atomic<unsigned long> g_jobs[2];

[[noreturn]] void bad_spec(const std::string& r, const char* why) {
  throw std::runtime_error("pprt fault plugin: PPRT_FAULT rule '" + r + "': " + why);
}

std::vector<rule> parse(const std::string& spec) {
  std::vector<rule> out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t end = spec.find(';', pos);
    if (end == std::string::npos) end = spec.size();
    std::string r = spec.substr(pos, end - pos);
    pos = end + 1;
    if (r.empty()) continue;
    size_t c1 = r.find(':'), c2 = c1 == std::string::npos ? c1 : r.find(':', c1 + 1);
    if (c2 == std::string::npos) bad_spec(r, "expected <subgraph>:<when>:<action>");
    std::string sg = r.substr(0, c1), when = r.substr(c1 + 1, c2 - c1 - 1), act = r.substr(c2 + 1);
    rule x{};
    if (sg == "sg0") x.sg = 0;
    else if (sg == "sg1") x.sg = 1;
    else if (sg == "any") x.sg = -1;
    else bad_spec(r, "subgraph must be sg0, sg1 or any");
    auto number = [&](const std::string& s) {
      char* e = nullptr;
      unsigned long v = std::strtoul(s.c_str(), &e, 10);
      if (s.empty() || *e != '\0' || v == 0) bad_spec(r, "expected a positive number");
      return v;
    };
    if (when == "create") x.when = when_kind::create;
    else if (when.rfind("job=", 0) == 0) x.when = when_kind::job, x.n = number(when.substr(4));
    else if (when.rfind("every=", 0) == 0) x.when = when_kind::every, x.n = number(when.substr(6));
    else bad_spec(r, "when must be job=N, every=N or create");
    if (act == "status") x.action = action_kind::status;
    else if (act == "throw") x.action = action_kind::thrown;
    else if (act == "waitfail") x.action = action_kind::waitfail;
    else if (act == "null") x.action = action_kind::null_runner;
    else if (act.rfind("slow=", 0) == 0) x.action = action_kind::slow, x.ms = number(act.substr(5));
    else if (act.rfind("alloc=", 0) == 0) x.action = action_kind::alloc, x.ms = number(act.substr(6));
    else bad_spec(r, "action must be status, throw, waitfail, null, slow=MS or alloc=N");
    const bool ok = x.when == when_kind::create
                        ? x.action == action_kind::thrown || x.action == action_kind::null_runner
                        : x.action != action_kind::null_runner;
    if (!ok) bad_spec(r, "create takes throw or null; jobs take status, throw, waitfail, slow=MS or alloc=N");
    out.push_back(x);
  }
  return out;
}

// Read PPRT_FAULT; a different text than last time replaces the rules and restarts the job counts.
void load_spec() {
  const char* e = std::getenv("PPRT_FAULT");
  std::string spec = e != nullptr ? e : "";
  std::lock_guard<std::mutex> l(g_mu);
  if (spec == g_spec) return;
  g_rules = parse(spec);
  g_spec = spec;
  g_jobs[0] = 0;
  g_jobs[1] = 0;
}

std::vector<rule> rules_for(int sg, when_kind kind, unsigned long job) {
  std::vector<rule> hit;
  std::lock_guard<std::mutex> l(g_mu);
  for (const rule& x : g_rules) {
    if (x.sg != -1 && x.sg != sg) continue;
    if (kind == when_kind::create ? x.when == when_kind::create
                                  : (x.when == when_kind::job && x.n == job) ||
                                        (x.when == when_kind::every && job % x.n == 0))
      hit.push_back(x);
  }
  return hit;
}

using create_fn = vart::Runner* (*)(const xir::Subgraph*, xir::Attrs*);

void* inner_library() {
  static std::once_flag once;
  static void* h = nullptr;
  static std::string why;
  std::call_once(once, [] {
    const char* lib = std::getenv("PPRT_FAULT_INNER");
    if (lib == nullptr || lib[0] == '\0') lib = PPRT_FAULT_DEFAULT_INNER;
    h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) why = std::string("pprt fault plugin: cannot load the inner runner ") + lib + ": " + dlerror();
  });
  if (h == nullptr) throw std::runtime_error(why);
  return h;
}

// The wrapper. Base is vart::RunnerExt when the inner runner is one (pprt then maps the inner runner's own buffers,
// zero copy, as without the plugin), else vart::Runner.
template <class Base>
class fault_runner : public Base {
 public:
  fault_runner(std::unique_ptr<vart::Runner> inner, int sg) : inner_(std::move(inner)), sg_(sg) {}

  std::pair<uint32_t, int> execute_async(const std::vector<vart::TensorBuffer*>& in,
                                         const std::vector<vart::TensorBuffer*>& out) override {
    const unsigned long job = ++g_jobs[sg_];
    bool fail_wait = false;
    for (const rule& x : rules_for(sg_, when_kind::job, job)) {
      switch (x.action) {
        case action_kind::status: return {0, 1};
        case action_kind::thrown:
          throw std::runtime_error("pprt fault plugin: injected exception in job " + std::to_string(job) + " of sg" +
                                   std::to_string(sg_));
        case action_kind::waitfail: fail_wait = true; break;
        case action_kind::slow: std::this_thread::sleep_for(std::chrono::milliseconds(x.ms)); break;
        case action_kind::alloc:
          for (unsigned long k = 0; k < x.ms; ++k) {
            void* (*volatile alloc)(size_t) = std::malloc;  // through a volatile pointer: not optimised away
            std::free(alloc(64));
          }
          break;
        default: break;
      }
    }
    std::pair<uint32_t, int> r = inner_->execute_async(in, out);
    if (fail_wait && r.second == 0) {
      std::lock_guard<std::mutex> l(mu_);
      failing_.insert(r.first);
    }
    return r;
  }

  int wait(int jobid, int timeout) override {
    int w = inner_->wait(jobid, timeout);
    std::lock_guard<std::mutex> l(mu_);
    if (failing_.erase(static_cast<uint32_t>(jobid)) > 0) return 1;
    return w;
  }

  vart::Runner::TensorFormat get_tensor_format() override { return inner_->get_tensor_format(); }
  std::vector<const xir::Tensor*> get_input_tensors() override { return inner_->get_input_tensors(); }
  std::vector<const xir::Tensor*> get_output_tensors() override { return inner_->get_output_tensors(); }

 protected:
  std::unique_ptr<vart::Runner> inner_;
  int sg_;
  std::mutex mu_;
  std::set<uint32_t> failing_;
};

class fault_runner_ext : public fault_runner<vart::RunnerExt> {
 public:
  fault_runner_ext(std::unique_ptr<vart::Runner> inner, int sg) : fault_runner(std::move(inner), sg) {}
  std::vector<vart::TensorBuffer*> get_inputs() override {
    return dynamic_cast<vart::RunnerExt*>(inner_.get())->get_inputs();
  }
  std::vector<vart::TensorBuffer*> get_outputs() override {
    return dynamic_cast<vart::RunnerExt*>(inner_.get())->get_outputs();
  }
};

vart::Runner* create(const xir::Subgraph* sg, xir::Attrs* attrs) {
  load_spec();
  auto outs = sg->get_output_tensors();
  const int which = outs.size() > 1 ? 1 : 0;
  for (const rule& x : rules_for(which, when_kind::create, 0)) {
    if (x.action == action_kind::null_runner) return nullptr;
    throw std::runtime_error("pprt fault plugin: injected exception creating the runner of sg" +
                             std::to_string(which));
  }
  auto fn = reinterpret_cast<create_fn>(dlsym(inner_library(), "create_runner_with_attrs"));
  if (fn == nullptr) throw std::runtime_error("pprt fault plugin: the inner runner has no create_runner_with_attrs");
  std::unique_ptr<vart::Runner> inner(fn(sg, attrs));
  if (!inner) return nullptr;
  if (dynamic_cast<vart::RunnerExt*>(inner.get()) != nullptr) return new fault_runner_ext(std::move(inner), which);
  return new fault_runner<vart::Runner>(std::move(inner), which);
}

}  // namespace

PPRT_FAULT_API vart::Runner* create_runner_with_attrs(const xir::Subgraph* subgraph, xir::Attrs* attrs) {
  return create(subgraph, attrs);
}

PPRT_FAULT_API vart::Runner* create_runner(const xir::Subgraph* subgraph) { return create(subgraph, nullptr); }

// Re-read PPRT_FAULT now and restart the job counts (for tests running several cases in one process).
// Returns 0, or -1 if PPRT_FAULT does not parse (no rules are then in force).
PPRT_FAULT_API int pprt_fault_reset(void) {
  {
    std::lock_guard<std::mutex> l(g_mu);
    g_spec = "\x01";  // never a real spec: forces load_spec to parse again
    g_rules.clear();
  }
  try {
    load_spec();
    return 0;
  } catch (...) {
    return -1;
  }
}
