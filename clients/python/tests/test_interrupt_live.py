"""A timeout or Ctrl-C during a real slow request, against a live lorad.

The slow request is a cold fused SWITCH on a generated BF16 base of 256 MiB (32 tensors of
2048 x 2048) with an adapter touching every tensor: lorad's debug build fuses about 0.3 s per
tensor, so the whole set takes about 10 s, far beyond the client's timeout. The client must raise
``lorad.Timeout`` (or re-raise ``KeyboardInterrupt``) within moments, having sent CANCEL; lorad
stops the build (it polls CANCEL between tensors), so a later switch of the same session, which
lorad runs after the cancelled one, comes quickly; the connection stays usable and the process's
open descriptors are flat.

The adapters are rank 8, not larger: importing them costs lorad's debug build about 0.4 s per
tensor at rank 64, while the fused switch's cost hardly depends on the rank.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lorad
from conftest import LoradDaemon

BASE = "big"
TENSORS, DIM, RANK = 32, 2048, 8
TIMEOUT = 0.5
"""The client's timeout for the slow switch, in seconds."""


def _write_safetensors(path: Path, tensors: dict[str, tuple[tuple[int, ...], np.ndarray]],
                       metadata: dict[str, str] | None = None) -> None:
    """A safetensors file of BF16 tensors given as uint16 arrays (their bit patterns)."""
    header: dict[str, Any] = {}
    offset = 0
    for name, (shape, array) in tensors.items():
        assert array.dtype == np.uint16 and array.size == int(np.prod(shape))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)) + encoded)
        for _shape, array in tensors.values():
            out.write(array.tobytes())


def _bf16(rng: np.random.Generator, shape: tuple[int, ...], scale: float) -> np.ndarray:
    values = rng.standard_normal(shape, dtype=np.float32) * np.float32(scale)
    return (values.view(np.uint32) >> 16).astype(np.uint16)  # truncated to BF16: fine for test data


def _adapter(folder: Path, rng: np.random.Generator, modules: dict[str, tuple[int, int]], rank: int) -> Path:
    """A diffusers-layout LoRA (``transformer.<module>.lora_A/B.weight``, no alpha: scale 1)."""
    folder.mkdir()
    tensors = {}
    for module, (out_features, in_features) in modules.items():
        tensors[f"transformer.{module}.lora_A.weight"] = ((rank, in_features), _bf16(rng, (rank, in_features), 0.02))
        tensors[f"transformer.{module}.lora_B.weight"] = ((out_features, rank), _bf16(rng, (out_features, rank), 0.02))
    _write_safetensors(folder / "pytorch_lora_weights.safetensors", tensors, {"format": "pt"})
    return folder


@pytest.fixture(scope="module")
def big_daemon(lorad_bin: Path) -> Iterator[LoradDaemon]:
    """lorad serving the 256 MiB base as ``big``, with ``wide`` (every large tensor) and ``narrow``
    (one small tensor) imported; a budget that fits the wide overlay, so only time stops it."""
    root = Path(tempfile.mkdtemp(prefix="lorad-interrupt."))
    daemon = None
    try:
        rng = np.random.default_rng(7)
        block = _bf16(rng, (DIM, DIM), 0.02)  # the same bytes in every large tensor: quick to make
        base: dict[str, tuple[tuple[int, ...], np.ndarray]] = {
            f"blocks.{index}.proj.weight": ((DIM, DIM), block) for index in range(TENSORS)}
        base["small.proj.weight"] = ((64, 64), _bf16(rng, (64, 64), 0.02))
        base_file = root / "base.safetensors"
        _write_safetensors(base_file, base)
        wide = _adapter(root / "wide", rng, {f"blocks.{i}.proj": (DIM, DIM) for i in range(TENSORS)}, RANK)
        narrow = _adapter(root / "narrow", rng, {"small.proj": (64, 64)}, 4)
        daemon = LoradDaemon(bin_dir=lorad_bin, work_dir=root / "d", base_path=base_file, base_name=BASE,
                             extra_args=("--memory-budget", "1GiB"))
        daemon.start()
        with lorad.Client(daemon.socket, timeout=60) as client:
            client.import_adapter(wide, name="wide", base=BASE)
            client.import_adapter(narrow, name="narrow", base=BASE)
        yield daemon
    finally:
        if daemon is not None:
            daemon.close()
        shutil.rmtree(root, ignore_errors=True)


