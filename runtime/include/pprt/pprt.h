/*
 * pprt: PointPillars inference runtime for Zynq UltraScale+ DPUs.
 *
 * The one public header. Everything the library exports is declared here.
 * Conventions: every fallible call returns enum pprt_status (0 = success); output arguments come last;
 * the library never prints, exits or aborts on bad input; every buffer is sized when a runtime is created,
 * so running a frame allocates nothing.
 *
 * Threads: a runtime is used by one thread at a time. pprt_runtime_run, pprt_runtime_stats,
 * pprt_runtime_last_error and pprt_runtime_simulate_dpu on one runtime must not overlap; a pprt_runtime_run or
 * pprt_runtime_simulate_dpu that finds another one still running on the same runtime returns PPRT_STATUS_BUSY at once
 * and changes nothing (its message goes to pprt_last_error() of the calling thread only). Different runtimes are
 * independent. To use several cores on one model, use a stream (pprt_stream_*, below): its worker threads run frames
 * in parallel. pprt_runtime_destroy must not race with any other call on the runtime or its streams.
 * The functions that take no runtime (point files, .info) are safe on different objects from different threads;
 * pprt_last_error() is per thread.
 *
 * nuScenes datasets, result formats and evaluation are a separate library on top of this one, libpprt-nusc
 * (pprt/nusc.h); libpprt itself links no JSON library.
 */
#ifndef PPRT_PPRT_H
#define PPRT_PPRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PPRT_API
#else
#define PPRT_API __attribute__((visibility("default")))
#endif

#define PPRT_VERSION_MAJOR 0
#define PPRT_VERSION_MINOR 1
#define PPRT_VERSION_PATCH 0

/** Status codes. 0 is success; every other value comes with a message (pprt_last_error / pprt_runtime_last_error). */
enum pprt_status {
  PPRT_STATUS_OK = 0,
  PPRT_STATUS_INVALID_ARGUMENT = 1, /* a NULL pointer, a zero size, an option out of range */
  PPRT_STATUS_IO_ERROR = 2,         /* a file is missing or cannot be read / written */
  PPRT_STATUS_PARSE_ERROR = 3,      /* a malformed prototxt, .info, PCD or point file */
  PPRT_STATUS_MODEL_MISMATCH = 4,   /* xmodel tensors disagree with the prototxt or with each other */
  PPRT_STATUS_BAD_INPUT = 5,        /* input data that cannot be used (truncated points, bad transforms) */
  PPRT_STATUS_CAPACITY = 6,         /* more points, sweeps or boxes than the runtime was sized for */
  PPRT_STATUS_UNAVAILABLE = 7,      /* the requested runner or feature is not available in this build/host */
  PPRT_STATUS_RUNNER_ERROR = 8,     /* VART or a runner plugin failed */
  PPRT_STATUS_OUT_OF_MEMORY = 9,
  PPRT_STATUS_INTERNAL = 10,
  PPRT_STATUS_BUSY = 11             /* the runtime is in use by another thread (see "Threads" below); nothing done */
};

/** A short constant name for a status ("ok", "parse error", ...). Never NULL. */
PPRT_API const char* pprt_status_str(enum pprt_status status);

/** The message of the last failing pprt call on this thread (including a failed pprt_runtime_create). Never NULL. */
PPRT_API const char* pprt_last_error(void);

/** Set this thread's pprt_last_error() message: for libraries layered on libpprt (libpprt-nusc), so one error
 *  channel serves both. NULL sets "". */
PPRT_API void pprt_set_last_error(const char* msg);

/** Which runner executes the two DPU subgraphs. */
enum pprt_runner {
  PPRT_RUNNER_DPU = 0,   /* VART's runner named by the xmodel (the DPU on a board) */
  PPRT_RUNNER_CPU = 1,   /* pprt's bit-exact int8 CPU reference runner plugin */
  PPRT_RUNNER_DUMMY = 2, /* VART's dummy runner: plumbing and timing only, writes no outputs */
  PPRT_RUNNER_NONE = 3   /* no runner: host buffers for the DPU tensors, for the stage calls alone (pprt/stages.h);
                            pprt_runtime_run and streams refuse it (INVALID_ARGUMENT) */
};

/** Parse "dpu", "cpu" or "dummy" (the runners that run frames). Returns PPRT_STATUS_INVALID_ARGUMENT for anything
 *  else. pprt_runner_str names PPRT_RUNNER_NONE "none". */
PPRT_API enum pprt_status pprt_runner_from_string(const char* name, enum pprt_runner* out);
PPRT_API const char* pprt_runner_str(enum pprt_runner runner);

