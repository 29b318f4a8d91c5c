/* pprt-simlidar: deterministic synthetic lidar scenes for training and testing the demo model.
 *
 * A spinning 32-beam lidar like the nuScenes HDL-32E (elevations -30.67 .. +10.67 degrees, 1.33 degree steps,
 * 1400 azimuth steps, sensor 1.84 m above the ground) ray-casts a scene of objects and clutter built from a seed:
 * a gently sloped, slightly bumpy ground; objects of the nuScenes classes (car, truck, bus, pedestrian, bicycle,
 * traffic_cone, barrier) at random poses; walls, poles, buildings and vegetation that are not objects. Only the first
 * surface a ray meets returns a point (occlusion); range noise, dropout and an intensity per material plus noise.
 *
 * Output per frame (name sim_<seed>): <name>.pcd.bin (float32 x, y, z, intensity 0..255, ring; the key sweep),
 * <name>.gt.json (tests/data ground-truth format), and with --sweeps S > 1 the S-1 earlier sweeps
 * <name>_sweep<k>.pcd.bin (each in its own sensor frame, 50 ms apart, with ego motion and moving objects) plus
 * <name>.info (VAI-L multi-sweep file: the sensor2lidar transform of each earlier sweep). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define BEAMS 32
#define AZ_STEPS 1400
#define MAX_RANGE 80.0
#define SENSOR_H 1.84
#define MAX_PRIMS 512
#define MAX_OBJS 128
#define SWEEP_DT 0.05

/* ------------------------------------------------------------------ portable math
 * libm's sin, cos, log and hypot may differ in the last bit between glibc on x86-64 (FMA variants chosen at run time)
 * and on aarch64, and one flipped comparison changes the whole scene. These use only IEEE +, -, *, / and sqrt
 * (correctly rounded everywhere; the project builds with -ffp-contract=off), so a seed gives the same scene on a PC
 * and on the board. Accuracy is ~1e-15, plenty for a simulation. */
/* Taylor series on |r| <= pi/4 to r^21: error < 1e-18. */
static double p_sin_poly(double r) {
  const double r2 = r * r;
  double term = r, sum = r;
  for (int n = 0; n < 10; ++n) {
    term = -term * r2 / (double)((2 * n + 2) * (2 * n + 3));
    sum += term;
  }
  return sum;
}
static double p_cos_poly(double r) {
  const double r2 = r * r;
  double term = 1.0, sum = 1.0;
  for (int n = 0; n < 10; ++n) {
    term = -term * r2 / (double)((2 * n + 1) * (2 * n + 2));
    sum += term;
  }
  return sum;
}
static double p_trig(double x, int want_cos) {
  const double two_over_pi = 0.63661977236758134308, pio2_hi = 1.57079632673412561417, pio2_lo = 6.07710050650619224932e-11;
  const double k = floor(x * two_over_pi + 0.5);
  const double r = (x - k * pio2_hi) - k * pio2_lo;
  long q = ((long)fmod(k, 4.0) + 4) % 4;
  if (want_cos) q = (q + 1) % 4; /* p_cos(x) = p_sin(x + pi/2) */
  switch (q) {
    case 0: return p_sin_poly(r);
    case 1: return p_cos_poly(r);
    case 2: return -p_sin_poly(r);
    default: return -p_cos_poly(r);
  }
}
static double p_sin(double x) { return p_trig(x, 0); }
static double p_cos(double x) { return p_trig(x, 1); }
static double p_log(double x) { /* x > 0 */
  int e = 0;
  double m = frexp(x, &e); /* exact: x = m * 2^e, m in [0.5, 1) */
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  const double f = (m - 1.0) / (m + 1.0), f2 = f * f;
  double term = f, sum = f;
  for (int k = 3; k <= 31; k += 2) {
    term *= f2;
    sum += term / (double)k;
  }
  return (double)e * 0.69314718055994530942 + 2.0 * sum;
}
static double p_hypot(double a, double b) { return sqrt(a * a + b * b); }
/* The angle wrapped into (-pi, pi]. */
static double p_wrap(double a) { return a - 2.0 * PI * floor((a + PI) / (2.0 * PI)); }

