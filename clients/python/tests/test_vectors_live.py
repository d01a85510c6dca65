"""Invalid client-to-server frames, sent raw over a socket to a live lorad.

Every vector in protocol/vectors/invalid/ whose ``direction`` is ``client-to-server`` is
written as is (after a valid HELLO, unless the vector is itself a HELLO; with ``fds``
placeholder descriptors passed with its first byte by ``socket.send_fds``) and must get
the ``expect``-ed code: a FATAL frame followed by the end of the connection for codes 1-99
except ``unknown_opcode``, an ERROR reply after which the connection goes on for
``unknown_opcode`` (PROTOCOL.md, Errors). Placeholder descriptors must not stay open in
the daemon once it has rejected the frame.

Then the sequencing rules PROTOCOL.md states that no vector covers: a first frame other
than HELLO, a second HELLO, a HELLO offering no version lorad speaks, request id 0 on
another request, a request id still in flight, error and event opcodes sent by a client,
and an unknown request opcode carrying a descriptor.

Nothing here uses the client library's codec: frames are bytes from the vector files or
packed with ``struct``, so a bug shared by the codec and these tests cannot hide.
"""

from __future__ import annotations

import array
import os
import select
import socket
import struct
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from test_wire import VECTORS, read_vector  # PROTOCOL.md's reader of vector files

INVALID = VECTORS / "invalid"

HEADER = struct.Struct("<IHHHHI")  # payload_length, opcode, flags, fd_count, reserved, request_id

HELLO, PING, MERGE = 0x0001, 0x0002, 0x0030
HELLO_REPLY, PING_REPLY = 0x8001, 0x8002
ERROR, FATAL = 0xFFFE, 0xFFFF
EVENT_FIRST, EVENT_LAST = 0x4000, 0x7FFF

# PROTOCOL.md, Errors: the codes below 100 (all FATAL but unknown_opcode, an ERROR).
PROTOCOL_CODES = {
    "malformed_frame": 1,
    "unknown_opcode": 2,
    "unsupported_version": 3,
    "frame_too_large": 4,
    "fd_count_mismatch": 5,
    "handshake_required": 6,
    "protocol_violation": 7,
}
NOT_FATAL = {"unknown_opcode"}

READ_TIMEOUT = 10.0
"""Seconds to wait for an answer (or the end of the connection) from lorad."""


# ---------------------------------------------------------------------------- vectors


def _client_to_server_vectors() -> list[Path]:
    return sorted(path for path in INVALID.glob("*.hex")
                  if read_vector(path)[0].get("direction") == "client-to-server")


CLIENT_VECTORS = _client_to_server_vectors()


def test_the_invalid_vectors_are_there() -> None:
    """Guards the parametrisation below against an empty or moved folder."""
    assert len(CLIENT_VECTORS) >= 12, f"expected the client-to-server vectors in {INVALID}"
    for path in CLIENT_VECTORS:
        meta, data = read_vector(path)
        kind, _, code = meta["expect"].partition(" ")
        assert kind == "error" and code in PROTOCOL_CODES, f"{path.name}: expect {meta['expect']!r}"
        assert int(meta["fds"]) >= 0 and len(data) >= HEADER.size, path.name


def frame(opcode: int, request_id: int, payload: bytes = b"", *, fd_count: int = 0,
          flags: int = 0, reserved: int = 0) -> bytes:
    return HEADER.pack(len(payload), opcode, flags, fd_count, reserved, request_id) + payload


def hello_payload(min_version: tuple[int, int] = (1, 0), max_version: tuple[int, int] = (1, 1),
                  name: bytes = b"lorad-vector-tests") -> bytes:
    return struct.pack("<HHHHH", *min_version, *max_version, len(name)) + name


def ping_payload(token: int) -> bytes:
    return struct.pack("<Q", token)


def with_request_id(data: bytes, request_id: int) -> bytes:
    return data[:12] + struct.pack("<I", request_id) + data[16:]


# ---------------------------------------------------------------------------- raw socket


