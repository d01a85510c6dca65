"""Bind a torch module to a lorad session: base weights in, exact in-place switching.

``lorad.torch.bind(module, session)`` gives ``module`` the session's base weights and keeps
it in step with the session: after every switch, attach, detach, refresh or reconnect
(when the call returns) the module's tensors are updated **in place, exactly**:

- each tensor the new set touches is written into the parameter's existing storage, from
  the overlay segment (fused sessions) or fused on the module's device from the factors
  (factors sessions with ``fuse_on_device=True``);
- each tensor the previous set touched and the new one does not is restored from the
  base segment, the pristine copy every process shares (no private backup, no drift:
  after any sequence of switches and a switch to the empty set the module is the base,
  bit for bit);
- storage and ``data_ptr`` never change, so a ``torch.compile``d module keeps its graph.
  Tensors nobody touched are not written at all.

Two ways to hold the weights:

- copying (default): the base is copied into the module's own tensors on their device
  (``device=`` moves them there first; parameters on the ``meta`` device get real storage,
  on the CPU unless ``device`` says otherwise);
- ``zero_copy=True`` (CPU only): the parameters become views of a copy-on-write mapping of
  the base memfd (``MAP_PRIVATE``; see :meth:`lorad.segments.Segment.private_mapping`). No
  copy and no file read: untouched tensors share the daemon's pages. A tensor a set touches
  becomes private pages of this process; restoring it drops them again (``MADV_DONTNEED`` on
  the whole pages inside it, the bytes of the partial pages at its edges copied back) so it
  shares the daemon's pages again. An in-place write by user code (``fuse_lora``,
  ``mul_``) costs memory and never reaches the daemon's segment, which nothing here ever
  writes.

Tearing: an update writes tensors one after another. A forward pass running in another
thread meanwhile would see some tensors of the old set and some of the new one. Run forward
passes under ``with binding.lock():`` and switch under ``with binding.switching():`` (or
from the same thread, between calls): an update then waits for the running pass, and a
pass for the running update.

User code writing into a bound tensor (``mul_``, ``fuse_lora``) is not tracked: such a
tensor keeps the change until a set touches it or restores it; :meth:`Binding.resync`
restores everything.

Device fuse computes ``round_once(W_base + sum_i c_i B_i A_i)`` with ``c_i = w_i * s_i``
(``w_i`` the adapter's weight, ``s_i`` its module's scale from ``lorad.scales``, the product
taken in double precision and rounded to float32, as lorad's kernel does), accumulated in
true float32 (TF32 and reduced-precision matmul switched off for the call) on the module's
device, from the base segment's tensor, never from the current parameter. BF16 and F16
bases only. It equals lorad's overlay bit for bit except for elements whose float32 sum
lies within its rounding error of a rounding tie (a few in 100,000 on random data): lorad
certifies those against the exact value, this path cannot. Factor names: a factors segment
holds ``<prefix>.<module>.lora_A.weight`` (rank x in) and ``<prefix>.<module>.lora_B.weight``
(out x rank), ``<prefix>`` from ``lorad.prefix`` (no ``<prefix>.`` when empty); the base
tensor they update is ``<module>.weight``.

Needs torch (``pip install 'lorad[torch]'``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from .segments import PrivateMapping, Segment, SegmentCache, TensorEntry, torch_dtype

__all__ = ["BindError", "Binding", "UpdateStats", "bind", "binding_of", "fuse", "unbind"]

_FUSE_DTYPES = ("BF16", "F16")
_LISTED = 8  # names listed in an error message before "and N more"


class BindError(ValueError):
    """A module and a session do not fit, or a bound module cannot be updated.

    Raised by :func:`bind` (names, shapes or dtypes that differ, listed; an unsupported
    mode, device or option) and by updates after a session change (the session's new
    segments do not fit, or a bound tensor was changed in shape or dtype by user code).
    An update that raises has written nothing when the problem was found while planning
    (segments that do not fit); the session's state has already changed.
    """


@dataclasses.dataclass(frozen=True)
class UpdateStats:
    """What one update of a bound module did.

    ``written``: tensors written from an overlay or fused on the device; ``restored``:
    tensors given their base values back; ``unchanged``: touched tensors already up to
    date (same source as before); ``full``: the whole module was (re)loaded from the base
    (at bind, after a new base segment, or by :meth:`Binding.resync`); ``seconds``: wall
    time of the update.
    """

    written: int
    restored: int
    unchanged: int
    full: bool
    seconds: float


@dataclasses.dataclass(frozen=True)
class _Term:
    """One LoRA term of a device fuse: ``coefficient * B @ A``."""

    segment: Segment
    a: str  # tensor names in the factors segment
    b: str
    coefficient: float  # w * s, in double precision


@dataclasses.dataclass(frozen=True)
class _Source:
    """Where a touched tensor's new value comes from: an overlay entry, or fuse terms."""

    overlay: Segment | None
    entry: TensorEntry | None
    terms: tuple[_Term, ...] = ()

    @property
    def token(self) -> tuple[Any, ...]:
        """Equal tokens mean equal values (same memfds, same offsets, same coefficients)."""
        if self.overlay is not None and self.entry is not None:
            return ("overlay", self.overlay.key, self.entry.begin)
        return ("fuse",) + tuple((t.segment.key, t.a, t.b, t.coefficient) for t in self.terms)


