"""Build diffusers models and pipelines whose weights come from a lorad session.

A diffusers model built here never reads a weight file: the caller names its config (a
folder holding ``config.json``, that file itself, or a dict), the model is created with
its parameters on the ``meta`` device (no memory, no initialisation), and
:func:`lorad.torch.bind` gives it the session's base weights, either zero-copy
(copy-on-write views of the base segment lorad shares) or copied onto ``device``.
From then on every switch, attach or detach on the session updates the module in
place, exactly, as :mod:`lorad.torch` describes::

    import lorad, lorad.diffusers
    from diffusers import CogVideoXPipeline, CogVideoXDDIMScheduler

    with lorad.Client() as client:
        session = client.session("cogvideox-2b")
        pipe = lorad.diffusers.pipeline(
            CogVideoXPipeline, "/models/CogVideoX-2b/transformer", session,
            vae=vae, scheduler=CogVideoXDDIMScheduler.from_config(...), zero_copy=True)
        pipe.switch({"watercolor": 0.8})
        video = pipe(prompt_embeds=embeds, negative_prompt_embeds=negative_embeds,
                     num_inference_steps=50).frames  # no text encoder: both embeddings given

Needs ``torch``, ``diffusers``, ``transformers`` (diffusers imports CogVideoXPipeline only with it)
and ``accelerate`` (``pip install 'lorad[diffusers]'``);
they are imported when a function here is first called, not when this module is.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

    from .session import Session
    from .torch import Binding

__all__ = ["SwitchingPipeline", "base_dtype", "empty_model", "follow_base_dtypes", "load_config", "load_model",
           "pipeline"]

def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("lorad.diffusers needs torch: pip install 'lorad[diffusers]'") from error
    return torch


def load_config(
    model_cls: type, config: str | os.PathLike[str] | Mapping[str, Any], *, subfolder: str | None = None
) -> dict[str, Any]:
    """The model's config as a plain dict, read locally (nothing is downloaded).

    ``config`` is a dict (returned as a copy), a folder holding ``config.json`` (``subfolder``
    is joined to it first, as in ``from_pretrained(..., subfolder="transformer")``) or the path
    of a JSON file. Raises ``FileNotFoundError`` when the folder has no ``config.json``.
    """
    if isinstance(config, Mapping):
        return dict(config)
    path = os.fspath(config)
    if subfolder:
        path = os.path.join(path, subfolder)
    if os.path.isdir(path) and not os.path.isfile(os.path.join(path, "config.json")):
        raise FileNotFoundError(f"no config.json in {path}: name the folder of the model's config")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such config folder or file")
    # A local path never touches the network; local_files_only makes that explicit.
    loaded = model_cls.load_config(path, local_files_only=True)
    return dict(loaded)


def base_dtype(session: Session) -> torch.dtype:
    """The floating dtype of the session's base: the one most of its tensors have.

    Raises ``ValueError`` for a base with no floating-point tensor (not a model lorad can bind).
    """
    from .segments import torch_dtype

    counts = Counter(entry.dtype for entry in session.base.entries.values())
    for name, _ in counts.most_common():
        try:
            dtype = torch_dtype(name)
        except KeyError:
            continue
        if dtype.is_floating_point:
            return dtype
    raise ValueError(f"base {session.base_name!r} has no floating-point tensor")


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """Create floating tensors in ``dtype`` inside the block, as ``from_pretrained(torch_dtype=)`` does."""
    torch = _torch()
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def empty_model(
    model_cls: type,
    config: str | os.PathLike[str] | Mapping[str, Any],
    *,
    dtype: torch.dtype,
    subfolder: str | None = None,
) -> Any:
    """A diffusers model with every parameter on the ``meta`` device (no memory, no file read).

    Built as ``from_pretrained(..., torch_dtype=dtype)`` builds it before it loads weights:
    ``model_cls.from_config`` with ``dtype`` as torch's default dtype, initialisers skipped,
    and ``accelerate.init_empty_weights()`` so parameters are ``meta`` while buffers computed
    at construction (CogVideoX's sin-cos ``pos_embedding``, which is not in the state dict)
    are real tensors on the CPU, with the values and dtypes ``from_pretrained`` gives them.
    The model is in eval mode. Raises ``ImportError`` without accelerate.
    """
    try:
        from accelerate import init_empty_weights
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("lorad.diffusers needs accelerate: pip install 'lorad[diffusers]'") from error
    from diffusers.models.modeling_utils import no_init_weights

    settings = load_config(model_cls, config, subfolder=subfolder)
    with _default_dtype(dtype), no_init_weights(), init_empty_weights(include_buffers=False):
        model = model_cls.from_config(settings)
    model.eval()
    return model


def follow_base_dtypes(model: Any, base: Any) -> int:
    """Give each ``meta`` parameter of ``model`` the dtype of the base tensor of the same name.

    Free on ``meta`` (no memory); tied parameters stay tied. For bases that keep some
    tensors in another dtype than most (``_keep_in_fp32_modules``, F32 norms in a BF16
    model), so that ``bind``, which never converts, finds the dtypes it expects. ``base``
    is a :class:`~lorad.segments.Segment` (its ``entries``). Returns how many changed.
    """
    torch = _torch()
    from .segments import torch_dtype

    replaced: dict[int, Any] = {}
    changed = 0
    for prefix, owner in model.named_modules(remove_duplicate=False):
        lead = prefix + "." if prefix else ""
        for name, parameter in list(owner._parameters.items()):
            entry = base.entries.get(lead + name)
            if parameter is None or entry is None or parameter.device.type != "meta":
                continue
            if id(parameter) not in replaced:
                wanted = torch_dtype(entry.dtype)
                if parameter.dtype == wanted:
                    continue
                replaced[id(parameter)] = torch.nn.Parameter(parameter.to(wanted), requires_grad=parameter.requires_grad)
                changed += 1
            owner._parameters[name] = replaced[id(parameter)]
    return changed


def _move_buffers(module: Any, device: torch.device) -> None:
    """Move every real (non-meta) buffer that is not on ``device`` there, in place in the module tree."""
    for owner in module.modules():
        for name, buffer in list(owner._buffers.items()):
            if buffer is not None and buffer.device.type != "meta" and buffer.device != device:
                owner._buffers[name] = buffer.to(device)


def load_model(
    model_cls: type,
    config: str | os.PathLike[str] | Mapping[str, Any],
    session: Session,
    *,
    device: str | torch.device = "cpu",
    zero_copy: bool = False,
    fuse_on_device: bool = False,
    subfolder: str | None = None,
    strict: bool = True,
) -> tuple[Any, Binding]:
    """Build ``model_cls`` from ``config`` and bind it to ``session``: ``(model, binding)``.

    ``config`` names the model's config (a folder with ``config.json``, optionally its
    ``subfolder``, a JSON file, or a dict); the weights are the session's base segment, never
    a file: the model is created on ``meta`` in the base's dtype (:func:`empty_model`; a
    tensor the base keeps in another dtype gets that one, :func:`follow_base_dtypes`) and
    ``lorad.torch.bind(model, session, device=..., zero_copy=..., fuse_on_device=...,
    strict=...)`` gives it its parameters (zero-copy needs ``device="cpu"``; a factors-mode
    session needs ``fuse_on_device=True``). Buffers the model computes itself are moved to
    ``device``. The model follows the session from then on: switch between forward passes
    (``with binding.switching(): session.switch(...)``, or :class:`SwitchingPipeline`).

    Raises what ``bind`` raises when the base does not fit the config (names, shapes, dtypes,
    listed), ``FileNotFoundError`` for a missing config.
    """
    torch = _torch()
    from . import torch as lorad_torch

    target = torch.device(device)
    model = empty_model(model_cls, config, dtype=base_dtype(session), subfolder=subfolder)
    follow_base_dtypes(model, session.base)
    binding = lorad_torch.bind(
        model, session, device=target, zero_copy=zero_copy, fuse_on_device=fuse_on_device, strict=strict
    )
    _move_buffers(model, target)
    model.requires_grad_(False)
    return model, binding


def _constructor_parameters(pipeline_cls: type) -> list[str]:
    """The names ``pipeline_cls.__init__`` takes (components and options), in order."""
    signature = inspect.signature(pipeline_cls.__init__)
    return [name for name, parameter in signature.parameters.items()
            if name != "self" and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)]


def _is_placeholder(pipeline_cls: type, names: list[str]) -> bool:
    """Whether ``pipeline_cls`` is the stand-in diffusers exports when a backend it needs
    (transformers, for CogVideoXPipeline) does not import: a class made by diffusers'
    ``DummyObject`` metaclass, or one whose constructor names no parameter at all."""
    return type(pipeline_cls).__name__ == "DummyObject" or not names


#: Components a call with ``prompt_embeds`` (and ``negative_prompt_embeds``) does without.
_PROMPT_COMPONENTS = ("tokenizer", "text_encoder")


def _replaced_by_prompt_embeds(name: str) -> bool:
    """``tokenizer``, ``text_encoder`` and their numbered kin (``tokenizer_2``, ...)."""
    return any(name == prefix or name.startswith(prefix + "_") for prefix in _PROMPT_COMPONENTS)


class SwitchingPipeline:
    """A diffusers pipeline whose ``component`` (the transformer) follows a lorad session.

    Calls and switches take turns: ``pipe(...)`` holds the binding's lock for the whole call
    (every denoising step sees one adapter set), and :meth:`switch`, :meth:`attach` and
    :meth:`detach` wait for a running call to finish, then change the session and, when the
    call returns, the module's weights in place. Safe to use from several threads; calls
    themselves are serialised. Attributes: ``pipeline`` (the diffusers pipeline; use it
    directly only when no other thread switches), ``model``, ``binding``, ``session``.
    """

    def __init__(self, pipeline: Any, model: Any, binding: Binding, session: Session) -> None:
        """Wrap an already-built ``pipeline`` whose component ``model`` is bound by ``binding``."""
        self.pipeline = pipeline
        self.model = model
        self.binding = binding
        self.session = session

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the pipeline (same arguments and result as the diffusers pipeline's call)."""
        with self.binding.lock():
            return self.pipeline(*args, **kwargs)

    def switch(self, adapters: Any) -> Any:
        """``session.switch(adapters)`` between calls; returns what it returns."""
        with self._switching("switch"):
            return self.session.switch(adapters)

    def attach(self, adapter: str, weight: float = 1.0) -> Any:
        """``session.attach(adapter, weight)`` between calls; returns what it returns."""
        with self._switching("attach"):
            return self.session.attach(adapter, weight)

    def detach(self, name: str) -> Any:
        """``session.detach(name)`` between calls; returns what it returns."""
        with self._switching("detach"):
            return self.session.detach(name)

    @contextlib.contextmanager
    def _switching(self, verb: str) -> Iterator[None]:
        """The binding's :meth:`~lorad.torch.Binding.switching`, refused once the pipeline is unbound."""
        from .torch import BindError

        with self.binding.switching():
            if self.binding.closed:
                raise BindError(
                    f"this SwitchingPipeline is unbound: {verb}() would change the session but not the "
                    f"pipeline's {type(self.model).__name__}; build a new one with lorad.diffusers.pipeline() "
                    f"(or call session.{verb}() directly to change the session alone)")
            yield

    @property
    def active(self) -> Any:
        """The session's active adapters (``ActiveAdapter`` tuples: name, version, weight)."""
        return self.session.active

    def unbind(self) -> None:
        """Detach the model from the session (its weights stay as they are now). Idempotent.

        The pipeline can still be called (with those weights); :meth:`switch`, :meth:`attach`
        and :meth:`detach` raise :class:`~lorad.torch.BindError` from then on."""
        from . import torch as lorad_torch

        lorad_torch.unbind(self.model)

    def __enter__(self) -> SwitchingPipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unbind()

    def __repr__(self) -> str:
        return (f"SwitchingPipeline({type(self.pipeline).__name__}, base={self.session.base_name!r}, "
                f"active={[f'{a.name}@{a.version}:{a.weight:g}' for a in self.session.active]})")


