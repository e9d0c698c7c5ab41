"""The leaderboard: one row per model and task, measured runs beside published numbers.

Measured rows come from run directories (results.json for the numbers and their CIs,
config.json for what made them); each row names its run directory, so every number traces
back to the per-sample records in that run's samples.jsonl. ``verify=True`` recomputes every
recomputable point value from those records and reports any that disagree. Reported rows come
from ``leaderboards/reference/*.csv`` and are always marked ``reported``.

Numbers on different data never share a table: the leaderboard is one table per task and
data set (the embedded synthetic set, a published test set, ...), named in the title, and a
published number appears beside measured ones only when both are on the same data set.

A run is *partial* when it scored fewer items than its data holds (``--limit``, ``--shard``)
or than the published test set has; such rows are marked with the count. Where several runs
share a task, data set, model, modality and judge, one row is shown: the newest complete run,
else (no complete run) the newest partial one, so a smoke run never hides a full run. The
others are named in the warnings.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from gemeval import __version__
from gemeval.report.compare import (
    MetricError,
    infer_per_sample_keys,
    load_corpus_function,
    metric_kind,
    per_sample_values,
)
from gemeval.report.reference import ReportedRow
from gemeval.schema import DataInfo, Results, RunConfig
from gemeval.store import RunStoreError, find_run_dirs, read_config, read_results, read_samples

MEASURED = "measured"
REPORTED = "reported"
VERIFY_RTOL = 1e-9


@dataclass
class Cell:
    """One metric of one row. Reported cells have no CI and may have no n."""

    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    n_failed: int | None = None
    higher_is_better: bool | None = None
    per_sample_key: str | None = None
    published: str | None = None


@dataclass
class Row:
    status: str
    task: str
    model: str
    modality: str
    data: str
    cells: dict[str, Cell]
    judge: str = ""
    rubric_version: str = ""
    judge_parse_failures: int | None = None
    cost_usd: float | None = None
    date: str = ""
    gemeval_version: str = ""
    run_id: str = ""
    run_dir: str = ""
    source: str = ""
    n_samples: int | None = None
    partial: str = ""  # "4 of 200 items" when the run scored fewer items than its data set holds


@dataclass
class TaskBoard:
    task: str
    metrics: list[str]
    rows: list[Row]
    dataset: str = ""

    @property
    def title(self) -> str:
        return f"{self.task} · {dataset_title(self.dataset)}"

    def higher_is_better(self, metric: str) -> bool:
        for row in self.rows:
            cell = row.cells.get(metric)
            if cell is not None and cell.higher_is_better is not None:
                return cell.higher_is_better
        return not metric.endswith(("loss", "_rate", "error"))

    @property
    def judge_criteria(self) -> list[str]:
        """Every judge criterion any row of the task has, in first-seen order."""
        seen: dict[str, None] = {}
        for row in self.rows:
            for metric in row.cells:
                if metric.startswith("judge."):
                    seen.setdefault(metric, None)
        return list(seen)


@dataclass
class Leaderboard:
    tasks: list[TaskBoard]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    generated_at: str = ""
    gemeval_version: str = __version__

    @property
    def n_measured(self) -> int:
        return sum(r.status == MEASURED for t in self.tasks for r in t.rows)


SYNTHETIC_PREFIX = "synthetic"
# the data-set names of measured runs' sources, as the published numbers name them
_GROUNDING_SETS = {"mimic": "ecg-grounding-test-mimiciv", "ptbxl": "ecg-grounding-test-ptbxl"}


def dataset_name(source: str) -> str:
    """The data set a run's ``data.source`` stands for, in the published numbers' terms:
    ``ecgbench:ptb-test`` -> ``ptb-test``, ``ecg-grounding:mimic`` -> ``ecg-grounding-test-mimiciv``;
    the synthetic set and anything else keep their name."""
    if source.startswith("ecgbench:"):
        return source.split(":", 1)[1]
    if source.startswith("ecg-grounding:"):
        parts = source.split(":", 1)[1].split("+")
        return "+".join(_GROUNDING_SETS.get(p, p) for p in parts)
    return source or "unknown data"


def dataset_title(name: str) -> str:
    """How a table names its data set: what it is, then its name."""
    if name.startswith(SYNTHETIC_PREFIX):
        return f"embedded synthetic set ({name})"
    if name == "unknown data":
        return "data set not recorded"
    return f"data set {name}"


def _partial(config: RunConfig, results: Results, data: DataInfo) -> str:
    """``"4 of 200 items"`` when the run scored fewer items than its data holds, or than the
    published test set of its task has (for a published set); "" for a complete run."""
    scored = results["n_samples"]
    total = data["n"]
    if scored < total:
        return f"{scored} of {total} items"
    published = _published_n(results["task"] or config["task"]["name"])
    source = data["source"]
    if published and not source.startswith(SYNTHETIC_PREFIX) and scored < published:
        return f"{scored} of {published} published items"
    return ""


def _published_n(task: str) -> int | None:
    from gemeval.tasks import TaskError, load_task

    try:
        value = load_task(task).options.get("published_n")
    except (TaskError, OSError, ValueError):
        return None
    return int(value) if isinstance(value, int) else None


def _judge_text(judge: Mapping[str, Any] | None) -> tuple[str, str]:
    if not judge:
        return "", ""
    if judge.get("skipped"):
        return f"not run ({judge.get('rubric', 'judge')} rubric skipped)", ""
    parts = [str(judge.get("model") or "?")]
    if judge.get("rubric"):
        parts.append(f"{judge['rubric']} v{judge.get('rubric_version', '?')}")
    if judge.get("rule"):
        parts.append(str(judge["rule"]))
    return " · ".join(parts), str(judge.get("rubric_version") or "")


def _finite(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def measured_row(run_dir: Path, config: RunConfig, results: Results) -> Row:
    """The leaderboard row of one finished run."""
    model = config["model"]
    judge = results["judge"] or config["judge"]
    judge_text, rubric_version = _judge_text(judge)
    failures = (results["judge"] or {}).get("parse_failures")
    cells = {}
    for name, entry in results["metrics"].items():
        cells[name] = Cell(
            value=float(entry["value"]) if entry["value"] is not None else float("nan"),
            ci_low=_finite(entry.get("ci_low")), ci_high=_finite(entry.get("ci_high")),
            n=entry.get("n"), n_failed=entry.get("n_failed"),
            higher_is_better=entry.get("higher_is_better"), per_sample_key=entry.get("per_sample_key"),
        )
    data = config["data"]
    return Row(
        status=MEASURED,
        task=results["task"] or config["task"]["name"],
        model=model["label"] or results["model_label"] or model["name"],
        modality=str(config["modality"] or results["modality"] or ""),
        data=dataset_name(data["source"]),
        cells=cells,
        judge=judge_text,
        rubric_version=rubric_version,
        judge_parse_failures=None if failures is None else int(sum(failures.values())),
        cost_usd=_finite(results["cost_usd"]),
        date=(results["created_at"] or config["created_at"])[:10],
        gemeval_version=results["gemeval_version"] or config["versions"].get("gemeval") or "",
        run_id=results["run_id"] or config["run_id"] or run_dir.name,
        run_dir=str(run_dir),
        source=str(run_dir / "samples.jsonl"),
        n_samples=results["n_samples"],
        partial=_partial(config, results, data),
    )


def reported_rows(rows: Sequence[ReportedRow]) -> list[Row]:
    """Reference rows grouped into one leaderboard row per model, task and dataset."""
    out: dict[tuple[str, str, str, str], Row] = {}
    for ref in rows:
        key = (ref.task, ref.model, ref.dataset, ref.judge)
        row = out.get(key)
        if row is None:
            row = out[key] = Row(
                status=REPORTED, task=ref.task, model=ref.model, modality="", data=ref.dataset, cells={},
                judge=ref.judge, source=ref.source, run_dir=f"leaderboards/reference/{ref.file}",
            )
        row.cells[ref.metric] = Cell(value=ref.value, published=ref.published)
    return list(out.values())


def verify_run(run_dir: Path, results: Results) -> list[str]:
    """Recompute the point value of every recomputable metric from samples.jsonl; one line
    per metric whose stored value or n disagrees (relative tolerance ``VERIFY_RTOL``)."""
    samples = read_samples(run_dir)
    infer_per_sample_keys(results, samples)
    problems = []
    for name, entry in results["metrics"].items():
        kind = metric_kind(entry)
        stored = entry["value"]
        if kind == "mean":
            values = per_sample_values(samples, entry["per_sample_key"])
            present = values[np.isfinite(values)]
            value = float(present.mean()) if present.size else float("nan")
            if entry.get("n") is not None and int(entry["n"]) != present.size:
                problems.append(f"{run_dir}: {name} has n = {entry['n']} in results.json, {present.size} in samples.jsonl")
        elif kind == "corpus":
            func = load_corpus_function(entry["corpus"])
            value = float(func([s.get("metrics") or {} for s in samples], np.ones((1, len(samples))))[0])
        else:
            continue
        stored_value = _finite(stored)
        if stored is not None and stored_value is None and not (isinstance(stored, float) and math.isnan(stored)):
            problems.append(f"{run_dir}: {name} is {stored!r} in results.json, not a number")
            continue
        # no value (None or NaN in results.json) agrees with no value from the samples
        same = (stored_value is None and not math.isfinite(value)) or (
            stored_value is not None and math.isclose(stored_value, value, rel_tol=VERIFY_RTOL, abs_tol=1e-12)
        )
        if not same:
            problems.append(f"{run_dir}: {name} is {stored} in results.json but {value} from samples.jsonl")
    return problems


def build_leaderboard(
    paths: Sequence[Path],
    reference: Sequence[ReportedRow] = (),
    all_metrics: bool = False,
    verify: bool = False,
) -> Leaderboard:
    """Collect the runs at or below ``paths`` and the reported rows into per-task tables.

    A run that has not finished (no results.json) or cannot be read is left out with a
    warning. With ``verify``, disagreements between results.json and samples.jsonl go to
    ``errors``. Columns per task: the union of the runs' ``headline`` metrics (every metric
    with ``all_metrics``); a task with only reported rows shows every reported metric.
    """
    warnings: list[str] = []
    errors: list[str] = []
    newest: dict[tuple, tuple[tuple[bool, str], Row, Results]] = {}
    headline: dict[str, dict[str, None]] = {}
    for run_dir in find_run_dirs(paths):
        try:
            config = read_config(run_dir)
            results = read_results(run_dir)
        except RunStoreError as exc:
            warnings.append(f"skipped {run_dir}: {exc}")
            continue
        row = measured_row(run_dir, config, results)
        key = (row.task, row.model, row.modality, row.data, row.judge)
        rank = (not row.partial, results["created_at"])  # complete beats partial, then newer
        if key in newest:
            old_rank, old_row, _ = newest[key]
            kept, dropped = (old_row, row) if old_rank > rank else (row, old_row)
            why = "a complete run" if kept.partial == "" and dropped.partial else "the newer run"
            warnings.append(f"{dropped.run_dir}{' (partial: ' + dropped.partial + ')' if dropped.partial else ''} "
                            f"is superseded by {why} {kept.run_dir} ({row.model}, {row.task})")
            if old_rank > rank:
                continue
        newest[key] = (rank, row, results)
    for _, row, results in newest.values():
        names = list(results["metrics"]) if all_metrics else list(results["headline"])
        if not names:
            names = list(results["metrics"])
        cols = headline.setdefault(row.task, {})
        for name in names:
            cols.setdefault(name, None)
        if verify:
            try:
                errors.extend(verify_run(Path(row.run_dir), results))
            except (MetricError, RunStoreError) as exc:
                errors.append(f"{row.run_dir}: cannot verify ({exc})")
    # one table per task and data set: numbers on different data are never on one axis
    rows_by_table: dict[tuple[str, str], list[Row]] = {}
    for _, row, _ in newest.values():
        rows_by_table.setdefault((row.task, row.data), []).append(row)
    for row in reported_rows(reference):
        rows_by_table.setdefault((row.task, row.data), []).append(row)
    boards = []
    measured_tables = {key for key, rows in rows_by_table.items() if any(r.status == MEASURED for r in rows)}
    # Tables with measured runs first: they are what the reader ran; published-only ones follow.
    for table_key in sorted(rows_by_table, key=lambda k: (k not in measured_tables, k[0] not in headline, k)):
        task, dataset = table_key
        rows = rows_by_table[table_key]
        if table_key in measured_tables:
            metrics = list(headline[task])
        else:
            metrics = list(dict.fromkeys(m for r in rows for m in r.cells))
        rows = [r for r in rows if r.status == MEASURED or any(m in r.cells for m in metrics)]
        if not rows:
            continue
        board = TaskBoard(task=task, metrics=metrics, rows=rows, dataset=dataset)
        board.rows = _ordered(board)
        boards.append(board)
    return Leaderboard(
        tasks=boards, warnings=warnings, errors=errors,
        generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    )


def _ordered(board: TaskBoard) -> list[Row]:
    """Measured rows first, then reported ones; each best-first on the first metric."""
    if not board.metrics:
        return board.rows
    first = board.metrics[0]
    sign = -1.0 if board.higher_is_better(first) else 1.0

    def key(row: Row) -> tuple:
        cell = row.cells.get(first)
        value = cell.value if cell is not None and math.isfinite(cell.value) else None
        return (row.status != MEASURED, value is None, sign * value if value is not None else 0.0, row.model, row.data)

    return sorted(board.rows, key=key)


def format_value(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.4g}"


def format_cell(cell: Cell | None) -> str:
    """``0.9531 [0.9312, 0.9702] n=200`` for measured cells, the value for reported ones."""
    if cell is None:
        return ""
    text = format_value(cell.value)
    if cell.ci_low is not None and cell.ci_high is not None:
        text += f" [{format_value(cell.ci_low)}, {format_value(cell.ci_high)}]"
    if cell.n is not None:
        text += f" n={cell.n}"
    return text


INFO_COLUMNS = ("judge", "judge parse failures", "cost (USD)", "date", "gemeval", "run")


def info_values(row: Row) -> list[str]:
    """The non-metric columns of a row, in ``INFO_COLUMNS`` order."""
    return [
        row.judge,
        "" if row.judge_parse_failures is None else str(row.judge_parse_failures),
        "" if row.cost_usd is None else f"{row.cost_usd:.2f}",
        row.date,
        row.gemeval_version,
        row.source if row.status == REPORTED else row.run_dir,
    ]


_MD_SPECIAL = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`",
    "\\": "\\\\", "\n": " ", "\r": " ",
})


def md_escape(text: str) -> str:
    """Text for a markdown table cell: shown as written, never read as HTML, a link or a cell break."""
    return text.translate(_MD_SPECIAL).replace("](", "\\](")  # no inline link or image


def row_model(row: Row) -> str:
    """The model column: the model, and "(partial: 4 of 200 items)" for a partial run."""
    return row.model + (f" (partial: {row.partial})" if row.partial else "")


def probe_sections(board: Leaderboard) -> list[str]:
    """The probes' per-feature and per-distortion sections (gemeval.report.probes)."""
    from gemeval.report.probes import to_markdown_lines

    return to_markdown_lines(board)


