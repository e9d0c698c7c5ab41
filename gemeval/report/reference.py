"""Published numbers, kept apart from measured ones.

``leaderboards/reference/*.csv`` holds numbers copied from papers, one row per model, task,
dataset and metric, each with ``status`` = ``reported``, its source (arXiv id) and, where a
judge scored it, the judge. ``value`` is in gemeval's unit for the metric (a fraction for
F1 / AUC / Hamming loss / accuracy, the judge's own scale for judge criteria); ``published``
keeps the text as printed in the paper, ``unit`` says what the published number was.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from gemeval.errors import InputError

COLUMNS = ("status", "model", "task", "dataset", "metric", "value", "unit", "published", "source", "judge", "note")
REPORTED = "reported"

_PACKAGE = Path(__file__).resolve().parents[1]


class ReferenceFileError(InputError):
    """A reference CSV that cannot be read, with the file, the line and the fix."""


@dataclass(frozen=True)
class ReportedRow:
    model: str
    task: str
    dataset: str
    metric: str
    value: float
    unit: str
    published: str
    source: str
    judge: str
    note: str
    file: str


def default_reference_dir() -> Path | None:
    """``leaderboards/reference`` of the checkout, else the copy packed into the wheel
    (``gemeval/_resources/leaderboards/reference``), else None."""
    for candidate in (
        _PACKAGE.parent / "leaderboards" / "reference",
        _PACKAGE / "_resources" / "leaderboards" / "reference",
    ):
        if candidate.is_dir() and any(candidate.glob("*.csv")):
            return candidate
    return None


def read_reference_csv(path: Path) -> list[ReportedRow]:
    """The rows of one reference file; every row must be marked ``reported``."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceFileError(f"{path}: missing column(s) {', '.join(missing)}; the header must be {','.join(COLUMNS)}")
        rows = []
        for line_no, raw in enumerate(reader, start=2):
            if raw["status"] != REPORTED:
                raise ReferenceFileError(
                    f"{path}:{line_no}: status is {raw['status']!r}; reference rows are published numbers and must say "
                    f"'{REPORTED}' (measured numbers come from run directories)"
                )
            try:
                value = float(raw["value"])
            except ValueError:
                raise ReferenceFileError(f"{path}:{line_no}: value {raw['value']!r} is not a number") from None
            rows.append(ReportedRow(
                model=raw["model"], task=raw["task"], dataset=raw["dataset"], metric=raw["metric"], value=value,
                unit=raw["unit"], published=raw["published"], source=raw["source"], judge=raw["judge"] or "",
                note=raw["note"] or "", file=path.name,
            ))
    return rows


def load_reference(directory: Path | None = None) -> list[ReportedRow]:
    """All reported rows under ``directory`` (default: ``default_reference_dir()``), in
    file-name then file order; an empty list when there is no reference folder."""
    directory = directory if directory is not None else default_reference_dir()
    if directory is None:
        return []
    directory = Path(directory)
    if not directory.is_dir():
        raise ReferenceFileError(f"{directory} is not a folder of reference CSV files; give leaderboards/reference")
    rows: list[ReportedRow] = []
    for path in sorted(directory.glob("*.csv")):
        rows.extend(read_reference_csv(path))
    return rows
