#!/usr/bin/env python3
"""Checks that two merged safetensors files agree: same tensor names, dtypes and
shapes, and every BF16 element within MAX_ULP units in the last place (default 1).
Prints the largest difference found and exits 1 on any disagreement.

Usage: compare.py EXPECTED ACTUAL [--max-ulp 1]
"""
import argparse
import sys

import numpy as np

from safetensors_np import load


def ordered(bits_u16):
    """BF16 bits to integers whose difference counts ulps across zero."""
    signed = bits_u16.astype(np.int32)
    return np.where(signed & 0x8000, 0x8000 - signed, signed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--max-ulp", type=int, default=1)
    args = parser.parse_args()
    expected, _ = load(args.expected)
    actual, _ = load(args.actual)
    if sorted(expected) != sorted(actual):
        print(f"tensor names differ: {sorted(set(expected) ^ set(actual))[:5]} ...")
        return 1
    worst, worst_name, differing = 0, None, 0
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
        diff = np.abs(ordered(raw.view(np.uint16)) - ordered(other[2].view(np.uint16)))
        differing += int(np.count_nonzero(diff))
        if diff.max(initial=0) > worst:
            worst, worst_name = int(diff.max()), name
    print(f"max difference {worst} ulp ({worst_name or 'none'}), {differing} elements differ")
    return 0 if worst <= args.max_ulp else 1


if __name__ == "__main__":
    sys.exit(main())
