/* Point input: reusable point buffers and the point-file readers (nuScenes .pcd.bin, KITTI .bin, PCD v0.7) and the
 * Vitis AI Library multi-sweep .info reader.
 *
 * A cloud owns one 64-byte aligned buffer of max_points x 5 floats and one fixed chunk buffer (text lines and binary
 * PCD records go through it), both allocated at create; loading a file allocates nothing besides what stdio needs.
 * Every public function returns a status and, on failure, sets the thread's last error to one message naming the file
 * (and the line for text formats). No file content makes a reader crash, read out of bounds or leak. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pprt_common/error.h"
#include "pprt_common/fileio.h"
#include "pprt/pprt.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "the point readers assume a little-endian host (the files are little-endian float32)"
#endif

#define CLOUD_ALIGN 64u
#define CLOUD_STRIDE 5u
#define CLOUD_CHUNK_BYTES (64u * 1024u) /* text line / binary record buffer */
#define PCD_MAX_FIELDS 64
#define PCD_MAX_NAME 32
#define PCD_MAX_COUNT 65536u
#define INFO_LINE_MAX 4096
#define INFO_PATH_MAX 4096
#define ROTATION_TOL 1e-3

struct pprt_cloud {
  float* data;       /* capacity x 5 floats, 64-byte aligned */
  uint32_t capacity; /* points */
  uint32_t count;    /* points currently loaded */
  char* chunk;       /* CLOUD_CHUNK_BYTES */
};

/* ------------------------------------------------------------------ sweeps */

static void sweep_identity(struct pprt_sweep* sweep, const float* points, uint32_t num_points, uint32_t point_stride,
                           int64_t timestamp_us) {
  memset(sweep, 0, sizeof *sweep);
  sweep->points = points;
  sweep->num_points = num_points;
  sweep->point_stride = point_stride;
  sweep->rotation[0] = sweep->rotation[4] = sweep->rotation[8] = 1.0f;
  sweep->timestamp_us = timestamp_us;
}

void pprt_sweep_init(struct pprt_sweep* sweep, const float* points, uint32_t num_points, uint32_t point_stride,
                     int64_t timestamp_us) {
  if (sweep == NULL) return;
  sweep_identity(sweep, points, num_points, point_stride, timestamp_us);
}

/* ------------------------------------------------------------------ create / destroy */

enum pprt_status pprt_cloud_create(uint32_t max_points, pprt_cloud_t** out) {
  struct pprt_err err;
  enum pprt_status st = PPRT_STATUS_OK;
  if (out != NULL) *out = NULL;
  if (out == NULL) {
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_cloud_create: out is NULL");
  } else if (max_points == 0) {
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_cloud_create: max_points is 0");
  } else if ((uint64_t)max_points * CLOUD_STRIDE * sizeof(float) > (uint64_t)(SIZE_MAX - CLOUD_ALIGN)) {
    st = pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "pprt_cloud_create: %u points do not fit in memory", max_points);
  }
  if (st != PPRT_STATUS_OK) {
    pprt_set_last_error(err.msg);
    return st;
  }
  size_t bytes = (size_t)max_points * CLOUD_STRIDE * sizeof(float);
  bytes = (bytes + CLOUD_ALIGN - 1) / CLOUD_ALIGN * CLOUD_ALIGN;
  struct pprt_cloud* c = calloc(1, sizeof *c);
  if (c != NULL) {
    c->data = aligned_alloc(CLOUD_ALIGN, bytes);
    c->chunk = malloc(CLOUD_CHUNK_BYTES);
  }
  if (c == NULL || c->data == NULL || c->chunk == NULL) {
    if (c != NULL) {
      free(c->data);
      free(c->chunk);
      free(c);
    }
    pprt_fail(&err, PPRT_STATUS_OUT_OF_MEMORY, "pprt_cloud_create: cannot allocate %zu bytes for %u points", bytes,
              max_points);
    pprt_set_last_error(err.msg);
    return PPRT_STATUS_OUT_OF_MEMORY;
  }
  c->capacity = max_points;
  c->count = 0;
  *out = c;
  return PPRT_STATUS_OK;
}

void pprt_cloud_destroy(pprt_cloud_t* cloud) {
  if (cloud == NULL) return;
  free(cloud->data);
  free(cloud->chunk);
  free(cloud);
}

/* ------------------------------------------------------------------ small text helpers */

/* Reads one line of a text file into buf (NUL-terminated, trailing '\r' removed).
 * Returns 1 for a line, 0 at end of file, -1 line too long, -2 NUL byte, -3 read error. */
struct line_reader {
  FILE* f;
  char* buf;
  size_t cap;
  unsigned long lineno; /* number of the line last read (1-based) */
  uint64_t consumed;    /* bytes consumed from the start of the file */
};

