/* Throughput mode: several frames in flight over one DPU0 and one DPU1 runner per DPU core.
 *
 * Frames live in a ring of max_in_flight slots, in submission order. Contexts (struct pprt_frame_ctx, one per core)
 * hold a runner pair and the stage states; context i's front half (DPU0 runner + voxelization state) is driven by
 * DPU0 worker i, its back half (DPU1 runner + canvas + post-processing state) by DPU1 worker i:
 *
 *   DPU0 worker i: take the next submitted slot -> voxelize into ctx[i]'s DPU0 input -> DPU0 job -> wait for a free
 *                  DPU1 context j -> scatter ctx[i]'s DPU0 output onto ctx[j]'s DPU1 input -> hand the slot to j.
 *   DPU1 worker j: DPU1 job -> copy the three outputs into a free post buffer p -> ctx[j] free again -> hand to p.
 *   post worker p: post-process the copies into the slot's box buffer -> slot done.
 *
 * So while the DPU runs one frame's subgraph 1, the ARM cores voxelize and scatter the next ones and post-process the
 * previous ones, and a DPU1 runner is busy only for its job (plus one copy of its outputs), never for NMS. receive() returns the oldest slot once it is done; a slot is reused only after it was received.
 * A frame that fails at any stage is marked done with its status and leaves the pipeline; the others go on.
 * One mutex guards the bookkeeping; stage work runs outside it. Nothing is allocated after create. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/runtime_internal.h"

#define PPRT_STREAM_MAX_CORES 8u
#define PPRT_STREAM_MAX_DEPTH 64u

enum slot_state { SLOT_FREE = 0, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

struct stream_slot {
  enum slot_state state;
  uint64_t tag;
  uint32_t num_sweeps;
  struct pprt_sweep* sweeps;   /* [max_sweeps], copied at submit */
  enum pprt_status status;     /* set before submit returns when the frame cannot even be copied */
  struct pprt_err err;
  struct pprt_frame_stats stats;
  struct pprt_box* boxes;      /* [max_boxes] */
  uint32_t num_boxes;
  double t_submit;
};

struct pprt_stream {
  pprt_runtime_t* rt;
  struct pprt_stream_options opts;
  uint32_t ncores, depth, max_boxes;
  struct pprt_frame_ctx* ctx;  /* [ncores] */
  struct stream_slot* slots;   /* [depth] */

  pthread_mutex_t mu;
  pthread_cond_t cv_submitted; /* a slot was queued (DPU0 workers wait) */
  pthread_cond_t cv_back_free; /* a DPU1 context became free (DPU0 workers wait) */
  pthread_cond_t cv_back_work; /* a slot was handed to a DPU1 context (DPU1 workers wait) */
  pthread_cond_t cv_done;      /* a slot is done (receive waits) */
  pthread_cond_t cv_space;     /* a slot was received (submit waits) */
  pthread_cond_t cv_post_free; /* a post buffer became free (DPU1 workers wait) */
  pthread_cond_t cv_post_work; /* a slot was handed to a post worker */
  int sync_ok;                 /* the mutex and condition variables were initialised */

  uint64_t submitted, started, received; /* counters of slots: seq % depth is the slot index */
  int stop;
  int* back_busy;              /* [ncores]: DPU1 context j holds a frame (from scatter to the end of post) */
  int64_t* back_slot;          /* [ncores]: the slot index handed to DPU1 worker j, -1 if none */
  struct post_buf {
    int8_t* out[3];            /* copies of DPU1's cls, reg, dir outputs */
    int32_t* coords;           /* KITTI: a copy of the frame's pillars (the anchor mask) */
    uint32_t num_pillars;
    struct pprt_post_state state;
    struct pprt_kitti_post_state kstate;
    int busy;                  /* from the copy to the end of post-processing */
    int64_t slot;              /* handed to post worker p, -1 if none */
  } * post;                    /* [ncores] */
  size_t out_bytes[3];

  pthread_t* threads;          /* [3 * ncores]: DPU0 workers, DPU1 workers, post workers */
  uint32_t nthreads;
  struct worker_arg {
    struct pprt_stream* s;
    uint32_t index;
  } * args;
};

