"""The exceptions lorad's client raises: one hierarchy under :class:`LoradError`.

Every error carries ``code`` (the protocol's stable code, or None for an error raised on the
client side), ``name``, ``message`` (one line saying what was wrong and what to do),
``retryable`` and ``request`` (the opcode name of the request that failed, when known).
Branch on the class; show ``str(error)``. :func:`error_for` builds the right class from an
ERROR or FATAL payload; the table below is :data:`ERROR_TABLE`, the only copy of it.

| code | name | class | retryable |
| --- | --- | --- | --- |
| 1 | malformed_frame | `ProtocolViolation` | no |
| 2 | unknown_opcode | `Unsupported` | no |
| 3 | unsupported_version | `ProtocolViolation` | no |
| 4 | frame_too_large | `ProtocolViolation` | no |
| 5 | fd_count_mismatch | `ProtocolViolation` | no |
| 6 | handshake_required | `ProtocolViolation` | no |
| 7 | protocol_violation | `ProtocolViolation` | no |
| 100 | not_found | `NotFound` | no |
| 101 | already_exists | `AlreadyExists` | no |
| 102 | invalid_argument | `InvalidArgument` | no |
| 103 | in_use | `InUse` | no |
| 104 | permission_denied | `PermissionDenied` | no |
| 105 | resource_exhausted | `ResourceExhausted` (a `LimitExceeded`) | no |
| 106 | not_ready | `NotReady` | yes |
| 107 | incompatible | `Incompatible` | no |
| 108 | corrupt | `Corrupt` | no |
| 109 | too_many_requests | `TooManyRequests` (a `LimitExceeded`) | yes |
| 110 | internal | `Internal` | no |
| 111 | cancelled | `Cancelled` | no |
| 112 | shutting_down | `ShuttingDown` | yes |
| 113 | unsupported | `Unsupported` | no |
| 114 | too_many_connections | `TooManyConnections` (a `LimitExceeded`) | yes |
| 115 | output_stalled | `OutputStalled` | no |
| other 100 and up | (as sent) | `Internal` | no |
| other below 100 | (as sent) | `ProtocolViolation` | no |
| none | | `DaemonUnavailable`: no socket, connection refused or closed, end of stream | yes |
| none | | `Timeout` (also a builtin `TimeoutError`): no reply in time | yes |
| none | | `ProtocolViolation`: a frame from the daemon this client cannot accept | no |

Also without a code: `PermissionDenied` when the socket itself refuses the user, and
`ShuttingDown` after the daemon's SHUTTING_DOWN event or once it has closed the connection
after one. A FATAL frame with code 104 at connect (the daemon's access rules refuse the
peer) is a `PermissionDenied` too; a FATAL frame with code 114 at connect (the daemon's connection
limits: this user's connections, or all of them, are at the limit) is a `TooManyConnections`,
retryable once some close.
"""

from __future__ import annotations

from typing import ClassVar

from .wire import WireError

__all__ = [
    "LoradError",
    "NotFound",
    "AlreadyExists",
    "InvalidArgument",
    "InUse",
    "PermissionDenied",
    "LimitExceeded",
    "ResourceExhausted",
    "TooManyRequests",
    "TooManyConnections",
    "NotReady",
    "Incompatible",
    "Corrupt",
    "Internal",
    "Cancelled",
    "ShuttingDown",
    "Unsupported",
    "OutputStalled",
    "ProtocolViolation",
    "DaemonUnavailable",
    "Timeout",
    "ERROR_TABLE",
    "error_for",
]


class LoradError(Exception):
    """The base of every error the lorad client raises.

    ``code``: the protocol's error code, or None when the client raised it (unreachable
    socket, timeout, a frame it could not decode). ``name``: the code's name (as the daemon
    sent it, so that codes newer than this client still show). ``message``: one line for
    humans. ``retryable``: whether the same request may succeed if sent again (on a new
    connection for ``ShuttingDown`` and ``DaemonUnavailable``). ``request``: the opcode name
    of the failed request, e.g. ``"SWITCH"``, when known.
    """

    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        name: str | None = None,
        request: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.name = name
        self.request = request
        self.retryable = self.default_retryable if retryable is None else retryable

    def __str__(self) -> str:
        text = " ".join(self.message.split())
        if self.code is not None:
            return f"{text} ({self.name or 'unknown'}, code {self.code})"
        if self.name:
            return f"{text} ({self.name})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, name={self.name!r})"


class NotFound(LoradError):
    """100 not_found: the named base, adapter, version or session does not exist."""


class AlreadyExists(LoradError):
    """101 already_exists: the name (or name and version) is taken."""


class InvalidArgument(LoradError):
    """102 invalid_argument: a well-formed value the daemon cannot accept (name grammar, a
    weight that is not finite, a duplicate adapter, a descriptor of the wrong kind). Also
    raised without a code when the client refuses to encode a value."""


class InUse(LoradError):
    """103 in_use: a session or another operation uses the object; retry with ``force``
    or later."""


class PermissionDenied(LoradError):
    """104 permission_denied: the caller's credentials do not allow the request (admin
    requests), or the daemon refused the connection at connect."""


class LimitExceeded(LoradError):
    """A configured limit was hit: :class:`ResourceExhausted` (105),
    :class:`TooManyRequests` (109) or :class:`TooManyConnections` (114)."""


