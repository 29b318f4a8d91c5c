/* pprt inspect MODEL...: what pprt sees in a model: for each .xmodel its form (compiled / quantized / pprt-generated),
 * subgraphs (device, DPU name and fingerprint), input / output tensors with shapes and fix points, op counts by type
 * and G-op (pprt/inspect.h); for a model with prototxt files the parameters pprt will use and where each came from.
 * MODEL: one .xmodel, a Model Zoo folder (<name>/<name>.xmodel + <name>.prototxt), a model folder holding the two
 * (<name>_0_pt/, <name>_1_pt/, as `pprt run --model` takes it), or the two Model Zoo folders. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "pprt/inspect.h"

#define PATH_CAP 4096

struct model_files {
  char xmodel[PATH_CAP];
  char prototxt[PATH_CAP]; /* "" if the folder has none */
};

static int is_dir(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char* p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A Model Zoo folder: DIR/<basename>.xmodel (+ .prototxt). */
static int zoo_folder(const char* dir, struct model_files* m) {
  char d[PATH_CAP / 2 - 16]; /* d + '/' + its last component + ".prototxt" fits in PATH_CAP */
  if (snprintf(d, sizeof d, "%s", dir) >= (int)sizeof d) return 0;
  size_t n = strlen(d);
  while (n > 1 && d[n - 1] == '/') d[--n] = '\0';
  const char* base = strrchr(d, '/');
  base = base ? base + 1 : d;
  if (snprintf(m->xmodel, sizeof m->xmodel, "%s/%s.xmodel", d, base) >= (int)sizeof m->xmodel) return 0;
  snprintf(m->prototxt, sizeof m->prototxt, "%s/%s.prototxt", d, base);
  if (!is_file(m->xmodel)) return 0;
  if (!is_file(m->prototxt)) m->prototxt[0] = '\0';
  return 1;
}

/* The sub-folder of dir ending in _<k>_pt holding a Model Zoo folder; 1 if exactly one. */
static int model_subfolder(const char* dir, int k, struct model_files* m) {
  char suffix[16];
  snprintf(suffix, sizeof suffix, "_%d_pt", k);
  DIR* d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name), s = strlen(suffix);
    if (e->d_name[0] == '.' || n < s || strcmp(e->d_name + n - s, suffix) != 0) continue;
    char sub[PATH_CAP];
    if (snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= (int)sizeof sub) continue;
    if (is_dir(sub) && zoo_folder(sub, m)) ++found;
  }
  closedir(d);
  return found == 1;
}

int pprt_cmd_inspect(int argc, char** argv) {
  if (argc < 2) return pprt_cli_usage("inspect", "needs MODEL (an .xmodel or a model folder)%s", "");
  if (argc > 3) return pprt_cli_usage("inspect", "takes one MODEL or the two Model Zoo folders, not %s", "more");
  struct model_files m[2];
  int n = 0;
  memset(m, 0, sizeof m);
  for (int i = 1; i < argc && n < 2; ++i) {   /* argc <= 3: at most two models (n < 2 states it for the compiler) */
    const char* a = argv[i];
    if (a[0] == '-') return pprt_cli_usage("inspect", "unknown option %s", a);
    if (is_file(a)) {
      snprintf(m[n].xmodel, sizeof m[n].xmodel, "%s", a);
      ++n;
    } else if (is_dir(a) && zoo_folder(a, &m[n])) {
      ++n;
    } else if (is_dir(a) && argc == 2 && model_subfolder(a, 0, &m[0]) && model_subfolder(a, 1, &m[1])) {
      n = 2;
    } else {
      fprintf(stderr,
              "pprt inspect: %s: expected an .xmodel file, a Model Zoo folder (<name>/<name>.xmodel) or a model "
              "folder with one <name>_0_pt and one <name>_1_pt folder\n",
              a);
      return 1;
    }
  }
  int status = 0;
  for (int k = 0; k < n; ++k) {
    if (k) printf("\n");
    if (pprt_inspect_xmodel(m[k].xmodel, stdout) != PPRT_STATUS_OK) {
      fflush(stdout);
      fprintf(stderr, "pprt inspect: %s\n", pprt_last_error());
      status = 1;
      continue;
    }
    if (m[k].prototxt[0]) printf("  prototxt: %s\n", m[k].prototxt);
  }
  if (status == 0 && n == 2) {
    printf("\n");
    const char* const xm[2] = {m[0].xmodel, m[1].xmodel};
    const char* const pt[2] = {m[0].prototxt, m[1].prototxt};
    if (pprt_inspect_parameters(xm, pt, stdout) != PPRT_STATUS_OK) {
      fprintf(stderr, "pprt inspect: %s\n", pprt_last_error());
      status = 1;
    }
  }
  return status;
}
