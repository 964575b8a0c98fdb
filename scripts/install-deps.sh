#!/usr/bin/env bash
# Installs what building cartnet needs on a fresh Debian machine that has only Rust:
# cmake and g++ (the highs crate compiles HiGHS from C++ source) and libclang (bindgen).
# With --with-browser, also chromium (the test that renders the HTML report needs it).
# Does nothing when they are already there.
set -euo pipefail

# True when a library that bindgen (clang-sys) loads is present: libclang.so, libclang.so.N or
# libclang-N.so*. libclang-cpp.so.N is the C++ interface, a different library that some images
# ship without libclang: it does not count.
# CARTNET_LIBCLANG_DIRS (space-separated) replaces the folders searched (for the script's test).
have_libclang() {
  local dirs=(/usr/lib/llvm-*/lib /usr/lib/*-linux-gnu /usr/lib /usr/local/lib)
  [ -n "${CARTNET_LIBCLANG_DIRS:-}" ] && read -r -a dirs <<<"$CARTNET_LIBCLANG_DIRS"
  [ -n "${LIBCLANG_PATH:-}" ] && dirs=("$LIBCLANG_PATH" "${dirs[@]}")
  local d f
  for d in "${dirs[@]}"; do
    for f in "$d"/libclang*.so*; do
      [ -e "$f" ] || continue
      case "${f##*/}" in
        libclang-cpp*) ;;
        libclang.so | libclang.so.* | libclang-[0-9]*.so | libclang-[0-9]*.so.*) return 0 ;;
      esac
    done
  done
  return 1
}

# Sourced with --check-libclang-only (the test): define have_libclang and stop.
[ "${1:-}" = "--check-libclang-only" ] && { have_libclang; exit $?; }

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
have_libclang || missing+=(libclang-dev)

if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium fonts-liberation)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! have_libclang; then
  echo "error: libclang (libclang.so or libclang-N.so) is still missing after installing libclang-dev;" >&2
  echo "       bindgen needs it to build HiGHS's bindings. Install libclang-dev, or set LIBCLANG_PATH." >&2
  exit 1
fi
