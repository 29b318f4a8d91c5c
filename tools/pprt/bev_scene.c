/* One frame's bird's-eye picture, shared by pprt view and pprt run --display (bev_scene.h). */
#include "bev_scene.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const uint32_t k_class_color[PPRT_NUSC_NUM_CLASSES] = {0xFF9F1C, 0xE63946, 0xB5179E, 0xF72585, 0xFFD166,
                                                              0x06D6A0, 0x3A86FF, 0x4CC9F0, 0xF77F00, 0xC8D6E5};

struct bev_box bev_box_from_model(const struct pprt_box* b, int cls) {
  struct bev_box v = {b->x, b->y, -(double)b->yaw - M_PI / 2.0, b->l, b->w, cls};
  return v;
}

int bev_class_of_name(const char* name) {
  if (name == NULL) return -1;
  int c = pprt_nusc_class_index(name);
  if (c >= 0) return c;
  static const char* const kitti[3][2] = {{"Car", "car"}, {"Cyclist", "bicycle"}, {"Pedestrian", "pedestrian"}};
  for (int i = 0; i < 3; ++i)
    if (strcmp(name, kitti[i][0]) == 0) return pprt_nusc_class_index(kitti[i][1]);
  return -1;
}

uint32_t bev_class_color(int cls) {
  return cls >= 0 && cls < PPRT_NUSC_NUM_CLASSES ? k_class_color[cls] : 0xFFFFFFu;
}

void bev_to_px(const struct bev_view* v, double x, double y, double* px, double* py) {
  *px = (x + v->range) / (2 * v->range) * v->size;
  *py = (v->range - y) / (2 * v->range) * v->size;
}

static void draw_box(struct bev_canvas* c, const struct bev_view* v, const struct bev_box* b, int filled) {
  if (!(isfinite(b->x) && isfinite(b->y) && isfinite(b->heading) && isfinite(b->l) && isfinite(b->w))) return;
  if (fabs(b->x) > 1e4 || fabs(b->y) > 1e4 || fabs(b->l) > 1e4 || fabs(b->w) > 1e4) return; /* nowhere near */
  uint32_t col = bev_class_color(b->cls);
  double ch = cos(b->heading), sh = sin(b->heading);
  double cx[4], cy[4];
  const double sx[4] = {1, 1, -1, -1}, sy[4] = {1, -1, -1, 1};
  for (int k = 0; k < 4; ++k) {
    double lx = sx[k] * b->l / 2, ly = sy[k] * b->w / 2;
    bev_to_px(v, b->x + lx * ch - ly * sh, b->y + lx * sh + ly * ch, &cx[k], &cy[k]);
  }
  if (filled) { /* translucent fill: scan the box's pixel bounds, clipped to the canvas */
    double minx = fmax(fmin(fmin(cx[0], cx[1]), fmin(cx[2], cx[3])), -1);
    double maxx = fmin(fmax(fmax(cx[0], cx[1]), fmax(cx[2], cx[3])), c->w);
    double miny = fmax(fmin(fmin(cy[0], cy[1]), fmin(cy[2], cy[3])), -1);
    double maxy = fmin(fmax(fmax(cy[0], cy[1]), fmax(cy[2], cy[3])), c->h);
    for (int py = (int)floor(miny); py <= (int)ceil(maxy); ++py)
      for (int px = (int)floor(minx); px <= (int)ceil(maxx); ++px) {
        /* inside: on the same side of all four edges, whichever way the corners run (the y flip of the screen
         * turns them counter-clockwise; negative sizes turn them back) */
        int pos = 0, neg = 0;
        for (int k = 0; k < 4; ++k) {
          int j = (k + 1) % 4;
          double cr = (cx[j] - cx[k]) * (py - cy[k]) - (cy[j] - cy[k]) * (px - cx[k]);
          pos += cr > 0;
          neg += cr < 0;
        }
        int inside = pos == 0 || neg == 0;
        if (inside) bev_pixel(c, px, py, col, 90);
      }
  }
  int t = filled ? 2 : 1;
  for (int k = 0; k < 4; ++k) bev_line(c, cx[k], cy[k], cx[(k + 1) % 4], cy[(k + 1) % 4], col, t);
  double mx, my, fx, fy;
  bev_to_px(v, b->x, b->y, &mx, &my);
  bev_to_px(v, b->x + ch * b->l / 2, b->y + sh * b->l / 2, &fx, &fy);
  bev_line(c, mx, my, fx, fy, col, t);
}

