/*
 * pprt.Stream: pprt_stream_create / submit / receive / destroy.
 *
 * The C stream reads the caller's points until the frame is received, so every submitted frame keeps its point
 * arrays (and its Python tag) in a ring, oldest first; frames come back strictly in submission order, so receive()
 * pops the oldest entry. The C tag is the frame's sequence number, checked against the ring on every receive.
 * An entry is pushed before the C submit (which may block with the GIL released while the receiver runs) and popped
 * again if the submit fails. So the ring holds at most max_in_flight + 2 entries: the frames in C, the one the
 * submitter is handing over, and the one the receiver got from C and has not popped yet (it waits for the GIL).
 */
#include "pprt_py.h"

#include <string.h>

struct entry {
  PyObject* tag;
  PyObject* keep;
  uint64_t seq;
};

typedef struct {
  PyObject_HEAD
  pprt_stream_t* s;             /* NULL once closed */
  pprt_py_runtime* rt;          /* strong reference: the runtime outlives the stream */
  PyThread_type_lock submit_lock, receive_lock;
  struct entry* ring;
  uint32_t cap, head, count;
  uint64_t next_seq;
  struct pprt_box* boxes;
  uint32_t max_boxes;
  struct pprt_stream_options opts;
  struct pprt_frame_stats stats;
  int has_stats;
} pprt_py_stream;

static void ring_drop_all(pprt_py_stream* self) {
  while (self->count > 0) {
    struct entry* e = &self->ring[self->head];
    self->head = (self->head + 1) % self->cap;
    self->count--;
    Py_CLEAR(e->tag);
    Py_CLEAR(e->keep);
  }
}

/* Destroy the C stream (frames in flight are dropped after their running DPU jobs finish) and drop the ring.
 * The caller holds both locks, or nobody else can reach the object. */
static void stream_shutdown(pprt_py_stream* self) {
  pprt_stream_t* s = self->s;
  self->s = NULL;
  if (s != NULL) {
    Py_BEGIN_ALLOW_THREADS
    pprt_stream_destroy(s);
    Py_END_ALLOW_THREADS
    if (self->rt != NULL) self->rt->open_streams--;
  }
  if (self->ring != NULL) ring_drop_all(self);
}

static PyObject* stream_new(PyTypeObject* type, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"runtime", "dpu_cores", "max_in_flight", NULL};
  PyObject* rt_obj = NULL;
  PyObject *cores_obj = Py_None, *depth_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|OO:Stream", kwlist, &pprt_py_RuntimeType, &rt_obj, &cores_obj,
                                   &depth_obj))
    return NULL;
  struct pprt_stream_options o;
  pprt_stream_options_init(&o);
  if (pprt_py_opt_u32(cores_obj, "dpu_cores", o.dpu_cores, &o.dpu_cores) < 0 ||
      pprt_py_opt_u32(depth_obj, "max_in_flight", o.max_in_flight, &o.max_in_flight) < 0)
    return NULL;
  pprt_py_stream* self = (pprt_py_stream*)type->tp_alloc(type, 0);
  if (self == NULL) return NULL;
  pprt_py_runtime* rt = (pprt_py_runtime*)rt_obj;
  Py_INCREF(rt);
  self->rt = rt;
  self->submit_lock = PyThread_allocate_lock();
  self->receive_lock = PyThread_allocate_lock();
  self->max_boxes = rt->max_boxes;
  self->boxes = PyMem_Calloc(self->max_boxes ? self->max_boxes : 1, sizeof *self->boxes);
  if (self->submit_lock == NULL || self->receive_lock == NULL || self->boxes == NULL) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  pprt_py_lock(rt->lock);
  enum pprt_status st = PPRT_STATUS_OK;
  pprt_stream_t* s = NULL;
  if (rt->rt == NULL) {
    pprt_py_raise_closed("the runtime");
  } else {
    Py_BEGIN_ALLOW_THREADS
    st = pprt_stream_create(rt->rt, &o, &s);
    Py_END_ALLOW_THREADS
    if (st != PPRT_STATUS_OK) {
      pprt_py_raise(st, pprt_last_error());
    } else {
      self->s = s;
      rt->open_streams++;
    }
  }
  PyThread_release_lock(rt->lock);
  if (self->s == NULL) {
    Py_DECREF(self);
    return NULL;
  }
  pprt_stream_get_options(self->s, &self->opts);
  self->cap = self->opts.max_in_flight + 2;
  self->ring = PyMem_Calloc(self->cap, sizeof *self->ring);
  if (self->ring == NULL) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  return (PyObject*)self;
}

