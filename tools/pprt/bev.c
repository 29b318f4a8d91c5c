/* Drawing primitives and PNG output of the bird's-eye canvas (pprt view, pprt run --display). */
#include "bev.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bev_create(struct bev_canvas* c, int w, int h, uint32_t bg) {
  memset(c, 0, sizeof *c);
  if (w <= 0 || h <= 0 || w > 65536 || h > 65536) return -1;
  c->owned = malloc((size_t)w * (size_t)h * 4);
  if (c->owned == NULL) return -1;
  c->w = w;
  c->h = h;
  c->stride = (size_t)w * 4;
  c->base = c->owned;
  bev_fill_rect(c, 0, 0, w, h, bg, 255);
  return 0;
}

int bev_wrap(struct bev_canvas* c, void* pixels, int w, int h, size_t stride) {
  memset(c, 0, sizeof *c);
  if (pixels == NULL || w <= 0 || h <= 0 || stride < (size_t)w * 4 || stride % 4 != 0) return -1;
  c->w = w;
  c->h = h;
  c->stride = stride;
  c->base = pixels;
  return 0;
}

void bev_sub(struct bev_canvas* sub, const struct bev_canvas* p, int x, int y, int w, int h) {
  if (x < 0) w += x, x = 0;
  if (y < 0) h += y, y = 0;
  if (x > p->w) x = p->w;
  if (y > p->h) y = p->h;
  if (w > p->w - x) w = p->w - x;
  if (h > p->h - y) h = p->h - y;
  sub->w = w > 0 ? w : 0;
  sub->h = h > 0 ? h : 0;
  sub->stride = p->stride;
  sub->base = p->base + (size_t)y * p->stride + (size_t)x * 4;
  sub->owned = NULL;
}

void bev_free(struct bev_canvas* c) {
  free(c->owned);
  memset(c, 0, sizeof *c);
}

uint32_t bev_get(const struct bev_canvas* c, int x, int y) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return 0;
  return bev_row(c, y)[x] & 0xFFFFFFu;
}

void bev_pixel(struct bev_canvas* c, int x, int y, uint32_t color, int a) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
  uint32_t* p = bev_row(c, y) + x;
  uint32_t old = *p, out = 0xFF000000u; /* opaque: the same picture as XRGB8888 or ARGB8888 */
  for (int sh = 16; sh >= 0; sh -= 8) {
    uint32_t s = (color >> sh) & 255u, d = (old >> sh) & 255u;
    out |= ((s * (uint32_t)a + d * (uint32_t)(255 - a) + 127u) / 255u) << sh;
  }
  *p = out;
}

void bev_fill_rect(struct bev_canvas* c, int x0, int y0, int x1, int y1, uint32_t color, int alpha) {
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > c->w) x1 = c->w;
  if (y1 > c->h) y1 = c->h;
  for (int y = y0; y < y1; ++y) {
    if (alpha >= 255) {
      uint32_t* r = bev_row(c, y);
      for (int x = x0; x < x1; ++x) r[x] = 0xFF000000u | color;
    } else {
      for (int x = x0; x < x1; ++x) bev_pixel(c, x, y, color, alpha);
    }
  }
}

void bev_line(struct bev_canvas* c, double x0, double y0, double x1, double y1, uint32_t color, int t) {
  double dx = x1 - x0, dy = y1 - y0;
  double len = fmax(fabs(dx), fabs(dy));
  if (!(len <= 100000.0) || !isfinite(x0) || !isfinite(y0)) return; /* NaN, inf or absurdly long: nothing */
  int n = (int)ceil(len) + 1;
  int r0 = -(t - 1) / 2, r1 = t / 2;
  for (int i = 0; i <= n; ++i) {
    double fx = x0 + dx * i / n, fy = y0 + dy * i / n;
    if (fabs(fx) > 1e6 || fabs(fy) > 1e6) continue;
    int x = (int)lround(fx), y = (int)lround(fy);
    for (int a = r0; a <= r1; ++a)
      for (int b = r0; b <= r1; ++b) bev_pixel(c, x + a, y + b, color, 255);
  }
}

