"""MIMIC-IV-ECG: the machine measurements as verification truth, and the records as a
grounded-interpretation data source.

MIMIC-IV-ECG (PhysioNet ``mimic-iv-ecg``) ships, beside ``files/p..../p<subject>/s<study>/
<study>.hea``, a ``machine_measurements.csv`` with one row per study: the ECG cart's
interval fiducials and axes (``rr_interval, p_onset, p_end, qrs_onset, qrs_end, t_end,
p_axis, qrs_axis, t_axis``, in ms and degrees) and its statements ``report_0`` ..
``report_17``. :func:`machine_truth` turns a row into the keys of ``gemeval.ecg.values``:

    rr_ms   = rr_interval                      hr_bpm  = 60000 / rr_ms
    pr_ms   = qrs_onset - p_onset              qrs_ms  = qrs_end - qrs_onset
    qt_ms   = t_end - qrs_onset                axis_deg = qrs_axis, wrapped to (-180, 180]
    qtc_ms  = qt_ms / sqrt(rr_ms / 1000)       (Bazett)
    qtc_fridericia_ms = qt_ms / cbrt(rr_ms / 1000)

The cart writes 29999 (and sometimes larger values) where it has no fiducial, e.g. no P
onset in atrial fibrillation; such values, non-numbers and differences outside
(0, :data:`MAX_INTERVAL_MS`) ms become NaN, i.e. "not verifiable", never a false truth.
Per-lead values (ST, R, S) are not in the file, so claims about them stay unverifiable
against machine truth.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from gemeval.data.base import DataError, DataOptions, Dataset, ItemProblem
from gemeval.data.physionet import RecordResolver, find_files
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

MISSING_AT = 29999.0
"""The cart's code for "no value"; anything at or above it is missing."""
MAX_INTERVAL_MS = 3000.0
"""Longest interval accepted as a measurement (an RR of 3 s is 20 bpm)."""
MEASUREMENT_COLUMNS = ("rr_interval", "p_onset", "p_end", "qrs_onset", "qrs_end", "t_end",
                       "p_axis", "qrs_axis", "t_axis")
REPORT_COLUMNS = tuple(f"report_{i}" for i in range(18))
MEASUREMENTS_FILE = "machine_measurements.csv"


def _value(row: Mapping[str, Any], key: str) -> float:
    """A finite number below the missing code, else NaN."""
    raw = row.get(key)
    if raw is None:
        return math.nan
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) and value < MISSING_AT else math.nan


def _interval(start: float, end: float) -> float:
    span = end - start
    return span if 0.0 < span < MAX_INTERVAL_MS else math.nan


def machine_truth(row: Mapping[str, Any]) -> dict[str, float]:
    """The verification truth of one ``machine_measurements.csv`` row (see module doc).

    ``row`` is a mapping with the CSV's column names (values as numbers or strings, as in
    the CSV or in ECG-Grounding's ``machine_measurements`` field). Keys whose value is
    missing are NaN.
    """
    rr = _value(row, "rr_interval")
    rr = rr if 0.0 < rr < MAX_INTERVAL_MS else math.nan
    p_on, qrs_on, qrs_end, t_end = (_value(row, k) for k in ("p_onset", "qrs_onset", "qrs_end", "t_end"))
    qt = _interval(qrs_on, t_end)
    rr_s = rr / 1000.0
    axis = _value(row, "qrs_axis")
    if math.isfinite(axis):
        axis = axis - 360.0 * math.ceil((axis - 180.0) / 360.0)
    return {
        "hr_bpm": 60000.0 / rr if math.isfinite(rr) else math.nan,
        "rr_ms": rr,
        "pr_ms": _interval(p_on, qrs_on),
        "qrs_ms": _interval(qrs_on, qrs_end),
        "qt_ms": qt,
        "qtc_ms": qt / math.sqrt(rr_s) if math.isfinite(qt) and math.isfinite(rr) else math.nan,
        "qtc_fridericia_ms": qt / rr_s ** (1.0 / 3.0) if math.isfinite(qt) and math.isfinite(rr) else math.nan,
        "axis_deg": axis,
    }


def machine_report(row: Mapping[str, Any]) -> str:
    """The cart's statements ``report_0`` .. ``report_17``, joined as sentences."""
    parts = []
    for key in REPORT_COLUMNS:
        text = row.get(key)
        if isinstance(text, str) and text.strip():
            parts.append(text.strip().rstrip("."))
    return ". ".join(parts) + ("." if parts else "")


def study_record_path(subject_id: int, study_id: int) -> str:
    """MIMIC-IV-ECG's record path of a study: ``files/p<first 4 digits>/p<subject>/s<study>/<study>``."""
    subject = str(int(subject_id))
    return f"files/p{subject[:4]}/p{subject}/s{int(study_id)}/{int(study_id)}"


