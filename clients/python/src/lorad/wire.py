"""The lorad wire protocol (protocol/PROTOCOL.md, version 1.2) as a pure codec.

Nothing here does I/O or owns a socket. The module turns messages into bytes and back:

- one frozen dataclass per payload (requests, replies, the SHUTTING_DOWN event and the
  ERROR/FATAL payload) and per record, with the field names of PROTOCOL.md;
- :func:`encode_payload` / :func:`decode_payload` for payloads, :func:`encode_frame` and
  :class:`FrameHeader` for the 16-byte header, :func:`encode_message` and
  :func:`decode_frame` for both at once;
- :class:`FrameReader`, which reassembles frames from received bytes and descriptors and
  enforces the descriptor-queue rules.

Every check a peer can fail raises :class:`WireError` with the protocol's
:class:`ErrorCode` (``malformed_frame``, ``frame_too_large``, ``fd_count_mismatch``,
``unknown_opcode``, ``protocol_violation``). Encoders refuse values the protocol cannot carry
(a string or list over its bound, an integer out of range, an unknown enum value) with
``WireError(INVALID_ARGUMENT)``: that is the caller's mistake, not a broken peer.

Descriptors are plain ``int``\\ s here. The codec never opens, duplicates or closes one, except
:meth:`FrameReader.close_pending`, which closes the descriptors the reader still holds.
"""

from __future__ import annotations

import enum
import os
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, Union

__all__ = [
    "PROTOCOL_MIN",
    "PROTOCOL_MAX",
    "HEADER_SIZE",
    "MAX_NAME_BYTES",
    "MAX_SOFTWARE_NAME_BYTES",
    "MAX_DESCRIPTION_BYTES",
    "MAX_FILE_NAME_BYTES",
    "MAX_LABEL_BYTES",
    "MAX_DIGEST_BYTES",
    "MAX_ERROR_NAME_BYTES",
    "MAX_MESSAGE_BYTES",
    "MAX_SHORT_TEXT_BYTES",
    "MAX_TAGS",
    "MAX_IMPORT_FILES",
    "MAX_ACTIVE_ADAPTERS",
    "MAX_SEGMENTS",
    "MAX_LIST_ENTRIES",
    "MAX_VERIFY_PROBLEMS",
    "Version",
    "Direction",
    "Opcode",
    "opcode_kind",
    "ErrorCode",
    "SessionMode",
    "SegmentKind",
    "BaseState",
    "BaseOrigin",
    "Limits",
    "WireError",
    "valid_name",
    "AdapterRef",
    "WeightedAdapter",
    "ActiveAdapter",
    "SegmentDescriptor",
    "BaseInfo",
    "AdapterSummary",
    "ImportFile",
    "VerifyProblem",
    "Hello",
    "HelloReply",
    "Ping",
    "PingReply",
    "Cancel",
    "CancelReply",
    "ListBases",
    "ListBasesReply",
    "ListAdapters",
    "ListAdaptersReply",
    "ShowAdapter",
    "ShowAdapterReply",
    "Import",
    "ImportReply",
    "Export",
    "ExportReply",
    "Remove",
    "RemoveReply",
    "OpenSession",
    "Attach",
    "Detach",
    "Switch",
    "CloseSession",
    "CloseSessionReply",
    "GetSegments",
    "SessionReply",
    "Merge",
    "MergeReply",
    "Evict",
    "EvictReply",
    "Stats",
    "StatsReply",
    "Verify",
    "VerifyReply",
    "GC",
    "GCReply",
    "ShuttingDown",
    "ErrorPayload",
    "Message",
    "FrameHeader",
    "Frame",
    "FrameReader",
    "encode_payload",
    "decode_payload",
    "encode_frame",
    "encode_message",
    "decode_frame",
]

Version = tuple[int, int]
"""A protocol version as ``(major, minor)``."""

Direction = Literal["server-to-client", "client-to-server"]
"""Which way a frame travels; it decides which opcodes :func:`decode_payload` accepts."""

PROTOCOL_MIN: Version = (1, 0)
"""The oldest protocol version this codec speaks."""
PROTOCOL_MAX: Version = (1, 2)
"""The newest protocol version this codec speaks: 1.1 adds BaseInfo's ``origin``, 1.2 the error
codes ``too_many_connections`` and ``output_stalled`` (no payload changes)."""

HEADER_SIZE = 16
"""Bytes in every frame header."""

# Fixed bounds of PROTOCOL.md "Limits": strings in UTF-8 bytes, lists in items.
MAX_NAME_BYTES = 128
MAX_SOFTWARE_NAME_BYTES = 128
MAX_DESCRIPTION_BYTES = 4096
MAX_FILE_NAME_BYTES = 255
MAX_LABEL_BYTES = 32
MAX_DIGEST_BYTES = 128
MAX_ERROR_NAME_BYTES = 64
MAX_MESSAGE_BYTES = 1024
MAX_SHORT_TEXT_BYTES = 256
MAX_TAGS = 32
MAX_IMPORT_FILES = 16
MAX_ACTIVE_ADAPTERS = 64
MAX_SEGMENTS = 65
MAX_LIST_ENTRIES = 1024
MAX_VERIFY_PROBLEMS = 64

_CRITICAL_FLAGS = 0x00FF
_KNOWN_FLAGS = 0x0000  # version 1.x defines no flag bits
_MIN_FRAME_BYTES = 4096
_MAX_FRAME_BYTES = 16 << 20
_MAX_FDS = 253  # SCM_MAX_FD

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


class Opcode(enum.IntEnum):
    """Frame opcodes. Requests 0x0001-0x3FFF, events 0x4000-0x7FFF, replies
    ``request | 0x8000``, ERROR 0xFFFE, FATAL 0xFFFF (see :func:`opcode_kind`)."""

    HELLO = 0x0001
    PING = 0x0002
    CANCEL = 0x0003
    LIST_BASES = 0x0010
    LIST_ADAPTERS = 0x0011
    SHOW_ADAPTER = 0x0012
    IMPORT = 0x0013
    EXPORT = 0x0014
    REMOVE = 0x0015
    OPEN_SESSION = 0x0020
    ATTACH = 0x0021
    DETACH = 0x0022
    SWITCH = 0x0023
    CLOSE_SESSION = 0x0024
    GET_SEGMENTS = 0x0025
    MERGE = 0x0030
    EVICT = 0x0040
    STATS = 0x0041
    VERIFY = 0x0042
    GC = 0x0043
    SHUTTING_DOWN = 0x4001
    HELLO_REPLY = 0x8001
    PING_REPLY = 0x8002
    CANCEL_REPLY = 0x8003
    LIST_BASES_REPLY = 0x8010
    LIST_ADAPTERS_REPLY = 0x8011
    SHOW_ADAPTER_REPLY = 0x8012
    IMPORT_REPLY = 0x8013
    EXPORT_REPLY = 0x8014
    REMOVE_REPLY = 0x8015
    OPEN_SESSION_REPLY = 0x8020
    ATTACH_REPLY = 0x8021
    DETACH_REPLY = 0x8022
    SWITCH_REPLY = 0x8023
    CLOSE_SESSION_REPLY = 0x8024
    GET_SEGMENTS_REPLY = 0x8025
    MERGE_REPLY = 0x8030
    EVICT_REPLY = 0x8040
    STATS_REPLY = 0x8041
    VERIFY_REPLY = 0x8042
    GC_REPLY = 0x8043
    ERROR = 0xFFFE
    FATAL = 0xFFFF


def opcode_kind(opcode: int) -> Literal["request", "event", "reply", "error", "fatal", "reserved"]:
    """The range a raw opcode falls in, known to this version or not: ``"request"``
    (0x0001-0x3FFF), ``"event"`` (0x4000-0x7FFF), ``"reply"`` (0x8000-0xBFFF), ``"error"``
    (0xFFFE), ``"fatal"`` (0xFFFF), else ``"reserved"`` (0x0000, 0xC000-0xFFFD). A client
    ignores unknown ``"event"`` opcodes (closing their descriptors)."""
    if 0x0001 <= opcode <= 0x3FFF:
        return "request"
    if 0x4000 <= opcode <= 0x7FFF:
        return "event"
    if 0x8000 <= opcode <= 0xBFFF:
        return "reply"
    if opcode == 0xFFFE:
        return "error"
    if opcode == 0xFFFF:
        return "fatal"
    return "reserved"


