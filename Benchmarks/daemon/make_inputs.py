#!/usr/bin/env python3
"""Generates the daemon benchmark's extra inputs (the 2B stack itself comes from
Benchmarks/merge/make_stack.py):

  adapter DIR [--seed 1] [--blocks 30] [--dim 1920] [--rank 128]
      DIR/pytorch_lora_weights.safetensors: a rank-128 BF16 LoRA in diffusers layout for
      the 2B attention stack, random normal * 0.02, like make_stack.py's but from its own
      seed (a second adapter to switch to).

  base FILE --mib N
      FILE: a base of 1920x1920 BF16 tensors (transformer_blocks.K.attn1.to_q ...) adding
      up to about N MiB; the values are one random block repeated (only the size matters
      to the attach benchmark). Written tensor by tensor, never the whole file in memory.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "merge"))
from safetensors_np import f32_to_bf16, save  # noqa: E402

MODULES = ["to_q", "to_k", "to_v", "to_out.0"]


def write_adapter(args):
    rng = np.random.default_rng(args.seed)
    adapter = {}
    for block in range(args.blocks):
        for module in MODULES:
            path = f"transformer.transformer_blocks.{block}.attn1.{module}"
            for part, shape in (("lora_A", (args.rank, args.dim)), ("lora_B", (args.dim, args.rank))):
                values = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)
                adapter[f"{path}.{part}.weight"] = ("BF16", list(shape), f32_to_bf16(values))
    os.makedirs(args.dir, exist_ok=True)
    save(os.path.join(args.dir, "pytorch_lora_weights.safetensors"), adapter, {"format": "pt"})
    print(f"wrote {len(adapter)} adapter tensors (seed {args.seed}) to {args.dir}")


def write_base(args):
    dim = 1920
    tensor_bytes = dim * dim * 2
    count = max(1, (args.mib << 20) // tensor_bytes)
    names = sorted(f"transformer_blocks.{n // 4}.attn1.{MODULES[n % 4]}.weight" for n in range(count))
    header = {}
    for index, name in enumerate(names):
        header[name] = {"dtype": "BF16", "shape": [dim, dim],
                        "data_offsets": [index * tensor_bytes, (index + 1) * tensor_bytes]}
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    block = f32_to_bf16(np.random.default_rng(0).standard_normal((dim, dim), dtype=np.float32) * np.float32(0.02))
    temporary = args.file + ".part"
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for index in range(count):
            f.write(np.roll(block, index).tobytes())
    os.replace(temporary, args.file)
    print(f"wrote {count} tensors, {count * tensor_bytes / 2**20:.0f} MiB, to {args.file}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    adapter = commands.add_parser("adapter")
    adapter.add_argument("dir")
    adapter.add_argument("--seed", type=int, default=1)
    adapter.add_argument("--blocks", type=int, default=30)
    adapter.add_argument("--dim", type=int, default=1920)
    adapter.add_argument("--rank", type=int, default=128)
    base = commands.add_parser("base")
    base.add_argument("file")
    base.add_argument("--mib", type=int, required=True)
    args = parser.parse_args()
    write_adapter(args) if args.command == "adapter" else write_base(args)


if __name__ == "__main__":
    main()
