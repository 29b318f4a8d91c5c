/* Output formats: the nuScenes detection classes, boxes in the global frame (pprt_box_to_global), sets of
 * detection-results boxes grouped by sample (pprt_detset_*: nuScenes results JSON reader / writer, edge-contest
 * writer), and lidar-frame box files (VAI-L accuracy text, pprt's JSON). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nusc_internal.h"
#include "pprt_common/fileio.h"

static const char* const k_class_names[PPRT_NUSC_NUM_CLASSES] = {
    "car", "truck", "trailer", "bus", "construction_vehicle", "bicycle", "motorcycle", "pedestrian", "traffic_cone",
    "barrier"};

const char* pprt_nusc_class_name(int cls) {
  return cls >= 0 && cls < PPRT_NUSC_NUM_CLASSES ? k_class_names[cls] : NULL;
}

int pprt_nusc_class_index(const char* name) {
  if (name == NULL) return -1;
  for (int i = 0; i < PPRT_NUSC_NUM_CLASSES; ++i)
    if (strcmp(name, k_class_names[i]) == 0) return i;
  return -1;
}

int pprt_nusc_category_class(const char* c) {
  static const struct {
    const char* category;
    const char* cls;
  } map[] = {{"movable_object.barrier", "barrier"},
             {"vehicle.bicycle", "bicycle"},
             {"vehicle.bus.bendy", "bus"},
             {"vehicle.bus.rigid", "bus"},
             {"vehicle.car", "car"},
             {"vehicle.construction", "construction_vehicle"},
             {"vehicle.motorcycle", "motorcycle"},
             {"human.pedestrian.adult", "pedestrian"},
             {"human.pedestrian.child", "pedestrian"},
             {"human.pedestrian.construction_worker", "pedestrian"},
             {"human.pedestrian.police_officer", "pedestrian"},
             {"movable_object.trafficcone", "traffic_cone"},
             {"vehicle.trailer", "trailer"},
             {"vehicle.truck", "truck"}};
  if (c == NULL) return -1;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; ++i)
    if (strcmp(c, map[i].category) == 0) return pprt_nusc_class_index(map[i].cls);
  return -1;
}

/* ------------------------------------------------------------------ token map */

