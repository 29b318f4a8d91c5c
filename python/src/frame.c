/*
 * pprt module: what goes into a frame (point arrays, pprt.Sweep, lists of them) and what comes out (the box array,
 * the statistics dict).
 */
#include "pprt_py.h"

#include <stddef.h>
#include <string.h>

static PyArray_Descr* g_box_dtype;

PyArray_Descr* pprt_py_box_dtype(void) { return g_box_dtype; }

/* ------------------------------------------------------------------ points */

PyArrayObject* pprt_py_points(PyObject* obj, const char* what) {
  PyArrayObject* arr = NULL;
  if (PyArray_Check(obj)) {
    Py_INCREF(obj);
    arr = (PyArrayObject*)obj;
  } else {
    arr = (PyArrayObject*)PyArray_FROM_O(obj);
    if (arr == NULL) return NULL;
  }
  const char kind = PyArray_DESCR(arr)->kind;
  if (kind != 'f' && kind != 'i' && kind != 'u') {
    PyObject* dt = PyObject_Str((PyObject*)PyArray_DESCR(arr));
    PyErr_Format(PyExc_TypeError, "%s: points must be a float32 array of shape (N, 4|5), got dtype %s", what,
                 dt ? PyUnicode_AsUTF8(dt) : "?");
    Py_XDECREF(dt);
    Py_DECREF(arr);
    return NULL;
  }
  if (PyArray_NDIM(arr) != 2 || PyArray_DIM(arr, 1) < 4) {
    char shape[96] = "(";
    for (int d = 0; d < PyArray_NDIM(arr) && d < 4; ++d)
      snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%ld", d ? ", " : "", (long)PyArray_DIM(arr, d));
    snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s)", PyArray_NDIM(arr) == 1 ? "," : "");
    Py_DECREF(arr);
    pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT,
                   "%s: points must have shape (N, 4|5) (x, y, z, intensity[, extra] per row; more columns are "
                   "skipped), got %s",
                   what, shape);
    return NULL;
  }
  if (PyArray_DIM(arr, 0) > (npy_intp)UINT32_MAX || PyArray_DIM(arr, 1) > (npy_intp)UINT32_MAX) {
    Py_DECREF(arr);
    pprt_py_raisef(PPRT_STATUS_CAPACITY, "%s: %ld points is more than a sweep can hold", what,
                   (long)PyArray_DIM(arr, 0));
    return NULL;
  }
  if (PyArray_TYPE(arr) == NPY_FLOAT32 && PyArray_ISCARRAY_RO(arr) && PyArray_ISNOTSWAPPED(arr)) return arr;
  /* A copy: other float / integer types, strided views, foreign byte order. */
  PyArrayObject* conv = (PyArrayObject*)PyArray_FROM_OTF((PyObject*)arr, NPY_FLOAT32,
                                                           NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
  Py_DECREF(arr);
  return conv;
}

/* ------------------------------------------------------------------ Sweep */

/* Read a 3x3 (or 9) / 3 sequence of finite-or-not numbers into out[n]. NaN is passed on: the runtime rejects it. */
static int read_floats(PyObject* obj, const char* name, float* out, int n) {
  PyArrayObject* a = (PyArrayObject*)PyArray_FROM_OTF(obj, NPY_FLOAT64, NPY_ARRAY_IN_ARRAY);
  if (a == NULL) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "Sweep: %s must be %d numbers", name, n);
    return -1;
  }
  if (PyArray_SIZE(a) != n || (n == 9 && !(PyArray_NDIM(a) == 1 || (PyArray_NDIM(a) == 2 && PyArray_DIM(a, 0) == 3)))) {
    Py_DECREF(a);
    pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "Sweep: %s must be %s", name,
                   n == 9 ? "a 3x3 rotation matrix (or its 9 numbers, row-major)" : "3 numbers");
    return -1;
  }
  const double* d = (const double*)PyArray_DATA(a);
  for (int i = 0; i < n; ++i) out[i] = (float)d[i];
  Py_DECREF(a);
  return 0;
}

static PyObject* sweep_new(PyTypeObject* type, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"points", "rotation", "translation", "timestamp_us", NULL};
  PyObject *points = NULL, *rot = Py_None, *tr = Py_None;
  long long ts = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOL:Sweep", kwlist, &points, &rot, &tr, &ts)) return NULL;
  pprt_py_sweep* s = (pprt_py_sweep*)type->tp_alloc(type, 0);
  if (s == NULL) return NULL;
  struct pprt_sweep id;
  pprt_sweep_init(&id, NULL, 0, 4, (int64_t)ts);
  memcpy(s->rotation, id.rotation, sizeof s->rotation);
  memcpy(s->translation, id.translation, sizeof s->translation);
  s->timestamp_us = (int64_t)ts;
  s->points = pprt_py_points(points, "Sweep");
  if (s->points == NULL || (rot != Py_None && read_floats(rot, "rotation", s->rotation, 9) < 0) ||
      (tr != Py_None && read_floats(tr, "translation", s->translation, 3) < 0)) {
    Py_DECREF(s);
    return NULL;
  }
  return (PyObject*)s;
}