def pipeline(
    pipeline_cls: type,
    config: str | os.PathLike[str] | Mapping[str, Any],
    session: Session,
    *,
    model_cls: type | None = None,
    component: str = "transformer",
    device: str | torch.device = "cpu",
    zero_copy: bool = False,
    fuse_on_device: bool = False,
    subfolder: str | None = None,
    strict: bool = True,
    **components: Any,
) -> SwitchingPipeline:
    """A ``pipeline_cls`` whose ``component`` is built from ``config`` and bound to ``session``.

    ``model_cls`` defaults to the class ``pipeline_cls.__init__`` annotates ``component`` with
    (``CogVideoXTransformer3DModel`` for ``CogVideoXPipeline``). ``components`` are the other
    constructor arguments (``vae=``, ``scheduler=``, ...). Every component the constructor
    requires must be given (``None`` explicitly to go without one, e.g. ``vae=None`` with
    ``output_type="latent"``), except the tokenizers and text encoders, which are passed as
    ``None`` when left out: a pipeline runs without them when called with ``prompt_embeds``
    (and ``negative_prompt_embeds``). The other arguments are :func:`load_model`'s. Call the
    result like the pipeline; switch with its :meth:`SwitchingPipeline.switch`.

    Raises ``ImportError`` when ``pipeline_cls`` is diffusers' placeholder for a pipeline it
    could not import (transformers missing), ``ValueError`` naming required components left
    out, ``TypeError`` for components the pipeline does not take.
    """
    if component in components:
        raise TypeError(f"{component}= is built from the session; pass its config instead")
    names = _constructor_parameters(pipeline_cls)
    if _is_placeholder(pipeline_cls, names):
        raise ImportError(
            f"diffusers could not import {pipeline_cls.__name__} and gave a placeholder class instead: "
            "install 'lorad[diffusers]' (it brings transformers, which the pipeline needs)")
    if component not in names:
        raise TypeError(f"{pipeline_cls.__name__} takes no {component!r} component (it takes {', '.join(names)})")
    unknown = sorted(set(components) - set(names))
    if unknown:
        raise TypeError(f"{pipeline_cls.__name__} takes no {', '.join(unknown)}")
    signature = inspect.signature(pipeline_cls.__init__)
    optional = set(getattr(pipeline_cls, "_optional_components", None) or ())
    missing = [name for name in names
               if name != component and name not in components and name not in optional
               and not _replaced_by_prompt_embeds(name)
               and signature.parameters[name].default is inspect.Parameter.empty]
    if missing:
        raise ValueError(
            f"{pipeline_cls.__name__} needs {', '.join(name + '=' for name in missing)}: pass "
            f"{'them' if len(missing) > 1 else 'it'} (pass None explicitly to go without one, e.g. vae=None "
            "with output_type='latent')")
    if model_cls is None:
        model_cls = _component_class(pipeline_cls, component)
    model, binding = load_model(
        model_cls, config, session, device=device, zero_copy=zero_copy,
        fuse_on_device=fuse_on_device, subfolder=subfolder, strict=strict,
    )
    arguments: dict[str, Any] = {}
    for name in names:
        if name == component:
            arguments[name] = model
        elif name in components:
            arguments[name] = components[name]
        elif signature.parameters[name].default is inspect.Parameter.empty:
            arguments[name] = None
    built = pipeline_cls(**arguments)
    return SwitchingPipeline(built, model, binding, session)


def _component_class(pipeline_cls: type, component: str) -> type:
    """The model class ``pipeline_cls.__init__`` annotates ``component`` with."""
    import typing

    try:
        hints = typing.get_type_hints(pipeline_cls.__init__)
    except Exception:  # noqa: BLE001 - annotations that do not resolve: ask the caller
        hints = {}
    annotation = hints.get(component)
    candidates = typing.get_args(annotation) or (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and hasattr(candidate, "from_config"):
            return candidate
    raise TypeError(f"cannot tell {pipeline_cls.__name__}'s {component} class: pass model_cls=")
