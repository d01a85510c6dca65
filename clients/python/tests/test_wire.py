"""The codec against protocol/vectors (PROTOCOL.md, "Golden vectors") and its own rules."""

from __future__ import annotations

import math
import os
import random
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lorad import wire
from lorad.wire import (
    ActiveAdapter,
    AdapterRef,
    Attach,
    BaseInfo,
    BaseOrigin,
    BaseState,
    ErrorCode,
    Export,
    Frame,
    FrameHeader,
    FrameReader,
    Hello,
    HelloReply,
    Import,
    ImportFile,
    Limits,
    ListBasesReply,
    Merge,
    Opcode,
    Ping,
    SegmentDescriptor,
    SegmentKind,
    SessionMode,
    SessionReply,
    Switch,
    WeightedAdapter,
    WireError,
    decode_frame,
    decode_payload,
    encode_frame,
    encode_message,
    encode_payload,
)

VECTORS = Path(__file__).resolve().parents[3] / "protocol" / "vectors"


def read_vector(path: Path) -> tuple[dict[str, str], bytes]:
    """The reader of PROTOCOL.md, "Golden vectors"."""
    meta: dict[str, str] = {}
    data = bytearray()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.strip():
            data += bytes.fromhex(line)
    return meta, bytes(data)


VALID = sorted(VECTORS.glob("*.hex"))
INVALID = sorted((VECTORS / "invalid").glob("*.hex"))


def test_vectors_present() -> None:
    assert len(VALID) >= 40 and len(INVALID) >= 15


@contextmanager
def placeholders(count: int) -> Iterator[list[int]]:
    """``count`` open descriptors on /dev/null; whichever are still open afterwards are closed."""
    fds = [os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC) for _ in range(count)]
    try:
        yield fds
    finally:
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass


def is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def frames_of(data: bytes, fds: list[int], limits: Limits = Limits()) -> list[Frame]:
    reader = FrameReader(limits)
    reader.feed(data, fds)
    frames = list(reader)
    assert reader.at_frame_boundary and not reader.pending_fds
    return frames


def decode_vector(name: str, fds: list[int], version: wire.Version = (1, 1)) -> tuple[dict[str, str], Frame, object]:
    meta, data = read_vector(VECTORS / f"{name}.hex")
    (frame,) = frames_of(data, fds)
    return meta, frame, decode_frame(frame, version=version, direction=meta["direction"])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------
# Valid vectors: decode, re-encode byte for byte
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_vector_round_trips(path: Path) -> None:
    meta, data = read_vector(path)
    assert meta["expect"] == "ok"
    opcode_name, _, opcode_hex = meta["opcode"].partition(" ")
    opcode = int(opcode_hex.strip("()"), 16)
    assert Opcode[opcode_name] == opcode
    with placeholders(int(meta["fds"])) as fds:
        (frame,) = frames_of(data, list(fds))
        assert frame.opcode == opcode and frame.request_id == int(meta["request_id"]) and frame.fds == fds
        message = decode_frame(frame, direction=meta["direction"])  # type: ignore[arg-type]
        if not isinstance(message, SessionReply):
            own = Opcode.ERROR if opcode == Opcode.FATAL else opcode  # FATAL shares ErrorPayload
            assert type(message).OPCODE == own  # type: ignore[union-attr]
        payload, out_fds = encode_payload(message)
        assert payload == frame.payload
        assert out_fds == fds
        assert encode_frame(opcode, frame.request_id, payload, len(out_fds)) == data
        again, again_fds = encode_message(message, frame.request_id, opcode=opcode, limits=Limits())
        assert (again, again_fds) == (data, fds)
        assert decode_payload(opcode, payload, fds, direction=meta["direction"]) == message  # type: ignore[arg-type]


def test_attach_request_fields() -> None:
    # "ATTACH disney (latest) to session 42 with weight 0.8", request id 14
    meta, frame, message = decode_vector("attach_request", [])
    assert frame.request_id == 14
    assert message == Attach(session_id=42, adapter=AdapterRef("disney"), weight=0.8)
    assert str(message.adapter) == "disney"  # type: ignore[attr-defined]


def test_switch_request_fields() -> None:
    # "SWITCH session 42 to [disney (latest) 0.8, watercolor@2 0.3]"
    _, _, message = decode_vector("switch_request", [])
    assert message == Switch(
        42,
        [WeightedAdapter(AdapterRef("disney"), 0.8), WeightedAdapter(AdapterRef.parse("watercolor@2"), 0.3)],
    )
    _, _, empty = decode_vector("switch_request_empty", [])
    assert empty == Switch(42, ())


