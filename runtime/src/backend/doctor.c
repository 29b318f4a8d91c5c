/* pprt doctor and the DPU preflight: checks a board the way VART 2.5 and XRT 2.13 will see it, before they get a
 * chance to abort, exit(0) or hang. Every file is read below one root (struct doctor.root), so tests run the checks
 * on fake board trees. What each check reads, the VART / XRT behaviour it predicts and the fixes: docs/DOCTOR.md. */
#include "pprt/doctor.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(PPRT_HAVE_LIBDRM)
#include <xf86drm.h>
#endif

#include "backend/dpu_preflight.h"
#include "backend/xclbin.h"
#include "pprt_common/error.h"
#include "core/runtime_internal.h"
#include "backend/vart_backend.h"

extern char** environ;

#define VART_DEFAULT_XCLBIN "/usr/lib/dpu.xclbin"
#define VART_CONF "/etc/vart.conf"
#define APPS_DIR "/lib/firmware/xilinx"
#define OVERLAYS_DIR "/configfs/device-tree/overlays"
#define DEFAULT_FIRMWARE "/etc/dfx-mgrd/default_firmware"

struct doctor {
  const struct pprt_doctor_options* o;
  struct pprt_doctor_report* r;
  const char* root; /* "" for the real root, else the folder without a trailing '/' */
  int cheap;        /* preflight: only the checks that cost no process and no VART call */
  int kv260, zcu104;
  char node[64];    /* render node XRT opens */
  char app[256];    /* KV260: the active accelerator app */
  struct pprt_xclbin_info xb;
  int xb_ok;
  const struct pprt_xmodel_dpu_target* tg; /* model targets (NULL: no model) */
  uint32_t ntg;
  char tg_name[2][256];
  pprt_runtime_t* rt; /* the model, loaded host-only */
  uint64_t dev_fp;
  int dev_fp_known;
  char dev_fp_source[96];
  uint32_t dev_mhz;
};

/* ------------------------------------------------------------------ helpers */

static struct pprt_doctor_check* add(struct doctor* d, enum pprt_doctor_verdict v, const char* name, const char* fix,
                                     const char* fmt, ...) __attribute__((format(printf, 5, 6)));

static struct pprt_doctor_check* add(struct doctor* d, enum pprt_doctor_verdict v, const char* name, const char* fix,
                                     const char* fmt, ...) {
  struct pprt_doctor_report* r = d->r;
  if (r->count >= PPRT_DOCTOR_MAX_CHECKS) return NULL;
  struct pprt_doctor_check* c = &r->checks[r->count++];
  c->verdict = v;
  snprintf(c->name, sizeof c->name, "%s", name);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->message, sizeof c->message, fmt, ap);
  va_end(ap);
  snprintf(c->fix, sizeof c->fix, "%s", fix != NULL ? fix : "");
  if (v != PPRT_DOCTOR_SKIP && v > r->worst) r->worst = v;
  return c;
}

static int has_fail(const struct doctor* d) { return d->r->worst == PPRT_DOCTOR_FAIL; }

/* root + an absolute board path */
static const char* at(const struct doctor* d, const char* path, char* buf, size_t cap) {
  snprintf(buf, cap, "%s%s", d->root, path);
  return buf;
}

/* Read a small text file, strip trailing whitespace and NULs (device-tree strings end in NUL). -1 if unreadable. */
static int read_text(const char* path, char* buf, size_t cap) {
  if (cap == 0) return -1;
  buf[0] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap - 1);
  int e = errno;
  close(fd);
  if (n < 0) {
    errno = e;
    return -1;
  }
  buf[n] = '\0';
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] == '\0') buf[i] = ' '; /* device-tree string lists */
  while (n > 0 && isspace((unsigned char)buf[n - 1])) buf[--n] = '\0';
  return 0;
}

static int is_dir(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char* env_get(const struct doctor* d, const char* name) {
  const char* const* env = d->o->env != NULL ? d->o->env : (const char* const*)environ;
  size_t n = strlen(name);
  for (; env != NULL && *env != NULL; ++env)
    if (strncmp(*env, name, n) == 0 && (*env)[n] == '=') return *env + n + 1;
  return NULL;
}

static int contains_ci(const char* hay, const char* needle) {
  size_t n = strlen(needle);
  for (; *hay; ++hay)
    if (strncasecmp(hay, needle, n) == 0) return 1;
  return 0;
}

/* ------------------------------------------------------------------ DPU fingerprints */

/* Decode a DPU fingerprint as Vitis AI 2.5's target factory does: type in bits 56..63 (1 = DPUCZDX8G), ISA version in
 * 48..55; for DPUCZDX8G ISA1 the low nibble (ARCH) picks pixel x input-channel x output-channel parallelism, whose
 * product x 2 is the "B" size (7 -> 8 x 16 x 16 x 2 = B4096, 6 -> 8 x 14 x 14 x 2 = B3136). */
void pprt_dpu_fingerprint_name(uint64_t fp, char* buf, size_t cap) {
  static const unsigned pp[12] = {4, 4, 8, 4, 8, 8, 8, 8, 4, 2, 2, 2};
  static const unsigned icp[12] = {8, 10, 8, 12, 10, 12, 14, 16, 4, 6, 8, 4};
  unsigned type = (unsigned)(fp >> 56), isa = (unsigned)((fp >> 48) & 0xff), arch = (unsigned)(fp & 0xf);
  if (fp == 0) snprintf(buf, cap, "unknown");
  else if (type == 1 && isa == 1 && arch < 12) snprintf(buf, cap, "DPUCZDX8G_ISA1_B%u", pp[arch] * icp[arch] * icp[arch] * 2);
  else if (type == 1) snprintf(buf, cap, "DPUCZDX8G_ISA%u", isa);
  else snprintf(buf, cap, "DPU type %u ISA %u", type, isa);
}

/* std::stoul(s) (base 10) as VART applies it to "<cu>.fingerprint": leading white space, an optional sign, decimal
 * digits; "0x..." gives 0. -1 if there is no digit (std::stoul throws; VART does not catch it). */
static int vart_stoul(const char* s, uint64_t* out) {
  while (isspace((unsigned char)*s)) ++s;
  int neg = 0;
  if (*s == '+' || *s == '-') neg = *s++ == '-';
  if (!isdigit((unsigned char)*s)) return -1;
  uint64_t v = 0;
  for (; isdigit((unsigned char)*s); ++s) v = v * 10 + (uint64_t)(*s - '0');
  *out = neg ? (uint64_t)0 - v : v;
  return 0;
}

/* ------------------------------------------------------------------ board */

static void check_board(struct doctor* d) {
  char p[PATH_MAX], model[128] = "", compat[512] = "";
  if (read_text(at(d, "/sys/firmware/devicetree/base/model", p, sizeof p), model, sizeof model) != 0)
    read_text(at(d, "/proc/device-tree/model", p, sizeof p), model, sizeof model);
  if (read_text(at(d, "/sys/firmware/devicetree/base/compatible", p, sizeof p), compat, sizeof compat) != 0)
    read_text(at(d, "/proc/device-tree/compatible", p, sizeof p), compat, sizeof compat);
  snprintf(d->r->board, sizeof d->r->board, "%s", model);
  d->kv260 = contains_ci(model, "K26") || contains_ci(model, "KV260") || contains_ci(compat, "kv260");
  d->zcu104 = contains_ci(model, "ZCU104") || contains_ci(compat, "zcu104");
  if (model[0] == '\0')
    add(d, PPRT_DOCTOR_WARN, "board", "run the checks on the board (or give them a copy of its files as root)",
        "no device-tree model under %s/sys/firmware/devicetree/base: not a Zynq UltraScale+ board", d->root);
  else if (d->kv260 || d->zcu104)
    add(d, PPRT_DOCTOR_PASS, "board", NULL, "%s (%s)", model, d->kv260 ? "KV260" : "ZCU104");
  else
    add(d, PPRT_DOCTOR_WARN, "board", "the board pages (board/) cover ZCU104 and KV260 only",
        "%s: neither a ZCU104 nor a KV260; checking it as a Zynq board with a DPU", model);
}

/* ------------------------------------------------------------------ zocl + render node */

static void check_zocl(struct doctor* d) {
  char p[PATH_MAX], ver[64] = "";
  if (!is_dir(at(d, "/sys/module/zocl", p, sizeof p))) {
    add(d, PPRT_DOCTOR_FAIL, "zocl",
        d->kv260 ? "load an accelerator app, whose device-tree overlay adds zocl: sudo xmutil listapps; "
                   "sudo xmutil unloadapp; sudo xmutil loadapp kv260-benchmark-b4096"
                 : "the Vitis AI 2.5 image loads zocl at boot for its zyxclmm_drm device-tree node: sudo modprobe "
                   "zocl, then dmesg | grep -i zocl",
        "zocl (XRT's Zynq driver) is not loaded (no /sys/module/zocl): VART's DPU runner finds no DPU and aborts "
        "(\"Check failed: !the_factory_methods.empty()\")");
    return;
  }
  read_text(at(d, "/sys/module/zocl/version", p, sizeof p), ver, sizeof ver);
  if (ver[0] != '\0' && strncmp(ver, "2.13.", 5) != 0)
    add(d, PPRT_DOCTOR_WARN, "zocl", "use the XRT 2022.1 (2.13) of the Vitis AI 2.5 image",
        "zocl %s loaded; VART 2.5 was built against XRT 2.13 (2022.1)", ver);
  else
    add(d, PPRT_DOCTOR_PASS, "zocl", NULL, "zocl %s loaded", ver[0] ? ver : "(no version in /sys/module/zocl)");
}

/* The render node as XRT 2.13 picks it (zynq_dev.cpp get_render_devname): the target of the first
 * /dev/dri/by-path entry named platform*zyxclmm_drm-render, else renderD128. */
static void xrt_render_node(struct doctor* d) {
  char p[PATH_MAX];
  snprintf(d->node, sizeof d->node, "renderD128");
  DIR* dir = opendir(at(d, "/dev/dri/by-path", p, sizeof p));
  if (dir == NULL) return;
  struct dirent* e;
  const char* suffix = "zyxclmm_drm-render";
  while ((e = readdir(dir)) != NULL) {
    size_t n = strlen(e->d_name), sn = strlen(suffix);
    if (strncmp(e->d_name, "platform", 8) != 0 || n < 8 + sn || strcmp(e->d_name + n - sn, suffix) != 0) continue;
    char link[PATH_MAX + 256], target[PATH_MAX];
    snprintf(link, sizeof link, "%s/%s", p, e->d_name);
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len > 0) {
      target[len] = '\0';
      const char* base = strrchr(target, '/');
      snprintf(d->node, sizeof d->node, "%.63s", base != NULL ? base + 1 : target);
    }
    break;
  }
  closedir(dir);
}