/* ------------------------------------------------------------------ rng (splitmix64: same stream everywhere) */
typedef struct {
  uint64_t s;
} rng_t;
static uint64_t rng_next(rng_t* r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static double uni(rng_t* r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }
static double uab(rng_t* r, double a, double b) { return a + (b - a) * uni(r); }
static double gauss(rng_t* r) {
  double u1 = uni(r), u2 = uni(r);
  if (u1 < 1e-300) u1 = 1e-300;
  return sqrt(-2.0 * p_log(u1)) * p_cos(2.0 * PI * u2);
}
static int irange(rng_t* r, int lo, int hi) { return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1)); }

/* ------------------------------------------------------------------ scene */
enum material { M_GROUND, M_CAR, M_GLASS, M_TRUCK, M_PED, M_BIKE, M_CONE, M_BARRIER, M_WALL, M_POLE, M_VEG, M_COUNT };
/* intensity mean, std per material (0..255) */
static const double kIntensity[M_COUNT][2] = {
    {8, 4}, {35, 15}, {6, 3}, {45, 20}, {18, 8}, {40, 25}, {150, 40}, {95, 35}, {30, 12}, {60, 20}, {12, 6},
};

typedef struct {
  double cx, cy, cz;  /* centre */
  double hl, hw, hh;  /* half sizes along the local x (heading), y, z */
  double yaw;         /* heading, counter-clockwise from +x */
  double c, s;        /* cos / sin yaw */
  int material;
  double dropout;     /* extra return probability loss (vegetation) */
  int obj;            /* object index or -1 for clutter */
} prim_t;

typedef struct {
  const char* label;
  double x, y, zc, l, w, h, yaw, vx, vy;
  int points;
} obj_t;

typedef struct {
  double gx, gy;  /* ground slope */
  double ba[3], bfx[3], bfy[3], bph[3];  /* bumps */
  prim_t prims[MAX_PRIMS];
  int nprims;
  obj_t objs[MAX_OBJS];
  int nobjs;
  double ego_v, ego_w;  /* ego speed (m/s, along +x) and yaw rate (rad/s) */
} scene_t;

static double ground_z(const scene_t* sc, double x, double y) {
  double z = -SENSOR_H + sc->gx * x + sc->gy * y;
  for (int i = 0; i < 3; ++i) z += sc->ba[i] * (p_sin(sc->bfx[i] * x + sc->bfy[i] * y + sc->bph[i]) - p_sin(sc->bph[i]));
  return z;
}

static void add_prim(scene_t* sc, double cx, double cy, double cz, double l, double w, double h, double yaw, int m,
                     double dropout, int obj) {
  if (sc->nprims >= MAX_PRIMS) return;
  prim_t* p = &sc->prims[sc->nprims++];
  p->cx = cx;
  p->cy = cy;
  p->cz = cz;
  p->hl = l / 2;
  p->hw = w / 2;
  p->hh = h / 2;
  p->yaw = yaw;
  p->c = p_cos(yaw);
  p->s = p_sin(yaw);
  p->material = m;
  p->dropout = dropout;
  p->obj = obj;
}

/* class sizes: mean and std of l, w, h (nuScenes-like) */
typedef struct {
  const char* label;
  double l, w, h, sl, sw, sh;
  double speed;  /* typical speed when moving */
} cls_t;
enum { C_CAR, C_TRUCK, C_BUS, C_PED, C_BIKE, C_CONE, C_BARRIER, C_COUNT };
static const cls_t kCls[C_COUNT] = {
    {"car", 4.62, 1.95, 1.73, 0.35, 0.12, 0.12, 8.0},
    {"truck", 6.9, 2.5, 2.85, 1.2, 0.2, 0.35, 6.0},
    {"bus", 11.0, 2.95, 3.5, 1.0, 0.1, 0.2, 6.0},
    {"pedestrian", 0.73, 0.67, 1.76, 0.1, 0.08, 0.12, 1.3},
    {"bicycle", 1.70, 0.60, 1.28, 0.1, 0.06, 0.08, 4.0},
    {"traffic_cone", 0.41, 0.41, 1.07, 0.04, 0.04, 0.1, 0.0},
    {"barrier", 0.50, 2.50, 0.98, 0.05, 0.2, 0.06, 0.0},
};

