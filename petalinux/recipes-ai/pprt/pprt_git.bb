SUMMARY = "pprt: PointPillars (nuScenes) inference runtime for Zynq UltraScale+ DPUs through VART"
DESCRIPTION = "C11 runtime around the two DPU subgraphs of the Vitis AI 2.5 PointPillars nuScenes model: \
sweep fusion, voxelization, scatter and post-processing with NEON kernels, the pprt command (run, bench, doctor), \
an int8 CPU reference runner plugin for VART and the pprt-doctor boot check."
HOMEPAGE = "https://github.com/pprt-project/pprt"

# The repository has no license file yet: CLOSED needs no LIC_FILES_CHKSUM. Replace both once it has one.
LICENSE = "CLOSED"

# Fetch a pinned commit (bitbake resolves no AUTOREV without the network, and builds must be reproducible). Point
# PPRT_GIT_URI at your copy of the repository and SRCREV at the commit to build, in a .bbappend or in
# project-spec/meta-user/conf/petalinuxbsp.conf:
#   PPRT_GIT_URI:pn-pprt = "git://git.example.com/pprt.git;protocol=https;branch=main"
#   SRCREV:pn-pprt = "<40-hex commit>"
# Or build a local checkout without fetching (externalsrc; petalinux/README.md):
#   INHERIT += "externalsrc"
#   EXTERNALSRC:pn-pprt = "/home/me/pprt"
#   EXTERNALSRC_BUILD:pn-pprt = "${WORKDIR}/build"
PPRT_GIT_URI ?= "git://github.com/pprt-project/pprt.git;protocol=https;branch=main"
SRC_URI = "${PPRT_GIT_URI} \
           file://pprt-doctor.service \
           file://pprt.service \
           file://pprt.default \
           "
SRCREV = "fc28df75cb7e4707b463d4a42b9add910989a6b4"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

# Every library the build links: Vitis AI 2.5 (vart, xir, unilog: recipes-vitis-ai), glog (meta-oe), json-c and
# libpng (the pprt command: nuScenes files, pprt view), libdrm (pprt doctor and the DPU preflight: drmGetVersion).
DEPENDS = "vart xir unilog glog json-c libpng libdrm"

inherit cmake systemd

# No tests on the target build (they need CUnit, Python and the host's VART dummy runner); no -Werror with a
# compiler version the project's CI does not use.
EXTRA_OECMAKE = "-DPPRT_BUILD_TESTS=OFF -DPPRT_WERROR=OFF"

do_install:append() {
    install -d ${D}${systemd_system_unitdir} ${D}${sysconfdir}/default
    install -m 0644 ${WORKDIR}/pprt-doctor.service ${WORKDIR}/pprt.service ${D}${systemd_system_unitdir}/
    install -m 0644 ${WORKDIR}/pprt.default ${D}${sysconfdir}/default/pprt
}

# VART dlopens runner plugins by their unversioned name: libpprt-cpu-runner.so is a runtime file, not a -dev
# symlink. Its package comes first in PACKAGES so the -dev rule (${libdir}/lib*.so) does not take it.
PACKAGES =+ "${PN}-cpu-runner ${PN}-service"
FILES:${PN}-cpu-runner = "${libdir}/libpprt-cpu-runner.so"
FILES:${PN}-service = "${systemd_system_unitdir}/pprt.service"
FILES:${PN} += "${systemd_system_unitdir}/pprt-doctor.service"

# pprt-doctor.service runs at every boot and logs the verdict (journalctl -u pprt-doctor); pprt.service (the
# detection loop of /etc/default/pprt) is installed but left disabled: systemctl enable --now pprt.
SYSTEMD_PACKAGES = "${PN} ${PN}-service"
SYSTEMD_SERVICE:${PN} = "pprt-doctor.service"
SYSTEMD_SERVICE:${PN}-service = "pprt.service"
SYSTEMD_AUTO_ENABLE:${PN}-service = "disable"

# The DPU runtime: VART's DPU runner reaches the DPU through XRT and its zocl driver.
RDEPENDS:${PN}-service = "${PN}"
RRECOMMENDS:${PN} = "${PN}-cpu-runner xrt zocl"
