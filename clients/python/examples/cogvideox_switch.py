#!/usr/bin/env python3
"""A tiny random CogVideoX pipeline on CPU whose transformer weights come from lorad.

What it does, printing each step:

1. makes a tiny random ``CogVideoXTransformer3DModel`` in BF16 with diffusers and saves its
   config and weights (``config.json``, ``diffusion_pytorch_model.safetensors``): the base;
2. makes two LoRA adapters on ``attn1.to_q/to_k/to_v/to_out.0`` with PEFT (random, non-zero
   ``lora_B``) and saves them as diffusers' ``save_lora_weights`` does;
3. starts a private lorad on a socket in a temporary folder, configured with that base
   (``--lorad-bin DIR``), or uses a running one (``--socket PATH --workdir DIR``, after
   ``--prepare DIR`` made the files and printed the lorad command to start);
4. imports the adapters through the client, builds a ``CogVideoXPipeline`` whose transformer
   is bound to a lorad session with ``lorad.diffusers`` (no weight file is read), with a tiny
   random VAE from a config and ``prompt_embeds`` instead of a tokenizer and text encoder;
5. runs it a few steps per adapter set, switching between calls, and prints the switch and
   run times and a checksum of each output; the last run (no adapters) must reproduce the
   first one bit for bit.

Nothing is downloaded (``HF_HUB_OFFLINE=1``). Usage::

    python examples/cogvideox_switch.py --lorad-bin ../../.build/debug
    python examples/cogvideox_switch.py --prepare /tmp/cvx      # then start lorad as printed
    python examples/cogvideox_switch.py --socket /tmp/cvx/lorad.sock --workdir /tmp/cvx

Needs ``pip install 'lorad[diffusers,bf16]' peft``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")

import torch  # noqa: E402

try:
    import lorad  # noqa: F401
except ImportError:  # run from a clone without `pip install ./clients/python`: use its source
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

BASE_NAME = "cogvideox-tiny"
BASE_FILE = "diffusion_pytorch_model.safetensors"
ADAPTER_FILE = "pytorch_lora_weights.safetensors"
ATTN1_TARGETS = ("attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0")

# A CogVideoX 1.0 transformer shrunk to 2 blocks of 4 heads x 16 (hidden size 64). Latents of
# 9 frames at 64 x 64 pixels are 3 x 8 x 8 x 4: sample_* and the VAE's factors agree with that.
TINY_TRANSFORMER: dict[str, Any] = {
    "num_attention_heads": 4,
    "attention_head_dim": 16,
    "in_channels": 4,
    "out_channels": 4,
    "time_embed_dim": 32,
    "text_embed_dim": 32,
    "num_layers": 2,
    "sample_width": 8,
    "sample_height": 8,
    "sample_frames": 9,
    "patch_size": 2,
    "temporal_compression_ratio": 4,
    "max_text_seq_length": 8,
}
# A CogVideoX VAE with 8 channels per level: spatial factor 2**3 = 8, temporal factor 4.
TINY_VAE: dict[str, Any] = {
    "in_channels": 3,
    "out_channels": 3,
    "down_block_types": ["CogVideoXDownBlock3D"] * 4,
    "up_block_types": ["CogVideoXUpBlock3D"] * 4,
    "block_out_channels": [8, 8, 8, 8],
    "latent_channels": 4,
    "layers_per_block": 1,
    "norm_num_groups": 2,
    "temporal_compression_ratio": 4,
}
HEIGHT = WIDTH = 64
FRAMES = 9


def make_base(folder: Path, *, seed: int = 0, config: Mapping[str, Any] = TINY_TRANSFORMER) -> Path:
    """Save a random BF16 ``CogVideoXTransformer3DModel`` (config + weights) in ``folder``.

    Returns the path of the weights file, the base lorad serves.
    """
    from diffusers import CogVideoXTransformer3DModel

    torch.manual_seed(seed)
    model = CogVideoXTransformer3DModel(**config).bfloat16()  # nn.Module's cast: every float tensor
    model.save_pretrained(folder)
    return folder / BASE_FILE


def make_adapter(
    base_folder: Path,
    folder: Path,
    *,
    seed: int,
    rank: int = 4,
    alpha: float = 8.0,
    b_std: float = 0.05,
    targets: Sequence[str] = ATTN1_TARGETS,
) -> Path:
    """Save a random LoRA adapter for the base in ``base_folder`` into ``folder``, diffusers' way.

    PEFT wraps ``targets`` (``LoraConfig``); its ``lora_A`` keeps PEFT's initialisation and
    ``lora_B`` (zero there) becomes normal with ``b_std``, so the adapter changes every
    weight it targets. ``CogVideoXPipeline.save_lora_weights`` writes it, with the config
    in ``lora_adapter_metadata``. Returns the file's path.
    """
    from diffusers import CogVideoXPipeline, CogVideoXTransformer3DModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    model = CogVideoXTransformer3DModel.from_pretrained(base_folder, torch_dtype=torch.bfloat16)
    torch.manual_seed(seed)
    config = LoraConfig(r=rank, lora_alpha=alpha, target_modules=list(targets), init_lora_weights=True)
    model.add_adapter(config, adapter_name="made")
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if ".lora_B." in name:
                parameter.normal_(0.0, b_std)
    layers = get_peft_model_state_dict(model, adapter_name="made")
    CogVideoXPipeline.save_lora_weights(folder, transformer_lora_layers=layers,
                                        transformer_lora_adapter_metadata=config.to_dict())
    return folder / ADAPTER_FILE


def make_vae(*, seed: int = 1) -> Any:
    """A random BF16 ``AutoencoderKLCogVideoX`` from ``TINY_VAE`` (no file)."""
    from diffusers import AutoencoderKLCogVideoX

    torch.manual_seed(seed)
    return AutoencoderKLCogVideoX(**TINY_VAE).bfloat16().eval()


def prompt_embeds(*, seed: int = 2, batch: int = 1) -> torch.Tensor:
    """Random text embeddings shaped like T5's output for the tiny transformer, in BF16."""
    generator = torch.Generator().manual_seed(seed)
    shape = (batch, TINY_TRANSFORMER["max_text_seq_length"], TINY_TRANSFORMER["text_embed_dim"])
    return torch.randn(shape, generator=generator).to(torch.bfloat16)


