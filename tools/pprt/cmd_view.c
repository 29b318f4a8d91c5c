/* pprt view: bird's-eye PNG of sweeps with detections (from the model or a box file) and ground truth. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bev.h"
#include "commands.h"
#include "core/fileio.h"
#include "../nusc/nusc_internal.h"
#include "pprt/nusc.h"

#define MAX_PANELS 8
#define MAX_BOXES 4096
#define LEGEND_H 34

static const uint32_t k_class_color[PPRT_NUSC_NUM_CLASSES] = {0xFF9F1C, 0xE63946, 0xB5179E, 0xF72585, 0xFFD166,
                                                              0x06D6A0, 0x3A86FF, 0x4CC9F0, 0xF77F00, 0xC8D6E5};

static int view_usage(const char* msg, const char* arg) { return pprt_cli_usage("view", msg, arg); }

/* A box to draw: centre, heading, length along the heading, width, class (-1 unknown). */
struct vbox {
  double x, y, heading, l, w;
  int cls;
};

struct panel {
  const char* sweep;
  const char* info;
  const char* boxes;
  const char* gt;
  struct vbox det[MAX_BOXES], gtb[MAX_BOXES];
  uint32_t ndet, ngt;
};

static struct vbox from_model_box(const struct pprt_box* b, int cls) {
  struct vbox v = {b->x, b->y, -(double)b->yaw - M_PI / 2.0, b->l, b->w, cls};
  return v;
}

/* Colour class of a model's class name: a nuScenes class, or a KITTI class drawn as its nuScenes counterpart (Car ->
 * car, Cyclist -> bicycle, Pedestrian -> pedestrian); -1 for anything else. */
static int view_class(const char* name) {
  int c = pprt_nusc_class_index(name);
  if (c >= 0) return c;
  static const char* const kitti[3][2] = {{"Car", "car"}, {"Cyclist", "bicycle"}, {"Pedestrian", "pedestrian"}};
  for (int i = 0; i < 3; ++i)
    if (strcmp(name, kitti[i][0]) == 0) return pprt_nusc_class_index(kitti[i][1]);
  return -1;
}

/* Ground truth: the repo's .gt.json (instances with box [x, y, z_center, l, w, h, yaw], yaw = heading) or a pprt box
 * file. */
