/* pprt view: bird's-eye PNG of sweeps with detections (from the model or a box file) and ground truth. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bev.h"
#include "bev_scene.h"
#include "commands.h"
#include "pprt/nusc.h"

#define MAX_PANELS 8
#define MAX_BOXES 4096
#define LEGEND_H 34

static int view_usage(const char* msg, const char* arg) { return pprt_cli_usage("view", msg, arg); }

struct panel {
  const char* sweep;
  const char* info;
  const char* boxes;
  const char* gt;
  struct bev_box det[MAX_BOXES], gtb[MAX_BOXES];
  uint32_t ndet, ngt;
};

/* Ground truth: the repo's .gt.json (instances with box [x, y, z_center, l, w, h, yaw], yaw = heading) or a pprt box
 * file. */
static int load_gt(const char* path, struct bev_box* out, uint32_t* n) {
  struct json_object* root = NULL;
  FILE* f = NULL;
  enum pprt_status st = pprt_file_open(path, &f, NULL); /* a FIFO must not block */
  if (st) {
    fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_last_error());
    return 1;
  }
  int c = fgetc(f);
  while (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = fgetc(f);
  fclose(f);
  if (c == '{' && (st = pprt_nusc_json_load(path, &root))) {
    fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_last_error());
    return 1;
  }
  struct json_object* inst = NULL;
  if (root && json_object_object_get_ex(root, "instances", &inst) && json_object_is_type(inst, json_type_array)) {
    size_t k = json_object_array_length(inst);
    *n = 0;
    for (size_t i = 0; i < k && *n < MAX_BOXES; ++i) {
      struct json_object* o = json_object_array_get_idx(inst, i);
      struct json_object *box = NULL, *lab = NULL;
      double v[7];
      int ok = json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "box", &box) &&
               json_object_is_type(box, json_type_array) && json_object_array_length(box) >= 7;
      for (int j = 0; ok && j < 7; ++j) {
        struct json_object* e = json_object_array_get_idx(box, (size_t)j);
        ok = json_object_is_type(e, json_type_double) || json_object_is_type(e, json_type_int);
        if (ok) v[j] = json_object_get_double(e);
        ok = ok && isfinite(v[j]);
      }
      if (!ok) {
        fprintf(stderr, "pprt view: parse error: %s: instance %zu has no \"box\" list of 7 finite numbers\n", path,
                i);
        json_object_put(root);
        return 1;
      }
      json_object_object_get_ex(o, "label", &lab);
      const char* name = json_object_is_type(lab, json_type_string) ? json_object_get_string(lab) : "";
      struct bev_box b = {v[0], v[1], v[6], v[3], v[4], pprt_nusc_class_index(name)};
      out[(*n)++] = b;
    }
    json_object_put(root);
    return 0;
  }
  struct json_object* boxes = NULL;
  if (root && json_object_object_get_ex(root, "boxes", &boxes) && json_object_is_type(boxes, json_type_array)) {
    /* pprt run --json: the class by its name (label_id is the model's own numbering) */
    size_t k = json_object_array_length(boxes);
    *n = 0;
    for (size_t i = 0; i < k && *n < MAX_BOXES; ++i) {
      struct json_object* o = json_object_array_get_idx(boxes, i);
      struct json_object *box = NULL, *lab = NULL;
      if (!json_object_object_get_ex(o, "box", &box) || !json_object_is_type(box, json_type_array) ||
          json_object_array_length(box) < 7) {
        fprintf(stderr, "pprt view: %s: box %zu has no 7-number \"box\"\n", path, i);
        json_object_put(root);
        return 1;
      }
      struct pprt_box b;
      memset(&b, 0, sizeof b);
      float* fld[7] = {&b.x, &b.y, &b.z, &b.w, &b.l, &b.h, &b.yaw};
      for (int j = 0; j < 7; ++j) *fld[j] = (float)json_object_get_double(json_object_array_get_idx(box, (size_t)j));
      json_object_object_get_ex(o, "label", &lab);
      out[(*n)++] = bev_box_from_model(&b, bev_class_of_name(lab ? json_object_get_string(lab) : ""));
    }
    json_object_put(root);
    return 0;
  }
  json_object_put(root);
  static struct pprt_box tmp[MAX_BOXES];
  st = pprt_boxes_load(path, tmp, MAX_BOXES, n);
  if (st) {
    fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_last_error());
    return 1;
  }
  for (uint32_t i = 0; i < *n; ++i) out[i] = bev_box_from_model(&tmp[i], tmp[i].label);
  return 0;
}

