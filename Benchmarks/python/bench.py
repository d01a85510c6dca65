#!/usr/bin/env python3
"""lorad's Python client on a CogVideoX-2B-sized transformer, each figure beside its anchor.

Not a test: nothing here asserts on time. The model is a ``CogVideoXTransformer3DModel``
with the CogVideoX-2B transformer config (written below; nothing is downloaded) and random
BF16 weights, 3.4 GB; two rank-128 adapters ``a`` and ``b`` on the 120 ``attn1``
projections (``to_q``, ``to_k``, ``to_v``, ``to_out.0`` of 30 blocks) in diffusers' layout.

``bench.py prepare --data DIR`` makes the files once (base folder, adapters);
``bench.py run --socket S --data DIR`` measures against a lorad serving ``DIR/base`` as
``--base-name``. ``run.sh`` does both and starts/stops the daemon.

What is measured (median of ``--repeat`` unless said):

- bind: ``lorad.diffusers.load_model`` zero-copy and copying, against diffusers
  ``from_pretrained`` from the same weights in page cache, and against a plain copy of the
  base's bytes into fresh memory (the floor of a copying bind);
- switch + in-place update of the bound model, cached (both sets' overlays already built
  and mapped) and cold (lorad evicted its overlays first, so it fuses), against the floor,
  ``copy_`` of the same touched bytes into the same parameters;
- device fuse (factors session, ``fuse_on_device=True`` on this CPU) against the overlay;
- diffusers with both adapters loaded: ``set_adapters`` (unfused) and what the unfused
  LoRA adds to one transformer forward, and ``unfuse_lora`` + ``set_adapters`` +
  ``fuse_lora``.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")

import torch  # noqa: E402

# The CogVideoX-2B transformer's config (diffusers' CogVideoXTransformer3DModel arguments).
COGVIDEOX_2B: dict[str, Any] = {
    "_class_name": "CogVideoXTransformer3DModel",
    "activation_fn": "gelu-approximate",
    "attention_bias": True,
    "attention_head_dim": 64,
    "dropout": 0.0,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 16,
    "max_text_seq_length": 226,
    "norm_elementwise_affine": True,
    "norm_eps": 1e-05,
    "num_attention_heads": 30,
    "num_layers": 30,
    "out_channels": 16,
    "patch_size": 2,
    "sample_frames": 49,
    "sample_height": 60,
    "sample_width": 90,
    "spatial_interpolation_scale": 1.875,
    "temporal_compression_ratio": 4,
    "temporal_interpolation_scale": 1.0,
    "text_embed_dim": 4096,
    "time_embed_dim": 512,
    "timestep_activation_fn": "silu",
    "use_learned_positional_embeddings": False,
    "use_rotary_positional_embeddings": False,
}
RANK = 128
PROJECTIONS = ("to_q", "to_k", "to_v", "to_out.0")
WEIGHTS_FILE = "diffusion_pytorch_model.safetensors"
LORA_FILE = "pytorch_lora_weights.safetensors"
ADAPTERS = ("a", "b")


_LIBC = ctypes.CDLL(None)  # this process's C library (malloc_trim)


def log(message: str) -> None:
    """One progress line on stderr (figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def touched_names(config: dict[str, Any] = COGVIDEOX_2B) -> list[str]:
    """The 120 base tensors the adapters change: ``transformer_blocks.N.attn1.P.weight``."""
    return [f"transformer_blocks.{block}.attn1.{projection}.weight"
            for block in range(config["num_layers"]) for projection in PROJECTIONS]


# ---------------------------------------------------------------- prepare


def prepare(data: Path) -> None:
    """Write ``data/base`` (config.json + one BF16 safetensors file) and the adapters ``data/a``, ``data/b``.

    Random weights: normal with the std a default init would give (1/sqrt(fan_in)); LayerNorm
    weights 1. Files already there are kept.
    """
    from diffusers import CogVideoXPipeline, CogVideoXTransformer3DModel
    from safetensors.torch import save_file

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python" / "src"))
    from lorad.diffusers import empty_model

    base = data / "base"
    base.mkdir(parents=True, exist_ok=True)
    (base / "config.json").write_text(json.dumps(COGVIDEOX_2B, indent=2))
    if not (base / WEIGHTS_FILE).exists():
        log("making the random 2B base (BF16, about 3.4 GB)")
        model = empty_model(CogVideoXTransformer3DModel, COGVIDEOX_2B, dtype=torch.bfloat16)
        generator = torch.Generator().manual_seed(0)
        tensors = {}
        for name, parameter in model.named_parameters():
            tensor = torch.empty(parameter.shape, dtype=torch.bfloat16)
            if name.endswith(".weight") and parameter.dim() >= 2:
                tensor.normal_(0.0, parameter[0].numel() ** -0.5, generator=generator)
            elif "norm" in name and name.endswith(".weight"):
                tensor.fill_(1.0)
            else:
                tensor.normal_(0.0, 0.02, generator=generator)
            tensors[name] = tensor
        del model
        save_file(tensors, str(base / (WEIGHTS_FILE + ".tmp")), metadata={"format": "pt"})
        os.replace(base / (WEIGHTS_FILE + ".tmp"), base / WEIGHTS_FILE)
        del tensors
        gc.collect()
    for seed, name in enumerate(ADAPTERS, start=1):
        folder = data / name
        if (folder / LORA_FILE).exists():
            continue
        log(f"making adapter {name} (rank {RANK}, 120 attn1 projections)")
        generator = torch.Generator().manual_seed(100 + seed)
        inner = COGVIDEOX_2B["num_attention_heads"] * COGVIDEOX_2B["attention_head_dim"]
        layers = {}
        for weight in touched_names():
            module = weight.removesuffix(".weight")
            layers[f"{module}.lora_A.weight"] = torch.empty(RANK, inner).uniform_(
                -inner ** -0.5, inner ** -0.5, generator=generator).to(torch.bfloat16)
            layers[f"{module}.lora_B.weight"] = torch.empty(inner, RANK).normal_(
                0.0, 0.02, generator=generator).to(torch.bfloat16)
        metadata = {"r": RANK, "lora_alpha": RANK, "target_modules": [f"attn1.{p}" for p in PROJECTIONS]}
        CogVideoXPipeline.save_lora_weights(folder, transformer_lora_layers=layers,
                                            transformer_lora_adapter_metadata=metadata)
    log(f"data ready in {data}")


# ---------------------------------------------------------------- measuring


def seconds(function: Callable[[], Any], repeat: int = 1, before: Callable[[], Any] | None = None) -> list[float]:
    """Wall times of ``repeat`` calls of ``function`` (``before`` runs untimed before each)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def med(times: Sequence[float]) -> float:
    return statistics.median(times)


class Report:
    """Figures printed as they come, each beside its anchor, and kept for the JSON summary."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def section(self, title: str) -> None:
        print(f"\n== {title}", flush=True)

    def row(self, what: str, value: float, anchor_name: str | None = None, anchor: float | None = None,
            target: str = "", unit: str = "ms") -> None:
        scale = 1000.0 if unit == "ms" else 1.0
        text = f"  {what:<52} {value * scale:10.1f} {unit}"
        if anchor is not None and anchor_name is not None:
            text += f"   vs {anchor_name}: {anchor * scale:.1f} {unit} ({value / anchor:.3f}x)"
        if target:
            text += f"   target {target}"
        print(text, flush=True)
        self.rows.append({"what": what, "seconds": value, "anchor": anchor_name, "anchor_seconds": anchor,
                          "ratio": None if anchor is None else value / anchor, "target": target or None})


def anon_gib() -> float:
    """This process's private resident memory (RssAnon) in GiB: shared segment pages not counted."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def drop(*objects: Any) -> None:
    """Forget objects, collect, and hand the C heap's free memory back to the kernel.

    Without the trim, glibc keeps a freed 3 GiB model in its heap: the next copying bind
    would reuse those pages (no page faults, unlike a real first bind) and the process
    would grow by gigabytes per phase.
    """
    del objects
    gc.collect()
    _LIBC.malloc_trim(0)


@contextmanager
def phase(name: str) -> Iterator[None]:
    log(f"{name} (private memory {anon_gib():.1f} GiB)")
    yield
    drop()


def warm_page_cache(path: Path) -> float:
    """Read ``path`` once (so it sits in page cache); seconds it took."""
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as file:
        while file.read(64 << 20):
            pass
    return time.perf_counter() - started


# ---------------------------------------------------------------- phases


def bench_bind(report: Report, client: Any, base_name: str, data: Path, repeat: int) -> None:
    import lorad.diffusers
    import lorad.torch
    from diffusers import CogVideoXTransformer3DModel

    report.section("bind: a 2B model from lorad's base vs from_pretrained and the copy floor")
    base_file = data / "base" / WEIGHTS_FILE
    log(f"reading {base_file} into page cache: {warm_page_cache(base_file):.1f} s")
    config = data / "base"
    names = ("from_pretrained", "from_pretrained, no mmap", "empty", "bind zero-copy", "bind copying",
             "copy per tensor", "copy into touched memory", "load zero-copy", "load copying")
    times: dict[str, list[float]] = {name: [] for name in names}

    def clock(name: str, make: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        made = make()
        times[name].append(time.perf_counter() - started)
        return made

    def free(model: Any) -> None:
        lorad.torch.unbind(model)
        drop(model)

    with client.session(base_name, mode="fused") as session:
        sources = session.base.tensors("torch")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a read-only buffer: only read here
            whole = torch.frombuffer(session.base.buffer, dtype=torch.uint8)
        touched_memory = torch.empty_like(whole).fill_(0)  # faulted in once, here

        def copy_per_tensor() -> Any:
            """What any copying loader does at least: a new tensor per base tensor, filled."""
            return [torch.empty(t.shape, dtype=t.dtype).copy_(t) for t in sources.values()]

        def empty() -> Any:
            return lorad.diffusers.empty_model(CogVideoXTransformer3DModel, config, dtype=torch.bfloat16)

        # Rounds interleave every figure with its anchors, so a busy moment hits both alike.
        for _ in range(repeat):
            drop(clock("from_pretrained", lambda: CogVideoXTransformer3DModel.from_pretrained(
                config, torch_dtype=torch.bfloat16)))
            drop(clock("from_pretrained, no mmap", lambda: CogVideoXTransformer3DModel.from_pretrained(
                config, torch_dtype=torch.bfloat16, disable_mmap=True)))
            drop(clock("copy per tensor", copy_per_tensor))
            clock("copy into touched memory", lambda: touched_memory.copy_(whole))
            for zero_copy, name in ((True, "bind zero-copy"), (False, "bind copying")):
                model = clock("empty", empty)
                clock(name, lambda: lorad.torch.bind(model, session, device="cpu", zero_copy=zero_copy))
                free(model)
            for zero_copy, name in ((True, "load zero-copy"), (False, "load copying")):
                model, _ = clock(name, lambda: lorad.diffusers.load_model(
                    CogVideoXTransformer3DModel, config, session, zero_copy=zero_copy))
                free(model)
        drop(whole, touched_memory, sources)
    figure = {name: med(values) for name, values in times.items()}
    pretrained, unmapped = figure["from_pretrained"], figure["from_pretrained, no mmap"]
    report.row("from_pretrained (maps the file copy-on-write)", pretrained)
    report.row("from_pretrained, disable_mmap=True (reads the file)", unmapped)
    report.row("empty model from the config (both paths build it)", figure["empty"])
    report.row("lorad.torch.bind zero-copy (on the empty model)", figure["bind zero-copy"], "from_pretrained",
               pretrained, "< 0.05x")
    report.row("lorad.torch.bind zero-copy", figure["bind zero-copy"], "from_pretrained, no mmap", unmapped)
    report.row("lorad.torch.bind copying", figure["bind copying"], "copy per tensor", figure["copy per tensor"],
               "< 1.5x")
    report.row("lorad.torch.bind copying", figure["bind copying"], "copy into touched memory",
               figure["copy into touched memory"])
    report.row("lorad.diffusers.load_model zero-copy (empty + bind)", figure["load zero-copy"], "from_pretrained",
               pretrained)
    report.row("lorad.diffusers.load_model copying (empty + bind)", figure["load copying"],
               "from_pretrained, no mmap", unmapped)


def switcher(binding: Any, session: Any, adapters: dict[str, float]) -> Callable[[], None]:
    """A function switching ``session`` to ``adapters`` between forward passes of ``binding``'s module."""
    def run() -> None:
        with binding.switching():
            session.switch(adapters)
    return run


def _touched(model: Any) -> list[Any]:
    parameters = dict(model.named_parameters())
    return [parameters[name] for name in touched_names()]


def bench_switch(report: Report, client: Any, base_name: str, data: Path, repeat: int, zero_copy: bool) -> None:
    import lorad.diffusers
    import lorad.torch
    from diffusers import CogVideoXTransformer3DModel

    kind = "zero-copy" if zero_copy else "copying"
    report.section(f"switch + in-place update of a bound 2B model ({kind}), rank {RANK} x 120 attn1 projections")
    with client.session(base_name, mode="fused") as session:
        model, binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, data / "base", session,
                                                    zero_copy=zero_copy)
        touched = _touched(model)
        touched_bytes = sum(p.numel() * p.element_size() for p in touched)

        def switch(adapters: dict[str, float]) -> Callable[[], None]:
            return switcher(binding, session, adapters)

        def evict() -> None:
            switch({})()
            client.evict()

        cold = seconds(switch({"a": 1.0}), repeat, before=evict)
        # Both sets built and mapped: every switch now maps nothing and fuses nothing. Each
        # round times a switch, then the floor: copy_ of the same bytes into the same
        # parameters from the overlay just mapped (b's bytes over b's, so the model stays exact).
        switch({"b": 1.0})()
        switch({"a": 1.0})()
        cached: list[float] = []
        floors: list[float] = []
        for index in range(2 * repeat):
            cached += seconds(switch({"b": 1.0} if index % 2 == 0 else {"a": 1.0}))
            sources = [session.overlay.tensor(name, "torch") for name in touched_names()]
            with binding.switching():
                def copy_all() -> None:
                    for parameter, source in zip(touched, sources):
                        parameter.data.copy_(source)
                floors += seconds(copy_all)
        floor = med(floors)
        restore = seconds(switch({}), repeat, before=switch({"a": 1.0}))
        lorad.torch.unbind(model)
        drop(model, binding, touched)
    report.row(f"cached switch a<->b + update ({touched_bytes / 2**20:.0f} MiB touched)", med(cached),
               "copy_ floor", floor, "< 1.5x")
    report.row("cold switch (lorad fuses the overlay) + update", med(cold), "copy_ floor", floor)
    report.row("switch to no adapter (restore from base)", med(restore), "copy_ floor", floor)


