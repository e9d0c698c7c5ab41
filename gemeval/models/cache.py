"""The generation cache: SQLite, keyed by a hash of everything that determines an answer.

The key covers the model name, the server (base URL), the full prompt as sent (system
message, signal text and instruction), the SHA-256 of the image bytes, and the generation
parameters (temperature, token limit, top_p, seed, image detail). Rerunning a run, or a
second run that asks the same, costs no calls; any change to what would be asked is a miss.
Only answers the server returned are stored, never errors.

One file per user (``generations.sqlite`` in ``gemeval.paths.cache_dir()``, which
``$GEMEVAL_CACHE_DIR`` overrides), shared by every run and process: WAL journaling lets
readers and a writer work at once and a busy timeout makes concurrent writers wait.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from gemeval.paths import cache_dir
from gemeval.sqlite_cache import canonical_key, check_mode, open_cache_db

KEY_FORMAT = 1

_SCHEMA = "CREATE TABLE IF NOT EXISTS generations (key TEXT PRIMARY KEY, created_at REAL NOT NULL, value TEXT NOT NULL)"


def default_cache_path() -> Path:
    return cache_dir() / "generations.sqlite"


def generation_key(*, model: str, server: str | None, prompt: Any, image_sha256: str | None,
                   params: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys) of the parts that determine an answer."""
    return canonical_key([KEY_FORMAT, model, server, prompt, image_sha256, params])


class GenerationCache:
    """``readwrite``: use and store answers. ``read``: use stored answers, store none.
    ``off``: neither."""

    def __init__(self, path: Path | str | None = None, mode: str = "readwrite"):
        check_mode(mode, "generation cache")
        self.mode = mode
        self.path = None if mode == "off" else Path(path) if path is not None else default_cache_path()
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if self.path is None:
            return
        self._db = open_cache_db(self.path, _SCHEMA, "generation cache", "pass --model-args cache=off")

    def get(self, key: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT value FROM generations WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self._db is None or self.mode != "readwrite":
            return
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO generations (key, created_at, value) VALUES (?, ?, ?)",
                (key, time.time(), json.dumps(value, ensure_ascii=False)),
            )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
