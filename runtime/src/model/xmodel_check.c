/* The structural validator of xmodel bytes (xmodel_check.h, docs/XMODEL-FORMS.md "Validation").
 *
 * Pass 1 walks the protobuf wire format against the schema of XIR 2.5's graph_proto_v2.proto (package serial_v2,
 * proto3; the field table below lists every message and field): every tag, varint, length and wire type, strings as
 * UTF-8 (proto3 refuses anything else), scalar ranges, packed repeated fields, the AttrValue oneof (exactly one kind),
 * map entries, nesting depth. Pass 2 walks the same (now known well-formed) bytes for the structure XIR's
 * deserializer assumes without checking: unique op names, op inputs naming ops defined before them, an output tensor
 * with a valid data type, bit width and dimensions, op arguments and required attributes as the file's own op
 * definitions declare them, the shape / data_type attributes an op without input needs, fix points in range, const
 * data as long as its tensor, and subgraphs that name existing ops and partition their parent. */
#include "model/xmodel_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema (serial_v2, XIR 2.5) ------------------------------------------------------------------------ */

enum kind { K_INT32, K_UINT32, K_INT64, K_UINT64, K_BOOL, K_ENUM, K_FLOAT, K_DOUBLE, K_STRING, K_BYTES, K_MSG };

enum msg {
  M_GRAPH, M_ATTR_ENTRY, M_OPNODE, M_OPARG, M_TENSOR, M_SUBGRAPH, M_OPDEF, M_ATTRDEF, M_OPARGDEF, M_ATTRVALUE,
  M_BYTES, M_BOOLVEC, M_INT32VEC, M_UINT32VEC, M_INT64VEC, M_UINT64VEC, M_FLOATVEC, M_DOUBLEVEC, M_STRINGVEC,
  M_BYTESVEC, M_MAP_I32, M_MAP_I32_E, M_MAP_U32, M_MAP_U32_E, M_MAP_I64, M_MAP_I64_E, M_MAP_U64, M_MAP_U64_E,
  M_MAP_STR, M_MAP_STR_E, M_MAP_BYTES, M_MAP_BYTES_E, M_MAP_I32V, M_MAP_I32V_E, M_MAP_U32V, M_MAP_U32V_E,
  M_MAP_I64V, M_MAP_I64V_E, M_MAP_U64V, M_MAP_U64V_E, M_MAP_STRV, M_MAP_STRV_E, M_COUNT
};

struct field {
  unsigned num;
  const char* name;
  unsigned char kind;
  unsigned char repeated;
  unsigned char required; /* pprt requires it (XIR would convert a default into something invalid) */
  unsigned char sub;      /* K_MSG: the message; K_ENUM: the largest value */
};

struct message {
  const char* name;
  const struct field* f;
  unsigned nf;
  unsigned char oneof; /* AttrValue: exactly one field */
};

#define N(a) (unsigned)(sizeof a / sizeof a[0])

