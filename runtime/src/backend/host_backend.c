/* The host-buffer backend (PPRT_RUNNER_NONE, backend.h): one zeroed, 64-byte aligned buffer per tensor of the
 * subgraph, one frame each, and no runner. The caller fills the outputs (the stage calls of pprt/stages.h); run is
 * refused. */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"

struct host_backend {
  struct pprt_backend base; /* first: a struct pprt_backend* is a struct host_backend* */
  uint32_t nin, nout;
  int8_t* in[PPRT_XMODEL_MAX_TENSORS];
  int8_t* out[PPRT_XMODEL_MAX_TENSORS];
};

static int8_t* aligned_buf(uint64_t n) {
  void* p = NULL;
  size_t bytes = (size_t)(n ? n : 64);
  if (posix_memalign(&p, 64, bytes) != 0) return NULL;
  memset(p, 0, bytes);
  return p;
}

static void host_destroy(struct pprt_backend* b) {
  struct host_backend* h = (struct host_backend*)b;
  for (uint32_t i = 0; i < h->nin; ++i) free(h->in[i]);
  for (uint32_t i = 0; i < h->nout; ++i) free(h->out[i]);
  free(h);
}

static enum pprt_status host_create(const pprt_xmodel* model, const char* plugin, struct pprt_backend** out,
                                    struct pprt_err* err) {
  (void)plugin;
  struct host_backend* h = calloc(1, sizeof *h);
  if (h == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory allocating the DPU tensors");
  h->base.ops = &pprt_backend_host;
  int ok = 1;
  for (uint32_t i = 0; i < pprt_xmodel_num_inputs(model); ++i, ++h->nin)
    ok = ok && (h->in[i] = aligned_buf(pprt_xmodel_input(model, i)->elements)) != NULL;
  for (uint32_t i = 0; i < pprt_xmodel_num_outputs(model); ++i, ++h->nout)
    ok = ok && (h->out[i] = aligned_buf(pprt_xmodel_output(model, i)->elements)) != NULL;
  if (!ok) {
    host_destroy(&h->base);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory allocating the DPU tensors");
  }
  *out = &h->base;
  return PPRT_STATUS_OK;
}

static int8_t* host_input(struct pprt_backend* b, uint32_t i) {
  struct host_backend* h = (struct host_backend*)b;
  return i < h->nin ? h->in[i] : NULL;
}

static int8_t* host_output(struct pprt_backend* b, uint32_t i) {
  struct host_backend* h = (struct host_backend*)b;
  return i < h->nout ? h->out[i] : NULL;
}

static enum pprt_status host_run(struct pprt_backend* b, struct pprt_err* err) {
  (void)b;
  return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "this runtime was created without runners");
}

static int host_is_zero_copy(const struct pprt_backend* b) {
  (void)b;
  return 0;
}

const struct pprt_backend_ops pprt_backend_host = {
    "none", host_create, host_input, host_output, host_run, host_destroy, host_is_zero_copy};