def prepare(workdir: Path) -> tuple[Path, dict[str, Path]]:
    """Make the base (``workdir/base``) and the adapters ``watercolor``, ``sketch``.

    Returns the base's weights file and each adapter's folder.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    base_file = make_base(workdir / "base")
    adapters = {}
    for seed, name in enumerate(("watercolor", "sketch"), start=10):
        make_adapter(workdir / "base", workdir / name, seed=seed)
        adapters[name] = workdir / name
    return base_file, adapters


def lorad_command(lorad: Path, workdir: Path, base_file: Path) -> list[str]:
    """The command line of a lorad serving ``base_file`` as ``BASE_NAME`` on ``workdir/lorad.sock``."""
    return [str(lorad), "--state-dir", str(workdir / "state"), "--socket", str(workdir / "lorad.sock"),
            "--base", f"{BASE_NAME}={base_file}", "--memory-budget", "1GiB"]


@contextlib.contextmanager
def private_lorad(bin_dir: Path, workdir: Path, base_file: Path, *, timeout: float = 30.0) -> Iterator[Path]:
    """Run lorad from ``bin_dir`` for the block; yields its socket. Stopped with SIGTERM after.

    Its log goes to ``workdir/lorad.log``. Raises ``RuntimeError`` when it exits or its
    socket does not appear within ``timeout`` seconds.
    """
    lorad = bin_dir / "lorad"
    if not os.access(lorad, os.X_OK):
        raise SystemExit(f"no lorad executable in {bin_dir} (build it: make build)")
    socket_path = workdir / "lorad.sock"
    with open(workdir / "lorad.log", "wb") as log:
        process = subprocess.Popen(lorad_command(lorad, workdir, base_file), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not socket_path.exists():
            if process.poll() is not None:
                raise RuntimeError(f"lorad exited with {process.returncode}; see {workdir / 'lorad.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"lorad's socket {socket_path} did not appear in {timeout:.0f} s")
            time.sleep(0.02)
        yield socket_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def checksum(output: torch.Tensor) -> str:
    """The first 16 hex digits of the SHA-256 of the tensor's bytes (dtype and shape included)."""
    tensor = output.detach().contiguous().cpu()
    digest = hashlib.sha256(f"{tensor.dtype}{tuple(tensor.shape)}".encode())
    digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()[:16]


def describe(adapters: Mapping[str, float]) -> str:
    """``watercolor:0.7 + sketch:-0.3``, or ``(base)`` for no adapter."""
    return " + ".join(f"{name}:{weight:g}" for name, weight in adapters.items()) or "(base)"


