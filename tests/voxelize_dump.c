/* voxelize_dump: the C side of the voxelization oracle test (tests/oracle/voxelize_ref.py runs it, through the
 * cross emulator when cross-built). Reads a job file, voxelizes one frame with every kernel variant and writes
 * <out_prefix>.<isa>.bin per variant:
 *   uint32 num_pillars, points_in, nonfinite, out_of_range, overflow, row_bytes
 *   int32  coords[num_pillars][2]            (y, x)
 *   int8   rows[num_pillars][row_bytes]      the live rows of the DPU0 input tensor
 * Before the frame it voxelizes a different frame (the sweeps in reverse order) into the same state and buffer, so
 * the lazy reset of the previous frame is part of what is checked; the buffer starts poisoned (0xA5).
 *
 * Job file, one item per line, floats in C99 hex (exact):
 *   fix_point N | vai_compat 0/1 | max_voxels N | max_points N | in_channels N (features per point)
 *   range 6 floats | voxel 3 floats | mean N floats | scale N floats
 *   sweep PATH STRIDE DT key                       (key sweep, no transform)
 *   sweep PATH STRIDE DT r0 .. r8 t0 t1 t2         (earlier sweep: p' = R p + t)
 * Exit status 0 on success, 2 on a usage / input / setup error (message on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_config.h"
#include "pprt/kernels.h"
#include "stages/stages.h"

#define MAX_SWEEPS 16

struct sweep {
  float* pts;
  size_t n, stride;
  float dt;
  int key;
  float rot[9], trans[3];
};

static int die(const char* msg, const char* arg) {
  fprintf(stderr, "voxelize_dump: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  return 2;
}

static int read_floats(char* rest, float* dst, int count) {
  for (int i = 0; i < count; ++i) {
    char* tok = strtok(i == 0 ? rest : NULL, " \t\r\n");
    if (tok == NULL) return -1;
    char* end = NULL;
    dst[i] = strtof(tok, &end);
    if (end == tok || *end != '\0') return -1;
  }
  return 0;
}

static void run_frame(const struct pprt_vox_params* vp, struct pprt_vox_state* vs, const struct pprt_kernels* k,
                      const struct sweep* sw, int ns, int reverse, int8_t* out) {
  pprt_vox_begin(vp, vs);
  for (int i = 0; i < ns; ++i) {
    const struct sweep* s = &sw[reverse ? ns - 1 - i : i];
    pprt_vox_add(vp, vs, k, s->pts, s->n, s->stride, s->key ? NULL : s->rot, s->key ? NULL : s->trans, s->dt, out);
  }
}

int main(int argc, char** argv) {
  if (argc != 3) return die("usage: voxelize_dump JOB OUT_PREFIX", NULL);
  FILE* f = fopen(argv[1], "r");
  if (f == NULL) return die("cannot open the job file", argv[1]);
  struct pprt_model_config cfg;
  memset(&cfg, 0, sizeof cfg);
  int fp = 0, vai = 0, ns = 0;
  struct sweep sw[MAX_SWEEPS];
  memset(sw, 0, sizeof sw);
  char line[4096];
  while (fgets(line, sizeof line, f) != NULL) {
    char* key = strtok(line, " \t\r\n");
    if (key == NULL) continue;
    char* rest = key + strlen(key) + 1;
    int bad = 0;
    if (strcmp(key, "fix_point") == 0) {
      fp = atoi(rest);
    } else if (strcmp(key, "vai_compat") == 0) {
      vai = atoi(rest);
    } else if (strcmp(key, "max_voxels") == 0) {
      cfg.max_voxels_num = (uint32_t)strtoul(rest, NULL, 10);
    } else if (strcmp(key, "max_points") == 0) {
      cfg.max_points_num = (uint32_t)strtoul(rest, NULL, 10);
    } else if (strcmp(key, "in_channels") == 0) { /* features per point (DPU0 input's last dim) */
      cfg.num_features = (uint32_t)strtoul(rest, NULL, 10);
    } else if (strcmp(key, "range") == 0) { /* the voxel grid's range, also the prototxt's point filter range */
      bad = read_floats(rest, cfg.voxel_range, 6);
      memcpy(cfg.point_cloud_range, cfg.voxel_range, sizeof cfg.point_cloud_range);
    } else if (strcmp(key, "voxel") == 0) {
      bad = read_floats(rest, cfg.voxel_size, 3);
    } else if (strcmp(key, "mean") == 0) {
      cfg.num_mean = cfg.num_features;
      bad = cfg.num_features > PPRT_CFG_MAX_FEATURES || read_floats(rest, cfg.mean, (int)cfg.num_features);
    } else if (strcmp(key, "scale") == 0) {
      cfg.num_scale = cfg.num_features;
      bad = cfg.num_features > PPRT_CFG_MAX_FEATURES || read_floats(rest, cfg.scale, (int)cfg.num_features);
    } else if (strcmp(key, "sweep") == 0) {
      if (ns == MAX_SWEEPS) return die("too many sweeps", NULL);
      struct sweep* s = &sw[ns++];
      char* path = strtok(rest, " \t\r\n");
      char* stride = strtok(NULL, " \t\r\n");
      char* dt = strtok(NULL, " \t\r\n");
      char* next = strtok(NULL, " \t\r\n");
      if (!path || !stride || !dt || !next) return die("bad sweep line", NULL);
      s->stride = strtoul(stride, NULL, 10);
      s->dt = strtof(dt, NULL);
      s->key = strcmp(next, "key") == 0;
      if (!s->key) {
        float v[12];
        v[0] = strtof(next, NULL);
        for (int i = 1; i < 12 && !bad; ++i) {
          char* tok = strtok(NULL, " \t\r\n");
          if (tok == NULL) bad = 1; else v[i] = strtof(tok, NULL);
        }
        memcpy(s->rot, v, sizeof s->rot);
        memcpy(s->trans, v + 9, sizeof s->trans);
      }
      size_t len = 0;
      FILE* pf = fopen(path, "rb");
      if (pf == NULL) return die("cannot open the points file", path);
      fseek(pf, 0, SEEK_END);
      len = (size_t)ftell(pf);
      rewind(pf);
      if (s->stride < 4 || len % (s->stride * sizeof(float)) != 0) return die("points file size / stride", path);
      s->pts = malloc(len + sizeof(float));
      if (s->pts == NULL || fread(s->pts, 1, len, pf) != len) return die("cannot read the points file", path);
      fclose(pf);
      s->n = len / (s->stride * sizeof(float));
    } else {
      return die("unknown job key", key);
    }
    if (bad) return die("bad values for", key);
  }
  fclose(f);

  struct pprt_err err;
  memset(&err, 0, sizeof err);
  struct pprt_vox_params vp;
  if (pprt_vox_params_init(&vp, &cfg, fp, vai, &err) != PPRT_STATUS_OK) return die(err.msg, NULL);
  const size_t row_bytes = (size_t)vp.max_slots * vp.num_features;
  int8_t* out = malloc((size_t)vp.max_pillars * row_bytes);
  if (out == NULL) return die("out of memory", NULL);

  size_t nk = 0;
  const struct pprt_kernels* const* all = pprt_kernels_all(&nk);
  int rc = 0;
  for (size_t v = 0; v < nk && rc == 0; ++v) {
    struct pprt_vox_state vs;
    if (pprt_vox_state_init(&vs, &vp, &err) != PPRT_STATUS_OK) return die(err.msg, NULL);
    memset(out, 0xA5, (size_t)vp.max_pillars * row_bytes);
    run_frame(&vp, &vs, all[v], sw, ns, 1, out);
    run_frame(&vp, &vs, all[v], sw, ns, 0, out);
    char path[4096];
    snprintf(path, sizeof path, "%s.%s.bin", argv[2], all[v]->isa);
    FILE* o = fopen(path, "wb");
    uint32_t hdr[6] = {vs.num_pillars, vs.counts.points_in, vs.counts.nonfinite, vs.counts.out_of_range,
                       vs.counts.overflow, (uint32_t)row_bytes};
    if (o == NULL || fwrite(hdr, sizeof hdr, 1, o) != 1 ||
        (vs.num_pillars && fwrite(vs.coords, 2 * sizeof(int32_t), vs.num_pillars, o) != vs.num_pillars) ||
        (vs.num_pillars && fwrite(out, row_bytes, vs.num_pillars, o) != vs.num_pillars))
      rc = die("cannot write", path);
    if (o != NULL && fclose(o) != 0) rc = die("cannot write", path);
    pprt_vox_state_free(&vs);
  }
  free(out);
  for (int i = 0; i < ns; ++i) free(sw[i].pts);
  return rc;
}
