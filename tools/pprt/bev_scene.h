/* The bird's-eye picture of one frame, drawn by pprt view (into a PNG) and pprt run --display (into a KMS dumb
 * buffer) with the same code: the grid, the points coloured by height (earlier sweeps moved into the key frame),
 * ground-truth outlines, detections filled by class with a heading tick, the ego vehicle, a 10 m scale bar and a
 * title. */
#ifndef PPRT_TOOLS_BEV_SCENE_H
#define PPRT_TOOLS_BEV_SCENE_H

#include <stddef.h>
#include <stdint.h>

#include "bev.h"
#include "pprt/nusc.h"
#include "pprt/pprt.h"

#define BEV_BACKGROUND 0x14161Bu

/* A box to draw: centre, heading (rad, counter-clockwise from +x), length along the heading, width, colour class
 * (a nuScenes class index; -1: white). */
struct bev_box {
  double x, y, heading, l, w;
  int cls;
};

/* What the panel shows: +-range metres around the ego vehicle on a size x size pixel square. */
struct bev_view {
  double range;
  int size;
};

/* A model's box (lidar frame, yaw as pprt_box) as a box to draw. */
struct bev_box bev_box_from_model(const struct pprt_box* b, int cls);
/* The colour class of a class name: a nuScenes class, or a KITTI class as its nuScenes counterpart (Car -> car,
 * Cyclist -> bicycle, Pedestrian -> pedestrian); -1 for anything else (NULL included). */
int bev_class_of_name(const char* name);
/* 0xRRGGBB of a colour class (white for -1 or out of range). */
uint32_t bev_class_color(int cls);

/* Metres (x forward / right of the panel, y left / up) to pixel coordinates of the panel. */
void bev_to_px(const struct bev_view* v, double x, double y, double* px, double* py);

/* Fill c with the background and draw one frame on it (c is the panel: normally size x size). Any numbers are safe:
 * non-finite points and boxes draw nothing. Allocates nothing. */
void bev_draw_scene(struct bev_canvas* c, const struct bev_view* v, const struct pprt_sweep* sweeps, uint32_t num_sweeps,
                    const struct bev_box* det, uint32_t num_det, const struct bev_box* gt, uint32_t num_gt,
                    const char* title);

/* The panel title pprt view writes: "<file name>: N detections, M gt" (with_det) or "<file name>: M gt objects". */
void bev_scene_title(char* buf, size_t cap, const char* path, int with_det, uint32_t num_det, uint32_t num_gt);

#endif
