// The xmodel forms and the partition of a quantizer's graph (xmodel.hpp, docs/XMODEL-FORMS.md).
#include "model/xmodel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <any>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>
#include <xir/graph/graph.hpp>
#include <xir/graph/subgraph.hpp>
#include <xir/op/op.hpp>
#include <xir/tensor/tensor.hpp>

#include "model/xmodel.h"
#include "model/xmodel_check.h"

namespace pprt {
namespace xmodel {

namespace {

enum dev { USER, CPU, DPU };

bool is_conv(const std::string& t) { return t == "conv2d" || t == "depthwise-conv2d" || t == "transposed-conv2d"; }
bool is_act(const std::string& t) { return t == "relu" || t == "relu6" || t == "leaky-relu"; }
bool is_layout(const std::string& t) {
  return t == "transpose" || t == "reshape" || t == "flatten" || t == "squeeze" || t == "identity";
}

const xir::Op* input_op(const xir::Op* op, const char* arg) {
  auto v = op->get_input_ops(arg);
  return v.size() == 1 ? v[0] : nullptr;
}

// A weight the DPU can hold: a fix op reading a const.
bool is_weight(const xir::Op* op) {
  if (!op || op->get_type() != "fix") return false;
  const xir::Op* c = input_op(op, "input");
  return c && c->get_type() == "const";
}

// The fix point of a quantizer's float tensor at a DPU subgraph's edge: that of the fix op producing it, directly or
// through layout-only ops (the transpose between the KITTI scatter and the RPN). false if there is none.
bool traced_fix_point(const xir::Tensor* t, int* fp) {
  for (int hops = 0; t && hops < 16; ++hops) {
    if (t->has_attr("fix_point") && t->get_attr("fix_point").type() == typeid(int)) {
      *fp = t->get_attr<int>("fix_point");
      return true;
    }
    const xir::Op* p = t->get_producer();
    if (!p) return false;
    if (p->get_type() == "fix" && p->has_attr("fix_point") && p->get_attr("fix_point").type() == typeid(int)) {
      *fp = p->get_attr<int>("fix_point");
      return true;
    }
    if (!is_layout(p->get_type()) || p->get_input_num() != 1) return false;
    t = p->get_input_tensors().at(0);
  }
  return false;
}

std::string str_attr(const xir::Subgraph* s, const char* key) {
  if (!s->has_attr(key)) return "";
  auto a = s->get_attr(key);
  return a.type() == typeid(std::string) ? std::any_cast<std::string>(a) : "";
}

}  // namespace

const char* form_name(form f) {
  switch (f) {
    case form::compiled: return "compiled";
    case form::generated: return "pprt-generated";
    case form::quantized: return "quantized";
    default: return "unknown";
  }
}

form detect(const xir::Graph* g) {
  const xir::Subgraph* root = g->get_root_subgraph();
  if (root->is_leaf()) {
    for (const xir::Op* op : g->get_ops())
      if (op->get_type() == "fix") return form::quantized;
    return form::unknown;
  }
  bool dpu = false;
  for (const xir::Subgraph* c : root->get_children()) {
    if (str_attr(c, "device") != "DPU") continue;
    dpu = true;
    if (c->has_attr("mc_code")) {
      auto a = c->get_attr("mc_code");
      if (a.type() == typeid(std::vector<char>) && !std::any_cast<std::vector<char>>(a).empty()) return form::compiled;
    }
  }
  return dpu ? form::generated : form::unknown;
}

bool partition(xir::Graph* g, std::string* err) {
  xir::Subgraph* root = g->get_root_subgraph();
  if (!root->is_leaf()) {
    *err = "graph " + g->get_name() + " is already partitioned";
    return false;
  }
  const std::vector<xir::Op*> ops = g->topological_sort();
  std::map<const xir::Op*, dev> d;
  auto dev_of = [&](const xir::Op* op) { auto it = d.find(op); return it == d.end() ? CPU : it->second; };
  // A tensor the DPU can read: produced by a DPU op, a (USER) fix, or a fix through layout-only ops.
  auto quantized_input = [&](const xir::Op* p) {
    for (int hops = 0; p && hops < 16; ++hops) {
      if (dev_of(p) == DPU || p->get_type() == "fix") return true;
      if (!is_layout(p->get_type()) || p->get_input_num() != 1) return false;
      p = p->get_input_ops().begin()->second.at(0);
    }
    return false;
  };
  // Pass 1, in topological order: the data ops and the compute chains.
  for (const xir::Op* op : ops) {
    const std::string t = op->get_type();
    const xir::Op* in = input_op(op, "input");
    if (t == "data") {
      d[op] = USER;
    } else if (t == "fix" && in && in->get_type() == "data") {
      d[op] = USER;
    } else if (t == "const" || is_weight(op)) {
      continue;  // pass 2
    } else if (is_conv(t)) {
      const bool w = is_weight(input_op(op, "weights"));
      const bool b = op->get_input_ops("bias").empty() || is_weight(input_op(op, "bias"));
      d[op] = w && b && in && quantized_input(in) ? DPU : CPU;
    } else if (t == "reduction_max") {
      bool ok = in && quantized_input(in) && op->get_input_tensors("input").at(0)->get_shape().size() == 4;
      if (ok && op->has_attr("axis") && op->get_attr("axis").type() == typeid(std::vector<int>)) {
        for (int a : op->get_attr<std::vector<int>>("axis")) ok = ok && (a == 1 || a == 2 || a == -3 || a == -2);
      } else {
        ok = false;
      }
      d[op] = ok ? DPU : CPU;
    } else if (t == "concat") {
      bool all = op->get_input_num() > 0;
      for (const xir::Op* i : op->get_input_ops("input")) all = all && dev_of(i) == DPU;
      d[op] = all ? DPU : CPU;
    } else if (is_act(t)) {
      d[op] = in && is_conv(in->get_type()) && dev_of(in) == DPU && in->get_fanout_num() == 1 ? DPU : CPU;
    } else if (t == "fix") {
      d[op] = in && dev_of(in) == DPU ? DPU : CPU;
    } else {
      d[op] = CPU;
    }
  }
  // Pass 2: a weight goes where all its readers are.
  for (const xir::Op* op : ops) {
    if (!is_weight(op)) continue;
    bool all = op->get_fanout_num() > 0;
    for (const xir::Op* u : op->get_fanout_ops()) all = all && dev_of(u) == DPU;
    d[op] = all ? DPU : CPU;
  }
  for (const xir::Op* op : ops) {
    if (op->get_type() != "const") continue;
    bool all = op->get_fanout_num() > 0;
    for (const xir::Op* u : op->get_fanout_ops()) all = all && dev_of(u) == DPU;
    d[op] = all ? DPU : CPU;
  }
  // Connected DPU ops form one subgraph (union-find over DPU -> DPU edges); data + its fix one USER subgraph.
  std::map<const xir::Op*, const xir::Op*> parent;
  std::function<const xir::Op*(const xir::Op*)> find = [&](const xir::Op* x) {
    const xir::Op* p = parent.count(x) ? parent[x] : x;
    if (p == x) return x;
    const xir::Op* r = find(p);
    parent[x] = r;
    return r;
  };
  for (const xir::Op* op : ops)
    for (const xir::Op* u : op->get_fanout_ops())
      if (dev_of(op) == dev_of(u) && dev_of(op) != CPU) parent[find(u)] = find(op);
  std::map<const xir::Op*, std::vector<const xir::Op*>> groups;
  for (const xir::Op* op : ops)
    if (dev_of(op) != CPU) groups[find(op)].push_back(op);
  // XIR aborts when merged children depend on each other: refuse a DPU group that leaves and re-enters itself.
  for (auto& kv : groups) {
    std::set<const xir::Op*> in(kv.second.begin(), kv.second.end());
    std::vector<std::pair<const xir::Op*, const xir::Op*>> todo;  // (op outside, the op of the group it left)
    std::set<const xir::Op*> seen;
    for (const xir::Op* op : kv.second)
      for (const xir::Op* u : op->get_fanout_ops())
        if (!in.count(u)) todo.push_back({u, op});
    while (!todo.empty()) {
      auto [x, from] = todo.back();
      todo.pop_back();
      if (!seen.insert(x).second) continue;
      for (const xir::Op* u : x->get_fanout_ops()) {
        if (in.count(u)) {
          *err = "cannot partition graph " + g->get_name() + ": DPU ops " + from->get_name() + " and " + u->get_name() +
                 " would share a DPU subgraph but are joined through the " + x->get_type() + " op " + x->get_name() +
                 " outside it";
          return false;
        }
        todo.push_back({u, from});
      }
    }
  }
  root->create_children();
  for (auto& kv : groups) {
    std::set<xir::Subgraph*> children;
    for (const xir::Op* op : kv.second) children.insert(root->find_op(op));
    xir::Subgraph* s = children.size() == 1 ? *children.begin() : root->merge_children(children);
    s->set_attr<std::string>("device", dev_of(kv.first) == DPU ? "DPU" : "USER");
    if (dev_of(kv.first) == DPU) {
      // No machine code: only pprt's CPU runner can run it (VART needs a "runner" entry for its mode).
      s->set_attr<std::string>("pprt_form", "quantized");
      s->set_attr<std::map<std::string, std::string>>("runner", {{"run", "libpprt-cpu-runner.so"},
                                                                 {"ref", "libpprt-cpu-runner.so"}});
      // The float tensors at its edges carry the fix point the runner's int8 twins of them use.
      std::vector<const xir::Tensor*> edge;
      for (const xir::Tensor* t : s->get_sorted_input_tensors()) edge.push_back(t);
      for (const xir::Tensor* t : s->get_sorted_output_tensors()) edge.push_back(t);
      for (const xir::Tensor* t : edge) {
        int fp;
        xir::Tensor* gt = g->get_tensor(t->get_name());
        if (gt && !t->has_attr("fix_point") && traced_fix_point(t, &fp)) gt->set_attr<int>("fix_point", fp);
      }
    }
  }
  for (const xir::Op* op : ops)
    if (dev_of(op) == CPU) root->find_op(op)->set_attr<std::string>("device", "CPU");
  return true;
}

std::vector<const xir::Subgraph*> dpu_subgraphs(const xir::Graph* g) {
  std::vector<const xir::Subgraph*> v;
  const xir::Subgraph* root = g->get_root_subgraph();
  if (root->is_leaf()) return v;
  for (const xir::Subgraph* c : root->children_topological_sort())
    if (str_attr(c, "device") == "DPU") v.push_back(c);
  return v;
}

bool prepare(xir::Graph* g, std::vector<const xir::Subgraph*>* dpus, std::string* err) {
  if (detect(g) == form::quantized && !partition(g, err)) return false;
  *dpus = dpu_subgraphs(g);
  return true;
}

double op_gops(const xir::Op* op) {
  const std::string t = op->get_type();
  const bool conv = t == "conv2d" || t == "conv2d-fix", dw = t == "depthwise-conv2d" || t == "depthwise-conv2d-fix",
             tr = t == "transposed-conv2d" || t == "transposed-conv2d-fix";
  if (!conv && !dw && !tr) return 0;
  auto ins = op->get_input_tensors("input");
  auto ws = op->get_input_tensors("weights");
  if (ins.size() != 1 || ws.size() != 1) return 0;
  auto i = ins[0]->get_shape(), o = op->get_output_tensor()->get_shape(), w = ws[0]->get_shape();
  if (i.size() != 4 || o.size() != 4 || w.size() != 4) return 0;
  const double kh = w[1], kw = w[2];
  if (tr) return 2.0 * i[0] * i[1] * i[2] * i[3] * o[3] * kh * kw / 1e9;
  if (dw) return 2.0 * o[0] * o[1] * o[2] * o[3] * kh * kw / 1e9;
  return 2.0 * o[0] * o[1] * o[2] * o[3] * kh * kw * i[3] / 1e9;
}


// ---- pprt inspect ----------------------------------------------------------------------------------------------

namespace {

std::string dims(const std::vector<std::int32_t>& s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "x" : "") + std::to_string(s[i]);
  return r;
}

// "name 1x12000x100x4 xint8 fix_point 6" for a subgraph boundary tensor (a quantizer's float tensor is shown as the
// int8 tensor the runner exposes, with the fix point pprt found for it).
std::string tensor_line(const xir::Tensor* t) {
  std::string r = t->get_name() + "  " + dims(t->get_shape()) + "  ";
  const auto dt = t->get_data_type();
  if (dt.type == xir::DataType::FLOAT) r += "float32 (int8 for the runner)";
  else r += dt.to_string();
  if (t->has_attr("fix_point") && t->get_attr("fix_point").type() == typeid(int))
    r += "  fix_point " + std::to_string(t->get_attr<int>("fix_point"));
  else
    r += "  fix_point ?";
  return r;
}

std::string op_counts(const std::vector<const xir::Op*>& ops) {
  std::map<std::string, int> n;
  for (const xir::Op* op : ops) ++n[op->get_type()];
  std::vector<std::pair<std::string, int>> v(n.begin(), n.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string r;
  for (auto& kv : v) r += (r.empty() ? "" : ", ") + kv.first + " " + std::to_string(kv.second);
  return r;
}

uint64_t u64_attr(const xir::Subgraph* s, const char* key) {
  if (!s->has_attr(key)) return 0;
  auto a = s->get_attr(key);
  return a.type() == typeid(std::uint64_t) ? std::any_cast<std::uint64_t>(a) : 0;
}

const char* form_text(form f) {
  switch (f) {
    case form::compiled: return "compiled (vai_c_xir output: DPU subgraphs with machine code, upload/download ops)";
    case form::generated: return "pprt-generated (partitioned `*-fix` DPU subgraphs without machine code)";
    case form::quantized:
      return "quantized (vai_q_pytorch *_int.xmodel: float ops + fix ops, not partitioned; shown as pprt partitions "
             "it, docs/XMODEL-FORMS.md)";
    default: return "unknown (no DPU subgraph and no fix op)";
  }
}

}  // namespace

namespace {

// XIR's own reason from what the child wrote to stderr: the last glog FATAL line ("F<date> ... [UNILOG][FATAL]..."),
// else the last line that is not part of glog's stack dump; printable, at most 300 characters.
std::string last_line(const std::string& text) {
  std::string best, fallback;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (line.find("[FATAL]") != std::string::npos || (line.size() > 1 && line[0] == 'F' && line[1] >= '0' && line[1] <= '9'))
      best = line;
    else if (line.compare(0, 3, "***") != 0 && line.find("@ 0x") == std::string::npos && line.compare(0, 4, "    ") != 0)
      fallback = line;
  }
  const std::string& pick = best.empty() ? fallback : best;
  std::string r;
  for (size_t i = 0; i < pick.size() && r.size() < 300; ++i)
    r += (pick[i] >= 0x20 && pick[i] < 0x7f) ? pick[i] : '?';
  return r;
}

double now_s() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace

bool xir_in_child(const std::string& bytes, std::string* err) {
  int fds[2];
  if (pipe(fds) != 0) {
    *err = std::string("cannot create a pipe for the child process that tries XIR first: ") + std::strerror(errno);
    return false;
  }
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    *err = std::string("cannot fork the child process that tries XIR first: ") + std::strerror(errno) +
           " (PPRT_XMODEL_NO_CHILD=1 skips it)";
    return false;
  }
  if (pid == 0) {
    // The child: XIR reads the graph, pprt partitions it as the parent will; any abort stays here. Its output
    // goes to the pipe (stderr) or nowhere (stdout); _exit skips every destructor and atexit handler.
    close(fds[0]);
    // The process's own crash handlers (a fuzzer's, a language runtime's) must not run here: an abort or a crash
    // ends the child with its signal, which the parent reports.
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP}) signal(sig, SIG_DFL);
    dup2(fds[1], 2);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, 1);
    try {
      std::unique_ptr<xir::Graph> g = xir::Graph::deserialize_from_string(bytes);
      if (g) {
        std::vector<const xir::Subgraph*> dpus;
        std::string why;
        if (g->get_root_subgraph()->is_leaf()) prepare(g.get(), &dpus, &why);
        else dpu_subgraphs(g.get());
      }
    } catch (...) {
      // An exception is reported by the parent's own attempt, which catches it.
    }
    _exit(0);
  }
  close(fds[1]);
  const char* t = std::getenv("PPRT_XMODEL_CHILD_TIMEOUT");
  const double limit = t && std::atof(t) > 0 ? std::atof(t) : 120.0;
  const double start = now_s();
  std::string text;
  bool timed_out = false;
  for (;;) {
    struct pollfd p = {fds[0], POLLIN, 0};
    const double left = limit - (now_s() - start);
    if (left <= 0) {
      timed_out = true;
      break;
    }
    const int r = poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    const ssize_t got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buf, static_cast<size_t>(got));
    if (text.size() > 65536) text.erase(0, text.size() - 16384);
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    *err = "XIR did not finish reading it in " + std::to_string(static_cast<int>(limit)) +
           " s (in a child process; PPRT_XMODEL_CHILD_TIMEOUT sets the limit)";
    return false;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  const std::string line = last_line(text);
  if (WIFSIGNALED(status))
    *err = std::string("XIR ") + (WTERMSIG(status) == SIGABRT ? std::string("aborted") : "crashed (signal " +
                                  std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")") +
           " reading it (caught in a child process)" + (line.empty() ? "" : ": " + line);
  else
    *err = "XIR exited with status " + std::to_string(WEXITSTATUS(status)) +
           " reading it (caught in a child process)" + (line.empty() ? "" : ": " + line);
  return false;
}