def to_markdown(board: Leaderboard) -> str:
    """One markdown table per task; reported rows are marked in the status column."""
    lines = [
        "# gemeval leaderboard",
        "",
        f"Generated {board.generated_at} by gemeval {board.gemeval_version}. Measured cells: value [95% bootstrap CI] "
        "n=samples scored, from the run directory named in the last column (its samples.jsonl holds the per-sample "
        "records). Rows marked *reported* are published numbers from leaderboards/reference, not measured here.",
    ]
    for task in board.tasks:
        header = ["status", "model", "modality", *task.metrics, *INFO_COLUMNS]
        lines += ["", f"## {md_escape(task.title)}", "", "| " + " | ".join(md_escape(h) for h in header) + " |",
                  "|" + "---|" * len(header)]
        for row in task.rows:
            status = "measured" if row.status == MEASURED else "*reported*"
            cells = [format_cell(row.cells.get(m)) for m in task.metrics]
            values = [row_model(row), row.modality, *cells, *info_values(row)]
            lines.append("| " + " | ".join([status, *(md_escape(v) for v in values)]) + " |")
    lines += probe_sections(board)
    if board.warnings:
        lines += ["", "Notes:", *[f"- {md_escape(w)}" for w in board.warnings]]
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "status", "task", "model", "modality", "data", "partial", "metric", "value", "ci_low", "ci_high", "n", "n_failed",
    "higher_is_better", "published", "judge", "rubric_version", "judge_parse_failures", "cost_usd", "date",
    "gemeval_version", "run_id", "run_dir", "source",
)