static void sweep_dealloc(pprt_py_sweep* s) {
  Py_XDECREF(s->points);
  Py_TYPE(s)->tp_free((PyObject*)s);
}

static PyObject* float_array(const float* v, int nd, npy_intp* dims) {
  PyObject* a = PyArray_SimpleNew(nd, dims, NPY_FLOAT32);
  if (a != NULL) memcpy(PyArray_DATA((PyArrayObject*)a), v, (size_t)PyArray_NBYTES((PyArrayObject*)a));
  return a;
}

static PyObject* sweep_get_points(pprt_py_sweep* s, void* c) {
  Py_INCREF(s->points);
  return (PyObject*)s->points;
}
static PyObject* sweep_get_rotation(pprt_py_sweep* s, void* c) {
  npy_intp dims[2] = {3, 3};
  return float_array(s->rotation, 2, dims);
}
static PyObject* sweep_get_translation(pprt_py_sweep* s, void* c) {
  npy_intp dims[1] = {3};
  return float_array(s->translation, 1, dims);
}
static PyObject* sweep_get_timestamp(pprt_py_sweep* s, void* c) { return PyLong_FromLongLong(s->timestamp_us); }

static PyObject* sweep_repr(pprt_py_sweep* s) {
  return PyUnicode_FromFormat("pprt.Sweep(%ld points x %ld, timestamp_us=%lld)", (long)PyArray_DIM(s->points, 0),
                              (long)PyArray_DIM(s->points, 1), (long long)s->timestamp_us);
}

static PyGetSetDef sweep_getset[] = {
    {"points", (getter)sweep_get_points, NULL, "(N, C) float32 array (the object run() reads, not a copy)", NULL},
    {"rotation", (getter)sweep_get_rotation, NULL, "sensor -> key lidar rotation, 3x3 (a copy)", NULL},
    {"translation", (getter)sweep_get_translation, NULL, "sensor -> key lidar translation (a copy)", NULL},
    {"timestamp_us", (getter)sweep_get_timestamp, NULL, "microseconds", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject pprt_py_SweepType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pprt.Sweep",
    .tp_basicsize = sizeof(pprt_py_sweep),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Sweep(points, rotation=None, translation=None, timestamp_us=0)\n\n"
              "One lidar sweep: (N, 4|5) points (float32 is used as is; other numeric arrays are converted once,\n"
              "here), the sensor -> key lidar transform p' = R p + t (default identity) and its time in "
              "microseconds.\nThe key sweep's transform is ignored.",
    .tp_new = sweep_new,
    .tp_dealloc = (destructor)sweep_dealloc,
    .tp_repr = (reprfunc)sweep_repr,
    .tp_getset = sweep_getset,
};

/* ------------------------------------------------------------------ frames */

/* Fill sw from one item (array or Sweep); *keep gets a new reference to the array owning the points. */
static int frame_item(PyObject* item, Py_ssize_t index, struct pprt_sweep* sw, PyObject** keep) {
  char what[32];
  snprintf(what, sizeof what, "sweep %ld", (long)index);
  if (PyObject_TypeCheck(item, &pprt_py_SweepType)) {
    pprt_py_sweep* s = (pprt_py_sweep*)item;
    PyArrayObject* a = s->points;
    pprt_sweep_init(sw, (const float*)PyArray_DATA(a), (uint32_t)PyArray_DIM(a, 0), (uint32_t)PyArray_DIM(a, 1),
                    s->timestamp_us);
    memcpy(sw->rotation, s->rotation, sizeof sw->rotation);
    memcpy(sw->translation, s->translation, sizeof sw->translation);
    Py_INCREF(a);
    *keep = (PyObject*)a;
    return 0;
  }
  PyArrayObject* a = pprt_py_points(item, what);
  if (a == NULL) return -1;
  pprt_sweep_init(sw, (const float*)PyArray_DATA(a), (uint32_t)PyArray_DIM(a, 0), (uint32_t)PyArray_DIM(a, 1), 0);
  *keep = (PyObject*)a;
  return 0;
}

int pprt_py_frame_parse(PyObject* obj, struct pprt_py_frame* f) {
  f->sweeps = f->local;
  f->num_sweeps = 0;
  f->keep = NULL;
  int is_list = PyList_Check(obj) || PyTuple_Check(obj);
  PyObject* seq = is_list ? PySequence_Tuple(obj) : NULL; /* a snapshot: a list cannot change under us */
  if (is_list && seq == NULL) return -1;
  Py_ssize_t n = is_list ? PyTuple_GET_SIZE(seq) : 1;
  if (n == 0) {
    Py_DECREF(seq);
    pprt_py_raise(PPRT_STATUS_INVALID_ARGUMENT, "a frame needs at least the key sweep (got an empty list)");
    return -1;
  }
  if (n > (Py_ssize_t)UINT32_MAX) {
    Py_DECREF(seq);
    pprt_py_raise(PPRT_STATUS_CAPACITY, "too many sweeps");
    return -1;
  }
  if ((size_t)n > sizeof f->local / sizeof f->local[0]) {
    f->sweeps = PyMem_Calloc((size_t)n, sizeof *f->sweeps);
    if (f->sweeps == NULL) {
      Py_XDECREF(seq);
      PyErr_NoMemory();
      return -1;
    }
  }
  f->keep = PyTuple_New(n);
  if (f->keep == NULL) goto fail;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* k = NULL;
    if (frame_item(is_list ? PyTuple_GET_ITEM(seq, i) : obj, i, &f->sweeps[i], &k) < 0) goto fail;
    PyTuple_SET_ITEM(f->keep, i, k);
  }
  Py_XDECREF(seq);
  f->num_sweeps = (uint32_t)n;
  return 0;
fail:
  Py_XDECREF(seq);
  pprt_py_frame_release(f);
  return -1;
}

