#!/bin/sh
# Regenerates the seed corpora in Fuzz/corpus/<target>/ from the repository's own inputs:
# protocol/vectors (hex to bytes), Tests/Fixtures, etc/lorad.toml.example and packs made by
# `loractl pack` of the fixtures. Usage: Fuzz/make-seeds.sh [LORACTL]
# (LORACTL defaults to .build/debug/loractl; build it with `swift build` first).
# The seeds are checked in; rerun this only when the inputs change, then commit the result.
set -eu
cd "$(dirname "$0")/.."
loractl=${1:-.build/debug/loractl}
corpus=Fuzz/corpus
rm -rf "$corpus/frames" "$corpus/safetensors" "$corpus/adapter" "$corpus/pack"
mkdir -p "$corpus/frames" "$corpus/safetensors" "$corpus/toml" "$corpus/adapter" "$corpus/pack"

# Frames: every golden vector, valid and invalid, as the bytes on the wire.
for hex in protocol/vectors/*.hex protocol/vectors/invalid/*.hex; do
    name=$(basename "$hex" .hex)
    case "$hex" in */invalid/*) name="invalid_$name" ;; esac
    grep -v '^#' "$hex" | tr -d ' \n' | xxd -r -p > "$corpus/frames/$name"
done

# Safetensors: the adapter files whole; the base's header only (its data is 300 KiB).
for model in Tests/Fixtures/cogvideox-tiny-*; do
    m=$(basename "$model" | sed 's/cogvideox-tiny-//')
    cp "$model/diffusers_plain/pytorch_lora_weights.safetensors" "$corpus/safetensors/${m}_diffusers_plain"
    cp "$model/diffusers_meta/pytorch_lora_weights.safetensors" "$corpus/safetensors/${m}_diffusers_meta"
    cp "$model/kohya_same_as_diffusers_meta.safetensors" "$corpus/safetensors/${m}_kohya"
    cp "$model/peft_rslora/adapter_model.safetensors" "$corpus/safetensors/${m}_peft"
    length=$(od -An -tu8 -N8 "$model/base.safetensors" | tr -d ' ')
    head -c $((8 + length)) "$model/base.safetensors" > "$corpus/safetensors/${m}_base_header"
done

# Adapter: a flags byte (bit 0: a UInt16 LE config length and the config follow), then
# the safetensors file; see Sources/FuzzAdapter/main.swift.
for model in Tests/Fixtures/cogvideox-tiny-*; do
    m=$(basename "$model" | sed 's/cogvideox-tiny-//')
    for layout in diffusers_plain diffusers_meta kohya; do
        { printf '\000'; cat "$corpus/safetensors/${m}_$layout"; } > "$corpus/adapter/${m}_$layout"
    done
    config="$model/peft_rslora/adapter_config.json"
    size=$(stat -c %s "$config")
    { printf '\001'; printf "\\$(printf %03o $((size % 256)))\\$(printf %03o $((size / 256)))"; cat "$config" "$corpus/safetensors/${m}_peft"; } \
        > "$corpus/adapter/${m}_peft_with_config"
done

# TOML: the example config (the hand-written seeds beside it are kept).
cp etc/lorad.toml.example "$corpus/toml/lorad.toml.example"

# Packs: every fixture adapter packed by loractl.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for model in Tests/Fixtures/cogvideox-tiny-*; do
    m=$(basename "$model" | sed 's/cogvideox-tiny-//')
    "$loractl" pack "$model/diffusers_plain" --output "$corpus/pack/${m}_diffusers_plain.lorapack" >/dev/null
    "$loractl" pack "$model/diffusers_meta" --output "$corpus/pack/${m}_diffusers_meta.lorapack" >/dev/null
    "$loractl" pack "$model/kohya_same_as_diffusers_meta.safetensors" --output "$corpus/pack/${m}_kohya.lorapack" >/dev/null
    "$loractl" pack "$model/peft_rslora" --output "$corpus/pack/${m}_peft.lorapack" --level 1 >/dev/null
done
