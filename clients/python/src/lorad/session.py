"""Sessions: one base and an active set of adapters, with their segments mapped.

A :class:`Session` belongs to a :class:`lorad.Client` and mirrors the protocol's session
requests: :meth:`Session.switch` (SWITCH), :meth:`Session.attach` (ATTACH),
:meth:`Session.detach` (DETACH), :meth:`Session.refresh` (GET_SEGMENTS) and
:meth:`Session.close` (CLOSE_SESSION). After each of them the session's segments are
mapped (once per process, through :class:`lorad.segments.SegmentCache`) and its
:class:`SessionState` replaced; observers (e.g. a bound torch module) are then called.

The session holds strong references to the segments of its current state (the base, and
the overlay or the factor segments); the previous state's segments are released to the
segment cache, which keeps a few of them so that switching back maps nothing.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union

from . import wire
from .errors import (
    DaemonUnavailable,
    InvalidArgument,
    LoradError,
    NotFound,
    NotReady,
    ProtocolViolation,
    ResourceExhausted,
    ShuttingDown,
)

if TYPE_CHECKING:
    from .client import Client
    from .connection import Connection
    from .segments import Segment

__all__ = [
    "AdapterFactors",
    "AdapterSet",
    "Observer",
    "Session",
    "SessionState",
    "parse_adapter_set",
    "validate_name",
]

_UNSET: Any = object()

_NAME_FIRST = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_NAME_REST = _NAME_FIRST | set("._-")
_MAX_ACTIVE = 64

#: The metadata key of a factors segment holding ``{module: scale}`` as JSON.
SCALES_KEY = "lorad.scales"
#: The metadata key of a factors segment holding the tensor-name prefix (``transformer``).
PREFIX_KEY = "lorad.prefix"


def validate_name(name: object, field: str) -> str:
    """Returns ``name`` when it follows the protocol's name grammar
    (``[A-Za-z0-9][A-Za-z0-9._-]{0,127}``); raises :class:`~lorad.errors.InvalidArgument`
    (code ``None``, nothing sent) saying which ``field`` is wrong otherwise."""
    if not isinstance(name, str):
        raise InvalidArgument(f"the {field} must be a string, not {type(name).__name__}")
    if not name or len(name) > 128 or name[0] not in _NAME_FIRST or any(c not in _NAME_REST for c in name):
        raise InvalidArgument(
            f"the {field} {name!r} is not a valid name: use 1 to 128 of A-Z a-z 0-9 . _ -, "
            "starting with a letter or digit")
    return name


def parse_ref(value: object, field: str = "adapter") -> Any:
    """Turns ``"name"``, ``"name@N"`` or a ``wire.AdapterRef`` into a ``wire.AdapterRef``
    (version ``None`` = latest); raises :class:`~lorad.errors.InvalidArgument` when the text
    is not ``NAME`` or ``NAME@N`` with N a decimal from 1 or the name breaks the grammar."""
    if isinstance(value, wire.AdapterRef):
        ref = value
    elif isinstance(value, str):
        try:
            ref = wire.AdapterRef.parse(value)
        except (ValueError, wire.WireError) as error:
            raise InvalidArgument(
                f"the {field} {value!r} is not NAME or NAME@VERSION (VERSION a whole number from 1)") from None
    else:
        raise InvalidArgument(
            f"the {field} must be a string such as 'disney' or 'disney@2', not {type(value).__name__}")
    validate_name(ref.name, field + " name")
    if ref.version is not None and not (1 <= ref.version <= 0xFFFFFFFF):
        raise InvalidArgument(f"the {field} version {ref.version} is out of range; versions count from 1")
    return ref


def _weight(value: object, name: str) -> float:
    """``value`` as a float when it is a real number (int, float, numpy's) and finite; a str
    (``"0.5"``), a bool or anything else is refused, never converted."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgument(
            f"the weight of {name} is {value!r} (a {type(value).__name__}); give a number: an int or a float")
    weight = float(value)
    if not math.isfinite(weight):
        raise InvalidArgument(f"the weight of {name} is {weight}; give a finite number")
    return weight


AdapterSet = Union[
    Mapping[Any, float],
    Iterable[Union[str, "wire.AdapterRef", tuple[Any, float], "wire.WeightedAdapter", "wire.ActiveAdapter"]],
]
"""What :meth:`Session.switch` and :meth:`lorad.Client.merge` accept: a mapping
``{"name[@N]": weight}``, or an iterable of names (weight 1.0), ``(name, weight)`` pairs,
``wire.WeightedAdapter`` or ``wire.ActiveAdapter`` items (the latter pin their version)."""


