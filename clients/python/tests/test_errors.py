"""The exception hierarchy and its table (lorad.errors)."""

from __future__ import annotations

import pickle
import re

import pytest

from lorad import errors
from lorad.errors import (
    ERROR_TABLE,
    AlreadyExists,
    Cancelled,
    Corrupt,
    DaemonUnavailable,
    Incompatible,
    Internal,
    InUse,
    InvalidArgument,
    LimitExceeded,
    LoradError,
    NotFound,
    NotReady,
    OutputStalled,
    PermissionDenied,
    ProtocolViolation,
    ResourceExhausted,
    ShuttingDown,
    Timeout,
    TooManyConnections,
    TooManyRequests,
    Unsupported,
    error_for,
)
from lorad.wire import ErrorCode, WireError

EXPECTED = {
    1: ProtocolViolation, 2: Unsupported, 3: ProtocolViolation, 4: ProtocolViolation,
    5: ProtocolViolation, 6: ProtocolViolation, 7: ProtocolViolation, 100: NotFound,
    101: AlreadyExists, 102: InvalidArgument, 103: InUse, 104: PermissionDenied,
    105: ResourceExhausted, 106: NotReady, 107: Incompatible, 108: Corrupt,
    109: TooManyRequests, 110: Internal, 111: Cancelled, 112: ShuttingDown, 113: Unsupported,
    114: TooManyConnections,
    115: OutputStalled,
}  # fmt: skip
RETRYABLE = {106, 109, 112, 114}


def test_table_covers_every_protocol_code() -> None:
    assert [row[0] for row in ERROR_TABLE] == [int(code) for code in ErrorCode]
    for code, name, cls, retryable in ERROR_TABLE:
        assert name == ErrorCode(code).name.lower()
        assert cls is EXPECTED[code]
        assert retryable == (code in RETRYABLE)


@pytest.mark.parametrize("code", [int(c) for c in ErrorCode])
def test_error_for_each_code(code: int) -> None:
    name = ErrorCode(code).name.lower()
    error = error_for(code, name, "something went wrong", request="SWITCH")
    assert type(error) is EXPECTED[code]
    assert isinstance(error, LoradError)
    assert (error.code, error.name, error.message, error.request) == (code, name, "something went wrong", "SWITCH")
    assert error.retryable == (code in RETRYABLE)
    assert str(error) == f"something went wrong ({name}, code {code})"


def test_unknown_codes() -> None:
    newer = error_for(150, "quota_frozen", "the quota is frozen")
    assert type(newer) is Internal and not newer.retryable
    assert str(newer) == "the quota is frozen (quota_frozen, code 150)"
    low = error_for(42, "", "odd")
    assert type(low) is ProtocolViolation and low.name is None and str(low) == "odd (unknown, code 42)"
    # An empty name from the daemon falls back to the table's.
    assert error_for(100, "", "gone").name == "not_found"


def test_hierarchy() -> None:
    assert issubclass(ResourceExhausted, LimitExceeded) and issubclass(TooManyRequests, LimitExceeded)
    assert issubclass(TooManyConnections, LimitExceeded)
    assert issubclass(Timeout, TimeoutError) and issubclass(Timeout, LoradError)
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, LoradError) and obj.__doc__


def test_client_side_errors() -> None:
    timeout = Timeout("no reply to SWITCH within 5 s; the request was cancelled")
    assert timeout.code is None and timeout.retryable and isinstance(timeout, TimeoutError)
    assert str(timeout) == "no reply to SWITCH within 5 s; the request was cancelled"
    with pytest.raises(TimeoutError):
        raise timeout
    gone = DaemonUnavailable("lorad is not reachable at /run/lorad.sock")
    assert gone.code is None and gone.retryable
    assert not InvalidArgument("bad name").retryable
    assert ShuttingDown("lorad shut down").retryable and ShuttingDown("x").code is None
    assert not ProtocolViolation("x").retryable
    assert DaemonUnavailable("x", retryable=False).retryable is False


def test_str_is_one_line() -> None:
    error = error_for(110, "internal", "first line\nsecond  line\n")
    assert str(error) == "first line second line (internal, code 110)"
    assert "\n" not in str(error) and error.message == "first line\nsecond  line\n"


def test_from_wire_error() -> None:
    wire_error = WireError(ErrorCode.MALFORMED_FRAME, "SWITCH_REPLY (0x8023): field base: string is not valid UTF-8")
    error = ProtocolViolation.from_wire_error(wire_error, request="SWITCH")
    assert error.code is None and error.name == "malformed_frame" and error.request == "SWITCH"
    assert str(error) == "SWITCH_REPLY (0x8023): field base: string is not valid UTF-8 (malformed_frame)"


def test_pickle_round_trip() -> None:
    for error in (error_for(106, "not_ready", "loading"), Timeout("late"), DaemonUnavailable("gone")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert (again.code, again.name, again.message, again.retryable) == (
            error.code, error.name, error.message, error.retryable,
        )  # fmt: skip


def test_docstring_table_matches() -> None:
    rows = re.findall(r"^\| (\d+) \| (\w+) \| `(\w+)`[^|]*\| (yes|no) \|$", errors.__doc__ or "", re.MULTILINE)
    assert [(int(c), n, getattr(errors, k), r == "yes") for c, n, k, r in rows] == list(ERROR_TABLE)