static int free_spot(const scene_t* sc, double x, double y, double rad) {
  if (p_hypot(x, y) < 4.0 + rad) return 0;
  for (int i = 0; i < sc->nobjs; ++i) {
    const obj_t* o = &sc->objs[i];
    double ro = 0.5 * p_hypot(o->l, o->w);
    if (p_hypot(o->x - x, o->y - y) < ro + rad + 0.3) return 0;
  }
  /* keep clear of walls/buildings/poles (clutter prims) */
  for (int i = 0; i < sc->nprims; ++i) {
    const prim_t* p = &sc->prims[i];
    if (p->obj >= 0) continue;
    double dx = x - p->cx, dy = y - p->cy;
    double lx = dx * p->c + dy * p->s, ly = -dx * p->s + dy * p->c;
    if (fabs(lx) < p->hl + rad + 0.3 && fabs(ly) < p->hw + rad + 0.3) return 0;
  }
  return 1;
}

static void place_object(scene_t* sc, rng_t* r, int cls, double x, double y, double yaw) {
  if (sc->nobjs >= MAX_OBJS) return;
  const cls_t* c = &kCls[cls];
  double l = c->l + c->sl * gauss(r), w = c->w + c->sw * gauss(r), h = c->h + c->sh * gauss(r);
  if (l < 0.3 * c->l) l = 0.3 * c->l;
  if (w < 0.3 * c->w) w = 0.3 * c->w;
  if (h < 0.3 * c->h) h = 0.3 * c->h;
  if (!free_spot(sc, x, y, 0.5 * p_hypot(l, w))) return;
  const int id = sc->nobjs++;
  obj_t* o = &sc->objs[id];
  double zb = ground_z(sc, x, y);
  o->label = c->label;
  o->x = x;
  o->y = y;
  o->l = l;
  o->w = w;
  o->h = h;
  o->zc = zb + h / 2;
  o->yaw = p_wrap(yaw);
  double v = c->speed > 0 && uni(r) < 0.5 ? c->speed * uab(r, 0.3, 1.2) : 0.0;
  o->vx = v * p_cos(yaw);
  o->vy = v * p_sin(yaw);
  o->points = 0;
  const double ca = p_cos(yaw), sa = p_sin(yaw);
  switch (cls) {
    case C_CAR: { /* body + cabin (glass) */
      double hb = 0.6 * h;
      add_prim(sc, x, y, zb + 0.15 + (hb - 0.15) / 2, l, w, hb - 0.15, yaw, M_CAR, 0, id);
      double cl = 0.5 * l, off = -0.08 * l;
      add_prim(sc, x + off * ca, y + off * sa, zb + hb + (h - hb) / 2, cl, 0.9 * w, h - hb, yaw, M_GLASS, 0.3, id);
      break;
    }
    case C_TRUCK:
    case C_BUS: { /* cab + cargo box (truck) or one box (bus) */
      if (cls == C_TRUCK) {
        double cab = 0.25 * l;
        double cc = 0.5 * l - cab / 2;
        add_prim(sc, x + cc * ca, y + cc * sa, zb + 0.3 + (0.8 * h - 0.3) / 2, cab, w, 0.8 * h - 0.3, yaw, M_TRUCK, 0, id);
        double bc = -cab / 2 - 0.1;
        add_prim(sc, x + bc * ca, y + bc * sa, zb + 0.5 + (h - 0.5) / 2, l - cab - 0.2, w, h - 0.5, yaw, M_TRUCK, 0, id);
      } else {
        add_prim(sc, x, y, zb + 0.3 + (h - 0.3) / 2, l, w, h - 0.3, yaw, M_TRUCK, 0, id);
      }
      break;
    }
    case C_PED: /* legs + torso */
      add_prim(sc, x, y, zb + 0.45 * h / 2, 0.5 * l, 0.7 * w, 0.45 * h, yaw, M_PED, 0.1, id);
      add_prim(sc, x, y, zb + 0.45 * h + 0.55 * h / 2, 0.7 * l, w, 0.55 * h, yaw, M_PED, 0, id);
      break;
    case C_BIKE: /* frame + rider */
      add_prim(sc, x, y, zb + 0.35 * h, l, 0.25 * w, 0.7 * h, yaw, M_BIKE, 0.35, id);
      add_prim(sc, x - 0.1 * l * ca, y - 0.1 * l * sa, zb + 0.55 * h + 0.45 * h / 2, 0.35 * l, w, 0.45 * h, yaw, M_PED,
               0, id);
      break;
    case C_CONE:
      add_prim(sc, x, y, zb + 0.2 * h / 2, l, w, 0.2 * h, yaw, M_CONE, 0, id);
      add_prim(sc, x, y, zb + 0.2 * h + 0.8 * h / 2, 0.55 * l, 0.55 * w, 0.8 * h, yaw, M_CONE, 0, id);
      break;
    default: /* barrier */
      add_prim(sc, x, y, zb + h / 2, l, w, h, yaw, M_BARRIER, 0, id);
      break;
  }
}