def parse_adapter_set(adapters: AdapterSet) -> list[Any]:
    """Turns an :data:`AdapterSet` into a list of ``wire.WeightedAdapter`` in order, checking
    names, versions, finite weights, distinct names and the limit of 64 adapters; raises
    :class:`~lorad.errors.InvalidArgument` (nothing sent) on the first problem."""
    if isinstance(adapters, (str, bytes)):
        raise InvalidArgument(
            f"give the adapters as a mapping {{name: weight}} or a list, not the single string {adapters!r} "
            "(write [name] for one adapter)")
    items: Iterable[Any] = adapters.items() if isinstance(adapters, Mapping) else adapters
    result: list[Any] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, wire.WeightedAdapter):
            ref, weight = parse_ref(item.adapter), _weight(item.weight, item.adapter.name)
        elif isinstance(item, wire.ActiveAdapter):
            ref = parse_ref(wire.AdapterRef(item.name, item.version))
            weight = _weight(item.weight, item.name)
        elif isinstance(item, (str, wire.AdapterRef)):
            ref, weight = parse_ref(item), 1.0
        elif isinstance(item, tuple) and len(item) == 2:
            ref = parse_ref(item[0])
            weight = _weight(item[1], ref.name)
        else:
            raise InvalidArgument(
                f"cannot read {item!r} as an adapter: give 'name', 'name@N' or a (name, weight) pair")
        if ref.name in seen:
            raise InvalidArgument(f"adapter {ref.name} appears twice in the set; give each name once")
        seen.add(ref.name)
        result.append(wire.WeightedAdapter(adapter=ref, weight=weight))
    if len(result) > _MAX_ACTIVE:
        raise InvalidArgument(f"{len(result)} adapters in one set; at most {_MAX_ACTIVE} are allowed")
    return result


@dataclass(frozen=True)
class AdapterFactors:
    """One active adapter's LoRA factors in a factors-mode session.

    ``segment`` holds ``<prefix>.<module>.lora_A.weight`` and ``.lora_B.weight`` for each
    adapted module (``prefix`` is usually ``transformer``; strip ``<prefix>.`` and add
    ``.weight`` to get the base tensor's name). ``scales`` maps each module path to its
    scale ``s_i`` (alpha / rank, or alpha / sqrt(rank) with rsLoRA) as exact doubles; the
    delta of a module is ``active.weight * scales[module] * B @ A``.
    """

    active: Any
    """The ``wire.ActiveAdapter`` (name, resolved version, weight)."""
    segment: Segment
    """The mapped factors segment (read-only)."""
    prefix: str
    """The tensor-name prefix from the segment's ``lorad.prefix`` metadata."""
    scales: dict[str, float]
    """Module path -> scale, from the segment's ``lorad.scales`` metadata."""


@dataclass(frozen=True)
class SessionState:
    """One generation of a session, with every segment mapped. Immutable: a switch makes a
    new one. Holding it keeps its segments mapped."""

    session_id: int
    """The daemon's session id (valid within ``epoch`` only)."""
    base: str
    """The base name."""
    mode: str
    """``"fused"`` or ``"factors"``."""
    generation: int
    """Bumped by the daemon on every change of the active set; 0 when opened."""
    active: tuple[Any, ...]
    """The active set in order: ``wire.ActiveAdapter`` (name, resolved version, weight)."""
    base_segment: Segment
    """The base's segment (read-only mapping, shared with the daemon)."""
    overlay: Segment | None
    """Fused mode: the fused tensors the set touches (use them instead of the base's), or
    ``None`` for an empty set. Always ``None`` in factors mode."""
    factors: tuple[AdapterFactors, ...]
    """Factors mode: one entry per active adapter, in set order; empty in fused mode."""
    epoch: int
    """The connection epoch the state came from (see ``Connection.epoch``)."""


Observer = Callable[["Session", SessionState, SessionState], None]
"""``callback(session, old_state, new_state)``, called after every change of state."""

_MODES = {"factors": 0, "fused": 1}


def _mode_value(mode: str) -> Any:
    if mode not in _MODES:
        raise InvalidArgument(f"mode {mode!r} is not a session mode; use 'fused' or 'factors'")
    return wire.SessionMode(_MODES[mode])


def _mode_name(mode: int) -> str:
    return "fused" if int(mode) == 1 else "factors"


