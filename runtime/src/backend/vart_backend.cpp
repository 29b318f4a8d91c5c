// The VART/XIR adapter: the only C++ of the runtime. Everything XIR or VART could abort on is checked first,
// every exception is caught and turned into a status with one message.
#include "backend/vart_backend.h"
#include "backend/backend.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <vart/runner.hpp>
#include <vart/runner_ext.hpp>
#include <vart/tensor_buffer.hpp>
#include <xir/attrs/attrs.hpp>
#include <xir/graph/graph.hpp>
#include <xir/graph/subgraph.hpp>
#include <xir/tensor/tensor.hpp>
#include <xir/util/data_type.hpp>

#include "backend/dpu_preflight.h"
#include "model/xmodel.hpp"
#include "pprt/host_tensor_buffer.hpp"

namespace {

// ---- tensors ----------------------------------------------------------------------------------------------

bool is_int8(const xir::Tensor* t) {
  const xir::DataType& dt = t->get_data_type();
  return dt.bit_width == 8 && (dt.type == xir::DataType::XINT || dt.type == xir::DataType::INT);
}

uint64_t frame_elements(const std::vector<int32_t>& shape) {
  uint64_t e = 1;
  for (size_t k = 1; k < shape.size(); ++k) e *= static_cast<uint64_t>(shape[k] > 0 ? shape[k] : 0);
  return e;
}

uint64_t all_elements(const std::vector<int32_t>& shape) {
  uint64_t e = 1;
  for (int32_t d : shape) e *= static_cast<uint64_t>(d > 0 ? d : 0);
  return e;
}

enum pprt_status fill_desc(const std::string& path, const char* role, const xir::Tensor* t,
                           struct pprt_tensor_desc* d, struct pprt_err* err) {
  const std::string name = t->get_name();
  if (name.size() >= PPRT_TENSOR_NAME_MAX)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor name longer than %d characters: %.64s...",
                     path.c_str(), role, PPRT_TENSOR_NAME_MAX - 1, name.c_str());
  // A quantizer's float tensor at the edge of a DPU subgraph pprt partitioned carries the fix point of its int8
  // twin in the CPU runner (model/xmodel.cpp).
  const bool quantized_edge = t->get_data_type().type == xir::DataType::FLOAT && t->has_attr("fix_point");
  if (!is_int8(t) && !quantized_edge)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor %s is %s, expected an 8-bit signed integer",
                     path.c_str(), role, name.c_str(), t->get_data_type().to_string().c_str());
  if (!t->has_attr("fix_point"))
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor %s has no fix_point attribute", path.c_str(), role,
                     name.c_str());
  const std::vector<int32_t> shape = t->get_shape();
  if (shape.empty() || shape.size() > PPRT_TENSOR_MAX_DIMS)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor %s has %zu dimensions (1..%d supported)",
                     path.c_str(), role, name.c_str(), shape.size(), PPRT_TENSOR_MAX_DIMS);
  for (int32_t dim : shape)
    if (dim <= 0)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor %s has a non-positive dimension %d",
                       path.c_str(), role, name.c_str(), dim);
  std::memset(d, 0, sizeof *d);
  std::memcpy(d->name, name.c_str(), name.size() + 1);
  d->ndim = static_cast<uint32_t>(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) d->dims[k] = shape[k];
  if (t->get_attr("fix_point").type() != typeid(std::int32_t))
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s tensor %s: fix_point is not an int32", path.c_str(), role,
                     name.c_str());
  d->fix_point = t->get_attr<std::int32_t>("fix_point");
  d->elements = frame_elements(shape);
  return PPRT_STATUS_OK;
}

}  // namespace

// ---- the xmodel ---------------------------------------------------------------------------------------------

struct pprt_xmodel {
  std::string path;
  std::unique_ptr<xir::Graph> graph;
  const xir::Subgraph* dpu = nullptr;
  std::string sg_name;
  bool has_run_runner = false;
  bool quantized = false;  // a quantizer's graph pprt partitioned: no machine code, the CPU runner only
  std::vector<std::string> in_names, out_names;  // full names, same order as in / out
  uint32_t nin = 0, nout = 0;
  struct pprt_tensor_desc in[PPRT_XMODEL_MAX_TENSORS];
  struct pprt_tensor_desc out[PPRT_XMODEL_MAX_TENSORS];
};

