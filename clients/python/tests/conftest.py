"""Fixtures for tests that run a real lorad built from this repository.

- ``lorad_bin``: the folder holding the ``lorad`` and ``loractl`` executables:
  ``$LORAD_BIN_DIR`` (``make python-test`` sets it), else ``.build/debug`` in this
  repository. Missing binaries fail the test with a message saying how to build them;
  they never skip it (CI must not pass by skipping the live tests).
- ``tiny_model``: a copy of ``Tests/Fixtures/cogvideox-tiny-bf16_bf16`` (a tiny
  CogVideoX transformer in BF16 and adapters written by diffusers and PEFT, in the
  diffusers, PEFT and kohya layouts) in a temporary folder, as a :class:`TinyModel`.
- ``lorad_daemon``: a lorad started for one test on that base (named ``tiny``), ready
  when the test starts, always stopped afterwards, as a :class:`LoradDaemon`.
  ``shared_lorad_daemon`` is the same, shared by the tests of one module (for tests
  that do not change the daemon's state in ways others would notice).
- ``import_adapters``: a function ``import_adapters(daemon, *names) -> list[str]``
  importing fixture adapters into a daemon with ``loractl import``.

The daemon's stderr goes to a log file; its last lines are printed at teardown, which
pytest shows only when the test failed, and are part of every startup failure message.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
"""The repository root (this file is clients/python/tests/conftest.py)."""

FIXTURE_DIR = REPO_ROOT / "Tests" / "Fixtures" / "cogvideox-tiny-bf16_bf16"
"""Files made by diffusers 0.42.1 and peft 0.21.2 (see Tests/Fixtures/SOURCE.md)."""

BASE_NAME = "tiny"
"""The name every fixture daemon gives the tiny base."""

START_TIMEOUT = 30.0
"""Seconds a daemon may take to answer and have its base ready."""

STOP_TIMEOUT = 20.0
"""Seconds a daemon may take to exit after SIGTERM (its drain grace is 10 s)."""

# Short names for the fixture's adapters (the folder or file each is read from).
ADAPTER_FILES = {
    "plain": "diffusers_plain",  # diffusers layout, rank 8, no alpha: scale 1
    "meta": "diffusers_meta",  # diffusers layout, rank 4, alpha 8 in lora_adapter_metadata: scale 2
    "peft": "peft_rslora",  # PEFT folder, F32, rsLoRA, rank and alpha patterns
    "kohya": "kohya_same_as_diffusers_meta.safetensors",  # kohya layout, same numbers as meta
}
_MANIFEST_TO_SHORT = {
    "diffusers_plain": "plain",
    "diffusers_meta": "meta",
    "peft_rslora": "peft",
    "kohya_same_as_diffusers_meta": "kohya",
}


@dataclass(frozen=True)
class TinyModel:
    """The tiny CogVideoX-shaped BF16 base and its adapters, copied to a temporary folder.

    ``adapters`` maps the short names ``plain``, ``meta``, ``peft``, ``kohya`` to the
    path ``loractl import`` takes. ``expected`` maps a weighted set, such as
    ``(("plain", 0.7), ("meta", -0.3))``, to the whole base fused by diffusers or
    PEFT themselves (within an ulp of lorad's result, not bit-identical: see
    Tests/Fixtures/SOURCE.md). The files may be read, not changed.
    """

    root: Path
    base: Path
    base_dtype: str
    adapters: dict[str, Path]
    expected: dict[tuple[tuple[str, float], ...], Path]
    manifest: dict[str, Any]


class LoractlFailed(subprocess.CalledProcessError):
    """A ``loractl`` run with ``check=True`` exited non-zero; the message shows its output."""

    def __str__(self) -> str:
        return (
            f"{' '.join(map(str, self.cmd))} exited {self.returncode}\n"
            f"stdout: {self.stdout or ''}\nstderr: {self.stderr or ''}"
        )


@dataclass
class LoradDaemon:
    """One lorad process started by a fixture, on its own socket and state folder.

    Attributes: ``socket`` (Path of the Unix socket), ``state_dir``, ``bin_dir``,
    ``base_name`` (``"tiny"``), ``base_path``, ``log_path`` (its stderr and stdout),
    ``process`` (the running ``subprocess.Popen``; a new one after :meth:`restart`),
    ``extra_args`` (passed to lorad after the fixture's own).
    """

    bin_dir: Path
    work_dir: Path
    base_path: Path
    base_name: str = BASE_NAME
    extra_args: Sequence[str] = ()
    process: subprocess.Popen[bytes] | None = None
    _log_file: Any = field(default=None, repr=False)

    @property
    def socket(self) -> Path:
        return self.work_dir / "lorad.sock"

    @property
    def state_dir(self) -> Path:
        return self.work_dir / "state"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "lorad.log"

    @property
    def env(self) -> dict[str, str]:
        """The environment for clients of this daemon: ``LORAD_SOCKET`` set to its socket."""
        return {**os.environ, "LORAD_SOCKET": str(self.socket)}

    def command(self) -> list[str]:
        return [
            str(self.bin_dir / "lorad"),
            "--state-dir", str(self.state_dir),
            "--socket", str(self.socket),
            "--base", f"{self.base_name}={self.base_path}",
            "--memory-budget", "256MiB",
            "--threads", "2",
            *self.extra_args,
        ]

    def start(self) -> None:
        """Starts lorad and returns once it answers and its base is ready; fails the test otherwise."""
        assert self.process is None or self.process.poll() is not None, "lorad is already running"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self._log_file is None:
            self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"==== {' '.join(self.command())}\n".encode())
        self._log_file.flush()
        # Its own session: a Ctrl-C of pytest reaches pytest, which then stops lorad.
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=self._log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer yet"
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                self._fail_start(f"lorad exited with status {self.process.returncode} while starting")
            if self.socket.exists():
                result = self.loractl("bases", "--json", check=False, timeout=10)
                if result.returncode == 0:
                    bases = {b["name"]: b for b in json.loads(result.stdout)["bases"]}
                    state = bases.get(self.base_name, {}).get("state")
                    if state == "ready":
                        return
                    if state == "failed":
                        self._fail_start(f"base {self.base_name} failed to load")
                    last = f"base {self.base_name} is {state}"
                else:
                    last = f"loractl bases exited {result.returncode}: {result.stderr.strip()}"
            if time.monotonic() > deadline:
                self._fail_start(f"lorad was not ready within {START_TIMEOUT:.0f} s ({last})")
            time.sleep(0.05)

    def _fail_start(self, reason: str) -> None:
        self.stop()
        pytest.fail(f"{reason}\ncommand: {' '.join(self.command())}\nlorad's log:\n{self.log_tail()}", pytrace=False)

    def loractl(self, *args: str | os.PathLike[str], check: bool = True, input: str | None = None,
                timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Runs ``loractl ARGS`` against this daemon (``LORAD_SOCKET`` set), text output captured.

        With ``check`` (the default) a non-zero exit raises :class:`LoractlFailed`
        (a ``CalledProcessError`` whose message has loractl's stdout and stderr).
        """
        command = [str(self.bin_dir / "loractl"), *map(str, args)]
        result = subprocess.run(command, env=self.env, input=input, capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise LoractlFailed(result.returncode, command, result.stdout, result.stderr)
        return result

    def loractl_json(self, *args: str | os.PathLike[str]) -> Any:
        """Runs ``loractl ARGS --json`` (which must succeed) and returns the parsed output."""
        return json.loads(self.loractl(*args, "--json").stdout)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Sends SIGTERM and waits for lorad to exit (SIGKILL after ``timeout`` s).

        Returns its exit status (negative: killed by that signal), or None when it
        was not running. Safe to call more than once.
        """
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                self._note(f"lorad did not exit within {timeout:.0f} s of SIGTERM: killed")
        return process.returncode

    def kill(self) -> int:
        """Kills lorad with SIGKILL (no drain, no SHUTTING_DOWN) and returns its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait()

    def restart(self) -> None:
        """Stops lorad with SIGTERM (it must exit 0) and starts it again on the same socket,
        state folder and base; returns once it is ready."""
        status = self.stop()
        assert status == 0, f"lorad exited with status {status} after SIGTERM\n{self.log_tail()}"
        self.start()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines lorad wrote to stderr and stdout."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _note(self, line: str) -> None:
        if self._log_file is not None:
            self._log_file.write(f"==== {line}\n".encode())
            self._log_file.flush()

    def close(self) -> None:
        """Stops lorad, prints its log tail (pytest shows it when the test failed), removes its folder."""
        try:
            self.stop()
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None
            sys.stderr.write(f"---- lorad's log ({self.log_path}), last lines:\n{self.log_tail()}\n")
            shutil.rmtree(self.work_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def lorad_bin() -> Path:
    """The folder with the ``lorad`` and ``loractl`` built from this repository."""
    configured = os.environ.get("LORAD_BIN_DIR")
    folder = Path(configured) if configured else REPO_ROOT / ".build" / "debug"
    missing = [name for name in ("lorad", "loractl") if not os.access(folder / name, os.X_OK)]
    if missing:
        source = "$LORAD_BIN_DIR" if configured else "the default (no $LORAD_BIN_DIR)"
        pytest.fail(
            f"no executable {' or '.join(missing)} in {folder} ({source}); build them with "
            f"`swift build` in {REPO_ROOT}, or run `make python-test`, which does",
            pytrace=False,
        )
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    """The repository's tiny BF16 CogVideoX fixture, copied to a temporary folder."""
    if not (FIXTURE_DIR / "manifest.json").is_file():
        pytest.fail(f"the fixture folder {FIXTURE_DIR} is missing", pytrace=False)
    root = tmp_path_factory.mktemp("tiny-model") / FIXTURE_DIR.name
    shutil.copytree(FIXTURE_DIR, root)
    manifest = json.loads((root / "manifest.json").read_text())
    expected = {
        tuple((_MANIFEST_TO_SHORT[name], float(weight)) for name, weight in entry["adapters"]): root / file
        for file, entry in manifest["expected"].items()
    }
    return TinyModel(
        root=root,
        base=root / manifest["base"],
        base_dtype=manifest["base_dtype"],
        adapters={short: root / path for short, path in ADAPTER_FILES.items()},
        expected=expected,
        manifest=manifest,
    )


def _running_daemon(lorad_bin: Path, tiny_model: TinyModel) -> Iterator[LoradDaemon]:
    # A Unix socket path must fit in 108 bytes, which pytest's tmp_path for a long test
    # name can exceed: the daemon's folder is a short one in the temporary folder.
    work_dir = Path(tempfile.mkdtemp(prefix="lorad-test."))
    daemon = LoradDaemon(bin_dir=lorad_bin, work_dir=work_dir, base_path=tiny_model.base)
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.close()


@pytest.fixture
def lorad_daemon(lorad_bin: Path, tiny_model: TinyModel) -> Iterator[LoradDaemon]:
    """A lorad for this test only, serving the tiny base as ``tiny``, ready to use."""
    yield from _running_daemon(lorad_bin, tiny_model)


@pytest.fixture(scope="module")
def shared_lorad_daemon(lorad_bin: Path, tiny_model: TinyModel) -> Iterator[LoradDaemon]:
    """A lorad shared by the tests of one module, serving the tiny base as ``tiny``."""
    yield from _running_daemon(lorad_bin, tiny_model)


@pytest.fixture
def import_adapters(tiny_model: TinyModel) -> Callable[..., list[str]]:
    """``import_adapters(daemon, *names, base="tiny")``: imports fixture adapters with ``loractl import``.

    ``names`` are short names from :data:`ADAPTER_FILES` (all four when none are given);
    each is imported under its short name, checked against the base. Returns the names.
    """

    def run(daemon: LoradDaemon, *names: str, base: str | None = BASE_NAME) -> list[str]:
        chosen = list(names) or list(ADAPTER_FILES)
        for name in chosen:
            if name not in tiny_model.adapters:
                raise KeyError(f"no fixture adapter {name!r}; there are {', '.join(tiny_model.adapters)}")
            args = ["import", str(tiny_model.adapters[name]), "--name", name]
            if base is not None:
                args += ["--base", base]
            daemon.loractl(*args)
        return chosen

    return run