def _segment_cache() -> Any:
    from .segments import SegmentCache

    return SegmentCache.shared()


def _kind_name(kind: Any) -> str:
    return {0: "base", 1: "factors", 2: "overlay"}.get(_kind_value(kind), str(kind))


def _kind_value(kind: Any) -> int:
    if isinstance(kind, str):
        return {"base": 0, "factors": 1, "overlay": 2}[kind]
    return int(kind)


def map_session_reply(reply: Any, epoch: int) -> SessionState:
    """Maps every segment of a ``wire.SessionReply`` and returns its :class:`SessionState`.

    Takes ownership of the reply's descriptors: each is adopted by the segment cache (which
    closes it), and all that are left are closed when mapping fails. Raises
    :class:`~lorad.errors.ProtocolViolation` when the reply lacks its base segment or names
    an adapter index out of range, or what the segment cache raises."""
    cache = _segment_cache()
    descriptors = list(reply.segments)
    mapped: list[Any] = []
    try:
        for index, descriptor in enumerate(descriptors):
            try:
                mapped.append(cache.adopt(descriptor))
            except (ValueError, OSError) as error:  # SegmentFormatError is a ValueError
                what = f"segment {descriptor.segment_id} ({_kind_name(descriptor.kind)}, {descriptor.byte_size} bytes)"
                if isinstance(error, OSError):
                    raise ResourceExhausted(
                        f"cannot map {what} of session {reply.session_id}: {error.strerror or error}; free memory "
                        "or raise the open-file limit (ulimit -n), then call session.refresh()") from error
                raise ProtocolViolation(
                    f"lorad sent {what} for session {reply.session_id} that cannot be mapped: {error}; check that "
                    "this client and lorad come from the same release") from error
            descriptors[index] = None
    finally:
        for descriptor in descriptors:
            if descriptor is not None:
                try:
                    os.close(descriptor.fd)
                except OSError:
                    pass
    base_segment = None
    overlay = None
    factors: list[AdapterFactors | None] = [None] * len(reply.active)
    for descriptor, segment in zip(reply.segments, mapped):
        kind = _kind_value(descriptor.kind)
        if kind == 0:
            base_segment = segment
        elif kind == 2:
            overlay = segment
        elif kind == 1:
            index = descriptor.adapter_index
            if index is None or not (0 <= index < len(factors)):
                raise ProtocolViolation(
                    f"lorad sent a factors segment for adapter index {index}, but the set has "
                    f"{len(factors)} adapters; check that this client and lorad come from the same release")
            metadata = dict(getattr(segment, "metadata", {}) or {})
            try:
                scales = {str(k): float(v) for k, v in json.loads(metadata.get(SCALES_KEY, "{}")).items()}
            except (ValueError, AttributeError, TypeError):
                raise ProtocolViolation(
                    f"the factors segment of {reply.active[index].name} has unreadable {SCALES_KEY} "
                    "metadata; check that this client and lorad come from the same release") from None
            factors[index] = AdapterFactors(
                active=reply.active[index], segment=segment, prefix=metadata.get(PREFIX_KEY, ""), scales=scales)
    if base_segment is None:
        raise ProtocolViolation(
            f"lorad's reply for session {reply.session_id} has no base segment; check that this client "
            "and lorad come from the same release")
    mode = _mode_name(reply.mode)
    if mode == "factors" and any(f is None for f in factors):
        raise ProtocolViolation(
            f"lorad's reply for session {reply.session_id} lacks factor segments for some adapters; check "
            "that this client and lorad come from the same release")
    return SessionState(
        session_id=reply.session_id,
        base=reply.base,
        mode=mode,
        generation=reply.generation,
        active=tuple(reply.active),
        base_segment=base_segment,
        overlay=overlay,
        factors=tuple(f for f in factors if f is not None),
        epoch=epoch,
    )


