#!/usr/bin/env bash
# Fault tests against a real lorad (see README.md beside this file):
#
#   1. SIGKILL at random instants during import, remove, gc and reload (50 trials in all,
#      interleaved in a seeded order). After each: lorad restarts, `loractl verify` finds no
#      damage (only leftovers that `loractl gc` removes, and none after it), every adapter is
#      whole or absent (the one being imported, all versions of the one being removed), every
#      export is byte-identical to its reference, the bases are those of the config on disk,
#      and a session still gets the reference overlay.
#   2. A corrupted pack (bytes flipped in one blob under the state dir): a clear `corrupt`
#      error for that adapter, the others served, `verify` names it alone.
#   3. A full file system (the state dir on an 8 MiB tmpfs): imports fail with a clear error
#      and leave nothing behind, lorad goes on serving, and imports work again once space is
#      freed. Skipped, with a line saying so, where mount is not permitted.
#
#   Tests/Faults/run.sh                                      # builds the debug binaries first
#   LORAD_BIN_DIR=.build/debug Tests/Faults/run.sh           # what `make faults` runs
#
# Environment (defaults in brackets):
#   LORAD_BIN_DIR   folder with lorad and loractl [build them in .build/debug]
#   FAULTS_TRIALS   SIGKILL trials, shared out among the four operations [50]
#   FAULTS_SEED     seed of the trial order and the kill instants [drawn, and printed]
#   KEEP=1          keep the run's folder (logs, state) and print its path
#
# Needs root for the tmpfs (else that part is skipped) and python3 (standard library only).
# Exits 1 when a check fails. Prints PASS/FAIL lines and the figures (trials, outcomes,
# kill instants, time) at the end.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRIALS="${FAULTS_TRIALS:-50}"
SEED="${FAULTS_SEED:-$(((RANDOM << 15) | RANDOM))}"
RANDOM=$SEED
START_TIME=$EPOCHREALTIME

source "$ROOT/scripts/lorad-lib.sh"
lorad_binaries debug lorad loractl
LORAD="$BIN/lorad" LORACTL="$BIN/loractl"

