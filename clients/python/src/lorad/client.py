"""The high-level client: :class:`Client`, the socket path rule, and how ``import`` picks
its files.

```python
import lorad
with lorad.Client() as client:                 # socket: arg, $LORAD_SOCKET, loractl's rule
    session = client.session("cogvideox-2b", mode="fused")
    session.switch({"watercolor": 0.7, "disney@2": -0.3})
```

Thread safety: one :class:`Client` may be shared by threads. Its requests are pipelined on
one connection (see :mod:`lorad.connection`): replies are matched by request id, so a slow
request (a cold switch, a merge) does not hold up quick ones from other threads. Changes
of one :class:`~lorad.session.Session` are serialised. :meth:`Client.reconnect` and
:meth:`Client.close` take the client's lock and should not race with requests in flight.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Union

from . import wire
from .connection import DEFAULT_CLIENT_NAME, Connection
from .errors import (
    DaemonUnavailable,
    InvalidArgument,
    LoradError,
    NotFound,
    NotReady,
    ProtocolViolation,
    ShuttingDown,
    Timeout,
)
from .session import (
    _UNSET,
    AdapterSet,
    Session,
    _mode_value,
    map_session_reply,
    parse_adapter_set,
    parse_ref,
    validate_name,
)

__all__ = [
    "Client",
    "SOCKET_ENV",
    "SYSTEM_SOCKET",
    "choose_import_files",
    "default_socket_path",
    "socket_candidates",
]

#: The environment variable naming lorad's socket.
SOCKET_ENV = "LORAD_SOCKET"
#: The system daemon's socket (root's default, everyone's fallback).
SYSTEM_SOCKET = "/run/lorad/lorad.sock"
_SOCKET_FILE = "lorad.sock"

#: File name extensions of pickled checkpoints, which ``import_adapter`` refuses.
PICKLE_EXTENSIONS = frozenset({"bin", "pt", "pth", "ckpt", "pkl", "pickle"})

Output = Union[str, "os.PathLike[str]", int, BinaryIO]
"""Where EXPORT and MERGE write: a path (created or truncated, mode 0644; removed again
when the request fails), a writable descriptor (written from its current position, stays
the caller's), or a binary file object with ``fileno()`` (flushed first; its position is
moved past what lorad wrote when it is seekable)."""


# ---------------------------------------------------------------------- socket path


def socket_candidates(environ: Mapping[str, str] | None = None, uid: int | None = None) -> list[str]:
    """The socket paths to try, best first, the same rule as ``loractl``:
    ``$LORAD_SOCKET`` when set and not empty; else ``/run/lorad/lorad.sock`` for root; else
    ``$XDG_RUNTIME_DIR/lorad.sock`` (when that variable is an absolute path) and then the
    system socket. Never empty. ``environ`` and ``uid`` default to this process's."""
    env = os.environ if environ is None else environ
    explicit = env.get(SOCKET_ENV, "")
    if explicit:
        return [explicit]
    if (os.geteuid() if uid is None else uid) == 0:
        return [SYSTEM_SOCKET]
    paths: list[str] = []
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):
        paths.append(runtime.rstrip("/") + "/" + _SOCKET_FILE)
    paths.append(SYSTEM_SOCKET)
    return paths


def default_socket_path(environ: Mapping[str, str] | None = None, uid: int | None = None) -> str:
    """The socket to connect to when none is given: the first of :func:`socket_candidates`
    that exists, else the first (whose absence connecting then reports)."""
    paths = socket_candidates(environ, uid)
    for path in paths:
        if os.path.exists(path):
            return path
    return paths[0]


# ---------------------------------------------------------------------- import files


