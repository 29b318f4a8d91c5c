/* Internal: the protobuf text-format lexer both of pprt's text-format readers use (docs/PROTOTXT.md, "Syntax"):
 * the schema reader of Vitis AI's model prototxt (model/prototxt.c) and the second.pytorch pipeline reader
 * (<name>_officialcfg.prototxt, model/kitti_config.c). It splits the text into tokens (identifiers, decimal / hex /
 * octal integers, floats, quoted strings, one-character symbols), skips whitespace and '#' comments, keeps 1-based
 * line:column positions (the column counts bytes) and reports errors as `source:line:col: why`. Values are read
 * from tokens: pprt_tf_decode_string (C escapes), pprt_tf_int_value, pprt_tf_float_value. The text need not be
 * NUL-terminated; nothing is allocated. */
#ifndef PPRT_MODEL_TEXTFORMAT_H
#define PPRT_MODEL_TEXTFORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PPRT_TF_NUM_TEXT_MAX 128 /* longest number token pprt_tf_float_value converts */
#define PPRT_TF_MAX_FILE (1024u * 1024u) /* largest text-format file read: a model or pipeline config is a few KB */

enum pprt_tf_type { PPRT_TF_EOF, PPRT_TF_IDENT, PPRT_TF_INT, PPRT_TF_FLOAT, PPRT_TF_STRING, PPRT_TF_SYM };
enum pprt_tf_base { PPRT_TF_DEC, PPRT_TF_HEX, PPRT_TF_OCT };

struct pprt_tf_token {
  enum pprt_tf_type type;
  size_t pos, len; /* byte range in the text (a string: with its quotes) */
  unsigned line, col;
  enum pprt_tf_base base; /* PPRT_TF_INT */
};

struct pprt_tf_lexer {
  const char* text;
  size_t len, pos;
  unsigned line, col;
  int have_peek;
  struct pprt_tf_token peek;
  const char* source; /* the name in messages */
  struct pprt_err* err;
};

void pprt_tf_init(struct pprt_tf_lexer* lx, const char* text, size_t len, const char* source, struct pprt_err* err);

/* A parse error at line:col: `source:line:col: why` into lx->err; returns PPRT_STATUS_PARSE_ERROR. */
enum pprt_status pprt_tf_error(struct pprt_tf_lexer* lx, unsigned line, unsigned col, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
enum pprt_status pprt_tf_verror(struct pprt_tf_lexer* lx, unsigned line, unsigned col, const char* fmt, va_list ap);

/* The next token (lexed once, kept until pprt_tf_consume). */
enum pprt_status pprt_tf_peek(struct pprt_tf_lexer* lx, const struct pprt_tf_token** out);
void pprt_tf_consume(struct pprt_tf_lexer* lx);
/* Consume the symbol s if it is next; *found tells whether it was. */
enum pprt_status pprt_tf_try_sym(struct pprt_tf_lexer* lx, char s, int* found);

int pprt_tf_is_sym(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char s);
int pprt_tf_is_word(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, const char* word);
/* inf / infinity / nan in any case (an identifier protobuf reads as a float). */
int pprt_tf_is_nonfinite(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t);
/* A token for messages: "'foo'", "a string", "end of input". */
void pprt_tf_describe(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char* buf, size_t cap);

/* Decode one string token, appending to out (capacity cap, may be NULL; *n counts every byte, even past cap);
 * *has_nul is set if it decodes a NUL byte. */
enum pprt_status pprt_tf_decode_string(struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, char* out, size_t cap,
                                       size_t* n, int* has_nul);
/* An integer token's value (0 and *ovf = 1 past UINT64_MAX). */
uint64_t pprt_tf_int_value(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t, int* ovf);
/* A number token (len < PPRT_TF_NUM_TEXT_MAX) as a double, whatever the C locale's decimal point. */
double pprt_tf_float_value(const struct pprt_tf_lexer* lx, const struct pprt_tf_token* t);

/* Read a whole text file of at most PPRT_TF_MAX_FILE bytes into a malloc'd buffer (*out, *n; the caller frees it)
 * without blocking on a FIFO: IO_ERROR naming the file if it cannot be read or is not a regular file, PARSE_ERROR if
 * it is larger. missing != NULL: a file that does not exist is *missing = 1 and OK. */
enum pprt_status pprt_tf_read_file(const char* path, char** out, size_t* n, int* missing, struct pprt_err* err);

#ifdef __cplusplus
}
#endif

#endif
