#!/usr/bin/env bash
# Builds Benchmarks/Wire/main.swift into the LoradWire sources with whole-module optimisation
# (as a release SwiftPM build does) and runs it. About a minute to compile, a few seconds to run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${TMPDIR:-/tmp}/lorad-wire-bench"
mapfile -t sources < <(find "$root/Sources/LoradWire" -name '*.swift' | sort)
swiftc -O -wmo -module-name LoradWire "${sources[@]}" "$root/Benchmarks/Wire/main.swift" -o "$out"
"$out"
