"""A user lorad does not serve, as that user: uid 65534 (nobody, no groups) runs a small script
against a live lorad and must get ``lorad.PermissionDenied`` (never ``DaemonUnavailable``: the
daemon is there, retrying will not help) with a message saying what to do, as loractl does.

- The socket is lorad's default 0660 root:root: ``connect`` fails with EACCES; the client raises
  PermissionDenied without a code (connection.py, Connection.open).
- The socket's folder cannot be searched: EACCES as well, the same error.
- The socket is 0666, so the kernel lets the user in, but lorad's access rules (root only by
  default) refuse the peer: FATAL 104 permission_denied at connect, before HELLO's reply; the
  client raises PermissionDenied with code 104 and lorad's own message (which names the config
  keys to change).

The tests run as root (CI does; ``setpriv`` needs it). The script runs with ``setpriv --reuid
65534 --regid 65534 --clear-groups`` on an interpreter that uid can execute, with a copy of the
client's source in a world-readable folder and numpy's folder on PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import LoradDaemon, TinyModel

NOBODY = 65534
SOURCE = Path(__file__).resolve().parents[1] / "src" / "lorad"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a script as uid 65534 (setpriv)")

SCRIPT = r"""
import json, os, sys
import lorad
results = []
for _ in range(int(sys.argv[2])):
    try:
        lorad.Client(sys.argv[1], connect_timeout=5).close()
        results.append({"class": None})
    except lorad.LoradError as error:
        results.append({
            "class": type(error).__name__,
            "classes": [cls.__name__ for cls in type(error).__mro__],
            "code": error.code, "name": error.name, "retryable": error.retryable,
            "message": error.message, "str": str(error),
        })
print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "groups": os.getgroups(), "results": results}))
"""


def _as_nobody(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups", *command],
        capture_output=True, text=True, env=env, timeout=60, cwd="/",
    )


@pytest.fixture(scope="module")
def nobody_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """An interpreter uid 65534 can run, and the environment in which it imports ``lorad`` (a
    world-readable copy of src/lorad) and numpy."""
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to run a script as another user", pytrace=False)
    import numpy

    folder = Path(tempfile.mkdtemp(prefix="lorad-nobody."))
    try:
        os.chmod(folder, 0o755)
        shutil.copytree(SOURCE, folder / "lorad", ignore=shutil.ignore_patterns("__pycache__"))
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        numpy_dir = str(Path(numpy.__file__).resolve().parents[1])
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": f"{folder}:{numpy_dir}",
               "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/nonexistent"}
        # sys.executable may sit where that uid cannot go (a pyenv under /root): try what
        # it points to, then the system's python3 (the same minor version is needed by numpy).
        candidates = [sys.executable, os.path.realpath(sys.executable),
                      getattr(sys, "_base_executable", ""), shutil.which("python3") or "",
                      "/usr/bin/python3"]
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        tried = []
        for python in dict.fromkeys(c for c in candidates if c):
            probe = _as_nobody([python, "-c", "import sys, numpy, lorad; print(sys.version.split()[0])"], env)
            if probe.returncode == 0 and probe.stdout.strip().startswith(version + "."):
                yield python, env
                return
            tried.append(f"{python}: exit {probe.returncode} {probe.stdout.strip()} {probe.stderr.strip()[-300:]}")
        pytest.fail(f"no Python {version} that uid {NOBODY} can run with numpy and lorad importable:\n"
                    + "\n".join(tried), pytrace=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serving(lorad_bin: Path, tiny_model: TinyModel, *extra: str) -> Iterator[LoradDaemon]:
    """A lorad on the tiny base whose socket sits in a folder anyone may search (tempfile's are
    0700), so that only the socket's own mode (and lorad's access rules) decide."""
    root = Path(tempfile.mkdtemp(prefix="lorad-perm."))
    os.chmod(root, 0o755)
    daemon = LoradDaemon(bin_dir=lorad_bin, work_dir=root / "d", base_path=tiny_model.base, extra_args=extra)
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def daemon_0660(lorad_bin: Path, tiny_model: TinyModel) -> Iterator[LoradDaemon]:
    """lorad's default socket mode, 0660 root:root."""
    yield from _serving(lorad_bin, tiny_model)


@pytest.fixture
def daemon_0666(lorad_bin: Path, tiny_model: TinyModel) -> Iterator[LoradDaemon]:
    """A socket anyone may connect to: lorad's access rules (root only by default) decide."""
    yield from _serving(lorad_bin, tiny_model, "--socket-mode", "0666")


def _connect_as_nobody(nobody_python: tuple[str, dict[str, str]], socket_path: Path, times: int = 1) -> list[Any]:
    python, env = nobody_python
    result = _as_nobody([python, "-c", SCRIPT, str(socket_path), str(times)], env)
    assert result.returncode == 0, f"the script failed as uid {NOBODY}:\n{result.stdout}\n{result.stderr}"
    report = json.loads(result.stdout)
    assert (report["uid"], report["euid"], report["groups"]) == (NOBODY, NOBODY, []), report
    return report["results"]