def test_import_request_fields() -> None:
    # "IMPORT disney from adapter_config.json (fd index 0) and adapter_model.safetensors
    # (fd index 1), alpha 64, base cogvideox-5b, 2 tags, new version allowed"
    with placeholders(2) as fds:
        _, _, message = decode_vector("import_request", fds)
        assert message == Import(
            name="disney",
            files=[ImportFile("adapter_config.json", fds[0]), ImportFile("adapter_model.safetensors", fds[1])],
            alpha=64.0,
            base="cogvideox-5b",
            description="Disney style, 2D",
            tags=["style", "disney"],
            new_version=True,
        )
    with placeholders(1) as fds:
        _, _, minimal = decode_vector("import_request_minimal", fds)
        assert minimal == Import("plain", [ImportFile("pytorch_lora_weights.safetensors", fds[0])])


def test_export_and_merge_request_fields() -> None:
    with placeholders(1) as fds:
        _, _, export = decode_vector("export_request", fds)
        assert export == Export(AdapterRef("disney"), fds[0])
    with placeholders(1) as fds:
        # "MERGE cogvideox-5b + disney (latest) x0.75 - watercolor@2 x0.25 into fd index 0"
        _, _, merge = decode_vector("merge_request", fds)
        assert merge == Merge(
            "cogvideox-5b",
            (WeightedAdapter(AdapterRef("disney"), 0.75), WeightedAdapter(AdapterRef("watercolor", 2), -0.25)),
            fds[0],
        )


def test_session_reply_fields() -> None:
    # "DETACH_REPLY: session 42 factors, generation 3, [disney@1 0.8, watercolor@2 0.3],
    # base + 2 factor segments"
    with placeholders(3) as fds:
        _, frame, reply = decode_vector("detach_reply", fds)
        assert isinstance(reply, SessionReply)
        assert (reply.session_id, reply.base, reply.mode, reply.generation) == (42, "cogvideox-5b", SessionMode.FACTORS, 3)
        assert reply.active == (ActiveAdapter("disney", 1, 0.8), ActiveAdapter("watercolor", 2, 0.3))
        kinds = [(s.kind, s.fd, s.adapter_index) for s in reply.segments]
        assert kinds == [(SegmentKind.BASE, fds[0], None), (SegmentKind.FACTORS, fds[1], 0), (SegmentKind.FACTORS, fds[2], 1)]
        assert reply.segments[0].byte_size == 11142103040
    # "ATTACH_REPLY: session 43 fused, generation 1, [disney@1 0.8], base + overlay"
    with placeholders(2) as fds:
        _, _, fused = decode_vector("attach_reply", fds)
        assert fused.mode is SessionMode.FUSED and fused.generation == 1  # type: ignore[attr-defined]
        assert [s.kind for s in fused.segments] == [SegmentKind.BASE, SegmentKind.OVERLAY]  # type: ignore[attr-defined]


def test_reply_fields() -> None:
    _, _, hello = decode_vector("hello_reply", [])
    assert hello == HelloReply((1, 0), "lorad/0.1.0", 65536, 253, 32)
    assert hello.limits == Limits()  # type: ignore[attr-defined]
    _, _, request = decode_vector("hello_request", [])
    assert request == Hello((1, 0), (1, 0), "loractl/0.1")
    _, _, ping = decode_vector("ping_request", [])
    assert ping == Ping(0x0123456789ABCDEF)
    _, _, error = decode_vector("error_reply", [])
    assert (error.code, error.name) == (100, "not_found")  # type: ignore[attr-defined]
    assert error.message == 'no adapter named "disney"; see loractl list'  # type: ignore[attr-defined]
    _, frame, fatal = decode_vector("fatal_error", [])
    assert frame.opcode == Opcode.FATAL and frame.request_id == 0
    assert (fatal.code, fatal.name) == (3, "unsupported_version")  # type: ignore[attr-defined]
    _, frame, event = decode_vector("shutting_down_event", [])
    assert event == wire.ShuttingDown(5000, "SIGTERM") and frame.request_id == 0
    _, _, evict = decode_vector("evict_reply", [])
    assert evict == wire.EvictReply(3, 2281701376)
    _, _, merged = decode_vector("merge_reply", [])
    assert merged == wire.MergeReply(11142103368, 240)
    _, _, cancel = decode_vector("cancel_reply", [])
    assert cancel == wire.CancelReply(True)
    _, _, show = decode_vector("show_adapter_reply", [])
    assert (show.name, show.version, show.source_format, show.rank, show.alpha) == ("watercolor", 2, "peft", 32, 16.0)  # type: ignore[attr-defined]
    assert len(show.digest) == 64 and show.tags == ("style",)  # type: ignore[attr-defined]
    _, _, page = decode_vector("list_adapters_reply", [])
    assert [a.name for a in page.adapters] == ["disney", "watercolor"] and page.next_after == "watercolor"  # type: ignore[attr-defined]
    _, _, listing = decode_vector("list_adapters_request_filtered", [])
    assert listing == wire.ListAdapters(base="cogvideox-5b", tag="style", after="disney", limit=50)
    _, _, verify = decode_vector("verify_reply", [])
    assert verify.checked == 12 and verify.problems[0].subject == "watercolor@1"  # type: ignore[attr-defined]
    _, _, stats = decode_vector("stats_reply", [])
    assert stats.uptime_ms == 3600000 and stats.connections == 2  # type: ignore[attr-defined]
    _, _, remove = decode_vector("remove_request", [])
    assert remove == wire.Remove(AdapterRef("watercolor", 2), force=True)
    _, _, gc = decode_vector("gc_request", [])
    assert gc == wire.GC(dry_run=True)


