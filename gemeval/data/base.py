"""The data-source protocol and the dispatcher that picks a source for a task."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from gemeval.sample import Sample
from gemeval.errors import InputError
from gemeval.registry import Registry
from gemeval.tasks import TaskSpec


class DataError(InputError):
    """Data that cannot be used; the message names the file, the item and the fix."""


class OutsideDataRoot(DataError):
    """A path named by a dataset item that leads outside the data root; the item is
    refused (never opened, never sent to a model)."""


def inside_roots(path: Path | str, roots: Sequence[Path | str]) -> bool:
    """True when ``path``, with every symlink and ``..`` resolved, lies inside one of
    ``roots`` (resolved the same way)."""
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False


def usable_name(named: str, what: str) -> str:
    """``named`` itself, or :class:`OutsideDataRoot` when no file can have that name (a NUL
    byte in it): the item is refused with what it asked for, never opened."""
    if "\x00" in named:
        raise OutsideDataRoot(f"{what} {named!r} holds a NUL byte, which no file name can; refused. "
                              f"Fix the item's {what} path in the data file")
    return named


def confine(path: Path, roots: Sequence[Path] | None, what: str, named: str) -> Path:
    """``path`` itself when it lies inside ``roots`` (or no roots are set), else
    :class:`OutsideDataRoot` naming what the item asked for."""
    if roots is not None and not inside_roots(path, roots):
        where = ", ".join(str(r) for r in roots) or "(none)"
        raise OutsideDataRoot(f"{what} {named!r} leads outside the data root ({where}); refused. "
                              "Media paths must lie inside --data-dir (symlinks included)")
    return path


def media_roots(data_dir: Path | None, file: Path) -> list[Path]:
    """The folders an item's media paths may lead into: ``--data-dir`` when given, else the
    folder of the data file (its parent when that folder is ``ecg_bench`` or ``ecg_jsons``,
    the layouts of GEM's ECG-Grounding release)."""
    if data_dir is not None:
        return [Path(data_dir)]
    folder = Path(file).parent
    return [folder.parent if folder.name in ("ecg_bench", "ecg_jsons") else folder]


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
        origin = "--data-dir"
        if data_dir is None and os.environ.get("GEMEVAL_DATA"):
            data_dir, origin = Path(os.environ["GEMEVAL_DATA"]), "GEMEVAL_DATA"
        if data_dir is not None and not Path(data_dir).is_dir():
            # a folder the user named that cannot serve is never silently replaced by the
            # synthetic set: that fallback is only for "no data given"
            what = "does not exist" if not Path(data_dir).exists() else "is not a folder"
            raise DataError(f"{origin} {data_dir} {what}; expected the folder that holds the published datasets "
                            "(see `gemeval data check DIR`), or leave it unset to run on the synthetic set")
        if data_file is not None and not Path(data_file).is_file():
            what = "does not exist" if not Path(data_file).exists() else "is not a file"
            raise DataError(f"--data-file {data_file} {what}; expected one file in a published format "
                            "(see `gemeval data list`)")
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

    def content_sha256(self) -> str:
        """Hash of the bytes of everything the samples are made of: the data files, each
        sample's image and WFDB record files, the truth a loader holds, and the ids,
        prompts and references. Two runs share it exactly when their inputs are the same
        bytes, wherever the files are."""
        return content_sha256(self.files, self.samples)

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "files": self.files,
            "n": len(self.samples),
            "fingerprint": self.fingerprint,
            "content_sha256": self.content_sha256(),
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


def item_id_of(item: dict[str, Any], *keys: str, fallback: str) -> str:
    """The item's id under the first of ``keys`` that holds one, as text; ``fallback`` only
    when none does. An id 0 (or "0") is an id like any other."""
    for key in keys:
        value = item.get(key)
        if value is not None and value != "":
            return str(value)
    return fallback


def fingerprint_samples(samples: Sequence[Sample]) -> str:
    """Hash of ids, prompts and references: equal exactly when two runs saw the same data."""
    h = hashlib.sha256()
    for s in samples:
        h.update(json.dumps([s.id, s.prompt, s.reference], sort_keys=True, default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


def _file_digest(path: Path, cache: dict[str, str]) -> str:
    """sha256 of a file's bytes ("missing" when it cannot be read), once per path."""
    key = str(path)
    if key not in cache:
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            cache[key] = digest.hexdigest()
        except OSError:
            cache[key] = "missing"
    return cache[key]


def _record_files(record_path: str) -> list[Path]:
    """The files of a WFDB record that exist: its header and its signal file(s)."""
    base = Path(record_path)
    return [p for p in (base.with_name(base.name + ext) for ext in (".hea", ".dat", ".mat")) if p.is_file()]


def content_sha256(files: Sequence[str | Path], samples: Sequence[Sample]) -> str:
    """See :meth:`Dataset.content_sha256`. Samples whose truth is computed lazily from their
    record (measured samples) are covered by their record's bytes."""
    cache: dict[str, str] = {}
    h = hashlib.sha256()
    for file in files:
        if Path(file).is_file():
            h.update(f"file {Path(file).name} {_file_digest(Path(file), cache)}\n".encode())
    h.update(fingerprint_samples(samples).encode())
    for s in samples:
        parts: list[str] = [s.id]
        held_png = s.__dict__.get("image_png", s.__dict__.get("_image_png"))
        if held_png is not None:
            parts.append("png " + hashlib.sha256(held_png).hexdigest())
        if s.image_path:
            parts.append("image " + _file_digest(Path(s.image_path), cache))
        if s.record_path:
            parts.extend(f"{p.suffix} {_file_digest(p, cache)}" for p in _record_files(s.record_path))
        elif s.record is not None:
            parts.append("signal " + hashlib.sha256(s.record.signal_mv.tobytes()).hexdigest())
        if "truth" in s.__dict__:
            parts.append("truth " + json.dumps(s.__dict__["truth"], sort_keys=True, default=str))
        h.update(("\0".join(parts) + "\n").encode())
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
        loader: Callable[[TaskSpec, DataOptions], Dataset | None] = SOURCES.load(self.name, self.target)
        return loader


def _source_from_entry_point(name: str, target: str, dist: str) -> SourceInfo:
    return SourceInfo(name=name, target=target, summary=f"plug-in data source from {dist}",
                      needs=f"what the {dist} package documents", get=f"see the {dist} package")


def _not_a_loader(info: SourceInfo | None, obj: Any) -> str | None:
    return None if callable(obj) else "is not a function load(task, options) -> Dataset | None"


SOURCES: Registry[SourceInfo] = Registry(
    "data source", "gemeval.data", "gemeval.data.sources", _source_from_entry_point, _not_a_loader,
)
"""Every data source by name: gemeval's own (gemeval.data.sources) and the plug-ins'."""


def register_source(info: SourceInfo) -> None:
    """Add a data source; a name that is already taken is refused."""
    SOURCES.add(info.name, info)


def load_dataset(task: TaskSpec, options: DataOptions) -> Dataset:
    """The task's samples from the first source present, else the synthetic set."""
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
    if dataset is None:  # the embedded set is built on demand, so this is a bug
        raise RuntimeError("the synthetic data source returned nothing")
    if task.sources:
        dataset.synthetic_fallback = True
        where = f"under {options.data_dir}" if options.data_dir else "(no --data-dir or GEMEVAL_DATA given)"
        dataset.note = (
            f"no {task.name} data ({', '.join(task.sources)}) found {where}; ran on the embedded "
            "synthetic set instead (see `gemeval data check`)"
        )
    return dataset
