/* pprt run --display without a display: the bird's-eye renderer into memory (specific pixels: background, a point,
 * a box edge, a box's translucent fill; a padded stride; bad numbers), the same frame through pprt view's PNG and
 * through the display path giving identical pixels, and the KMS logic (connector / mode / CRTC choice, double
 * buffering, page flips, restoring the CRTC, every error path) over an in-memory display; libdrm's side on fake
 * /dev trees and a pipe standing in for the card's event fd (the flip wait times out, never hangs). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bev.h"
#include "bev_scene.h"
#include "display.h"
#include "kms.h"
#include "testutil.h"

/* ---------------------------------------------------------------- allocation counter (-Wl,--wrap) */

void* __real_malloc(size_t n);
void* __real_calloc(size_t n, size_t k);
void* __real_realloc(void* p, size_t n);
static volatile long g_allocs;
void* __wrap_malloc(size_t n);
void* __wrap_calloc(size_t n, size_t k);
void* __wrap_realloc(void* p, size_t n);
void* __wrap_malloc(size_t n) {
  g_allocs++;
  return __real_malloc(n);
}
void* __wrap_calloc(size_t n, size_t k) {
  g_allocs++;
  return __real_calloc(n, k);
}
void* __wrap_realloc(void* p, size_t n) {
  g_allocs++;
  return __real_realloc(p, n);
}

/* ---------------------------------------------------------------- renderer into memory */

/* source-over of 0xRRGGBB s at alpha a onto d, as the canvas blends (rounded to nearest) */
static uint32_t blend(uint32_t s, uint32_t d, unsigned a) {
  uint32_t o = 0;
  for (int sh = 16; sh >= 0; sh -= 8)
    o |= ((((s >> sh) & 255u) * a + ((d >> sh) & 255u) * (255u - a) + 127u) / 255u) << sh;
  return o;
}

static void test_scene_pixels(void) {
  /* 500 px for +-50 m: 5 px per metre, grid lines every 50 px */
  struct bev_view v = {50.0, 500};
  struct bev_canvas c;
  CU_ASSERT_EQUAL_FATAL(bev_create(&c, 500, 500, 0x000000), 0);
  /* one point at (12.3, -7.1, -0.25): colour map 0.5 = (60, 220, 90) at alpha 230 */
  float pts[5] = {12.3f, -7.1f, -0.25f, 10.0f, 0.0f};
  struct pprt_sweep sw;
  pprt_sweep_init(&sw, pts, 1, 5, 0);
  /* a car 8 m long, 4 m wide at (20, 20) heading along +x: pixels x 330..370, y 140..160 */
  struct bev_box car = {20.0, 20.0, 0.0, 8.0, 4.0, pprt_nusc_class_index("car")};
  CU_ASSERT_EQUAL_FATAL(car.cls, 0);
  bev_draw_scene(&c, &v, &sw, 1, &car, 1, NULL, 0, NULL);
  CU_ASSERT_EQUAL(bev_get(&c, 273, 227), BEV_BACKGROUND);                     /* nothing there */
  CU_ASSERT_EQUAL(bev_get(&c, 311, 285), 0x38C954u);                          /* the point: (311.5, 285.5) */
  CU_ASSERT_EQUAL(bev_get(&c, 311, 285), blend(0x3CDC5A, BEV_BACKGROUND, 230)); /* the same, by the formula */
  CU_ASSERT_EQUAL(bev_get(&c, 312, 285), BEV_BACKGROUND);
  CU_ASSERT_EQUAL(bev_get(&c, 330, 145), 0xFF9F1Cu);                          /* left edge: car colour, opaque */
  CU_ASSERT_EQUAL(bev_get(&c, 331, 145), 0xFF9F1Cu);                          /* 2 px thick */
  CU_ASSERT_EQUAL(bev_get(&c, 340, 145), 0x67461Bu);                          /* inside: car at alpha 90 */
  CU_ASSERT_EQUAL(bev_get(&c, 340, 145), blend(0xFF9F1C, BEV_BACKGROUND, 90));
  CU_ASSERT_EQUAL(bev_get(&c, 360, 150), 0xFF9F1Cu);                          /* the heading tick */
  CU_ASSERT_EQUAL(bev_get(&c, 340, 170), BEV_BACKGROUND);                     /* below the box */
  CU_ASSERT_EQUAL(bev_get(&c, 300, 227), 0x262A33u);                          /* the grid line at x = 10 m */
  CU_ASSERT_EQUAL(bev_get(&c, 250, 250), 0xFFFFFFu);                          /* the ego vehicle */
  /* the top byte is opaque alpha (ARGB8888 displays) */
  CU_ASSERT_EQUAL(bev_row(&c, 285)[311] >> 24, 0xFFu);
  CU_ASSERT_EQUAL(bev_row(&c, 227)[273] >> 24, 0xFFu);
  /* an earlier sweep is moved into the key frame (translation +1 m in x) and drawn at alpha 120 */
  float pts2[5] = {11.3f, -7.1f, -0.25f, 10.0f, 0.0f};
  struct pprt_sweep sw2[2] = {sw, sw};
  sw2[0].num_points = 0;
  sw2[1].points = pts2;
  static const float eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  memcpy(sw2[1].rotation, eye, sizeof eye);
  sw2[1].translation[0] = 1.0f;
  bev_draw_scene(&c, &v, sw2, 2, NULL, 0, NULL, 0, NULL);
  CU_ASSERT_EQUAL(bev_get(&c, 311, 285), blend(0x3CDC5A, BEV_BACKGROUND, 120));
  CU_ASSERT_EQUAL(bev_get(&c, 330, 145), BEV_BACKGROUND); /* the box is gone: the scene clears the canvas */
  bev_free(&c);
}

