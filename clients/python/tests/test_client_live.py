"""lorad.Client against a real lorad built from this repository (the ``lorad_daemon``
fixture of conftest.py): sessions in both modes, the adapter store, merge, admin requests,
error classes, wait_ready, a daemon restart with reconnect, and descriptor/mapping
flatness over 1,000 switches."""

from __future__ import annotations

import gc
import math
import os
from pathlib import Path
from typing import Any

import pytest

import lorad
from lorad import wire
from lorad.segments import memfd_usage

BASE = "tiny"


@pytest.fixture
def client(lorad_daemon: Any) -> Any:
    with lorad.Client(lorad_daemon.socket, timeout=60) as made:
        yield made


@pytest.fixture
def stocked(lorad_daemon: Any, import_adapters: Any) -> Any:
    """The daemon with the fixture's plain, meta and peft adapters imported."""
    import_adapters(lorad_daemon, "plain", "meta", "peft")
    return lorad_daemon


def open_fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


# ---------------------------------------------------------------------------- basics


def test_socket_from_the_environment(lorad_daemon: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LORAD_SOCKET", str(lorad_daemon.socket))
    with lorad.Client() as client:
        assert client.socket_path == str(lorad_daemon.socket)
        assert client.server_name.startswith("lorad/")
        assert client.protocol_version == (1, 2)
        assert 0 < client.ping() < 5


def test_stats_and_bases(client: Any) -> None:
    stats = client.stats()
    assert stats.connections >= 1 and stats.sessions == 0
    (base,) = client.bases()
    assert (base.name, base.state, base.origin) == (BASE, lorad.BaseState.READY, lorad.BaseOrigin.FILE)
    assert base.byte_size > 0 and base.tensor_count > 0


def test_wait_ready_also_after_an_evict(client: Any) -> None:
    assert client.wait_ready(BASE).state == lorad.BaseState.READY
    client.evict(BASE)
    assert client.bases()[0].state != lorad.BaseState.READY
    info = client.wait_ready(BASE, timeout=30)
    assert info.state == lorad.BaseState.READY
    with pytest.raises(lorad.NotFound, match="no base named nope"):
        client.wait_ready("nope", timeout=5)


# ---------------------------------------------------------------------------- sessions


def test_fused_session_switch_attach_detach_close(stocked: Any, client: Any, tiny_model: Any) -> None:
    session = client.session(BASE, mode="fused")
    assert (session.mode, session.generation, session.active, session.overlay) == ("fused", 0, (), None)
    base_names = set(session.base.entries)
    assert len(base_names) == client.bases()[0].tensor_count

    state = session.switch({"plain": 0.7, "meta@1": -0.3})
    assert [(a.name, a.version, a.weight) for a in state.active] == [("plain", 1, 0.7), ("meta", 1, -0.3)]
    assert state.generation == 1 and state is session.state
    overlay = session.overlay
    assert overlay is not None and overlay.kind == "overlay" and set(overlay.entries) <= base_names
    # The overlay holds lorad's fused tensors: the same bytes as loractl merge's file.
    merged = tiny_model.root / "merged-check.safetensors"
    stocked.loractl("merge", "--base", BASE, "--adapter", "plain:0.7", "--adapter", "meta:-0.3",
                    "--output", merged, "--quiet")
    reference = _safetensors(merged)
    for name, entry in overlay.entries.items():
        assert bytes(overlay.buffer[entry.begin:entry.end]) == reference[name], name

    state = session.attach("peft", 0.5)
    assert [a.name for a in state.active] == ["plain", "meta", "peft"] and state.generation == 2
    state = session.attach("plain", 0.25)  # replaces in place
    assert [(a.name, a.weight) for a in state.active] == [("plain", 0.25), ("meta", -0.3), ("peft", 0.5)]
    state = session.detach("meta")
    assert [a.name for a in state.active] == ["plain", "peft"]
    state = session.switch([])
    assert state.active == () and session.overlay is None
    assert session.refresh().generation == state.generation
    assert client.stats().sessions == 1
    session.close()
    session.close()
    assert session.closed and client.stats().sessions == 0 and client.sessions == ()
    with pytest.raises(lorad.InvalidArgument, match="session is closed"):
        session.switch({"plain": 1.0})


def test_factors_session(stocked: Any, client: Any) -> None:
    with client.session(BASE, mode="factors") as session:
        state = session.switch(["plain", ("meta", -0.5)])
        assert session.overlay is None
        assert [f.active.name for f in session.factors] == ["plain", "meta"]
        plain, meta = session.factors
        assert plain.prefix == "transformer" and plain.segment.kind == "factors"
        assert meta.active.weight == -0.5
        assert set(meta.scales.values()) == {2.0}  # alpha 8 / rank 4
        assert any(name.endswith(".lora_A.weight") for name in plain.segment.entries)
        module = next(iter(plain.scales))
        assert f"transformer.{module}.lora_B.weight" in plain.segment.entries
        assert f"{module}.weight" in session.base.entries
        assert state.epoch == client.connection.epoch
    assert client.stats().sessions == 0


def test_switch_argument_forms_and_client_side_checks(stocked: Any, client: Any) -> None:
    session = client.session(BASE)
    assert [a.weight for a in session.switch(["plain", "meta"]).active] == [1.0, 1.0]
    assert [a.name for a in session.switch([("meta", 2), "plain@1"]).active] == ["meta", "plain"]
    again = session.switch(session.active)  # ActiveAdapter items pin versions
    assert again.active == session.active
    for bad, message in [
        ({"plain": math.nan}, "finite"),
        (["plain", "plain@1"], "twice"),
        (["bad name"], "not a valid name"),
        (["plain@0"], "NAME@VERSION"),
        ("plain", "single string"),
    ]:
        with pytest.raises(lorad.InvalidArgument, match=message) as caught:
            session.switch(bad)
        assert caught.value.code is None
    with pytest.raises(lorad.InvalidArgument, match="mode"):
        client.session(BASE, mode="merged")


def test_observers_are_called_after_each_change(stocked: Any, client: Any) -> None:
    session = client.session(BASE)
    seen: list[tuple[int, int]] = []

    def observer(who: Any, old: Any, new: Any) -> None:
        assert who is session and new is session.state
        seen.append((old.generation, new.generation))

    session.add_observer(observer)
    session.switch({"plain": 1.0})
    session.attach("meta", 0.5)
    session.detach("plain")
    session.remove_observer(observer)
    session.switch([])
    assert seen == [(0, 1), (1, 2), (2, 3)]


# ---------------------------------------------------------------------------- the store


def test_import_list_show_export_remove(lorad_daemon: Any, client: Any, tiny_model: Any, tmp_path: Path) -> None:
    folder = client.import_adapter(tiny_model.adapters["peft"], "peft", base=BASE, tags=["style"],
                                   description="PEFT folder")
    assert (folder.name, folder.version, folder.source_format) == ("peft", 1, "peft")
    single = client.import_adapter(tiny_model.adapters["peft"] / "adapter_model.safetensors", "peft2")
    assert single.source_format == "peft"  # adapter_config.json beside it was sent too
    kohya = client.import_adapter(tiny_model.adapters["kohya"], "kohya", base=BASE)
    assert kohya.source_format == "kohya"
    diffusers = client.import_adapter(tiny_model.adapters["plain"], "plain", alpha=8.0)
    assert diffusers.source_format == "diffusers"
    with pytest.raises(lorad.AlreadyExists) as caught:
        client.import_adapter(tiny_model.adapters["plain"], "plain")
    assert caught.value.code == 101 and caught.value.request == "IMPORT"
    assert client.import_adapter(tiny_model.adapters["plain"], "plain", new_version=True).version == 2

    assert [a.name for a in client.adapters()] == ["kohya", "peft", "peft2", "plain"]
    assert [a.name for a in client.adapters(tag="style")] == ["peft"]
    assert {a.name for a in client.adapters(base=BASE)} >= {"peft", "kohya"}
    shown = client.show_adapter("plain@1")
    assert (shown.name, shown.version, shown.latest_version) == ("plain", 1, 2)
    assert client.show_adapter("peft").description == "PEFT folder"

    mine = tmp_path / "plain.safetensors"
    written = client.export_adapter("plain@1", mine)
    theirs = tmp_path / "plain-loractl.safetensors"
    lorad_daemon.loractl("export", "plain@1", "--output", theirs)
    assert written == mine.stat().st_size and mine.read_bytes() == theirs.read_bytes()
    with open(tmp_path / "as-file.safetensors", "wb") as handle:
        handle.write(b"")
        assert client.export_adapter("plain@1", handle) == written
        assert handle.tell() == written
    descriptor = os.open(tmp_path / "as-fd.safetensors", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        assert client.export_adapter("plain@1", descriptor) == written
    finally:
        os.close(descriptor)
    with pytest.raises(lorad.NotFound):
        client.export_adapter("nope", tmp_path / "nope.safetensors")
    assert not (tmp_path / "nope.safetensors").exists()  # a failed export leaves no file

    assert client.remove_adapter("plain@1") == 1
    assert client.remove_adapter("plain") == 1
    with pytest.raises(lorad.NotFound):
        client.show_adapter("plain")


def test_import_refuses_pickles_and_missing_paths(client: Any, tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(lorad.InvalidArgument, match="pickled"):
        client.import_adapter(tmp_path / "model.bin", "pickled")
    with pytest.raises(lorad.NotFound, match="nothing at"):
        client.import_adapter(tmp_path / "absent", "absent")


def test_merge_into_a_file_equals_loractl_merge(stocked: Any, client: Any, tiny_model: Any, tmp_path: Path) -> None:
    mine = tmp_path / "mine.safetensors"
    reply = client.merge(BASE, {"plain": 0.7, "meta": -0.3}, mine)
    assert reply.bytes_written == mine.stat().st_size and reply.tensors_merged > 0
    offline = tmp_path / "offline.safetensors"
    stocked.loractl("merge", "--base", tiny_model.base, "--adapter", f"{tiny_model.adapters['plain']}:0.7",
                    "--adapter", f"{tiny_model.adapters['meta']}:-0.3", "--output", offline, "--quiet")
    assert mine.read_bytes() == offline.read_bytes()
    with pytest.raises(lorad.NotFound):
        client.merge(BASE, ["nope"], tmp_path / "failed.safetensors")
    assert not (tmp_path / "failed.safetensors").exists()


# ---------------------------------------------------------------------------- admin, errors


def test_admin_requests(stocked: Any, client: Any) -> None:
    verified = client.verify()
    assert verified.checked > 0 and verified.problem_count == 0
    assert client.verify("plain").problem_count == 0
    assert client.gc(dry_run=True).blobs_removed == 0
    assert client.gc().blobs_removed == 0
    evicted = client.evict()
    assert evicted.segments_evicted >= 0


def test_errors_map_to_their_classes(stocked: Any, client: Any) -> None:
    session = client.session(BASE)
    session.switch({"plain": 1.0})
    with pytest.raises(lorad.NotFound) as not_found:
        session.switch({"nope": 1.0})
    assert (not_found.value.code, not_found.value.name, not_found.value.request) == (100, "not_found", "SWITCH")
    assert "nope" in str(not_found.value)
    assert [a.name for a in session.active] == ["plain"]  # a failed request changed nothing
    with pytest.raises(lorad.InUse) as in_use:
        client.remove_adapter("plain")
    assert in_use.value.code == 103
    with pytest.raises(lorad.InUse):
        client.evict(BASE)
    with pytest.raises(lorad.NotFound):
        client.session("nope")
    # Checks only the daemon makes (the client's own are bypassed through the connection).
    with pytest.raises(lorad.InvalidArgument) as invalid:
        client.connection.request(wire.ShowAdapter(adapter=wire.AdapterRef("bad name")))
    assert invalid.value.code == 102
    dup = wire.WeightedAdapter(wire.AdapterRef("plain"), 1.0)
    with pytest.raises(lorad.InvalidArgument):
        client.connection.request(wire.Switch(session_id=session.id, adapters=(dup, dup)))
    with pytest.raises(lorad.NotFound):
        client.connection.request(wire.GetSegments(session_id=999_999))
    assert client.remove_adapter("plain", force=True) == 1  # sessions keep their segments
    assert session.overlay is not None and len(session.overlay.entries) > 0
    assert client.ping() > 0


def test_a_missing_daemon_is_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(lorad.DaemonUnavailable, match="not reachable.*LORAD_SOCKET"):
        lorad.Client(tmp_path / "none.sock")


# ---------------------------------------------------------------------------- restart


def test_restart_then_reconnect_reopens_sessions_pinned(stocked: Any, client: Any, tiny_model: Any) -> None:
    fused = client.session(BASE, mode="fused")
    fused.switch({"plain": 0.7, "meta": -0.3})
    factors = client.session(BASE, mode="factors")
    factors.switch({"peft": 0.5})
    empty = client.session(BASE)
    changes: list[tuple[Any, Any, Any]] = []
    for session in (fused, factors, empty):
        session.add_observer(lambda who, old, new: changes.append((who, old, new)))
    before = {id(s): s.state for s in (fused, factors, empty)}
    old_epoch = client.connection.epoch

    stocked.restart()
    with pytest.raises((lorad.DaemonUnavailable, lorad.ShuttingDown)) as caught:
        fused.switch({"plain": 1.0})
    assert "reconnect" in str(caught.value) and caught.value.retryable
    with pytest.raises((lorad.DaemonUnavailable, lorad.ShuttingDown)):
        client.stats()
    # A newer version appears meanwhile: the reopened sessions stay on the versions they had.
    stocked.loractl("import", tiny_model.adapters["plain"], "--name", "plain", "--new-version")

    client.reconnect(timeout=30)
    assert client.connection.epoch != old_epoch
    assert {s for s, _, _ in changes} == {fused, factors, empty} and len(changes) == 3
    for session, old, new in changes:
        assert old is before[id(session)] and new is session.state
        assert new.epoch == client.connection.epoch
        assert [(a.name, a.version, a.weight) for a in new.active] == [
            (a.name, a.version, a.weight) for a in old.active]
        assert new.mode == old.mode
    assert fused.overlay is not None and [f.active.name for f in factors.factors] == ["peft"]
    assert client.stats().sessions == 3
    assert [a.version for a in fused.switch({"plain": 1.0}).active] == [2]  # latest again when asked
    fused.close()
    factors.close()
    empty.close()


def test_reconnect_names_each_failed_session_and_the_code_once(stocked: Any, client: Any) -> None:
    """A session whose adapter was removed cannot be reopened: reconnect() raises that error
    (its class and code), listing the session, with "(not_found, code 100)" said once."""
    lost = client.session(BASE)
    lost.switch({"plain": 0.5})
    kept = client.session(BASE)
    assert client.remove_adapter("plain", force=True) == 1  # the session keeps its segments
    with pytest.raises(lorad.NotFound) as caught:
        client.reconnect(timeout=30)
    text = str(caught.value)
    assert caught.value.code == 100 and caught.value.name == "not_found"
    assert text.count("code 100") == 1 and text.endswith("(not_found, code 100)"), text
    assert text.startswith("reconnected, but 1 session could not be reopened: <lorad.Session") and "plain" in text, text
    assert text.count("close it and open a new one") == 1, text
    assert kept.state.epoch == client.connection.epoch
    with pytest.raises(lorad.NotFound):
        lost.switch({})
    lost.close()
    kept.close()


# ---------------------------------------------------------------------------- flatness


def test_a_thousand_switches_keep_descriptors_and_mappings_flat(stocked: Any, client: Any) -> None:
    sets = [
        {"plain": 1.0}, {"meta": 1.0}, {"peft": 1.0}, {"plain": 0.5, "meta": 0.5}, {"plain": -1.0},
        {"meta": -0.5, "peft": 0.25}, {"peft": 2.0}, {"plain": 0.1, "meta": 0.2, "peft": 0.3},
        {}, {"meta": 0.75},
    ]
    gc.collect()  # segments of earlier tests' reference cycles
    before = memfd_usage("lorad")
    session = client.session(BASE)
    factors = client.session(BASE, mode="factors")
    for chosen in sets * 2:  # warm: every set fused once, the caches filled
        session.switch(chosen)
        factors.switch(chosen)
    samples = []
    for i in range(1000):
        session.switch(sets[i % len(sets)])
        if i % 10 == 0:
            factors.switch(sets[(i // 10) % len(sets)])
        if i % 100 == 99:  # the same point of the pattern every time: same sets, same recent ones
            samples.append((open_fd_count(), memfd_usage("lorad")))
    assert len(samples) == 10 and all(sample == samples[0] for sample in samples), samples
    fds, usage = samples[0]
    assert usage.mappings <= 2 + 8 + 3 + 1  # base (+1 spare), LRU of 8, 3 factors, current overlay
    assert usage.descriptors <= before.descriptors + 1  # only the base keeps its descriptor


def _safetensors(path: Path) -> dict[str, bytes]:
    """Tensor name -> raw bytes of a safetensors file."""
    import json
    import struct

    data = path.read_bytes()
    (length,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + length])
    start = 8 + length
    return {name: data[start + spec["data_offsets"][0]:start + spec["data_offsets"][1]]
            for name, spec in header.items() if name != "__metadata__"}