class ErrorCode(enum.IntEnum):
    """The protocol's error codes (PROTOCOL.md, "Errors"). 1-7 are FATAL except
    UNKNOWN_OPCODE; 100 and up are ERROR replies, except the refusals at connect (FATAL 104
    and 114). A peer may send codes newer than these."""

    MALFORMED_FRAME = 1
    UNKNOWN_OPCODE = 2
    UNSUPPORTED_VERSION = 3
    FRAME_TOO_LARGE = 4
    FD_COUNT_MISMATCH = 5
    HANDSHAKE_REQUIRED = 6
    PROTOCOL_VIOLATION = 7
    NOT_FOUND = 100
    ALREADY_EXISTS = 101
    INVALID_ARGUMENT = 102
    IN_USE = 103
    PERMISSION_DENIED = 104
    RESOURCE_EXHAUSTED = 105
    NOT_READY = 106
    INCOMPATIBLE = 107
    CORRUPT = 108
    TOO_MANY_REQUESTS = 109
    INTERNAL = 110
    CANCELLED = 111
    SHUTTING_DOWN = 112
    UNSUPPORTED = 113
    TOO_MANY_CONNECTIONS = 114
    OUTPUT_STALLED = 115


class SessionMode(enum.IntEnum):
    """How a session delivers adapters: FACTORS (one factor segment per adapter) or FUSED
    (one overlay segment with the set fused in)."""

    FACTORS = 0
    FUSED = 1


class SegmentKind(enum.IntEnum):
    """What a segment holds: the BASE model, one adapter's FACTORS, or a fused OVERLAY."""

    BASE = 0
    FACTORS = 1
    OVERLAY = 2


class BaseState(enum.IntEnum):
    """Whether a base's segment is resident: CONFIGURED, LOADING, READY or FAILED."""

    CONFIGURED = 0
    LOADING = 1
    READY = 2
    FAILED = 3


class BaseOrigin(enum.IntEnum):
    """Where a resident base segment came from (protocol 1.1): NOT_RESIDENT, FILE (read from
    the configured file) or FD_STORE (taken back from systemd's descriptor store)."""

    NOT_RESIDENT = 0
    FILE = 1
    FD_STORE = 2


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-connection limits of PROTOCOL.md: the defaults until the HELLO reply arrives,
    then the announced ones (:attr:`HelloReply.limits`).

    ``max_frame_bytes`` counts the 16-byte header (4096 to 16 MiB); ``max_fds_per_frame`` is
    1 to 253; ``max_requests_in_flight`` at least 1.
    """

    max_frame_bytes: int = 65536
    max_fds_per_frame: int = 253
    max_requests_in_flight: int = 32

    @property
    def max_payload_bytes(self) -> int:
        """The largest payload, in bytes: ``max_frame_bytes - 16``."""
        return self.max_frame_bytes - HEADER_SIZE

    def problem(self) -> str | None:
        """Why these limits are outside the ranges a server may announce, or None."""
        if not (
            _MIN_FRAME_BYTES <= self.max_frame_bytes <= _MAX_FRAME_BYTES
            and 1 <= self.max_fds_per_frame <= _MAX_FDS
            and self.max_requests_in_flight >= 1
        ):
            return (
                f"limits out of range: max_frame_bytes {self.max_frame_bytes} (4096..16777216), "
                f"max_fds_per_frame {self.max_fds_per_frame} (1..253), "
                f"max_requests_in_flight {self.max_requests_in_flight} (at least 1)"
            )
        return None


_DEFAULT_LIMITS = Limits()


class WireError(Exception):
    """A frame or payload that breaks PROTOCOL.md, or a value an encoder cannot write.

    ``code`` is the protocol code the receiver reports (``MALFORMED_FRAME``,
    ``FRAME_TOO_LARGE``, ``FD_COUNT_MISMATCH``, ``UNKNOWN_OPCODE``, ``PROTOCOL_VIOLATION``
    from decoders; ``INVALID_ARGUMENT`` from encoders); ``message`` says which message and
    field and what was wrong. The connection turns it into ``lorad.errors.ProtocolViolation``.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} ({self.code.name.lower()})"


def valid_name(name: str) -> bool:
    """Whether ``name`` follows the grammar of adapter, base and tag names and cursors,
    ``[A-Za-z0-9][A-Za-z0-9._-]{0,127}``. The codec does not enforce it (the server answers
    ``invalid_argument``); clients should check names before sending."""
    return _NAME_RE.match(name) is not None


# --------------------------------------------------------------------------------------
# Records and messages
# --------------------------------------------------------------------------------------


def _freeze(obj: Any, *names: str) -> None:
    """Stores the named sequence fields of a frozen dataclass as tuples."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, tuple):
            object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True, slots=True)
class AdapterRef:
    """An adapter named on the wire, ``name[@version]``; ``version`` None means the latest.
    Written inline (no record length)."""

    name: str
    version: int | None = None

    @classmethod
    def parse(cls, text: str) -> AdapterRef:
        """Parses ``"disney"`` or ``"disney@2"``. Raises ValueError when the part after ``@``
        is not a version from 1 to 2**32-1. The name's grammar is not checked here."""
        name, at, version = text.partition("@")
        if not at:
            return cls(text)
        if not (version.isascii() and version.isdigit()) or not 1 <= int(version) <= 0xFFFFFFFF:
            raise ValueError(f"bad adapter reference {text!r}: write name or name@version (version 1 or more)")
        return cls(name, int(version))

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class WeightedAdapter:
    """An adapter and the weight it is applied with (record; SWITCH, MERGE)."""

    adapter: AdapterRef
    weight: float


@dataclass(frozen=True, slots=True)
class ActiveAdapter:
    """An adapter of a session's active set, version resolved (record)."""

    name: str
    version: int
    weight: float


@dataclass(frozen=True, slots=True)
class SegmentDescriptor:
    """One segment of a session reply (record). ``fd`` is the received sealed memfd once
    decoded (the receiver owns it and must close it); ``adapter_index`` indexes the reply's
    ``active`` list and is present exactly for FACTORS segments. ``byte_size`` in bytes."""

    kind: SegmentKind
    segment_id: int
    byte_size: int
    fd: int
    adapter_index: int | None = None

    def _problem(self) -> str | None:
        if (self.kind == SegmentKind.FACTORS) != (self.adapter_index is not None):
            if self.adapter_index is None:
                return "a factors segment must name its adapter (adapter_index)"
            return "only factors segments name an adapter (adapter_index)"
        return None


@dataclass(frozen=True, slots=True)
class BaseInfo:
    """A configured base (record; LIST_BASES_REPLY). ``byte_size`` in bytes, 0 when unknown;
    ``origin`` is None at protocol 1.0 (and when a 1.1 peer left it out)."""

    name: str
    state: BaseState
    byte_size: int
    tensor_count: int
    origin: BaseOrigin | None = None


@dataclass(frozen=True, slots=True)
class AdapterSummary:
    """One adapter of a LIST_ADAPTERS page (record). ``stored_bytes`` in bytes."""

    name: str
    latest_version: int
    base: str | None
    rank: int
    stored_bytes: int
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "tags")


@dataclass(frozen=True, slots=True)
class ImportFile:
    """A file passed to IMPORT (record): its base name and a readable descriptor. The sender
    keeps its descriptor (the kernel duplicates it); a decoded one belongs to the receiver."""

    file_name: str
    fd: int


@dataclass(frozen=True, slots=True)
class VerifyProblem:
    """A problem VERIFY found (record)."""

    subject: str
    message: str


@dataclass(frozen=True, slots=True)
class Hello:
    """HELLO: the first request, offering ``min_version``..``max_version``."""

    OPCODE: ClassVar[Opcode] = Opcode.HELLO
    min_version: Version
    max_version: Version
    client_name: str


@dataclass(frozen=True, slots=True)
class HelloReply:
    """HELLO_REPLY: the chosen version, the server's name and its limits (decoding refuses
    limits outside their ranges with ``malformed_frame``)."""

    OPCODE: ClassVar[Opcode] = Opcode.HELLO_REPLY
    version: Version
    server_name: str
    max_frame_bytes: int
    max_fds_per_frame: int
    max_requests_in_flight: int

    @property
    def limits(self) -> Limits:
        """The announced limits, binding both directions from now on."""
        return Limits(self.max_frame_bytes, self.max_fds_per_frame, self.max_requests_in_flight)

    def _problem(self) -> str | None:
        return self.limits.problem()


