"""examples/cogvideox_switch.py as a user runs it: a subprocess starting its own lorad from the
binaries under test, five pipeline runs with switches between them, exit status 0, the lines it
promises (the last run, back to no adapters, bit-identical to the first), and nothing left
behind (its temporary folder, with lorad's socket, is removed; lorad stopped)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cogvideox_switch.py"
RUN_TIMEOUT = 240.0
"""Seconds the example may take (about 20 s on a 2-core CPU, a third of it making the model and
the adapters with diffusers and PEFT; torch's first pipeline call is the slowest)."""

RUN_LINE = re.compile(
    r"^run (?P<index>\d): (?P<set>.+?) +switch\+update +(?P<switch_ms>[\d.]+) ms, (?P<steps>\d+) steps \+ decode "
    r"+[\d.]+ s, frames \((?P<shape>[\d, ]+)\) mean [-\d.]+ sha256 (?P<sha>[0-9a-f]{16})$")


def _run_example(lorad_bin: Path, tmp_path: Path, *args: str) -> list[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TMPDIR": str(tmp_path)}
    env.pop("LORAD_SOCKET", None)
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--lorad-bin", str(lorad_bin), *args],
        capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT, cwd=tmp_path,
    )
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, f"the example exited {result.returncode}\n{output}"
    lines = result.stdout.splitlines()
    assert not any(line.startswith("FAIL") for line in lines), output
    return lines


def test_example_runs_and_returns_to_the_first_output(lorad_bin: Path, tmp_path: Path) -> None:
    """As the README runs it (zero-copy, 3 steps). ``--copy`` is not run here: it costs another
    20 s, and test_diffusers_live.py checks copied and zero-copy bindings against loractl merge."""
    args: tuple[str, ...] = ()
    steps = 3
    lines = _run_example(lorad_bin, tmp_path, *args)
    text = "\n".join(lines)

    made = [line for line in lines if line.startswith("made a tiny BF16 CogVideoX base")]
    assert len(made) == 1, text
    workdir = Path(made[0].rsplit(" under ", 1)[1])
    assert workdir.parent == tmp_path, f"the example's folder {workdir} is not in $TMPDIR"
    assert f"started {lorad_bin / 'lorad'} on {workdir / 'lorad.sock'}" in lines, text
    assert re.search(r"^connected to lorad/\S+ \(protocol \(1, \d+\)\)", text, re.M), text
    for name in ("watercolor", "sketch"):
        assert re.search(rf"^imported {name}@1: diffusers, rank 4, alpha 8, 8 modules$", text, re.M), text
    zero_copy = "--copy" not in args
    assert re.search(rf"^built CogVideoXPipeline with its transformer bound to session \S+ "
                     rf"\(zero_copy={zero_copy}\) in [\d.]+ ms; no weight file read$", text, re.M), text

    runs = [match for line in lines if (match := RUN_LINE.match(line))]
    assert [int(run["index"]) for run in runs] == [1, 2, 3, 4, 5], text
    assert [run["set"].strip() for run in runs] == [
        "(base)", "watercolor:1", "sketch:0.8", "watercolor:0.7 + sketch:-0.3", "(base)"], text
    assert all(int(run["steps"]) == steps for run in runs), text
    assert all(run["shape"] == "1, 9, 3, 64, 64" for run in runs), text
    sums = [run["sha"] for run in runs]
    assert sums[-1] == sums[0], f"the last run (no adapters) differs from the first:\n{text}"
    assert len(set(sums[:4])) == 4, f"two adapter sets gave the same output:\n{text}"
    assert ("ok: each set gave its own output, and back to no adapters the output is bit-identical to run 1"
            in lines), text
    assert lines[-1] == "lorad stopped", text
    # Its folder (base, adapters, lorad's state and socket) is gone: lorad stopped and it cleaned up.
    assert not workdir.exists(), f"the example left {workdir} behind"
    assert not list(tmp_path.glob("lorad-cogvideox-*")), list(tmp_path.iterdir())