class Frame:
    def __init__(self, opcode: int, flags: int, fd_count: int, request_id: int, payload: bytes) -> None:
        self.opcode, self.flags, self.fd_count, self.request_id, self.payload = (
            opcode, flags, fd_count, request_id, payload)

    def error(self) -> tuple[int, str, str]:
        """(code, name, message) of an ERROR or FATAL payload."""
        code, name_len = struct.unpack_from("<HH", self.payload, 0)
        name = self.payload[4:4 + name_len].decode()
        (message_len,) = struct.unpack_from("<H", self.payload, 4 + name_len)
        start = 6 + name_len
        message = self.payload[start:start + message_len].decode()
        assert start + message_len <= len(self.payload), "ERROR/FATAL payload shorter than its fields"
        return code, name, message

    def __repr__(self) -> str:
        return f"Frame(opcode=0x{self.opcode:04x}, request_id={self.request_id}, payload={self.payload[:80]!r})"


class RawConnection:
    """One Unix stream socket to lorad, frames read by hand, received descriptors closed."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(READ_TIMEOUT)
        self.sock.connect(str(path))
        self.buffer = bytearray()
        self.eof = False

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes, fds: Sequence[int] = ()) -> None:
        if fds:
            # The descriptors travel with the frame's first byte, and only with it.
            sent = socket.send_fds(self.sock, [data], list(fds))
            assert sent > 0
            data = data[sent:]
        if data:
            self.sock.sendall(data)

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk, ancillary, _flags, _addr = self.sock.recvmsg(
                65536, socket.CMSG_SPACE(253 * array.array("i").itemsize))
        except ConnectionResetError:
            chunk, ancillary = b"", []
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = array.array("i")
                received.frombytes(data[: len(data) - len(data) % received.itemsize])
                for fd in received:
                    os.close(fd)
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def read_frame(self) -> Frame | None:
        """The next frame, or None at the end of the stream (at a frame boundary)."""
        while len(self.buffer) < HEADER.size:
            if not self._fill():
                assert not self.buffer, f"the stream ended inside a frame header: {bytes(self.buffer)!r}"
                return None
        length, opcode, flags, fd_count, reserved, request_id = HEADER.unpack_from(self.buffer)
        assert reserved == 0, "lorad sent a frame with the reserved field set"
        while len(self.buffer) < HEADER.size + length:
            if not self._fill():
                raise AssertionError(f"the stream ended inside a 0x{opcode:04x} frame")
        payload = bytes(self.buffer[HEADER.size:HEADER.size + length])
        del self.buffer[:HEADER.size + length]
        return Frame(opcode, flags, fd_count, request_id, payload)

    def answer(self) -> Frame | None:
        """The next frame that is not an event (events may come at any time), or None at EOF."""
        while True:
            got = self.read_frame()
            if got is None or not (EVENT_FIRST <= got.opcode <= EVENT_LAST):
                return got

    def hello(self) -> Frame:
        self.send(frame(HELLO, 1, hello_payload()))
        reply = self.answer()
        assert reply is not None and reply.opcode == HELLO_REPLY, f"HELLO got {reply!r}"
        return reply

    def ping(self, request_id: int, token: int) -> None:
        """Sends PING and checks its reply: the connection is still usable."""
        self.send(frame(PING, request_id, ping_payload(token)))
        reply = self.answer()
        assert reply is not None, "lorad closed the connection instead of answering PING"
        assert (reply.opcode, reply.request_id) == (PING_REPLY, request_id), f"PING got {reply!r}"
        assert struct.unpack("<Q", reply.payload[:8])[0] == token


@pytest.fixture
def raw(shared_lorad_daemon: Any) -> Iterator[Any]:
    """A factory of raw connections to the module's lorad, all closed afterwards; the daemon
    must still be running at the end of the test (a bad frame never stops it)."""
    opened: list[RawConnection] = []

    def connect() -> RawConnection:
        conn = RawConnection(shared_lorad_daemon.socket)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()
    assert shared_lorad_daemon.process.poll() is None, (
        f"lorad exited ({shared_lorad_daemon.process.returncode}):\n{shared_lorad_daemon.log_tail()}")


def expect_fatal(conn: RawConnection, name: str, context: str) -> None:
    """The next answer is FATAL ``name``, then the connection ends."""
    got = conn.answer()
    assert got is not None, f"{context}: lorad closed the connection without FATAL {name}"
    assert got.opcode == FATAL, f"{context}: expected FATAL {name}, got {got!r}"
    code, sent_name, message = got.error()
    assert (code, sent_name) == (PROTOCOL_CODES[name], name), f"{context}: FATAL {sent_name} ({code}): {message}"
    assert message and "\n" not in message, f"{context}: FATAL message {message!r}"
    after = conn.answer()
    assert after is None, f"{context}: lorad sent {after!r} after FATAL instead of closing"


def expect_error(conn: RawConnection, name: str, request_id: int, context: str) -> None:
    """The next answer is ERROR ``name`` for ``request_id``."""
    got = conn.answer()
    assert got is not None, f"{context}: lorad closed the connection instead of answering ERROR {name}"
    assert got.opcode == ERROR, f"{context}: expected ERROR {name}, got {got!r}"
    assert got.request_id == request_id, f"{context}: ERROR for request {got.request_id}, not {request_id}"
    code, sent_name, message = got.error()
    assert (code, sent_name) == (PROTOCOL_CODES[name], name), f"{context}: ERROR {sent_name} ({code}): {message}"


class Placeholders:
    """``count`` descriptors of uniquely named files, to pass with a frame; checks that the
    daemon no longer holds any of them."""

    def __init__(self, folder: Path, tag: str, count: int) -> None:
        self.paths = [folder / f"placeholder-{tag}-{index}" for index in range(count)]
        for path in self.paths:
            path.write_bytes(b"placeholder")
        self.fds = [os.open(path, os.O_RDONLY | os.O_CLOEXEC) for path in self.paths]
        # The scan below must see them in this process, or its silence would prove nothing.
        assert len(self.held_by(os.getpid())) == count

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def held_by(self, pid: int) -> list[str]:
        wanted = {os.path.realpath(path) for path in self.paths}
        held = []
        for entry in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{entry}")
            except FileNotFoundError:  # closed meanwhile
                continue
            if target in wanted:
                held.append(target)
        return held

    def assert_released(self, pid: int, context: str) -> None:
        deadline = time.monotonic() + 5.0
        while (held := self.held_by(pid)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not held, f"{context}: lorad still holds the descriptors passed with the frame: {held}"


# ---------------------------------------------------------------------------- the vectors


@pytest.mark.parametrize("path", CLIENT_VECTORS, ids=[p.stem for p in CLIENT_VECTORS])
def test_invalid_vector_gets_its_code(path: Path, raw: Any, shared_lorad_daemon: Any, tmp_path: Path) -> None:
    meta, data = read_vector(path)
    expected = meta["expect"].removeprefix("error ").strip()
    opcode = HEADER.unpack_from(data)[1]
    placeholders = Placeholders(tmp_path, path.stem, int(meta["fds"]))
    conn = raw()
    try:
        if opcode != HELLO:  # a HELLO vector is about the handshake: it is the first frame
            conn.hello()
        conn.send(data, placeholders.fds)
    finally:
        placeholders.close()
    context = f"{path.name} ({meta.get('description', '')})"
    if expected in NOT_FATAL:
        expect_error(conn, expected, HEADER.unpack_from(data)[5], context)
        conn.ping(77, 0x0123456789ABCDEF)  # the connection goes on
    else:
        expect_fatal(conn, expected, context)
    if placeholders.paths:
        placeholders.assert_released(shared_lorad_daemon.process.pid, context)
    # lorad itself goes on: a new connection is served.
    fresh = raw()
    fresh.hello()
    fresh.ping(2, 42)


# ---------------------------------------------------------------------------- sequencing


@pytest.mark.parametrize("vector", ["ping_request", "list_bases_request", "stats_request"])
def test_first_frame_not_hello_is_handshake_required(vector: str, raw: Any) -> None:
    _meta, data = read_vector(VECTORS / f"{vector}.hex")
    conn = raw()
    conn.send(data)
    expect_fatal(conn, "handshake_required", f"{vector} as the first frame")


def test_second_hello_is_a_protocol_violation(raw: Any) -> None:
    conn = raw()
    conn.hello()
    conn.ping(2, 7)
    conn.send(frame(HELLO, 3, hello_payload()))
    expect_fatal(conn, "protocol_violation", "a second HELLO")


def test_the_valid_hello_vector_is_accepted(raw: Any) -> None:
    """hello_request.hex (loractl/0.1 offering 1.0 only) gets HELLO_REPLY choosing 1.0."""
    _meta, data = read_vector(VECTORS / "hello_request.hex")
    conn = raw()
    conn.send(data)
    reply = conn.answer()
    assert reply is not None and (reply.opcode, reply.request_id) == (HELLO_REPLY, 1), reply
    assert struct.unpack_from("<HH", reply.payload) == (1, 0)
    conn.ping(5, 5)


@pytest.mark.parametrize("offer", [((2, 0), (2, 3)), ((1, 1), (1, 0)), ((0, 1), (0, 9))],
                         ids=["major-2", "min-above-max", "major-0"])
def test_hello_offering_no_version_is_unsupported_version(offer: Any, raw: Any) -> None:
    conn = raw()
    conn.send(frame(HELLO, 1, hello_payload(*offer)))
    expect_fatal(conn, "unsupported_version", f"HELLO offering {offer}")


@pytest.mark.parametrize("vector", ["ping_request", "list_bases_request"])
def test_request_id_zero_is_a_protocol_violation(vector: str, raw: Any) -> None:
    _meta, data = read_vector(VECTORS / f"{vector}.hex")
    conn = raw()
    conn.hello()
    conn.send(with_request_id(data, 0))
    expect_fatal(conn, "protocol_violation", f"{vector} with request id 0")


def test_request_id_in_flight_is_a_protocol_violation(raw: Any) -> None:
    """A MERGE into a pipe nobody reads stays pending (the tiny base is larger than the pipe's
    buffer); a PING with the same request id is then a protocol violation."""
    conn = raw()
    conn.hello()
    read_end, write_end = os.pipe()
    try:
        base = b"tiny"
        payload = struct.pack("<H", len(base)) + base + struct.pack("<HH", 0, 0)  # no adapters, fd 0
        conn.send(frame(MERGE, 9, payload, fd_count=1), [write_end])
        os.close(write_end)
        write_end = -1
        # lorad has begun writing once the pipe holds something; the MERGE is pending.
        ready, _, _ = select.select([read_end], [], [], READ_TIMEOUT)
        assert ready, "lorad did not start writing the merge into the pipe"
        conn.send(frame(PING, 9, ping_payload(1)))
        expect_fatal(conn, "protocol_violation", "a PING reusing the id of a pending MERGE")
    finally:
        os.close(read_end)  # the merge then fails with EPIPE in lorad
        if write_end >= 0:
            os.close(write_end)


@pytest.mark.parametrize("vector,request_id", [
    ("error_reply", None),            # ERROR sent by the client
    ("fatal_error", None),            # FATAL sent by the client
    ("shutting_down_event", None),    # an event (request id 0) sent by the client
    ("shutting_down_event", 11),      # the same with a non-zero request id
    ("hello_reply", None),            # a reply
], ids=["error", "fatal", "event", "event-with-id", "hello-reply"])
def test_error_event_and_reply_opcodes_from_a_client_are_protocol_violations(
        vector: str, request_id: int | None, raw: Any) -> None:
    _meta, data = read_vector(VECTORS / f"{vector}.hex")
    if request_id is not None:
        data = with_request_id(data, request_id)
    conn = raw()
    conn.hello()
    conn.send(data)
    expect_fatal(conn, "protocol_violation", f"{vector} sent by a client")


@pytest.mark.parametrize("opcode", [0x0004, 0x002F, 0x0FFF, 0x3FFF])
def test_unknown_request_opcode_is_an_error_and_the_connection_goes_on(opcode: int, raw: Any) -> None:
    conn = raw()
    conn.hello()
    conn.send(frame(opcode, 21, b"\x01\x02\x03 any payload at all"))
    expect_error(conn, "unknown_opcode", 21, f"request opcode 0x{opcode:04x}")
    conn.ping(22, 0xFEEDFACE)
    # ... and again on the same connection, then pipelined with a PING.
    conn.send(frame(opcode, 23) + frame(PING, 24, ping_payload(3)))
    answers = {}
    for _ in range(2):
        got = conn.answer()
        assert got is not None, "lorad closed the connection"
        answers[got.request_id] = got
    assert answers[23].opcode == ERROR and answers[23].error()[1] == "unknown_opcode"
    assert answers[24].opcode == PING_REPLY


def test_unknown_request_opcode_with_a_descriptor_closes_it(raw: Any, shared_lorad_daemon: Any,
                                                            tmp_path: Path) -> None:
    placeholders = Placeholders(tmp_path, "unknown-opcode", 2)
    conn = raw()
    conn.hello()
    try:
        conn.send(frame(0x0005, 31, b"\x00\x00\x01\x00", fd_count=2), placeholders.fds)
    finally:
        placeholders.close()
    expect_error(conn, "unknown_opcode", 31, "an unknown request opcode with 2 descriptors")
    placeholders.assert_released(shared_lorad_daemon.process.pid, "an unknown request opcode")
    conn.ping(32, 1)
