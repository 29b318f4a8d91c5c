/* struct kms_ops on a real DRM card through libdrm (kms.h): legacy KMS (drmModeSetCrtc + drmModePageFlip with an
 * event), XRGB8888 dumb buffers (ARGB8888 where the driver has no XRGB8888: the ZynqMP DisplayPort controller of
 * the ZCU104 / KV260 before Linux 6.x), nothing else of libdrm. */
#include "kms.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(PPRT_HAVE_LIBDRM)
#include <drm_fourcc.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

static int neg_errno(int rc) { return rc >= 0 ? 0 : (rc == -1 && errno != 0 ? -errno : rc); }

static int drm_resources(void* ctx, uint32_t* conns, uint32_t* nconn, uint32_t* crtcs, uint32_t* ncrtc) {
  struct kms_drm* k = ctx;
  drmModeResPtr r = drmModeGetResources(k->fd);
  if (r == NULL) return errno ? -errno : -ENODEV;
  *nconn = 0;
  *ncrtc = 0;
  for (int i = 0; i < r->count_connectors && *nconn < KMS_MAX_CONNECTORS; ++i) conns[(*nconn)++] = r->connectors[i];
  for (int i = 0; i < r->count_crtcs && *ncrtc < KMS_MAX_CRTCS; ++i) crtcs[(*ncrtc)++] = r->crtcs[i];
  drmModeFreeResources(r);
  return 0;
}

static int drm_connector(void* ctx, uint32_t id, struct kms_connector* out) {
  struct kms_drm* k = ctx;
  drmModeConnectorPtr c = drmModeGetConnector(k->fd, id);
  if (c == NULL) return errno ? -errno : -ENODEV;
  memset(out, 0, sizeof *out);
  out->id = c->connector_id;
  out->type = c->connector_type;
  out->type_id = c->connector_type_id;
  out->connected = c->connection == DRM_MODE_CONNECTED;
  out->encoder_id = c->encoder_id;
  for (int i = 0; i < c->count_encoders && out->num_encoders < KMS_MAX_ENCODERS; ++i)
    out->encoders[out->num_encoders++] = c->encoders[i];
  for (int i = 0; i < c->count_modes && out->num_modes < KMS_MAX_MODES; ++i) {
    struct kms_mode* m = &out->modes[out->num_modes++];
    m->w = c->modes[i].hdisplay;
    m->h = c->modes[i].vdisplay;
    m->refresh_hz = c->modes[i].vrefresh;
    m->preferred = (c->modes[i].type & DRM_MODE_TYPE_PREFERRED) != 0;
  }
  drmModeFreeConnector(c);
  return 0;
}

static int drm_encoder(void* ctx, uint32_t id, uint32_t* crtc_id, uint32_t* possible) {
  struct kms_drm* k = ctx;
  drmModeEncoderPtr e = drmModeGetEncoder(k->fd, id);
  if (e == NULL) return errno ? -errno : -ENODEV;
  *crtc_id = e->crtc_id;
  *possible = e->possible_crtcs;
  drmModeFreeEncoder(e);
  return 0;
}

static void drm_fb_destroy(void* ctx, struct kms_fb* fb) {
  struct kms_drm* k = ctx;
  if (fb->fb_id != 0) drmModeRmFB(k->fd, fb->fb_id);
  if (fb->map != NULL) munmap(fb->map, (size_t)fb->size);
  if (fb->handle != 0) {
    struct drm_mode_destroy_dumb dd;
    memset(&dd, 0, sizeof dd);
    dd.handle = fb->handle;
    (void)drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
  }
  memset(fb, 0, sizeof *fb);
}

