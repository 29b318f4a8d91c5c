/* nuScenes dataset folders: the v1.0-* JSON tables are parsed once with json-c and every token is indexed in a hash
 * map. A sample gives its LIDAR_TOP key sweep plus the previous sweeps (sample_data.prev) with their transforms into
 * the key lidar frame (sweep lidar -> sweep ego -> global -> key ego -> key lidar, in double), and its ground truth
 * as the devkit loads it (detection classes, num_pts = lidar + radar points, box_velocity, attribute). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nusc_internal.h"

enum { T_SAMPLE, T_SAMPLE_DATA, T_CALIB, T_EGO, T_ANN, T_SCENE, T_CATEGORY, T_INSTANCE, T_ATTRIBUTE, T_SENSOR, T_COUNT };
static const char* const k_tables[T_COUNT] = {"sample",   "sample_data", "calibrated_sensor", "ego_pose",
                                              "sample_annotation", "scene", "category", "instance", "attribute",
                                              "sensor"};

struct table {
  struct json_object* root;
  struct json_object** rec;
  uint32_t n;
  struct pprt_tokmap map;
};

struct pprt_nusc {
  char* root;
  char* version;
  struct table t[T_COUNT];
  uint32_t* key_sd;     /* per sample: its LIDAR_TOP key sample_data */
  uint32_t* ann_start;  /* per sample: annotations ann_list[ann_start[i] .. ann_start[i+1]) */
  uint32_t* ann_list;
  char** lidar_path;    /* per sample: full path of the key sweep */
  const char** scene_name;
};

static enum pprt_status api_fail(enum pprt_status st, const struct pprt_err* err) {
  pprt_set_last_error(err->msg);
  return st;
}

static const char* str_field(struct json_object* o, const char* key) {
  struct json_object* e = NULL;
  if (!json_object_object_get_ex(o, key, &e) || !json_object_is_type(e, json_type_string)) return NULL;
  return json_object_get_string(e);
}

static int num_field(struct json_object* o, const char* key, double* out) {
  struct json_object* e = NULL;
  if (!json_object_object_get_ex(o, key, &e) ||
      !(json_object_is_type(e, json_type_int) || json_object_is_type(e, json_type_double)))
    return -1;
  *out = json_object_get_double(e);
  return 0;
}

static int vec_field(struct json_object* o, const char* key, double* out, size_t n) {
  struct json_object* a = NULL;
  if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array) ||
      json_object_array_length(a) != n)
    return -1;
  for (size_t i = 0; i < n; ++i) {
    struct json_object* e = json_object_array_get_idx(a, i);
    if (!(json_object_is_type(e, json_type_int) || json_object_is_type(e, json_type_double))) return -1;
    out[i] = json_object_get_double(e);
  }
  return 0;
}

static enum pprt_status load_table(pprt_nusc_t* ds, int ti, int required, struct pprt_err* err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%s.json", ds->root, ds->version, k_tables[ti]);
  struct table* t = &ds->t[ti];
  struct stat sb;
  if (!required && stat(path, &sb) != 0) return PPRT_STATUS_OK;
  enum pprt_status st = pprt_json_load(path, &t->root, err);
  if (st) return st;
  if (!json_object_is_type(t->root, json_type_array))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: a nuScenes table must be a JSON list of records", path);
  size_t n = json_object_array_length(t->root);
  t->rec = calloc(n ? n : 1, sizeof *t->rec);
  if (t->rec == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  t->n = (uint32_t)n;
  for (size_t i = 0; i < n; ++i) {
    struct json_object* r = json_object_array_get_idx(t->root, i);
    const char* tok = json_object_is_type(r, json_type_object) ? str_field(r, "token") : NULL;
    if (tok == NULL)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: record %zu is not an object with a string \"token\"", path,
                       i);
    uint32_t dup;
    if (pprt_tokmap_get(&t->map, tok, &dup))
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: token %s appears twice (records %u and %zu)", path, tok, dup,
                       i);
    t->rec[i] = r;
    st = pprt_tokmap_put(&t->map, tok, (uint32_t)i, err);
    if (st) return st;
  }
  return PPRT_STATUS_OK;
}

