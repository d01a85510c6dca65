#!/usr/bin/env bash
# The Python client on a CogVideoX-2B-sized transformer (Benchmarks/python/README.md).
# Not a test: nothing asserts on time. Makes the data once (3.4 GB base + two 113 MiB
# adapters in $LORAD_PYTHON_BENCH_DATA, default ${TMPDIR:-/tmp}/lorad-python-bench),
# starts a private lorad from $LORAD_BIN_DIR (default .build/release) on a temporary
# socket serving that base, runs bench.py, and stops lorad. Arguments go to
# `bench.py run` (--repeat N, --phases bind,switch,device,diffusers, --json).
# The interpreter: $PYTHON, else the test venv of scripts/python-venv.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${LORAD_BIN_DIR:-$root/.build/release}
data=${LORAD_PYTHON_BENCH_DATA:-${TMPDIR:-/tmp}/lorad-python-bench}
if [ -z "${PYTHON:-}" ]; then
    PYTHON="$("$root/scripts/python-venv.sh")/bin/python"
fi
[ -x "$bin/lorad" ] || { echo "run.sh: no $bin/lorad: run 'make release', or set LORAD_BIN_DIR" >&2; exit 1; }
export HF_HUB_OFFLINE=1 PYTHONPATH="$root/clients/python/src${PYTHONPATH:+:$PYTHONPATH}"

"$PYTHON" "$here/bench.py" prepare --data "$data"

work=$(mktemp -d "${TMPDIR:-/tmp}/lorad-python-bench-run.XXXXXX")
pid=
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" && wait "$pid" || true
    fi
    rm -rf "$work"
}
trap stop EXIT
# Budget: the base (3.4 GB) plus a few 0.9 GB overlays and the factors.
"$bin/lorad" --state-dir "$work/state" --socket "$work/lorad.sock" \
    --base "cogvideox-2b=$data/base/diffusion_pytorch_model.safetensors" \
    --memory-budget 10GiB >"$work/lorad.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    [ -S "$work/lorad.sock" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/lorad.log" >&2; echo "run.sh: lorad exited" >&2; exit 1; }
    sleep 0.1
done
[ -S "$work/lorad.sock" ] || { echo "run.sh: lorad's socket did not appear" >&2; exit 1; }
echo "lorad: $bin/lorad ($(basename "$bin") build)"
"$PYTHON" "$here/bench.py" run --socket "$work/lorad.sock" --data "$data" --base-name cogvideox-2b "$@"