static void build_scene(scene_t* sc, uint64_t seed) {
  memset(sc, 0, sizeof *sc);
  rng_t r = {seed * 0x9E3779B97F4A7C15ull + 12345};
  sc->gx = uab(&r, -0.015, 0.015);
  sc->gy = uab(&r, -0.015, 0.015);
  for (int i = 0; i < 3; ++i) {
    sc->ba[i] = uab(&r, 0.0, 0.04);
    sc->bfx[i] = uab(&r, -0.3, 0.3);
    sc->bfy[i] = uab(&r, -0.3, 0.3);
    sc->bph[i] = uab(&r, 0, 2 * PI);
  }
  sc->ego_v = uni(&r) < 0.3 ? 0.0 : uab(&r, 2.0, 12.0);
  sc->ego_w = uab(&r, -0.1, 0.1);
  /* a road along a random direction: clutter beside it, vehicles on it */
  const double road = uab(&r, -PI, PI), rc = p_cos(road), rs = p_sin(road);
  const double half_road = uab(&r, 5.0, 9.0);
  /* clutter: walls / buildings along the road sides, poles, vegetation */
  int nwalls = irange(&r, 2, 6);
  for (int i = 0; i < nwalls; ++i) {
    double side = (i & 1) ? 1.0 : -1.0;
    double along = uab(&r, -55, 55), off = side * (half_road + uab(&r, 6.0, 25.0));
    double len = uab(&r, 8, 40), th = uab(&r, 0.3, 12.0), h = uab(&r, 1.5, 10.0);
    double cx = along * rc - off * rs, cy = along * rs + off * rc;
    add_prim(sc, cx, cy, ground_z(sc, cx, cy) + h / 2, len, th, h, road + uab(&r, -0.1, 0.1), M_WALL, 0, -1);
  }
  int npoles = irange(&r, 4, 14);
  for (int i = 0; i < npoles; ++i) {
    double side = (i & 1) ? 1.0 : -1.0;
    double along = uab(&r, -50, 50), off = side * (half_road + uab(&r, 0.5, 3.0));
    double cx = along * rc - off * rs, cy = along * rs + off * rc, h = uab(&r, 3, 9), d = uab(&r, 0.15, 0.4);
    add_prim(sc, cx, cy, ground_z(sc, cx, cy) + h / 2, d, d, h, uab(&r, 0, PI), M_POLE, 0, -1);
  }
  int nveg = irange(&r, 3, 12);
  for (int i = 0; i < nveg; ++i) {
    double side = (i & 1) ? 1.0 : -1.0;
    double along = uab(&r, -50, 50), off = side * (half_road + uab(&r, 1.0, 8.0));
    double cx = along * rc - off * rs, cy = along * rs + off * rc;
    double s = uab(&r, 0.8, 4.0), h = uab(&r, 0.6, 3.5);
    /* one draw per statement: C leaves the order of evaluation of arguments and operands unspecified, and GCC
     * evaluates them in different orders on x86-64 and aarch64 */
    const double veg_yaw = uab(&r, 0, PI);
    const double veg_w = uab(&r, 0.8, 3.0);
    add_prim(sc, cx, cy, ground_z(sc, cx, cy) + h / 2, s, veg_w, h, veg_yaw, M_VEG, 0.55, -1);
  }
  /* objects */
  static const int kMin[C_COUNT] = {6, 0, 0, 2, 1, 1, 1}, kMax[C_COUNT] = {18, 3, 1, 10, 4, 6, 4};
  for (int c = 0; c < C_COUNT; ++c) {
    int n = irange(&r, kMin[c], kMax[c]);
    for (int i = 0; i < n; ++i) {
      for (int tries = 0; tries < 20; ++tries) {
        double along = uab(&r, -50, 50), off, yaw;
        if (c <= C_BUS || c == C_BIKE) { /* on the road, along it, either way; some parked across */
          off = uab(&r, -half_road + 1.0, half_road - 1.0);
          const double flip = uni(&r) < 0.5 ? 0 : PI;
          yaw = road + flip + 0.1 * gauss(&r);
          if (uni(&r) < 0.2) {
            const double sgn = uni(&r) < 0.5 ? -1 : 1;
            off = sgn * (half_road + uab(&r, 1.5, 5.0));
            yaw = uab(&r, -PI, PI);
          }
        } else if (c == C_PED) {
          if (uni(&r) < 0.7) {
            const double sgn = uni(&r) < 0.5 ? -1 : 1;
            off = sgn * (half_road + uab(&r, 0.3, 3.0));
          } else {
            off = uab(&r, -half_road, half_road);
          }
          yaw = uab(&r, -PI, PI);
        } else { /* cones and barriers: small groups at the road edge */
          const double sgn = uni(&r) < 0.5 ? -1 : 1;
          off = sgn * (half_road - uab(&r, 0.0, 2.0));
          const double turn = c == C_BARRIER ? 0.0 : uab(&r, -PI, PI);
          yaw = road + turn + 0.05 * gauss(&r);
        }
        double x = along * rc - off * rs, y = along * rs + off * rc;
        if (fabs(x) > 49.0 || fabs(y) > 49.0) continue;
        int before = sc->nobjs;
        place_object(sc, &r, c, x, y, yaw);
        if (sc->nobjs > before) {
          if (c == C_CONE || c == C_BARRIER) { /* a few more in a row */
            int extra = irange(&r, 0, c == C_CONE ? 4 : 3);
            double step = c == C_CONE ? uab(&r, 1.5, 4.0) : sc->objs[before].w + uab(&r, 0.05, 0.5);
            for (int e = 1; e <= extra; ++e)
              place_object(sc, &r, c, x + e * step * rc, y + e * step * rs, yaw);
          }
          break;
        }
      }
    }
  }
}

