/* pprt run --display: frames on the board's display (display.h). */
#include "display.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void pprt_display_options_init(struct pprt_display_options* o) {
  memset(o, 0, sizeof *o);
  o->card = -1;
  o->range = 54.0;
}

static enum pprt_status open_on(struct pprt_display* d, const struct kms_ops* ops, void* ctx,
                                const struct pprt_display_options* o, char* err, size_t err_cap) {
  enum pprt_status st = kms_open(&d->kms, ops, ctx, o->connector, BEV_BACKGROUND, err, err_cap);
  if (st) return st;
  const struct kms_mode* m = &d->kms.choice.mode;
  int side = (int)(m->w < m->h ? m->w : m->h);
  d->view.range = o->range >= 5 && o->range <= 200 ? o->range : 54.0;
  d->view.size = side;
  d->panel_x = ((int)m->w - side) / 2;
  d->panel_y = ((int)m->h - side) / 2;
  d->frames = 0;
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_display_open_ops(struct pprt_display* d, const struct kms_ops* ops, void* ctx,
                                       const struct pprt_display_options* o, char* err, size_t err_cap) {
  memset(d, 0, sizeof *d);
  d->drm.fd = -1; /* no card of ours to close */
  return open_on(d, ops, ctx, o, err, err_cap);
}

enum pprt_status pprt_display_open(struct pprt_display* d, const struct pprt_display_options* o, char* err,
                                   size_t err_cap) {
  memset(d, 0, sizeof *d);
  d->drm.fd = -1;
  enum pprt_status st = kms_drm_open(&d->drm, o->root, o->card, err, err_cap);
  if (st) return st;
  st = open_on(d, &kms_drm_ops, &d->drm, o, err, err_cap);
  if (st) {
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", err);
    snprintf(err, err_cap, "%s: %s", d->drm.path, tmp);
    kms_drm_close(&d->drm);
    memset(&d->kms, 0, sizeof d->kms);
  }
  return st;
}

enum pprt_status pprt_display_show(struct pprt_display* d, const struct pprt_sweep* sw, uint32_t nsw,
                                   const struct bev_box* det, uint32_t ndet, const char* title, char* err,
                                   size_t err_cap) {
  const struct kms_fb* fb = kms_back(&d->kms);
  const struct kms_mode* m = &d->kms.choice.mode;
  struct bev_canvas screen, panel;
  if (d->kms.num_fb != 2 || bev_wrap(&screen, fb->map, (int)m->w, (int)m->h, fb->pitch) != 0) {
    snprintf(err, err_cap, "the display is not open");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  /* the margins stay as kms_open cleared them; only the panel is drawn */
  bev_sub(&panel, &screen, d->panel_x, d->panel_y, d->view.size, d->view.size);
  double t0 = mono_ms();
  bev_draw_scene(&panel, &d->view, sw, nsw, det, ndet, NULL, 0, title);
  double t1 = mono_ms();
  enum pprt_status st = kms_flip(&d->kms, err, err_cap);
  if (st == PPRT_STATUS_OK) {
    d->frames++;
    d->draw_ms_sum += t1 - t0;
    if (t1 - t0 > d->draw_ms_max) d->draw_ms_max = t1 - t0;
    d->flip_ms_sum += mono_ms() - t1;
  }
  return st;
}

void pprt_display_close(struct pprt_display* d) {
  kms_close(&d->kms);
  memset(&d->kms, 0, sizeof d->kms);
  kms_drm_close(&d->drm);
}

void pprt_display_describe(const struct pprt_display* d, char* buf, size_t cap) {
  char name[32];
  const struct kms_choice* c = &d->kms.choice;
  kms_connector_name(c->conn.type, c->conn.type_id, name, sizeof name);
  const char* fmt = d->drm.format == 0 ? "" : d->drm.format == 0x34325258u ? " XRGB8888" : " ARGB8888";
  snprintf(buf, cap, "%s %ux%u@%u%s%s%s", name, c->mode.w, c->mode.h, c->mode.refresh_hz,
           d->drm.path[0] ? " on " : "", d->drm.path, fmt);
}