def bench_device_fuse(report: Report, client: Any, base_name: str, data: Path, repeat: int) -> None:
    import lorad.diffusers
    import lorad.torch
    from diffusers import CogVideoXTransformer3DModel

    report.section("device fuse (factors session, fused by torch on this CPU) vs lorad's overlay")
    with client.session(base_name, mode="factors") as session:
        model, binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, data / "base", session,
                                                    fuse_on_device=True)

        def switch(adapters: dict[str, float]) -> Callable[[], None]:
            return switcher(binding, session, adapters)

        switch({"a": 1.0})()
        times = []
        for index in range(repeat):
            times += seconds(switch({"b": 1.0} if index % 2 == 0 else {"a": 1.0}))
        lorad.torch.unbind(model)
        drop(model, binding)
    with client.session(base_name, mode="fused") as fused:
        model, binding = lorad.diffusers.load_model(CogVideoXTransformer3DModel, data / "base", fused)

        def fused_switch(adapters: dict[str, float]) -> Callable[[], None]:
            return switcher(binding, fused, adapters)

        def evict() -> None:
            fused_switch({})()
            client.evict()

        cold = med(seconds(fused_switch({"b": 1.0}), repeat, before=evict))
        lorad.torch.unbind(model)
        drop(model, binding)
    report.row("device fuse switch a<->b (F32 on CPU, rounded once)", med(times), "overlay, cold", cold)


