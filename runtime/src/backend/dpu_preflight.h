/* Internal: is there a Zynq DPU on this host, ready for VART's DPU runner? VART aborts the process when there is none
 * ("dpu_controller.cpp:44 Check failed: !the_factory_methods.empty()"), exit(0)s when its xclbin is missing and
 * aborts at the first job when the model was compiled for another DPU, so pprt asks first.
 * pprt_dpu_probe: a DRM node driven by XRT's Zynq driver "zocl" (for reports). pprt_dpu_preflight: the cheap checks of
 * pprt doctor (backend/doctor.c: zocl, the render node XRT opens, the KV260 app, the xclbin VART 2.5 resolves and its
 * DPU cores, the model's fingerprint against a <cu>.fingerprint override); UNAVAILABLE naming the first failure and
 * its fix. docs/DOCTOR.md lists the checks. */
#ifndef PPRT_DPU_PROBE_H
#define PPRT_DPU_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "backend/vart_backend.h"
#include "pprt_common/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 1 if a DRM device driven by "zocl" exists (desc, if non-NULL, gets e.g. "zocl 2018.2.1 on /dev/dri/renderD128"),
 *  0 if none (desc gets what was looked at). Looks at /sys/class/drm and /dev/dri. Never prints or aborts. */
int pprt_dpu_probe(char* desc, size_t cap);

/** pprt_dpu_probe over other directories (for tests): sys_class_drm like /sys/class/drm (entries whose
 *  device/driver link ends in "zocl"), dev_dri like /dev/dri (render/card nodes asked with drmGetVersion).
 *  Either may be NULL to skip it. */
int pprt_dpu_probe_at(const char* sys_class_drm, const char* dev_dri, char* desc, size_t cap);

/** OK if VART's DPU runner can be created for model's DPU subgraph on this system (model may be NULL: no
 *  fingerprint comparison), else UNAVAILABLE with "no DPU found: <check>: <cause>. Fix: <fix> ...". */
enum pprt_status pprt_dpu_preflight(const pprt_xmodel* model, struct pprt_err* err);

/** The same below another root folder and with an explicit environment (NAME=VALUE, NULL-terminated; NULL: this
 *  process's), for tests. */
enum pprt_status pprt_dpu_preflight_at(const char* root, const char* const* env, const pprt_xmodel* model,
                                       struct pprt_err* err);

/** 1 if the runner library named lib (a bare name dlopen searches, or a path) is VART's DPU runner, told WITHOUT
 *  loading it: its name, the name its path resolves to (symlinks), or the DT_SONAME its ELF file declares (a renamed
 *  copy) starts with "libvart-dpu-runner.so". Asked before dlopen because on aarch64 merely loading that library
 *  runs XRT's device scan, which throws out of a static constructor and aborts the process where /dev/dri/by-path
 *  does not exist. 0 otherwise, and for anything unreadable (dlopen then reports it). Never prints or aborts. */
int pprt_lib_is_vart_dpu_runner(const char* lib);

/** "DPUCZDX8G_ISA1_B4096" for 0x0101000016010407 (Vitis AI 2.5 target-factory decoding), "unknown" for 0. */
void pprt_dpu_fingerprint_name(uint64_t fingerprint, char* buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
