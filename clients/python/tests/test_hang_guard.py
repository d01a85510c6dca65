"""The hang guard: pytest-timeout is installed, pinned, and configured in pyproject.toml, so a
test that hangs (a daemon that never answers, a lock never released) fails with the stacks of
its threads instead of blocking the whole run until CI's job limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]


def test_timeout_is_configured_for_this_run(request: Any) -> None:
    assert request.config.pluginmanager.hasplugin("timeout"), (
        "pytest-timeout is not installed: pip install -r clients/python/requirements-test.txt")
    assert float(request.config.getini("timeout")) == 300.0


def test_pytest_timeout_is_pinned_to_the_installed_version() -> None:
    from importlib.metadata import version

    pins = [line.strip() for line in (PACKAGE / "requirements-test.txt").read_text().splitlines()
            if line.lower().startswith("pytest-timeout")]
    assert pins == [f"pytest-timeout=={version('pytest-timeout')}"]


def test_a_hanging_test_fails_after_its_timeout(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 1\n")
    (tmp_path / "test_hang.py").write_text(
        "import threading\n\n"
        "def test_hangs():\n"
        "    threading.Event().wait()  # never set\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "-c", str(tmp_path / "pytest.ini"), str(tmp_path / "test_hang.py")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Timeout" in output and "1 failed" in output, output
