/*
 * libpprt-nusc: nuScenes datasets, detection results in the global frame, result formats and the detection
 * evaluation, on top of libpprt (pprt/pprt.h). Not part of the embedded runtime: it links json-c, and the frame path
 * never calls it. The pprt command's `run --format`, `eval` and `view` use it.
 * Errors: every call returns enum pprt_status with its message in pprt_last_error(), as libpprt's calls do.
 * The functions are safe on different objects from different threads.
 */
#ifndef PPRT_NUSC_H
#define PPRT_NUSC_H

#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object; /* json-c's */

/** Parse a whole JSON file with json-c (the caller json_object_put()s *out); PARSE_ERROR naming the file, json-c's
 *  reason and the offset. A FIFO is refused, not waited on (pprt_file_open). */
PPRT_API enum pprt_status pprt_nusc_json_load(const char* path, struct json_object** out);

/** The 10 nuScenes detection classes in the model's order (car, truck, trailer, bus, construction_vehicle, bicycle,
 *  motorcycle, pedestrian, traffic_cone, barrier). */
#define PPRT_NUSC_NUM_CLASSES 10
/** Name of detection class i (NULL if out of range) and the index of a name (-1 if it is not a detection class). */
PPRT_API const char* pprt_nusc_class_name(int cls);
PPRT_API int pprt_nusc_class_index(const char* name);
/** The devkit's mapping of a nuScenes category ("vehicle.bus.rigid") to a detection class index, -1 if none. */
PPRT_API int pprt_nusc_category_class(const char* category);

/** A rigid transform as nuScenes stores it: unit quaternion w, x, y, z and a translation; p' = R(q) p + t. */
struct pprt_pose {
  double rotation[4];
  double translation[3];
};

/** A box in the nuScenes global frame (one entry of a detection-results file). */
struct pprt_det_box {
  uint32_t sample;        /* index of its sample in the set holding it */
  double translation[3];  /* box centre (gravity centre), m */
  double size[3];         /* w, l, h */
  double rotation[4];     /* w, x, y, z */
  double velocity[2];     /* m/s, global x and y; NaN when unknown */
  double ego_dist;        /* BEV distance from the ego vehicle, m; NaN when unknown */
  int32_t num_pts;        /* lidar points inside (ground truth), -1 when unknown */
  int32_t cls;            /* detection class (pprt_nusc_class_name), -1 when the box is none of them */
  double score;           /* detection_score (double, as the devkit reads it); -1 for ground truth */
  char attribute[32];     /* attribute_name, "" if none */
};

/** Convert a box of the model (key lidar frame, mmdet3d 0.x convention: z = bottom) of detection class cls to the
 *  global frame with the sample's lidar -> ego and ego -> global poses (yaw_nus = -yaw - pi/2, centre z = z + h/2,
 *  velocity rotated with the box). Sets the attribute the way mmdetection3d's nuScenes formatter does; ego_dist is
 *  the box's BEV distance from the ego; num_pts -1; sample 0. */
PPRT_API void pprt_box_to_global(const struct pprt_box* box, int cls, const struct pprt_pose* lidar2ego,
                                 const struct pprt_pose* ego2global, struct pprt_det_box* out);

/** A set of detection-results boxes grouped by sample token, with optional ego poses (used for class ranges). */
typedef struct pprt_detset pprt_detset_t;
PPRT_API enum pprt_status pprt_detset_create(pprt_detset_t** out);
PPRT_API void pprt_detset_destroy(pprt_detset_t* set);
/** Index of a sample token, adding it (with no boxes) if it is new. Tokens are at most 63 characters. */
PPRT_API enum pprt_status pprt_detset_sample(pprt_detset_t* set, const char* token, uint32_t* index);
/** Append boxes to a sample (their .sample fields are set to its index). */
PPRT_API enum pprt_status pprt_detset_add(pprt_detset_t* set, const char* token, const struct pprt_det_box* boxes,
                                          uint32_t n);
/** Record the ego pose (ego -> global) of a sample: boxes without ego_dist get it from this pose. */
PPRT_API enum pprt_status pprt_detset_set_ego_pose(pprt_detset_t* set, const char* token,
                                                   const struct pprt_pose* ego2global);
PPRT_API uint32_t pprt_detset_num_samples(const pprt_detset_t* set);
PPRT_API const char* pprt_detset_token(const pprt_detset_t* set, uint32_t sample);
/** The boxes of sample i (pointer valid until the set changes). */
PPRT_API const struct pprt_det_box* pprt_detset_boxes(const pprt_detset_t* set, uint32_t sample, uint32_t* n);
/** Read a nuScenes detection-results JSON ({"meta": .., "results": {token: [box, ..]}}). Optional per box:
 *  num_lidar_pts / num_pts, ego_dist, ego_translation; optional top level "ego_poses": {token: {"translation",
 *  "rotation"}}. Errors name the file, the sample token and the box. */
PPRT_API enum pprt_status pprt_detset_load(const char* path, pprt_detset_t** out);
/** Write the set as a nuScenes detection-results JSON. meta_json: the "meta" object's text (NULL: lidar only).
 *  with_extras adds num_lidar_pts and ego_dist where known (for ground-truth files). */
PPRT_API enum pprt_status pprt_detset_write(const pprt_detset_t* set, const char* path, const char* meta_json,
                                            int with_extras);
