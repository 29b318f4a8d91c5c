/* xclbin reader for pprt doctor and the DPU preflight: see xclbin.h for the layout. Reads with pread, never maps the
 * file (a firmware xclbin can carry a multi-megabyte bitstream), and checks every offset against the file size. */
#include "xclbin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define AXLF_SIZE 496u
#define HDR_LENGTH 304u
#define HDR_PLATFORM 352u
#define HDR_UUID 416u
#define HDR_NUM_SECTIONS 448u
#define SECTIONS_AT 456u
#define SECTION_SIZE 40u
#define IP_DATA_SIZE 80u
#define CLOCK_SIZE 136u
#define IP_KERNEL 1u
#define CT_DATA 1u
#define CT_KERNEL 2u
#define MAX_SECTIONS 4096u

static uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

static int read_at(int fd, uint64_t off, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, (char*)buf + got, n - got, (off_t)(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

struct cu {
  uint64_t base;
  char name[65];
};

static int by_base(const void* a, const void* b) {
  const struct cu* x = a;
  const struct cu* y = b;
  return x->base < y->base ? -1 : x->base > y->base;
}

static enum pprt_status read_ip_layout(int fd, const char* path, uint64_t off, uint64_t size,
                                       struct pprt_xclbin_info* o, struct pprt_err* err) {
  uint8_t b[IP_DATA_SIZE];
  if (size < 8 || read_at(fd, off, b, 4) != 0)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: IP_LAYOUT section is truncated", path);
  int32_t count = (int32_t)(uint32_t)le(b, 4);
  if (count < 0 || (uint64_t)count > (size - 8) / IP_DATA_SIZE)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: IP_LAYOUT claims %d entries, its %llu bytes hold %llu", path,
                     count, (unsigned long long)size, (unsigned long long)((size - 8) / IP_DATA_SIZE));
  struct cu upper[PPRT_XCLBIN_MAX_CUS], lower[PPRT_XCLBIN_MAX_CUS];
  uint32_t nu = 0, nl = 0;
  for (int32_t i = 0; i < count; ++i) {
    if (read_at(fd, off + 8 + (uint64_t)i * IP_DATA_SIZE, b, sizeof b) != 0)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: IP_LAYOUT entry %d cannot be read", path, i);
    if (le(b, 4) != IP_KERNEL) continue;
    o->num_kernels++;
    struct cu c;
    c.base = le(b + 8, 8);
    memcpy(c.name, b + 16, 64);
    c.name[64] = '\0';
    if (strncmp(c.name, "DPU", 3) == 0 && nu < PPRT_XCLBIN_MAX_CUS) upper[nu++] = c;
    else if (strncmp(c.name, "dpu", 3) == 0 && nl < PPRT_XCLBIN_MAX_CUS) lower[nl++] = c;
  }
  /* VART asks for the CUs named "DPU..." first and falls back to "dpu..." only if there are none. */
  struct cu* use = nu > 0 ? upper : lower;
  uint32_t n = nu > 0 ? nu : nl;
  qsort(use, n, sizeof *use, by_base);
  o->num_dpu = n;
  for (uint32_t i = 0; i < n; ++i) memcpy(o->dpu_cu[i], use[i].name, sizeof o->dpu_cu[i]);
  return PPRT_STATUS_OK;
}

static enum pprt_status read_clocks(int fd, const char* path, uint64_t off, uint64_t size,
                                    struct pprt_xclbin_info* o, struct pprt_err* err) {
  uint8_t b[CLOCK_SIZE];
  if (size < 2 || read_at(fd, off, b, 2) != 0)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: CLOCK_FREQ_TOPOLOGY section is truncated", path);
  int16_t count = (int16_t)(uint16_t)le(b, 2);
  if (count < 0 || (uint64_t)count > (size - 2) / CLOCK_SIZE)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: CLOCK_FREQ_TOPOLOGY claims %d clocks in %llu bytes", path,
                     count, (unsigned long long)size);
  for (int16_t i = 0; i < count; ++i) {
    if (read_at(fd, off + 2 + (uint64_t)i * CLOCK_SIZE, b, sizeof b) != 0)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: clock %d cannot be read", path, i);
    uint32_t mhz = (uint32_t)le(b, 2);
    if (b[2] == CT_KERNEL && o->kernel_clock_mhz == 0) o->kernel_clock_mhz = mhz;
    if (b[2] == CT_DATA && o->data_clock_mhz == 0) o->data_clock_mhz = mhz;
  }
  o->has_clock_freq = 1;
  return PPRT_STATUS_OK;
}

