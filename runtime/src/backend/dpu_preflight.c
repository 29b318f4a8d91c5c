/* DPU probe: find a DRM node whose driver is "zocl" (XRT's Zynq driver, which the DPU runner needs).
 * First sysfs (no device access needed: /sys/class/drm/<node>/device/driver -> .../zocl), then the device nodes
 * themselves through libdrm's drmGetVersion (when built with libdrm). */
#include "backend/dpu_preflight.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* 1 as soon as fn says the DRM node dir/<name> is zocl's (fn fills desc), 0 if none or dir cannot be read. */
typedef int (*pprt_drm_node_fn)(const char* dir, const char* node, char* desc, size_t cap);
static int any_drm_node(const char* dir, pprt_drm_node_fn fn, char* desc, size_t cap) {
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  struct dirent* e;
  while (!found && (e = readdir(d)) != NULL)
    if (is_drm_node_name(e->d_name)) found = fn(dir, e->d_name, desc, cap);
  closedir(d);
  return found;
}

/* sysfs: <dir>/<node>/device/driver is a symlink whose last component is the driver name. */
static int sysfs_node_is_zocl(const char* dir, const char* node, char* desc, size_t cap) {
  char link[PATH_MAX];
  char target[PATH_MAX];
  int n = snprintf(link, sizeof link, "%s/%s/device/driver", dir, node);
  if (n < 0 || (size_t)n >= sizeof link) return 0;
  ssize_t len = readlink(link, target, sizeof target - 1);
  if (len <= 0) return 0;
  target[len] = '\0';
  const char* base = strrchr(target, '/');
  base = base != NULL ? base + 1 : target;
  /* zocl's platform driver is "zocl-drm" (XRT 2020.1 .. 2022.1); its DRM driver name is "zocl" */
  if (strcmp(base, PPRT_ZOCL) != 0 && strcmp(base, "zocl-drm") != 0) return 0;
  put_desc(desc, cap, "zocl driver on %s/%s", dir, node);
  return 1;
}

#if defined(PPRT_HAVE_LIBDRM)
/* /dev/dri: open the node and ask the kernel for the driver name. */
static int devnode_is_zocl(const char* dir, const char* node, char* desc, size_t cap) {
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/%s", dir, node);
  if (n < 0 || (size_t)n >= sizeof path) return 0;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int found = 0;
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
  return found;
}
#endif

int pprt_dpu_probe_at(const char* sys_class_drm, const char* dev_dri, char* desc, size_t cap) {
  if (sys_class_drm != NULL && any_drm_node(sys_class_drm, sysfs_node_is_zocl, desc, cap)) return 1;
#if defined(PPRT_HAVE_LIBDRM)
  if (dev_dri != NULL && any_drm_node(dev_dri, devnode_is_zocl, desc, cap)) return 1;
#endif
  put_desc(desc, cap, "no zocl device under %s or %s", sys_class_drm != NULL ? sys_class_drm : "(none)",
           dev_dri != NULL ? dev_dri : "(none)");
  return 0;
}

int pprt_dpu_probe(char* desc, size_t cap) { return pprt_dpu_probe_at("/sys/class/drm", "/dev/dri", desc, cap); }

/* ---- is a runner library VART's DPU runner? (without loading it) ---- */

#define PPRT_DPU_RUNNER_NAME "libvart-dpu-runner.so"

static int names_dpu_runner(const char* path) {
  const char* base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  return strncmp(base, PPRT_DPU_RUNNER_NAME, sizeof PPRT_DPU_RUNNER_NAME - 1) == 0;
}

static int read_at(int fd, void* buf, size_t n, uint64_t off) {
  if (off > (uint64_t)INT64_MAX) return 0;
  return pread(fd, buf, n, (off_t)off) == (ssize_t)n;
}

/* DT_SONAME of a 64-bit little-endian ELF shared object (the only kind pprt's targets load) into name; 1 if found.
 * Bounded reads only: every offset and count is checked against the file size. */
static int elf_soname(int fd, char* name, size_t cap) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  const uint64_t size = (uint64_t)st.st_size;
  Elf64_Ehdr eh;
  if (!read_at(fd, &eh, sizeof eh, 0)) return 0;
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
    return 0;
  uint64_t dyn_off = 0, dyn_size = 0;
  Elf64_Phdr loads[32];
  unsigned nload = 0;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_at(fd, &ph, sizeof ph, eh.e_phoff + (uint64_t)i * sizeof ph)) return 0;
    if (ph.p_type == PT_DYNAMIC) { dyn_off = ph.p_offset; dyn_size = ph.p_filesz; }
    if (ph.p_type == PT_LOAD && nload < 32) loads[nload++] = ph;
  }
  if (dyn_size == 0 || dyn_off > size || dyn_size > size - dyn_off || dyn_size > (1u << 20)) return 0;
  uint64_t strtab = 0, soname = UINT64_MAX;
  for (uint64_t off = dyn_off; off + sizeof(Elf64_Dyn) <= dyn_off + dyn_size; off += sizeof(Elf64_Dyn)) {
    Elf64_Dyn d;
    if (!read_at(fd, &d, sizeof d, off)) return 0;
    if (d.d_tag == DT_NULL) break;
    if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
    if (d.d_tag == DT_SONAME) soname = d.d_un.d_val;
  }
  if (strtab == 0 || soname == UINT64_MAX) return 0;
  /* DT_STRTAB is a virtual address: the PT_LOAD segment holding it gives the file offset */
  for (unsigned i = 0; i < nload; ++i) {
    const Elf64_Phdr* ph = &loads[i];
    if (strtab < ph->p_vaddr || strtab - ph->p_vaddr >= ph->p_filesz) continue;
    const uint64_t str_off = ph->p_offset + (strtab - ph->p_vaddr);
    if (soname > UINT64_MAX - str_off || str_off + soname >= size) return 0;
    const uint64_t avail = size - (str_off + soname);
    const size_t n = avail < cap ? (size_t)avail : cap;
    if (n == 0) return 0;
    ssize_t got = pread(fd, name, n, (off_t)(str_off + soname));
    if (got <= 0) return 0;
    if (memchr(name, '\0', (size_t)got) == NULL) return 0;   /* longer than cap, or cut: not a name we look for */
    return 1;
  }
  return 0;
}

int pprt_lib_is_vart_dpu_runner(const char* lib) {
  if (lib == NULL || lib[0] == '\0') return 0;
  if (names_dpu_runner(lib)) return 1;
  if (strchr(lib, '/') == NULL) return 0;   /* a bare name of another library: dlopen's search, nothing to open */
  char real[PATH_MAX];
  if (realpath(lib, real) != NULL && names_dpu_runner(real)) return 1;
  int fd = open(lib, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char so[256];
  const int found = elf_soname(fd, so, sizeof so) && names_dpu_runner(so);
  close(fd);
  return found;
}