/* Scene at time offset dt (<= 0, seconds) with moving objects displaced: copies prims with object motion. */
static void move_scene(const scene_t* in, scene_t* out, double dt) {
  *out = *in;
  for (int i = 0; i < out->nprims; ++i) {
    prim_t* p = &out->prims[i];
    if (p->obj < 0) continue;
    p->cx += in->objs[p->obj].vx * dt;
    p->cy += in->objs[p->obj].vy * dt;
  }
}

/* ray (o + t d) vs oriented box: entry distance or -1 */
static double hit_prim(const prim_t* p, const double o[3], const double d[3]) {
  double ox = o[0] - p->cx, oy = o[1] - p->cy, oz = o[2] - p->cz;
  double lo[3] = {ox * p->c + oy * p->s, -ox * p->s + oy * p->c, oz};
  double ld[3] = {d[0] * p->c + d[1] * p->s, -d[0] * p->s + d[1] * p->c, d[2]};
  double h[3] = {p->hl, p->hw, p->hh};
  double t0 = 0.0, t1 = MAX_RANGE;
  for (int k = 0; k < 3; ++k) {
    if (fabs(ld[k]) < 1e-12) {
      if (lo[k] < -h[k] || lo[k] > h[k]) return -1;
      continue;
    }
    double a = (-h[k] - lo[k]) / ld[k], b = (h[k] - lo[k]) / ld[k];
    if (a > b) {
      double t = a;
      a = b;
      b = t;
    }
    if (a > t0) t0 = a;
    if (b < t1) t1 = b;
    if (t0 > t1) return -1;
  }
  return t0 > 0.05 ? t0 : -1;
}

