"""Minimal safetensors reading and writing with plain numpy (no safetensors package).

A safetensors file is an 8-byte little-endian header length, a JSON header mapping
tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
to the byte after the header) plus an optional "__metadata__" string map, then the
tensor bytes. BF16 has no numpy dtype: it is handled as raw uint16.
"""
import json
import struct

import numpy as np

NUMPY_DTYPES = {"BF16": np.uint16, "F16": np.float16, "F32": np.float32, "F64": np.float64}


def read_header(path):
    """Returns (header dict without __metadata__, metadata dict, data start offset)."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        if length > 100 * 1024 * 1024:
            raise ValueError(f"{path}: header length {length} is implausible")
        header = json.loads(f.read(length))
    metadata = header.pop("__metadata__", {}) or {}
    return header, metadata, 8 + length


def load(path):
    """Maps the file and returns ({name: (dtype, shape, raw uint8 view)}, metadata)."""
    header, metadata, start = read_header(path)
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=start)
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensors[name] = (info["dtype"], list(info["shape"]), data[begin:end])
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes {name: (dtype, shape, bytes-like)} in name order, 8-byte aligned header."""
    header, offset = {}, 0
    names = sorted(tensors)
    for name in names:
        dtype, shape, raw = tensors[name]
        size = memoryview(raw).nbytes
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for name in names:
            f.write(memoryview(tensors[name][2]).cast("B"))


def bf16_to_f32(raw_u16):
    """BF16 bits (uint16 array) to float32: a 16-bit shift, exact."""
    return (raw_u16.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(values):
    """float32 to BF16 bits, round to nearest even; NaN stays NaN (quieted)."""
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)
    rounded = ((bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16).astype(np.uint16)
    nan = np.isnan(values)
    if nan.any():
        rounded[nan] = ((bits[nan] >> 16) | np.uint32(0x40)).astype(np.uint16)
    return rounded
