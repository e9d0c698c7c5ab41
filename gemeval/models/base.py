"""The model protocol and the adapter registry.

An adapter takes a batch of Samples and returns one Prediction per sample, in order. A
failure on one item goes into that Prediction's ``error``; an exception from ``generate``
marks the whole batch as failed and the run goes on with the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

from gemeval.errors import GemevalError
from gemeval.registry import Registry, RegistryError, resolve
from gemeval.sample import Prediction, Sample

MODALITIES = ("both", "image", "signal")


@runtime_checkable
class Model(Protocol):
    name: str
    batch_size: int

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        """One Prediction per sample, same order."""
        ...

    def describe(self) -> dict[str, Any]:
        """Everything that determines the outputs, for config.json. Never secrets."""
        ...


@dataclass(frozen=True)
class AdapterInfo:
    """A model adapter as `gemeval models` lists it; ``target`` is imported when it is used."""

    name: str
    target: str  # "module:Class"
    summary: str
    needs: str  # what to install or provide
    modalities: tuple[str, ...]


def _adapter_from_entry_point(name: str, target: str, dist: str) -> AdapterInfo:
    return AdapterInfo(name=name, target=target, summary=f"plug-in adapter from {dist}",
                       needs=f"the {dist} package", modalities=MODALITIES)


def _missing_model_methods(info: AdapterInfo | None, cls: Any) -> str | None:
    missing = [m for m in ("generate", "describe") if not callable(getattr(cls, m, None))]
    return f"{getattr(cls, '__name__', cls)} lacks {' and '.join(missing)}()" if missing else None


ADAPTERS: Registry[AdapterInfo] = Registry(
    "model adapter", "gemeval.models", "gemeval.models.registry", _adapter_from_entry_point, _missing_model_methods,
)
"""Every adapter by name: gemeval's own (gemeval.models.registry) and the plug-ins'."""


def register(info: AdapterInfo) -> None:
    """Add an adapter; a name that is already taken is refused."""
    ADAPTERS.add(info.name, info)


class ModelError(GemevalError, RuntimeError):
    """A model that cannot be built: missing package, weights or argument. Says the fix."""


def parse_model_args(text: str | None) -> dict[str, Any]:
    """Parse ``k=v,k=v`` into a dict, turning ints, floats and booleans into their types."""
    args: dict[str, Any] = {}
    if not text:
        return args
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ModelError(f"--model-args: {part!r} is not key=value (example: path=out.jsonl,batch_size=8)")
        key, value = part.split("=", 1)
        if not key.strip():
            raise ModelError(f"--model-args: {part!r} has no key before '=' (example: path=out.jsonl)")
        if key.strip() in RESERVED_ARGS:
            raise ModelError(f"--model-args: {key.strip()!r} is set by its own option; use {RESERVED_ARGS[key.strip()]}")
        args[key.strip()] = _coerce(value.strip())
    return args


RESERVED_ARGS = {"modality": "--modality both|image|signal"}
"""Adapter arguments the run sets itself, with the option that sets them."""


def _check_args(target: str, cls: Any, args: dict[str, Any]) -> None:
    """Refuse arguments the adapter's constructor does not take, naming those it does."""
    import inspect

    for key in args:
        if key in RESERVED_ARGS:
            raise ModelError(f"--model-args: {key!r} is set by its own option; use {RESERVED_ARGS[key]}")
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [name for name, p in params.items() if name != "modality"
                and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    unknown = [key for key in args if key not in accepted]
    if unknown:
        raise ModelError(f"--model-args: adapter {target!r} takes no {', '.join(map(repr, unknown))}; "
                         f"it takes {', '.join(accepted) or 'no arguments'}")


def _coerce(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def load_model(name: str, args: dict[str, Any] | None = None, modality: str = "both") -> Model:
    """Build the adapter ``name`` with ``args``; ``modality`` is one of MODALITIES.

    ``name`` is a registered adapter (`gemeval models`) or ``"package.module:Class"`` for
    an adapter of your own that follows the Model protocol.
    """
    if name not in ADAPTERS and ":" in name:
        return _load_custom(name, args or {}, modality)
    if name not in ADAPTERS:
        known = ", ".join(sorted(ADAPTERS))
        raise ModelError(f"unknown model adapter {name!r}; known adapters: {known} (see `gemeval models`)")
    if modality not in MODALITIES:
        raise ModelError(f"--modality must be one of {', '.join(MODALITIES)}, got {modality!r}")
    info = ADAPTERS[name]
    if modality not in info.modalities:
        raise ModelError(
            f"adapter {name!r} takes {', '.join(info.modalities)}; --modality {modality} is not possible"
        )
    try:
        cls = ADAPTERS.load(name, info.target)
    except RegistryError as exc:
        if isinstance(exc.__cause__, ImportError):
            raise ModelError(f"adapter {name!r} needs {info.needs}: {exc.__cause__}") from exc
        raise
    _check_args(name, cls, args or {})
    return cls(modality=modality, **(args or {}))


def _load_custom(target: str, args: dict[str, Any], modality: str) -> Model:
    cls = resolve(target, f"--model {target}")
    _check_args(target, cls, args)
    model = cls(modality=modality, **args)
    if not isinstance(model, Model):
        raise ModelError(f"--model {target}: {target.partition(':')[2]} lacks name, batch_size, generate() or describe()")
    return model
