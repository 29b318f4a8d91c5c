/* Shared test helpers: a CUnit main, replayable seeds, file helpers. */
#ifndef PPRT_TESTUTIL_H
#define PPRT_TESTUTIL_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>

#include "pprt/pprt.h"

struct pprt_test_case {
  const char* name;
  void (*fn)(void);
};

/* Run the NULL-terminated cases as one CUnit suite; returns the process exit code (0 = all passed).
 * The seed is PPRT_TEST_SEED from the environment if set, else a fixed default; it is printed so a failure can
 * be replayed with PPRT_TEST_SEED=<seed>. PPRT_TEST_ONLY=name[,name...] runs only the named cases. */
int pprt_test_main(const char* suite, const struct pprt_test_case* cases);

/* The seed of this run (see pprt_test_main). */
uint64_t pprt_test_seed(void);

/* xorshift64* generator. */
struct pprt_rng {
  uint64_t s;
};
void pprt_rng_seed(struct pprt_rng* r, uint64_t seed);
uint64_t pprt_rng_next(struct pprt_rng* r);
uint32_t pprt_rng_u32(struct pprt_rng* r, uint32_t bound); /* [0, bound) */
float pprt_rng_uniform(struct pprt_rng* r, float lo, float hi);

/* FNV-1a 64 hash of n bytes (for golden values recorded in tests). */
uint64_t pprt_test_fnv1a(const void* data, size_t n);

/* Path in the test data dir / work dir (static buffer per call slot: up to 8 live results). */
const char* pprt_test_data(const char* name);
const char* pprt_test_work(const char* name);

/* Write a file with the given bytes; returns 0 on success. */
int pprt_test_write_file(const char* path, const void* data, size_t len);
/* Read a whole file (malloc'd, caller frees), NUL-terminated one byte past *len (usable as text); NULL on failure. */
void* pprt_test_read_file(const char* path, size_t* len);

/* The generated small model's subgraph k (0, 1) xmodel in the work folder `form` ("small", "small_compiled", ...;
 * the gen_small_* fixtures), same buffers as pprt_test_work. */
const char* pprt_test_small_xmodel(const char* form, int k);

/* Run fn(arg) in a forked child that exits with its return value: that exit status, 128 + signal if it died, or -1
 * if it could not be started. */
int pprt_test_in_child(int (*fn)(const void* arg), const void* arg);

/* Run argv in a child process (a binary of this build runs through the build's emulator when cross-built) (fork + execvp), capture stdout+stderr into out (NUL-terminated, truncated to cap) and
 * return its exit status (or 128+signal, or -1 if it could not be started). */
int pprt_test_run(char* const argv[], char* out, size_t cap);

/* A watchdog for calls that must not hang: after `seconds` the process writes "<suite>: timed out (<what> hung)" and
 * exits with status 3. A later call re-arms it. */
void pprt_test_guard(const char* suite, const char* what, unsigned seconds);

/* A runtime on model_dir with this runner (max_points 0: the default); the test fails (fatally) with the library's
 * message if it cannot be created. */
pprt_runtime_t* pprt_test_runtime(const char* model_dir, enum pprt_runner runner, uint32_t max_points);

/* A stream on rt with `cores` DPU contexts and max_in_flight `depth` (0: the default); fails (fatally) with the
 * library's message if it cannot be created. */
pprt_stream_t* pprt_test_stream(pprt_runtime_t* rt, uint32_t cores, uint32_t depth);

#endif