static const struct field f_graph[] = {
    {1, "graph_name", K_STRING, 0, 0, 0},          {5, "op_node", K_MSG, 1, 1, M_OPNODE},
    {10, "subg_root", K_MSG, 0, 1, M_SUBGRAPH},    {11, "graph_attr", K_MSG, 1, 0, M_ATTR_ENTRY},
    {101, "op_defs", K_MSG, 1, 0, M_OPDEF},
};
static const struct field f_attr_entry[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 1, M_ATTRVALUE}};
static const struct field f_opnode[] = {
    {1, "op_name", K_STRING, 0, 1, 0},          {2, "op_type", K_STRING, 0, 1, 0},
    {3, "op_attr", K_MSG, 1, 0, M_ATTR_ENTRY},  {4, "args", K_MSG, 1, 0, M_OPARG},
    {5, "output_tensor", K_MSG, 0, 1, M_TENSOR},
};
static const struct field f_oparg[] = {{1, "arg_name", K_STRING, 0, 1, 0}, {2, "arg_ops", K_STRING, 1, 0, 0}};
static const struct field f_tensor[] = {
    {1, "tensor_name", K_STRING, 0, 0, 0}, {2, "tensor_dim", K_UINT32, 1, 0, 0},
    {5, "data_type", K_INT32, 0, 0, 0},    {6, "tensor_bit_width", K_INT32, 0, 1, 0},
    {10, "tensor_attr", K_MSG, 1, 0, M_ATTR_ENTRY},
};
static const struct field f_subgraph[] = {
    {1, "subgraph_name", K_STRING, 0, 0, 0},    {3, "op_name", K_STRING, 1, 0, 0},
    {5, "subg_attr", K_MSG, 1, 0, M_ATTR_ENTRY}, {10, "subg_child", K_MSG, 1, 0, M_SUBGRAPH},
};
static const struct field f_opdef[] = {
    {1, "name", K_STRING, 0, 1, 0},           {2, "input_args", K_MSG, 1, 0, M_OPARGDEF},
    {3, "attrs", K_MSG, 1, 0, M_ATTRDEF},     {4, "annotation", K_STRING, 0, 0, 0},
};
static const struct field f_attrdef[] = {
    {1, "name", K_STRING, 0, 1, 0},     {3, "occur_type", K_ENUM, 0, 0, 1},      {4, "default_value", K_MSG, 0, 1, M_ATTRVALUE},
    {6, "list_length", K_INT32, 0, 0, 0}, {7, "annotation", K_STRING, 0, 0, 0},
};
static const struct field f_opargdef[] = {
    {1, "name", K_STRING, 0, 1, 0},      {2, "occur_type", K_ENUM, 0, 0, 3},
    {3, "data_type", K_INT32, 0, 0, 0},  {4, "annotation", K_STRING, 0, 0, 0},
};
static const struct field f_attrvalue[] = {
    {4, "bool_value", K_BOOL, 0, 0, 0},
    {5, "int32_value", K_INT32, 0, 0, 0},
    {6, "uint32_value", K_UINT32, 0, 0, 0},
    {7, "int64_value", K_INT64, 0, 0, 0},
    {8, "uint64_value", K_UINT64, 0, 0, 0},
    {9, "float_value", K_FLOAT, 0, 0, 0},
    {10, "double_value", K_DOUBLE, 0, 0, 0},
    {11, "string_value", K_STRING, 0, 0, 0},
    {12, "bytes_value", K_MSG, 0, 0, M_BYTES},
    {13, "bool_vec_value", K_MSG, 0, 0, M_BOOLVEC},
    {14, "int32_vec_value", K_MSG, 0, 0, M_INT32VEC},
    {15, "uint32_vec_value", K_MSG, 0, 0, M_UINT32VEC},
    {16, "int64_vec_value", K_MSG, 0, 0, M_INT64VEC},
    {17, "uint64_vec_value", K_MSG, 0, 0, M_UINT64VEC},
    {18, "float_vec_value", K_MSG, 0, 0, M_FLOATVEC},
    {19, "double_vec_value", K_MSG, 0, 0, M_DOUBLEVEC},
    {20, "string_vec_value", K_MSG, 0, 0, M_STRINGVEC},
    {21, "bytes_vec_value", K_MSG, 0, 0, M_BYTESVEC},
    {22, "map_string_2_int32_value", K_MSG, 0, 0, M_MAP_I32},
    {23, "map_string_2_uint32_value", K_MSG, 0, 0, M_MAP_U32},
    {24, "map_string_2_int64_value", K_MSG, 0, 0, M_MAP_I64},
    {25, "map_string_2_uint64_value", K_MSG, 0, 0, M_MAP_U64},
    {26, "map_string_2_string_value", K_MSG, 0, 0, M_MAP_STR},
    {27, "map_string_2_bytes_value", K_MSG, 0, 0, M_MAP_BYTES},
    {28, "map_string_2_int32_vec_value", K_MSG, 0, 0, M_MAP_I32V},
    {29, "map_string_2_uint32_vec_value", K_MSG, 0, 0, M_MAP_U32V},
    {30, "map_string_2_int64_vec_value", K_MSG, 0, 0, M_MAP_I64V},
    {31, "map_string_2_uint64_vec_value", K_MSG, 0, 0, M_MAP_U64V},
    {32, "map_string_2_string_vec_value", K_MSG, 0, 0, M_MAP_STRV},
};
static const struct field f_bytes[] = {{1, "value", K_BYTES, 0, 0, 0}};
static const struct field f_boolvec[] = {{1, "value", K_BOOL, 1, 0, 0}};
static const struct field f_int32vec[] = {{1, "value", K_INT32, 1, 0, 0}};
static const struct field f_uint32vec[] = {{1, "value", K_UINT32, 1, 0, 0}};
static const struct field f_int64vec[] = {{1, "value", K_INT64, 1, 0, 0}};
static const struct field f_uint64vec[] = {{1, "value", K_UINT64, 1, 0, 0}};
static const struct field f_floatvec[] = {{1, "value", K_FLOAT, 1, 0, 0}};
static const struct field f_doublevec[] = {{1, "value", K_DOUBLE, 1, 0, 0}};
static const struct field f_stringvec[] = {{1, "value", K_STRING, 1, 0, 0}};
static const struct field f_bytesvec[] = {{1, "value", K_MSG, 1, 0, M_BYTES}};
#define MAP(lower, entry_msg)                                                                  \
  static const struct field f_map_##lower[] = {{1, "value", K_MSG, 1, 0, entry_msg}};
MAP(i32, M_MAP_I32_E)
MAP(u32, M_MAP_U32_E)
MAP(i64, M_MAP_I64_E)
MAP(u64, M_MAP_U64_E)
MAP(str, M_MAP_STR_E)
MAP(bytes, M_MAP_BYTES_E)
MAP(i32v, M_MAP_I32V_E)
MAP(u32v, M_MAP_U32V_E)
MAP(i64v, M_MAP_I64V_E)
MAP(u64v, M_MAP_U64V_E)
MAP(strv, M_MAP_STRV_E)
static const struct field f_e_i32[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_INT32, 0, 0, 0}};
static const struct field f_e_u32[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_UINT32, 0, 0, 0}};
static const struct field f_e_i64[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_INT64, 0, 0, 0}};
static const struct field f_e_u64[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_UINT64, 0, 0, 0}};
static const struct field f_e_str[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_STRING, 0, 0, 0}};
static const struct field f_e_bytes[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_BYTES}};
static const struct field f_e_i32v[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_INT32VEC}};
static const struct field f_e_u32v[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_UINT32VEC}};
static const struct field f_e_i64v[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_INT64VEC}};
static const struct field f_e_u64v[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_UINT64VEC}};
static const struct field f_e_strv[] = {{1, "key", K_STRING, 0, 0, 0}, {2, "value", K_MSG, 0, 0, M_STRINGVEC}};