std::unique_ptr<xir::Graph> deserialize_checked(const std::string& bytes, std::string* err) {
  struct pprt_xmodel_check r;
  if (!pprt_xmodel_check_bytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &r)) {
    char buf[800];
    pprt_xmodel_check_format(&r, buf, sizeof buf);
    *err = std::string("not a valid xmodel: ") + buf;
    return nullptr;
  }
  const char* skip = std::getenv("PPRT_XMODEL_NO_CHILD");
  if (!(skip && skip[0] == '1') && !xir_in_child(bytes, err)) return nullptr;
  try {
    std::unique_ptr<xir::Graph> g = xir::Graph::deserialize_from_string(bytes);
    if (!g) *err = "XIR could not deserialize the graph";
    return g;
  } catch (const std::exception& e) {
    *err = std::string("XIR: ") + e.what();
    return nullptr;
  }
}

std::unique_ptr<xir::Graph> read(const std::string& path, std::string* err) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = path + ": cannot read (not a regular file)";
    return nullptr;
  }
  std::string bytes;
  {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      *err = path + ": cannot open";
      return nullptr;
    }
    bytes.resize(static_cast<size_t>(st.st_size));
    bytes.resize(std::fread(&bytes[0], 1, bytes.size(), f));
    std::fclose(f);
  }
  std::unique_ptr<xir::Graph> g = deserialize_checked(bytes, err);
  if (!g) *err = path + ": " + *err;
  return g;
}

