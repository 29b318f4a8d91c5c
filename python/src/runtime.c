/*
 * pprt.Runtime: pprt_runtime_create / run / stats / destroy.
 */
#include "pprt_py.h"

#include <math.h>
#include <string.h>

static PyObject* runtime_new(PyTypeObject* type, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"model", "runner", "vai_compat", "score_thresh", "max_points", "max_sweeps",
                           "runner_lib", "model_name0", "model_name1", NULL};
  PyObject* model = NULL;
  const char* runner = "dpu";
  int vai_compat = 0;
  PyObject *score_obj = Py_None, *max_points_obj = Py_None, *max_sweeps_obj = Py_None;
  PyObject* runner_lib = NULL;
  const char *n0 = NULL, *n1 = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$spOOOO&zz:Runtime", kwlist, PyUnicode_FSConverter, &model, &runner,
                                   &vai_compat, &score_obj, &max_points_obj, &max_sweeps_obj, PyUnicode_FSConverter,
                                   &runner_lib, &n0, &n1))
    return NULL;
  struct pprt_options o;
  pprt_options_init(&o);
  pprt_py_runtime* self = NULL;
  if (pprt_runner_from_string(runner, &o.runner) != PPRT_STATUS_OK) {
    pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "runner must be 'dpu', 'cpu' or 'dummy', got '%.40s'", runner);
    goto done;
  }
  if (score_obj != Py_None) {
    double v = PyFloat_AsDouble(score_obj);
    if (v == -1.0 && PyErr_Occurred()) goto done;
    if (!(v > 0.0 && v < 1.0)) { /* NaN fails too */
      pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "score_thresh must be in (0, 1) or None, got %g", v);
      goto done;
    }
    o.score_thresh = (float)v;
  }
  if (pprt_py_opt_u32(max_points_obj, "max_points", 0, &o.max_points) < 0 ||
      pprt_py_opt_u32(max_sweeps_obj, "max_sweeps", 0, &o.max_sweeps) < 0)
    goto done;
  o.model_dir = PyBytes_AS_STRING(model);
  o.runner_lib = runner_lib ? PyBytes_AS_STRING(runner_lib) : NULL;
  o.model_name0 = n0;
  o.model_name1 = n1;
  o.vai_compat = vai_compat;

  self = (pprt_py_runtime*)type->tp_alloc(type, 0);
  if (self == NULL) goto done;
  self->lock = PyThread_allocate_lock();
  if (self->lock == NULL) {
    PyErr_NoMemory();
    Py_CLEAR(self);
    goto done;
  }
  self->runner = o.runner;
  self->max_points = o.max_points;
  self->max_sweeps = o.max_sweeps;
  pprt_runtime_t* rt = NULL;
  enum pprt_status st;
  Py_BEGIN_ALLOW_THREADS
  st = pprt_runtime_create(&o, &rt);
  Py_END_ALLOW_THREADS
  if (st != PPRT_STATUS_OK) {
    pprt_py_raise(st, pprt_last_error());
    Py_CLEAR(self);
    goto done;
  }
  self->rt = rt;
  self->max_boxes = pprt_runtime_max_boxes(rt);
  self->boxes = PyMem_Calloc(self->max_boxes ? self->max_boxes : 1, sizeof *self->boxes);
  uint32_t nc = pprt_runtime_num_classes(rt);
  self->class_names = PyTuple_New((Py_ssize_t)nc);
  if (self->boxes == NULL || self->class_names == NULL) {
    if (!PyErr_Occurred()) PyErr_NoMemory();
    Py_CLEAR(self);
    goto done;
  }
  for (uint32_t i = 0; i < nc; ++i) {
    PyObject* s = PyUnicode_FromString(pprt_runtime_class_name(rt, i));
    if (s == NULL) {
      Py_CLEAR(self);
      goto done;
    }
    PyTuple_SET_ITEM(self->class_names, (Py_ssize_t)i, s);
  }