/* The record of table ti that record `from` (of table from_t, at index from_i) refers to through field `key`. */
static enum pprt_status follow(const pprt_nusc_t* ds, int from_t, uint32_t from_i, const char* key, int ti,
                               uint32_t* out, struct pprt_err* err) {
  struct json_object* r = ds->t[from_t].rec[from_i];
  const char* tok = str_field(r, key);
  const char* self = str_field(r, "token");
  if (tok == NULL)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/%s.json: record %s has no string \"%s\"", ds->version,
                     k_tables[from_t], self, key);
  if (!pprt_tokmap_get(&ds->t[ti].map, tok, out))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/%s.json: record %s: %s %s is not in %s.json", ds->version,
                     k_tables[from_t], self, key, tok, k_tables[ti]);
  return PPRT_STATUS_OK;
}

static enum pprt_status get_pose(const pprt_nusc_t* ds, int ti, uint32_t i, struct pprt_pose* p,
                                 struct pprt_err* err) {
  struct json_object* r = ds->t[ti].rec[i];
  if (vec_field(r, "rotation", p->rotation, 4) || vec_field(r, "translation", p->translation, 3))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                     "%s/%s.json: record %s needs \"rotation\" (4 numbers) and \"translation\" (3 numbers)",
                     ds->version, k_tables[ti], str_field(r, "token"));
  double n = sqrt(p->rotation[0] * p->rotation[0] + p->rotation[1] * p->rotation[1] + p->rotation[2] * p->rotation[2] +
                  p->rotation[3] * p->rotation[3]);
  if (!(fabs(n - 1.0) < 1e-3))
    return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "%s/%s.json: record %s: rotation is not a unit quaternion (|q| = %g)",
                     ds->version, k_tables[ti], str_field(r, "token"), n);
  return PPRT_STATUS_OK;
}

/* lidar -> ego and ego -> global poses of a sample_data record. */
static enum pprt_status sd_poses(const pprt_nusc_t* ds, uint32_t sd, struct pprt_pose* l2e, struct pprt_pose* e2g,
                                 struct pprt_err* err) {
  uint32_t c, e;
  enum pprt_status st = follow(ds, T_SAMPLE_DATA, sd, "calibrated_sensor_token", T_CALIB, &c, err);
  if (st == PPRT_STATUS_OK) st = follow(ds, T_SAMPLE_DATA, sd, "ego_pose_token", T_EGO, &e, err);
  if (st == PPRT_STATUS_OK) st = get_pose(ds, T_CALIB, c, l2e, err);
  if (st == PPRT_STATUS_OK) st = get_pose(ds, T_EGO, e, e2g, err);
  return st;
}

/* A sample_data timestamp (us): an integer as written, or a finite number within int64 (no undefined conversion). */
static int sd_timestamp(const pprt_nusc_t* ds, uint32_t sd, int64_t* ts) {
  struct json_object* e = NULL;
  if (!json_object_object_get_ex(ds->t[T_SAMPLE_DATA].rec[sd], "timestamp", &e)) return -1;
  if (json_object_is_type(e, json_type_int)) {
    *ts = json_object_get_int64(e);
    return 0;
  }
  if (!json_object_is_type(e, json_type_double)) return -1;
  const double v = json_object_get_double(e);
  if (!(v > -9.2e18 && v < 9.2e18)) return -1;
  *ts = (int64_t)v;
  return 0;
}

void pprt_nusc_close(pprt_nusc_t* ds) {
  if (ds == NULL) return;
  for (int i = 0; i < T_COUNT; ++i) {
    json_object_put(ds->t[i].root);
    free(ds->t[i].rec);
    pprt_tokmap_free(&ds->t[i].map);
  }
  if (ds->lidar_path)
    for (uint32_t i = 0; i < ds->t[T_SAMPLE].n; ++i) free(ds->lidar_path[i]);
  free(ds->lidar_path);
  free(ds->scene_name);
  free(ds->key_sd);
  free(ds->ann_start);
  free(ds->ann_list);
  free(ds->root);
  free(ds->version);
  free(ds);
}

static char* dup_str(const char* s) {
  size_t n = strlen(s) + 1;
  char* d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static enum pprt_status find_version(const char* root, char** out, struct pprt_err* err) {
  DIR* d = opendir(root);
  if (d == NULL) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open the dataset folder: %s", root, strerror(errno));
  char found[256] = "";
  int count = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "v1.0-", 5) != 0) continue;
    ++count;
    snprintf(found, sizeof found, "%s", e->d_name);
  }
  closedir(d);
  if (count != 1)
    return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "%s: %s v1.0-* table folder; name the version", root,
                     count ? "more than one" : "no");
  *out = dup_str(found);
  return *out ? PPRT_STATUS_OK : pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
}

