"""Client-side rules that need no daemon: the socket path rule (loractl's), how
import_adapter chooses files (loractl import's), and how switch() reads adapter sets."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import lorad
from lorad.client import SYSTEM_SOCKET, choose_import_files, default_socket_path, socket_candidates
from lorad.session import parse_adapter_set, parse_ref


def test_socket_rule() -> None:
    assert socket_candidates({"LORAD_SOCKET": "/x/l.sock", "XDG_RUNTIME_DIR": "/run/user/5"}, 1000) == ["/x/l.sock"]
    assert socket_candidates({"LORAD_SOCKET": ""}, 0) == [SYSTEM_SOCKET]
    assert socket_candidates({"XDG_RUNTIME_DIR": "/run/user/5/"}, 1000) == ["/run/user/5/lorad.sock", SYSTEM_SOCKET]
    assert socket_candidates({"XDG_RUNTIME_DIR": "relative"}, 1000) == [SYSTEM_SOCKET]


def test_default_socket_takes_the_first_that_exists(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    # Neither exists (no system daemon here is assumed only when /run/lorad is absent).
    if not Path(SYSTEM_SOCKET).exists():
        assert default_socket_path(env, 1000) == str(tmp_path / "lorad.sock")
    (tmp_path / "lorad.sock").touch()
    assert default_socket_path(env, 1000) == str(tmp_path / "lorad.sock")


def test_choose_import_files(tmp_path: Path) -> None:
    peft = tmp_path / "peft"
    peft.mkdir()
    (peft / "adapter_config.json").write_text("{}")
    (peft / "adapter_model.safetensors").write_bytes(b"")
    (peft / "README.md").write_text("")
    assert choose_import_files(peft) == [peft / "adapter_config.json", peft / "adapter_model.safetensors"]
    assert choose_import_files(peft / "adapter_model.safetensors") == [
        peft / "adapter_config.json", peft / "adapter_model.safetensors"]
    diffusers = tmp_path / "diffusers"
    diffusers.mkdir()
    (diffusers / "pytorch_lora_weights.safetensors").write_bytes(b"")
    (diffusers / "other.safetensors").write_bytes(b"")
    assert choose_import_files(diffusers) == [diffusers / "pytorch_lora_weights.safetensors"]
    several = tmp_path / "several"
    several.mkdir()
    (several / "a.safetensors").write_bytes(b"")
    (several / "b.safetensors").write_bytes(b"")
    with pytest.raises(lorad.InvalidArgument, match="several .safetensors"):
        choose_import_files(several)
    (several / "b.safetensors").unlink()
    assert choose_import_files(several) == [several / "a.safetensors"]
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "adapter_model.BIN").write_bytes(b"")
    with pytest.raises(lorad.InvalidArgument, match="pickled checkpoint"):
        choose_import_files(pickled)
    with pytest.raises(lorad.InvalidArgument, match="pickled checkpoint"):
        choose_import_files(pickled / "adapter_model.BIN")
    with pytest.raises(lorad.NotFound):
        choose_import_files(tmp_path / "absent")


def test_adapter_refs() -> None:
    assert parse_ref("disney@2") == lorad.AdapterRef("disney", 2)
    assert parse_ref("disney") == lorad.AdapterRef("disney", None)
    for bad in ("disney@", "disney@0", "@2", "dis ney", "disney@x", "a@1@2", ""):
        with pytest.raises(lorad.InvalidArgument):
            parse_ref(bad)
    # One sentence, not the client's rule followed by the wire parser's restatement of it.
    with pytest.raises(lorad.InvalidArgument) as caught:
        parse_ref("x@0")
    assert str(caught.value) == "the adapter 'x@0' is not NAME or NAME@VERSION (VERSION a whole number from 1)"


def test_adapter_sets() -> None:
    def flat(value: object) -> list[tuple[str, int | None, float]]:
        return [(w.adapter.name, w.adapter.version, w.weight) for w in parse_adapter_set(value)]  # type: ignore[arg-type]

    assert flat({"watercolor": 0.7, "disney@2": -0.3}) == [("watercolor", None, 0.7), ("disney", 2, -0.3)]
    assert flat(["a", ("b@3", 2)]) == [("a", None, 1.0), ("b", 3, 2.0)]
    assert flat([lorad.ActiveAdapter("a", 4, 0.5)]) == [("a", 4, 0.5)]
    assert flat([]) == []
    with pytest.raises(lorad.InvalidArgument, match="at most 64"):
        parse_adapter_set([f"a{i}" for i in range(65)])
    with pytest.raises(lorad.InvalidArgument, match="finite"):
        parse_adapter_set({"a": math.inf})
    with pytest.raises(lorad.InvalidArgument, match="give a number"):
        parse_adapter_set({"a": "heavy"})
    # Weights are numbers: a numeric string or a bool is refused, not converted.
    for bad in ("0.5", True, False, None, b"1", [0.5]):
        for form in ({"a": bad}, [("a", bad)], [lorad.ActiveAdapter("a", 1, bad)]):  # type: ignore[arg-type]
            with pytest.raises(lorad.InvalidArgument, match=r"the weight of a is .*give a number: an int or a float") as caught:
                parse_adapter_set(form)
            assert caught.value.code is None
    for bad in (math.nan, -math.inf, math.inf):
        with pytest.raises(lorad.InvalidArgument, match="finite"):
            parse_adapter_set([("a", bad)])
    np = pytest.importorskip("numpy")
    assert flat({"a": 2, "b": np.float32(0.5), "c": np.int64(-1)}) == [("a", None, 2.0), ("b", None, 0.5), ("c", None, -1.0)]
    assert all(type(w.weight) is float for w in parse_adapter_set({"a": 2, "b": np.float32(0.5)}))
    with pytest.raises(lorad.InvalidArgument, match="twice"):
        parse_adapter_set(["a@1", "a@2"])