def run(socket_path: Path, workdir: Path, adapters: Mapping[str, Path], *, steps: int, zero_copy: bool) -> bool:
    """Import, bind, switch and generate as the module docstring says; True when all checks pass."""
    import lorad
    import lorad.diffusers
    from diffusers import CogVideoXDDIMScheduler, CogVideoXPipeline

    with lorad.Client(str(socket_path)) as client:
        print(f"connected to {client.server_name} (protocol {client.protocol_version}) on {socket_path}")
        info = client.wait_ready(BASE_NAME, timeout=60.0)
        print(f"base {info.name}: {info.tensor_count} tensors, {info.byte_size / 1024:.1f} KiB")
        for name, folder in adapters.items():
            try:
                reply = client.import_adapter(folder, name=name, base=BASE_NAME)
                print(f"imported {reply.name}@{reply.version}: {reply.source_format}, rank {reply.rank}, "
                      f"alpha {reply.alpha:g}, {reply.module_count} modules")
            except lorad.AlreadyExists:
                print(f"{name} is already in lorad's store: using it")

        with client.session(BASE_NAME, mode="fused") as session:
            started = time.perf_counter()
            pipe = lorad.diffusers.pipeline(
                CogVideoXPipeline, workdir / "base", session, vae=make_vae(),
                scheduler=CogVideoXDDIMScheduler(), zero_copy=zero_copy,
            )
            pipe.pipeline.set_progress_bar_config(disable=True)
            print(f"built {type(pipe.pipeline).__name__} with its transformer bound to session {session.id} "
                  f"(zero_copy={zero_copy}) in {(time.perf_counter() - started) * 1000:.1f} ms; no weight file read")

            embeds, negative = prompt_embeds(seed=2), prompt_embeds(seed=3)
            plan: list[dict[str, float]] = [{}, {"watercolor": 1.0}, {"sketch": 0.8},
                                            {"watercolor": 0.7, "sketch": -0.3}, {}]
            sums: list[str] = []
            for index, adapter_set in enumerate(plan, start=1):
                started = time.perf_counter()
                pipe.switch(adapter_set)
                switched = time.perf_counter() - started
                started = time.perf_counter()
                video = pipe(prompt_embeds=embeds, negative_prompt_embeds=negative, height=HEIGHT, width=WIDTH,
                             num_frames=FRAMES, num_inference_steps=steps, guidance_scale=6.0,
                             generator=torch.Generator().manual_seed(42), output_type="pt").frames
                ran = time.perf_counter() - started
                sums.append(checksum(video))
                print(f"run {index}: {describe(adapter_set):<28} switch+update {switched * 1000:7.1f} ms, "
                      f"{steps} steps + decode {ran:6.2f} s, frames {tuple(video.shape)} mean {video.float().mean():.4f} "
                      f"sha256 {sums[-1]}")
            pipe.unbind()

    ok = True
    if sums[0] != sums[-1]:
        print("FAIL: the last run (no adapters) differs from the first: the weights drifted")
        ok = False
    if len(set(sums[:-1])) != len(sums) - 1:
        print("FAIL: two different adapter sets gave the same output")
        ok = False
    if ok:
        print("ok: each set gave its own output, and back to no adapters the output is bit-identical to run 1")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, prepare the files, run; the exit status (0 when every check passed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lorad-bin", type=Path, metavar="DIR",
                       help="start a private lorad from DIR (default: $LORAD_BIN_DIR, else the repo's .build/debug)")
    where.add_argument("--socket", type=Path, help="use this running lorad (started as --prepare printed)")
    where.add_argument("--prepare", type=Path, metavar="DIR", help="only make the files in DIR and print the lorad command")
    parser.add_argument("--workdir", type=Path, help="the folder --prepare made (with --socket)")
    parser.add_argument("--steps", type=int, default=3, help="denoising steps per run (default 3)")
    parser.add_argument("--copy", action="store_true", help="copy the base into the model instead of zero-copy")
    args = parser.parse_args(argv)

    if args.prepare is not None:
        base_file, _ = prepare(args.prepare)
        print(f"made {base_file} and the adapters watercolor, sketch in {args.prepare}; now start:")
        print("  " + " ".join(lorad_command(Path("lorad"), args.prepare.resolve(), base_file.resolve())))
        print(f"then: {sys.argv[0]} --socket {args.prepare / 'lorad.sock'} --workdir {args.prepare}")
        return 0
    if args.socket is not None:
        if args.workdir is None:
            parser.error("--socket needs --workdir, the folder --prepare made")
        adapters = {name: args.workdir / name for name in ("watercolor", "sketch")}
        return 0 if run(args.socket, args.workdir, adapters, steps=args.steps, zero_copy=not args.copy) else 1

    bin_dir = args.lorad_bin or Path(os.environ.get("LORAD_BIN_DIR", Path(__file__).resolve().parents[3] / ".build" / "debug"))
    workdir = Path(tempfile.mkdtemp(prefix="lorad-cogvideox-"))
    try:
        started = time.perf_counter()
        base_file, adapters = prepare(workdir)
        print(f"made a tiny BF16 CogVideoX base ({base_file.stat().st_size / 1024:.1f} KiB) and 2 PEFT adapters "
              f"in {time.perf_counter() - started:.2f} s under {workdir}")
        with private_lorad(bin_dir, workdir, base_file) as socket_path:
            print(f"started {bin_dir / 'lorad'} on {socket_path}")
            ok = run(socket_path, workdir, adapters, steps=args.steps, zero_copy=not args.copy)
        print("lorad stopped")
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