static enum pprt_status build_index(pprt_nusc_t* ds, struct pprt_err* err) {
  uint32_t ns = ds->t[T_SAMPLE].n;
  ds->key_sd = malloc((ns ? ns : 1) * sizeof *ds->key_sd);
  ds->ann_start = calloc((size_t)ns + 1, sizeof *ds->ann_start);
  ds->ann_list = malloc((ds->t[T_ANN].n ? ds->t[T_ANN].n : 1) * sizeof *ds->ann_list);
  ds->lidar_path = calloc(ns ? ns : 1, sizeof *ds->lidar_path);
  ds->scene_name = calloc(ns ? ns : 1, sizeof *ds->scene_name);
  if (!ds->key_sd || !ds->ann_start || !ds->ann_list || !ds->lidar_path || !ds->scene_name)
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory indexing %u samples", ns);
  for (uint32_t i = 0; i < ns; ++i) ds->key_sd[i] = UINT32_MAX;
  enum pprt_status st;
  for (uint32_t i = 0; i < ds->t[T_SAMPLE_DATA].n; ++i) {
    struct json_object* r = ds->t[T_SAMPLE_DATA].rec[i];
    struct json_object* kf = NULL;
    if (!json_object_object_get_ex(r, "is_key_frame", &kf) || !json_object_get_boolean(kf)) continue;
    uint32_t c, sensor, s;
    if ((st = follow(ds, T_SAMPLE_DATA, i, "calibrated_sensor_token", T_CALIB, &c, err))) return st;
    if ((st = follow(ds, T_CALIB, c, "sensor_token", T_SENSOR, &sensor, err))) return st;
    const char* ch = str_field(ds->t[T_SENSOR].rec[sensor], "channel");
    if (ch == NULL || strcmp(ch, "LIDAR_TOP") != 0) continue;
    if ((st = follow(ds, T_SAMPLE_DATA, i, "sample_token", T_SAMPLE, &s, err))) return st;
    ds->key_sd[s] = i;
  }
  for (uint32_t s = 0; s < ns; ++s) {
    struct json_object* r = ds->t[T_SAMPLE].rec[s];
    if (ds->key_sd[s] == UINT32_MAX)
      return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "%s/sample_data.json: sample %s has no LIDAR_TOP key frame",
                       ds->version, str_field(r, "token"));
    const char* fn = str_field(ds->t[T_SAMPLE_DATA].rec[ds->key_sd[s]], "filename");
    if (fn == NULL)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/sample_data.json: record %s has no \"filename\"", ds->version,
                       str_field(ds->t[T_SAMPLE_DATA].rec[ds->key_sd[s]], "token"));
    size_t len = strlen(ds->root) + strlen(fn) + 2;
    if ((ds->lidar_path[s] = malloc(len)) == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
    snprintf(ds->lidar_path[s], len, "%s/%s", ds->root, fn);
    uint32_t sc;
    double ts;
    if (num_field(r, "timestamp", &ts))
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/sample.json: record %s has no \"timestamp\"", ds->version,
                       str_field(r, "token"));
    if ((st = follow(ds, T_SAMPLE, s, "scene_token", T_SCENE, &sc, err))) return st;
    ds->scene_name[s] = str_field(ds->t[T_SCENE].rec[sc], "name");
    if (ds->scene_name[s] == NULL) ds->scene_name[s] = "";
  }
  /* annotations per sample: counting sort */
  uint32_t na = ds->t[T_ANN].n;
  uint32_t* owner = malloc((na ? na : 1) * sizeof *owner);
  if (owner == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  for (uint32_t a = 0; a < na; ++a) {
    if ((st = follow(ds, T_ANN, a, "sample_token", T_SAMPLE, &owner[a], err))) {
      free(owner);
      return st;
    }
    ds->ann_start[owner[a] + 1]++;
  }
  for (uint32_t s = 0; s < ns; ++s) ds->ann_start[s + 1] += ds->ann_start[s];
  uint32_t* fill = calloc(ns ? ns : 1, sizeof *fill);
  if (fill == NULL) {
    free(owner);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  for (uint32_t a = 0; a < na; ++a) ds->ann_list[ds->ann_start[owner[a]] + fill[owner[a]]++] = a;
  free(fill);
  free(owner);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_nusc_open(const char* dataroot, const char* version, pprt_nusc_t** out) {
  struct pprt_err err;
  if (dataroot == NULL || out == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_nusc_open: NULL argument"), &err);
  *out = NULL;
  pprt_nusc_t* ds = calloc(1, sizeof *ds);
  if (ds == NULL || (ds->root = dup_str(dataroot)) == NULL) {
    pprt_nusc_close(ds);
    return api_fail(pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "pprt_nusc_open: out of memory"), &err);
  }
  enum pprt_status st = PPRT_STATUS_OK;
  if (version) {
    if ((ds->version = dup_str(version)) == NULL) st = pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  } else {
    st = find_version(dataroot, &ds->version, &err);
  }
  for (int i = 0; i < T_COUNT && st == PPRT_STATUS_OK; ++i)
    st = load_table(ds, i, i != T_ATTRIBUTE, &err); /* attribute.json is only needed when annotations use one */
  if (st == PPRT_STATUS_OK) st = build_index(ds, &err);
  if (st) {
    pprt_nusc_close(ds);
    return api_fail(st, &err);
  }
  *out = ds;
  return PPRT_STATUS_OK;
}

uint32_t pprt_nusc_num_samples(const pprt_nusc_t* ds) { return ds ? ds->t[T_SAMPLE].n : 0; }

enum pprt_status pprt_nusc_find_sample(const pprt_nusc_t* ds, const char* token, uint32_t* index) {
  struct pprt_err err;
  if (ds == NULL || token == NULL || index == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_nusc_find_sample: NULL argument"), &err);
  if (!pprt_tokmap_get(&ds->t[T_SAMPLE].map, token, index))
    return api_fail(pprt_fail(&err, PPRT_STATUS_BAD_INPUT, "%s/sample.json: no sample %s", ds->version, token), &err);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_nusc_sample_info(const pprt_nusc_t* ds, uint32_t i, struct pprt_nusc_sample* out) {
  struct pprt_err err;
  if (ds == NULL || out == NULL || i >= ds->t[T_SAMPLE].n)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_nusc_sample_info: bad argument"), &err);
  memset(out, 0, sizeof *out);
  out->token = str_field(ds->t[T_SAMPLE].rec[i], "token");
  out->scene_name = ds->scene_name[i];
  out->lidar_path = ds->lidar_path[i];
  enum pprt_status st = sd_poses(ds, ds->key_sd[i], &out->lidar2ego, &out->ego2global, &err);
  if (st == PPRT_STATUS_OK && sd_timestamp(ds, ds->key_sd[i], &out->timestamp_us))
    st = pprt_fail(&err, PPRT_STATUS_PARSE_ERROR, "%s/sample_data.json: record %s has no usable \"timestamp\" (microseconds)", ds->version,
                   str_field(ds->t[T_SAMPLE_DATA].rec[ds->key_sd[i]], "token"));
  return st ? api_fail(st, &err) : st;
}

static void mat_t(const double A[9], double T[9]) {
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) T[3 * c + r] = A[3 * r + c];
}

static void mat_mul(const double A[9], const double B[9], double C[9]) {
  double r[9];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[3 * i + j] = A[3 * i] * B[j] + A[3 * i + 1] * B[3 + j] + A[3 * i + 2] * B[6 + j];
  memcpy(C, r, sizeof r);
}

enum pprt_status pprt_nusc_load_sweeps(const pprt_nusc_t* ds, uint32_t i, pprt_cloud_t* const* clouds,
                                       uint32_t num_clouds, struct pprt_sweep* sweeps, uint32_t* num_sweeps) {
  struct pprt_err err;
  if (ds == NULL || clouds == NULL || sweeps == NULL || num_sweeps == NULL || num_clouds == 0 ||
      i >= ds->t[T_SAMPLE].n)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_nusc_load_sweeps: bad argument"), &err);
  *num_sweeps = 0;
  struct pprt_pose kl, ke;
  uint32_t sd = ds->key_sd[i];
  enum pprt_status st = sd_poses(ds, sd, &kl, &ke, &err);
  if (st) return api_fail(st, &err);
  double Rkl[9], Rke[9], Rkl_t[9], Rke_t[9];
  pprt_quat_to_mat(kl.rotation, Rkl);
  pprt_quat_to_mat(ke.rotation, Rke);
  mat_t(Rkl, Rkl_t);
  mat_t(Rke, Rke_t);
  uint32_t n = 0;
  while (n < num_clouds) {
    struct json_object* r = ds->t[T_SAMPLE_DATA].rec[sd];
    const char* fn = str_field(r, "filename");
    int64_t ts;
    if (fn == NULL || sd_timestamp(ds, sd, &ts))
      return api_fail(pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                                "%s/sample_data.json: record %s needs \"filename\" and \"timestamp\"", ds->version,
                                str_field(r, "token")),
                      &err);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ds->root, fn);
    st = pprt_cloud_load(clouds[n], path, PPRT_FORMAT_NUSCENES_BIN, ts, &sweeps[n]);
    if (st) {
      /* pprt_cloud_load set the message; add the token */
      char msg[PPRT_ERR_MAX];
      snprintf(msg, sizeof msg, "sample %s, sample_data %s: %s", str_field(ds->t[T_SAMPLE].rec[i], "token"),
               str_field(r, "token"), pprt_last_error());
      pprt_set_last_error(msg);
      return st;
    }
    if (n > 0) {
      struct pprt_pose sl, se;
      if ((st = sd_poses(ds, sd, &sl, &se, &err))) return api_fail(st, &err);
      double R1[9], R2[9], R[9], t[3], u[3];
      pprt_quat_to_mat(sl.rotation, R1);
      pprt_quat_to_mat(se.rotation, R2);
      /* R = Rkl^T Rke^T R2 R1; t = Rkl^T (Rke^T (R2 t1 + t2 - tke) - tkl) */
      mat_mul(R2, R1, R);
      mat_mul(Rke_t, R, R);
      mat_mul(Rkl_t, R, R);
      pprt_mat_vec(R2, sl.translation, u);
      for (int k = 0; k < 3; ++k) u[k] += se.translation[k] - ke.translation[k];
      pprt_mat_vec(Rke_t, u, u);
      for (int k = 0; k < 3; ++k) u[k] -= kl.translation[k];
      pprt_mat_vec(Rkl_t, u, t);
      for (int k = 0; k < 9; ++k) sweeps[n].rotation[k] = (float)R[k];
      for (int k = 0; k < 3; ++k) sweeps[n].translation[k] = (float)t[k];
    }
    ++n;
    const char* prev = str_field(r, "prev");
    if (prev == NULL || prev[0] == '\0') break;
    if (!pprt_tokmap_get(&ds->t[T_SAMPLE_DATA].map, prev, &sd))
      return api_fail(pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                                "%s/sample_data.json: record %s: prev %s is not in sample_data.json", ds->version,
                                str_field(r, "token"), prev),
                      &err);
    /* Each prev must be strictly earlier: that also rules out a chain that loops back (prev = itself, a -> b -> a),
     * which would load the same sweep again and again. */
    int64_t ts_prev;
    if (n < num_clouds && !sd_timestamp(ds, sd, &ts_prev) && ts_prev >= ts)
      return api_fail(pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                                "%s/sample_data.json: record %s: prev %s (timestamp %lld) is not earlier than it "
                                "(timestamp %lld): the prev chain %s",
                                ds->version, str_field(r, "token"), prev, (long long)ts_prev, (long long)ts,
                                ds->t[T_SAMPLE_DATA].rec[sd] == r ? "points to the record itself"
                                                                  : "does not go back in time (it may loop)"),
                      &err);
  }
  *num_sweeps = n;
  return PPRT_STATUS_OK;
}

