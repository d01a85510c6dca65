"""lorad.torch without a daemon: a small BF16 module bound to a fake session over sealed memfds.

Checks the issue's promises: names/shapes/dtypes compared, zero-copy views, copy-on-write
writes that never reach the memfd, exact in-place switching with fixed data_ptr (1,000
random switches, then the empty set: bit-identical to the base), device fuse against an
exact float64 reference correctly rounded to BF16 (every mismatch within the float32 error
bound of a rounding tie), the process's matmul precision settings restored.
"""

from __future__ import annotations

import json
import math
import random
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import lorad.torch as lorad_torch  # noqa: E402
from lorad.segments import PAGE_SIZE, SegmentCache, memfd_usage  # noqa: E402
from lorad.torch import BindError  # noqa: E402
from segment_files import Active, Factors, FakeSession, SealedFile, State, adopt, safetensors_bytes  # noqa: E402

BASE, FACTORS, OVERLAY = 0, 1, 2
PREFIX = "transformer"


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.to_q = nn.Linear(96, 96)  # 18,432 bytes of BF16: whole pages and edges
        self.to_k = nn.Linear(96, 96, bias=False)
        self.ff = nn.Linear(96, 160)  # 30,720 bytes
        self.norm = nn.LayerNorm(96)


class Tiny(nn.Module):
    """A small transformer-shaped module; tensors straddle page boundaries in the segment."""

    def __init__(self) -> None:
        super().__init__()
        self.proj_in = nn.Linear(40, 96)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.proj_out = nn.Linear(160, 24)
        self.register_buffer("scale", torch.ones(24))  # persistent: bound
        self.register_buffer("cache", torch.zeros(3), persistent=False)  # not in the base

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.proj_in(x)
        for block in self.blocks:
            x = block.norm(x + block.to_q(x) + block.to_k(x))
            y = block.ff(x)
        return self.proj_out(y) * self.scale


def _tiny() -> Tiny:
    return Tiny().to(torch.bfloat16)


def _weights(module: nn.Module) -> list[str]:
    return [name for name, p in module.state_dict().items() if name.endswith(".weight") and p.dim() == 2]


def _tensors(module: nn.Module) -> dict[str, torch.Tensor]:
    return {name: t for name, t in module.state_dict(keep_vars=True).items()}


