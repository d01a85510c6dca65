#!/usr/bin/env bash
# Merge benchmark: `loractl merge` against the numpy anchor on a CogVideoX-2B-shaped
# attention stack (120 x 1920x1920 BF16, rank-128 BF16 LoRA), file to file.
#
#   LORACTL=.build/release/loractl Benchmarks/merge/run.sh
#
# Environment:
#   LORACTL          the loractl binary to time (skipped with a note when unset)
#   MERGE_BENCH_DIR  where the generated inputs are cached (default $TMPDIR/lorad-merge-bench)
#   RUNS             timed runs of each side, best kept (default 1)
#   BLOCKS           transformer blocks to generate (default 30, i.e. 120 tensors)
#
# Both sides run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (this machine may
# set them for old OpenBLAS builds; they slow a current numpy), so the comparison is
# fair. Inputs are read once before every timed run so both start from a warm page
# cache. Outputs must agree within 1 BF16 ulp, except where the anchor's F32 sum
# is off and loractl's output is checked to be the correctly rounded exact value
# (compare.py).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BLOCKS="${BLOCKS:-30}"
DATA="${MERGE_BENCH_DIR:-${TMPDIR:-/tmp}/lorad-merge-bench}"
[[ "$BLOCKS" == 30 ]] || DATA="$DATA-$BLOCKS"
RUNS="${RUNS:-1}"
CLEAN_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

mkdir -p "$DATA"
if [[ ! -s "$DATA/base.safetensors" || ! -s "$DATA/adapter/pytorch_lora_weights.safetensors" ]]; then
    echo "generating inputs in $DATA (once)"
    python3 "$HERE/make_stack.py" "$DATA" --blocks "$BLOCKS"
fi

# Each timed run starts from a warm page cache and no dirty pages left by the previous
# run, so neither side pays for writing back the other's output.
warm() { sync; cat "$DATA/base.safetensors" "$DATA/adapter/pytorch_lora_weights.safetensors" > /dev/null; }

# best_of CMD...: runs CMD $RUNS times (warm cache, fresh output) and echoes the best wall seconds.
best_of() {
    local best="" start end elapsed
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$OUT"
        warm
        start=$EPOCHREALTIME
        "${CLEAN_ENV[@]}" "$@" > "$DATA/last.log" 2>&1 || { cat "$DATA/last.log" >&2; return 1; }
        end=$EPOCHREALTIME
        elapsed=$(python3 -c "print(f'{$end - $start:.3f}')")
        if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(not $elapsed < $best)"; then best=$elapsed; fi
    done
    echo "$best"
}

cd "$DATA"
OUT="$DATA/out_numpy.safetensors"
numpy_seconds=$(best_of python3 "$HERE/numpy_merge.py" --base base.safetensors --adapter adapter --output "$OUT")

lorad_seconds=""
if [[ -n "${LORACTL:-}" ]]; then
    OUT="$DATA/out_lorad.safetensors"
    lorad_seconds=$(best_of "$LORACTL" merge --base base.safetensors --adapter adapter --output "$OUT")
    python3 "$HERE/compare.py" "$DATA/out_numpy.safetensors" "$OUT" --base base.safetensors --adapter adapter
else
    echo "note: LORACTL is not set, so only the numpy anchor ran (LORACTL=path/to/loractl $0)"
fi

echo
echo "merge of $((BLOCKS * 4)) x 1920x1920 BF16 tensors, rank-128 BF16 LoRA, file to file; best of $RUNS"
echo "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for both; OpenBLAS kernels $("${CLEAN_ENV[@]}" python3 "$HERE/blas_info.py")"
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %10s %8s\n' "run" "seconds" "ratio"
printf '%-16s %10s %8s\n' "numpy anchor" "$numpy_seconds" "1.00"
if [[ -n "$lorad_seconds" ]]; then
    printf '%-16s %10s %8s\n' "loractl merge" "$lorad_seconds" \
        "$(python3 -c "print(f'{$lorad_seconds / $numpy_seconds:.2f}')")"
fi
