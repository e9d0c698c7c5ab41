"""Shared fixtures: an isolated cache (synthetic set, judge and generation caches) per
test session, and the path of the real ECG fixtures beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SMALL_SYNTHETIC_N = 24


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests never read or write the user's ~/.cache/gemeval."""
    root = tmp_path_factory.mktemp("gemeval-cache")
    old = os.environ.get("GEMEVAL_CACHE_DIR")
    os.environ["GEMEVAL_CACHE_DIR"] = str(root)
    yield root
    if old is None:
        os.environ.pop("GEMEVAL_CACHE_DIR", None)
    else:
        os.environ["GEMEVAL_CACHE_DIR"] = old


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real ECG fixtures not found at {SHARED_DATA}")
    return SHARED_DATA