static int read_line(struct line_reader* r, size_t* len_out) {
  size_t n = 0;
  int c = EOF;
  int any = 0;
  for (;;) {
    c = getc_unlocked(r->f); /* the FILE is private to this call */
    if (c == EOF) break;
    any = 1;
    r->consumed++;
    if (c == '\n') break;
    if (c == '\0') {
      r->lineno++;
      return -2;
    }
    if (n + 1 >= r->cap) {
      r->lineno++;
      return -1;
    }
    r->buf[n++] = (char)c;
  }
  if (c == EOF && ferror(r->f)) return -3;
  if (!any) return 0;
  r->lineno++;
  if (n > 0 && r->buf[n - 1] == '\r') n--;
  r->buf[n] = '\0';
  if (len_out != NULL) *len_out = n;
  return 1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static char* skip_space(char* s) {
  while (*s != '\0' && is_space(*s)) s++;
  return s;
}

static void trim_right(char* s) {
  size_t n = strlen(s);
  while (n > 0 && is_space(s[n - 1])) s[--n] = '\0';
}

/* Next whitespace-separated token of *s (NUL-terminated in place); NULL when none is left. */
static char* next_token(char** s) {
  char* p = skip_space(*s);
  if (*p == '\0') {
    *s = p;
    return NULL;
  }
  char* t = p;
  while (*p != '\0' && !is_space(*p)) p++;
  if (*p != '\0') *p++ = '\0';
  *s = p;
  return t;
}

/* Strict number parsers: the whole token must be consumed. */
static int parse_float(const char* t, float* out) {
  char* end = NULL;
  errno = 0;
  float v = strtof(t, &end);
  if (end == t || *end != '\0') return 0;
  /* ERANGE on underflow gives a correctly rounded tiny value; on overflow, +-HUGE_VALF: accept both as written. */
  *out = v;
  return 1;
}

static int parse_double(const char* t, double* out) {
  char* end = NULL;
  errno = 0;
  double v = strtod(t, &end);
  if (end == t || *end != '\0') return 0;
  *out = v;
  return 1;
}

static int parse_i64(const char* t, int64_t* out) {
  char* end = NULL;
  errno = 0;
  long long v = strtoll(t, &end, 10);
  if (end == t || *end != '\0' || errno == ERANGE) return 0;
  *out = (int64_t)v;
  return 1;
}

static int parse_u32(const char* t, uint32_t* out) {
  if (*t == '-' || *t == '+') return 0;
  char* end = NULL;
  errno = 0;
  unsigned long long v = strtoull(t, &end, 10);
  if (end == t || *end != '\0' || errno == ERANGE || v > UINT32_MAX) return 0;
  *out = (uint32_t)v;
  return 1;
}

static int ends_with_ci(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int contains_ci(const char* s, const char* needle) {
  size_t m = strlen(needle);
  for (; *s != '\0'; ++s) {
    if (strncasecmp(s, needle, m) == 0) return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ raw float files */

/* Opens path for reading and returns its size; IO_ERROR if it is missing, unreadable or not a regular file (a FIFO
 * does not block: fileio.h). */
static enum pprt_status open_regular(const char* path, FILE** f_out, uint64_t* size_out, struct pprt_err* err) {
  return pprt_fopen_regular(path, f_out, size_out, err);
}

/* Reads a raw float32 file of `per_point` floats per point (5: nuScenes, 4: KITTI). */
static enum pprt_status load_raw(struct pprt_cloud* c, const char* path, FILE* f, uint64_t size, unsigned per_point,
                                 struct pprt_err* err) {
  const uint64_t rec = (uint64_t)per_point * sizeof(float);
  const char* what = per_point == 5 ? "nuScenes" : "KITTI";
  if (size % rec != 0) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                     "%s: size %llu bytes is not a whole number of %s points (%llu bytes each): %llu bytes left over",
                     path, (unsigned long long)size, what, (unsigned long long)rec,
                     (unsigned long long)(size % rec));
  }
  uint64_t n = size / rec;
  if (n > c->capacity) {
    return pprt_fail(err, PPRT_STATUS_CAPACITY, "%s: %llu points, but the cloud holds at most %u", path,
                     (unsigned long long)n, c->capacity);
  }
  if (n == 0) return PPRT_STATUS_OK;
  size_t got = fread(c->data, 1, (size_t)size, f);
  if (got != (size_t)size) {
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read %zu of %llu bytes%s%s", path, got,
                     (unsigned long long)size, ferror(f) ? ": " : " (file shrank while reading)",
                     ferror(f) ? strerror(errno) : "");
  }
  if (per_point == 4) {
    /* Expand 4 -> 5 floats in place, last point first: point i moves from 4i to 5i >= 4i, and every source of a
     * lower point lies below 4i <= 5i, so nothing is overwritten before it is read. */
    float* d = c->data;
    for (uint64_t i = n; i-- > 0;) {
      float x = d[4 * i], y = d[4 * i + 1], z = d[4 * i + 2], r = d[4 * i + 3];
      d[5 * i] = x;
      d[5 * i + 1] = y;
      d[5 * i + 2] = z;
      d[5 * i + 3] = r;
      d[5 * i + 4] = 0.0f;
    }
  }
  c->count = (uint32_t)n;
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------ PCD v0.7 */

struct pcd_field {
  char name[PCD_MAX_NAME];
  unsigned size;     /* bytes per element */
  char type;         /* 'F', 'I', 'U' */
  uint32_t count;    /* elements */
  uint32_t offset;   /* byte offset of element 0 in a binary record */
  uint32_t index;    /* value index of element 0 on an ascii line */
};

struct pcd_header {
  struct pcd_field fields[PCD_MAX_FIELDS];
  int nfields;
  unsigned long fields_line, size_line, type_line, count_line, width_line, height_line, points_line, data_line;
  int has_size, has_type, has_count;
  uint32_t width, height, points;
  int has_width, has_height, has_points;
  enum { PCD_ASCII, PCD_BINARY } data;
  uint32_t record_bytes; /* binary record size */
  uint32_t values;       /* values per ascii line */
  int slot[5];           /* field index giving x, y, z, intensity, extra; -1: 0 */
};

static float pcd_convert(const unsigned char* p, char type, unsigned size) {
  switch (type) {
    case 'F':
      if (size == 4) {
        float v;
        memcpy(&v, p, 4);
        return v;
      } else {
        double v;
        memcpy(&v, p, 8);
        return (float)v;
      }
    case 'I':
      switch (size) {
        case 1: return (float)(int8_t)p[0];
        case 2: { int16_t v; memcpy(&v, p, 2); return (float)v; }
        case 4: { int32_t v; memcpy(&v, p, 4); return (float)v; }
        default: { int64_t v; memcpy(&v, p, 8); return (float)v; }
      }
    default:
      switch (size) {
        case 1: return (float)p[0];
        case 2: { uint16_t v; memcpy(&v, p, 2); return (float)v; }
        case 4: { uint32_t v; memcpy(&v, p, 4); return (float)v; }
        default: { uint64_t v; memcpy(&v, p, 8); return (float)v; }
      }
  }
}

/* Parses the header up to and including the DATA line; on success r->consumed is where binary data starts. */
static enum pprt_status pcd_parse_header(struct line_reader* r, const char* path, struct pcd_header* h,
                                         struct pprt_err* err) {
  memset(h, 0, sizeof *h);
  h->nfields = -1;
  for (;;) {
    int rc = read_line(r, NULL);
    if (rc == 0) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: end of file before the DATA line of the PCD header",
                       path, r->lineno);
    }
    if (rc == -1) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: header line too long", path, r->lineno);
    if (rc == -2) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: NUL byte in the header", path, r->lineno);
    if (rc == -3) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error: %s", path, strerror(errno));
    const unsigned long ln = r->lineno;
    char* s = r->buf;
    char* key = next_token(&s);
    if (key == NULL || key[0] == '#') continue;
    char* toks[PCD_MAX_FIELDS + 1];
    int nt = 0;
    char* t;
    while ((t = next_token(&s)) != NULL) {
      if (nt == PCD_MAX_FIELDS) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s has more than %d values", path, ln, key,
                         PCD_MAX_FIELDS);
      }
      toks[nt++] = t;
    }
    if (strcmp(key, "VERSION") == 0) {
      if (nt != 1) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: VERSION needs one value", path, ln);
    } else if (strcmp(key, "FIELDS") == 0) {
      if (h->nfields >= 0) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate FIELDS (first at line %lu)", path, ln,
                         h->fields_line);
      }
      if (nt == 0) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: FIELDS has no names", path, ln);
      for (int i = 0; i < nt; ++i) {
        if (strlen(toks[i]) >= PCD_MAX_NAME) {
          return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: field name '%.40s...' too long", path, ln, toks[i]);
        }
        for (int j = 0; j < i; ++j) {
          if (strcmp(toks[i], "_") != 0 && strcmp(toks[i], toks[j]) == 0) {
            return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: field '%s' appears twice", path, ln, toks[i]);
          }
        }
        snprintf(h->fields[i].name, PCD_MAX_NAME, "%s", toks[i]);
        h->fields[i].count = 1;
      }
      h->nfields = nt;
      h->fields_line = ln;
    } else if (strcmp(key, "SIZE") == 0 || strcmp(key, "TYPE") == 0 || strcmp(key, "COUNT") == 0) {
      int* seen = key[0] == 'S' ? &h->has_size : key[0] == 'T' ? &h->has_type : &h->has_count;
      unsigned long* where = key[0] == 'S' ? &h->size_line : key[0] == 'T' ? &h->type_line : &h->count_line;
      if (h->nfields < 0) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s before FIELDS (missing FIELDS line)", path, ln,
                         key);
      }
      if (*seen) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate %s (first at line %lu)", path, ln, key,
                         *where);
      }
      if (nt != h->nfields) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s has %d values but FIELDS has %d", path, ln, key,
                         nt, h->nfields);
      }
      for (int i = 0; i < nt; ++i) {
        struct pcd_field* fd = &h->fields[i];
        if (key[0] == 'S') {
          uint32_t v = 0;
          if (!parse_u32(toks[i], &v) || (v != 1 && v != 2 && v != 4 && v != 8)) {
            return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: SIZE of field '%s' is '%s' (1, 2, 4 or 8)", path,
                             ln, fd->name, toks[i]);
          }
          fd->size = v;
        } else if (key[0] == 'T') {
          if (strlen(toks[i]) != 1 || strchr("FIU", toks[i][0]) == NULL) {
            return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: TYPE of field '%s' is '%s' (F, I or U)", path, ln,
                             fd->name, toks[i]);
          }
          fd->type = toks[i][0];
        } else {
          uint32_t v = 0;
          if (!parse_u32(toks[i], &v) || v == 0 || v > PCD_MAX_COUNT) {
            return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: COUNT of field '%s' is '%s' (1..%u)", path, ln,
                             fd->name, toks[i], PCD_MAX_COUNT);
          }
          fd->count = v;
        }
      }
      *seen = 1;
      *where = ln;
    } else if (strcmp(key, "WIDTH") == 0 || strcmp(key, "HEIGHT") == 0 || strcmp(key, "POINTS") == 0) {
      int* seen = key[0] == 'W' ? &h->has_width : key[0] == 'H' ? &h->has_height : &h->has_points;
      uint32_t* val = key[0] == 'W' ? &h->width : key[0] == 'H' ? &h->height : &h->points;
      unsigned long* where = key[0] == 'W' ? &h->width_line : key[0] == 'H' ? &h->height_line : &h->points_line;
      if (*seen) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate %s (first at line %lu)", path, ln, key,
                         *where);
      }
      if (nt != 1 || !parse_u32(toks[0], val)) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s needs one non-negative integer", path, ln, key);
      }
      *seen = 1;
      *where = ln;
    } else if (strcmp(key, "VIEWPOINT") == 0) {
      double v;
      if (nt != 7) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: VIEWPOINT needs 7 values, got %d", path, ln, nt);
      }
      for (int i = 0; i < nt; ++i) {
        if (!parse_double(toks[i], &v)) {
          return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: VIEWPOINT value '%s' is not a number", path, ln,
                           toks[i]);
        }
      }
    } else if (strcmp(key, "DATA") == 0) {
      h->data_line = ln;
      if (nt != 1) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: DATA needs one value", path, ln);
      if (strcmp(toks[0], "ascii") == 0) {
        h->data = PCD_ASCII;
      } else if (strcmp(toks[0], "binary") == 0) {
        h->data = PCD_BINARY;
      } else if (strcmp(toks[0], "binary_compressed") == 0) {
        return pprt_fail(err, PPRT_STATUS_UNAVAILABLE, "%s:%lu: binary_compressed PCD is not supported", path, ln);
      } else {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                         "%s:%lu: unknown DATA '%s' (ascii, binary or binary_compressed)", path, ln, toks[0]);
      }
      break;
    } else {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: unknown PCD header keyword '%.64s'", path, ln, key);
    }
  }

  /* The header is complete: check it as a whole (errors at the DATA line unless a line is more precise). */
  const unsigned long dl = h->data_line;
  if (h->nfields < 0) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing FIELDS", path, dl);
  if (!h->has_size) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing SIZE", path, dl);
  if (!h->has_type) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing TYPE", path, dl);
  if (!h->has_width) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing WIDTH", path, dl);
  if (!h->has_height) h->height = 1;
  uint64_t wh = (uint64_t)h->width * h->height;
  if (h->has_points && h->points != wh) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: POINTS %u != WIDTH %u x HEIGHT %u", path,
                     h->points_line, h->points, h->width, h->height);
  }
  if (wh > UINT32_MAX) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: WIDTH %u x HEIGHT %u is too many points", path,
                     h->height_line, h->width, h->height);
  }
  h->points = (uint32_t)wh;
  uint64_t off = 0, idx = 0;
  for (int i = 0; i < 5; ++i) h->slot[i] = -1;
  for (int i = 0; i < h->nfields; ++i) {
    struct pcd_field* fd = &h->fields[i];
    if (fd->type == 'F' && fd->size != 4 && fd->size != 8) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: field '%s' has TYPE F with SIZE %u (4 or 8)", path,
                       h->type_line, fd->name, fd->size);
    }
    fd->offset = (uint32_t)off;
    fd->index = (uint32_t)idx;
    off += (uint64_t)fd->size * fd->count;
    idx += fd->count;
    const char* nm = fd->name;
    if (strcmp(nm, "x") == 0) h->slot[0] = i;
    else if (strcmp(nm, "y") == 0) h->slot[1] = i;
    else if (strcmp(nm, "z") == 0) h->slot[2] = i;
    else if (strcmp(nm, "intensity") == 0) h->slot[3] = i;
  }
  static const char* const k_extra[] = {"time", "timestamp", "t", "ring"};
  for (size_t k = 0; k < sizeof k_extra / sizeof k_extra[0] && h->slot[4] < 0; ++k) {
    for (int i = 0; i < h->nfields; ++i) {
      if (strcmp(h->fields[i].name, k_extra[k]) == 0) {
        h->slot[4] = i;
        break;
      }
    }
  }
  static const char k_xyz[3] = {'x', 'y', 'z'};
  for (int k = 0; k < 3; ++k) {
    if (h->slot[k] < 0) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: FIELDS has no '%c' (x, y and z are required)", path,
                       h->fields_line, k_xyz[k]);
    }
  }
  h->record_bytes = (uint32_t)off; /* <= 64 fields x 8 bytes x 65536 < 2^32 */
  h->values = (uint32_t)idx;
  return PPRT_STATUS_OK;
}

