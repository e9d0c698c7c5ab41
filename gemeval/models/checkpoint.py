"""Which weights a run used, for config.json: a hub id with its commit, or a local folder
with a fingerprint of its files.

The fingerprint is the SHA-256 over, for each weight and config file in name order, its
name, its size and its first and last MiB. Reading a few MiB per file keeps it to
milliseconds for a 15 GB checkpoint while any retrained, re-quantised or swapped file
changes it (a change confined to the middle of a shard with the same size is the blind
spot, accepted for the speed).
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".json", ".model", ".jinja")
_EDGE_BYTES = 1 << 20


def _update(digest, path: Path, name: str) -> None:
    size = path.stat().st_size
    digest.update(f"{name}\0{size}\0".encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_EDGE_BYTES))
        if size > 2 * _EDGE_BYTES:
            handle.seek(size - _EDGE_BYTES)
            digest.update(handle.read(_EDGE_BYTES))


def file_fingerprint(path: Path) -> str:
    """The fingerprint of one file (a tower checkpoint, say), by the same rule."""
    digest = hashlib.sha256()
    _update(digest, path, path.name)
    return digest.hexdigest()


def folder_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _WEIGHT_SUFFIXES)
    for path in files:
        _update(digest, path, path.relative_to(folder).as_posix())
    return digest.hexdigest()


def checkpoint_identity(pretrained: str, revision: str | None = None, commit: str | None = None) -> dict[str, Any]:
    """``{"path", "fingerprint"}`` for a local folder, else ``{"hub_id", "revision", "commit"}``
    (``commit``: the resolved hub commit, when the loader reports it)."""
    folder = Path(pretrained).expanduser()
    if folder.is_dir():
        return {"path": str(folder.resolve()), "fingerprint": folder_fingerprint(folder)}
    return {"hub_id": pretrained, "revision": revision or "main", "commit": commit}


def weight_names(folder: Path) -> set[str] | None:
    """The tensor names a checkpoint folder holds, from its ``*.index.json`` weight maps or
    its safetensors headers (no tensor is read); None when only pickled ``.bin`` files
    without an index hold them (their names cannot be listed without loading them)."""
    names: set[str] = set()
    found = False
    for index in sorted(folder.glob("*.index.json")):
        names.update(json.loads(index.read_text()).get("weight_map", {}))
        found = True
    if found:
        return names
    shards = sorted(folder.glob("*.safetensors"))
    if not shards:
        return None
    for shard in shards:
        with shard.open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            names.update(k for k in json.loads(handle.read(length)) if k != "__metadata__")
    return names