def _assert_refused_by_the_socket(result: dict[str, Any], socket_path: Path) -> None:
    assert result["class"] == "PermissionDenied", result
    assert "DaemonUnavailable" not in result["classes"] and "LoradError" in result["classes"]
    assert result["code"] is None and result["retryable"] is False, result
    message = result["message"]
    assert str(socket_path) in message, message
    assert "permission denied" in message.lower(), message
    assert "administrator" in message and "group" in message, f"the message does not say what to do: {message}"
    assert "\n" not in result["str"], result["str"]


def test_socket_mode_0660_refuses_another_user(nobody_python: Any, daemon_0660: LoradDaemon) -> None:
    mode = daemon_0660.socket.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o660 and (mode.st_uid, mode.st_gid) == (0, 0)
    (result,) = _connect_as_nobody(nobody_python, daemon_0660.socket)
    _assert_refused_by_the_socket(result, daemon_0660.socket)
    # loractl, as the same user, reports the same refusal (exit 77) about the same socket.
    loractl = _as_nobody([str(daemon_0660.bin_dir / "loractl"), "--socket", str(daemon_0660.socket), "status"],
                         {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert loractl.returncode == 77, loractl.stderr
    assert "permission denied" in loractl.stderr and str(daemon_0660.socket) in loractl.stderr, loractl.stderr
    assert daemon_0660.process.poll() is None


def test_unsearchable_socket_folder_refuses_another_user(nobody_python: Any, daemon_0660: LoradDaemon) -> None:
    os.chmod(daemon_0660.work_dir, 0o700)
    try:
        (result,) = _connect_as_nobody(nobody_python, daemon_0660.socket)
    finally:
        os.chmod(daemon_0660.work_dir, 0o755)
    _assert_refused_by_the_socket(result, daemon_0660.socket)


def test_lorad_access_rules_refuse_another_user(nobody_python: Any, daemon_0666: LoradDaemon) -> None:
    assert stat.S_IMODE(daemon_0666.socket.stat().st_mode) == 0o666
    # Several times: lorad sends FATAL and closes at once, which can race with the client's
    # HELLO (EPIPE); the client must still report the refusal, never a lost connection.
    results = _connect_as_nobody(nobody_python, daemon_0666.socket, times=20)
    for result in results:
        assert result["class"] == "PermissionDenied", result
        assert (result["code"], result["name"], result["retryable"]) == (104, "permission_denied", False), result
        message = result["message"]
        assert str(daemon_0666.socket) in message, message
        assert "uid 65534" in message and "allow_uids" in message, f"lorad's reason is missing: {message}"
        assert "\n" not in result["str"], result["str"]
    assert daemon_0666.process.poll() is None


HOLD_SCRIPT = r"""
import json, sys
import lorad
held = [lorad.Client(sys.argv[1], connect_timeout=5) for _ in range(int(sys.argv[2]))]
try:
    lorad.Client(sys.argv[1], connect_timeout=5).close()
    result = {"class": None}
except lorad.LoradError as error:
    result = {"class": type(error).__name__, "classes": [cls.__name__ for cls in type(error).__mro__],
              "code": error.code, "name": error.name, "retryable": error.retryable, "message": error.message}
for client in held:
    client.close()
print(json.dumps(result))
"""


def test_lorad_connection_limit_refuses_a_user_at_its_limit(
        nobody_python: Any, lorad_bin: Path, tiny_model: TinyModel, tmp_path: Path) -> None:
    config = tmp_path / "lorad.toml"
    config.write_text("[access]\nallow_uids = [65534]\n\n[limits]\nconnections_per_uid = 2\n")
    for daemon in _serving(lorad_bin, tiny_model, "--socket-mode", "0666", "--config", str(config)):
        python, env = nobody_python
        outcome = _as_nobody([python, "-c", HOLD_SCRIPT, str(daemon.socket), "2"], env)
        assert outcome.returncode == 0, f"the script failed as uid {NOBODY}:\n{outcome.stdout}\n{outcome.stderr}"
        result = json.loads(outcome.stdout)
        assert result["class"] == "TooManyConnections", result
        assert "LimitExceeded" in result["classes"], result
        assert (result["code"], result["name"], result["retryable"]) == (114, "too_many_connections", True), result
        assert "uid 65534 has 2 connections" in result["message"], result
        assert "limits.connections_per_uid = 2" in result["message"], result
        # Once they are closed, the same user connects again; root was never limited.
        assert _connect_as_nobody(nobody_python, daemon.socket) == [{"class": None}]
        assert daemon.process.poll() is None