static int stream_traverse(pprt_py_stream* self, visitproc visit, void* arg) {
  Py_VISIT(self->rt);
  for (uint32_t i = 0; self->ring != NULL && i < self->count; ++i) {
    Py_VISIT(self->ring[(self->head + i) % self->cap].tag);
    Py_VISIT(self->ring[(self->head + i) % self->cap].keep);
  }
  return 0;
}

static int stream_clear(pprt_py_stream* self) {
  stream_shutdown(self); /* the C stream first: it must stop reading the arrays before they go */
  Py_CLEAR(self->rt);
  return 0;
}

static void stream_dealloc(pprt_py_stream* self) {
  PyObject_GC_UnTrack(self);
  stream_clear(self);
  if (self->submit_lock) PyThread_free_lock(self->submit_lock);
  if (self->receive_lock) PyThread_free_lock(self->receive_lock);
  PyMem_Free(self->ring);
  PyMem_Free(self->boxes);
  Py_TYPE(self)->tp_free((PyObject*)self);
}

/* submit / try_submit. Returns Py_True (queued), Py_False (try and full) or NULL (error). */
static PyObject* stream_submit_impl(pprt_py_stream* self, PyObject* args, PyObject* kw, int try_only) {
  static char* kwlist[] = {"frame", "tag", NULL};
  PyObject *frame_obj = NULL, *tag = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kw, try_only ? "O|O:try_submit" : "O|O:submit", kwlist, &frame_obj, &tag))
    return NULL;
  struct pprt_py_frame f;
  if (pprt_py_frame_parse(frame_obj, &f) < 0) return NULL;
  pprt_py_lock(self->submit_lock);
  PyObject* out = NULL;
  if (self->s == NULL) {
    pprt_py_raise_closed("the stream");
  } else {
    /* Push first (see the top of the file for why count < cap here). */
    uint32_t slot = (self->head + self->count) % self->cap;
    struct entry* e = &self->ring[slot];
    e->seq = self->next_seq;
    e->tag = tag;
    e->keep = f.keep;
    Py_INCREF(tag);
    Py_INCREF(f.keep);
    self->count++;
    enum pprt_status st;
    if (try_only) {
      st = pprt_stream_try_submit(self->s, f.sweeps, f.num_sweeps, e->seq);
    } else {
      pprt_stream_t* s = self->s;
      uint64_t seq = e->seq;
      Py_BEGIN_ALLOW_THREADS
      st = pprt_stream_submit(s, f.sweeps, f.num_sweeps, seq);
      Py_END_ALLOW_THREADS
    }
    if (st == PPRT_STATUS_OK) {
      self->next_seq++;
      out = Py_True;
    } else {
      /* Not queued: our entry is still the newest (the receiver only pops frames C returned). */
      struct entry* mine = &self->ring[(self->head + self->count - 1) % self->cap];
      self->count--;
      Py_CLEAR(mine->tag);
      Py_CLEAR(mine->keep);
      if (try_only && st == PPRT_STATUS_CAPACITY) out = Py_False;
      else pprt_py_raise(st, pprt_last_error());
    }
  }
  PyThread_release_lock(self->submit_lock);
  pprt_py_frame_release(&f);
  Py_XINCREF(out);
  return out;
}

