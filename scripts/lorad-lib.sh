# Sourced by Benchmarks/soak/run.sh and Tests/Faults/run.sh: finds the binaries they run
# and waits for a lorad they started.
#
# lorad_binaries CONFIG PRODUCT...: sets BIN to $LORAD_BIN_DIR when it is set; otherwise
# builds each PRODUCT with `swift build -c CONFIG` in $ROOT and sets BIN to that build's
# folder. Returns 1, with a message, when a build fails or a product is not in BIN.
lorad_binaries() {
    local config=$1 product log
    shift
    if [[ -n "${LORAD_BIN_DIR:-}" ]]; then
        BIN="$(cd "$LORAD_BIN_DIR" && pwd)"
    else
        BIN="$ROOT/.build/$config"
        log="$(mktemp)"
        for product in "$@"; do   # one --product per call: swift build honours only the last
            printf 'building %s (%s)\n' "$product" "$config" >&2
            if ! (cd "$ROOT" && swift build -c "$config" --product "$product") > "$log" 2>&1; then
                cat "$log" >&2
                rm -f "$log"
                return 1
            fi
        done
        rm -f "$log"
    fi
    for product in "$@"; do
        [[ -x "$BIN/$product" ]] || { printf 'missing %s (set LORAD_BIN_DIR or let the script build)\n' "$BIN/$product" >&2; return 1; }
    done
}

# lorad_wait_ready LORACTL SOCKET PID [SECONDS]: waits until the lorad with process id PID
# answers on SOCKET and every configured base is ready (at most SECONDS, default 60).
# Returns 1, with the last state seen, when a base failed, lorad exited or time ran out.
lorad_wait_ready() {
    local loractl=$1 socket=$2 pid=$3 tries=$((${4:-60} * 10)) states=""
    while ((tries-- > 0)); do
        states=$("$loractl" bases --socket "$socket" --json 2> /dev/null \
            | python3 -c 'import json, sys; print(" ".join(sorted({b["state"] for b in json.load(sys.stdin)["bases"]})))' 2> /dev/null || true)
        [[ "$states" == ready ]] && return 0
        [[ "$states" == *failed* ]] && break
        kill -0 "$pid" 2> /dev/null || { states="exited"; break; }
        sleep 0.1
    done
    printf 'lorad (pid %s) is not ready: bases %s\n' "$pid" "${states:-not answering}" >&2
    return 1
}