@dataclass(frozen=True, slots=True)
class Ping:
    """PING: ``token`` (u64) is echoed."""

    OPCODE: ClassVar[Opcode] = Opcode.PING
    token: int


@dataclass(frozen=True, slots=True)
class PingReply:
    """PING_REPLY: the request's token."""

    OPCODE: ClassVar[Opcode] = Opcode.PING_REPLY
    token: int


@dataclass(frozen=True, slots=True)
class Cancel:
    """CANCEL: abandon the pending request ``target_request_id``."""

    OPCODE: ClassVar[Opcode] = Opcode.CANCEL
    target_request_id: int


@dataclass(frozen=True, slots=True)
class CancelReply:
    """CANCEL_REPLY: whether the target was pending (it then gets ERROR ``cancelled``)."""

    OPCODE: ClassVar[Opcode] = Opcode.CANCEL_REPLY
    was_pending: bool


@dataclass(frozen=True, slots=True)
class ListBases:
    """LIST_BASES (empty payload)."""

    OPCODE: ClassVar[Opcode] = Opcode.LIST_BASES


@dataclass(frozen=True, slots=True)
class ListBasesReply:
    """LIST_BASES_REPLY: the bases in configuration order."""

    OPCODE: ClassVar[Opcode] = Opcode.LIST_BASES_REPLY
    bases: tuple[BaseInfo, ...]

    def __post_init__(self) -> None:
        _freeze(self, "bases")


@dataclass(frozen=True, slots=True)
class ListAdapters:
    """LIST_ADAPTERS: one page of adapters, filtered by ``base`` and ``tag``, after the
    cursor ``after``; ``limit`` 0 lets the server choose."""

    OPCODE: ClassVar[Opcode] = Opcode.LIST_ADAPTERS
    base: str | None = None
    tag: str | None = None
    after: str | None = None
    limit: int = 0


@dataclass(frozen=True, slots=True)
class ListAdaptersReply:
    """LIST_ADAPTERS_REPLY: the page and the cursor of the next one (None on the last)."""

    OPCODE: ClassVar[Opcode] = Opcode.LIST_ADAPTERS_REPLY
    adapters: tuple[AdapterSummary, ...]
    next_after: str | None = None

    def __post_init__(self) -> None:
        _freeze(self, "adapters")


@dataclass(frozen=True, slots=True)
class ShowAdapter:
    """SHOW_ADAPTER: one adapter version (latest when the ref has none)."""

    OPCODE: ClassVar[Opcode] = Opcode.SHOW_ADAPTER
    adapter: AdapterRef


@dataclass(frozen=True, slots=True)
class ShowAdapterReply:
    """SHOW_ADAPTER_REPLY. Sizes in bytes; ``imported_at`` in seconds since the Unix epoch;
    ``digest`` the pack's lower-case hex SHA-256."""

    OPCODE: ClassVar[Opcode] = Opcode.SHOW_ADAPTER_REPLY
    name: str
    version: int
    latest_version: int
    base: str | None
    description: str
    tags: tuple[str, ...]
    source_format: str
    rank: int
    alpha: float
    module_count: int
    raw_bytes: int
    stored_bytes: int
    imported_at: int
    digest: str

    def __post_init__(self) -> None:
        _freeze(self, "tags")


@dataclass(frozen=True, slots=True)
class Import:
    """IMPORT: store the adapter made of ``files`` under ``name``. Each file's ``fd`` is a
    readable descriptor the caller keeps (close it after the reply)."""

    OPCODE: ClassVar[Opcode] = Opcode.IMPORT
    name: str
    files: tuple[ImportFile, ...]
    alpha: float | None = None
    base: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    new_version: bool = False

    def __post_init__(self) -> None:
        _freeze(self, "files", "tags")


@dataclass(frozen=True, slots=True)
class ImportReply:
    """IMPORT_REPLY: the version created and what was recognised. Sizes in bytes."""

    OPCODE: ClassVar[Opcode] = Opcode.IMPORT_REPLY
    name: str
    version: int
    source_format: str
    rank: int
    alpha: float
    module_count: int
    raw_bytes: int
    stored_bytes: int


@dataclass(frozen=True, slots=True)
class Export:
    """EXPORT: write the adapter as safetensors to ``output``, a writable descriptor the
    caller keeps (close it after the reply)."""

    OPCODE: ClassVar[Opcode] = Opcode.EXPORT
    adapter: AdapterRef
    output: int


@dataclass(frozen=True, slots=True)
class ExportReply:
    """EXPORT_REPLY: bytes written to the output descriptor."""

    OPCODE: ClassVar[Opcode] = Opcode.EXPORT_REPLY
    bytes_written: int


@dataclass(frozen=True, slots=True)
class Remove:
    """REMOVE: one version, or every version when the ref has none; ``force`` even when
    sessions use it."""

    OPCODE: ClassVar[Opcode] = Opcode.REMOVE
    adapter: AdapterRef
    force: bool = False


@dataclass(frozen=True, slots=True)
class RemoveReply:
    """REMOVE_REPLY: how many versions were removed."""

    OPCODE: ClassVar[Opcode] = Opcode.REMOVE_REPLY
    removed_versions: int


@dataclass(frozen=True, slots=True)
class OpenSession:
    """OPEN_SESSION on ``base`` in ``mode``; answered with a :class:`SessionReply`."""

    OPCODE: ClassVar[Opcode] = Opcode.OPEN_SESSION
    base: str
    mode: SessionMode


@dataclass(frozen=True, slots=True)
class Attach:
    """ATTACH: append ``adapter`` with ``weight`` to the session's set (or replace the entry of
    the same name); answered with a :class:`SessionReply`."""

    OPCODE: ClassVar[Opcode] = Opcode.ATTACH
    session_id: int
    adapter: AdapterRef
    weight: float


@dataclass(frozen=True, slots=True)
class Detach:
    """DETACH: remove the adapter ``name`` from the session's set; answered with a
    :class:`SessionReply`."""

    OPCODE: ClassVar[Opcode] = Opcode.DETACH
    session_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Switch:
    """SWITCH: replace the session's whole active set (may be empty); answered with a
    :class:`SessionReply`."""

    OPCODE: ClassVar[Opcode] = Opcode.SWITCH
    session_id: int
    adapters: tuple[WeightedAdapter, ...]

    def __post_init__(self) -> None:
        _freeze(self, "adapters")


@dataclass(frozen=True, slots=True)
class CloseSession:
    """CLOSE_SESSION."""

    OPCODE: ClassVar[Opcode] = Opcode.CLOSE_SESSION
    session_id: int


@dataclass(frozen=True, slots=True)
class CloseSessionReply:
    """CLOSE_SESSION_REPLY (empty payload)."""

    OPCODE: ClassVar[Opcode] = Opcode.CLOSE_SESSION_REPLY


@dataclass(frozen=True, slots=True)
class GetSegments:
    """GET_SEGMENTS: the session's current state; answered with a :class:`SessionReply`."""

    OPCODE: ClassVar[Opcode] = Opcode.GET_SEGMENTS
    session_id: int


@dataclass(frozen=True, slots=True)
class SessionReply:
    """The reply to OPEN_SESSION, ATTACH, DETACH, SWITCH and GET_SEGMENTS (its opcode is the
    request's | 0x8000, so the class has no ``OPCODE``). ``segments``: the base first, then a
    FACTORS segment per active adapter or one OVERLAY; their descriptors belong to the
    receiver once decoded."""

    session_id: int
    base: str
    mode: SessionMode
    generation: int
    active: tuple[ActiveAdapter, ...]
    segments: tuple[SegmentDescriptor, ...]

    def __post_init__(self) -> None:
        _freeze(self, "active", "segments")

    def _problem(self) -> str | None:
        for position, segment in enumerate(self.segments):
            index = segment.adapter_index
            if index is not None and index >= len(self.active):
                return f"segment {position} names adapter {index} but the active set has {len(self.active)}"
        return None


@dataclass(frozen=True, slots=True)
class Merge:
    """MERGE: write ``base`` with ``adapters`` fused in to ``output``, a writable descriptor
    the caller keeps (close it after the reply)."""

    OPCODE: ClassVar[Opcode] = Opcode.MERGE
    base: str
    adapters: tuple[WeightedAdapter, ...]
    output: int

    def __post_init__(self) -> None:
        _freeze(self, "adapters")


