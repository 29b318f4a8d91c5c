/* threshold scan, AVX2 (x86-64): 128 logits per step are reduced with _mm256_max_epi8 and compared with thr; a step
 * with no logit above thr (the common case) is skipped whole. In a step with a hit, each 32-byte block's compare
 * mask (movemask, one bit per byte) is walked in increasing order: the anchor holding the first hit byte past the
 * last emitted anchor is emitted with the max of its whole row (rows of K bytes may straddle blocks and steps).
 * The last total % 128 bytes go through the scalar row loop. Same output as threshold-scalar.c for every input. */
#include <assert.h>
#include <immintrin.h>

#include "pprt/kernels.h"
#include "threshold-common.h"

size_t pprt_threshold_scan_avx2(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr, uint32_t* idx,
                                int8_t* maxv) {
  assert(num_anchors == 0 || (cls != NULL && idx != NULL && maxv != NULL && num_classes > 0));
  const size_t K = num_classes, total = num_anchors * num_classes;
  const __m256i vt = _mm256_set1_epi8(thr);
  size_t count = 0;
  size_t next_pos = 0; /* first byte of the first anchor not yet emitted or skipped past */
  size_t b = 0;
  for (; b + 128 <= total; b += 128) {
    __m256i m = _mm256_max_epi8(_mm256_max_epi8(_mm256_loadu_si256((const __m256i*)(cls + b)),
                                                _mm256_loadu_si256((const __m256i*)(cls + b + 32))),
                                _mm256_max_epi8(_mm256_loadu_si256((const __m256i*)(cls + b + 64)),
                                                _mm256_loadu_si256((const __m256i*)(cls + b + 96))));
    if (_mm256_movemask_epi8(_mm256_cmpgt_epi8(m, vt)) == 0) continue;
    /* rare: reload the 32-byte blocks (L1 hits) rather than keep them in an array the compiler spills every step */
    for (size_t j = 0; j < 4; ++j) {
      const size_t base = b + 32 * j;
      uint32_t bits = (uint32_t)_mm256_movemask_epi8(
          _mm256_cmpgt_epi8(_mm256_loadu_si256((const __m256i*)(cls + base)), vt));
      while (bits != 0) {
        size_t off = (size_t)__builtin_ctz(bits), pos = base + off;
        thr_emit(cls, K, pos, &next_pos, idx, maxv, &count);
        /* drop this byte and every byte of an anchor already emitted */
        size_t clr = next_pos > base ? next_pos - base : 0;
        if (clr < off + 1) clr = off + 1;
        if (clr >= 32) break;
        bits &= ~UINT32_C(0) << clr;
      }
    }
  }
  return thr_rows(cls, next_pos > b ? next_pos : b, num_anchors, K, thr, idx, maxv, count);
}
