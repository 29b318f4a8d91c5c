/* Display selection, double buffering and page flips over struct kms_ops (kms.h). No libdrm here: kms_drm.c is the
 * real implementation of the operations, the tests have an in-memory one. */
#include "kms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void kms_connector_name(uint32_t type, uint32_t type_id, char* buf, size_t cap) {
  /* the kernel's connector type names (drm_connector.c), index = DRM_MODE_CONNECTOR_* */
  static const char* const names[] = {"Unknown", "VGA",     "DVI-I",  "DVI-D", "DVI-A", "Composite", "SVIDEO",
                                      "LVDS",    "Component", "DIN",  "DP",    "HDMI-A", "HDMI-B",   "TV",
                                      "eDP",     "Virtual", "DSI",    "DPI",   "Writeback", "SPI",   "USB"};
  const char* n = type < sizeof names / sizeof names[0] ? names[type] : "Unknown";
  snprintf(buf, cap, "%s-%u", n, type_id);
}

static const char* errno_text(int neg) { return strerror(neg < 0 ? -neg : neg); }

/* the largest mode, then the fastest, among those within max_w x max_h (0: any); -1 if none */
static int largest_mode(const struct kms_connector* c, uint32_t max_w, uint32_t max_h) {
  int best = -1;
  for (uint32_t i = 0; i < c->num_modes; ++i) {
    const struct kms_mode* m = &c->modes[i];
    if ((max_w && m->w > max_w) || (max_h && m->h > max_h) || m->w == 0 || m->h == 0) continue;
    if (best < 0) {
      best = (int)i;
      continue;
    }
    const struct kms_mode* b = &c->modes[best];
    uint64_t am = (uint64_t)m->w * m->h, ab = (uint64_t)b->w * b->h;
    if (am > ab || (am == ab && m->refresh_hz > b->refresh_hz)) best = (int)i;
  }
  return best;
}

/* The preferred mode (else the largest, then the fastest); one larger than KMS_MAX_AUTO_W x KMS_MAX_AUTO_H gives way
 * to the largest mode within it, when the display has one. */
static uint32_t pick_mode(const struct kms_connector* c) {
  int pick = -1;
  for (uint32_t i = 0; i < c->num_modes && pick < 0; ++i)
    if (c->modes[i].preferred) pick = (int)i;
  if (pick < 0) pick = largest_mode(c, 0, 0);
  if (pick < 0) return 0;
  if (c->modes[pick].w > KMS_MAX_AUTO_W || c->modes[pick].h > KMS_MAX_AUTO_H) {
    int small = largest_mode(c, KMS_MAX_AUTO_W, KMS_MAX_AUTO_H);
    if (small >= 0) pick = small;
  }
  return (uint32_t)pick;
}