static enum pprt_status xmodel_load_impl(const char* path, int index, pprt_xmodel** out, struct pprt_err* err) {
  struct stat st;
  if (stat(path, &st) != 0)
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open xmodel: %s", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: not a regular file", path);
  if (st.st_size == 0) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: xmodel file is empty", path);

  std::string bytes;
  {
    FILE* f = std::fopen(path, "rb");
    if (f == nullptr)
      return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open xmodel: %s", path, std::strerror(errno));
    bytes.resize(static_cast<size_t>(st.st_size));
    const size_t got = std::fread(&bytes[0], 1, bytes.size(), f);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error", path);
    bytes.resize(got);  // a file that shrank since stat is checked as what was read
  }
  std::unique_ptr<pprt_xmodel> m(new (std::nothrow) pprt_xmodel());
  if (!m) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  m->path = path;
  // The structural validator, then XIR in a child process, then XIR here (model/xmodel.hpp, docs/XMODEL-FORMS.md).
  std::string why_not;
  m->graph = pprt::xmodel::deserialize_checked(bytes, &why_not);
  bytes.clear();
  bytes.shrink_to_fit();
  if (!m->graph) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: %s", path, why_not.c_str());
  const xir::Subgraph* root = m->graph->get_root_subgraph();
  if (root == nullptr) return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: graph has no root subgraph", path);

  // A quantizer's unpartitioned graph is partitioned as XIR does for a DPU target (docs/XMODEL-FORMS.md).
  std::vector<const xir::Subgraph*> dpus;
  std::string why;
  if (!pprt::xmodel::prepare(m->graph.get(), &dpus, &why))
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: %s", path, why.c_str());
  m->quantized = !dpus.empty() && dpus[0]->has_attr("pprt_form");
  if (index < 0 && dpus.size() != 1)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: expected one DPU subgraph, found %zu", path, dpus.size());
  if (index >= 0 && static_cast<size_t>(index) >= dpus.size())
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: expected at least %d DPU subgraphs, found %zu", path,
                     index + 1, dpus.size());
  m->dpu = dpus[index < 0 ? 0 : static_cast<size_t>(index)];
  m->sg_name = m->dpu->get_name();

  if (m->dpu->has_attr("runner")) {
    const auto runners = m->dpu->get_attr<std::map<std::string, std::string>>("runner");
    m->has_run_runner = runners.count("run") != 0;
  }

  const std::vector<const xir::Tensor*> ins = m->dpu->get_sorted_input_tensors();
  const std::vector<const xir::Tensor*> outs = m->dpu->get_sorted_output_tensors();
  if (ins.empty() || outs.empty())
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: DPU subgraph %s has %zu inputs and %zu outputs", path,
                     m->sg_name.c_str(), ins.size(), outs.size());
  if (ins.size() > PPRT_XMODEL_MAX_TENSORS || outs.size() > PPRT_XMODEL_MAX_TENSORS)
    return pprt_fail(err, PPRT_STATUS_CAPACITY, "%s: DPU subgraph %s has %zu inputs and %zu outputs (at most %d each)",
                     path, m->sg_name.c_str(), ins.size(), outs.size(), PPRT_XMODEL_MAX_TENSORS);
  for (const xir::Tensor* t : ins) {
    enum pprt_status s = fill_desc(m->path, "input", t, &m->in[m->nin], err);
    if (s != PPRT_STATUS_OK) return s;
    m->in_names.push_back(t->get_name());
    ++m->nin;
  }
  for (const xir::Tensor* t : outs) {
    enum pprt_status s = fill_desc(m->path, "output", t, &m->out[m->nout], err);
    if (s != PPRT_STATUS_OK) return s;
    m->out_names.push_back(t->get_name());
    ++m->nout;
  }
  *out = m.release();
  return PPRT_STATUS_OK;
}

