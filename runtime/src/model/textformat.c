/* The protobuf text-format lexer shared by the schema reader (model/prototxt.c) and the second.pytorch pipeline
 * reader (model/kitti_config.c); textformat.h says what it does, docs/PROTOTXT.md ("Syntax") what it accepts. */
#include "model/textformat.h"
#include "pprt_common/fileio.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void pprt_tf_init(struct pprt_tf_lexer* lx, const char* text, size_t len, const char* source, struct pprt_err* err) {
  memset(lx, 0, sizeof *lx);
  lx->text = text != NULL ? text : "";
  lx->len = text != NULL ? len : 0;
  lx->line = 1;
  lx->col = 1;
  lx->source = source;
  lx->err = err;
}

enum pprt_status pprt_tf_verror(struct pprt_tf_lexer* lx, unsigned line, unsigned col, const char* fmt, va_list ap) {
  char what[512];
  vsnprintf(what, sizeof what, fmt, ap);
  return pprt_fail(lx->err, PPRT_STATUS_PARSE_ERROR, "%s:%u:%u: %s", lx->source, line, col, what);
}

enum pprt_status pprt_tf_error(struct pprt_tf_lexer* lx, unsigned line, unsigned col, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  enum pprt_status st = pprt_tf_verror(lx, line, col, fmt, ap);
  va_end(ap);
  return st;
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int cur(const struct pprt_tf_lexer* lx) { return lx->pos < lx->len ? (unsigned char)lx->text[lx->pos] : -1; }
static int at(const struct pprt_tf_lexer* lx, size_t off) {
  return lx->pos + off < lx->len ? (unsigned char)lx->text[lx->pos + off] : -1;
}

static void advance(struct pprt_tf_lexer* lx) {
  if (lx->pos >= lx->len) return;
  if (lx->text[lx->pos] == '\n') {
    lx->line++;
    lx->col = 1;
  } else {
    lx->col++;
  }
  lx->pos++;
}

/* Describe a token for messages ("'foo'", "end of input", ...). */
void pprt_tf_describe(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char* buf, size_t cap) {
  switch (t->type) {
    case PPRT_TF_EOF: snprintf(buf, cap, "end of input"); return;
    case PPRT_TF_STRING: snprintf(buf, cap, "a string"); return;
    default: {
      int n = t->len > 40 ? 40 : (int)t->len;
      snprintf(buf, cap, "'%.*s%s'", n, lx->text + t->pos, t->len > 40 ? "..." : "");
      return;
    }
  }
}

static enum pprt_status lex_number(struct pprt_tf_lexer* lx, struct pprt_tf_token* t) {
  int c = cur(lx);
  t->type = PPRT_TF_INT;
  t->base = PPRT_TF_DEC;
  if (c == '0' && (at(lx, 1) == 'x' || at(lx, 1) == 'X')) {
    advance(lx);
    advance(lx);
    if (!is_hex(cur(lx)))
      return pprt_tf_error(lx, t->line, t->col, "malformed hex number: '0x' must be followed by hex digits");
    while (is_hex(cur(lx))) advance(lx);
    t->base = PPRT_TF_HEX;
  } else if (c == '0' && is_digit(at(lx, 1))) {
    advance(lx);
    while (cur(lx) >= '0' && cur(lx) <= '7') advance(lx);
    if (is_digit(cur(lx)))
      return pprt_tf_error(lx, t->line, t->col, "malformed number: a leading zero means octal (digits 0-7)");
    t->base = PPRT_TF_OCT;
  } else {
    while (is_digit(cur(lx))) advance(lx);
    if (cur(lx) == '.') {
      t->type = PPRT_TF_FLOAT;
      advance(lx);
      while (is_digit(cur(lx))) advance(lx);
    }
    if (cur(lx) == 'e' || cur(lx) == 'E') {
      t->type = PPRT_TF_FLOAT;
      advance(lx);
      if (cur(lx) == '+' || cur(lx) == '-') advance(lx);
      if (!is_digit(cur(lx))) return pprt_tf_error(lx, t->line, t->col, "malformed number: exponent without digits");
      while (is_digit(cur(lx))) advance(lx);
    }
    if (cur(lx) == 'f' || cur(lx) == 'F') {
      t->type = PPRT_TF_FLOAT;
      advance(lx);
    }
  }
  if (is_alnum(cur(lx)) || cur(lx) == '.')
    return pprt_tf_error(lx, t->line, t->col, "malformed number (a number must be followed by a space or a separator)");
  t->len = lx->pos - t->pos;
  return PPRT_STATUS_OK;
}

static enum pprt_status lex_string(struct pprt_tf_lexer* lx, struct pprt_tf_token* t) {
  int quote = cur(lx);
  advance(lx);
  for (;;) {
    int c = cur(lx);
    if (c < 0 || c == '\n')
      return pprt_tf_error(lx, t->line, t->col, "unterminated string (strings must end on the line they start)");
    if (c == quote) {
      advance(lx);
      break;
    }
    if (c == '\\') {
      advance(lx);
      if (cur(lx) < 0 || cur(lx) == '\n')
        return pprt_tf_error(lx, t->line, t->col, "unterminated string (strings must end on the line they start)");
    }
    advance(lx);
  }
  t->type = PPRT_TF_STRING;
  t->len = lx->pos - t->pos;
  return PPRT_STATUS_OK;
}

/* Read the next token into lx->peek (skipping whitespace and comments). */
static enum pprt_status lex(struct pprt_tf_lexer* lx) {
  for (;;) {
    int c = cur(lx);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      advance(lx);
    } else if (c == '#') {
      while (cur(lx) >= 0 && cur(lx) != '\n') advance(lx);
    } else {
      break;
    }
  }
  struct pprt_tf_token* t = &lx->peek;
  memset(t, 0, sizeof *t);
  t->pos = lx->pos;
  t->line = lx->line;
  t->col = lx->col;
  int c = cur(lx);
  if (c < 0) {
    t->type = PPRT_TF_EOF;
    return PPRT_STATUS_OK;
  }
  if (is_alpha(c)) {
    while (is_alnum(cur(lx))) advance(lx);
    t->type = PPRT_TF_IDENT;
    t->len = lx->pos - t->pos;
    return PPRT_STATUS_OK;
  }
  if (is_digit(c) || (c == '.' && is_digit(at(lx, 1)))) return lex_number(lx, t);
  if (c == '"' || c == '\'') return lex_string(lx, t);
  if (c != 0 && strchr("{}<>:,;[]-/.", c) != NULL) {
    advance(lx);
    t->type = PPRT_TF_SYM;
    t->len = 1;
    return PPRT_STATUS_OK;
  }
  if (c >= 0x21 && c < 0x7f) return pprt_tf_error(lx, t->line, t->col, "unexpected character '%c'", c);
  return pprt_tf_error(lx, t->line, t->col, "unexpected byte 0x%02x", (unsigned)c);
}

