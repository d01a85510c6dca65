"""Segments: the sealed memfds lorad passes, mapped once per process, read as safetensors.

Every segment a session reply brings is a sealed memfd (``F_SEAL_WRITE | F_SEAL_SHRINK |
F_SEAL_GROW``) holding one safetensors file, passed as a read-only descriptor. This module
maps it ``PROT_READ, MAP_SHARED``, parses its header (bounded, every offset checked) and
hands out zero-copy, read-only tensor views:

- numpy: ``F64 F32 F16 I64 I32 I16 I8 U8 BOOL`` as themselves; ``BF16`` (and ``F8_E4M3``,
  ``F8_E5M2``) as ``ml_dtypes`` types when ``ml_dtypes`` is installed
  (``pip install 'lorad[bf16]'``), otherwise as their raw bits (``np.uint16`` for BF16,
  ``np.uint8`` for F8): same bytes, integer dtype;
- torch: the native dtype (``torch.bfloat16`` ...), through ``torch.frombuffer``. torch
  has no read-only tensors: writing into such a view writes a ``PROT_READ`` page and the
  kernel kills the process (SIGSEGV). Write into a copy, or use
  ``lorad.torch.bind(zero_copy=True)``, whose views are copy-on-write.

What stays mapped, and which descriptors stay open (:class:`SegmentCache`):

- a segment is mapped once per process, whatever its id: the cache knows it by the
  memfd's ``(st_dev, st_ino)``, which survives a reconnect (ids restart with the daemon);
  adopting a segment already mapped closes the new descriptor and maps nothing;
- the mapping lives as long as anything refers to it: the :class:`Segment`, a view of
  it, or the cache's small LRU of the last ``capacity`` (8) derived (overlay and factors)
  segments used, so switching back to a recent set maps nothing. When the last reference
  goes, the pages are unmapped at once (reference counting, no garbage-collector delay).
  The cache finds a segment again through its :class:`Segment`: a view kept alone keeps
  its pages mapped, but adopting that memfd again then maps it a second time;
- descriptors: an overlay's or factors segment's descriptor is closed as soon as it is
  mapped. A **base** segment keeps one read-only descriptor while its :class:`Segment`
  lives, because :meth:`Segment.private_mapping` (copy-on-write mappings for zero-copy
  torch binding) needs one and a closed memfd cannot be reopened. That is one descriptor
  per base in use, not per session or per switch.

Mappings are made with ``mmap(2)`` through ctypes rather than Python's ``mmap`` module:
before Python 3.13 ``mmap.mmap`` keeps a ``dup`` of the descriptor for the mapping's whole
life, which would keep every segment's descriptor open.

:func:`memfd_usage` counts this process's memfd descriptors and mappings (for tests and
leak hunting).
"""

from __future__ import annotations

import collections
import ctypes
import dataclasses
import fcntl
import json
import mmap
import os
import stat
import struct
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = [
    "MAX_HEADER_BYTES",
    "MemfdUsage",
    "PrivateMapping",
    "Segment",
    "SegmentCache",
    "SegmentDescriptorLike",
    "SegmentFormatError",
    "TensorEntry",
    "memfd_usage",
    "torch_dtype",
]

MAX_HEADER_BYTES = 100 * 1024 * 1024
"""The largest safetensors JSON header accepted, in bytes (100 MiB)."""

PAGE_SIZE = mmap.PAGESIZE
"""The system page size in bytes (the unit of copy-on-write and ``MADV_DONTNEED``)."""

_KIND_NAMES = {0: "base", 1: "factors", 2: "overlay"}


class SegmentFormatError(ValueError):
    """A segment is not what lorad promises: not a sealed memfd, smaller than announced,
    or not a valid safetensors file (header length, JSON, dtypes, shapes or offsets).

    Raised by :meth:`SegmentCache.adopt` before any view is handed out; nothing stays
    mapped and the descriptor is still the caller's.
    """