/** Options of pprt_runtime_create. Always start from pprt_options_init(). */
struct pprt_options {
  /** Folder holding the two VAI-Library model folders <name>/<name>.xmodel + <name>/<name>.prototxt. */
  const char* model_dir;
  /** Folder names of subgraph 0 and 1 inside model_dir. NULL: the single folder ending in "_0_pt" / "_1_pt"
   *  (or "_0" / "_1"). */
  const char* model_name0;
  const char* model_name1;
  enum pprt_runner runner;
  /** Runner plugin library to load for PPRT_RUNNER_CPU (NULL: libpprt-cpu-runner.so found next to libpprt /
   *  on the library path). Ignored for the others. */
  const char* runner_lib;
  /** Upper bound of points in one frame, all sweeps together. 0: 400000. */
  uint32_t max_points;
  /** Upper bound of sweeps in one frame (key sweep included). 0: 10. */
  uint32_t max_sweeps;
  /** Non-zero: reproduce the Vitis AI Library 2.5's behaviour where it differs from mmdetection3d 0.6.1 (README
   *  "Modes": grid-only range test, std::round + wrapping int8 cast of the point features, stop voxelizing at the
   *  pillar limit, truncating requantization, no nms_pre, equal logits: higher anchor first, IoU >= threshold,
   *  pi = 3.1415926, direction ties to bin 1). */
  int vai_compat;
  /** Score threshold override; a negative value takes the prototxt's score_thresh. */
  float score_thresh;
};

/** Fill *opts with the defaults (runner dpu, mmdet3d behaviour, limits from the model). */
PPRT_API void pprt_options_init(struct pprt_options* opts);

/** One lidar sweep. The key sweep comes first in a frame; its transform is ignored (identity). */
struct pprt_sweep {
  const float* points;     /* num_points x point_stride floats: x, y, z, intensity[, ...] */
  uint32_t num_points;
  uint32_t point_stride;   /* floats per point, at least 4 (nuScenes .pcd.bin: 5, KITTI: 4) */
  float rotation[9];       /* sensor -> key lidar rotation, row-major: p' = R p + t */
  float translation[3];
  int64_t timestamp_us;    /* microseconds; the time lag is (t_key - t_sweep) * 1e-6 s */
};

/** Set *sweep to the identity transform with the given points. */
PPRT_API void pprt_sweep_init(struct pprt_sweep* sweep, const float* points, uint32_t num_points,
                              uint32_t point_stride, int64_t timestamp_us);

/** One detected box in the key lidar frame. z is the box bottom; yaw in radians; label indexes the model's classes. */
struct pprt_box {
  float x, y, z, w, l, h, yaw, vx, vy;
  float score;
  int32_t label;
};

/** The stages of a frame, in order. */
enum pprt_stage {
  PPRT_STAGE_VOXELIZE = 0,    /* sweep fusion, filtering, voxelization, int8 quantization into DPU0's input */
  PPRT_STAGE_DPU0 = 1,        /* pillar feature net */
  PPRT_STAGE_SCATTER = 2,     /* pillar features onto the BEV canvas (DPU1's input) */
  PPRT_STAGE_DPU1 = 3,        /* backbone, neck, head */
  PPRT_STAGE_POSTPROCESS = 4, /* threshold scan, decode, NMS */
  PPRT_STAGE_TOTAL = 5,
  PPRT_STAGE_COUNT = 6
};

/** Open path for reading if it is a regular file, as pprt opens every input file: *out a binary stdio stream (the
 *  caller fcloses it), *size (may be NULL) its size. A FIFO, a device or a directory is refused at once (IO_ERROR
 *  naming the file and what it is) instead of blocking. */
PPRT_API enum pprt_status pprt_file_open(const char* path, FILE** out, uint64_t* size);

/** Milliseconds on the monotonic clock (CLOCK_MONOTONIC) the stage times are measured with: the one clock of pprt,
 *  its tools and benchmarks. */
PPRT_API double pprt_now_ms(void);

/** A short name of a stage ("voxelize", "dpu0", ...). */
PPRT_API const char* pprt_stage_name(enum pprt_stage stage);

/** What the last frame cost and carried. */
struct pprt_frame_stats {
  double stage_ms[PPRT_STAGE_COUNT];
  uint32_t points_in;          /* points handed in, all sweeps */
  uint32_t points_nonfinite;   /* dropped: NaN or Inf coordinates */
  uint32_t points_out_of_range;/* dropped: outside the point-cloud range */
  uint32_t points_overflow;    /* dropped: pillar already full, or the pillar limit was reached */
  uint32_t pillars;            /* live pillars sent to DPU0 */
  uint32_t candidates;         /* anchors above the score threshold */
  uint32_t boxes;              /* boxes returned */
};

