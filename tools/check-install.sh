#!/usr/bin/env bash
# check-install.sh BUILD_DIR [--arch AArch64] [--max-glibc 2.34] [--max-glibcxx 3.4.29] [--manifest FILE]
#                  [--smoke-model DIR]
#
# Installs BUILD_DIR with `cmake --install` (DESTDIR=BUILD_DIR/check-install, prefix /opt/pprt) and fails when an
# installed file would not work on a board:
#   - any installed file (binary or text) names the source or build folder (a path of this machine);
#   - an ELF file is not for --arch (readelf -h "Machine"), or needs a glibc / libstdc++ symbol version above
#     --max-glibc / --max-glibcxx (readelf -V "Version needs": PetaLinux 2022.1 has glibc 2.34 and GCC 11's
#     libstdc++, GLIBCXX_3.4.29);
#   - a program's RUNPATH is not relative to itself ($ORIGIN...).
# --sanitized: the build uses -fsanitize (never installed on a board). GCC and clang write each source file's absolute
#   name into the sanitizer metadata (ASan globals, UBSan source locations) and no -ffile-prefix-map remaps it, so
#   there a string "<source folder>/<an existing source file>" is allowed; any other string naming either folder fails.
# --manifest FILE writes the installed files (relative to the prefix, sorted) for other checks
# (tests/petalinux_recipe.py compares the recipe with it). --smoke-model DIR (native builds): the installed pprt runs
# the installed sample .info on the CPU runner it finds through $ORIGIN. Prints what it checked; exit 1 on failure.
set -uo pipefail

build=""
arch=""
max_glibc=""
max_glibcxx=""
manifest=""
smoke=""
sanitized=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --max-glibc) max_glibc="$2"; shift 2 ;;
    --max-glibcxx) max_glibcxx="$2"; shift 2 ;;
    --manifest) manifest="$2"; shift 2 ;;
    --smoke-model) smoke="$2"; shift 2 ;;
    --sanitized) sanitized=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "check-install: unknown option $1" >&2; exit 2 ;;
    *) build="$1"; shift ;;
  esac
done
[[ -n "$build" && -f "$build/CMakeCache.txt" ]] || { echo "check-install: give a CMake build folder" >&2; exit 2; }
build="$(cd "$build" && pwd)"
src="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")"
readelf_bin="$(command -v aarch64-linux-gnu-readelf || command -v readelf)"

stage="$build/check-install"
prefix=/opt/pprt
rm -rf "$stage"
if ! DESTDIR="$stage" cmake --install "$build" --prefix "$prefix" >"$build/check-install.log" 2>&1; then
  cat "$build/check-install.log"
  echo "check-install: cmake --install failed"
  exit 1
fi
tree="$stage$prefix"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

mapfile -t files < <(cd "$tree" && find . -type f | sed 's|^\./||' | sort)
echo "installed ${#files[@]} files under $prefix"
if [[ -n "$manifest" ]]; then (cd "$tree" && find . -type f -o -type l | sed 's|^\./||' | sort) > "$manifest"; fi

# 1. no path of this machine: the source and build folders, in any installed file
# (--sanitized: only sanitizer metadata, a source file's own absolute name, is allowed)
names_path() {   # names_path FILE PATH: 0 if FILE holds PATH in a form not allowed
  local f="$1" p="$2" s rel
  grep -q -F -a -- "$p" "$f" || return 1
  [[ $sanitized == 1 ]] || return 0
  while IFS= read -r s; do
    s="$p${s#*"$p"}"   # strings may glue bytes in front of the name
    rel="${s#"$src"/}"
    if [[ "$s" == "$src"/* && "$rel" =~ ^[A-Za-z0-9_./+-]+\.(c|cc|cpp|h|hpp)$ && -f "$src/$rel" ]]; then continue; fi
    return 0
  done < <(strings -a -n 4 "$f" | grep -F -- "$p")
  return 1
}
for f in "${files[@]}"; do
  for p in "$src" "$build"; do
    if names_path "$tree/$f" "$p"; then bad "$f names $p"; fi
  done
done

# 2. ELF files: architecture, symbol versions, RUNPATH
ver_max() { sort -V | tail -1; }
n_elf=0
for f in "${files[@]}"; do
  path="$tree/$f"
  "$readelf_bin" -h "$path" >/dev/null 2>&1 || continue
  n_elf=$((n_elf + 1))
  machine="$("$readelf_bin" -h "$path" | sed -n 's/^ *Machine: *//p')"
  if [[ -n "$arch" && "$machine" != *"$arch"* ]]; then bad "$f is for $machine, not $arch"; fi
  needs="$("$readelf_bin" -V --wide "$path" 2>/dev/null | grep -o 'Name: [A-Z]*_[0-9.]*' | sed 's/Name: //' | sort -u)"
  g="$(grep '^GLIBC_[0-9]' <<<"$needs" | sed 's/GLIBC_//' | ver_max)"
  gx="$(grep '^GLIBCXX_[0-9]' <<<"$needs" | sed 's/GLIBCXX_//' | ver_max)"
  line="$f: $machine, needs GLIBC ${g:-none}, GLIBCXX ${gx:-none}"
  if [[ -n "$max_glibc" && -n "$g" && "$(printf '%s\n%s\n' "$g" "$max_glibc" | ver_max)" != "$max_glibc" ]]; then
    bad "$f needs GLIBC_$g > $max_glibc: $(grep '^GLIBC_[0-9]' <<<"$needs" | sort -V | tr '\n' ' ')"
  fi
  if [[ -n "$max_glibcxx" && -n "$gx" && "$(printf '%s\n%s\n' "$gx" "$max_glibcxx" | ver_max)" != "$max_glibcxx" ]]; then
    bad "$f needs GLIBCXX_$gx > $max_glibcxx"
  fi
  rp="$("$readelf_bin" -d "$path" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')"
  if [[ -n "$rp" ]]; then
    line="$line, RUNPATH $rp"
    IFS=: read -r -a parts <<<"$rp"
    for part in "${parts[@]}"; do
      [[ "$part" == '$ORIGIN'* ]] || bad "$f has a RUNPATH entry not relative to itself: $part"
    done
  elif [[ "$f" == bin/* ]]; then
    bad "$f has no RUNPATH: it would not find libpprt.so next to it"
  fi
  echo "  $line"
done
echo "checked $n_elf ELF files${arch:+ (arch $arch)}${max_glibc:+, GLIBC <= $max_glibc}${max_glibcxx:+, GLIBCXX <= $max_glibcxx}"
[[ $n_elf -gt 0 ]] || bad "no ELF file installed"

# 3. the sample that makes `pprt bench` work out of the box
for f in share/pprt/nuscenes_sample.info share/pprt/nuscenes_lidar_top_1532402927647951.pcd.bin; do
  [[ -f "$tree/$f" ]] || bad "$f is not installed"
done

# 4. the installed program, moved away from its configured prefix, runs the sample with the plugin beside it
if [[ -n "$smoke" ]]; then
  out="$(cd / && env -u PPRT_CPU_RUNNER_LIB "$tree/bin/pprt" run --model "$smoke" --info "$tree/share/pprt/nuscenes_sample.info" \
         --runner cpu 2>&1)"
  if [[ $? -ne 0 || "$out" != *"timings (ms)"* ]]; then bad "the installed pprt cannot run the sample: $out"; else
    echo "installed pprt ran share/pprt/nuscenes_sample.info on the CPU runner: $(grep -c '^ *[0-9]' <<<"$out") boxes"
  fi
fi

if [[ $fail -ne 0 ]]; then echo "check-install: FAILED"; exit 1; fi
echo "check-install: ok"