static PyObject* stream_submit(pprt_py_stream* self, PyObject* args, PyObject* kw) {
  PyObject* r = stream_submit_impl(self, args, kw, 0);
  if (r == NULL) return NULL;
  Py_DECREF(r);
  Py_RETURN_NONE;
}

static PyObject* stream_try_submit(pprt_py_stream* self, PyObject* args, PyObject* kw) {
  return stream_submit_impl(self, args, kw, 1);
}

/* Receive the oldest frame. no_frame_stops: with nothing in flight, return NULL with no exception (iteration). */
static PyObject* stream_receive_impl(pprt_py_stream* self, int no_frame_stops) {
  pprt_py_lock(self->receive_lock);
  PyObject* out = NULL;
  if (self->s == NULL) {
    pprt_py_raise_closed("the stream");
  } else if (pprt_stream_in_flight(self->s) == 0) {
    /* Only this (locked) receiver lowers in_flight, so a frame seen here is there to receive below. */
    if (!no_frame_stops) pprt_py_raise(PPRT_STATUS_INVALID_ARGUMENT, "receive: no frame in flight");
  } else {
    pprt_stream_t* s = self->s;
    uint32_t n = 0;
    uint64_t tag = 0;
    struct pprt_frame_stats stats;
    memset(&stats, 0, sizeof stats);
    enum pprt_status st;
    char msg[512] = "";
    Py_BEGIN_ALLOW_THREADS
    st = pprt_stream_receive(s, self->boxes, self->max_boxes, &n, &tag, &stats);
    if (st != PPRT_STATUS_OK) snprintf(msg, sizeof msg, "%s", pprt_last_error());
    Py_END_ALLOW_THREADS
    struct entry* e = &self->ring[self->head];
    if (self->count == 0 || e->seq != tag) {
      pprt_py_raisef(PPRT_STATUS_INTERNAL, "receive: frame %llu came back, expected %llu", (unsigned long long)tag,
                     self->count ? (unsigned long long)e->seq : 0ull);
    } else {
      PyObject* user_tag = e->tag;
      e->tag = NULL;
      Py_CLEAR(e->keep); /* C no longer reads these points */
      self->head = (self->head + 1) % self->cap;
      self->count--;
      self->stats = stats;
      self->has_stats = 1;
      if (st != PPRT_STATUS_OK) {
        pprt_py_raise_tagged(st, msg, user_tag);
      } else {
        PyObject* boxes = pprt_py_boxes_array(self->boxes, n > self->max_boxes ? self->max_boxes : n);
        if (boxes != NULL) out = PyTuple_Pack(2, user_tag, boxes);
        Py_XDECREF(boxes);
      }
      Py_DECREF(user_tag);
    }
  }
  PyThread_release_lock(self->receive_lock);
  return out;
}

static PyObject* stream_receive(pprt_py_stream* self, PyObject* unused) { return stream_receive_impl(self, 0); }

static PyObject* stream_iternext(pprt_py_stream* self) { return stream_receive_impl(self, 1); }

static PyObject* stream_iter(pprt_py_stream* self) {
  if (self->s == NULL) return pprt_py_raise_closed("the stream");
  Py_INCREF(self);
  return (PyObject*)self;
}

static PyObject* stream_close(pprt_py_stream* self, PyObject* unused) {
  pprt_py_lock(self->submit_lock);
  pprt_py_lock(self->receive_lock);
  stream_shutdown(self);
  PyThread_release_lock(self->receive_lock);
  PyThread_release_lock(self->submit_lock);
  Py_RETURN_NONE;
}

static PyObject* stream_enter(pprt_py_stream* self, PyObject* unused) {
  if (self->s == NULL) return pprt_py_raise_closed("the stream");
  Py_INCREF(self);
  return (PyObject*)self;
}

static PyObject* stream_exit(pprt_py_stream* self, PyObject* args) { return stream_close(self, NULL); }

