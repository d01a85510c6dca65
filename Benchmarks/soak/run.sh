#!/usr/bin/env bash
# Soak: a private lorad on a small generated base and three adapters, then lorad-soak's
# clients against it for a set time, every reply checked, lorad's RSS, descriptors and
# threads sampled each second and compared with the baseline after the load (see README.md
# beside this file). Exits non-zero when a check fails.
#
#   Benchmarks/soak/run.sh                                # builds the release binaries first; 10 minutes
#   LORAD_BIN_DIR=.build/debug SOAK_SECONDS=60 Benchmarks/soak/run.sh    # what `make soak-ci` runs
#
# Environment (defaults in brackets):
#   LORAD_BIN_DIR        folder with lorad, loractl and lorad-soak [build them in .build/release]
#   SOAK_SECONDS         how long the clients run [600]
#   SOAK_CLIENTS         concurrent clients [256]
#   SOAK_SEED            seed of the clients' steps [drawn by lorad-soak, printed]
#   SOAK_RSS_TOLERANCE   MiB lorad's RSS may grow by, after the load and EVICT [32]
#   SOAK_SAMPLES         keep the per-second samples (CSV) at this path [not kept]
#   SOAK_THREADS         lorad's worker threads [its default: the online cores]
#
# Needs python3 (standard library only) to generate the model. lorad runs on a socket in a
# fresh /tmp folder, removed at the end; lorad is stopped with SIGTERM and must exit 0.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_TO_RUN="${SOAK_SECONDS:-600}"
CLIENTS="${SOAK_CLIENTS:-256}"
TOLERANCE="${SOAK_RSS_TOLERANCE:-32}"

note() { printf '%s\n' "$*" >&2; }
show() { printf '$ %s\n' "$*" >&2; "$@"; }

# --- binaries ---------------------------------------------------------------------------
source "$ROOT/scripts/lorad-lib.sh"
lorad_binaries release lorad loractl lorad-soak
LORAD="$BIN/lorad" LORACTL="$BIN/loractl" SOAK="$BIN/lorad-soak"

# --- a private lorad ----------------------------------------------------------------------
RUN="$(mktemp -d /tmp/lorad-soak.XXXXXX)"   # short: socket paths must fit 107 bytes
SOCK="$RUN/lorad.sock"
LORAD_PID=""
cleanup() {
    if [[ -n "$LORAD_PID" ]]; then kill -KILL "$LORAD_PID" 2> /dev/null || true; wait "$LORAD_PID" 2> /dev/null || true; fi
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note "generating a small CogVideoX-shaped base (4 blocks, hidden 128) and three rank-8 adapters"
python3 "$ROOT/scripts/make_tiny_model.py" "$RUN/model" --blocks 4 --hidden 128 --rank 8 --seed 11 >&2
cat > "$RUN/lorad.toml" << EOF
state_dir = "$RUN/state"
socket = "$SOCK"
memory_budget = "256MiB"
${SOAK_THREADS:+threads = $SOAK_THREADS}

[bases]
tiny = "$RUN/model/base.safetensors"

[limits]
# Every client is root: the per-uid session limit (root is not exempt) must fit 256
# clients with two sessions each, plus the sessions of abruptly closed connections that
# lorad has not closed yet.
sessions_per_uid = 4096
EOF
"$LORAD" --config "$RUN/lorad.toml" > "$RUN/lorad.log" 2>&1 &
LORAD_PID=$!
lorad_wait_ready "$LORACTL" "$SOCK" "$LORAD_PID" || { cat "$RUN/lorad.log" >&2; exit 1; }
show "$LORACTL" import --socket "$SOCK" "$RUN/model/watercolor" --name watercolor --base tiny >&2
show "$LORACTL" import --socket "$SOCK" "$RUN/model/disney" --name disney --base tiny >&2
show "$LORACTL" import --socket "$SOCK" "$RUN/model/sketch.safetensors" --name sketch --base tiny >&2

# --- the soak -----------------------------------------------------------------------------
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
status=0
started=$EPOCHREALTIME
show "$SOAK" --socket "$SOCK" --pid "$LORAD_PID" --base tiny --base-file "$RUN/model/base.safetensors" \
    --adapters watercolor,disney,sketch --import-source "watercolor=$RUN/model/watercolor" \
    --import-source "disney=$RUN/model/disney" --import-source "sketch=$RUN/model/sketch.safetensors" \
    --clients "$CLIENTS" --seconds "$SECONDS_TO_RUN" --rss-tolerance-mib "$TOLERANCE" \
    ${SOAK_SEED:+--seed "$SOAK_SEED"} --samples "$RUN/samples.csv" > "$RUN/soak.out" || status=$?
elapsed=$(awk "BEGIN { printf \"%.0f\", $EPOCHREALTIME - $started }")
[[ -n "${SOAK_SAMPLES:-}" && -f "$RUN/samples.csv" ]] && cp "$RUN/samples.csv" "$SOAK_SAMPLES"

# The store after the load: every import of the soak removed again, nothing damaged, no
# leftover; lorad still up, then stopped with SIGTERM (it must drain and exit 0).
store_status=0
show "$LORACTL" verify --socket "$SOCK" >&2 || store_status=$?
adapters=$("$LORACTL" list --socket "$SOCK" --json | python3 -c 'import json, sys; print(" ".join(sorted(a["name"] for a in json.load(sys.stdin)["adapters"])))')
note "adapters after the soak: $adapters"
[[ "$adapters" == "disney sketch watercolor" ]] || { note "FAIL the store should hold only the three adapters imported before the soak"; store_status=1; }
kill -TERM "$LORAD_PID"
lorad_status=0
wait "$LORAD_PID" || lorad_status=$?
LORAD_PID=""

echo
echo "lorad soak, $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); binaries from $BIN"
echo "load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg); wall time of lorad-soak $elapsed s (references, load, settling)"
echo
cat "$RUN/soak.out"
echo
echo "$([[ $store_status == 0 ]] && echo PASS || echo FAIL) store after the soak: loractl verify clean, only the three adapters left"
echo "$([[ $lorad_status == 0 ]] && echo PASS || echo FAIL) lorad stopped with SIGTERM: exit status $lorad_status"
if ((status != 0 || store_status != 0 || lorad_status != 0)); then
    note "lorad's log (last 40 lines):"
    tail -n 40 "$RUN/lorad.log" >&2
    exit 1
fi