bool describe(xir::Graph* g, const std::string& path, FILE* out, std::string* err) {
  const form f = detect(g);
  std::fprintf(out, "%s\n  form: %s\n", path.c_str(), form_text(f));
  std::vector<const xir::Op*> all;
  for (const xir::Op* op : g->get_ops()) all.push_back(op);
  double gop = 0;
  for (const xir::Op* op : all) gop += op_gops(op);
  std::fprintf(out, "  graph %s: %zu ops: %s\n", g->get_name().c_str(), all.size(), op_counts(all).c_str());
  std::fprintf(out, "  G-op per frame: %.3f (2 per multiply-accumulate of the conv / deconv ops)\n", gop);
  std::vector<const xir::Subgraph*> dpus;
  if (!prepare(g, &dpus, err)) return false;
  const xir::Subgraph* root = g->get_root_subgraph();
  if (root->is_leaf()) {
    std::fprintf(out, "  not partitioned\n");
    return true;
  }
  std::fprintf(out, "  subgraphs (in execution order):\n");
  for (const xir::Subgraph* c : root->children_topological_sort()) {
    const std::string dev = str_attr(c, "device");
    std::vector<const xir::Op*> ops;
    for (const xir::Op* op : c->get_ops()) ops.push_back(op);
    std::fprintf(out, "    %-4s %s\n", dev.empty() ? "?" : dev.c_str(), c->get_name().c_str());
    if (dev != "DPU") {
      std::fprintf(out, "         ops: %s\n", op_counts(ops).c_str());
      continue;
    }
    double sg_gop = 0;
    for (const xir::Op* op : ops) sg_gop += op_gops(op);
    std::string dpu = str_attr(c, "dpu_name");
    char fp[32] = "";
    if (c->has_attr("dpu_fingerprint") && c->get_attr("dpu_fingerprint").type() == typeid(std::uint64_t))
      std::snprintf(fp, sizeof fp, "0x%llx", static_cast<unsigned long long>(u64_attr(c, "dpu_fingerprint")));
    std::fprintf(out, "         DPU %s, fingerprint %s, %s\n", dpu.empty() ? "(none)" : dpu.c_str(),
                 fp[0] ? fp : "(none)",
                 str_attr(c, "pprt_form") == "quantized" ? "no machine code (pprt's CPU runner only)"
                 : c->has_attr("mc_code")                ? "machine code present"
                                                         : "no machine code");
    std::fprintf(out, "         %.3f G-op", sg_gop);
    if (u64_attr(c, "workload")) std::fprintf(out, " (xmodel workload %.3f G-op)", u64_attr(c, "workload") / 1e9);
    std::fprintf(out, "; ops: %s\n", op_counts(ops).c_str());
    for (const xir::Tensor* t : c->get_sorted_input_tensors()) std::fprintf(out, "         in   %s\n", tensor_line(t).c_str());
    for (const xir::Tensor* t : c->get_sorted_output_tensors()) std::fprintf(out, "         out  %s\n", tensor_line(t).c_str());
  }
  return true;
}

}  // namespace xmodel
}  // namespace pprt