# ----------------------------------------------------------------------------------------
# Protocol versions: BaseInfo.origin exists from 1.1 on
# ----------------------------------------------------------------------------------------


def test_base_info_origin_by_version() -> None:
    _, data = read_vector(VECTORS / "list_bases_reply_origin.hex")
    payload = data[16:]
    at11 = decode_payload(Opcode.LIST_BASES_REPLY, payload, version=(1, 1))
    assert at11 == ListBasesReply(
        (
            BaseInfo("cogvideox-5b", BaseState.READY, 11142103040, 842, BaseOrigin.FD_STORE),
            BaseInfo("cogvideox-2b", BaseState.CONFIGURED, 0, 0, BaseOrigin.NOT_RESIDENT),
        )
    )
    assert encode_payload(at11, (1, 1))[0] == payload
    # A 1.0 reader skips the field (records may grow), and a 1.0 writer leaves it out.
    at10 = decode_payload(Opcode.LIST_BASES_REPLY, payload, version=(1, 0))
    assert [b.origin for b in at10.bases] == [None, None]  # type: ignore[attr-defined]
    _, plain = read_vector(VECTORS / "list_bases_reply.hex")
    assert encode_payload(at10, (1, 0))[0] == plain[16:]
    assert encode_payload(at11, (1, 0))[0] == plain[16:]
    # A 1.1 reader treats a missing origin (a 1.0 server) as unknown.
    assert [b.origin for b in decode_payload(Opcode.LIST_BASES_REPLY, plain[16:]).bases] == [None, None]  # type: ignore[attr-defined]
    # Bad origin values are malformed only where the field exists.
    bad = bytearray(payload)
    bad[payload.index(b"\x4a\x03\x00\x00") + 4] = 7
    with pytest.raises(WireError) as info:
        decode_payload(Opcode.LIST_BASES_REPLY, bytes(bad), version=(1, 1))
    assert info.value.code == ErrorCode.MALFORMED_FRAME
    decode_payload(Opcode.LIST_BASES_REPLY, bytes(bad), version=(1, 0))


def test_record_and_payload_trailing_bytes_ignored() -> None:
    _, data = read_vector(VECTORS / "verify_reply.hex")
    payload = bytearray(data[16:])
    expected = decode_payload(Opcode.VERIFY_REPLY, bytes(payload))
    # Grow the one record by 3 bytes (a newer peer's fields) and the payload by 5.
    record_at = 10
    (length,) = struct.unpack_from("<H", payload, record_at)
    end = record_at + 2 + length
    grown = payload[:record_at] + struct.pack("<H", length + 3) + payload[record_at + 2 : end] + b"xyz" + payload[end:]
    assert decode_payload(Opcode.VERIFY_REPLY, bytes(grown) + b"\x01\x02\x03\x04\x05") == expected


# ----------------------------------------------------------------------------------------
# Invalid vectors
# ----------------------------------------------------------------------------------------

# Rules that need the server's state have no vectors (first frame not HELLO:
# handshake_required; a second HELLO or a request id already in flight: protocol_violation;
# too_many_requests). Every vector below is rejected by the codec alone: request-id and
# opcode-direction rules by decode_frame, the rest by FrameReader or decode_payload. Sent raw
# to a live lorad they are tested by the live tests.


def reject(data: bytes, fds: list[int], direction: str, *, bytewise: bool) -> WireError:
    """Feeds ``data`` (descriptors with its first byte) to a FrameReader and decodes what
    comes out; returns the WireError raised. Closes every descriptor, as a receiver must."""
    reader = FrameReader()
    frames: list[Frame] = []
    try:
        chunks = [data[i : i + 1] for i in range(len(data))] if bytewise else [data]
        for i, chunk in enumerate(chunks):
            reader.feed(chunk, fds if i == 0 else [])
            while (frame := reader.next()) is not None:
                frames.append(frame)
                decode_frame(frame, direction=direction)  # type: ignore[arg-type]
    except WireError as error:
        return error
    finally:
        reader.close_pending()
        for frame in frames:
            for fd in frame.fds:
                os.close(fd)
    raise AssertionError("accepted")


