"""One way to open the SQLite caches (judge replies, model generations).

Each cache is one file per user shared by every run and process: WAL journaling lets
readers and one writer work at once, and a busy timeout makes concurrent writers wait
instead of failing. ``path=None`` keeps the cache in memory for the process.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from gemeval.errors import GemevalError, UsageError

CACHE_MODES = ("readwrite", "read", "off")
BUSY_TIMEOUT_S = 60.0


class CacheError(GemevalError, RuntimeError):
    """A cache file that cannot be opened; the message says how to go on."""


def check_mode(mode: str, what: str) -> None:
    if mode not in CACHE_MODES:
        raise UsageError(f"{what} mode {mode!r} is not one of {', '.join(CACHE_MODES)}")


def canonical_key(payload: Any) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (sorted keys, no whitespace)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_cache_db(path: Path | None, schema: str, what: str, off_hint: str) -> sqlite3.Connection:
    """Connect to the cache at ``path`` (created with ``schema``), or raise saying how to
    get past a broken file: delete it, or ``off_hint``."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(":memory:" if path is None else str(path), timeout=BUSY_TIMEOUT_S,
                             isolation_level=None, check_same_thread=False)
        if path is not None:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.DatabaseError as exc:
        raise CacheError(f"{what} {path} cannot be opened ({exc}); delete the file or {off_hint}") from None
    return db