@dataclasses.dataclass(frozen=True)
class _DType:
    """One safetensors dtype: element size in bytes, numpy/torch spellings."""

    itemsize: int
    numpy: str  # numpy dtype name, or "ml_dtypes:<name>|<raw numpy fallback>"
    torch: str  # attribute of the torch module


_DTYPES: dict[str, _DType] = {
    "F64": _DType(8, "float64", "float64"),
    "F32": _DType(4, "float32", "float32"),
    "F16": _DType(2, "float16", "float16"),
    "BF16": _DType(2, "ml_dtypes:bfloat16|uint16", "bfloat16"),
    "F8_E4M3": _DType(1, "ml_dtypes:float8_e4m3fn|uint8", "float8_e4m3fn"),
    "F8_E5M2": _DType(1, "ml_dtypes:float8_e5m2|uint8", "float8_e5m2"),
    "I64": _DType(8, "int64", "int64"),
    "I32": _DType(4, "int32", "int32"),
    "I16": _DType(2, "int16", "int16"),
    "I8": _DType(1, "int8", "int8"),
    "U8": _DType(1, "uint8", "uint8"),
    "BOOL": _DType(1, "bool", "bool"),
}


def _numpy_dtype(name: str) -> np.dtype[Any]:
    """The numpy dtype of safetensors dtype ``name`` (``ml_dtypes`` when installed, else raw bits)."""
    spec = _DTYPES[name].numpy
    if not spec.startswith("ml_dtypes:"):
        return np.dtype(spec)
    preferred, fallback = spec[len("ml_dtypes:") :].split("|")
    try:
        import ml_dtypes
    except ImportError:
        return np.dtype(fallback)
    return np.dtype(getattr(ml_dtypes, preferred))


def torch_dtype(name: str) -> torch.dtype:
    """The torch dtype of safetensors dtype ``name`` (``"BF16"`` -> ``torch.bfloat16``).

    Imports torch. Raises ``KeyError`` for a dtype this module does not know.
    """
    import torch

    return getattr(torch, _DTYPES[name].torch)


@dataclasses.dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lies in a segment.

    ``dtype`` is the safetensors name (``"BF16"``), ``shape`` the dimensions, ``begin`` and
    ``end`` absolute byte offsets in the file (header included), ``end - begin`` being
    exactly the tensor's bytes; ``begin`` is a multiple of the element size.
    """

    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def nbytes(self) -> int:
        """The tensor's size in bytes."""
        return self.end - self.begin

    @property
    def numel(self) -> int:
        """The number of elements."""
        return self.nbytes // _DTYPES[self.dtype].itemsize


class SegmentDescriptorLike(Protocol):
    """What :meth:`SegmentCache.adopt` reads from a descriptor (``lorad.wire.SegmentDescriptor``).

    ``kind`` is a ``SegmentKind`` (or its int: 0 base, 1 factors, 2 overlay, or the name),
    ``fd`` a descriptor the caller hands over.
    """

    kind: Any
    segment_id: int
    byte_size: int
    fd: int


# --- raw mappings -----------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)  # the C library Python itself runs on
# off_t is 64 bits with a 64-bit long; elsewhere use the explicit 64-bit entry point.
_mmap = _libc.mmap if ctypes.sizeof(ctypes.c_long) >= 8 or not hasattr(_libc, "mmap64") else _libc.mmap64
_mmap.restype = ctypes.c_void_p
_mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                  ctypes.c_long if _mmap is _libc.mmap else ctypes.c_int64]
_libc.munmap.restype = ctypes.c_int
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.madvise.restype = ctypes.c_int
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_MAP_FAILED = ctypes.c_void_p(-1).value
_MADV_DONTNEED = 4  # Linux