static void check_render_node(struct doctor* d) {
  char p[PATH_MAX], sysdrv[PATH_MAX] = "", node[PATH_MAX + 64], shown[96];
  xrt_render_node(d);
  snprintf(shown, sizeof shown, "/dev/dri/%s", d->node);
  char link[PATH_MAX + 96];
  snprintf(link, sizeof link, "%s/sys/class/drm/%s/device/driver", d->root, d->node);
  ssize_t len = readlink(link, p, sizeof p - 1);
  if (len > 0) {
    p[len] = '\0';
    const char* base = strrchr(p, '/');
    snprintf(sysdrv, sizeof sysdrv, "%s", base != NULL ? base + 1 : p);
  }
  /* zocl registers its platform driver as "zocl-drm" (XRT 2020.1 .. 2022.1); "zocl" is its DRM driver name */
  int sys_zocl = strcmp(sysdrv, "zocl-drm") == 0 || strcmp(sysdrv, "zocl") == 0;
  snprintf(node, sizeof node, "%s%s", d->root, shown);
  struct stat st;
  if (stat(node, &st) != 0) {
    add(d, PPRT_DOCTOR_FAIL, "render-node",
        "the node appears when zocl binds to the zyxclmm_drm device-tree node: check dmesg | grep -i zocl",
        "%s does not exist: XRT's xclProbe finds no device and VART aborts", shown);
    return;
  }
  int fd = open(node, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    char fix[400];
    snprintf(fix, sizeof fix,
             "run as root, or give this user access: ls -l %s; sudo usermod -aG <its group> $USER (log in again), "
             "or a udev rule KERNEL==\"renderD*\", MODE=\"0666\"", shown);
    add(d, PPRT_DOCTOR_FAIL, "render-node", fix,
        "%s cannot be opened for reading and writing by this user (uid %u): %s; XRT's xclProbe then reports no "
        "device and VART aborts", shown, (unsigned)geteuid(), strerror(e));
    return;
  }
  char drm_name[64] = "";
  int drm_answered = 0;
#if defined(PPRT_HAVE_LIBDRM)
  drmVersionPtr v = drmGetVersion(fd);
  if (v != NULL) {
    drm_answered = 1;
    snprintf(drm_name, sizeof drm_name, "%s %d.%d.%d", v->name != NULL ? v->name : "?", v->version_major,
             v->version_minor, v->version_patchlevel);
    if (v->name == NULL || strcmp(v->name, "zocl") != 0) {
      add(d, PPRT_DOCTOR_FAIL, "render-node",
          "zocl must own the render node XRT picks: check /dev/dri/by-path and dmesg | grep -i zocl",
          "%s is driven by %s, not zocl: XRT's xclProbe finds no DPU device", shown, v->name ? v->name : "?");
      drmFreeVersion(v);
      close(fd);
      return;
    }
    drmFreeVersion(v);
  }
#endif
  close(fd);
  if (drm_answered)
    add(d, PPRT_DOCTOR_PASS, "render-node", NULL, "%s: %s (drmGetVersion), opened read-write", shown, drm_name);
  else if (sys_zocl)
    add(d, PPRT_DOCTOR_WARN, "render-node", "a real render node is a character device answering DRM_IOCTL_VERSION",
        "%s opens read-write but did not answer DRM_IOCTL_VERSION (not a DRM device node); sysfs says its driver "
        "is %s", shown, sysdrv);
  else
    add(d, PPRT_DOCTOR_FAIL, "render-node", "check dmesg | grep -i zocl",
        "%s is not a zocl DRM node: no DRM answer and its sysfs driver is %s", shown, sysdrv[0] ? sysdrv : "unknown");
}

/* ------------------------------------------------------------------ PL and the KV260 app */

static void check_pl(struct doctor* d) {
  char p[PATH_MAX], state[64];
  if (read_text(at(d, "/sys/class/fpga_manager/fpga0/state", p, sizeof p), state, sizeof state) != 0) {
    add(d, PPRT_DOCTOR_WARN, "pl", "the Xilinx kernel has an FPGA manager for the PL: check CONFIG_FPGA_MGR_ZYNQMP_FPGA",
        "no /sys/class/fpga_manager/fpga0/state: cannot tell whether the PL is programmed");
    return;
  }
  if (strcmp(state, "operating") == 0) {
    add(d, PPRT_DOCTOR_PASS, "pl", NULL, "PL programmed (fpga_manager fpga0: operating)");
    return;
  }
  add(d, PPRT_DOCTOR_FAIL, "pl",
      d->kv260 ? "load a DPU app: sudo xmutil unloadapp; sudo xmutil loadapp kv260-benchmark-b4096"
               : "the ZCU104 image programs the PL from BOOT.BIN at boot: boot from the Vitis AI 2.5 SD card image",
      "PL not programmed (fpga_manager fpga0: %s): the DPU registers are not there and a DPU job hangs the bus", state);
}

static int app_xclbin(const struct doctor* d, const char* app, char* out, size_t cap) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s%s/%s", d->root, APPS_DIR, app);
  DIR* dd = opendir(dir);
  if (dd == NULL) return -1;
  struct dirent* e;
  int found = -1;
  while ((e = readdir(dd)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n > 7 && strcasecmp(e->d_name + n - 7, ".xclbin") == 0) {
      snprintf(out, cap, "%s/%s/%s", APPS_DIR, app, e->d_name);
      found = 0;
    }
  }
  closedir(dd);
  return found;
}

