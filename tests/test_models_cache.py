"""The generation cache (gemeval.models.cache): keys, modes, sharing between processes."""

from __future__ import annotations

import multiprocessing

import pytest

from gemeval.models.cache import GenerationCache, default_cache_path, generation_key

BASE = {"model": "m", "server": "http://h/v1", "prompt": [{"role": "user", "content": "q"}],
        "image_sha256": "ab" * 32, "params": {"temperature": 0.0, "max_tokens": 16}}


def test_the_key_changes_with_every_part_and_not_with_dict_order():
    key = generation_key(**BASE)
    assert key == generation_key(**{**BASE, "params": {"max_tokens": 16, "temperature": 0.0}})
    for part, other in [("model", "m2"), ("server", "http://other/v1"), ("prompt", "q2"),
                        ("image_sha256", "cd" * 32), ("params", {"temperature": 0.0, "max_tokens": 17})]:
        assert generation_key(**{**BASE, part: other}) != key, part


def test_modes(tmp_path):
    path = tmp_path / "g.sqlite"
    writer = GenerationCache(path)
    writer.put("k", {"text": "answer"})
    assert writer.get("k") == {"text": "answer"}
    reader = GenerationCache(path, mode="read")
    assert reader.get("k") == {"text": "answer"}
    reader.put("k2", {"text": "not stored"})
    assert GenerationCache(path).get("k2") is None
    off = GenerationCache(path, mode="off")
    assert off.path is None and off.get("k") is None
    with pytest.raises(ValueError, match="not one of readwrite, read, off"):
        GenerationCache(path, mode="write")


def test_default_location_follows_gemeval_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GEMEVAL_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_path() == tmp_path / "elsewhere" / "generations.sqlite"


def _write_many(path: str, prefix: str) -> None:
    cache = GenerationCache(path)
    for i in range(50):
        cache.put(f"{prefix}{i}", {"text": f"{prefix}{i}"})


def test_two_processes_write_the_same_file(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    GenerationCache(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, p)) for p in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    cache = GenerationCache(path, mode="read")
    assert all(cache.get(f"{p}{i}") == {"text": f"{p}{i}"} for p in "ab" for i in range(50))


def test_a_corrupt_file_says_how_to_recover(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RuntimeError, match="delete the file or pass --model-args cache=off"):
        GenerationCache(path)