def choose_import_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files ``import_adapter`` opens for ``path``, as ``loractl import`` chooses them:

    - a file: that file, plus ``adapter_config.json`` beside it (first) when the file is
      PEFT's ``adapter_model.safetensors``;
    - a folder: PEFT's ``adapter_config.json`` + ``adapter_model.safetensors``, else
      diffusers' ``pytorch_lora_weights.safetensors``, else its only ``.safetensors`` file.

    Raises :class:`~lorad.errors.InvalidArgument` for pickled checkpoints (``.bin``,
    ``.pt``...: never sent), a folder with no or several ``.safetensors`` files, or PEFT's
    config without its weights; :class:`~lorad.errors.NotFound` when nothing is at ``path``.
    """
    target = Path(path)
    if target.is_dir():
        names = sorted(entry.name for entry in target.iterdir())
        present = set(names)
        pickled = [name for name in names if _is_pickled(name)]
        if "adapter_config.json" in present:
            if "adapter_model.safetensors" not in present:
                if pickled:
                    raise _pickled(target / pickled[0])
                raise InvalidArgument(
                    f"{target} has adapter_config.json but no adapter_model.safetensors; save the PEFT "
                    "adapter with safe_serialization=True")
            return [target / "adapter_config.json", target / "adapter_model.safetensors"]
        if "pytorch_lora_weights.safetensors" in present:
            return [target / "pytorch_lora_weights.safetensors"]
        weights = [name for name in names if name.endswith(".safetensors")]
        if len(weights) == 1:
            return [target / weights[0]]
        if weights:
            raise InvalidArgument(
                f"{target} has several .safetensors files ({', '.join(weights)}); name the file to import")
        if pickled:
            raise _pickled(target / pickled[0])
        raise InvalidArgument(f"{target} has no .safetensors file; give the adapter's file or folder")
    if not target.exists():
        raise NotFound(f"nothing at {target}; give the adapter's file or folder")
    if _is_pickled(target.name):
        raise _pickled(target)
    config = target.parent / "adapter_config.json"
    if target.name == "adapter_model.safetensors" and config.is_file():
        return [config, target]
    return [target]


def _is_pickled(name: str) -> bool:
    _, dot, extension = name.rpartition(".")
    return bool(dot) and extension.lower() in PICKLE_EXTENSIONS


def _pickled(path: Path) -> InvalidArgument:
    return InvalidArgument(
        f"{path} is a pickled checkpoint, which lorad does not read (loading it could run code); convert it "
        "to .safetensors first")


# ---------------------------------------------------------------------- outputs


class _OutputTarget:
    """A writable descriptor for EXPORT/MERGE and what to do afterwards (internal)."""

    def __init__(self, output: Output) -> None:
        self.created: str | None = None
        self.owned = False
        self.file: Any = None
        if isinstance(output, int) and not isinstance(output, bool):
            self.fd = output
        elif isinstance(output, (str, os.PathLike)):
            path = os.fspath(output)
            try:
                self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            except OSError as error:
                raise InvalidArgument(f"cannot open {path} for writing: {error.strerror}; choose a writable path") from None
            self.created = path
            self.owned = True
        elif hasattr(output, "fileno"):
            self.file = output
            try:
                output.flush()
            except (AttributeError, ValueError, OSError):
                pass
            try:
                self.fd = output.fileno()
            except (io.UnsupportedOperation, OSError, ValueError) as error:
                raise InvalidArgument(
                    f"the output file object has no descriptor ({error}); pass a path or a real file") from None
        else:
            raise InvalidArgument(
                f"cannot write to {type(output).__name__}; pass a path, a descriptor or a binary file object")

    def finish(self, ok: bool) -> None:
        if self.owned:
            try:
                os.close(self.fd)
            except OSError:
                pass
            if not ok and self.created is not None:
                try:
                    os.unlink(self.created)
                except OSError:
                    pass
        elif self.file is not None and ok:
            try:
                self.file.seek(os.lseek(self.fd, 0, os.SEEK_CUR))
            except (OSError, ValueError, io.UnsupportedOperation):
                pass


# ---------------------------------------------------------------------- the client


class Client:
    """A connection to lorad with typed requests and sessions.

    ``socket``: the socket path; when ``None``, ``$LORAD_SOCKET``, then the same rule as
    ``loractl`` (see :func:`default_socket_path`). ``timeout``: the default seconds to wait
    for each reply (``None``: as long as it takes; cold switches and merges take seconds);
    every method also takes ``timeout=``. ``connect_timeout``: seconds for connecting plus
    HELLO. ``client_name`` appears in the daemon's logs.

    Connects at once; raises :class:`~lorad.errors.DaemonUnavailable`,
    :class:`~lorad.errors.PermissionDenied` or :class:`~lorad.errors.Timeout` when it cannot
    (see :meth:`lorad.connection.Connection.open`). A context manager that closes the
    client (and its sessions). Thread-safe: see the module documentation.

    When the daemon restarts, the next call raises :class:`~lorad.errors.ShuttingDown` or
    :class:`~lorad.errors.DaemonUnavailable`; :meth:`reconnect` then reopens the client's
    sessions with the same active sets.
    """

    def __init__(
        self,
        socket: str | os.PathLike[str] | None = None,
        *,
        timeout: float | None = None,
        connect_timeout: float | None = 5.0,
        client_name: str = DEFAULT_CLIENT_NAME,
    ) -> None:
        self._path = os.fspath(socket) if socket is not None else default_socket_path()
        self.timeout: float | None = timeout
        """Default seconds per reply (``None``: wait as long as it takes)."""
        self.connect_timeout: float | None = connect_timeout
        """Seconds for connecting plus HELLO (``None``: no limit)."""
        self._client_name = client_name
        self._lock = threading.RLock()
        self._sessions: dict[int, Session] = {}
        self._closed = False
        self._conn: Connection | None = None
        self._conn = Connection.open(self._path, client_name=client_name, connect_timeout=connect_timeout)

    # ------------------------------------------------------------------ basics

    @property
    def socket_path(self) -> str:
        """The socket path this client connects to."""
        return self._path

    @property
    def connection(self) -> Connection:
        """The current :class:`~lorad.connection.Connection` (a new one after
        :meth:`reconnect`); raises when the client is closed."""
        return self._connection()

    @property
    def server_name(self) -> str:
        """The daemon's software name and version, e.g. ``lorad/0.1.0``."""
        return self._connection().server_name

    @property
    def protocol_version(self) -> tuple[int, int]:
        """The negotiated protocol version ``(major, minor)``."""
        return self._connection().version

    @property
    def sessions(self) -> tuple[Session, ...]:
        """The sessions this client opened and has not closed."""
        with self._lock:
            return tuple(self._sessions.values())

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        conn = self._conn
        state = "closed" if self._closed else ("disconnected" if conn is None or conn.closed else conn.server_name)
        return f"<lorad.Client {self._path} {state}, {len(self._sessions)} sessions>"

    def close(self) -> None:
        """Closes every session of this client, then the connection. Idempotent; connection
        errors while closing are ignored (a daemon that is gone dropped the sessions)."""
        with self._lock:
            if self._closed:
                return
            for session in list(self._sessions.values()):
                try:
                    session.close()
                except LoradError:
                    pass
            self._closed = True
            if self._conn is not None:
                self._conn.close()

    def _connection(self) -> Connection:
        conn = self._conn
        if self._closed or conn is None:
            raise DaemonUnavailable("this lorad.Client is closed; make a new one")
        return conn

    def _current_connection_or_none(self) -> Connection | None:
        return None if self._closed else self._conn

    def _timeout(self, timeout: float | None) -> float | None:
        return self.timeout if timeout is _UNSET else timeout

    def _request(self, message: Any, timeout: float | None) -> Any:
        return self._connection().request(message, timeout=self._timeout(timeout))

    def _forget(self, session: Session) -> None:
        with self._lock:
            for key, value in list(self._sessions.items()):
                if value is session:
                    del self._sessions[key]

    # ------------------------------------------------------------------ service

    def ping(self, *, timeout: float | None = _UNSET) -> float:
        """Sends PING and returns the round trip in seconds. Raises
        :class:`~lorad.errors.ProtocolViolation` when the echoed token differs."""
        token = int.from_bytes(os.urandom(8), "little")
        started = time.perf_counter()
        reply = self._request(wire.Ping(token=token), timeout)
        elapsed = time.perf_counter() - started
        if reply.token != token:
            raise ProtocolViolation(
                f"lorad echoed PING token {reply.token} instead of {token}; check that this client and lorad come "
                "from the same release")
        return elapsed

    def stats(self, *, timeout: float | None = _UNSET) -> Any:
        """The daemon's counters (STATS): a ``wire.StatsReply`` with ``uptime_ms``,
        ``connections``, ``sessions``, ``segments``, ``segment_bytes``, ``cache_hits``..."""
        return self._request(wire.Stats(), timeout)

    # ------------------------------------------------------------------ bases

    def bases(self, *, timeout: float | None = _UNSET) -> list[Any]:
        """The configured bases (LIST_BASES) in configuration order: ``wire.BaseInfo`` with
        ``name``, ``state`` (``BaseState``), ``byte_size``, ``tensor_count``, ``origin``."""
        return list(self._request(wire.ListBases(), timeout).bases)

    def wait_ready(self, base: str, timeout: float | None = 60.0, *, poll_interval: float = 0.05) -> Any:
        """Waits until ``base`` is loaded (state ``READY``) and returns its ``BaseInfo``.

        ``timeout``: seconds in all (``None``: no limit); ``poll_interval``: the first pause
        between checks, doubled up to 1 s. A base that was evicted is loaded again by
        opening (and at once closing) a session on it. Raises
        :class:`~lorad.errors.NotFound` for a base the daemon does not have,
        :class:`~lorad.errors.NotReady` with the daemon's reason when it failed to load,
        :class:`~lorad.errors.Timeout` when it is not ready in time.
        """
        validate_name(base, "base")
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = max(0.001, poll_interval)
        nudged = False
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            bases = self.bases(timeout=remaining if remaining is None else max(remaining, 1.0))
            info = next((b for b in bases if b.name == base), None)
            if info is None:
                names = ", ".join(b.name for b in bases) or "none"
                raise NotFound(f"lorad has no base named {base} (configured: {names}); check the name or lorad's config")
            state = int(info.state)
            if state == int(wire.BaseState.READY):
                return info
            if state == int(wire.BaseState.FAILED) or (state == int(wire.BaseState.CONFIGURED) and not nudged):
                nudged = True
                self._nudge(base, remaining)
            if deadline is not None and time.monotonic() + pause > deadline:
                raise Timeout(
                    f"base {base} was not ready within {timeout:g} s (state {wire.BaseState(state).name.lower()}); "
                    "wait longer (timeout=) or check lorad's log")
            time.sleep(pause)
            pause = min(1.0, pause * 2)

    def _nudge(self, base: str, timeout: float | None) -> None:
        """Opens and closes a session on ``base`` so the daemon loads it; a base that failed
        raises the daemon's NotReady with its reason."""
        try:
            reply = self._request(wire.OpenSession(base=base, mode=_mode_value("factors")), timeout)
        except NotReady as error:
            if "failed" in str(error):
                raise
            return
        for segment in reply.segments:
            try:
                os.close(segment.fd)
            except OSError:
                pass
        try:
            self._request(wire.CloseSession(session_id=reply.session_id), timeout)
        except NotFound:
            pass

    def evict(self, base: str | None = None, *, timeout: float | None = _UNSET) -> Any:
        """Admin: drops every unreferenced cached segment, and ``base``'s resident segment
        when no session uses it (EVICT). Returns a ``wire.EvictReply`` (``segments_evicted``,
        ``bytes_freed``). Raises :class:`~lorad.errors.PermissionDenied` for non-admins,
        :class:`~lorad.errors.InUse` when a session uses the base."""
        if base is not None:
            validate_name(base, "base")
        return self._request(wire.Evict(base=base), timeout)

    # ------------------------------------------------------------------ sessions

    def session(self, base: str, mode: str = "fused", *, timeout: float | None = _UNSET) -> Session:
        """Opens a session on ``base`` (OPEN_SESSION) with an empty active set and maps the
        base segment. ``mode``: ``"fused"`` (the daemon fuses the set into an overlay) or
        ``"factors"`` (the daemon passes each adapter's factors). Raises
        :class:`~lorad.errors.NotFound`, :class:`~lorad.errors.NotReady` (the base is loading:
        see :meth:`wait_ready`), :class:`~lorad.errors.Unsupported`,
        :class:`~lorad.errors.ResourceExhausted`."""
        validate_name(base, "base")
        mode_value = _mode_value(mode)
        with self._lock:
            conn = self._connection()
            reply = conn.request(wire.OpenSession(base=base, mode=mode_value), timeout=self._timeout(timeout))
            state = map_session_reply(reply, conn.epoch)
            session = Session(self, state)
            self._sessions[id(session)] = session
            return session

    # ------------------------------------------------------------------ adapters

    def adapters(self, base: str | None = None, tag: str | None = None, *,
                 timeout: float | None = _UNSET) -> list[Any]:
        """Every adapter in the store (all LIST_ADAPTERS pages), in name order, optionally
        only those checked against ``base`` or carrying ``tag``: ``wire.AdapterSummary`` with
        ``name``, ``latest_version``, ``base``, ``rank``, ``stored_bytes``, ``tags``."""
        if base is not None:
            validate_name(base, "base")
        if tag is not None:
            validate_name(tag, "tag")
        result: list[Any] = []
        after: str | None = None
        while True:
            page = self._request(wire.ListAdapters(base=base, tag=tag, after=after, limit=0), timeout)
            result.extend(page.adapters)
            if page.next_after is None:
                return result
            if after is not None and page.next_after <= after:
                raise ProtocolViolation(
                    f"lorad's adapter list cursor went from {after} back to {page.next_after}; check that this "
                    "client and lorad come from the same release")
            after = page.next_after

    def show_adapter(self, adapter: str, *, timeout: float | None = _UNSET) -> Any:
        """Everything the store knows about ``adapter`` (``"name"`` = latest, or
        ``"name@N"``): a ``wire.ShowAdapterReply``. Raises :class:`~lorad.errors.NotFound`."""
        return self._request(wire.ShowAdapter(adapter=parse_ref(adapter)), timeout)

    def import_adapter(
        self,
        path: str | os.PathLike[str],
        name: str,
        *,
        alpha: float | None = None,
        base: str | None = None,
        description: str = "",
        tags: Iterable[str] = (),
        new_version: bool = False,
        timeout: float | None = _UNSET,
    ) -> Any:
        """Stores the adapter at ``path`` (a file or folder, diffusers, PEFT or kohya layout)
        under ``name`` (IMPORT). The files are chosen as ``loractl import`` does
        (:func:`choose_import_files`), opened read-only here and passed as descriptors; they
        are closed before this returns.

        ``alpha`` applies only when the files store none; ``base`` checks the adapter
        against that configured base; ``new_version=True`` adds a version when ``name``
        exists (else :class:`~lorad.errors.AlreadyExists`). Returns a ``wire.ImportReply``
        (``name``, ``version``, ``source_format``, ``rank``, ``alpha``...). Raises
        :class:`~lorad.errors.InvalidArgument`, :class:`~lorad.errors.Incompatible`,
        :class:`~lorad.errors.Corrupt`, :class:`~lorad.errors.NotFound` (base or path).
        """
        validate_name(name, "adapter name")
        if base is not None:
            validate_name(base, "base")
        tag_list = tuple(validate_name(tag, "tag") for tag in ([tags] if isinstance(tags, str) else tags))
        if alpha is not None:
            alpha = float(alpha)
            if not (alpha > 0 and alpha != float("inf")):
                raise InvalidArgument(f"alpha {alpha} must be a positive finite number")
        paths = choose_import_files(path)
        opened: list[int] = []
        try:
            for file in paths:
                try:
                    opened.append(os.open(file, os.O_RDONLY | os.O_CLOEXEC))
                except OSError as error:
                    raise InvalidArgument(f"cannot open {file}: {error.strerror}; check the path and its permissions") from None
            files = tuple(wire.ImportFile(file_name=file.name, fd=fd) for file, fd in zip(paths, opened))
            request = wire.Import(
                name=name, files=files, alpha=alpha, base=base, description=description, tags=tag_list,
                new_version=bool(new_version))
            return self._request(request, timeout)
        finally:
            for fd in opened:
                os.close(fd)

    def export_adapter(self, adapter: str, output: Output, *, timeout: float | None = _UNSET) -> int:
        """Writes ``adapter`` (``"name"`` = latest, or ``"name@N"``) as one diffusers-layout
        safetensors file to ``output`` (see :data:`Output`) (EXPORT) and returns the bytes
        written. Raises :class:`~lorad.errors.NotFound`,
        :class:`~lorad.errors.InvalidArgument` (output not writable, or a file on a FUSE or
        NFS file system: pass a pipe and copy from it), :class:`~lorad.errors.OutputStalled`
        (a pipe or socket nobody read for the daemon's stall timeout)."""
        ref = parse_ref(adapter)
        target = _OutputTarget(output)
        ok = False
        try:
            reply = self._request(wire.Export(adapter=ref, output=target.fd), timeout)
            ok = True
            return int(reply.bytes_written)
        finally:
            target.finish(ok)

    def remove_adapter(self, adapter: str, *, force: bool = False, timeout: float | None = _UNSET) -> int:
        """Deletes one version (``"name@N"``) or every version (``"name"``) of an adapter
        (REMOVE) and returns how many versions went. Without ``force`` an adapter a session
        uses raises :class:`~lorad.errors.InUse`; with it, sessions keep their segments."""
        reply = self._request(wire.Remove(adapter=parse_ref(adapter), force=bool(force)), timeout)
        return int(reply.removed_versions)

    def merge(self, base: str, adapters: AdapterSet, output: Output, *, timeout: float | None = _UNSET) -> Any:
        """Writes ``base`` with ``adapters`` fused in (see :data:`~lorad.session.AdapterSet`)
        as one safetensors file to ``output`` (see :data:`Output`) (MERGE): the same bytes as
        ``loractl merge``. Returns a ``wire.MergeReply`` (``bytes_written``,
        ``tensors_merged``). Takes a while on large bases: the client's ``timeout`` applies
        unless one is given here. Raises :class:`~lorad.errors.OutputStalled` when a pipe or
        socket output is not read for the daemon's stall timeout, and
        :class:`~lorad.errors.InvalidArgument` for an output it cannot write with a bound
        (read-only, a block device, a file on a FUSE or NFS file system)."""
        validate_name(base, "base")
        wanted = parse_adapter_set(adapters)
        target = _OutputTarget(output)
        ok = False
        try:
            reply = self._request(wire.Merge(base=base, adapters=tuple(wanted), output=target.fd), timeout)
            ok = True
            return reply
        finally:
            target.finish(ok)

    # ------------------------------------------------------------------ admin

    def verify(self, adapter: str | None = None, *, timeout: float | None = _UNSET) -> Any:
        """Admin: checks the store's packs and blobs (VERIFY), only ``adapter``'s versions when
        given. Returns a ``wire.VerifyReply`` (``checked``, ``problem_count``, ``problems``)."""
        if adapter is not None:
            validate_name(adapter, "adapter name")
        return self._request(wire.Verify(adapter=adapter), timeout)

    def gc(self, dry_run: bool = False, *, timeout: float | None = _UNSET) -> Any:
        """Admin: deletes unreferenced blobs from the store (GC), or only counts them with
        ``dry_run``. Returns a ``wire.GCReply`` (``blobs_removed``, ``bytes_freed``)."""
        return self._request(wire.GC(dry_run=bool(dry_run)), timeout)

    # ------------------------------------------------------------------ reconnect

    def reconnect(self, timeout: float | None = 30.0) -> None:
        """Opens a new connection and reopens every open session on it with the same base,
        mode and active set (versions pinned, same weights); observers of each session are
        called with the new state (its segments from the new daemon, a new ``epoch``).

        ``timeout``: seconds in all, for the daemon to come back (connecting is retried
        while it is unavailable or shutting down), for bases to load, and for the reopens;
        ``None`` waits as long as it takes.

        Raises the first error when the daemon does not come back in time or a session
        cannot be reopened (e.g. a version it used was removed): the other sessions are
        reopened anyway, and a session that failed raises that error on use until closed.
        """
        with self._lock:
            if self._closed:
                raise DaemonUnavailable("this lorad.Client is closed; make a new one")
            deadline = None if timeout is None else time.monotonic() + timeout
            if self._conn is not None:
                self._conn.close()
            self._conn = self._open_until(deadline, timeout)
            conn = self._conn
            first: LoradError | None = None
            failed: list[str] = []
            for session in list(self._sessions.values()):
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    session._reopen(
                        conn, self._timeout(_UNSET) if remaining is None else remaining, deadline,
                        lambda base, left: self.wait_ready(base, left))
                except LoradError as error:
                    if first is None:
                        first = error
                    # The raised error's str() ends with first's "(name, code N)": say another's only.
                    same = (error.code, error.name) == (first.code, first.name)
                    failed.append(f"{session!r}: {' '.join(error.message.split()) if same else error}")
            if first is not None:
                which = ("1 session could not be reopened", "close it and open a new one") if len(failed) == 1 else (
                    f"{len(failed)} sessions could not be reopened", "close them and open new ones")
                raise type(first)(
                    f"reconnected, but {which[0]}: {'; '.join(failed)}; {which[1]}",
                    code=first.code, name=first.name, request=first.request, retryable=first.retryable)

    def _open_until(self, deadline: float | None, timeout: float | None) -> Connection:
        pause = 0.05
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            connect_timeout = self.connect_timeout
            if remaining is not None:
                connect_timeout = max(0.001, remaining if connect_timeout is None else min(connect_timeout, remaining))
            try:
                conn = Connection.open(self._path, client_name=self._client_name, connect_timeout=connect_timeout)
            except (DaemonUnavailable, ShuttingDown, Timeout) as error:
                if deadline is not None and time.monotonic() + pause >= deadline:
                    raise type(error)(
                        f"lorad did not come back at {self._path} within {timeout:g} s ({error}); check "
                        "`systemctl status lorad` and call reconnect() again") from None
                time.sleep(pause)
                pause = min(1.0, pause * 2)
                continue
            return conn
