#!/usr/bin/env bash
# Two lorad builds side by side: PING (16 clients), warm SWITCH and cold SWITCH medians,
# measured in interleaved rounds so that both builds see the same machine (see README.md).
#
#   Benchmarks/daemon/compare.sh OLD_BIN_DIR NEW_BIN_DIR
#
# Each BIN_DIR holds lorad and loractl of one build; both daemons are driven by the same
# client, NEW_BIN_DIR's lorad-bench. Each round starts each build's lorad afresh (fresh state
# folder, the 2B stack as its base, the two rank-128 adapters imported), the order of the two
# builds alternating from round to round.
#
# Environment (defaults in brackets): ROUNDS [5], PING_REQUESTS_16 [2000 per client],
# WARM_ITERATIONS [200], COLD_ITERATIONS [3], MERGE_BENCH_DIR and DAEMON_BENCH_DIR as run.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[[ $# -eq 2 ]] || { echo "usage: $0 OLD_BIN_DIR NEW_BIN_DIR" >&2; exit 64; }
OLD="$(cd "$1" && pwd)" NEW="$(cd "$2" && pwd)"
ROUNDS="${ROUNDS:-5}"
PING_REQUESTS_16="${PING_REQUESTS_16:-2000}"
WARM_ITERATIONS="${WARM_ITERATIONS:-200}"
COLD_ITERATIONS="${COLD_ITERATIONS:-3}"
MERGE_DATA="${MERGE_BENCH_DIR:-${TMPDIR:-/tmp}/lorad-merge-bench}"
DATA="${DAEMON_BENCH_DIR:-${TMPDIR:-/tmp}/lorad-daemon-bench}"
BASE_NAME=cogvideox-2b-attn
BENCH="$NEW/lorad-bench"
for tool in "$OLD/lorad" "$OLD/loractl" "$NEW/lorad" "$NEW/loractl" "$BENCH"; do
    [[ -x "$tool" ]] || { echo "missing $tool" >&2; exit 66; }
done

note() { printf '%s\n' "$*" >&2; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
json_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

RUN="$(mktemp -d /tmp/lorad-dcmp.XXXXXX)"   # short: socket paths must fit 107 bytes
SOCK="$RUN/lorad.sock"
LORAD_PID=""
stop_lorad() {
    [[ -n "$LORAD_PID" ]] || return 0
    kill -TERM "$LORAD_PID" 2> /dev/null || true
    wait "$LORAD_PID" 2> /dev/null || true
    LORAD_PID=""
    rm -rf "$RUN/state"
}
trap 'stop_lorad; rm -rf "$RUN"' EXIT
trap 'exit 130' INT TERM

source "$HERE/inputs.sh"

# start BIN: that build's lorad with the stack, both adapters imported, both overlays built once.
start() {
    local bin=$1 state=""
    "$bin/lorad" --state-dir "$RUN/state" --socket "$SOCK" --base "$BASE_NAME=$MERGE_DATA/base.safetensors" \
        --memory-budget 4GiB > "$RUN/lorad.log" 2>&1 &
    LORAD_PID=$!
    for _ in $(seq 1 1200); do
        state=$("$bin/loractl" bases --socket "$SOCK" --json 2> /dev/null \
            | python3 -c 'import json, sys; print(json.load(sys.stdin)["bases"][0]["state"])' 2> /dev/null || true)
        [[ "$state" == ready || "$state" == failed ]] && break
        sleep 0.1
    done
    [[ "$state" == ready ]] || { note "lorad ($bin) did not get the base ready:"; cat "$RUN/lorad.log" >&2; exit 1; }
    "$bin/loractl" import --socket "$SOCK" "$MERGE_DATA/adapter" --name a --base "$BASE_NAME" > /dev/null
    "$bin/loractl" import --socket "$SOCK" "$DATA/adapter-b" --name b --base "$BASE_NAME" > /dev/null
    "$BENCH" --socket "$SOCK" switch --base "$BASE_NAME" --adapters a,b --iterations 2 > /dev/null
}

declare -A S
# measure NAME BIN: one round of the three figures for one build.
measure() {
    local name=$1 bin=$2 line
    start "$bin"
    line=$("$BENCH" --socket "$SOCK" ping --clients 16 --requests "$PING_REQUESTS_16" --json | tail -1)
    S[$name.ping]+=" $(json_field "$line" rps)"
    line=$("$BENCH" --socket "$SOCK" switch --base "$BASE_NAME" --adapters a,b --clients 1 --iterations "$WARM_ITERATIONS" --json | tail -1)
    S[$name.warm]+=" $(json_field "$line" p50_us)"
    line=$("$BENCH" --socket "$SOCK" switch --base "$BASE_NAME" --adapters a,b --clients 1 --iterations "$COLD_ITERATIONS" --cold --json | tail -1)
    S[$name.cold]+=" $(json_field "$line" p50_us)"
    stop_lorad
    note "round $round $name: ping16 $(echo "${S[$name.ping]}" | awk '{print $NF}') rps, warm p50 $(echo "${S[$name.warm]}" | awk '{print $NF}') us, cold p50 $(echo "${S[$name.cold]}" | awk '{print $NF}') us"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then measure old "$OLD"; measure new "$NEW"; else measure new "$NEW"; measure old "$OLD"; fi
done

m() { echo "${S[$1]}" | median; }
echo
echo "lorad build comparison, $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; $ROUNDS interleaved rounds, medians"
echo "old: $OLD   new: $NEW   client: $BENCH"
echo "load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measure | old | new | new / old | per round, old | per round, new |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| PING, 16 clients x $PING_REQUESTS_16 (rps, higher is better) | $(calc "$(m old.ping)" 0) | $(calc "$(m new.ping)" 0) | $(calc "$(m new.ping) / $(m old.ping)" 3) |${S[old.ping]} |${S[new.ping]} |"
echo "| warm SWITCH p50 (us, lower is better) | $(calc "$(m old.warm)" 0) | $(calc "$(m new.warm)" 0) | $(calc "$(m new.warm) / $(m old.warm)" 3) |${S[old.warm]} |${S[new.warm]} |"
echo "| cold SWITCH p50 (ms, lower is better) | $(calc "$(m old.cold) / 1000" 0) | $(calc "$(m new.cold) / 1000" 0) | $(calc "$(m new.cold) / $(m old.cold)" 3) |${S[old.cold]} |${S[new.cold]} |"