extern "C" enum pprt_status pprt_xmodel_load(const char* path, pprt_xmodel** out, struct pprt_err* err) {
  return pprt_xmodel_load_index(path, -1, out, err);
}

extern "C" enum pprt_status pprt_xmodel_load_index(const char* path, int index, pprt_xmodel** out,
                                                   struct pprt_err* err) {
  if (out == nullptr) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_xmodel_load: out is NULL");
  *out = nullptr;
  if (path == nullptr || path[0] == '\0')
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_xmodel_load: no xmodel path");
  try {
    return xmodel_load_impl(path, index, out, err);
  } catch (const std::bad_alloc&) {
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory while loading the xmodel", path);
  } catch (const std::exception& e) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: XIR: %s", path, e.what());
  } catch (...) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: XIR threw an unknown exception", path);
  }
}

extern "C" void pprt_xmodel_free(pprt_xmodel* model) {
  try {
    delete model;
  } catch (...) {
  }
}

extern "C" const char* pprt_xmodel_subgraph_name(const pprt_xmodel* model) {
  return model != nullptr ? model->sg_name.c_str() : nullptr;
}
extern "C" uint32_t pprt_xmodel_num_inputs(const pprt_xmodel* model) { return model != nullptr ? model->nin : 0; }
extern "C" uint32_t pprt_xmodel_num_outputs(const pprt_xmodel* model) { return model != nullptr ? model->nout : 0; }
extern "C" const struct pprt_tensor_desc* pprt_xmodel_input(const pprt_xmodel* model, uint32_t i) {
  return model != nullptr && i < model->nin ? &model->in[i] : nullptr;
}
extern "C" const struct pprt_tensor_desc* pprt_xmodel_output(const pprt_xmodel* model, uint32_t i) {
  return model != nullptr && i < model->nout ? &model->out[i] : nullptr;
}

extern "C" void pprt_xmodel_dpu_info(const pprt_xmodel* model, char* buf, size_t cap) {
  if (buf == nullptr || cap == 0) return;
  buf[0] = '\0';
  if (model == nullptr || model->dpu == nullptr) return;
  std::string out;
  try {
    const xir::Subgraph* sg = model->dpu;
    if (sg->has_attr("dpu_name")) out += "dpu_name=" + sg->get_attr<std::string>("dpu_name");
    if (sg->has_attr("dpu_fingerprint")) {
      char fp[64];
      std::snprintf(fp, sizeof fp, "0x%llx",
                    static_cast<unsigned long long>(sg->get_attr<std::uint64_t>("dpu_fingerprint")));
      out += std::string(out.empty() ? "" : ", ") + "dpu_fingerprint=" + fp;
    }
  } catch (...) {
    out += out.empty() ? "(unreadable DPU attributes)" : ", (unreadable DPU attributes)";
  }
  std::snprintf(buf, cap, "%s", out.c_str());
}

extern "C" void pprt_xmodel_read_dpu_target(const pprt_xmodel* model, struct pprt_xmodel_dpu_target* out) {
  if (out == nullptr) return;
  std::memset(out, 0, sizeof *out);
  if (model == nullptr || model->dpu == nullptr) return;
  try {
    const xir::Subgraph* sg = model->dpu;
    if (sg->has_attr("dpu_name"))
      std::snprintf(out->dpu_name, sizeof out->dpu_name, "%s", sg->get_attr<std::string>("dpu_name").c_str());
    if (sg->has_attr("dpu_fingerprint")) {
      out->has_fingerprint = 1;
      out->fingerprint = sg->get_attr<std::uint64_t>("dpu_fingerprint");
    }
    if (sg->has_attr("reg_id_to_size")) {
      const auto sizes = sg->get_attr<std::map<std::string, std::int32_t>>("reg_id_to_size");
      std::map<std::string, std::string> kinds;
      if (sg->has_attr("reg_id_to_context_type"))
        kinds = sg->get_attr<std::map<std::string, std::string>>("reg_id_to_context_type");
      for (const auto& kv : sizes) {
        if (kv.second <= 0) continue;
        const auto k = kinds.find(kv.first);
        if (k != kinds.end() && k->second == "CONST") out->const_bytes += static_cast<uint64_t>(kv.second);
        else out->data_bytes += static_cast<uint64_t>(kv.second);
      }
    }
    if (sg->has_attr("mc_code")) out->code_bytes = sg->get_attr<std::vector<char>>("mc_code").size();
  } catch (...) {
    // Attributes of an unexpected type: report what was read so far.
  }
}