RUN="$(mktemp -d /tmp/lorad-faults.XXXXXX)"   # short: socket paths must fit 107 bytes
STATE="$RUN/state" SOCK="$RUN/lorad.sock" CONF="$RUN/lorad.toml" REF="$RUN/ref"
LORAD_PID="" FULL_MOUNTED=""
cleanup() {
    if [[ -n "$LORAD_PID" ]]; then kill -KILL "$LORAD_PID" 2> /dev/null || true; wait "$LORAD_PID" 2> /dev/null || true; fi
    [[ -n "$FULL_MOUNTED" ]] && umount "$RUN/full" 2> /dev/null || true
    if [[ "${KEEP:-}" == 1 ]]; then echo "kept $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILURES=0
RESULTS=()
note() { printf '%s\n' "$*" >&2; }
pass() { RESULTS+=("PASS $*"); note "PASS $*"; }
fail() { RESULTS+=("FAIL $*"); note "FAIL $*"; FAILURES=$((FAILURES + 1)); }
ctl() { "$LORACTL" --socket "$SOCK" "$@"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
json() { python3 -c "import json, sys; v = json.load(sys.stdin); print($1)"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- lorad ---------------------------------------------------------------------------------
# write_config [extra]: the config, with the 64 MiB base `extra` when asked.
write_config() {
    cat > "$CONF" << EOF
state_dir = "$STATE"
socket = "$SOCK"
memory_budget = "256MiB"

[bases]
tiny = "$RUN/model/base.safetensors"
big = "$RUN/big.safetensors"
$([[ "${1:-}" == extra ]] && echo "extra = \"$RUN/extra.safetensors\"" || true)
EOF
}
config_bases() { grep -E '^(tiny|big|extra) = ' "$CONF" | cut -d' ' -f1 | sort | tr '\n' ' ' | sed 's/ $//'; }
start_lorad() {
    "$LORAD" --config "$CONF" >> "$RUN/lorad.log" 2>&1 &
    LORAD_PID=$!
    lorad_wait_ready "$LORACTL" "$SOCK" "$LORAD_PID" 120
}
kill_lorad() {
    kill -KILL "$LORAD_PID" 2> /dev/null || true
    wait "$LORAD_PID" 2> /dev/null || true
    LORAD_PID=""
}
stop_lorad() {   # SIGTERM: lorad must drain and exit 0
    local status=0
    kill -TERM "$LORAD_PID"
    wait "$LORAD_PID" || status=$?
    LORAD_PID=""
    return "$status"
}

# --- inputs and references ---------------------------------------------------------------------
note "seed $SEED; generating inputs in $RUN"
python3 "$ROOT/scripts/make_tiny_model.py" "$RUN/model" > /dev/null
python3 "$HERE/make_inputs.py" adapters "$RUN/big" --count 4 --seed "$SEED"   # a1: victim; a2-a4: doomed@1-3
python3 "$HERE/make_inputs.py" base "$RUN/big.safetensors" --mib 32 --seed "$SEED"     # what the 4 MiB adapters fit
python3 "$HERE/make_inputs.py" base "$RUN/extra.safetensors" --mib 64 --seed "$SEED"
mkdir -p "$REF"
write_config
start_lorad
STABLE="watercolor disney sketch"
ctl import "$RUN/model/watercolor" --name watercolor --base tiny > /dev/null
ctl import "$RUN/model/disney" --name disney --base tiny > /dev/null
ctl import "$RUN/model/sketch.safetensors" --name sketch --base tiny > /dev/null
for name in $STABLE; do ctl export "$name" --output "$REF/$name.safetensors" > /dev/null; done
import_doomed() {
    ctl import "$RUN/big/a2" --name doomed --base big > /dev/null
    ctl import "$RUN/big/a3" --name doomed --base big --new-version > /dev/null
    ctl import "$RUN/big/a4" --name doomed --base big --new-version > /dev/null
}
import_doomed
for version in 1 2 3; do ctl export "doomed@$version" --output "$REF/doomed@$version.safetensors" > /dev/null; done
ctl import "$RUN/big/a1" --name victim --base big > /dev/null
ctl export victim --output "$REF/victim.safetensors" > /dev/null
ctl remove victim > /dev/null
SESSION=(session --base tiny --adapter watercolor:0.7 --adapter disney)
ctl "${SESSION[@]}" --dump "$REF/session" > /dev/null
ctl session --base tiny --adapter disney --dump "$REF/disney-session" > /dev/null

# --- calibration: how long each operation takes when nothing kills lorad -------------------------
orphans() { python3 "$HERE/make_inputs.py" blobs "$STATE" --count 400 --bytes 16384 --seed "$RANDOM"; }
declare -A DURATION
timed() { local t0; t0=$(now_ms); "$@" > /dev/null; echo $(($(now_ms) - t0)); }
calibrate() {
    local samples="" kind=$1
    for _ in 1 2 3; do
        case $kind in
            import) samples+=" $(timed ctl import "$RUN/big/a1" --name victim --base big)"; ctl remove victim > /dev/null ;;
            remove) samples+=" $(timed ctl remove doomed)"; import_doomed ;;
            gc) orphans; samples+=" $(timed ctl gc)" ;;
            reload) samples+=" $(timed reload_and_wait)" ;;
        esac
    done
    DURATION[$kind]=$(echo "$samples" | median)
}
# reload_and_wait: toggles `extra` in the config, sends SIGHUP, waits until lorad lists the
# bases of the new config, all ready.
reload_and_wait() {
    if [[ "$(config_bases)" == *extra* ]]; then write_config; else write_config extra; fi
    kill -HUP "$LORAD_PID"
    local want listed
    want=$(config_bases)
    for _ in $(seq 1 600); do
        listed=$(ctl bases --json | json '" ".join(sorted(b["name"] for b in v["bases"] if b["state"] == "ready"))' 2> /dev/null || true)
        [[ "$listed" == "$want" ]] && return 0
        sleep 0.01
    done
    note "reload did not bring bases '$want' (ready: '$listed')"
    return 1
}
for kind in import remove gc reload; do calibrate "$kind"; done
note "calibration (median of 3, ms): import ${DURATION[import]}, remove ${DURATION[remove]}, gc ${DURATION[gc]}, reload ${DURATION[reload]}"

