#!/usr/bin/env bash
# Builds the non-finite scan benchmark with -O from the LoradTensors sources it uses, and runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../Sources/LoradTensors"
out="${TMPDIR:-/tmp}/lorad-non-finite-scan-bench"
swiftc -O -wmo -module-name NonFiniteScanBench -o "$out" \
    "$src/DType.swift" "$src/TensorError.swift" "$src/NonFiniteScan.swift" "$here/main.swift" 2>&1 \
    | grep -v '^$' || true
"$out"
