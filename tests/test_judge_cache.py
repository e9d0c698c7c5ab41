"""The judge cache: keys, modes, its default place, and several processes writing at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from gemeval.judge.cache import JudgeCache, cache_key, default_cache_path


def test_keys_are_canonical_and_sensitive():
    a = cache_key({"model": "m", "body": {"seed": 0, "temperature": 0}})
    assert a == cache_key({"body": {"temperature": 0, "seed": 0}, "model": "m"})
    assert a != cache_key({"model": "m", "body": {"seed": 1, "temperature": 0}})
    assert len(a) == 64


def test_modes(tmp_path):
    path = tmp_path / "c.sqlite"
    rw = JudgeCache(path, "readwrite")
    rw.put("k", {"raw": "v"})
    assert rw.get("k") == {"raw": "v"} and len(rw) == 1
    rw.close()
    ro = JudgeCache(path, "read")
    ro.put("k2", {"raw": "w"})
    assert ro.get("k") == {"raw": "v"} and ro.get("k2") is None
    ro.close()
    off = JudgeCache(path, "off")
    assert off.path is None and off.get("k") is None
    with pytest.raises(ValueError, match="readwrite"):
        JudgeCache(path, "sometimes")


def test_default_place_follows_gemeval_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMEVAL_CACHE_DIR", str(tmp_path / "gc"))
    assert default_cache_path() == tmp_path / "gc" / "judge.sqlite"
    cache = JudgeCache(None, "readwrite")
    assert cache.path == tmp_path / "gc" / "judge.sqlite" and cache.path.exists()
    journal = sqlite3.connect(cache.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


def _writer(path: str, worker: int, n: int) -> None:
    cache = JudgeCache(Path(path), "readwrite")
    for i in range(n):
        cache.put(f"{worker}-{i}", {"raw": f"reply {worker} {i}"})
        cache.get(f"{1 - worker}-{i}")
    cache.close()


def test_several_processes_share_one_cache(tmp_path):
    path = tmp_path / "shared.sqlite"
    JudgeCache(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 300)) for w in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    cache = JudgeCache(path)
    assert len(cache) == 600
    assert cache.get("1-299") == {"raw": "reply 1 299"}


def test_an_unreadable_cache_file_says_what_to_do(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RuntimeError, match="--judge-cache off"):
        JudgeCache(path)