// ---- the runner ---------------------------------------------------------------------------------------------

// The VART backends (backend/backend.h): one runner on the model's DPU subgraph with its tensor buffers.
struct vart_backend : pprt_backend {
  vart_backend() : pprt_backend{nullptr} {}
  void* dl = nullptr;                        // our own handle on the plugin (kept while the runner lives)
  std::unique_ptr<xir::Attrs> attrs;         // shared with the runner: must outlive it
  std::unique_ptr<vart::Runner> runner;
  bool zero_copy = false;
  // In the runner's own tensor order (what execute_async takes).
  std::vector<vart::TensorBuffer*> in_tb, out_tb;
  std::vector<size_t> in_bytes, out_bytes;  // whole buffer, for sync_for_write / sync_for_read
  std::vector<std::unique_ptr<pprt::host_tensor_buffer>> own_tb;  // for a runner without buffers of its own
  // In the xmodel's order: batch element 0.
  int8_t* in_ptr[PPRT_XMODEL_MAX_TENSORS] = {};
  int8_t* out_ptr[PPRT_XMODEL_MAX_TENSORS] = {};

  ~vart_backend() {
    // Buffers referencing the runner's tensors go first, then the runner, then what it borrowed.
    in_tb.clear();
    out_tb.clear();
    own_tb.clear();
    runner.reset();
    attrs.reset();
    if (dl != nullptr) dlclose(dl);
  }
};

// Index of the runner tensor matching the xmodel tensor `name` (by name; by position if both sides have exactly
// one tensor, the only unambiguous case), or -1.
static int match_tensor(const std::vector<const xir::Tensor*>& rts, const std::string& name) {
  for (size_t k = 0; k < rts.size(); ++k)
    if (rts[k]->get_name() == name) return static_cast<int>(k);
  return -1;
}

static enum pprt_status map_buffers(vart_backend* r, const pprt_xmodel* m, bool is_input, struct pprt_err* err) {
  const char* role = is_input ? "input" : "output";
  const std::vector<const xir::Tensor*> rts =
      is_input ? r->runner->get_input_tensors() : r->runner->get_output_tensors();
  const uint32_t n = is_input ? m->nin : m->nout;
  const std::vector<std::string>& names = is_input ? m->in_names : m->out_names;
  const struct pprt_tensor_desc* descs = is_input ? m->in : m->out;
  int8_t** ptrs = is_input ? r->in_ptr : r->out_ptr;
  std::vector<vart::TensorBuffer*>& tbs = is_input ? r->in_tb : r->out_tb;
  std::vector<size_t>& bytes = is_input ? r->in_bytes : r->out_bytes;

