#!/usr/bin/env bash
# make bench: every benchmark, each printing its anchor from the same run.
# Not part of the test suite; nothing here asserts on time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
section "merge: CogVideoX-2B attention stack + rank-128 adapter, file to file, vs numpy"
"$here/merge/run.sh"
section "pack: bf16 LoRA factors, lorad pack vs plain zstd on the same bytes"
"$here/pack/bench.sh"
section "float conversions (LoradTensors)"
"$here/FloatConversion/run.sh"
section "non-finite scan of a rank-128 adapter's factors (LoradTensors)"
"$here/NonFiniteScan/run.sh"
section "wire codec (LoradWire)"
"$here/Wire/run.sh"
section "daemon: PING vs redis-server, SWITCH warm/cold, attaching a base"
"$here/daemon/run.sh"
section "python client: bind and switch a CogVideoX-2B-sized model vs diffusers"
"$here/python/run.sh"
