/* pprt run --display: each frame's bird's-eye view (bev_scene.h, the drawing of pprt view) on the board's display
 * through KMS (kms.h). Everything is sized by pprt_display_open; showing a frame allocates nothing. */
#ifndef PPRT_TOOLS_DISPLAY_H
#define PPRT_TOOLS_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "bev_scene.h"
#include "kms.h"

struct pprt_display_options {
  const char* root;      /* NULL or "/": this system; else a copy of a board's /dev (tests) */
  int card;              /* -1: the first display controller with a display connected; else /dev/dri/card<card> */
  const char* connector; /* NULL: the first connected one; else a name such as "DP-1" or "HDMI-A-1" */
  double range;          /* metres shown each side of the ego vehicle (0: 54, as pprt view) */
};

struct pprt_display {
  struct kms_drm drm;
  struct kms_display kms;
  struct bev_view view;   /* the square panel: min(mode width, height) pixels */
  int panel_x, panel_y;   /* its top-left corner on the screen */
  uint64_t frames;
  double draw_ms_sum, draw_ms_max; /* drawing a frame into the back buffer */
  double flip_ms_sum;              /* from the flip request to its vblank event */
};

void pprt_display_options_init(struct pprt_display_options* o);

/* Open the card, pick the display and set its mode (kms_open). UNAVAILABLE / IO_ERROR / OUT_OF_MEMORY with a
 * message in err; then nothing is left open. */
enum pprt_status pprt_display_open(struct pprt_display* d, const struct pprt_display_options* o, char* err,
                                   size_t err_cap);
/* The same over other operations (tests: an in-memory display). */
enum pprt_status pprt_display_open_ops(struct pprt_display* d, const struct kms_ops* ops, void* ctx,
                                       const struct pprt_display_options* o, char* err, size_t err_cap);

/* Draw one frame into the back buffer (bev_draw_scene, the panel centred, the rest of the screen background) and
 * flip it on screen at the next vblank (kms_flip: waits at most one second). */
enum pprt_status pprt_display_show(struct pprt_display* d, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                                   const struct bev_box* det, uint32_t num_det, const char* title, char* err,
                                   size_t err_cap);

/* Put the screen back as it was and close the card. Safe after a failed open and twice. */
void pprt_display_close(struct pprt_display* d);

/* One line describing the display: "DP-1 1920x1080@60 on /dev/dri/card0 ARGB8888". */
void pprt_display_describe(const struct pprt_display* d, char* buf, size_t cap);

#endif
