/* libpprt-alloccount.so (alloccount.h): the allocation counter `pprt bench` uses when it is preloaded. The
 * allocation functions forward to the next definition (libc's, dlsym RTLD_NEXT) and count while a window is open. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "alloccount.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The build hides symbols by default: these must be seen by the dynamic linker. */
#define SHIM_EXPORT __attribute__((visibility("default")))

/* ---- the counter */

static atomic_int g_counting;
static atomic_ullong g_allocs;
static atomic_flag g_table_lock = ATOMIC_FLAG_INIT;
static struct pprt_alloccount_object g_objects[PPRT_ALLOCCOUNT_MAX_OBJECTS];
static uint32_t g_num_objects;

static void lock_table(void) {
  while (atomic_flag_test_and_set_explicit(&g_table_lock, memory_order_acquire)) {
  }
}
static void unlock_table(void) { atomic_flag_clear_explicit(&g_table_lock, memory_order_release); }

static void count_alloc(const void* caller) {
  if (!atomic_load_explicit(&g_counting, memory_order_relaxed)) return;
  atomic_fetch_add_explicit(&g_allocs, 1, memory_order_relaxed);
  Dl_info info;
  const void* base = NULL;
  const char* name = NULL;
  if (dladdr(caller, &info) != 0) {
    base = info.dli_fbase;
    name = info.dli_fname;
  }
  lock_table();
  uint32_t i = 0;
  while (i < g_num_objects && g_objects[i].base != base) ++i;
  if (i == g_num_objects && i < PPRT_ALLOCCOUNT_MAX_OBJECTS) {
    g_objects[i].base = base;
    g_objects[i].name = name;
    g_objects[i].count = 0;
    ++g_num_objects;
  }
  if (i < g_num_objects) ++g_objects[i].count;
  unlock_table();
}

SHIM_EXPORT void pprt_alloccount_open(void) {
  lock_table();
  g_num_objects = 0;
  unlock_table();
  atomic_store(&g_allocs, 0);
  atomic_store(&g_counting, 1);
}

SHIM_EXPORT uint64_t pprt_alloccount_close(void) {
  atomic_store(&g_counting, 0);
  return atomic_load(&g_allocs);
}

SHIM_EXPORT uint32_t pprt_alloccount_objects(struct pprt_alloccount_object* out, uint32_t max) {
  lock_table();
  uint32_t n = g_num_objects < max ? g_num_objects : max;
  if (n > 0) memcpy(out, g_objects, n * sizeof *out);
  unlock_table();
  return n;
}

/* ---- the allocation functions */

void* memalign(size_t align, size_t n);

typedef void* (*malloc_fn)(size_t);
typedef void* (*calloc_fn)(size_t, size_t);
typedef void* (*realloc_fn)(void*, size_t);
typedef void (*free_fn)(void*);
typedef int (*posix_memalign_fn)(void**, size_t, size_t);
typedef void* (*aligned_alloc_fn)(size_t, size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc, real_memalign;

/* dlsym may allocate while the real functions are being looked up: serve that from a static arena. */
static _Alignas(64) unsigned char g_arena[65536];
static size_t g_arena_used;
static int g_resolving;

static void* arena_alloc(size_t n) {
  size_t off = (g_arena_used + 63) & ~(size_t)63;
  if (off + n > sizeof g_arena) return NULL;
  g_arena_used = off + n;
  return g_arena + off;
}
static int in_arena(const void* p) {
  return (const unsigned char*)p >= g_arena && (const unsigned char*)p < g_arena + sizeof g_arena;
}

static void resolve(void) {
  if (real_malloc != NULL || g_resolving) return;
  g_resolving = 1;
  real_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
  real_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
  real_free = (free_fn)dlsym(RTLD_NEXT, "free");
  real_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = (aligned_alloc_fn)dlsym(RTLD_NEXT, "memalign");
  malloc_fn m = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
  g_resolving = 0;
  real_malloc = m;
}

SHIM_EXPORT void* malloc(size_t n) {
  resolve();
  if (real_malloc == NULL) return arena_alloc(n);
  count_alloc(__builtin_return_address(0));
  return real_malloc(n);
}

SHIM_EXPORT void* calloc(size_t n, size_t size) {
  resolve();
  if (real_calloc == NULL || g_resolving) {
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    return arena_alloc(n * size); /* static storage is zeroed and never reused */
  }
  count_alloc(__builtin_return_address(0));
  return real_calloc(n, size);
}

SHIM_EXPORT void* realloc(void* p, size_t n) {
  resolve();
  if (in_arena(p)) { /* move out of the arena */
    void* q = real_malloc != NULL ? real_malloc(n) : arena_alloc(n);
    size_t avail = (size_t)(g_arena + sizeof g_arena - (unsigned char*)p); /* the block's size is not kept */
    if (q != NULL) memcpy(q, p, n < avail ? n : avail);
    return q;
  }
  if (real_realloc == NULL) return NULL;
  count_alloc(__builtin_return_address(0));
  return real_realloc(p, n);
}

SHIM_EXPORT void free(void* p) {
  if (p == NULL || in_arena(p)) return;
  resolve();
  if (real_free != NULL) real_free(p);
}

SHIM_EXPORT int posix_memalign(void** out, size_t align, size_t n) {
  resolve();
  if (real_posix_memalign == NULL) return ENOMEM;
  count_alloc(__builtin_return_address(0));
  return real_posix_memalign(out, align, n);
}

SHIM_EXPORT void* aligned_alloc(size_t align, size_t n) {
  resolve();
  if (real_aligned_alloc == NULL) return NULL;
  count_alloc(__builtin_return_address(0));
  return real_aligned_alloc(align, n);
}

SHIM_EXPORT void* memalign(size_t align, size_t n) {
  resolve();
  if (real_memalign == NULL) return NULL;
  count_alloc(__builtin_return_address(0));
  return real_memalign(align, n);
}
