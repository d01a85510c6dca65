#!/usr/bin/env python3
"""The numpy anchor for `loractl merge`: the straightforward script a user would write.

Reads a base safetensors file and a diffusers-layout LoRA (file or directory with
pytorch_lora_weights.safetensors), computes W + weight * scale * B @ A for every
base tensor the adapter touches (BF16 -> F32 by shifting, F32 GEMM through numpy's
BLAS, one round-to-nearest-even back to BF16), and writes the whole base, touched
or not, as a new safetensors file. scale = alpha / rank, or 1 without alpha.
Prints the elapsed seconds (file to file).

Usage: numpy_merge.py --base BASE --adapter ADAPTER --output OUT [--weight 1.0]
"""
import argparse
import os
import time

import numpy as np

from safetensors_np import bf16_to_f32, f32_to_bf16, load, save


def as_f32(entry):
    """A (dtype, shape, raw bytes) tensor as a float32 array."""
    dtype, shape, raw = entry
    if dtype == "BF16":
        return bf16_to_f32(raw.view(np.uint16)).reshape(shape)
    return raw.view({"F16": np.float16, "F32": np.float32, "F64": np.float64}[dtype]).astype(np.float32).reshape(shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True)
    parser.add_argument("--adapter", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--weight", type=float, default=1.0)
    args = parser.parse_args()
    start = time.perf_counter()

    adapter_path = args.adapter
    if os.path.isdir(adapter_path):
        adapter_path = os.path.join(adapter_path, "pytorch_lora_weights.safetensors")
    base, metadata = load(args.base)
    lora, _ = load(adapter_path)

    merged = {}
    for name, (dtype, shape, raw) in base.items():
        module = "transformer." + name.removesuffix(".weight")
        a_key, b_key = f"{module}.lora_A.weight", f"{module}.lora_B.weight"
        if a_key not in lora or dtype != "BF16":
            merged[name] = (dtype, shape, raw)
            continue
        a, b = as_f32(lora[a_key]), as_f32(lora[b_key])
        rank = a.shape[0]
        alpha_key = f"{module}.alpha"
        scale = float(as_f32(lora[alpha_key])) / rank if alpha_key in lora else 1.0
        w = bf16_to_f32(raw.view(np.uint16)).reshape(shape)
        w += np.float32(args.weight * scale) * (b @ a)
        merged[name] = (dtype, shape, f32_to_bf16(w))
    save(args.output, merged, metadata)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