/* Apps dfx-mgr can load: folders of /lib/firmware/xilinx holding shell.json; those with an .xclbin are DPU-capable. */
static void list_apps(const struct doctor* d, char* out, size_t cap) {
  char p[PATH_MAX];
  out[0] = '\0';
  DIR* dd = opendir(at(d, APPS_DIR, p, sizeof p));
  if (dd == NULL) return;
  struct dirent* e;
  size_t used = 0;
  while ((e = readdir(dd)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char x[PATH_MAX];
    if (app_xclbin(d, e->d_name, x, sizeof x) != 0) continue;
    int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", e->d_name);
    if (n < 0 || (size_t)n >= cap - used) break;
    used += (size_t)n;
  }
  closedir(dd);
}

static void check_app(struct doctor* d) {
  char p[PATH_MAX];
  int have_apps = is_dir(at(d, APPS_DIR, p, sizeof p));
  if (!d->kv260 && !have_apps) {
    add(d, PPRT_DOCTOR_SKIP, "app", NULL, "no %s: the PL design is the boot one (no dfx-mgr apps)", APPS_DIR);
    return;
  }
  /* libdfx (xmutil loadapp) applies an app's overlay as /configfs/device-tree/overlays/<app>_image_<n>. */
  DIR* dd = opendir(at(d, OVERLAYS_DIR, p, sizeof p));
  if (dd != NULL) {
    struct dirent* e;
    while ((e = readdir(dd)) != NULL) {
      const char* s = strstr(e->d_name, "_image_");
      if (s == NULL || s == e->d_name) continue;
      snprintf(d->app, sizeof d->app, "%.*s", (int)(s - e->d_name), e->d_name);
      break;
    }
    closedir(dd);
  }
  char def[256] = "", apps[512];
  read_text(at(d, DEFAULT_FIRMWARE, p, sizeof p), def, sizeof def);
  list_apps(d, apps, sizeof apps);
  char fix[512];
  if (d->app[0] == '\0') {
    const char* pick = apps[0] ? apps : "kv260-benchmark-b4096";
    char first[128];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(pick, ","), pick);
    snprintf(fix, sizeof fix,
             "sudo xmutil listapps; sudo xmutil unloadapp; sudo xmutil loadapp %s; to load it at every boot: echo %s "
             "| sudo tee %s", first, first, DEFAULT_FIRMWARE);
    add(d, PPRT_DOCTOR_FAIL, "app", fix,
        "no accelerator app is loaded (no %s/*_image_*): the PL holds no DPU. DPU apps in %s: %s; default_firmware: "
        "%s", OVERLAYS_DIR, APPS_DIR, apps[0] ? apps : "none", def[0] ? def : "(none)");
    return;
  }
  char x[PATH_MAX];
  if (app_xclbin(d, d->app, x, sizeof x) != 0) {
    snprintf(fix, sizeof fix, "load an app built with a DPU: sudo xmutil unloadapp; sudo xmutil loadapp %.200s",
             apps[0] ? apps : "kv260-benchmark-b4096");
    add(d, PPRT_DOCTOR_FAIL, "app", fix, "the loaded app %s has no .xclbin in %s/%s: it has no DPU for VART", d->app,
        APPS_DIR, d->app);
    return;
  }
  if (def[0] == '\0')
    add(d, PPRT_DOCTOR_PASS, "app", NULL, "active app %s (%s); nothing loads at boot (%s is empty)", d->app, x,
        DEFAULT_FIRMWARE);
  else
    add(d, PPRT_DOCTOR_PASS, "app", NULL, "active app %s (%s); default_firmware: %s", d->app, x, def);
}

/* ------------------------------------------------------------------ the xclbin VART opens */

/* /etc/vart.conf as VART 2.5's SimpleConfig reads it: a line is `^ *([^: ]+) *: *(.*?) *(#.*)*$` (std::regex, whose
 * '.' matches no '\r'), a repeated key aborts, has("firmware") means "a key starting with firmware", the value is
 * then read with `istringstream >> std::string` and aborts if anything follows the first word. Returns 0 and the
 * value, 1 when VART takes the default, -1 with a message when VART would abort. */
static int vart_conf_firmware(const char* text, char* value, size_t cap, char* why, size_t why_cap) {
  char keys[32][64];
  int nkeys = 0, has_prefix = 0, found = 0;
  const char* line = text;
  while (line != NULL && *line != '\0') {
    const char* end = strchr(line, '\n');
    size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
    const char* s = line;
    const char* e = line + len;
    line = end != NULL ? end + 1 : NULL;
    while (s < e && *s == ' ') ++s;
    const char* k = s;
    while (s < e && *s != ':' && *s != ' ') ++s;
    if (s == k) continue; /* blank, or no key */
    const char* ke = s;
    while (s < e && *s == ' ') ++s;
    if (s >= e || *s != ':') continue;   /* "unknown config" (VART prints it and goes on) */
    ++s;
    if (memchr(s, '\r', (size_t)(e - s)) != NULL) continue; /* '.' and ' ' match no '\r': no match */
    while (s < e && *s == ' ') ++s;
    /* value: the shortest prefix after which only spaces and an optional # comment remain */
    const char* v = s;
    const char* ve = v;
    for (const char* q = v;; ++q) {
      const char* t = q;
      while (t < e && *t == ' ') ++t;
      if (t == e || *t == '#') {
        ve = q;
        break;
      }
    }
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(ke - k), k);
    for (int i = 0; i < nkeys; ++i)
      if (strcmp(keys[i], key) == 0) {
        snprintf(why, why_cap, "key '%s' appears twice: VART aborts (\"%s is redefined!\")", key, key);
        return -1;
      }
    if (nkeys < 32) snprintf(keys[nkeys++], sizeof keys[0], "%s", key);
    if (strncmp(key, "firmware", 8) == 0) has_prefix = 1;
    if (strcmp(key, "firmware") == 0) {
      found = 1;
      snprintf(value, cap, "%.*s", (int)(ve - v), v);
    }
  }
  if (!has_prefix) return 1;
  if (!found) {
    snprintf(why, why_cap, "a key starts with 'firmware' but none is 'firmware': VART aborts (\"cannot find config. "
                           "name = 'firmware'\")");
    return -1;
  }
  /* istringstream >> std::string, then nothing may be left */
  const char* s = value;
  while (isspace((unsigned char)*s)) ++s;
  const char* t = s;
  while (*t && !isspace((unsigned char)*t)) ++t;
  if (t == s) {
    snprintf(why, why_cap, "'firmware:' has no value: VART aborts (\"cannot parse string\")");
    return -1;
  }
  if (*t != '\0') {
    snprintf(why, why_cap, "'firmware: %.160s' has more than one word: VART aborts (\"parse error for string\")", value);
    return -1;
  }
  memmove(value, s, (size_t)(t - s));
  value[t - s] = '\0';
  return 0;
}

static void xclbin_fix(const struct doctor* d, char* fix, size_t cap) {
  char x[PATH_MAX];
  if (d->app[0] != '\0' && app_xclbin(d, d->app, x, sizeof x) == 0)
    snprintf(fix, cap, "echo 'firmware: %.180s' | sudo tee %s (xmutil loadapp writes this line), or export "
                       "XLNX_VART_FIRMWARE=%.180s", x, VART_CONF, x);
  else if (d->kv260)
    snprintf(fix, cap, "load a DPU app (sudo xmutil loadapp kv260-benchmark-b4096), which writes 'firmware: "
                       "/lib/firmware/xilinx/<app>/<app>.xclbin' to %s", VART_CONF);
  else
    snprintf(fix, cap, "the ZCU104 image keeps it on the boot partition: sudo mount /dev/mmcblk0p1 "
                       "/run/media/mmcblk0p1, or point VART at it: echo 'firmware: /path/to/dpu.xclbin' | sudo tee %s "
                       "(or export XLNX_VART_FIRMWARE=/path/to/dpu.xclbin)", VART_CONF);
}