static int load_gt(const char* path, struct vbox* out, uint32_t* n) {
  struct json_object* root = NULL;
  FILE* f = NULL;
  struct pprt_err err;
  enum pprt_status st = pprt_fopen_regular(path, &f, NULL, &err); /* a FIFO must not block */
  if (st) {
    fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), err.msg);
    return 1;
  }
  int c = fgetc(f);
  while (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = fgetc(f);
  fclose(f);
  if (c == '{' && (st = pprt_json_load(path, &root, &err))) {
    fprintf(stderr, "pprt view: %s: %s\n", pprt_status_str(st), err.msg);
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
      struct vbox b = {v[0], v[1], v[6], v[3], v[4], pprt_nusc_class_index(name)};
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
      out[(*n)++] = from_model_box(&b, view_class(lab ? json_object_get_string(lab) : ""));
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
  for (uint32_t i = 0; i < *n; ++i) out[i] = from_model_box(&tmp[i], tmp[i].label);
  return 0;
}

struct view {
  double range;
  int size;
};

static void to_px(const struct view* v, double x, double y, double* px, double* py) {
  *px = (x + v->range) / (2 * v->range) * v->size;
  *py = (v->range - y) / (2 * v->range) * v->size;
}

static void draw_box(struct bev_canvas* c, const struct view* v, const struct vbox* b, int filled) {
  uint32_t col = b->cls >= 0 && b->cls < PPRT_NUSC_NUM_CLASSES ? k_class_color[b->cls] : 0xFFFFFF;
  double ch = cos(b->heading), sh = sin(b->heading);
  double cx[4], cy[4];
  const double sx[4] = {1, 1, -1, -1}, sy[4] = {1, -1, -1, 1};
  for (int k = 0; k < 4; ++k) {
    double lx = sx[k] * b->l / 2, ly = sy[k] * b->w / 2;
    to_px(v, b->x + lx * ch - ly * sh, b->y + lx * sh + ly * ch, &cx[k], &cy[k]);
  }
  if (filled) { /* translucent fill: scan the box's pixel bounds */
    double minx = fmin(fmin(cx[0], cx[1]), fmin(cx[2], cx[3])), maxx = fmax(fmax(cx[0], cx[1]), fmax(cx[2], cx[3]));
    double miny = fmin(fmin(cy[0], cy[1]), fmin(cy[2], cy[3])), maxy = fmax(fmax(cy[0], cy[1]), fmax(cy[2], cy[3]));
    for (int py = (int)floor(miny); py <= (int)ceil(maxy); ++py)
      for (int px = (int)floor(minx); px <= (int)ceil(maxx); ++px) {
        int inside = 1;
        for (int k = 0; k < 4 && inside; ++k) {
          int j = (k + 1) % 4;
          double cr = (cx[j] - cx[k]) * (py - cy[k]) - (cy[j] - cy[k]) * (px - cx[k]);
          if (cr > 0) inside = 0; /* corners run clockwise on screen */
        }
        if (inside) bev_pixel(c, px, py, col, 90);
      }
  }
  int t = filled ? 2 : 1;
  for (int k = 0; k < 4; ++k) bev_line(c, cx[k], cy[k], cx[(k + 1) % 4], cy[(k + 1) % 4], col, t);
  double mx, my, fx, fy;
  to_px(v, b->x, b->y, &mx, &my);
  to_px(v, b->x + ch * b->l / 2, b->y + sh * b->l / 2, &fx, &fy);
  bev_line(c, mx, my, fx, fy, col, t);
}

static int draw_panel(struct bev_canvas* c, const struct view* v, const struct pprt_sweep* sw, uint32_t nsw,
                      const struct panel* p, const char* title) {
  /* grid every 10 m, rings at 25 / 50 m */
  for (int m = -(int)(v->range / 10) * 10; m <= v->range; m += 10) {
    double a, b, e, f;
    to_px(v, m, -v->range, &a, &b);
    to_px(v, m, v->range, &e, &f);
    bev_line(c, a, b, e, f, m == 0 ? 0x3A3F4B : 0x262A33, 1);
    to_px(v, -v->range, m, &a, &b);
    to_px(v, v->range, m, &e, &f);
    bev_line(c, a, b, e, f, m == 0 ? 0x3A3F4B : 0x262A33, 1);
  }
  for (uint32_t s = 0; s < nsw; ++s) {
    const struct pprt_sweep* w = &sw[s];
    for (uint32_t i = 0; i < w->num_points; ++i) {
      const float* q = w->points + (size_t)i * w->point_stride;
      double x = q[0], y = q[1], z = q[2];
      if (s > 0) {
        double X = w->rotation[0] * x + w->rotation[1] * y + w->rotation[2] * z + w->translation[0];
        double Y = w->rotation[3] * x + w->rotation[4] * y + w->rotation[5] * z + w->translation[1];
        double Z = w->rotation[6] * x + w->rotation[7] * y + w->rotation[8] * z + w->translation[2];
        x = X, y = Y, z = Z;
      }
      if (!(fabs(x) < v->range && fabs(y) < v->range)) continue;
      double px, py;
      to_px(v, x, y, &px, &py);
      bev_pixel(c, (int)px, (int)py, bev_colormap((z + 2.5) / 4.5), s ? 120 : 230);
    }
  }
  for (uint32_t i = 0; i < p->ngt; ++i) draw_box(c, v, &p->gtb[i], 0);
  for (uint32_t i = 0; i < p->ndet; ++i) draw_box(c, v, &p->det[i], 1);
  /* ego */
  double ex, ey;
  to_px(v, 0, 0, &ex, &ey);
  bev_fill_rect(c, (int)ex - 2, (int)ey - 2, (int)ex + 3, (int)ey + 3, 0xFFFFFF, 255);
  /* scale bar: 10 m */
  double a, b, e, f;
  to_px(v, -v->range, -v->range, &a, &b);
  to_px(v, -v->range + 10, -v->range, &e, &f);
  int y0 = c->h - 18, x0 = 12;
  bev_fill_rect(c, x0, y0, x0 + (int)(e - a), y0 + 4, 0xFFFFFF, 255);
  bev_text(c, x0 + (int)(e - a) + 6, y0 - 4, "10 m", 0xFFFFFF, 2);
  char grid[64];
  snprintf(grid, sizeof grid, "grid 10 m, +-%g m", v->range);
  bev_text(c, 12, 10, title, 0xFFFFFF, bev_text_width(title, 2) + 24 < c->w ? 2 : 1);
  bev_text(c, 12, 30, grid, 0xB0B0B0, 1);
  return 0;
}

int pprt_cmd_view(int argc, char** argv) {
  static struct panel panels[MAX_PANELS];
  memset(panels, 0, sizeof panels);
  int np = 0, nboxes = 0, ngt = 0;
  const char *model = NULL, *out = NULL, *runner = NULL, *runner_lib = NULL;
  struct view v = {54.0, 900};
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
  struct bev_canvas img = {0, 0, NULL}, pc = {0, 0, NULL};
  pprt_cloud_t* clouds[10] = {0};
  int rc = 0;
  if (bev_create(&img, v.size * np, v.size + LEGEND_H, 0x14161B) || bev_create(&pc, v.size, v.size, 0x14161B)) {
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
        p->det[i] = from_model_box(&b[i], view_class(pprt_runtime_class_name(rt, (uint32_t)b[i].label)));
      p->ndet = n;
    } else if (p->boxes && (rc = load_gt(p->boxes, p->det, &p->ndet)) != 0) {
      break;
    }
    if (p->gt && (rc = load_gt(p->gt, p->gtb, &p->ngt)) != 0) break;
    for (uint32_t i = 0; i < p->ndet; ++i)
      if (p->det[i].cls >= 0) used[p->det[i].cls] = any_det = 1;
    for (uint32_t i = 0; i < p->ngt; ++i)
      if (p->gtb[i].cls >= 0) used[p->gtb[i].cls] = any_gt = 1;
    memset(pc.rgb, 0, 0);
    bev_fill_rect(&pc, 0, 0, pc.w, pc.h, 0x14161B, 255);
    char title[160];
    const char* name = p->info ? p->info : p->sweep;
    const char* slash = strrchr(name, '/');
    if (rt || p->boxes) snprintf(title, sizeof title, "%s: %u detections, %u gt", slash ? slash + 1 : name, p->ndet, p->ngt);
    else snprintf(title, sizeof title, "%s: %u gt objects", slash ? slash + 1 : name, p->ngt);
    draw_panel(&pc, &v, sw, nsw, p, title);
    bev_blit(&img, &pc, k * v.size, 0);
    if (k) bev_fill_rect(&img, k * v.size, 0, k * v.size + 2, v.size, 0x50555F, 255);
  }
  if (rc == 0) {
    /* legend: classes seen, then what outline / fill mean, then the height colours */
    int x = 12, y = v.size + 10;
    for (int c = 0; c < PPRT_NUSC_NUM_CLASSES; ++c) {
      if (!used[c]) continue;
      bev_fill_rect(&img, x, y, x + 14, y + 14, k_class_color[c], 255);
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
  bev_free(&pc);
  pprt_runtime_destroy(rt);
  return rc;
}
