"""The judge's response cache: SQLite, keyed by a hash of everything that determines a reply.

The key covers the judge model, the server, the rubric's name and version, the full
request body (rendered messages, temperature, seed, response format, token limit) and the
repeat index. A rerun of the same run therefore makes no calls, and any change to what
would be asked is a miss. Only replies the server returned are stored; errors are not.

The file is shared by every run and process of a user: WAL journaling lets readers and one
writer work at once, and a busy timeout makes concurrent writers wait instead of failing.
Besides replies it keeps two small tables: which response format a server accepted (so a
rerun does not probe again) and the Batch API jobs in flight (so a rerun collects them).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from gemeval.paths import cache_dir
from gemeval.sqlite_cache import canonical_key, check_mode, open_cache_db

KEY_FORMAT = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, created_at REAL NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (batch_key TEXT PRIMARY KEY, batch_id TEXT NOT NULL, created_at REAL NOT NULL,
                                    n_requests INTEGER NOT NULL);
"""


def default_cache_path() -> Path:
    """``judge.sqlite`` in gemeval's cache folder (``$GEMEVAL_CACHE_DIR`` overrides it)."""
    return cache_dir() / "judge.sqlite"


def cache_key(payload: Any) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (sorted keys, no whitespace)."""
    return canonical_key([KEY_FORMAT, payload])


class JudgeCache:
    """``readwrite``: read and store replies. ``read``: use stored replies, store none
    (Batch API job ids are still recorded, so a rerun can collect a job). ``off``: neither;
    the bookkeeping lives in memory for the process."""

    def __init__(self, path: Path | None = None, mode: str = "readwrite"):
        check_mode(mode, "judge cache")
        self.mode = mode
        self.path = None if mode == "off" else Path(path) if path is not None else default_cache_path()
        self._lock = threading.Lock()
        self._db = open_cache_db(self.path, _SCHEMA, "judge cache", "pass --judge-cache off")

    @property
    def reads(self) -> bool:
        return self.mode in ("readwrite", "read")

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.reads:
            return None
        with self._lock:
            row = self._db.execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.mode != "readwrite":
            return
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO replies (key, created_at, value) VALUES (?, ?, ?)",
                (key, time.time(), json.dumps(value, ensure_ascii=False)),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def get_setting(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def set_setting(self, name: str, value: str) -> None:
        if self.mode == "read":
            return
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, value))

    def get_batch(self, batch_key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT batch_id FROM batches WHERE batch_key = ?", (batch_key,)).fetchone()
        return None if row is None else row[0]

    def put_batch(self, batch_key: str, batch_id: str, n_requests: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO batches (batch_key, batch_id, created_at, n_requests) VALUES (?, ?, ?, ?)",
                (batch_key, batch_id, time.time(), n_requests),
            )

    def drop_batch(self, batch_key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM batches WHERE batch_key = ?", (batch_key,))

    def close(self) -> None:
        with self._lock:
            self._db.close()