static uint32_t hash_str(const char* s) {
  uint32_t h = 2166136261u;
  for (; *s; ++s) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

static enum pprt_status tokmap_grow(struct pprt_tokmap* m, struct pprt_err* err) {
  uint32_t cap = m->cap ? m->cap * 2 : 64;
  const char** keys = calloc(cap, sizeof *keys);
  uint32_t* vals = calloc(cap, sizeof *vals);
  if (keys == NULL || vals == NULL) {
    free(keys);
    free(vals);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory for a token index of %u entries", cap);
  }
  for (uint32_t i = 0; i < m->cap; ++i) {
    if (m->keys[i] == NULL) continue;
    uint32_t j = hash_str(m->keys[i]) & (cap - 1);
    while (keys[j] != NULL) j = (j + 1) & (cap - 1);
    keys[j] = m->keys[i];
    vals[j] = m->vals[i];
  }
  free(m->keys);
  free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->cap = cap;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_tokmap_put(struct pprt_tokmap* m, const char* key, uint32_t val, struct pprt_err* err) {
  if ((m->n + 1) * 2 > m->cap) {
    enum pprt_status st = tokmap_grow(m, err);
    if (st) return st;
  }
  uint32_t j = hash_str(key) & (m->cap - 1);
  while (m->keys[j] != NULL) {
    if (strcmp(m->keys[j], key) == 0) {
      m->vals[j] = val;
      return PPRT_STATUS_OK;
    }
    j = (j + 1) & (m->cap - 1);
  }
  m->keys[j] = key;
  m->vals[j] = val;
  m->n++;
  return PPRT_STATUS_OK;
}

int pprt_tokmap_get(const struct pprt_tokmap* m, const char* key, uint32_t* val) {
  if (m->cap == 0 || key == NULL) return 0;
  uint32_t j = hash_str(key) & (m->cap - 1);
  while (m->keys[j] != NULL) {
    if (strcmp(m->keys[j], key) == 0) {
      *val = m->vals[j];
      return 1;
    }
    j = (j + 1) & (m->cap - 1);
  }
  return 0;
}

void pprt_tokmap_free(struct pprt_tokmap* m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------ JSON helpers */

enum pprt_status pprt_json_load(const char* path, struct json_object** out, struct pprt_err* err) {
  *out = NULL;
  FILE* f = NULL;
  enum pprt_status ost = pprt_fopen_regular(path, &f, NULL, err);
  if (ost) return ost;
  struct json_tokener* tok = json_tokener_new();
  if (tok == NULL) {
    fclose(f);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory", path);
  }
  char buf[65536];
  struct json_object* obj = NULL;
  enum json_tokener_error jerr = json_tokener_continue;
  size_t total = 0, n;
  size_t err_at = 0; /* file offset of a tokener error */
  int ended = 0;     /* the value is complete: the rest of the file may only be white space */
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    size_t from = 0;
    if (!ended) {
      obj = json_tokener_parse_ex(tok, buf, (int)n);
      jerr = json_tokener_get_error(tok);
      if (jerr == json_tokener_continue) {
        total += n;
        continue;
      }
      from = json_tokener_get_parse_end(tok);
      if (jerr != json_tokener_success) {
        err_at = total + from;
        total += n;
        break;
      }
      ended = 1;
    }
    /* anything after the value other than white space is an error, however far behind it */
    for (size_t i = from; i < n; ++i)
      if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t') {
        json_object_put(obj);
        json_tokener_free(tok);
        fclose(f);
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: text after the JSON value at byte %zu", path, total + i);
      }
    total += n;
  }
  int read_err = ferror(f);
  fclose(f);
  if (read_err) {
    json_object_put(obj);
    json_tokener_free(tok);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error", path);
  }
  if (jerr == json_tokener_continue) {
    obj = json_tokener_parse_ex(tok, "", -1);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) jerr = json_tokener_error_parse_eof;
    err_at = total;
  }
  if (jerr != json_tokener_success || obj == NULL) {
    enum pprt_status st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: malformed JSON near byte %zu: %s", path,
                                    err_at,
                                    total ? json_tokener_error_desc(jerr) : "empty file");
    json_object_put(obj);
    json_tokener_free(tok);
    return st;
  }
  json_tokener_free(tok);
  *out = obj;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_nusc_json_load(const char* path, struct json_object** out) {
  struct pprt_err err;
  err.msg[0] = '\0';
  if (path == NULL || out == NULL) {
    if (out != NULL) *out = NULL;
    pprt_set_last_error("pprt_nusc_json_load: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  enum pprt_status st = pprt_json_load(path, out, &err);
  if (st) pprt_set_last_error(err.msg);
  return st;
}

void pprt_json_put_double(void* file, double v) {
  FILE* f = file;
  if (!isfinite(v)) {
    fputs("null", f);
    return;
  }
  char s[40];
  snprintf(s, sizeof s, "%.15g", v);
  if (strtod(s, NULL) != v) snprintf(s, sizeof s, "%.17g", v);
  fputs(s, f);
}

static void put_json_string(FILE* f, const char* s) {
  fputc('"', f);
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* ------------------------------------------------------------------ boxes to the global frame */

void pprt_det_box_init(struct pprt_det_box* b) {
  memset(b, 0, sizeof *b);
  b->rotation[0] = 1.0;
  b->velocity[0] = b->velocity[1] = NAN;
  b->ego_dist = NAN;
  b->num_pts = -1;
  b->cls = -1;
  b->score = -1.0;
}

/* mmdetection3d's nuScenes formatter: the attribute from the class and the speed. */
static const char* default_attribute(int cls, double speed) {
  const char* name = pprt_nusc_class_name(cls);
  if (name == NULL) return "";
  int vehicle = cls <= 4; /* car, truck, trailer, bus, construction_vehicle */
  if (speed > 0.2) {
    if (vehicle) return "vehicle.moving";
    if (strcmp(name, "bicycle") == 0 || strcmp(name, "motorcycle") == 0) return "cycle.with_rider";
  } else {
    if (strcmp(name, "pedestrian") == 0) return "pedestrian.standing";
    if (strcmp(name, "bus") == 0) return "vehicle.stopped";
  }
  if (strcmp(name, "bus") == 0) return "vehicle.moving";
  if (vehicle) return "vehicle.parked";
  if (strcmp(name, "pedestrian") == 0) return "pedestrian.moving";
  if (strcmp(name, "bicycle") == 0 || strcmp(name, "motorcycle") == 0) return "cycle.without_rider";
  return "";
}

void pprt_box_to_global(const struct pprt_box* box, int cls, const struct pprt_pose* lidar2ego,
                        const struct pprt_pose* ego2global, struct pprt_det_box* out) {
  pprt_det_box_init(out);
  double yaw = -(double)box->yaw - M_PI / 2.0;
  double q[4] = {cos(yaw / 2.0), 0.0, 0.0, sin(yaw / 2.0)};
  double c[3] = {box->x, box->y, (double)box->z + (double)box->h / 2.0};
  double v[3] = {box->vx, box->vy, 0.0};
  double R[9];
  pprt_quat_to_mat(lidar2ego->rotation, R);
  pprt_mat_vec(R, c, c);
  pprt_mat_vec(R, v, v);
  for (int i = 0; i < 3; ++i) c[i] += lidar2ego->translation[i];
  pprt_quat_mul(lidar2ego->rotation, q, q);
  pprt_quat_to_mat(ego2global->rotation, R);
  pprt_mat_vec(R, c, c);
  pprt_mat_vec(R, v, v);
  for (int i = 0; i < 3; ++i) c[i] += ego2global->translation[i];
  pprt_quat_mul(ego2global->rotation, q, q);
  for (int i = 0; i < 3; ++i) out->translation[i] = c[i];
  for (int i = 0; i < 4; ++i) out->rotation[i] = q[i];
  out->size[0] = box->w;
  out->size[1] = box->l;
  out->size[2] = box->h;
  out->velocity[0] = v[0];
  out->velocity[1] = v[1];
  out->ego_dist = hypot(c[0] - ego2global->translation[0], c[1] - ego2global->translation[1]);
  out->cls = cls;
  out->score = box->score;
  snprintf(out->attribute, sizeof out->attribute, "%s", default_attribute(cls, hypot(v[0], v[1])));
}

/* ------------------------------------------------------------------ detection sets */

struct ds_sample {
  char* token;
  struct pprt_det_box* boxes;
  uint32_t n, cap;
  int has_pose;
  struct pprt_pose pose;
};

struct pprt_detset {
  struct ds_sample* s;
  uint32_t n, cap;
  struct pprt_tokmap map;
};

static enum pprt_status api_fail(enum pprt_status st, const struct pprt_err* err) {
  pprt_set_last_error(err->msg);
  return st;
}

enum pprt_status pprt_detset_create(pprt_detset_t** out) {
  struct pprt_err err;
  if (out == NULL) return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_create: out is NULL"), &err);
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return api_fail(pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "pprt_detset_create: out of memory"), &err);
  return PPRT_STATUS_OK;
}

void pprt_detset_destroy(pprt_detset_t* set) {
  if (set == NULL) return;
  for (uint32_t i = 0; i < set->n; ++i) {
    free(set->s[i].token);
    free(set->s[i].boxes);
  }
  free(set->s);
  pprt_tokmap_free(&set->map);
  free(set);
}

int pprt_detset_find_internal(const pprt_detset_t* set, const char* token, uint32_t* index) {
  return pprt_tokmap_get(&set->map, token, index);
}

static enum pprt_status sample_index(pprt_detset_t* set, const char* token, uint32_t* index, struct pprt_err* err) {
  if (set == NULL || token == NULL || index == NULL)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "detection set: NULL argument");
  if (pprt_tokmap_get(&set->map, token, index)) return PPRT_STATUS_OK;
  size_t len = strlen(token);
  if (len == 0 || len > 63)
    return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "sample token '%.80s' must have 1 to 63 characters", token);
  if (set->n == set->cap) {
    uint32_t cap = set->cap ? set->cap * 2 : 16;
    struct ds_sample* s = realloc(set->s, cap * sizeof *s);
    if (s == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory for %u samples", cap);
    set->s = s;
    set->cap = cap;
  }
  struct ds_sample* s = &set->s[set->n];
  memset(s, 0, sizeof *s);
  s->token = malloc(len + 1);
  if (s->token == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  memcpy(s->token, token, len + 1);
  enum pprt_status st = pprt_tokmap_put(&set->map, s->token, set->n, err);
  if (st) {
    free(s->token);
    return st;
  }
  *index = set->n++;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_detset_sample(pprt_detset_t* set, const char* token, uint32_t* index) {
  struct pprt_err err;
  enum pprt_status st = sample_index(set, token, index, &err);
  return st ? api_fail(st, &err) : st;
}

static enum pprt_status add_boxes(pprt_detset_t* set, uint32_t si, const struct pprt_det_box* boxes, uint32_t n,
                                  struct pprt_err* err) {
  struct ds_sample* s = &set->s[si];
  if (s->n + n > s->cap) {
    uint32_t cap = s->cap ? s->cap : 8;
    while (cap < s->n + n) cap *= 2;
    struct pprt_det_box* b = realloc(s->boxes, cap * sizeof *b);
    if (b == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory for %u boxes", cap);
    s->boxes = b;
    s->cap = cap;
  }
  for (uint32_t i = 0; i < n; ++i) {
    s->boxes[s->n + i] = boxes[i];
    s->boxes[s->n + i].sample = si;
    s->boxes[s->n + i].attribute[sizeof boxes[i].attribute - 1] = '\0';
  }
  s->n += n;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_detset_add(pprt_detset_t* set, const char* token, const struct pprt_det_box* boxes, uint32_t n) {
  struct pprt_err err;
  uint32_t si = 0;
  enum pprt_status st = sample_index(set, token, &si, &err);
  if (st == PPRT_STATUS_OK && n > 0 && boxes == NULL)
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_add: boxes is NULL");
  if (st == PPRT_STATUS_OK) st = add_boxes(set, si, boxes, n, &err);
  return st ? api_fail(st, &err) : st;
}

enum pprt_status pprt_detset_set_ego_pose(pprt_detset_t* set, const char* token, const struct pprt_pose* pose) {
  struct pprt_err err;
  uint32_t si = 0;
  enum pprt_status st = sample_index(set, token, &si, &err);
  if (st == PPRT_STATUS_OK && pose == NULL)
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_set_ego_pose: pose is NULL");
  if (st) return api_fail(st, &err);
  set->s[si].has_pose = 1;
  set->s[si].pose = *pose;
  return PPRT_STATUS_OK;
}

const struct pprt_pose* pprt_detset_pose_internal(const pprt_detset_t* set, uint32_t sample) {
  return sample < set->n && set->s[sample].has_pose ? &set->s[sample].pose : NULL;
}

uint32_t pprt_detset_num_samples(const pprt_detset_t* set) { return set ? set->n : 0; }

const char* pprt_detset_token(const pprt_detset_t* set, uint32_t sample) {
  return set && sample < set->n ? set->s[sample].token : NULL;
}

const struct pprt_det_box* pprt_detset_boxes(const pprt_detset_t* set, uint32_t sample, uint32_t* n) {
  if (set == NULL || sample >= set->n) {
    if (n) *n = 0;
    return NULL;
  }
  if (n) *n = set->s[sample].n;
  return set->s[sample].boxes;
}

/* ---- reading a results JSON */

/* Read a fixed-length array of numbers (null -> NaN when allow_null). 0 ok, -1 wrong. */
static int get_numbers(struct json_object* o, const char* key, double* out, size_t n, int allow_null, int* present) {
  struct json_object* a = NULL;
  *present = json_object_object_get_ex(o, key, &a);
  if (!*present) return 0;
  if (a == NULL && allow_null) {
    for (size_t i = 0; i < n; ++i) out[i] = NAN;
    return 0;
  }
  if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) != n) return -1;
  for (size_t i = 0; i < n; ++i) {
    struct json_object* e = json_object_array_get_idx(a, i);
    if (e == NULL && allow_null) out[i] = NAN;
    else if (json_object_is_type(e, json_type_double) || json_object_is_type(e, json_type_int))
      out[i] = json_object_get_double(e);
    else return -1;
  }
  return 0;
}

static int get_number(struct json_object* o, const char* key, double* out, int* present) {
  struct json_object* e = NULL;
  *present = json_object_object_get_ex(o, key, &e);
  if (!*present) return 0;
  if (e == NULL) {
    *out = NAN;
    return 0;
  }
  if (!json_object_is_type(e, json_type_double) && !json_object_is_type(e, json_type_int)) return -1;
  *out = json_object_get_double(e);
  return 0;
}

static enum pprt_status parse_box(const char* path, const char* token, size_t k, struct json_object* o,
                                  struct pprt_det_box* b, struct pprt_err* err) {
  pprt_det_box_init(b);
#define BAD(...) pprt_fail(err, PPRT_STATUS_PARSE_ERROR, __VA_ARGS__)
  if (!json_object_is_type(o, json_type_object))
    return BAD("%s: sample %s: box %zu is not an object", path, token, k);
  struct json_object* e = NULL;
  if (json_object_object_get_ex(o, "sample_token", &e) &&
      (!json_object_is_type(e, json_type_string) || strcmp(json_object_get_string(e), token) != 0))
    return BAD("%s: sample %s: box %zu has another sample_token", path, token, k);
  int present;
  if (get_numbers(o, "translation", b->translation, 3, 0, &present) || !present)
    return BAD("%s: sample %s: box %zu: \"translation\" must be 3 numbers", path, token, k);
  if (get_numbers(o, "size", b->size, 3, 0, &present) || !present)
    return BAD("%s: sample %s: box %zu: \"size\" must be 3 numbers", path, token, k);
  if (!(b->size[0] > 0 && b->size[1] > 0 && b->size[2] > 0))
    return BAD("%s: sample %s: box %zu: \"size\" must be positive", path, token, k);
  if (get_numbers(o, "rotation", b->rotation, 4, 0, &present) || !present)
    return BAD("%s: sample %s: box %zu: \"rotation\" must be 4 numbers (w, x, y, z)", path, token, k);
  double v3[3];
  if (get_numbers(o, "velocity", b->velocity, 2, 1, &present)) {
    if (get_numbers(o, "velocity", v3, 3, 1, &present))
      return BAD("%s: sample %s: box %zu: \"velocity\" must be 2 numbers", path, token, k);
    b->velocity[0] = v3[0];
    b->velocity[1] = v3[1];
  }
  if (!json_object_object_get_ex(o, "detection_name", &e) || !json_object_is_type(e, json_type_string))
    return BAD("%s: sample %s: box %zu: \"detection_name\" missing", path, token, k);
  b->cls = pprt_nusc_class_index(json_object_get_string(e));
  if (b->cls < 0)
    return BAD("%s: sample %s: box %zu: unknown detection_name '%s'", path, token, k, json_object_get_string(e));
  double d = -1.0;
  if (get_number(o, "detection_score", &d, &present))
    return BAD("%s: sample %s: box %zu: \"detection_score\" must be a number", path, token, k);
  if (present && !isfinite(d))
    return BAD("%s: sample %s: box %zu: \"detection_score\" is %g; it must be a finite number (the nuScenes devkit "
               "refuses NaN scores)", path, token, k, d);
  b->score = present ? d : -1.0; /* double: 0.50000001 and 0.5 must not tie */
  int finite = 1;
  for (int i = 0; i < 4; ++i) finite = finite && isfinite(b->rotation[i]) && (i == 3 || isfinite(b->translation[i]));
  if (!finite)
    return BAD("%s: sample %s: box %zu: \"translation\" and \"rotation\" must be finite", path, token, k);
  if (json_object_object_get_ex(o, "attribute_name", &e) && e != NULL) {
    if (!json_object_is_type(e, json_type_string))
      return BAD("%s: sample %s: box %zu: \"attribute_name\" must be a string", path, token, k);
    snprintf(b->attribute, sizeof b->attribute, "%s", json_object_get_string(e));
  }
  const char* pts_keys[2] = {"num_lidar_pts", "num_pts"};
  for (int i = 0; i < 2; ++i) {
    if (get_number(o, pts_keys[i], &d, &present))
      return BAD("%s: sample %s: box %zu: \"%s\" must be a number", path, token, k, pts_keys[i]);
    if (present && isfinite(d)) b->num_pts = d < 0 ? -1 : d > 2e9 ? 2000000000 : (int32_t)d;
  }
  if (get_number(o, "ego_dist", &d, &present))
    return BAD("%s: sample %s: box %zu: \"ego_dist\" must be a number", path, token, k);
  if (present) b->ego_dist = d;
  if (get_numbers(o, "ego_translation", v3, 3, 0, &present))
    return BAD("%s: sample %s: box %zu: \"ego_translation\" must be 3 numbers", path, token, k);
  if (present && !isfinite(b->ego_dist)) b->ego_dist = hypot(v3[0], v3[1]);
#undef BAD
  return PPRT_STATUS_OK;
}

static enum pprt_status parse_pose(const char* path, const char* token, struct json_object* o, struct pprt_pose* p,
                                   struct pprt_err* err) {
  int pr1, pr2;
  if (!json_object_is_type(o, json_type_object) || get_numbers(o, "translation", p->translation, 3, 0, &pr1) ||
      get_numbers(o, "rotation", p->rotation, 4, 0, &pr2) || !pr1 || !pr2)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                     "%s: ego pose of sample %s needs \"translation\" (3 numbers) and \"rotation\" (4 numbers)", path,
                     token);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_detset_load(const char* path, pprt_detset_t** out) {
  struct pprt_err err;
  if (path == NULL || out == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_load: NULL argument"), &err);
  *out = NULL;
  struct json_object* root = NULL;
  enum pprt_status st = pprt_json_load(path, &root, &err);
  if (st) return api_fail(st, &err);
  pprt_detset_t* set = calloc(1, sizeof *set);
  struct json_object* results = NULL;
  if (set == NULL) {
    st = pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  } else if (!json_object_is_type(root, json_type_object) ||
             !json_object_object_get_ex(root, "results", &results) ||
             !json_object_is_type(results, json_type_object)) {
    st = pprt_fail(&err, PPRT_STATUS_PARSE_ERROR,
                   "%s: not a nuScenes detection-results file (needs an object \"results\": {sample_token: [boxes]})",
                   path);
  }
  if (st == PPRT_STATUS_OK) {
    json_object_object_foreach(results, token, boxes) {
      uint32_t si = 0;
      if ((st = sample_index(set, token, &si, &err)) != PPRT_STATUS_OK) break;
      if (!json_object_is_type(boxes, json_type_array)) {
        st = pprt_fail(&err, PPRT_STATUS_PARSE_ERROR, "%s: sample %s: the boxes must be a list", path, token);
        break;
      }
      size_t n = json_object_array_length(boxes);
      for (size_t k = 0; k < n && st == PPRT_STATUS_OK; ++k) {
        struct pprt_det_box b;
        st = parse_box(path, token, k, json_object_array_get_idx(boxes, k), &b, &err);
        if (st == PPRT_STATUS_OK) st = add_boxes(set, si, &b, 1, &err);
      }
      if (st) break;
    }
  }
  struct json_object* poses = NULL;
  if (st == PPRT_STATUS_OK && json_object_object_get_ex(root, "ego_poses", &poses)) {
    if (!json_object_is_type(poses, json_type_object)) {
      st = pprt_fail(&err, PPRT_STATUS_PARSE_ERROR, "%s: \"ego_poses\" must be an object {sample_token: pose}", path);
    } else {
      json_object_object_foreach(poses, token, pose) {
        uint32_t si = 0;
        if ((st = sample_index(set, token, &si, &err)) != PPRT_STATUS_OK) break;
        if ((st = parse_pose(path, token, pose, &set->s[si].pose, &err)) != PPRT_STATUS_OK) break;
        set->s[si].has_pose = 1;
      }
    }
  }
  json_object_put(root);
  if (st) {
    pprt_detset_destroy(set);
    return api_fail(st, &err);
  }
  *out = set;
  return PPRT_STATUS_OK;
}

/* ---- writing */

static void put_vec(FILE* f, const double* v, int n) {
  fputc('[', f);
  for (int i = 0; i < n; ++i) {
    if (i) fputs(", ", f);
    pprt_json_put_double(f, v[i]);
  }
  fputc(']', f);
}

static enum pprt_status close_file(FILE* f, const char* path, struct pprt_err* err) {
  int bad = ferror(f);
  if (fclose(f) != 0 || bad) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: write error", path);
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_detset_write(const pprt_detset_t* set, const char* path, const char* meta_json,
                                   int with_extras) {
  struct pprt_err err;
  if (set == NULL || path == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_write: NULL argument"), &err);
  FILE* f = fopen(path, "w");
  if (f == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: cannot write: %s", path, strerror(errno)), &err);
  fprintf(f, "{\"meta\": %s,\n\"results\": {",
          meta_json ? meta_json
                    : "{\"use_camera\": false, \"use_lidar\": true, \"use_radar\": false, \"use_map\": false, "
                      "\"use_external\": false}");
  for (uint32_t i = 0; i < set->n; ++i) {
    const struct ds_sample* s = &set->s[i];
    fprintf(f, "%s\n", i ? "," : "");
    put_json_string(f, s->token);
    fputs(": [", f);
    for (uint32_t k = 0; k < s->n; ++k) {
      const struct pprt_det_box* b = &s->boxes[k];
      fprintf(f, "%s\n  {\"sample_token\": ", k ? "," : "");
      put_json_string(f, s->token);
      fputs(", \"translation\": ", f);
      put_vec(f, b->translation, 3);
      fputs(", \"size\": ", f);
      put_vec(f, b->size, 3);
      fputs(", \"rotation\": ", f);
      put_vec(f, b->rotation, 4);
      fputs(", \"velocity\": ", f);
      put_vec(f, b->velocity, 2);
      fprintf(f, ", \"detection_name\": \"%s\", \"detection_score\": ",
              pprt_nusc_class_name(b->cls) ? pprt_nusc_class_name(b->cls) : "");
      pprt_json_put_double(f, b->score);
      fputs(", \"attribute_name\": ", f);
      put_json_string(f, b->attribute);
      if (with_extras && b->num_pts >= 0) fprintf(f, ", \"num_lidar_pts\": %d", b->num_pts);
      if (with_extras && isfinite(b->ego_dist)) {
        fputs(", \"ego_dist\": ", f);
        pprt_json_put_double(f, b->ego_dist);
      }
      fputc('}', f);
    }
    fputs(s->n ? "\n]" : "]", f);
  }
  fputs("\n}", f);
  int any_pose = 0;
  for (uint32_t i = 0; i < set->n; ++i) {
    const struct ds_sample* s = &set->s[i];
    if (!s->has_pose) continue;
    fprintf(f, "%s\n", any_pose ? "," : ",\n\"ego_poses\": {");
    put_json_string(f, s->token);
    fputs(": {\"translation\": ", f);
    put_vec(f, s->pose.translation, 3);
    fputs(", \"rotation\": ", f);
    put_vec(f, s->pose.rotation, 4);
    fputc('}', f);
    any_pose = 1;
  }
  if (any_pose) fputs("\n}", f);
  fputs("}\n", f);
  enum pprt_status st = close_file(f, path, &err);
  return st ? api_fail(st, &err) : st;
}

enum pprt_status pprt_detset_write_contest(const pprt_detset_t* set, const char* path) {
  struct pprt_err err;
  if (set == NULL || path == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_detset_write_contest: NULL argument"), &err);
  FILE* f = fopen(path, "w");
  if (f == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: cannot write: %s", path, strerror(errno)), &err);
  fputc('{', f);
  for (uint32_t i = 0; i < set->n; ++i) {
    const struct ds_sample* s = &set->s[i];
    fprintf(f, "%s\n", i ? "," : "");
    put_json_string(f, s->token);
    fputs(": {", f);
    for (int group = 0; group < 2; ++group) {
      fprintf(f, "%s\"%s\": [", group ? ", " : "", group ? "pedestrian" : "vehicle");
      int first = 1;
      for (uint32_t k = 0; k < s->n; ++k) {
        const struct pprt_det_box* b = &s->boxes[k];
        int g = b->cls >= 0 && b->cls <= 4 ? 0 : b->cls == 7 ? 1 : -1;
        if (g != group) continue;
        double v[3] = {b->translation[0], b->translation[1], b->score};
        fputs(first ? "" : ", ", f);
        put_vec(f, v, 3);
        first = 0;
      }
      fputc(']', f);
    }
    fputc('}', f);
  }
  fputs("\n}\n", f);
  enum pprt_status st = close_file(f, path, &err);
  return st ? api_fail(st, &err) : st;
}

/* ------------------------------------------------------------------ lidar-frame box files */

enum pprt_status pprt_boxes_write_vai(const char* path, const struct pprt_box* boxes, uint32_t n) {
  struct pprt_err err;
  if (path == NULL || (n && boxes == NULL))
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_boxes_write_vai: NULL argument"), &err);
  FILE* f = fopen(path, "w");
  if (f == NULL)
    return api_fail(pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: cannot write: %s", path, strerror(errno)), &err);
  for (uint32_t i = 0; i < n; ++i) {
    const struct pprt_box* b = &boxes[i];
    /* %.9g: every float reads back exactly */
    fprintf(f, "%.9g %.9g %.9g %.9g %.9g %.9g %.9g %.9g %.9g %d %.9g\n", (double)b->x, (double)b->y, (double)b->z,
            (double)b->w, (double)b->l, (double)b->h, (double)b->yaw, (double)b->vx, (double)b->vy, b->label,
            (double)b->score);
  }
  enum pprt_status st = close_file(f, path, &err);
  return st ? api_fail(st, &err) : st;
}

/* KITTI models: the line Vitis AI's KITTI PointPillars programs print (docs/KITTI.md, "Output"). */
enum pprt_status pprt_boxes_write_kitti(const char* path, const struct pprt_box* boxes, uint32_t n) {
  struct pprt_err err;
  err.msg[0] = '\0';
  enum pprt_status st = PPRT_STATUS_OK;
  FILE* f = NULL;
  if (path == NULL || (n && boxes == NULL))
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_boxes_write_kitti: NULL argument");
  else if ((f = fopen(path, "w")) == NULL)
    st = pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: cannot write: %s", path, strerror(errno));
  for (uint32_t i = 0; st == PPRT_STATUS_OK && i < n; ++i) {
    const struct pprt_box* b = &boxes[i];
    /* the line Vitis AI's KITTI PointPillars programs print (docs/KITTI.md, "Output") */
    if (fprintf(f, "%d     %11.6f %.6f %.6f %.6f %.6f %.6f %.6f     %.6f\n", b->label, (double)b->x, (double)b->y,
                (double)b->z, (double)b->w, (double)b->l, (double)b->h, (double)b->yaw, (double)b->score) < 0)
      st = pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: write error", path);
  }
  if (f != NULL && fclose(f) != 0 && st == PPRT_STATUS_OK)
    st = pprt_fail(&err, PPRT_STATUS_IO_ERROR, "%s: write error: %s", path, strerror(errno));
  if (st) pprt_set_last_error(err.msg);
  return st;
}

static enum pprt_status load_vai(const char* path, FILE* f, struct pprt_box* boxes, uint32_t max, uint32_t* num,
                                 struct pprt_err* err) {
  char line[1024];
  uint32_t n = 0;
  unsigned lineno = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    ++lineno;
    char* p = line;
    while (*p == ' ' || *p == '\t') ++p;
    if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '#') continue;
    double v[11];
    char* end = p;
    for (int i = 0; i < 11; ++i) {
      char* s = end;
      v[i] = strtod(s, &end);
      if (end == s) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%u: expected 11 numbers (x y z w l h yaw vx vy label score)", path, lineno);
    }
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') ++end;
    if (*end != '\0')
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%u: more than 11 fields", path, lineno);
    if (v[9] != floor(v[9]) || v[9] < 0 || v[9] > 1e6)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%u: label must be a non-negative integer", path, lineno);
    if (n >= max) return pprt_fail(err, PPRT_STATUS_CAPACITY, "%s: more than %u boxes", path, max);
    struct pprt_box* b = &boxes[n++];
    b->x = (float)v[0]; b->y = (float)v[1]; b->z = (float)v[2]; b->w = (float)v[3]; b->l = (float)v[4];
    b->h = (float)v[5]; b->yaw = (float)v[6]; b->vx = (float)v[7]; b->vy = (float)v[8]; b->label = (int32_t)v[9];
    b->score = (float)v[10];
  }
  *num = n;
  return PPRT_STATUS_OK;
}

static enum pprt_status load_json_boxes(const char* path, struct pprt_box* boxes, uint32_t max, uint32_t* num,
                                        struct pprt_err* err) {
  struct json_object* root = NULL;
  enum pprt_status st = pprt_json_load(path, &root, err);
  if (st) return st;
  struct json_object* arr = NULL;
  if (!json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "boxes", &arr) ||
      !json_object_is_type(arr, json_type_array)) {
    json_object_put(root);
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: no \"boxes\" list (pprt run --json output expected)", path);
  }
  size_t n = json_object_array_length(arr);
  if (n > max) st = pprt_fail(err, PPRT_STATUS_CAPACITY, "%s: %zu boxes, more than %u", path, n, max);
  for (size_t i = 0; i < n && st == PPRT_STATUS_OK; ++i) {
    struct json_object* o = json_object_array_get_idx(arr, i);
    struct json_object* e = NULL;
    double v[9], score = 0, label = 0;
    int present = 0, p2 = 0;
    if (!json_object_is_type(o, json_type_object) || get_numbers(o, "box", v, 9, 1, &present) || !present ||
        get_number(o, "score", &score, &p2) || !p2) {
      st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: box %zu needs \"box\" (9 numbers) and \"score\"", path, i);
      break;
    }
    if (get_number(o, "label_id", &label, &p2) || !p2) {
      /* no label_id: a detection class name */
      int c = json_object_object_get_ex(o, "label", &e) && json_object_is_type(e, json_type_string)
                  ? pprt_nusc_class_index(json_object_get_string(e))
                  : -1;
      if (c < 0) {
        st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: box %zu needs \"label_id\" or a class \"label\"", path, i);
        break;
      }
      label = c;
    }
    if (!(label >= 0 && label <= 1e6 && label == floor(label))) { /* same rule as the VAI-L text */
      st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: box %zu: \"label_id\" %g must be an integer in 0..1000000",
                     path, i, label);
      break;
    }
    struct pprt_box* b = &boxes[i];
    b->x = (float)v[0]; b->y = (float)v[1]; b->z = (float)v[2]; b->w = (float)v[3]; b->l = (float)v[4];
    b->h = (float)v[5]; b->yaw = (float)v[6]; b->vx = (float)v[7]; b->vy = (float)v[8];
    b->score = (float)score;
    b->label = (int32_t)label;
  }
  json_object_put(root);
  if (st == PPRT_STATUS_OK) *num = (uint32_t)n;
  return st;
}

enum pprt_status pprt_boxes_load(const char* path, struct pprt_box* boxes, uint32_t max_boxes, uint32_t* num_boxes) {
  struct pprt_err err;
  if (path == NULL || num_boxes == NULL || (max_boxes && boxes == NULL))
    return api_fail(pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_boxes_load: NULL argument"), &err);
  *num_boxes = 0;
  FILE* f = NULL;
  enum pprt_status ost = pprt_fopen_regular(path, &f, NULL, &err);
  if (ost) return api_fail(ost, &err);
  int c;
  do c = fgetc(f);
  while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
  enum pprt_status st;
  if (c == '{') {
    fclose(f);
    st = load_json_boxes(path, boxes, max_boxes, num_boxes, &err);
  } else {
    rewind(f);
    st = load_vai(path, f, boxes, max_boxes, num_boxes, &err);
    fclose(f);
  }
  return st ? api_fail(st, &err) : st;
}