class Session:
    """A session on one base: an active set of adapters and its mapped segments.

    Made by :meth:`lorad.Client.session`; a context manager that closes the session.
    Thread-safe: changes of one session are serialised (one request at a time, observers
    called in order); sessions of one client proceed in parallel on the shared connection.

    ``timeout`` arguments are seconds per reply, ``None`` to wait as long as it takes; left
    out, the client's default applies. Errors are :class:`~lorad.errors.LoradError`
    subclasses; a failed request changes nothing.
    """

    def __init__(self, client: Client, state: SessionState) -> None:
        """Internal: sessions are made by :meth:`lorad.Client.session`."""
        self._client = client
        self._lock = threading.RLock()
        self._state: SessionState | None = state
        self._observers: list[Observer] = []
        self._closed = False
        self._lost: LoradError | None = None

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> SessionState:
        """The current :class:`SessionState`; raises :class:`~lorad.errors.InvalidArgument`
        once the session is closed."""
        state = self._state
        if state is None:
            raise InvalidArgument("the session is closed; open a new one with client.session(base)")
        return state

    @property
    def id(self) -> int:
        """The daemon's session id (changes when :meth:`lorad.Client.reconnect` reopens it)."""
        return self.state.session_id

    @property
    def base_name(self) -> str:
        """The base's name."""
        return self.state.base

    @property
    def mode(self) -> str:
        """``"fused"`` or ``"factors"``."""
        return self.state.mode

    @property
    def base(self) -> Segment:
        """The base's segment (a read-only mapping shared with the daemon)."""
        return self.state.base_segment

    @property
    def overlay(self) -> Segment | None:
        """Fused mode: the overlay segment of the current set (``None`` when the set is
        empty or in factors mode)."""
        return self.state.overlay

    @property
    def factors(self) -> list[AdapterFactors]:
        """Factors mode: the factors of each active adapter, in set order (empty in fused
        mode)."""
        return list(self.state.factors)

    @property
    def active(self) -> tuple[Any, ...]:
        """The active set: ``wire.ActiveAdapter`` items (name, resolved version, weight)."""
        return self.state.active

    @property
    def generation(self) -> int:
        """The daemon's generation number of the current set."""
        return self.state.generation

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran (or the client was closed)."""
        return self._closed

    def __repr__(self) -> str:
        state = self._state
        if state is None:
            return "<lorad.Session closed>"
        names = ", ".join(f"{a.name}@{a.version}:{a.weight:g}" for a in state.active) or "base only"
        return f"<lorad.Session {state.session_id} on {state.base} ({state.mode}), generation {state.generation}: {names}>"

    # ------------------------------------------------------------------ observers

    def add_observer(self, callback: Observer) -> None:
        """Calls ``callback(session, old, new)`` after every change of state (switch, attach,
        detach, refresh, reconnect), from the thread that made the change, once the new
        segments are mapped. An exception from a callback propagates to that caller (after
        the state changed and the other observers ran)."""
        with self._lock:
            self._observers.append(callback)

    def remove_observer(self, callback: Observer) -> None:
        """Stops calling ``callback``; does nothing when it was not added."""
        with self._lock:
            try:
                self._observers.remove(callback)
            except ValueError:
                pass

    # ------------------------------------------------------------------ requests

    def switch(self, adapters: AdapterSet, *, timeout: float | None = _UNSET) -> SessionState:
        """Replaces the whole active set atomically (SWITCH) and returns the new state.

        ``adapters``: a mapping ``{"watercolor": 0.7, "disney@2": -0.3}``, or an iterable of
        names (weight 1.0), ``(name, weight)`` pairs or ``ActiveAdapter`` items; empty for the
        base alone. Names without ``@N`` take the latest version; the state's ``active`` has
        the versions resolved. A cold switch (a set the daemon has not fused yet) takes
        seconds in fused mode.

        Raises :class:`~lorad.errors.InvalidArgument` (bad name, weight, duplicate, more than
        64), :class:`~lorad.errors.NotFound`, :class:`~lorad.errors.Incompatible`,
        :class:`~lorad.errors.ResourceExhausted`, :class:`~lorad.errors.Timeout`.
        """
        wanted = parse_adapter_set(adapters)
        return self._change(lambda sid: wire.Switch(session_id=sid, adapters=tuple(wanted)), timeout)

    def attach(self, adapter: str | Any, weight: float = 1.0, *, timeout: float | None = _UNSET) -> SessionState:
        """Adds ``adapter`` (``"name"`` or ``"name@N"``) with ``weight`` at the end of the set,
        or changes its version and weight in place when the name is already active (ATTACH).
        Returns the new state. Raises as :meth:`switch` does."""
        ref = parse_ref(adapter)
        value = _weight(weight, ref.name)
        return self._change(lambda sid: wire.Attach(session_id=sid, adapter=ref, weight=value), timeout)

    def detach(self, name: str, *, timeout: float | None = _UNSET) -> SessionState:
        """Removes the adapter named ``name`` from the set (DETACH) and returns the new state.
        Raises :class:`~lorad.errors.NotFound` when it is not in the set."""
        validate_name(name, "adapter name")
        return self._change(lambda sid: wire.Detach(session_id=sid, name=name), timeout)

    def refresh(self, *, timeout: float | None = _UNSET) -> SessionState:
        """Asks the daemon for the session's current segments (GET_SEGMENTS) and adopts them;
        observers are called when the state changed."""
        return self._change(lambda sid: wire.GetSegments(session_id=sid), timeout)

    def close(self, *, timeout: float | None = _UNSET) -> None:
        """Closes the session (CLOSE_SESSION) and releases its segments. Idempotent. A daemon
        that is gone or stopping already dropped the session, so connection errors are
        ignored here; an ERROR reply other than ``not_found`` is raised."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            state, self._state = self._state, None
            self._client._forget(self)
            if state is None or self._lost is not None:
                return
            connection = self._client._current_connection_or_none()
            if connection is None or connection.epoch != state.epoch or connection.closed:
                return
            try:
                connection.request(
                    wire.CloseSession(session_id=state.session_id), timeout=self._client._timeout(timeout))
            except (DaemonUnavailable, ShuttingDown, NotFound):
                pass

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _change(self, make: Callable[[int], Any], timeout: float | None) -> SessionState:
        with self._lock:
            state = self._usable_state()
            connection = self._client._connection()
            if connection.epoch != state.epoch:
                raise DaemonUnavailable(
                    f"session {state.session_id} on {state.base} belongs to a connection that is gone; call "
                    "client.reconnect() to reopen it")
            reply = connection.request(make(state.session_id), timeout=self._client._timeout(timeout))
            return self._adopt(reply, connection.epoch)

    def _usable_state(self) -> SessionState:
        if self._closed or self._state is None:
            raise InvalidArgument("the session is closed; open a new one with client.session(base)")
        if self._lost is not None:
            raise type(self._lost)(
                f"the session could not be reopened after a reconnect ({self._lost}); close it and open a new one")
        return self._state

    def _adopt(self, reply: Any, epoch: int) -> SessionState:
        """Maps ``reply``'s segments, makes them current (unless older than the current
        state) and calls the observers. Called with the lock held."""
        new = map_session_reply(reply, epoch)
        old = self._state
        if old is None or self._closed:
            return new
        if old.epoch == epoch and new.generation < old.generation:
            return old
        self._state = new
        if (old.epoch, old.session_id, old.generation) != (new.epoch, new.session_id, new.generation) or (
            old.base_segment is not new.base_segment or old.overlay is not new.overlay
        ):
            self._notify(old, new)
        return new

    def _notify(self, old: SessionState, new: SessionState) -> None:
        first: BaseException | None = None
        for callback in list(self._observers):
            try:
                callback(self, old, new)
            except BaseException as error:  # the others still run; the first is raised
                if first is None:
                    first = error
        if first is not None:
            raise first

    def _reopen(self, connection: Connection, timeout: float | None, deadline: float | None,
                wait_ready: Callable[[str, float | None], Any]) -> None:
        """Opens the session again on ``connection`` with the same base, mode and active set
        (versions pinned, same weights) and notifies observers (called by
        :meth:`lorad.Client.reconnect`). On failure the session is marked lost and the
        error raised."""
        with self._lock:
            if self._closed or self._state is None:
                return
            old = self._state
            self._lost = None
            try:
                while True:
                    try:
                        reply = connection.request(
                            wire.OpenSession(base=old.base, mode=_mode_value(old.mode)), timeout=timeout)
                        break
                    except NotReady:
                        remaining = None if deadline is None else deadline - time.monotonic()
                        if remaining is not None and remaining <= 0:
                            raise
                        wait_ready(old.base, remaining)
                opened = map_session_reply(reply, connection.epoch)
                if old.active:
                    pinned = tuple(
                        wire.WeightedAdapter(adapter=wire.AdapterRef(a.name, a.version), weight=a.weight)
                        for a in old.active)
                    try:
                        reply = connection.request(
                            wire.Switch(session_id=opened.session_id, adapters=pinned), timeout=timeout)
                    except LoradError:
                        try:
                            connection.request(wire.CloseSession(session_id=opened.session_id), timeout=timeout)
                        except LoradError:
                            pass
                        raise
                    new = map_session_reply(reply, connection.epoch)
                else:
                    new = opened
                # Observers see one change: from the old connection's state to the reopened one.
                self._state = new
                self._notify(old, new)
            except LoradError as error:
                self._lost = error
                raise
