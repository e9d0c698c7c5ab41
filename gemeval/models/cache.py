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

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from gemeval.paths import cache_dir

CACHE_MODES = ("readwrite", "read", "off")
KEY_FORMAT = 1
BUSY_TIMEOUT_S = 60.0

_SCHEMA = "CREATE TABLE IF NOT EXISTS generations (key TEXT PRIMARY KEY, created_at REAL NOT NULL, value TEXT NOT NULL)"


def default_cache_path() -> Path:
    return cache_dir() / "generations.sqlite"


def generation_key(*, model: str, server: str | None, prompt: Any, image_sha256: str | None,
                   params: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys) of the parts that determine an answer."""
    payload = [KEY_FORMAT, model, server, prompt, image_sha256, params]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class GenerationCache:
    """``readwrite``: use and store answers. ``read``: use stored answers, store none.
    ``off``: neither."""

    def __init__(self, path: Path | str | None = None, mode: str = "readwrite"):
        if mode not in CACHE_MODES:
            raise ValueError(f"generation cache mode {mode!r} is not one of {', '.join(CACHE_MODES)}")
        self.mode = mode
        self.path = None if mode == "off" else Path(path) if path is not None else default_cache_path()
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise RuntimeError(
                f"generation cache {self.path} cannot be opened ({exc}); delete the file or pass "
                "--model-args cache=off"
            ) from None

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