@pytest.mark.parametrize("bytewise", [False, True], ids=["whole", "bytewise"])
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_vector_rejected(path: Path, bytewise: bool) -> None:
    meta, data = read_vector(path)
    kind, _, code_name = meta["expect"].partition(" ")
    assert kind == "error"
    with placeholders(int(meta["fds"])) as fds:
        error = reject(data, list(fds), meta["direction"], bytewise=bytewise)
        assert error.code == ErrorCode[code_name.upper()], str(error)
        assert not any(is_open(fd) for fd in fds), "a rejected frame's descriptors must be closed"


# ----------------------------------------------------------------------------------------
# Robustness: truncation and mutation raise only WireError
# ----------------------------------------------------------------------------------------


def _vector_cases() -> list[tuple[str, int, bytes, int, str]]:
    cases = []
    for path in VALID:
        meta, data = read_vector(path)
        cases.append((path.stem, FrameHeader.unpack(data).opcode, data[16:], int(meta["fds"]), meta["direction"]))
    return cases


CASES = _vector_cases()


def test_truncated_payloads_raise_wire_error() -> None:
    checked = 0
    for name, opcode, payload, nfds, direction in CASES:
        fds = list(range(100, 100 + nfds))
        for cut in range(len(payload)):
            with pytest.raises(WireError) as info:
                decode_payload(opcode, payload[:cut], fds, direction=direction)  # type: ignore[arg-type]
            assert info.value.code in (ErrorCode.MALFORMED_FRAME, ErrorCode.FD_COUNT_MISMATCH), (name, cut)
            checked += 1
    assert checked > 1000


def _mutate(rng: random.Random, payload: bytes) -> bytes:
    data = bytearray(payload)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 2:
            data.insert(rng.randint(0, len(data)), rng.randrange(256))
        elif op == 3 and data:
            del data[rng.randrange(len(data))]
        elif op == 4 and len(data) >= 2:
            at = rng.randrange(len(data) - 1)
            data[at : at + 2] = struct.pack("<H", rng.choice([0, 1, 2, 63, 64, 65, 128, 129, 0xFFFF]))
        elif op == 5:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def test_mutation_fuzz_raises_only_wire_error() -> None:
    rng = random.Random(0x10AD)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(4000):
        name, opcode, payload, nfds, direction = rng.choice(CASES)
        fds = list(range(100, 100 + max(0, nfds + rng.choice([0, 0, 0, -1, 1]))))
        mutated = _mutate(rng, payload)
        version = rng.choice([(1, 0), (1, 1)])
        try:
            message = decode_payload(opcode, mutated, fds, version=version, direction=direction)  # type: ignore[arg-type]
        except WireError:
            outcomes["error"] += 1
            continue
        outcomes["ok"] += 1
        # Whatever decodes re-encodes, and decodes again to the same bytes.
        encoded, out_fds = encode_payload(message, version)
        assert sorted(out_fds) == sorted(fds)
        again = decode_payload(opcode, encoded, out_fds, version=version, direction=direction)  # type: ignore[arg-type]
        assert encode_payload(again, version) == (encoded, out_fds)
    assert outcomes["ok"] > 100 and outcomes["error"] > 1000, outcomes


def test_frame_fuzz_raises_only_wire_error() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        _, data = read_vector(rng.choice(VALID + INVALID))
        mutated = _mutate(rng, data)
        reader = FrameReader(Limits(max_frame_bytes=4096, max_fds_per_frame=4))
        fds = list(range(200, 200 + rng.randrange(6)))
        try:
            reader.feed(mutated[:7], fds)
            reader.feed(mutated[7:])
            for frame in reader:
                decode_frame(frame, direction=rng.choice(["server-to-client", "client-to-server"]))
        except WireError:
            pass


# ----------------------------------------------------------------------------------------
# FrameReader
# ----------------------------------------------------------------------------------------


def _stream() -> tuple[bytes, list[int], list[tuple[int, list[int]]]]:
    """Every valid vector back to back, with fake descriptor numbers: the bytes, all
    descriptors, and (frame offset, its descriptors) per frame."""
    data = bytearray()
    fds: list[int] = []
    starts: list[tuple[int, list[int]]] = []
    next_fd = 1000
    for path in VALID:
        meta, frame = read_vector(path)
        own = list(range(next_fd, next_fd + int(meta["fds"])))
        next_fd += len(own)
        starts.append((len(data), own))
        data += frame
        fds += own
    return bytes(data), fds, starts