static void check_xclbin(struct doctor* d) {
  char p[PATH_MAX], src[160], path[1024] = VART_DEFAULT_XCLBIN, fix[512];
  const char* env = env_get(d, "XLNX_VART_FIRMWARE");
  if (env != NULL && env[0] != '\0') {
    snprintf(path, sizeof path, "%s", env);
    snprintf(src, sizeof src, "XLNX_VART_FIRMWARE");
  } else {
    char text[8192], why[256];
    struct stat st;
    at(d, VART_CONF, p, sizeof p);
    if (stat(p, &st) != 0 || st.st_size == 0) {
      snprintf(src, sizeof src, "VART's default: no %s", VART_CONF);
    } else {
      int fd = open(p, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
      if (fd >= 0) close(fd);
      if (n < 0) {
        snprintf(src, sizeof src, "VART's default: %s unreadable", VART_CONF);
      } else {
        text[n] = '\0';
        char value[1024];
        int r = vart_conf_firmware(text, value, sizeof value, why, sizeof why);
        if (r < 0) {
          add(d, PPRT_DOCTOR_FAIL, "xclbin", "write one line 'firmware: /path/to/dpu.xclbin' to /etc/vart.conf",
              "%s: %s", VART_CONF, why);
          return;
        }
        if (r == 0) {
          snprintf(path, sizeof path, "%s", value);
          snprintf(src, sizeof src, "%s", VART_CONF);
        } else {
          snprintf(src, sizeof src, "VART's default: %s has no firmware: line", VART_CONF);
        }
      }
    }
  }
  snprintf(d->r->xclbin, sizeof d->r->xclbin, "%s", path);
  xclbin_fix(d, fix, sizeof fix);
  if (path[0] != '/') {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix,
        "%s (from %s) is a relative path: VART opens it relative to each program's working directory", path, src);
    return;
  }
  at(d, path, p, sizeof p);
  struct stat st;
  if (stat(p, &st) != 0) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix,
        "VART 2.5 opens %s (from %s), which does not exist: VART then calls exit(0), so the program stops silently "
        "with status 0 (Vitis AI issue 1068)", path, src);
    return;
  }
  struct pprt_err err;
  enum pprt_status s = pprt_xclbin_read(p, &d->xb, &err);
  const char* why = err.msg; /* without the root-prefixed path the reader starts its message with */
  if (s != PPRT_STATUS_OK && strncmp(why, p, strlen(p)) == 0) why += strlen(p) + (why[strlen(p)] == ':' ? 2 : 0);
  if (s == PPRT_STATUS_IO_ERROR) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix, "%s (from %s) cannot be read: %s; VART then calls exit(0)", path, src,
        why);
    return;
  }
  if (s != PPRT_STATUS_OK) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix, "%s (from %s): %s; VART %s", path, src, why,
        d->xb.file_size == 0 ? "aborts (\"must not empty file\")" : "would read garbage from it");
    return;
  }
  if (!d->xb.has_ip_layout || !d->xb.has_mem_topology) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix, "%s has no %s section: VART reads it without checking and crashes", path,
        !d->xb.has_ip_layout ? "IP_LAYOUT" : "MEM_TOPOLOGY");
    return;
  }
  if (d->xb.num_dpu == 0) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", fix,
        "%s has %u compute units and none is a DPU (no IP_LAYOUT kernel named DPU* or dpu*): VART aborts (\"no dpu cu "
        "detected\")", path, d->xb.num_kernels);
    return;
  }
  char kernel[65];
  snprintf(kernel, sizeof kernel, "%.*s", (int)strcspn(d->xb.dpu_cu[0], ":"), d->xb.dpu_cu[0]);
  if (strncmp(kernel, "DPUCZDX8G", 9) != 0 && strcmp(kernel, "dpu_xrt_top") != 0) {
    add(d, PPRT_DOCTOR_FAIL, "xclbin", "use the xclbin of a DPUCZDX8G (Zynq UltraScale+) DPU design",
        "%s: the DPU kernel is %s, not a DPUCZDX8G: VART's edge controller refuses it (\"unknown dpu type\")", path,
        kernel);
    return;
  }
  d->xb_ok = 1;
  d->r->dpu_cores = d->xb.num_dpu;
  /* Is it the xclbin of what the PL holds? KV260: the active app's; any board: what zocl has loaded (if any). */
  char x[PATH_MAX];
  if (d->app[0] != '\0' && app_xclbin(d, d->app, x, sizeof x) == 0) {
    struct pprt_xclbin_info ax;
    char xp[PATH_MAX + 64];
    snprintf(xp, sizeof xp, "%s%s", d->root, x);
    if (strcmp(x, path) != 0 &&
        (pprt_xclbin_read(xp, &ax, &err) != PPRT_STATUS_OK || memcmp(ax.uuid, d->xb.uuid, 16) != 0)) {
      add(d, PPRT_DOCTOR_FAIL, "xclbin", fix,
          "VART opens %s (from %s), uuid %s, but the loaded app %s has %s: VART would load the wrong design's "
          "metadata over the PL, and the DPU is not where it looks", path, src, d->xb.uuid_str, d->app, x);
      return;
    }
  }
  char zuuid[128] = "", msg_zocl[160] = "";
  snprintf(p, sizeof p, "%s/sys/class/drm/%s/device/xclbinid", d->root, d->node);
  if (read_text(p, zuuid, sizeof zuuid) == 0 && zuuid[0] != '\0') {
    /* zocl 2.13 prints "<slot> <uuid>" per slot, older ones the uuid alone */
    const char* u = strchr(zuuid, ' ') != NULL ? strrchr(zuuid, ' ') + 1 : zuuid;
    if (strcasecmp(u, d->xb.uuid_str) != 0) {
      add(d, PPRT_DOCTOR_WARN, "xclbin", "stop the other DPU program, or point VART at the xclbin loaded now",
          "VART opens %s (uuid %s), zocl holds xclbin %s now: VART will replace it, which breaks any other program "
          "using the DPU", path, d->xb.uuid_str, u);
      return;
    }
    snprintf(msg_zocl, sizeof msg_zocl, "; zocl has it loaded");
  }
  char clock[48] = "";
  if (d->xb.kernel_clock_mhz) snprintf(clock, sizeof clock, ", kernel clock %u MHz", d->xb.kernel_clock_mhz);
  add(d, PPRT_DOCTOR_PASS, "xclbin", NULL, "%s (from %s): xclbin2, %llu bytes, uuid %s, %u DPU core%s (%s%s)%s%s",
      path, src, (unsigned long long)d->xb.file_size, d->xb.uuid_str, d->xb.num_dpu, d->xb.num_dpu > 1 ? "s" : "",
      d->xb.dpu_cu[0], d->xb.num_dpu > 1 ? ", ..." : "", clock, msg_zocl);
}

/* ------------------------------------------------------------------ the DPU: cores, fingerprint, clock */

/* Read a child's two pipes into NUL-terminated buffers until both close: fd_a into a (the first a_cap - 1 bytes),
 * fd_b into b (its last b_cap - 1 bytes: the tail of stderr). At the deadline (pprt_now_ms's clock) the child is killed and
 * *timed_out set. Closes both pipes, reaps the child and returns its wait status. */