static const struct message messages[M_COUNT] = {
    [M_GRAPH] = {"Graph", f_graph, N(f_graph), 0},
    [M_ATTR_ENTRY] = {"AttrEntry", f_attr_entry, N(f_attr_entry), 0},
    [M_OPNODE] = {"OPNode", f_opnode, N(f_opnode), 0},
    [M_OPARG] = {"OpArg", f_oparg, N(f_oparg), 0},
    [M_TENSOR] = {"Tensor", f_tensor, N(f_tensor), 0},
    [M_SUBGRAPH] = {"SubGraph", f_subgraph, N(f_subgraph), 0},
    [M_OPDEF] = {"OpDef", f_opdef, N(f_opdef), 0},
    [M_ATTRDEF] = {"AttrDef", f_attrdef, N(f_attrdef), 0},
    [M_OPARGDEF] = {"OpArgDef", f_opargdef, N(f_opargdef), 0},
    [M_ATTRVALUE] = {"AttrValue", f_attrvalue, N(f_attrvalue), 1},
    [M_BYTES] = {"Bytes", f_bytes, N(f_bytes), 0},
    [M_BOOLVEC] = {"BoolVec", f_boolvec, N(f_boolvec), 0},
    [M_INT32VEC] = {"Int32Vec", f_int32vec, N(f_int32vec), 0},
    [M_UINT32VEC] = {"Uint32Vec", f_uint32vec, N(f_uint32vec), 0},
    [M_INT64VEC] = {"Int64Vec", f_int64vec, N(f_int64vec), 0},
    [M_UINT64VEC] = {"Uint64Vec", f_uint64vec, N(f_uint64vec), 0},
    [M_FLOATVEC] = {"FloatVec", f_floatvec, N(f_floatvec), 0},
    [M_DOUBLEVEC] = {"DoubleVec", f_doublevec, N(f_doublevec), 0},
    [M_STRINGVEC] = {"StringVec", f_stringvec, N(f_stringvec), 0},
    [M_BYTESVEC] = {"BytesVec", f_bytesvec, N(f_bytesvec), 0},
    [M_MAP_I32] = {"MapString2Int32", f_map_i32, 1, 0},
    [M_MAP_I32_E] = {"ValueEntry", f_e_i32, 2, 0},
    [M_MAP_U32] = {"MapString2Uint32", f_map_u32, 1, 0},
    [M_MAP_U32_E] = {"ValueEntry", f_e_u32, 2, 0},
    [M_MAP_I64] = {"MapString2Int64", f_map_i64, 1, 0},
    [M_MAP_I64_E] = {"ValueEntry", f_e_i64, 2, 0},
    [M_MAP_U64] = {"MapString2Uint64", f_map_u64, 1, 0},
    [M_MAP_U64_E] = {"ValueEntry", f_e_u64, 2, 0},
    [M_MAP_STR] = {"MapString2String", f_map_str, 1, 0},
    [M_MAP_STR_E] = {"ValueEntry", f_e_str, 2, 0},
    [M_MAP_BYTES] = {"MapString2Bytes", f_map_bytes, 1, 0},
    [M_MAP_BYTES_E] = {"ValueEntry", f_e_bytes, 2, 0},
    [M_MAP_I32V] = {"MapString2Int32Vec", f_map_i32v, 1, 0},
    [M_MAP_I32V_E] = {"ValueEntry", f_e_i32v, 2, 0},
    [M_MAP_U32V] = {"MapString2Uint32Vec", f_map_u32v, 1, 0},
    [M_MAP_U32V_E] = {"ValueEntry", f_e_u32v, 2, 0},
    [M_MAP_I64V] = {"MapString2Int64Vec", f_map_i64v, 1, 0},
    [M_MAP_I64V_E] = {"ValueEntry", f_e_i64v, 2, 0},
    [M_MAP_U64V] = {"MapString2Uint64Vec", f_map_u64v, 1, 0},
    [M_MAP_U64V_E] = {"ValueEntry", f_e_u64v, 2, 0},
    [M_MAP_STRV] = {"MapString2StringVec", f_map_strv, 1, 0},
    [M_MAP_STRV_E] = {"ValueEntry", f_e_strv, 2, 0},
};

/* Deeper than protobuf's default recursion limit (100) never parses; XIR's own graphs nest a few levels. */
#define MAX_DEPTH 64
#define MAX_FIELDS 32

/* ---- context, errors, paths --------------------------------------------------------------------------------- */

struct ctx {
  const unsigned char* p;
  size_t n;
  struct pprt_xmodel_check* r;
  char path[sizeof(((struct pprt_xmodel_check*)0)->path)];
  size_t plen;
  int depth;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(struct ctx* c, size_t off, const char* fmt, ...) {
  if (c->r->ok == 0 && c->r->msg[0] != '\0') return 0; /* keep the first problem */
  c->r->ok = 0;
  c->r->offset = off;
  snprintf(c->r->path, sizeof c->r->path, "%s", c->path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->r->msg, sizeof c->r->msg, fmt, ap);
  va_end(ap);
  return 0;
}

/* Append ".name" or ".name[i]" to the path; returns the old length to restore. */
static size_t path_push(struct ctx* c, const char* name, long idx) {
  size_t old = c->plen;
  int w = idx >= 0 ? snprintf(c->path + c->plen, sizeof c->path - c->plen, ".%s[%ld]", name, idx)
                   : snprintf(c->path + c->plen, sizeof c->path - c->plen, ".%s", name);
  if (w > 0) c->plen += (size_t)w < sizeof c->path - c->plen ? (size_t)w : sizeof c->path - c->plen - 1;
  return old;
}

static void path_pop(struct ctx* c, size_t old) {
  c->plen = old;
  c->path[old] = '\0';
}

/* ---- wire primitives -------------------------------------------------------------------------------------- */

/* A varint at *pos before end: at most 10 bytes, no bits past 64, no redundant trailing 0x80 / 0x00 bytes. */
static int get_varint(struct ctx* c, size_t* pos, size_t end, uint64_t* v, const char* what) {
  const size_t start = *pos;
  uint64_t r = 0;
  for (unsigned i = 0; i < 10; ++i) {
    if (*pos >= end)
      return fail(c, start, "%s: varint truncated (runs past the end of its %s)", what,
                  end == c->n ? "file" : "message");
    const unsigned char b = c->p[(*pos)++];
    if (i == 9 && b > 1) return fail(c, start, "%s: varint longer than 64 bits", what);
    r |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) return fail(c, start, "%s: over-long varint (%u bytes, redundant zero byte)", what, i + 1);
      *v = r;
      return 1;
    }
  }
  return fail(c, start, "%s: varint longer than 10 bytes", what);
}

/* Strict UTF-8 (what protobuf requires of a proto3 string): no overlong forms, no surrogates, at most U+10FFFF. */
static size_t utf8_bad(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b == 0xe0) len = 3, lo = 0xa0;
    else if (b >= 0xe1 && b <= 0xec) len = 3;
    else if (b == 0xed) len = 3, hi = 0x9f;
    else if (b >= 0xee && b <= 0xef) len = 3;
    else if (b == 0xf0) len = 4, lo = 0x90;
    else if (b >= 0xf1 && b <= 0xf3) len = 4;
    else if (b == 0xf4) len = 4, hi = 0x8f;
    else return i + 1;
    if (n - i < len) return i + 1;
    if (s[i + 1] < lo || s[i + 1] > hi) return i + 1;
    for (size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return i + 1;
    i += len;
  }
  return 0;
}