class _Unmapper:
    """Owns one ``mmap(2)`` region; unmaps it when the last reference goes.

    Attached to the ctypes array every view of the region refers to (through its
    memoryview), so the pages stay mapped exactly as long as a view, the array or the
    owning Segment/PrivateMapping lives.
    """

    __slots__ = ("address", "size", "__weakref__")

    def __init__(self, address: int, size: int) -> None:
        self.address = address
        self.size = size

    def __del__(self) -> None:
        munmap = getattr(_libc, "munmap", None)
        if munmap is not None and self.address:
            munmap(self.address, self.size)
            self.address = 0


def _map(fd: int, size: int, *, private: bool) -> tuple[Any, _Unmapper]:
    """Map ``size`` bytes of ``fd``: shared read-only, or private read-write (copy-on-write).

    Returns ``(array, owner)``: a ctypes ``c_ubyte`` array over the pages (its buffer is
    writable as far as Python knows; callers hand out read-only memoryviews of shared
    ones) carrying ``owner`` as an attribute. Raises ``OSError`` from ``mmap(2)``.
    """
    prot = mmap.PROT_READ | (mmap.PROT_WRITE if private else 0)
    flags = mmap.MAP_PRIVATE if private else mmap.MAP_SHARED
    address = _mmap(None, size, prot, flags, fd, 0)
    if address is None or address == _MAP_FAILED:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mmap of a {size}-byte segment failed: {os.strerror(errno)}")
    owner = _Unmapper(address, size)
    array = (ctypes.c_ubyte * size).from_address(address)
    array._lorad_owner = owner  # the views' memoryviews keep the array, the array the owner
    return array, owner


# --- header parsing -----------------------------------------------------------------------


def _parse_header(buffer: memoryview, byte_size: int) -> tuple[int, dict[str, str], dict[str, TensorEntry]]:
    """Parse and check a safetensors header: ``(data_start, metadata, entries)``.

    Raises :class:`SegmentFormatError` naming the first problem found.
    """
    if byte_size < 8:
        raise SegmentFormatError(f"segment of {byte_size} bytes: too small for a safetensors header")
    (header_len,) = struct.unpack_from("<Q", buffer, 0)
    if header_len > byte_size - 8:
        raise SegmentFormatError(f"header length {header_len} exceeds the segment ({byte_size} bytes)")
    if header_len > MAX_HEADER_BYTES:
        raise SegmentFormatError(f"header length {header_len} exceeds the {MAX_HEADER_BYTES}-byte limit")
    data_start = 8 + header_len
    try:
        header = json.loads(bytes(buffer[8:data_start]))
    except (UnicodeDecodeError, ValueError) as error:
        raise SegmentFormatError(f"header is not valid JSON: {error}") from None
    if not isinstance(header, dict):
        raise SegmentFormatError("header is not a JSON object")
    raw_metadata = header.pop("__metadata__", None) or {}
    if not isinstance(raw_metadata, dict) or not all(isinstance(v, str) for v in raw_metadata.values()):
        raise SegmentFormatError("__metadata__ is not an object of strings")
    data_size = byte_size - data_start
    entries: dict[str, TensorEntry] = {}
    for name, spec in header.items():
        entries[name] = _parse_entry(name, spec, data_start, data_size)
    return data_start, dict(raw_metadata), entries


