"""The data-source protocol and the dispatcher that picks a source for a task."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from gemeval.sample import Sample
from gemeval.tasks import TaskSpec


class DataError(ValueError):
    """Data that cannot be used; the message names the file, the item and the fix."""


@dataclass(frozen=True)
class ItemProblem:
    """One item that was skipped, with why: reported in the run, never dropped silently."""

    item_id: str
    file: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.item_id, "file": self.file, "problem": self.problem}


@dataclass
class DataOptions:
    data_dir: Path | None = None
    data_file: Path | None = None
    seed: int = 0
    synthetic_n: int | None = None

    @classmethod
    def from_env(cls, data_dir: Path | None = None, data_file: Path | None = None, **kw: Any) -> "DataOptions":
        if data_dir is None and os.environ.get("GEMEVAL_DATA"):
            data_dir = Path(os.environ["GEMEVAL_DATA"])
        return cls(data_dir=data_dir, data_file=data_file, **kw)


@dataclass
class Dataset:
    samples: list[Sample]
    source: str
    files: list[str] = field(default_factory=list)
    synthetic_fallback: bool = False
    note: str = ""
    problems: list[ItemProblem] = field(default_factory=list)
    synthetic_n: int | None = None  # the size a generated set was built with (to load it again)

    @property
    def fingerprint(self) -> str:
        return fingerprint_samples(self.samples)

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "files": self.files,
            "n": len(self.samples),
            "fingerprint": self.fingerprint,
            "prompt_sha256": hashlib.sha256(
                "\n".join(s.prompt for s in self.samples).encode()
            ).hexdigest(),
            "synthetic_fallback": self.synthetic_fallback,
            "note": self.note,
            "n_skipped": len(self.problems),
        } | ({"synthetic_n": self.synthetic_n} if self.synthetic_n is not None else {})


def collect_files(
    batches: Sequence[tuple[Path, Any]],
    build: Callable[[Path, Any], tuple[list[Sample], list[ItemProblem], str]],
    repeat_problem: str,
) -> tuple[list[Sample], list[ItemProblem], list[str]]:
    """Samples of several files of one task, in file order: ``build(file, items)`` gives a
    file's samples, its skipped items and a note on its media; an id that an earlier file
    already gave is skipped with ``repeat_problem`` (the first one is kept)."""
    samples: list[Sample] = []
    problems: list[ItemProblem] = []
    notes: list[str] = []
    for file, items in batches:
        got, bad, media = build(file, items)
        notes.append(media)
        taken = {s.id for s in samples}
        for sample in got:
            if sample.id in taken:
                bad.append(ItemProblem(sample.id, str(file), repeat_problem))
            else:
                samples.append(sample)
        problems.extend(bad)
    return samples, problems, notes


def fingerprint_samples(samples: Sequence[Sample]) -> str:
    """Hash of ids, prompts and references: equal exactly when two runs saw the same data."""
    h = hashlib.sha256()
    for s in samples:
        h.update(json.dumps([s.id, s.prompt, s.reference], sort_keys=True, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class SourceInfo:
    """A data source.

    ``load(task, options)`` returns a Dataset, or None when the source's files are not
    present (then the next source is tried). ``needs`` says which files it reads and
    ``get`` the command that obtains them, for `gemeval data check`.
    """

    name: str
    target: str  # "module:function"
    summary: str
    needs: str
    get: str
    published_test_set: bool = False  # reads the published benchmark files (sizes comparable)

    def loader(self) -> Callable[[TaskSpec, DataOptions], Dataset | None]:
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)


SOURCES: dict[str, SourceInfo] = {}


def register_source(info: SourceInfo) -> None:
    SOURCES[info.name] = info


def load_dataset(task: TaskSpec, options: DataOptions) -> Dataset:
    """The task's samples from the first source present, else the synthetic set."""
    from gemeval.data import sources  # noqa: F401  (fills SOURCES)

    for name in task.sources:
        if name not in SOURCES:
            raise DataError(f"task {task.name!r} ({task.path}) names unknown data source {name!r}")
        dataset = SOURCES[name].loader()(task, options)
        if dataset is not None:
            published = task.options.get("published_n")
            if SOURCES[name].published_test_set and published and len(dataset.samples) != int(published):
                # never silently a different set: say how it differs from the published one
                dataset.note = (f"{dataset.note}; {len(dataset.samples)} items, the published test set "
                                f"has {int(published)}").lstrip("; ")
            return dataset
    if options.data_file is not None:
        raise DataError(
            f"--data-file {options.data_file}: not a file any source of task {task.name!r} "
            f"reads ({', '.join(task.sources) or 'none'}); see `gemeval data list`"
        )
    dataset = SOURCES["synthetic"].loader()(task, options)
    if task.sources:
        dataset.synthetic_fallback = True
        where = f"under {options.data_dir}" if options.data_dir else "(no --data-dir or GEMEVAL_DATA given)"
        dataset.note = (
            f"no {task.name} data ({', '.join(task.sources)}) found {where}; ran on the embedded "
            "synthetic set instead (see `gemeval data check`)"
        )
    return dataset