/* The same scene in a buffer with a padded stride (a dumb buffer's pitch) and inside a larger screen: identical
 * pixels, and nothing written outside the panel. */
static void test_scene_stride(void) {
  struct bev_view v = {54.0, 300};
  float pts[3 * 5];
  for (int i = 0; i < 3; ++i) {
    float p[5] = {-20.0f + 15.0f * i, 5.0f * i - 3.0f, -1.0f + i, 1, 0};
    memcpy(pts + 5 * i, p, sizeof p);
  }
  struct pprt_sweep sw;
  memset(&sw, 0, sizeof sw);
  sw.points = pts;
  sw.num_points = 3;
  sw.point_stride = 5;
  struct bev_box b[2] = {{5, -8, 0.7, 4.5, 1.9, 0}, {-12, 14, -2.0, 0.8, 0.7, 8}};
  struct bev_canvas ref;
  CU_ASSERT_EQUAL_FATAL(bev_create(&ref, 300, 300, 0), 0);
  bev_draw_scene(&ref, &v, &sw, 1, b, 2, b + 1, 1, "frame: 2 boxes");
  const int W = 420, H = 310;
  const size_t stride = (size_t)W * 4 + 96;
  uint8_t* mem = malloc(stride * H);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
  memset(mem, 0xAB, stride * H);
  struct bev_canvas screen, panel;
  CU_ASSERT_EQUAL_FATAL(bev_wrap(&screen, mem, W, H, stride), 0);
  CU_ASSERT_EQUAL(bev_wrap(&panel, mem, W, H, (size_t)W * 4 - 4), -1); /* a stride shorter than a row */
  bev_sub(&panel, &screen, 60, 5, 300, 300);
  bev_draw_scene(&panel, &v, &sw, 1, b, 2, b + 1, 1, "frame: 2 boxes");
  long diff = 0, outside = 0;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < (int)(stride / 4); ++x) {
      uint32_t p;
      memcpy(&p, mem + (size_t)y * stride + (size_t)x * 4, 4);
      int in = x >= 60 && x < 360 && y >= 5 && y < 305;
      if (in) diff += (p & 0xFFFFFFu) != bev_get(&ref, x - 60, y - 5);
      else outside += p != 0xABABABABu;
    }
  CU_ASSERT_EQUAL(diff, 0);
  CU_ASSERT_EQUAL(outside, 0);
  /* clipping: a sub-rectangle hanging over the edge */
  bev_sub(&panel, &screen, 400, 300, 100, 100);
  CU_ASSERT_EQUAL(panel.w, 20);
  CU_ASSERT_EQUAL(panel.h, 10);
  free(mem);
  bev_free(&ref);
}

/* Bad numbers draw nothing and crash nothing. */
static void test_scene_bad_numbers(void) {
  struct bev_view v = {54.0, 200};
  struct bev_canvas c;
  CU_ASSERT_EQUAL_FATAL(bev_create(&c, 200, 200, 0), 0);
  float pts[4 * 5] = {NAN, 1, 1, 0, 0, INFINITY, 2, 0, 0, 0, 1e30f, -1e30f, 0, 0, 0, 3, 4, NAN, 0, 0};
  struct pprt_sweep sw;
  memset(&sw, 0, sizeof sw);
  sw.points = pts;
  sw.num_points = 4;
  sw.point_stride = 5;
  struct bev_box b[5] = {{NAN, 0, 0, 4, 2, 0}, {0, 0, INFINITY, 4, 2, 1}, {1e300, -1e300, 0, 4, 2, 2},
                         {0, 0, 0, 1e12, 1e12, 3}, {0, 0, 0, -4, -2, 99}};
  struct bev_canvas empty;
  CU_ASSERT_EQUAL_FATAL(bev_create(&empty, 200, 200, 0), 0);
  bev_draw_scene(&empty, &v, NULL, 0, NULL, 0, NULL, 0, NULL);
  bev_draw_scene(&c, &v, &sw, 1, b, 4, b, 4, NULL);
  CU_ASSERT_EQUAL(memcmp(c.base, empty.base, 200 * 200 * 4), 0); /* nothing drawn but the empty scene */
  bev_draw_scene(&c, &v, &sw, 1, b + 4, 1, NULL, 0, NULL); /* negative sizes, unknown class: white, no crash */
  bev_line(&c, 0, 0, NAN, 5, 0xFFFFFF, 3);
  bev_line(&c, -1e20, 0, 1e20, 5, 0xFFFFFF, 3);
  bev_free(&empty);
  bev_free(&c);
}

/* ---------------------------------------------------------------- an in-memory display */

struct fake {
  /* what the "driver" has */
  uint32_t nconn, ncrtc;
  uint32_t crtcs[4];
  struct kms_connector conn[4];
  uint32_t enc_crtc[4], enc_possible[4]; /* encoder id 100 + i */
  uint32_t pad;                          /* pitch = 4 * w + pad */
  int fail_resources, fail_fb_at, fail_set, flip_result; /* flip_result: what wait_flip returns */
  /* what happened */
  int fb_made, fb_destroyed, saved, restored, set_calls, flips, waits;
  uint32_t set_crtc, set_fb, set_conn, set_mode, last_flip_fb;
  uint8_t* mem[2];
  char log[256];
};

static void logf_(struct fake* f, const char* s) {
  size_t n = strlen(f->log);
  snprintf(f->log + n, sizeof f->log - n, "%s%s", n ? " " : "", s);
}

