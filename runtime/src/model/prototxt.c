/* The VAI-Library prototxt reader: a protobuf text-format parser restricted to the fields pprt uses
 * (model { name kernel { mean scale } pointpillars_nus_param { ... } }), plus defaults and validation.
 *
 * Syntax accepted (what protobuf's TextFormat parser accepts): '#' comments; `field: value`; `field { }`,
 * `field: { }`, `field < >`; optional ',' or ';' after a field; list syntax `field: [v, v]` (and `field [{...}]`
 * for messages); strings in "" or '' with C escapes (\n \t \xHH \NNN \uXXXX ...) and adjacent-string
 * concatenation; decimal / hex / octal integers; floats with '.', exponent and optional 'f' suffix; a leading '-';
 * bools true/false/True/False/t/f/1/0; enum identifiers; extension names `[a.b]` (always unknown).
 * Unknown fields are skipped with their syntax checked. Singular fields given twice: last wins; singular messages
 * given twice are merged; repeated fields append (the first occurrence replaces the default).
 * Positions in messages are 1-based; the column counts bytes. The input need not be NUL-terminated.
 * Nesting is limited to PROTO_MAX_DEPTH messages so hostile input cannot exhaust the stack. */
#include "model/model_config.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_MAX_DEPTH 100
#define PROTO_MAX_FILE (1024u * 1024u)
#define PROTO_NUM_TEXT_MAX 128 /* longest number token converted */

/* ------------------------------------------------------------------------------------------------------------ */
/* Defaults (MODEL-CONTRACT.md sections 3, 6, 7)                                                                 */

/* Kept as double and rounded to float like the parser does (decimal -> double -> float), so a prototxt that
 * spells these numbers gives bit-identical values. */
static const double k_anchor_z[7] = {-1.80032795, -1.74440365, -1.68526504, -1.67339111,
                                     -1.61785072, -1.80984986, -1.763965};
static const double k_anchor_size[7][3] = {
    {1.95017717, 4.60718145, 1.72270761}, {2.4560939, 6.73778078, 2.73004906},
    {2.87427237, 12.01320693, 3.81509561}, {0.60058911, 1.68452161, 1.27192197},
    {0.66344886, 0.7256437, 1.75748069},  {0.39694519, 0.40359262, 1.06232151},
    {2.49008838, 0.48578221, 0.98297065}};