static const char* kind_name(unsigned k) {
  static const char* const names[] = {"int32", "uint32", "int64", "uint64", "bool", "enum",
                                      "float", "double", "string", "bytes", "message"};
  return k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static int check_scalar(struct ctx* c, const struct field* f, uint64_t v, size_t off) {
  switch (f->kind) {
    case K_INT32: {
      const int64_t s = (int64_t)v;
      if (s < INT32_MIN || s > INT32_MAX) return fail(c, off, "value %lld does not fit an int32", (long long)s);
      return 1;
    }
    case K_UINT32:
      if (v > UINT32_MAX) return fail(c, off, "value %llu does not fit a uint32", (unsigned long long)v);
      return 1;
    case K_BOOL:
      if (v > 1) return fail(c, off, "bool value %llu (0 or 1)", (unsigned long long)v);
      return 1;
    case K_ENUM:
      if (v > f->sub) return fail(c, off, "enum value %lld out of range (0..%u)", (long long)(int64_t)v, f->sub);
      return 1;
    default: return 1;
  }
}

static int walk(struct ctx* c, unsigned m, size_t pos, size_t end);

/* ---- pass 1: the wire format against the schema ------------------------------------------------------------ */

static int walk(struct ctx* c, unsigned m, size_t pos, size_t end) {
  const struct message* md = &messages[m];
  unsigned count[MAX_FIELDS] = {0};
  size_t first_oneof = 0;
  unsigned oneofs = 0;
  const size_t msg_start = pos;
  if (++c->depth > MAX_DEPTH) return fail(c, pos, "messages nested deeper than %d levels", MAX_DEPTH);
  while (pos < end) {
    const size_t tag_off = pos;
    uint64_t tag;
    if (!get_varint(c, &pos, end, &tag, "field tag")) return 0;
    const uint64_t num = tag >> 3;
    const unsigned wire = (unsigned)(tag & 7);
    if (num == 0) return fail(c, tag_off, "field number 0 in %s", md->name);
    unsigned fi = 0;
    while (fi < md->nf && md->f[fi].num != num) ++fi;
    if (fi == md->nf)
      return fail(c, tag_off, "field number %llu (wire type %u) is not a field of serial_v2.%s",
                  (unsigned long long)num, wire, md->name);
    const struct field* f = &md->f[fi];
    const long idx = f->repeated ? (long)count[fi] : -1;
    if (!f->repeated && count[fi] > 0)
      return fail(c, tag_off, "field %s of %s appears more than once", f->name, md->name);
    ++count[fi];
    if (md->oneof) {
      if (oneofs++ > 0)
        return fail(c, tag_off, "AttrValue holds more than one value (%s after the one at offset %zu)", f->name,
                    first_oneof);
      first_oneof = tag_off;
    }
    const size_t old = path_push(c, f->name, idx);
    /* Wire type per kind; repeated scalars may be packed (wire type 2). */
    unsigned want;
    switch (f->kind) {
      case K_FLOAT: want = 5; break;
      case K_DOUBLE: want = 1; break;
      case K_STRING: case K_BYTES: case K_MSG: want = 2; break;
      default: want = 0; break;
    }
    const int packed = f->repeated && want != 2 && wire == 2;
    if (wire != want && !packed)
      return fail(c, tag_off, "wire type %u for %s field %s (expected %u%s)", wire, kind_name(f->kind), f->name, want,
                  f->repeated && want != 2 ? " or 2, packed" : "");
    if (wire == 0) {
      uint64_t v;
      const size_t voff = pos;
      if (!get_varint(c, &pos, end, &v, f->name) || !check_scalar(c, f, v, voff)) return 0;
    } else if (wire == 1 || wire == 5) {
      const size_t w = wire == 1 ? 8 : 4;
      if (end - pos < w)
        return fail(c, pos, "%zu-byte %s runs past the end of its %s", w, kind_name(f->kind),
                    end == c->n ? "file" : "message");
      pos += w;
    } else {
      uint64_t len;
      const size_t loff = pos;
      if (!get_varint(c, &pos, end, &len, "length")) return 0;
      if (len > end - pos)
        return fail(c, loff, "length %llu runs past the end of its %s (%zu bytes left: truncated or corrupted)",
                    (unsigned long long)len, end == c->n ? "file" : "message", end - pos);
      const size_t b = pos, e = pos + (size_t)len;
      if (packed) {
        if (f->kind == K_FLOAT || f->kind == K_DOUBLE) {
          const size_t w = f->kind == K_FLOAT ? 4 : 8;
          if (len % w) return fail(c, loff, "packed %s of %llu bytes (not a multiple of %zu)", kind_name(f->kind),
                                   (unsigned long long)len, w);
        } else {
          size_t q = b;
          while (q < e) {
            uint64_t v;
            const size_t voff = q;
            if (!get_varint(c, &q, e, &v, f->name) || !check_scalar(c, f, v, voff)) return 0;
          }
        }
      } else if (f->kind == K_STRING) {
        const size_t bad = utf8_bad(c->p + b, (size_t)len);
        if (bad) return fail(c, b + bad - 1, "string is not valid UTF-8 (byte 0x%02x)", c->p[b + bad - 1]);
      } else if (f->kind == K_MSG) {
        if (!walk(c, f->sub, b, e)) return 0;
      }
      pos = e;
    }
    path_pop(c, old);
  }
  for (unsigned fi = 0; fi < md->nf; ++fi)
    if (md->f[fi].required && count[fi] == 0)
      return fail(c, msg_start, "%s has no %s", md->name, md->f[fi].name);
  if (md->oneof && oneofs == 0) return fail(c, msg_start, "AttrValue holds no value");
  --c->depth;
  return 1;
}

/* ---- pass 2: reading well-formed bytes ----------------------------------------------------------------------- */

/* Iterate the fields of a message pass 1 accepted (no checks needed). */
struct it {
  const unsigned char* p;
  size_t pos, end;
};

struct fld {
  unsigned num, wire;
  size_t off;    /* the tag */
  uint64_t v;    /* wire 0 */
  size_t b, e;   /* wire 2: payload; wire 1/5: the bytes */
};

static uint64_t raw_varint(const unsigned char* p, size_t* pos) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 10; ++i) {
    const unsigned char b = p[(*pos)++];
    r |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) break;
  }
  return r;
}