  if (rts.size() != n)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: the runner has %zu %s tensors, subgraph %s has %u",
                     m->path.c_str(), rts.size(), role, m->sg_name.c_str(), n);

  // The runner's buffers: its own (RunnerExt) or host buffers we allocate for its tensors.
  std::vector<vart::TensorBuffer*> ext;
  if (r->zero_copy) {
    auto* rx = dynamic_cast<vart::RunnerExt*>(r->runner.get());
    ext = is_input ? rx->get_inputs() : rx->get_outputs();
    if (ext.size() != rts.size())
      return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "%s: the runner has %zu %s tensors but %zu %s buffers",
                       m->path.c_str(), rts.size(), role, ext.size(), role);
  }
  tbs.assign(rts.size(), nullptr);
  bytes.assign(rts.size(), 0);
  for (size_t k = 0; k < rts.size(); ++k) {
    const xir::Tensor* t = rts[k];
    if (t->get_data_type().bit_width != 8)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: the runner's %s tensor %s is %s, expected 8-bit",
                       m->path.c_str(), role, t->get_name().c_str(), t->get_data_type().to_string().c_str());
    if (r->zero_copy) {
      vart::TensorBuffer* tb = nullptr;
      for (vart::TensorBuffer* b : ext)
        if (b != nullptr && b->get_tensor() != nullptr && b->get_tensor()->get_name() == t->get_name()) tb = b;
      if (tb == nullptr && ext.size() == 1) tb = ext[0];
      if (tb == nullptr)
        return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "%s: the runner has no buffer for its %s tensor %s",
                         m->path.c_str(), role, t->get_name().c_str());
      const std::vector<int32_t> zeros(tb->get_tensor()->get_shape().size(), 0);
      const std::pair<uint64_t, size_t> d = tb->data(zeros);
      if (d.first == 0 || d.second == 0)
        return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "%s: the runner's %s buffer %s is not host-accessible (%s)",
                         m->path.c_str(), role, t->get_name().c_str(),
                         vart::TensorBuffer::to_string(tb->get_location()).c_str());
      tbs[k] = tb;
      bytes[k] = d.second;
    } else {
      if (all_elements(t->get_shape()) == 0)
        return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: the runner's %s tensor %s is empty", m->path.c_str(),
                         role, t->get_name().c_str());
      std::unique_ptr<pprt::host_tensor_buffer> tb = pprt::host_tensor_buffer::create(t);
      if (!tb)
        return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: cannot allocate %llu bytes for %s tensor %s",
                         m->path.c_str(), static_cast<unsigned long long>(all_elements(t->get_shape())), role,
                         t->get_name().c_str());
      bytes[k] = tb->size();
      r->own_tb.push_back(std::move(tb));
      tbs[k] = r->own_tb.back().get();
    }
  }

  // xmodel order -> runner order, checking one frame has the same number of elements on both sides.
  for (uint32_t i = 0; i < n; ++i) {
    int k = match_tensor(rts, names[i]);
    if (k < 0 && n == 1) k = 0;
    if (k < 0)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH, "%s: the runner has no %s tensor named %s", m->path.c_str(),
                       role, names[i].c_str());
    const uint64_t per_frame = frame_elements(rts[k]->get_shape());
    if (per_frame != descs[i].elements)
      return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                       "%s: %s tensor %s: the runner's frame has %llu elements, the subgraph's %llu", m->path.c_str(),
                       role, names[i].c_str(), static_cast<unsigned long long>(per_frame),
                       static_cast<unsigned long long>(descs[i].elements));
    if (bytes[k] < descs[i].elements)
      return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "%s: %s buffer %s holds %zu bytes, one frame needs %llu",
                       m->path.c_str(), role, names[i].c_str(), bytes[k],
                       static_cast<unsigned long long>(descs[i].elements));
    const std::vector<int32_t> zeros(tbs[k]->get_tensor()->get_shape().size(), 0);
    ptrs[i] = reinterpret_cast<int8_t*>(static_cast<uintptr_t>(tbs[k]->data(zeros).first));
  }
  return PPRT_STATUS_OK;
}

