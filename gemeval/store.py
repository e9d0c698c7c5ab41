"""The run directory: the only thing reports read.

    runs/<task>/<model>/<run-id>/
      config.json     what determines the run (model, task + hash, judge + rubric hash,
                      versions, git sha, seed, data fingerprint, command line)
      samples.jsonl   one JSON object per sample, appended as each is done
      results.json    aggregates: per metric value, 95% CI, n, failures; cost; timings

samples.jsonl is append-only and each line is written whole with one ``write`` followed by
flush and fsync, so a killed run leaves at most a torn last line, which ``read_samples``
ignores (and ``SampleWriter`` truncates before appending) and the rerun redoes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from gemeval.errors import InputError
from gemeval.redact import redact_urls
from gemeval.schema import SCHEMA_VERSION, RunConfig, Results, SampleRecord, validate

CONFIG = "config.json"
LOCK = ".lock"
SAMPLES = "samples.jsonl"
RESULTS = "results.json"
FORMAT_VERSION = SCHEMA_VERSION


class RunStoreError(InputError):
    """A run directory that cannot be read, with the path and what to do."""


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot store {type(obj).__name__} in a run directory")


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=_json_default, ensure_ascii=False, allow_nan=True)


def write_json(path: Path, obj: Any) -> None:
    """Write atomically: a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, default=_json_default, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise RunStoreError(f"{path} not found; is this a run directory written by `gemeval run`?") from None
    except json.JSONDecodeError as exc:
        raise RunStoreError(f"{path} is not valid JSON ({exc}); rerun the command that made it") from None
    except UnicodeDecodeError as exc:
        raise RunStoreError(f"{path} is not UTF-8 text ({exc.reason}); is this a run directory?") from None
    except OSError as exc:
        folder = Path(path).parent
        what = "not a folder" if folder.exists() and not folder.is_dir() else (exc.strerror or str(exc))
        raise RunStoreError(f"{folder} is {what}: give a run directory written by `gemeval run`"
                            if what == "not a folder" else f"{path}: {what}") from None


def iter_samples(run_dir: Path) -> Iterator[SampleRecord]:
    """The sample records of a run, skipping a torn last line from a killed run; a line
    that does not match the run schema raises RunStoreError naming the file and line."""
    path = Path(run_dir) / SAMPLES
    if not path.exists():
        return
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.endswith(b"\n"):
                break
            line = raw.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise RunStoreError(
                    f"{path}: a line is not valid JSON (file edited by hand?); "
                    "delete that line and rerun to recompute the sample"
                ) from None
            yield _checked(SampleRecord, record, f"{path}:{line_no}")


def read_samples(run_dir: Path) -> list[SampleRecord]:
    """All sample records; where an id appears twice (merged shards), the last one wins."""
    by_id: dict[str, SampleRecord] = {}
    for rec in iter_samples(run_dir):
        by_id[rec["id"]] = rec
    return list(by_id.values())


class SampleWriter:
    """Appends sample records to samples.jsonl, durable line by line."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / SAMPLES
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._drop_torn_tail()
        self._fh = self.path.open("ab")

    def _drop_torn_tail(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            with self.path.open("r+b") as fh:
                fh.truncate(keep)

    def write(self, record: SampleRecord) -> None:
        self._fh.write((dumps(redact_urls(record)) + "\n").encode("utf-8"))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def write_many(self, records: Iterable[SampleRecord]) -> None:
        for rec in records:
            # error texts may quote a URL: its credentials never reach the file
            self._fh.write((dumps(redact_urls(rec)) + "\n").encode("utf-8"))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "SampleWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _checked(kind: type, data: Any, where: str) -> Any:
    try:
        return validate(kind, data, where)
    except InputError as exc:
        raise RunStoreError(str(exc)) from None


def read_config(run_dir: Path) -> RunConfig:
    """config.json of a run, checked against the run schema."""
    path = Path(run_dir) / CONFIG
    config: RunConfig = _checked(RunConfig, read_json(path), str(path))
    return config


def read_results(run_dir: Path) -> Results:
    """results.json of a run, checked against the run schema."""
    path = Path(run_dir) / RESULTS
    results: Results = _checked(Results, read_json(path), str(path))
    return results


def is_run_dir(path: Path) -> bool:
    return (Path(path) / CONFIG).is_file()


def find_run_dirs(paths: Iterable[Path]) -> list[Path]:
    """Run directories at or below each path, in sorted order."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        if is_run_dir(p):
            found.append(p)
        elif p.is_dir():
            found.extend(sorted(c.parent for c in p.rglob(CONFIG)))
        else:
            raise RunStoreError(f"{p} is not a run directory (no {CONFIG}); give the folder `gemeval run` printed")
    return found


@contextlib.contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run directory for one writer: a second ``gemeval run`` of the same run (a CI
    retry while the first still runs, say) stops at once instead of duplicating samples."""
    path = Path(run_dir) / LOCK
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunStoreError(
                f"{run_dir} is being written by {holder}; wait for it to finish (rerunning the same "
                "command afterwards continues from where it stopped)"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"gemeval run pid {os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