typedef struct pprt_runtime pprt_runtime_t;

/** Load the two model folders, check them against each other and create the runner(s). On failure *out is NULL
 *  and pprt_last_error() says why. */
PPRT_API enum pprt_status pprt_runtime_create(const struct pprt_options* opts, pprt_runtime_t** out);

/** Release everything. NULL is allowed. */
PPRT_API void pprt_runtime_destroy(pprt_runtime_t* rt);

/** Run one frame: sweeps[0] is the key sweep, sweeps[1..] earlier sweeps (at most max_sweeps in all).
 *  Writes at most max_boxes boxes, highest score first, and their number to *num_boxes.
 *  An empty key sweep is valid and gives zero boxes. */
PPRT_API enum pprt_status pprt_runtime_run(pprt_runtime_t* rt, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                           struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes);

/** Statistics and per-stage timings of the last frame run on rt. */
PPRT_API enum pprt_status pprt_runtime_stats(const pprt_runtime_t* rt, struct pprt_frame_stats* out);

/** The message of the last failing call on rt ("" if none). Never NULL. */
PPRT_API const char* pprt_runtime_last_error(const pprt_runtime_t* rt);

/** Number of classes of the loaded model (the prototxt's num_classes) and the name of class i: the prototxt carries
 *  no class names, so a 10-class model gets the nuScenes names in the model's order (car, truck, ..., barrier, as
 *  pprt_nusc_class_name), any other model "class<i>"; "unknown" when i is out of range. */
PPRT_API uint32_t pprt_runtime_num_classes(const pprt_runtime_t* rt);
PPRT_API const char* pprt_runtime_class_name(const pprt_runtime_t* rt, uint32_t label);

/** The largest number of boxes a frame can return (the prototxt's max_num). */
PPRT_API uint32_t pprt_runtime_max_boxes(const pprt_runtime_t* rt);

/** Simulate the DPU's timing, for tuning the pipeline on a PC with PPRT_RUNNER_DUMMY: every DPU job of subgraph 0
 *  lasts at least ms0 milliseconds and every job of subgraph 1 at least ms1 (the runner's own time included), and at
 *  most `cores` jobs run at once across the runtime and all its streams (one job per DPU core; 0: no limit).
 *  ms0 = ms1 = 0 and cores = 0 turns the simulation off. Call it while no stream exists on rt (before creating
 *  streams or after destroying them): with a stream: PPRT_STATUS_BUSY, nothing changed; likewise while a
 *  pprt_runtime_run is running on rt. Works with any runner; it only ever adds waiting. */
PPRT_API enum pprt_status pprt_runtime_simulate_dpu(pprt_runtime_t* rt, double ms0, double ms1, uint32_t cores);


/* ---- Throughput mode: several frames in flight ----
 * A stream keeps up to max_in_flight frames in flight over its own runners: one DPU0 and one DPU1 runner per DPU core,
 * each driven by a worker thread. The DPU0 workers voxelize a frame, run subgraph 0 and scatter onto a free DPU1
 * runner's canvas; the DPU1 workers run subgraph 1 and post-process. So the ARM stages of one frame overlap the DPU
 * work of others, and each DPU core always has a job queued. Results come back strictly in submission order.
 *
 * Memory: everything (runners, tensors, per-frame box buffers) is allocated by pprt_stream_create; submit and receive
 * allocate nothing. The sweep array passed to submit is copied (at most the runtime's max_sweeps entries), but the
 * point data it points to is NOT: the caller keeps every sweeps[i].points valid and unchanged until that frame has
 * been returned by pprt_stream_receive (or the stream destroyed).
 *
 * Threads: one thread may submit while another receives; otherwise calls on one stream are not concurrent. The runtime
 * must outlive its streams; pprt_runtime_run on the same runtime keeps working (it has its own runners). */

typedef struct pprt_stream pprt_stream_t;

struct pprt_stream_options {
  /** DPU cores to keep busy = runners per subgraph (ZCU104: 2, KV260: 1). 0: 1. At most 8. */
  uint32_t dpu_cores;
  /** Frames submitted and not yet received, at most (the queue depth). 0: 2 * dpu_cores + 2. At most 64. */
  uint32_t max_in_flight;
};

/** Fill *opts with the defaults (1 core, depth 4). */
PPRT_API void pprt_stream_options_init(struct pprt_stream_options* opts);

/** Create a stream on rt with runners of rt's runner kind and start its worker threads. opts NULL: defaults.
 *  On failure *out is NULL and pprt_last_error() says why. */
PPRT_API enum pprt_status pprt_stream_create(pprt_runtime_t* rt, const struct pprt_stream_options* opts,
                                             pprt_stream_t** out);

