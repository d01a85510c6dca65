#!/usr/bin/env bash
# make demo: builds loractl and shows it at work on a generated tiny
# CogVideoX-shaped model, in a throwaway folder that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product loractl >&2
LORACTL="$(swift build --show-bin-path)/loractl"
WORK="$(mktemp -d /tmp/lorad-demo.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" | sed "s|$LORACTL|loractl|g; s|$WORK|\$DEMO|g" >&2; "$@"; }

step "A tiny CogVideoX-shaped base (2 blocks, hidden 64) and three adapters in three layouts"
python3 scripts/make_tiny_model.py "$WORK"
ls -l "$WORK" | sed "s|$WORK|\$DEMO|g"

step "inspect: a diffusers adapter with alpha in its lora_adapter_metadata"
run "$LORACTL" inspect "$WORK/watercolor"

step "inspect: a PEFT folder (alpha_pattern gives to_v its own alpha), as JSON"
run "$LORACTL" inspect "$WORK/disney" --json | python3 -m json.tool | head -25

step "inspect: a kohya file, checked against the base so its module names are exact"
run "$LORACTL" inspect "$WORK/sketch.safetensors" --base "$WORK/base.safetensors" | head -12

step "pack and unpack: zstd over byte planes, lossless"
run "$LORACTL" pack "$WORK/watercolor" --output "$WORK/watercolor.lorapack"
run "$LORACTL" unpack "$WORK/watercolor.lorapack" --output "$WORK/watercolor-unpacked.safetensors"
if cmp -s <(python3 - "$WORK" <<'PY'
import json, struct, sys
def tensors(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])
    return {k: b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]] for k, v in h.items() if k != '__metadata__'}
a = tensors(sys.argv[1] + '/watercolor/pytorch_lora_weights.safetensors')
b = tensors(sys.argv[1] + '/watercolor-unpacked.safetensors')
print('same names and bytes' if a == b else 'DIFFERENT')
PY
) <(echo "same names and bytes"); then echo "unpacked file: same tensor names and bit-identical bytes as the original"; else echo "unpacked file differs!"; exit 1; fi

step "merge: the base with watercolor at 0.8 and disney at -0.3, fused exactly (fp32 accumulate, one rounding)"
run "$LORACTL" merge --base "$WORK/base.safetensors" --adapter "$WORK/watercolor:0.8" --adapter "$WORK/disney:-0.3" --output "$WORK/merged.safetensors"
python3 - "$WORK" <<'PY'
import json, struct, sys
def load(p):
    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; return json.loads(b[8:8 + n]), b, 8 + n
h1, b1, s1 = load(sys.argv[1] + '/base.safetensors')
h2, b2, s2 = load(sys.argv[1] + '/merged.safetensors')
names = [k for k in h1 if k != '__metadata__']
changed = [k for k in names if b1[s1 + h1[k]['data_offsets'][0]:s1 + h1[k]['data_offsets'][1]] != b2[s2 + h2[k]['data_offsets'][0]:s2 + h2[k]['data_offsets'][1]]]
print(f"merged.safetensors: {len(names)} tensors, dtypes kept, metadata kept: {h1['__metadata__'] == h2['__metadata__']}")
print(f"{len(changed)} weights changed by the adapters, e.g. {sorted(changed)[0]}; the other {len(names) - len(changed)} are byte-identical")
PY

step "bad input gets one clear line and a sysexits code"
set +e
"$LORACTL" inspect "$WORK/nope"; echo "exit code $?"
printf 'not a safetensors file' > "$WORK/bad.safetensors"
"$LORACTL" inspect "$WORK/bad.safetensors"; echo "exit code $?"
set -e
echo
echo "demo done; $WORK removed."
