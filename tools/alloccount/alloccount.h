/* libpprt-alloccount.so: the heap allocation counter of `pprt bench`, an opt-in shim loaded with LD_PRELOAD (pprt
 * bench preloads it itself, or the user does; README "pprt bench", docs/BENCHMARKS.md). Preloaded, its malloc, calloc,
 * realloc, posix_memalign, aligned_alloc, memalign and free come before libc's for the program and every library it
 * loads (VART, XIR, libstdc++'s operator new, the runner plugins); they forward to libc's and, while a window is
 * open, count each call and the object (executable or shared library) it came from. Nothing else of pprt links it:
 * the other commands and programs run on libc's allocator alone.
 *
 * A program finds the functions below with dlsym(RTLD_DEFAULT, name): found means the shim is in effect. Not for
 * sanitizer builds (ASan and TSan bring their own malloc and want to come first; the build does not make the shim). */
#ifndef PPRT_ALLOCCOUNT_H
#define PPRT_ALLOCCOUNT_H

#include <stdint.h>

#define PPRT_ALLOCCOUNT_MAX_OBJECTS 24

/** One object allocations came from (dladdr of the caller). */
struct pprt_alloccount_object {
  const void* base; /* dli_fbase, NULL if dladdr knew nothing */
  const char* name; /* dli_fname (owned by the loader), NULL if unknown */
  uint64_t count;
};

/** Start counting from 0 (and forget the objects of the last window). */
typedef void (*pprt_alloccount_open_fn)(void);
#define PPRT_ALLOCCOUNT_OPEN "pprt_alloccount_open"

/** Stop counting; the allocations since the last open. */
typedef uint64_t (*pprt_alloccount_close_fn)(void);
#define PPRT_ALLOCCOUNT_CLOSE "pprt_alloccount_close"

/** Copy the objects of the last window (at most max) to out; returns how many were copied. Allocations beyond
 *  PPRT_ALLOCCOUNT_MAX_OBJECTS different objects are counted in the total only. */
typedef uint32_t (*pprt_alloccount_objects_fn)(struct pprt_alloccount_object* out, uint32_t max);
#define PPRT_ALLOCCOUNT_OBJECTS "pprt_alloccount_objects"

#endif
