"""Test helpers: sealed memfds holding safetensors files, as lorad passes them, and a fake
session implementing the observer API of ``lorad.session.Session`` (no daemon needed).

Imported by test_segments.py and test_torch_bind.py (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import struct
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

_NUMPY_NAMES = {"float64": "F64", "float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32", "uint8": "U8"}
_TORCH_NAMES = {"torch.float64": "F64", "torch.float32": "F32", "torch.float16": "F16", "torch.bfloat16": "BF16"}


def _dtype_and_bytes(value: Any) -> tuple[str, tuple[int, ...], bytes]:
    """(safetensors dtype, shape, little-endian bytes) of a numpy array or torch tensor."""
    if isinstance(value, np.ndarray):
        return _NUMPY_NAMES[value.dtype.name], tuple(value.shape), np.ascontiguousarray(value).tobytes()
    import torch

    flat = value.detach().contiguous().reshape(-1)
    raw = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
    return _TORCH_NAMES[str(value.dtype)], tuple(value.shape), raw


def safetensors_bytes(tensors: Mapping[str, Any], metadata: Mapping[str, str] | None = None) -> bytes:
    """A safetensors file: tensors packed in order, each at a multiple of its element size
    (so neighbours share pages, as in lorad's segments), header padded to 8 bytes."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    chunks: list[bytes] = []
    offset = 0
    for name, value in tensors.items():
        dtype, shape, raw = _dtype_and_bytes(value)
        itemsize = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "U8": 1}[dtype]
        padding = -offset % itemsize
        chunks.append(b"\0" * padding)
        offset += padding
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


class SealedFile:
    """A sealed memfd (write, shrink, grow, seal) holding ``data``; hands out read-only descriptors.

    Keeps one read-only descriptor of its own (so it can reopen) until :meth:`close`.
    """

    def __init__(self, data: bytes, name: str = "lorad-test") -> None:
        fd = os.memfd_create(name, os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
            self._fd = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            os.close(fd)
        self.size = len(data)

    def reopen(self) -> int:
        """A new read-only descriptor of the memfd (the caller owns it)."""
        return os.open(f"/proc/self/fd/{self._fd}", os.O_RDONLY | os.O_CLOEXEC)

    def read(self) -> bytes:
        """The memfd's current bytes, read with pread (not through any mapping)."""
        return os.pread(self._fd, self.size, 0)

    def close(self) -> None:
        """Close the descriptor kept here."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """What lorad.wire.SegmentDescriptor gives SegmentCache.adopt."""

    kind: int  # 0 base, 1 factors, 2 overlay
    segment_id: int
    byte_size: int
    fd: int
    adapter_index: int | None = None


def adopt(cache: Any, sealed: SealedFile, kind: int, segment_id: int = 1) -> Any:
    """Adopt a fresh read-only descriptor of ``sealed`` into ``cache``."""
    return cache.adopt(Descriptor(kind, segment_id, sealed.size, sealed.reopen()))


@dataclasses.dataclass(frozen=True)
class Active:
    """An ActiveAdapter: name, version, weight."""

    name: str
    version: int
    weight: float


@dataclasses.dataclass(frozen=True)
class Factors:
    """An AdapterFactors: active adapter, factors segment, prefix, scales."""

    active: Active
    segment: Any
    prefix: str
    scales: dict[str, float]


@dataclasses.dataclass(frozen=True)
class State:
    """A SessionState with the fields lorad.torch reads."""

    base_segment: Any
    mode: str = "fused"
    overlay: Any = None
    factors: tuple[Factors, ...] = ()
    active: tuple[Active, ...] = ()
    base: str = "tiny"
    generation: int = 0
    epoch: int = 1
    session_id: int = 1


class FakeSession:
    """The observer API of lorad.session.Session over states the test sets itself."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._observers: list[Callable[[Any, State, State], None]] = []

    def add_observer(self, callback: Callable[[Any, State, State], None]) -> None:
        self._observers.append(callback)

    def remove_observer(self, callback: Callable[[Any, State, State], None]) -> None:
        if callback in self._observers:
            self._observers.remove(callback)

    def set_state(self, new: State) -> None:
        """Make ``new`` current and call the observers, as a switch does."""
        old, self.state = self.state, new
        for callback in list(self._observers):
            callback(self, old, new)

    @property
    def observers(self) -> int:
        return len(self._observers)