static int drm_fb_create(void* ctx, uint32_t w, uint32_t h, struct kms_fb* fb) {
  struct kms_drm* k = ctx;
  memset(fb, 0, sizeof *fb);
  struct drm_mode_create_dumb cd;
  memset(&cd, 0, sizeof cd);
  cd.width = w;
  cd.height = h;
  cd.bpp = 32;
  if (drmIoctl(k->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd) != 0) return -errno;
  fb->handle = cd.handle;
  fb->pitch = cd.pitch;
  fb->size = cd.size;
  uint32_t handles[4] = {cd.handle, 0, 0, 0}, pitches[4] = {cd.pitch, 0, 0, 0}, offsets[4] = {0, 0, 0, 0};
  const uint32_t formats[2] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888};
  int rc = -EINVAL;
  for (int i = 0; i < 2; ++i) {
    if (k->format != 0 && k->format != formats[i]) continue; /* the second buffer: the format the first got */
    rc = neg_errno(drmModeAddFB2(k->fd, w, h, formats[i], handles, pitches, offsets, &fb->fb_id, 0));
    if (rc == 0) {
      k->format = formats[i];
      break;
    }
  }
  if (rc < 0) {
    drm_fb_destroy(ctx, fb);
    return rc;
  }
  struct drm_mode_map_dumb md;
  memset(&md, 0, sizeof md);
  md.handle = cd.handle;
  if (drmIoctl(k->fd, DRM_IOCTL_MODE_MAP_DUMB, &md) != 0) {
    rc = -errno;
    drm_fb_destroy(ctx, fb);
    return rc;
  }
  void* p = mmap(NULL, (size_t)cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, (off_t)md.offset);
  if (p == MAP_FAILED) {
    rc = -errno;
    drm_fb_destroy(ctx, fb);
    return rc;
  }
  fb->map = p;
  return 0;
}

static int drm_crtc_save(void* ctx, uint32_t crtc_id) {
  struct kms_drm* k = ctx;
  drmModeCrtcPtr c = drmModeGetCrtc(k->fd, crtc_id);
  if (c == NULL) return errno ? -errno : -ENODEV;
  if (k->saved_crtc != NULL) drmModeFreeCrtc(k->saved_crtc);
  k->saved_crtc = c;
  return 0;
}

static int drm_crtc_set(void* ctx, uint32_t crtc_id, uint32_t fb_id, uint32_t conn_id, uint32_t mode_index) {
  struct kms_drm* k = ctx;
  drmModeConnectorPtr c = drmModeGetConnector(k->fd, conn_id);
  if (c == NULL) return errno ? -errno : -ENODEV;
  int rc = -EINVAL;
  if ((int)mode_index < c->count_modes)
    rc = neg_errno(drmModeSetCrtc(k->fd, crtc_id, fb_id, 0, 0, &conn_id, 1, &c->modes[mode_index]));
  drmModeFreeConnector(c);
  if (rc == 0) k->saved_connector = conn_id;
  return rc;
}

static int drm_crtc_restore(void* ctx) {
  struct kms_drm* k = ctx;
  drmModeCrtcPtr c = k->saved_crtc;
  if (c == NULL) return 0;
  int rc;
  if (c->mode_valid && c->buffer_id != 0)
    rc = drmModeSetCrtc(k->fd, c->crtc_id, c->buffer_id, c->x, c->y, &k->saved_connector, 1, &c->mode);
  else /* it was off: switch it off again */
    rc = drmModeSetCrtc(k->fd, c->crtc_id, 0, 0, 0, NULL, 0, NULL);
  drmModeFreeCrtc(c);
  k->saved_crtc = NULL;
  return neg_errno(rc);
}

static int drm_page_flip(void* ctx, uint32_t crtc_id, uint32_t fb_id) {
  struct kms_drm* k = ctx;
  k->flip_done = 0;
  return neg_errno(drmModePageFlip(k->fd, crtc_id, fb_id, DRM_MODE_PAGE_FLIP_EVENT, k));
}

static void on_flip(int fd, unsigned int frame, unsigned int sec, unsigned int usec, void* data) {
  (void)fd, (void)frame, (void)sec, (void)usec;
  ((struct kms_drm*)data)->flip_done = 1;
}

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int drm_wait_flip(void* ctx, int timeout_ms) {
  struct kms_drm* k = ctx;
  drmEventContext ev;
  memset(&ev, 0, sizeof ev);
  ev.version = 2;
  ev.page_flip_handler = on_flip;
  double end = mono_ms() + timeout_ms;
  while (!k->flip_done) {
    int left = (int)(end - mono_ms());
    if (left <= 0) return 0;
    struct pollfd p = {k->fd, POLLIN, 0};
    int n = poll(&p, 1, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) return 0;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return -EIO;
    if (drmHandleEvent(k->fd, &ev) != 0) return -EIO;
  }
  return 1;
}