# --- the checks after each crash ----------------------------------------------------------------
# check_store CONTEXT: everything the header promises; sets VICTIM, DOOMED and LEFTOVERS.
check_store() {
    local context=$1 out status problems damage name version present=0 absent=0 listed
    out=$(ctl verify --json) && status=0 || status=$?
    problems=$(json 'v["problem_count"]' <<< "$out")
    damage=$(json 'sum(1 for p in v["problems"] if "`loractl gc` removes it" not in p["message"])' <<< "$out")
    LEFTOVERS=$((problems - damage))
    if ((damage != 0 || (status != 0 && problems == 0))); then
        fail "$context: verify found damage (exit $status): $out"
        return
    fi
    for name in $STABLE; do
        if ! ctl export "$name" --output "$RUN/out.safetensors" > /dev/null || ! cmp -s "$RUN/out.safetensors" "$REF/$name.safetensors"; then
            fail "$context: the export of $name differs from its reference"
        fi
    done
    VICTIM=absent
    if ctl show victim > /dev/null 2>&1; then
        VICTIM=present
        ctl export victim --output "$RUN/out.safetensors" > /dev/null && cmp -s "$RUN/out.safetensors" "$REF/victim.safetensors" \
            || fail "$context: victim is listed but its export differs from the reference (a half import)"
    fi
    for version in 1 2 3; do
        if ctl show "doomed@$version" > /dev/null 2>&1; then
            present=$((present + 1))
            ctl export "doomed@$version" --output "$RUN/out.safetensors" > /dev/null && cmp -s "$RUN/out.safetensors" "$REF/doomed@$version.safetensors" \
                || fail "$context: doomed@$version's export differs from its reference"
        else
            absent=$((absent + 1))
        fi
    done
    case "$present" in
        3) DOOMED=present ;;
        0) DOOMED=absent ;;
        *) DOOMED=half; fail "$context: $present of doomed's 3 versions survived (a half remove)" ;;
    esac
    listed=$(ctl bases --json | json '" ".join(sorted(b["name"] + ":" + b["state"] for b in v["bases"]))')
    [[ "$listed" == "$(config_bases | awk '{ for (i = 1; i <= NF; i++) printf "%s%s:ready", (i > 1 ? " " : ""), $i }')" ]] \
        || fail "$context: bases '$listed', the config on disk has '$(config_bases)'"
    rm -rf "$RUN/dump"
    if ! ctl "${SESSION[@]}" --dump "$RUN/dump" > /dev/null || ! cmp -s "$RUN/dump/overlay.safetensors" "$REF/session/overlay.safetensors"; then
        fail "$context: a session on watercolor:0.7 + disney did not get the reference overlay"
    fi
    ctl gc > /dev/null || fail "$context: gc failed"
    out=$(ctl verify --json) && status=0 || status=$?
    [[ $status == 0 ]] || fail "$context: verify after gc is not clean: $out"
}