def _forward_input(config: dict[str, Any]) -> dict[str, Any]:
    """A small transformer input: 1 latent frame of 8 x 8 (16 patches) and 226 text tokens."""
    generator = torch.Generator().manual_seed(5)
    return {
        "hidden_states": torch.randn(1, 1, config["in_channels"], 8, 8, generator=generator).to(torch.bfloat16),
        "encoder_hidden_states": torch.randn(1, config["max_text_seq_length"], config["text_embed_dim"],
                                             generator=generator).to(torch.bfloat16),
        "timestep": torch.tensor([500]),
        "return_dict": False,
    }


def bench_diffusers(report: Report, data: Path, repeat: int, cached_switch: float | None,
                    cold_switch: float | None) -> None:
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline, CogVideoXTransformer3DModel

    report.section("diffusers on the same model and adapters: set_adapters, unfuse + set_adapters + fuse")
    transformer = CogVideoXTransformer3DModel.from_pretrained(data / "base", torch_dtype=torch.bfloat16)
    pipe = CogVideoXPipeline(tokenizer=None, text_encoder=None, vae=None, transformer=transformer,
                             scheduler=CogVideoXDDIMScheduler())
    loading = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PEFT warns that a second adapter joins the first: meant
        for name in ADAPTERS:
            loading += seconds(lambda: pipe.load_lora_weights(str(data / name), adapter_name=name))
    report.row("load_lora_weights (per adapter, file in page cache)", med(loading))

    def set_adapter(name: str) -> Callable[[], None]:
        return lambda: pipe.set_adapters([name], [1.0])

    unfused = []
    for index in range(2 * repeat):
        unfused += seconds(set_adapter("b" if index % 2 == 0 else "a"))
    report.row("set_adapters a<->b (unfused)", med(unfused), "lorad cached switch" if cached_switch else None,
               cached_switch)

    inputs = _forward_input(COGVIDEOX_2B)
    with torch.no_grad():
        pipe.set_adapters(["a"], [1.0])
        transformer(**inputs)  # warm-up
        with_lora = med(seconds(lambda: transformer(**inputs), repeat))
        pipe.disable_lora()
        plain = med(seconds(lambda: transformer(**inputs), repeat))
        pipe.enable_lora()
    report.row("one forward, 242 tokens, unfused LoRA active", with_lora, "LoRA disabled", plain)
    report.row("  what unfused LoRA adds to each forward", with_lora - plain)

    pipe.set_adapters(["a"], [1.0])
    pipe.fuse_lora(adapter_names=["a"])

    def refuse(name: str) -> Callable[[], None]:
        def run() -> None:
            pipe.unfuse_lora()
            pipe.set_adapters([name], [1.0])
            pipe.fuse_lora(adapter_names=[name])
        return run

    fused = []
    for index in range(repeat):
        fused += seconds(refuse("b" if index % 2 == 0 else "a"))
    report.row("unfuse_lora + set_adapters + fuse_lora a<->b", med(fused),
               "lorad cached switch" if cached_switch else None, cached_switch)
    if cold_switch is not None:
        report.row("lorad cold switch + update (from above)", cold_switch,
                   "diffusers unfuse + set_adapters + fuse", med(fused))

    # Drift: diffusers adds and subtracts each delta in BF16; after the cycles above and a
    # last unfuse, how many touched weights are no longer the base's? (lorad: none, tested.)
    pipe.unfuse_lora()
    from safetensors import safe_open

    differing = total = 0
    modules = dict(transformer.named_modules())
    with safe_open(str(data / "base" / WEIGHTS_FILE), framework="pt") as weights:
        for name in touched_names():
            module = modules[name.removesuffix(".weight")]
            current = getattr(module, "base_layer", module).weight
            differing += int((current.view(torch.int16) != weights.get_tensor(name).view(torch.int16)).sum())
            total += current.numel()
    print(f"  diffusers drift after {repeat + 1} fuse/unfuse cycles: {differing} of {total} touched weights "
          f"({100 * differing / total:.2f}%) differ from the base (lorad restores the base's bytes: 0)")
    drop(pipe, transformer)


