/* The synthetic 10-sweep frame (synth_frame.h). */
#include "synth_frame.h"

#include <math.h>
#include <string.h>

void pprt_synth_sweeps10(const struct pprt_sweep* key, const float* const* points,
                         struct pprt_sweep out[PPRT_SYNTH_SWEEPS]) {
  for (int i = 0; i < PPRT_SYNTH_SWEEPS; ++i) {
    struct pprt_sweep* s = &out[i];
    *s = *key;
    if (points != NULL && points[i] != NULL) s->points = points[i];
    if (i == 0) continue;
    float yaw = -0.004f * (float)i, c = cosf(yaw), sn = sinf(yaw);
    const float r[9] = {c, -sn, 0.0f, sn, c, 0.0f, 0.0f, 0.0f, 1.0f};
    memcpy(s->rotation, r, sizeof r);
    s->translation[0] = -0.5f * (float)i;
    s->translation[1] = 0.03f * (float)i;
    s->translation[2] = 0.0f;
    s->timestamp_us = key->timestamp_us - 50000 * (int64_t)i;
  }
}
