/* Naive references of the DPU int8 ops, written straight from the formulas (docs/DESIGN.md, model contract 9 and the
 * Vitis AI CPU reference): exact rational arithmetic in __int128, one rounding (floor(x + 1/2)) at the end.
 * Independent of kernels/ (no shared helper). */
#include "nn_ref.h"

typedef __int128 i128;

/* floor(num / 2^k + 1/2) for k >= 0 */
static i128 round_half_up(i128 num, int k) {
  if (k == 0) return num;
  i128 d = (i128)1 << k;
  i128 x = num + d / 2;
  i128 q = x / d;
  if (x % d != 0 && x < 0) q -= 1; /* floor division */
  return q;
}

static int8_t sat(i128 v) { return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); }

#define SCALE 48 /* common denominator 2^SCALE of every exact intermediate */

/* value acc * 2^-(fp_in+fp_w) + bias * 2^-fp_b, nonlinear, to fp_out */
static int8_t ref_out(i128 acc, int has_bias, int bias, const struct nn_ref_conv* c) {
  /* V = real * 2^(SCALE) exactly */
  i128 v = acc * ((i128)1 << (SCALE - (c->fp_in + c->fp_w)));
  if (has_bias) v += (i128)bias * ((i128)1 << (SCALE - c->fp_b));
  int den = SCALE - c->fp_out; /* out = V / 2^den */
  if (c->nonlinear == 1 && v < 0) v = 0;
  if (c->nonlinear == 3 && v < 0) {
    v = v * c->leaky_mult;
    den += 8;
  }
  if (c->nonlinear == 2) {
    if (v < 0) v = 0;
    if (v > ((i128)6 << SCALE)) v = (i128)6 << SCALE; /* the real value 6 */
  }
  return sat(round_half_up(v, den));
}

void nn_ref_conv(const struct nn_ref_conv* c, const int8_t* in, const int8_t* w, const int8_t* bias, int8_t* out) {
  const int kdh = (c->kh - 1) * c->dh + 1, kdw = (c->kw - 1) * c->dw + 1;
  const size_t n_out = (size_t)c->oh * c->ow * c->oc;
  i128* acc = calloc(n_out, sizeof(i128));
  if (c->kind == 2) {
    /* transposed, scatter form: input (iy, ix) tap (ky, kx) lands on y = iy*s + (Kd - 1 - pad_t) - ky*dil */
    for (int iy = 0; iy < c->ih; ++iy)
      for (int ix = 0; ix < c->iw; ++ix)
        for (int ky = 0; ky < c->kh; ++ky)
          for (int kx = 0; kx < c->kw; ++kx) {
            int y = iy * c->sh + (kdh - 1 - c->pt) - ky * c->dh;
            int x = ix * c->sw + (kdw - 1 - c->pl) - kx * c->dw;
            if (y < 0 || y >= c->oh || x < 0 || x >= c->ow) continue;
            for (int oc = 0; oc < c->oc; ++oc)
              for (int ic = 0; ic < c->ic; ++ic)
                acc[((size_t)y * c->ow + x) * c->oc + oc] +=
                    (i128)in[((size_t)iy * c->iw + ix) * c->ic + ic] *
                    w[(((size_t)oc * c->kh + ky) * c->kw + kx) * c->ic + ic];
          }
  } else {
    for (int y = 0; y < c->oh; ++y)
      for (int x = 0; x < c->ow; ++x)
        for (int oc = 0; oc < c->oc; ++oc) {
          i128 s = 0;
          for (int ky = 0; ky < c->kh; ++ky)
            for (int kx = 0; kx < c->kw; ++kx) {
              int iy = y * c->sh - c->pt + ky * c->dh, ix = x * c->sw - c->pl + kx * c->dw;
              if (iy < 0 || iy >= c->ih || ix < 0 || ix >= c->iw) continue;
              if (c->kind == 1)
                s += (i128)in[((size_t)iy * c->iw + ix) * c->ic + oc] * w[((size_t)ky * c->kw + kx) * c->ic + oc];
              else
                for (int ic = 0; ic < c->ic; ++ic)
                  s += (i128)in[((size_t)iy * c->iw + ix) * c->ic + ic] *
                       w[(((size_t)oc * c->kh + ky) * c->kw + kx) * c->ic + ic];
            }
          acc[((size_t)y * c->ow + x) * c->oc + oc] = s;
        }
  }
  for (size_t i = 0; i < n_out; ++i) out[i] = ref_out(acc[i], bias != NULL, bias ? bias[i % c->oc] : 0, c);
  free(acc);
}

static const int avg_table[5][4] = {{3, 3, 7, 6}, {5, 5, 10, 8}, {6, 6, 7, 8}, {7, 7, 21, 10}, {14, 14, 21, 12}};

void nn_ref_pool(const struct nn_ref_pool* p, const int8_t* in, int8_t* out) {
  int mult = 0, shift = 0;
  if (p->avg) {
    int found = 0;
    for (int i = 0; i < 5; ++i)
      if (avg_table[i][0] == p->kh && avg_table[i][1] == p->kw) {
        mult = avg_table[i][2];
        shift = avg_table[i][3];
        found = 1;
      }
    if (!found) { /* best m / 2^s over s < ceil(log2(k * 128)), first best wins */
      double rec = (double)p->kh * p->kw, best = 1.0;
      int max_s = (int)ceil(log2(rec * 128.0));
      for (int s = 0; s < max_s; ++s) {
        double m = floor(ldexp(1.0, s) / rec + 0.5);
        double d = fabs(m / ldexp(1.0, s) - 1.0 / rec);
        if (d < best) { best = d; mult = (int)m; shift = s; }
      }
    }
  }
  for (int y = 0; y < p->oh; ++y)
    for (int x = 0; x < p->ow; ++x)
      for (int c = 0; c < p->c; ++c) {
        i128 s = 0;
        int mx = -1000;
        for (int ky = 0; ky < p->kh; ++ky)
          for (int kx = 0; kx < p->kw; ++kx) {
            int iy = y * p->sh - p->pt + ky, ix = x * p->sw - p->pl + kx;
            if (iy < 0 || iy >= p->ih || ix < 0 || ix >= p->iw) continue;
            int v = in[((size_t)iy * p->iw + ix) * p->c + c];
            s += v;
            if (v > mx) mx = v;
          }
        if (mx == -1000) mx = -128;
        /* real value (max or sum * m / 2^shift) * 2^-fp_in, to fp_out */
        i128 v = p->avg ? s * mult * ((i128)1 << (SCALE - shift - p->fp_in)) : (i128)mx * ((i128)1 << (SCALE - p->fp_in));
        out[((size_t)y * p->ow + x) * p->c + c] = sat(round_half_up(v, SCALE - p->fp_out));
      }
}

void nn_ref_eltwise(const int8_t* const* in, const int* fp, int n, size_t len, int fp_out, int relu, int8_t* out) {
  for (size_t i = 0; i < len; ++i) {
    i128 v = 0;
    for (int j = 0; j < n; ++j) v += (i128)in[j][i] * ((i128)1 << (SCALE - fp[j]));
    if (relu && v < 0) v = 0;
    out[i] = sat(round_half_up(v, SCALE - fp_out));
  }
}

int8_t nn_ref_rescale(int x, int fp_in, int fp_out) { return sat(round_half_up((i128)x * ((i128)1 << (SCALE - fp_in)), SCALE - fp_out)); }