class MachineMeasurements:
    """``machine_measurements.csv`` indexed by ``study_id``, read once on first lookup."""

    def __init__(self, path: Path):
        self.path = path
        self._rows: dict[int, dict[str, Any]] | None = None

    def _load(self) -> dict[int, dict[str, Any]]:
        frame = pd.read_csv(self.path, low_memory=False)
        if "study_id" not in frame.columns:
            raise DataError(f"{self.path}: no study_id column; is this MIMIC-IV-ECG's {MEASUREMENTS_FILE}?")
        return {int(row["study_id"]): row for row in frame.to_dict("records")}

    def row(self, study_id: int) -> dict[str, Any] | None:
        if self._rows is None:
            self._rows = self._load()
        return self._rows.get(int(study_id))

    def rows(self) -> list[dict[str, Any]]:
        if self._rows is None:
            self._rows = self._load()
        return list(self._rows.values())


def find_measurements(roots: list[Path]) -> MachineMeasurements | None:
    """The first ``machine_measurements.csv`` at or below ``roots``, or None."""
    found = find_files(roots, [MEASUREMENTS_FILE])
    return MachineMeasurements(found[0]) if found else None


def study_id_of(record_path: str) -> int | None:
    """The study id a MIMIC-IV-ECG record path ends with (``.../s40689238/40689238``)."""
    name = Path(record_path).name
    return int(name) if name.isdigit() else None


def load(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """MIMIC-IV-ECG studies as grounded samples, truth from the machine measurements.

    Every study of ``machine_measurements.csv`` (under ``--data-dir``, or ``--data-file``
    naming the CSV) whose record is present becomes a sample: id = study id, prompt = the
    task's prompt, ``reference["text"]`` = the cart's statements, ``truth`` =
    :func:`machine_truth` with ``truth_source="machine-measurements"``. Studies whose record
    is missing are reported and skipped. Returns None when there is no such CSV.
    """
    if task.kind != "grounded":
        raise DataError(
            f"task {task.name!r} ({task.path}) is a {task.kind} task; MIMIC-IV-ECG records make "
            "grounded samples only: remove `mimic` from its sources"
        )
    table: MachineMeasurements | None
    if options.data_file is not None:
        if options.data_file.name != MEASUREMENTS_FILE:
            return None
        table = MachineMeasurements(options.data_file)
        roots = [options.data_file.parent, *([options.data_dir] if options.data_dir else [])]
    elif options.data_dir is not None:
        table = find_measurements([options.data_dir])
        if table is None:
            return None
        roots = [table.path.parent, options.data_dir]
    else:
        return None
    resolver = RecordResolver(roots)
    samples: list[Sample] = []
    problems: list[ItemProblem] = []
    for row in table.rows():
        study = int(row["study_id"])
        relative = study_record_path(row["subject_id"], study)
        record = resolver.resolve(relative)
        if record is None:
            problems.append(ItemProblem(str(study), str(table.path), f"record {relative} not found under {', '.join(map(str, roots))}"))
            continue
        samples.append(Sample(
            id=str(study),
            task=task.name,
            prompt=(task.prompt or "").strip(),
            reference={"text": machine_report(row)},
            record_path=str(record),
            truth=machine_truth(row),
            truth_source="machine-measurements",
            group=str(study),
            meta={"source": "mimic-iv-ecg", "file": str(table.path), "subject_id": int(row["subject_id"]),
                  "study_id": study},
        ))
    if not samples:
        raise DataError(
            f"{table.path}: none of its {len(problems)} studies has its record under "
            f"{', '.join(map(str, roots))} (e.g. {problems[0].problem if problems else 'no rows'}); "
            "download the records too (see docs/data.md)"
        )
    return Dataset(
        samples=samples,
        source="mimic-iv-ecg",
        files=[str(table.path)],
        note=f"{len(samples)} MIMIC-IV-ECG studies; truth from the cart's machine measurements",
        problems=problems,
    )


def truth_for(record_path: str | None, inline: Any, table: MachineMeasurements | None) -> dict[str, float] | None:
    """Machine truth for a MIMIC-IV-ECG record: from the item's own ``machine_measurements``
    (a dict, or a one-element list of one) if it has any, else from the CSV row of its
    study; None when neither exists."""
    if isinstance(inline, list) and len(inline) == 1:
        inline = inline[0]
    if isinstance(inline, Mapping) and any(key in inline for key in MEASUREMENT_COLUMNS):
        return machine_truth(inline)
    if table is not None and record_path:
        study = study_id_of(record_path)
        row = table.row(study) if study is not None else None
        if row is not None:
            return machine_truth(row)
    return None