static enum pprt_status pcd_load_binary(struct pprt_cloud* c, const char* path, FILE* f, uint64_t size,
                                        uint64_t header_bytes, const struct pcd_header* h, struct pprt_err* err) {
  const uint64_t need = (uint64_t)h->points * h->record_bytes;
  const uint64_t avail = size > header_bytes ? size - header_bytes : 0;
  if (avail < need) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                     "%s: truncated binary data: %llu bytes available after the header, %llu needed "
                     "(%u points x %u bytes)",
                     path, (unsigned long long)avail, (unsigned long long)need, h->points, h->record_bytes);
  }
  if (h->points == 0) return PPRT_STATUS_OK;
  if (h->record_bytes == 0 || h->record_bytes > CLOUD_CHUNK_BYTES) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: a point record of %u bytes is not supported (1..%u)",
                     path, h->data_line, h->record_bytes, CLOUD_CHUNK_BYTES);
  }
  const uint32_t per_chunk = CLOUD_CHUNK_BYTES / h->record_bytes;
  const unsigned char* buf = (const unsigned char*)c->chunk;
  uint32_t done = 0;
  while (done < h->points) {
    uint32_t n = h->points - done < per_chunk ? h->points - done : per_chunk;
    size_t want = (size_t)n * h->record_bytes;
    size_t got = fread(c->chunk, 1, want, f);
    if (got != want) {
      return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: short read of binary point data (%s)", path,
                       ferror(f) ? strerror(errno) : "file shrank while reading");
    }
    for (uint32_t i = 0; i < n; ++i) {
      const unsigned char* rec = buf + (size_t)i * h->record_bytes;
      float* dst = c->data + (size_t)(done + i) * CLOUD_STRIDE;
      for (int k = 0; k < 5; ++k) {
        int fi = h->slot[k];
        dst[k] = fi < 0 ? 0.0f : pcd_convert(rec + h->fields[fi].offset, h->fields[fi].type, h->fields[fi].size);
      }
    }
    done += n;
  }
  c->count = h->points;
  return PPRT_STATUS_OK;
}

