/* Driver for tests/oracle/iou_nms_ref.py: runs pprt_bev_iou and the post-processing NMS on boxes the oracle wrote.
 *   iou_dump iou IN OUT   IN: float32 [n][10] (box a: x y w l yaw, box b: ...), OUT: float64 [n] IoU
 *   iou_dump nms IN OUT   IN: int32 sets, then per set: uint32 n, float64 thresh, int32 ge, float32 extent[4],
 *                             float32 boxes [n][5] in priority order (highest first)
 *                         OUT: per set: uint32 kept count, uint32 kept positions (into that set's box list)
 * Little-endian host order on both sides. Exit status 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/nms.h"
#include "stages/stages.h"

static unsigned char* g_in;
static size_t g_len, g_pos;

static int take(void* dst, size_t n) {
  if (g_pos + n > g_len) return -1;
  memcpy(dst, g_in + g_pos, n);
  g_pos += n;
  return 0;
}

static int run_iou(FILE* out) {
  if (g_len % (10 * sizeof(float)) != 0) return -1;
  size_t n = g_len / (10 * sizeof(float));
  for (size_t i = 0; i < n; ++i) {
    float ab[10];
    if (take(ab, sizeof ab) != 0) return -1;
    double v = pprt_bev_iou(ab, ab + 5);
    if (fwrite(&v, sizeof v, 1, out) != 1) return -1;
  }
  return 0;
}

static int run_nms(FILE* out) {
  int32_t sets;
  if (take(&sets, sizeof sets) != 0 || sets < 0) return -1;
  for (int32_t s = 0; s < sets; ++s) {
    uint32_t n;
    double thresh;
    int32_t ge;
    float ext[4];
    if (take(&n, 4) != 0 || take(&thresh, 8) != 0 || take(&ge, 4) != 0 || take(ext, 16) != 0) return -1;
    struct pprt_bev_prep* prep = malloc(sizeof *prep * (n ? n : 1));
    uint32_t* order = malloc(sizeof *order * (n ? n : 1));
    uint32_t* kept = malloc(sizeof *kept * (n ? n : 1));
    struct pprt_nms nms;
    const double extent[4] = {ext[0], ext[1], ext[2], ext[3]};
    struct pprt_err err;
    int rc = -1;
    if (prep == NULL || order == NULL || kept == NULL) goto done;
    if (pprt_nms_init(&nms, n, extent, &err) != PPRT_STATUS_OK) goto done;
    for (uint32_t i = 0; i < n; ++i) {
      float b[5];
      if (take(b, sizeof b) != 0) {
        pprt_nms_free(&nms);
        goto done;
      }
      pprt_bev_prepare(b, &prep[i]);
      order[i] = i;
    }
    uint32_t nk = pprt_nms_run(&nms, prep, order, n, thresh, ge, n, kept);
    pprt_nms_free(&nms);
    if (fwrite(&nk, 4, 1, out) != 1 || (nk && fwrite(kept, 4, nk, out) != nk)) goto done;
    rc = 0;
  done:
    free(prep);
    free(order);
    free(kept);
    if (rc != 0) return rc;
  }
  return g_pos == g_len ? 0 : -1;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s iou|nms IN OUT\n", argv[0]);
    return 2;
  }
  FILE* f = fopen(argv[2], "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", argv[2]);
    return 2;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  g_in = malloc(len > 0 ? (size_t)len : 1);
  g_len = len > 0 ? (size_t)len : 0;
  if (g_in == NULL || fread(g_in, 1, g_len, f) != g_len) {
    fclose(f);
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  fclose(f);
  FILE* out = fopen(argv[3], "wb");
  if (out == NULL) {
    free(g_in);
    fprintf(stderr, "cannot write %s\n", argv[3]);
    return 2;
  }
  int rc = strcmp(argv[1], "iou") == 0 ? run_iou(out) : strcmp(argv[1], "nms") == 0 ? run_nms(out) : -2;
  if (fclose(out) != 0) rc = -1;
  free(g_in);
  if (rc != 0) fprintf(stderr, "iou_dump %s: malformed input or write error\n", argv[1]);
  return rc == 0 ? 0 : 1;
}
