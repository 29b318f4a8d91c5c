// pprt::host_tensor_buffer: a vart::TensorBuffer over host memory it owns, for one int8 tensor (batch dimension
// included in its shape). The one host tensor buffer of pprt: the VART backend gives it to a runner without buffers
// of its own (runtime/src/backend/vart_backend.cpp), the CPU runner plugin exposes its inputs and outputs with it
// (runtime/cpu_runner), and pprt-check uses it for a DPU runner without RunnerExt. Header-only, for every target that
// links pprt_vart (the runtime, the plugin, the tools and the tests); not part of the installed API.
#ifndef PPRT_HOST_TENSOR_BUFFER_HPP
#define PPRT_HOST_TENSOR_BUFFER_HPP

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include <vart/tensor_buffer.hpp>
#include <xir/tensor/tensor.hpp>

namespace pprt {

class host_tensor_buffer final : public vart::TensorBuffer {
 public:
  static constexpr std::size_t alignment = 64;

  // A zeroed, 64-byte aligned buffer of one byte per element of t; nullptr if the memory cannot be had (never throws
  // for that: each caller reports it in its own way).
  static std::unique_ptr<host_tensor_buffer> create(const xir::Tensor* t) {
    const std::vector<std::int32_t> shape = t->get_shape();
    std::vector<std::size_t> strides(shape.size(), 1);  // before the memory: nothing to free if this throws
    for (std::size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * static_cast<std::size_t>(shape[k]);
    std::size_t bytes = 1;
    for (std::int32_t d : shape) bytes *= static_cast<std::size_t>(d > 0 ? d : 0);
    const std::size_t alloc = (std::max<std::size_t>(bytes, 1) + alignment - 1) / alignment * alignment;
    void* mem = std::aligned_alloc(alignment, alloc);
    if (mem == nullptr) return nullptr;
    std::memset(mem, 0, alloc);
    std::unique_ptr<host_tensor_buffer> b(
        new (std::nothrow) host_tensor_buffer(t, static_cast<std::int8_t*>(mem), bytes, std::move(strides)));
    if (!b) std::free(mem);
    return b;
  }

  ~host_tensor_buffer() override { std::free(mem_); }
  host_tensor_buffer(const host_tensor_buffer&) = delete;
  host_tensor_buffer& operator=(const host_tensor_buffer&) = delete;

  // Address of element idx (leading dimensions first, missing trailing ones 0) and the bytes from there to the end;
  // {0, 0} for a negative index or one past the buffer.
  std::pair<std::uint64_t, std::size_t> data(const std::vector<std::int32_t> idx = {}) override {
    std::size_t off = 0;
    for (std::size_t k = 0; k < idx.size() && k < strides_.size(); ++k) {
      if (idx[k] < 0) return {0u, 0u};
      off += static_cast<std::size_t>(idx[k]) * strides_[k];
    }
    if (off > bytes_) return {0u, 0u};
    return {static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(mem_ + off)), bytes_ - off};
  }

  std::int8_t* ptr() const { return mem_; }
  std::size_t size() const { return bytes_; }

 private:
  host_tensor_buffer(const xir::Tensor* t, std::int8_t* mem, std::size_t bytes, std::vector<std::size_t> strides)
      : vart::TensorBuffer(t), mem_(mem), bytes_(bytes), strides_(std::move(strides)) {}

  std::int8_t* mem_;
  std::size_t bytes_;
  std::vector<std::size_t> strides_;
};

}  // namespace pprt

#endif
