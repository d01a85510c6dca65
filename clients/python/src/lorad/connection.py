"""One connection to lorad: the socket, HELLO, request ids, pipelining, descriptors,
timeouts, CANCEL and events.

Most programs use :class:`lorad.Client`, which owns a :class:`Connection`; use this module
directly to pipeline raw protocol messages (the dataclasses of :mod:`lorad.wire`).

Thread safety
-------------
A :class:`Connection` may be shared by any number of threads. Each request gets its own
request id and waiter; frames are written whole under a send lock, so they never
interleave; replies are matched to their waiters by request id, whatever order the server
answers in. There is no background thread: whichever waiting thread finds nobody reading
becomes the reader, reads frames for everyone, hands each reply to its waiter, and passes
the role on when its own reply has arrived (leader/follower). A slow request (a cold
SWITCH, a MERGE) therefore never blocks a quick one issued from another thread.

Timeouts and interruption
-------------------------
``connect_timeout`` bounds connecting plus HELLO. ``timeout`` bounds the wait for one reply
(``None`` waits for as long as it takes: cold switches and merges take seconds). When a
wait times out or is interrupted by ``KeyboardInterrupt``, the connection sends CANCEL for
that request, remembers its id as abandoned (its late reply is discarded and the reply's
descriptors closed), and raises :class:`~lorad.errors.Timeout` (or re-raises
``KeyboardInterrupt``). The connection stays usable.

Failures
--------
A FATAL frame, end of stream, or a frame this client cannot accept makes the connection
unusable: every pending and later call raises the same error
(:class:`~lorad.errors.ProtocolViolation`, :class:`~lorad.errors.DaemonUnavailable`,
:class:`~lorad.errors.PermissionDenied`, or :class:`~lorad.errors.ShuttingDown` after the
server announced SHUTTING_DOWN). After a SHUTTING_DOWN event, new requests raise
:class:`~lorad.errors.ShuttingDown` at once; requests already sent still get their answers.
"""

from __future__ import annotations

import array
import itertools
import os
import select
import socket
import stat
import threading
import time
from typing import Any, Callable

from . import wire
from .errors import (
    DaemonUnavailable,
    InvalidArgument,
    LoradError,
    PermissionDenied,
    ProtocolViolation,
    ShuttingDown,
    Timeout,
    TooManyConnections,
    error_for,
)

__all__ = ["Connection", "DEFAULT_CLIENT_NAME"]

#: The client name sent in HELLO unless the caller gives one (``lorad-python/<version>``).
DEFAULT_CLIENT_NAME = "lorad-python/0.1.0"

# Epochs: one number per Connection in this process, never reused. Segment ids are only
# meaningful within one epoch (they restart with the daemon).
_epochs = itertools.count(1)
_epoch_lock = threading.Lock()

# recvmsg: 64 KiB of bytes per call, and room for the most descriptors one call can carry
# (the kernel never merges two descriptor-carrying writes into one read; SCM_MAX_FD = 253).
_RECV_BYTES = 65536
_RECV_CONTROL = socket.CMSG_SPACE(253 * array.array("i").itemsize)
_MSG_CMSG_CLOEXEC = getattr(socket, "MSG_CMSG_CLOEXEC", 0)
_MSG_NOSIGNAL = getattr(socket, "MSG_NOSIGNAL", 0)

_EVENT_FIRST, _EVENT_LAST = 0x4000, 0x7FFF
_REPLY_BIT = 0x8000


def _next_epoch() -> int:
    with _epoch_lock:
        return next(_epochs)


def _close_fds(fds: list[int] | tuple[int, ...]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _opcode_name(opcode: int) -> str:
    try:
        return wire.Opcode(opcode).name
    except ValueError:
        return f"opcode 0x{opcode:04x}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _connect_within(sock: socket.socket, target: str, deadline: float | None) -> None:
    """Connects ``sock`` (with a timeout set, so non-blocking inside) to ``target``. An AF_UNIX
    connect to a full listen backlog fails at once with EAGAIN instead of waiting (there is
    no EINPROGRESS for Unix sockets), so it is retried every few milliseconds until
    ``deadline``; then ``socket.timeout`` is raised like any other connect timeout."""
    pause = 0.002
    while True:
        try:
            sock.connect(target)
            return
        except BlockingIOError:
            if deadline is None:
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("the listen backlog stayed full") from None
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.05)


