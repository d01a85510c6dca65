"""lorad.connection against a fake server: a thread on the other end of a socketpair that
speaks the protocol with lorad.wire. Covers HELLO, pipelining from several threads, replies
out of order, the in-flight limit, timeouts and Ctrl-C (CANCEL sent, the late reply and its
descriptors discarded), end of stream, FATAL, SHUTTING_DOWN, unknown events and ERROR
replies."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lorad import errors, wire
from lorad.connection import Connection

Handler = Callable[["FakeServer", int, Any], None]


def memfd_count(name: str) -> int:
    """Descriptors of this process that point to memfds called ``name``."""
    count = 0
    for entry in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{entry}") == f"/memfd:{name} (deleted)" or os.readlink(
                f"/proc/self/fd/{entry}"
            ) == f"/memfd:{name}":
                count += 1
        except OSError:
            pass
    return count


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class FakeServer:
    """The server end of a socketpair, run by a thread: answers HELLO itself (unless told
    otherwise) and hands every other request to ``handler(server, request_id, message)``."""

    def __init__(self, handler: Handler | None = None, *, version: tuple[int, int] = (1, 1),
                 limits: wire.Limits = wire.Limits(), answer_hello: bool = True,
                 on_connect: Callable[[FakeServer], None] | None = None) -> None:
        self.client_sock, self.sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.handler = handler or (lambda server, rid, msg: None)
        self.version = version
        self.limits = limits
        self.answer_hello = answer_hello
        self.on_connect = on_connect
        self.received: list[tuple[int, Any]] = []
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight_seen = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        reader = wire.FrameReader()
        try:
            if self.on_connect is not None:
                self.on_connect(self)
            while True:
                try:
                    data, fds, _, _ = socket.recv_fds(self.sock, 65536, 253)
                except OSError:
                    return
                if not data:
                    return
                reader.feed(data, fds)
                while (frame := reader.next()) is not None:
                    message = wire.decode_payload(frame.opcode, frame.payload, frame.fds,
                                                  direction="client-to-server")
                    for fd in frame.fds:
                        os.close(fd)
                    with self.lock:
                        self.received.append((frame.request_id, message))
                        if not isinstance(message, (wire.Hello, wire.Cancel)):
                            self.in_flight += 1
                            self.max_in_flight_seen = max(self.max_in_flight_seen, self.in_flight)
                    if isinstance(message, wire.Hello) and self.answer_hello:
                        self.reply(frame.request_id, wire.HelloReply(
                            version=self.version, server_name="fake/1",
                            max_frame_bytes=self.limits.max_frame_bytes,
                            max_fds_per_frame=self.limits.max_fds_per_frame,
                            max_requests_in_flight=self.limits.max_requests_in_flight))
                        continue
                    self.handler(self, frame.request_id, message)
        except BaseException as error:  # reported by the test's teardown
            self.errors.append(error)

    def reply(self, request_id: int, message: Any, *, opcode: int | None = None, close_fds: bool = True) -> None:
        """Sends ``message`` as the answer to ``request_id`` (or an event with id 0);
        descriptors inside it are sent, then closed here."""
        frame, fds = wire.encode_message(message, request_id, version=self.version, opcode=opcode)
        if request_id != 0 and not isinstance(message, (wire.HelloReply, wire.CancelReply)):
            with self.lock:  # before sending: the client may send its next request at once
                self.in_flight -= 1
        self.send_raw(frame, fds)
        if close_fds:
            for fd in fds:
                os.close(fd)

    def send_raw(self, data: bytes, fds: list[int] = ()) -> None:  # type: ignore[assignment]
        with self.send_lock:
            if fds:
                socket.send_fds(self.sock, [data], list(fds))
            else:
                self.sock.sendall(data)

    def error(self, request_id: int, code: int, name: str, message: str) -> None:
        self.reply(request_id, wire.ErrorPayload(code=code, name=name, message=message))

    def fatal(self, code: int, name: str, message: str, request_id: int = 0) -> None:
        frame, _ = wire.encode_message(wire.ErrorPayload(code=code, name=name, message=message), request_id,
                                       opcode=wire.Opcode.FATAL)
        self.send_raw(frame)

    def hang_up(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def requests(self, kind: type) -> list[tuple[int, Any]]:
        with self.lock:
            return [(rid, m) for rid, m in self.received if isinstance(m, kind)]

    def close(self) -> None:
        self.hang_up()
        self.thread.join(5)
        self.sock.close()
        self.client_sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[FakeServer, Connection]]]:
    """``serve(handler, **server_options) -> (server, connection)``; both closed afterwards,
    and a server thread that failed fails the test."""
    made: list[tuple[FakeServer, Connection | None]] = []

    def start(handler: Handler | None = None, *, connect: bool = True, connect_timeout: float = 5.0,
              **options: Any) -> tuple[FakeServer, Connection]:
        server = FakeServer(handler, **options)
        entry: list[Any] = [server, None]
        made.append(entry)  # type: ignore[arg-type]
        conn = Connection.from_socket(server.client_sock, path="fake.sock", connect_timeout=connect_timeout)
        entry[1] = conn
        return server, conn

    yield start
    for server, conn in made:
        if conn is not None:
            conn.close()
        server.close()
        assert not server.errors, f"the fake server failed: {server.errors!r}"


def make_memfd(name: str, size: int = 4096) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.ftruncate(fd, size)
    return fd


def session_reply(session_id: int, memfd_name: str) -> wire.SessionReply:
    """A session reply carrying one (fresh, unmapped) memfd as its base segment."""
    return wire.SessionReply(
        session_id=session_id, base="tiny", mode=wire.SessionMode.FUSED, generation=0, active=(),
        segments=(wire.SegmentDescriptor(kind=wire.SegmentKind.BASE, segment_id=1, byte_size=4096,
                                         fd=make_memfd(memfd_name)),))


def echo_pings(server: FakeServer, rid: int, message: Any) -> None:
    if isinstance(message, wire.Ping):
        server.reply(rid, wire.PingReply(token=message.token))


# ---------------------------------------------------------------------------- HELLO


def test_hello_negotiates_and_reports_the_server(serve: Any) -> None:
    server, conn = serve(echo_pings, limits=wire.Limits(8192, 16, 4))
    hello = server.requests(wire.Hello)[0][1]
    assert hello.min_version == wire.PROTOCOL_MIN and hello.max_version == wire.PROTOCOL_MAX
    assert hello.client_name.startswith("lorad-python/")
    assert conn.server_name == "fake/1"
    assert conn.version == (1, 1)
    assert conn.limits == wire.Limits(8192, 16, 4)
    assert not conn.closed and conn.shutting_down is None
    assert conn.request(wire.Ping(token=7)).token == 7
    _, other = serve(echo_pings)
    assert other.epoch > conn.epoch


def test_hello_accepts_protocol_1_0(serve: Any) -> None:
    _, conn = serve(echo_pings, version=(1, 0))
    assert conn.version == (1, 0)


def test_hello_offers_and_accepts_protocol_1_2(serve: Any) -> None:
    assert wire.PROTOCOL_MAX == (1, 2)
    server, conn = serve(echo_pings, version=(1, 2))
    assert server.requests(wire.Hello)[0][1].max_version == (1, 2)
    assert conn.version == (1, 2)
    assert conn.request(wire.Ping(token=9)).token == 9


def test_a_version_outside_the_offer_is_a_protocol_violation(serve: Any) -> None:
    with pytest.raises(errors.ProtocolViolation, match="outside the offered"):
        serve(version=(1, 7))


def test_hello_timeout(serve: Any) -> None:
    started = time.monotonic()
    with pytest.raises(errors.Timeout, match="did not answer HELLO"):
        serve(answer_hello=False, connect_timeout=0.3)
    assert time.monotonic() - started < 2


def test_refusal_at_connect_is_permission_denied(serve: Any) -> None:
    def refuse(server: FakeServer) -> None:
        server.fatal(104, "permission_denied", "uid 1000 is not allowed")
        server.hang_up()

    with pytest.raises(errors.PermissionDenied, match="uid 1000 is not allowed") as caught:
        serve(on_connect=refuse, answer_hello=False)
    assert caught.value.code == 104


def test_refusal_by_the_connection_limits_is_too_many_connections(serve: Any) -> None:
    message = ("uid 1000 has 2 connections to lorad open, the most one user may have "
               "(limits.connections_per_uid = 2); close one of them and retry, or ask an administrator to raise the limit")

    def refuse(server: FakeServer) -> None:
        server.fatal(114, "too_many_connections", message)
        server.hang_up()

    with pytest.raises(errors.TooManyConnections) as caught:
        serve(on_connect=refuse, answer_hello=False)
    error = caught.value
    assert isinstance(error, errors.LimitExceeded)
    assert (error.code, error.name, error.retryable) == (114, "too_many_connections", True)
    assert error.message == f"lorad refused the connection at fake.sock: {message}"


def test_a_full_listen_backlog_times_out_the_connect(tmp_path: Any) -> None:
    # lorad at its connection ceiling stops accepting: the backlog fills and an AF_UNIX
    # connect fails with EAGAIN at once; the client retries until connect_timeout.
    path = str(tmp_path / "full.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(0)
    held = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    held.connect(path)  # takes the only place in the backlog
    try:
        started = time.monotonic()
        with pytest.raises(errors.Timeout, match="accepts no connection") as caught:
            Connection.open(path, connect_timeout=0.3)
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 2, elapsed
        assert caught.value.code is None and caught.value.retryable
    finally:
        held.close()
        listener.close()


def test_unsupported_version_fatal(serve: Any) -> None:
    def refuse(server: FakeServer, rid: int, message: Any) -> None:
        pass

    def on_connect(server: FakeServer) -> None:
        server.fatal(3, "unsupported_version", "this server speaks 2.0 only")
        server.hang_up()

    with pytest.raises(errors.ProtocolViolation, match="another protocol version") as caught:
        serve(refuse, on_connect=on_connect, answer_hello=False)
    assert caught.value.code == 3


def test_open_reports_a_missing_socket(tmp_path: Any) -> None:
    path = tmp_path / "nothing.sock"
    with pytest.raises(errors.DaemonUnavailable, match=str(path)) as caught:
        Connection.open(path)
    assert "LORAD_SOCKET" in str(caught.value) and caught.value.retryable


def test_open_reports_a_stale_socket(tmp_path: Any) -> None:
    path = tmp_path / "stale.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.close()  # the file stays, nobody listens
    with pytest.raises(errors.DaemonUnavailable, match="stale socket"):
        Connection.open(path)


def test_open_reports_a_path_that_is_not_a_socket(tmp_path: Any) -> None:
    """connect() on a regular file (or a folder) is refused like a stale socket; say what the path is."""
    regular = tmp_path / "lorad.sock"
    regular.write_text("not a socket\n")
    for path, kind in ((regular, "a regular file"), (tmp_path, "a folder")):
        with pytest.raises(errors.DaemonUnavailable) as caught:
            Connection.open(path)
        text = str(caught.value)
        assert f"lorad is not reachable at {path}: it is {kind}, not a socket." in text
        assert "stale" not in text and "nothing listens" not in text
        assert "LORAD_SOCKET" in text and "move that file away" in text
        assert not caught.value.retryable


# ---------------------------------------------------------------------------- pipelining


def test_threads_pipeline_and_replies_come_back_out_of_order(serve: Any) -> None:
    count = 8
    held: list[tuple[int, int]] = []

    def reverse(server: FakeServer, rid: int, message: Any) -> None:
        held.append((rid, message.token))
        if len(held) == count:  # all pipelined: answer newest first
            for request_id, token in reversed(held):
                server.reply(request_id, wire.PingReply(token=token))

    server, conn = serve(reverse)
    results: dict[int, int] = {}
    failures: list[BaseException] = []

    def worker(token: int) -> None:
        try:
            results[token] = conn.request(wire.Ping(token=token), timeout=10).token
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(1000 + i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert not failures
    assert results == {1000 + i: 1000 + i for i in range(count)}
    assert server.max_in_flight_seen == count


def test_submit_and_wait_in_any_order(serve: Any) -> None:
    held: list[tuple[int, int]] = []

    def later(server: FakeServer, rid: int, message: Any) -> None:
        held.append((rid, message.token))
        if len(held) == 3:
            for request_id, token in [held[1], held[2], held[0]]:
                server.reply(request_id, wire.PingReply(token=token))

    _, conn = serve(later)
    ids = [conn.submit(wire.Ping(token=t)) for t in (1, 2, 3)]
    assert [conn.wait(i, timeout=5).token for i in reversed(ids)] == [3, 2, 1]
    with pytest.raises(errors.InvalidArgument, match="not pending"):
        conn.wait(ids[0])


def test_in_flight_limit_is_respected(serve: Any) -> None:
    pending: list[tuple[int, int]] = []
    lock = threading.Lock()

    def slow(server: FakeServer, rid: int, message: Any) -> None:
        def answer() -> None:
            time.sleep(0.02)
            server.reply(rid, wire.PingReply(token=message.token))
        threading.Thread(target=answer).start()

    server, conn = serve(slow, limits=wire.Limits(65536, 253, 2))
    tokens: list[int] = []

    def worker(token: int) -> None:
        reply = conn.request(wire.Ping(token=token), timeout=10)
        with lock:
            tokens.append(reply.token)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert sorted(tokens) == list(range(10))
    assert server.max_in_flight_seen <= 2
    del pending


# ---------------------------------------------------------------------------- timeouts, Ctrl-C


def _late_session_reply_handler(memfd_name: str, release: threading.Event) -> Handler:
    """Holds GET_SEGMENTS until ``release`` is set, then answers it with a memfd; answers
    PING and CANCEL at once."""

    def handler(server: FakeServer, rid: int, message: Any) -> None:
        if isinstance(message, wire.GetSegments):
            def late() -> None:
                release.wait(10)
                server.reply(rid, session_reply(message.session_id, memfd_name),
                             opcode=wire.Opcode.GET_SEGMENTS | 0x8000)
            threading.Thread(target=late).start()
        elif isinstance(message, wire.Cancel):
            server.reply(rid, wire.CancelReply(was_pending=False))
        else:
            echo_pings(server, rid, message)

    return handler


def _assert_cancelled_then_discarded(server: FakeServer, conn: Connection, name: str,
                                     release: threading.Event) -> None:
    """The abandoned GET_SEGMENTS got a CANCEL; once its late reply is sent, the connection
    reads it while serving the next request, closes its memfd, and goes on."""
    target = server.requests(wire.GetSegments)[0][0]
    assert eventually(lambda: [m.target_request_id for _, m in server.requests(wire.Cancel)] == [target])
    release.set()
    assert eventually(lambda: server.in_flight == 0 and memfd_count(name) == 0)  # sent, in the client's buffer
    assert conn.request(wire.Ping(token=9), timeout=5).token == 9
    assert eventually(lambda: memfd_count(name) == 0)
    assert conn.request(wire.Ping(token=10), timeout=5).token == 10
    assert not conn.closed


def test_timeout_sends_cancel_and_discards_the_late_reply(serve: Any) -> None:
    name = f"lorad-test-timeout-{os.getpid()}"
    release = threading.Event()
    server, conn = serve(_late_session_reply_handler(name, release))
    started = time.monotonic()
    with pytest.raises(errors.Timeout, match="GET_SEGMENTS within 0.2 s") as caught:
        conn.request(wire.GetSegments(session_id=5), timeout=0.2)
    assert 0.15 < time.monotonic() - started < 2
    assert caught.value.retryable and isinstance(caught.value, TimeoutError)
    _assert_cancelled_then_discarded(server, conn, name, release)


def test_keyboard_interrupt_sends_cancel_and_discards_the_late_reply(serve: Any) -> None:
    name = f"lorad-test-sigint-{os.getpid()}"
    release = threading.Event()
    server, conn = serve(_late_session_reply_handler(name, release))
    main = threading.main_thread().ident
    assert threading.get_ident() == main, "the test must run in the main thread"
    # Python's own SIGINT handler, whatever pytest inherited: a background job of a shell
    # without job control (`cmd &` in a script, nohup) starts with SIGINT ignored, and
    # Python then installs no handler, so the signal would never raise KeyboardInterrupt.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, lambda: signal.pthread_kill(main, signal.SIGINT))  # type: ignore[arg-type]
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            conn.request(wire.GetSegments(session_id=5))  # no timeout: only Ctrl-C ends it
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGINT, previous)
    _assert_cancelled_then_discarded(server, conn, name, release)


def test_reply_descriptors_are_the_callers_and_unclaimed_ones_close_with_the_connection(serve: Any) -> None:
    name = f"lorad-test-owner-{os.getpid()}"

    def answer(server: FakeServer, rid: int, message: Any) -> None:
        if isinstance(message, wire.GetSegments):
            server.reply(rid, session_reply(message.session_id, name), opcode=wire.Opcode.GET_SEGMENTS | 0x8000)
        else:
            echo_pings(server, rid, message)

    _, conn = serve(answer)
    reply = conn.request(wire.GetSegments(session_id=5), timeout=5)
    assert eventually(lambda: memfd_count(name) == 1)  # the caller's now (the server closes its copy)
    os.close(reply.segments[0].fd)
    unclaimed = conn.submit(wire.GetSegments(session_id=6))
    assert conn.request(wire.Ping(token=1), timeout=5).token == 1  # reads both replies
    assert eventually(lambda: memfd_count(name) == 1)  # kept for wait(unclaimed)
    conn.close()
    assert memfd_count(name) == 0
    del unclaimed


# ---------------------------------------------------------------------------- failures


def test_end_of_stream_fails_pending_and_later_calls(serve: Any) -> None:
    def hang_up_on_ping(server: FakeServer, rid: int, message: Any) -> None:
        server.hang_up()

    _, conn = serve(hang_up_on_ping)
    with pytest.raises(errors.DaemonUnavailable, match="closed the connection.*reconnect") as caught:
        conn.request(wire.Ping(token=1), timeout=5)
    assert caught.value.code is None and caught.value.retryable
    assert conn.closed
    with pytest.raises(errors.DaemonUnavailable):
        conn.request(wire.Ping(token=2), timeout=5)


def test_end_of_stream_mid_frame_closes_its_descriptors(serve: Any) -> None:
    name = f"lorad-test-midframe-{os.getpid()}"

    def half(server: FakeServer, rid: int, message: Any) -> None:
        frame, fds = wire.encode_message(session_reply(1, name), rid, opcode=wire.Opcode.GET_SEGMENTS | 0x8000)
        server.send_raw(frame[:20], fds)
        for fd in fds:
            os.close(fd)
        time.sleep(0.05)
        server.hang_up()

    _, conn = serve(half)
    with pytest.raises(errors.DaemonUnavailable):
        conn.request(wire.GetSegments(session_id=1), timeout=5)
    assert memfd_count(name) == 0


def test_fatal_is_a_protocol_violation_and_kills_the_connection(serve: Any) -> None:
    def fatal(server: FakeServer, rid: int, message: Any) -> None:
        server.fatal(7, "protocol_violation", "request id 1 is already in flight", rid)
        server.hang_up()

    _, conn = serve(fatal)
    with pytest.raises(errors.ProtocolViolation, match="already in flight") as caught:
        conn.request(wire.Ping(token=1), timeout=5)
    assert caught.value.code == 7 and not caught.value.retryable
    with pytest.raises(errors.ProtocolViolation):
        conn.request(wire.Ping(token=2))


def test_error_replies_map_to_classes_and_the_connection_goes_on(serve: Any) -> None:
    def refuse(server: FakeServer, rid: int, message: Any) -> None:
        if isinstance(message, wire.Switch):
            server.error(rid, 100, "not_found", "no adapter named disney")
        elif isinstance(message, wire.Stats):
            server.error(rid, 150, "brand_new", "a code from the future")
        else:
            echo_pings(server, rid, message)

    _, conn = serve(refuse)
    with pytest.raises(errors.NotFound, match="no adapter named disney") as caught:
        conn.request(wire.Switch(session_id=1, adapters=()))
    assert (caught.value.code, caught.value.name, caught.value.request) == (100, "not_found", "SWITCH")
    with pytest.raises(errors.Internal, match="brand_new, code 150"):
        conn.request(wire.Stats())
    assert conn.request(wire.Ping(token=4)).token == 4


def test_a_reply_to_no_pending_request_is_a_protocol_violation(serve: Any) -> None:
    def wrong(server: FakeServer, rid: int, message: Any) -> None:
        server.reply(rid + 100, wire.PingReply(token=1))

    _, conn = serve(wrong)
    with pytest.raises(errors.ProtocolViolation, match="not pending"):
        conn.request(wire.Ping(token=1), timeout=5)
    assert conn.closed


def test_a_reply_of_the_wrong_kind_is_a_protocol_violation(serve: Any) -> None:
    def wrong(server: FakeServer, rid: int, message: Any) -> None:
        server.reply(rid, wire.StatsReply(*([0] * 11)))

    _, conn = serve(wrong)
    with pytest.raises(errors.ProtocolViolation, match="answered PING with STATS_REPLY"):
        conn.request(wire.Ping(token=1), timeout=5)


def test_shutting_down_event_then_error_on_the_next_call(serve: Any) -> None:
    def announce(server: FakeServer, rid: int, message: Any) -> None:
        if isinstance(message, wire.Ping) and message.token == 1:
            server.reply(0, wire.ShuttingDown(grace_ms=500, reason="SIGTERM"))
            server.reply(rid, wire.PingReply(token=1))  # pending requests still get answers
        elif isinstance(message, wire.Ping):
            server.error(rid, 112, "shutting_down", "lorad is stopping")

    server, conn = serve(announce)
    assert conn.request(wire.Ping(token=1), timeout=5).token == 1
    assert conn.shutting_down == wire.ShuttingDown(grace_ms=500, reason="SIGTERM")
    with pytest.raises(errors.ShuttingDown, match="SIGTERM.*reconnect") as caught:
        conn.request(wire.Ping(token=2), timeout=5)
    assert caught.value.retryable
    assert len(server.requests(wire.Ping)) == 1  # refused here, not sent
    server.hang_up()
    assert eventually(lambda: _fails_with(conn, errors.ShuttingDown))


def _fails_with(conn: Connection, cls: type) -> bool:
    try:
        conn.request(wire.Ping(token=0), timeout=1)
    except cls:
        return True
    return False


def test_descriptors_of_unknown_events_are_closed(serve: Any) -> None:
    name = f"lorad-test-event-{os.getpid()}"

    def odd_event(server: FakeServer, rid: int, message: Any) -> None:
        fd = make_memfd(name)
        payload = b"\x00\x00"
        header = wire.encode_frame(0x4777, 0, payload, 1)
        server.send_raw(header, [fd])
        os.close(fd)
        server.reply(rid, wire.PingReply(token=message.token))

    _, conn = serve(odd_event)
    assert conn.request(wire.Ping(token=5), timeout=5).token == 5
    assert memfd_count(name) == 0
    assert not conn.closed


def test_a_request_that_cannot_be_encoded_is_not_sent(serve: Any) -> None:
    server, conn = serve(echo_pings)
    with pytest.raises(errors.InvalidArgument, match="not sent") as caught:
        conn.request(wire.OpenSession(base="x" * 300, mode=wire.SessionMode.FUSED))
    assert caught.value.code is None
    with pytest.raises(errors.InvalidArgument, match="HELLO is sent once"):
        conn.request(wire.Hello(min_version=(1, 0), max_version=(1, 1), client_name="again"))
    with pytest.raises(TypeError):
        conn.request(wire.PingReply(token=1))
    assert conn.request(wire.Ping(token=6)).token == 6
    assert [type(m) for _, m in server.received] == [wire.Hello, wire.Ping]


def test_close_is_idempotent_and_later_calls_fail(serve: Any) -> None:
    _, conn = serve(echo_pings)
    conn.close()
    conn.close()
    assert conn.closed
    with pytest.raises(errors.DaemonUnavailable, match="closed by this client"):
        conn.request(wire.Ping(token=1))


def test_close_from_another_thread_wakes_a_waiter(serve: Any) -> None:
    _, conn = serve(lambda server, rid, message: None)  # never answers
    threading.Timer(0.2, conn.close).start()
    with pytest.raises(errors.DaemonUnavailable):
        conn.request(wire.Ping(token=1))