static int next(struct it* it, struct fld* f) {
  if (it->pos >= it->end) return 0;
  f->off = it->pos;
  const uint64_t tag = raw_varint(it->p, &it->pos);
  f->num = (unsigned)(tag >> 3);
  f->wire = (unsigned)(tag & 7);
  f->v = 0;
  f->b = f->e = it->pos;
  if (f->wire == 0) f->v = raw_varint(it->p, &it->pos);
  else if (f->wire == 1) it->pos += 8;
  else if (f->wire == 5) it->pos += 4;
  else {
    const size_t len = (size_t)raw_varint(it->p, &it->pos);
    f->b = it->pos;
    it->pos += len;
  }
  f->e = it->pos;
  return 1;
}

static struct it sub(const struct ctx* c, const struct fld* f) {
  struct it r = {c->p, f->b, f->e};
  return r;
}

/* Visit the values of a repeated varint field (packed or not) one at a time. */
struct vals {
  const unsigned char* p;
  size_t pos, end;
  int single;
  uint64_t v;
};

static struct vals vals_of(const struct ctx* c, const struct fld* f) {
  struct vals r = {c->p, f->b, f->e, f->wire == 0, f->v};
  return r;
}

static int vals_next(struct vals* s, uint64_t* v) {
  if (s->single) {
    s->single = 0;
    s->pos = s->end;
    *v = s->v;
    return 1;
  }
  if (s->pos >= s->end) return 0;
  *v = raw_varint(s->p, &s->pos);
  return 1;
}

struct str {
  const unsigned char* s;
  size_t n;
};

static struct str str_of(const struct ctx* c, const struct fld* f) {
  struct str r = {c->p + f->b, f->e - f->b};
  return r;
}

static int str_eq(struct str a, const char* b) { return a.n == strlen(b) && memcmp(a.s, b, a.n) == 0; }
static int str_same(struct str a, struct str b) { return a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0); }

/* A name for messages: printable, at most 80 bytes. */
static const char* shown(struct str s, char* buf, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < s.n && k + 4 < cap && i < 80; ++i) buf[k++] = s.s[i] >= 0x20 && s.s[i] < 0x7f ? (char)s.s[i] : '?';
  if (s.n > 80 && k + 4 < cap) buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
  buf[k] = '\0';
  return buf;
}

/* ---- name tables ------------------------------------------------------------------------------------------ */

struct table {
  struct str* keys;
  size_t* vals;
  size_t cap;
};

static uint64_t hash(struct str s) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < s.n; ++i) h = (h ^ s.s[i]) * 1099511628211ull;
  return h;
}

static int table_init(struct table* t, size_t n) {
  t->cap = 16;
  while (t->cap < 2 * n + 16) t->cap *= 2;
  t->keys = (struct str*)calloc(t->cap, sizeof *t->keys);
  t->vals = (size_t*)calloc(t->cap, sizeof *t->vals);
  return t->keys != NULL && t->vals != NULL;
}

static void table_free(struct table* t) {
  free(t->keys);
  free(t->vals);
}

/* The slot of key: holding it, or the empty one where it goes. */
static size_t table_slot(const struct table* t, struct str key) {
  size_t i = (size_t)hash(key) & (t->cap - 1);
  while (t->keys[i].s != NULL && !str_same(t->keys[i], key)) i = (i + 1) & (t->cap - 1);
  return i;
}

/* Look key up: 1 and *val if present. Keys are non-empty names (an empty one is refused before). */
static int table_get(const struct table* t, struct str key, size_t* val) {
  const size_t i = table_slot(t, key);
  if (t->keys[i].s == NULL) return 0;
  *val = t->vals[i];
  return 1;
}

static void table_put(struct table* t, struct str key, size_t val) {
  const size_t i = table_slot(t, key);
  t->keys[i] = key;
  t->vals[i] = val;
}

/* ---- pass 2: the structure XIR relies on ------------------------------------------------------------------- */

struct graph {
  struct fld* ops; /* op_node fields, in file order */
  size_t nops;
  struct fld* defs;
  size_t ndefs;
  struct fld root;
  struct table op_names; /* name -> op index */
  struct table def_names; /* op type -> def index */
  size_t* owner;         /* per op: the subgraph holding it (pass 2 of the subgraphs) */
  size_t next_subgraph;
};

/* The AttrValue kind (its oneof field number) of an attribute map entry, and the value field. */
static unsigned attr_kind(const struct ctx* c, const struct fld* entry, struct str* key, struct fld* value) {
  struct it e = sub(c, entry);
  struct fld f;
  unsigned kind = 0;
  key->s = c->p + entry->b;
  key->n = 0;
  while (next(&e, &f)) {
    if (f.num == 1) *key = str_of(c, &f);
    if (f.num == 2) {
      struct it v = sub(c, &f);
      if (next(&v, value)) kind = value->num;
    }
  }
  return kind;
}

static const char* attr_kind_name(unsigned k) {
  return k >= 4 && k < 4 + N(f_attrvalue) ? f_attrvalue[k - 4].name : "none";
}

/* fix_point attributes: an int32 in [-64, 64] (a scale of 2^64 is no int8 quantization). */
static int check_attrs(struct ctx* c, const struct fld* owner_msg, unsigned attr_field, const char* what) {
  struct it m = sub(c, owner_msg);
  struct fld f;
  while (next(&m, &f)) {
    if (f.num != attr_field) continue;
    struct str key;
    struct fld v;
    const unsigned k = attr_kind(c, &f, &key, &v);
    if (str_eq(key, "fix_point")) {
      if (k != 5) return fail(c, f.off, "%s attribute fix_point is %s, expected int32_value", what, attr_kind_name(k));
      const int64_t fp = (int64_t)v.v;
      if (fp < -64 || fp > 64) return fail(c, v.off, "%s attribute fix_point %lld out of range (-64..64)", what, (long long)fp);
    }
  }
  return 1;
}

