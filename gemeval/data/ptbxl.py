"""PTB-XL in its native PhysioNet layout: ``ptbxl_database.csv``, ``scp_statements.csv`` and
the ``records100/`` (100 Hz) and ``records500/`` (500 Hz) WFDB trees.

Labels follow the PTB-XL benchmark convention (Strodthoff et al. 2021): a record's
super-classes are the ``diagnostic_class`` values of every SCP code in its ``scp_codes``
that ``scp_statements.csv`` marks diagnostic, whatever the code's likelihood (so
``{'NORM': 100.0, 'IRBBB': 0.0}`` is NORM and CD). The test set is ``strat_fold`` 10, as in
that benchmark and ECG-Bench; a task file may choose others with ``metadata.ptbxl_folds``.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import pandas as pd

from gemeval.data.base import DataError, DataOptions, Dataset, ItemProblem, OutsideDataRoot
from gemeval.data.physionet import RecordResolver, find_files, in_label_space, measured_sample
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec
from gemeval.errors import InputError

DATABASE_FILE = "ptbxl_database.csv"
STATEMENTS_FILE = "scp_statements.csv"
TEST_FOLDS = (10,)
SUPERCLASS_ORDER = ("NORM", "MI", "STTC", "CD", "HYP")


def parse_scp_codes(text: Any) -> dict[str, float]:
    """``scp_codes`` (a Python dict literal, e.g. ``"{'NORM': 100.0, 'SR': 0.0}"``) as a dict.

    Raises:
        ValueError: the text is not a dict literal.
    """
    value = ast.literal_eval(text) if isinstance(text, str) else text
    if not isinstance(value, dict):
        raise InputError(f"scp_codes is not a dict literal: {text!r}")
    return {str(k): float(v) for k, v in value.items()}


def read_statements(path: Path | None) -> dict[str, str]:
    """SCP code -> diagnostic class, for the diagnostic statements.

    From ``scp_statements.csv`` when given, else from gemeval's embedded copy of the same
    table (``gemeval.ecg.labels.SCP_STATEMENTS``).
    """
    if path is None:
        from gemeval.ecg.labels import SCP_STATEMENTS

        return {code: s.superclass for code, s in SCP_STATEMENTS.items() if s.superclass}
    table = pd.read_csv(path, index_col=0)
    diagnostic = table[table["diagnostic"] == 1]
    return {str(code): str(cls) for code, cls in diagnostic["diagnostic_class"].items() if isinstance(cls, str)}


def superclasses_of(scp_codes: dict[str, float], diagnostic_class: dict[str, str]) -> list[str]:
    """The super-classes of a record's SCP codes, in NORM, MI, STTC, CD, HYP order."""
    found = {diagnostic_class[code] for code in scp_codes if code in diagnostic_class}
    return [name for name in SUPERCLASS_ORDER if name in found]


def record_path_for(ecg_id: int, rate_hz: int = 500) -> str:
    """The record path PTB-XL gives an ecg_id: ``records500/06000/06000_hr`` (or
    ``records100/06000/06000_lr`` at 100 Hz)."""
    folder = f"{ecg_id // 1000 * 1000:05d}"
    if rate_hz == 500:
        return f"records500/{folder}/{ecg_id:05d}_hr"
    return f"records100/{folder}/{ecg_id:05d}_lr"


def read_database(path: Path) -> pd.DataFrame:
    """``ptbxl_database.csv`` indexed by ``ecg_id``, ``scp_codes`` left as text."""
    frame = pd.read_csv(path, index_col="ecg_id")
    missing = {"scp_codes", "strat_fold"} - set(frame.columns)
    if missing:
        raise DataError(f"{path}: no {', '.join(sorted(missing))} column; is this PTB-XL's {DATABASE_FILE}?")
    return frame


