#!/usr/bin/env python3
"""Inputs of the fault tests (Tests/Faults/run.sh), standard library only, seeded.

  adapters DIR --count N [--blocks 4] [--dim 1024] [--rank 64] [--seed 1]
      DIR/a1 ... DIR/aN, each a diffusers-layout adapter (pytorch_lora_weights.safetensors)
      for transformer_blocks.K.attn1.{to_q,to_k,to_v,to_out.0}: BF16 factors of random
      finite values (magnitudes 2^-7 to 2^-4, random mantissas: zstd barely shrinks them),
      blocks x 4 x 2 x rank x dim x 2 bytes each (4 MiB with the defaults), all different.

  base FILE --mib N [--seed 1]
      FILE: a base of 1024x1024 BF16 tensors named like the adapters' targets
      (transformer_blocks.K.attn1.to_q.weight ...), adding up to about N MiB: 32 MiB is
      what the adapters with the default sizes fit; more takes a moment to load.

  blobs STATE_DIR --count N [--bytes 65536] [--seed 1]
      N unreferenced blobs (random bytes, named by their SHA-256 as the store names
      blobs) and one leftover temp file in STATE_DIR's blob folders: work for `gc`.
"""
import argparse
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from make_tiny_model import write_safetensors  # noqa: E402

MODULES = ["to_q", "to_k", "to_v", "to_out.0"]
# The high byte of a BF16 value holds its sign and the top 7 exponent bits: keeping the
# sign and forcing those bits to 60 or 61 gives exponents 120 to 123, finite magnitudes
# 2^-7 to 2^-4, whatever random bytes came in.
HIGH_BYTE = bytes((b & 0x80) | (60 + (b & 1)) for b in range(256))


def bf16_random(rng, count):
    data = bytearray(rng.randbytes(2 * count))
    data[1::2] = bytes(data[1::2]).translate(HIGH_BYTE)
    return bytes(data)


def adapters(args):
    rng = random.Random(args.seed)
    for index in range(1, args.count + 1):
        tensors = []
        for block in range(args.blocks):
            for module in MODULES:
                stem = f"transformer.transformer_blocks.{block}.attn1.{module}"
                tensors.append((stem + ".lora_A.weight", "BF16", [args.rank, args.dim], bf16_random(rng, args.rank * args.dim)))
                tensors.append((stem + ".lora_B.weight", "BF16", [args.dim, args.rank], bf16_random(rng, args.dim * args.rank)))
        folder = os.path.join(args.dir, f"a{index}")
        os.makedirs(folder, exist_ok=True)
        write_safetensors(os.path.join(folder, "pytorch_lora_weights.safetensors"), tensors, {"format": "pt"})


def base(args):
    rng = random.Random(args.seed)
    dim = 1024
    count = max(1, (args.mib << 20) // (dim * dim * 2))
    tensors = [(f"transformer_blocks.{n // 4}.attn1.{MODULES[n % 4]}.weight", "BF16", [dim, dim], bf16_random(rng, dim * dim))
               for n in range(count)]
    write_safetensors(args.file, tensors, {"format": "pt"})


def blobs(args):
    rng = random.Random(args.seed)
    top = os.path.join(args.state, "blobs", "sha256")
    for _ in range(args.count):
        data = rng.randbytes(args.bytes)
        digest = hashlib.sha256(data).hexdigest()
        folder = os.path.join(top, digest[:2])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, digest + ".lorapack"), "wb") as f:
            f.write(data)
    folder = os.path.join(top, "00")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".tmp-%016x-leftover" % rng.getrandbits(64)), "wb") as f:
        f.write(rng.randbytes(4096))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("adapters")
    one.add_argument("dir")
    one.add_argument("--count", type=int, required=True)
    one.add_argument("--blocks", type=int, default=4)
    one.add_argument("--dim", type=int, default=1024)
    one.add_argument("--rank", type=int, default=64)
    one.add_argument("--seed", type=int, default=1)
    one = commands.add_parser("base")
    one.add_argument("file")
    one.add_argument("--mib", type=int, required=True)
    one.add_argument("--seed", type=int, default=1)
    one = commands.add_parser("blobs")
    one.add_argument("state")
    one.add_argument("--count", type=int, required=True)
    one.add_argument("--bytes", type=int, default=65536)
    one.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    {"adapters": adapters, "base": base, "blobs": blobs}[args.command](args)


if __name__ == "__main__":
    main()