static enum pprt_status pcd_load_ascii(struct pprt_cloud* c, const char* path, struct line_reader* r,
                                       const struct pcd_header* h, struct pprt_err* err) {
  /* Which field each used slot reads, by value index on a line. */
  int32_t want_index[5];
  char want_type[5];
  for (int k = 0; k < 5; ++k) {
    want_index[k] = h->slot[k] < 0 ? -1 : (int32_t)h->fields[h->slot[k]].index;
    want_type[k] = h->slot[k] < 0 ? 'F' : h->fields[h->slot[k]].type;
  }
  uint32_t done = 0;
  for (;;) {
    int rc = read_line(r, NULL);
    if (rc == 0) break;
    if (rc == -1) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: line too long", path, r->lineno);
    if (rc == -2) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: NUL byte in ascii data", path, r->lineno);
    if (rc == -3) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error: %s", path, strerror(errno));
    char* s = r->buf;
    if (*skip_space(s) == '\0') continue; /* blank lines carry no point */
    if (done == h->points) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: more data lines than the %u points of the header", path,
                       r->lineno, h->points);
    }
    float vals[5] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    uint32_t vi = 0;
    char* t;
    while ((t = next_token(&s)) != NULL) {
      if (vi == h->values) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: more than %u values", path, r->lineno, h->values);
      }
      int used = -1;
      for (int k = 0; k < 5; ++k) {
        if (want_index[k] == (int32_t)vi) used = k;
      }
      int ok;
      if (used >= 0 && want_type[used] == 'F') {
        ok = parse_float(t, &vals[used]);
      } else {
        double d = 0.0;
        ok = parse_double(t, &d);
        if (used >= 0) vals[used] = (float)d;
      }
      if (!ok) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: value %u '%.40s' is not a number", path, r->lineno,
                         vi + 1, t);
      }
      vi++;
    }
    if (vi < h->values) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %u values, %u expected", path, r->lineno, vi,
                       h->values);
    }
    memcpy(c->data + (size_t)done * CLOUD_STRIDE, vals, sizeof vals);
    done++;
  }
  if (done < h->points) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: end of file after %u of %u points", path, r->lineno,
                     done, h->points);
  }
  c->count = done;
  return PPRT_STATUS_OK;
}

