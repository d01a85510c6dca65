#!/usr/bin/env bash
# Builds the float conversion benchmark with -O from the LoradTensors sources it uses, and runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../Sources/LoradTensors"
out="${TMPDIR:-/tmp}/lorad-float-conversion-bench"
swiftc -O -wmo -module-name FloatConversionBench -o "$out" \
    "$src/DType.swift" "$src/TensorError.swift" "$src/BFloat16.swift" "$src/FloatConversion.swift" "$here/main.swift" 2>&1 \
    | grep -v '^$' || true
"$out"