/* 5x7 glyphs, one byte per row (bit 4 = leftmost column). */
static const char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789 ._-:/()=,+";
static const uint8_t k_glyphs[][7] = {
    {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}, /* a */ {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}, /* b */
    {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}, /* c */ {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}, /* d */
    {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}, /* e */ {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}, /* f */
    {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}, /* g */ {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* h */
    {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}, /* i */ {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}, /* j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, /* k */ {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* l */
    {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}, /* m */ {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* n */
    {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}, /* o */ {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}, /* p */
    {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}, /* q */ {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* r */
    {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}, /* s */ {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}, /* t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}, /* u */ {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}, /* w */ {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}, /* x */
    {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}, /* y */ {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}, /* z */
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, /* 0 */ {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 1 */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, /* 2 */ {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* 3 */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, /* 4 */ {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* 5 */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, /* 6 */ {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* 7 */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, /* 8 */ {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* 9 */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /*   */ {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, /* . */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}, /* _ */ {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, /* : */ {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, /* / */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* ( */ {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, /* ) */
    {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}, /* = */ {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}, /* , */
    {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}, /* + */
};

int bev_text_width(const char* s, int scale) { return (int)strlen(s) * 6 * scale; }

int bev_text(struct bev_canvas* c, int x, int y, const char* s, uint32_t color, int scale) {
  int x0 = x;
  for (; *s; ++s) {
    char ch = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    const char* p = strchr(k_chars, ch);
    static const uint8_t box[7] = {0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F};
    const uint8_t* g = p && ch ? k_glyphs[p - k_chars] : box;
    for (int r = 0; r < 7; ++r)
      for (int col = 0; col < 5; ++col)
        if (g[r] & (0x10 >> col)) bev_fill_rect(c, x + col * scale, y + r * scale, x + (col + 1) * scale, y + (r + 1) * scale, color, 255);
    x += 6 * scale;
  }
  return x - x0;
}

int bev_write_png(const struct bev_canvas* c, const char* path, char* err, int err_len) {
  FILE* f = fopen(path, "wb");
  if (f == NULL) {
    snprintf(err, (size_t)err_len, "cannot write %s", path);
    return -1;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  uint8_t* row = malloc((size_t)c->w * 3); /* one RGB row at a time from the XRGB canvas */
  if (png == NULL || info == NULL || row == NULL) {
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
    snprintf(err, (size_t)err_len, "libpng: out of memory");
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
    snprintf(err, (size_t)err_len, "libpng failed writing %s", path);
    return -1;
  }
  png_init_io(png, f);
  png_set_compression_level(png, 9);
  png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int r = 0; r < c->h; ++r) {
    const uint32_t* px = bev_row(c, r);
    for (int x = 0; x < c->w; ++x) {
      row[3 * x] = (uint8_t)(px[x] >> 16);
      row[3 * x + 1] = (uint8_t)(px[x] >> 8);
      row[3 * x + 2] = (uint8_t)px[x];
    }
    png_write_row(png, row);
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  free(row);
  if (fclose(f) != 0) {
    snprintf(err, (size_t)err_len, "write error on %s", path);
    return -1;
  }
  return 0;
}

uint32_t bev_colormap(double t) {
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  static const double stops[5][3] = {{40, 70, 220}, {0, 200, 230}, {60, 220, 90}, {250, 220, 40}, {240, 60, 40}};
  double s = t * 4;
  int i = s >= 4 ? 3 : (int)s;
  double f = s - i;
  uint32_t out = 0;
  /* v is in [0, 255]: + 0.5 and truncation round it as lround does, without a libm call per point */
  for (int k = 0; k < 3; ++k) out = (out << 8) | (uint32_t)(stops[i][k] * (1 - f) + stops[i + 1][k] * f + 0.5);
  return out;
}