enum pprt_status pprt_xmodel_describe(const char* path, FILE* out, struct pprt_err* err) {
  try {
    std::string why;
    std::unique_ptr<xir::Graph> g = pprt::xmodel::read(path, &why);
    if (!g) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s", why.c_str());
    if (!pprt::xmodel::describe(g.get(), path, out, &why))
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s", path, why.c_str());
    return PPRT_STATUS_OK;
  } catch (const std::exception& e) {
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s", path, e.what());
  }
}

enum pprt_status pprt_xmodel_load_bytes(const void* bytes, size_t n, enum pprt_xmodel_xir xir, struct pprt_err* err) {
  try {
    struct pprt_xmodel_check r;
    if (!pprt_xmodel_check_bytes(static_cast<const unsigned char*>(bytes), n, &r)) {
      char buf[800];
      pprt_xmodel_check_format(&r, buf, sizeof buf);
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "not a valid xmodel: %s", buf);
    }
    if (xir == PPRT_XMODEL_XIR_NONE) return PPRT_STATUS_OK;
    const std::string s(static_cast<const char*>(bytes), n);
    std::string why;
    if (xir == PPRT_XMODEL_XIR_CHILD && !pprt::xmodel::xir_in_child(s, &why))
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s", why.c_str());
    std::unique_ptr<xir::Graph> g = xir::Graph::deserialize_from_string(s);
    if (!g) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "XIR could not deserialize the graph");
    std::vector<const xir::Subgraph*> dpus;
    if (g->get_root_subgraph()->is_leaf()) pprt::xmodel::prepare(g.get(), &dpus, &why);
    return PPRT_STATUS_OK;
  } catch (const std::bad_alloc&) {
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory while reading the xmodel");
  } catch (const std::exception& e) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "XIR: %s", e.what());
  }
}
