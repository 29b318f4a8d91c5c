/*
 * pprt module: the exception hierarchy (one pprt.Error subclass per status of the C library, found by asking
 * pprt_status_str, so statuses added to the library later get their class without a change here), load_points,
 * load_info and the module table.
 */
#define PPRT_PY_IMPORT_ARRAY
#include "pprt_py.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Status codes probed for a name. The C enum is small and dense; 256 leaves room for additions. */
#define PPRT_PY_MAX_STATUS 256

static PyObject* g_error;                              /* pprt.Error */
static PyObject* g_status_class[PPRT_PY_MAX_STATUS];   /* code -> subclass (NULL: none) */

PyObject* pprt_py_raise(enum pprt_status status, const char* msg) {
  PyObject* cls = ((unsigned)status < PPRT_PY_MAX_STATUS && g_status_class[status]) ? g_status_class[status] : g_error;
  char fallback[96];
  if (msg == NULL || msg[0] == '\0') {
    snprintf(fallback, sizeof fallback, "%s", pprt_status_str(status));
    msg = fallback;
  }
  PyObject* exc = PyObject_CallFunction(cls, "s", msg);
  if (exc == NULL) return NULL;
  PyObject* code = PyLong_FromLong((long)status);
  if (code == NULL || PyObject_SetAttrString(exc, "status", code) < 0) {
    Py_XDECREF(code);
    Py_DECREF(exc);
    return NULL;
  }
  Py_DECREF(code);
  PyErr_SetObject(cls, exc);
  Py_DECREF(exc);
  return NULL;
}

PyObject* pprt_py_raisef(enum pprt_status status, const char* fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return pprt_py_raise(status, msg);
}

PyObject* pprt_py_raise_tagged(enum pprt_status status, const char* msg, PyObject* tag) {
  pprt_py_raise(status, msg);
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  if (value != NULL && PyObject_SetAttrString(value, "tag", tag ? tag : Py_None) < 0) {
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return NULL;
  }
  PyErr_Restore(type, value, tb);
  return NULL;
}

PyObject* pprt_py_raise_closed(const char* what) {
  return pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "%s is closed", what);
}

int pprt_py_opt_u32(PyObject* obj, const char* name, uint32_t dflt, uint32_t* out) {
  if (obj == NULL || obj == Py_None) {
    *out = dflt;
    return 0;
  }
  if (!PyLong_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int or None, not %.80s", name, Py_TYPE(obj)->tp_name);
    return -1;
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow != 0 || v < 0 || v > (long long)UINT32_MAX) {
    pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "%s must be in 0..%u", name, (unsigned)UINT32_MAX);
    return -1;
  }
  *out = (uint32_t)v;
  return 0;
}

void pprt_py_lock(PyThread_type_lock lock) {
  if (PyThread_acquire_lock(lock, NOWAIT_LOCK)) return;
  Py_BEGIN_ALLOW_THREADS
  PyThread_acquire_lock(lock, WAIT_LOCK);
  Py_END_ALLOW_THREADS
}

/* "capacity exceeded" -> "CapacityExceededError", "I/O error" -> "IOError": the words' letters and digits, each word
 * capitalized, "Error" appended unless the name already ends in it. */
static void status_class_name(const char* s, char* out, size_t cap) {
  size_t n = 0;
  int word_start = 1;
  for (; *s && n + 6 < cap; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '_' || c == '-') {
      word_start = 1;
    } else if (isalnum(c)) {
      out[n++] = (char)(word_start ? toupper(c) : c);
      word_start = 0;
    }
  }
  out[n] = '\0';
  if (n < 5 || strcmp(out + n - 5, "Error") != 0) memcpy(out + n, "Error", 6);
}

/* Statuses that also are a Python built-in kind of error, so `except ValueError` / `except OSError` catch them. */
static PyObject* status_extra_base(const char* status_name) {
  if (strcmp(status_name, "invalid argument") == 0 || strcmp(status_name, "bad input") == 0) return PyExc_ValueError;
  if (strcmp(status_name, "I/O error") == 0) return PyExc_OSError;
  return NULL;
}