def _parse_entry(name: str, spec: Any, data_start: int, data_size: int) -> TensorEntry:
    """Check one header entry and return it with absolute offsets."""
    if not isinstance(spec, dict):
        raise SegmentFormatError(f"tensor {name!r}: entry is not an object")
    dtype, shape, offsets = spec.get("dtype"), spec.get("shape"), spec.get("data_offsets")
    if dtype not in _DTYPES:
        raise SegmentFormatError(f"tensor {name!r}: unsupported dtype {dtype!r}")
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        raise SegmentFormatError(f"tensor {name!r}: shape {shape!r} is not a list of non-negative integers")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(type(o) is int for o in offsets)
        or not 0 <= offsets[0] <= offsets[1] <= data_size
    ):
        raise SegmentFormatError(f"tensor {name!r}: data_offsets {offsets!r} outside the {data_size} data bytes")
    itemsize = _DTYPES[dtype].itemsize
    numel = 1
    for dimension in shape:
        numel *= dimension
    if numel * itemsize != offsets[1] - offsets[0]:
        raise SegmentFormatError(
            f"tensor {name!r}: {offsets[1] - offsets[0]} bytes for shape {shape} of {dtype} ({numel * itemsize} expected)"
        )
    begin = data_start + offsets[0]
    if begin % itemsize:
        raise SegmentFormatError(f"tensor {name!r}: offset {begin} is not a multiple of its {itemsize}-byte elements")
    return TensorEntry(dtype, tuple(shape), begin, data_start + offsets[1])


def _kind_name(kind: Any) -> str:
    """``"base"``, ``"factors"`` or ``"overlay"`` from a SegmentKind, its int or its name."""
    if isinstance(kind, str):
        name = kind.lower()
    else:
        name = _KIND_NAMES.get(int(kind), "")
    if name not in _KIND_NAMES.values():
        raise ValueError(f"unknown segment kind {kind!r}")
    return name


def _check_sealed(fd: int) -> None:
    """Refuse a descriptor that is not a memfd sealed against writes and shrinking."""
    try:
        seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
    except OSError as error:
        raise SegmentFormatError(f"descriptor is not a sealable memfd ({error.strerror})") from None
    required = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK
    if seals & required != required:
        raise SegmentFormatError(f"memfd is not sealed against writing and shrinking (seals 0x{seals:x})")


# --- views ------------------------------------------------------------------------------------


def _numpy_view(buffer: memoryview, entry: TensorEntry, dtype: np.dtype[Any]) -> np.ndarray:
    """A numpy view of ``entry`` in ``buffer`` as ``dtype`` (read-only when the buffer is)."""
    return np.frombuffer(buffer, dtype, entry.numel, entry.begin).reshape(entry.shape)


def _torch_view(buffer: memoryview, entry: TensorEntry) -> torch.Tensor:
    """A torch view of ``entry`` in ``buffer``, which must be writable to Python (no warning)."""
    import torch

    dtype = torch_dtype(entry.dtype)
    if entry.numel == 0:
        return torch.empty(entry.shape, dtype=dtype)
    return torch.frombuffer(buffer, dtype=dtype, count=entry.numel, offset=entry.begin).view(entry.shape)


def _views(buffer: memoryview, writable: memoryview, entries: Mapping[str, TensorEntry], names: Any, framework: str) -> Any:
    """Views of ``names`` (all entries when None) for ``framework``; a dict."""
    selected = entries if names is None else {name: entries[name] for name in names}
    if framework == "numpy":
        dtypes = {dtype: _numpy_dtype(dtype) for dtype in {entry.dtype for entry in selected.values()}}
        return {name: _numpy_view(buffer, entry, dtypes[entry.dtype]) for name, entry in selected.items()}
    if framework in ("torch", "pt"):
        return {name: _torch_view(writable, entry) for name, entry in selected.items()}
    raise ValueError(f"framework must be 'numpy' or 'torch', not {framework!r}")


