"""Where gemeval keeps files of its own: the synthetic set, judge and generation caches."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$GEMEVAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/gemeval``, else ``~/.cache/gemeval``."""
    if os.environ.get("GEMEVAL_CACHE_DIR"):
        root = Path(os.environ["GEMEVAL_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        root = Path(os.environ["XDG_CACHE_HOME"]) / "gemeval"
    else:
        root = Path.home() / ".cache" / "gemeval"
    root.mkdir(parents=True, exist_ok=True)
    return root
