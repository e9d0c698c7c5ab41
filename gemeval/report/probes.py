"""Leaderboard sections of the probes: a model's grounding per feature and per distortion.

The task tables show each probe's headline; these sections spread it out, one row per
measured run:

* ``grounded-cf``: per feature, sensitivity / prior-following (``cf.<feature>.sensitivity``,
  ``cf.<feature>.prior_following``), and the three diagnosis flips;
* ``grounded-robust``: the clean page's evidence recall and, per distortion and level, the
  change in evidence recall against the clean page (``robust.<distortion><level>.recall_delta``).

They read the leaderboard's rows (every metric of each run is there), nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gemeval.data.counterfactual import FEATURES
from gemeval.ecg.distort import DISTORTIONS, LEVELS

if TYPE_CHECKING:
    from gemeval.report.leaderboard import Cell, Leaderboard, Row

CF_TASK = "grounded-cf"
ROBUST_TASK = "grounded-robust"
CF_NOTE = ("Sensitivity (claims follow the change; 1 is best) / prior-following (the same claim at every "
           "level; 0 is best) per feature, and the share of groups whose diagnosis flips exactly at the "
           "threshold (see docs/tasks.md).")
ROBUST_NOTE = ("Evidence recall on the clean page, then its change on each distorted page against the clean "
               "page of the same record (0: undisturbed; negative: lost evidence).")


def _value(cell: Cell | None) -> str:
    if cell is None or cell.value != cell.value:  # missing or NaN
        return "n/a"
    return f"{cell.value:.2f}"


def _pair(row: Row, first: str, second: str) -> str:
    return f"{_value(row.cells.get(first))} / {_value(row.cells.get(second))}"


def row_model(row: Row) -> str:
    from gemeval.report.leaderboard import row_model as model_column

    return model_column(row)


def cf_table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the counterfactual section."""
    header = ["model", "modality", *[f"{name} sens / prior" for name in FEATURES], "flips PR / QRS / QTc"]
    body = []
    for row in rows:
        cells = [row_model(row), row.modality]
        cells += [_pair(row, f"cf.{name}.sensitivity", f"cf.{name}.prior_following") for name in FEATURES]
        cells.append(" / ".join(_value(row.cells.get(f"cf.flip.{name}")) for name in ("pr", "qrs", "qtc")))
        body.append(cells)
    return header, body


def robust_table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the robustness section."""
    conditions = [f"{name}{level}" for name in DISTORTIONS for level in LEVELS]
    header = ["model", "modality", "clean recall", *conditions]
    body = []
    for row in rows:
        body.append([row_model(row), row.modality, _value(row.cells.get("robust.clean_recall")),
                     *[_value(row.cells.get(f"robust.{c}.recall_delta")) for c in conditions]])
    return header, body


def sections(board: Leaderboard) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(title, explanation, header, rows) of each probe section the board has runs for."""
    from gemeval.report.leaderboard import MEASURED

    out = []
    for task in board.tasks:
        rows = [r for r in task.rows if r.status == MEASURED]
        if not rows:
            continue
        if task.task == CF_TASK:
            header, body = cf_table(rows)
            out.append((f"{task.title}: per feature", CF_NOTE, header, body))
        elif task.task == ROBUST_TASK:
            header, body = robust_table(rows)
            out.append((f"{task.title}: per distortion", ROBUST_NOTE, header, body))
    return out


def to_markdown_lines(board: Leaderboard) -> list[str]:
    """The sections as markdown, to follow the task tables."""
    from gemeval.report.leaderboard import md_escape

    lines: list[str] = []
    for title, explanation, header, body in sections(board):
        lines += ["", f"## {md_escape(title)}", "", explanation, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(md_escape(cell) for cell in cells) + " |" for cells in body]
    return lines