class Segment:
    """One segment lorad passed, mapped read-only and shared (``MAP_SHARED, PROT_READ``).

    Made by :meth:`SegmentCache.adopt`, never directly. Attributes:

    - ``kind``: ``"base"``, ``"factors"`` or ``"overlay"``;
    - ``id``: the daemon's segment id, as of the latest adopt (ids are valid for one
      connection epoch only; never use them as identity across a reconnect);
    - ``byte_size``: the mapped size in bytes;
    - ``key``: ``(st_dev, st_ino)`` of the memfd, the segment's identity in this process
      (equal keys mean the same bytes, across reconnects);
    - ``metadata``: the safetensors ``__metadata__`` (strings);
    - ``entries``: ``{name: TensorEntry}``, in file order;
    - ``buffer``: a read-only memoryview of the whole file (header included);
    - ``data_start``: the offset of the first data byte.

    The mapping is released when the Segment and every view of it are gone.
    """

    def __init__(
        self,
        *,
        kind: str,
        segment_id: int,
        byte_size: int,
        key: tuple[int, int],
        array: Any,
        fd: int | None,
    ) -> None:
        """Wrap a fresh mapping (``array``); parse its header. Internal: use :meth:`SegmentCache.adopt`.

        Takes ownership of ``fd`` (kept for private mappings, closed when the Segment
        goes) only when it returns. Raises :class:`SegmentFormatError`.
        """
        self.kind = kind
        self.id = segment_id
        self.byte_size = byte_size
        self.key = key
        self._array = array
        self._writable = memoryview(array).cast("B")  # torch views only: torch has no read-only tensors
        self.buffer = self._writable.toreadonly()
        self.address: int = ctypes.addressof(array)
        """Where the mapping starts in this process's address space."""
        self.data_start, self.metadata, self.entries = _parse_header(self.buffer, byte_size)
        self._fd = fd
        if fd is not None:  # only once parsing succeeded: on failure adopt closes it
            weakref.finalize(self, os.close, fd)

    def __repr__(self) -> str:
        return f"<Segment {self.kind} id={self.id} {self.byte_size} bytes, {len(self.entries)} tensors>"

    def tensor(self, name: str, framework: str = "numpy") -> Any:
        """A zero-copy, read-only view of tensor ``name`` (``framework``: ``"numpy"`` or ``"torch"``).

        The view keeps the mapping alive. Raises ``KeyError`` for an unknown name,
        ``ImportError`` for torch when it is not installed. Never write into a torch
        view (SIGSEGV: the pages are read-only).
        """
        return _views(self.buffer, self._writable, self.entries, (name,), framework)[name]

    def tensors(self, framework: str = "numpy") -> dict[str, Any]:
        """Zero-copy, read-only views of every tensor, ``{name: array}`` in file order (see :meth:`tensor`)."""
        return _views(self.buffer, self._writable, self.entries, None, framework)

    def contains(self, address: int) -> bool:
        """Whether ``address`` (a pointer, e.g. ``tensor.data_ptr()``) lies in this mapping."""
        return self.address <= address < self.address + self.byte_size

    @property
    def can_map_privately(self) -> bool:
        """Whether :meth:`private_mapping` works (only base segments keep their descriptor)."""
        return self._fd is not None

    def private_mapping(self) -> PrivateMapping:
        """A new copy-on-write mapping of the same memfd (``MAP_PRIVATE, PROT_READ | PROT_WRITE``).

        Its pages are the daemon's until written; a write makes a private page of this
        process and never reaches the memfd (the kernel allows this on a read-only
        descriptor of a write-sealed memfd). Costs no copy and no file read. Only base
        segments keep the descriptor this needs: raises ``ValueError`` for others, and
        ``OSError`` if ``mmap(2)`` fails.
        """
        if self._fd is None:
            raise ValueError(f"{self.kind} segment {self.id}: its descriptor was closed; only base segments map privately")
        array, _ = _map(self._fd, self.byte_size, private=True)
        return PrivateMapping(self, array)