def _read_in_chunks(data: bytes, starts: list[tuple[int, list[int]]], cuts: list[int]) -> list[Frame]:
    fds_at = dict((offset, own) for offset, own in starts)
    reader = FrameReader()
    frames: list[Frame] = []
    bounds = sorted(set([0, len(data)] + cuts + [offset for offset, own in starts if own]))
    for a, b in zip(bounds, bounds[1:]):
        reader.feed(data[a:b], fds_at.get(a, []))
        frames.extend(reader)
    assert reader.at_frame_boundary and not reader.pending_fds
    return frames


def test_frame_reader_bytewise_equals_whole() -> None:
    data, fds, starts = _stream()
    whole = frames_of(data, fds)
    assert len(whole) == len(VALID)
    assert _read_in_chunks(data, starts, list(range(len(data)))) == whole
    rng = random.Random(3)
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 60)))
        assert _read_in_chunks(data, starts, cuts) == whole


def test_frame_reader_checks_header_before_payload() -> None:
    reader = FrameReader(Limits(max_frame_bytes=4096))
    reader.feed(encode_frame(Opcode.PING, 1, b"", 0)[:4])
    reader.feed(b"")
    assert reader.next() is None
    header = FrameHeader(4096 - 15, Opcode.PING, 0, 0, 0, 1).pack()
    reader = FrameReader(Limits(max_frame_bytes=4096))
    reader.feed(header)  # no payload yet: the length alone is refused
    with pytest.raises(WireError) as info:
        reader.next()
    assert info.value.code == ErrorCode.FRAME_TOO_LARGE
    with pytest.raises(WireError):  # sticky
        reader.next()
    reader = FrameReader(Limits(max_fds_per_frame=2))
    reader.feed(FrameHeader(0, Opcode.PING, 0, 3, 0, 1).pack(), [1, 2, 3])
    with pytest.raises(WireError) as info:
        reader.next()
    assert info.value.code == ErrorCode.FRAME_TOO_LARGE


def test_frame_reader_descriptor_rules() -> None:
    ping = encode_frame(Opcode.PING, 1, bytes(8), 0)
    cases: list[tuple[list[tuple[bytes, list[int]]], str]] = [
        ([(b"", [5])], "descriptors with no frame"),
        ([(ping, []), (b"", [5])], "descriptors after a complete frame"),
        ([(ping[:3], [1, 2, 3])], "more than max_fds_per_frame while the header is partial"),
        ([(ping[:16], [5])], "more descriptors than fd_count once the header is in"),
        ([(encode_frame(Opcode.EXPORT, 1, bytes(11), 2)[:20], [5])], "fewer than fd_count"),
    ]
    for feeds, why in cases:
        reader = FrameReader(Limits(max_fds_per_frame=2))
        with pytest.raises(WireError) as info:
            for data, fds in feeds:
                reader.feed(data, fds)
                list(reader)
        assert info.value.code == ErrorCode.FD_COUNT_MISMATCH, why
    # A partial header may carry its frame's descriptors.
    reader = FrameReader()
    frame = encode_frame(Opcode.EXPORT, 1, bytes(11), 1)
    reader.feed(frame[:5], [9])
    assert reader.next() is None and reader.pending_fds == (9,)
    reader.feed(frame[5:])
    assert reader.next() == Frame(Opcode.EXPORT, 0, 1, bytes(11), [9])


def test_frame_reader_close_pending() -> None:
    with placeholders(2) as fds:
        reader = FrameReader()
        reader.feed(encode_frame(Opcode.MERGE, 3, bytes(20), 2)[:30], fds)
        assert reader.next() is None and not reader.at_frame_boundary
        reader.close_pending()
        assert not any(is_open(fd) for fd in fds)
        assert reader.pending_fds == () and reader.at_frame_boundary


def test_frame_reader_ignores_advisory_flags_and_skips_unknown_opcodes() -> None:
    frame = encode_frame(0x4FFF, 0, b"future", 0, flags=0x0100) + encode_frame(Opcode.PING_REPLY, 2, bytes(8), 0)
    first, second = frames_of(frame, [])
    assert first.flags == 0x0100
    with pytest.raises(WireError) as info:
        decode_frame(first)
    assert info.value.code == ErrorCode.UNKNOWN_OPCODE and wire.opcode_kind(first.opcode) == "event"
    assert decode_frame(second) == wire.PingReply(0)


# ----------------------------------------------------------------------------------------
# Headers, request ids, directions
# ----------------------------------------------------------------------------------------