enum pprt_status pprt_tf_peek(struct pprt_tf_lexer* lx, const struct pprt_tf_token** out) {
  if (!lx->have_peek) {
    enum pprt_status st = lex(lx);
    if (st != PPRT_STATUS_OK) return st;
    lx->have_peek = 1;
  }
  *out = &lx->peek;
  return PPRT_STATUS_OK;
}

void pprt_tf_consume(struct pprt_tf_lexer* lx) { lx->have_peek = 0; }

int pprt_tf_is_sym(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char s) {
  return t->type == PPRT_TF_SYM && lx->text[t->pos] == s;
}

int pprt_tf_is_word(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, const char* word) {
  size_t n = strlen(word);
  return t->type == PPRT_TF_IDENT && t->len == n && memcmp(lx->text + t->pos, word, n) == 0;
}

int pprt_tf_is_nonfinite(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t) {
  static const char* words[] = {"inf", "infinity", "nan"};
  if (t->type != PPRT_TF_IDENT) return 0;
  for (size_t w = 0; w < 3; ++w) {
    size_t n = strlen(words[w]);
    if (t->len != n) continue;
    size_t i = 0;
    while (i < n && (lx->text[t->pos + i] | 0x20) == words[w][i]) ++i;
    if (i == n) return 1;
  }
  return 0;
}

