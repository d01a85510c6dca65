"""The live-lorad fixtures themselves: start, loractl, restart on the same socket and state."""

from __future__ import annotations

import json
import stat


def test_daemon_answers_loractl_status(lorad_daemon):
    assert lorad_daemon.process.poll() is None
    assert stat.S_ISSOCK(lorad_daemon.socket.stat().st_mode)
    result = lorad_daemon.loractl("status", "--json")
    assert json.loads(result.stdout)["sessions"] == 0
    bases = lorad_daemon.loractl_json("bases")["bases"]
    assert [(b["name"], b["state"]) for b in bases] == [(lorad_daemon.base_name, "ready")]


def test_loractl_failure_is_reported(lorad_daemon):
    result = lorad_daemon.loractl("show", "no-such-adapter", check=False)
    assert result.returncode == 66, result.stderr
    assert result.stderr.strip()


def test_restart_keeps_socket_and_store(lorad_daemon, import_adapters):
    assert import_adapters(lorad_daemon, "plain", "peft") == ["plain", "peft"]
    first = lorad_daemon.process
    lorad_daemon.restart()
    assert first.returncode == 0  # drained and exited cleanly on SIGTERM
    assert lorad_daemon.process is not first and lorad_daemon.process.poll() is None
    names = [a["name"] for a in lorad_daemon.loractl_json("list")["adapters"]]
    assert names == ["peft", "plain"]
    assert lorad_daemon.loractl("status").returncode == 0


def test_all_fixture_adapters_import(lorad_daemon, import_adapters, tiny_model):
    assert sorted(import_adapters(lorad_daemon)) == sorted(tiny_model.adapters)
    shown = lorad_daemon.loractl_json("show", "kohya")
    assert shown["source_format"] == "kohya" and shown["rank"] == 4
    assert len(tiny_model.expected) == 3 and all(p.is_file() for p in tiny_model.expected.values())


def test_stop_returns_exit_status(lorad_daemon):
    assert lorad_daemon.stop() == 0
    assert lorad_daemon.stop() == 0  # idempotent
    assert not lorad_daemon.socket.exists()  # lorad removes its socket when it drains
    # (the fixture's teardown copes with a daemon the test stopped)
