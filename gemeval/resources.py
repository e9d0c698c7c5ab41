"""Where the task and rubric files live: the checkout's top-level folders, or the copies
packed into the wheel under gemeval/_resources."""

from __future__ import annotations

from pathlib import Path
from gemeval.errors import MissingFileError

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def resource_dir(kind: str) -> Path:
    """The folder of ``kind`` ("tasks" or "judges"), checkout first, then the wheel's copy."""
    for candidate in (_CHECKOUT / kind, _PACKAGE / "_resources" / kind):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    raise MissingFileError(
        f"gemeval's {kind}/ folder was not found next to the package or inside it; "
        "reinstall gemeval (pip install gemeval) or run from a checkout"
    )