static int drain_child(pid_t pid, int fd_a, char* a, size_t a_cap, int fd_b, char* b, size_t b_cap, double deadline,
                       int* timed_out) {
  size_t used_ab[2] = {0, 0};
  char* bufs[2] = {a, b};
  size_t caps[2] = {a_cap, b_cap};
  a[0] = b[0] = '\0';
  struct pollfd fds[2] = {{fd_a, POLLIN, 0}, {fd_b, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    int left = (int)(deadline - pprt_now_ms());
    if (left <= 0) {
      *timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    int r = poll(fds, 2, left);
    if (r <= 0) continue; /* EINTR or nothing yet: the deadline check above ends it */
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char tmp[4096];
      ssize_t n = read(fds[i].fd, tmp, sizeof tmp);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      char* buf = bufs[i];
      size_t* used = &used_ab[i];
      size_t cap = caps[i];
      if (i == 1 && *used + (size_t)n >= cap && cap > 1) { /* keep the tail of stderr */
        size_t drop = *used + (size_t)n - (cap - 1);
        if (drop > *used) drop = *used;
        memmove(buf, buf + drop, *used - drop);
        *used -= drop;
      }
      size_t take = (size_t)n < cap - 1 - *used ? (size_t)n : cap - 1 - *used;
      memcpy(buf + *used, tmp, take);
      *used += take;
      buf[*used] = '\0';
    }
  }
  for (int i = 0; i < 2; ++i)
    if (fds[i].fd >= 0) close(fds[i].fd);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

/* Run argv (argv[0] a path) with stdout (and stderr) into buffers, killing it after timeout_ms. Returns the wait
 * status, -1 if it could not be started; *timed_out is set when it was killed. */
static int run_capture(char* const argv[], char* out, size_t out_cap, char* errbuf, size_t err_cap,
                       uint32_t timeout_ms, int* timed_out) {
  int po[2], pe[2];
  *timed_out = 0;
  if (pipe(po) != 0) return -1;
  if (pipe(pe) != 0) {
    close(po[0]);
    close(po[1]);
    return -1;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(po[1], 1);
    dup2(pe[1], 2);
    close(po[0]); close(pe[0]); close(po[1]); close(pe[1]);
    execv(argv[0], argv);
    _exit(127);
  }
  close(po[1]);
  close(pe[1]);
  return drain_child(pid, po[0], out, out_cap, pe[0], errbuf, err_cap, pprt_now_ms() + timeout_ms, timed_out);
}

/* The value after "key": in JSON text, from position *pos on (a string without its quotes, or a bare number). */
static int json_next(const char* text, const char* key, size_t* pos, char* val, size_t cap) {
  char pat[80];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char* s = strstr(text + *pos, pat);
  if (s == NULL) return -1;
  s += strlen(pat);
  while (isspace((unsigned char)*s)) ++s;
  if (*s != ':') return -1;
  ++s;
  while (isspace((unsigned char)*s)) ++s;
  size_t n = 0;
  if (*s == '"') {
    ++s;
    while (s[n] && s[n] != '"') ++n;
  } else {
    while (s[n] && s[n] != ',' && s[n] != '}' && !isspace((unsigned char)s[n])) ++n;
  }
  snprintf(val, cap, "%.*s", (int)n, s);
  *pos = (size_t)(s + n - text);
  return 0;
}

static void check_dpu(struct doctor* d) {
  if (!d->xb_ok) {
    add(d, PPRT_DOCTOR_SKIP, "dpu", NULL, "no usable xclbin: DPU cores and fingerprint unknown");
    return;
  }
  /* 1. VART reads "<cu full name>.fingerprint" from the environment instead of the DPU's register. */
  for (uint32_t i = 0; i < d->xb.num_dpu && !d->dev_fp_known; ++i) {
    char name[96];
    snprintf(name, sizeof name, "%s.fingerprint", d->xb.dpu_cu[i]);
    const char* v = env_get(d, name);
    if (v == NULL) continue;
    uint64_t fp = 0;
    if (vart_stoul(v, &fp) != 0) {
      add(d, PPRT_DOCTOR_FAIL, "dpu", "unset it, or give the fingerprint in decimal",
          "%s=%s is not a decimal number: VART's std::stoul throws and the program terminates", name, v);
      return;
    }
    d->dev_fp = fp;
    d->dev_fp_known = 1;
    snprintf(d->dev_fp_source, sizeof d->dev_fp_source, "environment %.60s", name);
  }
  /* 2. xdputil query (it goes through VART: run it in a child, with a timeout). */
  char out[65536], errbuf[2048], xd[PATH_MAX], note[512] = "";
  at(d, "/usr/bin/xdputil", xd, sizeof xd);
  if (!d->cheap && !d->dev_fp_known && access(xd, X_OK) == 0) {
    char* argv[] = {xd, (char*)"query", NULL};
    int timed_out = 0;
    int st = run_capture(argv, out, sizeof out, errbuf, sizeof errbuf, d->o->timeout_ms, &timed_out);
    size_t pos = 0;
    char val[128];
    if (st >= 0 && !timed_out && WIFEXITED(st) && WEXITSTATUS(st) == 0 && json_next(out, "fingerprint", &pos, val,
                                                                                       sizeof val) == 0) {
      char* end = NULL;
      uint64_t fp = strtoull(val, &end, 16);
      if (end != val) {
        d->dev_fp = fp;
        d->dev_fp_known = 1;
        snprintf(d->dev_fp_source, sizeof d->dev_fp_source, "xdputil query");
      }
      pos = 0;
      if (json_next(out, "DPU Frequency (MHz)", &pos, val, sizeof val) == 0) d->dev_mhz = (uint32_t)atoi(val);
    } else {
      const char* tail = errbuf;
      size_t n = strlen(errbuf);
      while (n > 0 && isspace((unsigned char)errbuf[n - 1])) errbuf[--n] = '\0';
      if (n > 200) tail = errbuf + n - 200;
      snprintf(note, sizeof note, "; xdputil query %s%s%.200s",
               timed_out ? "timed out" : st < 0 ? "could not start"
               : WIFSIGNALED(st) ? "was killed by a signal (VART aborted)"
               : WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "printed no fingerprint (VART's exit(0)?)"
                                                        : "failed",
               tail[0] ? ": " : "", tail);
    }
  }
  if (d->dev_fp_known) {
    d->r->dpu_fingerprint = d->dev_fp;
    pprt_dpu_fingerprint_name(d->dev_fp, d->r->dpu_arch, sizeof d->r->dpu_arch);
  }
  uint32_t mhz = d->dev_mhz ? d->dev_mhz : d->xb.kernel_clock_mhz;
  char clock[48] = "";
  if (mhz) snprintf(clock, sizeof clock, ", %u MHz", mhz);
  if (d->o->dpu_cores > d->xb.num_dpu) {
    char fix[160];
    snprintf(fix, sizeof fix, "use at most %u DPU cores", d->xb.num_dpu);
    add(d, PPRT_DOCTOR_FAIL, "dpu", fix, "dpu_cores %u, but the xclbin has %u DPU core%s", d->o->dpu_cores,
        d->xb.num_dpu, d->xb.num_dpu > 1 ? "s" : "");
    return;
  }
  if (d->dev_fp_known && d->dev_fp == 0)
    add(d, PPRT_DOCTOR_WARN, "dpu", "unset the variable unless you mean to skip VART's check",
        "%u DPU core%s; fingerprint 0 (from %s): VART skips its fingerprint check", d->xb.num_dpu,
        d->xb.num_dpu > 1 ? "s" : "", d->dev_fp_source);
  else if (d->dev_fp_known)
    add(d, PPRT_DOCTOR_PASS, "dpu", NULL, "%u DPU core%s, %s (fingerprint 0x%016" PRIx64 ", from %s)%s",
        d->xb.num_dpu, d->xb.num_dpu > 1 ? "s" : "", d->r->dpu_arch, d->dev_fp, d->dev_fp_source, clock);
  else if (d->cheap)
    add(d, PPRT_DOCTOR_SKIP, "dpu", NULL, "%u DPU core%s; fingerprint not read (preflight)", d->xb.num_dpu,
        d->xb.num_dpu > 1 ? "s" : "");
  else
    add(d, PPRT_DOCTOR_WARN, "dpu",
        "xdputil query (Vitis AI Library usefultools, on the Vitis AI images) reads the DPU's fingerprint; "
        "with a model, the checks also run one job per subgraph, which VART checks",
        "%u DPU core%s%s; the DPU's fingerprint is unknown (%s, no <cu>.fingerprint variable)", d->xb.num_dpu,
        d->xb.num_dpu > 1 ? "s" : "", clock, note[0] ? note + 2 : "no /usr/bin/xdputil");
}

/* ------------------------------------------------------------------ the model */

static void check_model(struct doctor* d) {
  if (d->o->model_dir == NULL) return;
  struct pprt_options po;
  pprt_options_init(&po);
  po.model_dir = d->o->model_dir;
  po.model_name0 = d->o->model_name0;
  po.model_name1 = d->o->model_name1;
  po.runner = PPRT_RUNNER_NONE;
  if (pprt_runtime_create(&po, &d->rt) != PPRT_STATUS_OK) {
    add(d, PPRT_DOCTOR_FAIL, "model", "the CPU runner (PPRT_RUNNER_CPU) gives the same error on any PC",
        "%s", pprt_last_error());
    d->rt = NULL;
    return;
  }
  struct pprt_xmodel_dpu_target* t = (struct pprt_xmodel_dpu_target*)calloc(2, sizeof *t);
  if (t == NULL) return;
  pprt_xmodel_read_dpu_target(d->rt->xm0, &t[0]);
  pprt_xmodel_read_dpu_target(d->rt->xm1, &t[1]);
  snprintf(d->tg_name[0], sizeof d->tg_name[0], "%s", d->rt->name0);
  snprintf(d->tg_name[1], sizeof d->tg_name[1], "%s", d->rt->name1);
  d->tg = t;
  d->ntg = 2;
  char a0[64], a1[64];
  snprintf(a0, sizeof a0, "%s", t[0].dpu_name[0] ? t[0].dpu_name : "no dpu_name");
  snprintf(a1, sizeof a1, "%s", t[1].dpu_name[0] ? t[1].dpu_name : "no dpu_name");
  add(d, PPRT_DOCTOR_PASS, "model", NULL, "%s: %s, %s: %s (prototxt and xmodels agree)", d->rt->name0, a0,
      d->rt->name1, a1);
}

static void check_fingerprint(struct doctor* d) {
  if (d->tg == NULL) return;
  char dev[64];
  pprt_dpu_fingerprint_name(d->dev_fp, dev, sizeof dev);
  for (uint32_t i = 0; i < d->ntg; ++i) {
    d->r->model_fingerprint[i] = d->tg[i].fingerprint;
    const char* name = d->tg_name[i][0] ? d->tg_name[i] : (i == 0 ? "subgraph 0" : "subgraph 1");
    if (!d->tg[i].has_fingerprint || d->tg[i].fingerprint == 0) {
      add(d, PPRT_DOCTOR_WARN, "fingerprint", "compile the model with vai_c_xir for the board's arch.json",
          "%s has no dpu_fingerprint: VART skips its check, and a model compiled for another DPU would run and "
          "compute garbage", name);
      continue;
    }
    char want[64];
    pprt_dpu_fingerprint_name(d->tg[i].fingerprint, want, sizeof want);
    if (!d->dev_fp_known || d->dev_fp == 0) {
      if (!d->cheap)
        add(d, PPRT_DOCTOR_SKIP, "fingerprint", NULL,
            "%s was compiled for %s (0x%016" PRIx64 "); the DPU's fingerprint is unknown, so not compared", name, want,
            d->tg[i].fingerprint);
      continue;
    }
    if (d->tg[i].fingerprint != d->dev_fp) {
      char fix[512];
      snprintf(fix, sizeof fix,
               "use the model compiled for %s (Model Zoo board package for that DPU), or recompile the quantized model "
               "with vai_c_xir -a <arch.json of a %s>; or load firmware whose DPU is a %s", dev, dev, want);
      add(d, PPRT_DOCTOR_FAIL, "fingerprint", fix,
          "%s was compiled for %s (0x%016" PRIx64 "), the DPU is %s (0x%016" PRIx64 "): VART aborts at the first job "
          "(\"fingerprint check failure\", Vitis AI issue 276)", name, want, d->tg[i].fingerprint, dev, d->dev_fp);
      continue;
    }
    add(d, PPRT_DOCTOR_PASS, "fingerprint", NULL, "%s: compiled for %s, the DPU's fingerprint matches", name, want);
  }
}

/* ------------------------------------------------------------------ CMA */

static uint64_t meminfo_kb(const char* text, const char* key) {
  const char* s = strstr(text, key);
  if (s == NULL) return UINT64_MAX;
  s += strlen(key);
  return strtoull(s, NULL, 10);
}

static void check_cma(struct doctor* d) {
  char p[PATH_MAX], text[8192];
  int fd = open(at(d, "/proc/meminfo", p, sizeof p), O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
  if (fd >= 0) close(fd);
  if (n <= 0) {
    add(d, PPRT_DOCTOR_WARN, "cma", NULL, "cannot read /proc/meminfo");
    return;
  }
  text[n] = '\0';
  uint64_t total = meminfo_kb(text, "CmaTotal:"), avail = meminfo_kb(text, "CmaFree:");
  if (total == UINT64_MAX || avail == UINT64_MAX || total == 0) {
    add(d, PPRT_DOCTOR_FAIL, "cma", "boot with a CMA pool: cma=512M (or more) in the kernel bootargs",
        "no CMA (no CmaTotal in /proc/meminfo): zocl allocates every DPU buffer from CMA");
    return;
  }
  uint32_t runners = d->o->dpu_cores ? d->o->dpu_cores : 1;
  uint64_t need = 0;
  if (d->rt != NULL && d->tg != NULL) {
    const pprt_xmodel* xm[2] = {d->rt->xm0, d->rt->xm1};
    for (uint32_t i = 0; i < 2; ++i) {
      uint64_t data = d->tg[i].data_bytes;
      if (data == 0) { /* no register sizes (a pprt-genmodel model): its input and output tensors */
        for (uint32_t k = 0; k < pprt_xmodel_num_inputs(xm[i]); ++k) data += pprt_xmodel_input(xm[i], k)->elements;
        for (uint32_t k = 0; k < pprt_xmodel_num_outputs(xm[i]); ++k) data += pprt_xmodel_output(xm[i], k)->elements;
      }
      need += (d->tg[i].const_bytes + d->tg[i].code_bytes + data) * runners;
    }
  }
  double mib = 1.0 / 1024.0;
  if (need == 0) {
    add(d, PPRT_DOCTOR_PASS, "cma", NULL, "CMA %.0f MiB free of %.0f MiB (give a model to compare with its needs)",
        avail * mib, total * mib);
    return;
  }
  double need_mib = need / 1048576.0;
  if (need / 1024 > avail) {
    add(d, PPRT_DOCTOR_FAIL, "cma",
        "boot with a bigger CMA pool (kernel bootargs cma=1024M: petalinux-config -> DTG settings -> bootargs, or "
        "U-Boot's bootargs), or stop other DPU programs",
        "%u runner%s per subgraph need about %.1f MiB of CMA (weights, code, feature maps), %.1f MiB free of %.0f MiB",
        runners, runners > 1 ? "s" : "", need_mib, avail * mib, total * mib);
    return;
  }
  add(d, PPRT_DOCTOR_PASS, "cma", NULL, "%u runner%s per subgraph need about %.1f MiB of CMA; %.0f MiB free of %.0f MiB",
      runners, runners > 1 ? "s" : "", need_mib, avail * mib, total * mib);
}

/* ------------------------------------------------------------------ CPU */

static void check_cpu(struct doctor* d) {
  char p[PATH_MAX], gov[64], first_gov[64] = "", cur[32], max[32], odd[256] = "";
  unsigned ncpu = 0, nfreq = 0, slow = 0;
  double cur_mhz = 0, max_mhz = 0;
  DIR* dd = opendir(at(d, "/sys/devices/system/cpu", p, sizeof p));
  if (dd == NULL) {
    add(d, PPRT_DOCTOR_WARN, "cpu", NULL, "no /sys/devices/system/cpu");
    return;
  }
  struct dirent* e;
  while ((e = readdir(dd)) != NULL) {
    if (strncmp(e->d_name, "cpu", 3) != 0 || !isdigit((unsigned char)e->d_name[3])) continue;
    ++ncpu;
    char f[PATH_MAX + 300];
    snprintf(f, sizeof f, "%s/%s/cpufreq/scaling_governor", p, e->d_name);
    if (read_text(f, gov, sizeof gov) != 0) continue;
    ++nfreq;
    if (first_gov[0] == '\0') snprintf(first_gov, sizeof first_gov, "%s", gov);
    if (strcmp(gov, "performance") != 0) {
      ++slow;
      size_t used = strlen(odd);
      snprintf(odd + used, sizeof odd - used, "%s%.16s %.16s", used ? ", " : "", e->d_name, gov);
    }
    snprintf(f, sizeof f, "%s/%s/cpufreq/scaling_cur_freq", p, e->d_name);
    if (read_text(f, cur, sizeof cur) == 0 && cur_mhz == 0) cur_mhz = atof(cur) / 1000.0;
    snprintf(f, sizeof f, "%s/%s/cpufreq/cpuinfo_max_freq", p, e->d_name);
    if (read_text(f, max, sizeof max) == 0 && max_mhz == 0) max_mhz = atof(max) / 1000.0;
  }
  closedir(dd);
  if (nfreq == 0)
    add(d, PPRT_DOCTOR_PASS, "cpu", NULL, "%u CPUs, no cpufreq (fixed clock)", ncpu);
  else if (slow > 0)
    add(d, PPRT_DOCTOR_WARN, "cpu",
        "for benchmarks: echo performance | sudo tee /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor",
        "%u CPUs; governor not performance (%s); cpu clock %.0f of %.0f MHz now: timings vary with load", ncpu, odd,
        cur_mhz, max_mhz);
  else
    add(d, PPRT_DOCTOR_PASS, "cpu", NULL, "%u CPUs, governor %s, %.0f of %.0f MHz", ncpu, first_gov, cur_mhz,
        max_mhz);
}

/* ------------------------------------------------------------------ display (pprt run --display) */

static int cmp_str(const void* a, const void* b) { return strcmp((const char*)a, (const char*)b); }

/* A desktop or compositor process holding the display (DRM master): pprt run --display cannot set a mode then. */
static int desktop_process(const struct doctor* d, char* name, size_t cap, long* pid) {
  static const char* const known[] = {"Xorg", "X", "Xwayland", "weston", "gnome-shell", "kwin_wayland", "sway",
                                      "matchbox-window", "matchbox-deskto", "lightdm", "gdm-x-session", NULL};
  char p[PATH_MAX];
  DIR* dd = opendir(at(d, "/proc", p, sizeof p));
  if (dd == NULL) return 0;
  struct dirent* e;
  int found = 0;
  while (!found && (e = readdir(dd)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0])) continue;
    char f[PATH_MAX + 300], comm[64];
    snprintf(f, sizeof f, "%s/%s/comm", p, e->d_name);
    if (read_text(f, comm, sizeof comm) != 0) continue;
    for (int i = 0; known[i] != NULL && !found; ++i)
      if (strcmp(comm, known[i]) == 0) {
        snprintf(name, cap, "%s", comm);
        *pid = atol(e->d_name);
        found = 1;
      }
  }
  closedir(dd);
  return found;
}

/* The display connectors the kernel lists in /sys/class/drm/card<N>-<connector>/ (status, modes). Reads sysfs only:
 * no DRM device is opened, nothing on screen changes. docs/DOCTOR.md "display". */
static void check_display(struct doctor* d) {
  char p[PATH_MAX];
  char names[16][64];
  unsigned n = 0;
  DIR* dd = opendir(at(d, "/sys/class/drm", p, sizeof p));
  if (dd != NULL) {
    struct dirent* e;
    while ((e = readdir(dd)) != NULL && n < 16) {
      const char* dash = strchr(e->d_name, '-');
      if (strncmp(e->d_name, "card", 4) != 0 || !isdigit((unsigned char)e->d_name[4]) || dash == NULL) continue;
      if (strlen(e->d_name) >= sizeof names[0]) continue;
      snprintf(names[n++], sizeof names[0], "%.63s", e->d_name);
    }
    closedir(dd);
  }
  if (n == 0) {
    add(d, PPRT_DOCTOR_WARN, "display",
        "only the live display output (KMS) needs one: the display driver (ZCU104 / KV260: zynqmp-dpsub) lists its "
        "DisplayPort / HDMI connectors here",
        "no display connector in /sys/class/drm: no live display output");
    return;
  }
  qsort(names, n, sizeof names[0], cmp_str);
  char connected[512] = "", others[512] = "";
  unsigned nconn = 0;
  for (unsigned i = 0; i < n; ++i) {
    char f[PATH_MAX + 160], status[32], modes[4096];
    snprintf(f, sizeof f, "%s/%.63s/status", p, names[i]);
    if (read_text(f, status, sizeof status) != 0) snprintf(status, sizeof status, "unknown");
    const char* conn = strchr(names[i], '-') + 1; /* "DP-1" of "card1-DP-1" */
    char card[16];
    snprintf(card, sizeof card, "%.*s", (int)(conn - 1 - names[i]), names[i]);
    if (strcmp(status, "connected") == 0) {
      snprintf(f, sizeof f, "%s/%.63s/modes", p, names[i]);
      unsigned nmodes = 0;
      char first[64] = "";
      if (read_text(f, modes, sizeof modes) == 0 && modes[0] != '\0') {
        size_t len = strcspn(modes, "\n");
        snprintf(first, sizeof first, "%.*s", (int)(len < 40 ? len : 40), modes);
        for (const char* q = modes; q != NULL && *q; q = strchr(q, '\n'), q = q ? q + 1 : NULL) ++nmodes;
      }
      size_t used = strlen(connected);
      if (first[0])
        snprintf(connected + used, sizeof connected - used, "%s%s connected (%s), %s preferred of %u mode%s",
                 used ? "; " : "", conn, card, first, nmodes, nmodes == 1 ? "" : "s");
      else
        snprintf(connected + used, sizeof connected - used, "%s%s connected (%s), no modes read (EDID?)",
                 used ? "; " : "", conn, card);
      ++nconn;
    } else {
      size_t used = strlen(others);
      snprintf(others + used, sizeof others - used, "%s%s %s", used ? ", " : "", conn, status);
    }
  }
  if (nconn == 0) {
    add(d, PPRT_DOCTOR_WARN, "display",
        "only the live display output (KMS) needs one: plug a monitor into the DisplayPort (ZCU104; KV260: HDMI or "
        "DisplayPort) and power it on before booting or running",
        "no display connected (%s)", others);
    return;
  }
  char who[64];
  long pid = 0;
  if (desktop_process(d, who, sizeof who, &pid)) {
    add(d, PPRT_DOCTOR_WARN, "display",
        "the live display output (KMS) needs the display to itself: stop the desktop first (board/ZCU104.md, "
        "board/KV260.md)",
        "%s%s%s; %s (pid %ld) holds it, so the live display output cannot set a mode", connected,
        others[0] ? "; " : "", others, who, pid);
    return;
  }
  add(d, PPRT_DOCTOR_PASS, "display", NULL, "%s%s%s: the live display output (KMS) can use it", connected,
      others[0] ? "; " : "", others);
}

/* ------------------------------------------------------------------ VART / XIR */

static void lib_version(const char* soname, char* out, size_t cap) {
  snprintf(out, cap, "not loaded");
  void* h = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
  if (h == NULL) return;
  const char* (*fn)(void) = NULL;
  *(void**)(&fn) = dlsym(h, "xilinx_version");
  if (fn != NULL) {
    const char* v = fn();
    snprintf(out, cap, "%s", v != NULL ? v : "?");
    size_t n = strlen(out);
    while (n > 0 && isspace((unsigned char)out[n - 1])) out[--n] = '\0';
  } else {
    snprintf(out, cap, "loaded (no xilinx_version)");
  }
  dlclose(h);
}

static void check_vart(struct doctor* d) {
  char vart[160], xir[160];
  lib_version("libvart-runner.so.2", vart, sizeof vart);
  lib_version("libxir.so.2", xir, sizeof xir);
  if (strstr(vart, "2.5.") == NULL)
    add(d, PPRT_DOCTOR_WARN, "vart", "pprt is built and tested against VART / XIR 2.5 (Vitis AI 2.5)",
        "pprt is linked with %s; %s", vart, xir);
  else
    add(d, PPRT_DOCTOR_PASS, "vart", NULL, "%s; %s", vart, xir);
}

/* ------------------------------------------------------------------ one job per subgraph, in a child */

static int job_child(struct doctor* d, int fd) {
  const pprt_xmodel* xm[2] = {d->rt->xm0, d->rt->xm1};
  for (int i = 0; i < 2; ++i) {
    struct pprt_err err;
    struct pprt_backend* r = NULL;
    double t0 = pprt_now_ms();
    /* job_runner_lib (pprt/doctor.h): NULL for the DPU, else a runner plugin */
    enum pprt_status s = pprt_backend_create(d->o->job_runner_lib ? PPRT_RUNNER_CPU : PPRT_RUNNER_DPU, xm[i],
                                             d->o->job_runner_lib, &r, &err);
    if (s == PPRT_STATUS_OK) s = pprt_backend_run(r, &err);
    double t1 = pprt_now_ms();
    char line[1200];
    int n = s == PPRT_STATUS_OK ? snprintf(line, sizeof line, "ok %d %.1f\n", i, t1 - t0)
                                : snprintf(line, sizeof line, "fail %d %s\n", i, err.msg);
    if (n > 0 && write(fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1)) < 0) return 3;
    pprt_backend_destroy(r);
    if (s != PPRT_STATUS_OK) return 1;
  }
  return write(fd, "done\n", 5) == 5 ? 0 : 3;
}

