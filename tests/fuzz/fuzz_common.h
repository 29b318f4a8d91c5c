/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_<name>.c, docs/RELIABILITY.md): a private scratch folder for
 * the parsers that read files, writing the input there, and FUZZ_CHECK for the properties every harness asserts
 * beyond "no crash": a failing call leaves a message, a successful one leaves values in range.
 *
 * The same harness source is built two ways: with clang -fsanitize=fuzzer (PPRT_FUZZ=ON, tools/fuzz.sh) and, in
 * every build, with replay_main.c as a ctest that runs the checked-in seeds and regression inputs. */
#ifndef PPRT_FUZZ_COMMON_H
#define PPRT_FUZZ_COMMON_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pprt/pprt.h"

#define FUZZ_CHECK(cond, ...)                                                      \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "%s:%d: property violated: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                                \
      fprintf(stderr, "\n");                                                       \
      abort();                                                                     \
    }                                                                              \
  } while (0)

/* A status other than OK must come with a message (pprt_last_error of this thread). */
#define FUZZ_CHECK_MESSAGE(st)                                                                             \
  FUZZ_LOG(#st, st);                                                                                       \
  FUZZ_CHECK((st) == PPRT_STATUS_OK || pprt_last_error()[0] != '\0', "status %s without a message",        \
             pprt_status_str(st))

/* snprintf into a char array; a path that does not fit is a harness error (abort). */
#define FUZZ_FMT(buf, ...)                                                   \
  do {                                                                       \
    if ((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) >= sizeof(buf)) {     \
      fprintf(stderr, "pprt fuzz: path too long\n");                          \
      abort();                                                               \
    }                                                                        \
  } while (0)

/* PPRT_FUZZ_VERBOSE=1: print what each call returned (to see what a seed reaches). */
#define FUZZ_LOG(what, st)                                                                                    \
  do {                                                                                                        \
    static int verbose_ = -1;                                                                                 \
    if (verbose_ < 0) verbose_ = getenv("PPRT_FUZZ_VERBOSE") != NULL;                                         \
    if (verbose_) fprintf(stderr, "  %s: %s%s%s\n", what, pprt_status_str(st), (st) ? ": " : "",              \
                          (st) ? pprt_last_error() : "");                                                     \
  } while (0)

static char fuzz_dir_path[256];

/* Remove a folder tree (the scratch folder holds plain files and folders only). */
static inline void fuzz_rm_tree(const char* path) {
  DIR* d = opendir(path);
  if (d != NULL) {
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char p[1024];
      FUZZ_FMT(p, "%s/%s", path, e->d_name);
      struct stat sb;
      if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
        fuzz_rm_tree(p);
      else
        unlink(p);
    }
    closedir(d);
  }
  rmdir(path);
}

static inline void fuzz_dir_remove(void) {
  if (fuzz_dir_path[0] != '\0') fuzz_rm_tree(fuzz_dir_path);
}

/* The scratch folder of this process (tmpfs when /dev/shm is writable), created on first use, removed at exit. */
static inline const char* fuzz_dir(void) {
  if (fuzz_dir_path[0] == '\0') {
    const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    FUZZ_FMT(fuzz_dir_path, "%s/pprt-fuzz-XXXXXX", base);
    if (mkdtemp(fuzz_dir_path) == NULL) {
      perror("pprt fuzz: mkdtemp");
      abort();
    }
    atexit(fuzz_dir_remove);
  }
  return fuzz_dir_path;
}

/* Path of `name` in the scratch folder (static buffer: one live result per slot, 4 slots). */
static inline const char* fuzz_path(const char* name) {
  static char buf[4][512];
  static unsigned slot;
  const unsigned k = slot++ % 4;
  FUZZ_FMT(buf[k], "%s/%s", fuzz_dir(), name);
  return buf[k];
}

/* Write bytes to `name` in the scratch folder and return its path. */
static inline const char* fuzz_write(const char* name, const void* data, size_t size) {
  const char* p = fuzz_path(name);
  FILE* f = fopen(p, "wb");
  if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(p);
    abort();
  }
  return p;
}

#endif