void pprt_model_config_defaults(struct pprt_model_config* cfg) {
  if (cfg == NULL) return;
  static const double mean[5] = {0.0, 0.0, -1.0, 127.5, 0.275};
  static const double scale[5] = {0.02, 0.02, 0.25, 0.0078, 3.6364};
  static const float range[6] = {-50.0f, -50.0f, -5.0f, 50.0f, 50.0f, 3.0f};
  memset(cfg, 0, sizeof *cfg);
  cfg->num_mean = 5;
  cfg->num_scale = 5;
  for (int i = 0; i < 5; ++i) {
    cfg->mean[i] = (float)mean[i];
    cfg->scale[i] = (float)scale[i];
  }
  memcpy(cfg->point_cloud_range, range, sizeof range);
  cfg->voxel_size[0] = 0.25f;
  cfg->voxel_size[1] = 0.25f;
  cfg->voxel_size[2] = 8.0f;
  cfg->in_channels = 5;
  cfg->max_points_num = 64;
  cfg->max_voxels_num = 40000;
  cfg->featmap_size[0] = 200;
  cfg->featmap_size[1] = 200;
  struct pprt_anchor_config* a = &cfg->anchor;
  a->num_ranges = 7;
  a->num_sizes = 7;
  for (int i = 0; i < 7; ++i) {
    a->ranges[i][0] = -(float)49.6;
    a->ranges[i][1] = -(float)49.6;
    a->ranges[i][2] = (float)k_anchor_z[i];
    a->ranges[i][3] = (float)49.6;
    a->ranges[i][4] = (float)49.6;
    a->ranges[i][5] = (float)k_anchor_z[i];
    for (int k = 0; k < 3; ++k) a->sizes[i][k] = (float)k_anchor_size[i][k];
  }
  a->num_rotations = 2;
  a->rotations[0] = 0.0f;
  a->rotations[1] = (float)1.57;
  a->num_custom_values = 2;
  a->custom_values[0] = 0.0f;
  a->custom_values[1] = 0.0f;
  a->align_corner = 0;
  a->scale = 1.0f;
  cfg->num_classes = 10;
  cfg->nms_pre = 1000;
  cfg->nms_thresh = (float)0.2;
  cfg->max_num = 500;
  cfg->score_thresh = (float)0.05;
  snprintf(cfg->score_layer_name, sizeof cfg->score_layer_name, "%s", "conv_cls");
  snprintf(cfg->bbox_layer_name, sizeof cfg->bbox_layer_name, "%s", "conv_reg");
  snprintf(cfg->dir_layer_name, sizeof cfg->dir_layer_name, "%s", "conv_dir_cls");
  cfg->present = 0;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Schema                                                                                                        */

enum msg_type { M_ROOT, M_MODEL, M_KERNEL, M_PILLARS, M_ANCHOR, M_RANGE, M_SIZE, M_UNKNOWN };
enum field_kind { K_MSG, K_FLOAT, K_UINT, K_BOOL, K_STRING };

enum field_id {
  F_MODEL,
  F_MODEL_NAME,
  F_KERNEL,
  F_PILLARS,
  F_KERNEL_NAME,
  F_MEAN,
  F_SCALE,
  F_RANGE,
  F_VOXEL,
  F_IN_CHANNELS,
  F_MAX_POINTS,
  F_MAX_VOXELS,
  F_FEATMAP,
  F_ANCHOR_INFO,
  F_NUM_CLASSES,
  F_NMS_PRE,
  F_NMS_THRESH,
  F_MAX_NUM,
  F_SCORE_THRESH,
  F_SCORE_LAYER,
  F_BBOX_LAYER,
  F_DIR_LAYER,
  F_RANGES,
  F_SIZES,
  F_ROTATIONS,
  F_CUSTOM,
  F_ALIGN,
  F_ANCHOR_SCALE,
  F_SINGLE_RANGE,
  F_SINGLE_SIZE,
  F_COUNT
};

struct field_desc {
  enum msg_type parent;
  const char* name;
  enum field_id id;
  enum field_kind kind;
  int repeated;
  enum msg_type child; /* for K_MSG */
};

static const struct field_desc k_fields[] = {
    {M_ROOT, "model", F_MODEL, K_MSG, 1, M_MODEL},
    {M_MODEL, "name", F_MODEL_NAME, K_STRING, 0, M_UNKNOWN},
    {M_MODEL, "kernel", F_KERNEL, K_MSG, 1, M_KERNEL},
    {M_MODEL, "pointpillars_nus_param", F_PILLARS, K_MSG, 0, M_PILLARS},
    {M_KERNEL, "name", F_KERNEL_NAME, K_STRING, 0, M_UNKNOWN},
    {M_KERNEL, "mean", F_MEAN, K_FLOAT, 1, M_UNKNOWN},
    {M_KERNEL, "scale", F_SCALE, K_FLOAT, 1, M_UNKNOWN},
    {M_PILLARS, "point_cloud_range", F_RANGE, K_FLOAT, 1, M_UNKNOWN},
    {M_PILLARS, "voxel_size", F_VOXEL, K_FLOAT, 1, M_UNKNOWN},
    {M_PILLARS, "in_channels", F_IN_CHANNELS, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "max_points_num", F_MAX_POINTS, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "max_voxels_num", F_MAX_VOXELS, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "featmap_size", F_FEATMAP, K_UINT, 1, M_UNKNOWN},
    {M_PILLARS, "anchor_info", F_ANCHOR_INFO, K_MSG, 0, M_ANCHOR},
    {M_PILLARS, "num_classes", F_NUM_CLASSES, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "nms_pre", F_NMS_PRE, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "nms_thresh", F_NMS_THRESH, K_FLOAT, 0, M_UNKNOWN},
    {M_PILLARS, "max_num", F_MAX_NUM, K_UINT, 0, M_UNKNOWN},
    {M_PILLARS, "score_thresh", F_SCORE_THRESH, K_FLOAT, 0, M_UNKNOWN},
    {M_PILLARS, "score_layer_name", F_SCORE_LAYER, K_STRING, 0, M_UNKNOWN},
    {M_PILLARS, "bbox_layer_name", F_BBOX_LAYER, K_STRING, 0, M_UNKNOWN},
    {M_PILLARS, "dir_layer_name", F_DIR_LAYER, K_STRING, 0, M_UNKNOWN},
    {M_ANCHOR, "ranges", F_RANGES, K_MSG, 1, M_RANGE},
    {M_ANCHOR, "sizes", F_SIZES, K_MSG, 1, M_SIZE},
    {M_ANCHOR, "rotations", F_ROTATIONS, K_FLOAT, 1, M_UNKNOWN},
    {M_ANCHOR, "custom_value", F_CUSTOM, K_FLOAT, 1, M_UNKNOWN},
    {M_ANCHOR, "align_corner", F_ALIGN, K_BOOL, 0, M_UNKNOWN},
    {M_ANCHOR, "scale", F_ANCHOR_SCALE, K_FLOAT, 0, M_UNKNOWN},
    {M_RANGE, "single_range", F_SINGLE_RANGE, K_FLOAT, 1, M_UNKNOWN},
    {M_SIZE, "single_size", F_SINGLE_SIZE, K_FLOAT, 1, M_UNKNOWN},
};

static const struct field_desc* find_field(enum msg_type parent, const char* name, size_t len) {
  for (size_t i = 0; i < sizeof k_fields / sizeof k_fields[0]; ++i) {
    if (k_fields[i].parent == parent && strlen(k_fields[i].name) == len && memcmp(k_fields[i].name, name, len) == 0)
      return &k_fields[i];
  }
  return NULL;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Lexer                                                                                                         */

enum tok_type { T_EOF, T_IDENT, T_INT, T_FLOAT, T_STRING, T_SYM };
enum int_base { B_DEC, B_HEX, B_OCT };

struct token {
  enum tok_type type;
  size_t pos, len; /* byte range in the text */
  unsigned line, col;
  enum int_base base; /* T_INT */
};

struct parser {
  const char* text;
  size_t len;
  size_t pos;
  unsigned line, col;
  int have_peek;
  struct token peek;
  const char* source;
  struct pprt_model_config* cfg;
  struct pprt_err* err;
  int failed;
  uint32_t seen;                    /* repeated fields already reset (bit per enum field_id) */
  unsigned first_line[F_COUNT];     /* where a field first appeared (0 = never) */
  unsigned first_col[F_COUNT];
  uint32_t n_range, n_voxel, n_featmap;
};

static enum pprt_status perr(struct parser* p, unsigned line, unsigned col, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static enum pprt_status perr(struct parser* p, unsigned line, unsigned col, const char* fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  p->failed = 1;
  return pprt_fail(p->err, PPRT_STATUS_PARSE_ERROR, "%s:%u:%u: %s", p->source, line, col, what);
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int cur(const struct parser* p) { return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1; }
static int at(const struct parser* p, size_t off) {
  return p->pos + off < p->len ? (unsigned char)p->text[p->pos + off] : -1;
}

static void advance(struct parser* p) {
  if (p->pos >= p->len) return;
  if (p->text[p->pos] == '\n') {
    p->line++;
    p->col = 1;
  } else {
    p->col++;
  }
  p->pos++;
}

/* Describe a token for messages ("'foo'", "end of input", ...). */
static void tok_desc(const struct parser* p, const struct token* t, char* buf, size_t cap) {
  switch (t->type) {
    case T_EOF: snprintf(buf, cap, "end of input"); return;
    case T_STRING: snprintf(buf, cap, "a string"); return;
    default: {
      int n = t->len > 40 ? 40 : (int)t->len;
      snprintf(buf, cap, "'%.*s%s'", n, p->text + t->pos, t->len > 40 ? "..." : "");
      return;
    }
  }
}

static enum pprt_status lex_number(struct parser* p, struct token* t) {
  int c = cur(p);
  t->type = T_INT;
  t->base = B_DEC;
  if (c == '0' && (at(p, 1) == 'x' || at(p, 1) == 'X')) {
    advance(p);
    advance(p);
    if (!is_hex(cur(p))) return perr(p, t->line, t->col, "malformed hex number: '0x' must be followed by hex digits");
    while (is_hex(cur(p))) advance(p);
    t->base = B_HEX;
  } else if (c == '0' && is_digit(at(p, 1))) {
    advance(p);
    while (cur(p) >= '0' && cur(p) <= '7') advance(p);
    if (is_digit(cur(p))) return perr(p, t->line, t->col, "malformed number: a leading zero means octal (digits 0-7)");
    t->base = B_OCT;
  } else {
    while (is_digit(cur(p))) advance(p);
    if (cur(p) == '.') {
      t->type = T_FLOAT;
      advance(p);
      while (is_digit(cur(p))) advance(p);
    }
    if (cur(p) == 'e' || cur(p) == 'E') {
      t->type = T_FLOAT;
      advance(p);
      if (cur(p) == '+' || cur(p) == '-') advance(p);
      if (!is_digit(cur(p))) return perr(p, t->line, t->col, "malformed number: exponent without digits");
      while (is_digit(cur(p))) advance(p);
    }
    if (cur(p) == 'f' || cur(p) == 'F') {
      t->type = T_FLOAT;
      advance(p);
    }
  }
  if (is_alnum(cur(p)) || cur(p) == '.')
    return perr(p, t->line, t->col, "malformed number (a number must be followed by a space or a separator)");
  t->len = p->pos - t->pos;
  return PPRT_STATUS_OK;
}

static enum pprt_status lex_string(struct parser* p, struct token* t) {
  int quote = cur(p);
  advance(p);
  for (;;) {
    int c = cur(p);
    if (c < 0 || c == '\n') return perr(p, t->line, t->col, "unterminated string (strings must end on the line they start)");
    if (c == quote) {
      advance(p);
      break;
    }
    if (c == '\\') {
      advance(p);
      if (cur(p) < 0 || cur(p) == '\n')
        return perr(p, t->line, t->col, "unterminated string (strings must end on the line they start)");
    }
    advance(p);
  }
  t->type = T_STRING;
  t->len = p->pos - t->pos;
  return PPRT_STATUS_OK;
}

/* Read the next token into p->peek (skipping whitespace and comments). */
static enum pprt_status lex(struct parser* p) {
  for (;;) {
    int c = cur(p);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      advance(p);
    } else if (c == '#') {
      while (cur(p) >= 0 && cur(p) != '\n') advance(p);
    } else {
      break;
    }
  }
  struct token* t = &p->peek;
  memset(t, 0, sizeof *t);
  t->pos = p->pos;
  t->line = p->line;
  t->col = p->col;
  int c = cur(p);
  if (c < 0) {
    t->type = T_EOF;
    return PPRT_STATUS_OK;
  }
  if (is_alpha(c)) {
    while (is_alnum(cur(p))) advance(p);
    t->type = T_IDENT;
    t->len = p->pos - t->pos;
    return PPRT_STATUS_OK;
  }
  if (is_digit(c) || (c == '.' && is_digit(at(p, 1)))) return lex_number(p, t);
  if (c == '"' || c == '\'') return lex_string(p, t);
  if (c != 0 && strchr("{}<>:,;[]-/.", c) != NULL) {
    advance(p);
    t->type = T_SYM;
    t->len = 1;
    return PPRT_STATUS_OK;
  }
  if (c >= 0x21 && c < 0x7f) return perr(p, t->line, t->col, "unexpected character '%c'", c);
  return perr(p, t->line, t->col, "unexpected byte 0x%02x", (unsigned)c);
}

static enum pprt_status peek(struct parser* p, const struct token** out) {
  if (!p->have_peek) {
    enum pprt_status st = lex(p);
    if (st != PPRT_STATUS_OK) return st;
    p->have_peek = 1;
  }
  *out = &p->peek;
  return PPRT_STATUS_OK;
}

static void consume(struct parser* p) { p->have_peek = 0; }

static int is_sym(const struct parser* p, const struct token* t, char s) {
  return t->type == T_SYM && p->text[t->pos] == s;
}

static int tok_is(const struct parser* p, const struct token* t, const char* word) {
  size_t n = strlen(word);
  return t->type == T_IDENT && t->len == n && memcmp(p->text + t->pos, word, n) == 0;
}

static int tok_is_nonfinite(const struct parser* p, const struct token* t) {
  static const char* words[] = {"inf", "infinity", "nan"};
  if (t->type != T_IDENT) return 0;
  for (size_t w = 0; w < 3; ++w) {
    size_t n = strlen(words[w]);
    if (t->len != n) continue;
    size_t i = 0;
    while (i < n && (p->text[t->pos + i] | 0x20) == words[w][i]) ++i;
    if (i == n) return 1;
  }
  return 0;
}

/* Consume the symbol s if it is next; returns 1 if it was. */
static enum pprt_status try_sym(struct parser* p, char s, int* found) {
  const struct token* t;
  enum pprt_status st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  *found = is_sym(p, t, s);
  if (*found) consume(p);
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Values                                                                                                        */

static void put_utf8(char* out, size_t cap, size_t* n, uint32_t cp) {
  unsigned char b[4];
  size_t k;
  if (cp < 0x80) {
    b[0] = (unsigned char)cp;
    k = 1;
  } else if (cp < 0x800) {
    b[0] = (unsigned char)(0xC0 | (cp >> 6));
    b[1] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 2;
  } else if (cp < 0x10000) {
    b[0] = (unsigned char)(0xE0 | (cp >> 12));
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 3;
  } else {
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 4;
  }
  for (size_t i = 0; i < k; ++i) {
    if (out != NULL && *n < cap) out[*n] = (char)b[i];
    (*n)++;
  }
}

static int hex_val(int c) {
  if (is_digit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

/* Decode one string literal token, appending to out (capacity cap; *n counts every byte, even past cap). */
static enum pprt_status decode_string(struct parser* p, const struct token* t, char* out, size_t cap, size_t* n,
                                      int* has_nul) {
  const char* s = p->text + t->pos;
  size_t end = t->len - 1; /* closing quote */
  size_t i = 1;
  while (i < end) {
    unsigned char c = (unsigned char)s[i];
    if (c != '\\') {
      if (c == 0) *has_nul = 1;
      if (out != NULL && *n < cap) out[*n] = (char)c;
      (*n)++;
      i++;
      continue;
    }
    unsigned ecol = t->col + (unsigned)i; /* strings never span lines */
    i++;
    c = (unsigned char)s[i];
    uint32_t v;
    switch (c) {
      case 'a': v = '\a'; i++; break;
      case 'b': v = '\b'; i++; break;
      case 'f': v = '\f'; i++; break;
      case 'n': v = '\n'; i++; break;
      case 'r': v = '\r'; i++; break;
      case 't': v = '\t'; i++; break;
      case 'v': v = '\v'; i++; break;
      case '\\': case '\'': case '"': case '?': v = c; i++; break;
      case 'x': case 'X': {
        i++;
        if (i >= end || !is_hex((unsigned char)s[i])) return perr(p, t->line, ecol, "invalid escape: '\\x' needs hex digits");
        v = 0;
        for (int k = 0; k < 2 && i < end && is_hex((unsigned char)s[i]); ++k, ++i) v = v * 16 + (uint32_t)hex_val((unsigned char)s[i]);
        break;
      }
      case 'u': case 'U': {
        int digits = c == 'u' ? 4 : 8;
        i++;
        v = 0;
        for (int k = 0; k < digits; ++k, ++i) {
          if (i >= end || !is_hex((unsigned char)s[i]))
            return perr(p, t->line, ecol, "invalid escape: '\\%c' needs %d hex digits", c, digits);
          v = v * 16 + (uint32_t)hex_val((unsigned char)s[i]);
        }
        if (v >= 0xD800 && v < 0xDC00) { /* high surrogate: needs \uDC00-\uDFFF next */
          uint32_t lo = 0;
          int ok = i + 6 <= end && s[i] == '\\' && s[i + 1] == 'u';
          for (int k = 0; ok && k < 4; ++k) {
            if (!is_hex((unsigned char)s[i + 2 + k])) ok = 0;
            else lo = lo * 16 + (uint32_t)hex_val((unsigned char)s[i + 2 + k]);
          }
          if (!ok || lo < 0xDC00 || lo > 0xDFFF)
            return perr(p, t->line, ecol, "invalid escape: unpaired UTF-16 surrogate");
          v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        } else if ((v >= 0xDC00 && v < 0xE000) || v > 0x10FFFF) {
          return perr(p, t->line, ecol, "invalid escape: not a Unicode code point");
        }
        if (v == 0) *has_nul = 1;
        put_utf8(out, cap, n, v);
        continue;
      }
      default:
        if (c >= '0' && c <= '7') {
          v = 0;
          for (int k = 0; k < 3 && i < end && s[i] >= '0' && s[i] <= '7'; ++k, ++i) v = v * 8 + (uint32_t)(s[i] - '0');
          v &= 0xFFu; /* like protobuf: \400..\777 keep the low byte */
          break;
        }
        if (c >= 0x21 && c < 0x7f) return perr(p, t->line, ecol, "invalid escape sequence '\\%c'", c);
        return perr(p, t->line, ecol, "invalid escape sequence (backslash before byte 0x%02x)", (unsigned)c);
    }
    if (v == 0) *has_nul = 1;
    if (out != NULL && *n < cap) out[*n] = (char)v;
    (*n)++;
  }
  return PPRT_STATUS_OK;
}

/* Parse a (possibly concatenated) string value. out may be NULL (skipping). */
static enum pprt_status parse_strings(struct parser* p, const struct field_desc* fd, char* out, size_t cap) {
  const struct token* t;
  enum pprt_status st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  unsigned line = t->line, col = t->col;
  size_t n = 0;
  int has_nul = 0;
  while (t->type == T_STRING) {
    struct token tok = *t;
    consume(p);
    st = decode_string(p, &tok, out, cap, &n, &has_nul);
    if (st != PPRT_STATUS_OK) return st;
    st = peek(p, &t);
    if (st != PPRT_STATUS_OK) return st;
  }
  if (out != NULL) {
    if (n >= cap) return perr(p, line, col, "'%s' is too long (%zu bytes, at most %zu)", fd->name, n, cap - 1);
    if (has_nul) return perr(p, line, col, "'%s' contains a NUL byte", fd->name);
    out[n] = '\0';
  }
  return PPRT_STATUS_OK;
}

/* Integer token -> uint64 (0 and *ovf=1 on overflow). */
static uint64_t int_value(const struct parser* p, const struct token* t, int* ovf) {
  const char* s = p->text + t->pos;
  size_t i = 0;
  unsigned b = 10;
  if (t->base == B_HEX) {
    b = 16;
    i = 2;
  } else if (t->base == B_OCT) {
    b = 8;
    i = 1;
  }
  uint64_t v = 0;
  *ovf = 0;
  for (; i < t->len; ++i) {
    uint64_t d = (uint64_t)hex_val((unsigned char)s[i]);
    if (v > (UINT64_MAX - d) / b) {
      *ovf = 1;
      return 0;
    }
    v = v * b + d;
  }
  return v;
}

/* Decimal number token -> double, independent of the C locale's decimal point. */
static double float_value(const struct parser* p, const struct token* t) {
  char buf[PROTO_NUM_TEXT_MAX];
  size_t n = t->len;
  if (n > 0 && (p->text[t->pos + n - 1] == 'f' || p->text[t->pos + n - 1] == 'F')) n--;
  memcpy(buf, p->text + t->pos, n);
  buf[n] = '\0';
  const struct lconv* lc = localeconv();
  char dp = (lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0') ? lc->decimal_point[0] : '.';
  if (dp != '.') {
    char* d = strchr(buf, '.');
    if (d != NULL) *d = dp;
  }
  return strtod(buf, NULL);
}

struct scalar {
  int neg;
  struct token tok; /* the value token (after '-') */
  unsigned line, col; /* where the value starts (the '-' if any) */
};

/* Read a scalar value: optional '-', then a number or identifier. Strings are handled by the caller. */
static enum pprt_status read_scalar(struct parser* p, struct scalar* v, const char* fname) {
  const struct token* t;
  enum pprt_status st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  v->neg = 0;
  v->line = t->line;
  v->col = t->col;
  if (is_sym(p, t, '-')) {
    v->neg = 1;
    consume(p);
    st = peek(p, &t);
    if (st != PPRT_STATUS_OK) return st;
    if (t->type != T_INT && t->type != T_FLOAT && !tok_is_nonfinite(p, t)) {
      char d[64];
      tok_desc(p, t, d, sizeof d);
      return perr(p, t->line, t->col, "expected a number after '-', got %s", d);
    }
  } else if (t->type != T_INT && t->type != T_FLOAT && t->type != T_IDENT) {
    char d[64];
    tok_desc(p, t, d, sizeof d);
    return perr(p, t->line, t->col, "expected a value for '%s', got %s", fname, d);
  }
  if ((t->type == T_INT || t->type == T_FLOAT) && t->len >= PROTO_NUM_TEXT_MAX)
    return perr(p, t->line, t->col, "number too long (%zu characters)", t->len);
  v->tok = *t;
  consume(p);
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_float(struct parser* p, const struct field_desc* fd, const struct scalar* v, float* out) {
  const struct token* t = &v->tok;
  if (t->type == T_IDENT) {
    if (tok_is_nonfinite(p, t))
      return perr(p, v->line, v->col, "'%s' must be a finite number (inf and nan are not allowed)", fd->name);
    char d[64];
    tok_desc(p, t, d, sizeof d);
    return perr(p, v->line, v->col, "expected a number for '%s', got %s", fd->name, d);
  }
  double x;
  if (t->type == T_INT && t->base != B_DEC) {
    int ovf;
    uint64_t u = int_value(p, t, &ovf);
    if (ovf) return perr(p, v->line, v->col, "'%s' value out of range", fd->name);
    x = (double)u;
  } else {
    x = float_value(p, t);
  }
  if (!(fabs(x) <= (double)FLT_MAX)) return perr(p, v->line, v->col, "'%s' value out of range for a float", fd->name);
  *out = (float)(v->neg ? -x : x);
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_uint(struct parser* p, const struct field_desc* fd, const struct scalar* v, uint32_t* out) {
  const struct token* t = &v->tok;
  if (v->neg) return perr(p, v->line, v->col, "'%s' must not be negative", fd->name);
  if (t->type != T_INT) {
    char d[64];
    tok_desc(p, t, d, sizeof d);
    return perr(p, v->line, v->col, "expected an unsigned integer for '%s', got %s", fd->name, d);
  }
  int ovf;
  uint64_t u = int_value(p, t, &ovf);
  if (ovf || u > UINT32_MAX) return perr(p, v->line, v->col, "'%s' value out of range (at most 4294967295)", fd->name);
  *out = (uint32_t)u;
  return PPRT_STATUS_OK;
}

static enum pprt_status scalar_bool(struct parser* p, const struct field_desc* fd, const struct scalar* v, int* out) {
  const struct token* t = &v->tok;
  if (!v->neg) {
    if (tok_is(p, t, "true") || tok_is(p, t, "True") || tok_is(p, t, "t")) {
      *out = 1;
      return PPRT_STATUS_OK;
    }
    if (tok_is(p, t, "false") || tok_is(p, t, "False") || tok_is(p, t, "f")) {
      *out = 0;
      return PPRT_STATUS_OK;
    }
    if (t->type == T_INT) {
      int ovf;
      uint64_t u = int_value(p, t, &ovf);
      if (!ovf && u <= 1) {
        *out = (int)u;
        return PPRT_STATUS_OK;
      }
    }
  }
  return perr(p, v->line, v->col, "expected true or false for '%s'", fd->name);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Storing known fields                                                                                          */

struct msg_ctx {
  enum msg_type type;
  uint32_t index; /* M_RANGE / M_SIZE: which anchor set */
  uint32_t count; /* M_RANGE / M_SIZE: values given so far */
};

/* First occurrence of a repeated field in this parse replaces the default list. */
static int first_time(struct parser* p, enum field_id id) {
  uint32_t bit = 1u << id;
  if (p->seen & bit) return 0;
  p->seen |= bit;
  return 1;
}

static enum pprt_status append_float(struct parser* p, const struct field_desc* fd, const struct scalar* v, float* arr,
                                     uint32_t* count, uint32_t max) {
  float x;
  enum pprt_status st = scalar_float(p, fd, v, &x);
  if (st != PPRT_STATUS_OK) return st;
  if (*count >= max) return perr(p, v->line, v->col, "too many '%s' values (at most %u)", fd->name, max);
  arr[(*count)++] = x;
  return PPRT_STATUS_OK;
}

static enum pprt_status store_scalar(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                     const struct scalar* v) {
  struct pprt_model_config* c = p->cfg;
  struct pprt_anchor_config* a = &c->anchor;
  uint32_t u = 0;
  enum pprt_status st;
  int fresh = fd->repeated ? first_time(p, fd->id) : 0;
  switch (fd->id) {
    case F_MEAN:
      if (fresh) c->num_mean = 0;
      c->present |= PPRT_CFG_MEAN;
      return append_float(p, fd, v, c->mean, &c->num_mean, PPRT_CFG_MAX_FEATURES);
    case F_SCALE:
      if (fresh) c->num_scale = 0;
      c->present |= PPRT_CFG_SCALE;
      return append_float(p, fd, v, c->scale, &c->num_scale, PPRT_CFG_MAX_FEATURES);
    case F_RANGE:
      c->present |= PPRT_CFG_POINT_CLOUD_RANGE;
      return append_float(p, fd, v, c->point_cloud_range, &p->n_range, 6);
    case F_VOXEL:
      c->present |= PPRT_CFG_VOXEL_SIZE;
      return append_float(p, fd, v, c->voxel_size, &p->n_voxel, 3);
    case F_ROTATIONS:
      if (fresh) a->num_rotations = 0;
      return append_float(p, fd, v, a->rotations, &a->num_rotations, PPRT_CFG_MAX_ROTATIONS);
    case F_CUSTOM:
      if (fresh) a->num_custom_values = 0;
      return append_float(p, fd, v, a->custom_values, &a->num_custom_values, PPRT_CFG_MAX_CUSTOM);
    case F_SINGLE_RANGE:
      return append_float(p, fd, v, a->ranges[ctx->index], &ctx->count, 6);
    case F_SINGLE_SIZE:
      return append_float(p, fd, v, a->sizes[ctx->index], &ctx->count, 3);
    case F_NMS_THRESH:
      c->present |= PPRT_CFG_NMS_THRESH;
      return scalar_float(p, fd, v, &c->nms_thresh);
    case F_SCORE_THRESH:
      c->present |= PPRT_CFG_SCORE_THRESH;
      return scalar_float(p, fd, v, &c->score_thresh);
    case F_ANCHOR_SCALE:
      return scalar_float(p, fd, v, &a->scale);
    case F_ALIGN:
      return scalar_bool(p, fd, v, &a->align_corner);
    default:
      break;
  }
  st = scalar_uint(p, fd, v, &u);
  if (st != PPRT_STATUS_OK) return st;
  switch (fd->id) {
    case F_IN_CHANNELS: c->in_channels = u; c->present |= PPRT_CFG_IN_CHANNELS; break;
    case F_MAX_POINTS: c->max_points_num = u; c->present |= PPRT_CFG_MAX_POINTS_NUM; break;
    case F_MAX_VOXELS: c->max_voxels_num = u; c->present |= PPRT_CFG_MAX_VOXELS_NUM; break;
    case F_NUM_CLASSES: c->num_classes = u; c->present |= PPRT_CFG_NUM_CLASSES; break;
    case F_NMS_PRE: c->nms_pre = u; c->present |= PPRT_CFG_NMS_PRE; break;
    case F_MAX_NUM: c->max_num = u; c->present |= PPRT_CFG_MAX_NUM; break;
    case F_FEATMAP:
      c->present |= PPRT_CFG_FEATMAP_SIZE;
      if (p->n_featmap >= 2) return perr(p, v->line, v->col, "too many '%s' values (at most 2)", fd->name);
      c->featmap_size[p->n_featmap++] = u;
      break;
    default:
      return perr(p, v->line, v->col, "internal: no storage for '%s'", fd->name);
  }
  return PPRT_STATUS_OK;
}

static enum pprt_status store_string(struct parser* p, const struct field_desc* fd) {
  struct pprt_model_config* c = p->cfg;
  char scratch[PPRT_CFG_NAME_MAX];
  char* out;
  switch (fd->id) {
    case F_MODEL_NAME: out = c->name; break;
    case F_SCORE_LAYER: out = c->score_layer_name; c->present |= PPRT_CFG_SCORE_LAYER; break;
    case F_BBOX_LAYER: out = c->bbox_layer_name; c->present |= PPRT_CFG_BBOX_LAYER; break;
    case F_DIR_LAYER: out = c->dir_layer_name; c->present |= PPRT_CFG_DIR_LAYER; break;
    default: out = scratch; break; /* kernel name: checked, not kept */
  }
  /* Decode into scratch first so a failed value does not leave half a name behind. */
  enum pprt_status st = parse_strings(p, fd, scratch, sizeof scratch);
  if (st != PPRT_STATUS_OK) return st;
  if (out != scratch) memcpy(out, scratch, PPRT_CFG_NAME_MAX);
  return PPRT_STATUS_OK;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Grammar                                                                                                       */

static enum pprt_status parse_fields(struct parser* p, struct msg_ctx* ctx, int depth, char close, unsigned oline,
                                     unsigned ocol);

/* The '{' or '<' is next. */
static enum pprt_status parse_message(struct parser* p, const struct field_desc* fd, const struct token* name,
                                      int depth) {
  const struct token* t;
  enum pprt_status st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  unsigned oline = t->line, ocol = t->col;
  char close = is_sym(p, t, '<') ? '>' : '}';
  if (depth + 1 > PROTO_MAX_DEPTH)
    return perr(p, oline, ocol, "messages nested deeper than %d levels", PROTO_MAX_DEPTH);
  consume(p);
  struct msg_ctx child = {fd != NULL ? fd->child : M_UNKNOWN, 0, 0};
  if (fd != NULL) {
    struct pprt_model_config* c = p->cfg;
    struct pprt_anchor_config* a = &c->anchor;
    switch (fd->id) {
      case F_PILLARS: c->present |= PPRT_CFG_PILLARS_PARAM; break;
      case F_ANCHOR_INFO: c->present |= PPRT_CFG_ANCHOR_INFO; break;
      case F_RANGES:
      case F_SIZES: {
        uint32_t* num = fd->id == F_RANGES ? &a->num_ranges : &a->num_sizes;
        if (first_time(p, fd->id)) *num = 0;
        if (*num >= PPRT_CFG_MAX_ANCHOR_SETS)
          return perr(p, name->line, name->col, "too many '%s' blocks (at most %d)", fd->name, PPRT_CFG_MAX_ANCHOR_SETS);
        child.index = (*num)++;
        break;
      }
      default: break;
    }
  }
  st = parse_fields(p, &child, depth + 1, close, oline, ocol);
  if (st != PPRT_STATUS_OK) return st;
  if (child.type == M_RANGE && child.count != 6)
    return perr(p, name->line, name->col, "a 'ranges' block needs 6 'single_range' values, got %u", child.count);
  if (child.type == M_SIZE && child.count != 3)
    return perr(p, name->line, name->col, "a 'sizes' block needs 3 'single_size' values, got %u", child.count);
  return PPRT_STATUS_OK;
}

/* One scalar value (string or otherwise) of field fd (NULL = unknown field). */
static enum pprt_status parse_scalar_value(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                           const char* fname) {
  const struct token* t;
  enum pprt_status st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  if (fd != NULL && fd->kind == K_MSG) {
    char d[64];
    tok_desc(p, t, d, sizeof d);
    return perr(p, t->line, t->col, "'%s' is a message: expected '{', got %s", fd->name, d);
  }
  if (t->type == T_STRING) {
    if (fd == NULL) return parse_strings(p, NULL, NULL, 0);
    if (fd->kind != K_STRING)
      return perr(p, t->line, t->col, "expected %s for '%s', got a string",
                  fd->kind == K_BOOL ? "true or false" : "a number", fd->name);
    return store_string(p, fd);
  }
  struct scalar v;
  st = read_scalar(p, &v, fname);
  if (st != PPRT_STATUS_OK) return st;
  if (fd == NULL) return PPRT_STATUS_OK;
  if (fd->kind == K_STRING) return perr(p, v.line, v.col, "expected a quoted string for '%s'", fd->name);
  return store_scalar(p, ctx, fd, &v);
}

/* The field name has been consumed; parse ':' value / message / list. */
static enum pprt_status parse_field_value(struct parser* p, struct msg_ctx* ctx, const struct field_desc* fd,
                                          const struct token* name, const char* fname, int depth) {
  int colon;
  enum pprt_status st = try_sym(p, ':', &colon);
  if (st != PPRT_STATUS_OK) return st;
  const struct token* t;
  st = peek(p, &t);
  if (st != PPRT_STATUS_OK) return st;
  if (is_sym(p, t, '{') || is_sym(p, t, '<')) {
    if (fd != NULL && fd->kind != K_MSG)
      return perr(p, t->line, t->col, "'%s' is a scalar field: expected ':' and a value, not a message", fd->name);
    return parse_message(p, fd, name, depth);
  }
  if (is_sym(p, t, '[')) {
    if (fd != NULL && !fd->repeated)
      return perr(p, t->line, t->col, "'%s' is not a repeated field: list syntax is not allowed", fd->name);
    /* Only a known repeated message field may omit the ':' before a list (as in protobuf). */
    if (!colon && (fd == NULL || fd->kind != K_MSG))
      return perr(p, t->line, t->col, "expected ':' after '%s'", fname);
    consume(p);
    int done;
    st = try_sym(p, ']', &done);
    if (st != PPRT_STATUS_OK) return st;
    if (done) {
      /* An empty list still sets a repeated field (to no values). */
      if (fd != NULL && fd->kind != K_MSG) {
        int fresh = first_time(p, fd->id);
        struct pprt_model_config* c = p->cfg;
        switch (fd->id) {
          case F_MEAN: if (fresh) c->num_mean = 0; c->present |= PPRT_CFG_MEAN; break;
          case F_SCALE: if (fresh) c->num_scale = 0; c->present |= PPRT_CFG_SCALE; break;
          case F_RANGE: c->present |= PPRT_CFG_POINT_CLOUD_RANGE; break;
          case F_VOXEL: c->present |= PPRT_CFG_VOXEL_SIZE; break;
          case F_FEATMAP: c->present |= PPRT_CFG_FEATMAP_SIZE; break;
          case F_ROTATIONS: if (fresh) c->anchor.num_rotations = 0; break;
          case F_CUSTOM: if (fresh) c->anchor.num_custom_values = 0; break;
          default: break;
        }
      } else if (fd != NULL && (fd->id == F_RANGES || fd->id == F_SIZES)) {
        if (first_time(p, fd->id)) *(fd->id == F_RANGES ? &p->cfg->anchor.num_ranges : &p->cfg->anchor.num_sizes) = 0;
      }
      return PPRT_STATUS_OK;
    }
    for (;;) {
      st = peek(p, &t);
      if (st != PPRT_STATUS_OK) return st;
      int is_msg = is_sym(p, t, '{') || is_sym(p, t, '<');
      if (is_msg) {
        if (fd != NULL && fd->kind != K_MSG)
          return perr(p, t->line, t->col, "'%s' is a scalar field: expected a value, not a message", fd->name);
        st = parse_message(p, fd, name, depth);
      } else {
        if (fd != NULL && fd->kind == K_MSG) {
          char d[64];
          tok_desc(p, t, d, sizeof d);
          return perr(p, t->line, t->col, "'%s' is a message: expected '{', got %s", fd->name, d);
        }
        st = parse_scalar_value(p, ctx, fd, fname);
      }
      if (st != PPRT_STATUS_OK) return st;
      st = peek(p, &t);
      if (st != PPRT_STATUS_OK) return st;
      if (is_sym(p, t, ']')) {
        consume(p);
        return PPRT_STATUS_OK;
      }
      if (!is_sym(p, t, ',')) {
        char d[64];
        tok_desc(p, t, d, sizeof d);
        return perr(p, t->line, t->col, "expected ',' or ']' in the list of '%s', got %s", fname, d);
      }
      consume(p);
    }
  }
  if (!colon) {
    char d[64];
    tok_desc(p, t, d, sizeof d);
    if (fd != NULL && fd->kind == K_MSG)
      return perr(p, t->line, t->col, "expected '{' after '%s', got %s", fname, d);
    return perr(p, t->line, t->col, "expected ':' after '%s', got %s", fname, d);
  }
  return parse_scalar_value(p, ctx, fd, fname);
}

/* Fields until `close` ('}' or '>'), or until the end of input when close == 0 (top level). */
static enum pprt_status parse_fields(struct parser* p, struct msg_ctx* ctx, int depth, char close, unsigned oline,
                                     unsigned ocol) {
  for (;;) {
    const struct token* t;
    enum pprt_status st = peek(p, &t);
    if (st != PPRT_STATUS_OK) return st;
    if (t->type == T_EOF) {
      if (close == 0) return PPRT_STATUS_OK;
      return perr(p, t->line, t->col, "unexpected end of input: missing '%c' to close the '%c' at %u:%u", close,
                  close == '}' ? '{' : '<', oline, ocol);
    }
    if (close != 0 && is_sym(p, t, close)) {
      consume(p);
      return PPRT_STATUS_OK;
    }
    struct token name = *t;
    char fname[96];
    const struct field_desc* fd = NULL;
    if (t->type == T_IDENT) {
      consume(p);
      int n = name.len > 64 ? 64 : (int)name.len;
      snprintf(fname, sizeof fname, "%.*s%s", n, p->text + name.pos, name.len > 64 ? "..." : "");
      if (ctx->type != M_UNKNOWN) fd = find_field(ctx->type, p->text + name.pos, name.len);
    } else if (is_sym(p, t, '[')) {
      /* Extension or Any type name: [a.b.c] or [domain/x.y]; never one of ours. */
      consume(p);
      int slash = 0;
      for (;;) {
        st = peek(p, &t);
        if (st != PPRT_STATUS_OK) return st;
        if (t->type != T_IDENT) {
          char d[64];
          tok_desc(p, t, d, sizeof d);
          return perr(p, t->line, t->col, "expected an extension name inside '[ ]', got %s", d);
        }
        consume(p);
        st = peek(p, &t);
        if (st != PPRT_STATUS_OK) return st;
        if (is_sym(p, t, '.')) {
          consume(p);
        } else if (is_sym(p, t, '/') && !slash) {
          slash = 1;
          consume(p);
        } else if (is_sym(p, t, ']')) {
          consume(p);
          break;
        } else {
          char d[64];
          tok_desc(p, t, d, sizeof d);
          return perr(p, t->line, t->col, "expected '.' or ']' in an extension name, got %s", d);
        }
      }
      snprintf(fname, sizeof fname, "[extension]");
    } else {
      char d[64];
      tok_desc(p, t, d, sizeof d);
      if (t->type == T_SYM && (p->text[t->pos] == '}' || p->text[t->pos] == '>'))
        return perr(p, t->line, t->col, "unexpected %s%s", d, close == 0 ? " (no message is open)" : "");
      return perr(p, t->line, t->col, "expected a field name, got %s", d);
    }
    if (fd != NULL && p->first_line[fd->id] == 0) {
      p->first_line[fd->id] = name.line;
      p->first_col[fd->id] = name.col;
    }
    st = parse_field_value(p, ctx, fd, &name, fname, depth);
    if (st != PPRT_STATUS_OK) return st;
    int sep;
    st = try_sym(p, ',', &sep);
    if (st != PPRT_STATUS_OK) return st;
    if (!sep) {
      st = try_sym(p, ';', &sep);
      if (st != PPRT_STATUS_OK) return st;
    }
  }
}

static enum pprt_status check_count(struct parser* p, enum field_id id, const char* name, uint32_t got,
                                    uint32_t want) {
  if (p->first_line[id] == 0 || got == want) return PPRT_STATUS_OK;
  return perr(p, p->first_line[id], p->first_col[id], "'%s' needs %u values, got %u", name, want, got);
}

enum pprt_status pprt_prototxt_parse(const char* text, size_t len, const char* source, struct pprt_model_config* cfg,
                                     struct pprt_err* err) {
  if (cfg == NULL || (text == NULL && len != 0))
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_prototxt_parse: NULL %s", cfg == NULL ? "cfg" : "text");
  pprt_model_config_defaults(cfg);
  struct parser p;
  memset(&p, 0, sizeof p);
  p.text = text != NULL ? text : "";
  p.len = len;
  p.line = 1;
  p.col = 1;
  p.source = source != NULL ? source : "<prototxt>";
  p.cfg = cfg;
  p.err = err;
  struct msg_ctx root = {M_ROOT, 0, 0};
  enum pprt_status st = parse_fields(&p, &root, 0, 0, 0, 0);
  if (st == PPRT_STATUS_OK) st = check_count(&p, F_RANGE, "point_cloud_range", p.n_range, 6);
  if (st == PPRT_STATUS_OK) st = check_count(&p, F_VOXEL, "voxel_size", p.n_voxel, 3);
  if (st == PPRT_STATUS_OK) st = check_count(&p, F_FEATMAP, "featmap_size", p.n_featmap, 2);
  if (st != PPRT_STATUS_OK) pprt_model_config_defaults(cfg); /* never hand back half a config */
  return st;
}

enum pprt_status pprt_prototxt_load(const char* path, struct pprt_model_config* cfg, struct pprt_err* err) {
  if (path == NULL || cfg == NULL)
    return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_prototxt_load: NULL %s", path == NULL ? "path" : "cfg");
  FILE* f = fopen(path, "rb");
  if (f == NULL) return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot open: %s", path, strerror(errno));
  char* buf = malloc(PROTO_MAX_FILE + 1);
  if (buf == NULL) {
    fclose(f);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory reading the prototxt", path);
  }
  size_t n = fread(buf, 1, PROTO_MAX_FILE + 1, f);
  int rerr = ferror(f);
  int eno = errno;
  fclose(f);
  enum pprt_status st;
  if (rerr) {
    st = pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot read: %s", path, strerror(eno));
  } else if (n > PROTO_MAX_FILE) {
    st = pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: file is larger than %u bytes; not a model prototxt", path,
                   PROTO_MAX_FILE);
  } else {
    st = pprt_prototxt_parse(buf, n, path, cfg, err);
  }
  free(buf);
  return st;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Validation                                                                                                    */

static int name_ok(const char* s) { return memchr(s, '\0', PPRT_CFG_NAME_MAX) != NULL && s[0] != '\0'; }

enum pprt_status pprt_model_config_validate(const struct pprt_model_config* cfg, const char* source,
                                            struct pprt_err* err) {
  const char* src = source != NULL ? source : "<model config>";
  const enum pprt_status bad = PPRT_STATUS_MODEL_MISMATCH;
  if (cfg == NULL) return pprt_fail(err, PPRT_STATUS_INVALID_ARGUMENT, "pprt_model_config_validate: NULL cfg");
  static const char axis[3] = {'x', 'y', 'z'};
  for (int i = 0; i < 3; ++i) {
    if (!(cfg->voxel_size[i] > 0.0f) || !isfinite(cfg->voxel_size[i]))
      return pprt_fail(err, bad, "%s: voxel_size[%d] (%s) = %g must be a positive number", src, i,
                       i == 0 ? "x" : i == 1 ? "y" : "z", (double)cfg->voxel_size[i]);
    float lo = cfg->point_cloud_range[i], hi = cfg->point_cloud_range[i + 3];
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
      return pprt_fail(err, bad, "%s: point_cloud_range %c: min %g must be below max %g", src, axis[i], (double)lo,
                       (double)hi);
  }
  uint32_t grid[3];
  for (int i = 0; i < 3; ++i) {
    double g = ((double)cfg->point_cloud_range[i + 3] - (double)cfg->point_cloud_range[i]) / (double)cfg->voxel_size[i];
    double r = floor(g + 0.5);
    if (fabs(g - r) > 1e-3 || r < 1.0)
      return pprt_fail(err, bad, "%s: point_cloud_range %c extent / voxel_size = %.6f is not a whole number of cells",
                       src, axis[i], g);
    if (r > 8192.0)
      return pprt_fail(err, bad, "%s: grid %c has %.0f cells (at most 8192)", src, axis[i], r);
    grid[i] = (uint32_t)r;
  }
  if (grid[2] != 1)
    return pprt_fail(err, bad, "%s: the grid has %u cells in z; pillars need exactly 1 (voxel_size z = range z extent)",
                     src, grid[2]);
  if (cfg->in_channels != 4 && cfg->in_channels != 5)
    return pprt_fail(err, bad, "%s: in_channels = %u; must be 4 or 5", src, cfg->in_channels);
  if (cfg->num_mean > PPRT_CFG_MAX_FEATURES || cfg->num_scale > PPRT_CFG_MAX_FEATURES)
    return pprt_fail(err, bad, "%s: more than %d mean/scale values", src, PPRT_CFG_MAX_FEATURES);
  if ((cfg->present & PPRT_CFG_MEAN) && cfg->num_mean != cfg->in_channels)
    return pprt_fail(err, bad, "%s: kernel has %u mean values but in_channels = %u", src, cfg->num_mean,
                     cfg->in_channels);
  if ((cfg->present & PPRT_CFG_SCALE) && cfg->num_scale != cfg->in_channels)
    return pprt_fail(err, bad, "%s: kernel has %u scale values but in_channels = %u", src, cfg->num_scale,
                     cfg->in_channels);
  if (cfg->max_points_num == 0 || cfg->max_points_num > 65535)
    return pprt_fail(err, bad, "%s: max_points_num = %u; must be 1..65535", src, cfg->max_points_num);
  if (cfg->max_voxels_num == 0 || cfg->max_voxels_num > 1000000)
    return pprt_fail(err, bad, "%s: max_voxels_num = %u; must be 1..1000000", src, cfg->max_voxels_num);
  for (int i = 0; i < 2; ++i) {
    if (cfg->featmap_size[i] == 0 || cfg->featmap_size[i] > 1024)
      return pprt_fail(err, bad, "%s: featmap_size[%d] = %u; must be 1..1024", src, i, cfg->featmap_size[i]);
  }
  const struct pprt_anchor_config* a = &cfg->anchor;
  if (a->num_ranges == 0 || a->num_ranges > PPRT_CFG_MAX_ANCHOR_SETS || a->num_sizes > PPRT_CFG_MAX_ANCHOR_SETS ||
      a->num_ranges != a->num_sizes)
    return pprt_fail(err, bad, "%s: anchor_info has %u ranges and %u sizes; need the same number, 1..%d", src,
                     a->num_ranges, a->num_sizes, PPRT_CFG_MAX_ANCHOR_SETS);
  if (a->num_rotations == 0 || a->num_rotations > PPRT_CFG_MAX_ROTATIONS)
    return pprt_fail(err, bad, "%s: anchor_info has %u rotations; need 1..%d", src, a->num_rotations,
                     PPRT_CFG_MAX_ROTATIONS);
  if (a->num_custom_values > PPRT_CFG_MAX_CUSTOM)
    return pprt_fail(err, bad, "%s: anchor_info has %u custom values (at most %d)", src, a->num_custom_values,
                     PPRT_CFG_MAX_CUSTOM);
  if (cfg->num_classes == 0 || cfg->num_classes > PPRT_CFG_MAX_CLASSES)
    return pprt_fail(err, bad, "%s: num_classes = %u; must be 1..%d", src, cfg->num_classes, PPRT_CFG_MAX_CLASSES);
  if (!(cfg->nms_thresh >= 0.0f && cfg->nms_thresh <= 1.0f))
    return pprt_fail(err, bad, "%s: nms_thresh = %g; must be within [0, 1]", src, (double)cfg->nms_thresh);
  if (!(cfg->score_thresh > 0.0f && cfg->score_thresh < 1.0f))
    return pprt_fail(err, bad, "%s: score_thresh = %g; must be within (0, 1)", src, (double)cfg->score_thresh);
  if (cfg->max_num == 0) return pprt_fail(err, bad, "%s: max_num = 0; must be at least 1", src);
  if (!name_ok(cfg->score_layer_name)) return pprt_fail(err, bad, "%s: score_layer_name is empty", src);
  if (!name_ok(cfg->bbox_layer_name)) return pprt_fail(err, bad, "%s: bbox_layer_name is empty", src);
  if (!name_ok(cfg->dir_layer_name)) return pprt_fail(err, bad, "%s: dir_layer_name is empty", src);
  return PPRT_STATUS_OK;
}
