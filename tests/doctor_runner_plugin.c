/* A VART runner plugin that behaves as VART's DPU runner does on a board that is not ready: it aborts (a glog CHECK)
 * or calls exit(0) (VART 2.5 when the xclbin cannot be opened). test_doctor checks that pprt doctor's job child
 * reports both instead of dying with them. Built twice: PPRT_FAKE_RUNNER_EXIT selects exit(0). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((visibility("default"))) void* create_runner_with_attrs(const void* subgraph, void* attrs) {
  (void)subgraph;
  (void)attrs;
#if defined(PPRT_FAKE_RUNNER_EXIT)
  fprintf(stderr, "fake DPU runner: exit(0) as VART does when open(dpu.xclbin) fails\n");
  exit(0);
#else
  fprintf(stderr, "fake DPU runner: aborting as a failed glog CHECK does\n");
  abort();
#endif
}
