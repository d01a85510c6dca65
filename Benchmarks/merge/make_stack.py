#!/usr/bin/env python3
"""Generates the merge benchmark's inputs in DIR:

  base.safetensors: a CogVideoX-2B-shaped attention stack, 30 blocks x
    transformer_blocks.N.attn1.{to_q,to_k,to_v,to_out.0}.weight, 1920x1920 BF16,
    random normal * 0.02;
  adapter/pytorch_lora_weights.safetensors: a rank-128 BF16 LoRA in diffusers
    layout (transformer.<module>.lora_A.weight 128x1920, lora_B.weight 1920x128,
    no alpha, so scale 1), random normal * 0.02.

Usage: make_stack.py DIR [--blocks 30] [--dim 1920] [--rank 128] [--seed 0]
"""
import argparse
import os

import numpy as np

from safetensors_np import f32_to_bf16, save

MODULES = ["to_q", "to_k", "to_v", "to_out.0"]


def normal_bf16(rng, shape):
    return f32_to_bf16(rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir")
    parser.add_argument("--blocks", type=int, default=30)
    parser.add_argument("--dim", type=int, default=1920)
    parser.add_argument("--rank", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(os.path.join(args.dir, "adapter"), exist_ok=True)

    base, adapter = {}, {}
    for block in range(args.blocks):
        for module in MODULES:
            path = f"transformer_blocks.{block}.attn1.{module}"
            base[f"{path}.weight"] = ("BF16", [args.dim, args.dim], normal_bf16(rng, (args.dim, args.dim)))
            adapter[f"transformer.{path}.lora_A.weight"] = ("BF16", [args.rank, args.dim],
                                                            normal_bf16(rng, (args.rank, args.dim)))
            adapter[f"transformer.{path}.lora_B.weight"] = ("BF16", [args.dim, args.rank],
                                                            normal_bf16(rng, (args.dim, args.rank)))
    save(os.path.join(args.dir, "base.safetensors"), base, {"format": "pt"})
    save(os.path.join(args.dir, "adapter", "pytorch_lora_weights.safetensors"), adapter, {"format": "pt"})
    print(f"wrote {len(base)} base tensors and {len(adapter)} adapter tensors to {args.dir}")


if __name__ == "__main__":
    main()
