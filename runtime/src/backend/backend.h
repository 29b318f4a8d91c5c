/* Internal: the backend seam. A backend runs one DPU subgraph of a model and owns its tensors: create (every buffer
 * allocated here), input / output (the tensors' memory, in the order of pprt_xmodel_input / _output), run (one job,
 * synchronous), destroy. The runtime and the stream (core/) talk to the DPU through this interface only; which
 * implementation serves a frame context is chosen by the public enum pprt_runner:
 *
 *   PPRT_RUNNER_DPU    VART's runner the subgraph names (the DPU on a board), after the DPU preflight
 *                      (backend/dpu_preflight.h)                                           backend/vart_backend.cpp
 *   PPRT_RUNNER_CPU    a VART runner plugin loaded with create_runner_with_attrs: pprt's int8 CPU runner
 *                      (libpprt-cpu-runner.so), a fault-injection or any other plugin       backend/vart_backend.cpp
 *   PPRT_RUNNER_DUMMY  VART's dummy runner (libvart-dummy-runner.so): plumbing and timing   backend/vart_backend.cpp
 *   PPRT_RUNNER_NONE   host buffers and no runner: the caller fills the outputs (the stage calls of pprt/stages.h);
 *                      run is refused                                                      backend/host_backend.c
 *
 * The VART backends use the runner's own tensor buffers when it has them (RunnerExt: the stages write straight into
 * DPU0's input and read DPU1's outputs in place), else pprt::host_tensor_buffer (pprt/host_tensor_buffer.hpp).
 * Nothing allocates after create. Every failure is a status with one message in err; nothing prints or aborts. */
#ifndef PPRT_BACKEND_H
#define PPRT_BACKEND_H

#include <stdint.h>

#include "backend/vart_backend.h"
#include "pprt_common/error.h"
#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pprt_backend;

/** One implementation. */
struct pprt_backend_ops {
  const char* name; /* for messages: "dpu", "cpu", "dummy" or "none", as pprt_runner_str names the runner */
  /** plugin: the runner plugin library of PPRT_RUNNER_CPU (a file name the dynamic loader searches, or a path);
   *  the other implementations ignore it. */
  enum pprt_status (*create)(const pprt_xmodel* model, const char* plugin, struct pprt_backend** out,
                             struct pprt_err* err);
  /** Base address of input / output i (batch element 0; NHWC int8, the tensor's dims), valid until destroy; NULL
   *  past the last one. */
  int8_t* (*input)(struct pprt_backend* b, uint32_t i);
  int8_t* (*output)(struct pprt_backend* b, uint32_t i);
  /** One job on the inputs into the outputs. */
  enum pprt_status (*run)(struct pprt_backend* b, struct pprt_err* err);
  void (*destroy)(struct pprt_backend* b);
  /** 1 if input / output are the runner's own buffers (RunnerExt, zero-copy), 0 if pprt's host buffers. */
  int (*is_zero_copy)(const struct pprt_backend* b);
};

/** The head of every implementation's object. */
struct pprt_backend {
  const struct pprt_backend_ops* ops;
};

extern const struct pprt_backend_ops pprt_backend_vart_dpu;    /* PPRT_RUNNER_DPU */
extern const struct pprt_backend_ops pprt_backend_vart_plugin; /* PPRT_RUNNER_CPU */
extern const struct pprt_backend_ops pprt_backend_vart_dummy;  /* PPRT_RUNNER_DUMMY */
extern const struct pprt_backend_ops pprt_backend_host;        /* PPRT_RUNNER_NONE */

/** The implementation of runner, NULL for a value outside the enum. */
const struct pprt_backend_ops* pprt_backend_ops_for(enum pprt_runner runner);

/** Create runner's backend for model's DPU subgraph (plugin: see pprt_backend_ops.create). *out is NULL on failure;
 *  INVALID_ARGUMENT for a NULL out or model or a runner outside the enum. */
enum pprt_status pprt_backend_create(enum pprt_runner runner, const pprt_xmodel* model, const char* plugin,
                                     struct pprt_backend** out, struct pprt_err* err);
/** NULL-safe: NULL / 0 / INVALID_ARGUMENT for a NULL backend; destroy(NULL) does nothing. */
int8_t* pprt_backend_input(struct pprt_backend* b, uint32_t i);
int8_t* pprt_backend_output(struct pprt_backend* b, uint32_t i);
enum pprt_status pprt_backend_run(struct pprt_backend* b, struct pprt_err* err);
void pprt_backend_destroy(struct pprt_backend* b);
int pprt_backend_is_zero_copy(const struct pprt_backend* b);

#ifdef __cplusplus
}
#endif
#endif