static int f_resources(void* ctx, uint32_t* conns, uint32_t* nconn, uint32_t* crtcs, uint32_t* ncrtc) {
  struct fake* f = ctx;
  if (f->fail_resources) return -ENOTTY;
  for (uint32_t i = 0; i < f->nconn; ++i) conns[i] = f->conn[i].id;
  for (uint32_t i = 0; i < f->ncrtc; ++i) crtcs[i] = f->crtcs[i];
  *nconn = f->nconn;
  *ncrtc = f->ncrtc;
  return 0;
}
static int f_connector(void* ctx, uint32_t id, struct kms_connector* out) {
  struct fake* f = ctx;
  for (uint32_t i = 0; i < f->nconn; ++i)
    if (f->conn[i].id == id) {
      *out = f->conn[i];
      return 0;
    }
  return -ENOENT;
}
static int f_encoder(void* ctx, uint32_t id, uint32_t* crtc, uint32_t* possible) {
  struct fake* f = ctx;
  if (id < 100 || id >= 104) return -ENOENT;
  *crtc = f->enc_crtc[id - 100];
  *possible = f->enc_possible[id - 100];
  return 0;
}
static int f_fb_create(void* ctx, uint32_t w, uint32_t h, struct kms_fb* fb) {
  struct fake* f = ctx;
  if (f->fail_fb_at == f->fb_made + 1) return -ENOMEM;
  int i = f->fb_made;
  fb->pitch = w * 4 + f->pad;
  fb->size = (uint64_t)fb->pitch * h;
  fb->fb_id = 500 + (uint32_t)i;
  fb->handle = 7 + (uint32_t)i;
  f->mem[i] = malloc((size_t)fb->size);
  memset(f->mem[i], 0x5A, (size_t)fb->size);
  fb->map = f->mem[i];
  f->fb_made++;
  logf_(f, "fb");
  return 0;
}
static void f_fb_destroy(void* ctx, struct kms_fb* fb) {
  struct fake* f = ctx;
  f->fb_destroyed++;
  logf_(f, "rmfb");
  memset(fb, 0, sizeof *fb);
}
static int f_save(void* ctx, uint32_t crtc) {
  struct fake* f = ctx;
  (void)crtc;
  f->saved++;
  logf_(f, "save");
  return 0;
}
static int f_set(void* ctx, uint32_t crtc, uint32_t fb, uint32_t conn, uint32_t mode) {
  struct fake* f = ctx;
  f->set_calls++;
  logf_(f, "set");
  if (f->fail_set) return f->fail_set;
  f->set_crtc = crtc, f->set_fb = fb, f->set_conn = conn, f->set_mode = mode;
  return 0;
}
static int f_restore(void* ctx) {
  struct fake* f = ctx;
  f->restored++;
  logf_(f, "restore");
  return 0;
}
static int f_flip(void* ctx, uint32_t crtc, uint32_t fb) {
  struct fake* f = ctx;
  (void)crtc;
  f->flips++;
  f->last_flip_fb = fb;
  return 0;
}
static int f_wait(void* ctx, int timeout_ms) {
  struct fake* f = ctx;
  (void)timeout_ms;
  f->waits++;
  logf_(f, "wait");
  return f->flip_result;
}
static const struct kms_ops k_fake_ops = {f_resources, f_connector, f_encoder, f_fb_create, f_fb_destroy,
                                          f_save,      f_set,       f_restore, f_flip,      f_wait};

static void fake_free(struct fake* f) {
  free(f->mem[0]);
  free(f->mem[1]);
  f->mem[0] = f->mem[1] = NULL;
}

/* HDMI-A-1 disconnected, DP-1 connected with three modes (1920x1080 preferred), two CRTCs; DP-1's encoder 101
 * drives nothing now and can drive the second CRTC only. */
static void fake_board(struct fake* f) {
  memset(f, 0, sizeof *f);
  f->ncrtc = 2;
  f->crtcs[0] = 40;
  f->crtcs[1] = 41;
  f->nconn = 2;
  struct kms_connector* h = &f->conn[0];
  h->id = 30, h->type = 11, h->type_id = 1, h->connected = 0, h->num_encoders = 1, h->encoders[0] = 100;
  struct kms_connector* d = &f->conn[1];
  d->id = 31, d->type = 10, d->type_id = 1, d->connected = 1, d->num_encoders = 1, d->encoders[0] = 101;
  d->num_modes = 3;
  d->modes[0] = (struct kms_mode){1024, 768, 60, 0};
  d->modes[1] = (struct kms_mode){1920, 1080, 60, 1};
  d->modes[2] = (struct kms_mode){1920, 1080, 30, 0};
  f->enc_possible[0] = 1;
  f->enc_possible[1] = 2;
  f->flip_result = 1;
}

