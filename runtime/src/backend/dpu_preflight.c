/* DPU probe: find a DRM node whose driver is "zocl" (XRT's Zynq driver, which the DPU runner needs).
 * First sysfs (no device access needed: /sys/class/drm/<node>/device/driver -> .../zocl), then the device nodes
 * themselves through libdrm's drmGetVersion (when built with libdrm). */
#include "backend/dpu_preflight.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(PPRT_HAVE_LIBDRM)
#include <xf86drm.h>
#endif

#define PPRT_ZOCL "zocl"

static void put_desc(char* desc, size_t cap, const char* fmt, const char* a, const char* b) {
  if (desc != NULL && cap > 0) snprintf(desc, cap, fmt, a, b);
}

static int is_drm_node_name(const char* name) {
  return strncmp(name, "renderD", 7) == 0 || (strncmp(name, "card", 4) == 0 && strchr(name, '-') == NULL);
}

/* sysfs: <dir>/<node>/device/driver is a symlink whose last component is the driver name. */
static int probe_sysfs(const char* dir, char* desc, size_t cap) {
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d)) != NULL) {
    if (!is_drm_node_name(e->d_name)) continue;
    char link[PATH_MAX];
    char target[PATH_MAX];
    int n = snprintf(link, sizeof link, "%s/%s/device/driver", dir, e->d_name);
    if (n < 0 || (size_t)n >= sizeof link) continue;
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len <= 0) continue;
    target[len] = '\0';
    const char* base = strrchr(target, '/');
    base = base != NULL ? base + 1 : target;
    /* zocl's platform driver is "zocl-drm" (XRT 2020.1 .. 2022.1); its DRM driver name is "zocl" */
    if (strcmp(base, PPRT_ZOCL) == 0 || strcmp(base, "zocl-drm") == 0) {
      put_desc(desc, cap, "zocl driver on %s/%s", dir, e->d_name);
      found = 1;
    }
  }
  closedir(d);
  return found;
}

#if defined(PPRT_HAVE_LIBDRM)
/* /dev/dri: open each render node (then card node) and ask the kernel for the driver name. */
static int probe_devnodes(const char* dir, char* desc, size_t cap) {
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d)) != NULL) {
    if (!is_drm_node_name(e->d_name)) continue;
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (n < 0 || (size_t)n >= sizeof path) continue;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    drmVersionPtr v = drmGetVersion(fd);
    if (v != NULL) {
      if (v->name != NULL && strcmp(v->name, PPRT_ZOCL) == 0) {
        if (desc != NULL && cap > 0)
          snprintf(desc, cap, "zocl %d.%d.%d on %s", v->version_major, v->version_minor, v->version_patchlevel, path);
        found = 1;
      }
      drmFreeVersion(v);
    }
    close(fd);
  }
  closedir(d);
  return found;
}
#endif

int pprt_dpu_probe_at(const char* sys_class_drm, const char* dev_dri, char* desc, size_t cap) {
  if (sys_class_drm != NULL && probe_sysfs(sys_class_drm, desc, cap)) return 1;
#if defined(PPRT_HAVE_LIBDRM)
  if (dev_dri != NULL && probe_devnodes(dev_dri, desc, cap)) return 1;
#endif
  put_desc(desc, cap, "no zocl device under %s or %s", sys_class_drm != NULL ? sys_class_drm : "(none)",
           dev_dri != NULL ? dev_dri : "(none)");
  return 0;
}

int pprt_dpu_probe(char* desc, size_t cap) { return pprt_dpu_probe_at("/sys/class/drm", "/dev/dri", desc, cap); }
