#!/bin/sh
# Pack compression benchmark: realistic bf16 LoRA factors, plain zstd on the raw bytes
# beside lorad's pack (docs/PACK_FORMAT.md, "Rationale and measurements").
#
#   Benchmarks/pack/bench.sh [modules]        (default 8 modules = 16 tensors, 7.9 MB)
#
# Needs python3 with numpy and the zstd CLI. The pack figures come from
# `loractl pack-bench FILE` when the integrator has wired it (set LORACTL to its path);
# otherwise only the zstd baselines are printed. Runs well under a minute.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
modules=${1:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/make_factors.py" "$work/factors.safetensors" --modules "$modules" --raw "$work/factors.bin"
for level in 1 3; do
    printf 'zstd -%s (raw bytes, one core): ' "$level"
    zstd -q -i3 -b"$level" "$work/factors.bin" 2>&1 | tr '\r' '\n' | tail -n 1
done
loractl=${LORACTL:-}
if [ -n "$loractl" ] && [ -x "$loractl" ]; then
    "$loractl" pack-bench "$work/factors.safetensors"
else
    echo "pack: set LORACTL=/path/to/loractl (with a pack-bench command) to time the pack codec"
fi