# --- 1. SIGKILL trials -----------------------------------------------------------------------
KINDS=()
for ((i = 0; i < TRIALS; i++)); do KINDS+=("$(echo import remove gc reload | cut -d' ' -f$((i % 4 + 1)))"); done
for ((i = ${#KINDS[@]} - 1; i > 0; i--)); do   # Fisher-Yates with the seeded RANDOM
    j=$((RANDOM % (i + 1)))
    swap=${KINDS[i]} KINDS[i]=${KINDS[j]} KINDS[j]=$swap
done
declare -A OUTCOMES DELAYS
TRIAL_START=$EPOCHREALTIME
for ((trial = 1; trial <= ${#KINDS[@]}; trial++)); do
    kind=${KINDS[trial - 1]}
    window=$((DURATION[$kind] + DURATION[$kind] / 5 + 1))
    delay=$((RANDOM * 32768 + RANDOM))
    delay=$((delay % window))
    op=""
    case $kind in
        import) ctl import "$RUN/big/a1" --name victim --base big > /dev/null 2>&1 & op=$! ;;
        remove) ctl remove doomed > /dev/null 2>&1 & op=$! ;;
        gc) orphans; ctl gc > /dev/null 2>&1 & op=$! ;;
        reload) if [[ "$(config_bases)" == *extra* ]]; then write_config; else write_config extra; fi
                kill -HUP "$LORAD_PID" ;;
    esac
    sleep "$(awk "BEGIN { printf \"%.3f\", $delay / 1000 }")"
    kill_lorad
    [[ -n "$op" ]] && { wait "$op" 2> /dev/null || true; }
    context="trial $trial ($kind, SIGKILL after $delay of ~${DURATION[$kind]} ms)"
    if ! start_lorad; then
        fail "$context: lorad did not start again"; tail -n 20 "$RUN/lorad.log" >&2; break
    fi
    check_store "$context"
    case $kind in
        import) outcome="victim $VICTIM" ;;
        remove) outcome="doomed $DOOMED" ;;
        gc | reload) outcome="adapters unchanged" ;;
    esac
    ((LEFTOVERS > 0)) && outcome+=", leftovers for gc"
    OUTCOMES["$kind: $outcome"]=$((${OUTCOMES["$kind: $outcome"]:-0} + 1))
    DELAYS[$kind]+=" $delay"
    note "$context: $outcome ($LEFTOVERS leftovers)"
    [[ "$VICTIM" == present ]] && ctl remove victim > /dev/null
    [[ "$DOOMED" == absent ]] && import_doomed
done
TRIAL_SECONDS=$(awk "BEGIN { printf \"%.0f\", $EPOCHREALTIME - $TRIAL_START }")
((FAILURES == 0)) && pass "${#KINDS[@]} SIGKILL trials: verify clean after gc, every adapter whole or absent, exports byte-identical, sessions served"

# --- 2. a corrupted pack -------------------------------------------------------------------
blob_of() { local digest; digest=$(ctl show "$1" --json | json 'v["digest"]'); echo "$STATE/blobs/sha256/${digest:0:2}/$digest.lorapack"; }
flip() { python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); m = len(d) // 2; d[m:m + 16] = bytes(b ^ 0xFF for b in d[m:m + 16]); open(p, "wb").write(d)' "$1"; }
stop_lorad || fail "lorad did not exit 0 on SIGTERM before the corruption test"
start_lorad
flip "$(blob_of watercolor)"
rm -rf "$RUN/dump"
if err=$(ctl session --base tiny --adapter watercolor --dump "$RUN/dump" 2>&1 > /dev/null); then
    fail "corrupt pack: a session on watercolor succeeded"
elif [[ "$err" == *corrupt* && "$err" == *watercolor* ]]; then
    pass "corrupt pack: a session on it fails clearly: $err"
else
    fail "corrupt pack: the session's error does not say corrupt and name the adapter: $err"
fi
if err=$(ctl export watercolor --output "$RUN/out.safetensors" 2>&1 > /dev/null); then
    fail "corrupt pack: its export succeeded"
else
    pass "corrupt pack: its export fails: $err"
fi
served=0
for mode in fused factors; do
    rm -rf "$RUN/dump"
    ctl session --base tiny --mode "$mode" --adapter disney --adapter sketch:0.5 --dump "$RUN/dump" > /dev/null && served=$((served + 1))
