/* The backend seam (backend.h): the implementation of each runner kind, and the calls the runtime and the stream
 * make, NULL-checked once here. */
#include "backend/backend.h"

#include <stddef.h>

const struct pprt_backend_ops* pprt_backend_ops_for(enum pprt_runner runner) {
  switch (runner) {
    case PPRT_RUNNER_DPU: return &pprt_backend_vart_dpu;
    case PPRT_RUNNER_CPU: return &pprt_backend_vart_plugin;
    case PPRT_RUNNER_DUMMY: return &pprt_backend_vart_dummy;
    case PPRT_RUNNER_NONE: return &pprt_backend_host;
  }
  return NULL;
}

enum pprt_status pprt_backend_create(enum pprt_runner runner, const pprt_xmodel* model, const char* plugin,
                                     struct pprt_backend** out, struct pprt_err* err) {
  if (out == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_backend_create: out is NULL");
  *out = NULL;
  if (model == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_backend_create: model is NULL");
  const struct pprt_backend_ops* ops = pprt_backend_ops_for(runner);
  if (ops == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "unknown runner %d", (int)runner);
  struct pprt_backend* b = NULL;
  enum pprt_status st = ops->create(model, plugin, &b, err);
  if (st != PPRT_STATUS_OK) {
    if (b != NULL) b->ops->destroy(b);
    return st;
  }
  *out = b;
  return PPRT_STATUS_OK;
}

int8_t* pprt_backend_input(struct pprt_backend* b, uint32_t i) { return b != NULL ? b->ops->input(b, i) : NULL; }
int8_t* pprt_backend_output(struct pprt_backend* b, uint32_t i) { return b != NULL ? b->ops->output(b, i) : NULL; }

enum pprt_status pprt_backend_run(struct pprt_backend* b, struct pprt_err* err) {
  if (b == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_backend_run: backend is NULL");
  return b->ops->run(b, err);
}

void pprt_backend_destroy(struct pprt_backend* b) {
  if (b != NULL) b->ops->destroy(b);
}

int pprt_backend_is_zero_copy(const struct pprt_backend* b) { return b != NULL ? b->ops->is_zero_copy(b) : 0; }