def locate(data_dir: Path) -> list[Path]:
    """The ``ptbxl_database.csv`` files under ``data_dir``, shallowest first."""
    return find_files([data_dir], [DATABASE_FILE])


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def load(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """PTB-XL records of the test fold as samples of ``task``.

    multilabel (``ptbxl-super``): ``reference["labels"]`` = the super-classes (records
    without a diagnostic statement are left out, as in the PTB-XL benchmark, and counted
    in the note). grounded: ``reference`` = the report and the SCP codes of the task's
    label space (all codes stay in ``meta["scp_codes"]``), ``truth`` measured from the signal. report: ``reference["text"]`` = the report (PTB-XL reports
    are partly German, as published). The 500 Hz record is used when present, else the
    100 Hz one; a row with neither is reported and skipped. Returns None when there is no
    ``ptbxl_database.csv`` under ``--data-dir`` (or given as ``--data-file``).
    """
    if options.data_file is not None:
        if options.data_file.name != DATABASE_FILE:
            return None
        database = options.data_file
    elif options.data_dir is not None:
        found = locate(options.data_dir)
        if not found:
            return None
        database = found[0]
    else:
        return None
    if task.kind not in ("multilabel", "grounded", "report"):
        raise DataError(
            f"task {task.name!r} ({task.path}) is a {task.kind} task; native PTB-XL makes multilabel, "
            "grounded and report samples only: remove `ptbxl` from its sources"
        )
    statements_file = database.with_name(STATEMENTS_FILE)
    diagnostic_class = read_statements(statements_file if statements_file.is_file() else None)
    frame = read_database(database)
    folds = tuple(int(f) for f in task.options.get("ptbxl_folds", TEST_FOLDS))
    rows = frame[frame["strat_fold"].isin(folds)]
    resolver = RecordResolver([database.parent, options.data_dir],
                              confine_to=[options.data_dir or database.parent])

    samples: list[Sample] = []
    problems: list[ItemProblem] = []
    without_diagnosis = 0
    for ecg_id, row in rows.iterrows():
        item_id = f"ptbxl-{int(ecg_id)}"
        try:
            codes = parse_scp_codes(row["scp_codes"])
        except (ValueError, SyntaxError) as error:
            problems.append(ItemProblem(item_id, str(database), f"scp_codes unreadable ({error})"))
            continue
        record = None
        try:
            for column, rate in (("filename_hr", 500), ("filename_lr", 100)):
                record = resolver.resolve(_text(row.get(column)) or record_path_for(int(ecg_id), rate))
                if record is not None:
                    break
        except OutsideDataRoot as refused:
            problems.append(ItemProblem(item_id, str(database), str(refused)))
            continue
        if record is None:
            problems.append(ItemProblem(
                item_id, str(database),
                f"record {_text(row.get('filename_hr')) or record_path_for(int(ecg_id))} not found next to {database.name}; "
                "download records500/ (or records100/) too",
            ))
            continue
        report = _text(row.get("report"))
        common: dict[str, Any] = dict(
            id=item_id, task=task.name, prompt=(task.prompt or "").strip(), record_path=str(record),
            group=item_id,
            meta={"source": "ptbxl", "file": str(database), "ecg_id": int(ecg_id), "scp_codes": codes,
                  "strat_fold": int(row["strat_fold"])},
        )
        if task.kind == "multilabel":
            labels = superclasses_of(codes, diagnostic_class)
            if not labels:
                without_diagnosis += 1
                continue
            samples.append(Sample(reference={"labels": labels, "text": report}, **common))
        elif task.kind == "grounded":
            labels = in_label_space(list(codes), task.label_space)
            samples.append(measured_sample(reference={"text": report, "labels": labels}, **common))
        else:
            samples.append(Sample(reference={"text": report}, **common))
    if not samples:
        example = f" (e.g. {problems[0].item_id}: {problems[0].problem})" if problems else ""
        raise DataError(
            f"{database}: no usable record in fold(s) {', '.join(map(str, folds))}{example}; "
            "see docs/data.md for the PTB-XL download"
        )
    note = f"PTB-XL fold(s) {', '.join(map(str, folds))}: {len(samples)} records from {database}"
    if without_diagnosis:
        note += f"; {without_diagnosis} records without a diagnostic SCP statement left out (PTB-XL benchmark rule)"
    return Dataset(samples=samples, source="ptbxl", files=[str(database)], note=note, problems=problems)