static enum pprt_status load_pcd(struct pprt_cloud* c, const char* path, FILE* f, uint64_t size,
                                 struct pprt_err* err) {
  struct line_reader r = {f, c->chunk, CLOUD_CHUNK_BYTES, 0, 0};
  struct pcd_header h;
  enum pprt_status st = pcd_parse_header(&r, path, &h, err);
  if (st != PPRT_STATUS_OK) return st;
  if (h.points > c->capacity) {
    return pprt_fail(err, PPRT_STATUS_CAPACITY, "%s: %u points, but the cloud holds at most %u", path, h.points,
                     c->capacity);
  }
  if (h.data == PCD_BINARY) return pcd_load_binary(c, path, f, size, r.consumed, &h, err);
  return pcd_load_ascii(c, path, &r, &h, err);
}

/* ------------------------------------------------------------------ pprt_cloud_load */

static enum pprt_status cloud_load(struct pprt_cloud* c, const char* path, enum pprt_point_format format,
                                   struct pprt_err* err) {
  c->count = 0;
  FILE* f = NULL;
  uint64_t size = 0;
  enum pprt_status st = open_regular(path, &f, &size, err);
  if (st != PPRT_STATUS_OK) return st;
  if (format == PPRT_FORMAT_AUTO) {
    if (ends_with_ci(path, ".pcd")) {
      format = PPRT_FORMAT_PCD;
    } else if (ends_with_ci(path, ".pcd.bin")) {
      format = PPRT_FORMAT_NUSCENES_BIN;
    } else {
      int m20 = size % 20 == 0, m16 = size % 16 == 0;
      if (m20 && !m16) {
        format = PPRT_FORMAT_NUSCENES_BIN;
      } else if (m16 && !m20) {
        format = PPRT_FORMAT_KITTI_BIN;
      } else if (m16 && m20) {
        format = contains_ci(path, "nuscenes") || contains_ci(path, "LIDAR_TOP") ? PPRT_FORMAT_NUSCENES_BIN
                                                                                 : PPRT_FORMAT_KITTI_BIN;
      } else {
        fclose(f);
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                         "%s: size %llu is not a whole number of points (20 or 16 bytes each)", path,
                         (unsigned long long)size);
      }
    }
  }
  switch (format) {
    case PPRT_FORMAT_NUSCENES_BIN: st = load_raw(c, path, f, size, 5, err); break;
    case PPRT_FORMAT_KITTI_BIN: st = load_raw(c, path, f, size, 4, err); break;
    case PPRT_FORMAT_PCD: st = load_pcd(c, path, f, size, err); break;
    default: st = pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "%s: unknown point format %d", path, (int)format);
  }
  fclose(f);
  if (st != PPRT_STATUS_OK) c->count = 0;
  return st;
}

enum pprt_status pprt_cloud_load(pprt_cloud_t* cloud, const char* path, enum pprt_point_format format,
                                 int64_t timestamp_us, struct pprt_sweep* out) {
  struct pprt_err err;
  enum pprt_status st;
  if (cloud == NULL || path == NULL || out == NULL) {
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_cloud_load: %s is NULL",
                   cloud == NULL ? "cloud" : path == NULL ? "path" : "out");
  } else {
    st = cloud_load(cloud, path, format, &err);
    sweep_identity(out, cloud->data, cloud->count, CLOUD_STRIDE, timestamp_us);
  }
  if (st != PPRT_STATUS_OK) pprt_set_last_error(err.msg);
  return st;
}