def test_frame_header_parse() -> None:
    header = FrameHeader.parse(encode_frame(Opcode.PING, 7, bytes(8), 0))
    assert header == FrameHeader(8, Opcode.PING, 0, 0, 0, 7)
    assert FrameHeader.parse(header.pack()) == header
    for bad, code in [
        (FrameHeader(8, 2, 0x0080, 0, 0, 7), ErrorCode.MALFORMED_FRAME),
        (FrameHeader(8, 2, 0, 0, 2, 7), ErrorCode.MALFORMED_FRAME),
        (FrameHeader(65521, 2, 0, 0, 0, 7), ErrorCode.FRAME_TOO_LARGE),
        (FrameHeader(8, 2, 0, 254, 0, 7), ErrorCode.FRAME_TOO_LARGE),
    ]:
        with pytest.raises(WireError) as info:
            FrameHeader.parse(bad.pack())
        assert info.value.code == code
    assert FrameHeader.parse(FrameHeader(65520, 2, 0xFF00, 253, 0, 7).pack()).flags == 0xFF00
    with pytest.raises(WireError):
        FrameHeader.parse(b"\0" * 15)


def test_request_id_and_direction_rules() -> None:
    def code_of(frame: Frame, direction: str) -> ErrorCode:
        with pytest.raises(WireError) as info:
            decode_frame(frame, direction=direction)  # type: ignore[arg-type]
        return info.value.code

    s2c, c2s = "server-to-client", "client-to-server"
    assert code_of(Frame(Opcode.PING_REPLY, 0, 0, bytes(8), []), s2c) == ErrorCode.MALFORMED_FRAME
    error = encode_payload(wire.ErrorPayload(100, "not_found", "x"))[0]
    assert code_of(Frame(Opcode.ERROR, 0, 0, error, []), s2c) == ErrorCode.MALFORMED_FRAME
    assert decode_frame(Frame(Opcode.FATAL, 0, 0, error, []), direction=s2c) == wire.ErrorPayload(100, "not_found", "x")
    assert decode_frame(Frame(Opcode.FATAL, 0, 9, error, []), direction=s2c).code == 100  # type: ignore[union-attr]
    assert code_of(Frame(Opcode.PING, 0, 1, bytes(8), []), s2c) == ErrorCode.PROTOCOL_VIOLATION
    assert code_of(Frame(0x8099, 0, 1, b"", []), s2c) == ErrorCode.UNKNOWN_OPCODE
    assert code_of(Frame(Opcode.SHUTTING_DOWN, 0, 1, b"", []), c2s) == ErrorCode.PROTOCOL_VIOLATION
    assert code_of(Frame(Opcode.ERROR, 0, 1, error, []), c2s) == ErrorCode.PROTOCOL_VIOLATION
    assert code_of(Frame(0x0000, 0, 1, b"", []), c2s) == ErrorCode.PROTOCOL_VIOLATION
    assert code_of(Frame(0x3FFF, 0, 1, b"", []), c2s) == ErrorCode.UNKNOWN_OPCODE
    with pytest.raises(ValueError):
        decode_payload(Opcode.PING, bytes(8), direction="sideways")  # type: ignore[arg-type]


def test_opcode_kinds() -> None:
    assert [wire.opcode_kind(op) for op in (0, 1, 0x3FFF, 0x4000, 0x7FFF, 0x8000, 0xBFFF, 0xC000, 0xFFFD, 0xFFFE, 0xFFFF)] == [
        "reserved", "request", "request", "event", "event", "reply", "reply", "reserved", "reserved", "error", "fatal",
    ]  # fmt: skip
    for op in Opcode:
        if wire.opcode_kind(op) == "request":
            assert Opcode(op | 0x8000).name == op.name + "_REPLY"


# ----------------------------------------------------------------------------------------
# Encoders
# ----------------------------------------------------------------------------------------


def _refused(message: object, version: wire.Version = (1, 1)) -> str:
    with pytest.raises(WireError) as info:
        encode_payload(message, version)  # type: ignore[arg-type]
    assert info.value.code == ErrorCode.INVALID_ARGUMENT
    return info.value.message