/** Queue one frame (as pprt_runtime_run takes it) with a caller's tag. Blocks while max_in_flight frames are
 *  submitted and not yet received, so a thread that both submits and receives must receive first when the stream is
 *  full (see pprt_stream_in_flight, pprt_stream_try_submit). A bad frame (no sweeps, too many sweeps or points,
 *  non-finite transforms) is still accepted: its error comes back from pprt_stream_receive in its turn.
 *  Errors here: INVALID_ARGUMENT (NULL stream). */
PPRT_API enum pprt_status pprt_stream_submit(pprt_stream_t* stream, const struct pprt_sweep* sweeps,
                                             uint32_t num_sweeps, uint64_t tag);

/** pprt_stream_submit that never blocks: PPRT_STATUS_CAPACITY (nothing queued) when the stream is full. */
PPRT_API enum pprt_status pprt_stream_try_submit(pprt_stream_t* stream, const struct pprt_sweep* sweeps,
                                                 uint32_t num_sweeps, uint64_t tag);

/** Wait for the oldest frame in flight and return its own status (its message in pprt_last_error() on this thread),
 *  its tag, up to max_boxes boxes (highest score first, as pprt_runtime_run) and its statistics (stats may be NULL;
 *  stage_ms[PPRT_STAGE_TOTAL] is the time from submit to the end of post-processing, queueing included).
 *  tag is set even when the frame failed. With no frame in flight: INVALID_ARGUMENT at once (it does not wait). */
PPRT_API enum pprt_status pprt_stream_receive(pprt_stream_t* stream, struct pprt_box* boxes, uint32_t max_boxes,
                                              uint32_t* num_boxes, uint64_t* tag, struct pprt_frame_stats* stats);

/** Frames submitted and not yet received. */
PPRT_API uint32_t pprt_stream_in_flight(const pprt_stream_t* stream);

/** The stream's options in force (defaults filled in). */
PPRT_API enum pprt_status pprt_stream_get_options(const pprt_stream_t* stream, struct pprt_stream_options* out);

/** Stop the workers and release everything. Frames still in flight are dropped: DPU jobs already running finish
 *  first (no hang, nothing leaks). Must not race with other calls on the stream. NULL is allowed. */
PPRT_API void pprt_stream_destroy(pprt_stream_t* stream);


/* ---- Point input: reusable point buffers (no allocation per frame once created) ---- */

/** A point buffer of fixed capacity; points are stored as 5 floats (x, y, z, intensity, extra). */
typedef struct pprt_cloud pprt_cloud_t;

enum pprt_point_format {
  PPRT_FORMAT_AUTO = 0,         /* by extension: .pcd -> PCD, .pcd.bin / .bin with 5 floats -> nuScenes, else KITTI */
  PPRT_FORMAT_NUSCENES_BIN = 1, /* float32 x 5: x, y, z, intensity (0..255), ring */
  PPRT_FORMAT_KITTI_BIN = 2,    /* float32 x 4: x, y, z, reflectance */
  PPRT_FORMAT_PCD = 3           /* PCD v0.7, ASCII or binary, fields x y z intensity [time|timestamp|ring] */
};

/** Create a cloud that can hold up to max_points points. */
PPRT_API enum pprt_status pprt_cloud_create(uint32_t max_points, pprt_cloud_t** out);
PPRT_API void pprt_cloud_destroy(pprt_cloud_t* cloud);

/** Read a point file into cloud (replacing its contents) and describe it as a sweep with identity transform,
 *  the given timestamp and point_stride 5. NaN/Inf points are kept here (the runtime drops and counts them).
 *  Errors: IO_ERROR (missing), PARSE_ERROR (size not a whole number of points, malformed PCD),
 *  CAPACITY (more points than the cloud holds). An empty file is a valid, empty sweep. */
PPRT_API enum pprt_status pprt_cloud_load(pprt_cloud_t* cloud, const char* path, enum pprt_point_format format,
                                          int64_t timestamp_us, struct pprt_sweep* out);

/** Read a Vitis AI Library multi-sweep .info file: the key sweep into clouds[0] and up to num_clouds-1 earlier sweeps
 *  into clouds[1..], with their rotation, translation and timestamps, into sweeps[0..*num_sweeps-1]. Relative data
 *  paths are taken relative to the .info file's folder. More sweeps than clouds: CAPACITY. */
PPRT_API enum pprt_status pprt_info_load(const char* info_path, pprt_cloud_t* const* clouds, uint32_t num_clouds,
                                         struct pprt_sweep* sweeps, uint32_t* num_sweeps);

#ifdef __cplusplus
}
#endif

#endif /* PPRT_PPRT_H */