@dataclass(frozen=True, slots=True)
class MergeReply:
    """MERGE_REPLY: bytes written and how many base tensors an adapter changed."""

    OPCODE: ClassVar[Opcode] = Opcode.MERGE_REPLY
    bytes_written: int
    tensors_merged: int


@dataclass(frozen=True, slots=True)
class Evict:
    """EVICT (admin): drop cached derived segments, and ``base``'s segment if unused."""

    OPCODE: ClassVar[Opcode] = Opcode.EVICT
    base: str | None = None


@dataclass(frozen=True, slots=True)
class EvictReply:
    """EVICT_REPLY: segments dropped and their total size in bytes."""

    OPCODE: ClassVar[Opcode] = Opcode.EVICT_REPLY
    segments_evicted: int
    bytes_freed: int


@dataclass(frozen=True, slots=True)
class Stats:
    """STATS (empty payload)."""

    OPCODE: ClassVar[Opcode] = Opcode.STATS


@dataclass(frozen=True, slots=True)
class StatsReply:
    """STATS_REPLY: a snapshot of the daemon. ``uptime_ms`` in milliseconds, ``*_bytes`` in
    bytes, the rest counts."""

    OPCODE: ClassVar[Opcode] = Opcode.STATS_REPLY
    uptime_ms: int
    connections: int
    sessions: int
    bases_resident: int
    segments: int
    segment_bytes: int
    budget_bytes: int
    cache_hits: int
    cache_misses: int
    adapters: int
    store_bytes: int


@dataclass(frozen=True, slots=True)
class Verify:
    """VERIFY (admin): check one adapter's versions, or the whole store when None."""

    OPCODE: ClassVar[Opcode] = Opcode.VERIFY
    adapter: str | None = None


@dataclass(frozen=True, slots=True)
class VerifyReply:
    """VERIFY_REPLY: items checked, problems in total, and the first problems."""

    OPCODE: ClassVar[Opcode] = Opcode.VERIFY_REPLY
    checked: int
    problem_count: int
    problems: tuple[VerifyProblem, ...]

    def __post_init__(self) -> None:
        _freeze(self, "problems")


@dataclass(frozen=True, slots=True)
class GC:
    """GC (admin): delete unreferenced blobs, or only count them when ``dry_run``."""

    OPCODE: ClassVar[Opcode] = Opcode.GC
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class GCReply:
    """GC_REPLY: blobs removed (or found) and their size in bytes."""

    OPCODE: ClassVar[Opcode] = Opcode.GC_REPLY
    blobs_removed: int
    bytes_freed: int


@dataclass(frozen=True, slots=True)
class ShuttingDown:
    """SHUTTING_DOWN event (request id 0): the server closes the connection after
    ``grace_ms`` milliseconds."""

    OPCODE: ClassVar[Opcode] = Opcode.SHUTTING_DOWN
    grace_ms: int
    reason: str


@dataclass(frozen=True, slots=True)
class ErrorPayload:
    """The payload of ERROR (0xFFFE) and FATAL (0xFFFF): the frame's opcode tells which.
    ``code`` is kept as a plain int (it may be newer than :class:`ErrorCode`); ``name`` is
    the code's name, ``message`` one line for humans."""

    OPCODE: ClassVar[Opcode] = Opcode.ERROR
    code: int
    name: str
    message: str


Message = Union[
    Hello, HelloReply, Ping, PingReply, Cancel, CancelReply, ListBases, ListBasesReply,
    ListAdapters, ListAdaptersReply, ShowAdapter, ShowAdapterReply, Import, ImportReply,
    Export, ExportReply, Remove, RemoveReply, OpenSession, Attach, Detach, Switch,
    CloseSession, CloseSessionReply, GetSegments, SessionReply, Merge, MergeReply, Evict,
    EvictReply, Stats, StatsReply, Verify, VerifyReply, GC, GCReply, ShuttingDown, ErrorPayload,
]  # fmt: skip
"""Any payload this module encodes or decodes."""


# --------------------------------------------------------------------------------------
# Field types. A schema is a list of (field name, type); runs of fixed-width fields are
# compiled into one precompiled struct.Struct each.
# --------------------------------------------------------------------------------------

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_HEADER = struct.Struct("<IHHHHI")


class _Reader:
    """A bounded cursor over one payload; ``end`` narrows to the current record."""

    __slots__ = ("buf", "pos", "end", "fds", "named", "version", "opcode")

    def __init__(self, buf: bytes, fds: Sequence[int], version: Version, opcode: int) -> None:
        self.buf = buf
        self.pos = 0
        self.end = len(buf)
        self.fds = fds
        self.named = bytearray(len(fds))
        self.version = version
        self.opcode = opcode

    @property
    def context(self) -> str:
        """Names the payload in error messages (built only when one is raised)."""
        return _opcode_name(self.opcode)

    def malformed(self, field: str, problem: str) -> WireError:
        return WireError(ErrorCode.MALFORMED_FRAME, f"{self.context}: field {field}: {problem}")

    def need(self, field: str, size: int) -> int:
        """Returns the current position after checking that ``size`` bytes remain."""
        pos = self.pos
        if self.end - pos < size:
            raise self.malformed(field, f"payload ends early (needs {size} bytes, {self.end - pos} left)")
        return pos

    def u16(self, field: str) -> int:
        pos = self.need(field, 2)
        self.pos = pos + 2
        return _U16.unpack_from(self.buf, pos)[0]


class _Writer:
    __slots__ = ("out", "fds", "version", "context")

    def __init__(self, version: Version, context: str) -> None:
        self.out = bytearray()
        self.fds: list[int] = []
        self.version = version
        self.context = context

    def invalid(self, field: str, problem: str) -> WireError:
        return WireError(ErrorCode.INVALID_ARGUMENT, f"cannot encode {self.context}: field {field}: {problem}")


class _Type:
    """A wire type: reads one value from a :class:`_Reader`, writes one to a :class:`_Writer`."""

    __slots__ = ()

    def read(self, r: _Reader, field: str) -> Any:
        raise NotImplementedError

    def write(self, w: _Writer, value: Any, field: str) -> None:
        raise NotImplementedError


class _Fixed(_Type):
    """A fixed-width field: ``fmt`` struct codes for ``slots`` raw values, with an optional
    check/conversion each way (``dec(reader, field, *raw)``, ``enc(writer, field, value)``)."""

    __slots__ = ("fmt", "slots", "dec", "enc", "struct")

    def __init__(
        self,
        fmt: str,
        dec: Callable[..., Any] | None = None,
        enc: Callable[[_Writer, str, Any], tuple[Any, ...]] | None = None,
    ) -> None:
        self.fmt = fmt
        self.slots = len(fmt)
        self.dec = dec
        self.enc = enc
        self.struct = struct.Struct("<" + fmt)

    def read(self, r: _Reader, field: str) -> Any:
        size = self.struct.size
        pos = r.need(field, size)
        r.pos = pos + size
        raw = self.struct.unpack_from(r.buf, pos)
        return raw[0] if self.dec is None else self.dec(r, field, *raw)

    def encode(self, w: _Writer, value: Any, field: str) -> tuple[Any, ...]:
        return (value,) if self.enc is None else self.enc(w, field, value)

    def write(self, w: _Writer, value: Any, field: str) -> None:
        raw = self.encode(w, value, field)
        try:
            w.out += self.struct.pack(*raw)
        except (struct.error, TypeError, ValueError) as exc:
            raise w.invalid(field, f"{exc} (value {value!r})") from None


def _dec_bool(r: _Reader, field: str, raw: int) -> bool:
    if raw > 1:
        raise r.malformed(field, f"bool byte is {raw}, must be 0 or 1")
    return raw == 1


def _enc_bool(w: _Writer, field: str, value: Any) -> tuple[int]:
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise w.invalid(field, f"{value!r} is not a bool")
    return (1 if value else 0,)


def _dec_version(r: _Reader, field: str, major: int, minor: int) -> Version:
    return (major, minor)


def _enc_version(w: _Writer, field: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, tuple) or len(value) != 2:
        raise w.invalid(field, f"{value!r} is not a (major, minor) version")
    return value