/** Write the edge-contest format: {token: {"vehicle": [[x, y, score], ..], "pedestrian": [..]}}, global x, y.
 *  vehicle = car, truck, trailer, bus, construction_vehicle; pedestrian = pedestrian; other classes are left out. */
PPRT_API enum pprt_status pprt_detset_write_contest(const pprt_detset_t* set, const char* path);

/** Lidar-frame box files: VAI-L's accuracy text ("x y z w l h yaw vx vy label score" per line) and pprt's JSON
 *  ({"boxes": [{"label", "label_id", "score", "box": [x, y, z, w, l, h, yaw, vx, vy]}]}; other keys ignored). */
PPRT_API enum pprt_status pprt_boxes_write_vai(const char* path, const struct pprt_box* boxes, uint32_t n);
/** KITTI models: the line Vitis AI's KITTI PointPillars programs print, "label x y z w l h yaw score" (lidar frame,
 *  z = box bottom, %.6f; docs/KITTI.md). */
PPRT_API enum pprt_status pprt_boxes_write_kitti(const char* path, const struct pprt_box* boxes, uint32_t n);
PPRT_API enum pprt_status pprt_boxes_load(const char* path, struct pprt_box* boxes, uint32_t max_boxes,
                                          uint32_t* num_boxes);

/** A nuScenes dataset folder: v1.0-* tables (loaded once), samples/ and sweeps/. */
typedef struct pprt_nusc pprt_nusc_t;
/** Open dataroot; version: the table folder name ("v1.0-mini"), NULL for the only v1.0-* folder there. */
PPRT_API enum pprt_status pprt_nusc_open(const char* dataroot, const char* version, pprt_nusc_t** out);
PPRT_API void pprt_nusc_close(pprt_nusc_t* ds);
PPRT_API uint32_t pprt_nusc_num_samples(const pprt_nusc_t* ds);

struct pprt_nusc_sample {
  const char* token;
  const char* scene_name;
  int64_t timestamp_us;
  struct pprt_pose lidar2ego;  /* of the key LIDAR_TOP sweep */
  struct pprt_pose ego2global;
  const char* lidar_path;      /* key sweep file, full path */
};
/** Describe sample i (in table order; strings live as long as ds). */
PPRT_API enum pprt_status pprt_nusc_sample_info(const pprt_nusc_t* ds, uint32_t i, struct pprt_nusc_sample* out);
/** Index of a sample token. */
PPRT_API enum pprt_status pprt_nusc_find_sample(const pprt_nusc_t* ds, const char* token, uint32_t* index);
/** Load sample i's key sweep into clouds[0] and up to num_clouds-1 previous sweeps (sample_data.prev), each with
 *  its rotation / translation into the key lidar frame and its timestamp. */
PPRT_API enum pprt_status pprt_nusc_load_sweeps(const pprt_nusc_t* ds, uint32_t i, pprt_cloud_t* const* clouds,
                                                uint32_t num_clouds, struct pprt_sweep* sweeps, uint32_t* num_sweeps);
/** Append sample i's ground truth (detection classes only, global frame, num_pts, ego_dist, velocity as the devkit's
 *  box_velocity, attribute) to gt, and its ego pose. */
PPRT_API enum pprt_status pprt_nusc_add_gt(const pprt_nusc_t* ds, uint32_t i, pprt_detset_t* gt);

/** nuScenes detection evaluation (devkit detection_cvpr_2019). */
#define PPRT_EVAL_NUM_DIST 4
#define PPRT_EVAL_NUM_TP 5 /* trans, scale, orient, vel, attr */
#define PPRT_EVAL_MAX_BOXES_PER_SAMPLE 500 /* the devkit rejects a results file with more boxes in a sample */
struct pprt_eval_result {
  double ap[PPRT_NUSC_NUM_CLASSES][PPRT_EVAL_NUM_DIST]; /* at 0.5, 1, 2, 4 m */
  double class_ap[PPRT_NUSC_NUM_CLASSES];               /* mean over the distances */
  double tp_err[PPRT_NUSC_NUM_CLASSES][PPRT_EVAL_NUM_TP]; /* NaN where the devkit leaves it out */
  double mean_tp_err[PPRT_EVAL_NUM_TP];
  double mAP;      /* over the evaluated classes */
  double NDS;
  uint32_t num_gt[PPRT_NUSC_NUM_CLASSES];   /* after filtering */
  uint32_t num_pred[PPRT_NUSC_NUM_CLASSES];
  int evaluated[PPRT_NUSC_NUM_CLASSES];     /* 1: the class counts in mAP / NDS */
};
/** Names of the TP metrics ("trans_err", ..) and their short column names ("mATE", ..). */
PPRT_API const char* pprt_eval_tp_name(int k);
PPRT_API const char* pprt_eval_tp_short(int k);
/** Evaluate pred against gt. Every sample of gt is evaluated; predictions of other samples, and a sample with more
 *  than PPRT_EVAL_MAX_BOXES_PER_SAMPLE predictions, are an error (BAD_INPUT), as in the devkit.
 *  present_only: evaluate only the classes with ground truth after filtering (the devkit uses all 10).
 *  Boxes without ego_dist and without an ego pose: BAD_INPUT. */
PPRT_API enum pprt_status pprt_eval_detection(const pprt_detset_t* gt, const pprt_detset_t* pred, int present_only,
                                              struct pprt_eval_result* out);

#ifdef __cplusplus
}
#endif

#endif /* PPRT_NUSC_H */
