#!/usr/bin/env python3
"""Write realistic bf16 LoRA factors as a safetensors file (and optionally raw bytes).

The factors imitate a trained CogVideoX LoRA: for each module, lora_A is
(rank x in) ~ N(0, 1/sqrt(in)) (kaiming-like) and lora_B is (out x rank) ~ N(0, 0.01),
each row multiplied by a log-normal scale (sigma 0.3) so rows differ in magnitude the
way trained factors do. Values are rounded to bf16 with round-to-nearest-even.

    python3 Benchmarks/pack/make_factors.py out.safetensors [--modules 8] [--dim 1920]
        [--rank 128] [--seed 0] [--raw out.bin]

--raw also writes the concatenated tensor bytes (no header), for `zstd -b3 out.bin`.
Only numpy is needed.
"""
import argparse
import json
import struct

import numpy as np


def to_bf16_bytes(x: np.ndarray) -> bytes:
    """Round float32 values to bf16 (nearest, ties to even) and return little-endian bytes."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)
    return rounded.astype("<u2").tobytes()


def factors(modules: int, dim: int, rank: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for m in range(modules):
        prefix = f"transformer.transformer_blocks.{m // 4}.attn1.{['to_q', 'to_k', 'to_v', 'to_out.0'][m % 4]}"
        a = rng.normal(0.0, 1.0 / np.sqrt(dim), size=(rank, dim)).astype(np.float32)
        a *= rng.lognormal(0.0, 0.3, size=(rank, 1)).astype(np.float32)
        b = rng.normal(0.0, 0.01, size=(dim, rank)).astype(np.float32)
        b *= rng.lognormal(0.0, 0.3, size=(dim, 1)).astype(np.float32)
        out.append((f"{prefix}.lora_A.weight", [rank, dim], to_bf16_bytes(a)))
        out.append((f"{prefix}.lora_B.weight", [dim, rank], to_bf16_bytes(b)))
    return out


def write_safetensors(path: str, tensors) -> None:
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, data in tensors:
        header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for _, _, data in tensors:
            f.write(data)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("--modules", type=int, default=8)
    p.add_argument("--dim", type=int, default=1920)
    p.add_argument("--rank", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--raw", help="also write the concatenated raw tensor bytes here")
    args = p.parse_args()
    tensors = factors(args.modules, args.dim, args.rank, args.seed)
    write_safetensors(args.output, tensors)
    if args.raw:
        with open(args.raw, "wb") as f:
            for _, _, data in tensors:
                f.write(data)
    total = sum(len(d) for _, _, d in tensors)
    print(f"wrote {len(tensors)} bf16 tensors, {total} bytes of factors, to {args.output}")


if __name__ == "__main__":
    main()