done
ctl export disney --output "$RUN/out.safetensors" > /dev/null && cmp -s "$RUN/out.safetensors" "$REF/disney.safetensors" && served=$((served + 1))
((served == 3)) && pass "corrupt pack: the other adapters are served (fused and factors sessions, export identical)" \
    || fail "corrupt pack: the other adapters are not all served ($served of 3 checks)"
out=$(ctl verify --json) && status=0 || status=$?
subjects=$(json '" ".join(sorted({p["subject"] for p in v["problems"]}))' <<< "$out")
[[ $status == 65 && "$subjects" == "watercolor@1" ]] && pass "corrupt pack: verify exits 65 and names watercolor@1 alone: $(json 'v["problems"][0]["message"]' <<< "$out")" \
    || fail "corrupt pack: verify (exit $status) names '$subjects': $out"
# A pack corrupted after lorad decoded it (the sessions above used disney): a session gets
# the same bytes as before or `corrupt`, never other weights.
flip "$(blob_of disney)"
rm -rf "$RUN/dump"
if ctl session --base tiny --adapter disney --dump "$RUN/dump" > /dev/null 2> "$RUN/err"; then
    cmp -s "$RUN/dump/overlay.safetensors" "$REF/disney-session/overlay.safetensors" \
        && pass "corrupt pack after use: lorad serves what it had decoded before, byte-identical to the reference" \
        || fail "corrupt pack after use: the overlay differs from the reference"
else
    grep -q corrupt "$RUN/err" && pass "corrupt pack after use: the session fails clearly: $(cat "$RUN/err")" \
        || fail "corrupt pack after use: unclear error: $(cat "$RUN/err")"
fi
for name in watercolor disney; do ctl remove "$name" --force > /dev/null; done
ctl gc > /dev/null
ctl import "$RUN/model/watercolor" --name watercolor --base tiny > /dev/null
ctl import "$RUN/model/disney" --name disney --base tiny > /dev/null
restored=1
for name in $STABLE; do ctl export "$name" --output "$RUN/out.safetensors" > /dev/null && cmp -s "$RUN/out.safetensors" "$REF/$name.safetensors" || restored=0; done
ctl verify > /dev/null && ((restored)) && pass "corrupt pack: remove, gc and import again restore the store (verify clean, exports identical)" \
    || fail "corrupt pack: the store is not restored after remove, gc and import"
stop_lorad || fail "lorad did not exit 0 on SIGTERM after the corruption test"

# --- 3. a full file system ---------------------------------------------------------------------
FULL_NOTE=""
mkdir -p "$RUN/full"
if ! mount_error=$(mount -t tmpfs -o size=8m tmpfs "$RUN/full" 2>&1); then
    FULL_NOTE="SKIP full file system: mount -t tmpfs is not permitted here ($mount_error); run as root to include it"
    RESULTS+=("$FULL_NOTE")
    note "$FULL_NOTE"
