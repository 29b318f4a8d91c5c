#!/usr/bin/env bash
# make-sysroot.sh [DIR] -- build the private arm64 sysroot that cmake/toolchain-aarch64.cmake and qemu use.
#
# Debian's arm64 VART packages cannot be installed next to the amd64 ones (glog/gflags are not Multi-Arch: same,
# so apt would remove the amd64 VART). Instead this script `apt-get download`s the arm64 packages and unpacks each
# with `dpkg-deb -x` into DIR (default: <repo>/sysroot-arm64). Nothing is installed with apt-get install.
#
# DIR then holds the arm64 runtime libraries (libc, libstdc++, VART, XIR, unilog, glog, ...) for
# `qemu-aarch64-static -L DIR`, and the headers + .so links of every library the build links.
# The cross compiler keeps using its own libc from /usr/aarch64-linux-gnu.
#
# Cached: DIR/.pprt-sysroot-stamp holds a hash of the package list; a second run with the same list is instant.
# Needs root for `dpkg --add-architecture arm64` + `apt-get update` the first time (CI and the dev machines are root).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dir="${1:-${PPRT_SYSROOT:-$repo/sysroot-arm64}}"

# Runtime closure of VART/XIR/unilog/glog (TOOLCHAIN.md), then what the tests and tools link.
# libdrm-common is Architecture: all (no :arm64 suffix); the rest are fetched as :arm64.
pkgs_arm64=(
  gcc-12-base libgcc-s1 libc6 libstdc++6
  libboost-filesystem1.74.0 libgflags2.2 libgflags-dev libgoogle-glog0v6 libgoogle-glog-dev
  libunistring2 libidn2-0 libjson-c5 zlib1g libprotobuf32 libuuid1
  libunilog2 libunilog-dev libxir2 libxir-dev libxrt1 libvart2 libvart-dev
  libcunit1 libcunit1-dev
  libjson-c-dev
  libpng16-16 libpng-dev zlib1g-dev
  libdrm2 libdrm-dev
)
pkgs_all=(libdrm-common)
stamp_version=1

stamp_text="$(printf 'pprt-sysroot v%s\n' "$stamp_version"; printf '%s:arm64\n' "${pkgs_arm64[@]}"; printf '%s\n' "${pkgs_all[@]}")"
stamp_hash="$(printf '%s\n' "$stamp_text" | sha256sum | cut -d' ' -f1)"
stamp_file="$dir/.pprt-sysroot-stamp"

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp_hash" ]]; then
  echo "make-sysroot: $dir is up to date"
  exit 0
fi

log() { echo "make-sysroot: $*"; }
die() { echo "make-sysroot: error: $*" >&2; exit 1; }

for tool in apt-get dpkg dpkg-deb readelf sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian host required)"
done

# Only remove a folder this script made (it has our stamp) or an empty one.
if [[ -e "$dir" ]]; then
  if [[ -f "$stamp_file" || -z "$(ls -A "$dir" 2>/dev/null)" ]]; then
    log "package list changed: rebuilding $dir"
  else
    die "$dir exists and was not made by this script (no $(basename "$stamp_file")); remove it or pick another DIR"
  fi
fi

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root for: $*"; fi
}

# 1. arm64 as a foreign architecture, and arm64 package lists.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  log "dpkg --add-architecture arm64"
  as_root dpkg --add-architecture arm64
  need_update=1
else
  need_update=0
fi
if [[ $need_update -eq 1 ]] || ! apt-cache show libvart2:arm64 >/dev/null 2>&1; then
  log "apt-get update (arm64 lists)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
fi

# 2. Download into a scratch folder next to DIR, unpack into DIR.tmp, swap in at the end.
parent="$(dirname "$dir")"
mkdir -p "$parent"
work="$(mktemp -d "$parent/.sysroot-debs.XXXXXX")"
stage="$dir.tmp.$$"
trap 'rm -rf "$work" "$stage"' EXIT
chmod 755 "$work"   # apt's _apt sandbox user must be able to write here
mkdir -p "$stage"

spec=()
for p in "${pkgs_arm64[@]}"; do spec+=("$p:arm64"); done
spec+=("${pkgs_all[@]}")
log "downloading ${#spec[@]} packages"
(cd "$work" && apt-get download -qq "${spec[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
n_debs=$(find "$work" -maxdepth 1 -name '*.deb' | wc -l)
[[ $n_debs -eq ${#spec[@]} ]] || die "downloaded $n_debs of ${#spec[@]} packages (see apt-get download output above)"

for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$stage"
done

# 3. Absolute symlinks point at the host: make them relative inside the sysroot.
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  [[ "$target" == /* ]] || continue
  rel="$(realpath -m --relative-to="$(dirname "$link")" "$stage$target")"
  ln -sfn "$rel" "$link"
done < <(find "$stage" -type l -print0)

# 4. Check the closure: every DT_NEEDED of every arm64 shared object must be found in the sysroot.
libdirs=("$stage/lib/aarch64-linux-gnu" "$stage/usr/lib/aarch64-linux-gnu" "$stage/lib" "$stage/usr/lib")
missing=()
while IFS= read -r -d '' so; do
  head -c4 "$so" 2>/dev/null | grep -q $'\x7fELF' || continue
  while read -r need; do
    found=0
    for d in "$(dirname "$so")" "${libdirs[@]}"; do
      if [[ -e "$d/$need" ]]; then found=1; break; fi
    done
    [[ $found -eq 1 ]] || missing+=("${so#"$stage"/} needs $need")
  done < <(readelf -d "$so" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done < <(find "$stage/lib" "$stage/usr/lib" -name '*.so*' -type f -print0 2>/dev/null)
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'make-sysroot:   %s\n' "${missing[@]}" | sort -u >&2
  die "the sysroot misses libraries (add their packages to the list in $0)"
fi
[[ -e "$stage/lib/ld-linux-aarch64.so.1" ]] || die "no lib/ld-linux-aarch64.so.1 in the sysroot"
[[ -e "$stage/usr/lib/aarch64-linux-gnu/libvart-dummy-runner.so" ]] || die "no libvart-dummy-runner.so link"

printf '%s\n' "$stamp_hash" > "$stage/.pprt-sysroot-stamp"
printf '%s\n' "$stamp_text" > "$stage/.pprt-sysroot-packages"
rm -rf "$dir"
mv "$stage" "$dir"
log "$dir ready ($n_debs packages, $(du -sh "$dir" | cut -f1))"
