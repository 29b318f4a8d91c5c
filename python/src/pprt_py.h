/*
 * The CPython module `pprt` over the public C API (pprt/pprt.h). Shared declarations of its source files.
 *
 * Threads: every C call that can take time runs with the GIL released. A Runtime serializes its own calls with a lock
 * (pprt_runtime_run is not meant to run twice at once on one runtime); a Stream has one lock for submitting and one
 * for receiving (the C stream allows one submitter and one receiver at a time). Locks are taken with the GIL released
 * so a thread waiting for one never blocks the others.
 */
#ifndef PPRT_PY_H
#define PPRT_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL pprt_py_ARRAY_API
#ifndef PPRT_PY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <pprt/pprt.h>

/* ---- errors (module.c) ---- */

/** Raise the pprt.Error subclass of status with message msg (and .status set). Returns NULL. */
PyObject* pprt_py_raise(enum pprt_status status, const char* msg);
/** pprt_py_raise with a printf-style message. */
PyObject* pprt_py_raisef(enum pprt_status status, const char* fmt, ...);
/** Raise the frame error of a stream receive: as pprt_py_raise, and the exception carries .tag. Returns NULL. */
PyObject* pprt_py_raise_tagged(enum pprt_status status, const char* msg, PyObject* tag);

/* ---- small conversions (module.c) ---- */

/** Optional unsigned 32-bit keyword: None -> dflt. Returns 0, or -1 with an exception set. */
int pprt_py_opt_u32(PyObject* obj, const char* name, uint32_t dflt, uint32_t* out);
/** Acquire lock, releasing the GIL while waiting. */
void pprt_py_lock(PyThread_type_lock lock);

/* ---- sweeps, frames, results (frame.c) ---- */

typedef struct {
  PyObject_HEAD
  PyArrayObject* points; /* (N, C) float32, C-contiguous, C >= 4 */
  float rotation[9];
  float translation[3];
  int64_t timestamp_us;
} pprt_py_sweep;

extern PyTypeObject pprt_py_SweepType;

/** Turn obj into an (N, C >= 4) C-contiguous aligned float32 array: the same object when it already is one
 *  (zero-copy), else a converted copy for float / integer data; TypeError or pprt.InvalidArgumentError otherwise.
 *  what names the argument in messages. New reference, or NULL with an exception set. */
PyArrayObject* pprt_py_points(PyObject* obj, const char* what);

/** A frame being handed to C: the sweep descriptors and the objects that own their points. */
struct pprt_py_frame {
  struct pprt_sweep* sweeps; /* local[] or heap */
  uint32_t num_sweeps;
  PyObject* keep;            /* tuple of the point arrays, alive while C reads them */
  struct pprt_sweep local[16];
};

/** Parse a frame: an (N, 4|5) array, a Sweep, or a non-empty list / tuple of them (key sweep first).
 *  Returns 0, or -1 with an exception set (frame then holds nothing). Release with pprt_py_frame_release. */
int pprt_py_frame_parse(PyObject* obj, struct pprt_py_frame* frame);
void pprt_py_frame_release(struct pprt_py_frame* frame);

/** A new structured array (x, y, z, w, l, h, yaw, vx, vy, score, label) holding boxes[0..n-1]. */
PyObject* pprt_py_boxes_array(const struct pprt_box* boxes, uint32_t n);
/** The box dtype (borrowed reference; set up by pprt_py_frame_init). */
PyArray_Descr* pprt_py_box_dtype(void);
/** A dict of a frame's statistics: stage_ms {name: ms}, points_in, ..., boxes. */
PyObject* pprt_py_stats_dict(const struct pprt_frame_stats* s);
/** Module setup of this file: the box dtype and the Sweep type. Returns 0 or -1. */
int pprt_py_frame_init(PyObject* module);

/* ---- Runtime (runtime.c) ---- */

typedef struct {
  PyObject_HEAD
  pprt_runtime_t* rt;         /* NULL once closed */
  PyThread_type_lock lock;    /* serializes run / close / stream creation */
  struct pprt_box* boxes;     /* max_boxes, filled by run */
  uint32_t max_boxes;
  uint32_t max_points, max_sweeps; /* as passed (0: the library's default) */
  enum pprt_runner runner;
  Py_ssize_t open_streams;    /* Streams created on it and not closed */
  PyObject* class_names;      /* tuple of str */
  struct pprt_frame_stats stats;
  int has_stats;
} pprt_py_runtime;

extern PyTypeObject pprt_py_RuntimeType;

/** Raise pprt.InvalidArgumentError "<what> is closed". Returns NULL. */
PyObject* pprt_py_raise_closed(const char* what);

/* ---- Stream (stream.c) ---- */

extern PyTypeObject pprt_py_StreamType;

#endif /* PPRT_PY_H */