enum pprt_status kms_select(const struct kms_ops* ops, void* ctx, const char* want, struct kms_choice* out, char* err,
                            size_t err_cap) {
  memset(out, 0, sizeof *out);
  uint32_t conns[KMS_MAX_CONNECTORS], crtcs[KMS_MAX_CRTCS], nconn = 0, ncrtc = 0;
  int rc = ops->resources(ctx, conns, &nconn, crtcs, &ncrtc);
  if (rc < 0) {
    snprintf(err, err_cap, "the DRM device has no display controller (KMS resources: %s)", errno_text(rc));
    return PPRT_STATUS_UNAVAILABLE;
  }
  if (nconn > KMS_MAX_CONNECTORS) nconn = KMS_MAX_CONNECTORS;
  if (ncrtc > KMS_MAX_CRTCS) ncrtc = KMS_MAX_CRTCS;
  if (nconn == 0 || ncrtc == 0) {
    snprintf(err, err_cap, "the DRM device has %u connectors and %u CRTCs: no display output", nconn, ncrtc);
    return PPRT_STATUS_UNAVAILABLE;
  }
  char seen[256] = "";
  size_t seen_len = 0;
  int found = 0;
  for (uint32_t i = 0; i < nconn && !found; ++i) {
    struct kms_connector* c = &out->conn;
    memset(c, 0, sizeof *c);
    if (ops->connector(ctx, conns[i], c) < 0) continue;
    if (c->num_modes > KMS_MAX_MODES) c->num_modes = KMS_MAX_MODES;
    if (c->num_encoders > KMS_MAX_ENCODERS) c->num_encoders = KMS_MAX_ENCODERS;
    char name[32];
    kms_connector_name(c->type, c->type_id, name, sizeof name);
    if (seen_len < sizeof seen) {
      int k = snprintf(seen + seen_len, sizeof seen - seen_len, "%s%s %s", seen_len ? ", " : "", name,
                       c->connected ? (c->num_modes ? "connected" : "connected, no modes") : "disconnected");
      if (k > 0) seen_len += (size_t)k;
    }
    if (c->connected) out->num_connected++;
    if (want != NULL && want[0] != '\0' && strcmp(want, name) != 0) continue;
    if (!c->connected || c->num_modes == 0) continue;
    found = 1;
  }
  if (!found) {
    if (want != NULL && want[0] != '\0')
      snprintf(err, err_cap, "no connected connector named %s (connectors: %s)", want, seen[0] ? seen : "none readable");
    else
      snprintf(err, err_cap, "no connected display (connectors: %s): plug in the monitor (ZCU104: DisplayPort; "
               "KV260: HDMI or DisplayPort) and power it on", seen[0] ? seen : "none readable");
    return PPRT_STATUS_UNAVAILABLE;
  }
  struct kms_connector* c = &out->conn;
  out->connector_id = c->id;
  out->mode_index = pick_mode(c);
  out->mode = c->modes[out->mode_index];
  if (out->mode.w == 0 || out->mode.h == 0 || out->mode.w > 16384 || out->mode.h > 16384) {
    snprintf(err, err_cap, "the display's mode %ux%u cannot be used", out->mode.w, out->mode.h);
    return PPRT_STATUS_UNAVAILABLE;
  }
  /* the CRTC the connector's encoder drives now */
  uint32_t crtc = 0, possible = 0;
  if (c->encoder_id != 0 && ops->encoder(ctx, c->encoder_id, &crtc, &possible) == 0 && crtc != 0) {
    out->crtc_id = crtc;
    return PPRT_STATUS_OK;
  }
  /* else the first CRTC one of its encoders can drive */
  for (uint32_t e = 0; e < c->num_encoders; ++e) {
    if (ops->encoder(ctx, c->encoders[e], &crtc, &possible) < 0) continue;
    for (uint32_t k = 0; k < ncrtc; ++k)
      if (possible & (1u << k)) {
        out->crtc_id = crtcs[k];
        return PPRT_STATUS_OK;
      }
  }
  char name[32];
  kms_connector_name(c->type, c->type_id, name, sizeof name);
  snprintf(err, err_cap, "no CRTC can drive %s (%u encoders)", name, c->num_encoders);
  return PPRT_STATUS_UNAVAILABLE;
}

static enum pprt_status access_status(int rc, const char* what, char* err, size_t err_cap) {
  if (rc == -EACCES || rc == -EPERM)
    snprintf(err, err_cap, "%s: %s: another program (X, Wayland, a compositor) holds the display as DRM master: "
             "stop the desktop first (board/ZCU104.md, board/KV260.md)", what, errno_text(rc));
  else
    snprintf(err, err_cap, "%s: %s", what, errno_text(rc));
  return rc == -EACCES || rc == -EPERM || rc == -EBUSY ? PPRT_STATUS_UNAVAILABLE
         : rc == -ENOMEM                                ? PPRT_STATUS_OUT_OF_MEMORY
                                                        : PPRT_STATUS_IO_ERROR;
}