def _enum(cls: type[enum.IntEnum]) -> _Fixed:
    def dec(r: _Reader, field: str, raw: int) -> enum.IntEnum:
        try:
            return cls(raw)
        except ValueError:
            raise r.malformed(field, f"unknown {cls.__name__} value {raw}") from None

    def enc(w: _Writer, field: str, value: Any) -> tuple[int]:
        try:
            return (cls(value).value,)
        except ValueError:
            raise w.invalid(field, f"{value!r} is not a {cls.__name__}") from None

    return _Fixed("B", dec, enc)


_u8, _u16, _u32, _u64 = _Fixed("B"), _Fixed("H"), _Fixed("I"), _Fixed("Q")
_f64 = _Fixed("d")
_bool = _Fixed("B", _dec_bool, _enc_bool)
_version = _Fixed("HH", _dec_version, _enc_version)


class _Str(_Type):
    """``str``: u16 byte length (at most ``limit``), then strict UTF-8."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def read(self, r: _Reader, field: str) -> str:
        length = r.u16(field)
        if length > self.limit:
            raise r.malformed(field, f"string of {length} bytes exceeds the limit of {self.limit}")
        pos = r.need(field, length)
        r.pos = pos + length
        try:
            return str(r.buf[pos : pos + length], "utf-8")
        except UnicodeDecodeError as exc:
            raise r.malformed(field, f"string is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if not isinstance(value, str):
            raise w.invalid(field, f"{type(value).__name__} is not a str")
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError:
            raise w.invalid(field, "string cannot be encoded as UTF-8 (lone surrogate)") from None
        if len(data) > self.limit:
            raise w.invalid(field, f"string of {len(data)} bytes exceeds the limit of {self.limit}")
        w.out += _U16.pack(len(data))
        w.out += data


class _Opt(_Type):
    """``opt<T>``: tag 0 (absent, None) or 1 (present, a T follows)."""

    __slots__ = ("inner",)

    def __init__(self, inner: _Type) -> None:
        self.inner = inner

    def read(self, r: _Reader, field: str) -> Any:
        pos = r.need(field, 1)
        tag = r.buf[pos]
        r.pos = pos + 1
        if tag == 0:
            return None
        if tag != 1:
            raise r.malformed(field, f"optional tag is {tag}, must be 0 or 1")
        return self.inner.read(r, field)

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if value is None:
            w.out.append(0)
        else:
            w.out.append(1)
            self.inner.write(w, value, field)


class _List(_Type):
    """``list<T>``: u16 count (at most ``limit``), then the items; decoded as a tuple."""

    __slots__ = ("inner", "limit")

    def __init__(self, inner: _Type, limit: int) -> None:
        self.inner = inner
        self.limit = limit

    def read(self, r: _Reader, field: str) -> tuple[Any, ...]:
        count = r.u16(field)
        if count > self.limit:
            raise r.malformed(field, f"list of {count} items exceeds the limit of {self.limit}")
        read = self.inner.read
        return tuple([read(r, field) for _ in range(count)])

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise w.invalid(field, f"{type(value).__name__} is not a sequence")
        if len(value) > self.limit:
            raise w.invalid(field, f"list of {len(value)} items exceeds the limit of {self.limit}")
        w.out += _U16.pack(len(value))
        write = self.inner.write
        for item in value:
            write(w, item, field)


class _FD(_Type):
    """``fd``: a u16 index into the frame's descriptors. Decoding returns the descriptor and
    marks the index named; encoding appends the descriptor and writes its index."""

    __slots__ = ()

    def read(self, r: _Reader, field: str) -> int:
        index = r.u16(field)
        if index >= len(r.fds):
            raise WireError(
                ErrorCode.FD_COUNT_MISMATCH,
                f"{r.context}: field {field}: descriptor index {index} but the frame carries {len(r.fds)}",
            )
        if r.named[index]:
            raise WireError(
                ErrorCode.FD_COUNT_MISMATCH, f"{r.context}: field {field}: descriptor index {index} is named twice"
            )
        r.named[index] = 1
        return r.fds[index]

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise w.invalid(field, f"{value!r} is not a file descriptor")
        if len(w.fds) >= 0xFFFF:
            raise w.invalid(field, "too many descriptors")
        w.out += _U16.pack(len(w.fds))
        w.fds.append(value)


class _Since(_Type):
    """A trailing field added in ``version``: read only at that version or later and only
    when bytes remain (else None); written only at that version or later and when not None."""

    __slots__ = ("version", "inner")

    def __init__(self, version: Version, inner: _Type) -> None:
        self.version = version
        self.inner = inner

    def read(self, r: _Reader, field: str) -> Any:
        if r.version < self.version or r.pos >= r.end:
            return None
        return self.inner.read(r, field)

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if value is not None and w.version >= self.version:
            self.inner.write(w, value, field)


class _Struct(_Type):
    """A dataclass written as its fields in order: inline (AdapterRef, payloads) or, with
    ``record``, behind a u16 byte length whose unread tail is skipped."""

    __slots__ = ("cls", "record", "steps", "names", "check")

    def __init__(self, cls: type, schema: Sequence[tuple[str, _Type]], record: bool) -> None:
        names = [name for name, _ in schema]
        declared = [f.name for f in fields(cls)]
        if names != declared:
            raise AssertionError(f"schema of {cls.__name__} does not match its fields: {names} != {declared}")
        self.cls = cls
        self.record = record
        self.names = tuple(names)
        self.check = getattr(cls, "_problem", None)
        self.steps = _compile(schema)

    def read(self, r: _Reader, field: str) -> Any:
        if not self.record:
            return self.read_fields(r)
        length = r.u16(field)
        start = r.need(field, length)
        outer = r.end
        r.end = start + length
        value = self.read_fields(r)
        r.pos = r.end
        r.end = outer
        return value

    def read_fields(self, r: _Reader) -> Any:
        values: list[Any] = []
        for step in self.steps:
            if isinstance(step, _Run):
                step.read(r, values)
            else:
                name, kind = step
                values.append(kind.read(r, name))
        value = self.cls(*values)
        if self.check is not None:
            problem = self.check(value)
            if problem is not None:
                raise WireError(ErrorCode.MALFORMED_FRAME, f"{r.context}: {self.cls.__name__}: {problem}")
        return value

    def write(self, w: _Writer, value: Any, field: str) -> None:
        if type(value) is not self.cls:
            raise w.invalid(field, f"{type(value).__name__} is not a {self.cls.__name__}")
        if not self.record:
            self.write_fields(w, value)
            return
        out = w.out
        start = len(out)
        out += b"\0\0"
        self.write_fields(w, value)
        length = len(out) - start - 2
        if length > 0xFFFF:
            raise w.invalid(field, f"record of {length} bytes exceeds 65535")
        _U16.pack_into(out, start, length)

    def write_fields(self, w: _Writer, value: Any) -> None:
        if self.check is not None:
            problem = self.check(value)
            if problem is not None:
                raise w.invalid(self.cls.__name__, problem)
        for step in self.steps:
            if isinstance(step, _Run):
                step.write(w, value)
            else:
                name, kind = step
                kind.write(w, getattr(value, name), name)


class _Run:
    """Consecutive fixed-width fields read and written with one precompiled struct."""

    __slots__ = ("names", "types", "struct", "plain", "label")

    def __init__(self, items: list[tuple[str, _Fixed]]) -> None:
        self.names = tuple(name for name, _ in items)
        self.types = tuple(kind for _, kind in items)
        self.struct = struct.Struct("<" + "".join(kind.fmt for kind in self.types))
        self.plain = all(kind.dec is None and kind.enc is None for kind in self.types)
        self.label = "/".join(self.names)

    def read(self, r: _Reader, values: list[Any]) -> None:
        size = self.struct.size
        pos = r.need(self.label, size)
        r.pos = pos + size
        raw = self.struct.unpack_from(r.buf, pos)
        if self.plain:
            values.extend(raw)
            return
        i = 0
        for name, kind in zip(self.names, self.types):
            n = kind.slots
            values.append(raw[i] if kind.dec is None else kind.dec(r, name, *raw[i : i + n]))
            i += n

    def write(self, w: _Writer, value: Any) -> None:
        if self.plain:
            raw: list[Any] = [getattr(value, name) for name in self.names]
        else:
            raw = []
            for name, kind in zip(self.names, self.types):
                raw.extend(kind.encode(w, getattr(value, name), name))
        try:
            w.out += self.struct.pack(*raw)
        except (struct.error, TypeError, ValueError) as exc:
            raise w.invalid(self.label, f"{exc} (values {raw})") from None


def _compile(schema: Sequence[tuple[str, _Type]]) -> list[_Run | tuple[str, _Type]]:
    steps: list[_Run | tuple[str, _Type]] = []
    run: list[tuple[str, _Fixed]] = []
    for name, kind in schema:
        if isinstance(kind, _Fixed):
            run.append((name, kind))
            continue
        if run:
            steps.append(_Run(run))
            run = []
        steps.append((name, kind))
    if run:
        steps.append(_Run(run))
    return steps


_NAME = _Str(MAX_NAME_BYTES)
_OPT_NAME = _Opt(_NAME)

_ADAPTER_REF = _Struct(AdapterRef, [("name", _NAME), ("version", _Opt(_u32))], record=False)
_WEIGHTED = _Struct(WeightedAdapter, [("adapter", _ADAPTER_REF), ("weight", _f64)], record=True)
_ACTIVE = _Struct(ActiveAdapter, [("name", _NAME), ("version", _u32), ("weight", _f64)], record=True)
_SEGMENT = _Struct(
    SegmentDescriptor,
    [
        ("kind", _enum(SegmentKind)),
        ("segment_id", _u64),
        ("byte_size", _u64),
        ("fd", _FD()),
        ("adapter_index", _Opt(_u16)),
    ],
    record=True,
)
_BASE_INFO = _Struct(
    BaseInfo,
    [
        ("name", _NAME),
        ("state", _enum(BaseState)),
        ("byte_size", _u64),
        ("tensor_count", _u32),
        ("origin", _Since((1, 1), _enum(BaseOrigin))),
    ],
    record=True,
)
_TAGS = _List(_NAME, MAX_TAGS)
_SUMMARY = _Struct(
    AdapterSummary,
    [
        ("name", _NAME),
        ("latest_version", _u32),
        ("base", _OPT_NAME),
        ("rank", _u32),
        ("stored_bytes", _u64),
        ("tags", _TAGS),
    ],
    record=True,
)
_IMPORT_FILE = _Struct(ImportFile, [("file_name", _Str(MAX_FILE_NAME_BYTES)), ("fd", _FD())], record=True)
_PROBLEM = _Struct(
    VerifyProblem, [("subject", _Str(MAX_SHORT_TEXT_BYTES)), ("message", _Str(MAX_MESSAGE_BYTES))], record=True
)
_ACTIVE_SET = _List(_WEIGHTED, MAX_ACTIVE_ADAPTERS)

_PAYLOADS: dict[type, _Struct] = {
    cls: _Struct(cls, schema, record=False)
    for cls, schema in [
        (Hello, [("min_version", _version), ("max_version", _version), ("client_name", _Str(MAX_SOFTWARE_NAME_BYTES))]),
        (
            HelloReply,
            [
                ("version", _version),
                ("server_name", _Str(MAX_SOFTWARE_NAME_BYTES)),
                ("max_frame_bytes", _u32),
                ("max_fds_per_frame", _u16),
                ("max_requests_in_flight", _u16),
            ],
        ),
        (Ping, [("token", _u64)]),
        (PingReply, [("token", _u64)]),
        (Cancel, [("target_request_id", _u32)]),
        (CancelReply, [("was_pending", _bool)]),
        (ListBases, []),
        (ListBasesReply, [("bases", _List(_BASE_INFO, MAX_LIST_ENTRIES))]),
        (ListAdapters, [("base", _OPT_NAME), ("tag", _OPT_NAME), ("after", _OPT_NAME), ("limit", _u16)]),
        (ListAdaptersReply, [("adapters", _List(_SUMMARY, MAX_LIST_ENTRIES)), ("next_after", _OPT_NAME)]),
        (ShowAdapter, [("adapter", _ADAPTER_REF)]),
        (
            ShowAdapterReply,
            [
                ("name", _NAME),
                ("version", _u32),
                ("latest_version", _u32),
                ("base", _OPT_NAME),
                ("description", _Str(MAX_DESCRIPTION_BYTES)),
                ("tags", _TAGS),
                ("source_format", _Str(MAX_LABEL_BYTES)),
                ("rank", _u32),
                ("alpha", _f64),
                ("module_count", _u32),
                ("raw_bytes", _u64),
                ("stored_bytes", _u64),
                ("imported_at", _u64),
                ("digest", _Str(MAX_DIGEST_BYTES)),
            ],
        ),
        (
            Import,
            [
                ("name", _NAME),
                ("files", _List(_IMPORT_FILE, MAX_IMPORT_FILES)),
                ("alpha", _Opt(_f64)),
                ("base", _OPT_NAME),
                ("description", _Str(MAX_DESCRIPTION_BYTES)),
                ("tags", _TAGS),
                ("new_version", _bool),
            ],
        ),
        (
            ImportReply,
            [
                ("name", _NAME),
                ("version", _u32),
                ("source_format", _Str(MAX_LABEL_BYTES)),
                ("rank", _u32),
                ("alpha", _f64),
                ("module_count", _u32),
                ("raw_bytes", _u64),
                ("stored_bytes", _u64),
            ],
        ),
        (Export, [("adapter", _ADAPTER_REF), ("output", _FD())]),
        (ExportReply, [("bytes_written", _u64)]),
        (Remove, [("adapter", _ADAPTER_REF), ("force", _bool)]),
        (RemoveReply, [("removed_versions", _u32)]),
        (OpenSession, [("base", _NAME), ("mode", _enum(SessionMode))]),
        (Attach, [("session_id", _u64), ("adapter", _ADAPTER_REF), ("weight", _f64)]),
        (Detach, [("session_id", _u64), ("name", _NAME)]),
        (Switch, [("session_id", _u64), ("adapters", _ACTIVE_SET)]),
        (CloseSession, [("session_id", _u64)]),
        (CloseSessionReply, []),
        (GetSegments, [("session_id", _u64)]),
        (
            SessionReply,
            [
                ("session_id", _u64),
                ("base", _NAME),
                ("mode", _enum(SessionMode)),
                ("generation", _u64),
                ("active", _List(_ACTIVE, MAX_ACTIVE_ADAPTERS)),
                ("segments", _List(_SEGMENT, MAX_SEGMENTS)),
            ],
        ),
        (Merge, [("base", _NAME), ("adapters", _ACTIVE_SET), ("output", _FD())]),
        (MergeReply, [("bytes_written", _u64), ("tensors_merged", _u32)]),
        (Evict, [("base", _OPT_NAME)]),
        (EvictReply, [("segments_evicted", _u32), ("bytes_freed", _u64)]),
        (Stats, []),
        (
            StatsReply,
            [
                ("uptime_ms", _u64),
                ("connections", _u32),
                ("sessions", _u32),
                ("bases_resident", _u32),
                ("segments", _u32),
                ("segment_bytes", _u64),
                ("budget_bytes", _u64),
                ("cache_hits", _u64),
                ("cache_misses", _u64),
                ("adapters", _u32),
                ("store_bytes", _u64),
            ],
        ),
        (Verify, [("adapter", _OPT_NAME)]),
        (
            VerifyReply,
            [
                ("checked", _u32),
                ("problem_count", _u32),
                ("problems", _List(_PROBLEM, MAX_VERIFY_PROBLEMS)),
            ],
        ),
        (GC, [("dry_run", _bool)]),
        (GCReply, [("blobs_removed", _u32), ("bytes_freed", _u64)]),
        (ShuttingDown, [("grace_ms", _u32), ("reason", _Str(MAX_SHORT_TEXT_BYTES))]),
        (
            ErrorPayload,
            [("code", _u16), ("name", _Str(MAX_ERROR_NAME_BYTES)), ("message", _Str(MAX_MESSAGE_BYTES))],
        ),
    ]
}

_SESSION_REPLY_OPCODES = (
    Opcode.OPEN_SESSION_REPLY,
    Opcode.ATTACH_REPLY,
    Opcode.DETACH_REPLY,
    Opcode.SWITCH_REPLY,
    Opcode.GET_SEGMENTS_REPLY,
)

_REQUESTS: dict[int, _Struct] = {}
_FROM_SERVER: dict[int, _Struct] = {}
for _cls, _codec in _PAYLOADS.items():
    _op = getattr(_cls, "OPCODE", None)
    if _op is None:
        continue
    (_REQUESTS if opcode_kind(_op) == "request" else _FROM_SERVER)[int(_op)] = _codec
for _op in _SESSION_REPLY_OPCODES:
    _FROM_SERVER[int(_op)] = _PAYLOADS[SessionReply]
_FROM_SERVER[int(Opcode.FATAL)] = _PAYLOADS[ErrorPayload]
del _cls, _codec, _op


def _opcode_name(opcode: int) -> str:
    try:
        return f"{Opcode(opcode).name} (0x{opcode:04x})"
    except ValueError:
        return f"opcode 0x{opcode:04x}"


# --------------------------------------------------------------------------------------
# Payloads
# --------------------------------------------------------------------------------------


def encode_payload(message: Message, version: Version = PROTOCOL_MAX) -> tuple[bytes, list[int]]:
    """Encodes ``message`` for protocol ``version`` (fields a version lacks are not written).

    Returns the payload bytes and the descriptors it names, in index order: each ``fd``
    field (``Export.output``, ``Merge.output``, ``ImportFile.fd``, ``SegmentDescriptor.fd``)
    holds a real descriptor, which gets the next index in order of appearance. The caller
    keeps ownership of the descriptors and passes them with the frame's first byte.

    Raises ``WireError(INVALID_ARGUMENT)`` for a value the wire cannot carry (a string or list
    over its bound, bad UTF-8, an integer out of range, an unknown enum value, an inconsistent
    session reply) and TypeError for an object that is not a message.
    """
    codec = _PAYLOADS.get(type(message))
    if codec is None:
        raise TypeError(f"{type(message).__name__} is not a lorad wire message")
    w = _Writer(version, type(message).__name__)
    codec.write_fields(w, message)
    return bytes(w.out), w.fds


def decode_payload(
    opcode: int,
    payload: bytes,
    fds: Sequence[int] = (),
    *,
    version: Version = PROTOCOL_MAX,
    direction: Direction = "server-to-client",
) -> Message:
    """Decodes the payload of a frame with ``opcode`` travelling in ``direction``, at the
    negotiated ``version``.

    ``fds`` are the descriptors that came with the frame; each ``fd`` field of the result is
    the descriptor its index names. Bytes after the known fields (of the payload or of a
    record) are ignored. Every length and count is checked against its bound before it is
    read. Nothing is closed here: when this raises, the caller closes ``fds``; when it
    returns, the descriptors belong to whoever holds the message.

    Raises :class:`WireError`: ``MALFORMED_FRAME`` (too short, over a bound, bad UTF-8, a bool
    or optional tag other than 0/1, an unknown enum value, inconsistent content);
    ``FD_COUNT_MISMATCH`` (an index out of range, named twice, or a descriptor never named);
    ``UNKNOWN_OPCODE`` (an opcode of the right direction this version does not define: a
    client ignores unknown events, a server answers an unknown request with an ERROR);
    ``PROTOCOL_VIOLATION`` (an opcode that never travels in ``direction``).
    """
    if direction == "server-to-client":
        table = _FROM_SERVER
    elif direction == "client-to-server":
        table = _REQUESTS
    else:
        raise ValueError(f"direction must be 'server-to-client' or 'client-to-server', not {direction!r}")
    codec = table.get(opcode)
    if codec is None:
        kind = opcode_kind(opcode)
        expected = ("event", "reply", "error", "fatal") if direction == "server-to-client" else ("request",)
        if kind in expected:
            raise WireError(
                ErrorCode.UNKNOWN_OPCODE,
                f"{kind} opcode 0x{opcode:04x} is not defined by protocol {version[0]}.{version[1]}",
            )
        raise WireError(
            ErrorCode.PROTOCOL_VIOLATION, f"{_opcode_name(opcode)} is a {kind} opcode and never travels {direction}"
        )
    r = _Reader(payload, fds, version, opcode)
    message = codec.read_fields(r)
    if 0 in r.named:
        raise WireError(
            ErrorCode.FD_COUNT_MISMATCH,
            f"{r.context}: the frame carries {len(fds)} descriptors but the payload never names index "
            f"{r.named.index(0)}",
        )
    return message


# --------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FrameHeader:
    """The 16-byte little-endian header in front of every frame: ``payload_length`` (bytes
    after the header), ``opcode`` (raw: unknown values are valid framing), ``flags`` (bits
    0-7 critical, 8-15 advisory), ``fd_count``, ``reserved`` (0) and ``request_id``
    (0 for events)."""

    SIZE: ClassVar[int] = HEADER_SIZE
    payload_length: int
    opcode: int
    flags: int
    fd_count: int
    reserved: int
    request_id: int

    @classmethod
    def unpack(cls, data: bytes | bytearray | memoryview, offset: int = 0) -> FrameHeader:
        """Reads a header from 16 bytes at ``offset`` without checking it (struct.error when
        fewer remain)."""
        return cls(*_HEADER.unpack_from(data, offset))

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview, limits: Limits = _DEFAULT_LIMITS) -> FrameHeader:
        """Reads and checks a header (see :meth:`validate`). Raises WireError
        ``MALFORMED_FRAME`` also when ``data`` holds fewer than 16 bytes."""
        if len(data) < HEADER_SIZE:
            raise WireError(ErrorCode.MALFORMED_FRAME, f"frame header needs 16 bytes, got {len(data)}")
        header = cls.unpack(data)
        header.validate(limits)
        return header

    def validate(self, limits: Limits = _DEFAULT_LIMITS) -> None:
        """Checks the header as a receiver must as soon as it has arrived: ``reserved`` 0 and
        no unknown critical flag (else ``MALFORMED_FRAME``); the frame within
        ``limits.max_frame_bytes`` and at most ``limits.max_fds_per_frame`` descriptors (else
        ``FRAME_TOO_LARGE``). Unknown advisory flags are ignored."""
        if self.reserved != 0:
            raise WireError(ErrorCode.MALFORMED_FRAME, f"frame header: reserved field is {self.reserved}, must be 0")
        unknown = self.flags & _CRITICAL_FLAGS & ~_KNOWN_FLAGS
        if unknown:
            raise WireError(
                ErrorCode.MALFORMED_FRAME, f"frame header: unknown critical flag bits 0x{unknown:02x}; 1.x defines none"
            )
        if self.payload_length > limits.max_payload_bytes:
            raise WireError(
                ErrorCode.FRAME_TOO_LARGE,
                f"frame of {self.payload_length + HEADER_SIZE} bytes exceeds the limit of "
                f"{limits.max_frame_bytes} bytes",
            )
        if self.fd_count > limits.max_fds_per_frame:
            raise WireError(
                ErrorCode.FRAME_TOO_LARGE,
                f"frame carries {self.fd_count} descriptors; the limit is {limits.max_fds_per_frame}",
            )

    def pack(self) -> bytes:
        """The 16 header bytes."""
        return _HEADER.pack(
            self.payload_length, self.opcode, self.flags, self.fd_count, self.reserved, self.request_id
        )


@dataclass(frozen=True, slots=True)
class Frame:
    """One complete received frame. ``payload`` is exactly the announced bytes; ``fds`` are
    the ``fd_count`` descriptors that came with it, in order, owned by whoever holds the
    frame (close them when the frame is rejected or not handed on)."""

    opcode: int
    flags: int
    request_id: int
    payload: bytes
    fds: list[int]


def encode_frame(
    opcode: int,
    request_id: int,
    payload: bytes,
    fd_count: int,
    flags: int = 0,
    *,
    limits: Limits | None = None,
) -> bytes:
    """Returns the header followed by ``payload``. Send the result with its ``fd_count``
    descriptors attached to the ``sendmsg`` carrying its first byte.

    Raises ``WireError(INVALID_ARGUMENT)`` for a field out of range, and, when ``limits`` is
    given, ``WireError(FRAME_TOO_LARGE)`` for a frame over ``limits.max_frame_bytes`` or with
    more than ``limits.max_fds_per_frame`` descriptors."""
    length = len(payload)
    if limits is not None:
        if length > limits.max_payload_bytes:
            raise WireError(
                ErrorCode.FRAME_TOO_LARGE,
                f"{_opcode_name(opcode)} frame of {length + HEADER_SIZE} bytes exceeds the limit of "
                f"{limits.max_frame_bytes} bytes",
            )
        if fd_count > limits.max_fds_per_frame:
            raise WireError(
                ErrorCode.FRAME_TOO_LARGE,
                f"{_opcode_name(opcode)} frame carries {fd_count} descriptors; the limit is "
                f"{limits.max_fds_per_frame}",
            )
    try:
        header = _HEADER.pack(length, opcode, flags, fd_count, 0, request_id)
    except struct.error as exc:
        raise WireError(ErrorCode.INVALID_ARGUMENT, f"cannot encode frame header: {exc}") from None
    return header + payload


def encode_message(
    message: Message,
    request_id: int,
    *,
    version: Version = PROTOCOL_MAX,
    limits: Limits | None = None,
    opcode: int | None = None,
) -> tuple[bytes, list[int]]:
    """Encodes ``message`` as a whole frame: :func:`encode_payload` then :func:`encode_frame`.
    ``opcode`` defaults to ``message.OPCODE`` (give it for a :class:`SessionReply`, or FATAL
    for an :class:`ErrorPayload`). Returns the frame bytes and the descriptors to attach.
    Raises WireError as those two do, and ``INVALID_ARGUMENT`` for a request with id 0."""
    op = opcode if opcode is not None else getattr(message, "OPCODE", None)
    if op is None:
        raise TypeError(f"{type(message).__name__} has no opcode of its own; pass opcode=")
    if request_id == 0 and opcode_kind(op) == "request":
        raise WireError(ErrorCode.INVALID_ARGUMENT, f"{_opcode_name(op)}: request id 0 is reserved for events")
    payload, fds = encode_payload(message, version)
    return encode_frame(op, request_id, payload, len(fds), limits=limits), fds


def decode_frame(
    frame: Frame, *, version: Version = PROTOCOL_MAX, direction: Direction = "server-to-client"
) -> Message:
    """Decodes a whole frame: checks the request id rules, then :func:`decode_payload`.

    From the server: events carry request id 0 and replies and ERROR a non-zero one (else
    ``MALFORMED_FRAME``); FATAL may carry either. From a client: request id 0 is
    ``PROTOCOL_VIOLATION``. Other failures as :func:`decode_payload`; the caller closes
    ``frame.fds`` when this raises."""
    kind = opcode_kind(frame.opcode)
    rid = frame.request_id
    if direction == "server-to-client":
        if kind == "event" and rid != 0:
            raise WireError(
                ErrorCode.MALFORMED_FRAME, f"{_opcode_name(frame.opcode)}: events carry request id 0, not {rid}"
            )
        if kind in ("reply", "error") and rid == 0 and frame.opcode in _FROM_SERVER:
            raise WireError(
                ErrorCode.MALFORMED_FRAME,
                f"{_opcode_name(frame.opcode)}: a reply must carry the id of its request, not 0",
            )
    elif kind == "request" and rid == 0:
        raise WireError(
            ErrorCode.PROTOCOL_VIOLATION,
            f"{_opcode_name(frame.opcode)} has request id 0, which is reserved for events",
        )
    return decode_payload(frame.opcode, frame.payload, frame.fds, version=version, direction=direction)


class FrameReader:
    """Reassembles frames from a byte stream and the descriptors received with it.

    Feed each ``recvmsg`` result whole (its bytes and the descriptors of its SCM_RIGHTS
    message) with :meth:`feed`, then call :meth:`next` until it returns None. Each frame gets
    the ``fd_count`` descriptors at the head of the queue. Whenever no complete frame is left,
    the queue must hold exactly the descriptors of the partial frame: none when no frame has
    begun, at most ``max_fds_per_frame`` while its header is incomplete, ``fd_count`` once it
    is complete; else ``FD_COUNT_MISMATCH``. A header is checked (:meth:`FrameHeader.validate`)
    as soon as its 16 bytes are in, before any payload is awaited, so at most one frame plus
    one fed chunk is ever buffered.

    Errors are sticky: after one, :meth:`next` raises it again and :meth:`feed` only queues
    descriptors. The reader never closes descriptors by itself; call :meth:`close_pending`
    after an error or when the stream ends. Not thread-safe (one reader per connection, used
    by one thread at a time).
    """

    def __init__(self, limits: Limits = _DEFAULT_LIMITS) -> None:
        self.limits = limits
        """The limits headers are checked against; set the announced ones after HELLO."""
        self._buf = bytearray()
        self._pos = 0
        self._fds: list[int] = []
        self._header: FrameHeader | None = None
        self._error: WireError | None = None

    @property
    def error(self) -> WireError | None:
        """The error that stopped the reader, if any."""
        return self._error

    @property
    def buffered(self) -> int:
        """Bytes received and not yet returned in a frame."""
        return len(self._buf) - self._pos

    @property
    def at_frame_boundary(self) -> bool:
        """Whether no partial frame is pending (end-of-stream here is a clean close)."""
        return self.buffered == 0 and self._header is None

    @property
    def pending_fds(self) -> tuple[int, ...]:
        """Descriptors received and not yet handed out in a frame."""
        return tuple(self._fds)

    def feed(self, data: bytes | bytearray | memoryview, fds: Sequence[int] = ()) -> None:
        """Appends one receive: ``data`` in order and ``fds`` in the order the kernel gave
        them. The reader owns ``fds`` until it hands them out in a frame."""
        self._fds.extend(fds)
        if self._error is None:
            self._buf += data

    def next(self) -> Frame | None:
        """Returns the next complete frame, None when more bytes are needed, or raises the
        fatal :class:`WireError` (``MALFORMED_FRAME``, ``FRAME_TOO_LARGE``,
        ``FD_COUNT_MISMATCH``) after which the stream is unusable. The returned frame's
        descriptors belong to the caller."""
        if self._error is not None:
            raise self._error
        try:
            return self._step()
        except WireError as exc:
            self._error = exc
            raise

    def __iter__(self) -> FrameReader:
        return self

    def __next__(self) -> Frame:
        frame = self.next()
        if frame is None:
            raise StopIteration
        return frame

    def close_pending(self) -> None:
        """Closes every descriptor the reader still holds (after an error, or when the stream
        ends mid-frame) and drops any partial frame. Errors from ``close`` are ignored."""
        fds, self._fds = self._fds, []
        for fd in fds:
            try:
                os.close(fd)
            except OSError:
                pass
        del self._buf[:]
        self._pos = 0
        self._header = None

    def _step(self) -> Frame | None:
        header = self._header
        queued = len(self._fds)
        if header is None:
            if len(self._buf) - self._pos < HEADER_SIZE:
                if queued and self._pos == len(self._buf):
                    raise WireError(
                        ErrorCode.FD_COUNT_MISMATCH,
                        f"{queued} descriptors arrived that no frame announces; "
                        "descriptors travel only with their frame's first byte",
                    )
                if queued > self.limits.max_fds_per_frame:
                    raise WireError(
                        ErrorCode.FD_COUNT_MISMATCH,
                        f"{queued} descriptors arrived with one frame; the limit is {self.limits.max_fds_per_frame}",
                    )
                return None
            header = FrameHeader.unpack(self._buf, self._pos)
            header.validate(self.limits)
            if queued < header.fd_count:
                raise WireError(
                    ErrorCode.FD_COUNT_MISMATCH,
                    f"{_opcode_name(header.opcode)} (request {header.request_id}) announces "
                    f"{header.fd_count} descriptors but {queued} arrived with it",
                )
            self._pos += HEADER_SIZE
            self._header = header
        start = self._pos
        end = start + header.payload_length
        if len(self._buf) < end:
            if queued != header.fd_count:
                raise WireError(
                    ErrorCode.FD_COUNT_MISMATCH,
                    f"{_opcode_name(header.opcode)} (request {header.request_id}) announces "
                    f"{header.fd_count} descriptors but {queued} arrived with it",
                )
            return None
        payload = bytes(self._buf[start:end])
        count = header.fd_count
        fds = self._fds[:count]
        del self._fds[:count]
        self._header = None
        if end == len(self._buf):
            del self._buf[:]
            self._pos = 0
        elif end >= 65536 and end * 2 >= len(self._buf):
            del self._buf[:end]
            self._pos = 0
        else:
            self._pos = end
        return Frame(header.opcode, header.flags, header.request_id, payload, fds)