static enum pprt_status parse(int fd, const char* path, struct pprt_xclbin_info* o, struct pprt_err* err) {
  struct stat st;
  if (fstat(fd, &st) != 0) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: %s", path, strerror(errno));
  o->file_size = (uint64_t)st.st_size;
  if (o->file_size == 0) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s is empty", path);
  uint8_t h[SECTIONS_AT];
  memset(h, 0, sizeof h);
  if (read_at(fd, 0, h, o->file_size < 8 ? (size_t)o->file_size : 8) != 0)
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot read: %s", path, strerror(errno));
  if (memcmp(h, "xclbin2", 8) != 0) {
    char shown[9];
    for (int i = 0; i < 8; ++i) shown[i] = h[i] >= 32 && h[i] < 127 ? (char)h[i] : '.';
    shown[8] = '\0';
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: magic is \"%s\", not \"xclbin2\" (not an xclbin)", path, shown);
  }
  if (o->file_size < SECTIONS_AT || read_at(fd, 0, h, sizeof h) != 0)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: %llu bytes, shorter than an xclbin header (%u)", path,
                     (unsigned long long)o->file_size, SECTIONS_AT);
  o->length = le(h + HDR_LENGTH, 8);
  memcpy(o->uuid, h + HDR_UUID, 16);
  snprintf(o->uuid_str, sizeof o->uuid_str,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", o->uuid[0], o->uuid[1], o->uuid[2],
           o->uuid[3], o->uuid[4], o->uuid[5], o->uuid[6], o->uuid[7], o->uuid[8], o->uuid[9], o->uuid[10],
           o->uuid[11], o->uuid[12], o->uuid[13], o->uuid[14], o->uuid[15]);
  memcpy(o->platform, h + HDR_PLATFORM, 64);
  o->platform[64] = '\0';
  o->num_sections = (uint32_t)le(h + HDR_NUM_SECTIONS, 4);
  if (o->length > o->file_size)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: truncated: the header says %llu bytes, the file has %llu",
                     path, (unsigned long long)o->length, (unsigned long long)o->file_size);
  if (o->num_sections == 0 || o->num_sections > MAX_SECTIONS ||
      SECTIONS_AT + (uint64_t)o->num_sections * SECTION_SIZE > o->file_size)
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: %u sections do not fit in %llu bytes", path,
                     o->num_sections, (unsigned long long)o->file_size);
  for (uint32_t i = 0; i < o->num_sections; ++i) {
    uint8_t s[SECTION_SIZE];
    if (read_at(fd, SECTIONS_AT + (uint64_t)i * SECTION_SIZE, s, sizeof s) != 0)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: section header %u cannot be read", path, i);
    uint32_t kind = (uint32_t)le(s, 4);
    uint64_t off = le(s + 24, 8), size = le(s + 32, 8);
    if (off > o->file_size || size > o->file_size - off)
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: section %u (kind %u) at %llu + %llu lies outside the file",
                       path, i, kind, (unsigned long long)off, (unsigned long long)size);
    enum pprt_status r = PPRT_STATUS_OK;
    if (kind == PPRT_XCLBIN_SECTION_IP_LAYOUT && !o->has_ip_layout) {
      o->has_ip_layout = 1;
      r = read_ip_layout(fd, path, off, size, o, err);
    } else if (kind == PPRT_XCLBIN_SECTION_CLOCK_FREQ && !o->has_clock_freq) {
      r = read_clocks(fd, path, off, size, o, err);
    } else if (kind == PPRT_XCLBIN_SECTION_MEM_TOPOLOGY) {
      o->has_mem_topology = 1;
    } else if (kind == PPRT_XCLBIN_SECTION_BITSTREAM) {
      o->has_bitstream = 1;
    }
    if (r != PPRT_STATUS_OK) return r;
  }
  return PPRT_STATUS_OK;
}

enum pprt_status pprt_xclbin_read(const char* path, struct pprt_xclbin_info* out, struct pprt_err* err) {
  if (path == NULL || out == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_xclbin_read: NULL argument");
  memset(out, 0, sizeof *out);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "cannot open %s: %s", path, strerror(errno));
  enum pprt_status st = parse(fd, path, out, err);
  close(fd);
  return st;
}