typedef struct {
  float* pts;
  size_t n, cap;
} cloud_t;

/* Cast one sweep from sensor pose (px, py, yaw0) in the scene frame; points are written in the sensor frame. */
static void cast_sweep(scene_t* sc, rng_t* r, double px, double py, double yaw0, cloud_t* out, int count_points) {
  out->n = 0;
  const double sz = ground_z(sc, px, py) + SENSOR_H;
  const double cy0 = p_cos(yaw0), sy0 = p_sin(yaw0);
  for (int a = 0; a < AZ_STEPS; ++a) {
    double az = 2.0 * PI * (a + 0.5 * uni(r)) / AZ_STEPS;
    for (int b = 0; b < BEAMS; ++b) {
      double el = (-30.67 + b * (41.34 / 31.0)) * PI / 180.0;
      double dl[3] = {p_cos(el) * p_cos(az), p_cos(el) * p_sin(az), p_sin(el)};
      double d[3] = {dl[0] * cy0 - dl[1] * sy0, dl[0] * sy0 + dl[1] * cy0, dl[2]};
      double o[3] = {px, py, sz};
      double best = MAX_RANGE;
      int bp = -1, mat = -1;
      for (int i = 0; i < sc->nprims; ++i) {
        double t = hit_prim(&sc->prims[i], o, d);
        if (t > 0 && t < best) {
          best = t;
          bp = i;
        }
      }
      if (bp >= 0) mat = sc->prims[bp].material;
      /* ground: bisection on f(t) = ray z - ground z over [0, best] (the surface is gentle: one crossing) */
      if (d[2] < 0 && o[2] + best * d[2] <= ground_z(sc, o[0] + best * d[0], o[1] + best * d[1])) {
        double lo = 0, hi = best;
        for (int k = 0; k < 28; ++k) {
          double m = 0.5 * (lo + hi);
          if (o[2] + m * d[2] <= ground_z(sc, o[0] + m * d[0], o[1] + m * d[1]))
            hi = m;
          else
            lo = m;
        }
        best = hi;
        bp = -1;
        mat = M_GROUND;
      }
      if (mat < 0) continue;
      if (uni(r) < 0.04) continue;                                   /* dropout */
      if (bp >= 0 && uni(r) < sc->prims[bp].dropout) continue;       /* sparse surfaces */
      if (mat == M_GROUND && best > 30 && uni(r) < (best - 30) / 60.0) continue; /* grazing returns */
      const double noise = 0.02 * gauss(r);
      double rr = best + noise + (mat == M_VEG ? 0.15 * gauss(r) : 0.0);
      if (rr < 1.0) continue;
      double in = kIntensity[mat][0] + kIntensity[mat][1] * gauss(r);
      if (mat == M_CAR && uni(r) < 0.03) in = uab(r, 150, 255); /* plates / reflectors */
      in = in < 0 ? 0 : in > 255 ? 255 : floor(in);
      if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 65536;
        out->pts = realloc(out->pts, out->cap * 5 * sizeof(float));
        if (!out->pts) {
          fprintf(stderr, "pprt-simlidar: out of memory\n");
          exit(1);
        }
      }
      float* p = out->pts + out->n * 5;
      p[0] = (float)(rr * dl[0]);
      p[1] = (float)(rr * dl[1]);
      p[2] = (float)(rr * dl[2]);
      p[3] = (float)in;
      p[4] = (float)b;
      out->n++;
      if (count_points && bp >= 0 && sc->prims[bp].obj >= 0) sc->objs[sc->prims[bp].obj].points++;
    }
  }
}