static void check_jobs(struct doctor* d) {
  if (!d->o->run_jobs) return;
  if (d->rt == NULL) {
    add(d, PPRT_DOCTOR_SKIP, "jobs", NULL, "no model given");
    return;
  }
  if (d->o->job_runner_lib == NULL && d->root[0] != '\0') {
    add(d, PPRT_DOCTOR_SKIP, "jobs", NULL, "root is not /: VART would use this system, not the board tree");
    return;
  }
  if (d->o->job_runner_lib == NULL && has_fail(d)) {
    add(d, PPRT_DOCTOR_SKIP, "jobs", NULL, "not run: VART would abort or exit on the failures above; fix them first");
    return;
  }
  int pr[2], pe[2];
  if (pipe(pr) != 0 || pipe(pe) != 0) {
    add(d, PPRT_DOCTOR_WARN, "jobs", NULL, "cannot create a pipe: %s", strerror(errno));
    return;
  }
  fflush(stdout);
  fflush(stderr);
  double t0 = pprt_now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    add(d, PPRT_DOCTOR_WARN, "jobs", NULL, "cannot fork: %s", strerror(errno));
    close(pr[0]); close(pr[1]); close(pe[0]); close(pe[1]);
    return;
  }
  if (pid == 0) {
    close(pr[0]);
    close(pe[0]);
    dup2(pe[1], 2);
    dup2(pe[1], 1);
    _exit(job_child(d, pr[1]));
  }
  close(pr[1]);
  close(pe[1]);
  char res[4096] = "", errbuf[2048] = "";
  int timed_out = 0;
  int st = drain_child(pid, pr[0], res, sizeof res, pe[0], errbuf, sizeof errbuf, t0 + d->o->timeout_ms, &timed_out);
  size_t n = strlen(errbuf);
  while (n > 0 && isspace((unsigned char)errbuf[n - 1])) errbuf[--n] = '\0';
  const char* tail = n > 300 ? errbuf + n - 300 : errbuf;
  const char* fix = "the other checks name the usual causes; run the failing command with GLOG_v=1";
  if (timed_out) {
    add(d, PPRT_DOCTOR_FAIL, "jobs", "a DPU that never finishes usually means the PL does not hold the xclbin's "
                                     "design: reload the app / check the xclbin",
        "no result after %u ms (the job hung; killed)%s%s", d->o->timeout_ms, tail[0] ? ": " : "", tail);
  } else if (strstr(res, "done\n") != NULL && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    double ms0 = 0, ms1 = 0;
    const char* s0 = strstr(res, "ok 0 ");
    const char* s1 = strstr(res, "ok 1 ");
    if (s0) ms0 = atof(s0 + 5);
    if (s1) ms1 = atof(s1 + 5);
    add(d, PPRT_DOCTOR_PASS, "jobs", NULL, "one job per subgraph ran (%s): subgraph 0 %.1f ms, subgraph 1 %.1f ms "
                                           "(runner creation included)",
        d->o->job_runner_lib ? d->o->job_runner_lib : "DPU", ms0, ms1);
  } else if (strstr(res, "fail ") != NULL) {
    const char* f = strstr(res, "fail ");
    char msg[1100];
    snprintf(msg, sizeof msg, "%.*s", (int)strcspn(f + 5, "\n"), f + 5);
    add(d, PPRT_DOCTOR_FAIL, "jobs", fix, "subgraph %s", msg);
  } else if (WIFSIGNALED(st)) {
    add(d, PPRT_DOCTOR_FAIL, "jobs", fix, "the child was killed by signal %d (%s) before finishing: VART aborted%s%s",
        WTERMSIG(st), strsignal(WTERMSIG(st)), tail[0] ? ": " : "", tail);
  } else {
    add(d, PPRT_DOCTOR_FAIL, "jobs", fix, "the child exited with status %d before finishing (VART calls exit() on a "
                                          "missing xclbin)%s%s",
        WIFEXITED(st) ? WEXITSTATUS(st) : -1, tail[0] ? ": " : "", tail);
  }
}

