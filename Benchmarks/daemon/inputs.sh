# Sourced by run.sh and compare.sh: generates, once, the inputs both use. Needs ROOT, HERE,
# MERGE_DATA, DATA and note() set by the caller. The 2B stack (120 x 1920x1920 BF16) and the
# first adapter are Benchmarks/merge's; the second rank-128 adapter is this folder's.
mkdir -p "$MERGE_DATA" "$DATA"
if [[ ! -s "$MERGE_DATA/base.safetensors" || ! -s "$MERGE_DATA/adapter/pytorch_lora_weights.safetensors" ]]; then
    note "generating the 2B stack in $MERGE_DATA (once)"
    python3 "$ROOT/Benchmarks/merge/make_stack.py" "$MERGE_DATA" --blocks 30 >&2
fi
if [[ ! -s "$DATA/adapter-b/pytorch_lora_weights.safetensors" ]]; then
    note "generating the second adapter in $DATA (once)"
    python3 "$HERE/make_inputs.py" adapter "$DATA/adapter-b" --seed 1 >&2
fi
