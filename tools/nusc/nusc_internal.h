/* Internal helpers shared by nuscenes.c, formats.c and eval.c: quaternions (w, x, y, z, as nuScenes stores them),
 * a token -> index hash map, and whole-file JSON parsing with a message naming the file. */
#ifndef PPRT_NUSC_INTERNAL_H
#define PPRT_NUSC_INTERNAL_H

#include <json-c/json.h>
#include <stdint.h>

#include "pprt_common/error.h"
#include "pprt/nusc.h"

/* Rotation matrix (row-major) of a unit quaternion w, x, y, z (normalised first). */
static inline void pprt_quat_to_mat(const double q_in[4], double R[9]) {
  double n = q_in[0] * q_in[0] + q_in[1] * q_in[1] + q_in[2] * q_in[2] + q_in[3] * q_in[3];
  double s = n > 0.0 ? 2.0 / n : 0.0;
  double w = q_in[0], x = q_in[1], y = q_in[2], z = q_in[3];
  R[0] = 1.0 - s * (y * y + z * z); R[1] = s * (x * y - w * z);       R[2] = s * (x * z + w * y);
  R[3] = s * (x * y + w * z);       R[4] = 1.0 - s * (x * x + z * z); R[5] = s * (y * z - w * x);
  R[6] = s * (x * z - w * y);       R[7] = s * (y * z + w * x);       R[8] = 1.0 - s * (x * x + y * y);
}

/* Hamilton product a * b (apply b first, then a). */
static inline void pprt_quat_mul(const double a[4], const double b[4], double out[4]) {
  double r[4];
  r[0] = a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3];
  r[1] = a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2];
  r[2] = a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1];
  r[3] = a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0];
  for (int i = 0; i < 4; ++i) out[i] = r[i];
}

static inline void pprt_mat_vec(const double R[9], const double v[3], double out[3]) {
  double r[3];
  for (int i = 0; i < 3; ++i) r[i] = R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2];
  for (int i = 0; i < 3; ++i) out[i] = r[i];
}

/* Yaw of a quaternion as the devkit's quaternion_yaw: the rotated x axis projected on the ground plane. */
static inline double pprt_quat_yaw(const double q[4]) {
  double R[9];
  pprt_quat_to_mat(q, R);
  return __builtin_atan2(R[3], R[0]);
}

/* Open-addressing map from NUL-terminated keys (owned elsewhere, stable pointers) to uint32 values. */
struct pprt_tokmap {
  const char** keys;
  uint32_t* vals;
  uint32_t cap; /* power of two */
  uint32_t n;
};
enum pprt_status pprt_tokmap_put(struct pprt_tokmap* m, const char* key, uint32_t val, struct pprt_err* err);
/* 1 and *val if found, else 0. */
int pprt_tokmap_get(const struct pprt_tokmap* m, const char* key, uint32_t* val);
void pprt_tokmap_free(struct pprt_tokmap* m);

/* Parse a whole JSON file; on failure the message names the file (and json-c's reason and offset). */
enum pprt_status pprt_json_load(const char* path, struct json_object** out, struct pprt_err* err);

/* Write a double as JSON: shortest of %.15g / %.17g that reads back exactly; NaN / Inf as null. */
void pprt_json_put_double(void* file, double v);

/* Box helpers used across modules. */
void pprt_det_box_init(struct pprt_det_box* b);
/* The pose recorded for a sample (NULL if none). */
const struct pprt_pose* pprt_detset_pose_internal(const pprt_detset_t* set, uint32_t sample);
/* Find a sample without adding it: 1 and *index if present. */
int pprt_detset_find_internal(const pprt_detset_t* set, const char* token, uint32_t* index);

#endif