class PrivateMapping:
    """A copy-on-write mapping of a base segment (see :meth:`Segment.private_mapping`).

    Attributes: ``segment`` (the shared :class:`Segment` it mirrors, kept alive while
    this object lives), ``address``, ``byte_size``, ``buffer`` (a writable memoryview).
    Writes make private pages; :meth:`restore` gives a byte range the segment's
    contents back, dropping the whole private pages inside it. The pages are unmapped
    when this object and every view of it are gone.
    """

    def __init__(self, segment: Segment, array: Any) -> None:
        """Wrap ``array``, a private mapping of ``segment``'s memfd. Internal: use :meth:`Segment.private_mapping`."""
        self.segment = segment
        self._array = array
        self.buffer = memoryview(array).cast("B")
        self.address: int = ctypes.addressof(array)
        self.byte_size = segment.byte_size

    def tensor(self, name: str, framework: str = "torch") -> Any:
        """A writable zero-copy view of tensor ``name`` (``"torch"`` or ``"numpy"``); writes stay private."""
        return _views(self.buffer, self.buffer, self.segment.entries, (name,), framework)[name]

    def contains(self, address: int) -> bool:
        """Whether ``address`` lies in this mapping."""
        return self.address <= address < self.address + self.byte_size

    def restore(self, begin: int, end: int) -> tuple[int, int]:
        """Give bytes ``[begin, end)`` (file offsets) the segment's contents again.

        The whole pages inside the range are dropped with ``MADV_DONTNEED`` (they share
        the daemon's pages again, freeing this process's copies); the bytes of the
        partial pages at either edge, which may hold neighbouring tensors' bytes, are
        copied from the shared segment (those pages stay private). Addresses never
        change. Returns ``(bytes dropped, bytes copied)``. Raises ``ValueError`` for a
        range outside the mapping, ``OSError`` if ``madvise`` fails.
        """
        if not 0 <= begin <= end <= self.byte_size:
            raise ValueError(f"range [{begin}, {end}) outside the {self.byte_size}-byte mapping")
        first_page = -(-begin // PAGE_SIZE) * PAGE_SIZE  # first page boundary at or after begin
        last_page = end // PAGE_SIZE * PAGE_SIZE  # last page boundary at or before end
        if first_page >= last_page:  # no whole page inside: copy it all
            self.buffer[begin:end] = self.segment.buffer[begin:end]
            return 0, end - begin
        if _libc.madvise(self.address + first_page, last_page - first_page, _MADV_DONTNEED) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"madvise(MADV_DONTNEED) failed: {os.strerror(errno)}")
        self.buffer[begin:first_page] = self.segment.buffer[begin:first_page]
        self.buffer[last_page:end] = self.segment.buffer[last_page:end]
        return last_page - first_page, (first_page - begin) + (end - last_page)


# --- the cache ----------------------------------------------------------------------------------