def _bits(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().cpu().contiguous().view(torch.int16) if tensor.element_size() == 2 else tensor.detach().cpu()


class World:
    """A base segment from a random BF16 module, 10 overlays touching random subsets, a fake session."""

    def __init__(self, seed: int = 3) -> None:
        generator = torch.Generator().manual_seed(seed)
        reference = _tiny()
        self.base_tensors = {
            name: (torch.randn(t.shape, generator=generator) * 0.5).to(t.dtype) for name, t in reference.state_dict().items()
        }
        self.base_file = SealedFile(safetensors_bytes(self.base_tensors, {"lorad.base": "tiny"}), "lorad-tb-base")
        self.cache = SegmentCache(capacity=16)
        self.base = adopt(self.cache, self.base_file, BASE)
        chooser = random.Random(seed)
        names = list(self.base_tensors)
        self.sets: list[dict[str, torch.Tensor]] = []
        self.overlay_files: list[SealedFile] = []
        self.overlays = []
        for index in range(10):
            touched = sorted(chooser.sample(names, chooser.randrange(1, len(names))), key=names.index)
            values = {name: torch.randn(self.base_tensors[name].shape, generator=generator).to(torch.bfloat16) for name in touched}
            sealed = SealedFile(safetensors_bytes(values), "lorad-tb-overlay")
            self.sets.append(values)
            self.overlay_files.append(sealed)
            self.overlays.append(adopt(self.cache, sealed, OVERLAY, segment_id=index))
        self.session = FakeSession(State(self.base, generation=0))

    def switch(self, index: int | None) -> None:
        overlay = None if index is None else self.overlays[index]
        self.session.set_state(State(self.base, overlay=overlay, generation=self.session.state.generation + 1))

    def expected(self, index: int | None) -> dict[str, torch.Tensor]:
        values = dict(self.base_tensors)
        if index is not None:
            values.update(self.sets[index])
        return values

    def close(self) -> None:
        for sealed in [self.base_file, *self.overlay_files]:
            sealed.close()


@pytest.fixture
def world() -> Iterator[World]:
    built = World()
    yield built
    built.close()


def _assert_module_is(module: nn.Module, expected: dict[str, torch.Tensor]) -> None:
    tensors = _tensors(module)
    for name, value in expected.items():
        assert torch.equal(_bits(tensors[name]), _bits(value)), name


def _anonymous_bytes(address: int) -> int:
    """Anonymous bytes (copy-on-write copies) of the /proc/self/smaps mapping holding ``address``."""
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                start, end = (int(x, 16) for x in head.split("-"))
                inside = start <= address < end
            elif inside and head == "Anonymous:":
                return int(line.split()[1]) * 1024
    raise AssertionError("mapping not found")


# ------------------------------------------------------------------------------ checks at bind


def test_copying_bind_copies_the_base_in_place(world: World) -> None:
    module = _tiny()
    pointers = {name: t.data_ptr() for name, t in _tensors(module).items()}
    binding = lorad_torch.bind(module, world.session)
    assert world.session.observers == 1 and lorad_torch.binding_of(module) is binding
    _assert_module_is(module, world.base_tensors)
    assert {name: t.data_ptr() for name, t in _tensors(module).items()} == pointers  # copied into existing storage
    for tensor in _tensors(module).values():
        assert not world.base.contains(tensor.data_ptr())
    assert module.cache.dtype == torch.bfloat16 and set(binding.names) == set(world.base_tensors)
    module(torch.randn(2, 40).to(torch.bfloat16))  # runs
    with pytest.raises(BindError, match="already bound"):
        lorad_torch.bind(module, world.session)
    lorad_torch.unbind(module)
    assert world.session.observers == 0 and lorad_torch.binding_of(module) is None
    world.switch(0)  # no longer followed
    _assert_module_is(module, world.base_tensors)
    lorad_torch.unbind(module)  # idempotent


def test_bind_lists_names_shapes_and_dtypes_that_differ(world: World) -> None:
    module = _tiny()
    module.extra = nn.Linear(2, 2).to(torch.bfloat16)
    with pytest.raises(BindError, match=r"2 tensors of the module are not in the base: extra\.weight, extra\.bias"):
        lorad_torch.bind(module, world.session)
    binding = lorad_torch.bind(module, world.session, strict=False)
    assert "extra.weight" not in binding.names
    binding.close()

    module = _tiny()
    module.proj_out = nn.Linear(160, 25).to(torch.bfloat16)
    with pytest.raises(BindError, match=r"2 shapes differ: proj_out\.weight \(module \(25, 160\), base \(24, 160\)\)"):
        lorad_torch.bind(module, world.session, strict=False)

    module = _tiny().to(torch.float32)
    with pytest.raises(BindError, match=r"dtypes differ: .*module torch\.float32, base torch\.bfloat16.*lorad never converts"):
        lorad_torch.bind(module, world.session)
    assert world.session.observers == 0


def test_bind_refuses_modes_and_devices_it_cannot_serve(world: World) -> None:
    factors_session = FakeSession(State(world.base, mode="factors"))
    with pytest.raises(BindError, match="fuse_on_device=True"):
        lorad_torch.bind(_tiny(), factors_session)
    with pytest.raises(BindError, match="needs a factors-mode session"):
        lorad_torch.bind(_tiny(), world.session, fuse_on_device=True)
    with pytest.raises(BindError, match="device must be the CPU"):
        lorad_torch.bind(_tiny(), world.session, zero_copy=True, device="cuda")
    with pytest.raises(TypeError, match="not a lorad session"):
        lorad_torch.bind(_tiny(), object())


def test_zero_copy_bind_shares_pages_and_writes_stay_private(world: World) -> None:
    module = _tiny()
    binding = lorad_torch.bind(module, world.session, zero_copy=True)
    tensors = _tensors(module)
    private = binding._private
    for name, tensor in tensors.items():
        assert private.contains(tensor.data_ptr()), name  # a view of the copy-on-write base mapping
        assert tensor.data_ptr() == private.address + world.base.entries[name].begin
    _assert_module_is(module, world.base_tensors)
    assert _anonymous_bytes(private.address) == 0  # nothing copied: the daemon's pages

    original = world.base_file.read()
    with torch.no_grad():
        for tensor in tensors.values():
            tensor.mul_(2)  # what fuse_lora does: no SIGSEGV
    assert world.base_file.read() == original and bytes(world.base.buffer) == original
    assert _anonymous_bytes(private.address) > 0
    binding.resync()  # drops the private pages again
    _assert_module_is(module, world.base_tensors)
    assert _anonymous_bytes(private.address) <= 2 * PAGE_SIZE * len(tensors)  # at most the edge pages
    module(torch.randn(2, 40).to(torch.bfloat16))
    binding.close()


def test_unbound_zero_copy_module_releases_its_mapping_when_dropped(world: World) -> None:
    before = memfd_usage("lorad-tb-base")
    for _ in range(20):
        module = _tiny()
        binding = lorad_torch.bind(module, world.session, zero_copy=True)
        world.switch(6)
        assert memfd_usage("lorad-tb-base").mappings == before.mappings + 1
        lorad_torch.unbind(module)
        del module, binding
        assert memfd_usage("lorad-tb-base") == before
    assert world.session.observers == 0


def test_bind_materialises_a_meta_module(world: World) -> None:
    for zero_copy in (False, True):
        with torch.device("meta"):
            module = _tiny()
        binding = lorad_torch.bind(module, world.session, zero_copy=zero_copy)
        tensors = _tensors(module)
        assert all(t.device.type == "cpu" for t in tensors.values())
        assert all(isinstance(p, nn.Parameter) for p in module.parameters())
        _assert_module_is(module, world.base_tensors)
        world.switch(1)
        _assert_module_is(module, world.expected(1))
        world.switch(None)
        binding.close()


# ------------------------------------------------------------------------------ switching


@pytest.mark.parametrize("zero_copy", [False, True], ids=["copy", "zero_copy"])
def test_thousand_random_switches_are_exact_in_place(world: World, zero_copy: bool) -> None:
    module = _tiny()
    binding = lorad_torch.bind(module, world.session, zero_copy=zero_copy)
    pointers = {name: t.data_ptr() for name, t in _tensors(module).items()}
    generator = random.Random(11)
    original = world.base_file.read()
    for step in range(1000):
        index = generator.choice([None, *range(10)])
        with binding.switching():
            world.switch(index)
        _assert_module_is(module, world.expected(index))
        assert binding.touched == frozenset(world.sets[index] if index is not None else ())
        assert {name: t.data_ptr() for name, t in _tensors(module).items()} == pointers
    world.switch(None)
    _assert_module_is(module, world.base_tensors)
    assert {name: t.data_ptr() for name, t in _tensors(module).items()} == pointers
    assert world.base_file.read() == original
    if zero_copy:  # restored tensors share the daemon's pages again: only edge pages private
        assert _anonymous_bytes(binding._private.address) <= 2 * PAGE_SIZE * len(pointers)
    binding.close()


def test_switches_wait_for_a_forward_pass_holding_the_lock(world: World) -> None:
    module = _tiny()
    binding = lorad_torch.bind(module, world.session)
    started, done = threading.Event(), threading.Event()

    def switch() -> None:
        started.set()
        with binding.switching():
            world.switch(3)
        done.set()

    with binding.lock():  # a forward pass
        thread = threading.Thread(target=switch)
        thread.start()
        assert started.wait(5)
        assert not done.wait(0.2)  # the switch waits for the pass
        _assert_module_is(module, world.base_tensors)
    assert done.wait(5)
    thread.join()
    _assert_module_is(module, world.expected(3))
    binding.close()


def test_an_overlay_that_does_not_fit_is_refused_before_any_write(world: World) -> None:
    module = _tiny()
    binding = lorad_torch.bind(module, world.session)
    world.switch(7)
    bad = SealedFile(
        safetensors_bytes({"proj_in.weight": torch.zeros(96, 40, dtype=torch.bfloat16), "proj_out.weight": torch.zeros(3, 3, dtype=torch.bfloat16)}),
        "lorad-tb-bad",
    )
    try:
        with pytest.raises(BindError, match=r"overlay tensor proj_out\.weight is BF16 \(3, 3\)"):
            world.session.set_state(State(world.base, overlay=adopt(world.cache, bad, OVERLAY)))
        _assert_module_is(module, world.expected(7))  # untouched
        world.switch(None)
        _assert_module_is(module, world.base_tensors)
    finally:
        binding.close()
        bad.close()


def test_same_source_is_not_rewritten_and_user_writes_are_undone_by_resync(world: World) -> None:
    module = _tiny()
    binding = lorad_torch.bind(module, world.session)
    world.switch(2)
    assert binding.last_update.written == len(world.sets[2])
    world.switch(2)  # e.g. a refresh: same overlay memfd
    assert (binding.last_update.written, binding.last_update.unchanged) == (0, len(world.sets[2]))
    with torch.no_grad():
        module.proj_in.weight.add_(1)
    stats = binding.resync()
    assert stats.full and stats.written == len(world.sets[2])
    _assert_module_is(module, world.expected(2))
    binding.close()


@pytest.mark.parametrize("zero_copy", [False, True], ids=["copy", "zero_copy"])
def test_new_base_segment_resyncs_fully(world: World, zero_copy: bool) -> None:
    """After a daemon restart the base comes back in a new memfd: reload it (copy: in place;
    zero-copy: re-pointed once at the new base's copy-on-write mapping)."""
    module = _tiny()
    binding = lorad_torch.bind(module, world.session, zero_copy=zero_copy)
    world.switch(4)
    pointers = {name: t.data_ptr() for name, t in _tensors(module).items()}
    restarted = SealedFile(world.base_file.read(), "lorad-tb-base")
    try:
        new_base = adopt(world.cache, restarted, BASE)
        assert new_base is not world.base
        world.session.set_state(State(new_base, overlay=world.overlays[5], epoch=2))
        assert binding.base is new_base and binding.last_update.full
        _assert_module_is(module, world.expected(5))
        moved = {name: t.data_ptr() for name, t in _tensors(module).items()}
        if zero_copy:
            assert all(binding._private.contains(p) and binding._private.segment is new_base for p in moved.values())
        else:
            assert moved == pointers
        world.session.set_state(State(new_base, epoch=2))
        _assert_module_is(module, world.base_tensors)
        binding.close()
    finally:
        restarted.close()


# ------------------------------------------------------------------------------ device fuse


def round_to_bf16(values: np.ndarray) -> np.ndarray:
    """float64 -> the nearest BF16 value (ties to even), as float64. Exact: one rounding."""
    _, exponent = np.frexp(values)
    quantum = np.maximum(exponent - 8, -133)  # 8 significant bits; BF16 subnormals step 2^-133
    rounded = np.ldexp(np.rint(np.ldexp(values, -quantum)), quantum)  # rint: half to even
    assert np.all(np.abs(rounded) < 2.0**128), "overflow not expected in these tests"
    return rounded


def test_round_to_bf16_matches_torch_on_representable_halves() -> None:
    values = torch.randn(10000, dtype=torch.float32)
    assert torch.equal(torch.from_numpy(round_to_bf16(values.double().numpy())).float().to(torch.bfloat16), values.to(torch.bfloat16))
    ties = np.array([1 + 2.0**-8, 1 + 3 * 2.0**-8, -(1 + 2.0**-8)])  # halfway: to even
    assert list(round_to_bf16(ties)) == [1.0, 1 + 2 * 2.0**-7, -1.0]


def _factors_world(generator: torch.Generator, shapes: dict[str, tuple[int, int]], adapters: list[tuple[int, torch.dtype, float]]) -> tuple[Any, ...]:
    """A base of ``shapes`` (BF16) and factors segments of ``adapters`` (rank, dtype, scale)."""
    base_tensors = {f"{m}.weight": torch.randn(shape, generator=generator).to(torch.bfloat16) for m, shape in shapes.items()}
    files = [SealedFile(safetensors_bytes(base_tensors), "lorad-tb-fbase")]
    cache = SegmentCache()
    base = adopt(cache, files[0], BASE)
    raw = []
    segments = []
    for number, (rank, dtype, scale) in enumerate(adapters):
        tensors = {}
        for module, (rows, cols) in shapes.items():
            tensors[f"{PREFIX}.{module}.lora_A.weight"] = (torch.randn(rank, cols, generator=generator) / math.sqrt(cols)).to(dtype)
            tensors[f"{PREFIX}.{module}.lora_B.weight"] = (torch.randn(rows, rank, generator=generator) * 0.05).to(dtype)
        metadata = {"lorad.prefix": PREFIX, "lorad.scales": json.dumps({m: scale for m in shapes})}
        files.append(SealedFile(safetensors_bytes(tensors, metadata), "lorad-tb-factors"))
        segments.append(adopt(cache, files[-1], FACTORS, segment_id=number))
        raw.append(tensors)
    return base, base_tensors, segments, raw, files


def _reference(base_tensors: dict[str, torch.Tensor], raw: list[dict[str, torch.Tensor]], coefficients: list[float], name: str) -> tuple[np.ndarray, np.ndarray]:
    """(exact value in float64, the float32 evaluation's error bound) for one base tensor."""
    module = name[: -len(".weight")]
    base = base_tensors[name].double().numpy()
    exact = base.copy()
    magnitude_f32 = np.abs(base)
    magnitude = np.zeros_like(base)
    steps = 1
    for tensors, c in zip(raw, coefficients):
        a = tensors[f"{PREFIX}.{module}.lora_A.weight"].double().numpy()
        b = tensors[f"{PREFIX}.{module}.lora_B.weight"].double().numpy()
        exact += c * (b @ a)
        product = np.abs(b) @ np.abs(a)
        alpha = float(np.float32(c))
        magnitude_f32 = magnitude_f32 + abs(alpha) * product
        magnitude += abs(c) * product
        steps += a.shape[0] + 3
    u = 2.0**-24
    gamma = steps * u / (1 - steps * u)
    # float32 tree of `steps` roundings + float32(c) != c + underflow + the float64 reference's own error.
    bound = gamma * magnitude_f32 + u * magnitude + steps * 2.0**-149 + 2 * steps * 2.0**-53 * (np.abs(base) + magnitude)
    return exact, bound


def _count_mismatches(result: torch.Tensor, exact: np.ndarray, bound: np.ndarray) -> int:
    """Mismatches against the correctly rounded exact value; each must straddle a tie within ``bound``."""
    reference = round_to_bf16(exact)
    got = result.detach().float().double().numpy()
    wrong = got != reference
    if not wrong.any():
        return 0
    _, exponent = np.frexp(reference[wrong])
    ulp = np.ldexp(1.0, np.maximum(exponent - 8, -133))
    gap = np.abs(got[wrong] - reference[wrong])
    assert np.all(gap <= ulp), "a mismatch of more than one BF16 step"
    tie = (got[wrong] + reference[wrong]) / 2
    assert np.all(np.abs(exact[wrong] - tie) <= bound[wrong]), "a mismatch not explained by a rounding tie"
    return int(wrong.sum())


def test_device_fuse_is_correctly_rounded_but_for_ties_within_the_f32_bound() -> None:
    """Random rank-128 and rank-64 terms on a 512x384 and a 256x512 BF16 weight."""
    generator = torch.Generator().manual_seed(21)
    shapes = {"blocks.0.attn1.to_q": (512, 384), "blocks.0.ff.proj": (256, 512)}
    base, base_tensors, segments, raw, files = _factors_world(
        generator, shapes, [(128, torch.bfloat16, 0.5), (64, torch.float32, 16 / math.sqrt(64))]
    )
    try:
        weights = [0.7, -0.3]
        coefficients = [w * 0.5 if i == 0 else w * 2.0 for i, w in enumerate(weights)]
        total = mismatches = 0
        for name in base_tensors:
            module = name[: -len(".weight")]
            terms = [
                (seg.tensor(f"{PREFIX}.{module}.lora_A.weight", "torch"), seg.tensor(f"{PREFIX}.{module}.lora_B.weight", "torch"), c)
                for seg, c in zip(segments, coefficients)
            ]
            result = lorad_torch.fuse(base.tensor(name, "torch"), terms)
            exact, bound = _reference(base_tensors, raw, coefficients, name)
            mismatches += _count_mismatches(result, exact, bound)
            total += exact.size
        print(f"device fuse: {mismatches} of {total} elements differ from the correctly rounded value (ties)")
        assert mismatches <= total * 1e-3
    finally:
        for sealed in files:
            sealed.close()


class FuseModule(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([nn.Module()])
        self.blocks[0].to_q = nn.Linear(96, 64, bias=False)
        self.blocks[0].to_v = nn.Linear(96, 64, bias=False)
        self.proj = nn.Linear(64, 32, bias=False)


@pytest.mark.parametrize("zero_copy", [False, True], ids=["copy", "zero_copy"])
def test_factors_session_fuses_on_device_in_place(zero_copy: bool) -> None:
    generator = torch.Generator().manual_seed(8)
    shapes = {"blocks.0.to_q": (64, 96), "blocks.0.to_v": (64, 96)}
    base, base_tensors, segments, raw, files = _factors_world(generator, shapes, [(8, torch.bfloat16, 1.0), (4, torch.bfloat16, 2.0)])
    # The base also holds a tensor no adapter touches.
    try:
        module = FuseModule().to(torch.bfloat16)
        del module.proj
        session = FakeSession(State(base, mode="factors"))
        binding = lorad_torch.bind(module, session, fuse_on_device=True, zero_copy=zero_copy)
        pointers = {name: t.data_ptr() for name, t in _tensors(module).items()}
        _assert_module_is(module, base_tensors)

        def factors(weights: list[float]) -> tuple[Factors, ...]:
            return tuple(
                Factors(Active(f"a{i}", 1, w), segments[i], PREFIX, {m: [1.0, 2.0][i] for m in shapes})
                for i, w in enumerate(weights)
            )

        with torch.no_grad():
            module.blocks[0].to_q.weight.mul_(3)  # the fuse reads the base segment, not this
        for weights in ([0.8], [0.8, -0.5], [0.0, 1.25], [1.0]):
            session.set_state(State(base, mode="factors", factors=factors(weights)))
            coefficients = [w * [1.0, 2.0][i] for i, w in enumerate(weights)]
            for name in base_tensors:
                exact, bound = _reference(base_tensors, raw[: len(weights)], coefficients, name)
                _count_mismatches(_tensors(module)[name], exact, bound)
            assert {name: t.data_ptr() for name, t in _tensors(module).items()} == pointers
        session.set_state(State(base, mode="factors"))
        _assert_module_is(module, base_tensors)
        binding.close()
    finally:
        for sealed in files:
            sealed.close()


def test_fuse_forces_true_f32_and_restores_the_process_settings() -> None:
    matmul = torch.backends.cuda.matmul
    mkldnn = torch.backends.mkldnn.matmul
    if not hasattr(matmul, "fp32_precision"):
        pytest.skip("torch before the fp32_precision API")
    saved = (matmul.fp32_precision, mkldnn.fp32_precision)
    generator = torch.Generator().manual_seed(4)
    base = torch.randn(64, 96, generator=generator).to(torch.bfloat16)
    terms = [(torch.randn(16, 96, generator=generator), torch.randn(64, 16, generator=generator), 0.37)]
    exact_result = lorad_torch.fuse(base, terms)
    try:
        matmul.fp32_precision = "tf32"
        mkldnn.fp32_precision = "bf16"  # would make CPU float32 matmuls BF16 in oneDNN
        assert torch.equal(lorad_torch.fuse(base, terms).view(torch.int16), exact_result.view(torch.int16))
        assert (matmul.fp32_precision, mkldnn.fp32_precision) == ("tf32", "bf16")
    finally:
        matmul.fp32_precision, mkldnn.fp32_precision = saved
    f16 = lorad_torch.fuse(base.to(torch.float16), terms)
    assert f16.dtype == torch.float16
    with pytest.raises(ValueError, match="BF16 and F16"):
        lorad_torch.fuse(base.float(), terms)
    with pytest.raises(ValueError, match="do not chain"):
        lorad_torch.fuse(base, [(terms[0][1], terms[0][0], 1.0)])
