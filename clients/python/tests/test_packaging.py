"""The package as pip builds and installs it: a wheel of clients/python holds every module and
py.typed, says Requires-Python >= 3.10, depends on numpy alone (torch, diffusers, transformers
and ml_dtypes only through the extras: diffusers exports CogVideoXPipeline only with
transformers installed), and installs and imports in a fresh virtualenv.

No download: the wheel is built with --no-build-isolation (the test venv's setuptools) and
installed with --no-deps into a venv made with --system-site-packages."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PACKAGE = Path(__file__).resolve().parents[1]
SOURCE = PACKAGE / "src" / "lorad"
MODULES = sorted(path.name for path in SOURCE.glob("*.py"))

EXTRAS = {
    "torch": {"torch"},
    "diffusers": {"torch", "diffusers", "transformers", "accelerate"},
    "bf16": {"ml_dtypes"},
}

# No index (nothing is downloaded), and no PYTHONPATH: with the clone's src/ on the path (as the
# test run has it), pip would take a src/lorad.egg-info left by an in-tree build for an
# installed lorad and skip the install, and the import below would not come from the wheel.
PIP_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1", "PIP_NO_INPUT": "1"}


def _run(*command: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 180) -> str:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, env=PIP_ENV,
                            cwd=cwd, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel pip builds from clients/python. Built from a copy, so that setuptools' build/
    and *.egg-info folders land in the copy, not in the clone (where other runs read)."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "python"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns(
        "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "examples"))
    out = root / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, source)
    wheels = sorted(out.glob("lorad-*.whl"))
    assert len(wheels) == 1, f"expected one lorad wheel in {out}: {wheels}"
    yield wheels[0]
    shutil.rmtree(root, ignore_errors=True)


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def test_wheel_holds_every_module_and_py_typed(wheel: Path) -> None:
    assert len(MODULES) >= 9 and "__init__.py" in MODULES
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        files = {name for name in names if not name.endswith("/")}
        packaged = {name.removeprefix("lorad/") for name in files if name.startswith("lorad/")}
        assert packaged == {*MODULES, "py.typed"}, (
            f"missing {sorted({*MODULES, 'py.typed'} - packaged)}, unexpected {sorted(packaged - {*MODULES, 'py.typed'})}")
        for module in MODULES:  # the packaged bytes are the source's
            assert archive.read(f"lorad/{module}") == (SOURCE / module).read_bytes(), module
    # Nothing else is installed into site-packages: no tests, no examples, no top-level modules.
    top = {name.split("/", 1)[0] for name in files}
    assert {t for t in top if not t.endswith(".dist-info")} == {"lorad"}, sorted(top)


def test_wheel_metadata(wheel: Path) -> None:
    import lorad

    metadata = _metadata(wheel)
    assert metadata["Name"] == "lorad"
    assert metadata["Version"] == lorad.__version__
    assert wheel.name == f"lorad-{lorad.__version__}-py3-none-any.whl"
    assert SpecifierSet(metadata["Requires-Python"]) == SpecifierSet(">=3.10")
    requirements = [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]
    hard = [req for req in requirements if req.marker is None]
    assert [req.name for req in hard] == ["numpy"], f"hard dependencies: {[str(r) for r in hard]}"
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert set(EXTRAS) <= extras, f"extras: {sorted(extras)}"
    for extra, names in EXTRAS.items():
        needed = {req.name.lower().replace("_", "-") for req in requirements
                  if req.marker is not None and req.marker.evaluate({"extra": extra})}
        wanted = {name.replace("_", "-") for name in names}
        assert needed == wanted, f"extra {extra!r} requires {sorted(needed)}, expected {sorted(wanted)}"
    # An extra never pulls in another hard dependency by a marker that is always true.
    always = [str(req) for req in requirements if req.marker is not None and req.marker.evaluate({"extra": ""})]
    assert not always, always


def test_wheel_installs_and_imports_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # Without pip of its own (ensurepip takes seconds): this venv's pip installs into it.
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv)
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python)
    _run(*pip, "install", "--no-deps", "--no-index", wheel)
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    # numpy, the one hard dependency, comes from the system's site-packages when it is there;
    # otherwise (a system Python without numpy) from this test venv, appended by a .pth file
    # after the fresh venv's own site-packages, so that lorad still comes from the wheel.
    probe = subprocess.run([python, "-c", "import numpy"], capture_output=True, env=PIP_ENV)
    if probe.returncode != 0:
        import numpy

        Path(site, "zz-test-numpy.pth").write_text(str(Path(numpy.__file__).parents[1]) + "\n")
    result = subprocess.run(
        [python, "-c",
         "import lorad, lorad.wire, lorad.segments, sys; "
         "print(lorad.__file__); print(lorad.__version__); print(sorted(lorad.__all__)[:3]); "
         "print(issubclass(lorad.Timeout, TimeoutError))"],
        capture_output=True, text=True, env=PIP_ENV, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    where, version, _names, timeout_is_builtin = result.stdout.splitlines()
    assert Path(where).resolve().is_relative_to(Path(site).resolve()), f"imported {where}, not the installed wheel"
    assert version == __import__("lorad").__version__
    assert timeout_is_builtin == "True"
    # py.typed is installed beside the modules (PEP 561).
    assert Path(where).with_name("py.typed").is_file()
    listed = _run(*pip, "show", "-f", "lorad")
    assert "Requires: numpy" in listed, listed
