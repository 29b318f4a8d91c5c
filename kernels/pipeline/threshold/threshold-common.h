/* The parts of the vector threshold scans (threshold-avx2.c, threshold-neon.c) that do not depend on the ISA: the
 * emit step of a hit byte and the row loop of the last bytes. Static inline: each variant compiles its own copy. */
#ifndef PPRT_THRESHOLD_COMMON_H
#define PPRT_THRESHOLD_COMMON_H

#include <stddef.h>
#include <stdint.h>

static inline int8_t thr_row_max(const int8_t* row, size_t k) {
  int8_t m = row[0];
  for (size_t j = 1; j < k; ++j) m = row[j] > m ? row[j] : m;
  return m;
}

/* A logit above thr at byte pos: its anchor is emitted (with the max of its whole row) unless an anchor already
 * emitted holds it; *next_pos is the first byte after the last emitted anchor. */
static inline void thr_emit(const int8_t* cls, size_t K, size_t pos, size_t* next_pos, uint32_t* idx, int8_t* maxv,
                            size_t* count) {
  if (pos < *next_pos) return;
  size_t a = pos / K;
  idx[*count] = (uint32_t)a;
  maxv[*count] = thr_row_max(cls + a * K, K);
  ++*count;
  *next_pos = (a + 1) * K;
}

/* The anchors from the one holding byte `from` on, row by row as threshold-scalar.c; returns the new count. */
static inline size_t thr_rows(const int8_t* cls, size_t from, size_t num_anchors, size_t K, int8_t thr,
                              uint32_t* idx, int8_t* maxv, size_t count) {
  for (size_t a = from / K; a < num_anchors; ++a) {
    int8_t mx = thr_row_max(cls + a * K, K);
    if (mx > thr) {
      idx[count] = (uint32_t)a;
      maxv[count] = mx;
      ++count;
    }
  }
  return count;
}

#endif