static PyObject* stream_get_in_flight(pprt_py_stream* self, void* c) {
  return PyLong_FromUnsignedLong(self->s ? pprt_stream_in_flight(self->s) : 0);
}
static PyObject* stream_get_dpu_cores(pprt_py_stream* self, void* c) { return PyLong_FromUnsignedLong(self->opts.dpu_cores); }
static PyObject* stream_get_max_in_flight(pprt_py_stream* self, void* c) {
  return PyLong_FromUnsignedLong(self->opts.max_in_flight);
}
static PyObject* stream_get_stats(pprt_py_stream* self, void* c) {
  if (!self->has_stats) Py_RETURN_NONE;
  return pprt_py_stats_dict(&self->stats);
}
static PyObject* stream_get_closed(pprt_py_stream* self, void* c) { return PyBool_FromLong(self->s == NULL); }
static PyObject* stream_get_runtime(pprt_py_stream* self, void* c) {
  if (self->rt == NULL) Py_RETURN_NONE;
  Py_INCREF(self->rt);
  return (PyObject*)self->rt;
}

static PyMethodDef stream_methods[] = {
    {"submit", (PyCFunction)(void (*)(void))stream_submit, METH_VARARGS | METH_KEYWORDS,
     "submit(frame, tag=None): queue a frame (as Runtime.run takes it) with any Python object as its tag.\n"
     "Blocks, with the GIL released, while max_in_flight frames are in flight. The point arrays are kept (not\n"
     "copied) until the frame is received: do not change them in place meanwhile. A bad frame's error comes\n"
     "back from receive() in its turn."},
    {"try_submit", (PyCFunction)(void (*)(void))stream_try_submit, METH_VARARGS | METH_KEYWORDS,
     "try_submit(frame, tag=None) -> bool: submit without blocking; False (nothing queued) when the stream is full."},
    {"receive", (PyCFunction)stream_receive, METH_NOARGS,
     "receive() -> (tag, boxes): wait (GIL released) for the oldest frame in flight. A failed frame raises its\n"
     "pprt.Error subclass with .tag set. With no frame in flight: pprt.InvalidArgumentError at once."},
    {"close", (PyCFunction)stream_close, METH_NOARGS,
     "Stop the workers; frames still in flight are dropped. Later calls raise pprt.InvalidArgumentError."},
    {"__enter__", (PyCFunction)stream_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)stream_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef stream_getset[] = {
    {"in_flight", (getter)stream_get_in_flight, NULL, "frames submitted and not yet received", NULL},
    {"dpu_cores", (getter)stream_get_dpu_cores, NULL, "runners per subgraph (defaults filled in)", NULL},
    {"max_in_flight", (getter)stream_get_max_in_flight, NULL, "queue depth (defaults filled in)", NULL},
    {"stats", (getter)stream_get_stats, NULL,
     "statistics of the last received frame (stage_ms['total'] includes queueing); None before the first", NULL},
    {"closed", (getter)stream_get_closed, NULL, "True after close()", NULL},
    {"runtime", (getter)stream_get_runtime, NULL, "the Runtime the stream runs on", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject pprt_py_StreamType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pprt.Stream",
    .tp_basicsize = sizeof(pprt_py_stream),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Stream(runtime, dpu_cores=None, max_in_flight=None)\n\n"
              "Several frames in flight over their own runners (pprt_stream_*): submit(frame, tag) / receive(), or\n"
              "iterate to receive every frame in flight in submission order. dpu_cores: runners per subgraph\n"
              "(ZCU104: 2, KV260: 1; None: 1); max_in_flight: queue depth (None: 2 * dpu_cores + 2).\n"
              "One thread may submit while another receives. Close it (or use `with`) before closing the runtime.",
    .tp_new = stream_new,
    .tp_dealloc = (destructor)stream_dealloc,
    .tp_traverse = (traverseproc)stream_traverse,
    .tp_clear = (inquiry)stream_clear,
    .tp_iter = (getiterfunc)stream_iter,
    .tp_iternext = (iternextfunc)stream_iternext,
    .tp_methods = stream_methods,
    .tp_getset = stream_getset,
};