/* ------------------------------------------------------------------ Vitis AI Library .info */

/* The format read by the Vitis AI Library's pointpillars_nuscenes samples (test_bin_pointpillars_nuscenes.cpp,
 * read_inno_file): line by line, in this order,
 *   lidar_path:<path>
 *   timestamp:<int64 us>
 *   sweeps:<N>
 * then N blocks of four lines (VAI-L indents them by one character)
 *   data_path:<path>
 *   timestamp:<int64 us>
 *   sensor2lidar_rotation:r00 r01 r02 r10 r11 r12 r20 r21 r22
 *   sensor2lidar_translation:tx ty tz
 * pprt also accepts any indentation, spaces around ':', CRLF, blank lines and '#' comment lines, and stops at a
 * "cams:" section (VAI-L pointpainting's camera list). */

enum info_key { K_LIDAR_PATH, K_TIMESTAMP, K_SWEEPS, K_DATA_PATH, K_ROTATION, K_TRANSLATION, K_CAMS, K_UNKNOWN };

static enum info_key info_key_of(const char* k) {
  if (strcmp(k, "lidar_path") == 0) return K_LIDAR_PATH;
  if (strcmp(k, "timestamp") == 0) return K_TIMESTAMP;
  if (strcmp(k, "sweeps") == 0) return K_SWEEPS;
  if (strcmp(k, "data_path") == 0) return K_DATA_PATH;
  if (strcmp(k, "sensor2lidar_rotation") == 0) return K_ROTATION;
  if (strcmp(k, "sensor2lidar_translation") == 0) return K_TRANSLATION;
  if (strcmp(k, "cams") == 0) return K_CAMS;
  return K_UNKNOWN;
}

static const char* const k_info_key_names[] = {"lidar_path", "timestamp", "sweeps", "data_path",
                                               "sensor2lidar_rotation", "sensor2lidar_translation", "cams"};

/* The expected key sequence: 0 lidar_path, 1 timestamp, 2 sweeps, then per sweep data_path, timestamp, rotation,
 * translation. */
static enum info_key info_expected(uint32_t pos) {
  if (pos < 3) return (enum info_key)pos;
  static const enum info_key block[4] = {K_DATA_PATH, K_TIMESTAMP, K_ROTATION, K_TRANSLATION};
  return block[(pos - 3) % 4];
}

struct info_ctx {
  const char* info_path;
  char dir[INFO_PATH_MAX]; /* the .info file's folder with a trailing '/', or "" */
  pprt_cloud_t* const* clouds;
  uint32_t num_clouds;
  struct pprt_sweep* sweeps;
  int load; /* 0: check the text and fill transforms; 1: load the point files */
};

/* Resolves a data path: absolute as given; relative to the .info folder, else relative to the working directory. */
static enum pprt_status info_resolve(const struct info_ctx* ctx, unsigned long ln, const char* p, char* out,
                                     struct pprt_err* err) {
  if (p[0] == '/' || ctx->dir[0] == '\0') {
    if (snprintf(out, INFO_PATH_MAX, "%s", p) >= INFO_PATH_MAX) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: path too long", ctx->info_path, ln);
    }
    return PPRT_STATUS_OK;
  }
  if (snprintf(out, INFO_PATH_MAX, "%s%s", ctx->dir, p) >= INFO_PATH_MAX) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: path too long", ctx->info_path, ln);
  }
  struct stat stt;
  if (stat(out, &stt) != 0 && stat(p, &stt) == 0) snprintf(out, INFO_PATH_MAX, "%s", p);
  return PPRT_STATUS_OK;
}

static enum pprt_status info_numbers(const struct info_ctx* ctx, unsigned long ln, const char* key, char* v, float* out,
                                     int want, struct pprt_err* err) {
  int n = 0;
  char* t;
  while ((t = next_token(&v)) != NULL) {
    if (n == want) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s needs %d values, got more", ctx->info_path, ln, key,
                       want);
    }
    if (!parse_float(t, &out[n])) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s value %d '%.40s' is not a number", ctx->info_path,
                       ln, key, n + 1, t);
    }
    if (!isfinite(out[n])) {
      return pprt_fail(err, PPRT_STATUS_BAD_INPUT, "%s:%lu: %s value %d '%.40s' is not finite", ctx->info_path, ln,
                       key, n + 1, t);
    }
    n++;
  }
  if (n != want) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: %s needs %d values, got %d", ctx->info_path, ln, key, want,
                     n);
  }
  return PPRT_STATUS_OK;
}

static enum pprt_status info_check_rotation(const struct info_ctx* ctx, unsigned long ln, uint32_t sweep,
                                            const float* r, struct pprt_err* err) {
  double worst = 0.0;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      double d = 0.0;
      for (int k = 0; k < 3; ++k) d += (double)r[3 * i + k] * (double)r[3 * j + k];
      double e = fabs(d - (i == j ? 1.0 : 0.0));
      if (e > worst) worst = e;
    }
  }
  if (!(worst <= ROTATION_TOL)) {
    return pprt_fail(err, PPRT_STATUS_BAD_INPUT,
                     "%s:%lu: sensor2lidar_rotation of sweep %u is not orthonormal (max |R R^T - I| = %.3g > %g)",
                     ctx->info_path, ln, sweep, worst, ROTATION_TOL);
  }
  double det = (double)r[0] * ((double)r[4] * r[8] - (double)r[5] * r[7]) -
               (double)r[1] * ((double)r[3] * r[8] - (double)r[5] * r[6]) +
               (double)r[2] * ((double)r[3] * r[7] - (double)r[4] * r[6]);
  if (det < 0.0) {
    return pprt_fail(err, PPRT_STATUS_BAD_INPUT,
                     "%s:%lu: sensor2lidar_rotation of sweep %u is a reflection (determinant %.3g), not a rotation",
                     ctx->info_path, ln, sweep, det);
  }
  return PPRT_STATUS_OK;
}

