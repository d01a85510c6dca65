#!/usr/bin/env python3
"""Checks a merged safetensors file (ACTUAL) against the numpy anchor's (EXPECTED):
same tensor names, dtypes and shapes, and every BF16 element within MAX_ULP units
in the last place (default 1).

The anchor accumulates in F32, so where W + B A nearly cancels it can be many ulps
from the exact value while a correctly rounded merge is not. Given --base and
--adapter, each element beyond MAX_ULP is recomputed exactly (float64) and accepted
when ACTUAL is within 0.5 ulp (+1e-6) of the exact value, i.e. ACTUAL is right and
the anchor is not. Prints a summary and exits 1 on any real disagreement.

Usage: compare.py EXPECTED ACTUAL [--max-ulp 1] [--base BASE --adapter ADAPTER [--weight 1.0]]
"""
import argparse
import os
import sys

import numpy as np

from safetensors_np import bf16_to_f32, load


def ordered(bits_u16):
    """BF16 bits to integers whose difference counts ulps across zero."""
    signed = bits_u16.astype(np.int32)
    return np.where(signed & 0x8000, 0x8000 - signed, signed)


def bf16_ulp(values):
    """The BF16 spacing at each float64 value (subnormal spacing below 2^-126)."""
    exponent = np.maximum(np.frexp(np.abs(values))[1] - 1, -126)
    return np.ldexp(1.0, exponent - 7)


def as_f64(entry):
    dtype, shape, raw = entry
    if dtype == "BF16":
        return bf16_to_f32(raw.view(np.uint16)).astype(np.float64).reshape(shape)
    return raw.view({"F16": np.float16, "F32": np.float32, "F64": np.float64}[dtype]).astype(np.float64).reshape(shape)


def exact_at(name, base_entry, lora, weight, indices):
    """float64 W + weight * scale * (B A) at the flat `indices` of tensor `name`."""
    module = "transformer." + name.removesuffix(".weight")
    a, b = as_f64(lora[f"{module}.lora_A.weight"]), as_f64(lora[f"{module}.lora_B.weight"])
    alpha_key = f"{module}.alpha"
    scale = float(as_f64(lora[alpha_key])) / a.shape[0] if alpha_key in lora else 1.0
    w = as_f64(base_entry).reshape(-1)[indices]
    rows, cols = np.divmod(indices, a.shape[1])
    return w + weight * scale * np.einsum("ik,ki->i", b[rows], a[:, cols])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--max-ulp", type=int, default=1)
    parser.add_argument("--base")
    parser.add_argument("--adapter")
    parser.add_argument("--weight", type=float, default=1.0)
    args = parser.parse_args()
    expected, _ = load(args.expected)
    actual, _ = load(args.actual)
    base = lora = None
    if args.base and args.adapter:
        base, _ = load(args.base)
        adapter = args.adapter
        if os.path.isdir(adapter):
            adapter = os.path.join(adapter, "pytorch_lora_weights.safetensors")
        lora, _ = load(adapter)
    if sorted(expected) != sorted(actual):
        print(f"tensor names differ: {sorted(set(expected) ^ set(actual))[:5]} ...")
        return 1
    differing = far = adjudicated = 0
    for name, (dtype, shape, raw) in expected.items():
        other = actual[name]
        if (dtype, shape) != tuple(other[:2]):
            print(f"{name}: {dtype} {shape} vs {other[0]} {other[1]}")
            return 1
        if dtype != "BF16":
            if not np.array_equal(raw, other[2]):
                print(f"{name}: bytes differ")
                return 1
            continue
        mine, theirs = other[2].view(np.uint16), raw.view(np.uint16)
        diff = np.abs(ordered(theirs) - ordered(mine))
        differing += int(np.count_nonzero(diff))
        beyond = np.flatnonzero(diff > args.max_ulp)
        if beyond.size == 0:
            continue
        far += beyond.size
        if base is None:
            print(f"{name}: {beyond.size} elements differ by more than {args.max_ulp} ulp "
                  "(pass --base and --adapter to check them against the exact value)")
            return 1
        exact = exact_at(name, base[name], lora, args.weight, beyond)
        got = bf16_to_f32(mine[beyond]).astype(np.float64)
        wrong = np.abs(got - exact) > (0.5 + 1e-6) * bf16_ulp(exact)
        if wrong.any():
            i = beyond[np.argmax(wrong)]
            print(f"{name}: element {i} is {bf16_to_f32(mine[i:i + 1])[0]!r}, "
                  f"anchor {bf16_to_f32(theirs[i:i + 1])[0]!r}, exact {exact[np.argmax(wrong)]!r}")
            return 1
        adjudicated += beyond.size
    print(f"{differing} elements differ from the anchor; {far} by more than {args.max_ulp} ulp, "
          f"{adjudicated} of which checked: correctly rounded where the anchor's F32 sum is not")
    return 0


if __name__ == "__main__":
    sys.exit(main())