/* ------------------------------------------------------------------ entry points */

static enum pprt_status run(const struct pprt_doctor_options* opts, const struct pprt_xmodel_dpu_target* tg,
                            const char* tg_name, int cheap, struct pprt_doctor_report* report) {
  if (opts == NULL || report == NULL) {
    pprt_set_last_error("pprt_doctor_run: NULL argument");
    return PPRT_STATUS_INVALID_ARGUMENT;
  }
  memset(report, 0, sizeof *report);
  struct pprt_doctor_options o = *opts;
  if (o.timeout_ms == 0) o.timeout_ms = 60000;
  char root[PATH_MAX] = "";
  if (o.root != NULL && o.root[0] != '\0') {
    snprintf(root, sizeof root, "%s", o.root);
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/') root[--n] = '\0';
    if (n > 0 && !is_dir(root)) {
      pprt_set_last_error("pprt_doctor_run: root is not a folder");
      return PPRT_STATUS_INVALID_ARGUMENT;
    }
  }
  struct doctor d;
  memset(&d, 0, sizeof d);
  d.o = &o;
  d.r = report;
  d.root = root;
  d.cheap = cheap;
  if (tg != NULL) {
    d.tg = tg;
    d.ntg = 1;
    snprintf(d.tg_name[0], sizeof d.tg_name[0], "%s", tg_name != NULL ? tg_name : "the subgraph");
  }
  check_board(&d);
  check_zocl(&d);
  check_render_node(&d);
  if (!cheap) check_pl(&d);
  check_app(&d);
  check_xclbin(&d);
  check_dpu(&d);
  if (!cheap) check_model(&d);
  check_fingerprint(&d);
  if (!cheap) {
    check_cma(&d);
    check_cpu(&d);
    check_display(&d);
    check_vart(&d);
    check_jobs(&d);
  }
  if (d.rt != NULL) {
    free((void*)d.tg);
    pprt_runtime_destroy(d.rt);
  }
  return PPRT_STATUS_OK;
}