static void test_kms_select(void) {
  struct fake f;
  struct kms_choice ch;
  char err[512];
  fake_board(&f);
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.connector_id, 31);
  CU_ASSERT_EQUAL(ch.mode_index, 1); /* the preferred mode */
  CU_ASSERT(ch.mode.w == 1920 && ch.mode.h == 1080 && ch.mode.refresh_hz == 60);
  CU_ASSERT_EQUAL(ch.crtc_id, 41); /* bit 1 of possible_crtcs: the second CRTC */
  /* no preferred mode: the largest, then the fastest */
  f.conn[1].modes[1].preferred = 0;
  f.conn[1].modes[0] = (struct kms_mode){1920, 1080, 75, 0};
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.mode_index, 0);
  /* a 4K monitor: its largest mode within 1920x1080 (the fastest of those), not the preferred 3840x2160 */
  fake_board(&f);
  f.conn[1].num_modes = 5;
  f.conn[1].modes[0] = (struct kms_mode){3840, 2160, 30, 1};
  f.conn[1].modes[1] = (struct kms_mode){1920, 1080, 30, 0};
  f.conn[1].modes[2] = (struct kms_mode){2560, 1440, 60, 0};
  f.conn[1].modes[3] = (struct kms_mode){1920, 1080, 60, 0};
  f.conn[1].modes[4] = (struct kms_mode){1280, 720, 60, 0};
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.mode_index, 3);
  /* only large modes: the preferred one */
  f.conn[1].num_modes = 1;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.mode_index, 0);
  CU_ASSERT(ch.mode.w == 3840 && ch.mode.h == 2160);
  /* the encoder already drives a CRTC: that one */
  f.conn[1].encoder_id = 101;
  f.enc_crtc[1] = 40;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.crtc_id, 40);
  /* by name */
  fake_board(&f);
  f.conn[0].connected = 1;
  f.conn[0].num_modes = 1;
  f.conn[0].modes[0] = (struct kms_mode){1280, 720, 60, 1};
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, "DP-1", &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.connector_id, 31);
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(ch.connector_id, 30); /* the first connected one */
  CU_ASSERT_EQUAL(ch.crtc_id, 40);
  CU_ASSERT_EQUAL(ch.num_connected, 1);
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, "DP-2", &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no connected connector named DP-2"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "HDMI-A-1 connected"));
}