class SegmentCache:
    """The segments this process maps, each once, known by the memfd's ``(st_dev, st_ino)``.

    Holds weak references to every live :class:`Segment` (so a segment still in use,
    by a session or a view, is found again and never mapped twice) and strong
    references to the last ``capacity`` derived (overlay and factors) segments adopted
    (an LRU: switching back to a recent set maps nothing). Base segments are not in the
    LRU: sessions and bindings hold them. Everything else is unmapped as soon as nothing
    refers to it. Thread-safe. Use :meth:`shared` for the process's cache.
    """

    _shared: SegmentCache | None = None
    _shared_lock = threading.Lock()

    def __init__(self, capacity: int = 8) -> None:
        """A cache keeping at most ``capacity`` (>= 0) released derived segments mapped."""
        if capacity < 0:
            raise ValueError("capacity must be >= 0")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._live: weakref.WeakValueDictionary[tuple[int, int], Segment] = weakref.WeakValueDictionary()
        self._recent: collections.OrderedDict[tuple[int, int], Segment] = collections.OrderedDict()

    @classmethod
    def shared(cls) -> SegmentCache:
        """The process-wide cache (created on first use, capacity 8)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def adopt(self, descriptor: SegmentDescriptorLike) -> Segment:
        """The :class:`Segment` of ``descriptor``, mapping it only if it is not mapped yet.

        On success, takes ownership of ``descriptor.fd``: closed here, or kept by a new
        base Segment (see the module doc). When this raises, the descriptor is left
        open and still the caller's to close; nothing stays mapped. Checks that the
        descriptor is a memfd sealed against writing and shrinking, at least
        ``byte_size`` long, and that it holds a valid safetensors file.
        Raises :class:`SegmentFormatError` for a bad segment, ``ValueError`` for an
        unknown kind, ``OSError`` when ``fstat``/``mmap`` fail.
        """
        fd = descriptor.fd
        kind = _kind_name(descriptor.kind)
        info = os.fstat(fd)
        key = (info.st_dev, info.st_ino)
        kept = False
        with self._lock:
            segment = self._live.get(key)
            if segment is None:
                segment = self._map_new(fd, kind, descriptor, info)
                kept = segment._fd is not None
                self._live[key] = segment
            segment.id = int(descriptor.segment_id)
            if kind != "base":
                self._remember(segment)
        if not kept:
            os.close(fd)
        return segment

    def _map_new(self, fd: int, kind: str, descriptor: SegmentDescriptorLike, info: os.stat_result) -> Segment:
        """Map and parse a segment not yet mapped (the lock is held)."""
        byte_size = int(descriptor.byte_size)
        if not stat.S_ISREG(info.st_mode):
            raise SegmentFormatError("descriptor is not a memfd")
        if info.st_size < byte_size:
            raise SegmentFormatError(f"memfd holds {info.st_size} bytes, {byte_size} announced")
        if byte_size < 8:
            raise SegmentFormatError(f"segment of {byte_size} bytes: too small for a safetensors header")
        _check_sealed(fd)
        array, _ = _map(fd, byte_size, private=False)
        return Segment(
            kind=kind,
            segment_id=int(descriptor.segment_id),
            byte_size=byte_size,
            key=(info.st_dev, info.st_ino),
            array=array,
            fd=fd if kind == "base" else None,
        )

    def _remember(self, segment: Segment) -> None:
        """Put ``segment`` first in the LRU, dropping the oldest beyond capacity (lock held)."""
        self._recent[segment.key] = segment
        self._recent.move_to_end(segment.key)
        while len(self._recent) > self.capacity:
            self._recent.popitem(last=False)

    def get(self, key: tuple[int, int]) -> Segment | None:
        """The live segment with memfd identity ``key``, or None."""
        with self._lock:
            return self._live.get(key)

    def segments(self) -> list[Segment]:
        """Every segment still mapped through this cache (live ones, LRU included)."""
        with self._lock:
            return list(self._live.values())

    def find(self, address: int) -> Segment | None:
        """The live segment whose shared mapping contains ``address``, or None."""
        for segment in self.segments():
            if segment.contains(address):
                return segment
        return None

    def clear(self) -> None:
        """Forget the LRU: segments nothing else refers to are unmapped now."""
        with self._lock:
            recent = list(self._recent.values())
            self._recent.clear()
        del recent  # dropped outside the lock

    def __len__(self) -> int:
        """The number of segments still mapped through this cache."""
        with self._lock:
            return len(self._live)


@dataclasses.dataclass(frozen=True)
class MemfdUsage:
    """This process's memfd use: open ``descriptors`` and ``mappings`` (lines of /proc/self/maps)."""

    descriptors: int
    mappings: int


def memfd_usage(name_prefix: str = "") -> MemfdUsage:
    """Count this process's memfd descriptors (/proc/self/fd) and mappings (/proc/self/maps).

    Only memfds whose name starts with ``name_prefix`` count (``""``: all of them; lorad
    names its segments ``lorad-...``). A mapping split by the kernel (e.g. by
    ``mprotect``) counts once per part. Linux only: raises ``OSError`` without /proc.
    """
    marker = "/memfd:" + name_prefix
    descriptors = 0
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except OSError:  # closed meanwhile (the listing's own descriptor, another thread)
            continue
        if target.startswith(marker):
            descriptors += 1
    mappings = 0
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith(marker):
                mappings += 1
    return MemfdUsage(descriptors, mappings)