void bev_draw_scene(struct bev_canvas* c, const struct bev_view* v, const struct pprt_sweep* sw, uint32_t nsw,
                    const struct bev_box* det, uint32_t ndet, const struct bev_box* gt, uint32_t ngt,
                    const char* title) {
  bev_fill_rect(c, 0, 0, c->w, c->h, BEV_BACKGROUND, 255);
  /* grid every 10 m, rings at 25 / 50 m */
  for (int m = -(int)(v->range / 10) * 10; m <= v->range; m += 10) {
    double a, b, e, f;
    bev_to_px(v, m, -v->range, &a, &b);
    bev_to_px(v, m, v->range, &e, &f);
    bev_line(c, a, b, e, f, m == 0 ? 0x3A3F4B : 0x262A33, 1);
    bev_to_px(v, -v->range, m, &a, &b);
    bev_to_px(v, v->range, m, &e, &f);
    bev_line(c, a, b, e, f, m == 0 ? 0x3A3F4B : 0x262A33, 1);
  }
  for (uint32_t s = 0; s < nsw && sw != NULL; ++s) {
    const struct pprt_sweep* w = &sw[s];
    if (w->points == NULL || w->point_stride < 3) continue;
    for (uint32_t i = 0; i < w->num_points; ++i) {
      const float* q = w->points + (size_t)i * w->point_stride;
      double x = q[0], y = q[1], z = q[2];
      if (s > 0) {
        double X = w->rotation[0] * x + w->rotation[1] * y + w->rotation[2] * z + w->translation[0];
        double Y = w->rotation[3] * x + w->rotation[4] * y + w->rotation[5] * z + w->translation[1];
        double Z = w->rotation[6] * x + w->rotation[7] * y + w->rotation[8] * z + w->translation[2];
        x = X, y = Y, z = Z;
      }
      if (!(fabs(x) < v->range && fabs(y) < v->range && isfinite(z))) continue;
      double px, py;
      bev_to_px(v, x, y, &px, &py);
      bev_pixel(c, (int)px, (int)py, bev_colormap((z + 2.5) / 4.5), s ? 120 : 230);
    }
  }
  for (uint32_t i = 0; i < ngt && gt != NULL; ++i) draw_box(c, v, &gt[i], 0);
  for (uint32_t i = 0; i < ndet && det != NULL; ++i) draw_box(c, v, &det[i], 1);
  /* ego */
  double ex, ey;
  bev_to_px(v, 0, 0, &ex, &ey);
  bev_fill_rect(c, (int)ex - 2, (int)ey - 2, (int)ex + 3, (int)ey + 3, 0xFFFFFF, 255);
  /* scale bar: 10 m */
  double a, b, e, f;
  bev_to_px(v, -v->range, -v->range, &a, &b);
  bev_to_px(v, -v->range + 10, -v->range, &e, &f);
  int y0 = c->h - 18, x0 = 12;
  bev_fill_rect(c, x0, y0, x0 + (int)(e - a), y0 + 4, 0xFFFFFF, 255);
  bev_text(c, x0 + (int)(e - a) + 6, y0 - 4, "10 m", 0xFFFFFF, 2);
  char grid[64];
  snprintf(grid, sizeof grid, "grid 10 m, +-%g m", v->range);
  if (title != NULL) bev_text(c, 12, 10, title, 0xFFFFFF, bev_text_width(title, 2) + 24 < c->w ? 2 : 1);
  bev_text(c, 12, 30, grid, 0xB0B0B0, 1);
}

void bev_scene_title(char* buf, size_t cap, const char* path, int with_det, uint32_t ndet, uint32_t ngt) {
  const char* name = path != NULL ? path : "";
  const char* slash = strrchr(name, '/');
  if (slash != NULL) name = slash + 1;
  if (with_det) snprintf(buf, cap, "%s: %u detections, %u gt", name, ndet, ngt);
  else snprintf(buf, cap, "%s: %u gt objects", name, ngt);
}