/* Consume the symbol s if it is next; returns 1 if it was. */
enum pprt_status pprt_tf_try_sym(struct pprt_tf_lexer* lx, char s, int* found) {
  const struct pprt_tf_token* t;
  enum pprt_status st = pprt_tf_peek(lx, &t);
  if (st != PPRT_STATUS_OK) return st;
  *found = pprt_tf_is_sym(lx, t, s);
  if (*found) pprt_tf_consume(lx);
  return PPRT_STATUS_OK;
}

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
enum pprt_status pprt_tf_decode_string(struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char* out, size_t cap,
                                       size_t* n, int* has_nul) {
  const char* s = lx->text + t->pos;
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
        if (i >= end || !is_hex((unsigned char)s[i]))
          return pprt_tf_error(lx, t->line, ecol, "invalid escape: '\\x' needs hex digits");
        v = 0;
        for (int k = 0; k < 2 && i < end && is_hex((unsigned char)s[i]); ++k, ++i)
          v = v * 16 + (uint32_t)hex_val((unsigned char)s[i]);
        break;
      }
      case 'u': case 'U': {
        int digits = c == 'u' ? 4 : 8;
        i++;
        v = 0;
        for (int k = 0; k < digits; ++k, ++i) {
          if (i >= end || !is_hex((unsigned char)s[i]))
            return pprt_tf_error(lx, t->line, ecol, "invalid escape: '\\%c' needs %d hex digits", c, digits);
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
            return pprt_tf_error(lx, t->line, ecol, "invalid escape: unpaired UTF-16 surrogate");
          v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        } else if ((v >= 0xDC00 && v < 0xE000) || v > 0x10FFFF) {
          return pprt_tf_error(lx, t->line, ecol, "invalid escape: not a Unicode code point");
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
        if (c >= 0x21 && c < 0x7f) return pprt_tf_error(lx, t->line, ecol, "invalid escape sequence '\\%c'", c);
        return pprt_tf_error(lx, t->line, ecol, "invalid escape sequence (backslash before byte 0x%02x)", (unsigned)c);
    }
    if (v == 0) *has_nul = 1;
    if (out != NULL && *n < cap) out[*n] = (char)v;
    (*n)++;
  }
  return PPRT_STATUS_OK;
}

/* Integer token -> uint64 (0 and *ovf=1 on overflow). */
uint64_t pprt_tf_int_value(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, int* ovf) {
  const char* s = lx->text + t->pos;
  size_t i = 0;
  unsigned b = 10;
  if (t->base == PPRT_TF_HEX) {
    b = 16;
    i = 2;
  } else if (t->base == PPRT_TF_OCT) {
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
double pprt_tf_float_value(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t) {
  char buf[PPRT_TF_NUM_TEXT_MAX];
  size_t n = t->len < PPRT_TF_NUM_TEXT_MAX ? t->len : PPRT_TF_NUM_TEXT_MAX - 1; /* callers refuse longer */
  if (n > 0 && (lx->text[t->pos + n - 1] == 'f' || lx->text[t->pos + n - 1] == 'F')) n--;
  memcpy(buf, lx->text + t->pos, n);
  buf[n] = '\0';
  const struct lconv* lc = localeconv();
  char dp = (lc != NULL && lc->decimal_point != NULL && lc->decimal_point[0] != '\0') ? lc->decimal_point[0] : '.';
  if (dp != '.') {
    char* d = strchr(buf, '.');
    if (d != NULL) *d = dp;
  }
  return strtod(buf, NULL);
}

enum pprt_status pprt_tf_read_file(const char* path, char** out, size_t* n, int* missing, struct pprt_err* err) {
  *out = NULL;
  *n = 0;
  struct stat sb;
  if (missing != NULL && stat(path, &sb) != 0 && errno == ENOENT) {
    *missing = 1;
    return PPRT_STATUS_OK;
  }
  FILE* f = NULL;
  uint64_t size = 0;
  enum pprt_status ost = pprt_fopen_regular(path, &f, &size, err); /* a FIFO does not block */
  if (ost) return ost;
  /* A buffer of the size fstat gave (+1 byte, to see a file that grew since); only a file that did grow is read
   * on into the largest buffer. */
  size_t cap = size < PPRT_TF_MAX_FILE ? (size_t)size + 1 : (size_t)PPRT_TF_MAX_FILE + 1;
  char* buf = malloc(cap);
  size_t got = buf != NULL ? fread(buf, 1, cap, f) : 0;
  if (buf != NULL && got == cap && cap <= PPRT_TF_MAX_FILE) {
    char* more = realloc(buf, (size_t)PPRT_TF_MAX_FILE + 1);
    if (more == NULL) free(buf);
    buf = more;
    if (buf != NULL) got += fread(buf + got, 1, (size_t)PPRT_TF_MAX_FILE + 1 - got, f);
  }
  if (buf == NULL) {
    fclose(f);
    return pprt_fail(err, PPRT_STATUS_OUT_OF_MEMORY, "%s: out of memory reading it", path);
  }
  int rerr = ferror(f);
  int eno = errno;
  fclose(f);
  if (rerr) {
    free(buf);
    return pprt_fail(err, PPRT_STATUS_IO_ERROR, "%s: cannot read: %s", path, strerror(eno));
  }
  if (got > PPRT_TF_MAX_FILE) {
    free(buf);
    return pprt_fail(err, PPRT_STATUS_PARSE_ERROR, "%s: file is larger than %u bytes; not a model config", path,
                     PPRT_TF_MAX_FILE);
  }
  *out = buf;
  *n = got;
  return PPRT_STATUS_OK;
}
