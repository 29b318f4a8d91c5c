/* Internal: rotated BEV IoU and greedy NMS for post-processing (docs/DESIGN.md, model contract 7).
 * pprt_bev_iou (declared in stages.h) is the public-for-tests entry point; the NMS below uses exactly the same
 * arithmetic on prepared boxes. */
#ifndef PPRT_IOU_H
#define PPRT_IOU_H

#include <stddef.h>
#include <stdint.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A BEV box prepared for repeated IoU tests (32 bytes; the IoU itself is computed in double): centre, half sizes,
 * c = cos(yaw), s = sin(-yaw) (the clockwise rotation of mmdetection3d 0.x / VAI-L; computed in double, stored
 * rounded), a conservative bounding-circle radius.
 * valid == 0 for boxes with zero area or non-finite values (their IoU with anything is 0). */
struct pprt_bev_prep {
  float cx, cy, hw, hl, c, s, r;
  int32_t valid;
};

void pprt_bev_prepare(const float box[5], struct pprt_bev_prep* p);

/* IoU of two prepared boxes, in [0, 1]; 0 when either is invalid or they do not overlap. */
double pprt_bev_iou_prep(const struct pprt_bev_prep* a, const struct pprt_bev_prep* b);

/* Greedy NMS with a multi-level uniform grid over the kept boxes (levels by box area, since IoU <= min/max area;
 * cells by centre). All buffers are sized at init for `capacity` candidates; pprt_nms_run allocates nothing. */
#define PPRT_NMS_LEVELS 48
#define PPRT_NMS_GRID 64

struct pprt_nms {
  uint32_t capacity;
  double x0, y0;                      /* grid origin; cells outside are clamped to the border cells */
  double cell[PPRT_NMS_LEVELS];       /* cell size per level */
  double rmax[PPRT_NMS_LEVELS];       /* largest radius of a kept box per level */
  uint32_t count[PPRT_NMS_LEVELS];    /* kept boxes per level */
  int32_t lhead[PPRT_NMS_LEVELS];     /* all kept boxes of a level (chain through lnext) */
  int32_t* head;                      /* [LEVELS * GRID * GRID] first kept box of a cell, -1 if none */
  int32_t* next;                      /* [capacity] next kept box in the same cell */
  int32_t* lnext;                     /* [capacity] next kept box in the same level */
  uint32_t* cellid;                   /* [capacity] level * GRID^2 + cell of a kept box; UINT32_MAX if not inserted */
};

/* extent = x_min, y_min, x_max, y_max of where box centres usually are (e.g. the anchor centres). */
enum pprt_status pprt_nms_init(struct pprt_nms* nms, uint32_t capacity, const double extent[4],
                               struct pprt_err* err);
void pprt_nms_free(struct pprt_nms* nms);

/* Greedy NMS over boxes[order[0..n)] (highest priority first): a box is dropped when its IoU with an already kept
 * box is > thresh (suppress_at_equal == 0, mmdet3d) or >= thresh (suppress_at_equal != 0, VAI-L). Kept boxes
 * (values from order) are written to kept in priority order; stops once max_keep boxes are kept.
 * n <= capacity. Returns the number kept. */
uint32_t pprt_nms_run(struct pprt_nms* nms, const struct pprt_bev_prep* boxes, const uint32_t* order, uint32_t n,
                      double thresh, int suppress_at_equal, uint32_t max_keep, uint32_t* kept);

#ifdef __cplusplus
}
#endif
#endif
