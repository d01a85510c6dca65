#!/usr/bin/env bash
# make demo: builds lorad, loractl and lorad-bench, then runs the real daemon on a
# generated tiny CogVideoX-shaped model in a throwaway folder: import, list, sessions
# in fused and factors mode, a merge by the daemon checked against the offline merge,
# statistics, and a clean stop with SIGTERM. The folder is removed at the end, also
# when a step fails or on Ctrl-C. Exits non-zero when any step fails.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$REPO/scripts/demo_tools.py"
CLIENT="$REPO/scripts/demo_client.py"

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
CURRENT="starting"
step() { CURRENT="$*"; echo; bold "== $*"; }
say() { printf '%s\n' "$*"; }
# Shows a command as `$ cmd args` (the demo folder as $DEMO), runs it, shows its output
# (stdout and stderr) with the same shortening, and fails the demo when it fails.
show() {
    local shown="" arg
    for arg in "$@"; do
        case "$arg" in *[[:space:]]*) arg="'$arg'" ;; esac
        shown+="${shown:+ }$arg"
    done
    printf '$ %s\n' "$shown" | shorten
}
shorten() { sed -e "s|$WORK|\$DEMO|g" -e "s|$REPO/scripts/|scripts/|g"; }
run() { show "$@"; "$@" 2>&1 | shorten; }
# run_expect CODE cmd...: the command must fail with exit status CODE.
run_expect() {
    local want="$1" got=0; shift
    show "$@"
    "$@" 2>&1 | shorten || got=$?
    [ "$got" -eq "$want" ] || { say "expected exit status $want, got $got"; return 1; }
    say "(exit status $got)"
}