static void test_kms_select_errors(void) {
  struct fake f;
  struct kms_choice ch;
  char err[512];
  /* nothing connected: the message lists the connectors and says what to plug in */
  fake_board(&f);
  f.conn[1].connected = 0;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no connected display"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "HDMI-A-1 disconnected, DP-1 disconnected"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "DisplayPort"));
  /* connected but no modes (no EDID read) */
  fake_board(&f);
  f.conn[1].num_modes = 0;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "DP-1 connected, no modes"));
  /* no KMS at all (a render-only card such as zocl's) */
  fake_board(&f);
  f.fail_resources = 1;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no display controller"));
  /* no CRTC the encoder can drive */
  fake_board(&f);
  f.enc_possible[1] = 0;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no CRTC can drive DP-1"));
  /* no connectors */
  fake_board(&f);
  f.nconn = 0;
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  /* an absurd mode */
  fake_board(&f);
  f.conn[1].modes[1] = (struct kms_mode){0, 1080, 60, 1};
  CU_ASSERT_EQUAL(kms_select(&k_fake_ops, &f, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  /* connector type names */
  char name[32];
  kms_connector_name(11, 2, name, sizeof name);
  CU_ASSERT_STRING_EQUAL(name, "HDMI-A-2");
  kms_connector_name(999, 1, name, sizeof name);
  CU_ASSERT_STRING_EQUAL(name, "Unknown-1");
}

/* The fake board with a preferred w x h mode at 60 Hz on its connected connector and `pad` bytes of pitch padding,
 * opened as pprt's display with the default options. */
static void open_fake_display(struct pprt_display* d, struct fake* f, uint32_t w, uint32_t h, uint32_t pad) {
  fake_board(f);
  f->pad = pad;
  f->conn[1].modes[1] = (struct kms_mode){w, h, 60, 1};
  struct pprt_display_options o;
  pprt_display_options_init(&o);
  char err[512];
  enum pprt_status st = pprt_display_open_ops(d, &k_fake_ops, f, &o, err, sizeof err);
  if (st != PPRT_STATUS_OK) fprintf(stderr, "display open: %s\n", err);
  CU_ASSERT_EQUAL_FATAL(st, PPRT_STATUS_OK);
}

static uint32_t px_at(const uint8_t* mem, uint32_t pitch, int x, int y) {
  uint32_t p;
  memcpy(&p, mem + (size_t)y * pitch + (size_t)x * 4, 4);
  return p;
}

/* Open, two frames, close: buffers, mode set, flips alternating, the CRTC restored, and no allocation per frame. */
static void test_kms_display_cycle(void) {
  struct fake f;
  struct pprt_display d;
  char err[512];
  open_fake_display(&d, &f, 640, 480, 64);
  CU_ASSERT_EQUAL(f.fb_made, 2);
  CU_ASSERT_STRING_EQUAL(f.log, "fb fb save set");
  CU_ASSERT(f.set_crtc == 41 && f.set_fb == 500 && f.set_conn == 31 && f.set_mode == 1);
  CU_ASSERT(d.view.size == 480 && d.panel_x == 80 && d.panel_y == 0);
  /* both buffers cleared to the background, opaque, the padding untouched */
  CU_ASSERT_EQUAL(px_at(f.mem[0], 640 * 4 + 64, 639, 479), 0xFF000000u | BEV_BACKGROUND);
  CU_ASSERT_EQUAL(px_at(f.mem[1], 640 * 4 + 64, 0, 0), 0xFF000000u | BEV_BACKGROUND);
  CU_ASSERT_EQUAL(px_at(f.mem[1], 640 * 4 + 64, 640, 0), 0x5A5A5A5Au);
  char desc[128];
  pprt_display_describe(&d, desc, sizeof desc);
  CU_ASSERT_STRING_EQUAL(desc, "DP-1 640x480@60");
  /* frame 1 goes to buffer 1, frame 2 to buffer 0 */
  float pts[5] = {12.3f, -7.1f, -0.25f, 10.0f, 0.0f};
  struct pprt_sweep sw;
  pprt_sweep_init(&sw, pts, 1, 5, 0);
  struct bev_box car = {20.0, 20.0, 0.0, 8.0, 4.0, 0};
  long before = g_allocs;
  CU_ASSERT_EQUAL(pprt_display_show(&d, &sw, 1, &car, 1, "one", err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(f.last_flip_fb, 501);
  CU_ASSERT_EQUAL(pprt_display_show(&d, &sw, 1, NULL, 0, "two", err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(f.last_flip_fb, 500);
  CU_ASSERT_EQUAL(pprt_display_show(&d, &sw, 1, &car, 1, "three", err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(g_allocs - before, 0); /* no allocation per frame */
  CU_ASSERT_EQUAL(f.flips, 3);
  CU_ASSERT_EQUAL(d.frames, 3);
  /* buffer 1 holds frame 3: a pixel of the car's left edge is car colour (buffer 0, frame 2, has no car there);
   * the margin left of the panel is background */
  double px, py;
  bev_to_px(&d.view, 16.0, 19.0, &px, &py); /* on the left edge, off the grid lines */
  CU_ASSERT_EQUAL(px_at(f.mem[1], 640 * 4 + 64, 80 + (int)lround(px), (int)lround(py)) & 0xFFFFFFu, 0xFF9F1Cu);
  CU_ASSERT_EQUAL(px_at(f.mem[0], 640 * 4 + 64, 80 + (int)lround(px), (int)lround(py)) & 0xFFFFFFu, BEV_BACKGROUND);
  CU_ASSERT_EQUAL(px_at(f.mem[1], 640 * 4 + 64, 40, 240), 0xFF000000u | BEV_BACKGROUND);
  f.log[0] = '\0';
  pprt_display_close(&d);
  CU_ASSERT_STRING_EQUAL(f.log, "restore rmfb rmfb");
  pprt_display_close(&d); /* twice: nothing more */
  CU_ASSERT_EQUAL(f.restored, 1);
  CU_ASSERT_EQUAL(f.fb_destroyed, 2);
  fake_free(&f);
}

static void test_kms_flip_timeout(void) {
  struct fake f;
  fake_board(&f);
  f.conn[1].modes[1] = (struct kms_mode){320, 200, 60, 1};
  struct kms_display d;
  char err[512];
  CU_ASSERT_EQUAL_FATAL(kms_open(&d, &k_fake_ops, &f, NULL, 0x102030, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(d.flip_timeout_ms, 1000);
  CU_ASSERT_EQUAL(kms_back(&d)->fb_id, 501);
  f.flip_result = 0; /* the vblank never comes */
  CU_ASSERT_EQUAL(kms_flip(&d, err, sizeof err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "page flip did not complete within 1000 ms"));
  CU_ASSERT_EQUAL(d.front, 0); /* the picture is still buffer 0 */
  CU_ASSERT_EQUAL(d.pending, 1);
  /* the next flip first waits for the pending one; still nothing: an error, no second flip queued */
  CU_ASSERT_EQUAL(kms_flip(&d, err, sizeof err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_EQUAL(f.flips, 1);
  /* it completes: the next flip goes on */
  f.flip_result = 1;
  CU_ASSERT_EQUAL(kms_flip(&d, err, sizeof err), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL(f.flips, 2);
  CU_ASSERT_EQUAL(d.pending, 0);
  /* a wait error */
  f.flip_result = -EIO;
  CU_ASSERT_EQUAL(kms_flip(&d, err, sizeof err), PPRT_STATUS_IO_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "waiting for the page flip"));
  /* close with a flip pending: wait once more, then restore */
  f.log[0] = '\0';
  kms_close(&d);
  CU_ASSERT_STRING_EQUAL(f.log, "wait restore rmfb rmfb");
  fake_free(&f);
}

static void test_kms_open_errors(void) {
  struct fake f;
  struct kms_display d;
  char err[512];
  /* another program is DRM master: the mode set is refused */
  fake_board(&f);
  f.conn[1].modes[1] = (struct kms_mode){64, 48, 60, 1};
  f.fail_set = -EACCES;
  CU_ASSERT_EQUAL(kms_open(&d, &k_fake_ops, &f, NULL, 0, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot set the mode 64x48"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "DRM master"));
  CU_ASSERT_STRING_EQUAL(f.log, "fb fb save set restore rmfb rmfb"); /* all undone */
  fake_free(&f);
  /* the second buffer cannot be made */
  fake_board(&f);
  f.conn[1].modes[1] = (struct kms_mode){64, 48, 60, 1};
  f.fail_fb_at = 2;
  CU_ASSERT_EQUAL(kms_open(&d, &k_fake_ops, &f, NULL, 0, err, sizeof err), PPRT_STATUS_OUT_OF_MEMORY);
  CU_ASSERT_STRING_EQUAL(f.log, "fb rmfb");
  CU_ASSERT_EQUAL(kms_flip(&d, err, sizeof err), PPRT_STATUS_INVALID_ARGUMENT); /* not open */
  fake_free(&f);
  /* nothing connected: nothing made */
  fake_board(&f);
  f.conn[1].connected = 0;
  CU_ASSERT_EQUAL(kms_open(&d, &k_fake_ops, &f, NULL, 0, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_STRING_EQUAL(f.log, "");
  kms_close(&d);
  CU_ASSERT_STRING_EQUAL(f.log, "");
  /* pprt_display_show on a display that failed to open */
  struct pprt_display pd;
  struct pprt_display_options o;
  pprt_display_options_init(&o);
  CU_ASSERT_EQUAL(pprt_display_open_ops(&pd, &k_fake_ops, &f, &o, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_EQUAL(pprt_display_show(&pd, NULL, 0, NULL, 0, NULL, err, sizeof err), PPRT_STATUS_INVALID_ARGUMENT);
  pprt_display_close(&pd);
}

/* ---------------------------------------------------------------- pprt view's PNG = the display's pixels */

static int read_png_rgb(const char* path, uint8_t** rgb, int* w, int* h) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return -1;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return -1;
  }
  png_init_io(png, f);
  png_read_info(png, info);
  *w = (int)png_get_image_width(png, info);
  *h = (int)png_get_image_height(png, info);
  if (png_get_color_type(png, info) != PNG_COLOR_TYPE_RGB || png_get_bit_depth(png, info) != 8) longjmp(png_jmpbuf(png), 1);
  *rgb = malloc((size_t)*w * (size_t)*h * 3);
  for (int y = 0; y < *h; ++y) png_read_row(png, *rgb + (size_t)y * (size_t)*w * 3, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(f);
  return 0;
}

static void test_view_png_equals_display(void) {
  /* the frame: the simulated scene sim_10 and three boxes, as pprt run --json writes them */
  const char* sweep = pprt_test_data("sim/sim_10.pcd.bin");
  const char* json = pprt_test_work("display_boxes.json");
  const char* png = pprt_test_work("display_view.png");
  struct pprt_box b[3];
  memset(b, 0, sizeof b);
  const char* names[3] = {"car", "pedestrian", "truck"};
  const float v[3][7] = {{10.5f, 3.25f, -1.5f, 1.9f, 4.5f, 1.6f, 0.3f},
                         {-7.0f, -12.0f, -1.2f, 0.6f, 0.7f, 1.7f, 1.2f},
                         {-30.0f, 20.0f, -1.0f, 2.5f, 9.0f, 3.0f, -2.0f}};
  char text[2048];
  size_t len = (size_t)snprintf(text, sizeof text, "{\"boxes\": [");
  for (int i = 0; i < 3; ++i) {
    b[i].x = v[i][0], b[i].y = v[i][1], b[i].z = v[i][2], b[i].w = v[i][3], b[i].l = v[i][4], b[i].h = v[i][5];
    b[i].yaw = v[i][6];
    len += (size_t)snprintf(text + len, sizeof text - len, "%s{\"label\": \"%s\", \"score\": 0.5, \"box\": [%.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, 0, 0]}",
                            i ? ", " : "", names[i], (double)b[i].x, (double)b[i].y, (double)b[i].z, (double)b[i].w,
                            (double)b[i].l, (double)b[i].h, (double)b[i].yaw);
  }
  len += (size_t)snprintf(text + len, sizeof text - len, "]}\n");
  CU_ASSERT_EQUAL_FATAL(pprt_test_write_file(json, text, len), 0);
  /* pprt view: one 600-pixel panel (+ its legend below) */
  char out[4096];
  char* argv[] = {(char*)PPRT_EXE, "view", (char*)sweep, "--boxes", (char*)json, "--size", "600", "-o", (char*)png, NULL};
  CU_ASSERT_EQUAL_FATAL(pprt_test_run(argv, out, sizeof out), 0);
  uint8_t* rgb = NULL;
  int w = 0, h = 0;
  CU_ASSERT_EQUAL_FATAL(read_png_rgb(png, &rgb, &w, &h), 0);
  CU_ASSERT_EQUAL_FATAL(w, 600);
  CU_ASSERT_FATAL(h > 600);
  /* the display: an 800x600 screen (pitch padded), the panel 600 wide in the middle */
  struct fake f;
  struct pprt_display d;
  char err[512];
  open_fake_display(&d, &f, 800, 600, 128);
  pprt_cloud_t* cloud = NULL;
  struct pprt_sweep sw;
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_create(100000, &cloud), PPRT_STATUS_OK);
  CU_ASSERT_EQUAL_FATAL(pprt_cloud_load(cloud, sweep, PPRT_FORMAT_AUTO, 0, &sw), PPRT_STATUS_OK);
  struct bev_box db[3];
  for (int i = 0; i < 3; ++i) db[i] = bev_box_from_model(&b[i], bev_class_of_name(names[i]));
  char title[160];
  bev_scene_title(title, sizeof title, sweep, 1, 3, 0);
  CU_ASSERT_EQUAL_FATAL(pprt_display_show(&d, &sw, 1, db, 3, title, err, sizeof err), PPRT_STATUS_OK);
  const uint8_t* fb = f.mem[1];
  uint32_t pitch = 800 * 4 + 128;
  long diff = 0, nonbg = 0;
  for (int y = 0; y < 600; ++y)
    for (int x = 0; x < 600; ++x) {
      const uint8_t* p = rgb + ((size_t)y * 600 + (size_t)x) * 3;
      uint32_t want = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
      uint32_t got = px_at(fb, pitch, 100 + x, y) & 0xFFFFFFu;
      diff += want != got;
      nonbg += got != BEV_BACKGROUND;
    }
  CU_ASSERT_EQUAL(diff, 0);
  CU_ASSERT(nonbg > 5000); /* a real picture: points, boxes, grid, text */
  CU_ASSERT_EQUAL(d.frames, 1);
  CU_ASSERT(d.draw_ms_sum > 0 && d.draw_ms_sum == d.draw_ms_max);
  /* the drawing time of one frame (for the record: ctest -V) on a 1080-pixel panel of a 1920x1080 screen */
  {
    struct fake f2;
    struct pprt_display d2;
    open_fake_display(&d2, &f2, 1920, 1080, 0);
    for (int i = 0; i < 20; ++i)
      CU_ASSERT_EQUAL(pprt_display_show(&d2, &sw, 1, db, 3, title, err, sizeof err), PPRT_STATUS_OK);
    fprintf(stderr, "display path: %s (%u points, 3 boxes) on 1920x1080: drawing %.2f ms mean, %.2f ms max over %llu frames\n",
            sweep, sw.num_points, d2.draw_ms_sum / (double)d2.frames, d2.draw_ms_max, (unsigned long long)d2.frames);
    pprt_display_close(&d2);
    fake_free(&f2);
  }
  /* the display's margins are background */
  CU_ASSERT_EQUAL(px_at(fb, pitch, 50, 300) & 0xFFFFFFu, BEV_BACKGROUND);
  CU_ASSERT_EQUAL(px_at(fb, pitch, 750, 300) & 0xFFFFFFu, BEV_BACKGROUND);
  pprt_display_close(&d);
  pprt_cloud_destroy(cloud);
  fake_free(&f);
  free(rgb);
}

/* ---------------------------------------------------------------- libdrm's side without a display */

static void test_drm_open_errors(void) {
  char root[1024], path[1100], err[512];
  struct kms_drm k;
  snprintf(root, sizeof root, "%s", pprt_test_work("display_root"));
  snprintf(path, sizeof path, "rm -rf '%s'", root);
  CU_ASSERT_EQUAL(system(path), 0);
  mkdir(root, 0755);
  /* no /dev/dri at all */
  CU_ASSERT_EQUAL(kms_drm_open(&k, root, -1, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
#if defined(PPRT_HAVE_LIBDRM)
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no DRM device"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/dri/card* missing"));
  /* a card that is no display controller (a regular file answers no KMS ioctl, as zocl's render-only card) */
  snprintf(path, sizeof path, "%s/dev", root);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/dev/dri", root);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/dev/dri/card0", root);
  CU_ASSERT_EQUAL(pprt_test_write_file(path, "", 0), 0);
  CU_ASSERT_EQUAL(kms_drm_open(&k, root, -1, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "is a display controller (KMS)"));
  /* an explicit card that is missing */
  CU_ASSERT_EQUAL(kms_drm_open(&k, root, 3, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "card3"));
  /* an explicit card that is not KMS: opened; the selection says why it cannot be used */
  CU_ASSERT_EQUAL(kms_drm_open(&k, root, 0, err, sizeof err), PPRT_STATUS_OK);
  struct kms_choice ch;
  CU_ASSERT_EQUAL(kms_select(&kms_drm_ops, &k, NULL, &ch, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no display controller"));
  kms_drm_close(&k);
  /* through pprt_display_open: the card's path leads the message */
  struct pprt_display d;
  struct pprt_display_options o;
  pprt_display_options_init(&o);
  o.root = root;
  o.card = 0;
  CU_ASSERT_EQUAL(pprt_display_open(&d, &o, err, sizeof err), PPRT_STATUS_UNAVAILABLE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "/dev/dri/card0: the DRM device has no display controller"));
  pprt_display_close(&d);
  /* permission denied: a card this user may not open (as root, in a child that became 'nobody': root opens
   * anything). The tree is made traversable for it. */
  chmod(path, 0600);
  char* rx[] = {(char*)"chmod", (char*)"-R", (char*)"a+rX", root, NULL};
  char tmp[256];
  pprt_test_run(rx, tmp, sizeof tmp);
  chmod(path, 0600);
  for (char* q = root + strlen(PPRT_TEST_WORK_DIR); q != NULL; q = strchr(q + 1, '/')) {
    char saved = *q;
    *q = '\0';
    chmod(root, 0755);
    *q = saved;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    struct passwd* pw = getpwnam("nobody");
    uid_t uid = pw != NULL ? pw->pw_uid : 65534;
    gid_t gid = pw != NULL ? pw->pw_gid : 65534;
    if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(2);
    char e2[512];
    enum pprt_status st2 = kms_drm_open(&k, root, -1, e2, sizeof e2);
    int ok = st2 == PPRT_STATUS_UNAVAILABLE && strstr(e2, "permission denied opening") != NULL &&
             strstr(e2, "/dev/dri/card0") != NULL && strstr(e2, "'video' group") != NULL;
    if (!ok) fprintf(stderr, "child: %s\n", e2);
    _exit(ok ? 0 : 1);
  }
  int wst = 0;
  CU_ASSERT_EQUAL(waitpid(pid, &wst, 0), pid);
  CU_ASSERT(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
#else
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "without libdrm"));
#endif
}

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The flip wait on a file descriptor that never delivers a flip event (a pipe): it returns at its timeout. */
static void test_drm_wait_timeout(void) {
#if defined(PPRT_HAVE_LIBDRM)
  int fds[2];
  CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
  struct kms_drm k;
  memset(&k, 0, sizeof k);
  k.fd = fds[0];
  double t0 = mono_ms();
  CU_ASSERT_EQUAL(kms_drm_ops.wait_flip(&k, 150), 0);
  double dt = mono_ms() - t0;
  CU_ASSERT(dt >= 140 && dt < 3000);
  /* bytes that are no DRM event: an error at once */
  CU_ASSERT_EQUAL(write(fds[1], "xyz", 3), 3);
  CU_ASSERT(kms_drm_ops.wait_flip(&k, 5000) < 0);
  /* the other end gone: an error at once, not a hang */
  close(fds[1]);
  t0 = mono_ms();
  CU_ASSERT(kms_drm_ops.wait_flip(&k, 5000) < 0);
  CU_ASSERT(mono_ms() - t0 < 2500);
  close(fds[0]);
#endif
}

/* pprt run --display on a machine without a display: exit 1 with the reason, after nothing was run; usage errors 2. */
static void test_run_display_cli(void) {
  char out[8192], root[1024];
  snprintf(root, sizeof root, "%s", pprt_test_work("display_cli_root"));
  mkdir(root, 0755);
  const char* model = pprt_test_data("demo-model");
  const char* sweep = pprt_test_data("sim/sim_8.pcd.bin");
  char* a1[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--runner", "dummy", "--display",
                "--display-root", root, NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a1, out, sizeof out), 1);
#if defined(PPRT_HAVE_LIBDRM)
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "pprt: unavailable: no DRM device"));
#else
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "pprt: unavailable: this pprt was built without libdrm"));
#endif
  CU_ASSERT_PTR_NULL(strstr(out, "boxes")); /* it stopped before the frame */
  char* a2[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--display", "--display-card", "x", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a2, out, sizeof out), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "--display-card must be 0..63"));
  char* a3[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--display", "--display-range", "1", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a3, out, sizeof out), 2);
  char* a4[] = {(char*)PPRT_EXE, "voxelize", "--model", (char*)model, (char*)sweep, "-o", root, "--display", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a4, out, sizeof out), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "--display is an option of pprt run"));
  /* a sequence of two sweeps without a display: two frames, each with its name */
  char* a5[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, (char*)pprt_test_data("sim/sim_10.pcd.bin"),
                "--runner", "dummy", NULL};
  static char big[1 << 20]; /* two tables of 500 boxes (the dummy runner's outputs) */
  CU_ASSERT_EQUAL(pprt_test_run(a5, big, sizeof big), 0);
  const char* f0 = strstr(big, "frame 0: ");
  const char* f1 = strstr(big, "frame 1: ");
  CU_ASSERT(f0 != NULL && f1 != NULL && f0 < f1);
  CU_ASSERT(f0 != NULL && strncmp(f0 + 9 + strlen(sweep) - strlen("sim_8.pcd.bin"), "sim_8.pcd.bin", 13) == 0);
  CU_ASSERT(f1 != NULL && strstr(f1, "sim_10.pcd.bin") == f1 + 9 + strlen(sweep) - strlen("sim_8.pcd.bin"));
  char* a6[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, (char*)sweep, "--format", "vai", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(a6, out, sizeof out), 2);
  /* the same sequence through a stream: the same frames, in order, with the same statistics */
  const char* s10 = pprt_test_data("sim/sim_10.pcd.bin");
  char* seq[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, (char*)s10, (char*)sweep, (char*)s10,
                 "--runner", "dummy", "--score-thresh", "0.6", "--json", NULL};
  char* str[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, (char*)s10, (char*)sweep, (char*)s10,
                 "--runner", "dummy", "--score-thresh", "0.6", "--json", "--stream", "--dpu-cores", "2",
                 "--in-flight", "3", "--rate", "200", NULL};
  static char o1[65536], o2[65536];
  CU_ASSERT_EQUAL(pprt_test_run(seq, o1, sizeof o1), 0);
  CU_ASSERT_EQUAL(pprt_test_run(str, o2, sizeof o2), 0);
  const char *p1 = o1, *p2 = o2;
  int frames = 0;
  for (;;) {
    const char* q1 = strstr(p1, "\"stats\"");
    const char* q2 = strstr(p2, "\"stats\"");
    if (q1 == NULL || q2 == NULL) {
      CU_ASSERT(q1 == NULL && q2 == NULL);
      break;
    }
    size_t l1 = strcspn(q1, "}"), l2 = strcspn(q2, "}");
    CU_ASSERT(l1 == l2 && memcmp(q1, q2, l1) == 0);
    p1 = q1 + l1;
    p2 = q2 + l2;
    ++frames;
  }
  CU_ASSERT_EQUAL(frames, 4);
  CU_ASSERT_PTR_NOT_NULL(strstr(o1, "\"pillars\": 3723")); /* sim_8 */
  CU_ASSERT_PTR_NOT_NULL(strstr(o1, "\"pillars\": 3180")); /* sim_10 */
  char* bad1[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--stream", "--repeat", "2", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad1, out, sizeof out), 2);
  char* bad2[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--dpu-cores", "2", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad2, out, sizeof out), 2);
  char* bad3[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, "--rate", "0", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad3, out, sizeof out), 2);
  /* a frame that cannot be loaded mid-stream: an error, no hang, nothing leaked (ASan) */
  char* bad4[] = {(char*)PPRT_EXE, "run", "--model", (char*)model, (char*)sweep, (char*)sweep, "/nonexistent.pcd.bin",
                  (char*)sweep, "--runner", "dummy", "--stream", "--in-flight", "1", NULL};
  CU_ASSERT_EQUAL(pprt_test_run(bad4, big, sizeof big), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(big, "/nonexistent.pcd.bin"));
}

int main(void) {
  static const struct pprt_test_case cases[] = {{"scene pixels", test_scene_pixels},
                                                {"scene in a padded stride", test_scene_stride},
                                                {"scene with bad numbers", test_scene_bad_numbers},
                                                {"kms select", test_kms_select},
                                                {"kms select errors", test_kms_select_errors},
                                                {"kms display cycle", test_kms_display_cycle},
                                                {"kms flip timeout", test_kms_flip_timeout},
                                                {"kms open errors", test_kms_open_errors},
                                                {"pprt view png == display", test_view_png_equals_display},
                                                {"drm open errors", test_drm_open_errors},
                                                {"drm wait timeout", test_drm_wait_timeout},
                                                {"pprt run --display errors", test_run_display_cli},
                                                {NULL, NULL}};
  return pprt_test_main("display", cases);
}
