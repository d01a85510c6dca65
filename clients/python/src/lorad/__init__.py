"""lorad: the Python client for lorad, the daemon that serves LoRA adapters over a Unix socket.

```python
import lorad
with lorad.Client() as client:                 # socket: arg, $LORAD_SOCKET, loractl's rule
    session = client.session("cogvideox-2b", mode="fused")
    session.switch({"watercolor": 0.7, "disney@2": -0.3})
    weights = session.base.tensors("torch")     # zero-copy, read-only
```

The public names: :class:`Client` and :class:`Session` (high level),
:class:`Connection` (raw protocol messages, pipelining), the exception hierarchy under
:class:`LoradError`, :class:`Segment` / :class:`SegmentCache` (mapped segments) and the
protocol's records (:class:`AdapterRef`, :class:`ActiveAdapter`, ...). ``lorad.torch``
and ``lorad.diffusers`` are imported on their own (they need torch).
"""

from __future__ import annotations

__version__ = "0.1.0"

from .client import Client, choose_import_files, default_socket_path, socket_candidates
from .connection import Connection
from .errors import (
    ERROR_TABLE,
    AlreadyExists,
    Cancelled,
    Corrupt,
    DaemonUnavailable,
    Incompatible,
    InUse,
    Internal,
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
    TooManyRequests,
    TooManyConnections,
    Unsupported,
    error_for,
)
from .segments import Segment, SegmentCache, TensorEntry
from .session import AdapterFactors, Session, SessionState
from .wire import (
    ActiveAdapter,
    AdapterRef,
    AdapterSummary,
    BaseInfo,
    BaseOrigin,
    BaseState,
    SegmentKind,
    SessionMode,
    WeightedAdapter,
)

__all__ = [
    "__version__",
    "Client",
    "Session",
    "SessionState",
    "AdapterFactors",
    "Connection",
    "Segment",
    "SegmentCache",
    "TensorEntry",
    "default_socket_path",
    "socket_candidates",
    "choose_import_files",
    "AdapterRef",
    "ActiveAdapter",
    "WeightedAdapter",
    "AdapterSummary",
    "BaseInfo",
    "BaseState",
    "BaseOrigin",
    "SessionMode",
    "SegmentKind",
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
