#!/usr/bin/env bash
# Pack benchmark: realistic bf16 LoRA factors; lorad's pack beside plain zstd on the
# same raw bytes, both timed in one process on one core (docs/PACK_FORMAT.md).
#
#   Benchmarks/pack/bench.sh [modules]     (default 8 modules = 16 tensors, 7.9 MB)
#
# Needs python3 with numpy (to generate the factors) and swiftc. Under a minute.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
modules=${1:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/make_factors.py" "$work/factors.safetensors" --modules "$modules"
# One module from the codec's sources (their `import LoradTensors` is dropped: DType comes along).
mkdir -p "$work/src"
for f in "$root/Sources/LoradTensors/DType.swift" "$root"/Sources/LoradStore/Pack/*.swift "$root"/Sources/LoradStore/Zstd/*.swift; do
    sed '/^import LoradTensors$/d' "$f" > "$work/src/$(basename "$f")"
done
swiftc -O -wmo -module-name PackBench -o "$work/pack-bench" -I "$root/Sources/CZstd" \
    "$work"/src/*.swift "$here/main.swift" 2>&1 | grep -v '^$' || true
"$work/pack-bench" "$work/factors.safetensors"