static enum pprt_status info_load_points(const struct info_ctx* ctx, unsigned long ln, uint32_t idx, const char* p,
                                         struct pprt_err* err) {
  char full[INFO_PATH_MAX];
  enum pprt_status st = info_resolve(ctx, ln, p, full, err);
  if (st != PPRT_STATUS_OK) return st;
  struct pprt_cloud* c = ctx->clouds[idx];
  st = cloud_load(c, full, PPRT_FORMAT_NUSCENES_BIN, err);
  if (st != PPRT_STATUS_OK) {
    pprt_err_prefix(err, "%s:%lu: %s %u", ctx->info_path, ln, idx == 0 ? "key sweep" : "sweep", idx);
    return st;
  }
  ctx->sweeps[idx].points = c->data;
  ctx->sweeps[idx].num_points = c->count;
  ctx->sweeps[idx].point_stride = CLOUD_STRIDE;
  return PPRT_STATUS_OK;
}

/* One pass over the file. Pass 0 checks everything that the text says and fills transforms and timestamps;
 * pass 1 (only after pass 0 succeeded) loads the point files. */
static enum pprt_status info_pass(struct info_ctx* ctx, FILE* f, uint32_t* num_sweeps, struct pprt_err* err) {
  char line[INFO_LINE_MAX];
  struct line_reader r = {f, line, sizeof line, 0, 0};
  const char* ip = ctx->info_path;
  uint32_t pos = 0;              /* index into the expected key sequence */
  uint32_t declared = 0;         /* N of "sweeps: N" */
  unsigned long sweeps_line = 0;
  unsigned long seen_line[K_UNKNOWN]; /* line of each key in the current block (header or sweep) */
  memset(seen_line, 0, sizeof seen_line);
  enum pprt_status st;
  for (;;) {
    int rc = read_line(&r, NULL);
    if (rc == 0) break;
    if (rc == -1) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: line longer than %d characters", ip, r.lineno,
                       INFO_LINE_MAX - 1);
    }
    if (rc == -2) return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: NUL byte (not a text file)", ip, r.lineno);
    if (rc == -3) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: read error: %s", ip, strerror(errno));
    const unsigned long ln = r.lineno;
    char* s = skip_space(line);
    if (*s == '\0' || *s == '#') continue;
    char* colon = strchr(s, ':');
    if (colon == NULL) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: expected 'key: value', got '%.60s'", ip, ln, s);
    }
    *colon = '\0';
    trim_right(s);
    char* value = skip_space(colon + 1);
    trim_right(value);
    enum info_key key = info_key_of(s);
    if (key == K_UNKNOWN) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: unknown key '%.60s'", ip, ln, s);
    }
    const uint32_t end = 3 + 4 * declared; /* pos once every declared block is complete */
    if (key == K_CAMS) {
      if (pos < 3) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: 'cams' before '%s'", ip, ln,
                         k_info_key_names[info_expected(pos)]);
      }
      break; /* the camera section is not used by pprt */
    }
    const int in_header = pos < 3;
    if (pos >= 3 && pos == end) {
      if (key == K_DATA_PATH) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR,
                         "%s:%lu: sweep block %u, but 'sweeps: %u' at line %lu declares %u", ip, ln, declared + 1,
                         declared, sweeps_line, declared);
      }
      if (key == K_LIDAR_PATH || key == K_SWEEPS) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate key '%s'", ip, ln, k_info_key_names[key]);
      }
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: '%s' after the last sweep block (expected data_path)",
                       ip, ln, k_info_key_names[key]);
    }
    enum info_key want = info_expected(pos);
    if (key != want) {
      unsigned long first = seen_line[key];
      if (!in_header && (key == K_LIDAR_PATH || key == K_SWEEPS)) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate key '%s'", ip, ln, k_info_key_names[key]);
      }
      if (!in_header && key == K_DATA_PATH) { /* the next block started early */
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing '%s' in sweep block %u", ip, ln,
                         k_info_key_names[want], (pos - 3) / 4 + 1);
      }
      if (first != 0) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: duplicate key '%s' (first at line %lu)%s", ip, ln,
                         k_info_key_names[key], first, in_header ? "" : " in the same sweep block");
      }
      if (in_header) {
        return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing '%s' before '%s'", ip, ln,
                         k_info_key_names[want], k_info_key_names[key]);
      }
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing '%s' before '%s' in sweep block %u", ip, ln,
                       k_info_key_names[want], k_info_key_names[key], (pos - 3) / 4 + 1);
    }
    seen_line[key] = ln;
    const uint32_t sweep = pos < 3 ? 0 : (pos - 3) / 4 + 1; /* index into sweeps[] */
    switch (key) {
      case K_LIDAR_PATH:
      case K_DATA_PATH:
        if (*value == '\0') {
          return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: empty %s", ip, ln, k_info_key_names[key]);
        }
        if (ctx->load) {
          st = info_load_points(ctx, ln, sweep, value, err);
          if (st != PPRT_STATUS_OK) return st;
        } else {
          char full[INFO_PATH_MAX];
          st = info_resolve(ctx, ln, value, full, err);
          if (st != PPRT_STATUS_OK) return st;
          sweep_identity(&ctx->sweeps[sweep], NULL, 0, CLOUD_STRIDE, 0);
        }
        break;
      case K_TIMESTAMP: {
        int64_t ts = 0;
        if (!parse_i64(value, &ts)) {
          return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: timestamp '%.40s' is not an integer (microseconds)",
                           ip, ln, value);
        }
        if (!ctx->load) ctx->sweeps[sweep].timestamp_us = ts;
        break;
      }
      case K_SWEEPS:
        if (!parse_u32(value, &declared)) {
          return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: sweeps '%.40s' is not a non-negative integer", ip,
                           ln, value);
        }
        sweeps_line = ln;
        if ((uint64_t)declared + 1 > ctx->num_clouds) {
          return pprt_fail(err, PPRT_STATUS_CAPACITY,
                           "%s:%lu: %u sweeps besides the key sweep, but only %u clouds for them (%u in all)", ip, ln,
                           declared, ctx->num_clouds - 1, ctx->num_clouds);
        }
        break;
      case K_ROTATION:
        if (!ctx->load) {
          float rot[9];
          st = info_numbers(ctx, ln, "sensor2lidar_rotation", value, rot, 9, err);
          if (st != PPRT_STATUS_OK) return st;
          st = info_check_rotation(ctx, ln, sweep, rot, err);
          if (st != PPRT_STATUS_OK) return st;
          memcpy(ctx->sweeps[sweep].rotation, rot, sizeof rot);
        }
        break;
      case K_TRANSLATION:
        if (!ctx->load) {
          float tr[3];
          st = info_numbers(ctx, ln, "sensor2lidar_translation", value, tr, 3, err);
          if (st != PPRT_STATUS_OK) return st;
          memcpy(ctx->sweeps[sweep].translation, tr, sizeof tr);
        }
        break;
      default: break;
    }
    pos++;
    if (pos == 3 || (pos > 3 && (pos - 3) % 4 == 0)) memset(seen_line, 0, sizeof seen_line); /* a new block */
  }
  if (pos < 3) {
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing '%s'", ip, r.lineno,
                     k_info_key_names[info_expected(pos)]);
  }
  const uint32_t blocks_done = (pos - 3) / 4;
  if (blocks_done < declared) {
    if ((pos - 3) % 4 != 0) {
      return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: missing '%s' in sweep block %u (end of file)", ip,
                       r.lineno, k_info_key_names[info_expected(pos)], blocks_done + 1);
    }
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s:%lu: 'sweeps: %u' but the file has %u sweep block%s", ip,
                     sweeps_line, declared, blocks_done, blocks_done == 1 ? "" : "s");
  }
  *num_sweeps = declared + 1;
  return PPRT_STATUS_OK;
}

