/* The one synthetic 10-sweep frame every benchmark runs (pprt bench --sweeps10, pprt-bench-stages): a real sweep as
 * the key sweep and 9 earlier sweeps made from it, as if the ego vehicle had driven forward ~0.5 m and turned
 * 0.004 rad between 20 Hz sweeps: earlier sweep i is shifted 0.5 i m back and 0.03 i m sideways, rotated by
 * -0.004 i rad about z and 50 i ms older. So the figures of the two programs are of the same frame. */
#ifndef PPRT_TOOLS_SYNTH_FRAME_H
#define PPRT_TOOLS_SYNTH_FRAME_H

#include "pprt/pprt.h"

#define PPRT_SYNTH_SWEEPS 10

/* out[0] = *key; out[1..9] the earlier sweeps. points[i] (may be NULL: all share key's points) is the point data of
 * sweep i, key->num_points x key->point_stride floats (a copy per sweep reads 10x the memory, as real sweeps do). */
void pprt_synth_sweeps10(const struct pprt_sweep* key, const float* const* points,
                         struct pprt_sweep out[PPRT_SYNTH_SWEEPS]);

#endif
