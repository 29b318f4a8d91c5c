# Cross-compile pprt for aarch64 (ZCU104 / KV260 Cortex-A53) from a Debian 12 x86-64 host.
#
#   tools/make-sysroot.sh sysroot-arm64            # private arm64 sysroot (VART, XIR, glog, CUnit, ... unpacked)
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake [-DPPRT_SYSROOT=/abs/sysroot]
#   cmake --build build/arm64 -j2 && ctest --test-dir build/arm64   # tests run under qemu-aarch64-static
#
# The sysroot is not a full --sysroot for gcc: the Debian cross gcc keeps its own libc and libstdc++
# (/usr/aarch64-linux-gnu); the sysroot adds the headers and libraries of everything else, and is the
# library prefix qemu runs the binaries with (-L). For a board image sysroot (PetaLinux `sdk` / Vitis AI SDK)
# point PPRT_SYSROOT at it; see board/README.md.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# GCC 11 when installed (g++-11-aarch64-linux-gnu): the compiler of PetaLinux 2022.1, so the binaries need no more
# than its libstdc++ (GLIBCXX_3.4.29) and glibc 2.34 give (tools/check-install.sh checks). Else Debian's default
# GCC 12, whose libstdc++ symbols (GLIBCXX_3.4.30) a PetaLinux 2022.1 board cannot resolve.
find_program(PPRT_AARCH64_GCC11 aarch64-linux-gnu-gcc-11)
find_program(PPRT_AARCH64_GXX11 aarch64-linux-gnu-g++-11)
if(PPRT_AARCH64_GCC11 AND PPRT_AARCH64_GXX11)
  set(CMAKE_C_COMPILER ${PPRT_AARCH64_GCC11})
  set(CMAKE_CXX_COMPILER ${PPRT_AARCH64_GXX11})
else()
  set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
endif()

# Sysroot: -DPPRT_SYSROOT=..., else $ENV{PPRT_SYSROOT}, else <source>/sysroot-arm64.
# try_compile projects re-read this file with another CMAKE_SOURCE_DIR: the value is forwarded to them
# through CMAKE_TRY_COMPILE_PLATFORM_VARIABLES and the environment.
if(NOT PPRT_SYSROOT)
  if(DEFINED ENV{PPRT_SYSROOT} AND NOT "$ENV{PPRT_SYSROOT}" STREQUAL "")
    set(_pprt_sysroot_default "$ENV{PPRT_SYSROOT}")
  else()
    set(_pprt_sysroot_default "${CMAKE_SOURCE_DIR}/sysroot-arm64")
  endif()
  set(PPRT_SYSROOT "${_pprt_sysroot_default}" CACHE PATH "arm64 sysroot made by tools/make-sysroot.sh")
endif()
get_filename_component(PPRT_SYSROOT "${PPRT_SYSROOT}" ABSOLUTE)
set(ENV{PPRT_SYSROOT} "${PPRT_SYSROOT}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES PPRT_SYSROOT)
if(NOT EXISTS "${PPRT_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "PPRT_SYSROOT=${PPRT_SYSROOT} is not a Debian-layout arm64 sysroot (no usr/lib/aarch64-linux-gnu): "
                      "run tools/make-sysroot.sh ${PPRT_SYSROOT}. For a PetaLinux / Yocto SDK sysroot use the SDK's own "
                      "OEToolchainConfig.cmake instead of this file (board/README.md).")
endif()

set(_s "${PPRT_SYSROOT}")

# find_path / find_library / find_package look only in the sysroot (and the cross libc), programs on the host.
set(CMAKE_FIND_ROOT_PATH "${_s}" /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Headers of the sysroot's -dev packages; libraries and their dependencies (rpath-link: libvart-runner.so needs
# libxir.so.2, libglog.so.1, ... which are resolved at link time without being linked directly).
foreach(_lang C CXX)
  set(CMAKE_${_lang}_STANDARD_INCLUDE_DIRECTORIES "${_s}/usr/include")
endforeach()
set(_pprt_link "-L${_s}/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,${_s}/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,${_s}/lib/aarch64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_pprt_link}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${_pprt_link}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${_pprt_link}")

# ctest (and the Python oracle drivers, which prefix ${CMAKE_CROSSCOMPILING_EMULATOR}) run test binaries under qemu.
# -L makes qemu load the arm64 ld.so and libraries (including VART's dlopen'ed runner plugins) from the sysroot.
find_program(PPRT_QEMU_AARCH64 qemu-aarch64-static NO_CMAKE_FIND_ROOT_PATH)
if(NOT PPRT_QEMU_AARCH64)
  set(PPRT_QEMU_AARCH64 qemu-aarch64-static)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${PPRT_QEMU_AARCH64};-L;${_s}")