// True if lib (opened as handle dl) is libvart-dpu-runner: its file name says so, or dlopen of that name with
// RTLD_NOLOAD gives the same handle (a symlink, a copy's path resolving to the loaded object).
static bool is_vart_dpu_runner(const char* lib, void* dl) {
  const char* base = std::strrchr(lib, '/');
  base = base != nullptr ? base + 1 : lib;
  if (std::strncmp(base, "libvart-dpu-runner.so", 21) == 0) return true;
  void* h = dlopen("libvart-dpu-runner.so.2", RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
  if (h == nullptr) h = dlopen("libvart-dpu-runner.so", RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
  const bool same = h != nullptr && h == dl;
  if (h != nullptr) dlclose(h);
  return same;
}

// A runner library that is VART's DPU runner gets the DPU backend's checks (backend/dpu_preflight.h) first.
static enum pprt_status preflight_dpu_runner_lib(const pprt_xmodel* m, const char* lib, struct pprt_err* err) {
  enum pprt_status pre = pprt_dpu_preflight(m, err);
  if (pre != PPRT_STATUS_OK) pprt_err_prefix(err, "runner library %s is VART's DPU runner", lib);
  return pre;
}

// Where a VART backend's runner comes from: the runner the subgraph names (the DPU), or a runner library.
enum class runner_source { subgraph, library };

static enum pprt_status vart_create_impl(const pprt_xmodel* m, runner_source src, const char* lib,
                                         const pprt_backend_ops* ops, vart_backend** out, struct pprt_err* err) {
  if (!m->has_run_runner)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "%s: DPU subgraph %s has no runner attribute with a \"run\" entry; VART cannot create a runner",
                     m->path.c_str(), m->sg_name.c_str());
  if (src == runner_source::subgraph && m->quantized)
    return pprt_fail(err, PPRT_STATUS_MODEL_MISMATCH,
                     "%s is a quantizer's output (not compiled): a DPU runs the compiled xmodel (vai_c_xir); run this "
                     "one with the CPU runner (PPRT_RUNNER_CPU)",
                     m->path.c_str());
  std::unique_ptr<vart_backend> r(new (std::nothrow) vart_backend());
  if (!r) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  r->ops = ops;

  if (src == runner_source::library) {
    // VART's own DPU runner aborts the process on a host without a DPU, whichever way it is named; on aarch64 loading
    // it is enough (XRT's device scan throws from a static constructor): ask before dlopen when the name, the path's
    // target or the ELF file's SONAME says it is that library.
    const bool named_dpu_runner = pprt_lib_is_vart_dpu_runner(lib) != 0;
    if (named_dpu_runner) {
      enum pprt_status pre = preflight_dpu_runner_lib(m, lib, err);
      if (pre != PPRT_STATUS_OK) return pre;
    }
    dlerror();
    r->dl = dlopen(lib, RTLD_LAZY | RTLD_LOCAL);
    if (r->dl == nullptr) {
      const char* e = dlerror();
      return pprt_fail(err, PPRT_STATUS_UNAVAILABLE, "runner library %s cannot be loaded: %s", lib,
                       e != nullptr ? e : "unknown dlopen error");
    }
    // A library that loads as the DPU runner without saying so (LD_LIBRARY_PATH games): the loaded object tells.
    if (!named_dpu_runner && is_vart_dpu_runner(lib, r->dl)) {
      enum pprt_status pre = preflight_dpu_runner_lib(m, lib, err);
      if (pre != PPRT_STATUS_OK) return pre;
    }
    dlerror();
    if (dlsym(r->dl, "create_runner_with_attrs") == nullptr) {
      const char* e = dlerror();
      return pprt_fail(err, PPRT_STATUS_UNAVAILABLE, "runner library %s does not export create_runner_with_attrs: %s",
                       lib, e != nullptr ? e : "symbol is NULL");
    }
    r->attrs = xir::Attrs::create();
    r->attrs->set_attr<std::map<std::string, std::string>>("lib", {{"DPU", lib}});
    r->runner = vart::Runner::create_runner_with_attrs(m->dpu, r->attrs.get());
  } else {
    // VART aborts, exit(0)s or hangs where the board is not ready: check what it will read first.
    enum pprt_status pre = pprt_dpu_preflight(m, err);
    if (pre != PPRT_STATUS_OK) return pre;
    r->runner = vart::Runner::create_runner(m->dpu, "run");
  }
  if (!r->runner)
    return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "VART returned no runner for subgraph %s (%s)", m->sg_name.c_str(),
                     src == runner_source::library ? lib : "the subgraph's DPU runner");

  r->zero_copy = dynamic_cast<vart::RunnerExt*>(r->runner.get()) != nullptr;
  enum pprt_status s = map_buffers(r.get(), m, true, err);
  if (s == PPRT_STATUS_OK) s = map_buffers(r.get(), m, false, err);
  if (s != PPRT_STATUS_OK) return s;
  *out = r.release();
  return PPRT_STATUS_OK;
}