/* The tensor of an op: data type and bit width XIR accepts, dimensions >= 0 (or -1), its element count. */
static int check_tensor(struct ctx* c, const struct fld* t, uint64_t* elements, int* bit_width) {
  struct it m = sub(c, t);
  struct fld f;
  int64_t data_type = 0, bw = 0;
  size_t dt_off = t->b, bw_off = t->b;
  uint64_t e = 1;
  while (next(&m, &f)) {
    if (f.num == 2) {
      struct vals s = vals_of(c, &f);
      uint64_t d;
      while (vals_next(&s, &d)) {
        const int32_t di = (int32_t)(uint32_t)d;
        if (di < -1) return fail(c, f.off, "tensor dimension %u is negative as XIR's int32 (%d)", (unsigned)d, di);
        if (di <= 0) e = 0;
        else if (e != 0) e = e > UINT64_MAX / (uint64_t)di ? UINT64_MAX : e * (uint64_t)di;
      }
    } else if (f.num == 5) {
      data_type = (int64_t)f.v, dt_off = f.off;
    } else if (f.num == 6) {
      bw = (int64_t)f.v, bw_off = f.off;
    }
  }
  if (data_type < 0 || data_type > 4)
    return fail(c, dt_off, "data_type %lld is not one XIR 2.5 knows (0..4: INT, UINT, XINT, XUINT, FLOAT)",
                (long long)data_type);
  if (bw < 1 || bw > 64) return fail(c, bw_off, "tensor_bit_width %lld out of range (1..64)", (long long)bw);
  *elements = e;
  *bit_width = (int)bw;
  return check_attrs(c, t, 10, "tensor");
}

/* "INT8", "xint8", "FLOAT32", ...: XIR's DataType(string) (letters then digits; a type it knows). */
static int data_type_string_ok(struct str s) {
  static const char* const types[] = {"INT", "UINT", "XINT", "XUINT", "FLOAT", "int", "uint", "xint", "xuint", "float"};
  size_t k = 0;
  while (k < s.n && ((s.s[k] >= 'A' && s.s[k] <= 'Z') || (s.s[k] >= 'a' && s.s[k] <= 'z'))) ++k;
  if (k == 0 || k == s.n || s.n - k > 2) return 0;
  int bits = 0;
  for (size_t i = k; i < s.n; ++i) {
    if (s.s[i] < '0' || s.s[i] > '9') return 0;
    bits = bits * 10 + (s.s[i] - '0');
  }
  if (bits < 1 || bits > 64) return 0;
  struct str t = {s.s, k};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; ++i)
    if (str_eq(t, types[i])) return 1;
  return 0;
}

#define MAX_DEF_ARGS 32
#define MAX_DEF_ATTRS 64

struct def_view {
  struct str arg[MAX_DEF_ARGS];
  unsigned arg_occur[MAX_DEF_ARGS];
  unsigned nargs;
  struct str attr[MAX_DEF_ATTRS];
  unsigned attr_occur[MAX_DEF_ATTRS];
  unsigned attr_kind[MAX_DEF_ATTRS];
  unsigned nattrs;
};

static int read_def(struct ctx* c, const struct fld* d, struct def_view* v) {
  struct it m = sub(c, d);
  struct fld f, g;
  memset(v, 0, sizeof *v);
  while (next(&m, &f)) {
    if (f.num == 2) {
      if (v->nargs == MAX_DEF_ARGS) return fail(c, f.off, "op definition with more than %d input arguments", MAX_DEF_ARGS);
      struct it a = sub(c, &f);
      while (next(&a, &g)) {
        if (g.num == 1) v->arg[v->nargs] = str_of(c, &g);
        if (g.num == 2) v->arg_occur[v->nargs] = (unsigned)g.v;
      }
      ++v->nargs;
    } else if (f.num == 3) {
      if (v->nattrs == MAX_DEF_ATTRS) return fail(c, f.off, "op definition with more than %d attributes", MAX_DEF_ATTRS);
      struct it a = sub(c, &f);
      while (next(&a, &g)) {
        if (g.num == 1) v->attr[v->nattrs] = str_of(c, &g);
        if (g.num == 3) v->attr_occur[v->nattrs] = (unsigned)g.v;
        if (g.num == 4) {
          struct it dv = sub(c, &g);
          struct fld h;
          if (next(&dv, &h)) v->attr_kind[v->nattrs] = h.num;
        }
      }
      ++v->nattrs;
    }
  }
  return 1;
}