static int write_file(const char* path, const void* data, size_t bytes) {
  FILE* f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "pprt-simlidar: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  int ok = fwrite(data, 1, bytes, f) == bytes;
  ok &= fclose(f) == 0;
  if (!ok) fprintf(stderr, "pprt-simlidar: cannot write %s\n", path);
  return ok ? 0 : 1;
}

static int write_gt(const char* path, const scene_t* sc, const char* name, double ts) {
  FILE* f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "pprt-simlidar: cannot write %s: %s\n", path, strerror(errno));
    return 1;
  }
  fprintf(f, "{\n \"source\": \"pprt-simlidar synthetic scene\",\n");
  fprintf(f, " \"frame\": \"LiDAR coordinates; z is the box's gravity centre; l lies along the heading yaw "
             "(counter-clockwise from +x); velocity in m/s in the LiDAR frame\",\n");
  fprintf(f, " \"box_fields\": [\"x\", \"y\", \"z_center\", \"l\", \"w\", \"h\", \"yaw\"],\n");
  fprintf(f, " \"timestamp\": %.6f,\n \"lidar_path\": \"%s.pcd.bin\",\n", ts, name);
  fprintf(f, " \"lidar2ego\": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, %.4f], [0, 0, 0, 1]],\n", SENSOR_H);
  fprintf(f, " \"ego2global\": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],\n");
  fprintf(f, " \"instances\": [");
  for (int i = 0; i < sc->nobjs; ++i) {
    const obj_t* o = &sc->objs[i];
    fprintf(f, "%s\n  {\"label\": \"%s\", \"box\": [%.4f, %.4f, %.4f, %.4f, %.4f, %.4f, %.4f], \"velocity\": [%.4f, %.4f], "
               "\"num_lidar_pts\": %d}",
            i ? "," : "", o->label, o->x, o->y, o->zc, o->l, o->w, o->h, o->yaw, o->vx, o->vy, o->points);
  }
  fprintf(f, "%s]\n}\n", sc->nobjs ? "\n " : "");
  int ok = fclose(f) == 0;
  return ok ? 0 : 1;
}

static const char kUsage[] =
    "usage: pprt-simlidar --out DIR [--seed N] [--count K] [--sweeps S] [--prefix NAME]\n"
    "\n"
    "Writes K synthetic frames (seeds N .. N+K-1) as DIR/<prefix>_<seed>.pcd.bin (nuScenes float32 x 5) and\n"
    "<prefix>_<seed>.gt.json (tests/data ground-truth format). With --sweeps S > 1 (at most 10) also the S-1 earlier\n"
    "sweeps <prefix>_<seed>_sweep<k>.pcd.bin (50 ms apart, ego motion and moving objects) and <prefix>_<seed>.info\n"
    "(Vitis AI Library multi-sweep file). Defaults: seed 1, count 1, sweeps 1, prefix sim. Deterministic.\n";