static int errors_init(PyObject* m) {
  g_error = PyErr_NewExceptionWithDoc(
      "pprt.Error",
      "A pprt call failed. .status is the C library's status code; the subclass is named after it "
      "(pprt.errors maps codes to classes).",
      NULL, NULL);
  if (g_error == NULL) return -1;
  Py_INCREF(g_error);
  if (PyModule_AddObject(m, "Error", g_error) < 0) {
    Py_DECREF(g_error);
    return -1;
  }
  PyObject* by_code = PyDict_New();
  if (by_code == NULL || PyModule_AddObject(m, "errors", by_code) < 0) {
    Py_XDECREF(by_code);
    return -1;
  }
  const char* unknown = pprt_status_str((enum pprt_status)0x7fffffff);
  for (int code = 1; code < PPRT_PY_MAX_STATUS; ++code) {
    const char* s = pprt_status_str((enum pprt_status)code);
    if (s == NULL || strcmp(s, unknown) == 0) continue;
    char name[96], qual[112];
    status_class_name(s, name, sizeof name);
    snprintf(qual, sizeof qual, "pprt.%s", name);
    PyObject* extra = status_extra_base(s);
    PyObject* bases = extra ? PyTuple_Pack(2, g_error, extra) : PyTuple_Pack(1, g_error);
    PyObject* dict = Py_BuildValue("{s:i,s:s}", "status", code, "status_name", s);
    PyObject* cls = (bases && dict) ? PyErr_NewException(qual, bases, dict) : NULL;
    Py_XDECREF(bases);
    Py_XDECREF(dict);
    if (cls == NULL) return -1;
    PyObject* key = PyLong_FromLong(code);
    if (key == NULL || PyDict_SetItem(by_code, key, cls) < 0) {
      Py_XDECREF(key);
      Py_DECREF(cls);
      return -1;
    }
    Py_DECREF(key);
    g_status_class[code] = cls; /* the module keeps the reference below */
    Py_INCREF(cls);
    if (PyModule_AddObject(m, name, cls) < 0) {
      Py_DECREF(cls);
      return -1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ point files */

static int parse_format(const char* s, enum pprt_point_format* out) {
  static const struct { const char* name; enum pprt_point_format f; } k[] = {
      {"auto", PPRT_FORMAT_AUTO}, {"nuscenes", PPRT_FORMAT_NUSCENES_BIN}, {"kitti", PPRT_FORMAT_KITTI_BIN},
      {"pcd", PPRT_FORMAT_PCD}};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; ++i) {
    if (strcmp(s, k[i].name) == 0) {
      *out = k[i].f;
      return 0;
    }
  }
  pprt_py_raisef(PPRT_STATUS_INVALID_ARGUMENT, "format must be auto, nuscenes, kitti or pcd, got '%.40s'", s);
  return -1;
}

/* A new (num_points, stride) float32 array holding a copy of the sweep's points. */
static PyObject* sweep_points_copy(const struct pprt_sweep* sw) {
  npy_intp dims[2] = {(npy_intp)sw->num_points, (npy_intp)sw->point_stride};
  PyObject* arr = PyArray_SimpleNew(2, dims, NPY_FLOAT32);
  if (arr == NULL) return NULL;
  if (sw->num_points > 0)
    memcpy(PyArray_DATA((PyArrayObject*)arr), sw->points, (size_t)sw->num_points * sw->point_stride * sizeof(float));
  return arr;
}

/* An upper bound of the points a file of this size can hold in any of the formats (a point takes at least 8 bytes:
 * 4 ASCII numbers and separators; binary forms take 16 or more). */
static uint32_t file_point_bound(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0 || st.st_size <= 0) return 1;
  unsigned long long n = (unsigned long long)st.st_size / 8u + 1u;
  return n > UINT32_MAX / 8u ? UINT32_MAX / 8u : (uint32_t)n;
}

static PyObject* py_load_points(PyObject* self, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"path", "format", "max_points", NULL};
  PyObject* path = NULL;
  const char* format = "auto";
  PyObject* max_points_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|sO:load_points", kwlist, PyUnicode_FSConverter, &path, &format,
                                   &max_points_obj))
    return NULL;
  enum pprt_point_format fmt;
  uint32_t cap = 0;
  const char* p = PyBytes_AS_STRING(path);
  if (parse_format(format, &fmt) < 0 || pprt_py_opt_u32(max_points_obj, "max_points", 0, &cap) < 0) {
    Py_DECREF(path);
    return NULL;
  }
  if (cap == 0) cap = file_point_bound(p);
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep sw;
  enum pprt_status st;
  Py_BEGIN_ALLOW_THREADS
  st = pprt_cloud_create(cap, &cloud);
  if (st == PPRT_STATUS_OK) st = pprt_cloud_load(cloud, p, fmt, 0, &sw);
  Py_END_ALLOW_THREADS
  PyObject* out = st == PPRT_STATUS_OK ? sweep_points_copy(&sw) : pprt_py_raise(st, pprt_last_error());
  pprt_cloud_destroy(cloud);
  Py_DECREF(path);
  return out;
}

