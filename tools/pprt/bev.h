/* A small RGB canvas for bird's-eye pictures: points, lines, text (built-in 5x7 font), PNG output (libpng). */
#ifndef PPRT_TOOLS_BEV_H
#define PPRT_TOOLS_BEV_H

#include <stdint.h>

struct bev_canvas {
  int w, h;
  uint8_t* rgb; /* w * h * 3 */
};

int bev_create(struct bev_canvas* c, int w, int h, uint32_t background);
void bev_free(struct bev_canvas* c);
/* colour 0xRRGGBB, alpha 0..255 */
void bev_pixel(struct bev_canvas* c, int x, int y, uint32_t color, int alpha);
void bev_fill_rect(struct bev_canvas* c, int x0, int y0, int x1, int y1, uint32_t color, int alpha);
void bev_line(struct bev_canvas* c, double x0, double y0, double x1, double y1, uint32_t color, int thickness);
/* 5x7 font scaled by `scale`; returns the width drawn in pixels. Unknown characters draw as a box. */
int bev_text(struct bev_canvas* c, int x, int y, const char* s, uint32_t color, int scale);
int bev_text_width(const char* s, int scale);
/* Place src at (x, y) in dst. */
void bev_blit(struct bev_canvas* dst, const struct bev_canvas* src, int x, int y);
/* 0 on success; on failure a message in err. */
int bev_write_png(const struct bev_canvas* c, const char* path, char* err, int err_len);
/* Height colour map (blue -> cyan -> green -> yellow -> red) for t in [0, 1]. */
uint32_t bev_colormap(double t);

#endif
