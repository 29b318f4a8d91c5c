SUMMARY = "KV260 accelerator app with a DPU for pprt (template: add your design's bitstream, dtsi and xclbin)"
DESCRIPTION = "A dfx-mgr app in /lib/firmware/xilinx/${PN}/ (${PN}.bit.bin, ${PN}.dtbo, ${PN}.xclbin, shell.json, \
as fpgamanager_custom installs them) and /etc/dfx-mgrd/default_firmware naming it, so dfx-mgr loads it at boot and \
writes 'firmware: /lib/firmware/xilinx/${PN}/${PN}.xclbin' to /etc/vart.conf. Put the DPU design's .bit, .dtsi and \
.xclbin (Vivado / Vitis build of the DPUCZDX8G TRD for the KV260, or the files of a Kria app firmware) in files/ \
under these names; the DPU configuration must match the models' (pprt doctor compares the fingerprints)."
LICENSE = "CLOSED"

inherit fpgamanager_custom

SRC_URI = "file://${PN}.bit \
           file://${PN}.dtsi \
           file://${PN}.xclbin \
           file://shell.json \
           "

do_install:append() {
    install -d ${D}${sysconfdir}/dfx-mgrd
    echo "${PN}" > ${D}${sysconfdir}/dfx-mgrd/default_firmware
}

# default_firmware in its own package: only one app may own it (leave it out to load apps by hand with xmutil).
PACKAGES =+ "${PN}-default"
FILES:${PN}-default = "${sysconfdir}/dfx-mgrd/default_firmware"
RDEPENDS:${PN}-default = "${PN}"