else
    FULL_MOUNTED=1
    STATE="$RUN/full/state" SOCK="$RUN/full.sock"
    write_config
    start_lorad
    ctl import "$RUN/model/watercolor" --name watercolor --base tiny > /dev/null
    python3 "$HERE/make_inputs.py" adapters "$RUN/fill" --count 8 --rank 48 --seed "$SEED"   # 3 MiB each, for base big
    imported=0 refused="" failed_at=0
    for i in 1 2 3 4 5 6 7 8; do
        if err=$(ctl import "$RUN/fill/a$i" --name "fill$i" --base big 2>&1 > /dev/null); then
            imported=$((imported + 1))
        else
            status=$?
            refused="$err (exit $status)"
            failed_at=$i
            break
        fi
    done
    if [[ -z "$refused" ]]; then
        fail "full file system: 8 imports of 3 MiB all fit an 8 MiB tmpfs"
    else
        if [[ "$refused" == *ENOSPC* || "$refused" == *space* ]]; then
            pass "full file system: import $failed_at fails clearly after $imported: $refused"
        else
            fail "full file system: import $failed_at fails without saying the disk is full: $refused"
        fi
        out=$(ctl verify --json) && status=0 || status=$?
        leftovers=$(find "$STATE/blobs" -name '.tmp-*' | wc -l)
        [[ $status == 0 && $leftovers == 0 ]] && pass "full file system: the failed import left no trace (verify clean, no temp file)" \
            || fail "full file system: after the failed import verify exits $status ($out), $leftovers temp files"
        listed=$(ctl list --json | json '" ".join(a["name"] for a in v["adapters"])')
        expected="$(for ((k = 1; k <= imported; k++)); do printf 'fill%d ' "$k"; done)watercolor"
        [[ "$listed" == "$expected" ]] && pass "full file system: the catalog lists exactly the imports that succeeded ($listed)" \
            || fail "full file system: the catalog lists '$listed', expected '$expected'"
        rm -rf "$RUN/dump"
        ctl session --base tiny --adapter watercolor --dump "$RUN/dump" > /dev/null && ctl status > /dev/null \
            && cmp -s "$RUN/dump/base.safetensors" "$REF/session/base.safetensors" \
            && pass "full file system: lorad goes on serving (a session on watercolor, status)" \
            || fail "full file system: lorad does not serve a session once the disk is full"
        ctl import "$RUN/fill/a$failed_at" --name "fill$failed_at" --base big > /dev/null 2>&1 \
            && fail "full file system: a second try of the same import succeeded on a full disk" \
            || pass "full file system: a second try fails the same way"
        for ((k = 1; k <= imported && k <= 2; k++)); do ctl remove "fill$k" > /dev/null; done
        ctl gc > /dev/null
        if ctl import "$RUN/fill/a$failed_at" --name "fill$failed_at" --base big > /dev/null && ctl verify > /dev/null; then
            pass "full file system: with space freed (remove, gc) the import succeeds and verify is clean"
        else
            fail "full file system: the import still fails after space was freed"
        fi
    fi
    stop_lorad && pass "full file system: lorad exits 0 on SIGTERM" || fail "full file system: lorad's exit status on SIGTERM is not 0"
    umount "$RUN/full" && FULL_MOUNTED=""
fi

# --- report -------------------------------------------------------------------------------------
echo
echo "lorad fault tests, $(date -u +%Y-%m-%dT%H:%MZ); seed $SEED; $(nproc) cores; binaries from $BIN"
echo "SIGKILL trials: ${#KINDS[@]} in $TRIAL_SECONDS s (each: the operation, a kill at a random instant, restart, checks)"
echo "operation durations without a kill (median of 3, ms, loractl's whole run): import ${DURATION[import]} (a 4 MiB adapter), remove ${DURATION[remove]} (3 versions of 4 MiB), gc ${DURATION[gc]} (400 unreferenced blobs and a temp file), reload ${DURATION[reload]} (SIGHUP adding or dropping a 64 MiB base)"
for kind in import remove gc reload; do
    delays=$(echo "${DELAYS[$kind]:-}" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
    echo "  $kind: kills at $(echo "$delays" | wc -w) instants (ms): $delays"
done
echo "outcomes:"
for key in "${!OUTCOMES[@]}"; do echo "  $key: ${OUTCOMES[$key]}"; done | sort
echo
printf '%s\n' "${RESULTS[@]}"
echo "total time $(awk "BEGIN { printf \"%.0f\", $EPOCHREALTIME - $START_TIME }") s"
if ((FAILURES > 0)); then
    echo "faults: FAIL ($FAILURES failed checks); lorad's log: last 30 lines"
    tail -n 30 "$RUN/lorad.log"
    exit 1
fi
echo "faults: PASS"