enum pprt_status kms_open(struct kms_display* d, const struct kms_ops* ops, void* ctx, const char* connector_name,
                          uint32_t background, char* err, size_t err_cap) {
  memset(d, 0, sizeof *d);
  d->ops = ops;
  d->ctx = ctx;
  d->flip_timeout_ms = 1000;
  enum pprt_status st = kms_select(ops, ctx, connector_name, &d->choice, err, err_cap);
  if (st) return st;
  const struct kms_mode* m = &d->choice.mode;
  for (int i = 0; i < 2; ++i) {
    int rc = ops->fb_create(ctx, m->w, m->h, &d->fb[i]);
    if (rc < 0) {
      char what[96];
      snprintf(what, sizeof what, "cannot make a %ux%u dumb buffer", m->w, m->h);
      st = access_status(rc, what, err, err_cap);
      kms_close(d);
      return st;
    }
    d->num_fb = i + 1;
    if (d->fb[i].map == NULL || d->fb[i].pitch < m->w * 4 || d->fb[i].size < (uint64_t)d->fb[i].pitch * m->h) {
      snprintf(err, err_cap, "the driver gave a dumb buffer too small for %ux%u (pitch %u, %llu bytes)", m->w, m->h,
               d->fb[i].pitch, (unsigned long long)d->fb[i].size);
      kms_close(d);
      return PPRT_STATUS_IO_ERROR;
    }
    for (uint32_t y = 0; y < m->h; ++y) {
      uint32_t* row = (uint32_t*)(void*)((uint8_t*)d->fb[i].map + (size_t)y * d->fb[i].pitch);
      for (uint32_t x = 0; x < m->w; ++x) row[x] = 0xFF000000u | background; /* opaque, as bev.h */
    }
  }
  int rc = ops->crtc_save(ctx, d->choice.crtc_id);
  if (rc < 0) {
    st = access_status(rc, "cannot read the CRTC's state", err, err_cap);
    kms_close(d);
    return st;
  }
  d->saved = 1;
  rc = ops->crtc_set(ctx, d->choice.crtc_id, d->fb[0].fb_id, d->choice.connector_id, d->choice.mode_index);
  if (rc < 0) {
    char what[96];
    snprintf(what, sizeof what, "cannot set the mode %ux%u", m->w, m->h);
    st = access_status(rc, what, err, err_cap);
    kms_close(d);
    return st;
  }
  d->front = 0;
  return PPRT_STATUS_OK;
}

const struct kms_fb* kms_back(const struct kms_display* d) { return &d->fb[1 - d->front]; }

enum pprt_status kms_flip(struct kms_display* d, char* err, size_t err_cap) {
  if (d->num_fb != 2) {
    snprintf(err, err_cap, "the display is not open");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  if (d->pending) { /* a flip that timed out earlier: its event must come before another flip is queued */
    int w = d->ops->wait_flip(d->ctx, d->flip_timeout_ms);
    if (w <= 0) {
      snprintf(err, err_cap, "an earlier page flip still has not completed after another %d ms", d->flip_timeout_ms);
      return PPRT_STATUS_IO_ERROR;
    }
    d->pending = 0;
    d->front = 1 - d->front;
  }
  int back = 1 - d->front;
  int rc = d->ops->page_flip(d->ctx, d->choice.crtc_id, d->fb[back].fb_id);
  if (rc < 0) return access_status(rc, "page flip refused", err, err_cap);
  rc = d->ops->wait_flip(d->ctx, d->flip_timeout_ms);
  if (rc == 0) {
    d->pending = 1;
    snprintf(err, err_cap, "page flip did not complete within %d ms (no vblank: is the display still on?)",
             d->flip_timeout_ms);
    return PPRT_STATUS_IO_ERROR;
  }
  if (rc < 0) {
    d->pending = 1;
    return access_status(rc, "waiting for the page flip", err, err_cap);
  }
  d->front = back;
  d->flips++;
  return PPRT_STATUS_OK;
}

void kms_close(struct kms_display* d) {
  if (d->ops == NULL) return;
  if (d->pending) {
    (void)d->ops->wait_flip(d->ctx, d->flip_timeout_ms); /* the buffer may still be scanned out: let it finish */
    d->pending = 0;
  }
  if (d->saved) d->ops->crtc_restore(d->ctx);
  d->saved = 0;
  for (int i = d->num_fb - 1; i >= 0; --i) d->ops->fb_destroy(d->ctx, &d->fb[i]);
  d->num_fb = 0;
}