static PyObject* py_load_info(PyObject* self, PyObject* args, PyObject* kw) {
  static char* kwlist[] = {"path", "max_sweeps", "max_points", NULL};
  PyObject* path = NULL;
  PyObject *max_sweeps_obj = Py_None, *max_points_obj = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|OO:load_info", kwlist, PyUnicode_FSConverter, &path,
                                   &max_sweeps_obj, &max_points_obj))
    return NULL;
  uint32_t nclouds = 0, cap = 0;
  if (pprt_py_opt_u32(max_sweeps_obj, "max_sweeps", 10, &nclouds) < 0 ||
      pprt_py_opt_u32(max_points_obj, "max_points", 400000, &cap) < 0) {
    Py_DECREF(path);
    return NULL;
  }
  if (nclouds == 0 || nclouds > 64 || cap == 0) {
    Py_DECREF(path);
    return pprt_py_raise(PPRT_STATUS_INVALID_ARGUMENT, "load_info: max_sweeps must be in 1..64 and max_points > 0");
  }
  pprt_cloud_t* clouds[64] = {NULL};
  struct pprt_sweep sweeps[64];
  uint32_t n = 0;
  enum pprt_status st = PPRT_STATUS_OK;
  const char* p = PyBytes_AS_STRING(path);
  Py_BEGIN_ALLOW_THREADS
  for (uint32_t i = 0; i < nclouds && st == PPRT_STATUS_OK; ++i) st = pprt_cloud_create(cap, &clouds[i]);
  if (st == PPRT_STATUS_OK) st = pprt_info_load(p, clouds, nclouds, sweeps, &n);
  Py_END_ALLOW_THREADS
  PyObject* list = NULL;
  if (st != PPRT_STATUS_OK) {
    pprt_py_raise(st, pprt_last_error());
  } else if ((list = PyList_New((Py_ssize_t)n)) != NULL) {
    for (uint32_t i = 0; i < n; ++i) {
      pprt_py_sweep* s = PyObject_New(pprt_py_sweep, &pprt_py_SweepType);
      if (s == NULL) {
        Py_CLEAR(list);
        break;
      }
      s->points = (PyArrayObject*)sweep_points_copy(&sweeps[i]);
      memcpy(s->rotation, sweeps[i].rotation, sizeof s->rotation);
      memcpy(s->translation, sweeps[i].translation, sizeof s->translation);
      s->timestamp_us = sweeps[i].timestamp_us;
      PyList_SET_ITEM(list, (Py_ssize_t)i, (PyObject*)s);
      if (s->points == NULL) {
        Py_CLEAR(list);
        break;
      }
    }
  }
  for (uint32_t i = 0; i < nclouds; ++i) pprt_cloud_destroy(clouds[i]);
  Py_DECREF(path);
  return list;
}

static PyMethodDef module_methods[] = {
    {"load_points", (PyCFunction)(void (*)(void))py_load_points, METH_VARARGS | METH_KEYWORDS,
     "load_points(path, format='auto', max_points=None) -> (N, 5) float32 array\n\n"
     "Read a point file (.pcd.bin nuScenes, .bin KITTI, .pcd) as pprt_cloud_load does: x, y, z, intensity, extra.\n"
     "NaN/Inf points are kept (the runtime drops and counts them). max_points: capacity (default: from the file "
     "size)."},
    {"load_info", (PyCFunction)(void (*)(void))py_load_info, METH_VARARGS | METH_KEYWORDS,
     "load_info(path, max_sweeps=10, max_points=400000) -> [Sweep, ...]\n\n"
     "Read a Vitis AI Library multi-sweep .info file: the key sweep first, then the earlier sweeps with their\n"
     "transforms and timestamps. max_points bounds each sweep."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "pprt",
    "pprt: PointPillars inference runtime for Zynq UltraScale+ DPUs (Python binding of pprt.h).\n\n"
    "Runtime(model, runner='dpu'|'cpu'|'dummy', ...).run(points or [sweeps]) -> structured array of boxes;\n"
    "Stream(rt, dpu_cores=..., max_in_flight=...) keeps several frames in flight; load_points, load_info read files.\n"
    "Every failure raises a pprt.Error subclass named after the C status.",
    -1, module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_pprt(void) {
  import_array();
  PyObject* m = PyModule_Create(&module_def);
  if (m == NULL) return NULL;
  if (errors_init(m) < 0 || pprt_py_frame_init(m) < 0) goto fail;
  static PyTypeObject* const types[] = {&pprt_py_RuntimeType, &pprt_py_StreamType};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; ++i) {
    if (PyType_Ready(types[i]) < 0) goto fail;
    Py_INCREF(types[i]);
    const char* dot = strrchr(types[i]->tp_name, '.');
    if (PyModule_AddObject(m, dot ? dot + 1 : types[i]->tp_name, (PyObject*)types[i]) < 0) {
      Py_DECREF(types[i]);
      goto fail;
    }
  }
  char version[32];
  snprintf(version, sizeof version, "%d.%d.%d", PPRT_VERSION_MAJOR, PPRT_VERSION_MINOR, PPRT_VERSION_PATCH);
  if (PyModule_AddStringConstant(m, "__version__", version) < 0) goto fail;
  PyObject* stages = PyTuple_New(PPRT_STAGE_COUNT);
  if (stages == NULL) goto fail;
  for (int s = 0; s < PPRT_STAGE_COUNT; ++s) {
    PyObject* name = PyUnicode_FromString(pprt_stage_name((enum pprt_stage)s));
    if (name == NULL) {
      Py_DECREF(stages);
      goto fail;
    }
    PyTuple_SET_ITEM(stages, s, name);
  }
  if (PyModule_AddObject(m, "stages", stages) < 0) {
    Py_DECREF(stages);
    goto fail;
  }
  return m;
fail:
  Py_DECREF(m);
  return NULL;
}