def to_csv(board: Leaderboard) -> str:
    """Tidy CSV: one line per row and metric (every metric of the row, not only the
    table's columns), so that no metric is lost for tasks with different columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    t = csv_text
    for task in board.tasks:
        for row in task.rows:
            for metric, cell in row.cells.items():
                writer.writerow([
                    row.status, t(row.task), t(row.model), t(row.modality), t(row.data), t(row.partial), t(metric),
                    repr(cell.value),
                    "" if cell.ci_low is None else repr(cell.ci_low), "" if cell.ci_high is None else repr(cell.ci_high),
                    "" if cell.n is None else cell.n, "" if cell.n_failed is None else cell.n_failed,
                    "" if cell.higher_is_better is None else str(cell.higher_is_better).lower(),
                    t(cell.published or ""), t(row.judge), t(row.rubric_version),
                    "" if row.judge_parse_failures is None else row.judge_parse_failures,
                    "" if row.cost_usd is None else repr(row.cost_usd), t(row.date), t(row.gemeval_version),
                    t(row.run_id), t(row.run_dir), t(row.source),
                ])
    return buf.getvalue()


def to_dict(board: Leaderboard) -> dict[str, Any]:
    """The whole leaderboard as JSON-ready data: one entry per table (task and data set)."""
    return {
        "generated_at": board.generated_at, "gemeval_version": board.gemeval_version, "warnings": board.warnings,
        "tables": [
            {"task": t.task, "dataset": t.dataset, "title": t.title, "metrics": t.metrics,
             "rows": [{"status": r.status, "model": r.model, "modality": r.modality, "partial": r.partial or None,
                       "judge": r.judge, "rubric_version": r.rubric_version,
                       "judge_parse_failures": r.judge_parse_failures, "cost_usd": r.cost_usd, "date": r.date,
                       "gemeval_version": r.gemeval_version, "run_id": r.run_id, "run_dir": r.run_dir,
                       "source": r.source, "n_samples": r.n_samples,
                       "cells": {m: vars(c) for m, c in r.cells.items()}}
                      for r in t.rows]}
            for t in board.tasks
        ],
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text: one starting like a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a leading apostrophe, as OWASP advises."""
    return "'" + text if text.startswith(_FORMULA_START) else text