def open_fds() -> int:
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def live(big_daemon: LoradDaemon) -> Iterator[tuple[Any, Any]]:
    """A client and its fused session on ``big``, warmed up (base mapped, a narrow overlay built
    and dropped)."""
    with lorad.Client(big_daemon.socket, timeout=60) as client:
        session = client.session(BASE, mode="fused")
        session.switch({"narrow": 1.0})
        session.switch({})
        yield client, session


def _after_interruption(client: Any, session: Any, fds_before: int, segment_bytes_before: int,
                        weight: float) -> None:
    """The connection goes on: PING, then a switch that lorad queues behind the cancelled one."""
    connection = client.connection
    assert connection.failure is None and not connection.closed
    assert client.ping(timeout=5) < 1.0
    started = time.monotonic()
    state = session.switch({"narrow": weight}, timeout=30)
    took = time.monotonic() - started
    assert [(a.name, a.weight) for a in state.active] == [("narrow", weight)]
    # The session's requests run one after another in lorad: had it not stopped building the
    # wide overlay on CANCEL, this switch would have waited for the rest of it (seconds).
    assert took < 3.0, f"the switch after the cancelled one took {took:.2f} s: lorad did not stop the build"
    grown = client.stats(timeout=5).segment_bytes - segment_bytes_before
    assert grown < 16 << 20, f"lorad's segments grew by {grown} bytes: the cancelled 256 MiB overlay was kept"
    # Late replies were discarded with their descriptors; nothing else stayed open.
    assert open_fds() == fds_before
    session.switch({}, timeout=30)
    assert client.ping(timeout=5) < 1.0


def test_timeout_cancels_a_slow_switch(live: tuple[Any, Any]) -> None:
    client, session = live
    fds_before = open_fds()
    segment_bytes_before = client.stats().segment_bytes
    started = time.monotonic()
    with pytest.raises(lorad.Timeout) as caught:
        session.switch({"wide": 0.5}, timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert TIMEOUT <= elapsed < TIMEOUT + 2.0, f"Timeout after {elapsed:.2f} s"
    error = caught.value
    assert isinstance(error, TimeoutError) and error.code is None and error.retryable
    assert "SWITCH" in str(error) or error.request == "SWITCH", str(error)
    # The session keeps its last known state: the switch did not happen.
    assert list(session.state.active) == []
    _after_interruption(client, session, fds_before, segment_bytes_before, 0.5)


def test_ctrl_c_cancels_a_slow_switch(live: tuple[Any, Any]) -> None:
    client, session = live
    fds_before = open_fds()
    segment_bytes_before = client.stats().segment_bytes
    armed = threading.Event()
    armed.set()

    def on_sigint(signum: int, frame: Any) -> None:
        if armed.is_set():  # only while the switch runs: never hit pytest itself
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    # A handler of its own (pytest may have started with SIGINT ignored, as a background job
    # of a script is), and the signal sent to the main thread, which waits in poll(): the
    # signal must interrupt that call (a process-wide kill may be taken by another thread).
    main = threading.main_thread().ident
    assert threading.get_ident() == main, "the test must run in the main thread"
    timer = threading.Timer(TIMEOUT, signal.pthread_kill, (main, signal.SIGINT))
    try:
        started = time.monotonic()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            session.switch({"wide": 0.25}, timeout=None)  # no timeout: only Ctrl-C stops the wait
        elapsed = time.monotonic() - started
    finally:
        armed.clear()
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGINT, previous)
    assert elapsed < TIMEOUT + 2.0, f"KeyboardInterrupt after {elapsed:.2f} s"
    assert list(session.state.active) == []
    _after_interruption(client, session, fds_before, segment_bytes_before, 0.25)
