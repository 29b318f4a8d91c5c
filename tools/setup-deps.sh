#!/usr/bin/env bash
# setup-deps.sh -- install the Debian 12 (amd64) packages pprt needs to build, test and cross-build.
# Idempotent and fast when everything is there: only missing packages are installed, after one `apt-get update`.
# The arm64 libraries are not installed here (that would remove the amd64 VART): see tools/make-sysroot.sh.
set -euo pipefail

pkgs=(
  # build
  cmake make gcc g++ pkg-config binutils
  # Vitis AI 2.5 runtime (VART, XIR, unilog, XRT) + glog
  libvart-dev libxir-dev libxir-utils vart-bin libunilog-dev libxrt-dev libgoogle-glog-dev
  # libraries the runtime, tools and tests link
  libcunit1-dev libjson-c-dev libpng-dev libdrm-dev
  # Python oracles (run with /usr/bin/python3: these modules are Debian's); protoc: Vitis AI's prototxt schema check
  python3 python3-numpy python3-shapely protobuf-compiler
  # the pprt Python module (python/): CPython headers, its pytest suite
  python3-dev python3-pytest
  # tools/train (demo model training, its CI smoke test)
  python3-torch
  # aarch64 cross build (GCC 11 = PetaLinux 2022.1's, for binaries the boards can load), qemu user emulation, llvm-mca
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-11-aarch64-linux-gnu g++-11-aarch64-linux-gnu
  binutils-aarch64-linux-gnu qemu-user-static llvm
  # libFuzzer harnesses and ThreadSanitizer (tools/fuzz.sh, tools/test.sh fuzz / tsan): clang with its runtimes
  clang libclang-rt-14-dev
)

missing=()
for p in "${pkgs[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "setup-deps: installing ${missing[*]}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() {   # quiet unless it fails
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup-deps: failed: $*" >&2
    exit 1
  fi
}
start=$SECONDS
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"
echo "setup-deps: installed ${#missing[@]} packages (with their dependencies) in $((SECONDS - start)) s"
