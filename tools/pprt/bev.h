/* A bird's-eye canvas: 32-bit pixels 0xFFRRGGBB in a native uint32_t (DRM_FORMAT_XRGB8888 on a little-endian CPU,
 * and ARGB8888 opaque: the ZynqMP display controller's graphics layer takes ARGB8888 where its driver lacks XRGB8888) with a row stride in bytes, in memory it owns (pprt view) or in the caller's (a KMS dumb buffer). Points,
 * lines, text (built-in 5x7 font), PNG output (libpng). */
#ifndef PPRT_TOOLS_BEV_H
#define PPRT_TOOLS_BEV_H

#include <stddef.h>
#include <stdint.h>

struct bev_canvas {
  int w, h;
  size_t stride;  /* bytes from one row to the next (>= 4 * w) */
  uint8_t* base;  /* row 0, pixel 0 */
  void* owned;    /* what bev_free frees (NULL: the caller's memory) */
};

/* A canvas in its own memory, filled with background. 0 on success, -1 when out of memory or w / h out of range. */
int bev_create(struct bev_canvas* c, int w, int h, uint32_t background);
/* A canvas over the caller's pixels (w x h, stride bytes per row); nothing is allocated. -1 if stride < 4 * w. */
int bev_wrap(struct bev_canvas* c, void* pixels, int w, int h, size_t stride);
/* The rectangle (x, y, w, h) of parent, clipped to it, as a canvas sharing parent's pixels. */
void bev_sub(struct bev_canvas* sub, const struct bev_canvas* parent, int x, int y, int w, int h);
void bev_free(struct bev_canvas* c);

static inline uint32_t* bev_row(const struct bev_canvas* c, int y) {
  return (uint32_t*)(void*)(c->base + (size_t)y * c->stride);
}
/* The pixel at (x, y) as 0xRRGGBB; 0 outside the canvas. */
uint32_t bev_get(const struct bev_canvas* c, int x, int y);

/* colour 0xRRGGBB, alpha 0..255 */
void bev_pixel(struct bev_canvas* c, int x, int y, uint32_t color, int alpha);
void bev_fill_rect(struct bev_canvas* c, int x0, int y0, int x1, int y1, uint32_t color, int alpha);
void bev_line(struct bev_canvas* c, double x0, double y0, double x1, double y1, uint32_t color, int thickness);
/* 5x7 font scaled by `scale`; returns the width drawn in pixels. Unknown characters draw as a box. */
int bev_text(struct bev_canvas* c, int x, int y, const char* s, uint32_t color, int scale);
int bev_text_width(const char* s, int scale);
/* 0 on success; on failure a message in err. */
int bev_write_png(const struct bev_canvas* c, const char* path, char* err, int err_len);
/* Height colour map (blue -> cyan -> green -> yellow -> red) for t in [0, 1]. */
uint32_t bev_colormap(double t);

#endif