void pprt_py_frame_release(struct pprt_py_frame* f) {
  if (f->sweeps != f->local) PyMem_Free(f->sweeps);
  f->sweeps = f->local;
  f->num_sweeps = 0;
  Py_CLEAR(f->keep);
}

/* ------------------------------------------------------------------ results */

PyObject* pprt_py_boxes_array(const struct pprt_box* boxes, uint32_t n) {
  npy_intp dims[1] = {(npy_intp)n};
  Py_INCREF(g_box_dtype); /* stolen */
  PyObject* a = PyArray_NewFromDescr(&PyArray_Type, g_box_dtype, 1, dims, NULL, NULL, 0, NULL);
  if (a != NULL && n > 0) memcpy(PyArray_DATA((PyArrayObject*)a), boxes, (size_t)n * sizeof *boxes);
  return a;
}

PyObject* pprt_py_stats_dict(const struct pprt_frame_stats* s) {
  PyObject* ms = PyDict_New();
  if (ms == NULL) return NULL;
  for (int i = 0; i < PPRT_STAGE_COUNT; ++i) {
    PyObject* v = PyFloat_FromDouble(s->stage_ms[i]);
    if (v == NULL || PyDict_SetItemString(ms, pprt_stage_name((enum pprt_stage)i), v) < 0) {
      Py_XDECREF(v);
      Py_DECREF(ms);
      return NULL;
    }
    Py_DECREF(v);
  }
  return Py_BuildValue("{s:N,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "stage_ms", ms, "points_in", s->points_in,
                       "points_nonfinite", s->points_nonfinite, "points_out_of_range", s->points_out_of_range,
                       "points_overflow", s->points_overflow, "pillars", s->pillars, "candidates", s->candidates,
                       "boxes", s->boxes);
}

/* The box dtype, field for field the layout of struct pprt_box (offsets and size from the C compiler). */
static int box_dtype_init(void) {
#define F(name, fmt) {#name, fmt, offsetof(struct pprt_box, name)}
  static const struct { const char* name; const char* fmt; size_t off; } fields[] = {
      F(x, "f4"), F(y, "f4"), F(z, "f4"), F(w, "f4"), F(l, "f4"), F(h, "f4"), F(yaw, "f4"),
      F(vx, "f4"), F(vy, "f4"), F(score, "f4"), F(label, "i4")};
#undef F
  const Py_ssize_t n = (Py_ssize_t)(sizeof fields / sizeof fields[0]);
  PyObject *names = PyList_New(n), *formats = PyList_New(n), *offsets = PyList_New(n);
  PyObject* spec = NULL;
  int rc = -1;
  if (names == NULL || formats == NULL || offsets == NULL) goto done;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject *a = PyUnicode_FromString(fields[i].name), *b = PyUnicode_FromString(fields[i].fmt),
             *c = PyLong_FromSize_t(fields[i].off);
    if (a == NULL || b == NULL || c == NULL) {
      Py_XDECREF(a);
      Py_XDECREF(b);
      Py_XDECREF(c);
      goto done;
    }
    PyList_SET_ITEM(names, i, a);
    PyList_SET_ITEM(formats, i, b);
    PyList_SET_ITEM(offsets, i, c);
  }
  spec = Py_BuildValue("{s:O,s:O,s:O,s:n}", "names", names, "formats", formats, "offsets", offsets, "itemsize",
                       (Py_ssize_t)sizeof(struct pprt_box));
  if (spec != NULL && PyArray_DescrConverter(spec, &g_box_dtype) == NPY_SUCCEED) rc = 0;
done:
  Py_XDECREF(names);
  Py_XDECREF(formats);
  Py_XDECREF(offsets);
  Py_XDECREF(spec);
  return rc;
}

int pprt_py_frame_init(PyObject* module) {
  if (box_dtype_init() < 0 || PyType_Ready(&pprt_py_SweepType) < 0) return -1;
  Py_INCREF(g_box_dtype);
  if (PyModule_AddObject(module, "box_dtype", (PyObject*)g_box_dtype) < 0) {
    Py_DECREF(g_box_dtype);
    return -1;
  }
  Py_INCREF(&pprt_py_SweepType);
  if (PyModule_AddObject(module, "Sweep", (PyObject*)&pprt_py_SweepType) < 0) {
    Py_DECREF(&pprt_py_SweepType);
    return -1;
  }
  return 0;
}
