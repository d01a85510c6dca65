"""lorad.diffusers against a live lorad, on a tiny BF16 CogVideoX model made here with diffusers and PEFT.

What is proved, after every switch of a sequence of adapter sets (one adapter, the other,
both with a negative weight, none, ...):

- a model built by ``lorad.diffusers.load_model`` (from a config only, copying or zero-copy)
  holds exactly the bytes of ``loractl merge`` for that set (the base's bytes for no set),
  in the same storage as before the switch;
- the pipeline built by ``lorad.diffusers.pipeline`` gives output bit-identical to the same
  pipeline whose transformer diffusers loads from ``loractl merge``'s file;
- a factors-mode session bound with ``fuse_on_device=True`` equals the fused-mode overlay
  except for elements next to a rounding tie, counted and printed (``pytest -s``);
- a switch requested while the pipeline runs waits for the call to end;
- the empty (meta) model has the buffers ``from_pretrained`` computes, and follows a base
  that keeps some tensors in another dtype.

The model, the adapters and the daemon are made once per module; the whole file takes
about 6 s on 2 cores.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("peft")

from conftest import LoradDaemon  # noqa: E402  (the fixture's daemon class, started here on our base)
from safetensors.torch import load_file  # noqa: E402

import lorad  # noqa: E402
import lorad.diffusers  # noqa: E402
import lorad.torch  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cogvideox_switch.py"
BASE = "cvx"

# Adapter sets in the order the tests switch through them: every kind of change
# (add, replace, combine with a negative weight, drop all, come back).
SETS: list[dict[str, float]] = [
    {"wc": 1.0},
    {"sk": 0.8},
    {"wc": 0.7, "sk": -0.3},
    {},
    {"sk": -1.0},
    {"wc": 0.5},
    {},
]


def _load_example() -> Any:
    """The example module, whose functions make the tiny model, adapters, VAE and embeddings."""
    spec = importlib.util.spec_from_file_location("cogvideox_switch", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cogvideox_switch", module)
    spec.loader.exec_module(module)
    return module


@dataclass
class World:
    """The tiny model's files, the daemon serving it, a client, and merged files per set."""

    example: Any
    root: Path
    base_file: Path
    config: dict[str, Any]
    daemon: LoradDaemon
    client: Any
    merged: dict[tuple[tuple[str, float], ...], Path]

    def merge(self, adapters: Mapping[str, float]) -> Path:
        """``loractl merge``'s file for ``adapters`` (the base file for none), made once per set."""
        key = tuple(sorted(adapters.items()))
        if not key:
            return self.base_file
        if key not in self.merged:
            folder = self.root / f"merged-{len(self.merged)}"
            folder.mkdir()
            shutil.copy(self.root / "base" / "config.json", folder / "config.json")
            output = folder / "diffusion_pytorch_model.safetensors"
            specs = [arg for name, weight in adapters.items() for arg in ("--adapter", f"{name}:{weight!r}")]
            self.daemon.loractl("merge", "--base", BASE, *specs, "--output", output)
            self.merged[key] = output
        return self.merged[key]


@pytest.fixture(scope="module")
def world(lorad_bin: Path) -> Iterator[World]:
    example = _load_example()
    root = Path(tempfile.mkdtemp(prefix="lorad-diffusers-test."))
    daemon = None
    try:
        base_file = example.make_base(root / "base", seed=0)
        example.make_adapter(root / "base", root / "wc", seed=10)
        example.make_adapter(root / "base", root / "sk", seed=11, rank=8, alpha=4.0)
        daemon = LoradDaemon(bin_dir=lorad_bin, work_dir=root / "d", base_path=base_file, base_name=BASE)
        daemon.start()
        client = lorad.Client(str(daemon.socket))
        for name in ("wc", "sk"):
            client.import_adapter(root / name, name=name, base=BASE)
        config = json.loads((root / "base" / "config.json").read_text())
        yield World(example, root, base_file, config, daemon, client, {})
        client.close()
    finally:
        if daemon is not None:
            daemon.close()
        shutil.rmtree(root, ignore_errors=True)