void pprt_stream_options_init(struct pprt_stream_options* opts) {
  if (opts == NULL) return;
  memset(opts, 0, sizeof *opts);
  opts->dpu_cores = 1;
  opts->max_in_flight = 4;
}

/* ------------------------------------------------------------------ workers */

/* Mark slot done (stage work of the slot is over). Called with the mutex held. */
static void finish_locked(struct pprt_stream* s, struct stream_slot* slot, double t_end) {
  slot->stats.stage_ms[PPRT_STAGE_TOTAL] = t_end - slot->t_submit;
  slot->state = SLOT_DONE;
  pthread_cond_broadcast(&s->cv_done);
}

static void finish(struct pprt_stream* s, struct stream_slot* slot) {
  double t = pprt_now_ms();
  pthread_mutex_lock(&s->mu);
  finish_locked(s, slot, t);
  pthread_mutex_unlock(&s->mu);
}

static void* front_worker(void* p) {
  struct worker_arg* a = p;
  struct pprt_stream* s = a->s;
  const pprt_runtime_t* rt = s->rt;
  struct pprt_frame_ctx* f = &s->ctx[a->index];
  for (;;) {
    pthread_mutex_lock(&s->mu);
    while (!s->stop && s->started == s->submitted) pthread_cond_wait(&s->cv_submitted, &s->mu);
    if (s->stop) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    struct stream_slot* slot = &s->slots[s->started % s->depth];
    ++s->started;
    slot->state = SLOT_RUNNING;
    pthread_mutex_unlock(&s->mu);

    if (slot->status != PPRT_STATUS_OK) { /* refused at submit (too many sweeps) */
      finish(s, slot);
      continue;
    }
    enum pprt_status st = pprt_ctx_voxelize(rt, f, slot->sweeps, slot->num_sweeps, &slot->stats, &slot->err);
    if (st == PPRT_STATUS_OK && f->vox.num_pillars > 0) st = pprt_ctx_dpu(rt, f, 0, &slot->stats, &slot->err);
    if (st != PPRT_STATUS_OK || f->vox.num_pillars == 0) { /* an error, or no points in range: no boxes */
      slot->status = st;
      finish(s, slot);
      continue;
    }

    /* A free DPU1 context: its canvas and outputs belong to this frame until its post-processing ends. */
    pthread_mutex_lock(&s->mu);
    uint32_t j = s->ncores;
    for (;;) {
      for (uint32_t k = 0; k < s->ncores && j == s->ncores; ++k)
        if (!s->back_busy[k]) j = k;
      if (j < s->ncores || s->stop) break;
      pthread_cond_wait(&s->cv_back_free, &s->mu);
    }
    if (j == s->ncores) { /* stopping */
      pthread_mutex_unlock(&s->mu);
      break;
    }
    s->back_busy[j] = 1;
    pthread_mutex_unlock(&s->mu);

    pprt_ctx_scatter(rt, f, &s->ctx[j], &slot->stats);

    pthread_mutex_lock(&s->mu);
    s->back_slot[j] = (int64_t)(slot - s->slots);
    pthread_cond_broadcast(&s->cv_back_work);
    pthread_mutex_unlock(&s->mu);
  }
  return NULL;
}

