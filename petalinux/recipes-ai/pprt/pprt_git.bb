SUMMARY = "pprt: PointPillars (nuScenes) inference runtime for Zynq UltraScale+ DPUs through VART"
DESCRIPTION = "C11 runtime around the two DPU subgraphs of the Vitis AI 2.5 PointPillars nuScenes model: \
sweep fusion, voxelization, scatter and post-processing with NEON kernels, the pprt command and an int8 \
CPU reference runner plugin for VART."

# The repository has no license file yet: CLOSED needs no LIC_FILES_CHKSUM. Replace both once it has one.
LICENSE = "CLOSED"

# Where to fetch pprt from: set PPRT_GIT_URI (and SRCREV) in a .bbappend or in
# project-spec/meta-user/conf/petalinuxbsp.conf, or build a local checkout with externalsrc (petalinux/README.md).
PPRT_GIT_URI ?= "git://git.example.invalid/pprt.git;protocol=https;branch=main"
SRC_URI = "${PPRT_GIT_URI}"
SRCREV ?= "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

# Vitis AI 2.5 runtime recipes (vart, xir, unilog) come from the Vitis AI recipes layer; glog from meta-oe;
# libdrm (zocl DPU probe) from oe-core.
DEPENDS = "vart xir unilog glog libdrm"

inherit cmake

# No tests on the target build (they need CUnit, Python and the host's VART dummy runner);
# no -Werror with a compiler version the project's CI does not use.
EXTRA_OECMAKE = "-DPPRT_BUILD_TESTS=OFF -DPPRT_WERROR=OFF"

# VART dlopens runner plugins by their unversioned name, so libpprt-cpu-runner.so is a runtime file, not a -dev
# symlink: give it its own package placed before ${PN}-dev so the default *.so rule does not take it.
PACKAGE_BEFORE_PN += "${PN}-cpu-runner"
FILES:${PN}-cpu-runner = "${libdir}/libpprt-cpu-runner.so"
INSANE_SKIP:${PN}-cpu-runner += "dev-so"
RDEPENDS:${PN} += "${PN}-cpu-runner"

# bin/pprt, bin/pprt-genmodel, bin/pprt-check and libpprt.so.* go to ${PN} by default; headers, libpprt.so, the CMake package
# and pprt.pc to ${PN}-dev.
FILES:${PN}-dev += "${libdir}/cmake/pprt"