def test_encoders_refuse_out_of_bound_values() -> None:
    ok = WeightedAdapter(AdapterRef("a"), 1.0)
    assert "129 bytes" in _refused(Hello((1, 0), (1, 1), "n" * 129))
    encode_payload(Hello((1, 0), (1, 1), "n" * 128))
    assert "130 bytes" in _refused(wire.Detach(1, "é" * 65))  # bounds count UTF-8 bytes
    assert "65 items" in _refused(Switch(1, [ok] * 65))
    encode_payload(Switch(1, [ok] * 64))
    assert "33 items" in _refused(Import("a", [ImportFile("f", 3)], tags=["t"] * 33))
    assert "17 items" in _refused(Import("a", [ImportFile("f", 3)] * 17))
    _refused(wire.Detach(1, "\ud800"))
    _refused(Ping(-1))
    _refused(Ping(1 << 64))
    _refused(wire.Cancel(1 << 32))
    _refused(Attach(1, AdapterRef("a", 1 << 32), 0.5))
    _refused(Attach(1, AdapterRef("a"), "0.5"))
    _refused(Attach(1, "a", 0.5))
    _refused(wire.OpenSession("b", 2))
    _refused(wire.GC(2))
    _refused(Hello((1,), (1, 1), "x"))
    _refused(Export(AdapterRef("a"), -1))
    _refused(wire.ShuttingDown(1, "r" * 257))
    _refused(wire.ErrorPayload(1 << 16, "x", "y"))
    _refused(HelloReply((1, 1), "s", 1024, 253, 32))
    _refused(HelloReply((1, 1), "s", 65536, 254, 32))
    _refused(HelloReply((1, 1), "s", 65536, 253, 0))
    with pytest.raises(TypeError):
        encode_payload("PING")  # type: ignore[arg-type]


def _segment(kind: int, index: int | None, fd_index: int) -> bytes:
    body = struct.pack("<BQQH", kind, 9, 10, fd_index) + (b"\x00" if index is None else struct.pack("<BH", 1, index))
    return struct.pack("<H", len(body)) + body


def _session_payload(active: int, segments: list[bytes]) -> bytes:
    record = struct.pack("<HH", 15, 1) + b"a" + struct.pack("<Id", 1, 0.5)
    return (
        struct.pack("<QH", 5, 1) + b"b" + struct.pack("<BQH", 0, 1, active) + record * active
        + struct.pack("<H", len(segments)) + b"".join(segments)
    )  # fmt: skip


def test_session_reply_consistency() -> None:
    active = (ActiveAdapter("a", 1, 0.5),)
    base = SegmentDescriptor(SegmentKind.BASE, 9, 10, 7)
    factors = SegmentDescriptor(SegmentKind.FACTORS, 9, 10, 8, adapter_index=0)
    good = SessionReply(5, "b", SessionMode.FACTORS, 1, active, (base, factors))
    payload, fds = encode_payload(good)
    assert fds == [7, 8]
    assert payload == _session_payload(1, [_segment(0, None, 0), _segment(1, 0, 1)])
    assert decode_payload(Opcode.SWITCH_REPLY, payload, [40, 41]) == SessionReply(
        5, "b", SessionMode.FACTORS, 1, active,
        (SegmentDescriptor(SegmentKind.BASE, 9, 10, 40), SegmentDescriptor(SegmentKind.FACTORS, 9, 10, 41, 0)),
    )  # fmt: skip
    # Encoders refuse an inconsistent reply; decoders call the same bytes malformed.
    for bad, wire_form in [
        (SessionReply(5, "b", SessionMode.FACTORS, 1, (), (base, factors)), _session_payload(0, [_segment(0, None, 0), _segment(1, 0, 1)])),
        (SessionReply(5, "b", SessionMode.FACTORS, 1, active, (SegmentDescriptor(SegmentKind.FACTORS, 9, 10, 8),)), _session_payload(1, [_segment(1, None, 0)])),
        (SessionReply(5, "b", SessionMode.FACTORS, 1, active, (SegmentDescriptor(SegmentKind.OVERLAY, 9, 10, 8, 0),)), _session_payload(1, [_segment(2, 0, 0)])),
        (SessionReply(5, "b", SessionMode.FACTORS, 1, active, (SegmentDescriptor(SegmentKind.BASE, 9, 10, 8, 0),)), _session_payload(1, [_segment(0, 0, 0)])),
    ]:  # fmt: skip
        _refused(bad)
        with pytest.raises(WireError) as info:
            decode_payload(Opcode.SWITCH_REPLY, wire_form, list(range(40, 40 + wire_form.count(b"\x09\x00\x00\x00"))))
        assert info.value.code == ErrorCode.MALFORMED_FRAME


def test_descriptor_indices() -> None:
    message = Import("a", [ImportFile("x", 30), ImportFile("y", 31), ImportFile("z", 30)])
    payload, fds = encode_payload(message)
    assert fds == [30, 31, 30]
    assert decode_payload(Opcode.IMPORT, payload, [5, 6, 7], direction="client-to-server") == Import(
        "a", [ImportFile("x", 5), ImportFile("y", 6), ImportFile("z", 7)]
    )
    for fds_in in ([5, 6], [5, 6, 7, 8]):
        with pytest.raises(WireError) as info:
            decode_payload(Opcode.IMPORT, payload, fds_in, direction="client-to-server")
        assert info.value.code == ErrorCode.FD_COUNT_MISMATCH
    twice = payload.replace(b"y\x01\x00", b"y\x00\x00")  # file y names index 0, like x
    with pytest.raises(WireError) as info:
        decode_payload(Opcode.IMPORT, twice, [5, 6, 7], direction="client-to-server")
    assert info.value.code == ErrorCode.FD_COUNT_MISMATCH and "twice" in info.value.message


