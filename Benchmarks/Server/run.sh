#!/usr/bin/env bash
# Server event-loop benchmark: builds the package's `lorad-server-bench` executable (this
# folder's main.swift linked against the LoradServer target, optimised) and runs it.
# The first release build of the package takes several minutes on a 2-core machine; running
# takes under a minute.
#   Benchmarks/Server/run.sh [seconds-per-scenario]   (default 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build -c release --product lorad-server-bench
"$(swift build -c release --show-bin-path)/lorad-server-bench" "$@"
