"""The leaderboard as one self-contained HTML page.

Sortable tables (a few lines of inline JavaScript, no external files), a chart per task with
the 95% CI of every measured value as error bars, and for tasks scored by the judge a
per-criterion profile of every model. Charts are matplotlib PNGs inlined as base64, so the
file can be mailed, attached to a CI run or opened offline.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from gemeval.report.leaderboard import (  # noqa: E402
    INFO_COLUMNS,
    MEASURED,
    Leaderboard,
    Row,
    TaskBoard,
    format_cell,
    info_values,
    row_model,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MEASURED_COLOR = "#2b6cb0"
REPORTED_COLOR = "#cbd5e0"
SUBPLOTS_PER_LINE = 4


def row_label(row: Row) -> str:
    """A bar's label; every bar of a chart is on the same data set, named in its title."""
    parts = [row_model(row)]
    if row.modality:
        parts.append(f"({row.modality})")
    if row.status != MEASURED:
        parts.append("[reported]")
    return " ".join(parts)


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def bar_grid(rows: list[Row], metrics: list[str], title: str) -> str | None:
    """A grid of horizontal bar charts, one per metric, one bar per row; measured bars carry
    their 95% CI as error bars, reported bars are pale and hatched. Base64 PNG, or None when
    no row has a value for any of the metrics."""
    metrics = [m for m in metrics if any(_value(r, m) is not None for r in rows)]
    if not metrics:
        return None
    n_cols = min(len(metrics), SUBPLOTS_PER_LINE)
    n_lines = math.ceil(len(metrics) / n_cols)
    height = max(1.6, 0.32 * len(rows) + 0.9)
    fig, axes = plt.subplots(n_lines, n_cols, figsize=(3.6 * n_cols + 2.5, height * n_lines), squeeze=False, sharey=True)
    labels = [row_label(r) for r in rows]
    repeated = {label for label in labels if labels.count(label) > 1}
    labels = [f"{label} ({r.judge})" if label in repeated and r.judge else label for label, r in zip(labels, rows)]
    positions = list(range(len(rows)))[::-1]
    for ax, metric in zip(axes.ravel(), metrics):
        for measured in (True, False):
            pos, values, err_low, err_high = [], [], [], []
            for p, row in zip(positions, rows):
                value = _value(row, metric)
                if value is None or (row.status == MEASURED) != measured:
                    continue
                cell = row.cells[metric]
                pos.append(p)
                values.append(value)
                low, high = cell.ci_low, cell.ci_high
                if measured and low is not None and high is not None:
                    err_low.append(max(value - low, 0.0))
                    err_high.append(max(high - value, 0.0))
                else:
                    err_low.append(0.0)
                    err_high.append(0.0)
            if not pos:
                continue
            ax.barh(
                pos, values, xerr=[err_low, err_high] if measured else None, capsize=3, height=0.7,
                color=MEASURED_COLOR if measured else REPORTED_COLOR,
                hatch=None if measured else "//", edgecolor="#4a5568", linewidth=0.5,
            )
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks(positions)
        ax.set_yticklabels(labels)
    for ax in axes.ravel()[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _value(row: Row, metric: str) -> float | None:
    cell = row.cells.get(metric)
    if cell is None or not math.isfinite(cell.value):
        return None
    return cell.value


def _sort_value(row: Row, metric: str) -> str:
    value = _value(row, metric)
    return "" if value is None else repr(value)


def to_html(board: Leaderboard) -> str:
    """The whole page as a string (UTF-8, no external resources)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    tasks = []
    for task in board.tasks:
        tasks.append({
            "name": task.task,
            "title": task.title,
            "anchor": f"{task.task}--{task.dataset}",
            "metrics": [{"name": m, "higher": task.higher_is_better(m)} for m in task.metrics],
            "rows": [_row_view(task, r) for r in task.rows],
            "chart": bar_grid(task.rows, task.metrics, f"{task.title}: value and 95% CI"),
            "profile": _profile(task),
        })
    return env.get_template("leaderboard.html.j2").render(
        board=board, tasks=tasks, info_columns=INFO_COLUMNS,
    )


def _profile(task: TaskBoard) -> str | None:
    criteria = task.judge_criteria
    if len(criteria) < 2:
        return None
    rows = [r for r in task.rows if any(c in r.cells for c in criteria)]
    return bar_grid(rows, criteria, f"{task.title}: judge criteria per model")


def _row_view(task: TaskBoard, row: Row) -> dict:
    return {
        "measured": row.status == MEASURED,
        "status": row.status,
        "model": row_model(row),
        "partial": bool(row.partial),
        "modality": row.modality,
        "data": row.data,
        "cells": [
            {"text": format_cell(row.cells.get(m)), "sort": _sort_value(row, m),
             "title": (row.cells[m].published or "") if m in row.cells else ""}
            for m in task.metrics
        ],
        "info": info_values(row),
    }