done:
  Py_XDECREF(model);
  Py_XDECREF(runner_lib);
  return (PyObject*)self;
}

static void runtime_destroy_locked(pprt_py_runtime* self) {
  pprt_runtime_t* rt = self->rt;
  self->rt = NULL;
  if (rt != NULL) {
    Py_BEGIN_ALLOW_THREADS
    pprt_runtime_destroy(rt);
    Py_END_ALLOW_THREADS
  }
}

static void runtime_dealloc(pprt_py_runtime* self) {
  /* Streams hold a reference, so none is left here; nobody else can hold the lock either. */
  runtime_destroy_locked(self);
  if (self->lock) PyThread_free_lock(self->lock);
  PyMem_Free(self->boxes);
  Py_XDECREF(self->class_names);
  Py_TYPE(self)->tp_free((PyObject*)self);
}

static PyObject* runtime_run(pprt_py_runtime* self, PyObject* frame_obj) {
  struct pprt_py_frame f;
  if (pprt_py_frame_parse(frame_obj, &f) < 0) return NULL;
  pprt_py_lock(self->lock);
  PyObject* out = NULL;
  if (self->rt == NULL) {
    pprt_py_raise_closed("the runtime");
  } else {
    enum pprt_status st;
    uint32_t n = 0;
    struct pprt_frame_stats stats;
    Py_BEGIN_ALLOW_THREADS
    st = pprt_runtime_run(self->rt, f.sweeps, f.num_sweeps, self->boxes, self->max_boxes, &n);
    if (st == PPRT_STATUS_OK) st = pprt_runtime_stats(self->rt, &stats);
    Py_END_ALLOW_THREADS
    if (st != PPRT_STATUS_OK) {
      pprt_py_raise(st, pprt_runtime_last_error(self->rt));
    } else {
      self->stats = stats;
      self->has_stats = 1;
      out = pprt_py_boxes_array(self->boxes, n > self->max_boxes ? self->max_boxes : n);
    }
  }
  PyThread_release_lock(self->lock);
  pprt_py_frame_release(&f);
  return out;
}

static PyObject* runtime_close(pprt_py_runtime* self, PyObject* unused) {
  pprt_py_lock(self->lock);
  PyObject* out = Py_None;
  if (self->open_streams > 0) {
    out = pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "close the runtime's %ld open stream(s) first",
                         (long)self->open_streams);
  } else {
    runtime_destroy_locked(self);
  }
  PyThread_release_lock(self->lock);
  Py_XINCREF(out);
  return out;
}

static PyObject* runtime_enter(pprt_py_runtime* self, PyObject* unused) {
  if (self->rt == NULL) return pprt_py_raise_closed("the runtime");
  Py_INCREF(self);
  return (PyObject*)self;
}

static PyObject* runtime_exit(pprt_py_runtime* self, PyObject* args) { return runtime_close(self, NULL); }

static PyObject* runtime_simulate_dpu(pprt_py_runtime* self, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"ms0", "ms1", "cores", NULL};
  double ms0 = 0, ms1 = 0;
  PyObject* cores_obj = Py_None;
  uint32_t cores = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "dd|O:simulate_dpu", kwlist, &ms0, &ms1, &cores_obj) ||
      pprt_py_opt_u32(cores_obj, "cores", 0, &cores) < 0)
    return NULL;
  pprt_py_lock(self->lock);
  enum pprt_status st = PPRT_STATUS_OK;
  PyObject* out = Py_None;
  if (self->rt == NULL) {
    out = pprt_py_raise_closed("the runtime");
  } else if ((st = pprt_runtime_simulate_dpu(self->rt, ms0, ms1, cores)) != PPRT_STATUS_OK) {
    out = pprt_py_raise(st, pprt_runtime_last_error(self->rt));
  }
  PyThread_release_lock(self->lock);
  Py_XINCREF(out);
  return out;
}

static PyObject* runtime_get_stats(pprt_py_runtime* self, void* c) {
  if (!self->has_stats) Py_RETURN_NONE;
  return pprt_py_stats_dict(&self->stats);
}