void pprt_doctor_options_init(struct pprt_doctor_options* opts) {
  if (opts != NULL) memset(opts, 0, sizeof *opts);
}

enum pprt_status pprt_doctor_run(const struct pprt_doctor_options* opts, struct pprt_doctor_report* report) {
  return run(opts, NULL, NULL, 0, report);
}

const char* pprt_doctor_verdict_str(enum pprt_doctor_verdict v) {
  switch (v) {
    case PPRT_DOCTOR_PASS: return "PASS";
    case PPRT_DOCTOR_SKIP: return "SKIP";
    case PPRT_DOCTOR_WARN: return "WARN";
    case PPRT_DOCTOR_FAIL: return "FAIL";
  }
  return "?";
}

enum pprt_status pprt_dpu_preflight_at(const char* root, const char* const* env, const pprt_xmodel* model,
                                       struct pprt_err* err) {
  struct pprt_xmodel_dpu_target target;
  pprt_xmodel_read_dpu_target(model, &target);
  struct pprt_doctor_report* r = (struct pprt_doctor_report*)malloc(sizeof *r);
  if (r == NULL) return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "out of memory");
  struct pprt_doctor_options o;
  pprt_doctor_options_init(&o);
  o.root = root;
  o.env = env;
  enum pprt_status st = run(&o, model != NULL ? &target : NULL, model != NULL ? pprt_xmodel_subgraph_name(model) : NULL, 1, r);
  if (st == PPRT_STATUS_OK) {
    for (uint32_t i = 0; i < r->count; ++i) {
      const struct pprt_doctor_check* c = &r->checks[i];
      if (c->verdict != PPRT_DOCTOR_FAIL) continue;
      st = pprt_fail(err, PPRT_STATUS_UNAVAILABLE, "no DPU found: %s: %s%s%s (pprt_doctor_run checks the board; "
                                                   "the CPU and dummy runners need no DPU)",
                     c->name, c->message, c->fix[0] ? ". Fix: " : "", c->fix);
      break;
    }
  } else {
    st = pprt_fail(err, st, "%s", pprt_last_error());
  }
  free(r);
  return st;
}

enum pprt_status pprt_dpu_preflight(const pprt_xmodel* model, struct pprt_err* err) {
  return pprt_dpu_preflight_at(NULL, NULL, model, err);
}