static void* back_worker(void* p) {
  struct worker_arg* a = p;
  struct pprt_stream* s = a->s;
  const pprt_runtime_t* rt = s->rt;
  const uint32_t j = a->index;
  struct pprt_frame_ctx* f = &s->ctx[j];
  for (;;) {
    pthread_mutex_lock(&s->mu);
    while (!s->stop && s->back_slot[j] < 0) pthread_cond_wait(&s->cv_back_work, &s->mu);
    if (s->stop) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    struct stream_slot* slot = &s->slots[s->back_slot[j]];
    pthread_mutex_unlock(&s->mu);

    enum pprt_status st = pprt_ctx_dpu(rt, f, 1, &slot->stats, &slot->err);
    slot->status = st;
    uint32_t pb = s->ncores;
    pthread_mutex_lock(&s->mu);
    if (st == PPRT_STATUS_OK) { /* a free post buffer for the copies */
      for (;;) {
        for (uint32_t k = 0; k < s->ncores && pb == s->ncores; ++k)
          if (!s->post[k].busy) pb = k;
        if (pb < s->ncores || s->stop) break;
        pthread_cond_wait(&s->cv_post_free, &s->mu);
      }
      if (pb == s->ncores) { /* stopping */
        pthread_mutex_unlock(&s->mu);
        break;
      }
      s->post[pb].busy = 1;
      pthread_mutex_unlock(&s->mu);
      double t0 = pprt_now_ms();
      for (uint32_t w = 0; w < 3; ++w) memcpy(s->post[pb].out[w], pprt_ctx_dpu1_output(rt, f, w), s->out_bytes[w]);
      if (s->post[pb].coords != NULL) {
        memcpy(s->post[pb].coords, f->kcoords, (size_t)f->kn * 2 * sizeof *f->kcoords);
        s->post[pb].num_pillars = f->kn;
      }
      slot->stats.stage_ms[PPRT_STAGE_POSTPROCESS] = pprt_now_ms() - t0; /* the copy counts as post-processing */
      pthread_mutex_lock(&s->mu);
    }
    double t = pprt_now_ms();
    s->back_slot[j] = -1;
    s->back_busy[j] = 0;
    pthread_cond_broadcast(&s->cv_back_free);
    if (st == PPRT_STATUS_OK) {
      s->post[pb].slot = (int64_t)(slot - s->slots);
      pthread_cond_broadcast(&s->cv_post_work);
    } else {
      finish_locked(s, slot, t);
    }
    pthread_mutex_unlock(&s->mu);
  }
  return NULL;
}

static void* post_worker(void* p) {
  struct worker_arg* a = p;
  struct pprt_stream* s = a->s;
  const pprt_runtime_t* rt = s->rt;
  struct post_buf* pb = &s->post[a->index];
  for (;;) {
    pthread_mutex_lock(&s->mu);
    while (!s->stop && pb->slot < 0) pthread_cond_wait(&s->cv_post_work, &s->mu);
    if (s->stop) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    struct stream_slot* slot = &s->slots[pb->slot];
    pthread_mutex_unlock(&s->mu);

    pprt_ctx_post_from(rt, &pb->state, &pb->kstate, pb->out[0], pb->out[1], pb->out[2], pb->coords, pb->num_pillars,
                       slot->boxes, s->max_boxes, &slot->num_boxes, &slot->stats);

    double t = pprt_now_ms();
    pthread_mutex_lock(&s->mu);
    pb->slot = -1;
    pb->busy = 0;
    pthread_cond_broadcast(&s->cv_post_free);
    finish_locked(s, slot, t);
    pthread_mutex_unlock(&s->mu);
  }
  return NULL;
}

/* ------------------------------------------------------------------ create / destroy */

static void stream_free(struct pprt_stream* s) {
  if (s->nthreads > 0) {
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->cv_submitted);
    pthread_cond_broadcast(&s->cv_back_free);
    pthread_cond_broadcast(&s->cv_back_work);
    pthread_cond_broadcast(&s->cv_done);
    pthread_cond_broadcast(&s->cv_space);
    pthread_cond_broadcast(&s->cv_post_free);
    pthread_cond_broadcast(&s->cv_post_work);
    pthread_mutex_unlock(&s->mu);
    for (uint32_t i = 0; i < s->nthreads; ++i) pthread_join(s->threads[i], NULL);
  }
  if (s->ctx != NULL)
    for (uint32_t i = 0; i < s->ncores; ++i) pprt_frame_ctx_free(&s->ctx[i]);
  if (s->post != NULL)
    for (uint32_t i = 0; i < s->ncores; ++i) {
      for (int w = 0; w < 3; ++w) free(s->post[i].out[w]);
      free(s->post[i].coords);
      pprt_post_state_free(&s->post[i].state);
      pprt_kitti_post_state_free(&s->post[i].kstate);
    }
  if (s->slots != NULL)
    for (uint32_t i = 0; i < s->depth; ++i) {
      free(s->slots[i].sweeps);
      free(s->slots[i].boxes);
    }
  if (s->sync_ok) {
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_submitted);
    pthread_cond_destroy(&s->cv_back_free);
    pthread_cond_destroy(&s->cv_back_work);
    pthread_cond_destroy(&s->cv_done);
    pthread_cond_destroy(&s->cv_space);
    pthread_cond_destroy(&s->cv_post_free);
    pthread_cond_destroy(&s->cv_post_work);
  }
  free(s->ctx);
  free(s->slots);
  free(s->back_busy);
  free(s->back_slot);
  free(s->post);
  free(s->threads);
  free(s->args);
  free(s);
}