def _bits(tensor: Any) -> Any:
    """The tensor's raw bits as integers (BF16 -> int16), so NaNs and signed zeros compare exactly."""
    return tensor.detach().contiguous().cpu().view(torch.int16 if tensor.element_size() == 2 else torch.int32)


def _assert_model_equals_file(model: Any, path: Path, context: str) -> None:
    expected = load_file(str(path))
    state = model.state_dict()
    assert set(expected) == set(state), f"{context}: names differ from {path.name}"
    wrong = [name for name, tensor in expected.items()
             if state[name].dtype != tensor.dtype or not torch.equal(_bits(state[name]), _bits(tensor))]
    assert not wrong, f"{context}: {len(wrong)} tensors differ from loractl merge's bytes, e.g. {wrong[:3]}"


def _switch(binding: Any, session: Any, adapters: Mapping[str, float]) -> None:
    with binding.switching():
        session.switch(dict(adapters))


@pytest.mark.parametrize("zero_copy", [False, True], ids=["copy", "zero-copy"])
def test_bound_model_equals_loractl_merge_after_every_switch(world: World, zero_copy: bool) -> None:
    from diffusers import CogVideoXTransformer3DModel

    with world.client.session(BASE, mode="fused") as session:
        # A config dict, not a folder: nothing but the session can have given the weights.
        model, binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, world.config, session,
                                                    zero_copy=zero_copy)
        assert all(p.device.type == "cpu" for p in model.parameters())
        assert all(p.dtype == torch.bfloat16 for p in model.parameters())
        pointers = {name: p.data_ptr() for name, p in model.named_parameters()}
        _assert_model_equals_file(model, world.base_file, "after bind")
        for adapters in SETS:
            _switch(binding, session, adapters)
            _assert_model_equals_file(model, world.merge(adapters), f"after switch to {adapters}")
            moved = [n for n, p in model.named_parameters() if p.data_ptr() != pointers[n]]
            assert not moved, f"storage changed on a switch: {moved[:3]}"
        lorad.torch.unbind(model)


def _reference_pipeline(world: World, weights: Path) -> Any:
    """The same pipeline with diffusers loading the transformer from ``weights``'s folder."""
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline, CogVideoXTransformer3DModel

    transformer = CogVideoXTransformer3DModel.from_pretrained(weights.parent, torch_dtype=torch.bfloat16)
    pipe = CogVideoXPipeline(tokenizer=None, text_encoder=None, vae=world.example.make_vae(),
                             transformer=transformer, scheduler=CogVideoXDDIMScheduler())
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _generate(world: World, pipe: Any, output_type: str = "latent", **kwargs: Any) -> Any:
    example = world.example
    return pipe(prompt_embeds=example.prompt_embeds(seed=2), negative_prompt_embeds=example.prompt_embeds(seed=3),
                height=example.HEIGHT, width=example.WIDTH, num_frames=example.FRAMES, num_inference_steps=2,
                guidance_scale=6.0, generator=torch.Generator().manual_seed(7), output_type=output_type,
                **kwargs).frames


def test_pipeline_output_bit_identical_to_pipeline_on_merged_file(world: World) -> None:
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline

    with world.client.session(BASE, mode="fused") as session:
        pipe = lorad.diffusers.pipeline(CogVideoXPipeline, world.root / "base", session,
                                        vae=world.example.make_vae(), scheduler=CogVideoXDDIMScheduler(),
                                        zero_copy=True)
        pipe.pipeline.set_progress_bar_config(disable=True)
        outputs = []
        for index, adapters in enumerate(SETS[:4]):
            pipe.switch(adapters)
            output_type = "pt" if index == 2 else "latent"  # once through the VAE too
            ours = _generate(world, pipe, output_type)
            theirs = _generate(world, _reference_pipeline(world, world.merge(adapters)), output_type)
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            assert torch.equal(_bits(ours), _bits(theirs)), f"pipeline output differs from the merged file's for {adapters}"
            outputs.append(ours)
        assert not torch.equal(outputs[0], outputs[1]), "two adapter sets gave the same output"
        pipe.unbind()


