#!/usr/bin/env bash
# Pack benchmark: realistic bf16 LoRA factors; lorad's pack beside plain zstd on the
# same raw bytes, both timed in one process on one core (docs/PACK_FORMAT.md).
#
#   Benchmarks/pack/bench.sh [modules]     (default 8 modules = 16 tensors, 7.9 MB)
#
# Needs python3 with numpy (to generate the factors). Builds the package's
# `lorad-pack-bench` executable (this folder's main.swift linked against LoradStore) in
# release, then runs it; the run takes under a minute.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
modules=${1:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/make_factors.py" "$work/factors.safetensors" --modules "$modules"
(cd "$root" && swift build -c release --product lorad-pack-bench)
"$(cd "$root" && swift build -c release --show-bin-path)/lorad-pack-bench" "$work/factors.safetensors"