static enum pprt_status info_load(const char* info_path, pprt_cloud_t* const* clouds, uint32_t num_clouds,
                                  struct pprt_sweep* sweeps, uint32_t* num_sweeps, struct pprt_err* err) {
  struct info_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.info_path = info_path;
  ctx.clouds = clouds;
  ctx.num_clouds = num_clouds;
  ctx.sweeps = sweeps;
  const char* slash = strrchr(info_path, '/');
  if (slash != NULL) {
    size_t n = (size_t)(slash - info_path) + 1;
    if (n >= sizeof ctx.dir) {
      return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "%s: path too long", info_path);
    }
    memcpy(ctx.dir, info_path, n);
    ctx.dir[n] = '\0';
  }
  FILE* f = NULL;
  uint64_t size = 0;
  enum pprt_status st = open_regular(info_path, &f, &size, err);
  if (st != PPRT_STATUS_OK) return st;
  uint32_t n = 0;
  st = info_pass(&ctx, f, &n, err);
  if (st == PPRT_STATUS_OK) {
    if (fseek(f, 0, SEEK_SET) != 0) {
      st = pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot rewind: %s", info_path, strerror(errno));
    } else {
      ctx.load = 1;
      uint32_t n2 = 0;
      st = info_pass(&ctx, f, &n2, err);
      if (st == PPRT_STATUS_OK && n2 != n) {
        st = pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: file changed while reading", info_path);
      }
    }
  }
  fclose(f);
  if (st == PPRT_STATUS_OK) *num_sweeps = n;
  return st;
}

enum pprt_status pprt_info_load(const char* info_path, pprt_cloud_t* const* clouds, uint32_t num_clouds,
                                struct pprt_sweep* sweeps, uint32_t* num_sweeps) {
  struct pprt_err err;
  enum pprt_status st = PPRT_STATUS_OK;
  if (num_sweeps != NULL) *num_sweeps = 0;
  if (info_path == NULL || clouds == NULL || sweeps == NULL || num_sweeps == NULL) {
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_info_load: %s is NULL",
                   info_path == NULL ? "info_path" : clouds == NULL ? "clouds" : sweeps == NULL ? "sweeps"
                                                                                                 : "num_sweeps");
  } else if (num_clouds == 0) {
    st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_info_load: %s: num_clouds is 0", info_path);
  } else {
    for (uint32_t i = 0; i < num_clouds; ++i) {
      if (clouds[i] == NULL) {
        st = pprt_fail(&err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_info_load: %s: clouds[%u] is NULL", info_path, i);
        break;
      }
    }
  }
  if (st == PPRT_STATUS_OK) st = info_load(info_path, clouds, num_clouds, sweeps, num_sweeps, &err);
  if (st != PPRT_STATUS_OK) pprt_set_last_error(err.msg);
  return st;
}
