"""lorad.segments without a daemon: sealed memfds made here, mapped, parsed, viewed, released."""

from __future__ import annotations

import gc
import json
import os
import random
import struct
import sys
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from lorad.segments import PAGE_SIZE, SegmentCache, SegmentFormatError, memfd_usage
from segment_files import Descriptor, SealedFile, adopt, safetensors_bytes

BASE, FACTORS, OVERLAY = 0, 1, 2


def _mapping_of(address: int) -> str:
    """The path column of the /proc/self/maps line holding ``address`` ("" when anonymous)."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if start <= address < end:
                return fields[5].strip() if len(fields) == 6 else ""
    raise AssertionError(f"0x{address:x} is not mapped")


@pytest.fixture
def sample() -> Iterator[SealedFile]:
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(1)
    tensors = {
        "a.weight": torch.randn(33, 17, generator=generator).to(torch.bfloat16),
        "b.bias": np.arange(5, dtype=np.float32),
        "c.weight": torch.randn(7, 3, generator=generator).to(torch.float16),
        "d.steps": np.arange(3, dtype=np.int64),
    }
    sealed = SealedFile(safetensors_bytes(tensors, {"lorad.base": "tiny", "format": "pt"}), "lorad-sample")
    sealed.expected = tensors  # type: ignore[attr-defined]
    yield sealed
    sealed.close()


def test_adopt_parses_and_views_zero_copy(sample: SealedFile) -> None:
    import ml_dtypes
    import torch

    cache = SegmentCache()
    segment = adopt(cache, sample, OVERLAY, segment_id=7)
    assert (segment.kind, segment.id, segment.byte_size) == ("overlay", 7, sample.size)
    assert segment.metadata == {"lorad.base": "tiny", "format": "pt"}
    assert list(segment.entries) == ["a.weight", "b.bias", "c.weight", "d.steps"]
    assert segment.entries["a.weight"].shape == (33, 17) and segment.entries["a.weight"].dtype == "BF16"
    assert segment.buffer.readonly
    assert _mapping_of(segment.address).startswith("/memfd:lorad-sample")

    arrays = segment.tensors("numpy")
    assert arrays["a.weight"].dtype == ml_dtypes.bfloat16
    expected = sample.expected  # type: ignore[attr-defined]
    assert np.array_equal(arrays["a.weight"].view(np.uint16), expected["a.weight"].view(torch.int16).numpy().view(np.uint16))
    assert np.array_equal(arrays["b.bias"], expected["b.bias"])
    assert np.array_equal(arrays["d.steps"], expected["d.steps"])
    for array in arrays.values():
        assert not array.flags.writeable
        assert segment.contains(array.__array_interface__["data"][0])
    with pytest.raises(ValueError):
        arrays["b.bias"][0] = 1.0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        views = segment.tensors("torch")
    assert not caught, [str(w.message) for w in caught]
    assert views["a.weight"].dtype == torch.bfloat16 and views["c.weight"].dtype == torch.float16
    assert torch.equal(views["a.weight"], expected["a.weight"]) and torch.equal(views["c.weight"], expected["c.weight"])
    for view in views.values():
        assert segment.contains(view.data_ptr())
    with pytest.raises(ValueError, match="framework"):
        segment.tensors("jax")


def test_bf16_without_ml_dtypes_gives_raw_bits(sample: SealedFile, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # import ml_dtypes raises ImportError
    segment = adopt(SegmentCache(), sample, OVERLAY)
    bits = segment.tensor("a.weight")
    assert bits.dtype == np.uint16
    assert np.array_equal(bits, sample.expected["a.weight"].view(torch.int16).numpy().view(np.uint16))  # type: ignore[attr-defined]


def test_descriptors_closed_except_a_base_and_memfd_mapped_once(sample: SealedFile) -> None:
    cache = SegmentCache()
    before = memfd_usage("lorad-sample")
    overlay = adopt(cache, sample, OVERLAY, segment_id=3)
    assert memfd_usage("lorad-sample") == type(before)(before.descriptors, before.mappings + 1)
    again = adopt(cache, sample, OVERLAY, segment_id=9)  # same memfd, a new id (a new epoch)
    assert again is overlay and overlay.id == 9
    assert memfd_usage("lorad-sample") == type(before)(before.descriptors, before.mappings + 1)
    assert not overlay.can_map_privately
    with pytest.raises(ValueError, match="only base segments"):
        overlay.private_mapping()
    del overlay, again
    cache.clear()
    assert memfd_usage("lorad-sample") == before

    base = adopt(cache, sample, BASE)  # a base keeps one descriptor, for private mappings
    assert base.can_map_privately
    assert memfd_usage("lorad-sample") == type(before)(before.descriptors + 1, before.mappings + 1)
    assert adopt(cache, sample, BASE) is base
    assert memfd_usage("lorad-sample") == type(before)(before.descriptors + 1, before.mappings + 1)
    del base
    assert memfd_usage("lorad-sample") == before


def test_views_keep_the_mapping_alive(sample: SealedFile) -> None:
    cache = SegmentCache(capacity=0)
    before = memfd_usage("lorad-sample")
    segment = adopt(cache, sample, OVERLAY)
    numpy_view = segment.tensor("b.bias")
    torch_view = segment.tensor("a.weight", "torch")
    del segment
    gc.collect()
    assert memfd_usage("lorad-sample").mappings == before.mappings + 1
    assert float(numpy_view[4]) == 4.0 and torch_view.shape == (33, 17)
    del numpy_view
    assert memfd_usage("lorad-sample").mappings == before.mappings + 1
    del torch_view
    assert memfd_usage("lorad-sample") == before


def _raw(header: bytes, data: bytes = b"", *, length: int | None = None) -> bytes:
    header += b" " * (-(8 + len(header)) % 8)
    return struct.pack("<Q", len(header) if length is None else length) + header + data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_raw(b"{}", length=1 << 40), "exceeds the segment"),
        (_raw(b"{not json"), "not valid JSON"),
        (_raw(b"[1, 2]"), "not a JSON object"),
        (_raw(json.dumps({"__metadata__": {"a": 1}}).encode()), "__metadata__"),
        (_raw(json.dumps({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}).encode(), bytes(8)), "unsupported dtype"),
        (_raw(json.dumps({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}).encode(), bytes(8)), "shape"),
        (_raw(json.dumps({"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode(), bytes(8)), "outside"),
        (_raw(json.dumps({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}).encode(), bytes(8)), "12 expected"),
        (_raw(json.dumps({"x": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]}}).encode(), bytes(8)), "multiple"),
        (b"\x01\x00", "too small"),
    ],
)
def test_bad_headers_are_refused(data: bytes, message: str) -> None:
    sealed = SealedFile(data, "lorad-bad")
    try:
        before = memfd_usage("lorad-bad")
        fd = sealed.reopen()
        with pytest.raises(SegmentFormatError, match=message):
            SegmentCache().adopt(Descriptor(OVERLAY, 1, sealed.size, fd))
        os.fstat(fd)  # still open: the caller's to close
        os.close(fd)
        assert memfd_usage("lorad-bad") == before
    finally:
        sealed.close()


def test_unsealed_or_short_memfds_are_refused() -> None:
    data = safetensors_bytes({"x": np.zeros(4, np.float32)})
    fd = os.memfd_create("lorad-unsealed", os.MFD_CLOEXEC)
    try:
        os.write(fd, data)
        with pytest.raises(SegmentFormatError, match="not a sealable memfd|not sealed"):
            SegmentCache().adopt(Descriptor(OVERLAY, 1, len(data), fd))
    finally:
        os.close(fd)
    sealed = SealedFile(data, "lorad-short")
    try:
        fd = sealed.reopen()
        with pytest.raises(SegmentFormatError, match="announced"):
            SegmentCache().adopt(Descriptor(OVERLAY, 1, len(data) + 8, fd))
        os.close(fd)
    finally:
        sealed.close()


def test_private_mapping_is_copy_on_write_and_restores_ranges() -> None:
    import torch

    tensors = {  # neighbours share pages: 3000 + 5000 + 9000 bytes of F32 / U8
        "first": np.full(750, 1.0, np.float32),
        "middle": np.full(1250, 2.0, np.float32),
        "last": np.full(9000, 3, np.uint8),
    }
    sealed = SealedFile(safetensors_bytes(tensors), "lorad-private")
    try:
        original = sealed.read()
        base = adopt(SegmentCache(), sealed, BASE)
        private = base.private_mapping()
        assert _mapping_of(private.address).startswith("/memfd:lorad-private")
        views = {name: private.tensor(name, "torch") for name in tensors}
        for view in views.values():
            view.fill_(7)  # copy-on-write: no SIGSEGV, the memfd is unchanged
        assert sealed.read() == original and bytes(base.buffer) == original
        dropped, copied = private.restore(base.entries["middle"].begin, base.entries["middle"].end)
        assert dropped % PAGE_SIZE == 0 and dropped + copied == 5000 and copied > 0
        assert torch.equal(views["middle"], torch.full((1250,), 2.0))
        assert torch.equal(views["first"], torch.full((750,), 7.0))  # neighbours on the edge pages kept
        assert torch.equal(views["last"], torch.full((9000,), 7, dtype=torch.uint8))
        for name in ("first", "last"):
            private.restore(base.entries[name].begin, base.entries[name].end)
        assert bytes(private.buffer) == original
        with pytest.raises(ValueError, match="outside"):
            private.restore(0, base.byte_size + 1)
    finally:
        sealed.close()


def test_flat_descriptors_and_mappings_over_many_switches() -> None:
    """1,000 'switches' among 10 sets: a base adopted every time, one overlay per set."""
    base_file = SealedFile(safetensors_bytes({"w": np.zeros(4096, np.float32)}), "lorad-flat-base")
    overlays = [SealedFile(safetensors_bytes({"w": np.full(4096, i, np.float32)}), "lorad-flat-set") for i in range(10)]
    try:
        cache = SegmentCache(capacity=8)
        before = memfd_usage("lorad-flat")
        generator = random.Random(5)
        current = None
        base = adopt(cache, base_file, BASE)
        for step in range(1000):
            index = generator.randrange(10)
            again = adopt(cache, base_file, BASE, segment_id=step)
            assert again is base
            current = adopt(cache, overlays[index], OVERLAY, segment_id=step)
            assert float(current.tensor("w")[0]) == index
            usage = memfd_usage("lorad-flat")
            assert usage.descriptors == before.descriptors + 1  # the base's, only
            assert usage.mappings <= before.mappings + 1 + 8 + 1  # base + LRU + current
        # Switching back to a recent set maps nothing.
        recent = adopt(cache, overlays[index], OVERLAY)
        mapped = memfd_usage("lorad-flat").mappings
        assert adopt(cache, overlays[index], OVERLAY) is recent is current
        assert memfd_usage("lorad-flat").mappings == mapped
        del base, again, current, recent
        cache.clear()
        assert memfd_usage("lorad-flat") == before
        assert len(cache) == 0
    finally:
        for sealed in [base_file, *overlays]:
            sealed.close()