int pprt_cmd_view(int argc, char** argv) {
  static struct panel panels[MAX_PANELS];
  memset(panels, 0, sizeof panels);
  int np = 0, nboxes = 0, ngt = 0;
  const char *model = NULL, *out = NULL, *runner = NULL, *runner_lib = NULL;
  struct bev_view v = {54.0, 900};
  for (int i = 1; i < argc; ++i) {
    const char* o = argv[i];
    int has = i + 1 < argc;
    if (strcmp(o, "--model") == 0 && has) model = argv[++i];
    else if (strcmp(o, "--runner") == 0 && has) runner = argv[++i];
    else if (strcmp(o, "--runner-lib") == 0 && has) runner_lib = argv[++i];
    else if ((strcmp(o, "-o") == 0 || strcmp(o, "--out") == 0) && has) out = argv[++i];
    else if (strcmp(o, "--boxes") == 0 && has) {
      if (nboxes >= MAX_PANELS) return view_usage("too many %s", o);
      panels[nboxes++].boxes = argv[++i];
    } else if (strcmp(o, "--gt") == 0 && has) {
      if (ngt >= MAX_PANELS) return view_usage("too many %s", o);
      panels[ngt++].gt = argv[++i];
    } else if (strcmp(o, "--info") == 0 && has) {
      if (np >= MAX_PANELS) return view_usage("at most 8 frames, got more at '%s'", argv[i + 1]);
      panels[np++].info = argv[++i];
    } else if (strcmp(o, "--range") == 0 && has) {
      v.range = strtod(argv[++i], NULL);
      if (!(v.range >= 5 && v.range <= 200)) return view_usage("--range must be 5..200 m, got '%s'", argv[i]);
    } else if (strcmp(o, "--size") == 0 && has) {
      v.size = atoi(argv[++i]);
      if (v.size < 200 || v.size > 4000) return view_usage("--size must be 200..4000 pixels, got '%s'", argv[i]);
    } else if (o[0] == '-') {
      return view_usage("unknown option or missing value: %s", o);
    } else {
      if (np >= MAX_PANELS) return view_usage("at most 8 frames, got more at '%s'", o);
      panels[np++].sweep = o;
    }
  }
  if (np == 0) return view_usage("%s", "needs a SWEEP file (or --info F)");
  if (out == NULL) return view_usage("%s", "needs -o OUT.png");
  if (model && nboxes) return view_usage("%s", "--model and --boxes exclude each other");
  if (nboxes > np || ngt > np) return view_usage("%s", "more --boxes / --gt than frames");

  pprt_runtime_t* rt = NULL;
  enum pprt_status st;
  if (model) {
    struct pprt_options o;
    pprt_options_init(&o);
    o.model_dir = model;
    o.runner_lib = runner_lib;
    if (runner && pprt_runner_from_string(runner, &o.runner)) return view_usage("bad --runner '%s'", runner);
    if ((st = pprt_runtime_create(&o, &rt))) {
      fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_last_error());
      return 1;
    }
  }
  struct bev_canvas img, pc;
  memset(&img, 0, sizeof img);
  pprt_cloud_t* clouds[10] = {0};
  int rc = 0;
  if (bev_create(&img, v.size * np, v.size + LEGEND_H, BEV_BACKGROUND)) {
    fprintf(stderr, "pprt view: out of memory\n");
    rc = 1;
  }
  for (int i = 0; i < 10 && rc == 0; ++i)
    if ((st = pprt_cloud_create(400000, &clouds[i]))) {
      fprintf(stderr, "pprt view: %s\n", pprt_last_error());
      rc = 1;
    }
  int used[PPRT_NUSC_NUM_CLASSES] = {0}, any_det = 0, any_gt = 0;
  for (int k = 0; k < np && rc == 0; ++k) {
    struct panel* p = &panels[k];
    struct pprt_sweep sw[10];
    uint32_t nsw = 1;
    if (p->info) st = pprt_info_load(p->info, clouds, 10, sw, &nsw);
    else st = pprt_cloud_load(clouds[0], p->sweep, PPRT_FORMAT_AUTO, 0, &sw[0]);
    if (st) {
      fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_last_error());
      rc = 1;
      break;
    }
    if (rt) {
      static struct pprt_box b[MAX_BOXES];
      uint32_t cap = pprt_runtime_max_boxes(rt), n = 0;
      if (cap > MAX_BOXES) cap = MAX_BOXES;
      if ((st = pprt_runtime_run(rt, sw, nsw, b, cap, &n))) {
        fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), pprt_runtime_last_error(rt));
        rc = 1;
        break;
      }
      for (uint32_t i = 0; i < n; ++i)
        p->det[i] = bev_box_from_model(&b[i], bev_class_of_name(pprt_runtime_class_name(rt, (uint32_t)b[i].label)));
      p->ndet = n;
    } else if (p->boxes && (rc = load_gt(p->boxes, p->det, &p->ndet)) != 0) {
      break;
    }
    if (p->gt && (rc = load_gt(p->gt, p->gtb, &p->ngt)) != 0) break;
    for (uint32_t i = 0; i < p->ndet; ++i)
      if (p->det[i].cls >= 0) used[p->det[i].cls] = any_det = 1;
    for (uint32_t i = 0; i < p->ngt; ++i)
      if (p->gtb[i].cls >= 0) used[p->gtb[i].cls] = any_gt = 1;
    char title[160];
    bev_scene_title(title, sizeof title, p->info ? p->info : p->sweep, rt || p->boxes, p->ndet, p->ngt);
    bev_sub(&pc, &img, k * v.size, 0, v.size, v.size); /* the panel, drawn in place */
    bev_draw_scene(&pc, &v, sw, nsw, p->det, p->ndet, p->gtb, p->ngt, title);
    if (k) bev_fill_rect(&img, k * v.size, 0, k * v.size + 2, v.size, 0x50555F, 255);
  }
  if (rc == 0) {
    /* legend: classes seen, then what outline / fill mean, then the height colours */
    int x = 12, y = v.size + 10;
    for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
      if (!used[c]) continue;
      bev_fill_rect(&img, x, y, x + 14, y + 14, bev_class_color(c), 255);
      x += 20;
      x += bev_text(&img, x, y + 4, pprt_nusc_class_name(c), 0xE0E0E0, 1) + 12;
    }
    const char* key = any_det && any_gt ? "filled: detections, outline: ground truth"
                      : any_gt         ? "outline: ground truth, tick: heading"
                                       : "filled: detections, tick: heading";
    x += bev_text(&img, x + 8, y + 4, key, 0xB0B0B0, 1) + 24;
    if (x + 170 < img.w) {
      bev_text(&img, x, y + 4, "z -2.5", 0xB0B0B0, 1);
      for (int i = 0; i < 100; ++i) bev_fill_rect(&img, x + 40 + i, y + 2, x + 41 + i, y + 12, bev_colormap(i / 99.0), 255);
      bev_text(&img, x + 146, y + 4, "2 m", 0xB0B0B0, 1);
    }
    char err[256];
    if (bev_write_png(&img, out, err, sizeof err) != 0) {
      fprintf(stderr, "pprt view: I/O error: %s\n", err);
      rc = 1;
    } else {
      printf("wrote %s (%dx%d, %d frame%s)\n", out, img.w, img.h, np, np == 1 ? "" : "s");
    }
  }
  for (int i = 0; i < 10; ++i) pprt_cloud_destroy(clouds[i]);
  bev_free(&img);
  pprt_runtime_destroy(rt);
  return rc;
}
