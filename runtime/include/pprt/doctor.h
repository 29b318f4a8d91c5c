/*
 * pprt doctor: is this board ready to run a model on its DPU through VART 2.5, and if not, why and how to fix it.
 *
 * Every check reads files below one root folder (default "/"), so a copy of a board's /sys, /proc, /dev, /etc and
 * /lib/firmware, or a fake one made by a test, gives the verdicts the board would give. What each check reads and
 * what its failures mean: docs/DOCTOR.md. The library never prints; the pprt command prints the report.
 */
#ifndef PPRT_DOCTOR_H
#define PPRT_DOCTOR_H

#include <stdint.h>

#include "pprt/pprt.h"

#ifdef __cplusplus
extern "C" {
#endif

enum pprt_doctor_verdict {
  PPRT_DOCTOR_PASS = 0,
  PPRT_DOCTOR_SKIP = 1, /* not applicable here, or not asked for */
  PPRT_DOCTOR_WARN = 2, /* works, but not as it should (slower, unchecked, unusual) */
  PPRT_DOCTOR_FAIL = 3  /* VART would abort, exit or hang, or pprt could not run: the fix says what to do */
};

#define PPRT_DOCTOR_MAX_CHECKS 24

struct pprt_doctor_check {
  enum pprt_doctor_verdict verdict;
  char name[24];     /* "zocl", "render-node", "pl", "app", "xclbin", "dpu", "fingerprint", "cma", ... */
  char message[1024];
  char fix[512];     /* "" unless FAIL or WARN */
};

struct pprt_doctor_options {
  const char* root;            /* NULL or "/": this system; else a folder holding a board's files */
  const char* model_dir;       /* NULL: no model checks; else as pprt_options.model_dir */
  const char* model_name0;     /* as pprt_options (NULL: found by suffix) */
  const char* model_name1;
  uint32_t dpu_cores;          /* runners per subgraph pprt will use (bench --dpu-cores); 0: not checked */
  int run_jobs;                /* non-zero (and a model): one job per subgraph in a child process */
  const char* job_runner_lib;  /* NULL: the runner the xmodel names (the DPU); else a runner plugin (tests) */
  const char* const* env;      /* NULL: this process's environment; else NAME=VALUE strings, NULL-terminated,
                                * in place of it (XLNX_VART_FIRMWARE, <cu>.fingerprint) */
  uint32_t timeout_ms;         /* xdputil and the job child; 0: 60000 */
};

struct pprt_doctor_report {
  uint32_t count;
  struct pprt_doctor_check checks[PPRT_DOCTOR_MAX_CHECKS];
  enum pprt_doctor_verdict worst;
  /* What was found (zero / "" when unknown). */
  char board[128];             /* device-tree model, e.g. "ZynqMP ZCU104 RevC" */
  char xclbin[1024];           /* the xclbin VART 2.5 would open, as an absolute path on the board */
  uint32_t dpu_cores;          /* DPU compute units in that xclbin */
  uint64_t dpu_fingerprint;    /* the DPU's, as VART reads it (0: unknown) */
  char dpu_arch[64];           /* decoded from it, e.g. "DPUCZDX8G_ISA1_B4096" */
  uint64_t model_fingerprint[2];
};

PPRT_API void pprt_doctor_options_init(struct pprt_doctor_options* opts);

/** Run every check into *report (caller memory; nothing is allocated that outlives the call). Returns
 *  PPRT_STATUS_OK whenever the report was made, whatever its verdicts; INVALID_ARGUMENT for NULL arguments. */
PPRT_API enum pprt_status pprt_doctor_run(const struct pprt_doctor_options* opts, struct pprt_doctor_report* report);

/** "PASS", "SKIP", "WARN", "FAIL". */
PPRT_API const char* pprt_doctor_verdict_str(enum pprt_doctor_verdict verdict);

#ifdef __cplusplus
}
#endif
#endif
