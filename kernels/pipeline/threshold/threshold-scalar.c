/* threshold scan, scalar reference: anchors whose largest class logit exceeds thr. */
#include <assert.h>

#include "pprt/kernels.h"

size_t pprt_threshold_scan_scalar(const int8_t* cls, size_t num_anchors, size_t num_classes, int8_t thr,
                                  uint32_t* idx, int8_t* maxv) {
  assert(num_anchors == 0 || (cls != NULL && idx != NULL && maxv != NULL && num_classes > 0));
  size_t count = 0;
  for (size_t a = 0; a < num_anchors; ++a) {
    const int8_t* row = cls + a * num_classes;
    int8_t m = row[0];
    for (size_t k = 1; k < num_classes; ++k) m = row[k] > m ? row[k] : m;
    if (m > thr) {
      idx[count] = (uint32_t)a;
      maxv[count] = m;
      ++count;
    }
  }
  return count;
}