for tool in swift python3; do
    command -v "$tool" >/dev/null || { echo "demo: '$tool' is not on the PATH; install it first (see README.md)" >&2; exit 69; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lorad-demo.XXXXXX")"
LORAD_PID=""
# stop_lorad: SIGTERM, then up to 20 s for the drain (its grace is 10 s), then SIGKILL.
# Sets LORAD_STATUS to its exit status (137 when it had to be killed).
stop_lorad() {
    local waited=0
    kill -TERM "$LORAD_PID" 2>/dev/null || true
    while kill -0 "$LORAD_PID" 2>/dev/null && [ "$waited" -lt 200 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -0 "$LORAD_PID" 2>/dev/null && { say "lorad did not stop within 20 s of SIGTERM; killing it"; kill -KILL "$LORAD_PID"; }
    LORAD_STATUS=0
    wait "$LORAD_PID" || LORAD_STATUS=$?
    LORAD_PID=""
}
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$LORAD_PID" ]; then stop_lorad 2>/dev/null || true; fi
    if [ "$status" -eq 130 ] || [ "$status" -eq 143 ]; then
        echo
        bold "demo interrupted during: $CURRENT"
    elif [ "$status" -ne 0 ]; then
        echo
        bold "demo FAILED (exit status $status) during: $CURRENT"
        if [ -s "$WORK/lorad.log" ]; then echo "lorad's log:"; tail -n 20 "$WORK/lorad.log" | shorten; fi
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bold "lorad demo: a real daemon serving LoRA adapters for a tiny CogVideoX-shaped model"
say "Everything happens in \$DEMO = $WORK, which is removed at the end."

step "1. Build (swift build, debug; a few minutes the first time)"
(cd "$REPO" && swift build)
BIN="$(cd "$REPO" && swift build --show-bin-path)"
export PATH="$BIN:$PATH"
cd "$WORK"

step "2. A tiny model: a base and the same kind of adapter in three layouts"
run python3 "$REPO/scripts/make_tiny_model.py" models
say "models/base.safetensors     2 transformer blocks, hidden size 64, BF16, diffusers tensor names"
say "models/watercolor/          diffusers layout, rank 8, alpha 16 in its metadata (scale 2)"
say "models/disney/              PEFT layout (adapter_config.json), F32, alpha 32 (scale 4), to_v alpha 8 (scale 1)"
say "models/sketch.safetensors   kohya layout with .alpha tensors (alpha 8, scale 1)"

step "3. Offline: loractl reads adapters and packs them without a daemon"
say "inspect checks the kohya file against the base, which makes its module names exact:"
run loractl inspect models/sketch.safetensors --base models/base.safetensors
say "pack compresses an adapter (zstd over byte planes); unpack writes it back:"
run loractl pack models/watercolor --output watercolor.lorapack
run loractl unpack watercolor.lorapack --output watercolor-unpacked.safetensors
python3 "$TOOLS" same-tensors models/watercolor/pytorch_lora_weights.safetensors watercolor-unpacked.safetensors
say "unpacked: the same tensor names and bit-identical bytes as the original (lossless)"

step "4. Start lorad on a socket in \$DEMO"
say "The daemon loads the base into a sealed memfd and keeps its store in state/."
show lorad --state-dir state --socket lorad.sock --base tiny=models/base.safetensors '&'
# In its own session, so that a Ctrl-C reaches the demo and not the daemon: the demo
# then stops it with SIGTERM, as a service manager would.
setsid lorad --state-dir state --socket lorad.sock --base tiny=models/base.safetensors >lorad.log 2>&1 &
LORAD_PID=$!
export LORAD_SOCKET="$WORK/lorad.sock"
deadline=$((SECONDS + 30))
until loractl status >/dev/null 2>&1 && loractl bases --json 2>/dev/null | grep -q '"state":"ready"'; do
    kill -0 "$LORAD_PID" 2>/dev/null || { say "lorad exited while starting"; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { say "lorad did not answer within 30 s"; exit 1; }
    sleep 0.2
done
say "lorad (pid $LORAD_PID) answers and base tiny is ready. Its log so far:"
sed -n 's/^[^ ]* notice lorad: \[LoradDaemon\] /  lorad: /p' lorad.log | shorten
say "Every loractl command below finds the socket through LORAD_SOCKET (or pass --socket PATH):"
say "\$ export LORAD_SOCKET=\$DEMO/lorad.sock"
run loractl bases

step "5. Import the adapters into lorad's store"
say "loractl opens the files and passes their descriptors; lorad normalises, checks against the base, compresses."
run loractl import models/watercolor --name watercolor --base tiny
run loractl import models/disney --name disney --base tiny --tag style --description "PEFT adapter, F32"
run loractl import models/sketch.safetensors --name sketch --base tiny
run loractl list
run loractl show disney

step "6. Sessions: what a generator gets from lorad"
say "Each 'loractl session' opens a session on a base, switches it to a set of adapters,"
say "maps the sealed segments lorad sends back and writes them into a folder, with session.json."
say "Fused mode: the base plus one overlay holding W + sum(w * scale * B A) for the touched tensors."
run loractl session --base tiny --adapter watercolor --dump sessions/watercolor
python3 "$TOOLS" session sessions/watercolor
run loractl session --base tiny --adapter disney --dump sessions/disney
python3 "$TOOLS" session sessions/disney
say "A combination, one adapter with a negative weight:"
run loractl session --base tiny --adapter watercolor:0.7 --adapter disney:-0.3 --dump sessions/mix
python3 "$TOOLS" session sessions/mix
say "Factors mode: the base plus each adapter's normalised A and B; the client applies them itself:"
run loractl session --base tiny --mode factors --adapter watercolor:0.7 --adapter disney:-0.3 --dump sessions/factors
python3 "$TOOLS" session sessions/factors
say "Every session got base segment 1: one copy of the base in memory, shared by all."
say "(Session ids go up by two in fused mode: loractl opens a short factors session to read the scales.)"
echo
say "One session, switched four times, as a generator sees it: a stdlib-only Python client"
say "(scripts/demo_client.py) speaks the protocol, receives the segments' descriptors and maps them with mmap."
run python3 "$CLIENT" switch lorad.sock tiny watercolor disney watercolor:0.7,disney:-0.3 watercolor
say "Each SWITCH bumps the generation; the base is mapped once; going back to watercolor gets"
say "the cached overlay (same segment id), so nothing is recomputed or mapped again."
echo
say "Switch latency, one session switching 30 times among the three adapters (fused mode):"
run lorad-bench switch --base tiny --adapters watercolor,disney,sketch --iterations 30

step "7. Merge: lorad writes the merged model; loractl can do the same offline"
run loractl merge --base tiny --adapter watercolor:0.7 --adapter disney:-0.3 --output merged-by-lorad.safetensors
run loractl merge --base models/base.safetensors --adapter models/watercolor:0.7 --adapter models/disney:-0.3 --output merged-offline.safetensors
run cmp merged-by-lorad.safetensors merged-offline.safetensors
say "cmp found no difference: the daemon's merge and the offline merge are byte for byte the same."
python3 "$TOOLS" changed models/base.safetensors merged-by-lorad.safetensors
python3 "$TOOLS" overlay sessions/mix/overlay.safetensors merged-by-lorad.safetensors
say "  (so the fused overlay a session maps is exactly what a permanent merge writes)"

step "8. Statistics"
run loractl status
say "connections: 1 is this status request itself. segments: the base, the factor sets and"
say "overlays built above, kept for reuse within the memory budget."

step "9. Bad requests get one clear line and an exit code"
run_expect 66 loractl session --base tiny --adapter nosuch --dump sessions/nosuch
run_expect 1 loractl import models/disney --name disney --base tiny

step "10. Stop lorad with SIGTERM"
say "A client stays connected so that the drain has someone to tell: scripts/demo_client.py,"
say "sending the golden HELLO frame of protocol/vectors/hello_request.hex byte for byte."
python3 "$CLIENT" watch lorad.sock "$REPO/protocol/vectors/hello_request.hex" >watcher.log 2>&1 &
WATCHER_PID=$!
deadline=$((SECONDS + 10))
until grep -q HELLO_REPLY watcher.log; do
    kill -0 "$WATCHER_PID" 2>/dev/null || { cat watcher.log; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { say "the watcher did not connect within 10 s"; exit 1; }
    sleep 0.1
done
cat watcher.log
log_lines=$(wc -l <lorad.log)
say "\$ kill -TERM $LORAD_PID"
stop_lorad
watcher_status=0
wait "$WATCHER_PID" || watcher_status=$?
tail -n +2 watcher.log
tail -n +$((log_lines + 1)) lorad.log | sed -n 's/^[^ ]* notice lorad: \[LoradDaemon\] /  lorad: /p' | shorten
say "lorad exited with status $LORAD_STATUS; its socket is gone: $([ -e lorad.sock ] && echo no || echo yes)"
if [ "$watcher_status" -ne 0 ] || [ "$LORAD_STATUS" -ne 0 ] || [ -e lorad.sock ]; then exit 1; fi

CURRENT="finishing"
echo
bold "demo done: every step succeeded; \$DEMO is removed now."
