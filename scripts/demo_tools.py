#!/usr/bin/env python3
"""Small checks and summaries for scripts/demo.sh (standard library only).

demo_tools.py session DIR              one-paragraph summary of DIR/session.json
demo_tools.py same-tensors A B         exit 0 when A and B hold the same tensor names and bytes
demo_tools.py changed BASE MERGED      how many tensors of MERGED differ from BASE
demo_tools.py overlay OVERLAY MERGED   exit 0 when every overlay tensor equals MERGED's of that name
"""
import json
import os
import struct
import sys


def tensors(path):
    """name -> (dtype, shape, raw bytes) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    start = 8 + n
    return {k: (v["dtype"], v["shape"], data[start + v["data_offsets"][0]:start + v["data_offsets"][1]])
            for k, v in header.items() if k != "__metadata__"}


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def scales_text(scales):
    if not scales:
        return "scales unknown"
    groups = {}
    for module, s in scales.items():
        parts = module.split(".")
        groups.setdefault(s, []).append(".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1])
    parts = []
    for s, modules in sorted(groups.items(), key=lambda g: -len(g[1])):
        kinds = sorted(set(modules))
        parts.append(f"{s:g} on {len(modules)} modules ({', '.join(kinds)})")
    return "scale " + "; ".join(parts)


def session(folder):
    with open(os.path.join(folder, "session.json")) as f:
        s = json.load(f)
    print(f"  session.json: session {s['session_id']}, {s['mode']} mode, generation {s['generation']}")
    for a in s["adapters"]:
        print(f"  adapter {a['name']}@{a['version']} weight {a['weight']:g}: {scales_text(a['scales'])}")
    for seg in s["segments"]:
        print(f"  segment {seg['segment_id']:>2} {seg['kind']:<8} -> {seg['file']:<31} {human(seg['byte_size']):>10}, {seg['tensors']} tensors")


def same_tensors(a, b):
    if tensors(a) == tensors(b):
        return 0
    print(f"  {a} and {b} differ in tensor names or bytes")
    return 1


def changed(base, merged):
    b, m = tensors(base), tensors(merged)
    diff = sorted(k for k in b if b[k] != m.get(k))
    print(f"  {len(diff)} of {len(b)} tensors changed (e.g. {diff[0]}); the other {len(b) - len(diff)} are byte-identical to the base")


def overlay(overlay_path, merged):
    o, m = tensors(overlay_path), tensors(merged)
    bad = [k for k in o if o[k] != m.get(k)]
    print(f"  {len(o) - len(bad)} of {len(o)} overlay tensors equal the merged file's tensors byte for byte")
    if bad:
        print(f"  different: {', '.join(sorted(bad)[:3])}")
    return 1 if bad or not o else 0


def main(argv):
    commands = {"session": (session, 1), "same-tensors": (same_tensors, 2), "changed": (changed, 2),
                "overlay": (overlay, 2)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) != 2 + commands[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 64
    return commands[argv[1]][0](*argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