class ResourceExhausted(LimitExceeded):
    """105 resource_exhausted: a budget (segment memory, sessions, store space) cannot fit
    the request."""


class TooManyRequests(LimitExceeded):
    """109 too_many_requests: too many requests pending; retry after a reply arrives."""

    default_retryable = True


class TooManyConnections(LimitExceeded):
    """114 too_many_connections: the daemon refused the connection at connect because this
    user has ``limits.connections_per_uid`` connections open, or the daemon has
    ``limits.max_connections``; the message says which. Retry once some close."""

    default_retryable = True


class NotReady(LoradError):
    """106 not_ready: the object exists but is not ready yet (a base still loading);
    ``Client.wait_ready`` waits it out."""

    default_retryable = True


class Incompatible(LoradError):
    """107 incompatible: the adapter does not fit the base (tensor names, shapes, dtypes)."""


class Corrupt(LoradError):
    """108 corrupt: stored or supplied data failed a checksum or a parse."""


class Internal(LoradError):
    """110 internal, and any code of 100 and up this client does not know: a daemon bug or
    an unexpected system failure; the message has the details."""


class Cancelled(LoradError):
    """111 cancelled: the request was cancelled by CANCEL."""


class ShuttingDown(LoradError):
    """112 shutting_down: the daemon is stopping. Also raised (without a code) after its
    SHUTTING_DOWN event. Retry on a new connection (``Client.reconnect()``)."""

    default_retryable = True


class Unsupported(LoradError):
    """113 unsupported (understood, but not possible in this build or configuration) and
    2 unknown_opcode (the daemon does not know the request)."""


class OutputStalled(LoradError):
    """115 output_stalled (protocol 1.2): EXPORT or MERGE gave up because nothing read the
    pipe or socket passed as its output for the daemon's stall timeout
    (``limits.output_stall_timeout``). Read the output while the request runs, or pass a
    file. A daemon that negotiated an older protocol reports it as ``InvalidArgument``."""


class ProtocolViolation(LoradError):
    """Codes 1-7 except 2 (the daemon says this client broke the protocol), and, without a
    code, a frame from the daemon this client cannot accept. The connection is closed."""

    @classmethod
    def from_wire_error(cls, error: WireError, request: str | None = None) -> ProtocolViolation:
        """The client-side form of a decode failure: code None, ``name`` the wire error's
        code name (e.g. ``malformed_frame``), ``message`` its message."""
        return cls(error.message, name=error.code.name.lower(), request=request)


class DaemonUnavailable(LoradError):
    """No code: the daemon cannot be reached (no socket, connection refused) or the
    connection ended (end of stream, closed). Retry once it is back."""

    default_retryable = True


class Timeout(LoradError, TimeoutError):
    """No code: no reply (or no connection) within the timeout. The client has sent CANCEL
    and the connection stays usable. Also a builtin :class:`TimeoutError`."""

    default_retryable = True


ERROR_TABLE: tuple[tuple[int, str, type[LoradError], bool], ...] = (
    (1, "malformed_frame", ProtocolViolation, False),
    (2, "unknown_opcode", Unsupported, False),
    (3, "unsupported_version", ProtocolViolation, False),
    (4, "frame_too_large", ProtocolViolation, False),
    (5, "fd_count_mismatch", ProtocolViolation, False),
    (6, "handshake_required", ProtocolViolation, False),
    (7, "protocol_violation", ProtocolViolation, False),
    (100, "not_found", NotFound, False),
    (101, "already_exists", AlreadyExists, False),
    (102, "invalid_argument", InvalidArgument, False),
    (103, "in_use", InUse, False),
    (104, "permission_denied", PermissionDenied, False),
    (105, "resource_exhausted", ResourceExhausted, False),
    (106, "not_ready", NotReady, True),
    (107, "incompatible", Incompatible, False),
    (108, "corrupt", Corrupt, False),
    (109, "too_many_requests", TooManyRequests, True),
    (110, "internal", Internal, False),
    (111, "cancelled", Cancelled, False),
    (112, "shutting_down", ShuttingDown, True),
    (113, "unsupported", Unsupported, False),
    (114, "too_many_connections", TooManyConnections, True),
    (115, "output_stalled", OutputStalled, False),
)
"""Every protocol error code: (code, name, class, retryable). The module docstring shows it
as a table."""

_BY_CODE: dict[int, tuple[str, type[LoradError], bool]] = {
    code: (name, cls, retryable) for code, name, cls, retryable in ERROR_TABLE
}


def error_for(code: int, name: str | None, message: str, request: str | None = None) -> LoradError:
    """The exception for an ERROR or FATAL payload: the class and ``retryable`` of
    :data:`ERROR_TABLE`; a code it lacks gives :class:`Internal` (100 and up) or
    :class:`ProtocolViolation` (below 100), not retryable. ``name`` is kept as the daemon sent
    it (the table's name when empty); ``request`` names the failed request's opcode."""
    known = _BY_CODE.get(code)
    if known is None:
        cls: type[LoradError] = Internal if code >= 100 else ProtocolViolation
        return cls(message, code=code, name=name or None, request=request, retryable=False)
    table_name, cls, retryable = known
    return cls(message, code=code, name=name or table_name, request=request, retryable=retryable)
