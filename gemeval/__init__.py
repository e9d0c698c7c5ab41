"""gemeval: evaluation harness for grounded ECG understanding.

The public API (imported on first use, so that `gemeval --version` stays instant)::

    import gemeval
    result = gemeval.evaluate(model="measure", task="grounded", limit=20)

``Sample`` and ``Prediction`` are what flows between the stages, ``Model`` the protocol an
adapter follows, ``GemevalError`` the root of every error a user can fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "GemevalError",
    "JudgeOptions",
    "Model",
    "Prediction",
    "RunResult",
    "Sample",
    "__version__",
    "evaluate",
]

_LAZY = {
    "evaluate": "gemeval.run",
    "JudgeOptions": "gemeval.run",
    "RunResult": "gemeval.run",
    "Sample": "gemeval.sample",
    "Prediction": "gemeval.sample",
    "Model": "gemeval.models.base",
    "GemevalError": "gemeval.errors",
}

if TYPE_CHECKING:
    from gemeval.errors import GemevalError
    from gemeval.models.base import Model
    from gemeval.run import JudgeOptions, RunResult, evaluate
    from gemeval.sample import Prediction, Sample


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gemeval' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
