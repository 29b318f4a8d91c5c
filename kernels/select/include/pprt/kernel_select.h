/* Internal: how both kernel libraries (kernels/pipeline: struct pprt_kernels, kernels/nn: struct
 * pprt_nn_kernel_set) choose their variant set: one table of function pointers per ISA, built in at compile time,
 * kept when this CPU runs that ISA, one chosen once per process (PPRT_KERNEL_SETS in the library's dispatch.c). */
#ifndef PPRT_KERNEL_SELECT_H
#define PPRT_KERNEL_SELECT_H

#include <pthread.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether this CPU runs code of the ISA named isa: "scalar" always; "neon" in aarch64 builds; "avx2",
 * "avx512vnni" (avx512f + bw + vl + vnni) by __builtin_cpu_supports on x86-64; anything else: no. */
int pprt_isa_usable(const char* isa);

/* The sets of one family: isa[i] (i < n) names the ISA of the i-th set built into this binary, in increasing
 * preference (isa[0] == "scalar"). Writes the indices of the usable ones to keep[] (in that order, at most n) and
 * the position in keep[] of the set to run to *chosen: the one whose name the environment variable PPRT_KERNELS
 * gives if it is usable ("scalar", "avx2", ...), else the last usable one (the best). Returns the count kept (>= 1). */
size_t pprt_kernel_sets_choose(const char* const* isa, size_t n, size_t* keep, size_t* chosen);

/* PPRT_KERNEL_SETS(T, name, built), in a library's dispatch.c: its one choice. built is a static array of T (a
 * struct with a `const char* isa` member), built[0] the scalar set, then in increasing preference.
 * Defines
 *   const T* name(void): the set this process runs, chosen at the first call of either function (pthread_once)
 *     by pprt_kernel_sets_choose;
 *   const T* const* name##_all(size_t* count): every usable set, scalar first (*count of them). */
#define PPRT_KERNEL_SETS(T, name, built)                                                                              \
  static const T* name##_usable_[sizeof(built) / sizeof((built)[0])];                                                 \
  static size_t name##_count_, name##_chosen_;                                                                        \
  static pthread_once_t name##_once_ = PTHREAD_ONCE_INIT;                                                             \
  static void name##_choose_(void) {                                                                                  \
    enum { n_built = sizeof(built) / sizeof((built)[0]) };                                                            \
    const char* isa[n_built];                                                                                         \
    size_t keep[n_built];                                                                                             \
    for (size_t i = 0; i < n_built; ++i) isa[i] = (built)[i].isa;                                                     \
    name##_count_ = pprt_kernel_sets_choose(isa, n_built, keep, &name##_chosen_);                                     \
    for (size_t i = 0; i < name##_count_; ++i) name##_usable_[i] = &(built)[keep[i]];                                 \
  }                                                                                                                   \
  const T* name(void) {                                                                                               \
    pthread_once(&name##_once_, name##_choose_);                                                                      \
    return name##_usable_[name##_chosen_];                                                                            \
  }                                                                                                                   \
  const T* const* name##_all(size_t* count) {                                                                         \
    pthread_once(&name##_once_, name##_choose_);                                                                      \
    if (count != NULL) *count = name##_count_;                                                                        \
    return name##_usable_;                                                                                            \
  }

#ifdef __cplusplus
}
#endif
#endif