const struct kms_ops kms_drm_ops = {drm_resources, drm_connector,   drm_encoder,   drm_fb_create,
                                    drm_fb_destroy, drm_crtc_save,  drm_crtc_set,  drm_crtc_restore,
                                    drm_page_flip,  drm_wait_flip};

/* 1: a display controller with a connected connector; 0: a display controller without; -1: no KMS */
static int card_kind(int fd) {
  drmModeResPtr r = drmModeGetResources(fd);
  if (r == NULL) return -1;
  int kind = r->count_crtcs > 0 && r->count_connectors > 0 ? 0 : -1;
  for (int i = 0; kind == 0 && i < r->count_connectors; ++i) {
    drmModeConnectorPtr c = drmModeGetConnector(fd, r->connectors[i]);
    if (c != NULL && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) kind = 1;
    if (c != NULL) drmModeFreeConnector(c);
  }
  drmModeFreeResources(r);
  return kind;
}

enum pprt_status kms_drm_open(struct kms_drm* k, const char* root, int card, char* err, size_t err_cap) {
  memset(k, 0, sizeof *k);
  k->fd = -1;
  char base[400];
  snprintf(base, sizeof base, "%s/dev/dri", root != NULL && strcmp(root, "/") != 0 ? root : "");
  int first = card >= 0 ? card : 0, last = card >= 0 ? card : 15;
  int denied = 0, opened = 0, best_fd = -1;
  char denied_path[512] = "", best_path[512] = "";
  for (int i = first; i <= last; ++i) {
    char path[512];
    snprintf(path, sizeof path, "%s/card%d", base, i);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      if (errno == EACCES || errno == EPERM) {
        denied = 1;
        snprintf(denied_path, sizeof denied_path, "%s", path);
      } else if (card >= 0) {
        snprintf(err, err_cap, "cannot open %s: %s", path, strerror(errno));
        return PPRT_STATUS_UNAVAILABLE;
      }
      continue;
    }
    opened++;
    int kind = card_kind(fd);
    if (kind == 1 || (kind == 0 && best_fd < 0) || (card >= 0 && best_fd < 0)) {
      if (best_fd >= 0) close(best_fd);
      best_fd = fd;
      snprintf(best_path, sizeof best_path, "%s", path);
      if (kind == 1) break;
    } else {
      close(fd);
    }
  }
  if (best_fd < 0) {
    if (denied)
      snprintf(err, err_cap, "permission denied opening %s: run as root or add the user to the 'video' group",
               denied_path);
    else if (opened)
      snprintf(err, err_cap, "no DRM card in %s is a display controller (KMS): is the display driver loaded? "
               "(ZCU104 / KV260: zynqmp-dpsub)", base);
    else
      snprintf(err, err_cap, "no DRM device: %s/card* missing (no display driver loaded)", base);
    return PPRT_STATUS_UNAVAILABLE;
  }
  k->fd = best_fd;
  snprintf(k->path, sizeof k->path, "%s", best_path);
  return PPRT_STATUS_OK;
}

void kms_drm_close(struct kms_drm* k) {
  if (k->saved_crtc != NULL) drmModeFreeCrtc(k->saved_crtc);
  k->saved_crtc = NULL;
  if (k->fd >= 0) close(k->fd);
  k->fd = -1;
}

#else /* built without libdrm */

static int no_resources(void* ctx, uint32_t* a, uint32_t* b, uint32_t* c, uint32_t* d) {
  (void)ctx, (void)a, (void)b, (void)c, (void)d;
  return -ENOSYS;
}
const struct kms_ops kms_drm_ops = {no_resources, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

enum pprt_status kms_drm_open(struct kms_drm* k, const char* root, int card, char* err, size_t err_cap) {
  (void)root, (void)card;
  memset(k, 0, sizeof *k);
  k->fd = -1;
  snprintf(err, err_cap, "this pprt was built without libdrm (libdrm-dev): no display output");
  return PPRT_STATUS_UNAVAILABLE;
}

void kms_drm_close(struct kms_drm* k) { (void)k; }

#endif
