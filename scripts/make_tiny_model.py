#!/usr/bin/env python3
"""Writes a tiny CogVideoX-shaped base and LoRA adapters (standard library only).

Usage: make_tiny_model.py OUT_DIR [--blocks N] [--hidden H] [--rank R] [--seed S]

OUT_DIR/base.safetensors          transformer_blocks.N.attn1.{to_q,to_k,to_v,to_out.0}.weight (BF16)
                                  plus norms and biases, as diffusers names them
OUT_DIR/watercolor/               diffusers layout, rank R, alpha 2R in lora_adapter_metadata
OUT_DIR/disney/                   PEFT layout (adapter_config.json + adapter_model.safetensors), F32
OUT_DIR/sketch.safetensors        kohya layout with .alpha tensors
"""
import argparse
import json
import math
import os
import random
import struct


def bf16_bytes(values):
    out = bytearray()
    for v in values:
        bits = struct.unpack("<I", struct.pack("<f", v))[0]
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even
        out += struct.pack("<H", bits & 0xFFFF)
    return bytes(out)


def f32_bytes(values):
    return struct.pack("<%df" % len(values), *values)


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in sorted(tensors, key=lambda t: t[0]):
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, raw in sorted(tensors, key=lambda t: t[0]):
            f.write(raw)


def normal(rng, n, std):
    return [rng.gauss(0.0, std) for _ in range(n)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rng = random.Random(a.seed)
    h, r = a.hidden, a.rank
    os.makedirs(a.out, exist_ok=True)
    modules = [f"transformer_blocks.{b}.attn1.{m}" for b in range(a.blocks) for m in ("to_q", "to_k", "to_v", "to_out.0")]

    base = []
    for m in modules:
        base.append((m + ".weight", "BF16", [h, h], bf16_bytes(normal(rng, h * h, 1 / math.sqrt(h)))))
        base.append((m + ".bias", "BF16", [h], bf16_bytes(normal(rng, h, 0.01))))
    for b in range(a.blocks):
        base.append((f"transformer_blocks.{b}.norm1.linear.weight", "BF16", [6 * h, h], bf16_bytes(normal(rng, 6 * h * h, 0.02))))
    base.append(("norm_final.weight", "BF16", [h], bf16_bytes([1.0] * h)))
    config = {"num_layers": a.blocks, "attention_head_dim": h // 4, "num_attention_heads": 4}
    write_safetensors(os.path.join(a.out, "base.safetensors"), base,
                      {"model": "CogVideoXTransformer3DModel", "config": json.dumps(config)})

    def factors(dtype_bytes, dtype):
        out = {}
        for m in modules:
            out[m] = ((dtype, [r, h], dtype_bytes(normal(rng, r * h, 1 / math.sqrt(h)))),
                      (dtype, [h, r], dtype_bytes(normal(rng, h * r, 0.02))))
        return out

    os.makedirs(os.path.join(a.out, "watercolor"), exist_ok=True)
    wc = factors(bf16_bytes, "BF16")
    tensors = []
    for m, ((da, sa, ra), (db, sb, rb)) in wc.items():
        tensors.append((f"transformer.{m}.lora_A.weight", da, sa, ra))
        tensors.append((f"transformer.{m}.lora_B.weight", db, sb, rb))
    meta = json.dumps({"transformer.r": r, "transformer.lora_alpha": 2 * r,
                       "transformer.target_modules": ["to_q", "to_k", "to_v", "to_out.0"]})
    write_safetensors(os.path.join(a.out, "watercolor", "pytorch_lora_weights.safetensors"), tensors,
                      {"format": "pt", "lora_adapter_metadata": meta})

    os.makedirs(os.path.join(a.out, "disney"), exist_ok=True)
    dn = factors(f32_bytes, "F32")
    tensors = []
    for m, ((da, sa, ra), (db, sb, rb)) in dn.items():
        tensors.append((f"base_model.model.{m}.lora_A.weight", da, sa, ra))
        tensors.append((f"base_model.model.{m}.lora_B.weight", db, sb, rb))
    write_safetensors(os.path.join(a.out, "disney", "adapter_model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(a.out, "disney", "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "r": r, "lora_alpha": 4 * r, "use_rslora": False,
                   "target_modules": ["to_q", "to_k", "to_v", "to_out.0"], "rank_pattern": {},
                   "alpha_pattern": {"to_v": r}, "fan_in_fan_out": False}, f, indent=2)

    sk = factors(bf16_bytes, "BF16")
    tensors = []
    for m, ((da, sa, ra), (db, sb, rb)) in sk.items():
        stem = "lora_transformer_" + m.replace(".", "_")
        tensors.append((stem + ".lora_down.weight", da, sa, ra))
        tensors.append((stem + ".lora_up.weight", db, sb, rb))
        tensors.append((stem + ".alpha", "F32", [], f32_bytes([float(r)])))
    write_safetensors(os.path.join(a.out, "sketch.safetensors"), tensors, {"ss_network_dim": str(r), "ss_network_alpha": str(r)})


if __name__ == "__main__":
    main()