class _Waiter:
    """One request sent and not claimed yet (internal)."""

    __slots__ = ("request_id", "opcode", "abandoned", "done", "reply", "error", "fds", "waiting")

    def __init__(self, request_id: int, opcode: int, *, abandoned: bool = False) -> None:
        self.request_id = request_id
        self.opcode = opcode
        self.abandoned = abandoned
        self.done = False
        self.reply: Any = None
        self.error: LoradError | None = None
        self.fds: list[int] = []
        self.waiting = False



def _not_a_socket(path: str) -> str | None:
    """What ``path`` is when it exists and is not a socket (``"a regular file"``, ...), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISSOCK(mode):
        return None
    for test, kind in ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "another kind of file"

class Connection:
    """One connection to lorad: one Unix socket, HELLO done, then requests and replies.

    Open one with :meth:`open` (or :meth:`from_socket` for a socket you connected). Send
    a request and wait for its reply with :meth:`request`; pipeline explicitly with
    :meth:`submit` and :meth:`wait`. Thread-safe (see the module documentation for how).

    Ownership: descriptors you pass inside a request (IMPORT files, EXPORT and MERGE
    outputs) stay yours; the kernel duplicates them. Descriptors inside a reply (the
    segments of a session reply) become yours when :meth:`request` or :meth:`wait`
    returns it; close them (or give them to :class:`lorad.segments.SegmentCache`).
    Replies nobody claims are closed with the connection.
    """

    def __init__(self, sock: socket.socket, path: str) -> None:
        """Wraps a connected stream socket without talking to it (internal; use
        :meth:`open` or :meth:`from_socket`, which do HELLO). The socket becomes the
        connection's and is closed with it."""
        sock.setblocking(True)
        self._sock: socket.socket | None = sock
        self._path = path
        self._cond = threading.Condition(threading.RLock())
        self._send_lock = threading.Lock()
        self._waiters: dict[int, _Waiter] = {}
        self._in_flight = 0
        self._last_id = 0
        self._reader_busy = False
        self._frames = wire.FrameReader(wire.Limits())
        self._failure: LoradError | None = None
        self._closed = False
        self._handshaking = True
        self._shutting_down: Any = None
        self._limits = wire.Limits()
        self._max_in_flight = 1
        self._version: tuple[int, int] = tuple(wire.PROTOCOL_MIN)  # type: ignore[assignment]
        self._server_name = ""
        self._epoch = _next_epoch()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        client_name: str = DEFAULT_CLIENT_NAME,
        connect_timeout: float | None = 5.0,
    ) -> Connection:
        """Connects to lorad's socket at ``path`` and does HELLO.

        ``client_name`` (at most 128 bytes of UTF-8) appears in the daemon's logs.
        ``connect_timeout`` (seconds, ``None`` for no limit) bounds connecting plus the
        HELLO exchange. A daemon that accepts no connection for now (at its connection limit
        with the reserved slots full too, or stuck) leaves its listen backlog full; connecting
        is then retried until ``connect_timeout`` passes.

        Raises :class:`~lorad.errors.DaemonUnavailable` when nothing listens at ``path``
        (no socket file, a stale one, a file that is not a socket, a path through a non-folder),
        :class:`~lorad.errors.PermissionDenied` when the socket or the daemon refuses this
        user, :class:`~lorad.errors.Timeout` when the connect or HELLO takes longer than
        ``connect_timeout``, :class:`~lorad.errors.ProtocolViolation` when the daemon
        speaks no protocol version this client does.
        """
        target = os.fspath(path)
        deadline = None if connect_timeout is None else time.monotonic() + connect_timeout
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | getattr(socket, "SOCK_CLOEXEC", 0))
        try:
            sock.settimeout(connect_timeout)
            _connect_within(sock, target, deadline)
            sock.settimeout(None)
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError) as error:
            sock.close()
            kind = _not_a_socket(target) if isinstance(error, ConnectionRefusedError) else None
            if kind is not None:
                raise DaemonUnavailable(
                    f"lorad is not reachable at {target}: it is {kind}, not a socket. Pass the daemon's socket "
                    "(socket= argument or $LORAD_SOCKET), or, if lorad should listen there, move that file "
                    "away and start lorad (systemctl start lorad.socket)", retryable=False) from error
            what = "no socket file" if isinstance(error, FileNotFoundError) else (
                "nothing listens on the socket (stale socket file)"
                if isinstance(error, ConnectionRefusedError) else "a part of the path is not a folder")
            raise DaemonUnavailable(
                f"lorad is not reachable at {target}: {what}. Start it (systemctl start lorad.socket) "
                "or pass the daemon's socket (socket= argument or $LORAD_SOCKET)") from error
        except PermissionError as error:
            sock.close()
            raise PermissionDenied(
                f"permission denied connecting to {target} ({_socket_access(target)}): ask an "
                "administrator to add you to the socket's group or to the daemon's allowed users") from error
        except socket.timeout as error:
            sock.close()
            raise Timeout(
                f"connecting to lorad at {target} took longer than {_seconds(connect_timeout or 0)}: "
                "the daemon accepts no connection (stuck, overloaded or at its connection limit); check "
                "`systemctl status lorad` and `journalctl -u lorad`, or raise connect_timeout") from error
        except OSError as error:
            sock.close()
            raise DaemonUnavailable(
                f"cannot connect to lorad at {target}: {error.strerror or error}; check the socket "
                "path (socket= argument or $LORAD_SOCKET)") from error
        connection = cls(sock, target)
        connection._handshake(client_name, deadline)
        return connection

    @classmethod
    def from_socket(
        cls,
        sock: socket.socket,
        *,
        path: str = "<socket>",
        client_name: str = DEFAULT_CLIENT_NAME,
        connect_timeout: float | None = 5.0,
    ) -> Connection:
        """Does HELLO over an already connected ``AF_UNIX`` stream socket (which becomes the
        connection's). ``path`` only names the peer in messages. Raises as :meth:`open`
        does after connecting."""
        deadline = None if connect_timeout is None else time.monotonic() + connect_timeout
        connection = cls(sock, path)
        connection._handshake(client_name, deadline)
        return connection

    def _handshake(self, client_name: str, deadline: float | None) -> None:
        try:
            hello = wire.Hello(
                min_version=wire.PROTOCOL_MIN, max_version=wire.PROTOCOL_MAX, client_name=client_name)
            request_id = self._submit(hello, deadline, handshake=True)
            try:
                reply = self._wait(request_id, deadline)
            except Timeout:
                raise Timeout(
                    f"lorad at {self._path} accepted the connection but did not answer HELLO in time: "
                    "the daemon is overloaded or stuck; check `systemctl status lorad` or raise "
                    "connect_timeout") from None
            if not isinstance(reply, wire.HelloReply):
                raise self._fail(ProtocolViolation(
                    f"lorad answered HELLO with {type(reply).__name__}; check that this client and lorad "
                    "come from the same release"))
            version = tuple(reply.version)
            if not (tuple(wire.PROTOCOL_MIN) <= version <= tuple(wire.PROTOCOL_MAX)):
                raise self._fail(ProtocolViolation(
                    f"lorad chose protocol {version[0]}.{version[1]}, outside the offered "
                    f"{wire.PROTOCOL_MIN[0]}.{wire.PROTOCOL_MIN[1]}-{wire.PROTOCOL_MAX[0]}.{wire.PROTOCOL_MAX[1]}; "
                    "use a client and a daemon from the same release"))
            limits = wire.Limits(
                max_frame_bytes=reply.max_frame_bytes,
                max_fds_per_frame=reply.max_fds_per_frame,
                max_requests_in_flight=reply.max_requests_in_flight,
            )
            with self._cond:
                self._version = version  # type: ignore[assignment]
                self._server_name = reply.server_name
                self._limits = limits
                self._max_in_flight = max(1, reply.max_requests_in_flight)
                self._frames.limits = limits
                self._handshaking = False
                self._cond.notify_all()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ properties

    @property
    def path(self) -> str:
        """The socket path this connection was opened on (a label for :meth:`from_socket`)."""
        return self._path

    @property
    def server_name(self) -> str:
        """The daemon's software name and version from HELLO, e.g. ``lorad/0.1.0``."""
        return self._server_name

    @property
    def version(self) -> tuple[int, int]:
        """The negotiated protocol version, ``(major, minor)``."""
        return self._version

    @property
    def limits(self) -> wire.Limits:
        """The limits the daemon announced in HELLO (frame bytes, descriptors per frame,
        requests in flight); they bind both directions."""
        return self._limits

    @property
    def epoch(self) -> int:
        """A process-wide number, new for every Connection: segment ids and session ids are
        only meaningful within one epoch (they restart with the daemon)."""
        return self._epoch

    @property
    def shutting_down(self) -> Any:
        """The SHUTTING_DOWN event (``wire.ShuttingDown``: ``grace_ms``, ``reason``) once the
        daemon announced it is stopping, else ``None``."""
        return self._shutting_down

    @property
    def closed(self) -> bool:
        """True once the connection is unusable: closed by :meth:`close` or failed."""
        return self._closed or self._failure is not None

    @property
    def failure(self) -> LoradError | None:
        """Why the connection is unusable (the error every call now raises), else ``None``."""
        return self._failure

    # ------------------------------------------------------------------ requests

    def request(self, message: Any, *, timeout: float | None = None) -> Any:
        """Sends ``message`` (a request dataclass of :mod:`lorad.wire`) and returns the
        decoded reply.

        ``timeout`` (seconds; ``None`` waits as long as it takes) covers waiting for a free
        slot when ``max_requests_in_flight`` requests are pending, and for the reply.

        Raises the :class:`~lorad.errors.LoradError` subclass of an ERROR reply (the
        connection goes on); :class:`~lorad.errors.InvalidArgument` (code ``None``) when the
        request cannot be encoded within the protocol's bounds (nothing is sent);
        :class:`~lorad.errors.Timeout` after sending CANCEL when no reply came in time;
        ``KeyboardInterrupt`` likewise after sending CANCEL; and the connection's failure
        (see :attr:`failure`) when it is unusable. The reply's descriptors are the caller's.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        request_id = self._submit(message, deadline)
        return self._wait(request_id, deadline, timeout=timeout)

    def submit(self, message: Any, *, timeout: float | None = None) -> int:
        """Sends ``message`` without waiting for its reply and returns its request id, for
        :meth:`wait`. ``timeout`` bounds only the wait for a free in-flight slot. Raises as
        :meth:`request` does before a reply. Each id must be claimed with :meth:`wait`
        (or its descriptors stay open until :meth:`close`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._submit(message, deadline)

    def wait(self, request_id: int, timeout: float | None = None) -> Any:
        """Waits for the reply to the request :meth:`submit` returned ``request_id`` for, and
        returns it (each reply can be taken once). ``timeout`` in seconds, ``None`` waits
        as long as it takes. Raises as :meth:`request`; an id that is not pending raises
        :class:`~lorad.errors.InvalidArgument`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._wait(request_id, deadline, timeout=timeout)

    def close(self) -> None:
        """Closes the socket and every descriptor of replies nobody claimed. Later calls
        raise :class:`~lorad.errors.DaemonUnavailable`. Idempotent; never raises."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            if self._failure is None:
                self._failure = DaemonUnavailable(
                    f"the connection to lorad at {self._path} was closed by this client; open a new "
                    "one (lorad.Client(), or client.reconnect())")
            for request_id, waiter in list(self._waiters.items()):
                if waiter.done and not waiter.waiting:
                    _close_fds(waiter.fds)
                    del self._waiters[request_id]
            self._shut_socket_locked()
            self._cond.notify_all()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"protocol {self._version[0]}.{self._version[1]}"
        return f"<lorad.Connection {self._path} epoch {self._epoch} {state}>"

    # ------------------------------------------------------------------ sending

    def _submit(self, message: Any, deadline: float | None, *, handshake: bool = False) -> int:
        opcode_attr = getattr(type(message), "OPCODE", None)
        if opcode_attr is None or wire.opcode_kind(int(opcode_attr)) != "request":
            raise TypeError(f"{type(message).__name__} is not a lorad request message (see lorad.wire)")
        opcode = int(opcode_attr)
        if not handshake and opcode == wire.Opcode.HELLO:
            raise InvalidArgument("HELLO is sent once, by Connection.open; do not send it again")
        payload, fds = self._encode(message, opcode)
        with self._cond:
            self._raise_if_unusable(opcode)
        if not handshake and not self._pump(lambda: self._in_flight < self._max_in_flight, deadline):
            raise Timeout(
                f"{_opcode_name(opcode)} was not sent: {self._max_in_flight} requests were still "
                "pending when the timeout expired; raise timeout= or send fewer requests at once")
        with self._cond:
            self._raise_if_unusable(opcode)
            request_id = self._register_locked(opcode)
        frame = wire.encode_frame(opcode, request_id, payload, len(fds))
        try:
            self._send_frame(frame, fds)
        except BaseException:
            with self._cond:
                waiter = self._waiters.pop(request_id, None)
                if waiter is not None and not waiter.done:
                    self._in_flight -= 1
                self._cond.notify_all()
            raise
        return request_id

    def _encode(self, message: Any, opcode: int) -> tuple[bytes, list[int]]:
        try:
            payload, fds = wire.encode_payload(message, self._version)
        except wire.WireError as error:
            raise InvalidArgument(
                f"{_opcode_name(opcode)} was not sent: {error}; fix the argument and retry") from None
        limits = self._limits
        if 16 + len(payload) > limits.max_frame_bytes:
            raise InvalidArgument(
                f"{_opcode_name(opcode)} was not sent: it takes {16 + len(payload)} bytes, more than the "
                f"{limits.max_frame_bytes} lorad accepts in one frame; send fewer or shorter items")
        if len(fds) > limits.max_fds_per_frame:
            raise InvalidArgument(
                f"{_opcode_name(opcode)} was not sent: it passes {len(fds)} descriptors, more than the "
                f"{limits.max_fds_per_frame} lorad accepts in one frame")
        return payload, list(fds)

    def _register_locked(self, opcode: int, *, abandoned: bool = False) -> int:
        while True:
            self._last_id = (self._last_id + 1) & 0xFFFFFFFF
            if self._last_id != 0 and self._last_id not in self._waiters:
                break
        waiter = _Waiter(self._last_id, opcode, abandoned=abandoned)
        self._waiters[self._last_id] = waiter
        self._in_flight += 1
        return self._last_id

    def _send_frame(self, frame: bytes, fds: list[int]) -> None:
        view = memoryview(frame)
        sent = 0
        with self._send_lock:
            sock = self._sock
            if sock is None or self._failure is not None:
                with self._cond:
                    self._raise_if_unusable(None)
                raise DaemonUnavailable("the connection to lorad is closed; reconnect")
            try:
                while sent < len(frame):
                    if sent == 0 and fds:
                        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
                        sent += sock.sendmsg([view], ancillary, _MSG_NOSIGNAL)
                    else:
                        sent += sock.send(view[sent:], _MSG_NOSIGNAL)
            except (BrokenPipeError, ConnectionResetError):
                broken = True
            except BaseException:
                if 0 < sent < len(frame):
                    self._fail(DaemonUnavailable(
                        "a request was interrupted half-way through being sent, so the connection to "
                        "lorad is unusable; reconnect (client.reconnect())"))
                raise
            else:
                broken = False
        if broken:
            # The daemon closed its end; it may have said why (FATAL) before closing.
            self._pump(lambda: False, time.monotonic() + 1.0)
            failure = self._fail(DaemonUnavailable(
                f"lorad closed the connection at {self._path} while a request was being sent; is the "
                "daemon restarting? Reconnect (client.reconnect())"))
            raise failure

    def _cancel_locked(self, target: int) -> tuple[bytes, list[int]] | None:
        """Registers a CANCEL for ``target`` (its own reply abandoned) and returns the frame
        to send, or None when nothing can be sent."""
        if self._failure is not None or self._handshaking or self._sock is None:
            return None
        payload, _ = wire.encode_payload(wire.Cancel(target_request_id=target), self._version)
        request_id = self._register_locked(wire.Opcode.CANCEL, abandoned=True)
        return wire.encode_frame(wire.Opcode.CANCEL, request_id, payload, 0), []

    def _abandon(self, waiter: _Waiter) -> None:
        """Gives up on ``waiter``: its reply (now or later) is discarded with its descriptors,
        and the daemon is asked to cancel it."""
        frame = None
        with self._cond:
            waiter.waiting = False
            if waiter.done:
                _close_fds(waiter.fds)
                self._waiters.pop(waiter.request_id, None)
                return
            if waiter.abandoned:
                return
            waiter.abandoned = True
            frame = self._cancel_locked(waiter.request_id)
        if frame is not None:
            try:
                self._send_frame(*frame)
            except (LoradError, OSError):
                pass

    # ------------------------------------------------------------------ waiting and reading

    def _wait(self, request_id: int, deadline: float | None, *, timeout: float | None = None) -> Any:
        with self._cond:
            waiter = self._waiters.get(request_id)
            if waiter is None or waiter.abandoned or waiter.waiting:
                raise InvalidArgument(
                    f"request id {request_id} is not pending on this connection (already answered and "
                    "claimed, abandoned, or awaited by another thread); wait for each id once")
            waiter.waiting = True
        try:
            arrived = self._pump(lambda: waiter.done, deadline)
        except KeyboardInterrupt:
            self._abandon(waiter)
            raise
        except BaseException:
            with self._cond:
                waiter.waiting = False
                if not waiter.done:
                    self._waiters.pop(request_id, None)
            raise
        if not arrived:
            self._abandon(waiter)
            name = _opcode_name(waiter.opcode)
            limit = "" if timeout is None else f" within {_seconds(timeout)}"
            raise Timeout(
                f"no reply to {name}{limit}; the request was cancelled and the connection goes on. "
                "Pass a larger timeout= (cold switches and merges take seconds) or timeout=None to wait")
        with self._cond:
            waiter.waiting = False
            self._waiters.pop(request_id, None)
        if waiter.error is not None:
            raise waiter.error
        return waiter.reply

    def _pump(self, ready: Callable[[], bool], deadline: float | None) -> bool:
        """Reads and dispatches frames (as the one reader) or waits for the reader, until
        ``ready()`` holds (True) or ``deadline`` passes (False). Raises the connection's
        failure when it fails first."""
        while True:
            with self._cond:
                while True:
                    if ready():
                        return True
                    if self._failure is not None:
                        raise self._failure.with_traceback(None)
                    if not self._reader_busy:
                        break
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                self._reader_busy = True
            progressed = False
            try:
                progressed = self._read_one(deadline)
            finally:
                with self._cond:
                    self._reader_busy = False
                    if self._failure is not None:
                        self._release_after_failure_locked()
                    self._cond.notify_all()
            if not progressed:
                with self._cond:
                    return ready()

    def _read_one(self, deadline: float | None) -> bool:
        """As the reader: dispatches one frame; False when ``deadline`` passed first."""
        sock = self._sock
        assert sock is not None
        while True:
            try:
                frame = self._frames.next()
            except wire.WireError as error:
                self._fail(ProtocolViolation(
                    f"lorad sent a frame this client cannot accept ({error}); the connection is closed. "
                    "Check that this client and lorad come from the same release"))
                return True
            if frame is not None:
                with self._cond:
                    self._dispatch_locked(frame)
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
            events = poller.poll(None if remaining is None else max(1, int(remaining * 1000 + 0.999)))
            if not events:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                continue
            received = None
            try:
                received = sock.recvmsg(_RECV_BYTES, _RECV_CONTROL, _MSG_CMSG_CLOEXEC | socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as error:
                self._fail(self._eof_error(f"receiving failed: {error.strerror or error}"))
                return True
            finally:
                if received is not None:
                    self._take(received)
            if self._failure is not None:
                return True

    def _take(self, received: tuple[bytes, list[tuple[int, int, bytes]], int, Any]) -> None:
        data, ancillary, flags, _ = received
        fds: list[int] = []
        for level, kind, blob in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                items = array.array("i")
                items.frombytes(blob[: len(blob) - len(blob) % items.itemsize])
                fds.extend(items)
        if flags & socket.MSG_CTRUNC:
            _close_fds(fds)
            self._fail(ProtocolViolation(
                "descriptors lorad sent were lost (control message truncated); the connection is "
                "closed. Raise the process's open-file limit (ulimit -n) and reconnect"))
            return
        if not data:
            _close_fds(fds)
            self._fail(self._eof_error("end of stream"))
            return
        self._frames.feed(data, fds)

    def _eof_error(self, detail: str) -> LoradError:
        event = self._shutting_down
        if event is not None:
            return ShuttingDown(
                f"lorad shut down ({event.reason or 'no reason given'}) and closed the connection; call "
                "client.reconnect() once it is back (e.g. after `systemctl restart lorad`)")
        return DaemonUnavailable(
            f"lorad closed the connection at {self._path} ({detail}); is the daemon restarting? "
            "Call client.reconnect() once it is back")

    def _dispatch_locked(self, frame: Any) -> None:
        opcode, request_id, fds = frame.opcode, frame.request_id, list(frame.fds)
        if opcode == wire.Opcode.FATAL:
            _close_fds(fds)
            self._fail(self._fatal_error(frame.payload))
            return
        if _EVENT_FIRST <= opcode <= _EVENT_LAST:
            if request_id != 0:
                _close_fds(fds)
                self._fail(ProtocolViolation(
                    f"lorad sent event {_opcode_name(opcode)} with request id {request_id} (events carry 0); "
                    "the connection is closed. Check that this client and lorad come from the same release"))
                return
            if opcode == wire.Opcode.SHUTTING_DOWN:
                try:
                    self._shutting_down = self._decode(opcode, frame.payload, fds)
                except LoradError as error:
                    _close_fds(fds)
                    self._fail(error)
                    return
            _close_fds(fds)  # unknown events: skipped, their descriptors closed
            return
        waiter = self._waiters.get(request_id)
        if waiter is None or waiter.done:
            _close_fds(fds)
            self._fail(ProtocolViolation(
                f"lorad sent {_opcode_name(opcode)} for request id {request_id}, which is not pending; "
                "the connection is closed. Check that this client and lorad come from the same release"))
            return
        if waiter.abandoned:
            _close_fds(fds)
            del self._waiters[request_id]
            self._in_flight -= 1
            return
        if opcode == wire.Opcode.ERROR:
            _close_fds(fds)
            try:
                payload = self._decode(opcode, frame.payload, [])
            except LoradError as error:
                self._fail(error)
                return
            waiter.error = error_for(payload.code, payload.name, payload.message, request=_opcode_name(waiter.opcode))
        elif opcode == (waiter.opcode | _REPLY_BIT):
            try:
                waiter.reply = self._decode(opcode, frame.payload, fds)
            except LoradError as error:
                _close_fds(fds)
                self._fail(error)
                return
            waiter.fds = fds
        else:
            _close_fds(fds)
            self._fail(ProtocolViolation(
                f"lorad answered {_opcode_name(waiter.opcode)} with {_opcode_name(opcode)}; the connection "
                "is closed. Check that this client and lorad come from the same release"))
            return
        waiter.done = True
        self._in_flight -= 1

    def _decode(self, opcode: int, payload: bytes, fds: list[int]) -> Any:
        try:
            return wire.decode_payload(opcode, payload, fds, version=self._version, direction="server-to-client")
        except wire.WireError as error:
            raise ProtocolViolation(
                f"lorad sent a {_opcode_name(opcode)} this client cannot decode ({error}); the connection "
                "is closed. Check that this client and lorad come from the same release") from None

    def _fatal_error(self, payload: bytes) -> LoradError:
        try:
            fatal = wire.decode_payload(
                wire.Opcode.FATAL, payload, [], version=self._version, direction="server-to-client")
        except wire.WireError as error:
            return ProtocolViolation(f"lorad sent a FATAL frame this client cannot decode ({error}); reconnect")
        if fatal.code == 104:
            advice = fatal.message or "ask an administrator to allow your user or group in lorad's configuration"
            return PermissionDenied(
                f"lorad refused the connection at {self._path}: {advice}", code=104,
                name=fatal.name or "permission_denied")
        if fatal.code == 114:
            advice = fatal.message or "its connection limits are reached; retry once some connections close"
            return TooManyConnections(
                f"lorad refused the connection at {self._path}: {advice}", code=114,
                name=fatal.name or "too_many_connections")
        if fatal.code == 3:
            return ProtocolViolation(
                f"lorad speaks another protocol version: {fatal.message}; use a client and a daemon from the "
                "same release", code=3, name=fatal.name or "unsupported_version")
        return ProtocolViolation(
            f"lorad closed the connection because this client broke the protocol: {fatal.message}; please "
            "report it", code=fatal.code, name=fatal.name)

    # ------------------------------------------------------------------ failing

    def _raise_if_unusable(self, opcode: int | None) -> None:
        if self._failure is not None:
            raise self._failure.with_traceback(None)
        event = self._shutting_down
        if event is not None and opcode != wire.Opcode.CANCEL:
            raise ShuttingDown(
                f"lorad is shutting down ({event.reason or 'no reason given'}; it closes connections within "
                f"{event.grace_ms} ms), so {_opcode_name(opcode or 0)} was not sent; call "
                "client.reconnect() once it is back")

    def _fail(self, error: LoradError) -> LoradError:
        """Makes ``error`` the connection's sticky failure (unless one is set), shuts the
        socket, and returns the failure every caller now raises."""
        with self._cond:
            if self._failure is None:
                self._failure = error
                self._shut_socket_locked()
            self._cond.notify_all()
            return self._failure

    def _shut_socket_locked(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if not self._reader_busy:
            self._release_after_failure_locked()

    def _release_after_failure_locked(self) -> None:
        """Closes the socket and the descriptors nobody can claim any more (only when no
        thread is reading)."""
        sock = self._sock
        if sock is None:
            return
        self._sock = None
        try:
            sock.close()
        except OSError:
            pass
        self._frames.close_pending()
        for request_id, waiter in list(self._waiters.items()):
            if not waiter.done:
                del self._waiters[request_id]
            elif waiter.abandoned or (self._closed and not waiter.waiting):
                _close_fds(waiter.fds)
                del self._waiters[request_id]
        self._in_flight = 0


def _socket_access(path: str) -> str:
    """Who may open the socket at ``path``, for a refusal message: its owner, group and mode,
    or that a folder on the way cannot be searched (``stat`` fails then too)."""
    import grp
    import pwd
    import stat

    try:
        info = os.stat(path)
    except OSError:
        return "a folder on the path cannot be searched by this user"

    def name(lookup: Any, ident: int) -> str:
        try:
            return str(lookup(ident)[0])
        except KeyError:
            return str(ident)

    return (f"the socket is {name(pwd.getpwuid, info.st_uid)}:{name(grp.getgrgid, info.st_gid)}, "
            f"mode {stat.S_IMODE(info.st_mode):04o}")