def test_switch_waits_for_a_running_pipeline_call(world: World) -> None:
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline

    with world.client.session(BASE, mode="fused") as session:
        pipe = lorad.diffusers.pipeline(CogVideoXPipeline, world.config, session,
                                        vae=None, scheduler=CogVideoXDDIMScheduler())
        pipe.pipeline.set_progress_bar_config(disable=True)
        pipe.switch({"wc": 1.0})
        in_call, switched = threading.Event(), threading.Event()
        seen_during_call: list[bool] = []

        def on_step(pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            in_call.set()
            # The switch asked for meanwhile must not have happened while the call runs.
            switched.wait(0.3)
            seen_during_call.append(switched.is_set())
            return tensors

        result: list[Any] = []
        runner = threading.Thread(target=lambda: result.append(_generate(world, pipe, callback_on_step_end=on_step)))
        runner.start()
        assert in_call.wait(30)
        pipe.switch({"sk": 0.8})
        switched.set()
        runner.join(30)
        assert seen_during_call == [False, False], "the switch happened during the pipeline call"
        expected = _generate(world, _reference_pipeline(world, world.merge({"wc": 1.0})))
        assert torch.equal(_bits(result[0]), _bits(expected))
        assert [(a.name, a.weight) for a in pipe.active] == [("sk", 0.8)]
        pipe.unbind()


def test_device_fuse_matches_overlay_except_near_ties(world: World) -> None:
    from diffusers import CogVideoXTransformer3DModel

    with world.client.session(BASE, mode="fused") as fused, world.client.session(BASE, mode="factors") as factors:
        overlay_model, overlay_binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, world.config, fused)
        device_model, device_binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, world.config, factors,
                                                                  fuse_on_device=True)
        total_differing = total_touched = 0
        for adapters in SETS:
            _switch(overlay_binding, fused, adapters)
            _switch(device_binding, factors, adapters)
            expected = dict(overlay_model.named_parameters())
            for name, parameter in device_model.named_parameters():
                ours, theirs = _bits(parameter), _bits(expected[name])
                differing = ours != theirs
                if adapters and "attn1" in name and name.endswith(".weight"):
                    total_touched += parameter.numel()
                count = int(differing.sum())
                if count:
                    # Only a rounding tie may go the other way: one unit in the last place.
                    steps = (ours.to(torch.int32) - theirs.to(torch.int32)).abs()[differing]
                    assert int(steps.max()) <= 1, f"{name} after {adapters}: device fuse off by more than 1 ulp"
                    total_differing += count
            assert total_differing <= max(2, total_touched // 1000), f"{total_differing} elements differ"
        print(f"\ndevice fuse vs overlay: {total_differing} of {total_touched} touched elements differ "
              f"(near rounding ties) over {len(SETS)} switches")
        lorad.torch.unbind(overlay_model)
        lorad.torch.unbind(device_model)


def test_pipeline_refuses_what_it_builds_itself(world: World) -> None:
    from diffusers import CogVideoXPipeline

    with world.client.session(BASE, mode="fused") as session:
        with pytest.raises(TypeError, match="transformer= is built from the session"):
            lorad.diffusers.pipeline(CogVideoXPipeline, world.config, session, transformer=object())
        with pytest.raises(TypeError, match="takes no unet"):
            lorad.diffusers.pipeline(CogVideoXPipeline, world.config, session, unet=None)
        with pytest.raises(FileNotFoundError, match="no config.json"):
            lorad.diffusers.load_model(object, world.root, session)


def test_empty_model_matches_from_pretrained_and_follows_base_dtypes(world: World) -> None:
    """No daemon needed: the meta model's buffers are from_pretrained's; mixed-dtype bases are followed."""
    from types import SimpleNamespace

    from diffusers import CogVideoXTransformer3DModel

    model = lorad.diffusers.empty_model(CogVideoXTransformer3DModel, world.root / "base", dtype=torch.bfloat16)
    assert {p.device.type for p in model.parameters()} == {"meta"}
    assert not model.training
    loaded = CogVideoXTransformer3DModel.from_pretrained(world.root / "base", torch_dtype=torch.bfloat16)
    ours, theirs = dict(model.named_buffers()), dict(loaded.named_buffers())
    assert set(ours) == set(theirs) and ours, "buffers differ"
    for name, buffer in ours.items():
        assert buffer.device.type == "cpu" and buffer.dtype == theirs[name].dtype
        assert torch.equal(buffer, theirs[name]), name

    # A base keeping the norms in F32 (as _keep_in_fp32_modules would): those become F32 on meta.
    entries = {name: SimpleNamespace(dtype="F32" if "norm" in name else "BF16")
               for name, _ in model.named_parameters()}
    changed = lorad.diffusers.follow_base_dtypes(model, SimpleNamespace(entries=entries))
    dtypes = {name: p.dtype for name, p in model.named_parameters()}
    assert changed == sum(1 for name in entries if "norm" in name) > 0
    assert all(dtypes[name] == (torch.float32 if "norm" in name else torch.bfloat16) for name in dtypes)
    assert {p.device.type for p in model.parameters()} == {"meta"}


def test_pipeline_names_diffusers_placeholder_class() -> None:
    """Without transformers, diffusers exports a placeholder CogVideoXPipeline whose constructor
    takes only *args, **kwargs: say so (and how to install it), not 'takes no transformer'."""
    from diffusers.utils import dummy_torch_and_transformers_objects as dummies

    class Stub:  # a placeholder that is not diffusers' DummyObject: an empty constructor signature
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

    for placeholder in (dummies.CogVideoXPipeline, Stub):
        with pytest.raises(ImportError) as caught:
            lorad.diffusers.pipeline(placeholder, {}, None)  # type: ignore[arg-type]
        text = str(caught.value)
        assert f"diffusers could not import {placeholder.__name__}" in text
        assert "install 'lorad[diffusers]'" in text and "transformers" in text
        assert "takes no" not in text


def test_pipeline_requires_the_components_it_needs() -> None:
    """A scheduler left out was passed as None and failed on the first call with
    'NoneType' object has no attribute 'set_timesteps': refuse it when building, naming what
    is missing. tokenizer and text_encoder may be left out (prompt_embeds replaces them); an
    explicit None is a choice (vae=None with output_type='latent'). Checked before any binding."""
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline

    with pytest.raises(ValueError, match=r"CogVideoXPipeline needs scheduler=:") as caught:
        lorad.diffusers.pipeline(CogVideoXPipeline, {}, None, vae=None)  # type: ignore[arg-type]
    assert "tokenizer" not in str(caught.value) and "text_encoder" not in str(caught.value)
    with pytest.raises(ValueError, match=r"CogVideoXPipeline needs vae=, scheduler=: pass them"):
        lorad.diffusers.pipeline(CogVideoXPipeline, {}, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"needs vae=:"):
        lorad.diffusers.pipeline(CogVideoXPipeline, {}, None, scheduler=CogVideoXDDIMScheduler())  # type: ignore[arg-type]


def test_unbound_pipeline_refuses_to_switch(world: World) -> None:
    """After unbind() the transformer no longer follows the session: switch/attach/detach would
    change the session alone, silently. They raise instead, and the session stays as it was."""
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline

    with world.client.session(BASE, mode="fused") as session:
        pipe = lorad.diffusers.pipeline(CogVideoXPipeline, world.config, session,
                                        vae=None, scheduler=CogVideoXDDIMScheduler())
        pipe.switch({"wc": 1.0})
        pipe.unbind()
        pipe.unbind()  # idempotent
        for verb, call in (("switch", lambda: pipe.switch({"sk": 0.5})), ("attach", lambda: pipe.attach("sk", 0.5)),
                           ("detach", lambda: pipe.detach("wc"))):
            with pytest.raises(lorad.torch.BindError, match=rf"SwitchingPipeline is unbound: {verb}\(\)"):
                call()
        assert [(a.name, a.weight) for a in session.active] == [("wc", 1.0)]