static int check_op(struct ctx* c, struct graph* g, size_t i) {
  char b1[96], b2[96];
  const struct fld* op = &g->ops[i];
  struct it m = sub(c, op);
  struct fld f;
  struct str name = {NULL, 0}, type = {NULL, 0};
  struct fld tensor = {0};
  while (next(&m, &f)) {
    if (f.num == 1) name = str_of(c, &f);
    else if (f.num == 2) type = str_of(c, &f);
    else if (f.num == 5) tensor = f;
  }
  const size_t old = path_push(c, "op_node", (long)i);
  if (name.n == 0) return fail(c, op->b, "op with an empty op_name");
  size_t other;
  if (table_get(&g->op_names, name, &other))
    return fail(c, op->b, "op name '%s' used twice (op_node[%zu] and [%zu])", shown(name, b1, sizeof b1), other, i);
  if (type.n == 0) return fail(c, op->b, "op '%s' has an empty op_type", shown(name, b1, sizeof b1));
  size_t di;
  if (!table_get(&g->def_names, type, &di))
    return fail(c, op->b, "op '%s' has type '%s' without an OpDef in the file (XIR writes one per op type it knows)",
                shown(name, b1, sizeof b1), shown(type, b2, sizeof b2));
  struct def_view dv;
  if (!read_def(c, &g->defs[di], &dv)) return 0;

  /* Arguments: names the def declares, ops defined before this one, occurrence as declared. */
  uint64_t arg_count[MAX_DEF_ARGS] = {0};
  m = sub(c, op);
  while (next(&m, &f)) {
    if (f.num != 4) continue;
    struct it a = sub(c, &f);
    struct fld h;
    struct str arg_name = {NULL, 0};
    uint64_t nops = 0;
    while (next(&a, &h)) {
      if (h.num == 1) arg_name = str_of(c, &h);
      if (h.num != 2) continue;
      ++nops;
      struct str in = str_of(c, &h);
      size_t k;
      if (!table_get(&g->op_names, in, &k))
        return fail(c, h.off, "op '%s' reads '%s', which is not an op defined before it", shown(name, b1, sizeof b1),
                    shown(in, b2, sizeof b2));
    }
    unsigned k = 0;
    while (k < dv.nargs && !str_same(dv.arg[k], arg_name)) ++k;
    if (k == dv.nargs)
      return fail(c, f.off, "op '%s' (%s) has an argument '%s' its OpDef does not declare", shown(name, b1, sizeof b1),
                  shown(type, b2, sizeof b2), shown(arg_name, (char[96]){0}, 96));
    arg_count[k] = nops; /* XIR keeps the last argument of a name */
  }
  for (unsigned k = 0; k < dv.nargs; ++k) {
    const uint64_t n = arg_count[k];
    const unsigned o = dv.arg_occur[k];
    const int ok = o == 0 ? n == 1 : o == 1 ? n < 2 : o == 2 ? 1 : n > 0;
    static const char* const occur[] = {"REQUIRED (exactly 1)", "OPTIONAL (0 or 1)", "REPEATED",
                                        "REQUIRED_AND_REPEATED (at least 1)"};
    if (!ok)
      return fail(c, op->b, "op '%s' (%s) has %llu inputs for argument '%s', which is %s", shown(name, b1, sizeof b1),
                  shown(type, b2, sizeof b2), (unsigned long long)n, shown(dv.arg[k], (char[96]){0}, 96), occur[o & 3]);
  }
  int has_input = 0;
  for (unsigned k = 0; k < dv.nargs; ++k)
    if (str_eq(dv.arg[k], "input") && arg_count[k] > 0) has_input = 1;

  /* Attributes: required ones present, declared ones of the declared kind; an op without input carries its shape and
   * data type (XIR builds its output tensor from them). */
  int has_shape = 0, has_dtype = 0;
  struct fld shape_attr = {0};
  struct fld data = {0};
  int has_data = 0;
  unsigned char seen[MAX_DEF_ATTRS] = {0};
  m = sub(c, op);
  while (next(&m, &f)) {
    if (f.num != 3) continue;
    struct str key;
    struct fld v;
    const unsigned k = attr_kind(c, &f, &key, &v);
    if (key.n == 0) return fail(c, f.off, "op '%s' has an attribute with an empty name", shown(name, b1, sizeof b1));
    for (unsigned a = 0; a < dv.nattrs; ++a) {
      if (!str_same(dv.attr[a], key)) continue;
      seen[a] = 1;
      if (dv.attr_kind[a] != k)
        return fail(c, f.off, "op '%s' (%s) attribute '%s' is %s, its OpDef declares %s", shown(name, b1, sizeof b1),
                    shown(type, b2, sizeof b2), shown(key, (char[96]){0}, 96), attr_kind_name(k),
                    attr_kind_name(dv.attr_kind[a]));
    }
    if (str_eq(key, "shape") && k == 14) {
      has_shape = 1;
      shape_attr = v;
    }
    if (str_eq(key, "data_type") && k == 11) {
      if (!data_type_string_ok(str_of(c, &v)))
        return fail(c, v.off, "op '%s' attribute data_type '%s' is not a data type XIR knows (e.g. XINT8, FLOAT32)",
                    shown(name, b1, sizeof b1), shown(str_of(c, &v), b2, sizeof b2));
      has_dtype = 1;
    }
    if (str_eq(key, "data") && k == 12) {
      data = v;
      has_data = 1;
    }
  }
  for (unsigned a = 0; a < dv.nattrs; ++a)
    if (dv.attr_occur[a] == 0 && !seen[a])
      return fail(c, op->b, "op '%s' (%s) lacks attribute '%s', which its OpDef requires", shown(name, b1, sizeof b1),
                  shown(type, b2, sizeof b2), shown(dv.attr[a], (char[96]){0}, 96));
  if (!has_input && (!has_shape || !has_dtype))
    return fail(c, op->b, "op '%s' (%s) has no input and no %s attribute (XIR builds its output tensor from them)",
                shown(name, b1, sizeof b1), shown(type, b2, sizeof b2),
                !has_shape ? "shape (int32_vec_value)" : "data_type (string_value)");
  if (!has_input) {
    /* XIR's shape inference of an op without input (data, const, ...) takes its shape attribute: every dimension
     * must be positive (XIR_INVALID_ARG_OCCUR "has negtive shape" otherwise, also for 0). */
    struct it sm = sub(c, &shape_attr);
    struct fld h;
    while (next(&sm, &h)) {
      struct vals vs = vals_of(c, &h);
      uint64_t d;
      while (vals_next(&vs, &d))
        if ((int32_t)(uint32_t)d <= 0)
          return fail(c, h.off, "op '%s' (%s) attribute shape has dimension %d (XIR needs every one > 0)",
                      shown(name, b1, sizeof b1), shown(type, b2, sizeof b2), (int)(int32_t)(uint32_t)d);
    }
  }
  if (!check_attrs(c, op, 3, "op")) return 0;

  /* The output tensor, and const data of its size when the op carries it (a compiled const-fix has none). */
  uint64_t elements = 0;
  int bw = 0;
  {
    const size_t o2 = path_push(c, "output_tensor", -1);
    if (!check_tensor(c, &tensor, &elements, &bw)) return 0;
    path_pop(c, o2);
  }
  if (has_data && (str_eq(type, "const") || str_eq(type, "const-fix")) && bw % 8 == 0) {
    struct it dm = sub(c, &data);
    struct fld h;
    uint64_t bytes = 0;
    while (next(&dm, &h))
      if (h.num == 1) bytes = h.e - h.b;
    const uint64_t want = elements > UINT64_MAX / 8 ? UINT64_MAX : elements * (uint64_t)(bw / 8);
    if (bytes != 0 && bytes != want)
      return fail(c, data.off, "op '%s' (%s) data has %llu bytes, its tensor needs %llu (%llu elements of %d bits)",
                  shown(name, b1, sizeof b1), shown(type, b2, sizeof b2), (unsigned long long)bytes,
                  (unsigned long long)want, (unsigned long long)elements, bw);
  }
  path_pop(c, old);
  table_put(&g->op_names, name, i);
  return 1;
}

