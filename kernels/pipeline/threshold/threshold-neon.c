/* threshold scan, NEON (AArch64): 128 logits per step are reduced with vmaxq_s8 and compared with thr; a step with
 * no logit above thr (the common case) is skipped whole. In a step with a hit, each 16-byte block's compare mask
 * is narrowed to one nibble per byte (vshrn) and its set bits are walked in increasing order: the anchor holding
 * the first hit byte past the last emitted anchor is emitted with the max of its whole row (rows of K bytes may
 * straddle blocks and steps). The last total % 128 bytes go through the scalar row loop. Same output as
 * threshold-scalar.c for every input. */
#include <arm_neon.h>
#include <assert.h>

#include "pprt/kernels.h"
#include "threshold-common.h"

static inline uint64_t nibble_mask(uint8x16_t c) {
  return vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(c), 4)), 0);
}

size_t pprt_threshold_scan_neon(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr, uint32_t* idx,
                                int8_t* maxv) {
  assert(num_anchors == 0 || (cls != NULL && idx != NULL && maxv != NULL && num_classes > 0));
  const size_t K = num_classes, total = num_anchors * num_classes;
  const int8x16_t vt = vdupq_n_s8(thr);
  size_t count = 0;
  size_t next_pos = 0; /* first byte of the first anchor not yet emitted or skipped past */
  size_t b = 0;
  for (; b + 128 <= total; b += 128) {
    /* 8 independent loads and a max tree of depth 3: the in-order A53 overlaps the loads and maxes of one step
     * (a 64-byte step was one serial ld -> max -> max -> cmp -> shrn -> fmov chain) */
    const int8_t* p = cls + b;
    int8x16_t m0 = vmaxq_s8(vld1q_s8(p), vld1q_s8(p + 16));
    int8x16_t m1 = vmaxq_s8(vld1q_s8(p + 32), vld1q_s8(p + 48));
    int8x16_t m2 = vmaxq_s8(vld1q_s8(p + 64), vld1q_s8(p + 80));
    int8x16_t m3 = vmaxq_s8(vld1q_s8(p + 96), vld1q_s8(p + 112));
    int8x16_t m = vmaxq_s8(vmaxq_s8(m0, m1), vmaxq_s8(m2, m3));
    if (nibble_mask(vcgtq_s8(m, vt)) == 0) continue;
    /* rare: reload the 16-byte blocks (L1 hits) rather than keep them in an array the compiler spills every step */
    for (size_t j = 0; j < 8; ++j) {
      const size_t base = b + 16 * j;
      uint64_t bits = nibble_mask(vcgtq_s8(vld1q_s8(cls + base), vt));
      while (bits != 0) {
        size_t off = (size_t)(__builtin_ctzll(bits) >> 2), pos = base + off;
        thr_emit(cls, K, pos, &next_pos, idx, maxv, &count);
        /* drop this byte and every byte of an anchor already emitted */
        size_t clr = next_pos > base ? next_pos - base : 0;
        if (clr < off + 1) clr = off + 1;
        if (clr >= 16) break;
        bits &= ~UINT64_C(0) << (4 * clr);
      }
    }
  }
  return thr_rows(cls, next_pos > b ? next_pos : b, num_anchors, K, thr, idx, maxv, count);
}
