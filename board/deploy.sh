#!/usr/bin/env bash
# deploy.sh -- copy an aarch64 pprt build and model folders to a ZCU104 / KV260 board over ssh.
#
#   board/deploy.sh [--build DIR] [--prefix /opt/pprt] [--models DIR]... [--dry-run] user@host
#
#   --build DIR    an aarch64 build folder (default build/board; board/README.md says how to build it against the
#                  board's SDK). It is installed locally with `cmake --install` into a staging folder first.
#   --prefix P     install prefix on the board (default /opt/pprt): P/bin, P/lib, P/pprt-env.sh, P/models.
#   --models DIR   copy DIR to P/models/. DIR is either one VAI-Library model folder (<name>/<name>.xmodel +
#                  <name>.prototxt) or a folder of such folders. Repeat for several.
#   --dry-run      print what would be copied, copy nothing.
#
# Uses rsync when both ends have it, else tar over ssh (PetaLinux images do not always ship rsync).
# Not tried against a board: nothing in this repository can run on one here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build/board"
prefix=/opt/pprt
models=()
dry=0
target=""

usage() { sed -n '2,15p' "$0"; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --models) models+=("$(cd "$2" && pwd)"); shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage 0 ;;
    -*) echo "deploy: unknown option $1" >&2; usage 2 ;;
    *) [[ -z "$target" ]] || { echo "deploy: one target only" >&2; exit 2; }; target="$1"; shift ;;
  esac
done
[[ -n "$target" ]] || { echo "deploy: missing user@host" >&2; usage 2; }
[[ "$prefix" == /* ]] || { echo "deploy: --prefix must be absolute" >&2; exit 2; }
[[ -f "$build/CMakeCache.txt" ]] || { echo "deploy: $build is not a CMake build folder" >&2; exit 1; }

for m in "${models[@]}"; do
  if ! compgen -G "$m/*.xmodel" >/dev/null && ! compgen -G "$m/*/*.xmodel" >/dev/null; then
    echo "deploy: $m holds no <name>.xmodel nor <name>/<name>.xmodel" >&2; exit 1
  fi
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

echo "deploy: staging install of $build (prefix $prefix)"
cmake --build "$build" -j"${PPRT_JOBS:-2}"
DESTDIR="$stage" cmake --install "$build" --prefix "$prefix" >/dev/null
tree="$stage$prefix"

# Refuse to copy host binaries to the board.
for exe in "$tree"/bin/*; do
  [[ -f "$exe" ]] || continue
  if ! readelf -h "$exe" 2>/dev/null | grep -q 'AArch64'; then
    echo "deploy: $exe is not an AArch64 binary: build with the board toolchain (board/README.md)" >&2; exit 1
  fi
done
sed "s|^: \"\${PPRT_PREFIX:=/opt/pprt}\"|: \"\${PPRT_PREFIX:=$prefix}\"|" "$root/board/pprt-env.sh" > "$tree/pprt-env.sh"
mkdir -p "$tree/models"
for m in "${models[@]}"; do
  if compgen -G "$m/*.xmodel" >/dev/null; then
    cp -a "$m" "$tree/models/"          # one model folder
  else
    cp -a "$m"/. "$tree/models/"        # a folder of model folders
  fi
done

echo "deploy: files for $target:$prefix"
(cd "$tree" && find . -type f -o -type l | sort | sed 's|^\./|  |')
if [[ $dry -eq 1 ]]; then
  echo "deploy: --dry-run, nothing copied"
  exit 0
fi

ssh "$target" "mkdir -p '$prefix'"
if command -v rsync >/dev/null && ssh "$target" 'command -v rsync >/dev/null'; then
  rsync -a --info=stats1 "$tree"/ "$target:$prefix/"
else
  tar -C "$tree" -cf - . | ssh "$target" "tar -C '$prefix' -xf -"
fi
echo "deploy: done. On the board:  . $prefix/pprt-env.sh && pprt doctor --model \$PPRT_MODEL_DIR && pprt bench --model \$PPRT_MODEL_DIR --info $prefix/share/pprt/nuscenes_sample.info"
