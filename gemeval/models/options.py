"""Argument checks shared by the adapters, so every adapter fails the same clear way."""

from __future__ import annotations

from typing import Any, Iterable

from gemeval.models.base import ModelError


def reject_unknown(adapter: str, unknown: dict[str, Any], accepted: Iterable[str]) -> None:
    """Raise a ModelError naming the unknown ``--model-args`` keys and the accepted ones."""
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ModelError(
            f"adapter {adapter!r} does not take --model-args {names}; it takes "
            f"{', '.join(sorted(accepted))} (see docs/models.md)"
        )


def require(adapter: str, value: Any, arg: str, example: str) -> Any:
    """``value``, or a ModelError saying which argument to set, with an example."""
    if value is None or value == "":
        raise ModelError(f"adapter {adapter!r} needs --model-args {arg}=... (example: {example})")
    return value


def check_modality(adapter: str, modality: str, allowed: tuple[str, ...]) -> str:
    if modality not in allowed:
        raise ModelError(
            f"adapter {adapter!r} takes --modality {' or '.join(allowed)}, got {modality!r}"
        )
    return modality


def torch_dtype(adapter: str, name: str | None):
    """The torch dtype named ``name`` ("bfloat16", "float16", "float32"), or "auto"/None as given."""
    if name in (None, "auto"):
        return name
    import torch

    dtypes = {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float16": torch.float16,
              "fp16": torch.float16, "half": torch.float16, "float32": torch.float32,
              "fp32": torch.float32}
    if name not in dtypes:
        raise ModelError(f"adapter {adapter!r}: dtype must be auto, bfloat16, float16 or float32, got {name!r}")
    return dtypes[name]
