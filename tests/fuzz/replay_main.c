/* The replay driver of the fuzz harnesses in a normal build (a ctest per harness, docs/RELIABILITY.md): runs every
 * file of the folders (or files) named on the command line through LLVMFuzzerTestOneInput, in name order, as
 * libFuzzer does when given files. A harness aborts on a violated property, so a regression input that crashes or
 * breaks a property fails the test. No input at all is a failure too (a test that cannot fail is no test). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int run_file(const char* path) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return -1;
  }
  size_t cap = 4096, n = 0, got;
  uint8_t* b = malloc(cap);
  while (b != NULL && (got = fread(b + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t* nb = realloc(b, cap * 2);
      if (nb == NULL) break;
      b = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (b == NULL) return -1;
  /* an exactly sized copy, as libFuzzer passes it: a read past the end is caught under ASan */
  uint8_t* exact = malloc(n ? n : 1);
  if (exact == NULL) {
    free(b);
    return -1;
  }
  memcpy(exact, b, n);
  free(b);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  unsigned ran = 0, bad = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st) != 0) continue; /* an optional folder (no regression inputs yet) */
    if (!S_ISDIR(st.st_mode)) {
      bad += run_file(argv[i]) != 0;
      ++ran;
      continue;
    }
    DIR* d = opendir(argv[i]);
    if (d == NULL) continue;
    char** names = NULL;
    size_t n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char** nn = realloc(names, (n + 1) * sizeof *names);
      if (nn == NULL) break;
      names = nn;
      names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t k = 0; k < n; ++k) {
      char p[4096];
      if ((size_t)snprintf(p, sizeof p, "%s/%s", argv[i], names[k]) >= sizeof p)
        ++bad;
      else
        bad += run_file(p) != 0;
      ++ran;
      free(names[k]);
    }
    free(names);
  }
  printf("%u inputs replayed, %u unreadable\n", ran, bad);
  return ran == 0 || bad != 0 ? 1 : 0;
}