int main(int argc, char** argv) {
  const char* out = NULL;
  const char* prefix = "sim";
  unsigned long long seed = 1, count = 1, sweeps = 1;
  int quiet = 0;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(kUsage, stdout);
      return 0;
    }
    if (!strcmp(a, "--quiet")) {
      quiet = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "pprt-simlidar: %s needs a value (or is unknown)\n%s", a, kUsage);
      return 2;
    }
    const char* v = argv[++i];
    char* end = NULL;
    if (!strcmp(a, "--out"))
      out = v;
    else if (!strcmp(a, "--prefix"))
      prefix = v;
    else if (!strcmp(a, "--seed") || !strcmp(a, "--count") || !strcmp(a, "--sweeps")) {
      errno = 0;
      unsigned long long n = strtoull(v, &end, 10);
      if (errno || !*v || *end || *v == '-') {
        fprintf(stderr, "pprt-simlidar: %s needs a non-negative integer, not '%s'\n", a, v);
        return 2;
      }
      if (!strcmp(a, "--seed"))
        seed = n;
      else if (!strcmp(a, "--count"))
        count = n;
      else
        sweeps = n;
    } else {
      fprintf(stderr, "pprt-simlidar: unknown option %s\n%s", a, kUsage);
      return 2;
    }
  }
  if (!out) {
    fprintf(stderr, "pprt-simlidar: --out DIR is required\n%s", kUsage);
    return 2;
  }
  if (sweeps < 1 || sweeps > 10) {
    fprintf(stderr, "pprt-simlidar: --sweeps must be 1..10\n");
    return 2;
  }
  static scene_t sc, moved;
  cloud_t cloud = {0};
  char path[4096], name[512];
  for (unsigned long long f = 0; f < count; ++f) {
    const unsigned long long s = seed + f;
    build_scene(&sc, s);
    rng_t r = {s * 0xD1B54A32D192ED03ull + 7};
    snprintf(name, sizeof name, "%s_%llu", prefix, s);
    const double ts = 1600000000.0 + (double)s;
    cast_sweep(&sc, &r, 0, 0, 0, &cloud, 1);
    snprintf(path, sizeof path, "%s/%s.pcd.bin", out, name);
    if (write_file(path, cloud.pts, cloud.n * 5 * sizeof(float))) return 1;
    size_t key_points = cloud.n;
    snprintf(path, sizeof path, "%s/%s.gt.json", out, name);
    if (write_gt(path, &sc, name, ts)) return 1;
    if (sweeps > 1) {
      snprintf(path, sizeof path, "%s/%s.info", out, name);
      FILE* inf = fopen(path, "w");
      if (!inf) {
        fprintf(stderr, "pprt-simlidar: cannot write %s\n", path);
        return 1;
      }
      const long long ts_us = (long long)(ts * 1e6 + 0.5);
      fprintf(inf, "lidar_path:%s.pcd.bin\ntimestamp:%lld\nsweeps:%llu\n", name, ts_us, sweeps - 1);
      for (unsigned long long k = 1; k < sweeps; ++k) {
        const double dt = -SWEEP_DT * (double)k;
        /* ego pose of the earlier sweep in the key frame: constant speed and yaw rate */
        const double yaw = sc.ego_w * dt;
        const double px = sc.ego_v * dt * p_cos(yaw / 2), py = sc.ego_v * dt * p_sin(yaw / 2);
        move_scene(&sc, &moved, dt);
        cast_sweep(&moved, &r, px, py, yaw, &cloud, 0);
        char sname[600];
        snprintf(sname, sizeof sname, "%s_sweep%llu.pcd.bin", name, k);
        snprintf(path, sizeof path, "%s/%s", out, sname);
        if (write_file(path, cloud.pts, cloud.n * 5 * sizeof(float))) return 1;
        /* the sensor z above ground differs by the ground height at the two poses */
        const double tz = ground_z(&sc, px, py) - ground_z(&sc, 0, 0);
        const double c = p_cos(yaw), sn = p_sin(yaw);
        fprintf(inf, " data_path:%s\n timestamp:%lld\n", sname, ts_us - (long long)(SWEEP_DT * 1e6 + 0.5) * (long long)k);
        fprintf(inf, " sensor2lidar_rotation:%.9f %.9f 0 %.9f %.9f 0 0 0 1\n", c, -sn, sn, c);
        fprintf(inf, " sensor2lidar_translation:%.6f %.6f %.6f\n", px, py, tz);
      }
      if (fclose(inf) != 0) return 1;
    }
    if (!quiet) printf("%s: %zu points, %d objects\n", name, key_points, sc.nobjs);
  }
  free(cloud.pts);
  return 0;
}