_BINDINGS: weakref.WeakKeyDictionary[torch.nn.Module, Binding] = weakref.WeakKeyDictionary()
_BINDINGS_LOCK = threading.Lock()
_PRECISION_LOCK = threading.RLock()


def _listing(names: Sequence[str]) -> str:
    """``a, b, c`` or ``a, b, ... and 12 more``."""
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"


def _module_tensors(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The tensors ``module.state_dict()`` would name (parameters, persistent buffers), without hooks."""
    tensors: dict[str, torch.Tensor] = {}
    for prefix, owner in module.named_modules(remove_duplicate=False):
        lead = prefix + "." if prefix else ""
        for name, parameter in owner._parameters.items():
            if parameter is not None:
                tensors[lead + name] = parameter
        for name, buffer in owner._buffers.items():
            if buffer is not None and name not in owner._non_persistent_buffers_set:
                tensors[lead + name] = buffer
    return tensors


def _session_state(session: Any) -> Any:
    """The session's current ``SessionState``."""
    state = getattr(session, "state", None)
    if state is None or not hasattr(state, "base_segment"):
        raise TypeError(f"{type(session).__name__} is not a lorad session (no .state with a base_segment)")
    return state


def _mode(state: Any) -> str:
    """``"fused"`` or ``"factors"`` from a state's mode (a name or ``SessionMode``)."""
    mode = state.mode
    if isinstance(mode, str):
        return mode.lower()
    return "fused" if int(mode) == 1 else "factors"


def _compare(tensors: Mapping[str, torch.Tensor], base: Segment, strict: bool, what: str) -> list[str]:
    """The names bound (in base order); raises :class:`BindError` listing every difference."""
    missing = [name for name in tensors if name not in base.entries]  # module order
    extra = [name for name in base.entries if name not in tensors]  # base order
    shapes: list[str] = []
    dtypes: list[str] = []
    names: list[str] = []
    for name, entry in base.entries.items():
        tensor = tensors.get(name)
        if tensor is None:
            continue
        names.append(name)
        if tuple(tensor.shape) != entry.shape:
            shapes.append(f"{name} (module {tuple(tensor.shape)}, base {entry.shape})")
        if tensor.dtype != torch_dtype(entry.dtype):
            dtypes.append(f"{name} (module {tensor.dtype}, base {torch_dtype(entry.dtype)})")
    problems = []
    if strict and missing:
        problems.append(f"{len(missing)} tensors of the module are not in the base: {_listing(missing)}")
    if strict and extra:
        problems.append(f"{len(extra)} tensors of the base are not in the module: {_listing(extra)}")
    if shapes:
        problems.append(f"{len(shapes)} shapes differ: {_listing(shapes)}")
    if dtypes:
        problems.append(
            f"{len(dtypes)} dtypes differ: {_listing(dtypes)} (lorad never converts: build or cast the module "
            "in the base's dtype, e.g. module.to(torch.bfloat16))"
        )
    if problems:
        hint = " (strict=False binds the tensors both have)" if strict and (missing or extra) and not (shapes or dtypes) else ""
        raise BindError(f"{what}: " + "; ".join(problems) + hint)
    if not names:
        raise BindError(f"{what}: no tensor in common")
    return names


def _float32_normal(value: float) -> bool:
    """Whether ``value`` rounded to float32 is finite and normal (lorad's rule for F32 accumulation)."""
    if not math.isfinite(value):
        return False
    with np.errstate(over="ignore", under="ignore"):
        single = np.float32(value)
    return bool(np.isfinite(single)) and abs(float(single)) >= float(np.finfo(np.float32).tiny)


@contextlib.contextmanager
def _ieee_float32() -> Iterator[None]:
    """Float32 matmuls in true float32 (no TF32, no bf16 in oneDNN) inside the block.

    Saves and restores the process's settings exactly, with the same API generation they
    were made with (torch >= 2.9 refuses mixing ``fp32_precision`` and the legacy flags).
    The settings are process-wide: matmuls of other threads meanwhile get full precision too.
    """
    with _PRECISION_LOCK:
        backends = [
            backend
            for backend in (getattr(torch.backends.cuda, "matmul", None), getattr(torch.backends.mkldnn, "matmul", None))
            if backend is not None and hasattr(backend, "fp32_precision")
        ]
        if backends:
            saved = [(backend, backend.fp32_precision) for backend in backends]
            try:
                for backend in backends:
                    backend.fp32_precision = "ieee"
                yield
            finally:
                for backend, value in reversed(saved):
                    backend.fp32_precision = value
        else:  # torch before the fp32_precision API
            precision = torch.get_float32_matmul_precision()
            tf32 = torch.backends.cuda.matmul.allow_tf32
            try:
                torch.set_float32_matmul_precision("highest")
                torch.backends.cuda.matmul.allow_tf32 = False
                yield
            finally:
                torch.backends.cuda.matmul.allow_tf32 = tf32
                torch.set_float32_matmul_precision(precision)


def fuse(
    base: torch.Tensor,
    terms: Sequence[tuple[torch.Tensor, torch.Tensor, float]],
    *,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``round_once(base + sum c * B @ A)`` for ``(A, B, c)`` in ``terms``, in ``base``'s dtype, on ``device``.

    ``base`` is (out x in) BF16 or F16, each ``A`` (r x in), ``B`` (out x r) of any floating
    dtype, ``c`` a double (``w * s``). Accumulates in float32 with ``float32(c)`` as lorad's
    kernel does (TF32 and reduced precision off), or in float64 when a factor is F64 or a
    coefficient is not a normal float32, then rounds once to nearest even. Reads ``base``
    and the factors only; returns a new tensor on ``device`` (default: ``base``'s).
    Raises ``ValueError`` for another base dtype, shapes that do not chain or a non-finite
    coefficient.
    """
    if base.dtype not in (torch.bfloat16, torch.float16):
        raise ValueError(f"device fuse takes BF16 and F16 bases, not {base.dtype}")
    target = torch.device(device) if device is not None else base.device
    if base.dim() != 2:
        raise ValueError(f"base of shape {tuple(base.shape)} is not a 2-D weight")
    rows, cols = base.shape
    for a, b, c in terms:
        if a.dim() != 2 or b.dim() != 2 or a.shape[1] != cols or b.shape[0] != rows or a.shape[0] != b.shape[1]:
            raise ValueError(f"factors A {tuple(a.shape)} and B {tuple(b.shape)} do not chain to a {rows}x{cols} weight")
        if not math.isfinite(c):
            raise ValueError(f"coefficient {c!r} is not finite")
    live = [(a, b, float(c)) for a, b, c in terms if c != 0.0]
    wide = any(a.dtype == torch.float64 or b.dtype == torch.float64 for a, b, _ in live) or not all(
        _float32_normal(c) for _, _, c in live
    )
    accumulator = torch.float64 if wide else torch.float32
    with _ieee_float32():
        total = base.to(target).to(accumulator, copy=True)  # a new tensor: the base is only read
        for a, b, c in live:
            alpha = c if wide else float(np.float32(c))
            total.addmm_(b.to(target).to(accumulator), a.to(target).to(accumulator), alpha=alpha)
    return total.to(base.dtype)


class Binding:
    """A module bound to a session by :func:`bind`; updates it after every session change.

    Attributes: ``session``; ``zero_copy``, ``fuse_on_device``, ``strict`` and ``device``
    (``None``: each tensor's own device) as given to :func:`bind`; ``base``, the base
    segment the module holds; ``names``, the tensor names bound (base order);
    ``last_update``, the :class:`UpdateStats` of the latest update.

    Holds the module weakly (a dropped module is not kept alive by the session) and the
    session strongly, until :meth:`close`. Thread-safe: updates are serialised by one
    re-entrant lock, the one :meth:`lock` returns.
    """

    def __init__(
        self,
        module: torch.nn.Module,
        session: Any,
        *,
        device: torch.device | None,
        zero_copy: bool,
        fuse_on_device: bool,
        strict: bool,
    ) -> None:
        """Internal: use :func:`bind`."""
        self.session = session
        self.device = device
        self.zero_copy = zero_copy
        self.fuse_on_device = fuse_on_device
        self.strict = strict
        self.last_update: UpdateStats | None = None
        self._module = weakref.ref(module)
        self._lock = threading.RLock()
        self._base: Segment | None = None
        self._private: PrivateMapping | None = None
        self._pointers: dict[str, int] = {}  # zero-copy: name -> data_ptr of its private view
        self._names: tuple[str, ...] = ()
        self._applied: dict[str, tuple[Any, ...]] = {}  # touched name -> source token
        self._closed = False

    # ------------------------------------------------------------------ public

    @property
    def module(self) -> torch.nn.Module | None:
        """The bound module, or None once it has been garbage-collected."""
        return self._module()

    @property
    def base(self) -> Segment:
        """The base segment the module's weights come from."""
        assert self._base is not None
        return self._base

    @property
    def names(self) -> tuple[str, ...]:
        """The bound tensor names, in base order."""
        return self._names

    @property
    def touched(self) -> frozenset[str]:
        """The tensors that currently hold the active set's values instead of the base's."""
        with self._lock:
            return frozenset(self._applied)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` (or :func:`unbind`) ran."""
        return self._closed

    def lock(self) -> threading.RLock:
        """The lock updates hold: ``with binding.lock(): out = module(x)`` runs a forward pass
        no update can tear (an update from another thread waits for it). Re-entrant."""
        return self._lock

    @contextlib.contextmanager
    def switching(self) -> Iterator[Binding]:
        """``with binding.switching(): session.switch(...)``: the switch and the module's
        update happen while no forward pass holds :meth:`lock`, and none starts until both
        are done."""
        with self._lock:
            yield self

    def resync(self) -> UpdateStats:
        """Reload every bound tensor from the base, then apply the session's current set.

        Undoes in-place writes made by user code. Storage and ``data_ptr`` stay (zero-copy:
        private pages are dropped). Raises :class:`BindError` like an update.
        """
        with self._lock:
            self._check_open()
            return self._update(_session_state(self.session), full=True)

    def close(self) -> None:
        """Stop following the session (idempotent). The weights stay as they are now; zero-copy
        parameters keep their copy-on-write mapping, which lives as long as they do."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(Exception):
                self.session.remove_observer(self._observe)
            module = self._module()
            if module is not None:
                with _BINDINGS_LOCK:
                    if _BINDINGS.get(module) is self:
                        del _BINDINGS[module]

    def __repr__(self) -> str:
        mode = "zero-copy" if self.zero_copy else "copy"
        return f"<Binding {mode} {len(self._names)} tensors, {len(self._applied)} touched{' closed' if self._closed else ''}>"

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise BindError("this binding is closed")

    def _observe(self, session: Any, old: Any, new: Any) -> None:
        """The session observer: update the module to ``new`` (under the lock)."""
        with self._lock:
            if self._closed or self._module() is None:
                return
            self._update(new, full=False)

    def _update(self, state: Any, *, full: bool) -> UpdateStats:
        """Bring the module to ``state``: reload on a new base (or ``full``), write the
        touched tensors whose source changed, restore those no longer touched."""
        started = time.perf_counter()
        module = self._module()
        if module is None:
            raise BindError("the bound module no longer exists")
        base = state.base_segment
        tensors = _module_tensors(module)
        new_base = self._base is None or base.key != self._base.key
        names = _compare(tensors, base, self.strict, self._what(module, state)) if new_base else list(self._names)
        plan = self._plan(state, base, set(names))  # checks everything before any write
        written = unchanged = 0
        fusing = any(source.terms for source in plan.values())
        with torch.no_grad(), _ieee_float32() if fusing else contextlib.nullcontext():
            if new_base:
                self._install(module, tensors, base, names)
                tensors = _module_tensors(module)
            elif full:
                for name in self._names:
                    self._restore(name, tensors[name])
                self._applied.clear()
            for name, source in plan.items():
                if self._applied.get(name) == source.token:
                    unchanged += 1
                    continue
                self._applied[name] = ("unknown",)  # until written: restored if a write fails
                self._write(name, tensors[name], source)
                self._applied[name] = source.token
                written += 1
            stale = [name for name in self._applied if name not in plan]
            for name in stale:
                self._restore(name, tensors[name])
                del self._applied[name]
        stats = UpdateStats(written, len(stale), unchanged, new_base or full, time.perf_counter() - started)
        self.last_update = stats
        return stats

    def _what(self, module: torch.nn.Module, state: Any) -> str:
        return f"module {type(module).__name__} and base {getattr(state, 'base', '?')!r} differ"

    def _plan(self, state: Any, base: Segment, names: set[str]) -> dict[str, _Source]:
        """``{name: source}`` for every bound tensor the state's set touches; checks shapes and dtypes."""
        plan: dict[str, _Source] = {}
        mode = _mode(state)
        if mode == "fused":
            overlay = state.overlay
            if overlay is None:
                return plan
            for name, entry in overlay.entries.items():
                if self._skip(name, base, "the overlay", names):
                    continue
                reference = base.entries[name]
                if (entry.dtype, entry.shape) != (reference.dtype, reference.shape):
                    raise BindError(f"overlay tensor {name} is {entry.dtype} {entry.shape}, the base's {reference.dtype} {reference.shape}")
                plan[name] = _Source(overlay, entry)
            return plan
        terms: dict[str, list[_Term]] = {}
        for factors in state.factors:
            weight = float(factors.active.weight)
            lead = factors.prefix + "." if factors.prefix else ""
            for module_name, scale in factors.scales.items():
                coefficient = weight * float(scale)
                if not math.isfinite(coefficient):
                    raise BindError(f"{factors.active.name}: coefficient {weight} x {scale} of {module_name} is not finite")
                if coefficient == 0.0:
                    continue
                name = module_name + ".weight"
                if self._skip(name, base, f"adapter {factors.active.name}", names):
                    continue
                a_name = lead + module_name + ".lora_A.weight"
                b_name = lead + module_name + ".lora_B.weight"
                a = factors.segment.entries.get(a_name)
                b = factors.segment.entries.get(b_name)
                if a is None or b is None:
                    raise BindError(f"adapter {factors.active.name}: no {lead}{module_name}.lora_A/lora_B.weight in its factors segment")
                reference = base.entries[name]
                if reference.dtype not in _FUSE_DTYPES:
                    raise BindError(
                        f"device fuse takes BF16 and F16 bases; {name} is {reference.dtype} "
                        "(lorad accumulates F32 bases in F64: use a fused-mode session)"
                    )
                if (
                    len(reference.shape) != 2
                    or len(a.shape) != 2
                    or len(b.shape) != 2
                    or a.shape[1] != reference.shape[1]
                    or b.shape[0] != reference.shape[0]
                    or a.shape[0] != b.shape[1]
                ):
                    raise BindError(
                        f"adapter {factors.active.name}: A {a.shape} and B {b.shape} of {module_name} "
                        f"do not fit the base's {name} {reference.shape}"
                    )
                terms.setdefault(name, []).append(_Term(factors.segment, a_name, b_name, coefficient))
        return {name: _Source(None, None, tuple(found)) for name, found in terms.items()}

    def _skip(self, name: str, base: Segment, what: str, names: set[str]) -> bool:
        """Whether a touched ``name`` is left out (not bound, with ``strict=False``); raises
        when the base itself lacks it."""
        if name in names:
            return False
        if name in base.entries:
            return True  # in the base but not in the module (strict=False)
        raise BindError(f"{what} touches {name}, which the base does not have")

    def _install(self, module: torch.nn.Module, tensors: dict[str, torch.Tensor], base: Segment, names: list[str]) -> None:
        """Load every bound tensor from ``base`` (a bind, or a new base segment)."""
        replaced: dict[int, torch.Tensor] = {}
        pointers: dict[str, int] = {}
        private = base.private_mapping() if self.zero_copy else None
        for name in names:  # under no_grad (the caller's)
            tensor = tensors[name]
            if private is not None:
                view = private.tensor(name, "torch")
                _assign(module, name, tensor, view, replaced)
                pointers[name] = view.data_ptr()
                continue
            target = self.device or (torch.device("cpu") if tensor.device.type == "meta" else tensor.device)
            if tensor.device == target:
                self._guard(name, tensor, base.entries[name])
                tensor.copy_(base.tensor(name, "torch"))
            else:
                fresh = torch.empty(tensor.shape, dtype=tensor.dtype, device=target)
                fresh.copy_(base.tensor(name, "torch"))
                _assign(module, name, tensor, fresh, replaced)
        self._base = base
        self._private = private
        self._pointers = pointers
        self._names = tuple(names)
        self._applied = {}

    def _guard(self, name: str, tensor: torch.Tensor, entry: TensorEntry) -> None:
        """Refuse to write a tensor that is not ``entry``'s shape and dtype (changed by user
        code since bind), or that points into a shared, read-only segment mapping."""
        if tuple(tensor.shape) != entry.shape or tensor.dtype != torch_dtype(entry.dtype):
            raise BindError(
                f"{name} is now {tensor.dtype} {tuple(tensor.shape)}, bound as {entry.dtype} {entry.shape}: "
                "unbind and bind again after changing the module"
            )
        if tensor.device.type == "cpu" and tensor.numel():
            address = tensor.data_ptr()
            if (self._base is not None and self._base.contains(address)) or SegmentCache.shared().find(address) is not None:
                raise BindError(f"{name} points into a read-only lorad segment; refusing to write it")

    def _write(self, name: str, tensor: torch.Tensor, source: _Source) -> None:
        """Write the touched tensor ``name`` from its source, into its existing storage."""
        self._guard(name, tensor, self.base.entries[name])
        if source.overlay is not None:
            tensor.copy_(source.overlay.tensor(name, "torch"))
            return
        terms = [
            (term.segment.tensor(term.a, "torch"), term.segment.tensor(term.b, "torch"), term.coefficient)
            for term in source.terms
        ]
        tensor.copy_(fuse(self.base.tensor(name, "torch"), terms, device=tensor.device))

    def _restore(self, name: str, tensor: torch.Tensor) -> None:
        """Give ``name`` its base value back, in its existing storage."""
        entry = self.base.entries[name]
        private = self._private
        self._guard(name, tensor, entry)
        if private is not None and tensor.device.type == "cpu" and tensor.data_ptr() == self._pointers.get(name):
            private.restore(entry.begin, entry.end)
            return
        tensor.copy_(self.base.tensor(name, "torch"))


def _assign(module: torch.nn.Module, name: str, old: torch.Tensor, new: torch.Tensor, replaced: dict[int, torch.Tensor]) -> None:
    """Make ``module``'s tensor ``name`` use ``new``'s storage.

    A real tensor keeps its Python object (``.data`` is swapped, so tied parameters stay
    tied); a ``meta`` one is replaced by a new Parameter or buffer (the same replacement for
    every name the old object had).
    """
    if old.device.type != "meta":
        old.data = new
        return
    path, _, leaf = name.rpartition(".")
    owner = module.get_submodule(path) if path else module
    if id(old) not in replaced:
        if isinstance(old, torch.nn.Parameter):
            replaced[id(old)] = torch.nn.Parameter(new, requires_grad=old.requires_grad)
        else:
            replaced[id(old)] = new
    if leaf in owner._parameters:
        owner._parameters[leaf] = replaced[id(old)]
    else:
        owner._buffers[leaf] = replaced[id(old)]


def bind(
    module: torch.nn.Module,
    session: Any,
    *,
    device: torch.device | str | None = None,
    zero_copy: bool = False,
    fuse_on_device: bool = False,
    strict: bool = True,
) -> Binding:
    """Give ``module`` the session's base weights and keep it in step with the session.

    - ``device``: where the weights go (``None``: each tensor stays where it is; ``meta``
      tensors go to the CPU). Tensors already there are written in place; others get new
      storage on ``device`` once, here.
    - ``zero_copy``: CPU only; parameters become copy-on-write views of the base (see the
      module doc). ``data_ptr`` is fixed from then on, except after a daemon restart that
      brings a new base segment, when zero-copy tensors are re-pointed at it once.
    - ``fuse_on_device``: required for (and only allowed with) a factors-mode session:
      touched tensors are fused on the module's device.
    - ``strict``: the module's tensors (parameters and persistent buffers, as in its
      ``state_dict``) and the base's must have the same names; with ``False`` only the
      names both have are bound. Shapes and dtypes must always match.

    Then applies the session's current set and registers an observer on the session, so
    every later switch, attach, detach, refresh or reconnect updates the module in place
    (see the module doc; switch between forward passes: :meth:`Binding.switching`).
    Raises :class:`BindError` (differences listed), ``TypeError`` for something that is not
    a lorad session, and leaves the module unbound on error (tensors may already hold base
    values).
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"bind takes a torch.nn.Module, not {type(module).__name__}")
    state = _session_state(session)
    mode = _mode(state)
    if mode == "factors" and not fuse_on_device:
        raise BindError(
            "this is a factors-mode session: bind(..., fuse_on_device=True) fuses the factors on the module's "
            "device; or use session.factors for the raw factors and scales (e.g. to wrap PEFT layers yourself), "
            "or open the session with mode='fused' to get lorad's fused overlay"
        )
    if mode == "fused" and fuse_on_device:
        raise BindError("fuse_on_device=True needs a factors-mode session; a fused session's overlay is already fused by lorad")
    target = torch.device(device) if device is not None else None
    if zero_copy:
        if target is not None and target.type != "cpu":
            raise BindError(f"zero_copy=True maps the base in this process's memory: device must be the CPU, not {target}")
        elsewhere = sorted({t.device.type for t in _module_tensors(module).values()} - {"cpu", "meta"})
        if target is None and elsewhere:
            raise BindError(f"zero_copy=True needs a module on the CPU; it has tensors on {', '.join(elsewhere)}")
    with _BINDINGS_LOCK:
        if module in _BINDINGS and not _BINDINGS[module].closed:
            raise BindError("this module is already bound; unbind(module) first")
    binding = Binding(module, session, device=target, zero_copy=zero_copy, fuse_on_device=fuse_on_device, strict=strict)
    with binding.lock():
        binding._update(state, full=True)
        session.add_observer(binding._observe)
        current = _session_state(session)
        if current is not state:  # the session changed while we loaded: catch up
            binding._update(current, full=False)
    with _BINDINGS_LOCK:
        _BINDINGS[module] = binding
    return binding


def binding_of(module: torch.nn.Module) -> Binding | None:
    """The open :class:`Binding` of ``module``, or None."""
    with _BINDINGS_LOCK:
        binding = _BINDINGS.get(module)
    return binding if binding is not None and not binding.closed else None


def unbind(module: torch.nn.Module) -> None:
    """Stop updating ``module`` from its session (idempotent; a module never bound is fine).

    The weights stay as they are; zero-copy parameters keep their copy-on-write mapping.
    """
    with _BINDINGS_LOCK:
        binding = _BINDINGS.pop(module, None)
    if binding is not None:
        binding.close()
