#!/usr/bin/env bash
# Rebuilds the C kernels of the test corpus (the .wasm files are checked in beside their source,
# so the build does not need clang). Needs Debian's clang-14 and lld-14.
set -euo pipefail
cd "$(dirname "$0")"
for src in *.c; do
  clang-14 --target=wasm32 -O2 -nostdlib -fno-builtin -Wl,--no-entry -Wl,--strip-all \
    -o "${src%.c}.wasm" "$src"
  echo "built ${src%.c}.wasm ($(stat -c %s "${src%.c}.wasm") bytes)"
done