static enum pprt_status create_impl(struct pprt_stream* s, struct pprt_err* err) {
  const pprt_runtime_t* rt = s->rt;
  if (rt->runner_kind == PPRT_RUNNER_NONE)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "this runtime was created without runners");
  s->ctx = calloc(s->ncores, sizeof *s->ctx);
  s->slots = calloc(s->depth, sizeof *s->slots);
  s->back_busy = calloc(s->ncores, sizeof *s->back_busy);
  s->back_slot = calloc(s->ncores, sizeof *s->back_slot);
  s->post = calloc(s->ncores, sizeof *s->post);
  s->threads = calloc(3u * s->ncores, sizeof *s->threads);
  s->args = calloc(3u * s->ncores, sizeof *s->args);
  if (!s->ctx || !s->slots || !s->back_busy || !s->back_slot || !s->post || !s->threads || !s->args)
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  for (uint32_t i = 0; i < s->depth; ++i) {
    s->slots[i].sweeps = calloc(rt->max_sweeps, sizeof *s->slots[i].sweeps);
    s->slots[i].boxes = calloc(s->max_boxes ? s->max_boxes : 1, sizeof *s->slots[i].boxes);
    if (s->slots[i].sweeps == NULL || s->slots[i].boxes == NULL)
      return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  for (uint32_t w = 0; w < 3; ++w) s->out_bytes[w] = (size_t)pprt_runtime_tensor_desc(rt, (enum pprt_tensor)(PPRT_TENSOR_DPU1_CLS + w))->elements;
  for (uint32_t i = 0; i < s->ncores; ++i) {
    s->post[i].slot = -1;
    for (uint32_t w = 0; w < 3; ++w) {
      void* m = NULL;
      if (posix_memalign(&m, 64, s->out_bytes[w] ? s->out_bytes[w] : 64) != 0)
        return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
      s->post[i].out[w] = m;
    }
    enum pprt_status st;
    if (rt->family == PPRT_FAMILY_KITTI) {
      s->post[i].coords = malloc((size_t)rt->vp.max_pillars * 2 * sizeof *s->post[i].coords);
      if (s->post[i].coords == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
      st = pprt_kitti_post_state_init(&s->post[i].kstate, &rt->kpp, err);
    } else {
      st = pprt_post_state_init(&s->post[i].state, &rt->pp, err);
    }
    if (st) return st;
  }
  for (uint32_t i = 0; i < s->ncores; ++i) {
    s->back_slot[i] = -1;
    enum pprt_status st = pprt_frame_ctx_init(rt, &s->ctx[i], rt->runner_kind, err);
    if (st) {
      pprt_err_prefix(err, "stream context %u of %u", i + 1, s->ncores);
      return st;
    }
  }
  if (pthread_mutex_init(&s->mu, NULL) != 0)
    return pprt_fail(err, PPRT_STATUS_INTERNAL, "pthread_mutex_init failed");
  pthread_cond_t* cvs[7] = {&s->cv_submitted, &s->cv_back_free, &s->cv_back_work, &s->cv_done,
                            &s->cv_space,     &s->cv_post_free, &s->cv_post_work};
  for (int i = 0; i < 7; ++i) {
    if (pthread_cond_init(cvs[i], NULL) != 0) {
      for (int k = 0; k < i; ++k) pthread_cond_destroy(cvs[k]);
      pthread_mutex_destroy(&s->mu);
      return pprt_fail(err, PPRT_STATUS_INTERNAL, "pthread_cond_init failed");
    }
  }
  s->sync_ok = 1;
  for (uint32_t i = 0; i < 3u * s->ncores; ++i) {
    s->args[i].s = s;
    s->args[i].index = i % s->ncores;
    void* (*fn)(void*) = i < s->ncores ? front_worker : i < 2u * s->ncores ? back_worker : post_worker;
    int rc = pthread_create(&s->threads[i], NULL, fn, &s->args[i]);
    if (rc != 0)
      return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "cannot start worker thread %u: %s", i + 1, strerror(rc));
    s->nthreads = i + 1;
  }
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_stream_create(pprt_runtime_t* rt, const struct pprt_stream_options* opts, pprt_stream_t** out) {
  if (out != NULL) *out = NULL;
  if (rt == NULL || out == NULL) {
    pprt_set_last_error("pprt_stream_create: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  struct pprt_stream_options o;
  pprt_stream_options_init(&o);
  if (opts != NULL) {
    o = *opts;
    if (o.dpu_cores == 0) o.dpu_cores = 1;
    if (o.max_in_flight == 0) o.max_in_flight = 2 * o.dpu_cores + 2;
  }
  if (o.dpu_cores > PPRT_STREAM_MAX_CORES || o.max_in_flight > PPRT_STREAM_MAX_DEPTH) {
    char msg[160];
    snprintf(msg, sizeof msg, "stream: %u DPU cores (1..%u) and %u frames in flight (1..%u) out of range",
             o.dpu_cores, PPRT_STREAM_MAX_CORES, o.max_in_flight, PPRT_STREAM_MAX_DEPTH);
    pprt_set_last_error(msg);
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  struct pprt_stream* s = calloc(1, sizeof *s);
  if (s == NULL) {
    pprt_set_last_error("out of memory");
    return PPRT_STATUS_OUT_OF_MEMORY;
  }
  s->rt = rt;
  s->opts = o;
  s->ncores = o.dpu_cores;
  s->depth = o.max_in_flight;
  s->max_boxes = pprt_runtime_max_boxes(rt);
  struct pprt_err err;
  err.msg[0] = '\0';
  enum pprt_status st = create_impl(s, &err);
  if (st != PPRT_STATUS_OK) {
    pprt_set_last_error(err.msg);
    stream_free(s);
    return st;
  }
  atomic_fetch_add(&rt->streams, 1u);
  pprt_set_last_error("");
  *out = s;
  return PPRT_STATUS_OK;
}

void pprt_stream_destroy(pprt_stream_t* s) {
  if (s == NULL) return;
  pprt_runtime_t* rt = s->rt;
  stream_free(s);
  atomic_fetch_sub(&rt->streams, 1u);
}

/* ------------------------------------------------------------------ submit / receive */

static enum pprt_status submit_impl(struct pprt_stream* s, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                    uint64_t tag, int wait) {
  if (s == NULL) {
    pprt_set_last_error("pprt_stream_submit: NULL stream");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  double t = pprt_now_ms();
  pthread_mutex_lock(&s->mu);
  while (wait && !s->stop && s->submitted - s->received == s->depth) pthread_cond_wait(&s->cv_space, &s->mu);
  if (s->submitted - s->received == s->depth || s->stop) {
    pthread_mutex_unlock(&s->mu);
    char msg[128];
    snprintf(msg, sizeof msg, "stream full: %u frames in flight", s->depth);
    pprt_set_last_error(msg);
    return PPRT_STATUS_CAPACITY;
  }
  /* The slot is free (received) and no worker looks at it until `submitted` moves past it. */
  struct stream_slot* slot = &s->slots[s->submitted % s->depth];
  pthread_mutex_unlock(&s->mu);

  slot->tag = tag;
  slot->status = PPRT_STATUS_OK;
  slot->err.msg[0] = '\0';
  memset(&slot->stats, 0, sizeof slot->stats);
  slot->num_boxes = 0;
  slot->t_submit = t;
  const uint32_t max_sweeps = s->rt->max_sweeps;
  if (num_sweeps > max_sweeps) {
    slot->status = pprt_fail(&slot->err, PPRT_STATUS_CAPACITY,
                             "%u sweeps given, the runtime was created for at most %u", num_sweeps, max_sweeps);
    slot->num_sweeps = 0;
  } else if (sweeps == NULL && num_sweeps > 0) {
    slot->status = pprt_fail(&slot->err, PPRT_STATUS_INVALID_ARGUMENT, "a frame needs at least the key sweep");
    slot->num_sweeps = 0;
  } else {
    if (num_sweeps > 0) memcpy(slot->sweeps, sweeps, (size_t)num_sweeps * sizeof *sweeps);
    slot->num_sweeps = num_sweeps;
  }
  if (slot->status == PPRT_STATUS_OK && num_sweeps == 0)
    slot->status = pprt_fail(&slot->err, PPRT_STATUS_INVALID_ARGUMENT, "a frame needs at least the key sweep");

  pthread_mutex_lock(&s->mu);
  slot->state = SLOT_QUEUED;
  ++s->submitted;
  pthread_cond_signal(&s->cv_submitted);
  pthread_mutex_unlock(&s->mu);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_stream_submit(pprt_stream_t* s, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                    uint64_t tag) {
  return submit_impl(s, sweeps, num_sweeps, tag, 1);
}

enum pprt_status pprt_stream_try_submit(pprt_stream_t* s, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                        uint64_t tag) {
  return submit_impl(s, sweeps, num_sweeps, tag, 0);
}

enum pprt_status pprt_stream_receive(pprt_stream_t* s, struct pprt_box* boxes, uint32_t max_boxes,
                                     uint32_t* num_boxes, uint64_t* tag, struct pprt_frame_stats* stats) {
  if (s == NULL || num_boxes == NULL || (boxes == NULL && max_boxes > 0)) {
    pprt_set_last_error("pprt_stream_receive: NULL stream or no box array");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  *num_boxes = 0;
  pthread_mutex_lock(&s->mu);
  if (s->received == s->submitted) {
    pthread_mutex_unlock(&s->mu);
    pprt_set_last_error("pprt_stream_receive: no frame in flight");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  struct stream_slot* slot = &s->slots[s->received % s->depth];
  while (slot->state != SLOT_DONE) pthread_cond_wait(&s->cv_done, &s->mu);
  pthread_mutex_unlock(&s->mu);

  /* The slot is ours until `received` moves past it. */
  enum pprt_status st = slot->status;
  if (tag != NULL) *tag = slot->tag;
  if (stats != NULL) *stats = slot->stats;
  if (st == PPRT_STATUS_OK) {
    uint32_t n = slot->num_boxes < max_boxes ? slot->num_boxes : max_boxes;
    if (n > 0) memcpy(boxes, slot->boxes, (size_t)n * sizeof *boxes);
    *num_boxes = n;
    pprt_set_last_error("");
  } else {
    pprt_set_last_error(slot->err.msg);
  }

  pthread_mutex_lock(&s->mu);
  slot->state = SLOT_FREE;
  ++s->received;
  pthread_cond_signal(&s->cv_space);
  pthread_mutex_unlock(&s->mu);
  return st;
}

uint32_t pprt_stream_in_flight(const pprt_stream_t* s) {
  if (s == NULL) return 0;
  pthread_mutex_t* mu = (pthread_mutex_t*)&s->mu; /* reading the counters needs the lock */
  pthread_mutex_lock(mu);
  uint32_t n = (uint32_t)(s->submitted - s->received);
  pthread_mutex_unlock(mu);
  return n;
}

enum pprt_status pprt_stream_get_options(const pprt_stream_t* s, struct pprt_stream_options* out) {
  if (s == NULL || out == NULL) return PPRT_STATUS_INVALID_ARGUMENT;
  *out = s->opts;
  return PPRT_STATUS_OK;
}

uint32_t pprt_stream_num_contexts(const struct pprt_stream* s) { return s != NULL ? s->ncores : 0; }

struct pprt_frame_ctx* pprt_stream_context(struct pprt_stream* s, uint32_t i) {
  return s != NULL && i < s->ncores ? &s->ctx[i] : NULL;
}