static PyObject* runtime_get_class_names(pprt_py_runtime* self, void* c) {
  Py_INCREF(self->class_names);
  return self->class_names;
}

static PyObject* runtime_get_runner(pprt_py_runtime* self, void* c) {
  return PyUnicode_FromString(pprt_runner_str(self->runner));
}

static PyObject* runtime_get_max_boxes(pprt_py_runtime* self, void* c) { return PyLong_FromUnsignedLong(self->max_boxes); }

static PyObject* runtime_get_closed(pprt_py_runtime* self, void* c) { return PyBool_FromLong(self->rt == NULL); }

static PyObject* runtime_repr(pprt_py_runtime* self) {
  return PyUnicode_FromFormat("<pprt.Runtime runner=%s classes=%zd%s>", pprt_runner_str(self->runner),
                              PyTuple_GET_SIZE(self->class_names), self->rt ? "" : " closed");
}

static PyMethodDef runtime_methods[] = {
    {"run", (PyCFunction)runtime_run, METH_O,
     "run(frame) -> structured array of boxes (x, y, z, w, l, h, yaw, vx, vy, score, label), highest score first\n\n"
     "frame: an (N, 4|5) float32 array (the key sweep alone), a pprt.Sweep, or a list of them with the key sweep\n"
     "first. C-contiguous float32 points are read in place; other numeric arrays are converted (a copy).\n"
     "The GIL is released while the frame runs; calls on one Runtime from several threads take turns."},
    {"close", (PyCFunction)runtime_close, METH_NOARGS,
     "Release the runtime (its streams must be closed first). Later calls raise pprt.InvalidArgumentError."},
    {"simulate_dpu", (PyCFunction)(void (*)(void))runtime_simulate_dpu, METH_VARARGS | METH_KEYWORDS,
     "simulate_dpu(ms0, ms1, cores=0): every DPU job of subgraph 0 / 1 lasts at least ms0 / ms1 ms, at most cores\n"
     "at once (pprt_runtime_simulate_dpu). With a stream open: pprt.BusyError."},
    {"__enter__", (PyCFunction)runtime_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)runtime_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef runtime_getset[] = {
    {"stats", (getter)runtime_get_stats, NULL,
     "statistics of the last frame run: {'stage_ms': {stage: ms}, 'points_in', 'points_nonfinite',\n"
     "'points_out_of_range', 'points_overflow', 'pillars', 'candidates', 'boxes'}; None before the first frame",
     NULL},
    {"class_names", (getter)runtime_get_class_names, NULL, "tuple of the model's class names, by label", NULL},
    {"runner", (getter)runtime_get_runner, NULL, "'dpu', 'cpu' or 'dummy'", NULL},
    {"max_boxes", (getter)runtime_get_max_boxes, NULL, "most boxes a frame returns (the prototxt's max_num)", NULL},
    {"closed", (getter)runtime_get_closed, NULL, "True after close()", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject pprt_py_RuntimeType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pprt.Runtime",
    .tp_basicsize = sizeof(pprt_py_runtime),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Runtime(model, *, runner='dpu', vai_compat=False, score_thresh=None, max_points=None, "
              "max_sweeps=None,\n        runner_lib=None, model_name0=None, model_name1=None)\n\n"
              "Load a model folder (the two VAI-Library subgraph folders) and create its runners "
              "(pprt_runtime_create).\nrunner: 'dpu' (VART, a board), 'cpu' (pprt's int8 CPU runner), 'dummy' "
              "(plumbing and timing only).\nmax_points / max_sweeps: per-frame limits (None: 400000 / 10). "
              "Usable as a context manager.",
    .tp_new = runtime_new,
    .tp_dealloc = (destructor)runtime_dealloc,
    .tp_repr = (reprfunc)runtime_repr,
    .tp_methods = runtime_methods,
    .tp_getset = runtime_getset,
};
