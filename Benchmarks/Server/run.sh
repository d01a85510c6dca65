#!/usr/bin/env bash
# Server event-loop benchmark: builds LoradWire, LoradSystem (with the CLinux shim; it holds AccessPolicy), swift-log
# and Sources/LoradDaemon/Server with Benchmarks/Server/main.swift into one optimised
# executable with plain swiftc (no Package.swift target, no LoradStore), then runs it.
# About two minutes to compile on a busy 2-core machine, under a minute to run.
#   Benchmarks/Server/run.sh [seconds-per-scenario]   (default 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${TMPDIR:-/tmp}/lorad-server-bench"
mkdir -p "$out"
log="$root/.build/checkouts/swift-log/Sources/Logging"
if [ ! -d "$log" ]; then
    echo "swift-log is not checked out: run 'swift package resolve' first" >&2
    exit 1
fi
printf 'module CLinux {\n    header "%s"\n    export *\n}\n' "$root/Sources/CLinux/include/CLinux.h" > "$out/module.modulemap"
clang -O2 -c "$root/Sources/CLinux/CLinux.c" -I "$root/Sources/CLinux/include" -o "$out/CLinux.o"
library() {
    local name="$1"
    shift
    swiftc -O -wmo -parse-as-library -module-name "$name" -I "$out" \
        -emit-module -emit-module-path "$out/$name.swiftmodule" -emit-object -o "$out/$name.o" "$@"
}
mapfile -t logging < <(find "$log" -name '*.swift' | sort)
library Logging -package-name swift_log -enable-upcoming-feature ExistentialAny "${logging[@]}"
mapfile -t wire < <(find "$root/Sources/LoradWire" -name '*.swift' | sort)
library LoradWire "${wire[@]}"
mapfile -t system < <(find "$root/Sources/LoradSystem" -name '*.swift' | sort)
library LoradSystem "${system[@]}"
mapfile -t server < <(find "$root/Sources/LoradDaemon/Server" -name '*.swift' ! -name '*+Config.swift' | sort)
swiftc -O -wmo -module-name ServerBench -I "$out" "${server[@]}" "$root/Benchmarks/Server/main.swift" \
    "$out/CLinux.o" "$out/Logging.o" "$out/LoradWire.o" "$out/LoradSystem.o" -o "$out/server-bench"
"$out/server-bench" "$@"