/* Mark every op a subgraph (and its descendants) names as owned by id; each must be owned by parent so far: an op
 * of the parent not already in a sibling. */
static int collect(struct ctx* c, struct graph* g, const struct fld* s, size_t parent, size_t id, int depth) {
  char b1[96];
  struct it m = sub(c, s);
  struct fld f;
  if (depth > MAX_DEPTH) return fail(c, s->b, "subgraphs nested deeper than %d levels", MAX_DEPTH);
  while (next(&m, &f)) {
    if (f.num == 3) {
      struct str name = str_of(c, &f);
      size_t k;
      if (!table_get(&g->op_names, name, &k))
        return fail(c, f.off, "subgraph names op '%s', which is not in the graph", shown(name, b1, sizeof b1));
      if (g->owner[k] != parent)
        return fail(c, f.off, "subgraph names op '%s', which %s", shown(name, b1, sizeof b1),
                    g->owner[k] == id ? "it names twice"
                                      : "is not in its parent subgraph or is in a sibling subgraph too");
      g->owner[k] = id;
    } else if (f.num == 10) {
      if (!collect(c, g, &f, parent, id, depth + 1)) return 0;
    }
  }
  return 1;
}

static int check_children(struct ctx* c, struct graph* g, const struct fld* s, size_t id, int depth) {
  struct it m = sub(c, s);
  struct fld f;
  long idx = 0;
  while (next(&m, &f)) {
    if (f.num != 10) continue;
    const size_t old = path_push(c, "subg_child", idx++);
    int has_ops = 0, has_children = 0;
    struct it cm = sub(c, &f);
    struct fld h;
    while (next(&cm, &h)) {
      if (h.num == 3) has_ops = 1;
      if (h.num == 10) has_children = 1;
    }
    if (has_ops == has_children)
      return fail(c, f.b, "a subgraph must hold either ops or child subgraphs (XIR aborts on %s)",
                  has_ops ? "both" : "neither");
    const size_t child = ++g->next_subgraph;
    if (!collect(c, g, &f, id, child, depth)) return 0;
    if (has_children && !check_children(c, g, &f, child, depth + 1)) return 0;
    path_pop(c, old);
  }
  return 1;
}

static int check_graph(struct ctx* c) {
  struct graph g;
  memset(&g, 0, sizeof g);
  int ok = 0;
  struct it m = {c->p, 0, c->n};
  struct fld f;
  size_t nops = 0, ndefs = 0;
  while (next(&m, &f)) {
    if (f.num == 5) ++nops;
    if (f.num == 101) ++ndefs;
    if (f.num == 10) g.root = f;
  }
  g.ops = (struct fld*)calloc(nops ? nops : 1, sizeof *g.ops);
  g.defs = (struct fld*)calloc(ndefs ? ndefs : 1, sizeof *g.defs);
  g.owner = (size_t*)calloc(nops ? nops : 1, sizeof *g.owner);
  if (!g.ops || !g.defs || !g.owner || !table_init(&g.op_names, nops) || !table_init(&g.def_names, ndefs)) {
    fail(c, 0, "out of memory for the tables of %zu ops", nops);
    goto out;
  }
  m.pos = 0;
  while (next(&m, &f)) {
    if (f.num == 5) g.ops[g.nops++] = f;
    if (f.num == 101) g.defs[g.ndefs++] = f;
  }
  c->r->ops = g.nops;
  c->r->op_defs = g.ndefs;
  for (size_t i = 0; i < g.ndefs; ++i) {
    struct it d = sub(c, &g.defs[i]);
    struct fld h;
    struct str name = {NULL, 0};
    while (next(&d, &h))
      if (h.num == 1) name = str_of(c, &h);
    if (name.n == 0) {
      const size_t old = path_push(c, "op_defs", (long)i);
      fail(c, g.defs[i].b, "op definition with an empty name");
      path_pop(c, old);
      goto out;
    }
    table_put(&g.def_names, name, i); /* XIR keeps its own definitions; a repeated name: the last one */
  }
  for (size_t i = 0; i < g.nops; ++i)
    if (!check_op(c, &g, i)) goto out;
  {
    const size_t old = path_push(c, "subg_root", -1);
    struct it r = sub(c, &g.root);
    struct fld h;
    while (next(&r, &h)) {
      if (h.num != 3) continue;
      size_t k;
      if (!table_get(&g.op_names, str_of(c, &h), &k)) {
        char b1[96];
        fail(c, h.off, "root subgraph names op '%s', which is not in the graph", shown(str_of(c, &h), b1, sizeof b1));
        goto out;
      }
    }
    if (!check_children(c, &g, &g.root, 0, 1)) goto out;
    path_pop(c, old);
  }
  c->r->subgraphs = g.next_subgraph + 1;
  ok = 1;
out:
  free(g.ops);
  free(g.defs);
  free(g.owner);
  table_free(&g.op_names);
  table_free(&g.def_names);
  return ok;
}

int pprt_xmodel_check_bytes(const unsigned char* p, size_t n, struct pprt_xmodel_check* r) {
  struct ctx c;
  memset(r, 0, sizeof *r);
  memset(&c, 0, sizeof c);
  c.p = p;
  c.n = n;
  c.r = r;
  snprintf(c.path, sizeof c.path, "Graph");
  c.plen = strlen(c.path);
  if (p == NULL || n == 0) return fail(&c, 0, "file is empty");
  if (n > (size_t)INT32_MAX) return fail(&c, 0, "%zu bytes: protobuf parses at most 2 GiB", n);
  if (!walk(&c, M_GRAPH, 0, n)) return 0;
  if (!check_graph(&c)) return 0;
  r->ok = 1;
  return 1;
}

void pprt_xmodel_check_format(const struct pprt_xmodel_check* r, char* buf, size_t cap) {
  if (r->ok) snprintf(buf, cap, "valid (%zu ops, %zu subgraphs, %zu op definitions)", r->ops, r->subgraphs, r->op_defs);
  else snprintf(buf, cap, "offset %zu, %s: %s", r->offset, r->path, r->msg);
}