def test_encode_frame_and_message_limits() -> None:
    with pytest.raises(WireError) as info:
        encode_frame(Opcode.PING, 1, bytes(65521), 0, limits=Limits())
    assert info.value.code == ErrorCode.FRAME_TOO_LARGE
    assert len(encode_frame(Opcode.PING, 1, bytes(65520), 0, limits=Limits())) == 65536
    with pytest.raises(WireError) as info:
        encode_frame(Opcode.PING, 1, b"", 254, limits=Limits())
    assert info.value.code == ErrorCode.FRAME_TOO_LARGE
    with pytest.raises(WireError) as info:
        encode_frame(Opcode.PING, 1 << 32, b"", 0)
    assert info.value.code == ErrorCode.INVALID_ARGUMENT
    with pytest.raises(WireError):
        encode_message(Ping(1), 0)
    with pytest.raises(TypeError):
        encode_message(SessionReply(1, "b", SessionMode.FUSED, 0, (), ()), 3)


def test_strict_utf8_and_tags() -> None:
    def hello(name: bytes) -> bytes:
        return struct.pack("<HHHHH", 1, 0, 1, 1, len(name)) + name

    assert decode_payload(Opcode.HELLO, hello("é€😀".encode()), direction="client-to-server").client_name == "é€😀"  # type: ignore[union-attr]
    for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\xff"):
        with pytest.raises(WireError) as info:
            decode_payload(Opcode.HELLO, hello(bad), direction="client-to-server")
        assert info.value.code == ErrorCode.MALFORMED_FRAME
    for byte in (2, 255):
        with pytest.raises(WireError):
            decode_payload(Opcode.GC, bytes([byte]), direction="client-to-server")
        with pytest.raises(WireError):
            decode_payload(Opcode.EVICT, bytes([byte]), direction="client-to-server")
    with pytest.raises(WireError):
        decode_payload(Opcode.OPEN_SESSION, b"\x01\x00b\x02", direction="client-to-server")


def test_floats_carried_unchanged() -> None:
    for bits in (0x7FF8000000000001, 0x7FF0000000000001, 0xFFF0000000000000, 0x8000000000000000):
        payload = struct.pack("<Q", 1) + b"\x01\x00a\x00" + struct.pack("<Q", bits)
        message = decode_payload(Opcode.ATTACH, payload, direction="client-to-server")
        assert encode_payload(message)[0] == payload
    assert math.isnan(decode_payload(Opcode.ATTACH, payload[:-8] + struct.pack("<d", math.nan), direction="client-to-server").weight)  # type: ignore[union-attr]


def test_hello_reply_limits_validated() -> None:
    good = encode_payload(HelloReply((1, 1), "s", 4096, 1, 1))[0]
    assert decode_payload(Opcode.HELLO_REPLY, good).limits == Limits(4096, 1, 1)  # type: ignore[union-attr]
    for fields in [(4095, 1, 1), (16777217, 1, 1), (4096, 0, 1), (4096, 254, 1), (4096, 1, 0)]:
        bad = good[:-8] + struct.pack("<IHH", *fields)
        with pytest.raises(WireError) as info:
            decode_payload(Opcode.HELLO_REPLY, bad)
        assert info.value.code == ErrorCode.MALFORMED_FRAME


def test_adapter_ref() -> None:
    assert AdapterRef.parse("disney@2") == AdapterRef("disney", 2)
    assert str(AdapterRef.parse("disney@2")) == "disney@2"
    assert AdapterRef.parse("disney") == AdapterRef("disney") and str(AdapterRef("disney")) == "disney"
    for bad in ("disney@", "disney@0", "disney@x", "disney@-1", "disney@4294967296", "disney@١"):
        with pytest.raises(ValueError):
            AdapterRef.parse(bad)
    assert wire.valid_name("cogvideox-5b") and wire.valid_name("a" * 128)
    assert not any(wire.valid_name(n) for n in ("", "-a", "a" * 129, "a b", "a@1", "é"))


def test_messages_are_frozen_and_hashable() -> None:
    message = Switch(1, [WeightedAdapter(AdapterRef("a"), 0.5)])
    assert isinstance(message.adapters, tuple) and hash(message) == hash(Switch(1, (WeightedAdapter(AdapterRef("a"), 0.5),)))
    with pytest.raises(AttributeError):
        message.session_id = 2  # type: ignore[misc]
    assert SessionReply.__dict__.get("OPCODE") is None and Switch.OPCODE == Opcode.SWITCH
