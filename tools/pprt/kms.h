/* A bird's-eye view on the board's display through Linux KMS, without X or Wayland (pprt run --display).
 *
 * The logic (which connector, mode and CRTC; two dumb buffers; mode set; page flips on vblank; restoring the CRTC
 * found at start) is written against a small table of operations, struct kms_ops. kms_drm.c implements it with
 * libdrm on a /dev/dri/card* node; tests implement it in memory. Every buffer is made by kms_open: showing a frame
 * allocates nothing. docs: README.md "Live view on the board's display", board/ZCU104.md, board/KV260.md. */
#ifndef PPRT_TOOLS_KMS_H
#define PPRT_TOOLS_KMS_H

#include <stddef.h>
#include <stdint.h>

#include "pprt/pprt.h"

#define KMS_MAX_CONNECTORS 16
#define KMS_MAX_CRTCS 8
#define KMS_MAX_ENCODERS 8
#define KMS_MAX_MODES 64

struct kms_mode {
  uint32_t w, h;
  uint32_t refresh_hz;
  int preferred; /* DRM_MODE_TYPE_PREFERRED */
};

/* What the driver says about a connector (the first KMS_MAX_* of each list). */
struct kms_connector {
  uint32_t id;
  uint32_t type;     /* DRM_MODE_CONNECTOR_* (10 DisplayPort, 11 HDMI-A, ...) */
  uint32_t type_id;  /* the 1 of "DP-1" */
  int connected;     /* DRM_MODE_CONNECTED */
  uint32_t encoder_id; /* the encoder driving it now, 0 if none */
  uint32_t num_encoders;
  uint32_t encoders[KMS_MAX_ENCODERS];
  uint32_t num_modes;
  struct kms_mode modes[KMS_MAX_MODES];
};

/* A dumb buffer mapped into this process and registered as a framebuffer. */
struct kms_fb {
  uint32_t fb_id, handle;
  uint32_t pitch; /* bytes per row */
  uint64_t size;
  void* map;
};

/* The operations the logic needs; each returns 0 or a negative errno (-ENOENT, -EACCES, -EBUSY, ...). */
struct kms_ops {
  int (*resources)(void* ctx, uint32_t* connectors, uint32_t* num_connectors, uint32_t* crtcs, uint32_t* num_crtcs);
  int (*connector)(void* ctx, uint32_t id, struct kms_connector* out);
  int (*encoder)(void* ctx, uint32_t id, uint32_t* crtc_id, uint32_t* possible_crtcs);
  /* a w x h XRGB8888 dumb buffer, mapped, with a framebuffer id */
  int (*fb_create)(void* ctx, uint32_t w, uint32_t h, struct kms_fb* fb);
  void (*fb_destroy)(void* ctx, struct kms_fb* fb);
  /* remember the CRTC's present state (framebuffer, mode, position) for crtc_restore */
  int (*crtc_save)(void* ctx, uint32_t crtc_id);
  /* show fb on the CRTC driving the connector in mode modes[mode_index] of kms_ops.connector's answer */
  int (*crtc_set)(void* ctx, uint32_t crtc_id, uint32_t fb_id, uint32_t connector_id, uint32_t mode_index);
  int (*crtc_restore)(void* ctx);
  /* queue a flip to fb at the next vblank; its completion is an event wait_flip reads */
  int (*page_flip)(void* ctx, uint32_t crtc_id, uint32_t fb_id);
  /* 1: the queued flip completed; 0: timeout_ms passed first; < 0: an error */
  int (*wait_flip)(void* ctx, int timeout_ms);
};

/* The largest mode kms_select takes by itself: a display whose preferred mode is larger (a 4K monitor) is set to its
 * largest mode within this, when it has one. Two 3840x2160 buffers would take 66 MB of the CMA the DPU allocates from
 * (two 1920x1080 ones 16 MB), and the drawing time grows with the pixels. */
#define KMS_MAX_AUTO_W 1920
#define KMS_MAX_AUTO_H 1080

/* What kms_select chose. */
struct kms_choice {
  uint32_t connector_id, crtc_id;
  uint32_t mode_index;
  struct kms_connector conn;
  struct kms_mode mode;
  uint32_t num_connected; /* connected connectors seen */
};

/* Pick the display: the first connected connector with a mode (connector_name, e.g. "HDMI-A-1", picks one by
 * name), its preferred mode (else the largest, then the highest refresh rate; within KMS_MAX_AUTO_W x _H when the
 * display has such a mode), and a CRTC: the one its encoder
 * drives now, else the first free one its encoders can drive. PPRT_STATUS_UNAVAILABLE with a message when there is
 * no KMS, no connected display or no CRTC. */
enum pprt_status kms_select(const struct kms_ops* ops, void* ctx, const char* connector_name,
                            struct kms_choice* out, char* err, size_t err_cap);

/* "DP-1", "HDMI-A-1", ... as the kernel names the connector (sysfs card*-<name>). */
void kms_connector_name(uint32_t type, uint32_t type_id, char* buf, size_t cap);

struct kms_display {
  const struct kms_ops* ops;
  void* ctx;
  struct kms_choice choice;
  struct kms_fb fb[2];
  int num_fb;
  int front;        /* the buffer on screen; the other one is drawn into */
  int saved;        /* crtc_save succeeded: crtc_restore on close */
  int pending;      /* a flip was queued and its event not read yet (it timed out) */
  int flip_timeout_ms;
  uint64_t flips;   /* completed page flips */
};

/* Select (as kms_select), make two dumb buffers of the mode's size, remember the CRTC and set the mode with buffer
 * 0 cleared to background (0xRRGGBB). On failure everything made is undone and the status says why:
 * UNAVAILABLE (no display, not allowed: another program is the DRM master), OUT_OF_MEMORY, IO_ERROR. */
enum pprt_status kms_open(struct kms_display* d, const struct kms_ops* ops, void* ctx, const char* connector_name,
                          uint32_t background, char* err, size_t err_cap);
/* The buffer to draw the next frame into (not on screen). */
const struct kms_fb* kms_back(const struct kms_display* d);
/* Show the back buffer at the next vblank and wait (at most d->flip_timeout_ms, 1000 by default) for the flip:
 * then it is the front buffer. IO_ERROR when the flip fails or times out (the picture stays as it was). */
enum pprt_status kms_flip(struct kms_display* d, char* err, size_t err_cap);
/* Put back the CRTC as it was before kms_open and release the buffers. Safe on a zeroed or failed display. */
void kms_close(struct kms_display* d);

/* ------------------------------------------------------------------ libdrm (kms_drm.c) */

/* An open /dev/dri/card* and what kms_drm_ops keeps between calls. */
struct kms_drm {
  int fd;
  char path[512];
  void* saved_crtc;        /* drmModeCrtc of crtc_save */
  uint32_t saved_connector;
  int flip_done;
  uint32_t format;         /* fourcc of the framebuffers: XRGB8888, or ARGB8888 where the driver lacks it */
};

extern const struct kms_ops kms_drm_ops;

/* Open the display's DRM card below root (NULL or "/": this system): card >= 0 opens <root>/dev/dri/card<card>,
 * card < 0 the first card* that is a display controller with a connected connector (else the first display
 * controller: kms_select then says nothing is connected). UNAVAILABLE with a message when there is no card, when
 * this user may not open it, or in a build without libdrm. */
enum pprt_status kms_drm_open(struct kms_drm* k, const char* root, int card, char* err, size_t err_cap);
void kms_drm_close(struct kms_drm* k);

#endif
