/* Internal: is there a Zynq DPU on this host? VART's DPU runner aborts the process when there is none
 * ("dpu_controller.cpp:44 Check failed: !the_factory_methods.empty()"), so pprt asks first.
 * A DPU is reached through XRT's Zynq driver "zocl", which registers a DRM render node. */
#ifndef PPRT_DPU_PROBE_H
#define PPRT_DPU_PROBE_H

#include <stddef.h>

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

#ifdef __cplusplus
}
#endif
#endif