// Every C++ exception of creation as a status (pprt_backend_create has checked out and m).
static enum pprt_status vart_create(const pprt_xmodel* m, runner_source src, const char* lib,
                                    const pprt_backend_ops* ops, struct pprt_backend** out, struct pprt_err* err) {
  try {
    vart_backend* r = nullptr;
    enum pprt_status s = vart_create_impl(m, src, lib, ops, &r, err);
    *out = r;
    return s;
  } catch (const std::bad_alloc&) {
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory while creating the runner");
  } catch (const std::exception& e) {
    return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "VART: creating the runner for %s failed: %s", m->sg_name.c_str(),
                     e.what());
  } catch (...) {
    return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "VART: creating the runner for %s threw an unknown exception",
                     m->sg_name.c_str());
  }
}

static enum pprt_status dpu_create(const pprt_xmodel* m, const char*, struct pprt_backend** out,
                                   struct pprt_err* err) {
  return vart_create(m, runner_source::subgraph, nullptr, &pprt_backend_vart_dpu, out, err);
}

static enum pprt_status plugin_create(const pprt_xmodel* m, const char* plugin, struct pprt_backend** out,
                                      struct pprt_err* err) {
  if (plugin == nullptr || plugin[0] == '\0')
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "no runner plugin library given");
  return vart_create(m, runner_source::library, plugin, &pprt_backend_vart_plugin, out, err);
}

static enum pprt_status dummy_create(const pprt_xmodel* m, const char*, struct pprt_backend** out,
                                     struct pprt_err* err) {
  return vart_create(m, runner_source::library, "libvart-dummy-runner.so", &pprt_backend_vart_dummy, out, err);
}

static void vart_destroy(struct pprt_backend* b) {
  try {
    delete static_cast<vart_backend*>(b);
  } catch (...) {
  }
}

static int8_t* vart_input(struct pprt_backend* b, uint32_t i) {
  return i < PPRT_XMODEL_MAX_TENSORS ? static_cast<vart_backend*>(b)->in_ptr[i] : nullptr;
}
static int8_t* vart_output(struct pprt_backend* b, uint32_t i) {
  return i < PPRT_XMODEL_MAX_TENSORS ? static_cast<vart_backend*>(b)->out_ptr[i] : nullptr;
}
static int vart_is_zero_copy(const struct pprt_backend* b) {
  return static_cast<const vart_backend*>(b)->zero_copy ? 1 : 0;
}

// One job: sync inputs for the device, execute_async + wait, sync outputs for the CPU. RUNNER_ERROR with VART's
// status or exception text on failure.
static enum pprt_status vart_run(struct pprt_backend* b, struct pprt_err* err) {
  vart_backend* runner = static_cast<vart_backend*>(b);
  try {
    if (runner->zero_copy)
      for (size_t k = 0; k < runner->in_tb.size(); ++k) runner->in_tb[k]->sync_for_write(0, runner->in_bytes[k]);
    const std::pair<uint32_t, int> job = runner->runner->execute_async(runner->in_tb, runner->out_tb);
    if (job.second != 0)
      return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "execute_async returned %d", job.second);
    const int w = runner->runner->wait(static_cast<int>(job.first), -1);
    if (w != 0) return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "wait returned %d", w);
    if (runner->zero_copy)
      for (size_t k = 0; k < runner->out_tb.size(); ++k) runner->out_tb[k]->sync_for_read(0, runner->out_bytes[k]);
    return PPRT_STATUS_OK;
  } catch (const std::exception& e) {
    return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "VART: %s", e.what());
  } catch (...) {
    return pprt_fail(err, PPRT_STATUS_RUNNER_ERROR, "VART: the runner threw an unknown exception");
  }
}

extern "C" const struct pprt_backend_ops pprt_backend_vart_dpu = {"dpu", dpu_create, vart_input, vart_output, vart_run,
                                                                  vart_destroy, vart_is_zero_copy};
extern "C" const struct pprt_backend_ops pprt_backend_vart_plugin = {
    "cpu", plugin_create, vart_input, vart_output, vart_run, vart_destroy, vart_is_zero_copy};
extern "C" const struct pprt_backend_ops pprt_backend_vart_dummy = {
    "dummy", dummy_create, vart_input, vart_output, vart_run, vart_destroy, vart_is_zero_copy};