static int ann_sample_time(const pprt_nusc_t* ds, uint32_t a, double* t) {
  uint32_t s;
  const char* tok = str_field(ds->t[T_ANN].rec[a], "sample_token");
  if (tok == NULL || !pprt_tokmap_get(&ds->t[T_SAMPLE].map, tok, &s)) return -1;
  if (num_field(ds->t[T_SAMPLE].rec[s], "timestamp", t)) return -1;
  *t *= 1e-6;
  return 0;
}

/* The devkit's box_velocity (max_time_diff 1.5 s, doubled for a centred difference). */
static enum pprt_status box_velocity(const pprt_nusc_t* ds, uint32_t a, double v[2], struct pprt_err* err) {
  struct json_object* r = ds->t[T_ANN].rec[a];
  const char* prev = str_field(r, "prev");
  const char* next = str_field(r, "next");
  int has_prev = prev && prev[0], has_next = next && next[0];
  v[0] = v[1] = NAN;
  if (!has_prev && !has_next) return PPRT_STATUS_OK;
  uint32_t first = a, last = a;
  if (has_prev && !pprt_tokmap_get(&ds->t[T_ANN].map, prev, &first))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/sample_annotation.json: record %s: prev %s not found",
                     ds->version, str_field(r, "token"), prev);
  if (has_next && !pprt_tokmap_get(&ds->t[T_ANN].map, next, &last))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s/sample_annotation.json: record %s: next %s not found",
                     ds->version, str_field(r, "token"), next);
  double p0[3], p1[3], t0, t1;
  if (vec_field(ds->t[T_ANN].rec[first], "translation", p0, 3) ||
      vec_field(ds->t[T_ANN].rec[last], "translation", p1, 3) || ann_sample_time(ds, first, &t0) ||
      ann_sample_time(ds, last, &t1))
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                     "%s/sample_annotation.json: record %s: its neighbours lack a translation or a sample time",
                     ds->version, str_field(r, "token"));
  double dt = t1 - t0, max_dt = has_prev && has_next ? 3.0 : 1.5;
  if (dt > max_dt) return PPRT_STATUS_OK;
  v[0] = (p1[0] - p0[0]) / dt;
  v[1] = (p1[1] - p0[1]) / dt;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_nusc_add_gt(const pprt_nusc_t* ds, uint32_t i, pprt_detset_t* gt) {
  struct pprt_err err;
  if (ds == NULL || gt == NULL || i >= ds->t[T_SAMPLE].n)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_nusc_add_gt: bad argument"), &err);
  const char* token = str_field(ds->t[T_SAMPLE].rec[i], "token");
  struct pprt_pose l2e, e2g;
  enum pprt_status st = sd_poses(ds, ds->key_sd[i], &l2e, &e2g, &err);
  if (st) return api_fail(st, &err);
  if ((st = pprt_detset_set_ego_pose(gt, token, &e2g))) return st;
  for (uint32_t k = ds->ann_start[i]; k < ds->ann_start[i + 1]; ++k) {
    uint32_t a = ds->ann_list[k], inst, cat;
    struct json_object* r = ds->t[T_ANN].rec[a];
    const char* atok = str_field(r, "token");
    if ((st = follow(ds, T_ANN, a, "instance_token", T_INSTANCE, &inst, &err))) return api_fail(st, &err);
    if ((st = follow(ds, T_INSTANCE, inst, "category_token", T_CATEGORY, &cat, &err))) return api_fail(st, &err);
    int cls = pprt_nusc_category_class(str_field(ds->t[T_CATEGORY].rec[cat], "name"));
    if (cls < 0) continue;
    struct pprt_det_box b;
    pprt_det_box_init(&b);
    b.cls = cls;
    double lp = 0, rp = 0;
    if (vec_field(r, "translation", b.translation, 3) || vec_field(r, "size", b.size, 3) ||
        vec_field(r, "rotation", b.rotation, 4) || num_field(r, "num_lidar_pts", &lp))
      return api_fail(pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                                "%s/sample_annotation.json: record %s needs translation, size, rotation, num_lidar_pts",
                                ds->version, atok),
                      &err);
    if (num_field(r, "num_radar_pts", &rp)) rp = 0;
    const double np = lp + rp; /* clamped: a count the devkit compares with 0 */
    b.num_pts = !(np >= 0.0) ? -1 : np > 2e9 ? 2000000000 : (int32_t)np;
    b.ego_dist = hypot(b.translation[0] - e2g.translation[0], b.translation[1] - e2g.translation[1]);
    if ((st = box_velocity(ds, a, b.velocity, &err))) return api_fail(st, &err);
    struct json_object* attrs = NULL;
    if (json_object_object_get_ex(r, "attribute_tokens", &attrs) && json_object_is_type(attrs, json_type_array)) {
      size_t na = json_object_array_length(attrs);
      if (na > 1)
        return api_fail(pprt_fail(&err, PPRT_STATUS_BAD_INPUT,
                                  "%s/sample_annotation.json: record %s has %zu attributes (the devkit allows one)",
                                  ds->version, atok, na),
                        &err);
      if (na == 1) {
        struct json_object* e = json_object_array_get_idx(attrs, 0);
        uint32_t ai;
        const char* at = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
        if (!pprt_tokmap_get(&ds->t[T_ATTRIBUTE].map, at, &ai))
          return api_fail(pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                                    "%s/sample_annotation.json: record %s: attribute %s is not in attribute.json",
                                    ds->version, atok, at),
                          &err);
        const char* name = str_field(ds->t[T_ATTRIBUTE].rec[ai], "name");
        snprintf(b.attribute, sizeof b.attribute, "%s", name ? name : "");
      }
    }
    if ((st = pprt_detset_add(gt, token, &b, 1))) return st;
  }
  return PPRT_STATUS_OK;
}