# ---------------------------------------------------------------- main


def run(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python" / "src"))
    import lorad

    torch.set_num_threads(os.cpu_count() or 1)
    report = Report()
    print(f"lorad Python client benchmark: CogVideoX-2B config, BF16 random weights, rank {RANK} adapters; "
          f"torch {torch.__version__}, {os.cpu_count()} cores, median of {args.repeat}")
    phases = set(args.phases.split(","))
    with lorad.Client(args.socket) as client:
        info = client.wait_ready(args.base_name, timeout=600.0)
        log(f"base {info.name}: {info.byte_size / 2**30:.2f} GiB, {info.tensor_count} tensors")
        present = {summary.name for summary in client.adapters(base=args.base_name)}
        for name in ADAPTERS:
            if name not in present:
                started = time.perf_counter()
                client.import_adapter(args.data / name, name=name, base=args.base_name)
                log(f"imported {name} in {time.perf_counter() - started:.1f} s")
        if "bind" in phases:
            with phase("bind"):
                bench_bind(report, client, args.base_name, args.data, args.repeat)
        if "switch" in phases:
            with phase("switch, copying"):
                bench_switch(report, client, args.base_name, args.data, args.repeat, zero_copy=False)
            with phase("switch, zero-copy"):
                bench_switch(report, client, args.base_name, args.data, args.repeat, zero_copy=True)
        if "device" in phases:
            with phase("device fuse"):
                bench_device_fuse(report, client, args.base_name, args.data, args.repeat)
    def figure(prefix: str) -> float | None:
        return next((row["seconds"] for row in report.rows if row["what"].startswith(prefix)), None)

    cached, cold = figure("cached switch"), figure("cold switch")
    if "diffusers" in phases:
        with phase("diffusers"):
            bench_diffusers(report, args.data, args.repeat, cached, cold)
    if args.json:
        print(json.dumps({"rows": report.rows}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("prepare", help="write the base and adapters into --data")
    make.add_argument("--data", type=Path, required=True)
    measure = commands.add_parser("run", help="measure against a running lorad")
    measure.add_argument("--socket", required=True)
    measure.add_argument("--data", type=Path, required=True)
    measure.add_argument("--base-name", default="cogvideox-2b")
    measure.add_argument("--repeat", type=int, default=3)
    measure.add_argument("--phases", default="bind,switch,device,diffusers",
                         help="comma-separated subset of bind,switch,device,diffusers")
    measure.add_argument("--json", action="store_true", help="also print every figure as one JSON line")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.data)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
